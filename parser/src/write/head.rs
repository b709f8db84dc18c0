//! The head writers: a start line, then fields in the caller's order and case, then the
//! framing field and the empty line, each part checked before it is written.

use super::error::WriteError;
use super::framing::{request_framing, response_framing, Body, FramingField};
use super::out::{decimal, Out};
use super::reason::reason_phrase;
use super::rules::{
    check_connection_options, check_field, check_host, check_reason, check_status, target_form,
    wire_method, FieldKind,
};
use crate::message::{Method, Version};
use crate::syntax::list_has_member;

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
    finished: bool,
}

impl<'a> Head<'a> {
    fn new(out: Out<'a>) -> Head<'a> {
        Head {
            out,
            error: None,
            hosts: 0,
            upgrade: false,
            finished: false,
        }
    }

    /// Writes `parts` in order, or records the refusal and forgets the whole head.
    fn put(&mut self, parts: &[&[u8]]) -> Result<(), WriteError> {
        for part in parts {
            if let Err(error) = self.out.put(part) {
                return Err(self.fail(error));
            }
        }
        Ok(())
    }

    fn fail(&mut self, error: WriteError) -> WriteError {
        self.error = Some(error);
        self.out.undo();
        error
    }

    /// The first refusal, which every later call repeats.
    fn check(&self) -> Result<(), WriteError> {
        self.error.map_or(Ok(()), Err)
    }

    /// One field line, `name: value`; `request`: the Host rules apply (RFC 9112 §3.2).
    fn field(&mut self, name: &[u8], value: &[u8], request: bool) -> Result<(), WriteError> {
        self.check()?;
        let checked = match check_field(name, value) {
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
        self.put(&[name, b": ", value, b"\r\n"])
    }

    /// The framing field and the empty line: the head's length.
    fn finish(&mut self, framing: Result<FramingField, WriteError>) -> Result<usize, WriteError> {
        self.check()?;
        let framing = framing.map_err(|error| self.fail(error))?;
        let (digits, at) = match framing {
            FramingField::ContentLength(length) => decimal(length),
            _ => ([0; 20], 20),
        };
        match framing {
            FramingField::Nothing => self.put(&[b"\r\n"])?,
            FramingField::ContentLength(_) => self.put(&[
                b"Content-Length: ",
                digits.get(at..).unwrap_or_default(),
                b"\r\n\r\n",
            ])?,
            FramingField::Chunked => self.put(&[b"Transfer-Encoding: chunked\r\n\r\n"])?,
        }
        self.finished = true;
        Ok(self.out.written().len())
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

/// A head that was not finished is not counted as written: a Vec is truncated back.
impl Drop for Head<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.out.undo();
        }
    }
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
    method: Option<Method<'static>>,
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
        let known = Method::standard(method.as_str().as_bytes());
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
        let method = self.method.unwrap_or(Method::Extension(""));
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
    answers: Option<Method<'static>>,
    version: Version,
}

impl<'a> ResponseHead<'a> {
    /// Writes the status-line `version SP code SP reason CRLF` (RFC 9112 §4) of a response to
    /// a `method` request into `out` (as for [`RequestHead::new`]). `reason`: `None` for the
    /// code's phrase from [`reason_phrase`] (empty for a code it does not know).
    pub fn new(
        out: impl Into<Out<'a>>,
        method: Method<'_>,
        version: Version,
        code: u16,
        reason: Option<&[u8]>,
    ) -> Result<ResponseHead<'a>, WriteError> {
        let mut head = Head::new(out.into());
        let reason = match reason {
            Some(reason) => reason,
            None => reason_phrase(code).unwrap_or_default().as_bytes(),
        };
        let checked = check_status(code, version).and_then(|()| check_reason(reason));
        checked.map_err(|error| head.fail(error))?;
        let (digits, at) = decimal(u64::from(code));
        head.put(&[
            version.as_str().as_bytes(),
            b" ",
            digits.get(at..).unwrap_or_default(),
            b" ",
            reason,
            b"\r\n",
        ])?;
        Ok(ResponseHead {
            head,
            code,
            answers: Method::standard(method.as_str().as_bytes()),
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

    /// Writes the framing field for `body` and the empty line; returns the head's length.
    pub fn finish(mut self, body: Body) -> Result<usize, WriteError> {
        let framing = self.framing(body);
        self.head.finish(framing)
    }

    /// [`finish`](ResponseHead::finish), then the head written to `w` (the buffer given to
    /// [`new`](ResponseHead::new) was the staging area). A refusal is `InvalidInput`.
    #[cfg(feature = "std")]
    pub fn finish_to(mut self, body: Body, w: &mut impl std::io::Write) -> std::io::Result<usize> {
        let framing = self.framing(body);
        self.head.finish_to(framing, w)
    }

    fn framing(&self, body: Body) -> Result<FramingField, WriteError> {
        // RFC 9110 §15.2.2: a 101 names the protocol switched to in Upgrade (the parser reads
        // one that does not as UnexpectedUpgrade); `new` refused a 101 in HTTP/1.0.
        if self.code == 101 && !self.head.upgrade {
            return Err(WriteError::InvalidSwitch);
        }
        let method = self.answers.unwrap_or(Method::Extension(""));
        response_framing(self.code, method, self.version, body)
    }
}
