//! The `interviews` table: starting, finding and ending interviews.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::outbox::insert_outbox;
use super::rows::{all, col, execute, first, snowflake, status, to_db, FromRow};
use super::Postgres;
use crate::store::contract::interviews::Interviews;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;
use crate::store::model::{
    Created, Interview, InterviewId, InterviewStatus, NewInterview, OutboxId, OutgoingMessage,
};

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

impl FromRow for Interview {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
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
    select_interview!("WHERE guild_id = $1 AND user_id = $2 AND status = 'open'");

#[async_trait]
impl Interviews for Postgres {
    async fn create_interview(
        &self,
        new: &NewInterview,
        first_messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Created, StoreError> {
        let (guild, thread, user) = (
            to_db(new.guild_id),
            to_db(new.thread_id),
            to_db(new.user_id),
        );
        let format_version = i64::from(new.format_version);
        transaction!(self, "create an interview", |tx| {
            let op = "look up the member's open interview";
            if let Some(interview) = first(
                &tx,
                OPEN_FOR_MEMBER,
                &[&guild, &user],
                op,
                Interview::from_row,
            )
            .await?
            {
                tracing::debug!(interview = %interview.id, "member already has an open interview");
                return Ok(Created::AlreadyOpen(interview));
            }
            let id = first(
                &tx,
                "INSERT INTO interviews (guild_id, thread_id, user_id, role_id, role_name, \
                 state_json, format_version, created_at, last_activity_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                &[
                    &guild,
                    &thread,
                    &user,
                    &new.role_id,
                    &new.role_name,
                    &new.state_json,
                    &format_version,
                    &now,
                ],
                "create an interview",
                InterviewId::from_row,
            )
            .await?
            .ok_or_else(|| StoreError::InvalidRow("INSERT returned no id".into()))?;
            let outbox = insert_outbox(&tx, id, first_messages, now).await?;
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
    }

    async fn interview(&self, id: InterviewId) -> Result<Option<Interview>, StoreError> {
        let op = "load an interview";
        let client = self.client(op).await?;
        let sql = select_interview!("WHERE id = $1");
        first(&client, sql, &[&id.0], op, Interview::from_row).await
    }

    async fn open_interview_for_user(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<Interview>, StoreError> {
        let op = "look up the member's open interview";
        let client = self.client(op).await?;
        let member: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
            [&to_db(guild_id), &to_db(user_id)];
        first(&client, OPEN_FOR_MEMBER, &member, op, Interview::from_row).await
    }

    async fn interview_by_thread(&self, thread_id: u64) -> Result<Option<Interview>, StoreError> {
        let op = "look up a thread's interview";
        let client = self.client(op).await?;
        let sql = select_interview!(
            "WHERE thread_id = $1 ORDER BY status = 'open' DESC, id DESC LIMIT 1"
        );
        first(&client, sql, &[&to_db(thread_id)], op, Interview::from_row).await
    }

    async fn open_interviews(&self) -> Result<Vec<Interview>, StoreError> {
        let op = "list open interviews";
        let client = self.client(op).await?;
        let sql = select_interview!("WHERE status = 'open' ORDER BY id");
        all(&client, sql, &[], op, Interview::from_row).await
    }

    async fn open_threads(&self, shards: ShardFilter) -> Result<Vec<u64>, StoreError> {
        let op = "list the threads of open interviews";
        let client = self.client(op).await?;
        let sql = format!(
            "SELECT thread_id FROM interviews WHERE status = 'open' AND {}",
            shards.sql("interviews")
        );
        all(&client, &sql, &[], op, |row| snowflake(row, 0)).await
    }

    async fn idle_interviews(
        &self,
        now: i64,
        idle_secs: u64,
        shards: ShardFilter,
    ) -> Result<Vec<Interview>, StoreError> {
        let cutoff = now.saturating_sub(i64::try_from(idle_secs).unwrap_or(i64::MAX));
        let op = "list idle interviews";
        let client = self.client(op).await?;
        let sql = format!(
            select_interview!(
                "WHERE status = 'open' AND last_activity_at < $1 AND {} \
                 ORDER BY last_activity_at, id"
            ),
            shards.sql("interviews")
        );
        all(&client, &sql, &[&cutoff], op, Interview::from_row).await
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
        let status_text = status.as_str();
        transaction!(self, "close an interview", |tx| {
            let closed = execute(
                &tx,
                "UPDATE interviews SET status = $1, finished_at = $2 \
                 WHERE id = $3 AND status = 'open'",
                &[&status_text, &now, &id.0],
                "close an interview",
            )
            .await?
                == 1;
            tracing::debug!(interview = %id, %status, closed, "close interview");
            if !closed {
                return Ok(None);
            }
            insert_outbox(&tx, id, messages, now).await.map(Some)
        })
    }

    async fn close_by_thread(
        &self,
        thread_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        let sql = "UPDATE interviews SET status = $1, finished_at = $2 \
                   WHERE status = 'open' AND thread_id = $3 RETURNING id";
        self.close_where(sql, &[to_db(thread_id)], status, now)
            .await
    }

    async fn close_by_user_in_guild(
        &self,
        guild_id: u64,
        user_id: u64,
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        let sql = "UPDATE interviews SET status = $1, finished_at = $2 \
                   WHERE status = 'open' AND guild_id = $3 AND user_id = $4 RETURNING id";
        self.close_where(sql, &[to_db(guild_id), to_db(user_id)], status, now)
            .await
    }
}

impl Postgres {
    /// Ends the open interview that `sql` (an `UPDATE … RETURNING id` whose `$1` is the
    /// status, `$2` the time and the rest `keys`) selects, if there is one.
    async fn close_where(
        &self,
        sql: &'static str,
        keys: &[i64],
        status: InterviewStatus,
        now: i64,
    ) -> Result<Option<InterviewId>, StoreError> {
        if status.is_open() {
            return Err(StoreError::CloseAsOpen);
        }
        let status_text = status.as_str();
        transaction!(self, "close an interview", |tx| {
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                vec![&status_text, &now];
            params.extend(
                keys.iter()
                    .map(|key| key as &(dyn tokio_postgres::types::ToSql + Sync)),
            );
            let closed = first(
                &tx,
                sql,
                &params,
                "close an interview",
                InterviewId::from_row,
            )
            .await?;
            if let Some(id) = closed {
                tracing::debug!(interview = %id, %status, "interview closed");
            }
            Ok(closed)
        })
    }
}
