//! The output types: `Request` and its method, target, version and headers, all borrowed.

use crate::known::ConnectionOptions;
use crate::Framing;

/// A byte range of the caller's buffer; `u32` keeps a header entry at 16 bytes (the head size
/// limit is capped to fit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    #[inline(always)]
    pub(crate) fn new(start: usize, end: usize) -> Span {
        // Offsets are below the head size limit, which is at most `Config::MAX_HEAD_SIZE`.
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    #[inline(always)]
    pub(crate) fn of(self, buf: &[u8]) -> &[u8] {
        buf.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// One field line as offsets into the caller's buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawHeader {
    pub(crate) name: Span,
    pub(crate) value: Span,
}

/// The request-line and what the head decided, as offsets and small values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequestLine {
    pub(crate) method: Span,
    pub(crate) known_method: Option<Method<'static>>,
    pub(crate) target: Span,
    pub(crate) form: TargetForm,
    pub(crate) version: Version,
    pub(crate) head_len: usize,
    pub(crate) framing: Framing,
    pub(crate) options: ConnectionOptions,
}

impl RequestLine {
    pub(crate) const EMPTY: RequestLine = RequestLine {
        method: Span { start: 0, end: 0 },
        known_method: None,
        target: Span { start: 0, end: 0 },
        form: TargetForm::Origin,
        version: Version::Http11,
        head_len: 0,
        framing: Framing::NoBody,
        options: ConnectionOptions {
            close: false,
            keep_alive: false,
            upgrade_option: false,
            upgrade_field: false,
            expect_continue: false,
        },
    };
}

/// A complete request head. Every slice borrows from the caller's buffer; the header table is
/// borrowed from the parser, not copied.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) line: &'a RequestLine,
    pub(crate) headers: &'a [RawHeader],
}

impl<'a> Request<'a> {
    /// The method (RFC 9110 §9).
    #[inline]
    pub fn method(&self) -> Method<'a> {
        match self.line.known_method {
            Some(known) => known,
            None => Method::Extension(ascii(self.line.method.of(self.buf))),
        }
    }

    /// The request-target exactly as received (RFC 9112 §3.2): visible ASCII.
    #[inline]
    pub fn target(&self) -> &'a str {
        ascii(self.target_bytes())
    }

    /// The request-target as bytes.
    #[inline]
    pub fn target_bytes(&self) -> &'a [u8] {
        self.line.target.of(self.buf)
    }

    /// The form of the request-target (RFC 9112 §3.2).
    #[inline]
    pub fn target_form(&self) -> TargetForm {
        self.line.form
    }

    /// The path of the target: for origin-form the part before `?`, for absolute-form the path
    /// after the authority (`/` when empty) or after the scheme when there is no authority,
    /// `*` for asterisk-form, empty for authority-form.
    ///
    /// ```
    /// use h1_parser::{Parser, Status, TargetForm};
    ///
    /// // A request to a proxy names the whole URI (absolute-form, RFC 9112 §3.2.2).
    /// let mut parser = Parser::new();
    /// let buf = b"GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n";
    /// let Status::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// assert_eq!(request.target_form(), TargetForm::Absolute);
    /// assert_eq!(request.path(), "/a/b");
    /// assert_eq!(request.query(), Some("x=1"));
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn path(&self) -> &'a str {
        let target = self.target();
        let path = match self.line.form {
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
        match self.line.form {
            TargetForm::Origin | TargetForm::Absolute => {
                self.target().split_once('?').map(|(_, query)| query)
            }
            _ => None,
        }
    }

    /// The HTTP version.
    #[inline]
    pub fn version(&self) -> Version {
        self.line.version
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
        self.line.head_len
    }

    /// How the body is delimited (RFC 9112 §6.3).
    #[inline]
    pub fn framing(&self) -> Framing {
        self.line.framing
    }

    /// Whether the connection may stay open after the response (RFC 9112 §9.3): an HTTP/1.1
    /// request unless `Connection: close`; an HTTP/1.0 one only with `Connection: keep-alive`
    /// and without `close`. Worked out while parsing, from every Connection field.
    ///
    /// ```
    /// # use h1_parser::{Parser, Status};
    /// let mut parser = Parser::new();
    /// let buf = b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
    /// let Ok(Status::Complete(request)) = parser.parse(buf) else { panic!() };
    /// assert!(request.keep_alive());
    /// ```
    #[inline]
    pub fn keep_alive(&self) -> bool {
        let options = self.line.options;
        match self.line.version {
            Version::Http11 => !options.close,
            Version::Http10 => options.keep_alive && !options.close,
        }
    }

    /// Whether the client waits for `100 Continue` before sending the body (RFC 9110
    /// §10.1.1): `Expect: 100-continue` in an HTTP/1.1 request (an HTTP/1.0 one's is ignored,
    /// as the RFC requires).
    #[inline]
    pub fn expects_continue(&self) -> bool {
        self.line.version == Version::Http11 && self.line.options.expect_continue
    }

    /// Whether the client asks to switch protocols (RFC 9110 §7.8): an HTTP/1.1 request with an
    /// Upgrade field and the `upgrade` connection option. The protocols are
    /// `headers().get("upgrade")`; a server that agrees answers `101` and stops speaking
    /// HTTP/1.1 on the connection. (CONNECT is the other way out of HTTP: `method()`.)
    #[inline]
    pub fn wants_upgrade(&self) -> bool {
        let options = self.line.options;
        self.line.version == Version::Http11 && options.upgrade_field && options.upgrade_option
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
            && self.line.options == other.line.options
    }
}

impl Eq for Request<'_> {}

/// Bytes that the parser proved to be ASCII (tokens, targets) as `&str`.
#[inline]
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

/// A request method (RFC 9110 §9): the standard ones, and any other token as an extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method<'a> {
    /// GET (RFC 9110 §9.3.1).
    Get,
    /// HEAD (RFC 9110 §9.3.2).
    Head,
    /// POST (RFC 9110 §9.3.3).
    Post,
    /// PUT (RFC 9110 §9.3.4).
    Put,
    /// DELETE (RFC 9110 §9.3.5).
    Delete,
    /// CONNECT (RFC 9110 §9.3.6).
    Connect,
    /// OPTIONS (RFC 9110 §9.3.7).
    Options,
    /// TRACE (RFC 9110 §9.3.8).
    Trace,
    /// PATCH (RFC 5789).
    Patch,
    /// Any other token; methods are case-sensitive, so `get` is an extension.
    Extension(&'a str),
}

impl<'a> Method<'a> {
    /// The standard method these bytes name, case-sensitively.
    #[inline]
    pub(crate) fn standard(token: &[u8]) -> Option<Method<'static>> {
        Some(match token {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            b"POST" => Method::Post,
            b"PUT" => Method::Put,
            b"DELETE" => Method::Delete,
            b"CONNECT" => Method::Connect,
            b"OPTIONS" => Method::Options,
            b"TRACE" => Method::Trace,
            b"PATCH" => Method::Patch,
            _ => return None,
        })
    }

    /// The method's token.
    pub fn as_str(&self) -> &'a str {
        match *self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Connect => "CONNECT",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Patch => "PATCH",
            Method::Extension(token) => token,
        }
    }
}

impl core::fmt::Display for Method<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The four forms of request-target (RFC 9112 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetForm {
    /// `/path?query` (RFC 9112 §3.2.1).
    Origin,
    /// `scheme://authority/path?query` (RFC 9112 §3.2.2).
    Absolute,
    /// `host:port`, CONNECT only (RFC 9112 §3.2.3).
    Authority,
    /// `*`, OPTIONS only (RFC 9112 §3.2.4).
    Asterisk,
}

/// The HTTP versions this parser accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// HTTP/1.0.
    Http10,
    /// HTTP/1.1.
    Http11,
}

impl Version {
    /// `"HTTP/1.0"` or `"HTTP/1.1"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// `HTTP/1.0` or `HTTP/1.1`, as on the wire.
impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The header fields of a head (or the trailer fields of a chunked body), in order.
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) raw: &'a [RawHeader],
}

impl<'a> Headers<'a> {
    /// The number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// True when there are no fields.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The field at `index`, in the order received.
    #[inline]
    pub fn nth(&self, index: usize) -> Option<Header<'a>> {
        self.raw
            .get(index)
            .map(|raw| Header::from_raw(self.buf, raw))
    }

    /// The fields in the order received.
    #[inline]
    pub fn iter(&self) -> HeaderIter<'a> {
        HeaderIter {
            buf: self.buf,
            raw: self.raw.iter(),
        }
    }

    /// The value of the first field named `name`, compared case-insensitively (RFC 9110 §5.1).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name`, compared case-insensitively, in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        let buf = self.buf;
        self.raw.iter().filter_map(move |raw| {
            let field = raw.name.of(buf);
            field
                .eq_ignore_ascii_case(name.as_bytes())
                .then(|| raw.value.of(buf))
        })
    }
}

impl<'a> IntoIterator for Headers<'a> {
    type Item = Header<'a>;
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

impl core::fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Headers<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// An iterator over [`Headers`].
#[derive(Clone)]
pub struct HeaderIter<'a> {
    buf: &'a [u8],
    raw: core::slice::Iter<'a, RawHeader>,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Header<'a>;
    #[inline]
    fn next(&mut self) -> Option<Header<'a>> {
        self.raw.next().map(|raw| Header::from_raw(self.buf, raw))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.raw.size_hint()
    }
}

impl ExactSizeIterator for HeaderIter<'_> {}

/// One header field: its name as received (a token) and its value with the surrounding
/// whitespace removed (RFC 9112 §5: OWS trimmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name, case preserved.
    pub name: &'a str,
    /// The field value: visible ASCII, SP, HTAB and obs-text (RFC 9110 §5.5); under the
    /// obs-fold leniency it may also hold the raw fold (see [`Header::unfolded`]).
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    #[inline]
    pub(crate) fn from_raw(buf: &'a [u8], raw: &RawHeader) -> Header<'a> {
        Header {
            name: ascii(raw.name.of(buf)),
            value: raw.value.of(buf),
        }
    }

    /// The value with each obs-fold read as spaces (RFC 9112 §5.2: "replace each received
    /// obs-fold with one or more SP octets"): CR and LF, which can only be part of a fold the
    /// obs-fold leniency accepted, become SP. No byte is dropped.
    ///
    /// ```
    /// use h1_parser::{Config, Parser, Status};
    ///
    /// let mut parser = Parser::with_config(Config::new().allow_obs_fold(true));
    /// let buf = b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: first\r\n  second\r\n\r\n";
    /// let Status::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// let field = request.headers().nth(1).expect("two fields");
    /// assert_eq!(field.value, b"first\r\n  second"); // the raw bytes, fold included
    /// assert_eq!(field.unfolded().collect::<Vec<u8>>(), b"first    second");
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn unfolded(&self) -> impl Iterator<Item = u8> + 'a {
        self.value.iter().map(|&b| match b {
            b'\r' | b'\n' => b' ',
            other => other,
        })
    }
}
