//! The `proxy` example of h1-parser end to end: as a reverse proxy in front of h1-server (in
//! process) and as a forward proxy (absolute-form targets, as `curl -x` sends them) in front
//! of Python's `http.server`. One client connection carries several requests (keep-alive);
//! hop-by-hop fields stop at the proxy; bodies with a length and chunked bodies get through;
//! a request the parser rejects is answered by the proxy and never reaches the backend.
//! Against tiny fake backends (std `TcpListener`s): a silent backend gives 504, a malformed
//! answer 502, a flood of 1xx at most the bound then 502; a 9 MiB body passes whole; no 1xx
//! reaches an HTTP/1.0 client; `gzip, chunked` stays on the wire; forward mode refuses what is
//! not an `http:` target with a host; over `--max-conns` a connection gets 503; `Expect:
//! 100-continue` reaches the backend, whose 100 (or the proxy's own, when the backend says
//! nothing) lets the client's body through. Answers without a body (204, after HEAD, 304) keep
//! the client's connection; CONNECT is 501, a malformed body after the head went 400, a stalled
//! one 408, an unreachable backend 502; the backend's hop-by-hop fields stop too; a forward
//! proxy's Host is the target's, and an HTTP/1.0 client's 100-continue is not passed on. No
//! assertion on time: a short `--timeout` only makes the 504 and the 408 quick. Loopback only;
//! every wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{config, fill_to, fill_until, find, read_response, terminate, TestServer};
use h1_parser::{BodyDecoder, Config, Decoded, Method, Progress, ResponseParser};
use h1_server::{Request, Response, Router};

/// Builds the proxy example for this test binary's profile and starts it on a free port, with
/// `extra` arguments.
fn start_proxy(backend: Option<SocketAddr>, extra: &[&str]) -> (Proxy, SocketAddr) {
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
        .args(extra)
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
    (Proxy(child), addr)
}

/// The proxy's process, killed when a test ends, even by a failed assertion.
struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
    let (mut proxy, addr) = start_proxy(Some(server.addr), &[]);
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
    terminate(&mut proxy.0);
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

    let (mut proxy, addr) = start_proxy(None, &[]);
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
    terminate(&mut proxy.0);
    let _ = python.kill();
    let _ = python.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A backend that reads each request head and answers `answer` then closes, or with `None`
/// holds the connection open and says nothing.
fn fake_backend(answer: Option<Vec<u8>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut silent = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            skip_request_head(&mut stream);
            match &answer {
                Some(answer) => drop(stream.write_all(answer)),
                None => silent.push(stream),
            }
        }
    });
    addr
}

/// Reads `stream` past the end of a request head, or to its end or error, whichever comes
/// first: a fake backend's reading, which must never fail the test from its thread.
fn skip_request_head(stream: &mut TcpStream) {
    let (mut head, mut chunk) = (Vec::new(), [0u8; 4096]);
    while find(&head, b"\r\n\r\n").is_none() {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Sends `request` (one that ends the connection) and reads all the proxy sends back.
fn roundtrip(proxy: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut client = connect(proxy);
    client.write_all(request).expect("write");
    let mut answer = Vec::new();
    client.read_to_end(&mut answer).expect("the proxy closes");
    answer
}

/// The final response in `bytes`, read by h1-parser: its status, head and decoded body.
fn final_response(mut bytes: &[u8]) -> (u16, String, Vec<u8>) {
    loop {
        let mut parser = ResponseParser::new();
        let Ok(Progress::Complete(response)) = parser.parse(bytes) else {
            panic!("no response in {:?}", String::from_utf8_lossy(bytes));
        };
        let (code, len, interim) = (
            response.status(),
            response.head_len(),
            response.is_interim(),
        );
        let framing = response.framing(Method::Get, false).expect("framing");
        let head = String::from_utf8_lossy(&bytes[..len]).into_owned();
        bytes = &bytes[len..];
        if interim {
            continue;
        }
        let mut decoder = BodyDecoder::new(framing, Config::new().max_body_size(u64::MAX));
        let mut body = Vec::new();
        loop {
            match decoder.decode(bytes).expect("a well-framed body") {
                (used, Decoded::Data(data)) => {
                    body.extend_from_slice(data);
                    bytes = &bytes[used..];
                }
                (used, Decoded::Trailer(_)) => bytes = &bytes[used..],
                (_, Decoded::Done) => return (code, head, body),
                (_, Decoded::Partial) => {
                    decoder.finish().expect("a body that ran to the close");
                    return (code, head, body);
                }
            }
        }
    }
}

const GET_CLOSE: &[u8] = b"GET /x HTTP/1.1\r\nHost: site\r\nConnection: close\r\n\r\n";

#[test]
fn a_backend_that_never_answers_gives_504() {
    let (mut proxy, addr) = start_proxy(Some(fake_backend(None)), &["--timeout", "0.5"]);
    let (status, head, _) = final_response(&roundtrip(addr, GET_CLOSE));
    assert_eq!(status, 504, "{head}");
    terminate(&mut proxy.0);
}

#[test]
fn a_malformed_backend_answer_gives_502() {
    let answers: [&[u8]; 3] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        // Closed inside the head: no answer at all.
        b"HTTP/1.1 200 OK\r\nContent-Len",
    ];
    for answer in answers {
        let (mut proxy, addr) = start_proxy(Some(fake_backend(Some(answer.to_vec()))), &[]);
        let (status, head, _) = final_response(&roundtrip(addr, GET_CLOSE));
        assert_eq!(status, 502, "{head}");
        terminate(&mut proxy.0);
    }
}

#[test]
fn a_9_mib_body_passes_whole_with_a_length_and_to_the_close() {
    let body: Vec<u8> = (0..9 << 20).map(|i| (i % 251) as u8).collect();
    let heads = [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()),
        // Delimited by the close: re-framed as chunked to an HTTP/1.1 client.
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_owned(),
    ];
    for head in heads {
        let answer = [head.as_bytes(), &body].concat();
        let (mut proxy, addr) = start_proxy(Some(fake_backend(Some(answer))), &[]);
        let (status, head, got) = final_response(&roundtrip(addr, GET_CLOSE));
        assert_eq!((status, got.len()), (200, body.len()), "{head}");
        assert!(got == body, "the body changed on the way");
        terminate(&mut proxy.0);
    }
}

#[test]
fn a_flood_of_interim_answers_is_cut_at_the_bound_with_502() {
    let mut answer = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n".repeat(50);
    answer.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let (mut proxy, addr) = start_proxy(Some(fake_backend(Some(answer))), &[]);
    let bytes = roundtrip(addr, GET_CLOSE);
    let relayed = bytes.windows(12).filter(|w| w == b"HTTP/1.1 103").count();
    assert!(
        (1..=8).contains(&relayed),
        "{relayed} interim answers relayed"
    );
    assert_eq!(final_response(&bytes).0, 502);
    terminate(&mut proxy.0);
}

#[test]
fn interim_answers_reach_http11_clients_only() {
    let answer = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n\
        HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let (mut proxy, addr) = start_proxy(Some(fake_backend(Some(answer.to_vec()))), &[]);
    let http11 = roundtrip(addr, GET_CLOSE);
    assert!(http11
        .starts_with(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\n"));
    let http10 = roundtrip(addr, b"GET /x HTTP/1.0\r\nHost: site\r\n\r\n");
    let (status, head, body) = final_response(&http10);
    assert!(http10.starts_with(b"HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!((status, &body[..]), (200, &b"ok"[..]));
    terminate(&mut proxy.0);
}

#[test]
fn a_coding_before_chunked_stays_on_the_wire() {
    let answer =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    let (mut proxy, addr) = start_proxy(Some(fake_backend(Some(answer.to_vec()))), &[]);
    let bytes = roundtrip(addr, GET_CLOSE);
    let mut parser = ResponseParser::new();
    let Ok(Progress::Complete(response)) = parser.parse(&bytes) else {
        panic!("{}", String::from_utf8_lossy(&bytes));
    };
    let codings: Vec<&[u8]> = response.headers().get_all("transfer-encoding").collect();
    assert_eq!(codings, [&b"gzip"[..], b"chunked"]);
    assert_eq!(final_response(&bytes).2, b"hello");
    terminate(&mut proxy.0);
}

#[test]
fn forward_mode_refuses_targets_other_than_http_with_a_host() {
    let (mut proxy, addr) = start_proxy(None, &[]);
    let targets = [
        "https://example.com/",
        "ftp://example.com/",
        "http://",
        "http:///x",
        "/x",
    ];
    for target in targets {
        let request = format!("GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n");
        let (status, head, _) = final_response(&roundtrip(addr, request.as_bytes()));
        assert_eq!(status, 400, "{target}: {head}");
    }
    terminate(&mut proxy.0);
}

#[test]
fn connections_over_the_cap_get_503() {
    let (server, _) = backend();
    let (mut proxy, addr) = start_proxy(Some(server.addr), &["--max-conns", "1"]);
    let mut first = connect(addr);
    let mut pending = Vec::new();
    let get = b"GET /fields HTTP/1.1\r\nHost: site\r\n\r\n";
    first.write_all(get).unwrap();
    assert_eq!(read_response(&mut first, &mut pending, false).status, 200);
    // The first connection is open and counted: the second is over the cap.
    let (status, head, _) = final_response(&roundtrip(addr, GET_CLOSE));
    assert_eq!(status, 503, "{head}");
    first.write_all(get).unwrap();
    assert_eq!(read_response(&mut first, &mut pending, false).status, 200);
    terminate(&mut proxy.0);
}

/// A backend for one `Expect: 100-continue` request of a 5-byte body: it says `100 Continue`
/// first when `continues` (and 417 when the Expect did not reach it), or waits for the body
/// without a word; then it echoes the body.
fn expecting_backend(continues: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut seen = Vec::new();
        let body_at = fill_until(&mut stream, &mut seen, b"\r\n\r\n") + 4;
        if continues && find(&seen, b"Expect: 100-continue\r\n").is_none() {
            let _ =
                stream.write_all(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        if continues {
            stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .expect("write");
        }
        fill_to(&mut stream, &mut seen, body_at + 5);
        let answer = [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"[..],
            &seen[body_at..],
        ];
        stream.write_all(&answer.concat()).expect("write");
    });
    addr
}

#[test]
fn expect_100_continue_goes_through_and_the_body_follows_the_100() {
    for continues in [true, false] {
        let (mut proxy, addr) = start_proxy(Some(expecting_backend(continues)), &[]);
        let mut client = connect(addr);
        let mut pending = Vec::new();
        client.write_all(b"POST /up HTTP/1.1\r\nHost: site\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n").unwrap();
        // The backend's 100, or the proxy's own once the backend said nothing for a while.
        let interim = read_response(&mut client, &mut pending, true);
        assert_eq!(interim.status, 100, "{}", interim.head);
        client.write_all(b"hello").unwrap();
        let answer = read_response(&mut client, &mut pending, false);
        assert_eq!(
            (answer.status, &answer.body[..]),
            (200, &b"hello"[..]),
            "{continues}"
        );
        terminate(&mut proxy.0);
    }
}

/// A backend that answers its connections in turn with `answers`, each after reading the
/// request head, then closes the connection.
fn scripted_backend(answers: Vec<&'static [u8]>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for (stream, answer) in listener.incoming().zip(answers) {
            let Ok(mut stream) = stream else { return };
            skip_request_head(&mut stream);
            let _ = stream.write_all(answer);
        }
    });
    addr
}

#[test]
fn answers_without_a_body_keep_the_client_connection() {
    let answers: Vec<&[u8]> = vec![
        b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        // After HEAD, without a length: nothing is advertised, nothing follows.
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        // A 304 may advertise the length of what it stands for (RFC 9110 §8.6).
        b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 5\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ];
    let (mut proxy, addr) = start_proxy(Some(scripted_backend(answers)), &[]);
    let mut client = connect(addr);
    let mut pending = Vec::new();
    client
        .write_all(b"GET /a HTTP/1.1\r\nHost: site\r\n\r\n")
        .unwrap();
    let answer = read_response(&mut client, &mut pending, true);
    assert_eq!((answer.status, answer.header("x-a")), (204, Some("1")));
    client
        .write_all(b"HEAD /b HTTP/1.1\r\nHost: site\r\n\r\n")
        .unwrap();
    let answer = read_response(&mut client, &mut pending, true);
    assert_eq!(answer.status, 200, "{}", answer.head);
    assert_eq!(answer.header("transfer-encoding"), None, "{}", answer.head);
    client
        .write_all(b"GET /c HTTP/1.1\r\nHost: site\r\nIf-None-Match: \"v1\"\r\n\r\n")
        .unwrap();
    let answer = read_response(&mut client, &mut pending, true);
    assert_eq!(
        (answer.status, answer.header("content-length")),
        (304, Some("5")),
        "{}",
        answer.head
    );
    // Still the same connection, and nothing was sent after the heads above.
    client
        .write_all(b"GET /d HTTP/1.1\r\nHost: site\r\n\r\n")
        .unwrap();
    let answer = read_response(&mut client, &mut pending, false);
    assert_eq!((answer.status, &answer.body[..]), (200, &b"ok"[..]));
    assert!(
        pending.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&pending)
    );
    terminate(&mut proxy.0);
}

#[test]
fn what_cannot_be_forwarded_is_answered_by_the_proxy() {
    let (mut proxy, addr) = start_proxy(Some(fake_backend(None)), &["--timeout", "0.5"]);
    let requests: [(&[u8], u16); 3] = [
        (
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
            501,
        ),
        // The head went to the backend; the body's chunk size is no number: 400, no bare close.
        (
            b"POST /x HTTP/1.1\r\nHost: site\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
        ),
        // Two bytes of five, then silence past the timeout.
        (
            b"POST /x HTTP/1.1\r\nHost: site\r\nContent-Length: 5\r\n\r\nhe",
            408,
        ),
    ];
    for (request, want) in requests {
        let (status, head, _) = final_response(&roundtrip(addr, request));
        assert_eq!(status, want, "{}: {head}", String::from_utf8_lossy(request));
    }
    terminate(&mut proxy.0);
    // A backend nobody listens on: 502.
    let gone = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (mut proxy, addr) = start_proxy(Some(gone), &[]);
    let (status, head, _) = final_response(&roundtrip(addr, GET_CLOSE));
    assert_eq!(status, 502, "{head}");
    terminate(&mut proxy.0);
}

#[test]
fn hop_by_hop_fields_stop_both_ways_and_a_forward_proxy_sets_host() {
    // The backend's own connection fields stay between it and the proxy.
    let answer = b"HTTP/1.1 200 OK\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n\
        Proxy-Connection: keep-alive\r\nTrailer: X-Sum\r\nX-Kept: 1\r\nContent-Length: 2\r\n\r\nok";
    let (mut proxy, addr) = start_proxy(Some(fake_backend(Some(answer.to_vec()))), &[]);
    let (status, head, body) = final_response(&roundtrip(addr, GET_CLOSE));
    assert_eq!((status, &body[..]), (200, &b"ok"[..]));
    assert!(head.contains("X-Kept: 1"), "{head}");
    for hop in ["X-Hop", "Keep-Alive", "Proxy-Connection", "Trailer"] {
        assert!(!head.contains(hop), "{hop} was relayed: {head}");
    }
    terminate(&mut proxy.0);

    // Forward mode (RFC 9112 §3.2.2): Host is the target's authority, whatever the client sent;
    // an HTTP/1.0 client's 100-continue is not an expectation (RFC 9110 §10.1.1): not passed on.
    let (server, _) = backend();
    let (mut proxy, addr) = start_proxy(None, &[]);
    let port = server.addr.port();
    let requests = [
        format!("GET http://127.0.0.1:{port}/fields HTTP/1.1\r\nHost: elsewhere\r\nConnection: close\r\n\r\n"),
        format!("GET http://127.0.0.1:{port}/fields HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"),
    ];
    for request in requests {
        let (status, head, body) = final_response(&roundtrip(addr, request.as_bytes()));
        let seen = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "{head}");
        assert!(
            seen.contains(&format!("Host: 127.0.0.1:{port}\n")),
            "{seen}"
        );
        assert!(
            !seen.contains("elsewhere") && !seen.contains("Expect"),
            "{seen}"
        );
    }
    terminate(&mut proxy.0);
}
