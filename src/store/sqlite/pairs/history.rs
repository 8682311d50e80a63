//! `/history` for peer interviews: the rounds a member played, in either seat.

use async_trait::async_trait;
use rusqlite::Row;

use super::FromRow;
use crate::store::contract::pairs::PeerHistory;
use crate::store::error::StoreError;
use crate::store::model::pairs::PeerHistoryEntry;
use crate::store::sqlite::rows::{all, col, to_db};
use crate::store::sqlite::Sqlite;

impl FromRow for PeerHistoryEntry {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(PeerHistoryEntry {
            started_at: col(row, 0)?,
            role_id: col(row, 1)?,
            question_id: col(row, 2)?,
            as_candidate: col::<i64>(row, 3)? != 0,
            scored: col::<i64>(row, 4)? != 0,
        })
    }
}

#[async_trait]
impl PeerHistory for Sqlite {
    async fn peer_history(
        &self,
        user_id: u64,
        limit: u32,
    ) -> Result<Vec<PeerHistoryEntry>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                "SELECT r.started_at, r.role_id, r.question_id, COALESCE(r.candidate_id = ?1, 0), \
                 EXISTS (SELECT 1 FROM pair_scorecards s WHERE s.round_id = r.id) \
                 FROM pair_rounds r WHERE r.interviewer_id = ?1 OR r.candidate_id = ?1 \
                 ORDER BY r.started_at DESC, r.id DESC LIMIT ?2",
                rusqlite::params![to_db(user_id), i64::from(limit)],
                "list a member's peer rounds",
                PeerHistoryEntry::from_row,
            )
        })
        .await
    }
}
