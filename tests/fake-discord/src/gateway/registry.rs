//! The gateway's sessions: which one is ready, what each was sent (for RESUME), every
//! IDENTIFY and client frame, and handing each dispatch to the connection serving its
//! shard.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

use super::{GatewayError, Identify, IdentifyPolicy};
use crate::builder::Config;
use crate::shards::{self, IdentifyLimit, IdentifyViolation};

/// How many dispatches per session are kept for replay on RESUME.
const REPLAY_LIMIT: usize = 2000;

pub(super) enum Outgoing {
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

/// A ready connection: the one serving a shard.
pub(super) struct ConnHandle {
    pub conn_id: u64,
    pub session_id: String,
    /// `[shard_id, num_shards]` the session identified with.
    pub shard: [u64; 2],
    pub intents: u64,
    pub tx: mpsc::UnboundedSender<Outgoing>,
    /// Increases with each session that becomes ready: the highest is the latest.
    pub ready_order: u64,
}

pub(super) struct Session {
    pub seq: u64,
    pub replay: VecDeque<(u64, String)>,
    pub identify: Identify,
}

pub(super) struct Inner {
    pub policy: IdentifyPolicy,
    /// The ready connections, at most one per shard id: a newer session for a shard (a
    /// reconnect, a restarted bot) takes the shard's traffic over.
    pub current: Vec<ConnHandle>,
    pub sessions: HashMap<String, Session>,
    pub identifies: Vec<Identify>,
    pub frames: Vec<Value>,
    pub next_conn: u64,
    pub ready_order: u64,
    pub limit: IdentifyLimit,
}

impl Inner {
    fn identify_of(&self, c: &ConnHandle) -> Option<Identify> {
        self.sessions.get(&c.session_id).map(|s| s.identify.clone())
    }

    fn latest(&self) -> Option<&ConnHandle> {
        self.current.iter().max_by_key(|c| c.ready_order)
    }
}

/// The ready connection a dispatch goes to, with what its session asked for.
pub(crate) struct Target {
    pub intents: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl Target {
    /// Hands a dispatch to the connection without waiting; the receiver gets its sequence
    /// number and write time. Dispatches queued one after another to the same shard are
    /// written in order.
    pub fn queue(
        &self,
        t: &str,
        d: Value,
    ) -> Result<oneshot::Receiver<(u64, Instant)>, GatewayError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Outgoing::Dispatch {
                t: t.to_string(),
                d,
                ack: Some(ack),
            })
            .map_err(|_| GatewayError::ConnectionClosed)?;
        Ok(done)
    }

    fn send_nowait(&self, t: &str, d: Value) {
        let _ = self.tx.send(Outgoing::Dispatch {
            t: t.to_string(),
            d,
            ack: None,
        });
    }
}

pub(crate) struct Gateway {
    pub(super) inner: Mutex<Inner>,
    /// Woken whenever a frame from the client is recorded.
    pub(super) frames_notify: tokio::sync::Notify,
    /// The `[shard_id, num_shards]` of every ready session, by shard id.
    pub(super) ready: watch::Sender<Vec<[u64; 2]>>,
}

impl Gateway {
    pub fn new(cfg: &Config) -> Self {
        Gateway {
            inner: Mutex::new(Inner {
                policy: cfg.identify_policy.clone(),
                current: Vec::new(),
                sessions: HashMap::new(),
                identifies: Vec::new(),
                frames: Vec::new(),
                next_conn: 1,
                ready_order: 0,
                limit: IdentifyLimit::new(
                    cfg.identify_limit_enforced(),
                    cfg.max_concurrency,
                    cfg.identify_window,
                ),
            }),
            ready: watch::channel(Vec::new()).0,
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

    /// Waits until some session is ready; returns the IDENTIFY of the latest one.
    pub async fn wait_ready(&self, timeout: Duration) -> Option<Identify> {
        let mut rx = self.ready.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|r| !r.is_empty()))
            .await
            .ok()?
            .ok()?;
        let inner = self.inner.lock().unwrap();
        inner.identify_of(inner.latest()?)
    }

    /// Waits until a session for `shard_id` is ready; returns its IDENTIFY.
    pub async fn wait_ready_shard(&self, shard_id: u64, timeout: Duration) -> Option<Identify> {
        let mut rx = self.ready.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|r| r.iter().any(|s| s[0] == shard_id)))
            .await
            .ok()?
            .ok()?;
        let inner = self.inner.lock().unwrap();
        let c = inner.current.iter().find(|c| c.shard[0] == shard_id)?;
        inner.identify_of(c)
    }

    pub fn is_ready(&self) -> bool {
        !self.ready.borrow().is_empty()
    }

    /// `[shard_id, num_shards]` of every ready session, by shard id.
    pub fn ready_shards(&self) -> Vec<[u64; 2]> {
        self.ready.borrow().clone()
    }

    pub fn describe(&self) -> String {
        let inner = self.inner.lock().unwrap();
        let ready = if inner.current.is_empty() {
            "none".to_string()
        } else {
            inner
                .current
                .iter()
                .map(|c| format!("{} (shard {:?})", c.session_id, c.shard))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{} connection(s) opened, {} IDENTIFY, {} frame(s) received, ready session(s): {ready}",
            inner.next_conn - 1,
            inner.identifies.len(),
            inner.frames.len(),
        )
    }

    /// The IDENTIFY of the latest ready session, else the last one received.
    pub fn last_identify(&self) -> Option<Identify> {
        let inner = self.inner.lock().unwrap();
        if let Some(identify) = inner.latest().and_then(|c| inner.identify_of(c)) {
            return Some(identify);
        }
        inner.identifies.last().cloned()
    }

    pub fn identifies(&self) -> Vec<Identify> {
        self.inner.lock().unwrap().identifies.clone()
    }

    pub fn identify_violations(&self) -> Vec<IdentifyViolation> {
        self.inner.lock().unwrap().limit.violations()
    }

    /// How many sessions were started so far (for `session_start_limit.remaining`).
    pub fn sessions_started(&self) -> u64 {
        self.inner.lock().unwrap().limit.started()
    }

    pub fn frames(&self) -> Vec<Value> {
        self.inner.lock().unwrap().frames.clone()
    }

    pub fn set_policy(&self, policy: IdentifyPolicy) {
        self.inner.lock().unwrap().policy = policy;
    }

    /// The connection that gets a dispatch: the ready session whose shard serves the event's
    /// guild, or shard 0 for events without one (see [`crate::shards`]).
    pub fn route(&self, t: &str, d: &Value) -> Result<Target, GatewayError> {
        let guild = shards::guild_of_event(t, d);
        let inner = self.inner.lock().unwrap();
        let Some(any) = inner.current.first() else {
            return Err(GatewayError::NotConnected);
        };
        inner
            .current
            .iter()
            .filter(|c| shards::serves(c.shard, guild))
            .max_by_key(|c| c.ready_order)
            .map(|c| Target {
                intents: c.intents,
                tx: c.tx.clone(),
            })
            .ok_or_else(|| GatewayError::ShardNotConnected {
                shard: guild.map_or(0, |g| shards::shard_of_guild(g, any.shard[1])),
                guild,
            })
    }

    /// Sends the event Discord would send about the bot's own action, to the session of its
    /// shard, if that session's intents subscribe to it; fire and forget.
    pub fn echo(&self, t: &str, d: Value, needed_intent: u64) {
        if let Ok(target) = self.route(t, &d) {
            if target.intents & needed_intent != 0 {
                target.send_nowait(t, d);
            }
        }
    }

    /// The command channels of the ready connections, `shard_id` only or all of them.
    fn ready_txs(
        &self,
        shard_id: Option<u64>,
    ) -> Result<Vec<mpsc::UnboundedSender<Outgoing>>, GatewayError> {
        let inner = self.inner.lock().unwrap();
        let txs: Vec<_> = inner
            .current
            .iter()
            .filter(|c| shard_id.is_none_or(|id| c.shard[0] == id))
            .map(|c| c.tx.clone())
            .collect();
        match (txs.is_empty(), shard_id) {
            (false, _) => Ok(txs),
            (true, Some(shard)) if !inner.current.is_empty() => {
                Err(GatewayError::ShardNotConnected { shard, guild: None })
            }
            (true, _) => Err(GatewayError::NotConnected),
        }
    }

    /// Sends op 7 to one shard's connection (`Some(id)`) or every ready one, and waits until
    /// they are out.
    pub async fn reconnect(&self, shard_id: Option<u64>) -> Result<(), GatewayError> {
        for tx in self.ready_txs(shard_id)? {
            let (ack, done) = oneshot::channel();
            tx.send(Outgoing::Reconnect { ack })
                .map_err(|_| GatewayError::ConnectionClosed)?;
            done.await.map_err(|_| GatewayError::ConnectionClosed)?;
        }
        Ok(())
    }

    /// Closes one shard's connection (`Some(id)`) or every ready one with `code`.
    pub async fn close(&self, shard_id: Option<u64>, code: u16) -> Result<(), GatewayError> {
        for tx in self.ready_txs(shard_id)? {
            let (ack, done) = oneshot::channel();
            tx.send(Outgoing::Close { code, ack })
                .map_err(|_| GatewayError::ConnectionClosed)?;
            done.await.map_err(|_| GatewayError::ConnectionClosed)?;
        }
        Ok(())
    }

    /// Reserves the next sequence number of a session and builds the frame, keeping it for
    /// replay.
    pub(super) fn frame(&self, session_id: &str, t: &str, d: &Value) -> (u64, String) {
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

    /// Lets a session start for `shard` under the IDENTIFY rate limit, or records and
    /// returns the violation.
    pub(super) fn admit_identify(
        &self,
        shard: [u64; 2],
        at: Instant,
    ) -> Result<(), IdentifyViolation> {
        self.inner.lock().unwrap().limit.admit(shard, at)
    }

    /// Makes a connection the one serving its session's shard.
    pub(super) fn became_ready(
        &self,
        conn_id: u64,
        session_id: &str,
        shard: [u64; 2],
        intents: u64,
        tx: mpsc::UnboundedSender<Outgoing>,
    ) {
        let mut inner = self.inner.lock().unwrap();
        inner.ready_order += 1;
        let ready_order = inner.ready_order;
        inner.current.retain(|c| c.shard[0] != shard[0]);
        inner.current.push(ConnHandle {
            conn_id,
            session_id: session_id.to_string(),
            shard,
            intents,
            tx,
            ready_order,
        });
        self.publish_ready(&mut inner);
    }

    /// A connection stopped serving (closed, sent RECONNECT, or superseded by a RESUME of
    /// its session).
    pub(super) fn unready(&self, which: impl Fn(&ConnHandle) -> bool) {
        let mut inner = self.inner.lock().unwrap();
        let before = inner.current.len();
        inner.current.retain(|c| !which(c));
        if inner.current.len() != before {
            self.publish_ready(&mut inner);
        }
    }

    pub(super) fn disconnected(&self, conn_id: u64) {
        self.unready(|c| c.conn_id == conn_id);
    }

    fn publish_ready(&self, inner: &mut Inner) {
        inner.current.sort_by_key(|c| c.shard[0]);
        self.ready
            .send_replace(inner.current.iter().map(|c| c.shard).collect());
    }
}
