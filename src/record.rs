//! Making a refusal: the [`Refusal`] a response carries, its hint, and the one `tracing` event
//! every refusal emits under `tower_cors::refusal`; and what a request the origin predicates
//! decided records, for the service and its response future alike.

use bytes::Bytes;
use http::header::ORIGIN;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, Uri};

use crate::decide::{actual_after_asking, preflight_after_asking};
use crate::decision::{CorsDecision, CorsRequestKind, Refusal, RefusalReason};
use crate::policy::{Decoration, Policy};
use crate::predicate::Answer;
use crate::render;

/// What an actual request's decision needs once the request is gone to the inner service.
#[derive(Debug)]
pub(crate) struct RequestLine {
    /// The origin the predicates were asked about.
    pub(crate) origin: HeaderValue,
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    /// Whether it sends cookies cross-origin while the policy does not allow credentials.
    pub(crate) credentialed: bool,
}

/// The answer to a preflight about whose `origin` the predicates said `answer`.
pub(crate) fn answered_preflight(
    policy: &Policy,
    answer: Answer,
    origin: HeaderValue,
    parts: &Parts,
) -> Response<Bytes> {
    let answer = preflight_after_asking(policy, answer, origin, &parts.headers);
    let refusal = answer.refusal().map(|reason| {
        refuse_at(
            policy,
            CorsRequestKind::Preflight,
            reason.clone(),
            parts.headers.get(ORIGIN),
            &parts.method,
            &parts.uri,
        )
    });
    render::preflight(policy, &answer, refusal)
}

/// The decoration and decision of an actual request about whose `origin` the predicates said
/// `answer`: `line`'s request, as far as it is still needed.
pub(crate) fn answered_actual(
    policy: &Policy,
    answer: Answer,
    origin: HeaderValue,
    line: LineRef<'_>,
) -> (Decoration, CorsDecision) {
    let (decoration, verdict) = actual_after_asking(answer, origin, line.credentialed);
    let echoed = match &decoration {
        Decoration::Echo(origin) => Some(origin),
        _ => None,
    };
    // A refusal of the origin names it; a refusal of an echoed one logs the echoed value.
    let decision = verdict.into_decision(|kind, reason| {
        refuse_at(policy, kind, reason, echoed, line.method, line.uri)
    });
    (decoration, decision)
}

/// A [`RequestLine`], borrowed from the request while it is still there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineRef<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) credentialed: bool,
}

impl RequestLine {
    pub(crate) fn borrowed(&self) -> LineRef<'_> {
        LineRef {
            method: &self.method,
            uri: &self.uri,
            credentialed: self.credentialed,
        }
    }
}

/// The refusal of `request`, logged once: at `debug` with its hint, or at `info` in debug mode;
/// a predicate's failure always, at `error`. The hint is only looked for when someone will read
/// it.
pub(crate) fn refuse<B>(
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
    let origin = origin.or_else(|| reason.origin());
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
