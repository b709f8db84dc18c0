//! The connection core's cost, for callgrind (`bench/conn-instructions.sh` runs it):
//!
//! - `server N`: a `ServerConn` reads 16 pipelined `GET / HTTP/1.1` requests per call and
//!   answers each with `Content-Type` and a 13-byte body, N requests in all;
//! - `client N`: a `ClientConn` sends a GET and reads a 300-byte response with a 13-byte body,
//!   N times; `parser N`: `ResponseParser` and `BodyDecoder` alone read the same response.
//!
//! (`conn_trickle.rs` measures a head arriving byte by byte.)
//!
//! Output goes into a fixed array: the no_std path, no allocation per request.

use h1_parser::conn::{ClientConn, Event, ServerConn};
use h1_parser::{BodyDecoder, Config, Decoded, Method, Progress, ResponseParser};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:5200\r\n\r\n";
const DEPTH: usize = 16;
const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nServer: h1-server\r\nDate: Sun, 06 Dec 2026 13:45:38 GMT\r\n\
Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-cache, no-store, must-revalidate\r\n\
X-Request-Id: 8f3a2c1e-5b7d-4e9a-9c2b-1d0e3f4a5b6c\r\nVary: Accept-Encoding\r\n\
Connection: keep-alive\r\nContent-Length: 13\r\n\r\nHello, world!";

#[inline(never)]
fn server(requests: usize) -> usize {
    let batch = REQUEST.repeat(DEPTH);
    let mut conn = ServerConn::new(Config::new());
    let mut out = [0u8; 4096];
    let mut sent = 0;
    for _ in 0..requests.div_ceil(DEPTH) {
        let (mut at, mut len) = (0, 0);
        while at < batch.len() {
            let (consumed, event) = conn.receive(&batch[at..]).expect("valid requests");
            at += consumed;
            if let Event::End = event {
                let mut answer = conn.respond(&mut out[len..], 200).expect("room");
                answer.field("Content-Type", "text/plain").expect("valid");
                len += answer.finish_with(b"Hello, world!").expect("room");
            }
        }
        sent += len;
    }
    sent
}

#[inline(never)]
fn client(requests: usize) -> usize {
    let mut conn = ClientConn::new(Config::new());
    let mut out = [0u8; 256];
    let mut body = 0;
    for _ in 0..requests {
        let mut request = conn.request(&mut out[..], Method::Get, "/").expect("room");
        request.field("Host", "127.0.0.1:5200").expect("valid");
        request.finish_with(b"").expect("room");
        body += client_read(&mut conn, RESPONSE);
    }
    body
}

/// The client's reading alone, out of line so that callgrind counts it apart from the request
/// it writes: the bytes of body read.
#[inline(never)]
fn client_read(conn: &mut ClientConn, input: &[u8]) -> usize {
    let (mut at, mut body) = (0, 0);
    loop {
        let (consumed, event) = conn.receive(&input[at..]).expect("valid response");
        at += consumed;
        match event {
            Event::Data(range) => body += range.len(),
            Event::End => return body,
            _ => {}
        }
    }
}

#[inline(never)]
fn parser(requests: usize) -> usize {
    let mut parser = ResponseParser::new();
    let mut body = 0;
    for _ in 0..requests {
        body += parser_read(&mut parser, RESPONSE);
    }
    body
}

/// `client_read`'s floor: the same response through `ResponseParser` and `BodyDecoder`.
#[inline(never)]
fn parser_read(parser: &mut ResponseParser, input: &[u8]) -> usize {
    parser.reset();
    let Ok(Progress::Complete(response)) = parser.parse(input) else {
        panic!("valid response")
    };
    let framing = response.framing(Method::Get, false).expect("framed");
    let mut at = response.head_len();
    let mut decoder = BodyDecoder::new(framing, *parser.config());
    let mut body = 0;
    loop {
        let (consumed, found) = decoder.decode(&input[at..]).expect("valid body");
        at += consumed;
        match found {
            Decoded::Data(data) => body += data.len(),
            Decoded::Done => return body,
            _ => {}
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let role = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let total = match role.as_str() {
        "server" => server(n),
        "client" => client(n),
        "parser" => parser(n),
        _ => {
            eprintln!("usage: conn_cost server|client|parser N");
            std::process::exit(2);
        }
    };
    println!("{role} {n}: {total} bytes");
}
