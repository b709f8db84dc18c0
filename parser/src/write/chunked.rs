//! The chunked framing of RFC 9112 §7.1, written around data the caller writes itself:
//!
//! ```text
//! chunked-body = *chunk last-chunk trailer-section CRLF
//! chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! last-chunk   = 1*("0") [ chunk-ext ] CRLF
//! ```
//! The size line is handed back as bytes ([`chunk_head`]) so the data never has to be copied
//! next to it: a caller writes the size line, the data and [`CHUNK_END`] with vectored I/O or
//! one after the other.

use super::error::WriteError;
use super::out::{hex, Out};
use super::rules::check_trailer;
use crate::chars::is_quoted_byte;
use crate::syntax::is_token;

/// The CRLF after a chunk's data (RFC 9112 §7.1).
pub const CHUNK_END: &[u8] = b"\r\n";

/// The last chunk and an empty trailer section: the end of a chunked body without trailers.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// A chunk's size line, `chunk-size CRLF`, from [`chunk_head`]: up to 18 bytes, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkHead {
    bytes: [u8; 18],
    start: usize,
}

impl ChunkHead {
    /// The size line's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or_default()
    }
}

impl AsRef<[u8]> for ChunkHead {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// The size line of a chunk of `size` bytes of data: `size` in hex and CRLF. Size 0 is
/// refused ([`WriteError::EmptyChunk`]): it would end the body; the end is [`last_chunk`].
///
/// ```
/// use h1_parser::write::{chunk_head, CHUNK_END, LAST_CHUNK};
///
/// let data = b"hello, world";
/// let mut wire = Vec::new();
/// wire.extend_from_slice(chunk_head(data.len() as u64)?.as_bytes());
/// wire.extend_from_slice(data);
/// wire.extend_from_slice(CHUNK_END);
/// wire.extend_from_slice(LAST_CHUNK);
/// assert_eq!(wire, b"c\r\nhello, world\r\n0\r\n\r\n");
/// # Ok::<(), h1_parser::write::WriteError>(())
/// ```
pub fn chunk_head(size: u64) -> Result<ChunkHead, WriteError> {
    if size == 0 {
        return Err(WriteError::EmptyChunk);
    }
    let (digits, at) = hex(size);
    let mut bytes = [b'\n'; 18];
    let start = at;
    // `at <= 15`: the 16 digit bytes, then CR LF in the last two.
    bytes[..16].copy_from_slice(&digits);
    bytes[16] = b'\r';
    Ok(ChunkHead { bytes, start })
}

/// Writes the size line of a chunk of `size` bytes with chunk extensions (RFC 9112 §7.1.1)
/// into `out`: `name` must be a token; a value is written as a token when it is one, else as
/// a quoted-string (`"` and `\` escaped), and may hold no control byte but HTAB. Returns the
/// bytes written.
///
/// ```
/// use h1_parser::write::write_chunk_head;
///
/// let mut buf = [0u8; 64];
/// let len = write_chunk_head(&mut buf, 300, &[("sig", Some("a b")), ("last", None)])?;
/// assert_eq!(&buf[..len], b"12c;sig=\"a b\";last\r\n");
/// # Ok::<(), h1_parser::write::WriteError>(())
/// ```
pub fn write_chunk_head<'a>(
    out: impl Into<Out<'a>>,
    size: u64,
    extensions: &[(&str, Option<&str>)],
) -> Result<usize, WriteError> {
    let line = chunk_head(size)?;
    let mut out = out.into();
    let written = extended_size_line(&mut out, &line, extensions);
    finish(out, written)
}

fn extended_size_line(
    out: &mut Out<'_>,
    line: &ChunkHead,
    extensions: &[(&str, Option<&str>)],
) -> Result<(), WriteError> {
    let digits = line.as_bytes();
    out.put(
        digits
            .get(..digits.len().saturating_sub(2))
            .unwrap_or_default(),
    )?;
    for &(name, value) in extensions {
        // RFC 9112 §7.1.1: chunk-ext-name = token.
        if !is_token(name.as_bytes()) {
            return Err(WriteError::InvalidChunkExtension);
        }
        out.put(b";")?;
        out.put(name.as_bytes())?;
        let Some(value) = value else { continue };
        out.put(b"=")?;
        // RFC 9112 §7.1.1: chunk-ext-val = token / quoted-string.
        if is_token(value.as_bytes()) {
            out.put(value.as_bytes())?;
            continue;
        }
        // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE.
        out.put(b"\"")?;
        for &b in value.as_bytes() {
            if !is_quoted_byte(b) {
                return Err(WriteError::InvalidChunkExtension);
            }
            if b == b'"' || b == b'\\' {
                out.put(b"\\")?;
            }
            out.put(&[b])?;
        }
        out.put(b"\"")?;
    }
    out.put(CHUNK_END)
}

/// Writes the last chunk, the trailer fields (RFC 9112 §7.1.2; each a field as in a head, and
/// neither a framing field nor Host, RFC 9110 §6.5.1) and the final CRLF into `out`. Returns
/// the bytes written. Without trailers this is [`LAST_CHUNK`].
///
/// ```
/// use h1_parser::write::last_chunk;
///
/// let mut buf = [0u8; 64];
/// let len = last_chunk(&mut buf, [("Server-Timing", "db;dur=53")])?;
/// assert_eq!(&buf[..len], b"0\r\nServer-Timing: db;dur=53\r\n\r\n");
/// # Ok::<(), h1_parser::write::WriteError>(())
/// ```
pub fn last_chunk<'a, N: AsRef<[u8]>, V: AsRef<[u8]>>(
    out: impl Into<Out<'a>>,
    trailers: impl IntoIterator<Item = (N, V)>,
) -> Result<usize, WriteError> {
    let mut out = out.into();
    let written = trailer_section(&mut out, trailers);
    finish(out, written)
}

fn trailer_section<N: AsRef<[u8]>, V: AsRef<[u8]>>(
    out: &mut Out<'_>,
    trailers: impl IntoIterator<Item = (N, V)>,
) -> Result<(), WriteError> {
    out.put(b"0\r\n")?;
    for (name, value) in trailers {
        let (name, value) = (name.as_ref(), value.as_ref());
        check_trailer(name, value)?;
        for part in [name, b": ", value, b"\r\n"] {
            out.put(part)?;
        }
    }
    out.put(b"\r\n")
}

/// The length written, or the refusal with nothing counted as written.
fn finish(mut out: Out<'_>, written: Result<(), WriteError>) -> Result<usize, WriteError> {
    match written {
        Ok(()) => Ok(out.written().len()),
        Err(error) => {
            out.undo();
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_lines_are_hex_without_leading_zeros() {
        assert_eq!(chunk_head(1).unwrap().as_bytes(), b"1\r\n");
        assert_eq!(chunk_head(0xabc).unwrap().as_bytes(), b"abc\r\n");
        assert_eq!(
            chunk_head(u64::MAX).unwrap().as_bytes(),
            b"ffffffffffffffff\r\n"
        );
    }
}
