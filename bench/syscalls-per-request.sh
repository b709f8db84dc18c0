#!/usr/bin/env bash
# Syscalls per keep-alive request: strace -f -c on h1-server --threads 1 while wrk -t1 -c1
# runs for DURATION seconds on loopback; prints each syscall's count per request. Counts do
# not depend on the machine's load (unlike req/s). Installs strace and wrk with apt-get when
# missing.
#
#   bench/syscalls-per-request.sh [SERVER_BINARY]     (default: the release h1-server)
# Environment: PORT [5399]  CONNECTIONS [1]  DURATION [3]  PIPELINE [0: 1 = bench/pipeline.lua]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PORT=${PORT:-5399}
CONNECTIONS=${CONNECTIONS:-1}
DURATION=${DURATION:-3}
PIPELINE=${PIPELINE:-0}

if ! command -v strace >/dev/null || ! command -v wrk >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq strace wrk >&2
fi
server=${1:-}
if [ -z "$server" ]; then
    cargo build --release -q -p h1-server-cli --bin h1-server
    target_dir=$(cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    server=$target_dir/release/h1-server
fi

tmp=$(mktemp -d)
server_pid=
strace_pid=
cleanup() {
    [ -n "$strace_pid" ] && kill -INT "$strace_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$server" --addr "127.0.0.1:$PORT" --threads 1 2>/dev/null &
server_pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
strace -f -c -o "$tmp/strace" -p "$server_pid" 2>/dev/null &
strace_pid=$!
sleep 0.5
args=(-t1 -c"$CONNECTIONS" -d"${DURATION}s")
[ "$PIPELINE" = 1 ] && args+=(-s bench/pipeline.lua)
out=$(wrk "${args[@]}" "http://127.0.0.1:$PORT/")
sleep 0.3
kill -INT "$strace_pid"
wait "$strace_pid" 2>/dev/null || true
strace_pid=
requests=$(awk '/requests in/ { print $1 }' <<<"$out")
echo "$requests requests, wrk ${args[*]}, strace -f -c on the server:"
# strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall.
awk -v r="$requests" '
    $1 ~ /^[0-9.]+$/ && $NF !~ /total/ { calls[$NF] = $4; total += $4 }
    END {
        for (name in calls) printf "  %-16s %9d  %6.3f per request\n", name, calls[name], calls[name] / r
        printf "  %-16s %9d  %6.3f per request\n", "all", total, total / r
    }' "$tmp/strace" | sort -k2 -n -r
