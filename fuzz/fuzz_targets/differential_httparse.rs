//! differential_httparse: h1-parser against httparse 1.x on the same bytes.
//!
//! Input: one flag byte (bit 0: h1-parser's bare-LF leniency; httparse always accepts bare LF),
//! then the request bytes. h1-parser uses its strict defaults otherwise.
//!
//! Invariants:
//! - where both accept: the same method, target, version, header names and values (httparse
//!   trims the same OWS), and the same head length;
//! - every head h1-parser accepts, httparse accepts too, except the classes listed in
//!   fuzz/README.md ("Divergences"), each recognised here by `documented_divergence`; anything
//!   else is a finding. (h1-parser rejecting what httparse accepts is by design: it is
//!   stricter, see DESIGN.md.)

#![no_main]

use h1_fuzz::{Control, Owned};
use h1_parser::{Config, Parser, Status, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let flags = control.byte();
    let input = control.rest();
    let config = Config::new().allow_bare_lf(flags & 1 != 0);

    let mut parser: Parser = Parser::with_config(config);
    let ours = match parser.parse(input) {
        Ok(Status::Complete(request)) => Owned::of(&request),
        _ => return,
    };

    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut theirs = httparse::Request::new(&mut headers);
    let head_len = match theirs.parse(input) {
        Ok(httparse::Status::Complete(len)) => len,
        other => {
            if let Some(class) = documented_divergence(input, &ours) {
                let _ = class;
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

/// The documented classes of heads h1-parser accepts and httparse rejects (see README.md),
/// recognised from the bytes; `None` for anything else.
fn documented_divergence(_input: &[u8], _ours: &Owned) -> Option<&'static str> {
    None
}
