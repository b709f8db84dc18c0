//! Faults stay local: a body reader that panics costs its response, one that spins or blocks
//! costs its own thread — never the event loop, which keeps serving the other connections.

mod common;

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{exchange, is_closed, read_response, TestServer};
use h1_server::{Request, Response, Router};

/// Panics on its first read.
struct Panicking;

impl Read for Panicking {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        panic!("a body reader's bug (expected by the test)");
    }
}

/// Says `Interrupted` until `stop`, then fails: a reader that never makes progress.
struct Spinning(Arc<AtomicBool>);

impl Read for Spinning {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        if self.0.load(Ordering::SeqCst) {
            return Err(io::Error::other("stopped by the test"));
        }
        Err(io::ErrorKind::Interrupted.into())
    }
}

fn server(stop: &Arc<AtomicBool>) -> TestServer {
    let mut router = Router::new();
    let spin = Arc::clone(stop);
    router
        .inline()
        .get("/", |_: &Request, res: &mut Response| {
            res.set_body("ok");
        })
        .get("/panicking", |_: &Request, res: &mut Response| {
            res.set_body_reader(Panicking, None);
        })
        .get("/spinning", move |_: &Request, res: &mut Response| {
            res.set_body_reader(Spinning(Arc::clone(&spin)), Some(10));
        });
    router.get("/pool/panicking", |_: &Request, res: &mut Response| {
        res.set_body_reader(Panicking, Some(5));
    });
    // One worker: a fault that held it would hold every connection.
    TestServer::with_handler(common::config().threads(1), router)
}

#[test]
fn a_panicking_body_reader_costs_its_response_only() {
    let stop = Arc::new(AtomicBool::new(false));
    let server = server(&stop);
    for path in ["/panicking", "/pool/panicking"] {
        let mut stream = server.connect();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
        // The head went out (chunked or with its length); the body is cut by the close.
        let resp = read_response(&mut stream, &mut Vec::new(), true);
        assert_eq!(resp.status, 200, "{path}");
        assert!(is_closed(&mut stream), "{path}");
        let (resp, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!((resp.status, &resp.body[..]), (200, &b"ok"[..]), "{path}");
    }
}

#[test]
fn a_reader_that_never_makes_progress_costs_its_own_thread() {
    let stop = Arc::new(AtomicBool::new(false));
    let server = server(&stop);
    let mut spinning = server.connect();
    spinning
        .write_all(b"GET /spinning HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    let resp = read_response(&mut spinning, &mut Vec::new(), true);
    assert_eq!(resp.header("content-length"), Some("10"));
    // Its reader spins on a handler thread; the one worker answers others meanwhile.
    for _ in 0..3 {
        let (resp, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!((resp.status, &resp.body[..]), (200, &b"ok"[..]));
    }
    stop.store(true, Ordering::SeqCst);
    // The reader fails: the body is cut short of its length by the close.
    assert!(is_closed(&mut spinning));
}
