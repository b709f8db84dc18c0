//! The request-line read in one go when it is already in the buffer, as most are:
//!
//! ```text
//! request-line = method SP request-target SP HTTP-version CRLF     (RFC 9112 §3)
//! ```
//! Method and target are read as runs, with the machine's verdicts and error offsets; the
//! version is one comparison for `HTTP/1.1` and `HTTP/1.0`, then the line's end. A line that
//! is still incomplete, or that starts with an empty line, is left to the machine (`head.rs`)
//! from its start; any other version (an error, unless the line is incomplete) is left to the
//! machine's version state, after the method and the target.

use crate::chars::{skip_target_chars, skip_tchars};
use crate::request::Span;
use crate::{Error, Method, Version};

/// What was read of a request-line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts {
    pub(crate) method: Span,
    pub(crate) known_method: Option<Method<'static>>,
    pub(crate) target: Span,
    /// Where the HTTP-version starts.
    pub(crate) version_start: usize,
    /// How the line ended, when its version is HTTP/1.1 or HTTP/1.0 followed by the line's
    /// end; otherwise the machine reads the version.
    pub(crate) ending: Option<Ending>,
}

/// A request-line's version and end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ending {
    pub(crate) version: Version,
    /// The offset after the line's LF.
    pub(crate) end: usize,
    /// The line ended in a bare LF (RFC 9112 §2.2: only under the named leniency).
    pub(crate) bare_lf: bool,
}

/// Reads the request-line at the start of `view`. `None`: the machine reads it (the line is
/// incomplete, or an empty line comes first), nothing was decided.
#[inline(always)]
pub(crate) fn read(view: &[u8], max_target_len: usize) -> Result<Option<Parts>, (Error, usize)> {
    // The commonest method in one comparison.
    let (method_end, known_method) = if view.starts_with(b"GET ") {
        (3, Some(Method::Get))
    } else {
        if let Some(b'\r' | b'\n') = view.first() {
            return Ok(None);
        }
        let end = skip_tchars(view, 0);
        match view.get(end) {
            None => return Ok(None),
            // RFC 9112 §3: method SP request-target; RFC 9110 §9.1: method = token.
            Some(&b) if b != b' ' || end == 0 => return Err((Error::InvalidMethod, end)),
            Some(_) => {}
        }
        (end, Method::standard(view.get(..end).unwrap_or_default()))
    };
    let target_start = method_end + 1;
    // Bytes past the length limit are never looked at.
    let limit = target_start.saturating_add(max_target_len);
    let bounded = view.get(..limit.saturating_add(1)).unwrap_or(view);
    let target_end = skip_target_chars(bounded, target_start);
    if target_end > limit {
        return Err((Error::TargetTooLong, limit));
    }
    match view.get(target_end) {
        None => return Ok(None),
        Some(b' ') if target_end > target_start => {}
        // RFC 9112 §3: exactly one SP between the parts of the request-line.
        Some(b' ') => return Err((Error::InvalidRequestLine, target_end)),
        // No HTTP/0.9 `GET /` CRLF request-line (llhttp#877).
        Some(b'\r' | b'\n') => return Err((Error::InvalidRequestLine, target_end)),
        Some(_) => return Err((Error::InvalidTarget, target_end)),
    }
    let version_start = target_end + 1;
    // `HTTP/1.1` or `HTTP/1.0` and CRLF in one comparison; anything else is the machine's to
    // read, but for the same versions ended by a bare LF, which the caller accepts or rejects.
    let crlf = |version| {
        Some(Ending {
            version,
            end: version_start + 10,
            bare_lf: false,
        })
    };
    // As a word and a half-word rather than ten byte comparisons (short: 726 -> 712
    // instructions per parse, callgrind).
    let ending = match view
        .get(version_start..)
        .and_then(|rest| rest.first_chunk::<10>())
        .map(version_word)
    {
        Some(HTTP_11_CRLF) => crlf(Version::Http11),
        Some(HTTP_10_CRLF) => crlf(Version::Http10),
        _ => bare_lf_ending(view, version_start),
    };
    Ok(Some(Parts {
        method: Span::new(0, method_end),
        known_method,
        target: Span::new(target_start, target_end),
        version_start,
        ending,
    }))
}

/// Ten bytes as one number, for a comparison with [`HTTP_11_CRLF`] or [`HTTP_10_CRLF`].
#[inline(always)]
const fn version_word(bytes: &[u8; 10]) -> u128 {
    let [a, b, c, d, e, f, g, h, i, j] = *bytes;
    u64::from_le_bytes([a, b, c, d, e, f, g, h]) as u128
        | (u16::from_le_bytes([i, j]) as u128) << 64
}

const HTTP_11_CRLF: u128 = version_word(b"HTTP/1.1\r\n");
const HTTP_10_CRLF: u128 = version_word(b"HTTP/1.0\r\n");

/// `HTTP/1.1` or `HTTP/1.0` and a bare LF at `version_start`.
#[cold]
fn bare_lf_ending(view: &[u8], version_start: usize) -> Option<Ending> {
    let version = match view
        .get(version_start..)
        .and_then(|rest| rest.first_chunk::<9>())
    {
        Some(b"HTTP/1.1\n") => Version::Http11,
        Some(b"HTTP/1.0\n") => Version::Http10,
        _ => return None,
    };
    Some(Ending {
        version,
        end: version_start + 9,
        bare_lf: true,
    })
}
