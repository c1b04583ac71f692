//! The response future: a ready preflight answer, or the inner service's future followed by the
//! policy's headers. Nothing is boxed unless the layer has an asynchronous origin predicate and
//! the allowlist did not decide the origin: then the predicate's future is awaited too.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Response};
use pin_project_lite::pin_project;

use crate::body::ResponseBody;
use crate::decision::CorsDecision;
use crate::policy::{Decoration, Policy};
use crate::predicate::{Answer, PendingAnswer};
use crate::record::{answered_actual, answered_preflight, RequestLine};
use crate::render;
use crate::stack;

pin_project! {
    /// Response future of [`Cors`](crate::Cors).
    pub struct ResponseFuture<F>
    where
        F: Future,
    {
        #[pin]
        kind: Kind<F>,
    }
}

/// A preflight waiting for an asynchronous origin predicate.
struct PreflightAsking {
    verdict: PendingAnswer,
    origin: HeaderValue,
    parts: Parts,
    policy: Arc<Policy>,
}

/// An actual request waiting for an asynchronous origin predicate, while the inner service
/// works on it.
struct ActualAsking<T> {
    verdict: PendingAnswer,
    answer: Option<Answer>,
    /// The inner service's response, when it came before the verdict.
    output: Option<T>,
    line: RequestLine,
    host: Option<HeaderValue>,
    policy: Arc<Policy>,
}

pin_project! {
    #[project = KindProj]
    enum Kind<F>
    where
        F: Future,
    {
        Preflight {
            response: Option<Response<Bytes>>,
        },
        PreflightAsking {
            asking: Option<Box<PreflightAsking>>,
        },
        ActualAsking {
            #[pin]
            future: F,
            asking: Box<ActualAsking<F::Output>>,
        },
        Actual {
            #[pin]
            future: F,
            decoration: Option<Decoration>,
            // Set only when the decision is to be recorded (see `Policy::recorded`).
            decision: Option<CorsDecision>,
            // The request's `Host`, kept only while the cookie warning may still be given.
            host: Option<HeaderValue>,
            policy: Arc<Policy>,
        },
    }
}

impl<F: Future> ResponseFuture<F> {
    pub(crate) fn preflight_asking(
        verdict: PendingAnswer,
        origin: HeaderValue,
        parts: Parts,
        policy: Arc<Policy>,
    ) -> Self {
        let asking = PreflightAsking {
            verdict,
            origin,
            parts,
            policy,
        };
        Self {
            kind: Kind::PreflightAsking {
                asking: Some(Box::new(asking)),
            },
        }
    }

    pub(crate) fn actual_asking(
        future: F,
        verdict: PendingAnswer,
        line: RequestLine,
        host: Option<HeaderValue>,
        policy: Arc<Policy>,
    ) -> Self {
        let asking = ActualAsking {
            verdict,
            answer: None,
            output: None,
            line,
            host,
            policy,
        };
        Self {
            kind: Kind::ActualAsking {
                future,
                asking: Box::new(asking),
            },
        }
    }

    /// A response already made: a preflight's answer, or cross-origin protection's refusal.
    pub(crate) fn ready(response: Response<Bytes>) -> Self {
        Self {
            kind: Kind::Preflight {
                response: Some(response),
            },
        }
    }

    pub(crate) fn actual(
        future: F,
        decoration: Decoration,
        decision: CorsDecision,
        host: Option<HeaderValue>,
        policy: Arc<Policy>,
    ) -> Self {
        Self {
            kind: Kind::Actual {
                future,
                decoration: Some(decoration),
                decision: policy.recorded(decision),
                host,
                policy,
            },
        }
    }
}

impl<F: Future> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::Preflight { .. } | Kind::PreflightAsking { .. } => "Preflight",
            Kind::Actual { .. } | Kind::ActualAsking { .. } => "Actual",
        };
        f.debug_struct("ResponseFuture")
            .field("kind", &kind)
            .finish()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Preflight { response } => {
                let response = response
                    .take()
                    .expect("ResponseFuture polled after completion");
                Poll::Ready(Ok(response.map(ResponseBody::full)))
            }
            KindProj::PreflightAsking { asking } => {
                let state = asking
                    .as_mut()
                    .expect("ResponseFuture polled after completion");
                let answer = ready!(state.verdict.poll(cx));
                let state = asking
                    .take()
                    .expect("ResponseFuture polled after completion");
                let PreflightAsking {
                    origin,
                    parts,
                    policy,
                    ..
                } = *state;
                let response = answered_preflight(&policy, answer, origin, &parts);
                Poll::Ready(Ok(response.map(ResponseBody::full)))
            }
            KindProj::ActualAsking { future, asking } => {
                if asking.answer.is_none() {
                    if let Poll::Ready(answer) = asking.verdict.poll(cx) {
                        asking.answer = Some(answer);
                    }
                }
                if asking.output.is_none() {
                    match stack::calling_inner(&asking.policy, || future.poll(cx)) {
                        // An error passes through as it would without a predicate.
                        Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                        Poll::Ready(output) => asking.output = Some(output),
                        Poll::Pending => {}
                    }
                }
                let Some(answer) = asking.answer else {
                    return Poll::Pending;
                };
                let Some(Ok(mut response)) = asking.output.take() else {
                    return Poll::Pending;
                };
                let (decoration, decision) = answered_actual(
                    &asking.policy,
                    answer,
                    asking.line.origin.clone(),
                    asking.line.borrowed(),
                );
                render::decorate(
                    &asking.policy,
                    response.headers_mut(),
                    decoration,
                    asking.host.as_ref(),
                );
                if let Some(decision) = asking.policy.recorded(decision) {
                    response.extensions_mut().insert(decision);
                }
                Poll::Ready(Ok(response.map(ResponseBody::inner)))
            }
            KindProj::Actual {
                future,
                decoration,
                decision,
                host,
                policy,
            } => {
                let mut response = ready!(stack::calling_inner(policy, || future.poll(cx)))?;
                if let Some(decoration) = decoration.take() {
                    render::decorate(policy, response.headers_mut(), decoration, host.as_ref());
                }
                if let Some(decision) = decision.take() {
                    response.extensions_mut().insert(decision);
                }
                Poll::Ready(Ok(response.map(ResponseBody::inner)))
            }
        }
    }
}
