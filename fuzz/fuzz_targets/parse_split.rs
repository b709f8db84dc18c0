//! parse_split: any split gives the one-shot result (h11#182, hyper#3764).
//!
//! Input: config control bytes (see `h1_fuzz::config`), split control bytes (see
//! `h1_fuzz::split`), then the request bytes.
//!
//! One resumable RequestParser is fed the growing prefixes ending at the cut points, each time
//! in a freshly allocated buffer (the parser keeps offsets, so the caller may move its buffer).
//! Invariants:
//! - the result for the whole input (Partial, Complete or Error) equals the one-shot result,
//!   with the same fields and the same `error_offset`;
//! - for a few cut points (at most 32), every intermediate result equals the one-shot result of
//!   that prefix too;
//! - once Complete, a call with a longer buffer gives the same request; once an error, the same
//!   error and offset.

#![no_main]

use h1_fuzz::{config, split, Control, Owned, SMALL_CAPACITY};
use h1_parser::{Config, Error, Progress, RequestParser};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
enum Outcome {
    Partial,
    Complete(Owned),
    Failed(Error, Option<usize>),
}

fn outcome<const N: usize>(parser: &mut RequestParser<N>, buf: &[u8]) -> Outcome {
    match parser.parse(buf) {
        Ok(Progress::Partial) => Outcome::Partial,
        Ok(Progress::Complete(request)) => Outcome::Complete(Owned::of(&request)),
        Err(error) => Outcome::Failed(error, parser.error_offset()),
    }
}

fn one_shot<const N: usize>(config: Config, buf: &[u8]) -> Outcome {
    outcome(&mut RequestParser::<N>::from_config(config), buf)
}

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let (config, flags) = config(&mut control);
    let (cuts, input) = split(control);
    if flags & SMALL_CAPACITY != 0 {
        check::<3>(config, input, &cuts);
    } else {
        check::<100>(config, input, &cuts);
    }
});

fn check<const N: usize>(config: Config, input: &[u8], cuts: &[usize]) {
    let whole = one_shot::<N>(config, input);
    let compare_each = cuts.len() <= 32;
    let mut parser = RequestParser::<N>::from_config(config);
    let mut previous = Outcome::Partial;
    for &cut in cuts {
        // A new allocation each time: the buffer moves and grows.
        let buf = input[..cut].to_vec();
        let now = outcome(&mut parser, &buf);
        match &previous {
            Outcome::Partial => {}
            finished => assert_eq!(&now, finished, "a final result changed at {cut}"),
        }
        if compare_each {
            assert_eq!(
                now,
                one_shot::<N>(config, &buf),
                "prefix of {cut} bytes, cuts {cuts:?}"
            );
        }
        previous = now;
    }
    assert_eq!(previous, whole, "cuts {cuts:?}");
}
