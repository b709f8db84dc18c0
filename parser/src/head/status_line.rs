//! The status-line, byte by byte and resumable (RFC 9112 §4):
//!
//! ```text
//! status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
//! ```
//! The common start, `HTTP/1.x NNN `, is one comparison; the states take the rest. A status
//! line is short, so it has no whole-line path of its own.

use super::field_line::lf_after_cr;
use super::{HeadMachine, LineEnd, State};
use crate::error::Error;
use crate::message::{fits_version, known_version, Version};
use crate::span::Span;

impl<const N: usize> HeadMachine<N> {
    /// RFC 9112 §4: `status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF`. Runs
    /// its parts in sequence until the line ends (then the field lines follow) or the view does.
    pub(super) fn status_line(
        &mut self,
        view: &[u8],
        mut pos: usize,
    ) -> Result<usize, (Error, usize)> {
        if self.state == State::StatusStartLf {
            let Some(&b) = view.get(pos) else {
                return Ok(pos);
            };
            self.examined(1);
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
            pos = self.status_code(view, pos)?;
            if self.state == State::StatusCode {
                return Ok(pos);
            }
        }
        if self.state == State::Reason {
            pos = self.reason(view, pos)?;
        }
        Ok(pos)
    }

    /// RFC 9112 §2.3 and §4: `HTTP-version SP` at the start of the head, after at most one
    /// empty line.
    fn status_version(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        // The common case in one comparison, and with it the common status code: three digits
        // and SP (bench input `response-300`). Anything else is the loops' below and
        // `status_code`'s: a leniency or an error.
        if pos == self.mark {
            let word = view.get(pos..).and_then(|rest| rest.first_chunk::<13>());
            if let Some(
                &[b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor @ (b'0' | b'1'), b' ', ref code @ ..],
            ) = word
            {
                self.examined(9);
                pos += 9;
                self.parts.version = if minor == b'1' {
                    Version::Http11
                } else {
                    Version::Http10
                };
                self.mark = pos;
                self.state = State::StatusCode;
                // RFC 9110 §15: a status code is a three-digit integer from 100 up.
                if let &[a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9', b' '] = code {
                    self.examined(4);
                    let digit = |d: u8| u16::from(d - b'0');
                    self.status.code = digit(a) * 100 + digit(b) * 10 + digit(c);
                    pos += 4;
                    self.mark = pos;
                    self.state = State::Reason;
                }
                return Ok(pos);
            }
        }
        while let Some(&b) = view.get(pos) {
            self.examined(1);
            let index = pos - self.mark;
            if index == 0 && (b == b'\r' || b == b'\n') {
                pos = self.empty_line_before_status_line(view, b, pos)?;
                if self.state == State::StatusStartLf {
                    return Ok(pos);
                }
                continue;
            }
            let Some(fits) = fits_version(index, b) else {
                let version = known_version(view.get(self.mark..pos))
                    .ok_or((Error::UnsupportedVersion, self.mark))?;
                // RFC 9112 §4: exactly one SP between HTTP-version and status-code.
                if b != b' ' {
                    return Err((Error::InvalidStatusLine, pos));
                }
                self.parts.version = version;
                pos += 1;
                self.mark = pos;
                self.state = State::StatusCode;
                return Ok(pos);
            };
            if !fits {
                return Err((Error::InvalidVersion, pos));
            }
            pos += 1;
        }
        Ok(pos)
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
            self.examined(1);
            lf_after_cr(lf, pos + 1)?;
            pos + 2
        };
        self.mark = end;
        Ok(end)
    }

    /// RFC 9112 §4: `status-code = 3DIGIT`, then SP (or, under
    /// [`Config::allow_missing_reason_sp`], the line end).
    fn status_code(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        while let Some(&b) = view.get(pos) {
            let index = pos - self.mark;
            if index < 3 {
                self.examined(1);
                // RFC 9110 §15: a status code is a three-digit integer from 100 up; 600 to 999
                // are not defined but are well-formed (the caller treats them as 5xx, §15).
                let digit = match b {
                    b'1'..=b'9' => b - b'0',
                    b'0' if index > 0 => 0,
                    // RFC 9112 §4: a doubled SP is a malformed line, not a malformed code.
                    b' ' if index == 0 => return Err((Error::InvalidStatusLine, pos)),
                    _ => return Err((Error::InvalidStatusCode, pos)),
                };
                self.status.code = self.status.code * 10 + u16::from(digit);
                pos += 1;
                continue;
            }
            match b {
                b' ' => {
                    self.examined(1);
                    pos += 1;
                }
                // The line ends here, with no SP: the reason state ends it, reason empty.
                b'\r' | b'\n' if self.config.allow_missing_reason_sp => {}
                // RFC 9112 §4: status-code SP [ reason-phrase ]: the SP is not optional.
                b'\r' | b'\n' => return Err((Error::InvalidStatusLine, pos)),
                // A fourth digit, or anything else glued to the code.
                _ => return Err((Error::InvalidStatusCode, pos)),
            }
            self.mark = pos;
            self.state = State::Reason;
            break;
        }
        Ok(pos)
    }

    /// RFC 9112 §4: `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`, then CRLF (or a bare
    /// LF under its leniency). An empty reason phrase is allowed: `[ reason-phrase ]`.
    fn reason(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        // RFC 9112 §4: no CTL but HTAB in a reason phrase.
        let Some((end, ending)) = self.text_to_line_end(view, pos, Error::InvalidReasonPhrase)?
        else {
            return Ok(view.len());
        };
        pos = end + 1;
        self.state = match ending {
            LineEnd::Cr => State::StartLineLf,
            LineEnd::BareLf => State::LineStart,
        };
        self.status.reason = Span::new(self.mark, end);
        Ok(pos)
    }
}
