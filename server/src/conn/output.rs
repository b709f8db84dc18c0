//! `Output`: the bytes waiting to be sent — responses serialized into one buffer — with the
//! clocks of the write timeout and the minimum write rate.

use std::time::Instant;

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

    /// Queues `response` (see [`write_response`]).
    pub(super) fn push_response(&mut self, response: &Response, is_head: bool, keep_alive: bool) {
        let date = fresh_date(&mut self.date, &mut self.date_fresh);
        write_response(&mut self.bytes, response, date, is_head, keep_alive);
    }
}

/// Serializes `response`: status line, `Date`, `Content-Length`, `Connection`, the handler's
/// fields, the body (not for HEAD, 1xx, 204 and 304).
fn write_response(
    out: &mut Vec<u8>,
    response: &Response,
    date: &[u8],
    is_head: bool,
    keep_alive: bool,
) {
    let status = response.status();
    // One reservation for the head's fixed parts and the body: the pieces below then only
    // copy; 200's status line and `Date: ` are one piece.
    out.reserve(128 + response.header_lines().len() + response.body().len());
    if status == 200 {
        out.extend_from_slice(b"HTTP/1.1 200 OK\r\nDate: ");
    } else {
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(&three_digits(status));
        out.push(b' ');
        out.extend_from_slice(reason(status).as_bytes());
        out.extend_from_slice(b"\r\nDate: ");
    }
    out.extend_from_slice(date);
    // RFC 9110 §8.6: no Content-Length in 1xx and 204; 304 has no body (we send no length).
    let bodyless = status < 200 || status == 204 || status == 304;
    if !bodyless {
        out.extend_from_slice(b"\r\nContent-Length: ");
        push_decimal(out, response.body().len() as u64);
    }
    out.extend_from_slice(if keep_alive {
        b"\r\nConnection: keep-alive\r\n"
    } else {
        b"\r\nConnection: close\r\n"
    });
    out.extend_from_slice(response.header_lines());
    out.extend_from_slice(b"\r\n");
    if !bodyless && !is_head {
        out.extend_from_slice(response.body());
    }
}

/// The `Date` value for this `process` call: read from the clock on the first response only.
fn fresh_date<'d>(date: &'d mut [u8; date::DATE_LEN], fresh: &mut bool) -> &'d [u8] {
    if !*fresh {
        date::with_date(|now| date.copy_from_slice(now));
        *fresh = true;
    }
    date
}

/// A status code in 100..=999 as three ASCII digits.
fn three_digits(status: u16) -> [u8; 3] {
    let status = status.clamp(100, 999);
    [
        b'0' + (status / 100) as u8,
        b'0' + (status / 10 % 10) as u8,
        b'0' + (status % 10) as u8,
    ]
}

fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}
