#!/usr/bin/env bash
# Instructions per request of the connection core, under callgrind (deterministic):
#   bench/conn-instructions.sh
# Each role runs `conn_cost ROLE N` (parser/examples/conn_cost.rs) with N=DEPTH and
# N=DEPTH+RUNS; the difference divided by RUNS is one request, the start-up excluded.
#   server  a ServerConn answering 16 pipelined GETs per call (Content-Type, 13-byte body)
#   client  a ClientConn sending a GET and reading a 300-byte response; the reading alone is
#           counted inside `client_read` (callgrind's inclusive count)
#   parser  ResponseParser and BodyDecoder alone on the same response, inside `parser_read`
#   whole, trickle, trickle2   (conn_trickle.rs) a browser request read at once, then byte by
#           byte, at two sizes
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-16000}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
cargo build -q --release -p h1-parser --example conn_cost --example conn_trickle
exe=target/release/examples/conn_cost
collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "${run:-$exe}" "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# Instructions inside FUNCTION (inclusive), from a run of `conn_cost ROLE N`.
inside() {
    valgrind --tool=callgrind --callgrind-out-file="$scratch/out" "$exe" "$1" "$2" >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$scratch/out" 2>/dev/null |
        awk -v f="conn_cost::$3 " '$0 ~ f && !done { gsub(",", "", $1); print $1; done = 1 }'
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '%-34s %14s\n' measure 'per request'
one=$(collected server 16)
many=$(collected server $((16 + runs)))
printf '%-34s %14s\n' "server: 16 pipelined GETs answered" "$(( (many - one + runs / 2) / runs ))"
one=$(collected client 16)
many=$(collected client $((16 + runs)))
printf '%-34s %14s\n' "client: a GET written and answered" "$(( (many - one + runs / 2) / runs ))"
client=$(inside client "$runs" client_read)
parser=$(inside parser "$runs" parser_read)
printf '%-34s %14s\n' "client: reading the response" "$(( client / runs ))"
printf '%-34s %14s\n' "ResponseParser + BodyDecoder alone" "$(( parser / runs ))"
python3 -c "print(f'{\"client reading ÷ parser alone\":<34} {$client / $parser:>14.3f}')"
# A browser request read whole, and one byte more per call (510 and 980 bytes): linear when
# the cost per byte is the same for both sizes.
run=target/release/examples/conn_trickle
for role in whole trickle trickle2; do
    one=$(collected "$role" 1)
    many=$(collected "$role" 101)
    printf '%-34s %14s\n' "server: browser request, $role" "$(( (many - one + 50) / 100 ))"
done
