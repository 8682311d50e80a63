//! The databases the store tests run on: every test written as `async fn name(db: TestDb)`
//! and listed in [`on_both_backends!`] runs twice, on a fresh SQLite file and on a fresh
//! PostgreSQL schema, so one suite holds both backends to the same contract.
//!
//! PostgreSQL comes from `INTERVIEW_COACH_TEST_POSTGRES_URL` (`.ci/postgres start` prints
//! it; `.ci/run` sets it). Each test gets its own schema in that database (`test_…`,
//! chosen with the URL's `search_path`), so tests run in parallel and a re-run starts
//! clean. Without the URL the PostgreSQL half of each test prints why it is skipped,
//! except under `CI=true`, where it fails: CI must run it.

#![allow(dead_code)] // Each test binary that includes this uses part of it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use interview_coach::store::{OpenOptions, Store};

/// The variable that holds the test database's URL.
pub const POSTGRES_URL: &str = "INTERVIEW_COACH_TEST_POSTGRES_URL";

/// One test's database, which it may open (and reopen, as after a restart) many times.
pub struct TestDb {
    /// Holds the SQLite file, and anything else a test wants on disk.
    pub dir: tempfile::TempDir,
    backend: Backend,
}

enum Backend {
    Sqlite(PathBuf),
    /// The URL with this test's schema as its search path, and the schema's name.
    Postgres {
        url: String,
        schema: String,
    },
}

/// The PostgreSQL URL for the tests, or `None` (after printing why) when there is none and
/// this is not CI.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => panic!(
            "CI=true but {POSTGRES_URL} is not set: the PostgreSQL tests must run in CI \
             (.ci/run starts a cluster with .ci/postgres and exports it)"
        ),
        _ => {
            eprintln!(
                "skipped on PostgreSQL: {POSTGRES_URL} is not set \
                 (eval \"$(.ci/postgres start)\" starts a throwaway cluster)"
            );
            None
        }
    }
}

/// A fresh schema in the test database, and the URL that uses it.
pub async fn fresh_schema(base: &str) -> (String, String) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let schema = format!(
        "test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let (client, connection) = tokio_postgres::connect(base, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL}: {e}"));
    let driver = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    drop(client);
    let _ = driver.await;
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-csearch_path%3D{schema}");
    (url, schema)
}

impl TestDb {
    /// A fresh SQLite file in a temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("coach.db");
        TestDb {
            dir,
            backend: Backend::Sqlite(path),
        }
    }

    /// A fresh PostgreSQL schema, or `None` when there is no test database (see the
    /// module docs).
    pub async fn postgres() -> Option<TestDb> {
        let base = postgres_url()?;
        let (url, schema) = fresh_schema(&base).await;
        Some(TestDb {
            dir: tempfile::tempdir().unwrap(),
            backend: Backend::Postgres { url, schema },
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// The SQLite file, for tests of what only a file has.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(path) => Some(path),
            Backend::Postgres { .. } => None,
        }
    }

    /// The PostgreSQL URL (with this test's schema), for configs and other processes.
    pub fn postgres_url(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres { url, .. } => Some(url),
        }
    }

    /// Opens the store, as the bot does at start.
    pub async fn open(&self) -> Store {
        self.open_with_busy(Duration::from_secs(5)).await
    }

    /// Opens the store with another busy timeout.
    pub async fn open_with_busy(&self, busy: Duration) -> Store {
        match &self.backend {
            Backend::Sqlite(path) => {
                Store::open_with(path, OpenOptions::default().busy_timeout(busy))
                    .await
                    .unwrap()
            }
            Backend::Postgres { url, .. } => Store::connect(url, busy).await.unwrap(),
        }
    }

    /// The single integer a query returns, read without going through the store.
    pub async fn count(&self, sql: &str) -> i64 {
        match &self.backend {
            Backend::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.query_row(sql, [], |row| row.get(0)).unwrap()
            }
            Backend::Postgres { .. } => {
                let row = self.postgres_client().await.query_one(sql, &[]).await;
                row.unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
            }
        }
    }

    /// Runs statements without going through the store (to damage or inspect data).
    pub async fn execute(&self, sql: &str) {
        match &self.backend {
            Backend::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.execute_batch(sql).unwrap();
            }
            Backend::Postgres { .. } => {
                let client = self.postgres_client().await;
                client
                    .batch_execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    /// A plain client on this test's schema.
    pub async fn postgres_client(&self) -> tokio_postgres::Client {
        let Backend::Postgres { url, .. } = &self.backend else {
            panic!("not a PostgreSQL test database");
        };
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    }
}

/// Runs each listed `async fn name(db: TestDb)` as two tests, `name::sqlite` and
/// `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::backends::TestDb::sqlite()).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::backends::TestDb::postgres().await {
                        super::$name(db).await
                    }
                }
            }
        )*
    };
}
