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

/// Each error's location, as the caller reads it.
fn locations(errors: &tower_cors::ConfigErrors) -> Vec<(ConfigErrorKind, String)> {
    errors
        .iter()
        .map(|error| (error.kind(), error.location().to_owned()))
        .collect()
}

#[test]
fn typed_values_are_reported_at_the_index_the_caller_passed() {
    let latin1 = || HeaderValue::from_bytes(b"https://caf\xe9.example").unwrap();
    let errors = CorsLayer::builder()
        .allow_origins([
            latin1(),
            HeaderValue::from_static("https://ok.example"),
            HeaderValue::from_static("http://BAD.example"),
        ])
        // Across calls too: the position in the whole list, rejected values counted.
        .allow_origins([latin1()])
        .allow_origins(["https://app.example.com/"])
        .allow_methods([
            HeaderValue::from_static("PUT"),
            HeaderValue::from_bytes(b"PU\xd4").unwrap(),
            HeaderValue::from_static("TRACE"),
        ])
        .build()
        .unwrap_err();
    let found = locations(&errors);
    for expected in [
        (ConfigErrorKind::InvalidOrigin, "allowed_origins[0]"),
        (ConfigErrorKind::NonCanonicalOrigin, "allowed_origins[2]"),
        (ConfigErrorKind::InvalidOrigin, "allowed_origins[3]"),
        (ConfigErrorKind::NonCanonicalOrigin, "allowed_origins[4]"),
        (ConfigErrorKind::InvalidMethod, "allowed_methods[1]"),
        (ConfigErrorKind::ForbiddenMethod, "allowed_methods[2]"),
    ] {
        assert!(
            found.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), 6, "{found:#?}");
    // Each error names the value found at its index.
    let named = |location: &str| {
        let error = errors.iter().find(|e| e.location() == location).unwrap();
        error.value().map(str::to_owned)
    };
    assert_eq!(
        named("allowed_origins[2]").as_deref(),
        Some("http://BAD.example")
    );
    assert_eq!(
        named("allowed_origins[4]").as_deref(),
        Some("https://app.example.com/")
    );
    assert_eq!(named("allowed_methods[2]").as_deref(), Some("TRACE"));
}

#[test]
fn a_non_utf8_exempt_path_is_reported_as_a_path() {
    let errors = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .cross_origin_protection(true)
        .cross_origin_exempt_paths([HeaderValue::from_bytes(b"/caf\xe9").unwrap()])
        .build()
        .unwrap_err();
    let error = errors.iter().next().unwrap();
    assert_eq!(errors.len(), 1, "{errors}");
    assert_eq!(error.kind(), ConfigErrorKind::InvalidExemptPath);
    assert_eq!(error.location(), "cross_origin_exempt_paths[0]");
    assert_eq!(error.value(), Some("/caf\u{FFFD}"));
    let line = error.to_string();
    assert!(line.contains("cannot be a path prefix"), "{line}");
    assert!(!line.contains("header name"), "{line}");
}
