#!/usr/bin/env bash
# Prints the per-request cost table: instructions (callgrind) and allocations beyond the bare
# inner service, tower-cors beside tower-http. Pass a word to run only the scenarios naming it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
# The toolchain the README's figures were taken with: instruction counts change with the
# compiler, so the table is reproducible only with the same one (the table's first line names it).
toolchain="${TOWER_CORS_BENCH_TOOLCHAIN:-1.95.0}"
rustup run "$toolchain" rustc --version >/dev/null 2>&1 || rustup toolchain install "$toolchain" --profile minimal
cargo "+$toolchain" bench --quiet -p tower-cors-benches --bench measure -- table "$@"
