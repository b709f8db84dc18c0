//! `Request`: what a handler sees — the parsed head, the route parameters and the body.

use std::net::SocketAddr;

use arrayvec::ArrayVec;
use h1_parser::{Headers, Method, Version};

use crate::exchange::body::{BodyReader, Streamed};

/// Most `:param` and `*rest` segments a route pattern may have; they live in a fixed-size
/// array so that routing allocates nothing.
pub const MAX_PARAMS: usize = 8;

/// The route parameters of a request: `(name, value)` pairs, in pattern order. Values are the
/// raw path segments (not percent-decoded); a `*rest` value is the rest of the path, without
/// its leading `/`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params<'a> {
    pairs: ArrayVec<(&'a str, &'a str), MAX_PARAMS>,
}

impl<'a> Params<'a> {
    /// The value of the parameter `name`, if the route has it.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|&(_, value)| value)
    }

    /// The `(name, value)` pairs in pattern order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.pairs.iter().copied()
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when the route has no parameters.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Forgets the pairs.
    pub(crate) fn clear(&mut self) {
        self.pairs.clear();
    }

    /// Adds a pair; false when the array is full (the router never lets that happen).
    pub(crate) fn push(&mut self, name: &'a str, value: &'a str) -> bool {
        self.pairs.try_push((name, value)).is_ok()
    }
}

/// A complete request: the head as parsed by `h1-parser` (every slice borrows from the
/// connection's buffer), the route parameters and the decoded body.
///
/// ```
/// use h1_server::{Request, Response, Router};
///
/// let mut router = Router::new();
/// router.get("/users/:id", |req: &Request, res: &mut Response| {
///     let id = req.param("id").unwrap_or("");
///     let agent = req.header("user-agent").unwrap_or(b"?");
///     res.set_body(format!("user {id}, agent {}", String::from_utf8_lossy(agent)));
/// });
/// ```
#[derive(Clone, Debug)]
pub struct Request<'a> {
    head: h1_parser::Request<'a>,
    params: Params<'a>,
    body: Body<'a>,
    peer: Option<SocketAddr>,
}

/// Where a request's body is.
#[derive(Clone, Copy, Debug)]
enum Body<'a> {
    /// Read whole before the handler ran (an inline handler), with its trailer fields.
    Whole(&'a [u8], &'a [(Vec<u8>, Vec<u8>)]),
    /// Read as the handler asks (a handler on the pool).
    Streamed(&'a Streamed),
}

impl<'a> Request<'a> {
    pub(crate) fn new(
        head: h1_parser::Request<'a>,
        body: &'a [u8],
        trailers: &'a [(Vec<u8>, Vec<u8>)],
        peer: Option<SocketAddr>,
    ) -> Request<'a> {
        Request {
            head,
            params: Params::default(),
            body: Body::Whole(body, trailers),
            peer,
        }
    }

    pub(crate) fn streamed(
        head: h1_parser::Request<'a>,
        body: &'a Streamed,
        peer: Option<SocketAddr>,
    ) -> Request<'a> {
        Request {
            head,
            params: Params::default(),
            body: Body::Streamed(body),
            peer,
        }
    }

    /// This request with no parameters yet, for the router to fill in place (through
    /// [`Request::params_mut`]): a `Params` is 264 bytes, moved once less per request.
    #[inline]
    pub(crate) fn routed(&self) -> Request<'a> {
        Request {
            head: self.head,
            params: Params::default(),
            body: self.body,
            peer: self.peer,
        }
    }

    pub(crate) fn params_mut(&mut self) -> &mut Params<'a> {
        &mut self.params
    }

    /// The method.
    pub fn method(&self) -> Method<'a> {
        self.head.method()
    }

    /// The request-target exactly as received, e.g. `/a/b?c=1`.
    pub fn target(&self) -> &'a str {
        self.head.target()
    }

    /// The path of the target, without the query, e.g. `/a/b`.
    pub fn path(&self) -> &'a str {
        self.head.path()
    }

    /// The query of the target (after the first `?`), if any, not decoded.
    pub fn query(&self) -> Option<&'a str> {
        self.head.query()
    }

    /// The HTTP version of the request.
    pub fn version(&self) -> Version {
        self.head.version()
    }

    /// The header fields in the order received; names as received, values with the
    /// surrounding whitespace trimmed.
    pub fn headers(&self) -> Headers<'a> {
        self.head.headers()
    }

    /// The value of the first header field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.head.headers().get(name)
    }

    /// The value of the route parameter `name` (`:name` or `*name` in the pattern).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params.get(name)
    }

    /// All route parameters.
    pub fn params(&self) -> &Params<'a> {
        &self.params
    }

    /// The body, decoded (chunked framing removed); empty when the request has none. An
    /// inline handler's request was read whole before it ran; on the pool, the first call
    /// reads it all now (bytes a [`Request::body_reader`] took before are not in it).
    ///
    /// On the pool, a body that breaks the route's limit or a rule, comes too slowly or does
    /// not fit [`ServerConfig::body_memory`](crate::ServerConfig::body_memory) stops the
    /// handler here (it unwinds, without a panic message), so nothing acts on a body that is
    /// not the client's; the server answers 413, 400, 408 or 503.
    pub fn body(&self) -> &'a [u8] {
        match self.body {
            Body::Whole(body, _) => body,
            Body::Streamed(body) => match body.whole() {
                Some(body) => body,
                None => std::panic::resume_unwind(Box::new(BodyRefused)),
            },
        }
    }

    /// The body as it arrives, for a handler on the pool: see [`BodyReader`]. An inline
    /// handler's reader reads the body already received.
    pub fn body_reader(&self) -> impl std::io::Read + 'a {
        match self.body {
            Body::Whole(body, _) => Reader::Whole(body),
            Body::Streamed(body) => Reader::Streamed(BodyReader::new(body)),
        }
    }

    /// The trailer fields that followed a chunked body (RFC 9112 §7.1.2), once the body was
    /// read to its end: names and values as received.
    pub fn trailers(&self) -> &'a [(Vec<u8>, Vec<u8>)] {
        match self.body {
            Body::Whole(_, trailers) => trailers,
            Body::Streamed(body) => body.trailers(),
        }
    }

    /// The client's address (the peer of the connection), when the socket knows it.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The parsed head, for what this type does not forward (target form, framing, …).
    pub fn head(&self) -> &h1_parser::Request<'a> {
        &self.head
    }
}

/// What stops a handler whose body could not be read whole (see [`Request::body`]).
struct BodyRefused;

/// A request body as a reader, wherever it is.
enum Reader<'a> {
    Whole(&'a [u8]),
    Streamed(BodyReader<'a>),
}

impl std::io::Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Reader::Whole(body) => body.read(buf),
            Reader::Streamed(reader) => reader.read(buf),
        }
    }
}
