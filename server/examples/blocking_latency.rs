//! How long `GET /fast` waits while eight handlers block for a second each (issue 23's
//! figure): the server with its default configuration and 2 workers in this process, eight
//! clients on `/sleep`, then 200 sequential `/fast` requests, each on a new connection, timed
//! from connect to the last byte. Prints p50, p99 and the slowest, in milliseconds.
//!
//! ```sh
//! cargo run --release -p h1-server --example blocking_latency
//! ```
//! A measurement, not a test: run it on an idle machine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use h1_server::{Request, Response, Router, Server, ServerConfig};

fn get(addr: std::net::SocketAddr, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    answer
}

fn main() -> std::io::Result<()> {
    let mut router = Router::new();
    router.get("/sleep", |_: &Request, res: &mut Response| {
        std::thread::sleep(Duration::from_secs(1));
        res.set_body("slept");
    });
    router.get("/fast", |_: &Request, res: &mut Response| {
        res.set_body("fast");
    });
    let server = Server::bind("127.0.0.1:0", ServerConfig::new().threads(2))?;
    let addr = server.local_addr();
    let shutdown = server.shutdown_handle();
    let serving = std::thread::spawn(move || server.serve(router));

    let mut waits = Vec::new();
    let sleepers: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(move || get(addr, "/sleep")))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    for _ in 0..200 {
        let asked = Instant::now();
        let answer = get(addr, "/fast");
        assert!(answer.ends_with(b"fast"));
        waits.push(asked.elapsed());
    }
    let all_fast = started.elapsed();
    for sleeper in sleepers {
        assert!(sleeper.join().expect("sleeper").ends_with(b"slept"));
    }
    waits.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "/fast under 8 x 1 s handlers (2 workers, default config): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; 200 requests in {:.0} ms",
        ms(waits[waits.len() / 2]),
        ms(waits[waits.len() * 99 / 100]),
        ms(waits[waits.len() - 1]),
        ms(all_fast),
    );
    shutdown.shutdown();
    serving.join().expect("server thread")
}
