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
//! The protocol is the core's: an [`h1_parser::conn::ServerConn`] reads the requests (heads,
//! bodies, pipelining, 100-continue) and writes the answers (persistence, HEAD/204/304 bodies,
//! framing, `Connection`). What is the server's is here, a job per file:
//!
//! | file | job |
//! |---|---|
//! | `buffer.rs` | `ReadBuffer`: the bytes received, the current message's start |
//! | `read.rs` | `Incoming`: the core's events over the read buffer; the body in place or copied |
//! | `dispatch.rs` | the handler run, a panic caught; the CONNECT policy; shaping the library's answers |
//! | `encode.rs` | a `Response` through the core: interims, `Date`, the checked fields, the body |
//! | `stream.rs` | a streamed body pulled as the output drains, framed by the core |
//! | `output.rs` | `Output`: the bytes to send, the write timeout and rate |
//! | `timers.rs` | `Timers`: idle, head and body deadlines, the body's rate |
//! | `rate.rs` | `RateWindow`: one minimum-rate window |
//! | `mod.rs` | `Connection`: the I/O layer's side, and the request cycle tying the others |

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use h1_parser::conn::{ConnError, ServerConn};
use h1_parser::{Framing, Method};

mod buffer;
mod dispatch;
mod encode;
mod lent;
mod output;
mod rate;
mod read;
mod served;
mod stream;
mod timers;

pub(crate) use dispatch::dispatch;
pub(crate) use lent::Back;

use buffer::ReadBuffer;
use encode::DateField;
use output::Output;
use read::{Incoming, Step};
use stream::Stream;
use timers::{Phase, Timers};

use crate::answer::Answer;
use crate::budget::Budget;
use crate::config::ServerConfig;
use crate::handler::Handler;
use crate::request::Request;
use crate::response::Response;

/// Pipelined requests wait while more response bytes than this are unsent.
const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// Output and response buffers larger than this are released by [`Connection::recycle`].
const BUFFER_KEEP: usize = 64 * 1024;

/// Sent when not even the plain `500` for a refused response could be written.
const REFUSED: &[u8] =
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Where the connection is in its life. The I/O layer reads while `Open` or `ShuttingDown`,
/// and closes the socket once `Closing` has no output left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    /// Reading and answering requests.
    Open,
    /// A graceful shutdown started: the core answers the request in flight with
    /// `Connection: close`, and closes between requests.
    ShuttingDown,
    /// The peer closed its sending side: the requests received are answered, one received in
    /// part is dropped, then the connection closes.
    PeerClosed,
    /// No more requests: the output left is sent, then the socket is closed — after a
    /// linger when `linger` (see [`Connection::should_linger`]).
    Closing { linger: bool },
}

/// One HTTP/1.1 connection as a value: the core, the read buffer, the response and the write
/// buffer. See the [module documentation](self) for the calling pattern.
#[derive(Debug)]
pub struct Connection {
    config: ServerConfig,
    core: ServerConn,
    input: ReadBuffer,
    incoming: Incoming,
    response: Response,
    output: Output,
    /// The streamed body being sent: no later request is read until it is.
    stream: Option<Stream>,
    date: DateField,
    timers: Timers,
    life: Life,
    /// A shutdown came while a head was arriving: the core is told once the head is whole,
    /// so that request is answered (with `Connection: close`) rather than dropped.
    shutdown_at_head: bool,
    /// The last `process` stopped because of waiting output, with input left to process.
    stalled: bool,
    /// Whether requests for handlers on the pool are handed over ([`Connection::take_handoff`])
    /// rather than answered here once read whole.
    handoff: bool,
    /// What waits to be handed to the pool.
    pending: Option<Lend>,
    /// The body of a request lent to the pool.
    lent: lent::LentBody,
    /// The client's address.
    peer: Option<SocketAddr>,
    /// When the current request's first byte was read.
    started: Instant,
}

/// Why a connection is lent to a pool thread (see [`Connection::take_handoff`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lend {
    /// To run the handler of the request read up to its head.
    Handler,
    /// To send the answer an inline handler left, whose body comes from a reader: a reader
    /// may block or spin, which must cost its own thread, not the event loop.
    Answer,
}

/// Where a request's head sent it.
enum Planned {
    /// Its body is read whole, then its handler runs here.
    Here,
    /// To the pool.
    Pool,
    /// Refused (a body over the limit): answered already.
    Refused,
}

impl Connection {
    /// A new connection with `config`'s limits, opened at `now`. Allocates its read buffer.
    /// [`Connection::recycle`] makes a used one new again without allocating.
    pub fn new(config: &ServerConfig, now: Instant) -> Connection {
        // The body limit is the handler's (its plan), applied here.
        let parser = config.parser.max_body_size(u64::MAX);
        Connection {
            config: *config,
            core: ServerConn::new(parser),
            input: ReadBuffer::new(config),
            incoming: Incoming::default(),
            response: Response::new(),
            output: Output::new(now),
            stream: None,
            date: DateField::new(),
            timers: Timers::new(now),
            life: Life::Open,
            shutdown_at_head: false,
            stalled: false,
            handoff: false,
            pending: None,
            lent: lent::LentBody::default(),
            peer: None,
            started: now,
        }
    }

    /// Hands requests whose handlers run on the pool over to the I/O layer
    /// ([`Connection::take_handoff`]) instead of running them here; `peer` is the client.
    pub(crate) fn serve_pool(&mut self, peer: Option<SocketAddr>, budget: &Arc<Budget>) {
        self.handoff = true;
        self.peer = peer;
        self.incoming.set_budget(budget);
    }

    /// A request for a handler on the pool, read up to its head: the I/O layer lends the
    /// connection and its socket to a pool thread now (see `exchange`).
    pub(crate) fn take_handoff(&mut self) -> Option<Lend> {
        self.pending.take()
    }

    /// Makes this connection what [`Connection::new`] with the same configuration returns at
    /// `now`, keeping its buffers: the I/O layer keeps a pool of connections per worker and
    /// lends one to a socket only while bytes are in flight, so an idle keep-alive socket holds
    /// no buffer. Buffers that grew past 64 KiB (the read buffer past its first size) are
    /// released, so the pool stays small.
    pub fn recycle(&mut self, now: Instant) {
        self.core = ServerConn::new(self.config.parser.max_body_size(u64::MAX));
        self.input.recycle();
        self.incoming.recycle();
        self.output.recycle(now, BUFFER_KEEP);
        self.response.reset();
        self.response.shrink_to(BUFFER_KEEP);
        self.stream = None;
        self.timers = Timers::new(now);
        self.life = Life::Open;
        self.shutdown_at_head = false;
        self.stalled = false;
        self.handoff = false;
        self.pending = None;
        self.peer = None;
    }

    /// When the connection became idle, while it is idle and open: between requests, nothing
    /// received, nothing to send. The I/O layer may then park the socket without its
    /// connection (see [`Connection::recycle`]) and time the idle timeout from this instant.
    pub fn idle_since(&self) -> Option<Instant> {
        if self.life == Life::Open && self.is_idle() {
            self.timers.idle_since()
        } else {
            None
        }
    }

    /// Space to read into, or `None` when the connection wants no input now (it is closing,
    /// or responses are waiting to be written). Never an empty slice. Read into it, then call
    /// [`Connection::commit_read`].
    pub fn read_buf(&mut self) -> Option<&mut [u8]> {
        if !self.wants_read() {
            return None;
        }
        if !self.incoming.in_request() && self.input.is_drained() {
            self.input.clear();
        }
        if self.input.make_room().is_err() {
            // Unreachable with the parser's limits (the head fails first), kept as a bound.
            let error = h1_parser::Error::HeadTooLarge;
            self.fail(Answer::Invalid(error), error.as_str());
            return None;
        }
        Some(self.input.free()).filter(|free| !free.is_empty())
    }

    /// Records that `n` bytes were read into the slice [`Connection::read_buf`] returned.
    /// `n == 0` means the peer closed its side: call [`Connection::read_eof`] instead.
    pub fn commit_read(&mut self, n: usize, now: Instant) {
        self.input.commit(n);
        self.timers.received(n, now);
    }

    /// Records that the peer closed its sending side. Requests already received are still
    /// answered; a request received in part is dropped and the connection closes.
    pub fn read_eof(&mut self) {
        self.core.end_of_input();
        self.life = match self.life {
            Life::Closing { .. } => Life::Closing { linger: false },
            _ if self.timers.phase() == Phase::Idle && self.input.is_drained() => {
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
        let had_output = self.output.pending() > 0;
        self.date.stale();
        self.run(handler, now);
        if !had_output && self.output.pending() > 0 {
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
            if matches!(self.life, Life::Closing { .. }) || self.pending.is_some() {
                return;
            }
            // A streamed body goes out before anything after it is answered.
            if self.output.pending() > OUTPUT_HIGH_WATER || self.stream.is_some() {
                self.stalled = true;
                return;
            }
            if self.timers.phase() == Phase::Idle && !self.input.is_drained() {
                self.timers.enter(Phase::Head, now);
                self.started = now;
            }
            let step = self
                .incoming
                .advance(&mut self.core, &mut self.input, self.output.buf());
            match step {
                Step::Head => {
                    self.timers.enter(Phase::Body, now);
                    if !self.head_read(handler) {
                        return;
                    }
                }
                Step::Complete => {
                    // A bodiless request: its head and its end came in one step, and it is
                    // planned where it is answered (one request built, no body limit).
                    let bodiless = self.timers.phase() == Phase::Head;
                    if bodiless && std::mem::take(&mut self.shutdown_at_head) {
                        self.core.shut_down();
                    }
                    self.answer(handler, now, bodiless)
                }
                Step::NeedMore => return,
                Step::Closed => return self.close(false),
                // The client vanished inside a request: nothing to answer.
                Step::Failed(ConnError::IncompleteMessage) => return self.close(false),
                Step::Failed(ConnError::Parse(error)) => {
                    return self.fail(Answer::Invalid(error), error.as_str())
                }
                Step::Failed(error) => return self.fail(Answer::Internal, error.as_str()),
                Step::OverBudget => {
                    return self.fail(Answer::OverBudget, "too many request bodies in memory now")
                }
            }
        }
    }

    /// A head was read: the shutdown it waited for, and where it is served. False when the
    /// request is not answered here now (handed to the pool, or refused).
    fn head_read<H: Handler + ?Sized>(&mut self, handler: &H) -> bool {
        if std::mem::take(&mut self.shutdown_at_head) {
            self.core.shut_down();
        }
        match self.plan(handler) {
            Planned::Here => true,
            Planned::Pool => {
                self.pending = Some(Lend::Handler);
                false
            }
            Planned::Refused => false,
        }
    }

    /// Asks the handler where the request whose head was read is served, and applies its
    /// body limit to a declared length at once (RFC 9110 §15.5.14).
    fn plan<H: Handler + ?Sized>(&mut self, handler: &H) -> Planned {
        let head = self.incoming.head(&self.input);
        let Some(head) = self.core.request(head) else {
            self.fail(Answer::Internal, "request lost");
            return Planned::Refused;
        };
        let declared = match head.framing() {
            Framing::Length(length) => length,
            _ => 0,
        };
        let plan = handler.plan(&Request::new(head, &[], &[], self.peer));
        let limit = plan.body_limit.unwrap_or(self.config.parser.max_body_size);
        if declared > limit {
            let error = h1_parser::Error::BodyTooLarge;
            self.fail(Answer::Invalid(error), error.as_str());
            return Planned::Refused;
        }
        self.core.set_body_limit(limit);
        match self.handoff && !plan.inline {
            true => Planned::Pool,
            false => Planned::Here,
        }
    }

    /// Runs the handler for the complete request and writes its answer through the core; a
    /// bodiless request (`plan_first`) is planned here first, and may go to the pool instead.
    fn answer<H: Handler + ?Sized>(&mut self, handler: &H, now: Instant, plan_first: bool) {
        let head = self.incoming.head(&self.input);
        let Some(head) = self.core.request(head) else {
            return self.fail(Answer::Internal, "request lost");
        };
        let connect = head.method() == Method::Connect;
        let body = self.incoming.body(&self.input);
        let request = Request::new(head, body, self.incoming.trailers(), self.peer);
        if plan_first && !handler.plan(&request).inline && self.handoff {
            self.pending = Some(Lend::Handler);
            return;
        }
        let shaper = self.config.shape_answers;
        self.response.reset();
        dispatch::dispatch(handler, &request, &mut self.response, connect, shaper);
        drop(request);
        if self.handoff && self.response.streams_from_reader() {
            self.pending = Some(Lend::Answer);
            return;
        }
        self.log_answer(&self.response);
        let out = self.output.buf();
        let mark = out.len();
        match encode::answer(&mut self.core, out, &mut self.response, &mut self.date) {
            Ok(None) => {}
            Ok(Some(source)) => {
                self.stream = Some(Stream::new(source));
                self.pump();
            }
            Err(_) => {
                // A refusal writes nothing; the core still owes the answer.
                out.truncate(mark);
                self.refused();
            }
        }
        // Ready for the next request, which starts right after this one.
        self.incoming.next(&mut self.input);
        self.timers.enter(Phase::Idle, now);
        if !self.core.keep_alive() {
            self.close(true);
        }
    }

    /// The core refused the handler's response (a bug: the response checks what it takes): a
    /// bare `500` goes out instead, and the connection closes.
    fn refused(&mut self) {
        let out = self.output.buf();
        let written = self.core.respond(&mut *out, 500).and_then(|mut head| {
            head.field("Connection", "close")?;
            head.finish_with(b"")
        });
        if written.is_err() {
            out.extend_from_slice(REFUSED);
        }
        self.close(true);
    }

    /// Pulls the streamed body as far as the output's window allows.
    fn pump(&mut self) {
        let Some(stream) = self.stream.as_mut() else {
            return;
        };
        match stream.refill(&mut self.core, &mut self.output) {
            Ok(true) => {}
            Ok(false) => self.stream = None,
            Err(_) => {
                // A streamed body failed mid-way: what was pulled goes out, then the close
                // tells the client the body is cut (its length or last chunk never arrives).
                self.stream = None;
                self.close(false);
            }
        }
    }

    /// Answers a broken or late request with the library's `answer` and closes the
    /// connection.
    fn fail(&mut self, answer: Answer, message: &str) {
        // An answer must not land inside a streamed body: cut it and close instead.
        if self.stream.is_some() {
            self.output.clear();
            self.stream = None;
            return self.close(false);
        }
        dispatch::library_answer(
            &mut self.response,
            answer,
            message,
            self.config.shape_answers,
        );
        self.log_answer(&self.response);
        let out = self.output.buf();
        let mark = out.len();
        if encode::last_answer(out, &self.response, &mut self.date).is_err() {
            out.truncate(mark);
            out.extend_from_slice(REFUSED);
        }
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
        self.output.note_queued(bytes);
    }

    /// Records that the first `n` bytes of [`Connection::output`] were sent.
    /// A streamed body is pulled from its source here, as the output drains.
    pub fn consume_output(&mut self, n: usize, now: Instant) {
        self.output.consume(n, now);
        self.pump();
    }

    /// Whether the connection takes more input now.
    pub fn wants_read(&self) -> bool {
        matches!(self.life, Life::Open | Life::ShuttingDown)
            && self.output.pending() <= OUTPUT_HIGH_WATER
            && self.stream.is_none()
            && self.pending.is_none()
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
            && self.output.pending() == 0
            && self.stream.is_none()
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
        self.timers.phase() == Phase::Idle && self.input.is_drained() && self.output.pending() == 0
    }

    /// Graceful shutdown: an idle connection closes now; one with a request in flight
    /// finishes it and answers with `Connection: close`.
    pub fn shutdown(&mut self) {
        if self.timers.phase() == Phase::Head {
            self.shutdown_at_head = true;
        } else {
            self.core.shut_down();
        }
        if self.life == Life::Open {
            self.life = Life::ShuttingDown;
        }
        if self.timers.phase() == Phase::Idle
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
        if self.output.pending() > 0 {
            return self.output.deadline(&self.config);
        }
        if matches!(self.life, Life::Closing { .. }) {
            return None;
        }
        self.timers.deadline(&self.config)
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
        if self.output.pending() > 0 {
            if !self.output.too_slow(now, &self.config) {
                return false;
            }
            self.output.clear();
            self.stream = None;
            self.close(false);
            return true;
        }
        self.date.stale();
        match self.timers.phase() {
            Phase::Idle => self.close(false),
            Phase::Head => self.fail(Answer::Timeout, "request not received in time"),
            Phase::Body => {
                if !self.timers.body_too_slow(now, &self.config) {
                    return false;
                }
                self.fail(Answer::Timeout, "request body not received in time");
            }
        }
        if self.output.pending() > 0 {
            self.output.started(now);
        }
        true
    }
}
