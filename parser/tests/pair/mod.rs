//! A client connection and a server connection talking through a byte stream delivered in
//! pieces: every message arrives as sent, both sides agree on persistence, nothing is left
//! over or invented. Shared by `tests/conn_props.rs` and the `conn_pair` fuzz target.

use h1_parser::conn::{ClientConn, Event, ServerConn, CONTINUE};
use h1_parser::write::Body;
use h1_parser::{Config, Method};

/// A body as sent: its bytes, whether chunked (then with trailers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payload {
    pub data: Vec<u8>,
    pub chunked: bool,
    pub trailers: Vec<(String, String)>,
}

/// One request and the answer the server gives it.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// 0 GET, 1 HEAD, 2 POST, 3 PUT.
    pub method: u8,
    pub target: String,
    pub request_body: Option<Payload>,
    pub expect_continue: bool,
    pub close: bool,
    pub upgrade: bool,
    /// 103 Early Hints sent before the answer.
    pub interim: u8,
    /// 200, 201, 204, 304 or 404.
    pub code: u16,
    pub response_body: Payload,
    /// The response body runs to the close.
    pub until_close: bool,
}

impl Exchange {
    /// RFC 9110 §6.4.1: no content after HEAD, in a 204 or 304, or in a 101.
    fn no_response_body(&self) -> bool {
        self.method() == Method::Head || matches!(self.code, 204 | 304) || self.upgrade
    }

    fn method(&self) -> Method<'static> {
        [Method::Get, Method::Head, Method::Post, Method::Put][usize::from(self.method % 4)]
    }
}

/// What one side received of one message.
#[derive(Debug, Default, PartialEq, Eq)]
struct Received {
    start: String,
    body: Vec<u8>,
    trailers: Vec<(String, String)>,
    interim: u8,
}

/// One direction of the stream: bytes written, how many delivered, how many consumed.
#[derive(Default)]
struct Pipe {
    bytes: Vec<u8>,
    delivered: usize,
    consumed: usize,
}

impl Pipe {
    fn visible(&self) -> &[u8] {
        &self.bytes[self.consumed..self.delivered]
    }
    fn deliver(&mut self, piece: usize) {
        self.delivered = (self.delivered + piece.max(1)).min(self.bytes.len());
    }
    fn all_delivered(&self) -> bool {
        self.delivered == self.bytes.len()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The trailers a body carries: only a chunked one has any.
fn trailers_of(p: &Payload) -> Vec<(&str, &str)> {
    match p.chunked {
        true => p
            .trailers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
        false => Vec::new(),
    }
}

/// The request body `p`, in two pieces, then its end.
fn client_body(client: &mut ClientConn, out: &mut Vec<u8>, p: &Payload) -> Result<(), String> {
    let half = p.data.len() / 2;
    for piece in [&p.data[..half], &p.data[half..]] {
        client
            .send_data(&mut *out, piece)
            .map_err(|e| format!("request data: {e}"))?;
    }
    client
        .finish_with_trailers(out, trailers_of(p))
        .map_err(|e| format!("request end: {e}"))?;
    Ok(())
}

/// Runs `exchanges` through a client and a server, delivering bytes in pieces of the sizes in
/// `pieces` (cycled). `Err` says what went wrong.
pub fn run(exchanges: &[Exchange], pieces: &[usize]) -> Result<(), String> {
    let mut client = ClientConn::new(Config::new());
    let mut server = ServerConn::new(Config::new());
    let (mut c2s, mut s2c) = (Pipe::default(), Pipe::default());
    let mut piece = pieces.iter().copied().chain(core::iter::repeat(7)).cycle();
    let (mut sent, mut held): (usize, Option<usize>) = (0, None);
    let (mut at_server, mut at_client) = (0usize, 0usize);
    let mut server_got: Vec<Received> = Vec::new();
    let mut client_got: Vec<Received> = Vec::new();
    let (mut server_done, mut client_done) = (false, false);
    let mut upgraded = (false, false);
    // Whether the server kept the connection after each answer.
    let mut server_persists: Vec<bool> = Vec::new();
    for _round in 0..100_000 {
        // The client sends what it may.
        while sent < exchanges.len() && client.keep_alive() {
            let e = &exchanges[sent];
            let mut request = match client.request(&mut c2s.bytes, e.method(), &e.target) {
                Ok(request) => request,
                Err(_) => break,
            };
            request
                .field("Host", "example.com")
                .map_err(|e| format!("{e}"))?;
            if e.close {
                request
                    .field("Connection", "close")
                    .map_err(|e| format!("{e}"))?;
            }
            if e.upgrade {
                request
                    .field("Connection", "upgrade")
                    .map_err(|e| format!("{e}"))?;
                request
                    .field("Upgrade", "test/1")
                    .map_err(|e| format!("{e}"))?;
            }
            let framing = match &e.request_body {
                None => Body::None,
                Some(p) if p.chunked => Body::Chunked,
                Some(p) => Body::Length(p.data.len() as u64),
            };
            if e.expect_continue && framing != Body::None {
                request
                    .field("Expect", "100-continue")
                    .map_err(|e| format!("{e}"))?;
            }
            request
                .finish(framing)
                .map_err(|e| format!("request head: {e}"))?;
            sent += 1;
            if framing != Body::None {
                held = Some(sent - 1);
            }
            if let Some(k) = held {
                if !client.may_send_body() {
                    break;
                }
                held = None;
                let p = exchanges[k].request_body.clone().unwrap_or_default();
                client_body(&mut client, &mut c2s.bytes, &p)?;
            }
        }
        if let Some(k) = held {
            if client.may_send_body() {
                held = None;
                let p = exchanges[k].request_body.clone().unwrap_or_default();
                client_body(&mut client, &mut c2s.bytes, &p)?;
            }
        }
        c2s.deliver(piece.next().unwrap_or(1));
        // The server reads and answers.
        while !server_done && !upgraded.0 {
            let input = c2s.visible();
            let (consumed, event) = server
                .receive(input)
                .map_err(|e| format!("server: {e:?}"))?;
            match event {
                Event::Head => {
                    let request = server.request(input).ok_or("no request")?;
                    server_got.push(Received {
                        start: format!("{} {}", request.method(), request.target()),
                        ..Received::default()
                    });
                }
                Event::Data(range) => {
                    let got = server_got.last_mut().ok_or("data before a head")?;
                    got.body.extend_from_slice(&input[range]);
                }
                Event::Trailer { name, value } => {
                    let got = server_got.last_mut().ok_or("trailer before a head")?;
                    got.trailers.push((text(&input[name]), text(&input[value])));
                }
                Event::WriteContinue => s2c.bytes.extend_from_slice(CONTINUE),
                Event::End => {
                    let e = exchanges.get(at_server).ok_or("a request nobody sent")?;
                    at_server += 1;
                    for _ in 0..e.interim {
                        server
                            .interim(&mut s2c.bytes, 103, [("Link", "</a>; rel=preload")])
                            .map_err(|e| format!("interim: {e}"))?;
                    }
                    answer(&mut server, e, &mut s2c.bytes)?;
                    server_persists.push(server.keep_alive() || e.upgrade);
                }
                Event::AnswerOwed => return Err("an answer owed after it was given".into()),
                Event::NeedMore => {
                    c2s.consumed += consumed;
                    break;
                }
                Event::Closed => server_done = true,
                Event::Upgrade => upgraded.0 = true,
                Event::Interim => return Err("interim on the server".into()),
            }
            c2s.consumed += consumed;
        }
        s2c.deliver(piece.next().unwrap_or(1));
        if server_done && s2c.all_delivered() {
            client.end_of_input();
        }
        // The client reads.
        while !client_done && !upgraded.1 {
            let input = s2c.visible();
            let (consumed, event) = client
                .receive(input)
                .map_err(|e| format!("client: {e:?}"))?;
            match event {
                Event::Interim => {
                    if client.response(input).ok_or("no interim")?.status() == 103 {
                        let pending = client_got.len();
                        if pending == at_client {
                            client_got.push(Received::default());
                        }
                        client_got[at_client].interim += 1;
                    }
                }
                Event::Head => {
                    let code = client.response(input).ok_or("no response")?.status();
                    if client_got.len() == at_client {
                        client_got.push(Received::default());
                    }
                    client_got[at_client].start = code.to_string();
                }
                Event::Data(range) => client_got[at_client].body.extend_from_slice(&input[range]),
                Event::Trailer { name, value } => client_got[at_client]
                    .trailers
                    .push((text(&input[name]), text(&input[value]))),
                Event::End => {
                    let server_view = server_persists.get(at_client).copied();
                    if server_view != Some(!client.is_closed()) {
                        return Err(format!(
                            "persistence after {at_client}: client {} server {server_view:?}",
                            !client.is_closed()
                        ));
                    }
                    at_client += 1;
                }
                Event::NeedMore => {
                    s2c.consumed += consumed;
                    break;
                }
                Event::Closed => client_done = true,
                Event::Upgrade => upgraded.1 = true,
                Event::WriteContinue | Event::AnswerOwed => return Err("server event".into()),
            }
            s2c.consumed += consumed;
        }
        let quiet = c2s.all_delivered() && s2c.all_delivered();
        if (server_done && client_done)
            || (upgraded.0 && upgraded.1)
            || (quiet && sent == exchanges.len() && at_client == sent && held.is_none())
        {
            return check(
                exchanges,
                &server_got,
                &client_got,
                at_client,
                &c2s,
                &s2c,
                upgraded,
                server_done,
            );
        }
    }
    Err(format!(
        "no progress: sent {sent}, served {at_server}, answered {at_client}"
    ))
}

/// The server's answer to `e`.
fn answer(server: &mut ServerConn, e: &Exchange, out: &mut Vec<u8>) -> Result<(), String> {
    let code = if e.upgrade { 101 } else { e.code };
    let mut head = server
        .respond(&mut *out, code)
        .map_err(|e| format!("respond: {e}"))?;
    if e.upgrade {
        head.field("Connection", "upgrade")
            .map_err(|e| format!("{e}"))?;
        head.field("Upgrade", "test/1")
            .map_err(|e| format!("{e}"))?;
        head.finish(Body::None).map_err(|e| format!("{e}"))?;
        return Ok(());
    }
    let p = &e.response_body;
    let framing = if e.until_close {
        Body::UntilClose
    } else if p.chunked {
        Body::Chunked
    } else {
        Body::Length(p.data.len() as u64)
    };
    head.finish(framing)
        .map_err(|e| format!("response head: {e}"))?;
    let half = p.data.len() / 2;
    for piece in [&p.data[..half], &p.data[half..]] {
        server
            .send_data(&mut *out, piece)
            .map_err(|e| format!("response data: {e}"))?;
    }
    let trailers = if e.until_close {
        Vec::new()
    } else {
        trailers_of(p)
    };
    server
        .finish_with_trailers(out, trailers)
        .map_err(|e| format!("response end: {e}"))?;
    Ok(())
}

/// Every message arrived as sent, in order, and nothing else.
#[allow(clippy::too_many_arguments)] // the run's whole state, read once at its end
fn check(
    exchanges: &[Exchange],
    server_got: &[Received],
    client_got: &[Received],
    answered: usize,
    c2s: &Pipe,
    s2c: &Pipe,
    upgraded: (bool, bool),
    server_closed: bool,
) -> Result<(), String> {
    // Every exchange is answered up to the first that ends the connection, and none after.
    let last = exchanges
        .iter()
        .position(|e| e.close || e.upgrade || (e.until_close && !e.no_response_body()))
        .map_or(exchanges.len(), |k| k + 1);
    if answered != last && !(upgraded.0 && answered + 1 == last) {
        return Err(format!("{answered} answered, {last} expected"));
    }
    if server_got.len() < answered {
        return Err(format!(
            "{} requests read, {answered} answered",
            server_got.len()
        ));
    }
    for (k, (e, got)) in exchanges.iter().zip(server_got).enumerate().take(answered) {
        let p = e.request_body.clone().unwrap_or_default();
        let want = Received {
            start: format!("{} {}", e.method(), e.target),
            body: p.data.clone(),
            trailers: if p.chunked {
                p.trailers.clone()
            } else {
                Vec::new()
            },
            interim: 0,
        };
        if *got != want {
            return Err(format!("request {k}: got {got:?}, sent {want:?}"));
        }
        let no_body = e.no_response_body();
        let chunked = e.response_body.chunked && !e.until_close;
        let want = Received {
            start: if e.upgrade {
                "101".into()
            } else {
                e.code.to_string()
            },
            body: if no_body {
                Vec::new()
            } else {
                e.response_body.data.clone()
            },
            trailers: if chunked && !no_body {
                e.response_body.trailers.clone()
            } else {
                Vec::new()
            },
            interim: e.interim,
        };
        let got = client_got.get(k).ok_or(format!("response {k} missing"))?;
        if *got != want {
            return Err(format!("response {k}: got {got:?}, sent {want:?}"));
        }
    }
    // Requests pipelined after the connection's last answer stay unread; nothing else does.
    let unread_requests = if server_closed {
        0
    } else {
        c2s.bytes.len() - c2s.consumed
    };
    if !upgraded.0 && (unread_requests != 0 || s2c.consumed != s2c.bytes.len()) {
        return Err(format!(
            "left over: {} bytes to the server, {} to the client",
            c2s.bytes.len() - c2s.consumed,
            s2c.bytes.len() - s2c.consumed
        ));
    }
    Ok(())
}
