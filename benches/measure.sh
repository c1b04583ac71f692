#!/usr/bin/env bash
# Prints the per-request cost table: instructions (callgrind) and allocations beyond the bare
# inner service, tower-cors beside tower-http. Pass a word to run only the scenarios naming it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
cargo bench --quiet -p tower-cors-benches --bench measure -- table "$@"
