//! End-to-end tests over loopback with raw `TcpStream`s: framing, keep-alive, pipelining,
//! errors, timeouts, shutdown.

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use h1_server::{Request, Response};

use common::*;

#[test]
fn get_hello_world() {
    let server = TestServer::start(config());
    let (resp, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"Hello, world!");
    assert_eq!(resp.header("content-length"), Some("13"));
    // RFC 9112 §9.3: an HTTP/1.1 connection persists unless told otherwise; the core says
    // nothing then (keep-alive is written to HTTP/1.0 clients only).
    assert_eq!(resp.header("connection"), None);
    let date = resp.header("date").expect("Date");
    assert!(httpdate::parse_http_date(date).is_ok(), "{date}");
}

#[test]
fn request_split_byte_by_byte() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    let request = b"POST /echo?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    for byte in request {
        stream.write_all(&[*byte]).expect("write");
        stream.flush().expect("flush");
        std::thread::sleep(Duration::from_micros(200));
    }
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"hello");
}

#[test]
fn hundred_pipelined_requests_in_one_write_are_answered_in_order() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    let mut wire = Vec::new();
    for i in 0..100 {
        write!(wire, "GET /users/{i} HTTP/1.1\r\nHost: a\r\n\r\n").expect("format");
    }
    stream.write_all(&wire).expect("write");
    let mut pending = Vec::new();
    for i in 0..100 {
        let resp = read_response(&mut stream, &mut pending, false);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.body, i.to_string().as_bytes());
    }
}

#[test]
fn keep_alive_reuses_the_connection() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    let mut pending = Vec::new();
    for path in ["/", "/users/7", "/files/a/b/c", "/query?x=1&y=2", "/nope"] {
        write!(stream, "GET {path} HTTP/1.1\r\nHost: a\r\n\r\n").expect("write");
        let resp = read_response(&mut stream, &mut pending, false);
        let expected: (u16, &[u8]) = match path {
            "/" => (200, b"Hello, world!"),
            "/users/7" => (200, b"7"),
            "/files/a/b/c" => (200, b"a/b/c"),
            "/query?x=1&y=2" => (200, b"x=1&y=2"),
            _ => (404, b"Not Found\n"),
        };
        assert_eq!((resp.status, &resp.body[..]), expected, "{path}");
    }
}

#[test]
fn method_not_allowed_lists_allow() {
    let server = TestServer::start(config());
    let (resp, _) = exchange(&server, b"PATCH /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 405);
    assert_eq!(resp.header("allow"), Some("GET, HEAD, DELETE"));
}

#[test]
fn connection_close_is_honoured() {
    let server = TestServer::start(config());
    let (resp, mut stream) = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(is_closed(&mut stream));
}

#[test]
fn http10_closes_unless_keep_alive() {
    let server = TestServer::start(config());
    let (resp, mut stream) = exchange(&server, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(is_closed(&mut stream));

    let (resp, mut stream) = exchange(&server, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(resp.header("connection"), Some("keep-alive"));
    stream
        .write_all(b"GET /users/2 HTTP/1.0\r\n\r\n")
        .expect("write");
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.body, b"2");
    assert!(is_closed(&mut stream));
}

#[test]
fn head_gets_headers_and_no_body() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    stream
        .write_all(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /users/9 HTTP/1.1\r\nHost: a\r\n\r\n")
        .expect("write");
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("13"));
    // Had a body been sent, it would be read here instead of the next response.
    let next = read_response(&mut stream, &mut pending, false);
    assert_eq!((next.status, &next.body[..]), (200, &b"9"[..]));
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    stream
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
        )
        .expect("write");
    let mut pending = Vec::new();
    let interim = read_response(&mut stream, &mut pending, true);
    assert_eq!(interim.status, 100);
    stream.write_all(b"body").expect("write body");
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"body"[..]));
}

#[test]
fn chunked_upload_is_decoded() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    let pieces: [&[u8]; 4] = [
        b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel",
        b"lo\r\n6\r\n, worl\r\n",
        b"1\r\nd\r\n0\r\nX-Trailer: t",
        b"\r\n\r\n",
    ];
    for piece in pieces {
        stream.write_all(piece).expect("write");
        std::thread::sleep(Duration::from_millis(5));
    }
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"hello, world"[..]));
}

#[test]
fn a_large_content_length_body_arrives_in_pieces() {
    let server = TestServer::start(config());
    let mut stream = server.connect();
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    write!(
        stream,
        "PUT /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("write head");
    let writer = {
        let mut stream = stream.try_clone().expect("clone");
        let body = body.clone();
        std::thread::spawn(move || stream.write_all(&body).expect("write body"))
    };
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    writer.join().expect("writer");
    assert_eq!(resp.status, 200);
    assert!(resp.body == body, "echoed body differs");
}

/// Every error status, with the connection closed after it.
#[test]
fn malformed_requests_get_their_status_and_a_closed_connection() {
    let config = config().parser(
        h1_parser::Config::new()
            .max_body_size(1024)
            .max_target_len(1024)
            .max_head_size(4096),
    );
    let server = TestServer::start(config);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(2000));
    let big_head = format!(
        "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "b".repeat(5000)
    );
    let cases: Vec<(&[u8], u16)> = vec![
        (b"GET / HTTP/1.1\r\n\r\n", 400),                                 // no Host
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),           // two Hosts
        (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),                     // double space
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),                     // RUSTSEC-2020-0031
        (b"GET / HTTP/1.1\nHost: a\n\n", 400),                            // bare LF
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n", 413),
        (
            b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n",
            413,
        ),
        (long_target.as_bytes(), 414),
        (big_head.as_bytes(), 431),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    ];
    for (request, status) in cases {
        let shown = String::from_utf8_lossy(&request[..request.len().min(80)]).into_owned();
        let (resp, mut stream) = exchange(&server, request);
        assert_eq!(resp.status, status, "{shown:?}");
        assert_eq!(resp.header("connection"), Some("close"), "{shown:?}");
        assert!(is_closed(&mut stream), "not closed after {shown:?}");
    }
}

#[test]
fn body_over_the_limit_is_refused_without_reading_it() {
    let config = config().parser(h1_parser::Config::new().max_body_size(1024));
    let server = TestServer::start(config);
    let mut stream = server.connect();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n")
        .expect("write");
    // Keep sending: the server answers 413 and closes without waiting for 100 MB.
    let _ = stream.write_all(&[b'x'; 64 * 1024]);
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.status, 413);
}

#[test]
fn head_deadline_holds_against_a_trickling_client() {
    let config = config().head_timeout(Duration::from_millis(300));
    let server = TestServer::start(config);
    let mut stream = server.connect();
    let started = Instant::now();
    stream.write_all(b"GET / HTTP/1.1\r\n").expect("write");
    let mut pending = Vec::new();
    // One header line every 50 ms: each byte is progress, but the head never ends.
    const LINES: usize = 200;
    let sent = Arc::new(AtomicUsize::new(0));
    let trickle = {
        let mut stream = stream.try_clone().expect("clone");
        let sent = Arc::clone(&sent);
        std::thread::spawn(move || {
            for i in 0..LINES {
                std::thread::sleep(Duration::from_millis(50));
                if write!(stream, "X-{i}: y\r\n").is_err() {
                    break;
                }
                sent.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let resp = read_response(&mut stream, &mut pending, false);
    let lines = sent.load(Ordering::SeqCst);
    eprintln!("408 after {:?}, {lines} lines trickled", started.elapsed());
    assert_eq!(resp.status, 408);
    // Counted in the client's lines, not in time: a deadline restarted by each byte would
    // answer only once the trickle stops. Load slows the trickle too, so this cannot flake.
    assert!(lines < LINES, "answered only after the trickle ended");
    // The next read is the close (EOF or reset), not a 5 s read timeout.
    assert!(is_closed(&mut stream), "still open after the 408");
    trickle.join().expect("trickle");
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let config = config().idle_timeout(Duration::from_millis(200));
    let server = TestServer::start(config);
    let (resp, mut stream) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 200);
    // No time bound of our own: `is_closed` fails on the 5 s read timeout, 25 times the idle
    // timeout, which tells a server that closes from one that never does.
    assert!(is_closed(&mut stream));
    // A connection that never sends a byte is idle too.
    let mut silent = server.connect();
    assert!(is_closed(&mut silent));
}

#[test]
fn a_stalled_body_times_out_with_408() {
    let config = config().body_timeout(Duration::from_millis(200));
    let server = TestServer::start(config);
    let (resp, mut stream) = exchange(
        &server,
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc",
    );
    assert_eq!(resp.status, 408);
    assert!(is_closed(&mut stream));
}

#[test]
fn a_panicking_handler_costs_a_500_not_the_worker() {
    let server = TestServer::start(config());
    let (resp, mut stream) = exchange(&server, b"GET /panic HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 500);
    assert!(is_closed(&mut stream));
    let (resp, _) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 200);
}

#[test]
fn vanished_clients_do_not_hurt_the_server() {
    let config = config().max_connections(8);
    let server = TestServer::start(config);
    // Far more half-sent requests than the connection limit: each one's slot must be freed.
    for i in 0..40 {
        let mut stream = server.connect();
        let partial: &[u8] = match i % 3 {
            0 => b"GET / HTTP/1.1\r\nHo",
            1 => b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc",
            _ => b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        };
        stream.write_all(partial).expect("write");
        drop(stream);
    }
    served_once_slots_are_freed(&server);
}

/// Waits for the event, not a time: the server frees a slot when it sees a close, which load
/// may delay; until then a new connection is 503. Bounded by a count of tries (about 30 s).
fn served_once_slots_are_freed(server: &TestServer) {
    for _ in 0..1500 {
        let (resp, _) = exchange(server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        match resp.status {
            200 => return,
            503 => std::thread::sleep(Duration::from_millis(20)),
            other => panic!("status {other}"),
        }
    }
    panic!("no slot freed");
}

#[test]
fn connections_over_the_limit_get_503_and_are_closed() {
    let config = config().max_connections(2);
    let server = TestServer::start(config);
    let (_, _first) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    let (_, _second) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    let mut third = server.connect();
    let resp = read_response(&mut third, &mut Vec::new(), false);
    assert_eq!((resp.status, resp.header("retry-after")), (503, Some("1")));
    assert!(is_closed(&mut third));
    // Once a slot is free, the next connection is served.
    drop(_first);
    served_once_slots_are_freed(&server);
}

#[test]
fn graceful_shutdown_finishes_requests_in_flight_and_closes_idle_ones() {
    // The idle timeout far away (60 s), so that only the shutdown can close the idle one.
    let config = config()
        .shutdown_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(60));
    let (entered_tx, entered) = std::sync::mpsc::channel();
    let mut router = router();
    router.get("/signal-slow", move |_: &Request, res: &mut Response| {
        let _ = entered_tx.send(());
        std::thread::sleep(Duration::from_millis(300));
        res.set_body("slow");
    });
    let mut server = TestServer::with_handler(config, router);
    let (_, mut idle) = exchange(&server, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    // A request half received when the shutdown starts...
    let mut half = server.connect();
    half.write_all(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab")
        .expect("write");
    // ...and one whose handler is running.
    let mut busy = server.connect();
    busy.write_all(b"GET /signal-slow HTTP/1.1\r\nHost: a\r\n\r\n")
        .expect("write");
    // The event, not a pause: its handler is running (and, one worker reading in arrival
    // order, the half request has been read).
    entered
        .recv_timeout(Duration::from_secs(30))
        .expect("the handler started");
    for stream in [&idle, &half, &busy] {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
    }
    let started = Instant::now();
    server.handle.shutdown();

    let resp = read_response(&mut busy, &mut Vec::new(), false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"slow"[..]));
    assert!(is_closed(&mut busy));

    half.write_all(b"cd").expect("write the rest");
    let resp = read_response(&mut half, &mut Vec::new(), false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"abcd"[..]));
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(is_closed(&mut half));

    assert!(is_closed(&mut idle));
    server.stop().expect("serve returns Ok");
    // About 0.3 s (the handler); closing the idle one at its 60 s timeout instead would pass
    // every check above but this one. 20 s tells the two apart whatever the load adds.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn shutdown_is_bounded_when_a_client_never_finishes() {
    let mut server = TestServer::start(config().shutdown_timeout(Duration::from_millis(300)));
    let mut stuck = server.connect();
    stuck
        .write_all(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\na")
        .expect("write");
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    server.stop().expect("serve returns Ok");
    // shutdown_timeout plus at most the 2 s linger, about 2.3 s; a shutdown that waited for
    // the client would never end. 20 s tells the two apart whatever the load adds.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// #13.7: a large read buffer full of pipelined requests whose answers go out without a short
/// write (a client that reads at once) takes more than 64 process-and-write rounds; the
/// requests left after the 64th must still be answered, not stranded until the idle timeout.
#[test]
fn pipelined_requests_beyond_64_rounds_are_not_stranded() {
    const REQUESTS: usize = 20_000;
    let config = config()
        .read_buffer_size(1 << 20)
        .idle_timeout(Duration::from_secs(30));
    let mut router = h1_server::Router::new();
    router.get(
        "/",
        |_: &h1_server::Request, res: &mut h1_server::Response| {
            res.body_mut().resize(1000, b'x');
        },
    );
    let server = TestServer::with_handler(config, router);
    let mut stream = server.connect();
    // One exchange first, for the answer's length (fixed: Date is fixed-width).
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .expect("write");
    let first = read_response(&mut stream, &mut Vec::new(), false);
    let answer_len = first.head.len() + first.body.len();
    let mut reader = stream.try_clone().expect("clone");
    let counter = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0usize;
        let started = Instant::now();
        while total < REQUESTS * answer_len {
            match std::io::Read::read(&mut reader, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
        (total / answer_len, total, started.elapsed())
    });
    let one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let wire: Vec<u8> = one
        .iter()
        .copied()
        .cycle()
        .take(one.len() * REQUESTS)
        .collect();
    stream.write_all(&wire).expect("write");
    let (got, total, elapsed) = counter.join().expect("reader");
    eprintln!("{got} answers ({total} bytes) in {elapsed:?}");
    assert_eq!(
        got, REQUESTS,
        "answers stopped after {total} bytes ({elapsed:?})"
    );
    // No time bound: stranded requests would never be answered (the connection closes at
    // the idle timeout), and the count above catches that.
}
