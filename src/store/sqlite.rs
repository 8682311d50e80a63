//! The SQLite backend of the [`Store`](super::Store).
//!
//! Every write that reads before it writes runs in a `BEGIN IMMEDIATE` transaction: it takes
//! SQLite's write lock up front, so the read and the write see the same data and a second
//! writer waits in SQLite's busy handler (up to [`BUSY_TIMEOUT`]) instead of failing. A
//! plain `BEGIN` would start as a reader and try to upgrade at its first write, and in WAL
//! mode a failed upgrade is an immediate `SQLITE_BUSY` that the busy timeout does not cover.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, Row, Sqlite, Transaction};

use super::error::{one_line, StoreError};
use super::model::{
    Answer, Applied, Created, Deleted, HistoryEntry, Interview, InterviewId, InterviewStatus,
    NewAnswer, NewInterview, NextState, OutboxId, OutboxItem, OutgoingMessage,
};

/// How long a writer waits for another writer before giving up with "database is locked".
/// Writes here are a handful of rows, so waiting this long means something is wrong.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the read pool (writes have a connection of their own). WAL lets readers
/// run beside the one writer; the bot's load is a few statements per Discord message, so a
/// small pool is plenty.
const MAX_CONNECTIONS: u32 = 4;

/// `PRAGMA application_id` of our databases ("ICoa"), written into the SQLite header of a
/// fresh file so that pointing the bot at some other program's database is an error rather
/// than a schema migration of someone else's data.
pub(crate) const APPLICATION_ID: i32 = 0x4943_6f61;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Discord snowflakes are `u64`; SQLite integers are `i64`. The bits are stored as they
/// are, so every `u64` round-trips exactly (real snowflakes are below 2^63 anyway).
fn to_db(id: u64) -> i64 {
    id as i64
}

/// Inverse of [`to_db`].
fn from_db(value: i64) -> u64 {
    value as u64
}

/// Write transaction that holds SQLite's write lock from its first statement.
async fn begin_write(conn: &mut SqliteConnection) -> Result<Transaction<'_, Sqlite>, StoreError> {
    conn.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(StoreError::query("begin a write transaction"))
}

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

fn interview_from_row(row: &SqliteRow) -> Result<Interview, StoreError> {
    let get = StoreError::query;
    let format_version: i64 = row.try_get("format_version").map_err(get("read a row"))?;
    let status: String = row.try_get("status").map_err(get("read a row"))?;
    Ok(Interview {
        id: InterviewId(row.try_get("id").map_err(get("read a row"))?),
        guild_id: from_db(row.try_get("guild_id").map_err(get("read a row"))?),
        thread_id: from_db(row.try_get("thread_id").map_err(get("read a row"))?),
        user_id: from_db(row.try_get("user_id").map_err(get("read a row"))?),
        role_id: row.try_get("role_id").map_err(get("read a row"))?,
        role_name: row.try_get("role_name").map_err(get("read a row"))?,
        state_json: row.try_get("state_json").map_err(get("read a row"))?,
        format_version: u32::try_from(format_version).map_err(|_| {
            StoreError::InvalidRow(format!("format_version {format_version} is out of range"))
        })?,
        revision: row.try_get("revision").map_err(get("read a row"))?,
        status: parse_status(&status)?,
        created_at: row.try_get("created_at").map_err(get("read a row"))?,
        last_activity_at: row.try_get("last_activity_at").map_err(get("read a row"))?,
        finished_at: row.try_get("finished_at").map_err(get("read a row"))?,
    })
}

fn interviews_from_rows(rows: &[SqliteRow]) -> Result<Vec<Interview>, StoreError> {
    rows.iter().map(interview_from_row).collect()
}

/// The statements that record an answer: the answer row, the interview's new state,
/// then one outbox insert per message (returning its id), in that order.
fn answer_sql(messages: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO answers (interview_id, message_id, answer_text, prompt, feedback_json, \
         feedback_headline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?); \
         UPDATE interviews SET state_json = ?, format_version = ?, revision = revision + 1, \
         last_activity_at = ?, status = ?, finished_at = ? WHERE id = ?;",
    );
    for _ in 0..messages {
        sql.push_str(
            " INSERT INTO outbox (interview_id, channel_id, payload_json, created_at) \
             VALUES (?, ?, ?, ?) RETURNING id;",
        );
    }
    sql
}

/// Queues `messages` for `interview`, in order, inside `tx`.
async fn insert_outbox(
    tx: &mut SqliteConnection,
    interview: InterviewId,
    messages: &[OutgoingMessage],
    now: i64,
) -> Result<Vec<OutboxId>, StoreError> {
    let mut ids = Vec::with_capacity(messages.len());
    for message in messages {
        let done = sqlx::query(
            "INSERT INTO outbox (interview_id, channel_id, payload_json, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(interview.0)
        .bind(to_db(message.channel_id))
        .bind(&message.payload_json)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("queue an outgoing message"))?;
        ids.push(OutboxId(done.last_insert_rowid()));
    }
    Ok(ids)
}

/// Deletes the outbox items, answers and interviews selected by `filter` (a condition on
/// the `interviews` table with one `?` parameter, `param`), children first, in `tx`.
async fn delete_interviews(
    tx: &mut SqliteConnection,
    filter: &str,
    param: i64,
) -> Result<Deleted, StoreError> {
    let op = "delete interviews";
    let outbox = sqlx::query(&format!(
        "DELETE FROM outbox WHERE interview_id IN (SELECT id FROM interviews WHERE {filter})"
    ))
    .bind(param)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::query(op))?
    .rows_affected();
    let answers = sqlx::query(&format!(
        "DELETE FROM answers WHERE interview_id IN (SELECT id FROM interviews WHERE {filter})"
    ))
    .bind(param)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::query(op))?
    .rows_affected();
    let interviews = sqlx::query(&format!("DELETE FROM interviews WHERE {filter}"))
        .bind(param)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(op))?
        .rows_affected();
    Ok(Deleted {
        interviews,
        answers,
        outbox,
    })
}

/// The SQLite backend: a connection pool over one database file.
#[derive(Debug)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    /// The one connection this process writes through (`None` once closed). SQLite lets one
    /// writer in at a time anyway; queueing writers here (in order, asynchronously) rather
    /// than in SQLite's busy handler, which polls by sleeping 1, 2, 5, 10… ms, keeps the
    /// lock from sitting idle while writers sleep, and a write never waits for a pool
    /// connection that readers hold. Reads use the pool and never take it. Writers in other
    /// processes are still kept out by SQLite's lock and waited for with the busy timeout.
    writer: tokio::sync::Mutex<Option<SqliteConnection>>,
    /// "Posted" marks waiting to be written, see [`SqliteStore::mark_posted_soon`]. A std
    /// lock: held only to push or take the list, never across an `.await`.
    marks: std::sync::Mutex<Vec<PostedMark>>,
    /// Wakes the task that writes the marks ([`SqliteStore::flush_marks`]).
    pub(crate) marks_queued: Arc<tokio::sync::Notify>,
}

/// An outbox item posted as a Discord message, at a time.
#[derive(Debug, Clone, Copy)]
struct PostedMark {
    item: OutboxId,
    message_id: u64,
    at: i64,
}

/// This process's turn to write, with the writer connection; see [`SqliteStore::writer`].
type Writer<'a> = tokio::sync::MappedMutexGuard<'a, SqliteConnection>;

impl SqliteStore {
    /// Waits for this process's turn to write. Start transactions on the connection with
    /// [`begin_write`]; the turn lasts as long as the guard.
    async fn writer(&self) -> Result<Writer<'_>, StoreError> {
        tokio::sync::MutexGuard::try_map(self.writer.lock().await, Option::as_mut)
            .map_err(|_| StoreError::query("write")(sqlx::Error::PoolClosed))
    }

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

        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);

        // One connection does the start-up work before the pool exists: switching a fresh
        // file to WAL needs an exclusive lock that the busy timeout does not wait for, so no
        // other connection of ours should be racing it; and nothing may touch the schema
        // before the checks below have passed.
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        let prepared = prepare(&mut conn, &path).await;
        if let Err(error) = conn.close().await {
            tracing::warn!(path = %path.display(), %error, "closing the start-up connection failed");
        }
        let applied = prepared?;

        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            // By default every checkout first pings the connection's worker thread: a round
            // trip that guards against dropped network connections, which an embedded
            // database does not have. (Each check-in still pings; sqlx always does that.)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        tracing::info!(
            path = %path.display(),
            migrations_applied = applied,
            "opened the interview store"
        );
        // The writer never checkpoints: with SQLite's default, every 1,000th commit copied
        // the WAL into the database and fsynced it in the commit path, a fifth of the
        // writer's time in the thread-reply benchmark and its slowest replies. The
        // background task of `Store::open` checkpoints from a pool connection instead
        // ([`SqliteStore::checkpoint`]).
        let writer_options = options.clone().pragma("wal_autocheckpoint", "0");
        let writer = SqliteConnection::connect_with(&writer_options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        Ok(SqliteStore {
            pool,
            path,
            writer: tokio::sync::Mutex::new(Some(writer)),
            marks: std::sync::Mutex::new(Vec::new()),
            marks_queued: Arc::new(tokio::sync::Notify::new()),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) async fn close(&self) {
        if let Err(error) = self.flush_marks().await {
            tracing::warn!(path = %self.path.display(), %error, "could not record the last posted messages; they will be posted again (with the same nonce) at the next start");
        }
        self.pool.close().await;
        // The last connection to close checkpoints the WAL.
        if let Some(writer) = self.writer.lock().await.take() {
            if let Err(error) = writer.close().await {
                tracing::warn!(path = %self.path.display(), %error, "closing the writer connection failed");
            }
        }
    }

    pub(crate) async fn create_interview(
        &self,
        new: &NewInterview,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Created, StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = begin_write(&mut writer).await?;
        let existing = sqlx::query(select_interview!(
            "WHERE guild_id = ? AND user_id = ? AND status = 'open'"
        ))
        .bind(to_db(new.guild_id))
        .bind(to_db(new.user_id))
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::query("look up the member's open interview"))?;
        if let Some(row) = existing {
            let interview = interview_from_row(&row)?;
            tracing::debug!(interview = %interview.id, "member already has an open interview");
            return Ok(Created::AlreadyOpen(interview));
        }

        let done = sqlx::query(
            "INSERT INTO interviews (guild_id, thread_id, user_id, role_id, role_name, \
             state_json, format_version, created_at, last_activity_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(to_db(new.guild_id))
        .bind(to_db(new.thread_id))
        .bind(to_db(new.user_id))
        .bind(&new.role_id)
        .bind(&new.role_name)
        .bind(&new.state_json)
        .bind(i64::from(new.format_version))
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("create an interview"))?;
        let id = InterviewId(done.last_insert_rowid());
        let outbox = insert_outbox(&mut tx, id, outgoing, now).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit a new interview"))?;
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
    }

    pub(crate) async fn interview(&self, id: InterviewId) -> Result<Option<Interview>, StoreError> {
        let row = sqlx::query(select_interview!("WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("load an interview"))?;
        row.as_ref().map(interview_from_row).transpose()
    }

    pub(crate) async fn open_interview_for_user(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        let row = sqlx::query(select_interview!(
            "WHERE guild_id = ? AND user_id = ? AND status = 'open'"
        ))
        .bind(to_db(guild_id))
        .bind(to_db(user_id))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("look up the member's open interview"))?;
        row.as_ref().map(interview_from_row).transpose()
    }

    pub(crate) async fn interview_by_thread(
        &self,
        thread_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        // The open one if there is one, otherwise the most recent.
        let row = sqlx::query(select_interview!(
            "WHERE thread_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1"
        ))
        .bind(to_db(thread_id))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("look up a thread's interview"))?;
        row.as_ref().map(interview_from_row).transpose()
    }

    pub(crate) async fn open_interviews(&self) -> Result<Vec<Interview>, StoreError> {
        let rows = sqlx::query(select_interview!("WHERE status = 'open' ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("list open interviews"))?;
        interviews_from_rows(&rows)
    }

    pub(crate) async fn open_threads(&self) -> Result<Vec<u64>, StoreError> {
        // Only the ids cross into Rust; SQLite's page cache (bounded per connection) is
        // all the rows cost while they are read.
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT thread_id FROM interviews WHERE status = 'open'")
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::query("list the threads of open interviews"))?;
        Ok(ids.into_iter().map(from_db).collect())
    }

    pub(crate) async fn idle_interviews(
        &self,
        now: i64,
        idle_secs: u64,
    ) -> Result<Vec<Interview>, StoreError> {
        let cutoff = now.saturating_sub(i64::try_from(idle_secs).unwrap_or(i64::MAX));
        let rows = sqlx::query(select_interview!(
            "WHERE status = 'open' AND last_activity_at < ? ORDER BY last_activity_at, id"
        ))
        .bind(cutoff)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list idle interviews"))?;
        interviews_from_rows(&rows)
    }

    pub(crate) async fn apply_answer(
        &self,
        answer: &NewAnswer,
        next: &NextState,
        outgoing: &[OutgoingMessage],
        now: i64,
    ) -> Result<Applied, StoreError> {
        let id = answer.interview_id;
        let mut writer = self.writer().await?;
        let mut tx = begin_write(&mut writer).await?;

        // One statement for every check: each statement is a round trip to the
        // connection's worker thread, and the write lock is held across all of them.
        let current = sqlx::query(
            "SELECT status, revision, \
             EXISTS (SELECT 1 FROM answers WHERE message_id = ?) AS seen \
             FROM interviews WHERE id = ?",
        )
        .bind(to_db(answer.message_id))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::query("load an interview"))?
        .ok_or(StoreError::NotFound(id))?;
        let seen: bool = current
            .try_get("seen")
            .map_err(StoreError::query("read a row"))?;
        if seen {
            tracing::debug!(interview = %id, message_id = answer.message_id, "duplicate answer ignored");
            return Ok(Applied::Duplicate);
        }
        let status: String = current
            .try_get("status")
            .map_err(StoreError::query("read a row"))?;
        let status = parse_status(&status)?;
        if !status.is_open() {
            tracing::debug!(interview = %id, %status, "answer to an interview that is not open");
            return Ok(Applied::NotOpen(status));
        }
        let revision: i64 = current
            .try_get("revision")
            .map_err(StoreError::query("read a row"))?;
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
        // The answer, the new state and the queued messages in one multi-statement
        // query (sqlx binds the parameters across the statements in order): one round
        // trip to the connection's worker thread where there were 3–4. The benchmark
        // counted ~30 context switches per thread reply before; this cut alone did not
        // move its throughput measurably (BENCHMARKS.md). Only the outbox inserts
        // return rows.
        let sql = answer_sql(outgoing.len());
        let mut query = sqlx::query(&sql)
            .bind(id.0)
            .bind(to_db(answer.message_id))
            .bind(&answer.text)
            .bind(&answer.prompt)
            .bind(answer.feedback_json.as_deref())
            .bind(answer.feedback_headline.as_deref())
            .bind(now)
            .bind(&next.state_json)
            .bind(i64::from(next.format_version))
            .bind(now)
            .bind(status.as_str())
            .bind(next.finished.then_some(now))
            .bind(id.0);
        for message in outgoing {
            query = query
                .bind(id.0)
                .bind(to_db(message.channel_id))
                .bind(&message.payload_json)
                .bind(now);
        }
        let rows = query
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::query("record an answer"))?;
        let outbox = rows
            .iter()
            .map(|row| row.try_get::<i64, _>(0).map(OutboxId))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::query("read a row"))?;
        if outbox.len() != outgoing.len() {
            return Err(StoreError::InvalidRow(format!(
                "queued {} messages but SQLite returned {} ids",
                outgoing.len(),
                outbox.len()
            )));
        }
        tx.commit()
            .await
            .map_err(StoreError::query("commit an answer"))?;
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

    pub(crate) async fn answers(&self, id: InterviewId) -> Result<Vec<Answer>, StoreError> {
        let rows = sqlx::query(
            "SELECT interview_id, message_id, answer_text, prompt, feedback_json, \
             feedback_headline, created_at FROM answers WHERE interview_id = ? ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list answers"))?;
        let read = StoreError::query;
        rows.iter()
            .map(|row| {
                Ok(Answer {
                    interview_id: InterviewId(
                        row.try_get("interview_id").map_err(read("read a row"))?,
                    ),
                    message_id: from_db(row.try_get("message_id").map_err(read("read a row"))?),
                    text: row.try_get("answer_text").map_err(read("read a row"))?,
                    prompt: row.try_get("prompt").map_err(read("read a row"))?,
                    feedback_json: row.try_get("feedback_json").map_err(read("read a row"))?,
                    feedback_headline: row
                        .try_get("feedback_headline")
                        .map_err(read("read a row"))?,
                    created_at: row.try_get("created_at").map_err(read("read a row"))?,
                })
            })
            .collect()
    }

    pub(crate) async fn close_interview(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        if status.is_open() {
            return Err(StoreError::CloseAsOpen);
        }
        let mut writer = self.writer().await?;
        let closed = sqlx::query(
            "UPDATE interviews SET status = ?, finished_at = ? WHERE id = ? AND status = 'open'",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(id.0)
        .execute(&mut *writer)
        .await
        .map_err(StoreError::query("close an interview"))?
        .rows_affected()
            == 1;
        tracing::debug!(interview = %id, %status, closed, "close interview");
        Ok(closed)
    }

    async fn close_where(
        &self,
        filter: &'static str,
        params: &[i64],
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        if status.is_open() {
            return Err(StoreError::CloseAsOpen);
        }
        let sql = format!(
            "UPDATE interviews SET status = ?, finished_at = ? \
             WHERE status = 'open' AND {filter} RETURNING id"
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql)
            .bind(status.as_str())
            .bind(now);
        for param in params {
            query = query.bind(*param);
        }
        let mut writer = self.writer().await?;
        let closed = query
            .fetch_optional(&mut *writer)
            .await
            .map_err(StoreError::query("close an interview"))?
            .map(InterviewId);
        if let Some(id) = closed {
            tracing::debug!(interview = %id, %status, "interview closed");
        }
        Ok(closed)
    }

    pub(crate) async fn close_by_thread(
        &self,
        thread_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        self.close_where("thread_id = ?", &[to_db(thread_id)], status, now)
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
            &[to_db(guild_id), to_db(user_id)],
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
        let mut writer = self.writer().await?;
        let mut tx = begin_write(&mut writer).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM interviews WHERE id = ?")
            .bind(interview.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("load an interview"))?;
        if exists.is_none() {
            return Err(StoreError::NotFound(interview));
        }
        let ids = insert_outbox(&mut tx, interview, messages, now).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit queued messages"))?;
        Ok(ids)
    }

    pub(crate) async fn pending_outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        // Row ids grow with insertion order, which is the order the messages must appear
        // in; `created_at` would tie within one transaction and trusts the caller's clock.
        let rows = sqlx::query(
            "SELECT id, interview_id, channel_id, payload_json, created_at FROM outbox \
             WHERE posted_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list unposted messages"))?;
        let read = StoreError::query;
        rows.iter()
            .map(|row| {
                Ok(OutboxItem {
                    id: OutboxId(row.try_get("id").map_err(read("read a row"))?),
                    interview_id: InterviewId(
                        row.try_get("interview_id").map_err(read("read a row"))?,
                    ),
                    channel_id: from_db(row.try_get("channel_id").map_err(read("read a row"))?),
                    payload_json: row.try_get("payload_json").map_err(read("read a row"))?,
                    created_at: row.try_get("created_at").map_err(read("read a row"))?,
                })
            })
            .collect()
    }

    pub(crate) async fn mark_posted(
        &self,
        item: OutboxId,
        message_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut writer = self.writer().await?;
        let marked = sqlx::query(
            "UPDATE outbox SET posted_at = ?, posted_message_id = ? \
             WHERE id = ? AND posted_at IS NULL",
        )
        .bind(now)
        .bind(to_db(message_id))
        .bind(item.0)
        .execute(&mut *writer)
        .await
        .map_err(StoreError::query("mark a message as posted"))?
        .rows_affected()
            == 1;
        tracing::debug!(outbox = %item, message_id, marked, "mark posted");
        Ok(marked)
    }

    /// Copies what the WAL holds into the database file without waiting for (or
    /// holding up) the writer or readers (`PASSIVE`); cheap when there is nothing new.
    pub(crate) async fn checkpoint(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("checkpoint the write-ahead log"))?;
        Ok(())
    }

    /// The queue of "posted" marks; a poisoned lock still holds a valid list.
    fn queued_marks(&self) -> std::sync::MutexGuard<'_, Vec<PostedMark>> {
        self.marks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a "posted" mark for the background writer instead of writing it now. Under
    /// load the marks of many replies go to disk in one statement, where each used to cost
    /// a write transaction of its own — half of a thread reply's commits. A mark lost to a
    /// crash only means the item is posted again at the next start with the same nonce,
    /// which Discord, within its nonce window of a few minutes, answers with the message
    /// already posted — as for a mark written at once but lost to a crash before it.
    pub(crate) fn mark_posted_soon(&self, item: OutboxId, message_id: u64, at: i64) {
        self.queued_marks().push(PostedMark {
            item,
            message_id,
            at,
        });
        self.marks_queued.notify_one();
    }

    /// Writes every queued mark in one statement; returns how many items it marked. The
    /// list is taken only once the writer is ours, so marks queued while waiting for it
    /// join this batch, and a batch another caller is writing is on disk when this
    /// returns. On failure the marks are queued again.
    pub(crate) async fn flush_marks(&self) -> Result<u64, StoreError> {
        let mut writer = match self.writer().await {
            Ok(writer) => writer,
            // Closed: fine if nothing is waiting (a late wake-up of the background task).
            Err(_) if self.queued_marks().is_empty() => return Ok(0),
            Err(e) => return Err(e),
        };
        let marks = std::mem::take(&mut *self.queued_marks());
        if marks.is_empty() {
            return Ok(0);
        }
        let list = marks
            .iter()
            .map(|m| format!("[{},{},{}]", m.item.0, to_db(m.message_id), m.at))
            .collect::<Vec<_>>()
            .join(",");
        let result = sqlx::query(
            "UPDATE outbox SET posted_at = m.at, posted_message_id = m.message_id \
             FROM (SELECT value ->> 0 AS id, value ->> 1 AS message_id, value ->> 2 AS at \
                   FROM json_each(?)) AS m \
             WHERE outbox.id = m.id AND outbox.posted_at IS NULL",
        )
        .bind(format!("[{list}]"))
        .execute(&mut *writer)
        .await;
        match result {
            Ok(done) => {
                tracing::debug!(
                    queued = marks.len(),
                    marked = done.rows_affected(),
                    "posted marks written"
                );
                Ok(done.rows_affected())
            }
            Err(e) => {
                let mut queue = self.queued_marks();
                let newer = std::mem::replace(&mut *queue, marks);
                queue.extend(newer);
                Err(StoreError::query("mark messages as posted")(e))
            }
        }
    }

    pub(crate) async fn discard_outbox(&self, item: OutboxId) -> Result<bool, StoreError> {
        let mut writer = self.writer().await?;
        let discarded = sqlx::query("DELETE FROM outbox WHERE id = ? AND posted_at IS NULL")
            .bind(item.0)
            .execute(&mut *writer)
            .await
            .map_err(StoreError::query("discard a queued message"))?
            .rows_affected()
            == 1;
        if discarded {
            tracing::warn!(outbox = %item, "queued message discarded without being posted");
        }
        Ok(discarded)
    }

    pub(crate) async fn history(
        &self,
        user_id: u64,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.id, i.guild_id, i.role_id, i.role_name, i.status, i.created_at, \
               i.finished_at, \
               (SELECT COUNT(*) FROM answers a WHERE a.interview_id = i.id) AS answers, \
               (SELECT a.feedback_headline FROM answers a WHERE a.interview_id = i.id \
                ORDER BY a.id DESC LIMIT 1) AS latest_headline \
             FROM interviews i WHERE i.user_id = ? \
             ORDER BY i.created_at DESC, i.id DESC LIMIT ?",
        )
        .bind(to_db(user_id))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("load the member's history"))?;
        let read = StoreError::query;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status").map_err(read("read a row"))?;
                let answers: i64 = row.try_get("answers").map_err(read("read a row"))?;
                Ok(HistoryEntry {
                    interview_id: InterviewId(row.try_get("id").map_err(read("read a row"))?),
                    guild_id: from_db(row.try_get("guild_id").map_err(read("read a row"))?),
                    role_id: row.try_get("role_id").map_err(read("read a row"))?,
                    role_name: row.try_get("role_name").map_err(read("read a row"))?,
                    status: parse_status(&status)?,
                    created_at: row.try_get("created_at").map_err(read("read a row"))?,
                    finished_at: row.try_get("finished_at").map_err(read("read a row"))?,
                    answers: u64::try_from(answers).unwrap_or(0),
                    latest_headline: row.try_get("latest_headline").map_err(read("read a row"))?,
                })
            })
            .collect()
    }

    pub(crate) async fn forget_user(&self, user_id: u64) -> Result<Deleted, StoreError> {
        let mut writer = self.writer().await?;
        let mut tx = begin_write(&mut writer).await?;
        let deleted = delete_interviews(&mut tx, "user_id = ?", to_db(user_id)).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit forgetting a member"))?;
        // Counts only: the point of this call is to stop keeping things about the member.
        tracing::info!(
            interviews = deleted.interviews,
            answers = deleted.answers,
            outbox = deleted.outbox,
            "forgot a member on request"
        );
        Ok(deleted)
    }

    pub(crate) async fn sweep_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<Deleted, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        let mut writer = self.writer().await?;
        let mut tx = begin_write(&mut writer).await?;
        let deleted =
            delete_interviews(&mut tx, "status <> 'open' AND finished_at < ?", cutoff).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit the retention sweep"))?;
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
    }
}

/// Checks that the freshly opened file is ours and intact, then brings its schema up to
/// date. Returns how many migrations were applied.
async fn prepare(conn: &mut SqliteConnection, path: &Path) -> Result<usize, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };

    let application_id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(&mut *conn)
        .await
        .map_err(open_err)?;
    if application_id != APPLICATION_ID {
        let objects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_schema")
            .fetch_one(&mut *conn)
            .await
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
        sqlx::query(&format!("PRAGMA application_id = {APPLICATION_ID}"))
            .execute(&mut *conn)
            .await
            .map_err(open_err)?;
        tracing::info!(path = %path.display(), "created a new interview store");
    }

    // Proportional to the file size, which retention keeps small; cheap next to finding
    // out about a damaged file in the middle of an interview.
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(open_err)?;
    if problems != ["ok"] {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            detail: one_line(&problems.join("\n")),
        });
    }

    let before: usize = applied_migrations(conn).await.map_err(open_err)?;
    MIGRATOR
        .run(&mut *conn)
        .await
        .map_err(|source| StoreError::Migrate {
            path: path.to_path_buf(),
            source,
        })?;
    let after = applied_migrations(conn).await.map_err(open_err)?;
    Ok(after.saturating_sub(before))
}

async fn applied_migrations(conn: &mut SqliteConnection) -> Result<usize, sqlx::Error> {
    let table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if table.is_none() {
        return Ok(0);
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await?;
    Ok(usize::try_from(count).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discord_ids_round_trip_through_sqlite_integers() {
        for id in [0, 1, 1_234_567_890_123_456_789, i64::MAX as u64, u64::MAX] {
            assert_eq!(from_db(to_db(id)), id);
        }
        // Real snowflakes (below 2^63) keep their value, so the file is readable by hand.
        assert_eq!(to_db(1_234_567_890_123_456_789), 1_234_567_890_123_456_789);
    }

    #[test]
    fn select_interview_lists_every_column_interview_from_row_reads() {
        let sql = select_interview!("WHERE id = ?");
        for column in [
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
        ] {
            assert!(sql.contains(column), "{column} missing from {sql}");
        }
        assert!(sql.ends_with("FROM interviews WHERE id = ?"), "{sql}");
    }

    #[test]
    fn the_migrations_are_embedded_in_order() {
        let versions: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        assert!(!versions.is_empty());
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }
}
