//! The head machine both directions share: start line -> field lines -> finish.
//!
//! Progress is a state and offsets into the caller's buffer. A call continues at the first byte
//! no earlier call classified, so a head arriving in pieces costs one parse in total. The start
//! line has two front ends, chosen by [`StartLine`]; both lead into the same field lines.
//!
//! The line kinds' rules are free functions that return a part's end and value, or the error
//! and its offset: `request_line.rs` (the whole line, method, target, version), `status_line.rs`
//! (the common start, version, code) and `field_line.rs` (the whole line, the text to the
//! line's end). The machine here calls them from its fast paths and its resumable states alike
//! and is the one writer of [`State`] and the parts (`parts.rs` declares them). The request
//! and response parsers (`request.rs`, `response.rs`) are thin wrappers around a
//! [`HeadMachine`].

mod field_line;
mod parts;
mod request_line;
mod status_line;

use arrayvec::ArrayVec;

use crate::chars::{is_tchar, skip_field_text, skip_target_chars, skip_tchars};
use crate::config::Config;
use crate::error::Error;
use crate::known::KnownFields;
use crate::message::{target_form, version_end, StandardMethod, Version};
use crate::span::{RawHeader, Span};
use field_line::{incomplete_tail, text_to_line_end, value_end_without_ows, LineEnd};
pub(crate) use parts::{HeadParts, StartLine, StatusParts};
use parts::{LineStart, PartEnd, State, Tally};
use request_line::{
    method_end, target_end, version_and_line_end, version_end_in_request_line, whole_line,
};
use status_line::{common_start, status_code_end, version_before_code};
// The trailer section of a chunked body reads its lines with the same field-line rules.
pub(crate) use field_line::{complete_line, lf_after_cr};

/// The resumable head machine with room for `N` header fields.
#[derive(Clone, Debug)]
pub(crate) struct HeadMachine<const N: usize> {
    config: Config,
    start: StartLine,
    state: State,
    /// The first byte no call has classified yet.
    pos: usize,
    /// Where the token being scanned began (method, target, version, field name).
    mark: usize,
    /// What the head decided so far.
    parts: HeadParts,
    /// The status code and reason phrase of a response.
    status: StatusParts,
    /// The field line being read, or the one `State::FieldEnd` waits to complete.
    field: RawHeader,
    headers: ArrayVec<RawHeader, N>,
    known: KnownFields,
    /// Bytes counted for the tests (nothing outside them).
    tally: Tally,
}

impl<const N: usize> HeadMachine<N> {
    /// A parser for heads that begin with `start`.
    pub(crate) fn starting(start: StartLine, config: Config) -> HeadMachine<N> {
        HeadMachine {
            config: config.clamped(),
            start,
            state: start.first_state(),
            pos: 0,
            mark: 0,
            parts: HeadParts::EMPTY,
            status: StatusParts::EMPTY,
            field: RawHeader::default(),
            headers: ArrayVec::new(),
            known: start.known_fields(),
            tally: Tally::default(),
        }
    }

    /// The configuration.
    #[inline]
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// What the head decided; meaningful once `is_done`.
    #[inline]
    pub(crate) fn parts(&self) -> &HeadParts {
        &self.parts
    }

    /// The status-line's parts; meaningful once `is_done` for a response.
    #[inline]
    pub(crate) fn status(&self) -> &StatusParts {
        &self.status
    }

    /// The header table, as offsets.
    #[inline]
    pub(crate) fn headers(&self) -> &[RawHeader] {
        &self.headers
    }

    /// Forgets the current message, keeping the configuration: ready for the next message.
    pub fn reset(&mut self) {
        // Field by field: rebuilding the whole value would copy the header table's storage.
        // `parts`, `status` and `field` are left as they are: each is written before anything
        // reads it, and a finished head has written every part of them its output reads.
        self.state = self.start.first_state();
        self.pos = 0;
        self.mark = 0;
        self.headers.clear();
        self.known = self.start.known_fields();
        self.tally = Tally::default();
    }

    /// Where the error `parse` returned was found, while the machine is failed.
    #[inline]
    pub(crate) fn error_offset(&self) -> Option<usize> {
        match self.state {
            State::Failed(_, offset) => Some(offset),
            _ => None,
        }
    }

    /// Parses the head in `buf` (every byte received so far for this message): true once it is
    /// complete within `buf`. The wrappers run the same two halves, the second out of line.
    #[cfg(test)]
    pub(crate) fn parse(&mut self, buf: &[u8]) -> Result<bool, Error> {
        if self.extend(buf)? {
            return Ok(false);
        }
        self.resume(buf)
    }

    /// The first half of a parse, which inlines into the caller's read loop: a failed
    /// machine's error, or true when the new bytes only extended the run in progress (the head
    /// is still partial and the machine need not run).
    #[inline(always)]
    pub(crate) fn extend(&mut self, buf: &[u8]) -> Result<bool, Error> {
        if let State::Failed(error, _) = self.state {
            return Err(error);
        }
        Ok(self.extend_run(buf))
    }

    /// The second half: the machine over the new bytes; true once the head is complete within
    /// `buf`.
    #[inline(always)]
    pub(crate) fn resume(&mut self, buf: &[u8]) -> Result<bool, Error> {
        self.run(buf)?;
        Ok(self.is_done(buf))
    }

    /// True when a head is complete.
    #[inline]
    pub(crate) fn is_finished(&self) -> bool {
        self.state == State::Done
    }

    /// Whether the head is complete and `buf` holds it.
    #[inline]
    pub(crate) fn is_done(&self, buf: &[u8]) -> bool {
        self.state == State::Done && buf.len() >= self.parts.head_len
    }

    /// The machine over the new bytes; an error is kept, so that it is final.
    #[inline(always)]
    fn run(&mut self, buf: &[u8]) -> Result<(), Error> {
        if self.state != State::Done {
            if let Err((error, offset)) = self.advance(buf) {
                self.state = State::Failed(error, offset);
                return Err(error);
            }
        }
        Ok(())
    }

    /// Input arriving in small pieces mostly extends the run in progress: a field value, a
    /// field name or the target. Their plain bytes are classified here without entering the
    /// machine; true when the new bytes held nothing else, so the head is still partial.
    /// Otherwise the machine resumes after the bytes classified here.
    #[inline(always)]
    fn extend_run(&mut self, buf: &[u8]) -> bool {
        // The limits are the machine's to report.
        let within = buf.len() <= self.config.max_head_size && self.pos <= buf.len();
        let end = match self.state {
            State::Value if within => skip_field_text(buf, self.pos),
            State::Name if within => skip_tchars(buf, self.pos),
            State::Target
                if within && buf.len() <= self.mark.saturating_add(self.config.max_target_len) =>
            {
                skip_target_chars(buf, self.pos)
            }
            _ => return false,
        };
        self.tally.examined(end - self.pos);
        self.pos = end;
        end == buf.len()
    }

    /// Runs the machine over the new bytes. Every error carries the offset of its cause.
    #[inline(always)]
    fn advance(&mut self, buf: &[u8]) -> Result<(), (Error, usize)> {
        // The limit was clamped to fit the u32 offsets when the parser took its config.
        let view = buf.get(..self.config.max_head_size).unwrap_or(buf);
        let mut pos = self.pos;
        if pos > view.len() {
            return Ok(());
        }
        let max_headers = self.config.max_headers.min(N);
        // Lines from here on are known to be incomplete: the machine's alone. A call that brought
        // only a few bytes does not look (a fast path would waste no more than those).
        let incomplete_from = if view.len() - pos >= 16 {
            incomplete_tail(view)
        } else {
            view.len()
        };
        if self.state == State::Start && incomplete_from > 0 {
            pos = self.whole_request_line(view)?;
        }

        // Each arm consumes what it can; `break` leaves with `pos` at the first byte not yet
        // classified, because the view has no more.
        loop {
            match self.state {
                State::Start
                | State::StartLf
                | State::MethodStart
                | State::Method
                | State::Target
                | State::Version => {
                    pos = self.request_line(view, pos)?;
                    // Still in the line: the view ended.
                    if self.state.in_request_line() {
                        break;
                    }
                }
                State::StatusVersion | State::StatusStartLf | State::StatusCode | State::Reason => {
                    // The parts of the status-line run in sequence, like a field line's.
                    pos = self.status_line(view, pos)?;
                    if self.state.in_status_line() {
                        break;
                    }
                }
                State::StartLineLf | State::HeadLf => {
                    let Some(&b) = view.get(pos) else { break };
                    self.tally.examined(1);
                    lf_after_cr(b, pos)?;
                    pos += 1;
                    if self.state == State::HeadLf {
                        return self.finish_head(pos - 2, pos);
                    }
                    self.state = State::LineStart;
                }
                State::LineStart
                | State::FieldEnd
                | State::FieldInTable
                | State::Name
                | State::ValueStart
                | State::Value
                | State::ValueLf => {
                    // The parts of a field line run in sequence there, without a dispatch
                    // between them; a call that runs out of bytes leaves the part it was in.
                    pos = self.field_lines(view, pos, max_headers, incomplete_from)?;
                    // Finished: `finish_head` has kept the position, no dispatch to `Done`.
                    if self.state == State::Done {
                        return Ok(());
                    }
                    break;
                }
                // `parse` answers a failed parser before the machine runs.
                State::Done | State::Failed(..) => return Ok(()),
            }
        }

        self.pos = pos;
        if buf.len() > view.len() {
            // The view ended at the head size limit with the head still open.
            return Err((Error::HeadTooLarge, view.len()));
        }
        Ok(())
    }

    /// RFC 9112 §2.2: a bare LF ends a line only under the named leniency.
    #[inline]
    fn bare_lf(&self, at: usize) -> Result<(), (Error, usize)> {
        if self.config.allow_bare_lf {
            Ok(())
        } else {
            Err((Error::BareLf, at))
        }
    }

    /// [`text_to_line_end`] under this machine's bare-LF leniency (`bare_lf`), counting the
    /// bytes it read.
    #[inline(always)]
    fn text_to_line_end(
        &mut self,
        view: &[u8],
        pos: usize,
        invalid: Error,
    ) -> Result<Option<(usize, LineEnd)>, (Error, usize)> {
        let found = text_to_line_end(view, pos, invalid);
        #[cfg(test)]
        {
            let read_to = match found {
                Ok(Some((end, _))) | Err((_, end)) => end + 1,
                Ok(None) => view.len(),
            };
            self.tally.examined(read_to - pos);
        }
        if let Ok(Some((end, LineEnd::BareLf))) = found {
            self.bare_lf(end)?;
        }
        found
    }

    /// The request-line in one go when it is in the view (see `request_line`): returns where
    /// the machine continues, at the first field line when the whole line was read.
    #[inline(always)]
    fn whole_request_line(&mut self, view: &[u8]) -> Result<usize, (Error, usize)> {
        let parts = match whole_line(view, &self.config) {
            Ok(Some(parts)) => parts,
            Ok(None) => {
                // Read to the end of the view, unless an empty line comes first.
                if !matches!(view.first(), Some(b'\r' | b'\n')) {
                    self.tally.relooked(view.len());
                }
                return Ok(0);
            }
            Err((error, at)) => {
                self.tally.examined(at + 1);
                return Err((error, at));
            }
        };
        // Method, target and the SP after it, as the machine counts them before the form.
        self.tally.examined(parts.version_start);
        self.parts.method = parts.method;
        self.parts.known_method = parts.known_method;
        self.parts.target = parts.target;
        let target_start = parts.target.start as usize;
        self.parts.form = target_form(parts.target.of(view), parts.known_method)
            .map_err(|error| (error, target_start))?;
        self.mark = parts.version_start;
        match parts.ending {
            Some(ending) => {
                self.tally.examined(ending.end - parts.version_start);
                if ending.bare_lf {
                    self.bare_lf(ending.end - 1)?;
                }
                self.parts.version = ending.version;
                self.state = State::LineStart;
                Ok(ending.end)
            }
            None => {
                // Compared, and the machine's to read: an incomplete line, or an error.
                self.tally
                    .relooked((view.len() - parts.version_start).min(10));
                self.state = State::Version;
                Ok(parts.version_start)
            }
        }
    }

    /// A part's scanner verdict (`found`, over a view of `len` bytes from `pos`), its bytes
    /// counted as examined: `Some(end)`, or `None` while the part runs past the view.
    #[inline(always)]
    fn part_end<T: PartEnd>(
        &mut self,
        found: Result<Option<T>, (Error, usize)>,
        len: usize,
        pos: usize,
    ) -> Result<Option<T>, (Error, usize)> {
        match &found {
            Ok(Some(end)) => self.tally.examined(end.offset() + 1 - pos),
            Ok(None) => self.tally.examined(len - pos),
            Err((_, at)) => self.tally.examined(len.min(at + 1).saturating_sub(pos)),
        }
        found
    }

    /// The request-line's version state: the version, then the line's end.
    fn request_version(&mut self, view: &[u8], pos: usize) -> Result<usize, (Error, usize)> {
        let found = version_end_in_request_line(view, self.mark, pos);
        let Some((end, b)) = self.part_end(found, view.len(), pos)? else {
            return Ok(view.len());
        };
        let (version, ending) = version_and_line_end(view, self.mark, end, b)?;
        self.parts.version = version;
        self.state = match ending {
            LineEnd::Cr => State::StartLineLf,
            LineEnd::BareLf => {
                self.bare_lf(end)?;
                State::LineStart
            }
        };
        Ok(end + 1)
    }

    /// RFC 9112 §3: the request-line byte by byte, for a line not in the buffer whole: its parts
    /// run in sequence until the line ends (the field lines follow) or the view does.
    fn request_line(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        loop {
            match self.state {
                State::Start | State::MethodStart => {
                    let Some(&b) = view.get(pos) else {
                        return Ok(pos);
                    };
                    if b == b'\r' || b == b'\n' {
                        // RFC 9112 §2.2: at most one empty line before the request-line.
                        if self.state == State::MethodStart {
                            return Err((Error::InvalidRequestLine, pos));
                        }
                        self.tally.examined(1);
                        pos += 1;
                        if b == b'\n' {
                            self.bare_lf(pos - 1)?;
                            self.state = State::MethodStart;
                        } else {
                            self.state = State::StartLf;
                        }
                        continue;
                    }
                    self.mark = pos;
                    self.state = State::Method;
                }
                State::StartLf => {
                    let Some(&b) = view.get(pos) else {
                        return Ok(pos);
                    };
                    self.tally.examined(1);
                    if b != b'\n' {
                        return Err((Error::BareCr, pos));
                    }
                    pos += 1;
                    self.state = State::MethodStart;
                }
                State::Method => {
                    let found = method_end(view, self.mark, pos, self.config.max_method_len);
                    let Some(end) = self.part_end(found, view.len(), pos)? else {
                        return Ok(view.len());
                    };
                    pos = end;
                    let method = Span::new(self.mark, end);
                    self.parts.method = method;
                    self.parts.known_method = StandardMethod::named(method.of(view));
                    pos += 1;
                    self.mark = pos;
                    self.state = State::Target;
                }
                State::Target => {
                    let found = target_end(view, self.mark, pos, self.config.max_target_len);
                    let Some(end) = self.part_end(found, view.len(), pos)? else {
                        return Ok(view.len());
                    };
                    pos = end;
                    let target = Span::new(self.mark, end);
                    self.parts.target = target;
                    self.parts.form = target_form(target.of(view), self.parts.known_method)
                        .map_err(|error| (error, self.mark))?;
                    pos += 1;
                    self.mark = pos;
                    self.state = State::Version;
                }
                State::Version => return self.request_version(view, pos),
                _ => return Ok(pos),
            }
        }
    }

    /// RFC 9112 §4: the status-line's states, in sequence until the line ends (then the field
    /// lines follow) or the view does.
    fn status_line(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        if self.state == State::StatusStartLf {
            let Some(&b) = view.get(pos) else {
                return Ok(pos);
            };
            self.tally.examined(1);
            lf_after_cr(b, pos)?;
            pos += 1;
            self.mark = pos;
            self.state = State::StatusVersion;
        }
        if self.state == State::StatusVersion {
            pos = self.status_version(view, pos)?;
            if self.state == State::StatusVersion {
                return Ok(pos);
            }
        }
        if self.state == State::StatusCode {
            let found = status_code_end(view, self.mark, pos, self.config.allow_missing_reason_sp);
            match found {
                Ok(Some((_, reason_start))) => self.tally.examined(reason_start - pos),
                Ok(None) => self.tally.examined(view.len() - pos),
                Err((_, at)) => self.tally.examined(at + 1 - pos),
            }
            let Some((code, reason_start)) = found? else {
                return Ok(view.len());
            };
            self.status.code = code;
            pos = reason_start;
            self.mark = pos;
            self.state = State::Reason;
        }
        // RFC 9112 §4: `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`, then the line's
        // end; `[ reason-phrase ]`: it may be empty.
        let Some((end, ending)) = self.text_to_line_end(view, pos, Error::InvalidReasonPhrase)?
        else {
            return Ok(view.len());
        };
        self.status.reason = Span::new(self.mark, end);
        self.state = match ending {
            LineEnd::Cr => State::StartLineLf,
            LineEnd::BareLf => State::LineStart,
        };
        Ok(end + 1)
    }

    /// RFC 9112 §2.3 and §4: `HTTP-version SP` at the start of the head, after at most one
    /// empty line.
    fn status_version(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        if pos == self.mark {
            if let Some((version, code)) = common_start(view, pos) {
                self.parts.version = version;
                self.state = match code {
                    Some(code) => {
                        self.tally.examined(13);
                        self.status.code = code;
                        pos += 13;
                        State::Reason
                    }
                    None => {
                        self.tally.examined(9);
                        pos += 9;
                        State::StatusCode
                    }
                };
                self.mark = pos;
                return Ok(pos);
            }
        }
        loop {
            if pos == self.mark {
                if let Some(&b @ (b'\r' | b'\n')) = view.get(pos) {
                    self.tally.examined(1);
                    pos = self.empty_line_before_status_line(view, b, pos)?;
                    if self.state == State::StatusStartLf {
                        return Ok(pos);
                    }
                    continue;
                }
            }
            let found = version_end(view, self.mark, pos);
            let Some((end, b)) = self.part_end(found, view.len(), pos)? else {
                return Ok(view.len());
            };
            self.parts.version = version_before_code(view, self.mark, end, b)?;
            pos = end + 1;
            self.mark = pos;
            self.state = State::StatusCode;
            return Ok(pos);
        }
    }

    /// RFC 9112 §2.2's robustness rule (a server ignores at least one empty line before a
    /// request-line), applied to the status-line as llhttp does: one empty line, starting with
    /// `b` at `pos`, is skipped; a second is a malformed status-line. Returns the position
    /// after the line, or after its CR when the view ends there (then `State::StatusStartLf`
    /// takes the LF).
    fn empty_line_before_status_line(
        &mut self,
        view: &[u8],
        b: u8,
        pos: usize,
    ) -> Result<usize, (Error, usize)> {
        // Nothing was skipped while the version starts at the head's first byte.
        if self.mark != 0 {
            return Err((Error::InvalidStatusLine, pos));
        }
        let end = if b == b'\n' {
            self.bare_lf(pos)?;
            pos + 1
        } else {
            let Some(&lf) = view.get(pos + 1) else {
                self.state = State::StatusStartLf;
                return Ok(pos + 1);
            };
            self.tally.examined(1);
            lf_after_cr(lf, pos + 1)?;
            pos + 2
        };
        self.mark = end;
        Ok(end)
    }

    /// Field lines until the final empty line (then the head is finished) or the end of the
    /// view (then `self.state` is the part of a line to resume in). Returns the new position.
    #[inline(always)]
    fn field_lines(
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

    /// The final empty line, starting at `final_line`, is complete at `end`: decide the framing.
    #[inline(always)]
    fn finish_head(&mut self, final_line: usize, end: usize) -> Result<(), (Error, usize)> {
        let http11 = self.parts.version == Version::Http11;
        // The final empty line is where the offending decision could be made. A response's
        // framing also depends on its status and on the request's method: `Response::framing`.
        self.parts.framing = match self.start {
            StartLine::Request => self.known.finish(http11),
            StartLine::Response => Ok(self.known.finish_response()),
        }
        .map_err(|error| (error, final_line))?;
        self.parts.options = self.known.options;
        self.parts.head_len = end;
        self.pos = end;
        self.state = State::Done;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
