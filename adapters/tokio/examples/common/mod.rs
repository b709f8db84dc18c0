//! The echo's answer: the request in `h1-server --echo`'s JSON shape.
use base64::Engine;
use h1_tokio::RequestHead;

pub const JSON: &[(&str, &str)] = &[("Content-Type", "application/json")];

/// The request as JSON, bytes as Latin-1; CONNECT gets 501: this echo opens no tunnel.
pub fn echo(head: Option<Box<RequestHead>>, body: &[u8]) -> (u16, String) {
    let r = head
        .as_deref()
        .expect("the core reads a head first")
        .request();
    let s = |b: &[u8]| -> String { b.iter().map(|&b| char::from(b)).collect() };
    let fields = Vec::from_iter(r.headers().iter().map(|h| [h.name.into(), s(h.value)]));
    let json = serde_json::json!({"method": r.method().as_str(), "target": r.target(),
        "version": r.version().as_str(), "headers": fields,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(body)});
    let connect = r.method() == h1_parser::Method::Connect;
    (if connect { 501 } else { 200 }, json.to_string())
}
