#!/usr/bin/env bash
# Instructions per response-head parse, h1-parser and httparse, under callgrind: deterministic,
# so the comparison holds on a busy machine. picohttpparser is left out: valgrind cannot run its
# SSE4.2 `pcmpestri`.
#
#   bench/response-instructions.sh                      # every input, h1 and httparse
#   bench/response-instructions.sh response-300         # one input
#
# Each count runs `responses count INPUT PARSER N` (parser/benches/responses.rs, the drivers of
# the timing benchmark) under `valgrind --tool=callgrind` with N=1 and N=1+RUNS (default 1000);
# the difference divided by RUNS is the cost of one parse, calling loop included.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${RUNS:-1000}
inputs=("$@")
[ ${#inputs[@]} -gt 0 ] || inputs=(response-300 response-20-fields response-20-fields-trickle-64)

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
exe=$(cargo bench -p h1-parser --bench responses --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "responses" and m.get("executable"):
        print(m["executable"])')
[ -n "$exe" ] || { echo "could not build the responses bench" >&2; exit 1; }

collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" count "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-32s%12s%12s%14s\n' input h1 httparse 'httparse÷h1'
for input in "${inputs[@]}"; do
    counts=()
    for parser in h1 httparse; do
        one=$(collected "$input" "$parser" 1)
        many=$(collected "$input" "$parser" $((runs + 1)))
        counts+=($(( (many - one + runs / 2) / runs )))
    done
    printf '%-32s%12s%12s%14s\n' "$input" "${counts[0]}" "${counts[1]}" \
        "$(python3 -c "print(f'{${counts[1]} / ${counts[0]}:.2f}x')")"
done
echo "instructions per parse (valgrind --tool=callgrind, (count(N=$((runs + 1))) - count(N=1)) / $runs), $(git rev-parse --short HEAD)"
