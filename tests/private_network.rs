//! Private Network Access preflights (`Access-Control-Request-Private-Network: true`, rule R24 of
//! the Fetch rules): answered with `Access-Control-Allow-Private-Network: true` only when the
//! policy allows it, whatever the origin rule (`*` included), in strict mode too, and whichever
//! spelling of the boolean turned it on.

mod common;

use common::{body_text, cors_headers, header, preflight, send, vary};
use http::StatusCode;
use tower_cors::{CorsConfig, CorsLayer};

const APP: &str = "https://app.example.com";
/// What a policy that lists no methods answers to a preflight for `GET`: the method asked for.
const REQUESTED_METHOD: &str = "GET";
const ASKS: (&str, &str) = ("access-control-request-private-network", "true");

fn asks(origin: &str) -> http::Request<common::Body> {
    preflight(origin, "GET", &[ASKS])
}

#[tokio::test]
async fn private_network_with_any_origin_answers_star_and_warns() {
    let layer = CorsLayer::builder()
        .allow_any_origin()
        .allow_private_network(true)
        .build()
        .unwrap();
    let warnings = layer.warnings();
    assert_eq!(
        warnings
            .iter()
            .map(|warning| warning.key().to_owned())
            .collect::<Vec<_>>(),
        ["allow_private_network"],
        "{warnings:?}"
    );

    let response = send(&layer, asks("https://anyone.example")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        cors_headers(&response),
        [
            "access-control-allow-origin",
            "access-control-allow-methods",
            "access-control-allow-private-network"
        ]
    );
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some(REQUESTED_METHOD)
    );
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        header(&response, "access-control-allow-private-network").as_deref(),
        Some("true")
    );
    // The answer does not depend on the origin, but it does on the private-network question.
    assert_eq!(
        vary(&response),
        [
            "access-control-request-method",
            "access-control-request-headers",
            "access-control-request-private-network"
        ]
    );
}

#[tokio::test]
async fn private_network_refused_with_any_origin_grants_the_origin_but_not_the_network() {
    let layer = CorsLayer::builder().allow_any_origin().build().unwrap();
    let response = send(&layer, asks("https://anyone.example")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // Without `Access-Control-Allow-Private-Network` the browser blocks the request and names
    // the missing header, which is the fix.
    assert_eq!(
        cors_headers(&response),
        [
            "access-control-allow-origin",
            "access-control-allow-methods"
        ]
    );
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some(REQUESTED_METHOD)
    );
    assert_eq!(
        layer
            .decide(&asks("https://anyone.example"))
            .refusal()
            .map(|refusal| refusal.reason().code()),
        Some("private_network_not_allowed")
    );
}

#[tokio::test]
async fn private_network_in_strict_mode_is_answered_when_allowed_and_refused_with_403_when_not() {
    let allowed = CorsLayer::builder()
        .allow_origins([APP])
        .allow_private_network(true)
        .strict(true)
        .build()
        .unwrap();
    let response = send(&allowed, asks(APP)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        cors_headers(&response),
        [
            "access-control-allow-origin",
            "access-control-allow-methods",
            "access-control-allow-private-network"
        ]
    );
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some(REQUESTED_METHOD)
    );
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(APP)
    );

    let refused = CorsLayer::builder()
        .allow_origins([APP])
        .strict(true)
        .build()
        .unwrap();
    let response = send(&refused, asks(APP)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        cors_headers(&response).is_empty(),
        "{:?}",
        response.headers()
    );
    assert_eq!(
        body_text(response).await,
        "private network access is not allowed\n"
    );
}

/// Every spelling the configuration accepts for the boolean, through the environment and TOML.
fn layers_with_private_network(value: &str) -> Vec<(String, CorsLayer)> {
    let env = CorsLayer::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", APP),
            ("CORS_ALLOW_PRIVATE_NETWORK", value),
        ],
    )
    .unwrap_or_else(|errors| panic!("CORS_ALLOW_PRIVATE_NETWORK={value}: {errors}"));
    let mut layers = vec![(format!("CORS_ALLOW_PRIVATE_NETWORK={value}"), env)];
    if let Ok(boolean) = value.parse::<bool>() {
        let toml = format!("allowed_origins = [\"{APP}\"]\nallow_private_network = {boolean}");
        let config = CorsConfig::from_toml_str(&toml).unwrap();
        layers.push((toml, CorsLayer::try_from(config).unwrap()));
    }
    layers
}

#[tokio::test]
async fn private_network_follows_every_spelling_of_the_boolean() {
    for (value, allowed) in [
        ("true", true),
        ("TRUE", true),
        ("True", true),
        ("1", true),
        ("false", false),
        ("FALSE", false),
        ("False", false),
        ("0", false),
    ] {
        for (source, layer) in layers_with_private_network(value) {
            assert_eq!(layer.config().allow_private_network, allowed, "{source}");
            let response = send(&layer, asks(APP)).await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT, "{source}");
            assert_eq!(
                header(&response, "access-control-allow-private-network").as_deref(),
                allowed.then_some("true"),
                "{source}"
            );
            assert_eq!(layer.decide(&asks(APP)).is_refused(), !allowed, "{source}");
        }
    }
    for value in ["yes", "on", "", "2"] {
        assert!(
            CorsLayer::from_vars(
                "CORS_",
                [
                    ("CORS_ALLOWED_ORIGINS", APP),
                    ("CORS_ALLOW_PRIVATE_NETWORK", value),
                ],
            )
            .is_err_and(|errors| errors
                .iter()
                .any(|error| error.location() == "CORS_ALLOW_PRIVATE_NETWORK")),
            "{value:?}"
        );
    }
}

#[tokio::test]
async fn private_network_is_asked_only_by_the_exact_value_true() {
    // Browsers send exactly `true`; any other value is not a private-network preflight, so a
    // policy without private network access does not refuse it and grants nothing for it.
    let layer = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    for value in ["TRUE", "1", "false", ""] {
        let request = || {
            preflight(
                APP,
                "GET",
                &[("access-control-request-private-network", value)],
            )
        };
        assert!(!layer.decide(&request()).is_refused(), "{value:?}");
        let response = send(&layer, request()).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{value:?}");
        assert_eq!(
            header(&response, "access-control-allow-private-network"),
            None,
            "{value:?}"
        );
    }
}
