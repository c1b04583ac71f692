//! The server `benches/end_to_end.sh` loads: the demo server's `/` route and middleware stack,
//! with the CORS layer chosen on the command line, so that the three servers differ in that
//! layer alone.
//!
//! ```not_rust
//! e2e_server none|tower-cors|tower-http
//! ```
//!
//! `tower-cors` is the demo's development policy; `tower-http` is tower-http's `CorsLayer`
//! configured alike. Listens on `127.0.0.1:$PORT` (`PORT` unset or 0 picks a free port) and
//! prints `listening on http://ADDRESS`, as the demo server does.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, Route};
use axum::Router;
use tower::layer::util::Identity;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::{CatchPanic, CatchPanicLayer, DefaultResponseForPanic};
use tower_http::cors as th;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestId, PropagateRequestIdLayer, RequestId, SetRequestId,
    SetRequestIdLayer,
};

#[path = "../examples/support/mod.rs"]
mod support;

const USAGE: &str = "usage: e2e_server none|tower-cors|tower-http";

#[tokio::main]
async fn main() {
    let variant = std::env::args().nth(1).unwrap_or_default();
    let router = match variant.as_str() {
        "none" => app(Identity::new()),
        "tower-cors" => app(tower_cors_layer()),
        "tower-http" => app(tower_http_layer()),
        other => {
            eprintln!("unknown variant {other:?}: {USAGE}");
            std::process::exit(2);
        }
    };

    let (listener, address) = support::listen(0).await;
    println!("listening on http://{address} ({variant})");
    if let Err(error) = axum::serve(listener, router).await {
        eprintln!("server error: {error}");
        std::process::exit(1);
    }
}

/// The demo's stack inside the CORS layer.
type Inner = SetRequestId<PropagateRequestId<CatchPanic<Route, DefaultResponseForPanic>>, Counter>;

/// The demo's `/` and fallback behind the demo's stack, `cors` outermost. Generic, so that every
/// variant has the same stack shape (no boxing or `Either` that only some of them would pay for).
fn app<L>(cors: L) -> Router
where
    L: Layer<Inner> + Clone + Send + Sync + 'static,
    L::Service: Service<Request<Body>, Error = Infallible> + Clone + Send + Sync + 'static,
    <L::Service as Service<Request<Body>>>::Response: IntoResponse + 'static,
    <L::Service as Service<Request<Body>>>::Future: Send + 'static,
{
    Router::new()
        .route("/", any(|| async { "ok" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .layer(
            ServiceBuilder::new()
                .layer(cors)
                .layer(SetRequestIdLayer::x_request_id(Counter::default()))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::new()),
        )
}

/// The demo server's development policy.
fn tower_cors_layer() -> tower_cors::CorsLayer {
    support::layer_or_exit(tower_cors::CorsLayer::try_from(
        support::development_policy(),
    ))
}

/// The same policy for tower-http, whose origin list has no port patterns: a predicate
/// accepting `http://localhost` and `http://127.0.0.1` with any port or none.
fn tower_http_layer() -> th::CorsLayer {
    th::CorsLayer::new()
        .allow_origin(th::AllowOrigin::predicate(|origin, _| {
            let origin = origin.as_bytes();
            let rest = origin
                .strip_prefix(b"http://localhost")
                .or_else(|| origin.strip_prefix(b"http://127.0.0.1"));
            match rest {
                Some([]) => true,
                Some([b':', port @ ..]) => {
                    (1..=5).contains(&port.len()) && port.iter().all(u8::is_ascii_digit)
                }
                _ => false,
            }
        }))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// Request ids from a counter, as in the demo server.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        Some(RequestId::new(HeaderValue::from(id)))
    }
}
