//! Origins decided in code, for those not known when the layer is built (a tenant's own domain,
//! say): predicates set with [`CorsBuilder::allow_origin_predicate`] and
//! [`CorsBuilder::allow_origin_async_predicate`](crate::CorsBuilder::allow_origin_async_predicate).
//!
//! They are consulted only when the static allowlist does not match, and only for a well-formed
//! `http` or `https` origin that passes the rules listed origins pass, so that a predicate cannot
//! be tricked into allowing what the validation refuses for listed origins, nor asked about
//! values no browser sends.
//!
//! [`CorsBuilder::allow_origin_predicate`]: crate::CorsBuilder::allow_origin_predicate

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::request::Parts;
use http::{HeaderValue, Request};

use crate::decision::RefusalReason;
use crate::policy::origin::is_loopback;
use crate::policy::origin::serialized::SerializedOrigin;
use crate::policy::Policy;

/// What an asynchronous origin predicate returns, boxed: only layers that have one pay for it.
type OriginFuture = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

type SyncPredicate = dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync;
type AsyncPredicate = dyn Fn(HeaderValue, &Parts) -> OriginFuture + Send + Sync;

/// A layer's origin predicates; cloning one clones at most an [`Arc`].
#[derive(Clone, Default)]
pub(crate) struct OriginPredicates {
    set: Option<Arc<Set>>,
}

#[derive(Clone, Default)]
struct Set {
    sync: Option<Arc<SyncPredicate>>,
    asynchronous: Option<Arc<AsyncPredicate>>,
}

/// What the predicates said about one origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Allowed,
    Refused,
    /// A predicate panicked: the origin is refused, for reason `predicate_failed`.
    Failed,
}

impl From<bool> for Answer {
    fn from(allowed: bool) -> Self {
        if allowed {
            Answer::Allowed
        } else {
            Answer::Refused
        }
    }
}

/// A predicate's verdict on one origin: known now, or once the future resolves.
pub(crate) enum Verdict {
    Now(Answer),
    Later(PendingAnswer),
}

/// An asynchronous predicate's future, polled so that a panic in it becomes
/// [`Answer::Failed`] instead of unwinding out of the layer.
pub(crate) struct PendingAnswer(OriginFuture);

impl PendingAnswer {
    /// Polls the predicate's future. Once this returned `Ready`, it must not be polled again.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Answer> {
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Ready(allowed)) => Poll::Ready(Answer::from(allowed)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Answer::Failed),
        }
    }
}

/// An origin nobody can own (the `.invalid` top-level domain is reserved, RFC 2606): a
/// predicate that allows it allows every origin.
pub(crate) const CANARY_ORIGIN: &str = "https://tower-cors-canary.invalid";

impl OriginPredicates {
    /// Whether the synchronous predicate allows [`CANARY_ORIGIN`] on a bare `GET /`: then it
    /// reflects every origin. Asked by validation, only when credentials make that matter; the
    /// asynchronous predicate cannot be waited for there.
    pub(crate) fn allows_anyone(&self) -> bool {
        if self.is_empty() {
            return false;
        }
        let canary = HeaderValue::from_static(CANARY_ORIGIN);
        let (parts, ()) = Request::get("/").body(()).unwrap_or_default().into_parts();
        self.ask_now(&canary, &parts) == Answer::Allowed
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.set.is_none()
    }

    pub(crate) fn has_async(&self) -> bool {
        self.set
            .as_ref()
            .is_some_and(|set| set.asynchronous.is_some())
    }

    pub(crate) fn with_sync<F>(self, predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        let mut set = self.set.as_deref().cloned().unwrap_or_default();
        set.sync = Some(Arc::new(predicate));
        Self {
            set: Some(Arc::new(set)),
        }
    }

    pub(crate) fn with_async<F, Fut>(self, predicate: F) -> Self
    where
        F: FnOnce(HeaderValue, &Parts) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        let mut set = self.set.as_deref().cloned().unwrap_or_default();
        // A clone per call, as tower-http's `AllowOrigin::async_predicate` does, so that a
        // closure moving its captures into the future works unchanged.
        set.asynchronous = Some(Arc::new(move |origin, parts| {
            Box::pin((predicate.clone())(origin, parts)) as OriginFuture
        }));
        Self {
            set: Some(Arc::new(set)),
        }
    }

    /// The predicates' verdict on `origin`: the synchronous one first, then, when it says no
    /// (or there is none), the asynchronous one. A panic in either is caught: the verdict is
    /// then [`Answer::Failed`].
    pub(crate) fn ask(&self, origin: &HeaderValue, parts: &Parts) -> Verdict {
        let Some(set) = &self.set else {
            return Verdict::Now(Answer::Refused);
        };
        match ask_sync(set.sync.as_deref(), origin, parts) {
            Answer::Refused => {}
            answer => return Verdict::Now(answer),
        }
        let Some(asynchronous) = &set.asynchronous else {
            return Verdict::Now(Answer::Refused);
        };
        // Calling the predicate runs its code up to the future it returns, which may panic too.
        match catch_unwind(AssertUnwindSafe(|| asynchronous(origin.clone(), parts))) {
            Ok(future) => Verdict::Later(PendingAnswer(future)),
            Err(_) => Verdict::Now(Answer::Failed),
        }
    }

    /// The synchronous predicate's verdict on `origin`, without asking the asynchronous one.
    pub(crate) fn ask_now(&self, origin: &HeaderValue, parts: &Parts) -> Answer {
        let sync = self.set.as_ref().and_then(|set| set.sync.as_deref());
        ask_sync(sync, origin, parts)
    }

    /// The origin to put to the predicates after the static allowlist refused it for `reason`:
    /// `None` when there are none, when the refusal is not about the origin, or when the origin
    /// is refused whatever the predicates say.
    pub(crate) fn askable<'a>(
        &self,
        policy: &Policy,
        reason: &'a RefusalReason,
    ) -> Option<&'a HeaderValue> {
        if self.is_empty() {
            return None;
        }
        match reason {
            RefusalReason::OriginNotAllowed { origin } if may_ask(policy, origin) => Some(origin),
            _ => None,
        }
    }
}

/// What the synchronous predicate, if any, says about `origin`. A panic is caught here, so that
/// it never unwinds out of the layer (past any panic-catching layer inside it, into the server):
/// the predicate failed, and the origin is refused.
fn ask_sync(sync: Option<&SyncPredicate>, origin: &HeaderValue, parts: &Parts) -> Answer {
    let Some(sync) = sync else {
        return Answer::Refused;
    };
    match catch_unwind(AssertUnwindSafe(|| sync(origin, parts))) {
        Ok(allowed) => Answer::from(allowed),
        Err(_) => Answer::Failed,
    }
}

/// Whether `origin` may be put to a predicate: a serialized origin as browsers write it (so never
/// `null` or anything malformed) of scheme `http` or `https` whose host is an IP address or a
/// valid host name, and, with credentials, a secure one (https, or http on loopback) unless
/// insecure origins are opted into. The one gate for every caller: the service, `decide` (and
/// through both, the doctor's `explain`) and cross-origin protection.
fn may_ask(policy: &Policy, origin: &HeaderValue) -> bool {
    let Some(parsed) = SerializedOrigin::parse(origin.as_bytes()) else {
        return false;
    };
    if !parsed.is_web_origin() {
        return false;
    }
    let insecure = parsed.scheme == "http" && !is_loopback(parsed.host);
    !(insecure && policy.credentials && !policy.config.dangerously_allow_insecure_origins)
}

/// A copy of `request`'s head, for a predicate consulted by
/// [`CorsLayer::decide`](crate::CorsLayer::decide), which only borrows the request.
pub(crate) fn parts_of<B>(request: &Request<B>) -> Parts {
    let mut copy = Request::new(());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    copy.into_parts().0
}

impl fmt::Debug for OriginPredicates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = self.set.as_deref();
        f.debug_struct("OriginPredicates")
            .field("sync", &set.is_some_and(|set| set.sync.is_some()))
            .field("async", &set.is_some_and(|set| set.asynchronous.is_some()))
            .finish()
    }
}
