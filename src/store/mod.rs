//! Persistence: everything the bot must not forget when it restarts or is killed.
//!
//! The bot talks to one [`Store`]. Today it is an embedded SQLite database in a single file
//! (see [`Store::open`]); the type is shaped so a PostgreSQL backend can be added without
//! touching command code (see [Why an enum of backends](#why-an-enum-of-backends)).
//!
//! # Tables
//!
//! The schema lives in `migrations/` (one SQL script per version, embedded in the binary and
//! applied in order by [`Store::open`]; `PRAGMA user_version` records the last one applied.
//! Databases from the releases that used sqlx's migrator are recognised by their
//! `_sqlx_migrations` table).
//!
//! * **`interviews`**: one row per mock interview: guild, thread, member, the guide role
//!   (`role_id` key and display `role_name`), the engine's serialized state (`state_json`,
//!   opaque JSON text, plus the `format_version` it is written in), a `revision` counter,
//!   the `status` (`open`, `finished`, `abandoned`, `closed-thread-deleted`,
//!   `closed-member-left`, `closed-ended`, `closed-idle`; see [`InterviewStatus`]) and the
//!   times `created_at`, `last_activity_at` and `finished_at` (set when it stops being open).
//!   Partial unique indexes on `status = 'open'` allow at most one open interview per
//!   (guild, member) and per thread.
//! * **`answers`**: every answer: its interview, the Discord `message_id` it came from
//!   (UNIQUE: the dedupe key), the answer text, the prompt it answered, and the engine's
//!   feedback (`feedback_json`, `feedback_headline`, both nullable).
//! * **`outbox`**: messages the bot has decided to post: interview, target `channel_id`,
//!   `payload_json`, `created_at`, and once posted `posted_at` + `posted_message_id`.
//!
//! `answers` and `outbox` rows belong to their interview (`ON DELETE CASCADE`), and
//! [`Store::forget_user`] and [`Store::sweep_retention`] delete all three together.
//! Discord ids are `u64` stored bit-for-bit in SQLite's `i64` integers; timestamps are unix
//! seconds passed in by the caller, so the store has no clock and tests are deterministic.
//! Tables are `STRICT` and JSON columns are checked with `json_valid`, so a wrong value is
//! refused when written rather than discovered after a restart.
//!
//! # Write before you speak
//!
//! A message from the member is handled as: the engine computes feedback and the next state
//! in memory; [`Store::apply_answer`] commits, in one transaction, the answer, the new state,
//! the activity time, the finished status, and the outgoing messages (into the outbox);
//! only then does the bot post them and call [`Store::mark_posted`]. Killed at any point,
//! the bot restarts into a consistent state:
//!
//! * before the commit: nothing happened; Discord still shows the member's message, and
//!   replaying it is safe because the answer is keyed on its message id;
//! * after the commit, before posting: [`Store::pending_outbox`] lists the messages, and the
//!   bot posts them on start-up;
//! * after posting, before `mark_posted`: the message would be posted again; passing the
//!   [`OutboxId`] as Discord's message `nonce` with `enforce_nonce` lets Discord drop the
//!   repeat (it remembers nonces for a few minutes). Delivery is otherwise at least once.
//!
//! A replayed message is answered with [`Applied::Duplicate`], an answer computed from an
//! out-of-date state with [`Applied::Stale`] (see [`Interview::revision`]), and an answer to
//! an interview that was closed meanwhile with [`Applied::NotOpen`]; none of them writes.
//!
//! # Durability: WAL with `synchronous = NORMAL`
//!
//! In WAL mode a commit appends the transaction's pages to the `-wal` file with `write()`
//! and returns; with `synchronous = NORMAL`, SQLite calls `fsync` only at checkpoints, not
//! at every commit. Once `write()` has returned, the data is in the operating system's page
//! cache, which belongs to the kernel, not to our process: a `kill -9`, a panic, an
//! out-of-memory kill or a crash of the bot loses nothing that was committed, and the next
//! open replays the WAL. What this does *not* survive is losing the kernel itself (power
//! cut, kernel panic, VM reset) before the page cache reaches the disk: the most recent
//! commits can then be rolled back (the database stays consistent, never corrupt). Full
//! power-loss durability would need `synchronous = FULL`, an `fsync` per commit, which is
//! not worth it for practice interviews. WAL also lets readers (e.g. `/history`) run while
//! an answer is being written.
//!
//! # Threads, locks and sharing
//!
//! * [`Store`] is `Clone` and holds an [`Arc`] to the backend: every command handler, the
//!   outbox poster and the idle/retention timers share one writer thread and a few reader
//!   threads, and cloning is a reference count bump. (The `Arc` makes sharing true for any
//!   future backend without requiring it to be `Clone`, and keeps the backend enum private.)
//! * SQLite calls block, so they run on threads of their own, never on tokio's workers. Each
//!   store call is *one* job on one of them — its checks, writes and commit, or its query and
//!   the decoding of the rows — so a call costs one hand-off to a database thread and one
//!   back. (With sqlx every statement was such a round trip: the benchmark counted ~20
//!   context switches per thread reply, more CPU than the SQL itself; see `worker.rs`.)
//! * Reads go to the reader threads, each with its own connection, and never wait for
//!   writes: WAL lets them read beside the writer.
//! * Writes go, in order, to the one writer thread: SQLite admits one writer at a time
//!   anyway, and a queue costs nothing while it waits, whereas SQLite's busy handler polls
//!   by sleeping 1, 2, 5, 10… ms, leaving the lock idle while writers sleep. Writers in
//!   other processes are still kept out by SQLite's lock and waited for in its busy handler
//!   (5 s timeout), on the writer thread.
//! * Writes that read first (dedupe, one-open-per-member, revision check) run in
//!   `BEGIN IMMEDIATE` transactions, which take SQLite's write lock at the start, so the
//!   check and the write cannot interleave with another writer, even from another process.
//! * The unique indexes are the last line of defence behind those checks.
//!
//! # Why an enum of backends
//!
//! `Store` wraps a private `enum Backend { Sqlite(..) }` rather than a `dyn` trait: async
//! methods in a trait object need boxing (or the `async-trait` crate) on every call, while
//! an enum is dispatched by a `match`, and adding a `Postgres` variant makes the compiler
//! point at every method that needs a Postgres arm. Command code only ever sees `Store`,
//! [`StoreError`] and the plain data types, none of which mention SQLite.

mod error;
mod model;
mod sqlite;
mod worker;

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Weak};

pub use error::StoreError;
pub use model::{
    Answer, Applied, CloseReason, Created, Deleted, HistoryEntry, Interview, InterviewId,
    InterviewStatus, NewAnswer, NewInterview, NextState, OutboxId, OutboxItem, OutgoingMessage,
};

/// How often the write-ahead log is copied into the database file, off the write path
/// (the writer connection does not checkpoint; see `sqlite.rs`), and how often "posted"
/// marks whose first write failed are tried again.
const MAINTAIN_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The store's background work, off every caller's path: checkpointing the WAL, and
/// writing "posted" marks still queued (normally the writer thread writes them as soon as
/// it can, see [`Store::mark_posted_soon`]; this retries a batch whose write failed). It
/// holds only a weak handle, so it ends once the last `Store` is dropped.
async fn maintain(store: Weak<Backend>) {
    let mut tick = tokio::time::interval(MAINTAIN_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = store.upgrade() else { return };
        let Backend::Sqlite(store) = &*inner;
        if let Err(error) = store.checkpoint().await {
            tracing::debug!(%error, "checkpoint skipped");
        }
        if store.marks_waiting() {
            if let Err(error) = store.flush_marks().await {
                tracing::warn!(%error, "could not record posted messages; they stay queued");
            }
        }
    }
}

/// The bot's durable memory. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Backend>,
}

/// The storage engines. Only SQLite for now.
enum Backend {
    Sqlite(sqlite::SqliteStore),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.inner {
            Backend::Sqlite(store) => f
                .debug_struct("Store")
                .field("backend", &"sqlite")
                .field("path", &store.path())
                .finish(),
        }
    }
}

impl Store {
    /// Opens the SQLite database at `path`, creating its folder and the file on first start.
    ///
    /// Connections use WAL, `synchronous = NORMAL`, foreign keys and a 5 s busy timeout. On
    /// open the file is checked (it must be an SQLite database, either empty or marked as
    /// ours with `PRAGMA application_id`, and pass `PRAGMA quick_check`) and pending
    /// migrations are applied. A file that fails any of this is left untouched and reported
    /// as a [`StoreError`] naming `path`; it is never replaced by a fresh database.
    pub async fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let store = sqlite::SqliteStore::open(path.as_ref()).await?;
        let inner = Arc::new(Backend::Sqlite(store));
        tokio::spawn(maintain(Arc::downgrade(&inner)));
        Ok(Store { inner })
    }

    /// The database file, for logs and error messages.
    pub fn path(&self) -> &Path {
        match &*self.inner {
            Backend::Sqlite(store) => store.path(),
        }
    }

    /// Closes every connection (checkpointing the WAL) and waits for that to finish. Later
    /// calls on any clone of this store fail. Optional: committed data is safe without it.
    pub async fn close(&self) {
        match &*self.inner {
            Backend::Sqlite(store) => store.close().await,
        }
    }

    /// Starts an interview for `new.user_id` in `new.guild_id`, queueing `first_messages`
    /// (e.g. the first question) in the same transaction.
    ///
    /// If the member already has an open interview in that guild, returns
    /// [`Created::AlreadyOpen`] with it and writes nothing. A thread can hold only one open
    /// interview; reusing the thread of an open interview is an error.
    pub async fn create_interview(
        &self,
        new: &NewInterview,
        first_messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Created, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.create_interview(new, first_messages, now).await,
        }
    }

    /// The interview with this id, whatever its status.
    pub async fn interview(&self, id: InterviewId) -> Result<Option<Interview>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.interview(id).await,
        }
    }

    /// The member's open interview in this guild, if any.
    pub async fn open_interview_for_user(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.open_interview_for_user(guild_id, user_id).await,
        }
    }

    /// The interview in this thread: the open one if there is one, otherwise the most recent.
    pub async fn interview_by_thread(
        &self,
        thread_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.interview_by_thread(thread_id).await,
        }
    }

    /// Every open interview, oldest first (for start-up).
    pub async fn open_interviews(&self) -> Result<Vec<Interview>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.open_interviews().await,
        }
    }

    /// The threads of every open interview: all the bot keeps in memory about them at
    /// start-up: a few bytes per interview, where loading whole records (with their
    /// state) left about 16 KB each resident (BENCHMARKS.md).
    pub async fn open_threads(&self) -> Result<Vec<u64>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.open_threads().await,
        }
    }

    /// Open interviews whose last activity is more than `idle_secs` before `now`, least
    /// recently active first. Works from stored times, so it is right after a restart too.
    pub async fn idle_interviews(
        &self,
        now: i64,
        idle_secs: u64,
    ) -> Result<Vec<Interview>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.idle_interviews(now, idle_secs).await,
        }
    }

    /// Records an answer and everything that follows from it, in one transaction: the
    /// answer row, the engine's next state (revision + 1), `last_activity_at = now`, status
    /// `finished` if `next.finished`, and `outgoing` queued in the outbox. Post the
    /// returned outbox items only after this returns [`Applied::Recorded`].
    ///
    /// Writes nothing and returns [`Applied::Duplicate`] if an answer from
    /// `answer.message_id` was already recorded, [`Applied::NotOpen`] if the interview is no
    /// longer open, and [`Applied::Stale`] if `next.expected_revision` is not the current
    /// revision. Fails with [`StoreError::NotFound`] if the interview does not exist.
    pub async fn apply_answer(
        &self,
        answer: &NewAnswer,
        next: &NextState,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Applied, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.apply_answer(answer, next, outgoing, now).await,
        }
    }

    /// The interview's answers, in the order they were given. Contains personal data.
    pub async fn answers(&self, interview: InterviewId) -> Result<Vec<Answer>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.answers(interview).await,
        }
    }

    /// Ends an open interview with `status` (any status but `open`), setting
    /// `finished_at = now`. Returns `false` if it was not open (already ended, or no such
    /// interview): the first ending wins and is not overwritten.
    pub async fn close_interview(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.close_interview(id, status, now).await,
        }
    }

    /// [`close_interview`](Self::close_interview) and [`enqueue`](Self::enqueue) in one
    /// transaction: ends the interview and queues its last messages (the summary), or, if
    /// it was not open, does neither and returns `None`. A crash cannot leave an
    /// interview closed without its summary, nor a summary queued for one still open.
    pub async fn close_with_messages(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Option<Vec<OutboxId>>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.close_with_messages(id, status, messages, now).await,
        }
    }

    /// Ends the open interview in this thread, if any (e.g. the thread was deleted, with
    /// `InterviewStatus::Closed(CloseReason::ThreadDeleted)`). Returns the interview ended.
    pub async fn close_by_thread(
        &self,
        thread_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.close_by_thread(thread_id, status, now).await,
        }
    }

    /// Ends the member's open interview in this guild, if any (e.g. they left, with
    /// `InterviewStatus::Closed(CloseReason::MemberLeft)`). Returns the interview ended.
    pub async fn close_by_user_in_guild(
        &self,
        guild_id: u64,
        user_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => {
                store
                    .close_by_user_in_guild(guild_id, user_id, status, now)
                    .await
            }
        }
    }

    /// Queues messages for an interview outside of an answer (e.g. "closed for inactivity").
    /// Returns their outbox ids in order; fails with [`StoreError::NotFound`] if the
    /// interview does not exist.
    pub async fn enqueue(
        &self,
        interview: InterviewId,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Vec<OutboxId>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.enqueue(interview, messages, now).await,
        }
    }

    /// Committed messages not yet marked as posted, oldest first. Post each, then call
    /// [`mark_posted`](Self::mark_posted).
    pub async fn pending_outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.pending_outbox().await,
        }
    }

    /// Like [`Store::mark_posted`], but written shortly after by the writer thread,
    /// batched with other marks (one transaction for all of them). [`Store::close`] writes
    /// what is still queued. The bot uses this after each post.
    pub fn mark_posted_soon(&self, item: OutboxId, message_id: u64, now: i64) {
        match &*self.inner {
            Backend::Sqlite(store) => store.mark_posted_soon(item, message_id, now),
        }
    }

    /// Writes the marks queued by [`Store::mark_posted_soon`] now; returns how many
    /// outbox items were marked.
    pub async fn flush_posted_marks(&self) -> Result<u64, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.flush_marks().await,
        }
    }

    /// Records that an outbox item was posted as Discord message `message_id`. Returns
    /// `false` if it was already marked (the first mark is kept) or no longer exists.
    pub async fn mark_posted(
        &self,
        item: OutboxId,
        message_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.mark_posted(item, message_id, now).await,
        }
    }

    /// Drops an unposted outbox item that can never be posted (e.g. its thread is gone).
    /// Returns `false` if it was already posted or does not exist.
    pub async fn discard_outbox(&self, item: OutboxId) -> Result<bool, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.discard_outbox(item).await,
        }
    }

    /// The member's most recent interviews (all guilds), newest first, at most `limit`.
    pub async fn history(&self, user_id: u64, limit: u32) -> Result<Vec<HistoryEntry>, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.history(user_id, limit).await,
        }
    }

    /// `/forget-me`: deletes every interview of the member in every guild, with their
    /// answers and outbox items (posted or not), in one transaction.
    pub async fn forget_user(&self, user_id: u64) -> Result<Deleted, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.forget_user(user_id).await,
        }
    }

    /// Deletes interviews that ended (any status but `open`) more than `retention_days`
    /// before `now`, with their answers and outbox items. Open interviews are never swept.
    pub async fn sweep_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<Deleted, StoreError> {
        match &*self.inner {
            Backend::Sqlite(store) => store.sweep_retention(now, retention_days).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Command handlers run on any tokio worker and poise keeps shared data in an `Arc`, so
    /// the store must be shareable across threads and clonable into spawned tasks.
    #[test]
    fn store_can_be_shared_across_tasks() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<Store>();
        fn sendable<T: Send + 'static>() {}
        sendable::<StoreError>();
        sendable::<Created>();
        sendable::<Applied>();
    }
}
