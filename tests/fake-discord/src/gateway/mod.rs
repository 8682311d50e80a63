//! The gateway WebSocket at `/ws`: HELLO, IDENTIFY/READY, heartbeats, RESUME, dispatches.
//!
//! [`registry`] keeps the sessions and the connection serving each shard, and routes each
//! dispatch to the session of its shard (see [`crate::shards`]); [`connection`] speaks the
//! protocol on one WebSocket; this module holds the public types and the entry points for
//! the HTTP router and the test-facing handle.

mod connection;
mod ready;
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
    /// `[shard_id, num_shards]` as sent (`None` when absent, which means `[0, 1]`, or not
    /// two integers); see [`Identify::shard_id`].
    pub shard: Option<[u64; 2]>,
    pub compress: Option<bool>,
    /// The whole `d` object.
    pub raw: Value,
    /// When the frame arrived: the spacing of IDENTIFYs (see
    /// [`FakeDiscord::identify_times`](crate::FakeDiscord::identify_times)).
    pub received_at: Instant,
}

impl Identify {
    /// Whether all bits of `intent` were requested.
    pub fn has_intent(&self, intent: u64) -> bool {
        self.intents & intent == intent
    }

    /// The shard id it identified as (0 without a `shard` array).
    pub fn shard_id(&self) -> u64 {
        self.shard.map_or(0, |s| s[0])
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
    /// Sessions are ready, but none for the shard the event belongs to: the shard of
    /// `guild`, or shard 0 for an event without a guild (`guild: None`).
    ShardNotConnected { shard: u64, guild: Option<u64> },
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
            GatewayError::ShardNotConnected { shard, guild } => {
                let of = guild.map_or("events without a guild".to_string(), |g| {
                    format!("guild {g}")
                });
                write!(
                    f,
                    "no gateway session is ready for shard {shard} ({of}); other shards are \
                     (has that shard's bot connected? use wait_ready_shard)"
                )
            }
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

/// A dispatch requested by the test: the model learns from it, then it is sent to the
/// session of its shard.
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
    // Routed first, so an event for a shard that is not connected teaches the model nothing.
    let target = shared.gateway.route(t, &d)?;
    if t == "MESSAGE_CREATE" || t == "MESSAGE_UPDATE" {
        blank_content_without_intent(shared, target.intents, &mut d);
    }
    crate::rest::observe_dispatch(shared, t, &d);
    target.queue(t, d)
}

/// Discord leaves `content`, `embeds`, `attachments` and `components` empty in guild messages
/// for bots without the MESSAGE_CONTENT intent, except messages that mention the bot and
/// the bot's own messages. Doing the same here catches a bot that forgot to ask for it.
fn blank_content_without_intent(shared: &Shared, intents: u64, d: &mut Value) {
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
