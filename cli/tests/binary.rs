//! The `h1-server` binary: flags, `--echo` JSON, graceful exit on SIGTERM, and (ignored by
//! default, run on demand) 10,000 idle keep-alive connections with their RSS.

// The server suite's helpers, shared rather than copied.
#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{connect, read_response, spawn, terminate, usage};

#[test]
fn help_explains_every_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_h1-server"))
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--addr",
        "--threads",
        "--echo",
        "--log",
        "--max-connections",
        "--head-timeout",
        "--help",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_h1-server"))
        .arg("--nope")
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
}

/// A mistake is one line on stderr naming the flag and pointing to --help, never the whole
/// help; flags that only mean something beside another are refused alone.
#[test]
fn a_bad_flag_is_one_line_that_names_it() {
    let cases: &[(&[&str], &str)] = &[
        (&["--threads", "abc"], "--threads: invalid value \"abc\""),
        (&["--upload"], "--upload needs --dir"),
        (
            &["--dir", ".", "--max-upload", "5"],
            "--max-upload needs --upload",
        ),
        (&["--max-upload", "5"], "--max-upload needs --upload"),
    ];
    for (args, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_h1-server"))
            .args(*args)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stderr.contains("--help"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn serves_hello_world_and_exits_gracefully_on_sigterm() {
    let (mut child, addr) = spawn(&["--threads", "2", "--log"]);
    let mut stream = connect(addr);
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .expect("write");
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"Hello, world!"[..]));
    assert_eq!(resp.body.len(), 13);
    let status = terminate(&mut child);
    assert!(status.success(), "{status:?}");
    // The idle keep-alive connection was closed by the shutdown.
    let mut byte = [0u8; 1];
    assert!(matches!(stream.read(&mut byte), Ok(0) | Err(_)));
}

#[test]
fn echo_answers_with_the_exact_json() {
    let (mut child, addr) = spawn(&["--echo"]);
    let cases: &[(&[u8], &str)] = &[
        (
            b"POST /a?b=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc",
            r#"{"method":"POST","target":"/a?b=1","version":"HTTP/1.1","headers":[["Host","example.com"],["Content-Length","3"]],"body_base64":"YWJj"}"#,
        ),
        (
            b"PUT /x HTTP/1.1\r\nhost: h\r\nX-Latin: caf\xe9 \"q\" \\\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n1\r\n!\r\n0\r\n\r\n",
            "{\"method\":\"PUT\",\"target\":\"/x\",\"version\":\"HTTP/1.1\",\"headers\":[[\"host\",\"h\"],[\"X-Latin\",\"caf\u{e9} \\\"q\\\" \\\\\"],[\"Transfer-Encoding\",\"chunked\"]],\"body_base64\":\"aGkh\"}",
        ),
        (
            b"GET / HTTP/1.0\r\n\r\n",
            r#"{"method":"GET","target":"/","version":"HTTP/1.0","headers":[],"body_base64":""}"#,
        ),
    ];
    for (request, expected) in cases {
        let mut stream = connect(addr);
        stream.write_all(request).expect("write");
        let resp = read_response(&mut stream, &mut Vec::new(), false);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("content-type"), Some("application/json"));
        assert_eq!(String::from_utf8(resp.body).expect("UTF-8 JSON"), *expected);
    }
    assert!(terminate(&mut child).success());
}

/// RFC 9110 §9.3.6: a 2xx to CONNECT would make the connection a tunnel. `--echo` answers
/// every request 200, so its CONNECT goes out as 501 without a tunnel, and the bytes after it
/// (a client's tunnel bytes, here shaped like a request) are never parsed and answered.
#[test]
fn echo_refuses_connect_and_parses_nothing_after_it() {
    let (mut child, addr) = spawn(&["--echo"]);
    let mut stream = connect(addr);
    stream
        .write_all(
            b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\
              GET /inside HTTP/1.1\r\nHost: a\r\n\r\n",
        )
        .expect("write");
    let mut pending = Vec::new();
    let resp = read_response(&mut stream, &mut pending, false);
    assert_eq!(resp.status, 501, "{}", resp.head);
    assert_eq!(resp.header("connection"), Some("close"), "{}", resp.head);
    let mut chunk = [0u8; 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(error) => panic!("read after the 501: {error}"),
        }
    }
    assert!(
        pending.is_empty(),
        "bytes after the 501: {:?}",
        String::from_utf8_lossy(&pending)
    );
    assert!(terminate(&mut child).success());
}

/// Bounded: 10,000 connections, each answered once and then left idle; prints the server's
/// RSS. Run with `cargo test --release -p h1-server-cli --test binary -- --ignored --nocapture`.
#[test]
#[ignore = "opens 10,000 sockets; run on demand"]
fn holds_10k_idle_keep_alive_connections() {
    const CONNECTIONS: usize = 10_000;
    rlimit::increase_nofile_limit(u64::MAX).expect("raise RLIMIT_NOFILE");
    let (mut child, addr) = spawn(&[]);
    let before = usage(child.id()).rss_kib;
    let started = Instant::now();
    let mut streams = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let mut stream = connect(addr);
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .expect("write");
        streams.push(stream);
    }
    let mut pending = Vec::new();
    for stream in &mut streams {
        pending.clear();
        let resp = read_response(stream, &mut pending, false);
        assert_eq!(resp.status, 200);
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = usage(child.id()).rss_kib;
    eprintln!(
        "{CONNECTIONS} idle keep-alive connections (each served once) in {:?}: server RSS {} KiB \
         before, {} KiB after: {:.1} KiB per connection",
        started.elapsed(),
        before,
        after,
        (after.saturating_sub(before)) as f64 / CONNECTIONS as f64
    );
    // Every connection is still open and still served.
    for stream in streams.iter_mut().step_by(997) {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            .expect("write");
        let resp = read_response(stream, &mut Vec::new(), false);
        assert_eq!(resp.status, 200);
    }
    let shutdown = Instant::now();
    assert!(terminate(&mut child).success());
    eprintln!(
        "graceful shutdown with {CONNECTIONS} idle connections took {:?}",
        shutdown.elapsed()
    );
    assert!(after < 256 * 1024, "RSS {after} KiB");
}

/// `--log`: a line per answer, the server's own included (a 400 for a broken head, a 404),
/// with the client, the time, the request-line, the status, the body bytes (none for HEAD)
/// and the duration.
#[test]
fn log_has_a_line_per_answer_the_servers_own_included() {
    let (mut child, addr, lines) = common::spawn_logged(&["--log"]);
    for (request, status) in [
        (&b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..], 200),
        (b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", 200),
        (b"GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n", 404),
        (b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", 400),
    ] {
        let mut stream = connect(addr);
        stream.write_all(request).expect("write");
        let head_only = request.starts_with(b"HEAD");
        let resp = read_response(&mut stream, &mut Vec::new(), head_only);
        assert_eq!(resp.status, status);
    }
    assert!(terminate(&mut child).success());
    let log: Vec<String> = lines.map_while(Result::ok).collect();
    let answers: Vec<&String> = log.iter().filter(|line| line.contains("ms")).collect();
    assert_eq!(answers.len(), 4, "{log:#?}");
    for (line, expected) in answers.iter().zip([
        "\"GET / HTTP/1.1\" 200 13 ",
        "\"HEAD / HTTP/1.1\" 200 0 ",
        "\"GET /nowhere HTTP/1.1\" 404 10 ",
        "\"- - -\" 400 ",
    ]) {
        assert!(line.starts_with("127.0.0.1 ["), "{line}");
        assert!(line.contains(" GMT] "), "{line}");
        assert!(line.contains(expected), "{line} lacks {expected}");
    }
}
