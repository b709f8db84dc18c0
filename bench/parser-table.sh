#!/usr/bin/env bash
# Runs the parser benchmarks (h1-parser, httparse, picohttpparser) and prints one table of
# criterion's median times with the ratios h1 / peer (below 1: h1 is faster).
#
#   bench/parser-table.sh                       # full run, criterion defaults (~4 min)
#   bench/parser-table.sh --quick               # shorter, noisier
#   bench/parser-table.sh --table-only          # print the table of the last run, no run
#   bench/parser-table.sh browser               # any other argument goes to criterion (a filter)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

args=()
run=1
for arg in "$@"; do
    case $arg in
        --table-only) run=0 ;;
        --quick) args+=(--warm-up-time 1 --measurement-time 2) ;;
        *) args+=("$arg") ;;
    esac
done

if [ "$run" = 1 ]; then
    # Only the `parse` bench target: the library's own test harness would reject criterion's
    # options.
    cargo bench -p h1-parser --bench parse -- "${args[@]}" >&2
fi

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

python3 - "$target_dir/criterion" <<'PY'
import json, os, sys

base = sys.argv[1]
# The groups of parser/benches/parse.rs, in its order; others found on disk come after.
order = ["short", "browser", "query-2k", "headers-40", "trickle-1", "trickle-64",
         "chunked-1k-4k", "chunked-tiny"]
peers = ["h1", "httparse", "pico"]

def median_ns(group, bench):
    path = os.path.join(base, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None

def fmt_time(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"

def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"

groups = [g for g in order if os.path.isdir(os.path.join(base, g))]
if os.path.isdir(base):
    groups += sorted(g for g in os.listdir(base)
                     if g not in order and os.path.isdir(os.path.join(base, g, "h1")))
if not groups:
    sys.exit(f"no criterion results under {base}: run without --table-only first")

rows = [["input", "h1", "httparse", "pico", "h1/httparse", "h1/pico", "copy"]]
for g in groups:
    t = {p: median_ns(g, p) for p in peers + ["copy"]}
    rows.append([g] + [fmt_time(t[p]) for p in peers]
                + [ratio(t["h1"], t["httparse"]), ratio(t["h1"], t["pico"]), fmt_time(t["copy"])])

widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for n, r in enumerate(rows):
    print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    if n == 0:
        print("  ".join("-" * w for w in widths))
print("\nmedian time per input (criterion); ratio = h1 time / peer time, below 1.00 means h1 is faster")
print("copy: the memcpy of the encoded body that h1 and pico both include in the chunked rows")
PY
