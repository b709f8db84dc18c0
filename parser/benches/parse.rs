//! h1-parser side by side with httparse and picohttpparser (C, SSE4.2), on the same inputs,
//! under criterion: `cargo bench -p h1-parser --bench parse`.
//!
//! Every group holds one input and one benchmark per parser, named `<input>/h1`,
//! `<input>/httparse` and `<input>/pico`. The inputs and the way each parser is driven (the way
//! its users drive it) are in `common/mod.rs`, shared with `peers.rs`, the binary behind
//! `bench/parser-table.sh` (pinned, alternating, medians of rounds) and
//! `bench/instructions.sh` (callgrind counts). Before measuring, each group checks that the
//! three parsers agree on its input.
//!
//! The chunked groups compare h1's `BodyDecoder` with pico's `phr_decode_chunked` (httparse has
//! no chunked decoder). pico decodes in place and overwrites its input, so each iteration first
//! copies the encoded body into a scratch buffer; h1 gets the same copy so the two do the same
//! work, and `<input>/copy` measures that copy alone.

mod common;

use common::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use h1_parser::RequestParser;

/// One group: the same input through the three parsers, `step` bytes per call if trickled.
fn head_group(c: &mut Criterion, name: &str, input: &[u8], step: Option<usize>) {
    check_agree(name, input, step);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(input.len() as u64));
    for peer in ["h1", "httparse", "pico"] {
        group.bench_function(peer, |b| {
            let mut parser = RequestParser::new();
            b.iter(|| run_head(peer, &mut parser, black_box(input), step))
        });
    }
    group.finish();
}

fn heads(c: &mut Criterion) {
    assert_eq!(BROWSER.len(), 703);
    for (name, input, step) in common::heads() {
        head_group(c, name, &input, step);
    }
}

/// One chunked group: the same encoded body through both decoders, and the copy alone.
fn chunked_group(c: &mut Criterion, name: &str, wire: &[u8]) {
    let (mut backing, offset) = scratch_for(wire);
    let scratch = &mut backing[offset..offset + wire.len()];
    let h1 = h1_chunked(scratch, wire);
    let pico = pico_chunked(scratch, wire);
    assert!(
        h1 == pico && h1.0 == wire.len(),
        "{name}: decoders disagree (h1, pico) = {h1:?}, {pico:?}"
    );
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("h1", |b| b.iter(|| h1_chunked(scratch, black_box(wire))));
    group.bench_function("pico", |b| {
        b.iter(|| pico_chunked(scratch, black_box(wire)))
    });
    group.bench_function("copy", |b| {
        b.iter(|| {
            scratch.copy_from_slice(black_box(wire));
            black_box(&mut *scratch);
        })
    });
    group.finish();
}

fn bodies(c: &mut Criterion) {
    chunked_group(c, "chunked-1k-4k", &chunked_large());
    chunked_group(c, "chunked-tiny", &chunked_tiny());
}

criterion_group!(benches, heads, bodies);
criterion_main!(benches);
