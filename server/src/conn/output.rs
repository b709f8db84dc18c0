//! `Output`: the bytes waiting to be sent — answers written by the core into one buffer — with
//! the clocks of the write timeout and the minimum write rate.

use std::time::Instant;

use super::rate::RateWindow;
use super::timers::{earliest, past};
use crate::config::ServerConfig;

/// A streamed body is pulled while fewer than half this many bytes wait, up to this many: the
/// output of a connection streaming a body of any size stays under it (plus what was queued
/// before the body started). Under the 64 KiB a recycled connection keeps.
const STREAM_WINDOW: usize = 32 * 1024;

/// The output of a connection: written answers, of which `sent` bytes went out.
#[derive(Debug)]
pub(super) struct Output {
    bytes: Vec<u8>,
    sent: usize,
    /// When the output last made progress.
    since: Instant,
    /// The output's minimum rate ([`ServerConfig::min_write_rate`]).
    rate: RateWindow,
}

impl Output {
    pub(super) fn new(now: Instant) -> Output {
        Output {
            bytes: Vec::new(),
            sent: 0,
            since: now,
            rate: RateWindow::new(now),
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

    /// Where answers are written: appended after what waits.
    pub(super) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
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
            self.bytes.clear();
            self.sent = 0;
        } else if self.sent > self.bytes.len() / 2 {
            self.bytes.copy_within(self.sent.., 0);
            self.bytes.truncate(self.bytes.len() - self.sent);
            self.sent = 0;
        }
    }

    /// Room for the next piece of a streamed body, or `None` while enough waits (half the
    /// window); the bytes sent are dropped first, so the buffer stays within the window.
    pub(super) fn stream_room(&mut self) -> Option<usize> {
        if self.pending() > STREAM_WINDOW / 2 {
            return None;
        }
        if self.sent > 0 {
            // At most half the window waits: a short move.
            self.bytes.copy_within(self.sent.., 0);
            self.bytes.truncate(self.bytes.len() - self.sent);
            self.sent = 0;
        }
        Some(STREAM_WINDOW.saturating_sub(self.bytes.len()))
    }

    /// The kernel still holds `bytes` of what was handed over (see
    /// [`Connection::note_unsent_in_kernel`](super::Connection::note_unsent_in_kernel)).
    pub(super) fn note_queued(&mut self, bytes: usize) {
        self.rate.note_queued(bytes as u64);
    }

    /// When the write timeout or the rate window ends.
    pub(super) fn deadline(&self, config: &ServerConfig) -> Option<Instant> {
        let stall = self.since.checked_add(config.write_timeout);
        let rate = self.rate.end(config.min_write_rate, config.min_rate_window);
        earliest(stall, rate)
    }

    /// At a deadline: whether the reader is too slow (no progress for the write timeout, or
    /// less than the minimum rate over the window that ended; a kept window starts the next).
    pub(super) fn too_slow(&mut self, now: Instant, config: &ServerConfig) -> bool {
        let stalled = past(self.since, config.write_timeout, now);
        stalled
            || !self
                .rate
                .roll(now, config.min_write_rate, config.min_rate_window)
    }
}
