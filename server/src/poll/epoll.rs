//! Linux's epoll, through `rustix`: edge-triggered connections registered once, the listener
//! level-triggered with `EPOLLEXCLUSIVE`, an eventfd to wake the worker.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;

use rustix::event::epoll::{self, EventData, EventFlags};
use rustix::event::{eventfd, EventfdFlags, Timespec};

use super::Readiness;
use super::{Ready, EVENTS};

/// The epoll key of the listener; connections use their slot index.
const LISTENER: u64 = u64::MAX;
/// The epoll key of the worker's eventfd, written to wake it for a shutdown.
const WAKER: u64 = u64::MAX - 1;

/// Wakes a worker's wait from any thread.
#[derive(Clone, Debug)]
pub(crate) struct Waker(Arc<OwnedFd>);

impl Waker {
    pub(crate) fn wake(&self) {
        // A full counter (never here) or a closed worker: it is awake or gone either way.
        let _ = rustix::io::write(&*self.0, &1u64.to_ne_bytes());
    }
}

/// Nothing to keep per connection: its registration is never modified.
#[derive(Debug, Default)]
pub(crate) struct Registration;

impl Registration {
    pub(crate) fn fired(&mut self) {}
}

/// One worker's epoll instance.
#[derive(Debug)]
pub(crate) struct Poller {
    epoll: OwnedFd,
    waker: Arc<OwnedFd>,
    /// Whether the listener is registered with `EPOLLEXCLUSIVE` (always, but in a
    /// measurement).
    exclusive: bool,
}

impl Poller {
    pub(crate) fn new(exclusive: bool) -> io::Result<(Poller, Waker)> {
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let waker = Arc::new(eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?);
        epoll::add(&epoll, &*waker, EventData::new_u64(WAKER), EventFlags::IN)?;
        let poller = Poller {
            epoll,
            waker: Arc::clone(&waker),
            exclusive,
        };
        Ok((poller, Waker(waker)))
    }

    /// Sets whether the listener is registered with `EPOLLEXCLUSIVE` (from its next
    /// registration on).
    #[cfg(test)]
    pub(crate) fn set_exclusive(&mut self, exclusive: bool) {
        self.exclusive = exclusive;
    }

    /// Watches the listener: `EPOLLEXCLUSIVE` (level-triggered) wakes one waiting worker (or
    /// a few) for a new connection, not all.
    pub(crate) fn watch_listener(&self, listener: &TcpListener) -> io::Result<()> {
        let flags = if self.exclusive {
            EventFlags::IN | EventFlags::EXCLUSIVE
        } else {
            EventFlags::IN
        };
        epoll::add(&self.epoll, listener, EventData::new_u64(LISTENER), flags)?;
        Ok(())
    }

    pub(crate) fn forget_listener(&self, listener: &TcpListener) {
        let _ = epoll::delete(&self.epoll, listener);
    }

    /// After a listener event. The kernel wakes the first idle worker in the listener's wait
    /// queue, in the order the workers registered: the same worker would take every
    /// connection while it is idle. Registering again (an `EPOLLEXCLUSIVE` registration
    /// cannot be modified, only deleted and added) moves this worker to the end of the queue,
    /// so the connections go round the idle workers: two `epoll_ctl` per accepting wake-up,
    /// none per request.
    pub(crate) fn listener_served(&self, listener: &TcpListener, accepted: bool) -> io::Result<()> {
        if self.exclusive && accepted {
            self.forget_listener(listener);
            self.watch_listener(listener)?;
        }
        Ok(())
    }

    /// Registers a connection once, for everything, edge-triggered; closing the stream (never
    /// duplicated) removes it from the epoll set.
    pub(crate) fn add(&self, stream: &TcpStream, key: usize) -> io::Result<Registration> {
        let flags = EventFlags::IN | EventFlags::OUT | EventFlags::RDHUP | EventFlags::ET;
        epoll::add(&self.epoll, stream, EventData::new_u64(key as u64), flags)?;
        Ok(Registration)
    }

    /// Edge-triggered: the registration already covers whatever comes next.
    pub(crate) fn rearm(&self, _: &TcpStream, _: usize, _: &mut Registration, _: &Readiness) {}

    /// Closing the stream removes it from the epoll set.
    pub(crate) fn forget(&self, _: &TcpStream) {}

    /// Removes a connection whose socket lives on elsewhere (an upgrade's): closing the
    /// worker's handle would not.
    pub(crate) fn deregister(&self, stream: &TcpStream) {
        let _ = epoll::delete(&self.epoll, stream);
    }

    /// Waits up to `timeout` for events (a wake-up from the [`Waker`] ends it early).
    pub(crate) fn wait(&self, events: &mut Events, timeout: Duration) -> io::Result<()> {
        let timeout = Timespec::try_from(timeout).unwrap_or(Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        });
        events.0.clear();
        match epoll::wait(
            &self.epoll,
            rustix::buffer::spare_capacity(&mut events.0),
            Some(&timeout),
        ) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(error) => return Err(error.into()),
        }
        if events.0.iter().any(|event| event.data.u64() == WAKER) {
            // Resets the counter; the shutdown flag says why it was written.
            let _ = rustix::io::read(&*self.waker, &mut [0u8; 8]);
        }
        Ok(())
    }
}

/// The events of one wait; made on the worker's own thread (epoll's carry a pointer-sized
/// union, which is not `Send`).
pub(crate) struct Events(Vec<epoll::Event>);

impl Events {
    pub(crate) fn new() -> Events {
        Events(Vec::with_capacity(EVENTS))
    }

    /// What the last [`Poller::wait`] reported.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Ready> + '_ {
        self.0.iter().filter_map(|event| {
            let (key, flags) = (event.data.u64(), event.flags);
            match key {
                LISTENER => Some(Ready::Listener),
                WAKER => None,
                _ => {
                    let key = usize::try_from(key).ok()?;
                    let hup = EventFlags::HUP | EventFlags::ERR | EventFlags::RDHUP;
                    Some(Ready::Conn {
                        key,
                        readable: flags.intersects(EventFlags::IN | hup),
                        writable: flags.intersects(EventFlags::OUT | hup),
                        hup: flags.intersects(hup),
                    })
                }
            }
        })
    }
}
