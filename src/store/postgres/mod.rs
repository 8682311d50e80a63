//! The PostgreSQL backend: one database shared by every process of a sharded bot.
//!
//! Its tables are created by the scripts in `migrations/postgres/`, the same tables as
//! SQLite's with PostgreSQL's types (`BIGINT` ids and times, `BOOLEAN`, `JSONB`-free
//! `TEXT` JSON checked on write by the code that writes it). Discord ids are `u64` stored
//! bit for bit in `BIGINT`, as in SQLite.
//!
//! **Connections.** A pool (deadpool-postgres) of at most [`POOL_SIZE`] connections, each
//! with its own cache of prepared statements. A call that waits longer than the busy
//! timeout for a connection, or for a row lock another process holds (`lock_timeout`),
//! fails with [`StoreError::Busy`], as an SQLite call does when the file's lock stays
//! taken.
//!
//! **Transactions.** Every write is one transaction (the [`transaction!`] macro), by
//! default `SERIALIZABLE`: its checks and writes behave as if no other call ran beside
//! it, in this process or any other, which is what SQLite's one writer gives the other
//! backend. When PostgreSQL aborts one of two racing transactions (serialization failure
//! or deadlock), the loser runs again from the start, up to [`ATTEMPTS`] times, so
//! callers see the same results either backend would give.
//!
//! The calls of a thread reply (recording an answer, queueing and marking posts) run
//! `READ COMMITTED` instead, taking the interview's row with `FOR UPDATE` before they
//! read anything else: one interview's answers still go one at a time, and answers to
//! different interviews no longer conflict. Under `SERIALIZABLE` they did: the
//! predicate locks behind it cover index pages, not rows, and every answer reads and
//! writes the newest pages of the same indexes, so in a burst answers to different
//! interviews aborted each other (in the benchmark, more than one abort per reply with
//! two processes, and some replies lost after exhausting the retries).
//!
//! **TLS.** `sslmode=disable` connects in plain text; `prefer` (the default) and `require`
//! use TLS (rustls), verifying the server against the Mozilla root certificates that
//! `webpki-roots` bundles, so no system certificate store is read.

/// Runs `$body` in a transaction on a pooled connection (`SERIALIZABLE`, unless an
/// isolation level is named before the body, such as `ReadCommitted`), with `$tx`
/// naming the transaction, and commits it; runs it again from the start when PostgreSQL aborts
/// it for a conflict with a concurrent transaction. Evaluates to `Result<T, StoreError>`;
/// inside `$body`, `?` ends this attempt (rolled back) with its error.
///
/// A macro rather than a function taking a closure: the body borrows the call's
/// arguments and the transaction, which a closure returning a boxed future cannot do
/// without higher-ranked lifetime workarounds.
macro_rules! transaction {
    ($store:expr, $op:expr, |$tx:ident| $body:block) => {
        transaction!($store, $op, Serializable, |$tx| $body)
    };
    ($store:expr, $op:expr, $level:ident, |$tx:ident| $body:block) => {{
        let store: &$crate::store::postgres::Postgres = &$store;
        let op: &'static str = $op;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut client = match store.client(op).await {
                Ok(client) => client,
                Err(error) => break Err(error),
            };
            let level = tokio_postgres::IsolationLevel::$level;
            let $tx = match store.begin(&mut client, op, level).await {
                Ok(tx) => tx,
                Err(error) => break Err(error),
            };
            let result: Result<_, $crate::store::StoreError> = async { $body }.await;
            match store.finish($tx, result, op, attempt).await {
                $crate::store::postgres::Finished::Done(result) => break result,
                $crate::store::postgres::Finished::Retry => continue,
            }
        }
    }};
}

mod answers;
mod coordination;
mod daily;
mod interviews;
mod migrate;
mod outbox;
mod pairs;
mod progress;
mod rows;
mod sweep;
mod tls;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Transaction};
use tokio_postgres::error::SqlState;
use tokio_postgres::IsolationLevel;

use crate::store::error::{pg_detail, StoreError};

/// Connections per process. The bot's calls are short; more connections than a few per
/// core only add contention on the server. PostgreSQL's default `max_connections` is 100,
/// so a dozen bot processes fit beside other clients.
pub(crate) const POOL_SIZE: usize = 8;

/// How often a transaction that lost a race with another is run again before the call
/// fails. Conflicts need two calls on the same rows at the same instant; ten in a row
/// means something else is wrong.
pub(crate) const ATTEMPTS: u32 = 10;

/// The PostgreSQL backend. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Postgres {
    inner: Arc<Shared>,
}

struct Shared {
    pool: Pool,
    /// The URL without its password, for logs and messages.
    location: String,
    busy_timeout: Duration,
    /// "Posted" marks waiting to be written (see `outbox.rs`).
    marks: outbox::Marks,
}

impl fmt::Debug for Postgres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Postgres")
            .field("location", &self.inner.location)
            .finish()
    }
}

/// What [`Postgres::finish`] decided about one attempt of a [`transaction!`].
pub(crate) enum Finished<T> {
    Done(Result<T, StoreError>),
    Retry,
}

impl Postgres {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db?…`),
    /// checks it is ours (or empty) and applies pending migrations. `busy_timeout` bounds
    /// every wait for a connection or a lock.
    pub async fn connect(url: &str, busy_timeout: Duration) -> Result<Postgres, StoreError> {
        let location = redact(url);
        let mut config =
            url.parse::<tokio_postgres::Config>()
                .map_err(|error| StoreError::BadUrl {
                    url: location.clone(),
                    detail: error.to_string(),
                })?;
        // Waiting for a row lock longer than the busy timeout fails the statement (55P03),
        // which `busy` turns into StoreError::Busy; options already in the URL (a
        // search_path, say) are kept.
        let lock_timeout = format!("-c lock_timeout={}", busy_timeout.as_millis());
        let options = match config.get_options() {
            Some(given) if !given.trim().is_empty() => format!("{given} {lock_timeout}"),
            _ => lock_timeout,
        };
        config.options(&options);
        config.connect_timeout(busy_timeout.max(Duration::from_secs(1)));
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match config.get_ssl_mode() {
            tokio_postgres::config::SslMode::Disable => {
                Manager::from_config(config, tokio_postgres::NoTls, manager_config)
            }
            _ => Manager::from_config(config, tls::connector(), manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(busy_timeout))
            .create_timeout(Some(busy_timeout.max(Duration::from_secs(1))))
            .recycle_timeout(Some(busy_timeout))
            .build()
            .map_err(|error| StoreError::BadUrl {
                url: location.clone(),
                detail: error.to_string(),
            })?;
        let store = Postgres {
            inner: Arc::new(Shared {
                pool,
                location,
                busy_timeout,
                marks: outbox::Marks::default(),
            }),
        };
        let mut client = store.inner.pool.get().await.map_err(|error| {
            let detail = match &error {
                deadpool_postgres::PoolError::Backend(source) => pg_detail(source),
                other => other.to_string(),
            };
            StoreError::Connect {
                database: store.inner.location.clone(),
                detail,
            }
        })?;
        let applied = migrate::prepare(&mut client, &store.inner.location).await?;
        tracing::info!(
            database = %store.inner.location,
            migrations_applied = applied,
            "opened the interview store"
        );
        Ok(store)
    }

    /// A pooled connection, waiting at most the busy timeout for one.
    pub(crate) async fn client(&self, op: &'static str) -> Result<Object, StoreError> {
        self.inner.pool.get().await.map_err(|error| match error {
            deadpool_postgres::PoolError::Timeout(_) => StoreError::Busy {
                database: self.inner.location.clone(),
                op,
                timeout: self.inner.busy_timeout,
            },
            deadpool_postgres::PoolError::Backend(source) => self.error(op, source),
            deadpool_postgres::PoolError::Closed => StoreError::Closed,
            other => StoreError::Connect {
                database: self.inner.location.clone(),
                detail: other.to_string(),
            },
        })
    }

    /// Starts a `SERIALIZABLE` transaction on `client`.
    pub(crate) async fn begin<'c>(
        &self,
        client: &'c mut Object,
        op: &'static str,
        level: IsolationLevel,
    ) -> Result<Transaction<'c>, StoreError> {
        client
            .build_transaction()
            .isolation_level(level)
            .start()
            .await
            .map_err(|source| self.error(op, source))
    }

    /// Commits the transaction if `result` is a success, rolls it back otherwise, and
    /// says whether to run it again: after a serialization failure or a deadlock (in the
    /// body or at the commit), while attempts remain.
    pub(crate) async fn finish<T>(
        &self,
        tx: Transaction<'_>,
        result: Result<T, StoreError>,
        op: &'static str,
        attempt: u32,
    ) -> Finished<T> {
        let result = match result {
            Ok(value) => tx
                .commit()
                .await
                .map(|()| value)
                .map_err(|source| self.error(op, source)),
            // Dropping the transaction rolls it back.
            Err(error) => Err(error),
        };
        match result {
            Err(error) if retryable(&error) && attempt < ATTEMPTS => {
                tracing::debug!(
                    op,
                    attempt,
                    "transaction conflicted with another; running it again"
                );
                // A short, growing pause lets the other transaction finish first.
                let jitter = u64::from(rand::random::<u8>() % 8);
                tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 2 + jitter)).await;
                Finished::Retry
            }
            other => Finished::Done(other.map_err(|error| self.busy(error))),
        }
    }

    /// `error`, or [`StoreError::Busy`] if it is a lock wait that ran out.
    fn busy(&self, error: StoreError) -> StoreError {
        match error {
            StoreError::Postgres { op, source } => self.error(op, source),
            other => other,
        }
    }

    /// `source` as a [`StoreError`]: [`StoreError::Busy`] if it is a lock wait that ran
    /// out (`lock_timeout`), else [`StoreError::Postgres`].
    pub(crate) fn error(&self, op: &'static str, source: tokio_postgres::Error) -> StoreError {
        if source.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            return StoreError::Busy {
                database: self.inner.location.clone(),
                op,
                timeout: self.inner.busy_timeout,
            };
        }
        StoreError::Postgres { op, source }
    }
}

/// Whether PostgreSQL aborted the transaction for a conflict that running it again
/// resolves.
fn retryable(error: &StoreError) -> bool {
    match error {
        StoreError::Postgres { source, .. } => matches!(
            source.code(),
            Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
        ),
        _ => false,
    }
}

/// The URL without its password (`postgres://bot:***@host/db`), for logs and messages.
pub(crate) fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        // Key-value strings ("host=… password=…"): drop the password pair.
        Err(_) => url
            .split_whitespace()
            .filter(|pair| !pair.starts_with("password="))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[async_trait::async_trait]
impl crate::store::Backend for Postgres {
    fn location(&self) -> String {
        self.inner.location.clone()
    }

    async fn close(&self) {
        if self.marks_waiting() {
            if let Err(error) = crate::store::Outbox::flush_posted_marks(self).await {
                tracing::warn!(database = %self.inner.location, %error, "could not record the last posted messages; they will be posted again (with the same nonce) at the next start");
            }
        }
        self.inner.pool.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redact("postgres://bot:s3cret@db.example:5432/coach?sslmode=require"),
            "postgres://bot:***@db.example:5432/coach?sslmode=require"
        );
        assert_eq!(
            redact("host=/run/pg user=bot password=s3cret dbname=coach"),
            "host=/run/pg user=bot dbname=coach"
        );
        assert_eq!(
            redact("postgresql://bot@localhost/coach"),
            "postgresql://bot@localhost/coach"
        );
    }
}
