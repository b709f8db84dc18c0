//! `BodyDecoder`: the body that follows a head, per its framing (RFC 9112 §6.3), push-style.

use crate::chunked::Chunked;
use crate::config::Config;
use crate::error::Error;
use crate::headers::Header;
use crate::message::Framing;
use crate::outcome::{Decoded, Piece};

#[derive(Clone, Debug)]
enum Kind {
    Length {
        remaining: u64,
    },
    Chunked(Chunked),
    /// A body delimited by the end of the input, which only `finish` announces.
    UntilClose {
        received: u64,
        max: u64,
        ended: bool,
    },
}

/// A push decoder for a message body, zero-copy and resumable.
///
/// Feed it the bytes after what it consumed so far; each call returns how many it consumed and
/// what they held. It never copies body bytes and never reads past the end of the body.
///
/// When the input ends (the peer closed the connection), call [`BodyDecoder::finish`]: it
/// completes a [`Framing::UntilClose`] body, and is [`Error::IncompleteBody`] for a length or
/// chunked body that is not complete, so a body cut short is never taken for a whole one.
///
/// ```
/// use h1_parser::{BodyDecoder, Config, Decoded, Framing};
///
/// let wire: &[u8] = b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nExpires: never\r\n\r\nGET /next";
/// let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
/// let (mut at, mut body, mut trailers) = (0, Vec::new(), Vec::new());
/// loop {
///     let (consumed, found) = decoder.decode(&wire[at..])?;
///     at += consumed;
///     match found {
///         Decoded::Data(data) => body.extend_from_slice(data),
///         Decoded::Trailer(field) => trailers.push(field.name),
///         Decoded::Partial => unreachable!("the whole body is here"),
///         Decoded::Done => break,
///     }
/// }
/// assert_eq!(body, b"abcde");
/// assert_eq!(trailers, ["Expires"]);
/// assert_eq!(&wire[at..], b"GET /next");
/// # Ok::<(), h1_parser::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BodyDecoder {
    kind: Kind,
    /// Bytes consumed by earlier calls, for error offsets.
    consumed: u64,
    error: Option<(Error, u64)>,
}

impl BodyDecoder {
    /// A decoder for a body with `framing`, bounded by `config`'s body, extension and trailer
    /// limits. [`Framing::NoBody`] is an empty body: the first call returns `Done`; so is
    /// [`Framing::Tunnel`], whose bytes after the head are not an HTTP body at all.
    /// [`Framing::UntilClose`] takes every byte until [`BodyDecoder::finish`].
    ///
    /// A [`Framing::Length`] above [`Config::max_body_size`] is [`Error::BodyTooLarge`] at the
    /// body's first byte, before any data: a request's head is refused for it already, a
    /// response's only here, where its body is actually read (a 304 or an answer to HEAD may
    /// announce any length).
    pub fn new(framing: Framing, config: Config) -> BodyDecoder {
        let kind = match framing {
            Framing::NoBody | Framing::Tunnel => Kind::Length { remaining: 0 },
            Framing::Length(length) => Kind::Length { remaining: length },
            Framing::Chunked => Kind::Chunked(Chunked::new(&config)),
            Framing::UntilClose => Kind::UntilClose {
                received: 0,
                max: config.max_body_size,
                ended: false,
            },
        };
        let too_large = matches!(framing, Framing::Length(length) if length > config.max_body_size);
        BodyDecoder {
            kind,
            consumed: 0,
            error: too_large.then_some((Error::BodyTooLarge, 0)),
        }
    }

    /// Bounds the body at `max` bytes instead of the configuration's
    /// [`Config::max_body_size`], before any of it was decoded: a server applying a route's
    /// own limit after the head. A `Content-Length` above it is [`Error::BodyTooLarge`] at once.
    pub fn set_max_body_size(&mut self, max: u64) {
        match &mut self.kind {
            Kind::Length { remaining } if *remaining > max && self.error.is_none() => {
                self.error = Some((Error::BodyTooLarge, self.consumed));
            }
            Kind::Length { .. } => {}
            Kind::Chunked(chunked) => chunked.set_max_body_size(max),
            Kind::UntilClose { max: limit, .. } => *limit = max,
        }
    }

    /// The body bytes still to come when its length is known (a `Content-Length` body).
    pub(crate) fn remaining_length(&self) -> Option<u64> {
        match self.kind {
            Kind::Length { remaining } => Some(remaining),
            _ => None,
        }
    }

    /// Decodes from `input`, the bytes after what earlier calls consumed. Returns the number of
    /// bytes consumed and what they held; call in a loop. An error is final.
    ///
    /// A body arriving in reads, as a server sees it: keep the bytes not consumed, append the
    /// next read, call again. Data comes out as slices of your buffer, never copied.
    ///
    /// ```
    /// use h1_parser::{BodyDecoder, Config, Decoded, Error, Framing};
    ///
    /// let reads: [&[u8]; 3] = [b"5\r\nhel", b"lo\r\n0\r\nChecksum: ab", b"c\r\n\r\n"];
    /// let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
    /// let (mut pending, mut body, mut trailers) = (Vec::new(), Vec::new(), Vec::new());
    /// for read in reads {
    ///     pending.extend_from_slice(read);
    ///     let mut at = 0;
    ///     loop {
    ///         let (consumed, found) = decoder.decode(&pending[at..])?;
    ///         at += consumed;
    ///         match found {
    ///             Decoded::Data(data) => body.extend_from_slice(data),
    ///             Decoded::Trailer(field) => trailers.push((field.name.to_owned(), field.value.to_vec())),
    ///             Decoded::Partial | Decoded::Done => break,
    ///         }
    ///     }
    ///     pending.drain(..at); // a trailer line received in part stays for the next call
    /// }
    /// assert!(decoder.is_done());
    /// assert_eq!(body, b"hello");
    /// assert_eq!(trailers, [("Checksum".to_owned(), b"abc".to_vec())]);
    ///
    /// // Smuggling attempts are errors with an offset from the body's first byte.
    /// let mut decoder = BodyDecoder::new(Framing::Chunked, Config::new());
    /// assert_eq!(decoder.decode(b"3\r\nabcX"), Ok((6, Decoded::Data(b"abc"))));
    /// assert_eq!(decoder.decode(b"X"), Err(Error::MissingChunkDataCrlf));
    /// assert_eq!(decoder.error_offset(), Some(6));
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Decoded<'a>), Error> {
        let (consumed, piece) = self.step(input)?;
        let found = match piece {
            Piece::Data(len) => {
                Decoded::Data(input.get(consumed - len..consumed).unwrap_or_default())
            }
            Piece::Trailer { name, value } => Decoded::Trailer(Header {
                name: crate::headers::ascii(input.get(name).unwrap_or_default()),
                value: input.get(value).unwrap_or_default(),
            }),
            Piece::Partial => Decoded::Partial,
            Piece::Done => Decoded::Done,
        };
        Ok((consumed, found))
    }

    /// `decode` as offsets into `input`: what the connection core hands out as ranges.
    #[inline]
    pub(crate) fn step(&mut self, input: &[u8]) -> Result<(usize, Piece), Error> {
        if let Some((error, _)) = self.error {
            return Err(error);
        }
        let step = match &mut self.kind {
            Kind::Length { remaining: 0 } => Ok((0, Piece::Done)),
            Kind::Length { .. } if input.is_empty() => Ok((0, Piece::Partial)),
            Kind::Length { remaining } => {
                // Bounded by `input.len()`, so the cast back to usize is lossless.
                let take = (*remaining).min(input.len() as u64) as usize;
                *remaining -= take as u64;
                Ok((take, Piece::Data(take)))
            }
            Kind::Chunked(chunked) => chunked.decode(input),
            Kind::UntilClose { ended: true, .. } => Ok((0, Piece::Done)),
            Kind::UntilClose { .. } if input.is_empty() => Ok((0, Piece::Partial)),
            Kind::UntilClose { received, max, .. } => {
                // The bytes up to the limit are data, however the input was split; the first
                // byte past it is the error.
                let room = max.saturating_sub(*received);
                if room == 0 {
                    Err((Error::BodyTooLarge, 0))
                } else {
                    // Bounded by `input.len()`, so the cast back to usize is lossless.
                    let take = room.min(input.len() as u64) as usize;
                    *received += take as u64;
                    Ok((take, Piece::Data(take)))
                }
            }
        };
        match step {
            Ok((consumed, found)) => {
                self.consumed += consumed as u64;
                Ok((consumed, found))
            }
            Err((error, index)) => {
                self.error = Some((error, self.consumed + index as u64));
                Err(error)
            }
        }
    }

    /// True once the body is complete: every body byte was handed out and, for a chunked body,
    /// the trailer section and its final CRLF were consumed; for a body delimited by the end of
    /// the input, once [`BodyDecoder::finish`] was called.
    pub fn is_done(&self) -> bool {
        match &self.kind {
            Kind::Length { remaining } => *remaining == 0,
            Kind::Chunked(chunked) => chunked.is_done(),
            Kind::UntilClose { ended, .. } => *ended,
        }
    }

    /// The input ended: the peer closed the connection, and no byte will follow what was passed
    /// to `decode`. Completes a [`Framing::UntilClose`] body (`decode` returns `Done` from now
    /// on). For a body delimited by Content-Length or by chunked framing that is not complete,
    /// this is [`Error::IncompleteBody`] (RFC 9112 §8), at the offset of the first byte not
    /// consumed, and final like every error. For a complete body it does nothing.
    pub fn finish(&mut self) -> Result<(), Error> {
        if let Some((error, _)) = self.error {
            return Err(error);
        }
        if let Kind::UntilClose { ended, .. } = &mut self.kind {
            *ended = true;
        }
        if self.is_done() {
            return Ok(());
        }
        self.error = Some((Error::IncompleteBody, self.consumed));
        Err(Error::IncompleteBody)
    }

    /// Where the error returned by `decode` was found: the offset of the offending byte,
    /// counted from the first byte of the body across every call: a position in a stream, so a
    /// `u64` like a file position (a body may be larger than memory), where
    /// [`crate::RequestParser::error_offset`] indexes one buffer and is a `usize`.
    pub fn error_offset(&self) -> Option<u64> {
        self.error.map(|(_, offset)| offset)
    }
}
