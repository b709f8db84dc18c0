//! End-to-end tests with the real `curl` binary. Each test prints a note and passes when curl
//! is not installed (CI installs it).

mod common;

use std::process::Output;

use common::*;

/// Runs curl with a hard time limit; `None` when curl is missing.
fn curl(args: &[&str]) -> Option<Output> {
    curl_within(5, args)
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn curl_get() {
    let server = TestServer::start(config());
    let url = format!("http://{}/", server.addr);
    let Some(output) = curl(&[&url]) else { return };
    assert_eq!(stdout(&output), "Hello, world!");
}

#[test]
fn curl_post_data() {
    let server = TestServer::start(config());
    let url = format!("http://{}/echo", server.addr);
    let Some(output) = curl(&["-d", "name=h1&x=1", &url]) else {
        return;
    };
    assert_eq!(stdout(&output), "name=h1&x=1");
}

#[test]
fn curl_chunked_upload() {
    let server = TestServer::start(config());
    let url = format!("http://{}/echo", server.addr);
    let Some(output) = curl(&[
        "-v",
        "-H",
        "Transfer-Encoding: chunked",
        "-d",
        "chunky body",
        &url,
    ]) else {
        return;
    };
    assert_eq!(stdout(&output), "chunky body");
    let trace = String::from_utf8_lossy(&output.stderr);
    assert!(trace.contains("Transfer-Encoding: chunked"), "{trace}");
}

#[test]
fn curl_http10() {
    let server = TestServer::start(config());
    let url = format!("http://{}/users/10", server.addr);
    let Some(output) = curl(&["-0", "-v", &url]) else {
        return;
    };
    assert_eq!(stdout(&output), "10");
    let trace = String::from_utf8_lossy(&output.stderr);
    assert!(trace.contains("GET /users/10 HTTP/1.0"), "{trace}");
}

#[test]
fn curl_reuses_the_connection_for_two_urls() {
    let server = TestServer::start(config());
    let first = format!("http://{}/users/1", server.addr);
    let second = format!("http://{}/users/2", server.addr);
    let Some(output) = curl(&["-v", &first, &second]) else {
        return;
    };
    assert_eq!(stdout(&output), "12");
    let trace = String::from_utf8_lossy(&output.stderr).to_lowercase();
    assert!(
        trace.contains("re-using existing") || trace.contains("reusing existing"),
        "{trace}"
    );
}
