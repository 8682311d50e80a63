//! Opening the database: the path, the folder, the optional lock file, the connections
//! and their settings, then the start-up checks and migrations
//! ([`migrate`](super::migrate)) before any other connection exists.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::migrate::prepare;
use super::worker::Workers;
use super::Shared;
use crate::store::error::{is_busy, one_line, StoreError};

/// Reader threads (and connections). WAL lets them read beside the one writer; a thread
/// reply reads one row, so two are plenty on the machines the bot runs on, and a slow read
/// (`/history`, a sweep) does not hold up the others.
const READERS: usize = 2;

/// Prepared statements kept per connection: every statement the store runs, parsed once
/// (the interviews' and the peer interviews' together number under 80).
const STATEMENT_CACHE: usize = 96;

/// How to open a [`Store`](crate::store::Store): `OpenOptions::default()`, then the builder
/// methods for what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// How long a call waits for another process that holds the database's lock before it
    /// fails with [`StoreError::Busy`]. Default: 5 s. Writes here are a handful of rows,
    /// so waiting longer means something is wrong.
    pub busy_timeout: Duration,
    /// Take an OS lock on `<database>.lock` beside the file for the store's lifetime, so
    /// that a second exclusive open (another bot on the same file) fails with
    /// [`StoreError::InUse`]. Default: off.
    pub exclusive: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            busy_timeout: Duration::from_secs(5),
            exclusive: false,
        }
    }
}

impl OpenOptions {
    /// Sets [`busy_timeout`](Self::busy_timeout).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Sets [`exclusive`](Self::exclusive).
    pub fn exclusive(mut self, exclusive: bool) -> Self {
        self.exclusive = exclusive;
        self
    }
}

/// Opens the SQLite database at `path`: see [`Store::open`](super::Store::open).
pub(super) async fn open(path: &Path, options: &OpenOptions) -> Result<Shared, StoreError> {
    let path = path.to_path_buf();
    refuse_in_memory(&path)?;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| StoreError::CreateDir {
                path: path.clone(),
                dir: dir.to_path_buf(),
                source,
            })?;
    }
    let (opening, options) = (path.clone(), options.clone());
    let (lock, (writer, readers, applied)) = tokio::task::spawn_blocking(move || {
        // Before SQLite touches the file: a second bot must not migrate it either.
        let lock = match options.exclusive {
            true => Some(lock_beside(&opening)?),
            false => None,
        };
        Ok::<_, StoreError>((lock, open_connections(&opening, options.busy_timeout)?))
    })
    .await
    .map_err(|_| StoreError::OpenPanicked { path: path.clone() })??;
    let writer = Workers::writer("sqlite-writer", writer).map_err(StoreError::Threads)?;
    let readers = Workers::readers("sqlite-reader", readers).map_err(StoreError::Threads)?;
    tracing::info!(
        path = %path.display(),
        migrations_applied = applied,
        exclusive = lock.is_some(),
        "opened the interview store"
    );
    Ok(Shared {
        path,
        busy_timeout: options.busy_timeout,
        writer,
        readers,
        marks: Arc::default(),
        lock: Mutex::new(lock),
    })
}

/// Refuses the names SQLite keeps in memory rather than in a file.
fn refuse_in_memory(path: &Path) -> Result<(), StoreError> {
    let text = path.to_string_lossy();
    let what = if text.is_empty() {
        "empty (SQLite's temporary database)"
    } else if text == ":memory:" {
        "SQLite's in-memory database"
    } else if text.starts_with("file:") {
        // SQLite reads it as a URI, which may say `mode=memory` or name `:memory:`.
        "an SQLite URI"
    } else {
        return Ok(());
    };
    Err(StoreError::NotAFile {
        path: path.to_path_buf(),
        what,
    })
}

/// Takes an exclusive `flock` on `<path>.lock` (created if missing) and writes our process
/// id into it. The lock lasts as long as the returned file is open, and ends with the
/// process however it ends; the file itself stays.
fn lock_beside(path: &Path) -> Result<File, StoreError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock = PathBuf::from(name);
    let lock_err = |source| StoreError::Lock {
        path: path.to_path_buf(),
        lock: lock.clone(),
        source,
    };
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .map_err(lock_err)?;
    // SAFETY: `flock` on a descriptor that `file` owns and keeps open for the call.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::WouldBlock {
            return Err(lock_err(error));
        }
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(StoreError::InUse {
            path: path.to_path_buf(),
            lock: lock.clone(),
            pid: holder.trim().parse().ok(),
        });
    }
    // For the message a second process shows; the lock works without it.
    let pid = format!("{}\n", std::process::id());
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()));
    if let Err(error) = written {
        tracing::debug!(lock = %lock.display(), %error, "could not write the process id into the lock file");
    }
    Ok(file)
}

/// Opens one connection with the settings every connection of ours uses. Each connection
/// is used by one thread only, so SQLite's own per-connection mutex is left out.
fn connect(path: &Path, create: bool, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Deleted rows are overwritten with zeros, so what `/forget-me` and retention delete
    // leaves the file (and, once checkpointed, the write-ahead log).
    conn.pragma_update(None, "secure_delete", true)?;
    Ok(conn)
}

/// Opens the file, checks and migrates it, and returns the writer's and the readers'
/// connections with the number of migrations applied. Blocking.
fn open_connections(
    path: &Path,
    busy_timeout: Duration,
) -> Result<(Connection, Vec<Connection>, usize), StoreError> {
    let error = |source: rusqlite::Error| match source.sqlite_error_code() {
        // A damaged page can make a check's own query fail rather than report a problem.
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path: path.to_path_buf(),
            detail: one_line(&source.to_string()),
        },
        _ if is_busy(&source) => StoreError::Busy {
            database: path.display().to_string(),
            op: "open it",
            timeout: busy_timeout,
        },
        _ => StoreError::Open {
            path: path.to_path_buf(),
            source,
        },
    };
    // The writer's connection does the start-up work before any other exists: nothing may
    // touch the schema before the checks have passed.
    let mut writer = connect(path, true, busy_timeout).map_err(error)?;
    // Two processes creating the same new file race on switching it to WAL, and SQLite
    // reports that race as busy at once, without waiting in the busy handler; so a busy
    // start-up is tried again, with the same overall budget as any other wait.
    let deadline = std::time::Instant::now() + busy_timeout;
    let applied = loop {
        match prepare(&mut writer, path, error) {
            Err(StoreError::Busy { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            done => break done?,
        }
    };
    // The writer never checkpoints: SQLite's automatic checkpoint would copy the WAL into
    // the database and fsync it in the commit path of every 1,000th write. The store's
    // background task checkpoints from a reader instead.
    writer
        .pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(error)?;
    let readers = (0..READERS)
        .map(|_| connect(path, false, busy_timeout))
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(error)?;
    Ok((writer, readers, applied))
}
