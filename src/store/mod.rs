//! Persistence: everything the bot must not forget when it restarts or is killed.
//!
//! A [`Store`] is one SQLite database file (see [`Store::open`]). Its tables, created by
//! the scripts in `migrations/`:
//!
//! * **`interviews`**: one per mock interview: guild, thread, member, guide role, the
//!   engine's state as opaque JSON with a `revision` counter, the [`InterviewStatus`] and
//!   its times. At most one open interview per (guild, member) and per thread.
//! * **`answers`**: every answer with its prompt and feedback, keyed by the Discord
//!   message it came from (the dedupe key). A member's analysed answers over time, for the
//!   progress chart, are read by `progress.rs`.
//! * **`outbox`**: messages the bot has decided to post, until they are marked posted.
//! * **peer interviews** (`pairs.rs`): each server's pair settings, the matching queue,
//!   pairs, their rounds, the candidates' answers and the interviewers' scorecards.
//! * **the daily question** (`daily.rs`): each server's schedule, the posts made (claimed
//!   once per local date), members' answers with their streak records, and the weekly
//!   board's opt-ins and posts.
//!
//! Answers and outbox items belong to their interview and are deleted with it. Discord ids
//! are `u64` stored bit for bit in SQLite's `i64`; times are unix seconds chosen by the
//! caller, so the store has no clock.
//!
//! **Write before you speak.** [`Store::apply_answer`] commits the answer, the new state
//! and the messages it produced in one transaction; the bot posts them only then, and
//! marks them posted after. Killed at any point, the bot restarts consistent: before the
//! commit nothing happened (a replayed message is deduped by its id), after it
//! [`Store::pending_outbox`] lists what to post, and a post repeated after a crash carries
//! the same [`OutboxId`] as its nonce, which Discord drops.
//!
//! **Threads.** SQLite calls block, so each store call is one job on a database thread
//! (`worker.rs`): writes, in order, on the one writer thread (SQLite admits one writer at a
//! time, and a queue wastes no time where its busy handler polls by sleeping), reads on a
//! few reader threads that WAL lets run beside it. Writes take SQLite's write lock at their
//! start (`BEGIN IMMEDIATE`), so a call's checks and writes see one state even against
//! another process; a process that holds the lock is waited for up to the busy timeout
//! ([`OpenOptions::busy_timeout`]), then the call fails with [`StoreError::Busy`]. The bot
//! opens its file exclusively ([`OpenOptions::exclusive`]), so a second bot on it is refused.
//!
//! **Durability.** WAL with `synchronous = NORMAL`: a commit survives the process being
//! killed, not the kernel losing power before the page cache reaches the disk (the file
//! stays consistent; the last commits may be lost). Practice interviews are not worth an
//! `fsync` per commit.

mod answers;
mod daily;
mod error;
mod interviews;
mod migrate;
mod model;
mod open;
mod outbox;
mod pairs;
mod progress;
mod rows;
mod sweep;
mod worker;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use rusqlite::Connection;

pub use daily::{
    BoardMember, DailyAnswer, DailyAnswered, DailyBoard, DailyForgotten, DailyPost, DailyPostId,
    DailyPostStatus, DailySchedule, NewDailyAnswer, NewDailyPost, StreakRow, StreakRule,
};
pub use error::StoreError;
pub use model::{
    Answer, Applied, CloseReason, Created, Deleted, HistoryEntry, Interview, InterviewId,
    InterviewStatus, NewAnswer, NewInterview, NextState, OutboxId, OutboxItem, OutgoingMessage,
};
pub use open::OpenOptions;
pub use pairs::{
    AnswerWrite, EndReason, NewQueueEntry, NewRound, NewScorecard, NextRound, Pair, PairId,
    PairSettings, PairStatus, PairSummary, PairsDeleted, PairsForgotten, PeerAnswer,
    PeerHistoryEntry, QueueEntry, QueueJoin, QueueReply, Round, RoundId, RoundSummary, Scorecard,
    WantedRole,
};
pub use progress::{InterviewState, MemberProgress, ProgressRow};

use outbox::Marks;
use worker::Workers;

/// How often the store's background task checkpoints the WAL and retries "posted" marks
/// whose write failed.
const MAINTAIN_EVERY: Duration = Duration::from_secs(1);

/// The bot's durable memory. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Shared>,
}

/// What the clones of a [`Store`] share.
#[derive(Debug)]
struct Shared {
    path: PathBuf,
    /// How long a call waits for a lock held by another process.
    busy_timeout: Duration,
    /// The thread (and connection) this process writes through.
    writer: Workers,
    /// Threads with read connections; WAL lets them read while the writer writes.
    readers: Workers,
    /// "Posted" marks waiting to be written (see [`Store::mark_posted_soon`]).
    marks: Arc<Marks>,
    /// The lock file of an exclusive open, held until the store is closed or dropped.
    lock: Mutex<Option<std::fs::File>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// Opens the SQLite database at `path`, creating its folder and the file on first start.
    ///
    /// Connections use WAL, `synchronous = NORMAL`, foreign keys, `secure_delete` and a 5 s
    /// busy timeout. On open the file is checked (it must be an SQLite database, either
    /// empty or marked as ours with `PRAGMA application_id`, and pass `PRAGMA
    /// quick_check`) and pending migrations are applied. A file that fails any of this is
    /// left untouched and reported as a [`StoreError`] naming `path`; it is never replaced
    /// by a fresh database. `:memory:`, an empty path and SQLite URIs are refused with
    /// [`StoreError::NotAFile`]. Not locked: see [`Store::open_exclusive`].
    pub async fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(path, OpenOptions::default()).await
    }

    /// [`Store::open`] for the bot: also takes an OS lock on `<path>.lock` for as long as
    /// the store is open, and fails with [`StoreError::InUse`] if another process holds it.
    pub async fn open_exclusive(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_with(path, OpenOptions::default().exclusive(true)).await
    }

    /// [`Store::open`] with other [`OpenOptions`].
    pub async fn open_with(
        path: impl AsRef<Path>,
        options: OpenOptions,
    ) -> Result<Store, StoreError> {
        let inner = Arc::new(open::open(path.as_ref(), &options).await?);
        tokio::spawn(maintain(Arc::downgrade(&inner)));
        Ok(Store { inner })
    }

    /// The database file, for logs and error messages.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Closes every connection (checkpointing the WAL) and waits for that to finish. Later
    /// calls on any clone of this store fail. Optional: committed data is safe without it.
    pub async fn close(&self) {
        if let Err(error) = self.flush_posted_marks().await {
            tracing::warn!(path = %self.inner.path.display(), %error, "could not record the last posted messages; they will be posted again (with the same nonce) at the next start");
        }
        self.inner.readers.close().await;
        // The last connection to close checkpoints the WAL into the file.
        self.inner.writer.close().await;
        // Dropping the lock file ends an exclusive open's lock.
        self.inner
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Runs `work` on the writer thread, in a write transaction, and returns once it is
    /// committed. `work` may run more than once (see the worker's group commit).
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let result = self.inner.writer.run(work).await;
        result.map_err(|error| self.inner.busy(error))
    }

    /// Runs `work` on a reader thread.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let result = self.inner.readers.run(work).await;
        result.map_err(|error| self.inner.busy(error))
    }
}

impl Shared {
    /// `error`, or [`StoreError::Busy`] if SQLite gave up waiting for a lock.
    fn busy(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Query { op, source } if error::is_busy(&source) => StoreError::Busy {
                path: self.path.clone(),
                op,
                timeout: self.busy_timeout,
            },
            other => other,
        }
    }

    /// Copies what the WAL holds into the database file without waiting for (or holding
    /// up) the writer or readers (`PASSIVE`); cheap when there is nothing new. Runs on a
    /// reader, so writes go on meanwhile.
    async fn checkpoint(&self) -> Result<(), StoreError> {
        self.readers
            .run(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    .map_err(StoreError::query("checkpoint the write-ahead log"))
            })
            .await
    }
}

/// The store's background work, off every caller's path: checkpointing the WAL (the
/// writer does not, so that no commit waits for one), and writing "posted" marks still
/// queued after a failed write. It holds only a weak handle, so it ends with the last
/// `Store`.
async fn maintain(shared: Weak<Shared>) {
    let mut tick = tokio::time::interval(MAINTAIN_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = shared.upgrade() else {
            return;
        };
        if let Err(error) = inner.checkpoint().await {
            tracing::debug!(%error, "checkpoint skipped");
        }
        if inner.marks.waiting() {
            let store = Store { inner };
            if let Err(error) = store.flush_posted_marks().await {
                tracing::warn!(%error, "could not record posted messages; they stay queued");
            }
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
