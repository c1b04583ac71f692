//! The validated policy and what it answers for each request. Everything that does not depend on
//! the request is computed once, when the policy is built (see `validate.rs`).

use bytes::Bytes;
use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    CONTENT_TYPE, VARY, X_CONTENT_TYPE_OPTIONS,
};
use http::{Response, StatusCode};

use crate::config::CorsConfig;
use crate::cookie::{is_same_site, kept_same_site};
use crate::hint::HintIndex;
use crate::warning::ConfigWarning;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::bytes_eq::same_bytes;
use crate::decision::{CorsDecision, CorsRequestKind, Quoted, Refusal, RefusalReason};
use crate::headers::{
    append_vary, is_token, list_elements, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADERS_LINES,
};
use crate::origin::{OriginMatch, OriginMatcher};
use crate::request::RequestOrigin;
use crate::request_headers::{self, NameTrie};

const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// Every response header of the CORS protocol.
const CORS_RESPONSE_HEADERS: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
];

/// `value`'s `Display` and a newline, in exactly one allocation: the text is measured first,
/// so the buffer never grows and becomes the body without another copy.
pub(crate) fn line_to_bytes(value: &impl std::fmt::Display) -> Bytes {
    use std::fmt::Write as _;
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(1);
    let _ = write!(count, "{value}");
    let mut line = String::with_capacity(count.0);
    let _ = writeln!(line, "{value}");
    Bytes::from(line)
}

/// A refused preflight's body: the refusal (the refused value and the reason, never the
/// allowlist), and in debug mode the hint on a second line.
pub(crate) struct RefusalBody<'a> {
    pub(crate) refusal: &'a Refusal,
    pub(crate) hint: Option<&'a str>,
}

impl std::fmt::Display for RefusalBody<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.refusal)?;
        if let Some(hint) = self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

/// Joins header names with commas; `None` for none.
fn join_names<'a>(names: impl Iterator<Item = &'a [u8]>) -> Option<HeaderValue> {
    let joined = names.collect::<Vec<_>>().join(&b","[..]);
    if joined.is_empty() {
        return None;
    }
    HeaderValue::from_bytes(&joined).ok()
}

/// Removes the CORS headers an inner service set, returning the first one's name. One scan of
/// the names first: inner services rarely set any, and then nothing is looked up.
fn remove_inner_cors_headers(headers: &mut HeaderMap) -> Option<HeaderName> {
    let found = headers
        .keys()
        .find(|name| name.as_str().starts_with("access-control-"))?
        .clone();
    for name in &CORS_RESPONSE_HEADERS {
        headers.remove(name);
    }
    Some(found)
}

static STAR: HeaderValue = HeaderValue::from_static("*");
static TRUE: HeaderValue = HeaderValue::from_static("true");
static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("origin");
static TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
static NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

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
    /// The preflight answers' headers that depend only on the policy.
    pub(crate) preflight_headers: PreflightHeaders,
    /// The headers added to an actual response that has none of its own.
    pub(crate) actual_headers: ActualHeaders,
}

/// The CORS headers of an actual response, built once per policy. A response that arrives
/// without headers (a bare status, an error from a layer inside) takes a clone of the block:
/// one copy instead of hashing and inserting each header into an empty map.
#[derive(Debug, Default)]
pub(crate) struct ActualHeaders {
    /// `Access-Control-Allow-Origin` first, holding a placeholder the response always
    /// overwrites with the echoed origin; then credentials, exposed headers and `Vary`.
    echo: HeaderMap,
    /// `Access-Control-Allow-Origin: *` and the exposed headers.
    any: HeaderMap,
}

/// The header blocks of preflight answers, built once per policy, so that an answer costs a
/// clone instead of a hash insert per header.
#[derive(Debug, Default)]
pub(crate) struct PreflightHeaders {
    /// An allowed answer's headers, indexed by whether it carries `Access-Control-Allow-Headers`
    /// (bit 0) and `Access-Control-Allow-Private-Network` (bit 1). Headers whose value comes
    /// from the request hold a placeholder the answer always overwrites: replacing a value in
    /// place never grows the clone.
    allowed: [HeaderMap; 4],
    /// A refused answer's headers that still grant the origin, indexed by whether they carry
    /// `Access-Control-Allow-Methods` (bit 0) and `Access-Control-Allow-Headers` (bit 1), all
    /// with placeholders the answer overwrites.
    granted: [HeaderMap; 4],
    /// A refused answer's headers, without a grant: `Vary`, `Content-Type`, `nosniff`.
    refused: HeaderMap,
    /// Whether `Access-Control-Allow-Methods` is the configured list, already in `allowed`.
    methods_fixed: bool,
    /// Whether `Access-Control-Allow-Headers` is the configured list, already in `allowed`.
    names_fixed: bool,
}

/// The runtime warnings already given.
#[derive(Debug, Default)]
pub(crate) struct RuntimeWarnings {
    inner_cors_headers: AtomicBool,
    same_site_cookie: AtomicBool,
}

impl RuntimeWarnings {
    /// Whether `flag` is being set for the first time.
    fn first(flag: &AtomicBool) -> bool {
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

/// The CORS headers of a preflight answer.
#[derive(Debug)]
pub(crate) struct Grant {
    allow_origin: HeaderValue,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
}

/// Fills a prepared block's placeholders with `grant`'s origin and, when given, the methods
/// and names. The block has a handful of entries: walking them and comparing names costs less
/// than hashing each name for a lookup, and replacing values never grows the block.
fn fill(
    headers: &mut HeaderMap,
    grant: &Grant,
    methods: Option<&HeaderValue>,
    names: Option<&HeaderValue>,
) {
    for (name, value) in headers.iter_mut() {
        let filled = if name == ACCESS_CONTROL_ALLOW_ORIGIN {
            Some(&grant.allow_origin)
        } else if name == ACCESS_CONTROL_ALLOW_METHODS {
            methods
        } else if name == ACCESS_CONTROL_ALLOW_HEADERS {
            names
        } else {
            None
        };
        if let Some(filled) = filled {
            *value = filled.clone();
        }
    }
}

impl Policy {
    /// The value echoed in `Access-Control-Allow-Origin`, or why the origin is refused.
    fn allow_origin(&self, origin: RequestOrigin<'_>) -> Result<HeaderValue, RefusalReason> {
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

    /// Adds the policy's headers to an actual response. For a CORS request, the layer is the
    /// only authority: `Access-Control-*` headers set by the inner stack are removed first, so
    /// the response never carries two answers or a grant the policy did not make.
    pub(crate) fn decorate(
        &self,
        headers: &mut HeaderMap,
        decoration: Decoration,
        host: Option<&HeaderValue>,
    ) {
        // A response without headers (a bare status, an error from a layer inside) has nothing
        // to replace or merge and sets no cookie: it takes the prepared block whole.
        if headers.is_empty() {
            let blocks = &self.actual_headers;
            match decoration {
                // One header: appending it costs less than cloning a block.
                Decoration::NotCors | Decoration::Refused => {
                    headers.append(VARY, VARY_ORIGIN.clone());
                }
                Decoration::Any => *headers = blocks.any.clone(),
                Decoration::Echo(origin) => {
                    *headers = blocks.echo.clone();
                    if let Some((_, value)) = headers.iter_mut().next() {
                        *value = origin;
                    }
                }
            }
            return;
        }
        if !matches!(decoration, Decoration::NotCors) {
            if let Some(name) = remove_inner_cors_headers(headers) {
                if RuntimeWarnings::first(&self.said.inner_cors_headers) {
                    tracing::warn!(
                        target: "tower_cors::runtime",
                        header = name.as_str(),
                        "CORS: the inner service set {name}; the CORS layer removed it, since \
                         only the policy answers CORS requests. Configure CORS in one place \
                         (this warning is given once)"
                    );
                }
            }
        }
        match decoration {
            Decoration::NotCors | Decoration::Refused => {
                append_vary(headers, "origin", &VARY_ORIGIN)
            }
            Decoration::Any => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, STAR.clone());
                self.insert_expose(headers);
            }
            Decoration::Echo(origin) => {
                if let Some(host) = host {
                    self.check_cookies(headers, &origin, host);
                }
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                if self.credentials {
                    headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
                }
                self.insert_expose(headers);
                append_vary(headers, "origin", &VARY_ORIGIN);
            }
        }
    }

    /// Warns, once, about a cookie set on a credentialed cross-origin response that the browser
    /// will never send back cross-site: the classic "logged in, then every call is a 401".
    fn check_cookies(&self, headers: &HeaderMap, origin: &HeaderValue, host: &HeaderValue) {
        let Some(cookie) = kept_same_site(headers) else {
            return;
        };
        if is_same_site(origin, host) {
            return;
        }
        if RuntimeWarnings::first(&self.said.same_site_cookie) {
            tracing::warn!(
                target: "tower_cors::runtime",
                cookie = cookie.as_str(),
                origin = &*String::from_utf8_lossy(origin.as_bytes()),
                "CORS: cookie {cookie} is set on a credentialed response to {} without \
                 `SameSite=None; Secure`: browsers treat it as SameSite=Lax and will not send \
                 it on cross-site requests from that page (this warning is given once)",
                Quoted(origin.as_bytes())
            );
        }
    }

    /// `decision` when it goes into the response's extensions: always for a refusal, for the
    /// others only when the policy records every decision. Recording costs the first insert
    /// into `http::Extensions` (three allocations), which allowed requests should not pay.
    pub(crate) fn recorded(&self, decision: CorsDecision) -> Option<CorsDecision> {
        (self.record_all_decisions || decision.is_refused()).then_some(decision)
    }

    /// The hint for a refusal, when there is one; see `hint.rs`.
    pub(crate) fn hint(&self, reason: &RefusalReason) -> Option<String> {
        let index = self.hints.get_or_init(|| HintIndex::new(&self.config));
        crate::hint::hint(&self.config, index, reason)
    }

    /// Whether an allowed request's `Host` is still needed: for the cookie warning, until it
    /// has been given.
    pub(crate) fn wants_host(&self) -> bool {
        self.credentials && !self.said.same_site_cookie.load(Ordering::Relaxed)
    }

    fn insert_expose(&self, headers: &mut HeaderMap) {
        if let Some(expose) = &self.expose {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
        }
    }

    /// Decides a preflight, checking in Fetch's order: origin, method, headers, private network.
    pub(crate) fn decide_preflight(
        &self,
        origin: RequestOrigin<'_>,
        method: &HeaderValue,
        request: &HeaderMap,
    ) -> PreflightAnswer {
        match self.allow_origin(origin) {
            Ok(allow_origin) => self.decide_preflight_for(allow_origin, method, request),
            Err(reason) => PreflightAnswer::Refused {
                reason,
                grant: None,
            },
        }
    }

    /// Decides the rest of a preflight whose origin is allowed, answering it with
    /// `allow_origin`: the listed value, or the origin an origin predicate allowed.
    pub(crate) fn decide_preflight_for(
        &self,
        allow_origin: HeaderValue,
        method: &HeaderValue,
        request: &HeaderMap,
    ) -> PreflightAnswer {
        let mut grant = Grant {
            allow_origin,
            allow_methods: None,
            allow_headers: None,
        };
        let refused = |reason, grant: Grant| PreflightAnswer::Refused {
            reason,
            grant: (!self.strict).then_some(grant),
        };
        match self.allow_method(method) {
            Ok(allow_methods) => grant.allow_methods = allow_methods,
            Err(reason) => {
                // The browser stops at the method: the configured lists name what would pass.
                // A value that is not a method (`GET POST`) is malformed, and `*` must not
                // seem to cover it: the answer names only the listed methods.
                grant.allow_methods = if self.methods.any && !is_token(method.as_bytes()) {
                    join_names(self.methods.listed.iter().map(|m| &m[..]))
                } else {
                    self.methods_list.clone()
                };
                grant.allow_headers = self.headers_list.clone();
                return refused(reason, grant);
            }
        }
        // A refusal past the method grants it with the configured list, which `allow_method`
        // leaves out when the allowed answer's block holds it.
        let granting_methods = |mut grant: Grant| {
            if grant.allow_methods.is_none() {
                grant.allow_methods = self.methods_list.clone();
            }
            grant
        };
        match self.allow_request_headers(request) {
            Ok(allow_headers) => grant.allow_headers = allow_headers,
            Err(reason) => {
                grant.allow_headers = self.headers_allowed_despite(request, &reason);
                return refused(reason, granting_methods(grant));
            }
        }
        // A lookup would hash the 38-byte name on every preflight; walking the request's
        // distinct names (once each, however many lines) compares lengths first, which rules
        // the others out at once. The value is looked up only when the name is there.
        let private_network = request
            .keys()
            .any(|name| *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            && request
                .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                .is_some_and(|v| v.as_bytes() == b"true");
        if private_network && !self.private_network {
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

    /// `Access-Control-Allow-Methods` for an allowed method: the configured list, so one
    /// answer covers every method the policy allows (browsers cache it per URL); the method
    /// itself when nothing is listed or when credentials make `*` literal. `None` stands for
    /// the configured list when the prepared answer already holds it. Safelisted methods
    /// always pass (Fetch, "CORS-preflight fetch"), compared byte for byte.
    fn allow_method(&self, method: &HeaderValue) -> Result<Option<HeaderValue>, RefusalReason> {
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
        if self.preflight_headers.methods_fixed {
            // The configured list, which the allowed answer's block already holds: `None`
            // spares a clone that the answer would drop (see `decide_preflight_for`).
            return Ok(None);
        }
        Ok(Some(method.clone()))
    }

    /// `Access-Control-Allow-Headers` when every requested name is allowed. The names are read
    /// from every `Access-Control-Request-Headers` line in one linear pass over a bounded input.
    fn allow_request_headers(
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

    /// `Access-Control-Allow-Headers` for a preflight refused at the header step: the
    /// configured list, or, when credentials turn `*` into reflection, the requested names
    /// that are allowed, so that the browser names exactly the ones that are not.
    fn headers_allowed_despite(
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

    /// Builds the response to a preflight; the inner service never sees it. It carries the
    /// decision in its extensions: `refusal` always, an allowed one when the policy records
    /// every decision.
    pub(crate) fn preflight_response(
        &self,
        answer: &PreflightAnswer,
        refusal: Option<Refusal>,
    ) -> Response<Bytes> {
        let (status, headers, body) = match answer {
            PreflightAnswer::Allowed {
                grant,
                private_network,
            } => (
                StatusCode::NO_CONTENT,
                self.allowed_preflight_headers(grant, *private_network),
                Bytes::new(),
            ),
            PreflightAnswer::Refused {
                grant: Some(grant), ..
            } => {
                let prepared = &self.preflight_headers;
                let index = usize::from(grant.allow_methods.is_some())
                    | usize::from(grant.allow_headers.is_some()) << 1;
                let mut headers = prepared.granted[index].clone();
                fill(
                    &mut headers,
                    grant,
                    grant.allow_methods.as_ref(),
                    grant.allow_headers.as_ref(),
                );
                (StatusCode::NO_CONTENT, headers, Bytes::new())
            }
            PreflightAnswer::Refused {
                reason,
                grant: None,
            } => {
                let headers = self.preflight_headers.refused.clone();
                let hint = refusal
                    .as_ref()
                    .and_then(|refusal| self.debug.then(|| refusal.hint()).flatten());
                // Without a hint the body is the reason's line, written directly when it can be.
                let plain = match hint {
                    None => refusal
                        .as_ref()
                        .map_or(reason, Refusal::reason)
                        .plain_line(),
                    Some(_) => None,
                };
                let body = plain.unwrap_or_else(|| {
                    let body = match refusal.as_ref() {
                        Some(refusal) => RefusalBody { refusal, hint },
                        None => RefusalBody {
                            refusal: &Refusal::new(CorsRequestKind::Preflight, reason.clone()),
                            hint: None,
                        },
                    };
                    line_to_bytes(&body)
                });
                (StatusCode::FORBIDDEN, headers, body)
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        let decision = match refusal {
            Some(refusal) => CorsDecision::Refused(refusal),
            None => CorsDecision::Allowed(CorsRequestKind::Preflight),
        };
        if let Some(decision) = self.recorded(decision) {
            response.extensions_mut().insert(decision);
        }
        response
    }

    /// The headers of an allowed preflight's answer: a clone of the prepared block with the
    /// request's values filled in. Filling in replaces values in place, so the clone is the
    /// answer's only allocation (two: the map's index and its entries).
    fn allowed_preflight_headers(&self, grant: &Grant, private_network: bool) -> HeaderMap {
        let prepared = &self.preflight_headers;
        let with_names = grant.allow_headers.is_some();
        let index = usize::from(with_names) | usize::from(private_network) << 1;
        let mut headers = prepared.allowed[index].clone();
        let methods = grant
            .allow_methods
            .as_ref()
            .filter(|_| !prepared.methods_fixed);
        let names = grant
            .allow_headers
            .as_ref()
            .filter(|_| !prepared.names_fixed);
        fill(&mut headers, grant, methods, names);
        headers
    }

    /// Prepares the header blocks of actual responses and preflight answers; called once, when
    /// the policy is built.
    pub(crate) fn prepare_header_blocks(&mut self) {
        self.prepare_actual_headers();
        self.prepare_preflight_headers();
    }

    fn prepare_actual_headers(&mut self) {
        let mut echo = HeaderMap::with_capacity(4);
        // First, where `decorate` finds it without a lookup.
        echo.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static(""));
        if self.credentials {
            echo.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
        }
        self.insert_expose(&mut echo);
        echo.insert(VARY, VARY_ORIGIN.clone());
        let mut any = HeaderMap::with_capacity(2);
        any.insert(ACCESS_CONTROL_ALLOW_ORIGIN, STAR.clone());
        self.insert_expose(&mut any);
        self.actual_headers = ActualHeaders { echo, any };
    }

    fn prepare_preflight_headers(&mut self) {
        // `allow_method` answers with the configured list unless credentials make `*` literal
        // or nothing is listed; `allow_request_headers` with the configured list for `*`
        // without credentials. Otherwise the values come from the request.
        let methods_fixed = !(self.methods.any && self.credentials) && self.methods_list.is_some();
        let names_fixed = self.headers.any && !self.credentials && self.headers_list.is_some();
        // Stands in for a request's value until the answer overwrites it; never sent.
        let slot = HeaderValue::from_static("");
        let allowed = |index: usize| {
            let (with_names, private_network) = (index & 1 == 1, index & 2 == 2);
            let mut headers = HeaderMap::with_capacity(7);
            headers.insert(VARY, self.vary_preflight.clone());
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, slot.clone());
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
            }
            let methods = self.methods_list.clone().filter(|_| methods_fixed);
            headers.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                methods.unwrap_or(slot.clone()),
            );
            if with_names {
                let names = self.headers_list.clone().filter(|_| names_fixed);
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, names.unwrap_or(slot.clone()));
            }
            if let Some(max_age) = &self.max_age {
                headers.insert(ACCESS_CONTROL_MAX_AGE, max_age.clone());
            }
            if private_network {
                headers.insert(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE.clone());
            }
            headers
        };
        // A refused answer that still grants the origin, so that the browser names the method
        // or header at fault: every value but `Vary` and credentials comes from the request.
        let granted = |index: usize| {
            let (methods, names) = (index & 1 == 1, index & 2 == 2);
            let mut headers = HeaderMap::with_capacity(5);
            headers.insert(VARY, self.vary_preflight.clone());
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, slot.clone());
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
            }
            if methods {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, slot.clone());
            }
            if names {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, slot.clone());
            }
            headers
        };
        let mut refused = HeaderMap::with_capacity(3);
        refused.insert(VARY, self.vary_preflight.clone());
        refused.insert(CONTENT_TYPE, TEXT_PLAIN.clone());
        refused.insert(X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
        self.preflight_headers = PreflightHeaders {
            allowed: [allowed(0), allowed(1), allowed(2), allowed(3)],
            granted: [granted(0), granted(1), granted(2), granted(3)],
            refused,
            methods_fixed,
            names_fixed,
        };
    }
}
