//! The `daily_posts` and `daily_boards` tables: claiming a day's post (or the week's
//! board) once, then recording how far posting it got.
//!
//! A claim is a compare-and-set on the schedule's `last_day` (or `last_board_day`): the
//! caller passes the value it read, and the claim only happens if it is still that, in the
//! same transaction as the post's row is written. So a date is claimed once however many
//! ticks (or processes) see it due at the same moment, and a claimed post survives a crash
//! as a pending row that the next start finishes.

use async_trait::async_trait;
use rusqlite::{params, Connection, Row};

use crate::store::contract::daily::DailyPosts;
use crate::store::error::StoreError;
use crate::store::model::daily::{
    DailyBoard, DailyPost, DailyPostId, DailyPostStatus, NewDailyPost,
};
use crate::store::model::ShardFilter;
use crate::store::sqlite::rows::{all, col, execute, first, from_db, snowflake, to_db, FromRow};
use crate::store::sqlite::Sqlite;

/// The columns [`DailyPost::from_row`] reads, in order.
macro_rules! select_post {
    ($rest:literal) => {
        concat!(
            "SELECT id, guild_id, day, channel_id, role_id, question_id, message_id, \
             thread_id, status, created_at, posted_at FROM daily_posts ",
            $rest
        )
    };
}

impl FromRow for DailyPost {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        let status: String = col(row, 8)?;
        Ok(DailyPost {
            id: DailyPostId(col(row, 0)?),
            guild_id: snowflake(row, 1)?,
            day: col(row, 2)?,
            channel_id: snowflake(row, 3)?,
            role_id: col(row, 4)?,
            question_id: col(row, 5)?,
            message_id: col::<Option<i64>>(row, 6)?.map(from_db),
            thread_id: col::<Option<i64>>(row, 7)?.map(from_db),
            status: DailyPostStatus::from_db_str(&status).ok_or_else(|| {
                StoreError::InvalidRow(format!("unknown daily post status {status:?}"))
            })?,
            created_at: col(row, 9)?,
            posted_at: col(row, 10)?,
        })
    }
}

impl FromRow for DailyBoard {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(DailyBoard {
            id: col(row, 0)?,
            guild_id: snowflake(row, 1)?,
            day: col(row, 2)?,
            channel_id: snowflake(row, 3)?,
        })
    }
}

fn post_by_id(conn: &Connection, id: DailyPostId) -> Result<Option<DailyPost>, StoreError> {
    first(
        conn,
        select_post!("WHERE id = ?"),
        [id.0],
        "load a daily post",
        DailyPost::from_row,
    )
}

#[async_trait]
impl DailyPosts for Sqlite {
    async fn claim_daily_post(
        &self,
        post: &NewDailyPost,
        expected_last: Option<String>,
        now: i64,
    ) -> Result<Option<DailyPost>, StoreError> {
        let post = post.clone();
        self.write(move |conn| {
            let claimed = execute(
                conn,
                "UPDATE daily_schedules SET last_day = ?1 \
                 WHERE guild_id = ?2 AND last_day IS ?3 AND (?3 IS NULL OR ?3 < ?1)",
                params![post.day, to_db(post.guild_id), expected_last],
                "claim a day's post",
            )?;
            if claimed == 0 {
                return Ok(None);
            }
            first(
                conn,
                "INSERT INTO daily_posts (guild_id, day, channel_id, role_id, question_id, \
                 created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, day) DO NOTHING \
                 RETURNING id, guild_id, day, channel_id, role_id, question_id, message_id, \
                 thread_id, status, created_at, posted_at",
                params![
                    to_db(post.guild_id),
                    post.day,
                    to_db(post.channel_id),
                    post.role_id,
                    post.question_id,
                    now
                ],
                "store a day's post",
                DailyPost::from_row,
            )
        })
        .await
    }

    async fn pending_daily_posts(&self, shards: ShardFilter) -> Result<Vec<DailyPost>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                &format!(
                    select_post!("WHERE status = 'pending' AND {} ORDER BY id"),
                    shards.sql("daily_posts")
                ),
                [],
                "list pending daily posts",
                DailyPost::from_row,
            )
        })
        .await
    }

    async fn daily_post(&self, id: DailyPostId) -> Result<Option<DailyPost>, StoreError> {
        self.read(move |conn| post_by_id(conn, id)).await
    }

    async fn daily_post_by_thread(&self, thread_id: u64) -> Result<Option<DailyPost>, StoreError> {
        self.read(move |conn| {
            first(
                conn,
                select_post!("WHERE thread_id = ?"),
                [to_db(thread_id)],
                "find a daily post by its thread",
                DailyPost::from_row,
            )
        })
        .await
    }

    async fn latest_daily_post(&self, guild_id: u64) -> Result<Option<DailyPost>, StoreError> {
        self.read(move |conn| {
            first(
                conn,
                select_post!("WHERE guild_id = ? ORDER BY day DESC LIMIT 1"),
                [to_db(guild_id)],
                "find the latest daily post",
                DailyPost::from_row,
            )
        })
        .await
    }

    async fn daily_rotation(
        &self,
        guild_id: u64,
        role_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let role_id = role_id.to_string();
        self.read(move |conn| {
            all(
                conn,
                "SELECT question_id FROM daily_posts WHERE guild_id = ? AND role_id = ? ORDER BY id",
                params![to_db(guild_id), role_id],
                "read the daily rotation",
                |row| col(row, 0),
            )
        })
        .await
    }

    async fn daily_post_message(&self, id: DailyPostId, message_id: u64) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "UPDATE daily_posts SET message_id = ? WHERE id = ?",
                params![to_db(message_id), id.0],
                "record a daily post's message",
            )
            .map(drop)
        })
        .await
    }

    async fn daily_post_thread(
        &self,
        id: DailyPostId,
        thread_id: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "UPDATE daily_posts SET thread_id = ?, status = 'posted', posted_at = ? WHERE id = ?",
                params![to_db(thread_id), now, id.0],
                "record a daily post's thread",
            )
            .map(drop)
        })
        .await
    }

    async fn daily_post_missed(&self, id: DailyPostId) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "UPDATE daily_posts SET status = 'missed' WHERE id = ? AND status = 'pending'",
                [id.0],
                "give up a daily post",
            )
            .map(drop)
        })
        .await
    }

    async fn claim_daily_board(
        &self,
        guild_id: u64,
        day: &str,
        channel_id: u64,
        expected_last: Option<String>,
        now: i64,
    ) -> Result<Option<DailyBoard>, StoreError> {
        let day = day.to_string();
        self.write(move |conn| {
            let claimed = execute(
                conn,
                "UPDATE daily_schedules SET last_board_day = ?1 \
                 WHERE guild_id = ?2 AND last_board_day IS ?3 AND (?3 IS NULL OR ?3 < ?1)",
                params![day, to_db(guild_id), expected_last],
                "claim a weekly board",
            )?;
            if claimed == 0 {
                return Ok(None);
            }
            first(
                conn,
                "INSERT INTO daily_boards (guild_id, day, channel_id, created_at) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, day) DO NOTHING \
                 RETURNING id, guild_id, day, channel_id",
                params![to_db(guild_id), day, to_db(channel_id), now],
                "store a weekly board",
                DailyBoard::from_row,
            )
        })
        .await
    }

    async fn pending_daily_boards(
        &self,
        shards: ShardFilter,
    ) -> Result<Vec<DailyBoard>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                &format!(
                    "SELECT id, guild_id, day, channel_id FROM daily_boards \
                     WHERE posted_at IS NULL AND {} ORDER BY id",
                    shards.sql("daily_boards")
                ),
                [],
                "list pending weekly boards",
                DailyBoard::from_row,
            )
        })
        .await
    }

    async fn daily_board_done(
        &self,
        id: i64,
        message_id: Option<u64>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "UPDATE daily_boards SET message_id = ?, posted_at = ? WHERE id = ?",
                params![message_id.map(to_db), now, id],
                "record a weekly board",
            )
            .map(drop)
        })
        .await
    }
}
