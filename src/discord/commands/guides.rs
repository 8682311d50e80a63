//! `/guides list` for everyone, `/guides reload` for moderators of the
//! operator's own servers.

use serenity::all::{Permissions, RoleId};

use crate::discord::render::{fit, limits};
use crate::discord::{AppContext, Data, Error};
use crate::messages;
use crate::session::Reloaded;

/// See or reload the interview guides
// No default_member_permissions here: Discord would apply them to `list` too.
#[poise::command(slash_command, subcommands("list", "reload"), subcommand_required)]
pub async fn guides(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// List the roles you can practise and how many questions each has
#[poise::command(slash_command)]
pub async fn list(ctx: AppContext<'_>) -> Result<(), Error> {
    let lib = ctx.data().guides();
    let mut lines = vec![messages::guides_list_heading(lib.roles().len())];
    for role in lib.roles() {
        lines.push(messages::guides_list_line(
            &role.id,
            &role.name,
            role.questions.len(),
        ));
    }
    super::whisper(ctx, fit(&lines.join("\n"), limits::CONTENT)).await
}

/// Why a member may not reload, or `None` when they may.
pub fn reload_refusal(
    data: &Data,
    guild: Option<u64>,
    permissions: Option<Permissions>,
    roles: &[RoleId],
) -> Option<&'static str> {
    let Some(guild) = guild else {
        return Some(messages::RELOAD_OUTSIDE_SERVER);
    };
    let discord = &data.config().discord;
    if !discord.admin_guilds().any(|g| g == guild) {
        return Some(messages::RELOAD_NOT_HERE);
    }
    let manages = permissions.is_some_and(|p| p.contains(Permissions::MANAGE_GUILD));
    let moderator_role = roles
        .iter()
        .any(|r| discord.moderator_role_ids.contains(&r.get()));
    if manages || moderator_role {
        None
    } else {
        Some(messages::RELOAD_NOT_MODERATOR)
    }
}

/// Reload the guide files (moderators only); the old guides stay if the new ones have errors
#[poise::command(slash_command)]
pub async fn reload(ctx: AppContext<'_>) -> Result<(), Error> {
    let interaction = ctx.interaction;
    let member = interaction.member.as_ref();
    let refusal = reload_refusal(
        ctx.data(),
        interaction.guild_id.map(|g| g.get()),
        member.and_then(|m| m.permissions),
        member.map(|m| m.roles.as_slice()).unwrap_or_default(),
    );
    if let Some(why) = refusal {
        return Err(Error::user(why));
    }
    ctx.defer_ephemeral().await?;
    let text = match ctx.data().interviews.reload_guides().await? {
        Reloaded::Done { counts, took } => {
            metrics::counter!("interview_coach_guide_reloads_total", "outcome" => "done")
                .increment(1);
            tracing::info!(%counts, ms = took.as_millis() as u64, "guides reloaded");
            messages::guides_reloaded(took.as_millis(), &counts)
        }
        Reloaded::Refused(errors) => {
            metrics::counter!("interview_coach_guide_reloads_total", "outcome" => "refused")
                .increment(1);
            tracing::warn!(problems = errors.0.len(), "guide reload refused");
            reload_errors_text(&errors.0.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        }
    };
    super::whisper(ctx, text).await
}

/// As many errors as fit in one message, then how many more there are.
pub fn reload_errors_text(errors: &[String]) -> String {
    let head = format!("{}\n```\n", messages::reload_refused(errors.len()));
    let mut body = String::new();
    let budget = limits::CONTENT - head.chars().count() - 40;
    let mut shown = 0;
    for e in errors {
        let line = fit(&e.replace("```", "'''"), 300);
        if body.chars().count() + line.chars().count() + 1 > budget {
            break;
        }
        body.push_str(&line);
        body.push('\n');
        shown += 1;
    }
    let mut text = format!("{head}{body}```");
    if shown < errors.len() {
        text.push_str(&messages::and_more(errors.len() - shown));
    }
    text
}
