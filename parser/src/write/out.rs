//! Where written bytes go: the caller's `&mut [u8]` or, with `std`, the end of a `Vec<u8>`.
//! Either way a write that fails leaves nothing counted as written.

use super::error::WriteError;

#[cfg(feature = "std")]
extern crate std;

/// The destination of a writer: a caller's byte slice (written from its start) or, with the
/// `std` feature, a `Vec<u8>` (appended to). Made with `From`, so writers take either:
/// `&mut buf[..]` or `&mut vec`.
///
/// ```
/// use h1_parser::write::Out;
///
/// let mut buf = [0u8; 64];
/// let _to_slice: Out<'_> = (&mut buf[..]).into();
/// # #[cfg(feature = "std")] {
/// let mut vec = Vec::new();
/// let _to_vec: Out<'_> = (&mut vec).into();
/// # }
/// ```
#[derive(Debug)]
pub struct Out<'a> {
    sink: Sink<'a>,
}

#[derive(Debug)]
enum Sink<'a> {
    Slice {
        buf: &'a mut [u8],
        len: usize,
    },
    #[cfg(feature = "std")]
    Vec {
        vec: &'a mut std::vec::Vec<u8>,
        start: usize,
    },
}

impl<'a> From<&'a mut [u8]> for Out<'a> {
    fn from(buf: &'a mut [u8]) -> Out<'a> {
        Out {
            sink: Sink::Slice { buf, len: 0 },
        }
    }
}

impl<'a, const N: usize> From<&'a mut [u8; N]> for Out<'a> {
    fn from(buf: &'a mut [u8; N]) -> Out<'a> {
        Out::from(&mut buf[..])
    }
}

#[cfg(feature = "std")]
impl<'a> From<&'a mut std::vec::Vec<u8>> for Out<'a> {
    fn from(vec: &'a mut std::vec::Vec<u8>) -> Out<'a> {
        let start = vec.len();
        Out {
            sink: Sink::Vec { vec, start },
        }
    }
}

impl Out<'_> {
    /// Appends `bytes`, or `BufferTooSmall` (a slice) and nothing appended.
    #[inline]
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        match &mut self.sink {
            Sink::Slice { buf, len } => {
                let end = len
                    .checked_add(bytes.len())
                    .ok_or(WriteError::BufferTooSmall)?;
                let room = buf.get_mut(*len..end).ok_or(WriteError::BufferTooSmall)?;
                room.copy_from_slice(bytes);
                *len = end;
            }
            #[cfg(feature = "std")]
            Sink::Vec { vec, .. } => vec.extend_from_slice(bytes),
        }
        Ok(())
    }

    /// How many bytes were written so far.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match &self.sink {
            Sink::Slice { len, .. } => *len,
            #[cfg(feature = "std")]
            Sink::Vec { vec, start } => vec.len() - *start,
        }
    }

    /// The bytes written so far.
    #[inline]
    pub(crate) fn written(&self) -> &[u8] {
        match &self.sink {
            Sink::Slice { buf, len } => buf.get(..*len).unwrap_or_default(),
            #[cfg(feature = "std")]
            Sink::Vec { vec, start } => vec.get(*start..).unwrap_or_default(),
        }
    }

    /// Forgets everything written: a slice's count goes back to 0, a Vec is truncated back to
    /// its length before the writer started.
    #[inline]
    pub(crate) fn undo(&mut self) {
        match &mut self.sink {
            Sink::Slice { len, .. } => *len = 0,
            #[cfg(feature = "std")]
            Sink::Vec { vec, start } => vec.truncate(*start),
        }
    }
}

/// `n` in decimal ASCII (RFC 9110 §8.6: `Content-Length = 1*DIGIT`): the digits at the end of
/// the returned array, from the returned index.
#[inline]
pub(crate) fn decimal(mut n: u64) -> ([u8; 20], usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // `n % 10 < 10`, and 20 digits hold `u64::MAX`: `at` never underflows.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return (digits, at);
        }
    }
}

/// The room [`content_length_line`] needs: the name, 20 digits (`u64::MAX`), two CRLF.
pub(crate) const CONTENT_LENGTH_LINE: usize = 16 + 20 + 4;

/// `00` to `99`, two ASCII digits each.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// `Content-Length: n` CRLF and the empty line that ends the head, built in `line` and
/// returned as one slice of it: one copy into the output (three puts and a digit array
/// returned by value cost `pipeline_cost` 110 instructions more).
#[inline(always)]
pub(crate) fn content_length_line(mut n: u64, line: &mut [u8; CONTENT_LENGTH_LINE]) -> &[u8] {
    const NAME: &[u8; 16] = b"Content-Length: ";
    let end = line.len() - 4;
    line[end..].copy_from_slice(b"\r\n\r\n");
    // Two digits at a time (a body under 100 bytes takes one lookup); 20 digits hold
    // `u64::MAX`, so `at` stays at or above `NAME.len()`.
    let mut at = end;
    while n >= 100 {
        let pair = usize::from((n % 100) as u8) * 2;
        n /= 100;
        at -= 2;
        line[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = usize::from(n as u8) * 2;
        at -= 2;
        line[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        line[at] = b'0' + n as u8;
    }
    let start = at - NAME.len();
    line[start..at].copy_from_slice(NAME);
    &line[start..]
}

/// `n` in hexadecimal ASCII without leading zeros (RFC 9112 §7.1: `chunk-size = 1*HEXDIG`),
/// as for [`decimal`].
#[inline]
pub(crate) fn hex(mut n: u64) -> ([u8; 16], usize) {
    let mut digits = [b'0'; 16];
    let mut at = digits.len();
    loop {
        at -= 1;
        // 16 hex digits hold `u64::MAX`.
        digits[at] = b"0123456789abcdef"[(n % 16) as usize];
        n /= 16;
        if n == 0 {
            return (digits, at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_without_leading_zeros() {
        for (n, text) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (u64::MAX, "18446744073709551615"),
        ] {
            let (digits, at) = decimal(n);
            assert_eq!(&digits[at..], text.as_bytes());
        }
        for (n, text) in [
            (0, "0"),
            (10, "a"),
            (0x1f0, "1f0"),
            (u64::MAX, "ffffffffffffffff"),
        ] {
            let (digits, at) = hex(n);
            assert_eq!(&digits[at..], text.as_bytes());
        }
    }

    #[test]
    fn content_length_lines_hold_every_length() {
        let mut line = [0; CONTENT_LENGTH_LINE];
        for (n, expected) in [
            (0, &b"Content-Length: 0\r\n\r\n"[..]),
            (7, b"Content-Length: 7\r\n\r\n"),
            (13, b"Content-Length: 13\r\n\r\n"),
            (99, b"Content-Length: 99\r\n\r\n"),
            (100, b"Content-Length: 100\r\n\r\n"),
            (1_000, b"Content-Length: 1000\r\n\r\n"),
            (12_345, b"Content-Length: 12345\r\n\r\n"),
            (u64::MAX, b"Content-Length: 18446744073709551615\r\n\r\n"),
        ] {
            assert_eq!(content_length_line(n, &mut line), expected);
        }
    }

    #[test]
    fn a_slice_that_is_too_small_takes_nothing() {
        let mut buf = [0u8; 4];
        let mut out = Out::from(&mut buf);
        out.put(b"abc").unwrap();
        assert_eq!(out.put(b"de"), Err(WriteError::BufferTooSmall));
        assert_eq!(out.written(), b"abc");
    }
}
