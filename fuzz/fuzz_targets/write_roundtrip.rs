//! write_roundtrip: the writer against the parser and httparse, on messages built from fuzz
//! bytes.
//!
//! Input: a flag byte (bit 0: a response; bit 1: HTTP/1.0; bits 2-4: the body choice), a split
//! byte, then the parts, each a length byte and that many bytes: method and target (or the
//! status code's two bytes and a reason), then field names and values until the input ends
//! (at most 60 fields).
//!
//! Invariants:
//! - a message the writer accepts parses back (one shot and split at the split byte) to the
//!   same start line, the same fields in order and case plus the one framing field the writer
//!   adds, and httparse reads the same head;
//! - a message the writer refuses for a parser rule (`WriteError::parser_error`), written by
//!   plain concatenation, is rejected by the parser or read as other parts.

#![no_main]

use h1_parser::write::{Body, RequestHead, ResponseHead, WriteError};
use h1_parser::{Headers, Method, Progress, RequestParser, ResponseParser, Version};
use libfuzzer_sys::fuzz_target;

/// One part: a length byte, then that many bytes (fewer when the input ends).
fn part<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    let Some((&len, rest)) = data.split_first() else {
        return &[];
    };
    let (part, rest) = rest.split_at(usize::from(len % 32).min(rest.len()));
    *data = rest;
    part
}

fn method(token: &[u8]) -> Method<'_> {
    match std::str::from_utf8(token) {
        Ok("GET") => Method::Get,
        Ok("HEAD") => Method::Head,
        Ok("CONNECT") => Method::Connect,
        Ok("OPTIONS") => Method::Options,
        Ok(other) => Method::Extension(other),
        Err(_) => Method::Extension("\u{0}"),
    }
}

type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// The parser's reading: the start line's parts and the fields, the head fed first cut short
/// at `split` (modulo its length, so always a proper prefix).
fn parse(response: bool, bytes: &[u8], split: usize) -> Option<(Vec<u8>, Fields, usize)> {
    let fields = |headers: Headers| -> Fields {
        headers
            .iter()
            .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
            .collect()
    };
    if response {
        let mut parser = ResponseParser::new();
        if let Ok(Progress::Complete(_)) = parser.parse(&bytes[..split % bytes.len().max(1)]) {
            return None;
        }
        let Ok(Progress::Complete(r)) = parser.parse(bytes) else {
            return None;
        };
        let code = format!(" {} ", r.status());
        let start = [r.version().as_str().as_bytes(), code.as_bytes(), r.reason()];
        Some((start.concat(), fields(r.headers()), r.head_len()))
    } else {
        let mut parser = RequestParser::new();
        if let Ok(Progress::Complete(_)) = parser.parse(&bytes[..split % bytes.len().max(1)]) {
            return None;
        }
        let Ok(Progress::Complete(r)) = parser.parse(bytes) else {
            return None;
        };
        let start = [
            r.method().as_str().as_bytes(),
            b" ",
            r.target_bytes(),
            b" ",
            r.version().as_str().as_bytes(),
        ];
        Some((start.concat(), fields(r.headers()), r.head_len()))
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, data)) = data.split_first() else {
        return;
    };
    let Some((&split, mut data)) = data.split_first() else {
        return;
    };
    let response = flags & 1 != 0;
    let version = if flags & 2 != 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let body = match (flags >> 2) & 7 {
        0 => Body::None,
        1 => Body::Length(u64::from(split)),
        2 => Body::Chunked,
        3 => Body::UntilClose,
        4 => Body::Advertised(7),
        _ => Body::None,
    };
    let (a, b) = (part(&mut data), part(&mut data));
    let mut fields: Fields = Vec::new();
    // At most 60 fields: under the parser's default capacity and httparse's array (limits are
    // the reader's configuration, which a writer does not know).
    while !data.is_empty() && fields.len() < 60 {
        fields.push((part(&mut data).to_vec(), part(&mut data).to_vec()));
    }
    let code = u16::from_le_bytes([
        a.first().copied().unwrap_or(0),
        a.get(1).copied().unwrap_or(0),
    ]) % 1100;
    let answers = method(a.get(2..).unwrap_or_default());
    let reason = (!b.is_empty()).then_some(b);

    let mut out = Vec::new();
    let written: Result<usize, WriteError> = if response {
        ResponseHead::new(&mut out, answers, version, code, reason).and_then(|mut head| {
            for (name, value) in &fields {
                head.field(name, value)?;
            }
            head.finish(body)
        })
    } else {
        RequestHead::new(&mut out, method(a), b, version).and_then(|mut head| {
            for (name, value) in &fields {
                head.field(name, value)?;
            }
            head.finish(body)
        })
    };

    // The parts as given, and their plain concatenation.
    let start = if response {
        let canonical = h1_parser::reason_phrase(code).unwrap_or("").as_bytes();
        [
            version.as_str().as_bytes(),
            format!(" {code} ").as_bytes(),
            reason.unwrap_or(canonical),
        ]
        .concat()
    } else {
        [
            method(a).as_str().as_bytes(),
            b" ",
            b,
            b" ",
            version.as_str().as_bytes(),
        ]
        .concat()
    };
    let mut raw = [&start[..], b"\r\n"].concat();
    for (name, value) in &fields {
        raw.extend_from_slice(&[&name[..], b": ", value, b"\r\n"].concat());
    }
    raw.extend_from_slice(b"\r\n");

    let len = match written {
        Ok(len) => len,
        Err(refusal) => {
            assert!(out.is_empty(), "a refusal leaves nothing written");
            if refusal.parser_error().is_some() {
                if let Some((parsed_start, parsed_fields, _)) =
                    parse(response, &raw, usize::from(split))
                {
                    assert!(
                        (parsed_start, parsed_fields) != (start, fields),
                        "{refusal:?}, yet the parser reads the parts back: {:?}",
                        String::from_utf8_lossy(&raw)
                    );
                }
            }
            return;
        }
    };
    assert_eq!(len, out.len());
    let (parsed_start, parsed_fields, head_len) = parse(response, &out, usize::from(split))
        .unwrap_or_else(|| {
            panic!(
                "the parser rejects the writer's {:?}",
                String::from_utf8_lossy(&out)
            )
        });
    assert_eq!(head_len, out.len());
    assert_eq!(parsed_start, start);
    // The caller's fields, then at most the one framing field the writer added.
    assert!(parsed_fields.len() == fields.len() || parsed_fields.len() == fields.len() + 1);
    assert_eq!(&parsed_fields[..fields.len()], &fields[..]);
    if let Some((name, _)) = parsed_fields.get(fields.len()) {
        assert!(name == b"Content-Length" || name == b"Transfer-Encoding");
    }

    let mut headers = [httparse::EMPTY_HEADER; 64];
    let their_fields: Fields;
    if response {
        let mut theirs = httparse::Response::new(&mut headers);
        assert_eq!(
            theirs.parse(&out),
            Ok(httparse::Status::Complete(out.len())),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
        assert_eq!(theirs.code, Some(code));
        their_fields = theirs
            .headers
            .iter()
            .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
            .collect();
    } else {
        let mut theirs = httparse::Request::new(&mut headers);
        assert_eq!(
            theirs.parse(&out),
            Ok(httparse::Status::Complete(out.len())),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
        assert_eq!(
            theirs.method.map(str::as_bytes),
            Some(method(a).as_str().as_bytes())
        );
        assert_eq!(theirs.path.map(str::as_bytes), Some(b));
        their_fields = theirs
            .headers
            .iter()
            .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
            .collect();
    }
    assert_eq!(their_fields, parsed_fields);
});
