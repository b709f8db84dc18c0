//! The body memory budget (`ServerConfig::body_memory`): bodies read whole, by inline handlers
//! and by `Request::body` on the pool, count against one server-wide budget; a body that would
//! pass it is answered 503 with `Retry-After`, and what it held comes back.

mod common;

use std::io::Write;

use common::{exchange, read_response, TestServer};
use h1_server::{Request, Response, Router};

const BUDGET: usize = 256 * 1024;

fn server() -> TestServer {
    let mut router = Router::new();
    router
        .inline()
        .post("/inline", |req: &Request, res: &mut Response| {
            res.set_body(req.body().len().to_string());
        });
    router.post("/pool", |req: &Request, res: &mut Response| {
        res.set_body(req.body().len().to_string());
    });
    let config = common::config().body_memory(BUDGET);
    TestServer::with_handler(config, router)
}

/// A chunked body of `size` bytes in 4 KiB chunks: gathered out of the read buffer.
fn chunked(path: &str, size: usize) -> Vec<u8> {
    let mut wire = format!("POST {path} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        .into_bytes();
    let chunk = [b'x'; 4096];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        write!(wire, "{n:x}\r\n").unwrap();
        wire.extend_from_slice(&chunk[..n]);
        wire.extend_from_slice(b"\r\n");
        left -= n;
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

#[test]
fn a_body_over_the_budget_is_503_with_retry_after_and_the_budget_comes_back() {
    let server = server();
    for path in ["/inline", "/pool"] {
        let (resp, _) = exchange(&server, &chunked(path, 2 * BUDGET));
        assert_eq!(resp.status, 503, "{path}");
        assert_eq!(resp.header("retry-after"), Some("1"), "{path}");
        assert_eq!(resp.header("connection"), Some("close"), "{path}");
        // What the refused body held was given back: a body that fits passes.
        let (resp, _) = exchange(&server, &chunked(path, BUDGET / 4));
        assert_eq!(resp.status, 200, "{path}");
        assert_eq!(resp.body, (BUDGET / 4).to_string().as_bytes(), "{path}");
    }
}

#[test]
fn bodies_held_by_many_connections_share_one_budget() {
    let server = server();
    // Each body is under the budget; three at once are not. Every one is answered (200 or
    // 503): none is lost, and those that fit come out whole.
    let mut clients: Vec<_> = (0..3)
        .map(|_| {
            let mut stream = server.connect();
            stream.write_all(&chunked("/inline", BUDGET / 2)).unwrap();
            stream
        })
        .collect();
    let statuses: Vec<u16> = clients
        .iter_mut()
        .map(|stream| read_response(stream, &mut Vec::new(), false).status)
        .collect();
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
}
