//! The request-line, both ways: read in one go when it is already in the buffer, as most are,
//! or part by part by the machine's states when it is not.
//!
//! ```text
//! request-line = method SP request-target SP HTTP-version CRLF     (RFC 9112 §3)
//! ```
//! Each part's rule is one function here, returning the part's end or its error, called by
//! both paths; the machine (`head/mod.rs`) writes down what they return. The fast path
//! ([`whole_line`]) reads method and target as runs; the version is one comparison for
//! `HTTP/1.1` and `HTTP/1.0`, then the line's end. A line that is still incomplete, or that
//! starts with an empty line, is left to the states from its start; any other version (an
//! error, unless the line is incomplete) is left to the version state, after the method and
//! the target.

use super::field_line::LineEnd;
use crate::chars::{skip_target_chars, skip_tchars};
use crate::config::Config;
use crate::error::Error;
use crate::message::{known_version, version_end, StandardMethod, Version};
use crate::span::Span;

/// What was read of a request-line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Parts {
    pub(super) method: Span,
    pub(super) known_method: Option<StandardMethod>,
    pub(super) target: Span,
    /// Where the HTTP-version starts.
    pub(super) version_start: usize,
    /// How the line ended, when its version is HTTP/1.1 or HTTP/1.0 followed by the line's
    /// end; otherwise the machine reads the version.
    pub(super) ending: Option<Ending>,
}

/// A request-line's version and end.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ending {
    pub(super) version: Version,
    /// The offset after the line's LF.
    pub(super) end: usize,
    /// The line ended in a bare LF (RFC 9112 §2.2: only under the named leniency).
    pub(super) bare_lf: bool,
}

/// The method of a request-line that starts at `start`, scanned on from `pos`: the offset of
/// the SP after it, or `None` when the view ends first. The fast path and the resumable state
/// both call it.
#[inline(always)]
pub(super) fn method_end(
    view: &[u8],
    start: usize,
    pos: usize,
    max_len: usize,
) -> Result<Option<usize>, (Error, usize)> {
    // Unbounded, then compared: cheaper per call than bounding the scan first, which counts
    // when the method arrives a byte at a time (bench input `trickle-1`); the view is bounded
    // by the head size anyway. `end >= pos >= start`.
    let end = skip_tchars(view, pos);
    // RFC 9112 §3: a method longer than any implemented is answered 501.
    if end - start > max_len {
        return Err((Error::MethodTooLong, start + max_len));
    }
    match view.get(end) {
        None => Ok(None),
        // RFC 9112 §3: method SP request-target; RFC 9110 §9.1: method = token.
        Some(b' ') if end > start => Ok(Some(end)),
        Some(_) => Err((Error::InvalidMethod, end)),
    }
}

/// The target of a request-line, starting at `start`, scanned on from `pos`: the offset of the
/// SP after it, or `None` when the view ends first. The fast path and the resumable state both
/// call it.
#[inline(always)]
pub(super) fn target_end(
    view: &[u8],
    start: usize,
    pos: usize,
    max_len: usize,
) -> Result<Option<usize>, (Error, usize)> {
    // Bytes past the length limit are never looked at.
    let limit = start.saturating_add(max_len);
    let bounded = view.get(..limit.saturating_add(1)).unwrap_or(view);
    let end = skip_target_chars(bounded, pos);
    if end > limit {
        return Err((Error::TargetTooLong, limit));
    }
    match view.get(end) {
        None => Ok(None),
        Some(b' ') if end > start => Ok(Some(end)),
        // RFC 9112 §3: exactly one SP between the parts of the request-line.
        Some(b' ') => Err((Error::InvalidRequestLine, end)),
        // No HTTP/0.9 `GET /` CRLF request-line (llhttp#877).
        Some(b'\r' | b'\n') => Err((Error::InvalidRequestLine, end)),
        // RFC 9112 §3.2: visible ASCII only.
        Some(_) => Err((Error::InvalidTarget, end)),
    }
}

/// Reads the request-line at the start of `view`. `None`: the machine reads it (the line is
/// incomplete, or an empty line comes first), nothing was decided.
#[inline(always)]
pub(super) fn whole_line(view: &[u8], config: &Config) -> Result<Option<Parts>, (Error, usize)> {
    // The commonest method in one comparison (within every limit: `Config::clamped`).
    let (method_end, known_method) = if view.starts_with(b"GET ") {
        (3, Some(StandardMethod::Get))
    } else {
        if let Some(b'\r' | b'\n') = view.first() {
            return Ok(None);
        }
        let Some(end) = method_end(view, 0, 0, config.max_method_len)? else {
            return Ok(None);
        };
        (
            end,
            StandardMethod::named(view.get(..end).unwrap_or_default()),
        )
    };
    let target_start = method_end + 1;
    let Some(target_end) = target_end(view, target_start, target_start, config.max_target_len)?
    else {
        return Ok(None);
    };
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
    // As a word and a half-word rather than ten byte comparisons (bench input `short`).
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

/// The request-line's HTTP-version, starting at `start`, scanned on from `pos`: the offset of
/// the byte after it and that byte, or `None` when the view ends first.
#[inline(always)]
pub(super) fn version_end_in_request_line(
    view: &[u8],
    start: usize,
    pos: usize,
) -> Result<Option<(usize, u8)>, (Error, usize)> {
    match version_end(view, start, pos) {
        // RFC 9112 §3: a doubled SP is a malformed line, not a malformed version.
        Err((_, at)) if at == start && view.get(at) == Some(&b' ') => {
            Err((Error::InvalidRequestLine, at))
        }
        found => found,
    }
}

/// The version the eight bytes from `start` name, and how the request-line ends with `b`, the
/// byte after them, at `end` (RFC 9112 §3): CR (its LF follows) or a bare LF (whether one may
/// end a line is the caller's leniency, RFC 9112 §2.2).
#[inline(always)]
pub(super) fn version_and_line_end(
    view: &[u8],
    start: usize,
    end: usize,
    b: u8,
) -> Result<(Version, LineEnd), (Error, usize)> {
    let version = known_version(view.get(start..end)).ok_or((Error::UnsupportedVersion, start))?;
    match b {
        b'\r' => Ok((version, LineEnd::Cr)),
        b'\n' => Ok((version, LineEnd::BareLf)),
        _ => Err((Error::InvalidVersion, end)),
    }
}
