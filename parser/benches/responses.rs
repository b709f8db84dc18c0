//! Response heads: h1-parser's `ResponseParser` against httparse's `Response` and
//! picohttpparser's `phr_parse_response`, on the same inputs. A bench of its own beside
//! `parse.rs` (the request heads and bodies), with the same conventions: one criterion group per
//! input, ids `<input>/h1`, `<input>/httparse`, `<input>/pico`; each group first checks that the
//! three parsers agree on the input.
//!
//! - h1: one `ResponseParser::new()` (room for 100 fields) kept across iterations and `reset()`
//!   before each message, as a client connection does.
//! - httparse: `ParserConfig::parse_response_with_uninit_headers` over an array of 64
//!   uninitialised headers, as hyper drives it.
//! - pico: `phr_parse_response` over an array of 64 `phr_header` the caller never initialises
//!   (pico only writes it).
//!
//! `response-20-fields-trickle-64` feeds the 20-field head 64 bytes more per call, as a client
//! reading a socket sees it: h1 resumes where it stopped, httparse re-parses each prefix from
//! the start, pico re-parses too but first checks only the new bytes for the end of the head
//! (`last_len`).
//!
//! Instruction counts of the same drivers: `bench/instructions.sh response-300 ...` (through
//! `peers count`).

mod common;

use std::hint::black_box;

use common::response::*;
use criterion::{Criterion, Throughput};

fn check_agree(name: &str, input: &'static [u8], step: Option<usize>) {
    let mut drivers = Drivers::new();
    let results = ["h1", "httparse", "pico"].map(|parser| drivers.run(parser, input, step));
    assert!(
        results.iter().all(|&r| r == (input.len(), results[0].1)),
        "{name}: parsers disagree (h1, httparse, pico) = {results:?}, input is {} bytes",
        input.len()
    );
}

fn benches(c: &mut Criterion) {
    assert!(
        (290..=310).contains(&RESPONSE_300.len()),
        "{}",
        RESPONSE_300.len()
    );
    for (name, input, step) in INPUTS {
        check_agree(name, input, step);
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(input.len() as u64));
        for parser in ["h1", "httparse", "pico"] {
            group.bench_function(parser, |b| {
                let mut drivers = Drivers::new();
                b.iter(|| drivers.run(parser, black_box(input), step))
            });
        }
        group.finish();
    }
}

/// `count INPUT PARSER N`: N parses, nothing else (for callgrind).
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
