//! Deterministic per-request costs of tower-cors and tower-http's `CorsLayer`, side by side:
//! CPU instructions (counted by callgrind) and heap allocations (counted by this binary's global
//! allocator), each beyond the bare inner service.
//!
//! ```not_rust
//! bash benches/measure.sh            # builds, then prints the table
//! cargo bench -p tower-cors-benches --bench measure -- table
//! ```
//!
//! `table` runs this binary under `valgrind --tool=callgrind` once per scenario and stack, with
//! collection switched on only inside [`measured`], so setup and warm-up are not counted. The
//! floor column is what writing the response's CORS headers alone costs (see `Stack::Floor`).
//! For a line-by-line profile, build with `CARGO_PROFILE_BENCH_DEBUG=line-tables-only`.

#![allow(clippy::print_stdout, clippy::print_stderr)]
// Counting allocations needs a `GlobalAlloc` implementation, which is `unsafe` to write.
#![allow(unsafe_code)]

mod scenarios;

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use scenarios::{Scenario, Stack};

/// Counts allocations and allocated bytes; `realloc` counts as an allocation.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const STACKS: [Stack; 5] = [
    Stack::Bare,
    Stack::TowerCors,
    Stack::TowerCorsReloadable,
    Stack::TowerHttp,
    Stack::Floor,
];
const WARM_UP: u64 = 20;
const CALLGRIND_ITERATIONS: u64 = 200;
const ALLOCATION_ITERATIONS: u64 = 200;

/// The only function callgrind counts in.
#[inline(never)]
fn measured(run: &mut dyn FnMut(u64), iterations: u64) {
    run(iterations);
}

#[inline(never)]
fn warm_up(run: &mut dyn FnMut(u64)) {
    run(WARM_UP);
}

fn stack_named(name: &str) -> Stack {
    STACKS
        .into_iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("unknown stack {name}"))
}

/// (allocations, bytes) per request.
fn allocations(scenario: &Scenario, stack: Stack) -> (f64, f64) {
    let mut run = scenarios::runner(scenario, stack);
    warm_up(&mut run);
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    run(ALLOCATION_ITERATIONS);
    let (a1, b1) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    let n = ALLOCATION_ITERATIONS as f64;
    ((a1 - a0) as f64 / n, (b1 - b0) as f64 / n)
}

/// Instructions per request, from one callgrind run of this binary.
fn instructions(index: usize, stack: Stack) -> f64 {
    let exe = std::env::current_exe().expect("own path");
    let out = std::env::temp_dir().join(format!(
        "tower-cors-callgrind-{}-{index}-{}.out",
        std::process::id(),
        stack.name()
    ));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=*measure::measured*",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .args(["run", &index.to_string(), stack.name()])
        .arg(CALLGRIND_ITERATIONS.to_string())
        .output()
        .expect("valgrind (apt-get install valgrind)");
    assert!(
        status.status.success(),
        "callgrind failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("callgrind output");
    let _ = std::fs::remove_file(&out);
    let total: f64 = text
        .lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
        .expect("a totals line");
    total / CALLGRIND_ITERATIONS as f64
}

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs <= 0.0 {
        "-".into()
    } else {
        format!("{:.2}x", ours / theirs)
    }
}

/// The compiler's version line: instruction counts change with the compiler, so the table says
/// which one built it. `rustc` resolves to the toolchain cargo ran with (rustup passes it down
/// in `RUSTUP_TOOLCHAIN`).
fn rustc_version() -> String {
    Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_else(|| "rustc (version unknown)".into())
}

fn table(filter: Option<&str>) {
    let all = scenarios::all();
    println!("Built by {}, bench profile.", rustc_version());
    println!();
    println!(
        "| scenario | tower-cors instr. | tower-http instr. | ratio | reloadable instr. | reloadable ratio | floor instr. | tower-cors allocs (bytes) | reloadable allocs (bytes) | tower-http allocs (bytes) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (index, scenario) in all.iter().enumerate() {
        if filter.is_some_and(|f| !scenario.name.contains(f)) {
            continue;
        }
        let bare = instructions(index, Stack::Bare);
        let ours = instructions(index, Stack::TowerCors) - bare;
        let reloadable = instructions(index, Stack::TowerCorsReloadable) - bare;
        let theirs = instructions(index, Stack::TowerHttp) - bare;
        let floor = instructions(index, Stack::Floor) - bare;
        let (bare_allocs, bare_bytes) = allocations(scenario, Stack::Bare);
        let (our_allocs, our_bytes) = allocations(scenario, Stack::TowerCors);
        let (reload_allocs, reload_bytes) = allocations(scenario, Stack::TowerCorsReloadable);
        let (their_allocs, their_bytes) = allocations(scenario, Stack::TowerHttp);
        println!(
            "| {} | {:.0} | {:.0} | {} | {:.0} | {} | {:.0} | {:.1} ({:.0}) | {:.1} ({:.0}) | {:.1} ({:.0}) |",
            scenario.name,
            ours,
            theirs,
            ratio(ours, theirs),
            reloadable,
            ratio(reloadable, theirs),
            floor,
            our_allocs - bare_allocs,
            our_bytes - bare_bytes,
            reload_allocs - bare_allocs,
            reload_bytes - bare_bytes,
            their_allocs - bare_allocs,
            their_bytes - bare_bytes,
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--bench")
        .collect();
    match args.as_slice() {
        ["run", index, stack, iterations] => {
            let scenario = &scenarios::all()[index.parse::<usize>().expect("index")];
            let mut run = scenarios::runner(scenario, stack_named(stack));
            warm_up(&mut run);
            measured(&mut run, iterations.parse().expect("iterations"));
        }
        ["table"] => table(None),
        ["table", filter] => table(Some(filter)),
        ["allocations"] | [] => {
            for scenario in scenarios::all() {
                let counts: Vec<String> = STACKS
                    .iter()
                    .map(|&s| format!("{} {:.1}", s.name(), allocations(&scenario, s).0))
                    .collect();
                println!("{}: {}", scenario.name, counts.join(", "));
            }
        }
        other => {
            eprintln!(
                "usage: measure [table [FILTER] | allocations | run INDEX STACK N], got {other:?}"
            );
            std::process::exit(2);
        }
    }
}
