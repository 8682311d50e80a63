//! TLS for connections whose URL asks for it (`sslmode=prefer`, the default, or
//! `require`): rustls with the Mozilla roots that `webpki-roots` bundles, so the bot reads
//! no system certificate store and builds no C.

use std::sync::Arc;

use tokio_postgres_rustls::MakeRustlsConnect;

/// The connector for TLS connections.
pub(super) fn connector() -> MakeRustlsConnect {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        // ring supports every default protocol version; this cannot fail.
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    MakeRustlsConnect::new(config)
}
