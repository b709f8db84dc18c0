//! The body a connection sends: exactly what its head announced, framed for the caller.

use super::error::ConnError;
use crate::write::{chunk_head, last_chunk, Out, CHUNK_END};

/// An empty trailer section.
pub(crate) const NO_TRAILERS: [(&[u8], &[u8]); 0] = [];

/// Where the body being sent is, per the framing its head announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// No head sent yet, or the body was finished: no data may be sent.
    Idle,
    /// `Content-Length`: this many bytes still owed (RFC 9110 §8.6).
    Length(u64),
    /// Chunked framing, written around each piece of data (RFC 9112 §7.1).
    Chunked,
    /// The body runs until the connection closes (RFC 9112 §6.3 item 8).
    UntilClose,
    /// The message has no body whatever its head says (HEAD, 1xx, 204, 304): data given is
    /// dropped, never sent (RFC 9110 §9.3.2, §15.4.5).
    Discard,
}

impl Outgoing {
    /// Writes `data` as the next piece of the body into `out`; returns the bytes written.
    pub(crate) fn data(&mut self, out: Out<'_>, data: &[u8]) -> Result<usize, ConnError> {
        match *self {
            Outgoing::Idle => Err(ConnError::OutOfOrder),
            Outgoing::Discard => Ok(0),
            Outgoing::Length(left) => {
                if data.len() as u64 > left {
                    return Err(ConnError::BodyTooLong);
                }
                let written = put_all(out, &[data])?;
                *self = Outgoing::Length(left - data.len() as u64);
                Ok(written)
            }
            Outgoing::UntilClose => put_all(out, &[data]),
            // A chunk of size 0 would end the body: empty data writes nothing.
            Outgoing::Chunked if data.is_empty() => Ok(0),
            Outgoing::Chunked => {
                let size = chunk_head(data.len() as u64)?;
                put_all(out, &[size.as_bytes(), data, CHUNK_END])
            }
        }
    }

    /// Ends the body, with `trailers` after a chunked one; returns the bytes written.
    pub(crate) fn finish<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        out: Out<'_>,
        trailers: impl IntoIterator<Item = (N, V)>,
    ) -> Result<usize, ConnError> {
        let mut trailers = trailers.into_iter().peekable();
        let written = match *self {
            Outgoing::Idle => return Err(ConnError::OutOfOrder),
            Outgoing::Length(left) if left > 0 => return Err(ConnError::BodyTooShort),
            Outgoing::Chunked => last_chunk(out, trailers)?,
            Outgoing::Discard => 0,
            Outgoing::Length(_) | Outgoing::UntilClose if trailers.peek().is_some() => {
                return Err(ConnError::TrailersNeedChunked)
            }
            Outgoing::Length(_) | Outgoing::UntilClose => 0,
        };
        *self = Outgoing::Idle;
        Ok(written)
    }
}

/// Writes every part or, on a refusal, nothing.
fn put_all(mut out: Out<'_>, parts: &[&[u8]]) -> Result<usize, ConnError> {
    for part in parts {
        if let Err(error) = out.put(part) {
            out.undo();
            return Err(error.into());
        }
    }
    Ok(out.len())
}
