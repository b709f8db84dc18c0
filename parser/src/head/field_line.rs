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
//! states (`field_lines`), which reach the same verdicts and error offsets byte by byte; the
//! two feed the same `RawHeader`, so a head can switch between them at any line.
//!
//! [`complete_line`] depends on nothing but the bare-LF leniency the caller passes, so the
//! trailer section of a chunked body reads its lines with it too.

use super::{HeadMachine, State};
use crate::chars::{is_tchar, skip_field_value, skip_tchars};
use crate::error::Error;
use crate::known::KnownFields;
use crate::message::Version;
use crate::span::{RawHeader, Span};

/// Where `line_start` leaves a line: read whole, to be read by its parts, or the view (or the
/// head) ended.
enum LineStart {
    Whole(usize),
    Parts(usize),
    Stop(usize),
}

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

impl<const N: usize> HeadMachine<N> {
    /// Field lines until the final empty line (then the head is finished) or the end of the
    /// view (then `self.state` is the part of a line to resume in). Returns the new position.
    #[inline(always)]
    pub(super) fn field_lines(
        &mut self,
        view: &[u8],
        mut pos: usize,
        max_headers: usize,
        incomplete_from: usize,
    ) -> Result<usize, (Error, usize)> {
        loop {
            if matches!(
                self.state,
                State::LineStart | State::FieldEnd | State::FieldInTable
            ) {
                match self.line_start(view, pos, max_headers, incomplete_from)? {
                    LineStart::Whole(next) => {
                        pos = next;
                        continue;
                    }
                    LineStart::Parts(next) => pos = next,
                    LineStart::Stop(at) => return Ok(at),
                }
            }
            if self.state == State::Name {
                let end = skip_tchars(view, pos);
                self.tally.examined(end - pos);
                pos = end;
                let Some(&b) = view.get(end) else {
                    return Ok(pos);
                };
                self.tally.examined(1);
                match b {
                    b':' => {}
                    // RFC 9112 §5.1: no whitespace between field name and colon.
                    b' ' | b'\t' => return Err((Error::WhitespaceBeforeColon, end)),
                    _ => return Err((Error::InvalidHeaderName, end)),
                }
                self.field.name = Span::new(self.mark, end);
                pos += 1;
                self.state = State::ValueStart;
            }
            if self.state == State::ValueStart {
                // RFC 9112 §5: OWS before the value is not part of it.
                while let Some(b' ' | b'\t') = view.get(pos) {
                    self.tally.examined(1);
                    pos += 1;
                }
                if pos == view.len() {
                    return Ok(pos);
                }
                self.field.value.start = pos as u32;
                self.state = State::Value;
            }
            if self.state == State::Value {
                // RFC 9110 §5.5: no CTL but HTAB in a field value; NUL, CR, LF never.
                let Some((end, ending)) =
                    self.text_to_line_end(view, pos, Error::InvalidHeaderValue)?
                else {
                    return Ok(view.len());
                };
                pos = end + 1;
                self.state = match ending {
                    LineEnd::Cr => State::ValueLf,
                    LineEnd::BareLf => State::FieldEnd,
                };
                let start = self.field.value.start as usize;
                self.field.value.end = value_end_without_ows(view, start, end) as u32;
            }
            if self.state == State::ValueLf {
                let Some(&b) = view.get(pos) else {
                    return Ok(pos);
                };
                self.tally.examined(1);
                lf_after_cr(b, pos)?;
                pos += 1;
                self.state = State::FieldEnd;
            }
        }
    }

    /// A field line starting with SP or HTAB: obs-fold (RFC 9112 §5.2), or whitespace between
    /// the request-line and the first field (RFC 9112 §2.2: reject).
    fn obs_fold(&mut self, at: usize) -> Result<usize, (Error, usize)> {
        if !matches!(self.state, State::FieldEnd | State::FieldInTable) {
            return Err((Error::InvalidHeaderName, at));
        }
        if !self.config.allow_obs_fold {
            return Err((Error::ObsFold, at));
        }
        if self.state == State::FieldInTable {
            // The folded field is not complete after all: back out of the table.
            if let Some(field) = self.headers.pop() {
                self.field = field;
            }
        }
        // The fold becomes part of the value; `Header::unfolded` reads it as spaces.
        self.state = State::Value;
        Ok(at)
    }

    /// The start of a line in the field section: a field line (read whole when its end is in
    /// the view), an obs-fold, or the final empty line. The line before it is complete.
    #[inline(always)]
    fn line_start(
        &mut self,
        view: &[u8],
        pos: usize,
        max_headers: usize,
        incomplete_from: usize,
    ) -> Result<LineStart, (Error, usize)> {
        let Some(&b) = view.get(pos) else {
            return Ok(LineStart::Stop(pos));
        };
        if !is_tchar(b) {
            if b == b' ' || b == b'\t' {
                return self.obs_fold(pos).map(LineStart::Parts);
            }
            return self.final_line(view, pos, b, max_headers);
        }
        // The common case: a field line starts, so the one before it is complete (bench
        // input `headers-40`).
        if self.state == State::FieldEnd {
            self.finish_field(view)?;
        }
        self.tally.examined(1);
        if self.headers.len() >= max_headers {
            return Err((Error::TooManyHeaders, pos));
        }
        // A line whose end is in the view is read whole; the states take one still incomplete.
        let line = if pos < incomplete_from {
            complete_line(view, pos, self.config.allow_bare_lf)
        } else {
            Ok(None)
        };
        match line {
            Ok(Some(line)) => {
                self.tally.examined(line.end - pos - 1);
                let name = line.field.name;
                if KnownFields::may_be_known(name.end - name.start, b) {
                    // Its verdict waits for the next line (a fold first).
                    self.field = line.field;
                    self.state = State::FieldEnd;
                } else {
                    // No verdict waits on the next line: the field joins the table now, while
                    // at hand (`headers-40`). The count was checked against the limit above.
                    self.headers
                        .try_push(line.field)
                        .map_err(|_| (Error::TooManyHeaders, name.start as usize))?;
                    self.state = State::FieldInTable;
                }
                return Ok(LineStart::Whole(line.end));
            }
            Ok(None) if pos < incomplete_from => self.tally.relooked(view.len() - pos - 1),
            Ok(None) => {}
            Err((error, at)) => {
                self.tally.examined(at - pos);
                return Err((error, at));
            }
        }
        self.mark = pos;
        self.state = State::Name;
        Ok(LineStart::Parts(pos + 1))
    }

    /// A line in the field section starting with `b` at `pos`, neither a field line nor a
    /// fold: the final empty line (then the head is finished), or an error.
    #[inline(always)]
    fn final_line(
        &mut self,
        view: &[u8],
        pos: usize,
        b: u8,
        max_headers: usize,
    ) -> Result<LineStart, (Error, usize)> {
        if self.state == State::FieldEnd {
            self.finish_field(view)?;
        }
        self.tally.examined(1);
        match b {
            b'\r' => {
                self.state = State::HeadLf;
                let Some(&lf) = view.get(pos + 1) else {
                    return Ok(LineStart::Stop(pos + 1));
                };
                self.tally.examined(1);
                lf_after_cr(lf, pos + 1)?;
                self.finish_head(pos, pos + 2)?;
                Ok(LineStart::Stop(pos + 2))
            }
            b'\n' => {
                self.bare_lf(pos)?;
                self.finish_head(pos, pos + 1)?;
                Ok(LineStart::Stop(pos + 1))
            }
            _ if self.headers.len() >= max_headers => Err((Error::TooManyHeaders, pos)),
            _ => Err((Error::InvalidHeaderName, pos)),
        }
    }

    /// A field line is complete: the known fields' rules see it, and it joins the table.
    #[inline(always)]
    fn finish_field(&mut self, view: &[u8]) -> Result<(), (Error, usize)> {
        let field = self.field;
        let first = view
            .get(field.name.start as usize)
            .copied()
            .unwrap_or_default();
        if KnownFields::may_be_known(field.name.end - field.name.start, first) {
            let http10 = self.parts.version == Version::Http10;
            self.known
                .observe(
                    field.name.of(view),
                    field.value.of(view),
                    http10,
                    self.config.max_body_size,
                    self.config.allow_empty_host,
                )
                .map_err(|error| (error, field.name.start as usize))?;
        }
        // The count was checked against the capacity when the line started.
        self.headers
            .try_push(field)
            .map_err(|_| (Error::TooManyHeaders, field.name.start as usize))
    }
}
