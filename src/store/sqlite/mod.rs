//! The SQLite backend: the default, one database file beside the bot.
//!
//! Its tables are created by the scripts in `migrations/sqlite/`. Discord ids are `u64`
//! stored bit for bit in SQLite's `i64`.
//!
//! **Threads.** SQLite calls block, so each store call is one job on a database thread
//! (`worker.rs`): writes, in order, on the one writer thread (SQLite admits one writer at a
//! time, and a queue wastes no time where its busy handler polls by sleeping), reads on a
//! few reader threads that WAL lets run beside it. Writes take SQLite's write lock at their
//! start (`BEGIN IMMEDIATE`), so a call's checks and writes see one state even against
//! another process; a process that holds the lock is waited for up to the busy timeout
//! ([`OpenOptions::busy_timeout`]), then the call fails with [`StoreError::Busy`]. The bot
//! opens its file exclusively ([`OpenOptions::exclusive`]), so a second bot on it is refused.
//!
//! **Durability.** WAL with `synchronous = NORMAL`: a commit survives the process being
//! killed, not the kernel losing power before the page cache reaches the disk (the file
//! stays consistent; the last commits may be lost). Practice interviews are not worth an
//! `fsync` per commit.

mod answers;
mod coordination;
mod daily;
mod interviews;
mod migrate;
mod open;
mod outbox;
mod pairs;
mod progress;
mod rows;
mod sweep;
mod worker;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use rusqlite::Connection;

use crate::store::contract::Outbox;
use crate::store::error::{self, StoreError};

pub use open::OpenOptions;

use outbox::Marks;
use worker::Workers;

/// How often the store's background task checkpoints the WAL and retries "posted" marks
/// whose write failed.
const MAINTAIN_EVERY: Duration = Duration::from_secs(1);

/// The SQLite backend. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct Sqlite {
    inner: Arc<Shared>,
}

/// What the clones of a [`Sqlite`] share.
#[derive(Debug)]
struct Shared {
    path: PathBuf,
    /// How long a call waits for a lock held by another process.
    busy_timeout: Duration,
    /// The thread (and connection) this process writes through.
    writer: Workers,
    /// Threads with read connections; WAL lets them read while the writer writes.
    readers: Workers,
    /// "Posted" marks waiting to be written (see [`Outbox::mark_posted_soon`](crate::store::Outbox::mark_posted_soon)).
    marks: Arc<Marks>,
    /// The lock file of an exclusive open, held until the store is closed or dropped.
    lock: Mutex<Option<std::fs::File>>,
}

impl fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Sqlite {
    /// Opens the SQLite database at `path`: see [`Store::open`](crate::store::Store::open).
    pub async fn open_with(
        path: impl AsRef<Path>,
        options: OpenOptions,
    ) -> Result<Sqlite, StoreError> {
        let inner = Arc::new(open::open(path.as_ref(), &options).await?);
        tokio::spawn(maintain(Arc::downgrade(&inner)));
        Ok(Sqlite { inner })
    }

    /// Closes every connection (checkpointing the WAL) and waits for that to finish. Later
    /// calls on any clone of this store fail. Optional: committed data is safe without it.
    pub async fn close(&self) {
        if let Err(error) = self.flush_posted_marks().await {
            tracing::warn!(path = %self.inner.path.display(), %error, "could not record the last posted messages; they will be posted again (with the same nonce) at the next start");
        }
        self.inner.readers.close().await;
        // The last connection to close checkpoints the WAL into the file.
        self.inner.writer.close().await;
        // Dropping the lock file ends an exclusive open's lock.
        self.inner
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Runs `work` on the writer thread, in a write transaction, and returns once it is
    /// committed. `work` may run more than once (see the worker's group commit).
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let result = self.inner.writer.run(work).await;
        result.map_err(|error| self.inner.busy(error))
    }

    /// Runs `work` on a reader thread.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnMut(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let result = self.inner.readers.run(work).await;
        result.map_err(|error| self.inner.busy(error))
    }
}

impl Shared {
    /// `error`, or [`StoreError::Busy`] if SQLite gave up waiting for a lock.
    fn busy(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Query { op, source } if error::is_busy(&source) => StoreError::Busy {
                database: self.path.display().to_string(),
                op,
                timeout: self.busy_timeout,
            },
            other => other,
        }
    }

    /// Copies what the WAL holds into the database file without waiting for (or holding
    /// up) the writer or readers (`PASSIVE`); cheap when there is nothing new. Runs on a
    /// reader, so writes go on meanwhile.
    async fn checkpoint(&self) -> Result<(), StoreError> {
        self.readers
            .run(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    .map_err(StoreError::query("checkpoint the write-ahead log"))
            })
            .await
    }
}

/// The store's background work, off every caller's path: checkpointing the WAL (the
/// writer does not, so that no commit waits for one), and writing "posted" marks still
/// queued after a failed write. It holds only a weak handle, so it ends with the last
/// `Sqlite`.
async fn maintain(shared: Weak<Shared>) {
    let mut tick = tokio::time::interval(MAINTAIN_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = shared.upgrade() else {
            return;
        };
        if let Err(error) = inner.checkpoint().await {
            tracing::debug!(%error, "checkpoint skipped");
        }
        if inner.marks.waiting() {
            let store = Sqlite { inner };
            if let Err(error) = store.flush_posted_marks().await {
                tracing::warn!(%error, "could not record posted messages; they stay queued");
            }
        }
    }
}

#[async_trait::async_trait]
impl crate::store::Backend for Sqlite {
    fn location(&self) -> String {
        self.inner.path.display().to_string()
    }

    async fn close(&self) {
        Sqlite::close(self).await;
    }
}
