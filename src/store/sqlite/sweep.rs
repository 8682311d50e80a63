//! What a member may see and delete of their own data (`/history`, `/forget-me`), and the
//! retention sweep. Deleted rows leave the file: connections run with `secure_delete`.

use async_trait::async_trait;
use rusqlite::{params, Connection, Row};

use super::rows::{all, col, snowflake, status, to_db, FromRow};
use super::Sqlite;
use crate::store::contract::interviews::Members;
use crate::store::error::StoreError;
use crate::store::model::{Deleted, HistoryEntry, InterviewId};

/// Reads a row of the `SELECT` in [`history`](crate::store::Members::history).
impl FromRow for HistoryEntry {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
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
impl Members for Sqlite {
    async fn history(&self, user_id: u64, limit: u32) -> Result<Vec<HistoryEntry>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                "SELECT i.id, i.guild_id, i.role_id, i.role_name, i.status, i.created_at, \
                   i.finished_at, \
                   (SELECT COUNT(*) FROM answers a WHERE a.interview_id = i.id), \
                   (SELECT a.feedback_headline FROM answers a WHERE a.interview_id = i.id \
                    ORDER BY a.id DESC LIMIT 1) \
                 FROM interviews i WHERE i.user_id = ? \
                 ORDER BY i.created_at DESC, i.id DESC LIMIT ?",
                params![to_db(user_id), i64::from(limit)],
                "load the member's history",
                HistoryEntry::from_row,
            )
        })
        .await
    }

    async fn forget_user(&self, user_id: u64) -> Result<Deleted, StoreError> {
        self.write(move |conn| {
            let deleted = delete_interviews(conn, "user_id = ?", to_db(user_id))?;
            // Counts only: the point of this call is to stop keeping things about the member.
            tracing::info!(
                interviews = deleted.interviews,
                answers = deleted.answers,
                outbox = deleted.outbox,
                "forgot a member on request"
            );
            Ok(deleted)
        })
        .await
    }

    async fn sweep_retention(&self, now: i64, retention_days: u32) -> Result<Deleted, StoreError> {
        let cutoff = now.saturating_sub(i64::from(retention_days) * 86_400);
        self.write(move |conn| {
            let filter = "status <> 'open' AND finished_at < ?";
            let deleted = delete_interviews(conn, filter, cutoff)?;
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
        .await
    }
}

/// Deletes the outbox items, answers and interviews selected by `filter` (a condition on
/// the `interviews` table with one `?` parameter, `param`), children first, so that the
/// counts are known (a cascade would not report them).
fn delete_interviews(conn: &Connection, filter: &str, param: i64) -> Result<Deleted, StoreError> {
    let delete = |sql: String| -> Result<u64, StoreError> {
        let rows = conn
            .execute(&sql, [param])
            .map_err(StoreError::query("delete interviews"))?;
        Ok(rows as u64)
    };
    let children = |table: &str| {
        format!(
            "DELETE FROM {table} WHERE interview_id IN (SELECT id FROM interviews WHERE {filter})"
        )
    };
    Ok(Deleted {
        outbox: delete(children("outbox"))?,
        answers: delete(children("answers"))?,
        interviews: delete(format!("DELETE FROM interviews WHERE {filter}"))?,
    })
}
