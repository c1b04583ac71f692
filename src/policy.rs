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

use crate::decision::{CorsRequestKind, Refusal, RefusalReason};
use crate::headers::{append_vary, is_token, list_elements, MAX_REQUEST_HEADERS_LEN};
use crate::origin::{OriginMatch, OriginMatcher};
use crate::request::RequestOrigin;

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
fn line_to_bytes(value: &impl std::fmt::Display) -> Bytes {
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

/// Removes the CORS headers an inner service set. One scan of the names first: inner services
/// rarely set any, and then nothing is looked up.
fn remove_inner_cors_headers(headers: &mut HeaderMap) {
    if headers
        .keys()
        .any(|name| name.as_str().starts_with("access-control-"))
    {
        for name in &CORS_RESPONSE_HEADERS {
            headers.remove(name);
        }
    }
}

static STAR: HeaderValue = HeaderValue::from_static("*");
static TRUE: HeaderValue = HeaderValue::from_static("true");
static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("origin");
static TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
static NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

/// A validated CORS policy, shared by every clone of the layer and service.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) origins: OriginMatcher,
    pub(crate) credentials: bool,
    pub(crate) methods: MethodRule,
    pub(crate) headers: HeaderRule,
    pub(crate) private_network: bool,
    pub(crate) strict: bool,
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
}

impl HeaderRule {
    fn allows(&self, name: &[u8]) -> bool {
        (self.any && !name.eq_ignore_ascii_case(b"authorization"))
            || self
                .listed
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
        allow_origin: HeaderValue,
        allow_methods: HeaderValue,
        allow_headers: Option<HeaderValue>,
        private_network: bool,
    },
    Refused {
        reason: RefusalReason,
        /// The `Access-Control-Allow-Origin` to send: set when the origin was allowed but a
        /// method, header or private network access was not, and the policy is not strict.
        allow_origin: Option<HeaderValue>,
    },
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
    pub(crate) fn decorate(&self, headers: &mut HeaderMap, decoration: Decoration) {
        // A response without headers (common for bare handlers) has nothing to replace or
        // merge: append, skipping the lookups that replacing and merging need.
        let fresh = headers.is_empty();
        if !fresh && !matches!(decoration, Decoration::NotCors) {
            remove_inner_cors_headers(headers);
        }
        let vary = |headers: &mut HeaderMap| {
            if fresh {
                headers.append(VARY, VARY_ORIGIN.clone());
            } else {
                append_vary(headers, "origin", &VARY_ORIGIN);
            }
        };
        match decoration {
            Decoration::NotCors => vary(headers),
            Decoration::Any => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, STAR.clone());
                self.insert_expose(headers);
            }
            Decoration::Echo(origin) => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                if self.credentials {
                    headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
                }
                self.insert_expose(headers);
                vary(headers);
            }
            Decoration::Refused => vary(headers),
        }
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
        let allow_origin = match self.allow_origin(origin) {
            Ok(value) => value,
            Err(reason) => {
                return PreflightAnswer::Refused {
                    reason,
                    allow_origin: None,
                }
            }
        };
        let checks = self.allow_method(method).and_then(|allow_methods| {
            let allow_headers = self.allow_request_headers(request)?;
            let private_network = request
                .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                .is_some_and(|v| v.as_bytes() == b"true");
            if private_network && !self.private_network {
                return Err(RefusalReason::PrivateNetworkNotAllowed);
            }
            Ok((allow_methods, allow_headers, private_network))
        });
        match checks {
            Ok((allow_methods, allow_headers, private_network)) => PreflightAnswer::Allowed {
                allow_origin,
                allow_methods,
                allow_headers,
                private_network,
            },
            Err(reason) => PreflightAnswer::Refused {
                reason,
                allow_origin: (!self.strict).then_some(allow_origin),
            },
        }
    }

    /// `Access-Control-Allow-Methods` for an allowed method. Safelisted methods always pass
    /// (Fetch, "CORS-preflight fetch": they need no listing), compared byte for byte.
    fn allow_method(&self, method: &HeaderValue) -> Result<HeaderValue, RefusalReason> {
        let bytes = method.as_bytes();
        let refused = || RefusalReason::MethodNotAllowed {
            method: method.clone(),
        };
        if !is_token(bytes) {
            return Err(refused());
        }
        if self.methods.any && !self.credentials {
            return Ok(STAR.clone());
        }
        let allowed = matches!(bytes, b"GET" | b"HEAD" | b"POST")
            || self.methods.any
            || self.methods.listed.iter().any(|m| **m == *bytes);
        if allowed {
            Ok(method.clone())
        } else {
            Err(refused())
        }
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
        }
        if count == 0 {
            return Ok(None);
        }
        if len > MAX_REQUEST_HEADERS_LEN {
            return Err(RefusalReason::RequestHeadersTooLong { len });
        }
        let mut requested = false;
        for name in list_elements(lines.iter()) {
            if !is_token(name) || !self.headers.allows(name) {
                return Err(RefusalReason::HeaderNotAllowed {
                    header: String::from_utf8_lossy(name).into_owned(),
                });
            }
            requested = true;
        }
        if !requested {
            return Ok(None);
        }
        if self.headers.any && !self.credentials {
            return Ok(self.headers_list.clone());
        }
        // Echo the request's names: they are all allowed, and echoing keeps the answer exact
        // whether the policy lists names or reflects them because of credentials.
        let mut lines = lines.iter();
        match (lines.next(), lines.next()) {
            (Some(only), None) => Ok(Some(only.clone())),
            _ => {
                let joined: Vec<&[u8]> =
                    list_elements(request.get_all(ACCESS_CONTROL_REQUEST_HEADERS).iter()).collect();
                Ok(HeaderValue::from_bytes(&joined.join(&b","[..])).ok())
            }
        }
    }

    /// Builds the response to a preflight; the inner service never sees it.
    pub(crate) fn preflight_response(&self, answer: &PreflightAnswer) -> Response<Bytes> {
        // Six fit without growing: Vary, the origin, credentials, methods, headers, max age.
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(VARY, self.vary_preflight.clone());
        let (status, body) = match answer {
            PreflightAnswer::Allowed {
                allow_origin,
                allow_methods,
                allow_headers,
                private_network,
            } => {
                self.grant(&mut headers, allow_origin);
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, allow_methods.clone());
                if let Some(allow_headers) = allow_headers {
                    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, allow_headers.clone());
                }
                if let Some(max_age) = &self.max_age {
                    headers.insert(ACCESS_CONTROL_MAX_AGE, max_age.clone());
                }
                if *private_network {
                    headers.insert(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE.clone());
                }
                (StatusCode::NO_CONTENT, Bytes::new())
            }
            PreflightAnswer::Refused {
                allow_origin: Some(allow_origin),
                ..
            } => {
                // The origin is allowed: answer with the configured lists so that the browser
                // itself names the method or header it refuses.
                self.grant(&mut headers, allow_origin);
                if let Some(methods) = &self.methods_list {
                    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, methods.clone());
                }
                if let Some(list) = &self.headers_list {
                    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, list.clone());
                }
                (StatusCode::NO_CONTENT, Bytes::new())
            }
            PreflightAnswer::Refused {
                reason,
                allow_origin: None,
            } => {
                headers.insert(CONTENT_TYPE, TEXT_PLAIN.clone());
                headers.insert(X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
                let refusal = Refusal::new(CorsRequestKind::Preflight, reason.clone());
                (StatusCode::FORBIDDEN, line_to_bytes(&refusal))
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }

    fn grant(&self, headers: &mut HeaderMap, allow_origin: &HeaderValue) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
        if self.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
        }
    }
}
