//! Resumability: every request of a varied suite, fed at every split point (prefix, then the
//! whole) and one byte at a time, gives exactly the one-shot result: the same Partial, Complete
//! or error, the same error offset, the same fields. Limits included (h11#182: whether a limit
//! triggers must not depend on how the bytes arrived).

use h1_parser::{Config, RequestParser};

const STRICT: Config = Config::new();

/// One request of the suite: a name for the failure message, a configuration, the bytes.
struct Case {
    name: &'static str,
    config: Config,
    input: &'static [u8],
}

const fn case(name: &'static str, config: Config, input: &'static [u8]) -> Case {
    Case {
        name,
        config,
        input,
    }
}

const BROWSER: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; __utma=xxxxxxxxx.xxxxxxxxxx.x; __utmz=utmccn=(referral)|utmcsr=reader.livedoor.com\r\n\r\n";

const LIMITED: &[u8] =
    b"GET /0123456789abcdef HTTP/1.1\r\nHost: example.com\r\nX-A: aaaaaaaaaaaaaaaa\r\nX-B: b\r\nX-C: c\r\n\r\n";

fn suite() -> Vec<Case> {
    let lf = STRICT.allow_bare_lf(true);
    let fold = STRICT.allow_obs_fold(true);
    let lenient = lf.allow_obs_fold(true);
    vec![
        // Valid requests.
        case("simple GET", STRICT, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("browser", STRICT, BROWSER),
        case("HTTP/1.0 without Host", STRICT, b"GET /x HTTP/1.0\r\nX: y\r\n\r\n"),
        case("body and pipelined request after the head", STRICT,
            b"POST /u?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabcGET / HTTP/1.1\r\n"),
        case("chunked", STRICT, b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        case("leading empty line", STRICT, b"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("absolute-form", STRICT, b"GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        case("authority-form", STRICT, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
        case("asterisk-form", STRICT, b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("obs-text, HTAB and OWS in values", STRICT,
            b"GET / HTTP/1.1\r\nHost: h\r\nX: \t \xff\x80a\tb c \t\r\nEmpty:\r\nY:z\r\n\r\n"),
        case("bare LF, leniency on", lf, b"\nGET / HTTP/1.1\nHost: h\r\nX: 1\n\nbody"),
        case("obs-fold, leniency on", fold, b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\t\tc \r\nHost: h\r\n\r\n"),
        case("obs-fold and bare LF, leniencies on", lenient, b"GET / HTTP/1.1\nX: a\n b\r\n c\nHost: h\n\n"),
        // Errors.
        case("two leading empty lines", STRICT, b"\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("bare LF, strict", STRICT, b"GET / HTTP/1.1\r\nHost: h\nX: 1\r\n\r\n"),
        case("bare CR in a value", lenient, b"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n"),
        case("bare CR ending the head", STRICT, b"GET / HTTP/1.1\r\nHost: h\r\n\rX\r\n"),
        case("obs-fold, strict", STRICT, b"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n Content-Length: 5\r\n\r\n"),
        case("whitespace before colon", STRICT, b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n"),
        case("NUL in a value", STRICT, b"GET / HTTP/1.1\r\nHost: h\r\nX: abc\0def\r\n\r\n"),
        case("invalid method", STRICT, b"G(ET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("doubled SP", STRICT, b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("unsupported version", STRICT, b"GET / HTTP/2.0\r\nHost: h\r\n\r\n"),
        case("invalid version", STRICT, b"GET / HTTP/1.1x\r\nHost: h\r\n\r\n"),
        case("asterisk without OPTIONS", STRICT, b"GET * HTTP/1.1\r\nHost: h\r\n\r\n"),
        case("missing Host", STRICT, b"GET / HTTP/1.1\r\nX: h\r\n\r\n"),
        case("duplicate Host", STRICT, b"GET / HTTP/1.1\r\nHost: h\r\nhost: h\r\n\r\n"),
        case("Content-Length then Transfer-Encoding", STRICT,
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nabcde"),
        case("gzip, chunked", STRICT, b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
        case("conflicting Content-Length", STRICT,
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
        case("Content-Length with a sign", STRICT, b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n"),
        case("Transfer-Encoding in HTTP/1.0", STRICT, b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
        // Limits.
        case("head exactly at max_head_size", STRICT.max_head_size(LIMITED.len()), LIMITED),
        case("head one byte over max_head_size", STRICT.max_head_size(LIMITED.len() - 1), LIMITED),
        case("max_head_size inside a value", STRICT.max_head_size(60), LIMITED),
        case("max_head_size inside the target", STRICT.max_head_size(10), LIMITED),
        case("max_head_size before an error further on", STRICT.max_head_size(20),
            b"GET / HTTP/1.1\r\nHost: h\r\nX: \0\r\n\r\n"),
        case("target exactly at max_target_len", STRICT.max_target_len(17), LIMITED),
        case("target over max_target_len", STRICT.max_target_len(16), LIMITED),
        case("target over max_target_len and max_head_size", STRICT.max_target_len(8).max_head_size(12), LIMITED),
        case("max_headers reached", STRICT.max_headers(4), LIMITED),
        case("max_headers exceeded", STRICT.max_headers(3), LIMITED),
        case("Content-Length over max_body_size", STRICT.max_body_size(4),
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"),
    ]
}

/// Feeds `input` to one parser as `cuts` prefixes then the whole, and checks that every call
/// answers what a fresh parser answers for the same bytes in one call, error offset included.
fn check_pieces<const N: usize>(config: Config, input: &[u8], cuts: &[usize], name: &str) {
    let mut parser = RequestParser::<N>::from_config(config);
    for &cut in cuts.iter().chain([&input.len()]) {
        let bytes = &input[..cut];
        let mut fresh = RequestParser::<N>::from_config(config);
        let expected = fresh.parse(bytes);
        let got = parser.parse(bytes);
        assert_eq!(got, expected, "{name}: cuts {cuts:?}, at {cut}");
        assert_eq!(
            parser.error_offset(),
            fresh.error_offset(),
            "{name}: error offset, cuts {cuts:?}, at {cut}"
        );
    }
}

fn check_every_split<const N: usize>(config: Config, input: &[u8], name: &str) {
    // Two calls: every prefix, then the whole.
    for cut in 0..=input.len() {
        check_pieces::<N>(config, input, &[cut], name);
    }
    // One byte at a time.
    let growing: Vec<usize> = (0..input.len()).collect();
    check_pieces::<N>(config, input, &growing, name);
}

#[test]
fn every_split_gives_the_one_shot_result() {
    for case in suite() {
        check_every_split::<100>(case.config, case.input, case.name);
    }
}

#[test]
fn every_split_gives_the_one_shot_result_at_the_capacity_limit() {
    // `RequestParser::<N>`: the const-generic capacity is a limit like the configured ones.
    check_every_split::<4>(STRICT, LIMITED, "capacity 4: exactly full");
    check_every_split::<3>(STRICT, LIMITED, "capacity 3: one field too many");
    check_every_split::<0>(STRICT, b"GET / HTTP/1.0\r\n\r\n", "capacity 0, no fields");
    check_every_split::<0>(STRICT, LIMITED, "capacity 0, fields");
}

/// The suite covers what it claims: each kind of outcome occurs, so a parser that, say, always
/// answered Partial would not pass the split tests vacuously.
#[test]
fn the_suite_has_complete_and_error_outcomes() {
    let (mut complete, mut errors) = (0, Vec::new());
    for case in suite() {
        let mut parser: RequestParser = RequestParser::with_config(case.config);
        match parser.parse(case.input) {
            Ok(status) => {
                assert!(
                    status.is_complete(),
                    "{}: a whole case must not be Partial",
                    case.name
                );
                complete += 1;
            }
            Err(error) => errors.push(error),
        }
    }
    errors.sort_by_key(|e| format!("{e:?}"));
    errors.dedup();
    assert!(complete >= 12, "{complete} complete");
    assert!(errors.len() >= 18, "{errors:?}");
    assert!(errors.contains(&h1_parser::Error::HeadTooLarge));
    assert!(errors.contains(&h1_parser::Error::TargetTooLong));
    assert!(errors.contains(&h1_parser::Error::TooManyHeaders));
}
