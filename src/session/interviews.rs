//! [`Interviews`]: the mock-interview use cases over the store.
//!
//! Write before you speak: each use case commits the interview's new state and
//! the posts that follow in one transaction (the store's outbox), then returns
//! those posts for delivery; a crash in between leaves them pending, and
//! [`Interviews::pending_posts`] hands them out again at the next start. Two
//! answers racing for one interview are settled by the store's revision check,
//! and a redelivered message by its id, so nothing advances twice.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use super::live::{Kept, Live};
use super::post::{self, echo_post, Medium, Post, Queued};
use super::{now, turn, Error, Guides, Reloaded};
use crate::coach::engine::{self, Interview};
use crate::coach::feedback::LibraryCues;
use crate::coach::select::Picker;
use crate::config::Config;
use crate::guide::{GuideLibrary, Question, Role};
use crate::messages;
use crate::store::{
    Applied, CloseReason, Created, Deleted, HistoryEntry, InterviewStatus, NewAnswer, NewInterview,
    NextState, Store, StoreError,
};

/// How often an answer starts over when its state turned out to be out of date.
const ANSWER_TRIES: usize = 5;

/// The interview service the bot holds: guides, question picker, settings,
/// store, and what it keeps in memory about open interviews.
pub struct Interviews {
    guides: Guides,
    picker: Picker,
    config: Config,
    store: Store,
    /// Open interviews' states as their last answer left them (see `live`).
    live: Live,
    /// Threads with an open interview, so ordinary channel messages are
    /// dismissed without a query. Short critical sections, no awaits.
    open_threads: Mutex<HashSet<u64>>,
    /// The guide revision in service, shared with the other processes (`guide_sync`).
    revisions: super::guide_sync::Revisions,
}

/// A new interview, in a thread the front end has already opened.
pub struct Start<'a> {
    pub guild_id: u64,
    pub thread_id: u64,
    pub user_id: u64,
    pub role: &'a Role,
    pub questions: usize,
    /// The question to open with ("practise this one").
    pub first: Option<&'a Question>,
    /// Ask only questions written for this level.
    pub level: Option<crate::guide::Level>,
    /// The thread is public (no permission for a private one): the intro says so.
    pub public: bool,
}

#[derive(Debug)]
pub enum Started {
    /// Stored; deliver these (the intro and the first question).
    New(Vec<Queued>),
    /// The member already has an open interview, in this thread; nothing was written.
    AlreadyOpen { thread_id: u64 },
}

/// An answer arriving in a thread, from a message or the answer form.
pub struct Answer<'a> {
    pub thread_id: u64,
    pub author_id: u64,
    pub author_name: &'a str,
    /// The message (or form submission) id: the dedupe key.
    pub source_id: u64,
    /// Personal data: never logged.
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
    /// Committed; deliver these (the feedback and what comes next).
    Recorded(Vec<Queued>),
    /// Already handled (a redelivered message).
    Duplicate,
    /// Turned down, with the note for the member; the interview is unchanged.
    Rejected(String),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// No open interview there (or another ending got in first).
    NotOpen,
    /// Only the candidate may end it.
    NotCandidate,
    /// Closed; deliver the summary.
    Closed(Vec<Queued>),
}

/// Why a queued post can never be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undeliverable {
    /// The thread no longer exists.
    ThreadGone,
    /// The bot may not post in the thread: nothing more can reach the member there.
    NoPermission,
    /// Discord refused this post itself (a malformed request); the thread is fine.
    Refused,
}

fn decode_state(json: &str) -> Result<Interview, Error> {
    serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("stored interview state is unreadable: {e}")))
}

fn encode_state(interview: &Interview) -> Result<String, Error> {
    serde_json::to_string(interview)
        .map_err(|e| Error::Internal(format!("cannot encode interview state: {e}")))
}

impl Interviews {
    pub fn new(config: Config, guides: GuideLibrary, store: Store) -> Interviews {
        Interviews::with_picker(config, guides, store, Picker::new())
    }

    /// With a given picker (a seeded one makes tests reproducible).
    pub fn with_picker(
        config: Config,
        guides: GuideLibrary,
        store: Store,
        picker: Picker,
    ) -> Interviews {
        Interviews {
            guides: Guides::new(guides),
            picker,
            config,
            store,
            live: Live::default(),
            open_threads: Mutex::new(HashSet::new()),
            revisions: Default::default(),
        }
    }

    /// The library in service now.
    pub fn guides(&self) -> Arc<GuideLibrary> {
        self.guides.current()
    }

    /// Reloads the guides from the configured folder; the old ones stay in
    /// service if the new ones have errors. An accepted reload is published for the
    /// bot's other processes (`guide_sync`); failing to publish it is logged, not
    /// refused: the guides here are in service either way.
    pub async fn reload_guides(&self) -> Result<Reloaded, Error> {
        let reloaded = self.guides.reload(self.config.guides.dir.clone()).await?;
        if let Reloaded::Done { .. } = reloaded {
            if let Err(error) = self
                .revisions
                .publish(&self.store, &self.guides, now())
                .await
            {
                tracing::warn!(%error, "could not publish the guide reload to the other processes");
            }
        }
        Ok(reloaded)
    }

    /// Reloads the guides if another process published a reload since the last look.
    pub async fn follow_guide_reloads(&self) -> Result<super::guide_sync::Followed, Error> {
        let dir = self.config.guides.dir.clone();
        self.revisions.follow(&self.store, &self.guides, dir).await
    }

    pub fn picker(&self) -> &Picker {
        &self.picker
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn open(&self) -> MutexGuard<'_, HashSet<u64>> {
        self.open_threads.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many interviews are open, from memory.
    pub fn open_count(&self) -> usize {
        self.open().len()
    }

    /// Whether `thread_id` holds an open interview, from memory.
    pub fn is_open_thread(&self, thread_id: u64) -> bool {
        self.open().contains(&thread_id)
    }

    /// The interview in `thread_id` is over: its thread is an ordinary one
    /// again and its state is no longer kept.
    fn ended(&self, thread_id: u64) {
        self.open().remove(&thread_id);
        self.live.forget(thread_id);
    }

    /// The thread of the member's open interview in this server, if any.
    pub async fn open_thread_of(&self, guild_id: u64, user_id: u64) -> Result<Option<u64>, Error> {
        let open = self
            .store
            .open_interview_for_user(guild_id, user_id)
            .await?;
        Ok(open.map(|i| i.thread_id))
    }

    /// The candidate of the open interview in `thread_id`, if there is one.
    pub async fn candidate_in(&self, thread_id: u64) -> Result<Option<u64>, Error> {
        let record = self.store.interview_by_thread(thread_id).await?;
        Ok(record.filter(|r| r.status.is_open()).map(|r| r.user_id))
    }

    /// Plans and stores a new interview with its intro and first question.
    pub async fn start(&self, start: Start<'_>) -> Result<Started, Error> {
        let role = start.role;
        let follow_ups = usize::from(self.config.mock.follow_ups);
        let plan = self
            .picker
            .plan(role, start.questions, start.first, start.level);
        let (state, first_prompt) = turn::begin(role, &plan, follow_ups, Medium::Thread);
        let mut intro = messages::mock_intro(
            &role.name,
            plan.len(),
            follow_ups,
            self.config.discord.message_content,
        );
        if start.public {
            intro = format!("{}\n{intro}", messages::PUBLIC_THREAD);
        }
        let intro = Post::text(intro);
        let posts = vec![intro, first_prompt];
        let new = NewInterview {
            guild_id: start.guild_id,
            thread_id: start.thread_id,
            user_id: start.user_id,
            role_id: role.id.clone(),
            role_name: role.name.clone(),
            state_json: encode_state(&state)?,
            format_version: engine::FORMAT_VERSION,
        };
        let outgoing = post::encode_all(start.thread_id, &posts)?;
        match self.store.create_interview(&new, &outgoing, now()).await? {
            Created::New { interview, outbox } => {
                self.open().insert(start.thread_id);
                self.live.keep(
                    start.thread_id,
                    Kept {
                        id: interview.id,
                        user_id: interview.user_id,
                        revision: interview.revision,
                        interview: state,
                    },
                );
                Ok(Started::New(post::queued(&outbox, start.thread_id, posts)))
            }
            Created::AlreadyOpen(open) => Ok(Started::AlreadyOpen {
                thread_id: open.thread_id,
            }),
        }
    }

    /// The open interview in `thread_id` as stored, decoded.
    async fn read_open(&self, thread_id: u64) -> Result<Option<Kept>, Error> {
        let Some(record) = self.store.interview_by_thread(thread_id).await? else {
            return Ok(None);
        };
        if !record.status.is_open() {
            return Ok(None);
        }
        Ok(Some(Kept {
            id: record.id,
            user_id: record.user_id,
            revision: record.revision,
            interview: decode_state(&record.state_json)?,
        }))
    }

    /// Takes an answer: the engine's next step and the coach's reply,
    /// committed with the answer in one transaction.
    pub async fn answer(&self, answer: Answer<'_>) -> Result<AnswerOutcome, Error> {
        let thread = answer.thread_id;
        // The state the previous answer left, if kept; the store's revision
        // check decides whether it was still current.
        let mut kept = self.live.take(thread);
        for _ in 0..ANSWER_TRIES {
            let from_memory = kept.is_some();
            let mut state = match kept.take() {
                Some(k) => k,
                None => match self.read_open(thread).await? {
                    Some(k) => k,
                    None => return Ok(AnswerOutcome::NotInterview),
                },
            };
            if state.user_id != answer.author_id {
                self.live.keep(thread, state);
                return Ok(AnswerOutcome::NotCandidate);
            }
            let Some(prompt) = state.interview.current() else {
                return Ok(AnswerOutcome::NotInterview);
            };
            let guides = self.guides.current();
            let cues = guides.cues().map(|c| c.as_ref());
            let taken = turn::take_answer(&mut state.interview, answer.text, cues, Medium::Thread);
            let turn = match taken {
                Ok(turn) => turn,
                Err(e) => {
                    self.live.keep(thread, state);
                    return Ok(AnswerOutcome::Rejected(messages::answer_rejected(&e)));
                }
            };
            let mut posts = Vec::new();
            if answer.echo {
                posts.push(echo_post(answer.author_name, answer.text));
            }
            posts.push(turn.reply);
            let record = NewAnswer {
                interview_id: state.id,
                message_id: answer.source_id,
                text: answer.text.trim().to_string(),
                prompt: prompt.text,
                feedback_json: turn
                    .feedback
                    .as_ref()
                    .and_then(|f| serde_json::to_string(&f.analysis).ok()),
                feedback_headline: turn.feedback.as_ref().map(|f| f.headline.clone()),
            };
            let next = NextState {
                expected_revision: state.revision,
                state_json: encode_state(&state.interview)?,
                format_version: engine::FORMAT_VERSION,
                finished: turn.finished,
            };
            let outgoing = post::encode_all(thread, &posts)?;
            let applied = match self
                .store
                .apply_answer(&record, &next, &outgoing, now())
                .await
            {
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
                        self.ended(thread);
                    } else {
                        state.revision = revision;
                        self.live.keep(thread, state);
                    }
                    return Ok(AnswerOutcome::Recorded(post::queued(
                        &outbox, thread, posts,
                    )));
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

    /// The candidate ends their interview early and gets the summary.
    pub async fn end_early(&self, thread_id: u64, by: u64) -> Result<Ended, Error> {
        let Some(kept) = self.read_open(thread_id).await? else {
            return Ok(Ended::NotOpen);
        };
        if kept.user_id != by {
            return Ok(Ended::NotCandidate);
        }
        self.close_with_summary(thread_id, kept, CloseReason::Ended)
            .await
    }

    /// Closes an open interview and queues its summary in one transaction: a
    /// crash cannot lose the summary of a closed interview, and a second ending
    /// (End pressed twice, the idle sweep at the same moment) writes nothing.
    async fn close_with_summary(
        &self,
        thread_id: u64,
        mut kept: Kept,
        reason: CloseReason,
    ) -> Result<Ended, Error> {
        let mut post = turn::finish(&mut kept.interview, Medium::Thread);
        if reason == CloseReason::Idle {
            let note = messages::idle_ended(self.config.mock.idle_minutes);
            post.content = format!("{note}\n{}", post.content);
        }
        let outgoing = [post::encode(thread_id, &post)?];
        let status = InterviewStatus::Closed(reason);
        let closed = self
            .store
            .close_with_messages(kept.id, status, &outgoing, now())
            .await?;
        let Some(ids) = closed else {
            return Ok(Ended::NotOpen);
        };
        self.ended(thread_id);
        Ok(Ended::Closed(post::queued(&ids, thread_id, vec![post])))
    }

    /// The thread is gone: close its interview so the member can start another.
    pub async fn thread_deleted(&self, thread_id: u64) -> Result<(), Error> {
        self.ended(thread_id);
        let status = InterviewStatus::Closed(CloseReason::ThreadDeleted);
        self.store.close_by_thread(thread_id, status, now()).await?;
        Ok(())
    }

    /// The member left the server: close their open interview there.
    pub async fn member_left(&self, guild_id: u64, user_id: u64) -> Result<(), Error> {
        if let Some(open) = self
            .store
            .open_interview_for_user(guild_id, user_id)
            .await?
        {
            self.ended(open.thread_id);
            let status = InterviewStatus::Closed(CloseReason::MemberLeft);
            self.store.close_interview(open.id, status, now()).await?;
        }
        Ok(())
    }

    /// Closes interviews idle for longer than the configured minutes (each
    /// with its summary and the idle note) and deletes data past retention.
    /// Failures are logged and the sweep goes on; returns the posts to deliver.
    pub async fn sweep(&self, now: i64) -> Vec<Queued> {
        let idle_secs = u64::from(self.config.mock.idle_minutes) * 60;
        let mut posts = Vec::new();
        match self
            .store
            .idle_interviews(now, idle_secs, super::shard_filter(&self.config))
            .await
        {
            Ok(idle) => {
                for record in idle {
                    let thread = record.thread_id;
                    let closed = match decode_state(&record.state_json) {
                        Ok(interview) => {
                            let kept = Kept {
                                id: record.id,
                                user_id: record.user_id,
                                revision: record.revision,
                                interview,
                            };
                            self.close_with_summary(thread, kept, CloseReason::Idle)
                                .await
                        }
                        Err(e) => Err(e),
                    };
                    match closed {
                        Ok(Ended::Closed(queued)) => posts.extend(queued),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(thread, error = %e, "could not close an idle interview")
                        }
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "idle sweep failed"),
        }
        // Retention deletes by age across every server: the process with shard 0 does it.
        let retention = self.config.storage.retention_days;
        if super::shard_filter(&self.config).runs_shard_zero() {
            if let Err(e) = self.store.sweep_retention(now, retention).await {
                tracing::error!(error = %e, "retention sweep failed");
            }
        }
        posts
    }

    /// After a (re)start: learns which threads hold open interviews in this process's
    /// servers (its shards); returns how many.
    pub async fn load_open_threads(&self) -> Result<usize, Error> {
        let threads = self
            .store
            .open_threads(super::shard_filter(&self.config))
            .await?;
        let mut open = self.open();
        open.extend(threads);
        Ok(open.len())
    }

    /// What was committed but not yet delivered, oldest first. An item this
    /// release cannot read stays in the outbox for one that can.
    pub async fn pending_posts(&self) -> Result<Vec<Queued>, Error> {
        let shards = super::shard_filter(&self.config);
        let pending = self.store.pending_outbox(shards).await?;
        Ok(pending
            .into_iter()
            .filter_map(|item| match post::decode(&item.payload_json) {
                Ok(post) => Some(Queued {
                    id: item.id,
                    channel_id: item.channel_id,
                    post,
                }),
                Err(e) => {
                    tracing::warn!(outbox = item.id.0, error = %e, "cannot read a queued message; left unposted");
                    None
                }
            })
            .collect())
    }

    /// `item` was delivered; its last message got `message_id`.
    pub fn delivered(&self, item: &Queued, message_id: u64) {
        self.store.mark_posted_soon(item.id, message_id, now());
    }

    /// `item` can never be delivered: drop it. When its thread is gone, or the bot
    /// may no longer post there, that thread's interview is closed too: it could
    /// only wait for the idle sweep, and the member could not start another.
    pub async fn undeliverable(&self, item: &Queued, why: Undeliverable) -> Result<(), Error> {
        let thread = item.channel_id;
        match why {
            Undeliverable::ThreadGone => self.thread_deleted(thread).await?,
            Undeliverable::NoPermission => {
                self.ended(thread);
                let status = InterviewStatus::Abandoned;
                self.store.close_by_thread(thread, status, now()).await?;
            }
            Undeliverable::Refused => {}
        }
        self.store.discard_outbox(item.id).await?;
        Ok(())
    }

    /// The member's recent interviews, newest first.
    pub async fn history(&self, user_id: u64, limit: u32) -> Result<Vec<HistoryEntry>, Error> {
        Ok(self.store.history(user_id, limit).await?)
    }

    /// `/forget-me`: everything stored about the member, and kept in memory, goes.
    pub async fn forget_member(&self, user_id: u64) -> Result<Deleted, Error> {
        let deleted = self.store.forget_user(user_id).await?;
        self.live.forget_user(user_id);
        Ok(deleted)
    }
}
