//! Helpers shared by the integration tests: an inner service that counts its calls, and short
//! ways to build requests and read responses.

#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{CorsLayer, ResponseBody};

pub type Body = Full<Bytes>;

/// What the inner service returned, and how often it was called.
#[derive(Clone, Default)]
pub struct Inner {
    calls: Arc<AtomicUsize>,
    headers: HeaderMap,
    status: Option<StatusCode>,
}

impl Inner {
    /// An inner service that answers with these extra headers.
    pub fn with_headers(pairs: &[(&'static str, &'static str)]) -> Self {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        Self {
            headers,
            ..Self::default()
        }
    }

    pub fn with_status(status: u16) -> Self {
        Self {
            status: Some(StatusCode::from_u16(status).unwrap()),
            ..Self::default()
        }
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Sends `request` through `layer` around this inner service.
    pub async fn send(
        &self,
        layer: &CorsLayer,
        request: Request<Body>,
    ) -> Response<ResponseBody<Body>> {
        let inner = self.clone();
        let service = layer.layer(service_fn(move |_request: Request<Body>| {
            let inner = inner.clone();
            async move {
                inner.calls.fetch_add(1, Ordering::SeqCst);
                let mut response = Response::new(Full::new(Bytes::from_static(b"inner")));
                *response.headers_mut() = inner.headers.clone();
                if let Some(status) = inner.status {
                    *response.status_mut() = status;
                }
                Ok::<_, Infallible>(response)
            }
        }));
        service.oneshot(request).await.unwrap()
    }
}

/// Sends `request` through `layer` around a fresh inner service.
pub async fn send(layer: &CorsLayer, request: Request<Body>) -> Response<ResponseBody<Body>> {
    Inner::default().send(layer, request).await
}

/// A request with the given method, `Origin` and extra headers.
pub fn request(method: &str, origin: Option<&str>, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri("/items/1");
    if let Some(origin) = origin {
        builder = builder.header("origin", origin);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::default()).unwrap()
}

/// A preflight from `origin` asking for `method` and the given extra headers.
pub fn preflight(origin: &str, method: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut all = vec![("access-control-request-method", method)];
    all.extend_from_slice(headers);
    request("OPTIONS", Some(origin), &all)
}

/// One header's value as a string; `None` when absent. Panics when it appears more than once.
pub fn header<B>(response: &Response<B>, name: &str) -> Option<String> {
    let mut values = response.headers().get_all(name).iter();
    let first = values.next()?;
    assert!(values.next().is_none(), "{name} appears more than once");
    Some(first.to_str().unwrap().to_owned())
}

/// Asserts each named header's single value, or its absence for `None`; the message of a
/// failure names the header. Panics, like [`header`], when one appears more than once.
#[track_caller]
pub fn assert_headers<B>(response: &Response<B>, expected: &[(&str, Option<&str>)]) {
    assert_headers_for("", response, expected);
}

/// [`assert_headers`], with `context` (say, a test case's name) before the header's name in the
/// message of a failure.
#[track_caller]
pub fn assert_headers_for<B>(
    context: &str,
    response: &Response<B>,
    expected: &[(&str, Option<&str>)],
) {
    for &(name, value) in expected {
        let what = if context.is_empty() {
            name.to_owned()
        } else {
            format!("{context}: {name}")
        };
        assert_eq!(header(response, name).as_deref(), value, "{what}");
    }
}

/// Every value of `Vary`, split and lowercased.
pub fn vary<B>(response: &Response<B>) -> Vec<String> {
    response
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Names of the response's `access-control-*` headers.
pub fn cors_headers<B>(response: &Response<B>) -> Vec<String> {
    response
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

pub async fn body_text(response: Response<ResponseBody<Body>>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}
