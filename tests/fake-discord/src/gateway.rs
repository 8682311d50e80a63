//! The gateway WebSocket at `/ws`: HELLO, IDENTIFY/READY, heartbeats, RESUME, dispatches.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};

use crate::fixtures::{self, intents, Fixture};
use crate::util::{id_of, next_snowflake};
use crate::Shared;

/// How many dispatches per session are kept for replay on RESUME.
const REPLAY_LIMIT: usize = 2000;

/// What the bot sent in IDENTIFY.
#[derive(Clone, Debug, PartialEq)]
pub struct Identify {
    /// As sent; serenity sends `"Bot <token>"`.
    pub token: String,
    /// The intents bitfield (see [`fixtures::intents`]).
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

enum Outgoing {
    Dispatch {
        t: String,
        d: Value,
        /// Answered with the sequence number and the moment the frame was written.
        ack: Option<oneshot::Sender<(u64, Instant)>>,
    },
    /// op 7: the client is expected to reconnect and RESUME.
    Reconnect {
        ack: oneshot::Sender<()>,
    },
    Close {
        code: u16,
        ack: oneshot::Sender<()>,
    },
}

struct ConnHandle {
    conn_id: u64,
    session_id: String,
    intents: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
}

struct Session {
    seq: u64,
    replay: VecDeque<(u64, String)>,
    identify: Identify,
}

struct Inner {
    policy: crate::IdentifyPolicy,
    current: Option<ConnHandle>,
    sessions: HashMap<String, Session>,
    identifies: Vec<Identify>,
    frames: Vec<Value>,
    next_conn: u64,
}

pub(crate) struct Gateway {
    inner: Mutex<Inner>,
    /// Woken whenever a frame from the client is recorded.
    frames_notify: tokio::sync::Notify,
    /// The connection id of the ready session, if any.
    ready: watch::Sender<Option<u64>>,
}

impl Gateway {
    pub fn new(policy: IdentifyPolicy) -> Self {
        Gateway {
            inner: Mutex::new(Inner {
                policy,
                current: None,
                sessions: HashMap::new(),
                identifies: Vec::new(),
                frames: Vec::new(),
                next_conn: 1,
            }),
            ready: watch::channel(None).0,
            frames_notify: tokio::sync::Notify::new(),
        }
    }

    /// Returns the first received frame (already recorded or arriving later) matching `pred`.
    pub async fn wait_for_frame(
        &self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut next = 0;
        loop {
            let notified = self.frames_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let inner = self.inner.lock().unwrap();
                if let Some(f) = inner.frames[next..].iter().find(|f| pred(f)) {
                    return Some(f.clone());
                }
                next = inner.frames.len();
            }
            tokio::time::timeout_at(deadline, notified).await.ok()?;
        }
    }

    pub async fn wait_ready(&self, timeout: Duration) -> Option<Identify> {
        let mut rx = self.ready.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(Option::is_some))
            .await
            .ok()?
            .ok()?;
        let inner = self.inner.lock().unwrap();
        let cur = inner.current.as_ref()?;
        inner
            .sessions
            .get(&cur.session_id)
            .map(|s| s.identify.clone())
    }

    pub fn is_ready(&self) -> bool {
        self.ready.borrow().is_some()
    }

    pub fn describe(&self) -> String {
        let inner = self.inner.lock().unwrap();
        format!(
            "{} connection(s) opened, {} IDENTIFY, {} frame(s) received, ready session: {}",
            inner.next_conn - 1,
            inner.identifies.len(),
            inner.frames.len(),
            inner
                .current
                .as_ref()
                .map_or("none".to_string(), |c| c.session_id.clone())
        )
    }

    pub fn last_identify(&self) -> Option<Identify> {
        let inner = self.inner.lock().unwrap();
        if let Some(cur) = &inner.current {
            if let Some(s) = inner.sessions.get(&cur.session_id) {
                return Some(s.identify.clone());
            }
        }
        inner.identifies.last().cloned()
    }

    pub fn identifies(&self) -> Vec<Identify> {
        self.inner.lock().unwrap().identifies.clone()
    }

    pub fn frames(&self) -> Vec<Value> {
        self.inner.lock().unwrap().frames.clone()
    }

    pub fn set_policy(&self, policy: IdentifyPolicy) {
        self.inner.lock().unwrap().policy = policy;
    }

    /// Intents of the ready session, if any.
    pub fn current_intents(&self) -> Option<u64> {
        self.inner
            .lock()
            .unwrap()
            .current
            .as_ref()
            .map(|c| c.intents)
    }

    fn current_tx(&self) -> Result<mpsc::UnboundedSender<Outgoing>, GatewayError> {
        let inner = self.inner.lock().unwrap();
        inner
            .current
            .as_ref()
            .map(|c| c.tx.clone())
            .ok_or(GatewayError::NotConnected)
    }

    /// Hands a dispatch to the connection without waiting; the receiver gets its sequence
    /// number and write time. Dispatches queued one after another are written in order.
    pub fn queue(
        &self,
        t: &str,
        d: Value,
    ) -> Result<oneshot::Receiver<(u64, Instant)>, GatewayError> {
        let tx = self.current_tx()?;
        let (ack, done) = oneshot::channel();
        tx.send(Outgoing::Dispatch {
            t: t.to_string(),
            d,
            ack: Some(ack),
        })
        .map_err(|_| GatewayError::ConnectionClosed)?;
        Ok(done)
    }

    /// Fire-and-forget dispatch used for echoes of the bot's own actions.
    pub fn dispatch_nowait(&self, t: &str, d: Value) {
        if let Ok(tx) = self.current_tx() {
            let _ = tx.send(Outgoing::Dispatch {
                t: t.to_string(),
                d,
                ack: None,
            });
        }
    }

    pub async fn reconnect_current(&self) -> Result<(), GatewayError> {
        let tx = self.current_tx()?;
        let (ack, done) = oneshot::channel();
        tx.send(Outgoing::Reconnect { ack })
            .map_err(|_| GatewayError::ConnectionClosed)?;
        done.await.map_err(|_| GatewayError::ConnectionClosed)
    }

    pub async fn close_current(&self, code: u16) -> Result<(), GatewayError> {
        let tx = self.current_tx()?;
        let (ack, done) = oneshot::channel();
        tx.send(Outgoing::Close { code, ack })
            .map_err(|_| GatewayError::ConnectionClosed)?;
        done.await.map_err(|_| GatewayError::ConnectionClosed)
    }

    /// Reserves the next sequence number of a session and builds the frame, keeping it for
    /// replay.
    fn frame(&self, session_id: &str, t: &str, d: &Value) -> (u64, String) {
        let seq = {
            let mut inner = self.inner.lock().unwrap();
            let Some(s) = inner.sessions.get_mut(session_id) else {
                return (0, String::new());
            };
            s.seq += 1;
            s.seq
        };
        // Serialized outside the lock; `t` is an upper-case event name, safe to splice.
        let text = format!(r#"{{"op":0,"s":{seq},"t":"{t}","d":{d}}}"#);
        let mut inner = self.inner.lock().unwrap();
        if let Some(s) = inner.sessions.get_mut(session_id) {
            s.replay.push_back((seq, text.clone()));
            if s.replay.len() > REPLAY_LIMIT {
                s.replay.pop_front();
            }
        }
        (seq, text)
    }

    fn disconnected(&self, conn_id: u64) {
        let mut inner = self.inner.lock().unwrap();
        if inner.current.as_ref().is_some_and(|c| c.conn_id == conn_id) {
            inner.current = None;
            self.ready.send_replace(None);
        }
    }
}

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

struct Connection {
    shared: Arc<Shared>,
    socket: WebSocket,
    conn_id: u64,
    session_id: Option<String>,
    tx: mpsc::UnboundedSender<Outgoing>,
    rx: mpsc::UnboundedReceiver<Outgoing>,
}

/// Whether the connection loop should go on.
enum Flow {
    Continue,
    Stop,
}

impl Connection {
    fn new(shared: Arc<Shared>, socket: WebSocket) -> Self {
        let conn_id = {
            let mut inner = shared.gateway.inner.lock().unwrap();
            inner.next_conn += 1;
            inner.next_conn - 1
        };
        let (tx, rx) = mpsc::unbounded_channel();
        Connection {
            shared,
            socket,
            conn_id,
            session_id: None,
            tx,
            rx,
        }
    }

    async fn run(mut self) {
        let hello = json!({"op": 10, "d": {"heartbeat_interval": self.shared.cfg.heartbeat_interval.as_millis() as u64}});
        if self.send_text(hello.to_string()).await.is_err() {
            return;
        }
        let mut shutdown = self.shared.shutdown.subscribe();
        loop {
            let flow = tokio::select! {
                msg = self.socket.recv() => match msg {
                    Some(Ok(msg)) => self.on_message(msg).await,
                    _ => Flow::Stop,
                },
                cmd = self.rx.recv() => match cmd {
                    Some(cmd) => self.on_command(cmd).await,
                    None => Flow::Stop,
                },
                // The watch guard is not Send; drop it inside the branch future.
                _ = async { let _ = shutdown.wait_for(|s| *s).await; } => {
                    let _ = self.close(1001, "fake-discord shutting down").await;
                    Flow::Stop
                }
            };
            if let Flow::Stop = flow {
                break;
            }
        }
        self.shared.gateway.disconnected(self.conn_id);
    }

    async fn send_text(&mut self, text: String) -> Result<(), axum::Error> {
        self.socket.send(WsMessage::Text(text.into())).await
    }

    async fn close(&mut self, code: u16, reason: &str) -> Result<(), axum::Error> {
        tracing::debug!(
            "fake-discord gateway: closing connection {} with {code} ({reason})",
            self.conn_id
        );
        self.socket
            .send(WsMessage::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await
    }

    async fn on_command(&mut self, cmd: Outgoing) -> Flow {
        match cmd {
            Outgoing::Dispatch { t, d, ack } => {
                let Some(session) = self.session_id.clone() else {
                    return Flow::Continue;
                };
                let (seq, text) = self.shared.gateway.frame(&session, &t, &d);
                // Where a benchmark's clock for "the dispatch left the server" starts:
                // just before the frame is written. Stamped after the write, a bot's
                // answer could arrive (and be stamped by the REST side) first once the
                // socket stopped delaying small frames (TCP_NODELAY).
                let sent_at = Instant::now();
                if self.send_text(text).await.is_err() {
                    return Flow::Stop;
                }
                if let Some(ack) = ack {
                    let _ = ack.send((seq, sent_at));
                }
                Flow::Continue
            }
            Outgoing::Reconnect { ack } => {
                if self
                    .send_text(r#"{"op":7,"d":null}"#.to_string())
                    .await
                    .is_err()
                {
                    return Flow::Stop;
                }
                // The session is not ready again until the client has RESUMEd, so a test can
                // `wait_ready` for that.
                self.shared.gateway.disconnected(self.conn_id);
                let _ = ack.send(());
                Flow::Continue
            }
            Outgoing::Close { code, ack } => {
                let _ = self.close(code, "closed by the test").await;
                // Not ready any more as soon as the close frame is out, so a test that closes
                // and then waits for readiness waits for the reconnect.
                self.shared.gateway.disconnected(self.conn_id);
                let _ = ack.send(());
                Flow::Stop
            }
        }
    }

    async fn on_message(&mut self, msg: WsMessage) -> Flow {
        let text = match msg {
            WsMessage::Text(t) => t.to_string(),
            WsMessage::Binary(bytes) => {
                // Clients may zlib-compress payloads; each binary frame is a complete stream.
                let mut out = String::new();
                if let Err(e) = flate2::read::ZlibDecoder::new(&bytes[..]).read_to_string(&mut out)
                {
                    self.shared.violation(format!(
                        "gateway: binary frame is not a complete zlib stream: {e}"
                    ));
                    let _ = self.close(4002, "Error while decoding payload.").await;
                    return Flow::Stop;
                }
                out
            }
            WsMessage::Close(_) => return Flow::Stop,
            _ => return Flow::Continue,
        };
        let frame: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                self.shared
                    .violation(format!("gateway: frame is not JSON ({e}): {text:.200}"));
                let _ = self.close(4002, "Error while decoding payload.").await;
                return Flow::Stop;
            }
        };
        self.shared
            .gateway
            .inner
            .lock()
            .unwrap()
            .frames
            .push(frame.clone());
        self.shared.gateway.frames_notify.notify_waiters();
        match frame["op"].as_u64() {
            Some(1) => {
                if self.send_text(r#"{"op":11}"#.to_string()).await.is_err() {
                    return Flow::Stop;
                }
                Flow::Continue
            }
            Some(2) => self.on_identify(&frame["d"]).await,
            Some(6) => self.on_resume(&frame["d"]).await,
            // Presence, voice state and member requests are recorded but need no answer here.
            Some(3 | 4 | 8) => Flow::Continue,
            other => {
                self.shared
                    .violation(format!("gateway: unknown opcode {other:?} in {text:.200}"));
                let _ = self.close(4001, "Unknown opcode.").await;
                Flow::Stop
            }
        }
    }

    fn token_ok(&self, token: &str) -> bool {
        match &self.shared.cfg.token {
            Some(t) => token == format!("Bot {t}") || token == t,
            None => true,
        }
    }

    async fn on_identify(&mut self, d: &Value) -> Flow {
        let identify = Identify {
            token: d["token"].as_str().unwrap_or_default().to_string(),
            intents: d["intents"].as_u64().unwrap_or(0),
            shard: d["shard"]
                .as_array()
                .and_then(|a| Some([a.first()?.as_u64()?, a.get(1)?.as_u64()?])),
            compress: d["compress"].as_bool(),
            raw: d.clone(),
        };
        let policy = {
            let mut inner = self.shared.gateway.inner.lock().unwrap();
            inner.identifies.push(identify.clone());
            inner.policy.clone()
        };
        if self.session_id.is_some() {
            let _ = self.close(4005, "Already authenticated.").await;
            return Flow::Stop;
        }
        if let IdentifyPolicy::Reject(code) = policy {
            let _ = self
                .close(code, "Rejected by the test's identify policy.")
                .await;
            return Flow::Stop;
        }
        if !self.token_ok(&identify.token) {
            let _ = self.close(4004, "Authentication failed.").await;
            return Flow::Stop;
        }
        let disallowed =
            identify.intents & intents::PRIVILEGED & !self.shared.cfg.allowed_privileged_intents;
        if disallowed != 0 {
            let _ = self.close(4014, "Disallowed intent(s).").await;
            return Flow::Stop;
        }

        let session_id = format!("fake-session-{}", next_snowflake());
        {
            let mut inner = self.shared.gateway.inner.lock().unwrap();
            inner.sessions.insert(
                session_id.clone(),
                Session {
                    seq: 0,
                    replay: VecDeque::new(),
                    identify: identify.clone(),
                },
            );
        }
        self.session_id = Some(session_id.clone());
        let shared = self.shared.clone();
        let cfg = &shared.cfg;
        let mut app_flags = 0u64;
        // GATEWAY_PRESENCE, GATEWAY_GUILD_MEMBERS, GATEWAY_MESSAGE_CONTENT (the "enabled in the
        // developer portal" flags) mirror which privileged intents are allowed.
        if cfg.allowed_privileged_intents & intents::GUILD_PRESENCES != 0 {
            app_flags |= 1 << 12;
        }
        if cfg.allowed_privileged_intents & intents::GUILD_MEMBERS != 0 {
            app_flags |= 1 << 14;
        }
        if cfg.allowed_privileged_intents & intents::MESSAGE_CONTENT != 0 {
            app_flags |= 1 << 18;
        }
        let mut user = cfg.bot.to_json();
        user["verified"] = json!(true);
        user["mfa_enabled"] = json!(false);
        user["email"] = Value::Null;
        let ready = json!({
            "v": 10,
            "user": user,
            "guilds": cfg.guilds.iter().map(|g| json!({"id": g.id.to_string(), "unavailable": true})).collect::<Vec<_>>(),
            "session_id": session_id,
            "resume_gateway_url": self.shared.gateway_url(),
            "shard": identify.shard.unwrap_or([0, 1]),
            "application": {"id": cfg.application_id.to_string(), "flags": app_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "user_settings": {},
            "session_type": "normal",
            "geo_ordered_rtc_regions": ["fake"],
        });
        if self.write_dispatch("READY", &ready).await.is_err() {
            return Flow::Stop;
        }
        if cfg.send_guild_create && identify.intents & intents::GUILDS != 0 {
            for g in &cfg.guilds {
                let payload = fixtures::guild_create(g, &cfg.bot).build();
                if self.write_dispatch("GUILD_CREATE", &payload).await.is_err() {
                    return Flow::Stop;
                }
            }
        }
        self.become_current(&session_id, identify.intents);
        Flow::Continue
    }

    async fn on_resume(&mut self, d: &Value) -> Flow {
        let token = d["token"].as_str().unwrap_or_default().to_string();
        if !self.token_ok(&token) {
            let _ = self.close(4004, "Authentication failed.").await;
            return Flow::Stop;
        }
        let session_id = d["session_id"].as_str().unwrap_or_default().to_string();
        let client_seq = d["seq"].as_u64().unwrap_or(0);
        let replay: Option<(Vec<String>, u64)> = {
            let inner = self.shared.gateway.inner.lock().unwrap();
            inner.sessions.get(&session_id).map(|s| {
                let missed = s
                    .replay
                    .iter()
                    .filter(|(seq, _)| *seq > client_seq)
                    .map(|(_, f)| f.clone())
                    .collect();
                (missed, s.identify.intents)
            })
        };
        let Some((missed, session_intents)) = replay else {
            // Unknown session: op 9 with d=false makes the client IDENTIFY afresh.
            let _ = self.send_text(r#"{"op":9,"d":false}"#.to_string()).await;
            return Flow::Continue;
        };
        // The old connection of this session (if still open) is superseded.
        {
            let mut inner = self.shared.gateway.inner.lock().unwrap();
            if inner
                .current
                .as_ref()
                .is_some_and(|c| c.session_id == session_id)
            {
                inner.current = None;
            }
        }
        self.session_id = Some(session_id.clone());
        for frame in missed {
            if self.send_text(frame).await.is_err() {
                return Flow::Stop;
            }
        }
        if self.write_dispatch("RESUMED", &json!({})).await.is_err() {
            return Flow::Stop;
        }
        self.become_current(&session_id, session_intents);
        Flow::Continue
    }

    async fn write_dispatch(&mut self, t: &str, d: &Value) -> Result<u64, axum::Error> {
        let session = self.session_id.clone().unwrap_or_default();
        let (seq, text) = self.shared.gateway.frame(&session, t, d);
        self.send_text(text).await.map(|_| seq)
    }

    fn become_current(&mut self, session_id: &str, intents: u64) {
        let mut inner = self.shared.gateway.inner.lock().unwrap();
        inner.current = Some(ConnHandle {
            conn_id: self.conn_id,
            session_id: session_id.to_string(),
            intents,
            tx: self.tx.clone(),
        });
        self.shared.gateway.ready.send_replace(Some(self.conn_id));
    }
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
