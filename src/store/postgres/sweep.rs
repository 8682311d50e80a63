//! What a member may see and delete of their own data (`/history`, `/forget-me`), and the
//! retention sweep.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::rows::{all, col, execute, snowflake, status, to_db, FromRow};
use super::Postgres;
use crate::store::contract::interviews::Members;
use crate::store::error::StoreError;
use crate::store::model::{Deleted, HistoryEntry, InterviewId};

impl FromRow for HistoryEntry {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        let answers: i64 = col(row, 7)?;
        Ok(HistoryEntry {
            interview_id: InterviewId(col(row, 0)?),
            guild_id: snowflake(row, 1)?,
            role_id: col(row, 2)?,
            role_name: col(row, 3)?,
            status: status(row, 4)?,
            created_at: col(row, 5)?,
            finished_at: col(row, 6)?,
            answers: u64::try_from(answers).unwrap_or(0),
            latest_headline: col(row, 8)?,
        })
    }
}

#[async_trait]
impl Members for Postgres {
    async fn history(&self, user_id: u64, limit: u32) -> Result<Vec<HistoryEntry>, StoreError> {
        let op = "load the member's history";
        let client = self.client(op).await?;
        let sql = "SELECT i.id, i.guild_id, i.role_id, i.role_name, i.status, i.created_at, \
                     i.finished_at, \
                     (SELECT COUNT(*) FROM answers a WHERE a.interview_id = i.id), \
                     (SELECT a.feedback_headline FROM answers a WHERE a.interview_id = i.id \
                      ORDER BY a.id DESC LIMIT 1) \
                   FROM interviews i WHERE i.user_id = $1 \
                   ORDER BY i.created_at DESC, i.id DESC LIMIT $2";
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
            [&to_db(user_id), &i64::from(limit)];
        all(&client, sql, &params, op, HistoryEntry::from_row).await
    }

    async fn forget_user(&self, user_id: u64) -> Result<Deleted, StoreError> {
        let user = to_db(user_id);
        transaction!(self, "delete interviews", |tx| {
            let deleted = delete_interviews(&tx, "user_id = $1", user).await?;
            // Counts only: the point of this call is to stop keeping things about the member.
            tracing::info!(
                interviews = deleted.interviews,
                answers = deleted.answers,
                outbox = deleted.outbox,
                "forgot a member on request"
            );
            Ok(deleted)
        })
    }

    async fn sweep_retention(&self, now: i64, retention_days: u32) -> Result<Deleted, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        transaction!(self, "delete interviews", |tx| {
            let filter = "status <> 'open' AND finished_at < $1";
            let deleted = delete_interviews(&tx, filter, cutoff).await?;
            if !deleted.is_empty() {
                tracing::info!(
                    interviews = deleted.interviews,
                    answers = deleted.answers,
                    outbox = deleted.outbox,
                    retention_days,
                    "retention sweep deleted old interviews"
                );
            }
            Ok(deleted)
        })
    }
}

/// Deletes the outbox items, answers and interviews selected by `filter` (a condition on
/// the `interviews` table with one parameter `$1`, `param`), children first, so that the
/// counts are known (a cascade would not report them).
async fn delete_interviews<C: GenericClient>(
    client: &C,
    filter: &str,
    param: i64,
) -> Result<Deleted, StoreError> {
    let op = "delete interviews";
    let children = |table: &str| {
        format!(
            "DELETE FROM {table} WHERE interview_id IN (SELECT id FROM interviews WHERE {filter})"
        )
    };
    Ok(Deleted {
        outbox: execute(client, &children("outbox"), &[&param], op).await?,
        answers: execute(client, &children("answers"), &[&param], op).await?,
        interviews: execute(
            client,
            &format!("DELETE FROM interviews WHERE {filter}"),
            &[&param],
            op,
        )
        .await?,
    })
}
