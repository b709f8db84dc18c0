//! `Output`: the bytes waiting to be sent — responses serialized into one buffer — with the
//! clocks of the write timeout and the minimum write rate.

use std::time::Instant;

use h1_parser::write::{Body, ResponseHead, WriteError};
use h1_parser::{Method, Version};

use super::rate::RateWindow;
use crate::date;
use crate::response::{reason, Response};

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

    /// Drops what is waiting (the client does not read it).
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.sent = 0;
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
            self.clear();
        } else if self.sent > self.bytes.len() / 2 {
            self.bytes.copy_within(self.sent.., 0);
            self.bytes.truncate(self.bytes.len() - self.sent);
            self.sent = 0;
        }
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
    pub(super) fn push_response(&mut self, response: &Response, request: Answering) -> bool {
        let date = fresh_date(&mut self.date, &mut self.date_fresh);
        // One reservation for the head's fixed parts and the body: the writer then only copies.
        self.bytes
            .reserve(128 + response.header_lines().len() + response.body().len());
        if write_response(&mut self.bytes, response, date, request).is_ok() {
            return true;
        }
        self.bytes.extend_from_slice(REFUSED);
        false
    }
}

/// What the response answers: the parts of the request its framing depends on.
#[derive(Clone, Copy, Debug)]
pub(super) struct Answering {
    pub(super) is_head: bool,
    pub(super) is_connect: bool,
    pub(super) keep_alive: bool,
}

/// Sent instead of a response the writer refused.
const REFUSED: &[u8] =
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Serializes `response` through the writer: status line, `Date`, `Connection`, the handler's
/// fields, the framing field and the body (not for HEAD, 204 and 304).
fn write_response(
    out: &mut Vec<u8>,
    response: &Response,
    date: &[u8],
    request: Answering,
) -> Result<(), WriteError> {
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
    let length = response.body().len() as u64;
    // RFC 9110 §8.6: no Content-Length in a 204; a HEAD answer says the length a GET would
    // get (§9.3.2); a 304 says none (its body is the handler's, not the representation's).
    let (body, send) = match status {
        204 | 304 => (Body::None, false),
        _ if request.is_head => (Body::Advertised(length), false),
        _ => (Body::Length(length), true),
    };
    head.finish(body)?;
    if send {
        out.extend_from_slice(response.body());
    }
    Ok(())
}
/// The `Date` value for this `process` call: read from the clock on the first response only.
fn fresh_date<'d>(date: &'d mut [u8; date::DATE_LEN], fresh: &mut bool) -> &'d [u8] {
    if !*fresh {
        date::with_date(|now| date.copy_from_slice(now));
        *fresh = true;
    }
    date
}
