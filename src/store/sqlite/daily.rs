//! The daily question in the store (issue 17): the tables of `migrations/sqlite/0003_daily.sql`.
//!
//! * **`daily_schedules`**: a server's schedule, with the last local date posted and the
//!   last board's date (this file).
//! * **`daily_posts`**: one post per server per local date, claimed before it is made so a
//!   date is posted once, then filled in with its message and thread (`posts.rs`). The
//!   posts are also the rotation's memory: which questions a role has had.
//! * **`daily_answers`**, **`daily_streaks`**, **`daily_board_members`**,
//!   **`daily_boards`**: answers with their streak records, board opt-ins and the weekly
//!   boards, with `/forget-me` and retention (`members.rs`).
//!
//! As everywhere in the store, each write is one job on the writer thread, one
//! `BEGIN IMMEDIATE` transaction, so "claim today's post" or "count this answer in the
//! streak" read and write one state, against this process and any other on the file.

mod members;
mod posts;

use async_trait::async_trait;
use rusqlite::{params, Row};

use crate::store::model::daily::*;

use super::rows::{all, col, execute, first, snowflake, to_db, FromRow};
use super::Sqlite;
use crate::guide::Level;
use crate::store::contract::daily::DailySchedules;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;

/// The columns [`DailySchedule::from_row`] reads, in order.
const SCHEDULE_COLUMNS: &str = "SELECT guild_id, channel_id, post_time, timezone, roles_json, \
     level, board_day, last_day, last_board_day FROM daily_schedules";

impl FromRow for DailySchedule {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
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
impl DailySchedules for Sqlite {
    async fn daily_schedule(&self, guild_id: u64) -> Result<Option<DailySchedule>, StoreError> {
        self.read(move |conn| {
            first(
                conn,
                &format!("{SCHEDULE_COLUMNS} WHERE guild_id = ?"),
                [to_db(guild_id)],
                "load a daily schedule",
                DailySchedule::from_row,
            )
        })
        .await
    }

    async fn daily_schedules(&self, shards: ShardFilter) -> Result<Vec<DailySchedule>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                &format!(
                    "{SCHEDULE_COLUMNS} WHERE {} ORDER BY guild_id",
                    shards.sql("daily_schedules")
                ),
                [],
                "load the daily schedules",
                DailySchedule::from_row,
            )
        })
        .await
    }

    async fn set_daily_schedule(
        &self,
        schedule: &DailySchedule,
        now: i64,
    ) -> Result<(), StoreError> {
        let s = schedule.clone();
        let roles = serde_json::to_string(&s.roles)
            .map_err(|e| StoreError::InvalidRow(format!("daily roles: {e}")))?;
        self.write(move |conn| {
            execute(
                conn,
                "INSERT INTO daily_schedules (guild_id, channel_id, post_time, timezone, \
                 roles_json, level, board_day, last_day, last_board_day, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, \
                 post_time = excluded.post_time, timezone = excluded.timezone, \
                 roles_json = excluded.roles_json, level = excluded.level, \
                 board_day = excluded.board_day, last_day = excluded.last_day, \
                 last_board_day = excluded.last_board_day, updated_at = excluded.updated_at",
                params![
                    to_db(s.guild_id),
                    to_db(s.channel_id),
                    s.post_time,
                    s.timezone,
                    roles,
                    s.level.map(|l| l.id()),
                    s.board_day,
                    s.last_day,
                    s.last_board_day,
                    now
                ],
                "store a daily schedule",
            )
            .map(drop)
        })
        .await
    }

    async fn remove_daily_schedule(&self, guild_id: u64) -> Result<bool, StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "DELETE FROM daily_schedules WHERE guild_id = ?",
                [to_db(guild_id)],
                "remove a daily schedule",
            )
            .map(|n| n > 0)
        })
        .await
    }
}
