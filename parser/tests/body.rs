//! The body decoders: Content-Length and chunked (RFC 9112 §6.3, §7.1), fed whole, at every
//! split point and byte by byte.

use h1_parser::{BodyDecoder, Config, Decoded, Error, Framing};

/// What decoding a body produced: the data, the trailers, the bytes consumed, or an error with
/// its offset.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done {
        body: Vec<u8>,
        trailers: Vec<(String, Vec<u8>)>,
        consumed: usize,
    },
    Incomplete {
        body: Vec<u8>,
    },
    Failed(Error, u64),
}

/// Feeds `wire` to a decoder in `pieces` as a caller with a buffer does: the bytes not consumed
/// stay at the front of the buffer, new bytes are appended.
fn decode_in_pieces(framing: Framing, config: &Config, wire: &[u8], pieces: &[usize]) -> Outcome {
    let mut decoder = BodyDecoder::new(framing, *config);
    let (mut pending, mut body, mut trailers) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fed, mut consumed) = (0, 0);
    let mut cuts = pieces.iter().copied().chain(core::iter::once(wire.len()));
    loop {
        let Some(cut) = cuts.next() else {
            return Outcome::Incomplete { body };
        };
        let cut = cut.clamp(fed, wire.len());
        pending.extend_from_slice(&wire[fed..cut]);
        fed = cut;
        loop {
            match decoder.decode(&pending) {
                Err(error) => return Outcome::Failed(error, decoder.error_offset().unwrap()),
                Ok((n, found)) => {
                    consumed += n;
                    let done = match found {
                        Decoded::Data(data) => {
                            body.extend_from_slice(data);
                            false
                        }
                        Decoded::Trailer(field) => {
                            trailers.push((field.name.to_owned(), field.value.to_vec()));
                            false
                        }
                        Decoded::Partial => {
                            pending.drain(..n);
                            break;
                        }
                        Decoded::Done => true,
                    };
                    pending.drain(..n);
                    if done {
                        assert!(decoder.is_done());
                        return Outcome::Done {
                            body,
                            trailers,
                            consumed,
                        };
                    }
                }
            }
        }
    }
}

fn decode_whole(framing: Framing, config: &Config, wire: &[u8]) -> Outcome {
    decode_in_pieces(framing, config, wire, &[])
}

fn chunked(wire: &[u8]) -> Outcome {
    decode_whole(Framing::Chunked, &Config::new(), wire)
}

fn done(body: &[u8], trailers: &[(&str, &[u8])], consumed: usize) -> Outcome {
    Outcome::Done {
        body: body.to_vec(),
        trailers: trailers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_vec()))
            .collect(),
        consumed,
    }
}

/// Every split point and 1-byte pieces give the one-shot outcome.
fn assert_split_invariant(framing: Framing, config: &Config, wire: &[u8]) -> Outcome {
    let whole = decode_whole(framing, config, wire);
    for cut in 0..=wire.len() {
        assert_eq!(
            decode_in_pieces(framing, config, wire, &[cut]),
            whole,
            "split at {cut} of {:?}",
            String::from_utf8_lossy(wire)
        );
    }
    let bytes: Vec<usize> = (1..wire.len()).collect();
    assert_eq!(decode_in_pieces(framing, config, wire, &bytes), whole);
    whole
}

#[test]
fn accepts_content_length_body_and_stops_at_its_end() {
    let wire = b"hello worldGET / HTTP/1.1\r\n";
    assert_eq!(
        assert_split_invariant(Framing::Length(11), &Config::new(), wire),
        done(b"hello world", &[], 11)
    );
    assert_eq!(
        decode_whole(Framing::Length(0), &Config::new(), b"GET"),
        done(b"", &[], 0)
    );
    assert_eq!(
        decode_whole(Framing::NoBody, &Config::new(), b"GET"),
        done(b"", &[], 0)
    );
    assert_eq!(
        decode_whole(Framing::Length(5), &Config::new(), b"abc"),
        Outcome::Incomplete {
            body: b"abc".to_vec()
        }
    );
}

#[test]
fn accepts_chunked_body_with_extensions_and_trailers() {
    let wire: &[u8] = b"4\r\nWiki\r\n5;name=value;flag ; q=\"a \\\" b\"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\nX-Sum:  abc \t\r\n\r\nNEXT";
    let outcome = assert_split_invariant(Framing::Chunked, &Config::new(), wire);
    assert_eq!(
        outcome,
        done(
            b"Wikipedia in\r\n\r\nchunks.",
            &[("Expires", b"never"), ("X-Sum", b"abc")],
            wire.len() - 4
        )
    );
}

#[test]
fn accepts_hex_sizes_in_either_case_and_leading_zeros() {
    assert_eq!(
        chunked(b"a\r\n0123456789\r\n00A\r\n0123456789\r\n000\r\n\r\n"),
        done(b"01234567890123456789", &[], 39)
    );
}

#[test]
fn rejects_chunked_malformations_with_their_rule() {
    use Error::*;
    let cases: &[(&[u8], Error, u64)] = &[
        // hyper#3494: an empty chunk-size is not a zero-size chunk.
        (b"\r\n\r\n", InvalidChunkSize, 0),
        (b"0x5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 1),
        (b"+5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 0),
        (b"-5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 0),
        (b" 5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 0),
        // picohttpparser#78: junk after the digits.
        (b"5x\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 1),
        (b"1 2\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
        (b"5 \r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
        // hyper GHSA-5h46-h7hh-c6x9, httparse#25: sizes that overflow 64 bits.
        (b"10000000000000000\r\n", ChunkSizeOverflow, 16),
        (b"fffffffffffffffff\r\n", ChunkSizeOverflow, 16),
        // picohttpparser#81: zeros may not pad a size line without bound (16 digits at most).
        (
            b"00000000000000005\r\nhello\r\n0\r\n\r\n",
            ChunkSizeOverflow,
            16,
        ),
        // picohttpparser#82: bare LF after the size.
        (b"5\nhello\r\n0\r\n\r\n", BareLf, 1),
        (b"5\rhello\r\n0\r\n\r\n", BareCr, 2),
        // hyper#2600: CR or LF inside an extension.
        (b"5;a\nb\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 3),
        (
            b"5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n",
            InvalidChunkExtension,
            6,
        ),
        (b"5;\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
        (b"5;=x\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
        (b"5;a=\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 4),
        (
            b"5;a=\"x\"y\r\nhello\r\n0\r\n\r\n",
            InvalidChunkExtension,
            7,
        ),
        (b"5;a=b c\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 6),
        // h11 CVE-2025-43859, Go CVE-2025-22871, fasthttp#1899, Kestrel CVE-2025-55315: the
        // CRLF after chunk data is checked, byte by byte.
        (b"5\r\nhelloXX0\r\n\r\n", MissingChunkDataCrlf, 8),
        (b"5\r\nhello\n0\r\n\r\n", MissingChunkDataCrlf, 8),
        (b"5\r\nhello\rX0\r\n\r\n", MissingChunkDataCrlf, 9),
        (b"3\r\nhello\r\n0\r\n\r\n", MissingChunkDataCrlf, 6),
        // Trailers obey the field rules of the head.
        (b"0\r\nX : y\r\n\r\n", WhitespaceBeforeColon, 4),
        (b"0\r\nX: a\x00b\r\n\r\n", InvalidHeaderValue, 7),
        (b"0\r\nX: a\r\n folded\r\n\r\n", ObsFold, 9),
        (b"0\r\nX: a\nY: b\r\n\r\n", BareLf, 7),
        (b"0\r\n\n", BareLf, 3),
        (b"0\r\n\rX", BareCr, 4),
        (b"0\r\nX: a\rY: b\r\n\r\n", BareCr, 8),
        (b"0\r\n:a\r\n\r\n", InvalidHeaderName, 3),
    ];
    for &(wire, error, offset) in cases {
        let outcome = assert_split_invariant(Framing::Chunked, &Config::new(), wire);
        assert_eq!(
            outcome,
            Outcome::Failed(error, offset),
            "{:?}",
            String::from_utf8_lossy(wire)
        );
    }
}

#[test]
fn rejects_chunked_body_ended_without_last_chunk() {
    // llhttp#20: EOF before the last chunk is not the end of the body.
    let outcome = chunked(b"5\r\nhello\r\n");
    assert_eq!(
        outcome,
        Outcome::Incomplete {
            body: b"hello".to_vec()
        }
    );
    assert_eq!(
        chunked(b"5\r\nhello\r\n0\r\n"),
        Outcome::Incomplete {
            body: b"hello".to_vec()
        }
    );
}

#[test]
fn limits_body_size_before_reading_the_chunk() {
    let config = Config::new().max_body_size(8);
    let wire = b"5\r\nhello\r\n4\r\nabcd\r\n0\r\n\r\n";
    assert_eq!(
        assert_split_invariant(Framing::Chunked, &config, wire),
        Outcome::Failed(Error::BodyTooLarge, 12)
    );
    assert_eq!(Error::BodyTooLarge.status(), 413);
    let config = Config::new().max_body_size(9);
    assert_eq!(
        decode_whole(Framing::Chunked, &config, wire),
        done(b"helloabcd", &[], wire.len())
    );
}

#[test]
fn limits_total_chunk_extension_size() {
    // hyper#3495: extensions are skipped, but not without bound.
    // The extensions here are `;aaaa=b` and `;cc`: 10 bytes.
    let config = Config::new().max_chunk_extensions(9);
    let wire = b"1;aaaa=b\r\nx\r\n1;cc\r\ny\r\n0\r\n\r\n";
    assert_eq!(
        assert_split_invariant(Framing::Chunked, &config, wire),
        Outcome::Failed(Error::ChunkExtensionsTooLarge, 16)
    );
    let config = Config::new().max_chunk_extensions(10);
    assert_eq!(
        decode_whole(Framing::Chunked, &config, wire),
        done(b"xy", &[], wire.len())
    );
}

#[test]
fn limits_trailer_section_size() {
    let wire = b"0\r\nA: b\r\nC: d\r\n\r\n";
    // The trailer section, final CRLF included, is 14 bytes.
    let config = Config::new().max_trailers_size(13);
    assert_eq!(
        assert_split_invariant(Framing::Chunked, &config, wire),
        Outcome::Failed(Error::TrailersTooLarge, 16)
    );
    let config = Config::new().max_trailers_size(14);
    assert_eq!(
        assert_split_invariant(Framing::Chunked, &config, wire),
        done(b"", &[("A", b"b"), ("C", b"d")], wire.len())
    );
}

#[test]
fn trailer_limit_below_the_final_crlf_still_takes_bodies_without_trailers() {
    for limit in [0, 1, 2] {
        let config = Config::new().max_trailers_size(limit);
        let wire = b"1\r\nx\r\n0\r\n\r\n";
        assert_eq!(
            assert_split_invariant(Framing::Chunked, &config, wire),
            done(b"x", &[], wire.len()),
            "limit {limit}"
        );
        // Any trailer field is over such a limit: the error is at the first byte past the
        // budget, which is the final CRLF's two bytes.
        let wire = b"0\r\nA: b\r\n\r\n";
        assert_eq!(
            assert_split_invariant(Framing::Chunked, &config, wire),
            Outcome::Failed(Error::TrailersTooLarge, 5),
            "limit {limit}"
        );
    }
}

#[test]
fn framing_fields_in_trailers_are_passed_on_not_acted_on() {
    let wire = b"1\r\nx\r\n0\r\nContent-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\nGET";
    assert_eq!(
        assert_split_invariant(Framing::Chunked, &Config::new(), wire),
        done(
            b"x",
            &[("Content-Length", b"5"), ("Transfer-Encoding", b"gzip")],
            wire.len() - 3
        )
    );
}

#[test]
fn errors_are_final() {
    let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
    assert_eq!(decoder.decode(b"z"), Err(Error::InvalidChunkSize));
    assert_eq!(decoder.decode(b"5\r\n"), Err(Error::InvalidChunkSize));
    assert_eq!(decoder.error_offset(), Some(0));
}

#[test]
fn data_is_handed_out_as_input_slices() {
    let wire = b"10\r\n0123456789abcdef\r\n0\r\n\r\n";
    let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
    let (consumed, found) = decoder.decode(wire).unwrap();
    assert_eq!(consumed, 20);
    let Decoded::Data(data) = found else {
        panic!("{found:?}")
    };
    // The slice is the input's own bytes, not a copy.
    assert!(core::ptr::eq(data.as_ptr(), wire[4..].as_ptr()));
}
