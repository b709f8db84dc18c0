//! `Connection`: the socket-free core of one HTTP/1.1 connection — bytes in, bytes out.
//!
//! The I/O layer (or a test, or a fuzzer) moves bytes: it reads into [`Connection::read_buf`]
//! and reports how many with [`Connection::commit_read`], calls [`Connection::process`] to
//! parse, read bodies and run the handler, writes out [`Connection::output`] and reports it
//! with [`Connection::consume_output`]. Time is passed in as an [`Instant`], so timeouts are
//! testable too. Nothing here knows sockets, threads or readiness.
//!
//! ```
//! use std::time::Instant;
//! use h1_server::conn::Connection;
//! use h1_server::{Request, Response, ServerConfig};
//!
//! let handler = |_: &Request, res: &mut Response| {
//!     res.set_body("hi");
//! };
//! let mut conn = Connection::new(&ServerConfig::new(), Instant::now());
//! let wire = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
//! assert_eq!(conn.feed(wire, &handler, Instant::now()), wire.len());
//! let out = String::from_utf8_lossy(conn.output()).into_owned();
//! assert_eq!(out.matches("HTTP/1.1 200 OK\r\n").count(), 2);
//! assert!(out.ends_with("Connection: close\r\nContent-Length: 2\r\n\r\nhi"));
//! let n = conn.output().len();
//! conn.consume_output(n, Instant::now());
//! assert!(conn.is_finished());
//! ```
//!
//! Memory: the read buffer starts at [`ServerConfig::read_buffer_size`] and grows, when a head
//! needs it, up to the head limit plus the trailer limit plus that size, then stays (until
//! [`Connection::recycle`]). The I/O layer lends a connection to a socket only while bytes are
//! in flight: an idle keep-alive socket is parked without one, and its connection goes back to
//! a per-worker pool. The
//! decoded-body buffer grows up to the body limit; one that grew past 64 KiB is released after
//! its request, so a single upload does not pin megabytes to an idle connection. The response
//! buffers grow to the largest response sent from memory; a streamed body is pulled into a
//! window of at most 32 KiB as the output drains, whatever its size. Pipelined requests are
//! not parsed while more than 64 KiB of responses wait to be written, or while a body
//! streams, so no input grows memory without bound.
//!
//! Inside: `buffer` holds the bytes received, `output` the responses serialized and the clocks
//! of their writing, `rate` the minimum-rate windows; this file is the request cycle.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use h1_parser::{BodyDecoder, Decoded, Error, Framing, Method, Parser, Status, Version};

mod buffer;
mod output;
mod rate;

use buffer::ReadBuffer;
use output::{Answering, Output};
use rate::RateWindow;

use crate::answer::Answer;
use crate::handler::Handler;
use crate::response::reason;
use crate::{Request, Response, ServerConfig};

/// Pipelined requests wait while more response bytes than this are unsent.
const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// A decoded-body buffer larger than this is released after its request; output and response
/// buffers larger than this are released by [`Connection::recycle`].
const BODY_KEEP: usize = 64 * 1024;

/// Where the connection is in the request cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between requests: no byte of the next one parsed yet.
    Idle,
    /// Reading a request head.
    Head,
    /// Reading (and decoding) a request body.
    Body,
}

/// Where the connection is in its life; [`State`] is where it is in the request cycle. The
/// I/O layer reads while `Open` or `ShuttingDown`, and closes the socket once `Closing` has no
/// output left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    /// Reading and answering requests.
    Open,
    /// A graceful shutdown started: the request in flight is finished and answered with
    /// `Connection: close`; between requests the connection closes.
    ShuttingDown,
    /// The peer closed its sending side: the requests received are answered (with
    /// `Connection: close`), a request received in part is dropped, then the connection closes.
    PeerClosed,
    /// No more requests: the output left is sent, then the socket is closed — after a
    /// linger when `linger` (see [`Connection::should_linger`]).
    Closing { linger: bool },
}

/// What the head said about the exchange, kept while the body is read.
#[derive(Clone, Copy, Debug)]
struct Exchange {
    head_len: usize,
    keep_alive: bool,
    is_head: bool,
    /// A CONNECT request: no tunnel is opened (see `refuse_tunnel`).
    is_connect: bool,
    /// An HTTP/1.0 request (no chunked response body, no interim responses).
    http10: bool,
    /// A Content-Length body already complete in the read buffer, right after the head: its
    /// length (relative, so that moving the buffer's contents cannot stale it).
    in_place_len: Option<usize>,
}

/// One HTTP/1.1 connection as a value: read buffer, parser, body decoder, response and write
/// buffer. See the [module documentation](self) for the calling pattern.
#[derive(Debug)]
pub struct Connection {
    config: ServerConfig,
    parser: Parser,
    input: ReadBuffer,
    state: State,
    exchange: Exchange,
    decoder: BodyDecoder,
    /// The first body byte not yet given to the decoder.
    body_at: usize,
    body: Vec<u8>,
    response: Response,
    output: Output,
    /// When the current state's clock started (idle, head, or the last body progress).
    since: Instant,
    /// The request body's minimum rate ([`ServerConfig::min_body_rate`]).
    body_rate: RateWindow,
    life: Life,
    /// The last `process` stopped because of waiting output, with input left to process.
    stalled: bool,
}

impl Connection {
    /// A new connection with `config`'s limits, opened at `now`. Allocates its read buffer.
    /// [`Connection::recycle`] makes a used one new again without allocating.
    pub fn new(config: &ServerConfig, now: Instant) -> Connection {
        Connection {
            config: *config,
            parser: Parser::with_config(config.parser),
            input: ReadBuffer::new(config),
            state: State::Idle,
            exchange: Exchange {
                head_len: 0,
                keep_alive: false,
                is_head: false,
                is_connect: false,
                http10: false,
                in_place_len: None,
            },
            decoder: BodyDecoder::new(Framing::NoBody, config.parser),
            body_at: 0,
            body: Vec::new(),
            response: Response::new(),
            output: Output::new(now),
            since: now,
            body_rate: RateWindow::new(now),
            life: Life::Open,
            stalled: false,
        }
    }

    /// Makes this connection what [`Connection::new`] with the same configuration returns at
    /// `now`, keeping its buffers: the I/O layer keeps a pool of connections per worker and
    /// lends one to a socket only while bytes are in flight, so an idle keep-alive socket holds
    /// no buffer. Buffers that grew past 64 KiB (the read buffer past its first size) are
    /// released, so the pool stays small.
    pub fn recycle(&mut self, now: Instant) {
        self.parser.reset();
        self.input.recycle();
        self.state = State::Idle;
        self.body_at = 0;
        self.body.clear();
        if self.body.capacity() > BODY_KEEP {
            self.body = Vec::new();
        }
        self.output.recycle(now, BODY_KEEP);
        self.response.reset();
        self.response.shrink_to(BODY_KEEP);
        self.since = now;
        self.body_rate = RateWindow::new(now);
        self.life = Life::Open;
        self.stalled = false;
    }

    /// When the connection became idle, while it is idle and open: between requests, nothing
    /// received, nothing to send. The I/O layer may then park the socket without its
    /// connection (see [`Connection::recycle`]) and time the idle timeout from this instant.
    pub fn idle_since(&self) -> Option<Instant> {
        (self.life == Life::Open && self.is_idle()).then_some(self.since)
    }

    /// Space to read into, or `None` when the connection wants no input now (it is closing,
    /// or responses are waiting to be written). Never an empty slice. Read into it, then call
    /// [`Connection::commit_read`].
    pub fn read_buf(&mut self) -> Option<&mut [u8]> {
        if !self.wants_read() {
            return None;
        }
        if self.state == State::Idle && self.input.is_drained() {
            self.input.clear();
        }
        match self.input.make_room() {
            Ok(moved) => self.body_at = self.body_at.saturating_sub(moved),
            Err(buffer::Full) => {
                // Unreachable with the parser's limits (the head fails first), kept as a bound.
                self.fail(
                    Answer::Invalid(Error::HeadTooLarge),
                    Error::HeadTooLarge.as_str(),
                );
                return None;
            }
        }
        Some(self.input.free()).filter(|free| !free.is_empty())
    }

    /// Records that `n` bytes were read into the slice [`Connection::read_buf`] returned.
    /// `n == 0` means the peer closed its side: call [`Connection::read_eof`] instead.
    pub fn commit_read(&mut self, n: usize, now: Instant) {
        self.input.commit(n);
        if self.state == State::Body && n > 0 {
            self.since = now;
            self.body_rate.add(n);
        }
    }

    /// Records that the peer closed its sending side. Requests already received are still
    /// answered; a request received in part is dropped and the connection closes.
    pub fn read_eof(&mut self) {
        self.life = match self.life {
            Life::Closing { .. } => Life::Closing { linger: false },
            _ if self.state == State::Idle && self.input.is_drained() => {
                Life::Closing { linger: false }
            }
            _ => Life::PeerClosed,
        };
    }

    /// Copies as much of `bytes` in as the connection takes, processing as it goes (a
    /// convenience for tests and fuzzing). Returns how many bytes were taken: fewer than
    /// `bytes.len()` when the connection closes or waits for its output to be consumed.
    pub fn feed<H: Handler + ?Sized>(&mut self, bytes: &[u8], handler: &H, now: Instant) -> usize {
        let mut taken = 0;
        while let Some(rest) = bytes.get(taken..).filter(|rest| !rest.is_empty()) {
            let Some(space) = self.read_buf() else { break };
            let n = space.len().min(rest.len());
            space[..n].copy_from_slice(&rest[..n]);
            self.commit_read(n, now);
            taken += n;
            self.process(handler, now);
        }
        self.process(handler, now);
        taken
    }

    /// Parses what was read, reads bodies, runs `handler` for each complete request in order
    /// and queues the responses in [`Connection::output`]. Stops when it needs more input,
    /// when the connection is closing, or while more than 64 KiB of output are waiting.
    pub fn process<H: Handler + ?Sized>(&mut self, handler: &H, now: Instant) {
        let had_output = self.output_pending() > 0;
        self.output.new_batch();
        self.run(handler, now);
        if !had_output && self.output_pending() > 0 {
            self.output.started(now);
        }
    }

    /// No more requests on this connection: answer nothing more, send what is queued.
    fn close(&mut self, after_response: bool) {
        // Linger only when the client may still be sending.
        let linger = after_response && matches!(self.life, Life::Open | Life::ShuttingDown);
        self.life = Life::Closing { linger };
    }

    fn run<H: Handler + ?Sized>(&mut self, handler: &H, now: Instant) {
        self.stalled = false;
        loop {
            if matches!(self.life, Life::Closing { .. }) {
                return;
            }
            // A streamed body goes out before anything after it is answered.
            if self.output_pending() > OUTPUT_HIGH_WATER || self.output.streaming() {
                self.stalled = true;
                return;
            }
            match self.state {
                State::Idle => {
                    if self.input.is_drained() {
                        if matches!(self.life, Life::PeerClosed | Life::ShuttingDown) {
                            self.close(false);
                        }
                        return;
                    }
                    self.state = State::Head;
                    self.since = now;
                }
                State::Head => {
                    match self.parser.parse(self.input.message()) {
                        Err(error) => return self.fail(Answer::Invalid(error), error.as_str()),
                        Ok(Status::Partial) => {
                            if self.life == Life::PeerClosed {
                                // The client vanished mid-head: nothing to answer.
                                self.close(false);
                            }
                            return;
                        }
                        Ok(Status::Complete(request)) => {
                            // The parser worked out persistence (RFC 9112 §9.3) and
                            // 100-continue (RFC 9110 §10.1.1) while parsing: no field is
                            // looked up again here.
                            self.exchange = Exchange {
                                head_len: request.head_len(),
                                keep_alive: request.keep_alive(),
                                is_head: request.method() == Method::Head,
                                is_connect: request.method() == Method::Connect,
                                http10: request.version() == Version::Http10,
                                in_place_len: None,
                            };
                            let (framing, expect_continue) =
                                (request.framing(), request.expects_continue());
                            self.begin_body(framing, expect_continue, now);
                        }
                    }
                }
                State::Body => match self.decode_body() {
                    Err(error) => return self.fail(Answer::Invalid(error), error.as_str()),
                    Ok(false) => {
                        if self.life == Life::PeerClosed {
                            self.close(false);
                        }
                        return;
                    }
                    Ok(true) => self.dispatch(handler, now),
                },
            }
        }
    }

    fn begin_body(&mut self, framing: Framing, expect_continue: bool, now: Instant) {
        let body_start = self.input.start() + self.exchange.head_len;
        let available = self.input.filled().saturating_sub(body_start);
        self.state = State::Body;
        self.since = now;
        self.body_rate = RateWindow::new(now);
        self.body_at = body_start;
        self.body.clear();
        self.decoder = BodyDecoder::new(framing, self.config.parser);
        match framing {
            Framing::Length(length) if length <= available as u64 => {
                // The whole body is here: hand the handler the read buffer's bytes, no copy.
                self.exchange.in_place_len = Some(length as usize);
            }
            // No body: dispatched without entering the decoder. (A request is never framed
            // UntilClose or Tunnel: those are response framings.)
            Framing::NoBody | Framing::Length(0) | Framing::UntilClose | Framing::Tunnel => {
                self.exchange.in_place_len = Some(0)
            }
            Framing::Length(_) | Framing::Chunked => {
                // RFC 9110 §10.1.1: answer 100-continue before reading a body not yet sent.
                if expect_continue && available == 0 {
                    self.output.push_continue();
                }
            }
        }
    }

    /// Decodes what is buffered of the body; true once it is complete.
    fn decode_body(&mut self) -> Result<bool, Error> {
        if let Some(length) = self.exchange.in_place_len {
            self.body_at = self.input.start() + self.exchange.head_len + length;
            return Ok(true);
        }
        loop {
            let input = self.input.get(self.body_at..self.input.filled());
            let (consumed, found) = self.decoder.decode(input)?;
            self.body_at += consumed;
            match found {
                Decoded::Data(data) if consumed > 0 => self.body.extend_from_slice(data),
                Decoded::Trailer(_) if consumed > 0 => {}
                Decoded::Done => return Ok(true),
                Decoded::Data(_) | Decoded::Trailer(_) | Decoded::Partial => {
                    // Drop the decoded bytes from the read buffer: keep the head, move what is
                    // left (a partial trailer line at most) right after it.
                    let body_start = self.input.start() + self.exchange.head_len;
                    if self.body_at > body_start {
                        self.input.remove(body_start..self.body_at);
                        self.body_at = body_start;
                    }
                    return Ok(false);
                }
            }
        }
    }

    /// Runs the handler for the complete request and queues its response.
    fn dispatch<H: Handler + ?Sized>(&mut self, handler: &H, now: Instant) {
        let exchange = self.exchange;
        let body_end = self.body_at;
        let start = self.input.start();
        let Some(head) = self.parser.request(self.input.message()) else {
            return self.fail(Answer::Internal, "request lost");
        };
        let body = match exchange.in_place_len {
            Some(_) => self.input.get(start + exchange.head_len..body_end),
            None => &self.body[..],
        };
        let request = Request::new(head, body);
        let response = &mut self.response;
        response.reset();
        response.allow_interim(!exchange.http10);
        let handled = catch_unwind(AssertUnwindSafe(|| handler.handle(&request, response)));
        drop(request);
        let mut keep_alive = exchange.keep_alive && self.life == Life::Open;
        if handled.is_err() {
            // A panicking handler costs its connection, never the worker.
            response.reset();
            response.set_answer(Answer::HandlerPanicked, "Internal Server Error\n");
            keep_alive = false;
        }
        keep_alive &= !response.wants_close();
        if exchange.is_connect {
            refuse_tunnel(response);
            // Bytes after a CONNECT may be the tunnel's, sent before the answer: never parsed.
            keep_alive = false;
        }
        if response.answer().is_some() {
            shape(self.config.shape_answers, response);
            if exchange.is_connect {
                // A shaped answer opens no tunnel either.
                refuse_tunnel(response);
                default_content_type(response);
            }
        }
        if exchange.http10 && response.is_streamed() && response.streamed_length().is_none() {
            // RFC 9112 §6.1, §6.3: an HTTP/1.0 client gets no chunked body; the close ends it.
            keep_alive = false;
        }
        let answering = Answering {
            is_head: exchange.is_head,
            is_connect: exchange.is_connect,
            keep_alive,
            http10: exchange.http10,
        };
        if !self.output.push_response(response, answering) || self.output.take_broken() {
            keep_alive = false;
        }

        // Ready for the next request, which starts right after this body.
        self.parser.reset();
        self.input.next_message_at(body_end);
        self.state = State::Idle;
        self.since = now;
        if self.body.capacity() > BODY_KEEP {
            self.body = Vec::new();
        }
        if !keep_alive {
            self.close(true);
        }
    }

    /// Answers a broken request with `status` and closes the connection.
    fn fail(&mut self, answer: Answer, message: &str) {
        // An answer must not land inside a streamed body: cut it and close instead.
        if self.output.streaming() {
            self.output.clear();
            return self.close(false);
        }
        let response = &mut self.response;
        response.reset();
        response.set_answer(answer, message).body_mut().push(b'\n');
        shape(self.config.shape_answers, response);
        let answering = Answering {
            is_head: false,
            is_connect: false,
            keep_alive: false,
            http10: false,
        };
        self.output.push_response(response, answering);
        self.close(true);
    }

    /// The bytes to send.
    pub fn output(&self) -> &[u8] {
        self.output.unsent()
    }

    /// Tells the connection how many of the bytes it already handed over (through
    /// [`Connection::consume_output`]) the kernel still holds unsent or unacknowledged
    /// (`SIOCOUTQ`). The minimum write rate then counts only what the client took: without it,
    /// a kernel that grows its send buffer for a slow reader makes the reader look faster than
    /// it is. Optional; the I/O layer calls it before [`Connection::handle_timeout`].
    pub fn note_unsent_in_kernel(&mut self, bytes: usize) {
        self.output.rate.queued = bytes as u64;
    }

    /// Records that the first `n` bytes of [`Connection::output`] were sent.
    /// A streamed body is pulled from its source here, as the output drains.
    pub fn consume_output(&mut self, n: usize, now: Instant) {
        self.output.consume(n, now);
        if self.output.take_broken() {
            // A streamed body failed mid-way: what was pulled goes out, then the close tells
            // the client the body is cut (its length or last chunk never arrives).
            self.close(false);
        }
    }

    fn output_pending(&self) -> usize {
        self.output.pending()
    }

    /// Whether the connection takes more input now.
    pub fn wants_read(&self) -> bool {
        matches!(self.life, Life::Open | Life::ShuttingDown)
            && self.output_pending() <= OUTPUT_HIGH_WATER
            && !self.output.streaming()
    }

    /// Whether [`Connection::process`] has buffered requests it left for later because of
    /// waiting output: call it again once the output is written.
    pub fn has_buffered_requests(&self) -> bool {
        self.stalled && !matches!(self.life, Life::Closing { .. })
    }

    /// True once the connection is done: it is closing and all its output was consumed. The
    /// I/O layer closes the socket then.
    pub fn is_finished(&self) -> bool {
        matches!(self.life, Life::Closing { .. })
            && self.output_pending() == 0
            && !self.output.streaming()
    }

    /// Whether the I/O layer should linger when it closes: the connection ends right after a
    /// response while the client may still be sending (a pipelined request, an unread body).
    /// Closing a socket with unread input sends a reset, which can destroy the response in
    /// flight; so the I/O layer half-closes, reads and drops input for a moment, then closes.
    /// False for idle, timed-out or shut-down connections, and once the client closed its side.
    pub fn should_linger(&self) -> bool {
        self.life == Life::Closing { linger: true }
    }

    /// True between requests, with nothing received and nothing to send: safe to close.
    pub fn is_idle(&self) -> bool {
        self.state == State::Idle && self.input.is_drained() && self.output_pending() == 0
    }

    /// Graceful shutdown: an idle connection closes now; one with a request in flight
    /// finishes it and answers with `Connection: close`.
    pub fn shutdown(&mut self) {
        if self.life == Life::Open {
            self.life = Life::ShuttingDown;
        }
        if self.state == State::Idle
            && self.input.is_drained()
            && !matches!(self.life, Life::Closing { .. })
        {
            self.close(false);
        }
    }

    /// When [`Connection::handle_timeout`] must next be called: the idle, head, body or write
    /// deadline, or the end of a minimum-rate window, whichever applies and comes first;
    /// `None` when the connection is done.
    pub fn deadline(&self) -> Option<Instant> {
        let config = &self.config;
        let earliest = |a: Option<Instant>, b: Option<Instant>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if self.output_pending() > 0 {
            let stall = self.output.since.checked_add(config.write_timeout);
            let rate = self
                .output
                .rate
                .end(config.min_write_rate, config.min_rate_window);
            return earliest(stall, rate);
        }
        if matches!(self.life, Life::Closing { .. }) {
            return None;
        }
        match self.state {
            State::Idle => self.since.checked_add(config.idle_timeout),
            State::Head => self.since.checked_add(config.head_timeout),
            State::Body => earliest(
                self.since.checked_add(config.body_timeout),
                self.body_rate
                    .end(config.min_body_rate, config.min_rate_window),
            ),
        }
    }

    /// Applies the deadline if `now` is past it: an idle connection closes, a request in
    /// progress (its head late, its body stalled or slower than the minimum rate) gets
    /// `408 Request Timeout` and the connection closes, output the client does not read (or
    /// reads slower than the minimum rate) is dropped with the connection. At the end of a
    /// rate window that was kept, the next window starts. Returns whether it cut.
    pub fn handle_timeout(&mut self, now: Instant) -> bool {
        match self.deadline() {
            Some(deadline) if now >= deadline => {}
            _ => return false,
        }
        let config = self.config;
        let window = config.min_rate_window;
        if self.output_pending() > 0 {
            let stalled = past(self.output.since, config.write_timeout, now);
            if !stalled && self.output.rate.roll(now, config.min_write_rate, window) {
                return false;
            }
            self.output.clear();
            self.close(false);
            return true;
        }
        match self.state {
            State::Idle => self.close(false),
            State::Head => self.fail(Answer::Timeout, "request not received in time"),
            State::Body => {
                let stalled = past(self.since, config.body_timeout, now);
                if !stalled && self.body_rate.roll(now, config.min_body_rate, window) {
                    return false;
                }
                self.fail(Answer::Timeout, "request body not received in time");
            }
        }
        if self.output_pending() > 0 {
            self.output.started(now);
        }
        true
    }
}

/// RFC 9110 §9.3.6: a 2xx answer to CONNECT turns the connection into a tunnel (and carries
/// no Content-Length). The server opens no tunnels, so a handler's 2xx becomes
/// `501 Not Implemented` (RFC 9110 §15.6.2: the server cannot do what the method asks);
/// other answers (a 403, a 407) go out as written.
fn refuse_tunnel(response: &mut Response) {
    if (200..300).contains(&response.status()) {
        response.reset();
        response.set_answer(Answer::TunnelRefused, "CONNECT tunnels are not supported\n");
    }
}

/// Runs [`ServerConfig::shape_answers`] on one of the library's answers. A shaper that panics
/// costs its shaping only: the answer goes out plain.
fn shape(shaper: fn(&mut Response), response: &mut Response) {
    let answer = response.answer();
    if catch_unwind(AssertUnwindSafe(|| shaper(response))).is_err() {
        if let Some(answer) = answer {
            response.reset();
            response.set_answer(answer, reason(answer.status()));
        }
    }
    default_content_type(response);
}

/// The library's plain-text answers say so, unless shaped with a type of their own.
fn default_content_type(response: &mut Response) {
    if !response.has_field("content-type") {
        response.header("Content-Type", "text/plain; charset=utf-8");
    }
}

/// Whether `timeout` has run out since `start` (never, when the sum overflows).
fn past(start: Instant, timeout: std::time::Duration, now: Instant) -> bool {
    start.checked_add(timeout).is_some_and(|end| now >= end)
}
