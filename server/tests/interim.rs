//! Interim responses (`103 Early Hints`, RFC 8297) a handler queues ahead of its final one:
//! HTTP/1.1 only, never 101, fields checked by the writer.

use std::time::Instant;

use h1_server::conn::Connection;
use h1_server::{InterimError, Request, Response, ServerConfig};

/// What `request` gets from `handler`, all of it, as text.
fn answer(request: &[u8], handler: impl h1_server::Handler) -> String {
    let now = Instant::now();
    let mut conn = Connection::new(&ServerConfig::new(), now);
    conn.feed(request, &handler, now);
    String::from_utf8_lossy(conn.output()).into_owned()
}

#[test]
fn early_hints_go_out_ahead_of_the_final_response() {
    let out = answer(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        |_: &Request, res: &mut Response| {
            res.send_interim(103, &[("Link", "</a.css>; rel=preload")])
                .unwrap()
                .send_interim(103, &[("Link", "</b.js>; rel=preload")])
                .unwrap();
            res.set_body("final");
        },
    );
    let first = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
    let second = "HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n";
    assert!(
        out.starts_with(&format!("{first}{second}HTTP/1.1 200 OK\r\n")),
        "{out}"
    );
    assert!(out.ends_with("\r\n\r\nfinal"), "{out}");
}

#[test]
fn an_http10_request_gets_no_interim_response() {
    let out = answer(
        b"GET / HTTP/1.0\r\n\r\n",
        |_: &Request, res: &mut Response| {
            let refused = res.send_interim(103, &[("Link", "</a.css>; rel=preload")]);
            assert_eq!(refused.err(), Some(InterimError::Http10));
            res.set_body("final");
        },
    );
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(!out.contains("103"), "{out}");
}

#[test]
fn only_1xx_but_101_is_interim_and_a_refused_head_queues_nothing() {
    let out = answer(
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        |_: &Request, res: &mut Response| {
            for status in [101, 200, 99, 404] {
                assert_eq!(
                    res.send_interim(status, &[]).err(),
                    Some(InterimError::NotInterim),
                    "{status}"
                );
            }
            let split = res.send_interim(103, &[("Link", "a\r\nX-Injected: 1")]);
            assert!(matches!(split, Err(InterimError::Refused(_))));
            let framing = res.send_interim(103, &[("Content-Length", "5")]);
            assert!(matches!(framing, Err(InterimError::Refused(_))));
            res.send_interim(102, &[]).unwrap();
        },
    );
    assert!(
        out.starts_with("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{out}"
    );
    assert!(!out.contains("Injected") && !out.contains("101"), "{out}");
}

#[test]
fn interim_responses_of_one_request_do_not_reach_the_next() {
    let now = Instant::now();
    let handler = |req: &Request, res: &mut Response| {
        if req.path() == "/hints" {
            res.send_interim(103, &[("Link", "</a.css>; rel=preload")])
                .unwrap();
        }
    };
    let mut conn = Connection::new(&ServerConfig::new(), now);
    conn.feed(
        b"GET /hints HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        &handler,
        now,
    );
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert_eq!(out.matches("103 Early Hints").count(), 1, "{out}");
}
