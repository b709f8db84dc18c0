//! Serve HTTP/1.1 over [`embedded-io-async`](embedded_io_async) or the blocking
//! [`embedded-io`](embedded_io) with h1-parser's connection core ([`h1_parser::conn`]):
//! `#![no_std]`, no allocation, no `unsafe`: a connection's RAM is its [`Session`] and the two
//! buffers the caller gives it. A request's head and body are kept in the read buffer, an
//! answer is written into the write buffer by the core's checked writer, then sent.
//!
//! ```no_run
//! # async fn run<S: embedded_io_async::Read + embedded_io_async::Write>(mut socket: S) -> Result<(), S::Error> {
//! let (mut input, mut output) = ([0u8; 2048], [0u8; 2048]);
//! let mut session = h1_embedded::Session::<16>::new(&mut input, &mut output);
//! h1_embedded::serve(&mut socket, &mut session, |request, body, response| {
//!     match (request.path(), body) {
//!         ("/", _) => response.send(200, &[("Content-Type", "text/plain")], b"Hello, world!"),
//!         (_, body) => response.send(404, &[], body),
//!     }
//! })
//! .await
//! # }
//! ```
//! [`blocking::serve`] is the same over `embedded_io::{Read, Write}`.
//!
//! Nothing is decided here: framing, persistence, pipelining order, `100 Continue`, what a
//! HEAD or 304 answer carries and every error's status come from the core. The adapter only
//! places bytes: a request whose head or body does not fit the read buffer is refused (the
//! core's head limit is the buffer, so that is its 431; a body gets 413 and a close), and an
//! answer longer than the write buffer goes out in pieces through [`Handler::more`]. Tunnels
//! (101, CONNECT) end the session, as does an answer the handler leaves unfinished.
//!
//! RAM: with 1,536-byte buffers and 16 fields a head, the whole connection is 3,800 bytes on
//! `thumbv7em-none-eabihf` (the `serve` future 728, the buffers 3,072).
//!
//! # Features
//! None. Dependencies: `h1-parser` without default features, `embedded-io`,
//! `embedded-io-async`.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use h1_parser::conn::{ConnError, Event, ServerConn, CONTINUE};
use h1_parser::write::Body;
use h1_parser::{Config, Request};

/// What the caller does next for a [`Session`].
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Read from the socket into [`Session::read_buf`], then [`Session::received`] (0 for the
    /// end of the input).
    Read,
    /// Write all of [`Session::pending`] to the socket and flush, then [`Session::sent`].
    Write,
    /// The connection is finished: close it.
    Done,
}

/// Where a request being read is in the read buffer.
#[derive(Clone, Copy, Debug)]
struct Message {
    head: usize,
    body_start: usize,
    body_end: usize,
}

/// One connection's state and its two buffers: the whole RAM of a connection besides the
/// socket and the handler. `N` is the room for fields per head.
#[derive(Debug)]
pub struct Session<'b, const N: usize = 16> {
    conn: ServerConn<N>,
    input: &'b mut [u8],
    output: &'b mut [u8],
    /// The bytes received and not consumed: `input[at..end]`.
    at: usize,
    end: usize,
    /// The answer bytes written and not sent: `output[..out]`.
    out: usize,
    message: Option<Message>,
    done: bool,
}

impl<'b, const N: usize> Session<'b, N> {
    /// A session with the core's strict defaults, reading requests into `input` and writing
    /// answers into `output`.
    pub fn new(input: &'b mut [u8], output: &'b mut [u8]) -> Session<'b, N> {
        Session::with_config(Config::new(), input, output)
    }

    /// A session with `config`'s limits and leniencies; its head limit is at most what
    /// `input` holds.
    pub fn with_config(
        config: Config,
        input: &'b mut [u8],
        output: &'b mut [u8],
    ) -> Session<'b, N> {
        // A head the buffer cannot hold is the core's HeadTooLarge (431), not a stall.
        let limit = config.max_head_size.min(input.len().saturating_sub(1));
        Session {
            conn: ServerConn::from_config(config.max_head_size(limit)),
            input,
            output,
            at: 0,
            end: 0,
            out: 0,
            message: None,
            done: false,
        }
    }

    /// Where the next read goes.
    pub fn read_buf(&mut self) -> &mut [u8] {
        self.input.get_mut(self.end..).unwrap_or_default()
    }

    /// `n` bytes were read into [`Session::read_buf`]; 0: the peer closed its side.
    pub fn received(&mut self, n: usize) {
        if n == 0 {
            self.conn.end_of_input();
        }
        self.end = (self.end + n).min(self.input.len());
    }

    /// The answer bytes to send.
    pub fn pending(&self) -> &[u8] {
        self.output.get(..self.out).unwrap_or_default()
    }

    /// [`Session::pending`] was sent.
    pub fn sent(&mut self) {
        self.out = 0;
    }

    /// The connection core, for what the session does not forward (`shut_down`,
    /// `keep_alive`, `set_drain_limit`).
    pub fn conn(&mut self) -> &mut ServerConn<N> {
        &mut self.conn
    }

    /// Runs the connection until the socket is needed, answering each complete request with
    /// `handler`. `handler` gets the request, its whole body, and the [`Response`] to write.
    pub fn step<H>(&mut self, handler: &mut H) -> Step
    where
        H: Handler<N>,
    {
        loop {
            if self.out > 0 {
                return Step::Write;
            }
            if self.done {
                return Step::Done;
            }
            let input = self.input.get(self.at..self.end).unwrap_or_default();
            let (consumed, event) = match self.conn.receive(input) {
                Ok(step) => step,
                Err(_) => {
                    // The status the core names, with Connection: close; then the end.
                    let written = self.conn.answer_error(&mut self.output[..]);
                    self.out = written.unwrap_or(0);
                    self.done = true;
                    continue;
                }
            };
            match event {
                Event::Head => {
                    let body = self.at + consumed;
                    self.message = Some(Message {
                        head: self.at,
                        body_start: body,
                        body_end: body,
                    });
                }
                Event::Data(range) => {
                    if let Some(message) = &mut self.message {
                        let len = range.len();
                        let from = self.at + range.start;
                        self.input.copy_within(from..from + len, message.body_end);
                        message.body_end += len;
                    }
                }
                Event::Trailer { .. } => {}
                Event::WriteContinue => {
                    let room = self.output.get_mut(..CONTINUE.len());
                    match room {
                        Some(room) => {
                            room.copy_from_slice(CONTINUE);
                            self.out = CONTINUE.len();
                        }
                        None => self.done = true,
                    }
                }
                Event::End => {
                    self.at += consumed;
                    self.answer(handler);
                    continue;
                }
                Event::NeedMore => {
                    self.at += consumed;
                    if !self.make_room() {
                        self.refuse();
                        continue;
                    }
                    return Step::Read;
                }
                // What was written went out and the answer is not finished: the rest of it.
                Event::AnswerOwed if !self.done => {
                    self.more(handler);
                    continue;
                }
                // A tunnel is not served here.
                Event::AnswerOwed | Event::Upgrade | Event::Closed | Event::Interim => {
                    self.done = true;
                    continue;
                }
            }
            self.at += consumed;
        }
    }

    /// Calls `handler` for the request just read, and makes sure an answer was started.
    fn answer<H>(&mut self, handler: &mut H)
    where
        H: Handler<N>,
    {
        let (Some(message), Some(owned)) = (self.message.take(), self.conn.owned_request()) else {
            self.done = true;
            return;
        };
        let head = self.input.get(message.head..).unwrap_or_default();
        let body = self
            .input
            .get(message.body_start..message.body_end)
            .unwrap_or_default();
        let mut response = Response {
            conn: &mut self.conn,
            output: &mut self.output[..],
            len: 0,
            started: false,
            moved: false,
        };
        let result = handler.handle(&owned.request(head), body, &mut response);
        let (len, started) = (response.len, response.started);
        self.out = len;
        if result.is_err() && !started {
            // Nothing of an answer went out: a 500, and the connection closes.
            self.out = 0;
            let mut response = Response {
                conn: &mut self.conn,
                output: &mut self.output[..],
                len: 0,
                started: false,
                moved: false,
            };
            let fields = [("Connection", "close")];
            if response.send(500, &fields, b"").is_err() {
                self.done = true;
            }
            self.out = response.len;
        }
    }

    /// Asks `handler` for more of an unfinished answer, in the emptied write buffer; an
    /// answer that does not move on ends the connection.
    fn more<H: Handler<N>>(&mut self, handler: &mut H) {
        let mut response = Response {
            conn: &mut self.conn,
            output: &mut self.output[..],
            len: 0,
            started: true,
            moved: false,
        };
        let result = handler.more(&mut response);
        self.out = response.len;
        if result.is_err() || !response.moved {
            self.done = true;
        }
    }

    /// Moves the bytes not consumed down, behind the message being read (its head and body
    /// stay where they are) or to the start; false when the buffer is full.
    fn make_room(&mut self) -> bool {
        let keep = self.message.map_or(0, |message| message.body_end);
        if self.at > keep {
            self.input.copy_within(self.at..self.end, keep);
            self.end -= self.at - keep;
            self.at = keep;
        }
        self.end < self.input.len()
    }

    /// The read buffer is full inside a message: 413 for a body, and the connection closes.
    /// (A head never fills it: the core's head limit is below its size.)
    fn refuse(&mut self) {
        self.done = true;
        if self.message.is_none() {
            return;
        }
        let mut response = Response {
            conn: &mut self.conn,
            output: &mut self.output[..],
            len: 0,
            started: false,
            moved: false,
        };
        let _ = response.send(413, &[("Connection", "close")], b"");
        self.out = response.len;
    }
}

/// What answers requests: any `FnMut(&Request, &[u8], &mut Response) -> Result<(), ConnError>`
/// for answers that fit the write buffer, or a type of one's own whose
/// [`more`](Handler::more) writes the rest of a longer one.
pub trait Handler<const N: usize> {
    /// Answers `request`, whose whole body is `body`, into `response`. An answer left
    /// unfinished (a body longer than the write buffer holds) goes on in `more`.
    fn handle(
        &mut self,
        request: &Request<'_>,
        body: &[u8],
        response: &mut Response<'_, N>,
    ) -> Result<(), ConnError>;

    /// The answer `handle` started is not finished and what it wrote was sent: write more of
    /// its body ([`Response::data`], then [`Response::finish`]). By default nothing, which
    /// ends the connection.
    fn more(&mut self, response: &mut Response<'_, N>) -> Result<(), ConnError> {
        let _ = response;
        Ok(())
    }
}

impl<F, const N: usize> Handler<N> for F
where
    F: FnMut(&Request<'_>, &[u8], &mut Response<'_, N>) -> Result<(), ConnError>,
{
    fn handle(
        &mut self,
        request: &Request<'_>,
        body: &[u8],
        response: &mut Response<'_, N>,
    ) -> Result<(), ConnError> {
        self(request, body, response)
    }
}

/// An answer being written into the session's write buffer; every call goes through the
/// core, which checks it and frames it.
#[derive(Debug)]
pub struct Response<'a, const N: usize = 16> {
    conn: &'a mut ServerConn<N>,
    output: &'a mut [u8],
    len: usize,
    started: bool,
    /// A call went through the core: after HEAD it may write nothing and still move on.
    moved: bool,
}

impl<const N: usize> Response<'_, N> {
    /// The whole answer: status-line, `fields`, the connection's fields, `Content-Length` and
    /// `body`.
    pub fn send(
        &mut self,
        status: u16,
        fields: &[(&str, &str)],
        body: &[u8],
    ) -> Result<(), ConnError> {
        let out = self.output.get_mut(self.len..).unwrap_or_default();
        let mut answer = self.conn.respond(out, status)?;
        for (name, value) in fields {
            answer.field(name, value)?;
        }
        self.len += answer.finish_with(body)?;
        self.started = true;
        self.moved = true;
        Ok(())
    }

    /// The answer's head with the framing for `body`; then [`Response::data`] and
    /// [`Response::finish`] (but for [`Body::None`]).
    pub fn start(
        &mut self,
        status: u16,
        fields: &[(&str, &str)],
        body: Body,
    ) -> Result<(), ConnError> {
        let out = self.output.get_mut(self.len..).unwrap_or_default();
        let mut answer = self.conn.respond(out, status)?;
        for (name, value) in fields {
            answer.field(name, value)?;
        }
        self.len += answer.finish(body)?;
        self.started = true;
        self.moved = true;
        Ok(())
    }

    /// An interim answer (1xx but 101) before the final one.
    pub fn interim(&mut self, status: u16, fields: &[(&str, &str)]) -> Result<(), ConnError> {
        let out = self.output.get_mut(self.len..).unwrap_or_default();
        self.len += self.conn.interim(out, status, fields.iter().copied())?;
        Ok(())
    }

    /// The next piece of the body, framed as announced.
    pub fn data(&mut self, data: &[u8]) -> Result<(), ConnError> {
        let out = self.output.get_mut(self.len..).unwrap_or_default();
        self.len += self.conn.send_data(out, data)?;
        self.moved = true;
        Ok(())
    }

    /// The end of the body.
    pub fn finish(&mut self) -> Result<(), ConnError> {
        let out = self.output.get_mut(self.len..).unwrap_or_default();
        self.len += self.conn.finish(out)?;
        self.moved = true;
        Ok(())
    }
}

/// Serves one connection over an `embedded-io-async` socket until it is finished (the
/// socket is then flushed; close it), answering each request with `handler`. Errors are the
/// socket's.
pub async fn serve<S, H, const N: usize>(
    socket: &mut S,
    session: &mut Session<'_, N>,
    handler: H,
) -> Result<(), S::Error>
where
    S: embedded_io_async::Read + embedded_io_async::Write,
    H: FnMut(&Request<'_>, &[u8], &mut Response<'_, N>) -> Result<(), ConnError>,
{
    serve_handler(socket, session, handler).await
}

/// [`serve`] with a [`Handler`] of one's own, for answers longer than the write buffer.
pub async fn serve_handler<S, H, const N: usize>(
    socket: &mut S,
    session: &mut Session<'_, N>,
    mut handler: H,
) -> Result<(), S::Error>
where
    S: embedded_io_async::Read + embedded_io_async::Write,
    H: Handler<N>,
{
    loop {
        match session.step(&mut handler) {
            Step::Read => {
                let n = socket.read(session.read_buf()).await?;
                session.received(n);
            }
            Step::Write => {
                socket.write_all(session.pending()).await?;
                socket.flush().await?;
                session.sent();
            }
            Step::Done => return Ok(()),
        }
    }
}

/// The same over the blocking `embedded-io` traits.
pub mod blocking {
    use super::{Handler, Response, Session, Step};
    use h1_parser::conn::ConnError;
    use h1_parser::Request;

    /// Serves one connection over a blocking `embedded-io` socket until it is finished.
    pub fn serve<S, H, const N: usize>(
        socket: &mut S,
        session: &mut Session<'_, N>,
        handler: H,
    ) -> Result<(), S::Error>
    where
        S: embedded_io::Read + embedded_io::Write,
        H: FnMut(&Request<'_>, &[u8], &mut Response<'_, N>) -> Result<(), ConnError>,
    {
        serve_handler(socket, session, handler)
    }

    /// [`serve`] with a [`Handler`] of one's own, for answers longer than the write buffer.
    pub fn serve_handler<S, H, const N: usize>(
        socket: &mut S,
        session: &mut Session<'_, N>,
        mut handler: H,
    ) -> Result<(), S::Error>
    where
        S: embedded_io::Read + embedded_io::Write,
        H: Handler<N>,
    {
        loop {
            match session.step(&mut handler) {
                Step::Read => {
                    let n = socket.read(session.read_buf())?;
                    session.received(n);
                }
                Step::Write => {
                    socket.write_all(session.pending())?;
                    socket.flush()?;
                    session.sent();
                }
                Step::Done => return Ok(()),
            }
        }
    }
}
