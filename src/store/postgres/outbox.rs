//! The `outbox` table: messages the bot has decided to post, until they are posted.
//!
//! "Posted" marks can be written later, in batches
//! ([`mark_posted_soon`](crate::store::Outbox::mark_posted_soon)): the first mark queued
//! starts a task that writes every mark queued by the time it runs, in one statement. A
//! mark lost to a crash only means the item is posted again at the next start with the
//! same nonce, which Discord answers with the message already posted.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::rows::{all, col, execute, first, snowflake, to_db, FromRow};
use super::Postgres;
use crate::store::contract::interviews::Outbox;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;
use crate::store::model::{InterviewId, OutboxId, OutboxItem, OutgoingMessage};

/// Marks outbox items as posted, unless they are marked already (the first mark wins):
/// `$1` the item ids, `$2` the message ids, `$3` the times, as parallel arrays.
const MARK_POSTED: &str = "UPDATE outbox SET posted_at = m.at, posted_message_id = m.message \
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS m (id, message, at) \
     WHERE outbox.id = m.id AND outbox.posted_at IS NULL";

impl FromRow for OutboxItem {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(OutboxItem {
            id: OutboxId(col(row, 0)?),
            interview_id: InterviewId(col(row, 1)?),
            channel_id: snowflake(row, 2)?,
            payload_json: col(row, 3)?,
            created_at: col(row, 4)?,
        })
    }
}

/// Queues `messages` for `interview`, in order, inside the caller's transaction.
pub(super) async fn insert_outbox<C: GenericClient>(
    client: &C,
    interview: InterviewId,
    messages: &[OutgoingMessage],
    now: i64,
) -> Result<Vec<OutboxId>, StoreError> {
    let mut ids = Vec::with_capacity(messages.len());
    for message in messages {
        let id = first(
            client,
            "INSERT INTO outbox (interview_id, channel_id, payload_json, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[
                &interview.0,
                &to_db(message.channel_id),
                &message.payload_json,
                &now,
            ],
            "queue an outgoing message",
            |row| col(row, 0).map(OutboxId),
        )
        .await?
        .ok_or_else(|| StoreError::InvalidRow("INSERT returned no id".into()))?;
        ids.push(id);
    }
    Ok(ids)
}

/// The "posted" marks on their way to the database. A std lock, held only to push or
/// take the list, never across an `.await`.
#[derive(Debug, Default)]
pub(super) struct Marks {
    queued: Mutex<Vec<PostedMark>>,
    /// A task writing the queue is on its way.
    flush_sent: AtomicBool,
}

/// An outbox item posted as a Discord message, at a time.
#[derive(Debug, Clone, Copy)]
struct PostedMark {
    item: OutboxId,
    message_id: u64,
    at: i64,
}

impl Marks {
    fn lock(&self) -> MutexGuard<'_, Vec<PostedMark>> {
        self.queued.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Outbox for Postgres {
    async fn enqueue(
        &self,
        interview: InterviewId,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Vec<OutboxId>, StoreError> {
        // The interview's row lock keeps its posts in the order they are queued.
        transaction!(self, "queue outgoing messages", ReadCommitted, |tx| {
            let sql = "SELECT id FROM interviews WHERE id = $1 FOR UPDATE";
            let exists = first(&tx, sql, &[&interview.0], "load an interview", |_| Ok(())).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(interview));
            }
            insert_outbox(&tx, interview, messages, now).await
        })
    }

    async fn pending_outbox(&self, shards: ShardFilter) -> Result<Vec<OutboxItem>, StoreError> {
        // Ids grow with insertion order, which is the order the messages must appear in.
        let op = "list unposted messages";
        let client = self.client(op).await?;
        let sql = format!(
            "SELECT outbox.id, interview_id, channel_id, payload_json, outbox.created_at \
             FROM outbox JOIN interviews ON interviews.id = outbox.interview_id \
             WHERE posted_at IS NULL AND {} ORDER BY outbox.id",
            shards.sql("interviews")
        );
        all(&client, &sql, &[], op, OutboxItem::from_row).await
    }

    fn mark_posted_soon(&self, item: OutboxId, message_id: u64, now: i64) {
        let marks = &self.inner.marks;
        marks.lock().push(PostedMark {
            item,
            message_id,
            at: now,
        });
        if !marks.flush_sent.swap(true, Ordering::SeqCst) {
            let store = self.clone();
            tokio::spawn(async move {
                if let Err(error) = store.flush_posted_marks().await {
                    tracing::warn!(%error, "could not record posted messages; they stay queued");
                }
            });
        }
    }

    async fn flush_posted_marks(&self) -> Result<u64, StoreError> {
        let marks = &self.inner.marks;
        marks.flush_sent.store(false, Ordering::SeqCst);
        let batch = std::mem::take(&mut *marks.lock());
        if batch.is_empty() {
            return Ok(0);
        }
        let items: Vec<i64> = batch.iter().map(|mark| mark.item.0).collect();
        let messages: Vec<i64> = batch.iter().map(|mark| to_db(mark.message_id)).collect();
        let times: Vec<i64> = batch.iter().map(|mark| mark.at).collect();
        // One statement on the batch's own rows: nothing another call could interleave.
        let result = transaction!(self, "mark messages as posted", ReadCommitted, |tx| {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                [&items, &messages, &times];
            execute(&tx, MARK_POSTED, &params, "mark messages as posted").await
        });
        tracing::debug!(queued = batch.len(), ?result, "posted marks written");
        if result.is_err() {
            // Put them back, ahead of newer ones, for the next flush.
            let mut queue = marks.lock();
            let newer = std::mem::replace(&mut *queue, batch);
            queue.extend(newer);
        }
        result
    }

    async fn mark_posted(
        &self,
        item: OutboxId,
        message_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (items, messages, times) = (vec![item.0], vec![to_db(message_id)], vec![now]);
        transaction!(self, "mark a message as posted", ReadCommitted, |tx| {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                [&items, &messages, &times];
            let marked = execute(&tx, MARK_POSTED, &params, "mark a message as posted").await? == 1;
            tracing::debug!(outbox = %item, message_id, marked, "mark posted");
            Ok(marked)
        })
    }

    async fn discard_outbox(&self, item: OutboxId) -> Result<bool, StoreError> {
        transaction!(self, "discard a queued message", ReadCommitted, |tx| {
            let sql = "DELETE FROM outbox WHERE id = $1 AND posted_at IS NULL";
            let discarded = execute(&tx, sql, &[&item.0], "discard a queued message").await? == 1;
            if discarded {
                tracing::warn!(outbox = %item, "queued message discarded without being posted");
            }
            Ok(discarded)
        })
    }
}

impl Postgres {
    /// Whether posted marks are waiting to be written.
    pub(super) fn marks_waiting(&self) -> bool {
        !self.inner.marks.lock().is_empty()
    }
}
