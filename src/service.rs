//! The service: answers preflights itself and decorates every other response.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{COOKIE, HOST, ORIGIN};
use http::{Request, Response};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::decision::{CorsRequestKind, Quoted, Refusal, RefusalReason};
use crate::future::ResponseFuture;
use crate::hint::hint;
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
    let (decoration, refusal) = match classify(request.method(), request.headers()) {
        Classified::NotCors => (
            policy.decide_actual(None).unwrap_or(Decoration::NotCors),
            None,
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
            // cross-origin request; without `Access-Control-Allow-Credentials` it will hide
            // the response, so say so while the grant is written as usual.
            Ok(decoration) if !policy.credentials && request.headers().contains_key(COOKIE) => {
                let reason = RefusalReason::CredentialsNotAllowed;
                let refusal = refuse(policy, CorsRequestKind::Actual, reason, &request);
                (decoration, Some(refusal))
            }
            Ok(decoration) => (decoration, None),
            Err(reason) => {
                let refusal = refuse(policy, CorsRequestKind::Actual, reason, &request);
                (Decoration::Refused, Some(refusal))
            }
        },
    };
    let host = match decoration {
        Decoration::Echo(_) if policy.wants_host() => request.headers().get(HOST).cloned(),
        _ => None,
    };
    let future = inner.call(request);
    ResponseFuture::actual(future, decoration, refusal, host, Arc::clone(policy))
}

/// The refusal of `request`, logged once: at `debug` with its hint, or at `info` in debug mode.
/// The hint is only looked for when someone will read it.
fn refuse<B>(
    policy: &Policy,
    kind: CorsRequestKind,
    reason: RefusalReason,
    request: &Request<B>,
) -> Refusal {
    let logged = policy.debug || tracing::enabled!(tracing::Level::DEBUG);
    let hint = logged.then(|| hint(&policy.config, &reason)).flatten();
    let origin = Quoted(
        request
            .headers()
            .get(ORIGIN)
            .map_or(&b""[..], |o| o.as_bytes()),
    );
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                $level,
                origin = %origin,
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
