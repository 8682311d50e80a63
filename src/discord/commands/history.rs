//! `/history` and `/forget-me`: what is stored about a member (mock interviews and peer
//! rounds), and deleting it.

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};

use crate::discord::ids::ComponentId;
use crate::discord::render::{fit, limits, no_pings};
use crate::discord::{AppContext, Error};
use crate::messages;
use crate::store::HistoryEntry;

pub fn history_text(entries: &[HistoryEntry]) -> String {
    if entries.is_empty() {
        return messages::NO_HISTORY.into();
    }
    let mut lines = vec![messages::HISTORY_HEADING.to_string()];
    for e in entries {
        let status = messages::status_label(e.status);
        let mut line = messages::history_line(e.created_at, &e.role_name, status, e.answers);
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
    // Deferred before the database, which may wait out its busy timeout.
    ctx.defer_ephemeral().await?;
    let entries = ctx
        .data()
        .interviews
        .history(ctx.author().id.get(), 10)
        .await
        .map_err(|e| Error::from(e).when_busy(messages::BUSY_NO_HISTORY))?;
    let peer = ctx
        .data()
        .pairs
        .history(ctx.author().id.get(), 10)
        .await
        .map_err(|e| Error::from(e).when_busy(messages::BUSY_NO_HISTORY))?;
    let lib = ctx.data().guides();
    // "No history" only when there is neither kind; peer rounds alone stand by themselves.
    let mut parts = Vec::new();
    if !entries.is_empty() || peer.is_empty() {
        parts.push(history_text(&entries));
    }
    if !peer.is_empty() {
        let mut lines = vec![messages::pairs::HISTORY_PEER_HEADING.to_string()];
        lines.extend(peer.iter().map(|e| {
            let role = lib
                .role(&e.role_id)
                .map_or(e.role_id.as_str(), |r| r.name.as_str());
            messages::pairs::history_line(e.started_at, role, e.as_candidate, e.scored)
        }));
        parts.push(lines.join("\n"));
    }
    super::whisper(ctx, fit(&parts.join("\n\n"), limits::CONTENT)).await
}

/// Delete everything the bot has stored about you (asks to confirm first)
#[poise::command(slash_command, rename = "forget-me")]
pub async fn forget_me(ctx: AppContext<'_>) -> Result<(), Error> {
    let buttons = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(ComponentId::Forget { confirmed: true }.encode())
            .label(messages::BUTTON_FORGET)
            .style(ButtonStyle::Danger),
        CreateButton::new(ComponentId::Forget { confirmed: false }.encode())
            .label(messages::BUTTON_KEEP)
            .style(ButtonStyle::Secondary),
    ])];
    ctx.send(
        CreateReply::default()
            .content(messages::FORGET_CONFIRM)
            .components(buttons)
            .ephemeral(true)
            .allowed_mentions(no_pings()),
    )
    .await?;
    Ok(())
}
