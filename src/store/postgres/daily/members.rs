//! Members and the daily question: answers (with the streak record each one updates),
//! board opt-ins, `/forget-me` and retention.
//!
//! An answer and its streak update are one transaction: a streak never counts an answer
//! that was not stored, or misses one that was. The streak rule belongs to the coach
//! (`crate::coach::daily::streak`); the caller passes it in as a plain function, which the
//! transaction applies to the record it read. When PostgreSQL aborts the transaction for
//! a conflict (the same member answering twice at once, say), the rerun reads the record
//! again and applies the rule to what the other answer left.
//!
//! Retention deletes answer texts and their feedback after `retention_days`; streak
//! records hold no answer and stay, so a streak outlives the answers that made it.
//! `/forget-me` deletes answers, streak records and board memberships, in every server.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::count;
use crate::store::contract::daily::DailyMembers;
use crate::store::error::StoreError;
use crate::store::model::daily::StreakRule;
use crate::store::model::daily::{
    BoardMember, DailyAnswer, DailyAnswered, DailyForgotten, DailyPostId, NewDailyAnswer, StreakRow,
};
use crate::store::postgres::rows::{all, col, execute, first, snowflake, to_db};
use crate::store::postgres::Postgres;

/// Column `idx` of `row`, a streak length (`BIGINT`, a `u32` in Rust).
fn days(row: &Row, idx: usize) -> Result<u32, StoreError> {
    let value: i64 = col(row, idx)?;
    u32::try_from(value)
        .map_err(|_| StoreError::InvalidRow(format!("streak length {value} is out of range")))
}

/// The member's streak record in the server.
async fn streak_of<C: GenericClient>(
    client: &C,
    guild_id: i64,
    user_id: i64,
) -> Result<Option<StreakRow>, StoreError> {
    first(
        client,
        "SELECT last_day, run, longest FROM daily_streaks WHERE guild_id = $1 AND user_id = $2",
        &[&guild_id, &user_id],
        "load a streak",
        |row| {
            Ok(StreakRow {
                last_day: col(row, 0)?,
                run: days(row, 1)?,
                longest: days(row, 2)?,
            })
        },
    )
    .await
}

/// Records `answer` and counts `day` in the member's streak with `rule`, inside the
/// caller's transaction.
async fn record<C: GenericClient>(
    client: &C,
    answer: &NewDailyAnswer,
    day: &str,
    rule: StreakRule,
    now: i64,
) -> Result<DailyAnswered, StoreError> {
    let source = to_db(answer.source_id);
    let seen = first(
        client,
        "SELECT 1 FROM daily_answers WHERE source_id = $1",
        &[&source],
        "look up an answer's source",
        |_| Ok(()),
    )
    .await?;
    if seen.is_some() {
        return Ok(DailyAnswered::Duplicate);
    }
    let Some(guild_id) = first(
        client,
        "SELECT guild_id FROM daily_posts WHERE id = $1",
        &[&answer.post_id.0],
        "find an answer's post",
        |row| col::<i64>(row, 0),
    )
    .await?
    else {
        return Ok(DailyAnswered::UnknownPost);
    };
    let user_id = to_db(answer.user_id);
    let replace: [&(dyn ToSql + Sync); 6] = [
        &source,
        &answer.text,
        &answer.feedback_json,
        &now,
        &answer.post_id.0,
        &user_id,
    ];
    let replaced = execute(
        client,
        "UPDATE daily_answers SET source_id = $1, answer_text = $2, feedback_json = $3, \
         updated_at = $4 WHERE post_id = $5 AND user_id = $6",
        &replace,
        "replace a daily answer",
    )
    .await?
        > 0;
    if !replaced {
        let insert: [&(dyn ToSql + Sync); 7] = [
            &answer.post_id.0,
            &guild_id,
            &user_id,
            &source,
            &answer.text,
            &answer.feedback_json,
            &now,
        ];
        execute(
            client,
            "INSERT INTO daily_answers (post_id, guild_id, user_id, source_id, answer_text, \
             feedback_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            &insert,
            "store a daily answer",
        )
        .await?;
    }
    let before = streak_of(client, guild_id, user_id).await?;
    let after = rule(before.as_ref(), day);
    let (run, longest) = (i64::from(after.run), i64::from(after.longest));
    let streak: [&(dyn ToSql + Sync); 5] = [&guild_id, &user_id, &after.last_day, &run, &longest];
    execute(
        client,
        "INSERT INTO daily_streaks (guild_id, user_id, last_day, run, longest) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, user_id) DO UPDATE SET \
         last_day = excluded.last_day, run = excluded.run, longest = excluded.longest",
        &streak,
        "update a streak",
    )
    .await?;
    Ok(if replaced {
        DailyAnswered::Replaced(after)
    } else {
        DailyAnswered::First(after)
    })
}

#[async_trait]
impl DailyMembers for Postgres {
    async fn record_daily_answer(
        &self,
        answer: &NewDailyAnswer,
        day: &str,
        rule: StreakRule,
        now: i64,
    ) -> Result<DailyAnswered, StoreError> {
        transaction!(self, "record a daily answer", |tx| {
            record(&tx, answer, day, rule, now).await
        })
    }

    async fn daily_answer(
        &self,
        post_id: DailyPostId,
        user_id: u64,
    ) -> Result<Option<DailyAnswer>, StoreError> {
        let op = "load a daily answer";
        let client = self.client(op).await?;
        let user = to_db(user_id);
        first(
            &client,
            "SELECT post_id, guild_id, user_id, answer_text, feedback_json, created_at \
             FROM daily_answers WHERE post_id = $1 AND user_id = $2",
            &[&post_id.0, &user],
            op,
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
        .await
    }

    async fn member_daily_feedback(&self, user_id: u64) -> Result<Vec<(i64, String)>, StoreError> {
        let op = "load a member's daily feedback";
        let client = self.client(op).await?;
        let sql = "SELECT created_at, feedback_json FROM daily_answers \
                   WHERE user_id = $1 AND feedback_json IS NOT NULL ORDER BY created_at, id";
        all(&client, sql, &[&to_db(user_id)], op, |row| {
            Ok((col(row, 0)?, col(row, 1)?))
        })
        .await
    }

    async fn daily_streak(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<StreakRow>, StoreError> {
        let client = self.client("load a streak").await?;
        streak_of(&client, to_db(guild_id), to_db(user_id)).await
    }

    async fn join_daily_board(
        &self,
        guild_id: u64,
        user_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (guild, user) = (to_db(guild_id), to_db(user_id));
        const OP: &str = "join the weekly board";
        transaction!(self, OP, |tx| {
            let sql = "INSERT INTO daily_board_members (guild_id, user_id, joined_at) \
                       VALUES ($1, $2, $3) ON CONFLICT (guild_id, user_id) DO NOTHING";
            execute(&tx, sql, &[&guild, &user, &now], OP)
                .await
                .map(|n| n > 0)
        })
    }

    async fn leave_daily_board(&self, guild_id: u64, user_id: u64) -> Result<bool, StoreError> {
        let (guild, user) = (to_db(guild_id), to_db(user_id));
        const OP: &str = "leave the weekly board";
        transaction!(self, OP, |tx| {
            let sql = "DELETE FROM daily_board_members WHERE guild_id = $1 AND user_id = $2";
            execute(&tx, sql, &[&guild, &user], OP).await.map(|n| n > 0)
        })
    }

    async fn daily_board_members(&self, guild_id: u64) -> Result<Vec<BoardMember>, StoreError> {
        let op = "load the weekly board";
        let client = self.client(op).await?;
        let sql = "SELECT b.user_id, s.last_day, s.run, s.longest FROM daily_board_members b \
                   LEFT JOIN daily_streaks s ON s.guild_id = b.guild_id AND s.user_id = b.user_id \
                   WHERE b.guild_id = $1 ORDER BY b.joined_at, b.user_id";
        all(&client, sql, &[&to_db(guild_id)], op, |row| {
            let last_day: Option<String> = col(row, 1)?;
            Ok(BoardMember {
                user_id: snowflake(row, 0)?,
                streak: match last_day {
                    Some(last_day) => Some(StreakRow {
                        last_day,
                        run: days(row, 2)?,
                        longest: days(row, 3)?,
                    }),
                    None => None,
                },
            })
        })
        .await
    }

    async fn forget_daily_member(&self, user_id: u64) -> Result<DailyForgotten, StoreError> {
        let user = to_db(user_id);
        transaction!(self, "forget a member's daily answers", |tx| {
            Ok(DailyForgotten {
                answers: count(
                    execute(
                        &tx,
                        "DELETE FROM daily_answers WHERE user_id = $1",
                        &[&user],
                        "forget daily answers",
                    )
                    .await?,
                ),
                streaks: count(
                    execute(
                        &tx,
                        "DELETE FROM daily_streaks WHERE user_id = $1",
                        &[&user],
                        "forget streaks",
                    )
                    .await?,
                ),
                boards: count(
                    execute(
                        &tx,
                        "DELETE FROM daily_board_members WHERE user_id = $1",
                        &[&user],
                        "forget board memberships",
                    )
                    .await?,
                ),
            })
        })
    }

    async fn sweep_daily_retention(
        &self,
        now: i64,
        retention_days: u32,
    ) -> Result<usize, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        const OP: &str = "delete old daily answers";
        transaction!(self, OP, |tx| {
            let sql = "DELETE FROM daily_answers WHERE updated_at < $1";
            execute(&tx, sql, &[&cutoff], OP).await.map(count)
        })
    }
}
