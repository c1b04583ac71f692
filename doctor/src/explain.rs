//! `explain`: the requests a browser sends, answered offline by a [`CorsLayer`] (its
//! [`answer`](CorsLayer::answer)) in front of a trivial application, judged by the browser's
//! rules.

use http::header::COOKIE;
use http::{HeaderName, HeaderValue, Response};
use tower_cors::{CorsDecision, CorsLayer, RefusalReason};

use crate::fix::{self, mixed_content_fix};
use crate::judge::{judge_actual, judge_preflight, Blocked};
use crate::report::{Allowed, Report, Step, StepKind, Verdict};
use crate::request::{copy_request, PageRequest};

/// The cookie that stands in for the ones a browser attaches to a request with credentials, so
/// that the layer sees what it would see from a browser.
const STAND_IN_COOKIE: &str = "tower-cors-doctor=credentials";

/// Runs `request` through `layer` as a browser would send it, offline: the preflight when a
/// browser sends one, then the actual request (with a stand-in cookie when it has credentials),
/// each answered by the layer around an inner service that answers `200 ok` (with a stand-in
/// value for each header the page reads, [`PageRequest::with_read_header`]). Each response is
/// judged by the browser's rules ([`judge_preflight`], [`judge_actual`]); the report holds every
/// step with the layer's own decision ([`CorsLayer::decide`]), the verdict, Chromium's console
/// message and the fix.
///
/// ```
/// use tower_cors_doctor::{explain, Cause, PageRequest};
/// use tower_cors::{CorsLayer, RefusalReason};
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .allow_methods(["GET", "PUT"])
///     .build()?;
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/")?
///     .with_method("PATCH")?;
/// let report = explain(&layer, &request);
/// assert!(!report.is_allowed());
/// let blocked = report.verdict().blocked().unwrap();
/// assert_eq!(blocked.cause(), &Cause::MethodNotAllowed { method: "PATCH".into() });
/// assert_eq!(
///     report.console_message(),
///     Some("Access to fetch at 'https://api.example.com/' from origin 'https://app.example.com' \
///           has been blocked by CORS policy: Method PATCH is not allowed by \
///           Access-Control-Allow-Methods in preflight response.")
/// );
/// let refusal = report.decision().and_then(|decision| decision.refusal()).unwrap();
/// assert!(matches!(refusal.reason(), RefusalReason::MethodNotAllowed { .. }));
/// assert!(report.fix().unwrap().contains("allowed_methods"));
///
/// let put = PageRequest::new("https://app.example.com", "https://api.example.com/")?
///     .with_method("PUT")?;
/// assert!(explain(&layer, &put).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn explain(layer: &CorsLayer, request: &PageRequest) -> Report {
    if let Some(blocked) = Blocked::before_sending(request) {
        let fix = mixed_content_fix(request);
        return Report::new(request, Vec::new(), Verdict::Blocked(blocked), Some(fix));
    }
    let read_headers: Vec<HeaderName> = request
        .read_headers()
        .iter()
        .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
        .collect();
    // The layer's answer offline: an asynchronous origin predicate, which may wait on a
    // database, is left out, as `decide` leaves it out.
    let application = || ok_200(&read_headers);
    let mut steps = Vec::new();
    let mut preflight_cache = None;
    if let Some(preflight) = request.preflight_request() {
        let mut step = Step::new(StepKind::Preflight, copy_request(&preflight));
        step.decision = Some(layer.decide(&preflight));
        let response = layer.answer(&preflight, application);
        let judged = judge_preflight(request, response.status(), response.headers());
        match step.judged(response, judged) {
            Ok(cache) => {
                preflight_cache = Some(cache);
                steps.push(step);
            }
            Err(blocked) => {
                let fix = fix::for_policy(layer, step.decision.as_ref(), &blocked, request);
                steps.push(step);
                steps.push(Step::new(StepKind::Actual, request.actual_request()));
                let mut report = Report::new(request, steps, Verdict::Blocked(blocked), Some(fix));
                report.notes = offline_notes(layer);
                return report;
            }
        }
    }
    let mut actual = request.actual_request();
    if request.credentials() {
        actual
            .headers_mut()
            .insert(COOKIE, HeaderValue::from_static(STAND_IN_COOKIE));
    }
    let mut step = Step::new(StepKind::Actual, copy_request(&actual));
    step.decision = Some(layer.decide(&actual));
    let response = layer.answer(&actual, application);
    let judged = judge_actual(request, response.status(), response.headers());
    let status = response.status();
    let (verdict, fix) = match step.judged(response, judged) {
        Ok(readable_headers) => {
            let allowed = Allowed {
                status,
                preflight: preflight_cache,
                readable_headers,
            };
            (Verdict::Allowed(allowed), None)
        }
        Err(blocked) => {
            let fix = fix::for_policy(layer, step.decision.as_ref(), &blocked, request);
            (Verdict::Blocked(blocked), Some(fix))
        }
    };
    let protected = step
        .decision
        .as_ref()
        .and_then(CorsDecision::refusal)
        .is_some_and(|refusal| refused_by_protection(refusal.reason()));
    steps.push(step);
    let mut notes = offline_notes(layer);
    if protected {
        notes.push(
            "cross-origin protection answers this request 403 before the handler runs, so the \
             server does not act on it; from this page a <form method=post> gets the same 403 \
             as a page, and a no-cors fetch an opaque response while the console says \
             \"Failed to load resource: the server responded with a status of 403 (Forbidden)\""
                .to_owned(),
        );
    }
    if request.credentials() {
        notes.push(format!(
            "the actual request carries a stand-in cookie ({STAND_IN_COOKIE}), as a browser \
             attaches the page's cookies to a request with credentials"
        ));
    }
    let mut report = Report::new(request, steps, verdict, fix);
    report.notes = notes;
    report
}

/// The application's answer: `200 ok` to everything, with a stand-in value for each header the
/// page reads, as the application would send them.
fn ok_200(read_headers: &[HeaderName]) -> Response<String> {
    let mut response = Response::new("ok".to_owned());
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    for name in read_headers {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), HeaderValue::from_static("stand-in"));
        }
    }
    response
}

/// Whether the layer's cross-origin protection, not CORS, refused the request.
fn refused_by_protection(reason: &RefusalReason) -> bool {
    matches!(
        reason,
        RefusalReason::CrossOriginRequestForbidden { .. }
            | RefusalReason::CrossOriginWebSocketForbidden { .. }
    )
}

/// What an offline explanation of `layer` cannot tell.
fn offline_notes(layer: &CorsLayer) -> Vec<String> {
    let mut notes = Vec::new();
    if layer.has_async_origin_predicate() {
        notes.push(
            "the layer also allows origins through an asynchronous predicate in code, which an \
             offline explanation cannot evaluate: an origin it would allow shows as refused here"
                .to_owned(),
        );
    }
    notes
}
