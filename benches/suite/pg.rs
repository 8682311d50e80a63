//! PostgreSQL for the suite's PostgreSQL parts: where the database is, a fresh schema for
//! each bot or floor that stores there, and the server's CPU time.
//!
//! The database comes from `INTERVIEW_COACH_TEST_POSTGRES_URL`, the variable the tests use
//! (`eval "$(.ci/postgres start)"` starts a throwaway cluster and exports it). Without it
//! the PostgreSQL parts are skipped, and the report says so.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The variable that holds the database's URL.
pub const URL_ENV: &str = "INTERVIEW_COACH_TEST_POSTGRES_URL";

/// The database's URL, if one is set.
pub fn url() -> Option<String> {
    std::env::var(URL_ENV)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

async fn client(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("cannot connect to {URL_ENV}: {e}"))?;
    tokio::spawn(connection);
    Ok(client)
}

/// A schema of its own in the database: its name, and the URL that uses it (the schema
/// as the connection's `search_path`, as the tests do).
pub async fn fresh_schema(base: &str, what: &str) -> Result<(String, String), String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let schema = format!(
        "bench_{what}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    client(base)
        .await?
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .map_err(|e| format!("cannot create schema {schema}: {e}"))?;
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-csearch_path%3D{schema}");
    Ok((schema, url))
}

/// Drops the schemas a run made (the database is shared; a run leaves nothing behind).
pub async fn drop_schemas(base: &str, schemas: &[String]) {
    let Ok(c) = client(base).await else { return };
    for schema in schemas {
        if let Err(e) = c
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
        {
            eprintln!("   cannot drop schema {schema}: {e}");
        }
    }
}

/// The PostgreSQL server, for its CPU time: the postmaster and its children (one
/// backend per connection, and the background writers).
#[derive(Clone, Debug)]
pub struct Server {
    postmaster: u32,
    /// The server's log (its standard error), for counting serialization failures.
    log: Option<std::path::PathBuf>,
}

impl Server {
    /// Finds the server behind `url` when it runs on this machine and its data folder can be
    /// read (the postmaster's pid is the first line of `postmaster.pid`); else `None`, and
    /// the server's CPU is not reported.
    pub async fn find(url: &str) -> Option<Server> {
        let c = client(url).await.ok()?;
        let row = c.query_one("SHOW data_directory", &[]).await.ok()?;
        let dir: String = row.get(0);
        let pidfile = std::fs::read_to_string(format!("{dir}/postmaster.pid")).ok()?;
        let postmaster = pidfile.lines().next()?.trim().parse().ok()?;
        let log = std::fs::read_link(format!("/proc/{postmaster}/fd/2"))
            .ok()
            .filter(|p| p.is_file());
        let server = Server { postmaster, log };
        server.cpu().map(|_| server)
    }

    /// How long the server's log is now (a mark for [`Server::conflicts_since`]).
    pub fn log_mark(&self) -> Option<u64> {
        Some(std::fs::metadata(self.log.as_ref()?).ok()?.len())
    }

    /// Transactions PostgreSQL aborted for a conflict (serialization failure or deadlock)
    /// since `mark`: it logs each one as an error, at the moment it happens.
    pub fn conflicts_since(&self, mark: u64) -> Option<u64> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(self.log.as_ref()?).ok()?;
        file.seek(SeekFrom::Start(mark)).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        let n = text
            .lines()
            .filter(|l| {
                l.contains("ERROR:")
                    && (l.contains("could not serialize access") || l.contains("deadlock detected"))
            })
            .count();
        Some(n as u64)
    }

    /// CPU time the server has used so far: the postmaster's own and that of its children
    /// that have exited (`cutime`, `cstime`), and of the children still running.
    pub fn cpu(&self) -> Option<Duration> {
        let own = stat(self.postmaster)?;
        let mut ticks = own.utime + own.stime + own.cutime + own.cstime;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            if let Some(child) = stat(pid).filter(|s| s.ppid == self.postmaster) {
                ticks += child.utime + child.stime;
            }
        }
        Some(Duration::from_millis(ticks * 10))
    }
}

struct Stat {
    ppid: u32,
    utime: u64,
    stime: u64,
    cutime: u64,
    cstime: u64,
}

/// Fields of `/proc/PID/stat` (times in clock ticks of 10 ms).
fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
    Some(Stat {
        ppid: f.get(1)?.parse().ok()?,
        utime: n(11)?,
        stime: n(12)?,
        cutime: n(13)?,
        cstime: n(14)?,
    })
}
