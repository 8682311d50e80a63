//! `/mock`: a mock interview in its own thread.

use serenity::all::CommandInteraction;

use super::{complete_level, complete_role};
use crate::discord::interview::{self, Place};
use crate::discord::{display_name, AppContext, Error};
use crate::messages;

/// Where a command was used, or a clear refusal outside a server.
pub fn place_of(interaction: &CommandInteraction) -> Result<Place, Error> {
    let guild_id = interaction
        .guild_id
        .ok_or_else(|| Error::user(messages::GUILD_ONLY))?;
    let user = &interaction.user;
    let name = display_name(
        interaction.member.as_ref().and_then(|m| m.nick.as_ref()),
        user,
    );
    Ok(Place {
        guild_id: guild_id.get(),
        channel_id: interaction.channel_id.get(),
        channel_kind: interaction.channel.as_ref().map(|c| c.kind),
        user_id: user.id.get(),
        user_name: name,
        app_permissions: interaction.app_permissions,
    })
}

/// Start a mock interview in its own thread: answer, get follow-ups, then a summary
#[poise::command(slash_command)]
pub async fn mock(
    ctx: AppContext<'_>,
    #[description = "The role you are interviewing for"]
    #[autocomplete = "complete_role"]
    role: String,
    #[description = "How many main questions (1-5)"]
    #[min = 1]
    #[max = 5]
    questions: Option<u8>,
    #[description = "Only questions for this level: junior, mid, senior or staff (optional)"]
    #[autocomplete = "complete_level"]
    level: Option<String>,
) -> Result<(), Error> {
    let place = place_of(ctx.interaction)?;
    let lib = ctx.data().guides();
    let role = lib
        .resolve_role(&role)
        .map_err(|u| Error::user(messages::unknown_role(&u)))?;
    let level = super::parse_level(level.as_deref())?;
    if let Some(l) = level.filter(|l| !role.questions.iter().any(|q| q.suits(Some(*l)))) {
        return Err(Error::user(messages::no_question_at_level(
            &role.name,
            l.id(),
        )));
    }
    // Opening a thread takes several requests; defer so Discord's 3-second
    // answer window cannot run out.
    ctx.defer_ephemeral().await?;
    let count = usize::from(
        questions
            .unwrap_or(ctx.data().config().mock.questions)
            .clamp(1, 5),
    );
    let reply = interview::start(
        ctx.serenity_context().http.as_ref(),
        ctx.data(),
        place,
        role,
        count,
        None,
        level,
    )
    .await
    .map_err(|e| e.when_busy(messages::BUSY_NOT_STARTED))?;
    super::whisper(ctx, reply).await
}
