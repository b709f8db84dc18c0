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

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{atomic::AtomicUsize, atomic::Ordering::SeqCst, Arc};
use std::time::Duration;

use common::split_http_url;
use h1_parser::conn::{ClientConn, Event, ServerConn, CONTINUE};
use h1_parser::{syntax::list_contains_token, write::Body, Config, Framing, Headers, Method};

const USAGE: &str = "usage: proxy --listen ADDR [--backend ADDR] [--timeout SECS] [--max-conns N]";
/// Interim answers relayed per request; more is a backend gone wrong (502).
const INTERIM_LIMIT: u16 = 8;
/// Toward the backend, no body limit: what is relayed is the client's to limit.
const BACKEND: Config = Config::new().max_body_size(u64::MAX);
const SECOND: Duration = Duration::from_secs(1);

/// RFC 9110 §7.6.1: all fields but those ending at this hop (and those Connection names), and
/// but the framing, which the core writes anew.
fn end_to_end(headers: Headers<'_>) -> Vec<(String, Vec<u8>)> {
    const HOP: &str = "connection keep-alive proxy-connection te trailer upgrade \
        transfer-encoding content-length";
    let connection: Vec<&[u8]> = headers.get_all("connection").collect();
    let named = |n: &str| connection.iter().any(|v| list_contains_token(v, n));
    let hop = |name: &str| HOP.split(' ').any(|h| h.eq_ignore_ascii_case(name)) || named(name);
    let kept = headers.iter().filter(|f| !hop(f.name));
    let mut kept: Vec<_> = kept.map(|f| (f.name.into(), f.value.into())).collect();
    // RFC 9112 §6.1: codings before `chunked` (`gzip, chunked`) are the body's: kept.
    let te = headers.get_all("transfer-encoding");
    let te = te
        .flat_map(|v| v.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii);
    let codings: Vec<&[u8]> = te.filter(|c| !c.eq_ignore_ascii_case(b"chunked")).collect();
    if !codings.is_empty() {
        kept.push(("Transfer-Encoding".into(), codings.join(&b", "[..])));
    }
    kept
}

/// The body to announce for one read with `framing`; `length`: a Content-Length that frames
/// nothing (after HEAD, in a 304), advertised again.
fn body_for(framing: Framing, length: Option<u64>) -> Body {
    match framing {
        Framing::Length(n) => Body::Length(n),
        // Re-framed as chunked; the core runs it to the close for an HTTP/1.0 client.
        Framing::Chunked | Framing::UntilClose => Body::Chunked,
        Framing::NoBody | Framing::Tunnel => length.map_or(Body::None, Body::Length),
    }
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
    let live = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        // Counted here, in accept order, so the cap holds however the threads run.
        let (live, backend) = (Arc::clone(&live), backend.clone());
        let busy = live.fetch_add(1, SeqCst) >= max_conns;
        std::thread::spawn(move || {
            let input = Vec::new();
            let mut client = Client {
                conn: ServerConn::default(),
                stream,
                input,
            };
            client.serve(backend.as_deref(), timeout, busy);
            live.fetch_sub(1, SeqCst);
        });
    }
    Ok(())
}

/// One client connection: the core's server role, the socket, the bytes not consumed yet.
struct Client {
    conn: ServerConn,
    stream: TcpStream,
    input: Vec<u8>,
}

impl Client {
    /// Serves request after request until either side ends the connection; `busy`: with 503.
    fn serve(&mut self, backend: Option<&str>, timeout: Duration, busy: bool) -> Option<()> {
        self.stream.set_read_timeout(Some(timeout)).ok()?;
        self.stream.set_write_timeout(Some(timeout)).ok()?;
        loop {
            let Ok((used, event)) = self.conn.receive(&self.input) else {
                return self.answer(0, b""); // a malformed request: its status, then the close
            };
            if event != Event::Head {
                self.input.drain(..used);
            }
            match event {
                Event::NeedMore => self.read()?,
                Event::Head if busy => return self.answer(503, b"too many connections\n"),
                Event::Head => self.exchange(used, backend, timeout)?,
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
            n => self.input.extend_from_slice(&chunk[..n]),
        }
        Some(())
    }

    /// Answers `status` (0: the error `receive` returned) with `why`, then closes: `None`.
    /// Nothing is written once an answer head went out: the core refuses a second one.
    fn answer(&mut self, status: u16, why: &[u8]) -> Option<()> {
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

    /// One request, whose head (`used` bytes of the input) was just read, through the backend.
    fn exchange(&mut self, used: usize, backend: Option<&str>, timeout: Duration) -> Option<()> {
        let request = self.conn.request(&self.input).expect("a head");
        let method = request.method().as_str().to_owned();
        let (target, framing) = (request.target().to_owned(), request.framing());
        let mut fields = end_to_end(request.headers());
        // RFC 9110 §10.1.1: an HTTP/1.0 client's 100-continue is ignored, so not passed on.
        let expect = request.expects_continue();
        fields.retain(|(name, _)| expect || !name.eq_ignore_ascii_case("expect"));
        self.input.drain(..used);
        let (upstream, target) = match (backend, split_http_url(&target)) {
            _ if method == "CONNECT" => return self.answer(501, b"no tunnels here\n"),
            (Some(backend), _) => (backend.to_owned(), target),
            (None, Some((host, upstream, path))) => {
                fields.retain(|(name, _)| !name.eq_ignore_ascii_case("host"));
                fields.insert(0, ("Host".into(), host.into()));
                (upstream, path)
            }
            (None, None) => return self.answer(400, b"forward: http://host/... targets only\n"),
        };
        let (mut back, mut out, mut from_back) = (ClientConn::new(BACKEND), Vec::new(), Vec::new());
        back.set_interim_limit(INTERIM_LIMIT);
        fields.push(("Connection".into(), b"close".into()));
        let method = Method::from_bytes(method.as_bytes()).expect("the parser read a method");
        let body = body_for(framing, None);
        let request = back.request(&mut out, method, &target);
        let head = request.and_then(|mut head| {
            head.fields(fields)?;
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
        let (mut chunk, mut body_done) = ([0; 65536], framing == Framing::NoBody);
        loop {
            // The request body goes when the backend may take it: at once, or on its 100.
            while !body_done && back.may_send_body() {
                let Ok((used, event)) = self.conn.receive(&self.input) else {
                    return self.answer(0, b"");
                };
                out.clear();
                let (more, go_on) = (event == Event::NeedMore, event == Event::WriteContinue);
                let sent = match event {
                    Event::Data(range) => back.send_data(&mut out, &self.input[range]),
                    Event::End => back.finish(&mut out).inspect(|_| body_done = true),
                    _ => Ok(0),
                };
                self.input.drain(..used);
                if go_on {
                    self.stream.write_all(CONTINUE).ok()?;
                } else if more {
                    self.read().or_else(|| self.answer(408, b"stalled\n"))?;
                } else if sent.is_err() || server.write_all(&out).is_err() {
                    return self.answer(502, b"the backend did not take the request\n");
                }
            }
            // RFC 9110 §10.1.1: a backend that says nothing to 100-continue gets the body anyway.
            let held = !body_done && !back.may_send_body();
            let wait = if held { timeout.min(SECOND) } else { timeout };
            server.set_read_timeout(Some(wait)).ok()?;
            let Ok((used, event)) = back.receive(&from_back) else {
                return self.answer(502, b"the backend's answer is malformed\n");
            };
            if event == Event::NeedMore {
                from_back.drain(..used);
                match server.read(&mut chunk) {
                    Ok(0) => back.end_of_input(),
                    Ok(n) => from_back.extend_from_slice(&chunk[..n]),
                    Err(_) if held => back.stop_waiting(),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        return self.answer(504, b"the backend did not answer in time\n")
                    }
                    Err(_) => return self.answer(502, b"the backend failed\n"),
                }
                continue;
            }
            let (end, interim) = (event == Event::End, event == Event::Interim);
            out.clear();
            let written = match event {
                Event::Interim | Event::Head => {
                    let response = back.response(&from_back).expect("a head");
                    let (code, fields) = (response.code(), end_to_end(response.headers()));
                    let length = response.headers().get("content-length");
                    let length = length.and_then(|n| std::str::from_utf8(n).ok()?.parse().ok());
                    let framing = response.framing(method, false).unwrap_or(Framing::NoBody);
                    let body = body_for(framing, length);
                    // A final answer first abandons a body still held (the core then closes).
                    body_done |= !interim;
                    match interim {
                        // None to HTTP/1.0 (RFC 9110 §15.2): the core refuses, it is skipped.
                        true => Ok(self.conn.interim(&mut out, code, fields).unwrap_or(0)),
                        false => self.conn.respond(&mut out, code).and_then(|mut head| {
                            head.fields(fields)?;
                            head.finish(body)
                        }),
                    }
                }
                Event::Data(range) => self.conn.send_data(&mut out, &from_back[range]),
                Event::End => self.conn.finish(&mut out),
                Event::Upgrade | Event::Closed => return None,
                _ => Ok(0),
            };
            from_back.drain(..used);
            if written.is_err() {
                return self.answer(502, b"the backend's answer cannot be relayed\n");
            }
            self.stream.write_all(&out).ok()?;
            if end {
                return Some(());
            }
        }
    }
}
