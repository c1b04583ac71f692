//! The service: answers preflights itself and decorates every other response.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{COOKIE, HOST, ORIGIN};
use http::{HeaderValue, Request, Response};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::decision::{CorsDecision, CorsRequestKind, Refusal, RefusalReason};
use crate::future::ResponseFuture;
use crate::policy::{Decoration, Policy, PreflightAnswer};
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
}

impl<S> Cors<S> {
    pub(crate) fn new(inner: S, policy: SharedPolicy) -> Self {
        Self { inner, policy }
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
        let inner = &mut self.inner;
        self.policy.with(|policy| respond(inner, policy, request))
    }
}

/// Answers a preflight with `policy`, or calls `inner` and decorates its response.
#[inline]
fn respond<S, ReqBody, ResBody>(
    inner: &mut S,
    policy: &Arc<Policy>,
    request: Request<ReqBody>,
) -> ResponseFuture<S::Future>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    let (decoration, decision) = match classify(request.method(), request.headers()) {
        Classified::NotCors => (
            policy.decide_actual(None).unwrap_or(Decoration::NotCors),
            CorsDecision::NotCors,
        ),
        Classified::Preflight { origin, method } => {
            let answer = policy.decide_preflight(origin, method, request.headers());
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

/// The server's authority as the client addressed it: `Host`, or for HTTP/2 and HTTP/3, whose
/// requests carry none, the URI's authority.
fn request_host<B>(request: &Request<B>) -> Option<HeaderValue> {
    if let Some(host) = request.headers().get(HOST) {
        return Some(host.clone());
    }
    let authority = request.uri().authority()?;
    HeaderValue::from_str(authority.as_str()).ok()
}

/// Whether a request with an `Origin` carries cookies as part of a cross-origin CORS request:
/// the only case in which a browser applies the credentials check. Same-origin requests, form
/// navigations and WebSocket handshakes also send `Origin` and cookies, and are not CORS-checked.
pub(crate) fn sends_credentials_cross_origin<B>(request: &Request<B>) -> bool {
    let headers = request.headers();
    if !headers.contains_key(COOKIE) {
        return false;
    }
    let is = |name: &str, value: &[u8]| headers.get(name).map(|v| v.as_bytes() == value);
    if is("sec-fetch-mode", b"cors") == Some(false)
        || is("sec-fetch-site", b"same-origin") == Some(true)
    {
        return false;
    }
    // Without fetch metadata (older browsers), compare the origin's authority with the host.
    let origin = headers.get(ORIGIN).map_or(&b""[..], HeaderValue::as_bytes);
    let authority = origin
        .windows(3)
        .position(|window| window == b"://")
        .map(|start| &origin[start + 3..]);
    match (authority, request_host(request)) {
        (Some(authority), Some(host)) => !authority.eq_ignore_ascii_case(host.as_bytes()),
        _ => true,
    }
}

/// The refusal of `request`, logged once: at `debug` with its hint, or at `info` in debug mode.
/// The hint is only looked for when someone will read it.
fn refuse<B>(
    policy: &Policy,
    kind: CorsRequestKind,
    reason: RefusalReason,
    request: &Request<B>,
) -> Refusal {
    let logged =
        policy.debug || tracing::enabled!(target: "tower_cors::refusal", tracing::Level::DEBUG);
    let hint = logged.then(|| policy.hint(&reason)).flatten();
    // The origin as it was sent, for filtering and counting; borrowed unless it is not UTF-8.
    let origin = String::from_utf8_lossy(
        request
            .headers()
            .get(ORIGIN)
            .map_or(&b""[..], |o| o.as_bytes()),
    );
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "tower_cors::refusal",
                $level,
                origin = &*origin,
                method = %request.method(),
                path = %request.uri().path(),
                kind = ?kind,
                reason = reason.code(),
                hint = hint.as_deref(),
                "CORS request refused: {reason}"
            )
        };
    }
    if policy.debug {
        event!(tracing::Level::INFO);
    } else {
        event!(tracing::Level::DEBUG);
    }
    Refusal::new(kind, reason).with_hint(hint)
}
