//! Rendering: an outcome of `decide.rs` turned into headers or a response. Each policy prepares
//! its answers' header blocks once ([`Blocks`]); a request's answer is a clone of one, with the
//! request's values filled into its placeholders. The small API the layer uses:
//! [`preflight`] (a preflight's whole response), [`decorate`] (an actual response's headers),
//! [`forbidden`] (cross-origin protection's 403) and [`line_to_bytes`] (a refusal's body).

use bytes::Bytes;
use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, CONTENT_TYPE, VARY,
    X_CONTENT_TYPE_OPTIONS,
};
use http::{Response, StatusCode};

use crate::cookie::{is_same_site, kept_same_site};
use crate::decision::{CorsDecision, CorsRequestKind, Quoted, Refusal};
use crate::headers::append_vary;
use crate::policy::{
    ActualHeaders, Blocks, Decoration, Grant, Policy, PreflightAnswer, PreflightHeaders,
    RuntimeWarnings, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, STAR, TRUE,
};

/// The 403 for a request cross-origin protection refused: a one-line reason (and the hint in
/// debug mode), and `Vary: Origin`, since the answer depends on the origin. A refused origin is
/// never allowed, so no CORS header is due.
pub(crate) fn forbidden(policy: &Policy, refusal: Refusal) -> Response<Bytes> {
    let body = line_to_bytes(&RefusalBody {
        refusal: &refusal,
        hint: policy.debug.then(|| refusal.hint()).flatten(),
    });
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::FORBIDDEN;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, TEXT_PLAIN.clone());
    headers.insert(X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
    headers.insert(VARY, VARY_ORIGIN.clone());
    response
        .extensions_mut()
        .insert(CorsDecision::Refused(refusal));
    response
}

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

static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("origin");
static TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
static NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");

/// Builds the response to a preflight; the inner service never sees it. It carries the
/// decision in its extensions: `refusal` always, an allowed one when the policy records
/// every decision.
pub(crate) fn preflight(
    policy: &Policy,
    answer: &PreflightAnswer,
    refusal: Option<Refusal>,
) -> Response<Bytes> {
    let (status, headers, body) = match answer {
        PreflightAnswer::Allowed {
            grant,
            private_network,
        } => (
            StatusCode::NO_CONTENT,
            allowed_preflight_headers(policy, grant, *private_network),
            Bytes::new(),
        ),
        PreflightAnswer::Refused {
            grant: Some(grant), ..
        } => {
            let prepared = &policy.blocks.preflight;
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
            let headers = policy.blocks.preflight.refused.clone();
            let hint = refusal
                .as_ref()
                .and_then(|refusal| policy.debug.then(|| refusal.hint()).flatten());
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
    if let Some(decision) = policy.recorded(decision) {
        response.extensions_mut().insert(decision);
    }
    response
}

/// The headers of an allowed preflight's answer: a clone of the prepared block with the
/// request's values filled in. Filling in replaces values in place, so the clone is the
/// answer's only allocation (two: the map's index and its entries).
fn allowed_preflight_headers(policy: &Policy, grant: &Grant, private_network: bool) -> HeaderMap {
    let prepared = &policy.blocks.preflight;
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

/// Adds the policy's headers to an actual response. For a CORS request, the layer is the
/// only authority: `Access-Control-*` headers set by the inner stack are removed first, so
/// the response never carries two answers or a grant the policy did not make.
pub(crate) fn decorate(
    policy: &Policy,
    headers: &mut HeaderMap,
    decoration: Decoration,
    host: Option<&HeaderValue>,
) {
    // A response without headers (a bare status, an error from a layer inside) has nothing
    // to replace or merge and sets no cookie: it takes the prepared block whole.
    if headers.is_empty() {
        let blocks = &policy.blocks.actual;
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
            if RuntimeWarnings::first(&policy.said.inner_cors_headers) {
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
        Decoration::NotCors | Decoration::Refused => append_vary(headers, "origin", &VARY_ORIGIN),
        Decoration::Any => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, STAR.clone());
            insert_expose(policy, headers);
        }
        Decoration::Echo(origin) => {
            if let Some(host) = host {
                check_cookies(policy, headers, &origin, host);
            }
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if policy.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
            }
            insert_expose(policy, headers);
            append_vary(headers, "origin", &VARY_ORIGIN);
        }
    }
}

/// Warns, once, about a cookie set on a credentialed cross-origin response that the browser
/// will never send back cross-site: the classic "logged in, then every call is a 401".
fn check_cookies(policy: &Policy, headers: &HeaderMap, origin: &HeaderValue, host: &HeaderValue) {
    let Some(cookie) = kept_same_site(headers) else {
        return;
    };
    if is_same_site(origin, host) {
        return;
    }
    if RuntimeWarnings::first(&policy.said.same_site_cookie) {
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

fn insert_expose(policy: &Policy, headers: &mut HeaderMap) {
    if let Some(expose) = &policy.expose {
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
    }
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
struct RefusalBody<'a> {
    refusal: &'a Refusal,
    hint: Option<&'a str>,
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

/// The header blocks of `policy`'s answers; built once, when the policy is.
pub(crate) fn blocks(policy: &Policy) -> Blocks {
    Blocks {
        actual: actual_headers(policy),
        preflight: preflight_headers(policy),
    }
}

fn actual_headers(policy: &Policy) -> ActualHeaders {
    let mut echo = HeaderMap::with_capacity(4);
    // First, where `decorate` finds it without a lookup.
    echo.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static(""));
    if policy.credentials {
        echo.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
    }
    insert_expose(policy, &mut echo);
    echo.insert(VARY, VARY_ORIGIN.clone());
    let mut any = HeaderMap::with_capacity(2);
    any.insert(ACCESS_CONTROL_ALLOW_ORIGIN, STAR.clone());
    insert_expose(policy, &mut any);
    ActualHeaders { echo, any }
}

fn preflight_headers(policy: &Policy) -> PreflightHeaders {
    // `allow_method` answers with the configured list unless credentials make `*` literal
    // or nothing is listed; `allow_request_headers` with the configured list for `*`
    // without credentials. Otherwise the values come from the request.
    let methods_fixed =
        !(policy.methods.any && policy.credentials) && policy.methods_list.is_some();
    let names_fixed = policy.headers.any && !policy.credentials && policy.headers_list.is_some();
    // Stands in for a request's value until the answer overwrites it; never sent.
    let slot = HeaderValue::from_static("");
    let allowed = |index: usize| {
        let (with_names, private_network) = (index & 1 == 1, index & 2 == 2);
        let mut headers = HeaderMap::with_capacity(7);
        headers.insert(VARY, policy.vary_preflight.clone());
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, slot.clone());
        if policy.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
        }
        let methods = policy.methods_list.clone().filter(|_| methods_fixed);
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            methods.unwrap_or(slot.clone()),
        );
        if with_names {
            let names = policy.headers_list.clone().filter(|_| names_fixed);
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, names.unwrap_or(slot.clone()));
        }
        if let Some(max_age) = &policy.max_age {
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
        headers.insert(VARY, policy.vary_preflight.clone());
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, slot.clone());
        if policy.credentials {
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
    refused.insert(VARY, policy.vary_preflight.clone());
    refused.insert(CONTENT_TYPE, TEXT_PLAIN.clone());
    refused.insert(X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
    PreflightHeaders {
        allowed: [allowed(0), allowed(1), allowed(2), allowed(3)],
        granted: [granted(0), granted(1), granted(2), granted(3)],
        refused,
        methods_fixed,
        names_fixed,
    }
}
