//! [`StoreError`]: everything that can go wrong in the store, each as one line of text.

use std::path::PathBuf;
use std::time::Duration;

use super::model::InterviewId;

/// An error from the store.
///
/// The `Display` of every variant is a single line that says what was being done and, for
/// anything that happens while opening, which file; the underlying error's text is part of
/// that line (and is also available through [`std::error::Error::source`] for code that
/// wants to inspect it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The folder that should hold the database could not be created.
    #[error("cannot create the folder {} for the database {}: {source}", dir.display(), path.display())]
    CreateDir {
        path: PathBuf,
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not open (or create) the file, or it is not an SQLite database.
    #[error("cannot open the database {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file is an SQLite database, but its integrity check failed.
    #[error("the database {} is damaged: {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },
    /// The database (an SQLite file, or a PostgreSQL schema) belongs to something else.
    #[error("{database} is not an interview-coach database: {detail}")]
    Foreign { database: String, detail: String },
    /// A schema migration could not be applied.
    #[error("cannot migrate the database {} to schema version {version}: {source}", path.display())]
    Migrate {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    /// The database's schema is newer than this build knows: a newer release wrote it.
    #[error("the database {database} has schema version {found}, newer than this build's {known}: run a newer interview-coach, or restore a backup")]
    TooNew {
        database: String,
        found: i64,
        known: i64,
    },
    /// The path names no file SQLite would keep: `:memory:`, an empty path, or an
    /// in-memory URI. Each connection would get its own database, and nothing be saved.
    #[error("the database path {path:?} is {what}: each connection would get its own empty database and nothing would be saved; give a file path such as data/coach.db")]
    NotAFile { path: PathBuf, what: &'static str },
    /// Another connection (another process) held the database's lock for longer than the
    /// busy timeout, or (PostgreSQL) every pooled connection stayed taken for that long.
    /// Nothing of this call was kept; it can be tried again.
    #[error("the database {database} is busy: its lock (or every connection) stayed taken for more than {} ms, so could not {op}", timeout.as_millis())]
    Busy {
        database: String,
        op: &'static str,
        timeout: Duration,
    },
    /// An exclusive open found the database's lock file held: another bot is running on
    /// the same file.
    #[error("another interview-coach process{} is using the database {}: stop it, or give this one another storage path (lock file {})", pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default(), path.display(), lock.display())]
    InUse {
        path: PathBuf,
        lock: PathBuf,
        pid: Option<u32>,
    },
    /// The lock file beside the database could not be created or locked.
    #[error("cannot lock the database {} with the lock file {}: {source}", path.display(), lock.display())]
    Lock {
        path: PathBuf,
        lock: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The threads that run the database's work could not be started.
    #[error("cannot start the database threads: {0}")]
    Threads(#[source] std::io::Error),
    /// A query failed after the store was open.
    #[error("database error while trying to {op}: {source}")]
    Query {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The PostgreSQL URL could not be used: not a URL, or an option tokio-postgres does
    /// not know.
    #[error("[storage] url {url} is not a usable PostgreSQL URL: {detail}")]
    BadUrl { url: String, detail: String },
    /// The PostgreSQL server could not be reached, or refused the connection (password,
    /// missing database, TLS).
    #[error("cannot connect to the PostgreSQL database {database}: {detail}")]
    Connect { database: String, detail: String },
    /// A PostgreSQL migration could not be applied.
    #[error(
        "cannot migrate the PostgreSQL database {database} to schema version {version}: {detail}"
    )]
    PgMigrate {
        database: String,
        version: i64,
        detail: String,
    },
    /// A PostgreSQL query failed after the store was open.
    #[error("database error while trying to {op}: {}", pg_detail(source))]
    Postgres {
        op: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A write transaction shared by several calls could not begin or commit (see the
    /// store's group commit): none of their writes were kept.
    #[error("database error while trying to {op}: {detail}")]
    Batch { op: &'static str, detail: String },
    /// The store was closed (the bot is shutting down).
    #[error("the database is closed")]
    Closed,
    /// Opening, checking or migrating the file panicked (a bug); nothing was changed
    /// that SQLite did not roll back.
    #[error("opening the database at {} failed unexpectedly (a bug in interview-coach); see the log", .path.display())]
    OpenPanicked { path: PathBuf },
    /// A database job panicked; its transaction was rolled back.
    #[error("a database operation failed unexpectedly and was rolled back")]
    JobPanicked,
    /// The interview does not exist (never did, or was deleted by `/forget-me` or retention).
    #[error("interview {0} does not exist")]
    NotFound(InterviewId),
    /// `close_*` was asked to set the status `open`.
    #[error("an interview cannot be closed with the status \"open\"")]
    CloseAsOpen,
    /// A stored value could not be turned back into its Rust type.
    #[error("invalid stored data: {0}")]
    InvalidRow(String),
}

impl StoreError {
    /// Builds a mapper for `map_err` that tags an SQLite error with the operation.
    pub(crate) fn query(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Query { op, source }
    }
}

/// The most useful one-line text of a PostgreSQL error: the server's message with its
/// code, or the client's.
pub(crate) fn pg_detail(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => one_line(&format!("{} ({})", db.message(), db.code().code())),
        None => one_line(&error.to_string()),
    }
}

/// Whether SQLite gave up waiting for a lock (the busy timeout ran out).
pub(crate) fn is_busy(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

/// A copy of an SQLite error, for each of the jobs it fails (`rusqlite::Error` is not
/// `Clone`); `None` for errors that did not come from SQLite itself.
pub(crate) fn copy_sqlite_error(error: &rusqlite::Error) -> Option<rusqlite::Error> {
    match error {
        rusqlite::Error::SqliteFailure(code, message) => {
            Some(rusqlite::Error::SqliteFailure(*code, message.clone()))
        }
        _ => None,
    }
}

/// Joins lines of diagnostic text into one line, so every `Display` stays on one line.
pub(crate) fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_lines_and_drops_blank_ones() {
        assert_eq!(one_line("a\n\n b \r\nc"), "a; b; c");
        assert_eq!(one_line("single"), "single");
    }

    #[test]
    fn displays_name_the_path_on_one_line() {
        let err = StoreError::Damaged {
            path: PathBuf::from("/data/coach.db"),
            detail: one_line("row 3 missing\npage 7 never used"),
        };
        let text = err.to_string();
        assert!(text.contains("/data/coach.db"), "{text}");
        assert!(!text.contains('\n'), "{text}");

        let err = StoreError::CreateDir {
            path: PathBuf::from("/x/y/coach.db"),
            dir: PathBuf::from("/x/y"),
            source: std::io::Error::other("Not a directory"),
        };
        assert_eq!(
            err.to_string(),
            "cannot create the folder /x/y for the database /x/y/coach.db: Not a directory"
        );
    }
}
