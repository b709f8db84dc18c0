//! `Served`: one answer as an access log sees it ([`ServerConfig::log`](crate::ServerConfig::log)).

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use h1_parser::Version;

use crate::answer::Answer;

/// One answer the server wrote, the library's own included (400, 408, 413, 431, 503…):
/// what [`ServerConfig::log`](crate::ServerConfig::log) is called with, when the answer's
/// head is written.
///
/// ```
/// use h1_server::{ServerConfig, Served};
///
/// fn log(served: &Served) {
///     eprintln!(
///         "{} \"{} {}\" {} {} {:?}",
///         served.peer.map_or("-".to_string(), |peer| peer.to_string()),
///         served.method,
///         served.target,
///         served.status,
///         served.body_bytes.map_or("-".to_string(), |bytes| bytes.to_string()),
///         served.duration,
///     );
/// }
/// let config = ServerConfig::new().log(log);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Served<'a> {
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// The request's method and target, or `-` when its head could not be read.
    pub method: &'a str,
    /// See [`Served::method`].
    pub target: &'a str,
    /// The request's version, when its head was read.
    pub version: Option<Version>,
    /// The status answered.
    pub status: u16,
    /// The body bytes the answer carries: none after HEAD, in a 204 or 304; `None` when a
    /// streamed body's length is not known in advance.
    pub body_bytes: Option<u64>,
    /// When the request's first byte was read.
    pub received: SystemTime,
    /// From the request's first byte to the answer's head written.
    pub duration: Duration,
    /// Which of the library's own answers this is, if it is one.
    pub answer: Option<Answer>,
}

impl Served<'static> {
    /// A connection over `max_connections`, answered `503` before any byte was read.
    pub(crate) fn over_capacity(peer: SocketAddr) -> Served<'static> {
        Served {
            peer: Some(peer),
            method: "-",
            target: "-",
            version: None,
            status: 503,
            body_bytes: Some(0),
            received: SystemTime::now(),
            duration: Duration::ZERO,
            answer: None,
        }
    }
}
