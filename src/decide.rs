//! The one place a request is decided: from the compiled policy and the request's head to what
//! the layer does with it. The service, its response future (once an asynchronous origin
//! predicate has answered), [`CorsLayer::decide`](crate::CorsLayer::decide) and everything built
//! on it call [`decide`], then [`preflight_after_asking`] or [`actual_after_asking`] for an
//! origin the predicates judged; `render.rs` turns the outcome into headers or a
//! response.
//!
//! The flow, in order:
//! 1. cross-origin protection, when on: an unsafe-method request or a WebSocket handshake a
//!    browser sends from an origin the policy does not allow is refused before anything else;
//! 2. classification (Fetch, "CORS protocol"): no `Origin`, a preflight, or an actual request;
//! 3. the origin, against the allowlist, then the origin predicates for one it does not name;
//! 4. for a preflight, in Fetch's order ("CORS-preflight fetch"): the method, the request
//!    headers, private network access;
//! 5. for an actual request, credentials: cookies sent cross-origin under a policy without them.

use http::header::{HeaderMap, ACCESS_CONTROL_REQUEST_METHOD, COOKIE, ORIGIN};
use http::{HeaderName, HeaderValue, Request, Uri};

use crate::cross_origin::{self, Protection};
use crate::decision::{CorsDecision, CorsRequestKind, Refusal, RefusalReason};
use crate::policy::{Decoration, Grant, Policy, PreflightAnswer};
use crate::predicate::{parts_of, Answer, OriginPredicates};
use crate::request::{classify, host_of, Classified, RequestOrigin};

const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// What the layer does with a request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Answer the preflight here; the inner service never sees it.
    Preflight(PreflightAnswer),
    /// Send the request to the inner service, then decorate its response.
    Actual {
        decoration: Decoration,
        verdict: Verdict,
    },
    /// Refuse it with 403 before the inner service runs: cross-origin protection.
    Forbidden(RefusalReason),
    /// The allowlist does not name this origin, and the origin predicates may allow it: ask
    /// them, then [`preflight_after_asking`] or [`actual_after_asking`].
    Ask { origin: HeaderValue, asking: Asking },
}

/// What an actual request's response records.
#[derive(Debug)]
pub(crate) enum Verdict {
    NotCors,
    Allowed,
    Refused(RefusalReason),
}

/// What is asked of the origin predicates about.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Asking {
    Preflight,
    Actual {
        /// Whether the request sends cookies cross-origin under a policy without credentials,
        /// read before the request goes to the inner service.
        credentialed: bool,
    },
}

/// Decides `request`: the function this module is for.
#[inline]
pub(crate) fn decide<B>(
    policy: &Policy,
    predicates: &OriginPredicates,
    request: &Request<B>,
) -> Outcome {
    // Off by default: then this one test is all it costs.
    if let Some(protection) = &policy.protection {
        if let Some(reason) = protect(policy, protection, predicates, request) {
            return Outcome::Forbidden(reason);
        }
    }
    match classify(request.method(), request.headers()) {
        Classified::NotCors => Outcome::Actual {
            decoration: policy.decide_actual(None).unwrap_or(Decoration::NotCors),
            verdict: Verdict::NotCors,
        },
        Classified::Preflight { origin, method } => match policy.allow_origin(origin) {
            Ok(allow_origin) => {
                Outcome::Preflight(preflight(policy, allow_origin, method, request.headers()))
            }
            Err(reason) => match predicates.askable(policy, &reason) {
                Some(origin) => Outcome::Ask {
                    origin: origin.clone(),
                    asking: Asking::Preflight,
                },
                None => Outcome::Preflight(PreflightAnswer::Refused {
                    reason,
                    grant: None,
                }),
            },
        },
        Classified::Actual { origin } => actual(policy, predicates, origin, request),
    }
}

/// Why cross-origin protection refuses `request`, or `None` when it passes. Only the static
/// allowlist and the synchronous origin predicate are consulted: the request must be refused
/// before the inner service runs, and an asynchronous predicate's verdict comes later. `null`
/// is never allowed to send, even when allowed for CORS: any page can take that origin with a
/// sandboxed iframe.
#[inline]
fn protect<B>(
    policy: &Policy,
    protection: &Protection,
    predicates: &OriginPredicates,
    request: &Request<B>,
) -> Option<RefusalReason> {
    let suspect = cross_origin::suspect(protection, request)?;
    let Some(origin) = suspect
        .origin()
        .filter(|origin| origin.as_bytes() != b"null")
    else {
        return Some(suspect.refusal());
    };
    let answer = match policy.decide_actual(Some(RequestOrigin::One(origin))) {
        Ok(_) => Answer::Allowed,
        Err(reason) => match predicates.askable(policy, &reason) {
            Some(origin) => predicates.ask_now(origin, &parts_of(request)),
            None => Answer::Refused,
        },
    };
    match answer {
        Answer::Allowed => None,
        // Fail closed: the request is refused, for the predicate's failure.
        Answer::Failed => Some(RefusalReason::PredicateFailed {
            origin: origin.clone(),
        }),
        Answer::Refused => Some(suspect.refusal()),
    }
}

/// An actual request: its origin, then its credentials.
#[inline]
fn actual<B>(
    policy: &Policy,
    predicates: &OriginPredicates,
    origin: RequestOrigin<'_>,
    request: &Request<B>,
) -> Outcome {
    let credentialed =
        || !policy.credentials && credentials_cross_origin(request.headers(), request.uri());
    match policy.decide_actual(Some(origin)) {
        Ok(decoration) => {
            let verdict = credentials(credentialed());
            Outcome::Actual {
                decoration,
                verdict,
            }
        }
        Err(reason) => match predicates.askable(policy, &reason) {
            Some(origin) => Outcome::Ask {
                origin: origin.clone(),
                asking: Asking::Actual {
                    credentialed: credentialed(),
                },
            },
            None => Outcome::Actual {
                decoration: Decoration::Refused,
                verdict: Verdict::Refused(reason),
            },
        },
    }
}

/// An allowed origin's actual request: allowed, unless it sends cookies cross-origin under a
/// policy without credentials. Only a page that fetched with credentials makes a browser attach
/// cookies to a cross-origin CORS request; without `Access-Control-Allow-Credentials` it will
/// hide the response, so the refusal is recorded while the grant is written as usual.
#[inline]
fn credentials(credentialed: bool) -> Verdict {
    if credentialed {
        Verdict::Refused(RefusalReason::CredentialsNotAllowed)
    } else {
        Verdict::Allowed
    }
}

/// Why the predicates' `answer` refuses `origin`, if it does: they said no, or one of them
/// failed (panicked), which refuses as a refusal does.
fn refused_by_predicates(answer: Answer, origin: &HeaderValue) -> Option<RefusalReason> {
    match answer {
        Answer::Allowed => None,
        Answer::Refused => Some(RefusalReason::OriginNotAllowed {
            origin: origin.clone(),
        }),
        Answer::Failed => Some(RefusalReason::PredicateFailed {
            origin: origin.clone(),
        }),
    }
}

/// A preflight about whose `origin` the predicates said `answer`: then decided as any other,
/// from its `headers`.
pub(crate) fn preflight_after_asking(
    policy: &Policy,
    answer: Answer,
    origin: HeaderValue,
    headers: &HeaderMap,
) -> PreflightAnswer {
    let method = headers.get(ACCESS_CONTROL_REQUEST_METHOD);
    match (refused_by_predicates(answer, &origin), method) {
        (None, Some(method)) => preflight(policy, origin, method, headers),
        (Some(reason), _) => PreflightAnswer::Refused {
            reason,
            grant: None,
        },
        // Only preflights are asked about as preflights.
        (None, None) => PreflightAnswer::Refused {
            reason: RefusalReason::OriginNotAllowed { origin },
            grant: None,
        },
    }
}

/// An actual request about whose `origin` the predicates said `answer`, `credentialed` if it
/// sends cookies cross-origin under a policy without credentials.
pub(crate) fn actual_after_asking(
    answer: Answer,
    origin: HeaderValue,
    credentialed: bool,
) -> (Decoration, Verdict) {
    match refused_by_predicates(answer, &origin) {
        Some(reason) => (Decoration::Refused, Verdict::Refused(reason)),
        None => (Decoration::Echo(origin), credentials(credentialed)),
    }
}

/// A preflight whose origin is allowed, answered with `allow_origin` (the listed value, or the
/// origin a predicate allowed), checked in Fetch's order ("CORS-preflight fetch"): the method,
/// the request headers, then private network access. A refusal past the origin still grants
/// what passed, unless the policy is strict, so that the browser's console names the step that
/// failed.
#[inline]
fn preflight(
    policy: &Policy,
    allow_origin: HeaderValue,
    method: &HeaderValue,
    request: &HeaderMap,
) -> PreflightAnswer {
    let mut grant = Grant::new(allow_origin);
    let refused = |reason, grant: Grant| PreflightAnswer::Refused {
        reason,
        grant: (!policy.strict).then_some(grant),
    };
    match policy.allow_method(method) {
        Ok(allow_methods) => grant.allow_methods = allow_methods,
        Err(reason) => {
            // The browser stops at the method: the configured lists name what would pass.
            grant.allow_methods = policy.methods_granted_despite(method);
            grant.allow_headers = policy.headers_list.clone();
            return refused(reason, grant);
        }
    }
    // A refusal past the method grants it with the configured list, which `allow_method`
    // leaves out when the allowed answer's block holds it.
    let granting_methods = |mut grant: Grant| {
        if grant.allow_methods.is_none() {
            grant.allow_methods = policy.methods_list.clone();
        }
        grant
    };
    match policy.allow_request_headers(request) {
        Ok(allow_headers) => grant.allow_headers = allow_headers,
        Err(reason) => {
            grant.allow_headers = policy.headers_allowed_despite(request, &reason);
            return refused(reason, granting_methods(grant));
        }
    }
    // A lookup would hash the 38-byte name on every preflight; walking the request's distinct
    // names (once each, however many lines) compares lengths first, which rules the others
    // out at once. The value is looked up only when the name is there.
    let private_network = request
        .keys()
        .any(|name| *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
        && request
            .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v.as_bytes() == b"true");
    if private_network && !policy.private_network {
        return refused(
            RefusalReason::PrivateNetworkNotAllowed,
            granting_methods(grant),
        );
    }
    PreflightAnswer::Allowed {
        grant,
        private_network,
    }
}

/// Whether a request with an `Origin` carries cookies as part of a cross-origin CORS request:
/// the only case in which a browser applies the credentials check. Same-origin requests, form
/// navigations and WebSocket handshakes also send `Origin` and cookies, and are not CORS-checked.
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

impl Outcome {
    /// The decision this outcome records, its refusal made by `refuse`.
    pub(crate) fn into_decision(
        self,
        refuse: impl FnOnce(CorsRequestKind, RefusalReason) -> Refusal,
    ) -> CorsDecision {
        match self {
            Outcome::Preflight(PreflightAnswer::Allowed { .. }) => {
                CorsDecision::Allowed(CorsRequestKind::Preflight)
            }
            Outcome::Preflight(PreflightAnswer::Refused { reason, .. }) => {
                CorsDecision::Refused(refuse(CorsRequestKind::Preflight, reason))
            }
            Outcome::Actual { verdict, .. } => verdict.into_decision(refuse),
            Outcome::Forbidden(reason) => {
                CorsDecision::Refused(refuse(CorsRequestKind::Actual, reason))
            }
            // Not decided yet: what the allowlist alone says.
            Outcome::Ask { origin, asking } => {
                let kind = match asking {
                    Asking::Preflight => CorsRequestKind::Preflight,
                    Asking::Actual { .. } => CorsRequestKind::Actual,
                };
                CorsDecision::Refused(refuse(kind, RefusalReason::OriginNotAllowed { origin }))
            }
        }
    }
}

impl Verdict {
    /// The decision an actual request's response records, its refusal made by `refuse`.
    #[inline]
    pub(crate) fn into_decision(
        self,
        refuse: impl FnOnce(CorsRequestKind, RefusalReason) -> Refusal,
    ) -> CorsDecision {
        match self {
            Verdict::NotCors => CorsDecision::NotCors,
            Verdict::Allowed => CorsDecision::Allowed(CorsRequestKind::Actual),
            Verdict::Refused(reason) => {
                CorsDecision::Refused(refuse(CorsRequestKind::Actual, reason))
            }
        }
    }
}
