//! `/pair` (setup, join, leave): peer mock interviews. Matching, the room and the console
//! are in `discord::pairs`.

use poise::serenity_prelude as serenity;
use serenity::all::{EditInteractionResponse, Permissions};

use super::daily::{bot_permissions, check_moderator, guild_of};
use super::{complete_level, whisper};
use crate::discord::interview::missing;
use crate::discord::pairs::{self, Joined};
use crate::discord::render::{fit, limits, no_pings};
use crate::discord::{AppContext, Error};
use crate::messages::{self, pairs as text};
use crate::session::now;
use crate::session::pairs::{MAX_QUEUE_MINUTES, MAX_SCORED_STEPS};
use crate::store::{NewQueueEntry, PairSettings, QueueJoin, QueueReply, WantedRole};

/// What the bot needs in the pair channel: announce, open the rooms and talk in them.
const NEEDED: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::READ_MESSAGE_HISTORY)
    .union(Permissions::ADD_REACTIONS)
    .union(Permissions::CREATE_PUBLIC_THREADS)
    .union(Permissions::SEND_MESSAGES_IN_THREADS);

/// What the bot needs to give a pair a voice channel only the two can see: it must hold
/// what it grants them.
const NEEDED_FOR_VOICE: Permissions = Permissions::MANAGE_CHANNELS
    .union(Permissions::VIEW_CHANNEL)
    .union(Permissions::CONNECT);

/// Peer mock interviews: get matched with another member and interview each other
#[poise::command(
    slash_command,
    guild_only,
    subcommands("setup", "join", "leave"),
    subcommand_required
)]
pub async fn pair(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// Where pairs are announced, how long members wait, and voice channels (moderators)
#[poise::command(slash_command)]
pub async fn setup(
    ctx: AppContext<'_>,
    #[description = "Where new pairs are announced and their threads opened"]
    #[channel_types("Text")]
    channel: serenity::PartialChannel,
    #[description = "How long a member waits for a partner, in minutes (1-14, default 10)"]
    #[min = 1]
    #[max = 14]
    queue_minutes: Option<i64>,
    #[description = "Give each pair a voice channel only the two can see (default: no)"]
    voice: Option<bool>,
) -> Result<(), Error> {
    check_moderator(ctx, text::NOT_MODERATOR)?;
    let guild_id = guild_of(ctx)?;
    let voice = voice.unwrap_or(false);
    let minutes = queue_minutes.unwrap_or(i64::from(crate::session::pairs::DEFAULT_QUEUE_MINUTES));
    let Some(minutes) = u8::try_from(minutes)
        .ok()
        .filter(|m| (1..=MAX_QUEUE_MINUTES).contains(m))
    else {
        return Err(Error::user(text::queue_minutes_range(minutes)));
    };
    if let Some(perms) = bot_permissions(ctx, channel.id) {
        let lacking = missing(perms, NEEDED);
        if !lacking.is_empty() {
            let why = text::missing_channel_permissions(channel.id.get(), &lacking);
            return Err(Error::user(why));
        }
        let lacking = missing(perms, NEEDED_FOR_VOICE);
        if voice && !lacking.is_empty() {
            return Err(Error::user(text::missing_voice_permissions(&lacking)));
        }
    }
    ctx.defer_ephemeral().await?;
    let settings = PairSettings {
        channel_id: Some(channel.id.get()),
        queue_minutes: minutes,
        voice,
    };
    match ctx
        .data()
        .pairs
        .set_settings(guild_id, settings, now())
        .await?
    {
        Ok(s) => {
            let saved = text::settings_saved(s.channel_id, s.queue_minutes, s.voice);
            whisper(ctx, saved).await
        }
        Err(refused) => whisper(ctx, text::refusal(&refused)).await,
    }
}

/// Roles to queue for: `any`, then the guides' roles.
async fn complete_wanted(
    ctx: AppContext<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let lib = ctx.data().guides();
    let needle = partial.trim().to_lowercase();
    let any = text::ANY_ROLE
        .starts_with(&needle)
        .then(|| (text::ANY_ROLE_NAME.to_string(), text::ANY_ROLE.to_string()));
    super::choices(any.into_iter().chain(super::role_choices(&lib, partial)))
}

/// Join this server's queue for a peer mock interview
#[poise::command(slash_command)]
pub async fn join(
    ctx: AppContext<'_>,
    #[description = "The role to practise, or `any`"]
    #[autocomplete = "complete_wanted"]
    role: String,
    #[description = "Only partners at this level: junior, mid, senior or staff (optional)"]
    #[autocomplete = "complete_level"]
    level: Option<String>,
) -> Result<(), Error> {
    let guild_id = guild_of(ctx)?;
    let level = super::parse_level(level.as_deref())?;
    let lib = ctx.data().guides();
    let wanted = if role.trim().eq_ignore_ascii_case(text::ANY_ROLE) {
        WantedRole::Any
    } else {
        let r = lib
            .resolve_role(&role)
            .map_err(|u| Error::user(messages::unknown_role(&u)))?;
        WantedRole::Role(r.id.clone())
    };
    let scorable = ctx.data().interviews.picker().pick_scorable(
        lib.roles(),
        wanted.id(),
        level,
        MAX_SCORED_STEPS,
        &[],
    );
    if scorable.is_none() {
        let name = wanted.id().unwrap_or(text::ANY_ROLE_NAME);
        return Err(Error::user(text::no_scorable_question(name)));
    }
    // Matching may open a thread, a voice channel and post: defer first.
    ctx.defer_ephemeral().await?;
    let interaction = ctx.interaction;
    let entry = NewQueueEntry {
        guild_id,
        user_id: interaction.user.id.get(),
        role: wanted,
        level,
        channel_id: interaction.channel_id.get(),
        reply: QueueReply {
            application_id: interaction.application_id.get(),
            token: interaction.token.clone(),
        },
    };
    let http = ctx.serenity_context().http.as_ref();
    let data = ctx.data();
    let joined = data
        .pairs
        .join(&entry, now())
        .await
        .map_err(|e| Error::from(e).when_busy(text::BUSY_NOT_QUEUED))?;
    let said = match joined {
        QueueJoin::Waiting {
            entry,
            position,
            replaced,
        } => {
            if let Some(old) = replaced {
                pairs::edit_reply(http, &old, text::REPLACED).await;
            }
            let minutes = ((entry.expires_at - now()).max(0) + 59) / 60;
            text::waiting(
                position,
                entry.role.id(),
                entry.level.map(|l| l.id()),
                u8::try_from(minutes).unwrap_or(MAX_QUEUE_MINUTES),
            )
        }
        QueueJoin::InPair(pair) => text::already_in_pair(pair.thread_id),
        QueueJoin::Matched {
            pair,
            partner,
            replaced,
        } => {
            if let Some(old) = replaced {
                pairs::edit_reply(http, &old, text::REPLACED).await;
            }
            let place = Joined {
                guild_id,
                channel_id: entry.channel_id,
                user_id: entry.user_id,
                app_permissions: interaction.app_permissions,
            };
            match pairs::matched(http, data, &pair, &partner, &place).await {
                Ok(said) => said,
                Err(e) => {
                    if e.is_operator_problem() {
                        tracing::error!(pair = %pair.id, error = %e, "could not open a pair's room");
                    }
                    e.user_message()
                }
            }
        }
    };
    let edit = EditInteractionResponse::new()
        .content(fit(&said, limits::CONTENT))
        .allowed_mentions(no_pings());
    interaction.edit_response(http, edit).await?;
    Ok(())
}

/// Leave this server's peer interview queue
#[poise::command(slash_command)]
pub async fn leave(ctx: AppContext<'_>) -> Result<(), Error> {
    let guild_id = guild_of(ctx)?;
    ctx.defer_ephemeral().await?;
    let http = ctx.serenity_context().http.as_ref();
    let left = ctx
        .data()
        .pairs
        .leave(guild_id, ctx.author().id.get())
        .await?;
    match left {
        Some(entry) => {
            pairs::edit_reply(http, &entry.reply, text::LEFT_BY_REQUEST).await;
            whisper(ctx, text::LEFT).await
        }
        None => whisper(ctx, text::NOT_WAITING).await,
    }
}
