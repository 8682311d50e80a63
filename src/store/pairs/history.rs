//! `/history` for peer interviews: the rounds a member played, in either seat.

use rusqlite::Row;

use super::FromRow;
use crate::store::error::StoreError;
use crate::store::rows::{all, col, to_db};
use crate::store::Store;

/// One round a member played, as `/history` lists it. Says nothing of the answers or
/// the scorecard's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerHistoryEntry {
    pub started_at: i64,
    pub role_id: String,
    pub question_id: String,
    /// The member answered (else they interviewed).
    pub as_candidate: bool,
    /// The round has a scorecard.
    pub scored: bool,
}

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

impl Store {
    /// The member's latest `limit` peer rounds, newest first.
    pub async fn peer_history(
        &self,
        user_id: u64,
        limit: u32,
    ) -> Result<Vec<PeerHistoryEntry>, StoreError> {
        self.read(move |conn| {
            all(
                conn,
                "SELECT r.started_at, r.role_id, r.question_id, r.candidate_id = ?1, \
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
