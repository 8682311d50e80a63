//! `/history` and `/forget-me`: what is stored about a member, and deleting it.

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};

use crate::discord::ids::ComponentId;
use crate::discord::render::{fit, limits, no_pings};
use crate::discord::{AppContext, Error};
use crate::store::{HistoryEntry, InterviewStatus};

fn status_label(status: InterviewStatus) -> &'static str {
    match status {
        InterviewStatus::Open => "in progress",
        InterviewStatus::Finished => "completed",
        InterviewStatus::Abandoned => "abandoned",
        InterviewStatus::Closed(reason) => match reason {
            crate::store::CloseReason::ThreadDeleted => "thread deleted",
            crate::store::CloseReason::MemberLeft => "left the server",
            crate::store::CloseReason::Ended => "ended early",
            crate::store::CloseReason::Idle => "timed out",
        },
    }
}

pub fn history_text(entries: &[HistoryEntry]) -> String {
    if entries.is_empty() {
        return "You have no mock interviews yet. Start one with `/mock`.".into();
    }
    let mut lines = vec!["**Your recent mock interviews**".to_string()];
    for e in entries {
        let mut line = format!(
            "• <t:{}:d> {} — {}, {} answer{}",
            e.created_at,
            e.role_name,
            status_label(e.status),
            e.answers,
            if e.answers == 1 { "" } else { "s" }
        );
        if let Some(h) = &e.latest_headline {
            line.push_str(&format!(" — {}", fit(h, 120)));
        }
        lines.push(line);
    }
    fit(&lines.join("\n"), limits::CONTENT)
}

/// Your recent mock interviews
#[poise::command(slash_command)]
pub async fn history(ctx: AppContext<'_>) -> Result<(), Error> {
    let entries = ctx.data().store.history(ctx.author().id.get(), 10).await?;
    super::whisper(ctx, history_text(&entries)).await
}

/// Delete everything the bot has stored about you (asks to confirm first)
#[poise::command(slash_command, rename = "forget-me")]
pub async fn forget_me(ctx: AppContext<'_>) -> Result<(), Error> {
    let buttons = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(ComponentId::Forget { confirmed: true }.encode())
            .label("Delete my data")
            .style(ButtonStyle::Danger),
        CreateButton::new(ComponentId::Forget { confirmed: false }.encode())
            .label("Keep it")
            .style(ButtonStyle::Secondary),
    ])];
    ctx.send(
        CreateReply::default()
            .content("This deletes every mock interview, answer and summary stored about you, in every server. It cannot be undone. Continue?")
            .components(buttons)
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}
