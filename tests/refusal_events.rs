//! Every refusal emits one `tracing` event at debug level naming the origin, method, path and
//! reason; allowed requests emit none.

#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;

use http::{Request, Response};
use logs::log_lines;
use tower::{service_fn, Layer, Service};
use tower_cors::CorsLayer;

/// Calls the layer once per request under a debug-level subscriber; returns the log lines.
fn events(requests: Vec<Request<()>>) -> Vec<String> {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let mut service = layer.layer(service_fn(|_: Request<()>| async {
        Ok::<_, Infallible>(Response::new(String::new()))
    }));
    log_lines(tracing::Level::DEBUG, || {
        for request in requests {
            // The decision is made, and logged, when the request is handed to the layer.
            drop(service.call(request));
        }
    })
}

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

#[test]
fn each_refusal_emits_one_debug_event_with_origin_method_path_and_reason() {
    let lines = events(vec![
        request("GET", "/a", &[("origin", "https://evil.example")]),
        request(
            "OPTIONS",
            "/b",
            &[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PATCH"),
            ],
        ),
    ]);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for (line, expected) in lines.iter().zip([
        [
            "DEBUG",
            "origin=\"https://evil.example\"",
            "method=GET",
            "path=/a",
            "reason=\"origin_not_allowed\"",
        ],
        [
            "DEBUG",
            "origin=\"https://app.example.com\"",
            "method=OPTIONS",
            "path=/b",
            "reason=\"method_not_allowed\"",
        ],
    ]) {
        for fragment in expected {
            assert!(line.contains(fragment), "{fragment} missing from {line}");
        }
    }
    assert!(
        lines[1].contains("method \"PATCH\" is not allowed"),
        "{}",
        lines[1]
    );
}

#[test]
fn allowed_and_non_cors_requests_emit_no_event() {
    let lines = events(vec![
        request("GET", "/", &[("origin", "https://app.example.com")]),
        request("GET", "/", &[]),
        request(
            "OPTIONS",
            "/",
            &[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
            ],
        ),
    ]);
    assert!(lines.is_empty(), "{lines:#?}");
}
