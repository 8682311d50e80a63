//! The guide revision and the identify reservations (one process per SQLite file, so
//! these only keep PostgreSQL's contract).

use async_trait::async_trait;
use rusqlite::params;

use super::rows::{col, execute, first};
use super::Sqlite;
use crate::store::contract::coordination::Coordination;
use crate::store::error::StoreError;
use crate::store::model::GuideRevision;

const SELECT_REVISION: &str = "SELECT revision, digest, published_at FROM guide_revision";

fn revision(row: &rusqlite::Row<'_>) -> Result<GuideRevision, StoreError> {
    Ok(GuideRevision {
        revision: col(row, 0)?,
        digest: col(row, 1)?,
        published_at: col(row, 2)?,
    })
}

#[async_trait]
impl Coordination for Sqlite {
    async fn guide_revision(&self) -> Result<Option<GuideRevision>, StoreError> {
        self.read(|conn| {
            first(
                conn,
                SELECT_REVISION,
                [],
                "read the guide revision",
                revision,
            )
        })
        .await
    }

    async fn publish_guide_revision(
        &self,
        digest: &str,
        now: i64,
    ) -> Result<GuideRevision, StoreError> {
        let digest = digest.to_owned();
        self.write(move |conn| {
            let op = "publish a guide revision";
            execute(
                conn,
                "INSERT INTO guide_revision (id, revision, digest, published_at) \
                 VALUES (1, 1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET \
                 revision = revision + 1, digest = ?1, published_at = ?2",
                params![digest, now],
                op,
            )?;
            first(conn, SELECT_REVISION, [], op, revision)?
                .ok_or_else(|| StoreError::InvalidRow("guide revision missing".into()))
        })
        .await
    }

    async fn reserve_identify(&self, now_ms: i64, window_ms: i64) -> Result<i64, StoreError> {
        self.write(move |conn| {
            let op = "reserve a time to identify";
            let next: Option<i64> = first(
                conn,
                "SELECT next_at_ms FROM gateway_identify",
                [],
                op,
                |row| col(row, 0),
            )?;
            let start = next.map_or(now_ms, |next| next.max(now_ms));
            execute(
                conn,
                "INSERT INTO gateway_identify (id, next_at_ms) VALUES (1, ?1) \
                 ON CONFLICT (id) DO UPDATE SET next_at_ms = ?1",
                [start + window_ms],
                op,
            )?;
            Ok(start)
        })
        .await
    }
}
