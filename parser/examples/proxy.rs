//! `proxy`: a blocking HTTP/1.1 proxy on h1-parser's connection core (`ServerConn` toward the
//! client, `ClientConn` toward the backend): `cargo run -p h1-parser --features std --example
//! proxy -- --listen HOST:PORT [--backend HOST:PORT] [--timeout SECS] [--max-conns N]`. A reverse
//! proxy, or without `--backend` a forward one for `http:` absolute-form targets with a host
//! (`curl -x`; anything else is 400). Bodies stream both ways, of any size, codings before
//! `chunked` kept; hop-by-hop fields stop here. A read waits `--timeout` (30 s) at most; past
//! `--max-conns` (256), 503. Before any answer head, a backend's fault is 502 (unreachable,
//! malformed, over 8 interim answers) or 504 (silent). 1xx are relayed, none to HTTP/1.0; the
//! backend's 100 answers `Expect: 100-continue`, or after its second of silence the body goes.

mod common;

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::{io::ErrorKind, io::Read, io::Write, time::Duration};

use h1_parser::conn::{ClientConn, Event, ServerConn, CONTINUE};
use h1_parser::{write::Body, Config, Framing, Headers, Method};

const USAGE: &str = "usage: proxy --listen ADDR [--backend ADDR] [--timeout SECS] [--max-conns N]";
/// Interim answers relayed per request; more is a backend gone wrong (502).
const INTERIM_LIMIT: u16 = 8;
/// Toward the backend, no body limit: what is relayed is the client's to limit.
const BACKEND: Config = Config::new().max_body_size(u64::MAX);
const SECOND: Duration = Duration::from_secs(1);
/// The client connections open, counted in accept order so the cap holds however threads run.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The fields to relay: the end-to-end ones but `Trailer` (trailers stop here), `Host` and
/// `Expect` (written here), then the codings before `chunked`, still on the body (RFC 9112 §6.1).
fn relayed(headers: Headers<'_>) -> impl Iterator<Item = (&str, &[u8])> {
    const OURS: [&str; 3] = ["trailer", "host", "expect"];
    let kept = headers.end_to_end().map(|field| (field.name, field.value));
    let kept = kept.filter(|(name, _)| !OURS.iter().any(|n| n.eq_ignore_ascii_case(name)));
    let codings = headers.codings_before_chunked();
    kept.chain(codings.map(|coding| ("Transfer-Encoding", coding)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut listen, mut backend, mut timeout, mut max_conns) = (None, None, 30.0, 256);
    let mut args = std::env::args().skip(1);
    while let (Some(flag), Some(value)) = (args.next(), args.next()) {
        match flag.as_str() {
            "--listen" => listen = Some(value),
            "--backend" => backend = Some(value),
            "--timeout" => timeout = value.parse()?,
            "--max-conns" => max_conns = value.parse()?,
            _ => return Err(USAGE.into()),
        }
    }
    let listener = TcpListener::bind(listen.ok_or(USAGE)?)?;
    println!("proxy listening on {}", listener.local_addr()?);
    let timeout = Duration::from_secs_f64(timeout);
    for stream in listener.incoming().flatten() {
        let busy = LIVE.fetch_add(1, SeqCst) >= max_conns;
        let (conn, buf, backend) = (ServerConn::default(), Vec::new(), backend.clone());
        std::thread::spawn(move || {
            Client { conn, stream, buf }.serve(backend.as_deref(), timeout, busy);
            LIVE.fetch_sub(1, SeqCst);
        });
    }
    Ok(())
}

/// One client connection: the core's server role, the socket, the bytes not consumed yet.
struct Client {
    conn: ServerConn,
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    /// Serves request after request until either side ends the connection; `busy`: with 503.
    fn serve(&mut self, backend: Option<&str>, timeout: Duration, busy: bool) -> Option<()> {
        self.stream.set_read_timeout(Some(timeout)).ok()?;
        self.stream.set_write_timeout(Some(timeout)).ok()?;
        loop {
            let received = self.conn.receive(&self.buf).ok();
            let (used, event) = received.or_else(|| self.answer(0, b""))?;
            let consumed: Vec<u8> = self.buf.drain(..used).collect();
            match event {
                Event::NeedMore => self.read()?,
                Event::Head if busy => return self.answer(503, b"too many connections\n"),
                Event::Head => self.exchange(&consumed, backend, timeout)?,
                Event::Closed | Event::Upgrade => return None,
                _ => {}
            }
        }
    }

    /// Reads more; `None` when the client is gone or silent past the timeout.
    fn read(&mut self) -> Option<()> {
        let mut chunk = [0; 65536];
        match self.stream.read(&mut chunk).ok()? {
            0 => self.conn.end_of_input(),
            n => self.buf.extend_from_slice(&chunk[..n]),
        }
        Some(())
    }

    /// Answers `status` (0: `receive`'s error) with `why`, unless a head went out; `None`: close.
    fn answer<T>(&mut self, status: u16, why: &[u8]) -> Option<T> {
        let mut out = Vec::new();
        let written = match status {
            0 => self.conn.answer_error(&mut out),
            _ => self.conn.respond(&mut out, status).and_then(|mut head| {
                head.field("Connection", "close")?;
                head.finish_with(why)
            }),
        };
        written.ok().and_then(|_| self.stream.write_all(&out).ok());
        None
    }

    /// One request, whose `head` was just read, through the backend.
    fn exchange(&mut self, head: &[u8], backend: Option<&str>, timeout: Duration) -> Option<()> {
        let request = self.conn.request(head)?;
        let host = request.headers().get("host").map(<[u8]>::to_vec);
        let (upstream, target, host) = match (backend, common::split_http_url(request.target())) {
            _ if request.method() == Method::Connect => return self.answer(501, b"no tunnels\n"),
            (Some(backend), _) => (backend.to_owned(), request.target().to_owned(), host),
            // RFC 9112 §3.2.2: a forward proxy's Host is the target's authority.
            (None, Some((host, upstream, path))) => (upstream, path, Some(host.into_bytes())),
            (None, None) => return self.answer(400, b"forward: http://host/... targets only\n"),
        };
        let expect = request.expects_continue(); // not an HTTP/1.0 client's (RFC 9110 §10.1.1)
        let body = match request.framing() {
            Framing::Length(n) => Body::Length(n),
            Framing::Chunked => Body::Chunked,
            _ => Body::None,
        };
        let (mut back, mut out, mut from_back) = (ClientConn::new(BACKEND), Vec::new(), Vec::new());
        back.set_interim_limit(INTERIM_LIMIT);
        let head = back.request(&mut out, request.method(), target);
        let head = head.and_then(|mut head| {
            head.fields(host.map(|host| ("Host", host)))?;
            head.fields(expect.then_some(("Expect", "100-continue")))?;
            head.fields(relayed(request.headers()))?;
            head.field("Connection", "close")?;
            head.finish(body)
        });
        // A backend that never accepts is as silent as one that never answers: bounded too.
        let address = upstream.to_socket_addrs().ok().and_then(|mut a| a.next());
        let connect = |address| TcpStream::connect_timeout(&address, timeout).ok();
        let server = head.ok().and(address).and_then(connect);
        let Some(mut server) = server.filter(|mut s| s.write_all(&out).is_ok()) else {
            return self.answer(502, b"the request cannot reach the backend\n");
        };
        server.set_write_timeout(Some(timeout)).ok()?;
        let (mut chunk, mut body_done) = ([0; 65536], body == Body::None);
        loop {
            // The request body goes when the backend may take it: at once, or on its 100.
            while !body_done && back.may_send_body() {
                let received = self.conn.receive(&self.buf).ok();
                let (used, event) = received.or_else(|| self.answer(0, b""))?;
                out.clear();
                let sent = match &event {
                    Event::Data(range) => back.send_data(&mut out, &self.buf[range.clone()]),
                    Event::End => back.finish(&mut out).inspect(|_| body_done = true),
                    _ => Ok(0),
                };
                self.buf.drain(..used);
                match event {
                    Event::WriteContinue => self.stream.write_all(CONTINUE).ok()?,
                    Event::NeedMore => self.read().or_else(|| self.answer(408, b"stalled\n"))?,
                    _ if sent.is_ok() && server.write_all(&out).is_ok() => {}
                    _ => return self.answer(502, b"the backend did not take the request\n"),
                }
            }
            // RFC 9110 §10.1.1: a backend that says nothing to 100-continue gets the body anyway.
            let held = !body_done && !back.may_send_body();
            let wait = if held { timeout.min(SECOND) } else { timeout };
            server.set_read_timeout(Some(wait)).ok()?;
            let Ok((used, event)) = back.receive(&from_back) else {
                return self.answer(502, b"the backend's answer is malformed\n");
            };
            out.clear();
            let written = match &event {
                Event::Interim | Event::Head => {
                    let response = back.response(&from_back).expect("a head");
                    let (code, fields) = (response.status(), relayed(response.headers()));
                    // Its length, else chunked; the core fits it to HEAD, 204, 304 and HTTP/1.0.
                    let length = response.headers().get("content-length");
                    let length = length.and_then(|n| std::str::from_utf8(n).ok()?.parse().ok());
                    body_done |= !response.is_interim(); // no request body after a final answer
                    match response.is_interim() {
                        // None to HTTP/1.0 (RFC 9110 §15.2): the core refuses, it is skipped.
                        true => Ok(self.conn.interim(&mut out, code, fields).unwrap_or(0)),
                        false => self.conn.respond(&mut out, code).and_then(|mut head| {
                            head.fields(fields)?;
                            head.finish(length.map_or(Body::Chunked, Body::Length))
                        }),
                    }
                }
                Event::Data(range) => self.conn.send_data(&mut out, &from_back[range.clone()]),
                Event::End => self.conn.finish(&mut out),
                Event::Upgrade | Event::Closed => return None,
                _ => Ok(0),
            };
            from_back.drain(..used);
            if written.is_err() {
                return self.answer(502, b"the backend's answer cannot be relayed\n");
            }
            self.stream.write_all(&out).ok()?;
            match event {
                Event::End => return Some(()),
                Event::NeedMore => match server.read(&mut chunk) {
                    Ok(0) => back.end_of_input(),
                    Ok(n) => from_back.extend_from_slice(&chunk[..n]),
                    Err(_) if held => back.stop_waiting(),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        return self.answer(504, b"the backend did not answer in time\n")
                    }
                    Err(_) => return self.answer(502, b"the backend failed\n"),
                },
                _ => {}
            }
        }
    }
}
