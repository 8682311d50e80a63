//! The Discord front end: poise commands, button and modal handling, and the
//! mock-interview threads. It stays thin — guides, question choice and the
//! interview itself come from [`crate::guide`] and [`crate::coach`]; durable
//! state lives in [`crate::store`].
//!
//! - `commands` — one module per command group (`/ask`, `/mock`, `/guides`, …).
//! - `events` — buttons, modals, thread replies, deleted threads.
//! - `interview` — running a mock interview in a thread: write, then post.
//! - `live` — the states of interviews being answered, kept between answers.
//! - `render` — embeds and messages within Discord's limits, never pinging.
//! - `ids` — button ids that survive restarts.
//! - `startup` — start-up and shutdown: [`run`], its exit classes ([`RunError`]).
//! - `preflight` — the REST requests made before the gateway (gateway address, registration).

mod commands;
pub mod error;
mod events;
pub mod ids;
mod interview;
mod live;
mod preflight;
pub mod render;
mod startup;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use poise::serenity_prelude as serenity;

pub use error::Error;
pub use startup::{run, RunError};

use crate::coach::select::Picker;
use crate::config::Config;
use crate::guide::GuideLibrary;
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
    /// The guides in service. Readers clone the `Arc` and let go of the lock
    /// at once; `/guides reload` builds a whole new library off to the side
    /// and swaps it in, so no reader ever waits on a reload or sees half of
    /// one. A std lock suffices because it is never held across an `.await`.
    guides: RwLock<Arc<GuideLibrary>>,
    pub picker: Picker,
    pub config: Config,
    pub store: Store,
    /// Threads with an open interview, so ordinary channel messages are
    /// dismissed without a database query. Short critical sections, no awaits.
    open_threads: Mutex<HashSet<u64>>,
    /// Open interviews' states as their last answer left them, so the next
    /// answer need not read and decode them (checked by the store; see `live`).
    live: live::Live,
    /// Outbox items being posted right now, so the start-up flush and a live
    /// answer never post the same item twice.
    posting: Mutex<HashSet<i64>>,
    /// Threads where the bot already said it cannot read message text.
    told_to_use_button: Mutex<HashSet<u64>>,
}

impl Data {
    pub fn new(config: Config, guides: GuideLibrary, store: Store) -> Data {
        Data {
            shared: Arc::new(Shared {
                guides: RwLock::new(Arc::new(guides)),
                picker: Picker::new(),
                config,
                store,
                open_threads: Mutex::new(HashSet::new()),
                live: live::Live::default(),
                posting: Mutex::new(HashSet::new()),
                told_to_use_button: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The library in service now.
    pub fn guides(&self) -> Arc<GuideLibrary> {
        self.guides
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Puts `library` in service and hands back the one it replaces, so the caller
    /// chooses where that (large) library is freed.
    pub fn swap_guides(&self, library: GuideLibrary) -> Arc<GuideLibrary> {
        let library = Arc::new(library);
        let mut guard = self.guides.write().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *guard, library)
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

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
