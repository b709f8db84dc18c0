//! Every head rule the crate enforces (RFC 9112 and RFC 9110), one test per rule named after it, with the
//! accepted and the rejected side as tables: input → expected result, error variant and offset.
//!
//! Offsets are written as a needle: the offending byte is the *last* byte of the first
//! occurrence of the needle in the input ("context, then the culprit").

use h1_parser::{Config, Error, Framing, Method, Parser, Status, TargetForm, Version};

const STRICT: Config = Config::new();

/// What one parse of a whole input must give.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Complete, and the head is the whole input.
    Head,
    /// Complete, and the head ends after this many bytes (the rest is body or pipelined).
    HeadOf(usize),
    /// Partial: the head is not complete yet.
    Partial,
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
        let mut parser = Parser::<N>::with_capacity(config);
        let got = parser
            .parse(input)
            .map(|status| status.complete().map(|request| request.head_len()));
        let (expected, offset) = match want {
            Want::Head => (Ok(Some(input.len())), None),
            Want::HeadOf(len) => (Ok(Some(len)), None),
            Want::Partial => (Ok(None), None),
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
    let mut parser: Parser = Parser::with_config(config);
    match parser.parse(input) {
        Ok(Status::Complete(request)) => f(&request),
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
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::Head,
            "GET /a/b?c=d HTTP/1.0\r\n\r\n" => Want::Head,
        ],
    );
    with_request(STRICT, b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(
            (r.method(), r.target(), r.version()),
            (Method::Get, "/x", Version::Http11)
        );
    });
}

#[test]
fn rejects_request_line_with_missing_or_doubled_space() {
    check(
        STRICT,
        cases![
            // Two SP after the method: the target would be empty.
            "GET  / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidRequestLine, "GET  "),
            // No SP before the version: the line ends after the target (HTTP/0.9 shape).
            "GET /HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidRequestLine, "/HTTP/1.1\r"),
            // No SP after the method: `/` is not a tchar.
            "GET/ HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "GET/"),
            // HTAB is not SP.
            "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "GET\t"),
            "GET /\tHTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "/\t"),
            // Trailing SP after the version.
            "GET / HTTP/1.1 \r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "1.1 "),
        ],
    );
}

/// Error's own documentation: InvalidRequestLine is "a missing or doubled space". A doubled SP
/// between the target and the version is that too, not a malformed version.
#[test]
fn rejects_doubled_space_before_version_as_invalid_request_line() {
    check(
        STRICT,
        cases![
            "GET /  HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidRequestLine, "/  "),
        ],
    );
}

#[test]
fn rejects_http09_request_line() {
    // llhttp#877: no `GET /` CRLF request-line, whichever line ending.
    check(
        STRICT,
        cases![
            "GET /\r\n\r\n" => reject(Error::InvalidRequestLine, "/\r"),
            "GET /\n\n" => reject(Error::InvalidRequestLine, "/\n"),
        ],
    );
    check(
        STRICT.allow_bare_lf(true),
        cases![
            "GET /\n\n" => reject(Error::InvalidRequestLine, "/\n"),
        ],
    );
}

// ---- method = token (RFC 9110 §9.1, §5.6.2) ----

#[test]
fn accepts_any_token_as_method() {
    let input = b"!#$%&'*+-.^_`|~0123456789azAZ / HTTP/1.0\r\n\r\n";
    check(STRICT, cases![input => Want::Head]);
    with_request(STRICT, input, |r| {
        assert_eq!(
            r.method(),
            Method::Extension("!#$%&'*+-.^_`|~0123456789azAZ")
        );
    });
}

#[test]
fn rejects_method_that_is_not_a_token() {
    check(
        STRICT,
        cases![
            " GET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::InvalidMethod, 0),
            "/ HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::InvalidMethod, 0),
            "G(ET / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "G("),
            "GE\"T / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "GE\""),
            "GE\0T / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "GE\0"),
            "GE\x7fT / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "GE\x7f"),
            b"GE\xc3\x89T / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, b"GE\xc3"),
            "GE\rT / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidMethod, "GE\r"),
        ],
    );
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
    check(STRICT, &[(&input, Want::Head)]);
    with_request(STRICT, &input, |r| {
        assert_eq!(r.target_bytes(), &input[4..5 + target.len()])
    });
}

/// RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ]: a client never sends a fragment,
/// and a proxy that strips it would see another target than the server behind it.
#[test]
fn rejects_fragment_in_target() {
    check(
        STRICT,
        cases![
            "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "/a#"),
            "GET /?q#b HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "/?q#"),
            "GET http://h/# HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "h/#"),
        ],
    );
}

#[test]
fn rejects_target_that_is_not_visible_ascii() {
    check(
        STRICT,
        cases![
            "GET /a\0 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "/a\0"),
            "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "/a\x01"),
            "GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "/a\x7f"),
            b"GET /a\x80 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, b"/a\x80"),
            b"GET /a\xff HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, b"/a\xff"),
            // A bare CR or LF in the target ends the request-line early.
            "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidRequestLine, "/a\r"),
            // Not one of the four forms.
            "GET ?a HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "GET ?"),
            "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "GET a"),
            "GET 1http://h/ HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "GET 1"),
        ],
    );
}

// ---- HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3) ----

#[test]
fn accepts_http_1_0_and_1_1() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.0\r\n\r\n" => Want::Head,
            "GET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::Head,
        ],
    );
    with_request(STRICT, b"GET / HTTP/1.0\r\n\r\n", |r| {
        assert_eq!(r.version(), Version::Http10)
    });
    with_request(STRICT, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(r.version(), Version::Http11)
    });
}

#[test]
fn rejects_version_that_is_not_http_digit_dot_digit() {
    check(
        STRICT,
        cases![
            "GET / http/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "/ h"),
            "GET / Http/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "/ Ht"),
            "GET / HTTPS/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "HTTPS"),
            "GET / HTTP/1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "HTTP/1\r"),
            "GET / HTTP/11.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "HTTP/11"),
            "GET / HTTP/1.10\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "HTTP/1.10"),
            "GET / HTTP/a.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "HTTP/a"),
            "GET / HTTP/1,1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "HTTP/1,"),
            "GET / HTTP/1.1x\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "1.1x"),
            "GET / \r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "/ \r"),
        ],
    );
}

#[test]
fn rejects_unsupported_version_with_505() {
    check(
        STRICT,
        cases![
            "GET / HTTP/2.0\r\nHost: h\r\n\r\n" => reject(Error::UnsupportedVersion, "/ H"),
            "GET / HTTP/0.9\r\nHost: h\r\n\r\n" => reject(Error::UnsupportedVersion, "/ H"),
            "GET / HTTP/9.9\r\n\r\n" => reject(Error::UnsupportedVersion, "/ H"),
        ],
    );
    assert_eq!(Error::UnsupportedVersion.status(), 505);
}

// ---- at most one empty line before the request-line (RFC 9112 §2.2) ----

#[test]
fn accepts_one_leading_empty_line() {
    check(
        STRICT,
        cases!["\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::Head],
    );
    check(
        STRICT.allow_bare_lf(true),
        cases!["\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::Head],
    );
    with_request(STRICT, b"\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!((r.method(), r.target()), (Method::Get, "/x"));
    });
}

#[test]
fn rejects_two_leading_empty_lines() {
    check(
        STRICT,
        cases![
            "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::InvalidRequestLine, 2),
        ],
    );
    check(
        STRICT.allow_bare_lf(true),
        cases![
            "\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::InvalidRequestLine, 1),
            "\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::InvalidRequestLine, 2),
            "\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::InvalidRequestLine, 1),
        ],
    );
}

// ---- lines end in CRLF (RFC 9112 §2.2) ----

/// A bare CR is an error in every configuration; `BareCr` points at the byte after the CR.
#[test]
fn rejects_bare_cr_anywhere() {
    let table = cases![
        "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::BareCr, 1),
        "GET / HTTP/1.1\rHost: h\r\n\r\n" => reject(Error::BareCr, "1.1\rH"),
        "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n" => reject(Error::BareCr, "h\rX"),
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n" => reject(Error::BareCr, "a\rb"),
        "GET / HTTP/1.1\r\nHost: h\r\nX:\r \r\n\r\n" => reject(Error::BareCr, "X:\r "),
        "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\r\n\r\n" => reject(Error::BareCr, "a\r\r"),
        // llhttp CVE-2023-30589: the empty line ending the head ended by a bare CR.
        "GET / HTTP/1.1\r\nHost: h\r\n\rX" => reject(Error::BareCr, "\r\n\rX"),
        "GET / HTTP/1.1\r\nHost: h\r\n\r\r\n" => reject(Error::BareCr, "\r\n\r\r"),
        // Inside a token a CR is not a line end: the token's own rule reports it.
        "GET / HTTP/1.1\r\nHo\rst: h\r\n\r\n" => reject(Error::InvalidHeaderName, "Ho\r"),
        "GET / HTTP/1.\r1\r\nHost: h\r\n\r\n" => reject(Error::InvalidVersion, "1.\r"),
    ];
    check(STRICT, table);
    check(STRICT.allow_bare_lf(true).allow_obs_fold(true), table);
}

#[test]
fn rejects_bare_lf_by_default() {
    // llhttp CVE-2022-32214/32215.
    check(
        STRICT,
        cases![
            "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::RejectAt(Error::BareLf, 0),
            "GET / HTTP/1.1\nHost: h\r\n\r\n" => reject(Error::BareLf, "1.1\n"),
            "GET / HTTP/1.1\r\nHost: h\n\r\n" => reject(Error::BareLf, "h\n"),
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\nb\r\n\r\n" => reject(Error::BareLf, "a\n"),
            "GET / HTTP/1.1\r\nHost: h\r\n\n" => reject(Error::BareLf, "h\r\n\n"),
        ],
    );
}

#[test]
fn accepts_bare_lf_with_allow_bare_lf() {
    let lenient = STRICT.allow_bare_lf(true);
    check(
        lenient,
        cases![
            "GET / HTTP/1.1\nHost: h\nX: a\n\n" => Want::Head,
            "GET / HTTP/1.1\r\nHost: h\nX: a\r\n\n" => Want::Head,
            "\nGET / HTTP/1.1\nHost: h\n\r\n" => Want::Head,
            "GET / HTTP/1.1\nHost: h\n\nbody" => Want::HeadOf(24),
        ],
    );
    assert_eq!(
        fields(lenient, b"GET / HTTP/1.1\nHost: h\nX: a \t\n\n"),
        fields(STRICT, b"GET / HTTP/1.1\r\nHost: h\r\nX: a \t\r\n\r\n"),
    );
}

// ---- field-name = token, directly followed by ":" (RFC 9112 §5.1, RFC 9110 §5.1) ----

#[test]
fn accepts_field_name_token_directly_followed_by_colon() {
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n";
    check(STRICT, cases![input => Want::Head]);
    assert_eq!(
        fields(STRICT, input)[1],
        ("!#$%&'*+-.^_`|~09azAZ".to_owned(), b"v".to_vec())
    );
}

#[test]
fn rejects_whitespace_before_colon() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost : h\r\n\r\n" => reject(Error::WhitespaceBeforeColon, "Host "),
            "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n" => reject(Error::WhitespaceBeforeColon, "Host\t"),
            // tiny_http RUSTSEC-2020-0031: normalised instead of rejected.
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n"
                => reject(Error::WhitespaceBeforeColon, "Encoding "),
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length  : 5\r\n\r\n"
                => reject(Error::WhitespaceBeforeColon, "Length "),
        ],
    );
    // No leniency relaxes it.
    check(
        STRICT.allow_bare_lf(true).allow_obs_fold(true),
        cases![
            "GET / HTTP/1.1\r\nHost : h\r\n\r\n" => reject(Error::WhitespaceBeforeColon, "Host "),
        ],
    );
}

#[test]
fn rejects_field_name_that_is_not_a_token() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n" => reject(Error::InvalidHeaderName, "\n:"),
            "GET / HTTP/1.1\r\nHost: h\r\nX(y: v\r\n\r\n" => reject(Error::InvalidHeaderName, "X("),
            "GET / HTTP/1.1\r\nHost: h\r\nX/y: v\r\n\r\n" => reject(Error::InvalidHeaderName, "X/"),
            "GET / HTTP/1.1\r\nHost: h\r\nX\x7f: v\r\n\r\n" => reject(Error::InvalidHeaderName, "X\x7f"),
            "GET / HTTP/1.1\r\nHost: h\r\nX\0: v\r\n\r\n" => reject(Error::InvalidHeaderName, "X\0"),
            b"GET / HTTP/1.1\r\nHost: h\r\nX\xe9: v\r\n\r\n" => reject(Error::InvalidHeaderName, b"X\xe9"),
            "GET / HTTP/1.1\r\nHost: h\r\n\x7fX: v\r\n\r\n" => reject(Error::InvalidHeaderName, "\n\x7f"),
            // A line without a colon.
            "GET / HTTP/1.1\r\nHost: h\r\nXy\r\n\r\n" => reject(Error::InvalidHeaderName, "Xy\r"),
        ],
    );
}

#[test]
fn rejects_whitespace_before_first_field_line() {
    // RFC 9112 §2.2: whitespace between the request-line and the first field line.
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\n Host: h\r\n\r\n" => reject(Error::InvalidHeaderName, "\n "),
            "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n" => reject(Error::InvalidHeaderName, "\n\t"),
        ],
    );
    check(
        STRICT.allow_obs_fold(true),
        cases![
            "GET / HTTP/1.1\r\n Host: h\r\n\r\n" => reject(Error::InvalidHeaderName, "\n "),
        ],
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

#[test]
fn rejects_obs_fold_by_default() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n" => reject(Error::ObsFold, "a\r\n "),
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n" => reject(Error::ObsFold, "a\r\n\t"),
            "GET / HTTP/1.1\r\nHost: h\r\nX:\r\n b\r\n\r\n" => reject(Error::ObsFold, "X:\r\n "),
            // llhttp CVE-2024-27982: a fold hiding a Content-Length.
            "POST / HTTP/1.1\r\nHost: h\r\nX: a\r\n Content-Length: 5\r\n\r\n"
                => reject(Error::ObsFold, "a\r\n "),
        ],
    );
    check(
        STRICT.allow_bare_lf(true),
        cases![
            "GET / HTTP/1.1\nHost: h\nX: a\n b\n\n" => reject(Error::ObsFold, "a\n "),
        ],
    );
}

/// The leniency keeps every byte: the value is the raw slice, fold included, the fields after
/// it are all there (httparse#222), and `unfolded` reads CR and LF as SP.
#[test]
fn accepts_obs_fold_with_allow_obs_fold_keeping_every_byte() {
    let lenient = STRICT.allow_obs_fold(true);
    let input = b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\t c\r\nHost: h\r\nY: z\r\n\r\n";
    check(lenient, cases![input => Want::Head]);
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
    check(both, cases![input => Want::Head]);
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

#[test]
fn accepts_exactly_one_host() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: h\r\n\r\n" => Want::Head,
            "GET / HTTP/1.1\r\nhOST: h\r\n\r\n" => Want::Head,
            "GET / HTTP/1.0\r\nHost: h\r\n\r\n" => Want::Head,
        ],
    );
}

#[test]
fn accepts_http10_request_without_host() {
    check(
        STRICT,
        cases!["GET / HTTP/1.0\r\nX: y\r\n\r\n" => Want::Head],
    );
}

#[test]
fn rejects_http11_request_without_host() {
    // The offset is the start of the final empty line, where the head is known to lack Host.
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\n\r\n" => Want::RejectAt(Error::MissingHost, 16),
            "GET / HTTP/1.1\r\nX: h\r\nHosts: h\r\n\r\n" => Want::RejectAt(Error::MissingHost, 32),
        ],
    );
    assert_eq!(Error::MissingHost.status(), 400);
}

/// The errors decided at the end of the head point at the start of the final empty line; with
/// the bare-LF leniency that line is one byte long.
#[test]
fn head_end_errors_point_at_the_final_empty_line_under_bare_lf() {
    let lf = STRICT.allow_bare_lf(true);
    check(
        lf,
        cases![
            "GET / HTTP/1.1\nX: a\n\n" => Want::RejectAt(Error::MissingHost, 20),
            "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip\n\n"
                => Want::RejectAt(Error::InvalidTransferEncoding, 48),
        ],
    );
}

/// RFC 9110 §7.2: Host = uri-host [ ":" port ] (empty: the corpus, `host.txt`).
#[test]
fn accepts_host_of_uri_host_and_port() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n" => Want::Head,
            "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n" => Want::Head,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" => Want::Head,
            "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n" => Want::Head,
            "GET / HTTP/1.1\r\nHost: a%2Eexample \r\n\r\n" => Want::Head,
        ],
    );
}

/// RFC 9112 §3.2: a Host field with an invalid field value gets a 400, like a missing one.
#[test]
fn rejects_invalid_host() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n" => reject(Error::InvalidHost, "\nH"),
            "GET / HTTP/1.1\r\nHost: a b\r\n\r\n" => reject(Error::InvalidHost, "\nH"),
            "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n" => reject(Error::InvalidHost, "\nH"),
            "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n" => reject(Error::InvalidHost, "\nH"),
            "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n" => reject(Error::InvalidHost, "\nH"),
            "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n" => reject(Error::InvalidHost, "\nH"),
            b"GET / HTTP/1.1\r\nHost: \xc3\xa9\r\n\r\n" => reject(Error::InvalidHost, b"\nH"),
        ],
    );
    assert_eq!(Error::InvalidHost.status(), 400);
}

#[test]
fn rejects_duplicate_host() {
    check(
        STRICT,
        cases![
            "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n" => reject(Error::DuplicateHost, "\r\nHost: a\r\nH"),
            "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\nhost: b\r\n\r\n" => reject(Error::DuplicateHost, "\nh"),
            "GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n\r\n" => reject(Error::DuplicateHost, "a\r\nH"),
        ],
    );
}

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

/// RFC 9110 §4.2.1: an http(s) URI with an empty host MUST be rejected; §4.2.4: userinfo in
/// one SHOULD be treated as an error (`http://trusted.example@evil.example/`).
#[test]
fn rejects_http_target_without_host_or_with_userinfo() {
    check(
        STRICT,
        cases![
            "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "T h"),
            "GET https://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "T h"),
            "GET http://u:p@h:80/ HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "T h"),
            "GET http:h/x HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "T h"),
        ],
    );
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
fn rejects_connect_with_target_not_in_authority_form() {
    // RFC 9112 §3.2.3: CONNECT uses authority-form, and only that.
    check(
        STRICT,
        cases![
            "CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T /"),
            "CONNECT * HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T *"),
            "CONNECT http://h:1/ HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T h"),
            "CONNECT example.com HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T e"),
            "CONNECT u@h:1 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T u"),
            "CONNECT :443 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T :"),
            "CONNECT h:x HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T h"),
        ],
    );
}

/// Error::TargetFormMismatch documents "authority-form only and always with CONNECT". A target
/// that can only be authority-form (it has no scheme: the part before the colon starts with a
/// digit or a bracket) sent with GET is well-formed in the wrong place: TargetFormMismatch, not
/// InvalidTarget.
#[test]
fn rejects_authority_form_target_without_connect() {
    check(
        STRICT,
        cases![
            "GET 127.0.0.1:80 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T 1"),
            "GET [::1]:80 HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T ["),
        ],
    );
}

#[test]
fn accepts_asterisk_form_target_with_options() {
    with_request(STRICT, b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", |r| {
        assert_eq!(r.method(), Method::Options);
        assert_eq!(r.target_form(), TargetForm::Asterisk);
        assert_eq!((r.target(), r.path(), r.query()), ("*", "*", None));
    });
}

#[test]
fn rejects_asterisk_form_target_without_options() {
    // RFC 9112 §3.2.4: asterisk-form is only used for a server-wide OPTIONS.
    check(
        STRICT,
        cases![
            "GET * HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "T *"),
            "options * HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "s *"),
            "OPTIONSX * HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::TargetFormMismatch, "X *"),
            // `*` is the whole target, not a prefix.
            "OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n" => reject(Error::InvalidTarget, "S *"),
        ],
    );
}

// ---- framing: Transfer-Encoding (RFC 9112 §6.1, §6.3) ----

fn post(fields: &str) -> Vec<u8> {
    format!("POST / HTTP/1.1\r\nHost: h\r\n{fields}\r\n").into_bytes()
}

fn post10(fields: &str) -> Vec<u8> {
    format!("POST / HTTP/1.0\r\n{fields}\r\n").into_bytes()
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

#[test]
fn rejects_transfer_encoding_whose_final_coding_is_not_chunked() {
    // RFC 9112 §6.3 item 4: the length cannot be determined. The offset is the final empty line.
    for te in [
        "Transfer-Encoding: gzip\r\n",
        "Transfer-Encoding: identity\r\n",
        "Transfer-Encoding: chunked, gzip\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
    ] {
        let input = post(te);
        check(
            STRICT,
            &[(
                &input,
                Want::RejectAt(Error::InvalidTransferEncoding, input.len() - 2),
            )],
        );
    }
}

#[test]
fn rejects_unsupported_transfer_coding_with_501() {
    for te in [
        "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: x-custom,chunked\r\n",
    ] {
        let input = post(te);
        check(
            STRICT,
            &[(
                &input,
                Want::RejectAt(Error::UnsupportedTransferCoding, input.len() - 2),
            )],
        );
    }
    assert_eq!(Error::UnsupportedTransferCoding.status(), 501);
}

#[test]
fn rejects_chunked_applied_twice() {
    // RFC 9112 §6.1: chunked MUST NOT be applied more than once. The offset is the field.
    check(
        STRICT,
        &[
            (
                &post("Transfer-Encoding: chunked, chunked\r\n"),
                reject(Error::InvalidTransferEncoding, "\nT"),
            ),
            (
                &post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
                reject(Error::InvalidTransferEncoding, "chunked\r\nT"),
            ),
        ],
    );
}

#[test]
fn rejects_malformed_transfer_encoding_list() {
    for te in [
        "",
        ",",
        " , ",
        "chunked;q=1",
        "chun ked",
        "\"chunked\"",
        "chunked/1",
    ] {
        let input = post(&format!("Transfer-Encoding: {te}\r\n"));
        check(
            STRICT,
            &[(&input, reject(Error::InvalidTransferEncoding, "\nT"))],
        );
    }
}

#[test]
fn combines_transfer_encoding_fields_into_one_list() {
    // hyper RUSTSEC-2021-0020, tiny_http#287: several fields are one list; only the last coding
    // decides, and `chunked` in an earlier field does not make the body chunked.
    let gzip_then_chunked =
        post("Transfer-Encoding: gzip\r\nX: y\r\nTransfer-Encoding: chunked\r\n");
    let chunked_then_gzip = post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n");
    let empty_then_chunked = post("Transfer-Encoding: ,\r\nTransfer-Encoding: chunked\r\n");
    check(
        STRICT,
        &[
            (
                &gzip_then_chunked,
                Want::RejectAt(
                    Error::UnsupportedTransferCoding,
                    gzip_then_chunked.len() - 2,
                ),
            ),
            (
                &chunked_then_gzip,
                Want::RejectAt(Error::InvalidTransferEncoding, chunked_then_gzip.len() - 2),
            ),
            (
                &empty_then_chunked,
                reject(Error::InvalidTransferEncoding, "\nT"),
            ),
        ],
    );
}

#[test]
fn rejects_content_length_with_transfer_encoding() {
    // RFC 9112 §6.1 / §6.3 item 3, hyper#4123: both orders; the offset is the second field.
    check(
        STRICT,
        &[
            (
                &post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
                reject(Error::ContentLengthWithTransferEncoding, "\nT"),
            ),
            (
                &post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"),
                reject(Error::ContentLengthWithTransferEncoding, "\nC"),
            ),
            (
                &post("Transfer-Encoding: gzip, chunked\r\nX: y\r\ncontent-length: 0\r\n"),
                reject(Error::ContentLengthWithTransferEncoding, "\nc"),
            ),
        ],
    );
}

#[test]
fn rejects_transfer_encoding_in_http10() {
    check(
        STRICT,
        &[
            (
                &post10("Transfer-Encoding: chunked\r\n"),
                reject(Error::TransferEncodingInHttp10, "\nT"),
            ),
            (
                &post10("Host: h\r\ntransfer-encoding: chunked\r\n"),
                reject(Error::TransferEncodingInHttp10, "\nt"),
            ),
        ],
    );
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
fn rejects_content_length_that_is_not_digits() {
    // hyper GHSA-f3pg-qwvg-p99c: `+5`; and no sign, space, hex, fraction or overflow.
    let unlimited = STRICT.max_body_size(u64::MAX);
    for cl in [
        "+5",
        "-1",
        "5 5",
        "5\t5",
        "0x5",
        "5.0",
        "1_000",
        "",
        "5,",
        ",5",
        "5;q",
        "18446744073709551616",
        "99999999999999999999999",
    ] {
        let input = post(&format!("Content-Length: {cl}\r\n"));
        check(
            unlimited,
            &[(&input, reject(Error::InvalidContentLength, "\nC"))],
        );
    }
    let input = post("Content-Length: \u{0665}\r\n");
    check(
        STRICT,
        &[(&input, reject(Error::InvalidContentLength, "\nC"))],
    );
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

#[test]
fn rejects_conflicting_content_lengths() {
    check(
        STRICT,
        &[
            (
                &post("Content-Length: 5\r\nContent-Length: 6\r\n"),
                reject(Error::ConflictingContentLength, "5\r\nC"),
            ),
            (
                &post("Content-Length: 5, 6\r\n"),
                reject(Error::ConflictingContentLength, "\nC"),
            ),
            (
                &post("Content-Length: 5\r\nContent-Length: 5, 50\r\n"),
                reject(Error::ConflictingContentLength, "5\r\nC"),
            ),
        ],
    );
}

#[test]
fn rejects_content_length_above_max_body_size() {
    let config = STRICT.max_body_size(10);
    check(
        config,
        &[
            (&post("Content-Length: 10\r\n"), Want::Head),
            (
                &post("Content-Length: 11\r\n"),
                reject(Error::BodyTooLarge, "\nC"),
            ),
        ],
    );
    assert_eq!(Error::BodyTooLarge.status(), 413);
}

// ---- limits ----

const SMALL: &[u8] = b"GET /abcd HTTP/1.1\r\nHost: h\r\nX: 1\r\nY: 2\r\n\r\n";

#[test]
fn rejects_head_larger_than_max_head_size() {
    let len = SMALL.len();
    check(STRICT.max_head_size(len), cases![SMALL => Want::Head]);
    check(
        STRICT.max_head_size(len - 1),
        cases![SMALL => Want::RejectAt(Error::HeadTooLarge, len - 1)],
    );
    check(
        STRICT.max_head_size(10),
        cases![SMALL => Want::RejectAt(Error::HeadTooLarge, 10)],
    );
    check(
        STRICT.max_head_size(0),
        cases![SMALL => Want::RejectAt(Error::HeadTooLarge, 0)],
    );
    // Only a buffer longer than the limit proves the head is too large.
    check(STRICT.max_head_size(10), &[(&SMALL[..10], Want::Partial)]);
    // The body after a head that fits does not count.
    let mut with_body = SMALL.to_vec();
    with_body.extend_from_slice(&[b'x'; 100]);
    check(
        STRICT.max_head_size(len),
        &[(&with_body, Want::HeadOf(len))],
    );
    assert_eq!(Error::HeadTooLarge.status(), 431);
}

#[test]
fn rejects_target_longer_than_max_target_len() {
    check(STRICT.max_target_len(5), cases![SMALL => Want::Head]);
    // The offset is the first byte past the limit.
    check(
        STRICT.max_target_len(4),
        cases![SMALL => Want::RejectAt(Error::TargetTooLong, 8)],
    );
    check(
        STRICT.max_target_len(0),
        cases![SMALL => Want::RejectAt(Error::TargetTooLong, 4)],
    );
    // Known as soon as the target is longer, before it ends.
    check(
        STRICT.max_target_len(2),
        &[(&SMALL[..7], Want::RejectAt(Error::TargetTooLong, 6))],
    );
    check(STRICT.max_target_len(3), &[(&SMALL[..7], Want::Partial)]);
    assert_eq!(Error::TargetTooLong.status(), 414);
}

#[test]
fn rejects_more_headers_than_max_headers() {
    check(STRICT.max_headers(3), cases![SMALL => Want::Head]);
    check(
        STRICT.max_headers(2),
        cases![SMALL => reject(Error::TooManyHeaders, "1\r\nY")],
    );
    check(
        STRICT.max_headers(0),
        cases![SMALL => reject(Error::TooManyHeaders, "\nH")],
    );
    check(
        STRICT.max_headers(0),
        cases!["GET / HTTP/1.0\r\n\r\n" => Want::Head],
    );
    assert_eq!(Error::TooManyHeaders.status(), 431);
}

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
    let mut parser = Parser::new();
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
    let mut parser: Parser = Parser::with_config(config);
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
        Status::Partial
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
    let mut parser = Parser::new();
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
    let mut parser = Parser::new();
    let input = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n\r";
    assert_eq!(
        parser.parse(input).unwrap().complete().unwrap().head_len(),
        input.len() - 1
    );
}

#[test]
fn parse_after_complete_returns_the_same_request() {
    let input = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nbody";
    let mut parser = Parser::new();
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
        let mut parser = Parser::with_config(folded);
        let Ok(Status::Complete(request)) = parser.parse(input) else {
            panic!("{}", input.escape_ascii())
        };
        let shown = input.escape_ascii();
        assert_eq!(request.keep_alive(), keep_alive, "{shown}");
        assert_eq!(request.expects_continue(), expects_continue, "{shown}");
    }
}
