#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 60), one target at a time:
#   fuzz/run-all.sh [SECONDS]
# First replays fuzz/regressions/<target>/ and the seed corpus fuzz/corpus/<target>/, then
# fuzzes with libFuzzer (-max_total_time=SECONDS). Both run on scratch copies of the committed
# corpus and regressions, so new entries never land in the checkout and the corpus stays small. Exits non-zero if any target crashed; the
# crashing input is in fuzz/artifacts/<target>/ (reproduce: cargo +nightly fuzz run <target>
# <artifact>). Without a nightly toolchain it prints a note and exits 0.
set -euo pipefail
cd "$(dirname "$0")"

per_target="${1:-60}"
if ! [[ "$per_target" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [SECONDS]" >&2
    exit 2
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: skipped, no nightly toolchain (rustup toolchain install nightly)"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# One build for every target (the same flags `cargo fuzz run` uses, so it does not rebuild).
cargo +nightly fuzz build

scratch="$(mktemp -d "${TMPDIR:-/tmp}/h1-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

failed=()
for target in $(cargo +nightly fuzz list); do
    # libFuzzer writes new inputs into the first corpus directory it is given: only copies.
    work="$scratch/$target"
    mkdir -p "$work/new" "$work/seeds" "$work/regressions"
    cp -R "corpus/$target/." "$work/seeds/" 2>/dev/null || true
    cp -R "regressions/$target/." "$work/regressions/" 2>/dev/null || true
    echo "==> $target: regressions and seeds"
    if ! cargo +nightly fuzz run "$target" "$work/regressions" "$work/seeds" -- \
        -runs=0 -rss_limit_mb=2048 -timeout=10 >"$scratch/$target.replay.log" 2>&1; then
        tail -n 40 "$scratch/$target.replay.log"
        failed+=("$target (replay)")
        continue
    fi
    if [ "$per_target" -eq 0 ]; then
        continue
    fi
    echo "==> $target: fuzzing for ${per_target}s"
    if cargo +nightly fuzz run "$target" "$work/new" "$work/seeds" -- \
        -max_total_time="$per_target" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$scratch/$target.log" 2>&1; then
        grep -E '^Done|stat::number_of_executed_units|stat::average_exec_per_sec' \
            "$scratch/$target.log" || true
    else
        tail -n 60 "$scratch/$target.log"
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: all targets clean"
