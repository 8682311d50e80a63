//! The contract for mock interviews: the interviews, their answers, the outbox of
//! messages to post, members' history, `/forget-me`, retention and progress.

use async_trait::async_trait;

use crate::store::model::progress::MemberProgress;
use crate::store::model::ShardFilter;
use crate::store::model::*;
use crate::store::StoreError;

#[async_trait]
pub trait Interviews: Send + Sync {
    /// Starts an interview for `new.user_id` in `new.guild_id`, queueing `first_messages`
    /// (e.g. the first question) in the same transaction.
    ///
    /// If the member already has an open interview in that guild, returns
    /// [`Created::AlreadyOpen`] with it and writes nothing. A thread can hold only one open
    /// interview; reusing the thread of an open interview is an error.
    async fn create_interview(
        &self,
        new: &NewInterview,
        first_messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Created, StoreError>;

    /// The interview with this id, whatever its status.
    async fn interview(&self, id: InterviewId) -> Result<Option<Interview>, StoreError>;

    /// The member's open interview in this guild, if any.
    async fn open_interview_for_user(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Interview>, StoreError>;

    /// The interview in this thread: the open one if there is one, otherwise the most recent.
    async fn interview_by_thread(&self, thread_id: u64) -> Result<Option<Interview>, StoreError>;

    /// Every open interview, oldest first (for start-up).
    async fn open_interviews(&self) -> Result<Vec<Interview>, StoreError>;

    /// The threads of the open interviews in the servers of `shards`: all the bot keeps
    /// in memory about them at start-up: a few bytes per interview, where whole records
    /// (with their state) would keep about 16 KB each resident (BENCHMARKS.md).
    async fn open_threads(&self, shards: ShardFilter) -> Result<Vec<u64>, StoreError>;

    /// Open interviews whose last activity is more than `idle_secs` before `now`, least
    /// recently active first. Works from stored times, so it is right after a restart too.
    async fn idle_interviews(
        &self,
        now: i64,
        idle_secs: u64,
        shards: ShardFilter,
    ) -> Result<Vec<Interview>, StoreError>;

    /// Ends an open interview with `status` (any status but `open`), setting
    /// `finished_at = now`. Returns `false` if it was not open (already ended, or no such
    /// interview): the first ending wins and is not overwritten.
    async fn close_interview(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// [`close_interview`](crate::store::Interviews::close_interview) and [`enqueue`](crate::store::Outbox::enqueue) in one
    /// transaction: ends the interview and queues its last messages (the summary), or, if
    /// it was not open, does neither and returns `None`. A crash cannot leave an
    /// interview closed without its summary, nor a summary queued for one still open.
    async fn close_with_messages(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Option<Vec<OutboxId>>, StoreError>;

    /// Ends the open interview in this thread, if any (e.g. the thread was deleted, with
    /// `InterviewStatus::Closed(CloseReason::ThreadDeleted)`). Returns the interview ended.
    async fn close_by_thread(
        &self,
        thread_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError>;

    /// Ends the member's open interview in this guild, if any (e.g. they left, with
    /// `InterviewStatus::Closed(CloseReason::MemberLeft)`). Returns the interview ended.
    async fn close_by_user_in_guild(
        &self,
        guild_id: u64,
        user_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError>;
}

#[async_trait]
pub trait Answers: Send + Sync {
    /// Records an answer and everything that follows from it, in one transaction: the
    /// answer row, the engine's next state (revision + 1), `last_activity_at = now`, status
    /// `finished` if `next.finished`, and `outgoing` queued in the outbox. Post the
    /// returned outbox items only after this returns [`Applied::Recorded`].
    ///
    /// Writes nothing and returns [`Applied::Duplicate`] if an answer from
    /// `answer.message_id` was already recorded, [`Applied::NotOpen`] if the interview is no
    /// longer open, and [`Applied::Stale`] if `next.expected_revision` is not the current
    /// revision. Fails with [`StoreError::NotFound`] if the interview does not exist.
    async fn apply_answer(
        &self,
        answer: &NewAnswer,
        next: &NextState,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Applied, StoreError>;

    /// The interview's answers, in the order they were given. Contains personal data.
    async fn answers(&self, interview: InterviewId) -> Result<Vec<Answer>, StoreError>;
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Queues messages for an interview outside of an answer (e.g. "closed for inactivity").
    /// Returns their outbox ids in order; fails with [`StoreError::NotFound`] if the
    /// interview does not exist.
    async fn enqueue(
        &self,
        interview: InterviewId,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Vec<OutboxId>, StoreError>;

    /// Committed messages not yet marked as posted, oldest first. Post each, then call
    /// [`mark_posted`](crate::store::Outbox::mark_posted).
    async fn pending_outbox(&self, shards: ShardFilter) -> Result<Vec<OutboxItem>, StoreError>;

    /// Like [`mark_posted`](crate::store::Outbox::mark_posted), but written shortly after by the writer thread,
    /// batched with other marks (one transaction for all of them). [`close`](crate::store::Backend::close) writes
    /// what is still queued. The bot uses this after each post.
    fn mark_posted_soon(&self, item: OutboxId, message_id: u64, now: i64);

    /// Writes the marks queued by [`mark_posted_soon`](crate::store::Outbox::mark_posted_soon) now; returns how many
    /// outbox items were marked.
    async fn flush_posted_marks(&self) -> Result<u64, StoreError>;

    /// Records that an outbox item was posted as Discord message `message_id`. Returns
    /// `false` if it was already marked (the first mark is kept) or no longer exists.
    async fn mark_posted(
        &self,
        item: OutboxId,
        message_id: u64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Drops an unposted outbox item that can never be posted (e.g. its thread is gone).
    /// Returns `false` if it was already posted or does not exist.
    async fn discard_outbox(&self, item: OutboxId) -> Result<bool, StoreError>;
}

#[async_trait]
pub trait Members: Send + Sync {
    /// The member's most recent interviews (all guilds), newest first, at most `limit`.
    async fn history(&self, user_id: u64, limit: u32) -> Result<Vec<HistoryEntry>, StoreError>;

    /// `/forget-me`: deletes every interview of the member in every guild, with their
    /// answers and outbox items (posted or not), in one transaction.
    async fn forget_user(&self, user_id: u64) -> Result<Deleted, StoreError>;

    /// Deletes interviews that ended (any status but `open`) more than `retention_days`
    /// before `now`, with their answers and outbox items. Open interviews are never swept.
    async fn sweep_retention(&self, now: i64, retention_days: u32) -> Result<Deleted, StoreError>;
}

#[async_trait]
pub trait Progress: Send + Sync {
    /// The member's answers that have feedback, in every guild, oldest first (by time,
    /// then in the order they were recorded), with their interviews' states. Read in one
    /// transaction, so every answer's interview is there. Contains personal data.
    async fn member_progress(&self, user_id: u64) -> Result<MemberProgress, StoreError>;
}
