//! The sender's framing rules (RFC 9112 §6, RFC 9110 §8.6, §9.3.6, §15): which body a head
//! may announce, and the framing field that announces it.

use super::error::WriteError;
use crate::framing::{body_rule, BodyRule};
use crate::message::{Method, Version};

/// How the body after a head is delimited. The head writer's `finish` takes one and writes the
/// framing field for it (a caller's own Content-Length or Transfer-Encoding field is refused,
/// so the two can never disagree).
///
/// ```
/// use h1_parser::write::{Body, ResponseHead};
/// use h1_parser::{Method, Version};
///
/// let mut buf = [0u8; 64];
/// let head = ResponseHead::new(&mut buf, Method::Get, Version::Http11, 200, None)?;
/// let len = head.finish(Body::Length(5))?;
/// assert_eq!(&buf[..len], b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
/// # Ok::<(), h1_parser::write::WriteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    /// No body. Nothing is written, except in a response that could have a body, which gets
    /// `Content-Length: 0` (without it the body would run until the connection closes).
    None,
    /// Exactly this many bytes follow: `Content-Length` (RFC 9110 §8.6).
    Length(u64),
    /// A chunked body follows (`Transfer-Encoding: chunked`, RFC 9112 §7.1), written with
    /// [`chunk_head`](super::chunk_head) and [`last_chunk`](super::last_chunk). HTTP/1.1 only.
    Chunked,
    /// Responses only: the body runs until the server closes the connection (RFC 9112 §6.3
    /// item 8); no framing field is written.
    UntilClose,
    /// Responses to HEAD and 304 only: the `Content-Length` the body would have had, with no
    /// body following (RFC 9110 §8.6, §9.3.2, §15.4.5).
    Advertised(u64),
}

/// The framing field a head ends with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FramingField {
    Nothing,
    ContentLength(u64),
    Chunked,
}

/// RFC 9112 §6: the framing field of a request with `body`.
pub(crate) fn request_framing(
    method: Method<'_>,
    version: Version,
    body: Body,
) -> Result<FramingField, WriteError> {
    Ok(match body {
        Body::None => FramingField::Nothing,
        // RFC 9110 §9.3.6: a CONNECT request has no content.
        _ if method == Method::Connect => return Err(WriteError::BodyNotAllowed),
        Body::Length(length) => FramingField::ContentLength(length),
        // RFC 9112 §6.1: no Transfer-Encoding from an HTTP/1.0 sender.
        Body::Chunked if version == Version::Http10 => {
            return Err(WriteError::TransferEncodingInHttp10)
        }
        Body::Chunked => FramingField::Chunked,
        // A request's body is never delimited by closing (RFC 9112 §6.3 item 6).
        Body::UntilClose | Body::Advertised(_) => return Err(WriteError::FramingNotAllowed),
    })
}

/// RFC 9112 §6.3, RFC 9110 §8.6 and §15: the framing field of a response with status `code`
/// answering `method`, with `body`; which bodies the status and method allow is the reader's
/// rule, [`body_rule`].
#[inline]
pub(crate) fn response_framing(
    code: u16,
    method: Method<'_>,
    version: Version,
    body: Body,
) -> Result<FramingField, WriteError> {
    match (body_rule(code, method), body) {
        // RFC 9110 §8.6, RFC 9112 §6.1: a server MUST NOT send Content-Length or
        // Transfer-Encoding in a 1xx, a 204 or a 2xx to CONNECT; after 101 nothing frames.
        (BodyRule::Tunnel | BodyRule::NoBody | BodyRule::NoBodyLengthAllowed, Body::None) => {
            Ok(FramingField::Nothing)
        }
        (BodyRule::Tunnel | BodyRule::NoBody, _) => Err(WriteError::BodyNotAllowed),
        // RFC 9110 §9.3.2, §15.4.5: the length the body would have had may be sent.
        (BodyRule::NoBodyLengthAllowed, Body::Advertised(length)) => {
            Ok(FramingField::ContentLength(length))
        }
        (BodyRule::NoBodyLengthAllowed, _) => Err(WriteError::BodyNotAllowed),
        (BodyRule::Framed, body) => Ok(match body {
            Body::None => FramingField::ContentLength(0),
            Body::Length(length) => FramingField::ContentLength(length),
            // RFC 9112 §6.1: no Transfer-Encoding in an HTTP/1.0 message.
            Body::Chunked if version == Version::Http10 => {
                return Err(WriteError::TransferEncodingInHttp10)
            }
            Body::Chunked => FramingField::Chunked,
            Body::UntilClose => FramingField::Nothing,
            Body::Advertised(_) => return Err(WriteError::FramingNotAllowed),
        }),
    }
}
