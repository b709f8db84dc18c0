//! `WriteError`: the rule a message given to a writer would break, one variant per rule.

use core::fmt;

use crate::error::Error;

/// Why a writer refused a message: a rule of RFC 9112 / RFC 9110 it would break, or a buffer
/// too small for it. Nothing is counted as written when a writer returns one.
///
/// [`WriteError::parser_error`] names the parser's [`Error`] for the same rule: a message the
/// writer refuses with one of those, written anyway, is one the parser rejects. The others are
/// sender rules, stricter than what a recipient checks (see each variant).
///
/// ```
/// use h1_parser::write::{RequestHead, WriteError};
/// use h1_parser::{Error, Method, Version};
///
/// let mut buf = [0u8; 128];
/// let mut head = RequestHead::new(&mut buf, Method::Get, "/", Version::Http11)?;
/// let refused = head.field("X-A", "1\r\nX-Injected: 2").unwrap_err();
/// assert_eq!(refused, WriteError::InvalidFieldValue);
/// assert_eq!(refused.parser_error(), Some(Error::InvalidHeaderValue));
/// # Ok::<(), WriteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WriteError {
    /// The caller's `&mut [u8]` cannot hold the message.
    BufferTooSmall,
    /// The method is not a token (RFC 9110 §9.1).
    InvalidMethod,
    /// The request-target is empty, holds a byte that is not visible ASCII or a `#` (RFC 9112
    /// §3.2), is an `http(s)` URI without a host or with userinfo (RFC 9110 §4.2.1, §4.2.4), or
    /// fits none of the four forms.
    InvalidTarget,
    /// The target's form does not fit the method (RFC 9112 §3.2.3, §3.2.4): authority-form
    /// only and always with CONNECT, `*` only with OPTIONS.
    TargetFormMismatch,
    /// The status code is not from 100 to 999 (RFC 9110 §15).
    InvalidStatusCode,
    /// The reason phrase holds a control byte other than HTAB (RFC 9112 §4).
    InvalidReasonPhrase,
    /// A field name that is not a token (RFC 9110 §5.1).
    InvalidFieldName,
    /// A field value with a control byte other than HTAB: CR, LF, NUL... (RFC 9110 §5.5).
    InvalidFieldValue,
    /// A field value that starts or ends with SP or HTAB (RFC 9110 §5.5: field-content starts
    /// and ends with a visible byte). Sender rule: a recipient trims it, so the value would not
    /// read back as written.
    FieldValueWhitespace,
    /// A Content-Length or Transfer-Encoding field given as a field: the writer writes the
    /// framing field itself from the [`Body`](super::Body) passed to `finish`, so the two can
    /// never disagree (RFC 9112 §6.1, §6.3). The one exception: a response's Transfer-Encoding
    /// naming codings other than `chunked` (`gzip`), with [`Body::Chunked`](super::Body::Chunked),
    /// which appends `chunked` after them. Sender rule.
    FramingField,
    /// An HTTP/1.1 request without a Host field (RFC 9112 §3.2).
    MissingHost,
    /// A second Host field (RFC 9112 §3.2).
    DuplicateHost,
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9110 §7.2), as the parser reads
    /// it (no comma, no userinfo).
    InvalidHost,
    /// A Host field with an empty value (RFC 9110 §4.2.1), which the parser refuses by
    /// default ([`Error::EmptyHost`]).
    EmptyHost,
    /// Transfer-Encoding (a chunked body) in an HTTP/1.0 message (RFC 9112 §6.1). Sender rule
    /// for responses, where a recipient reads it.
    TransferEncodingInHttp10,
    /// A body or a framing field where the message has none (sender rules, RFC 9110 §8.6,
    /// §9.3.6, §15; RFC 9112 §6.1, §6.3): Content-Length or Transfer-Encoding in a 1xx or 204,
    /// either in a 101 or a 2xx answering CONNECT, a body after HEAD or in a 304, a body in a
    /// CONNECT request.
    BodyNotAllowed,
    /// A framing that does not fit the message (sender rules): [`Body::UntilClose`] or
    /// [`Body::Advertised`] in a request, `Advertised` in a response that has a body.
    ///
    /// [`Body::UntilClose`]: super::Body::UntilClose
    /// [`Body::Advertised`]: super::Body::Advertised
    FramingNotAllowed,
    /// A chunk of size 0, which would end the body: the last chunk is written by
    /// [`last_chunk`](super::last_chunk) (RFC 9112 §7.1).
    EmptyChunk,
    /// A chunk extension whose name is not a token, or whose value has a control byte other
    /// than HTAB (RFC 9112 §7.1.1).
    InvalidChunkExtension,
    /// A Content-Length, Transfer-Encoding or Host field in a trailer section (RFC 9110
    /// §6.5.1: a sender must not send a field that frames or routes the message as a trailer).
    /// Sender rule.
    ForbiddenTrailer,
    /// A 101 (Switching Protocols) without an Upgrade field naming a protocol (RFC 9110
    /// §15.2.2: an empty one names none); the parser reads it as
    /// [`Error::UnexpectedUpgrade`](crate::Error::UnexpectedUpgrade) when it frames the response.
    InvalidSwitch,
    /// A 1xx status in an HTTP/1.0 response (RFC 9110 §15.2: HTTP/1.0 defines no 1xx, and a
    /// server MUST NOT send one to an HTTP/1.0 client). Sender rule.
    InformationalInHttp10,
    /// A Connection field naming Content-Length, Transfer-Encoding or Host as a connection
    /// option (RFC 9110 §7.6.1: a connection option names a field meant for the next hop only;
    /// these frame or route the message for every recipient, and an intermediary that removed
    /// them would change it). Sender rule.
    ForbiddenConnectionOption,
    /// A version other than HTTP/1.0 and HTTP/1.1, given through the `http` feature's
    /// conversions (RFC 9110 §15.6.6).
    UnsupportedVersion,
}

impl WriteError {
    /// The parser's error for the same rule: the bytes a writer refused with this error,
    /// written anyway, make the parser fail with it. `None` for the buffer and the sender rules.
    pub const fn parser_error(self) -> Option<Error> {
        Some(match self {
            WriteError::InvalidMethod => Error::InvalidMethod,
            WriteError::InvalidTarget => Error::InvalidTarget,
            WriteError::TargetFormMismatch => Error::TargetFormMismatch,
            WriteError::InvalidStatusCode => Error::InvalidStatusCode,
            WriteError::InvalidReasonPhrase => Error::InvalidReasonPhrase,
            WriteError::InvalidFieldName => Error::InvalidHeaderName,
            WriteError::InvalidFieldValue => Error::InvalidHeaderValue,
            WriteError::MissingHost => Error::MissingHost,
            WriteError::DuplicateHost => Error::DuplicateHost,
            WriteError::InvalidHost => Error::InvalidHost,
            WriteError::EmptyHost => Error::EmptyHost,
            WriteError::InvalidChunkExtension => Error::InvalidChunkExtension,
            WriteError::UnsupportedVersion => Error::UnsupportedVersion,
            _ => return None,
        })
    }

    /// A short description naming the rule, the same text `Display` prints.
    pub const fn as_str(self) -> &'static str {
        match self {
            WriteError::BufferTooSmall => "buffer too small for the message",
            WriteError::InvalidMethod => "method is not a token (RFC 9110 §9.1)",
            WriteError::InvalidTarget => {
                "request-target outside its grammar (RFC 9112 §3.2, RFC 9110 §4.2)"
            }
            WriteError::TargetFormMismatch => {
                "request-target form does not fit the method (RFC 9112 §3.2.3, §3.2.4)"
            }
            WriteError::InvalidStatusCode => "status code not from 100 to 999 (RFC 9110 §15)",
            WriteError::InvalidReasonPhrase => {
                "reason-phrase with a control character (RFC 9112 §4)"
            }
            WriteError::InvalidFieldName => "field name is not a token (RFC 9110 §5.1)",
            WriteError::InvalidFieldValue => {
                "field value with a control character (RFC 9110 §5.5)"
            }
            WriteError::FieldValueWhitespace => {
                "field value starts or ends with whitespace (RFC 9110 §5.5)"
            }
            WriteError::FramingField => {
                "Content-Length or Transfer-Encoding given as a field: pass the body framing (RFC 9112 §6)"
            }
            WriteError::MissingHost => "HTTP/1.1 request without a Host field (RFC 9112 §3.2)",
            WriteError::DuplicateHost => "more than one Host field (RFC 9112 §3.2)",
            WriteError::InvalidHost => "Host value is not uri-host [ \":\" port ] (RFC 9110 §7.2)",
            WriteError::EmptyHost => "empty Host field value (RFC 9110 §4.2.1)",
            WriteError::TransferEncodingInHttp10 => {
                "Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1)"
            }
            WriteError::BodyNotAllowed => {
                "body or framing field in a message that has none (RFC 9110 §8.6, §9.3.6, §15)"
            }
            WriteError::FramingNotAllowed => "body framing does not fit the message (RFC 9112 §6.3)",
            WriteError::EmptyChunk => "chunk of size 0: use the last chunk (RFC 9112 §7.1)",
            WriteError::InvalidChunkExtension => "invalid chunk extension (RFC 9112 §7.1.1)",
            WriteError::ForbiddenTrailer => {
                "framing or Host field in a trailer section (RFC 9110 §6.5.1)"
            }
            WriteError::UnsupportedVersion => "only HTTP/1.0 and HTTP/1.1 (RFC 9110 §15.6.6)",
            WriteError::InvalidSwitch => {
                "101 without an Upgrade naming a protocol (RFC 9110 §15.2.2)"
            }
            WriteError::InformationalInHttp10 => "1xx status in HTTP/1.0 (RFC 9110 §15.2)",
            WriteError::ForbiddenConnectionOption => {
                "Connection names Content-Length, Transfer-Encoding or Host (RFC 9110 §7.6.1)"
            }
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
impl std::error::Error for WriteError {}

/// A writer's refusal as an `io::Error` of kind `InvalidInput`, for `?` in I/O code.
#[cfg(feature = "std")]
impl From<WriteError> for std::io::Error {
    fn from(error: WriteError) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, error)
    }
}
