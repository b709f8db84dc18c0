//! `proxy`: a small blocking HTTP/1.1 proxy on h1-parser: the parser reads both sides and the
//! checked writer writes both sides, so nothing it forwards can split a message:
//! `cargo run -p h1-parser --features std --example proxy -- --listen HOST:PORT [--backend HOST:PORT]`
//!
//! With `--backend` a reverse proxy; without it a forward proxy for absolute-form targets
//! (`curl -x`), the upstream named by the target's authority and sent origin-form. Clients stay
//! alive; hop-by-hop fields (RFC 9110 §7.6.1) stop here; a length body is forwarded raw, a
//! chunked or close-delimited one re-framed; a request the parser rejects gets its status.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use h1_parser::syntax::list_contains_token;
use h1_parser::write::{chunk_head, Body, RequestHead, ResponseHead, CHUNK_END, LAST_CHUNK};
use h1_parser::{BodyDecoder, Config, Decoded, Framing, Method, Parser, ResponseParser};
use h1_parser::{TargetForm, Version};

type Fields = Vec<(String, Vec<u8>)>;
type Failure = Box<dyn std::error::Error>;

/// RFC 9110 §7.6.1: the fields that end at the next hop, plus the framing the writer redoes.
fn hop_by_hop(name: &str, connection: &[Vec<u8>]) -> bool {
    const FIXED: &str = "connection keep-alive proxy-connection te trailer upgrade \
        transfer-encoding content-length";
    let named = |list: &Vec<u8>| list_contains_token(list, name);
    FIXED
        .split_whitespace()
        .any(|f| name.eq_ignore_ascii_case(f))
        || connection.iter().any(named)
}

/// The end-to-end fields of a head, in order, with the names its Connection lists removed.
fn end_to_end<'a>(headers: impl Iterator<Item = (&'a str, &'a [u8])> + Clone) -> Fields {
    let connection: Vec<Vec<u8>> = headers
        .clone()
        .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
        .map(|(_, value)| value.to_vec())
        .collect();
    headers
        .filter(|(name, _)| !hop_by_hop(name, &connection))
        .map(|(name, value)| (name.to_owned(), value.to_vec()))
        .collect()
}

/// Appends what `stream` has to `buf`; false at the end of its input.
fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk)?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

/// Copies a body framed by `framing` from `from` (bytes already read in `buf`, consumed from it)
/// to `to`: a length raw, anything else re-framed as chunked (or raw until close to HTTP/1.0).
fn relay_body(
    from: &mut TcpStream,
    buf: &mut Vec<u8>,
    framing: Framing,
    to: &mut impl Write,
    chunked_out: bool,
) -> Result<(), Failure> {
    if let Framing::NoBody | Framing::Tunnel = framing {
        return Ok(());
    }
    let mut decoder = BodyDecoder::new(framing, Config::new());
    loop {
        let (used, found) = decoder.decode(buf)?;
        let done = match found {
            Decoded::Partial => None,
            Decoded::Data(data) if chunked_out && !data.is_empty() => {
                to.write_all(chunk_head(data.len() as u64)?.as_bytes())?;
                to.write_all(data)?;
                to.write_all(CHUNK_END)?;
                Some(false)
            }
            Decoded::Data(data) => to.write_all(data).map(|()| Some(false))?,
            Decoded::Trailer(_) => Some(false),
            Decoded::Done => Some(true),
        };
        buf.drain(..used);
        let ended = match done {
            Some(ended) => ended,
            // Only a close-delimited body may end at the close; `finish` says so.
            None => !read_more(from, buf)? && decoder.finish().map(|()| true)?,
        };
        if ended {
            if chunked_out {
                to.write_all(LAST_CHUNK)?;
            }
            return Ok(());
        }
    }
}

/// Answers `status` with no body and closes.
fn refuse(client: &mut TcpStream, status: u16) -> Result<(), Failure> {
    let mut out = Vec::new();
    let mut head = ResponseHead::new(&mut out, Method::Get, Version::Http11, status, None)?;
    head.field("Connection", "close")?;
    head.finish(Body::None)?;
    Ok(client.write_all(&out)?)
}

/// Serves one client connection: request after request while both sides keep it alive.
fn serve(mut client: TcpStream, backend: Option<&str>) -> Result<(), Failure> {
    let mut buf = Vec::new();
    loop {
        let mut parser = Parser::new();
        let parsed = loop {
            match parser.parse(&buf).map(|status| status.is_complete()) {
                Ok(true) => break Ok(()),
                Ok(false) if read_more(&mut client, &mut buf)? => {}
                Ok(false) => return Ok(()),
                Err(error) => break Err(error),
            }
        };
        if let Err(error) = parsed {
            return refuse(&mut client, error.status()); // rejected: never forwarded
        }
        let request = parser.request(&buf).ok_or("no request")?;
        let method = request.method().as_str().to_owned();
        let (version, framing, keep_alive) =
            (request.version(), request.framing(), request.keep_alive());
        let mut fields = end_to_end(request.headers().iter().map(|h| (h.name, h.value)));
        let (upstream, target) = match (backend, request.target_form()) {
            (Some(backend), _) => (backend.to_owned(), request.target().to_owned()),
            (None, TargetForm::Absolute) => {
                let rest = request
                    .target()
                    .split_once("://")
                    .map_or("", |(_, rest)| rest);
                let (authority, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
                fields.retain(|(name, _)| !name.eq_ignore_ascii_case("host"));
                fields.insert(0, ("Host".to_owned(), authority.as_bytes().to_vec()));
                let port = if authority.contains(':') { "" } else { ":80" };
                let path = if path.is_empty() { "/" } else { path };
                (format!("{authority}{port}"), path.to_owned())
            }
            (None, _) => ("".to_owned(), String::new()),
        };
        let expects_continue = request.expects_continue();
        fields.retain(|(name, _)| !name.eq_ignore_ascii_case("expect"));
        buf.drain(..request.head_len());
        if upstream.is_empty() {
            return refuse(&mut client, 400); // origin-form to a forward proxy: nowhere to go
        }
        if expects_continue {
            client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let method = Method::from_bytes(method.as_bytes())?;
        let mut server = TcpStream::connect(&upstream)?;
        let mut out = Vec::new();
        let mut head = RequestHead::new(&mut out, method, &target, Version::Http11)?;
        for (name, value) in &fields {
            head.field(name, value)?;
        }
        head.field("Connection", "close")?;
        head.finish(match framing {
            Framing::Length(n) => Body::Length(n),
            Framing::Chunked => Body::Chunked,
            _ => Body::None,
        })?;
        server.write_all(&out)?;
        let chunked = framing == Framing::Chunked;
        relay_body(&mut client, &mut buf, framing, &mut server, chunked)?;
        if !answer(&mut server, &mut client, method, version)? || !keep_alive {
            return Ok(());
        }
    }
}

/// Relays the upstream's answer to the client; false when the client's connection must close.
fn answer(
    server: &mut TcpStream,
    client: &mut TcpStream,
    method: Method,
    version: Version,
) -> Result<bool, Failure> {
    let mut buf = Vec::new();
    loop {
        let mut parser = ResponseParser::with_config(Config::new().allow_missing_reason_sp(true));
        while !parser.parse(&buf)?.is_complete() {
            if !read_more(server, &mut buf)? {
                return Err("the upstream closed before its answer".into());
            }
        }
        let response = parser.response(&buf).ok_or("no response")?;
        let code = response.code();
        let framing = response.framing(method, false)?;
        let length = response.headers().get("content-length").map(<[u8]>::to_vec);
        let fields = end_to_end(response.headers().iter().map(|h| (h.name, h.value)));
        let reason = response.reason().to_vec();
        buf.drain(..response.head_len());
        let chunked = framing == Framing::Chunked
            || (framing == Framing::UntilClose && version == Version::Http11);
        let body = match framing {
            _ if code < 200 => Body::None,
            Framing::Length(n) => Body::Length(n),
            Framing::NoBody => {
                match length.and_then(|l| std::str::from_utf8(&l).ok()?.parse().ok()) {
                    Some(n) if method == Method::Head || code == 304 => Body::Advertised(n),
                    _ => Body::None,
                }
            }
            _ if chunked => Body::Chunked,
            _ => Body::UntilClose,
        };
        let mut out = Vec::new();
        let mut head = ResponseHead::new(&mut out, method, version, code, Some(&reason))?;
        for (name, value) in &fields {
            head.field(name, value)?;
        }
        head.finish(body)?;
        client.write_all(&out)?;
        if code < 200 {
            continue; // an interim answer: the final one follows
        }
        relay_body(server, &mut buf, framing, client, chunked)?;
        return Ok(body != Body::UntilClose);
    }
}

const USAGE: &str = "usage: proxy --listen HOST:PORT [--backend HOST:PORT]";

fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut backend) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next(),
            "--backend" => backend = args.next(),
            _ => return Err(USAGE.into()),
        }
    }
    let listener = TcpListener::bind(listen.ok_or(USAGE)?)?;
    println!("proxy listening on {}", listener.local_addr()?);
    for client in listener.incoming() {
        let backend = backend.clone();
        std::thread::spawn(move || {
            let served = client
                .map_err(Failure::from)
                .and_then(|c| serve(c, backend.as_deref()));
            if let Err(error) = served {
                eprintln!("proxy: {error}");
            }
        });
    }
    Ok(())
}
