//! The browser model: the browser's rules as `tower_cors_doctor` applies them (one test per rule
//! of the Fetch standard's CORS protocol, <https://fetch.spec.whatwg.org/#http-cors-protocol>,
//! each with Chromium's exact console message), and `explain` through the layer for every
//! refusal class. The `tower-cors` binary is tested in its own package, `cli/`.

use std::time::Duration;

use http::{HeaderMap, HeaderValue, StatusCode};
use tower_cors::{CorsDecision, CorsLayer, RefusalReason};
use tower_cors_doctor::{
    explain, judge_actual, judge_preflight, probe_with, AddressSpace, Browser, Cause, CheckStep,
    PageRequest, ProbeError, RequestError, StepKind, StepOutcome,
};

const ORIGIN: &str = "https://app.example.com";
const URL: &str = "https://api.example.com/";

/// The console line of a `fetch()` from [`ORIGIN`] to [`URL`] blocked for `reason`.
fn console(reason: &str) -> String {
    format!(
        "Access to fetch at '{URL}' from origin '{ORIGIN}' has been blocked by CORS policy: \
         {reason}"
    )
}

/// The reason Chromium gives when the preflight's CORS check, status or private network check
/// failed.
fn preflight(reason: &str) -> String {
    format!("Response to preflight request doesn't pass access control check: {reason}")
}

const NO_ALLOW_ORIGIN: &str =
    "No 'Access-Control-Allow-Origin' header is present on the requested resource.";

fn page() -> PageRequest {
    PageRequest::new(ORIGIN, URL).unwrap()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

/// Asserts that the response blocks `request` at `step` with `cause` and this console reason.
#[track_caller]
fn assert_blocked(
    result: Result<impl std::fmt::Debug, tower_cors_doctor::Blocked>,
    step: CheckStep,
    cause: Cause,
    reason: &str,
) {
    let blocked = result.expect_err("blocked");
    assert_eq!(blocked.step(), step);
    assert_eq!(blocked.cause(), &cause);
    assert_eq!(blocked.reason(), reason);
    assert_eq!(blocked.console_message(), console(reason));
    assert_eq!(blocked.to_string(), console(reason));
}

// --- Request side: what the browser sends (R4-R7) ---

#[test]
fn r4_simple_requests_are_not_preflighted() {
    for request in [
        page(),
        page().with_method("post").unwrap(),
        page().with_method("HEAD").unwrap(),
        page()
            .with_method("POST")
            .unwrap()
            .with_header("Content-Type", "multipart/form-data; boundary=x")
            .unwrap()
            .with_header("accept", "application/json")
            .unwrap()
            .with_header("accept-language", "en-GB,en;q=0.9")
            .unwrap(),
    ] {
        assert!(!request.needs_preflight(), "{request:?}");
        assert!(request.preflight_request().is_none());
    }
}

#[test]
fn r4_r6_unsafe_methods_headers_and_values_are_preflighted() {
    for request in [
        page().with_method("PUT").unwrap(),
        page().with_header("x-trace-id", "1").unwrap(),
        page()
            .with_header("content-type", "application/json")
            .unwrap(),
        page().with_header("accept", &"a".repeat(129)).unwrap(),
        page().with_header("content-language", "en (GB)").unwrap(),
        page().with_private_network(true),
    ] {
        assert!(request.needs_preflight(), "{request:?}");
    }
}

#[test]
fn r5_preflight_lists_unsafe_headers_lowercased_sorted_and_comma_joined() {
    let request = page()
        .with_method("put")
        .unwrap()
        .with_header("X-Zeta", "1")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_header("x-alpha", "2")
        .unwrap()
        .with_header("accept", "*/*")
        .unwrap()
        .with_credentials(true);
    let preflight = request.preflight_request().unwrap();
    assert_eq!(preflight.method(), "OPTIONS");
    assert_eq!(preflight.uri(), URL);
    let sent = preflight.headers();
    assert_eq!(sent["origin"], ORIGIN);
    assert_eq!(sent["accept"], "*/*");
    assert_eq!(sent["access-control-request-method"], "PUT");
    assert_eq!(
        sent["access-control-request-headers"],
        "content-type,x-alpha,x-zeta"
    );
    assert!(sent.get("cookie").is_none());
    assert!(sent.get("access-control-request-private-network").is_none());

    let actual = request.actual_request();
    assert_eq!(actual.method(), "PUT");
    assert_eq!(actual.headers()["origin"], ORIGIN);
    assert_eq!(actual.headers()["x-zeta"], "1");
}

#[test]
fn r24_private_network_preflight_asks_for_private_network_without_request_headers() {
    let preflight = page()
        .with_private_network(true)
        .preflight_request()
        .unwrap();
    assert_eq!(preflight.headers()["access-control-request-method"], "GET");
    assert_eq!(
        preflight.headers()["access-control-request-private-network"],
        "true"
    );
    assert!(preflight
        .headers()
        .get("access-control-request-headers")
        .is_none());
}

#[test]
fn r7_methods_are_uppercased_only_for_the_six_standard_names() {
    assert_eq!(page().with_method("delete").unwrap().method(), "DELETE");
    assert_eq!(page().with_method("Options").unwrap().method(), "OPTIONS");
    let patch = page().with_method("patch").unwrap();
    assert_eq!(patch.method(), "patch");
    assert!(patch.needs_preflight());
    assert!(matches!(
        page().with_method("TRACE"),
        Err(RequestError::ForbiddenMethod { .. })
    ));
}

#[test]
fn forbidden_headers_cannot_be_set_by_the_page() {
    for name in ["cookie", "Origin", "host", "sec-fetch-site", "proxy-x"] {
        assert!(
            matches!(
                page().with_header(name, "x"),
                Err(RequestError::ForbiddenHeader { .. })
            ),
            "{name}"
        );
    }
}

// --- The CORS check (R8-R12), on actual responses and preflights ---

#[test]
fn r8_missing_allow_origin_is_no_allow_origin() {
    assert_blocked(
        judge_actual(&page(), StatusCode::OK, &headers(&[])),
        CheckStep::Actual,
        Cause::NoAllowOrigin,
        NO_ALLOW_ORIGIN,
    );
}

#[test]
fn r8_missing_allow_origin_on_a_preflight_says_response_to_preflight() {
    let request = page().with_method("PUT").unwrap();
    assert_blocked(
        judge_preflight(&request, StatusCode::NO_CONTENT, &headers(&[])),
        CheckStep::Preflight,
        Cause::NoAllowOrigin,
        &preflight(NO_ALLOW_ORIGIN),
    );
}

#[test]
fn r9_wildcard_allow_origin_passes_without_credentials() {
    let readable = judge_actual(
        &page(),
        StatusCode::OK,
        &headers(&[("access-control-allow-origin", "*")]),
    )
    .unwrap();
    assert!(readable.is_empty());
}

#[test]
fn r9_wildcard_allow_origin_with_credentials_is_blocked() {
    let request = page().with_credentials(true);
    let reason = "The value of the 'Access-Control-Allow-Origin' header in the response must \
                  not be the wildcard '*' when the request's credentials mode is 'include'.";
    let response = headers(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
    ]);
    assert_blocked(
        judge_actual(&request, StatusCode::OK, &response),
        CheckStep::Actual,
        Cause::WildcardWithCredentials,
        reason,
    );
    let put = request.with_method("PUT").unwrap();
    assert_blocked(
        judge_preflight(&put, StatusCode::NO_CONTENT, &response),
        CheckStep::Preflight,
        Cause::WildcardWithCredentials,
        &preflight(reason),
    );
}

#[test]
fn r10_allow_origin_must_equal_the_origin_byte_for_byte() {
    for value in [
        "https://app.example.com/",
        "https://APP.example.com",
        "https://app.example.com:443",
        "http://app.example.com",
        "null",
    ] {
        assert_blocked(
            judge_actual(
                &page(),
                StatusCode::OK,
                &headers(&[("access-control-allow-origin", value)]),
            ),
            CheckStep::Actual,
            Cause::OriginMismatch {
                value: value.to_owned(),
            },
            &format!(
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not \
                 equal to the supplied origin."
            ),
        );
    }
}

#[test]
fn r10_allow_origin_that_is_not_a_url_is_an_invalid_value() {
    assert_blocked(
        judge_actual(
            &page(),
            StatusCode::OK,
            &headers(&[("access-control-allow-origin", "app.example.com")]),
        ),
        CheckStep::Actual,
        Cause::InvalidAllowOrigin {
            value: "app.example.com".to_owned(),
        },
        "The 'Access-Control-Allow-Origin' header contains the invalid value 'app.example.com'.",
    );
}

#[test]
fn r11_two_allow_origin_values_are_multiple_values() {
    let value = "https://app.example.com, https://other.example";
    assert_blocked(
        judge_actual(
            &page(),
            StatusCode::OK,
            &headers(&[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-origin", "https://other.example"),
            ]),
        ),
        CheckStep::Actual,
        Cause::MultipleAllowOrigins {
            value: value.to_owned(),
        },
        &format!(
            "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but \
             only one is allowed."
        ),
    );
}

#[test]
fn r12_credentials_need_allow_credentials_exactly_true() {
    let request = page().with_credentials(true);
    for (sent, value) in [(None, ""), (Some("True"), "True"), (Some("false"), "false")] {
        let mut response = headers(&[("access-control-allow-origin", ORIGIN)]);
        if let Some(sent) = sent {
            response.insert(
                "access-control-allow-credentials",
                HeaderValue::from_static(sent),
            );
        }
        assert_blocked(
            judge_actual(&request, StatusCode::OK, &response),
            CheckStep::Actual,
            Cause::CredentialsNotTrue {
                value: value.to_owned(),
            },
            &format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is \
                 '{value}' which must be 'true' when the request's credentials mode is 'include'."
            ),
        );
    }
}

// --- The preflight (R13-R21, R24) ---

/// A preflight answer that passes the CORS check for [`ORIGIN`], plus `extra`.
fn granted(extra: &[(&'static str, &str)]) -> HeaderMap {
    let mut response = headers(&[
        ("access-control-allow-origin", ORIGIN),
        ("access-control-allow-credentials", "true"),
    ]);
    for (name, value) in extra {
        response.append(*name, HeaderValue::from_str(value).unwrap());
    }
    response
}

#[test]
fn r14_a_redirected_preflight_is_blocked() {
    let request = page().with_method("PUT").unwrap();
    assert_blocked(
        judge_preflight(
            &request,
            StatusCode::MOVED_PERMANENTLY,
            &headers(&[("location", "https://api.example.com/v2/")]),
        ),
        CheckStep::Preflight,
        Cause::PreflightRedirect {
            status: StatusCode::MOVED_PERMANENTLY,
            location: "https://api.example.com/v2/".to_owned(),
        },
        &preflight("Redirect is not allowed for a preflight request."),
    );
}

#[test]
fn r15_preflight_status_must_be_ok() {
    let request = page().with_method("PUT").unwrap();
    assert_blocked(
        judge_preflight(
            &request,
            StatusCode::INTERNAL_SERVER_ERROR,
            &granted(&[("access-control-allow-methods", "PUT")]),
        ),
        CheckStep::Preflight,
        Cause::PreflightStatusNotOk {
            status: StatusCode::INTERNAL_SERVER_ERROR,
        },
        &preflight("It does not have HTTP ok status."),
    );
}

#[test]
fn r15_the_cors_check_is_reported_before_the_status() {
    let request = page().with_method("PUT").unwrap();
    assert_blocked(
        judge_preflight(&request, StatusCode::FORBIDDEN, &headers(&[])),
        CheckStep::Preflight,
        Cause::NoAllowOrigin,
        &preflight(NO_ALLOW_ORIGIN),
    );
}

#[test]
fn r16_an_allow_methods_list_that_does_not_parse_blocks() {
    let request = page().with_method("PUT").unwrap();
    assert_blocked(
        judge_preflight(
            &request,
            StatusCode::NO_CONTENT,
            &granted(&[("access-control-allow-methods", "PUT, Bad value")]),
        ),
        CheckStep::Preflight,
        Cause::InvalidAllowMethods {
            value: "PUT, Bad value".to_owned(),
        },
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
    );
    let header = page().with_header("x-a", "1").unwrap();
    assert_blocked(
        judge_preflight(
            &header,
            StatusCode::NO_CONTENT,
            &granted(&[("access-control-allow-headers", "x-a, x:b")]),
        ),
        CheckStep::Preflight,
        Cause::InvalidAllowHeaders {
            value: "x-a, x:b".to_owned(),
        },
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
    );
}

#[test]
fn r17_the_method_check_is_case_sensitive() {
    let lower = page().with_method("patch").unwrap();
    assert_blocked(
        judge_preflight(
            &lower,
            StatusCode::NO_CONTENT,
            &granted(&[("access-control-allow-methods", "GET, PATCH")]),
        ),
        CheckStep::Preflight,
        Cause::MethodNotAllowed {
            method: "patch".to_owned(),
        },
        "Method patch is not allowed by Access-Control-Allow-Methods in preflight response.",
    );
    let upper = page().with_method("PATCH").unwrap();
    assert_blocked(
        judge_preflight(
            &upper,
            StatusCode::NO_CONTENT,
            &granted(&[("access-control-allow-methods", "patch")]),
        ),
        CheckStep::Preflight,
        Cause::MethodNotAllowed {
            method: "PATCH".to_owned(),
        },
        "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.",
    );
    assert!(judge_preflight(
        &upper,
        StatusCode::OK,
        &granted(&[("access-control-allow-methods", "GET,PATCH")]),
    )
    .is_ok());
}

#[test]
fn r17_safelisted_methods_pass_without_being_listed() {
    let post = page()
        .with_method("POST")
        .unwrap()
        .with_header("x-trace-id", "1")
        .unwrap();
    let cache = judge_preflight(
        &post,
        StatusCode::NO_CONTENT,
        &granted(&[("access-control-allow-headers", "x-trace-id")]),
    )
    .unwrap();
    assert!(cache.methods().is_empty());
}

#[test]
fn r20_star_methods_count_only_without_credentials() {
    let star = &[("access-control-allow-methods", "*")];
    let put = page().with_method("PUT").unwrap();
    let mut anonymous = headers(&[("access-control-allow-origin", "*")]);
    anonymous.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("*"),
    );
    assert!(judge_preflight(&put, StatusCode::NO_CONTENT, &anonymous).is_ok());
    assert_blocked(
        judge_preflight(
            &put.with_credentials(true),
            StatusCode::NO_CONTENT,
            &granted(star),
        ),
        CheckStep::Preflight,
        Cause::MethodNotAllowed {
            method: "PUT".to_owned(),
        },
        "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
    );
}

#[test]
fn r18_the_header_check_is_case_insensitive_and_names_the_missing_header() {
    let request = page()
        .with_method("PUT")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_header("X-Trace-Id", "1")
        .unwrap()
        .with_header("x-forbidden", "1")
        .unwrap();
    assert_blocked(
        judge_preflight(
            &request,
            StatusCode::NO_CONTENT,
            &granted(&[
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "CONTENT-TYPE ,X-Trace-ID"),
            ]),
        ),
        CheckStep::Preflight,
        Cause::HeaderNotAllowed {
            header: "x-forbidden".to_owned(),
        },
        "Request header field x-forbidden is not allowed by Access-Control-Allow-Headers in \
         preflight response.",
    );
}

#[test]
fn r19_authorization_is_never_covered_by_star() {
    let request = page()
        .with_header("authorization", "Bearer t")
        .unwrap()
        .with_header("x-trace-id", "1")
        .unwrap();
    let mut response = headers(&[("access-control-allow-origin", "*")]);
    response.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("*"),
    );
    assert_blocked(
        judge_preflight(&request, StatusCode::NO_CONTENT, &response),
        CheckStep::Preflight,
        Cause::AuthorizationNotCoveredByWildcard,
        "Request header field authorization is not allowed by Access-Control-Allow-Headers in \
         preflight response.",
    );
    response.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("*, Authorization"),
    );
    assert!(judge_preflight(&request, StatusCode::NO_CONTENT, &response).is_ok());
}

#[test]
fn r20_star_headers_count_only_without_credentials() {
    let request = page()
        .with_header("x-trace-id", "1")
        .unwrap()
        .with_credentials(true);
    assert_blocked(
        judge_preflight(
            &request,
            StatusCode::NO_CONTENT,
            &granted(&[("access-control-allow-headers", "*")]),
        ),
        CheckStep::Preflight,
        Cause::HeaderNotAllowed {
            header: "x-trace-id".to_owned(),
        },
        "Request header field x-trace-id is not allowed by Access-Control-Allow-Headers in \
         preflight response.",
    );
}

#[test]
fn r21_the_preflight_cache_keeps_max_age_capped_at_two_hours() {
    let request = page().with_method("PUT").unwrap().with_credentials(true);
    let cache = judge_preflight(
        &request,
        StatusCode::NO_CONTENT,
        &granted(&[
            ("access-control-allow-methods", "GET, PUT"),
            ("access-control-allow-headers", "Content-Type"),
            ("access-control-max-age", "86400"),
        ]),
    )
    .unwrap();
    assert_eq!(cache.max_age(), Duration::from_secs(7200));
    assert_eq!(cache.methods(), ["GET", "PUT"]);
    assert_eq!(cache.headers(), ["content-type"]);
    assert!(cache.credentials());
}

#[test]
fn r24_private_network_needs_allow_private_network_true() {
    let request = page().with_private_network(true);
    assert_blocked(
        judge_preflight(&request, StatusCode::NO_CONTENT, &granted(&[])),
        CheckStep::Preflight,
        Cause::PrivateNetworkNotAllowed {
            address_space: AddressSpace::Private,
            value: None,
        },
        &preflight(
            "No 'Access-Control-Allow-Private-Network' header was present in the preflight \
             response for this private network request targeting the `private` address space.",
        ),
    );
    let local = PageRequest::new(ORIGIN, "http://localhost:8080/")
        .unwrap()
        .with_private_network(true);
    let blocked = judge_preflight(
        &local,
        StatusCode::NO_CONTENT,
        &granted(&[("access-control-allow-private-network", "yes")]),
    )
    .unwrap_err();
    assert_eq!(
        blocked.reason(),
        preflight(
            "The 'Access-Control-Allow-Private-Network' header in the preflight response for \
             this private network request targeting the `local` address space had a value of \
             'yes',  not 'true'."
        )
    );
    assert!(judge_preflight(
        &request,
        StatusCode::NO_CONTENT,
        &granted(&[("access-control-allow-private-network", "true")]),
    )
    .is_ok());
}

// --- Which headers script reads (R22, R23) ---

#[test]
fn r22_r23_script_reads_safelisted_and_exposed_headers_only() {
    let response = headers(&[
        ("access-control-allow-origin", ORIGIN),
        ("access-control-expose-headers", "X-Request-Id, set-cookie"),
        ("content-type", "text/plain"),
        ("x-request-id", "1"),
        ("x-other", "2"),
        ("set-cookie", "a=b"),
        ("date", "now"),
    ]);
    assert_eq!(
        judge_actual(&page(), StatusCode::OK, &response).unwrap(),
        ["content-type", "x-request-id"]
    );
}

// --- explain, through the library ---

/// A policy for [`ORIGIN`] and its subdomains, with credentials.
fn layer() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([ORIGIN, "https://*.example.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "PUT", "DELETE"])
        .allow_headers(["content-type", "x-trace-id"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap()
}

/// The layer's refusal reason in a report.
fn refusal(report: &tower_cors_doctor::Report) -> RefusalReason {
    match report.decision() {
        Some(CorsDecision::Refused(refusal)) => refusal.reason().clone(),
        other => panic!("expected a refusal, got {other:?}\n{report}"),
    }
}

#[test]
fn explain_allowed_preflighted_request_shows_both_steps_and_the_cache() {
    let request = page()
        .with_method("PUT")
        .unwrap()
        .with_header("content-type", "application/json")
        .unwrap()
        .with_credentials(true);
    let report = explain(&layer(), &request);
    assert!(report.is_allowed(), "{report}");
    let kinds: Vec<StepKind> = report.steps().iter().map(|step| step.kind()).collect();
    assert_eq!(kinds, [StepKind::Preflight, StepKind::Actual]);
    assert!(report
        .steps()
        .iter()
        .all(|step| step.outcome() == StepOutcome::Passed));
    assert_eq!(report.steps()[0].response().unwrap().status(), 204);
    let text = report.to_string();
    assert!(
        text.contains("verdict: allowed: the page reads the 200 OK response"),
        "{text}"
    );
    assert!(
        text.contains("preflight cache: 600 s; methods: GET, PUT, DELETE; headers: content-type"),
        "{text}"
    );
    assert!(report.fix().is_none());
}

#[test]
fn explain_origin_not_allowed_gives_the_near_miss() {
    let request = PageRequest::new("http://app.example.com", URL)
        .unwrap()
        .with_method("PUT")
        .unwrap();
    let report = explain(&layer(), &request);
    let blocked = report.verdict().blocked().unwrap();
    assert_eq!(blocked.step(), CheckStep::Preflight);
    assert_eq!(blocked.cause(), &Cause::NoAllowOrigin);
    assert!(matches!(
        refusal(&report),
        RefusalReason::OriginNotAllowed { .. }
    ));
    assert_eq!(
        report.console_message().unwrap(),
        format!(
            "Access to fetch at '{URL}' from origin 'http://app.example.com' has been blocked \
             by CORS policy: {}",
            preflight(NO_ALLOW_ORIGIN)
        )
    );
    // With credentials, validation refuses the plain-http origin: the fix is the safe one, and
    // as the https origin is already listed, it says so instead of asking to add it again.
    let fix = report.fix().unwrap();
    assert!(
        fix.starts_with(
            "serve the page over https, as \"https://app.example.com\", which allowed_origins \
             already allows: adding \"http://app.example.com\" as it is would be refused"
        ),
        "{fix}"
    );
    assert!(fix.contains("the scheme differs"), "{fix}");
    // The actual request is never sent.
    assert_eq!(report.steps()[1].outcome(), StepOutcome::NotSent);
    assert!(report
        .to_string()
        .contains("not sent: the preflight failed"));
}

#[test]
fn explain_origin_one_label_too_deep_for_a_star_pattern() {
    let request = PageRequest::new("https://a.b.example.com", URL).unwrap();
    let report = explain(&layer(), &request);
    assert_eq!(
        report.verdict().blocked().unwrap().cause(),
        &Cause::NoAllowOrigin
    );
    assert!(matches!(
        refusal(&report),
        RefusalReason::OriginNotAllowed { .. }
    ));
    assert!(
        report.fix().unwrap().contains("closest allowed origin"),
        "{report}"
    );
}

#[test]
fn explain_method_not_allowed() {
    let request = page().with_method("PATCH").unwrap().with_credentials(true);
    let report = explain(&layer(), &request);
    assert_eq!(
        report.console_message().unwrap(),
        console(
            "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response."
        )
    );
    assert!(matches!(
        refusal(&report),
        RefusalReason::MethodNotAllowed { .. }
    ));
    assert!(
        report
            .fix()
            .unwrap()
            .contains("add PATCH to allowed_methods"),
        "{report}"
    );
}

#[test]
fn explain_lowercase_patch_says_browsers_do_not_uppercase_it() {
    let layer = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["PATCH"])
        .build()
        .unwrap();
    let request = page().with_method("patch").unwrap();
    let report = explain(&layer, &request);
    assert_eq!(
        report.console_message().unwrap(),
        console(
            "Method patch is not allowed by Access-Control-Allow-Methods in preflight response."
        )
    );
    let fix = report.fix().unwrap();
    assert!(fix.contains("case-sensitive"), "{fix}");
    assert!(fix.contains("'PATCH'"), "{fix}");
}

#[test]
fn explain_strict_policy_says_why_the_console_names_no_method() {
    let layer = CorsLayer::try_from(
        tower_cors::CorsConfig::from_vars(
            "CORS_",
            [("CORS_ALLOWED_ORIGINS", ORIGIN), ("CORS_STRICT", "true")],
        )
        .unwrap(),
    )
    .unwrap();
    let report = explain(&layer, &page().with_method("PATCH").unwrap());
    assert_eq!(
        report.console_message().unwrap(),
        console(&preflight(NO_ALLOW_ORIGIN))
    );
    assert!(matches!(
        refusal(&report),
        RefusalReason::MethodNotAllowed { .. }
    ));
    let fix = report.fix().unwrap();
    assert!(fix.starts_with("add PATCH to allowed_methods"), "{fix}");
    assert!(fix.contains("the policy is strict"), "{fix}");
}

#[test]
fn explain_header_not_allowed() {
    let request = page()
        .with_method("PUT")
        .unwrap()
        .with_header("x-forbidden", "1")
        .unwrap();
    let report = explain(&layer(), &request);
    assert_eq!(
        report.console_message().unwrap(),
        console(
            "Request header field x-forbidden is not allowed by Access-Control-Allow-Headers in \
             preflight response."
        )
    );
    assert!(matches!(
        refusal(&report),
        RefusalReason::HeaderNotAllowed { .. }
    ));
    assert!(report
        .fix()
        .unwrap()
        .contains("add x-forbidden to allowed_headers"));
}

#[test]
fn explain_authorization_under_star_must_be_named() {
    let layer = CorsLayer::builder()
        .allow_origins(["*"])
        .allow_headers(["*"])
        .build()
        .unwrap();
    let request = page().with_header("authorization", "Bearer t").unwrap();
    let report = explain(&layer, &request);
    let blocked = report.verdict().blocked().expect("blocked");
    assert_eq!(blocked.step(), CheckStep::Preflight);
    assert_eq!(
        blocked.reason(),
        "Request header field authorization is not allowed by Access-Control-Allow-Headers in \
         preflight response."
    );
    assert!(matches!(
        refusal(&report),
        RefusalReason::HeaderNotAllowed { .. }
    ));
    assert!(
        report.fix().unwrap().contains("never covers authorization"),
        "{report}"
    );

    let named = CorsLayer::builder()
        .allow_origins(["*"])
        .allow_headers(["*", "authorization"])
        .build()
        .unwrap();
    assert!(explain(&named, &request).is_allowed());
}

#[test]
fn explain_private_network_not_allowed() {
    let request = page().with_private_network(true);
    let report = explain(&layer(), &request);
    let blocked = report.verdict().blocked().expect("blocked");
    assert_eq!(blocked.step(), CheckStep::Preflight);
    assert_eq!(refusal(&report), RefusalReason::PrivateNetworkNotAllowed);
    assert!(
        report
            .fix()
            .unwrap()
            .contains("allow_private_network = true"),
        "{report}"
    );

    let allowing = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .allow_private_network(true)
        .build()
        .unwrap();
    assert!(explain(&allowing, &request).is_allowed());
}

#[test]
fn explain_credentials_not_allowed() {
    let layer = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .build()
        .unwrap();
    let report = explain(&layer, &page().with_credentials(true));
    assert_eq!(
        report.verdict().blocked().unwrap().cause(),
        &Cause::CredentialsNotTrue {
            value: String::new()
        }
    );
    assert_eq!(refusal(&report), RefusalReason::CredentialsNotAllowed);
    assert!(
        report.fix().unwrap().contains("allow_credentials = true"),
        "{report}"
    );
}

#[test]
fn explain_any_origin_policy_with_credentials_gets_the_wildcard_message() {
    let layer = CorsLayer::builder()
        .allow_origins(["*"])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let request = page().with_method("PUT").unwrap().with_credentials(true);
    let report = explain(&layer, &request);
    assert_eq!(
        report.verdict().blocked().unwrap().cause(),
        &Cause::WildcardWithCredentials
    );
    assert!(
        report.fix().unwrap().contains("list the page's origins"),
        "{report}"
    );
}

/// For each refusal class and near-miss kind a browser can meet, the page's request, the cause
/// the browser blocks it for, and whether the layer's refusal has a hint (its words are the
/// layer's, pinned by the layer's own tests): the fix must carry it.
#[test]
fn explain_blocks_each_refusal_class_and_the_fix_carries_the_layers_hint() {
    const APP: &[&str] = &["https://app.example.com"];
    const PREVIEWS: &[&str] = &[r"https://pr-[0-9]+\.preview\.example\.com"];
    let page = |origin: &str| PageRequest::new(origin, "https://api.example.net/items/1").unwrap();
    let app = || page("https://app.example.com");
    // What differs, the allowed origins, the allowed regexes, the page's request, the cause,
    // whether the layer hints.
    type Row = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        PageRequest,
        &'static str,
        bool,
    );
    let rows: Vec<Row> = vec![
        (
            "scheme",
            APP,
            &[],
            page("http://app.example.com"),
            "no_allow_origin",
            true,
        ),
        (
            "port",
            APP,
            &[],
            page("https://app.example.com:8443"),
            "no_allow_origin",
            true,
        ),
        (
            "www",
            APP,
            &[],
            page("https://www.app.example.com"),
            "no_allow_origin",
            true,
        ),
        (
            "loopback spelling",
            &["http://localhost:5173"],
            &[],
            page("http://127.0.0.1:5173"),
            "no_allow_origin",
            true,
        ),
        (
            "one label too deep",
            &["https://*.example.com"],
            &[],
            page("https://a.b.example.com"),
            "no_allow_origin",
            true,
        ),
        (
            "wildcard apex",
            &["https://*.example.com"],
            &[],
            page("https://example.com"),
            "no_allow_origin",
            true,
        ),
        (
            "regex matching part of the origin",
            &[],
            PREVIEWS,
            page("https://pr-7.preview.example.com:8443"),
            "no_allow_origin",
            true,
        ),
        (
            "typo",
            APP,
            &[],
            page("https://app.exmaple.com"),
            "no_allow_origin",
            true,
        ),
        (
            "unrelated",
            APP,
            &[],
            page("https://evil.example"),
            "no_allow_origin",
            false,
        ),
        (
            "method",
            APP,
            &[],
            app().with_method("DELETE").unwrap(),
            "method_not_allowed",
            true,
        ),
        (
            "method's case",
            APP,
            &[],
            app().with_method("patch").unwrap(),
            "method_not_allowed",
            true,
        ),
        (
            "header",
            APP,
            &[],
            app()
                .with_method("PUT")
                .unwrap()
                .with_header("content-type", "application/json")
                .unwrap()
                .with_header("x-trace-id", "1")
                .unwrap(),
            "header_not_allowed",
            true,
        ),
        (
            "credentials",
            APP,
            &[],
            app().with_credentials(true),
            "credentials_not_true",
            true,
        ),
        (
            "private network",
            APP,
            &[],
            app().with_private_network(true),
            "private_network_not_allowed",
            true,
        ),
    ];
    for (name, origins, regexes, request, cause, hinted) in rows {
        let layer = CorsLayer::builder()
            .allow_origins(origins.iter().copied())
            .allow_origin_regexes(regexes.iter().copied())
            .allow_methods(["PUT", "PATCH"])
            .allow_headers(["content-type"])
            .build()
            .unwrap();
        let report = explain(&layer, &request);
        let blocked = report
            .verdict()
            .blocked()
            .unwrap_or_else(|| panic!("{name}: the doctor allows it:\n{report}"));
        assert_eq!(blocked.cause().code(), cause, "{name}:\n{report}");
        let hint = report
            .decision()
            .and_then(CorsDecision::refusal)
            .and_then(|refusal| refusal.hint());
        assert_eq!(hint.is_some(), hinted, "{name}: hint {hint:?}");
        if let Some(hint) = hint {
            assert!(
                report.fix().is_some_and(|fix| fix.contains(hint)),
                "{name}: the fix does not carry the hint {hint:?}:\n{report}"
            );
        }
    }
}

#[test]
fn explain_says_the_protection_refuses_before_the_handler() {
    let protected = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .allow_credentials(true)
        .cross_origin_protection(true)
        .build()
        .unwrap();
    let note = "cross-origin protection answers this request 403 before the handler runs";
    let post = |origin| {
        PageRequest::new(origin, "https://api.example.com/submit")
            .unwrap()
            .with_method("POST")
            .unwrap()
    };
    let report = explain(&protected, &post("https://evil.example"));
    assert!(!report.is_allowed());
    assert!(
        report.notes().iter().any(|n| n.contains(note)),
        "{:?}",
        report.notes()
    );
    // An allowed page's POST is not refused, and gets no such note.
    let report = explain(&protected, &post(ORIGIN));
    assert!(report.is_allowed());
    assert!(!report.notes().iter().any(|n| n.contains(note)));
}

#[test]
fn explain_says_it_cannot_evaluate_an_async_predicate_offline() {
    // A lookup that never answers offline: explain must neither wait for it nor guess.
    let layer = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .allow_origin_async_predicate(|_, _| std::future::pending::<bool>())
        .build()
        .unwrap();
    let tenant = PageRequest::new("https://shop.example.net", URL)
        .unwrap()
        .with_method("PUT")
        .unwrap();
    let report = explain(&layer, &tenant);
    assert!(!report.is_allowed());
    assert!(
        report
            .notes()
            .iter()
            .any(|note| note.contains("asynchronous predicate")),
        "{:?}",
        report.notes()
    );
    let report = explain(&layer, &page());
    assert!(report.is_allowed());
    assert_eq!(report.notes().len(), 1);
}

// --- Before sending, other browsers, and probes through the caller's transport ---

#[test]
fn mixed_content_is_blocked_before_anything_is_sent_and_loopback_is_exempt() {
    let request = PageRequest::new(ORIGIN, "http://api.example.com/items").unwrap();
    assert!(request.is_mixed_content());
    let report = explain(&layer(), &request);
    assert!(report.steps().is_empty(), "{report}");
    let blocked = report.verdict().blocked().unwrap();
    assert_eq!(blocked.step(), CheckStep::Request);
    assert_eq!(
        blocked.cause(),
        &Cause::MixedContent {
            page: format!("{ORIGIN}/")
        }
    );
    // probe_with sends nothing.
    let mut sent = 0;
    let report = probe_with(&request, |_| {
        sent += 1;
        Err(ProbeError::Unreachable {
            url: "http://api.example.com/items".into(),
            reason: "not reachable from a test".into(),
        })
    })
    .unwrap();
    assert_eq!(sent, 0);
    assert_eq!(
        report.verdict().blocked().unwrap().cause().code(),
        "mixed_content"
    );
    assert!(
        report.fix().unwrap().contains("serve the API over https"),
        "{report}"
    );

    for url in [
        "http://localhost:3000/",
        "http://api.localhost/",
        "http://127.0.0.2:8080/",
        "http://[::1]:8080/",
    ] {
        let request = PageRequest::new(ORIGIN, url).unwrap();
        assert!(!request.is_mixed_content(), "{url}");
    }
    // An http page calling http is not mixed content.
    let request = PageRequest::new("http://app.example.com", "http://api.example.com/").unwrap();
    assert!(!request.is_mixed_content());
}

#[test]
fn firefox_messages_name_the_reason_mdn_documents_for_each_refusal_class() {
    let url = URL;
    let prefix = format!(
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
         resource at {url}."
    );
    let layer = layer();
    let cases = [
        (
            PageRequest::new("https://evil.example", URL).unwrap(),
            "CORSMissingAllowOrigin",
            format!(
                "{prefix} (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status \
                 code: 200."
            ),
        ),
        (
            page().with_method("PATCH").unwrap(),
            "CORSMethodNotFound",
            format!(
                "{prefix} (Reason: Did not find method in CORS header \
                 ‘Access-Control-Allow-Methods’)."
            ),
        ),
        (
            page().with_header("x-unknown", "1").unwrap(),
            "CORSMissingAllowHeaderFromPreflight",
            format!(
                "{prefix} (Reason: header ‘x-unknown’ is not allowed according to header \
                 ‘Access-Control-Allow-Headers’ from CORS preflight response)."
            ),
        ),
    ];
    for (request, code, message) in cases {
        let report = explain(&layer, &request);
        let blocked = report.verdict().blocked().expect("blocked");
        assert_eq!(blocked.cause().firefox_code(), Some(code), "{report}");
        assert_eq!(
            report.console_message_in(Browser::Firefox).as_deref(),
            Some(message.as_str()),
            "{report}"
        );
        // Chromium's stays the default, in the text too.
        assert_eq!(
            report.console_message_in(Browser::Chromium).as_deref(),
            report.console_message()
        );
        let firefox = report.for_browser(Browser::Firefox).to_string();
        assert!(
            firefox.contains(&format!("console: {message}\n")),
            "{firefox}"
        );
    }
    // Credentials against a policy without them.
    let open = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .build()
        .unwrap();
    let report = explain(&open, &page().with_credentials(true));
    assert_eq!(
        report.console_message_in(Browser::Firefox).as_deref(),
        Some(
            format!(
                "{prefix} (Reason: expected ‘true’ in CORS header \
                 ‘Access-Control-Allow-Credentials’)."
            )
            .as_str()
        )
    );
    let any = CorsLayer::builder().allow_origins(["*"]).build().unwrap();
    let report = explain(&any, &page().with_credentials(true));
    assert_eq!(
        report.console_message_in(Browser::Firefox).as_deref(),
        Some(
            format!(
                "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                 remote resource at ‘{url}’. (Reason: Credential is not supported if the CORS \
                 header ‘Access-Control-Allow-Origin’ is ‘*’)."
            )
            .as_str()
        )
    );
}

#[test]
fn read_headers_the_browser_hides_are_unreadable() {
    let request = page().with_read_header("X-Request-Id").unwrap();
    let hidden = CorsLayer::builder()
        .allow_origins([ORIGIN])
        .build()
        .unwrap();
    let report = explain(&hidden, &request);
    assert!(report.is_allowed(), "{report}");
    assert_eq!(report.unreadable_headers(), ["x-request-id"]);
    assert!(report
        .to_string()
        .contains("unreadable headers the page reads: x-request-id\n"));
    let exposed = layer();
    let report = explain(&exposed, &request);
    assert!(report.unreadable_headers().is_empty(), "{report}");
}

#[test]
fn firefox_tells_several_allow_origin_lines_from_one_line_holding_a_list() {
    let request = page();
    let answer = |lines: &'static [&'static str]| {
        move |_: http::Request<()>| {
            let mut response = http::Response::new(String::new());
            for line in lines {
                response.headers_mut().append(
                    "access-control-allow-origin",
                    HeaderValue::from_static(line),
                );
            }
            Ok::<_, ProbeError>(response)
        }
    };
    let prefix = format!(
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
         resource at {URL}."
    );
    let two_lines = probe_with(&request, answer(&[ORIGIN, "https://b.example"])).unwrap();
    assert_eq!(
        two_lines.console_message_in(Browser::Firefox).as_deref(),
        Some(
            format!(
                "{prefix} (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not \
                 allowed)."
            )
            .as_str()
        ),
        "{two_lines}"
    );
    let one_line = probe_with(
        &request,
        answer(&["https://app.example.com, https://b.example"]),
    )
    .unwrap();
    assert_eq!(
        one_line.console_message_in(Browser::Firefox).as_deref(),
        Some(
            format!(
                "{prefix} (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match \
                 ‘https://app.example.com, https://b.example’)."
            )
            .as_str()
        ),
        "{one_line}"
    );
    // Chromium calls both "multiple values".
    for report in [&two_lines, &one_line] {
        assert_eq!(
            report.verdict().blocked().unwrap().cause().code(),
            "multiple_allow_origins"
        );
    }
}

#[test]
fn probe_finds_the_near_miss_a_server_allows_and_leads_the_fix_with_it() {
    // A CORS server that refuses every origin but the one it lists.
    let server = |allowed: &'static str| {
        move |request: http::Request<()>| {
            let origin = request.headers().get("origin").cloned();
            let granted = origin.as_ref().is_some_and(|origin| origin == allowed);
            let refused_preflight = request.method() == http::Method::OPTIONS && !granted;
            let mut response = http::Response::new(String::new());
            if refused_preflight {
                *response.status_mut() = StatusCode::FORBIDDEN;
            }
            response
                .headers_mut()
                .insert("vary", HeaderValue::from_static("origin"));
            if let Some(origin) = origin.filter(|_| granted) {
                response
                    .headers_mut()
                    .insert("access-control-allow-origin", origin);
            }
            Ok::<_, ProbeError>(response)
        }
    };
    let report = probe_with(&page(), server("https://www.app.example.com")).unwrap();
    assert!(
        report.fix().is_some_and(|fix| fix.starts_with(
            "the server allows \"https://www.app.example.com\" but not the page's origin \
             \"https://app.example.com\" (it differs: with www.): load the page from"
        )),
        "{report}"
    );
    assert!(
        report.notes().iter().any(|note| {
            note
            == "near miss: a preflight from \"https://www.app.example.com\" (with www.) is allowed"
        }),
        "{report}"
    );
    // A listed origin with a trailing slash: no browser sends it.
    let report = probe_with(&page(), server("https://app.example.com/")).unwrap();
    assert!(
        report.fix().is_some_and(|fix| fix.starts_with(
            "the server allows \"https://app.example.com/\", with a trailing slash, which no \
             browser sends: an origin never ends with `/`; write \"https://app.example.com\" in \
             its allowed origins"
        )),
        "{report}"
    );
}
