//! The service: answers preflights itself and decorates every other response.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderMap, COOKIE, HOST, ORIGIN};
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, Uri};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::cross_origin;
use crate::decision::{CorsDecision, CorsRequestKind, Refusal, RefusalReason};
use crate::future::ResponseFuture;
use crate::policy::{Decoration, Policy, PreflightAnswer};
use crate::predicate::{Answer, OriginPredicates, Verdict};
use crate::reload::SharedPolicy;
use crate::request::{classify, Classified};

/// Middleware that applies a CORS policy; built by [`CorsLayer`](crate::CorsLayer).
///
/// Preflights are answered here and never reach the inner service. Every other request goes to
/// the inner service, and its response, whatever its status, gets the policy's headers. An `Err`
/// from the inner service passes through untouched: turn errors into responses inside this layer
/// (with axum's `HandleErrorLayer`, for example) so that they get CORS headers too.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    policy: SharedPolicy,
    predicates: OriginPredicates,
}

impl<S> Cors<S> {
    pub(crate) fn new(inner: S, policy: SharedPolicy, predicates: OriginPredicates) -> Self {
        Self {
            inner,
            policy,
            predicates,
        }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let policy = self.policy.current();
        respond(&mut self.inner, &policy, &self.predicates, request)
    }
}

/// Answers a preflight with `policy`, or calls `inner` and decorates its response.
#[inline]
fn respond<S, ReqBody, ResBody>(
    inner: &mut S,
    policy: &Arc<Policy>,
    predicates: &OriginPredicates,
    request: Request<ReqBody>,
) -> ResponseFuture<S::Future>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    // Off by default: then this one test is all it costs. A refusal is answered here, like a
    // preflight, and the inner service never sees the request.
    if let Some(protection) = &policy.protection {
        if let Some(reason) = cross_origin::check(policy, protection, predicates, &request) {
            let refusal = refuse(policy, CorsRequestKind::Actual, reason, &request);
            return ResponseFuture::preflight(cross_origin::refused_response(policy, refusal));
        }
    }
    let (decoration, decision) = match classify(request.method(), request.headers()) {
        Classified::NotCors => (
            policy.decide_actual(None).unwrap_or(Decoration::NotCors),
            CorsDecision::NotCors,
        ),
        Classified::Preflight { origin, method } => {
            let answer = policy.decide_preflight(origin, method, request.headers());
            if let PreflightAnswer::Refused { reason, .. } = &answer {
                if let Some(origin) = predicates.askable(policy, reason) {
                    let origin = origin.clone();
                    return preflight_asking(policy, predicates, origin, request);
                }
            }
            let refusal = match &answer {
                PreflightAnswer::Refused { reason, .. } => Some(refuse(
                    policy,
                    CorsRequestKind::Preflight,
                    reason.clone(),
                    &request,
                )),
                PreflightAnswer::Allowed { .. } => None,
            };
            return ResponseFuture::preflight(policy.preflight_response(&answer, refusal));
        }
        Classified::Actual { origin } => match policy.decide_actual(Some(origin)) {
            // Only a page that fetched with credentials makes a browser attach cookies to a
            // cross-origin CORS request; without `Access-Control-Allow-Credentials` it will
            // hide the response, so say so while the grant is written as usual.
            Ok(decoration) if !policy.credentials && sends_credentials_cross_origin(&request) => {
                let reason = RefusalReason::CredentialsNotAllowed;
                let refusal = refuse(policy, CorsRequestKind::Actual, reason, &request);
                (decoration, CorsDecision::Refused(refusal))
            }
            Ok(decoration) => (decoration, CorsDecision::Allowed(CorsRequestKind::Actual)),
            Err(reason) => {
                if let Some(origin) = predicates.askable(policy, &reason) {
                    let origin = origin.clone();
                    return actual_asking(inner, policy, predicates, origin, request);
                }
                let refusal = refuse(policy, CorsRequestKind::Actual, reason, &request);
                (Decoration::Refused, CorsDecision::Refused(refusal))
            }
        },
    };
    let host = match decoration {
        Decoration::Echo(_) if policy.wants_host() => request_host(&request),
        _ => None,
    };
    let future = inner.call(request);
    ResponseFuture::actual(future, decoration, decision, host, Arc::clone(policy))
}

/// A preflight whose origin the allowlist does not name, answered once the predicates have
/// decided. The body is dropped: a preflight's is empty, and the inner service never sees it.
fn preflight_asking<F, B>(
    policy: &Arc<Policy>,
    predicates: &OriginPredicates,
    origin: HeaderValue,
    request: Request<B>,
) -> ResponseFuture<F>
where
    F: std::future::Future,
{
    let (parts, _body) = request.into_parts();
    match predicates.ask(&origin, &parts) {
        Verdict::Now(answer) => {
            ResponseFuture::preflight(answer_preflight(policy, answer, origin, &parts))
        }
        Verdict::Later(verdict) => {
            ResponseFuture::preflight_asking(verdict, origin, parts, Arc::clone(policy))
        }
    }
}

/// The answer to a preflight whose origin a predicate allowed, refused or failed to judge.
pub(crate) fn answer_preflight(
    policy: &Policy,
    answer: Answer,
    origin: HeaderValue,
    parts: &Parts,
) -> Response<Bytes> {
    let answer = match (answer, classify(&parts.method, &parts.headers)) {
        (Answer::Allowed, Classified::Preflight { method, .. }) => {
            policy.decide_preflight_for(origin, method, &parts.headers)
        }
        (answer, _) => PreflightAnswer::Refused {
            reason: refused_by_predicates(answer, origin),
            grant: None,
        },
    };
    let refusal = match &answer {
        PreflightAnswer::Refused { reason, .. } => Some(refuse_at(
            policy,
            CorsRequestKind::Preflight,
            reason.clone(),
            parts.headers.get(ORIGIN),
            &parts.method,
            &parts.uri,
        )),
        PreflightAnswer::Allowed { .. } => None,
    };
    policy.preflight_response(&answer, refusal)
}

/// An actual request whose origin the allowlist does not name: it goes to `inner` at once (CORS
/// never holds a request back), and its response is decorated once the predicates have decided.
fn actual_asking<S, ReqBody, ResBody>(
    inner: &mut S,
    policy: &Arc<Policy>,
    predicates: &OriginPredicates,
    origin: HeaderValue,
    request: Request<ReqBody>,
) -> ResponseFuture<S::Future>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    let (parts, body) = request.into_parts();
    let verdict = predicates.ask(&origin, &parts);
    let credentialed = !policy.credentials && credentials_cross_origin(&parts.headers, &parts.uri);
    let host = match policy.wants_host() {
        true => host_of(&parts.headers, &parts.uri),
        false => None,
    };
    match verdict {
        Verdict::Now(answer) => {
            let (decoration, decision) = decide_asked(
                policy,
                answer,
                origin,
                credentialed,
                &parts.method,
                &parts.uri,
            );
            let future = inner.call(Request::from_parts(parts, body));
            ResponseFuture::actual(future, decoration, decision, host, Arc::clone(policy))
        }
        Verdict::Later(verdict) => {
            let line = RequestLine {
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                credentialed,
            };
            let future = inner.call(Request::from_parts(parts, body));
            ResponseFuture::actual_asking(future, verdict, origin, line, host, Arc::clone(policy))
        }
    }
}

/// What an actual request's decision needs once its request is gone to the inner service.
#[derive(Debug)]
pub(crate) struct RequestLine {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    /// Whether it carries cookies cross-origin while the policy does not allow credentials.
    pub(crate) credentialed: bool,
}

/// The decoration and decision for an actual request whose origin a predicate allowed, refused
/// or failed to judge. Failing refuses, as a refusal does: the response gets no grant.
pub(crate) fn decide_asked(
    policy: &Policy,
    answer: Answer,
    origin: HeaderValue,
    credentialed: bool,
    method: &Method,
    uri: &Uri,
) -> (Decoration, CorsDecision) {
    let refusal = |reason, origin: &HeaderValue| {
        refuse_at(
            policy,
            CorsRequestKind::Actual,
            reason,
            Some(origin),
            method,
            uri,
        )
    };
    if answer != Answer::Allowed {
        let refusal = refusal(refused_by_predicates(answer, origin.clone()), &origin);
        return (Decoration::Refused, CorsDecision::Refused(refusal));
    }
    if credentialed {
        let refusal = refusal(RefusalReason::CredentialsNotAllowed, &origin);
        return (Decoration::Echo(origin), CorsDecision::Refused(refusal));
    }
    (
        Decoration::Echo(origin),
        CorsDecision::Allowed(CorsRequestKind::Actual),
    )
}

/// Why the predicates' `answer` refuses `origin`: they said no, or one of them panicked.
fn refused_by_predicates(answer: Answer, origin: HeaderValue) -> RefusalReason {
    match answer {
        Answer::Failed => RefusalReason::PredicateFailed { origin },
        Answer::Allowed | Answer::Refused => RefusalReason::OriginNotAllowed { origin },
    }
}

/// The server's authority as the client addressed it: `Host`, or for HTTP/2 and HTTP/3, whose
/// requests carry none, the URI's authority.
fn request_host<B>(request: &Request<B>) -> Option<HeaderValue> {
    host_of(request.headers(), request.uri())
}

fn host_of(headers: &HeaderMap, uri: &Uri) -> Option<HeaderValue> {
    if let Some(host) = headers.get(HOST) {
        return Some(host.clone());
    }
    let authority = uri.authority()?;
    HeaderValue::from_str(authority.as_str()).ok()
}

/// Whether a request with an `Origin` carries cookies as part of a cross-origin CORS request:
/// the only case in which a browser applies the credentials check. Same-origin requests, form
/// navigations and WebSocket handshakes also send `Origin` and cookies, and are not CORS-checked.
pub(crate) fn sends_credentials_cross_origin<B>(request: &Request<B>) -> bool {
    credentials_cross_origin(request.headers(), request.uri())
}

fn credentials_cross_origin(headers: &HeaderMap, uri: &Uri) -> bool {
    if !headers.contains_key(COOKIE) {
        return false;
    }
    let is = |name: &str, value: &[u8]| headers.get(name).map(|v| v.as_bytes() == value);
    if is("sec-fetch-mode", b"cors") == Some(false)
        || cross_origin::sec_fetch_site(headers) == Some(b"same-origin")
    {
        return false;
    }
    // Without fetch metadata (older browsers), compare the origin's authority with the host.
    let origin = headers.get(ORIGIN).map_or(&b""[..], HeaderValue::as_bytes);
    let authority = origin
        .windows(3)
        .position(|window| window == b"://")
        .map(|start| &origin[start + 3..]);
    match (authority, host_of(headers, uri)) {
        (Some(authority), Some(host)) => !authority.eq_ignore_ascii_case(host.as_bytes()),
        _ => true,
    }
}

/// The refusal of `request`, logged once: at `debug` with its hint, or at `info` in debug mode;
/// a predicate's failure always, at `error`. The hint is only looked for when someone will read
/// it.
fn refuse<B>(
    policy: &Policy,
    kind: CorsRequestKind,
    reason: RefusalReason,
    request: &Request<B>,
) -> Refusal {
    if !logged(policy, &reason) {
        // The common case: the `Origin` lookup below is for the log line alone.
        return Refusal::new(kind, reason);
    }
    refuse_at(
        policy,
        kind,
        reason,
        request.headers().get(ORIGIN),
        request.method(),
        request.uri(),
    )
}

/// Whether a refusal is logged: a predicate's failure always (at `error`, which most
/// subscribers keep), the others in debug mode or when someone listens at `debug`.
fn logged(policy: &Policy, reason: &RefusalReason) -> bool {
    policy.debug
        || matches!(reason, RefusalReason::PredicateFailed { .. })
        || tracing::enabled!(target: "tower_cors::refusal", tracing::Level::DEBUG)
}

/// As [`refuse`], for the request with this `Origin`, method and URI.
pub(crate) fn refuse_at(
    policy: &Policy,
    kind: CorsRequestKind,
    reason: RefusalReason,
    origin: Option<&HeaderValue>,
    method: &Method,
    uri: &Uri,
) -> Refusal {
    if !logged(policy, &reason) {
        // Nobody listens at `debug`, and without debug mode the event would be at `debug`:
        // skip reading the origin (all of it, however long) and the near-miss search.
        return Refusal::new(kind, reason);
    }
    let hint = policy.hint(&reason);
    // The origin as it was sent, for filtering and counting; borrowed unless it is not UTF-8.
    let origin = String::from_utf8_lossy(origin.map_or(&b""[..], |o| o.as_bytes()));
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "tower_cors::refusal",
                $level,
                origin = &*origin,
                method = %method,
                path = %uri.path(),
                kind = ?kind,
                reason = reason.code(),
                hint = hint.as_deref(),
                "CORS request refused: {reason}"
            )
        };
    }
    if matches!(reason, RefusalReason::PredicateFailed { .. }) {
        // A bug or an outage in the application's code, not a client's mistake.
        event!(tracing::Level::ERROR);
    } else if policy.debug {
        event!(tracing::Level::INFO);
    } else {
        event!(tracing::Level::DEBUG);
    }
    Refusal::new(kind, reason).with_hint(hint)
}
