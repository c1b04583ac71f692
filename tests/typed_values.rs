//! The builder's list methods take strings and the `http` crate's typed values alike, as a setup
//! written for tower-http does; a value that cannot become text is a validation error, never a
//! panic.

mod common;

use std::borrow::Cow;

use common::{header, preflight, request, send};
use http::{header, HeaderName, HeaderValue, Method};
use tower_cors::{ConfigErrorKind, CorsLayer};

#[tokio::test]
async fn typed_methods_headers_and_origins_behave_as_their_strings() {
    let typed = CorsLayer::builder()
        .allow_origins([HeaderValue::from_static("https://app.example.com")])
        .allow_methods([Method::PUT, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static("x-api-key")])
        .expose_headers([header::ETAG])
        .build()
        .unwrap();
    let text = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT", "DELETE"])
        .allow_headers(["content-type", "x-api-key"])
        .expose_headers(["etag"])
        .build()
        .unwrap();
    assert_eq!(typed.config(), text.config());

    let asks = preflight(
        "https://app.example.com",
        "DELETE",
        &[("access-control-request-headers", "x-api-key")],
    );
    let response = send(&typed, asks).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some("PUT, DELETE")
    );
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some("x-api-key")
    );
    let actual = send(&typed, request("GET", Some("https://app.example.com"), &[])).await;
    assert_eq!(
        header(&actual, "access-control-expose-headers").as_deref(),
        Some("etag")
    );
}

#[test]
fn borrowed_and_owned_values_of_every_accepted_type_are_accepted() {
    let origins = vec!["https://a.example.com".to_owned()];
    let methods = [Method::PATCH];
    let names = [header::ACCEPT_LANGUAGE];
    let values = [HeaderValue::from_static("https://b.example.com")];
    let layer = CorsLayer::builder()
        .allow_origins(&origins)
        .allow_origins(origins.clone())
        .allow_origins(values.iter())
        .allow_origins([Cow::Borrowed("https://c.example.com")])
        .allow_origins([Box::<str>::from("https://d.example.com")])
        .allow_methods(methods.iter())
        .allow_headers(names.iter())
        .expose_headers(["x-request-id".to_owned()])
        .build()
        .unwrap();
    assert_eq!(
        layer.config().allowed_origins,
        [
            "https://a.example.com",
            "https://a.example.com",
            "https://b.example.com",
            "https://c.example.com",
            "https://d.example.com",
        ]
    );
    assert_eq!(layer.config().allowed_methods, ["PATCH"]);
    assert_eq!(layer.config().allowed_headers, ["accept-language"]);
}

#[test]
fn builder_list_methods_add_to_their_lists() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://a.example.com"])
        .allow_origins([HeaderValue::from_static("https://b.example.com")])
        .allow_methods([Method::PUT])
        .allow_methods(["PATCH"])
        .allow_headers([header::CONTENT_TYPE])
        .allow_headers(["x-api-key"])
        .build()
        .unwrap();
    let config = layer.config();
    assert_eq!(
        config.allowed_origins,
        ["https://a.example.com", "https://b.example.com"]
    );
    assert_eq!(config.allowed_methods, ["PUT", "PATCH"]);
    assert_eq!(config.allowed_headers, ["content-type", "x-api-key"]);
}

#[test]
fn a_non_utf8_header_value_is_a_validation_error_naming_it() {
    let latin1 = HeaderValue::from_bytes(b"https://caf\xe9.example").unwrap();
    let errors = CorsLayer::builder()
        .allow_origins(["https://app.example.com", "https://app.example.com/"])
        .allow_origins([latin1.clone()])
        .allow_headers([latin1])
        .build()
        .unwrap_err();
    let found: Vec<_> = errors
        .iter()
        .map(|e| {
            (
                e.kind(),
                e.location().to_owned(),
                e.value().map(str::to_owned),
            )
        })
        .collect();
    let shown = Some("https://caf\u{FFFD}.example".to_owned());
    assert!(
        found.contains(&(
            ConfigErrorKind::InvalidOrigin,
            "allowed_origins[2]".into(),
            shown.clone()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            ConfigErrorKind::InvalidHeaderName,
            "allowed_headers[0]".into(),
            shown
        )),
        "{found:?}"
    );
    // The other problems are reported with it, all at once.
    assert!(found
        .iter()
        .any(|(kind, ..)| *kind == ConfigErrorKind::NonCanonicalOrigin));
    let line = errors.iter().next().unwrap().to_string();
    assert!(line.contains("not UTF-8"), "{line}");
    assert!(line.contains("pass the value as ASCII text"), "{line}");
}
