//! One gateway WebSocket: HELLO, then the client's frames (IDENTIFY, RESUME, heartbeats)
//! and the test's commands (dispatches, RECONNECT, close) until either side closes.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::ready;
use super::registry::{Outgoing, Session};
use super::{Identify, IdentifyPolicy};
use crate::fixtures::{self, intents, Fixture};
use crate::shards;
use crate::util::next_snowflake;
use crate::Shared;

pub(super) struct Connection {
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
    pub(super) fn new(shared: Arc<Shared>, socket: WebSocket) -> Self {
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

    pub(super) async fn run(mut self) {
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
        let shard = shards::parse_shard(d);
        let identify = Identify {
            token: d["token"].as_str().unwrap_or_default().to_string(),
            intents: d["intents"].as_u64().unwrap_or(0),
            shard: shard.ok().flatten(),
            compress: d["compress"].as_bool(),
            raw: d.clone(),
            received_at: Instant::now(),
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
        let shard = match shards::check_shard(shard, self.shared.cfg.shards) {
            Ok(shard) => shard,
            Err((code, reason)) => {
                tracing::warn!(
                    "fake-discord gateway: IDENTIFY with shard {:?} refused ({code} {reason}); the fake runs {} shard(s)",
                    d["shard"],
                    self.shared.cfg.shards
                );
                let _ = self.close(code, reason).await;
                return Flow::Stop;
            }
        };
        let disallowed =
            identify.intents & intents::PRIVILEGED & !self.shared.cfg.allowed_privileged_intents;
        if disallowed != 0 {
            let _ = self.close(4014, "Disallowed intent(s).").await;
            return Flow::Stop;
        }
        if let Err(v) = self
            .shared
            .gateway
            .admit_identify(shard, identify.received_at)
        {
            self.shared.violation(format!(
                "gateway: IDENTIFY for shard {:?} came {:?} after the previous session start in \
                 its bucket {} (max_concurrency {}: one per {:?}); refused with op 9 as Discord does",
                v.shard,
                v.since_previous,
                v.bucket,
                self.shared.cfg.max_concurrency,
                self.shared.cfg.identify_window
            ));
            // Discord answers an IDENTIFY over the limit with Invalid Session (not resumable)
            // and leaves it to the client to identify again later.
            if self
                .send_text(r#"{"op":9,"d":false}"#.to_string())
                .await
                .is_err()
            {
                return Flow::Stop;
            }
            return Flow::Continue;
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
        let guilds: Vec<_> = cfg
            .guilds
            .iter()
            .filter(|g| shards::serves(shard, Some(g.id)))
            .collect();
        let ready = ready::payload(&shared, &session_id, shard, &guilds);
        if self.write_dispatch("READY", &ready).await.is_err() {
            return Flow::Stop;
        }
        if cfg.send_guild_create && identify.intents & intents::GUILDS != 0 {
            for g in guilds {
                let payload = fixtures::guild_create(g, &cfg.bot).build();
                if self.write_dispatch("GUILD_CREATE", &payload).await.is_err() {
                    return Flow::Stop;
                }
            }
        }
        self.become_ready(&session_id, shard, identify.intents);
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
        let replay: Option<(Vec<String>, Identify)> = {
            let inner = self.shared.gateway.inner.lock().unwrap();
            inner.sessions.get(&session_id).map(|s| {
                let missed = s
                    .replay
                    .iter()
                    .filter(|(seq, _)| *seq > client_seq)
                    .map(|(_, f)| f.clone())
                    .collect();
                (missed, s.identify.clone())
            })
        };
        let Some((missed, identify)) = replay else {
            // Unknown session: op 9 with d=false makes the client IDENTIFY afresh.
            let _ = self.send_text(r#"{"op":9,"d":false}"#.to_string()).await;
            return Flow::Continue;
        };
        // The old connection of this session (if still open) is superseded.
        self.shared.gateway.unready(|c| c.session_id == session_id);
        self.session_id = Some(session_id.clone());
        for frame in missed {
            if self.send_text(frame).await.is_err() {
                return Flow::Stop;
            }
        }
        if self.write_dispatch("RESUMED", &json!({})).await.is_err() {
            return Flow::Stop;
        }
        // The shard was checked when the session was identified.
        let shard = identify.shard.unwrap_or([0, 1]);
        self.become_ready(&session_id, shard, identify.intents);
        Flow::Continue
    }

    async fn write_dispatch(&mut self, t: &str, d: &Value) -> Result<u64, axum::Error> {
        let session = self.session_id.clone().unwrap_or_default();
        let (seq, text) = self.shared.gateway.frame(&session, t, d);
        self.send_text(text).await.map(|_| seq)
    }

    fn become_ready(&mut self, session_id: &str, shard: [u64; 2], intents: u64) {
        self.shared
            .gateway
            .became_ready(self.conn_id, session_id, shard, intents, self.tx.clone());
    }
}
