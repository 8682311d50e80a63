//! The guide revision and the identify reservations that the bot's processes share.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::rows::{col, first};
use super::Postgres;
use crate::store::contract::coordination::Coordination;
use crate::store::error::StoreError;
use crate::store::model::GuideRevision;

fn revision(row: &Row) -> Result<GuideRevision, StoreError> {
    Ok(GuideRevision {
        revision: col(row, 0)?,
        digest: col(row, 1)?,
        published_at: col(row, 2)?,
    })
}

#[async_trait]
impl Coordination for Postgres {
    async fn guide_revision(&self) -> Result<Option<GuideRevision>, StoreError> {
        let op = "read the guide revision";
        let client = self.client(op).await?;
        let sql = "SELECT revision, digest, published_at FROM guide_revision";
        first(&client, sql, &[], op, revision).await
    }

    async fn publish_guide_revision(
        &self,
        digest: &str,
        now: i64,
    ) -> Result<GuideRevision, StoreError> {
        let op = "publish a guide revision";
        transaction!(self, op, |tx| {
            first(
                &tx,
                "INSERT INTO guide_revision (id, revision, digest, published_at) \
                 VALUES (1, 1, $1, $2) ON CONFLICT (id) DO UPDATE SET \
                 revision = guide_revision.revision + 1, digest = $1, published_at = $2 \
                 RETURNING revision, digest, published_at",
                &[&digest, &now],
                op,
                revision,
            )
            .await?
            .ok_or_else(|| StoreError::InvalidRow("guide revision missing".into()))
        })
    }

    async fn reserve_identify(&self, now_ms: i64, window_ms: i64) -> Result<i64, StoreError> {
        let op = "reserve a time to identify";
        // One statement: the row lock it takes orders processes that start together.
        transaction!(self, op, |tx| {
            first(
                &tx,
                "INSERT INTO gateway_identify (id, next_at_ms) VALUES (1, $1::bigint + $2::bigint) \
                 ON CONFLICT (id) DO UPDATE SET \
                 next_at_ms = GREATEST(gateway_identify.next_at_ms, $1::bigint) + $2::bigint \
                 RETURNING next_at_ms - $2::bigint",
                &[&now_ms, &window_ms],
                op,
                |row| col(row, 0),
            )
            .await?
            .ok_or_else(|| StoreError::InvalidRow("identify reservation missing".into()))
        })
    }
}
