//! interview-coach: a Discord bot, and a terminal coach, for job-interview practice.
//!
//! The crate is layered. Each layer uses only the layers below it, never one above:
//!
//! ```text
//! cli          discord        front ends: terminal input or Discord events in, text out
//!    \          /
//!     session                 use cases: mock interviews, peer pairs, sweeps, reloads
//!    /          \
//! coach        store          selection, engine, feedback | SQLite persistence
//!    \          /
//!      guide                  guide and cue files: format, loading, validation
//! ```
//!
//! - [`guide`] — guide files (TOML) and the feedback cue file: format, loading, validation
//!   (every problem at once, as `path:line:column`), templates, levels, and the strict
//!   check's guide-level lints.
//! - [`coach`] — question selection, the mock-interview engine (a pure state machine), the
//!   answer analyser, the strict check of the guides' example answers, the daily question's
//!   rules (schedule, timing across time zones, rotation, streaks), and a member's progress
//!   over time (figures, summary, PNG chart).
//! - [`store`] — SQLite persistence of interviews, answers and the outbox, and of peer
//!   interviews (queue, pairs, rounds, scorecards).
//! - [`session`] — the use cases, Discord-free: what the bot and `practice` both call.
//! - [`discord`] — the bot: translates events into session calls and posts what comes back;
//!   the only module that uses serenity or poise.
//! - [`cli`] — the `interview-coach` command line: `check`, `roles`, `show`, `practice`
//!   (recorded in a local database with `--db`), `progress`, `forget`, `feedback`, `run`.
//!
//! Beside the layers: [`config`] (the bot's config file, read by `session`, `cli` and
//! `discord`), [`messages`] (every user-facing string; it words coach, guide and store values
//! for `session` and the front ends) and [`exit`] (the process's exit codes).

pub mod cli;
pub mod coach;
pub mod config;
pub mod discord;
pub mod exit;
pub mod guide;
pub mod messages;
pub mod session;
pub mod store;
