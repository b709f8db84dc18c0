#!/usr/bin/env bash
# The adapters' figures, not part of CI: idle keep-alive connections through each adapter's
# echo example (h1-tokio's echo_server, h1-embedded's echo on the host), then h1-tokio's
# echo_server against the hyper hello world (bench/peers/hyper-hello) under wrk -c64. Each
# server is pinned to one CPU and wrk to another, one server at a time, hyper and h1-tokio
# alternating over ROUNDS rounds; prints each round's req/s and the median ratio.
#
# Environment (defaults in brackets):
#   COUNT [10000]        idle connections per adapter (0 skips)
#   DURATION [10]        seconds per wrk run     ROUNDS [3]
#   SERVER_CPU [0]  CLIENT_CPU [1]  PORT_BASE [5400]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
COUNT=${COUNT:-10000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT_BASE=${PORT_BASE:-5400}

if ! command -v wrk >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
ulimit -Sn "$(ulimit -Hn)"

cargo build --release -q -p h1-tokio --example echo_server
cargo build --release -q -p h1-embedded --example echo
cargo build --release -q --manifest-path bench/peers/hyper-hello/Cargo.toml
cargo test --release -q -p h1-tokio --test idle --no-run 2>/dev/null
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
hyper_bin=$(cargo metadata --format-version 1 --no-deps --manifest-path bench/peers/hyper-hello/Cargo.toml |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/hyper-hello

server_pid=
stop() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap stop EXIT
trap 'exit 130' INT TERM

# start PORT BINARY [ARG]: the server on 127.0.0.1:PORT, pinned, once it accepts connections.
start() {
    local port=$1 bin=$2
    taskset -c "$SERVER_CPU" "$bin" "127.0.0.1:$port" ${3:+"$3"} 2>/dev/null &
    server_pid=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "the server on port $port did not start" >&2
    exit 1
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$COUNT" -gt 0 ]; then
    port=$PORT_BASE
    # The embedded echo twice: with the host's buffers (40 + 80 KiB, for the corpus's 32 KiB
    # heads) and with the board's (1,536 + 1,536 bytes).
    for example in tokio/echo_server embedded/echo embedded/echo:board; do
        port=$((port + 1))
        name=${example#*/}
        start "$port" "$target_dir/release/examples/${name%:*}" "$(echo "$name" | sed -n 's/.*://p')"
        echo "h1-$example:"
        H1_IDLE_ADDR="127.0.0.1:$port" H1_IDLE_PID=$server_pid H1_IDLE_COUNT=$COUNT \
            cargo test --release -q -p h1-tokio --test idle -- --ignored --nocapture 2>&1 |
            grep -E 'idle keep-alive|served again|panicked'
        stop
    done
fi

# cpu_ticks: the server's user + system time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

# load PORT: "req/s µs-of-server-CPU-per-request" of wrk -c64 against the server on PORT.
load() {
    taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d1s "http://127.0.0.1:$1/" >/dev/null
    local before out after
    before=$(cpu_ticks)
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d"${DURATION}s" "http://127.0.0.1:$1/")
    after=$(cpu_ticks)
    echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        /requests in/ { n = $1 }
        /^Requests\/sec/ { rps = $2 }
        END { printf "%.0f %.2f\n", rps, ticks / hz * 1e6 / n }'
}
ratios=()
cpu_ratios=()
for round in $(seq "$ROUNDS"); do
    start $((PORT_BASE + 10)) "$hyper_bin"
    read -r hyper hyper_cpu < <(load $((PORT_BASE + 10)))
    stop
    start $((PORT_BASE + 11)) "$target_dir/release/examples/echo_server"
    read -r h1 h1_cpu < <(load $((PORT_BASE + 11)))
    stop
    ratios+=("$(awk -v a="$h1" -v b="$hyper" 'BEGIN { printf "%.2f", a / b }')")
    cpu_ratios+=("$(awk -v a="$h1_cpu" -v b="$hyper_cpu" 'BEGIN { printf "%.2f", b / a }')")
    echo "round $round: hyper hello $hyper req/s ($hyper_cpu µs CPU/request)," \
        "h1-tokio echo_server $h1 req/s ($h1_cpu µs CPU/request): ${ratios[-1]}x req/s," \
        "${cpu_ratios[-1]}x CPU"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
if [ "$ROUNDS" -gt 0 ]; then
    echo "wrk -t1 -c64 -d${DURATION}s, servers on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU:" \
        "h1-tokio echo_server / hyper hello, median req/s $(median "${ratios[@]}")x," \
        "CPU per request (hyper's / h1-tokio's) $(median "${cpu_ratios[@]}")x"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
