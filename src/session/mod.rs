//! The interview use cases, end to end and with no Discord in them: start an
//! interview, take an answer, end it, close it when its thread or member is
//! gone, sweep idle and old ones, reload the guides. Each use case runs the
//! engine ([`crate::coach`]), commits through the [`crate::store`] with the
//! posts that follow in its outbox, and returns those posts ([`Queued`]) for
//! the front end to deliver. `practice` runs the same steps ([`turn`]), and
//! records them in a local store only when asked (`--db`).
//!
//! - `clock` — [`now`], the time every use case is given, with its test seam.
//! - `interviews` — [`Interviews`], the service the bot holds.
//! - `turn` — one engine step and what the coach says about it.
//! - `post` — what is said, as the plain data the outbox stores.
//! - `live` — interview states kept between answers.
//! - `guides` — the guides in service and reloading them.
//! - `pairs` — [`Pairs`], the peer mock-interview use cases: queue, matching, rounds,
//!   scorecards, endings, `/forget-me` and retention.
//! - `daily` — [`Daily`], the question of the day: schedules, claiming each day's post
//!   once, answers with their streaks, the weekly board, `/forget-me` and retention.
//! - `progress` — a member's answers to main questions over time: the chart's
//!   points, the chart and its one-line summary.

pub mod clock;
pub mod daily;
pub mod guide_sync;
mod guides;
mod interviews;
pub mod live;
pub mod pairs;
pub mod post;
mod priority;
pub mod progress;
pub mod turn;

pub use clock::now;
pub use daily::Daily;
pub use guides::{Guides, Reloaded};
pub use interviews::{Answer, AnswerOutcome, Ended, Interviews, Start, Started, Undeliverable};
pub use pairs::Pairs;
pub use post::{Medium, Post, PostButtons, Queued};

/// The servers this process handles, from `[discord] shards`: every server when it is
/// unset. The sweeps, the start-up work and the daily ticks are limited to them, so
/// processes sharing one database never do the same server's work twice.
pub fn shard_filter(config: &crate::config::Config) -> crate::store::ShardFilter {
    config
        .discord
        .shard_range()
        .map_or(crate::store::ShardFilter::ALL, |range| {
            crate::store::ShardFilter {
                first: range.first,
                last: range.last,
                total: range.total,
            }
        })
}

use crate::store::StoreError;

/// What a use case could not do. Refusals a member should hear about are
/// outcomes, not errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

#[cfg(test)]
mod tests;
