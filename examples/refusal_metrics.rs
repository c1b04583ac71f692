//! Counting CORS refusals by reason in a layer outside the CORS layer: every refused request's
//! response carries the layer's `CorsDecision` in its extensions, so a metrics layer needs no
//! access to the policy. Allowed requests carry none unless the policy records every decision
//! (`record_all_decisions`), which costs each of them three allocations; counting refusals does
//! not need it. Here the counts go to a map; a real server would feed its metrics library
//! instead.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example refusal_metrics
//! ```

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use tower::ServiceExt;
use tower_cors::{CorsDecision, CorsLayer};

/// Refusals seen so far, by `RefusalReason::code()`.
type Counts = Arc<Mutex<BTreeMap<&'static str, u64>>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cors = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type"])
        .build()?;

    let counts = Counts::default();
    let seen = Arc::clone(&counts);
    let app = Router::new()
        .route("/", any(|| async { "ok" }))
        .layer(cors)
        // Added after the CORS layer, so it wraps it and sees the decision on every refusal.
        .layer(axum::middleware::map_response(move |response: Response| {
            let seen = Arc::clone(&seen);
            async move {
                if let Some(refusal) = response
                    .extensions()
                    .get::<CorsDecision>()
                    .and_then(CorsDecision::refusal)
                {
                    *seen
                        .lock()
                        .unwrap()
                        .entry(refusal.reason().code())
                        .or_default() += 1;
                }
                response
            }
        }));

    let requests = [
        ("GET", "https://app.example.com", None),
        ("GET", "https://evil.example", None),
        ("GET", "http://app.example.com", None),
        ("OPTIONS", "https://app.example.com", Some("DELETE")),
        ("OPTIONS", "https://app.example.com", Some("PUT")),
    ];
    for (method, origin, preflight_method) in requests {
        let mut request = Request::builder()
            .method(method)
            .uri("/")
            .header("origin", origin);
        if let Some(asked) = preflight_method {
            request = request.header("access-control-request-method", asked);
        }
        let response = app.clone().oneshot(request.body(Body::empty())?).await?;
        println!("{method} from {origin}: {}", response.status());
    }
    println!("refusals by reason: {:?}", counts.lock().unwrap());
    Ok(())
}
