//! Responses: `ResponseParser`, the head machine started at the status-line, and `Response`,
//! its borrowed output.

use arrayvec::ArrayVec;

use crate::config::Config;
use crate::error::Error;
use crate::framing::{response_framing, Answered};
use crate::head::{HeadMachine, HeadParts, StartLine, StatusParts};
use crate::headers::Headers;
use crate::message::{Framing, Method, Version};
use crate::outcome::Progress;
#[cfg(doc)]
use crate::request::RequestParser;
use crate::span::RawHeader;

/// A resumable, strict HTTP/1.1 response-head parser with room for `N` header fields: the
/// calling pattern of [`RequestParser`], for the other direction.
///
/// Hand [`ResponseParser::parse`] every byte received so far for a response; it answers
/// [`Progress::Partial`] or [`Progress::Complete`] with a [`Response`] borrowing from your buffer.
/// The field lines go through the same machine as a request's, under the same rules and
/// leniencies; the status-line is RFC 9112 §4 (see [`Config::allow_missing_reason_sp`] for the
/// one leniency of its own). Host rules do not apply to responses.
///
/// ```
/// use h1_parser::{BodyDecoder, Config, Decoded, Framing, Method, Progress, ResponseParser};
///
/// // The answer to a GET: an interim 100 Continue, then the final response, whose body runs
/// // until the server closes the connection.
/// let wire: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nServer: x\r\n\r\nhello";
/// let mut parser = ResponseParser::new();
/// let mut at = 0;
/// let (framing, body_at) = loop {
///     let Progress::Complete(response) = parser.parse(&wire[at..])? else {
///         unreachable!("the whole head is here")
///     };
///     // The GET sent no Upgrade field: a 101 would be an error here.
///     let framing = response.framing(Method::Get, false)?;
///     let head_len = response.head_len();
///     if response.is_interim() {
///         // RFC 9110 §15.2: a 1xx is complete in itself; the final response follows.
///         assert_eq!((response.status(), framing), (100, Framing::NoBody));
///         at += head_len;
///         parser.reset();
///         continue;
///     }
///     assert_eq!(response.status(), 200);
///     assert_eq!(response.reason(), b"OK");
///     assert_eq!(response.headers().get("server"), Some(&b"x"[..]));
///     break (framing, at + head_len);
/// };
/// assert_eq!(framing, Framing::UntilClose);
/// let mut decoder = BodyDecoder::new(framing, Config::new());
/// let (consumed, found) = decoder.decode(&wire[body_at..])?;
/// assert_eq!((consumed, found), (5, Decoded::Data(b"hello")));
/// decoder.finish()?; // the connection closed: the body is complete
/// assert!(decoder.is_done());
/// # Ok::<(), h1_parser::Error>(())
/// ```
///
/// **1xx responses.** Every 1xx is a complete message with no body (RFC 9112 §6.3 item 1).
/// After a `100 Continue` (or `103 Early Hints`), call [`ResponseParser::reset`] and parse the
/// bytes after its [`Response::head_len`]: the final response to the same request follows.
/// `101 Switching Protocols` is not interim ([`Response::is_interim`] is false): when the
/// request offered an upgrade, [`Response::framing`] is [`Framing::Tunnel`], no more HTTP/1.1 on
/// this connection, the bytes after the head belong to the new protocol; when it did not, it is
/// [`Error::UnexpectedUpgrade`]. Check it before a loop over interim responses goes on.
#[derive(Clone, Debug)]
pub struct ResponseParser<const N: usize = 100> {
    head: HeadMachine<N>,
}

/// The strict defaults with room for `N` fields, for any `N`, as for [`RequestParser`].
impl<const N: usize> Default for ResponseParser<N> {
    fn default() -> ResponseParser<N> {
        ResponseParser::from_config(Config::new())
    }
}

impl ResponseParser {
    /// A parser with the strict defaults of [`Config::new`] and room for 100 header fields.
    pub fn new() -> ResponseParser {
        ResponseParser::with_config(Config::new())
    }

    /// A parser with `config` and room for 100 header fields.
    pub fn with_config(config: Config) -> ResponseParser {
        ResponseParser::from_config(config)
    }
}

impl<const N: usize> ResponseParser<N> {
    /// A parser with `config` and room for `N` header fields:
    /// `ResponseParser::<32>::from_config(Config::new())`. `config.max_headers` still applies.
    pub fn from_config(config: Config) -> ResponseParser<N> {
        ResponseParser {
            head: HeadMachine::starting(StartLine::Response, config),
        }
    }

    /// The former name of [`ResponseParser::from_config`], kept until 1.0: it takes a
    /// configuration; the capacity is `N`.
    #[deprecated(note = "renamed `from_config`: it takes a `Config`, the capacity is `N`")]
    pub fn with_capacity(config: Config) -> ResponseParser<N> {
        ResponseParser::from_config(config)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.head.config()
    }

    /// Forgets the current response, keeping the configuration: ready for the next one (after
    /// a 1xx, the final response to the same request).
    pub fn reset(&mut self) {
        self.head.reset();
    }

    /// Where the error returned by `parse` was found: the offset of the offending byte in the
    /// buffer (for framing conflicts, the start of the field that caused it).
    pub fn error_offset(&self) -> Option<usize> {
        self.head.error_offset()
    }

    /// The response completed by an earlier `parse`, again, over the same buffer (which may
    /// have grown or moved since): no bytes are examined.
    pub fn response<'a>(&'a self, buf: &'a [u8]) -> Option<Response<'a>> {
        self.head.is_done(buf).then(|| self.complete(buf))
    }

    /// The response completed by an earlier `parse` as owned offsets, to resolve later over
    /// the head's bytes (see [`OwnedResponse`]): copies the header table once.
    pub fn owned_response(&self) -> Option<OwnedResponse<N>> {
        self.head.is_finished().then(|| OwnedResponse {
            parts: *self.head.parts(),
            status: *self.head.status(),
            headers: self.head.headers().iter().copied().collect(),
        })
    }

    /// Parses the response head in `buf`: every byte received so far for this response, the
    /// same prefix as the last call plus any new bytes. Returns `Partial` until the head is
    /// complete.
    ///
    /// An error is final: later calls return it again until [`ResponseParser::reset`].
    #[inline(always)]
    pub fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Progress<Response<'a>>, Error> {
        if self.head.extend(buf)? {
            return Ok(Progress::Partial);
        }
        self.resume(buf)
    }

    /// `parse` past its fast path, out of line as for [`RequestParser`].
    #[inline(never)]
    fn resume<'a>(&'a mut self, buf: &'a [u8]) -> Result<Progress<Response<'a>>, Error> {
        Ok(if self.head.resume(buf)? {
            Progress::Complete(self.complete(buf))
        } else {
            Progress::Partial
        })
    }

    /// The finished head as a `Response` over `buf`, which holds it.
    #[inline]
    fn complete<'a>(&'a self, buf: &'a [u8]) -> Response<'a> {
        Response {
            buf,
            parts: self.head.parts(),
            status: self.head.status(),
            headers: self.head.headers(),
        }
    }
}

/// A complete response head. Every slice borrows from the caller's buffer; the header table is
/// borrowed from the parser, not copied.
#[derive(Clone, Copy)]
pub struct Response<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) parts: &'a HeadParts,
    pub(crate) status: &'a StatusParts,
    pub(crate) headers: &'a [RawHeader],
}

impl<'a> Response<'a> {
    /// The HTTP version of the status-line.
    #[inline]
    pub fn version(&self) -> Version {
        self.parts.version
    }

    /// The status code, 100 to 999 (RFC 9112 §4). RFC 9110 §15 defines 100 to 599; a client
    /// treats a code above 599 as 5xx.
    #[inline]
    pub fn status(&self) -> u16 {
        self.status.code
    }

    /// The former name of [`Response::status`], kept until 1.0.
    #[deprecated(note = "renamed `status`, the word `Error::status` uses for a status code")]
    #[inline]
    pub fn code(&self) -> u16 {
        self.status.code
    }

    /// The reason phrase exactly as received, possibly empty: HTAB, SP, visible ASCII and
    /// obs-text (RFC 9112 §4). RFC 9112 §4: a client should ignore it.
    #[inline]
    pub fn reason(&self) -> &'a [u8] {
        self.status.reason.of(self.buf)
    }

    /// True for a 1xx response other than 101: an interim answer, complete in itself, after
    /// which the final response to the same request follows (RFC 9110 §15.2). 101 Switching
    /// Protocols is not interim: it ends HTTP/1.1 on the connection, and [`Response::framing`]
    /// says whether that was asked for.
    #[inline]
    pub fn is_interim(&self) -> bool {
        matches!(self.status.code, 100..=199) && self.status.code != 101
    }

    /// The header fields, in the order received.
    #[inline]
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            buf: self.buf,
            raw: self.headers,
        }
    }

    /// The length of the head, final empty line included: the body starts at this offset.
    #[inline]
    pub fn head_len(&self) -> usize {
        self.parts.head_len
    }

    /// How the body is delimited (RFC 9112 §6.3), which depends on the request this response
    /// answers: its `method`, and whether it sent an Upgrade field (`upgrade_sent`; false for
    /// an HTTP/1.0 request, whose Upgrade a server ignores, RFC 9110 §7.8):
    ///
    /// - [`Framing::Tunnel`] for a 2xx answer to CONNECT, and for 101 Switching Protocols when
    ///   `upgrade_sent`, the response is HTTP/1.1 and it has an Upgrade field naming the
    ///   protocol (RFC 9110 §15.2.2); any other 101 is [`Error::UnexpectedUpgrade`]: the
    ///   bytes after it are neither HTTP nor a protocol the client offered;
    /// - [`Framing::NoBody`] for any answer to HEAD, and for 1xx, 204 and 304;
    /// - otherwise [`Framing::Chunked`] when Transfer-Encoding ends in `chunked` (codings
    ///   before it, such as `gzip`, stay on the data), [`Framing::UntilClose`] when it ends in
    ///   another coding, [`Framing::Length`] for a Content-Length, and [`Framing::UntilClose`]
    ///   when there is neither field.
    ///
    /// Conflicting or malformed Content-Length and Transfer-Encoding fields are errors of
    /// [`ResponseParser::parse`], for any status and method.
    ///
    /// ```
    /// # use h1_parser::{Error, Framing, Method, Progress, ResponseParser};
    /// let mut parser = ResponseParser::new();
    /// let buf = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    /// let Ok(Progress::Complete(response)) = parser.parse(buf) else { panic!() };
    /// assert!(!response.is_interim());
    /// // The request offered `Upgrade: websocket`: the connection now speaks it.
    /// assert_eq!(response.framing(Method::Get, true), Ok(Framing::Tunnel));
    /// // It offered nothing: the connection is unusable.
    /// assert_eq!(response.framing(Method::Get, false), Err(Error::UnexpectedUpgrade));
    /// ```
    #[inline]
    pub fn framing(&self, method: Method<'_>, upgrade_sent: bool) -> Result<Framing, Error> {
        let answered = Answered {
            method,
            upgrade_sent,
        };
        let upgrade_field = self.parts.options.upgrade_field;
        let (code, version) = (self.status.code, self.parts.version);
        response_framing(code, version, upgrade_field, answered, self.parts.framing)
    }
}

impl Response<'_> {
    /// Whether the connection can carry the next request after this response's body (RFC 9112
    /// §9.3): HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`
    /// (and without `close`), and never when the body runs to the close or the connection
    /// became a tunnel (`method` decides the framing, see [`Response::framing`]); never after
    /// a 101.
    ///
    /// ```
    /// # use h1_parser::{Method, Progress, ResponseParser};
    /// let mut parser = ResponseParser::new();
    /// let buf = b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
    /// let Ok(Progress::Complete(response)) = parser.parse(buf) else { panic!() };
    /// assert!(response.keep_alive(Method::Get));
    /// ```
    #[inline]
    pub fn keep_alive(&self, method: Method<'_>) -> bool {
        let options = self.parts.options;
        let persistent = match self.parts.version {
            Version::Http11 => !options.close,
            Version::Http10 => options.keep_alive && !options.close,
        };
        // Whether or not a 101 was asked for, HTTP/1.1 ends with it.
        let framing = self.framing(method, true);
        persistent
            && matches!(
                framing,
                Ok(Framing::NoBody | Framing::Length(_) | Framing::Chunked)
            )
    }
}

impl core::fmt::Debug for Response<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Response")
            .field("version", &self.version())
            .field("status", &self.status())
            .field("reason", &self.reason().escape_ascii())
            .field("headers", &self.headers())
            .field("head_len", &self.head_len())
            .finish()
    }
}

impl PartialEq for Response<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.version() == other.version()
            && self.status() == other.status()
            && self.reason() == other.reason()
            && self.headers() == other.headers()
            && self.head_len() == other.head_len()
            && self.parts.framing == other.parts.framing
    }
}

/// A response head as owned offsets, as [`crate::OwnedRequest`] for a request: from
/// [`crate::ResponseParser::owned_response`].
#[derive(Clone, Debug)]
pub struct OwnedResponse<const N: usize = 100> {
    pub(crate) parts: HeadParts,
    pub(crate) status: StatusParts,
    pub(crate) headers: ArrayVec<RawHeader, N>,
}

impl<const N: usize> OwnedResponse<N> {
    /// The response over `head`, the head's bytes from its first byte.
    pub fn response<'a>(&'a self, head: &'a [u8]) -> Response<'a> {
        Response {
            buf: head,
            parts: &self.parts,
            status: &self.status,
            headers: &self.headers,
        }
    }

    /// The length of the head: the bytes `response` needs.
    pub fn head_len(&self) -> usize {
        self.parts.head_len
    }
}
