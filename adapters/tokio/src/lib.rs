//! [`tokio_util::codec`] codecs for h1-parser's connection core ([`h1_parser::conn`]): put a
//! socket in a [`Framed`](tokio_util::codec::Framed) with [`ServerCodec`] or [`ClientCodec`]
//! and read events, send replies. Heads come out owned ([`RequestHead`], [`ResponseHead`]:
//! the head's bytes split off the read buffer and its offsets), body data as [`Bytes`] split
//! off the read buffer without a copy, and replies are written by the core's checked writer
//! straight into the write buffer.
//!
//! Nothing is decided here: framing, persistence, the order of pipelined answers, when
//! `100 Continue` goes out, what a HEAD or 304 answer carries, all come from the core. The
//! codec only moves bytes between `BytesMut` and the core, and hands back what the core said.
//!
//! # Features
//! None. Dependencies: `h1-parser` (feature `std`), `tokio-util` (feature `codec`), `bytes`;
//! h1-parser's own default build gains nothing.
//!
//! # Server
//! ```no_run
//! use futures_util::{SinkExt, StreamExt};
//! use h1_tokio::{Reply, ServerCodec, ServerEvent};
//! use tokio_util::codec::Framed;
//!
//! # async fn serve(socket: tokio::net::TcpStream) -> Result<(), h1_tokio::Error> {
//! let mut conn = Framed::new(socket, ServerCodec::new());
//! while let Some(event) = conn.next().await {
//!     let reply = match event? {
//!         ServerEvent::End => Reply::full(200, &[("Content-Type", "text/plain")], b"hi"),
//!         ServerEvent::Continue => Reply::Continue, // the core says when
//!         ServerEvent::Failed(_) => Reply::Error,   // its status, Connection: close
//!         ServerEvent::Closed | ServerEvent::Upgrade => break,
//!         _ => continue, // Head, Data, Trailer: keep what you need
//!     };
//!     conn.send(reply).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # Client
//! ```no_run
//! use futures_util::{SinkExt, StreamExt};
//! use h1_parser::Method;
//! use h1_tokio::{Ask, ClientCodec, ClientEvent};
//! use tokio_util::codec::Framed;
//!
//! # async fn get(socket: tokio::net::TcpStream) -> Result<(), h1_tokio::Error> {
//! let mut conn = Framed::new(socket, ClientCodec::new());
//! let fields = [("Host", "example.com")];
//! conn.send(Ask::full(Method::Get, "/", &fields, b"")).await?;
//! while let Some(event) = conn.next().await {
//!     match event? {
//!         ClientEvent::Head(head) => println!("{}", head.response().status()),
//!         ClientEvent::Data(data) => println!("{} bytes", data.len()),
//!         ClientEvent::End => break,
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use bytes::{Buf, Bytes, BytesMut};
use h1_parser::conn::{ClientConn, ConnError, Event, ServerConn};
use h1_parser::write::{Body, WriteError};
use h1_parser::{Config, Method, OwnedRequest, OwnedResponse};

/// The most a single reply or request head may take in the write buffer before it is refused
/// ([`WriteError::BufferTooSmall`]): a bound on what one `send` can allocate.
const MAX_WRITE: usize = 64 * 1024 * 1024;

/// Why a codec call failed: the socket, or the connection core.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing the socket.
    Io(std::io::Error),
    /// The core refused what was received (client role) or what was sent.
    Conn(ConnError),
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error::Io(error)
    }
}

impl From<ConnError> for Error {
    fn from(error: ConnError) -> Error {
        Error::Conn(error)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(error) => error.fmt(f),
            Error::Conn(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(error) => Some(error),
            Error::Conn(error) => Some(error),
        }
    }
}

/// A request head, owned: its bytes (split off the read buffer) and its parsed offsets.
#[derive(Clone, Debug)]
pub struct RequestHead<const N: usize = 100> {
    head: OwnedRequest<N>,
    bytes: Bytes,
}

impl<const N: usize> RequestHead<N> {
    /// The request, borrowed from the head's bytes.
    pub fn request(&self) -> h1_parser::Request<'_> {
        self.head.request(&self.bytes)
    }

    /// The head's bytes as received.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

/// A response head, owned: its bytes and its parsed offsets.
#[derive(Clone, Debug)]
pub struct ResponseHead<const N: usize = 100> {
    head: OwnedResponse<N>,
    bytes: Bytes,
}

impl<const N: usize> ResponseHead<N> {
    /// The response, borrowed from the head's bytes.
    pub fn response(&self) -> h1_parser::Response<'_> {
        self.head.response(&self.bytes)
    }

    /// The head's bytes as received.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

/// What the server codec read: the core's [`Event`]s, with the bytes they name.
#[derive(Debug)]
pub enum ServerEvent<const N: usize = 100> {
    /// A request head. Boxed: the field table is large and events move through the stream.
    Head(Box<RequestHead<N>>),
    /// Body data, decoded, split off the read buffer.
    Data(Bytes),
    /// A trailer field after a chunked body: passed on, never acted on.
    Trailer {
        /// The field name.
        name: Bytes,
        /// The field value.
        value: Bytes,
    },
    /// The request is read: answer it (answers go out in request order; the next request is
    /// read once the answer is finished).
    End,
    /// The client waits for `100 Continue` and the application asked for the body (by reading
    /// on): send [`Reply::Continue`], then read on.
    Continue,
    /// The request broke a rule (or was cut short): send [`Reply::Error`], which answers
    /// with the status the error names and closes; the next read says [`ServerEvent::Closed`].
    Failed(ConnError),
    /// The connection became a tunnel (101, or a 2xx to CONNECT): take it back with
    /// `Framed::into_parts`; the read buffer holds the tunnel's first bytes.
    Upgrade,
    /// The connection is finished: stop reading and drop it (what was sent is flushed).
    Closed,
}

/// What the server codec writes: answers to the requests read, in request order.
#[derive(Debug)]
pub enum Reply<'a> {
    /// `100 Continue`, after [`ServerEvent::Continue`].
    Continue,
    /// A whole answer: the status-line, `fields`, the connection's fields, `Content-Length` and
    /// `body` (dropped where the answer may carry none, as after HEAD).
    Full {
        /// The status code; its reason phrase is RFC 9110's.
        status: u16,
        /// Field lines, in order.
        fields: &'a [(&'a str, &'a str)],
        /// The body.
        body: &'a [u8],
    },
    /// An interim answer (1xx but 101, such as `103 Early Hints`) before the final one.
    Interim {
        /// The status code.
        status: u16,
        /// Field lines, in order.
        fields: &'a [(&'a str, &'a str)],
    },
    /// An answer's head with the framing for `body`; then [`Reply::Data`] and
    /// [`Reply::Finish`] (except for [`Body::None`]).
    Head {
        /// The status code.
        status: u16,
        /// Field lines, in order.
        fields: &'a [(&'a str, &'a str)],
        /// The framing: `Length`, `Chunked` (to HTTP/1.0 the core sends it until the close).
        body: Body,
    },
    /// The next piece of the body, framed as announced.
    Data(&'a [u8]),
    /// The end of the body.
    Finish,
    /// The answer to [`ServerEvent::Failed`].
    Error,
}

impl<'a> Reply<'a> {
    /// [`Reply::Full`], in one line.
    pub fn full(status: u16, fields: &'a [(&'a str, &'a str)], body: &'a [u8]) -> Reply<'a> {
        Reply::Full {
            status,
            fields,
            body,
        }
    }
}

/// A [`Decoder`](tokio_util::codec::Decoder) of requests and [`Encoder`](tokio_util::codec::Encoder)
/// of answers over a [`ServerConn`], with room for `N` fields per head.
#[derive(Debug)]
pub struct ServerCodec<const N: usize = 100> {
    conn: ServerConn<N>,
    failed: bool,
    closed: bool,
}

impl ServerCodec {
    /// A codec with the core's strict defaults ([`Config::new`]).
    pub fn new() -> ServerCodec {
        ServerCodec::with_config(Config::new())
    }
}

impl Default for ServerCodec {
    fn default() -> ServerCodec {
        ServerCodec::new()
    }
}

impl<const N: usize> ServerCodec<N> {
    /// A codec with `config`'s limits and leniencies.
    pub fn with_config(config: Config) -> ServerCodec<N> {
        ServerCodec {
            conn: ServerConn::from_config(config),
            failed: false,
            closed: false,
        }
    }

    /// The connection core, for what the codec does not forward (`keep_alive`, `shut_down`,
    /// `set_drain_limit`).
    pub fn conn(&mut self) -> &mut ServerConn<N> {
        &mut self.conn
    }
}

impl<const N: usize> tokio_util::codec::Decoder for ServerCodec<N> {
    type Item = ServerEvent<N>;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ServerEvent<N>>, Error> {
        if self.closed {
            return Ok(None);
        }
        let (consumed, event) = match self.conn.receive(src) {
            Ok(step) => step,
            // Reported once: the answer to it closes the connection.
            Err(_) if self.failed => (0, Event::Closed),
            Err(error) => {
                self.failed = true;
                return Ok(Some(ServerEvent::Failed(error)));
            }
        };
        let found = match event {
            Event::Head => {
                let bytes = src.split_to(consumed).freeze();
                let head = self.conn.owned_request().ok_or(ConnError::OutOfOrder)?;
                ServerEvent::Head(Box::new(RequestHead { head, bytes }))
            }
            Event::Data(range) => {
                src.advance(range.start);
                ServerEvent::Data(src.split_to(range.len()).freeze())
            }
            Event::Trailer { name, value } => {
                let bytes = src.split_to(consumed).freeze();
                ServerEvent::Trailer {
                    name: bytes.slice(name),
                    value: bytes.slice(value),
                }
            }
            Event::End => {
                src.advance(consumed);
                ServerEvent::End
            }
            Event::WriteContinue => ServerEvent::Continue,
            // Said once: from here on the bytes are the new protocol's, not events.
            Event::Upgrade => {
                self.closed = true;
                ServerEvent::Upgrade
            }
            Event::Closed => {
                src.advance(consumed);
                self.closed = true;
                ServerEvent::Closed
            }
            // Waiting for bytes, or for the answer the application owes.
            Event::NeedMore | Event::AnswerOwed | Event::Interim => {
                src.advance(consumed);
                return Ok(None);
            }
        };
        Ok(Some(found))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<ServerEvent<N>>, Error> {
        self.conn.end_of_input();
        tokio_util::codec::Decoder::decode(self, src)
    }
}

impl<'a, const N: usize> tokio_util::codec::Encoder<Reply<'a>> for ServerCodec<N> {
    type Error = Error;

    fn encode(&mut self, reply: Reply<'a>, dst: &mut BytesMut) -> Result<(), Error> {
        let conn = &mut self.conn;
        match reply {
            Reply::Continue => dst.extend_from_slice(h1_parser::conn::CONTINUE),
            Reply::Full {
                status,
                fields,
                body,
            } => write_into(dst, head_room(fields) + body.len(), |out| {
                let mut answer = conn.respond(out, status)?;
                for (name, value) in fields {
                    answer.field(name, value)?;
                }
                answer.finish_with(body)
            })?,
            Reply::Interim { status, fields } => write_into(dst, head_room(fields), |out| {
                conn.interim(out, status, fields.iter().copied())
            })?,
            Reply::Head {
                status,
                fields,
                body,
            } => write_into(dst, head_room(fields), |out| {
                let mut answer = conn.respond(out, status)?;
                for (name, value) in fields {
                    answer.field(name, value)?;
                }
                answer.finish(body)
            })?,
            Reply::Data(data) => {
                write_into(dst, data.len() + 32, |out| conn.send_data(out, data))?;
            }
            Reply::Finish => write_into(dst, 32, |out| conn.finish(out))?,
            Reply::Error => write_into(dst, 256, |out| conn.answer_error(out))?,
        }
        Ok(())
    }
}

/// What the client codec read: the core's [`Event`]s, with the bytes they name.
#[derive(Debug)]
pub enum ClientEvent<const N: usize = 100> {
    /// An interim (1xx but 101) response; the final one follows. After `100 Continue` a
    /// request body held by `Expect: 100-continue` may be sent.
    Interim(Box<ResponseHead<N>>),
    /// The final response's head.
    Head(Box<ResponseHead<N>>),
    /// Body data, decoded, split off the read buffer.
    Data(Bytes),
    /// A trailer field after a chunked body.
    Trailer {
        /// The field name.
        name: Bytes,
        /// The field value.
        value: Bytes,
    },
    /// The response is complete.
    End,
    /// The connection became a tunnel (101, or a 2xx to CONNECT): take it back with
    /// `Framed::into_parts`.
    Upgrade,
    /// The connection is finished for HTTP/1.1.
    Closed,
}

/// What the client codec writes: requests, pipelined as the core allows.
#[derive(Debug)]
pub enum Ask<'a> {
    /// A whole request: request-line, `fields` (Host among them), `Content-Length` and `body`.
    Full {
        /// The method.
        method: Method<'a>,
        /// The request-target.
        target: &'a str,
        /// Field lines, in order.
        fields: &'a [(&'a str, &'a str)],
        /// The body.
        body: &'a [u8],
    },
    /// A request head with the framing for `body`; then [`Ask::Data`] and [`Ask::Finish`]
    /// (held, with `Expect: 100-continue`, until [`ClientEvent::Interim`] or the final head).
    Head {
        /// The method.
        method: Method<'a>,
        /// The request-target.
        target: &'a str,
        /// Field lines, in order.
        fields: &'a [(&'a str, &'a str)],
        /// The framing: `Length` or `Chunked`.
        body: Body,
    },
    /// The next piece of the body.
    Data(&'a [u8]),
    /// The end of the body.
    Finish,
}

impl<'a> Ask<'a> {
    /// [`Ask::Full`], in one line.
    pub fn full(
        method: Method<'a>,
        target: &'a str,
        fields: &'a [(&'a str, &'a str)],
        body: &'a [u8],
    ) -> Ask<'a> {
        Ask::Full {
            method,
            target,
            fields,
            body,
        }
    }
}

/// A [`Decoder`](tokio_util::codec::Decoder) of responses and [`Encoder`](tokio_util::codec::Encoder)
/// of requests over a [`ClientConn`], with room for `N` fields per head.
#[derive(Debug)]
pub struct ClientCodec<const N: usize = 100> {
    conn: ClientConn<N>,
    closed: bool,
}

impl ClientCodec {
    /// A codec with the core's strict defaults ([`Config::new`]).
    pub fn new() -> ClientCodec {
        ClientCodec::with_config(Config::new())
    }
}

impl Default for ClientCodec {
    fn default() -> ClientCodec {
        ClientCodec::new()
    }
}

impl<const N: usize> ClientCodec<N> {
    /// A codec with `config`'s limits and leniencies.
    pub fn with_config(config: Config) -> ClientCodec<N> {
        ClientCodec {
            conn: ClientConn::from_config(config),
            closed: false,
        }
    }

    /// The connection core, for what the codec does not forward (`keep_alive`, `in_flight`,
    /// `may_send_body`, `stop_waiting`).
    pub fn conn(&mut self) -> &mut ClientConn<N> {
        &mut self.conn
    }
}

impl<const N: usize> tokio_util::codec::Decoder for ClientCodec<N> {
    type Item = ClientEvent<N>;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ClientEvent<N>>, Error> {
        if self.closed {
            return Ok(None);
        }
        let (consumed, event) = self.conn.receive(src)?;
        let owned = |conn: &ClientConn<N>, src: &mut BytesMut| -> Result<_, Error> {
            let bytes = src.split_to(consumed).freeze();
            let head = conn.owned_response().ok_or(ConnError::OutOfOrder)?;
            Ok(Box::new(ResponseHead { head, bytes }))
        };
        let found = match event {
            Event::Interim => ClientEvent::Interim(owned(&self.conn, src)?),
            Event::Head => ClientEvent::Head(owned(&self.conn, src)?),
            Event::Data(range) => {
                src.advance(range.start);
                ClientEvent::Data(src.split_to(range.len()).freeze())
            }
            Event::Trailer { name, value } => {
                let bytes = src.split_to(consumed).freeze();
                ClientEvent::Trailer {
                    name: bytes.slice(name),
                    value: bytes.slice(value),
                }
            }
            Event::End => {
                src.advance(consumed);
                ClientEvent::End
            }
            Event::Upgrade => {
                self.closed = true;
                ClientEvent::Upgrade
            }
            Event::Closed => {
                self.closed = true;
                ClientEvent::Closed
            }
            Event::NeedMore | Event::AnswerOwed | Event::WriteContinue => {
                src.advance(consumed);
                return Ok(None);
            }
        };
        Ok(Some(found))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<ClientEvent<N>>, Error> {
        self.conn.end_of_input();
        tokio_util::codec::Decoder::decode(self, src)
    }
}

impl<'a, const N: usize> tokio_util::codec::Encoder<Ask<'a>> for ClientCodec<N> {
    type Error = Error;

    fn encode(&mut self, ask: Ask<'a>, dst: &mut BytesMut) -> Result<(), Error> {
        let conn = &mut self.conn;
        match ask {
            Ask::Full {
                method,
                target,
                fields,
                body,
            } => write_into(dst, head_room(fields) + target.len() + body.len(), |out| {
                let mut request = conn.request(out, method, target)?;
                for (name, value) in fields {
                    request.field(name, value)?;
                }
                request.finish_with(body)
            }),
            Ask::Head {
                method,
                target,
                fields,
                body,
            } => write_into(dst, head_room(fields) + target.len(), |out| {
                let mut request = conn.request(out, method, target)?;
                for (name, value) in fields {
                    request.field(name, value)?;
                }
                request.finish(body)
            }),
            Ask::Data(data) => write_into(dst, data.len() + 32, |out| conn.send_data(out, data)),
            Ask::Finish => write_into(dst, 32, |out| conn.finish(out)),
        }
    }
}

/// A first guess at the room a head with `fields` needs: the status- or request-line, the
/// connection's and the framing's fields.
fn head_room(fields: &[(&str, &str)]) -> usize {
    let lines: usize = fields.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    128 + lines
}

/// Runs `write` over room at the end of `dst` (`room` bytes, doubled while the writer finds it
/// too small) and keeps what it wrote. The core's sending calls change nothing when they fail,
/// so a retry with more room is the same call again.
fn write_into(
    dst: &mut BytesMut,
    room: usize,
    mut write: impl FnMut(&mut [u8]) -> Result<usize, ConnError>,
) -> Result<(), Error> {
    let start = dst.len();
    let mut room = room.max(64);
    loop {
        dst.resize(start + room, 0);
        match write(&mut dst[start..]) {
            Ok(written) => {
                dst.truncate(start + written);
                return Ok(());
            }
            Err(ConnError::Write(WriteError::BufferTooSmall)) if room < MAX_WRITE => {
                room = room.saturating_mul(2).min(MAX_WRITE);
            }
            Err(error) => {
                dst.truncate(start);
                return Err(error.into());
            }
        }
    }
}
