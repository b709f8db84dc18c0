//! The portable backend: the `polling` crate (kqueue, IOCP, event ports, epoll or `poll`
//! underneath), oneshot: each event disarms its source until [`Poller::rearm`] asks again.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use polling::Event;

use super::Readiness;
use super::{Ready, EVENTS};
use crate::sys;

/// The polling key of the listener (`usize::MAX` is polling's own); connections use their slot
/// index.
const LISTENER: usize = usize::MAX - 1;

/// Wakes a worker's wait from any thread.
#[derive(Clone, Debug)]
pub(crate) struct Waker(Arc<polling::Poller>);

impl Waker {
    pub(crate) fn wake(&self) {
        // Fails only if the poller is gone, and then its worker is too.
        let _ = self.0.notify();
    }
}

/// What a connection's oneshot registration is armed for: nothing after an event.
#[derive(Debug, Default)]
pub(crate) struct Registration {
    readable: bool,
    writable: bool,
}

impl Registration {
    /// An event came: oneshot, the registration is disarmed.
    pub(crate) fn fired(&mut self) {
        *self = Registration::default();
    }
}

/// One worker's poller.
#[derive(Debug)]
pub(crate) struct Poller {
    poller: Arc<polling::Poller>,
}

impl Poller {
    /// A poller; `exclusive` has no meaning here (every worker watching the listener is told
    /// of a new connection, and those that find none re-arm and wait again).
    pub(crate) fn new(_exclusive: bool) -> io::Result<(Poller, Waker)> {
        let poller = Arc::new(polling::Poller::new()?);
        let waker = Waker(Arc::clone(&poller));
        Ok((Poller { poller }, waker))
    }

    pub(crate) fn watch_listener(&self, listener: &TcpListener) -> io::Result<()> {
        sys::watch(&self.poller, listener, Event::readable(LISTENER))
    }

    pub(crate) fn forget_listener(&self, listener: &TcpListener) {
        let _ = self.poller.delete(listener);
    }

    /// After a listener event: arms it again (connections still queued wake it at once).
    pub(crate) fn listener_served(&self, listener: &TcpListener, _: bool) -> io::Result<()> {
        self.poller.modify(listener, Event::readable(LISTENER))
    }

    /// Registers a connection for input and output; the first event tells what it can do.
    pub(crate) fn add(&self, stream: &TcpStream, key: usize) -> io::Result<Registration> {
        sys::watch(&self.poller, stream, Event::all(key))?;
        Ok(Registration {
            readable: true,
            writable: true,
        })
    }

    /// After a turn: asks for what the connection lacks (input once it has read all, room
    /// once a write fell short); nothing if it is already armed for that.
    pub(crate) fn rearm(
        &self,
        stream: &TcpStream,
        key: usize,
        registration: &mut Registration,
        io: &Readiness,
    ) {
        let wanted = Registration {
            readable: !io.readable,
            writable: !io.writable,
        };
        if wanted.readable == registration.readable && wanted.writable == registration.writable {
            return;
        }
        let interest = Event::new(key, wanted.readable, wanted.writable);
        // Fails only for a socket already closed by the peer and the system: its next read or
        // write fails too, and the deadline closes it.
        if self.poller.modify(stream, interest).is_ok() {
            *registration = wanted;
        }
    }

    /// Deletes a connection's registration; called before its stream is closed.
    pub(crate) fn forget(&self, stream: &TcpStream) {
        let _ = self.poller.delete(stream);
    }

    /// Removes a connection whose socket lives on elsewhere (an upgrade's).
    pub(crate) fn deregister(&self, stream: &TcpStream) {
        self.forget(stream);
    }

    /// Waits up to `timeout` for events (a wake-up from the [`Waker`] ends it early).
    pub(crate) fn wait(&self, events: &mut Events, timeout: Duration) -> io::Result<()> {
        events.0.clear();
        match self.poller.wait(&mut events.0, Some(timeout)) {
            Ok(_) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(error) => Err(error),
        }
    }
}

/// The events of one wait, made on the worker's own thread.
pub(crate) struct Events(polling::Events);

impl Events {
    pub(crate) fn new() -> Events {
        let capacity = NonZeroUsize::new(EVENTS).unwrap_or(NonZeroUsize::MIN);
        Events(polling::Events::with_capacity(capacity))
    }

    /// What the last [`Poller::wait`] reported.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Ready> + '_ {
        self.0.iter().map(|event| match event.key {
            LISTENER => Ready::Listener,
            key => {
                let hup = event.is_interrupt() || event.is_err() == Some(true);
                Ready::Conn {
                    key,
                    readable: event.readable || hup,
                    writable: event.writable || hup,
                    hup,
                }
            }
        })
    }
}
