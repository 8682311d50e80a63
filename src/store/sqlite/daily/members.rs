//! Members and the daily question: answers (with the streak record each one updates),
//! board opt-ins, `/forget-me` and retention.
//!
//! An answer and its streak update are one write job, so one transaction: a streak never
//! counts an answer that was not stored, or misses one that was. The streak rule itself
//! belongs to the coach (`crate::coach::daily::streak`); the caller passes it in as a
//! plain function, which the job applies to the record it read under the write lock.
//!
//! Retention deletes answer texts and their feedback after `retention_days`; streak
//! records hold no answer and stay, so a streak outlives the answers that made it.
//! `/forget-me` deletes all three kinds of rows, in every server.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use crate::store::contract::daily::DailyMembers;
use crate::store::error::StoreError;
use crate::store::model::daily::StreakRule;
use crate::store::model::daily::{
    BoardMember, DailyAnswer, DailyAnswered, DailyForgotten, DailyPostId, NewDailyAnswer, StreakRow,
};
use crate::store::sqlite::rows::{all, col, execute, first, snowflake, to_db};
use crate::store::sqlite::Sqlite;

fn streak_of(
    conn: &Connection,
    guild_id: i64,
    user_id: i64,
) -> Result<Option<StreakRow>, StoreError> {
    first(
        conn,
        "SELECT last_day, run, longest FROM daily_streaks WHERE guild_id = ? AND user_id = ?",
        [guild_id, user_id],
        "load a streak",
        |row| {
            Ok(StreakRow {
                last_day: col(row, 0)?,
                run: col(row, 1)?,
                longest: col(row, 2)?,
            })
        },
    )
}

fn record(
    conn: &Connection,
    answer: &NewDailyAnswer,
    day: &str,
    rule: StreakRule,
    now: i64,
) -> Result<DailyAnswered, StoreError> {
    let seen: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM daily_answers WHERE source_id = ?",
            [to_db(answer.source_id)],
            |row| row.get(0),
        )
        .optional()
        .map_err(StoreError::query("look up an answer's source"))?;
    if seen.is_some() {
        return Ok(DailyAnswered::Duplicate);
    }
    let Some(guild_id) = first(
        conn,
        "SELECT guild_id FROM daily_posts WHERE id = ?",
        [answer.post_id.0],
        "find an answer's post",
        |row| col::<i64>(row, 0),
    )?
    else {
        return Ok(DailyAnswered::UnknownPost);
    };
    let user_id = to_db(answer.user_id);
    let replaced = execute(
        conn,
        "UPDATE daily_answers SET source_id = ?, answer_text = ?, feedback_json = ?, \
         updated_at = ? WHERE post_id = ? AND user_id = ?",
        params![
            to_db(answer.source_id),
            answer.text,
            answer.feedback_json,
            now,
            answer.post_id.0,
            user_id
        ],
        "replace a daily answer",
    )? > 0;
    if !replaced {
        execute(
            conn,
            "INSERT INTO daily_answers (post_id, guild_id, user_id, source_id, answer_text, \
             feedback_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                answer.post_id.0,
                guild_id,
                user_id,
                to_db(answer.source_id),
                answer.text,
                answer.feedback_json,
                now,
                now
            ],
            "store a daily answer",
        )?;
    }
    let before = streak_of(conn, guild_id, user_id)?;
    let after = rule(before.as_ref(), day);
    execute(
        conn,
        "INSERT INTO daily_streaks (guild_id, user_id, last_day, run, longest) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET \
         last_day = excluded.last_day, run = excluded.run, longest = excluded.longest",
        params![guild_id, user_id, after.last_day, after.run, after.longest],
        "update a streak",
    )?;
    Ok(if replaced {
        DailyAnswered::Replaced(after)
    } else {
        DailyAnswered::First(after)
    })
}

#[async_trait]
impl DailyMembers for Sqlite {
    async fn record_daily_answer(
        &self,
        answer: &NewDailyAnswer,
        day: &str,
        rule: StreakRule,
        now: i64,
    ) -> Result<DailyAnswered, StoreError> {
        let answer = answer.clone();
        let day = day.to_string();
        self.write(move |conn| record(conn, &answer, &day, rule, now))
            .await
    }

    async fn daily_answer(
        &self,
        post_id: DailyPostId,
        user_id: u64,
    ) -> Result<Option<DailyAnswer>, StoreError> {
        self.read(move |conn| {
            first(
                conn,
                "SELECT post_id, guild_id, user_id, answer_text, feedback_json, created_at \
                 FROM daily_answers WHERE post_id = ? AND user_id = ?",
                params![post_id.0, to_db(user_id)],
                "load a daily answer",
                |row| {
                    Ok(DailyAnswer {
                        post_id: DailyPostId(col(row, 0)?),
                        guild_id: snowflake(row, 1)?,
                        user_id: snowflake(row, 2)?,
                        text: col(row, 3)?,
                        feedback_json: col(row, 4)?,
                        created_at: col(row, 5)?,
                    })
                },
            )
        })
        .await
    }

    async fn member_daily_feedback(&self, user_id: u64) -> Result<Vec<(i64, String)>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                "SELECT created_at, feedback_json FROM daily_answers \
                 WHERE user_id = ? AND feedback_json IS NOT NULL ORDER BY created_at, id",
                [to_db(user_id)],
                "load a member's daily feedback",
                |row| Ok((col(row, 0)?, col(row, 1)?)),
            )
        })
        .await
    }

    async fn daily_streak(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<StreakRow>, StoreError> {
        self.read(move |conn| streak_of(conn, to_db(guild_id), to_db(user_id)))
            .await
    }

    async fn join_daily_board(
        &self,
        guild_id: u64,
        user_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "INSERT INTO daily_board_members (guild_id, user_id, joined_at) VALUES (?, ?, ?) \
                 ON CONFLICT (guild_id, user_id) DO NOTHING",
                params![to_db(guild_id), to_db(user_id), now],
                "join the weekly board",
            )
            .map(|n| n > 0)
        })
        .await
    }

    async fn leave_daily_board(&self, guild_id: u64, user_id: u64) -> Result<bool, StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "DELETE FROM daily_board_members WHERE guild_id = ? AND user_id = ?",
                [to_db(guild_id), to_db(user_id)],
                "leave the weekly board",
            )
            .map(|n| n > 0)
        })
        .await
    }

    async fn daily_board_members(&self, guild_id: u64) -> Result<Vec<BoardMember>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                "SELECT b.user_id, s.last_day, s.run, s.longest FROM daily_board_members b \
                 LEFT JOIN daily_streaks s ON s.guild_id = b.guild_id AND s.user_id = b.user_id \
                 WHERE b.guild_id = ? ORDER BY b.joined_at, b.user_id",
                [to_db(guild_id)],
                "load the weekly board",
                |row| {
                    let last_day: Option<String> = col(row, 1)?;
                    Ok(BoardMember {
                        user_id: snowflake(row, 0)?,
                        streak: match last_day {
                            Some(last_day) => Some(StreakRow {
                                last_day,
                                run: col(row, 2)?,
                                longest: col(row, 3)?,
                            }),
                            None => None,
                        },
                    })
                },
            )
        })
        .await
    }

    async fn forget_daily_member(&self, user_id: u64) -> Result<DailyForgotten, StoreError> {
        self.write(move |conn| {
            let user = to_db(user_id);
            Ok(DailyForgotten {
                answers: execute(
                    conn,
                    "DELETE FROM daily_answers WHERE user_id = ?",
                    [user],
                    "forget daily answers",
                )?,
                streaks: execute(
                    conn,
                    "DELETE FROM daily_streaks WHERE user_id = ?",
                    [user],
                    "forget streaks",
                )?,
                boards: execute(
                    conn,
                    "DELETE FROM daily_board_members WHERE user_id = ?",
                    [user],
                    "forget board memberships",
                )?,
            })
        })
        .await
    }

    async fn sweep_daily_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<usize, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        self.write(move |conn| {
            execute(
                conn,
                "DELETE FROM daily_answers WHERE updated_at < ?",
                [cutoff],
                "delete old daily answers",
            )
        })
        .await
    }
}
