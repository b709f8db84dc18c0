//! A reference decoder for request bodies: the chunked transfer coding of RFC 9112 §7.1 as a
//! recursive descent over its ABNF, and Content-Length. Slow, simple, whole-input: it sees the
//! entire input at once and never resumes, so it cannot have the resumption bugs the real
//! decoder might have.
//!
//! ```text
//! chunked-body   = *chunk last-chunk trailer-section CRLF
//! chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! chunk-size     = 1*HEXDIG
//! last-chunk     = 1*("0") [ chunk-ext ] CRLF
//! chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! chunk-ext-name = token
//! chunk-ext-val  = token / quoted-string
//! trailer-section = *( field-line CRLF )
//! ```
//!
//! Errors are reported as the decoder documents them: the rule broken and the offset of the
//! first byte that cannot continue a valid body (a descent over an LL(1) grammar stops exactly
//! there). The limits are the decoder's: `max_body_size` against the sum of the chunk sizes,
//! checked at the LF of a size line; `max_chunk_extensions` against every byte between the
//! chunk-size digits and the CR of its line; `max_trailers_size` against the trailer section,
//! final CRLF included, whose bytes past the limit are never examined.

use h1_parser::{Config, Error};

use crate::is_tchar;

/// How a body decoding ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The body is complete after exactly this many bytes of the input.
    Done(usize),
    /// The input ended inside the body, with no error so far.
    Incomplete,
    /// A rule was broken at this offset of the input.
    Failed(Error, u64),
}

/// The body data and trailer fields decoded before the end, and the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoding {
    pub data: Vec<u8>,
    pub trailers: Vec<(String, Vec<u8>)>,
    pub end: End,
}

/// A `Content-Length: length` body; one longer than `max_body_size` fails before any data.
pub fn length(input: &[u8], length: u64, config: &Config) -> Decoding {
    if length > config.max_body_size {
        return Decoding {
            data: Vec::new(),
            trailers: Vec::new(),
            end: End::Failed(Error::BodyTooLarge, 0),
        };
    }
    let available = input
        .len()
        .min(usize::try_from(length).unwrap_or(usize::MAX));
    let end = if (available as u64) == length {
        End::Done(available)
    } else {
        End::Incomplete
    };
    Decoding {
        data: input[..available].to_vec(),
        trailers: Vec::new(),
        end,
    }
}

/// A chunked body, with the limits of `config`.
pub fn chunked(input: &[u8], config: &Config) -> Decoding {
    let mut reader = Reader {
        input,
        pos: 0,
        data: Vec::new(),
        trailers: Vec::new(),
        total: 0,
        extension_bytes: 0,
        trailers_limit: usize::MAX,
        config,
    };
    let end = match reader.chunked_body() {
        Ok(()) => End::Done(reader.pos),
        Err(Stop::Incomplete) => End::Incomplete,
        Err(Stop::Failed(error, at)) => End::Failed(error, at as u64),
    };
    Decoding {
        data: reader.data,
        trailers: reader.trailers,
        end,
    }
}

enum Stop {
    Incomplete,
    Failed(Error, usize),
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    data: Vec<u8>,
    trailers: Vec<(String, Vec<u8>)>,
    /// The sum of the chunk sizes so far.
    total: u64,
    extension_bytes: usize,
    /// The offset where the trailer section's budget ends.
    trailers_limit: usize,
    config: &'a Config,
}

fn hex(b: u8) -> Option<u64> {
    (b as char).to_digit(16).map(u64::from)
}

/// qdtext and the second byte of a quoted-pair, RFC 9110 §5.6.4, without DQUOTE and backslash
/// for qdtext (the caller handles those first): HTAB, SP, VCHAR, obs-text.
fn is_quoted_text(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

impl Reader<'_> {
    fn fail<T>(&self, error: Error) -> Result<T, Stop> {
        Err(Stop::Failed(error, self.pos))
    }

    fn peek(&self) -> Result<u8, Stop> {
        self.input.get(self.pos).copied().ok_or(Stop::Incomplete)
    }

    /// chunked-body = *chunk last-chunk trailer-section CRLF
    fn chunked_body(&mut self) -> Result<(), Stop> {
        loop {
            let size = self.chunk_size_line()?;
            if size == 0 {
                break;
            }
            // chunk-data = 1*OCTET, exactly `size` of them.
            let rest = &self.input[self.pos..];
            let available = rest.len().min(usize::try_from(size).unwrap_or(usize::MAX));
            self.data.extend_from_slice(&rest[..available]);
            self.pos += available;
            if (available as u64) < size {
                return Err(Stop::Incomplete);
            }
            // chunk-data CRLF, exactly.
            for expected in [b'\r', b'\n'] {
                if self.peek()? != expected {
                    return self.fail(Error::MissingChunkDataCrlf);
                }
                self.pos += 1;
            }
        }
        // The final CRLF always fits: a smaller limit counts as 2.
        let limit = self.config.max_trailers_size.max(2);
        self.trailers_limit = self.pos.saturating_add(limit);
        self.trailer_section()
    }

    /// chunk-size [ chunk-ext ] CRLF; returns the size.
    fn chunk_size_line(&mut self) -> Result<u64, Stop> {
        if hex(self.peek()?).is_none() {
            return self.fail(Error::InvalidChunkSize);
        }
        let mut size: u64 = 0;
        let mut digits = 0;
        while let Some(digit) = hex(self.peek()?) {
            // At most 16 digits, leading zeros included (picohttpparser#81).
            digits += 1;
            if digits > 16 {
                return self.fail(Error::ChunkSizeOverflow);
            }
            size = size * 16 + digit;
            self.pos += 1;
        }
        // After the digits: CR, or the BWS / ";" of an extension.
        match self.peek()? {
            b'\r' | b';' | b' ' | b'\t' => {}
            b'\n' => return self.fail(Error::BareLf),
            _ => return self.fail(Error::InvalidChunkSize),
        }
        self.chunk_ext()?;
        // chunk_ext stopped at the CR of the line.
        self.pos += 1;
        if self.peek()? != b'\n' {
            return self.fail(Error::BareCr);
        }
        if size > 0 {
            self.total = match self.total.checked_add(size) {
                Some(total) if total <= self.config.max_body_size => total,
                _ => return self.fail(Error::BodyTooLarge),
            };
        }
        self.pos += 1;
        Ok(size)
    }

    /// One byte of a chunk extension, counted against the extension limit.
    fn ext_take(&mut self) -> Result<(), Stop> {
        self.extension_bytes += 1;
        if self.extension_bytes > self.config.max_chunk_extensions {
            return self.fail(Error::ChunkExtensionsTooLarge);
        }
        self.pos += 1;
        Ok(())
    }

    /// BWS = OWS; returns how many bytes it took.
    fn ext_bws(&mut self) -> Result<usize, Stop> {
        let mut n = 0;
        while matches!(self.peek()?, b' ' | b'\t') {
            self.ext_take()?;
            n += 1;
        }
        Ok(n)
    }

    fn ext_token(&mut self) -> Result<(), Stop> {
        if !is_tchar(self.peek()?) {
            return self.fail(Error::InvalidChunkExtension);
        }
        while is_tchar(self.peek()?) {
            self.ext_take()?;
        }
        Ok(())
    }

    /// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
    fn ext_quoted(&mut self) -> Result<(), Stop> {
        self.ext_take()?; // the opening DQUOTE, checked by the caller
        loop {
            match self.peek()? {
                b'"' => return self.ext_take(),
                b'\\' => {
                    self.ext_take()?;
                    if !is_quoted_text(self.peek()?) {
                        return self.fail(Error::InvalidChunkExtension);
                    }
                    self.ext_take()?;
                }
                b if is_quoted_text(b) => self.ext_take()?,
                _ => return self.fail(Error::InvalidChunkExtension),
            }
        }
    }

    /// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), up to (not
    /// including) the CR that ends the line.
    fn chunk_ext(&mut self) -> Result<(), Stop> {
        loop {
            if self.peek()? == b'\r' {
                return Ok(());
            }
            self.ext_bws()?;
            if self.peek()? != b';' {
                return self.fail(Error::InvalidChunkExtension);
            }
            self.ext_take()?;
            self.ext_bws()?;
            self.ext_token()?;
            let bws = self.ext_bws()?;
            match self.peek()? {
                b'=' => {
                    self.ext_take()?;
                    self.ext_bws()?;
                    if self.peek()? == b'"' {
                        self.ext_quoted()?;
                    } else {
                        self.ext_token()?;
                    }
                }
                // The next extension.
                b';' => {}
                // The end of the line, but not after BWS (BWS must lead to ";" or "=").
                b'\r' if bws == 0 => {}
                _ => return self.fail(Error::InvalidChunkExtension),
            }
        }
    }

    /// A trailer byte: bytes at or past the trailer budget are never examined; that there is
    /// one is the error.
    fn t_peek(&self) -> Result<u8, Stop> {
        if self.pos >= self.trailers_limit {
            return if self.pos < self.input.len() {
                Err(Stop::Failed(Error::TrailersTooLarge, self.trailers_limit))
            } else {
                Err(Stop::Incomplete)
            };
        }
        self.peek()
    }

    /// trailer-section CRLF, each field-line under the field rules of a head: no obs-fold, no
    /// whitespace before the colon, no CTL but HTAB in a value, CRLF line ends.
    fn trailer_section(&mut self) -> Result<(), Stop> {
        loop {
            match self.t_peek()? {
                b'\r' => {
                    self.pos += 1;
                    if self.t_peek()? != b'\n' {
                        return self.fail(Error::BareCr);
                    }
                    self.pos += 1;
                    return Ok(());
                }
                b'\n' => return self.fail(Error::BareLf),
                b' ' | b'\t' => return self.fail(Error::ObsFold),
                b if is_tchar(b) => {}
                _ => return self.fail(Error::InvalidHeaderName),
            }
            let name_start = self.pos;
            while is_tchar(self.t_peek()?) {
                self.pos += 1;
            }
            match self.t_peek()? {
                b':' => {}
                b' ' | b'\t' => return self.fail(Error::WhitespaceBeforeColon),
                _ => return self.fail(Error::InvalidHeaderName),
            }
            let name = String::from_utf8(self.input[name_start..self.pos].to_vec()).unwrap();
            self.pos += 1;
            while matches!(self.t_peek()?, b' ' | b'\t') {
                self.pos += 1;
            }
            let value_start = self.pos;
            loop {
                match self.t_peek()? {
                    b'\r' => break,
                    b'\n' => return self.fail(Error::BareLf),
                    b'\t' => {}
                    b if b < 0x20 || b == 0x7f => return self.fail(Error::InvalidHeaderValue),
                    _ => {}
                }
                self.pos += 1;
            }
            let value = crate::trim_ows(&self.input[value_start..self.pos]).to_vec();
            self.pos += 1;
            if self.t_peek()? != b'\n' {
                return self.fail(Error::BareCr);
            }
            self.pos += 1;
            self.trailers.push((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference agrees with the expectations of parser/tests/body.rs, written by hand from
    /// the RFC: so a disagreement found by the fuzzer is worth reading.
    #[test]
    fn reference_matches_the_hand_written_cases() {
        use Error::*;
        let cases: &[(&[u8], Error, u64)] = &[
            (b"\r\n\r\n", InvalidChunkSize, 0),
            (b"0x5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 1),
            (b" 5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 0),
            (b"5x\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 1),
            (b"1 2\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
            (b"5 \r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
            (b"10000000000000000\r\n", ChunkSizeOverflow, 16),
            (b"5\nhello\r\n0\r\n\r\n", BareLf, 1),
            (b"5\rhello\r\n0\r\n\r\n", BareCr, 2),
            (b"5;a\nb\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 3),
            (
                b"5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n",
                InvalidChunkExtension,
                6,
            ),
            (b"5;\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
            (b"5;=x\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 2),
            (b"5;a=\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 4),
            (
                b"5;a=\"x\"y\r\nhello\r\n0\r\n\r\n",
                InvalidChunkExtension,
                7,
            ),
            (b"5;a=b c\r\nhello\r\n0\r\n\r\n", InvalidChunkExtension, 6),
            (b"5\r\nhelloXX0\r\n\r\n", MissingChunkDataCrlf, 8),
            (b"5\r\nhello\rX0\r\n\r\n", MissingChunkDataCrlf, 9),
            (b"0\r\nX : y\r\n\r\n", WhitespaceBeforeColon, 4),
            (b"0\r\nX: a\x00b\r\n\r\n", InvalidHeaderValue, 7),
            (b"0\r\nX: a\r\n folded\r\n\r\n", ObsFold, 9),
            (b"0\r\nX: a\nY: b\r\n\r\n", BareLf, 7),
            (b"0\r\n\rX", BareCr, 4),
            (b"0\r\n:a\r\n\r\n", InvalidHeaderName, 3),
        ];
        for &(wire, error, offset) in cases {
            let got = chunked(wire, &Config::new()).end;
            assert_eq!(
                got,
                End::Failed(error, offset),
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
        let wire: &[u8] = b"4\r\nWiki\r\n5;name=value;flag ; q=\"a \\\" b\"\r\npedia\r\n0\r\nExpires: never\r\nX-Sum:  abc \t\r\n\r\nNEXT";
        let got = chunked(wire, &Config::new());
        assert_eq!(got.data, b"Wikipedia");
        assert_eq!(got.end, End::Done(wire.len() - 4));
        assert_eq!(got.trailers.len(), 2);
        // The limits, at the offsets the decoder's tests expect.
        let limits = [
            (
                Config::new().max_body_size(8),
                &b"5\r\nhello\r\n4\r\nabcd\r\n0\r\n\r\n"[..],
                BodyTooLarge,
                12,
            ),
            (
                Config::new().max_chunk_extensions(9),
                b"1;aaaa=b\r\nx\r\n1;cc\r\ny\r\n0\r\n\r\n",
                ChunkExtensionsTooLarge,
                16,
            ),
            (
                Config::new().max_trailers_size(13),
                b"0\r\nA: b\r\nC: d\r\n\r\n",
                TrailersTooLarge,
                16,
            ),
        ];
        for (config, wire, error, offset) in limits {
            assert_eq!(chunked(wire, &config).end, End::Failed(error, offset));
        }
    }
}
