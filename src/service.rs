//! The service: answers preflights itself and decorates every other response.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::ORIGIN;
use http::{Request, Response};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::decision::{CorsRequestKind, Quoted, RefusalReason};
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
    let decoration = match classify(request.method(), request.headers()) {
        Classified::NotCors => policy.decide_actual(None).unwrap_or(Decoration::NotCors),
        Classified::Preflight { origin, method } => {
            let answer = policy.decide_preflight(origin, method, request.headers());
            if let PreflightAnswer::Refused { reason, .. } = &answer {
                log_refusal(CorsRequestKind::Preflight, reason, &request);
            }
            return ResponseFuture::preflight(policy.preflight_response(&answer));
        }
        Classified::Actual { origin } => match policy.decide_actual(Some(origin)) {
            Ok(decoration) => decoration,
            Err(reason) => {
                log_refusal(CorsRequestKind::Actual, &reason, &request);
                Decoration::Refused
            }
        },
    };
    let future = inner.call(request);
    ResponseFuture::actual(future, decoration, Arc::clone(policy))
}

/// One debug-level event per refusal, with what a developer needs to find the culprit.
fn log_refusal<B>(kind: CorsRequestKind, reason: &RefusalReason, request: &Request<B>) {
    tracing::debug!(
        origin = %Quoted(request.headers().get(ORIGIN).map_or(&b""[..], |o| o.as_bytes())),
        method = %request.method(),
        path = %request.uri().path(),
        kind = ?kind,
        reason = reason.code(),
        "CORS request refused: {reason}"
    );
}
