//! parse_response: any bytes as a response, under a fuzzer-chosen Config, then its body.
//!
//! Input: config control bytes (see `h1_fuzz::config`; flag 16 is `allow_missing_reason_sp`),
//! one byte for the method the response answers (GET, HEAD, CONNECT, POST) and a split point,
//! then the response bytes.
//!
//! Invariants:
//! - the head parsed one-shot and fed as two pieces (cut at the fuzzer's point) gives the same
//!   result: Complete with the same response, or the same error at the same offset;
//! - on Complete: the reason and every header name and value are slices of the head; the head
//!   ends with its empty line and starts (after at most one empty line) with `HTTP/1.x SP` and the three digits of the code
//!   (100 to 999), then SP (or, under the leniency, the line end) and the reason, which holds
//!   only HTAB, SP, VCHAR and obs-text; names are tokens, values OWS-trimmed field text; the
//!   framing follows RFC 9112 §6.3 from the status, the method and the Content-Length /
//!   Transfer-Encoding fields; the canonical serialization re-parses under the strict defaults
//!   to the same response and is a fixpoint;
//! - on Error: the offset is inside the input, the prefix before it parses to Partial, the
//!   error is final;
//! - the body after a complete head, decoded in two pieces and ended by `finish`: never panics,
//!   hands out slices of the input, consumes no more than it was given, and ends Done (a
//!   complete or close-delimited body) or with an error; a Length body that is Done handed out
//!   exactly its length.

#![no_main]

use h1_fuzz::{config, is_tchar, trim_ows, within, Control, OwnedResponse, SMALL_CAPACITY};
use h1_parser::{
    BodyDecoder, Config, Decoded, Error, Framing, Method, Progress, ResponseParser, Version,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let (config, flags) = config(&mut control);
    let method = match control.byte() % 4 {
        0 => Method::Get,
        1 => Method::Head,
        2 => Method::Connect,
        _ => Method::Post,
    };
    let cut = control.byte();
    let input = control.rest();
    let cut = usize::from(cut) * input.len() / 255;
    if flags & SMALL_CAPACITY != 0 {
        check::<3>(config, method, input, cut);
    } else {
        check::<100>(config, method, input, cut);
    }
});

fn check<const N: usize>(config: Config, method: Method, input: &[u8], cut: usize) {
    let mut parser = ResponseParser::<N>::from_config(config);
    let outcome = parser
        .parse(input)
        .map(|s| s.complete().map(|r| OwnedResponse::of(&r)));
    let offset = parser.error_offset();

    // Two pieces give the one-shot result.
    let mut split = ResponseParser::<N>::from_config(config);
    let first = split
        .parse(&input[..cut])
        .map(|s| s.complete().map(|r| OwnedResponse::of(&r)));
    let split_outcome = match first {
        Ok(None) => split
            .parse(input)
            .map(|s| s.complete().map(|r| OwnedResponse::of(&r))),
        other => other,
    };
    match (&outcome, &split_outcome) {
        // A head complete within the first piece is the same head.
        (Ok(Some(whole)), Ok(Some(piece))) => assert_eq!(whole, piece),
        // An error found within the first piece is the one-shot error.
        _ => {
            assert_eq!(outcome, split_outcome, "cut at {cut}");
            assert_eq!(split.error_offset(), offset, "cut at {cut}");
        }
    }

    let owned = match outcome {
        Ok(None) => return,
        Err(error) => {
            let offset = offset.expect("an error has an offset");
            assert!(offset <= input.len(), "{error:?} at {offset}");
            assert_eq!(parser.parse(input).err(), Some(error), "errors are final");
            let mut fresh = ResponseParser::<N>::from_config(config);
            let before = fresh.parse(&input[..offset]);
            assert!(
                matches!(before, Ok(Progress::Partial)),
                "{error:?} at {offset}, but the prefix before it gives {before:?}"
            );
            return;
        }
        Ok(Some(owned)) => owned,
    };

    let response = parser.response(input).expect("response() after Complete");
    check_complete(&config, input, &response);
    // A 101 has no body to check, asked for or not.
    let framing = response.framing(method, true).unwrap_or(Framing::Tunnel);
    let head_len = response.head_len();

    // The canonical form re-parses under the strict defaults to the same response.
    let wire = owned.serialize();
    let strict = Config::new()
        .max_head_size(wire.len().max(1))
        .max_body_size(u64::MAX);
    let mut reparser = ResponseParser::<N>::from_config(strict);
    let reparsed = match reparser.parse(&wire) {
        Ok(Progress::Complete(r)) => OwnedResponse::of(&r),
        other => panic!(
            "canonical form {:?} does not parse: {other:?}",
            String::from_utf8_lossy(&wire)
        ),
    };
    assert_eq!(
        (reparsed.version, reparsed.code),
        (owned.version, owned.code)
    );
    assert_eq!(reparsed.reason, owned.reason);
    let unfolded: Vec<(String, Vec<u8>)> = owned
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), h1_fuzz::unfold(v)))
        .collect();
    assert_eq!(reparsed.headers, unfolded);
    assert_eq!(reparsed.framings, owned.framings);
    assert_eq!(
        reparsed.serialize(),
        wire,
        "the canonical form is a fixpoint"
    );

    check_body(
        &config,
        framing,
        &input[head_len..],
        cut.saturating_sub(head_len),
    );
}

fn check_complete(config: &Config, input: &[u8], response: &h1_parser::Response) {
    let head_len = response.head_len();
    assert!(head_len <= input.len());
    let head = &input[..head_len];
    if config.allow_bare_lf {
        assert!(
            head.ends_with(b"\n\n") || head.ends_with(b"\n\r\n"),
            "{head:?}"
        );
    } else {
        assert!(head.ends_with(b"\r\n\r\n"), "{head:?}");
    }

    // The status-line as received, after at most one empty line (RFC 9112 §2.2).
    let line = head
        .strip_prefix(b"\r\n")
        .or_else(|| head.strip_prefix(b"\n").filter(|_| config.allow_bare_lf))
        .unwrap_or(head);
    let code = response.status();
    assert!((100..=999).contains(&code));
    let version = line.get(..8).unwrap_or_default();
    assert!(
        h1_fuzz::version_reads_as(version, response.version()),
        "{head:?}"
    );
    let expected = format!(" {code}").into_bytes();
    assert!(line[8..].starts_with(&expected), "{head:?}");
    let reason = response.reason();
    assert!(within(head, reason) || reason.is_empty());
    match line.get(8 + expected.len()) {
        Some(b' ') => {}
        Some(b'\r' | b'\n') => {
            assert!(config.allow_missing_reason_sp);
            assert!(reason.is_empty());
        }
        other => panic!("{other:?} after the status code"),
    }
    for &b in reason {
        assert!(
            b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80,
            "{reason:?}"
        );
    }

    let mut transfer_encoding = Vec::new();
    let mut lengths = Vec::new();
    let mut upgrade_field = false;
    for header in response.headers() {
        assert!(within(head, header.name.as_bytes()), "{header:?}");
        assert!(within(head, header.value), "{header:?}");
        assert!(!header.name.is_empty() && header.name.bytes().all(is_tchar));
        assert_eq!(trim_ows(header.value), header.value, "{header:?}");
        for &b in header.value {
            let folded = config.allow_obs_fold && (b == b'\r' || b == b'\n');
            assert!(
                b == b'\t' || folded || (b >= 0x20 && b != 0x7f),
                "{header:?}"
            );
        }
        match header.name.to_ascii_lowercase().as_str() {
            "transfer-encoding" => transfer_encoding.push(header.value),
            "content-length" => lengths.push(header.value),
            // RFC 9110 §7.8: Upgrade = #protocol; a list of nothing names no protocol.
            // RFC 9112 §5.2: an obs-fold reads as SP, so a folded value is read unfolded.
            "upgrade" => {
                let value = h1_fuzz::unfold(header.value);
                upgrade_field |= value.split(|&b| b == b',').any(|p| !trim_ows(p).is_empty())
            }
            _ => {}
        }
    }

    // RFC 9112 §6.3, written out again from the fields.
    for method in [Method::Get, Method::Head, Method::Connect, Method::Post] {
        // RFC 9110 §15.2.2, §7.8: a 101 switches only to an offered protocol it names, in HTTP/1.1.
        if code == 101 {
            assert_eq!(
                response.framing(method, false),
                Err(Error::UnexpectedUpgrade)
            );
            let switched = response.version() == Version::Http11 && upgrade_field;
            let expected = if switched {
                Ok(Framing::Tunnel)
            } else {
                Err(Error::UnexpectedUpgrade)
            };
            assert_eq!(response.framing(method, true), expected, "{method:?}");
            continue;
        }
        let expected = if method == Method::Connect && (200..300).contains(&code) {
            Framing::Tunnel
        } else if method == Method::Head || (100..200).contains(&code) || code == 204 || code == 304
        {
            Framing::NoBody
        } else if !transfer_encoding.is_empty() {
            assert!(
                lengths.is_empty(),
                "Transfer-Encoding with Content-Length was accepted"
            );
            let last = transfer_encoding
                .iter()
                .flat_map(|v| v.split(|&b| b == b','))
                .map(trim_ows)
                .filter(|c| !c.is_empty())
                .last()
                .expect("a coding");
            if last.eq_ignore_ascii_case(b"chunked") {
                Framing::Chunked
            } else {
                Framing::UntilClose
            }
        } else if let Some(value) = lengths.first() {
            let first = trim_ows(value.split(|&b| b == b',').next().unwrap_or_default());
            let n: u64 = std::str::from_utf8(first)
                .unwrap()
                .parse()
                .expect("1*DIGIT");
            Framing::Length(n)
        } else {
            Framing::UntilClose
        };
        assert_eq!(response.framing(method, false), Ok(expected), "{method:?}");
        assert_eq!(response.framing(method, true), Ok(expected), "{method:?}");
    }
}

fn check_body(config: &Config, framing: Framing, body: &[u8], cut: usize) {
    let cut = cut.min(body.len());
    let mut decoder = BodyDecoder::new(framing, *config);
    let (mut pending, mut fed, mut data) = (Vec::new(), 0, 0u64);
    let mut consumed_total = 0;
    for end in [cut, body.len()] {
        pending.extend_from_slice(&body[fed..end]);
        fed = end;
        loop {
            let Ok((n, found)) = decoder.decode(&pending) else {
                return;
            };
            assert!(n <= pending.len());
            consumed_total += n;
            match found {
                Decoded::Data(bytes) => {
                    assert!(within(&pending, bytes) && !bytes.is_empty());
                    data += bytes.len() as u64;
                }
                Decoded::Trailer(_) => assert!(n > 0),
                Decoded::Done => {
                    assert!(consumed_total <= body.len());
                    if let Framing::Length(length) = framing {
                        assert_eq!(data, length);
                    }
                    assert_eq!(decoder.finish(), Ok(()));
                    return;
                }
                Decoded::Partial => {
                    pending.drain(..n);
                    break;
                }
            }
            pending.drain(..n);
        }
    }
    // The input ended: a close-delimited body is complete; anything else is IncompleteBody.
    match decoder.finish() {
        Ok(()) => assert!(decoder.is_done()),
        Err(error) => {
            assert_ne!(framing, Framing::UntilClose, "{error:?}");
            assert!(!decoder.is_done());
        }
    }
}
