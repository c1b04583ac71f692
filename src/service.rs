//! The service: answers preflights itself and decorates every other response.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::decide::{decide, Asking, Outcome};
use crate::decision::CorsRequestKind;
use crate::future::ResponseFuture;
use crate::policy::{Decoration, Policy};
use crate::predicate::{OriginPredicates, Verdict};
use crate::record::{answered_actual, answered_preflight, refuse, LineRef, RequestLine};
use crate::reload::SharedPolicy;
use crate::render;
use crate::request::host_of;

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

/// Does what [`decide`] decided for `request`: answers it here, or calls `inner` and decorates
/// its response.
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
    match decide(policy, predicates, &request) {
        Outcome::Preflight(answer) => {
            let refusal = answer
                .refusal()
                .map(|reason| refuse(policy, CorsRequestKind::Preflight, reason.clone(), &request));
            ResponseFuture::ready(render::preflight(policy, &answer, refusal))
        }
        Outcome::Actual {
            decoration,
            verdict,
        } => {
            let decision =
                verdict.into_decision(|kind, reason| refuse(policy, kind, reason, &request));
            let host = match decoration {
                Decoration::Echo(_) if policy.wants_host() => {
                    host_of(request.headers(), request.uri())
                }
                _ => None,
            };
            let future = inner.call(request);
            ResponseFuture::actual(future, decoration, decision, host, Arc::clone(policy))
        }
        Outcome::Forbidden(reason) => {
            let refusal = refuse(policy, CorsRequestKind::Actual, reason, &request);
            ResponseFuture::ready(render::forbidden(policy, refusal))
        }
        Outcome::Ask { origin, asking } => ask(inner, policy, predicates, origin, asking, request),
    }
}

/// A request whose origin the allowlist does not name, put to the origin predicates. A
/// preflight is answered once they have decided; an actual request goes to `inner` at once
/// (CORS never holds a request back), and its response is decorated once they have decided.
fn ask<S, ReqBody, ResBody>(
    inner: &mut S,
    policy: &Arc<Policy>,
    predicates: &OriginPredicates,
    origin: HeaderValue,
    asking: Asking,
    request: Request<ReqBody>,
) -> ResponseFuture<S::Future>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    let (parts, body) = request.into_parts();
    let verdict = predicates.ask(&origin, &parts);
    match (asking, verdict) {
        // The body is dropped: a preflight's is empty, and the inner service never sees it.
        (Asking::Preflight, Verdict::Now(answer)) => {
            ResponseFuture::ready(answered_preflight(policy, answer, origin, &parts))
        }
        (Asking::Preflight, Verdict::Later(pending)) => {
            ResponseFuture::preflight_asking(pending, origin, parts, Arc::clone(policy))
        }
        (Asking::Actual { credentialed }, verdict) => {
            let host = match policy.wants_host() {
                true => host_of(&parts.headers, &parts.uri),
                false => None,
            };
            match verdict {
                Verdict::Now(answer) => {
                    let line = LineRef {
                        method: &parts.method,
                        uri: &parts.uri,
                        credentialed,
                    };
                    let (decoration, decision) = answered_actual(policy, answer, origin, line);
                    let future = inner.call(Request::from_parts(parts, body));
                    ResponseFuture::actual(future, decoration, decision, host, Arc::clone(policy))
                }
                Verdict::Later(pending) => {
                    let line = RequestLine {
                        origin,
                        method: parts.method.clone(),
                        uri: parts.uri.clone(),
                        credentialed,
                    };
                    let future = inner.call(Request::from_parts(parts, body));
                    ResponseFuture::actual_asking(future, pending, line, host, Arc::clone(policy))
                }
            }
        }
    }
}
