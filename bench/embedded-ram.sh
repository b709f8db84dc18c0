#!/usr/bin/env bash
# The RAM of one h1-embedded connection on a board: the type sizes rustc computes for
# thumbv7em-none-eabihf (-Zprint-type-sizes) of h1-embedded's echo example — the serve future
# (which holds the Session and the connection core) — plus the two buffers the example gives
# it (1,536 bytes each). Uses the toolchain ci/cross-check.sh installs (Debian's rustc-web with
# -Zbuild-std), in target/cross.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo_bin=$(dpkg -L cargo-web | grep -m1 '/bin/cargo$')
rustc_bin=$(dpkg -L rustc-web | grep -m1 '/bin/rustc$')
lld=$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld
# rustc prints the sizes only when it compiles the example, not from its incremental cache.
touch adapters/embedded/examples/echo.rs
sizes=$(CARGO_INCREMENTAL=0 CARGO_TARGET_THUMBV7EM_NONE_EABIHF_LINKER="$lld" RUSTC="$rustc_bin" RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_DIR="$PWD/target/cross" "$cargo_bin" rustc -q --locked -Zbuild-std=core \
    --target thumbv7em-none-eabihf -p h1-embedded --example echo -- -Zprint-type-sizes 2>/dev/null)
future=$(echo "$sizes" | sed -n 's/.*type: `{async fn body of serve<board::Socket, 16>()}`: \([0-9]*\) bytes.*/\1/p')
echo "$sizes" | grep -E 'type: `(h1_embedded::Session|h1_parser::conn::ServerConn<16>)' | sed 's/^print-type-size //'
echo "thumbv7em-none-eabihf: the serve future $future bytes + buffers 1536 + 1536 = $((future + 3072)) bytes"
