//! The chunked transfer coding (RFC 9112 §7.1) as a push decoder over borrowed input.
//!
//! ```text
//! chunked-body = *chunk last-chunk trailer-section CRLF
//! chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! ```
//! Framing bytes are classified one at a time (they are few); chunk data is handed out as
//! slices of the input, never copied or scanned.

use crate::chars::{hex_value, is_quoted_byte, is_tchar};
use crate::config::Config;
use crate::error::Error;
use crate::head::{complete_line, lf_after_cr};
use crate::outcome::Piece;
use crate::span::RawHeader;

/// What the decoder expects next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The first HEXDIG of a chunk-size.
    SizeStart,
    /// More HEXDIGs, `;`, BWS, or the CR ending the line.
    Size,
    /// BWS that must lead to `;` (RFC 9112 §7.1.1).
    BwsBeforeSemicolon,
    /// BWS, then the first byte of an extension name.
    ExtNameStart,
    ExtName,
    /// BWS after a name, which must lead to `=` or `;`.
    BwsAfterName,
    /// BWS, then a token or a quoted-string.
    ExtValueStart,
    ExtToken,
    ExtQuoted,
    ExtQuotedPair,
    /// After a quoted-string: `;`, BWS or the line's CR.
    ExtAfterQuoted,
    /// The CR ending the chunk-size line was seen.
    SizeLf,
    /// Chunk data, `left` bytes of it still to come.
    Data {
        left: u64,
    },
    DataCr,
    DataLf,
    /// A trailer field line or the final empty line, read once it is complete
    /// (`trailer_line`).
    Trailers,
    Done,
}

/// The chunked decoder's state; see [`crate::BodyDecoder`].
#[derive(Clone, Debug)]
pub(crate) struct Chunked {
    state: State,
    /// The chunk-size being read.
    size: u64,
    /// HEXDIGs of the chunk-size read so far.
    digits: u8,
    /// Body bytes announced so far, against `max_body_size`.
    total: u64,
    extensions: usize,
    /// Bytes of the trailer section so far, against `max_trailers`.
    trailers: usize,
    max_body_size: u64,
    max_extensions: usize,
    max_trailers: usize,
}

/// The CRLF that ends every trailer section: it always fits the trailer limit, so a limit below
/// it still lets bodies without trailer fields through (see `Config::max_trailers_size`).
const FINAL_CRLF: usize = 2;

/// The most HEXDIGs a chunk-size may have: 16 hold any `u64`.
const MAX_SIZE_DIGITS: u8 = 16;

/// A chunk-size line without extensions, read in one go: `digits` HEXDIGs, then CRLF.
struct SizeLine {
    size: u64,
    digits: u8,
}

/// `1*16HEXDIG CRLF` at the start of `input`, when all of it is there.
#[inline(always)]
fn plain_size_line(input: Option<&[u8]>) -> Option<SizeLine> {
    let input = input?;
    let mut size = 0u64;
    let mut digits = 0u8;
    for &b in input.iter().take(usize::from(MAX_SIZE_DIGITS)) {
        let Some(value) = hex_value(b) else { break };
        size = size << 4 | u64::from(value);
        digits += 1;
    }
    let end = usize::from(digits);
    if digits == 0 || input.get(end..end + 2) != Some(b"\r\n") {
        return None;
    }
    Some(SizeLine { size, digits })
}

/// A complete trailer line: its length, and its field as offsets into the line (`None` for
/// the final empty line).
type TrailerRead = (usize, Option<RawHeader>);

/// One step's result: bytes consumed, and what they held.
pub(crate) type Step = (usize, Piece);

impl Chunked {
    /// Bounds the body's total at `max` bytes (see `BodyDecoder::set_max_body_size`).
    pub(crate) fn set_max_body_size(&mut self, max: u64) {
        self.max_body_size = max;
    }

    pub(crate) fn new(config: &Config) -> Chunked {
        Chunked {
            state: State::SizeStart,
            size: 0,
            digits: 0,
            total: 0,
            extensions: 0,
            trailers: 0,
            max_body_size: config.max_body_size,
            max_extensions: config.max_chunk_extensions,
            max_trailers: config.max_trailers_size.max(FINAL_CRLF),
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Decodes from `input`, the bytes after what earlier calls consumed. Errors carry the index
    /// of the offending byte in `input`.
    #[inline(always)]
    pub(crate) fn decode(&mut self, input: &[u8]) -> Result<Step, (Error, usize)> {
        let mut at = 0;
        loop {
            match self.state {
                State::Data { left } => {
                    let available = input.len() - at;
                    if available == 0 {
                        return Ok((at, Piece::Partial));
                    }
                    // Bounded by `available`, so the cast back to usize is lossless.
                    let take = left.min(available as u64) as usize;
                    let left = left - take as u64;
                    self.state = if left == 0 {
                        State::DataCr
                    } else {
                        State::Data { left }
                    };
                    return Ok((at + take, Piece::Data(take)));
                }
                State::Trailers => {
                    let line = input.get(at..).unwrap_or_default();
                    let budget = self.max_trailers.saturating_sub(self.trailers);
                    return match trailer_line(line, budget) {
                        Ok(Some((len, field))) => {
                            self.trailers += len;
                            let found = match field {
                                Some(field) => Piece::Trailer {
                                    name: at + field.name.start as usize
                                        ..at + field.name.end as usize,
                                    value: at + field.value.start as usize
                                        ..at + field.value.end as usize,
                                },
                                None => {
                                    self.state = State::Done;
                                    Piece::Done
                                }
                            };
                            Ok((at + len, found))
                        }
                        Ok(None) => Ok((at, Piece::Partial)),
                        Err((error, index)) => Err((error, at + index)),
                    };
                }
                State::Done => return Ok((at, Piece::Done)),
                State::DataCr if input.get(at..at + 2) == Some(b"\r\n") => {
                    at += 2;
                    self.state = State::SizeStart;
                }
                _ => {
                    if self.state == State::SizeStart {
                        if let Some(line) = plain_size_line(input.get(at..)) {
                            // The common `1*HEXDIG CRLF` line in one step; anything else
                            // (extensions, a line cut short, errors) goes byte by byte below,
                            // with the same outcome.
                            self.size = line.size;
                            self.digits = line.digits;
                            let lf = at + usize::from(line.digits) + 1;
                            self.end_size_line().map_err(|error| (error, lf))?;
                            at = lf + 1;
                            continue;
                        }
                    }
                    let Some(&b) = input.get(at) else {
                        return Ok((at, Piece::Partial));
                    };
                    self.framing_byte(b).map_err(|error| (error, at))?;
                    at += 1;
                }
            }
        }
    }

    /// One byte of a chunk-size line or of the CRLF after chunk data.
    #[inline]
    fn framing_byte(&mut self, b: u8) -> Result<(), Error> {
        use State::*;
        let is_ws = b == b' ' || b == b'\t';
        let next = match (&self.state, b) {
            // RFC 9112 §7.1: chunk-size = 1*HEXDIG; no sign, no `0x`, no empty size (hyper#3494).
            (SizeStart, _) => {
                self.size = u64::from(hex_value(b).ok_or(Error::InvalidChunkSize)?);
                self.digits = 1;
                Size
            }
            (Size, _) if hex_value(b).is_some() => {
                // Sixteen digits fill a u64, so the size never wraps (hyper GHSA-5h46-h7hh-c6x9,
                // httparse#25), and zeros cannot pad a line without bound (picohttpparser#81).
                if self.digits == MAX_SIZE_DIGITS {
                    return Err(Error::ChunkSizeOverflow);
                }
                self.digits += 1;
                self.size = self.size << 4 | u64::from(hex_value(b).unwrap_or(0));
                Size
            }
            (Size, b';') => ExtNameStart,
            (Size, _) if is_ws => BwsBeforeSemicolon,
            (Size | ExtName | ExtToken | ExtAfterQuoted, b'\r') => SizeLf,
            // Only `;`, BWS or CRLF may follow the digits (picohttpparser#78, #82).
            (Size, b'\n') => return Err(Error::BareLf),
            (Size, _) => return Err(Error::InvalidChunkSize),
            // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ).
            (BwsBeforeSemicolon, _) if is_ws => BwsBeforeSemicolon,
            (BwsBeforeSemicolon, b';') => ExtNameStart,
            (ExtNameStart, _) if is_ws => ExtNameStart,
            (ExtNameStart, _) if is_tchar(b) => ExtName,
            (ExtName, _) if is_tchar(b) => ExtName,
            (ExtName | BwsAfterName, b'=') => ExtValueStart,
            (ExtName | BwsAfterName | ExtToken | ExtAfterQuoted, b';') => ExtNameStart,
            (ExtName | BwsAfterName, _) if is_ws => BwsAfterName,
            (ExtValueStart, _) if is_ws => ExtValueStart,
            (ExtValueStart, b'"') => ExtQuoted,
            (ExtValueStart | ExtToken, _) if is_tchar(b) => ExtToken,
            (ExtToken | ExtAfterQuoted, _) if is_ws => BwsBeforeSemicolon,
            // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE.
            (ExtQuoted, b'"') => ExtAfterQuoted,
            (ExtQuoted, b'\\') => ExtQuotedPair,
            (ExtQuoted | ExtQuotedPair, _) if is_quoted_byte(b) => ExtQuoted,
            // No CR or LF inside an extension (hyper#2600).
            (
                BwsBeforeSemicolon | ExtNameStart | ExtName | BwsAfterName | ExtValueStart
                | ExtToken | ExtQuoted | ExtQuotedPair | ExtAfterQuoted,
                _,
            ) => return Err(Error::InvalidChunkExtension),
            (SizeLf, b'\n') => {
                self.end_size_line()?;
                return Ok(());
            }
            // RFC 9112 §2.2: CR must be followed by LF.
            (SizeLf, _) => return Err(Error::BareCr),
            // RFC 9112 §7.1: chunk-data is followed by exactly CRLF (h11 CVE-2025-43859, Go
            // CVE-2025-22871).
            (DataCr, b'\r') => DataLf,
            (DataLf, b'\n') => SizeStart,
            (DataCr | DataLf, _) => return Err(Error::MissingChunkDataCrlf),
            // `decode` hands out data and reads trailer lines without this function.
            (Data { .. } | Trailers | Done, _) => return Ok(()),
        };
        if matches!(
            next,
            BwsBeforeSemicolon
                | ExtNameStart
                | ExtName
                | BwsAfterName
                | ExtValueStart
                | ExtToken
                | ExtQuoted
                | ExtQuotedPair
                | ExtAfterQuoted
        ) {
            // hyper#3495: extensions are skipped, but their total size is bounded.
            self.extensions += 1;
            if self.extensions > self.max_extensions {
                return Err(Error::ChunkExtensionsTooLarge);
            }
        }
        self.state = next;
        Ok(())
    }

    /// The LF of a chunk-size line: data follows, or the trailer section after the last chunk.
    #[inline(always)]
    fn end_size_line(&mut self) -> Result<(), Error> {
        self.state = if self.size == 0 {
            State::Trailers
        } else {
            // The body limit is checked before any data of the chunk is read.
            self.total = self
                .total
                .checked_add(self.size)
                .filter(|&total| total <= self.max_body_size)
                .ok_or(Error::BodyTooLarge)?;
            State::Data { left: self.size }
        };
        Ok(())
    }
}

/// The trailer line at the start of `line` once it is complete: its length, and its field
/// (`None` for the final empty line). `budget` is what is left of the trailer limit.
///
/// RFC 9112 §7.1.2: trailer fields are field lines, read by the head's field-line rules
/// (`complete_line`, no leniencies). A line stays unconsumed until its LF arrives; until then
/// each call reads it again from its start, as the resumability rule allows for a line still
/// incomplete, and an offending byte is an error as soon as it is in.
fn trailer_line(line: &[u8], budget: usize) -> Result<Option<TrailerRead>, (Error, usize)> {
    // The trailer section, final CRLF included, is bounded as a whole; bytes past the limit
    // are never looked at, so the outcome does not depend on how the input was split.
    let full = line;
    let line = full.get(..budget).unwrap_or(full);
    let read = match line.first() {
        None => None,
        Some(b'\r') => match line.get(1) {
            None => None,
            Some(&lf) => {
                lf_after_cr(lf, 1)?;
                return Ok(Some((2, None)));
            }
        },
        // RFC 9112 §2.2: no bare LF; trailers take no leniencies.
        Some(b'\n') => return Err((Error::BareLf, 0)),
        // RFC 9112 §5.2: no obs-fold in trailers either.
        Some(b' ' | b'\t') => return Err((Error::ObsFold, 0)),
        Some(&b) if is_tchar(b) => complete_line(line, 0, false)?,
        Some(_) => return Err((Error::InvalidHeaderName, 0)),
    };
    match read {
        Some(field) => Ok(Some((field.end, Some(field.field)))),
        None if full.len() > line.len() => Err((Error::TrailersTooLarge, budget)),
        None => Ok(None),
    }
}
