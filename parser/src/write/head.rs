//! The head writers: a start line, then fields in the caller's order and case, then the
//! framing field and the empty line, each part checked before it is written.

use super::error::WriteError;
use super::framing::{request_framing, response_framing, Body, FramingField};
use super::out::{content_length_line, decimal, Out, CONTENT_LENGTH_LINE};
use super::reason::{http11_status_line, reason_phrase};
use super::rules::{
    check_connection_options, check_field, check_host, check_reason, check_status, target_form,
    wire_method, FieldKind,
};
use crate::chars::trim_ows;
use crate::message::{Method, StandardMethod, Version};
use crate::syntax::{is_token, list_has_member};

#[cfg(feature = "std")]
extern crate std;

/// What the two writers share: the destination, the first refusal (sticky), the Host count.
#[derive(Debug)]
struct Head<'a> {
    out: Out<'a>,
    error: Option<WriteError>,
    hosts: u32,
    /// Whether an Upgrade field was written: a 101 must name the protocol it switches to.
    upgrade: bool,
    /// Whether a Transfer-Encoding field named codings applied before `chunked`.
    codings: bool,
    finished: bool,
}

impl<'a> Head<'a> {
    fn new(out: Out<'a>) -> Head<'a> {
        Head {
            out,
            error: None,
            hosts: 0,
            upgrade: false,
            codings: false,
            finished: false,
        }
    }

    /// Writes `parts` in order, or records the refusal and forgets the whole head.
    #[inline]
    fn put(&mut self, parts: &[&[u8]]) -> Result<(), WriteError> {
        for part in parts {
            if let Err(error) = self.out.put(part) {
                return Err(self.fail(error));
            }
        }
        Ok(())
    }

    #[cold]
    fn fail(&mut self, error: WriteError) -> WriteError {
        self.error = Some(error);
        self.out.undo();
        error
    }

    /// The first refusal, which every later call repeats.
    #[inline]
    fn check(&self) -> Result<(), WriteError> {
        self.error.map_or(Ok(()), Err)
    }

    /// One field line, `name: value`; `request`: the Host rules apply (RFC 9112 §3.2).
    #[inline]
    fn field(&mut self, name: &[u8], value: &[u8], request: bool) -> Result<(), WriteError> {
        self.check()?;
        let checked = match check_field(name, value) {
            // RFC 9112 §6.1: a response's codings applied before chunked (`gzip`) are the
            // caller's; the writer appends `chunked` itself, as a second field of the same
            // list. A request's would be refused by the parser (501), so they are here too.
            Ok(FieldKind::Framing) if !request && is_coding_list(name, value) => {
                self.codings = true;
                Ok(())
            }
            Ok(FieldKind::Framing) => Err(WriteError::FramingField),
            Ok(FieldKind::Host) if request && self.hosts > 0 => Err(WriteError::DuplicateHost),
            Ok(FieldKind::Host) if request => check_host(value).map(|()| self.hosts += 1),
            Ok(FieldKind::Connection) => check_connection_options(value),
            // RFC 9110 §15.2.2: a 101 names the protocol it switches to; an empty list names none.
            Ok(FieldKind::Upgrade) => {
                self.upgrade |= list_has_member(value);
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(error) => Err(error),
        };
        if let Err(error) = checked {
            return Err(self.fail(error));
        }
        // One put per part, so the constant ones compile to stores.
        let out = &mut self.out;
        let written = (|| {
            out.put(name)?;
            out.put(b": ")?;
            out.put(value)?;
            out.put(b"\r\n")
        })();
        written.map_err(|error| self.fail(error))
    }

    /// Field lines checked when they were pushed: one copy.
    #[cfg(feature = "std")]
    #[inline]
    fn lines(&mut self, fields: &super::fields::CheckedFields) -> Result<(), WriteError> {
        self.check()?;
        self.put(&[fields.as_bytes()])?;
        self.upgrade |= fields.upgrade;
        Ok(())
    }

    /// The framing field and the empty line: the head's length.
    #[inline]
    fn finish(&mut self, framing: Result<FramingField, WriteError>) -> Result<usize, WriteError> {
        self.check()?;
        let framing = framing.map_err(|error| self.fail(error))?;
        // Codings without `chunked` last would make the body run to the close, or be refused.
        if self.codings && framing != FramingField::Chunked {
            return Err(self.fail(WriteError::FramingField));
        }
        let mut line = [0; CONTENT_LENGTH_LINE];
        let written = match framing {
            FramingField::Nothing => self.out.put(b"\r\n"),
            FramingField::ContentLength(length) => {
                self.out.put(content_length_line(length, &mut line))
            }
            FramingField::Chunked => self.out.put(b"Transfer-Encoding: chunked\r\n\r\n"),
        };
        written.map_err(|error| self.fail(error))?;
        self.finished = true;
        Ok(self.out.len())
    }

    /// `finish`, then `data` after the head in the same output; the length of both.
    #[inline]
    fn finish_with(
        &mut self,
        framing: Result<FramingField, WriteError>,
        data: &[u8],
    ) -> Result<usize, WriteError> {
        self.finish(framing)?;
        self.put(&[data])?;
        Ok(self.out.len())
    }

    #[cfg(feature = "std")]
    fn finish_to(
        &mut self,
        framing: Result<FramingField, WriteError>,
        w: &mut impl std::io::Write,
    ) -> std::io::Result<usize> {
        let len = self.finish(framing)?;
        w.write_all(self.out.written())?;
        Ok(len)
    }
}

/// A whole HTTP/1.1 response head from fields checked when they were pushed, for the
/// connection core's answers from memory: the checks of [`ResponseHead`] (the status, a 101's
/// Upgrade, the framing its status and method allow) before the first byte, then one copy per
/// part.
#[cfg(feature = "std")]
pub(crate) struct WholeHead<'f> {
    pub(crate) code: u16,
    /// The method answered (HEAD and CONNECT frame the answer).
    pub(crate) method: Method<'static>,
    pub(crate) fields: &'f super::fields::CheckedFields,
    /// The `Connection` option the core adds: a token, valid as it stands.
    pub(crate) connection: Option<&'static str>,
    pub(crate) body: Body,
}

#[cfg(feature = "std")]
impl WholeHead<'_> {
    /// Appends the head to `out`, then `data` (which a `Length` body announced); returns the
    /// length of both, or `None` with nothing written for a code without a status-line of the
    /// table (the caller writes it through [`ResponseHead`]).
    #[inline]
    pub(crate) fn write(
        &self,
        out: &mut std::vec::Vec<u8>,
        data: Option<&[u8]>,
    ) -> Result<Option<usize>, WriteError> {
        check_status(self.code, Version::Http11)?;
        let Some(line) = http11_status_line(self.code) else {
            return Ok(None);
        };
        // RFC 9110 §15.2.2, as `ResponseHead::framing`.
        if self.code == 101 && !self.fields.upgrade {
            return Err(WriteError::InvalidSwitch);
        }
        let framing = response_framing(self.code, self.method, Version::Http11, self.body)?;
        let start = out.len();
        out.extend_from_slice(line);
        out.extend_from_slice(self.fields.as_bytes());
        if let Some(option) = self.connection {
            out.extend_from_slice(b"Connection: ");
            out.extend_from_slice(option.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        let mut length = [0; CONTENT_LENGTH_LINE];
        out.extend_from_slice(match framing {
            FramingField::Nothing => b"\r\n",
            FramingField::ContentLength(n) => content_length_line(n, &mut length),
            FramingField::Chunked => b"Transfer-Encoding: chunked\r\n\r\n",
        });
        if let Some(data) = data {
            out.extend_from_slice(data);
        }
        Ok(Some(out.len() - start))
    }
}

/// A head that was not finished is not counted as written: a Vec is truncated back.
impl Drop for Head<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.out.undo();
        }
    }
}

/// A `Transfer-Encoding` value of codings other than `chunked` (RFC 9112 §6.1, RFC 9110
/// §5.6.1): a list of tokens, none of them `chunked`.
fn is_coding_list(name: &[u8], value: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"transfer-encoding")
        && value.split(|&b| b == b',').all(|member| {
            let member = trim_ows(member);
            is_token(member) && !member.eq_ignore_ascii_case(b"chunked")
        })
}

/// A request head being written: the request-line, then [`field`](RequestHead::field)s in the
/// order and case given, then [`finish`](RequestHead::finish) with the body's framing.
///
/// Refused, with the rule named ([`WriteError`]): a method that is not a token, a target
/// outside its grammar or whose form does not fit the method, a field that is not a token and
/// a value, a second Host or an invalid one, no Host in HTTP/1.1, a framing field given as a
/// field, a body in CONNECT, chunked in HTTP/1.0. After a refusal nothing counts as written
/// and every call repeats it.
///
/// ```
/// use h1_parser::write::{Body, RequestHead};
/// use h1_parser::{Method, Version};
///
/// let mut buf = [0u8; 128];
/// let mut head = RequestHead::new(&mut buf, Method::Post, "/upload", Version::Http11)?;
/// head.field("Host", "example.com")?.field("Content-Type", "text/plain")?;
/// let len = head.finish(Body::Length(3))?;
/// assert_eq!(
///     &buf[..len],
///     b"POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n"
/// );
/// # Ok::<(), h1_parser::write::WriteError>(())
/// ```
#[derive(Debug)]
pub struct RequestHead<'a> {
    head: Head<'a>,
    method: Option<StandardMethod>,
    version: Version,
}

impl<'a> RequestHead<'a> {
    /// Writes the request-line `method SP target SP version CRLF` (RFC 9112 §3) into `out`: a
    /// `&mut [u8]` (from its start) or, with `std`, a `&mut Vec<u8>` (appended).
    pub fn new(
        out: impl Into<Out<'a>>,
        method: Method<'_>,
        target: impl AsRef<[u8]>,
        version: Version,
    ) -> Result<RequestHead<'a>, WriteError> {
        let mut head = Head::new(out.into());
        let target = target.as_ref();
        let method = wire_method(method).and_then(|method| {
            target_form(method, target)?;
            Ok(method)
        });
        let method = method.map_err(|error| head.fail(error))?;
        let known = method.standard_kind();
        head.put(&[
            method.as_str().as_bytes(),
            b" ",
            target,
            b" ",
            version.as_str().as_bytes(),
            b"\r\n",
        ])?;
        Ok(RequestHead {
            head,
            method: known,
            version,
        })
    }

    /// Writes the field line `name: value` (RFC 9112 §5), name case kept.
    pub fn field(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut RequestHead<'a>, WriteError> {
        self.head.field(name.as_ref(), value.as_ref(), true)?;
        Ok(self)
    }

    /// Writes the framing field for `body` and the empty line; returns the head's length.
    pub fn finish(mut self, body: Body) -> Result<usize, WriteError> {
        let framing = self.framing(body);
        self.head.finish(framing)
    }

    /// [`finish`](RequestHead::finish) with `Body::Length(data.len())`, then `data` after the
    /// head in the same output: the whole request; returns its length.
    pub fn finish_with(mut self, data: &[u8]) -> Result<usize, WriteError> {
        let framing = self.framing(Body::Length(data.len() as u64));
        self.head.finish_with(framing, data)
    }

    /// [`finish`](RequestHead::finish), then the head written to `w` (the buffer given to
    /// [`new`](RequestHead::new) was the staging area). A refusal is `InvalidInput`.
    #[cfg(feature = "std")]
    pub fn finish_to(mut self, body: Body, w: &mut impl std::io::Write) -> std::io::Result<usize> {
        let framing = self.framing(body);
        self.head.finish_to(framing, w)
    }

    fn framing(&self, body: Body) -> Result<FramingField, WriteError> {
        // RFC 9112 §3.2: a client MUST send a Host field in every HTTP/1.1 request.
        if self.version == Version::Http11 && self.head.hosts == 0 {
            return Err(WriteError::MissingHost);
        }
        let method = self
            .method
            .map_or(Method::Extension(""), StandardMethod::method);
        request_framing(method, self.version, body)
    }
}

/// A response head being written: the status-line, then [`field`](ResponseHead::field)s in
/// the order and case given, then [`finish`](ResponseHead::finish) with the body's framing.
/// It knows the method it answers, for the HEAD and CONNECT rules.
///
/// Refused, with the rule named ([`WriteError`]): a status outside 100-999, a reason phrase
/// with a control byte, a field that is not a token and a value, a framing field given as a
/// field, and the framings its status and method forbid (see [`Body`]).
///
/// ```
/// use h1_parser::write::{Body, ResponseHead};
/// use h1_parser::{Method, Version};
///
/// let mut buf = [0u8; 128];
/// let mut head = ResponseHead::new(&mut buf, Method::Get, Version::Http11, 404, None)?;
/// head.field("Content-Type", "text/plain")?;
/// let len = head.finish(Body::Chunked)?;
/// assert_eq!(
///     &buf[..len],
///     b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
/// );
/// # Ok::<(), h1_parser::write::WriteError>(())
/// ```
#[derive(Debug)]
pub struct ResponseHead<'a> {
    head: Head<'a>,
    code: u16,
    answers: Option<StandardMethod>,
    version: Version,
}

impl<'a> ResponseHead<'a> {
    /// Writes the status-line `version SP code SP reason CRLF` (RFC 9112 §4) of a response to
    /// a `method` request into `out` (as for [`RequestHead::new`]). `reason`: `None` for the
    /// code's phrase from [`reason_phrase`] (empty for a code it does not know).
    #[inline]
    pub fn new(
        out: impl Into<Out<'a>>,
        method: Method<'_>,
        version: Version,
        code: u16,
        reason: Option<&[u8]>,
    ) -> Result<ResponseHead<'a>, WriteError> {
        let mut head = Head::new(out.into());
        // RFC 9110 §15: a status code is three digits, 100 to 999; no 1xx in HTTP/1.0. The
        // phrases of the table are known to be valid; a caller's reason is checked.
        let checked =
            check_status(code, version).and_then(|()| reason.map_or(Ok(()), check_reason));
        checked.map_err(|error| head.fail(error))?;
        match http11_status_line(code) {
            Some(line) if version == Version::Http11 && reason.is_none() => head.put(&[line])?,
            _ => {
                let reason = match reason {
                    Some(reason) => reason,
                    None => reason_phrase(code).unwrap_or_default().as_bytes(),
                };
                let (digits, at) = decimal(u64::from(code));
                head.put(&[
                    version.as_str().as_bytes(),
                    b" ",
                    digits.get(at..).unwrap_or_default(),
                    b" ",
                    reason,
                    b"\r\n",
                ])?;
            }
        }
        Ok(ResponseHead {
            head,
            code,
            answers: method.standard_kind(),
            version,
        })
    }

    /// Writes the field line `name: value` (RFC 9112 §5), name case kept.
    pub fn field(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut ResponseHead<'a>, WriteError> {
        self.head.field(name.as_ref(), value.as_ref(), false)?;
        Ok(self)
    }

    /// Writes `fields`, checked by the same rules when they were pushed, as they are.
    #[cfg(feature = "std")]
    #[inline]
    pub fn fields(
        &mut self,
        fields: &super::fields::CheckedFields,
    ) -> Result<&mut ResponseHead<'a>, WriteError> {
        self.head.lines(fields)?;
        Ok(self)
    }

    /// Writes the framing field for `body` and the empty line; returns the head's length.
    pub fn finish(mut self, body: Body) -> Result<usize, WriteError> {
        let framing = self.framing(body);
        self.head.finish(framing)
    }

    /// [`finish`](ResponseHead::finish) with `Body::Length(data.len())`, then `data` after
    /// the head in the same output: the whole response; returns its length.
    #[inline]
    pub fn finish_with(mut self, data: &[u8]) -> Result<usize, WriteError> {
        let framing = self.framing(Body::Length(data.len() as u64));
        self.head.finish_with(framing, data)
    }

    /// [`finish`](ResponseHead::finish), then the head written to `w` (the buffer given to
    /// [`new`](ResponseHead::new) was the staging area). A refusal is `InvalidInput`.
    #[cfg(feature = "std")]
    pub fn finish_to(mut self, body: Body, w: &mut impl std::io::Write) -> std::io::Result<usize> {
        let framing = self.framing(body);
        self.head.finish_to(framing, w)
    }

    #[inline]
    fn framing(&self, body: Body) -> Result<FramingField, WriteError> {
        // RFC 9110 §15.2.2: a 101 names the protocol switched to in Upgrade (the parser reads
        // one that does not as UnexpectedUpgrade); `new` refused a 101 in HTTP/1.0.
        if self.code == 101 && !self.head.upgrade {
            return Err(WriteError::InvalidSwitch);
        }
        let method = self
            .answers
            .map_or(Method::Extension(""), StandardMethod::method);
        response_framing(self.code, method, self.version, body)
    }
}
