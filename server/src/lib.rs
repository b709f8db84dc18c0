//! A small, fast, hard-to-abuse HTTP/1.1 server on std sockets and [`h1_parser`].
//!
//! ```no_run
//! use h1_server::{Request, Response, Router, Server, ServerConfig};
//!
//! let mut router = Router::new();
//! router.get("/", |_: &Request, res: &mut Response| {
//!     res.set_body("Hello, world!");
//! });
//! router.get("/users/:id", |req: &Request, res: &mut Response| {
//!     res.header("Content-Type", "text/plain");
//!     res.set_body(format!("user {}", req.param("id").unwrap_or("")));
//! });
//!
//! let server = Server::bind("127.0.0.1:5100", ServerConfig::new())?;
//! let shutdown = server.shutdown_handle(); // call shutdown.shutdown() from anywhere
//! server.serve(router)?; // returns after a graceful shutdown
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! - [`Server`] binds, runs one readiness-based event loop per worker thread, and stops
//!   gracefully through its [`ShutdownHandle`].
//! - [`Router`] maps method and pattern (`/users/:id`, `/files/*rest`) to a [`Handler`]: any
//!   `Fn(&Request, &mut Response) + Send + Sync`. It answers 404, and 405 with `Allow`.
//! - [`Request`] is the parsed head (borrowed from the connection's buffer), the route
//!   parameters and the decoded body; [`Response`] is status, fields and body. The server adds
//!   `Date`, `Content-Length` and `Connection`.
//! - [`conn::Connection`] is the socket-free protocol core: bytes in, bytes out, time passed
//!   in. Tests and fuzzers drive it directly.
//! - [`ServerConfig`] holds the limits and timeouts, with documented defaults.
//!
//! Serving a request allocates nothing: a connection allocates its buffers once and reuses
//! them (a counting-allocator test holds the server to it).

#![deny(missing_docs)]

mod config;
pub mod conn;
mod date;
mod io;
mod request;
mod response;
mod router;

pub use config::ServerConfig;
pub use h1_parser::{Header, Headers, Method, Version};
pub use io::{Server, ShutdownHandle};
pub use request::{Params, Request, MAX_PARAMS};
pub use response::{HeaderError, Response};
pub use router::{Handler, Router};
