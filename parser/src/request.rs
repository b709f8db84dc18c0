//! Requests: `RequestParser`, the head machine started at the request-line, and `Request`, its
//! borrowed output.

use arrayvec::ArrayVec;

use crate::config::Config;
use crate::error::Error;
use crate::head::{HeadMachine, HeadParts, StartLine};
use crate::headers::{ascii, Headers};
use crate::message::{Framing, Method, TargetForm, Version};
use crate::outcome::Progress;
use crate::span::RawHeader;

/// A resumable, strict HTTP/1.1 request-head parser with room for `N` header fields.
///
/// See the [crate documentation](crate) for the calling pattern.
#[derive(Clone, Debug)]
pub struct RequestParser<const N: usize = 100> {
    head: HeadMachine<N>,
}

/// The former name of [`RequestParser`], kept until 1.0.
#[deprecated(note = "renamed `RequestParser`, as `ResponseParser` reads responses")]
pub type Parser<const N: usize = 100> = RequestParser<N>;

/// The strict defaults with room for `N` fields, for any `N`: a struct holding a
/// `RequestParser<32>` can derive `Default`.
impl<const N: usize> Default for RequestParser<N> {
    fn default() -> RequestParser<N> {
        RequestParser::from_config(Config::new())
    }
}

/// `new` and `with_config` name the default capacity, as `HashMap::new` names its default
/// hasher: Rust does not infer a const parameter from its default, so generic constructors
/// would make every `RequestParser::new()` need a type annotation. Any other capacity is
/// `RequestParser::<N>::from_config(config)` or `RequestParser::<N>::default()`.
impl RequestParser {
    /// A parser with the strict defaults of [`Config::new`] and room for 100 header fields.
    pub fn new() -> RequestParser {
        RequestParser::with_config(Config::new())
    }

    /// A parser with `config` and room for 100 header fields.
    pub fn with_config(config: Config) -> RequestParser {
        RequestParser::from_config(config)
    }
}

impl<const N: usize> RequestParser<N> {
    /// A parser with `config` and room for `N` header fields. `config.max_headers` still
    /// applies.
    ///
    /// ```
    /// use h1_parser::{Config, Error, RequestParser};
    ///
    /// // Room for 2 fields: a third is an error, never a silent truncation.
    /// let mut parser = RequestParser::<2>::from_config(Config::new());
    /// let head = b"GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n";
    /// assert_eq!(parser.parse(head), Err(Error::TooManyHeaders));
    /// assert_eq!(parser.error_offset(), Some(31)); // where the third field starts
    /// ```
    pub fn from_config(config: Config) -> RequestParser<N> {
        RequestParser {
            head: HeadMachine::starting(StartLine::Request, config),
        }
    }

    /// The former name of [`RequestParser::from_config`], kept until 1.0: it takes a
    /// configuration; the capacity is `N`.
    #[deprecated(note = "renamed `from_config`: it takes a `Config`, the capacity is `N`")]
    pub fn with_capacity(config: Config) -> RequestParser<N> {
        RequestParser::from_config(config)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.head.config()
    }

    /// Forgets the current message, keeping the configuration: ready for the next request.
    #[inline]
    pub fn reset(&mut self) {
        self.head.reset();
    }

    /// Where the error returned by `parse` was found: the offset of the offending byte in the
    /// buffer (for framing conflicts, the start of the field that caused it).
    ///
    /// A `usize`, because it indexes the buffer you passed, like a slice index;
    /// [`crate::BodyDecoder::error_offset`] is a `u64` because it counts a stream across calls
    /// (a body may be larger than memory), like a file position.
    pub fn error_offset(&self) -> Option<usize> {
        self.head.error_offset()
    }

    /// The request completed by an earlier `parse`, again, over the same buffer (which may have
    /// grown or moved since): no bytes are examined.
    ///
    /// ```
    /// use h1_parser::{Progress, RequestParser};
    ///
    /// let mut parser = RequestParser::new();
    /// let mut buf = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    /// assert!(parser.parse(&buf)?.is_complete());
    /// // The buffer moves (it grows as the body arrives); the request is still there.
    /// buf.extend_from_slice(b"more bytes");
    /// let request = parser.request(&buf).expect("complete");
    /// assert_eq!(request.target(), "/a");
    /// assert_eq!(&buf[request.head_len()..], b"more bytes");
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn request<'a>(&'a self, buf: &'a [u8]) -> Option<Request<'a>> {
        self.head.is_done(buf).then(|| self.complete(buf))
    }

    /// The request completed by an earlier `parse` as owned offsets, to resolve later over the
    /// head's bytes (see [`OwnedRequest`]): copies the header table once.
    pub fn owned_request(&self) -> Option<OwnedRequest<N>> {
        self.head.is_finished().then(|| OwnedRequest {
            parts: *self.head.parts(),
            headers: self.head.headers().iter().copied().collect(),
        })
    }

    /// Parses the request head in `buf`: every byte received so far for this message, the same
    /// prefix as the last call plus any new bytes. Returns `Partial` until the head is complete.
    ///
    /// An error is final: later calls return it again until [`RequestParser::reset`]. A `buf`
    /// shorter than what an earlier call examined breaks that contract and gets `Partial`.
    ///
    /// ```
    /// use h1_parser::{Error, Progress, RequestParser};
    ///
    /// let mut parser = RequestParser::new();
    /// // Partial: the bytes so far are valid, the head is not complete.
    /// assert_eq!(parser.parse(b"GET / HTTP/1.1\r\nHo")?, Progress::Partial);
    /// // The same bytes and more: parsing resumes where it stopped.
    /// let buf = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    /// let Progress::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// assert_eq!(request.headers().get("HOST"), Some(&b"a"[..]));
    ///
    /// // A broken rule: its own variant, the offset of the offending byte, and sticky.
    /// let mut parser = RequestParser::new();
    /// let smuggle = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n";
    /// assert_eq!(parser.parse(smuggle), Err(Error::WhitespaceBeforeColon));
    /// assert_eq!(parser.error_offset(), Some(43)); // the space
    /// assert_eq!(Error::WhitespaceBeforeColon.status(), 400);
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    #[inline(always)]
    pub fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Progress<Request<'a>>, Error> {
        if self.head.extend(buf)? {
            return Ok(Progress::Partial);
        }
        self.resume(buf)
    }

    /// `parse` past its fast path: the machine, then the outcome. Out of line, so that the
    /// fast path inlines into the caller's read loop.
    #[inline(never)]
    fn resume<'a>(&'a mut self, buf: &'a [u8]) -> Result<Progress<Request<'a>>, Error> {
        Ok(if self.head.resume(buf)? {
            Progress::Complete(self.complete(buf))
        } else {
            Progress::Partial
        })
    }

    /// The finished head as a `Request` over `buf`, which holds it.
    #[inline]
    fn complete<'a>(&'a self, buf: &'a [u8]) -> Request<'a> {
        Request {
            buf,
            parts: self.head.parts(),
            headers: self.head.headers(),
        }
    }
}

/// A complete request head. Every slice borrows from the caller's buffer; the header table is
/// borrowed from the parser, not copied.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) parts: &'a HeadParts,
    pub(crate) headers: &'a [RawHeader],
}

impl<'a> Request<'a> {
    /// The method (RFC 9110 §9).
    #[inline]
    pub fn method(&self) -> Method<'a> {
        match self.parts.known_method {
            Some(known) => known.method(),
            None => Method::Extension(ascii(self.parts.method.of(self.buf))),
        }
    }

    /// The method when it is one of RFC 9110 §9's, without comparing its name again.
    #[inline]
    pub(crate) fn standard_method(&self) -> Option<Method<'static>> {
        self.parts.known_method.map(|known| known.method())
    }

    /// The request-target exactly as received (RFC 9112 §3.2): visible ASCII.
    #[inline]
    pub fn target(&self) -> &'a str {
        ascii(self.target_bytes())
    }

    /// The request-target as bytes.
    #[inline]
    pub fn target_bytes(&self) -> &'a [u8] {
        self.parts.target.of(self.buf)
    }

    /// The form of the request-target (RFC 9112 §3.2).
    #[inline]
    pub fn target_form(&self) -> TargetForm {
        self.parts.form
    }

    /// The path of the target: for origin-form the part before `?`, for absolute-form the path
    /// after the authority (`/` when empty) or after the scheme when there is no authority,
    /// `*` for asterisk-form, empty for authority-form.
    ///
    /// ```
    /// use h1_parser::{Progress, RequestParser, TargetForm};
    ///
    /// // A request to a proxy names the whole URI (absolute-form, RFC 9112 §3.2.2).
    /// let mut parser = RequestParser::new();
    /// let buf = b"GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n";
    /// let Progress::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// assert_eq!(request.target_form(), TargetForm::Absolute);
    /// assert_eq!(request.path(), "/a/b");
    /// assert_eq!(request.query(), Some("x=1"));
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn path(&self) -> &'a str {
        let target = self.target();
        let path = match self.parts.form {
            TargetForm::Origin | TargetForm::Asterisk => target,
            TargetForm::Authority => return "",
            TargetForm::Absolute => {
                // The parser made sure of `scheme ":"`.
                let after_scheme = target.split_once(':').map_or(target, |(_, rest)| rest);
                match after_scheme.strip_prefix("//") {
                    // RFC 3986 §3: "//" authority path-abempty.
                    Some(authority) => match authority.find(['/', '?']) {
                        Some(i) if authority.as_bytes()[i] == b'/' => &authority[i..],
                        _ => return "/",
                    },
                    // No authority (`urn:isbn:...`): the path follows the scheme.
                    None => after_scheme,
                }
            }
        };
        path.split_once('?').map_or(path, |(path, _)| path)
    }

    /// The query of the target: the part after the first `?`, if any.
    pub fn query(&self) -> Option<&'a str> {
        match self.parts.form {
            TargetForm::Origin | TargetForm::Absolute => {
                self.target().split_once('?').map(|(_, query)| query)
            }
            _ => None,
        }
    }

    /// The HTTP version.
    #[inline]
    pub fn version(&self) -> Version {
        self.parts.version
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

    /// How the body is delimited (RFC 9112 §6.3).
    #[inline]
    pub fn framing(&self) -> Framing {
        self.parts.framing
    }

    /// Whether the connection may stay open after the response (RFC 9112 §9.3): an HTTP/1.1
    /// request unless `Connection: close`; an HTTP/1.0 one only with `Connection: keep-alive`
    /// and without `close`. Worked out while parsing, from every Connection field.
    ///
    /// ```
    /// # use h1_parser::{Progress, RequestParser};
    /// let mut parser = RequestParser::new();
    /// let buf = b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
    /// let Ok(Progress::Complete(request)) = parser.parse(buf) else { panic!() };
    /// assert!(request.keep_alive());
    /// ```
    #[inline]
    pub fn keep_alive(&self) -> bool {
        let options = self.parts.options;
        match self.parts.version {
            Version::Http11 => !options.close,
            Version::Http10 => options.keep_alive && !options.close,
        }
    }

    /// Whether the client waits for `100 Continue` before sending the body (RFC 9110
    /// §10.1.1): `Expect: 100-continue` in an HTTP/1.1 request (an HTTP/1.0 one's is ignored,
    /// as the RFC requires).
    #[inline]
    pub fn expects_continue(&self) -> bool {
        self.parts.version == Version::Http11 && self.parts.options.expect_continue
    }

    /// Whether the client asks to switch protocols (RFC 9110 §7.8): an HTTP/1.1 request with an
    /// Upgrade field and the `upgrade` connection option. The protocols are
    /// `headers().get("upgrade")`; a server that agrees answers `101` and stops speaking
    /// HTTP/1.1 on the connection. (CONNECT is the other way out of HTTP: `method()`.)
    #[inline]
    pub fn wants_upgrade(&self) -> bool {
        let options = self.parts.options;
        self.parts.version == Version::Http11 && options.upgrade_field && options.upgrade_option
    }
}

impl core::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("target", &self.target())
            .field("version", &self.version())
            .field("headers", &self.headers())
            .field("framing", &self.framing())
            .finish()
    }
}

impl PartialEq for Request<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.method() == other.method()
            && self.target() == other.target()
            && self.target_form() == other.target_form()
            && self.version() == other.version()
            && self.headers() == other.headers()
            && self.head_len() == other.head_len()
            && self.framing() == other.framing()
            && self.parts.options == other.parts.options
    }
}

impl Eq for Request<'_> {}

/// A request head as owned offsets: what [`crate::RequestParser::owned_request`] hands out.
/// Resolve it with [`OwnedRequest::request`] over the head's bytes, from its first byte,
/// wherever they are now; no byte is examined again. Over other bytes it gives other slices, never a panic.
///
/// ```
/// use h1_parser::{Progress, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let mut buf = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
/// assert!(parser.parse(&buf)?.is_complete());
/// let kept = parser.owned_request().unwrap();
/// parser.reset(); // the parser moves on; the head is kept
/// let head: Vec<u8> = buf.drain(..).collect();
/// assert_eq!(kept.request(&head).target(), "/a");
/// # Ok::<(), h1_parser::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OwnedRequest<const N: usize = 100> {
    pub(crate) parts: HeadParts,
    pub(crate) headers: ArrayVec<RawHeader, N>,
}

impl<const N: usize> OwnedRequest<N> {
    /// The request over `head`, the head's bytes from its first byte.
    pub fn request<'a>(&'a self, head: &'a [u8]) -> Request<'a> {
        Request {
            buf: head,
            parts: &self.parts,
            headers: &self.headers,
        }
    }

    /// The length of the head: the bytes `request` needs.
    pub fn head_len(&self) -> usize {
        self.parts.head_len
    }
}
