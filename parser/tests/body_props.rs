//! Property tests of the chunked decoder: encode random bodies, decode them in random pieces.

use h1_parser::{BodyDecoder, Config, Decoded, Error, Framing};
use proptest::prelude::*;

/// One chunk-ext element: `;name` or `;name=token` or `;name="quoted"`, with optional BWS.
fn extension() -> impl Strategy<Value = Vec<u8>> {
    let token = "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,8}";
    let quoted = proptest::collection::vec(
        prop_oneof![
            (0x20u8..0x7f).prop_filter("not quote or backslash", |b| *b != b'"' && *b != b'\\'),
            Just(b'\t'),
            0x80u8..=0xff,
            Just(b'\\'),
        ],
        0..10,
    )
    .prop_map(|bytes| {
        let mut out = vec![b'"'];
        for b in bytes {
            if b == b'\\' {
                out.extend_from_slice(b"\\\"");
            } else {
                out.push(b);
            }
        }
        out.push(b'"');
        out
    });
    let bws = prop_oneof![Just(""), Just(" "), Just("\t "),];
    (
        bws.clone(),
        bws.clone(),
        token,
        prop_oneof![
            Just(None),
            token.prop_map(|t| Some(t.into_bytes())),
            quoted.prop_map(Some)
        ],
        bws.clone(),
        bws,
    )
        .prop_map(|(before, after, name, value, eq_before, eq_after)| {
            let mut out = Vec::new();
            out.extend_from_slice(before.as_bytes());
            out.push(b';');
            out.extend_from_slice(after.as_bytes());
            out.extend_from_slice(name.as_bytes());
            if let Some(value) = value {
                out.extend_from_slice(eq_before.as_bytes());
                out.push(b'=');
                out.extend_from_slice(eq_after.as_bytes());
                out.extend_from_slice(&value);
            }
            out
        })
}

fn trailer() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}",
        proptest::collection::vec(
            prop_oneof![0x21u8..0x7f, 0x80u8..=0xff, Just(b' '), Just(b'\t')],
            0..20,
        ),
    )
        .prop_map(|(name, value)| {
            // The decoder hands out values without surrounding whitespace (RFC 9112 §5).
            let start = value.iter().position(|b| !matches!(b, b' ' | b'\t'));
            let end = value.iter().rposition(|b| !matches!(b, b' ' | b'\t'));
            let value = match (start, end) {
                (Some(s), Some(e)) => value[s..=e].to_vec(),
                _ => Vec::new(),
            };
            (name, value)
        })
}

#[derive(Debug, Clone)]
struct Encoded {
    body: Vec<u8>,
    trailers: Vec<(String, Vec<u8>)>,
    wire: Vec<u8>,
}

fn encoded() -> impl Strategy<Value = Encoded> {
    (
        proptest::collection::vec(any::<u8>(), 0..600),
        proptest::collection::vec(1usize..200, 1..12),
        proptest::collection::vec(proptest::collection::vec(extension(), 0..3), 12),
        proptest::collection::vec(trailer(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(body, sizes, extensions, trailers, upper)| {
            let mut wire = Vec::new();
            let mut rest = &body[..];
            let mut index = 0;
            while !rest.is_empty() {
                let take = sizes[index % sizes.len()].min(rest.len());
                let size = if upper {
                    format!("{take:X}")
                } else {
                    format!("{take:x}")
                };
                wire.extend_from_slice(size.as_bytes());
                for ext in &extensions[index % extensions.len()] {
                    wire.extend_from_slice(ext);
                }
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&rest[..take]);
                wire.extend_from_slice(b"\r\n");
                rest = &rest[take..];
                index += 1;
            }
            wire.extend_from_slice(b"0");
            for ext in &extensions[index % extensions.len()] {
                wire.extend_from_slice(ext);
            }
            wire.extend_from_slice(b"\r\n");
            for (name, value) in &trailers {
                wire.extend_from_slice(name.as_bytes());
                wire.extend_from_slice(b": ");
                wire.extend_from_slice(value);
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(b"\r\n");
            Encoded {
                body,
                trailers,
                wire,
            }
        })
}

type Decoding = Result<(Vec<u8>, Vec<(String, Vec<u8>)>, usize), (Error, u64)>;

/// Decodes `wire` arriving in pieces ending at `cuts`; `None` if it never completes.
fn decode(wire: &[u8], cuts: &[usize]) -> Option<Decoding> {
    let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
    let (mut pending, mut body, mut trailers) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fed, mut consumed) = (0, 0);
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(wire.len())).collect();
    cuts.sort_unstable();
    cuts.push(wire.len());
    for cut in cuts {
        pending.extend_from_slice(&wire[fed..cut.max(fed)]);
        fed = cut.max(fed);
        loop {
            let (n, found) = match decoder.decode(&pending) {
                Ok(step) => step,
                Err(error) => return Some(Err((error, decoder.error_offset().unwrap()))),
            };
            consumed += n;
            let found_done = found == Decoded::Done;
            let need_more = found == Decoded::Partial;
            match found {
                Decoded::Data(data) => body.extend_from_slice(data),
                Decoded::Trailer(field) => {
                    trailers.push((field.name.to_owned(), field.value.to_vec()))
                }
                _ => {}
            }
            pending.drain(..n);
            if found_done {
                return Some(Ok((body, trailers, consumed)));
            }
            if need_more {
                break;
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any body, chunked any way with any valid extensions and trailers, decodes to itself in
    /// any pieces, and consumes exactly the encoding.
    #[test]
    fn encoded_bodies_decode_to_the_original(
        encoded in encoded(),
        cuts in proptest::collection::vec(0usize..2000, 0..8),
    ) {
        let decoded = decode(&encoded.wire, &cuts);
        prop_assert_eq!(
            decoded,
            Some(Ok((encoded.body.clone(), encoded.trailers.clone(), encoded.wire.len())))
        );
    }

    /// Corrupting one framing byte (a chunk-size digit, a CR or LF of the framing) gives an
    /// error or a different framing, never the original body with the corruption ignored; and
    /// the outcome does not depend on the pieces.
    #[test]
    fn corrupted_framing_is_never_silently_accepted(
        encoded in encoded(),
        pick in any::<prop::sample::Index>(),
        replacement in prop_oneof![Just(b'\n'), Just(b'\r'), Just(b' '), Just(b'x'), Just(0u8), Just(b';')],
        cuts in proptest::collection::vec(0usize..2000, 0..8),
    ) {
        // Framing CR/LF bytes: the CRLF after each size line and after each chunk's data.
        let wire = &encoded.wire;
        let framing: Vec<usize> = (0..wire.len().saturating_sub(1))
            .filter(|&i| wire[i] == b'\r' && wire[i + 1] == b'\n')
            .flat_map(|i| [i, i + 1])
            .collect();
        prop_assume!(!framing.is_empty());
        let at = framing[pick.index(framing.len())];
        prop_assume!(wire[at] != replacement);
        // A CRLF inside the data may be picked too: changing it changes the body, which the
        // assertion below also catches.
        let mut corrupted = wire.clone();
        corrupted[at] = replacement;
        let whole = decode(&corrupted, &[]);
        prop_assert_eq!(decode(&corrupted, &cuts), whole.clone());
        if let Some(Ok((body, trailers, consumed))) = whole {
            prop_assert!(
                (body, trailers, consumed) != (encoded.body.clone(), encoded.trailers.clone(), wire.len()),
                "corruption at {} accepted unchanged", at
            );
        }
    }
}
