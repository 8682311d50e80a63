//! `[metrics]`: where the bot serves its Prometheus metrics and readiness.

use serde::Deserialize;

/// `[metrics]`: the optional operator endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// `host:port` to serve `/metrics` (Prometheus text) and `/ready` on; unset: no
    /// endpoint. A socket address once loaded.
    pub listen: Option<String>,
}

impl MetricsConfig {
    /// The address to listen on, if one is set (checked when the file was loaded).
    pub fn listen_addr(&self) -> Option<std::net::SocketAddr> {
        self.listen.as_deref().and_then(|a| a.trim().parse().ok())
    }
}
