//! `[storage]`: where the bot keeps what it must not forget (an SQLite file, or a
//! PostgreSQL database shared by several processes), and for how long.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// The SQLite database file (a real file: not empty, not `:memory:`); unused when
    /// `url` is set.
    pub path: PathBuf,
    /// A PostgreSQL database (`postgres://…`) instead of the SQLite file: the store that
    /// several processes of a sharded bot share. A secret: it may hold a password.
    pub url: Option<Secret>,
    /// Finished interviews older than this are deleted (at least 1).
    pub retention_days: u32,
    /// How long a store call waits for a lock held by another process before
    /// it fails as busy (100 to 60000).
    pub busy_timeout_ms: u32,
}

/// The range of `[storage] busy_timeout_ms`: shorter fails on an ordinary
/// checkpoint, longer outlasts every reply Discord still accepts.
pub(super) const BUSY_TIMEOUT_MS: std::ops::RangeInclusive<u32> = 100..=60_000;

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            path: PathBuf::from("data/interview-coach.db"),
            url: None,
            retention_days: 180,
            busy_timeout_ms: 5000,
        }
    }
}

/// Why `path` cannot hold the database, if it cannot. SQLite gives every
/// connection its own empty database for `""` and `":memory:"`, so the bot
/// would run and save nothing.
pub(super) fn database_path_problem(path: &Path) -> Option<String> {
    let text = path.to_string_lossy();
    if text.trim().is_empty() || text == ":memory:" {
        Some(format!(
            "must be a database file path, not {text:?}: SQLite would keep a separate temporary database per connection, and nothing would be saved"
        ))
    } else if text.ends_with('/') || path.is_dir() {
        Some(format!(
            "must be a database file path, not the folder {text:?}"
        ))
    } else {
        None
    }
}

/// Why `url` cannot name the PostgreSQL database, if it cannot: it must be a
/// `postgres://` (or `postgresql://`) URL that tokio-postgres accepts. The message
/// never repeats the URL, which may hold a password.
pub(super) fn postgres_url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Some(
            "must be a PostgreSQL URL such as \"postgres://bot@db.example/interview_coach\" \
             (it starts with postgres:// or postgresql://)"
                .into(),
        );
    }
    match url.parse::<tokio_postgres::Config>() {
        Ok(_) => None,
        Err(error) => Some(format!(
            "is not a PostgreSQL URL tokio-postgres accepts: {error}"
        )),
    }
}
