//! `Stream`: a response body pulled from its source as the output drains, and handed to the
//! core, which frames it as its head announced.

use std::io;

use h1_parser::conn::ServerConn;

use super::output::Output;
use crate::source::Source;

/// Room kept in the window for the framing the core writes around a piece: a chunk's size
/// line and CRLF, and the last chunk.
const FRAMING: usize = 32;

/// A streamed body being sent.
#[derive(Debug)]
pub(super) struct Stream {
    source: Source,
    /// The bytes still to send, when the length is known (`Content-Length`).
    left: Option<u64>,
    /// What the source gave, before the core copies it out with its framing.
    piece: Vec<u8>,
}

impl Stream {
    pub(super) fn new(source: Source) -> Stream {
        Stream {
            left: source.length(),
            source,
            piece: Vec::new(),
        }
    }

    /// Pulls the body into `output` while the window has room. False once the body is
    /// complete (the core ended it); an error when the source failed or ended before its
    /// length: the answer cannot be completed.
    pub(super) fn refill(
        &mut self,
        core: &mut ServerConn,
        output: &mut Output,
    ) -> io::Result<bool> {
        while let Some(room) = output.stream_room() {
            let mut want = room.saturating_sub(FRAMING).max(1);
            if let Some(left) = self.left {
                want = want.min(usize::try_from(left).unwrap_or(usize::MAX));
            }
            if want == 0 {
                core.finish(output.buf()).map_err(io::Error::other)?;
                return Ok(false);
            }
            if self.piece.len() < want {
                self.piece.resize(want, 0);
            }
            let piece = self.piece.get_mut(..want).unwrap_or_default();
            let n = self.source.read(piece)?;
            if n == 0 {
                if self.left.is_some_and(|left| left > 0) {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                core.finish(output.buf()).map_err(io::Error::other)?;
                return Ok(false);
            }
            let data = piece.get(..n).unwrap_or_default();
            core.send_data(output.buf(), data)
                .map_err(io::Error::other)?;
            if let Some(left) = self.left.as_mut() {
                *left -= n as u64;
            }
        }
        Ok(true)
    }
}
