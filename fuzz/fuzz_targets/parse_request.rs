//! parse_request: any bytes, one-shot, under a fuzzer-chosen Config.
//!
//! Input: config control bytes (see `h1_fuzz::config`), then the request bytes.
//!
//! Invariants:
//! - on Complete: method, target and every header name and value are slices of the input
//!   (pointer range check); `head_len` is within the input and the head ends with its empty
//!   line; the input starts with `[empty line] method SP target SP version`; names are tokens,
//!   values are OWS-trimmed field text (CR/LF only inside an accepted obs-fold); the target form
//!   fits the target; the framing agrees with the Content-Length / Transfer-Encoding fields; an
//!   HTTP/1.1 request has exactly one Host; `get` finds the first field of each name;
//! - serializing the request canonically (folds read as spaces) and parsing it again with the
//!   strict defaults gives the same fields, and serializing that gives the same bytes;
//! - parsing is deterministic, and a second `parse`/`request` call gives the same request;
//! - on Error: the offset is inside the input, the prefix before it parses to Partial (the
//!   error is not caused by an earlier byte), the error is final, the status is one of the
//!   documented ones.

#![no_main]

use h1_fuzz::{config, is_tchar, trim_ows, within, Control, Owned, SMALL_CAPACITY};
use h1_parser::{Config, Framing, Progress, RequestParser, TargetForm, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let (config, flags) = config(&mut control);
    let input = control.rest();
    if flags & SMALL_CAPACITY != 0 {
        check::<3>(config, input);
    } else {
        check::<100>(config, input);
    }
});

fn check<const N: usize>(config: Config, input: &[u8]) {
    let mut parser = RequestParser::<N>::from_config(config);
    let owned = match parser.parse(input) {
        Ok(Progress::Complete(request)) => {
            check_complete(&config, input, &request);
            Owned::of(&request)
        }
        Ok(Progress::Partial) => {
            assert_eq!(parser.error_offset(), None);
            return;
        }
        Err(error) => {
            let offset = parser.error_offset().expect("an error has an offset");
            assert!(
                offset < input.len(),
                "{error:?} at {offset} of {}",
                input.len()
            );
            assert!(
                [400, 413, 414, 431, 501, 505].contains(&error.status()),
                "{error:?}"
            );
            // Errors are final.
            assert_eq!(parser.parse(input).err(), Some(error));
            // The bytes before the offset are a valid prefix.
            let mut fresh = RequestParser::<N>::from_config(config);
            let before = fresh.parse(&input[..offset]);
            assert!(
                matches!(before, Ok(Progress::Partial)),
                "{error:?} at {offset}, but the prefix before it gives {before:?}"
            );
            return;
        }
    };

    // Deterministic, and repeatable on the same parser.
    let again = parser.parse(input).expect("complete stays complete");
    assert_eq!(
        again.complete().map(|r| Owned::of(&r)).as_ref(),
        Some(&owned)
    );
    let kept = parser.request(input).expect("request() after Complete");
    assert_eq!(Owned::of(&kept), owned);
    let mut fresh = RequestParser::<N>::from_config(config);
    let fresh = fresh.parse(input).unwrap().complete().unwrap();
    assert_eq!(Owned::of(&fresh), owned);

    // Re-parse the canonical form with the strict defaults (generous limits: the canonical form
    // may be a little longer, `a:b` becomes `a: b`).
    let wire = owned.serialize();
    let strict = Config::new()
        .max_head_size(wire.len().max(1))
        .max_body_size(u64::MAX);
    let mut reparser = RequestParser::<N>::from_config(strict);
    let reparsed = match reparser.parse(&wire) {
        Ok(Progress::Complete(r)) => Owned::of(&r),
        other => panic!(
            "canonical form {:?} does not parse: {other:?}",
            String::from_utf8_lossy(&wire)
        ),
    };
    assert_eq!(reparsed.method, owned.method);
    assert_eq!(reparsed.target, owned.target);
    assert_eq!(reparsed.form, owned.form);
    assert_eq!(reparsed.version, owned.version);
    assert_eq!(reparsed.framing, owned.framing);
    assert_eq!(reparsed.head_len, wire.len());
    let unfolded: Vec<(String, Vec<u8>)> = owned
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), h1_fuzz::unfold(v)))
        .collect();
    assert_eq!(reparsed.headers, unfolded);
    assert_eq!(
        reparsed.serialize(),
        wire,
        "the canonical form is a fixpoint"
    );
}

fn check_complete(config: &Config, input: &[u8], request: &h1_parser::Request) {
    // Every slice is a slice of the input.
    let method = request.method();
    if let h1_parser::Method::Extension(token) = method {
        assert!(within(input, token.as_bytes()));
    }
    assert!(within(input, request.target_bytes()));
    assert!(within(input, request.target().as_bytes()));
    let head_len = request.head_len();
    assert!(head_len <= input.len());
    let head = &input[..head_len];
    for header in request.headers() {
        assert!(within(head, header.name.as_bytes()), "{header:?}");
        assert!(within(head, header.value), "{header:?}");
    }

    // The head ends with its empty line.
    if config.allow_bare_lf {
        assert!(
            head.ends_with(b"\n\n") || head.ends_with(b"\n\r\n"),
            "{head:?}"
        );
    } else {
        assert!(head.ends_with(b"\r\n\r\n"), "{head:?}");
    }

    // The request-line, as received: at most one empty line, then method SP target SP version.
    let line = if head.starts_with(b"\r\n") {
        &head[2..]
    } else if config.allow_bare_lf && head.starts_with(b"\n") {
        &head[1..]
    } else {
        head
    };
    let mut expected = Vec::new();
    expected.extend_from_slice(method.as_str().as_bytes());
    expected.push(b' ');
    expected.extend_from_slice(request.target_bytes());
    expected.push(b' ');
    assert!(line.starts_with(&expected), "{line:?} vs {expected:?}");
    let version = line
        .get(expected.len()..expected.len() + 8)
        .unwrap_or_default();
    assert!(
        h1_fuzz::version_reads_as(version, request.version()),
        "{line:?}"
    );
    assert!(!method.as_str().is_empty() && method.as_str().bytes().all(is_tchar));

    // The target: visible ASCII, its form fits.
    let target = request.target_bytes();
    assert!(!target.is_empty() && target.iter().all(|b| (0x21..=0x7e).contains(b)));
    match request.target_form() {
        TargetForm::Origin => assert_eq!(target[0], b'/'),
        TargetForm::Asterisk => assert_eq!(target, b"*"),
        TargetForm::Authority => assert_eq!(method.as_str(), "CONNECT"),
        TargetForm::Absolute => assert!(target.contains(&b':')),
    }
    let _ = (request.path(), request.query());

    // Fields: token names, OWS-trimmed values of field text.
    let mut hosts = 0;
    let mut transfer_encoding = false;
    let mut lengths = Vec::new();
    for (index, header) in request.headers().iter().enumerate() {
        assert!(!header.name.is_empty() && header.name.bytes().all(is_tchar));
        let value = header.value;
        assert_eq!(trim_ows(value), value, "{header:?}");
        for &b in value {
            let folded = config.allow_obs_fold && (b == b'\r' || b == b'\n');
            assert!(
                b == b'\t' || folded || (b >= 0x20 && b != 0x7f),
                "{header:?}"
            );
        }
        assert_eq!(request.headers().nth(index), Some(header));
        let first = request
            .headers()
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(header.name))
            .unwrap();
        assert_eq!(request.headers().get(header.name), Some(first.value));
        match header.name.to_ascii_lowercase().as_str() {
            "host" => hosts += 1,
            "transfer-encoding" => transfer_encoding = true,
            "content-length" => lengths.push(value),
            _ => {}
        }
    }
    if request.version() == Version::Http11 {
        assert_eq!(hosts, 1);
    }
    assert!(hosts <= 1);
    match request.framing() {
        Framing::Chunked => {
            assert!(transfer_encoding && lengths.is_empty());
            assert_eq!(request.version(), Version::Http11);
        }
        Framing::Length(n) => {
            assert!(!transfer_encoding && !lengths.is_empty());
            assert!(n <= config.max_body_size);
            for value in lengths {
                for element in value.split(|&b| b == b',') {
                    let digits = trim_ows(element);
                    assert!(!digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
                    let text = std::str::from_utf8(digits).unwrap();
                    assert_eq!(text.parse::<u64>().ok(), Some(n), "{text}");
                }
            }
        }
        Framing::NoBody => assert!(!transfer_encoding && lengths.is_empty()),
        framing @ (Framing::UntilClose | Framing::Tunnel) => {
            panic!("a request is never framed {framing:?}")
        }
    }
}
