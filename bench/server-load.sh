#!/usr/bin/env bash
# Load benchmark on loopback: h1-server against a hyper 1.x hello world (tokio current-thread)
# and nginx (one worker), each answering `GET /` with 200 "Hello, world!".
#
# Each server is pinned to one CPU and wrk to another; wrk runs keep-alive at 1, 64 and 256
# connections, then 64 connections with 16 pipelined requests per write. Prints one table:
# server, scenario, req/s, p99 latency, CPU time per request (user + system time of the
# server's processes from /proc over the requests wrk completed), and h1-server's req/s divided
# by each server's. Then, per server, syscalls per request at one connection: `strace -f -c`
# attached to the server's processes while wrk -c1 runs for STRACE_SECONDS (strace slows the
# server down; the counts per request are what it measures, not the time).
#
# Environment (defaults in brackets):
#   DURATION [5]        seconds per scenario
#   WARMUP [1]          seconds of unmeasured load per server before its scenarios
#   SERVERS [h1 hyper nginx]
#   SERVER_CPU [0]  CLIENT_CPU [1]
#   PORT_BASE [5200]    h1-server on PORT_BASE, hyper on +1, nginx on +2 (all 127.0.0.1)
#   PIPELINE_DEPTH [16]
#   STRACE_SECONDS [3]  0 skips the syscall count
#   INSTALL [1]         install wrk, nginx and strace with apt-get when missing
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
STRACE_SECONDS=${STRACE_SECONDS:-3}

scenarios=("keepalive-1" "keepalive-64" "keepalive-256" "pipeline-${PIPELINE_DEPTH}x64")

log() { printf '%s\n' "$*" >&2; }

# ---- tools -------------------------------------------------------------------------------
have_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
if ! command -v wrk >/dev/null || ! have_nginx || ! command -v strace >/dev/null; then
    if [ "$INSTALL" = 1 ]; then
        log "installing wrk, nginx and strace with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq wrk strace nginx-light >&2 ||
            apt-get install -y -qq wrk strace nginx >&2
    else
        log "wrk, nginx or strace missing and INSTALL=0"
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
            if cargo build --release -p h1-server-cli >&2 && [ -x target/release/h1-server ]; then
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

# The server's processes: the one started, and its children (nginx's worker).
server_pids() {
    echo "$server_pid"
    pgrep -P "$server_pid" 2>/dev/null || true
}

# User + system CPU time of the server's processes, in clock ticks (/proc/PID/stat fields 14
# and 15; the name in field 2 has no spaces here).
cpu_ticks() {
    local total=0 pid t
    for pid in $(server_pids); do
        t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
        total=$((total + t))
    done
    echo "$total"
}
TICKS=$(getconf CLK_TCK)

# Requests wrk completed in its last run (its "N requests in" line).
last_requests() {
    awk '/requests in/ { n = $1 } END { print n + 0 }' "$tmp/wrk.last"
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
    printf '%s\n' "$out" >"$tmp/wrk.last"
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
        log "  note: $(grep "Non-2xx\|Socket errors" <<<"$out" | tr -s ' ')"
    fi
    awk '/^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = $2 } END { print rps, p99 }' <<<"$out"
}

# Syscalls per request at one keep-alive connection: strace counts every syscall of the
# server's threads and processes while wrk -c1 runs; prints "total per request" and the top
# syscalls per request.
count_syscalls() {
    local port=$1 server=$2 pids=() spid n
    for pid in $(server_pids); do pids+=(-p "$pid"); done
    strace -f -c -o "$tmp/strace.$server" "${pids[@]}" 2>/dev/null &
    spid=$!
    sleep 0.5
    run_wrk "$port" keepalive-1 "$STRACE_SECONDS" >/dev/null
    n=$(last_requests)
    sleep 0.2
    kill -INT "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    # strace -c: "% time seconds usecs/call calls errors syscall"; the total row names no call.
    awk -v n="$n" '
        $1 ~ /^[0-9.]+$/ && $NF != "total" { per[$NF] += $4 }
        END {
            sum = 0
            for (s in per) sum += per[s]
            line = sprintf("%.2f per request (%d requests):", n ? sum / n : 0, n)
            for (s in per) if (n && per[s] / n >= 0.05) line = line sprintf(" %s %.2f", s, per[s] / n)
            print line
        }' "$tmp/strace.$server"
}

# ---- the runs ----------------------------------------------------------------------------
declare -A rps p99 cpu syscalls
for server in "${servers[@]}"; do
    log ""
    log "== $server"
    start_server "$server"
    port=$(port_of "$server")
    if [ "$WARMUP" != 0 ]; then
        run_wrk "$port" keepalive-64 "$WARMUP" >/dev/null
    fi
    for scenario in "${scenarios[@]}"; do
        before=$(cpu_ticks)
        read -r r p < <(run_wrk "$port" "$scenario" "$DURATION")
        after=$(cpu_ticks)
        n=$(last_requests)
        rps[$server,$scenario]=$r
        p99[$server,$scenario]=$p
        cpu[$server,$scenario]=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$n" \
            'BEGIN { if (n > 0) printf "%.2f", t / hz * 1e6 / n; else print "-" }')
        log "  $scenario: $r req/s, p99 $p, ${cpu[$server,$scenario]} µs CPU per request"
    done
    if [ "$STRACE_SECONDS" != 0 ] && command -v strace >/dev/null; then
        syscalls[$server]=$(count_syscalls "$port" "$server")
        log "  syscalls at 1 connection: ${syscalls[$server]}"
    fi
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
printf '%-10s  %-14s  %12s  %10s  %12s  %14s\n' server scenario req/s p99 "CPU µs/req" "h1 req/s ÷ it"
printf '%-10s  %-14s  %12s  %10s  %12s  %14s\n' ---------- -------------- ------------ ---------- ------------ --------------
for scenario in "${scenarios[@]}"; do
    for server in "${servers[@]}"; do
        r=${rps[$server,$scenario]:-}
        h=${rps[h1,$scenario]:-}
        ratio=$(awk -v h="$h" -v r="$r" 'BEGIN { if (h == "" || r == "" || r == 0) print "-"; else printf "%.2f", h / r }')
        printf '%-10s  %-14s  %12.0f  %10s  %12s  %14s\n' "$(name_of "$server")" "$scenario" "${r:-0}" \
            "${p99[$server,$scenario]:--}" "${cpu[$server,$scenario]:--}" "$ratio"
    done
done
echo
echo "wrk -t1 on CPU $CLIENT_CPU, each server alone on CPU $SERVER_CPU, ${DURATION}s per row, loopback."
echo "Last column: h1-server's req/s divided by that server's (above 1.00: h1-server is faster)."
if [ "$STRACE_SECONDS" != 0 ]; then
    echo
    echo "Syscalls per request at 1 keep-alive connection (strace -f -c, ${STRACE_SECONDS}s of wrk -c1):"
    for server in "${servers[@]}"; do
        printf '  %-10s %s\n' "$(name_of "$server")" "${syscalls[$server]:--}"
    done
fi
