//! The demo server: the CORS layer outermost, in front of real authentication, rate-limiting,
//! body-limit and panic-catching layers, so that every response, errors included, shows it at work.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example server
//! ```
//!
//! With no `CORS_*` variable set it uses a development policy for local frontends; otherwise it
//! reads the policy from the `CORS_*` variables (and the TOML file named by `CORS_CONFIG`).
//! `kill -HUP <pid>` reloads that file (the variables still override it) without a restart; an
//! invalid file is refused with every problem and the running policy stays.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::routing::{any, get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_cors::{CorsConfig, CorsLayer};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::GlobalKeyExtractor;
use tower_governor::GovernorLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::validate_request::ValidateRequestHeaderLayer;

const DEMO_TOKEN: &str = "Bearer demo-token";

#[tokio::main]
async fn main() {
    support::init_logging();

    let cors = support::layer_or_exit(load_policy());

    let (cors, reload) = cors.reloadable();
    // Registered before the server listens, so that no SIGHUP can find the default action
    // (terminating the process) in place.
    #[cfg(unix)]
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(hangups) => drop(tokio::spawn(reload_on_hangup(hangups, reload))),
        Err(error) => {
            tracing::warn!("cannot listen for SIGHUP, the policy will not reload: {error}")
        }
    }
    #[cfg(not(unix))]
    drop(reload);

    let (listener, address) = support::listen(3000).await;
    println!("listening on http://{address}");
    if let Err(error) = axum::serve(listener, app(cors)).await {
        eprintln!("server error: {error}");
        std::process::exit(1);
    }
}

/// The policy from the environment, or the development policy when no `CORS_*` variable is set.
fn load_policy() -> Result<CorsLayer, tower_cors::ConfigErrors> {
    let configured = std::env::vars_os().any(|(name, _)| {
        name.to_str()
            .is_some_and(|name| name.starts_with(tower_cors::DEFAULT_ENV_PREFIX))
    });
    if configured {
        let config = CorsConfig::from_env();
        let layer = CorsLayer::from_env()?;
        if let Ok(config) = config {
            println!("CORS policy from the environment:\n{config}");
        }
        return Ok(layer);
    }
    let config = support::development_policy();
    println!(
        "no CORS_* variable is set: using the development policy for local frontends:\n{config}"
    );
    CorsLayer::try_from(config)
}

/// Reloads the policy from the environment and `CORS_CONFIG` on every `SIGHUP`, logging what
/// changed or every reason the new file was refused.
#[cfg(unix)]
async fn reload_on_hangup(
    mut hangups: tokio::signal::unix::Signal,
    handle: tower_cors::ReloadHandle,
) {
    while hangups.recv().await.is_some() {
        let Some(path) = std::env::var_os("CORS_CONFIG") else {
            tracing::warn!("SIGHUP: CORS_CONFIG is not set, so there is no file to reload");
            continue;
        };
        let path = path.to_string_lossy().into_owned();
        match CorsConfig::from_env().and_then(|config| handle.reload(config)) {
            Ok(changes) if changes.is_empty() => {
                tracing::info!("SIGHUP: CORS policy reloaded from {path}: nothing changed");
            }
            Ok(changes) => {
                for change in &changes {
                    tracing::info!("SIGHUP: CORS policy reloaded from {path}: {change}");
                }
            }
            Err(errors) => {
                for error in &errors {
                    tracing::warn!(
                        "SIGHUP: CORS reload refused, the running policy stays: {error}"
                    );
                }
            }
        }
    }
}

/// Every route, with the CORS layer outermost.
fn app(cors: CorsLayer) -> Router {
    let rate_limit = GovernorConfigBuilder::default()
        .per_second(30) // one request back every 30 seconds
        .burst_size(2) // two requests per minute for the whole server
        .key_extractor(GlobalKeyExtractor)
        .finish()
        .map(Arc::new);

    let mut router = Router::new()
        .route("/", any(|| async { "ok" }))
        .route("/status/{code}", any(status))
        .route(
            "/private",
            get(|| async { "welcome" }).layer(ValidateRequestHeaderLayer::custom(authorize)),
        )
        .route("/panic", get(panicking))
        .route(
            "/echo",
            post(|body: Bytes| async move { body }).layer(RequestBodyLimitLayer::new(1024)),
        )
        .route("/submit", submit_routes())
        .route(
            "/ws",
            get(|upgrade: WebSocketUpgrade| async { upgrade.on_upgrade(echo) }),
        );
    router = match rate_limit {
        Some(config) => router.route(
            "/limited",
            get(|| async { "within the limit" }).layer(GovernorLayer::new(config)),
        ),
        None => router,
    };
    router
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .layer(
            ServiceBuilder::new()
                .layer(cors)
                .layer(SetRequestIdLayer::x_request_id(Counter::default()))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::new()),
        )
}

/// `/submit`: what a form would change. `POST` (any body) counts a submission and answers
/// `received N`; `GET` answers the count, so that one can see whether a cross-site post got
/// through (with `CORS_CROSS_ORIGIN_PROTECTION=true` it does not).
fn submit_routes() -> axum::routing::MethodRouter {
    let submissions = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&submissions);
    post(move || {
        let n = submissions.fetch_add(1, Ordering::Relaxed) + 1;
        async move { format!("received {n}") }
    })
    .get(move || {
        let n = count.load(Ordering::Relaxed);
        async move { n.to_string() }
    })
}

/// `/ws`: echoes each text message. Browsers apply no CORS to WebSocket handshakes, so only
/// cross-origin protection keeps other sites' pages from opening it with a user's cookies.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        let sent = match message {
            Message::Text(text) => socket.send(Message::Text(text)).await,
            Message::Close(_) => return,
            _ => Ok(()),
        };
        if sent.is_err() {
            return;
        }
    }
}

async fn status(axum::extract::Path(code): axum::extract::Path<String>) -> Response<Body> {
    let status = code
        .parse::<u16>()
        .ok()
        .and_then(|code| StatusCode::from_u16(code).ok());
    let mut response = Response::new(Body::empty());
    match status {
        Some(status) => *response.status_mut() = status,
        None => {
            *response.status_mut() = StatusCode::BAD_REQUEST;
            *response.body_mut() = Body::from("the status must be a number from 100 to 999");
        }
    }
    response
}

async fn panicking() -> &'static str {
    panic!("the /panic route panics on purpose")
}

/// The authentication layer's check: a fixed bearer token, or 401.
#[allow(clippy::result_large_err)] // the signature tower-http's `ValidateRequest` asks for
fn authorize(request: &mut Request<Body>) -> Result<(), Response<Body>> {
    if request
        .headers()
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
        == Some(DEMO_TOKEN.as_bytes())
    {
        return Ok(());
    }
    let mut response = Response::new(Body::from("missing or wrong bearer token"));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Err(response)
}

/// Request ids from a counter: enough to tell the demo's responses apart.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        Some(RequestId::new(HeaderValue::from(id)))
    }
}
