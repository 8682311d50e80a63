//! The operator endpoint, served when `[metrics] listen` is set: `GET /metrics` in
//! Prometheus text format and `GET /ready` (200 once the bot is connected to the gateway
//! and has finished its start-up work, 503 otherwise).
//!
//! The numbers are kept by the `metrics` facade and rendered by
//! `metrics-exporter-prometheus` (its push gateway and own listener left out); the few
//! lines of HTTP are axum's. Metric names, all prefixed `interview_coach_`:
//!
//! - `commands_total{command}` and `command_seconds{command}`: slash commands handled
//!   and how long each took (including failures).
//! - `buttons_total{kind}`: button presses and form submissions.
//! - `open_interviews`, `outbox_backlog`: mock interviews open in this process, and posts
//!   committed but not yet delivered.
//! - `store_errors_total`, `guide_reloads_total{outcome}`, `shards_connected`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Whether the bot is ready to serve: connected and past its start-up work.
#[derive(Debug, Default)]
pub struct Readiness {
    started: AtomicBool,
    connected: AtomicBool,
}

impl Readiness {
    pub fn started(&self) {
        self.started.store(true, Ordering::Relaxed);
    }

    pub fn connected(&self, up: bool) {
        self.connected.store(up, Ordering::Relaxed);
    }

    fn is_ready(&self) -> bool {
        self.started.load(Ordering::Relaxed) && self.connected.load(Ordering::Relaxed)
    }
}

/// Installs the process-wide recorder and serves it on `addr`. Fails (with what to tell
/// the operator) when the address cannot be bound.
pub async fn serve(addr: SocketAddr, readiness: Arc<Readiness>) -> Result<(), String> {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| format!("cannot set up the metrics: {e}"))?;
    describe();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} for `[metrics] listen`: {e}"))?;
    tracing::info!(%addr, "serving /metrics and /ready");
    let app = router(handle, readiness);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics endpoint stopped");
        }
    });
    Ok(())
}

/// Gives every metric its help text and shows the counters and gauges from the first
/// scrape, at zero, so a rate over them is defined before anything happened.
fn describe() {
    use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge};
    describe_counter!(
        "interview_coach_commands_total",
        "Slash commands handled, by command."
    );
    describe_histogram!(
        "interview_coach_command_seconds",
        metrics::Unit::Seconds,
        "How long each slash command took, failures included."
    );
    describe_counter!(
        "interview_coach_buttons_total",
        "Button presses and form submissions, by kind."
    );
    describe_gauge!(
        "interview_coach_open_interviews",
        "Mock interviews open in this process's servers."
    );
    describe_gauge!(
        "interview_coach_outbox_backlog",
        "Posts committed but not yet delivered to Discord."
    );
    describe_counter!(
        "interview_coach_store_errors_total",
        "Store calls that failed (busy, unreachable, refused)."
    );
    describe_counter!(
        "interview_coach_guide_reloads_total",
        "Guide reloads: done or refused here, followed or follow_refused from another process."
    );
    describe_gauge!(
        "interview_coach_shards_connected",
        "Gateway shards of this process that are connected."
    );
    counter!("interview_coach_store_errors_total").increment(0);
    for outcome in ["done", "refused", "followed", "follow_refused"] {
        counter!("interview_coach_guide_reloads_total", "outcome" => outcome).increment(0);
    }
    gauge!("interview_coach_open_interviews").increment(0.0);
    gauge!("interview_coach_outbox_backlog").increment(0.0);
    gauge!("interview_coach_shards_connected").increment(0.0);
}

fn router(handle: PrometheusHandle, readiness: Arc<Readiness>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                async move { handle.render() }
            }),
        )
        .route(
            "/ready",
            get(move || {
                let ready = readiness.is_ready();
                async move {
                    if ready {
                        (StatusCode::OK, "ready\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                    }
                }
            }),
        )
}
