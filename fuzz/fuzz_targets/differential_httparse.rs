//! differential_httparse: h1-parser against httparse 1.x on the same bytes.
//!
//! Input: one flag byte (bit 0: h1-parser's bare-LF leniency, which httparse always has; bit 1:
//! h1-parser's obs-fold leniency, which httparse does not have for requests), then the request
//! bytes. h1-parser uses its strict defaults otherwise.
//!
//! Invariants:
//! - where both accept: the same method, target, version, header names and values (httparse
//!   trims the same OWS), and the same head length;
//! - every head h1-parser accepts, httparse accepts too, except the classes listed in
//!   fuzz/README.md ("Divergences"), each recognised here by `documented_divergence`; anything
//!   else is a finding. (h1-parser rejecting what httparse accepts is by design: it is
//!   stricter by design: RFC 9112's rules against smuggling are enforced.)

#![no_main]

use h1_fuzz::{Control, Owned};
use h1_parser::{Config, Progress, RequestParser, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let flags = control.byte();
    let input = control.rest();
    let config = Config::new()
        .allow_bare_lf(flags & 1 != 0)
        .allow_obs_fold(flags & 2 != 0);

    let mut parser: RequestParser = RequestParser::with_config(config);
    let ours = match parser.parse(input) {
        Ok(Progress::Complete(request)) => Owned::of(&request),
        _ => return,
    };

    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut theirs = httparse::Request::new(&mut headers);
    let head_len = match theirs.parse(input) {
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

    assert_eq!(theirs.method, Some(ours.method.as_str()));
    assert_eq!(theirs.path, Some(ours.target.as_str()));
    let version = match ours.version {
        Version::Http10 => 0,
        Version::Http11 => 1,
    };
    assert_eq!(theirs.version, Some(version));
    let their_headers: Vec<(String, Vec<u8>)> = theirs
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();
    assert_eq!(their_headers, ours.headers);
    assert_eq!(head_len, ours.head_len);
});

/// The documented classes of heads h1-parser accepts and httparse rejects (see README.md,
/// "Divergences"), recognised from h1-parser's parse; `None` for anything else.
fn documented_divergence(ours: &Owned, input: &[u8]) -> Option<&'static str> {
    // 1. obs-fold under `Config::allow_obs_fold` (RFC 9112 §5.2: a server MAY replace each
    //    obs-fold by SP). A CR or LF can be in a value only through a fold the leniency
    //    accepted; httparse rejects obs-fold in requests (its option is for responses only).
    if ours
        .headers
        .iter()
        .any(|(_, v)| v.contains(&b'\r') || v.contains(&b'\n'))
    {
        return Some("obs-fold");
    }
    // 2. A higher minor version, HTTP/1.2 to HTTP/1.9, read as HTTP/1.1 (RFC 9110 §2.5);
    //    httparse knows only 1.0 and 1.1. The version follows the one skipped empty line,
    //    the method, the target and their SPs.
    let skipped = match input {
        [b'\r', b'\n', ..] => 2,
        [b'\n', ..] => 1,
        _ => 0,
    };
    let at = skipped + ours.method.len() + 1 + ours.target.len() + 1;
    if let Some([b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'2'..=b'9']) = input.get(at..at + 8) {
        return Some("higher minor version");
    }
    None
}
