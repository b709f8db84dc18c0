//! `Error`: one variant per rule a message broke, with the HTTP status a server should answer.

use core::fmt;

/// A rule of RFC 9112 / RFC 9110 (or a configured limit) that the input broke: a request or a
/// response.
///
/// Errors are plain data: `Copy`, no strings built at runtime. [`Error::status`] gives the
/// status code a server should answer with before closing the connection, and the parser that
/// returned the error knows where it happened ([`crate::RequestParser::error_offset`],
/// [`crate::BodyDecoder::error_offset`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    // ---- request-line, RFC 9112 §3 ----
    /// The method is empty or holds a byte that is not a `tchar` (RFC 9110 §9.1, §5.6.2).
    InvalidMethod,
    /// A method token this crate has no variant for, from `str::parse::<Method>`: a
    /// `Method<'static>` cannot borrow its name ([`crate::Method::from_bytes`] can). The
    /// parser never returns it. RFC 9110 §9.1: a server answers an unknown method with 501.
    ExtensionMethod,
    /// The request-line is not `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3):
    /// a missing or doubled space, or more than one empty line before it (RFC 9112 §2.2).
    InvalidRequestLine,
    /// The request-target is empty, holds a byte that is not visible ASCII (RFC 9112 §3.2) or a
    /// fragment's `#` (§3.2.1), or is an `http(s)` URI without a host or with userinfo (RFC
    /// 9110 §4.2.1, §4.2.4).
    InvalidTarget,
    /// The request-target's form does not fit the method (RFC 9112 §3.2.3, §3.2.4): `*` only
    /// with OPTIONS, authority-form only and always with CONNECT.
    TargetFormMismatch,
    /// The HTTP-version is not `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
    InvalidVersion,
    /// A well-formed HTTP-version whose major version is not 1, or HTTP/0.x (RFC 9110
    /// §15.6.6: 505). A higher minor version, `HTTP/1.2` to `HTTP/1.9`, is read as HTTP/1.1
    /// (RFC 9110 §2.5).
    UnsupportedVersion,
    /// A method longer than [`crate::Config::max_method_len`] (RFC 9112 §3: a method longer
    /// than any the server implements is answered 501); decided at the first byte past the
    /// limit.
    MethodTooLong,

    // ---- status-line, RFC 9112 §4 (responses) ----
    /// The status-line is not `HTTP-version SP status-code SP [ reason-phrase ] CRLF` (RFC 9112
    /// §4): no SP or a doubled SP after the version, no SP after the status code (see
    /// [`crate::Config::allow_missing_reason_sp`]), or more than one empty line before it (RFC
    /// 9112 §2.2).
    InvalidStatusLine,
    /// The status code is not three digits from 100 to 999 (RFC 9112 §4, RFC 9110 §15).
    InvalidStatusCode,
    /// The reason phrase holds a control byte other than HTAB (RFC 9112 §4:
    /// `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`).
    InvalidReasonPhrase,
    /// A 101 Switching Protocols the request did not ask for, from
    /// [`crate::Response::framing`]: the request sent no Upgrade field, the response is
    /// HTTP/1.0 (RFC 9110 §7.8, §15.2), or it names no protocol in an Upgrade field of its own
    /// (RFC 9110 §15.2.2). What follows its head is neither HTTP nor a protocol the client
    /// speaks: the connection is unusable.
    UnexpectedUpgrade,

    // ---- line endings, RFC 9112 §2.2 ----
    /// A CR not followed by LF (RFC 9112 §2.2); the error offset is the byte after the CR.
    BareCr,
    /// A line ended by LF alone, with the bare-LF leniency off (RFC 9112 §2.2).
    BareLf,

    // ---- fields, RFC 9112 §5 and RFC 9110 §5 ----
    /// A field name that is empty or holds a byte that is not a `tchar` (RFC 9110 §5.1).
    InvalidHeaderName,
    /// Whitespace between a field name and its colon (RFC 9112 §5.1).
    WhitespaceBeforeColon,
    /// A field value holding a control byte other than HTAB, such as NUL (RFC 9110 §5.5).
    InvalidHeaderValue,
    /// A field line continued on the next line (obs-fold), with its leniency off (RFC 9112 §5.2).
    ObsFold,
    /// An HTTP/1.1 request without a Host field (RFC 9112 §3.2).
    MissingHost,
    /// More than one Host field (RFC 9112 §3.2).
    DuplicateHost,
    /// A Host field with an empty value (RFC 9110 §4.2.1: an `http` URI with an empty host is
    /// invalid; RFC 9112 §3.3 lets a server reject it), with
    /// [`crate::Config::allow_empty_host`] off.
    EmptyHost,
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 9110 §7.2): a
    /// list (any comma, with or without spaces: see the crate's Host rules), a path, userinfo,
    /// whitespace inside, or a port that is not digits.
    InvalidHost,

    // ---- framing, RFC 9112 §6 ----
    /// A Content-Length that is not `1*DIGIT` or does not fit in a `u64` (RFC 9110 §8.6).
    InvalidContentLength,
    /// Content-Length fields or list members with different values (RFC 9110 §8.6, RFC 9112
    /// §6.3 item 5).
    ConflictingContentLength,
    /// Transfer-Encoding and Content-Length in one request (RFC 9112 §6.1, §6.3 item 3).
    ContentLengthWithTransferEncoding,
    /// A Transfer-Encoding whose final coding is not `chunked`, that applies `chunked` twice, or
    /// that is not a well-formed list of codings (RFC 9112 §6.1, §6.3 item 4).
    InvalidTransferEncoding,
    /// A transfer coding this parser does not implement, such as `gzip` (RFC 9112 §6.1: 501).
    UnsupportedTransferCoding,
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1).
    TransferEncodingInHttp10,

    // ---- chunked bodies, RFC 9112 §7.1 ----
    /// A chunk-size that is not `1*HEXDIG`, or junk after it (RFC 9112 §7.1).
    InvalidChunkSize,
    /// A chunk-size of more than 16 hex digits: too large for a `u64` (RFC 9112 §7.1: never
    /// wrap), or padded with zeros to make framing outweigh data (picohttpparser#81).
    ChunkSizeOverflow,
    /// A chunk extension that is not `BWS ";" BWS token [BWS "=" BWS (token / quoted-string)]`
    /// (RFC 9112 §7.1.1).
    InvalidChunkExtension,
    /// Chunk data not followed by exactly CRLF (RFC 9112 §7.1).
    MissingChunkDataCrlf,
    /// The input ended (the caller called [`crate::BodyDecoder::finish`]) inside a body
    /// delimited by Content-Length or by chunked framing (RFC 9112 §8: an incomplete message).
    IncompleteBody,

    // ---- limits ----
    /// The request head (request-line and fields) is larger than the configured limit.
    HeadTooLarge,
    /// The request-target is longer than the configured limit.
    TargetTooLong,
    /// More header fields than the configured limit or the parser's capacity.
    TooManyHeaders,
    /// The body is larger than the configured limit (checked against a request's
    /// Content-Length with its head, against a response's by the body decoder before any data,
    /// and against the running total of a chunked or close-delimited body).
    BodyTooLarge,
    /// The chunk extensions of a body are larger in total than the configured limit.
    ChunkExtensionsTooLarge,
    /// The trailer section is larger than the configured limit.
    TrailersTooLarge,
}

impl Error {
    /// Every variant, in declaration order: for a table of the statuses a server answers, or a
    /// test that must know them all (`tests/conformance.rs` checks the list is whole).
    pub const ALL: &'static [Error] = &[
        Error::InvalidMethod,
        Error::ExtensionMethod,
        Error::InvalidRequestLine,
        Error::InvalidTarget,
        Error::TargetFormMismatch,
        Error::InvalidVersion,
        Error::UnsupportedVersion,
        Error::MethodTooLong,
        Error::InvalidStatusLine,
        Error::InvalidStatusCode,
        Error::InvalidReasonPhrase,
        Error::UnexpectedUpgrade,
        Error::BareCr,
        Error::BareLf,
        Error::InvalidHeaderName,
        Error::WhitespaceBeforeColon,
        Error::InvalidHeaderValue,
        Error::ObsFold,
        Error::MissingHost,
        Error::DuplicateHost,
        Error::EmptyHost,
        Error::InvalidHost,
        Error::InvalidContentLength,
        Error::ConflictingContentLength,
        Error::ContentLengthWithTransferEncoding,
        Error::InvalidTransferEncoding,
        Error::UnsupportedTransferCoding,
        Error::TransferEncodingInHttp10,
        Error::InvalidChunkSize,
        Error::ChunkSizeOverflow,
        Error::InvalidChunkExtension,
        Error::MissingChunkDataCrlf,
        Error::IncompleteBody,
        Error::HeadTooLarge,
        Error::TargetTooLong,
        Error::TooManyHeaders,
        Error::BodyTooLarge,
        Error::ChunkExtensionsTooLarge,
        Error::TrailersTooLarge,
    ];
    /// The status code a server should answer with (RFC 9110 §15), before closing the
    /// connection. The status-line errors and `UnexpectedUpgrade`, which only a response can
    /// have, give 502: what a gateway answers for an invalid response (RFC 9110 §15.6.3). A
    /// gateway answers 502 for any error in a response, whatever this says.
    pub const fn status(self) -> u16 {
        match self {
            Error::InvalidStatusLine
            | Error::InvalidStatusCode
            | Error::InvalidReasonPhrase
            | Error::UnexpectedUpgrade => 502,
            Error::TargetTooLong => 414,
            Error::HeadTooLarge | Error::TooManyHeaders | Error::TrailersTooLarge => 431,
            Error::BodyTooLarge => 413,
            Error::UnsupportedTransferCoding | Error::ExtensionMethod | Error::MethodTooLong => 501,
            Error::UnsupportedVersion => 505,
            _ => 400,
        }
    }

    /// A short description naming the rule, the same text `Display` prints.
    pub const fn as_str(self) -> &'static str {
        match self {
            Error::InvalidMethod => "invalid method: not a token (RFC 9110 §9.1)",
            Error::ExtensionMethod => "not a standard method: an extension method (RFC 9110 §9.1)",
            Error::InvalidRequestLine => {
                "invalid request-line: expected method SP request-target SP HTTP-version CRLF (RFC 9112 §3)"
            }
            Error::InvalidTarget => {
                "invalid request-target: empty or not visible ASCII (RFC 9112 §3.2)"
            }
            Error::TargetFormMismatch => {
                "request-target form does not fit the method (RFC 9112 §3.2.3, §3.2.4)"
            }
            Error::InvalidVersion => "invalid HTTP-version (RFC 9112 §2.3)",
            Error::UnsupportedVersion => "HTTP version not supported (RFC 9110 §15.6.6)",
            Error::MethodTooLong => "method longer than any implemented (RFC 9112 §3)",
            Error::InvalidStatusLine => {
                "invalid status-line: expected HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112 §4)"
            }
            Error::InvalidStatusCode => "invalid status code: not 3 digits, 100 to 999 (RFC 9112 §4)",
            Error::InvalidReasonPhrase => {
                "invalid reason-phrase: control character (RFC 9112 §4)"
            }
            Error::UnexpectedUpgrade => {
                "101 Switching Protocols the request did not ask for (RFC 9110 §15.2.2)"
            }
            Error::BareCr => "CR not followed by LF (RFC 9112 §2.2)",
            Error::BareLf => "line ended by a bare LF (RFC 9112 §2.2)",
            Error::InvalidHeaderName => "invalid field name: not a token (RFC 9110 §5.1)",
            Error::WhitespaceBeforeColon => {
                "whitespace between field name and colon (RFC 9112 §5.1)"
            }
            Error::InvalidHeaderValue => {
                "invalid field value: control character (RFC 9110 §5.5)"
            }
            Error::ObsFold => "obsolete line folding in a field (RFC 9112 §5.2)",
            Error::MissingHost => "HTTP/1.1 request without a Host field (RFC 9112 §3.2)",
            Error::DuplicateHost => "more than one Host field (RFC 9112 §3.2)",
            Error::EmptyHost => "empty Host field value (RFC 9110 §4.2.1, RFC 9112 §3.3)",
            Error::InvalidHost => "Host value is not uri-host [ \":\" port ] (RFC 9110 §7.2)",
            Error::InvalidContentLength => "invalid Content-Length (RFC 9110 §8.6)",
            Error::ConflictingContentLength => {
                "Content-Length values differ (RFC 9112 §6.3)"
            }
            Error::ContentLengthWithTransferEncoding => {
                "both Transfer-Encoding and Content-Length (RFC 9112 §6.1)"
            }
            Error::InvalidTransferEncoding => {
                "invalid Transfer-Encoding: final coding must be chunked, once (RFC 9112 §6.1)"
            }
            Error::UnsupportedTransferCoding => {
                "transfer coding not implemented (RFC 9112 §6.1)"
            }
            Error::TransferEncodingInHttp10 => {
                "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)"
            }
            Error::InvalidChunkSize => "invalid chunk-size (RFC 9112 §7.1)",
            Error::ChunkSizeOverflow => "chunk-size longer than 16 hex digits (RFC 9112 §7.1)",
            Error::InvalidChunkExtension => "invalid chunk extension (RFC 9112 §7.1.1)",
            Error::MissingChunkDataCrlf => {
                "chunk data not followed by CRLF (RFC 9112 §7.1)"
            }
            Error::IncompleteBody => {
                "input ended inside a body of known length or a chunked body (RFC 9112 §8)"
            }
            Error::HeadTooLarge => "request head larger than the configured limit",
            Error::TargetTooLong => "request-target longer than the configured limit",
            Error::TooManyHeaders => "more header fields than the configured limit",
            Error::BodyTooLarge => "body larger than the configured limit",
            Error::ChunkExtensionsTooLarge => {
                "chunk extensions larger than the configured limit"
            }
            Error::TrailersTooLarge => "trailer section larger than the configured limit",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
impl std::error::Error for Error {}
