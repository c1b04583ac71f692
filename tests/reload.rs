//! Reloading the policy of running services through a `ReloadHandle` (CONTRACT.md, "Reloading"):
//! a valid configuration is swapped in atomically, an invalid one changes nothing, and every
//! request sees one policy from start to end.
//!
//! Run with `cargo test --all-features --test reload -- --nocapture` to see the counts of the
//! concurrency test.

#![allow(clippy::print_stderr)]

mod common;

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use common::{header, preflight, request, send};
use http::{Request, Response};
use http_body_util::Full;
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_cors::{CorsConfig, CorsDecision, CorsLayer, CorsRequestKind};

fn config(origins: &[&str]) -> CorsConfig {
    let mut config = CorsConfig::default();
    config.allowed_origins = origins.iter().map(|origin| origin.to_string()).collect();
    config
}

#[tokio::test]
async fn reload_applies_to_requests_after_it() {
    let (layer, handle) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    let from_b = || request("GET", Some("https://b.example"), &[]);
    assert_eq!(
        header(&send(&layer, from_b()).await, "access-control-allow-origin"),
        None
    );

    let changes = handle
        .reload(config(&["https://a.example", "https://b.example"]))
        .unwrap();
    assert_eq!(
        changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["allowed_origins: [\"https://a.example\"] -> [\"https://a.example\", \"https://b.example\"]"]
    );
    assert_eq!(
        header(&send(&layer, from_b()).await, "access-control-allow-origin").as_deref(),
        Some("https://b.example")
    );
    // The layer's own view follows the handle.
    assert_eq!(layer.config().allowed_origins.len(), 2);
    assert_eq!(
        layer.decide(&from_b()),
        CorsDecision::Allowed(CorsRequestKind::Actual)
    );
}

#[tokio::test]
async fn reload_reaches_services_already_built() {
    let (layer, handle) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    // An axum router wraps its services when the layer is added, long before the reload.
    let app = Router::new()
        .route("/items/1", get(|| async { "ok" }))
        .layer(layer);
    handle.reload(config(&["https://b.example"])).unwrap();

    let response = app
        .clone()
        .oneshot(request("GET", Some("https://b.example"), &[]).map(axum::body::Body::new))
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://b.example"
    );
    let response = app
        .oneshot(request("GET", Some("https://a.example"), &[]).map(axum::body::Body::new))
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn invalid_reload_returns_every_error_and_keeps_the_running_policy() {
    let mut original = config(&["https://a.example"]);
    original.max_age = Some(600);
    let (layer, handle) = CorsLayer::try_from(original.clone()).unwrap().reloadable();

    let mut broken = config(&["https://b.example/", "*"]);
    broken.max_age = Some(100_000);
    broken.allowed_headers = vec!["bad header".into()];
    let errors = handle.reload(broken).unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|error| error.location()).collect();
    assert_eq!(
        keys,
        [
            "allowed_origins[0]",
            "allowed_origins[1]",
            "allowed_headers[0]",
            "max_age"
        ],
        "{errors}"
    );

    assert_eq!(handle.config(), original);
    let response = send(&layer, preflight("https://a.example", "GET", &[])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("https://a.example")
    );
    assert_eq!(
        header(&response, "access-control-max-age").as_deref(),
        Some("600")
    );
    let response = send(&layer, request("GET", Some("https://b.example"), &[])).await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn reload_of_the_same_configuration_changes_nothing() {
    let (_layer, handle) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    assert_eq!(handle.reload(config(&["https://a.example"])).unwrap(), []);

    let mut next = config(&["https://a.example"]);
    next.max_age = Some(60);
    next.allow_credentials = true;
    next.strict = true;
    let changes: Vec<String> = handle
        .reload(next)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        changes,
        [
            "allow_credentials: false -> true",
            "max_age: unset -> 60",
            "strict: false -> true"
        ]
    );
}

#[tokio::test]
async fn reloadable_twice_shares_one_slot() {
    let (layer, first) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    let (layer, second) = layer.reloadable();
    first.reload(config(&["https://b.example"])).unwrap();
    assert_eq!(second.config().allowed_origins, ["https://b.example"]);
    assert_eq!(layer.config().allowed_origins, ["https://b.example"]);
}

/// Two policies that differ in every header they produce for the same requests, so that a
/// response mixing them is recognisable.
fn policy(which: char) -> CorsConfig {
    let mut config = config(&["https://app.example"]);
    if which == 'a' {
        config.allow_credentials = true;
        config.expose_headers = vec!["x-policy-a".into()];
        config.allowed_methods = vec!["PUT".into()];
        config.max_age = Some(100);
    } else {
        config.expose_headers = vec!["x-policy-b".into()];
        config.allowed_methods = vec!["PATCH".into()];
        config.max_age = Some(200);
    }
    config
}

/// Which policy produced the response, or `None` when its headers mix the two.
fn produced_by(response: &Response<tower_cors::ResponseBody<Full<Bytes>>>) -> Option<char> {
    let get = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let credentials = get("access-control-allow-credentials");
    if response.status() == 204 {
        match (
            get("access-control-allow-methods").as_deref(),
            get("access-control-max-age").as_deref(),
            credentials.as_deref(),
        ) {
            (Some("PUT"), Some("100"), Some("true")) => Some('a'),
            (Some("PATCH"), Some("200"), None) => Some('b'),
            _ => None,
        }
    } else {
        match (
            get("access-control-expose-headers").as_deref(),
            credentials.as_deref(),
        ) {
            (Some("x-policy-a"), Some("true")) => Some('a'),
            (Some("x-policy-b"), None) => Some('b'),
            _ => None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_reloads_see_the_old_or_the_new_policy_never_a_mix() {
    const CLIENTS: usize = 8;
    const REQUESTS_PER_CLIENT: usize = 2_500;

    let (layer, handle) = CorsLayer::try_from(policy('a')).unwrap().reloadable();
    // The inner service yields, so that reloads land between a request's start and its end.
    let service = layer.layer(service_fn(|_request: Request<Full<Bytes>>| async {
        tokio::task::yield_now().await;
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"inner"))))
    }));

    let stop = Arc::new(AtomicBool::new(false));
    let reloader = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut reloads = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let next = if reloads % 2 == 0 { 'b' } else { 'a' };
                handle.reload(policy(next)).unwrap();
                reloads += 1;
                tokio::task::yield_now().await;
            }
            reloads
        })
    };

    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let mut service = service.clone();
        clients.push(tokio::spawn(async move {
            let (mut a, mut b, mut mixed) = (0usize, 0usize, 0usize);
            for i in 0..REQUESTS_PER_CLIENT {
                let request = if (i + client) % 2 == 0 {
                    request("GET", Some("https://app.example"), &[])
                } else {
                    preflight("https://app.example", "GET", &[])
                };
                let response = service.ready().await.unwrap().call(request).await.unwrap();
                match produced_by(&response) {
                    Some('a') => a += 1,
                    Some(_) => b += 1,
                    None => mixed += 1,
                }
            }
            (a, b, mixed)
        }));
    }
    let (mut a, mut b, mut mixed) = (0, 0, 0);
    for client in clients {
        let (ca, cb, cm) = tokio::time::timeout(Duration::from_secs(60), client)
            .await
            .expect("the clients to finish in time")
            .unwrap();
        a += ca;
        b += cb;
        mixed += cm;
    }
    stop.store(true, Ordering::Relaxed);
    let reloads = reloader.await.unwrap();

    eprintln!(
        "{} requests during {reloads} reloads: {a} saw policy a, {b} saw policy b, {mixed} a mix",
        CLIENTS * REQUESTS_PER_CLIENT
    );
    assert_eq!(mixed, 0);
    assert_eq!(a + b, CLIENTS * REQUESTS_PER_CLIENT);
    assert!(reloads >= 100, "only {reloads} reloads happened");
    assert!(
        a > 0 && b > 0,
        "the requests saw only one policy: a {a}, b {b}"
    );
}
