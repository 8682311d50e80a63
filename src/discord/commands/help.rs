//! `/help`.

use crate::discord::{AppContext, Error};
use crate::messages;

/// What the bot does and how to use it
#[poise::command(slash_command)]
pub async fn help(ctx: AppContext<'_>) -> Result<(), Error> {
    super::whisper(ctx, messages::HELP).await
}
