//! The request-line, both ways: read in one go when it is already in the buffer, as most are,
//! or byte by byte by the machine's states when it is not.
//!
//! ```text
//! request-line = method SP request-target SP HTTP-version CRLF     (RFC 9112 §3)
//! ```
//! The fast path reads method and target as runs, with the states' verdicts and error offsets;
//! the version is one comparison for `HTTP/1.1` and `HTTP/1.0`, then the line's end. A line
//! that is still incomplete, or that starts with an empty line, is left to the states from its
//! start; any other version (an error, unless the line is incomplete) is left to the version
//! state, after the method and the target.

use super::{HeadMachine, State};
use crate::chars::{skip_target_chars, skip_tchars};
use crate::config::Config;
use crate::error::Error;
use crate::message::{fits_version, known_version, target_form, StandardMethod, Version};
use crate::span::Span;

/// What was read of a request-line.
#[derive(Clone, Copy, Debug)]
struct Parts {
    method: Span,
    known_method: Option<StandardMethod>,
    target: Span,
    /// Where the HTTP-version starts.
    version_start: usize,
    /// How the line ended, when its version is HTTP/1.1 or HTTP/1.0 followed by the line's
    /// end; otherwise the machine reads the version.
    ending: Option<Ending>,
}

/// A request-line's version and end.
#[derive(Clone, Copy, Debug)]
struct Ending {
    version: Version,
    /// The offset after the line's LF.
    end: usize,
    /// The line ended in a bare LF (RFC 9112 §2.2: only under the named leniency).
    bare_lf: bool,
}

/// The method of a request-line that starts at `start`, scanned on from `pos`: the offset of
/// the SP after it, or `None` when the view ends first. The fast path and the resumable state
/// both call it.
#[inline(always)]
fn method_end(
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
fn target_end(
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
fn read(view: &[u8], config: &Config) -> Result<Option<Parts>, (Error, usize)> {
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

impl<const N: usize> HeadMachine<N> {
    /// The request-line in one go when it is in the view (see `request_line`): returns where
    /// the machine continues, at the first field line when the whole line was read.
    #[inline(always)]
    pub(super) fn whole_request_line(&mut self, view: &[u8]) -> Result<usize, (Error, usize)> {
        let parts = match read(view, &self.config) {
            Ok(Some(parts)) => parts,
            Ok(None) => {
                // Read to the end of the view, unless an empty line comes first.
                if !matches!(view.first(), Some(b'\r' | b'\n')) {
                    self.relooked(view.len());
                }
                return Ok(0);
            }
            Err((error, at)) => {
                self.examined(at + 1);
                return Err((error, at));
            }
        };
        // Method, target and the SP after it, as the machine counts them before the form.
        self.examined(parts.version_start);
        self.parts.method = parts.method;
        self.parts.known_method = parts.known_method;
        self.parts.target = parts.target;
        let target_start = parts.target.start as usize;
        self.parts.form = target_form(parts.target.of(view), parts.known_method)
            .map_err(|error| (error, target_start))?;
        self.mark = parts.version_start;
        match parts.ending {
            Some(ending) => {
                self.examined(ending.end - parts.version_start);
                if ending.bare_lf {
                    self.bare_lf(ending.end - 1)?;
                }
                self.parts.version = ending.version;
                self.state = State::LineStart;
                Ok(ending.end)
            }
            None => {
                // Compared, and the machine's to read: an incomplete line, or an error.
                self.relooked((view.len() - parts.version_start).min(10));
                self.state = State::Version;
                Ok(parts.version_start)
            }
        }
    }

    /// A part's scanner verdict (`found`, over a view of `len` bytes from `pos`), its bytes
    /// counted as examined: `Some(end)`, or `None` while the part runs past the view.
    #[inline(always)]
    fn part_end(
        &mut self,
        found: Result<Option<usize>, (Error, usize)>,
        len: usize,
        pos: usize,
    ) -> Result<Option<usize>, (Error, usize)> {
        match found {
            Ok(Some(end)) => self.examined(end + 1 - pos),
            Ok(None) => self.examined(len - pos),
            Err((_, at)) => self.examined(len.min(at + 1).saturating_sub(pos)),
        }
        found
    }

    /// RFC 9112 §2.3: `HTTP-version = "HTTP/" DIGIT "." DIGIT`, then the line's CRLF.
    fn version(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        // The common case in one comparison; the loop below then checks the line's end.
        if pos == self.mark {
            let word = view.get(pos..).and_then(|rest| rest.first_chunk::<8>());
            if matches!(word, Some(b"HTTP/1.1" | b"HTTP/1.0")) {
                self.examined(8);
                pos += 8;
            }
        }
        while let Some(&b) = view.get(pos) {
            self.examined(1);
            let index = pos - self.mark;
            let Some(fits) = fits_version(index, b) else {
                // The eight bytes are in: the line must end here.
                self.parts.version = known_version(view.get(self.mark..pos))
                    .ok_or((Error::UnsupportedVersion, self.mark))?;
                return match b {
                    b'\r' => {
                        self.state = State::StartLineLf;
                        Ok(pos + 1)
                    }
                    b'\n' => {
                        self.bare_lf(pos)?;
                        self.state = State::LineStart;
                        Ok(pos + 1)
                    }
                    _ => Err((Error::InvalidVersion, pos)),
                };
            };
            if index == 0 && b == b' ' {
                // RFC 9112 §3: a doubled SP is a malformed line, not a malformed version.
                return Err((Error::InvalidRequestLine, pos));
            }
            if !fits {
                return Err((Error::InvalidVersion, pos));
            }
            pos += 1;
        }
        Ok(pos)
    }

    /// RFC 9112 §3: the request-line byte by byte, for a line not in the buffer whole: its parts
    /// run in sequence until the line ends (the field lines follow) or the view does.
    pub(super) fn request_line(
        &mut self,
        view: &[u8],
        mut pos: usize,
    ) -> Result<usize, (Error, usize)> {
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
                        self.examined(1);
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
                    self.examined(1);
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
                State::Version => return self.version(view, pos),
                _ => return Ok(pos),
            }
        }
    }
}
