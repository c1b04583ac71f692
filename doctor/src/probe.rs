//! `probe`: the requests a browser sends, sent to a live server, judged by the browser's rules.
//! The sending is the caller's (the command-line doctor sends over HTTP), so that this module
//! needs no HTTP client.

use std::fmt;

use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ORIGIN, VARY};
use http::{HeaderMap, HeaderValue, Request, Response};
use tower_cors::cookie::{is_same_site, kept_same_site};

use crate::fix::{self, mixed_content_fix};
use crate::judge::{get, judge_actual, judge_preflight, Blocked, Cause};
use crate::report::{Allowed, Redirected, Report, Step, StepKind, StepOutcome, Verdict};
use crate::request::{copy_request, PageRequest};

/// Why [`probe_with`] could not finish: the server could not be reached or answered with
/// something that is not HTTP. A response of any status, 4xx and 5xx included, is not an error.
///
/// ```
/// use tower_cors_doctor::ProbeError;
///
/// let error = ProbeError::Unreachable {
///     url: "http://127.0.0.1:9/".into(),
///     reason: "connection refused".into(),
/// };
/// assert_eq!(error.to_string(), "cannot reach http://127.0.0.1:9/: connection refused");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeError {
    /// No connection: the host is unknown, the port closed, or the time ran out.
    Unreachable {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// A connection, but no HTTP response: TLS failed, or the answer was not HTTP.
    Failed {
        /// The URL.
        url: String,
        /// What happened.
        reason: String,
    },
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Unreachable { url, reason } => write!(f, "cannot reach {url}: {reason}"),
            ProbeError::Failed { url, reason } => write!(f, "request to {url} failed: {reason}"),
        }
    }
}

impl std::error::Error for ProbeError {}

/// Sends `request` as a browser would, through `send`, and judges each response by the
/// browser's rules: the preflight when a browser sends one (a redirect is not followed: it is
/// itself a verdict), then the actual request, without a body and without cookies. `send` sends
/// one request and returns the response with (the start of) its body as text; the command-line
/// doctor sends over HTTP with a timeout.
///
/// Nothing is sent for a request the browser blocks before sending it (mixed content). When
/// the actual response lacks `Access-Control-Allow-Origin` and no preflight was sent, a
/// diagnostic preflight is sent too, to tell a server without CORS support, an origin the server
/// refuses, and headers lost on the way (a proxy that strips them, an error page from a layer in
/// front of the CORS layer) apart; when the server refuses the origin, preflights from near
/// misses of it (another scheme, no port, `www.` added or removed, `localhost` for `127.0.0.1`,
/// a trailing slash) find the origin it does allow. The report's fix is inferred from what
/// came back, and an allowed request gets warnings: an echoed origin without `Vary: Origin`,
/// response headers the page cannot read, cookies a cross-site credentialed response sets that
/// the browser will not keep.
///
/// ```
/// use http::{Request, Response};
/// use tower_cors_doctor::{probe_with, PageRequest, ProbeError};
///
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/items")?;
/// // A server that allows every origin.
/// let mut sent = Vec::new();
/// let report = probe_with(&request, |request: Request<()>| {
///     sent.push(request.method().clone());
///     Ok::<_, ProbeError>(
///         Response::builder()
///             .header("access-control-allow-origin", "*")
///             .body(String::new())
///             .unwrap(),
///     )
/// })?;
/// assert!(report.is_allowed(), "{report}");
/// assert_eq!(sent, ["GET"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn probe_with<F>(request: &PageRequest, mut send: F) -> Result<Report, ProbeError>
where
    F: FnMut(Request<()>) -> Result<Response<String>, ProbeError>,
{
    if let Some(blocked) = Blocked::before_sending(request) {
        let fix = mixed_content_fix(request);
        return Ok(Report::new(
            request,
            Vec::new(),
            Verdict::Blocked(blocked),
            Some(fix),
        ));
    }
    let mut steps = Vec::new();
    let mut preflight_cache = None;
    if let Some(preflight) = request.preflight_request() {
        let mut step = Step::new(StepKind::Preflight, copy_request(&preflight));
        let response = send(preflight)?;
        let judged = judge_preflight(request, response.status(), response.headers());
        match step.judged(response, judged) {
            Ok(cache) => {
                preflight_cache = Some(cache);
                steps.push(step);
            }
            Err(blocked) => {
                steps.push(step);
                steps.push(Step::new(StepKind::Actual, request.actual_request()));
                let mut notes = Vec::new();
                let fix = fix::for_server(request, &blocked, &steps, &mut notes, &mut send);
                let mut report = Report::new(request, steps, Verdict::Blocked(blocked), Some(fix));
                report.notes = notes;
                return Ok(report);
            }
        }
    }
    let actual = request.actual_request();
    let mut step = Step::new(StepKind::Actual, copy_request(&actual));
    let response = send(actual)?;
    let status = response.status();
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .filter(|_| status.is_redirection())
        .map(|location| String::from_utf8_lossy(location.as_bytes()).into_owned());
    let judged = judge_actual(request, status, response.headers());
    let mut warnings = Vec::new();
    step.response = Some(response);
    let verdict = match (judged, location) {
        // The browser checks a redirect's CORS headers, then follows it: the page never sees
        // the redirect itself.
        (Ok(_), Some(location)) => {
            step.outcome = StepOutcome::Passed;
            steps.push(step);
            Verdict::Redirected(Redirected { status, location })
        }
        (Ok(readable_headers), None) => {
            step.outcome = StepOutcome::Passed;
            if let Some(response) = &step.response {
                warnings = allowed_warnings(request, response, &readable_headers);
            }
            steps.push(step);
            Verdict::Allowed(Allowed {
                status,
                preflight: preflight_cache,
                readable_headers,
            })
        }
        (Err(blocked), _) => {
            step.outcome = StepOutcome::Blocked;
            step.blocked = Some(blocked.clone());
            steps.push(step);
            if blocked.cause() == &Cause::NoAllowOrigin && steps.len() == 1 {
                let diagnostic = request.forced_preflight_request();
                let mut step = Step::new(StepKind::Diagnostic, copy_request(&diagnostic));
                if let Ok(response) = send(diagnostic) {
                    step.response = Some(response);
                    step.outcome = StepOutcome::Diagnostic;
                    steps.push(step);
                }
            }
            Verdict::Blocked(blocked)
        }
    };
    let mut notes = Vec::new();
    let fix = verdict
        .blocked()
        .map(|blocked| fix::for_server(request, blocked, &steps, &mut notes, &mut send));
    let mut report = Report::new(request, steps, verdict, fix);
    report.notes = notes;
    report.warnings = warnings;
    Ok(report)
}

/// Warnings about an allowed response: an echoed origin without `Vary: Origin`, headers the
/// page cannot read, cookies that will not come back.
fn allowed_warnings(
    request: &PageRequest,
    response: &Response<String>,
    readable: &[String],
) -> Vec<String> {
    let mut warnings = Vec::new();
    let headers = response.headers();
    let echoed = get(headers, ACCESS_CONTROL_ALLOW_ORIGIN.as_str())
        .is_some_and(|value| value == request.origin());
    let vary = get(headers, VARY.as_str()).unwrap_or_default();
    let varies = vary
        .split(',')
        .map(str::trim)
        .any(|name| name == "*" || name.eq_ignore_ascii_case("origin"));
    if echoed && !varies {
        warnings.push(format!(
            "the response echoes the page's origin in Access-Control-Allow-Origin without \
             Vary: Origin: a shared cache (CDN, proxy) or the browser's own cache can serve this \
             answer to a page from another origin, which is then blocked, or serve another \
             origin's answer to this page; the server must send Vary: Origin on every response \
             whose CORS headers depend on the origin (tower-cors does){}",
            if vary.is_empty() {
                String::new()
            } else {
                format!(" (it sent Vary: {vary})")
            }
        ));
    }
    let hidden = hidden_headers(request, headers, readable);
    if !hidden.is_empty() {
        let expose = format!(
            "expose_headers = [{}]",
            hidden
                .iter()
                .map(|name| format!("{name:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let star = get(headers, ACCESS_CONTROL_EXPOSE_HEADERS.as_str())
            .is_some_and(|list| list.split(',').any(|item| item.trim() == "*"));
        warnings.push(format!(
            "the page cannot read {}: {} not CORS-safelisted and not in \
             Access-Control-Expose-Headers{}; if the page needs {}, the server must list {} \
             in Access-Control-Expose-Headers (tower-cors: {expose})",
            hidden.join(", "),
            if hidden.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            if star && request.credentials() {
                " (with credentials, `*` there is just a name)"
            } else {
                ""
            },
            if hidden.len() == 1 { "it" } else { "them" },
            if hidden.len() == 1 { "it" } else { "them" },
        ));
    }
    let unread: Vec<&String> = request
        .read_headers()
        .iter()
        .filter(|name| !readable.contains(name) && !headers.contains_key(name.as_str()))
        .collect();
    if !unread.is_empty() {
        warnings.push(format!(
            "the page reads {}, which the response does not carry at all",
            unread
                .iter()
                .map(|name| name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if request.credentials() {
        if let Some(cookie) = kept_same_site(headers) {
            let host = request
                .url()
                .split_once("://")
                .map_or("", |(_, rest)| rest.split('/').next().unwrap_or_default());
            let cross_site = match (
                HeaderValue::from_str(request.origin()),
                HeaderValue::from_str(host),
            ) {
                (Ok(origin), Ok(host)) => {
                    !is_same_site(&origin, &host)
                        || request.origin().split("://").next() != request.url().split("://").next()
                }
                _ => true,
            };
            if cross_site {
                warnings.push(format!(
                    "the response sets cookie {cookie} without `SameSite=None; Secure`, on a \
                     cross-site request: browsers treat it as SameSite=Lax, so they do not store \
                     it from this response and never send it on the page's cross-site calls \
                     (the classic \"logged in, then every call is a 401\"); set it with \
                     `SameSite=None; Secure` (over https), or serve the page and the API from \
                     the same site"
                ));
            }
        }
    }
    warnings
}

/// Response headers present and worth reading that the page cannot read: those the page says it
/// reads, or any other that is not part of the transport, caching or CORS machinery.
fn hidden_headers(request: &PageRequest, headers: &HeaderMap, readable: &[String]) -> Vec<String> {
    const MACHINERY: [&str; 22] = [
        "accept-ranges",
        "age",
        "alt-svc",
        "connection",
        "content-encoding",
        "content-security-policy",
        "cross-origin-embedder-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
        "date",
        "keep-alive",
        "permissions-policy",
        "referrer-policy",
        "server",
        "set-cookie",
        "strict-transport-security",
        "transfer-encoding",
        "vary",
        "via",
        "x-content-type-options",
        "x-frame-options",
        "x-xss-protection",
    ];
    let mut hidden: Vec<String> = headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| !readable.contains(name))
        .filter(|name| {
            request.read_headers().contains(name)
                || !(name.starts_with("access-control-") || MACHINERY.contains(&name.as_str()))
        })
        .collect();
    hidden.sort();
    hidden.dedup();
    hidden
}

/// Preflights from near misses of the page's origin (another scheme, no port, `www.` added or
/// removed, `localhost` for `127.0.0.1` and back, a trailing slash) to a server that refuses it:
/// the first one the server allows and how it differs, for the fix's lead; every one tried goes
/// into `notes`.
pub(crate) fn near_misses<F>(
    request: &PageRequest,
    notes: &mut Vec<String>,
    send: &mut F,
) -> Option<(String, String)>
where
    F: FnMut(Request<()>) -> Result<Response<String>, ProbeError>,
{
    let origin = request.origin();
    let (scheme, rest) = origin.split_once("://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || rest.ends_with(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let host_port = |host: &str| match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let other_scheme = if scheme == "https" { "http" } else { "https" };
    let mut variants = vec![(
        format!("{other_scheme}://{}", host_port(host)),
        format!("{other_scheme} instead of {scheme}"),
    )];
    if port.is_some() {
        variants.push((format!("{scheme}://{host}"), "without the port".to_owned()));
    }
    match host.strip_prefix("www.") {
        Some(bare) => variants.push((
            format!("{scheme}://{}", host_port(bare)),
            "without www.".to_owned(),
        )),
        None if host.contains('.') && host.parse::<std::net::Ipv4Addr>().is_err() => {
            variants.push((
                format!("{scheme}://www.{}", host_port(host)),
                "with www.".to_owned(),
            ))
        }
        None => {}
    }
    let loopback = match host {
        "localhost" => Some("127.0.0.1"),
        "127.0.0.1" => Some("localhost"),
        _ => None,
    };
    if let Some(other) = loopback {
        variants.push((
            format!("{scheme}://{}", host_port(other)),
            format!("{other} instead of {host}"),
        ));
    }
    variants.push((format!("{origin}/"), "with a trailing slash".to_owned()));
    let mut found = None;
    for (variant, how) in variants {
        let mut preflight = request.forced_preflight_request();
        let Ok(value) = HeaderValue::from_str(&variant) else {
            continue;
        };
        preflight.headers_mut().insert(ORIGIN, value);
        let Ok(response) = send(preflight) else {
            continue;
        };
        let allowed = get(response.headers(), ACCESS_CONTROL_ALLOW_ORIGIN.as_str())
            .is_some_and(|value| value == variant);
        notes.push(format!(
            "near miss: a preflight from {variant:?} ({how}) is {}",
            if allowed { "allowed" } else { "refused too" }
        ));
        if allowed && found.is_none() {
            found = Some((variant, how));
        }
    }
    found
}
