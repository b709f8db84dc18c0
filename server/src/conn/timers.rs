//! `Timers`: the clocks of the request being read — the idle, head and body deadlines and the
//! body's minimum rate. The output's clocks are the output's.

use std::time::{Duration, Instant};

use super::rate::RateWindow;
use crate::config::ServerConfig;

/// Which clock runs while a request is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Between requests: no byte of the next one here yet.
    Idle,
    /// Reading a request head.
    Head,
    /// Reading a request body.
    Body,
}

/// When the current phase's clock started, and the body's rate window.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timers {
    phase: Phase,
    since: Instant,
    body_rate: RateWindow,
}

impl Timers {
    pub(super) fn new(now: Instant) -> Timers {
        Timers {
            phase: Phase::Idle,
            since: now,
            body_rate: RateWindow::new(now),
        }
    }

    /// The phase whose clock runs.
    pub(super) fn phase(&self) -> Phase {
        self.phase
    }

    /// Enters `phase` at `now`; a body's rate window starts with it.
    pub(super) fn enter(&mut self, phase: Phase, now: Instant) {
        self.phase = phase;
        self.since = now;
        if phase == Phase::Body {
            self.body_rate = RateWindow::new(now);
        }
    }

    /// `n` bytes arrived at `now`: a body's progress restarts its clock.
    pub(super) fn received(&mut self, n: usize, now: Instant) {
        if self.phase == Phase::Body && n > 0 {
            self.since = now;
            self.body_rate.add(n);
        }
    }

    /// Since when the connection is idle, when it is.
    pub(super) fn idle_since(&self) -> Option<Instant> {
        (self.phase == Phase::Idle).then_some(self.since)
    }

    /// The idle, head or body deadline, or the end of the body's rate window.
    pub(super) fn deadline(&self, config: &ServerConfig) -> Option<Instant> {
        match self.phase {
            Phase::Idle => self.since.checked_add(config.idle_timeout),
            Phase::Head => self.since.checked_add(config.head_timeout),
            Phase::Body => earliest(
                self.since.checked_add(config.body_timeout),
                self.body_rate
                    .end(config.min_body_rate, config.min_rate_window),
            ),
        }
    }

    /// At a body deadline: whether the body is too slow (stalled for the body timeout, or
    /// under the minimum rate over the window that ended; a kept window starts the next).
    pub(super) fn body_too_slow(&mut self, now: Instant, config: &ServerConfig) -> bool {
        past(self.since, config.body_timeout, now)
            || !self
                .body_rate
                .roll(now, config.min_body_rate, config.min_rate_window)
    }
}

/// The earlier of two deadlines, either of which may be absent.
pub(super) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether `timeout` has run out since `start` (never, when the sum overflows).
pub(super) fn past(start: Instant, timeout: Duration, now: Instant) -> bool {
    start.checked_add(timeout).is_some_and(|end| now >= end)
}
