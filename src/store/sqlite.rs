//! The SQLite backend of the [`Store`](super::Store).
//!
//! Each store call is one job on a database thread ([`Workers`]): the writer thread owns
//! the one connection this process writes through, a few reader threads own one read
//! connection each. A job does all of its call's work — checks and writes, or a query and
//! the decoding of its rows — before it hands its result back.
//!
//! Write jobs run inside a `BEGIN IMMEDIATE` transaction that the writer thread opens for
//! the jobs it finds queued, each job in a savepoint of its own, and return once it has
//! committed ([group commit](super::worker#group-commit)). `IMMEDIATE` takes SQLite's write
//! lock up front, so a job's checks and writes see the same data, and a writer in another
//! process waits in SQLite's busy handler (up to [`BUSY_TIMEOUT`]) instead of failing. A
//! plain `BEGIN` would start as a reader and try to upgrade at its first write, and in WAL
//! mode a failed upgrade is an immediate `SQLITE_BUSY` that the busy timeout does not
//! cover.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{
    params, params_from_iter, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior,
};

use super::error::{one_line, StoreError};
use super::model::{
    Answer, Applied, Created, Deleted, HistoryEntry, Interview, InterviewId, InterviewStatus,
    NewAnswer, NewInterview, NextState, OutboxId, OutboxItem, OutgoingMessage,
};
use super::worker::Workers;

/// How long a writer waits for another process's writer before giving up with "database is
/// locked". Writes here are a handful of rows, so waiting this long means something is wrong.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reader threads (and connections). WAL lets them read beside the one writer; a thread
/// reply reads one row, so two are plenty on the machines the bot runs on, and a slow read
/// (`/history`, a sweep) does not hold up the others.
const READERS: usize = 2;

/// Prepared statements kept per connection: every statement the store runs, parsed once.
const STATEMENT_CACHE: usize = 48;

/// `PRAGMA application_id` of our databases ("ICoa"), written into the SQLite header of a
/// fresh file so that pointing the bot at some other program's database is an error rather
/// than a schema migration of someone else's data.
pub(crate) const APPLICATION_ID: i32 = 0x4943_6f61;

/// The schema, one script per version, applied in order; `PRAGMA user_version` holds the
/// last version applied. Add a script at the end; never edit one that has shipped.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/0001_initial.sql"))];

/// Discord snowflakes are `u64`; SQLite integers are `i64`. The bits are stored as they
/// are, so every `u64` round-trips exactly (real snowflakes are below 2^63 anyway).
fn to_db(id: u64) -> i64 {
    id as i64
}

/// Inverse of [`to_db`].
fn from_db(value: i64) -> u64 {
    value as u64
}

fn read(source: rusqlite::Error) -> StoreError {
    StoreError::Query {
        op: "read a row",
        source,
    }
}

/// Marks an outbox item (`id`, the third parameter) as posted `at` (first) as Discord
/// message `message_id` (second), unless it is marked already: the first mark wins.
const MARK_POSTED: &str = "UPDATE outbox SET posted_at = ?, posted_message_id = ? \
                           WHERE id = ? AND posted_at IS NULL";

/// The column list [`interview_from_row`] reads, in a `SELECT` of the `interviews` table.
macro_rules! select_interview {
    ($rest:literal) => {
        concat!(
            "SELECT id, guild_id, thread_id, user_id, role_id, role_name, state_json, \
             format_version, revision, status, created_at, last_activity_at, finished_at \
             FROM interviews ",
            $rest
        )
    };
}

fn parse_status(text: &str) -> Result<InterviewStatus, StoreError> {
    InterviewStatus::from_db_str(text)
        .ok_or_else(|| StoreError::InvalidRow(format!("unknown interview status {text:?}")))
}

/// Reads a row of [`select_interview!`], by column position.
fn interview_from_row(row: &Row<'_>) -> Result<Interview, StoreError> {
    let format_version: i64 = row.get(7).map_err(read)?;
    let status: String = row.get(9).map_err(read)?;
    Ok(Interview {
        id: InterviewId(row.get(0).map_err(read)?),
        guild_id: from_db(row.get(1).map_err(read)?),
        thread_id: from_db(row.get(2).map_err(read)?),
        user_id: from_db(row.get(3).map_err(read)?),
        role_id: row.get(4).map_err(read)?,
        role_name: row.get(5).map_err(read)?,
        state_json: row.get(6).map_err(read)?,
        format_version: u32::try_from(format_version).map_err(|_| {
            StoreError::InvalidRow(format!("format_version {format_version} is out of range"))
        })?,
        revision: row.get(8).map_err(read)?,
        status: parse_status(&status)?,
        created_at: row.get(10).map_err(read)?,
        last_activity_at: row.get(11).map_err(read)?,
        finished_at: row.get(12).map_err(read)?,
    })
}

/// Runs a query and converts every row with `convert`.
fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    op: &'static str,
    mut convert: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(StoreError::query(op))?;
    let mut rows = statement.query(params).map_err(StoreError::query(op))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(StoreError::query(op))? {
        out.push(convert(row)?);
    }
    Ok(out)
}

/// The first row of a query, converted, if there is one.
fn first<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    op: &'static str,
    convert: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(StoreError::query(op))?;
    let mut rows = statement.query(params).map_err(StoreError::query(op))?;
    match rows.next().map_err(StoreError::query(op))? {
        Some(row) => convert(row).map(Some),
        None => Ok(None),
    }
}

/// Queues `messages` for `interview`, in order, on `conn` (inside the caller's transaction).
fn insert_outbox(
    conn: &Connection,
    interview: InterviewId,
    messages: &[OutgoingMessage],
    now: i64,
) -> Result<Vec<OutboxId>, StoreError> {
    let op = "queue an outgoing message";
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO outbox (interview_id, channel_id, payload_json, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .map_err(StoreError::query(op))?;
    messages
        .iter()
        .map(|message| {
            insert
                .execute(params![
                    interview.0,
                    to_db(message.channel_id),
                    message.payload_json,
                    now
                ])
                .map_err(StoreError::query(op))?;
            Ok(OutboxId(conn.last_insert_rowid()))
        })
        .collect()
}

/// Deletes the outbox items, answers and interviews selected by `filter` (a condition on
/// the `interviews` table with one `?` parameter, `param`), children first, on `conn`.
fn delete_interviews(conn: &Connection, filter: &str, param: i64) -> Result<Deleted, StoreError> {
    let op = "delete interviews";
    let delete = |sql: String| -> Result<u64, StoreError> {
        let rows = conn.execute(&sql, [param]).map_err(StoreError::query(op))?;
        Ok(rows as u64)
    };
    Ok(Deleted {
        outbox: delete(format!(
            "DELETE FROM outbox WHERE interview_id IN (SELECT id FROM interviews WHERE {filter})"
        ))?,
        answers: delete(format!(
            "DELETE FROM answers WHERE interview_id IN (SELECT id FROM interviews WHERE {filter})"
        ))?,
        interviews: delete(format!("DELETE FROM interviews WHERE {filter}"))?,
    })
}

/// The SQLite backend: one writer thread and a few reader threads over one database file.
#[derive(Debug)]
pub(crate) struct SqliteStore {
    path: PathBuf,
    /// The thread (and connection) this process writes through. SQLite lets one writer in
    /// at a time anyway; queueing writes here, in order, rather than in SQLite's busy
    /// handler, which polls by sleeping 1, 2, 5, 10… ms, keeps the lock from sitting idle
    /// while writers sleep, and a write never waits for a reader. Writers in other
    /// processes are still kept out by SQLite's lock and waited for with the busy timeout.
    writer: Workers,
    /// Threads with read connections; WAL lets them read while the writer writes.
    readers: Workers,
    /// "Posted" marks waiting to be written, see [`SqliteStore::mark_posted_soon`]. Shared
    /// with the writer thread's jobs.
    marks: Arc<Marks>,
}

/// The "posted" marks on their way to the database. Std locks, held only to push, take
/// or put back a list, never across an `.await` or a statement.
#[derive(Debug, Default)]
struct Marks {
    /// Queued, not yet written.
    queued: Mutex<Vec<PostedMark>>,
    /// Written by a job whose batch has not committed yet; put back in the queue if it
    /// does not.
    in_flight: Mutex<Vec<PostedMark>>,
    /// A job to write the queue is on its way to the writer thread.
    flush_sent: AtomicBool,
}

/// An outbox item posted as a Discord message, at a time.
#[derive(Debug, Clone, Copy)]
struct PostedMark {
    item: OutboxId,
    message_id: u64,
    at: i64,
}

/// A poisoned lock still holds a valid list.
fn lock(list: &Mutex<Vec<PostedMark>>) -> MutexGuard<'_, Vec<PostedMark>> {
    list.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Marks {
    /// Writes every queued mark (a writer job); returns how many outbox items it marked.
    /// The marks stay in flight until [`Marks::settle`] learns whether the batch committed.
    /// Marks still in flight are written again: this job (or another one in its batch)
    /// may be running a second time after a rollback undid its first run.
    fn write(&self, conn: &Connection) -> Result<u64, StoreError> {
        self.flush_sent.store(false, Ordering::SeqCst);
        let mut batch = std::mem::take(&mut *lock(&self.in_flight));
        batch.append(&mut lock(&self.queued));
        if batch.is_empty() {
            return Ok(0);
        }
        let write = || -> rusqlite::Result<u64> {
            let mut update = conn.prepare_cached(MARK_POSTED)?;
            let mut marked = 0;
            for mark in &batch {
                marked += update.execute(params![mark.at, to_db(mark.message_id), mark.item.0])?;
            }
            Ok(marked as u64)
        };
        let result = write();
        tracing::debug!(queued = batch.len(), ?result, "posted marks written");
        lock(&self.in_flight).extend(batch);
        result.map_err(StoreError::query("mark messages as posted"))
    }

    /// After the batch that wrote the marks in flight: forgets them if it committed, or
    /// queues them again (ahead of newer ones) if it did not.
    fn settle<T>(&self, result: &Result<T, StoreError>) {
        let written = std::mem::take(&mut *lock(&self.in_flight));
        if result.is_err() {
            let mut queue = lock(&self.queued);
            let newer = std::mem::replace(&mut *queue, written);
            queue.extend(newer);
        }
    }
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
        path: path.to_path_buf(),
        source,
    };
    // The writer's connection does the start-up work before any other exists: switching a
    // fresh file to WAL needs an exclusive lock that the busy timeout does not wait for, and
    // nothing may touch the schema before the checks have passed.
    let mut writer = connect(path, true).map_err(open_err)?;
    let applied = prepare(&mut writer, path)?;
    // The writer never checkpoints: with SQLite's default, every 1,000th commit copied the
    // WAL into the database and fsynced it in the commit path, a fifth of the writer's time
    // in the thread-reply benchmark and its slowest replies. The store's background task
    // checkpoints from a reader instead ([`SqliteStore::checkpoint`]).
    writer
        .pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(open_err)?;
    let readers = (0..READERS)
        .map(|_| connect(path, false))
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(open_err)?;
    Ok((writer, readers, applied))
}

impl SqliteStore {
    pub(crate) async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
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
        Ok(SqliteStore {
            path,
            writer,
            readers,
            marks: Arc::default(),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) async fn close(&self) {
        if let Err(error) = self.flush_marks().await {
            tracing::warn!(path = %self.path.display(), %error, "could not record the last posted messages; they will be posted again (with the same nonce) at the next start");
        }
        self.readers.close().await;
        // The last connection to close checkpoints the WAL into the file.
        self.writer.close().await;
    }

    pub(crate) async fn create_interview(
        &self,
        new: &NewInterview,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Created, StoreError> {
        let new = new.clone();
        let outgoing = outgoing.to_vec();
        self.writer
            .run(move |conn| {
                let existing = first(
                    conn,
                    select_interview!("WHERE guild_id = ? AND user_id = ? AND status = 'open'"),
                    params![to_db(new.guild_id), to_db(new.user_id)],
                    "look up the member's open interview",
                    interview_from_row,
                )?;
                if let Some(interview) = existing {
                    tracing::debug!(interview = %interview.id, "member already has an open interview");
                    return Ok(Created::AlreadyOpen(interview));
                }
                conn.prepare_cached(
                    "INSERT INTO interviews (guild_id, thread_id, user_id, role_id, role_name, \
                     state_json, format_version, created_at, last_activity_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .and_then(|mut insert| {
                    insert.execute(params![
                        to_db(new.guild_id),
                        to_db(new.thread_id),
                        to_db(new.user_id),
                        new.role_id,
                        new.role_name,
                        new.state_json,
                        i64::from(new.format_version),
                        now,
                        now
                    ])
                })
                .map_err(StoreError::query("create an interview"))?;
                let id = InterviewId(conn.last_insert_rowid());
                let outbox = insert_outbox(conn, id, &outgoing, now)?;
                tracing::debug!(interview = %id, role = %new.role_id, "interview created");
                Ok(Created::New {
                    interview: Interview {
                        id,
                        guild_id: new.guild_id,
                        thread_id: new.thread_id,
                        user_id: new.user_id,
                        role_id: new.role_id.clone(),
                        role_name: new.role_name.clone(),
                        state_json: new.state_json.clone(),
                        format_version: new.format_version,
                        revision: 0,
                        status: InterviewStatus::Open,
                        created_at: now,
                        last_activity_at: now,
                        finished_at: None,
                    },
                    outbox,
                })
            })
            .await
    }

    pub(crate) async fn interview(&self, id: InterviewId) -> Result<Option<Interview>, StoreError> {
        self.readers
            .run(move |conn| {
                first(
                    conn,
                    select_interview!("WHERE id = ?"),
                    [id.0],
                    "load an interview",
                    interview_from_row,
                )
            })
            .await
    }

    pub(crate) async fn open_interview_for_user(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        self.readers
            .run(move |conn| {
                first(
                    conn,
                    select_interview!("WHERE guild_id = ? AND user_id = ? AND status = 'open'"),
                    [to_db(guild_id), to_db(user_id)],
                    "look up the member's open interview",
                    interview_from_row,
                )
            })
            .await
    }

    pub(crate) async fn interview_by_thread(
        &self,
        thread_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        self.readers
            .run(move |conn| {
                // The open one if there is one, otherwise the most recent.
                first(
                    conn,
                    select_interview!(
                        "WHERE thread_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1"
                    ),
                    [to_db(thread_id)],
                    "look up a thread's interview",
                    interview_from_row,
                )
            })
            .await
    }

    pub(crate) async fn open_interviews(&self) -> Result<Vec<Interview>, StoreError> {
        self.readers
            .run(|conn| {
                collect(
                    conn,
                    select_interview!("WHERE status = 'open' ORDER BY id"),
                    [],
                    "list open interviews",
                    interview_from_row,
                )
            })
            .await
    }

    pub(crate) async fn open_threads(&self) -> Result<Vec<u64>, StoreError> {
        // Only the ids cross into Rust; SQLite's page cache (bounded per connection) is
        // all the rows cost while they are read.
        self.readers
            .run(|conn| {
                collect(
                    conn,
                    "SELECT thread_id FROM interviews WHERE status = 'open'",
                    [],
                    "list the threads of open interviews",
                    |row| Ok(from_db(row.get(0).map_err(read)?)),
                )
            })
            .await
    }

    pub(crate) async fn idle_interviews(
        &self,
        now: i64,
        idle_secs: u64,
    ) -> Result<Vec<Interview>, StoreError> {
        let cutoff = now.saturating_sub(i64::try_from(idle_secs).unwrap_or(i64::MAX));
        self.readers
            .run(move |conn| {
                collect(
                    conn,
                    select_interview!(
                        "WHERE status = 'open' AND last_activity_at < ? \
                         ORDER BY last_activity_at, id"
                    ),
                    [cutoff],
                    "list idle interviews",
                    interview_from_row,
                )
            })
            .await
    }

    pub(crate) async fn apply_answer(
        &self,
        answer: &NewAnswer,
        next: &NextState,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Applied, StoreError> {
        let answer = answer.clone();
        let next = next.clone();
        let outgoing = outgoing.to_vec();
        self.writer
            .run(move |conn| apply_answer(conn, &answer, &next, &outgoing, now))
            .await
    }

    pub(crate) async fn answers(&self, id: InterviewId) -> Result<Vec<Answer>, StoreError> {
        self.readers
            .run(move |conn| {
                collect(
                    conn,
                    "SELECT interview_id, message_id, answer_text, prompt, feedback_json, \
                     feedback_headline, created_at FROM answers WHERE interview_id = ? \
                     ORDER BY id",
                    [id.0],
                    "list answers",
                    |row| {
                        Ok(Answer {
                            interview_id: InterviewId(row.get(0).map_err(read)?),
                            message_id: from_db(row.get(1).map_err(read)?),
                            text: row.get(2).map_err(read)?,
                            prompt: row.get(3).map_err(read)?,
                            feedback_json: row.get(4).map_err(read)?,
                            feedback_headline: row.get(5).map_err(read)?,
                            created_at: row.get(6).map_err(read)?,
                        })
                    },
                )
            })
            .await
    }

    pub(crate) async fn close_interview(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .close_with_messages(id, status, &[], now)
            .await?
            .is_some())
    }

    pub(crate) async fn close_with_messages(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Option<Vec<OutboxId>>, StoreError> {
        if status.is_open() {
            return Err(StoreError::CloseAsOpen);
        }
        let messages = messages.to_vec();
        self.writer
            .run(move |conn| {
                let closed = conn
                    .prepare_cached(
                        "UPDATE interviews SET status = ?, finished_at = ? \
                         WHERE id = ? AND status = 'open'",
                    )
                    .and_then(|mut update| update.execute(params![status.as_str(), now, id.0]))
                    .map_err(StoreError::query("close an interview"))?
                    == 1;
                tracing::debug!(interview = %id, %status, closed, "close interview");
                if !closed {
                    return Ok(None);
                }
                insert_outbox(conn, id, &messages, now).map(Some)
            })
            .await
    }

    async fn close_where(
        &self,
        filter: &'static str,
        params: Vec<i64>,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        if status.is_open() {
            return Err(StoreError::CloseAsOpen);
        }
        self.writer
            .run(move |conn| {
                let sql = format!(
                    "UPDATE interviews SET status = ?, finished_at = ? \
                     WHERE status = 'open' AND {filter} RETURNING id"
                );
                let values = [Value::Text(status.as_str().into()), Value::Integer(now)]
                    .into_iter()
                    .chain(params.iter().copied().map(Value::Integer));
                let closed = first(
                    conn,
                    &sql,
                    params_from_iter(values),
                    "close an interview",
                    |row| Ok(InterviewId(row.get(0).map_err(read)?)),
                )?;
                if let Some(id) = closed {
                    tracing::debug!(interview = %id, %status, "interview closed");
                }
                Ok(closed)
            })
            .await
    }

    pub(crate) async fn close_by_thread(
        &self,
        thread_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        self.close_where("thread_id = ?", vec![to_db(thread_id)], status, now)
            .await
    }

    pub(crate) async fn close_by_user_in_guild(
        &self,
        guild_id: u64,
        user_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        self.close_where(
            "guild_id = ? AND user_id = ?",
            vec![to_db(guild_id), to_db(user_id)],
            status,
            now,
        )
        .await
    }

    pub(crate) async fn enqueue(
        &self,
        interview: InterviewId,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Vec<OutboxId>, StoreError> {
        let messages = messages.to_vec();
        self.writer
            .run(move |conn| {
                let exists = first(
                    conn,
                    "SELECT id FROM interviews WHERE id = ?",
                    [interview.0],
                    "load an interview",
                    |_| Ok(()),
                )?;
                if exists.is_none() {
                    return Err(StoreError::NotFound(interview));
                }
                insert_outbox(conn, interview, &messages, now)
            })
            .await
    }

    pub(crate) async fn pending_outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.readers
            .run(|conn| {
                // Row ids grow with insertion order, which is the order the messages must
                // appear in; `created_at` would tie within one transaction and trusts the
                // caller's clock.
                collect(
                    conn,
                    "SELECT id, interview_id, channel_id, payload_json, created_at FROM outbox \
                     WHERE posted_at IS NULL ORDER BY id",
                    [],
                    "list unposted messages",
                    |row| {
                        Ok(OutboxItem {
                            id: OutboxId(row.get(0).map_err(read)?),
                            interview_id: InterviewId(row.get(1).map_err(read)?),
                            channel_id: from_db(row.get(2).map_err(read)?),
                            payload_json: row.get(3).map_err(read)?,
                            created_at: row.get(4).map_err(read)?,
                        })
                    },
                )
            })
            .await
    }

    pub(crate) async fn mark_posted(
        &self,
        item: OutboxId,
        message_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.writer
            .run(move |conn| {
                let marked = conn
                    .prepare_cached(MARK_POSTED)
                    .and_then(|mut update| update.execute(params![now, to_db(message_id), item.0]))
                    .map_err(StoreError::query("mark a message as posted"))?
                    == 1;
                tracing::debug!(outbox = %item, message_id, marked, "mark posted");
                Ok(marked)
            })
            .await
    }

    /// Copies what the WAL holds into the database file without waiting for (or holding
    /// up) the writer or readers (`PASSIVE`); cheap when there is nothing new. Runs on a
    /// reader, so writes go on meanwhile.
    pub(crate) async fn checkpoint(&self) -> Result<(), StoreError> {
        self.readers
            .run(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    .map_err(StoreError::query("checkpoint the write-ahead log"))
            })
            .await
    }

    /// Whether "posted" marks are waiting to be written, or were written by a batch that
    /// has not committed yet (and may yet be rolled back and run again).
    pub(crate) fn marks_waiting(&self) -> bool {
        !lock(&self.marks.queued).is_empty() || !lock(&self.marks.in_flight).is_empty()
    }

    /// Queues a "posted" mark instead of writing it now. A mark queued when no write of
    /// the queue is on its way sends the writer thread a job that writes every mark queued
    /// by the time it runs, so under load the marks of many replies go to disk together,
    /// where each used to cost a commit of its own — half of a thread reply's commits. A
    /// mark lost to a crash only means the item is posted again at the next start with the
    /// same nonce, which Discord, within its nonce window of a few minutes, answers with
    /// the message already posted — as for a mark written at once but lost to a crash
    /// before it.
    pub(crate) fn mark_posted_soon(&self, item: OutboxId, message_id: u64, at: i64) {
        lock(&self.marks.queued).push(PostedMark {
            item,
            message_id,
            at,
        });
        if !self.marks.flush_sent.swap(true, Ordering::SeqCst) {
            let marks = Arc::clone(&self.marks);
            let settle = Arc::clone(&self.marks);
            // If the store is closed, the mark stays queued; it is posted again at the
            // next start (with the same nonce).
            self.writer.submit(
                move |conn| marks.write(conn),
                move |result| {
                    settle.settle(&result);
                    if let Err(error) = result {
                        tracing::warn!(%error, "could not record posted messages; they stay queued");
                    }
                },
            );
        }
    }

    /// Writes every queued mark now; returns how many outbox items were marked. Marks
    /// queued before this call are on disk when it returns.
    pub(crate) async fn flush_marks(&self) -> Result<u64, StoreError> {
        if !self.marks_waiting() {
            return Ok(0);
        }
        let marks = Arc::clone(&self.marks);
        let settle = Arc::clone(&self.marks);
        self.writer
            .run_then(
                move |conn| marks.write(conn),
                move |result| settle.settle(result),
            )
            .await
    }

    pub(crate) async fn discard_outbox(&self, item: OutboxId) -> Result<bool, StoreError> {
        self.writer
            .run(move |conn| {
                let discarded = conn
                    .prepare_cached("DELETE FROM outbox WHERE id = ? AND posted_at IS NULL")
                    .and_then(|mut delete| delete.execute([item.0]))
                    .map_err(StoreError::query("discard a queued message"))?
                    == 1;
                if discarded {
                    tracing::warn!(outbox = %item, "queued message discarded without being posted");
                }
                Ok(discarded)
            })
            .await
    }

    pub(crate) async fn history(
        &self,
        user_id: u64,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        self.readers
            .run(move |conn| {
                collect(
                    conn,
                    "SELECT i.id, i.guild_id, i.role_id, i.role_name, i.status, i.created_at, \
                       i.finished_at, \
                       (SELECT COUNT(*) FROM answers a WHERE a.interview_id = i.id), \
                       (SELECT a.feedback_headline FROM answers a WHERE a.interview_id = i.id \
                        ORDER BY a.id DESC LIMIT 1) \
                     FROM interviews i WHERE i.user_id = ? \
                     ORDER BY i.created_at DESC, i.id DESC LIMIT ?",
                    params![to_db(user_id), i64::from(limit)],
                    "load the member's history",
                    |row| {
                        let status: String = row.get(4).map_err(read)?;
                        let answers: i64 = row.get(7).map_err(read)?;
                        Ok(HistoryEntry {
                            interview_id: InterviewId(row.get(0).map_err(read)?),
                            guild_id: from_db(row.get(1).map_err(read)?),
                            role_id: row.get(2).map_err(read)?,
                            role_name: row.get(3).map_err(read)?,
                            status: parse_status(&status)?,
                            created_at: row.get(5).map_err(read)?,
                            finished_at: row.get(6).map_err(read)?,
                            answers: u64::try_from(answers).unwrap_or(0),
                            latest_headline: row.get(8).map_err(read)?,
                        })
                    },
                )
            })
            .await
    }

    pub(crate) async fn forget_user(&self, user_id: u64) -> Result<Deleted, StoreError> {
        self.writer
            .run(move |conn| {
                let deleted = delete_interviews(conn, "user_id = ?", to_db(user_id))?;
                // Counts only: the point of this call is to stop keeping things about the
                // member.
                tracing::info!(
                    interviews = deleted.interviews,
                    answers = deleted.answers,
                    outbox = deleted.outbox,
                    "forgot a member on request"
                );
                Ok(deleted)
            })
            .await
    }

    pub(crate) async fn sweep_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<Deleted, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        self.writer
            .run(move |conn| {
                let deleted =
                    delete_interviews(conn, "status <> 'open' AND finished_at < ?", cutoff)?;
                if !deleted.is_empty() {
                    tracing::info!(
                        interviews = deleted.interviews,
                        answers = deleted.answers,
                        outbox = deleted.outbox,
                        retention_days,
                        "retention sweep deleted old interviews"
                    );
                }
                Ok(deleted)
            })
            .await
    }
}

/// [`SqliteStore::apply_answer`]'s job, on the writer thread: the checks, then the answer,
/// the new state and the queued messages.
fn apply_answer(
    conn: &mut Connection,
    answer: &NewAnswer,
    next: &NextState,
    outgoing: &[OutgoingMessage],
    now: i64,
) -> Result<Applied, StoreError> {
    let id = answer.interview_id;
    let (status, revision, seen) = first(
        conn,
        "SELECT status, revision, EXISTS (SELECT 1 FROM answers WHERE message_id = ?) \
         FROM interviews WHERE id = ?",
        [to_db(answer.message_id), id.0],
        "load an interview",
        |row| {
            let status: String = row.get(0).map_err(read)?;
            let revision: i64 = row.get(1).map_err(read)?;
            let seen: bool = row.get(2).map_err(read)?;
            Ok((status, revision, seen))
        },
    )?
    .ok_or(StoreError::NotFound(id))?;
    if seen {
        tracing::debug!(interview = %id, message_id = answer.message_id, "duplicate answer ignored");
        return Ok(Applied::Duplicate);
    }
    let status = parse_status(&status)?;
    if !status.is_open() {
        tracing::debug!(interview = %id, %status, "answer to an interview that is not open");
        return Ok(Applied::NotOpen(status));
    }
    if revision != next.expected_revision {
        tracing::debug!(
            interview = %id,
            current = revision,
            expected = next.expected_revision,
            "answer computed from a stale state"
        );
        return Ok(Applied::Stale {
            current_revision: revision,
        });
    }

    let status = if next.finished {
        InterviewStatus::Finished
    } else {
        InterviewStatus::Open
    };
    let op = "record an answer";
    conn.prepare_cached(
        "INSERT INTO answers (interview_id, message_id, answer_text, prompt, feedback_json, \
         feedback_headline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .and_then(|mut insert| {
        insert.execute(params![
            id.0,
            to_db(answer.message_id),
            answer.text,
            answer.prompt,
            answer.feedback_json,
            answer.feedback_headline,
            now
        ])
    })
    .map_err(StoreError::query(op))?;
    conn.prepare_cached(
        "UPDATE interviews SET state_json = ?, format_version = ?, revision = revision + 1, \
         last_activity_at = ?, status = ?, finished_at = ? WHERE id = ?",
    )
    .and_then(|mut update| {
        update.execute(params![
            next.state_json,
            i64::from(next.format_version),
            now,
            status.as_str(),
            next.finished.then_some(now),
            id.0
        ])
    })
    .map_err(StoreError::query(op))?;
    let outbox = insert_outbox(conn, id, outgoing, now)?;
    tracing::debug!(
        interview = %id,
        message_id = answer.message_id,
        revision = revision + 1,
        finished = next.finished,
        queued = outbox.len(),
        "answer recorded"
    );
    Ok(Applied::Recorded {
        outbox,
        revision: revision + 1,
        finished: next.finished,
    })
}

/// Checks that the freshly opened file is ours and intact, switches it to WAL, then brings
/// its schema up to date. Returns how many migrations were applied.
fn prepare(conn: &mut Connection, path: &Path) -> Result<usize, StoreError> {
    // A damaged page can make a check's own query fail rather than report a problem.
    let open_err = |source: rusqlite::Error| {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) {
            StoreError::Damaged {
                path: path.to_path_buf(),
                detail: one_line(&source.to_string()),
            }
        } else {
            StoreError::Open {
                path: path.to_path_buf(),
                source,
            }
        }
    };

    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(open_err)?;
    if application_id != APPLICATION_ID {
        let objects: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(open_err)?;
        if application_id != 0 || objects != 0 {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                detail: format!(
                    "application_id is {application_id:#x} and it holds {objects} tables or indexes"
                ),
            });
        }
        // An empty database, created just now (or by an earlier start that stopped here).
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(open_err)?;
        tracing::info!(path = %path.display(), "created a new interview store");
    }

    // Proportional to the file size, which retention keeps small; cheap next to finding
    // out about a damaged file in the middle of an interview.
    let problems = collect(conn, "PRAGMA quick_check", [], "check the file", |row| {
        row.get::<_, String>(0).map_err(read)
    })
    .map_err(|error| match error {
        StoreError::Query { source, .. } => open_err(source),
        other => other,
    })?;
    if problems != ["ok"] {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            detail: one_line(&problems.join("\n")),
        });
    }

    // WAL is a property of the file: set once, it stays for every connection.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(open_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), mode, "the database could not switch to WAL; readers will wait for writers");
    }
    migrate(conn, path)
}

/// The schema version a database was left at by the releases that applied migrations with
/// sqlx, which recorded them in a `_sqlx_migrations` table instead of `user_version`.
fn sqlx_schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    let table: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if table.is_none() {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        [],
        |row| row.get(0),
    )
}

/// Applies the [`MIGRATIONS`] the file does not have yet, each in a transaction of its own
/// with its `user_version`. Returns how many were applied.
fn migrate(conn: &mut Connection, path: &Path) -> Result<usize, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(open_err)?;
    if version == 0 {
        version = sqlx_schema_version(conn).map_err(open_err)?;
        if version != 0 {
            // Recorded the new way from now on; the old table is left as it is.
            conn.pragma_update(None, "user_version", version)
                .map_err(open_err)?;
        }
    }
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if version > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    let mut applied = 0;
    for &(target, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > version) {
        let migrate_err = |source| StoreError::Migrate {
            path: path.to_path_buf(),
            version: target,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(migrate_err)?;
        tx.execute_batch(sql).map_err(migrate_err)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(migrate_err)?;
        tx.commit().map_err(migrate_err)?;
        tracing::info!(path = %path.display(), version = target, "applied a schema migration");
        applied += 1;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "posted" mark written in a batch that another job's failure rolled back is
    /// written again when its job runs again (see the worker's group commit).
    #[tokio::test]
    async fn posted_marks_survive_a_batch_rolled_back_by_another_job() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("marks.db"))
            .await
            .unwrap();
        let new = NewInterview {
            guild_id: 1,
            thread_id: 2,
            user_id: 3,
            role_id: "backend".into(),
            role_name: "Backend".into(),
            state_json: "{}".into(),
            format_version: 3,
        };
        let message = OutgoingMessage {
            channel_id: 2,
            payload_json: r#"{"content":"hi"}"#.into(),
        };
        let Created::New { outbox, .. } =
            store.create_interview(&new, &[message], 10).await.unwrap()
        else {
            panic!("not created")
        };
        // Hold the writer so the mark and a failing job queue up as one batch.
        let release = crate::store::worker::hold(&store.writer).await;
        store.mark_posted_soon(outbox[0], 99, 11);
        let (failed, failure) = tokio::sync::oneshot::channel();
        assert!(store.writer.submit(
            |_| Err::<(), _>(StoreError::NotFound(InterviewId(404))),
            move |result| {
                let _ = failed.send(result);
            },
        ));
        drop(release);
        assert!(matches!(
            failure.await.unwrap(),
            Err(StoreError::NotFound(_))
        ));
        store.flush_marks().await.unwrap();
        assert!(store.pending_outbox().await.unwrap().is_empty());
        store.close().await;
    }

    #[test]
    fn discord_ids_round_trip_through_sqlite_integers() {
        for id in [0, 1, 1_234_567_890_123_456_789, i64::MAX as u64, u64::MAX] {
            assert_eq!(from_db(to_db(id)), id);
        }
        // Real snowflakes (below 2^63) keep their value, so the file is readable by hand.
        assert_eq!(to_db(1_234_567_890_123_456_789), 1_234_567_890_123_456_789);
    }

    #[test]
    fn select_interview_lists_the_columns_in_the_order_interview_from_row_reads_them() {
        let sql = select_interview!("WHERE id = ?");
        let columns: Vec<&str> = sql["SELECT ".len()..sql.find(" FROM").unwrap()]
            .split(',')
            .map(str::trim)
            .collect();
        assert_eq!(
            columns,
            [
                "id",
                "guild_id",
                "thread_id",
                "user_id",
                "role_id",
                "role_name",
                "state_json",
                "format_version",
                "revision",
                "status",
                "created_at",
                "last_activity_at",
                "finished_at",
            ]
        );
        assert!(sql.ends_with("FROM interviews WHERE id = ?"), "{sql}");
    }

    #[test]
    fn the_migrations_are_numbered_in_order_from_one() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected);
    }

    /// A script added to `migrations/` but not to [`MIGRATIONS`] would never run.
    #[test]
    fn every_script_in_the_migrations_folder_is_listed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut scripts: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
        scripts.sort();
        let mut listed: Vec<String> = MIGRATIONS.iter().map(|(_, sql)| sql.to_string()).collect();
        listed.sort();
        assert_eq!(scripts, listed);
    }

    #[test]
    fn every_migration_applies_to_an_empty_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        let applied = migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(applied, MIGRATIONS.len());
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(migrate(&mut conn, Path::new(":memory:")).unwrap(), 0);
    }
}
