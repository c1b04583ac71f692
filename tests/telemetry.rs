//! Telemetry with stable names: every event the layer emits is under one of three documented
//! targets (`tower_cors::refusal`, `tower_cors::config`, `tower_cors::runtime`), with structured
//! fields a subscriber can filter and count by: the refusal's reason as its code, the origin as
//! sent (no quotes), the configuration key of a warning.

#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;

use http::{Request, Response};
use logs::{events, Captured};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::CorsLayer;

const TARGETS: [&str; 3] = [
    "tower_cors::refusal",
    "tower_cors::config",
    "tower_cors::runtime",
];

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

/// Sends `request` through `layer` around an inner service that answers with `inner_headers`.
fn send(layer: &CorsLayer, request: Request<()>, inner_headers: &[(&'static str, &'static str)]) {
    let inner_headers = inner_headers.to_vec();
    let service = layer.layer(service_fn(move |_: Request<()>| {
        let mut response = Response::new(String::new());
        for (name, value) in &inner_headers {
            response.headers_mut().append(*name, value.parse().unwrap());
        }
        async move { Ok::<_, Infallible>(response) }
    }));
    futures::executor::block_on(service.oneshot(request)).unwrap();
}

/// Every event is under one of the documented targets.
fn assert_documented_targets(events: &[Captured]) {
    for event in events {
        assert!(
            TARGETS.contains(&event.target.as_str()),
            "undocumented target {}: {event:?}",
            event.target
        );
    }
}

#[test]
fn refusals_are_events_under_tower_cors_refusal_with_reason_code_and_unquoted_origin() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let captured = events(|| {
        send(
            &layer,
            request("GET", "/a", &[("origin", "https://evil.example")]),
            &[],
        );
        send(
            &layer,
            request(
                "OPTIONS",
                "/b",
                &[
                    ("origin", "https://app.example.com"),
                    ("access-control-request-method", "PATCH"),
                ],
            ),
            &[],
        );
        // Allowed: no event.
        send(
            &layer,
            request("GET", "/c", &[("origin", "https://app.example.com")]),
            &[],
        );
    });
    assert_documented_targets(&captured);
    assert_eq!(captured.len(), 2, "{captured:#?}");
    for (event, (origin, method, path, kind, reason)) in captured.iter().zip([
        (
            "https://evil.example",
            "GET",
            "/a",
            "Actual",
            "origin_not_allowed",
        ),
        (
            "https://app.example.com",
            "OPTIONS",
            "/b",
            "Preflight",
            "method_not_allowed",
        ),
    ]) {
        assert_eq!(event.target, "tower_cors::refusal", "{event:?}");
        assert_eq!(event.level, tracing::Level::DEBUG, "{event:?}");
        assert_eq!(event.field("origin"), Some(origin), "{event:?}");
        assert_eq!(event.field("method"), Some(method), "{event:?}");
        assert_eq!(event.field("path"), Some(path), "{event:?}");
        assert_eq!(event.field("kind"), Some(kind), "{event:?}");
        assert_eq!(event.field("reason"), Some(reason), "{event:?}");
    }
    assert_eq!(
        captured[1].field("message"),
        Some("CORS request refused: method \"PATCH\" is not allowed")
    );
}

#[test]
fn refusals_in_debug_mode_are_info_events_under_tower_cors_refusal_with_the_hint() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .debug(true)
        .build()
        .unwrap();
    let captured = events(|| {
        send(
            &layer,
            request("GET", "/", &[("origin", "https://app.example.com:8443")]),
            &[],
        );
    });
    assert_documented_targets(&captured);
    assert_eq!(captured.len(), 1, "{captured:#?}");
    let event = &captured[0];
    assert_eq!(event.target, "tower_cors::refusal");
    assert_eq!(event.level, tracing::Level::INFO);
    assert_eq!(event.field("origin"), Some("https://app.example.com:8443"));
    assert_eq!(event.field("reason"), Some("origin_not_allowed"));
    let hint = event.field("hint").expect("a hint field");
    assert!(hint.contains("https://app.example.com"), "{hint}");
}

#[test]
fn configuration_warnings_are_events_under_tower_cors_config_with_their_key() {
    let captured = events(|| {
        drop(
            CorsLayer::builder()
                .allow_origins(["https://app.example.com"])
                .max_age(std::time::Duration::from_secs(86_400))
                .build()
                .unwrap(),
        );
    });
    assert_documented_targets(&captured);
    assert_eq!(captured.len(), 1, "{captured:#?}");
    let event = &captured[0];
    assert_eq!(event.target, "tower_cors::config");
    assert_eq!(event.level, tracing::Level::WARN);
    assert_eq!(event.field("key"), Some("max_age"));
    assert_eq!(event.field("location"), Some("max_age"));
    assert_eq!(event.field("value"), Some("86400"));
    assert!(event
        .field("message")
        .unwrap()
        .starts_with("CORS policy: max_age: \"86400\": Chromium caps"));
}

#[test]
fn an_unknown_variable_is_an_event_under_tower_cors_config_naming_the_variable() {
    let vars = [
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_ORIGIN", "*"),
    ];
    let captured = events(|| {
        drop(CorsLayer::from_vars("CORS_", vars).unwrap());
    });
    assert_documented_targets(&captured);
    assert_eq!(captured.len(), 1, "{captured:#?}");
    let event = &captured[0];
    assert_eq!(event.target, "tower_cors::config");
    assert_eq!(event.level, tracing::Level::WARN);
    assert_eq!(event.field("location"), Some("CORS_ORIGIN"));
    assert_eq!(
        event.field("message"),
        Some("CORS policy: CORS_ORIGIN: unknown variable, ignored; did you mean CORS_ALLOWED_ORIGINS?")
    );

    // Said also when the rest of the configuration is refused: it explains the refusal.
    let captured = events(|| {
        CorsLayer::from_vars("CORS_", [("CORS_ORIGIN", "https://app.example.com")]).unwrap_err();
    });
    assert_documented_targets(&captured);
    assert_eq!(captured.len(), 1, "{captured:#?}");
    assert_eq!(captured[0].field("location"), Some("CORS_ORIGIN"));
    assert!(captured[0]
        .field("message")
        .unwrap()
        .ends_with("did you mean CORS_ALLOWED_ORIGINS?"));
}

#[test]
fn runtime_warnings_are_events_under_tower_cors_runtime() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_credentials(true)
        .build()
        .unwrap();
    let captured = events(|| {
        send(
            &layer,
            request(
                "GET",
                "/",
                &[
                    ("origin", "https://app.example.com"),
                    ("host", "api.example.net"),
                ],
            ),
            &[
                ("access-control-allow-origin", "*"),
                ("set-cookie", "session=abc; HttpOnly"),
            ],
        );
    });
    assert_documented_targets(&captured);
    assert_eq!(captured.len(), 2, "{captured:#?}");
    assert!(captured
        .iter()
        .all(|event| event.target == "tower_cors::runtime" && event.level == tracing::Level::WARN));
    assert_eq!(
        captured[0].field("header"),
        Some("access-control-allow-origin")
    );
    assert_eq!(captured[1].field("cookie"), Some("session"));
    assert_eq!(captured[1].field("origin"), Some("https://app.example.com"));
}
