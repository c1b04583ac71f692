//! Cross-origin protection, through the layer: Go's `CrossOriginProtection` decision table case
//! by case (`Sec-Fetch-Site`, then `Origin` against the host), WebSocket handshakes, the
//! allowlist and exempt paths, and its configuration from every source.

mod common;
#[path = "common/logs.rs"]
mod logs;

use common::{body_text, header, vary, Body, Inner};
use http::{Request, StatusCode, Version};
use tower_cors::{ConfigErrorKind, CorsConfig, CorsDecision, CorsLayer, RefusalReason};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";
const HOST: &str = "api.example.com";

fn protected() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP, "https://*.partner.example"])
        .allow_credentials(true)
        .cross_origin_protection(true)
        .cross_origin_exempt_paths(["/hooks", "/sso/"])
        .build()
        .unwrap()
}

/// A request to `path` on `HOST` with the given method and headers.
fn to(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if !headers.iter().any(|(name, _)| *name == "host") {
        builder = builder.header("host", HOST);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::default()).unwrap()
}

fn post(headers: &[(&str, &str)]) -> Request<Body> {
    to("POST", "/submit", headers)
}

/// Sends `request` through `layer`; returns the status, whether the inner service ran, and the
/// refusal's reason code, if any.
async fn outcome(layer: &CorsLayer, request: Request<Body>) -> (StatusCode, bool, Option<String>) {
    let inner = Inner::default();
    let response = inner.send(layer, request).await;
    let code = response
        .extensions()
        .get::<CorsDecision>()
        .and_then(CorsDecision::refusal)
        .map(|refusal| refusal.reason().code().to_owned());
    (response.status(), inner.calls() == 1, code)
}

#[track_caller]
fn assert_passes((status, reached, _): (StatusCode, bool, Option<String>), case: &str) {
    assert!(reached, "{case}: the inner service must run");
    assert_eq!(status, StatusCode::OK, "{case}");
}

#[track_caller]
fn assert_refused((status, reached, code): (StatusCode, bool, Option<String>), case: &str) {
    assert!(!reached, "{case}: the inner service must not run");
    assert_eq!(status, StatusCode::FORBIDDEN, "{case}");
    assert_eq!(
        code.as_deref(),
        Some("cross_origin_request_forbidden"),
        "{case}"
    );
}

#[tokio::test]
async fn sec_fetch_site_same_origin_and_none_pass() {
    let layer = protected();
    for site in ["same-origin", "none"] {
        // `Sec-Fetch-Site` wins over an `Origin` that does not match the host.
        let request = post(&[("sec-fetch-site", site), ("origin", EVIL)]);
        assert_passes(outcome(&layer, request).await, site);
    }
}

#[tokio::test]
async fn sec_fetch_site_cross_site_and_same_site_are_refused() {
    let layer = protected();
    for (site, origin) in [
        ("cross-site", EVIL),
        ("same-site", "https://www.example.com"),
    ] {
        let request = post(&[("sec-fetch-site", site), ("origin", origin)]);
        assert_refused(outcome(&layer, request).await, site);
    }
    // Even when `Origin` names the host itself: the browser's judgement comes first.
    let request = post(&[
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://api.example.com"),
    ]);
    assert_refused(
        outcome(&layer, request).await,
        "cross-site, origin of the host",
    );
}

#[tokio::test]
async fn sec_fetch_site_cross_site_without_origin_is_refused() {
    let response = Inner::default()
        .send(&protected(), post(&[("sec-fetch-site", "cross-site")]))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        body_text(response).await,
        "cross-origin request without an Origin header (Sec-Fetch-Site says cross-origin) is \
         forbidden\n"
    );
}

/// No browser sends `Sec-Fetch-Site` twice; a request that carries it twice (a proxy that
/// merged two requests' headers, a line added on the way) is judged cross-site, whatever the
/// first line says.
#[tokio::test]
async fn several_sec_fetch_site_lines_are_cross_site() {
    let layer = protected();
    for lines in [
        ["same-origin", "cross-site"],
        ["none", "cross-site"],
        ["same-origin", "same-origin"],
    ] {
        let case = lines.join(", ");
        let request = post(&[
            ("sec-fetch-site", lines[0]),
            ("sec-fetch-site", lines[1]),
            ("origin", EVIL),
        ]);
        assert_refused(outcome(&layer, request).await, &case);
        let request = post(&[("sec-fetch-site", lines[0]), ("sec-fetch-site", lines[1])]);
        assert_refused(
            outcome(&layer, request).await,
            &format!("{case}, no Origin"),
        );
    }
    // From an allowed origin, cross-site is fine.
    let request = post(&[
        ("sec-fetch-site", "same-origin"),
        ("sec-fetch-site", "cross-site"),
        ("origin", APP),
    ]);
    assert_passes(outcome(&layer, request).await, "allowed origin");
}

#[tokio::test]
async fn without_sec_fetch_site_origin_is_compared_with_host() {
    let layer = protected();
    let same = post(&[("origin", "https://api.example.com")]);
    assert_passes(outcome(&layer, same).await, "origin of the host");
    let other = post(&[("origin", EVIL)]);
    assert_refused(outcome(&layer, other).await, "another origin");
}

#[tokio::test]
async fn origin_and_host_compare_ports() {
    let layer = protected();
    let cases = [
        ("http://localhost:3000", "localhost:3000", true),
        ("http://localhost:3000", "localhost:8080", false),
        ("http://localhost:3000", "localhost", false),
        ("http://localhost", "localhost:3000", false),
        // A client may write the default port that `Origin` leaves out.
        ("https://api.example.com", "api.example.com:443", true),
        ("http://api.example.com", "api.example.com:80", true),
        ("https://api.example.com", "api.example.com:80", false),
    ];
    for (origin, host, same) in cases {
        let request = post(&[("origin", origin), ("host", host)]);
        let case = format!("{origin} to {host}");
        if same {
            assert_passes(outcome(&layer, request).await, &case);
        } else {
            assert_refused(outcome(&layer, request).await, &case);
        }
    }
}

#[tokio::test]
async fn null_origin_is_refused_even_when_cors_allows_it() {
    let layer = CorsLayer::builder()
        .allow_origins([APP, "null"])
        .dangerously_allow_null_origin(true)
        .cross_origin_protection(true)
        .build()
        .unwrap();
    for headers in [
        &[("origin", "null")][..],
        &[("origin", "null"), ("sec-fetch-site", "cross-site")][..],
    ] {
        assert_refused(outcome(&layer, post(headers)).await, "null");
    }
}

#[tokio::test]
async fn http2_requests_are_compared_with_the_uri_authority() {
    let layer = protected();
    let h2 = |origin: &str| {
        Request::post("https://api.example.com/submit")
            .version(Version::HTTP_2)
            .header("origin", origin)
            .body(Body::default())
            .unwrap()
    };
    assert_passes(
        outcome(&layer, h2("https://api.example.com")).await,
        "same authority",
    );
    assert_refused(outcome(&layer, h2(EVIL)).await, "other authority");
}

/// An HTTP/2 request names its server in `:authority` (the URI's authority here); one that also
/// carries a `Host` naming another server is not what a browser sends, and the page's origin
/// must match both to count as same-origin.
#[tokio::test]
async fn an_http2_host_that_disagrees_with_the_authority_is_cross_origin() {
    let layer = protected();
    let h2 = |host: &str, origin: &str| {
        Request::post("https://api.example.com/submit")
            .version(Version::HTTP_2)
            .header("host", host)
            .header("origin", origin)
            .body(Body::default())
            .unwrap()
    };
    assert_refused(
        outcome(&layer, h2("evil.example", EVIL)).await,
        "Host names the page's server",
    );
    assert_refused(
        outcome(&layer, h2("api.example.com", EVIL)).await,
        "both name another server",
    );
    // Spellings of the same authority agree: case, and the default port.
    for host in ["api.example.com", "API.example.com", "api.example.com:443"] {
        let request = h2(host, "https://api.example.com");
        assert_passes(outcome(&layer, request).await, host);
    }
}

#[tokio::test]
async fn requests_without_origin_or_sec_fetch_site_pass() {
    let request = post(&[("cookie", "session=1")]);
    assert_passes(outcome(&protected(), request).await, "curl");
}

#[tokio::test]
async fn safe_methods_pass() {
    let layer = protected();
    for method in ["GET", "HEAD", "OPTIONS"] {
        let request = to(
            method,
            "/submit",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
        );
        let (status, reached, code) = outcome(&layer, request).await;
        assert!(reached, "{method}");
        assert_eq!(status, StatusCode::OK, "{method}");
        // What CORS itself says about the origin is unchanged.
        assert_eq!(code.as_deref(), Some("origin_not_allowed"), "{method}");
    }
}

#[tokio::test]
async fn unsafe_methods_are_refused() {
    let layer = protected();
    for method in ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"] {
        let request = to(
            method,
            "/submit",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
        );
        assert_refused(outcome(&layer, request).await, method);
    }
}

#[tokio::test]
async fn preflights_are_answered_as_before() {
    let request = to(
        "OPTIONS",
        "/submit",
        &[
            ("origin", APP),
            ("sec-fetch-site", "cross-site"),
            ("access-control-request-method", "POST"),
        ],
    );
    let response = Inner::default().send(&protected(), request).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
}

#[tokio::test]
async fn allowed_origins_pass_with_their_cors_headers() {
    let layer = protected();
    for origin in [APP, "https://shop.partner.example"] {
        let request = post(&[("origin", origin), ("sec-fetch-site", "cross-site")]);
        let inner = Inner::default();
        let response = inner.send(&layer, request).await;
        assert_eq!(inner.calls(), 1, "{origin}");
        assert_eq!(response.status(), StatusCode::OK, "{origin}");
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some(origin)
        );
        assert_eq!(
            header(&response, "access-control-allow-credentials").as_deref(),
            Some("true")
        );
    }
}

#[tokio::test]
async fn origins_allowed_by_the_sync_predicate_pass() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_origin_predicate(|origin, _| origin.as_bytes().ends_with(b".tenant.example"))
        .cross_origin_protection(true)
        .build()
        .unwrap();
    let tenant = post(&[
        ("origin", "https://a.tenant.example"),
        ("sec-fetch-site", "cross-site"),
    ]);
    assert_passes(outcome(&layer, tenant).await, "tenant");
    let other = post(&[("origin", EVIL), ("sec-fetch-site", "cross-site")]);
    assert_refused(outcome(&layer, other).await, "other");
}

#[tokio::test]
async fn refusal_is_a_one_line_text_403_with_vary_and_no_grant() {
    let request = post(&[("origin", EVIL), ("sec-fetch-site", "cross-site")]);
    let response = Inner::default().send(&protected(), request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(vary(&response), ["origin"]);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert_eq!(header(&response, "access-control-allow-credentials"), None);
    let decision = response
        .extensions()
        .get::<CorsDecision>()
        .cloned()
        .unwrap();
    assert_eq!(
        decision.refusal().map(|r| r.reason().clone()),
        Some(RefusalReason::CrossOriginRequestForbidden {
            origin: Some(EVIL.parse().unwrap())
        })
    );
    assert_eq!(
        body_text(response).await,
        "cross-origin request from origin \"https://evil.example\" is forbidden\n"
    );
}

#[tokio::test]
async fn several_origins_are_refused() {
    let request = to(
        "POST",
        "/submit",
        &[
            ("origin", APP),
            ("origin", EVIL),
            ("sec-fetch-site", "cross-site"),
        ],
    );
    assert_refused(outcome(&protected(), request).await, "several");
}

#[tokio::test]
async fn exempt_paths_accept_cross_origin_posts() {
    let layer = protected();
    let cross = [("origin", EVIL), ("sec-fetch-site", "cross-site")];
    for path in ["/hooks", "/hooks/stripe", "/sso/callback"] {
        assert_passes(outcome(&layer, to("POST", path, &cross)).await, path);
    }
    for path in ["/hooksmith", "/sso", "/hooks/../submit", "/submit/hooks"] {
        assert_refused(outcome(&layer, to("POST", path, &cross)).await, path);
    }
}

/// A WebSocket handshake as Chromium sends it: no `Sec-Fetch-Site`.
fn handshake(origin: &str, upgrade: &str) -> Request<Body> {
    to(
        "GET",
        "/ws",
        &[
            ("origin", origin),
            ("connection", "Upgrade"),
            ("upgrade", upgrade),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ],
    )
}

#[tokio::test]
async fn websocket_handshakes_from_other_origins_are_refused() {
    let layer = protected();
    for upgrade in ["websocket", "WebSocket"] {
        let (status, reached, code) = outcome(&layer, handshake(EVIL, upgrade)).await;
        assert!(!reached, "{upgrade}");
        assert_eq!(status, StatusCode::FORBIDDEN, "{upgrade}");
        assert_eq!(
            code.as_deref(),
            Some("cross_origin_websocket_forbidden"),
            "{upgrade}"
        );
    }
    // Same host name, another port: another origin.
    let request = handshake("https://api.example.com:8443", "websocket");
    assert_eq!(outcome(&layer, request).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn websocket_handshakes_from_the_same_or_an_allowed_origin_pass() {
    let layer = protected();
    for origin in ["https://api.example.com", APP] {
        let (status, reached, _) = outcome(&layer, handshake(origin, "websocket")).await;
        assert!(reached, "{origin}");
        assert_eq!(status, StatusCode::OK, "{origin}");
    }
}

#[tokio::test]
async fn a_get_without_upgrade_from_another_origin_is_left_to_cors() {
    let request = to("GET", "/ws", &[("origin", EVIL)]);
    let (status, reached, code) = outcome(&protected(), request).await;
    assert!(reached);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(code.as_deref(), Some("origin_not_allowed"));
}

#[tokio::test]
async fn protection_off_changes_nothing() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(true)
        .build()
        .unwrap();
    let cross = [("origin", EVIL), ("sec-fetch-site", "cross-site")];
    let (status, reached, code) = outcome(&layer, post(&cross)).await;
    assert!(
        reached,
        "the handler runs: the threat the protection closes"
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(code.as_deref(), Some("origin_not_allowed"));
    let (status, reached, _) = outcome(&layer, handshake(EVIL, "websocket")).await;
    assert!(reached);
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn decide_reports_the_refusal() {
    let request = Request::post("/submit")
        .header("host", HOST)
        .header("origin", EVIL)
        .body(())
        .unwrap();
    let decision = protected().decide(&request);
    let refusal = decision.refusal().unwrap();
    assert_eq!(refusal.reason().code(), "cross_origin_request_forbidden");
    assert!(refusal
        .hint()
        .unwrap()
        .contains("cross_origin_exempt_paths"));
}

#[test]
fn each_refusal_emits_one_refusal_event() {
    use tower::{Layer, Service};
    let mut service = protected().layer(tower::service_fn(|_: Request<Body>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
    }));
    let events = logs::events(|| {
        drop(service.call(handshake(EVIL, "websocket")));
    });
    let refusals: Vec<_> = events
        .iter()
        .filter(|event| event.target == "tower_cors::refusal")
        .collect();
    assert_eq!(refusals.len(), 1, "{events:#?}");
    assert_eq!(
        refusals[0].field("reason"),
        Some("cross_origin_websocket_forbidden")
    );
    assert_eq!(refusals[0].field("origin"), Some(EVIL));
    assert_eq!(refusals[0].field("path"), Some("/ws"));
}

#[test]
fn any_origin_with_protection_is_a_configuration_error() {
    let errors = CorsLayer::builder()
        .allow_any_origin()
        .cross_origin_protection(true)
        .build()
        .unwrap_err();
    let error = errors.iter().next().unwrap();
    assert_eq!(
        error.kind(),
        ConfigErrorKind::CrossOriginProtectionWithAnyOrigin
    );
    assert_eq!(
        error.to_string(),
        "cross_origin_protection: \"true\": with \"*\" origins every page is allowed, so the \
         protection would refuse nothing; list the origins of your frontends in \
         allowed_origins instead of \"*\", or turn cross_origin_protection off"
    );
}

#[test]
fn bad_exempt_paths_are_configuration_errors() {
    let errors = CorsLayer::from_toml_str(
        r#"
        allowed_origins = ["https://app.example.com"]
        cross_origin_protection = true
        cross_origin_exempt_paths = ["hooks", "/sso?x=1", "/hooks/*", "https://api.example.com/cb", "/", "/a b"]
        "#,
    )
    .unwrap_err();
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "cross_origin_exempt_paths[0]: \"hooks\": a path prefix must start with /; write it \
             as \"/hooks\"",
            "cross_origin_exempt_paths[1]: \"/sso?x=1\": a path prefix has no query or \
             fragment: requests are matched on their path; write it as \"/sso\"",
            "cross_origin_exempt_paths[2]: \"/hooks/*\": patterns are not supported: a prefix \
             already covers every path below it; write it as \"/hooks\"",
            "cross_origin_exempt_paths[3]: \"https://api.example.com/cb\": an exempt path is a \
             path prefix, not a URL; write only its path, as \"/cb\"",
            "cross_origin_exempt_paths[4]: \"/\": \"/\" exempts every path, which turns the \
             protection off; list the paths that must accept cross-origin requests, such as \
             \"/hooks\", or turn cross_origin_protection off",
            "cross_origin_exempt_paths[5]: \"/a b\": a path prefix has no spaces, control \
             characters or dot segments; write the path as browsers send it, percent-encoded",
        ]
    );
    assert!(errors
        .iter()
        .all(|error| error.kind() == ConfigErrorKind::InvalidExemptPath));
}

#[test]
fn toml_keys_configure_the_protection() {
    let config = CorsConfig::from_toml_str(
        r#"
        allowed_origins = ["https://app.example.com"]
        cross_origin_protection = true
        cross_origin_exempt_paths = ["/hooks"]
        "#,
    )
    .unwrap();
    assert!(config.cross_origin_protection);
    assert_eq!(config.cross_origin_exempt_paths, ["/hooks"]);
    let shown = config.to_string();
    assert!(
        shown.contains("cross_origin_protection = true\n"),
        "{shown}"
    );
    assert!(
        shown.contains("cross_origin_exempt_paths = [\"/hooks\"]\n"),
        "{shown}"
    );
    // What the configuration says is what it reads back.
    assert_eq!(CorsConfig::from_toml_str(&shown).unwrap(), config);
}

#[test]
fn env_vars_configure_the_protection() {
    let config = CorsConfig::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_CROSS_ORIGIN_PROTECTION", "true"),
            ("CORS_CROSS_ORIGIN_EXEMPT_PATHS", "/hooks, /sso/callback"),
        ],
    )
    .unwrap();
    assert!(config.cross_origin_protection);
    assert_eq!(
        config.cross_origin_exempt_paths,
        ["/hooks", "/sso/callback"]
    );
    let errors = CorsLayer::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_CROSS_ORIGIN_PROTECTION", "yes"),
            ("CORS_CROSS_ORIGIN_EXEMPT_PATHS", "hooks"),
        ],
    )
    .unwrap_err();
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("CORS_CROSS_ORIGIN_PROTECTION: \"yes\"")),
        "{messages:#?}"
    );
}

#[test]
fn protection_is_off_by_default() {
    assert!(!CorsConfig::default().cross_origin_protection);
    assert!(CorsConfig::default().cross_origin_exempt_paths.is_empty());
}

#[test]
fn credentials_without_protection_are_warned_about() {
    let warnings = |protect: bool| -> Vec<String> {
        CorsLayer::builder()
            .allow_origins([APP])
            .allow_credentials(true)
            .cross_origin_protection(protect)
            .build()
            .unwrap()
            .warnings()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        warnings(false),
        [
            "cross_origin_protection: \"false\": CORS alone does not stop cross-site form posts \
          with cookies: a page on any site can still submit a form or a no-cors fetch to this \
          server with its users' cookies, and the handler runs; set cross_origin_protection = \
          true (CORS_CROSS_ORIGIN_PROTECTION=true), or check a CSRF token in every handler that \
          changes state"
        ]
    );
    assert!(warnings(true).is_empty());
}

#[test]
fn exempt_paths_without_protection_are_warned_about() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .cross_origin_exempt_paths(["/hooks"])
        .build()
        .unwrap();
    let warnings = layer.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].key(), "cross_origin_exempt_paths");
}

#[test]
fn reload_lists_the_protection_among_the_changes() {
    let (_layer, handle) = CorsLayer::builder()
        .allow_origins([APP])
        .build()
        .unwrap()
        .reloadable();
    let mut config = CorsConfig::default();
    config.allowed_origins = vec![APP.into()];
    config.cross_origin_protection = true;
    config.cross_origin_exempt_paths = vec!["/hooks".into()];
    let changes: Vec<String> = handle
        .reload(config)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        changes,
        [
            "cross_origin_protection: false -> true",
            "cross_origin_exempt_paths: [] -> [\"/hooks\"]",
        ]
    );
}
