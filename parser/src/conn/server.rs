//! `ServerConn`: the server's side of one connection — requests in, answers out.

use super::error::ConnError;
use super::event::Event;
use super::exchange::{has_body, Exchange, Settled};
use super::incoming::body_step;
use super::outgoing::{Outgoing, NO_TRAILERS};
use crate::body::BodyDecoder;
use crate::config::Config;
use crate::message::{Framing, Method, Version};
use crate::outcome::{Piece, Progress};

use crate::request::{OwnedRequest, Request, RequestParser};
use crate::syntax::list_contains_token;
use crate::write::{Body, Out, ResponseHead};

#[cfg(feature = "std")]
extern crate std;

/// What a server writes when a client waits for it before sending a body (RFC 9110 §15.2.1).
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The body bytes read and dropped after a complete answer before the connection is closed
/// instead (see [`ServerConn::set_drain_limit`]).
const DRAIN_LIMIT: u64 = 64 * 1024;

/// Where the reading side is; the body's decoder is beside it, so that moving between states
/// writes a few bytes.
#[derive(Clone, Copy, Debug)]
enum Read {
    /// Reading a request head.
    Head,
    /// Reading the body of the current request with `decoder`.
    Body,
    /// A request without a body: the next call says `End`.
    NoBody,
    /// The request is read; its answer may not be.
    Done,
    /// The answer is complete and the request body is not: it is read and dropped, up to a
    /// budget of bytes.
    Drain(u64),
    Tunnel,
    Closed,
    Failed(ConnError),
}

/// Where the answer to the current request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// No final head sent yet.
    Owed,
    /// The final head is sent, its body is not finished.
    Body,
    /// Finished.
    Done,
}

/// The server's side of one HTTP/1.1 connection, as a value: bytes in, events out; answers
/// out through the checked writer. No I/O, no allocation, no clock: the caller moves the
/// bytes and keeps the time.
///
/// - **In**: [`receive`](ServerConn::receive) takes the bytes received and not yet consumed,
///   and returns how many it consumed and what they held ([`Event`]). A head is consumed whole
///   once complete (until then, pass the same bytes again with more); body data comes out as
///   ranges of the input. When the peer closes its side, call
///   [`end_of_input`](ServerConn::end_of_input).
/// - **Out**: [`respond`](ServerConn::respond) writes the status-line and fields, and
///   [`Answering::finish`] the framing the connection chose; then
///   [`send_data`](ServerConn::send_data) and [`finish`](ServerConn::finish) the body.
///   [`interim`](ServerConn::interim) writes a 1xx before it.
/// - **Decided here** (RFC 9112 §9.3, §6.3, RFC 9110 §10.1.1, §15.2): persistence
///   ([`keep_alive`](ServerConn::keep_alive), and `Connection: close` or `keep-alive` written
///   for you); answers in request order (the next request is not read while an answer is
///   owed); a `Length` body is exactly its length; chunked framing is written for you; no body
///   after HEAD, in a 1xx, 204 or 304 (data given is dropped); no chunked body to HTTP/1.0
///   (it runs to the close instead) and no 1xx; `100 Continue` only when the application asks
///   for the body; a body left unread after the answer is drained within a bound, or the
///   connection closed; 101 and a 2xx to CONNECT hand over the bytes after the request.
///
/// See the [module documentation](super) for a whole exchange.
#[derive(Clone, Debug)]
pub struct ServerConn<const N: usize = 100> {
    parser: RequestParser<N>,
    read: Read,
    decoder: BodyDecoder,
    answer: Answer,
    exchange: Exchange,
    sending: Outgoing,
    keep_alive: bool,
    input_ended: bool,
    shutting_down: bool,
    drain_limit: u64,
}

impl ServerConn {
    /// A connection with `config`'s limits and leniencies and room for 100 fields per head.
    pub fn new(config: Config) -> ServerConn {
        ServerConn::from_config(config)
    }
}

impl<const N: usize> Default for ServerConn<N> {
    fn default() -> ServerConn<N> {
        ServerConn::from_config(Config::new())
    }
}

impl<const N: usize> ServerConn<N> {
    /// A connection with `config` and room for `N` fields per head.
    pub fn from_config(config: Config) -> ServerConn<N> {
        ServerConn {
            parser: RequestParser::from_config(config),
            read: Read::Head,
            decoder: BodyDecoder::new(Framing::NoBody, config),
            answer: Answer::Done,
            exchange: Exchange::NONE,
            sending: Outgoing::Idle,
            keep_alive: true,
            input_ended: false,
            shutting_down: false,
            drain_limit: DRAIN_LIMIT,
        }
    }

    /// The former name of [`ServerConn::from_config`], kept until 1.0: it takes a configuration;
    /// the capacity is `N`.
    #[deprecated(note = "renamed `from_config`: it takes a `Config`, the capacity is `N`")]
    pub fn with_capacity(config: Config) -> ServerConn<N> {
        ServerConn::from_config(config)
    }

    /// How many body bytes of a request answered before its body was read are read and dropped
    /// to keep the connection; past it, the connection closes. Default 64 KiB.
    pub fn set_drain_limit(&mut self, bytes: u64) {
        self.drain_limit = bytes;
    }

    /// Bounds the body of the request whose head was just read at `bytes` instead of the
    /// configuration's `max_body_size` (a route's own limit, chosen from the head): over it,
    /// the body is [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) (413), before any of
    /// its data for a `Content-Length`, at the chunk that crosses it for a chunked body.
    pub fn set_body_limit(&mut self, bytes: u64) {
        self.decoder.set_max_body_size(bytes);
    }

    /// After a complete answer, drops what is left of the request's body (up to the drain
    /// limit, see [`set_drain_limit`](ServerConn::set_drain_limit)) and stops where the next
    /// request starts: for a caller that keeps its own offsets per message, which
    /// [`receive`](ServerConn::receive) cannot give it (past a drain it reads on into the next
    /// head in the same call). Returns the bytes consumed and [`Event::End`] (the body is
    /// finished; the next request starts right after), [`Event::NeedMore`], [`Event::Closed`]
    /// (past the limit, or a broken body: close) or [`Event::Upgrade`].
    pub fn drop_body(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        if let (Read::Body, Answer::Done) = (self.read, self.answer) {
            self.read = self.after_answer();
        }
        match self.read {
            Read::Drain(_) => {
                let (drained, next) = self.drain(input)?;
                if next == Event::End {
                    self.read = Read::Done;
                }
                Ok((drained, next))
            }
            Read::NoBody => {
                self.read = Read::Done;
                Ok((0, Event::End))
            }
            Read::Done | Read::Head => Ok((0, Event::End)),
            Read::Tunnel => Ok((0, Event::Upgrade)),
            Read::Closed => Ok((0, Event::Closed)),
            Read::Failed(error) => Err(error),
            Read::Body => Err(ConnError::OutOfOrder),
        }
    }

    /// Whether the connection will carry another request after the current answer (RFC 9112
    /// §9.3): the request's version and `Connection` field, the answer's framing, a shutdown.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive && !self.shutting_down
    }

    /// No more requests: the answer in flight says `Connection: close` if its head is not
    /// written yet, and between requests the connection is [`Event::Closed`].
    pub fn shut_down(&mut self) {
        self.shutting_down = true;
    }

    /// The peer closed its sending side: no byte will follow what was passed to `receive`.
    /// Between requests the connection is then closed; inside one, it is
    /// [`ConnError::IncompleteMessage`].
    pub fn end_of_input(&mut self) {
        self.input_ended = true;
    }

    /// Whether the current request's body is still being read: after [`Event::Head`], false
    /// for a request without one, whose [`Event::End`] is the next call's, consuming nothing.
    ///
    /// ```
    /// use h1_parser::conn::{Event, ServerConn};
    /// use h1_parser::Config;
    ///
    /// let mut conn = ServerConn::new(Config::new());
    /// assert!(matches!(conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")?, (_, Event::Head)));
    /// assert!(!conn.body_pending());
    /// let mut conn = ServerConn::new(Config::new());
    /// let post = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi";
    /// assert!(matches!(conn.receive(post)?, (_, Event::Head)));
    /// assert!(conn.body_pending());
    /// # Ok::<(), h1_parser::conn::ConnError>(())
    /// ```
    #[inline]
    pub fn body_pending(&self) -> bool {
        matches!(self.read, Read::Body)
    }

    /// The current request's head over `head`, the bytes from its first byte (the input of
    /// the call that returned [`Event::Head`], wherever it is now): valid until the call after
    /// its answer is finished.
    pub fn request<'a>(&'a self, head: &'a [u8]) -> Option<Request<'a>> {
        match self.read {
            Read::Body | Read::NoBody | Read::Done | Read::Drain(_) => self.parser.request(head),
            _ => None,
        }
    }

    /// The current request's head as owned offsets (see [`OwnedRequest`]), to keep past
    /// the connection's next request: copies the header table once.
    pub fn owned_request(&self) -> Option<OwnedRequest<N>> {
        match self.read {
            Read::Body | Read::NoBody | Read::Done | Read::Drain(_) => self.parser.owned_request(),
            _ => None,
        }
    }

    /// Reads `input`, the bytes received after those consumed so far. Returns the number of
    /// bytes consumed and what they held; call in a loop until [`Event::NeedMore`],
    /// [`Event::AnswerOwed`] or [`Event::Closed`]. An error is final: answer it with
    /// [`answer_error`](ServerConn::answer_error), then close.
    #[inline]
    pub fn receive(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        // A bodiless request's end, its own call for every such request: answered without
        // entering the whole machine (pipelined GETs, bench/conn-instructions.sh).
        if let Read::NoBody = self.read {
            self.read = Read::Done;
            return Ok((0, Event::End));
        }
        self.step(input)
    }

    /// `receive` past its shortest case: first the next head after an answered request (a
    /// pipelined GET's), without the loop over every state (its set-up cost 60 instructions).
    #[inline(never)]
    fn step(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        match (self.read, self.answer) {
            (Read::Done, Answer::Done) => {
                self.next_request();
                if let Read::Head = self.read {
                    return self.read_head(input);
                }
            }
            (Read::Head, _) => return self.read_head(input),
            _ => {}
        }
        self.states(input)
    }

    /// `receive` through the states.
    #[inline(never)]
    fn states(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        loop {
            match self.read {
                Read::Failed(error) => return Err(error),
                Read::Closed => return Ok((0, Event::Closed)),
                Read::Tunnel => return Ok((0, Event::Upgrade)),
                Read::Head => return self.read_head(input),
                Read::Done if self.answer == Answer::Done => self.next_request(),
                Read::Done => return Ok((0, Event::AnswerOwed)),
                Read::Body if self.answer == Answer::Done => {
                    // The answer is complete: what is left of the body is dropped, or the
                    // connection closed.
                    self.read = self.after_answer();
                }
                Read::NoBody => {
                    self.read = Read::Done;
                    return Ok((0, Event::End));
                }
                Read::Body if self.exchange.continue_owed() && self.answer == Answer::Owed => {
                    // RFC 9110 §10.1.1: the application asks for the body, so the client is
                    // told to send it.
                    self.exchange.continue_sent();
                    return Ok((0, Event::WriteContinue));
                }
                Read::Body => {
                    let step = body_step(&mut self.decoder, input);
                    return match step {
                        Ok((consumed, Event::End)) => {
                            self.read = Read::Done;
                            Ok((consumed, Event::End))
                        }
                        Ok((_, Event::NeedMore)) if self.input_ended => {
                            self.fail(ConnError::IncompleteMessage)
                        }
                        Ok(found) => Ok(found),
                        Err(error) => self.fail(error.into()),
                    };
                }
                Read::Drain(_) => {
                    let (drained, next) = self.drain(input)?;
                    if next != Event::End {
                        return Ok((drained, next));
                    }
                    self.next_request();
                    let (consumed, found) =
                        self.receive(input.get(drained..).unwrap_or_default())?;
                    // After a drain only a head can follow, whose events carry no ranges.
                    return Ok((drained + consumed, found));
                }
            }
        }
    }

    /// Where reading goes once the answer is complete and the body is not: the rest dropped
    /// within the drain limit, or the connection closed — at once when the body's declared
    /// length already passes the limit.
    fn after_answer(&self) -> Read {
        let over = self
            .decoder
            .remaining_length()
            .is_some_and(|remaining| remaining > self.drain_limit);
        if self.decoder.is_done() {
            Read::Done
        } else if (self.keep_alive || self.exchange.is_tunnel_open()) && !over {
            Read::Drain(self.drain_limit)
        } else {
            Read::Closed
        }
    }

    /// Reads the next request head.
    #[inline(always)]
    fn read_head(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        if self.shutting_down || (input.is_empty() && self.input_ended) {
            self.read = Read::Closed;
            return Ok((0, Event::Closed));
        }
        let request = match self.parser.parse(input) {
            Ok(Progress::Complete(request)) => request,
            Ok(Progress::Partial) if self.input_ended => {
                return self.fail(ConnError::IncompleteMessage)
            }
            Ok(Progress::Partial) => return Ok((0, Event::NeedMore)),
            Err(error) => return self.fail(error.into()),
        };
        let framing = request.framing();
        self.exchange = Exchange::of(&request, framing);
        self.keep_alive = request.keep_alive();
        let head_len = request.head_len();
        self.read = if has_body(framing) {
            self.decoder = BodyDecoder::new(framing, *self.parser.config());
            Read::Body
        } else {
            Read::NoBody
        };
        self.answer = Answer::Owed;
        Ok((head_len, Event::Head))
    }

    /// Drops body bytes of an answered request; `End` once the body is complete.
    #[inline(never)]
    fn drain(&mut self, input: &[u8]) -> Result<(usize, Event), ConnError> {
        let Read::Drain(mut budget) = self.read else {
            return Ok((0, Event::NeedMore));
        };
        let mut at = 0;
        loop {
            let step = self.decoder.step(input.get(at..).unwrap_or_default());
            let (consumed, piece) = match step {
                Ok(step) => step,
                Err(_) => {
                    // A broken body after a complete answer: nothing to answer, just close.
                    self.read = Read::Closed;
                    return Ok((at, Event::Closed));
                }
            };
            at += consumed;
            match piece {
                Piece::Data(len) if len as u64 > budget => {
                    self.read = Read::Closed;
                    return Ok((at, Event::Closed));
                }
                Piece::Data(len) => {
                    budget -= len as u64;
                    self.read = Read::Drain(budget);
                }
                Piece::Trailer { .. } => {}
                Piece::Partial if self.input_ended => {
                    self.read = Read::Closed;
                    return Ok((at, Event::Closed));
                }
                Piece::Partial => return Ok((at, Event::NeedMore)),
                Piece::Done => return Ok((at, Event::End)),
            }
        }
    }

    /// The request and its answer are complete: what comes next on the connection.
    fn next_request(&mut self) {
        self.read = if self.exchange.is_tunnel_open() {
            Read::Tunnel
        } else if self.keep_alive() {
            self.parser.reset();
            Read::Head
        } else {
            Read::Closed
        };
    }

    #[cold]
    fn fail(&mut self, error: ConnError) -> Result<(usize, Event), ConnError> {
        self.read = Read::Failed(error);
        self.keep_alive = false;
        Err(error)
    }

    /// Whether a request is being answered: its head was received and its answer not finished.
    #[inline]
    fn answerable(&self) -> Result<(), ConnError> {
        match self.read {
            Read::Closed | Read::Tunnel => Err(ConnError::Closed),
            Read::Head | Read::Failed(_) => Err(ConnError::OutOfOrder),
            _ if self.answer != Answer::Owed => Err(ConnError::OutOfOrder),
            _ => Ok(()),
        }
    }

    /// Starts the final answer to the current request: the status-line for `code` (with its
    /// RFC 9110 §15 reason phrase) into `out`. Add fields with [`Answering::field`], then
    /// [`Answering::finish`] with the body's framing. 1xx answers go through
    /// [`interim`](ServerConn::interim); a 101 needs a request that offered an upgrade.
    #[inline]
    pub fn respond<'c, 'o>(
        &'c mut self,
        out: impl Into<Out<'o>>,
        code: u16,
    ) -> Result<Answering<'c, 'o, N>, ConnError> {
        self.final_answer(code)?;
        let head = self.status_line(out, code)?;
        Ok(Answering {
            conn: self,
            head,
            code,
            said_close: false,
            said_keep_alive: false,
        })
    }

    /// Whether a final answer with `code` may start now: a request is owed one, the code is
    /// not an interim one, and a 101 answers an offered upgrade.
    #[inline]
    fn final_answer(&self, code: u16) -> Result<(), ConnError> {
        self.answerable()?;
        if (100..200).contains(&code) && code != 101 {
            return Err(ConnError::OutOfOrder);
        }
        if code == 101 && !self.exchange.offered_upgrade() {
            return Err(ConnError::UpgradeNotRequested);
        }
        Ok(())
    }

    /// The whole final answer at once, appended to `out`: what [`respond`](ServerConn::respond)
    /// with `code`, [`Answering::checked_fields`] with `fields` and [`Answering::finish_with`]
    /// `data` write, the same bytes, each part copied once and no head value in between (a
    /// server's answer from memory). Returns the answer's length; on a refusal nothing is
    /// written.
    ///
    /// ```
    /// use h1_parser::conn::{Event, ServerConn};
    /// use h1_parser::write::CheckedFields;
    /// use h1_parser::Config;
    ///
    /// let mut conn = ServerConn::new(Config::new());
    /// assert!(matches!(conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")?, (_, Event::Head)));
    /// let mut fields = CheckedFields::new();
    /// fields.push("Content-Type", "text/plain")?;
    /// let mut out = Vec::new();
    /// conn.respond_with(&mut out, 200, &fields, b"hi")?;
    /// assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "std")]
    #[inline]
    pub fn respond_with(
        &mut self,
        out: &mut std::vec::Vec<u8>,
        code: u16,
        fields: &crate::write::CheckedFields,
        data: &[u8],
    ) -> Result<usize, ConnError> {
        self.final_answer(code)?;
        let length = Body::Length(data.len() as u64);
        let settled = self.exchange.settle(
            self.keep_alive(),
            code,
            fields.close,
            fields.keep_alive,
            length,
        );
        let head = crate::write::WholeHead {
            code,
            method: self.exchange.method(),
            fields,
            connection: settled.connection,
            body: settled.body,
        };
        let sent = match settled.sending {
            Outgoing::Length(_) => Some(data),
            _ => None,
        };
        match head.write(out, sent)? {
            Some(written) => {
                self.settled(&settled, true);
                Ok(written)
            }
            None => {
                // A code without a phrase of its own: through the general writer.
                let mut head = self.respond(out, code)?;
                head.checked_fields(fields)?;
                head.finish_with(data)
            }
        }
    }

    /// The answer's head went out as `settled`; `data`: with its body.
    #[inline]
    fn settled(&mut self, settled: &Settled, data: bool) {
        self.keep_alive = settled.keep_alive;
        self.exchange.answered(settled);
        let complete = data || settled.sending == Outgoing::Idle;
        self.sending = if complete {
            Outgoing::Idle
        } else {
            settled.sending
        };
        self.answer = if complete { Answer::Done } else { Answer::Body };
    }

    /// An answer's status-line: HTTP/1.1 (RFC 9110 §2.5: a server sends its own version),
    /// framed by the method it answers.
    #[inline(always)]
    fn status_line<'o>(
        &self,
        out: impl Into<Out<'o>>,
        code: u16,
    ) -> Result<ResponseHead<'o>, ConnError> {
        let method = self.exchange.method();
        Ok(ResponseHead::new(out, method, Version::Http11, code, None)?)
    }

    /// Writes an interim answer (RFC 9110 §15.2: 1xx but 101, such as `103 Early Hints`)
    /// with `fields` before the final one. Refused for an HTTP/1.0 request
    /// ([`ConnError::InterimToHttp10`]). A `100` counts as the `100 Continue` the client
    /// may wait for.
    pub fn interim<'o, F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        out: impl Into<Out<'o>>,
        code: u16,
        fields: impl IntoIterator<Item = (F, V)>,
    ) -> Result<usize, ConnError> {
        self.answerable()?;
        if self.exchange.is_http10() {
            return Err(ConnError::InterimToHttp10);
        }
        if !(100..200).contains(&code) || code == 101 {
            return Err(ConnError::OutOfOrder);
        }
        let mut head = self.status_line(out, code)?;
        for (name, value) in fields {
            head.field(name, value)?;
        }
        let written = head.finish(Body::None)?;
        if code == 100 {
            self.exchange.continue_sent();
        }
        Ok(written)
    }

    /// Whether the answer's body is being sent: its head is written, its body not finished,
    /// and the answer may carry one. False after HEAD and in a 204 or 304, where data given
    /// to [`send_data`](ServerConn::send_data) is dropped: a caller with a body to produce
    /// (a file, a stream) skips it and calls [`finish`](ServerConn::finish).
    pub fn sends_data(&self) -> bool {
        self.answer == Answer::Body
            && matches!(
                self.sending,
                Outgoing::Length(_) | Outgoing::Chunked | Outgoing::UntilClose
            )
    }

    /// Writes `data` as the next piece of the answer's body into `out`, framed as announced;
    /// returns the bytes written (0 for a body the answer may not carry, such as after HEAD).
    pub fn send_data<'o>(
        &mut self,
        out: impl Into<Out<'o>>,
        data: &[u8],
    ) -> Result<usize, ConnError> {
        self.sending.data(out.into(), data)
    }
    /// Ends the answer's body; returns the bytes written. A `Length` body not fully sent is
    /// [`ConnError::BodyTooShort`].
    pub fn finish<'o>(&mut self, out: impl Into<Out<'o>>) -> Result<usize, ConnError> {
        self.finish_with_trailers(out, NO_TRAILERS)
    }

    /// [`finish`](ServerConn::finish) with `trailers` after a chunked body (RFC 9112 §7.1.2);
    /// [`ConnError::TrailersNeedChunked`] for any other body.
    pub fn finish_with_trailers<'o, F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        out: impl Into<Out<'o>>,
        trailers: impl IntoIterator<Item = (F, V)>,
    ) -> Result<usize, ConnError> {
        let written = self.sending.finish(out.into(), trailers)?;
        self.answer = Answer::Done;
        Ok(written)
    }

    /// After `receive` failed: writes the answer its error names (status, `Connection:
    /// close` and the rule as a short text body) into `out` when no answer head was sent yet,
    /// nothing otherwise; the connection is then closed. Returns the bytes written.
    pub fn answer_error<'o>(&mut self, out: impl Into<Out<'o>>) -> Result<usize, ConnError> {
        let Read::Failed(error) = self.read else {
            return Err(ConnError::OutOfOrder);
        };
        if self.answer == Answer::Body {
            self.read = Read::Closed;
            return Ok(0);
        }
        let text = error.as_str().as_bytes();
        let mut head = ResponseHead::new(out, Method::Get, Version::Http11, error.status(), None)?;
        head.field("Connection", "close")?
            .field("Content-Type", "text/plain; charset=utf-8")?;
        let written = head.finish_with(text)?;
        self.read = Read::Closed;
        self.answer = Answer::Done;
        Ok(written)
    }
}

/// A final answer being written: see [`ServerConn::respond`].
#[derive(Debug)]
pub struct Answering<'c, 'o, const N: usize> {
    conn: &'c mut ServerConn<N>,
    head: ResponseHead<'o>,
    code: u16,
    said_close: bool,
    said_keep_alive: bool,
}

impl<'c, 'o, const N: usize> Answering<'c, 'o, N> {
    /// Writes the field line `name: value`, checked by the writer's rules. A `Connection: close`
    /// of the application's closes the connection after this answer.
    #[inline]
    pub fn field(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Answering<'c, 'o, N>, ConnError> {
        let (name, value) = (name.as_ref(), value.as_ref());
        self.head.field(name, value)?;
        if name.eq_ignore_ascii_case(b"connection") {
            self.said_close |= list_contains_token(value, "close");
            self.said_keep_alive |= list_contains_token(value, "keep-alive");
        }
        Ok(self)
    }

    /// Writes each of `fields` as [`field`](Answering::field) does, in order: a list relayed
    /// from another head, for one.
    pub fn fields<F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        fields: impl IntoIterator<Item = (F, V)>,
    ) -> Result<&mut Answering<'c, 'o, N>, ConnError> {
        for (name, value) in fields {
            self.field(name, value)?;
        }
        Ok(self)
    }

    /// Writes `fields`, checked by the writer's rules when they were pushed, with one copy;
    /// their `Connection` options count as with [`field`](Answering::field).
    #[cfg(feature = "std")]
    #[inline]
    pub fn checked_fields(
        &mut self,
        fields: &crate::write::CheckedFields,
    ) -> Result<&mut Answering<'c, 'o, N>, ConnError> {
        self.head.fields(fields)?;
        self.said_close |= fields.close;
        self.said_keep_alive |= fields.keep_alive;
        Ok(self)
    }

    /// Ends the head with the connection's fields and the framing field for `body`; returns
    /// the head's length. Then [`ServerConn::send_data`] and [`ServerConn::finish`] — except
    /// for [`Body::None`], which completes the answer at once.
    ///
    /// The connection fits `body` to the exchange: after HEAD or in a 304 a `Length` is
    /// advertised and the data dropped; 1xx, 204, 101 and a 2xx to CONNECT carry none; a
    /// chunked body to HTTP/1.0 runs to the close instead.
    pub fn finish(self, body: Body) -> Result<usize, ConnError> {
        self.finish_then(body, None)
    }

    /// The whole answer at once: the head with `Content-Length` and `data` after it, into the
    /// same output (the data dropped where the answer may carry none, as with `finish`).
    #[inline]
    pub fn finish_with(self, data: &[u8]) -> Result<usize, ConnError> {
        self.finish_then(Body::Length(data.len() as u64), Some(data))
    }

    #[inline(always)]
    fn finish_then(mut self, body: Body, data: Option<&[u8]>) -> Result<usize, ConnError> {
        let settled = self.conn.exchange.settle(
            self.conn.keep_alive(),
            self.code,
            self.said_close,
            self.said_keep_alive,
            body,
        );
        if let Some(option) = settled.connection {
            self.head.field("Connection", option)?;
        }
        let written = match (data, settled.sending) {
            (Some(data), Outgoing::Length(_)) => self.head.finish_with(data)?,
            _ => self.head.finish(settled.body)?,
        };
        self.conn.settled(&settled, data.is_some());
        Ok(written)
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use std::format;
    use std::vec::Vec;

    use super::*;
    use crate::write::CheckedFields;

    /// `respond_with` writes what `respond`, `checked_fields` and `finish_with` write, and
    /// leaves the connection where they leave it, for every kind of request and answer.
    #[test]
    fn respond_with_answers_as_respond_then_finish_with() {
        let requests = [
            "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
            "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
        ];
        let field_sets: [&[(&str, &str)]; 5] = [
            &[],
            &[("Content-Type", "text/plain")],
            &[("Connection", "close")],
            &[("Connection", "keep-alive"), ("X-A", "1")],
            &[("Connection", "upgrade"), ("Upgrade", "websocket")],
        ];
        let codes = [200, 201, 204, 299, 304, 404, 101, 500, 599];
        let bodies: [&[u8]; 2] = [b"", b"hello"];
        let next = b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
        for request in requests {
            for fields in field_sets {
                let mut checked = CheckedFields::new();
                for (name, value) in fields {
                    checked.push(name, value).unwrap();
                }
                for code in codes {
                    for body in bodies {
                        let mut whole = ServerConn::new(Config::new());
                        let mut parts = ServerConn::new(Config::new());
                        let (mut out_whole, mut out_parts) = (Vec::new(), Vec::new());
                        for conn in [&mut whole, &mut parts] {
                            let (_, event) = conn.receive(request.as_bytes()).unwrap();
                            assert_eq!(event, Event::Head);
                        }
                        let a = whole.respond_with(&mut out_whole, code, &checked, body);
                        let b = parts.respond(&mut out_parts, code).and_then(|mut head| {
                            head.checked_fields(&checked)?;
                            head.finish_with(body)
                        });
                        let case = format!("{request:?} {fields:?} {code} {body:?}");
                        assert_eq!(a, b, "{case}");
                        assert_eq!(out_whole, out_parts, "{case}");
                        assert_eq!(whole.keep_alive(), parts.keep_alive(), "{case}");
                        assert_eq!(whole.sends_data(), parts.sends_data(), "{case}");
                        // Where each connection goes next: the rest of a body, the next
                        // request, a tunnel or the end.
                        let rest = request.split_once("\r\n\r\n").map_or("", |(_, rest)| rest);
                        let mut input = rest.as_bytes().to_vec();
                        input.extend_from_slice(next);
                        let after = |conn: &mut ServerConn| {
                            let mut events = Vec::new();
                            let mut at = 0;
                            for _ in 0..4 {
                                match conn.receive(&input[at..]) {
                                    Ok((consumed, event)) => {
                                        at += consumed;
                                        events.push(format!("{event:?}"));
                                    }
                                    Err(error) => events.push(format!("{error:?}")),
                                }
                            }
                            events
                        };
                        assert_eq!(after(&mut whole), after(&mut parts), "{case}");
                    }
                }
            }
        }
    }
}
