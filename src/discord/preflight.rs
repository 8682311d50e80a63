//! Start-up requests to Discord's REST API, made before the gateway is touched:
//! the gateway's address, the application's id (which also checks the token) and
//! the slash-command registration.
//!
//! They go to the configured `api_base` (else `https://discord.com`) and nowhere
//! else: no system proxy, and the gateway address comes from that base's
//! `GET /gateway` — serenity's own fallback to Discord's public gateway is never
//! used (see `startup`). Answers are sorted into three kinds:
//! - success;
//! - transient (5xx, 429, no connection, timeout): retried with backoff —
//!   honouring a 429's `Retry-After` — until [`Rest::window`] has passed;
//! - refused (any other 4xx): fatal at once, with Discord's status and message.

use std::time::Duration;

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use super::startup::RunError;
use crate::config::Secret;

/// Discord's API, as serenity addresses it.
const DISCORD: &str = "https://discord.com";
const API: &str = "/api/v10";
/// The first wait after a transient failure; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// One request may take this long (less if the window ends sooner).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A start-up client for one API base and token.
pub(super) struct Rest {
    client: reqwest::Client,
    base: String,
    authorization: String,
    /// How long transient failures of one request are retried.
    window: Duration,
}

/// Why a start-up request did not succeed.
#[derive(Debug)]
pub(super) enum Failed {
    /// A 4xx other than 429: Discord's status, JSON error code and message.
    Refused {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// Still failing transiently when the window ran out; the last failure.
    GaveUp { last: String, after: Duration },
}

/// One answer, sorted.
enum Answer {
    Ok(Value),
    Transient { why: String, wait: Option<Duration> },
    Refused(Failed),
}

/// The one HTTP client every request of the bot goes through: the start-up
/// requests here, serenity's and the delivery worker's share its connections.
/// It takes no proxy from the environment: the token goes to the configured
/// base only.
pub(super) fn http_client() -> Result<reqwest::Client, RunError> {
    reqwest::Client::builder()
        .no_proxy()
        .user_agent(concat!(
            "DiscordBot (https://github.com/interview-coach, ",
            env!("CARGO_PKG_VERSION"),
            ")"
        ))
        .build()
        .map_err(|e| RunError::Start(format!("cannot set up HTTP: {e}")))
}

impl Rest {
    pub fn new(
        client: reqwest::Client,
        api_base: Option<&str>,
        token: &Secret,
        window: Duration,
    ) -> Rest {
        let token = token.expose();
        let authorization = if token.starts_with("Bot ") {
            token.to_string()
        } else {
            format!("Bot {token}")
        };
        Rest {
            client,
            base: api_base
                .unwrap_or(DISCORD)
                .trim_end_matches('/')
                .to_string(),
            authorization,
            window,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// `GET /gateway`: the WebSocket address to connect to.
    pub async fn gateway_url(&self) -> Result<String, Failed> {
        let answer = self
            .call(
                Method::GET,
                "/gateway",
                None,
                "fetching the gateway address",
            )
            .await?;
        match answer["url"].as_str() {
            Some(url) if url.starts_with("ws://") || url.starts_with("wss://") => {
                Ok(url.to_string())
            }
            _ => Err(Failed::GaveUp {
                last: format!("`GET {API}/gateway` answered without a ws:// or wss:// `url`"),
                after: Duration::ZERO,
            }),
        }
    }

    /// `GET /oauth2/applications/@me`: the application's id.
    pub async fn application_id(&self) -> Result<u64, Failed> {
        let answer = self
            .call(
                Method::GET,
                "/oauth2/applications/@me",
                None,
                "reading the application",
            )
            .await?;
        answer["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| Failed::GaveUp {
                last: "the application has no id in Discord's answer".into(),
                after: Duration::ZERO,
            })
    }

    /// Bulk-overwrites the slash commands, in one server or globally.
    pub async fn register(
        &self,
        application: u64,
        guild: Option<u64>,
        commands: &Value,
    ) -> Result<(), Failed> {
        let path = match guild {
            Some(g) => format!("/applications/{application}/guilds/{g}/commands"),
            None => format!("/applications/{application}/commands"),
        };
        self.call(
            Method::PUT,
            &path,
            Some(commands),
            "registering the slash commands",
        )
        .await
        .map(drop)
    }

    /// One request, retried while it fails transiently and the window lasts.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Value, Failed> {
        let started = Instant::now();
        let deadline = started + self.window;
        let mut backoff = FIRST_BACKOFF;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let timeout = REQUEST_TIMEOUT.min(left).max(Duration::from_millis(500));
            let (why, wait) = match self.once(method.clone(), path, body, timeout).await {
                Answer::Ok(value) => return Ok(value),
                Answer::Refused(failed) => return Err(failed),
                Answer::Transient { why, wait } => (why, wait),
            };
            let wait = wait.unwrap_or(backoff);
            backoff = (backoff * 2).min(MAX_BACKOFF);
            let now = Instant::now();
            if now + wait > deadline {
                return Err(Failed::GaveUp {
                    last: why,
                    after: now - started,
                });
            }
            tracing::warn!(
                "{what}: {why}; retrying in {:.1} s (giving up after {} s)",
                wait.as_secs_f64(),
                self.window.as_secs()
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Answer {
        let url = format!("{}{API}{path}", self.base);
        let mut request = self
            .client
            .request(method.clone(), &url)
            .header(AUTHORIZATION, &self.authorization)
            .timeout(timeout);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let route = format!("{method} {API}{path}");
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let why = if e.is_timeout() {
                    format!(
                        "no answer from {} within {} s",
                        self.base,
                        timeout.as_secs_f64()
                    )
                } else {
                    format!("cannot reach {}: {}", self.base, root_cause(&e))
                };
                return Answer::Transient { why, wait: None };
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Answer::Ok(json);
        }
        let message = json["message"].as_str().unwrap_or("").to_string();
        if status == 429 {
            return Answer::Transient {
                why: format!("{route} was rate-limited (429)"),
                wait: Some(retry_after(&headers, &json).unwrap_or(FIRST_BACKOFF)),
            };
        }
        if status >= 500 || status == 408 {
            return Answer::Transient {
                why: format!("{route} answered {status}"),
                wait: None,
            };
        }
        Answer::Refused(Failed::Refused {
            status,
            code: json["code"].as_i64(),
            message: if message.is_empty() {
                format!("{route} answered {status}")
            } else {
                message
            },
        })
    }
}

/// How long a 429 asks to wait: the longer of the `Retry-After` header (whole
/// seconds) and the body's `retry_after` (fractional), at most an hour; `None`
/// when it says nothing usable. Delivery (`delivery`) reads its 429s with it too.
pub(super) fn retry_after(headers: &HeaderMap, body: &Value) -> Option<Duration> {
    let header = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok());
    let body = body["retry_after"].as_f64();
    let seconds = header.into_iter().chain(body).fold(0.0_f64, f64::max);
    (seconds.is_finite() && seconds > 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// The innermost error's text (reqwest's own says only "error sending request").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = e;
    while let Some(source) = inner.source() {
        inner = source;
    }
    inner.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    #[test]
    fn retry_after_takes_the_longer_of_header_and_body() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        let body = json!({"retry_after": 1.5});
        assert_eq!(retry_after(&headers, &body), Some(Duration::from_secs(2)));
        assert_eq!(
            retry_after(&HeaderMap::new(), &body),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(retry_after(&HeaderMap::new(), &Value::Null), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("nonsense"));
        assert_eq!(retry_after(&headers, &Value::Null), None);
    }

    #[test]
    fn the_token_is_sent_as_a_bot_token_once() {
        let window = Duration::from_secs(1);
        let rest = Rest::new(reqwest::Client::new(), None, &Secret::new("abc"), window);
        assert_eq!(rest.authorization, "Bot abc");
        assert_eq!(rest.base(), DISCORD);
        let rest = Rest::new(
            reqwest::Client::new(),
            Some("http://127.0.0.1:9/"),
            &Secret::new("Bot abc"),
            window,
        );
        assert_eq!(rest.authorization, "Bot abc");
        assert_eq!(rest.base(), "http://127.0.0.1:9");
    }

    #[tokio::test]
    async fn a_closed_port_is_retried_until_the_window_ends() {
        // Port 9 (discard) on loopback: nothing listens there in a test sandbox.
        let window = Duration::from_millis(1200);
        let rest = Rest::new(
            reqwest::Client::new(),
            Some("http://127.0.0.1:9"),
            &Secret::new("t"),
            window,
        );
        let started = std::time::Instant::now();
        match rest.gateway_url().await {
            Err(Failed::GaveUp { last, .. }) => assert!(last.contains("cannot reach"), "{last}"),
            other => panic!("expected GaveUp, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
