//! The echo's answer: the request in `h1-server --echo`'s JSON shape, written straight into
//! one `String`.
use std::fmt::Write;

use base64::Engine;
use h1_tokio::RequestHead;

pub const JSON: &[(&str, &str)] = &[("Content-Type", "application/json")];

/// The request as JSON; CONNECT gets 501, as this echo opens no tunnel.
pub fn echo(head: Option<Box<RequestHead>>, body: &[u8]) -> (u16, String) {
    let r = head
        .as_deref()
        .expect("the core reads a head first")
        .request();
    let mut json = String::with_capacity(256 + r.head_len() + body.len() * 4 / 3);
    json.push_str("{\"method\":");
    string(&mut json, r.method().as_str().as_bytes());
    json.push_str(",\"target\":");
    string(&mut json, r.target().as_bytes());
    json.push_str(",\"version\":");
    string(&mut json, r.version().as_str().as_bytes());
    json.push_str(",\"headers\":[");
    for (i, field) in r.headers().iter().enumerate() {
        json.push_str(if i == 0 { "[" } else { ",[" });
        string(&mut json, field.name.as_bytes());
        json.push(',');
        string(&mut json, field.value);
        json.push(']');
    }
    json.push_str("],\"body_base64\":\"");
    base64::engine::general_purpose::STANDARD.encode_string(body, &mut json);
    json.push_str("\"}");
    let connect = r.method() == h1_parser::Method::Connect;
    (if connect { 501 } else { 200 }, json)
}

/// A JSON string of `bytes` read as Latin-1 (each byte the code point of its number).
fn string(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => out.extend(['\\', char::from(b)]),
            0x00..=0x1f | 0x7f => {
                let _ = write!(out, "\\u{b:04x}");
            }
            _ => out.push(char::from(b)),
        }
    }
    out.push('"');
}
