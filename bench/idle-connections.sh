#!/usr/bin/env bash
# Idle keep-alive connections against h1-server on loopback: holds 10,000, then 100,000, and
# prints the server's RSS per connection. 100,000 needs about 101,000 open files in the server
# and as many in the client process: the script raises the limit, and skips that size with a
# message where it cannot (the hard limit needs CAP_SYS_RESOURCE to go up). Clients are spread over 127.0.0.2, 127.0.0.3, … (about 28,000 ephemeral
# ports per address pair). Each size runs twice: connections served one after the other, and a
# burst (all mid-request at once, then idle). Bounded: each run gives up after 180 s.
#
# Environment: COUNTS [10000 100000]  PORT [5300]  THREADS [1]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
COUNTS=${COUNTS:-10000 100000}
PORT=${PORT:-5300}
THREADS=${THREADS:-1}

cargo build --release -q -p h1-server-cli --bin h1-server -p h1-server --example idle_clients
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
server_bin=$target_dir/release/h1-server
client_bin=$target_dir/release/examples/idle_clients

server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for count in $COUNTS; do
    need=$((count + 1000))
    if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need" ]; then
        if ! ulimit -Hn "$need" 2>/dev/null; then
            largest=$(($(ulimit -Hn) - 1000))
            echo "$count connections: the open-file limit ($(ulimit -Hn)) cannot be raised to $need (needs CAP_SYS_RESOURCE); measuring $largest instead, the most it allows"
            count=$largest
            need=$((count + 1000))
        fi
    fi
    ulimit -Sn "$need"
    for mode in one-by-one burst; do
        # The burst holds each connection mid-head while the others open (20 s for 19,000):
        # the head deadline must outlast that, or the first ones get their 408 first.
        "$server_bin" --addr "127.0.0.1:$PORT" --threads "$THREADS" \
            --max-connections $((count + 100)) --head-timeout 120 2>/dev/null &
        server_pid=$!
        for _ in $(seq 50); do
            (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
            sleep 0.1
        done
        timeout 200 "$client_bin" "127.0.0.1:$PORT" "$server_pid" "$count" "$mode"
        cleanup
        sleep 1
    done
done
