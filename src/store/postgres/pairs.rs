//! Peer mock interviews in PostgreSQL: the tables of `migrations/postgres/0002_pairs.sql`.
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
//! Every write is one `SERIALIZABLE` transaction ([`transaction!`]): its checks and writes
//! behave as if no other call ran beside it, in this process or another, and the loser of
//! a race runs again and sees the winner's result. The rules that need the state as it is
//! *now* (one pair per member, a waiting member matched once, the running round) are
//! therefore checked inside the write transactions, not before them. Single-statement
//! reads run on a pooled connection; reads of several statements that must agree run in
//! one transaction.

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
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::model::pairs::*;

use super::rows::{all, col, execute, first, optional_snowflake, optional_to_db, snowflake};
use super::rows::{to_db, FromRow};
use super::Postgres;
use crate::guide::Level;
use crate::store::contract::pairs::Pairs;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;

/// Reads a row of [`select_pair!`] (or a `RETURNING` of [`pair_columns!`]).
impl FromRow for Pair {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
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

/// Column `idx` of `row`, a level id or NULL (any level).
fn level(row: &Row, idx: usize) -> Result<Option<Level>, StoreError> {
    let Some(text) = col::<Option<String>>(row, idx)? else {
        return Ok(None);
    };
    Level::ALL
        .into_iter()
        .find(|level| level.id() == text)
        .map(Some)
        .ok_or_else(|| StoreError::InvalidRow(format!("unknown level {text:?}")))
}

/// The member's open pair in this server, if any (on a connection or inside a
/// transaction).
async fn open_pair_of<C: GenericClient>(
    client: &C,
    guild_id: u64,
    user_id: u64,
) -> Result<Option<Pair>, StoreError> {
    first(
        client,
        select_pair!(
            "WHERE guild_id = $1 AND status = 'open' \
             AND (first_interviewer = $2 OR first_candidate = $2)"
        ),
        &[&to_db(guild_id), &to_db(user_id)],
        "look up the member's open pair",
        Pair::from_row,
    )
    .await
}

/// Ends the open pairs selected by `filter` (a condition on `pairs` whose parameters are
/// `$3`, `$4`, … for the values of `values`; `$1` and `$2` are the status and the time),
/// with their running rounds; returns them as they are now, by id. Inside a transaction,
/// so a pair is ended once: whichever ending commits first wins, and the others find it
/// ended.
async fn end_where<C: GenericClient>(
    client: &C,
    filter: &str,
    values: &[i64],
    reason: EndReason,
    now: i64,
) -> Result<Vec<Pair>, StoreError> {
    let sql = format!(
        "UPDATE pairs SET status = $1, ended_at = $2 WHERE status = 'open' AND {filter} \
         RETURNING {}",
        pair_columns!()
    );
    let status = PairStatus::Ended(reason);
    let status_text = status.as_str();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&status_text, &now];
    params.extend(values.iter().map(|value| value as &(dyn ToSql + Sync)));
    let mut ended = all(client, &sql, &params, "end a pair", Pair::from_row).await?;
    // RETURNING follows no order in either backend; by id, the order of opening.
    ended.sort_by_key(|pair| pair.id);
    for pair in &ended {
        execute(
            client,
            "UPDATE pair_rounds SET ended_at = $1 WHERE pair_id = $2 AND ended_at IS NULL",
            &[&now, &pair.id.0],
            "end a pair's round",
        )
        .await?;
        tracing::debug!(pair = %pair.id, %status, "pair ended");
    }
    Ok(ended)
}

#[async_trait]
impl Pairs for Postgres {
    async fn pair_settings(&self, guild_id: u64) -> Result<Option<PairSettings>, StoreError> {
        let op = "load the pair settings";
        let client = self.client(op).await?;
        first(
            &client,
            "SELECT channel_id, queue_minutes, voice FROM pair_settings WHERE guild_id = $1",
            &[&to_db(guild_id)],
            op,
            |row| {
                let minutes: i64 = col(row, 1)?;
                Ok(PairSettings {
                    channel_id: optional_snowflake(row, 0)?,
                    queue_minutes: u8::try_from(minutes)
                        .map_err(|_| StoreError::InvalidRow(format!("queue_minutes {minutes}")))?,
                    voice: col(row, 2)?,
                })
            },
        )
        .await
    }

    async fn set_pair_settings(
        &self,
        guild_id: u64,
        settings: PairSettings,
        now: i64,
    ) -> Result<(), StoreError> {
        let (guild, channel) = (to_db(guild_id), optional_to_db(settings.channel_id));
        let minutes = i64::from(settings.queue_minutes);
        transaction!(self, "store the pair settings", |tx| {
            execute(
                &tx,
                "INSERT INTO pair_settings (guild_id, channel_id, queue_minutes, voice, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id) DO UPDATE SET \
                 channel_id = excluded.channel_id, queue_minutes = excluded.queue_minutes, \
                 voice = excluded.voice, updated_at = excluded.updated_at",
                &[&guild, &channel, &minutes, &settings.voice, &now],
                "store the pair settings",
            )
            .await
            .map(drop)
        })
    }

    async fn pair(&self, id: PairId) -> Result<Option<Pair>, StoreError> {
        let op = "load a pair";
        let client = self.client(op).await?;
        let sql = select_pair!("WHERE id = $1");
        first(&client, sql, &[&id.0], op, Pair::from_row).await
    }

    async fn open_pair_of(&self, guild_id: u64, user_id: u64) -> Result<Option<Pair>, StoreError> {
        let client = self.client("look up the member's open pair").await?;
        open_pair_of(&client, guild_id, user_id).await
    }

    async fn open_pair_in_thread(&self, thread_id: u64) -> Result<Option<Pair>, StoreError> {
        let op = "look up a thread's pair";
        let client = self.client(op).await?;
        let sql = select_pair!("WHERE thread_id = $1 AND status = 'open'");
        first(&client, sql, &[&to_db(thread_id)], op, Pair::from_row).await
    }

    async fn open_pairs(&self, shards: ShardFilter) -> Result<Vec<Pair>, StoreError> {
        let op = "list open pairs";
        let client = self.client(op).await?;
        let sql = format!(
            select_pair!("WHERE status = 'open' AND {} ORDER BY id"),
            shards.sql("pairs")
        );
        all(&client, &sql, &[], op, Pair::from_row).await
    }

    async fn set_pair_room(
        &self,
        id: PairId,
        thread_id: u64,
        voice_channel_id: Option<u64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (thread, voice) = (to_db(thread_id), optional_to_db(voice_channel_id));
        transaction!(self, "record a pair's room", |tx| {
            let changed = execute(
                &tx,
                "UPDATE pairs SET thread_id = $1, voice_channel_id = $2, last_activity_at = $3 \
                 WHERE id = $4 AND status = 'open'",
                &[&thread, &voice, &now, &id.0],
                "record a pair's room",
            )
            .await?;
            Ok(changed == 1)
        })
    }

    async fn touch_pair(&self, id: PairId, now: i64) -> Result<bool, StoreError> {
        transaction!(self, "record a pair's activity", |tx| {
            let changed = execute(
                &tx,
                "UPDATE pairs SET last_activity_at = GREATEST(last_activity_at, $1) \
                 WHERE id = $2 AND status = 'open'",
                &[&now, &id.0],
                "record a pair's activity",
            )
            .await?;
            Ok(changed == 1)
        })
    }

    async fn end_pair(
        &self,
        id: PairId,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError> {
        transaction!(self, "end a pair", |tx| {
            Ok(end_where(&tx, "id = $3", &[id.0], reason, now).await?.pop())
        })
    }

    async fn end_pair_in_thread(
        &self,
        thread_id: u64,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError> {
        let thread = to_db(thread_id);
        transaction!(self, "end a pair", |tx| {
            Ok(end_where(&tx, "thread_id = $3", &[thread], reason, now)
                .await?
                .pop())
        })
    }

    async fn end_pair_of_member(
        &self,
        guild_id: u64,
        user_id: u64,
        reason: EndReason,
        now: i64,
    ) -> Result<Option<Pair>, StoreError> {
        let member = [to_db(guild_id), to_db(user_id)];
        transaction!(self, "end a pair", |tx| {
            let filter = "guild_id = $3 AND (first_interviewer = $4 OR first_candidate = $4)";
            Ok(end_where(&tx, filter, &member, reason, now).await?.pop())
        })
    }

    async fn end_idle_pairs(
        &self,
        now: i64,
        idle_secs: u64,
        shards: ShardFilter,
    ) -> Result<Vec<Pair>, StoreError> {
        let cutoff = now.saturating_sub(i64::try_from(idle_secs).unwrap_or(i64::MAX));
        transaction!(self, "end idle pairs", |tx| {
            let filter = format!("last_activity_at < $3 AND {}", shards.sql("pairs"));
            let mut ended = end_where(&tx, &filter, &[cutoff], EndReason::Idle, now).await?;
            ended.sort_by_key(|pair| (pair.last_activity_at, pair.id));
            Ok(ended)
        })
    }
}
