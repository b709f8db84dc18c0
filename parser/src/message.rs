//! The message types both directions share: the method, the target's form, the version, the
//! body's framing, and the connection options a head's fields set.

use crate::error::Error;
use crate::syntax::is_token;
use crate::uri::{absolute_target, is_authority};

/// A request method (RFC 9110 §9): the standard ones, and any other token as an extension.
///
/// Methods compare and hash by name: `Method::Extension("HEAD") == Method::Head`, so a
/// decision such as "no body after HEAD" holds however the value was made. Build one from
/// bytes with [`Method::from_bytes`] (or a standard one with `str::parse`): a standard name
/// always becomes its variant.
///
/// ```
/// use h1_parser::Method;
///
/// assert_eq!(Method::from_bytes(b"HEAD"), Ok(Method::Head));
/// assert_eq!(Method::from_bytes(b"PURGE"), Ok(Method::Extension("PURGE")));
/// assert_eq!("DELETE".parse(), Ok(Method::Delete));
/// assert_eq!(Method::Extension("HEAD"), Method::Head);
/// assert_eq!(Method::Extension("HEAD").as_str(), "HEAD");
/// ```
#[derive(Clone, Copy, Debug)]
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
    /// Any other token; methods are case-sensitive, so `get` is an extension. The parser and
    /// [`Method::from_bytes`] never put a standard name here; one put here by hand still
    /// compares equal to its variant.
    Extension(&'a str),
}

impl<'a> Method<'a> {
    /// The standard method these bytes name, case-sensitively.
    #[inline]
    pub(crate) fn standard(token: &[u8]) -> Option<Method<'static>> {
        StandardMethod::named(token).map(StandardMethod::method)
    }

    /// The standard method this is, in one byte: a variant as it is (no name compared), an
    /// extension by its name.
    #[inline]
    pub(crate) fn standard_kind(self) -> Option<StandardMethod> {
        Some(match self {
            Method::Get => StandardMethod::Get,
            Method::Head => StandardMethod::Head,
            Method::Post => StandardMethod::Post,
            Method::Put => StandardMethod::Put,
            Method::Delete => StandardMethod::Delete,
            Method::Connect => StandardMethod::Connect,
            Method::Options => StandardMethod::Options,
            Method::Trace => StandardMethod::Trace,
            Method::Patch => StandardMethod::Patch,
            Method::Extension(name) => return StandardMethod::named(name.as_bytes()),
        })
    }

    /// The method named by `bytes`, case-sensitively (RFC 9110 §9.1): a standard name as its
    /// variant, any other token as [`Method::Extension`] borrowing `bytes`, and anything else
    /// [`Error::InvalidMethod`].
    ///
    /// ```
    /// use h1_parser::{Error, Method};
    ///
    /// assert_eq!(Method::from_bytes(b"GET"), Ok(Method::Get));
    /// assert_eq!(Method::from_bytes(b"get"), Ok(Method::Extension("get")));
    /// assert_eq!(Method::from_bytes(b"GE T"), Err(Error::InvalidMethod));
    /// assert_eq!(Method::from_bytes(b""), Err(Error::InvalidMethod));
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Method<'a>, Error> {
        if let Some(standard) = Method::standard(bytes) {
            return Ok(standard);
        }
        // RFC 9110 §9.1: method = token; a token is ASCII, so it is a `str`.
        if !is_token(bytes) {
            return Err(Error::InvalidMethod);
        }
        core::str::from_utf8(bytes)
            .map(Method::Extension)
            .map_err(|_| Error::InvalidMethod)
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

/// RFC 9112 §3.2: the form of a request-target whose bytes are valid, and whether it fits the
/// method; the reader and the writer both apply it.
#[inline(always)]
pub(crate) fn target_form(
    target: &[u8],
    method: Option<StandardMethod>,
) -> Result<TargetForm, Error> {
    let connect = matches!(method, Some(StandardMethod::Connect));
    let form = match target {
        [b'/', ..] => TargetForm::Origin,
        b"*" => TargetForm::Asterisk,
        _ if connect => TargetForm::Authority,
        _ => match absolute_target(target) {
            Some(true) => TargetForm::Absolute,
            // RFC 9110 §4.2.1, §4.2.4: an http(s) URI without a host, or with userinfo.
            Some(false) => return Err(Error::InvalidTarget),
            // An authority without CONNECT: a well-formed target in the wrong place.
            None if is_authority(target) => return Err(Error::TargetFormMismatch),
            None => return Err(Error::InvalidTarget),
        },
    };
    let fits = match form {
        // RFC 9112 §3.2.3: authority-form is only used for CONNECT, and CONNECT only uses it.
        TargetForm::Authority => is_authority(target),
        _ if connect => false,
        // RFC 9112 §3.2.4: asterisk-form is only used for a server-wide OPTIONS.
        TargetForm::Asterisk => matches!(method, Some(StandardMethod::Options)),
        _ => true,
    };
    if fits {
        Ok(form)
    } else {
        Err(Error::TargetFormMismatch)
    }
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

/// A standard method in one byte, as the parser keeps it (a `Method` takes three words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StandardMethod {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
}

impl StandardMethod {
    /// The standard method these bytes name, case-sensitively (RFC 9110 §9.1).
    #[inline]
    pub(crate) fn named(token: &[u8]) -> Option<StandardMethod> {
        Some(match token {
            b"GET" => StandardMethod::Get,
            b"HEAD" => StandardMethod::Head,
            b"POST" => StandardMethod::Post,
            b"PUT" => StandardMethod::Put,
            b"DELETE" => StandardMethod::Delete,
            b"CONNECT" => StandardMethod::Connect,
            b"OPTIONS" => StandardMethod::Options,
            b"TRACE" => StandardMethod::Trace,
            b"PATCH" => StandardMethod::Patch,
            _ => return None,
        })
    }

    /// The public value.
    #[inline]
    pub(crate) fn method(self) -> Method<'static> {
        match self {
            StandardMethod::Get => Method::Get,
            StandardMethod::Head => Method::Head,
            StandardMethod::Post => Method::Post,
            StandardMethod::Put => Method::Put,
            StandardMethod::Delete => Method::Delete,
            StandardMethod::Connect => Method::Connect,
            StandardMethod::Options => Method::Options,
            StandardMethod::Trace => Method::Trace,
            StandardMethod::Patch => Method::Patch,
        }
    }
}

/// By name: an [`Method::Extension`] holding a standard name equals that name's variant.
impl PartialEq for Method<'_> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Method::Extension(name), method) | (method, Method::Extension(name)) => {
                *name == method.as_str()
            }
            _ => core::mem::discriminant(self) == core::mem::discriminant(other),
        }
    }
}

impl Eq for Method<'_> {}

/// By name, in step with `PartialEq`.
impl core::hash::Hash for Method<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// The standard methods, case-sensitively: `"HEAD".parse()` is [`Method::Head`]. An extension
/// method borrows its name, which a `Method<'static>` cannot: [`Error::ExtensionMethod`] (take
/// it with [`Method::from_bytes`]); anything that is not a token is [`Error::InvalidMethod`].
impl core::str::FromStr for Method<'static> {
    type Err = Error;

    fn from_str(name: &str) -> Result<Method<'static>, Error> {
        match Method::standard(name.as_bytes()) {
            Some(standard) => Ok(standard),
            None => Err(Method::from_bytes(name.as_bytes())
                .map_or(Error::InvalidMethod, |_| Error::ExtensionMethod)),
        }
    }
}

/// How the body of a message is delimited (RFC 9112 §6.3).
///
/// A request is always `NoBody`, `Length` or `Chunked`; `UntilClose` and `Tunnel` are
/// answers for responses only ([`crate::Response::framing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Framing {
    /// No body: a request with neither Content-Length nor Transfer-Encoding (RFC 9112 §6.3 item
    /// 6), or a response to HEAD, a 1xx, 204 or 304 response (item 1).
    NoBody,
    /// A body of exactly this many bytes (RFC 9112 §6.3 item 5).
    Length(u64),
    /// A chunked body, ended by the last chunk and a trailer section (RFC 9112 §7.1).
    Chunked,
    /// A response body that runs until the server closes the connection (RFC 9112 §6.3 items 4
    /// and 8): only the caller knows when that happened, and says so with
    /// [`crate::BodyDecoder::finish`].
    UntilClose,
    /// No body, and the connection stops speaking HTTP/1.1 after the head: a 2xx response to
    /// CONNECT (RFC 9112 §6.3 item 2) or 101 Switching Protocols (RFC 9110 §15.2.2). The bytes
    /// after the head belong to the tunnel or the new protocol.
    Tunnel,
}

/// What the connection-level fields of a request said (RFC 9110 §7.6.1, §7.8, §10.1.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ConnectionOptions {
    /// `Connection: close`.
    pub(crate) close: bool,
    /// `Connection: keep-alive` (HTTP/1.0's opt-in to persistence).
    pub(crate) keep_alive: bool,
    /// `Connection: upgrade`.
    pub(crate) upgrade_option: bool,
    /// An Upgrade field.
    pub(crate) upgrade_field: bool,
    /// `Expect: 100-continue`.
    pub(crate) expect_continue: bool,
}

/// Whether `b` may be byte `index` of `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112
/// §2.3); `None` past its eight bytes.
#[inline]
fn fits_version(index: usize, b: u8) -> Option<bool> {
    let expected = *b"HTTP/x.x".get(index)?;
    Some(if expected == b'x' {
        b.is_ascii_digit()
    } else {
        b == expected
    })
}

/// RFC 9112 §2.3: the HTTP-version starting at `start`, scanned on from `pos`: the offset of
/// the byte after its eight and that byte (what may follow is the line kind's rule), or `None`
/// when the view ends first. Which versions are spoken is [`known_version`]'s.
pub(crate) fn version_end(
    view: &[u8],
    start: usize,
    mut pos: usize,
) -> Result<Option<(usize, u8)>, (Error, usize)> {
    // The common versions and the byte after them in one comparison.
    if pos == start {
        let word = view.get(pos..).and_then(|rest| rest.first_chunk::<9>());
        if let Some(&[b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'0' | b'1', after]) = word {
            return Ok(Some((pos + 8, after)));
        }
    }
    while let Some(&b) = view.get(pos) {
        match fits_version(pos - start, b) {
            None => return Ok(Some((pos, b))),
            Some(true) => pos += 1,
            Some(false) => return Err((Error::InvalidVersion, pos)),
        }
    }
    Ok(None)
}

/// The versions this parser speaks, given the eight bytes [`version_end`] accepted (so only
/// the digits are left to read); another is `UnsupportedVersion` (RFC 9110 §15.6.6).
#[inline]
pub(crate) fn known_version(version: Option<&[u8]>) -> Option<Version> {
    match version? {
        [_, _, _, _, _, b'1', _, b'0'] => Some(Version::Http10),
        // RFC 9110 §2.5: a higher minor version of a major version implemented is processed as
        // the highest minor version implemented.
        [_, _, _, _, _, b'1', _, b'1'..=b'9'] => Some(Version::Http11),
        _ => None,
    }
}
