//! The checks behind the fuzz targets in `fuzz/`, shared with `tests/fuzz_corpus.rs`, which
//! replays every committed corpus through them on stable. Each takes raw bytes, decodes them in a
//! simple, stable way (lines), drives the public API and asserts an invariant against an
//! independent oracle, so any input the fuzzer finds can be replayed by the normal test run.

#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::Empty;
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{CorsDecision, CorsLayer};

fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n')
}

/// (a) Origin patterns against matching: the first line is an `allowed_origins` entry, every
/// other line a request `Origin`. Whatever the layer allows must be allowed by the pattern's
/// definition, written out here independently, and the other way round.
pub fn origin_patterns(data: &[u8]) {
    let mut lines = lines(data);
    let Some(pattern) = lines.next().and_then(|p| std::str::from_utf8(p).ok()) else {
        return;
    };
    let Ok(layer) = CorsLayer::builder()
        .allow_origins([pattern])
        .dangerously_allow_null_origin(true)
        .build()
    else {
        return;
    };
    for origin in lines {
        let Ok(value) = HeaderValue::from_bytes(origin) else {
            continue;
        };
        let request = Request::get("/").header("origin", value).body(()).unwrap();
        let allowed = !layer.decide(&request).is_refused();
        assert_eq!(
            allowed,
            pattern_allows(pattern, origin),
            "pattern {pattern:?}, origin {:?}",
            String::from_utf8_lossy(origin)
        );
    }
}

/// The pattern grammar of the README, as a reference: `*`, `null`, or
/// `scheme://[*.|**.]host[:port|:*]`, matched against a serialized origin.
fn pattern_allows(pattern: &str, origin: &[u8]) -> bool {
    if pattern == "*" {
        return true;
    }
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    if pattern == "null" || origin == "null" {
        return pattern == origin;
    }
    let (Some((p_scheme, p_rest)), Some((o_scheme, o_rest))) =
        (pattern.split_once("://"), origin.split_once("://"))
    else {
        return false;
    };
    if p_scheme != o_scheme {
        return false;
    }
    let (p_host, p_port) = split_port(p_rest);
    let (o_host, o_port) = split_port(o_rest);
    let default = match o_scheme {
        "http" | "ws" => Some("80"),
        "https" | "wss" => Some("443"),
        "ftp" => Some("21"),
        _ => None,
    };
    let port_ok = match (p_port, o_port) {
        (None, None) => true,
        (Some("*"), None) => true,
        (Some("*"), Some(port)) => canonical_port(port) && Some(port) != default,
        (Some(p), Some(o)) => p == o,
        _ => false,
    };
    if !port_ok {
        return false;
    }
    if let Some(domain) = p_host.strip_prefix("**.") {
        o_host
            .strip_suffix(domain)
            .and_then(|labels| labels.strip_suffix('.'))
            .is_some_and(|labels| labels.split('.').all(is_label))
    } else if let Some(domain) = p_host.strip_prefix("*.") {
        o_host
            .strip_suffix(domain)
            .and_then(|label| label.strip_suffix('.'))
            .is_some_and(is_label)
    } else {
        p_host == o_host
    }
}

fn split_port(rest: &str) -> (&str, Option<&str>) {
    match rest.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (rest, None),
    }
}

fn canonical_port(port: &str) -> bool {
    !port.is_empty()
        && !port.starts_with('0')
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| p <= 65535)
}

fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// (b) The `Access-Control-Request-Headers` parser: the first line is the allowed header list
/// (comma-separated), every other line one `Access-Control-Request-Headers` field line. The
/// layer allows the preflight exactly when every listed name is allowed.
pub fn request_headers(data: &[u8]) {
    let mut lines = lines(data);
    let Some(allowed) = lines.next().and_then(|p| std::str::from_utf8(p).ok()) else {
        return;
    };
    let allowed: Vec<&str> = allowed.split(',').filter(|s| !s.is_empty()).collect();
    let Ok(layer) = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_headers(allowed.iter().copied())
        .build()
    else {
        return;
    };
    let any = allowed.iter().any(|a| a.trim() == "*");
    let mut request = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET");
    let mut field_lines = Vec::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            request = request.header("access-control-request-headers", value.clone());
            field_lines.push(value);
        }
    }
    let request = request.body(()).unwrap();
    let expected = headers_allowed(&allowed, any, &field_lines);
    let decision = layer.decide(&request);
    assert_eq!(
        !decision.is_refused(),
        expected,
        "allowed {allowed:?}, request lines {field_lines:?}: {decision:?}"
    );
}

fn headers_allowed(allowed: &[&str], any: bool, lines: &[HeaderValue]) -> bool {
    let total: usize = lines.iter().map(HeaderValue::len).sum();
    if total > 4096 || lines.len() > 16 {
        return false;
    }
    lines
        .iter()
        .flat_map(|line| line.as_bytes().split(|&b| b == b','))
        // Header values hold no other ASCII whitespace than spaces and tabs, the optional
        // whitespace of RFC 9110.
        .map(<[u8]>::trim_ascii)
        .filter(|element| !element.is_empty())
        .all(|name| {
            let token = name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            token
                && ((any && !name.eq_ignore_ascii_case(b"authorization"))
                    || allowed
                        .iter()
                        .any(|a| a.trim().as_bytes().eq_ignore_ascii_case(name)))
        })
}

/// (c) The whole layer: the first line is the method, every other line `name:value`. After every
/// call: the inner service ran exactly when the request was not a preflight, and the response
/// grants nothing but what the policy allows for the request's single `Origin`.
pub fn layer(data: &[u8]) {
    let mut lines = lines(data);
    let Some(method) = lines.next().and_then(|m| Method::from_bytes(m).ok()) else {
        return;
    };
    let mut builder = Request::builder().method(method.clone()).uri("/x");
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(&line[colon + 1..]),
        ) else {
            continue;
        };
        builder = builder.header(name, value);
    }
    let Ok(request) = builder.body(Empty::<Bytes>::new()) else {
        return;
    };
    let policies = [
        CorsLayer::builder()
            .allow_origins([
                "https://app.example.com",
                "https://*.example.org",
                "http://localhost:*",
            ])
            .allow_credentials(true)
            .allow_methods(["PUT", "DELETE"])
            .allow_headers(["content-type", "x-a"])
            .expose_headers(["x-id"])
            .build()
            .unwrap(),
        CorsLayer::builder()
            .allow_any_origin()
            .allow_any_method()
            .allow_any_header()
            .build()
            .unwrap(),
    ];
    let headers = request.headers().clone();
    let origins: Vec<&HeaderValue> = headers.get_all("origin").iter().collect();
    let preflight = method == Method::OPTIONS
        && !origins.is_empty()
        && headers.contains_key("access-control-request-method");
    for (index, policy) in policies.iter().enumerate() {
        let decision = policy.decide(&request_copy(&request));
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let service = policy.layer(service_fn(move |_: Request<Empty<Bytes>>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                let mut response = Response::new(Empty::<Bytes>::new());
                response
                    .headers_mut()
                    .insert("access-control-allow-origin", HeaderValue::from_static("*"));
                Ok::<_, Infallible>(response)
            }
        }));
        let response = futures::executor::block_on(service.oneshot(request_copy(&request)))
            .unwrap_or_else(|never| match never {});
        assert_eq!(
            calls.load(Ordering::SeqCst),
            usize::from(!preflight),
            "policy {index}"
        );
        let acao: Vec<&HeaderValue> = response
            .headers()
            .get_all("access-control-allow-origin")
            .iter()
            .collect();
        assert!(
            acao.len() <= 1,
            "policy {index}: several allow-origin values"
        );
        match (index, acao.first()) {
            // A granted origin (an allowed request, or a preflight refused only at a later
            // step) is always written back, or the browser would block what the policy allows.
            (_, None) => assert!(
                origins.is_empty() || !origin_allowed(&decision),
                "policy {index}: {decision:?} without an allow-origin header"
            ),
            (1, Some(value)) => assert_eq!(value.as_bytes(), b"*"),
            // Not a CORS request: the inner service's own `*` is left alone.
            (_, Some(value)) if origins.is_empty() => assert_eq!(value.as_bytes(), b"*"),
            (_, Some(value)) => {
                assert!(origin_allowed(&decision), "{decision:?}");
                assert_eq!(origins.len(), 1);
                assert_eq!(value.as_bytes(), origins[0].as_bytes());
            }
        }
        if response
            .headers()
            .contains_key("access-control-allow-credentials")
        {
            let granted = origin_allowed(&decision) && !acao.is_empty();
            assert!(
                index == 0 && granted,
                "credentials without a grant: {decision:?}"
            );
        }
        if index == 0 {
            let varies: usize = response
                .headers()
                .get_all("vary")
                .iter()
                .flat_map(|v| v.as_bytes().split(|&b| b == b','))
                .filter(|t| t.trim_ascii().eq_ignore_ascii_case(b"origin"))
                .count();
            assert_eq!(varies, 1, "Vary names origin once");
        }
    }
}

/// Whether the decision allowed the origin: the request was allowed, or it was a preflight
/// refused at a later step, which still grants the origin (unless the policy is strict) so that
/// the browser names the method or header at fault.
fn origin_allowed(decision: &CorsDecision) -> bool {
    match decision {
        CorsDecision::Allowed(_) => true,
        CorsDecision::Refused(refusal) => {
            refusal.kind() == tower_cors::CorsRequestKind::Preflight
                && !matches!(
                    refusal.reason(),
                    tower_cors::RefusalReason::OriginNotAllowed { .. }
                        | tower_cors::RefusalReason::MultipleOrigins
                )
        }
        _ => false,
    }
}

fn request_copy(request: &Request<Empty<Bytes>>) -> Request<Empty<Bytes>> {
    let mut copy = Request::new(Empty::new());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}
