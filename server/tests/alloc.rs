//! The hot path allocates nothing: a counting global allocator watches a server answer 1,000
//! and then 10,000 keep-alive requests (GET, POST with Content-Length, POST chunked) on one
//! loopback connection, and then on 200 connections in turn, each going idle (its socket
//! parked, its connection back in the worker's pool) and waking up for every request; the
//! allocation count must not grow with the number of requests.
//!
//! The counter sees every thread, so nothing but the test and the server may run in this
//! binary: it has no test harness (`harness = false` in Cargo.toml). libtest's main thread,
//! once it has started the test's thread, allocates when it first waits for the result (the
//! channel's waiting context and waker list); when that thread is descheduled for a while (a
//! build beside the test), those allocations land inside a counting window. The client side
//! writes prebuilt bytes and reads into a fixed array: it allocates nothing while counting.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use h1_server::conn::Connection;

use common::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const GET: &[u8] = b"GET /users/42 HTTP/1.1\r\nHost: a\r\nUser-Agent: alloc-test\r\n\r\n";
const POST: &[u8] = b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world";
const CHUNKED: &[u8] =
    b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

/// Sends `rounds` × (GET, POST, chunked POST), `batch` rounds per write, and reads exactly
/// `rounds × round_response_len` bytes back. Allocates nothing.
fn run(
    stream: &mut std::net::TcpStream,
    wire: &[u8],
    batch: usize,
    rounds: usize,
    round_len: usize,
) {
    let mut buf = [0u8; 64 * 1024];
    let mut sent = 0;
    while sent < rounds {
        let n = batch.min(rounds - sent);
        stream
            .write_all(&wire[..n * (GET.len() + POST.len() + CHUNKED.len())])
            .expect("write");
        let mut want = n * round_len;
        while want > 0 {
            let got = stream.read(&mut buf[..want.min(64 * 1024)]).expect("read");
            assert!(got > 0, "server closed the connection");
            want -= got;
        }
        sent += n;
    }
}

fn main() {
    serving_keep_alive_requests_allocates_nothing_per_request();
    many_connections_going_idle_and_waking_allocate_nothing_per_request();
    eprintln!("alloc: ok");
}

fn serving_keep_alive_requests_allocates_nothing_per_request() {
    // 1. The socket-free core, counted exactly.
    {
        let handler = router();
        let now = Instant::now();
        let mut conn = Connection::new(&config(), now);
        let mut wire = Vec::new();
        wire.extend_from_slice(GET);
        wire.extend_from_slice(POST);
        wire.extend_from_slice(CHUNKED);
        let mut counts = Vec::with_capacity(3);
        for requests in [1_000usize, 1_000, 10_000] {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for _ in 0..requests / 3 + 1 {
                assert_eq!(conn.feed(&wire, &handler, now), wire.len());
                let n = conn.output().len();
                assert!(n > 0);
                conn.consume_output(n, now);
            }
            counts.push(ALLOCATIONS.load(Ordering::SeqCst) - before);
        }
        eprintln!("core: allocations for 1,000 (warm-up), 1,000 and 10,000 requests: {counts:?}");
        assert_eq!(counts[1], 0, "the core allocated on the hot path");
        assert_eq!(counts[2], 0, "the core allocated on the hot path");
        // Going idle and waking up: the I/O layer recycles a connection for the next socket.
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        for _ in 0..1_000 {
            conn.recycle(now);
            assert_eq!(conn.feed(&wire, &handler, now), wire.len());
            let n = conn.output().len();
            conn.consume_output(n, now);
        }
        let recycled = ALLOCATIONS.load(Ordering::SeqCst) - before;
        eprintln!("core: allocations for 1,000 recycles of 3 requests each: {recycled}");
        assert_eq!(recycled, 0, "recycling a connection allocated");
    }

    // 2. The whole server over loopback.
    let server = TestServer::start(config());
    let mut stream = server.connect();
    let batch = 50;
    let mut wire = Vec::new();
    for _ in 0..batch {
        wire.extend_from_slice(GET);
        wire.extend_from_slice(POST);
        wire.extend_from_slice(CHUNKED);
    }
    // Warm-up: one round, parsed, to learn the response lengths (fixed: Date is fixed-width).
    stream
        .write_all(&wire[..GET.len() + POST.len() + CHUNKED.len()])
        .expect("write");
    let mut pending = Vec::new();
    let responses = [
        read_response(&mut stream, &mut pending, false),
        read_response(&mut stream, &mut pending, false),
        read_response(&mut stream, &mut pending, false),
    ];
    assert_eq!(responses[0].body, b"42");
    assert_eq!(responses[1].body, b"hello world");
    assert_eq!(responses[2].body, b"hello world");
    let round_len: usize = responses.iter().map(|r| r.head.len() + r.body.len()).sum();
    run(&mut stream, &wire, batch, batch * 2, round_len);

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    run(&mut stream, &wire, batch, 1_000 / 3 + 1, round_len);
    let after_1k = ALLOCATIONS.load(Ordering::SeqCst) - before;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    run(&mut stream, &wire, batch, 10_000 / 3 + 1, round_len);
    let after_10k = ALLOCATIONS.load(Ordering::SeqCst) - before;
    eprintln!("server: allocations for 1,000 requests: {after_1k}, for 10,000: {after_10k}");
    assert!(
        after_10k <= after_1k,
        "allocations grew with the request count: {after_1k} for 1,000, {after_10k} for 10,000"
    );
    // Nothing per request at all, bar a stray allocation of the test harness.
    assert!(
        after_10k < 10,
        "{after_10k} allocations for 10,000 requests"
    );
}

/// One request on each of `streams` in turn, `rounds` times; reads each answer (`len` bytes)
/// before the next connection's request, so every connection goes idle in between.
fn rotate(streams: &mut [std::net::TcpStream], rounds: usize, len: usize) {
    let mut buf = [0u8; 4096];
    for _ in 0..rounds {
        for stream in streams.iter_mut() {
            stream.write_all(GET).expect("write");
            let mut want = len;
            while want > 0 {
                let got = stream.read(&mut buf[..want.min(4096)]).expect("read");
                assert!(got > 0, "server closed the connection");
                want -= got;
            }
        }
    }
}

/// 3. Many connections going idle and waking up.
fn many_connections_going_idle_and_waking_allocate_nothing_per_request() {
    const CONNECTIONS: usize = 200;
    let server = TestServer::start(config());
    let mut streams: Vec<_> = (0..CONNECTIONS).map(|_| server.connect()).collect();
    streams[0].write_all(GET).expect("write");
    let first = read_response(&mut streams[0], &mut Vec::new(), false);
    assert_eq!(first.body, b"42");
    let len = first.head.len() + first.body.len();
    // Warm-up: every connection served once (the pool fills, the slab grows).
    rotate(&mut streams, 2, len);

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    rotate(&mut streams, 5, len);
    let after_1k = ALLOCATIONS.load(Ordering::SeqCst) - before;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    rotate(&mut streams, 50, len);
    let after_10k = ALLOCATIONS.load(Ordering::SeqCst) - before;
    eprintln!(
        "server, {CONNECTIONS} connections waking in turn: allocations for 1,000 requests: \
         {after_1k}, for 10,000: {after_10k}"
    );
    assert!(
        after_10k <= after_1k,
        "allocations grew with the request count: {after_1k} for 1,000, {after_10k} for 10,000"
    );
    assert!(
        after_10k < 10,
        "{after_10k} allocations for 10,000 requests"
    );
}
