#!/usr/bin/env bash
# Requests per second through a real server on loopback, with and without the CORS layer:
# benches/e2e_server.rs with no CORS layer, with tower-cors and with tower-http's CorsLayer (the
# same route and middleware otherwise), and the demo server itself (examples/server.rs, which
# also has its other routes, logging and a reloadable layer), loaded by wrk. Usage:
# bash benches/end_to_end.sh. Prints a markdown table of medians over the runs: requests per
# second, and the server's CPU time per request (steadier when other work shares the machine),
# each beside its ratio to the server without a layer, taken run by run. Needs wrk and curl;
# not part of CI, as the figures depend on the machine and its load.
#
# Settings (environment): E2E_RUNS (10), E2E_DURATION seconds per run (3), E2E_WARMUP seconds
# (2), E2E_CONNECTIONS (32). Many short runs rather than a few long ones, so that each server's
# run lies seconds from the bare server's it is compared with. Every server is pinned to CPU 0
# and wrk to CPU 1 when the machine has two or more, so that the load generator does not take
# the server's core (the servers' tokio runtimes then see one CPU and start one worker each).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 1; }

runs="${E2E_RUNS:-10}"
duration="${E2E_DURATION:-3}"
warmup="${E2E_WARMUP:-2}"
connections="${E2E_CONNECTIONS:-32}"
origin="http://localhost:5173"

if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    server_cpu=(taskset -c 0)
    client_cpu=(taskset -c 1)
    pinning="server on CPU 0, wrk on CPU 1"
else
    server_cpu=()
    client_cpu=()
    pinning="not pinned"
fi

cargo build --quiet --release -p tower-cors-benches --bin e2e_server
cargo build --quiet --release --example server
target_dir="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
    grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)}"
e2e_server="$target_dir/release/e2e_server"
demo_server="$target_dir/release/examples/server"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a server on a free port (PORT=0), waits for its `listening on` line and records its
# base URL under the row's name. CORS_* variables are removed so that the demo server uses its
# development policy, whatever the caller's environment holds.
declare -A url pid
start() {
    local row="$1" log="$work/server${#pids[@]}"
    shift
    local clean=(env -u RUST_LOG)
    while IFS= read -r name; do clean+=(-u "$name"); done < <(compgen -e | grep '^CORS_' || true)
    "${clean[@]}" PORT=0 "${server_cpu[@]}" "$@" >"$log.out" 2>"$log.err" &
    pids+=("$!")
    pid["$row"]="$!"
    for _ in $(seq 100); do
        url["$row"]="$(grep -o 'listening on http://[0-9.:]*' "$log.out" 2>/dev/null | cut -d' ' -f3 || true)"
        [ -n "${url["$row"]}" ] && return
        sleep 0.1
    done
    echo "$row did not start:" >&2
    cat "$log.err" >&2
    exit 1
}

servers=("no CORS layer" "tower-cors" "tower-http CorsLayer" "demo server (tower-cors)")
start "no CORS layer" "$e2e_server" none
start "tower-cors" "$e2e_server" tower-cors
start "tower-http CorsLayer" "$e2e_server" tower-http
start "demo server (tower-cors)" "$demo_server"

# The three requests, each a wrk script.
requests=("allowed simple GET" "allowed preflight" "GET without Origin")
declare -A script
script["allowed simple GET"]="$work/simple.lua"
script["allowed preflight"]="$work/preflight.lua"
script["GET without Origin"]="$work/plain.lua"
cat >"$work/simple.lua" <<EOF
wrk.headers["Origin"] = "$origin"
EOF
cat >"$work/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$origin"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type"
EOF
: >"$work/plain.lua"

# A server with a CORS layer must allow the simple GET and the preflight, or its figures would
# measure refusals.
preflight=(-X OPTIONS -H "Access-Control-Request-Method: PUT" -H "Access-Control-Request-Headers: content-type")
for server in "${servers[@]:1}"; do
    for check in simple preflight; do
        args=()
        [ "$check" = preflight ] && args=("${preflight[@]}")
        headers="$(curl -sS -o /dev/null -D - -H "Origin: $origin" "${args[@]}" "${url["$server"]}/")"
        if ! grep -qi "^access-control-allow-origin: $origin" <<<"$headers"; then
            echo "$server does not allow the $check request from $origin:" >&2
            echo "$headers" >&2
            exit 1
        fi
    done
done

# CPU time the server process has used, in clock ticks (user + system, all threads).
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One wrk run: prints the requests per second and the server's CPU time per request in
# microseconds. Any non-2xx response or socket error fails the script.
load() {
    local seconds="$1" server="$2" request="$3" before report requests
    before="$(ticks "${pid["$server"]}")"
    report="$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${seconds}s" -s "${script["$request"]}" "${url["$server"]}/")"
    if grep -q -e 'Non-2xx' -e 'Socket errors' <<<"$report"; then
        echo "wrk reported errors for the $request against the $server server:" >&2
        echo "$report" >&2
        exit 1
    fi
    requests="$(grep -o '[0-9]* requests in' <<<"$report" | cut -d' ' -f1)"
    awk -v rps="$(grep '^Requests/sec:' <<<"$report" | awk '{ print $2 }')" \
        -v ticks="$(($(ticks "${pid["$server"]}") - before))" -v hz="$(getconf CLK_TCK)" \
        -v n="$requests" 'BEGIN { printf "%s %.2f\n", rps, ticks / hz * 1e6 / n }'
}

# Runs are interleaved (every server for one request, then the next request, then the next
# run), so that a slow moment of the machine falls on all servers alike rather than on one.
declare -A rates cpus
for server in "${servers[@]}"; do
    for request in "${requests[@]}"; do
        load "$warmup" "$server" "$request" >/dev/null
    done
done
for run in $(seq "$runs"); do
    for request in "${requests[@]}"; do
        for server in "${servers[@]}"; do
            result="$(load "$duration" "$server" "$request")"
            read -r rate cpu <<<"$result"
            rates["$server|$request"]+="$rate "
            cpus["$server|$request"]+="$cpu "
            echo "run $run/$runs: $request, $server: $rate requests/s, $cpu µs of server CPU each" >&2
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The median of the run-by-run ratios of two lists of figures: each run's figure is divided by
# the one taken beside it, seconds apart, which cancels most of the machine's drift.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) print x[i] / y[i] }' | median; }

echo "nproc $(nproc), $(rustc --version); wrk, $connections connections, $runs runs of ${duration}s (medians; ratios are medians of each run's ratio), $pinning"
echo
echo "| request | server | requests/s | vs no CORS layer | server CPU per request | vs no CORS layer |"
echo "|---|---|---:|---:|---:|---:|"
for request in "${requests[@]}"; do
    for server in "${servers[@]}"; do
        key="$server|$request"
        base="no CORS layer|$request"
        awk -v r="$request" -v s="$server" \
            -v rate="$(median <<<"${rates["$key"]}")" -v rate_ratio="$(ratio "${rates["$key"]}" "${rates["$base"]}")" \
            -v cpu="$(median <<<"${cpus["$key"]}")" -v cpu_ratio="$(ratio "${cpus["$key"]}" "${cpus["$base"]}")" \
            'BEGIN { printf "| %s | %s | %.0f | %.2fx | %.2f µs | %.2fx |\n", r, s, rate, rate_ratio, cpu, cpu_ratio }'
    done
done
