//! Criterion timings of every scenario, through the bare inner service, tower-cors (plain and
//! reloadable) and tower-http's `CorsLayer`: `cargo bench -p tower-cors-benches --bench cors`.
//! The deterministic counts are in `benches/measure.rs`.

#![allow(missing_docs)] // criterion's macros generate undocumented functions

mod scenarios;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use scenarios::Stack;

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

criterion_group!(benches, bench);
criterion_main!(benches);
