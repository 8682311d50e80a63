//! Persistence: everything the bot must not forget when it restarts or is killed.
//!
//! A [`Store`] is a handle on one database: an SQLite file ([`Store::open`], the default,
//! `sqlite/`) or a PostgreSQL database shared by several processes ([`Store::connect`],
//! `postgres/`). What it offers is the contract in `contract/`, one trait per topic; a
//! `Store` derefs to `dyn` [`Backend`], so callers never name the backend. The tables,
//! created by each backend's scripts in `migrations/`:
//!
//! * **`interviews`**: one per mock interview: guild, thread, member, guide role, the
//!   engine's state as opaque JSON with a `revision` counter, the [`InterviewStatus`] and
//!   its times. At most one open interview per (guild, member) and per thread.
//! * **`answers`**: every answer with its prompt and feedback, keyed by the Discord
//!   message it came from (the dedupe key). A member's analysed answers over time, for the
//!   progress chart, are read by [`Progress`].
//! * **`outbox`**: messages the bot has decided to post, until they are marked posted.
//! * **peer interviews** ([`Pairs`] and its neighbours): each server's pair settings, the
//!   matching queue, pairs, their rounds, the candidates' answers and the interviewers'
//!   scorecards.
//! * **the daily question** ([`DailySchedules`], [`DailyPosts`], [`DailyMembers`]): each
//!   server's schedule, the posts made (claimed once per local date), members' answers
//!   with their streak records, and the weekly board's opt-ins and posts.
//!
//! Answers and outbox items belong to their interview and are deleted with it. Times are
//! unix seconds chosen by the caller, so the store has no clock.
//!
//! **Write before you speak.** [`Answers::apply_answer`] commits the answer, the new state
//! and the messages it produced in one transaction; the bot posts them only then, and
//! marks them posted after. Killed at any point, the bot restarts consistent: before the
//! commit nothing happened (a replayed message is deduped by its id), after it
//! [`Outbox::pending_outbox`] lists what to post, and a post repeated after a crash carries
//! the same [`OutboxId`] as its nonce, which Discord drops.

mod contract;
mod error;
mod model;
mod postgres;
mod sqlite;

use std::fmt;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use contract::{
    Answers, Backend, Coordination, DailyMembers, DailyPosts, DailySchedules, Interviews, Members,
    Outbox, PairMembers, PairQueue, PairRounds, Pairs, PeerHistory, Progress,
};
pub use error::StoreError;
pub use model::daily::{
    BoardMember, DailyAnswer, DailyAnswered, DailyBoard, DailyForgotten, DailyPost, DailyPostId,
    DailyPostStatus, DailySchedule, NewDailyAnswer, NewDailyPost, StreakRow, StreakRule,
};
pub use model::pairs::{
    AnswerWrite, EndReason, NewQueueEntry, NewRound, NewScorecard, NextRound, Pair, PairId,
    PairSettings, PairStatus, PairSummary, PairsDeleted, PairsForgotten, PeerAnswer,
    PeerHistoryEntry, QueueEntry, QueueJoin, QueueReply, Round, RoundId, RoundSummary, Scorecard,
    WantedRole,
};
pub use model::progress::{InterviewState, MemberProgress, ProgressRow};
pub use model::{
    Answer, Applied, CloseReason, Created, Deleted, GuideRevision, HistoryEntry, Interview,
    InterviewId, InterviewStatus, NewAnswer, NewInterview, NextState, OutboxId, OutboxItem,
    OutgoingMessage, ShardFilter,
};
pub use sqlite::OpenOptions;

/// The bot's durable memory. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Store {
    /// Shared by every clone: a backend holds its connections (and, for SQLite, its
    /// threads) once per process.
    backend: Arc<dyn Backend>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.backend.fmt(f)
    }
}

impl Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        &*self.backend
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
        let sqlite = sqlite::Sqlite::open_with(path, options).await?;
        Ok(Store {
            backend: Arc::new(sqlite),
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host/db`;
    /// `sslmode=disable|prefer|require`; an `options=-csearch_path%3D…` picks a schema).
    ///
    /// The database (or that schema) must be empty or ours: a schema holding other tables
    /// is refused with [`StoreError::Foreign`], one migrated by a newer release with
    /// [`StoreError::TooNew`]; otherwise pending migrations are applied, once, however
    /// many processes connect at the same time. Every wait for a connection or a row lock
    /// is bounded by `busy_timeout`, after which a call fails with [`StoreError::Busy`].
    /// Unlike an SQLite file, the database is meant to be shared: every process of a
    /// sharded bot connects to the same one.
    pub async fn connect(url: &str, busy_timeout: Duration) -> Result<Store, StoreError> {
        let postgres = postgres::Postgres::connect(url, busy_timeout).await?;
        Ok(Store {
            backend: Arc::new(postgres),
        })
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
