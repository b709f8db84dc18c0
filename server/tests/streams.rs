//! Streamed response bodies (a reader, a file range): Content-Length when the length is known,
//! chunked otherwise, pulled only as the output drains — through the socket-free core, and a
//! 64 MiB body through a real socket.

mod common;

use std::io::{Read, Write};
use std::time::Instant;

use h1_parser::{BodyDecoder, Config, Decoded, Framing};
use h1_server::conn::Connection;
use h1_server::{Request, Response, ServerConfig};

use common::*;

/// The most output a streaming connection holds beyond the head (the server's window).
const WINDOW: usize = 32 * 1024;

/// `len` bytes that are not all alike: a shifted or duplicated block shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

/// Feeds `request`, then drains the output `step` bytes at a time, checking after every step
/// that at most the window beyond the head waits. Returns everything sent.
fn drain_in_steps<H: h1_server::Handler>(request: &[u8], handler: &H, step: usize) -> Vec<u8> {
    let now = Instant::now();
    let mut conn = Connection::new(&ServerConfig::new(), now);
    assert_eq!(conn.feed(request, handler, now), request.len());
    let head_len = find(conn.output(), b"\r\n\r\n").map_or(0, |at| at + 4);
    let mut sent = Vec::new();
    while !conn.output().is_empty() {
        assert!(
            conn.output().len() <= head_len + WINDOW,
            "{} bytes wait after {} sent",
            conn.output().len(),
            sent.len()
        );
        let n = step.min(conn.output().len());
        sent.extend_from_slice(&conn.output()[..n]);
        conn.consume_output(n, now);
        conn.process(handler, now);
    }
    sent
}

fn split_head(wire: &[u8]) -> (String, &[u8]) {
    let at = find(wire, b"\r\n\r\n").expect("a head") + 4;
    (
        String::from_utf8_lossy(&wire[..at]).into_owned(),
        &wire[at..],
    )
}

/// The chunked body decoded with the parser's own decoder; the bytes after it.
fn dechunk(body: &[u8]) -> (Vec<u8>, &[u8]) {
    let mut decoder = BodyDecoder::new(Framing::Chunked, Config::default().max_body_size(u64::MAX));
    let mut data = Vec::new();
    let mut at = 0;
    loop {
        let (consumed, found) = decoder.decode(&body[at..]).expect("valid chunked framing");
        at += consumed;
        match found {
            Decoded::Data(bytes) => data.extend_from_slice(bytes),
            Decoded::Trailer(_) => {}
            Decoded::Done => return (data, &body[at..]),
            Decoded::Partial => panic!("chunked body cut after {} bytes", data.len()),
        }
    }
}

fn known_length(len: usize) -> impl Fn(&Request, &mut Response) {
    move |_: &Request, res: &mut Response| {
        res.set_body_reader(std::io::Cursor::new(pattern(len)), Some(len as u64));
    }
}

fn unknown_length(len: usize) -> impl Fn(&Request, &mut Response) {
    move |_: &Request, res: &mut Response| {
        res.set_body_reader(std::io::Cursor::new(pattern(len)), None);
    }
}

#[test]
fn a_reader_of_known_length_goes_out_with_content_length_within_the_window() {
    let len = 1 << 20;
    let wire = drain_in_steps(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        &known_length(len),
        1000,
    );
    let (head, body) = split_head(&wire);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {len}\r\n")),
        "{head}"
    );
    assert!(!head.contains("Transfer-Encoding"), "{head}");
    assert!(body == pattern(len), "the body differs");
}

#[test]
fn a_reader_of_unknown_length_goes_out_chunked_within_the_window() {
    let len = 300_000 + 7;
    let wire = drain_in_steps(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        &unknown_length(len),
        777,
    );
    let (head, body) = split_head(&wire);
    assert!(head.contains("Transfer-Encoding: chunked\r\n"), "{head}");
    assert!(!head.contains("Content-Length"), "{head}");
    let (data, rest) = dechunk(body);
    assert!(data == pattern(len), "the body differs");
    assert!(rest.is_empty());
}

#[test]
fn an_empty_reader_of_unknown_length_is_the_last_chunk_alone() {
    let wire = drain_in_steps(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &unknown_length(0), 10);
    let (_, body) = split_head(&wire);
    assert_eq!(body, b"0\r\n\r\n");
}

#[test]
fn an_http10_client_gets_a_body_of_unknown_length_until_the_close() {
    let len = 100_000;
    let now = Instant::now();
    let handler = unknown_length(len);
    let mut conn = Connection::new(&ServerConfig::new(), now);
    conn.feed(
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        &handler,
        now,
    );
    let mut wire = Vec::new();
    while !conn.output().is_empty() {
        wire.extend_from_slice(conn.output());
        let n = conn.output().len();
        conn.consume_output(n, now);
    }
    let (head, body) = split_head(&wire);
    assert!(head.contains("Connection: close\r\n"), "{head}");
    assert!(
        !head.contains("Transfer-Encoding") && !head.contains("Content-Length"),
        "{head}"
    );
    assert!(body == pattern(len));
    assert!(conn.is_finished());
}

#[test]
fn head_and_304_send_the_head_alone_with_the_length_a_get_would_get() {
    let len = 5000;
    let head_request = drain_in_steps(
        b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
        &known_length(len),
        100,
    );
    let (head, body) = split_head(&head_request);
    assert!(head.contains("Content-Length: 5000\r\n"), "{head}");
    assert!(body.is_empty());

    let not_modified = move |_: &Request, res: &mut Response| {
        res.set_status(304)
            .set_body_reader(std::io::Cursor::new(pattern(len)), Some(len as u64));
    };
    let wire = drain_in_steps(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &not_modified, 100);
    let (head, body) = split_head(&wire);
    assert!(head.starts_with("HTTP/1.1 304 Not Modified\r\n"), "{head}");
    assert!(head.contains("Content-Length: 5000\r\n"), "{head}");
    assert!(body.is_empty());

    // Unknown length: no framing field at all for HEAD.
    let wire = drain_in_steps(
        b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
        &unknown_length(10),
        100,
    );
    let (head, body) = split_head(&wire);
    assert!(!head.contains("Content-Length") && !head.contains("Transfer-Encoding"));
    assert!(body.is_empty());
}

#[test]
fn a_reader_that_ends_short_of_its_length_closes_the_connection() {
    let now = Instant::now();
    let short = |_: &Request, res: &mut Response| {
        res.set_body_reader(std::io::Cursor::new(pattern(50_000)), Some(100_000));
    };
    let mut conn = Connection::new(&ServerConfig::new(), now);
    let wire = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    conn.feed(wire, &short, now);
    let mut sent = Vec::new();
    while !conn.output().is_empty() {
        sent.extend_from_slice(conn.output());
        let n = conn.output().len();
        conn.consume_output(n, now);
        conn.process(&short, now);
    }
    let (head, body) = split_head(&sent);
    assert!(head.contains("Content-Length: 100000\r\n"));
    assert!(
        body == pattern(50_000),
        "the bytes pulled go out, then nothing"
    );
    assert!(
        conn.is_finished(),
        "the close tells the client the body is cut"
    );
}

#[test]
fn a_pipelined_request_is_answered_after_the_whole_streamed_body() {
    let len = 200_000;
    let handler = move |req: &Request, res: &mut Response| {
        if req.path() == "/big" {
            res.set_body_reader(std::io::Cursor::new(pattern(len)), None);
        } else {
            res.set_body("small");
        }
    };
    let wire = drain_in_steps(
        b"GET /big HTTP/1.1\r\nHost: a\r\n\r\nGET /small HTTP/1.1\r\nHost: a\r\n\r\n",
        &handler,
        4096,
    );
    let (_, body) = split_head(&wire);
    let (data, rest) = dechunk(body);
    assert!(data == pattern(len));
    let (head, small) = split_head(rest);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert_eq!(small, b"small");
}

#[test]
fn a_file_range_goes_out_with_its_length() {
    let dir = std::env::temp_dir().join(format!("h1-streams-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("data.bin");
    let content = pattern(400_000);
    std::fs::write(&path, &content).unwrap();
    let file_path = path.clone();
    let handler = move |_: &Request, res: &mut Response| {
        let file = std::fs::File::open(&file_path).unwrap();
        res.set_status(206)
            .set_body_file(file, Some(1000..300_000))
            .unwrap();
    };
    let wire = drain_in_steps(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &handler, 5000);
    let (head, body) = split_head(&wire);
    assert!(head.contains("Content-Length: 299000\r\n"), "{head}");
    assert!(body == &content[1000..300_000]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_64_mib_reader_body_through_a_socket_arrives_whole() {
    let len: usize = 64 << 20;
    let handler = move |req: &Request, res: &mut Response| {
        let reader = std::io::repeat(0).take(len as u64).chain(&b"end"[..]);
        // A pattern without storing it: repeat, then a tail that shows a cut or an overrun.
        let known = (req.path() == "/sized").then_some(len as u64 + 3);
        res.set_body_reader(reader, known);
    };
    let server = TestServer::with_handler(config(), handler);
    for path in ["/sized", "/chunked"] {
        let mut stream = server.connect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut wire = Vec::new();
        stream.read_to_end(&mut wire).unwrap();
        let (head, body) = split_head(&wire);
        let data = if path == "/sized" {
            assert!(
                head.contains(&format!("Content-Length: {}\r\n", len + 3)),
                "{head}"
            );
            body.to_vec()
        } else {
            assert!(head.contains("Transfer-Encoding: chunked\r\n"), "{head}");
            let (data, rest) = dechunk(body);
            assert!(rest.is_empty());
            data
        };
        assert_eq!(data.len(), len + 3, "{path}");
        assert!(data[..len].iter().all(|&b| b == 0), "{path}");
        assert_eq!(&data[len..], b"end", "{path}");
    }
}

/// A reader that counts the reads asked of it.
struct Counted(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        buf.fill(b'x');
        Ok(buf.len())
    }
}

#[test]
fn a_body_the_answer_may_not_carry_is_never_pulled() {
    let reads = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reads.clone();
    let handler = move |_: &Request, res: &mut Response| {
        res.set_body_reader(Counted(counter.clone()), Some(1 << 30));
    };
    let now = Instant::now();
    let mut conn = Connection::new(&ServerConfig::new(), now);
    let wire = b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_eq!(conn.feed(wire, &handler, now), wire.len());
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert_eq!(
        out.matches("Content-Length: 1073741824\r\n").count(),
        2,
        "{out}"
    );
    assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 0);
}
