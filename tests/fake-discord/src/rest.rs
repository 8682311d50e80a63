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
use serde_json::{json, Map, Value};

use crate::fixtures::intents;
use crate::limits::{self, Severity};
use crate::model::{
    self, channel_type, Channel, InteractionState, MessageOrigin, Model, NewMessage,
};
use crate::spec::dotted;
use crate::util::{id_of, next_snowflake, now_timestamp, unix_millis};
use crate::{gateway, RecordedRequest, Shared};

pub(crate) const API_PREFIX: &str = "/api/v10";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws", get(gateway::ws_handler))
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
    let (body_value, body_error) = parse_body(&bytes, &content_type);

    let rec = RecordedRequest {
        index: 0,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        route: route.clone(),
        params,
        body: body_value,
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

    let reply = process(&shared, &rec, matched.is_some(), rel.is_some(), body_error);
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

fn parse_body(bytes: &[u8], content_type: &str) -> (Value, Option<String>) {
    if bytes.is_empty() {
        return (Value::Null, None);
    }
    let json_bytes: &[u8] = if content_type.starts_with("multipart/form-data") {
        match multipart_payload_json(bytes, content_type) {
            Some(p) => p,
            None => {
                return (
                    Value::Null,
                    Some("multipart body without a payload_json part".into()),
                )
            }
        }
    } else {
        bytes
    };
    match serde_json::from_slice(json_bytes) {
        Ok(v) => (v, None),
        Err(e) => (
            Value::String(String::from_utf8_lossy(bytes).into_owned()),
            Some(format!("body is not JSON: {e}")),
        ),
    }
}

/// Extracts the `payload_json` part of a multipart body (how serenity sends messages with
/// attachments). Files themselves are not modelled.
fn multipart_payload_json<'a>(body: &'a [u8], content_type: &str) -> Option<&'a [u8]> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}");
    let text = body;
    let mut start = 0;
    let positions: Vec<usize> = {
        let d = delim.as_bytes();
        let mut v = Vec::new();
        while let Some(pos) = text[start..].windows(d.len()).position(|w| w == d) {
            v.push(start + pos);
            start += pos + d.len();
        }
        v
    };
    for pair in positions.windows(2) {
        let part = &text[pair[0] + delim.len()..pair[1]];
        let split = part.windows(4).position(|w| w == b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&part[..split]);
        if headers.contains("name=\"payload_json\"") {
            let content = &part[split + 4..];
            return Some(content.strip_suffix(b"\r\n").unwrap_or(content));
        }
    }
    None
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

/// Runs the schema, limit and policy checks; records violations; returns the 400 Discord
/// would answer with, if any.
fn validate(
    shared: &Shared,
    rec: &RecordedRequest,
    template: &str,
    method: &str,
    at: &str,
) -> Option<Reply> {
    let mut form: Vec<(Vec<String>, &'static str, String)> = Vec::new();
    let mut empty = false;
    if let Some((schema, required)) = shared.spec.request_schema(template, method) {
        if rec.body.is_null() {
            if required {
                form.push((
                    Vec::new(),
                    "BASE_TYPE_REQUIRED",
                    "A JSON body is required".into(),
                ));
            }
        } else {
            for e in shared.spec.validate(&rec.body, schema) {
                form.push((e.path, e.code, e.message));
            }
        }
    }
    if !rec.body.is_null() {
        for p in limits::check(&rec.route, &rec.body) {
            match p.severity {
                Severity::FormError => {
                    // The schema may already have flagged the same field (e.g. a 256-char title).
                    if !form.iter().any(|(path, _, _)| *path == p.path) {
                        form.push((p.path, p.code, p.message));
                    }
                }
                Severity::EmptyMessage => {
                    empty = true;
                    shared.violation(format!(
                        "{at}: body: {} [50006; Discord answers 400]",
                        p.message
                    ));
                }
                Severity::Policy => {
                    shared.violation(format!("{at}: body.{}: {}", dotted(&p.path), p.message));
                }
            }
        }
    }
    for (path, code, message) in &form {
        shared.violation(format!(
            "{at}: body.{}: {message} [{code}; Discord answers 400 Invalid Form Body]",
            dotted(path)
        ));
    }
    if !form.is_empty() {
        return Some(Reply::json(400, form_error_body(&form)));
    }
    if empty {
        return Some(Reply::empty_message());
    }
    None
}

/// Discord's `Invalid Form Body` with the nested `errors` tree
/// (`{"embeds": {"0": {"title": {"_errors": [{code, message}]}}}}`).
fn form_error_body(errors: &[(Vec<String>, &'static str, String)]) -> Value {
    let mut root = Map::new();
    for (path, code, message) in errors {
        let mut node = &mut root;
        for seg in path {
            node = node
                .entry(seg.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("error tree node");
        }
        node.entry("_errors")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("_errors list")
            .push(json!({"code": code, "message": message}));
    }
    json!({"code": 50035, "errors": root, "message": "Invalid Form Body"})
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
            "GET /gateway/bot" => Reply::ok(json!({
                "url": self.shared.gateway_url(), "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
            })),
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
            "DELETE /channels/{channel_id}" => match self
                .id("channel_id")
                .and_then(|id| self.model.channels.remove(&id))
            {
                Some(c) => Reply::ok(c.to_json(&self.model.users)),
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
            other => {
                self.violation(format!(
                    "{other} is a Discord route that fake-discord does not implement ({})",
                    self.rec.path
                ));
                Reply::error(404, 0, "404: Not Found")
            }
        }
    }

    fn application_json(&self) -> Value {
        let cfg = &self.shared.cfg;
        json!({
            "id": cfg.application_id.to_string(),
            "name": cfg.bot.username,
            "icon": null,
            "description": "",
            "summary": "",
            "type": null,
            "bot_public": false,
            "bot_require_code_grant": false,
            "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
            "flags": 0,
            "owner": cfg.owner.to_json(),
            "team": null,
            "bot": cfg.bot.to_json(),
            "redirect_uris": [],
            "interactions_endpoint_url": null,
            "approximate_guild_count": cfg.guilds.len(),
            "integration_types_config": {"0": {}},
            "hook": true,
            "is_monetized": false,
        })
    }

    fn check_application(&self) -> Option<Reply> {
        if self.id("application_id") != Some(self.shared.cfg.application_id) {
            self.violation(format!(
                "application id {} is not the bot's application ({})",
                self.param("application_id"),
                self.shared.cfg.application_id
            ));
            return Some(Reply::error(404, 10002, "Unknown Application"));
        }
        None
    }

    /// Like Discord, a guild's commands can only be set where the application was invited
    /// (with the `applications.commands` scope): elsewhere 403 `50001 Missing Access`.
    fn check_guild(&self, guild: Option<u64>) -> Option<Reply> {
        let g = guild?;
        (!self.model.guilds.contains_key(&g)).then(|| Reply::error(403, 50001, "Missing Access"))
    }

    fn command_json(&mut self, cmd: &Value, guild: Option<u64>) -> (Value, bool) {
        let mut c = model::strip_nulls(cmd);
        let kind = c.get("type").and_then(Value::as_u64).unwrap_or(1);
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key = (guild, kind, name);
        let existed = self.model.command_ids.contains_key(&key);
        let id = *self
            .model
            .command_ids
            .entry(key)
            .or_insert_with(next_snowflake);
        let o = c.as_object_mut().expect("validated: commands are objects");
        o.insert("id".into(), json!(id.to_string()));
        o.insert(
            "application_id".into(),
            json!(self.shared.cfg.application_id.to_string()),
        );
        o.insert("version".into(), json!(next_snowflake().to_string()));
        o.insert("type".into(), json!(kind));
        o.entry("description").or_insert_with(|| json!(""));
        o.entry("default_member_permissions").or_insert(Value::Null);
        o.entry("nsfw").or_insert_with(|| json!(false));
        o.entry("integration_types").or_insert_with(|| json!([0]));
        o.entry("contexts").or_insert(Value::Null);
        match guild {
            Some(g) => {
                o.insert("guild_id".into(), json!(g.to_string()));
            }
            None => {
                o.entry("dm_permission").or_insert_with(|| json!(true));
            }
        }
        (c, existed)
    }

    fn put_commands(&mut self, guild: Option<u64>) -> Reply {
        if let Some(r) = self.check_application().or_else(|| self.check_guild(guild)) {
            return r;
        }
        let list = self.body().as_array().cloned().unwrap_or_default();
        let answer: Vec<Value> = list.iter().map(|c| self.command_json(c, guild).0).collect();
        // Bulk overwrite: commands kept by name keep their ids, the others are deleted.
        let kept: std::collections::HashSet<u64> =
            answer.iter().filter_map(|c| id_of(&c["id"])).collect();
        self.model
            .command_ids
            .retain(|(g, _, _), id| *g != guild || kept.contains(id));
        match guild {
            Some(g) => {
                self.model.commands_guild.insert(g, answer.clone());
            }
            None => self.model.commands_global = answer.clone(),
        }
        Reply::ok(json!(answer))
    }

    fn post_command(&mut self, guild: Option<u64>) -> Reply {
        if let Some(r) = self.check_application().or_else(|| self.check_guild(guild)) {
            return r;
        }
        let body = self.body().clone();
        let (cmd, existed) = self.command_json(&body, guild);
        let list = match guild {
            Some(g) => self.model.commands_guild.entry(g).or_default(),
            None => &mut self.model.commands_global,
        };
        list.retain(|c| !(c["name"] == cmd["name"] && c["type"] == cmd["type"]));
        list.push(cmd.clone());
        Reply::json(if existed { 200 } else { 201 }, cmd)
    }

    /// Sends the gateway event Discord would send about the bot's own action, if the bot's
    /// intents subscribe to it.
    fn echo(&self, t: &str, d: Value, needed_intent: u64) {
        if !self.shared.cfg.echo_bot_events {
            return;
        }
        if self
            .shared
            .gateway
            .current_intents()
            .is_some_and(|i| i & needed_intent != 0)
        {
            self.shared.gateway.dispatch_nowait(t, d);
        }
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

    // ----- interactions ------------------------------------------------------------------

    fn callback(&mut self) -> Reply {
        let id = self.id("interaction_id").unwrap_or(0);
        let token = self.param("interaction_token").to_string();
        let deadline = self.shared.cfg.interaction_deadline;
        let cb_type = self.body()["type"].as_u64().unwrap_or(0);
        let Some(inter) = self.model.interactions.get(&id) else {
            self.violation(format!(
                "callback for interaction {id}, which was never dispatched"
            ));
            return Reply::unknown_interaction();
        };
        if inter.token != token {
            self.violation(format!(
                "callback token does not belong to interaction {id}"
            ));
            return Reply::unknown_interaction();
        }
        if let Some(prev) = inter.acked {
            self.violation(format!(
                "interaction {id} answered twice (first with callback type {prev}, now {cb_type})"
            ));
            return Reply::error(400, 40060, "Interaction has already been acknowledged.");
        }
        let elapsed = self.rec.at.saturating_duration_since(inter.dispatched_at);
        if let Some(limit) = deadline {
            if elapsed > limit {
                self.violation(format!("interaction {id} answered {elapsed:?} after dispatch; Discord allows {limit:?}"));
                return Reply::unknown_interaction();
            }
        }
        let allowed: &[u64] = match inter.kind {
            2 => &[4, 5, 9],
            3 => &[4, 5, 6, 7, 9],
            4 => &[8],
            5 => &[4, 5, 6, 7],
            _ => &[4, 5, 6, 7, 8, 9],
        };
        if !allowed.contains(&cb_type) {
            self.violation(format!(
                "callback type {cb_type} is not valid for interaction type {} (allowed: {allowed:?})",
                inter.kind
            ));
            return Reply::json(
                400,
                form_error_body(&[(
                    vec!["type".into()],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    format!(
                        "Interaction response type {cb_type} is not valid for this interaction."
                    ),
                )]),
            );
        }
        let channel_id = inter.channel_id;
        let kind = inter.kind;
        let component_message = inter.component_message;
        let data = self
            .body()
            .get("data")
            .filter(|d| d.is_object())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut original = None;
        match cb_type {
            4 | 5 => {
                let guild_id = self
                    .model
                    .channels
                    .get(&channel_id)
                    .and_then(|c| c.guild_id);
                let bot = self.bot_user();
                let inter = &self.model.interactions[&id];
                let meta = json!({"id": id.to_string(), "type": kind, "user": inter_user(inter), "authorizing_integration_owners": {}});
                let msg = NewMessage {
                    channel_id,
                    guild_id,
                    author: &bot,
                    body: &data,
                    kind: if kind == 2 { 20 } else { 0 },
                    webhook_id: Some(self.shared.cfg.application_id),
                    application_id: Some(self.shared.cfg.application_id),
                    extra_flags: if cb_type == 5 { model::FLAG_LOADING } else { 0 },
                    interaction_metadata: Some(meta),
                }
                .build();
                let mid = self.model.add_message(
                    msg.clone(),
                    MessageOrigin::InteractionResponse { interaction_id: id },
                );
                original = Some(mid);
                if cb_type == 4 {
                    self.echo_message_create(&msg);
                }
            }
            7 => {
                if let Some(mid) = component_message {
                    if let Some(m) = self.model.messages.get_mut(&mid) {
                        model::apply_edit(&mut m.json, &data);
                    }
                }
            }
            _ => {}
        }
        let inter = self.model.interactions.get_mut(&id).expect("checked above");
        inter.acked = Some(cb_type);
        inter.original_message = original;
        Reply::no_content()
    }

    /// Finds the interaction a webhook route refers to (the application id plus the
    /// interaction token).
    fn webhook_interaction(&self) -> Result<u64, Reply> {
        let webhook_id = self.id("webhook_id");
        let token = self.param("webhook_token");
        if webhook_id != Some(self.shared.cfg.application_id) {
            self.violation(format!(
                "webhook {} is not the application's ({}); interaction follow-ups use the application id",
                self.param("webhook_id"),
                self.shared.cfg.application_id
            ));
            return Err(Reply::unknown_webhook());
        }
        match self.model.interaction_by_token.get(token) {
            Some(id) => Ok(*id),
            None => {
                self.violation(format!(
                    "webhook token {token:.40} belongs to no dispatched interaction"
                ));
                Err(Reply::unknown_webhook())
            }
        }
    }

    fn followup(&mut self) -> Reply {
        let id = match self.webhook_interaction() {
            Ok(id) => id,
            Err(r) => return r,
        };
        let inter = &self.model.interactions[&id];
        if inter.acked.is_none() {
            self.violation(format!(
                "follow-up for interaction {id} before it was acknowledged with a callback"
            ));
            return Reply::unknown_webhook();
        }
        let channel_id = inter.channel_id;
        let meta = json!({"id": id.to_string(), "type": inter.kind, "user": inter_user(inter), "authorizing_integration_owners": {}});
        let guild_id = self
            .model
            .channels
            .get(&channel_id)
            .and_then(|c| c.guild_id);
        let bot = self.bot_user();
        let body = self.body().clone();
        let msg = NewMessage {
            channel_id,
            guild_id,
            author: &bot,
            body: &body,
            kind: 0,
            webhook_id: Some(self.shared.cfg.application_id),
            application_id: Some(self.shared.cfg.application_id),
            extra_flags: 0,
            interaction_metadata: Some(meta),
        }
        .build();
        let mid = self
            .model
            .add_message(msg.clone(), MessageOrigin::Followup { interaction_id: id });
        self.model
            .interactions
            .get_mut(&id)
            .expect("exists")
            .followups
            .push(mid);
        self.echo_message_create(&msg);
        Reply::ok(model::for_rest(&msg))
    }

    /// GET/PATCH/DELETE of `@original` (`which == None`) or a follow-up message.
    fn webhook_message(&mut self, which: Option<u64>) -> Reply {
        let id = match self.webhook_interaction() {
            Ok(id) => id,
            Err(r) => return r,
        };
        let inter = &self.model.interactions[&id];
        let target = match which {
            // For components acknowledged with 6/7, @original is the message they were on.
            None => inter
                .original_message
                .or(if matches!(inter.acked, Some(6 | 7)) {
                    inter.component_message
                } else {
                    None
                }),
            Some(mid) if inter.followups.contains(&mid) || inter.original_message == Some(mid) => {
                Some(mid)
            }
            Some(_) => None,
        };
        let Some(mid) = target.filter(|m| self.model.messages.contains_key(m)) else {
            if which.is_none() && inter.acked.is_none() {
                self.violation(format!(
                    "@original of interaction {id} used before the interaction was acknowledged"
                ));
            }
            return Reply::unknown_message();
        };
        match self.rec.method.as_str() {
            "GET" => Reply::ok(model::for_rest(&self.model.messages[&mid].json)),
            "DELETE" => {
                self.model.remove_message(mid);
                Reply::no_content()
            }
            _ => self.apply_message_edit(mid),
        }
    }

    fn apply_message_edit(&mut self, mid: u64) -> Reply {
        let body = self.body().clone();
        let stored = self.model.messages.get_mut(&mid).expect("caller checked");
        let mut edited = stored.json.clone();
        model::apply_edit(&mut edited, &body);
        if crate::limits::is_empty_message(&edited) {
            self.violation("the edit would leave the message empty".into());
            return Reply::empty_message();
        }
        stored.json = edited.clone();
        Reply::ok(model::for_rest(&edited))
    }

    // ----- channels and messages ---------------------------------------------------------

    fn channel_for_post(&mut self) -> Result<u64, Reply> {
        let id = self.id("channel_id").unwrap_or(0);
        let Some(c) = self.model.channels.get_mut(&id) else {
            return Err(Reply::unknown_channel());
        };
        if c.is_thread() && c.archived {
            if c.locked {
                return Err(Reply::archived());
            }
            // Sending to an archived, unlocked thread unarchives it, as on Discord.
            c.archived = false;
            c.archive_timestamp = now_timestamp();
        }
        Ok(id)
    }

    fn create_message(&mut self) -> Reply {
        let channel_id = match self.channel_for_post() {
            Ok(id) => id,
            Err(r) => return r,
        };
        let guild_id = self.model.channels[&channel_id].guild_id;
        let bot = self.bot_user();
        let body = self.body().clone();
        // Like Discord: with `enforce_nonce`, a repeat of a recent message's
        // nonce in the same channel returns that message instead of posting
        // a second one (how a bot makes a retried post idempotent).
        if body.get("enforce_nonce").and_then(Value::as_bool) == Some(true) {
            if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
                let existing = self.model.transcript.get(&channel_id).and_then(|ids| {
                    ids.iter()
                        .filter_map(|id| self.model.messages.get(id))
                        .find(|m| m.json.get("nonce") == Some(nonce))
                        .map(|m| m.json.clone())
                });
                if let Some(existing) = existing {
                    return Reply::ok(model::for_rest(&existing));
                }
            }
        }
        let msg = NewMessage {
            channel_id,
            guild_id,
            author: &bot,
            body: &body,
            kind: 0,
            webhook_id: None,
            application_id: None,
            extra_flags: 0,
            interaction_metadata: None,
        }
        .build();
        self.model.add_message(msg.clone(), MessageOrigin::Rest);
        self.echo_message_create(&msg);
        Reply::ok(model::for_rest(&msg))
    }

    fn list_messages(&mut self) -> Reply {
        let Some(channel_id) = self
            .id("channel_id")
            .filter(|id| self.model.channels.contains_key(id))
        else {
            return Reply::unknown_channel();
        };
        let limit = self
            .rec
            .query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("limit="))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(50)
            .clamp(1, 100);
        let ids = self
            .model
            .transcript
            .get(&channel_id)
            .cloned()
            .unwrap_or_default();
        let list: Vec<Value> = ids
            .iter()
            .rev()
            .take(limit)
            .filter_map(|id| self.model.messages.get(id))
            .map(|m| model::for_rest(&m.json))
            .collect();
        Reply::ok(json!(list))
    }

    fn message_in_channel(&self) -> Result<u64, Reply> {
        let channel_id = self.id("channel_id").unwrap_or(0);
        if !self.model.channels.contains_key(&channel_id) {
            return Err(Reply::unknown_channel());
        }
        let mid = self.id("message_id").unwrap_or(0);
        match self.model.messages.get(&mid) {
            Some(m) if id_of(&m.json["channel_id"]) == Some(channel_id) => Ok(mid),
            _ => Err(Reply::unknown_message()),
        }
    }

    fn get_message(&mut self) -> Reply {
        match self.message_in_channel() {
            Ok(mid) => Reply::ok(model::for_rest(&self.model.messages[&mid].json)),
            Err(r) => r,
        }
    }

    fn edit_message(&mut self) -> Reply {
        let mid = match self.message_in_channel() {
            Ok(mid) => mid,
            Err(r) => return r,
        };
        if id_of(&self.model.messages[&mid].json["author"]["id"]) != Some(self.shared.cfg.bot.id) {
            return Reply::error(403, 50005, "Cannot edit a message authored by another user");
        }
        self.apply_message_edit(mid)
    }

    fn delete_message(&mut self) -> Reply {
        match self.message_in_channel() {
            Ok(mid) => {
                self.model.remove_message(mid);
                Reply::no_content()
            }
            Err(r) => r,
        }
    }

    fn create_thread(&mut self, from_message: Option<u64>) -> Reply {
        let parent_id = self.id("channel_id").unwrap_or(0);
        let Some(parent) = self.model.channels.get(&parent_id) else {
            return Reply::unknown_channel();
        };
        if parent.is_thread() || parent.kind == channel_type::DM {
            return Reply::wrong_channel_type();
        }
        let guild_id = parent.guild_id;
        let parent_kind = parent.kind;
        let body = self.body();
        let (id, kind) = match from_message {
            Some(mid) => {
                match self.model.messages.get(&mid) {
                    Some(m) if id_of(&m.json["channel_id"]) == Some(parent_id) => {}
                    _ => return Reply::unknown_message(),
                }
                if self.model.channels.contains_key(&mid) {
                    return Reply::error(
                        400,
                        160004,
                        "A thread has already been created for this message",
                    );
                }
                // A thread started from a message shares the message's id.
                (
                    mid,
                    if parent_kind == channel_type::GUILD_ANNOUNCEMENT {
                        channel_type::ANNOUNCEMENT_THREAD
                    } else {
                        channel_type::PUBLIC_THREAD
                    },
                )
            }
            None => {
                let kind = body["type"]
                    .as_u64()
                    .unwrap_or(channel_type::PRIVATE_THREAD as u64)
                    as u8;
                (next_snowflake(), kind)
            }
        };
        let mut thread = Channel::new(
            id,
            kind,
            body["name"].as_str().map(str::to_string),
            guild_id,
        );
        thread.parent_id = Some(parent_id);
        thread.owner_id = Some(self.shared.cfg.bot.id);
        thread.auto_archive_duration = body["auto_archive_duration"].as_u64().unwrap_or(1440);
        if kind == channel_type::PRIVATE_THREAD {
            thread.invitable = Some(body["invitable"].as_bool().unwrap_or(true));
        }
        thread.members.insert(self.shared.cfg.bot.id);
        let json = thread.to_json(&self.model.users);
        self.model.channels.insert(id, thread);
        let mut echo = json.clone();
        echo["newly_created"] = json!(true);
        self.echo("THREAD_CREATE", echo, intents::GUILDS);
        Reply::json(201, json)
    }

    fn edit_channel(&mut self) -> Reply {
        let id = self.id("channel_id").unwrap_or(0);
        let body = self.body().clone();
        let Some(c) = self.model.channels.get_mut(&id) else {
            return Reply::unknown_channel();
        };
        if let Some(name) = body["name"].as_str() {
            c.name = Some(name.to_string());
        }
        if c.is_thread() {
            if let Some(a) = body["archived"].as_bool() {
                if a != c.archived {
                    c.archive_timestamp = now_timestamp();
                }
                c.archived = a;
            }
            if let Some(l) = body["locked"].as_bool() {
                c.locked = l;
            }
            if let Some(d) = body["auto_archive_duration"].as_u64() {
                c.auto_archive_duration = d;
            }
            if let Some(i) = body["invitable"].as_bool() {
                if c.kind == channel_type::PRIVATE_THREAD {
                    c.invitable = Some(i);
                }
            }
        }
        let json = c.to_json(&self.model.users);
        if c.is_thread() {
            self.echo("THREAD_UPDATE", json.clone(), intents::GUILDS);
        }
        Reply::ok(json)
    }

    fn thread_member(&mut self) -> Reply {
        let id = self.id("channel_id").unwrap_or(0);
        let user = self.id("user_id").unwrap_or(0);
        let Some(c) = self.model.channels.get_mut(&id) else {
            return Reply::unknown_channel();
        };
        if !c.is_thread() {
            return Reply::wrong_channel_type();
        }
        match self.rec.method.as_str() {
            "PUT" => {
                if c.archived {
                    return Reply::archived();
                }
                c.members.insert(user);
                Reply::no_content()
            }
            "DELETE" => {
                c.members.remove(&user);
                Reply::no_content()
            }
            _ => {
                if c.members.contains(&user) {
                    Reply::ok(
                        json!({"id": id.to_string(), "user_id": user.to_string(), "join_timestamp": c.create_timestamp, "flags": 0}),
                    )
                } else {
                    Reply::error(404, 10007, "Unknown Member")
                }
            }
        }
    }

    fn create_dm(&mut self) -> Reply {
        let Some(user) = id_of(&self.body()["recipient_id"]) else {
            return Reply::json(
                400,
                form_error_body(&[(
                    vec!["recipient_id".into()],
                    "BASE_TYPE_REQUIRED",
                    "This field is required".into(),
                )]),
            );
        };
        let id = *self
            .model
            .dm_by_user
            .entry(user)
            .or_insert_with(next_snowflake);
        let c = self.model.channels.entry(id).or_insert_with(|| {
            let mut c = Channel::new(id, channel_type::DM, None, None);
            c.recipient = Some(user);
            c
        });
        Reply::ok(c.to_json(&self.model.users))
    }
}

fn inter_user(inter: &InteractionState) -> Value {
    inter.user.clone()
}

/// Lets the model learn from a dispatch the test sends: interactions become answerable,
/// user messages join transcripts, deleted threads disappear.
pub(crate) fn observe_dispatch(shared: &Shared, t: &str, d: &Value) {
    let mut model = shared.model.lock().unwrap();
    let guild_id = id_of(&d["guild_id"]);
    match t {
        "INTERACTION_CREATE" => {
            let Some(id) = id_of(&d["id"]) else { return };
            let channel_id = id_of(&d["channel_id"])
                .or_else(|| id_of(&d["channel"]["id"]))
                .unwrap_or(0);
            let kind =
                d["channel"]["type"]
                    .as_u64()
                    .map(|k| k as u8)
                    .unwrap_or(if guild_id.is_some() {
                        0
                    } else {
                        channel_type::DM
                    });
            model.ensure_channel(
                channel_id,
                kind,
                guild_id,
                id_of(&d["channel"]["parent_id"]),
            );
            let user = if d["member"]["user"].is_object() {
                d["member"]["user"].clone()
            } else {
                d["user"].clone()
            };
            if let (Some(c), Some(uid)) = (model.channels.get_mut(&channel_id), id_of(&user["id"]))
            {
                if c.kind == channel_type::DM && c.recipient.is_none() {
                    c.recipient = Some(uid);
                }
            }
            let component_message = id_of(&d["message"]["id"]);
            if let Some(mid) = component_message {
                if !model.messages.contains_key(&mid) {
                    let mut m = d["message"].clone();
                    m["channel_id"] = json!(channel_id.to_string());
                    model.add_message(m, MessageOrigin::Gateway);
                }
            }
            let token = d["token"].as_str().unwrap_or_default().to_string();
            model.interaction_by_token.insert(token.clone(), id);
            model.interactions.insert(
                id,
                InteractionState {
                    token,
                    kind: d["type"].as_u64().unwrap_or(0),
                    channel_id,
                    user,
                    dispatched_at: Instant::now(),
                    acked: None,
                    original_message: None,
                    component_message,
                    followups: Vec::new(),
                },
            );
        }
        "MESSAGE_CREATE" => {
            let channel_id = id_of(&d["channel_id"]).unwrap_or(0);
            model.ensure_channel(
                channel_id,
                if guild_id.is_some() {
                    channel_type::GUILD_TEXT
                } else {
                    channel_type::DM
                },
                guild_id,
                None,
            );
            if guild_id.is_none() {
                let author = id_of(&d["author"]["id"]);
                if let Some(c) = model.channels.get_mut(&channel_id) {
                    c.recipient = c.recipient.or(author);
                }
            }
            let mut m = d.clone();
            if let Some(o) = m.as_object_mut() {
                o.remove("member");
            }
            model.add_message(m, MessageOrigin::Gateway);
        }
        "MESSAGE_DELETE" => {
            if let Some(id) = id_of(&d["id"]) {
                model.remove_message(id);
            }
        }
        "THREAD_CREATE" | "CHANNEL_CREATE" | "THREAD_UPDATE" | "CHANNEL_UPDATE" => {
            let Some(id) = id_of(&d["id"]) else { return };
            let kind = d["type"].as_u64().unwrap_or(0) as u8;
            let mut c = model
                .channels
                .remove(&id)
                .unwrap_or_else(|| Channel::new(id, kind, None, guild_id));
            c.kind = kind;
            c.name = d["name"].as_str().map(str::to_string).or(c.name);
            c.guild_id = guild_id.or(c.guild_id);
            c.parent_id = id_of(&d["parent_id"]).or(c.parent_id);
            c.owner_id = id_of(&d["owner_id"]).or(c.owner_id);
            let meta = &d["thread_metadata"];
            c.archived = meta["archived"].as_bool().unwrap_or(c.archived);
            c.locked = meta["locked"].as_bool().unwrap_or(c.locked);
            c.auto_archive_duration = meta["auto_archive_duration"]
                .as_u64()
                .unwrap_or(c.auto_archive_duration);
            c.invitable = meta["invitable"].as_bool().or(c.invitable);
            model.channels.insert(id, c);
        }
        "THREAD_DELETE" | "CHANNEL_DELETE" => {
            if let Some(id) = id_of(&d["id"]) {
                model.channels.remove(&id);
            }
        }
        "GUILD_MEMBER_REMOVE" => {
            if let Some(user) = id_of(&d["user"]["id"]) {
                for c in model
                    .channels
                    .values_mut()
                    .filter(|c| c.guild_id == guild_id && c.is_thread())
                {
                    c.members.remove(&user);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_error_body_nests_like_discord() {
        let body = form_error_body(&[
            (
                vec!["embeds".into(), "0".into(), "title".into()],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 256 or fewer in length.".into(),
            ),
            (vec![], "X", "root".into()),
        ]);
        assert_eq!(body["code"], 50035);
        assert_eq!(
            body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"],
            "BASE_TYPE_MAX_LENGTH"
        );
        assert_eq!(body["errors"]["_errors"][0]["message"], "root");
    }

    #[test]
    fn multipart_payload_json_is_extracted() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.txt\"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n{\"content\":\"x\"}\r\n--XX--\r\n";
        let (v, err) = parse_body(body, "multipart/form-data; boundary=XX");
        assert_eq!(err, None);
        assert_eq!(v, json!({"content": "x"}));
    }
}
