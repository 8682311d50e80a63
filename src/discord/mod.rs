//! The Discord front end: poise commands, button and modal handling, and the
//! mock-interview threads. It only translates: events become calls on the
//! session layer ([`crate::session`]), which decides what an interview does
//! next, and the posts it returns are delivered here.
//!
//! - `commands` — one module per command group (`/ask`, `/mock`, `/guides`, …).
//! - `events` — buttons, modals, thread replies, deleted threads.
//! - `interview` — interview threads: opening them, handing posts over, the sweeper.
//! - `daily` — the question of the day: its scheduler, posts, answers and feedback.
//! - `pairs` — peer mock interviews: matching, the pair's room, the interviewer's console,
//!   the summary, and the sweep of queues and idle pairs.
//! - `delivery` — the delivery worker: posts in order per thread, retried until delivered.
//! - `reply` — answering buttons and forms: acknowledged once, failures told to the member.
//! - `render` — embeds and messages within Discord's limits, never pinging.
//! - `ids` — button ids that survive restarts.
//! - `startup` — start-up and shutdown: [`run`], its exit classes ([`RunError`]).
//! - `preflight` — the REST requests made before the gateway (gateway address, registration).
//! - `ops` — the operator endpoint (`[metrics] listen`): Prometheus metrics and readiness.

mod commands;
mod daily;
mod delivery;
pub mod error;
mod events;
mod identify;
pub mod ids;
mod interview;
mod ops;
mod pairs;
mod preflight;
pub mod render;
mod reply;
mod startup;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude as serenity;

pub use error::Error;
pub use startup::{run, RunError};

use crate::config::Config;
use crate::guide::GuideLibrary;
use crate::session::{Daily, Interviews, Pairs};
use crate::store::Store;

pub type Context<'a> = poise::Context<'a, Data, Error>;
pub type AppContext<'a> = poise::ApplicationContext<'a, Data, Error>;

/// Everything the bot shares between events, typed — no TypeMap, no globals.
/// Cheap to clone (one `Arc`), so background tasks such as the idle sweeper
/// hold their own handle.
#[derive(Clone)]
pub struct Data {
    shared: Arc<Shared>,
}

impl std::ops::Deref for Data {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

pub struct Shared {
    /// The interview use cases, with the guides, picker, settings and store.
    pub interviews: Interviews,
    /// The question-of-the-day use cases.
    pub daily: Daily,
    /// The peer-interview use cases.
    pub pairs: Pairs,
    /// Threads that are open pairs' rooms: a message elsewhere costs no database read.
    pair_threads: Mutex<HashSet<u64>>,
    /// Wakes the daily scheduler at once (after `/daily setup`).
    pub(crate) daily_wake: tokio::sync::Notify,
    /// The delivery worker's queues (see `delivery`).
    delivery: delivery::Delivery,
    /// Whether the bot is connected and started, for `/ready` (see `ops`).
    readiness: Arc<ops::Readiness>,
    /// Threads where the bot already said it cannot read message text (interview and
    /// daily threads).
    told_to_use_button: Mutex<HashSet<u64>>,
}

impl Data {
    pub fn new(
        config: Config,
        guides: GuideLibrary,
        store: Store,
        client: reqwest::Client,
    ) -> Data {
        let max_backoff = Duration::from_millis(config.discord.delivery_max_backoff_ms);
        let shards = crate::session::shard_filter(&config);
        Data {
            shared: Arc::new(Shared {
                delivery: delivery::Delivery::new(max_backoff, client),
                daily: Daily::new(store.clone()).owning(shards),
                pairs: Pairs::new(store.clone()).owning(shards),
                pair_threads: Mutex::new(HashSet::new()),
                daily_wake: tokio::sync::Notify::new(),
                readiness: Arc::default(),
                interviews: Interviews::new(config, guides, store),
                told_to_use_button: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The library in service now.
    pub fn guides(&self) -> Arc<GuideLibrary> {
        self.interviews.guides()
    }

    pub fn config(&self) -> &Config {
        self.interviews.config()
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How often idle interviews and old data are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// How the server calls a member: their nickname there, else their display
/// name, else their username.
pub(crate) fn display_name(nick: Option<&String>, user: &serenity::User) -> String {
    nick.cloned()
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}
