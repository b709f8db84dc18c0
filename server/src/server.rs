//! `Server` and its bind: the listener, one poller per worker, the worker threads, and the
//! handle that stops them.
//!
//! Model: `threads` workers, each with its own poller (see [`crate::poll`]), serving its
//! connections from one thread. A connection stays on the worker that accepted it.
//!
//! **One listener, woken exclusively** (epoll): all workers watch one shared non-blocking
//! listener, registered with `EPOLLEXCLUSIVE` (level-triggered), so a new connection wakes
//! one idle worker, not all of them; a worker that accepted registers again, which sends new
//! connections round the idle workers (`a_new_connection_wakes_one_worker_not_all`). Why not
//! one `SO_REUSEPORT` listener per worker: the kernel then hashes each connection to a worker
//! by its addresses whether that worker is busy or not, connections queued on a worker's
//! listener are lost with it, a second server on the same port starts silently and shares
//! the traffic, and a bind conflict would no longer be an error; the exclusive wake-up gives
//! one wake-up per accept with one shared queue.
//!
//! Why not thread-per-connection: measured with one core for the server, a plain
//! thread-per-connection server falls 30–50% behind nginx and hyper at 64–256 keep-alive
//! connections, and 10,000 idle connections would need 10,000 stacks.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::thread;

use crate::budget::Budget;
use crate::config::ServerConfig;
use crate::exchange::Inbox;
use crate::handler::Handler;
use crate::poll::Poller;
use crate::pool::Pool;
use crate::slots::Slots;
use crate::worker::{Shared, Stats, Worker};

/// Stops a [`Server`] gracefully from any thread: it stops listening at once (new connections
/// are refused), finishes the requests in flight (answering them with `Connection: close`),
/// closes idle connections, and [`Server::serve`] returns within
/// [`ServerConfig::shutdown_timeout`] (plus one tick).
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    shared: Arc<Shared>,
}

impl ShutdownHandle {
    /// Starts the graceful shutdown; calling it again does nothing more.
    pub fn shutdown(&self) {
        self.shared.begin_shutdown();
    }

    /// Whether a shutdown was requested.
    pub fn is_shutdown(&self) -> bool {
        self.shared.is_shutdown()
    }
}

/// An HTTP/1.1 server: bound at creation, serving on [`Server::serve`].
///
/// ```
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
    local_addr: SocketAddr,
    config: ServerConfig,
    /// One poller per worker, its waker in `shared`.
    pollers: Vec<Poller>,
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
                    let mut pollers = Vec::new();
                    let mut wakers = Vec::new();
                    for _ in 0..config.worker_threads() {
                        let (poller, waker) = Poller::new(true)?;
                        pollers.push(poller);
                        wakers.push(waker);
                    }
                    return Ok(Server {
                        local_addr,
                        config,
                        pollers,
                        shared: Arc::new(Shared::new(listener, wakers)),
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
        self.serve_counted(handler).map(drop)
    }

    /// [`Server::serve`], returning each worker's counters.
    fn serve_counted(self, handler: impl Handler) -> io::Result<Vec<Stats>> {
        let handler = Arc::new(handler);
        let config = Arc::new(self.config);
        let pool = Pool::new(config.handler_threads);
        let budget = Arc::new(Budget::new(config.body_memory));
        let mut workers = Vec::with_capacity(self.pollers.len());
        for (index, poller) in self.pollers.into_iter().enumerate() {
            let worker = Worker {
                poller,
                listener: self.shared.listener()?,
                handler: Arc::clone(&handler),
                config: Arc::clone(&config),
                shared: Arc::clone(&self.shared),
                slots: Slots::default(),
                pool: pool.clone(),
                budget: Arc::clone(&budget),
                inbox: Arc::new(Inbox::new(
                    self.shared
                        .waker(index)
                        .ok_or_else(|| io::Error::other("a worker without a waker"))?,
                    Arc::clone(&self.shared.open),
                )),
                returned: Vec::new(),
                accepting: false,
                stats: Stats::default(),
            };
            let spawned = thread::Builder::new()
                .name(format!("h1-worker-{index}"))
                .spawn(move || worker.run());
            match spawned {
                Ok(thread) => workers.push(thread),
                Err(error) => {
                    self.shared.begin_shutdown();
                    join_all(workers)?;
                    return Err(error);
                }
            }
        }
        join_all(workers)
    }

    /// Registers the listener without `EPOLLEXCLUSIVE` (for the measurement in the tests).
    #[cfg(all(test, target_os = "linux", not(h1_portable_io)))]
    fn shared_wakeups(mut self) -> Server {
        for poller in &mut self.pollers {
            poller.set_exclusive(false);
        }
        self
    }
}

fn join_all(workers: Vec<thread::JoinHandle<io::Result<Stats>>>) -> io::Result<Vec<Stats>> {
    let mut result = Ok(Vec::with_capacity(workers.len()));
    for worker in workers {
        let outcome = worker
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("a worker thread panicked")));
        match (&mut result, outcome) {
            (Ok(all), Ok(stats)) => all.push(stats),
            (Ok(_), Err(error)) => result = Err(error),
            (Err(_), _) => {}
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

#[cfg(test)]
mod tests;
