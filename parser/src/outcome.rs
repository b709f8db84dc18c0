//! What a call found: a head's [`Progress`], a body step's [`Decoded`].

use crate::headers::Header;

/// How far `parse` got: the head is still partial, or complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Progress<T> {
    /// The head is not complete yet: call again with the same bytes and more.
    Partial,
    /// The head is complete.
    Complete(T),
}

/// The former name of [`Progress`], kept until 1.0.
#[deprecated(note = "renamed `Progress`: in this crate a status is a status code")]
pub type Status<T> = Progress<T>;

impl<T> Progress<T> {
    /// True for `Complete`.
    pub fn is_complete(&self) -> bool {
        matches!(self, Progress::Complete(_))
    }

    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Progress::Complete(value) => Some(value),
            Progress::Partial => None,
        }
    }
}

/// What one [`crate::BodyDecoder::decode`] call found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// Body bytes, a slice of the input.
    Data(&'a [u8]),
    /// A trailer field of a chunked body (RFC 9112 §7.1.2), a slice of the input. It is passed
    /// on, never acted on: a `Content-Length`, `Transfer-Encoding` or `Host` in the trailers
    /// changes nothing about the framing (RFC 9110 §6.5.1: a recipient must not use a trailer
    /// field to frame the message); what to do with them is the caller's choice.
    Trailer(Header<'a>),
    /// Everything useful in the input was consumed: call again with the bytes not consumed
    /// (a trailer line received in part stays unconsumed) followed by more.
    Partial,
    /// The body is complete. The bytes consumed are exact: a pipelined request starts after.
    Done,
}

/// A body step as offsets into the input of the call, for the decoders and the connection
/// core: what [`Decoded`] hands out as slices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Body bytes: the last `n` bytes consumed.
    Data(usize),
    /// A trailer field: its name and value.
    Trailer {
        name: core::ops::Range<usize>,
        value: core::ops::Range<usize>,
    },
    Partial,
    Done,
}
