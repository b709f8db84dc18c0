//! The body a connection receives, as events with ranges of the input.

use super::event::Event;
use crate::body::BodyDecoder;
use crate::error::Error;
use crate::outcome::Piece;

/// One step of `decoder` over `input`: the bytes consumed and the event they held.
#[inline]
pub(crate) fn body_step(decoder: &mut BodyDecoder, input: &[u8]) -> Result<(usize, Event), Error> {
    let (consumed, piece) = decoder.step(input)?;
    let event = match piece {
        // The decoders hand out data as the last bytes they consumed.
        Piece::Data(len) => Event::Data(consumed - len..consumed),
        Piece::Trailer { name, value } => Event::Trailer { name, value },
        Piece::Partial => Event::NeedMore,
        Piece::Done => Event::End,
    };
    Ok((consumed, event))
}
