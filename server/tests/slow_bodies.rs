//! The minimum body rate on the pool: counted over the time the server waits on the client,
//! so a trickling client gets 408, and a handler that reads slowly does not make a fast
//! client look slow.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{read_response, TestServer};
use h1_server::{Request, Response, Router};

fn server() -> TestServer {
    let mut router = Router::new();
    router.post("/slow-reader", |req: &Request, res: &mut Response| {
        let mut reader = req.body_reader();
        let mut byte = [0u8; 1];
        let mut total = 0;
        while let Ok(1) = reader.read(&mut byte) {
            total += 1;
            std::thread::sleep(Duration::from_millis(5));
        }
        res.set_body(total.to_string());
    });
    router.post("/whole", |req: &Request, res: &mut Response| {
        res.set_body(req.body().len().to_string());
    });
    let config = common::config()
        .min_body_rate(1000)
        .min_rate_window(Duration::from_millis(300));
    TestServer::with_handler(config, router)
}

#[test]
fn a_trickling_body_on_the_pool_is_408() {
    let server = server();
    let mut stream = server.connect();
    stream
        .write_all(b"POST /whole HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n")
        .unwrap();
    // A byte every 50 ms is 20 bytes/s against 1,000: the window ends with it refused.
    let mut answered = Vec::new();
    for _ in 0..200 {
        if stream.write_all(b"x").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        stream.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 512];
        if let Ok(n @ 1..) = stream.read(&mut buf) {
            answered.extend_from_slice(&buf[..n]);
            stream.set_nonblocking(false).unwrap();
            break;
        }
        stream.set_nonblocking(false).unwrap();
    }
    let resp = read_response(&mut stream, &mut answered, false);
    assert_eq!(resp.status, 408);
}

#[test]
fn a_slow_reader_does_not_make_a_fast_client_slow() {
    let server = server();
    let mut stream = server.connect();
    // 200 bytes read a byte per 5 ms: a second of reading, while the client sent them all at
    // once. The client waited on the handler, not the other way round.
    stream
        .write_all(b"POST /slow-reader HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n")
        .unwrap();
    stream.write_all(&[b'y'; 200]).unwrap();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"200"[..]));
}
