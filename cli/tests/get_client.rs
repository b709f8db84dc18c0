//! The `get` example of h1-parser (a blocking HTTP/1.1 client on `ResponseParser` and
//! `BodyDecoder`) against h1-server — in process behind a connection-counting relay, and the
//! binary with `--echo` — and against Python's `http.server`, a server no one here wrote
//! (HTTP/1.0; bodies with a length, to the close, and chunked). Loopback only; every child runs
//! under a deadline. The Python tests print a note and pass when `python3` is missing.

// The server suite's helpers, shared rather than copied.
#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use common::{config, spawn, terminate, TestServer};

/// The `get` example, built once for this test binary's profile.
fn get_binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/get_client-<hash> → target/<profile>/examples/get
        let exe = std::env::current_exe().expect("the test binary");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("target/<profile>");
        let release = profile_dir
            .file_name()
            .is_some_and(|name| name == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "h1-parser", "--example", "get"]);
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build --example get");
        assert!(status.success(), "building the get example failed");
        profile_dir
            .join("examples")
            .join(format!("get{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Waits for `child` at most `limit`, killing it past that; its output is read meanwhile, so a
/// large output never blocks it.
fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the child did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Runs `get` with `args`, at most 20 s.
fn get(args: &[&str]) -> Output {
    let child = Command::new(get_binary())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn get");
    wait_bounded(child, Duration::from_secs(60))
}

fn stdout_of(output: &Output) -> String {
    assert!(
        output.status.success(),
        "get failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The value of `"key":"..."` in a line of JSON (no escapes in the values the tests read).
fn json_str<'a>(line: &'a str, key: &str) -> &'a str {
    let start = line
        .find(&format!("\"{key}\":\""))
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + key.len()
        + 4;
    let len = line[start..].find('"').expect("a closing quote");
    &line[start..start + len]
}

fn body_of(line: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(json_str(line, "body_base64"))
        .expect("base64")
}

/// A relay to `target` that counts the connections it accepted.
fn counting_relay(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(target) else {
                return;
            };
            let pipe = |mut from: TcpStream, mut to: TcpStream| {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            };
            pipe(
                client.try_clone().expect("clone"),
                server.try_clone().expect("clone"),
            );
            pipe(server, client);
        }
    });
    (addr, count)
}

#[test]
fn get_reuses_a_kept_alive_connection_for_repeat() {
    let server = TestServer::start(config());
    let (relay, connections) = counting_relay(server.addr);
    let url = format!("http://{relay}/");
    let output = get(&["--json", "--repeat", "3", &url]);
    let stdout = stdout_of(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in &lines {
        assert!(
            line.starts_with(
                "{\"version\":\"HTTP/1.1\",\"status\":200,\"reason\":\"OK\",\"headers\":[["
            ),
            "{line}"
        );
        assert_eq!(body_of(line), b"Hello, world!");
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "one connection for three requests"
    );
}

#[test]
fn get_reconnects_when_the_server_closes() {
    let server = TestServer::start(config());
    let (relay, connections) = counting_relay(server.addr);
    let url = format!("http://{relay}/");
    let output = get(&["--json", "--repeat", "3", "-H", "Connection: close", &url]);
    assert_eq!(stdout_of(&output).lines().count(), 3);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        3,
        "a new connection after each close"
    );
}

#[test]
fn get_prints_like_curl_i() {
    let server = TestServer::start(config());
    let output = get(&[&format!("http://{}/users/42", server.addr)]);
    let stdout = stdout_of(&output);
    assert!(stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{stdout}");
    assert!(stdout.contains("\r\nContent-Length: 2\r\n"), "{stdout}");
    assert!(stdout.ends_with("\r\n\r\n42"), "{stdout}");
}

#[test]
fn get_posts_to_the_echo_server() {
    let (mut child, addr) = spawn(&["--echo"]);
    let url = format!("http://{addr}/form?x=1");
    let output = get(&[
        "--json",
        "--data",
        "a=1&b=2",
        "-H",
        "X-Test: caf\u{e9}",
        &url,
    ]);
    let stdout = stdout_of(&output);
    let line = stdout.lines().next().expect("a response");
    assert!(line.contains("\"status\":200"), "{line}");
    let echoed = String::from_utf8(body_of(line)).expect("JSON");
    assert!(
        echoed
            .starts_with("{\"method\":\"POST\",\"target\":\"/form?x=1\",\"version\":\"HTTP/1.1\""),
        "{echoed}"
    );
    // The header went out as UTF-8 bytes; the echo reads them as Latin-1.
    assert!(
        echoed.contains("[\"X-Test\",\"caf\u{c3}\u{a9}\"]"),
        "{echoed}"
    );
    assert!(echoed.contains("[\"Content-Length\",\"7\"]"), "{echoed}");
    assert!(
        echoed.ends_with("\"body_base64\":\"YT0xJmI9Mg==\"}"),
        "{echoed}"
    );
    assert!(terminate(&mut child).success());
}

#[test]
fn get_exits_non_zero_on_a_malformed_response() {
    let cases: [(&[u8], &str); 3] = [
        // The connection core names the parser's error; it keeps no offsets.
        (b"HTTP/1.1 2000 OK\r\n\r\n", "Parse(InvalidStatusCode)"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "ConflictingContentLength",
        ),
        // The server closes inside the body: never a short body taken as whole (the core's
        // IncompleteMessage, RFC 9112 §8).
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
            "IncompleteMessage",
        ),
    ];
    for (answer, expected) in cases {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            stream.write_all(answer).expect("write");
        });
        let output = get(&[&format!("http://{addr}/")]);
        server.join().expect("server thread");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// A field that would split the head is refused by the writer, with its rule named, and the
/// request never reaches the wire: the listener has no connection waiting once `get` exited.
#[test]
fn get_refuses_header_injection_and_sends_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let cases: [(&str, &str); 4] = [
        (
            "X-A: 1\r\nX-Injected: 2",
            "control character (RFC 9110 §5.5)",
        ),
        ("X-A: 1\nX-Injected: 2", "control character (RFC 9110 §5.5)"),
        ("X A: 1", "not a token (RFC 9110 §5.1)"),
        ("Content-Length: 5", "RFC 9112 §6"),
    ];
    for (header, rule) in cases {
        let output = get(&["-H", header, &url]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{header:?}: {stderr}");
        assert!(stderr.contains(rule), "{header:?}: {stderr}");
        assert!(stderr.contains("nothing was sent"), "{stderr}");
        assert!(output.stdout.is_empty(), "{header:?}");
    }
    listener.set_nonblocking(true).expect("nonblocking");
    match listener.accept() {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("get connected although it refused the request: {other:?}"),
    }
}

// ---- Python's http.server ----

/// A Python server printing its port first; `None` (with a note) when python3 is missing.
struct Python {
    child: Child,
    addr: SocketAddr,
}

impl Python {
    fn start(args: &[&str], dir: &std::path::Path) -> Option<Python> {
        let spawned = Command::new("python3")
            .arg("-u")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("note: python3 not found, skipping this test");
                return None;
            }
            Err(error) => panic!("python3: {error}"),
        };
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..." or "PORT 40123".
        let mut stdout = child.stdout.take().expect("stdout");
        let (mut seen, mut byte, started) = (Vec::new(), [0u8; 1], Instant::now());
        let port = loop {
            assert!(
                // A bound for a python that hangs, not a measurement: 60 s, whatever the load.
                started.elapsed() < Duration::from_secs(60),
                "python did not start"
            );
            if stdout.read(&mut byte).expect("read") == 0 {
                panic!("python exited: {}", String::from_utf8_lossy(&seen));
            }
            if byte[0] == b'\n' {
                let line = String::from_utf8_lossy(&seen).into_owned();
                let words: Vec<&str> = line.split_whitespace().collect();
                if let Some(i) = words.iter().position(|&w| w == "port" || w == "PORT") {
                    break words[i + 1].parse::<u16>().expect("a port");
                }
                seen.clear();
            } else {
                seen.push(byte[0]);
            }
        };
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Some(Python {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        })
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("h1-get-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn get_fetches_a_file_from_python_http_server() {
    let dir = scratch_dir("files");
    std::fs::write(dir.join("hello.txt"), b"hello from python\n").expect("write");
    let Some(python) = Python::start(&["-m", "http.server", "0", "--bind", "127.0.0.1"], &dir)
    else {
        return;
    };
    let url = format!("http://{}/hello.txt", python.addr);
    // HTTP/1.0 without keep-alive: each repeat on a new connection.
    let output = get(&["--json", "--repeat", "2", &url]);
    let stdout = stdout_of(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for line in lines {
        assert_eq!(json_str(line, "version"), "HTTP/1.0");
        assert!(line.contains("\"status\":200"));
        assert!(line.contains("[\"Server\",\"SimpleHTTP/"), "{line}");
        assert_eq!(body_of(line), b"hello from python\n");
    }
    let missing = get(&[&format!("http://{}/nope", python.addr)]);
    assert!(stdout_of(&missing).starts_with("HTTP/1.0 404 "));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `http.server` handler that answers without Content-Length (the body runs to the close) at
/// `/close`, and with chunked framing over HTTP/1.1 at `/chunked`.
const HANDLER: &str = r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/chunked":
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            for part in (b"hello ", b"chunked ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nX-Trailer: t\r\n\r\n")
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"no length: " + b"x" * 70000 + b" end")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
"#;

#[test]
fn get_reads_a_body_to_the_close_and_a_chunked_body_from_python() {
    let dir = scratch_dir("handler");
    let Some(python) = Python::start(&["-c", HANDLER], &dir) else {
        return;
    };
    let output = get(&[
        "--json",
        "--repeat",
        "2",
        &format!("http://{}/close", python.addr),
    ]);
    let stdout = stdout_of(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for line in lines {
        assert_eq!(json_str(line, "version"), "HTTP/1.0");
        assert!(!line.contains("Content-Length"), "{line}");
        let body = body_of(line);
        assert_eq!(body.len(), 11 + 70000 + 4);
        assert!(body.starts_with(b"no length: xxx") && body.ends_with(b"x end"));
    }
    let output = get(&[&format!("http://{}/chunked", python.addr)]);
    let stdout = stdout_of(&output);
    assert!(stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{stdout}");
    assert!(
        stdout.contains("\r\nTransfer-Encoding: chunked\r\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("\r\n\r\nhello chunked world"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
