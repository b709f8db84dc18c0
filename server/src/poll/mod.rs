//! The readiness seam: one [`Poller`] per worker, with two backends behind the same API.
//!
//! - `epoll` (Linux): every connection registered once, edge-triggered, for input, output and
//!   the peer's close, and never modified; the listener level-triggered with `EPOLLEXCLUSIVE`.
//!   A keep-alive request costs a wait, a read and a write.
//! - `portable` (macOS and the BSDs through kqueue, Windows through IOCP, others through
//!   `poll`; on Linux too when built with `--cfg h1_portable_io`): the `polling` crate, chosen
//!   over `mio` because it registers the standard library's sockets as they are (the pump,
//!   the slots and the accept path stay one code for both backends) and its oneshot mode is
//!   the same everywhere, Windows included, where `mio` needs its own socket types. Oneshot:
//!   after an event, [`Poller::rearm`] asks again for what the connection lacks — a fourth
//!   syscall per request, and a check at arming time, so no event is ever lost.
//!
//! Both report the same [`Ready`] values; the worker keeps what it was told in the slot's
//! [`Readiness`] and spends it (see [`crate::pump`]).

use std::time::Instant;

#[cfg(all(target_os = "linux", not(h1_portable_io)))]
mod epoll;
#[cfg(all(target_os = "linux", not(h1_portable_io)))]
pub(crate) use epoll::{Events, Poller, Registration, Waker};

#[cfg(any(h1_portable_io, not(target_os = "linux")))]
mod portable;
#[cfg(any(h1_portable_io, not(target_os = "linux")))]
pub(crate) use portable::{Events, Poller, Registration, Waker};

/// Events taken per wait.
const EVENTS: usize = 1024;

/// What one wait reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ready {
    /// The listener has connections to accept.
    Listener,
    /// A connection's readiness: its slot key, and what became possible.
    Conn {
        key: usize,
        readable: bool,
        writable: bool,
        /// The peer closed its side or the socket failed.
        hup: bool,
    },
}

/// The readiness a connection was told of and has not used up, and whether it is lingering
/// before its close.
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// The peer closed its side (or the socket failed): read until EOF, a short read does
    /// not mean the socket is empty of news.
    pub(crate) hup: bool,
    /// Set once the last response is out: read and drop input until then, then close.
    pub(crate) linger: Option<(Instant, usize)>,
}

/// The name of the backend this build uses, for the tests' messages and the README's table.
#[allow(dead_code)]
pub(crate) const BACKEND: &str = if cfg!(all(target_os = "linux", not(h1_portable_io))) {
    "epoll"
} else {
    "polling"
};
