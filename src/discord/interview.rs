//! Running mock interviews in threads.
//!
//! Write before you speak: every answer, the interview's next state and the
//! messages that follow are committed in one transaction (the store's
//! outbox) before anything is posted; posting then marks each item done. A
//! crash between the two leaves the items pending, and [`resume`] posts them
//! once at the next start. Two answers racing for the same interview are
//! settled by the store's revision check, and a redelivered Discord message
//! is recognised by its id, so nothing advances twice.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::all::{
    ChannelId, ChannelType, CreateMessage, CreateThread, EditThread, Http, LightMethod, MessageId,
    Permissions, Request, Route, UserId,
};

use super::error::{is_transient, status_of, Error};
use super::live::Kept;
use super::render::{self, Post};
use super::{now, Data, SWEEP_EVERY};
use crate::coach::engine::{self, Interview, Step};
use crate::coach::feedback::LibraryCues;
use crate::guide::{Question, Role};
use crate::messages;
use crate::store::{
    Applied, CloseReason, Created, InterviewStatus, NewAnswer, NewInterview, NextState, OutboxId,
    OutgoingMessage, StoreError,
};

/// Where a `/mock` (or "Practice this") was asked for.
pub struct Place {
    pub guild_id: u64,
    pub channel_id: u64,
    pub channel_kind: Option<ChannelType>,
    pub user_id: u64,
    pub user_name: String,
    pub app_permissions: Option<Permissions>,
}

fn encode(channel_id: u64, post: &Post) -> Result<OutgoingMessage, Error> {
    Ok(OutgoingMessage {
        channel_id,
        payload_json: serde_json::to_string(post)
            .map_err(|e| Error::Internal(format!("cannot encode a post: {e}")))?,
    })
}

fn missing(perms: Permissions, needed: Permissions) -> Vec<&'static str> {
    let names = [
        (Permissions::CREATE_PUBLIC_THREADS, "Create Public Threads"),
        (
            Permissions::CREATE_PRIVATE_THREADS,
            "Create Private Threads",
        ),
        (
            Permissions::SEND_MESSAGES_IN_THREADS,
            "Send Messages in Threads",
        ),
    ];
    names
        .into_iter()
        .filter(|(p, _)| needed.contains(*p) && !perms.contains(*p))
        .map(|(_, n)| n)
        .collect()
}

/// Opens a thread, stores the new interview with its first messages, and
/// posts them. Returns what to tell the member (ephemerally).
pub async fn start(
    http: &Http,
    data: &Data,
    place: Place,
    role: &Role,
    questions: usize,
    first: Option<&Question>,
) -> Result<String, Error> {
    if matches!(
        place.channel_kind,
        Some(ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread)
    ) {
        return Err(Error::user(messages::MOCK_IN_THREAD));
    }
    if let Some(open) = data
        .store
        .open_interview_for_user(place.guild_id, place.user_id)
        .await?
    {
        if !thread_is_gone(http, open.thread_id).await {
            return Err(Error::user(messages::already_interviewing(open.thread_id)));
        }
        // Deleted without its THREAD_DELETE reaching us (the bot was offline, or the
        // event is still being handled): close it as that event would, and start afresh.
        thread_deleted(data, open.thread_id).await?;
    }
    // Private threads keep an interview between the member and the bot, but
    // need their own permission; fall back to public ones without it.
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
            return Err(Error::user(messages::missing_permissions(&missing(
                Permissions::empty(),
                needed,
            ))))
        }
        Err(e) => return Err(e.into()),
    };
    thread
        .id
        .add_thread_member(http, UserId::new(place.user_id))
        .await?;

    let plan = data.picker.plan(role, questions, first);
    let (state, first_prompt) =
        Interview::start(role, &plan, usize::from(data.config.mock.follow_ups));
    let intro = Post::text(messages::mock_intro(
        &role.name,
        plan.len(),
        usize::from(data.config.mock.follow_ups),
        data.config.discord.message_content,
    ));
    let posts = vec![intro, render::prompt_post(&first_prompt)];
    let outgoing = posts
        .iter()
        .map(|p| encode(thread.id.get(), p))
        .collect::<Result<Vec<_>, _>>()?;
    let state_json = serde_json::to_string(&state)
        .map_err(|e| Error::Internal(format!("cannot encode interview state: {e}")))?;
    let new = NewInterview {
        guild_id: place.guild_id,
        thread_id: thread.id.get(),
        user_id: place.user_id,
        role_id: role.id.clone(),
        role_name: role.name.clone(),
        state_json,
        format_version: engine::FORMAT_VERSION,
    };
    let at = now();
    match data.store.create_interview(&new, &outgoing, at).await? {
        Created::New { interview, outbox } => {
            Data::lock(&data.open_threads).insert(thread.id.get());
            data.live.keep(
                thread.id.get(),
                Kept {
                    id: interview.id,
                    user_id: interview.user_id,
                    revision: interview.revision,
                    interview: state,
                },
            );
            flush(http, data, queued(&outbox, thread.id.get(), posts)).await;
            Ok(messages::mock_ready(thread.id.get()))
        }
        // Another /mock from the same member won the race; this thread stays
        // empty, so remove it rather than leave a stray.
        Created::AlreadyOpen(open) => {
            let _ = thread.id.delete(http).await;
            Err(Error::user(messages::already_interviewing(open.thread_id)))
        }
    }
}

/// An answer arriving in a thread, from a message or the answer form.
pub struct IncomingAnswer<'a> {
    pub thread_id: u64,
    pub author_id: u64,
    pub author_name: &'a str,
    /// The Discord message (or modal interaction) id: the dedupe key.
    pub source_id: u64,
    pub text: &'a str,
    /// Answers from the form are echoed into the thread for the transcript.
    pub echo: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Not an interview thread, or not open.
    NotInterview,
    /// Someone other than the candidate wrote; nothing changes.
    NotCandidate,
    Recorded,
    /// Already handled (a redelivered message).
    Duplicate,
    /// The answer was turned down with a note to the member.
    Rejected(String),
}

pub fn is_open_thread(data: &Data, thread_id: u64) -> bool {
    Data::lock(&data.open_threads).contains(&thread_id)
}

pub async fn answer(
    http: &Http,
    data: &Data,
    incoming: IncomingAnswer<'_>,
) -> Result<AnswerOutcome, Error> {
    let thread = incoming.thread_id;
    // The state the previous answer left, if kept; the store's revision check
    // below decides whether it was still current (see `live`).
    let mut kept = data.live.take(thread);
    // Retries only when the state turned out to be out of date: another answer
    // committed first, or the kept copy was.
    for _ in 0..5 {
        let from_memory = kept.is_some();
        let Kept {
            id,
            user_id,
            revision,
            mut interview,
        } = match kept.take() {
            Some(k) => k,
            None => {
                let Some(record) = data.store.interview_by_thread(thread).await? else {
                    return Ok(AnswerOutcome::NotInterview);
                };
                if !record.status.is_open() {
                    return Ok(AnswerOutcome::NotInterview);
                }
                Kept {
                    id: record.id,
                    user_id: record.user_id,
                    revision: record.revision,
                    interview: decode_state(&record.state_json)?,
                }
            }
        };
        let keep = |revision, interview| {
            data.live.keep(
                thread,
                Kept {
                    id,
                    user_id,
                    revision,
                    interview,
                },
            )
        };
        if user_id != incoming.author_id {
            keep(revision, interview);
            return Ok(AnswerOutcome::NotCandidate);
        }
        let Some(prompt) = interview.current() else {
            return Ok(AnswerOutcome::NotInterview);
        };
        let guides = data.guides();
        // A turned-down answer leaves the interview as it was.
        let answered = match interview.answer_with(incoming.text, guides.cues().map(|c| c.as_ref()))
        {
            Ok(answered) => answered,
            Err(e) => {
                keep(revision, interview);
                return Ok(AnswerOutcome::Rejected(messages::answer_rejected(&e)));
            }
        };
        let mut posts = Vec::new();
        if incoming.echo {
            posts.push(Post::text(messages::echo_answer(
                incoming.author_name,
                incoming.text.trim(),
            )));
        }
        let finished = matches!(answered.step, Step::Finished(_));
        posts.push(render::answer_reply(&answered));
        let feedback_json = answered
            .feedback
            .as_ref()
            .and_then(|f| serde_json::to_string(&f.analysis).ok());
        let feedback_headline = answered.feedback.as_ref().map(|f| f.headline.clone());
        let outgoing = posts
            .iter()
            .map(|p| encode(thread, p))
            .collect::<Result<Vec<_>, _>>()?;
        let state_json = serde_json::to_string(&interview)
            .map_err(|e| Error::Internal(format!("cannot encode interview state: {e}")))?;
        let at = now();
        let applied = data
            .store
            .apply_answer(
                &NewAnswer {
                    interview_id: id,
                    message_id: incoming.source_id,
                    text: incoming.text.trim().to_string(),
                    prompt: prompt.text,
                    feedback_json,
                    feedback_headline,
                },
                &NextState {
                    expected_revision: revision,
                    state_json,
                    format_version: engine::FORMAT_VERSION,
                    finished,
                },
                &outgoing,
                at,
            )
            .await;
        let applied = match applied {
            // Deleted since it was kept (`/forget-me`): what the store says now decides.
            Err(StoreError::NotFound(_)) if from_memory => continue,
            other => other?,
        };
        match applied {
            Applied::Recorded {
                outbox,
                finished,
                revision,
            } => {
                if finished {
                    ended(data, thread);
                } else {
                    keep(revision, interview);
                }
                flush(http, data, queued(&outbox, thread, posts)).await;
                return Ok(AnswerOutcome::Recorded);
            }
            Applied::Duplicate => return Ok(AnswerOutcome::Duplicate),
            Applied::NotOpen(_) => return Ok(AnswerOutcome::NotInterview),
            Applied::Stale { .. } => continue,
        }
    }
    Err(Error::Internal(
        "an answer kept racing with other answers; gave up".into(),
    ))
}

fn decode_state(json: &str) -> Result<Interview, Error> {
    serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("stored interview state is unreadable: {e}")))
}

/// Ends an interview early, posting its summary. `by` must be the candidate.
pub async fn end(
    http: &Http,
    data: &Data,
    thread_id: u64,
    by: Option<u64>,
    reason: CloseReason,
) -> Result<bool, Error> {
    let Some(record) = data.store.interview_by_thread(thread_id).await? else {
        return Ok(false);
    };
    if !record.status.is_open() {
        return Ok(false);
    }
    if by.is_some_and(|u| u != record.user_id) {
        return Err(Error::user(messages::ONLY_CANDIDATE_CAN_END));
    }
    let mut interview = decode_state(&record.state_json)?;
    let summary = interview.end();
    let mut post = render::summary_post(&summary);
    if reason == CloseReason::Idle {
        post.content = format!(
            "{}\n{}",
            messages::idle_ended(data.config.mock.idle_minutes),
            post.content
        );
    }
    // Closed and summary queued in one transaction: a crash cannot lose the
    // summary of a closed interview, and a second ending (End pressed twice,
    // the idle sweep at the same moment) writes and posts nothing.
    let outgoing = [encode(thread_id, &post)?];
    let Some(ids) = data
        .store
        .close_with_messages(record.id, InterviewStatus::Closed(reason), &outgoing, now())
        .await?
    else {
        return Ok(false);
    };
    ended(data, thread_id);
    flush(http, data, queued(&ids, thread_id, vec![post])).await;
    Ok(true)
}

/// The thread is gone: close its interview so the member can start another.
pub async fn thread_deleted(data: &Data, thread_id: u64) -> Result<(), Error> {
    ended(data, thread_id);
    data.store
        .close_by_thread(
            thread_id,
            InterviewStatus::Closed(CloseReason::ThreadDeleted),
            now(),
        )
        .await?;
    Ok(())
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

/// The member left the server: close their open interview there.
pub async fn member_left(data: &Data, guild_id: u64, user_id: u64) -> Result<(), Error> {
    if let Some(open) = data
        .store
        .open_interview_for_user(guild_id, user_id)
        .await?
    {
        ended(data, open.thread_id);
        data.store
            .close_interview(
                open.id,
                InterviewStatus::Closed(CloseReason::MemberLeft),
                now(),
            )
            .await?;
    }
    Ok(())
}

/// The interview in `thread_id` is over: its thread is an ordinary one again
/// and its state is no longer kept.
fn ended(data: &Data, thread_id: u64) {
    Data::lock(&data.open_threads).remove(&thread_id);
    data.live.forget(thread_id);
}

/// An outbox item to post, decoded.
pub struct Queued {
    id: OutboxId,
    channel_id: u64,
    post: Post,
}

/// The outbox items a store call has just committed, from what is in hand:
/// the messages were written in that order and got those ids. Reading them
/// back would cost a query, and decoding them again the JSON just encoded.
fn queued(ids: &[OutboxId], channel_id: u64, posts: Vec<Post>) -> Vec<Queued> {
    ids.iter()
        .zip(posts)
        .map(|(id, post)| Queued {
            id: *id,
            channel_id,
            post,
        })
        .collect()
}

/// Posts just-committed outbox items (in order), marking each done. Items
/// still failing after a few tries for passing reasons stay pending for the
/// next start; items that can never be posted (thread gone, no permission)
/// are dropped with a warning.
pub async fn flush(http: &Http, data: &Data, items: Vec<Queued>) {
    for item in &items {
        post_item(http, data, item).await;
    }
}

async fn post_item(http: &Http, data: &Data, item: &Queued) {
    if !Data::lock(&data.posting).insert(item.id.0) {
        return;
    }
    let result = post_item_inner(http, data, item).await;
    Data::lock(&data.posting).remove(&item.id.0);
    if let Err(e) = result {
        tracing::warn!(outbox = item.id.0, error = %e, "could not post a queued message");
    }
}

async fn post_item_inner(http: &Http, data: &Data, item: &Queued) -> Result<(), Error> {
    let channel = ChannelId::new(item.channel_id);
    let mut last_id = 0;
    for message in item.post.messages(item.id.0) {
        let mut attempt = 0;
        loop {
            match post_message(http, channel, &message).await {
                Ok(id) => {
                    last_id = id.get();
                    break;
                }
                Err(e) if is_transient(&e) && attempt < 2 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
                }
                Err(e) => {
                    match status_of(&e) {
                        Some(404) => {
                            // The thread is gone; nothing queued for it can be posted.
                            thread_deleted(data, item.channel_id).await?;
                            data.store.discard_outbox(item.id).await?;
                        }
                        Some(403) => {
                            tracing::warn!(channel = item.channel_id, "no permission to post in an interview thread; dropping the message");
                            data.store.discard_outbox(item.id).await?;
                        }
                        _ => {}
                    }
                    return Err(e.into());
                }
            }
        }
    }
    data.store.mark_posted_soon(item.id, last_id, now());
    if item.post.archive {
        // Archived, not locked: the member can still scroll and reopen it.
        channel
            .edit_thread(http, EditThread::new().archived(true))
            .await?;
    }
    Ok(())
}

/// Posts `message` in `channel` and returns the new message's id: what serenity's
/// `send_message` does, without decoding the whole message Discord sends back (author,
/// member, components: the bot's CPU profile had that at over a quarter of the posting
/// cost) when the id is all the outbox needs. Errors are serenity's, as from
/// `send_message`, so the retry and 403/404 handling above read them the same way.
async fn post_message(
    http: &Http,
    channel: ChannelId,
    message: &CreateMessage,
) -> Result<MessageId, serenity::Error> {
    #[derive(serde::Deserialize)]
    struct Posted {
        id: MessageId,
    }
    let body = serde_json::to_vec(message)?;
    let request = Request::new(
        Route::ChannelMessages {
            channel_id: channel,
        },
        LightMethod::Post,
    )
    .body(Some(body));
    let reply = http.request(request).await?.bytes().await?;
    let posted: Posted = serde_json::from_slice(&reply)?;
    Ok(posted.id)
}

/// After a (re)start: learn which threads hold open interviews, post what
/// was committed but not yet posted, and start the idle/retention sweeper.
pub async fn resume(ctx: &serenity::Context, data: &Data) {
    match data.store.open_threads().await {
        Ok(open) => Data::lock(&data.open_threads).extend(open),
        Err(e) => tracing::error!(error = %e, "cannot load open interviews"),
    }
    let mut reposted = 0;
    match data.store.pending_outbox().await {
        Ok(pending) => {
            reposted = pending.len();
            for item in pending {
                let post = match serde_json::from_str::<Post>(&item.payload_json) {
                    Ok(post) => post,
                    Err(e) => {
                        // Kept in the outbox for a later release that can read it.
                        tracing::warn!(outbox = item.id.0, error = %e, "cannot read a queued message; left unposted");
                        continue;
                    }
                };
                let item = Queued {
                    id: item.id,
                    channel_id: item.channel_id,
                    post,
                };
                post_item(&ctx.http, data, &item).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
    }
    let open = Data::lock(&data.open_threads).len();
    tracing::info!(open_interviews = open, reposted, "bot ready");
    let http = ctx.http.clone();
    let data = data.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            sweep(&http, &data).await;
        }
    });
}

async fn sweep(http: &Http, data: &Data) {
    let idle_secs = u64::from(data.config.mock.idle_minutes) * 60;
    match data.store.idle_interviews(now(), idle_secs).await {
        Ok(idle) => {
            for record in idle {
                if let Err(e) = end(http, data, record.thread_id, None, CloseReason::Idle).await {
                    tracing::warn!(thread = record.thread_id, error = %e, "could not close an idle interview");
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "idle sweep failed"),
    }
    if let Err(e) = data
        .store
        .sweep_retention(now(), data.config.storage.retention_days)
        .await
    {
        tracing::error!(error = %e, "retention sweep failed");
    }
}
