//! A worker's event loop: wait for readiness, accept, drive each connection's turn through
//! the pump, keep the deadlines, drain on shutdown.
//!
//! - **Work left over is never stranded**: a connection that still has input to read or
//!   buffered requests to answer after its turn (bounded, so that one pipelining client
//!   cannot starve the others) goes on the ready list, and the next wait does not block.
//!   Edge-triggered readiness makes this necessary: no new edge would come for bytes the
//!   worker already knows of. A connection waiting there gets one turn per round, however
//!   many events came for it meanwhile.
//! - **Time is kept coarsely**: the wait's own timeout ends at the next tick (a quarter of the
//!   shortest timeout, between 5 ms and 1 s), and each tick scans the dense array of the
//!   connections' deadlines. No timer syscall per request.
//! - **One listener, shared**: every worker watches the same non-blocking listener and
//!   accepts a few connections per wake-up, so that a burst spreads over the workers.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::budget::Budget;
use crate::config::ServerConfig;
use crate::conn::{Connection, Lend};
use crate::exchange::{self, Inbox, Lent};
use crate::handler::Handler;
use crate::log::Served;
use crate::poll::{Events, Poller, Ready, Waker};
use crate::pool::Pool;
use crate::pump::{linger, pump, Next, LINGER};
use crate::slots::Slots;
use crate::sys;

/// Connections accepted per listener wake-up, so that a burst spreads over the workers.
const ACCEPT_BATCH: usize = 8;

/// The answer to a connection over `max_connections` (RFC 9110 §15.6.4: 503, try again soon).
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// What the workers share: the shutdown flag, a way to wake each of them, the open count, and
/// the listening socket's first handle.
#[derive(Debug)]
pub(crate) struct Shared {
    shutdown: AtomicBool,
    wakers: Vec<Waker>,
    /// Connections open, over all workers (an upgraded one until its stream is dropped).
    pub(crate) open: Arc<AtomicUsize>,
    /// The listener the workers' handles are cloned from; taken and closed by the shutdown.
    listener: Mutex<Option<TcpListener>>,
}

impl Shared {
    pub(crate) fn new(listener: TcpListener, wakers: Vec<Waker>) -> Shared {
        Shared {
            shutdown: AtomicBool::new(false),
            wakers,
            open: Arc::new(AtomicUsize::new(0)),
            listener: Mutex::new(Some(listener)),
        }
    }

    /// A handle on the listener for a worker; `None` once the shutdown began.
    pub(crate) fn listener(&self) -> io::Result<Option<TcpListener>> {
        let listener = self.listener.lock().unwrap_or_else(PoisonError::into_inner);
        listener.as_ref().map(TcpListener::try_clone).transpose()
    }

    /// Starts the graceful shutdown: the listening socket stops taking connections at once
    /// (a client connecting now is refused, not left hanging until the drain ends), and every
    /// worker wakes to drain.
    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(listener) = listener {
            // On Linux, shutting a listening socket down stops it listening whatever other
            // handles the workers hold: queued and new connections are refused. Elsewhere this
            // fails, and the socket closes as the workers drop their handles on waking.
            let _ = socket2::SockRef::from(&listener).shutdown(Shutdown::Read);
        }
        for waker in &self.wakers {
            waker.wake();
        }
    }

    /// The waker of worker `index`.
    pub(crate) fn waker(&self, index: usize) -> Option<Waker> {
        self.wakers.get(index).cloned()
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }
}

/// Counters a worker keeps for the tests.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Listener events (wake-ups for new connections).
    pub(crate) listener_wakeups: usize,
    /// Listener events that found no connection to accept (another worker took it).
    pub(crate) empty_wakeups: usize,
    /// Connections accepted.
    pub(crate) accepted: usize,
    /// The longest the ready list was at the start of a round.
    pub(crate) max_ready: usize,
}

pub(crate) struct Worker<H> {
    pub(crate) poller: Poller,
    pub(crate) listener: Option<TcpListener>,
    pub(crate) handler: Arc<H>,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) slots: Slots,
    /// The handler threads, and where the connections lent to them come back.
    pub(crate) pool: Pool,
    /// The memory all workers' connections may hold in bodies read whole.
    pub(crate) budget: Arc<Budget>,
    pub(crate) inbox: Arc<Inbox>,
    /// The connections given back, taken from the inbox each round.
    pub(crate) returned: Vec<(usize, Option<Box<Connection>>)>,
    /// Whether the listener is registered.
    pub(crate) accepting: bool,
    pub(crate) stats: Stats,
}

impl<H: Handler> Worker<H> {
    pub(crate) fn run(mut self) -> io::Result<Stats> {
        self.start_accepting();
        let tick = tick_interval(&self.config);
        let mut next_tick = Instant::now() + tick;
        let mut drain_deadline: Option<Instant> = None;
        let mut events = Events::new();
        let mut readies: Vec<Ready> = Vec::new();
        let mut turn: Vec<usize> = Vec::new();
        loop {
            let now = Instant::now();
            let wait = if self.slots.has_ready() {
                Duration::ZERO
            } else {
                next_tick.saturating_duration_since(now)
            };
            if let Err(error) = self.poller.wait(&mut events, wait) {
                self.close_all();
                return Err(error);
            }
            readies.clear();
            readies.extend(events.iter());
            let now = Instant::now();
            self.on_events(&readies, now);
            self.take_returned(now);
            // Work left over from earlier rounds, in the order it was left.
            self.stats.max_ready = self.stats.max_ready.max(self.slots.ready_len());
            self.slots.take_ready(&mut turn);
            for &key in &turn {
                self.drive(key, now);
            }
            if drain_deadline.is_none() && self.shared.is_shutdown() {
                drain_deadline = Some(now + self.config.shutdown_timeout);
                self.begin_shutdown(now);
            }
            if let Some(deadline) = drain_deadline {
                if self.slots.is_empty() || now >= deadline {
                    self.close_all();
                    return Ok(std::mem::take(&mut self.stats));
                }
            }
            if now >= next_tick {
                next_tick = now + tick;
                self.on_tick(now);
            }
        }
    }

    /// What the poller reported: a listener to accept on, connections to drive.
    fn on_events(&mut self, readies: &[Ready], now: Instant) {
        for &event in readies {
            match event {
                Ready::Listener => self.accept(now),
                Ready::Conn {
                    key,
                    readable,
                    writable,
                    hup,
                } => {
                    let Some(slot) = self.slots.get_mut(key) else {
                        continue;
                    };
                    slot.registration.fired();
                    slot.io.readable |= readable;
                    slot.io.writable |= writable;
                    slot.io.hup |= hup;
                    // On the ready list, it gets its turn there, once.
                    if !self.slots.is_queued(key) {
                        self.drive(key, now);
                    }
                }
            }
        }
    }

    /// The shutdown starts: no more accepting; each connection finishes its answer in flight
    /// and closes, an idle one at once.
    fn begin_shutdown(&mut self, now: Instant) {
        self.stop_accepting();
        for key in 0..self.slots.key_bound() {
            let Some(slot) = self.slots.get_mut(key) else {
                continue;
            };
            match slot.conn.as_mut() {
                // Its handler finishes within the drain, or the socket is shut.
                _ if slot.lent => {}
                Some(conn) => {
                    conn.shutdown();
                    self.drive(key, now);
                }
                // Parked: idle, so it closes now.
                None if slot.io.linger.is_none() => self.remove(key),
                None => {}
            }
        }
    }

    fn start_accepting(&mut self) {
        if let Some(listener) = &self.listener {
            // Whatever registration a failed re-arm left behind goes first.
            self.poller.forget_listener(listener);
            self.accepting = self.poller.watch_listener(listener).is_ok();
        }
    }

    fn stop_accepting(&mut self) {
        if let Some(listener) = self.listener.take() {
            self.poller.forget_listener(&listener);
        }
        self.accepting = false;
    }

    /// Accepts a few connections; more wait for the next wake-up (or another worker).
    fn accept(&mut self, now: Instant) {
        let Some(listener) = self.listener.take() else {
            return;
        };
        self.stats.listener_wakeups += 1;
        let before = self.stats.accepted;
        self.accept_from(&listener, now);
        let accepted = self.stats.accepted > before;
        if !accepted {
            self.stats.empty_wakeups += 1;
        }
        if self.accepting && self.poller.listener_served(&listener, accepted).is_err() {
            // Registered again at the next tick.
            self.accepting = false;
        }
        self.listener = Some(listener);
    }

    fn accept_from(&mut self, listener: &TcpListener, now: Instant) {
        for _ in 0..ACCEPT_BATCH {
            let (stream, peer) = match listener.accept() {
                Ok(accepted) => accepted,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(_) => {
                    // Out of file descriptors or memory (or shut down): stop accepting until
                    // the next tick instead of spinning on a listener that stays readable.
                    self.poller.forget_listener(listener);
                    self.accepting = false;
                    return;
                }
            };
            self.stats.accepted += 1;
            let open = self.shared.open.fetch_add(1, Ordering::SeqCst);
            if open >= self.config.max_connections {
                // Over the limit: a 503 into the empty send buffer (it never blocks, and a
                // short write only cuts the courtesy short), then close.
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.set_nonblocking(true);
                let _ = (&stream).write(OVER_CAPACITY);
                let _ = stream.shutdown(Shutdown::Write);
                if let Some(log) = self.config.log {
                    let _ = std::panic::catch_unwind(|| log(&Served::over_capacity(peer)));
                }
                continue;
            }
            if self.register(stream, peer, now).is_err() {
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    fn register(&mut self, stream: TcpStream, peer: SocketAddr, now: Instant) -> io::Result<()> {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        let key = self.slots.next_key();
        let registration = self.poller.add(&stream, key)?;
        // Parked until its first bytes arrive.
        let deadline = now.checked_add(self.config.idle_timeout);
        self.slots
            .insert(stream, Some(peer), registration, now, deadline);
        Ok(())
    }

    fn remove(&mut self, key: usize) {
        if let Some(slot) = self.slots.remove(key, Instant::now()) {
            if slot.lent {
                // A handler still holds the socket: its blocked read or write ends now.
                let _ = slot.stream.shutdown(Shutdown::Both);
            }
            self.poller.forget(&slot.stream);
            drop(slot);
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Closes every connection (the drain ended, or the loop failed).
    fn close_all(&mut self) {
        for key in 0..self.slots.key_bound() {
            self.remove(key);
        }
        self.stop_accepting();
    }

    /// One turn for a connection, then asks the poller for what it lacks.
    fn drive(&mut self, key: usize, now: Instant) {
        self.turn(key, now);
        // A lent socket is the pool thread's: asking for its events would only spin.
        if let Some(slot) = self.slots.get_mut(key).filter(|slot| !slot.lent) {
            self.poller
                .rearm(&slot.stream, key, &mut slot.registration, &slot.io);
        }
    }

    /// Moves bytes for one connection (see [`pump`]) and acts on what it says: a socket with
    /// bytes to read borrows a connection from the pool, one that goes idle gives it back.
    fn turn(&mut self, key: usize, now: Instant) {
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        if slot.lent {
            return;
        }
        if slot.io.linger.is_some() {
            if linger(&mut &*slot.stream, &mut slot.io, now) == Next::Close {
                self.remove(key);
            }
            return;
        }
        let mut conn = match slot.conn.take() {
            Some(conn) => conn,
            None if slot.io.readable => {
                let (since, peer) = (slot.idle_since, slot.peer);
                let mut conn = self.slots.lend(&self.config, since);
                conn.serve_pool(peer, &self.budget);
                conn
            }
            // Parked, and nothing to read: an output event, nothing to do.
            None => return,
        };
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        let next = pump(
            &mut &*slot.stream,
            &mut slot.io,
            &mut conn,
            &*self.handler,
            now,
        );
        if next != Next::Close {
            if let Some(lend) = conn.take_handoff() {
                return self.lend(key, conn, lend);
            }
        }
        let deadline = match next {
            Next::Close => {
                self.slots.give_back(conn, now);
                return self.remove(key);
            }
            Next::Linger => {
                // Everything is sent: half-close, then read what the client still sends.
                let _ = slot.stream.shutdown(Shutdown::Write);
                let until = now + LINGER;
                slot.io.linger = Some((until, 0));
                // What the client sent meanwhile is read (and dropped) at once.
                slot.io.readable = true;
                self.slots.give_back(conn, now);
                self.slots.queue(key);
                Some(until)
            }
            Next::Again => {
                let deadline = conn.deadline();
                slot.conn = Some(conn);
                self.slots.queue(key);
                deadline
            }
            Next::Wait => match conn.idle_since() {
                // Idle: park the socket, the connection goes back to the pool.
                Some(since) => {
                    slot.idle_since = since;
                    self.slots.give_back(conn, now);
                    since.checked_add(self.config.idle_timeout)
                }
                None => {
                    let deadline = conn.deadline();
                    slot.conn = Some(conn);
                    deadline
                }
            },
        };
        self.slots.set_deadline(key, deadline);
    }

    /// Lends slot `key`'s connection and socket to a pool thread, which runs the handler for
    /// the request the connection stopped at.
    fn lend(&mut self, key: usize, conn: Box<Connection>, lend: Lend) {
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        slot.lent = true;
        let lent = Lent::new(conn, Arc::clone(&slot.stream), key, Arc::clone(&self.inbox));
        self.slots.set_deadline(key, None);
        let handler = Arc::clone(&self.handler);
        let config = Arc::clone(&self.config);
        match lend {
            Lend::Handler => self
                .pool
                .spawn(move || exchange::serve(lent, &*handler, &config)),
            Lend::Answer => self.pool.spawn(move || exchange::send(lent, &config)),
        }
    }

    /// Takes back the connections the pool is done with: each is driven again at once (its
    /// socket may hold the next request, and no new edge would say so).
    fn take_returned(&mut self, now: Instant) {
        self.inbox.take(&mut self.returned);
        // Taken out for the loop's borrow of self; its buffer goes back after.
        let mut returned = std::mem::take(&mut self.returned);
        for (key, conn) in returned.drain(..) {
            let Some(slot) = self.slots.get_mut(key).filter(|slot| slot.lent) else {
                continue;
            };
            slot.lent = false;
            match conn {
                Some(mut conn) => {
                    if self.shared.is_shutdown() {
                        // Shut down while lent: it closes now unless a request is in flight.
                        conn.shutdown();
                    }
                    slot.conn = Some(conn);
                    slot.io.readable = true;
                    slot.io.writable = true;
                    self.drive(key, now);
                }
                None => {
                    self.poller.deregister(&slot.stream);
                    self.remove(key);
                }
            }
        }
        self.returned = returned;
    }

    /// Deadlines (timeouts, minimum rates, lingering closes), and re-enabling a paused
    /// listener.
    fn on_tick(&mut self, now: Instant) {
        if !self.accepting && self.listener.is_some() {
            self.start_accepting();
        }
        // After a burst (more connections freed than the pool holds), once per tick at most.
        if self.slots.take_freed() {
            sys::release_freed_memory();
        }
        for key in 0..self.slots.key_bound() {
            if !self.slots.is_due(key, now) {
                continue;
            }
            let Some(slot) = self.slots.get_mut(key) else {
                continue;
            };
            match slot.conn.as_mut() {
                Some(conn) if slot.io.linger.is_none() => {
                    if !conn.output().is_empty() {
                        if let Some(queued) = sys::unsent_in_kernel(&slot.stream) {
                            conn.note_unsent_in_kernel(queued);
                        }
                    }
                    conn.handle_timeout(now);
                    // Acted on or not (a rate window that was kept), the deadline moves on.
                    self.drive(key, now);
                }
                // Lingered long enough, or parked past its idle timeout.
                _ => self.remove(key),
            }
        }
    }
}

/// However the worker ends, unwinding included, its sockets leave the poller before they
/// close (the portable backend's registration requires it, see `sys::watch`).
impl<H> Drop for Worker<H> {
    fn drop(&mut self) {
        for key in 0..self.slots.key_bound() {
            if let Some(slot) = self.slots.remove(key, Instant::now()) {
                if slot.lent {
                    let _ = slot.stream.shutdown(Shutdown::Both);
                }
                self.poller.forget(&slot.stream);
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
            }
        }
        if let Some(listener) = self.listener.take() {
            self.poller.forget_listener(&listener);
        }
    }
}

/// How often a worker checks deadlines: a quarter of the shortest timeout (or rate window),
/// 5 ms to 1 s.
fn tick_interval(config: &ServerConfig) -> Duration {
    let shortest = [
        config.head_timeout,
        config.idle_timeout,
        config.body_timeout,
        config.write_timeout,
        config.min_rate_window,
    ]
    .into_iter()
    .filter(|timeout| !timeout.is_zero())
    .min()
    .unwrap_or(Duration::from_secs(1));
    (shortest / 4).clamp(Duration::from_millis(5), Duration::from_secs(1))
}
