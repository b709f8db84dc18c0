//! `RateWindow`: the minimum-rate check for a request body and for the output.

use std::time::{Duration, Instant};

/// A minimum data rate, Apache mod_reqtimeout's `MinRate`, measured over consecutive
/// windows of [`ServerConfig::min_rate_window`](crate::config::ServerConfig::min_rate_window): when a window ends with the transfer
/// unfinished, it must have moved at least `rate × window` bytes. Counting per window, not
/// since the start, means that a burst buys no credit for later windows. The first window is
/// the grace period. For output, what the client took is what was written less what the
/// kernel's send queue grew by (see [`Connection::note_unsent_in_kernel`](super::Connection::note_unsent_in_kernel)).
#[derive(Clone, Copy, Debug)]
pub(super) struct RateWindow {
    start: Instant,
    bytes: u64,
    /// Output only: the bytes already written that the kernel still held when the window
    /// started (known when the previous window ended: unknown for the first window after the
    /// output started, which then counts the bytes written), and holds now (as last noted).
    queued_at_start: Option<u64>,
    queued: u64,
}

impl RateWindow {
    pub(super) fn new(now: Instant) -> RateWindow {
        RateWindow {
            start: now,
            bytes: 0,
            queued_at_start: None,
            queued: 0,
        }
    }

    /// The kernel holds `bytes` of what was written, unsent or unacknowledged.
    pub(super) fn note_queued(&mut self, bytes: u64) {
        self.queued = bytes;
    }

    pub(super) fn add(&mut self, n: usize) {
        self.bytes = self.bytes.saturating_add(n as u64);
    }

    /// When the window ends; `None` when the rate is not checked (rate 0).
    pub(super) fn end(&self, rate: u32, window: Duration) -> Option<Instant> {
        if rate == 0 || window.is_zero() {
            return None;
        }
        self.start.checked_add(window)
    }

    /// At the window's end: whether it moved enough bytes. A new window starts at `now`.
    pub(super) fn roll(&mut self, now: Instant, rate: u32, window: Duration) -> bool {
        let needed = u128::from(rate) * window.as_millis() / 1000;
        // Taken by the peer: written, plus what the kernel held at the start, less what it
        // holds now.
        let taken = match self.queued_at_start {
            Some(at_start) => self
                .bytes
                .saturating_add(at_start)
                .saturating_sub(self.queued),
            None => self.bytes,
        };
        let kept = u128::from(taken) >= needed;
        let queued = self.queued;
        *self = RateWindow::new(now);
        self.queued_at_start = Some(queued);
        self.queued = queued;
        kept
    }
}
