//! The delivery worker: it posts what the session layer committed to the outbox
//! and reports each item posted or dropped.
//!
//! Items are queued per channel (an interview thread) and each channel with
//! items has one task posting them in order, so a thread whose post keeps
//! failing holds back only its own later posts. A passing failure (429, 5xx,
//! 408, no connection) is retried while the bot runs: a 429 waits what Discord
//! asks (a global one pauses every channel), anything else waits with a
//! doubling backoff capped at `[discord] delivery_max_backoff_ms`. A refusal is
//! never retried: 404 (thread gone) and 403 (no permission) drop the thread's
//! queue and close its interview, any other 4xx drops the one post.
//!
//! Items handed over before [`start`] (the start-up flush) wait for it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use reqwest::header::HeaderMap;
use serde_json::Value;
use serenity::all::{ChannelId, EditThread, Http, LightMethod, MessageId, Request, Route};
use tokio::time::Instant;

use super::error::is_transient;
use super::preflight::retry_after;
use super::render::post_messages;
use super::Data;
use crate::session::{Queued, Undeliverable};

/// The first wait after a passing failure; it doubles up to the configured cap.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// One request may take this long before it counts as a passing failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The waits between tries of one request: doubling from a first wait, capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Backoff {
    first: Duration,
    max: Duration,
}

impl Backoff {
    /// Doubling from half a second (or `max`, if smaller) up to `max`.
    pub fn new(max: Duration) -> Backoff {
        Backoff {
            first: FIRST_BACKOFF.min(max),
            max,
        }
    }

    /// The wait after `failures` failures in a row (at least one).
    pub fn after(&self, failures: u32) -> Duration {
        let doublings = 2u32.saturating_pow(failures.saturating_sub(1));
        self.first.saturating_mul(doublings).min(self.max)
    }
}

/// The worker's state, held by [`Data`].
pub(super) struct Delivery {
    backoff: Backoff,
    /// Sends requests itself when serenity's rate limiter is off (an `api_base` is
    /// set), as serenity's errors drop the headers a 429 is read from.
    client: reqwest::Client,
    queues: Mutex<Queues>,
    /// Until when no post may be sent, after a global 429.
    paused_until: Mutex<Option<Instant>>,
}

#[derive(Default)]
struct Queues {
    /// Set by [`start`]; until then items only queue up.
    http: Option<Arc<Http>>,
    /// Items per channel, oldest first. Once started, a channel is here exactly
    /// while its task runs: the task removes it when it has emptied it.
    waiting: HashMap<u64, VecDeque<Queued>>,
    /// The outbox ids in `waiting`, so an item handed twice (the start-up flush and
    /// a live answer) is posted once.
    ids: HashSet<i64>,
    /// Channels where a 403 was already logged.
    refused: HashSet<u64>,
}

/// A poisoned lock still holds consistent data: every change under it is one step.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Delivery {
    /// `client` is the bot's one HTTP client (see `preflight::http_client`).
    pub fn new(max_backoff: Duration, client: reqwest::Client) -> Delivery {
        Delivery {
            backoff: Backoff::new(max_backoff),
            client,
            queues: Mutex::new(Queues::default()),
            paused_until: Mutex::new(None),
        }
    }

    fn pause_all(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = lock(&self.paused_until);
        *paused = Some(paused.map_or(until, |p| p.max(until)));
    }

    async fn wait_unpaused(&self) {
        loop {
            let until = *lock(&self.paused_until);
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }
}

/// Starts delivering, with the items handed over so far.
pub(super) fn start(data: &Data, http: Arc<Http>) {
    let channels: Vec<u64> = {
        let mut queues = lock(&data.delivery.queues);
        queues.http = Some(Arc::clone(&http));
        queues.waiting.keys().copied().collect()
    };
    for channel in channels {
        tokio::spawn(run_channel(Arc::clone(&http), data.clone(), channel));
    }
}

/// Posts committed and handed over but not yet delivered (for the metrics).
pub(super) fn backlog(data: &Data) -> usize {
    lock(&data.delivery.queues).ids.len()
}

/// Queues committed items for delivery, in order; returns at once.
pub(super) fn hand(data: &Data, items: Vec<Queued>) {
    let mut idle = Vec::new();
    let http = {
        let mut queues = lock(&data.delivery.queues);
        for item in items {
            if !queues.ids.insert(item.id.0) {
                continue;
            }
            let queue = queues.waiting.entry(item.channel_id).or_default();
            if queue.is_empty() {
                idle.push(item.channel_id);
            }
            queue.push_back(item);
        }
        queues.http.clone()
    };
    if let Some(http) = http {
        for channel in idle {
            tokio::spawn(run_channel(Arc::clone(&http), data.clone(), channel));
        }
    }
}

/// Posts a channel's items in order until its queue is empty.
async fn run_channel(http: Arc<Http>, data: Data, channel: u64) {
    loop {
        let item = {
            let queues = lock(&data.delivery.queues);
            match queues.waiting.get(&channel).and_then(VecDeque::front) {
                Some(item) => item.clone(),
                None => return,
            }
        };
        let dropped = deliver_item(&http, &data, &item).await;
        // The item is done (posted or dropped); after a refusal of the whole
        // thread, so is everything queued behind it.
        let (rest, more) = {
            let mut queues = lock(&data.delivery.queues);
            let Some(queue) = queues.waiting.get_mut(&channel) else {
                return;
            };
            queue.pop_front();
            let rest: Vec<Queued> = match dropped {
                Some(Undeliverable::ThreadGone | Undeliverable::NoPermission) => {
                    queue.drain(..).collect()
                }
                _ => Vec::new(),
            };
            let more = !queue.is_empty();
            if !more {
                queues.waiting.remove(&channel);
            }
            queues.ids.remove(&item.id.0);
            for r in &rest {
                queues.ids.remove(&r.id.0);
            }
            (rest, more)
        };
        if let Some(why) = dropped {
            for item in std::iter::once(&item).chain(&rest) {
                if let Err(e) = data.interviews.undeliverable(item, why).await {
                    tracing::warn!(outbox = item.id.0, error = %e, "could not drop an undeliverable post");
                }
            }
        }
        if !more {
            return;
        }
    }
}

/// Posts one item (its messages, then the archiving it asks for) and records it
/// posted; returns why it was dropped instead, if it was.
async fn deliver_item(http: &Http, data: &Data, item: &Queued) -> Option<Undeliverable> {
    let channel_id = ChannelId::new(item.channel_id);
    let mut last_id = 0;
    for message in post_messages(&item.post, item.id.0) {
        let request = Request::new(Route::ChannelMessages { channel_id }, LightMethod::Post);
        let reply = match send(http, &data.delivery, request, &message, item.channel_id).await {
            Ok(reply) => reply,
            Err(refusal) => return Some(dropped(data, item, &refusal)),
        };
        last_id = posted_id(&reply);
    }
    data.interviews.delivered(item, last_id);
    if item.post.archive {
        // Archived, not locked: the member can still scroll and reopen it.
        let request = Request::new(Route::Channel { channel_id }, LightMethod::Patch);
        let archive = EditThread::new().archived(true);
        if let Err(r) = send(http, &data.delivery, request, &archive, item.channel_id).await {
            tracing::warn!(channel = item.channel_id, status = r.status, code = ?r.code, "could not archive a finished interview's thread: {}", r.message);
        }
    }
    None
}

/// The id Discord gave a posted message. Only the id is decoded (not the whole
/// message, which the bot's CPU profile had at over a quarter of the posting cost);
/// an answer without one still means it was posted.
fn posted_id(reply: &[u8]) -> u64 {
    #[derive(serde::Deserialize)]
    struct Posted {
        id: MessageId,
    }
    serde_json::from_slice::<Posted>(reply).map_or(0, |p| p.id.get())
}

/// What a refusal means for the item, logged for the operator.
fn dropped(data: &Data, item: &Queued, refusal: &Refusal) -> Undeliverable {
    let (status, code, channel) = (refusal.status, refusal.code, item.channel_id);
    match status {
        404 => {
            tracing::info!(
                channel,
                "an interview thread is gone; closing its interview"
            );
            Undeliverable::ThreadGone
        }
        403 => {
            if lock(&data.delivery.queues).refused.insert(channel) {
                tracing::warn!(channel, ?code, "no permission to post in an interview thread; closing its interview and dropping its posts: {}", refusal.message);
            }
            Undeliverable::NoPermission
        }
        _ => {
            tracing::warn!(
                channel,
                outbox = item.id.0,
                status,
                ?code,
                "Discord refused a post; dropped, not retried: {}",
                refusal.message
            );
            Undeliverable::Refused
        }
    }
}

/// Discord's refusal of a request: its status, JSON error code and message.
#[derive(Debug, PartialEq)]
struct Refusal {
    status: u16,
    code: Option<i64>,
    message: String,
}

/// One answer, sorted.
#[derive(Debug, PartialEq)]
enum Answer {
    Done(Vec<u8>),
    /// Worth trying again: after `wait` if Discord said how long, from every
    /// channel if `global`.
    Passing {
        why: String,
        wait: Option<Duration>,
        global: bool,
    },
    Refused(Refusal),
}

/// Sends `body` until Discord takes it or refuses it, waiting between tries.
async fn send(
    http: &Http,
    delivery: &Delivery,
    request: Request<'_>,
    body: &impl serde::Serialize,
    channel: u64,
) -> Result<Vec<u8>, Refusal> {
    let body = serde_json::to_vec(body).map_err(|e| Refusal {
        status: 0,
        code: None,
        message: format!("cannot encode the request: {e}"),
    })?;
    let request = request.body(Some(body));
    let mut failures = 0u32;
    loop {
        delivery.wait_unpaused().await;
        let (why, wait, global) = match send_once(http, &delivery.client, request.clone()).await {
            Answer::Done(reply) => {
                if failures > 0 {
                    tracing::info!(channel, tries = failures + 1, "delivered after retrying");
                }
                return Ok(reply);
            }
            Answer::Refused(refusal) => return Err(refusal),
            Answer::Passing { why, wait, global } => (why, wait, global),
        };
        failures = failures.saturating_add(1);
        let wait = wait.unwrap_or_else(|| delivery.backoff.after(failures));
        if global {
            delivery.pause_all(wait);
        }
        // Once per request at warning level: a long outage must not flood the log.
        if failures == 1 {
            tracing::warn!(
                channel,
                global,
                "posting failed ({why}); retrying in {:.1} s, and on until it is delivered",
                wait.as_secs_f64()
            );
        } else {
            tracing::debug!(
                channel,
                failures,
                "posting failed ({why}); retrying in {:.1} s",
                wait.as_secs_f64()
            );
        }
        tokio::time::sleep(wait).await;
    }
}

/// One try. Through serenity's rate limiter when it is on (it waits out buckets and
/// 429s itself), else straight to the configured base.
async fn send_once(http: &Http, client: &reqwest::Client, request: Request<'_>) -> Answer {
    let sent = match &http.ratelimiter {
        Some(limiter) => limiter.perform(request).await,
        None => match request.build(client, http.token(), http.proxy.as_deref()) {
            Ok(built) => built
                .timeout(REQUEST_TIMEOUT)
                .send()
                .await
                .map_err(serenity::Error::from),
            Err(e) => Err(e),
        },
    };
    let response = match sent {
        Ok(response) => response,
        Err(e) if is_transient(&e) => {
            return Answer::Passing {
                why: e.to_string(),
                wait: None,
                global: false,
            }
        }
        Err(e) => {
            return Answer::Refused(Refusal {
                status: 0,
                code: None,
                message: e.to_string(),
            })
        }
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(body) => sort(status, &headers, &body),
        Err(e) => Answer::Passing {
            why: format!("the answer broke off: {e}"),
            wait: None,
            global: false,
        },
    }
}

/// Sorts Discord's answer by its status, headers and body.
fn sort(status: u16, headers: &HeaderMap, body: &[u8]) -> Answer {
    if (200..300).contains(&status) {
        return Answer::Done(body.to_vec());
    }
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if status == 429 {
        let global = headers.contains_key("x-ratelimit-global") || json["global"] == true;
        return Answer::Passing {
            why: format!("rate-limited (429{})", if global { ", global" } else { "" }),
            wait: retry_after(headers, &json),
            global,
        };
    }
    if status >= 500 || status == 408 {
        return Answer::Passing {
            why: format!("Discord answered {status}"),
            wait: None,
            global: false,
        };
    }
    Answer::Refused(Refusal {
        status,
        code: json["code"].as_i64(),
        message: json["message"].as_str().unwrap_or_default().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_backoff_doubles_from_half_a_second_up_to_the_cap() {
        let backoff = Backoff::new(Duration::from_secs(5));
        let waits: Vec<u64> = (1..=6)
            .map(|n| backoff.after(n).as_millis() as u64)
            .collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 5000, 5000]);
        // Far along, nothing overflows.
        assert_eq!(backoff.after(u32::MAX), Duration::from_secs(5));
        assert_eq!(backoff.after(0), Duration::from_millis(500));
        // A cap below the first wait is the only wait.
        let quick = Backoff::new(Duration::from_millis(200));
        assert_eq!(quick.after(1), Duration::from_millis(200));
        assert_eq!(quick.after(9), Duration::from_millis(200));
    }

    #[test]
    fn answers_are_sorted_into_done_passing_and_refused() {
        let none = HeaderMap::new();
        assert_eq!(sort(200, &none, b"{}"), Answer::Done(b"{}".to_vec()));
        for status in [500, 502, 503, 408] {
            assert!(
                matches!(
                    sort(status, &none, b""),
                    Answer::Passing {
                        wait: None,
                        global: false,
                        ..
                    }
                ),
                "{status}"
            );
        }
        let refused = sort(
            400,
            &none,
            br#"{"code": 50035, "message": "Invalid Form Body"}"#,
        );
        assert_eq!(
            refused,
            Answer::Refused(Refusal {
                status: 400,
                code: Some(50035),
                message: "Invalid Form Body".into()
            })
        );
        assert!(matches!(sort(403, &none, b"not json"), Answer::Refused(r) if r.status == 403));
    }

    #[test]
    fn a_429_waits_what_it_asks_and_a_global_one_says_so() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("0.3"));
        let body = br#"{"retry_after": 0.3, "global": false}"#;
        assert_eq!(
            sort(429, &headers, body),
            Answer::Passing {
                why: "rate-limited (429)".into(),
                wait: Some(Duration::from_millis(300)),
                global: false
            }
        );
        let body = br#"{"retry_after": 1.5, "global": true}"#;
        assert!(matches!(
            sort(429, &HeaderMap::new(), body),
            Answer::Passing { global: true, wait: Some(w), .. } if w == Duration::from_millis(1500)
        ));
        headers.insert("x-ratelimit-global", HeaderValue::from_static("true"));
        assert!(matches!(
            sort(429, &headers, b""),
            Answer::Passing { global: true, .. }
        ));
        // No wait given: the backoff decides.
        assert!(matches!(
            sort(429, &HeaderMap::new(), b""),
            Answer::Passing { wait: None, .. }
        ));
    }

    #[tokio::test]
    async fn a_global_pause_holds_every_post_until_it_ends() {
        let delivery = Delivery::new(Duration::from_secs(1), reqwest::Client::new());
        let started = Instant::now();
        delivery.wait_unpaused().await;
        assert!(started.elapsed() < Duration::from_millis(50));
        delivery.pause_all(Duration::from_millis(120));
        // A shorter pause does not cut a longer one short.
        delivery.pause_all(Duration::from_millis(10));
        delivery.wait_unpaused().await;
        assert!(started.elapsed() >= Duration::from_millis(120));
    }
}
