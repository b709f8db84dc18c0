//! `ClientConn`: the client's side of one connection — requests out, responses in.

use arrayvec::ArrayVec;

use super::error::ConnError;
use super::event::Event;
use super::incoming::body_step;
use super::outgoing::{Outgoing, NO_TRAILERS};
use crate::body::BodyDecoder;
use crate::config::Config;
use crate::message::{Framing, Method, StandardMethod, Version};
use crate::outcome::Progress;

use crate::response::{OwnedResponse, Response, ResponseParser};
use crate::syntax::list_contains_token;
use crate::write::{Body, Out, RequestHead};

/// How many requests may wait for their responses at once (pipelining, RFC 9112 §9.3.2).
pub const MAX_PIPELINED: usize = 16;

/// Interim responses accepted before one final response (see
/// [`ClientConn::set_interim_limit`]).
const INTERIM_LIMIT: u16 = 16;

/// Where the reading side is; the body's decoder is beside it, so that moving between states
/// writes a few bytes.
#[derive(Clone, Copy, Debug)]
enum Read {
    /// Reading a response head; `parsed`: the parser still holds the previous head.
    Head {
        parsed: bool,
    },
    /// Reading the body with `decoder`.
    Body,
    /// A 101 or a 2xx to CONNECT was received: the next call says `Upgrade`.
    Tunnel,
    Closed,
    Failed(ConnError),
}

/// A request sent whose response has not ended.
#[derive(Clone, Copy, Debug)]
struct Sent {
    /// The method as far as the response's framing cares (RFC 9112 §6.3): HEAD, CONNECT, or
    /// any other (as GET), in two bytes rather than a `Method`.
    head: bool,
    connect: bool,
    /// It offered an upgrade (an Upgrade field).
    upgrade: bool,
}

impl Sent {
    fn method(self) -> Method<'static> {
        match (self.head, self.connect) {
            (true, _) => Method::Head,
            (_, true) => Method::Connect,
            _ => Method::Get,
        }
    }
}

/// The client's side of one HTTP/1.1 connection, as a value: requests out through the checked
/// writer, response bytes in, events out. No I/O, no allocation, no clock.
///
/// - **Out**: [`request`](ClientConn::request) writes the request-line, [`Requesting::field`]
///   the fields, [`Requesting::finish`] the framing field; then
///   [`send_data`](ClientConn::send_data) and [`finish`](ClientConn::finish) the body.
/// - **In**: [`receive`](ClientConn::receive) as for [`ServerConn`](super::ServerConn):
///   [`Event::Interim`] for each 1xx (bounded), [`Event::Head`] for the final response, its
///   data and trailers, [`Event::End`]; [`Event::Upgrade`] after a 101 or a 2xx to CONNECT.
///   When the server closes, call [`end_of_input`](ClientConn::end_of_input): a body that runs
///   to the close then ends, anything else cut short is [`ConnError::IncompleteMessage`].
/// - **Decided here**: the response's framing from the request it answers (RFC 9112 §6.3);
///   persistence (RFC 9112 §9.3: [`keep_alive`](ClientConn::keep_alive)); `Expect:
///   100-continue` (the body is held until `100`, a final response, or
///   [`stop_waiting`](ClientConn::stop_waiting); a final response first abandons it and
///   closes the connection); pipelined requests matched to responses in order.
#[derive(Clone, Debug)]
pub struct ClientConn<const N: usize = 100> {
    parser: ResponseParser<N>,
    read: Read,
    decoder: BodyDecoder,
    waiting: ArrayVec<Sent, MAX_PIPELINED>,
    sending: Outgoing,
    /// The body of the newest request waits for `100 Continue`.
    held: bool,
    /// The connection persists after the response being read.
    keep_alive: bool,
    /// A request said `Connection: close`: none may follow it.
    last_sent: bool,
    interim: u16,
    interim_limit: u16,
    input_ended: bool,
}

impl ClientConn {
    /// A connection with `config`'s limits and leniencies and room for 100 fields per head.
    pub fn new(config: Config) -> ClientConn {
        ClientConn::from_config(config)
    }
}

impl<const N: usize> Default for ClientConn<N> {
    fn default() -> ClientConn<N> {
        ClientConn::from_config(Config::new())
    }
}

impl<const N: usize> ClientConn<N> {
    /// A connection with `config` and room for `N` fields per head.
    pub fn from_config(config: Config) -> ClientConn<N> {
        ClientConn {
            parser: ResponseParser::from_config(config),
            read: Read::Head { parsed: false },
            decoder: BodyDecoder::new(Framing::NoBody, config),
            waiting: ArrayVec::new(),
            sending: Outgoing::Idle,
            held: false,
            keep_alive: true,
            last_sent: false,
            interim: 0,
            interim_limit: INTERIM_LIMIT,
            input_ended: false,
        }
    }

    /// The former name of [`ClientConn::from_config`], kept until 1.0: it takes a configuration;
    /// the capacity is `N`.
    #[deprecated(note = "renamed `from_config`: it takes a `Config`, the capacity is `N`")]
    pub fn with_capacity(config: Config) -> ClientConn<N> {
        ClientConn::from_config(config)
    }

    /// How many interim responses one request may get before [`ConnError::TooManyInterim`].
    /// Default 16.
    pub fn set_interim_limit(&mut self, limit: u16) {
        self.interim_limit = limit;
    }

    /// Whether the connection can carry more requests (RFC 9112 §9.3): neither side said
    /// `close`, no response ran to the close, no body was abandoned, nothing failed.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive && !self.last_sent && !self.is_closed()
    }

    /// Whether the connection is over for HTTP/1.1: closed after a response (either side said
    /// `close`, or the body ran to the close), failed, or handed over to a tunnel. While it is
    /// not, the responses in flight are read on it.
    pub fn is_closed(&self) -> bool {
        !matches!(self.read, Read::Head { .. } | Read::Body)
    }

    /// The requests sent whose responses have not ended (oldest first).
    pub fn in_flight(&self) -> usize {
        self.waiting.len()
    }

    /// Whether the body of the last request may be sent now: it was announced, is not
    /// finished, and does not wait for `100 Continue`.
    pub fn may_send_body(&self) -> bool {
        !self.held && !matches!(self.sending, Outgoing::Idle)
    }

    /// The caller waited long enough for `100 Continue` (RFC 9110 §10.1.1: a client need not
    /// wait forever): the body may be sent now.
    pub fn stop_waiting(&mut self) {
        self.held = false;
    }

    /// The server closed its sending side: no byte will follow what was passed to `receive`.
    pub fn end_of_input(&mut self) {
        self.input_ended = true;
    }

    /// The current response's head over `head`, the bytes from its first byte (the input of
    /// the call that returned [`Event::Head`] or [`Event::Interim`]): valid until the next
    /// head is read.
    pub fn response<'a>(&'a self, head: &'a [u8]) -> Option<Response<'a>> {
        match self.read {
            Read::Head { parsed: true } | Read::Body | Read::Tunnel => self.parser.response(head),
            _ => None,
        }
    }

    /// The current response's head as owned offsets (see [`OwnedResponse`]), to keep past
    /// the next head: copies the header table once.
    pub fn owned_response(&self) -> Option<OwnedResponse<N>> {
        match self.read {
            Read::Head { parsed: true } | Read::Body | Read::Tunnel => self.parser.owned_response(),
            _ => None,
        }
    }

    /// Starts a request: the request-line `method target HTTP/1.1` into `out`. Add fields with
    /// [`Requesting::field`] (Host among them), then [`Requesting::finish`].
    ///
    /// Refused while the previous request's body is not finished, after a request that may
    /// switch protocols (upgrade, CONNECT) until its answer, beyond [`MAX_PIPELINED`]
    /// ([`ConnError::PipelineBusy`]), and once the connection will not persist
    /// ([`ConnError::Closed`]).
    pub fn request<'c, 'o>(
        &'c mut self,
        out: impl Into<Out<'o>>,
        method: Method<'_>,
        target: impl AsRef<[u8]>,
    ) -> Result<Requesting<'c, 'o, N>, ConnError> {
        if !self.keep_alive() {
            return Err(ConnError::Closed);
        }
        let switching = self
            .waiting
            .last()
            .is_some_and(|sent| sent.upgrade || sent.connect);
        if self.sending != Outgoing::Idle || switching || self.waiting.is_full() {
            return Err(ConnError::PipelineBusy);
        }
        let head = RequestHead::new(out, method, target, Version::Http11)?;
        let known = method.standard_kind();
        let sent = Sent {
            head: known == Some(StandardMethod::Head),
            connect: known == Some(StandardMethod::Connect),
            upgrade: false,
        };
        Ok(Requesting {
            conn: self,
            head,
            sent,
            expect_continue: false,
            said_close: false,
        })
    }

    /// Writes `data` as the next piece of the request body into `out`, framed as announced;
    /// returns the bytes written. [`ConnError::AwaitingContinue`] while the body waits for
    /// `100 Continue`.
    pub fn send_data<'o>(
        &mut self,
        out: impl Into<Out<'o>>,
        data: &[u8],
    ) -> Result<usize, ConnError> {
        if self.held {
            return Err(ConnError::AwaitingContinue);
        }
        self.sending.data(out.into(), data)
    }
    /// Ends the request body; returns the bytes written.
    pub fn finish<'o>(&mut self, out: impl Into<Out<'o>>) -> Result<usize, ConnError> {
        self.finish_with_trailers(out, NO_TRAILERS)
    }

    /// [`finish`](ClientConn::finish) with `trailers` after a chunked body (RFC 9112 §7.1.2).
    pub fn finish_with_trailers<'o, F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        out: impl Into<Out<'o>>,
        trailers: impl IntoIterator<Item = (F, V)>,
    ) -> Result<usize, ConnError> {
        if self.held {
            return Err(ConnError::AwaitingContinue);
        }
        self.sending.finish(out.into(), trailers)
    }

    /// Reads `input`, the bytes received after those consumed so far. Returns the number of
    /// bytes consumed and what they held; call in a loop until [`Event::NeedMore`] or
    /// [`Event::Closed`]. An error is final: the connection cannot be used any more.
    pub fn receive(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        match self.read {
            Read::Failed(error) => Err(error),
            Read::Closed => Ok((0, Event::Closed)),
            Read::Tunnel => Ok((0, Event::Upgrade)),
            Read::Head { parsed } => {
                if parsed {
                    self.parser.reset();
                    self.read = Read::Head { parsed: false };
                }
                self.read_head(input)
            }
            Read::Body => match body_step(&mut self.decoder, input) {
                Ok((consumed, Event::End)) => {
                    self.end_response();
                    Ok((consumed, Event::End))
                }
                Ok((consumed, Event::NeedMore)) if self.input_ended => {
                    // The close ends a body that runs to it (RFC 9112 §6.3 item 8), and
                    // nothing else.
                    match self.decoder.finish() {
                        Ok(()) => {
                            self.keep_alive = false;
                            self.end_response();
                            Ok((consumed, Event::End))
                        }
                        Err(_) => self.fail(ConnError::IncompleteMessage),
                    }
                }
                Ok(found) => Ok(found),
                Err(error) => self.fail(error.into()),
            },
        }
    }

    fn read_head(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        let Some(&sent) = self.waiting.first() else {
            if !input.is_empty() {
                return self.fail(ConnError::UnexpectedResponse);
            }
            if self.input_ended {
                self.read = Read::Closed;
                return Ok((0, Event::Closed));
            }
            return Ok((0, Event::NeedMore));
        };
        let response = match self.parser.parse(input) {
            Ok(Progress::Complete(response)) => response,
            Ok(Progress::Partial) if self.input_ended => {
                return self.fail(ConnError::IncompleteMessage)
            }
            Ok(Progress::Partial) => return Ok((0, Event::NeedMore)),
            Err(error) => return self.fail(error.into()),
        };
        let framing = match response.framing(sent.method(), sent.upgrade) {
            Ok(framing) => framing,
            Err(error) => return self.fail(error.into()),
        };
        let head_len = response.head_len();
        let interim = response.is_interim();
        let (code, persistent) = (response.status(), response.keep_alive(sent.method()));
        self.read = Read::Head { parsed: true };
        if interim {
            self.interim += 1;
            if self.interim > self.interim_limit {
                return self.fail(ConnError::TooManyInterim);
            }
            // RFC 9110 §10.1.1: 100 Continue answers the oldest request, whose body is the one
            // held only when no other request waits.
            if code == 100 && self.waiting.len() == 1 {
                self.held = false;
            }
            return Ok((head_len, Event::Interim));
        }
        self.keep_alive &= persistent;
        if self.held && self.waiting.len() == 1 {
            // RFC 9110 §10.1.1: a final answer before 100: the body is not sent, and the
            // server cannot tell whether it will come, so the connection ends here.
            self.held = false;
            self.sending = Outgoing::Idle;
            self.keep_alive = false;
        }
        self.read = match framing {
            Framing::Tunnel => Read::Tunnel,
            _ => {
                self.decoder = BodyDecoder::new(framing, *self.parser.config());
                Read::Body
            }
        };
        Ok((head_len, Event::Head))
    }

    /// The final response ended: the oldest request is answered.
    fn end_response(&mut self) {
        if !self.waiting.is_empty() {
            self.waiting.remove(0);
        }
        // The request this answered still sends its body: the server may not read it.
        if self.waiting.is_empty() && self.sending != Outgoing::Idle {
            self.keep_alive = false;
        }
        self.interim = 0;
        let over = self.last_sent && self.waiting.is_empty();
        self.read = if self.keep_alive && !over {
            Read::Head { parsed: true }
        } else {
            Read::Closed
        };
    }

    fn fail(&mut self, error: ConnError) -> Result<(usize, Event), ConnError> {
        self.read = Read::Failed(error);
        self.keep_alive = false;
        Err(error)
    }
}

/// A request being written: see [`ClientConn::request`].
#[derive(Debug)]
pub struct Requesting<'c, 'o, const N: usize> {
    conn: &'c mut ClientConn<N>,
    head: RequestHead<'o>,
    sent: Sent,
    expect_continue: bool,
    said_close: bool,
}

impl<'c, 'o, const N: usize> Requesting<'c, 'o, N> {
    /// Writes the field line `name: value`, checked by the writer's rules. `Expect:
    /// 100-continue` holds the body until the server asks for it; `Connection: close` makes
    /// this the last request; an Upgrade field offers a protocol switch.
    pub fn field(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Requesting<'c, 'o, N>, ConnError> {
        let (name, value) = (name.as_ref(), value.as_ref());
        self.head.field(name, value)?;
        if name.eq_ignore_ascii_case(b"expect") {
            self.expect_continue |= list_contains_token(value, "100-continue");
        } else if name.eq_ignore_ascii_case(b"connection") {
            self.said_close |= list_contains_token(value, "close");
        } else if name.eq_ignore_ascii_case(b"upgrade") {
            self.sent.upgrade = true;
        }
        Ok(self)
    }

    /// Writes each of `fields` as [`field`](Requesting::field) does, in order: a list relayed
    /// from another head, for one.
    pub fn fields<F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        fields: impl IntoIterator<Item = (F, V)>,
    ) -> Result<&mut Requesting<'c, 'o, N>, ConnError> {
        for (name, value) in fields {
            self.field(name, value)?;
        }
        Ok(self)
    }

    /// Ends the head with the framing field for `body`; returns the head's length. Then
    /// [`ClientConn::send_data`] and [`ClientConn::finish`], except for [`Body::None`].
    pub fn finish(self, body: Body) -> Result<usize, ConnError> {
        self.finish_then(body, None)
    }

    /// The whole request at once: the head with `Content-Length` and `data` after it. With
    /// `Expect: 100-continue` use `finish` and send the body when it may go.
    pub fn finish_with(self, data: &[u8]) -> Result<usize, ConnError> {
        if self.expect_continue && !data.is_empty() {
            return Err(ConnError::AwaitingContinue);
        }
        self.finish_then(Body::Length(data.len() as u64), Some(data))
    }

    fn finish_then(self, body: Body, data: Option<&[u8]>) -> Result<usize, ConnError> {
        let written = match data {
            Some(data) => self.head.finish_with(data)?,
            None => self.head.finish(body)?,
        };
        let conn = self.conn;
        let sending = match body {
            _ if data.is_some() => Outgoing::Idle,
            Body::Length(length) => Outgoing::Length(length),
            Body::Chunked => Outgoing::Chunked,
            // The writer refuses every other body in a request.
            _ => Outgoing::Idle,
        };
        // The waiting list has room: `request` checked it.
        let _ = conn.waiting.try_push(self.sent);
        conn.held =
            self.expect_continue && !matches!(sending, Outgoing::Idle | Outgoing::Length(0));
        conn.sending = sending;
        conn.last_sent |= self.said_close;
        Ok(written)
    }
}
