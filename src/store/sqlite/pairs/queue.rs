//! The `pair_queue` table: joining (and matching), leaving, expiry.
//!
//! Matching is part of joining: the job that queues a member first looks for a waiting
//! partner and, if it finds one, takes both out of the queue and opens their pair. It is
//! one write job, so one `BEGIN IMMEDIATE` transaction: the write lock is taken before the
//! line is read, so two members joining at the same moment (on this process's writer, or
//! from another process on the same file) are served one after the other, and the second
//! finds the waiting member already gone instead of matching them again.

use async_trait::async_trait;
use rusqlite::{params, Connection, Row};

use super::{level, open_pair_of, FromRow};
use crate::store::contract::pairs::PairQueue;
use crate::store::error::StoreError;
use crate::store::model::pairs::QueueReply;
use crate::store::model::pairs::{NewQueueEntry, Pair, QueueEntry, QueueJoin, WantedRole};
use crate::store::model::ShardFilter;
use crate::store::sqlite::rows::{all, col, execute, first, snowflake, to_db};
use crate::store::sqlite::Sqlite;

/// Reads a row of [`queue_columns!`].
impl FromRow for QueueEntry {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(QueueEntry {
            guild_id: snowflake(row, 0)?,
            user_id: snowflake(row, 1)?,
            role: WantedRole::from_id(col(row, 2)?),
            level: level(row, 3)?,
            channel_id: snowflake(row, 4)?,
            joined_at: col(row, 5)?,
            expires_at: col(row, 6)?,
            reply: QueueReply {
                application_id: snowflake(row, 7)?,
                token: col(row, 8)?,
            },
        })
    }
}

#[async_trait]
impl PairQueue for Sqlite {
    async fn join_queue(
        &self,
        entry: &NewQueueEntry,
        expires_at: i64,
        now: i64,
    ) -> Result<QueueJoin, StoreError> {
        let entry = entry.clone();
        self.write(move |conn| join(conn, &entry, expires_at, now))
            .await
    }

    async fn leave_queue(
        &self,
        guild_id: u64,
        user_id: u64,
    ) -> Result<Option<QueueEntry>, StoreError> {
        self.write(move |conn| {
            first(
                conn,
                concat!(
                    "DELETE FROM pair_queue WHERE guild_id = ? AND user_id = ? RETURNING ",
                    queue_columns!()
                ),
                [to_db(guild_id), to_db(user_id)],
                "leave the queue",
                QueueEntry::from_row,
            )
        })
        .await
    }

    async fn expire_queue(
        &self,
        now: i64,
        shards: ShardFilter,
    ) -> Result<Vec<QueueEntry>, StoreError> {
        self.write(move |conn| {
            let mut expired = all(
                conn,
                &format!(
                    concat!(
                        "DELETE FROM pair_queue WHERE expires_at <= ? AND {} RETURNING ",
                        queue_columns!()
                    ),
                    shards.sql("pair_queue")
                ),
                [now],
                "expire queue entries",
                QueueEntry::from_row,
            )?;
            expired.sort_by_key(|entry| (entry.joined_at, entry.guild_id, entry.user_id));
            Ok(expired)
        })
        .await
    }

    async fn pair_queue(&self, guild_id: u64) -> Result<Vec<QueueEntry>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                concat!(
                    "SELECT ",
                    queue_columns!(),
                    " FROM pair_queue WHERE guild_id = ? ORDER BY joined_at, rowid"
                ),
                [to_db(guild_id)],
                "list the queue",
                QueueEntry::from_row,
            )
        })
        .await
    }
}

/// [`join_queue`](crate::store::PairQueue::join_queue)'s job, on the writer thread inside its transaction.
fn join(
    conn: &Connection,
    entry: &NewQueueEntry,
    expires_at: i64,
    now: i64,
) -> Result<QueueJoin, StoreError> {
    let (guild, user) = (to_db(entry.guild_id), to_db(entry.user_id));
    if let Some(pair) = open_pair_of(conn, entry.guild_id, entry.user_id)? {
        return Ok(QueueJoin::InPair(pair));
    }
    let previous = first(
        conn,
        concat!(
            "SELECT ",
            queue_columns!(),
            " FROM pair_queue WHERE guild_id = ? AND user_id = ?"
        ),
        [guild, user],
        "look up the member's queue entry",
        QueueEntry::from_row,
    )?;
    let joined_at = previous
        .as_ref()
        .filter(|p| p.expires_at > now)
        .map_or(now, |p| p.joined_at);
    let replaced = previous.map(|p| p.reply);
    let (role, level) = (entry.role.id(), entry.level.map(|l| l.id()));

    // `rowid` breaks ties between members who joined in the same second: a new row's is
    // larger than every row in the table, and an updated row keeps its own.
    let partner = first(
        conn,
        concat!(
            "SELECT ",
            queue_columns!(),
            " FROM pair_queue WHERE guild_id = ?1 AND user_id <> ?2 AND expires_at > ?3 \
             AND (?4 IS NULL OR role_id IS NULL OR role_id = ?4) \
             AND (?5 IS NULL OR level IS NULL OR level = ?5) \
             ORDER BY joined_at, rowid LIMIT 1"
        ),
        params![guild, user, now, role, level],
        "look for a partner",
        QueueEntry::from_row,
    )?;
    if let Some(partner) = partner {
        execute(
            conn,
            "DELETE FROM pair_queue WHERE guild_id = ? AND user_id IN (?, ?)",
            params![guild, user, to_db(partner.user_id)],
            "take a matched pair out of the queue",
        )?;
        let joiner_first = joined_at < partner.joined_at;
        let (interviewer, candidate) = match joiner_first {
            true => (entry.user_id, partner.user_id),
            false => (partner.user_id, entry.user_id),
        };
        let pair_role = role.or(partner.role.id());
        let pair_level = entry.level.or(partner.level).map(|l| l.id());
        let pair = first(
            conn,
            concat!(
                "INSERT INTO pairs (guild_id, first_interviewer, first_candidate, role_id, \
                 level, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ",
                pair_columns!()
            ),
            params![
                guild,
                to_db(interviewer),
                to_db(candidate),
                pair_role,
                pair_level,
                now,
                now
            ],
            "open a pair",
            Pair::from_row,
        )?
        .ok_or_else(|| StoreError::InvalidRow("opening a pair returned no row".into()))?;
        tracing::debug!(pair = %pair.id, role = ?pair.role, "pair matched");
        return Ok(QueueJoin::Matched {
            pair,
            partner,
            replaced,
        });
    }

    execute(
        conn,
        "INSERT INTO pair_queue (guild_id, user_id, role_id, level, channel_id, joined_at, \
         expires_at, application_id, interaction_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (guild_id, user_id) DO UPDATE SET role_id = excluded.role_id, \
         level = excluded.level, channel_id = excluded.channel_id, \
         joined_at = excluded.joined_at, expires_at = excluded.expires_at, \
         application_id = excluded.application_id, \
         interaction_token = excluded.interaction_token",
        params![
            guild,
            user,
            role,
            level,
            to_db(entry.channel_id),
            joined_at,
            expires_at,
            to_db(entry.reply.application_id),
            entry.reply.token
        ],
        "join the queue",
    )?;
    // Those ahead in the line (and the member) among the unexpired entries that want the
    // same role; anyone waiting for any role counts for every role.
    let position: i64 = first(
        conn,
        "SELECT COUNT(*) FROM pair_queue q, \
           (SELECT joined_at AS at, rowid AS id FROM pair_queue \
            WHERE guild_id = ?1 AND user_id = ?2) me \
         WHERE q.guild_id = ?1 AND q.expires_at > ?3 \
           AND (?4 IS NULL OR q.role_id IS NULL OR q.role_id = ?4) \
           AND (q.joined_at < me.at OR (q.joined_at = me.at AND q.rowid <= me.id))",
        params![guild, user, now, role],
        "count the queue",
        |row| col(row, 0),
    )?
    .unwrap_or(1);
    tracing::debug!(position, "member queued for a pair");
    Ok(QueueJoin::Waiting {
        entry: QueueEntry {
            guild_id: entry.guild_id,
            user_id: entry.user_id,
            role: entry.role.clone(),
            level: entry.level,
            channel_id: entry.channel_id,
            joined_at,
            expires_at,
            reply: entry.reply.clone(),
        },
        position: u32::try_from(position).unwrap_or(u32::MAX),
        replaced,
    })
}
