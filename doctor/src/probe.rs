//! `probe`: the requests a browser sends, sent to a live server, judged by the browser's rules.
//! The sending is the caller's (the command-line doctor sends over HTTP), so that this module
//! needs no HTTP client.

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ALLOW, LOCATION, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use tower_cors::cookie::{is_same_site, kept_same_site};

use crate::fix::{
    allow_origin_fix, fix_for_cause, mixed_content_fix, outside_policy, refused_change,
};
use crate::judge::{get, judge_actual, judge_preflight, Blocked, Cause, CheckStep};
use crate::report::{
    body_lines, status_line, Allowed, Redirected, Report, Step, StepKind, StepOutcome, Verdict,
};
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
        step.response = Some(response);
        match judged {
            Ok(cache) => {
                step.outcome = StepOutcome::Passed;
                preflight_cache = Some(cache);
                steps.push(step);
            }
            Err(blocked) => {
                step.outcome = StepOutcome::Blocked;
                step.blocked = Some(blocked.clone());
                steps.push(step);
                steps.push(Step::new(StepKind::Actual, request.actual_request()));
                let mut notes = Vec::new();
                let fix = infer_fix(request, &blocked, &steps, &mut notes, &mut send);
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
        .map(|blocked| infer_fix(request, blocked, &steps, &mut notes, &mut send));
    let mut report = Report::new(request, steps, verdict, fix);
    report.notes = notes;
    report.warnings = warnings;
    Ok(report)
}

/// What the responses show about the server's CORS support.
struct Evidence<'a> {
    /// The actual response, when it was sent.
    actual: Option<&'a Response<String>>,
    /// The preflight's response, or the diagnostic preflight's.
    preflight: Option<&'a Response<String>>,
}

impl<'a> Evidence<'a> {
    fn new(steps: &'a [Step]) -> Self {
        let response = |kind| {
            steps
                .iter()
                .find(|step| step.kind == kind)
                .and_then(|step| step.response.as_ref())
        };
        Self {
            actual: response(StepKind::Actual),
            preflight: response(StepKind::Preflight).or_else(|| response(StepKind::Diagnostic)),
        }
    }

    fn responses(&self) -> impl Iterator<Item = &'a Response<String>> {
        self.actual.into_iter().chain(self.preflight)
    }

    /// Whether any response carries an `access-control-*` header.
    fn any_cors_header(&self) -> bool {
        self.responses()
            .any(|response| cors_header_names(response).next().is_some())
    }

    /// Whether any response says it varies with the request's `Origin` or its CORS request
    /// headers: the mark of a CORS layer, which a proxy stripping `access-control-*` keeps.
    fn any_cors_vary(&self) -> bool {
        self.responses().any(|response| {
            get(response.headers(), VARY.as_str()).is_some_and(|vary| {
                vary.split(',').map(str::trim).any(|name| {
                    name.eq_ignore_ascii_case("origin")
                        || name
                            .to_ascii_lowercase()
                            .starts_with("access-control-request-")
                })
            })
        })
    }
}

fn cors_header_names(response: &Response<String>) -> impl Iterator<Item = &str> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str())
        .filter(|name| name.starts_with("access-control-"))
}

/// The likely fix, from the cause and what the responses show; notes what the extra preflights
/// sent to find it showed.
fn infer_fix<F>(
    request: &PageRequest,
    blocked: &Blocked,
    steps: &[Step],
    notes: &mut Vec<String>,
    send: &mut F,
) -> String
where
    F: FnMut(Request<()>) -> Result<Response<String>, ProbeError>,
{
    let evidence = Evidence::new(steps);
    match blocked.cause() {
        Cause::NoAllowOrigin => no_allow_origin_fix(request, blocked, &evidence, notes, send),
        Cause::HeaderNotAllowed { header } if header.starts_with("access-control-") => {
            fix_for_cause(blocked.cause(), request, false)
        }
        cause @ Cause::PreflightStatusNotOk { status } => {
            let preflight = evidence.preflight;
            if !evidence.any_cors_header() && !evidence.any_cors_vary() {
                return no_cors_fix(request, preflight);
            }
            let said = preflight.map(said).unwrap_or_default();
            let _ = status;
            format!("{}{said}", fix_for_cause(cause, request, false))
        }
        cause @ (Cause::MethodNotAllowed { .. } | Cause::HeaderNotAllowed { .. }) => {
            let mut fix = fix_for_cause(cause, request, false);
            let (header, what) = match cause {
                Cause::MethodNotAllowed { .. } => (ACCESS_CONTROL_ALLOW_METHODS, "method"),
                _ => (ACCESS_CONTROL_ALLOW_HEADERS, "header"),
            };
            let star = evidence
                .preflight
                .and_then(|preflight| get(preflight.headers(), header.as_str()))
                .is_some_and(|list| list.split(',').any(|item| item.trim() == "*"));
            if star && request.credentials() {
                fix.push_str(&format!(
                    "; with credentials, the `*` in {header} is just a name: the server must \
                     list the {what} (tower-cors does so itself)"
                ));
            }
            fix
        }
        cause @ (Cause::WildcardWithCredentials | Cause::CredentialsNotTrue { .. }) => {
            // The fix lists the page's origin with credentials on.
            let direct = fix_for_cause(cause, request, false);
            let mut config = outside_policy(request);
            config.allow_credentials = true;
            allow_origin_fix(request, &config, direct, false)
        }
        cause => fix_for_cause(cause, request, false),
    }
}

/// No `Access-Control-Allow-Origin` where the browser needed one: a redirect, a server without
/// CORS, headers lost on the way or set only on some responses, or an origin the server refuses
/// (with the near miss it allows, when there is one).
fn no_allow_origin_fix<F>(
    request: &PageRequest,
    blocked: &Blocked,
    evidence: &Evidence<'_>,
    notes: &mut Vec<String>,
    send: &mut F,
) -> String
where
    F: FnMut(Request<()>) -> Result<Response<String>, ProbeError>,
{
    let origin = request.origin();
    let actual_status = evidence.actual.map(Response::status);
    if blocked.step() == CheckStep::Actual {
        if let Some(actual) = evidence.actual {
            if let Some(location) = actual
                .headers()
                .get(LOCATION)
                .filter(|_| actual.status().is_redirection())
            {
                let location = String::from_utf8_lossy(location.as_bytes());
                return format!(
                    "the server redirects this URL ({} to {location}) and the redirect carries \
                     no Access-Control-Allow-Origin: the browser checks CORS on the redirect \
                     itself, before following it; call the final URL from the page (watch for \
                     a trailing slash, http to https, or www), or have the server answer the \
                     redirect with the CORS headers too",
                    status_line(actual.status())
                );
            }
        }
    }
    if let Some(actual) = evidence
        .actual
        .filter(|actual| is_cross_origin_protection_refusal(actual))
    {
        return format!(
            "the server's cross-origin protection refused this request with {} before its \
             handler ran ({}): it trusts the same origins as the CORS policy, and {origin:?} is \
             not among them; add the page's origin to the server's allowed origins (tower-cors: \
             allowed_origins), or, for a path that must take cross-origin posts from anywhere \
             (a webhook, an SSO or payment callback), add its prefix to \
             cross_origin_exempt_paths",
            status_line(actual.status()),
            actual.body().lines().next().unwrap_or_default().trim()
        );
    }
    let preflight = evidence.preflight;
    if let Some(preflight) = preflight {
        let has_allow_origin = preflight
            .headers()
            .contains_key(ACCESS_CONTROL_ALLOW_ORIGIN);
        if has_allow_origin && blocked.step() == CheckStep::Actual {
            let status = actual_status.unwrap_or(StatusCode::OK);
            if status.as_u16() >= 400 {
                return format!(
                    "Access-Control-Allow-Origin is present on the preflight but missing on the \
                     {} response: a layer in front of the CORS layer (authentication, rate \
                     limiting, error handling) or a gateway answered; put the CORS layer \
                     outermost so that it decorates every response, errors included",
                    status.as_u16()
                );
            }
            return "Access-Control-Allow-Origin is present on the preflight but missing on the \
                    actual response: most likely the route or handler that serves it is not \
                    behind the CORS layer (a route added outside the router the layer wraps, a \
                    nested or fallback service, or a layer in front of it that answers), so \
                    wrap every route with the CORS layer, outermost; less likely, a proxy, CDN \
                    or gateway drops CORS headers on actual responses only (compare with a \
                    request sent to the application directly)"
                .to_owned();
        }
        let names: Vec<&str> = cors_header_names(preflight).collect();
        if !has_allow_origin && !names.is_empty() {
            return format!(
                "the preflight's response carries some CORS headers ({}) but not \
                 Access-Control-Allow-Origin: the server's configuration sets them separately \
                 and drops that one for this request (nginx, for one, discards every outer \
                 add_header in a block that has its own, such as one inside `if`: repeat all \
                 the CORS headers there, with `always`); it is not a proxy stripping CORS \
                 headers, which would strip them all",
                names.join(", ")
            );
        }
    }
    if !evidence.any_cors_header() && !evidence.any_cors_vary() {
        return no_cors_fix(request, preflight);
    }
    if !evidence.any_cors_header() {
        if let Some(preflight) = preflight.filter(|p| p.status().is_success()) {
            return format!(
                "the server answered the preflight with {} and says it varies with the origin \
                 (Vary), so a CORS layer handled it, but no access-control-* header came \
                 through: a proxy, CDN or gateway in front of it likely strips access-control-* \
                 headers (compare with a request sent to the application directly)",
                preflight.status().as_u16()
            );
        }
    }
    // A server with CORS that refuses this origin.
    let addable = refused_change(&outside_policy(request), |config| {
        config.allowed_origins.push(origin.to_owned());
    })
    .is_none();
    let near_miss = near_miss(request, addable, notes, send);
    let said = preflight.map(said).unwrap_or_default();
    let direct = match preflight {
        Some(preflight) => format!(
            "the server does not allow {origin:?}: it answered a preflight with {} and no \
             Access-Control-Allow-Origin{said}; add the origin to the server's allowed origins \
             (tower-cors: allowed_origins), with the exact scheme, host and port",
            preflight.status().as_u16(),
        ),
        None => format!(
            "the server does not allow {origin:?}: add it to the server's allowed origins \
             (tower-cors: allowed_origins), with the exact scheme, host and port"
        ),
    };
    let mut fix = allow_origin_fix(request, &outside_policy(request), direct, false);
    if let Some(near_miss) = near_miss {
        fix = format!("{near_miss}; otherwise {fix}");
    }
    if let Some(status) = actual_status.filter(|status| status.as_u16() >= 400) {
        fix.push_str(&format!(
            "; if it is allowed, the {} response came from a layer in front of the CORS layer: \
             put the CORS layer outermost",
            status.as_u16()
        ));
    }
    fix
}

/// Whether `response` is tower-cors's cross-origin protection refusing the request: a 403
/// whose one-line body says so.
fn is_cross_origin_protection_refusal(response: &Response<String>) -> bool {
    response.status() == StatusCode::FORBIDDEN
        && [
            "cross-origin request from origin ",
            "cross-origin WebSocket handshake from origin ",
        ]
        .iter()
        .any(|start| response.body().starts_with(start))
}

/// A server with no CORS support at all: no `access-control-*` header and no `Vary` on the
/// origin anywhere, and a preflight answered like any other request.
fn no_cors_fix(request: &PageRequest, preflight: Option<&Response<String>>) -> String {
    // Authentication, rate limiting and errors answer before any CORS layer can; a server
    // without CORS answers OPTIONS as an unknown method or route instead.
    if let Some(preflight) = preflight.filter(|p| {
        matches!(p.status().as_u16(), 401 | 403 | 407 | 429)
            || (p.status().is_server_error() && p.status() != StatusCode::NOT_IMPLEMENTED)
    }) {
        return format!(
            "no response carries an access-control-* header, and the preflight (OPTIONS) got \
             {}{}: an authentication, rate-limiting or error-handling layer answered before any \
             CORS layer could (browsers send preflights without cookies or Authorization, so \
             they never pass authentication); put the CORS layer outermost so that it answers \
             preflights itself and decorates every response, errors included (tower-cors: \
             `.layer(cors)` as the last layer of the whole router), and allow {:?}; if the \
             server has no CORS layer at all, add one",
            status_line(preflight.status()),
            said(preflight),
            request.origin()
        );
    }
    let answered = match preflight {
        Some(preflight) if preflight.headers().contains_key(ALLOW) => format!(
            "answered the preflight (OPTIONS) with {} and an Allow header, as a framework \
             answers OPTIONS on its own",
            status_line(preflight.status())
        ),
        Some(preflight) if preflight.status() == StatusCode::NOT_IMPLEMENTED => {
            "answered the preflight (OPTIONS) with 501 Not Implemented: it does not implement \
             the OPTIONS method at all"
                .to_owned()
        }
        Some(preflight) if preflight.status().is_success() => format!(
            "answered the preflight (OPTIONS) with {} like an ordinary request (a route or a \
             catch-all handler answered it, not a CORS layer)",
            status_line(preflight.status())
        ),
        Some(preflight) => format!(
            "answered the preflight (OPTIONS) with {}, as it answers any request it has no \
             route for",
            status_line(preflight.status())
        ),
        None => "did not answer a preflight".to_owned(),
    };
    format!(
        "the server has no CORS support: no response carries an access-control-* header, and \
         it {answered}; if it is your server, add a CORS layer in front of every route, \
         outermost, so that it answers preflights itself and decorates every response, errors \
         included (tower-cors: `.layer(cors)` as the last layer of the whole router), and allow \
         {:?}; if it is a third-party API you cannot change, call it through the page's own \
         origin instead (a same-origin route on your server that forwards to it), since a \
         browser will not let the page read it cross-origin; if the application does send CORS \
         headers when called directly, a proxy in front of it strips them",
        request.origin()
    )
}

/// Preflights from near misses of the page's origin (another scheme, no port, `www.` added or
/// removed, `localhost` for `127.0.0.1` and back, a trailing slash) to a server that refuses it: the first one the server allows, as
/// the fix's lead; every one tried goes into `notes`.
fn near_miss<F>(
    request: &PageRequest,
    addable: bool,
    notes: &mut Vec<String>,
    send: &mut F,
) -> Option<String>
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
            found = Some(if how == "with a trailing slash" {
                format!(
                    "the server allows {variant:?}, with a trailing slash, which no browser \
                     sends: an origin never ends with `/`; write {origin:?} in its allowed \
                     origins"
                )
            } else if addable {
                format!(
                    "the server allows {variant:?} but not the page's origin {origin:?} (it \
                     differs: {how}): load the page from {variant:?}, or add {origin:?} to the \
                     server's allowed origins"
                )
            } else {
                format!(
                    "the server allows {variant:?} but not the page's origin {origin:?} (it \
                     differs: {how}): load the page from {variant:?}"
                )
            });
        }
    }
    found
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

/// ` (it said: "..." / "...")` with the first lines of a response's body (the reason, and the
/// hint a server in debug mode adds), when there is one.
fn said(response: &Response<String>) -> String {
    let lines = body_lines(response.body());
    if lines.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = lines.iter().map(|line| format!("{line:?}")).collect();
    format!(" (it said: {})", quoted.join(" / "))
}
