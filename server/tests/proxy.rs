//! The `proxy` example of h1-parser end to end: as a reverse proxy in front of h1-server (in
//! process) and as a forward proxy (absolute-form targets, as `curl -x` sends them) in front
//! of Python's `http.server`. One client connection carries several requests (keep-alive);
//! hop-by-hop fields stop at the proxy; bodies with a length and chunked bodies get through;
//! a request the parser rejects is answered by the proxy and never reaches the backend.
//! Loopback only; every wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{config, read_response, terminate, TestServer};
use h1_server::{Request, Response, Router};

/// Builds the proxy example for this test binary's profile and starts it on a free port.
fn start_proxy(backend: Option<SocketAddr>) -> (Child, SocketAddr) {
    let exe = std::env::current_exe().expect("the test binary");
    let profile_dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.args([
        "build",
        "--quiet",
        "-p",
        "h1-parser",
        "--features",
        "std",
        "--example",
        "proxy",
    ]);
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    assert!(
        build.status().expect("cargo build").success(),
        "building the proxy failed"
    );
    let binary: PathBuf = profile_dir
        .join("examples")
        .join(format!("proxy{}", std::env::consts::EXE_SUFFIX));
    let mut command = Command::new(binary);
    command
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped());
    if let Some(backend) = backend {
        command.args(["--backend", &backend.to_string()]);
    }
    let mut child = command.spawn().expect("start the proxy");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("its address");
    let addr = line
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|a| a.parse().ok())
        .expect("proxy listening on ADDR");
    (child, addr)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream
}

/// A backend that answers with the fields it received, one `name: value` per line, and
/// counts the requests that reached it.
fn backend() -> (TestServer, Arc<AtomicUsize>) {
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    let mut router = Router::new();
    router.get("/fields", move |req: &Request, res: &mut Response| {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut body = String::new();
        for header in req.headers().iter() {
            let value = String::from_utf8_lossy(header.value);
            body.push_str(&format!("{}: {value}\n", header.name));
        }
        res.set_body(body);
    });
    router.post("/echo", |req: &Request, res: &mut Response| {
        res.set_body(req.body());
    });
    (TestServer::with_handler(config(), router), reached)
}

#[test]
fn reverse_proxy_keeps_the_client_alive_strips_hop_by_hop_fields_and_forwards_bodies() {
    let (server, reached) = backend();
    let (mut proxy, addr) = start_proxy(Some(server.addr));
    let mut client = connect(addr);
    let mut pending = Vec::new();

    client.write_all(b"GET /fields HTTP/1.1\r\nHost: site\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\n\r\n").unwrap();
    let fields = read_response(&mut client, &mut pending, false);
    assert_eq!(fields.status, 200);
    let seen = String::from_utf8(fields.body).unwrap();
    assert!(
        seen.contains("X-Kept: yes") && seen.contains("Host: site"),
        "{seen}"
    );
    for hop in ["X-Hop", "Keep-Alive", "TE:", "Proxy-Connection"] {
        assert!(!seen.contains(hop), "{hop} was forwarded: {seen}");
    }

    // The same client connection: a body with a length, then a chunked one (re-framed).
    client
        .write_all(b"POST /echo HTTP/1.1\r\nHost: site\r\nContent-Length: 5\r\n\r\nhello")
        .unwrap();
    let echoed = read_response(&mut client, &mut pending, false);
    assert_eq!((echoed.status, &echoed.body[..]), (200, &b"hello"[..]));
    client.write_all(b"POST /echo HTTP/1.1\r\nHost: site\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
    let echoed = read_response(&mut client, &mut pending, false);
    assert_eq!((echoed.status, &echoed.body[..]), (200, &b"abcde"[..]));

    // Rejected by the parser (whitespace before the colon): answered here, never forwarded.
    let before = reached.load(Ordering::SeqCst);
    client
        .write_all(b"GET /fields HTTP/1.1\r\nHost: site\r\nX-Bad : 1\r\n\r\n")
        .unwrap();
    let refused = read_response(&mut client, &mut pending, false);
    assert_eq!(refused.status, 400);
    assert_eq!(
        reached.load(Ordering::SeqCst),
        before,
        "the bad request reached the backend"
    );
    terminate(&mut proxy);
}

#[test]
fn forward_proxy_serves_absolute_form_targets_from_python_http_server() {
    let dir = std::env::temp_dir().join(format!("h1-proxy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("file.txt"), b"from python\n").unwrap();
    let spawned = Command::new("python3")
        .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut python = match spawned {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("note: python3 not found, skipping this test");
            return;
        }
        Err(error) => panic!("python3: {error}"),
    };
    let mut line = String::new();
    BufReader::new(python.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .split_whitespace()
        .skip_while(|w| *w != "port")
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("python's port");

    let (mut proxy, addr) = start_proxy(None);
    let mut client = connect(addr);
    let mut pending = Vec::new();
    let get =
        format!("GET http://127.0.0.1:{port}/file.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    client.write_all(get.as_bytes()).unwrap();
    let file = read_response(&mut client, &mut pending, false);
    assert_eq!(
        (file.status, &file.body[..]),
        (200, &b"from python\n"[..]),
        "{}",
        file.head
    );
    // Kept alive: HEAD on the same connection, the length advertised and no body.
    let head =
        format!("HEAD http://127.0.0.1:{port}/file.txt HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    client.write_all(head.as_bytes()).unwrap();
    let answer = read_response(&mut client, &mut pending, true);
    assert_eq!(
        (answer.status, answer.header("content-length")),
        (200, Some("12"))
    );
    // An origin-form request to a forward proxy has nowhere to go.
    client
        .write_all(b"GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut client, &mut pending, false).status, 400);
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);
    terminate(&mut proxy);
    let _ = python.kill();
    let _ = python.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
