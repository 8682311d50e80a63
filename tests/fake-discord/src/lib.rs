//! A local, Discord-compatible server for interview-coach's tests and benchmarks.
//!
//! [`FakeDiscord`] binds `127.0.0.1:0` and serves, on one port, Discord's REST API under
//! `/api/v10` (HTTP/1.1) and the gateway WebSocket at `/ws`. The real bot (serenity 0.12.5 +
//! poise 0.7) is pointed at it with serenity's HTTP proxy setting; the test then drives the
//! bot by dispatching gateway events and asserts on the HTTP requests the bot made.
//!
//! # Usage
//!
//! ```no_run
//! use std::time::Duration;
//! use fake_discord::{fixtures, routes, FakeDiscord};
//!
//! # async fn demo() {
//! let fake = FakeDiscord::start().await;
//! // Start the bot with:
//! //   HttpBuilder::new(fake.token()).proxy(fake.base_url()).ratelimiter_disabled(true).build()
//! //   ClientBuilder::new_with_http(http, intents)
//! let identify = fake.wait_ready(Duration::from_secs(10)).await;
//! assert_eq!(identify.token, format!("Bot {}", fake.token()));
//!
//! let cmd = fixtures::slash_command("practice").option(fixtures::opt::string("role", "backend"));
//! fake.send(&cmd).await;
//! let reply = fake.wait_for_route(routes::INTERACTION_CALLBACK, Duration::from_secs(5)).await;
//! assert_eq!(reply.body["type"], 4);
//! assert_eq!(reply.param("interaction_token"), Some(cmd.interaction_token()));
//! fake.assert_no_violations();
//! # }
//! ```
//!
//! # API at a glance
//!
//! | area | methods |
//! |---|---|
//! | lifecycle | [`FakeDiscord::start`], [`FakeDiscord::builder`] ([`FakeDiscordBuilder`]), [`FakeDiscord::base_url`], [`FakeDiscord::token`], [`FakeDiscord::shutdown`] (or drop) |
//! | requests | [`FakeDiscord::requests`], [`FakeDiscord::requests_to`], [`FakeDiscord::wait_for`], [`FakeDiscord::wait_for_route`], [`FakeDiscord::describe`]; route names in [`routes`] |
//! | checks | [`FakeDiscord::violations`], [`FakeDiscord::assert_no_violations`] |
//! | faults | [`FakeDiscord::fail_next`], [`FakeDiscord::fail_next_with_retry_after`], [`FakeDiscord::fail_next_global_rate_limit`], [`FakeDiscord::hold`], [`FakeDiscord::release`], [`FakeDiscord::set_gateway_down`], [`FakeDiscord::gateway_refusals`] |
//! | model | [`FakeDiscord::channel`], [`FakeDiscord::threads`], [`FakeDiscord::messages`] (a channel's transcript), [`FakeDiscord::message`], [`FakeDiscord::reactions`], [`FakeDiscord::attachments`], [`FakeDiscord::attachment`], [`FakeDiscord::commands`], [`FakeDiscord::guild_commands`]; uploaded file parts on [`RecordedRequest::files`] |
//! | benchmarks | [`FakeDiscord::send_timed`], [`FakeDiscord::dispatch_timed`] (when the frame left), [`FakeDiscord::queue_send`], [`FakeDiscord::queue_dispatch`] (bursts without waiting for each frame), [`FakeDiscord::subscribe_requests`] (a stream of arrivals), [`FakeDiscordBuilder::validate_requests`], [`FakeDiscordBuilder::interaction_deadline`] |
//! | gateway | [`FakeDiscord::wait_ready`], [`FakeDiscord::send`] (a [`fixtures`] builder), [`FakeDiscord::dispatch`], [`FakeDiscord::identify`], [`FakeDiscord::gateway_frames`], [`FakeDiscord::wait_for_gateway_frame`], [`FakeDiscord::close_gateway`], [`FakeDiscord::send_reconnect`], [`FakeDiscord::set_identify_policy`] |
//! | shards | [`FakeDiscordBuilder::shards`], [`FakeDiscordBuilder::max_concurrency`], [`FakeDiscordBuilder::identify_window`], [`FakeDiscordBuilder::enforce_identify_limit`]; [`FakeDiscord::wait_ready_shard`], [`FakeDiscord::connected_shards`], [`FakeDiscord::shard_for_guild`] ([`shard_of_guild`]), [`FakeDiscord::identify_violations`], [`FakeDiscord::identify_times`], [`FakeDiscord::close_shard`], [`FakeDiscord::send_reconnect_shard`] |
//!
//! Defaults: the bot is user and application [`fixtures::BOT_ID`]; guild [`fixtures::GUILD_ID`]
//! with text channel [`fixtures::CHANNEL_ID`]; the fixtures' user is [`fixtures::USER_ID`]
//! ("alice"); the application owner is [`fixtures::OWNER_ID`]. Generated ids (threads,
//! messages, interactions) are time-based snowflakes, far above those.
//!
//! # Things to know
//!
//! - Interactions are only answerable if they were dispatched through the fake (it learns
//!   their id and token from the dispatch), within the deadline (3 s by default, see
//!   [`FakeDiscordBuilder::interaction_deadline`]) and only once.
//! - Posting to a channel the fake does not know answers 404 `Unknown Channel`. Channels are
//!   known from the configured guilds, from threads the bot created, and from dispatched
//!   events (an interaction or message in channel X makes X known).
//! - Like Discord, the fake echoes the bot's own messages and threads back as MESSAGE_CREATE /
//!   THREAD_CREATE (when the bot's intents subscribe to them), so a bot that reacts to
//!   messages must ignore its own. Turn off with [`FakeDiscordBuilder::echo_bot_events`].
//! - Like Discord, dispatched guild messages arrive with empty `content` unless the bot asked
//!   for MESSAGE_CONTENT (or is mentioned); [`FakeDiscord::dispatch`] applies this.
//! - A thread created without `type` is private (12), Discord's documented default.
//! - [`RecordedRequest::status`] is `None` while a request is held or being handled; waiting
//!   on it with [`FakeDiscord::wait_for`] works (waiters are woken when answers are known).
//!   A test that acts on the bot's request (e.g. answers in a thread being created) should
//!   wait for `status.is_some()`, not just the arrival.
//! - A thread started from a message has the message's id; the message then carries it as
//!   `thread` (with the HAS_THREAD flag) until the thread is deleted; a second one is
//!   `160004`.
//! - Reactions (`/reactions/{emoji}` routes) live on the stored message: its `reactions`
//!   array, [`FakeDiscord::reactions`] (the bot's) and [`FakeDiscord::reaction_users`]. The
//!   bot's are echoed as MESSAGE_REACTION_ADD / _REMOVE (with the reactions intents); users'
//!   come from [`fixtures::reaction_add`]. Unknown emoji are `10014`, over 20 emoji `30010`.
//! - Files (`multipart/form-data`, `payload_json` + `files[n]`) are kept on
//!   [`RecordedRequest::files`] and become Discord-shaped `attachments` (size, PNG/GIF
//!   dimensions, `ephemeral` on ephemeral messages) whose `url` serves the bytes from this
//!   server (those downloads are not recorded as requests). Like Discord: at most 10 files,
//!   each within [`FakeDiscordBuilder::attachment_size_limit`] (else 413 `40005`), every
//!   `attachments` entry matching a `files[n]` part or an attachment the edited message has
//!   (else 400 `ATTACHMENT_NOT_FOUND`); unlisted parts are dropped and recorded; an edit
//!   keeps only the attachments it lists.
//!
//! # Serenity/poise behaviour the fake accounts for
//!
//! - serenity sends `default_member_permissions` (and other permission bitfields) as decimal
//!   strings; the OpenAPI description says integer, Discord accepts strings, so does the fake.
//! - serenity rejects message content over 2000 characters itself (`Error::Model`), before
//!   any request; per-field embed limits are only caught here.
//! - serenity's `defer_ephemeral` sends `{"type":5,"data":{"flags":64,"attachments":[]}}`.
//! - serenity sends RESUME right after connecting, before HELLO, and ignores
//!   `resume_gateway_url`; it reconnects to the URL `GET /gateway` gave.
//! - serenity cannot decode an error body without `code` (it reports code -1), so every
//!   error body here, 429 included, carries one.
//! - serenity sends attachment placeholders as numbers (`"id": 0`, as in Discord's own upload
//!   example); the OpenAPI description says snowflake strings; the fake accepts both.
//! - poise's default `allowed_mentions` pings (`parse: ["users"]`, `replied_user: true`):
//!   caught by the policy check.
//!
//! # What it checks
//!
//! Every request is recorded ([`FakeDiscord::requests`]) and validated; anything wrong is
//! recorded as a readable violation string ([`FakeDiscord::violations`]) naming the route and
//! the body field. Tests should end with [`FakeDiscord::assert_no_violations`].
//!
//! 1. **OpenAPI schema**: the JSON body must match the request-body schema of the operation in
//!    Discord's `openapi.json` (path mapped to its OpenAPI template). The file is the copy
//!    vendored in this crate (`discord-api-spec/`, MIT), or wherever the `DISCORD_API_SPEC`
//!    environment variable points.
//! 2. **Discord's limits**: content ≤ 2000, ≤ 10 embeds and their field limits and the 6000
//!    total, ≤ 5 action rows of ≤ 5 buttons, labels ≤ 80, custom ids ≤ 100 and unique, modal
//!    title ≤ 45, text inputs ≤ 4000, ≤ 25 autocomplete choices with names ≤ 100, thread names
//!    1–100, no empty messages, command naming rules.
//!
//!    For 1 and 2 the fake answers 400 with Discord's error body (`50035 Invalid Form Body`
//!    with the `errors` tree, or `50006 Cannot send an empty message`), as Discord would.
//! 3. **Project policy**: every message the bot creates or edits must carry
//!    `allowed_mentions` that allows nothing (`parse` empty or absent, no `users`/`roles`,
//!    `replied_user` not true). Discord would accept such a request, so the fake answers
//!    normally and only records the violation.
//! 4. **Protocol**: unknown routes (404), interaction callbacks for unknown interactions,
//!    answered twice (`40060`), answered after the 3 s deadline (`10062`), with a callback type
//!    that does not fit the interaction, follow-ups before the acknowledgement.
//!
//! # Gateway
//!
//! HELLO → IDENTIFY → READY (+ GUILD_CREATE per configured guild), heartbeats acknowledged,
//! RESUME answered with a replay of missed events and RESUMED. [`FakeDiscord::dispatch`] and
//! [`FakeDiscord::send`] push events to the connected session. Like Discord, the fake echoes
//! the bot's own messages and threads back as MESSAGE_CREATE / THREAD_CREATE (if the bot's
//! intents ask for them; see [`FakeDiscordBuilder::echo_bot_events`]) and blanks the content
//! of dispatched user messages when the bot did not request the MESSAGE_CONTENT intent.
//!
//! Sessions are per shard, as on Discord: IDENTIFY's `shard: [shard_id, num_shards]`
//! (absent: `[0, 1]`) decides which configured guilds the session's READY and GUILD_CREATEs
//! cover (`(guild_id >> 22) % num_shards == shard_id`) and which dispatches and echoes it
//! gets: an event with a guild goes to that guild's shard, one without (DMs) to shard 0.
//! With [`FakeDiscordBuilder::shards`] over 1, an IDENTIFY must carry exactly that count
//! (else 4010 Invalid shard; without sharding, 4011 Sharding required), and session starts
//! are rate-limited per bucket (`shard_id % max_concurrency`, one per
//! [`FakeDiscordBuilder::identify_window`], 5 s): an IDENTIFY too soon gets op 9 Invalid
//! Session and is recorded ([`FakeDiscord::identify_violations`], and in
//! [`FakeDiscord::violations`]). A bot identifying without `shard` (or as `[0, 1]`) against
//! the default single shard sees all of it, as before.
//!
//! # Fault injection
//!
//! [`FakeDiscord::fail_next`] answers the next matching requests with 403/404/429/500 and
//! Discord's bodies and headers ([`FakeDiscord::fail_next_with_retry_after`] and
//! [`FakeDiscord::fail_next_global_rate_limit`]: a 429 asking for a given wait); [`FakeDiscord::hold`] parks matching requests until
//! [`FakeDiscord::release`].
//! [`FakeDiscord::set_gateway_down`] makes the gateway refuse connections (503 on the
//! upgrade), closing the current one. Like Discord, registering commands in a guild the bot
//! is not in answers 403 `50001 Missing Access`.

// Large `json!` literals (GUILD_CREATE) exceed the default macro recursion limit.
#![recursion_limit = "256"]

mod builder;
mod faults;
pub mod fixtures;
mod gateway;
mod gateway_control;
mod limits;
mod model;
mod outage;
mod reactions;
mod requests;
mod rest;
mod shard_control;
mod shards;
pub mod spec;
mod state;
mod uploads;
mod util;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

use builder::Config;

pub use builder::{FakeDiscordBuilder, DEFAULT_ATTACHMENT_SIZE_LIMIT, DEFAULT_IDENTIFY_WINDOW};
pub use fixtures::{Fixture, Guild, User};
pub use gateway::{GatewayError, Identify, IdentifyPolicy};
pub use model::{channel_type, Channel, Message, MessageOrigin};
pub use shards::{shard_of_guild, IdentifyViolation};
pub use uploads::{Attachment, UploadedFile};

/// Route templates (`METHOD /openapi/path/template`) as recorded in
/// [`RecordedRequest::route`], for use with [`FakeDiscord::requests_to`],
/// [`FakeDiscord::wait_for_route`], [`FakeDiscord::fail_next`] and [`FakeDiscord::hold`].
pub mod routes {
    pub const GET_GATEWAY: &str = "GET /gateway";
    pub const GET_GATEWAY_BOT: &str = "GET /gateway/bot";
    pub const GET_CURRENT_APPLICATION: &str = "GET /oauth2/applications/@me";
    pub const GET_CURRENT_USER: &str = "GET /users/@me";
    pub const PUT_GLOBAL_COMMANDS: &str = "PUT /applications/{application_id}/commands";
    pub const PUT_GUILD_COMMANDS: &str =
        "PUT /applications/{application_id}/guilds/{guild_id}/commands";
    pub const INTERACTION_CALLBACK: &str =
        "POST /interactions/{interaction_id}/{interaction_token}/callback";
    pub const CREATE_FOLLOWUP: &str = "POST /webhooks/{webhook_id}/{webhook_token}";
    pub const GET_ORIGINAL: &str = "GET /webhooks/{webhook_id}/{webhook_token}/messages/@original";
    pub const EDIT_ORIGINAL: &str =
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original";
    pub const DELETE_ORIGINAL: &str =
        "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original";
    pub const GET_FOLLOWUP: &str =
        "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}";
    pub const EDIT_FOLLOWUP: &str =
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}";
    pub const DELETE_FOLLOWUP: &str =
        "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}";
    pub const CREATE_MESSAGE: &str = "POST /channels/{channel_id}/messages";
    pub const LIST_MESSAGES: &str = "GET /channels/{channel_id}/messages";
    pub const GET_MESSAGE: &str = "GET /channels/{channel_id}/messages/{message_id}";
    pub const EDIT_MESSAGE: &str = "PATCH /channels/{channel_id}/messages/{message_id}";
    pub const DELETE_MESSAGE: &str = "DELETE /channels/{channel_id}/messages/{message_id}";
    pub const CREATE_THREAD: &str = "POST /channels/{channel_id}/threads";
    pub const CREATE_THREAD_FROM_MESSAGE: &str =
        "POST /channels/{channel_id}/messages/{message_id}/threads";
    pub const GET_CHANNEL: &str = "GET /channels/{channel_id}";
    pub const EDIT_CHANNEL: &str = "PATCH /channels/{channel_id}";
    pub const DELETE_CHANNEL: &str = "DELETE /channels/{channel_id}";
    pub const CREATE_GUILD_CHANNEL: &str = "POST /guilds/{guild_id}/channels";
    pub const ADD_THREAD_MEMBER: &str = "PUT /channels/{channel_id}/thread-members/{user_id}";
    pub const REMOVE_THREAD_MEMBER: &str = "DELETE /channels/{channel_id}/thread-members/{user_id}";
    pub const GET_THREAD_MEMBER: &str = "GET /channels/{channel_id}/thread-members/{user_id}";
    pub const TRIGGER_TYPING: &str = "POST /channels/{channel_id}/typing";
    pub const CREATE_DM: &str = "POST /users/@me/channels";
    pub const ADD_MY_REACTION: &str =
        "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me";
    pub const DELETE_MY_REACTION: &str =
        "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me";
    pub const DELETE_USER_REACTION: &str =
        "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}";
    pub const LIST_REACTIONS: &str =
        "GET /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}";
    pub const DELETE_EMOJI_REACTIONS: &str =
        "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}";
    pub const DELETE_ALL_REACTIONS: &str =
        "DELETE /channels/{channel_id}/messages/{message_id}/reactions";
}

/// One HTTP request the fake received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// Position in [`FakeDiscord::requests`] (arrival order).
    pub index: usize,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path as received, e.g. `/api/v10/channels/3000/messages` (no query string).
    pub path: String,
    pub query: Option<String>,
    /// `METHOD /template` (see [`routes`]); for a path that matches no Discord route,
    /// `METHOD /concrete/path` without the `/api/v10` prefix.
    pub route: String,
    /// Path parameters by template name, e.g. `("channel_id", "3000")`.
    pub params: Vec<(String, String)>,
    /// The JSON body (`Null` when there was none; for multipart, its `payload_json`, or its
    /// plain form fields when it has none; a body that is not JSON, as a string).
    pub body: Value,
    /// The file parts of a `multipart/form-data` body, in order (empty otherwise).
    pub files: Vec<UploadedFile>,
    pub authorization: Option<String>,
    /// When the request had fully arrived (headers and body read), before any handling.
    pub at: Instant,
    /// The status the fake answered with; `None` while the request is held or in progress.
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// A path parameter by its template name (`channel_id`, `interaction_token`, ...).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A path parameter parsed as a snowflake.
    pub fn param_id(&self, name: &str) -> Option<u64> {
        self.param(name)?.parse().ok()
    }

    /// Whether the request matches a route matcher (see [`RouteMatcher`]).
    pub fn is(&self, route: impl Into<RouteMatcher>) -> bool {
        route.into().matches(self)
    }

    fn short(&self) -> String {
        let status = self.status.map_or("…".to_string(), |s| s.to_string());
        let mut body = if self.body.is_null() {
            String::new()
        } else {
            self.body.to_string()
        };
        if body.chars().count() > 300 {
            body = format!("{}…", body.chars().take(300).collect::<String>());
        }
        format!(
            "#{} {} [{}] -> {} {}",
            self.index, self.route, self.path, status, body
        )
    }
}

/// A dispatch that was written to the bot's gateway connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dispatched {
    /// The sequence number (`s`) it carried.
    pub seq: u64,
    /// When the frame had been written to the socket.
    pub sent_at: Instant,
}

/// A dispatch handed to the connection by [`FakeDiscord::queue_dispatch`], not yet known
/// to be written.
#[derive(Debug)]
pub struct QueuedDispatch(tokio::sync::oneshot::Receiver<(u64, Instant)>);

impl QueuedDispatch {
    /// Waits until the frame has been written.
    pub async fn written(self) -> Result<Dispatched, GatewayError> {
        self.0
            .await
            .map(|(seq, sent_at)| Dispatched { seq, sent_at })
            .map_err(|_| GatewayError::ConnectionClosed)
    }
}

/// Selects requests by route: build it from a string or with [`RouteMatcher::custom`].
///
/// Strings are `"METHOD /path"` or just `"/path"` (any method), where the path is either a
/// template (`/channels/{channel_id}/messages`) or a concrete path without the `/api/v10`
/// prefix (`/channels/3000/messages`); `"*"` matches everything.
#[derive(Clone)]
pub enum RouteMatcher {
    Any,
    Route {
        method: Option<String>,
        path: String,
    },
    Custom(Arc<dyn Fn(&RecordedRequest) -> bool + Send + Sync>),
}

impl RouteMatcher {
    pub fn custom(f: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static) -> Self {
        RouteMatcher::Custom(Arc::new(f))
    }

    pub fn matches(&self, r: &RecordedRequest) -> bool {
        match self {
            RouteMatcher::Any => true,
            RouteMatcher::Custom(f) => f(r),
            RouteMatcher::Route { method, path } => {
                if method
                    .as_ref()
                    .is_some_and(|m| !m.eq_ignore_ascii_case(&r.method))
                {
                    return false;
                }
                let template = r.route.split_once(' ').map_or("", |(_, t)| t);
                let concrete = r.path.strip_prefix(rest::API_PREFIX).unwrap_or(&r.path);
                path == template || path == concrete
            }
        }
    }
}

impl From<&str> for RouteMatcher {
    fn from(s: &str) -> Self {
        let s = s.trim();
        if s == "*" {
            return RouteMatcher::Any;
        }
        match s.split_once(' ') {
            Some((m, p)) => RouteMatcher::Route {
                method: Some(m.to_ascii_uppercase()),
                path: p.trim().to_string(),
            },
            None => RouteMatcher::Route {
                method: None,
                path: s.to_string(),
            },
        }
    }
}

impl From<String> for RouteMatcher {
    fn from(s: String) -> Self {
        RouteMatcher::from(s.as_str())
    }
}

impl From<&String> for RouteMatcher {
    fn from(s: &String) -> Self {
        RouteMatcher::from(s.as_str())
    }
}

impl fmt::Debug for RouteMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteMatcher::Any => write!(f, "*"),
            RouteMatcher::Route { method, path } => {
                write!(f, "{} {}", method.as_deref().unwrap_or("*"), path)
            }
            RouteMatcher::Custom(_) => write!(f, "<custom>"),
        }
    }
}

/// Token handed out by [`FakeDiscord::token`] when none is configured.
pub const DEFAULT_TOKEN: &str = "fake-bot-token";

#[derive(Default)]
pub(crate) struct Log {
    pub requests: Vec<RecordedRequest>,
    pub violations: Vec<String>,
}

pub(crate) struct Fault {
    pub matcher: RouteMatcher,
    pub status: u16,
    pub remaining: usize,
    /// For a 429: the wait it asks for, instead of the default (header 2 s, body 1.5 s).
    pub retry_after: Option<Duration>,
    /// For a 429: Discord's global rate limit rather than a route's.
    pub global: bool,
}

/// State shared by the HTTP handlers, gateway connections and the test-facing handle.
pub(crate) struct Shared {
    pub cfg: Config,
    pub spec: Arc<spec::Spec>,
    pub addr: SocketAddr,
    pub log: Mutex<Log>,
    pub log_notify: Notify,
    pub model: Mutex<model::Model>,
    pub faults: Mutex<Vec<Fault>>,
    pub holds: Mutex<Vec<RouteMatcher>>,
    /// Whether the gateway refuses connections ([`FakeDiscord::set_gateway_down`]).
    pub outage: outage::Outage,
    /// Streams of arriving requests ([`FakeDiscord::subscribe_requests`]).
    pub subscribers: Mutex<Vec<mpsc::UnboundedSender<RecordedRequest>>>,
    /// Bumped by `release()`; held requests wait for it to change.
    pub release: watch::Sender<u64>,
    pub shutdown: watch::Sender<bool>,
    pub gateway: gateway::Gateway,
}

impl Shared {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn gateway_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Hands a just-recorded request to every live subscriber, forgetting closed ones.
    pub fn publish(&self, rec: &RecordedRequest) {
        let mut subs = self.subscribers.lock().unwrap();
        if !subs.is_empty() {
            subs.retain(|tx| tx.send(rec.clone()).is_ok());
        }
    }

    pub fn violation(&self, text: String) {
        tracing::warn!("fake-discord violation: {text}");
        self.log.lock().unwrap().violations.push(text);
    }
}

/// The running fake server. Dropping it (or [`FakeDiscord::shutdown`]) stops everything.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    server: Option<JoinHandle<()>>,
}

impl fmt::Debug for FakeDiscord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeDiscord")
            .field("addr", &self.shared.addr)
            .finish()
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        let _ = self.shared.shutdown.send(true);
    }
}

impl FakeDiscord {
    /// Starts a fake with the default configuration (see [`FakeDiscordBuilder`]).
    pub async fn start() -> FakeDiscord {
        FakeDiscord::builder().start().await
    }

    pub fn builder() -> FakeDiscordBuilder {
        FakeDiscordBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, for serenity's `HttpBuilder::proxy`.
    pub fn base_url(&self) -> String {
        self.shared.base_url()
    }

    /// `ws://127.0.0.1:PORT/ws`, what `GET /gateway` hands out.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway_url()
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The token to give the bot: the configured one, else [`DEFAULT_TOKEN`].
    pub fn token(&self) -> &str {
        self.shared.cfg.token.as_deref().unwrap_or(DEFAULT_TOKEN)
    }

    /// The bot's user.
    pub fn bot(&self) -> &User {
        &self.shared.cfg.bot
    }

    pub fn application_id(&self) -> u64 {
        self.shared.cfg.application_id
    }

    /// Stops the server and closes gateway connections (held requests are dropped).
    pub async fn shutdown(mut self) {
        let _ = self.shared.shutdown.send(true);
        if let Some(server) = self.server.take() {
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                tracing::warn!("fake-discord: server did not stop within 5 s");
            }
        }
    }
}
