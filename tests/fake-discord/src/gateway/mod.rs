//! The gateway WebSocket at `/ws`: HELLO, IDENTIFY/READY, heartbeats, RESUME, dispatches.
//!
//! [`registry`] keeps the sessions and the connection that currently serves them;
//! [`connection`] speaks the protocol on one WebSocket; this module holds the public types
//! and the entry points for the HTTP router and the test-facing handle.

mod connection;
mod registry;

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::fixtures::intents;
use crate::util::id_of;
use crate::Shared;

use connection::Connection;
pub(crate) use registry::Gateway;

/// What the bot sent in IDENTIFY.
#[derive(Clone, Debug, PartialEq)]
pub struct Identify {
    /// As sent; serenity sends `"Bot <token>"`.
    pub token: String,
    /// The intents bitfield (see [`crate::fixtures::intents`]).
    pub intents: u64,
    /// `[shard_id, num_shards]`.
    pub shard: Option<[u64; 2]>,
    pub compress: Option<bool>,
    /// The whole `d` object.
    pub raw: Value,
}

impl Identify {
    /// Whether all bits of `intent` were requested.
    pub fn has_intent(&self, intent: u64) -> bool {
        self.intents & intent == intent
    }
}

/// How the fake answers IDENTIFY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentifyPolicy {
    /// Send READY (subject to the token and privileged-intent checks).
    Accept,
    /// Close the connection with this code (e.g. 4004 authentication failed, 4014 disallowed
    /// intents); serenity's `client.start()` then returns an error for fatal codes.
    Reject(u16),
}

/// Why a dispatch could not be delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayError {
    /// No gateway session is ready (the bot has not connected, or was disconnected).
    NotConnected,
    /// The connection closed before the frame was written.
    ConnectionClosed,
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatewayError::NotConnected => write!(
                f,
                "no gateway session is ready (has the bot connected? use wait_ready)"
            ),
            GatewayError::ConnectionClosed => write!(
                f,
                "the gateway connection closed before the frame was written"
            ),
        }
    }
}

impl std::error::Error for GatewayError {}

/// `GET /ws`: upgrades to the gateway protocol.
pub(crate) async fn ws_handler(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    if let Some(refused) = shared.outage.refuse() {
        return refused;
    }
    let version = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("v="))
        .map(str::to_string);
    if version.as_deref() != Some("10") {
        shared.violation(format!(
            "gateway: connected with query {query:?}; serenity 0.12 is expected to ask for ?v=10"
        ));
    }
    ws.on_upgrade(move |socket| async move { Connection::new(shared, socket).run().await })
}

/// A dispatch requested by the test: the model learns from it, then it is sent.
pub(crate) async fn dispatch_from_test(
    shared: &Arc<Shared>,
    t: &str,
    d: Value,
) -> Result<(u64, Instant), GatewayError> {
    queue_from_test(shared, t, d)?
        .await
        .map_err(|_| GatewayError::ConnectionClosed)
}

/// [`dispatch_from_test`] without waiting for the frame to be written.
pub(crate) fn queue_from_test(
    shared: &Arc<Shared>,
    t: &str,
    mut d: Value,
) -> Result<oneshot::Receiver<(u64, Instant)>, GatewayError> {
    if !shared.gateway.is_ready() {
        return Err(GatewayError::NotConnected);
    }
    if t == "MESSAGE_CREATE" || t == "MESSAGE_UPDATE" {
        blank_content_without_intent(shared, &mut d);
    }
    crate::rest::observe_dispatch(shared, t, &d);
    shared.gateway.queue(t, d)
}

/// Discord leaves `content`, `embeds`, `attachments` and `components` empty in guild messages
/// for bots without the MESSAGE_CONTENT intent, except messages that mention the bot and
/// the bot's own messages. Doing the same here catches a bot that forgot to ask for it.
fn blank_content_without_intent(shared: &Shared, d: &mut Value) {
    let Some(intents) = shared.gateway.current_intents() else {
        return;
    };
    if intents & intents::MESSAGE_CONTENT != 0 || d.get("guild_id").is_none_or(Value::is_null) {
        return;
    }
    let bot = shared.cfg.bot.id;
    let own = id_of(&d["author"]["id"]) == Some(bot);
    let mentioned = d["mentions"]
        .as_array()
        .is_some_and(|m| m.iter().any(|u| id_of(&u["id"]) == Some(bot)));
    if own || mentioned {
        return;
    }
    tracing::warn!("fake-discord: the bot did not request MESSAGE_CONTENT; blanking the dispatched message's content as Discord would");
    for (k, v) in [
        ("content", json!("")),
        ("embeds", json!([])),
        ("attachments", json!([])),
        ("components", json!([])),
    ] {
        d[k] = v;
    }
}
