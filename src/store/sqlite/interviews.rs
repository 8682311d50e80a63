//! The `interviews` table: starting, finding and ending interviews.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Row};

use super::outbox::insert_outbox;
use super::rows::{all, col, execute, first, snowflake, status, to_db, FromRow};
use super::Sqlite;
use crate::store::contract::interviews::Interviews;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;
use crate::store::model::{Created, Interview, InterviewId, InterviewStatus, NewInterview};
use crate::store::model::{OutboxId, OutgoingMessage};

/// A `SELECT` of the columns [`Interview::from_row`] reads, followed by `$rest`.
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

/// Reads a row of [`select_interview!`].
impl FromRow for Interview {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        let format_version: i64 = col(row, 7)?;
        Ok(Interview {
            id: InterviewId(col(row, 0)?),
            guild_id: snowflake(row, 1)?,
            thread_id: snowflake(row, 2)?,
            user_id: snowflake(row, 3)?,
            role_id: col(row, 4)?,
            role_name: col(row, 5)?,
            state_json: col(row, 6)?,
            format_version: u32::try_from(format_version).map_err(|_| {
                StoreError::InvalidRow(format!("format_version {format_version} is out of range"))
            })?,
            revision: col(row, 8)?,
            status: status(row, 9)?,
            created_at: col(row, 10)?,
            last_activity_at: col(row, 11)?,
            finished_at: col(row, 12)?,
        })
    }
}

const OPEN_FOR_MEMBER: &str =
    select_interview!("WHERE guild_id = ? AND user_id = ? AND status = 'open'");

#[async_trait]
impl Interviews for Sqlite {
    async fn create_interview(
        &self,
        new: &NewInterview,
        first_messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Created, StoreError> {
        let new = new.clone();
        let outgoing = first_messages.to_vec();
        self.write(move |conn| {
            let member = params![to_db(new.guild_id), to_db(new.user_id)];
            let op = "look up the member's open interview";
            if let Some(interview) = first(conn, OPEN_FOR_MEMBER, member, op, Interview::from_row)?
            {
                tracing::debug!(interview = %interview.id, "member already has an open interview");
                return Ok(Created::AlreadyOpen(interview));
            }
            execute(
                conn,
                "INSERT INTO interviews (guild_id, thread_id, user_id, role_id, role_name, \
                 state_json, format_version, created_at, last_activity_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    to_db(new.guild_id),
                    to_db(new.thread_id),
                    to_db(new.user_id),
                    new.role_id,
                    new.role_name,
                    new.state_json,
                    i64::from(new.format_version),
                    now,
                    now
                ],
                "create an interview",
            )?;
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

    async fn interview(&self, id: InterviewId) -> Result<Option<Interview>, StoreError> {
        self.read(move |conn| {
            let sql = select_interview!("WHERE id = ?");
            first(conn, sql, [id.0], "load an interview", Interview::from_row)
        })
        .await
    }

    async fn open_interview_for_user(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        self.read(move |conn| {
            let member = [to_db(guild_id), to_db(user_id)];
            first(
                conn,
                OPEN_FOR_MEMBER,
                member,
                "look up the member's open interview",
                Interview::from_row,
            )
        })
        .await
    }

    async fn interview_by_thread(&self, thread_id: u64) -> Result<Option<Interview>, StoreError> {
        self.read(move |conn| {
            let sql = select_interview!(
                "WHERE thread_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1"
            );
            first(
                conn,
                sql,
                [to_db(thread_id)],
                "look up a thread's interview",
                Interview::from_row,
            )
        })
        .await
    }

    async fn open_interviews(&self) -> Result<Vec<Interview>, StoreError> {
        self.read(|conn| {
            let sql = select_interview!("WHERE status = 'open' ORDER BY id");
            all(conn, sql, [], "list open interviews", Interview::from_row)
        })
        .await
    }

    async fn open_threads(&self, shards: ShardFilter) -> Result<Vec<u64>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                &format!(
                    "SELECT thread_id FROM interviews WHERE status = 'open' AND {}",
                    shards.sql("interviews")
                ),
                [],
                "list the threads of open interviews",
                |row| snowflake(row, 0),
            )
        })
        .await
    }

    async fn idle_interviews(
        &self,
        now: i64,
        idle_secs: u64,
        shards: ShardFilter,
    ) -> Result<Vec<Interview>, StoreError> {
        let cutoff = now.saturating_sub(i64::try_from(idle_secs).unwrap_or(i64::MAX));
        self.read(move |conn| {
            let sql = format!(
                select_interview!(
                    "WHERE status = 'open' AND last_activity_at < ? AND {} \
                     ORDER BY last_activity_at, id"
                ),
                shards.sql("interviews")
            );
            all(
                conn,
                &sql,
                [cutoff],
                "list idle interviews",
                Interview::from_row,
            )
        })
        .await
    }

    async fn close_interview(
        &self,
        id: InterviewId,
        status: InterviewStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        let closed = self.close_with_messages(id, status, &[], now).await?;
        Ok(closed.is_some())
    }

    async fn close_with_messages(
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
        self.write(move |conn| {
            let closed = execute(
                conn,
                "UPDATE interviews SET status = ?, finished_at = ? \
                 WHERE id = ? AND status = 'open'",
                params![status.as_str(), now, id.0],
                "close an interview",
            )? == 1;
            tracing::debug!(interview = %id, %status, closed, "close interview");
            if !closed {
                return Ok(None);
            }
            insert_outbox(conn, id, &messages, now).map(Some)
        })
        .await
    }

    async fn close_by_thread(
        &self,
        thread_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        self.close_where("thread_id = ?", vec![to_db(thread_id)], status, now)
            .await
    }

    async fn close_by_user_in_guild(
        &self,
        guild_id: u64,
        user_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        let member = vec![to_db(guild_id), to_db(user_id)];
        self.close_where("guild_id = ? AND user_id = ?", member, status, now)
            .await
    }
}

impl Sqlite {
    /// Ends the open interview selected by `filter` (a condition with one `?` per value of
    /// `params`), if there is one.
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
        self.write(move |conn| {
            let sql = format!(
                "UPDATE interviews SET status = ?, finished_at = ? \
                 WHERE status = 'open' AND {filter} RETURNING id"
            );
            let values = [Value::Text(status.as_str().into()), Value::Integer(now)]
                .into_iter()
                .chain(params.iter().copied().map(Value::Integer));
            let values = params_from_iter(values);
            let closed = first(
                conn,
                &sql,
                values,
                "close an interview",
                InterviewId::from_row,
            )?;
            if let Some(id) = closed {
                tracing::debug!(interview = %id, %status, "interview closed");
            }
            Ok(closed)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn select_interview_lists_the_columns_in_the_order_from_row_reads_them() {
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
}
