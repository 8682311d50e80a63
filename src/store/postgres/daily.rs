//! The daily question in PostgreSQL (issue 17): the tables of
//! `migrations/postgres/0003_daily.sql`.
//!
//! * **`daily_schedules`**: a server's schedule, with the last local date posted and the
//!   last board's date (this file).
//! * **`daily_posts`**, **`daily_boards`**: a server's post for a local date, and the
//!   week's board, each claimed once before it is made, then filled in as posting goes on
//!   (`posts.rs`). The posts are also the rotation's memory: which questions a role has
//!   had.
//! * **`daily_answers`**, **`daily_streaks`**, **`daily_board_members`**: answers with
//!   the streak records they update, board opt-ins, `/forget-me` and retention
//!   (`members.rs`).
//!
//! Each write is one `SERIALIZABLE` transaction ([`transaction!`]), so "claim today's
//! post" or "count this answer in the streak" reads and writes one state, whatever other
//! process shares the database; a transaction that loses a race runs again from the
//! start. Reads are single statements on a pooled connection.

mod members;
mod posts;

use async_trait::async_trait;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::rows::{all, col, execute, first, snowflake, to_db, FromRow};
use super::Postgres;
use crate::guide::Level;
use crate::store::contract::daily::DailySchedules;
use crate::store::error::StoreError;
use crate::store::model::daily::DailySchedule;
use crate::store::model::ShardFilter;

/// A `SELECT` of the columns [`DailySchedule::from_row`] reads, followed by `$rest`.
macro_rules! select_schedule {
    ($rest:literal) => {
        concat!(
            "SELECT guild_id, channel_id, post_time, timezone, roles_json, level, board_day, \
             last_day, last_board_day FROM daily_schedules ",
            $rest
        )
    };
}

impl FromRow for DailySchedule {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        let roles: String = col(row, 4)?;
        let roles = serde_json::from_str(&roles)
            .map_err(|e| StoreError::InvalidRow(format!("daily roles {roles:?}: {e}")))?;
        let level = match col::<Option<String>>(row, 5)? {
            None => None,
            Some(text) => Some(
                Level::ALL
                    .into_iter()
                    .find(|level| level.id() == text)
                    .ok_or_else(|| StoreError::InvalidRow(format!("unknown level {text:?}")))?,
            ),
        };
        Ok(DailySchedule {
            guild_id: snowflake(row, 0)?,
            channel_id: snowflake(row, 1)?,
            post_time: col(row, 2)?,
            timezone: col(row, 3)?,
            roles,
            level,
            board_day: col(row, 6)?,
            last_day: col(row, 7)?,
            last_board_day: col(row, 8)?,
        })
    }
}

#[async_trait]
impl DailySchedules for Postgres {
    async fn daily_schedule(&self, guild_id: u64) -> Result<Option<DailySchedule>, StoreError> {
        let op = "load a daily schedule";
        let client = self.client(op).await?;
        let sql = select_schedule!("WHERE guild_id = $1");
        first(
            &client,
            sql,
            &[&to_db(guild_id)],
            op,
            DailySchedule::from_row,
        )
        .await
    }

    async fn daily_schedules(&self, shards: ShardFilter) -> Result<Vec<DailySchedule>, StoreError> {
        let op = "load the daily schedules";
        let client = self.client(op).await?;
        let sql = format!(
            select_schedule!("WHERE {} ORDER BY guild_id"),
            shards.sql("daily_schedules")
        );
        all(&client, &sql, &[], op, DailySchedule::from_row).await
    }

    async fn set_daily_schedule(
        &self,
        schedule: &DailySchedule,
        now: i64,
    ) -> Result<(), StoreError> {
        let s = schedule;
        let roles = serde_json::to_string(&s.roles)
            .map_err(|e| StoreError::InvalidRow(format!("daily roles: {e}")))?;
        let (guild, channel) = (to_db(s.guild_id), to_db(s.channel_id));
        let level = s.level.map(|l| l.id());
        const OP: &str = "store a daily schedule";
        transaction!(self, OP, |tx| {
            let params: [&(dyn ToSql + Sync); 10] = [
                &guild,
                &channel,
                &s.post_time,
                &s.timezone,
                &roles,
                &level,
                &s.board_day,
                &s.last_day,
                &s.last_board_day,
                &now,
            ];
            execute(
                &tx,
                "INSERT INTO daily_schedules (guild_id, channel_id, post_time, timezone, \
                 roles_json, level, board_day, last_day, last_board_day, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, \
                 post_time = excluded.post_time, timezone = excluded.timezone, \
                 roles_json = excluded.roles_json, level = excluded.level, \
                 board_day = excluded.board_day, last_day = excluded.last_day, \
                 last_board_day = excluded.last_board_day, updated_at = excluded.updated_at",
                &params,
                OP,
            )
            .await
            .map(drop)
        })
    }

    async fn remove_daily_schedule(&self, guild_id: u64) -> Result<bool, StoreError> {
        let guild = to_db(guild_id);
        const OP: &str = "remove a daily schedule";
        transaction!(self, OP, |tx| {
            let sql = "DELETE FROM daily_schedules WHERE guild_id = $1";
            execute(&tx, sql, &[&guild], OP).await.map(|n| n > 0)
        })
    }
}

/// A count of rows changed, as the daily contract reports it.
fn count(rows: u64) -> usize {
    usize::try_from(rows).unwrap_or(usize::MAX)
}
