//! `Output`: the bytes waiting to be sent — responses serialized into one buffer — with the
//! clocks of the write timeout and the minimum write rate — and the streamed body being sent,
//! pulled from its source only as the socket takes bytes.

use std::time::Instant;

use h1_parser::write::{chunk_head, Body, ResponseHead, WriteError, CHUNK_END, LAST_CHUNK};
use h1_parser::{Method, Version};

use super::rate::RateWindow;
use crate::date;
use crate::response::{reason, Response};
use crate::source::Source;

/// A streamed body is pulled while fewer than half this many bytes wait, up to this many: the
/// output of a connection streaming a body of any size stays under it (plus what was queued
/// before the body started). Under the 64 KiB a recycled connection keeps.
pub(crate) const STREAM_WINDOW: usize = 32 * 1024;

/// A streamed body being sent.
#[derive(Debug)]
struct Stream {
    source: Source,
    /// The bytes still to send, when the length is known (`Content-Length`).
    left: Option<u64>,
    /// Chunked framing (RFC 9112 §7.1); otherwise the body is delimited by its length or by
    /// the connection's close.
    chunked: bool,
}

/// The output of a connection: serialized responses, of which `sent` bytes were written.
#[derive(Debug)]
pub(super) struct Output {
    bytes: Vec<u8>,
    sent: usize,
    /// When the output last made progress.
    pub(super) since: Instant,
    /// The output's minimum rate ([`ServerConfig::min_write_rate`](crate::ServerConfig::min_write_rate)).
    pub(super) rate: RateWindow,
    /// The `Date` value for the responses of one `process` call, read once per call (a
    /// pipelined batch shares it): valid while `date_fresh`.
    date: [u8; date::DATE_LEN],
    date_fresh: bool,
    /// The streamed body not yet pulled.
    stream: Option<Stream>,
    /// A streamed body failed (its reader erred or ended short): the connection must close.
    broken: bool,
}

impl Output {
    pub(super) fn new(now: Instant) -> Output {
        Output {
            bytes: Vec::new(),
            sent: 0,
            since: now,
            rate: RateWindow::new(now),
            date: [b' '; date::DATE_LEN],
            date_fresh: false,
            stream: None,
            broken: false,
        }
    }

    /// Empty again at `now`, keeping the buffer unless it grew past `keep` bytes.
    pub(super) fn recycle(&mut self, now: Instant, keep: usize) {
        self.clear();
        if self.bytes.capacity() > keep {
            self.bytes = Vec::new();
        }
        self.started(now);
    }

    /// The bytes not sent yet.
    pub(super) fn unsent(&self) -> &[u8] {
        self.bytes.get(self.sent..).unwrap_or_default()
    }

    /// How many bytes wait to be sent.
    pub(super) fn pending(&self) -> usize {
        self.bytes.len() - self.sent
    }

    /// Drops what is waiting (the client does not read it), a streamed body included.
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.sent = 0;
        self.stream = None;
        self.broken = false;
    }

    /// Whether a streamed body is still being pulled: no later response may be queued.
    pub(super) fn streaming(&self) -> bool {
        self.stream.is_some()
    }

    /// Whether a streamed body failed since the last call: the connection must close.
    pub(super) fn take_broken(&mut self) -> bool {
        std::mem::take(&mut self.broken)
    }

    /// Pulls the streamed body while fewer than half of [`STREAM_WINDOW`] bytes wait.
    fn refill(&mut self) {
        while let Some(stream) = self.stream.as_mut() {
            if self.bytes.len() - self.sent > STREAM_WINDOW / 2 {
                return;
            }
            if self.sent > 0 {
                // Pending bytes are at most half the window: a short move keeps the buffer small.
                self.bytes.copy_within(self.sent.., 0);
                self.bytes.truncate(self.bytes.len() - self.sent);
                self.sent = 0;
            }
            let room = STREAM_WINDOW - self.bytes.len();
            match pull(stream, &mut self.bytes, room) {
                Ok(true) => {}
                Ok(false) => self.stream = None,
                Err(_) => {
                    // The response cannot be completed: the client sees it cut.
                    self.stream = None;
                    self.broken = true;
                }
            }
        }
    }

    /// The output went from empty to pending at `now`: its clocks start.
    pub(super) fn started(&mut self, now: Instant) {
        self.since = now;
        self.rate = RateWindow::new(now);
    }

    /// Records that the first `n` unsent bytes were sent at `now`.
    pub(super) fn consume(&mut self, n: usize, now: Instant) {
        self.sent = self.sent.saturating_add(n).min(self.bytes.len());
        if n > 0 {
            self.since = now;
            self.rate.add(n);
        }
        if self.sent == self.bytes.len() {
            self.bytes.clear();
            self.sent = 0;
        } else if self.sent > self.bytes.len() / 2 {
            self.bytes.copy_within(self.sent.., 0);
            self.bytes.truncate(self.bytes.len() - self.sent);
            self.sent = 0;
        }
        self.refill();
    }

    /// A new `process` call: the next response reads the clock for its `Date`.
    pub(super) fn new_batch(&mut self) {
        self.date_fresh = false;
    }

    /// Queues the interim `100 Continue` (RFC 9110 §15.2.1).
    pub(super) fn push_continue(&mut self) {
        self.bytes
            .extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    /// Queues `response` answering `request`. False when the writer refused it (a bug: the
    /// response checks its fields as they are added): a bare `500` went out instead, and the
    /// connection must close.
    /// A streamed body is pulled as far as the window allows.
    pub(super) fn push_response(&mut self, response: &mut Response, request: Answering) -> bool {
        let date = fresh_date(&mut self.date, &mut self.date_fresh);
        // One reservation for the head's fixed parts and the body: the writer then only copies.
        self.bytes
            .reserve(128 + response.header_lines().len() + response.body().len());
        // RFC 9110 §15.2: interim responses go ahead of the final one.
        self.bytes.extend_from_slice(response.interim());
        match write_response(&mut self.bytes, response, date, request) {
            Ok(stream) => {
                self.stream = stream;
                self.refill();
                true
            }
            Err(_) => {
                self.bytes.extend_from_slice(REFUSED);
                false
            }
        }
    }
}

/// What the response answers: the parts of the request its framing depends on.
#[derive(Clone, Copy, Debug)]
pub(super) struct Answering {
    pub(super) is_head: bool,
    pub(super) is_connect: bool,
    pub(super) keep_alive: bool,
    /// An HTTP/1.0 request: no chunked body (RFC 9112 §6.1); one of unknown length runs until
    /// the close (the caller sends it with `keep_alive` false).
    pub(super) http10: bool,
}

/// Sent instead of a response the writer refused.
const REFUSED: &[u8] =
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Serializes `response` through the writer: status line, `Date`, `Connection`, the handler's
/// fields, the framing field and the body (not for HEAD, 204 and 304). A streamed body is
/// returned, to be pulled, instead.
fn write_response(
    out: &mut Vec<u8>,
    response: &mut Response,
    date: &[u8],
    request: Answering,
) -> Result<Option<Stream>, WriteError> {
    let status = response.status();
    let method = if request.is_head {
        Method::Head
    } else if request.is_connect {
        Method::Connect
    } else {
        Method::Get
    };
    let mut head = ResponseHead::new(
        &mut *out,
        method,
        Version::Http11,
        status,
        Some(reason(status).as_bytes()),
    )?;
    head.field("Date", date)?.field(
        "Connection",
        if request.keep_alive {
            "keep-alive"
        } else {
            "close"
        },
    )?;
    for (name, value) in response.fields() {
        head.field(name, value)?;
    }
    let source = response.take_source();
    let streamed = source.as_ref().map(Source::length);
    let length = response.body().len() as u64;
    // RFC 9110 §8.6: no Content-Length in a 204; a HEAD answer says the length a GET would
    // get (§9.3.2), and so does a 304 for a streamed body of known length (§15.4.5); a 304
    // with a body from memory says none (its body is the handler's, not the representation's).
    let (body, send) = match (status, streamed) {
        (204, _) | (304, None | Some(None)) => (Body::None, false),
        (304, Some(Some(length))) => (Body::Advertised(length), false),
        (_, Some(Some(length))) if request.is_head => (Body::Advertised(length), false),
        (_, Some(None)) if request.is_head => (Body::None, false),
        (_, None) if request.is_head => (Body::Advertised(length), false),
        (_, Some(Some(length))) => (Body::Length(length), true),
        // RFC 9112 §6.1: no chunked to an HTTP/1.0 client; the close ends the body.
        (_, Some(None)) if request.http10 => (Body::UntilClose, true),
        (_, Some(None)) => (Body::Chunked, true),
        (_, None) => (Body::Length(length), true),
    };
    head.finish(body)?;
    if !send {
        return Ok(None);
    }
    let Some(source) = source else {
        out.extend_from_slice(response.body());
        return Ok(None);
    };
    Ok(match body {
        Body::Length(0) => None,
        Body::Length(length) => Some(Stream {
            source,
            left: Some(length),
            chunked: false,
        }),
        _ => Some(Stream {
            source,
            left: None,
            chunked: body == Body::Chunked,
        }),
    })
}

/// Appends the stream's next bytes to `out`, at most `room` of them with their framing.
/// False once the body is complete (its last chunk written); an error when the source failed
/// or ended before its length.
fn pull(stream: &mut Stream, out: &mut Vec<u8>, room: usize) -> std::io::Result<bool> {
    // Room for a chunk's size line and CRLF, and for the last chunk after it.
    let framing = if stream.chunked {
        20 + LAST_CHUNK.len()
    } else {
        0
    };
    let mut want = room.saturating_sub(framing).max(1);
    if let Some(left) = stream.left {
        want = want.min(usize::try_from(left).unwrap_or(usize::MAX));
    }
    let at = out.len();
    // The data goes where it stays when the read fills `want`; a shorter chunk moves down.
    let size_line = match chunk_head(want as u64) {
        Ok(line) if stream.chunked => line.as_bytes().len(),
        _ => 0,
    };
    out.resize(at + size_line + want, 0);
    let read = stream
        .source
        .read(out.get_mut(at + size_line..).unwrap_or_default());
    let n = match read {
        Ok(n) => n,
        Err(error) => {
            out.truncate(at);
            return Err(error);
        }
    };
    out.truncate(at + size_line + n);
    if n == 0 {
        out.truncate(at);
        if stream.left.is_some_and(|left| left > 0) {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if stream.chunked {
            out.extend_from_slice(LAST_CHUNK);
        }
        return Ok(false);
    }
    if let (true, Ok(line)) = (stream.chunked, chunk_head(n as u64)) {
        let line = line.as_bytes();
        if line.len() < size_line {
            out.copy_within(at + size_line.., at + line.len());
            out.truncate(out.len() - (size_line - line.len()));
        }
        if let Some(slot) = out.get_mut(at..at + line.len()) {
            slot.copy_from_slice(line);
        }
        out.extend_from_slice(CHUNK_END);
    }
    if let Some(left) = stream.left.as_mut() {
        *left -= n as u64;
        if *left == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}
/// The `Date` value for this `process` call: read from the clock on the first response only.
fn fresh_date<'d>(date: &'d mut [u8; date::DATE_LEN], fresh: &mut bool) -> &'d [u8] {
    if !*fresh {
        date::with_date(|now| date.copy_from_slice(now));
        *fresh = true;
    }
    date
}
