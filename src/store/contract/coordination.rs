//! The contract for what the bot's processes agree on through the database: the guide
//! revision in service, and the times their gateway shards may identify in.

use async_trait::async_trait;

use crate::store::model::GuideRevision;
use crate::store::StoreError;

#[async_trait]
pub trait Coordination: Send + Sync {
    /// The latest guide revision published, if any reload was ever accepted.
    async fn guide_revision(&self) -> Result<Option<GuideRevision>, StoreError>;

    /// Records that a reload of the guides fingerprinted `digest` was accepted at `now`,
    /// and returns the new revision (one more than the last).
    async fn publish_guide_revision(
        &self,
        digest: &str,
        now: i64,
    ) -> Result<GuideRevision, StoreError>;

    /// Reserves `window_ms` milliseconds for this process's shards to identify in, after
    /// every window reserved before, and returns when the window starts (unix ms; `now_ms`
    /// or later). Processes that start together so identify one after another.
    async fn reserve_identify(&self, now_ms: i64, window_ms: i64) -> Result<i64, StoreError>;
}
