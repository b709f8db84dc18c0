//! The connection lent to a handler thread: the request's body read as the handler asks for
//! it, and the answer written as the handler gives it, through the core, over a blocking
//! socket. What the event loop does by readiness, done here by waiting: the socket's read
//! and write timeouts are the body and write timeouts.

use std::io::{self, Read, Write};
use std::ops::Range;
use std::time::{Duration, Instant};

use h1_parser::conn::{ConnError, CONTINUE};
use h1_parser::OwnedRequest;

use super::encode;
use super::read::Pulled;
use super::{Connection, Life, BUFFER_KEEP};
use crate::answer::Answer;
use crate::response::Response;
use crate::source::Source;

/// A piece of a streamed body written to the socket at once, at most.
const PIECE: usize = 16 * 1024;

/// The request body as the handler reads it.
#[derive(Debug, Default)]
pub(super) struct LentBody {
    /// Body bytes of the read buffer not handed out yet.
    pending: Range<usize>,
    /// A head was sent for a body written in pieces.
    head_sent: bool,
    /// The time spent waiting on the client's body bytes in the current rate window, and the
    /// bytes that came meanwhile.
    waited: Duration,
    received: u64,
    ended: bool,
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
    /// Why the body could not be read: the answer the request gets instead of the handler's.
    failure: Option<Answer>,
}

/// What is left of a lent connection once its answer is complete.
#[derive(Debug)]
pub(crate) enum Back {
    /// It persists: the event loop reads the next request.
    Open,
    /// It is finished: close the socket.
    Close,
    /// The answer switched protocols or opened a tunnel: these bytes were read past the head
    /// and belong to the new protocol.
    Upgraded(Vec<u8>),
}

impl Connection {
    /// The head of the request handed to the pool, copied out with its offsets, so the
    /// handler's `Request` borrows nothing of the connection.
    pub(crate) fn lent_head(&self) -> Option<(Vec<u8>, OwnedRequest)> {
        let owned = self.core.owned_request()?;
        let head = self.input.message().get(..owned.head_len())?.to_vec();
        Some((head, owned))
    }

    /// Starts a lent exchange.
    pub(crate) fn begin_lent(&mut self) {
        self.lent = LentBody {
            trailers: std::mem::take(&mut self.lent.trailers),
            ..LentBody::default()
        };
        self.lent.trailers.clear();
    }

    /// Starts a lent exchange for an answer an inline handler left (its request read whole):
    /// the answer, taken out to be sent by the pool thread.
    pub(crate) fn begin_lent_answer(&mut self) -> Response {
        self.begin_lent();
        self.lent.ended = true;
        std::mem::take(&mut self.response)
    }

    /// Writes everything queued.
    fn flush<S: Write>(&mut self, mut stream: S) -> io::Result<()> {
        let out = self.output.unsent();
        if !out.is_empty() {
            stream.write_all(out)?;
            let n = out.len();
            self.output.consume(n, Instant::now());
        }
        Ok(())
    }

    /// Reads body bytes into `buf`, reading the socket when the buffer has none; 0 at the
    /// body's end. The first read sends `100 Continue` when the client waits for it.
    pub(crate) fn read_body<S: Read + Write>(
        &mut self,
        mut stream: S,
        buf: &mut [u8],
    ) -> io::Result<usize> {
        if let Some(answer) = self.lent.failure {
            return Err(io::Error::other(answer_error(answer)));
        }
        loop {
            if !self.lent.pending.is_empty() {
                let range = self.lent.pending.clone();
                let n = range.len().min(buf.len());
                let data = self.input.message().get(range.start..range.start + n);
                buf[..n].copy_from_slice(data.unwrap_or_default());
                self.lent.pending.start += n;
                return Ok(n);
            }
            if self.lent.ended {
                return Ok(0);
            }
            match self.incoming.pull(&mut self.core, &mut self.input) {
                Pulled::Data(range) => self.lent.pending = range,
                Pulled::Trailer(name, value) => {
                    let message = self.input.message();
                    let field =
                        |range: Range<usize>| message.get(range).unwrap_or_default().to_vec();
                    self.lent.trailers.push((field(name), field(value)));
                }
                Pulled::Continue => {
                    self.output.buf().extend_from_slice(CONTINUE);
                    self.flush(&mut stream)?;
                }
                Pulled::End => self.lent.ended = true,
                Pulled::NeedMore => self.fill(&mut stream)?,
                Pulled::Failed(ConnError::Parse(error)) => {
                    return self.fail_body(Answer::Invalid(error))
                }
                Pulled::Upgrade => self.lent.ended = true,
                Pulled::Failed(error) => {
                    let gone = io::Error::new(io::ErrorKind::UnexpectedEof, error.as_str());
                    self.lent.failure = Some(Answer::Internal);
                    return Err(gone);
                }
            }
        }
    }

    /// Reads from the socket into the read buffer; a timeout is the body's `408`.
    fn fill<S: Read>(&mut self, mut stream: S) -> io::Result<()> {
        if self.input.make_room().is_err() {
            return self
                .fail_body(Answer::Invalid(h1_parser::Error::HeadTooLarge))
                .map(drop);
        }
        loop {
            let asked = Instant::now();
            let read = stream.read(self.input.free());
            match read {
                Ok(0) => {
                    self.core.end_of_input();
                    self.life = Life::PeerClosed;
                    return Ok(());
                }
                Ok(n) => {
                    self.input.commit(n);
                    if !self.fast_enough(n, asked.elapsed()) {
                        return self.fail_body(Answer::Timeout).map(drop);
                    }
                    return Ok(());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return self.fail_body(Answer::Timeout).map(drop);
                }
                Err(error) => {
                    self.lent.failure = Some(Answer::Internal);
                    return Err(error);
                }
            }
        }
    }

    /// The minimum body rate ([`ServerConfig::min_body_rate`](crate::ServerConfig)), over the
    /// time spent waiting on the client only: a handler that reads slowly slows the client,
    /// and that is not the client's slowness.
    fn fast_enough(&mut self, n: usize, waited: Duration) -> bool {
        let (rate, window) = (self.config.min_body_rate, self.config.min_rate_window);
        if rate == 0 || window.is_zero() {
            return true;
        }
        self.lent.waited += waited;
        self.lent.received += n as u64;
        if self.lent.waited < window {
            return true;
        }
        let needed = u128::from(rate) * self.lent.waited.as_millis() / 1000;
        let kept = u128::from(self.lent.received) >= needed;
        (self.lent.waited, self.lent.received) = (Duration::ZERO, 0);
        kept
    }

    fn fail_body(&mut self, answer: Answer) -> io::Result<usize> {
        self.lent.failure = Some(answer);
        Err(io::Error::other(answer_error(answer)))
    }

    /// The budget bodies read whole are counted against, if any.
    pub(crate) fn body_budget(&self) -> Option<std::sync::Arc<crate::budget::Budget>> {
        self.incoming.budget().cloned()
    }

    /// The body cannot be taken (`answer` says why): that is the request's answer.
    pub(crate) fn refuse_body(&mut self, answer: Answer) {
        self.lent.failure = Some(answer);
    }

    /// The request's trailer fields, once its body was read to the end.
    pub(crate) fn trailers(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.lent.trailers
    }

    /// Whether a head went out for a body written in pieces.
    pub(crate) fn head_sent(&self) -> bool {
        self.lent.head_sent
    }

    /// The connection ends once what is queued is sent.
    pub(crate) fn close_after_lent(&mut self) {
        if !matches!(self.life, Life::Closing { .. }) {
            self.close(true);
        }
    }

    /// Whether the body was read to its end.
    pub(crate) fn body_ended(&self) -> bool {
        self.lent.ended
    }

    /// The library's answer the request gets instead of the handler's, when its body broke a
    /// rule or a limit or came too slowly.
    pub(crate) fn body_failure(&self) -> Option<Answer> {
        self.lent
            .failure
            .filter(|answer| *answer != Answer::Internal)
    }

    /// Sends `response` whole: its head and its body from memory or from its source.
    pub(crate) fn send_response<S: Write>(
        &mut self,
        mut stream: S,
        response: &mut Response,
    ) -> io::Result<()> {
        self.date.stale();
        self.log_answer(response);
        let out = self.output.buf();
        let mark = out.len();
        match encode::answer(&mut self.core, out, response, &mut self.date) {
            Ok(None) => self.flush(&mut stream),
            Ok(Some(source)) => {
                self.flush(&mut stream)?;
                self.send_source(&mut stream, source)
            }
            Err(_) => {
                out.truncate(mark);
                self.refused();
                self.flush(&mut stream)
            }
        }
    }

    /// Pulls `source` and writes it, piece by piece.
    fn send_source<S: Write>(&mut self, mut stream: S, mut source: Source) -> io::Result<()> {
        let mut left = source.length();
        let mut piece = vec![0; PIECE];
        loop {
            let want = left.map_or(PIECE, |left| {
                PIECE.min(usize::try_from(left).unwrap_or(PIECE))
            });
            let n = if want == 0 {
                0
            } else {
                source.read(&mut piece[..want])?
            };
            if n == 0 {
                if left.is_some_and(|left| left > 0) {
                    self.close(false);
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                return self.end_body(&mut stream, &[]);
            }
            if let Some(left) = left.as_mut() {
                *left -= n as u64;
            }
            self.send_data(&mut stream, &piece[..n])?;
        }
    }

    /// Sends `response`'s head with a body to follow in pieces ([`Connection::send_data`]):
    /// chunked, or `length` bytes exactly.
    pub(crate) fn start_body<S: Write>(
        &mut self,
        mut stream: S,
        response: &Response,
        length: Option<u64>,
    ) -> io::Result<()> {
        self.date.stale();
        self.log_answer(response);
        let out = self.output.buf();
        let written = encode::head(&mut self.core, out, response, &mut self.date, length);
        written.map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error.as_str()))?;
        self.lent.head_sent = true;
        self.flush(&mut stream)
    }

    /// Writes a piece of the body, framed by the core, now.
    pub(crate) fn send_data<S: Write>(&mut self, mut stream: S, data: &[u8]) -> io::Result<()> {
        if !self.core.sends_data() {
            return Ok(());
        }
        for piece in data.chunks(PIECE) {
            let out = self.output.buf();
            self.core
                .send_data(&mut *out, piece)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error.as_str()))?;
            self.flush(&mut stream)?;
        }
        Ok(())
    }

    /// Ends the body, with `trailers` after a chunked one.
    pub(crate) fn end_body<S: Write>(
        &mut self,
        mut stream: S,
        trailers: &[(String, Vec<u8>)],
    ) -> io::Result<()> {
        let out = self.output.buf();
        let ended = if trailers.is_empty() {
            self.core.finish(&mut *out)
        } else {
            let fields = trailers
                .iter()
                .map(|(name, value)| (name.as_bytes(), value));
            self.core.finish_with_trailers(&mut *out, fields)
        };
        ended.map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error.as_str()))?;
        self.flush(&mut stream)
    }

    /// Sends the library's `answer` for a request whose body failed, and closes.
    pub(crate) fn send_failure<S: Write>(
        &mut self,
        mut stream: S,
        answer: Answer,
    ) -> io::Result<()> {
        self.fail(answer, "request body refused");
        self.flush(&mut stream)
    }

    /// After an answer that switched protocols or opened a tunnel: the bytes already read
    /// that belong to the new protocol, once what is left of the request's body is dropped.
    pub(crate) fn upgrade<S: Read + Write>(&mut self, mut stream: S) -> Back {
        if self.flush(&mut stream).is_err() || !self.drop_body(&mut stream) {
            return Back::Close;
        }
        match self.incoming.pull(&mut self.core, &mut self.input) {
            Pulled::Upgrade => Back::Upgraded(self.incoming.rest(&self.input).to_vec()),
            _ => Back::Close,
        }
    }

    /// Drops what is left of the request's body after the answer (within the core's bound),
    /// reading the socket as needed. False when the connection must close instead.
    fn drop_body<S: Read>(&mut self, mut stream: S) -> bool {
        self.lent.pending = 0..0;
        loop {
            match self.incoming.drop_body(&mut self.core, &mut self.input) {
                Pulled::End | Pulled::Upgrade => return true,
                Pulled::NeedMore => {
                    if self.fill(&mut stream).is_err() || self.lent.failure.is_some() {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    /// The answer is complete: drops what is left of the body (within the core's bound), and
    /// gets ready for the next request on the event loop — or says the connection ends.
    pub(crate) fn end_lent<S: Read + Write>(&mut self, mut stream: S) -> Back {
        if self.flush(&mut stream).is_err() {
            return Back::Close;
        }
        if matches!(self.life, Life::Closing { .. }) || self.lent.failure.is_some() {
            return Back::Close;
        }
        if !self.lent.ended && !self.drop_body(&mut stream) {
            return Back::Close;
        }
        if !self.core.keep_alive() {
            return Back::Close;
        }
        self.incoming.next(&mut self.input);
        self.timers
            .enter(super::timers::Phase::Idle, Instant::now());
        if self.lent.trailers.capacity() > BUFFER_KEEP {
            self.lent.trailers = Vec::new();
        }
        Back::Open
    }
}

/// The message a failed body read carries.
fn answer_error(answer: Answer) -> &'static str {
    match answer {
        Answer::Invalid(error) => error.as_str(),
        Answer::Timeout => "request body not received in time",
        _ => "request body unreadable",
    }
}
