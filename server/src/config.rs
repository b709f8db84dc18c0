//! `ServerConfig`: the limits and timeouts of a server, with documented defaults.

use std::time::Duration;

use crate::log::Served;
use crate::response::Response;

/// Limits and timeouts. Every field has a default chosen to be safe on the open internet; the
/// builder methods are `const` so a configuration can be a `const`.
///
/// | setting | default | what it bounds |
/// |---|---|---|
/// | `parser` | [`h1_parser::Config::new`] | head size 32 KiB, target 8 KiB, 100 fields, body 8 MiB, … |
/// | `threads` | 0 = one per available core | worker threads, each with its own event loop |
/// | `head_timeout` | 10 s | the whole request head, from its first byte: then `408` and close |
/// | `idle_timeout` | 60 s | a keep-alive connection waiting for its next request: then close |
/// | `body_timeout` | 30 s | the wait for more body bytes (reset by each read): then `408` and close |
/// | `write_timeout` | 30 s | a client that does not read its response: then close |
/// | `min_body_rate` | 500 bytes/s | a request body slower than this over a window: `408` and close |
/// | `min_write_rate` | 500 bytes/s | a client reading its responses slower than this over a window: close |
/// | `min_rate_window` | 10 s | the window both rates are measured over; the first one is the grace period |
/// | `max_connections` | 20 000 | open connections over all workers; more get `503` and are closed at once |
/// | `read_buffer_size` | 4 KiB | a connection's first read buffer; it grows up to the head limit and stays while the connection is busy (an idle one holds no buffer) |
/// | `shutdown_timeout` | 10 s | how long a graceful shutdown waits for requests in flight |
/// | `backlog` | 1024 | the listen backlog |
/// | `log` | none | called for every answer written, the library's own included (an access log) |
/// | `body_memory` | 256 MiB | request bodies read whole, all connections together: past it, `503` |
/// | `handler_threads` | 512 | the most threads running handlers on the pool at once (more wait) |
/// | `shape_answers` | leaves them as they are | reshapes the library's own answers (404, 405, 400, 408, …) |
///
/// ```
/// use std::time::Duration;
/// let config = h1_server::ServerConfig::new()
///     .threads(2)
///     .head_timeout(Duration::from_secs(5))
///     .parser(h1_parser::Config::new().max_body_size(1 << 20));
/// assert_eq!(config.parser.max_body_size, 1 << 20);
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The parser's limits: head size, target length, header count, body size, chunk
    /// extensions and trailers (each mapped to its status: 431, 414, 413, …).
    pub parser: h1_parser::Config,
    /// Worker threads, each running one event loop; 0 means one per available core.
    pub threads: usize,
    /// Deadline for a whole request head, counted from its first byte. A client trickling
    /// bytes gets `408 Request Timeout` and is disconnected when it passes.
    pub head_timeout: Duration,
    /// How long a connection may wait, with no request in progress, for its next request.
    pub idle_timeout: Duration,
    /// How long a body read may wait for more bytes; each received byte restarts it.
    pub body_timeout: Duration,
    /// How long a response may wait for the client to read it; each write restarts it.
    pub write_timeout: Duration,
    /// The slowest request body accepted, in bytes per second, measured over each
    /// [`ServerConfig::min_rate_window`] while a body is read (Apache mod_reqtimeout's
    /// `MinRate`): a window that ends with the body unfinished and fewer than
    /// `min_body_rate × window` bytes received gets `408` and a close. Without it a client
    /// sending one byte just before each `body_timeout` holds its connection forever
    /// ("slow POST"). 0 turns the check off.
    pub min_body_rate: u32,
    /// The slowest reader accepted, in bytes per second, measured over each
    /// [`ServerConfig::min_rate_window`] while output is waiting: a window that ends with
    /// output unsent and fewer than `min_write_rate × window` bytes written closes the
    /// connection ("slow read"). In the first window bytes count when the kernel takes them;
    /// after it, only those the client took (the server asks the kernel how much of what it
    /// wrote is still queued: a send buffer the kernel grows for a slow reader earns it
    /// nothing). 0 turns the check off. A handler on the pool writes with blocking writes
    /// instead, each bounded by [`ServerConfig::write_timeout`].
    pub min_write_rate: u32,
    /// The window the minimum rates are measured over. The first window of a body or of
    /// pending output is its grace period: nothing is checked before it ends.
    pub min_rate_window: Duration,
    /// Most connections open at once, over all workers.
    pub max_connections: usize,
    /// Initial size of a connection's read buffer, in bytes. It grows (up to the head limit
    /// plus the trailer limit plus this size) when a head needs it, and keeps its size.
    pub read_buffer_size: usize,
    /// How long a graceful shutdown waits for requests in flight before closing everything.
    pub shutdown_timeout: Duration,
    /// The listen backlog passed to `listen(2)`.
    pub backlog: i32,
    /// Called with every answer as its head is written, the library's own (400, 408, 413,
    /// 431, 503…) included: an access log. Runs on the thread that writes the answer (a
    /// worker or a handler thread), so it should be quick.
    pub log: Option<fn(&Served<'_>)>,
    /// The most bytes all connections together hold in request bodies read whole (an inline
    /// handler's body, [`Request::body`](crate::Request::body) on the pool). A body that
    /// would pass it is answered `503 Service Unavailable` with `Retry-After`, so slow or
    /// many uploads pin this much memory at most, however many clients and however slow.
    /// Bodies read as they arrive ([`Request::body_reader`](crate::Request::body_reader))
    /// hold no more than the read buffer and do not count.
    pub body_memory: usize,
    /// The most threads of the handler pool, where handlers that may block run
    /// ([`Plan::blocking`](crate::Plan::blocking), the default): one per request being
    /// handled, started on demand, ended after 10 s idle. Past it, requests wait for a thread.
    /// A written stream ([`Response::writer`](crate::Response::writer)) or an upgraded
    /// connection holds its thread for as long as it lasts.
    pub handler_threads: usize,
    /// Called with each answer the library writes itself — the router's 404 and 405, the
    /// server's 400, 408, 413, 414, 431, 501, 505, the 500 of a panicking handler — to change
    /// its body and fields; [`Response::answer`] says which it is. It receives the status, a
    /// plain-text body, and for 405 the `Allow` field; a `Content-Type` is added after it only
    /// when it set none. The connection still closes after a server error. A plain `fn`, so
    /// the configuration stays `Copy`; it runs on the worker threads.
    ///
    /// ```
    /// use h1_server::{Response, ServerConfig};
    ///
    /// fn as_json(res: &mut Response) {
    ///     let body = format!("{{\"status\":{}}}", res.status());
    ///     res.header("Content-Type", "application/json").set_body(body);
    /// }
    /// let config = ServerConfig::new().shape_answers(as_json);
    /// ```
    pub shape_answers: fn(&mut Response),
}

/// The default [`ServerConfig::shape_answers`].
fn as_they_are(_: &mut Response) {}

impl ServerConfig {
    /// The defaults of the table above.
    pub const fn new() -> ServerConfig {
        ServerConfig {
            parser: h1_parser::Config::new(),
            threads: 0,
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            min_body_rate: 500,
            min_write_rate: 500,
            min_rate_window: Duration::from_secs(10),
            max_connections: 20_000,
            read_buffer_size: 4 * 1024,
            shutdown_timeout: Duration::from_secs(10),
            backlog: 1024,
            log: None,
            body_memory: 256 * 1024 * 1024,
            handler_threads: 512,
            shape_answers: as_they_are,
        }
    }

    /// Sets [`ServerConfig::parser`].
    pub const fn parser(mut self, parser: h1_parser::Config) -> ServerConfig {
        self.parser = parser;
        self
    }

    /// Sets [`ServerConfig::threads`].
    pub const fn threads(mut self, threads: usize) -> ServerConfig {
        self.threads = threads;
        self
    }

    /// Sets [`ServerConfig::head_timeout`].
    pub const fn head_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.head_timeout = timeout;
        self
    }

    /// Sets [`ServerConfig::idle_timeout`].
    pub const fn idle_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`ServerConfig::body_timeout`].
    pub const fn body_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.body_timeout = timeout;
        self
    }

    /// Sets [`ServerConfig::write_timeout`].
    pub const fn write_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.write_timeout = timeout;
        self
    }

    /// Sets [`ServerConfig::min_body_rate`] (bytes per second; 0: no minimum).
    pub const fn min_body_rate(mut self, bytes_per_second: u32) -> ServerConfig {
        self.min_body_rate = bytes_per_second;
        self
    }

    /// Sets [`ServerConfig::min_write_rate`] (bytes per second; 0: no minimum).
    pub const fn min_write_rate(mut self, bytes_per_second: u32) -> ServerConfig {
        self.min_write_rate = bytes_per_second;
        self
    }

    /// Sets [`ServerConfig::min_rate_window`].
    pub const fn min_rate_window(mut self, window: Duration) -> ServerConfig {
        self.min_rate_window = window;
        self
    }

    /// Sets [`ServerConfig::max_connections`].
    pub const fn max_connections(mut self, connections: usize) -> ServerConfig {
        self.max_connections = connections;
        self
    }

    /// Sets [`ServerConfig::read_buffer_size`] (at least 256 bytes are used).
    pub const fn read_buffer_size(mut self, bytes: usize) -> ServerConfig {
        self.read_buffer_size = bytes;
        self
    }

    /// Sets [`ServerConfig::shutdown_timeout`].
    pub const fn shutdown_timeout(mut self, timeout: Duration) -> ServerConfig {
        self.shutdown_timeout = timeout;
        self
    }

    /// Sets [`ServerConfig::log`].
    pub const fn log(mut self, log: fn(&Served<'_>)) -> ServerConfig {
        self.log = Some(log);
        self
    }

    /// Sets [`ServerConfig::body_memory`].
    pub const fn body_memory(mut self, bytes: usize) -> ServerConfig {
        self.body_memory = bytes;
        self
    }

    /// Sets [`ServerConfig::handler_threads`].
    pub const fn handler_threads(mut self, threads: usize) -> ServerConfig {
        self.handler_threads = threads;
        self
    }

    /// Sets [`ServerConfig::backlog`].
    pub const fn backlog(mut self, backlog: i32) -> ServerConfig {
        self.backlog = backlog;
        self
    }

    /// Sets [`ServerConfig::shape_answers`].
    pub const fn shape_answers(mut self, shape: fn(&mut Response)) -> ServerConfig {
        self.shape_answers = shape;
        self
    }

    /// The worker count [`ServerConfig::threads`] stands for.
    pub fn worker_threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig::new()
    }
}
