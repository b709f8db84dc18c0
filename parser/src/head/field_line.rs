//! The field line, both ways: read in one go when its end is already in the buffer, or part by
//! part by the machine's states when it is not.
//!
//! ```text
//! field-line = field-name ":" OWS field-value OWS CRLF      (RFC 9112 §5)
//! ```
//! Most heads arrive whole, so most field lines are complete when first seen. For those,
//! [`complete_line`] finds the line's end and validates the name and the value as runs (the
//! value in 32-byte blocks the compiler turns into vector compares), with no state written
//! back between the parts. A line still incomplete at the end of the buffer is left to the
//! machine's states (`head/mod.rs`), which reach the same verdicts and error offsets part by
//! part with the functions here; the two feed the same `RawHeader`, so a head can switch
//! between them at any line.
//!
//! [`complete_line`] depends on nothing but the bare-LF leniency the caller passes, so the
//! trailer section of a chunked body reads its lines with it too.

use crate::chars::{skip_field_value, skip_tchars};
use crate::error::Error;
use crate::span::{RawHeader, Span};

/// How a line of text ended: CR (its LF follows) or, under `allow_bare_lf`, a bare LF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineEnd {
    Cr,
    BareLf,
}

/// A complete, valid field line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldLine {
    /// The name and the value without its surrounding OWS.
    pub(crate) field: RawHeader,
    /// The offset after the line's LF.
    pub(crate) end: usize,
}

/// Reads the field line starting at `start`, whose first byte the caller found to be a
/// `tchar`, if its LF is in `view`. `None`: the line is incomplete, nothing was decided.
/// An error carries the offset of the offending byte, the same one the machine reports.
#[inline(always)]
pub(crate) fn complete_line(
    view: &[u8],
    start: usize,
    allow_bare_lf: bool,
) -> Result<Option<FieldLine>, (Error, usize)> {
    let Some(rest) = view.get(start..) else {
        return Ok(None);
    };
    // The caller classified the first byte.
    let name_end = skip_tchars(rest, 1);
    match rest.get(name_end) {
        Some(b':') => {}
        // RFC 9112 §5.1: no whitespace between field name and colon.
        Some(b' ' | b'\t') => return Err((Error::WhitespaceBeforeColon, start + name_end)),
        Some(_) => return Err((Error::InvalidHeaderName, start + name_end)),
        None => return Ok(None),
    }
    // RFC 9112 §5: OWS before the value is not part of it.
    let mut value_start = start + name_end + 1;
    // Mostly a single SP: one test, then the loop for any other OWS.
    if view.get(value_start) == Some(&b' ') {
        value_start += 1;
    }
    // Then mostly a value byte above SP: one comparison, the loop only below it (bench input
    // `headers-40`).
    if matches!(view.get(value_start), Some(&b) if b <= b' ') {
        while let Some(b' ' | b'\t') = view.get(value_start) {
            value_start += 1;
        }
    }
    // RFC 9110 §5.5: no CTL but HTAB in a field value; NUL, CR, LF never.
    let Some((value_end, ending)) = text_to_line_end(view, value_start, Error::InvalidHeaderValue)?
    else {
        return Ok(None);
    };
    let end = match ending {
        LineEnd::Cr => match view.get(value_end + 1) {
            Some(&lf) => {
                lf_after_cr(lf, value_end + 1)?;
                value_end + 2
            }
            None => return Ok(None),
        },
        LineEnd::BareLf if allow_bare_lf => value_end + 1,
        // RFC 9112 §2.2: a bare LF ends a line only under the named leniency.
        LineEnd::BareLf => return Err((Error::BareLf, value_end)),
    };
    let value_end = value_end_without_ows(view, value_start, value_end);
    Ok(Some(FieldLine {
        field: RawHeader {
            name: Span::new(start, start + name_end),
            value: Span::new(value_start, value_end),
        },
        end,
    }))
}

/// Text of a field value or a reason phrase (VCHAR, SP, HTAB, obs-text) from `pos` to the
/// line's end: the offset of its CR or LF (whether a bare LF may end a line is the caller's
/// leniency, RFC 9112 §2.2), or `None` when the view ends first. Any other control byte is
/// `invalid` at its offset. The whole line, the resumable value and reason states, and
/// trailers all call it.
#[inline(always)]
pub(crate) fn text_to_line_end(
    view: &[u8],
    pos: usize,
    invalid: Error,
) -> Result<Option<(usize, LineEnd)>, (Error, usize)> {
    let end = skip_field_value(view, pos);
    match view.get(end) {
        None => Ok(None),
        Some(b'\r') => Ok(Some((end, LineEnd::Cr))),
        Some(b'\n') => Ok(Some((end, LineEnd::BareLf))),
        Some(_) => Err((invalid, end)),
    }
}

/// Where the last line of `view` starts when it is known to be incomplete (no LF follows
/// it), so the fast paths need not read it only to hand it to the machine; `view.len()` when
/// `view` ends with an LF, or when no LF is in its last `LOOK_BACK` bytes (then nothing is
/// known, and a fast path may try the line). Input arriving in pieces mostly ends inside a
/// line, which no fast path then reads only to hand it on.
#[inline(always)]
pub(crate) fn incomplete_tail(view: &[u8]) -> usize {
    const LOOK_BACK: usize = 256;
    if let None | Some(b'\n') = view.last() {
        return view.len();
    }
    let from = view.len().saturating_sub(LOOK_BACK);
    let tail = view.get(from..).unwrap_or_default();
    match memchr::memrchr(b'\n', tail) {
        Some(lf) => from + lf + 1,
        None if from == 0 => 0,
        None => view.len(),
    }
}

/// RFC 9112 §2.2: a CR must be followed by LF; `b` is the byte after the CR, at `at`.
#[inline(always)]
pub(crate) fn lf_after_cr(b: u8, at: usize) -> Result<(), (Error, usize)> {
    if b == b'\n' {
        Ok(())
    } else {
        Err((Error::BareCr, at))
    }
}

/// RFC 9112 §5: OWS after the value is not part of it. Returns where the value in
/// `bytes[start..end]` ends without it.
#[inline(always)]
pub(crate) fn value_end_without_ows(bytes: &[u8], start: usize, mut end: usize) -> usize {
    // Mostly no OWS: one comparison tells, since the byte before `end` is a value byte (none
    // of them is below SP but HTAB), a colon, or OWS.
    if !matches!(bytes.get(end.wrapping_sub(1)), Some(&b) if b <= b' ') {
        return end;
    }
    while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t')) {
        end -= 1;
    }
    end
}
