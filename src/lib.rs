//! interview-coach: a Discord bot, and a terminal coach, for job-interview practice.
//!
//! Layout, from the bottom up:
//! - [`guide`] — guide files (TOML): format, loading, validation, templates.
//! - [`coach`] — question selection and the mock-interview engine; no Discord here.
//! - [`store`] — SQLite persistence of interviews, answers and the outbox.
//! - [`messages`] — user-facing text shared by the terminal and Discord front ends.
//! - [`config`] — the bot's configuration file.
//! - [`session`] — the interview use cases over `coach` and `store`, with no Discord:
//!   what the bot and `practice` both call.
//! - [`discord`] — the bot: translates events into session calls and posts what
//!   comes back.
//! - [`cli`] — the `interview-coach` command line: `check`, `roles`, `show`, `practice`, `run`.
//! - [`exit`] — the process's exit codes, one per class of failure.

pub mod cli;
pub mod coach;
pub mod config;
pub mod discord;
pub mod exit;
pub mod guide;
pub mod messages;
pub mod session;
pub mod store;
