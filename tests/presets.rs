//! Presets (the README's "Presets"): `grpc-web` and `connect` add methods, request headers and
//! exposed headers through the builder, TOML and the environment alike, merged before
//! validation; they never add origins or credentials.

mod common;

use common::{header, preflight, request, Inner};
use http::StatusCode;
use tower_cors::{ConfigErrorKind, CorsLayer, Preset};

const APP: &str = "https://app.example.com";

fn three_ways(preset: &str) -> [(&'static str, CorsLayer); 3] {
    let builder = CorsLayer::builder()
        .allow_origins([APP])
        .preset(preset.parse::<Preset>().unwrap())
        .build()
        .unwrap();
    let toml = CorsLayer::from_toml_str(&format!(
        "allowed_origins = [\"{APP}\"]\npresets = [\"{preset}\"]"
    ))
    .unwrap();
    let env = CorsLayer::from_vars(
        "CORS_",
        [("CORS_ALLOWED_ORIGINS", APP), ("CORS_PRESETS", preset)],
    )
    .unwrap();
    [("builder", builder), ("toml", toml), ("env", env)]
}

#[tokio::test]
async fn grpc_web_preset_allows_its_preflight_and_exposes_grpc_status_on_errors() {
    for (source, layer) in three_ways("grpc-web") {
        let response = Inner::default()
            .send(
                &layer,
                preflight(
                    APP,
                    "POST",
                    &[(
                        "access-control-request-headers",
                        "content-type,x-grpc-web,x-user-agent",
                    )],
                ),
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{source}");
        assert_eq!(
            header(&response, "access-control-allow-headers").as_deref(),
            Some("content-type,x-grpc-web,x-user-agent"),
            "{source}"
        );
        // An Unauthenticated reply still lets the browser client read grpc-status.
        let response = Inner::with_status(401)
            .send(&layer, request("POST", Some(APP), &[]))
            .await;
        assert_eq!(
            header(&response, "access-control-expose-headers").as_deref(),
            Some("grpc-status, grpc-message, grpc-status-details-bin"),
            "{source}"
        );
    }
}

#[tokio::test]
async fn connect_preset_allows_get_and_its_headers() {
    for (source, layer) in three_ways("connect") {
        let asks = preflight(
            APP,
            "GET",
            &[(
                "access-control-request-headers",
                "connect-protocol-version,connect-timeout-ms",
            )],
        );
        assert!(!layer.decide(&asks).is_refused(), "{source}");
    }
}

#[tokio::test]
async fn presets_merge_with_the_configured_lists_without_duplicates() {
    let layer = CorsLayer::from_toml_str(
        "allowed_origins = [\"https://app.example.com\"]\n\
         allowed_methods = [\"PUT\", \"POST\"]\n\
         expose_headers = [\"x-request-id\", \"grpc-status\"]\n\
         presets = [\"grpc-web\", \"connect\"]",
    )
    .unwrap();
    // Configured entries first, then each preset's in the contract's order, every name once:
    // POST is configured and in both presets, grpc-status and grpc-timeout in both presets.
    let methods = "PUT, POST, GET";
    // Every header the two presets add that a page can set (browsers never let scripts set
    // accept-encoding, so no preflight asks for it).
    let request_headers = "content-type, x-grpc-web, x-user-agent, grpc-timeout, \
         connect-protocol-version, connect-timeout-ms, connect-accept-encoding, \
         connect-content-encoding, content-encoding";
    // The whole list, as a refused preflight gets it: sorted, each name once, and without
    // accept-encoding, which no browser would ever ask for.
    let allowed_headers = "connect-accept-encoding, connect-content-encoding, \
         connect-protocol-version, connect-timeout-ms, content-encoding, content-type, \
         grpc-timeout, x-grpc-web, x-user-agent";
    let exposed = "x-request-id, grpc-status, grpc-message, grpc-status-details-bin, \
         content-encoding, connect-content-encoding";

    let asks_every_header = preflight(
        APP,
        "PUT",
        &[("access-control-request-headers", request_headers)],
    );
    let decision = layer.decide(&asks_every_header);
    assert!(!decision.is_refused(), "{decision:?}");
    let response = Inner::default().send(&layer, asks_every_header).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some(methods)
    );
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some(request_headers)
    );

    // A header no preset adds gets the full list, so the console names the missing one.
    let asks_another = preflight(APP, "PUT", &[("access-control-request-headers", "x-other")]);
    let response = Inner::default().send(&layer, asks_another).await;
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some(allowed_headers)
    );

    let actual = Inner::default()
        .send(&layer, request("POST", Some(APP), &[]))
        .await;
    assert_eq!(
        header(&actual, "access-control-expose-headers").as_deref(),
        Some(exposed)
    );
}

#[test]
fn presets_add_no_origins() {
    let errors = CorsLayer::from_vars("CORS_", [("CORS_PRESETS", "grpc-web")]).unwrap_err();
    assert_eq!(
        errors.iter().next().unwrap().kind(),
        ConfigErrorKind::NoOrigins
    );
}

#[test]
fn an_unknown_preset_is_refused_naming_the_presets() {
    let errors = CorsLayer::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", APP),
            ("CORS_PRESETS", "grpc-web,grpcweb"),
        ],
    )
    .unwrap_err();
    assert_eq!(
        errors.to_string(),
        "CORS_PRESETS: \"grpcweb\": it is not a preset; the presets are \"grpc-web\" and \"connect\""
    );
    assert!("gRPC".parse::<Preset>().is_err());
}
