//! Handlers on the pool (issue 23, items 2, 3, 4, 7, 8, 9), over loopback sockets.
//!
//! Every ordering is made by the test: a handler that must wait waits on a channel the test
//! feeds, and reports what it saw on another; no sleep orders anything. The only timeouts are
//! guards ([`GUARD`]) that turn a hang into a failure: a correct server never comes near them.

mod common;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use common::{
    config, fill_to, fill_until, is_closed, open_event_stream, read_chunk, read_response, Resp,
    TestServer,
};
use h1_server::{Plan, Request, Responder, Response, Router, ServerConfig};

/// How long a test waits for what must come before it calls it a hang. Never a measure.
const GUARD: Duration = Duration::from_secs(60);

/// The tests' configuration: two workers and timeouts far past [`GUARD`], so that none of
/// them ends an exchange a slow machine is still in the middle of.
fn pool_config() -> ServerConfig {
    config()
        .threads(2)
        .head_timeout(GUARD * 2)
        .idle_timeout(GUARD * 2)
        .body_timeout(GUARD * 2)
        .write_timeout(GUARD * 2)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(GUARD)).expect("read timeout");
    stream.set_nodelay(true).expect("nodelay");
    stream
}

/// The next message on `rx`, or a failure after [`GUARD`].
fn recv<T>(rx: &Receiver<T>) -> T {
    rx.recv_timeout(GUARD)
        .expect("the awaited report came in time")
}

/// A channel whose receiving end a handler (`Sync`) can hold.
fn shared_channel<T>() -> (Sender<T>, Arc<Mutex<Receiver<T>>>) {
    let (tx, rx) = mpsc::channel();
    (tx, Arc::new(Mutex::new(rx)))
}

fn wait_for<T>(rx: &Mutex<Receiver<T>>) -> T {
    recv(&rx.lock().unwrap())
}

/// A handler that defers its answer and hands the `Responder` to the test, which receives
/// it from the returned channel.
fn deferring() -> (
    impl Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    Receiver<Responder>,
) {
    let (tx, responders) = mpsc::channel();
    let tx = Mutex::new(tx);
    let handler = move |_: &Request<'_>, res: &mut Response| {
        let responder = res.defer().expect("defer on the pool");
        tx.lock().unwrap().send(responder).unwrap();
    };
    (handler, responders)
}

/// A latch: handlers wait until the test opens it.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, opened) = &*self.0;
        let open = open.lock().unwrap();
        let (open, _) = opened
            .wait_timeout_while(open, GUARD, |open| !*open)
            .unwrap();
        assert!(*open, "the gate was never opened");
    }

    fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }
}

/// Whether the server sent nothing so far: a non-blocking read finds no byte. (A correct
/// server has sent nothing; a wrong one has, before the event the test waited for.)
fn nothing_received(stream: &mut TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let read = stream.read(&mut byte);
    stream.set_nonblocking(false).unwrap();
    matches!(read, Err(error) if error.kind() == io::ErrorKind::WouldBlock)
}

/// The trailer section after the last chunk, up to and with its final CRLF.
fn read_trailers(stream: &mut TcpStream, pending: &mut Vec<u8>) -> String {
    if pending.starts_with(b"\r\n") {
        pending.drain(..2);
        return String::new();
    }
    let end = fill_until(stream, pending, b"\r\n\r\n") + 4;
    let section = String::from_utf8(pending.drain(..end).collect()).expect("ASCII");
    section
}

/// A GET on a new connection, and its answer.
fn get(addr: SocketAddr, path: &str) -> Resp {
    let mut stream = connect(addr);
    write!(stream, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    read_response(&mut stream, &mut Vec::new(), false)
}

fn text(resp: &Resp) -> &str {
    std::str::from_utf8(&resp.body).expect("UTF-8 body")
}

// (a) Blocking is allowed: eight handlers waiting do not delay a ninth request.

#[test]
fn eight_blocked_handlers_do_not_stop_a_fast_request_with_the_default_config() {
    let gate = Gate::default();
    let (started_tx, started) = mpsc::channel();
    let mut router = Router::new();
    let waiting = gate.clone();
    router
        .get("/block/:n", move |req, res| {
            started_tx.send(()).unwrap();
            waiting.wait();
            res.set_body(format!("released {}", req.param("n").unwrap()));
        })
        .get("/fast", |_, res| {
            res.set_body("fast");
        });
    router.inline().get("/fast-inline", |_, res| {
        res.set_body("fast inline");
    });
    // The defaults (handler threads, timeouts), but for two workers.
    let server = TestServer::with_handler(ServerConfig::new().threads(2), router);
    let mut blocked: Vec<TcpStream> = (0..8)
        .map(|n| {
            let mut stream = connect(server.addr);
            write!(stream, "GET /block/{n} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
            stream
        })
        .collect();
    for _ in 0..8 {
        recv(&started);
    }
    // All eight handlers are inside, waiting on the gate: both workers still answer.
    let fast = get(server.addr, "/fast");
    assert_eq!((fast.status, text(&fast)), (200, "fast"));
    let inline = get(server.addr, "/fast-inline");
    assert_eq!((inline.status, text(&inline)), (200, "fast inline"));
    for stream in &mut blocked {
        assert!(nothing_received(stream), "a blocked handler answered early");
    }
    gate.open();
    for (n, stream) in blocked.iter_mut().enumerate() {
        let resp = read_response(stream, &mut Vec::new(), false);
        assert_eq!(resp.status, 200);
        assert_eq!(text(&resp), format!("released {n}"));
    }
}

// (b) Bodies as they arrive; 100 Continue only when the handler reads.

/// `PUT /stream`: reads the body as it arrives, reporting each piece, and answers with it.
fn streaming_reader() -> (Router, Receiver<Vec<u8>>) {
    let (pieces_tx, pieces) = mpsc::channel();
    let mut router = Router::new();
    router.put("/stream", move |req, res| {
        let mut reader = req.body_reader();
        let mut whole = Vec::new();
        let mut buf = [0u8; 256];
        loop {
            let n = reader.read(&mut buf).expect("body read");
            if n == 0 {
                break;
            }
            pieces_tx.send(buf[..n].to_vec()).unwrap();
            whole.extend_from_slice(&buf[..n]);
        }
        res.set_body(whole);
    });
    (router, pieces)
}

/// Waits until the handler has reported `expected` (in one piece or several).
fn handler_got(pieces: &Receiver<Vec<u8>>, expected: &[u8]) {
    let mut got = Vec::new();
    while got.len() < expected.len() {
        got.extend(recv(pieces));
    }
    assert_eq!(got, expected);
}

#[test]
fn a_length_body_is_read_by_the_handler_as_it_arrives() {
    let (router, pieces) = streaming_reader();
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"PUT /stream HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello")
        .unwrap();
    // The handler has the first part while the rest is not sent yet.
    handler_got(&pieces, b"hello");
    stream.write_all(b" world").unwrap();
    handler_got(&pieces, b" world");
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, text(&resp)), (200, "hello world"));
}

#[test]
fn a_chunked_body_is_read_by_the_handler_as_it_arrives() {
    let (router, pieces) = streaming_reader();
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"PUT /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        )
        .unwrap();
    handler_got(&pieces, b"hello");
    stream.write_all(b"6\r\n world\r\n").unwrap();
    handler_got(&pieces, b" world");
    stream.write_all(b"0\r\n\r\n").unwrap();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, text(&resp)), (200, "hello world"));
    // The connection persists.
    stream
        .write_all(b"PUT /stream HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
        .unwrap();
    handler_got(&pieces, b"ok");
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, text(&resp)), (200, "ok"));
}

#[test]
fn a_client_gone_mid_body_fails_the_read_and_a_stalled_one_gets_408() {
    let (errors_tx, errors) = mpsc::channel();
    let mut router = Router::new();
    router.put("/read", move |req, res| {
        let mut body = Vec::new();
        if let Err(error) = req.body_reader().read_to_end(&mut body) {
            errors_tx.send(error.to_string()).unwrap();
        }
        res.set_body("read");
    });
    // The body timeout ends a stall; no rate window interferes.
    let config = pool_config()
        .body_timeout(Duration::from_millis(200))
        .min_body_rate(0);
    let server = TestServer::with_handler(config, router);
    // Gone: half a body, then the client's end.
    let mut stream = connect(server.addr);
    stream
        .write_all(b"PUT /read HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhalf")
        .unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let error = recv(&errors);
    assert!(!error.is_empty());
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    // Stalled: half a body, then nothing; the client waits for the answer.
    let mut stream = connect(server.addr);
    stream
        .write_all(b"PUT /read HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhalf")
        .unwrap();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.status, 408, "{}", text(&resp));
    assert!(recv(&errors).contains("not received in time"));
    assert!(is_closed(&mut stream));
}

#[test]
fn a_body_trickled_under_the_minimum_rate_gets_408_on_the_pool_too() {
    let mut router = Router::new();
    router.put("/read", |req, res| {
        let mut body = Vec::new();
        let _ = req.body_reader().read_to_end(&mut body);
        res.set_body("read");
    });
    // 1,000 bytes/s over 200 ms windows; the body timeout (each wait) is far longer than
    // the client's pauses, so only the rate can end this body.
    let config = pool_config()
        .min_body_rate(1000)
        .min_rate_window(Duration::from_millis(200));
    let server = TestServer::with_handler(config, router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"PUT /read HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nx")
        .unwrap();
    // A byte every 50 ms (20 bytes/s) until the server answers: the pace is the client's
    // slowness under test, not a synchronisation.
    let mut trickler = stream.try_clone().unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let trickle = thread::spawn(move || {
        while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
            if trickler.write_all(b"x").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(resp.status, 408, "{}", text(&resp));
    trickle.join().unwrap();
}

#[test]
fn continue_goes_out_when_the_handler_starts_reading_not_before() {
    let (entered_tx, entered) = mpsc::channel();
    let (go, go_rx) = shared_channel::<()>();
    let mut router = Router::new();
    router.put("/gated", move |req, res| {
        entered_tx.send(()).unwrap();
        wait_for(&go_rx);
        let mut body = Vec::new();
        req.body_reader().read_to_end(&mut body).unwrap();
        res.set_body(body);
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"PUT /gated HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
        )
        .unwrap();
    recv(&entered);
    // The handler runs and has not read: no 100 yet.
    assert!(
        nothing_received(&mut stream),
        "100 Continue before the read"
    );
    go.send(()).unwrap();
    let mut pending = Vec::new();
    let interim = read_response(&mut stream, &mut pending, true);
    assert_eq!(interim.status, 100);
    stream.write_all(b"hello").unwrap();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!((resp.status, text(&resp)), (200, "hello"));
}

#[test]
fn a_handler_that_refuses_an_expect_continue_body_unread_answers_at_once_and_closes() {
    let mut router = Router::new();
    router.put("/deny", |_, res| {
        res.set_status(401).set_body("no");
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"PUT /deny HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n",
        )
        .unwrap();
    // The first bytes are the answer: no 100 Continue, no body read.
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, text(&resp)), (401, "no"));
    // The client may or may not send the body now: the connection cannot go on (RFC 9110
    // §10.1.1), and says so.
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(is_closed(&mut stream));
}

#[test]
fn the_routers_404_to_an_expect_continue_body_goes_out_without_reading_it() {
    let mut router = Router::new();
    router.put("/somewhere", |_, res| {
        res.set_body("here");
    });
    let server = TestServer::with_handler(pool_config(), router);
    for target in ["/nowhere", "/somewhere"] {
        let method = if target == "/nowhere" { "PUT" } else { "POST" };
        let mut stream = connect(server.addr);
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 8000000\r\n\r\n"
        )
        .unwrap();
        let resp = read_response(&mut stream, &mut Vec::new(), false);
        let expected = if target == "/nowhere" { 404 } else { 405 };
        assert_eq!(resp.status, expected, "{method} {target}: {}", resp.head);
        assert_eq!(resp.header("connection"), Some("close"));
        assert!(is_closed(&mut stream));
    }
    // Without Expect: answered while most of the body is still to come (read whole first,
    // it would never be answered: the client waits for the answer before sending more).
    let mut stream = connect(server.addr);
    stream
        .write_all(b"POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 8000000\r\n\r\n")
        .unwrap();
    stream.write_all(&[b'z'; 1000]).unwrap();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.status, 404);
}

/// `PUT /ignore`: answers 404 without reading the body.
fn ignoring_router() -> Router {
    let mut router = Router::new();
    router
        .put("/ignore", |_, res| {
            res.set_status(404).set_body("ignored");
        })
        .get("/next", |_, res| {
            res.set_body("next");
        });
    router
}

#[test]
fn a_body_left_unread_within_64_kib_is_drained_and_the_connection_goes_on() {
    let server = TestServer::with_handler(pool_config(), ignoring_router());
    let mut stream = connect(server.addr);
    let sender = send_ignored_body_then_next(&stream, 60 * 1024);
    let mut pending = Vec::new();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!((resp.status, text(&resp)), (404, "ignored"));
    assert_eq!(resp.header("connection"), None);
    let next = read_response(&mut stream, &mut pending, false);
    assert_eq!((next.status, text(&next)), (200, "next"));
    sender.join().unwrap().unwrap();
}

#[test]
fn a_body_read_short_of_its_end_lets_the_pipelined_request_through() {
    let mut router = ignoring_router();
    // Takes exactly the declared bytes: the body's end is never asked for.
    router.put("/exact", |req, res| {
        let mut four = [0u8; 4];
        req.body_reader().read_exact(&mut four).unwrap();
        res.set_body(four);
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"PUT /exact HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd\
              GET /next HTTP/1.1\r\nHost: t\r\n\r\n",
        )
        .unwrap();
    let mut pending = Vec::new();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!((resp.status, text(&resp)), (200, "abcd"));
    let next = read_response(&mut stream, &mut pending, false);
    assert_eq!((next.status, text(&next)), (200, "next"));
}

#[test]
fn a_drained_connection_waits_for_its_next_request_on_the_event_loop() {
    // Were the next request awaited on the pool thread, the slot would stay lent and the
    // shutdown would wait its whole (long) timeout instead of closing the idle connection.
    let config = pool_config().shutdown_timeout(GUARD * 10);
    let mut server = TestServer::with_handler(config, ignoring_router());
    let mut stream = connect(server.addr);
    stream
        .write_all(b"PUT /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
        .unwrap();
    let mut pending = Vec::new();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!((resp.status, text(&resp)), (404, "ignored"));
    // A next request in two pieces: the head arrives after the drain.
    stream.write_all(b"GET /ne").unwrap();
    stream.write_all(b"xt HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let next = read_response(&mut stream, &mut pending, false);
    assert_eq!((next.status, text(&next)), (200, "next"));
    stream
        .write_all(b"PUT /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
        .unwrap();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!(resp.status, 404);
    // Idle now: the shutdown closes it at once.
    let (stopped_tx, stopped) = mpsc::channel();
    thread::spawn(move || stopped_tx.send(server.stop().is_ok()).unwrap());
    assert!(recv(&stopped), "serve failed");
    assert!(is_closed(&mut stream));
}

#[test]
fn a_body_left_unread_past_64_kib_closes_the_connection_after_the_answer() {
    let server = TestServer::with_handler(pool_config(), ignoring_router());
    let mut stream = connect(server.addr);
    let sender = send_ignored_body_then_next(&stream, 200 * 1024);
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, text(&resp)), (404, "ignored"));
    assert!(is_closed(&mut stream), "no answer after an undrained body");
    // The server may close before taking it all: the sender's errors do not matter.
    let _ = sender.join().unwrap();
}

/// Sends, from another thread, a `PUT /ignore` with a body of `len` bytes that its handler
/// leaves unread, then `GET /next`; the thread's result says whether all of it was written.
fn send_ignored_body_then_next(
    stream: &TcpStream,
    len: usize,
) -> thread::JoinHandle<std::io::Result<()>> {
    let mut writer = stream.try_clone().unwrap();
    thread::spawn(move || {
        let head = format!("PUT /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: {len}\r\n\r\n");
        writer.write_all(head.as_bytes())?;
        writer.write_all(&vec![b'x'; len])?;
        writer.write_all(b"GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
    })
}

// (c) A response body written as it is produced.

#[test]
fn each_event_reaches_the_client_before_the_next_is_written() {
    let (go, go_rx) = shared_channel::<()>();
    let mut router = Router::new();
    router.get("/events", move |_, res| {
        res.header("Content-Type", "text/event-stream");
        let mut events = res.writer().expect("a writer on the pool");
        for n in 0..5 {
            wait_for(&go_rx);
            // One write per event: one chunk on the wire.
            events
                .write_all(format!("data: {n}\n\n").as_bytes())
                .unwrap();
        }
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    // The head comes before any event is written.
    let mut pending = open_event_stream(&mut stream);
    assert!(pending.is_empty());
    for n in 0..5 {
        go.send(()).unwrap();
        let event = read_chunk(&mut stream, &mut pending);
        assert_eq!(event, format!("data: {n}\n\n").as_bytes());
        if n < 4 {
            // The handler waits for the next go: nothing can follow yet.
            assert!(pending.is_empty(), "event {n} came with more");
        }
    }
    assert_eq!(read_chunk(&mut stream, &mut pending), b"");
    assert_eq!(read_trailers(&mut stream, &mut pending), "");
    // And the connection goes on.
    stream
        .write_all(b"GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut stream, &mut pending, false).status, 404);
}

#[test]
fn the_writer_learns_that_the_client_has_gone() {
    let (go, go_rx) = shared_channel::<()>();
    let (result_tx, result) = mpsc::channel();
    let mut router = Router::new();
    router.get("/forever/:ask", move |req, res| {
        let ask = req.param("ask") == Some("ask");
        let mut events = res.writer().unwrap();
        events.write_all(b"data: first\n\n").unwrap();
        wait_for(&go_rx);
        // The client closed: writes fail (or the writer says so) before long.
        let outcome = loop {
            if ask && events.client_gone() {
                break "gone".to_string();
            }
            if let Err(error) = events.write_all(b"data: more\n\n") {
                break format!("{:?}", error.kind());
            }
        };
        result_tx.send(outcome).unwrap();
    });
    let server = TestServer::with_handler(pool_config(), router);
    for ask in ["ask", "write-only"] {
        let mut stream = connect(server.addr);
        write!(stream, "GET /forever/{ask} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        let mut pending = Vec::new();
        read_response(&mut stream, &mut pending, true);
        assert_eq!(read_chunk(&mut stream, &mut pending), b"data: first\n\n");
        drop(stream);
        go.send(()).unwrap();
        let outcome = recv(&result);
        let expected: &[&str] = match ask {
            "ask" => &["gone", "BrokenPipe", "ConnectionReset", "NotConnected"],
            _ => &["BrokenPipe", "ConnectionReset", "NotConnected"],
        };
        assert!(expected.contains(&outcome.as_str()), "{ask}: {outcome}");
    }
    // The server goes on.
    assert_eq!(get(server.addr, "/nothing").status, 404);
}

#[test]
fn a_written_body_goes_to_an_http10_client_until_the_close_and_not_after_head() {
    let mut router = Router::new();
    router.get("/written", |_, res| {
        let mut body = res.writer().unwrap();
        body.write_all(b"first ").unwrap();
        body.write_all(b"second").unwrap();
    });
    let server = TestServer::with_handler(pool_config(), router);
    // HTTP/1.0: no chunked framing; the close ends the body.
    let mut stream = connect(server.addr);
    stream.write_all(b"GET /written HTTP/1.0\r\n\r\n").unwrap();
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), None);
    stream.read_to_end(&mut pending).unwrap();
    assert_eq!(pending, b"first second");
    // HEAD: the head alone, and the connection goes on.
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"HEAD /written HTTP/1.1\r\nHost: t\r\n\r\nGET /nothing HTTP/1.1\r\nHost: t\r\n\r\n",
        )
        .unwrap();
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 200);
    let next = read_response(&mut stream, &mut pending, false);
    assert_eq!(
        next.status, 404,
        "the HEAD answer carried a body: {:?}",
        next.head
    );
}

#[test]
fn a_client_that_half_closes_after_its_request_still_gets_a_written_body() {
    let mut router = Router::new();
    router.get("/written", |_, res| {
        let mut body = res.writer().unwrap();
        body.write_all(b"first ").unwrap();
        body.write_all(b"second").unwrap();
    });
    router.get("/whole", |_, res| {
        res.set_body("first second");
    });
    let server = TestServer::with_handler(pool_config(), router);
    for path in ["/whole", "/written"] {
        let mut stream = connect(server.addr);
        write!(stream, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        // Nothing more to send: the client says so, and reads on.
        stream.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        let _ = stream.read_to_end(&mut got);
        let got = String::from_utf8_lossy(&got);
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{path}: {got}");
        assert!(
            got.contains("first") && got.contains("second"),
            "{path}: {got}"
        );
    }
}

#[test]
fn response_trailers_follow_a_written_body() {
    let mut router = Router::new();
    router.get("/digest", |_, res| {
        {
            let mut body = res.writer().unwrap();
            body.write_all(b"abc").unwrap();
            body.write_all(b"def").unwrap();
        }
        res.set_trailer("X-Digest", "sha-256=xyz").unwrap();
        res.set_trailer("X-Count", "2").unwrap();
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"GET /digest HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(read_chunk(&mut stream, &mut pending), b"abc");
    assert_eq!(read_chunk(&mut stream, &mut pending), b"def");
    assert_eq!(read_chunk(&mut stream, &mut pending), b"");
    assert_eq!(
        read_trailers(&mut stream, &mut pending),
        "X-Digest: sha-256=xyz\r\nX-Count: 2\r\n\r\n"
    );
}

// (d) Answers completed later, from another thread.

#[test]
fn a_responder_sent_from_another_thread_answers_before_the_pipelined_requests() {
    let (defer, responders) = deferring();
    let mut router = Router::new();
    router.get("/later", defer).get("/pool/:n", |req, res| {
        res.set_body(format!("pool {}", req.param("n").unwrap()));
    });
    router.inline().get("/inline/:n", |req, res| {
        res.set_body(format!("inline {}", req.param("n").unwrap()));
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"GET /later HTTP/1.1\r\nHost: t\r\n\r\n\
              GET /pool/1 HTTP/1.1\r\nHost: t\r\n\r\n\
              GET /inline/2 HTTP/1.1\r\nHost: t\r\n\r\n\
              GET /pool/3 HTTP/1.1\r\nHost: t\r\n\r\n",
        )
        .unwrap();
    let mut responder = recv(&responders);
    // The handler returned; the answer is owed, and nothing behind it was answered.
    assert!(nothing_received(&mut stream), "answered out of order");
    thread::spawn(move || {
        responder
            .response()
            .set_status(202)
            .header("X-From", "elsewhere")
            .set_body("later");
        responder.send();
    })
    .join()
    .unwrap();
    let mut pending = Vec::new();
    let first = read_response(&mut stream, &mut pending, false);
    assert_eq!((first.status, text(&first)), (202, "later"));
    assert_eq!(first.header("x-from"), Some("elsewhere"));
    for expected in ["pool 1", "inline 2", "pool 3"] {
        let resp = read_response(&mut stream, &mut pending, false);
        assert_eq!((resp.status, text(&resp)), (200, expected));
    }
}

#[test]
fn a_responder_streams_its_body_from_another_thread() {
    let (defer, responders) = deferring();
    let mut router = Router::new();
    router.get("/later", defer);
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"GET /later HTTP/1.1\r\nHost: t\r\n\r\nGET /later HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (go, go_rx) = mpsc::channel::<()>();
    let mut responder = recv(&responders);
    let producer = thread::spawn(move || {
        {
            let mut body = responder.response().writer().unwrap();
            body.write_all(b"one").unwrap();
            go_rx.recv().unwrap();
            body.write_all(b"two").unwrap();
        }
        responder.response().set_trailer("X-Done", "yes").unwrap();
        responder.send();
    });
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 200);
    assert_eq!(read_chunk(&mut stream, &mut pending), b"one");
    go.send(()).unwrap();
    assert_eq!(read_chunk(&mut stream, &mut pending), b"two");
    assert_eq!(read_chunk(&mut stream, &mut pending), b"");
    assert_eq!(
        read_trailers(&mut stream, &mut pending),
        "X-Done: yes\r\n\r\n"
    );
    producer.join().unwrap();
    // The pipelined request is served next, deferred too.
    let mut responder = recv(&responders);
    responder.response().set_body("second");
    responder.send();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!((resp.status, text(&resp)), (200, "second"));
}

#[test]
fn a_responder_dropped_unsent_answers_500_and_closes() {
    let (defer, responders) = deferring();
    let mut router = Router::new();
    router
        .get("/dropped-elsewhere", defer)
        .get("/dropped-here", |_, res| {
            drop(res.defer().unwrap());
        })
        .get("/ok", |_, res| {
            res.set_body("ok");
        });
    let server = TestServer::with_handler(pool_config(), router);
    for path in ["/dropped-elsewhere", "/dropped-here"] {
        let mut stream = connect(server.addr);
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: t\r\n\r\nGET /ok HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        .unwrap();
        if path == "/dropped-elsewhere" {
            let responder = recv(&responders);
            thread::spawn(move || drop(responder)).join().unwrap();
        }
        let resp = read_response(&mut stream, &mut Vec::new(), false);
        assert_eq!(resp.status, 500, "{path}");
        assert_eq!(resp.header("connection"), Some("close"), "{path}");
        assert!(
            is_closed(&mut stream),
            "{path}: the pipelined request was answered"
        );
    }
    assert_eq!(get(server.addr, "/ok").status, 200);
}

// (e) Upgrades and tunnels.

/// Copies what `io` reads back to it until the client's end.
fn echo(mut io: impl Read + Write) {
    let mut buf = [0u8; 4096];
    loop {
        match io.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if io.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

fn upgrade_router() -> Router {
    let mut router = Router::new();
    router
        .get("/echo", |_, res| {
            res.upgrade("echo", echo).unwrap();
        })
        .get("/upgrade-panics", |_, res| {
            res.upgrade("echo", |_| panic!("an upgrade callback's bug (expected)"))
                .unwrap();
        })
        .get("/ok", |_, res| {
            res.set_body("ok");
        })
        .fallback(|req, res| {
            if req.method() == h1_parser::Method::Connect {
                assert_eq!(req.target(), "example.test:443");
                res.tunnel(echo).unwrap();
            } else {
                res.set_status(404);
            }
        });
    router
}

#[test]
fn an_upgraded_connection_echoes_raw_bytes_including_those_sent_with_the_request() {
    let server = TestServer::with_handler(pool_config(), upgrade_router());
    let mut stream = connect(server.addr);
    // The first bytes of the new protocol come in the same write as the request.
    stream
        .write_all(
            b"GET /echo HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: h2c, Echo\r\n\r\nprefix!",
        )
        .unwrap();
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 101, "{}", head.head);
    assert_eq!(head.header("upgrade"), Some("echo"));
    fill_to(&mut stream, &mut pending, 7);
    assert_eq!(pending, b"prefix!");
    pending.clear();
    stream.write_all(b"\x00\xffraw bytes\r\n\r\n").unwrap();
    fill_to(&mut stream, &mut pending, 15);
    assert_eq!(pending, b"\x00\xffraw bytes\r\n\r\n");
    // The client's end ends the echo, and the server closes.
    stream.shutdown(Shutdown::Write).unwrap();
    assert!(is_closed(&mut stream));
    assert_eq!(get(server.addr, "/ok").status, 200);
}

/// An upgraded connection counts against `max_connections` while its stream lives, though it
/// left the worker's slots: with a cap of one, a second client gets 503 until it ends.
#[test]
fn an_upgraded_connection_counts_as_open_until_its_stream_ends() {
    let server = TestServer::with_handler(pool_config().max_connections(1), upgrade_router());
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"GET /echo HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nx",
        )
        .unwrap();
    let mut pending = Vec::new();
    assert_eq!(read_response(&mut stream, &mut pending, true).status, 101);
    // The echo of the byte sent with the request: the callback runs, the stream is alive.
    fill_to(&mut stream, &mut pending, 1);
    // Over the cap: a 503, or the reset of a connection closed with the request unread.
    assert_ne!(status_of(server.addr), Some(200));
    stream.shutdown(Shutdown::Write).unwrap();
    assert!(is_closed(&mut stream));
    // The stream is dropped as its callback returns, on the handler's thread: the count goes
    // down then, shortly after the close the client saw.
    let served = (0..1000).any(|_| {
        let served = status_of(server.addr) == Some(200);
        if !served {
            std::thread::sleep(Duration::from_millis(10));
        }
        served
    });
    assert!(
        served,
        "the upgraded connection stayed counted after its end"
    );
}

/// The status a new connection gets for `GET /ok`; `None` when it is refused or reset.
fn status_of(addr: SocketAddr) -> Option<u16> {
    let mut stream = connect(addr);
    let _ = stream.write_all(b"GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let line = answer.strip_prefix(b"HTTP/1.1 ")?;
    std::str::from_utf8(line.get(..3)?).ok()?.parse().ok()
}

#[test]
fn a_connect_tunnel_carries_bytes_both_ways() {
    let server = TestServer::with_handler(pool_config(), upgrade_router());
    let mut stream = connect(server.addr);
    stream
        .write_all(b"CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\nhello")
        .unwrap();
    let mut pending = Vec::new();
    let head = read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 200, "{}", head.head);
    // RFC 9110 §9.3.6: no framing fields on a 2xx to CONNECT.
    assert_eq!(head.header("content-length"), None, "{}", head.head);
    assert_eq!(head.header("transfer-encoding"), None, "{}", head.head);
    fill_to(&mut stream, &mut pending, 5);
    assert_eq!(pending, b"hello");
    pending.clear();
    stream.write_all(b" tunnel").unwrap();
    fill_to(&mut stream, &mut pending, 7);
    assert_eq!(pending, b" tunnel");
    stream.shutdown(Shutdown::Write).unwrap();
    assert!(is_closed(&mut stream));
}

#[test]
fn an_upgrade_the_client_did_not_offer_is_refused_and_its_callback_never_runs() {
    let (ran_tx, ran) = mpsc::channel::<()>();
    let ran_tx = Mutex::new(ran_tx);
    let mut router = Router::new();
    router.get("/upgrade", move |_, res| {
        let ran_tx = ran_tx.lock().unwrap().clone();
        res.upgrade("echo", move |_| ran_tx.send(()).unwrap())
            .unwrap();
    });
    let server = TestServer::with_handler(pool_config(), router);
    for request in [
        &b"GET /upgrade HTTP/1.1\r\nHost: t\r\n\r\n"[..],
        b"GET /upgrade HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: other\r\n\r\n",
        b"GET /upgrade HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
    ] {
        let mut stream = connect(server.addr);
        stream.write_all(request).unwrap();
        let resp = read_response(&mut stream, &mut Vec::new(), false);
        assert_ne!(
            resp.status,
            101,
            "{}\n{}",
            String::from_utf8_lossy(request),
            resp.head
        );
        assert!(resp.status >= 400, "{}", resp.head);
        assert!(is_closed(&mut stream));
    }
    // A callback that ran would have sent before its connection closed.
    assert!(ran.try_recv().is_err());
}

// (f) Faults stay local.

#[test]
fn a_panicking_pool_handler_gets_500_and_the_server_keeps_serving() {
    let mut router = Router::new();
    router
        .get("/panic", |_, _| {
            panic!("a handler's bug (expected by the test)")
        })
        .get("/panic-writing", |_, res| {
            let mut body = res.writer().unwrap();
            body.write_all(b"partial").unwrap();
            panic!("a writer's bug (expected by the test)");
        })
        .get("/ok", |_, res| {
            res.set_body("ok");
        });
    // One worker: were it lost, nothing would answer.
    let server = TestServer::with_handler(pool_config().threads(1), router);
    for _ in 0..3 {
        let mut stream = connect(server.addr);
        stream
            .write_all(b"GET /panic HTTP/1.1\r\nHost: t\r\n\r\nGET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let resp = read_response(&mut stream, &mut Vec::new(), false);
        assert_eq!(resp.status, 500);
        assert_eq!(resp.header("connection"), Some("close"));
        assert!(is_closed(&mut stream));
        // After its head went out, a panic cuts the body: the client sees no last chunk.
        let mut stream = connect(server.addr);
        stream
            .write_all(b"GET /panic-writing HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let mut pending = Vec::new();
        let head = read_response(&mut stream, &mut pending, true);
        assert_eq!(head.status, 200);
        assert_eq!(read_chunk(&mut stream, &mut pending), b"partial");
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
        assert_eq!(get(server.addr, "/ok").status, 200);
    }
}

/// A response body whose reader panics on its first read.
struct PanickingReader;

impl Read for PanickingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        panic!("a body reader's bug (expected by the test)");
    }
}

#[test]
fn a_panicking_response_body_reader_on_the_pool_costs_its_connection_only() {
    let mut router = Router::new();
    router
        .get("/reader-panics", |_, res| {
            res.set_body_reader(PanickingReader, Some(10));
        })
        .get("/ok", |_, res| {
            res.set_body("ok");
        });
    let server = TestServer::with_handler(pool_config().threads(1), router);
    for _ in 0..2 {
        let mut stream = connect(server.addr);
        stream
            .write_all(b"GET /reader-panics HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        // The head (10 bytes promised) may go out; then the connection closes, body cut.
        let mut got = Vec::new();
        match stream.read_to_end(&mut got) {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => {}
            Err(error) => panic!("the connection was left open ({error})"),
        }
        let got = String::from_utf8_lossy(&got);
        assert!(
            got.is_empty() || got.starts_with("HTTP/1.1 200 OK\r\n"),
            "{got}"
        );
        assert!(got.ends_with("\r\n\r\n") || got.is_empty(), "{got}");
        assert_eq!(get(server.addr, "/ok").status, 200);
    }
}

#[test]
fn a_panicking_upgrade_callback_costs_its_connection_only() {
    let server = TestServer::with_handler(pool_config().threads(1), upgrade_router());
    let mut idle = connect(server.addr);
    idle.write_all(b"GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut idle_pending = Vec::new();
    assert_eq!(
        read_response(&mut idle, &mut idle_pending, false).status,
        200
    );
    for _ in 0..3 {
        let mut stream = connect(server.addr);
        stream
            .write_all(
                b"GET /upgrade-panics HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
            )
            .unwrap();
        let head = read_response(&mut stream, &mut Vec::new(), true);
        assert_eq!(head.status, 101);
        assert!(is_closed(&mut stream));
    }
    // Another connection, open all along, and new ones are served.
    idle.write_all(b"GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_response(&mut idle, &mut idle_pending, false).status,
        200
    );
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"GET /echo HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nstill",
        )
        .unwrap();
    let mut pending = Vec::new();
    assert_eq!(read_response(&mut stream, &mut pending, true).status, 101);
    fill_to(&mut stream, &mut pending, 5);
    assert_eq!(pending, b"still");
}

// (g) Body limits per route.

fn limits_router() -> Router {
    let mut router = Router::new();
    let length = |req: &Request, res: &mut Response| {
        let mut body = Vec::new();
        match req.body_reader().read_to_end(&mut body) {
            Ok(_) => res.set_body(format!("{} bytes", body.len())),
            Err(error) => res.set_body(format!("error {error}")),
        };
    };
    router
        .with(Plan::blocking().body_limit(10))
        .put("/small", length)
        .post("/small-whole", |req, res| {
            res.set_body(format!("{} bytes", req.body().len()));
        });
    router
        .with(Plan::blocking().body_limit(1000))
        .put("/large", length);
    router.put("/default", length);
    router
}

fn put(stream: &mut TcpStream, path: &str, framing: &str, body: &[u8]) -> Resp {
    let mut request = format!("PUT {path} HTTP/1.1\r\nHost: t\r\n{framing}\r\n").into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).unwrap();
    read_response(stream, &mut Vec::new(), false)
}

#[test]
fn a_route_limit_refuses_a_longer_declared_body_with_413() {
    // The server's default (16 bytes) is larger than the route's (10).
    let config = pool_config().parser(h1_parser::Config::new().max_body_size(16));
    let server = TestServer::with_handler(config, limits_router());
    let mut stream = connect(server.addr);
    let resp = put(
        &mut stream,
        "/small",
        "Content-Length: 10\r\n",
        b"0123456789",
    );
    assert_eq!((resp.status, text(&resp)), (200, "10 bytes"));
    let resp = put(
        &mut stream,
        "/small",
        "Content-Length: 11\r\n",
        b"0123456789a",
    );
    assert_eq!(resp.status, 413);
    assert!(is_closed(&mut stream));
}

#[test]
fn a_route_limit_refuses_a_chunked_body_crossing_it_with_413() {
    let config = pool_config().parser(h1_parser::Config::new().max_body_size(16));
    let server = TestServer::with_handler(config, limits_router());
    for path in ["/small", "/small-whole"] {
        let mut stream = connect(server.addr);
        let mut request =
            format!("PUT {path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
        if path == "/small-whole" {
            request = request.replacen("PUT", "POST", 1);
        }
        stream.write_all(request.as_bytes()).unwrap();
        stream
            .write_all(b"6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n")
            .unwrap();
        let resp = read_response(&mut stream, &mut Vec::new(), false);
        assert_eq!(resp.status, 413, "{path}: {}", text(&resp));
        assert!(is_closed(&mut stream), "{path}");
    }
}

#[test]
fn a_route_with_a_larger_limit_takes_a_body_over_the_servers_default() {
    let config = pool_config().parser(h1_parser::Config::new().max_body_size(16));
    let server = TestServer::with_handler(config, limits_router());
    let body40 = [b'y'; 40];
    let mut stream = connect(server.addr);
    let resp = put(&mut stream, "/large", "Content-Length: 40\r\n", &body40);
    assert_eq!((resp.status, text(&resp)), (200, "40 bytes"));
    let resp = put(
        &mut stream,
        "/large",
        "Transfer-Encoding: chunked\r\n",
        b"28\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n0\r\n\r\n",
    );
    assert_eq!((resp.status, text(&resp)), (200, "40 bytes"));
    // The same body to a route with the server's limit.
    let resp = put(&mut stream, "/default", "Content-Length: 40\r\n", &body40);
    assert_eq!(resp.status, 413);
}

// (h) Request trailers and the peer's address.

#[test]
fn request_trailers_are_visible_once_the_body_is_read() {
    let mut router = Router::new();
    router.put("/trailers", |req, res| {
        let before = req.trailers().len();
        let mut body = Vec::new();
        req.body_reader().read_to_end(&mut body).unwrap();
        let trailers: Vec<String> = req
            .trailers()
            .iter()
            .map(|(name, value)| {
                format!(
                    "{}={}",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(value)
                )
            })
            .collect();
        res.set_body(format!(
            "before {before}; body {}; {}",
            String::from_utf8_lossy(&body),
            trailers.join(",")
        ));
    });
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    stream
        .write_all(
            b"PUT /trailers HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
              4\r\ndata\r\n0\r\nX-Sum: 42\r\nX-Other: a b\r\n\r\n",
        )
        .unwrap();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(
        (resp.status, text(&resp)),
        (200, "before 0; body data; X-Sum=42,X-Other=a b")
    );
}

#[test]
fn the_peer_address_is_the_clients_on_the_pool_and_inline() {
    let mut router = Router::new();
    let peer = |req: &Request, res: &mut Response| {
        res.set_body(format!("{:?}", req.peer_addr()));
    };
    router.get("/pool", peer);
    router.inline().get("/inline", peer);
    let server = TestServer::with_handler(pool_config(), router);
    let mut stream = connect(server.addr);
    let mine = format!("{:?}", Some(stream.local_addr().unwrap()));
    let mut pending = Vec::new();
    for path in ["/pool", "/inline", "/pool"] {
        write!(stream, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        let resp = read_response(&mut stream, &mut pending, false);
        assert_eq!(text(&resp), mine, "{path}");
    }
}

// (i) Shutdown with streams open.

#[test]
fn shutdown_returns_with_an_endless_stream_open() {
    let (streaming_tx, streaming) = mpsc::channel();
    let (ended_tx, ended) = mpsc::channel();
    let mut router = Router::new();
    router.get("/endless", move |_, res| {
        let mut events = res.writer().unwrap();
        streaming_tx.send(()).unwrap();
        // Writes until the socket is shut: the client stops reading, so this blocks on a full
        // send buffer, with a write timeout far past the test's guard.
        let error = loop {
            if let Err(error) = events.write_all(&[b'x'; 4096]) {
                break error;
            }
        };
        ended_tx.send(error.kind()).unwrap();
    });
    let config = pool_config().shutdown_timeout(Duration::from_secs(1));
    let mut server = TestServer::with_handler(config, router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"GET /endless HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    recv(&streaming);
    read_response(&mut stream, &mut Vec::new(), true);
    // Shut down from another thread; the join says `serve` returned.
    let (stopped_tx, stopped) = mpsc::channel();
    let started = std::time::Instant::now();
    thread::spawn(move || stopped_tx.send(server.stop().is_ok()).unwrap());
    assert!(recv(&stopped), "serve failed");
    eprintln!("shutdown returned after {:?}", started.elapsed());
    // The handler's writes fail once the socket is shut, and the client sees the end.
    let kind = recv(&ended);
    assert!(
        matches!(
            kind,
            io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::NotConnected
        ),
        "{kind:?}"
    );
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
}

#[test]
fn shutdown_closes_a_deferred_answer_never_sent_after_its_timeout() {
    let (defer, responders) = deferring();
    let mut router = Router::new();
    router.get("/never", defer);
    let config = pool_config().shutdown_timeout(Duration::from_millis(500));
    let mut server = TestServer::with_handler(config, router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut responder = recv(&responders);
    let (stopped_tx, stopped) = mpsc::channel();
    thread::spawn(move || stopped_tx.send(server.stop().is_ok()).unwrap());
    assert!(recv(&stopped), "serve failed");
    // The connection was closed unanswered; a late answer goes nowhere, harmlessly.
    assert!(is_closed(&mut stream));
    responder.response().set_body("too late");
    responder.send();
}

#[test]
fn shutdown_waits_for_a_deferred_answer_in_flight() {
    let (defer, responders) = deferring();
    let mut router = Router::new();
    router.get("/later", defer);
    // Long enough that the drain cannot end before the responder is sent.
    let config = pool_config().shutdown_timeout(GUARD * 2);
    let mut server = TestServer::with_handler(config, router);
    let mut stream = connect(server.addr);
    stream
        .write_all(b"GET /later HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut responder = recv(&responders);
    server.handle.shutdown();
    responder.response().set_body("in flight");
    responder.send();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, text(&resp)), (200, "in flight"));
    assert!(is_closed(&mut stream));
    server.stop().unwrap();
}
