//! Writing messages: request and response heads and the chunked framing, checked by the rules
//! the parser reads them with, into a caller's `&mut [u8]` (no allocation) or, with the `std`
//! feature, a `Vec<u8>` (appended to) or any `io::Write` (`finish_to`).
//!
//! | item | writes |
//! |---|---|
//! | [`RequestHead::new`], [`ResponseHead::new`] | the request-line / status-line |
//! | `.field(name, value)` | one field line, order and case as given |
//! | `.fields(`[`CheckedFields`]`)` | with `std`: field lines checked when they were set, copied |
//! | `.finish(`[`Body`]`)` | the framing field (Content-Length or Transfer-Encoding) and the empty line; returns the head's length |
//! | [`chunk_head`], [`write_chunk_head`] | a chunk's size line (with extensions); the data is the caller's, then [`CHUNK_END`] |
//! | [`last_chunk`], [`LAST_CHUNK`] | the last chunk and the trailer fields |
//! | [`reason_phrase`] | the RFC 9110 §15 phrase of a status code |
//!
//! Whatever the parser would reject is refused with a [`WriteError`] naming the rule (and
//! [`WriteError::parser_error`], the parser's error for it), so no caller can split a response
//! or smuggle a request through a writer. Sender rules stricter than the reader's are refused
//! too: a framing field given as a field, a body where the status or method forbids one
//! (1xx, 204, 304, HEAD, CONNECT), chunked in HTTP/1.0, a Host missing from an HTTP/1.1
//! request. On a refusal nothing counts as written: a slice writer returns the error and no
//! length, a Vec writer truncates back, and a head dropped before `finish` is undone too.
//! Anything a writer accepts parses back to the same start line, fields and framing.
//!
//! ```
//! use h1_parser::write::{chunk_head, last_chunk, Body, RequestHead, WriteError, CHUNK_END};
//! use h1_parser::{Method, Version};
//!
//! let mut buf = [0u8; 256];
//! // Header injection is refused, with the rule named; nothing counts as written.
//! let mut head = RequestHead::new(&mut buf, Method::Get, "/", Version::Http11)?;
//! let refused = head.field("X-A", "1\r\nX-Injected: 2").unwrap_err();
//! assert_eq!(refused, WriteError::InvalidFieldValue);
//! drop(head);
//!
//! let mut head = RequestHead::new(&mut buf, Method::Put, "/log", Version::Http11)?;
//! head.field("Host", "example.com")?;
//! let head_len = head.finish(Body::Chunked)?;
//! let mut wire = buf[..head_len].to_vec();
//! for data in [&b"first "[..], b"second"] {
//!     // The size line is handed back: the data is never copied beside it by the writer.
//!     wire.extend_from_slice(chunk_head(data.len() as u64)?.as_bytes());
//!     wire.extend_from_slice(data);
//!     wire.extend_from_slice(CHUNK_END);
//! }
//! let len = last_chunk(&mut buf, [("Checksum", "abc")])?;
//! wire.extend_from_slice(&buf[..len]);
//! assert_eq!(
//!     wire,
//!     b"PUT /log HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n\
//!       6\r\nfirst \r\n6\r\nsecond\r\n0\r\nChecksum: abc\r\n\r\n"
//! );
//! # Ok::<(), WriteError>(())
//! ```

mod chunked;
mod error;
#[cfg(feature = "std")]
mod fields;
mod framing;
mod head;
mod out;
mod reason;
mod rules;

pub use chunked::{chunk_head, last_chunk, write_chunk_head, ChunkHead, CHUNK_END, LAST_CHUNK};
pub use error::WriteError;
#[cfg(feature = "std")]
pub use fields::CheckedFields;
pub use framing::Body;
#[cfg(feature = "std")]
pub(crate) use head::WholeHead;
pub use head::{RequestHead, ResponseHead};
pub use out::Out;
pub use reason::reason_phrase;
