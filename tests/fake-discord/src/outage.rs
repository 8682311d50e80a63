//! Outages: a gateway that refuses connections, for tests of a bot that cannot
//! reach Discord (connecting for the first time, or reconnecting).
//!
//! While the gateway is down, every WebSocket upgrade at `/ws` is answered
//! `503 Service Unavailable` (a client sees its handshake fail, as with a
//! gateway it cannot reach) and counted; the REST API is unaffected. The
//! `GET /gateway` failures that go with an outage are [`FakeDiscord::fail_next`]'s.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::FakeDiscord;

/// The gateway's state for [`FakeDiscord::set_gateway_down`].
#[derive(Default)]
pub(crate) struct Outage {
    down: AtomicBool,
    refused: AtomicUsize,
}

impl Outage {
    /// The answer to an upgrade while the gateway is down; `None` when it is up.
    pub fn refuse(&self) -> Option<Response> {
        if !self.down.load(Ordering::SeqCst) {
            return None;
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        tracing::debug!("fake-discord gateway: down, refusing a connection");
        Some(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "gateway down (fake-discord)",
            )
                .into_response(),
        )
    }
}

impl FakeDiscord {
    /// Takes the gateway down (`true`) or brings it back (`false`). Taking it down closes the
    /// ready connections (every shard's), if any, with 1001 (going away), so the bot starts
    /// reconnecting;
    /// from then on every connection attempt is answered 503 and counted
    /// ([`Self::gateway_refusals`]), while the REST API keeps answering.
    pub async fn set_gateway_down(&self, down: bool) {
        self.shared.outage.down.store(down, Ordering::SeqCst);
        if down {
            // No connection (not connected yet, or already gone) is fine: nothing to close.
            let _ = self.shared.gateway.close(None, 1001).await;
        }
    }

    /// How many gateway connections were refused while the gateway was down.
    pub fn gateway_refusals(&self) -> usize {
        self.shared.outage.refused.load(Ordering::SeqCst)
    }
}
