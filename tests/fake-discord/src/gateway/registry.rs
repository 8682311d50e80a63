//! The gateway's sessions: which one is ready, what each was sent (for RESUME), every
//! IDENTIFY and client frame, and handing dispatches to the ready connection.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

use super::{GatewayError, Identify, IdentifyPolicy};

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

pub(super) struct ConnHandle {
    pub conn_id: u64,
    pub session_id: String,
    pub intents: u64,
    pub tx: mpsc::UnboundedSender<Outgoing>,
}

pub(super) struct Session {
    pub seq: u64,
    pub replay: VecDeque<(u64, String)>,
    pub identify: Identify,
}

pub(super) struct Inner {
    pub policy: IdentifyPolicy,
    pub current: Option<ConnHandle>,
    pub sessions: HashMap<String, Session>,
    pub identifies: Vec<Identify>,
    pub frames: Vec<Value>,
    pub next_conn: u64,
}

pub(crate) struct Gateway {
    pub(super) inner: Mutex<Inner>,
    /// Woken whenever a frame from the client is recorded.
    pub(super) frames_notify: tokio::sync::Notify,
    /// The connection id of the ready session, if any.
    pub(super) ready: watch::Sender<Option<u64>>,
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

    pub(super) fn disconnected(&self, conn_id: u64) {
        let mut inner = self.inner.lock().unwrap();
        if inner.current.as_ref().is_some_and(|c| c.conn_id == conn_id) {
            inner.current = None;
            self.ready.send_replace(None);
        }
    }
}
