//! A strict, resumable, zero-copy HTTP/1.1 parser for requests and responses: `#![no_std]`,
//! no allocation, no `unsafe`.
//!
//! Hand [`RequestParser::parse`] every byte received so far for a request. It answers
//! [`Progress::Partial`] (read more, then call again with the longer buffer) or
//! [`Progress::Complete`] with a [`Request`] whose method, target and headers borrow from your
//! buffer. The parser keeps its progress as offsets and looks at a byte again only while the
//! line it is in is still incomplete, so a head arriving in pieces costs one parse plus a small
//! constant per call, where re-parsing each longer prefix would cost a parse per call.
//!
//! ```
//! use h1_parser::{Framing, Method, Progress, RequestParser};
//!
//! // A request arriving in three reads.
//! let pieces: [&[u8]; 3] = [b"POST /upload?x=1 HT", b"TP/1.1\r\nHost: example.com\r\nCont", b"ent-Length: 3\r\n\r\nabc"];
//! let mut buf = Vec::new();
//! let mut parser = RequestParser::new();
//! for piece in pieces {
//!     buf.extend_from_slice(piece);
//!     match parser.parse(&buf)? {
//!         Progress::Partial => continue,
//!         Progress::Complete(request) => {
//!             assert_eq!(request.method(), Method::Post);
//!             assert_eq!(request.path(), "/upload");
//!             assert_eq!(request.headers().get("host"), Some(&b"example.com"[..]));
//!             assert_eq!(request.framing(), Framing::Length(3));
//!             assert_eq!(&buf[request.head_len()..], b"abc");
//!         }
//!     }
//! }
//! # Ok::<(), h1_parser::Error>(())
//! ```
//!
//! Strict by default: every rule of RFC 9112 that protects against request smuggling is
//! enforced, and each broken rule is its own [`Error`] variant with the HTTP status to answer
//! and, from [`RequestParser::error_offset`], the offset of the offending byte. The leniencies are
//! opt-in and named in [`Config`]. Bodies are decoded by [`BodyDecoder`], a push decoder of the
//! same design: fed whatever bytes arrived, it hands back slices of them.
//!
//! Responses are read the same way by [`ResponseParser`]: the same machine with a status-line
//! in front of the same field lines, giving a [`Response`] (version, status code, reason
//! phrase, headers). Its body framing depends on the request it answers, so
//! [`Response::framing`] takes the method (RFC 9112 §6.3): no body after HEAD or in a 1xx, 204
//! or 304, a [`Framing::Tunnel`] after 101 or a 2xx to CONNECT, and [`Framing::UntilClose`] when
//! the body runs until the server closes the connection, which the caller reports with
//! [`BodyDecoder::finish`].
//!
//! ```
//! use h1_parser::{BodyDecoder, Config, Decoded, Framing, Method, Progress, ResponseParser};
//!
//! let buf = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
//! let mut parser = ResponseParser::new();
//! let Progress::Complete(response) = parser.parse(buf)? else { unreachable!() };
//! assert_eq!((response.status(), response.reason()), (200, &b"OK"[..]));
//! let framing = response.framing(Method::Get, false)?;
//! assert_eq!(framing, Framing::Chunked);
//! let mut decoder = BodyDecoder::new(framing, Config::new());
//! let (_, found) = decoder.decode(&buf[response.head_len()..])?;
//! assert_eq!(found, Decoded::Data(b"hi"));
//! # Ok::<(), h1_parser::Error>(())
//! ```
//!
//! Messages are written by [`write`](mod@write): request and response heads and the chunked framing,
//! checked against the same rules, so nothing the parser would reject reaches the wire.
//!
//! Connections are run by [`conn`]: [`conn::ServerConn`] and [`conn::ClientConn`] take the
//! bytes received and give events (heads, body data as ranges of the input, trailers, the end
//! of a message, interim answers, an upgrade), write answers and requests through the checked
//! writer, and decide persistence, the framing of what is sent, `100 Continue`, pipelining and
//! upgrades per RFC 9110 and RFC 9112, so that a server, a client, a tokio codec and a
//! microcontroller loop share one set of decisions.
//!
//! # Features
//! - none (the default): `#![no_std]`, no allocation; dependencies `memchr` and `arrayvec`.
//! - `std`: `std::error::Error` for [`Error`] and [`write::WriteError`], and the writers into
//!   a `Vec<u8>` and any `std::io::Write`.
//! - `http` (brings `std` and the `http` crate): `h1_parser::http` converts parsed heads
//!   to `http::request::Parts` / `http::response::Parts` (fields as a `HeaderMap`) and writes
//!   such parts through the checked writers; `Method` and `Version` convert both ways with
//!   `From` / `TryFrom`.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Alphabetical. The layers (each file imports only the files above it, by path) are the
// module table of ARCHITECTURE.md; this file only declares and re-exports.
mod body;
mod chars;
mod chunked;
mod config;
pub mod conn;
mod error;
mod framing;
mod head;
mod headers;
#[cfg(feature = "http")]
pub mod http;
mod known;
mod message;
mod outcome;
mod request;
mod response;
mod span;
pub mod syntax;
mod uri;
pub mod write;

pub use body::BodyDecoder;
pub use config::Config;
pub use error::Error;
pub use headers::{Header, HeaderIter, Headers};
pub use message::{Framing, Method, TargetForm, Version};
#[allow(deprecated)]
pub use outcome::Status;
pub use outcome::{Decoded, Progress};
#[allow(deprecated)]
pub use request::Parser;
pub use request::{OwnedRequest, Request, RequestParser};
pub use response::{OwnedResponse, Response, ResponseParser};
pub use write::reason_phrase;
