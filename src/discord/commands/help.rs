//! `/help`.

use crate::discord::{AppContext, Error};

const HELP: &str = "\
**interview-coach** helps you practise job interviews.

• `/ask role:backend` — a question for the role, why recruiters ask it, how to structure your answer, and the follow-ups to prepare for. Try your own answer first; **Show example answer** reveals one.
• `/mock role:backend` — a mock interview in its own thread: answer each question with a message (or the **Answer** button), get the next follow-up, and a summary at the end.
• `/guides list` — the roles you can practise. Moderators: `/guides reload` after editing the guide files.
• `/history` — your recent mock interviews. `/forget-me` — delete everything stored about you.

Nothing you write is shown to anyone outside the thread, and the bot never pings anyone.";

/// What the bot does and how to use it
#[poise::command(slash_command)]
pub async fn help(ctx: AppContext<'_>) -> Result<(), Error> {
    super::whisper(ctx, HELP).await
}
