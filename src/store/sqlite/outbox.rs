//! The `outbox` table: messages the bot has decided to post, until they are posted.
//!
//! "Posted" marks can be written later, in batches ([`mark_posted_soon`](crate::store::Outbox::mark_posted_soon)): each
//! reply would otherwise cost a commit of its own just for its mark. A mark lost to a
//! crash only means the item is posted again at the next start with the same nonce, which
//! Discord answers with the message already posted (within its nonce window of a few
//! minutes) — as for a mark written at once but lost to a crash before it.

use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{params, Connection, Row};

use super::rows::{all, col, execute, first, snowflake, to_db, FromRow};
use super::Sqlite;
use crate::store::contract::interviews::Outbox;
use crate::store::error::StoreError;
use crate::store::model::ShardFilter;
use crate::store::model::{InterviewId, OutboxId, OutboxItem, OutgoingMessage};

/// Marks an outbox item (`id`, the third parameter) as posted `at` (first) as Discord
/// message `message_id` (second), unless it is marked already: the first mark wins.
const MARK_POSTED: &str = "UPDATE outbox SET posted_at = ?, posted_message_id = ? \
                           WHERE id = ? AND posted_at IS NULL";

/// Reads a row of the `SELECT` in [`pending_outbox`](crate::store::Outbox::pending_outbox).
impl FromRow for OutboxItem {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
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
pub(super) fn insert_outbox(
    conn: &Connection,
    interview: InterviewId,
    messages: &[OutgoingMessage],
    now: i64,
) -> Result<Vec<OutboxId>, StoreError> {
    messages
        .iter()
        .map(|message| {
            execute(
                conn,
                "INSERT INTO outbox (interview_id, channel_id, payload_json, created_at) \
                 VALUES (?, ?, ?, ?)",
                params![
                    interview.0,
                    to_db(message.channel_id),
                    message.payload_json,
                    now
                ],
                "queue an outgoing message",
            )?;
            Ok(OutboxId(conn.last_insert_rowid()))
        })
        .collect()
}

#[async_trait]
impl Outbox for Sqlite {
    async fn enqueue(
        &self,
        interview: InterviewId,
        messages: &[OutgoingMessage],
        now: i64,
    ) -> Result<Vec<OutboxId>, StoreError> {
        let messages = messages.to_vec();
        self.write(move |conn| {
            let sql = "SELECT id FROM interviews WHERE id = ?";
            let exists = first(conn, sql, [interview.0], "load an interview", |_| Ok(()))?;
            if exists.is_none() {
                return Err(StoreError::NotFound(interview));
            }
            insert_outbox(conn, interview, &messages, now)
        })
        .await
    }

    async fn pending_outbox(&self, shards: ShardFilter) -> Result<Vec<OutboxItem>, StoreError> {
        // Row ids grow with insertion order, which is the order the messages must appear
        // in; `created_at` would tie within one transaction and trusts the caller's clock.
        self.read(move |conn| {
            all(
                conn,
                &format!(
                    "SELECT outbox.id, interview_id, channel_id, payload_json, outbox.created_at \
                     FROM outbox JOIN interviews ON interviews.id = outbox.interview_id \
                     WHERE posted_at IS NULL AND {} ORDER BY outbox.id",
                    shards.sql("interviews")
                ),
                [],
                "list unposted messages",
                OutboxItem::from_row,
            )
        })
        .await
    }

    fn mark_posted_soon(&self, item: OutboxId, message_id: u64, now: i64) {
        let marks = &self.inner.marks;
        lock(&marks.queued).push(PostedMark {
            item,
            message_id,
            at: now,
        });
        // The first mark queued sends the writer a job that writes all those queued by
        // the time it runs.
        if !marks.flush_sent.swap(true, Ordering::SeqCst) {
            let (write, settle) = (Arc::clone(marks), Arc::clone(marks));
            // If the store is closed, the mark stays queued; the item is posted again at
            // the next start (with the same nonce).
            self.inner.writer.submit(
                move |conn| write.write(conn),
                move |result| {
                    settle.settle(&result);
                    if let Err(error) = result {
                        tracing::warn!(%error, "could not record posted messages; they stay queued");
                    }
                },
            );
        }
    }

    async fn flush_posted_marks(&self) -> Result<u64, StoreError> {
        let marks = &self.inner.marks;
        if !marks.waiting() {
            return Ok(0);
        }
        let (write, settle) = (Arc::clone(marks), Arc::clone(marks));
        self.inner
            .writer
            .run_then(
                move |conn| write.write(conn),
                move |result| settle.settle(result),
            )
            .await
            .map_err(|error| self.inner.busy(error))
    }

    async fn mark_posted(
        &self,
        item: OutboxId,
        message_id: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let params = params![now, to_db(message_id), item.0];
            let marked = execute(conn, MARK_POSTED, params, "mark a message as posted")? == 1;
            tracing::debug!(outbox = %item, message_id, marked, "mark posted");
            Ok(marked)
        })
        .await
    }

    async fn discard_outbox(&self, item: OutboxId) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let sql = "DELETE FROM outbox WHERE id = ? AND posted_at IS NULL";
            let discarded = execute(conn, sql, [item.0], "discard a queued message")? == 1;
            if discarded {
                tracing::warn!(outbox = %item, "queued message discarded without being posted");
            }
            Ok(discarded)
        })
        .await
    }
}

/// The "posted" marks on their way to the database. Std locks, held only to push, take
/// or put back a list, never across an `.await` or a statement.
#[derive(Debug, Default)]
pub(super) struct Marks {
    /// Queued, not yet written.
    queued: Mutex<Vec<PostedMark>>,
    /// Written by a job whose batch has not committed yet; put back in the queue if it
    /// does not.
    in_flight: Mutex<Vec<PostedMark>>,
    /// A job to write the queue is on its way to the writer thread.
    flush_sent: AtomicBool,
}

/// An outbox item posted as a Discord message, at a time.
#[derive(Debug, Clone, Copy)]
struct PostedMark {
    item: OutboxId,
    message_id: u64,
    at: i64,
}

/// A poisoned lock still holds a valid list.
fn lock(list: &Mutex<Vec<PostedMark>>) -> MutexGuard<'_, Vec<PostedMark>> {
    list.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Marks {
    /// Whether marks are queued, or were written by a batch that has not committed yet
    /// (and may yet be rolled back and run again).
    pub(super) fn waiting(&self) -> bool {
        !lock(&self.queued).is_empty() || !lock(&self.in_flight).is_empty()
    }

    /// Writes every queued mark (a writer job); returns how many outbox items it marked.
    /// The marks stay in flight until [`Marks::settle`] learns whether the batch committed.
    /// Marks still in flight are written again: this job (or another one in its batch)
    /// may be running a second time after a rollback undid its first run.
    fn write(&self, conn: &Connection) -> Result<u64, StoreError> {
        self.flush_sent.store(false, Ordering::SeqCst);
        let mut batch = std::mem::take(&mut *lock(&self.in_flight));
        batch.append(&mut lock(&self.queued));
        if batch.is_empty() {
            return Ok(0);
        }
        let write = || -> rusqlite::Result<u64> {
            let mut update = conn.prepare_cached(MARK_POSTED)?;
            let mut marked = 0;
            for mark in &batch {
                marked += update.execute(params![mark.at, to_db(mark.message_id), mark.item.0])?;
            }
            Ok(marked as u64)
        };
        let result = write();
        tracing::debug!(queued = batch.len(), ?result, "posted marks written");
        lock(&self.in_flight).extend(batch);
        result.map_err(StoreError::query("mark messages as posted"))
    }

    /// After the batch that wrote the marks in flight: forgets them if it committed, or
    /// queues them again (ahead of newer ones) if it did not.
    fn settle<T>(&self, result: &Result<T, StoreError>) {
        let written = std::mem::take(&mut *lock(&self.in_flight));
        if result.is_err() {
            let mut queue = lock(&self.queued);
            let newer = std::mem::replace(&mut *queue, written);
            queue.extend(newer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Created, Interviews, NewInterview};

    /// A "posted" mark written in a batch that another job's failure rolled back is
    /// written again when its job runs again (see the worker's group commit).
    #[tokio::test]
    async fn posted_marks_survive_a_batch_rolled_back_by_another_job() {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open_with(dir.path().join("marks.db"), Default::default())
            .await
            .unwrap();
        let new = NewInterview {
            guild_id: 1,
            thread_id: 2,
            user_id: 3,
            role_id: "backend".into(),
            role_name: "Backend".into(),
            state_json: "{}".into(),
            format_version: 3,
        };
        let message = OutgoingMessage {
            channel_id: 2,
            payload_json: r#"{"content":"hi"}"#.into(),
        };
        let Created::New { outbox, .. } =
            store.create_interview(&new, &[message], 10).await.unwrap()
        else {
            panic!("not created")
        };
        // Hold the writer so the mark and a failing job queue up as one batch.
        let release = crate::store::sqlite::worker::hold(&store.inner.writer).await;
        store.mark_posted_soon(outbox[0], 99, 11);
        let (failed, failure) = tokio::sync::oneshot::channel();
        assert!(store.inner.writer.submit(
            |_| Err::<(), _>(StoreError::NotFound(InterviewId(404))),
            move |result| {
                let _ = failed.send(result);
            },
        ));
        drop(release);
        assert!(matches!(
            failure.await.unwrap(),
            Err(StoreError::NotFound(_))
        ));
        store.flush_posted_marks().await.unwrap();
        assert!(store
            .pending_outbox(crate::store::ShardFilter::ALL)
            .await
            .unwrap()
            .is_empty());
        store.close().await;
    }
}
