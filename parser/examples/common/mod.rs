//! What the examples share: the JSON shape of h1-server's `--echo` (names and values as
//! received, each byte that is not ASCII read as the Latin-1 code point of the same number,
//! the decoded body in base64), the names of the framings, and `http:` URLs taken apart.
#![allow(dead_code)]

use base64::Engine;
use h1_parser::{Framing, Headers};

/// Appends `bytes` as a JSON string, each byte read as Latin-1.
pub fn push_json_string(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x00..=0x1f | 0x7f => out.push_str(&format!("\\u{:04x}", b)),
            _ => out.push(char::from(b)),
        }
    }
    out.push('"');
}

/// Appends `"key":[["Name","value"],...]`.
pub fn push_fields<'a>(
    out: &mut String,
    key: &str,
    fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) {
    out.push('"');
    out.push_str(key);
    out.push_str("\":[");
    for (i, (name, value)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_json_string(out, name);
        out.push(',');
        push_json_string(out, value);
        out.push(']');
    }
    out.push(']');
}

/// The fields of a head as owned (name, value) pairs.
pub fn owned(headers: Headers<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
        .collect()
}

/// Appends `"body_base64":"..."`.
pub fn push_body(out: &mut String, body: &[u8]) {
    out.push_str("\"body_base64\":\"");
    base64::engine::general_purpose::STANDARD.encode_string(body, out);
    out.push('"');
}

/// An `http://host[:port][/path]` URL or absolute-form target (RFC 9112 §3.2.2), the scheme in
/// any case → (the authority, the address to connect to, port 80 by default, and the
/// origin-form target); `None` for another scheme or no host.
pub fn split_http_url(url: &str) -> Option<(String, String, String)> {
    let (scheme, rest) = url.split_at_checked(7)?;
    let rest = scheme.eq_ignore_ascii_case("http://").then_some(rest)?;
    let (host, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    // A port after the last ':' outside an IPv6 literal.
    let port = host.rsplit_once(':').is_some_and(|(_, p)| !p.contains(']'));
    let address = format!("{host}{}", if port { "" } else { ":80" });
    let path = format!("{}{path}", if path.starts_with('/') { "" } else { "/" });
    (!host.is_empty()).then(|| (host.to_owned(), address, path))
}

/// `none`, `length N`, `chunked`, `until-close` or `tunnel`.
pub fn framing_name(framing: Framing) -> String {
    match framing {
        Framing::NoBody => "none".to_owned(),
        Framing::Length(n) => format!("length {n}"),
        Framing::Chunked => "chunked".to_owned(),
        Framing::UntilClose => "until-close".to_owned(),
        Framing::Tunnel => "tunnel".to_owned(),
    }
}

/// A response as the examples print it.
pub struct OwnedResponse {
    pub version: &'static str,
    pub code: u16,
    pub reason: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub framing: Framing,
    pub body: Vec<u8>,
    pub trailers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl OwnedResponse {
    /// `{"version":..,"status":..,"reason":..,"headers":[..],"body_base64":..}`, and with
    /// `extra` the framing and the trailers.
    pub fn json(&self, extra: bool) -> String {
        let mut out = String::from("{\"version\":");
        push_json_string(&mut out, self.version.as_bytes());
        out.push_str(&format!(",\"status\":{},\"reason\":", self.code));
        push_json_string(&mut out, &self.reason);
        out.push(',');
        push_fields(
            &mut out,
            "headers",
            self.headers.iter().map(|(n, v)| (&n[..], &v[..])),
        );
        out.push(',');
        push_body(&mut out, &self.body);
        if extra {
            out.push_str(",\"framing\":");
            push_json_string(&mut out, framing_name(self.framing).as_bytes());
            out.push(',');
            push_fields(
                &mut out,
                "trailers",
                self.trailers.iter().map(|(n, v)| (&n[..], &v[..])),
            );
        }
        out.push('}');
        out
    }
}
