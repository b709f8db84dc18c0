//! Heads a caller keeps: the offsets of a finished head, owned, resolved later against the
//! bytes it was read from (which may have moved, or been split off into a buffer of their own).

use arrayvec::ArrayVec;

use crate::head::{HeadParts, StatusParts};
use crate::request::Request;
use crate::response::Response;
use crate::span::RawHeader;

/// A request head as owned offsets: what [`crate::Parser::owned_request`] hands out. Resolve it
/// with [`OwnedRequest::request`] over the head's bytes, from its first byte, wherever they
/// are now; no byte is examined again. Over other bytes it gives other slices, never a panic.
///
/// ```
/// use h1_parser::{Parser, Status};
///
/// let mut parser = Parser::new();
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

/// A response head as owned offsets, as [`OwnedRequest`] for a request: from
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
