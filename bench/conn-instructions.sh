#!/usr/bin/env bash
# Instructions per request of the connection core, under callgrind (deterministic):
#   bench/conn-instructions.sh
# Each role runs `conn_cost ROLE N` (parser/examples/conn_cost.rs) with N=DEPTH and
# N=DEPTH+RUNS; the difference divided by RUNS is one request, the start-up excluded.
#   server  a ServerConn answering 16 pipelined GETs per call (Content-Type, 13-byte body)
#   client  a ClientConn sending a GET and reading a 300-byte response
#   parser  ResponseParser and BodyDecoder alone on the same response (the client's floor)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-16000}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
cargo build -q --release -p h1-parser --example conn_cost
exe=target/release/examples/conn_cost
collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-8s %14s\n' role 'per request'
for role in server client parser; do
    one=$(collected "$role" 16)
    many=$(collected "$role" $((16 + runs)))
    printf '%-8s %14s\n' "$role" "$(( (many - one + runs / 2) / runs ))"
done
