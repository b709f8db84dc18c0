#!/usr/bin/env bash
# Builds for the targets this machine cannot run: h1-server and its binary (h1-server-cli)
# type-checked for macOS (aarch64,
# x86_64), FreeBSD and Windows (msvc), the portable readiness backend on each; h1-parser
# built for two bare-metal targets, and h1-embedded's echo example linked for one. No standard library for those targets is installed, so a
# toolchain that ships the standard library's source (Debian's rustc-web, cargo-web and
# rust-web-src, installed here when missing) builds it with -Zbuild-std, in a target
# directory of its own (target/cross) so the main build cache is left alone.
#
#   ci/cross-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! dpkg -s rustc-web cargo-web rust-web-src >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq rustc-web cargo-web rust-web-src >/dev/null
fi
# The Debian toolchain's own cargo and rustc, not rustup's (which has no std source for
# these targets); RUSTC_BOOTSTRAP lets the stable toolchain take -Zbuild-std.
cargo_bin=$(dpkg -L cargo-web | grep -m1 '/bin/cargo$')
rustc_bin=$(dpkg -L rustc-web | grep -m1 '/bin/rustc$')
export RUSTC="$rustc_bin" RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/target/cross"
unset RUSTFLAGS

for target in aarch64-apple-darwin x86_64-apple-darwin x86_64-unknown-freebsd x86_64-pc-windows-msvc; do
    echo "h1-server (lib, feature signals) and h1-server-cli (bin): check --target $target"
    "$cargo_bin" check -q --locked -Zbuild-std=std,panic_abort --target "$target" \
        -p h1-server --features signals --lib
    "$cargo_bin" check -q --locked -Zbuild-std=std,panic_abort --target "$target" \
        -p h1-server-cli --bins
done
for target in thumbv7em-none-eabihf riscv32imc-unknown-none-elf; do
    echo "h1-parser: build --target $target"
    "$cargo_bin" build -q --locked -Zbuild-std=core --target "$target" -p h1-parser
done
# Binaries for a board link with rust-lld: the Debian toolchain has none, rustup's host
# toolchain ships it (Debian's lld package otherwise).
lld=$(rustc --print sysroot 2>/dev/null)/lib/rustlib/$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')/bin/rust-lld
if [ ! -x "$lld" ]; then
    command -v ld.lld >/dev/null || (apt-get update -qq && apt-get install -y -qq lld >/dev/null)
    lld=$(command -v ld.lld)
fi
echo "h1-embedded: build --target thumbv7em-none-eabihf --example echo"
CARGO_TARGET_THUMBV7EM_NONE_EABIHF_LINKER="$lld" "$cargo_bin" build -q --locked -Zbuild-std=core \
    --target thumbv7em-none-eabihf -p h1-embedded --example echo
# The connection core linked into a bare-metal binary (both roles, 16 fields per head): it
# builds there, and its flash size is printed (the figure in h1_parser::conn's docs).
echo "h1-parser conn: link for thumbv7em-none-eabihf (ci/core-size)"
CARGO_TARGET_THUMBV7EM_NONE_EABIHF_LINKER="$lld" "$cargo_bin" build -q --release -Zbuild-std=core \
    --target thumbv7em-none-eabihf --manifest-path ci/core-size/Cargo.toml
python3 ci/core-size/measure.py "$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/core-size"
