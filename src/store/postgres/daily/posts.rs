//! The `daily_posts` and `daily_boards` tables: claiming a day's post (or the week's
//! board) once, then recording how far posting it got.
//!
//! A claim is a compare-and-set on the schedule's `last_day` (or `last_board_day`): the
//! caller passes the value it read, and the claim happens only if it is still that value
//! and the new date is later, in the transaction that writes the post's row. Two
//! processes claiming the same date at once both update the schedule's row; PostgreSQL
//! makes one wait and then aborts it, and its rerun finds the date claimed. So a date is
//! claimed once however many ticks or processes see it due, and a claimed post survives
//! a crash as a pending row that the next start finishes.
//!
//! Dates are compared as text in byte order (`COLLATE "C"`), as SQLite compares them.

use async_trait::async_trait;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::contract::daily::DailyPosts;
use crate::store::error::StoreError;
use crate::store::model::daily::{
    DailyBoard, DailyPost, DailyPostId, DailyPostStatus, NewDailyPost,
};
use crate::store::model::ShardFilter;
use crate::store::postgres::rows::{
    all, col, execute, first, optional_snowflake, optional_to_db, snowflake, to_db, FromRow,
};
use crate::store::postgres::Postgres;

/// The columns [`DailyPost::from_row`] reads, in order.
macro_rules! post_columns {
    () => {
        "id, guild_id, day, channel_id, role_id, question_id, message_id, thread_id, status, \
         created_at, posted_at"
    };
}

/// A `SELECT` of the columns [`DailyPost::from_row`] reads, followed by `$rest`.
macro_rules! select_post {
    ($rest:literal) => {
        concat!("SELECT ", post_columns!(), " FROM daily_posts ", $rest)
    };
}

impl FromRow for DailyPost {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        let status: String = col(row, 8)?;
        Ok(DailyPost {
            id: DailyPostId(col(row, 0)?),
            guild_id: snowflake(row, 1)?,
            day: col(row, 2)?,
            channel_id: snowflake(row, 3)?,
            role_id: col(row, 4)?,
            question_id: col(row, 5)?,
            message_id: optional_snowflake(row, 6)?,
            thread_id: optional_snowflake(row, 7)?,
            status: DailyPostStatus::from_db_str(&status).ok_or_else(|| {
                StoreError::InvalidRow(format!("unknown daily post status {status:?}"))
            })?,
            created_at: col(row, 9)?,
            posted_at: col(row, 10)?,
        })
    }
}

impl FromRow for DailyBoard {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(DailyBoard {
            id: col(row, 0)?,
            guild_id: snowflake(row, 1)?,
            day: col(row, 2)?,
            channel_id: snowflake(row, 3)?,
        })
    }
}

#[async_trait]
impl DailyPosts for Postgres {
    async fn claim_daily_post(
        &self,
        post: &NewDailyPost,
        expected_last: Option<String>,
        now: i64,
    ) -> Result<Option<DailyPost>, StoreError> {
        let (guild, channel) = (to_db(post.guild_id), to_db(post.channel_id));
        transaction!(self, "claim a day's post", |tx| {
            let claim: [&(dyn ToSql + Sync); 3] = [&post.day, &guild, &expected_last];
            let claimed = execute(
                &tx,
                "UPDATE daily_schedules SET last_day = $1::text \
                 WHERE guild_id = $2 AND last_day IS NOT DISTINCT FROM $3::text \
                 AND ($3::text IS NULL OR $3::text < $1::text COLLATE \"C\")",
                &claim,
                "claim a day's post",
            )
            .await?;
            if claimed == 0 {
                return Ok(None);
            }
            let row: [&(dyn ToSql + Sync); 6] = [
                &guild,
                &post.day,
                &channel,
                &post.role_id,
                &post.question_id,
                &now,
            ];
            first(
                &tx,
                concat!(
                    "INSERT INTO daily_posts (guild_id, day, channel_id, role_id, question_id, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (guild_id, day) DO NOTHING RETURNING ",
                    post_columns!()
                ),
                &row,
                "store a day's post",
                DailyPost::from_row,
            )
            .await
        })
    }

    async fn pending_daily_posts(&self, shards: ShardFilter) -> Result<Vec<DailyPost>, StoreError> {
        let op = "list pending daily posts";
        let client = self.client(op).await?;
        let sql = format!(
            select_post!("WHERE status = 'pending' AND {} ORDER BY id"),
            shards.sql("daily_posts")
        );
        all(&client, &sql, &[], op, DailyPost::from_row).await
    }

    async fn daily_post(&self, id: DailyPostId) -> Result<Option<DailyPost>, StoreError> {
        let op = "load a daily post";
        let client = self.client(op).await?;
        let sql = select_post!("WHERE id = $1");
        first(&client, sql, &[&id.0], op, DailyPost::from_row).await
    }

    async fn daily_post_by_thread(&self, thread_id: u64) -> Result<Option<DailyPost>, StoreError> {
        let op = "find a daily post by its thread";
        let client = self.client(op).await?;
        // A thread belongs to one post in practice; should two posts share one, the oldest
        // is found, the row SQLite's scan of its thread index finds first.
        let sql = select_post!("WHERE thread_id = $1 ORDER BY id LIMIT 1");
        first(&client, sql, &[&to_db(thread_id)], op, DailyPost::from_row).await
    }

    async fn latest_daily_post(&self, guild_id: u64) -> Result<Option<DailyPost>, StoreError> {
        let op = "find the latest daily post";
        let client = self.client(op).await?;
        // `day` is a "C"-collated column: byte order, as SQLite sorts it.
        let sql = select_post!("WHERE guild_id = $1 ORDER BY day DESC LIMIT 1");
        first(&client, sql, &[&to_db(guild_id)], op, DailyPost::from_row).await
    }

    async fn daily_rotation(
        &self,
        guild_id: u64,
        role_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let op = "read the daily rotation";
        let client = self.client(op).await?;
        let guild = to_db(guild_id);
        let params: [&(dyn ToSql + Sync); 2] = [&guild, &role_id];
        let sql = "SELECT question_id FROM daily_posts WHERE guild_id = $1 AND role_id = $2 \
                   ORDER BY id";
        all(&client, sql, &params, op, |row| col(row, 0)).await
    }

    async fn daily_post_message(&self, id: DailyPostId, message_id: u64) -> Result<(), StoreError> {
        let message = to_db(message_id);
        const OP: &str = "record a daily post's message";
        transaction!(self, OP, |tx| {
            let sql = "UPDATE daily_posts SET message_id = $1 WHERE id = $2";
            execute(&tx, sql, &[&message, &id.0], OP).await.map(drop)
        })
    }

    async fn daily_post_thread(
        &self,
        id: DailyPostId,
        thread_id: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        let thread = to_db(thread_id);
        const OP: &str = "record a daily post's thread";
        transaction!(self, OP, |tx| {
            let sql = "UPDATE daily_posts SET thread_id = $1, status = 'posted', posted_at = $2 \
                       WHERE id = $3";
            execute(&tx, sql, &[&thread, &now, &id.0], OP)
                .await
                .map(drop)
        })
    }

    async fn daily_post_missed(&self, id: DailyPostId) -> Result<(), StoreError> {
        const OP: &str = "give up a daily post";
        transaction!(self, OP, |tx| {
            let sql =
                "UPDATE daily_posts SET status = 'missed' WHERE id = $1 AND status = 'pending'";
            execute(&tx, sql, &[&id.0], OP).await.map(drop)
        })
    }

    async fn claim_daily_board(
        &self,
        guild_id: u64,
        day: &str,
        channel_id: u64,
        expected_last: Option<String>,
        now: i64,
    ) -> Result<Option<DailyBoard>, StoreError> {
        let (guild, channel) = (to_db(guild_id), to_db(channel_id));
        transaction!(self, "claim a weekly board", |tx| {
            let claim: [&(dyn ToSql + Sync); 3] = [&day, &guild, &expected_last];
            let claimed = execute(
                &tx,
                "UPDATE daily_schedules SET last_board_day = $1::text \
                 WHERE guild_id = $2 AND last_board_day IS NOT DISTINCT FROM $3::text \
                 AND ($3::text IS NULL OR $3::text < $1::text COLLATE \"C\")",
                &claim,
                "claim a weekly board",
            )
            .await?;
            if claimed == 0 {
                return Ok(None);
            }
            let row: [&(dyn ToSql + Sync); 4] = [&guild, &day, &channel, &now];
            first(
                &tx,
                "INSERT INTO daily_boards (guild_id, day, channel_id, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id, day) DO NOTHING \
                 RETURNING id, guild_id, day, channel_id",
                &row,
                "store a weekly board",
                DailyBoard::from_row,
            )
            .await
        })
    }

    async fn pending_daily_boards(
        &self,
        shards: ShardFilter,
    ) -> Result<Vec<DailyBoard>, StoreError> {
        let op = "list pending weekly boards";
        let client = self.client(op).await?;
        let sql = format!(
            "SELECT id, guild_id, day, channel_id FROM daily_boards \
             WHERE posted_at IS NULL AND {} ORDER BY id",
            shards.sql("daily_boards")
        );
        all(&client, &sql, &[], op, DailyBoard::from_row).await
    }

    async fn daily_board_done(
        &self,
        id: i64,
        message_id: Option<u64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let message = optional_to_db(message_id);
        const OP: &str = "record a weekly board";
        transaction!(self, OP, |tx| {
            let sql = "UPDATE daily_boards SET message_id = $1, posted_at = $2 WHERE id = $3";
            execute(&tx, sql, &[&message, &now, &id], OP)
                .await
                .map(drop)
        })
    }
}
