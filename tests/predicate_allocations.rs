//! Origin predicates cost no allocation unless an asynchronous one has to be asked: a synchronous
//! predicate's origin is served with exactly the allocations of one a pattern allows (both echo
//! the request's own value), and a layer that has an asynchronous predicate allocates nothing
//! more for origins its list decides.
//!
//! Its own test binary, with one test, because the counting allocator sees every thread.

// Counting allocations needs a `GlobalAlloc` implementation, which is `unsafe` to write.
#![allow(unsafe_code)]

use std::convert::Infallible;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Empty;
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::CorsLayer;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::ALLOCATIONS;

const LISTED: &str = "https://app.example.com";
const TENANT: &str = "https://shop.example.net";

fn request(origin: &str, preflight: bool) -> Request<Empty<Bytes>> {
    let builder = Request::builder().uri("/items/1").header("origin", origin);
    let builder = match preflight {
        true => builder
            .method("OPTIONS")
            .header("access-control-request-method", "PUT"),
        false => builder,
    };
    builder.body(Empty::new()).unwrap()
}

/// Allocations made while `layer`, around an inner service that allocates nothing of its own,
/// answers `request` (built beforehand) and the response is dropped.
fn allocations(layer: &CorsLayer, origin: &str, preflight: bool) -> u64 {
    let service = layer.layer(service_fn(|_: Request<Empty<Bytes>>| async {
        Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
    }));
    // Warm up: lazily built state (hint indexes, tracing's callsite interest) is not per request.
    for _ in 0..3 {
        let _ = futures::executor::block_on(service.clone().oneshot(request(origin, preflight)));
    }
    // The counter is the process's: the fewest of a few runs leaves out what another thread
    // (the test harness's) happened to allocate meanwhile.
    (0..5)
        .map(|_| {
            let request = request(origin, preflight);
            let service = service.clone();
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            let response = futures::executor::block_on(service.oneshot(request));
            drop(response);
            ALLOCATIONS.load(Ordering::SeqCst) - before
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn origin_predicates_allocate_nothing_unless_an_async_one_is_asked() {
    let listed = || {
        CorsLayer::builder()
            .allow_origins([LISTED])
            .allow_methods(["PUT"])
    };
    let plain = listed().build().unwrap();
    let pattern = listed()
        .allow_origins(["https://*.example.net"])
        .build()
        .unwrap();
    let sync = listed()
        .allow_origin_predicate(|origin, _| origin == TENANT)
        .build()
        .unwrap();
    let asynchronous = listed()
        .allow_origin_async_predicate(|origin, _| std::future::ready(origin == TENANT))
        .build()
        .unwrap();
    for preflight in [true, false] {
        let baseline = allocations(&plain, LISTED, preflight);
        assert_eq!(
            allocations(&sync, LISTED, preflight),
            baseline,
            "{preflight}"
        );
        let echoed = allocations(&pattern, TENANT, preflight);
        assert_eq!(allocations(&sync, TENANT, preflight), echoed, "{preflight}");
        assert_eq!(
            allocations(&asynchronous, LISTED, preflight),
            baseline,
            "{preflight}"
        );
        // Asking the asynchronous predicate boxes its future, and a little state with it.
        assert!(
            allocations(&asynchronous, TENANT, preflight) > echoed,
            "{preflight}"
        );
    }
}
