//! A small, fast, hard-to-abuse HTTP/1.1 server on std sockets and [`h1_parser`].
//!
//! ```
//! use std::io::{Read, Write};
//! use h1_server::{Router, Server, ServerConfig};
//!
//! let mut router = Router::new();
//! router.get("/", |_, res| {
//!     res.set_body("Hello, world!");
//! });
//! router.get("/users/:id", |req, res| {
//!     res.header("Content-Type", "text/plain");
//!     res.set_body(format!("user {}", req.param("id").unwrap_or("")));
//! });
//!
//! let server = Server::bind("127.0.0.1:0", ServerConfig::new().threads(1))?; // 0: any free port
//! let addr = server.local_addr();
//! let shutdown = server.shutdown_handle(); // shutdown.shutdown() from anywhere
//! let serving = std::thread::spawn(move || server.serve(router)); // returns after a shutdown
//!
//! let mut client = std::net::TcpStream::connect(addr)?;
//! client.write_all(b"GET /users/42 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(answer.ends_with("\r\n\r\nuser 42"));
//!
//! shutdown.shutdown();
//! serving.join().unwrap()?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! - [`Server`] binds, runs one readiness-based event loop per worker thread, and stops
//!   gracefully through its [`ShutdownHandle`].
//! - [`Router`] maps method and pattern (`/users/:id`, `/files/*rest`) to a [`Handler`]: any
//!   `Fn(&Request, &mut Response) + Send + Sync`. It answers 404 (or hands the request to its
//!   [`Router::fallback`]), and 405 with `Allow`.
//! - **Handlers may block**: by default a handler runs on the handler pool ([`Plan::blocking`],
//!   threads started on demand), the connection and its socket lent to that thread, so a
//!   handler that sleeps or waits on a database delays no other connection. One that never
//!   blocks can run on the event loop ([`Plan::inline`], [`Router::inline`], [`Inline`]): no
//!   thread hop, nothing allocated, its body read whole first.
//! - On the pool, a handler reads the body as it arrives ([`Request::body_reader`], `100
//!   Continue` on the first read, a per-route limit: [`Plan::body_limit`]), writes the answer
//!   as it goes ([`Response::writer`]: server-sent events, progress), answers later from any
//!   thread ([`Response::defer`] → [`Responder`]), or takes the connection over after `101`
//!   or a `CONNECT` ([`Response::upgrade`], [`Response::tunnel`] → [`Upgraded`]).
//! - The library's own answers — the router's 404 and 405, the server's 400, 408, 413, 503,
//!   a panicking handler's 500 — carry an [`Answer`] ([`Response::answer`]) and can be
//!   reshaped (a JSON error body) by [`ServerConfig::shape_answers`]; [`ServerConfig::log`]
//!   sees every answer ([`Served`]).
//! - [`Request`] is the parsed head (borrowed from the connection's buffer), the route
//!   parameters, the body, its trailers and the client's address; [`Response`] is status,
//!   fields and body. The server adds `Date`, `Content-Length` and `Connection`. A handler's
//!   2xx to `CONNECT` without [`Response::tunnel`] goes out as `501 Not Implemented`.
//! - A body may stream instead of sitting in memory: [`Response::set_body_reader`] (any
//!   `Read`, with `Content-Length` when its length is given, chunked otherwise; pulled on a
//!   handler thread, so it may block) and [`Response::set_body_file`] (a file or a range of
//!   it, pulled by the event loop only as the socket takes bytes, at most a 32 KiB window).
//! - Bodies read whole count against one budget ([`ServerConfig::body_memory`]): past it,
//!   `503` with `Retry-After`.
//! - [`Response::send_interim`] queues a `103 Early Hints` (any 1xx but 101) ahead of the
//!   final response, on HTTP/1.1 requests.
//! - [`files::ServeDir`] serves a directory (the binary's `--dir`): types, validators,
//!   conditional requests, ranges, listings, optional uploads, files streamed from disk.
//! - [`conn::Connection`] is the socket-free protocol core: bytes in, bytes out, time passed
//!   in. Tests and fuzzers drive it directly (every handler then runs inline).
//! - [`ServerConfig`] holds the limits and timeouts, with documented defaults.
//! - `signals::shutdown_on_signals` (feature `signals`) turns Ctrl-C and SIGTERM into a
//!   graceful shutdown, as the `h1-server` binary does.
//!
//! Serving a request inline allocates nothing: a connection allocates its buffers once and
//! reuses them (a counting-allocator test holds the server to it). A request on the pool
//! copies its head once and moves to a thread; a streamed reader is boxed once per response.
//! A panicking handler, body reader or upgrade costs its connection, never the server.
//!
//! Linux gets an epoll event loop; macOS, the BSDs and Windows a portable one on the
//! `polling` crate (kqueue, IOCP), which `--cfg h1_portable_io` also selects on Linux.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod answer;
mod budget;
mod config;
pub mod conn;
mod date;
mod exchange;
pub mod files;
mod handler;
mod log;
mod poll;
mod pool;
mod pump;
mod request;
mod response;
mod router;
mod server;
#[cfg(feature = "signals")]
pub mod signals;
mod slots;
mod source;
mod sys;
mod worker;

pub use answer::Answer;
pub use config::ServerConfig;
pub use exchange::body::BodyReader;
pub use exchange::responder::Responder;
pub use exchange::upgrade::Upgraded;
pub use exchange::writer::BodyWriter;
pub use h1_parser::{Header, Headers, Method, Version};
pub use handler::{Handler, Inline, Plan, Planned};
pub use log::Served;
pub use request::{Params, Request, MAX_PARAMS};
pub use response::refused::{HeaderError, InterimError};
pub use response::Response;
pub use router::{PlannedRoutes, Router};
pub use server::{Server, ShutdownHandle};
