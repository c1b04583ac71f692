//! Criterion timings of every scenario, through the bare inner service, tower-cors (plain and
//! reloadable) and tower-http's `CorsLayer`: `cargo bench -p tower-cors-benches --bench cors`.
//! The deterministic counts are in `benches/measure.rs`. The `async origin predicate` group
//! times origins decided by an asynchronous predicate, in both crates: a future that is ready at
//! once, and a 1 ms lookup.
//! Requests per second through a real server on loopback, with and without the layer:
//! `bash benches/end_to_end.sh`.

#![allow(missing_docs)] // criterion's macros generate undocumented functions

mod scenarios;

use std::future::Future;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderValue, Method, Request};
use scenarios::{Body, Stack};
use tower::{Layer, ServiceExt};
use tower_http::cors as th;

fn bench(c: &mut Criterion) {
    for scenario in scenarios::all() {
        let mut group = c.benchmark_group(&scenario.name);
        group
            .sample_size(30)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for stack in [
            Stack::Bare,
            Stack::TowerCors,
            Stack::TowerCorsReloadable,
            Stack::TowerHttp,
        ] {
            let mut run = scenarios::runner(&scenario, stack);
            group.bench_function(stack.name(), |b| {
                b.iter_custom(|iterations| {
                    let start = Instant::now();
                    run(iterations);
                    start.elapsed()
                })
            });
        }
        group.finish();
    }
}

/// The origin the predicates allow; the static list names another.
const TENANT: &str = "https://shop.example.net";

fn tenant_request(preflight: bool) -> Request<Body> {
    let builder = Request::builder().uri("/items/42").header("origin", TENANT);
    let builder = match preflight {
        true => builder
            .method(Method::OPTIONS)
            .header("access-control-request-method", "PUT"),
        false => builder,
    };
    builder.body(Body::new()).expect("a valid request")
}

/// Both crates' layers with an asynchronous origin predicate answering `lookup(origin)`.
fn async_layers<L, F>(lookup: L) -> (tower_cors::CorsLayer, th::CorsLayer)
where
    L: Fn(HeaderValue) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = bool> + Send + 'static,
{
    let ours = lookup.clone();
    let cors = tower_cors::CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods([Method::PUT])
        .allow_origin_async_predicate(move |origin, _| ours(origin))
        .build()
        .expect("a valid benchmark policy");
    let http = th::CorsLayer::new()
        .allow_methods([Method::GET, Method::PUT])
        .allow_origin(th::AllowOrigin::async_predicate(move |origin, _| {
            lookup(origin)
        }));
    (cors, http)
}

fn bench_async_predicate(c: &mut Criterion) {
    let mut group = c.benchmark_group("async origin predicate");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let ready = async_layers(|origin| std::future::ready(origin == TENANT));
    let lookup = async_layers(|origin| async move {
        tokio::time::sleep(Duration::from_millis(1)).await;
        origin == TENANT
    });
    for (future, (cors, http)) in [("ready future", ready), ("1 ms lookup", lookup)] {
        for preflight in [true, false] {
            let shape = if preflight { "preflight" } else { "simple GET" };
            let cors = cors.layer(scenarios::inner());
            let http = http.layer(scenarios::inner());
            group.bench_function(format!("{shape}, {future}, tower-cors"), |b| {
                b.iter_custom(|iterations| {
                    let start = Instant::now();
                    for _ in 0..iterations {
                        let call = cors.clone().oneshot(tenant_request(preflight));
                        let response = runtime.block_on(call).expect("infallible");
                        assert!(response
                            .headers()
                            .contains_key("access-control-allow-origin"));
                    }
                    start.elapsed()
                })
            });
            group.bench_function(format!("{shape}, {future}, tower-http"), |b| {
                b.iter_custom(|iterations| {
                    let start = Instant::now();
                    for _ in 0..iterations {
                        let call = http.clone().oneshot(tenant_request(preflight));
                        let response = runtime.block_on(call).expect("infallible");
                        assert!(response
                            .headers()
                            .contains_key("access-control-allow-origin"));
                    }
                    start.elapsed()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, bench_async_predicate);
criterion_main!(benches);
