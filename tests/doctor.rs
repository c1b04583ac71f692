//! The doctor: the browser's rules as `tower_cors::doctor` applies them (one test per rule of
//! `research/fetch-spec-rules.md`, each with Chromium's exact console message), `explain` through
//! the library for every refusal class, and the `tower-cors` binary run as a user runs it:
//! `check` and `explain` offline, `probe` against the demo server, a proxy that strips CORS
//! headers, and a closed port.
//!
//! Run with `cargo test --all-features --test doctor`.

#![cfg(feature = "cli")]

#[path = "common/demo.rs"]
mod demo;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, StatusCode};
use tower_cors::doctor::{
    explain, judge_actual, judge_preflight, AddressSpace, Cause, CheckStep, PageRequest,
    RequestError, StepKind, StepOutcome,
};
use tower_cors::{CorsDecision, CorsLayer, RefusalReason};

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
    result: Result<impl std::fmt::Debug, tower_cors::doctor::Blocked>,
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
fn refusal(report: &tower_cors::doctor::Report) -> RefusalReason {
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
    let fix = report.fix().unwrap();
    assert!(
        fix.starts_with("add \"http://app.example.com\" to allowed_origins"),
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

// --- The binary ---

/// `target/debug/tower-cors`, built by cargo for this test, or on demand.
fn binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_tower-cors") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test binary path");
    let debug_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let binary = debug_dir.join("tower-cors");
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--features", "cli", "--bin", "tower-cors"])
            .status()
            .expect("cargo build --bin tower-cors");
        assert!(status.success());
    }
    binary
}

/// Runs `tower-cors ARGS` with only `vars` in its environment, for at most 30 seconds.
fn run(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tower-cors");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for tower-cors") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tower-cors {args:?} was still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

/// The exit code and stdout of a run, with stderr shown when an assertion fails.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tower_cors(args: &[&str], vars: &[(&str, &str)]) -> Run {
    let output = run(args, vars);
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A file under cargo's temporary directory for tests.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, contents).expect("write the temporary file");
    path
}

#[test]
fn check_on_the_example_policy_prints_valid_and_the_effective_policy() {
    let run = tower_cors(&["check", "examples/cors.toml"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.lines().any(|line| line == "valid"), "{run:?}");
    assert!(
        run.stdout
            .contains("allowed_origins = [\"https://app.example.com\", \"https://*.example.com\""),
        "{run:?}"
    );
    assert!(run.stdout.contains("max_age = 3600"), "{run:?}");
    // Its loopback origin with credentials is a warning, which --deny-warnings counts.
    assert!(run.stdout.starts_with("warning: "), "{run:?}");
    let denied = tower_cors(&["check", "examples/cors.toml", "--deny-warnings"], &[]);
    assert_eq!(denied.code, 1, "{denied:?}");
    assert!(denied.stdout.contains("--deny-warnings"), "{denied:?}");
}

#[test]
fn check_on_an_invalid_file_lists_every_problem() {
    let path = temp_file(
        "doctor-invalid.toml",
        "allowed_origin = [\"https://a.example\"]\n\
         allowed_origins = [\"https://app.example.com/\", \"*\"]\n\
         allow_credentials = true\n\
         allowed_methods = [\"TRACE\"]\n\
         max_age = 100000\n",
    );
    let run = tower_cors(&["check", path.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    for key in [
        "allowed_origin:",
        "allowed_origins[0]",
        "allowed_methods",
        "max_age",
    ] {
        assert!(errors.iter().any(|e| e.contains(key)), "{key}: {run:?}");
    }
    assert!(errors.len() >= 5, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("invalid: {} problems", errors.len())),
        "{run:?}"
    );
}

#[test]
fn check_reads_the_environment_without_a_file() {
    let run = tower_cors(
        &["check"],
        &[("CORS_ALLOWED_ORIGINS", "https://app.example.com")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("valid\n"), "{run:?}");
    let empty = tower_cors(&["check"], &[]);
    assert_eq!(empty.code, 1, "{empty:?}");
    assert!(empty.stdout.contains("CORS_ALLOWED_ORIGINS"), "{empty:?}");
}

#[test]
fn explain_allowed_exits_0() {
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            "https://a.example.com",
            "--method",
            "put",
            "--header",
            "content-type: application/json",
            "--credentials",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("1. preflight"), "{run:?}");
    assert!(run.stdout.contains("2. actual request"), "{run:?}");
    assert!(run.stdout.contains("verdict: allowed"), "{run:?}");
}

#[test]
fn explain_blocked_exits_1_with_the_console_message() {
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            "https://evil.example",
            "--method",
            "PUT",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "console: Access to fetch at 'https://api.invalid/' from origin \
             'https://evil.example' has been blocked by CORS policy: Response to preflight \
             request doesn't pass access control check: No 'Access-Control-Allow-Origin' header \
             is present on the requested resource.\n"
        ),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("layer: refused (origin_not_allowed): origin \"https://evil.example\""),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("fix: add \"https://evil.example\" to allowed_origins"),
        "{run:?}"
    );
}

#[test]
fn explain_reads_the_environment_and_explains_a_private_network_request() {
    let run = tower_cors(
        &[
            "explain",
            "--origin",
            "https://app.example.com",
            "--private-network",
        ],
        &[("CORS_ALLOWED_ORIGINS", "https://app.example.com")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("Access-Control-Allow-Private-Network"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("allow_private_network = true"),
        "{run:?}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    // Usage errors, from clap.
    for args in [
        &["explain", "examples/cors.toml"][..],
        &["probe", "--origin", "https://a.example"],
        &["frobnicate"],
    ] {
        let run = tower_cors(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
    }
    // Requests no browser makes.
    for (args, error) in [
        (
            &[
                "explain",
                "examples/cors.toml",
                "--origin",
                "app.example.com",
            ][..],
            "not an origin",
        ),
        (
            &[
                "explain",
                "examples/cors.toml",
                "--origin",
                "https://a.example",
                "--header",
                "cookie: a=b",
            ],
            "forbidden to scripts",
        ),
        (
            &[
                "explain",
                "examples/cors.toml",
                "--origin",
                "https://a.example",
                "--method",
                "TRACE",
            ],
            "forbidden",
        ),
        (
            &["probe", "ftp://127.0.0.1/", "--origin", "https://a.example"],
            "http and https",
        ),
    ] {
        let run = tower_cors(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(error), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
    // An invalid policy.
    let path = temp_file("doctor-explain-invalid.toml", "allowed_origins = []\n");
    let run = tower_cors(
        &[
            "explain",
            path.to_str().unwrap(),
            "--origin",
            "https://a.example",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no origin is allowed"), "{run:?}");
}

// --- probe, against the demo server ---

/// The demo server with a policy for [`ORIGIN`], with credentials.
fn demo_server() -> demo::Server {
    demo::start(&[
        ("CORS_ALLOWED_ORIGINS", ORIGIN),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ALLOWED_METHODS", "GET,POST,PUT,DELETE"),
        (
            "CORS_ALLOWED_HEADERS",
            "content-type,authorization,x-trace-id",
        ),
        ("CORS_EXPOSE_HEADERS", "x-request-id"),
        ("CORS_MAX_AGE", "600"),
    ])
}

fn probe_run(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["probe", url];
    args.extend_from_slice(extra);
    tower_cors(&args, &[])
}

#[test]
fn probe_allowed_simple_get() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(&url, &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("preflight: none, a simple request"),
        "{run:?}"
    );
    assert!(run.stdout.contains("< 200 OK"), "{run:?}");
    assert!(
        run.stdout
            .contains("readable headers: content-length, content-type, x-request-id"),
        "{run:?}"
    );
}

#[test]
fn probe_allowed_preflighted_put_with_a_header() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--method",
            "PUT",
            "--header",
            "content-type: application/json",
            "--header",
            "x-trace-id: 7",
            "--credentials",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("> access-control-request-headers: content-type,x-trace-id"),
        "{run:?}"
    );
    assert!(run.stdout.contains("< 204 No Content"), "{run:?}");
    assert!(
        run.stdout
            .contains("preflight cache: 600 s; methods: GET, POST, PUT, DELETE;"),
        "{run:?}"
    );
}

#[test]
fn probe_origin_not_allowed() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(&url, &["--origin", "https://evil.example"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin 'https://evil.example' has been \
             blocked by CORS policy: {NO_ALLOW_ORIGIN}\n"
        )),
        "{run:?}"
    );
    // A diagnostic preflight tells a refused origin from stripped headers.
    assert!(run.stdout.contains("diagnostic preflight"), "{run:?}");
    assert!(
        run.stdout
            .contains("fix: the server does not allow \"https://evil.example\""),
        "{run:?}"
    );
}

#[test]
fn probe_method_not_allowed() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(&url, &["--origin", ORIGIN, "--method", "PATCH"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("fix: add PATCH to the allowed methods"),
        "{run:?}"
    );
}

#[test]
fn probe_header_not_allowed() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--header",
            "x-forbidden: 1",
            "--credentials",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by \
             CORS policy: Request header field x-forbidden is not allowed by \
             Access-Control-Allow-Headers in preflight response.\n"
        )),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("fix: add x-forbidden to the allowed request headers"),
        "{run:?}"
    );
}

#[test]
fn probe_401_from_private_is_readable_with_cors_headers() {
    let server = demo_server();
    let url = format!("{}/private", server.url());
    let run = probe_run(&url, &["--origin", ORIGIN, "--credentials"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("< 401 Unauthorized"), "{run:?}");
    assert!(
        run.stdout
            .contains("verdict: allowed: the page reads the 401 Unauthorized response"),
        "{run:?}"
    );
}

#[test]
fn probe_unreachable_server_exits_2() {
    // Bound but never listening, and kept until the end: connections are refused, and no other
    // process can take the port while the probe runs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/");
    let run = probe_run(&url, &["--origin", ORIGIN]);
    drop(socket);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!("cannot reach {url}")),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "{run:?}");
}

/// A proxy in front of `upstream` that removes every `access-control-*` header from responses:
/// plain HTTP/1.1, one request per connection. Returns its port.
async fn stripping_proxy(upstream: u16) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let step = Duration::from_secs(10);
                let _ = tokio::time::timeout(step, forward_stripped(client, upstream)).await;
            });
        }
    });
    port
}

async fn forward_stripped(mut client: tokio::net::TcpStream, upstream: u16) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // The request head, then as much body as it announces.
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = find(&request, b"\r\n\r\n") {
            break end + 4;
        }
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while request.len() < head_end + length {
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
    }
    let body = request[head_end..].to_vec();
    let head = with_connection_close(&head, |_| true);

    let mut server = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await?;
    server.write_all(head.as_bytes()).await?;
    server.write_all(&body).await?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await?;
    let end = find(&response, b"\r\n\r\n").map_or(response.len(), |end| end + 4);
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let head = with_connection_close(&head, |name| {
        !name.to_ascii_lowercase().starts_with("access-control-")
    });
    client.write_all(head.as_bytes()).await?;
    client.write_all(&response[end..]).await?;
    client.shutdown().await
}

/// An HTTP head keeping the header lines whose name passes `keep`, with `connection: close`.
fn with_connection_close(head: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
    let mut out = String::new();
    out.push_str(lines.next().unwrap_or_default());
    out.push_str("\r\n");
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || !keep(name) {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread")]
async fn probe_through_a_proxy_that_strips_cors_headers() {
    let server = demo_server();
    let port = stripping_proxy(server.port).await;
    let url = format!("http://127.0.0.1:{port}/");

    // Directly, the same request is allowed.
    let direct = format!("{}/", server.url());
    let run = tokio::task::spawn_blocking(move || probe_run(&direct, &["--origin", ORIGIN]))
        .await
        .unwrap();
    assert_eq!(run.code, 0, "{run:?}");

    // Through the proxy: a simple GET, and a preflighted PUT.
    let simple = url.clone();
    let run = tokio::task::spawn_blocking(move || probe_run(&simple, &["--origin", ORIGIN]))
        .await
        .unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by \
             CORS policy: {NO_ALLOW_ORIGIN}\n"
        )),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("strips access-control-* headers"),
        "{run:?}"
    );

    let preflighted = url.clone();
    let run = tokio::task::spawn_blocking(move || {
        probe_run(&preflighted, &["--origin", ORIGIN, "--method", "PUT"])
    })
    .await
    .unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by \
             CORS policy: {}\n",
            preflight(NO_ALLOW_ORIGIN)
        )),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("strips access-control-* headers"),
        "{run:?}"
    );
}

/// A loopback server that answers every connection with `response`, for `connections`
/// connections at most; its base URL.
fn canned_server(response: &'static str, connections: usize) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn probe_of_a_redirect_that_passes_its_cors_check_is_not_settled() {
    let url = canned_server(
        "HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example/items\r\n\
         access-control-allow-origin: https://app.example.com\r\ncontent-length: 0\r\n\
         connection: close\r\n\r\n",
        1,
    );
    let run = probe_run(
        &format!("{url}/items"),
        &["--origin", "https://app.example.com"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "verdict: not settled: the server redirects (302 Found) to \
             https://elsewhere.example/items; the redirect passed its CORS check"
        ),
        "{run:?}"
    );
}

#[test]
fn probe_escapes_control_characters_a_server_sends() {
    let url = canned_server(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 15\r\nconnection: close\r\n\r\n\
         \x1b]0;pwned\x07\x1b[2Jx",
        2,
    );
    let run = probe_run(&format!("{url}/"), &["--origin", "https://app.example.com"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    assert!(
        run.stdout
            .contains("< body: \\u{1b}]0;pwned\\u{7}\\u{1b}[2Jx"),
        "{run:?}"
    );
}

#[test]
fn a_port_past_65535_is_refused_not_read_as_the_default() {
    let run = probe_run(
        "http://127.0.0.1:107835/",
        &["--origin", "https://app.example.com"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("URL \"http://127.0.0.1:107835/\": the port is not a number from 0 to 65535"),
        "{run:?}"
    );
}
