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
