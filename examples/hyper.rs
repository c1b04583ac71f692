//! The CORS layer on a plain hyper 1 server, no framework: a `tower::service_fn` handler wrapped
//! in the layer, handed to hyper-util's connection builder.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example hyper
//! ```
//!
//! `/` answers 200 `ok`, anything else 404 `not found`; both carry the CORS headers. The policy
//! comes from the `CORS_*` variables (and the TOML file named by `CORS_CONFIG`), or is the
//! development policy for local frontends when no `CORS_*` variable is set.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod support;

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tower::{service_fn, ServiceBuilder};
use tower_cors::{ConfigErrors, CorsLayer};

#[tokio::main]
async fn main() {
    support::init_logging();

    let cors = support::layer_or_exit(load_policy());

    let (listener, address) = support::listen(3000).await;
    println!("listening on http://{address}");

    // Built once: each connection gets a clone, which shares the validated policy.
    let service = ServiceBuilder::new()
        .layer(cors)
        .service(service_fn(handle));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Typically out of file descriptors: wait for some to close rather than spin.
                eprintln!("cannot accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            // HTTP/1.1 or cleartext HTTP/2, whichever the client speaks.
            let connection = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(error) = connection {
                eprintln!("connection error: {error}");
            }
        });
    }
}

/// The policy from the environment, or the development policy when no `CORS_*` variable is set.
fn load_policy() -> Result<CorsLayer, ConfigErrors> {
    let configured = std::env::vars_os().any(|(name, _)| {
        name.to_str()
            .is_some_and(|name| name.starts_with(tower_cors::DEFAULT_ENV_PREFIX))
    });
    if configured {
        let cors = CorsLayer::from_env()?;
        println!("CORS policy from the environment:\n{}", cors.config());
        return Ok(cors);
    }
    // Local frontends on any port, with credentials (loopback origins may use plain http).
    let cors = CorsLayer::builder()
        .allow_origins(["http://localhost:*", "http://127.0.0.1:*"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .max_age(Duration::from_secs(600))
        .build()?;
    println!(
        "no CORS_* variable is set: using the development policy for local frontends:\n{}",
        cors.config()
    );
    Ok(cors)
}

/// The application, unaware of CORS: preflights never reach it, and the layer decorates its
/// answers, the 404 included.
async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match request.uri().path() {
        "/" => (StatusCode::OK, "ok"),
        _ => (StatusCode::NOT_FOUND, "not found"),
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    Ok(response)
}
