//! An allowed request costs the layer at most two allocations, the response's own header
//! storage, on every path: simple requests and preflights, exact origins, patterns, regular
//! expressions and credentials. Only when the policy records every decision does an allowed
//! response carry one in its extensions, which costs three more.
//!
//! Its own test binary, with one test, because the counting allocator sees every thread.

// Counting allocations needs a `GlobalAlloc` implementation, which is `unsafe` to write.
#![allow(unsafe_code)]

use std::convert::Infallible;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::Empty;
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::CorsLayer;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::ALLOCATIONS;

const ORIGIN: &str = "https://app.example.com";

/// A header value as a server reads it: a slice of a shared buffer, which clones without
/// allocating (`HeaderValue::from_static` would too; a value copied from a `&str` allocates on
/// its first clone).
fn shared(text: &str) -> HeaderValue {
    let bytes = Bytes::from(text.as_bytes().to_vec());
    drop(bytes.clone());
    HeaderValue::from_maybe_shared(bytes).unwrap()
}

fn request(preflight: bool) -> Request<Empty<Bytes>> {
    let builder = Request::builder()
        .uri("/items/1")
        .header("origin", shared(ORIGIN));
    let builder = match preflight {
        true => builder
            .method("OPTIONS")
            .header("access-control-request-method", shared("PUT"))
            .header(
                "access-control-request-headers",
                shared("authorization,content-type,x-request-id"),
            ),
        false => builder,
    };
    builder.body(Empty::new()).unwrap()
}

/// Allocations made while `layer` (or the inner service alone, for `None`) answers a request
/// built beforehand, and the response is dropped.
fn allocations(layer: Option<&CorsLayer>, preflight: bool) -> u64 {
    let inner = service_fn(|_: Request<Empty<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    });
    let call = |request| match layer {
        Some(layer) => {
            let service = layer.layer(inner);
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            drop(futures::executor::block_on(service.oneshot(request)));
            ALLOCATIONS.load(Ordering::SeqCst) - before
        }
        None => {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            drop(futures::executor::block_on(inner.oneshot(request)));
            ALLOCATIONS.load(Ordering::SeqCst) - before
        }
    };
    // Warm up: lazily built state (tracing's callsite interest) is not per request.
    for _ in 0..3 {
        call(request(preflight));
    }
    // The counter is the process's: the fewest of a few runs leaves out what another thread
    // (the test harness's) happened to allocate meanwhile.
    (0..5)
        .map(|_| call(request(preflight)))
        .min()
        .unwrap_or_default()
}

#[test]
fn allowed_requests_allocate_at_most_twice() {
    let api = || {
        CorsLayer::builder()
            .allow_methods(["GET", "POST", "PUT", "DELETE"])
            .allow_headers(["content-type", "authorization", "x-request-id"])
    };
    let layers = [
        ("exact", api().allow_origins([ORIGIN])),
        ("pattern", api().allow_origins(["https://*.example.com"])),
        (
            "regex",
            api().allow_origin_regexes([r"https://(app|admin)\.example\.com"]),
        ),
        (
            "credentials",
            api().allow_origins([ORIGIN]).allow_credentials(true),
        ),
        ("star", api().allow_origins(["*"])),
    ];
    for (name, builder) in layers {
        let layer = builder.clone().build().unwrap();
        let recording = builder.record_all_decisions(true).build().unwrap();
        for preflight in [false, true] {
            let bare = allocations(None, preflight);
            let added = allocations(Some(&layer), preflight) - bare;
            assert!(added <= 2, "{name}, preflight {preflight}: {added}");
            let recorded = allocations(Some(&recording), preflight) - bare;
            assert_eq!(recorded, added + 3, "{name}, preflight {preflight}");
        }
    }
}
