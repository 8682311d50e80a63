//! Driving a sharded bot from a test: waiting for one shard, which shards are connected,
//! the IDENTIFY rate limit's record, and closing or reconnecting one shard. Dispatches need
//! nothing extra: [`FakeDiscord::dispatch`] and [`FakeDiscord::send`] route each event to
//! its shard's session.

use std::time::{Duration, Instant};

use crate::{shards, FakeDiscord, Identify, IdentifyViolation};

impl FakeDiscord {
    /// Waits until the session of shard `shard_id` is READY (or RESUMED) and returns its
    /// IDENTIFY.
    ///
    /// # Panics
    /// On timeout, describing the gateway state and the requests so far.
    pub async fn wait_ready_shard(&self, shard_id: u64, timeout: Duration) -> Identify {
        match self
            .shared
            .gateway
            .wait_ready_shard(shard_id, timeout)
            .await
        {
            Some(identify) => identify,
            None => panic!(
                "fake-discord: shard {shard_id} did not become ready within {timeout:?} ({}).\n{}",
                self.shared.gateway.describe(),
                self.describe()
            ),
        }
    }

    /// `[shard_id, num_shards]` of every ready session, by shard id (empty when none is).
    pub fn connected_shards(&self) -> Vec<[u64; 2]> {
        self.shared.gateway.ready_shards()
    }

    /// The shard count configured with [`FakeDiscordBuilder::shards`](crate::FakeDiscordBuilder::shards)
    /// (what `GET /gateway/bot` recommends).
    pub fn shard_count(&self) -> u64 {
        self.shared.cfg.shards
    }

    /// The shard that gets `guild_id`'s events with the configured shard count; see
    /// [`shard_of_guild`](crate::shard_of_guild).
    pub fn shard_for_guild(&self, guild_id: u64) -> u64 {
        shards::shard_of_guild(guild_id, self.shared.cfg.shards)
    }

    /// Every IDENTIFY refused because its rate-limit bucket had started a session less than
    /// [`FakeDiscordBuilder::identify_window`](crate::FakeDiscordBuilder::identify_window)
    /// before (each is also in [`Self::violations`]). Empty when the limit is not enforced
    /// (see [`FakeDiscordBuilder::enforce_identify_limit`](crate::FakeDiscordBuilder::enforce_identify_limit)).
    pub fn identify_violations(&self) -> Vec<IdentifyViolation> {
        self.shared.gateway.identify_violations()
    }

    /// When each IDENTIFY for shard `shard_id` arrived (refused ones included), oldest first:
    /// for checking how a bot spaces its session starts.
    pub fn identify_times(&self, shard_id: u64) -> Vec<Instant> {
        self.shared
            .gateway
            .identifies()
            .iter()
            .filter(|i| i.shard_id() == shard_id)
            .map(|i| i.received_at)
            .collect()
    }

    /// Closes the connection of one shard with a close code; see [`Self::close_gateway`].
    ///
    /// # Panics
    /// If that shard has no ready session.
    pub async fn close_shard(&self, shard_id: u64, code: u16) {
        if let Err(e) = self.shared.gateway.close(Some(shard_id), code).await {
            panic!("fake-discord: close_shard({shard_id}, {code}): {e}");
        }
    }

    /// Sends op 7 RECONNECT to one shard; see [`Self::send_reconnect`].
    ///
    /// # Panics
    /// If that shard has no ready session.
    pub async fn send_reconnect_shard(&self, shard_id: u64) {
        if let Err(e) = self.shared.gateway.reconnect(Some(shard_id)).await {
            panic!("fake-discord: send_reconnect_shard({shard_id}): {e}");
        }
    }
}
