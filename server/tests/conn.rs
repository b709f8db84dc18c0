//! The socket-free core, driven directly: splits, pipelining, limits and timeouts with a fake
//! clock.

mod common;

use std::time::{Duration, Instant};

use h1_server::conn::Connection;

use common::{config, router};

/// Feeds `pieces` in order, consuming all output; returns the output with Date lines blanked.
fn drive(pieces: &[&[u8]]) -> (String, bool) {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let mut out = Vec::new();
    for piece in pieces {
        let taken = conn.feed(piece, &handler, now);
        out.extend_from_slice(conn.output());
        conn.consume_output(conn.output().len(), now);
        if taken < piece.len() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&out)
        .lines()
        .map(|line| {
            if line.starts_with("Date: ") {
                "Date: -"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    (text, conn.is_finished())
}

const WIRE: &[u8] = b"GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n\
POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello\
POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n\
HEAD / HTTP/1.1\r\nHost: a\r\n\r\n\
GET /files/x/y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

#[test]
fn any_two_way_split_gives_the_one_shot_output() {
    let whole = drive(&[WIRE]);
    assert!(whole.1, "Connection: close ends the connection");
    assert_eq!(whole.0.matches("HTTP/1.1 200 OK").count(), 5, "{}", whole.0);
    for split in 1..WIRE.len() {
        let (a, b) = WIRE.split_at(split);
        assert_eq!(drive(&[a, b]), whole, "split at {split}");
    }
}

#[test]
fn byte_by_byte_gives_the_one_shot_output() {
    let pieces: Vec<&[u8]> = WIRE.chunks(1).collect();
    assert_eq!(drive(&pieces), drive(&[WIRE]));
}

#[test]
fn bytes_after_connection_close_are_not_taken() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let wire =
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    conn.feed(wire, &handler, now);
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert_eq!(out.matches("HTTP/1.1 ").count(), 1, "{out}");
    assert!(!conn.wants_read());
}

#[test]
fn pipelining_stops_while_output_waits() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let wire: Vec<u8> = one
        .iter()
        .copied()
        .cycle()
        .take(one.len() * 10_000)
        .collect();
    // Without consuming output, the connection stops taking input at the high-water mark.
    let taken = conn.feed(&wire, &handler, now);
    assert!(taken < wire.len());
    assert!(
        conn.output().len() < 64 * 1024 + 1024,
        "{}",
        conn.output().len()
    );
    assert!(!conn.wants_read());
}

#[test]
fn head_deadline_counts_from_the_first_byte() {
    let handler = router();
    let start = Instant::now();
    let config = config().head_timeout(Duration::from_secs(1));
    let mut conn = Connection::new(&config, start);
    conn.feed(b"GET / HTTP/1.1\r\n", &handler, start);
    // Progress does not move the head deadline.
    conn.feed(b"X-A: b\r\n", &handler, start + Duration::from_millis(900));
    assert!(!conn.handle_timeout(start + Duration::from_millis(999)));
    assert!(conn.handle_timeout(start + Duration::from_millis(1000)));
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(out.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{out}");
    conn.consume_output(conn.output().len(), start);
    assert!(conn.is_finished());
}

#[test]
fn idle_and_body_deadlines() {
    let handler = router();
    let t0 = Instant::now();
    let config = config()
        .idle_timeout(Duration::from_secs(5))
        .body_timeout(Duration::from_secs(2));
    let mut conn = Connection::new(&config, t0);
    assert_eq!(conn.deadline(), Some(t0 + Duration::from_secs(5)));
    conn.feed(
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab",
        &handler,
        t0,
    );
    assert_eq!(conn.deadline(), Some(t0 + Duration::from_secs(2)));
    // Each body read restarts the body clock.
    let t1 = t0 + Duration::from_secs(1);
    conn.feed(b"c", &handler, t1);
    assert_eq!(conn.deadline(), Some(t1 + Duration::from_secs(2)));
    assert!(conn.handle_timeout(t1 + Duration::from_secs(2)));
    assert!(String::from_utf8_lossy(conn.output()).starts_with("HTTP/1.1 408"));

    let mut idle = Connection::new(&config, t0);
    assert!(idle.handle_timeout(t0 + Duration::from_secs(5)));
    assert!(idle.is_finished());
    assert!(
        idle.output().is_empty(),
        "an idle connection closes silently"
    );
}

#[test]
fn eof_mid_request_closes_without_answer() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    conn.feed(b"GET / HTTP/1.1\r\nHo", &handler, now);
    conn.read_eof();
    conn.process(&handler, now);
    assert!(conn.is_finished());
    assert!(conn.output().is_empty());
}

#[test]
fn arbitrary_garbage_never_panics_and_always_ends() {
    // A cheap deterministic fuzz: xorshift bytes mixed with request fragments.
    let handler = router();
    let fragments: [&[u8]; 8] = [
        b"GET / HTTP/1.1\r\n",
        b"Host: a\r\n",
        b"\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Content-Length: 3\r\n",
        b"0\r\n\r\n",
        b"ff\r\n",
        b"\n",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2_000 {
        let now = Instant::now();
        let mut conn = Connection::new(&config(), now);
        let mut input = Vec::new();
        for _ in 0..(next() % 12) {
            let r = next();
            if r % 3 == 0 {
                input.extend((0..r % 7).map(|_| next() as u8));
            } else {
                input.extend_from_slice(fragments[(r % 8) as usize]);
            }
        }
        for piece in input.chunks((next() % 9 + 1) as usize) {
            conn.feed(piece, &handler, now);
            let n = conn.output().len();
            conn.consume_output(n, now);
        }
        conn.read_eof();
        // The client closed and reads everything: whatever it sent, the connection answers
        // what it buffered and ends by itself, with no timeout needed.
        for _ in 0..1_000 {
            conn.process(&handler, now);
            let n = conn.output().len();
            conn.consume_output(n, now);
            if conn.is_finished() {
                break;
            }
        }
        assert!(
            conn.is_finished(),
            "still open after EOF: {:?}",
            input.escape_ascii().to_string()
        );
    }
}

#[test]
fn pipelined_requests_resume_after_output_drains() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let one = b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    let count = 3_000;
    let wire: Vec<u8> = one
        .iter()
        .copied()
        .cycle()
        .take(one.len() * count)
        .collect();
    let (mut taken, mut out) = (0, Vec::new());
    for _ in 0..10_000 {
        taken += conn.feed(&wire[taken..], &handler, now);
        out.extend_from_slice(conn.output());
        conn.consume_output(conn.output().len(), now);
        // What the I/O layer does once the output is written.
        while conn.has_buffered_requests() {
            conn.process(&handler, now);
            out.extend_from_slice(conn.output());
            conn.consume_output(conn.output().len(), now);
        }
        if taken == wire.len() && conn.is_idle() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&out);
    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), count);
    assert_eq!(text.matches("\r\n\r\nhello").count(), count);
}

#[test]
fn a_handler_cannot_send_an_interim_status_or_control_bytes() {
    let handler = |_: &h1_server::Request, res: &mut h1_server::Response| {
        res.set_status(101)
            .header("Upgrade", "websocket")
            .header("X-Bell", "ring\x07")
            .header("X-Nul", "a\0b");
    };
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let wire = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_eq!(conn.feed(wire, &handler, now), wire.len());
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    // Both requests answered on the same connection, as HTTP, with a final status.
    assert_eq!(
        out.matches("HTTP/1.1 500 Internal Server Error\r\n")
            .count(),
        2,
        "{out}"
    );
    assert!(!out.contains("101"), "{out}");
    assert!(out.contains("Upgrade: websocket\r\n"), "{out}");
    assert!(!out.contains("X-Bell") && !out.contains("X-Nul"), "{out}");
    assert!(!conn.is_finished());
}

#[test]
fn a_body_slower_than_the_minimum_rate_gets_408_at_the_window_end() {
    let handler = router();
    let t0 = Instant::now();
    let config = config()
        .body_timeout(Duration::from_secs(30))
        .min_body_rate(100)
        .min_rate_window(Duration::from_secs(1));
    let mut conn = Connection::new(&config, t0);
    conn.feed(
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n",
        &handler,
        t0,
    );
    // 150 bytes in the first window: 150 bytes/s, kept.
    let mut t = t0;
    for _ in 0..15 {
        t += Duration::from_millis(60);
        conn.feed(&[b'x'; 10], &handler, t);
    }
    assert_eq!(conn.deadline(), Some(t0 + Duration::from_secs(1)));
    assert!(!conn.handle_timeout(t0 + Duration::from_secs(1)));
    // The next window starts then; one byte every 29 s would keep the old body timer happy.
    let t1 = t0 + Duration::from_secs(1);
    assert_eq!(conn.deadline(), Some(t1 + Duration::from_secs(1)));
    conn.feed(&[b'x'; 99], &handler, t1 + Duration::from_millis(900));
    assert!(!conn.handle_timeout(t1 + Duration::from_millis(999)));
    assert!(conn.handle_timeout(t1 + Duration::from_secs(1)));
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(out.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{out}");
    assert!(out.contains("Connection: close\r\n"), "{out}");
}

#[test]
fn a_reader_slower_than_the_minimum_rate_is_cut_at_the_window_end() {
    let handler = router();
    let t0 = Instant::now();
    let config = config()
        .write_timeout(Duration::from_secs(30))
        .min_write_rate(1000)
        .min_rate_window(Duration::from_secs(1));
    let mut conn = Connection::new(&config, t0);
    let one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let wire: Vec<u8> = one.iter().copied().cycle().take(one.len() * 500).collect();
    conn.feed(&wire, &handler, t0);
    let pending = conn.output().len();
    assert!(pending > 10_000, "{pending}");
    assert_eq!(conn.deadline(), Some(t0 + Duration::from_secs(1)));
    // The first window (the grace period): a burst, as a kernel send buffer takes it.
    conn.consume_output(5_000, t0 + Duration::from_millis(10));
    assert!(!conn.handle_timeout(t0 + Duration::from_secs(1)));
    // The second: 999 bytes in a second, one byte short; each write also restarted the old
    // write timer, which never fires.
    let t1 = t0 + Duration::from_secs(1);
    for i in 0..9 {
        conn.consume_output(111, t1 + Duration::from_millis(100 * i));
    }
    assert!(!conn.handle_timeout(t1 + Duration::from_millis(999)));
    assert!(conn.handle_timeout(t1 + Duration::from_secs(1)));
    assert!(
        conn.is_finished(),
        "the output is dropped with the connection"
    );
    assert!(!conn.should_linger());
}

#[test]
fn minimum_rates_of_zero_are_off() {
    let handler = router();
    let t0 = Instant::now();
    let config = config()
        .body_timeout(Duration::from_secs(30))
        .min_body_rate(0)
        .min_rate_window(Duration::from_secs(1));
    let mut conn = Connection::new(&config, t0);
    conn.feed(
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\na",
        &handler,
        t0,
    );
    assert_eq!(conn.deadline(), Some(t0 + Duration::from_secs(30)));
    assert!(!conn.handle_timeout(t0 + Duration::from_secs(29)));
}

#[test]
fn bytes_the_kernel_holds_do_not_count_as_read_by_the_client() {
    let handler = router();
    let t0 = Instant::now();
    let config = config()
        .write_timeout(Duration::from_secs(30))
        .min_write_rate(1000)
        .min_rate_window(Duration::from_secs(1));
    let mut conn = Connection::new(&config, t0);
    let one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let wire: Vec<u8> = one.iter().copied().cycle().take(one.len() * 500).collect();
    conn.feed(&wire, &handler, t0);
    // The grace window: 20,000 bytes into the kernel, which still holds them all.
    conn.consume_output(20_000, t0);
    conn.note_unsent_in_kernel(20_000);
    assert!(!conn.handle_timeout(t0 + Duration::from_secs(1)));
    // The next: 5,000 more written (five times the rate), but the kernel's queue grew by
    // 4,500: the client took 500 bytes in a second.
    let t1 = t0 + Duration::from_secs(1);
    conn.consume_output(5_000, t1 + Duration::from_millis(500));
    conn.note_unsent_in_kernel(24_500);
    assert!(conn.handle_timeout(t1 + Duration::from_secs(1)));
    assert!(conn.is_finished());
}

/// RFC 9110 §9.3.6: a 2xx answer to CONNECT makes the connection a tunnel, and must carry no
/// Content-Length or Transfer-Encoding. This server opens no tunnels: a handler's 2xx to
/// CONNECT goes out as `501 Not Implemented`, and the bytes after the request (tunnel bytes to
/// the client) are never parsed as HTTP.
#[test]
fn connect_is_refused_even_when_the_handler_says_2xx() {
    let yes = |_: &h1_server::Request, res: &mut h1_server::Response| {
        res.set_body("{\"ok\":true}");
    };
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let wire = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\
GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    conn.feed(wire, &yes, now);
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(out.starts_with("HTTP/1.1 501 Not Implemented\r\n"), "{out}");
    assert_eq!(out.matches("HTTP/1.1 ").count(), 1, "{out}");
    assert!(out.contains("\r\nConnection: close\r\n"), "{out}");
    let n = conn.output().len();
    conn.consume_output(n, now);
    assert!(conn.is_finished());
}

/// A handler's non-2xx answer to CONNECT (407, 403, …) is sent as it is; the connection then
/// closes, since the client may have sent tunnel bytes after its request.
#[test]
fn connect_refusals_are_sent_and_end_the_connection() {
    let deny = |_: &h1_server::Request, res: &mut h1_server::Response| {
        res.set_status(403).set_body("no tunnels\n");
    };
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let wire = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    conn.feed(wire, &deny, now);
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(out.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\nno tunnels\n"), "{out}");
    assert_eq!(out.matches("HTTP/1.1 ").count(), 1, "{out}");
}

#[test]
fn after_the_peer_closes_every_request_it_sent_whole_is_answered() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let wire =
        b"GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: a\r\n\r\nGET /us";
    let space = conn.read_buf().expect("room");
    space[..wire.len()].copy_from_slice(wire);
    conn.commit_read(wire.len(), now);
    conn.read_eof();
    conn.process(&handler, now);
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert_eq!(out.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{out}");
    assert!(
        out.ends_with("\r\n\r\n2"),
        "the part request is dropped: {out}"
    );
    conn.consume_output(conn.output().len(), now);
    assert!(conn.is_finished());
    assert!(!conn.should_linger(), "the client closed its side");
}

#[test]
fn continue_is_sent_only_while_the_body_is_awaited() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    let head =
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
    conn.feed(head, &handler, now);
    assert_eq!(conn.output(), b"HTTP/1.1 100 Continue\r\n\r\n");
    conn.consume_output(conn.output().len(), now);
    conn.feed(b"hello", &handler, now);
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(
        out.starts_with("HTTP/1.1 200 OK\r\n") && out.ends_with("hello"),
        "{out}"
    );

    // The body came with the head: the client is not told to send it.
    let mut conn = Connection::new(&config(), now);
    let whole = [&head[..], b"hello"].concat();
    conn.feed(&whole, &handler, now);
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
}

#[test]
fn a_shutdown_while_a_head_arrives_answers_that_request_and_closes() {
    let handler = router();
    let now = Instant::now();
    let mut conn = Connection::new(&config(), now);
    conn.feed(b"GET /users/7 HTTP/1.1\r\nHo", &handler, now);
    conn.shutdown();
    conn.feed(
        b"st: a\r\n\r\nGET /users/8 HTTP/1.1\r\nHost: a\r\n\r\n",
        &handler,
        now,
    );
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert_eq!(out.matches("HTTP/1.1 200 OK\r\n").count(), 1, "{out}");
    assert!(
        out.contains("Connection: close\r\n") && out.ends_with("\r\n\r\n7"),
        "{out}"
    );
    conn.consume_output(conn.output().len(), now);
    assert!(conn.is_finished());
}
