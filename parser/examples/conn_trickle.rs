//! A head arriving byte by byte through the connection core, for callgrind
//! (`bench/conn-instructions.sh` runs it): `whole N` / `trickle N` read a 510-byte browser
//! request by a `ServerConn` at once, or one byte more per call (the caller keeps the bytes not
//! consumed, as a read loop does), then answer it; `trickle2 N` the same request with its
//! fields twice (980 bytes). Linear when the trickled cost per byte is the same for both.
//! Its own binary, so that the roles of `conn_cost` are compiled as they always were.

use h1_parser::conn::{Event, ServerConn};
use h1_parser::write::Body;
use h1_parser::Config;

const BROWSER_FIELDS: &str = "Host: www.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\
Referer: https://www.example.com/articles/2026/12/connection-cores\r\n\
Cookie: session=8f3a2c1e5b7d4e9a9c2b1d0e3f4a5b6c; theme=dark; lang=en\r\n\
Upgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\n";

/// A browser's GET, its fields `times` times (the second time under other names).
fn browser(times: usize) -> Vec<u8> {
    let mut head = b"GET /articles/2026/12/connection-cores?ref=home HTTP/1.1\r\n".to_vec();
    for time in 0..times {
        let fields = BROWSER_FIELDS.replace(": ", &format!("-{time}: "));
        let fields = if time == 0 {
            BROWSER_FIELDS.to_owned()
        } else {
            fields.replace("Host-1", "X-Host-1")
        };
        head.extend_from_slice(fields.as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// `requests` times: `input` read by a fresh request cycle, `step` more bytes per call.
#[inline(never)]
fn read_by(input: &[u8], step: usize, requests: usize) -> usize {
    let mut conn = ServerConn::new(Config::new());
    let mut out = [0u8; 256];
    let mut answered = 0;
    for _ in 0..requests {
        let (mut at, mut seen) = (0, 0);
        loop {
            seen = (seen + step).min(input.len());
            let (consumed, event) = conn.receive(&input[at..seen]).expect("valid request");
            at += consumed;
            if event == Event::End {
                let answer = conn.respond(&mut out[..], 204).expect("room");
                answered += answer.finish(Body::None).expect("room");
                break;
            }
        }
    }
    answered
}

fn main() {
    let mut args = std::env::args().skip(1);
    let role = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let answered = match role.as_str() {
        "whole" => read_by(&browser(1), usize::MAX / 2, n),
        "trickle" => read_by(&browser(1), 1, n),
        "trickle2" => read_by(&browser(2), 1, n),
        _ => {
            eprintln!("usage: conn_trickle whole|trickle|trickle2 N");
            std::process::exit(2);
        }
    };
    println!("{role} {n}: {answered} bytes answered");
}
