//! Interview threads on Discord: opening one (with its permission checks),
//! delivering what the session layer committed, and the sweeper's clock. What
//! an interview does next is decided in [`crate::session`]; this module only
//! carries it to and from Discord.
//!
//! What the session layer commits is handed to the delivery worker
//! (`delivery`), which posts it; at start-up [`resume`] starts the worker with
//! what an earlier run left unposted.

use poise::serenity_prelude as serenity;
use serenity::all::{ChannelId, ChannelType, CreateThread, Http, Permissions, UserId};

use super::delivery;
use super::error::{status_of, Error};
use super::render;
use super::{Data, SWEEP_EVERY};
use crate::guide::{Question, Role};
use crate::messages;
use crate::session::{self, AnswerOutcome, Start, Started};

/// Where a `/mock` (or "Practice this") was asked for.
pub struct Place {
    pub guild_id: u64,
    pub channel_id: u64,
    pub channel_kind: Option<ChannelType>,
    pub user_id: u64,
    pub user_name: String,
    pub app_permissions: Option<Permissions>,
}

pub(super) fn missing(perms: Permissions, needed: Permissions) -> Vec<&'static str> {
    let names = [
        (Permissions::VIEW_CHANNEL, "View Channel"),
        (Permissions::SEND_MESSAGES, "Send Messages"),
        (Permissions::EMBED_LINKS, "Embed Links"),
        (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
        (Permissions::ADD_REACTIONS, "Add Reactions"),
        (Permissions::CREATE_PUBLIC_THREADS, "Create Public Threads"),
        (
            Permissions::CREATE_PRIVATE_THREADS,
            "Create Private Threads",
        ),
        (
            Permissions::SEND_MESSAGES_IN_THREADS,
            "Send Messages in Threads",
        ),
        (Permissions::MANAGE_CHANNELS, "Manage Channels"),
        (Permissions::CONNECT, "Connect"),
    ];
    names
        .into_iter()
        .filter(|(p, _)| needed.contains(*p) && !perms.contains(*p))
        .map(|(_, n)| n)
        .collect()
}

/// Opens a thread, has the session layer start the interview in it, and
/// delivers the first posts. Returns what to tell the member (ephemerally).
pub async fn start(
    http: &Http,
    data: &Data,
    place: Place,
    role: &Role,
    questions: usize,
    first: Option<&Question>,
    level: Option<crate::guide::Level>,
) -> Result<String, Error> {
    if matches!(
        place.channel_kind,
        Some(ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread)
    ) {
        return Err(Error::user(messages::MOCK_IN_THREAD));
    }
    let interviews = &data.interviews;
    if let Some(open) = interviews
        .open_thread_of(place.guild_id, place.user_id)
        .await?
    {
        if !thread_is_gone(http, open).await {
            return Err(Error::user(messages::already_interviewing(open)));
        }
        // Deleted without its THREAD_DELETE reaching us (the bot was offline, or the
        // event is still being handled): close it as that event would, and start afresh.
        interviews.thread_deleted(open).await?;
    }
    // Private threads keep an interview between the member and the bot, but
    // need their own permission; fall back to public ones without it, and say
    // so in the reply and the intro, before the member writes anything.
    let perms = place.app_permissions.unwrap_or(Permissions::all());
    let private = perms.contains(Permissions::CREATE_PRIVATE_THREADS);
    let needed = if private {
        Permissions::CREATE_PRIVATE_THREADS | Permissions::SEND_MESSAGES_IN_THREADS
    } else {
        Permissions::CREATE_PUBLIC_THREADS | Permissions::SEND_MESSAGES_IN_THREADS
    };
    let lacking = missing(perms, needed);
    if !lacking.is_empty() {
        return Err(Error::user(messages::missing_permissions(&lacking)));
    }

    let kind = if private {
        ChannelType::PrivateThread
    } else {
        ChannelType::PublicThread
    };
    let mut builder =
        CreateThread::new(render::thread_name(&role.name, &place.user_name)).kind(kind);
    if private {
        builder = builder.invitable(false);
    }
    let thread = match ChannelId::new(place.channel_id)
        .create_thread(http, builder)
        .await
    {
        Ok(t) => t,
        Err(e) if status_of(&e) == Some(403) => {
            let lacking = missing(Permissions::empty(), needed);
            return Err(Error::user(messages::missing_permissions(&lacking)));
        }
        Err(e) => return Err(e.into()),
    };
    thread
        .id
        .add_thread_member(http, UserId::new(place.user_id))
        .await?;

    let started = interviews
        .start(Start {
            guild_id: place.guild_id,
            thread_id: thread.id.get(),
            user_id: place.user_id,
            role,
            questions,
            first,
            level,
            public: !private,
        })
        .await;
    let started = match started {
        Ok(started) => started,
        // Nothing was stored (a busy database, say): the new thread would stay
        // empty, so remove it before telling the member.
        Err(e) => {
            let _ = thread.id.delete(http).await;
            return Err(e.into());
        }
    };
    match started {
        Started::New(posts) => {
            delivery::hand(data, posts);
            Ok(if private {
                messages::mock_ready(thread.id.get())
            } else {
                messages::mock_ready_public(thread.id.get())
            })
        }
        // Another /mock from the same member won the race; this thread stays
        // empty, so remove it rather than leave a stray.
        Started::AlreadyOpen { thread_id } => {
            let _ = thread.id.delete(http).await;
            Err(Error::user(messages::already_interviewing(thread_id)))
        }
    }
}

/// Hands an answer to the session layer and what it committed to the delivery
/// worker.
pub async fn answer(data: &Data, answer: session::Answer<'_>) -> Result<AnswerOutcome, Error> {
    let mut outcome = data.interviews.answer(answer).await?;
    if let AnswerOutcome::Recorded(posts) = &mut outcome {
        delivery::hand(data, std::mem::take(posts));
    }
    Ok(outcome)
}

/// Whether Discord says the thread no longer exists (404). Any other answer, an error
/// included, counts as still there: better to point a member at an interview that may be
/// gone than to close a live one under them.
async fn thread_is_gone(http: &Http, thread_id: u64) -> bool {
    match http.get_channel(ChannelId::new(thread_id)).await {
        Ok(_) => false,
        Err(e) => {
            let gone = status_of(&e) == Some(404);
            if !gone {
                tracing::debug!(thread_id, error = %e, "could not check an open interview's thread");
            }
            gone
        }
    }
}

/// After a (re)start: learn which threads hold open interviews and pairs, start the
/// delivery worker with what was committed but not yet posted, and start the
/// idle/retention sweeper (interviews, daily answers, pairs and their queue).
pub async fn resume(ctx: &serenity::Context, data: &Data) {
    let interviews = &data.interviews;
    let open = match interviews.load_open_threads().await {
        Ok(open) => open,
        Err(e) => {
            tracing::error!(error = %e, "cannot load open interviews");
            0
        }
    };
    let mut reposted = 0;
    match interviews.pending_posts().await {
        Ok(pending) => {
            reposted = pending.len();
            delivery::hand(data, pending);
        }
        Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
    }
    let pairs = super::pairs::resume(data).await;
    delivery::start(data, ctx.http.clone());
    super::daily::start(data, ctx.http.clone());
    tracing::info!(
        open_interviews = open,
        open_pairs = pairs,
        reposted,
        "bot ready"
    );
    data.readiness.started();
    if let Some(file) = session::clock::test_clock_file() {
        tracing::warn!(file = %file.display(), "the test clock is on: time is shifted by that file and the sweeper runs often; never in production");
    }
    follow_guide_reloads(data.clone());
    let data = data.clone();
    let http = ctx.http.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(session::clock::sweep_every(SWEEP_EVERY));
        loop {
            tick.tick().await;
            let now = session::now();
            let posts = data.interviews.sweep(now).await;
            delivery::hand(&data, posts);
            metrics::gauge!("interview_coach_open_interviews")
                .set(data.interviews.open_count() as f64);
            metrics::gauge!("interview_coach_outbox_backlog").set(delivery::backlog(&data) as f64);
            let retention = data.config().storage.retention_days;
            if let Err(e) = data.daily.sweep_retention(now, retention).await {
                tracing::error!(error = %e, "daily answers retention sweep failed");
            }
            super::pairs::sweep(&http, &data, now).await;
        }
    });
}

/// Follows guide reloads made in the bot's other processes (`session::guide_sync`).
fn follow_guide_reloads(data: Data) {
    use session::guide_sync::{Followed, FOLLOW_EVERY};
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FOLLOW_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match data.interviews.follow_guide_reloads().await {
                Ok(Followed::Nothing) => {}
                Ok(Followed::Reloaded { .. }) => {
                    metrics::counter!("interview_coach_guide_reloads_total", "outcome" => "followed")
                        .increment(1);
                }
                Ok(Followed::Refused { .. }) => {
                    metrics::counter!("interview_coach_guide_reloads_total", "outcome" => "follow_refused")
                        .increment(1);
                }
                Err(error) => tracing::debug!(%error, "could not read the guide revision"),
            }
        }
    });
}
