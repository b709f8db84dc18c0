//! The one module that knows sockets, readiness and threads: `Server`, its workers and their
//! event loops.
//!
//! Model: `threads` workers, each with its own [`Poller`] (epoll/kqueue through the `polling`
//! crate) in level-triggered mode, serving its connections from one thread. All workers watch
//! one shared non-blocking listener and accept from it when it is readable (a few at a time, so
//! a burst of connections spreads over the workers). A connection stays on the worker that
//! accepted it. Level-triggered readiness costs no re-arming syscall: a request is one
//! `epoll_wait`, one `read`, one `write`.
//!
//! Why not thread-per-connection: measured with one core for the server, a plain
//! thread-per-connection server falls 30–50% behind nginx and hyper at 64–256 keep-alive
//! connections, and 10,000 idle connections would need 10,000 stacks.
//!
//! Why not `SO_REUSEPORT` listeners: they let a second server on the same port start silently
//! and share the traffic; the shared listener gives the same throughput for keep-alive traffic
//! (accepts are rare), and a bind conflict stays an error.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use polling::{Event, Events, PollMode, Poller};

use crate::conn::Connection;
use crate::{Handler, ServerConfig};

/// The poller key of the listener (`polling` reserves `usize::MAX`); connections use their
/// slot index.
const LISTENER: usize = usize::MAX - 1;

/// Connections accepted per listener wake-up, so that a burst spreads over the workers.
const ACCEPT_BATCH: usize = 8;

/// The answer to a connection over `max_connections` (RFC 9110 §15.6.4: 503, try again soon).
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// After the last response of a connection the server stops sending and reads (and drops)
/// what the client still sends, for at most this long or this many bytes, before closing: a
/// close with unread input would send a reset that can destroy the response in flight.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 256 * 1024;

/// What the workers share: the shutdown flag, a way to wake each of them, the open count.
#[derive(Debug)]
struct Shared {
    shutdown: AtomicBool,
    pollers: Vec<Arc<Poller>>,
    open: AtomicUsize,
}

/// Stops a [`Server`] gracefully from any thread: it stops accepting, finishes the requests in
/// flight (answering them with `Connection: close`), closes idle connections, and
/// [`Server::serve`] returns within [`ServerConfig::shutdown_timeout`] (plus one tick).
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    shared: Arc<Shared>,
}

impl ShutdownHandle {
    /// Starts the graceful shutdown; calling it again does nothing more.
    pub fn shutdown(&self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        for poller in &self.shared.pollers {
            // A poller that cannot be notified is already gone.
            let _ = poller.notify();
        }
    }

    /// Whether a shutdown was requested.
    pub fn is_shutdown(&self) -> bool {
        self.shared.shutdown.load(Ordering::SeqCst)
    }
}

/// An HTTP/1.1 server: bound at creation, serving on [`Server::serve`].
///
/// ```no_run
/// use h1_server::{Request, Response, Server, ServerConfig};
///
/// let server = Server::bind("127.0.0.1:0", ServerConfig::new().threads(2))?;
/// println!("listening on http://{}", server.local_addr());
/// let handle = server.shutdown_handle();
/// let worker = std::thread::spawn(move || {
///     server.serve(|_: &Request, res: &mut Response| {
///         res.set_body("Hello, world!");
///     })
/// });
/// // ... later, from any thread:
/// handle.shutdown();
/// worker.join().unwrap()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    config: ServerConfig,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds a listener on the first address of `addr` that accepts it (port 0 picks a free
    /// port: see [`Server::local_addr`]) and prepares one event loop per worker.
    pub fn bind(addr: impl ToSocketAddrs, config: ServerConfig) -> io::Result<Server> {
        let mut last_error = None;
        for addr in addr.to_socket_addrs()? {
            match listen(addr, config.backlog) {
                Ok(listener) => {
                    let local_addr = listener.local_addr()?;
                    let pollers = (0..config.worker_threads())
                        .map(|_| Poller::new().map(Arc::new))
                        .collect::<io::Result<Vec<_>>>()?;
                    let shared = Arc::new(Shared {
                        shutdown: AtomicBool::new(false),
                        pollers,
                        open: AtomicUsize::new(0),
                    });
                    return Ok(Server {
                        listener,
                        local_addr,
                        config,
                        shared,
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to bind")))
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// A handle that stops this server gracefully.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serves requests with `handler` on the worker threads until a shutdown through a
    /// [`ShutdownHandle`] completes. Returns the first error of a worker's event loop, if any.
    pub fn serve(self, handler: impl Handler) -> io::Result<()> {
        let handler = Arc::new(handler);
        let config = Arc::new(self.config);
        let mut workers = Vec::with_capacity(self.shared.pollers.len());
        for (index, poller) in self.shared.pollers.iter().enumerate() {
            let worker = Worker {
                poller: Arc::clone(poller),
                listener: Some(self.listener.try_clone()?),
                handler: Arc::clone(&handler),
                config: Arc::clone(&config),
                shared: Arc::clone(&self.shared),
                slots: Vec::new(),
                free: Vec::new(),
                accepting: true,
            };
            let spawned = thread::Builder::new()
                .name(format!("h1-worker-{index}"))
                .spawn(move || worker.run());
            match spawned {
                Ok(thread) => workers.push(thread),
                Err(error) => {
                    self.shutdown_handle().shutdown();
                    join_all(workers)?;
                    return Err(error);
                }
            }
        }
        join_all(workers)
    }
}

fn join_all(workers: Vec<thread::JoinHandle<io::Result<()>>>) -> io::Result<()> {
    let mut result = Ok(());
    for worker in workers {
        let outcome = worker
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("a worker thread panicked")));
        if result.is_ok() {
            result = outcome;
        }
    }
    result
}

/// A non-blocking listener with `SO_REUSEADDR` (so a restarted server can bind at once).
fn listen(addr: SocketAddr, backlog: i32) -> io::Result<TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// One connection on a worker.
struct Slot {
    stream: TcpStream,
    conn: Connection,
    /// The interest registered with the poller: (readable, writable).
    interest: (bool, bool),
    /// Set once the last response is out: read and drop input until then, then close.
    linger: Option<(Instant, usize)>,
}

struct Worker<H> {
    poller: Arc<Poller>,
    listener: Option<TcpListener>,
    handler: Arc<H>,
    config: Arc<ServerConfig>,
    shared: Arc<Shared>,
    slots: Vec<Option<Box<Slot>>>,
    free: Vec<usize>,
    accepting: bool,
}

impl<H: Handler> Worker<H> {
    fn run(mut self) -> io::Result<()> {
        if let Some(listener) = &self.listener {
            // SAFETY: the listener is deleted from the poller before it is dropped (see
            // `stop_accepting`, and `Drop for Worker`).
            unsafe {
                self.poller
                    .add_with_mode(listener, Event::readable(LISTENER), PollMode::Level)?;
            }
        }
        let tick = tick_interval(&self.config);
        let mut events =
            Events::with_capacity(NonZeroUsize::new(1024).unwrap_or(NonZeroUsize::MIN));
        let mut next_tick = Instant::now() + tick;
        let mut drain_deadline: Option<Instant> = None;
        loop {
            let now = Instant::now();
            let wait = next_tick.saturating_duration_since(now);
            events.clear();
            match self.poller.wait(&mut events, Some(wait)) {
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
            let now = Instant::now();
            for event in events.iter() {
                if event.key == LISTENER {
                    self.accept(now);
                } else {
                    self.drive(event.key, event.readable, now);
                }
            }
            if drain_deadline.is_none() && self.shared.shutdown.load(Ordering::SeqCst) {
                self.stop_accepting();
                drain_deadline = Some(now + self.config.shutdown_timeout);
                for key in 0..self.slots.len() {
                    if let Some(slot) = self.slots.get_mut(key).and_then(Option::as_mut) {
                        slot.conn.shutdown();
                        self.drive(key, false, now);
                    }
                }
            }
            if let Some(deadline) = drain_deadline {
                if self.slots.iter().all(Option::is_none) || now >= deadline {
                    return Ok(());
                }
            }
            if now >= next_tick {
                next_tick = now + tick;
                self.on_tick(now);
            }
        }
    }

    fn stop_accepting(&mut self) {
        if let Some(listener) = self.listener.take() {
            let _ = self.poller.delete(&listener);
        }
    }

    /// Accepts a few connections; more wait for the next wake-up (or another worker).
    fn accept(&mut self, now: Instant) {
        let Some(listener) = self.listener.take() else {
            return;
        };
        self.accept_from(&listener, now);
        self.listener = Some(listener);
    }

    fn accept_from(&mut self, listener: &TcpListener, now: Instant) {
        for _ in 0..ACCEPT_BATCH {
            let stream = match listener.accept() {
                Ok((stream, _)) => stream,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(_) => {
                    // Out of file descriptors or memory: stop accepting until the next tick
                    // instead of spinning on a listener that stays readable.
                    let _ = self.poller.modify(listener, Event::none(LISTENER));
                    self.accepting = false;
                    return;
                }
            };
            let open = self.shared.open.fetch_add(1, Ordering::SeqCst);
            if open >= self.config.max_connections {
                // Over the limit: a 503 into the empty send buffer (it never blocks, and a
                // short write only cuts the courtesy short), then close.
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.set_nonblocking(true);
                let _ = (&stream).write(OVER_CAPACITY);
                let _ = stream.shutdown(Shutdown::Write);
                continue;
            }
            if self.register(stream, now).is_err() {
                self.shared.open.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    fn register(&mut self, stream: TcpStream, now: Instant) -> io::Result<()> {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        let key = match self.free.pop() {
            Some(key) => key,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        // SAFETY: the stream is deleted from the poller before it is dropped (`remove`, and
        // `Drop for Worker`).
        let added = unsafe {
            self.poller
                .add_with_mode(&stream, Event::readable(key), PollMode::Level)
        };
        if let Err(error) = added {
            self.free.push(key);
            return Err(error);
        }
        let slot = Box::new(Slot {
            stream,
            conn: Connection::new(&self.config, now),
            interest: (true, false),
            linger: None,
        });
        if let Some(entry) = self.slots.get_mut(key) {
            *entry = Some(slot);
        }
        Ok(())
    }

    fn remove(&mut self, key: usize) {
        if let Some(slot) = self.slots.get_mut(key).and_then(Option::take) {
            let _ = self.poller.delete(&slot.stream);
            drop(slot);
            self.free.push(key);
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Moves bytes for one connection: read once (level-triggered readiness calls again if
    /// more is waiting), process, write what it can, and register the interest that follows.
    fn drive(&mut self, key: usize, readable: bool, now: Instant) {
        let keep = match self.slots.get_mut(key).and_then(Option::as_mut) {
            Some(slot) => drive_slot(slot, &*self.handler, readable, now),
            None => return,
        };
        if !keep {
            return self.remove(key);
        }
        if let Some(slot) = self.slots.get_mut(key).and_then(Option::as_mut) {
            let interest = if slot.linger.is_some() {
                (true, false)
            } else {
                (slot.conn.wants_read(), !slot.conn.output().is_empty())
            };
            if interest != slot.interest {
                let event = match interest {
                    (true, true) => Event::all(key),
                    (true, false) => Event::readable(key),
                    (false, true) => Event::writable(key),
                    (false, false) => Event::none(key),
                };
                if self.poller.modify(&slot.stream, event).is_err() {
                    return self.remove(key);
                }
                slot.interest = interest;
            }
        }
    }

    /// Timeouts, lingering closes, and re-enabling a paused listener.
    fn on_tick(&mut self, now: Instant) {
        if !self.accepting {
            if let Some(listener) = &self.listener {
                if self
                    .poller
                    .modify(listener, Event::readable(LISTENER))
                    .is_ok()
                {
                    self.accepting = true;
                }
            }
        }
        for key in 0..self.slots.len() {
            let Some(slot) = self.slots.get_mut(key).and_then(Option::as_mut) else {
                continue;
            };
            match slot.linger {
                Some((until, _)) if now >= until => self.remove(key),
                Some(_) => {}
                None => {
                    if slot.conn.handle_timeout(now) {
                        self.drive(key, false, now);
                    }
                }
            }
        }
    }
}

impl<H> Drop for Worker<H> {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            let _ = self.poller.delete(&listener);
        }
        for slot in self.slots.iter_mut().filter_map(Option::take) {
            let _ = self.poller.delete(&slot.stream);
            self.shared.open.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// How often a worker checks deadlines: a quarter of the shortest timeout, 5 ms to 250 ms.
fn tick_interval(config: &ServerConfig) -> Duration {
    let shortest = [
        config.head_timeout,
        config.idle_timeout,
        config.body_timeout,
        config.write_timeout,
    ]
    .into_iter()
    .min()
    .unwrap_or(Duration::from_secs(1));
    (shortest / 4).clamp(Duration::from_millis(5), Duration::from_millis(250))
}

/// One round of I/O for a connection; false when it must be removed now.
fn drive_slot<H: Handler + ?Sized>(
    slot: &mut Slot,
    handler: &H,
    readable: bool,
    now: Instant,
) -> bool {
    if let Some((until, dropped)) = slot.linger.as_mut() {
        let mut scratch = [0u8; 4096];
        loop {
            match slot.stream.read(&mut scratch) {
                Ok(0) => return false,
                Ok(n) => {
                    *dropped += n;
                    if *dropped > LINGER_BYTES || now >= *until {
                        return false;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return true,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
    }
    let conn = &mut slot.conn;
    if readable {
        if let Some(buf) = conn.read_buf() {
            match slot.stream.read(buf) {
                Ok(0) => conn.read_eof(),
                Ok(n) => conn.commit_read(n, now),
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                // Reset by the peer: it vanished, free everything.
                Err(_) => return false,
            }
        }
    }
    // Bounded: each round either empties the output or stops on a full socket.
    for _ in 0..64 {
        conn.process(handler, now);
        loop {
            let out = conn.output();
            if out.is_empty() {
                break;
            }
            match slot.stream.write(out) {
                Ok(0) => return false,
                Ok(n) => conn.consume_output(n, now),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        if !(conn.output().is_empty() && conn.has_buffered_requests()) {
            break;
        }
    }
    if conn.is_finished() {
        if !conn.should_linger() {
            return false;
        }
        // Everything is sent: half-close, then linger to read what the client still sends.
        let _ = slot.stream.shutdown(Shutdown::Write);
        slot.linger = Some((now + LINGER, 0));
    }
    true
}
