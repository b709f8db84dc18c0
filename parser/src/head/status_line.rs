//! The status-line, its rules as free functions that return a part's end and value; the
//! machine's states (`head/mod.rs`) call them and write down what they return (RFC 9112 §4):
//!
//! ```text
//! status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
//! ```
//! The common start, `HTTP/1.x NNN `, is one comparison ([`common_start`]); the states take the
//! rest. A status line is short, so it has no whole-line path of its own. The version is
//! [`crate::message::version_end`], as in the request-line; the reason phrase is
//! `text_to_line_end`, as a field value is.

use crate::error::Error;
use crate::message::{known_version, Version};

/// The common start of a status-line at `pos`, `HTTP/1.x NNN `, in one comparison: the
/// version, and the status code when three digits from 100 and SP follow (bench input
/// `response-300`). `None`: the states read it (a leniency, an error, or bytes still to come).
#[inline(always)]
pub(super) fn common_start(view: &[u8], pos: usize) -> Option<(Version, Option<u16>)> {
    let word = view.get(pos..).and_then(|rest| rest.first_chunk::<13>());
    let &[b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor @ (b'0' | b'1'), b' ', ref code @ ..] =
        word?
    else {
        return None;
    };
    let version = if minor == b'1' {
        Version::Http11
    } else {
        Version::Http10
    };
    // RFC 9110 §15: a status code is a three-digit integer from 100 up.
    let code = match *code {
        [a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9', b' '] => Some(code_value(a, b, c)),
        _ => None,
    };
    Some((version, code))
}

/// Three digits as a number.
#[inline(always)]
fn code_value(a: u8, b: u8, c: u8) -> u16 {
    let digit = |d: u8| u16::from(d.wrapping_sub(b'0'));
    digit(a) * 100 + digit(b) * 10 + digit(c)
}

/// The version the eight bytes from `start` name, followed by `b` at `end`.
#[inline(always)]
pub(super) fn version_before_code(
    view: &[u8],
    start: usize,
    end: usize,
    b: u8,
) -> Result<Version, (Error, usize)> {
    let version = known_version(view.get(start..end)).ok_or((Error::UnsupportedVersion, start))?;
    // RFC 9112 §4: exactly one SP between HTTP-version and status-code.
    if b != b' ' {
        return Err((Error::InvalidStatusLine, end));
    }
    Ok(version)
}

/// RFC 9112 §4: `status-code = 3DIGIT` starting at `start`, scanned on from `pos`, then SP (or,
/// under [`crate::Config::allow_missing_reason_sp`], the line's end): the code and where the
/// reason phrase starts, or `None` when the view ends first.
pub(super) fn status_code_end(
    view: &[u8],
    start: usize,
    mut pos: usize,
    allow_missing_reason_sp: bool,
) -> Result<Option<(u16, usize)>, (Error, usize)> {
    while let Some(&b) = view.get(pos) {
        let index = pos - start;
        if index < 3 {
            // RFC 9110 §15: a status code is a three-digit integer from 100 up; 600 to 999
            // are not defined but are well-formed (the caller treats them as 5xx, §15).
            match b {
                b'1'..=b'9' => {}
                b'0' if index > 0 => {}
                // RFC 9112 §4: a doubled SP is a malformed line, not a malformed code.
                b' ' if index == 0 => return Err((Error::InvalidStatusLine, pos)),
                _ => return Err((Error::InvalidStatusCode, pos)),
            }
            pos += 1;
            continue;
        }
        let reason_start = match b {
            b' ' => pos + 1,
            // The line ends here, with no SP: the reason phrase is empty.
            b'\r' | b'\n' if allow_missing_reason_sp => pos,
            // RFC 9112 §4: status-code SP [ reason-phrase ]: the SP is not optional.
            b'\r' | b'\n' => return Err((Error::InvalidStatusLine, pos)),
            // A fourth digit, or anything else glued to the code.
            _ => return Err((Error::InvalidStatusCode, pos)),
        };
        let code = match view.get(start..pos) {
            Some(&[a, b, c]) => code_value(a, b, c),
            _ => 0,
        };
        return Ok(Some((code, reason_start)));
    }
    Ok(None)
}
