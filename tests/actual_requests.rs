//! Actual requests (Fetch, "CORS check", <https://fetch.spec.whatwg.org/#cors-check>): the inner service
//! always runs; its response, whatever the status, gets the policy's headers for an allowed
//! origin, nothing but `Vary` for a refused one, and `Vary: Origin` without one.

mod common;

use common::{assert_headers, cors_headers, header, request, send, vary, Inner};
use http::StatusCode;
use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind};

const APP: &str = "https://app.example.com";

fn layer(credentials: bool) -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP, "https://**.example.org", "http://localhost:*"])
        .allow_credentials(credentials)
        .expose_headers(["x-request-id", "retry-after"])
        .build()
        .unwrap()
}

#[tokio::test]
async fn allowed_origin_is_echoed_with_credentials_expose_headers_and_vary() {
    let inner = Inner::default();
    let response = inner
        .send(&layer(true), request("GET", Some(APP), &[]))
        .await;
    assert_eq!(inner.calls(), 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert_headers(
        &response,
        &[
            ("access-control-allow-origin", Some(APP)),
            ("access-control-allow-credentials", Some("true")),
            (
                "access-control-expose-headers",
                Some("x-request-id, retry-after"),
            ),
        ],
    );
    assert_eq!(vary(&response), ["origin"]);
}

#[tokio::test]
async fn pattern_matches_echo_the_request_origin_byte_for_byte() {
    for origin in [
        "https://a.b.example.org",
        "http://localhost:5173",
        "http://localhost",
    ] {
        let response = send(&layer(false), request("POST", Some(origin), &[])).await;
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some(origin)
        );
    }
}

#[tokio::test]
async fn disallowed_origin_gets_no_grant_but_still_vary() {
    let inner = Inner::default();
    let response = inner
        .send(
            &layer(true),
            request("GET", Some("https://evil.example"), &[]),
        )
        .await;
    assert_eq!(
        inner.calls(),
        1,
        "CORS is not access control: the inner service runs"
    );
    assert!(
        cors_headers(&response).is_empty(),
        "{:?}",
        response.headers()
    );
    assert_eq!(vary(&response), ["origin"]);
}

#[tokio::test]
async fn credentials_header_is_never_sent_to_disallowed_origins() {
    let inner = Inner::with_headers(&[
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-secret"),
    ]);
    let response = inner
        .send(
            &layer(true),
            request("GET", Some("https://evil.example"), &[]),
        )
        .await;
    assert!(
        cors_headers(&response).is_empty(),
        "{:?}",
        response.headers()
    );
}

#[tokio::test]
async fn request_without_origin_gets_vary_origin_and_no_cors_headers() {
    let inner = Inner::default();
    let response = inner.send(&layer(true), request("GET", None, &[])).await;
    assert_eq!(inner.calls(), 1);
    assert!(cors_headers(&response).is_empty());
    assert_eq!(vary(&response), ["origin"]);
    assert_eq!(
        layer(true).decide(&request("GET", None, &[])),
        CorsDecision::NotCors
    );
}

#[tokio::test]
async fn allow_origin_has_exactly_one_value_when_the_inner_service_set_one() {
    let inner = Inner::with_headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-origin", "https://other.example"),
    ]);
    let response = inner
        .send(&layer(false), request("GET", Some(APP), &[]))
        .await;
    // `header` panics when the header appears twice.
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    assert_eq!(header(&response, "access-control-allow-credentials"), None);
}

#[tokio::test]
async fn inner_allow_origin_is_removed_for_a_disallowed_origin() {
    let inner = Inner::with_headers(&[("access-control-allow-origin", "*")]);
    let response = inner
        .send(
            &layer(false),
            request("GET", Some("https://evil.example"), &[]),
        )
        .await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn vary_origin_is_appended_never_replacing_or_duplicating() {
    type InnerVary = &'static [(&'static str, &'static str)];
    let cases: [(InnerVary, &[&str]); 4] = [
        (
            &[("vary", "accept-encoding")],
            &["accept-encoding", "origin"],
        ),
        (
            &[("vary", "Accept-Encoding, Origin")],
            &["accept-encoding", "origin"],
        ),
        (
            &[("vary", "accept"), ("vary", "ORIGIN")],
            &["accept", "origin"],
        ),
        (&[("vary", "*")], &["*"]),
    ];
    for (inner_headers, expected) in cases {
        for origin in [Some(APP), Some("https://evil.example"), None] {
            let inner = Inner::with_headers(inner_headers);
            let response = inner.send(&layer(false), request("GET", origin, &[])).await;
            assert_eq!(vary(&response), expected, "{inner_headers:?} {origin:?}");
        }
    }
}

#[tokio::test]
async fn every_status_is_decorated() {
    for status in [200, 204, 301, 400, 401, 403, 404, 405, 413, 429, 500, 503] {
        let inner = Inner::with_status(status);
        let response = inner
            .send(&layer(true), request("PUT", Some(APP), &[]))
            .await;
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some(APP),
            "{status}"
        );
        assert_eq!(
            header(&response, "access-control-allow-credentials").as_deref(),
            Some("true")
        );
    }
}

#[tokio::test]
async fn any_origin_without_credentials_sends_star_on_every_response_and_no_vary() {
    let layer = CorsLayer::builder()
        .allow_any_origin()
        .expose_headers(["x-request-id"])
        .build()
        .unwrap();
    for origin in [Some(APP), Some("null"), Some("not an origin"), None] {
        let response = send(&layer, request("GET", origin, &[])).await;
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some("*"),
            "{origin:?}"
        );
        assert_eq!(
            header(&response, "access-control-expose-headers").as_deref(),
            Some("x-request-id")
        );
        assert!(vary(&response).is_empty(), "{origin:?}");
    }
}

#[tokio::test]
async fn null_origin_is_allowed_only_when_listed_with_its_opt_in() {
    let listed = CorsLayer::builder()
        .allow_origins([APP, "null"])
        .dangerously_allow_null_origin(true)
        .build()
        .unwrap();
    let response = send(&listed, request("GET", Some("null"), &[])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("null")
    );
    let response = send(&layer(false), request("GET", Some("null"), &[])).await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);

    let by_regex = CorsLayer::builder()
        .allow_origin_regexes(["null|https://app\\.example\\.com"])
        .dangerously_allow_null_origin(true)
        .build()
        .unwrap();
    let response = send(&by_regex, request("GET", Some("null"), &[])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("null")
    );
}

#[tokio::test]
async fn same_origin_post_with_unlisted_origin_still_reaches_the_handler() {
    // Browsers send Origin on same-origin POSTs (R1, R28): refusing CORS must not block them.
    let inner = Inner::default();
    let response = inner
        .send(
            &layer(false),
            request("POST", Some("https://api.example.net"), &[]),
        )
        .await;
    assert_eq!(inner.calls(), 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        layer(false)
            .decide(&request("POST", Some("https://api.example.net"), &[]))
            .refusal()
            .map(|r| r.kind()),
        Some(CorsRequestKind::Actual)
    );
}

#[tokio::test]
async fn head_requests_are_decorated_like_get() {
    for credentials in [false, true] {
        let credentials_header = credentials.then_some("true");
        for (origin, granted) in [(APP, true), ("https://evil.example", false)] {
            let inner = Inner::default();
            let head = inner
                .send(&layer(credentials), request("HEAD", Some(origin), &[]))
                .await;
            let get = send(&layer(credentials), request("GET", Some(origin), &[])).await;
            assert_eq!(inner.calls(), 1, "the inner service answers a HEAD");
            let what = format!("{origin}, credentials {credentials}");
            assert_eq!(cors_headers(&head), cors_headers(&get), "{what}");
            assert_eq!(vary(&head), ["origin"], "{what}");
            let expected = if granted {
                [
                    ("access-control-allow-origin", Some(origin)),
                    ("access-control-allow-credentials", credentials_header),
                    (
                        "access-control-expose-headers",
                        Some("x-request-id, retry-after"),
                    ),
                ]
            } else {
                [
                    ("access-control-allow-origin", None),
                    ("access-control-allow-credentials", None),
                    ("access-control-expose-headers", None),
                ]
            };
            common::assert_headers_for(&what, &head, &expected);
            common::assert_headers_for(&what, &get, &expected);
            for name in [
                "access-control-allow-methods",
                "access-control-allow-headers",
                "access-control-max-age",
                "access-control-allow-private-network",
            ] {
                assert_eq!(header(&head, name), None, "{what}: {name}");
            }
        }
    }
}

/// Axum clones the service for every request: both must be `Clone` (an `Arc` inside) and
/// shareable across threads.
#[test]
fn layer_and_service_are_clone_send_and_sync() {
    fn assert_clone<T: Clone + Send + Sync + 'static>() {}
    assert_clone::<CorsLayer>();
    assert_clone::<
        tower_cors::Cors<
            tower::util::BoxCloneSyncService<
                http::Request<String>,
                http::Response<String>,
                std::convert::Infallible,
            >,
        >,
    >();
}

#[tokio::test]
async fn preflight_headers_set_by_the_inner_stack_are_removed_from_actual_responses() {
    let inner = Inner::with_headers(&[
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
        ("access-control-max-age", "86400"),
    ]);
    for origin in [APP, "https://evil.example"] {
        let response = inner
            .send(&layer(false), request("GET", Some(origin), &[]))
            .await;
        let mut names = cors_headers(&response);
        names.retain(|name| !name.starts_with("access-control-allow-origin"));
        names.retain(|name| name != "access-control-expose-headers");
        assert!(names.is_empty(), "{origin}: {names:?}");
    }
}

/// Short allowlists are compared entry by entry and long ones hashed: every listed origin is
/// allowed and echoed, and no other, whatever the list's length, including across the switch.
#[tokio::test]
async fn every_listed_origin_is_allowed_whatever_the_length_of_the_list() {
    for len in [1, 2, 7, 8, 9, 10, 17, 40] {
        let origins: Vec<String> = (0..len)
            .map(|i| format!("https://app{i}.example.com"))
            .collect();
        let layer = CorsLayer::builder()
            .allow_origins(origins.iter().map(String::as_str))
            .build()
            .unwrap();
        for origin in &origins {
            let response = send(&layer, request("GET", Some(origin), &[])).await;
            assert_eq!(
                header(&response, "access-control-allow-origin").as_deref(),
                Some(origin.as_str()),
                "{origin} in a list of {len}"
            );
        }
        let other = format!("https://app{len}.example.com");
        assert!(
            layer
                .decide(&request("GET", Some(&other), &[]))
                .is_refused(),
            "{other} is not in a list of {len}"
        );
    }
}
