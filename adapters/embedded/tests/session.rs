//! The session over an in-memory socket with a board's buffers (1,536 bytes each way, 16
//! fields): what it answers, and the RAM it takes.
//!
//! `cargo test -p h1-embedded --test session -- --nocapture` prints the RAM figure.

use std::convert::Infallible;

#[allow(dead_code)]
#[path = "../examples/echo.rs"]
mod example;

/// A peer that sends `input` in pieces of `piece` bytes, then closes its side, and keeps
/// whatever it is sent.
struct Peer {
    input: Vec<u8>,
    at: usize,
    piece: usize,
    output: Vec<u8>,
}

impl Peer {
    fn new(input: &[u8], piece: usize) -> Peer {
        Peer {
            input: input.to_vec(),
            at: 0,
            piece,
            output: Vec::new(),
        }
    }
}

impl embedded_io::ErrorType for Peer {
    type Error = Infallible;
}

impl embedded_io::Read for Peer {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let n = self.piece.min(buf.len()).min(self.input.len() - self.at);
        buf[..n].copy_from_slice(&self.input[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl embedded_io::Write for Peer {
    fn write(&mut self, bytes: &[u8]) -> Result<usize, Infallible> {
        self.output.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io_async::Read for Peer {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        embedded_io::Read::read(self, buf)
    }
}

impl embedded_io_async::Write for Peer {
    async fn write(&mut self, bytes: &[u8]) -> Result<usize, Infallible> {
        embedded_io::Write::write(self, bytes)
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// The board's echo over `input` sent in pieces of `piece` bytes: what it answered.
fn board(input: &[u8], piece: usize) -> String {
    let mut peer = Peer::new(input, piece);
    let (mut read, mut write) = ([0u8; 1536], [0u8; 1536]);
    let mut session = h1_embedded::Session::<16>::new(&mut read, &mut write);
    h1_embedded::blocking::serve(&mut peer, &mut session, example::common::echo).unwrap();
    String::from_utf8(peer.output).unwrap()
}

#[test]
fn pipelined_requests_in_any_pieces_are_answered_in_order() {
    let input = b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n\
                  GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for piece in [1, 2, 7, 64, input.len()] {
        let answers = board(input, piece);
        let first = answers.find("\"target\":\"/a\"").expect("the first answer");
        let second = answers
            .find("\"target\":\"/b\"")
            .expect("the second answer");
        assert!(first < second, "in request order: {answers}");
        // "abcde" in base64: the chunked body whole, its framing gone.
        assert!(
            answers.contains("\"body_base64\":\"YWJjZGU=\""),
            "{answers}"
        );
        assert_eq!(answers.matches("HTTP/1.1 200 OK").count(), 2, "{answers}");
        assert!(answers.ends_with("\"}"), "{answers}");
        assert_eq!(answers.matches("Connection: close").count(), 1, "{answers}");
    }
}

#[test]
fn the_client_waiting_for_100_continue_is_told_to_send() {
    let input =
        b"PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi";
    let answers = board(input, 1);
    assert!(
        answers.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{answers}"
    );
    assert!(answers.contains("\"body_base64\":\"aGk=\""), "{answers}");
}

#[test]
fn a_body_larger_than_the_buffer_is_413_and_a_close() {
    let mut input = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n".to_vec();
    input.extend_from_slice(&[b'a'; 4000]);
    let answers = board(&input, 100);
    assert!(answers.starts_with("HTTP/1.1 413 "), "{answers}");
    assert!(answers.contains("Connection: close\r\n"), "{answers}");
    assert_eq!(answers.matches("HTTP/1.1").count(), 1, "{answers}");
}

#[test]
fn a_head_larger_than_the_buffer_is_the_cores_431() {
    let mut input = b"GET / HTTP/1.1\r\nHost: x\r\nX: ".to_vec();
    input.extend_from_slice(&[b'v'; 2000]);
    input.extend_from_slice(b"\r\n\r\n");
    let answers = board(&input, 512);
    assert!(answers.starts_with("HTTP/1.1 431 "), "{answers}");
    assert!(answers.contains("Connection: close\r\n"), "{answers}");
}

#[test]
fn a_broken_request_gets_the_status_its_error_names() {
    let answers = board(
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n",
        5,
    );
    assert!(answers.starts_with("HTTP/1.1 400 "), "{answers}");
    assert!(answers.contains("Connection: close\r\n"), "{answers}");
}

#[test]
fn ram_of_one_board_connection() {
    let mut peer = Peer::new(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 64);
    let (mut read, mut write) = ([0u8; 1536], [0u8; 1536]);
    let session = std::mem::size_of::<h1_embedded::Session<'_, 16>>();
    let future = example::serve::<_, 16>(&mut peer, &mut read, &mut write);
    let state = std::mem::size_of_val(&future);
    let total = state + 1536 + 1536;
    println!(
        "RAM of one connection (this host, {}-bit): the serve future {state} bytes (of which the \
         session {session}) + buffers 1,536 + 1,536 = {total} bytes",
        usize::BITS
    );
    // A board's connection stays within 4 KiB with these buffers.
    assert!(total <= 4096, "{total} bytes");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(future).unwrap();
    assert!(String::from_utf8_lossy(&peer.output).starts_with("HTTP/1.1 200 OK\r\n"));
}

#[test]
fn a_handler_of_ones_own_answers_head_without_a_body_as_the_core_says() {
    let input = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut peer = Peer::new(input, 9);
    let (mut read, mut write) = ([0u8; 512], [0u8; 512]);
    let mut session = h1_embedded::Session::<8>::new(&mut read, &mut write);
    h1_embedded::blocking::serve(
        &mut peer,
        &mut session,
        |request, _, response| match request.path() {
            "/" => response.send(200, &[("Content-Type", "text/plain")], b"Hello, world!"),
            _ => response.send(404, &[], b""),
        },
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(peer.output).unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n\
         HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    );
}

/// Requests, broken ones and bytes: what a session is fed in the property below.
fn wire() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let pieces = prop::collection::vec(
        prop_oneof![
            Just(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
            Just(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc".to_vec()),
            Just(b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nT: 1\r\n\r\n".to_vec()),
            Just(b"GET / HTTP/1.0\r\n\r\n".to_vec()),
            Just(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
            Just(b"CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n".to_vec()),
            prop::collection::vec(any::<u8>(), 0..40),
        ],
        0..6,
    );
    pieces.prop_map(|pieces| pieces.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(2_000))]

    /// Whatever arrives, in whatever pieces: the session ends, without a panic, and every
    /// answer it sent parses as a response.
    #[test]
    fn any_bytes_in_any_pieces_end_in_answers(input in wire(), piece in 1usize..64) {
        let answers = board(&input, piece);
        let mut rest = answers.as_bytes();
        while !rest.is_empty() {
            let mut parser = h1_parser::ResponseParser::new();
            let h1_parser::Progress::Complete(response) = parser.parse(rest).unwrap() else {
                panic!("a partial answer: {answers}");
            };
            let length = response.headers().get("content-length").map_or(0, |v| {
                std::str::from_utf8(v).unwrap().parse::<usize>().unwrap()
            });
            // HEAD answers advertise a length they do not send: skip to the next status-line.
            let next = rest[response.head_len()..]
                .windows(9)
                .position(|w| w == b"HTTP/1.1 ")
                .unwrap_or(rest.len() - response.head_len());
            proptest::prop_assert!(next == length || next == 0 || next == rest.len() - response.head_len());
            rest = &rest[response.head_len() + next..];
        }
    }
}

/// Answers every request with `size` bytes counting 0..=255 over and over, 500 at a time.
struct Counting {
    size: usize,
    sent: usize,
}

impl h1_embedded::Handler<16> for Counting {
    fn handle(
        &mut self,
        _: &h1_parser::Request<'_>,
        _: &[u8],
        response: &mut h1_embedded::Response<'_, 16>,
    ) -> Result<(), h1_parser::conn::ConnError> {
        self.sent = 0;
        response.start(200, &[], h1_parser::write::Body::Length(self.size as u64))?;
        self.more(response)
    }

    fn more(
        &mut self,
        response: &mut h1_embedded::Response<'_, 16>,
    ) -> Result<(), h1_parser::conn::ConnError> {
        let piece: Vec<u8> = (self.sent..self.size.min(self.sent + 500))
            .map(|i| i as u8)
            .collect();
        self.sent += piece.len();
        response.data(&piece)?;
        if self.sent == self.size {
            response.finish()?;
        }
        Ok(())
    }
}

#[test]
fn an_answer_longer_than_the_write_buffer_goes_out_in_pieces() {
    let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut peer = Peer::new(input, 13);
    let (mut read, mut write) = ([0u8; 1536], [0u8; 1536]);
    let mut session = h1_embedded::Session::<16>::new(&mut read, &mut write);
    let handler = Counting {
        size: 10_000,
        sent: 0,
    };
    h1_embedded::blocking::serve_handler(&mut peer, &mut session, handler).unwrap();
    let body: Vec<u8> = (0..10_000).map(|i| i as u8).collect();
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n";
    let last = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 10000\r\n\r\n";
    // The HEAD answer says the length and carries nothing: the core drops the data.
    let expected = [&head[..], &body, head, last, &body].concat();
    assert!(
        peer.output == expected,
        "{}",
        String::from_utf8_lossy(&peer.output)
    );
}

#[test]
fn an_answer_left_unfinished_ends_the_connection() {
    let input = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let answers = {
        let mut peer = Peer::new(input, 64);
        let (mut read, mut write) = ([0u8; 512], [0u8; 512]);
        let mut session = h1_embedded::Session::<16>::new(&mut read, &mut write);
        h1_embedded::blocking::serve(&mut peer, &mut session, |_, _, response| {
            response.start(200, &[], h1_parser::write::Body::Length(5))?;
            response.data(b"ab")
        })
        .unwrap();
        String::from_utf8(peer.output).unwrap()
    };
    assert_eq!(answers, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
}
