//! A static file server's building blocks: a directory served over `GET`, `HEAD` and
//! (optionally) `PUT`, with types by extension, validators and conditional requests, single
//! ranges, an escaped HTML listing, and no way out of the root.
//!
//! ```no_run
//! use h1_server::files::ServeDir;
//! use h1_server::{Server, ServerConfig};
//!
//! let dir = ServeDir::new("public")?.uploads(10 << 20);
//! Server::bind("127.0.0.1:8080", ServerConfig::new())?.serve(dir)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! - [`ServeDir::plan`] decides the answer ([`FilePlan`]) from the method, the raw path and
//!   the request's fields, reading only metadata and directory entries;
//! - [`respond`] writes a plan into a [`Response`](crate::Response), a file streamed from disk;
//! - [`Refusal`] says why a path is refused, and with which status: a `..` or `.` segment, an
//!   encoded `/` or `\`, a NUL or control byte, a malformed escape or invalid UTF-8 is 400; a
//!   symbolic link resolving outside the root is 403; a missing name, a dotfile (unless
//!   [`ServeDir::dotfiles`]) and an upload's temporary name are 404.
//!
//! The root is opened once, and every name is opened relative to it so that no component can
//! lead out (`openat2(RESOLVE_BENEATH)` on Linux, `openat` with `O_NOFOLLOW` per component on
//! the other unixes, a resolve-then-check on Windows, which someone able to create links
//! inside the root can race). What `plan` opened is what `respond` sends or writes into: there
//! is no second look-up by path to race. Listings are capped ([`ServeDir::listing_limit`]),
//! uploads have a total quota ([`ServeDir::upload_quota`]), `If-None-Match: *` creates
//! atomically.

mod beneath;
mod conditional;
mod listing;
mod mime;
mod path;
mod plan;
mod range;
mod respond;
mod upload;

pub use conditional::Validators;
pub use mime::{content_type, FALLBACK};
pub use path::Refusal;
pub use plan::{
    FileAnswer, FilePlan, ServeDir, DEFAULT_LISTING_LIMIT, DEFAULT_MAX_UPLOAD, DEFAULT_UPLOAD_QUOTA,
};
pub use range::ByteRange;
pub use respond::respond;
pub use upload::{UploadError, UploadTarget, Written};
