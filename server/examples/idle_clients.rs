//! Holds idle keep-alive connections to an `h1-server` and prints the server's RSS per
//! connection (read from `/proc/PID/status`). Used by `bench/idle-connections.sh`.
//!
//! `idle_clients ADDR PID COUNT [burst]`: opens COUNT connections to ADDR (loopback), spread over the
//! source addresses 127.0.0.x (about 28,000 ephemeral ports each, 10,000 used per address,
//! the first address chosen by the process id so that a run does not meet the last one's
//! TIME_WAIT sockets), sends one request on each and reads its answer, waits a moment, reads the
//! server's RSS, checks that a sample of the connections is still served, and exits. With
//! `burst`, every connection first sends half a head, so all COUNT are mid-request at once,
//! then all finish: the server's memory once they are idle again. Bounded: it gives up after
//! 180 s.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::time::{Duration, Instant};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
const PER_SOURCE: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(addr), Some(pid), Some(count)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: idle_clients ADDR PID COUNT");
        std::process::exit(2);
    };
    let addr: SocketAddr = addr.parse().expect("ADDR");
    assert!(addr.ip().is_loopback(), "loopback only");
    let count: usize = count.parse().expect("COUNT");
    let burst = args.get(3).is_some_and(|mode| mode == "burst");
    let deadline = Instant::now() + Duration::from_secs(180);
    let base = 2 + (std::process::id() % 200) as usize;

    // One connection served first, so the baseline is a server that has answered a request.
    let mut first = TcpStream::connect(addr).expect("connect");
    exchange(&mut first);
    std::thread::sleep(Duration::from_millis(200));
    let before = rss_kib(pid);

    let started = Instant::now();
    let mut held = Vec::with_capacity(count);
    for i in 0..count {
        assert!(
            Instant::now() < deadline,
            "gave up after 180 s at {i} connections"
        );
        let source = Ipv4Addr::new(127, 0, 0, ((base + i / PER_SOURCE) % 250 + 2) as u8);
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket (is the open-file limit high enough?)");
        socket.set_reuse_address(true).expect("SO_REUSEADDR");
        socket
            .bind(&SocketAddrV4::new(source, 0).into())
            .expect("bind a loopback source address");
        socket.connect(&addr.into()).expect("connect");
        let mut stream: TcpStream = socket.into();
        if burst {
            stream.write_all(&REQUEST[..20]).expect("write half a head");
        } else {
            exchange(&mut stream);
        }
        held.push(stream);
    }
    if burst {
        // All of them mid-request now: finish each, read its answer.
        for stream in &mut held {
            stream.write_all(&REQUEST[20..]).expect("write");
        }
        for stream in &mut held {
            read_answer(stream);
        }
        // The server hands freed memory back at its next tick (at most 1 s with the defaults).
        std::thread::sleep(Duration::from_millis(1000));
    }
    let opened = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(pid);
    let per = (after.saturating_sub(before)) as f64 * 1024.0 / count as f64;
    let how = if burst {
        "all mid-request at once, then served"
    } else {
        "each served once"
    };
    println!(
        "{count} idle keep-alive connections ({how}, opened in {opened:.1?}): server RSS \
         {before} KiB before, {after} KiB after ({:.1} MiB): {per:.0} bytes per connection",
        after as f64 / 1024.0
    );
    // A sample is still open and served.
    let step = (count / 50).max(1);
    for stream in held.iter_mut().step_by(step) {
        exchange(stream);
    }
    println!(
        "a sample of {} connections still served",
        count.div_ceil(step)
    );
}

/// One request, one answer (read to the end of its 13-byte body).
fn exchange(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream.write_all(REQUEST).expect("write");
    read_answer(stream);
}

/// Reads one answer to the end of its 13-byte body.
fn read_answer(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut answer = [0u8; 1024];
    let mut got = 0;
    while !answer[..got].ends_with(b"Hello, world!") {
        let n = stream.read(&mut answer[got..]).expect("read");
        assert!(n > 0, "closed by the server");
        got += n;
    }
}

fn rss_kib(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}
