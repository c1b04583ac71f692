//! The response future: a ready preflight answer, or the inner service's future followed by the
//! policy's headers. No boxing: the layer never awaits anything of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Response};
use pin_project_lite::pin_project;

use crate::body::ResponseBody;
use crate::decision::CorsDecision;
use crate::policy::{Decoration, Policy};

pin_project! {
    /// Response future of [`Cors`](crate::Cors).
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Preflight {
            response: Option<Response<Bytes>>,
        },
        Actual {
            #[pin]
            future: F,
            decoration: Option<Decoration>,
            decision: Option<CorsDecision>,
            // The request's `Host`, kept only while the cookie warning may still be given.
            host: Option<HeaderValue>,
            policy: Arc<Policy>,
        },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn preflight(response: Response<Bytes>) -> Self {
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
                decision: Some(decision),
                host,
                policy,
            },
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            Kind::Preflight { .. } => "Preflight",
            Kind::Actual { .. } => "Actual",
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
            KindProj::Actual {
                future,
                decoration,
                decision,
                host,
                policy,
            } => {
                let mut response = ready!(future.poll(cx))?;
                if let Some(decoration) = decoration.take() {
                    policy.decorate(response.headers_mut(), decoration, host.as_ref());
                }
                if let Some(decision) = decision.take() {
                    response.extensions_mut().insert(decision);
                }
                Poll::Ready(Ok(response.map(ResponseBody::inner)))
            }
        }
    }
}
