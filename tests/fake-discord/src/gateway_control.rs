//! Driving the gateway session from a test: waiting for READY, dispatching events,
//! inspecting IDENTIFYs and frames, closing and reconnecting.

use std::time::Duration;

use serde_json::Value;

use crate::{
    gateway, Dispatched, FakeDiscord, Fixture, GatewayError, Identify, IdentifyPolicy,
    QueuedDispatch,
};

impl FakeDiscord {
    /// Waits until a gateway session is READY (or RESUMED) and returns its IDENTIFY (with
    /// several shards: any shard's, the latest to become ready; see
    /// [`Self::wait_ready_shard`]).
    ///
    /// # Panics
    /// On timeout, describing the gateway state and the requests so far.
    pub async fn wait_ready(&self, timeout: Duration) -> Identify {
        match self.shared.gateway.wait_ready(timeout).await {
            Some(identify) => identify,
            None => panic!(
                "fake-discord: no gateway session became ready within {timeout:?} ({}).\n{}",
                self.shared.gateway.describe(),
                self.describe()
            ),
        }
    }

    /// Whether a gateway session (any shard's) is currently ready.
    pub fn is_ready(&self) -> bool {
        self.shared.gateway.is_ready()
    }

    /// Sends a dispatch (op 0, next `s`) to the ready session; returns its sequence number
    /// once the frame is written. The fake's model learns from it (interactions become
    /// answerable, messages join transcripts, deleted threads disappear).
    ///
    /// With several shards connected, it goes to the session of the event's shard, as on
    /// Discord: `(guild_id >> 22) % num_shards` for an event with a `guild_id` (or a guild's
    /// own GUILD_CREATE/UPDATE/DELETE), shard 0 for the rest (DMs). It does not wait for that
    /// shard: if another is ready but not this one, it fails with
    /// [`GatewayError::ShardNotConnected`] (use [`Self::wait_ready_shard`] first). The same
    /// holds for [`Self::send`], [`Self::queue_dispatch`] and the other dispatch helpers.
    ///
    /// # Panics
    /// If no session is ready or the connection drops; use [`Self::try_dispatch`] to handle that.
    pub async fn dispatch(&self, event: &str, data: Value) -> u64 {
        self.dispatch_timed(event, data).await.seq
    }

    /// Like [`Self::dispatch`] but returns an error instead of panicking.
    pub async fn try_dispatch(&self, event: &str, data: Value) -> Result<u64, GatewayError> {
        self.try_dispatch_timed(event, data).await.map(|d| d.seq)
    }

    /// Like [`Self::dispatch`], also returning when the frame was written to the socket: the
    /// start of a latency measurement that ends at a [`RecordedRequest::at`](crate::RecordedRequest::at).
    ///
    /// # Panics
    /// If no session is ready or the connection drops.
    pub async fn dispatch_timed(&self, event: &str, data: Value) -> Dispatched {
        match self.try_dispatch_timed(event, data).await {
            Ok(d) => d,
            Err(e) => panic!("fake-discord: cannot dispatch {event}: {e}"),
        }
    }

    /// Like [`Self::dispatch_timed`] but returns an error instead of panicking.
    pub async fn try_dispatch_timed(
        &self,
        event: &str,
        data: Value,
    ) -> Result<Dispatched, GatewayError> {
        let (seq, sent_at) = gateway::dispatch_from_test(&self.shared, event, data).await?;
        Ok(Dispatched { seq, sent_at })
    }

    /// Hands a dispatch to the connection and returns at once, without waiting for the frame
    /// to be written; [`QueuedDispatch::written`] then gives its sequence number and write
    /// time. Dispatches queued back to back go out back to back, in order: a load generator
    /// queues a whole burst this way instead of waiting for each frame in turn.
    pub fn queue_dispatch(&self, event: &str, data: Value) -> Result<QueuedDispatch, GatewayError> {
        gateway::queue_from_test(&self.shared, event, data).map(QueuedDispatch)
    }

    /// Queues a fixture under its own event name; see [`Self::queue_dispatch`].
    pub fn queue_send(&self, fixture: &impl Fixture) -> Result<QueuedDispatch, GatewayError> {
        self.queue_dispatch(fixture.event_name(), fixture.build())
    }

    /// Dispatches a fixture under its own event name.
    pub async fn send(&self, fixture: &impl Fixture) -> u64 {
        self.dispatch(fixture.event_name(), fixture.build()).await
    }

    /// Dispatches a fixture and returns when its frame was written; see [`Self::dispatch_timed`].
    pub async fn send_timed(&self, fixture: &impl Fixture) -> Dispatched {
        self.dispatch_timed(fixture.event_name(), fixture.build())
            .await
    }

    /// The IDENTIFY of the session that became ready last (or the one a RESUME continued),
    /// else the most recent one received.
    pub fn identify(&self) -> Option<Identify> {
        self.shared.gateway.last_identify()
    }

    /// Every IDENTIFY received.
    pub fn identifies(&self) -> Vec<Identify> {
        self.shared.gateway.identifies()
    }

    /// Every frame the bot sent on the gateway (IDENTIFY, heartbeats, RESUME, presence...).
    pub fn gateway_frames(&self) -> Vec<Value> {
        self.shared.gateway.frames()
    }

    /// Returns the first gateway frame from the bot (already received or arriving later)
    /// matching `pred`, e.g. `|f| f["op"] == 6` for a RESUME.
    ///
    /// # Panics
    /// On timeout, listing the gateway state.
    pub async fn wait_for_gateway_frame(
        &self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        match self.shared.gateway.wait_for_frame(pred, timeout).await {
            Some(f) => f,
            None => panic!(
                "fake-discord: no matching gateway frame within {timeout:?} ({}); frames: {:?}",
                self.shared.gateway.describe(),
                self.shared.gateway.frames()
            ),
        }
    }

    /// Closes the ready gateway connection (every shard's, when there are several; see
    /// [`Self::close_shard`]) with a close code (e.g. 4000 to make the bot resume, 4004 to
    /// make it give up). Returns once the close frames are sent.
    pub async fn close_gateway(&self, code: u16) {
        if let Err(e) = self.shared.gateway.close(None, code).await {
            panic!("fake-discord: close_gateway({code}): {e}");
        }
    }

    /// Sends op 7 RECONNECT (to every ready shard; see [`Self::send_reconnect_shard`]);
    /// serenity reconnects and RESUMEs. The session counts as not ready until then, so
    /// `wait_ready` afterwards waits for the RESUMED.
    pub async fn send_reconnect(&self) {
        if let Err(e) = self.shared.gateway.reconnect(None).await {
            panic!("fake-discord: send_reconnect: {e}");
        }
    }

    /// Changes how future IDENTIFYs are answered.
    pub fn set_identify_policy(&self, policy: IdentifyPolicy) {
        self.shared.gateway.set_policy(policy);
    }
}
