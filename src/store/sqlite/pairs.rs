//! Peer mock interviews in the store (issue 16): the tables of `migrations/sqlite/0002_pairs.sql`.
//!
//! * **`pair_settings`**: a server's announcement channel, queue minutes (1–14) and voice
//!   switch; a server without a row uses the defaults the session layer chooses.
//! * **`pair_queue`**: members waiting for a partner, one entry per member per server,
//!   with the interaction token that lets the bot edit their ephemeral queue reply
//!   (`queue.rs`: joining, matching, leaving, expiry).
//! * **`pairs`**: two members practising together, open until ended once with an
//!   [`EndReason`]; at most one open pair per member per server (this file).
//! * **`pair_rounds`**, **`pair_answers`**, **`pair_scorecards`**, **`pair_ratings`**: each
//!   round's question, the candidate's answers and the interviewer's scorecard
//!   (`rounds.rs`).
//!
//! `/forget-me` and the retention sweep of these tables are in `forget.rs`; `/history`'s
//! list of a member's rounds in `history.rs`.
//!
//! Every write is one job on the writer thread, so one `BEGIN IMMEDIATE` transaction:
//! its checks read the state its writes change, with SQLite's write lock held, against
//! this process's other calls and against another process on the same file. Reads go to
//! the reader threads. The rules that need the state as it is *now* (one pair per member,
//! a waiting member matched once, the running round) are therefore checked inside the
//! write jobs, not before them.

/// The columns [`Pair::from_row`] reads, in order.
macro_rules! pair_columns {
    () => {
        "id, guild_id, thread_id, voice_channel_id, first_interviewer, first_candidate, \
         role_id, level, status, created_at, last_activity_at, ended_at"
    };
}

/// A `SELECT` of [`pair_columns!`] from `pairs`, followed by `$rest`.
macro_rules! select_pair {
    ($rest:literal) => {
        concat!("SELECT ", pair_columns!(), " FROM pairs ", $rest)
    };
}

/// The columns [`QueueEntry::from_row`] reads, in order.
macro_rules! queue_columns {
    () => {
        "guild_id, user_id, role_id, level, channel_id, joined_at, expires_at, \
         application_id, interaction_token"
    };
}

mod forget;
mod history;
mod queue;
mod rounds;

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};

use crate::store::model::pairs::*;

use super::rows::{all, col, execute, first, from_db, snowflake, to_db, FromRow};
use super::Sqlite;
use crate::guide::Level;
use crate::store::contract::pairs::Pairs;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;

/// Reads a row of [`select_pair!`] (or a `RETURNING` of [`pair_columns!`]).
impl FromRow for Pair {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        let status: String = col(row, 8)?;
        Ok(Pair {
            id: PairId(col(row, 0)?),
            guild_id: snowflake(row, 1)?,
            thread_id: optional_snowflake(row, 2)?,
            voice_channel_id: optional_snowflake(row, 3)?,
            first_interviewer: optional_snowflake(row, 4)?,
            first_candidate: optional_snowflake(row, 5)?,
            role: col(row, 6)?,
            level: level(row, 7)?,
            status: PairStatus::from_db_str(&status)
                .ok_or_else(|| StoreError::InvalidRow(format!("unknown pair status {status:?}")))?,
            created_at: col(row, 9)?,
            last_activity_at: col(row, 10)?,
            ended_at: col(row, 11)?,
        })
    }
}

/// Column `idx` of `row`, a Discord id or NULL.
fn optional_snowflake(row: &Row<'_>, idx: usize) -> Result<Option<u64>, StoreError> {
    Ok(col::<Option<i64>>(row, idx)?.map(from_db))
}

/// Column `idx` of `row`, a level id or NULL (any level).
fn level(row: &Row<'_>, idx: usize) -> Result<Option<Level>, StoreError> {
    let Some(text) = col::<Option<String>>(row, idx)? else {
        return Ok(None);
    };
    Level::ALL
        .into_iter()
        .find(|level| level.id() == text)
        .map(Some)
        .ok_or_else(|| StoreError::InvalidRow(format!("unknown level {text:?}")))
}

/// A Discord id or NULL, for a statement.
fn optional_to_db(id: Option<u64>) -> Option<i64> {
    id.map(to_db)
}

/// The member's open pair in this server, if any (inside a job).
fn open_pair_of(
    conn: &Connection,
    guild_id: u64,
    user_id: u64,
) -> Result<Option<Pair>, StoreError> {
    first(
        conn,
        select_pair!(
            "WHERE guild_id = ?1 AND status = 'open' \
             AND (first_interviewer = ?2 OR first_candidate = ?2)"
        ),
        [to_db(guild_id), to_db(user_id)],
        "look up the member's open pair",
        Pair::from_row,
    )
}

/// Ends the open pairs selected by `filter` (a condition on `pairs` with one `?` per value
/// of `values`), with their running rounds; returns them as they are now. Inside a job, so
/// a pair is ended once: whichever ending runs first wins, and the others find it ended.
fn end_where(
    conn: &Connection,
    filter: &str,
    values: &[i64],
    reason: EndReason,
    now: i64,
) -> Result<Vec<Pair>, StoreError> {
    let sql = format!(
        "UPDATE pairs SET status = ?, ended_at = ? WHERE status = 'open' AND {filter} \
         RETURNING {}",
        pair_columns!()
    );
    let status = PairStatus::Ended(reason);
    let values = [Value::Text(status.as_str().into()), Value::Integer(now)]
        .into_iter()
        .chain(values.iter().copied().map(Value::Integer));
    let ended = all(
        conn,
        &sql,
        params_from_iter(values),
        "end a pair",
        Pair::from_row,
    )?;
    for pair in &ended {
        execute(
            conn,
            "UPDATE pair_rounds SET ended_at = ? WHERE pair_id = ? AND ended_at IS NULL",
            params![now, pair.id.0],
            "end a pair's round",
        )?;
        tracing::debug!(pair = %pair.id, %status, "pair ended");
    }
    Ok(ended)
}

#[async_trait]
impl Pairs for Sqlite {
    async fn pair_settings(&self, guild_id: u64) -> Result<Option<PairSettings>, StoreError> {
        self.read(move |conn| {
            first(
                conn,
                "SELECT channel_id, queue_minutes, voice FROM pair_settings WHERE guild_id = ?",
                [to_db(guild_id)],
                "load the pair settings",
                |row| {
                    let minutes: i64 = col(row, 1)?;
                    Ok(PairSettings {
                        channel_id: optional_snowflake(row, 0)?,
                        queue_minutes: u8::try_from(minutes).map_err(|_| {
                            StoreError::InvalidRow(format!("queue_minutes {minutes}"))
                        })?,
                        voice: col(row, 2)?,
                    })
                },
            )
        })
        .await
    }

    async fn set_pair_settings(
        &self,
        guild_id: u64,
        settings: PairSettings,
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            execute(
                conn,
                "INSERT INTO pair_settings (guild_id, channel_id, queue_minutes, voice, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET \
                 channel_id = excluded.channel_id, queue_minutes = excluded.queue_minutes, \
                 voice = excluded.voice, updated_at = excluded.updated_at",
                params![
                    to_db(guild_id),
                    optional_to_db(settings.channel_id),
                    i64::from(settings.queue_minutes),
                    settings.voice,
                    now
                ],
                "store the pair settings",
            )
            .map(drop)
        })
        .await
    }

    async fn pair(&self, id: PairId) -> Result<Option<Pair>, StoreError> {
        self.read(move |conn| {
            let sql = select_pair!("WHERE id = ?");
            first(conn, sql, [id.0], "load a pair", Pair::from_row)
        })
        .await
    }

    async fn open_pair_of(&self, guild_id: u64, user_id: u64) -> Result<Option<Pair>, StoreError> {
        self.read(move |conn| open_pair_of(conn, guild_id, user_id))
            .await
    }

    async fn open_pair_in_thread(&self, thread_id: u64) -> Result<Option<Pair>, StoreError> {
        self.read(move |conn| {
            let sql = select_pair!("WHERE thread_id = ? AND status = 'open'");
            first(
                conn,
                sql,
                [to_db(thread_id)],
                "look up a thread's pair",
                Pair::from_row,
            )
        })
        .await
    }

    async fn open_pairs(&self, shards: ShardFilter) -> Result<Vec<Pair>, StoreError> {
        self.read(move |conn| {
            let sql = format!(
                select_pair!("WHERE status = 'open' AND {} ORDER BY id"),
                shards.sql("pairs")
            );
            all(conn, &sql, [], "list open pairs", Pair::from_row)
        })
        .await
    }

    async fn set_pair_room(
        &self,
        id: PairId,
        thread_id: u64,
        voice_channel_id: Option<u64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let changed = execute(
                conn,
                "UPDATE pairs SET thread_id = ?, voice_channel_id = ?, last_activity_at = ? \
                 WHERE id = ? AND status = 'open'",
                params![
                    to_db(thread_id),
                    optional_to_db(voice_channel_id),
                    now,
                    id.0
                ],
                "record a pair's room",
            )?;
            Ok(changed == 1)
        })
        .await
    }

    async fn touch_pair(&self, id: PairId, now: i64) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let changed = execute(
                conn,
                "UPDATE pairs SET last_activity_at = max(last_activity_at, ?) \
                 WHERE id = ? AND status = 'open'",
                params![now, id.0],
                "record a pair's activity",
            )?;
            Ok(changed == 1)
        })
        .await
    }

    async fn end_pair(
        &self,
        id: PairId,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError> {
        self.write(move |conn| Ok(end_where(conn, "id = ?", &[id.0], reason, now)?.pop()))
            .await
    }

    async fn end_pair_in_thread(
        &self,
        thread_id: u64,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError> {
        self.write(move |conn| {
            Ok(end_where(conn, "thread_id = ?", &[to_db(thread_id)], reason, now)?.pop())
        })
        .await
    }

    async fn end_pair_of_member(
        &self,
        guild_id: u64,
        user_id: u64,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError> {
        let member = [to_db(guild_id), to_db(user_id)];
        self.write(move |conn| {
            let filter = "guild_id = ?3 AND (first_interviewer = ?4 OR first_candidate = ?4)";
            Ok(end_where(conn, filter, &member, reason, now)?.pop())
        })
        .await
    }

    async fn end_idle_pairs(
        &self,
        now: i64,
        idle_secs: u64,
        shards: ShardFilter,
    ) -> Result<Vec<Pair>, StoreError> {
        let cutoff = now.saturating_sub(i64::try_from(idle_secs).unwrap_or(i64::MAX));
        self.write(move |conn| {
            let mut ended = end_where(
                conn,
                &format!("last_activity_at < ? AND {}", shards.sql("pairs")),
                &[cutoff],
                EndReason::Idle,
                now,
            )?;
            ended.sort_by_key(|pair| (pair.last_activity_at, pair.id));
            Ok(ended)
        })
        .await
    }
}
