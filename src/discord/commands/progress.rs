//! `/progress`: the member's answers over time as a PNG chart, privately, with a one-line
//! summary of the same figures for screen readers.

use poise::CreateReply;
use serenity::all::CreateAttachment;

use crate::discord::render::{fit, limits, no_pings};
use crate::discord::{AppContext, Error};
use crate::messages::daily as text;

/// Your answers over time: steps covered, results quantified, length, fillers (only you see it)
#[poise::command(slash_command)]
pub async fn progress(ctx: AppContext<'_>) -> Result<(), Error> {
    // Reading every answer and drawing takes longer than Discord waits for a reply.
    ctx.defer_ephemeral().await?;
    let guild = ctx.interaction.guild_id.map(|g| g.get());
    let user = ctx.author().id.get();
    let reply = match ctx.data().daily.progress(guild, user).await? {
        Some(report) => CreateReply::default()
            .content(fit(&report.summary, limits::CONTENT))
            .attachment(
                CreateAttachment::bytes(report.png, text::PROGRESS_FILE)
                    .description(text::PROGRESS_ALT),
            ),
        None => CreateReply::default().content(text::NO_PROGRESS),
    };
    ctx.send(reply.ephemeral(true).allowed_mentions(no_pings()))
        .await?;
    Ok(())
}
