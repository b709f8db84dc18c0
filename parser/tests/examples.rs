//! The `inspect` example: bytes on stdin, one JSON object per message on stdout, in the shape
//! of h1-server's `--echo` (responses in the shape of `get --json`) plus framing and trailers;
//! an error as `{"error":"Variant","offset":N}` and exit status 1.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The `inspect` example, built for this test binary's profile.
fn inspect_binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("target/<profile>");
        let binary = profile_dir
            .join("examples")
            .join(format!("inspect{}", std::env::consts::EXE_SUFFIX));
        if !binary.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let mut build = Command::new(cargo);
            build.args([
                "build",
                "--quiet",
                "-p",
                "h1-parser",
                "--example",
                "inspect",
            ]);
            if profile_dir
                .file_name()
                .is_some_and(|name| name == "release")
            {
                build.arg("--release");
            }
            assert!(build.status().expect("cargo build").success());
        }
        binary
    })
}

/// Runs `inspect` with `args` on `input`: exit code and stdout lines.
fn inspect(args: &[&str], input: &[u8]) -> (i32, Vec<String>) {
    let mut child = Command::new(inspect_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn inspect");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 JSON");
    (
        output.status.code().expect("an exit code"),
        stdout.lines().map(str::to_owned).collect(),
    )
}

#[test]
fn inspect_prints_requests_in_the_echo_shape() {
    let input = b"POST /a?b=1 HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: \xe9\r\n\r\nGET / HTTP/1.0\r\n\r\n";
    let (code, lines) = inspect(&[], input);
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        [
            "{\"method\":\"POST\",\"target\":\"/a?b=1\",\"version\":\"HTTP/1.1\",\"headers\":[[\"Host\",\"example.com\"],[\"Transfer-Encoding\",\"chunked\"]],\"body_base64\":\"YWJj\",\"framing\":\"chunked\",\"trailers\":[[\"T\",\"\u{e9}\"]]}",
            "{\"method\":\"GET\",\"target\":\"/\",\"version\":\"HTTP/1.0\",\"headers\":[],\"body_base64\":\"\",\"framing\":\"none\",\"trailers\":[]}",
        ]
    );
}

#[test]
fn inspect_prints_responses_with_their_framing() {
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 204 No Content\r\n\r\nHTTP/1.0 200 \r\n\r\nto the end";
    let (code, lines) = inspect(&["--response"], input);
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        [
            "{\"version\":\"HTTP/1.1\",\"status\":100,\"reason\":\"Continue\",\"headers\":[],\"body_base64\":\"\",\"framing\":\"none\",\"trailers\":[]}",
            "{\"version\":\"HTTP/1.1\",\"status\":200,\"reason\":\"OK\",\"headers\":[[\"Content-Length\",\"2\"]],\"body_base64\":\"aGk=\",\"framing\":\"length 2\",\"trailers\":[]}",
            "{\"version\":\"HTTP/1.1\",\"status\":204,\"reason\":\"No Content\",\"headers\":[],\"body_base64\":\"\",\"framing\":\"none\",\"trailers\":[]}",
            "{\"version\":\"HTTP/1.0\",\"status\":200,\"reason\":\"\",\"headers\":[],\"body_base64\":\"dG8gdGhlIGVuZA==\",\"framing\":\"until-close\",\"trailers\":[]}",
        ]
    );
}

#[test]
fn inspect_frames_responses_by_the_method() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
    let (code, lines) = inspect(&["--response", "--method", "HEAD"], input);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 2);
    assert!(
        lines.iter().all(|l| l.contains("\"framing\":\"none\"")),
        "{lines:?}"
    );
    let (_, lines) = inspect(
        &["--response", "--method", "CONNECT"],
        b"HTTP/1.1 200 OK\r\n\r\n\x16\x03",
    );
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].ends_with("\"framing\":\"tunnel\",\"trailers\":[]}"),
        "{lines:?}"
    );
}

#[test]
fn inspect_stops_at_an_error_with_its_variant_and_offset() {
    let (code, lines) = inspect(
        &[],
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost : a\r\n\r\n",
    );
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        "{\"error\":\"WhitespaceBeforeColon\",\"offset\":47}"
    );
    let (code, lines) = inspect(
        &["--response"],
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
    );
    assert_eq!(
        (code, &lines[..]),
        (
            1,
            &["{\"error\":\"IncompleteBody\",\"offset\":40}".to_owned()][..]
        )
    );
    let (code, lines) = inspect(&["--response"], b"HTTP/1.1 200\r\n\r\n");
    assert_eq!(
        (code, &lines[..]),
        (
            1,
            &["{\"error\":\"InvalidStatusLine\",\"offset\":12}".to_owned()][..]
        )
    );
    let (code, lines) = inspect(
        &["--response", "--missing-reason-sp"],
        b"HTTP/1.1 204\r\n\r\n",
    );
    assert_eq!(code, 0, "{lines:?}");
    let (code, lines) = inspect(&[], b"GET / HTTP/1.1\r\nHo");
    assert_eq!(
        (code, &lines[..]),
        (
            1,
            &["{\"error\":\"IncompleteHead\",\"offset\":18}".to_owned()][..]
        )
    );
}
