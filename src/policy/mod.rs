//! The validated policy and what it answers for each request. Everything that does not depend on
//! the request is computed once, when the policy is built (see `validate/`).

pub(crate) mod hint;
pub(crate) mod origin;
pub(crate) mod request_headers;

use http::header::{HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS};

use self::hint::HintIndex;
use crate::config::CorsConfig;
use crate::warning::ConfigWarning;
use std::sync::atomic::{AtomicBool, Ordering};

use self::origin::{OriginMatch, OriginMatcher};
use self::request_headers::NameTrie;
use crate::bytes_eq::same_bytes;
use crate::decision::{CorsDecision, RefusalReason};
use crate::headers::{is_token, list_elements, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADERS_LINES};
use crate::request::RequestOrigin;

pub(crate) const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// Joins header names with commas; `None` for none.
fn join_names<'a>(names: impl Iterator<Item = &'a [u8]>) -> Option<HeaderValue> {
    let joined = names.collect::<Vec<_>>().join(&b","[..]);
    if joined.is_empty() {
        return None;
    }
    HeaderValue::from_bytes(&joined).ok()
}

pub(crate) static STAR: HeaderValue = HeaderValue::from_static("*");
pub(crate) static TRUE: HeaderValue = HeaderValue::from_static("true");

/// A validated CORS policy, shared by every clone of the layer and service.
#[derive(Debug)]
pub(crate) struct Policy {
    /// The configuration this policy was validated from, as given (presets not merged).
    pub(crate) config: CorsConfig,
    pub(crate) origins: OriginMatcher,
    pub(crate) credentials: bool,
    pub(crate) methods: MethodRule,
    pub(crate) headers: HeaderRule,
    pub(crate) private_network: bool,
    pub(crate) strict: bool,
    /// Cross-origin protection, when it is on.
    pub(crate) protection: Option<crate::cross_origin::Protection>,
    /// Debug mode: refusals logged at `info`, hints in refusal bodies.
    pub(crate) debug: bool,
    /// Whether allowed and not-CORS decisions go into the response's extensions too; refusals
    /// always do.
    pub(crate) record_all_decisions: bool,
    /// What hints compare refused origins with, built on the first hint.
    pub(crate) hints: std::sync::OnceLock<HintIndex>,
    /// What validation found valid but probably wrong.
    pub(crate) warnings: Vec<ConfigWarning>,
    /// Whether the runtime warnings were given: each is said once per policy, not per request.
    pub(crate) said: RuntimeWarnings,
    /// `Access-Control-Expose-Headers` for actual responses.
    pub(crate) expose: Option<HeaderValue>,
    /// `Access-Control-Max-Age` for successful preflights.
    pub(crate) max_age: Option<HeaderValue>,
    /// The configured methods, sent when a preflight asks for one that is not allowed.
    pub(crate) methods_list: Option<HeaderValue>,
    /// The configured request headers, sent when a preflight asks for one that is not allowed,
    /// and as the answer to every preflight when `*` covers them.
    pub(crate) headers_list: Option<HeaderValue>,
    /// `Vary` for preflight responses.
    pub(crate) vary_preflight: HeaderValue,
    /// The header blocks of its answers, prepared once.
    pub(crate) blocks: Blocks,
}

/// The header blocks of a policy's answers, which `render.rs` builds once and clones per
/// answer.
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    pub(crate) actual: ActualHeaders,
    pub(crate) preflight: PreflightHeaders,
}

/// The CORS headers of an actual response, built once per policy. A response that arrives
/// without headers (a bare status, an error from a layer inside) takes a clone of the block:
/// one copy instead of hashing and inserting each header into an empty map.
#[derive(Debug, Default)]
pub(crate) struct ActualHeaders {
    /// `Access-Control-Allow-Origin` first, holding a placeholder the response always
    /// overwrites with the echoed origin; then credentials, exposed headers and `Vary`.
    pub(crate) echo: HeaderMap,
    /// `Access-Control-Allow-Origin: *` and the exposed headers.
    pub(crate) any: HeaderMap,
}

/// The header blocks of preflight answers, built once per policy, so that an answer costs a
/// clone instead of a hash insert per header.
#[derive(Debug, Default)]
pub(crate) struct PreflightHeaders {
    /// An allowed answer's headers, indexed by whether it carries `Access-Control-Allow-Headers`
    /// (bit 0) and `Access-Control-Allow-Private-Network` (bit 1). Headers whose value comes
    /// from the request hold a placeholder the answer always overwrites: replacing a value in
    /// place never grows the clone.
    pub(crate) allowed: [HeaderMap; 4],
    /// A refused answer's headers that still grant the origin, indexed by whether they carry
    /// `Access-Control-Allow-Methods` (bit 0) and `Access-Control-Allow-Headers` (bit 1), all
    /// with placeholders the answer overwrites.
    pub(crate) granted: [HeaderMap; 4],
    /// A refused answer's headers, without a grant: `Vary`, `Content-Type`, `nosniff`.
    pub(crate) refused: HeaderMap,
    /// Whether `Access-Control-Allow-Methods` is the configured list, already in `allowed`.
    pub(crate) methods_fixed: bool,
    /// Whether `Access-Control-Allow-Headers` is the configured list, already in `allowed`.
    pub(crate) names_fixed: bool,
}

/// The runtime warnings already given.
#[derive(Debug, Default)]
pub(crate) struct RuntimeWarnings {
    pub(crate) inner_cors_headers: AtomicBool,
    pub(crate) same_site_cookie: AtomicBool,
    /// An outer tower-cors layer was seen calling this one (`stack.rs`).
    pub(crate) stacked: AtomicBool,
}

impl RuntimeWarnings {
    /// Whether `flag` is being set for the first time.
    pub(crate) fn first(flag: &AtomicBool) -> bool {
        !flag.load(Ordering::Relaxed) && !flag.swap(true, Ordering::Relaxed)
    }
}

/// Which methods a preflight may ask for, beyond the safelisted GET, HEAD and POST.
#[derive(Debug, Default)]
pub(crate) struct MethodRule {
    pub(crate) any: bool,
    /// Compared byte for byte: methods are case-sensitive (Fetch, "Methods").
    pub(crate) listed: Vec<Box<[u8]>>,
}

/// Which request headers a preflight may ask for.
#[derive(Debug, Default)]
pub(crate) struct HeaderRule {
    /// `*`: every name but `authorization`, which Fetch never lets a wildcard cover.
    pub(crate) any: bool,
    /// Lowercase and sorted, for a case-insensitive binary search.
    pub(crate) listed: Vec<Box<str>>,
    /// `listed` as a trie, so that a preflight's names are read in one pass (see
    /// `request_headers.rs`); `None` for a list too long to be worth it.
    pub(crate) trie: Option<NameTrie>,
}

impl HeaderRule {
    fn allows(&self, name: &[u8]) -> bool {
        if self.any && !name.eq_ignore_ascii_case(b"authorization") {
            return true;
        }
        // Short lists, the usual case, are scanned: comparing lengths first rules most names
        // out at once. Long ones are searched.
        if self.listed.len() <= 16 {
            return self.listed.iter().any(|listed| {
                listed.len() == name.len() && listed.as_bytes().eq_ignore_ascii_case(name)
            });
        }
        self.listed
            .binary_search_by(|listed| cmp_ignore_ascii_case(listed.as_bytes(), name))
            .is_ok()
    }
}

fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// What to do to an actual response, decided before the inner service runs.
#[derive(Debug, Clone)]
pub(crate) enum Decoration {
    /// No `Origin`: only `Vary: Origin`.
    NotCors,
    /// The policy allows every origin without credentials: `*` on every response.
    Any,
    /// An allowed origin: echo this value.
    Echo(HeaderValue),
    /// A refused origin: strip any grant, keep `Vary: Origin`.
    Refused,
}

/// The policy's answer to a preflight, before it is turned into a response.
#[derive(Debug)]
pub(crate) enum PreflightAnswer {
    Allowed {
        grant: Grant,
        private_network: bool,
    },
    Refused {
        reason: RefusalReason,
        /// Set when the origin was allowed but a method, header or private network access was
        /// not, and the policy is not strict: what the answer still grants, so that the
        /// browser's console names the step that failed.
        grant: Option<Grant>,
    },
}

impl PreflightAnswer {
    /// Why it refuses, if it does.
    #[inline]
    pub(crate) fn refusal(&self) -> Option<&RefusalReason> {
        match self {
            PreflightAnswer::Allowed { .. } => None,
            PreflightAnswer::Refused { reason, .. } => Some(reason),
        }
    }
}

/// The CORS headers of a preflight answer.
#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) allow_origin: HeaderValue,
    pub(crate) allow_methods: Option<HeaderValue>,
    pub(crate) allow_headers: Option<HeaderValue>,
}

impl Grant {
    /// A grant of `allow_origin` alone, which the preflight's later steps add to.
    #[inline]
    pub(crate) fn new(allow_origin: HeaderValue) -> Self {
        Self {
            allow_origin,
            allow_methods: None,
            allow_headers: None,
        }
    }
}

impl Policy {
    /// The value echoed in `Access-Control-Allow-Origin`, or why the origin is refused.
    #[inline]
    pub(crate) fn allow_origin(
        &self,
        origin: RequestOrigin<'_>,
    ) -> Result<HeaderValue, RefusalReason> {
        if self.origins.allows_any() {
            return Ok(STAR.clone());
        }
        let RequestOrigin::One(origin) = origin else {
            return Err(RefusalReason::MultipleOrigins);
        };
        match self.origins.find(origin) {
            OriginMatch::Any => Ok(STAR.clone()),
            OriginMatch::Listed(value) => Ok(value.clone()),
            OriginMatch::Pattern => Ok(origin.clone()),
            OriginMatch::None => Err(RefusalReason::OriginNotAllowed {
                origin: origin.clone(),
            }),
        }
    }

    /// Decides an actual request (or a request without `Origin`, when `origin` is `None`).
    #[inline]
    pub(crate) fn decide_actual(
        &self,
        origin: Option<RequestOrigin<'_>>,
    ) -> Result<Decoration, RefusalReason> {
        if self.origins.allows_any() {
            return Ok(Decoration::Any);
        }
        let Some(origin) = origin else {
            return Ok(Decoration::NotCors);
        };
        self.allow_origin(origin).map(Decoration::Echo)
    }

    /// `decision` when it goes into the response's extensions: always for a refusal, for the
    /// others only when the policy records every decision. Recording costs the first insert
    /// into `http::Extensions` (three allocations), which allowed requests should not pay.
    pub(crate) fn recorded(&self, decision: CorsDecision) -> Option<CorsDecision> {
        (self.record_all_decisions || decision.is_refused()).then_some(decision)
    }

    /// The hint for a refusal, when there is one; see `hint/`.
    pub(crate) fn hint(&self, reason: &RefusalReason) -> Option<String> {
        let index = self.hints.get_or_init(|| HintIndex::new(&self.config));
        crate::policy::hint::hint(&self.config, index, reason)
    }

    /// Whether an allowed request's `Host` is still needed: for the cookie warning, until it
    /// has been given.
    pub(crate) fn wants_host(&self) -> bool {
        self.credentials && !self.said.same_site_cookie.load(Ordering::Relaxed)
    }

    /// `Access-Control-Allow-Methods` for an allowed method: the configured list, so one
    /// answer covers every method the policy allows (browsers cache it per URL); the method
    /// itself when nothing is listed or when credentials make `*` literal. `None` stands for
    /// the configured list when the prepared answer already holds it. Safelisted methods
    /// always pass (Fetch, "CORS-preflight fetch"), compared byte for byte.
    #[inline]
    pub(crate) fn allow_method(
        &self,
        method: &HeaderValue,
    ) -> Result<Option<HeaderValue>, RefusalReason> {
        let bytes = method.as_bytes();
        let allowed = is_token(bytes)
            && (self.methods.any
                || matches!(bytes, b"GET" | b"HEAD" | b"POST")
                || self.methods.listed.iter().any(|m| same_bytes(m, bytes)));
        if !allowed {
            return Err(RefusalReason::MethodNotAllowed {
                method: method.clone(),
            });
        }
        if self.methods.any && self.credentials {
            return Ok(Some(method.clone()));
        }
        if self.blocks.preflight.methods_fixed {
            // The configured list, which the allowed answer's block already holds: `None`
            // spares a clone that the answer would drop (see `decide_preflight_for`).
            return Ok(None);
        }
        Ok(Some(method.clone()))
    }

    /// `Access-Control-Allow-Headers` when every requested name is allowed. The names are read
    /// from every `Access-Control-Request-Headers` line in one linear pass over a bounded input.
    #[inline]
    pub(crate) fn allow_request_headers(
        &self,
        request: &HeaderMap,
    ) -> Result<Option<HeaderValue>, RefusalReason> {
        let lines = request.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        let (mut count, mut len) = (0usize, 0usize);
        for line in &lines {
            count += 1;
            len += line.len();
            if len > MAX_REQUEST_HEADERS_LEN || count > MAX_REQUEST_HEADERS_LINES {
                return Err(RefusalReason::RequestHeadersTooLong { len });
            }
        }
        if count == 0 {
            return Ok(None);
        }
        let refused = |name: &[u8]| RefusalReason::HeaderNotAllowed {
            header: String::from_utf8_lossy(name).into_owned(),
        };
        let requested = match &self.headers.trie {
            Some(trie) => {
                let rule = request_headers::Rule {
                    trie,
                    any: self.headers.any,
                };
                request_headers::read(lines.iter(), &rule).map_err(refused)?
            }
            None => {
                let mut requested = false;
                for name in list_elements(lines.iter()) {
                    if !self.allows_header(name) {
                        return Err(refused(name));
                    }
                    requested = true;
                }
                requested
            }
        };
        if !requested {
            return Ok(None);
        }
        if self.headers.any && !self.credentials {
            return Ok(self.headers_list.clone());
        }
        // Echo the request's names: they are all allowed, and echoing keeps the answer exact
        // whether the policy lists names or reflects them because of credentials.
        match (count, lines.iter().next()) {
            (1, Some(only)) => Ok(Some(only.clone())),
            _ => Ok(join_names(list_elements(lines.iter()))),
        }
    }

    fn allows_header(&self, name: &[u8]) -> bool {
        is_token(name) && self.headers.allows(name)
    }

    /// `Access-Control-Allow-Methods` for a preflight refused at the method step: the
    /// configured list, which names what would pass. A value that is not a method (`GET POST`)
    /// is malformed, and `*` must not seem to cover it: then only the listed methods.
    #[inline]
    pub(crate) fn methods_granted_despite(&self, method: &HeaderValue) -> Option<HeaderValue> {
        if self.methods.any && !is_token(method.as_bytes()) {
            join_names(self.methods.listed.iter().map(|m| &m[..]))
        } else {
            self.methods_list.clone()
        }
    }

    /// `Access-Control-Allow-Headers` for a preflight refused at the header step: the
    /// configured list, or, when credentials turn `*` into reflection, the requested names
    /// that are allowed, so that the browser names exactly the ones that are not.
    #[inline]
    pub(crate) fn headers_allowed_despite(
        &self,
        request: &HeaderMap,
        reason: &RefusalReason,
    ) -> Option<HeaderValue> {
        if !(self.headers.any && self.credentials)
            || matches!(reason, RefusalReason::RequestHeadersTooLong { .. })
        {
            return self.headers_list.clone();
        }
        let lines = request.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        join_names(list_elements(lines.iter()).filter(|name| self.allows_header(name)))
    }
}
