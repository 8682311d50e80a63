//! The store's contract: what every backend offers the layers above, one trait per topic.
//!
//! The bot holds a [`Store`](crate::store::Store), which derefs to `dyn` [`Backend`], so callers
//! write `store.create_interview(…)` whichever database is behind it. Each backend
//! implements the topics in files of the same names (`sqlite/`, `postgres/`), and the
//! store test suite (`tests/store/`) runs against both.
//!
//! Every call is atomic: a write commits all of its rows or none. Times are unix seconds
//! chosen by the caller, so no backend has a clock; Discord ids are `u64`.

pub mod coordination;
pub mod daily;
pub mod interviews;
pub mod pairs;

use std::fmt;

use async_trait::async_trait;

pub use coordination::Coordination;
pub use daily::{DailyMembers, DailyPosts, DailySchedules};
pub use interviews::{Answers, Interviews, Members, Outbox, Progress};
pub use pairs::{PairMembers, PairQueue, PairRounds, Pairs, PeerHistory};

/// A whole store: every topic, and the backend's own life cycle.
#[async_trait]
pub trait Backend:
    Interviews
    + Answers
    + Outbox
    + Members
    + Progress
    + Pairs
    + PairQueue
    + PairRounds
    + PairMembers
    + PeerHistory
    + DailySchedules
    + DailyPosts
    + DailyMembers
    + Coordination
    + fmt::Debug
    + Send
    + Sync
{
    /// Where the data lives, for logs and messages: a file path, or a PostgreSQL URL
    /// without its password.
    fn location(&self) -> String;

    /// Finishes pending background writes and closes every connection. Later calls on
    /// any clone of this store fail. Optional: committed data is safe without it.
    async fn close(&self);
}
