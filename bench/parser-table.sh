#!/usr/bin/env bash
# Times h1-parser, httparse and picohttpparser on the same inputs and prints one table of
# medians and ratios. Pinned to one CPU; the three parsers alternate inside every round.
#
#   bench/parser-table.sh                 # 11 rounds of 40 ms batches (~1 min after the build)
#   bench/parser-table.sh --quick         # 5 rounds of 20 ms batches, noisier
#   bench/parser-table.sh --table-only    # the table of the last run, no run
#   ROUNDS=21 BATCH_MS=50 bench/parser-table.sh
#   CPU=0 bench/parser-table.sh           # the CPU to pin to (default: the last one)
#   FORCE=1 bench/parser-table.sh         # run even if the machine looks busy
#
# The binary is parser/benches/peers.rs; the inputs and the way each parser is driven (as its
# users drive it: httparse through parse_with_uninit_headers as hyper does, pico over an
# uninitialised phr_header array) are in parser/benches/common/mod.rs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rounds=${ROUNDS:-11}
batch_ms=${BATCH_MS:-40}
run=1
for arg in "$@"; do
    case $arg in
        --table-only) run=0 ;;
        --quick) rounds=5 batch_ms=20 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
saved="$target_dir/parser-table.txt"
if [ "$run" = 0 ]; then
    cat "$saved" 2>/dev/null || { echo "no saved table: run without --table-only first" >&2; exit 1; }
    exit 0
fi

echo "building the peers bench (cargo bench --no-run)..." >&2
exe=$(cargo bench -p h1-parser --bench peers --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "peers" and m.get("executable"):
        print(m["executable"])')
[ -n "$exe" ] || { echo "could not build the peers bench" >&2; exit 1; }

cpus=$(nproc)
cpu=${CPU:-$((cpus - 1))}

# Busy machine? Numbers taken beside a build or a browser are noise: stop unless FORCE=1.
busy_reasons=()
# CPU time used by everyone over one second, from /proc/stat (user+nice+system+irq+softirq+steal).
busy_now() {
    python3 - <<'PY'
import time
def sample():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)
b0, t0 = sample(); time.sleep(1); b1, t1 = sample()
print(round(100 * (b1 - b0) / max(1, t1 - t0)))
PY
}
load_high() { python3 -c "import sys; sys.exit(0 if $(cut -d' ' -f1 /proc/loadavg) > 0.5 else 1)"; }
busy_pct=$(busy_now)
# The one-minute load average still counts a run that just ended (a build, this script's
# previous run): while the CPUs are idle now, give it up to 90 s to settle before judging.
waited=0
while load_high && [ "$busy_pct" -le 10 ] && [ "$waited" -lt 90 ]; do
    [ "$waited" -gt 0 ] || echo "the CPUs are idle but the load average is still high: waiting for it to settle..." >&2
    sleep 9
    waited=$((waited + 10))
    busy_pct=$(busy_now)
done
load=$(cut -d' ' -f1 /proc/loadavg)
if load_high; then
    busy_reasons+=("load average over the last minute is $load (above 0.5)")
fi
if [ "$busy_pct" -gt 10 ]; then
    busy_reasons+=("the CPUs were ${busy_pct} % busy during the last second")
fi
if [ ${#busy_reasons[@]} -gt 0 ]; then
    {
        echo "the machine is busy:"
        printf '  - %s\n' "${busy_reasons[@]}"
        echo "the processes using the most CPU (average over their lifetime):"
        ps -eo pid,pcpu,etime,comm --sort=-pcpu | head -6
    } >&2
    if [ "${FORCE:-0}" != 1 ]; then
        echo "stopping: timings now would be noise (FORCE=1 to run anyway)" >&2
        exit 1
    fi
    echo "FORCE=1: running anyway; do not publish these numbers" >&2
fi

command -v taskset >/dev/null || { echo "taskset is not installed (util-linux)" >&2; exit 1; }
echo "pinned to CPU $cpu of $cpus: $rounds rounds, $batch_ms ms per batch" >&2
{
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD), CPU $cpu of $cpus, load $load"
    taskset -c "$cpu" "$exe" table "$rounds" "$batch_ms"
} | tee "$saved"
