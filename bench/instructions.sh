#!/usr/bin/env bash
# Instructions per parse, h1-parser and httparse, under callgrind: deterministic, so a change
# of a few instructions shows whatever else the machine is doing. picohttpparser is left out:
# valgrind cannot run its SSE4.2 `pcmpestri`.
#
#   bench/instructions.sh                 # every input, h1 and httparse (~1 min after the build)
#   bench/instructions.sh browser short   # only these inputs
#   PARSERS=h1 bench/instructions.sh      # only h1
#
# Each count runs `peers count INPUT PARSER N` (parser/benches/peers.rs, the same drivers as
# the timing table) under `valgrind --tool=callgrind` with N=1 and N=1+RUNS (default 1000);
# the difference divided by RUNS is the cost of one parse, calling loop included, the program's
# start-up and the input's construction excluded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-1000}
parsers=${PARSERS:-h1 httparse}
inputs=("$@")
[ ${#inputs[@]} -gt 0 ] || inputs=(short browser query-2k headers-40 trickle-1 trickle-64
    response-300 response-20-fields response-20-fields-trickle-64)

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

exe=$(cargo bench -p h1-parser --bench peers --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "peers" and m.get("executable"):
        print(m["executable"])')
[ -n "$exe" ] || { echo "could not build the peers bench" >&2; exit 1; }

# Total instructions of one run, from callgrind's "Collected" line.
collected() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" count "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-30s' input
for p in $parsers; do printf '%14s' "$p"; done
[ "$parsers" = "h1 httparse" ] && printf '%14s' "h1÷httparse"
printf '\n'
for input in "${inputs[@]}"; do
    printf '%-30s' "$input"
    counts=()
    for p in $parsers; do
        one=$(collected "$input" "$p" 1)
        many=$(collected "$input" "$p" $((runs + 1)))
        per=$(( (many - one + runs / 2) / runs ))
        counts+=("$per")
        printf '%14s' "$(python3 -c "print(f'{$per:,}')")"
    done
    if [ "$parsers" = "h1 httparse" ]; then
        printf '%14s' "$(python3 -c "print(f'{${counts[0]} / ${counts[1]}:.2f}x')")"
    fi
    printf '\n'
done
echo
echo "instructions per parse (valgrind --tool=callgrind, (count(N=$((runs + 1))) - count(N=1)) / $runs), $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- parser || echo '+changes')"
