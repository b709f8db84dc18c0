//! differential_httparse_response: h1-parser's ResponseParser against httparse 1.x's Response
//! on the same bytes.
//!
//! Input: one flag byte (bit 0: h1-parser's bare-LF leniency, which httparse always has; bit 1:
//! obs-fold, h1-parser's leniency and httparse's `allow_obsolete_multiline_headers_in_responses`;
//! bit 2: h1-parser's `allow_missing_reason_sp`, which httparse always has), then the response
//! bytes. h1-parser uses its strict defaults otherwise.
//!
//! Invariants:
//! - where both accept: the same version, status code, reason (httparse gives "" for a reason
//!   with obs-text), header names and values, and head length;
//! - every head h1-parser accepts, httparse accepts too, except the classes listed in
//!   fuzz/README.md ("Divergences: responses"), each recognised by `documented_divergence`;
//!   anything else is a finding. h1-parser rejecting what httparse accepts is by design.

#![no_main]

use h1_fuzz::{Control, OwnedResponse};
use h1_parser::{Config, Progress, ResponseParser, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let flags = control.byte();
    let input = control.rest();
    let config = Config::new()
        .allow_bare_lf(flags & 1 != 0)
        .allow_obs_fold(flags & 2 != 0)
        .allow_missing_reason_sp(flags & 4 != 0);

    let mut parser: ResponseParser = ResponseParser::with_config(config);
    let ours = match parser.parse(input) {
        Ok(Progress::Complete(response)) => OwnedResponse::of(&response),
        _ => return,
    };

    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut theirs = httparse::Response::new(&mut headers);
    let mut their_config = httparse::ParserConfig::default();
    their_config.allow_obsolete_multiline_headers_in_responses(flags & 2 != 0);
    let head_len = match their_config.parse_response(&mut theirs, input) {
        Ok(httparse::Status::Complete(len)) => len,
        other => {
            if documented_divergence(&ours, input).is_some() {
                return;
            }
            panic!(
                "h1-parser accepts, httparse says {other:?}: {:?}\nh1-parser: {ours:#?}",
                String::from_utf8_lossy(input)
            );
        }
    };

    let version = match ours.version {
        Version::Http10 => 0,
        Version::Http11 => 1,
    };
    assert_eq!(theirs.version, Some(version));
    assert_eq!(theirs.code, Some(ours.code));
    let reason = if ours.reason.iter().any(|&b| b >= 0x80) {
        // httparse hands out "" for a reason phrase with obs-text.
        ""
    } else {
        std::str::from_utf8(&ours.reason).expect("ASCII")
    };
    assert_eq!(theirs.reason, Some(reason));
    if documented_divergence(&ours, input) == Some("obs-fold") {
        // httparse keeps a fold differently; the fields are compared by name only.
        let names: Vec<&str> = theirs.headers.iter().map(|h| h.name).collect();
        let ours_names: Vec<&str> = ours.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ours_names);
    } else {
        let their_headers: Vec<(String, Vec<u8>)> = theirs
            .headers
            .iter()
            .map(|h| (h.name.to_owned(), h.value.to_vec()))
            .collect();
        assert_eq!(their_headers, ours.headers);
    }
    assert_eq!(head_len, ours.head_len);
});

/// The documented classes of response heads h1-parser accepts and httparse rejects or reads
/// differently (README.md, "Divergences: responses"), recognised from h1-parser's parse.
fn documented_divergence(ours: &OwnedResponse, input: &[u8]) -> Option<&'static str> {
    // 1. obs-fold under the leniency: a CR or LF in a value can only come from a fold.
    if ours
        .headers
        .iter()
        .any(|(_, v)| v.contains(&b'\r') || v.contains(&b'\n'))
    {
        return Some("obs-fold");
    }
    // 2. A higher minor version, HTTP/1.2 to HTTP/1.9, read as HTTP/1.1 (RFC 9110 §2.5);
    //    httparse knows only 1.0 and 1.1. The version starts the head, after at most one
    //    empty line.
    let skipped = match input {
        [b'\r', b'\n', ..] => 2,
        [b'\n', ..] => 1,
        _ => 0,
    };
    if let Some([b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'2'..=b'9']) =
        input.get(skipped..skipped + 8)
    {
        return Some("higher minor version");
    }
    None
}
