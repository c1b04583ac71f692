//! `probe`: the requests a browser sends, sent to a live server, judged by the browser's rules.

use std::fmt;
use std::io::Read;
use std::time::Duration;

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
};
use http::{Request, Response, StatusCode};

use super::fix::fix_for_cause;
use super::judge::{get, judge_actual, judge_preflight, Blocked, Cause, CheckStep};
use super::report::{Allowed, Redirected, Report, Step, StepKind, StepOutcome, Verdict};
use super::request::{copy_request, PageRequest};

/// How long [`probe`] waits for each request, from connecting to the end of the response.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a response body a report keeps.
const BODY_LIMIT: u64 = 4096;

/// Why [`probe`] could not finish: the server could not be reached or answered with something
/// that is not HTTP. A response of any status, 4xx and 5xx included, is not an error.
///
/// ```
/// use tower_cors::doctor::{probe, PageRequest, ProbeError};
///
/// // A port nobody listens on.
/// let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let url = format!("http://127.0.0.1:{port}/");
/// let request = PageRequest::new("https://app.example.com", &url)?;
/// let error = probe(&request).unwrap_err();
/// assert!(matches!(error, ProbeError::Unreachable { .. }));
/// assert!(error.to_string().starts_with(&format!("cannot reach {url}: ")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
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

/// Sends `request` to its server as a browser would, waiting at most [`DEFAULT_TIMEOUT`] for each
/// response. See [`probe_with_timeout`].
pub fn probe(request: &PageRequest) -> Result<Report, ProbeError> {
    probe_with_timeout(request, DEFAULT_TIMEOUT)
}

/// Sends `request` to its server as a browser would, and judges each response by the browser's
/// rules: the preflight when a browser sends one (a redirect is not followed: it is itself a
/// verdict), then the actual request, without a body and without cookies. Each request may take
/// at most `timeout`.
///
/// When the actual response lacks `Access-Control-Allow-Origin` and no preflight was sent, a
/// diagnostic preflight is sent too, to tell an origin the server refuses from headers lost on
/// the way (a proxy that strips them, an error page from a layer in front of the CORS layer).
/// The report's fix is inferred from what came back.
///
/// ```no_run
/// use tower_cors::doctor::{probe, PageRequest};
///
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/items")?
///     .with_method("PUT")?
///     .with_header("content-type", "application/json")?
///     .with_credentials(true);
/// let report = probe(&request)?;
/// println!("{report}");
/// assert!(report.is_allowed(), "{:?}", report.fix());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn probe_with_timeout(request: &PageRequest, timeout: Duration) -> Result<Report, ProbeError> {
    let agent = agent(timeout);
    let mut steps = Vec::new();
    let mut preflight_cache = None;
    if let Some(preflight) = request.preflight_request() {
        let mut step = Step::new(StepKind::Preflight, copy_request(&preflight));
        let response = send(&agent, preflight)?;
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
                let fix = infer_fix(request, &blocked, &steps);
                return Ok(Report {
                    request: request.clone(),
                    steps,
                    verdict: Verdict::Blocked(blocked),
                    notes: Vec::new(),
                    fix: Some(fix),
                });
            }
        }
    }
    let actual = request.actual_request();
    let mut step = Step::new(StepKind::Actual, copy_request(&actual));
    let response = send(&agent, actual)?;
    let status = response.status();
    let notes = Vec::new();
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .filter(|_| status.is_redirection())
        .map(|location| String::from_utf8_lossy(location.as_bytes()).into_owned());
    let judged = judge_actual(request, status, response.headers());
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
                if let Ok(response) = send(&agent, diagnostic) {
                    step.response = Some(response);
                    step.outcome = StepOutcome::Diagnostic;
                    steps.push(step);
                }
            }
            Verdict::Blocked(blocked)
        }
    };
    let fix = verdict
        .blocked()
        .map(|blocked| infer_fix(request, blocked, &steps));
    Ok(Report {
        request: request.clone(),
        steps,
        verdict,
        notes,
        fix,
    })
}

/// The likely fix, from the cause and what the responses show.
fn infer_fix(request: &PageRequest, blocked: &Blocked, steps: &[Step]) -> String {
    let response = |kind| {
        steps
            .iter()
            .find(|step| step.kind == kind)
            .and_then(|step| step.response.as_ref())
    };
    let origin = request.origin();
    match (blocked.cause(), blocked.step()) {
        (Cause::NoAllowOrigin, CheckStep::Actual) => {
            let status = response(StepKind::Actual).map_or(StatusCode::OK, Response::status);
            let preflight =
                response(StepKind::Preflight).or_else(|| response(StepKind::Diagnostic));
            match preflight {
                Some(preflight)
                    if preflight
                        .headers()
                        .contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) =>
                {
                    if status.as_u16() >= 400 {
                        format!(
                            "Access-Control-Allow-Origin is present on the preflight but missing \
                             on the {} response: a layer in front of the CORS layer \
                             (authentication, rate limiting, error handling) or a gateway \
                             answered; put the CORS layer outermost so that it decorates every \
                             response, errors included",
                            status.as_u16()
                        )
                    } else {
                        "Access-Control-Allow-Origin is present on the preflight but missing on \
                         the actual response: a proxy, CDN or gateway strips or bypasses CORS \
                         headers on actual responses, or this route is not behind the CORS \
                         layer; make the proxy pass access-control-* headers through"
                            .to_owned()
                    }
                }
                Some(preflight) if preflight.status().is_success() => format!(
                    "neither the response nor a preflight carries Access-Control-Allow-Origin, \
                     though the server answered the preflight with {}: a proxy, CDN or gateway \
                     in front of the server likely strips access-control-* headers (compare \
                     with a request sent to the application directly), or no CORS layer \
                     handles this route",
                    preflight.status().as_u16()
                ),
                Some(preflight) => {
                    let mut fix = format!(
                        "the server does not allow {origin:?}: it answered a preflight with {} \
                         and no Access-Control-Allow-Origin{}; add the origin to the server's \
                         allowed origins (tower-cors: allowed_origins), with the exact scheme, \
                         host and port",
                        preflight.status().as_u16(),
                        said(preflight),
                    );
                    if status.as_u16() >= 400 {
                        fix.push_str(&format!(
                            "; if it is allowed, the {} response came from a layer in front of \
                             the CORS layer: put the CORS layer outermost",
                            status.as_u16()
                        ));
                    }
                    fix
                }
                None if status.as_u16() >= 400 => format!(
                    "no Access-Control-Allow-Origin on a {} response: a layer in front of the \
                     CORS layer answered, so put the CORS layer outermost; or the server does \
                     not allow {origin:?}: add it to its allowed origins (tower-cors: \
                     allowed_origins)",
                    status.as_u16()
                ),
                None => fix_for_cause(blocked.cause(), request, false),
            }
        }
        (Cause::NoAllowOrigin, CheckStep::Preflight) => {
            let Some(preflight) = response(StepKind::Preflight) else {
                return fix_for_cause(blocked.cause(), request, false);
            };
            let status = preflight.status().as_u16();
            if preflight.status().is_success() {
                format!(
                    "the server answered the preflight with {status} but without \
                     Access-Control-Allow-Origin: a proxy, CDN or gateway in front of it likely \
                     strips access-control-* headers (compare with a request sent to the \
                     application directly), or the OPTIONS request reached a route handler \
                     rather than a CORS layer"
                )
            } else {
                format!(
                    "the server does not allow {origin:?}, or something in front of its CORS \
                     layer answered the preflight with {status}{}: add the origin to the \
                     server's allowed origins (tower-cors: allowed_origins), with the exact \
                     scheme, host and port, and keep the CORS layer outermost so that it \
                     answers preflights itself",
                    said(preflight)
                )
            }
        }
        (cause @ Cause::PreflightStatusNotOk { .. }, _) => {
            let said = response(StepKind::Preflight).map(said).unwrap_or_default();
            format!("{}{said}", fix_for_cause(cause, request, false))
        }
        (cause @ (Cause::MethodNotAllowed { .. } | Cause::HeaderNotAllowed { .. }), _) => {
            let mut fix = fix_for_cause(cause, request, false);
            let (header, what) = match cause {
                Cause::MethodNotAllowed { .. } => (ACCESS_CONTROL_ALLOW_METHODS, "method"),
                _ => (ACCESS_CONTROL_ALLOW_HEADERS, "header"),
            };
            let star = response(StepKind::Preflight)
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
        (cause, _) => fix_for_cause(cause, request, false),
    }
}

/// ` (it said: "...")` with the first line of a response's body, when there is one.
fn said(response: &Response<String>) -> String {
    match response
        .body()
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
    {
        Some(line) => {
            let line: String = line.chars().take(160).collect();
            format!(" (it said: {line:?})")
        }
        None => String::new(),
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .allow_non_standard_methods(true)
        .user_agent(concat!("tower-cors-doctor/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::new_with_config(config)
}

/// Sends `request` without a body and reads the response, keeping the first 4 KiB of the body.
fn send(agent: &ureq::Agent, request: Request<()>) -> Result<Response<String>, ProbeError> {
    let url = request.uri().to_string();
    let (parts, ()) = request.into_parts();
    let request = Request::from_parts(parts, ureq::SendBody::none());
    let response = agent.run(request).map_err(|error| {
        let reason = error.to_string();
        match error {
            ureq::Error::Io(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Timeout(_) => ProbeError::Unreachable { url, reason },
            _ => ProbeError::Failed { url, reason },
        }
    })?;
    let (parts, mut body) = response.into_parts();
    let mut bytes = Vec::new();
    // A body cut short still shows what the server meant to say.
    let _ = body.as_reader().take(BODY_LIMIT).read_to_end(&mut bytes);
    Ok(Response::from_parts(
        parts,
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}
