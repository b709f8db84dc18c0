//! Idle keep-alive connections against an echo server already running (either adapter's echo
//! example): opens `H1_IDLE_COUNT` connections (default 10,000), one request answered on
//! each, holds them all, reads the server's RSS, and checks that a sample is still served.
//! Needs the server and its open-file limit; run by `bench/adapters.sh`:
//!
//! `H1_IDLE_ADDR=127.0.0.1:PORT H1_IDLE_PID=PID cargo test --release -p h1-tokio --test idle -- --ignored --nocapture`

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const REQUEST: &[u8] = b"GET /idle HTTP/1.1\r\nHost: a\r\n\r\n";

#[test]
#[ignore = "needs a running echo server: bench/adapters.sh"]
fn idle_keep_alive_connections() {
    let addr = std::env::var("H1_IDLE_ADDR").expect("H1_IDLE_ADDR");
    let pid = std::env::var("H1_IDLE_PID").expect("H1_IDLE_PID");
    let count: usize = std::env::var("H1_IDLE_COUNT").map_or(10_000, |n| n.parse().expect("count"));
    let mut first = TcpStream::connect(&addr).expect("connect");
    exchange(&mut first);
    let before = rss_kib(&pid);
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = TcpStream::connect(&addr).expect("connect (open-file limit?)");
        exchange(&mut stream);
        held.push(stream);
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(&pid);
    println!(
        "{count} idle keep-alive connections held: server RSS {before} KiB before, {after} KiB \
         after: {:.0} bytes per connection",
        after.saturating_sub(before) as f64 * 1024.0 / count as f64
    );
    let step = (count / 100).max(1);
    for stream in held.iter_mut().step_by(step) {
        exchange(stream);
    }
    println!("a sample of {} of them served again", count.div_ceil(step));
}

/// One request; its answer read to the end of its Content-Length body.
fn exchange(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(REQUEST).expect("write");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).expect("read");
        assert!(n > 0, "closed by the server");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.trim().parse().ok())
                .expect("Content-Length");
            if answer.len() >= end + 4 + length {
                assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
                assert!(text.contains("\"target\":\"/idle\""), "{text}");
                return;
            }
        }
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
