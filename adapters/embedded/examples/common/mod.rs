//! The echo's answer, no_std and no alloc: the request in `h1-server --echo`'s JSON shape,
//! written twice, once to count it for Content-Length and once into the answer.
use h1_embedded::Response;
use h1_parser::conn::ConnError;
use h1_parser::write::Body;
use h1_parser::{Method, Request};

type Sink<'s> = &'s mut dyn FnMut(&[u8]) -> Result<(), ConnError>;

/// Answers `request` with itself as JSON; CONNECT gets 501, as the echo opens no tunnel.
pub fn echo<const N: usize>(
    request: &Request<'_>,
    body: &[u8],
    response: &mut Response<'_, N>,
) -> Result<(), ConnError> {
    if request.method() == Method::Connect {
        return response.send(501, &[], b"");
    }
    let mut len = 0;
    json(request, body, &mut |piece| {
        len += piece.len();
        Ok(())
    })?;
    let fields = [("Content-Type", "application/json")];
    response.start(200, &fields, Body::Length(len as u64))?;
    json(request, body, &mut |piece| response.data(piece))?;
    response.finish()
}

fn json(r: &Request<'_>, body: &[u8], sink: Sink<'_>) -> Result<(), ConnError> {
    sink(b"{\"method\":")?;
    string(r.method().as_str().as_bytes(), sink)?;
    sink(b",\"target\":")?;
    string(r.target().as_bytes(), sink)?;
    sink(b",\"version\":")?;
    string(r.version().as_str().as_bytes(), sink)?;
    sink(b",\"headers\":[")?;
    for (i, field) in r.headers().iter().enumerate() {
        sink(if i == 0 { b"[" } else { b",[" })?;
        string(field.name.as_bytes(), sink)?;
        sink(b",")?;
        string(field.value, sink)?;
        sink(b"]")?;
    }
    sink(b"],\"body_base64\":\"")?;
    base64(body, sink)?;
    sink(b"\"}")
}

/// A JSON string of `bytes` read as Latin-1 (each byte the code point of its number).
fn string(bytes: &[u8], sink: Sink<'_>) -> Result<(), ConnError> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    sink(b"\"")?;
    for &b in bytes {
        match b {
            b'"' | b'\\' => sink(&[b'\\', b])?,
            0x00..=0x1f | 0x7f => sink(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ])?,
            0x80.. => sink(&[0xc0 | b >> 6, 0x80 | (b & 0x3f)])?,
            _ => sink(&[b])?,
        }
    }
    sink(b"\"")
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8], sink: Sink<'_>) -> Result<(), ConnError> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        let mut quad = [b'='; 4];
        for (i, c) in quad.iter_mut().take(group.len() + 1).enumerate() {
            *c = ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize];
        }
        sink(&quad)?;
    }
    Ok(())
}
