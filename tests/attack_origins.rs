//! Attack origins, sent through the layer: every CORS misconfiguration class that lets a hostile
//! `Origin` through, and hostile preflight input, must be refused.
//!
//! Each test names the misconfiguration class it covers (PortSwigger's "Exploiting CORS
//! misconfigurations", <https://portswigger.net/web-security/cors>, and the published advisories
//! of other CORS libraries, such as GHSA-vhxv-fg4m-p2w8), and the Fetch standard's rules
//! (<https://fetch.spec.whatwg.org/#cors-check>): byte-exact matching, one origin only, `*`
//! never with credentials, `null` never implied, and malformed input never matching.
//!
//! Requests are real `http::Request`s sent with `oneshot` to a `CorsLayer` around a
//! `service_fn`, and the layer's own verdict, [`CorsLayer::decide`], is checked for the same
//! request. The inner service is itself a class-1 misconfiguration: it reflects any `Origin` with
//! credentials and an exposed header. So every assertion that a response carries no
//! `Access-Control-*` header proves that the layer removed what the inner stack granted.

use std::convert::Infallible;

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, CONTENT_TYPE, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{
    ConfigError, ConfigErrorKind, ConfigErrors, CorsBuilder, CorsDecision, CorsLayer,
    CorsRequestKind, RefusalReason,
};

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/// Methods every test policy allows beyond the safelisted ones; the list a non-strict refusal
/// sends back.
const METHODS: [&str; 2] = ["PUT", "DELETE"];
const METHODS_LIST: &str = "PUT, DELETE";
/// Request headers every test policy allows; the list a non-strict refusal sends back.
const HEADERS: [&str; 2] = ["content-type", "x-custom"];
const HEADERS_LIST: &str = "content-type, x-custom";

/// A builder for `origins` with the shared method and header lists.
fn builder(origins: &[&str]) -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins(origins.iter().copied())
        .allow_methods(METHODS)
        .allow_headers(HEADERS)
}

/// Builds a policy the test expects to be valid.
fn build(builder: CorsBuilder) -> CorsLayer {
    builder
        .build()
        .unwrap_or_else(|errors| panic!("the policy was refused:\n{errors}"))
}

/// Asserts that a policy is valid; for tests about validation only.
fn assert_builds(builder: CorsBuilder, case: &str) {
    if let Err(errors) = builder.build() {
        panic!("{case}: the policy was refused:\n{errors}");
    }
}

/// The policy an attacker wants to get past: `origins`, with credentials.
fn credentialed(origins: &[&str]) -> CorsLayer {
    build(builder(origins).allow_credentials(true))
}

/// Builds a policy the test expects to be refused.
fn build_errors(builder: CorsBuilder, case: &str) -> ConfigErrors {
    match builder.build() {
        Ok(layer) => panic!("{case}: the policy was accepted: {layer:?}"),
        Err(errors) => errors,
    }
}

/// Asserts that the policy is refused with an error of `kind` and returns that error.
fn refused_at_build(builder: CorsBuilder, kind: ConfigErrorKind, case: &str) -> ConfigError {
    let errors = build_errors(builder, case);
    errors
        .iter()
        .find(|error| error.kind() == kind)
        .cloned()
        .unwrap_or_else(|| panic!("{case}: expected a {kind:?} error, got:\n{errors}"))
}

// ---------------------------------------------------------------------------------------------
// Requests and responses
// ---------------------------------------------------------------------------------------------

type TestRequest = Request<Full<Bytes>>;

/// Header lines of a request, as owned name and value pairs.
type HeaderLines = Vec<(&'static str, Vec<u8>)>;

/// A request with the given header lines, in order; a name given twice makes two lines.
fn request(method: Method, headers: &[(&'static str, &[u8])]) -> TestRequest {
    let mut request = Request::new(Full::default());
    *request.method_mut() = method;
    for &(name, value) in headers {
        let value = HeaderValue::from_bytes(value)
            .unwrap_or_else(|e| panic!("{name}: {:?} is not a header value: {e}", show(value)));
        request.headers_mut().append(name, value);
    }
    request
}

/// An actual CORS request: `GET` with one `Origin`.
fn actual(origin: &[u8]) -> TestRequest {
    request(Method::GET, &[("origin", origin)])
}

/// A preflight from `origin` for a method the policy allows.
fn preflight(origin: &[u8]) -> TestRequest {
    request(
        Method::OPTIONS,
        &[
            ("origin", origin),
            ("access-control-request-method", b"PUT"),
        ],
    )
}

/// A request value for assertion messages: lossy, escaped and cut to a readable length.
fn show(value: &[u8]) -> String {
    let text = format!("{:?}", String::from_utf8_lossy(value));
    if text.len() > 80 {
        format!("{}... ({} bytes)", &text[..60], value.len())
    } else {
        text
    }
}

/// The inner service: reflects any `Origin` with credentials and an exposed header (class 1),
/// and marks its responses so that tests can tell whether it ran.
async fn reflecting_inner(request: TestRequest) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"inner")));
    let headers = response.headers_mut();
    headers.insert("x-inner", HeaderValue::from_static("called"));
    if let Some(origin) = request.headers().get(ORIGIN) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-secret"),
        );
    }
    Ok(response)
}

/// What came back from the layer.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn header(&self, name: impl http::header::AsHeaderName) -> Option<&[u8]> {
        self.headers.get(name).map(HeaderValue::as_bytes)
    }

    /// The names of every `Access-Control-*` header in the response.
    fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .keys()
            .map(|name| name.as_str())
            .filter(|name| name.starts_with("access-control-"))
            .collect()
    }

    /// Whether `Vary` names `Origin`, on any of its lines.
    fn varies_on_origin(&self) -> bool {
        self.headers
            .get_all(VARY)
            .iter()
            .flat_map(|line| line.as_bytes().split(|&b| b == b','))
            .any(|element| element.trim_ascii().eq_ignore_ascii_case(b"origin"))
    }

    fn inner_called(&self) -> bool {
        self.headers.contains_key("x-inner")
    }
}

/// Sends `request` through `layer` around [`reflecting_inner`].
async fn send(layer: &CorsLayer, request: TestRequest) -> Answer {
    let response = layer
        .layer(service_fn(reflecting_inner))
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .unwrap_or_else(|never| match never {})
        .to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

// ---------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------

/// Asserts that `layer.decide` refuses `request` and returns the reason.
fn assert_decided_refused(
    layer: &CorsLayer,
    request: &TestRequest,
    kind: CorsRequestKind,
    case: &str,
) -> RefusalReason {
    match layer.decide(request) {
        CorsDecision::Refused(refusal) => {
            assert_eq!(refusal.kind(), kind, "{case}: kind of the refusal");
            refusal.reason().clone()
        }
        other => panic!("{case}: expected a refused {kind:?}, got {other:?}"),
    }
}

/// Asserts that an actual request carrying `request`'s origin lines gets no grant: the inner
/// service runs, whatever it granted is removed, and the response varies on `Origin`.
async fn assert_actual_refused(layer: &CorsLayer, request: TestRequest, case: &str) {
    assert_decided_refused(layer, &request, CorsRequestKind::Actual, case);
    let answer = send(layer, request).await;
    assert!(answer.inner_called(), "{case}: inner service not called");
    assert_eq!(
        answer.cors_headers(),
        Vec::<&str>::new(),
        "{case}: actual response grants access: {:?}",
        answer.headers
    );
    assert!(
        answer.varies_on_origin(),
        "{case}: no `Vary: Origin`: {:?}",
        answer.headers
    );
}

/// Asserts that a preflight carrying `request`'s origin lines is answered 403 by the layer, with
/// a text reason and no CORS headers.
async fn assert_preflight_forbidden(layer: &CorsLayer, request: TestRequest, case: &str) {
    assert_decided_refused(layer, &request, CorsRequestKind::Preflight, case);
    let answer = send(layer, request).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "{case}: preflight status"
    );
    assert!(
        !answer.inner_called(),
        "{case}: preflight reached the inner service"
    );
    assert_eq!(
        answer.cors_headers(),
        Vec::<&str>::new(),
        "{case}: refused preflight carries CORS headers: {:?}",
        answer.headers
    );
    assert!(
        answer
            .header(CONTENT_TYPE)
            .is_some_and(|v| v.starts_with(b"text/plain")),
        "{case}: refusal body is not text/plain: {:?}",
        answer.headers
    );
    assert!(!answer.body.is_empty(), "{case}: refusal body is empty");
}

/// Asserts that `origin` is refused both as an actual request and as a preflight.
async fn assert_refused(layer: &CorsLayer, origin: &[u8], case: &str) {
    assert_actual_refused(layer, actual(origin), case).await;
    assert_preflight_forbidden(layer, preflight(origin), case).await;
}

/// Asserts that `origin` is allowed, its own bytes echoed, as an actual request and as a
/// preflight: the control case that shows a policy is not simply refusing everything.
async fn assert_allowed(layer: &CorsLayer, origin: &[u8], case: &str) {
    let request = actual(origin);
    assert_eq!(
        layer.decide(&request),
        CorsDecision::Allowed(CorsRequestKind::Actual),
        "{case}"
    );
    let answer = send(layer, request).await;
    assert_eq!(
        answer.header(ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(origin),
        "{case}"
    );
    assert!(answer.varies_on_origin(), "{case}: no `Vary: Origin`");

    let request = preflight(origin);
    assert_eq!(
        layer.decide(&request),
        CorsDecision::Allowed(CorsRequestKind::Preflight),
        "{case}"
    );
    let answer = send(layer, request).await;
    assert_eq!(
        answer.status,
        StatusCode::NO_CONTENT,
        "{case}: preflight status"
    );
    assert_eq!(
        answer.header(ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(origin),
        "{case}"
    );
}

async fn assert_all_refused(layer: &CorsLayer, origins: &[&str], policy: &str) {
    for origin in origins {
        assert_refused(layer, origin.as_bytes(), &format!("{policy} vs {origin}")).await;
    }
}

async fn assert_all_allowed(layer: &CorsLayer, origins: &[&str], policy: &str) {
    for origin in origins {
        assert_allowed(layer, origin.as_bytes(), &format!("{policy} vs {origin}")).await;
    }
}

// ---------------------------------------------------------------------------------------------
// §1.3: GHSA-vhxv-fg4m-p2w8
// ---------------------------------------------------------------------------------------------

/// jub0bs/cors 0.1.0-0.1.2 let `https://barfoo.com` through a policy of `https://foo.com` and
/// `https://bar.com`, because the two hosts shared a node of its suffix tree.
#[tokio::test]
async fn shared_suffix_of_two_exact_origins_is_not_allowed() {
    let layer = credentialed(&["https://foo.com", "https://bar.com"]);
    assert_all_allowed(&layer, &["https://foo.com", "https://bar.com"], "foo+bar").await;
    let attacks = [
        "https://barfoo.com",
        "https://foobar.com",
        "https://oo.com",
        "https://o.com",
        "https://ar.com",
        "https://r.com",
        "https://bfoo.com",
        "https://fbar.com",
        "https://fo.com",
        "https://ba.com",
        "https://bar.foo.com",
        "https://foo.bar.com",
        "https://foo.com.bar.com",
        "https://com",
        "http://foo.com",
        "https://foo.com:8443",
    ];
    assert_all_refused(&layer, &attacks, "foo+bar").await;
}

/// The same trap for subdomain patterns, whose domains share a suffix.
#[tokio::test]
async fn shared_suffix_of_two_subdomain_patterns_is_not_allowed() {
    let layer = credentialed(&["https://*.foo.com", "https://**.bar.com"]);
    let allowed = [
        "https://a.foo.com",
        "https://a.bar.com",
        "https://a.b.bar.com",
    ];
    assert_all_allowed(&layer, &allowed, "*.foo+**.bar").await;
    let attacks = [
        "https://a.barfoo.com",
        "https://a.foobar.com",
        "https://a.oo.com",
        "https://a.ar.com",
        "https://barfoo.com",
        "https://afoo.com",
        "https://abar.com",
        "https://a.b.foo.com",
        "https://foo.com",
        "https://bar.com",
    ];
    assert_all_refused(&layer, &attacks, "*.foo+**.bar").await;
}

// ---------------------------------------------------------------------------------------------
// §9: misconfiguration classes
// ---------------------------------------------------------------------------------------------

/// Class 1: an unlisted origin is never echoed, even when the inner service reflects it with
/// credentials.
#[tokio::test]
async fn unlisted_origins_are_never_reflected() {
    let layer = credentialed(&["https://example.com", "https://*.example.com"]);
    let attacks = [
        "https://attacker.net",
        "http://attacker.net",
        "https://example.net",
        "https://example.org",
        "https://www.attacker.net",
        "https://xn--exmple-cua.com",
        "chrome-extension://abcdefghijklmnop",
        "http://localhost:3000",
        "http://127.0.0.1",
        "http://[::1]",
    ];
    assert_all_refused(&layer, &attacks, "example.com+*.example.com").await;
}

/// Class 2 and P7: a list or a pattern never implies `null`, which any page can send from a
/// sandboxed iframe; only `*` (checked in the `*` test) answers it.
#[tokio::test]
async fn null_origin_is_never_implied_by_a_list_or_pattern() {
    let policies: [&[&str]; 4] = [
        &["https://example.com"],
        &["https://*.example.com", "https://**.example.org"],
        &["http://localhost:*", "http://127.0.0.1:*"],
        &["https://example.com", "http://[::1]:8080"],
    ];
    for origins in policies {
        for credentials in [false, true] {
            let layer = build(builder(origins).allow_credentials(credentials));
            let policy = format!("{origins:?} (credentials: {credentials})");
            for null in ["null", "Null", "NULL", " null", "null "] {
                assert_refused(&layer, null.as_bytes(), &format!("{policy} vs {null:?}")).await;
            }
        }
    }
}

/// Class 2: `null` in the allowed origins, or a regular expression matching it, is refused when
/// the policy is built unless the loudly named opt-in is set; `file://` origins, which browsers
/// send as `null`, are refused too.
#[tokio::test]
async fn null_origin_is_refused_at_build_time_unless_dangerously_allowed() {
    for credentials in [false, true] {
        let case = format!("[\"null\"] (credentials: {credentials})");
        let policy = builder(&["https://example.com", "null"]).allow_credentials(credentials);
        let error = refused_at_build(policy.clone(), ConfigErrorKind::NullOrigin, &case);
        assert_eq!(error.location(), "allowed_origins[1]", "{case}");
        assert_eq!(error.value(), Some("null"), "{case}");
        assert!(
            error.fix().contains("dangerously_allow_null_origin"),
            "{case}: the fix does not name the opt-in: {error}"
        );

        let layer = build(policy.dangerously_allow_null_origin(true));
        assert_allowed(&layer, b"null", &case).await;
        assert_refused(&layer, b"NULL", &case).await;
    }
    let regexes: &[&str] = if cfg!(feature = "regex") {
        &["null", "n.ll", ".*", "[a-z]+"]
    } else {
        &[]
    };
    for &regex in regexes {
        let policy = CorsLayer::builder().allow_origin_regexes([regex]);
        let error = refused_at_build(policy, ConfigErrorKind::NullOrigin, regex);
        assert_eq!(error.location(), "allowed_origin_regexes[0]", "{regex}");
    }
    for file in ["file://", "file:///home/me/index.html", "file://host"] {
        refused_at_build(builder(&[file]), ConfigErrorKind::FileOrigin, file);
    }
}

/// Class 3: `*.` and `**.` cover whole labels only, so a registrable look-alike that merely ends
/// in the domain is refused.
#[tokio::test]
async fn suffix_match_without_label_boundary_is_not_allowed() {
    let attacks = [
        "https://attackerexample.com",
        "https://attacker-example.com",
        "https://attacker_example.com",
        "https://a.attackerexample.com",
        "https://xexample.com",
        "https://attacker.netexample.com",
        "https://example.com",
        "https://.example.com",
        "https://..example.com",
        "http://a.example.com",
        "https://a.example.com:8443",
    ];
    for pattern in ["https://*.example.com", "https://**.example.com"] {
        let layer = credentialed(&[pattern]);
        assert_all_allowed(&layer, &["https://a.example.com"], pattern).await;
        assert_all_refused(&layer, &attacks, pattern).await;
    }
    let any_depth = credentialed(&["https://**.example.com"]);
    assert_all_allowed(&any_depth, &["https://a.b.c.example.com"], "**").await;
    let one_label = credentialed(&["https://*.example.com"]);
    assert_all_refused(&one_label, &["https://a.b.example.com"], "*").await;
}

/// Class 4: an allowed origin followed by more host, another TLD or another port is refused.
#[tokio::test]
async fn prefix_match_is_not_allowed() {
    let attacks = [
        "https://example.com.attacker.net",
        "https://example.computer",
        "https://example.com:8443",
        "https://example.com-attacker.net",
        "https://example.co",
        "https://example.com.",
        "https://a.example.com.attacker.net",
        "https://a.example.computer",
        "https://a.example.com:8443",
        "https://example.com.example.com.attacker.net",
    ];
    let layer = credentialed(&["https://example.com", "https://*.example.com"]);
    assert_all_allowed(&layer, &["https://example.com"], "example.com").await;
    assert_all_refused(&layer, &attacks, "example.com+*.example.com").await;
    let layer = credentialed(&["https://**.example.com"]);
    assert_all_refused(&layer, &attacks, "**.example.com").await;
}

/// Class 5: containing an allowed origin, or its host, anywhere is not enough.
#[tokio::test]
async fn substring_match_is_not_allowed() {
    let attacks = [
        "https://notexample.com",
        "https://wwwexample.com",
        "https://example.comattacker.net",
        "https://attacker.example.com.net",
        "https://example.com.attacker.net",
        "https://attacker.net.example.com.attacker.net",
        "https://xhttps://example.com",
        "xhttps://example.com",
        "https://example.com:443.attacker.net",
    ];
    let layer = credentialed(&["https://example.com", "https://*.example.com"]);
    assert_all_refused(&layer, &attacks, "example.com+*.example.com").await;
}

/// Class 6: a regular expression matches the whole origin; anchoring is implicit.
#[cfg(feature = "regex")]
#[tokio::test]
async fn regexes_are_anchored_to_the_whole_origin() {
    let regex = r"https://.*\.example\.org";
    let layer = build(builder(&[]).allow_origin_regexes([regex]));
    let allowed = ["https://www.example.org", "https://a.b.example.org"];
    assert_all_allowed(&layer, &allowed, regex).await;
    let attacks = [
        "https://www.example.org.hacker.com",
        "https://www.example.org:8443",
        "https://www.example.org.",
        "xhttps://www.example.org",
        "https://hacker.com/.example.org",
        "https://hacker.com?.example.org",
        "https://hacker.com#.example.org",
        "https://example.org",
    ];
    assert_all_refused(&layer, &attacks, regex).await;

    let regex = r"https://api\.example\.com";
    let layer = build(builder(&[]).allow_origin_regexes([regex]));
    let attacks = [
        "https://api.example.com.attacker.net",
        "https://api.example.computer",
        "https://xapi.example.com",
        "https://api.example.com:8443",
    ];
    assert_all_refused(&layer, &attacks, regex).await;
}

/// Class 7: an unescaped dot is the user's mistake and stays one, matching any character: the
/// crate anchors but does not rewrite expressions. The escaped spelling is safe. (The look-alike
/// is written in lowercase, as browsers send it: `https://apiXexample.com` is not a serialized
/// origin and never reaches the expression.)
#[cfg(feature = "regex")]
#[tokio::test]
async fn unescaped_regex_dot_matches_any_character_and_escaped_does_not() {
    let unescaped = "https://api.example.com";
    let layer = build(builder(&[]).allow_origin_regexes([unescaped]));
    let look_alikes = ["https://apixexample.com", "https://api-example.com"];
    assert_all_allowed(&layer, &look_alikes, unescaped).await;
    assert_all_refused(&layer, &["https://apiXexample.com"], unescaped).await;

    let escaped = r"https://api\.example\.com";
    let layer = build(builder(&[]).allow_origin_regexes([escaped]));
    assert_all_allowed(&layer, &["https://api.example.com"], escaped).await;
    let attacks = [
        "https://apixexample.com",
        "https://api-example.com",
        "https://api.examplexcom",
    ];
    assert_all_refused(&layer, &attacks, escaped).await;
}

/// Class 8 (and 1 in regex form): with credentials, a regular expression that matches an origin
/// on an arbitrary domain is refused when the policy is built.
#[cfg(feature = "regex")]
#[test]
fn too_wide_regex_is_refused_with_credentials() {
    for regex in [
        ".*",
        ".+",
        "https://.*",
        "https?://.+",
        "https://[a-z.]+",
        r"https://[^/]+",
        r"https://.*\.invalid",
        r"(https://app\.example\.com|.*)",
    ] {
        let policy = builder(&[])
            .allow_origin_regexes([regex])
            .allow_credentials(true);
        let error = refused_at_build(policy, ConfigErrorKind::AnyOriginWithCredentials, regex);
        assert_eq!(error.location(), "allowed_origin_regexes[0]", "{regex}");
        assert_eq!(error.value(), Some(regex), "{regex}");
    }
    for regex in [
        r"https://[a-z0-9-]+\.example\.com",
        r"https://pr-[0-9]+\.example\.com",
    ] {
        let policy = builder(&[]).allow_origin_regexes([regex]);
        assert_builds(policy.allow_credentials(true), regex);
    }
}

/// Class 9: with credentials, a plain-http origin other than loopback is refused when the policy
/// is built, unless opted in; without credentials it is no worse than `*` and accepted.
#[tokio::test]
async fn insecure_origins_are_refused_with_credentials() {
    for origin in [
        "http://example.com",
        "http://shop.example.com",
        "http://*.example.com",
        "http://**.example.com",
        "http://example.com:8080",
        "http://example.com:*",
        "ws://example.com",
        "http://10.0.0.1",
        "http://192.168.1.10:8080",
        "http://0.0.0.0:3000",
        "http://localhost.attacker.net",
        "http://127.0.0.1.attacker.net",
        "http://[::ffff:7f00:1]",
    ] {
        let policy = builder(&[origin]).allow_credentials(true);
        let error = refused_at_build(
            policy.clone(),
            ConfigErrorKind::InsecureOriginWithCredentials,
            origin,
        );
        assert_eq!(error.location(), "allowed_origins[0]", "{origin}");
        assert!(
            error.fix().contains("dangerously_allow_insecure_origins"),
            "{origin}: the fix does not name the opt-in: {error}"
        );
        assert_builds(policy.dangerously_allow_insecure_origins(true), origin);
        assert_builds(builder(&[origin]), origin);
    }
}

/// Class 9, the exception: loopback origins cannot be served by a network attacker, so they are
/// accepted with credentials, and they allow only themselves.
#[tokio::test]
async fn loopback_http_origins_are_accepted_with_credentials() {
    let cases = [
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://localhost:*", "http://localhost:5173"),
        ("http://127.0.0.1:*", "http://127.0.0.1:5173"),
        ("http://127.0.0.2:8080", "http://127.0.0.2:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("http://app.localhost", "http://app.localhost"),
        ("http://*.localhost:*", "http://app.localhost:3000"),
    ];
    for (entry, origin) in cases {
        let layer = credentialed(&[entry]);
        assert_allowed(&layer, origin.as_bytes(), entry).await;
        let answer = send(&layer, actual(origin.as_bytes())).await;
        assert_eq!(
            answer.header(ACCESS_CONTROL_ALLOW_CREDENTIALS),
            Some(&b"true"[..]),
            "{entry} vs {origin}"
        );
    }
    let layer = credentialed(&[
        "http://localhost:*",
        "http://127.0.0.1:*",
        "http://[::1]:8080",
    ]);
    let attacks = [
        "http://localhost.attacker.net:3000",
        "http://127.0.0.1.attacker.net:5173",
        "http://127.0.0.10:5173",
        "http://localhost3000",
        "https://attacker.net:3000",
        "http://[::1]:8081",
        "http://[::2]:8080",
        "http://attacker.localhost:3000",
    ];
    assert_all_refused(&layer, &attacks, "loopback").await;
}

/// Class 11: with credentials, a wildcard over a public suffix lets anyone who registers a name
/// under it in; refused unless opted in, accepted without credentials.
#[tokio::test]
async fn public_suffix_wildcards_are_refused_with_credentials() {
    let cases = [
        ("https://*.github.io", "https://attacker.github.io"),
        ("https://*.com", "https://attacker.com"),
        ("https://**.co.uk", "https://attacker.co.uk"),
        ("https://**.github.io", "https://a.attacker.github.io"),
        ("https://*.herokuapp.com", "https://attacker.herokuapp.com"),
        ("https://*.netlify.app", "https://attacker.netlify.app"),
        ("https://*.co.uk:*", "https://attacker.co.uk:8443"),
    ];
    for (pattern, attacker) in cases {
        let policy = builder(&[pattern]).allow_credentials(true);
        let error = refused_at_build(
            policy.clone(),
            ConfigErrorKind::PublicSuffixWildcardWithCredentials,
            pattern,
        );
        assert_eq!(error.value(), Some(pattern), "{pattern}");
        assert!(
            error
                .fix()
                .contains("dangerously_allow_public_suffix_wildcards"),
            "{pattern}: the fix does not name the opt-in: {error}"
        );
        assert_builds(
            policy.dangerously_allow_public_suffix_wildcards(true),
            pattern,
        );

        let layer = build(builder(&[pattern]));
        assert_allowed(&layer, attacker.as_bytes(), pattern).await;
        let answer = send(&layer, actual(attacker.as_bytes())).await;
        assert_eq!(
            answer.header(ACCESS_CONTROL_ALLOW_CREDENTIALS),
            None,
            "{pattern}"
        );
    }
    for own in [
        "https://*.example.github.io",
        "https://*.example.co.uk",
        "https://**.example.com",
    ] {
        assert_builds(builder(&[own]).allow_credentials(true), own);
    }
}

/// Class 11, nested suffixes: a wildcard over a domain that is not itself a public suffix but has
/// public suffixes below it (`s3.amazonaws.com`, `*.kawasaki.jp`) must not let names anyone can
/// register under those suffixes through with credentials. A wildcard public-suffix rule right
/// below the domain is caught when the policy is built; named suffixes deeper down cannot be
/// listed from the suffix list, so matching refuses hosts under them instead.
#[tokio::test]
async fn wildcards_over_nested_public_suffixes_never_allow_registrable_names_with_credentials() {
    let refused = builder(&["https://**.kawasaki.jp"]).allow_credentials(true);
    refused_at_build(
        refused.clone(),
        ConfigErrorKind::PublicSuffixWildcardWithCredentials,
        "https://**.kawasaki.jp",
    );
    let opted_in = build(refused.dangerously_allow_public_suffix_wildcards(true));
    assert_allowed(&opted_in, b"https://attacker.foo.kawasaki.jp", "opt-in").await;

    let policy =
        builder(&["https://**.amazonaws.com", "https://*.amazonaws.com"]).allow_credentials(true);
    let guarded = build(policy.clone());
    for attacker in [
        "https://attacker.s3.amazonaws.com",
        "https://ec2-1-2-3-4.eu-west-1.compute.amazonaws.com",
    ] {
        assert_refused(&guarded, attacker.as_bytes(), "guarded").await;
    }
    assert_allowed(&guarded, b"https://console.amazonaws.com", "own subdomain").await;
    let opted_in = build(policy.dangerously_allow_public_suffix_wildcards(true));
    assert_allowed(&opted_in, b"https://attacker.s3.amazonaws.com", "opt-in").await;

    let without_credentials = build(builder(&["https://**.amazonaws.com"]));
    assert_allowed(
        &without_credentials,
        b"https://attacker.s3.amazonaws.com",
        "no credentials",
    )
    .await;
}

/// Class 12 and P3: `*` together with credentials is refused when the policy is built.
#[test]
fn any_origin_with_credentials_is_refused() {
    let policies = [
        ("[\"*\"]", builder(&["*"])),
        ("allow_any_origin", CorsLayer::builder().allow_any_origin()),
        (
            "[\"https://example.com\", \"*\"]",
            builder(&["https://example.com", "*"]),
        ),
    ];
    for (case, policy) in policies {
        let policy = policy
            .allow_credentials(true)
            .dangerously_allow_insecure_origins(true)
            .dangerously_allow_public_suffix_wildcards(true)
            .dangerously_allow_null_origin(true);
        refused_at_build(policy, ConfigErrorKind::AnyOriginWithCredentials, case);
    }
}

/// One request of each kind whose answer depends on the origin, including its absence.
fn origin_dependent_requests() -> Vec<(&'static str, TestRequest)> {
    let options = |acrm: Option<&[u8]>| {
        let mut headers: Vec<(&'static str, &[u8])> = vec![("origin", b"https://example.com")];
        headers.extend(acrm.map(|method| ("access-control-request-method", method)));
        request(Method::OPTIONS, &headers)
    };
    vec![
        ("allowed actual", actual(b"https://example.com")),
        ("refused actual", actual(b"https://attacker.net")),
        ("malformed actual", actual(b"https://example.com/")),
        ("null actual", actual(b"null")),
        ("no origin", request(Method::GET, &[])),
        ("no origin, POST", request(Method::POST, &[])),
        ("OPTIONS without ACRM", options(None)),
        ("allowed preflight", preflight(b"https://example.com")),
        ("refused preflight", preflight(b"https://attacker.net")),
        ("preflight, method refused", options(Some(b"PATCH"))),
    ]
}

/// Class 13: every response whose CORS headers depend on the origin carries `Vary: Origin`:
/// allowed, refused, malformed and absent origins alike, so that a shared cache never serves one
/// origin's answer to another.
#[tokio::test]
async fn every_origin_dependent_response_varies_on_origin() {
    let policies: [(&str, CorsLayer); 3] = [
        ("one origin", build(builder(&["https://example.com"]))),
        (
            "list with credentials",
            credentialed(&["https://example.com", "https://*.example.com"]),
        ),
        (
            "strict",
            build(builder(&["https://example.com"]).strict(true)),
        ),
    ];
    for (policy, layer) in &policies {
        for (name, request) in origin_dependent_requests() {
            let answer = send(layer, request).await;
            assert!(
                answer.varies_on_origin(),
                "{policy}, {name}: no `Vary: Origin`: {:?}",
                answer.headers
            );
        }
    }
}

/// Class 15: characters that lenient validators or URL parsers treat as the end of the host do
/// not end it here: the value is not a serialized origin, so it matches nothing.
#[tokio::test]
async fn lenient_host_characters_are_not_allowed() {
    let attacks: [&[u8]; 18] = [
        b"https://example.com`.attacker.net",
        b"https://example.com_.attacker.net",
        b"https://example.com%60.attacker.net",
        b"https://example.com\t",
        b"https://example.com\t.attacker.net",
        b"https://example.com@attacker.net",
        b"https://a.example.com@attacker.net",
        b"https://attacker.net@example.com",
        b"https://attacker.net#.example.com",
        b"https://attacker.net/.example.com",
        b"https://attacker.net?.example.com",
        b"https://attacker.net\\.example.com",
        b"https://example.com&.attacker.net",
        b"https://example.com'.attacker.net",
        b"https://example.com!.attacker.net",
        b"https://example.com;.attacker.net",
        b"https://example.com}.attacker.net",
        b"https://example.com=.attacker.net",
    ];
    let policies: [&[&str]; 2] = [
        &["https://example.com", "https://*.example.com"],
        &["https://example.com", "https://**.example.com"],
    ];
    for origins in policies {
        let layer = credentialed(origins);
        for attack in attacks {
            assert_refused(&layer, attack, &format!("{origins:?} vs {}", show(attack))).await;
        }
    }
}

/// Class 16, request side: matching is byte-exact (R10). A spelling no browser sends is another
/// string, even when it names the same origin, and is never repaired.
#[tokio::test]
async fn non_canonical_request_origins_do_not_match() {
    let spellings = [
        "https://EXAMPLE.com",
        "https://Example.com",
        "HTTPS://example.com",
        "https://example.com/",
        "https://example.com:443",
        "https://example.com:0443",
        "https://example.com.",
        "https://example.com:",
        " https://example.com",
        "https://example.com ",
        "https://A.example.com",
        "https://a.example.com/",
        "https://a.example.com:443",
        "https://a.example.com.",
    ];
    let layer = credentialed(&["https://example.com", "https://*.example.com"]);
    assert_all_allowed(
        &layer,
        &["https://example.com", "https://a.example.com"],
        "canonical",
    )
    .await;
    assert_all_refused(&layer, &spellings, "example.com+*.example.com").await;

    // A port wildcard covers ports as browsers write them: never the default one spelled out.
    let layer = credentialed(&["https://*.example.com:*", "http://localhost:*"]);
    let allowed = ["https://a.example.com:8443", "http://localhost:3000"];
    assert_all_allowed(&layer, &allowed, "port wildcards").await;
    let spellings = [
        "https://a.example.com:443",
        "http://localhost:80",
        "http://localhost:03000",
        "http://LOCALHOST:3000",
        "https://A.example.com:8443",
        "http://localhost:3000/",
    ];
    assert_all_refused(&layer, &spellings, "port wildcards").await;
}

/// Class 16, configuration side: an entry spelled differently from what browsers send is refused
/// when the policy is built, every one at once, each with the spelling that works.
#[test]
fn non_canonical_config_origins_are_refused_with_the_canonical_spelling() {
    let entries = [
        "https://EXAMPLE.com",
        "https://example.com/",
        "https://example.com:443",
        "https://example.com.",
        "HTTPS://example.com",
        " https://example.com",
        "https://Example.com:443/",
        "https://user@example.com",
    ];
    let errors = build_errors(builder(&entries), "non-canonical entries");
    assert_eq!(
        errors.len(),
        entries.len(),
        "one error per entry:\n{errors}"
    );
    for (i, (error, entry)) in errors.iter().zip(entries).enumerate() {
        assert_eq!(error.kind(), ConfigErrorKind::NonCanonicalOrigin, "{entry}");
        assert_eq!(error.location(), format!("allowed_origins[{i}]"), "{entry}");
        assert_eq!(error.value(), Some(entry), "{entry}");
        assert!(
            error.fix().contains("\"https://example.com\""),
            "{entry}: the fix does not show the canonical spelling: {error}"
        );
        assert!(
            error.to_string().contains("\"https://example.com\""),
            "{entry}: the message does not show the canonical spelling: {error}"
        );
    }
    assert_eq!(errors.to_string().lines().count(), entries.len());
}

// ---------------------------------------------------------------------------------------------
// R31: hostile input
// ---------------------------------------------------------------------------------------------

/// `Origin` values no browser sends, each one a way to break a parser or slip past a matcher.
fn hostile_origins() -> Vec<(&'static str, Vec<u8>)> {
    let long = |prefix: &str, fill: &str, suffix: &str| {
        let mut value = prefix.to_owned();
        while value.len() < 16 * 1024 {
            value.push_str(fill);
        }
        value.push_str(suffix);
        value.into_bytes()
    };
    vec![
        ("obs-text in the host", b"https://\xffexample.com".to_vec()),
        (
            "obs-text after the host",
            b"https://example.com\xff".to_vec(),
        ),
        ("UTF-8 host", "https://éxample.com".as_bytes().to_vec()),
        (
            "UTF-8 subdomain",
            "https://é.example.com".as_bytes().to_vec(),
        ),
        ("Latin-1 subdomain", b"https://\xe9.example.com".to_vec()),
        ("internal space", b"https://exam ple.com".to_vec()),
        ("space before the host", b"https:// example.com".to_vec()),
        (
            "comma list",
            b"https://example.com, https://attacker.net".to_vec(),
        ),
        (
            "comma list, allowed second",
            b"https://attacker.net, https://example.com".to_vec(),
        ),
        (
            "comma list, both allowed",
            b"https://example.com,https://a.example.com".to_vec(),
        ),
        ("comma list of null", b"null, https://example.com".to_vec()),
        ("empty", Vec::new()),
        ("single space", b" ".to_vec()),
        ("star", b"*".to_vec()),
        (
            "one-label pattern as origin",
            b"https://*.example.com".to_vec(),
        ),
        (
            "any-depth pattern as origin",
            b"https://**.example.com".to_vec(),
        ),
        ("port pattern as origin", b"https://example.com:*".to_vec()),
        ("no scheme", b"//example.com".to_vec()),
        ("no slashes", b"https:example.com".to_vec()),
        ("bare host", b"example.com".to_vec()),
        ("port out of range", b"https://example.com:99999".to_vec()),
        ("negative port", b"https://example.com:-1".to_vec()),
        ("port zero", b"https://example.com:0".to_vec()),
        ("unclosed IPv6", b"https://[::1".to_vec()),
        ("IPv6 with a tail", b"https://[::1]x".to_vec()),
        ("empty IPv6", b"https://[]".to_vec()),
        ("16 KiB host", long("https://", "a", ".example.com")),
        ("16 KiB of labels", long("https://", "a.", "example.com")),
        (
            "16 KiB after the origin",
            long("https://example.com", "/", ""),
        ),
        ("16 KiB of commas", long("https://example.com", ",", "")),
        ("16 KiB of colons", long("https://example.com", ":", "")),
        ("16 KiB of brackets", long("https://[", "[", "]")),
    ]
}

/// R31 and P8: hostile `Origin` values never panic and are never allowed, by exact origins,
/// patterns or regular expressions.
#[tokio::test]
async fn hostile_origin_values_never_panic_and_are_never_allowed() {
    let mut policy = builder(&[
        "https://example.com",
        "https://*.example.com",
        "https://**.example.org",
        "http://localhost:*",
    ])
    .allow_credentials(true);
    if cfg!(feature = "regex") {
        policy = policy.allow_origin_regexes([r"https://[a-z]+\.example\.net"]);
    }
    let layer = build(policy);
    for (case, origin) in hostile_origins() {
        assert_refused(&layer, &origin, &format!("{case} ({})", show(&origin))).await;
    }
}

/// R11 and R31: several `Origin` lines are refused even when every one is allowed, and a
/// preflight carrying them is answered 403.
#[tokio::test]
async fn several_origin_lines_are_refused_even_when_each_is_allowed() {
    let layer = credentialed(&["https://example.com", "https://*.example.com"]);
    let cases: [(&str, [&[u8]; 2]); 3] = [
        (
            "same origin twice",
            [b"https://example.com", b"https://example.com"],
        ),
        (
            "two allowed",
            [b"https://example.com", b"https://a.example.com"],
        ),
        (
            "allowed, then refused",
            [b"https://example.com", b"https://attacker.net"],
        ),
    ];
    for (case, [first, second]) in cases {
        let origins = [("origin", first), ("origin", second)];
        let actual = request(Method::GET, &origins);
        let reason = assert_decided_refused(&layer, &actual, CorsRequestKind::Actual, case);
        assert!(
            matches!(reason, RefusalReason::MultipleOrigins),
            "{case}: {reason:?}"
        );
        assert_actual_refused(&layer, actual, case).await;

        let mut preflight = request(Method::OPTIONS, &origins);
        preflight.headers_mut().insert(
            "access-control-request-method",
            HeaderValue::from_static("PUT"),
        );
        assert_preflight_forbidden(&layer, preflight, case).await;
    }
}

/// `Access-Control-Request-Headers` values no browser sends: oversized, split over a thousand
/// lines, or holding bytes that are not token characters.
fn hostile_request_headers() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let repeat = |fill: &str, len: usize| fill.repeat(len / fill.len()).into_bytes();
    vec![
        ("64 KiB of commas", vec![repeat(",", 64 * 1024)]),
        (
            "64 KiB of spaces and commas",
            vec![repeat(" ,\t", 64 * 1024)],
        ),
        (
            "64 KiB of allowed names",
            vec![repeat("x-custom,", 64 * 1024)],
        ),
        ("1000 lines", vec![b"x-custom".to_vec(); 1000]),
        ("1000 lines of commas", vec![b",,,,,,,,".to_vec(); 1000]),
        ("internal space", vec![b"x-custom, bad value".to_vec()]),
        ("obs-text", vec![b"x-custom, x-\xffcustom".to_vec()]),
        ("UTF-8", vec!["x-custom, x-cüstom".as_bytes().to_vec()]),
        ("quote", vec![b"x-custom, \"x-custom\"".to_vec()]),
        ("colon", vec![b"x-custom:".to_vec()]),
        ("semicolon", vec![b"content-type;x-custom".to_vec()]),
        ("parentheses", vec![b"x(custom)".to_vec()]),
        ("slash", vec![b"x-custom/1".to_vec()]),
        ("braces", vec![b"{x-custom}".to_vec()]),
        (
            "not allowed after allowed",
            vec![b"x-custom".to_vec(), b"x-other".to_vec()],
        ),
        ("authorization", vec![b"authorization".to_vec()]),
    ]
}

/// Class 17 and R29-R31: a hostile `Access-Control-Request-Headers` is refused without panic and
/// never echoed: 403 in strict mode; by default 204 with the configured list, which lets the
/// browser name the culprit.
#[tokio::test]
async fn hostile_request_headers_are_refused_without_panic() {
    let origin: &[u8] = b"https://example.com";
    let default = credentialed(&["https://example.com"]);
    let strict = build(
        builder(&["https://example.com"])
            .allow_credentials(true)
            .strict(true),
    );
    for (case, lines) in hostile_request_headers() {
        let make = || {
            let mut headers: Vec<(&'static str, &[u8])> = vec![
                ("origin", origin),
                ("access-control-request-method", b"PUT"),
            ];
            headers.extend(
                lines
                    .iter()
                    .map(|line| ("access-control-request-headers", &line[..])),
            );
            request(Method::OPTIONS, &headers)
        };
        let reason = assert_decided_refused(&default, &make(), CorsRequestKind::Preflight, case);
        assert!(
            matches!(
                reason,
                RefusalReason::HeaderNotAllowed { .. }
                    | RefusalReason::RequestHeadersTooLong { .. }
            ),
            "{case}: {reason:?}"
        );

        let answer = send(&default, make()).await;
        assert!(
            !answer.inner_called(),
            "{case}: preflight reached the inner service"
        );
        assert_refusal_names_the_list(
            &answer,
            origin,
            &ACCESS_CONTROL_ALLOW_HEADERS,
            HEADERS_LIST,
            case,
        );
        assert_preflight_forbidden(&strict, make(), case).await;
    }
}

/// A non-strict refusal of a hostile preflight from an allowed origin: 204 with the origin and
/// the configured list under `name`, never the request's own value.
fn assert_refusal_names_the_list(
    answer: &Answer,
    origin: &[u8],
    name: &http::HeaderName,
    list: &str,
    case: &str,
) {
    assert_eq!(
        answer.status,
        StatusCode::NO_CONTENT,
        "{case}: default status"
    );
    assert_eq!(
        answer.header(ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(origin),
        "{case}"
    );
    assert_eq!(
        answer.header(name),
        Some(list.as_bytes()),
        "{case}: the answer must be the configured list, not the request's"
    );
}

/// R7, R30 and R31: an `Access-Control-Request-Method` that is not a listed method token is
/// refused without panic and never echoed.
#[tokio::test]
async fn hostile_request_method_is_refused_without_panic() {
    let origin: &[u8] = b"https://example.com";
    let default = credentialed(&["https://example.com"]);
    let strict = build(
        builder(&["https://example.com"])
            .allow_credentials(true)
            .strict(true),
    );
    let long = "A".repeat(16 * 1024);
    let methods: [(&str, &[u8]); 12] = [
        ("internal space", b"PU T"),
        ("trailing space", b"PUT "),
        ("obs-text", b"PUT\xff"),
        ("UTF-8", "PÜT".as_bytes()),
        ("empty", b""),
        ("list", b"PUT, DELETE"),
        ("list without space", b"PUT,DELETE"),
        ("parenthesis", b"P(UT"),
        ("quoted", b"\"PUT\""),
        ("lowercase of a listed method", b"put"),
        ("forbidden", b"CONNECT"),
        ("16 KiB token", long.as_bytes()),
    ];
    for (case, method) in methods {
        let make = || {
            request(
                Method::OPTIONS,
                &[
                    ("origin", origin),
                    ("access-control-request-method", method),
                ],
            )
        };
        let reason = assert_decided_refused(&default, &make(), CorsRequestKind::Preflight, case);
        assert!(
            matches!(reason, RefusalReason::MethodNotAllowed { .. }),
            "{case}: {reason:?}"
        );

        let answer = send(&default, make()).await;
        assert_refusal_names_the_list(
            &answer,
            origin,
            &ACCESS_CONTROL_ALLOW_METHODS,
            METHODS_LIST,
            case,
        );
        assert_preflight_forbidden(&strict, make(), case).await;
    }
}

// ---------------------------------------------------------------------------------------------
// R9, R27: the `*` policy
// ---------------------------------------------------------------------------------------------

/// R9 and R27: a `*` policy without credentials answers `*` to every origin, `null` and
/// malformed ones included, never echoes, never sends credentials and does not vary on `Origin`.
#[tokio::test]
async fn any_origin_policy_answers_star_to_every_origin() {
    let layer = build(builder(&["*"]));
    let mut cases: Vec<(String, HeaderLines)> = vec![
        ("no origin".into(), vec![]),
        (
            "attacker".into(),
            vec![("origin", b"https://attacker.net".to_vec())],
        ),
        ("null".into(), vec![("origin", b"null".to_vec())]),
        (
            "two origin lines".into(),
            vec![
                ("origin", b"https://attacker.net".to_vec()),
                ("origin", b"https://example.com".to_vec()),
            ],
        ),
    ];
    for (case, origin) in hostile_origins() {
        cases.push((
            format!("{case} ({})", show(&origin)),
            vec![("origin", origin)],
        ));
    }
    for (case, origins) in &cases {
        let headers: Vec<(&'static str, &[u8])> = origins
            .iter()
            .map(|(name, value)| (*name, &value[..]))
            .collect();
        let answer = send(&layer, request(Method::GET, &headers)).await;
        assert!(answer.inner_called(), "{case}: inner service not called");
        assert_eq!(
            answer
                .headers
                .get_all(ACCESS_CONTROL_ALLOW_ORIGIN)
                .iter()
                .collect::<Vec<_>>(),
            ["*"],
            "{case}: actual response"
        );
        assert_eq!(
            answer.header(ACCESS_CONTROL_ALLOW_CREDENTIALS),
            None,
            "{case}"
        );
        assert!(
            !answer.varies_on_origin(),
            "{case}: a constant `*` must not vary on Origin: {:?}",
            answer.headers
        );
        if origins.is_empty() {
            continue;
        }

        let mut preflight = headers.clone();
        preflight.push(("access-control-request-method", b"PUT"));
        let request = request(Method::OPTIONS, &preflight);
        assert_eq!(
            layer.decide(&request),
            CorsDecision::Allowed(CorsRequestKind::Preflight),
            "{case}"
        );
        let answer = send(&layer, request).await;
        assert_eq!(
            answer.status,
            StatusCode::NO_CONTENT,
            "{case}: preflight status"
        );
        assert_eq!(
            answer.header(ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(&b"*"[..]),
            "{case}"
        );
        assert_eq!(
            answer.header(ACCESS_CONTROL_ALLOW_CREDENTIALS),
            None,
            "{case}"
        );
    }
}

/// Class 9 through a regular expression: with credentials, a regex whose scheme is written as a
/// class (`[a-z]+://`) is judged by what the class can match, so it is refused at startup like
/// `http://`; the opt-in lets it allow plain http, and loopback is never in question.
#[cfg(feature = "regex")]
#[tokio::test]
async fn regexes_never_allow_insecure_origins_with_credentials() {
    let policy = builder(&[])
        .allow_origin_regexes([r"[a-z]+://app\.example\.com", r"http://localhost:[0-9]+"])
        .allow_credentials(true);
    let error = refused_at_build(
        policy.clone(),
        ConfigErrorKind::InsecureOriginWithCredentials,
        r"[a-z]+://app\.example\.com",
    );
    assert!(
        error.problem().contains("\"http://app.example.com\""),
        "{error}"
    );
    assert!(
        error.fix().contains(r"https://app\.example\.com"),
        "{error}"
    );
    let opted_in = build(policy.dangerously_allow_insecure_origins(true));
    assert_allowed(&opted_in, b"http://app.example.com", "opt-in").await;
    assert_allowed(&opted_in, b"https://app.example.com", "https").await;
    assert_allowed(&opted_in, b"http://localhost:5173", "loopback").await;
}

/// Class 9 through a regular expression, at startup: with credentials, a regex that matches a
/// plain-http origin other than loopback is refused like an exact `http://` entry, naming the
/// origin and the https-only expression; the opt-in turns the refusal into a warning.
#[cfg(feature = "regex")]
#[test]
fn plain_http_regex_is_refused_with_credentials_at_startup() {
    for (regex, origin, fix) in [
        (
            r"https?://app\.example\.com",
            "http://app.example.com",
            r"https://app\.example\.com",
        ),
        (
            r"http://[a-z]+\.example\.com",
            "http://a.example.com",
            r"https://[a-z]+\.example\.com",
        ),
        (
            r"[a-z]+://app\.example\.com",
            "http://app.example.com",
            r"https://app\.example\.com",
        ),
        (
            r"http://192\.168\.1\.7",
            "http://192.168.1.7",
            r"https://192\.168\.1\.7",
        ),
        (
            r"(http|https)://app\.example\.com:8080",
            "http://app.example.com:8080",
            r"https://app\.example\.com:8080",
        ),
    ] {
        let policy = builder(&[])
            .allow_origin_regexes([regex])
            .allow_credentials(true);
        let error = refused_at_build(
            policy.clone(),
            ConfigErrorKind::InsecureOriginWithCredentials,
            regex,
        );
        assert_eq!(error.location(), "allowed_origin_regexes[0]", "{regex}");
        assert_eq!(error.value(), Some(regex), "{regex}");
        assert!(
            error.problem().contains(&format!("{origin:?}")),
            "{regex}: {error}"
        );
        assert!(error.fix().contains(fix), "{regex}: {error}");
        assert!(
            error.fix().contains("dangerously_allow_insecure_origins"),
            "{regex}: {error}"
        );
        let opted_in = build(policy.dangerously_allow_insecure_origins(true));
        assert!(
            opted_in.warnings().iter().any(|w| w.value() == Some(regex)
                && w.problem().contains("dangerously_allow_insecure_origins")),
            "{regex}: {:?}",
            opted_in.warnings()
        );
        assert_builds(builder(&[]).allow_origin_regexes([regex]), regex);
    }
    for regex in [
        r"http://localhost:[0-9]+",
        r"https?://(localhost|127\.0\.0\.1)(:[0-9]+)?",
        r"https://app\.example\.com",
    ] {
        assert_builds(
            builder(&[])
                .allow_origin_regexes([regex])
                .allow_credentials(true),
            regex,
        );
    }
}

/// The fix of a regex error: the expression after "such as ", up to the next space or `;`.
#[cfg(feature = "regex")]
fn suggested_regex(fix: &str) -> &str {
    let start = fix
        .find("such as ")
        .expect("the fix suggests an expression")
        + "such as ".len();
    fix[start..]
        .split([' ', ';'])
        .next()
        .expect("an expression")
}

/// Classes 3, 4 and 7 in regex form, at startup: a regex that lets in an origin an attacker can
/// register, derived from its own literals (a name glued in front of its domain without a dot,
/// another domain after its host, a dot that matches any character), is refused with
/// credentials, naming that origin and a corrected regex; without credentials it is a warning.
/// Every named origin really is let in, and every corrected regex is accepted.
#[cfg(feature = "regex")]
#[tokio::test]
async fn regex_letting_in_a_registrable_look_alike_is_refused_with_credentials() {
    for (regex, origin, fix) in [
        (
            r"https://.*example\.com",
            "https://attackerexample.com",
            r"https://([a-z0-9-]+\.)*example\.com",
        ),
        (
            r"https://[a-z0-9-]*example\.com",
            "https://attackerexample.com",
            r"https://([a-z0-9-]+\.)*example\.com",
        ),
        (
            r"https://[a-z0-9-]+example\.com",
            "https://attackerexample.com",
            r"https://([a-z0-9-]+\.)*example\.com",
        ),
        (
            r"https://app\.example\.com.*",
            "https://app.example.com.attacker.net",
            r"https://app\.example\.com",
        ),
        (
            r"https://app\.example\.com(\..+)?",
            "https://app.example.com.attacker.net",
            r"https://app\.example\.com",
        ),
        (
            "https://app.example.com",
            "https://appxexample.com",
            r"https://app\.example\.com",
        ),
        (
            r"https://([a-z]+\.)?example.co\.uk",
            "https://examplexco.uk",
            r"https://example\.co\.uk",
        ),
    ] {
        let policy = builder(&[])
            .allow_origin_regexes([regex])
            .allow_credentials(true);
        let error = refused_at_build(policy, ConfigErrorKind::AnyOriginWithCredentials, regex);
        assert_eq!(error.location(), "allowed_origin_regexes[0]", "{regex}");
        assert_eq!(error.value(), Some(regex), "{regex}");
        assert!(
            error.problem().contains(&format!("lets in {origin:?}")),
            "{regex}: {error}"
        );
        assert_eq!(suggested_regex(error.fix()), fix, "{regex}: {error}");
        assert_builds(
            builder(&[])
                .allow_origin_regexes([fix])
                .allow_credentials(true),
            fix,
        );

        let open = build(builder(&[]).allow_origin_regexes([regex]));
        let warnings = open.warnings();
        let warning = warnings
            .iter()
            .find(|w| w.value() == Some(regex))
            .unwrap_or_else(|| panic!("{regex}: no warning: {warnings:?}"));
        assert_eq!(warning.location(), "allowed_origin_regexes[0]");
        assert!(warning.problem().contains(origin), "{regex}: {warning}");
        assert_eq!(suggested_regex(warning.fix()), fix, "{regex}: {warning}");
        assert_allowed(&open, origin.as_bytes(), regex).await;
    }
}

/// The public-suffix rule that patterns obey, in regex form: a regex that lets in a fresh name
/// under a public suffix (`https://.*\.com` allows every `.com`) is refused with credentials,
/// unless the same opt-in as for patterns says so.
#[cfg(feature = "regex")]
#[tokio::test]
async fn regex_over_a_public_suffix_is_refused_with_credentials() {
    for (regex, origin, suffix) in [
        (r"https://.*\.com", "https://attacker.com", "com"),
        (r"https://[a-z0-9-]+\.com", "https://attacker.com", "com"),
        (
            r"https://[a-z]+\.github\.io",
            "https://attacker.github.io",
            "github.io",
        ),
        (
            r"https://[a-z]+\.[a-z]+\.github\.io",
            "https://a.attacker.github.io",
            "github.io",
        ),
        (r"https://(.*\.)?co\.uk", "https://attacker.co.uk", "co.uk"),
        (
            r"https://([a-z]+-dot-)?app\.appspot\.com",
            "https://attacker-dot-app.appspot.com",
            "appspot.com",
        ),
    ] {
        let policy = builder(&[])
            .allow_origin_regexes([regex])
            .allow_credentials(true);
        let error = refused_at_build(
            policy.clone(),
            ConfigErrorKind::PublicSuffixWildcardWithCredentials,
            regex,
        );
        assert_eq!(error.location(), "allowed_origin_regexes[0]", "{regex}");
        assert!(
            error.problem().contains(&format!("lets in {origin:?}"))
                && error
                    .problem()
                    .contains(&format!("{suffix:?} is a public suffix")),
            "{regex}: {error}"
        );
        assert!(
            error
                .fix()
                .contains("dangerously_allow_public_suffix_wildcards"),
            "{regex}: {error}"
        );
        assert_eq!(build_errors(policy.clone(), regex).len(), 1, "{regex}");
        let opted_in = build(policy.dangerously_allow_public_suffix_wildcards(true));
        assert_allowed(&opted_in, origin.as_bytes(), regex).await;
        let open = build(builder(&[]).allow_origin_regexes([regex]));
        assert!(
            open.warnings().iter().any(|w| w.problem().contains(origin)),
            "{regex}: {:?}",
            open.warnings()
        );
    }
    for regex in [
        r"https://[a-z0-9-]+\.example\.github\.io",
        r"https://([a-z0-9-]+\.)*example\.co\.uk",
        r"https://.*\.example\.org",
        r"https://(www\.)?example\.(com|org)",
        r"https://[a-z]+\.corp\.intranet",
    ] {
        let policy = builder(&[]).allow_origin_regexes([regex]);
        assert_builds(policy.clone().allow_credentials(true), regex);
        assert_eq!(build(policy).warnings(), [], "{regex}");
    }
}

/// One row of the attack table: a policy, origins that must be refused, and origins that must
/// pass.
struct AttackRow {
    class: &'static str,
    origins: &'static [&'static str],
    regexes: &'static [&'static str],
    credentials: bool,
    attackers: &'static [&'static str],
    legitimate: &'static [&'static str],
}

/// Every misconfiguration class the tests above cover, as a table.
#[test]
fn attack_table_refuses_every_attacker_and_passes_every_legitimate_origin() {
    let long_host = format!("https://{}.example.com", "a".repeat(63));
    let too_long = format!("https://{}example.com", "a.".repeat(130));
    let rows = [
        AttackRow {
            class: "reflection",
            origins: &["https://app.example.com"],
            regexes: &[],
            credentials: true,
            attackers: &["https://attacker.net", "https://example.com", "null"],
            legitimate: &["https://app.example.com"],
        },
        AttackRow {
            class: "null",
            origins: &["https://app.example.com"],
            regexes: &[r"https://[a-z]+\.example\.com"],
            credentials: true,
            attackers: &["null", "NULL", " null"],
            legitimate: &["https://shop.example.com"],
        },
        AttackRow {
            class: "prefix",
            origins: &["https://example.com"],
            regexes: &[],
            credentials: true,
            attackers: &[
                "https://example.com.attacker.net",
                "https://example.computer",
                "https://example.com:8443",
                "https://example.comm",
            ],
            legitimate: &["https://example.com"],
        },
        AttackRow {
            class: "suffix",
            origins: &["https://*.example.com"],
            regexes: &[],
            credentials: true,
            attackers: &[
                "https://attackerexample.com",
                "https://attacker-example.com",
                "https://example.com",
            ],
            legitimate: &["https://www.example.com"],
        },
        AttackRow {
            class: "substring",
            origins: &["https://**.example.com"],
            regexes: &[],
            credentials: true,
            attackers: &[
                "https://notexample.com",
                "https://example.com.attacker.net",
                "https://a.example.com.attacker.net",
            ],
            legitimate: &["https://a.b.example.com"],
        },
        AttackRow {
            class: "unescaped dot, escaped",
            origins: &[],
            regexes: &[r"https://api\.example\.com"],
            credentials: true,
            attackers: &["https://apixexample.com", "https://api-example.com"],
            legitimate: &["https://api.example.com"],
        },
        AttackRow {
            class: "unanchored regex",
            origins: &[],
            regexes: &[r"https://[a-z]+\.example\.org"],
            credentials: true,
            attackers: &[
                "https://www.example.org.hacker.com",
                "evilhttps://www.example.org",
                "https://www.example.org/",
            ],
            legitimate: &["https://www.example.org"],
        },
        AttackRow {
            class: "wide regex",
            origins: &[],
            regexes: &[r"https://([a-z]+-dot-)?app\.example\.com"],
            credentials: true,
            attackers: &[
                "https://anything.evil.com-dot-app.example.com",
                "https://x-dot-y-dot-app.example.com",
            ],
            legitimate: &["https://pr-dot-app.example.com", "https://app.example.com"],
        },
        AttackRow {
            class: "insecure scheme",
            origins: &["https://app.example.com"],
            regexes: &[r"(https|wss)://shop\.example\.com"],
            credentials: true,
            attackers: &[
                "http://app.example.com",
                "http://shop.example.com",
                "ws://app.example.com",
            ],
            legitimate: &["https://app.example.com", "https://shop.example.com"],
        },
        AttackRow {
            class: "public suffix wildcard",
            origins: &["https://**.amazonaws.com"],
            regexes: &[],
            credentials: true,
            attackers: &["https://attacker.s3.amazonaws.com"],
            legitimate: &["https://console.amazonaws.com"],
        },
        AttackRow {
            class: "shared suffix",
            origins: &["https://foo.com", "https://bar.com"],
            regexes: &[],
            credentials: true,
            attackers: &[
                "https://barfoo.com",
                "https://foobar.com",
                "https://oo.com",
                "https://ar.com",
            ],
            legitimate: &["https://foo.com", "https://bar.com"],
        },
        AttackRow {
            class: "parser differentials",
            origins: &["https://example.com", "https://*.example.com"],
            regexes: &[],
            credentials: true,
            attackers: &[
                "https://example.com`.attacker.net",
                "https://example.com_.attacker.net",
                "https://example.com%60.attacker.net",
                "https://example.com@attacker.net",
                "https://attacker.net#.example.com",
                "https://attacker.net/.example.com",
                "https://attacker.net?.example.com",
                "https://example.com\t",
                "https://a.example.com:",
                "https://a.example.com:0443",
            ],
            legitimate: &["https://example.com", "https://a.example.com"],
        },
        AttackRow {
            class: "trailing-dot hosts",
            origins: &["https://example.com", "https://*.example.com"],
            regexes: &[],
            credentials: true,
            attackers: &[
                "https://example.com.",
                "https://a.example.com.",
                "https://a..example.com",
                "https://.example.com",
            ],
            legitimate: &["https://a.example.com"],
        },
        AttackRow {
            class: "very long hosts",
            origins: &["https://**.example.com"],
            regexes: &[],
            credentials: true,
            attackers: &[],
            legitimate: &[],
        },
    ];
    let mut cases = 0;
    for row in &rows {
        let layer = CorsLayer::builder()
            .allow_origins(row.origins.iter().copied())
            .allow_origin_regexes(row.regexes.iter().copied())
            .allow_credentials(row.credentials)
            .build()
            .unwrap_or_else(|errors| panic!("{}: {errors}", row.class));
        let decide = |origin: &[u8]| {
            let request = http::Request::get("/")
                .header("origin", http::HeaderValue::from_bytes(origin).unwrap())
                .body(())
                .unwrap();
            !layer.decide(&request).is_refused()
        };
        let mut attackers: Vec<&[u8]> = row.attackers.iter().map(|o| o.as_bytes()).collect();
        let mut legitimate: Vec<&[u8]> = row.legitimate.iter().map(|o| o.as_bytes()).collect();
        if row.class == "very long hosts" {
            attackers.push(too_long.as_bytes());
            legitimate.push(long_host.as_bytes());
        }
        for origin in attackers {
            assert!(
                !decide(origin),
                "{}: {:?} allowed",
                row.class,
                String::from_utf8_lossy(origin)
            );
            cases += 1;
        }
        for origin in legitimate {
            assert!(
                decide(origin),
                "{}: {:?} refused",
                row.class,
                String::from_utf8_lossy(origin)
            );
            cases += 1;
        }
    }
    assert!(cases >= 60, "{cases} cases");
}
