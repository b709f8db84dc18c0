//! A handler on the pool that answers without reading the whole body: what is left is dropped
//! (up to the core's 64 KiB) and the next request on the connection is read from its first
//! byte; past the bound, the connection closes after the answer.

mod common;

use std::io::{Read, Write};

use common::{is_closed, read_response, TestServer};
use h1_server::{Request, Response, Router};

fn server() -> TestServer {
    let mut router = Router::new();
    router.put("/refuse", |_: &Request, res: &mut Response| {
        res.set_status(404).set_body("no");
    });
    router.put("/first-byte", |req: &Request, res: &mut Response| {
        let mut byte = [0u8; 1];
        let _ = req.body_reader().read_exact(&mut byte);
        res.set_body(byte);
    });
    router.put("/exactly", |req: &Request, res: &mut Response| {
        let mut body = [0u8; 5];
        let _ = req.body_reader().read_exact(&mut body);
        res.set_body(body);
    });
    router.get("/", |_: &Request, res: &mut Response| {
        res.set_body("next");
    });
    TestServer::with_handler(common::config(), router)
}

#[test]
fn the_request_after_an_unread_body_is_read_from_its_first_byte() {
    let server = server();
    for (request, answer) in [
        (
            &b"PUT /refuse HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n"[..],
            "no",
        ),
        (
            b"PUT /first-byte HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n",
            "x",
        ),
        (
            b"PUT /exactly HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
            "xxxxx",
        ),
        (
            b"PUT /refuse HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            "no",
        ),
    ] {
        let mut stream = server.connect();
        let mut wire = request.to_vec();
        if request.ends_with(b"chunked\r\n\r\n") {
            wire.extend_from_slice(b"3e8\r\n");
            wire.extend_from_slice(&[b'x'; 1000]);
            wire.extend_from_slice(b"\r\n0\r\n\r\n");
        } else {
            let length = if request.starts_with(b"PUT /exactly") {
                5
            } else {
                1000
            };
            wire.extend(std::iter::repeat_n(b'x', length));
        }
        wire.extend_from_slice(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        stream.write_all(&wire).unwrap();
        let mut pending = Vec::new();
        let resp = read_response(&mut stream, &mut pending, false);
        assert_eq!(
            resp.body,
            answer.as_bytes(),
            "{}",
            String::from_utf8_lossy(request)
        );
        let resp = read_response(&mut stream, &mut pending, false);
        assert_eq!((resp.status, &resp.body[..]), (200, &b"next"[..]));
    }
}

#[test]
fn an_unread_body_past_the_drain_bound_closes_the_connection_after_the_answer() {
    let server = server();
    let mut stream = server.connect();
    stream
        .write_all(b"PUT /refuse HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n")
        .unwrap();
    // The body follows; the server drops 64 KiB of it at most, then closes.
    let body = vec![b'x'; 1_000_000];
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = stream.write_all(&body);
        })
    };
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.status, 404);
    assert!(is_closed(&mut stream));
    writer.join().unwrap();
}
