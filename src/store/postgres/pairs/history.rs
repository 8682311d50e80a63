//! `/history` for peer interviews: the rounds a member played, in either seat.

use async_trait::async_trait;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::FromRow;
use crate::store::contract::pairs::PeerHistory;
use crate::store::error::StoreError;
use crate::store::model::pairs::PeerHistoryEntry;
use crate::store::postgres::rows::{all, col, to_db};
use crate::store::postgres::Postgres;

impl FromRow for PeerHistoryEntry {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(PeerHistoryEntry {
            started_at: col(row, 0)?,
            role_id: col(row, 1)?,
            question_id: col(row, 2)?,
            as_candidate: col(row, 3)?,
            scored: col(row, 4)?,
        })
    }
}

#[async_trait]
impl PeerHistory for Postgres {
    async fn peer_history(
        &self,
        user_id: u64,
        limit: u32,
    ) -> Result<Vec<PeerHistoryEntry>, StoreError> {
        let op = "list a member's peer rounds";
        let client = self.client(op).await?;
        let params: [&(dyn ToSql + Sync); 2] = [&to_db(user_id), &i64::from(limit)];
        all(
            &client,
            "SELECT r.started_at, r.role_id, r.question_id, r.candidate_id IS NOT DISTINCT FROM $1, \
             EXISTS (SELECT 1 FROM pair_scorecards s WHERE s.round_id = r.id) \
             FROM pair_rounds r WHERE r.interviewer_id = $1 OR r.candidate_id = $1 \
             ORDER BY r.started_at DESC, r.id DESC LIMIT $2",
            &params,
            op,
            PeerHistoryEntry::from_row,
        )
        .await
    }
}
