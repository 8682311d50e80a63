//! Opening the database: the folder, the connections and their settings, then the
//! start-up checks and migrations ([`migrate`](super::migrate)) before any other
//! connection exists.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::error::StoreError;
use super::migrate::prepare;
use super::worker::Workers;
use super::Shared;

/// How long a writer waits for another process's writer before giving up with "database is
/// locked". Writes here are a handful of rows, so waiting this long means something is wrong.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reader threads (and connections). WAL lets them read beside the one writer; a thread
/// reply reads one row, so two are plenty on the machines the bot runs on, and a slow read
/// (`/history`, a sweep) does not hold up the others.
const READERS: usize = 2;

/// Prepared statements kept per connection: every statement the store runs, parsed once.
const STATEMENT_CACHE: usize = 48;

/// Opens the SQLite database at `path`: see [`Store::open`](super::Store::open).
pub(super) async fn open(path: &Path) -> Result<Shared, StoreError> {
    let path = path.to_path_buf();
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| StoreError::CreateDir {
                path: path.clone(),
                dir: dir.to_path_buf(),
                source,
            })?;
    }
    let opening = path.clone();
    let (writer, readers, applied) =
        tokio::task::spawn_blocking(move || open_connections(&opening))
            .await
            .map_err(|_| StoreError::OpenPanicked { path: path.clone() })??;
    let writer = Workers::writer("sqlite-writer", writer).map_err(StoreError::Threads)?;
    let readers = Workers::readers("sqlite-reader", readers).map_err(StoreError::Threads)?;
    tracing::info!(
        path = %path.display(),
        migrations_applied = applied,
        "opened the interview store"
    );
    Ok(Shared {
        path,
        writer,
        readers,
        marks: Arc::default(),
    })
}

/// Opens one connection with the settings every connection of ours uses. Each connection
/// is used by one thread only, so SQLite's own per-connection mutex is left out.
fn connect(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(conn)
}

/// Opens the file, checks and migrates it, and returns the writer's and the readers'
/// connections with the number of migrations applied. Blocking.
fn open_connections(path: &Path) -> Result<(Connection, Vec<Connection>, usize), StoreError> {
    let open_err = |source| StoreError::Open {
        path: PathBuf::from(path),
        source,
    };
    // The writer's connection does the start-up work before any other exists: nothing may
    // touch the schema before the checks have passed.
    let mut writer = connect(path, true).map_err(open_err)?;
    let applied = prepare(&mut writer, path)?;
    // The writer never checkpoints: SQLite's automatic checkpoint would copy the WAL into
    // the database and fsync it in the commit path of every 1,000th write. The store's
    // background task checkpoints from a reader instead.
    writer
        .pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(open_err)?;
    let readers = (0..READERS)
        .map(|_| connect(path, false))
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(open_err)?;
    Ok((writer, readers, applied))
}
