//! The body budget under load (issue 23's figure): 300 clients each send a POST of 8 MiB
//! (the default body limit) to a route that reads bodies whole, all but the last byte, and
//! hold; meanwhile a plain GET is answered. Prints how many bodies were refused with `503`
//! and the process's peak RSS (VmHWM: the server, and the clients' threads beside it).
//!
//! ```sh
//! cargo run --release -p h1-server --example body_memory
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use h1_server::{Request, Response, Router, Server, ServerConfig};

const CLIENTS: usize = 300;
const BODY: usize = 8 * 1024 * 1024;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

fn main() -> std::io::Result<()> {
    let mut router = Router::new();
    router
        .inline()
        .post("/upload", |req: &Request, res: &mut Response| {
            res.set_body(req.body().len().to_string());
        })
        .get("/", |_: &Request, res: &mut Response| {
            res.set_body("hi");
        });
    let server = Server::bind("127.0.0.1:0", ServerConfig::new().threads(2))?;
    let addr = server.local_addr();
    let shutdown = server.shutdown_handle();
    let serving = std::thread::spawn(move || server.serve(router));

    let chunk = Arc::new(vec![b'x'; 64 * 1024]);
    let sent = Arc::new(Barrier::new(CLIENTS + 1));
    let release = Arc::new(Barrier::new(CLIENTS + 1));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (chunk, sent, release) = (chunk.clone(), sent.clone(), release.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let mut stream = TcpStream::connect(addr).expect("connect");
                    let head = format!("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: {BODY}\r\n\r\n");
                    let mut refused = stream.write_all(head.as_bytes()).is_err();
                    let mut left = BODY - 1;
                    while left > 0 && !refused {
                        let n = left.min(chunk.len());
                        refused = stream.write_all(&chunk[..n]).is_err();
                        left -= n;
                    }
                    if !refused {
                        // Written (the kernel's buffers included): a refusal may be waiting.
                        stream.set_read_timeout(Some(Duration::from_millis(500))).ok();
                        let mut answer = [0u8; 64];
                        refused = matches!(stream.read(&mut answer), Ok(n) if answer[..n].starts_with(b"HTTP/1.1 503"));
                    }
                    sent.wait();
                    release.wait();
                    refused
                })
                .expect("spawn")
        })
        .collect();
    sent.wait();
    let mut get = TcpStream::connect(addr)?;
    get.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    get.read_to_end(&mut answer)?;
    let peak = peak_rss_kib();
    release.wait();
    let refused = clients
        .into_iter()
        .map(|client| client.join())
        .filter(|refused| matches!(refused, Ok(true)))
        .count();
    println!(
        "{CLIENTS} clients x (8 MiB - 1): {refused} refused with 503; a GET meanwhile: {}; peak RSS {} MiB",
        String::from_utf8_lossy(answer.split(|&b| b == b'\r').next().unwrap_or_default()),
        peak / 1024
    );
    shutdown.shutdown();
    serving.join().expect("server thread")
}
