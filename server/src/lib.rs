//! A small, fast, hard-to-abuse HTTP/1.1 server on std sockets and [`h1_parser`].
//!
//! ```
//! use std::io::{Read, Write};
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
//!
//! Linux gets an epoll event loop; macOS, the BSDs and Windows a portable one on the
//! `polling` crate (kqueue, IOCP), which `--cfg h1_portable_io` also selects on Linux.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod config;
pub mod conn;
mod date;
mod poll;
mod pump;
mod request;
mod response;
mod router;
mod server;
mod slots;
mod sys;
mod worker;

pub use config::ServerConfig;
pub use h1_parser::{Header, Headers, Method, Version};
pub use request::{Params, Request, MAX_PARAMS};
pub use response::{HeaderError, Response};
pub use router::{Handler, Router};
pub use server::{Server, ShutdownHandle};
