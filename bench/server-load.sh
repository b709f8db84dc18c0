#!/usr/bin/env bash
# Load benchmark on loopback: h1-server against a hyper 1.x hello world (tokio current-thread)
# and nginx (one worker), each answering `GET /` with 200 "Hello, world!".
#
# Each server is pinned to one CPU and wrk to another; wrk runs keep-alive at 1, 64 and 256
# connections, then 64 connections with 16 pipelined requests per write. Prints one table:
# server, scenario, req/s, p99 latency, and h1-server's req/s divided by each server's.
#
# Environment (defaults in brackets):
#   DURATION [5]        seconds per scenario
#   WARMUP [1]          seconds of unmeasured load per server before its scenarios
#   SERVERS [h1 hyper nginx]
#   SERVER_CPU [0]  CLIENT_CPU [1]
#   PORT_BASE [5200]    h1-server on PORT_BASE, hyper on +1, nginx on +2 (all 127.0.0.1)
#   PIPELINE_DEPTH [16]
#   INSTALL [1]         install wrk and nginx with apt-get when missing
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

DURATION=${DURATION:-5}
DURATION=${DURATION%s}
WARMUP=${WARMUP:-1}
WARMUP=${WARMUP%s}
SERVERS=${SERVERS:-h1 hyper nginx}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT_BASE=${PORT_BASE:-5200}
export PIPELINE_DEPTH=${PIPELINE_DEPTH:-16}
INSTALL=${INSTALL:-1}

scenarios=("keepalive-1" "keepalive-64" "keepalive-256" "pipeline-${PIPELINE_DEPTH}x64")

log() { printf '%s\n' "$*" >&2; }

# ---- tools -------------------------------------------------------------------------------
have_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
if ! command -v wrk >/dev/null || ! have_nginx; then
    if [ "$INSTALL" = 1 ]; then
        log "installing wrk and nginx with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq wrk nginx-light >&2 || apt-get install -y -qq wrk nginx >&2
    else
        log "wrk or nginx missing and INSTALL=0"
        exit 1
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v taskset >/dev/null || { log "taskset (util-linux) missing"; exit 1; }

# ---- cleanup: the one server running (by its pid) and the temp dir, on any exit -----------
tmp=$(mktemp -d)
server_pid=
# SIGTERM (a graceful shutdown for all three), then SIGKILL if it is still there after 5 s.
stop_server() {
    [ -n "$server_pid" ] || return 0
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
cleanup() {
    stop_server
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build -------------------------------------------------------------------------------
servers=()
for server in $SERVERS; do
    case $server in
        h1)
            log "building h1-server (release)"
            if cargo build --release -p h1-server >&2 && [ -x target/release/h1-server ]; then
                servers+=(h1)
            else
                log "warning: h1-server did not build; leaving it out"
            fi
            ;;
        hyper)
            log "building the hyper peer (release)"
            cargo build --release --manifest-path bench/peers/hyper-hello/Cargo.toml >&2
            servers+=(hyper)
            ;;
        nginx) servers+=(nginx) ;;
        *) log "unknown server '$server' (h1, hyper, nginx)"; exit 1 ;;
    esac
done
[ ${#servers[@]} -gt 0 ] || { log "no server to run"; exit 1; }

runs=$((${#servers[@]} * ${#scenarios[@]}))
total=$((runs * DURATION + ${#servers[@]} * WARMUP))
log ""
log "${#servers[@]} servers x ${#scenarios[@]} scenarios x ${DURATION}s (+ ${WARMUP}s warm-up each):" \
    "about ${total}s of load. Servers on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU, loopback only."

# ---- one server --------------------------------------------------------------------------
port_of() {
    case $1 in
        h1) echo "$PORT_BASE" ;;
        hyper) echo $((PORT_BASE + 1)) ;;
        nginx) echo $((PORT_BASE + 2)) ;;
    esac
}

wait_for_port() {
    local port=$1 pid=$2
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

start_server() {
    local server=$1 port
    port=$(port_of "$server")
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        log "port $port is already in use; set PORT_BASE"
        exit 1
    fi
    case $server in
        h1)
            taskset -c "$SERVER_CPU" target/release/h1-server --addr "127.0.0.1:$port" --threads 1 \
                >"$tmp/h1.log" 2>&1 &
            ;;
        hyper)
            taskset -c "$SERVER_CPU" bench/peers/hyper-hello/target/release/hyper-hello "127.0.0.1:$port" \
                >"$tmp/hyper.log" 2>&1 &
            ;;
        nginx)
            mkdir -p "$tmp/nginx"
            sed "s/127\.0\.0\.1:5202/127.0.0.1:$port/" bench/nginx.conf >"$tmp/nginx/nginx.conf"
            taskset -c "$SERVER_CPU" "$NGINX" -p "$tmp/nginx" -e "$tmp/nginx/error.log" \
                -c "$tmp/nginx/nginx.conf" >"$tmp/nginx.log" 2>&1 &
            ;;
    esac
    server_pid=$!
    if ! wait_for_port "$port" "$server_pid"; then
        log "$server did not start listening on $port:"
        cat "$tmp/$server.log" >&2 || true
        exit 1
    fi
    # A request that must succeed before any load.
    local reply
    reply=$(exec 3<>"/dev/tcp/127.0.0.1/$port" &&
        printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 &&
        timeout 5 cat <&3)
    case $reply in
        "HTTP/1.1 200"*"Hello, world!") ;;
        *) log "$server answered unexpectedly:"; log "$reply"; exit 1 ;;
    esac
}

# wrk for one scenario; prints "req/s p99" (p99 as wrk prints it, e.g. 1.23ms).
run_wrk() {
    local port=$1 scenario=$2 seconds=$3 out
    local args=(-t1 --latency -d "${seconds}s" --timeout 5s)
    case $scenario in
        keepalive-*) args+=(-c "${scenario#keepalive-}") ;;
        pipeline-*) args+=(-c 64 -s bench/pipeline.lua) ;;
    esac
    out=$(taskset -c "$CLIENT_CPU" wrk "${args[@]}" "http://127.0.0.1:$port/")
    printf '%s\n' "$out" >>"$tmp/wrk.log"
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
        log "  note: $(grep "Non-2xx\|Socket errors" <<<"$out" | tr -s ' ')"
    fi
    awk '/^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = $2 } END { print rps, p99 }' <<<"$out"
}

# ---- the runs ----------------------------------------------------------------------------
declare -A rps p99
for server in "${servers[@]}"; do
    log ""
    log "== $server"
    start_server "$server"
    port=$(port_of "$server")
    if [ "$WARMUP" != 0 ]; then
        run_wrk "$port" keepalive-64 "$WARMUP" >/dev/null
    fi
    for scenario in "${scenarios[@]}"; do
        read -r r p < <(run_wrk "$port" "$scenario" "$DURATION")
        rps[$server,$scenario]=$r
        p99[$server,$scenario]=$p
        log "  $scenario: $r req/s, p99 $p"
    done
    stop_server
done

# ---- the table ---------------------------------------------------------------------------
name_of() {
    case $1 in
        h1) echo h1-server ;;
        hyper) echo hyper ;;
        nginx) echo nginx ;;
    esac
}

echo
printf '%-10s  %-14s  %12s  %10s  %14s\n' server scenario req/s p99 "h1 req/s ÷ it"
printf '%-10s  %-14s  %12s  %10s  %14s\n' ---------- -------------- ------------ ---------- --------------
for scenario in "${scenarios[@]}"; do
    for server in "${servers[@]}"; do
        r=${rps[$server,$scenario]:-}
        h=${rps[h1,$scenario]:-}
        ratio=$(awk -v h="$h" -v r="$r" 'BEGIN { if (h == "" || r == "" || r == 0) print "-"; else printf "%.2f", h / r }')
        printf '%-10s  %-14s  %12.0f  %10s  %14s\n' "$(name_of "$server")" "$scenario" "${r:-0}" \
            "${p99[$server,$scenario]:--}" "$ratio"
    done
done
echo
echo "wrk -t1 on CPU $CLIENT_CPU, each server alone on CPU $SERVER_CPU, ${DURATION}s per row, loopback."
echo "Last column: h1-server's req/s divided by that server's (above 1.00: h1-server is faster)."
