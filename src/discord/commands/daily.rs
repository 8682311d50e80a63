//! `/daily` (setup, show, off, board join/leave) and `/streak`: the question of the day.
//!
//! Setting it up is for moderators (Manage Server, or a moderator role from the config)
//! of the server it is set up in, in any server: it only configures that server.

use poise::serenity_prelude as serenity;
use serenity::all::{Permissions, RoleId};

use super::whisper;
use crate::discord::interview::missing;
use crate::discord::{AppContext, Data, Error};
use crate::messages::{self, daily as text};
use crate::session::daily::{ScheduleView, SetupRequest};
use crate::session::now;

/// What the bot needs in the daily channel: post the embed, open the thread, answer in
/// it and react to answers.
const NEEDED: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::ADD_REACTIONS)
    .union(Permissions::CREATE_PUBLIC_THREADS)
    .union(Permissions::SEND_MESSAGES_IN_THREADS);

/// A question of the day in a channel, with streaks and a weekly board
#[poise::command(
    slash_command,
    guild_only,
    subcommands("setup", "show", "off", "board"),
    subcommand_required
)]
pub async fn daily(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// Whether a member may change a server's settings: Manage Server, or a moderator role
/// from the config.
pub fn is_moderator(data: &Data, permissions: Option<Permissions>, roles: &[RoleId]) -> bool {
    let manages = permissions.is_some_and(|p| p.contains(Permissions::MANAGE_GUILD));
    let moderator_role = roles
        .iter()
        .any(|r| data.config().discord.moderator_role_ids.contains(&r.get()));
    manages || moderator_role
}

/// `Err(why)` unless the command's member is a moderator ([`is_moderator`]).
pub(super) fn check_moderator(ctx: AppContext<'_>, why: &'static str) -> Result<(), Error> {
    let member = ctx.interaction.member.as_ref();
    let may = is_moderator(
        ctx.data(),
        member.and_then(|m| m.permissions),
        member.map(|m| m.roles.as_slice()).unwrap_or_default(),
    );
    if may {
        Ok(())
    } else {
        Err(Error::user(why))
    }
}

pub(super) fn guild_of(ctx: AppContext<'_>) -> Result<u64, Error> {
    ctx.interaction
        .guild_id
        .map(|g| g.get())
        .ok_or_else(|| Error::user(messages::GUILD_ONLY))
}

/// The bot's permissions in `channel`: Discord's own figure when it is the channel the
/// command came from, else computed from the cached server (roles and overwrites);
/// `None` when the server is not cached.
pub(super) fn bot_permissions(
    ctx: AppContext<'_>,
    channel: serenity::ChannelId,
) -> Option<Permissions> {
    if channel == ctx.interaction.channel_id {
        return ctx.interaction.app_permissions;
    }
    let guild = ctx.cache().guild(ctx.interaction.guild_id?)?;
    let bot = ctx.cache().current_user().id;
    let member = guild.members.get(&bot)?;
    let channel = guild.channels.get(&channel)?;
    Some(guild.user_permissions_in(channel, member))
}

fn summary(view: &ScheduleView) -> String {
    text::schedule_summary(
        view.channel_id,
        &view.schedule.time_text(),
        view.schedule.zone_name(),
        &view.roles,
        view.level.map(|l| l.id()),
        view.schedule.board_day(),
        view.next_post.as_second(),
    )
}

/// Post a question each day in a channel (moderators)
#[poise::command(slash_command)]
#[allow(clippy::too_many_arguments)]
pub async fn setup(
    ctx: AppContext<'_>,
    #[description = "Where to post the question"]
    #[channel_types("Text", "News")]
    channel: serenity::PartialChannel,
    #[description = "Local time of the post, HH:MM (24-hour), e.g. 09:00"] time: String,
    #[description = "Time zone, e.g. Europe/Berlin or America/New_York"]
    #[autocomplete = "complete_zone"]
    timezone: String,
    #[description = "Roles to rotate through, e.g. backend, frontend (default: all)"] roles: Option<
        String,
    >,
    #[description = "Only questions for this level"]
    #[autocomplete = "super::complete_level"]
    level: Option<String>,
    #[description = "Weekday of the streak board (default: Monday)"] board_day: Option<String>,
) -> Result<(), Error> {
    check_moderator(ctx, text::NOT_MODERATOR)?;
    let guild_id = guild_of(ctx)?;
    if let Some(perms) = bot_permissions(ctx, channel.id) {
        let lacking = missing(perms, NEEDED);
        if !lacking.is_empty() {
            return Err(Error::user(text::missing_channel_permissions(
                channel.id.get(),
                &lacking,
            )));
        }
    }
    ctx.defer_ephemeral().await?;
    let request = SetupRequest {
        guild_id,
        channel_id: channel.id.get(),
        time: &time,
        timezone: &timezone,
        roles: roles.as_deref(),
        level: level.as_deref(),
        board_day: board_day.as_deref(),
    };
    let guides = ctx.data().guides();
    match ctx.data().daily.setup(&request, &guides, now()).await? {
        Ok(view) => {
            ctx.data().daily_wake.notify_one();
            whisper(ctx, summary(&view)).await
        }
        Err(problems) => whisper(ctx, text::setup_refused(&problems)).await,
    }
}

/// Time zones whose IANA name contains what was typed.
async fn complete_zone(
    _ctx: AppContext<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let needle = partial.trim().to_lowercase().replace(' ', "_");
    let zones = jiff::tz::db().available();
    super::choices(
        zones
            .map(|name| name.as_str().to_string())
            .filter(|name| name.contains('/') && name.to_lowercase().contains(&needle))
            .map(|name| (name.clone(), name)),
    )
}

/// Show this server's question of the day
#[poise::command(slash_command)]
pub async fn show(ctx: AppContext<'_>) -> Result<(), Error> {
    let guild_id = guild_of(ctx)?;
    // Deferred before the database, which may wait out its busy timeout.
    ctx.defer_ephemeral().await?;
    let guides = ctx.data().guides();
    match ctx.data().daily.show(guild_id, &guides, now()).await? {
        Some(view) => whisper(ctx, summary(&view)).await,
        None => whisper(ctx, text::NO_SCHEDULE).await,
    }
}

/// Stop the question of the day (moderators); answers and streaks are kept
#[poise::command(slash_command)]
pub async fn off(ctx: AppContext<'_>) -> Result<(), Error> {
    check_moderator(ctx, text::NOT_MODERATOR)?;
    let guild_id = guild_of(ctx)?;
    ctx.defer_ephemeral().await?;
    let was_on = ctx.data().daily.off(guild_id).await?;
    whisper(
        ctx,
        if was_on {
            text::TURNED_OFF
        } else {
            text::WAS_OFF
        },
    )
    .await
}

/// The weekly streak board: join or leave it
#[poise::command(slash_command, subcommands("join", "leave"), subcommand_required)]
pub async fn board(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// Show your streak on this server's weekly board
#[poise::command(slash_command)]
pub async fn join(ctx: AppContext<'_>) -> Result<(), Error> {
    let guild_id = guild_of(ctx)?;
    let user = ctx.author().id.get();
    ctx.defer_ephemeral().await?;
    let new = ctx.data().daily.board_join(guild_id, user, now()).await?;
    whisper(
        ctx,
        if new {
            text::BOARD_JOINED
        } else {
            text::BOARD_ALREADY
        },
    )
    .await
}

/// Take your streak off this server's weekly board
#[poise::command(slash_command)]
pub async fn leave(ctx: AppContext<'_>) -> Result<(), Error> {
    let guild_id = guild_of(ctx)?;
    let user = ctx.author().id.get();
    ctx.defer_ephemeral().await?;
    let was_on = ctx.data().daily.board_leave(guild_id, user).await?;
    whisper(
        ctx,
        if was_on {
            text::BOARD_LEFT
        } else {
            text::BOARD_NOT_ON
        },
    )
    .await
}

/// Your streak of days answering this server's question of the day (only you see it)
#[poise::command(slash_command, guild_only)]
pub async fn streak(ctx: AppContext<'_>) -> Result<(), Error> {
    let guild_id = guild_of(ctx)?;
    let user = ctx.author().id.get();
    ctx.defer_ephemeral().await?;
    let streaks = ctx.data().daily.streak(guild_id, user, now()).await?;
    whisper(ctx, text::streak_sentence(streaks)).await
}
