//! What the example servers share at start-up: logging to stderr, the demo server's development
//! policy, refusing an invalid CORS configuration with every problem before listening, and
//! listening on `127.0.0.1:$PORT`. The end-to-end benchmark's server includes it too, so that it
//! serves the demo's policy.

#![allow(clippy::print_stderr, dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpListener;
use tower_cors::{ConfigErrors, CorsConfig, CorsLayer};

/// Logs to stderr (the layer logs every refusal, with its hint, at `debug`), honouring
/// `RUST_LOG`.
pub(crate) fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_cors=debug".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// The demo server's policy when no `CORS_*` variable is set: local frontends on any port, with
/// credentials (loopback origins may use plain http).
pub(crate) fn development_policy() -> CorsConfig {
    CorsLayer::builder()
        .allow_origins(["http://localhost:*", "http://127.0.0.1:*"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id", "retry-after"])
        .max_age(Duration::from_secs(600))
        // Development: refused preflights say which allowed origin was nearly matched, and how.
        .debug(true)
        .config()
        .clone()
}

/// The layer, or every problem on stderr, one per line, and exit status 1.
pub(crate) fn layer_or_exit(loaded: Result<CorsLayer, ConfigErrors>) -> CorsLayer {
    loaded.unwrap_or_else(|errors| {
        eprintln!("invalid CORS configuration:");
        for error in &errors {
            eprintln!("{error}");
        }
        std::process::exit(1);
    })
}

/// A listener on `127.0.0.1:$PORT` (`default_port` when `PORT` is unset; 0 picks a free one)
/// and the address it listens on, or a message and exit status 1.
pub(crate) async fn listen(default_port: u16) -> (TcpListener, SocketAddr) {
    let port = match std::env::var("PORT").map(|p| p.parse::<u16>()) {
        Err(_) => default_port,
        Ok(Ok(port)) => port,
        Ok(Err(_)) => {
            eprintln!("PORT must be a port number from 0 to 65535");
            std::process::exit(1);
        }
    };
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(address).await.unwrap_or_else(|error| {
        eprintln!("cannot listen on {address}: {error}");
        std::process::exit(1);
    });
    let address = listener.local_addr().unwrap_or(address);
    (listener, address)
}
