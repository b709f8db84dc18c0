//! Helpers for the end-to-end tests: a server on 127.0.0.1:0 with a test router, and a tiny
//! HTTP/1.1 response reader over a raw `TcpStream`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;

use h1_server::{Handler, Request, Response, Router, Server, ServerConfig, ShutdownHandle};

/// A running test server; shut down (and joined) on drop.
pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: ShutdownHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub fn start(config: ServerConfig) -> TestServer {
        TestServer::with_handler(config, router())
    }

    pub fn with_handler(config: ServerConfig, handler: impl Handler) -> TestServer {
        let server = Server::bind("127.0.0.1:0", config).expect("bind 127.0.0.1:0");
        let addr = server.local_addr();
        let handle = server.shutdown_handle();
        let thread = std::thread::spawn(move || server.serve(handler));
        TestServer {
            addr,
            handle,
            thread: Some(thread),
        }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        stream.set_nodelay(true).expect("nodelay");
        stream
    }

    /// Shuts down and waits for `serve` to return.
    pub fn stop(&mut self) -> std::io::Result<()> {
        self.handle.shutdown();
        match self.thread.take() {
            Some(thread) => thread.join().expect("serve panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// A small test config: one worker, short timeouts so that nothing hangs.
pub fn config() -> ServerConfig {
    ServerConfig::new()
        .threads(1)
        .head_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(3))
        .body_timeout(Duration::from_secs(3))
        .shutdown_timeout(Duration::from_secs(2))
}

/// The routes the tests use: inline (on the event loop), but `/slow` and `/panic` (on the
/// handler pool, the default).
pub fn router() -> Router {
    let mut router = Router::new();
    router
        .inline()
        .get("/", |_: &Request, res: &mut Response| {
            res.set_body("Hello, world!");
        })
        .post("/echo", |req: &Request, res: &mut Response| {
            res.set_body(req.body());
        })
        .put("/echo", |req: &Request, res: &mut Response| {
            res.set_body(req.body());
        })
        .get("/users/:id", |req: &Request, res: &mut Response| {
            res.set_body(req.param("id").unwrap_or("?"));
        })
        .get("/files/*rest", |req: &Request, res: &mut Response| {
            res.set_body(req.param("rest").unwrap_or("?"));
        })
        .delete("/users/:id", |_: &Request, res: &mut Response| {
            res.set_status(204);
        })
        .get("/query", |req: &Request, res: &mut Response| {
            res.set_body(req.query().unwrap_or(""));
        });
    router
        .get("/slow", |_: &Request, res: &mut Response| {
            std::thread::sleep(Duration::from_millis(300));
            res.set_body("slow");
        })
        .get("/panic", |_: &Request, _: &mut Response| {
            panic!("handler panic (expected by the test)");
        });
    router
}

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Reads one response (head, then Content-Length bytes of body unless `head_only`). Bytes
/// after it stay in `pending` for the next call.
pub fn read_response(stream: &mut TcpStream, pending: &mut Vec<u8>, head_only: bool) -> Resp {
    let head_end = loop {
        if let Some(i) = find(pending, b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).expect("read response head");
        assert!(
            n > 0,
            "EOF before a response head; got {:?}",
            String::from_utf8_lossy(pending)
        );
        pending.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(pending[..head_end].to_vec()).expect("ASCII head");
    pending.drain(..head_end);
    let status = head[9..12].parse().expect("status");
    let mut resp = Resp {
        status,
        head,
        body: Vec::new(),
    };
    let length: usize = if head_only {
        0
    } else {
        resp.header("content-length")
            .map_or(0, |v| v.parse().expect("length"))
    };
    while pending.len() < length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).expect("read response body");
        assert!(n > 0, "EOF in a response body");
        pending.extend_from_slice(&chunk[..n]);
    }
    resp.body = pending.drain(..length).collect();
    resp
}

/// Sends `request` on a new connection and reads one response.
pub fn exchange(server: &TestServer, request: &[u8]) -> (Resp, TcpStream) {
    let mut stream = server.connect();
    stream.write_all(request).expect("write");
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    (resp, stream)
}

/// True when the server closed the connection: the next read is EOF or a reset (not a
/// timeout, which means the connection is still open).
pub fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The binary on a free port; returns the child and the address it printed.
pub fn spawn(args: &[&str]) -> (Child, SocketAddr) {
    let (child, addr, lines) = spawn_logged(args);
    // Keep draining stderr (the access log) so the server never blocks on it.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

/// [`spawn`], with the lines of stderr after the first (the access log) left to the caller,
/// who must read them (a full pipe would block the server).
pub fn spawn_logged(
    args: &[&str],
) -> (
    Child,
    SocketAddr,
    std::io::Lines<BufReader<std::process::ChildStderr>>,
) {
    // Only the h1-server-cli package's tests (cli/tests) have the binary to spawn.
    let Some(binary) = option_env!("CARGO_BIN_EXE_h1-server") else {
        panic!("no h1-server binary: the tests that spawn it are in cli/tests");
    };
    let mut child = Command::new(binary)
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn h1-server");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("listening on http://ADDR")
        .parse()
        .expect("an address");
    (child, addr, lines)
}

pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("h1-server did not exit after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asks for `GET /events` on `stream` and reads the head of the event stream it answers:
/// 200, `text/event-stream`, chunked. Returns the bytes read past the head.
pub fn open_event_stream(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut pending = Vec::new();
    let head = read_response(stream, &mut pending, true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    pending
}

/// A new connection to `addr`, with a 5 s read timeout so that no test hangs.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    stream
}

/// What /proc says about the server process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub threads: usize,
    pub descriptors: usize,
    pub rss_kib: u64,
}

pub fn usage(pid: u32) -> Usage {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect(name)
    };
    let descriptors = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("proc fd")
        .count();
    Usage {
        threads: field("Threads:") as usize,
        descriptors,
        rss_kib: field("VmRSS:"),
    }
}

/// Runs the real `curl` with `args`, silent but for errors, cut after `max_seconds`; `None`
/// (with a note) when curl is not installed.
pub fn curl_within(max_seconds: u32, args: &[&str]) -> Option<std::process::Output> {
    let output = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            &max_seconds.to_string(),
        ])
        .args(args)
        .output();
    match output {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("note: curl not found, skipping this test");
            None
        }
        Err(error) => panic!("running curl: {error}"),
    }
}

/// Reads from `stream` into `pending` until it holds `needle`; returns its offset.
pub fn fill_until(stream: &mut TcpStream, pending: &mut Vec<u8>, needle: &[u8]) -> usize {
    loop {
        if let Some(at) = find(pending, needle) {
            return at;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).expect("read");
        assert!(n > 0, "EOF; got {:?}", String::from_utf8_lossy(pending));
        pending.extend_from_slice(&chunk[..n]);
    }
}

pub fn fill_to(stream: &mut TcpStream, pending: &mut Vec<u8>, len: usize) {
    while pending.len() < len {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).expect("read");
        assert!(n > 0, "EOF; got {:?}", String::from_utf8_lossy(pending));
        pending.extend_from_slice(&chunk[..n]);
    }
}

/// Reads one chunk of a chunked body: its data, empty for the last chunk (whose trailer
/// section is left in `pending`, for the caller to read).
pub fn read_chunk(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Vec<u8> {
    let line_end = fill_until(stream, pending, b"\r\n");
    let size = std::str::from_utf8(&pending[..line_end]).expect("ASCII size line");
    let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).expect("hex");
    pending.drain(..line_end + 2);
    if size == 0 {
        return Vec::new();
    }
    fill_to(stream, pending, size + 2);
    assert_eq!(&pending[size..size + 2], b"\r\n", "chunk data ends in CRLF");
    let data = pending[..size].to_vec();
    pending.drain(..size + 2);
    data
}
