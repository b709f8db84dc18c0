//! What the corpus (`tests/cases/*.txt`, the one home of accept/reject and offsets) cannot say
//! about request heads: the accessors' values, the capacity const generic, sticky errors, the
//! statuses, the parser's life cycle, and the byte-class sweeps too long for a table of cases.
//!
//! Offsets are written as a needle: the offending byte is the *last* byte of the first
//! occurrence of the needle in the input ("context, then the culprit").

use h1_parser::{Config, Error, Framing, Method, Progress, RequestParser, TargetForm, Version};

const STRICT: Config = Config::new();

/// What one parse of a whole input must give.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Complete, and the head is the whole input.
    Head,
    /// Rejected with this error at the last byte of the first occurrence of the needle.
    Reject(Error, &'static [u8]),
    /// Rejected with this error at this offset.
    RejectAt(Error, usize),
}

/// `&[u8]` from a byte string or a `str`, so tables can mix both.
fn b<T: AsRef<[u8]> + ?Sized>(input: &T) -> &[u8] {
    input.as_ref()
}

fn reject(error: Error, needle: &'static (impl AsRef<[u8]> + ?Sized)) -> Want {
    Want::Reject(error, needle.as_ref())
}

/// A table of cases: `input => want`.
macro_rules! cases {
    ($($input:expr => $want:expr),* $(,)?) => {
        &[$((b($input), $want)),*]
    };
}

fn find(input: &[u8], needle: &[u8]) -> usize {
    input
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| {
            panic!(
                "needle {:?} not in the input",
                needle.escape_ascii().to_string()
            )
        })
        + needle.len()
        - 1
}

/// Parses each input in one call with `config` and checks the outcome, the error offset and
/// that an error is sticky.
fn check_with<const N: usize, T: AsRef<[u8]>>(config: Config, cases: &[(T, Want)]) {
    for (input, want) in cases {
        let (input, want) = (input.as_ref(), *want);
        let shown = input.escape_ascii().to_string();
        let mut parser = RequestParser::<N>::from_config(config);
        let got = parser
            .parse(input)
            .map(|status| status.complete().map(|request| request.head_len()));
        let (expected, offset) = match want {
            Want::Head => (Ok(Some(input.len())), None),
            Want::Reject(error, needle) => (Err(error), Some(find(input, needle))),
            Want::RejectAt(error, at) => (Err(error), Some(at)),
        };
        assert_eq!(got, expected, "outcome of {shown}");
        assert_eq!(parser.error_offset(), offset, "error offset of {shown}");
        if let Err(error) = expected {
            // Errors are final: the same error again, whatever the next call brings.
            assert_eq!(parser.parse(input).err(), Some(error), "sticky {shown}");
            assert_eq!(parser.error_offset(), offset, "sticky offset of {shown}");
        }
    }
}

fn check<T: AsRef<[u8]>>(config: Config, cases: &[(T, Want)]) {
    check_with::<100, T>(config, cases);
}

/// Parses a whole head that must be complete and hands the request to `f`.
fn with_request<R>(
    config: Config,
    input: &[u8],
    f: impl FnOnce(&h1_parser::Request<'_>) -> R,
) -> R {
    let mut parser: RequestParser = RequestParser::with_config(config);
    match parser.parse(input) {
        Ok(Progress::Complete(request)) => f(&request),
        other => panic!("{}: {other:?}", input.escape_ascii()),
    }
}

/// The fields of a complete head, owned.
fn fields(config: Config, input: &[u8]) -> Vec<(String, Vec<u8>)> {
    with_request(config, input, |request| {
        request
            .headers()
            .iter()
            .map(|h| (h.name.to_owned(), h.value.to_vec()))
            .collect()
    })
}

fn value_of(config: Config, input: &[u8], name: &str) -> Vec<u8> {
    with_request(config, input, |request| {
        request.headers().get(name).expect(name).to_vec()
    })
}

fn framing_of(config: Config, input: &[u8]) -> Framing {
    with_request(config, input, |request| request.framing())
}

// ---------------------------------------------------------------------------------------------
// request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3)
// ---------------------------------------------------------------------------------------------

#[test]
fn accepts_request_line_of_method_sp_target_sp_version_crlf() {
    with_request(STRICT, b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(
            (r.method(), r.target(), r.version()),
            (Method::Get, "/x", Version::Http11)
        );
    });
}

// ---- method = token (RFC 9110 §9.1, §5.6.2) ----

#[test]
fn accepts_any_token_as_method() {
    let input = b"!#$%&'*+-.^_`|~0123456789azAZ / HTTP/1.0\r\n\r\n";
    with_request(STRICT, input, |r| {
        assert_eq!(
            r.method(),
            Method::Extension("!#$%&'*+-.^_`|~0123456789azAZ")
        );
    });
}

#[test]
fn method_is_case_sensitive_and_other_tokens_are_extensions() {
    let standard = [
        ("GET", Method::Get),
        ("HEAD", Method::Head),
        ("POST", Method::Post),
        ("PUT", Method::Put),
        ("DELETE", Method::Delete),
        ("OPTIONS", Method::Options),
        ("TRACE", Method::Trace),
        ("PATCH", Method::Patch),
        ("get", Method::Extension("get")),
        ("Get", Method::Extension("Get")),
        ("PROPFIND", Method::Extension("PROPFIND")),
        ("GETX", Method::Extension("GETX")),
        ("GE", Method::Extension("GE")),
    ];
    for (token, method) in standard {
        let input = format!("{token} / HTTP/1.1\r\nHost: h\r\n\r\n");
        with_request(STRICT, input.as_bytes(), |r| {
            assert_eq!(r.method(), method, "{token}");
            // The variant itself: methods compare by name.
            let variant = std::mem::discriminant(&r.method());
            assert_eq!(variant, std::mem::discriminant(&method), "{token}");
            assert_eq!(r.method().as_str(), token);
        });
    }
    with_request(STRICT, b"CONNECT h:1 HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(r.method(), Method::Connect);
    });
}

// ---- request-target = visible ASCII (RFC 9112 §3.2) ----

#[test]
fn accepts_visible_ascii_target() {
    let target: Vec<u8> = (b'!'..=b'~').filter(|&b| b != b'#').collect();
    let mut input = b"GET /".to_vec();
    input.extend_from_slice(&target);
    input.extend_from_slice(b" HTTP/1.1\r\nHost: h\r\n\r\n");
    with_request(STRICT, &input, |r| {
        assert_eq!(r.target_bytes(), &input[4..5 + target.len()])
    });
}

// ---- HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3) ----

#[test]
fn accepts_http_1_0_and_1_1() {
    with_request(STRICT, b"GET / HTTP/1.0\r\n\r\n", |r| {
        assert_eq!(r.version(), Version::Http10)
    });
    with_request(STRICT, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(r.version(), Version::Http11)
    });
}

/// The status a server answers for each rule (RFC 9110 §15): `Error::status`. The rules'
/// accept/reject cases and offsets are in the corpus, `tests/cases/*.txt`.
#[test]
fn each_error_names_the_status_to_answer() {
    for (error, status) in [
        (Error::InvalidMethod, 400),
        (Error::MethodTooLong, 501),
        (Error::UnsupportedVersion, 505),
        (Error::MissingHost, 400),
        (Error::InvalidHost, 400),
        (Error::EmptyHost, 400),
        (Error::UnsupportedTransferCoding, 501),
        (Error::BodyTooLarge, 413),
        (Error::HeadTooLarge, 431),
        (Error::TargetTooLong, 414),
        (Error::TooManyHeaders, 431),
    ] {
        assert_eq!(error.status(), status, "{error:?}");
    }
}

// ---- at most one empty line before the request-line (RFC 9112 §2.2) ----

#[test]
fn accepts_one_leading_empty_line() {
    with_request(STRICT, b"\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!((r.method(), r.target()), (Method::Get, "/x"));
    });
}

// ---- lines end in CRLF (RFC 9112 §2.2) ----

#[test]
fn accepts_bare_lf_with_allow_bare_lf() {
    let lenient = STRICT.allow_bare_lf(true);
    assert_eq!(
        fields(lenient, b"GET / HTTP/1.1\nHost: h\nX: a \t\n\n"),
        fields(STRICT, b"GET / HTTP/1.1\r\nHost: h\r\nX: a \t\r\n\r\n"),
    );
}

// ---- field-name = token, directly followed by ":" (RFC 9112 §5.1, RFC 9110 §5.1) ----

#[test]
fn accepts_field_name_token_directly_followed_by_colon() {
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n";
    assert_eq!(
        fields(STRICT, input)[1],
        ("!#$%&'*+-.^_`|~09azAZ".to_owned(), b"v".to_vec())
    );
}

// ---- field values (RFC 9112 §5, RFC 9110 §5.5) ----

#[test]
fn trims_ows_around_field_value() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"X:a", b"a"),
        (b"X: a", b"a"),
        (b"X: \t a b \t ", b"a b"),
        (b"X:\ta\tb\t", b"a\tb"),
        (b"X:", b""),
        (b"X:   ", b""),
        (b"X: \t", b""),
    ];
    for &(line, value) in cases {
        let mut input = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n\r\n");
        assert_eq!(
            value_of(STRICT, &input, "x"),
            value,
            "{}",
            line.escape_ascii()
        );
    }
}

#[test]
fn accepts_htab_and_sp_inside_field_value() {
    let input = b"GET / HTTP/1.1\r\nHost: h\r\nX: a\tb c\t \td\r\n\r\n";
    assert_eq!(value_of(STRICT, input, "X"), b"a\tb c\t \td");
}

#[test]
fn accepts_every_visible_ascii_byte_in_field_value() {
    let value: Vec<u8> = (0x21..=0x7e).collect();
    let mut input = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
    input.extend_from_slice(&value);
    input.extend_from_slice(b"\r\n\r\n");
    assert_eq!(value_of(STRICT, &input, "x"), value);
}

#[test]
fn accepts_obs_text_in_field_value() {
    let value: Vec<u8> = (0x80..=0xff).collect();
    let mut input = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
    input.extend_from_slice(&value);
    input.extend_from_slice(b"\r\n\r\n");
    assert_eq!(value_of(STRICT, &input, "x"), value);
}

#[test]
fn rejects_nul_ctl_and_del_in_field_value() {
    let forbidden = (0x00..0x20u8).filter(|b| !matches!(b, b'\t' | b'\r' | b'\n'));
    for byte in forbidden.chain([0x7f]) {
        for (prefix, suffix) in [
            (&b"a"[..], &b"b"[..]),
            (b"", b"b"),
            (b"a", b""),
            (b" ", b" "),
        ] {
            let mut input = b"GET / HTTP/1.1\r\nHost: h\r\nX:".to_vec();
            input.extend_from_slice(prefix);
            let at = input.len();
            input.push(byte);
            input.extend_from_slice(suffix);
            input.extend_from_slice(b"\r\n\r\n");
            check(
                STRICT,
                &[(&input, Want::RejectAt(Error::InvalidHeaderValue, at))],
            );
            check(
                STRICT.allow_bare_lf(true).allow_obs_fold(true),
                &[(&input, Want::RejectAt(Error::InvalidHeaderValue, at))],
            );
        }
    }
}

/// The leniency keeps every byte: the value is the raw slice, fold included, the fields after
/// it are all there (httparse#222), and `unfolded` reads CR and LF as SP.
#[test]
fn accepts_obs_fold_with_allow_obs_fold_keeping_every_byte() {
    let lenient = STRICT.allow_obs_fold(true);
    let input = b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\t c\r\nHost: h\r\nY: z\r\n\r\n";
    assert_eq!(
        fields(lenient, input),
        vec![
            ("X".to_owned(), b"a\r\n b\r\n\t c".to_vec()),
            ("Host".to_owned(), b"h".to_vec()),
            ("Y".to_owned(), b"z".to_vec()),
        ]
    );
    with_request(lenient, input, |r| {
        let x = r.headers().nth(0).unwrap();
        assert_eq!(x.unfolded().collect::<Vec<u8>>(), b"a   b  \t c");
        // The raw value is a contiguous slice of the buffer: nothing was dropped.
        let start = input.windows(5).position(|w| w == b"a\r\n b").unwrap();
        assert_eq!(x.value, &input[start..start + x.value.len()]);
    });
    let both = lenient.allow_bare_lf(true);
    let input = b"GET / HTTP/1.1\nX: a\n b\nHost: h\n\n";
    with_request(both, input, |r| {
        let x = r.headers().get("x").unwrap();
        assert_eq!(x, b"a\n b");
        assert_eq!(
            r.headers().nth(0).unwrap().unfolded().collect::<Vec<u8>>(),
            b"a  b"
        );
        assert_eq!(r.headers().get("host"), Some(&b"h"[..]));
    });
}

// ---- Host: exactly one in HTTP/1.1 (RFC 9112 §3.2) ----

// ---- request-target forms and methods (RFC 9112 §3.2) ----

#[test]
fn accepts_origin_form_target() {
    for (target, path, query) in [
        ("/", "/", None),
        ("/a/b", "/a/b", None),
        ("/a?b=c", "/a", Some("b=c")),
        ("/a?b?c", "/a", Some("b?c")),
        ("/?", "/", Some("")),
        ("//x", "//x", None),
    ] {
        let input = format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        with_request(STRICT, input.as_bytes(), |r| {
            assert_eq!(r.target_form(), TargetForm::Origin, "{target}");
            assert_eq!((r.target(), r.path(), r.query()), (target, path, query));
        });
    }
}

#[test]
fn accepts_absolute_form_target() {
    for (method, target, path, query) in [
        ("GET", "http://example.com/a?b", "/a", Some("b")),
        ("GET", "http://example.com", "/", None),
        ("GET", "http://example.com?q", "/", Some("q")),
        ("GET", "https://example.com:8443/a/b", "/a/b", None),
        ("GET", "HTTP://[::1]:80/a", "/a", None),
        ("GET", "urn:isbn:0451450523", "isbn:0451450523", None),
        ("POST", "h+t-t.p9://x/y", "/y", None),
        ("OPTIONS", "http://example.com", "/", None),
    ] {
        let input = format!("{method} {target} HTTP/1.1\r\nHost: example.com\r\n\r\n");
        with_request(STRICT, input.as_bytes(), |r| {
            assert_eq!(r.target_form(), TargetForm::Absolute, "{target}");
            assert_eq!((r.target(), r.path(), r.query()), (target, path, query));
        });
    }
}

#[test]
fn accepts_authority_form_target_with_connect() {
    for target in ["example.com:443", "127.0.0.1:80", "[::1]:8443", "h:"] {
        let input = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n");
        with_request(STRICT, input.as_bytes(), |r| {
            assert_eq!(r.method(), Method::Connect);
            assert_eq!(r.target_form(), TargetForm::Authority, "{target}");
            assert_eq!((r.target(), r.path(), r.query()), (target, "", None));
        });
    }
}

#[test]
fn accepts_asterisk_form_target_with_options() {
    with_request(STRICT, b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(r.method(), Method::Options);
        assert_eq!(r.target_form(), TargetForm::Asterisk);
        assert_eq!((r.target(), r.path(), r.query()), ("*", "*", None));
    });
}

// ---- framing: Transfer-Encoding (RFC 9112 §6.1, §6.3) ----

fn post(fields: &str) -> Vec<u8> {
    format!("POST / HTTP/1.1\r\nHost: h\r\n{fields}\r\n").into_bytes()
}

#[test]
fn accepts_chunked_as_final_transfer_coding() {
    for te in [
        "Transfer-Encoding: chunked\r\n",
        "transfer-encoding: CHUNKED\r\n",
        "Transfer-Encoding: ,chunked , \r\n",
    ] {
        assert_eq!(framing_of(STRICT, &post(te)), Framing::Chunked, "{te}");
    }
}

// ---- framing: Content-Length = 1*DIGIT (RFC 9110 §8.6) ----

#[test]
fn accepts_content_length_of_digits() {
    let unlimited = STRICT.max_body_size(u64::MAX);
    for (cl, length) in [
        ("0", 0),
        ("5", 5),
        ("005", 5),
        // OWS around the value is not part of it.
        (" 5 ", 5),
        ("\t5\t", 5),
        ("18446744073709551615", u64::MAX),
    ] {
        let input = post(&format!("Content-Length:{cl}\r\n"));
        assert_eq!(
            framing_of(unlimited, &input),
            Framing::Length(length),
            "{cl:?}"
        );
    }
    assert_eq!(framing_of(STRICT, &post("")), Framing::NoBody);
}

#[test]
fn accepts_equal_content_lengths() {
    for fields in [
        "Content-Length: 5\r\nContent-Length: 5\r\n",
        "Content-Length: 5, 5\r\n",
        "Content-Length: 5,5 ,\t5\r\n",
        "Content-Length: 5\r\nX: y\r\ncontent-length: 005\r\n",
    ] {
        assert_eq!(
            framing_of(STRICT, &post(fields)),
            Framing::Length(5),
            "{fields}"
        );
    }
}

// ---- limits ----

const SMALL: &[u8] = b"GET /abcd HTTP/1.1\r\nHost: h\r\nX: 1\r\nY: 2\r\n\r\n";

#[test]
fn rejects_more_headers_than_parser_capacity() {
    check_with::<3, _>(STRICT, cases![SMALL => Want::Head]);
    check_with::<2, _>(
        STRICT,
        cases![SMALL => reject(Error::TooManyHeaders, "1\r\nY")],
    );
    check_with::<1, _>(
        STRICT.max_headers(100),
        cases![SMALL => reject(Error::TooManyHeaders, "h\r\nX")],
    );
    // The smaller of the capacity and the configured limit applies.
    check_with::<3, _>(
        STRICT.max_headers(2),
        cases![SMALL => reject(Error::TooManyHeaders, "1\r\nY")],
    );
    // The default capacity is 100 fields.
    let mut many = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
    for i in 1..100 {
        many.extend_from_slice(format!("X{i}: {i}\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    check(STRICT, &[(&many, Want::Head)]);
    let mut too_many = many[..many.len() - 2].to_vec();
    too_many.extend_from_slice(b"Z: z\r\n\r\n");
    check(
        STRICT,
        &[(&too_many, reject(Error::TooManyHeaders, "\r\nZ"))],
    );
}

#[test]
fn error_status_maps_each_rule_to_its_http_status() {
    let table = [
        (Error::InvalidMethod, 400),
        (Error::InvalidRequestLine, 400),
        (Error::InvalidTarget, 400),
        (Error::TargetFormMismatch, 400),
        (Error::InvalidVersion, 400),
        (Error::UnsupportedVersion, 505),
        (Error::BareCr, 400),
        (Error::BareLf, 400),
        (Error::InvalidHeaderName, 400),
        (Error::WhitespaceBeforeColon, 400),
        (Error::InvalidHeaderValue, 400),
        (Error::ObsFold, 400),
        (Error::MissingHost, 400),
        (Error::DuplicateHost, 400),
        (Error::InvalidHost, 400),
        (Error::InvalidContentLength, 400),
        (Error::ConflictingContentLength, 400),
        (Error::ContentLengthWithTransferEncoding, 400),
        (Error::InvalidTransferEncoding, 400),
        (Error::UnsupportedTransferCoding, 501),
        (Error::TransferEncodingInHttp10, 400),
        (Error::HeadTooLarge, 431),
        (Error::TargetTooLong, 414),
        (Error::TooManyHeaders, 431),
        (Error::BodyTooLarge, 413),
    ];
    for (error, status) in table {
        assert_eq!(error.status(), status, "{error:?}");
        // Display names the rule: the RFC section, or the limit.
        let text = error.to_string();
        assert!(
            text.contains("RFC") || text.contains("limit"),
            "{error:?}: {text}"
        );
    }
}

// ---- the parser's life cycle ----

#[test]
fn errors_are_sticky() {
    let mut parser = RequestParser::new();
    assert_eq!(
        parser.parse(b"GET / HTTP/1.1\r\nHost : h").err(),
        Some(Error::WhitespaceBeforeColon)
    );
    assert_eq!(parser.error_offset(), Some(20));
    // Whatever comes next, even a valid request, the error stays.
    assert_eq!(
        parser.parse(b"GET / HTTP/1.1\r\nHost : h\r\n\r\n").err(),
        Some(Error::WhitespaceBeforeColon)
    );
    assert_eq!(
        parser.parse(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n").err(),
        Some(Error::WhitespaceBeforeColon)
    );
    assert_eq!(parser.parse(b"").err(), Some(Error::WhitespaceBeforeColon));
    assert_eq!(parser.error_offset(), Some(20));
}

#[test]
fn reset_readies_the_parser_for_the_next_request() {
    let config = STRICT.max_headers(1);
    let mut parser: RequestParser = RequestParser::with_config(config);
    assert!(parser
        .parse(b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap()
        .is_complete());
    parser.reset();
    assert_eq!(parser.config(), &config);
    let request = parser
        .parse(b"POST /2 HTTP/1.0\r\n\r\n")
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        (request.method(), request.target(), request.version()),
        (Method::Post, "/2", Version::Http10)
    );
    assert!(request.headers().is_empty());
    // After an error too; the configuration stays.
    parser.reset();
    assert_eq!(
        parser
            .parse(b"GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\n")
            .err(),
        Some(Error::TooManyHeaders)
    );
    parser.reset();
    assert_eq!(parser.error_offset(), None);
    assert_eq!(
        parser.parse(b"GET / HTTP/1.1\r\n").unwrap(),
        Progress::Partial
    );
    assert!(parser
        .parse(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap()
        .is_complete());
}

#[test]
fn pipelined_bytes_after_the_head_are_not_consumed() {
    let first = b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n";
    let second = b"POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
    let mut wire = first.to_vec();
    wire.extend_from_slice(second);
    wire.extend_from_slice(b"abcGET /3 HTTP/1.1\r\n");
    let mut parser = RequestParser::new();
    let head_len = parser.parse(&wire).unwrap().complete().unwrap().head_len();
    assert_eq!(head_len, first.len());
    parser.reset();
    let rest = &wire[head_len..];
    let request = parser.parse(rest).unwrap().complete().unwrap();
    assert_eq!(
        (request.target(), request.framing()),
        ("/2", Framing::Length(3))
    );
    assert_eq!(request.head_len(), second.len());
    assert_eq!(&rest[request.head_len()..][..3], b"abc");
    // A head whose last CRLF is followed by a CR is still complete: the CR belongs to the body.
    let mut parser = RequestParser::new();
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n\r";
    assert_eq!(
        parser.parse(input).unwrap().complete().unwrap().head_len(),
        input.len() - 1
    );
}

#[test]
fn parse_after_complete_returns_the_same_request() {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nbody";
    let mut parser = RequestParser::new();
    let first = format!("{:?}", parser.parse(&input[..28]).unwrap());
    let again = format!("{:?}", parser.parse(input).unwrap());
    assert_eq!(first, again);
    // The buffer may move: the request is rebuilt from offsets.
    let moved = input.to_vec();
    let request = parser.request(&moved).unwrap();
    assert_eq!((request.target(), request.head_len()), ("/a", 28));
}

// ---- the Request accessors ----

#[test]
fn headers_lookup_is_case_insensitive() {
    let input =
        b"GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\nX-Y: 1\r\naccept: b\r\nACCEPT: c\r\n\r\n";
    with_request(STRICT, input, |r| {
        let headers = r.headers();
        assert_eq!(headers.get("accept"), Some(&b"a"[..]));
        assert_eq!(headers.get("AcCePt"), Some(&b"a"[..]));
        assert_eq!(headers.get("x-y"), Some(&b"1"[..]));
        assert_eq!(headers.get("x_y"), None);
        assert_eq!(headers.get("accep"), None);
        assert_eq!(headers.get(""), None);
        let all: Vec<&[u8]> = headers.get_all("ACCEPT").collect();
        assert_eq!(all, [&b"a"[..], b"b", b"c"]);
        assert_eq!(headers.get_all("missing").count(), 0);
    });
}

#[test]
fn headers_iterate_in_received_order_with_names_as_received() {
    let input = b"GET / HTTP/1.1\r\nX-B: 2\r\nHost: h\r\nx-a: 1\r\nX-B: 3\r\n\r\n";
    with_request(STRICT, input, |r| {
        let headers = r.headers();
        assert_eq!((headers.len(), headers.is_empty()), (4, false));
        assert_eq!(headers.iter().len(), 4);
        let names: Vec<&str> = headers.iter().map(|h| h.name).collect();
        assert_eq!(names, ["X-B", "Host", "x-a", "X-B"]);
        let values: Vec<&[u8]> = headers.into_iter().map(|h| h.value).collect();
        assert_eq!(values, [&b"2"[..], b"h", b"1", b"3"]);
        assert_eq!(headers.nth(2).map(|h| h.name), Some("x-a"));
        assert_eq!(headers.nth(4), None);
    });
}

#[test]
fn framing_is_none_length_or_chunked() {
    assert_eq!(framing_of(STRICT, &post("")), Framing::NoBody);
    assert_eq!(
        framing_of(STRICT, &post("Content-Length: 42\r\n")),
        Framing::Length(42)
    );
    assert_eq!(
        framing_of(STRICT, &post("Transfer-Encoding: chunked\r\n")),
        Framing::Chunked
    );
}

// ---------------------------------------------------------------------------------------------
// Connection options: persistence (RFC 9112 §9.3), Expect (RFC 9110 §10.1.1), Upgrade (§7.8)
// ---------------------------------------------------------------------------------------------

/// (keep_alive, expects_continue, wants_upgrade) of a complete head.
fn options_of(input: &str) -> (bool, bool, bool) {
    with_request(STRICT, input.as_bytes(), |request| {
        (
            request.keep_alive(),
            request.expects_continue(),
            request.wants_upgrade(),
        )
    })
}

#[test]
fn keep_alive_is_the_default_in_http11_and_opt_in_in_http10() {
    let table = [
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            false,
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: Close\r\n\r\n",
            false,
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n",
            true,
        ),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        (
            "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
            false,
        ),
        // A field that merely ends in "connection" is not one.
        (
            "GET / HTTP/1.0\r\nProxy-Connection: keep-alive\r\n\r\n",
            false,
        ),
    ];
    for (input, keep_alive) in table {
        assert_eq!(options_of(input).0, keep_alive, "{input:?}");
    }
}

#[test]
fn expects_continue_only_for_100_continue_in_http11() {
    let table = [
        (
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
            true,
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nexpect: 100-Continue\r\nContent-Length: 1\r\n\r\n",
            true,
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\n",
            false,
        ),
        // RFC 9110 §10.1.1: a server MUST ignore it in an HTTP/1.0 request.
        (
            "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
            false,
        ),
        (
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n",
            false,
        ),
    ];
    for (input, expects) in table {
        assert_eq!(options_of(input).1, expects, "{input:?}");
    }
}

#[test]
fn wants_upgrade_needs_the_field_and_the_connection_option() {
    let table = [
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            true,
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
            false,
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n",
            false,
        ),
        // RFC 9110 §7.8: a server MUST ignore Upgrade in an HTTP/1.0 request.
        (
            "GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            false,
        ),
        // RFC 9110 §7.8: Upgrade = #protocol; an empty list offers none.
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: , \r\n\r\n",
            false,
        ),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade:\r\nUpgrade: h2c\r\n\r\n",
            true,
        ),
    ];
    for (input, upgrade) in table {
        assert_eq!(options_of(input).2, upgrade, "{input:?}");
    }
}

#[test]
fn folded_connection_and_expect_values_read_as_if_each_fold_were_sp() {
    // RFC 9112 §5.2: a recipient replaces each obs-fold with SP before interpreting the value.
    let folded = STRICT.allow_obs_fold(true);
    let cases: [(&[u8], bool, bool); 4] = [
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive,\r\n close\r\n\r\n",
            false,
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: x,\r\n\tclose ,\r\n y\r\n\r\n",
            false,
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nExpect: foo,\r\n 100-continue\r\n\r\n",
            true,
            true,
        ),
        // A fold inside a member leaves it another word: `clo se` is not `close`.
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: clo\r\n se\r\n\r\n",
            true,
            false,
        ),
    ];
    for (input, keep_alive, expects_continue) in cases {
        let mut parser = RequestParser::with_config(folded);
        let Ok(Progress::Complete(request)) = parser.parse(input) else {
            panic!("{}", input.escape_ascii())
        };
        let shown = input.escape_ascii();
        assert_eq!(request.keep_alive(), keep_alive, "{shown}");
        assert_eq!(request.expects_continue(), expects_continue, "{shown}");
    }
}
