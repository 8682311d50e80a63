//! Peer mock interviews on Discord (issue 16). The use cases are
//! [`crate::session::Pairs`]; this module carries them to and from Discord.
//!
//! - **Matching** ([`matched`]): when `/pair join` matches two members, the pair's room
//!   is opened — a private thread in the server's pair channel (where the second member
//!   joined when none is set), public when the bot may not create private threads there,
//!   as `/mock` does — with both members added; round 1 starts with a question a peer can
//!   score (at most [`MAX_SCORED_STEPS`] framework steps) and its console is posted; the
//!   pair is announced once in the pair channel, the one post whose allowed mentions are
//!   the two members (every other post pings nobody); and the first member's ephemeral
//!   queue reply is edited through its interaction token. A member who cannot be added to
//!   the thread (a 404: they have left the server) ends the pair at once, both queue
//!   replies saying so. With `/pair setup voice:true` a voice channel only the two (and
//!   the bot) can see is made, and deleted at the end; when Discord refuses it (403) the
//!   console names the permissions the bot needs instead.
//! - **The room** (`console`): the interviewer's buttons, the candidate's answers (a
//!   message, or the *Answer* form), the follow-up and rating menus and the notes form.
//! - **The end** ([`finish`]): the summary of every round (the question, the peer's
//!   ratings and notes, the coach's notes on written answers, held back until now) is
//!   posted in the thread, which is then archived; the voice channel is deleted. When the
//!   thread itself was deleted, a notice naming the two (without a ping) goes to the
//!   channel it was in instead.
//! - **The sweep** ([`sweep`], from the interview sweeper): queue waits that are over
//!   (their replies edited to say so), idle pairs, and retention.
//!
//! **Posts are made directly**, not through the delivery worker's outbox (whose rows
//! belong to a `/mock` interview): a passing failure is retried a few times at once
//! ([`send`]); what is lost to a crash at that moment is not posted again after a
//! restart. Everything that matters is in the store before it is posted: the pair, its
//! rounds, answers and scorecards, so a restart loses no data, and the console's buttons
//! carry the pair's id, so they keep working. A pair whose room was never recorded (a
//! crash between the match and the thread) is ended at start-up, freeing both members.

mod console;
mod view;

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{
    Builder, ChannelId, ChannelType, CreateAllowedMentions, CreateChannel, CreateMessage,
    CreateThread, EditInteractionResponse, EditThread, GuildId, Http, PermissionOverwrite,
    PermissionOverwriteType, Permissions, RoleId, UserId,
};

pub use console::{on_component, on_message, on_modal};

use super::error::{is_transient, status_of, Error};
use super::interview::missing;
use super::render::{fit, limits, no_pings};
use super::Data;
use crate::messages::pairs as text;
use crate::session::pairs::MAX_SCORED_STEPS;
use crate::session::{self, now};
use crate::store::{EndReason, Pair, PairSummary, QueueEntry, QueueReply};

/// Where the second member of a pair joined.
pub struct Joined {
    pub guild_id: u64,
    pub channel_id: u64,
    pub user_id: u64,
    /// The bot's permissions in that channel, as Discord sent them.
    pub app_permissions: Option<Permissions>,
}

/// The pair just matched at `joined`: opens its room, starts round 1, announces it and
/// tells the partner. Returns what the joining member's reply says.
pub async fn matched(
    http: &Http,
    data: &Data,
    pair: &Pair,
    partner: &QueueEntry,
    joined: &Joined,
) -> Result<String, Error> {
    let opened = open_room(http, data, pair, joined).await;
    let (thread, role_name) = match opened {
        Ok(room) => room,
        Err(e) => {
            // A member who cannot be added has most likely left the server: both are told.
            let gone = matches!(&e, Error::User(m) if m == text::MEMBER_UNREACHABLE);
            let (reason, told) = if gone {
                (EndReason::MemberGone, text::MEMBER_UNREACHABLE)
            } else {
                (EndReason::Left, text::MATCH_FAILED)
            };
            let ended = data.pairs.end(pair.id, reason, now()).await;
            if let Err(e) = ended {
                tracing::error!(pair = %pair.id, error = %e, "could not end a pair whose room failed");
            }
            edit_reply(http, &partner.reply, told).await;
            return Err(e);
        }
    };
    let (first, second) = (
        pair.first_interviewer.unwrap_or_default(),
        pair.first_candidate.unwrap_or_default(),
    );
    let channel = data
        .pairs
        .settings(joined.guild_id)
        .await?
        .channel_id
        .unwrap_or(joined.channel_id);
    let announcement = CreateMessage::new()
        .content(fit(
            &text::announcement(first, second, thread, &role_name),
            limits::CONTENT,
        ))
        // The one post that pings: exactly the two members, nobody else.
        .allowed_mentions(
            CreateAllowedMentions::new().users([UserId::new(first), UserId::new(second)]),
        );
    if let Err(e) = send(http, ChannelId::new(channel), announcement).await {
        tracing::warn!(pair = %pair.id, error = %e, "could not announce a pair");
    }
    edit_reply(http, &partner.reply, &text::matched(joined.user_id, thread)).await;
    Ok(text::matched(partner.user_id, thread))
}

/// Opens the pair's thread (and voice channel), records it and starts round 1 with its
/// console. Returns the thread and the round's role name.
async fn open_room(
    http: &Http,
    data: &Data,
    pair: &Pair,
    joined: &Joined,
) -> Result<(u64, String), Error> {
    let guides = data.guides();
    let avoid = Vec::new();
    let Some((role, question)) = data.interviews.picker().pick_scorable(
        guides.roles(),
        pair.role.as_deref(),
        pair.level,
        MAX_SCORED_STEPS,
        &avoid,
    ) else {
        let role = pair.role.as_deref().unwrap_or(text::ANY_ROLE_NAME);
        return Err(Error::user(text::no_scorable_question(role)));
    };
    let settings = data.pairs.settings(joined.guild_id).await?;
    let channel = settings.channel_id.unwrap_or(joined.channel_id);
    let here = channel == joined.channel_id;
    let private = !here
        || joined
            .app_permissions
            .is_none_or(|p| p.contains(Permissions::CREATE_PRIVATE_THREADS));
    let name = fit(&text::thread_name(&role.name), limits::THREAD_NAME);
    let thread = match create_thread(http, channel, &name, private).await {
        Err(e) if private && status_of(&e) == Some(403) => {
            create_thread(http, channel, &name, false).await
        }
        other => other,
    };
    let thread = match thread {
        Ok(thread) => thread,
        Err(e) if status_of(&e) == Some(403) => {
            let needed = Permissions::CREATE_PUBLIC_THREADS | Permissions::SEND_MESSAGES_IN_THREADS;
            let lacking = missing(Permissions::empty(), needed);
            return Err(Error::user(text::missing_channel_permissions(
                channel, &lacking,
            )));
        }
        Err(e) => return Err(e.into()),
    };
    for member in [pair.first_interviewer, pair.first_candidate]
        .into_iter()
        .flatten()
    {
        if let Err(e) = thread.add_thread_member(http, UserId::new(member)).await {
            let _ = thread.delete(http).await;
            if status_of(&e) == Some(404) {
                tracing::info!(pair = %pair.id, "a matched member could not be added to the room");
                return Err(Error::user(text::MEMBER_UNREACHABLE));
            }
            return Err(e.into());
        }
    }
    let voice = if settings.voice {
        open_voice(http, joined.guild_id, pair).await
    } else {
        Ok(None)
    };
    let (voice, voice_note) = match voice {
        Ok(Some(id)) => (Some(id), Some(text::voice_line(id))),
        Ok(None) => (None, None),
        Err(refused) => (None, Some(refused)),
    };
    let recorded = data
        .pairs
        .set_room(pair.id, thread.get(), voice, now())
        .await;
    if !matches!(recorded, Ok(true)) {
        close_room(http, Some(thread.get()), voice).await;
        return Err(match recorded {
            Err(e) => e.into(),
            _ => Error::user(text::NOT_A_PAIR),
        });
    }
    Data::lock(&data.pair_threads).insert(thread.get());
    let round = match data
        .pairs
        .start_round(pair.id, role, question, now())
        .await?
    {
        Ok(round) => round,
        Err(refused) => return Err(Error::user(text::refusal(&refused))),
    };
    let mut shown = view::console_text(&round, &role.name);
    if let Some(note) = voice_note {
        shown = format!("{shown}\n{note}");
    }
    let console = CreateMessage::new()
        .content(fit(&shown, limits::CONTENT))
        .components(view::console_buttons(pair.id))
        .allowed_mentions(no_pings());
    send(http, thread, console).await?;
    Ok((thread.get(), role.name.clone()))
}

async fn create_thread(
    http: &Http,
    channel: u64,
    name: &str,
    private: bool,
) -> Result<ChannelId, serenity::Error> {
    let kind = if private {
        ChannelType::PrivateThread
    } else {
        ChannelType::PublicThread
    };
    let mut builder = CreateThread::new(name).kind(kind);
    if private {
        builder = builder.invitable(false);
    }
    let thread = ChannelId::new(channel).create_thread(http, builder).await?;
    Ok(thread.id)
}

/// A voice channel only the pair's two members and the bot can see. A failure leaves the
/// pair without one (logged): the thread is enough to practise. A 403 gives what the
/// console says instead, naming the permissions the bot needs.
async fn open_voice(http: &Http, guild_id: u64, pair: &Pair) -> Result<Option<u64>, String> {
    // Speaking is the members' own right in the server; the bot grants only what it holds.
    let talk = Permissions::VIEW_CHANNEL | Permissions::CONNECT;
    let mut overwrites = vec![
        PermissionOverwrite {
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
            // @everyone's role has the server's id.
            kind: PermissionOverwriteType::Role(RoleId::new(guild_id)),
        },
        PermissionOverwrite {
            allow: Permissions::VIEW_CHANNEL | Permissions::CONNECT | Permissions::MANAGE_CHANNELS,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Member(UserId::new(
                http.application_id().map_or(0, |a| a.get()),
            )),
        },
    ];
    for member in [pair.first_interviewer, pair.first_candidate]
        .into_iter()
        .flatten()
    {
        overwrites.push(PermissionOverwrite {
            allow: talk,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Member(UserId::new(member)),
        });
    }
    let builder = CreateChannel::new(text::VOICE_NAME)
        .kind(ChannelType::Voice)
        .permissions(overwrites);
    match GuildId::new(guild_id).create_channel(http, builder).await {
        Ok(channel) => Ok(Some(channel.id.get())),
        Err(e) => {
            tracing::warn!(pair = %pair.id, status = ?status_of(&e), error = %e, "could not make a pair's voice channel (the bot needs Manage Channels, View Channel and Connect)");
            if status_of(&e) == Some(403) {
                let needed =
                    Permissions::MANAGE_CHANNELS | Permissions::VIEW_CHANNEL | Permissions::CONNECT;
                return Err(text::voice_refused(&missing(Permissions::empty(), needed)));
            }
            Ok(None)
        }
    }
}

/// Archives the thread (when there is one left) and deletes the voice channel.
async fn close_room(http: &Http, thread: Option<u64>, voice: Option<u64>) {
    if let Some(voice) = voice {
        if let Err(e) = ChannelId::new(voice).delete(http).await {
            tracing::warn!(channel = voice, error = %e, "could not delete a pair's voice channel");
        }
    }
    if let Some(thread) = thread {
        let archive = EditThread::new().archived(true);
        if let Err(e) = ChannelId::new(thread).edit_thread(http, archive).await {
            tracing::debug!(thread, error = %e, "could not archive a pair's thread");
        }
    }
}

/// Posts, retrying a passing failure (a 5xx, a rate limit) three times.
pub(super) async fn send(
    http: &Http,
    channel: ChannelId,
    message: CreateMessage,
) -> Result<(), serenity::Error> {
    let mut wait = Duration::from_millis(500);
    let mut tries = 0;
    loop {
        match channel.send_message(http, message.clone()).await {
            Ok(_) => return Ok(()),
            Err(e) if is_transient(&e) && tries < 3 => {
                tries += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Replaces the text of a member's queue reply (and removes any buttons). The token may
/// have expired or the reply been dismissed: then nothing is shown, which is logged only.
pub(super) async fn edit_reply(http: &Http, reply: &QueueReply, content: &str) {
    let edit = EditInteractionResponse::new()
        .content(fit(content, limits::CONTENT))
        .allowed_mentions(no_pings());
    if let Err(e) = edit.execute(http, &reply.token).await {
        tracing::debug!(status = ?status_of(&e), "could not edit a queue reply");
    }
}

/// After a pair ended: the notice and the summary in its thread (unless the thread is
/// gone), then the thread archived and the voice channel deleted.
pub(super) async fn finish(http: &Http, data: &Data, summary: &PairSummary, reason: EndReason) {
    let pair = &summary.pair;
    if let Some(thread) = pair.thread_id {
        Data::lock(&data.pair_threads).remove(&thread);
    }
    let thread = pair.thread_id.filter(|_| reason != EndReason::ThreadGone);
    if let Some(thread) = thread {
        let channel = ChannelId::new(thread);
        let mut posts = vec![text::ended_note(view::reason_text(reason))];
        posts.extend(view::summary(&data.guides(), summary));
        for post in posts {
            let message = CreateMessage::new()
                .content(post)
                .allowed_mentions(no_pings());
            if let Err(e) = send(http, channel, message).await {
                tracing::warn!(pair = %pair.id, error = %e, "could not post a pair's summary");
                break;
            }
        }
    }
    close_room(http, thread, pair.voice_channel_id).await;
    tracing::info!(pair = %pair.id, reason = ?reason, "pair ended");
}

/// The pairs part of the periodic sweep: queue waits that are over, idle pairs, and
/// retention.
pub async fn sweep(http: &Http, data: &Data, now: i64) {
    match data.pairs.expire(now).await {
        Ok(expired) => {
            for entry in expired {
                edit_reply(http, &entry.reply, text::WAIT_ENDED).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "pair queue expiry failed"),
    }
    let idle_secs = u64::from(data.config().mock.idle_minutes) * 60;
    match data.pairs.end_idle(now, idle_secs).await {
        Ok(ended) => {
            for summary in ended {
                finish(http, data, &summary, EndReason::Idle).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "idle pairs sweep failed"),
    }
    let retention = data.config().storage.retention_days;
    if let Err(e) = data.pairs.sweep_retention(now, retention).await {
        tracing::error!(error = %e, "pairs retention sweep failed");
    }
}

/// At start-up: learns which threads are pairs' rooms; ends pairs whose room was never
/// recorded (see the module docs).
pub async fn resume(data: &Data) -> usize {
    let open = match data.pairs.open_pairs().await {
        Ok(open) => open,
        Err(e) => {
            tracing::error!(error = %e, "cannot load open pairs");
            return 0;
        }
    };
    let mut rooms = 0;
    for pair in open {
        match pair.thread_id {
            Some(thread) => {
                Data::lock(&data.pair_threads).insert(thread);
                rooms += 1;
            }
            None => {
                let ended = data
                    .pairs
                    .end(pair.id, EndReason::Left, session::now())
                    .await;
                if let Err(e) = ended {
                    tracing::error!(pair = %pair.id, error = %e, "cannot end a pair without a room");
                }
            }
        }
    }
    rooms
}

/// The thread of a pair was deleted: the pair ends, its voice channel goes, and the two
/// are told (without a ping) in the channel the thread was in.
pub async fn thread_deleted(
    http: &Http,
    data: &Data,
    thread: u64,
    parent: Option<u64>,
) -> Result<(), Error> {
    if !Data::lock(&data.pair_threads).contains(&thread) {
        return Ok(());
    }
    if let Some(summary) = data.pairs.thread_gone(thread, now()).await? {
        finish(http, data, &summary, EndReason::ThreadGone).await;
        let pair = &summary.pair;
        if let (Some(parent), Some(first), Some(second)) =
            (parent, pair.first_interviewer, pair.first_candidate)
        {
            let note = CreateMessage::new()
                .content(text::thread_gone_note(first, second))
                .allowed_mentions(no_pings());
            if let Err(e) = send(http, ChannelId::new(parent), note).await {
                tracing::debug!(pair = %pair.id, error = %e, "could not tell a pair its thread is gone");
            }
        }
    }
    Ok(())
}

/// A member left the server: their pair there ends, their queue reply says so.
pub async fn member_left(http: &Http, data: &Data, guild: u64, user: u64) -> Result<(), Error> {
    let gone = data.pairs.member_gone(guild, user, now()).await?;
    if let Some(summary) = gone.pair {
        finish(http, data, &summary, EndReason::MemberGone).await;
    }
    if let Some(entry) = gone.queue {
        edit_reply(http, &entry.reply, text::WAIT_ENDED).await;
    }
    Ok(())
}

/// `/forget-me` for pairs: deletes what the store keeps (see
/// [`crate::session::Pairs::forget_member`]), closes the rooms of the pairs it ended and
/// edits the queue replies. Returns the line for the confirmation.
pub async fn forget(http: &Http, data: &Data, user: u64) -> Result<String, Error> {
    let forgotten = data
        .pairs
        .forget_member(user, now())
        .await
        .map_err(|e| Error::from(e).when_busy(crate::messages::BUSY_NOTHING_DELETED))?;
    for pair in &forgotten.ended {
        if let Some(thread) = pair.thread_id {
            Data::lock(&data.pair_threads).remove(&thread);
            let note = CreateMessage::new()
                .content(text::ended_note(text::REASON_LEFT))
                .allowed_mentions(no_pings());
            if let Err(e) = send(http, ChannelId::new(thread), note).await {
                tracing::debug!(pair = %pair.id, error = %e, "could not tell a partner");
            }
        }
        close_room(http, pair.thread_id, pair.voice_channel_id).await;
    }
    for entry in &forgotten.queue {
        edit_reply(http, &entry.reply, text::QUEUE_FORGOTTEN).await;
    }
    Ok(text::forgotten(
        forgotten.queue.len(),
        forgotten.answers,
        forgotten.scorecards,
        forgotten.rounds,
    ))
}
