//! Preflights (the Fetch standard, "CORS-preflight fetch",
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch>): answered by the layer, in Fetch's
//! order, with exactly the headers a browser needs, and never passed to the inner service.

mod common;

use std::time::Duration;

use common::{
    assert_headers, assert_headers_for, body_text, cors_headers, header, preflight, request, send,
    vary, Inner,
};
use http::StatusCode;
use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind, RefusalReason};

const APP: &str = "https://app.example.com";

fn credentialed() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP, "https://*.example.org"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE", "PATCH"])
        .allow_headers(["content-type", "authorization", "x-request-id"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap()
}

#[tokio::test]
async fn successful_preflight_is_204_with_exactly_the_needed_headers() {
    let inner = Inner::default();
    let response = inner
        .send(
            &credentialed(),
            preflight(
                APP,
                "PUT",
                &[(
                    "access-control-request-headers",
                    "content-type,x-request-id",
                )],
            ),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_headers(
        &response,
        &[
            ("access-control-allow-origin", Some(APP)),
            ("access-control-allow-credentials", Some("true")),
            // Every configured method, so that the browser's preflight cache covers them all.
            (
                "access-control-allow-methods",
                Some("GET, POST, PUT, DELETE, PATCH"),
            ),
            (
                "access-control-allow-headers",
                Some("content-type,x-request-id"),
            ),
            ("access-control-max-age", Some("600")),
        ],
    );
    let mut names = cors_headers(&response);
    names.sort();
    assert_eq!(
        names,
        [
            "access-control-allow-credentials",
            "access-control-allow-headers",
            "access-control-allow-methods",
            "access-control-allow-origin",
            "access-control-max-age",
        ]
    );
    assert!(vary(&response).contains(&"origin".to_owned()));
    assert_eq!(body_text(response).await, "");
    assert_eq!(
        inner.calls(),
        0,
        "a preflight must never reach the inner service"
    );
}

#[tokio::test]
async fn preflight_without_request_headers_sends_no_allow_headers() {
    let response = send(&credentialed(), preflight(APP, "DELETE", &[])).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&response, "access-control-allow-headers"), None);
}

#[tokio::test]
async fn preflight_from_disallowed_origin_is_403_without_cors_headers_naming_the_origin() {
    let inner = Inner::default();
    let response = inner
        .send(
            &credentialed(),
            preflight("https://evil.example", "PUT", &[]),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        cors_headers(&response).is_empty(),
        "{:?}",
        response.headers()
    );
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let body = body_text(response).await;
    assert_eq!(body, "origin \"https://evil.example\" is not allowed\n");
    assert!(
        !body.contains(APP),
        "the refusal must not disclose the allowlist"
    );
    assert_eq!(inner.calls(), 0);
}

#[tokio::test]
async fn disallowed_method_from_allowed_origin_answers_the_allowed_methods_so_the_console_names_it()
{
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT", "DELETE"])
        .build()
        .unwrap();
    let response = send(&layer, preflight(APP, "PATCH", &[])).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some("PUT, DELETE")
    );
    match layer.decide(&preflight(APP, "PATCH", &[])) {
        CorsDecision::Refused(refusal) => {
            assert_eq!(refusal.kind(), CorsRequestKind::Preflight);
            assert_eq!(refusal.to_string(), "method \"PATCH\" is not allowed");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn disallowed_header_from_allowed_origin_answers_the_allowed_headers() {
    let layer = credentialed();
    let request = || {
        preflight(
            APP,
            "PUT",
            &[("access-control-request-headers", "content-type,x-secret")],
        )
    };
    let response = send(&layer, request()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some("authorization, content-type, x-request-id")
    );
    assert_eq!(header(&response, "access-control-max-age"), None);
    let decision = layer.decide(&request());
    assert_eq!(
        decision.refusal().map(|r| r.reason().clone()),
        Some(RefusalReason::HeaderNotAllowed {
            header: "x-secret".into()
        })
    );
}

#[tokio::test]
async fn strict_mode_refuses_every_preflight_failure_with_403_and_no_cors_headers() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .allow_headers(["x-allowed"])
        .strict(true)
        .build()
        .unwrap();
    for (method, headers, body) in [
        ("PATCH", "", "method \"PATCH\" is not allowed\n"),
        (
            "PUT",
            "x-other",
            "request header \"x-other\" is not allowed\n",
        ),
    ] {
        let response = send(
            &layer,
            preflight(APP, method, &[("access-control-request-headers", headers)]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(cors_headers(&response).is_empty());
        assert_eq!(body_text(response).await, body);
    }
}

#[tokio::test]
async fn safelisted_methods_always_pass_the_method_check() {
    let layer = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    for method in ["GET", "HEAD", "POST"] {
        let response = send(&layer, preflight(APP, method, &[])).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{method}");
        assert_eq!(
            header(&response, "access-control-allow-methods").as_deref(),
            Some(method)
        );
    }
    let response = send(&layer, preflight(APP, "PUT", &[])).await;
    assert_eq!(header(&response, "access-control-allow-methods"), None);
    assert!(layer.decide(&preflight(APP, "PUT", &[])).is_refused());
}

#[tokio::test]
async fn methods_are_compared_case_sensitively() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PATCH", "delete"])
        .build()
        .unwrap();
    let allowed = |method: &str| !layer.decide(&preflight(APP, method, &[])).is_refused();
    assert!(allowed("PATCH"));
    assert!(
        !allowed("patch"),
        "PATCH in the policy does not allow patch"
    );
    assert!(!allowed("Patch"));
    // Fetch uppercases DELETE, GET, HEAD, OPTIONS, POST and PUT in scripts, so "delete" in the
    // configuration means the DELETE browsers send.
    assert!(allowed("DELETE"));
    // Safelisted methods pass only byte-exact.
    assert!(!allowed("get"));
}

#[tokio::test]
async fn authorization_is_never_covered_by_the_wildcard() {
    let star = CorsLayer::builder()
        .allow_origins([APP])
        .allow_any_header()
        .build()
        .unwrap();
    let asks = |names: &str| preflight(APP, "GET", &[("access-control-request-headers", names)]);
    assert!(!star.decide(&asks("x-anything,x-other")).is_refused());
    assert!(star.decide(&asks("authorization")).is_refused());
    assert!(star.decide(&asks("Authorization")).is_refused());

    let star_and_authorization = CorsLayer::builder()
        .allow_origins([APP])
        .allow_headers(["*", "authorization"])
        .build()
        .unwrap();
    let response = send(&star_and_authorization, asks("authorization,x-any")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some("*, authorization")
    );
}

#[tokio::test]
async fn wildcards_without_credentials_answer_star() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_any_method()
        .allow_any_header()
        .build()
        .unwrap();
    let response = send(
        &layer,
        preflight(APP, "PURGE", &[("access-control-request-headers", "x-a")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some("*")
    );
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some("*")
    );
}

#[tokio::test]
async fn wildcards_with_credentials_reflect_the_request_never_star() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(true)
        .allow_any_method()
        .allow_any_header()
        .build()
        .unwrap();
    let response = send(
        &layer,
        preflight(
            APP,
            "PURGE",
            &[("access-control-request-headers", "x-a,x-b")],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_headers(
        &response,
        &[
            ("access-control-allow-methods", Some("PURGE")),
            ("access-control-allow-headers", Some("x-a,x-b")),
            ("access-control-allow-credentials", Some("true")),
        ],
    );
    // Even when reflecting, `*` does not cover authorization.
    let asks_authorization = preflight(
        APP,
        "GET",
        &[("access-control-request-headers", "authorization")],
    );
    assert!(layer.decide(&asks_authorization).is_refused());
}

#[tokio::test]
async fn request_headers_parsing_copes_with_spacing_case_duplicates_empty_elements_and_lines() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_headers(["x-a", "x-b", "content-type"])
        .build()
        .unwrap();
    let request = request(
        "OPTIONS",
        Some(APP),
        &[
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", " ,X-A ,\t x-b,,x-a, "),
            ("access-control-request-headers", ""),
            ("access-control-request-headers", "Content-Type"),
        ],
    );
    // Answered 204 whether or not PUT is allowed; the header check is what is tested here.
    let layer_with_put = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .allow_headers(["x-a", "x-b", "content-type"])
        .build()
        .unwrap();
    assert_eq!(
        layer_with_put.decide(&request),
        CorsDecision::Allowed(CorsRequestKind::Preflight)
    );
    let response = send(&layer_with_put, request).await;
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some("X-A,x-b,x-a,Content-Type"),
        "several lines are joined; every name was checked"
    );
    let only_empty = preflight(APP, "GET", &[("access-control-request-headers", " , ,")]);
    let response = send(&layer, only_empty).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&response, "access-control-allow-headers"), None);
}

#[tokio::test]
async fn oversized_request_headers_are_refused_without_scanning() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_any_header()
        .strict(true)
        .build()
        .unwrap();
    let names = vec!["x-a"; 2000].join(",");
    let response = send(
        &layer,
        preflight(APP, "GET", &[("access-control-request-headers", &names)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(body_text(response)
        .await
        .contains("longer than a browser sends"));
}

#[tokio::test]
async fn max_age_zero_is_sent_and_no_max_age_sends_nothing() {
    let zero = CorsLayer::builder()
        .allow_origins([APP])
        .max_age(Duration::ZERO)
        .build()
        .unwrap();
    let response = send(&zero, preflight(APP, "GET", &[])).await;
    assert_eq!(
        header(&response, "access-control-max-age").as_deref(),
        Some("0")
    );
    let unset = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    let response = send(&unset, preflight(APP, "GET", &[])).await;
    assert_eq!(header(&response, "access-control-max-age"), None);
}

#[tokio::test]
async fn private_network_preflight_is_answered_only_when_allowed_and_requested() {
    let asks = || {
        preflight(
            APP,
            "GET",
            &[("access-control-request-private-network", "true")],
        )
    };
    let allowed = CorsLayer::builder()
        .allow_origins([APP])
        .allow_private_network(true)
        .build()
        .unwrap();
    let response = send(&allowed, asks()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-private-network").as_deref(),
        Some("true")
    );
    assert!(vary(&response).contains(&"access-control-request-private-network".to_owned()));
    let not_requested = send(&allowed, preflight(APP, "GET", &[])).await;
    assert_eq!(
        header(&not_requested, "access-control-allow-private-network"),
        None
    );

    let refused = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    let response = send(&refused, asks()).await;
    // Refused at the last step: the origin and method are granted, so that the browser's
    // console names the missing private-network permission, and nothing else is sent.
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        cors_headers(&response),
        [
            "access-control-allow-origin",
            "access-control-allow-methods"
        ]
    );
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    assert_eq!(
        header(&response, "access-control-allow-methods").as_deref(),
        Some("GET")
    );
    assert_eq!(
        refused.decide(&asks()).refusal().map(|r| r.reason().code()),
        Some("private_network_not_allowed")
    );
}

#[tokio::test]
async fn any_origin_policy_answers_star_even_for_null() {
    let layer = CorsLayer::builder().allow_any_origin().build().unwrap();
    for origin in [APP, "null", "https://anything.example"] {
        let response = send(&layer, preflight(origin, "GET", &[])).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some("*")
        );
        assert_eq!(header(&response, "access-control-allow-credentials"), None);
    }
}

#[tokio::test]
async fn pattern_origins_are_echoed_byte_for_byte_on_preflights() {
    let response = send(
        &credentialed(),
        preflight("https://shop.example.org", "GET", &[]),
    )
    .await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("https://shop.example.org")
    );
}

#[tokio::test]
async fn options_without_request_method_is_not_a_preflight() {
    let inner = Inner::default();
    let response = inner
        .send(&credentialed(), request("OPTIONS", Some(APP), &[]))
        .await;
    assert_eq!(
        inner.calls(),
        1,
        "OPTIONS without ACRM must reach the inner service"
    );
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    assert_eq!(header(&response, "access-control-allow-methods"), None);
}

#[tokio::test]
async fn options_with_request_method_but_no_origin_is_not_cors() {
    let inner = Inner::default();
    let response = inner
        .send(
            &credentialed(),
            request("OPTIONS", None, &[("access-control-request-method", "PUT")]),
        )
        .await;
    assert_eq!(inner.calls(), 1);
    assert!(cors_headers(&response).is_empty());
    assert_eq!(vary(&response), ["origin"]);
}

#[tokio::test]
async fn a_refusal_at_a_later_step_still_grants_the_earlier_steps_so_the_console_names_the_right_one(
) {
    let asks = |method: &str, names: &str, private_network: bool| {
        let mut headers = vec![("access-control-request-headers", names)];
        if private_network {
            headers.push(("access-control-request-private-network", "true"));
        }
        preflight(APP, method, &headers)
    };
    let cases = [
        (
            "reflected methods, header refused",
            CorsLayer::builder()
                .allow_any_method()
                .allow_headers(["x-a"]),
            asks("PUT", "x-b", false),
            Some("PUT"),
            Some("x-a"),
        ),
        (
            "reflected headers, private network refused",
            CorsLayer::builder()
                .allow_methods(["PUT"])
                .allow_any_header(),
            asks("PUT", "x-b", true),
            Some("PUT"),
            Some("x-b"),
        ),
        (
            "reflected headers, authorization refused",
            CorsLayer::builder().allow_any_header(),
            asks("GET", "accept,authorization", false),
            Some("GET"),
            Some("accept"),
        ),
    ];
    for (case, builder, request, methods, headers) in cases {
        let layer = builder
            .allow_origins([APP])
            .allow_credentials(true)
            .build()
            .unwrap();
        let response = send(&layer, request).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{case}");
        assert_headers_for(
            case,
            &response,
            &[
                ("access-control-allow-origin", Some(APP)),
                ("access-control-allow-methods", methods),
                ("access-control-allow-headers", headers),
                ("access-control-allow-private-network", None),
            ],
        );
    }
}

/// A requested method that is not a method token (`GET POST`, which no browser sends) is
/// malformed: refused under `allowed_methods = "*"` as it is under a list, the answer naming
/// only the listed methods, never `*`.
#[tokio::test]
async fn a_requested_method_that_is_not_a_token_is_malformed_even_under_the_wildcard() {
    let star = |credentials: bool| {
        CorsLayer::builder()
            .allow_origins([APP])
            .allow_any_method()
            .allow_credentials(credentials)
            .build()
            .unwrap()
    };
    let star_and_put = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["*", "PUT"])
        .build()
        .unwrap();
    let listed = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    for (name, layer, allow_methods) in [
        ("*", star(false), None),
        ("* with credentials", star(true), None),
        ("* and PUT", star_and_put, Some("PUT")),
        ("PUT", listed, Some("PUT")),
    ] {
        for method in ["GET POST", "GET,POST", "PUT "] {
            let response = send(&layer, preflight(APP, method, &[])).await;
            assert_eq!(
                response.status(),
                StatusCode::NO_CONTENT,
                "{name}: {method:?}"
            );
            assert_eq!(
                header(&response, "access-control-allow-methods").as_deref(),
                allow_methods,
                "{name}: {method:?}"
            );
            let decision = layer.decide(&preflight(APP, method, &[]));
            let refusal = decision
                .refusal()
                .unwrap_or_else(|| panic!("{name}: {method:?} allowed"));
            assert_eq!(
                refusal.reason(),
                &RefusalReason::MethodNotAllowed {
                    method: method.parse().unwrap()
                },
                "{name}"
            );
            assert!(
                refusal
                    .hint()
                    .is_some_and(|hint| hint.contains("not a method name")),
                "{name}: {:?}",
                refusal.hint()
            );
        }
        // A real method still passes the wildcard.
        let allowed = layer.decide(&preflight(APP, "GET", &[]));
        assert!(!allowed.is_refused(), "{name}");
    }
    let strict = CorsLayer::builder()
        .allow_origins([APP])
        .allow_any_method()
        .strict(true)
        .build()
        .unwrap();
    let response = send(&strict, preflight(APP, "GET POST", &[])).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(cors_headers(&response).is_empty());
}

/// An `Origin` longer than any allowed origin, or than any origin can be, is refused by its
/// length, with its reason, on both paths; the body shows the start of the value and says
/// where it was cut, never the whole of it. Patterns keep allowing origins longer than every
/// listed one.
#[tokio::test]
async fn an_oversized_origin_is_refused_with_its_reason() {
    let huge = format!("https://{}.example.com", "a".repeat(64 * 1024));
    // Longer than the listed origin, far shorter than an origin can be.
    let longer = format!("https://{}.example.com", "a".repeat(40));
    let listed_only = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    let with_patterns = CorsLayer::builder()
        .allow_origins([APP, "https://**.example.com"])
        .allow_origin_regexes([r"https://[a-z]+\.example\.org"])
        .build()
        .unwrap();
    for (layer, origin) in [
        (&listed_only, &huge),
        (&listed_only, &longer),
        (&with_patterns, &huge),
    ] {
        for request in [
            preflight(origin, "PUT", &[]),
            request("GET", Some(origin), &[]),
        ] {
            match layer.decide(&request) {
                CorsDecision::Refused(refusal) => assert!(
                    matches!(
                        refusal.reason(),
                        RefusalReason::OriginNotAllowed { origin: refused }
                            if refused.as_bytes() == origin.as_bytes()
                    ),
                    "{refusal:?}"
                ),
                other => panic!("not refused: {other:?}"),
            }
        }
        let response = send(layer, preflight(origin, "PUT", &[])).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(header(&response, "access-control-allow-origin"), None);
        let body = body_text(response).await;
        assert!(body.starts_with("origin \"https://aaaa"), "{body}");
        if origin.len() > 256 {
            let cut = format!("(cut at 256 of {} bytes) is not allowed\n", origin.len());
            assert!(body.ends_with(&cut), "{body}");
            assert!(body.len() < 400, "{body}");
        }
    }
    let response = send(&with_patterns, preflight(&longer, "PUT", &[])).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(longer.as_str())
    );
}

/// Browsers send `Access-Control-Request-Headers` on one line; sixteen are still read (a proxy
/// may split a list), and a seventeenth makes the preflight malformed before any name is read.
#[tokio::test]
async fn request_headers_over_sixteen_lines_are_refused_unread() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .allow_headers(["x-a"])
        .build()
        .unwrap();
    let lines = |count: usize| {
        let mut headers = vec![("access-control-request-method", "PUT")];
        headers.extend(std::iter::repeat_n(
            ("access-control-request-headers", "x-a"),
            count,
        ));
        request("OPTIONS", Some(APP), &headers)
    };
    assert_eq!(
        layer.decide(&lines(16)),
        CorsDecision::Allowed(CorsRequestKind::Preflight)
    );
    let decision = layer.decide(&lines(17));
    assert!(
        matches!(
            decision.refusal().map(|r| r.reason()),
            Some(RefusalReason::RequestHeadersTooLong { .. })
        ),
        "{decision:?}"
    );
    // Not strict: the answer names the configured list, as for any refused header.
    let response = send(&layer, lines(17)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-headers").as_deref(),
        Some("x-a")
    );
    let strict = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .allow_headers(["x-a"])
        .strict(true)
        .build()
        .unwrap();
    let response = send(&strict, lines(17)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(body_text(response).await.contains("16 lines"));
}
