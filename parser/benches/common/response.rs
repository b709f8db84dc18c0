//! Response heads and the three parsers' response drivers, shared by the criterion benchmark
//! (`responses.rs`) and the alternating timing/counting binary (`peers.rs`).

use std::ffi::{c_char, c_int};
use std::mem::MaybeUninit;
use std::ptr;

use h1_parser::{Progress, ResponseParser};
use picohttpparser_sys::{phr_header, phr_parse_response};

/// The header capacity httparse's and pico's users commonly give them.
pub const PEER_HEADERS: usize = 64;

/// A typical response head of about 300 bytes: what a web server answers for a page.
pub const RESPONSE_300: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Thu, 26 Nov 2026 14:00:00 GMT\r\n\
Server: nginx/1.25.3\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Length: 12345\r\n\
Connection: keep-alive\r\n\
Cache-Control: public, max-age=3600\r\n\
ETag: \"5f8a1b2c-3039\"\r\n\
Last-Modified: Wed, 25 Nov 2026 10:00:00 GMT\r\n\
Vary: Accept-Encoding\r\n\
\r\n";

/// A response head with 20 fields, Set-Cookie among them (three of them, long).
pub const RESPONSE_20_FIELDS: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Thu, 26 Nov 2026 14:00:00 GMT\r\n\
Server: Apache/2.4.58 (Unix)\r\n\
Content-Type: text/html; charset=UTF-8\r\n\
Content-Length: 48213\r\n\
Connection: keep-alive\r\n\
Keep-Alive: timeout=5, max=100\r\n\
Cache-Control: private, no-cache, no-store, must-revalidate\r\n\
Pragma: no-cache\r\n\
Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n\
Set-Cookie: session_id=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c; Path=/; HttpOnly; Secure; SameSite=Lax\r\n\
Set-Cookie: csrftoken=Zx81kQpL0mNvB7rT4yWu2sEa9dFg6hJk; Path=/; Max-Age=31449600; SameSite=Strict\r\n\
Set-Cookie: _ga=GA1.2.1234567890.1764165600; Domain=.example.com; Path=/; Expires=Sat, 26 Nov 2028 14:00:00 GMT\r\n\
Vary: Accept-Encoding, Cookie\r\n\
X-Frame-Options: SAMEORIGIN\r\n\
X-Content-Type-Options: nosniff\r\n\
Strict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\n\
Content-Security-Policy: default-src 'self'; img-src 'self' data: https:; script-src 'self'\r\n\
Referrer-Policy: strict-origin-when-cross-origin\r\n\
X-Request-Id: 7d3c9f2a-41b8-4e6d-9a0c-5b2e8f1d6c34\r\n\
Via: 1.1 varnish (Varnish/7.4)\r\n\
\r\n";

/// The inputs: name, bytes, and the bytes more per call (`None`: the whole head at once).
pub const INPUTS: [(&str, &[u8], Option<usize>); 3] = [
    ("response-300", RESPONSE_300, None),
    ("response-20-fields", RESPONSE_20_FIELDS, None),
    (
        "response-20-fields-trickle-64",
        RESPONSE_20_FIELDS,
        Some(64),
    ),
];

/// What a parse found: the head length and the number of fields.
pub type Parsed = (usize, usize);

/// The three parsers, each with the state its users keep across messages.
pub struct Drivers {
    h1: ResponseParser,
    httparse: [MaybeUninit<httparse::Header<'static>>; PEER_HEADERS],
    pico: [MaybeUninit<phr_header>; PEER_HEADERS],
}

impl Drivers {
    pub fn new() -> Drivers {
        Drivers {
            h1: ResponseParser::new(),
            httparse: [const { MaybeUninit::uninit() }; PEER_HEADERS],
            pico: [const { MaybeUninit::uninit() }; PEER_HEADERS],
        }
    }

    pub fn run(&mut self, parser: &str, buf: &'static [u8], step: Option<usize>) -> Parsed {
        match (parser, step) {
            ("h1", None) => h1(&mut self.h1, buf),
            ("h1", Some(step)) => h1_trickle(&mut self.h1, buf, step),
            ("httparse", None) => httparse(&mut self.httparse, buf),
            ("httparse", Some(step)) => {
                for end in prefixes(buf.len(), step) {
                    if let Some(parsed) = httparse_partial(&mut self.httparse, &buf[..end]) {
                        return parsed;
                    }
                }
                panic!("httparse: incomplete")
            }
            ("pico", None) => pico(&mut self.pico, buf, 0).expect("complete"),
            ("pico", Some(step)) => {
                let mut last_len = 0;
                for end in prefixes(buf.len(), step) {
                    match pico(&mut self.pico, &buf[..end], last_len) {
                        Some(parsed) => return parsed,
                        None => last_len = end,
                    }
                }
                panic!("pico: incomplete")
            }
            (other, _) => panic!("no parser {other}"),
        }
    }
}

/// The lengths of the prefixes a trickle delivers: `step`, `2 * step`, ..., then `len`.
pub fn prefixes(len: usize, step: usize) -> impl Iterator<Item = usize> {
    (step..len).step_by(step).chain(std::iter::once(len))
}

/// h1-parser fed growing prefixes of `buf`, `step` more bytes per call, one parser throughout.
pub fn h1_trickle(parser: &mut ResponseParser, buf: &[u8], step: usize) -> Parsed {
    parser.reset();
    for end in prefixes(buf.len(), step) {
        match parser.parse(&buf[..end]) {
            Ok(Progress::Partial) => {}
            Ok(Progress::Complete(response)) => {
                return (response.head_len(), response.headers().len())
            }
            Err(error) => panic!("h1: {error:?}"),
        }
    }
    panic!("h1: incomplete")
}

/// httparse on one prefix: `None` while partial.
pub fn httparse_partial<'b>(
    headers: &mut [MaybeUninit<httparse::Header<'b>>],
    buf: &'b [u8],
) -> Option<Parsed> {
    let mut response = httparse::Response::new(&mut []);
    let config = httparse::ParserConfig::default();
    match config.parse_response_with_uninit_headers(&mut response, buf, headers) {
        Ok(httparse::Status::Complete(len)) => Some((len, response.headers.len())),
        Ok(httparse::Status::Partial) => None,
        Err(error) => panic!("httparse: {error:?}"),
    }
}

/// h1-parser's ResponseParser, whole head in one call.
pub fn h1(parser: &mut ResponseParser, buf: &[u8]) -> Parsed {
    parser.reset();
    match parser.parse(buf) {
        Ok(Progress::Complete(response)) => (response.head_len(), response.headers().len()),
        other => panic!("h1: {other:?}"),
    }
}

/// httparse's Response over uninitialised headers, as hyper calls it.
pub fn httparse<'b>(headers: &mut [MaybeUninit<httparse::Header<'b>>], buf: &'b [u8]) -> Parsed {
    httparse_partial(headers, buf).expect("httparse: complete")
}

/// picohttpparser's `phr_parse_response` on `buf`; `last_len` is the length of the previous,
/// partial attempt on the same buffer (0 for the first). `None` while partial.
pub fn pico(
    headers: &mut [MaybeUninit<phr_header>],
    buf: &[u8],
    last_len: usize,
) -> Option<Parsed> {
    let mut minor_version: c_int = -1;
    let mut status: c_int = 0;
    let mut msg: *const c_char = ptr::null();
    let mut msg_len = 0;
    let mut num_headers = headers.len();
    // SAFETY: `buf` and `headers` are valid for the lengths passed; the out-pointers point to
    // locals; pico only reads `buf` and writes (never reads) at most `num_headers` entries of
    // `headers`, so they need no initialisation.
    let ret = unsafe {
        phr_parse_response(
            buf.as_ptr().cast(),
            buf.len(),
            &mut minor_version,
            &mut status,
            &mut msg,
            &mut msg_len,
            headers.as_mut_ptr().cast::<phr_header>(),
            &mut num_headers,
            last_len,
        )
    };
    match ret {
        len if len > 0 => Some((len as usize, num_headers)),
        -2 => None,
        ret => panic!("pico: {ret}"),
    }
}
