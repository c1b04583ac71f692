//! Explaining refusals (the README's "Why did the browser block this?"): the decision in every response's
//! extensions, one hint per refusal class and near-miss kind, debug mode, configuration warnings
//! and the runtime warnings given once.

mod common;
#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::{preflight, request, Body};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use logs::log_lines;
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind, ResponseBody};

/// Sends `request` through `layer` around an inner service that answers 200 with `headers`.
async fn send_with(
    layer: &CorsLayer,
    request: Request<Body>,
    headers: &'static [(&'static str, &'static str)],
) -> Response<ResponseBody<Body>> {
    layer
        .layer(service_fn(move |_: Request<Body>| async move {
            let mut response = Response::new(Full::new(Bytes::from_static(b"inner")));
            for (name, value) in headers {
                response.headers_mut().append(*name, value.parse().unwrap());
            }
            Ok::<_, Infallible>(response)
        }))
        .oneshot(request)
        .await
        .unwrap()
}

fn decision<B>(response: &Response<B>) -> CorsDecision {
    response
        .extensions()
        .get::<CorsDecision>()
        .cloned()
        .expect("every response carries the decision")
}

async fn body_text(response: Response<ResponseBody<Body>>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn layer(origins: &[&str]) -> CorsLayer {
    CorsLayer::builder()
        .allow_origins(origins.iter().copied())
        .allow_methods(["PUT", "PATCH"])
        .allow_headers(["content-type"])
        .build()
        .unwrap()
}

/// Requests the default policy of [`layer`] does not refuse, with the decision each gets.
fn not_refused() -> [(Request<Body>, CorsDecision); 3] {
    [
        (request("GET", None, &[]), CorsDecision::NotCors),
        (
            request("GET", Some("https://app.example.com"), &[]),
            CorsDecision::Allowed(CorsRequestKind::Actual),
        ),
        (
            preflight("https://app.example.com", "PUT", &[]),
            CorsDecision::Allowed(CorsRequestKind::Preflight),
        ),
    ]
}

/// Requests [`layer`] refuses: a refused origin on each path, and a refused method.
fn refused() -> [Request<Body>; 3] {
    [
        request("GET", Some("https://evil.example"), &[]),
        preflight("https://evil.example", "PUT", &[]),
        preflight("https://app.example.com", "DELETE", &[]),
    ]
}

#[tokio::test]
async fn decisions_are_recorded_only_for_refusals_by_default() {
    let layer = layer(&["https://app.example.com"]);
    for (request, _) in not_refused() {
        let shown = format!("{} {:?}", request.method(), request.headers());
        let response = send_with(&layer, request, &[]).await;
        assert_eq!(response.extensions().get::<CorsDecision>(), None, "{shown}");
    }
    for request in refused() {
        let response = send_with(&layer, request, &[]).await;
        assert!(decision(&response).is_refused());
    }
}

#[tokio::test]
async fn every_decision_is_recorded_when_the_policy_asks() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT", "PATCH"])
        .allow_headers(["content-type"])
        .record_all_decisions(true)
        .build()
        .unwrap();
    for (request, expected) in not_refused() {
        let response = send_with(&layer, request, &[]).await;
        assert_eq!(decision(&response), expected);
    }
    for request in refused() {
        let response = send_with(&layer, request, &[]).await;
        assert!(decision(&response).is_refused());
    }
    // The same switch, from the environment and from TOML.
    let from_env = CorsLayer::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_RECORD_ALL_DECISIONS", "true"),
        ],
    )
    .unwrap();
    let from_toml = CorsLayer::from_toml_str(
        "allowed_origins = [\"https://app.example.com\"]\nrecord_all_decisions = true",
    )
    .unwrap();
    for layer in [from_env, from_toml] {
        assert!(layer.config().record_all_decisions);
        let allowed = request("GET", Some("https://app.example.com"), &[]);
        let response = send_with(&layer, allowed, &[]).await;
        assert_eq!(
            decision(&response),
            CorsDecision::Allowed(CorsRequestKind::Actual)
        );
    }
}

/// A logging or metrics layer outside the CORS layer counts refusals by reason, reading the
/// decision from the responses (as `examples/refusal_metrics.rs` does).
#[tokio::test]
async fn a_layer_outside_counts_refusals_by_reason() {
    let counts: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let seen = Arc::clone(&counts);
    let app = axum::Router::new()
        .route("/items/1", axum::routing::any(|| async { "ok" }))
        .layer(layer(&["https://app.example.com"]))
        .layer(axum::middleware::map_response(
            move |response: axum::response::Response| {
                let seen = Arc::clone(&seen);
                async move {
                    if let Some(refusal) = response
                        .extensions()
                        .get::<CorsDecision>()
                        .and_then(CorsDecision::refusal)
                    {
                        seen.lock().unwrap().push(refusal.reason().code());
                    }
                    response
                }
            },
        ));
    for request in [
        request("GET", Some("https://evil.example"), &[]),
        request("GET", Some("https://app.example.com"), &[]),
        preflight("https://app.example.com", "DELETE", &[]),
        preflight(
            "https://app.example.com",
            "PUT",
            &[("access-control-request-headers", "x-a")],
        ),
        request(
            "GET",
            Some("https://app.example.com"),
            &[("cookie", "session=1")],
        ),
    ] {
        app.clone()
            .oneshot(request.map(axum::body::Body::new))
            .await
            .unwrap();
    }
    assert_eq!(
        *counts.lock().unwrap(),
        [
            "origin_not_allowed",
            "method_not_allowed",
            "header_not_allowed",
            "credentials_not_allowed"
        ]
    );
}

/// One row per refusal class and near-miss kind: the policy's origins, the request, the reason
/// the layer gives and what its hint must say.
struct Row {
    name: &'static str,
    origins: &'static [&'static str],
    regexes: &'static [&'static str],
    request: fn() -> Request<Body>,
    reason: &'static str,
    hint: Option<&'static str>,
}

const APP: &[&str] = &["https://app.example.com"];

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "scheme",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("http://app.example.com"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"https://app.example.com\": the scheme differs: the page \
                 is served over http, the entry allows https",
            ),
        },
        Row {
            name: "port",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("https://app.example.com:8443"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"https://app.example.com\": the port differs: the page \
                 runs on 8443, the entry allows only the default port (write `:*` to allow any \
                 port)",
            ),
        },
        Row {
            name: "www",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("https://www.app.example.com"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"https://app.example.com\": `www.` differs: with and \
                 without `www.` are different origins; list both",
            ),
        },
        Row {
            name: "loopback spelling",
            origins: &["http://localhost:5173"],
            regexes: &[],
            request: || request("GET", Some("http://127.0.0.1:5173"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"http://localhost:5173\": 127.0.0.1 and localhost are \
                 different origins to a browser, though both are this machine; list both, or \
                 open the page as localhost",
            ),
        },
        Row {
            name: "one label too deep",
            origins: &["https://*.example.com"],
            regexes: &[],
            request: || request("GET", Some("https://a.b.example.com"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"https://*.example.com\": `*.example.com` matches \
                 exactly one label below example.com; this host is deeper: write \
                 `**.example.com` to allow any depth",
            ),
        },
        Row {
            name: "wildcard apex",
            origins: &["https://*.example.com"],
            regexes: &[],
            request: || request("GET", Some("https://example.com"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"https://*.example.com\": a wildcard matches subdomains \
                 of example.com, never example.com itself; list it too",
            ),
        },
        Row {
            name: "regex matching part of the origin",
            origins: &[],
            regexes: &[r"https://pr-[0-9]+\.preview\.example\.com"],
            request: || request("GET", Some("https://pr-7.preview.example.com:8443"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "regex \"https://pr-[0-9]+\\\\.preview\\\\.example\\\\.com\" matches \
                 \"https://pr-7.preview.example.com\", the origin without its port :8443; a \
                 regex must match the whole origin: add the port, or `(:[0-9]+)?` for any",
            ),
        },
        Row {
            name: "regex matching a prefix of an attacker's origin",
            origins: &[],
            regexes: &[r"https://pr-[0-9]+\.preview\.example\.com"],
            request: || {
                request(
                    "GET",
                    Some("https://pr-1.preview.example.com.evil.example"),
                    &[],
                )
            },
            reason: "origin_not_allowed",
            hint: None,
        },
        Row {
            name: "scheme and port",
            origins: &["http://localhost:3000"],
            regexes: &[],
            request: || request("GET", Some("https://localhost:5173"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"http://localhost:3000\": the scheme differs: the page \
                 is served over https, the entry allows http; the port differs: the page runs on \
                 5173, the entry allows 3000 (write `:*` to allow any port)",
            ),
        },
        Row {
            name: "opaque origin",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("null"), &[]),
            reason: "origin_not_allowed",
            hint: Some("the page has an opaque origin, which browsers send as `null`"),
        },
        Row {
            name: "typo",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("https://app.exmaple.com"), &[]),
            reason: "origin_not_allowed",
            hint: Some(
                "closest allowed origin \"https://app.example.com\" is spelled differently (2 \
                 characters differ): check both for a typo",
            ),
        },
        Row {
            name: "unrelated origin",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("https://evil.example"), &[]),
            reason: "origin_not_allowed",
            hint: None,
        },
        Row {
            name: "not an origin",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("https://app.example.com/"), &[]),
            reason: "origin_not_allowed",
            hint: Some("this is not an origin as browsers write it"),
        },
        Row {
            name: "method not allowed",
            origins: APP,
            regexes: &[],
            request: || preflight("https://app.example.com", "DELETE", &[]),
            reason: "method_not_allowed",
            hint: Some("add DELETE to allowed_methods (CORS_ALLOWED_METHODS)"),
        },
        Row {
            name: "method in the wrong case",
            origins: APP,
            regexes: &[],
            request: || preflight("https://app.example.com", "patch", &[]),
            reason: "method_not_allowed",
            hint: Some(
                "methods are case-sensitive: allowed_methods has PATCH but the page sent patch; \
                 browsers uppercase only DELETE, GET, HEAD, OPTIONS, POST and PUT, so write \
                 method: 'PATCH' in the page",
            ),
        },
        Row {
            name: "header not allowed",
            origins: APP,
            regexes: &[],
            request: || {
                preflight(
                    "https://app.example.com",
                    "PUT",
                    &[("access-control-request-headers", "content-type,x-trace-id")],
                )
            },
            reason: "header_not_allowed",
            hint: Some("add x-trace-id to allowed_headers (CORS_ALLOWED_HEADERS)"),
        },
        Row {
            name: "credentials not allowed",
            origins: APP,
            regexes: &[],
            request: || request("GET", Some("https://app.example.com"), &[("cookie", "a=1")]),
            reason: "credentials_not_allowed",
            hint: Some("set allow_credentials = true"),
        },
        Row {
            name: "private network not allowed",
            origins: APP,
            regexes: &[],
            request: || {
                preflight(
                    "https://app.example.com",
                    "GET",
                    &[("access-control-request-private-network", "true")],
                )
            },
            reason: "private_network_not_allowed",
            hint: Some("set allow_private_network = true (CORS_ALLOW_PRIVATE_NETWORK=true)"),
        },
        Row {
            name: "malformed: several origins",
            origins: APP,
            regexes: &[],
            request: || {
                let mut request = request("GET", Some("https://app.example.com"), &[]);
                request
                    .headers_mut()
                    .append("origin", "https://app.example.com".parse().unwrap());
                request
            },
            reason: "multiple_origins",
            hint: Some("no browser sends this"),
        },
        Row {
            name: "malformed: request headers too long",
            origins: APP,
            regexes: &[],
            request: || {
                let long = "x-a,".repeat(1100);
                let mut request = preflight("https://app.example.com", "PUT", &[]);
                request
                    .headers_mut()
                    .insert("access-control-request-headers", long.parse().unwrap());
                request
            },
            reason: "request_headers_too_long",
            hint: Some("no browser sends this"),
        },
    ]
}

fn row_layer(row: &Row, debug: bool) -> CorsLayer {
    CorsLayer::builder()
        .allow_origins(row.origins.iter().copied())
        .allow_origin_regexes(row.regexes.iter().copied())
        .allow_methods(["PUT", "PATCH"])
        .allow_headers(["content-type"])
        .debug(debug)
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_refusal_class_and_near_miss_gets_its_reason_and_hint() {
    for row in rows() {
        // `decide` always looks for the hint.
        let layer = row_layer(&row, false);
        let decided = layer.decide(&(row.request)());
        let refusal = decided
            .refusal()
            .unwrap_or_else(|| panic!("{}: not refused: {decided:?}", row.name));
        assert_eq!(refusal.reason().code(), row.reason, "{}", row.name);
        match row.hint {
            Some(hint) => assert!(
                refusal.hint().is_some_and(|h| h.contains(hint)),
                "{}: hint {:?} does not say {hint:?}",
                row.name,
                refusal.hint()
            ),
            None => assert_eq!(refusal.hint(), None, "{}", row.name),
        }

        // The response carries the same decision; in debug mode, with the hint.
        let response = send_with(&row_layer(&row, true), (row.request)(), &[]).await;
        assert_eq!(decision(&response), decided, "{}", row.name);
    }
}

/// 300 origins of about 200 characters, alike but for three digits: the allowlist that made
/// the near-miss search expensive when it compared every entry.
fn long_origins() -> Vec<String> {
    (0..300)
        .map(|i| format!("https://{}{i:03}.example.com", long_labels()))
        .collect()
}

/// Three labels, 179 characters: a host may have labels of 63 at most.
fn long_labels() -> String {
    format!("{a}.{a}.{}", "a".repeat(57), a = "a".repeat(60))
}

/// The near-miss search is bounded (an index by host and by rare substrings, a capped number of
/// comparisons), yet every near-miss class still gets its hint when the allowlist also holds
/// hundreds of long, alike entries, and a typo in one of those entries is still named.
#[tokio::test]
async fn near_misses_are_still_found_among_hundreds_of_long_alike_entries() {
    let mut checked = 0;
    for row in rows() {
        if row.reason != "origin_not_allowed" {
            continue;
        }
        let layer = CorsLayer::builder()
            .allow_origins(long_origins())
            .allow_origins(row.origins.iter().copied())
            .allow_origin_regexes(row.regexes.iter().copied())
            .build()
            .unwrap();
        let decided = layer.decide(&(row.request)());
        let refusal = decided
            .refusal()
            .unwrap_or_else(|| panic!("{}: not refused: {decided:?}", row.name));
        match row.hint {
            Some(hint) => assert!(
                refusal.hint().is_some_and(|h| h.contains(hint)),
                "{}: hint {:?} does not say {hint:?}",
                row.name,
                refusal.hint()
            ),
            None => assert_eq!(refusal.hint(), None, "{}", row.name),
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} near-miss rows");

    let layer = CorsLayer::builder()
        .allow_origins(long_origins())
        .build()
        .unwrap();
    let hint = |origin: &str| {
        layer
            .decide(&request("GET", Some(origin), &[]))
            .refusal()
            .and_then(|refusal| refusal.hint().map(str::to_owned))
    };
    let long = long_labels();
    for (sent, entry, edits) in [
        (
            format!("https://{long}217.exmaple.com"),
            format!("https://{long}217.example.com"),
            2,
        ),
        (
            format!("https://{long}0999.example.com"),
            format!("https://{long}099.example.com"),
            1,
        ),
        (
            format!("https://{long}a42.example.com"),
            format!("https://{long}042.example.com"),
            1,
        ),
    ] {
        assert_eq!(
            hint(&sent),
            Some(format!(
                "closest allowed origin {entry:?} is spelled differently ({edits} characters \
                 differ): check both for a typo"
            )),
            "{sent}"
        );
    }
    // Three edits from every entry: no hint, however alike the entries.
    assert_eq!(hint(&format!("https://{long}xyz.example.com")), None);
}

#[tokio::test]
async fn the_refusal_body_names_the_allowlist_only_in_debug_mode() {
    let refused = || preflight("http://app.example.com", "PUT", &[]);
    let quiet = layer(&["https://app.example.com"]);
    let body = body_text(send_with(&quiet, refused(), &[]).await).await;
    assert_eq!(body, "origin \"http://app.example.com\" is not allowed\n");

    let debug = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .debug(true)
        .build()
        .unwrap();
    let body = body_text(send_with(&debug, refused(), &[]).await).await;
    assert_eq!(
        body,
        "origin \"http://app.example.com\" is not allowed\n\
         hint: closest allowed origin \"https://app.example.com\": the scheme differs: the page \
         is served over http, the entry allows https\n"
    );
}

fn call_all(
    layer: &CorsLayer,
    requests: Vec<Request<Body>>,
    headers: &'static [(&'static str, &'static str)],
) {
    let mut service = layer.layer(service_fn(move |_: Request<Body>| async move {
        let mut response = Response::new(Full::new(Bytes::new()));
        for (name, value) in headers {
            response.headers_mut().append(*name, value.parse().unwrap());
        }
        Ok::<_, Infallible>(response)
    }));
    for request in requests {
        let response = futures::executor::block_on(service.call(request)).unwrap();
        drop(response);
    }
}

#[test]
fn debug_mode_logs_refusals_at_info_with_the_hint() {
    let debug = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .debug(true)
        .build()
        .unwrap();
    let lines = log_lines(tracing::Level::INFO, || {
        call_all(
            &debug,
            vec![request("GET", Some("http://app.example.com"), &[])],
            &[],
        );
    });
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("INFO"), "{}", lines[0]);
    assert!(
        lines[0].contains("reason=\"origin_not_allowed\""),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("hint=\"closest allowed origin"),
        "{}",
        lines[0]
    );

    // Without debug mode, nothing at info; the hint is in the debug event.
    let quiet = layer(&["https://app.example.com"]);
    let refused = || vec![request("GET", Some("http://app.example.com"), &[])];
    assert_eq!(
        log_lines(tracing::Level::INFO, || call_all(&quiet, refused(), &[])),
        Vec::<String>::new()
    );
    let lines = log_lines(tracing::Level::DEBUG, || call_all(&quiet, refused(), &[]));
    assert!(
        lines[0].contains("hint=\"closest allowed origin"),
        "{lines:#?}"
    );
}

#[test]
fn cors_debug_variable_turns_debug_mode_on() {
    let config = tower_cors::CorsConfig::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_DEBUG", "true"),
        ],
    )
    .unwrap();
    assert!(config.debug);
    let config = tower_cors::CorsConfig::from_toml_str(
        "allowed_origins = [\"https://app.example.com\"]\ndebug = true\n",
    )
    .unwrap();
    assert!(config.debug);
}

#[test]
fn configuration_warnings_name_the_key_the_value_and_the_fix() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com", "http://localhost:5173"])
        .allow_credentials(true)
        .allow_methods(["GET"])
        .allow_headers(["content-type", "accept"])
        .expose_headers(["content-length", "x-request-id"])
        .max_age(std::time::Duration::from_secs(86_400))
        .build()
        .unwrap();
    let warnings: Vec<String> = layer.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "allowed_origins[1]: \"http://localhost:5173\": a loopback origin with credentials: \
             any program serving it on a user's machine (another dev server, a local app) can \
             read their credentialed responses; keep loopback origins in development \
             configurations",
            "max_age: \"86400\": Chromium caps the preflight cache at 7200 seconds, so Chromium \
             browsers preflight again after 2 hours; use 7200 or less, unless the longer \
             lifetime is for Firefox",
            "expose_headers[0]: \"content-length\": scripts can always read this response \
             header, so exposing it changes nothing; remove it",
            "allowed_headers[1]: \"accept\": browsers send this request header without asking \
             (for the short, plain values they use), so allowing it usually changes nothing; \
             remove it",
            // Credentials without cross-origin protection: cookies travel with cross-site
            // form posts, which CORS does not stop.
            "cross_origin_protection: \"false\": CORS alone does not stop cross-site form \
             posts with cookies: a page on any site can still submit a form or a no-cors fetch \
             to this server with its users' cookies, and the handler runs; set \
             cross_origin_protection = true (CORS_CROSS_ORIGIN_PROTECTION=true), or check a \
             CSRF token in every handler that changes state",
        ]
    );

    let any = CorsLayer::builder()
        .allow_origins(["*"])
        .allow_private_network(true)
        .build()
        .unwrap();
    assert_eq!(any.warnings().len(), 1);
    assert_eq!(any.warnings()[0].key(), "allow_private_network");
    assert!(layer_without_warnings().warnings().is_empty());
}

fn layer_without_warnings() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .max_age(std::time::Duration::from_secs(600))
        // With credentials, leaving it off is a warning.
        .cross_origin_protection(true)
        .build()
        .unwrap()
}

#[test]
fn a_cookie_without_samesite_none_secure_on_a_cross_site_response_is_said_once() {
    let layer = layer_without_warnings();
    let cross_site = || {
        let mut request = request("GET", Some("https://app.example.com"), &[]);
        request
            .headers_mut()
            .insert("host", "api.example.net".parse().unwrap());
        request
    };
    let lines = log_lines(tracing::Level::WARN, || {
        call_all(
            &layer,
            vec![cross_site(), cross_site(), cross_site()],
            &[("set-cookie", "session=abc; Path=/; HttpOnly")],
        );
    });
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains("cookie session is set on a credentialed response to \"https://app.example.com\" without `SameSite=None; Secure`"),
        "{}",
        lines[0]
    );

    // Same site (api.example.com for app.example.com), or `SameSite=None; Secure`: nothing.
    let layer = layer_without_warnings();
    let same_site = || {
        let mut request = request("GET", Some("https://app.example.com"), &[]);
        request
            .headers_mut()
            .insert("host", "api.example.com:8443".parse().unwrap());
        request
    };
    let lines = log_lines(tracing::Level::WARN, || {
        call_all(
            &layer,
            vec![same_site()],
            &[("set-cookie", "session=abc; HttpOnly")],
        );
        call_all(
            &layer,
            vec![cross_site()],
            &[("set-cookie", "session=abc; SameSite=None; Secure")],
        );
    });
    assert_eq!(lines, Vec::<String>::new());
}

#[test]
fn inner_cors_headers_are_removed_and_said_once() {
    let layer = layer(&["https://app.example.com"]);
    let allowed = || request("GET", Some("https://app.example.com"), &[]);
    let lines = log_lines(tracing::Level::WARN, || {
        call_all(
            &layer,
            vec![allowed(), allowed(), allowed()],
            &[("access-control-allow-origin", "*")],
        );
    });
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains(
            "the inner service set access-control-allow-origin; the CORS layer removed it"
        ),
        "{}",
        lines[0]
    );
}

#[tokio::test]
async fn a_request_without_origin_is_not_cors_even_under_a_star_policy() {
    let layer = CorsLayer::builder()
        .allow_origins(["*"])
        .record_all_decisions(true)
        .build()
        .unwrap();
    let response = send_with(&layer, request("GET", None, &[]), &[]).await;
    assert_eq!(decision(&response), CorsDecision::NotCors);
    assert_eq!(
        layer.decide(&request("GET", None, &[])),
        CorsDecision::NotCors
    );
}

#[tokio::test]
async fn cookies_on_requests_the_browser_does_not_cors_check_are_not_refused() {
    // Recording every decision, so that the allowed ones can be read from the responses.
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .record_all_decisions(true)
        .build()
        .unwrap();
    let with = |headers: &[(&str, &str)]| {
        let mut all = vec![("cookie", "session=1")];
        all.extend_from_slice(headers);
        request("POST", Some("https://app.example.com"), &all)
    };
    // Same origin (by fetch metadata, or by the host), a form navigation, a WebSocket handshake.
    for request in [
        with(&[
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "cors"),
        ]),
        with(&[("host", "app.example.com")]),
        with(&[
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-site", "same-site"),
        ]),
        with(&[
            ("sec-fetch-mode", "websocket"),
            ("sec-fetch-site", "cross-site"),
        ]),
    ] {
        let response = send_with(&layer, request, &[]).await;
        assert_eq!(
            decision(&response),
            CorsDecision::Allowed(CorsRequestKind::Actual)
        );
    }
    // A cross-site CORS fetch with cookies is the one the browser will hide.
    let response = send_with(
        &layer,
        with(&[("sec-fetch-mode", "cors"), ("sec-fetch-site", "same-site")]),
        &[],
    )
    .await;
    assert_eq!(
        decision(&response)
            .refusal()
            .map(|refusal| refusal.reason().code()),
        Some("credentials_not_allowed")
    );
}

#[test]
fn ip_hosts_are_their_own_site_for_the_cookie_warning() {
    let layer = CorsLayer::builder()
        .allow_origins(["http://10.0.0.1:8080"])
        .allow_credentials(true)
        .dangerously_allow_insecure_origins(true)
        .build()
        .unwrap();
    let mut from_another_ip = request("GET", Some("http://10.0.0.1:8080"), &[]);
    from_another_ip
        .headers_mut()
        .insert("host", "192.168.0.1".parse().unwrap());
    let lines = log_lines(tracing::Level::WARN, || {
        call_all(&layer, vec![from_another_ip], &[("set-cookie", "id=1")]);
    });
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("cookie id is set"), "{}", lines[0]);
}
