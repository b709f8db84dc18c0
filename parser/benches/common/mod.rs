//! The inputs and the three parsers' drivers, shared by the criterion benchmark (`parse.rs`)
//! and the plain timing/counting binary (`peers.rs`), so both measure the same thing.
//!
//! Each parser is driven the way its users drive it:
//!
//! - h1: one `RequestParser::new()` (room for 100 fields) kept across messages and `reset()` before
//!   each, as a server connection does.
//! - httparse: `parse_with_uninit_headers` over an uninitialised array of 100 headers made per
//!   message, as hyper does (hyper's `MAX_HEADERS` is 100).
//! - pico: an uninitialised array of 100 `phr_header` made per message and `phr_parse_request`,
//!   as a C caller declares `struct phr_header headers[100];` on its stack.
//!
//! Every driver returns the head length and the field count; httparse and pico have filled
//! their tables of slices by then, h1 has its table of offsets (slices are built on access).

// Each binary uses a part of this module.
#![allow(dead_code)]

pub mod response;

use std::ffi::{c_char, c_int};
use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::ptr;

use h1_parser::{BodyDecoder, Config, Decoded, Framing, Progress, RequestParser};
use picohttpparser_sys::{phr_chunked_decoder, phr_decode_chunked, phr_header, phr_parse_request};

/// The header capacity the peers get: hyper's `MAX_HEADERS`, and h1's default.
pub const PEER_HEADERS: usize = 100;

/// (a) The shortest realistic request: one Host field, HTTP/1.0.
pub const SHORT: &[u8] = b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n";

/// (b) The browser request httparse and picohttpparser use in their own benchmarks: 703 bytes.
pub const BROWSER: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n\
\r\n";

/// (c) A request whose target carries a query string of about 2 KiB.
pub fn long_query() -> Vec<u8> {
    let mut target = String::from("/search?");
    let mut i = 0;
    while target.len() < 2048 {
        write!(target, "field{i}=value%20{i}-abc.XYZ_~&").unwrap();
        i += 1;
    }
    format!("GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n").into_bytes()
}

/// (d) A request with 40 small fields (Host and 39 others).
pub fn many_headers() -> Vec<u8> {
    let mut head = String::from("GET /index.html HTTP/1.1\r\nHost: example.com\r\n");
    for i in 1..40 {
        write!(head, "X-Field-{i:02}: value-{i:02}\r\n").unwrap();
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The head inputs by name, in the order of the tables; `step` is the bytes added per call for
/// the trickled ones.
pub fn heads() -> Vec<(&'static str, Vec<u8>, Option<usize>)> {
    vec![
        ("short", SHORT.to_vec(), None),
        ("browser", BROWSER.to_vec(), None),
        ("query-2k", long_query(), None),
        ("headers-40", many_headers(), None),
        ("trickle-1", BROWSER.to_vec(), Some(1)),
        ("trickle-64", BROWSER.to_vec(), Some(64)),
    ]
}

/// What a parse found: the head length and the number of fields.
pub type Parsed = (usize, usize);

/// h1-parser, whole head in one call.
#[inline(never)]
pub fn h1(parser: &mut RequestParser, buf: &[u8]) -> Parsed {
    parser.reset();
    match parser.parse(buf) {
        Ok(Progress::Complete(request)) => (request.head_len(), request.headers().len()),
        other => panic!("h1: {other:?}"),
    }
}

/// h1-parser fed growing prefixes of `buf`, `step` more bytes per call, one parser throughout.
#[inline(never)]
pub fn h1_trickle(parser: &mut RequestParser, buf: &[u8], step: usize) -> Parsed {
    parser.reset();
    for end in prefixes(buf.len(), step) {
        match parser.parse(&buf[..end]) {
            Ok(Progress::Partial) => {}
            Ok(Progress::Complete(request)) => {
                return (request.head_len(), request.headers().len())
            }
            Err(error) => panic!("h1: {error:?}"),
        }
    }
    panic!("h1: incomplete")
}

/// One httparse call as hyper makes it: a fresh `Request` and `parse_with_uninit_headers` over
/// an uninitialised header array.
#[inline(always)]
fn httparse_call(buf: &[u8]) -> httparse::Result<Parsed> {
    let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; PEER_HEADERS];
    let mut request = httparse::Request::new(&mut []);
    Ok(
        match request.parse_with_uninit_headers(buf, &mut headers)? {
            httparse::Status::Complete(len) => {
                httparse::Status::Complete((len, request.headers.len()))
            }
            httparse::Status::Partial => httparse::Status::Partial,
        },
    )
}

/// httparse, whole head in one call.
#[inline(never)]
pub fn httparse(buf: &[u8]) -> Parsed {
    match httparse_call(buf) {
        Ok(httparse::Status::Complete(parsed)) => parsed,
        other => panic!("httparse: {other:?}"),
    }
}

/// httparse re-parsing each growing prefix from the start, as its users do on `Partial`.
#[inline(never)]
pub fn httparse_trickle(buf: &[u8], step: usize) -> Parsed {
    for end in prefixes(buf.len(), step) {
        match httparse_call(&buf[..end]) {
            Ok(httparse::Status::Partial) => {}
            Ok(httparse::Status::Complete(parsed)) => return parsed,
            Err(error) => panic!("httparse: {error:?}"),
        }
    }
    panic!("httparse: incomplete")
}

/// One `phr_parse_request` call over an uninitialised header array. `last_len` is the length
/// of the previous, partial attempt on the same buffer (0 for the first): pico then first
/// checks only the new bytes for the end of the head, as its documentation tells users to do.
#[inline(always)]
fn pico_call(buf: &[u8], last_len: usize) -> (c_int, usize) {
    let mut headers = [const { MaybeUninit::<phr_header>::uninit() }; PEER_HEADERS];
    let mut method: *const c_char = ptr::null();
    let mut method_len = 0;
    let mut path: *const c_char = ptr::null();
    let mut path_len = 0;
    let mut minor_version: c_int = -1;
    let mut num_headers = headers.len();
    // SAFETY: `buf` is valid for `buf.len()` bytes and `headers` for `num_headers` entries; the
    // out-pointers point to locals; pico only reads `buf` and writes (never reads) at most
    // `num_headers` entries of `headers`, so they need no initialisation.
    let ret = unsafe {
        phr_parse_request(
            buf.as_ptr().cast(),
            buf.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor_version,
            headers.as_mut_ptr().cast(),
            &mut num_headers,
            last_len,
        )
    };
    (ret, num_headers)
}

/// picohttpparser, whole head in one call.
#[inline(never)]
pub fn pico(buf: &[u8]) -> Parsed {
    match pico_call(buf, 0) {
        (len, fields) if len > 0 => (len as usize, fields),
        (ret, _) => panic!("pico: {ret}"),
    }
}

/// picohttpparser re-parsing each growing prefix, passing the previous length as `last_len`.
#[inline(never)]
pub fn pico_trickle(buf: &[u8], step: usize) -> Parsed {
    let mut last_len = 0;
    for end in prefixes(buf.len(), step) {
        match pico_call(&buf[..end], last_len) {
            (-2, _) => last_len = end,
            (len, fields) if len > 0 => return (len as usize, fields),
            (ret, _) => panic!("pico: {ret}"),
        }
    }
    panic!("pico: incomplete")
}

/// The lengths of the prefixes a trickle delivers: `step`, `2 * step`, ..., then `len`.
fn prefixes(len: usize, step: usize) -> impl Iterator<Item = usize> {
    (step..len).step_by(step).chain(std::iter::once(len))
}

/// One head input through one parser, as the benchmarks run it.
pub fn run_head(
    parser: &str,
    h1_parser: &mut RequestParser,
    input: &[u8],
    step: Option<usize>,
) -> Parsed {
    match (parser, step) {
        ("h1", None) => h1(h1_parser, input),
        ("h1", Some(step)) => h1_trickle(h1_parser, input, step),
        ("httparse", None) => httparse(input),
        ("httparse", Some(step)) => httparse_trickle(input, step),
        ("pico", None) => pico(input),
        ("pico", Some(step)) => pico_trickle(input, step),
        _ => panic!("unknown parser {parser}"),
    }
}

/// The three parsers must read every input the same way, or the comparison means nothing.
pub fn check_agree(name: &str, input: &[u8], step: Option<usize>) {
    let mut parser = RequestParser::new();
    let results = ["h1", "httparse", "pico"].map(|p| run_head(p, &mut parser, input, step));
    assert!(
        results.iter().all(|&r| r == (input.len(), results[0].1)),
        "{name}: parsers disagree (h1, httparse, pico) = {results:?}, input is {} bytes",
        input.len()
    );
}

/// A chunked body of `len` bytes whose chunk sizes `next_size` chooses, ending in `0` CRLF CRLF.
fn chunked_body(len: usize, mut next_size: impl FnMut() -> usize) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut left = len;
    while left > 0 {
        let size = next_size().clamp(1, left);
        wire.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        wire.extend((0..size).map(|i| b'a' + (i % 26) as u8));
        wire.extend_from_slice(b"\r\n");
        left -= size;
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

/// (f) 64 KiB in chunks of 1 to 4 KiB (sizes from a fixed linear congruential sequence).
pub fn chunked_large() -> Vec<u8> {
    let mut seed: u32 = 1;
    chunked_body(64 * 1024, || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        1024 + (seed >> 16) as usize % 3073
    })
}

/// (f) 16 KiB in tiny chunks of 1 to 16 bytes: the per-chunk overhead dominates.
pub fn chunked_tiny() -> Vec<u8> {
    let mut i = 0;
    chunked_body(16 * 1024, || {
        i += 1;
        i % 16 + 1
    })
}

/// What a chunked decode found: bytes of wire consumed and bytes of body decoded.
pub type DecodedBody = (usize, usize);

/// h1's `BodyDecoder` over a copy of `wire`, in a loop advancing by the bytes consumed.
#[inline(never)]
pub fn h1_chunked(scratch: &mut [u8], wire: &[u8]) -> DecodedBody {
    scratch.copy_from_slice(wire);
    let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
    let (mut at, mut body) = (0, 0);
    loop {
        let (consumed, found) = match decoder.decode(&scratch[at..]) {
            Ok(step) => step,
            Err(error) => panic!("h1: {error:?}"),
        };
        at += consumed;
        match found {
            Decoded::Data(data) => body += std::hint::black_box(data).len(),
            Decoded::Trailer(_) => {}
            Decoded::Partial => panic!("h1: incomplete"),
            Decoded::Done => return (at, body),
        }
    }
}

/// pico's `phr_decode_chunked` over a copy of `wire` (it decodes in place), trailers consumed.
#[inline(never)]
pub fn pico_chunked(scratch: &mut [u8], wire: &[u8]) -> DecodedBody {
    scratch.copy_from_slice(wire);
    // SAFETY: the decoder is plain integers; all zero is its documented initial state.
    let mut decoder: phr_chunked_decoder = unsafe { std::mem::zeroed() };
    decoder.consume_trailer = 1;
    let mut len = scratch.len();
    // SAFETY: `scratch` is valid for reads and writes of `len` bytes; pico writes only there.
    let left = unsafe { phr_decode_chunked(&mut decoder, scratch.as_mut_ptr().cast(), &mut len) };
    match usize::try_from(left) {
        Ok(left) => (wire.len() - left, len),
        Err(_) => panic!("pico: {left}"),
    }
}

/// A scratch buffer for the chunked decoders, placed half a page away from `wire` (mod 4096):
/// with the two 16 bytes apart mod 4096, as the allocator happened to place them, memcpy ran 20
/// times slower (4K aliasing: 15 µs instead of 0.75 µs for the tiny-chunk body) and swamped
/// both decoders. Returns the backing storage and the offset of the scratch in it.
pub fn scratch_for(wire: &[u8]) -> (Vec<u8>, usize) {
    let backing = vec![0u8; wire.len() + 4096];
    let src = wire.as_ptr() as usize % 4096;
    let dst = backing.as_ptr() as usize % 4096;
    let offset = (src + 4096 + 2048 - dst) % 4096;
    (backing, offset)
}
