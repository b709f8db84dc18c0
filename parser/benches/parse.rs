//! h1-parser side by side with httparse and picohttpparser (C, SSE4.2), on the same inputs.
//!
//! Every group holds one input and one benchmark per parser, named `<input>/h1`,
//! `<input>/httparse` and `<input>/pico`, so criterion's output (and `bench/parser-table.sh`)
//! reads as a table. Each parser is driven the way its users drive it:
//!
//! - h1: one `Parser::new()` (room for 100 fields) kept across iterations and `reset()` before
//!   each message, as a server connection does.
//! - httparse: one `[EMPTY_HEADER; 64]` array kept across iterations and a `Request::new` over
//!   it per message.
//! - pico: one array of 64 `phr_header` kept across iterations and `phr_parse_request`.
//!
//! Every benchmark hands its result (head length and field count) to `black_box`; httparse and
//! pico have filled their slice tables by then, h1 has its offset table (slices are built on
//! access). Before measuring, each group checks that the three agree on its input.
//!
//! The chunked groups compare h1's `BodyDecoder` with pico's `phr_decode_chunked` (httparse has
//! no chunked decoder). pico decodes in place and overwrites its input, so each iteration first
//! copies the encoded body into a scratch buffer; h1 gets the same copy so the two do the same
//! work, and `<input>/copy` measures that copy alone.

use std::ffi::{c_char, c_int};
use std::fmt::Write as _;
use std::ptr;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use h1_parser::{BodyDecoder, Config, Decoded, Framing, Parser, Status};
use picohttpparser_sys::{phr_chunked_decoder, phr_decode_chunked, phr_header, phr_parse_request};

/// The header capacity httparse's and pico's users commonly give them.
const PEER_HEADERS: usize = 64;

/// (a) The shortest realistic request: one Host field, HTTP/1.0.
const SHORT: &[u8] = b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n";

/// (b) The browser request httparse and picohttpparser use in their own benchmarks: 703 bytes.
const BROWSER: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
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
fn long_query() -> Vec<u8> {
    let mut target = String::from("/search?");
    let mut i = 0;
    while target.len() < 2048 {
        write!(target, "field{i}=value%20{i}-abc.XYZ_~&").unwrap();
        i += 1;
    }
    format!("GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n").into_bytes()
}

/// (d) A request with 40 small fields (Host and 39 others).
fn many_headers() -> Vec<u8> {
    let mut head = String::from("GET /index.html HTTP/1.1\r\nHost: example.com\r\n");
    for i in 1..40 {
        write!(head, "X-Field-{i:02}: value-{i:02}\r\n").unwrap();
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// What a parse found: the head length and the number of fields.
type Parsed = (usize, usize);

/// h1-parser, whole head in one call.
fn h1(parser: &mut Parser, buf: &[u8]) -> Parsed {
    parser.reset();
    match parser.parse(buf) {
        Ok(Status::Complete(request)) => (request.head_len(), request.headers().len()),
        other => panic!("h1: {other:?}"),
    }
}

/// h1-parser fed growing prefixes of `buf`, `step` more bytes per call, one parser throughout.
fn h1_trickle(parser: &mut Parser, buf: &[u8], step: usize) -> Parsed {
    parser.reset();
    for end in prefixes(buf.len(), step) {
        match parser.parse(&buf[..end]) {
            Ok(Status::Partial) => {}
            Ok(Status::Complete(request)) => return (request.head_len(), request.headers().len()),
            Err(error) => panic!("h1: {error:?}"),
        }
    }
    panic!("h1: incomplete")
}

/// httparse, whole head in one call.
fn httparse<'b>(headers: &mut [httparse::Header<'b>], buf: &'b [u8]) -> Parsed {
    let mut request = httparse::Request::new(headers);
    match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => (len, request.headers.len()),
        other => panic!("httparse: {other:?}"),
    }
}

/// httparse re-parsing each growing prefix from the start, as its users do on `Partial`.
fn httparse_trickle<'b>(
    headers: &mut [httparse::Header<'b>],
    buf: &'b [u8],
    step: usize,
) -> Parsed {
    for end in prefixes(buf.len(), step) {
        let mut request = httparse::Request::new(headers);
        match request.parse(&buf[..end]) {
            Ok(httparse::Status::Partial) => {}
            Ok(httparse::Status::Complete(len)) => return (len, request.headers.len()),
            Err(error) => panic!("httparse: {error:?}"),
        }
    }
    panic!("httparse: incomplete")
}

/// One `phr_parse_request` call. `last_len` is the length of the previous, partial attempt on
/// the same buffer (0 for the first): pico then first checks only the new bytes for the end
/// of the head, as its documentation tells users to do.
fn pico_call(headers: &mut [phr_header], buf: &[u8], last_len: usize) -> (c_int, usize) {
    let mut method: *const c_char = ptr::null();
    let mut method_len = 0;
    let mut path: *const c_char = ptr::null();
    let mut path_len = 0;
    let mut minor_version: c_int = -1;
    let mut num_headers = headers.len();
    // SAFETY: `buf` and `headers` are valid for the lengths passed; the out-pointers point to
    // locals; pico only reads `buf` and writes at most `num_headers` entries of `headers`.
    let ret = unsafe {
        phr_parse_request(
            buf.as_ptr().cast(),
            buf.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor_version,
            headers.as_mut_ptr(),
            &mut num_headers,
            last_len,
        )
    };
    (ret, num_headers)
}

/// picohttpparser, whole head in one call.
fn pico(headers: &mut [phr_header], buf: &[u8]) -> Parsed {
    match pico_call(headers, buf, 0) {
        (len, fields) if len > 0 => (len as usize, fields),
        (ret, _) => panic!("pico: {ret}"),
    }
}

/// picohttpparser re-parsing each growing prefix, passing the previous length as `last_len`.
fn pico_trickle(headers: &mut [phr_header], buf: &[u8], step: usize) -> Parsed {
    let mut last_len = 0;
    for end in prefixes(buf.len(), step) {
        match pico_call(headers, &buf[..end], last_len) {
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

/// The three parsers must read every input the same way, or the comparison means nothing.
fn check_agree(name: &str, input: &[u8], step: Option<usize>) {
    let mut parser = Parser::new();
    let mut headers = [httparse::EMPTY_HEADER; PEER_HEADERS];
    let mut phr = [phr_header::default(); PEER_HEADERS];
    let results = match step {
        None => [
            h1(&mut parser, input),
            httparse(&mut headers, input),
            pico(&mut phr, input),
        ],
        Some(step) => [
            h1_trickle(&mut parser, input, step),
            httparse_trickle(&mut headers, input, step),
            pico_trickle(&mut phr, input, step),
        ],
    };
    assert!(
        results.iter().all(|&r| r == (input.len(), results[0].1)),
        "{name}: parsers disagree (h1, httparse, pico) = {results:?}, input is {} bytes",
        input.len()
    );
}

/// One group: the same input through the three parsers, `step` bytes per call if trickled.
fn head_group(c: &mut Criterion, name: &str, input: &[u8], step: Option<usize>) {
    check_agree(name, input, step);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("h1", |b| {
        let mut parser = Parser::new();
        b.iter(|| match step {
            None => h1(&mut parser, black_box(input)),
            Some(step) => h1_trickle(&mut parser, black_box(input), step),
        })
    });
    group.bench_function("httparse", |b| {
        let mut headers = [httparse::EMPTY_HEADER; PEER_HEADERS];
        b.iter(|| match step {
            None => httparse(&mut headers, black_box(input)),
            Some(step) => httparse_trickle(&mut headers, black_box(input), step),
        })
    });
    group.bench_function("pico", |b| {
        let mut headers = [phr_header::default(); PEER_HEADERS];
        b.iter(|| match step {
            None => pico(&mut headers, black_box(input)),
            Some(step) => pico_trickle(&mut headers, black_box(input), step),
        })
    });
    group.finish();
}

fn heads(c: &mut Criterion) {
    assert_eq!(BROWSER.len(), 703);
    let query = long_query();
    let fields = many_headers();
    head_group(c, "short", SHORT, None);
    head_group(c, "browser", BROWSER, None);
    head_group(c, "query-2k", &query, None);
    head_group(c, "headers-40", &fields, None);
    head_group(c, "trickle-1", BROWSER, Some(1));
    head_group(c, "trickle-64", BROWSER, Some(64));
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
fn chunked_large() -> Vec<u8> {
    let mut seed: u32 = 1;
    chunked_body(64 * 1024, || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        1024 + (seed >> 16) as usize % 3073
    })
}

/// (f) 16 KiB in tiny chunks of 1 to 16 bytes: the per-chunk overhead dominates.
fn chunked_tiny() -> Vec<u8> {
    let mut i = 0;
    chunked_body(16 * 1024, || {
        i += 1;
        i % 16 + 1
    })
}

/// What a chunked decode found: bytes of wire consumed and bytes of body decoded.
type DecodedBody = (usize, usize);

/// h1's `BodyDecoder` over a copy of `wire`, in a loop advancing by the bytes consumed.
fn h1_chunked(scratch: &mut [u8], wire: &[u8]) -> DecodedBody {
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
            Decoded::Data(data) => body += black_box(data).len(),
            Decoded::Trailer(_) => {}
            Decoded::Partial => panic!("h1: incomplete"),
            Decoded::Done => return (at, body),
        }
    }
}

/// pico's `phr_decode_chunked` over a copy of `wire` (it decodes in place), trailers consumed.
fn pico_chunked(scratch: &mut [u8], wire: &[u8]) -> DecodedBody {
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

/// One chunked group: the same encoded body through both decoders, and the copy alone.
fn chunked_group(c: &mut Criterion, name: &str, wire: &[u8]) {
    // The scratch copy starts half a page away from `wire` (mod 4096): with the two 16 bytes
    // apart mod 4096, as the allocator happened to place them, memcpy ran 20 times slower (4K
    // aliasing: 15 µs instead of 0.75 µs for the tiny-chunk body) and swamped both decoders.
    let mut backing = vec![0u8; wire.len() + 4096];
    let src = wire.as_ptr() as usize % 4096;
    let dst = backing.as_ptr() as usize % 4096;
    let offset = (src + 4096 + 2048 - dst) % 4096;
    let scratch = &mut backing[offset..offset + wire.len()];
    let h1 = h1_chunked(scratch, wire);
    let pico = pico_chunked(scratch, wire);
    assert!(
        h1 == pico && h1.0 == wire.len(),
        "{name}: decoders disagree (h1, pico) = {h1:?}, {pico:?}"
    );
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("h1", |b| b.iter(|| h1_chunked(scratch, black_box(wire))));
    group.bench_function("pico", |b| {
        b.iter(|| pico_chunked(scratch, black_box(wire)))
    });
    group.bench_function("copy", |b| {
        b.iter(|| {
            scratch.copy_from_slice(black_box(wire));
            black_box(&mut *scratch);
        })
    });
    group.finish();
}

fn bodies(c: &mut Criterion) {
    chunked_group(c, "chunked-1k-4k", &chunked_large());
    chunked_group(c, "chunked-tiny", &chunked_tiny());
}

criterion_group!(benches, heads, bodies);
criterion_main!(benches);
