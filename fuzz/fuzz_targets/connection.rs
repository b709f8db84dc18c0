//! connection: the server's socket-free connection core (`h1_server::conn::Connection`) driven
//! with arbitrary bytes in arbitrary pieces, as the I/O layer drives it.
//!
//! Input: config control bytes (see `h1_fuzz::config`: the parser's limits and leniencies), a
//! plan byte (below), split control bytes (see `h1_fuzz::split`: the reads), then the bytes the
//! client sends. Plan bits: 1 = the client reads its responses only when the server stops
//! reading (else after every read); 2 = the client closes its side after sending; 4 = a
//! graceful shutdown halfway; 8 = an hour passes at the end (timeouts); 0x10 = a small read
//! buffer (256 bytes).
//!
//! The handler is a Router with a few routes that echo request bytes into the response (a
//! path parameter, a header value, the body) so that request bytes reach the response writer.
//!
//! Invariants:
//! - no panic (the handler never panics, so any panic is the server's);
//! - the bytes sent are a sequence of well-formed responses: `HTTP/1.1 ` + 3 digits + SP +
//!   reason CRLF, field lines `name: value` CRLF with token names and no CR/LF/NUL in values,
//!   exactly one Date and Connection, a Content-Length (except 1xx/204/304) that frames the
//!   body (no body for HEAD); only `100 Continue` as an interim response; one final response
//!   per request the handler saw, in order, and at most one more (an error answer) after them;
//!   nothing after a `Connection: close` response;
//! - memory is bounded: the bytes the connection holds (counted by a global allocator) stay
//!   within a bound set by the configured limits, whatever the input;
//! - the connection makes progress: reads stop only when it is closing or its output waits,
//!   and it finishes once closed and drained.

#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use h1_fuzz::{config, is_tchar, split, Control};
use h1_server::conn::Connection;
use h1_server::{Method, Request, Response, Router, ServerConfig};
use libfuzzer_sys::fuzz_target;

/// Counts the bytes allocated through Rust's allocator and not yet freed.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(p, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = System.realloc(p, layout, new_size);
        if !q.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Whether each request the handler saw was a HEAD, in order.
static SEEN: Mutex<Vec<bool>> = Mutex::new(Vec::new());

fn router() -> Router {
    let mut router = Router::new();
    router
        .get("/", |_: &Request, res: &mut Response| {
            res.set_body("hello\n");
        })
        .get("/users/:id", |req: &Request, res: &mut Response| {
            let id = req.param("id").unwrap_or("");
            res.header("X-Id", id).set_body(id);
        })
        .route(
            "GET",
            "/echo-header",
            |req: &Request, res: &mut Response| {
                // Request bytes (obs-text, HTAB, under obs-fold even CR LF) into a response field.
                let value = req.header("x-echo").unwrap_or_default();
                res.header("X-Echo", value);
                if let Some(name) = req.header("x-name") {
                    res.header(std::str::from_utf8(name).unwrap_or("bad name"), "1");
                }
            },
        )
        .post("/echo", |req: &Request, res: &mut Response| {
            res.header("Content-Type", "application/octet-stream")
                .set_body(req.body());
        })
        .route(
            "PUT",
            "/files/*rest",
            |req: &Request, res: &mut Response| {
                let rest = req.param("rest").unwrap_or("");
                res.set_status(201).set_body(rest);
            },
        )
        .get("/status/:code", |req: &Request, res: &mut Response| {
            // Final statuses only: a 1xx is interim, not an answer (RFC 9110 §15.2).
            let code = req
                .param("code")
                .and_then(|c| c.parse::<u16>().ok())
                .unwrap_or(0);
            res.set_status(code.max(200));
        })
        .get("/close", |_: &Request, res: &mut Response| {
            res.close().set_body("bye\n");
        });
    router
}

fuzz_target!(|data: &[u8]| {
    let mut control = Control::new(data);
    let (parser, _) = config(&mut control);
    let plan = control.byte();
    let (cuts, input) = split(control);

    let lazy_reader = plan & 1 != 0;
    let mut server = ServerConfig::new().parser(parser);
    if plan & 0x10 != 0 {
        server = server.read_buffer_size(256);
    }

    SEEN.lock().unwrap().clear();
    let router = router();
    let handler = move |req: &Request, res: &mut Response| {
        SEEN.lock().unwrap().push(req.method() == Method::Head);
        h1_server::Handler::handle(&router, req, res);
    };

    // What the connection may hold: its read buffer (the head and trailer limits plus a read;
    // a Vec may round up to twice what it asked for), the decoded body, the output waiting
    // (64 KiB of responses plus one response, itself at most a body echo and some fields),
    // and slack for the router, the response and the parser.
    let read = server.read_buffer_size.max(256);
    let max_buf = parser.max_head_size + parser.max_trailers_size + read;
    let body = usize::try_from(parser.max_body_size)
        .unwrap_or(usize::MAX)
        .min(input.len());
    let response = body + 4 * 1024;
    let bound = 2 * max_buf + 2 * body + 2 * (64 * 1024 + response) + 2 * response + 64 * 1024;

    let start = Instant::now();
    let baseline = LIVE.load(Ordering::Relaxed);
    let mut now = start;
    let mut conn = Connection::new(&server, now);
    let mut sent = Vec::new();
    let mut fed = 0;
    'feeding: for (i, &cut) in cuts.iter().enumerate() {
        while fed < cut {
            let Some(space) = conn.read_buf() else {
                if conn.output().is_empty() {
                    // Not reading and nothing to send: it must be closing.
                    assert!(conn.is_finished(), "stalled: reads nothing, sends nothing");
                    break 'feeding;
                }
                drain(&mut conn, &mut sent, now);
                conn.process(&handler, now);
                continue;
            };
            assert!(!space.is_empty());
            let n = space.len().min(cut - fed);
            space[..n].copy_from_slice(&input[fed..fed + n]);
            conn.commit_read(n, now);
            fed += n;
            conn.process(&handler, now);
            check_memory(baseline, &sent, bound);
        }
        if !lazy_reader {
            drain(&mut conn, &mut sent, now);
            conn.process(&handler, now);
        }
        if plan & 4 != 0 && i == cuts.len() / 2 {
            conn.shutdown();
            conn.process(&handler, now);
        }
        now += Duration::from_millis(1);
    }
    if plan & 2 != 0 {
        conn.read_eof();
        conn.process(&handler, now);
    }
    // The client reads everything; the server finishes what it buffered.
    for _ in 0..10_000 {
        drain(&mut conn, &mut sent, now);
        conn.process(&handler, now);
        check_memory(baseline, &sent, bound);
        if conn.output().is_empty() {
            break;
        }
    }
    assert!(conn.output().is_empty(), "output never drains");
    if plan & 8 != 0 {
        now += Duration::from_secs(3600);
        conn.handle_timeout(now);
        drain(&mut conn, &mut sent, now);
        assert!(
            conn.is_finished(),
            "an hour later the connection is still open"
        );
    }
    if plan & 2 != 0 {
        assert!(
            conn.is_finished(),
            "the client closed, all was sent, yet the connection stays"
        );
    }
    let seen = std::mem::take(&mut *SEEN.lock().unwrap());
    check_responses(&sent, &seen, conn.is_finished());
});

/// The client reads all the output, in two reads.
fn drain(conn: &mut Connection, sent: &mut Vec<u8>, now: Instant) {
    let out = conn.output();
    let half = out.len() / 2;
    sent.extend_from_slice(&out[..half]);
    conn.consume_output(half, now);
    let out = conn.output();
    let n = out.len();
    sent.extend_from_slice(out);
    conn.consume_output(n, now);
}

fn check_memory(baseline: usize, sent: &Vec<u8>, bound: usize) {
    let live = LIVE.load(Ordering::Relaxed);
    let held = live
        .saturating_sub(baseline)
        .saturating_sub(sent.capacity());
    assert!(
        held <= bound,
        "the connection holds {held} bytes, bound {bound}"
    );
}

/// The sent bytes are well-formed responses: see the invariants at the top.
fn check_responses(sent: &[u8], seen: &[bool], finished: bool) {
    let mut at = 0;
    let mut answered = 0;
    let mut closed = false;
    let mut extra = 0;
    while at < sent.len() {
        let rest = &sent[at..];
        assert!(
            !closed,
            "bytes after a Connection: close response: {:?}",
            show(rest)
        );
        assert!(
            rest.starts_with(b"HTTP/1.1 "),
            "not a status line: {:?}",
            show(rest)
        );
        let digits = &rest[9..12];
        assert!(
            digits.iter().all(u8::is_ascii_digit) && rest[12] == b' ',
            "{:?}",
            show(rest)
        );
        let status: u16 = std::str::from_utf8(digits).unwrap().parse().unwrap();
        let head_end = find(rest, b"\r\n\r\n").expect("a response head ends with CRLF CRLF") + 4;
        let head = &rest[..head_end];
        if status == 100 {
            assert_eq!(head, b"HTTP/1.1 100 Continue\r\n\r\n");
            at += head_end;
            continue;
        }
        assert!(
            status >= 200,
            "an interim {status} as an answer: {:?}",
            show(head)
        );
        let status_line_end = find(head, b"\r\n").unwrap();
        let reason = &head[13..status_line_end];
        assert!(reason
            .iter()
            .all(|&b| b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b)));
        let (mut date, mut connection, mut length) = (0, None, None);
        let mut line_start = status_line_end + 2;
        while line_start < head_end - 2 {
            let line_end = line_start + find(&head[line_start..], b"\r\n").unwrap();
            let line = &head[line_start..line_end];
            line_start = line_end + 2;
            assert!(
                !line.contains(&b'\n'),
                "a bare LF in a field line: {:?}",
                show(line)
            );
            let colon = line.iter().position(|&b| b == b':').expect("name: value");
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            assert!(
                !name.is_empty() && name.iter().all(|&b| is_tchar(b)),
                "{:?}",
                show(line)
            );
            assert!(
                !value.iter().any(|&b| b == b'\r' || b == 0),
                "{:?}",
                show(line)
            );
            let value = value.strip_prefix(b" ").unwrap_or(value);
            match name.to_ascii_lowercase().as_slice() {
                b"date" => date += 1,
                b"connection" => {
                    assert!(connection.is_none(), "two Connection fields");
                    connection = Some(value == b"close");
                }
                b"content-length" => {
                    assert!(length.is_none(), "two Content-Length fields");
                    let text = std::str::from_utf8(value).unwrap();
                    length = Some(text.parse::<usize>().expect("Content-Length digits"));
                }
                b"transfer-encoding" => panic!("Transfer-Encoding in a response"),
                _ => {}
            }
        }
        assert_eq!(date, 1, "one Date: {:?}", show(head));
        // RFC 9112 §9.3: an HTTP/1.1 answer persists unless it says close; the server writes
        // `Connection: keep-alive` only to HTTP/1.0 clients, which need it.
        let close = connection.unwrap_or(false);
        let bodyless = status == 204 || status == 304;
        assert_eq!(
            length.is_none(),
            bodyless,
            "Content-Length iff a body may follow"
        );
        // The answers to the requests the handler saw come first, in order; then at most one
        // answer to a request the connection refused, which closes it.
        let is_head = if answered < seen.len() {
            answered += 1;
            seen[answered - 1]
        } else {
            extra += 1;
            assert!(
                close,
                "an error answer keeps the connection: {:?}",
                show(head)
            );
            false
        };
        let body_len = if is_head { 0 } else { length.unwrap_or(0) };
        assert!(
            head_end + body_len <= rest.len(),
            "body cut short: {:?}",
            show(rest)
        );
        at += head_end + body_len;
        closed = close;
    }
    assert_eq!(
        answered,
        seen.len(),
        "a request the handler saw got no answer"
    );
    assert!(extra <= 1);
    if closed {
        assert!(
            finished,
            "a Connection: close answer, but the connection stays open"
        );
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned()
}
