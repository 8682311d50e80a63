//! The REST API under `/api/v10`: one fallback handler records, validates and routes every
//! request, so unknown routes are recorded (and flagged) exactly like known ones.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::fixtures::intents;
use crate::model::{self, Model};
use crate::util::unix_millis;
use crate::{gateway, RecordedRequest, Shared};

mod attachments;
mod body;
mod channels;
mod commands;
mod interactions;
mod reactions;
mod validate;

pub(crate) use interactions::observe_dispatch;
use validate::{form_error_body, validate};

pub(crate) const API_PREFIX: &str = "/api/v10";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws", get(gateway::ws_handler))
        .route(
            "/attachments/{channel_id}/{attachment_id}/{filename}",
            get(attachments::serve),
        )
        .fallback(handle)
        .with_state(shared)
}

/// A response before it becomes HTTP.
struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn ok(body: Value) -> Self {
        Reply::json(200, body)
    }

    fn no_content() -> Self {
        Reply {
            status: 204,
            body: None,
            headers: Vec::new(),
        }
    }

    /// Discord's error shape: `{"message": ..., "code": ...}`.
    fn error(status: u16, code: u64, message: &str) -> Self {
        Reply::json(status, json!({"message": message, "code": code}))
    }

    fn unknown_channel() -> Self {
        Reply::error(404, 10003, "Unknown Channel")
    }

    fn unknown_message() -> Self {
        Reply::error(404, 10008, "Unknown Message")
    }

    fn unknown_webhook() -> Self {
        Reply::error(404, 10015, "Unknown Webhook")
    }

    fn unknown_interaction() -> Self {
        Reply::error(404, 10062, "Unknown interaction")
    }

    fn wrong_channel_type() -> Self {
        Reply::error(400, 50024, "Cannot execute action on this channel type")
    }

    fn archived() -> Self {
        Reply::error(
            400,
            50083,
            "Operation cannot be performed on an archived thread.",
        )
    }

    fn empty_message() -> Self {
        Reply::error(400, 50006, "Cannot send an empty message")
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = match self.body {
            Some(v) => {
                let mut r = Response::new(Body::from(v.to_string()));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                r
            }
            None => Response::new(Body::empty()),
        };
        *resp.status_mut() = status;
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_ascii_uppercase();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let header_str = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let authorization = header_str(header::AUTHORIZATION);
    let content_type = header_str(header::CONTENT_TYPE).unwrap_or_default();
    let bytes = match axum::body::to_bytes(body, 64 << 20).await {
        Ok(b) => b,
        Err(_) => return Reply::error(400, 0, "400: Bad Request").into_response(),
    };

    let rel = path.strip_prefix(API_PREFIX);
    let matched = rel.and_then(|r| shared.spec.match_path(r));
    let (route, params) = match &matched {
        Some(m) => (format!("{method} {}", m.template), m.params.clone()),
        None => (format!("{method} {}", rel.unwrap_or(&path)), Vec::new()),
    };
    let parsed = body::parse_body(&bytes, &content_type).await;

    let rec = RecordedRequest {
        index: 0,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        route: route.clone(),
        params,
        body: parsed.value,
        files: parsed.files,
        authorization,
        at: Instant::now(),
        status: None,
    };
    let index = {
        let mut log = shared.log.lock().unwrap();
        let index = log.requests.len();
        let mut stored = rec.clone();
        stored.index = index;
        log.requests.push(stored);
        index
    };
    shared.log_notify.notify_waiters();
    let rec = RecordedRequest { index, ..rec };
    shared.publish(&rec);

    if !wait_if_held(&shared, &rec).await {
        // Shut down while held: the client is gone or going; answer something harmless.
        return Reply::error(503, 0, "fake-discord is shutting down").into_response();
    }

    for note in parsed.notes {
        shared.violation(format!("{route} (request #{index}): {note}"));
    }
    let reply = process(
        &shared,
        &rec,
        matched.is_some(),
        rel.is_some(),
        parsed.error,
    );
    shared.log.lock().unwrap().requests[index].status = Some(reply.status);
    // Wake waiters whose predicate looks at the answer (`status`), not just the arrival.
    shared.log_notify.notify_waiters();
    reply.into_response()
}

/// Parks the request while a hold matches it. Returns false if the fake shut down meanwhile.
async fn wait_if_held(shared: &Shared, rec: &RecordedRequest) -> bool {
    let mut release = shared.release.subscribe();
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        let held = shared.holds.lock().unwrap().iter().any(|m| m.matches(rec));
        if !held {
            return true;
        }
        tracing::debug!("fake-discord: holding {}", rec.route);
        tokio::select! {
            r = release.changed() => if r.is_err() { return false },
            _ = shutdown.wait_for(|s| *s) => return false,
        }
    }
}

/// Routes that authenticate with the token in the URL rather than the Authorization header.
fn needs_authorization(route: &str) -> bool {
    !(route.starts_with("GET /gateway")
        || route.contains("/interactions/")
        || route.contains("{webhook_token}"))
}

fn process(
    shared: &Arc<Shared>,
    rec: &RecordedRequest,
    known: bool,
    under_prefix: bool,
    body_error: Option<String>,
) -> Reply {
    let route = rec.route.as_str();
    let at = format!("{route} (request #{})", rec.index);
    if !under_prefix {
        shared.violation(format!("{at}: path {} is not under {API_PREFIX}", rec.path));
        return Reply::error(404, 0, "404: Not Found");
    }
    if !known {
        shared.violation(format!(
            "{at}: {} {} is not a Discord API route",
            rec.method, rec.path
        ));
        return Reply::error(404, 0, "404: Not Found");
    }
    let template = route.split_once(' ').map_or("", |(_, t)| t);
    let method_lc = rec.method.to_ascii_lowercase();
    if !shared.spec.has_operation(template, &method_lc) {
        shared.violation(format!("{at}: Discord has no {} on {template}", rec.method));
        return Reply::error(405, 0, "405: Method Not Allowed");
    }
    if let Some(token) = &shared.cfg.token {
        if needs_authorization(route)
            && rec.authorization.as_deref() != Some(&format!("Bot {token}"))
        {
            return Reply::error(401, 0, "401: Unauthorized");
        }
    }
    if let Some(e) = body_error {
        shared.violation(format!("{at}: {e}"));
        return Reply::error(400, 50109, "The request body contains invalid JSON.");
    }

    let rejection = if shared.cfg.validate_requests {
        validate(shared, rec, template, &method_lc, &at)
    } else {
        None
    };

    if let Some(reply) = injected_fault(shared, rec) {
        return reply;
    }
    if let Some(reply) = rejection {
        return reply;
    }
    let mut model = shared.model.lock().unwrap();
    let mut h = Handler {
        shared,
        model: &mut model,
        rec,
        at: &at,
    };
    h.route()
}

fn injected_fault(shared: &Shared, rec: &RecordedRequest) -> Option<Reply> {
    let (status, asked, global) = {
        let mut faults = shared.faults.lock().unwrap();
        let pos = faults
            .iter()
            .position(|f| f.remaining > 0 && f.matcher.matches(rec))?;
        faults[pos].remaining -= 1;
        let f = &faults[pos];
        let fault = (f.status, f.retry_after, f.global);
        if faults[pos].remaining == 0 {
            faults.remove(pos);
        }
        fault
    };
    tracing::debug!("fake-discord: injecting {status} for {}", rec.route);
    Some(match status {
        403 => Reply::error(403, 50013, "Missing Permissions"),
        404 => Reply::unknown_channel(),
        429 => {
            let retry_after = asked.map_or(1.5f64, |d| d.as_secs_f64());
            let header = asked.map_or_else(|| "2".into(), |d| format!("{:.3}", d.as_secs_f64()));
            let reset = unix_millis() as f64 / 1000.0 + retry_after;
            let mut r = Reply::json(
                429,
                json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": global, "code": 0}),
            );
            r.headers = vec![
                ("retry-after", header),
                ("x-ratelimit-limit", "5".into()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", format!("{reset:.3}")),
                ("x-ratelimit-reset-after", format!("{retry_after:.3}")),
                ("x-ratelimit-bucket", "fake-bucket".into()),
                (
                    "x-ratelimit-scope",
                    if global { "global" } else { "user" }.into(),
                ),
            ];
            if global {
                r.headers.push(("x-ratelimit-global", "true".into()));
            }
            r
        }
        500 => Reply::error(500, 0, "500: Internal Server Error"),
        other => Reply::error(other, 0, &format!("{other}: injected by fake-discord")),
    })
}

struct Handler<'a> {
    shared: &'a Arc<Shared>,
    model: &'a mut Model,
    rec: &'a RecordedRequest,
    at: &'a str,
}

impl Handler<'_> {
    fn param(&self, name: &str) -> &str {
        self.rec.param(name).unwrap_or_default()
    }

    fn id(&self, name: &str) -> Option<u64> {
        self.rec.param_id(name)
    }

    fn body(&self) -> &Value {
        &self.rec.body
    }

    fn violation(&self, what: String) {
        self.shared.violation(format!("{}: {what}", self.at));
    }

    fn route(&mut self) -> Reply {
        let cfg = &self.shared.cfg;
        match self.rec.route.as_str() {
            "GET /gateway" => Reply::ok(json!({"url": self.shared.gateway_url()})),
            "GET /gateway/bot" => Reply::ok(self.gateway_bot()),
            "GET /users/@me" => {
                let mut u = cfg.bot.to_json();
                u["verified"] = json!(true);
                u["mfa_enabled"] = json!(false);
                u["email"] = Value::Null;
                u["locale"] = json!("en-US");
                Reply::ok(u)
            }
            "GET /oauth2/applications/@me" | "GET /applications/@me" => {
                Reply::ok(self.application_json())
            }
            "PUT /applications/{application_id}/commands" => self.put_commands(None),
            "PUT /applications/{application_id}/guilds/{guild_id}/commands" => {
                let guild = self.id("guild_id");
                self.put_commands(Some(guild.unwrap_or(0)))
            }
            "GET /applications/{application_id}/commands" => {
                Reply::ok(json!(self.model.commands_global))
            }
            "GET /applications/{application_id}/guilds/{guild_id}/commands" => {
                let guild = self.id("guild_id").unwrap_or(0);
                Reply::ok(json!(self
                    .model
                    .commands_guild
                    .get(&guild)
                    .cloned()
                    .unwrap_or_default()))
            }
            "POST /applications/{application_id}/commands" => self.post_command(None),
            "POST /applications/{application_id}/guilds/{guild_id}/commands" => {
                let guild = self.id("guild_id");
                self.post_command(Some(guild.unwrap_or(0)))
            }
            "POST /interactions/{interaction_id}/{interaction_token}/callback" => self.callback(),
            "POST /webhooks/{webhook_id}/{webhook_token}" => self.followup(),
            "GET /webhooks/{webhook_id}/{webhook_token}/messages/@original"
            | "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original"
            | "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original" => {
                self.webhook_message(None)
            }
            "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
            | "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
            | "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" => {
                let id = self.id("message_id");
                self.webhook_message(Some(id.unwrap_or(0)))
            }
            "POST /channels/{channel_id}/messages" => self.create_message(),
            "GET /channels/{channel_id}/messages" => self.list_messages(),
            "GET /channels/{channel_id}/messages/{message_id}" => self.get_message(),
            "PATCH /channels/{channel_id}/messages/{message_id}" => self.edit_message(),
            "DELETE /channels/{channel_id}/messages/{message_id}" => self.delete_message(),
            "POST /channels/{channel_id}/threads" => self.create_thread(None),
            "POST /channels/{channel_id}/messages/{message_id}/threads" => {
                let mid = self.id("message_id");
                self.create_thread(Some(mid.unwrap_or(0)))
            }
            "GET /channels/{channel_id}" => match self
                .id("channel_id")
                .and_then(|id| self.model.channels.get(&id))
            {
                Some(c) => Reply::ok(c.to_json(&self.model.users)),
                None => Reply::unknown_channel(),
            },
            "PATCH /channels/{channel_id}" => self.edit_channel(),
            "POST /guilds/{guild_id}/channels" => self.create_guild_channel(),
            "DELETE /channels/{channel_id}" => match self
                .id("channel_id")
                .and_then(|id| self.model.channels.remove(&id))
            {
                Some(c) => {
                    self.model.sync_thread_starter(c.id);
                    Reply::ok(c.to_json(&self.model.users))
                }
                None => Reply::unknown_channel(),
            },
            "PUT /channels/{channel_id}/thread-members/{user_id}"
            | "DELETE /channels/{channel_id}/thread-members/{user_id}"
            | "GET /channels/{channel_id}/thread-members/{user_id}" => self.thread_member(),
            "POST /channels/{channel_id}/typing" => match self
                .id("channel_id")
                .and_then(|id| self.model.channels.get(&id))
            {
                Some(_) => Reply::no_content(),
                None => Reply::unknown_channel(),
            },
            "POST /users/@me/channels" => self.create_dm(),
            "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"
            | "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"
            | "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}"
            | "GET /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}"
            | "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}" => {
                self.reaction()
            }
            "DELETE /channels/{channel_id}/messages/{message_id}/reactions" => {
                self.delete_all_reactions()
            }
            other => {
                self.violation(format!(
                    "{other} is a Discord route that fake-discord does not implement ({})",
                    self.rec.path
                ));
                Reply::error(404, 0, "404: Not Found")
            }
        }
    }

    /// Sends the gateway event Discord would send about the bot's own action to the session
    /// of its shard, if that session's intents subscribe to it.
    fn echo(&self, t: &str, d: Value, needed_intent: u64) {
        if !self.shared.cfg.echo_bot_events {
            return;
        }
        self.shared.gateway.echo(t, d, needed_intent);
    }

    fn echo_message_create(&self, stored: &Value) {
        if stored["flags"].as_u64().unwrap_or(0) & model::FLAG_EPHEMERAL != 0 {
            return;
        }
        let mut d = stored.clone();
        let intent = if d.get("guild_id").is_some() {
            d["member"] = json!({"roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0});
            intents::GUILD_MESSAGES
        } else {
            intents::DIRECT_MESSAGES
        };
        self.echo("MESSAGE_CREATE", d, intent);
    }

    fn bot_user(&self) -> crate::User {
        self.shared.cfg.bot.clone()
    }

    fn apply_message_edit(&mut self, mid: u64) -> Reply {
        let body = self.body().clone();
        let mut edited = self.model.messages[&mid].json.clone();
        if let Err(r) = self.edit_stored(&mut edited, &body) {
            return r;
        }
        if crate::limits::is_empty_message(&edited) {
            self.violation("the edit would leave the message empty".into());
            return Reply::empty_message();
        }
        self.model
            .messages
            .get_mut(&mid)
            .expect("caller checked")
            .json = edited.clone();
        Reply::ok(model::for_rest(&edited))
    }

    /// Applies an edit (a PATCH body or a callback's `data`) to a copy of a stored message,
    /// attachments included.
    fn edit_stored(&mut self, message: &mut Value, data: &Value) -> Result<(), Reply> {
        let channel_id = crate::util::id_of(&message["channel_id"]).unwrap_or(0);
        let ephemeral = message["flags"].as_u64().unwrap_or(0) & model::FLAG_EPHEMERAL != 0;
        let existing = message["attachments"].clone();
        let attachments = self.resolve_attachments(data, &existing, channel_id, ephemeral)?;
        model::apply_edit(message, data);
        if let Some(a) = attachments {
            message["attachments"] = a;
        }
        Ok(())
    }
}
