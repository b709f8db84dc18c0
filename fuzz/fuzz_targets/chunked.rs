//! chunked: the body decoder against the reference decoder of RFC 9112 §7.1 in
//! `h1_fuzz::reference`, fed at fuzzer-chosen split points.
//!
//! Input: config control bytes (see `h1_fuzz::config`; small limits bound body, extensions and
//! trailers), a framing byte (odd: `Content-Length` of the next byte, else chunked), split
//! control bytes (see `h1_fuzz::split`), then the body bytes (anything may follow the body).
//!
//! The caller is the one `BodyDecoder` documents: it keeps the bytes not consumed at the front
//! of its buffer and appends each new piece. Invariants:
//! - the same data, trailers and end as the reference: Done with the same `consumed`,
//!   Incomplete, or Failed with the same error and the same `error_offset`;
//! - `consumed` never passes the end of the body (no over-read into a pipelined request), nor
//!   the offending byte of an error;
//! - each Data is a non-empty slice of the caller's buffer, each Data or Trailer step consumes
//!   at least one byte, and after Partial the bytes left unconsumed are at most a trailer line
//!   within `max_trailers_size` (the caller's buffer stays bounded);
//! - Done and errors are final.

#![no_main]

use h1_fuzz::reference::{self, Decoding, End};
use h1_fuzz::{config, split, within, Control};
use h1_parser::{BodyDecoder, Config, Decoded, Framing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let (config, _) = config(&mut control);
    let framing = match control.byte() {
        b if b & 1 == 1 => Framing::Length(u64::from(control.byte())),
        _ => Framing::Chunked,
    };
    let (cuts, wire) = split(control);
    let expected = match framing {
        Framing::Length(n) => reference::length(wire, n, &config),
        _ => reference::chunked(wire, &config),
    };
    let actual = decode_in_pieces(framing, &config, wire, &cuts, &expected.end);
    assert_eq!(actual, expected, "cuts {cuts:?}");
});

fn decode_in_pieces(
    framing: Framing,
    config: &Config,
    wire: &[u8],
    cuts: &[usize],
    expected_end: &End,
) -> Decoding {
    // The decoder may never consume past this offset.
    let bound = match *expected_end {
        End::Done(end) => end,
        End::Failed(_, at) => at as usize,
        End::Incomplete => wire.len(),
    };
    let mut decoder = BodyDecoder::new(framing, *config);
    let (mut pending, mut data, mut trailers) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fed, mut consumed) = (0, 0);
    for &cut in cuts {
        pending.extend_from_slice(&wire[fed..cut]);
        fed = cut;
        loop {
            let (n, found) = match decoder.decode(&pending) {
                Ok(step) => step,
                Err(error) => {
                    let offset = decoder.error_offset().expect("an error has an offset");
                    // Errors are final.
                    assert_eq!(decoder.decode(b"0\r\n\r\n"), Err(error));
                    return Decoding {
                        data,
                        trailers,
                        end: End::Failed(error, offset),
                    };
                }
            };
            assert!(n <= pending.len());
            consumed += n;
            assert!(consumed <= bound, "consumed {consumed} past {bound}");
            match found {
                Decoded::Data(bytes) => {
                    assert!(n > 0 && !bytes.is_empty() && within(&pending[..n], bytes));
                    data.extend_from_slice(bytes);
                }
                Decoded::Trailer(field) => {
                    assert!(n > 0 && within(&pending[..n], field.value));
                    trailers.push((field.name.to_owned(), field.value.to_vec()));
                }
                Decoded::Partial => {
                    let left = pending.len() - n;
                    assert!(
                        left <= config.max_trailers_size.max(2),
                        "{left} bytes left unconsumed"
                    );
                    pending.drain(..n);
                    break;
                }
                Decoded::Done => {
                    assert!(decoder.is_done());
                    // Done is final and consumes nothing more.
                    assert_eq!(decoder.decode(b"0\r\n\r\n"), Ok((0, Decoded::Done)));
                    return Decoding {
                        data,
                        trailers,
                        end: End::Done(consumed),
                    };
                }
            }
            pending.drain(..n);
        }
    }
    assert!(!decoder.is_done());
    Decoding {
        data,
        trailers,
        end: End::Incomplete,
    }
}
