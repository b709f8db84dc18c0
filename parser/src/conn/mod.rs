//! The connection core: one HTTP/1.1 connection as a value, for either role. Bytes in,
//! [`Event`]s out; heads and bodies out through the checked [`write`](crate::write)rs.
//! `#![no_std]`, no allocation, no I/O, no clock: the caller owns every buffer and the socket,
//! and the core decides, once, everything RFC 9110 and RFC 9112 decide about a connection —
//! which bytes are the next message, whether the connection persists, what a HEAD, 1xx, 204,
//! 304 or CONNECT answer may carry, when `100 Continue` goes out, the order of pipelined
//! answers and where a tunnel's bytes start.
//!
//! **Input** works like [`BodyDecoder`](crate::BodyDecoder): `receive(input)` takes the bytes
//! received and not yet consumed and returns `(consumed, event)`. A head is consumed whole
//! once complete (until then the call consumes nothing: keep the bytes, append, call again);
//! body data is a range of the input (`&input[range]`), never copied. A head stays
//! resolvable (`request(head)`, `response(head)`) from the bytes it was read from, for as long
//! as its message lasts, without copying it out.
//!
//! # Server
//! ```
//! use h1_parser::conn::{Event, ServerConn};
//! use h1_parser::{write::Body, Config};
//!
//! // Two pipelined requests; the second closes the connection.
//! let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
//! let mut conn = ServerConn::new(Config::new());
//! let (mut at, mut out, mut bodies) = (0, Vec::new(), Vec::new());
//! loop {
//!     let (consumed, event) = conn.receive(&input[at..])?;
//!     match event {
//!         Event::Head => {
//!             let request = conn.request(&input[at..]).unwrap();
//!             assert_eq!(request.headers().get("host"), Some(&b"x"[..]));
//!         }
//!         Event::Data(range) => bodies.extend_from_slice(&input[at..][range]),
//!         Event::Trailer { .. } | Event::WriteContinue | Event::NeedMore => {}
//!         Event::End | Event::AnswerOwed => {
//!             // Answers go out in request order; the connection adds Connection: close.
//!             let mut answer = conn.respond(&mut out, 200)?;
//!             answer.field("Content-Type", "text/plain")?;
//!             answer.finish_with(b"hi")?;
//!         }
//!         Event::Closed => break,
//!         Event::Interim | Event::Upgrade => unreachable!(),
//!     }
//!     at += consumed;
//! }
//! assert_eq!(bodies, b"hello");
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi\
//!      HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"
//! );
//! # Ok::<(), h1_parser::conn::ConnError>(())
//! ```
//! An error from `receive` names its status: [`ServerConn::answer_error`] writes it with
//! `Connection: close`. Bodies of any size stream out with [`ServerConn::respond`],
//! `finish(Body::Length(n))` or `finish(Body::Chunked)`, then [`ServerConn::send_data`] and
//! [`ServerConn::finish`].
//!
//! # Client
//! ```
//! use h1_parser::conn::{ClientConn, Event};
//! use h1_parser::{write::Body, Config, Method};
//!
//! let mut conn = ClientConn::new(Config::new());
//! let mut out = Vec::new();
//! let mut request = conn.request(&mut out, Method::Put, "/file")?;
//! request.field("Host", "example.com")?.field("Expect", "100-continue")?;
//! request.finish(Body::Length(5))?;
//! assert!(!conn.may_send_body()); // held until the server says 100 Continue
//!
//! let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
//! let (mut at, mut body) = (0, Vec::new());
//! loop {
//!     let (consumed, event) = conn.receive(&input[at..])?;
//!     match event {
//!         Event::Interim => {
//!             assert!(conn.may_send_body());
//!             conn.send_data(&mut out, b"hello")?;
//!             conn.finish(&mut out)?;
//!         }
//!         Event::Head => assert_eq!(conn.response(&input[at..]).unwrap().status(), 201),
//!         Event::Data(range) => body.extend_from_slice(&input[at..][range]),
//!         Event::End => break,
//!         other => unreachable!("{other:?}"),
//!     }
//!     at += consumed;
//! }
//! assert_eq!(body, b"ok");
//! assert!(conn.keep_alive());
//! assert!(out.ends_with(b"Content-Length: 5\r\n\r\nhello"));
//! # Ok::<(), h1_parser::conn::ConnError>(())
//! ```

//! # Cost and size
//! Measured by `bench/conn-instructions.sh` (callgrind): a server connection answering 16
//! pipelined `GET / HTTP/1.1` per call with `Content-Type` and a 13-byte body costs about 1,170
//! instructions per request, parse and checked write included; a client connection reads a
//! 300-byte response with a body in about 9 % more instructions than [`ResponseParser`] and
//! [`BodyDecoder`] alone; a head arriving one byte per call costs the same per byte at any
//! size. Built for `thumbv7em-none-eabihf` (`ci/core-size`, both roles, 16
//! fields, opt-level `z`, LTO): 34,580 bytes of flash; a `ServerConn<16>` takes 640 bytes of
//! RAM and a `ClientConn<16>` 664 on a 64-bit host, buffers not included.
//!
//! [`ResponseParser`]: crate::ResponseParser
//! [`BodyDecoder`]: crate::BodyDecoder

mod client;
mod error;
mod event;
mod exchange;
mod incoming;
mod outgoing;
mod server;

pub use client::{ClientConn, Requesting, MAX_PIPELINED};
pub use error::ConnError;
pub use event::Event;
pub use server::{Answering, ServerConn, CONTINUE};
