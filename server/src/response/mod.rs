//! `Response`: what a handler fills in — status, headers and body — in buffers that the
//! connection keeps and reuses.

use std::any::Any;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::sync::Arc;

use h1_parser::syntax;
use h1_parser::write::{CheckedFields, WriteError};

pub(crate) mod refused;

use self::refused::{HeaderError, InterimError};
use crate::answer::Answer;
use crate::exchange::upgrade::Upgraded;
use crate::source::Source;

/// The connection a handler on the pool answers through, as the response keeps it: opaque
/// here (the exchange's, which sits above the response), so that the response imports no
/// module that imports it back.
pub(crate) type LentLink = Arc<dyn Any + Send + Sync>;

/// What runs on the connection's byte stream after an upgrade or a tunnel.
struct OnUpgrade(Box<dyn FnOnce(Upgraded) + Send + 'static>);

impl std::fmt::Debug for OnUpgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnUpgrade")
    }
}

/// The error of what only a handler on the pool can do ([`Plan::blocking`](crate::Plan::blocking)).
pub(crate) fn needs_pool() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "an inline handler cannot stream, defer or upgrade: serve the route on the pool",
    )
}

/// The response a handler writes. The connection owns it and reuses its buffers for every
/// request, so filling it allocates only when a response is larger than any before it on the
/// same connection.
///
/// The server writes `Date`, `Content-Length` and `Connection` itself: a handler's own
/// `Content-Length`, `Transfer-Encoding` or `Date` field is ignored, and a `Connection` field
/// counts only as a request to close the connection (`Connection: close`).
///
/// What the server refuses to send, without panicking:
/// - a status outside `200..=599` (a 1xx is interim, never an answer: a final `101` would
///   leave the client speaking another protocol while the server parses HTTP) becomes
///   `500 Internal Server Error` — see [`Response::set_status`];
/// - a field whose name is not a token or whose value holds a byte the parser itself rejects
///   (anything but HTAB, SP, VCHAR and obs-text, RFC 9110 §5.5: so no CR, LF, NUL or other
///   control byte, no response splitting) is not added: [`Response::header`] drops it,
///   [`Response::try_header`] says why;
/// - a 2xx answer to `CONNECT`: it would make the connection a tunnel (RFC 9110 §9.3.6), and
///   the server opens none — it becomes `501 Not Implemented`. Any answer to `CONNECT` closes
///   the connection, since bytes after the request may be meant for the tunnel.
///
/// ```
/// use std::io::Write;
/// use h1_server::{HeaderError, Response};
///
/// let mut res = Response::new();
/// res.set_status(201).header("Content-Type", "text/plain");
/// write!(res, "created {}", 42).unwrap();
/// assert_eq!((res.status(), res.body()), (201, &b"created 42"[..]));
///
/// // What would break the response on the wire is refused, not sent.
/// assert_eq!(res.set_status(101).status(), 500);
/// assert_eq!(res.try_header("X-Bell", "\x07").err(), Some(HeaderError::InvalidValue));
/// assert_eq!(res.try_header("Bad Name", "v").err(), Some(HeaderError::InvalidName));
/// ```
#[derive(Debug, Default)]
pub struct Response {
    status: u16,
    /// The fields, checked by the writer's rules as they were added: written out as they are.
    fields: CheckedFields,
    body: Vec<u8>,
    close: bool,
    answer: Option<Answer>,
    /// A body to stream instead of `body`.
    source: Option<Source>,
    /// Interim (1xx) heads to send before this response: their codes and checked fields.
    interim: Vec<(u16, CheckedFields)>,
    /// Whether the request may get interim responses (HTTP/1.1, RFC 9110 §15.2).
    interim_allowed: bool,
    /// The lent connection, for a handler on the pool.
    link: Option<LentLink>,
    /// The answer is a [`Responder`](crate::Responder)'s.
    deferred: bool,
    /// A [`BodyWriter`](crate::BodyWriter) sent the head.
    body_started: bool,
    /// Trailer fields after a chunked body.
    trailers: Vec<(String, Vec<u8>)>,
    on_upgrade: Option<OnUpgrade>,
    /// Which `Date` line (its Unix second) is kept at the start of `fields` (0: none): it
    /// stays across requests and goes out in one copy with the handler's fields.
    date: u64,
}

impl Response {
    /// A `200 OK` response with no headers and an empty body.
    pub fn new() -> Response {
        Response {
            status: 200,
            fields: CheckedFields::new(),
            body: Vec::new(),
            close: false,
            answer: None,
            source: None,
            interim: Vec::new(),
            interim_allowed: true,
            link: None,
            deferred: false,
            body_started: false,
            trailers: Vec::new(),
            on_upgrade: None,
            date: 0,
        }
    }

    /// Forgets the last response, keeping the buffers.
    #[inline]
    pub(crate) fn reset(&mut self) {
        self.status = 200;
        // The kept `Date` line stays: only the handler's fields go.
        self.fields.clear_unkept();
        self.body.clear();
        self.close = false;
        self.answer = None;
        self.interim_allowed = true;
        self.deferred = false;
        self.body_started = false;
        let rare = self.source.is_some()
            || !self.interim.is_empty()
            || self.link.is_some()
            || !self.trailers.is_empty()
            || self.on_upgrade.is_some();
        if rare {
            self.forget_rare();
        }
    }

    /// What most answers do not have (a streamed body, interim heads, a lent connection,
    /// trailers, an upgrade): dropped out of `reset`'s line.
    #[cold]
    fn forget_rare(&mut self) {
        self.source = None;
        self.interim.clear();
        self.link = None;
        self.trailers.clear();
        self.on_upgrade = None;
    }

    /// Releases buffers larger than `bytes`.
    pub(crate) fn shrink_to(&mut self, bytes: usize) {
        if self.fields.capacity() > bytes {
            self.fields = CheckedFields::new();
            self.date = 0;
        }
        if self.body.capacity() > bytes {
            self.body = Vec::new();
        }
        if self.interim.capacity() > 16 {
            self.interim = Vec::new();
        }
    }

    /// The status code (200 unless set).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Sets the status code of the final response. A code outside `200..=599` becomes
    /// `500 Internal Server Error`: RFC 9110 §15 defines 100 to 599, and a 1xx is an interim
    /// response (RFC 9110 §15.2) that this server sends itself (`100 Continue`) and never as an
    /// answer — it does not switch protocols, so a `101` would desynchronise the connection.
    ///
    /// ```
    /// let mut res = h1_server::Response::new();
    /// assert_eq!(res.set_status(404).status(), 404);
    /// assert_eq!(res.set_status(101).status(), 500);
    /// assert_eq!(res.set_status(600).status(), 500);
    /// ```
    pub fn set_status(&mut self, status: u16) -> &mut Response {
        self.status = if (200..=599).contains(&status) {
            status
        } else {
            500
        };
        self
    }

    /// Adds a header field (several fields may have the same name); a field
    /// [`Response::try_header`] refuses is dropped. See the type's docs for the fields the
    /// server manages.
    #[inline]
    pub fn header(&mut self, name: &str, value: impl AsRef<[u8]>) -> &mut Response {
        // Dropping is the documented fallback; `try_header` reports it.
        let _ = self.try_header(name, value);
        self
    }

    /// Adds a header field, or says why it cannot be sent: a name that is not a token
    /// (RFC 9110 §5.1), or a value with a byte other than HTAB, SP, VCHAR or obs-text
    /// (RFC 9110 §5.5). Leading and trailing SP and HTAB are not part of a value
    /// (RFC 9110 §5.5) and are trimmed.
    ///
    /// ```
    /// use h1_server::{HeaderError, Response};
    ///
    /// let mut res = Response::new();
    /// assert!(res.try_header("X-Ok", " caf\u{e9} \t").is_ok());
    /// assert_eq!(res.try_header("X-Split", "a\r\nSet-Cookie: x").err(), Some(HeaderError::InvalidValue));
    /// assert_eq!(res.try_header("", "v").err(), Some(HeaderError::InvalidName));
    /// ```
    #[inline]
    pub fn try_header(
        &mut self,
        name: &str,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Response, HeaderError> {
        // RFC 9110 §5.5: OWS around a field value is not part of it.
        let value = value.as_ref().trim_ascii();
        let managed = name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("date");
        if !managed {
            // The writer's check, once: the field is written later as it is kept here.
            return match self.fields.push(name, value) {
                Ok(_) | Err(WriteError::FramingField) => Ok(self),
                Err(WriteError::InvalidFieldName) => Err(HeaderError::InvalidName),
                Err(_) => Err(HeaderError::InvalidValue),
            };
        }
        // RFC 9110 §5.1, §5.5: the same rules for the fields the server writes itself.
        if !syntax::is_token(name.as_bytes()) {
            return Err(HeaderError::InvalidName);
        }
        if !syntax::is_field_value(value) {
            return Err(HeaderError::InvalidValue);
        }
        if name.eq_ignore_ascii_case("connection") && syntax::list_contains_token(value, "close") {
            self.close = true;
        }
        Ok(self)
    }

    /// Replaces the body.
    #[inline]
    pub fn set_body(&mut self, body: impl AsRef<[u8]>) -> &mut Response {
        self.source = None;
        self.body.clear();
        self.body.extend_from_slice(body.as_ref());
        self
    }

    /// Streams the body from `reader` (replacing any body set before): the connection reads
    /// it only as the socket takes bytes, so a body of any size holds at most a few tens of
    /// KiB of the connection's memory. With `length`, it is sent with `Content-Length` and
    /// must yield exactly that many bytes (a shorter one closes the connection, the client
    /// sees the body cut; bytes past it are not read); without, it is sent chunked (to an
    /// HTTP/1.0 client: until the connection closes). The reader is boxed once; it runs on
    /// the worker thread, so it must not block for long (a file, memory, a decoder).
    ///
    /// ```
    /// let mut res = h1_server::Response::new();
    /// res.header("Content-Type", "application/octet-stream")
    ///     .set_body_reader(std::io::repeat(b'x').take(1 << 30), Some(1 << 30));
    /// # use std::io::Read;
    /// ```
    pub fn set_body_reader(
        &mut self,
        reader: impl io::Read + Send + 'static,
        length: Option<u64>,
    ) -> &mut Response {
        self.body.clear();
        self.source = Some(Source::reader(reader, length));
        self
    }

    /// Streams `file`'s bytes in `range` (all of it without one; the range is clamped to the
    /// file's length) as the body, with `Content-Length`, pulled as the socket takes them (see
    /// [`Response::set_body_reader`]). Errors are those of reading the file's length or
    /// seeking to the range; the response is unchanged then.
    pub fn set_body_file(
        &mut self,
        file: File,
        range: Option<Range<u64>>,
    ) -> io::Result<&mut Response> {
        let source = Source::file(file, range)?;
        self.body.clear();
        self.source = Some(source);
        Ok(self)
    }

    /// The length of the streamed body, if one was set and its length is known.
    pub fn streamed_length(&self) -> Option<u64> {
        self.source.as_ref().and_then(Source::length)
    }

    /// Whether the body is streamed ([`Response::set_body_reader`], [`Response::set_body_file`]).
    pub fn is_streamed(&self) -> bool {
        self.source.is_some()
    }

    /// Whether the body streams from a handler's reader (not a file).
    pub(crate) fn streams_from_reader(&self) -> bool {
        self.source.as_ref().is_some_and(Source::is_reader)
    }

    /// The streamed body, taken by the connection to send.
    pub(crate) fn take_source(&mut self) -> Option<Source> {
        self.source.take()
    }

    /// Queues an interim response — `103 Early Hints` (RFC 8297) or another 1xx but `101`
    /// (the server switches no protocols) — to go out ahead of the final one, written through
    /// [`h1_parser::write`]. Refused, with nothing queued: a status outside `100..=199` or
    /// `101` ([`InterimError::NotInterim`]), a request in HTTP/1.0, which has no interim
    /// responses (RFC 9110 §15.2: a server must not send one to an HTTP/1.0 client;
    /// [`InterimError::Http10`]), and a field the writer refuses ([`InterimError::Refused`]).
    ///
    /// ```
    /// let mut res = h1_server::Response::new();
    /// res.send_interim(103, &[("Link", "</a.css>; rel=preload")])?;
    /// res.set_body("final");
    /// # Ok::<(), h1_server::InterimError>(())
    /// ```
    pub fn send_interim(
        &mut self,
        status: u16,
        fields: &[(&str, &str)],
    ) -> Result<&mut Response, InterimError> {
        if !(100..200).contains(&status) || status == 101 {
            return Err(InterimError::NotInterim);
        }
        if !self.interim_allowed {
            return Err(InterimError::Http10);
        }
        let mut checked = CheckedFields::new();
        for (name, value) in fields {
            checked.push(name, value).map_err(InterimError::Refused)?;
        }
        self.interim.push((status, checked));
        Ok(self)
    }

    /// The interim heads queued: their codes and fields, in order.
    pub(crate) fn interims(&self) -> &[(u16, CheckedFields)] {
        &self.interim
    }

    /// Whether the request may get interim responses (not for an HTTP/1.0 request).
    pub(crate) fn allow_interim(&mut self, allowed: bool) {
        self.interim_allowed = allowed;
    }

    /// The body so far.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body buffer, to fill in place.
    pub fn body_mut(&mut self) -> &mut Vec<u8> {
        self.source = None;
        &mut self.body
    }

    /// Asks the server to close the connection after this response.
    pub fn close(&mut self) -> &mut Response {
        self.close = true;
        self
    }

    /// Which of the library's own answers this is (the router's 404 or 405, the server's
    /// 400, 408, …); `None` for a handler's own response.
    ///
    /// ```
    /// use std::time::Instant;
    /// use h1_server::{conn::Connection, Answer, Request, Response, Router, ServerConfig};
    ///
    /// let router = Router::new();
    /// let logged = move |req: &Request, res: &mut Response| {
    ///     h1_server::Handler::handle(&router, req, res);
    ///     assert_eq!(res.answer(), Some(Answer::NoRoute)); // not the application's own 404
    /// };
    /// let mut conn = Connection::new(&ServerConfig::new(), Instant::now());
    /// conn.feed(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", &logged, Instant::now());
    /// assert!(conn.output().starts_with(b"HTTP/1.1 404 Not Found\r\n"));
    /// ```
    pub fn answer(&self) -> Option<Answer> {
        self.answer
    }

    /// Makes this the library's `answer`: its status, and `text` as a plain-text body unless
    /// [`ServerConfig::shape_answers`](crate::config::ServerConfig::shape_answers) changes it.
    pub(crate) fn set_answer(&mut self, answer: Answer, text: &str) -> &mut Response {
        self.status = answer.status();
        self.answer = Some(answer);
        self.set_body(text)
    }

    /// Whether a field named `name` (case-insensitive) was added.
    pub(crate) fn has_field(&self, name: &str) -> bool {
        self.fields.contains(name)
    }

    pub(crate) fn wants_close(&self) -> bool {
        self.close
    }

    /// The fields added, checked as they were, after the `Date` line kept by
    /// [`Response::dated_fields`] if any.
    pub(crate) fn fields(&self) -> &CheckedFields {
        &self.fields
    }

    /// Which `Date` line `fields` starts with (0: none).
    pub(crate) fn date(&self) -> u64 {
        self.date
    }

    /// The fields after the `Date` line `line`, numbered `date` by the connection: kept at
    /// their start, replaced only when the number changes (once a second).
    pub(crate) fn dated_fields(&mut self, date: u64, line: &CheckedFields) -> &CheckedFields {
        if self.date != date {
            self.fields.replace_kept(line);
            self.date = date;
        }
        &self.fields
    }
}

/// What a handler on the pool can do beyond a response held in memory.
impl Response {
    pub(crate) fn link(&mut self, link: LentLink) {
        self.link = Some(link);
    }

    /// The connection this response answers through, on the pool.
    pub(crate) fn lent(&self) -> Option<&LentLink> {
        self.link.as_ref()
    }

    /// The body goes out in pieces from now on (the head was sent): a body set before is
    /// dropped.
    pub(crate) fn body_started(&mut self) {
        self.body.clear();
        self.source = None;
        self.body_started = true;
    }

    /// The answer is a responder's.
    pub(crate) fn set_deferred(&mut self) {
        self.deferred = true;
    }

    /// Answers `101 Switching Protocols` to `protocol` (RFC 9110 §7.8: the request's
    /// `Upgrade` must offer it) and, once the head is sent, runs `on_upgrade` with the
    /// connection's byte stream on this thread. Add the protocol's own fields
    /// (`Sec-WebSocket-Accept`) as usual. Only on the pool.
    pub fn upgrade(
        &mut self,
        protocol: &str,
        on_upgrade: impl FnOnce(Upgraded) + Send + 'static,
    ) -> io::Result<&mut Response> {
        if self.link.is_none() {
            return Err(needs_pool());
        }
        self.try_header("Upgrade", protocol)
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        self.status = 101;
        self.on_upgrade = Some(OnUpgrade(Box::new(on_upgrade)));
        Ok(self)
    }

    /// Answers a `CONNECT` with `200` and, once the head is sent, runs `on_open` with the
    /// connection's byte stream: a tunnel (RFC 9110 §9.3.6). Only on the pool.
    pub fn tunnel(
        &mut self,
        on_open: impl FnOnce(Upgraded) + Send + 'static,
    ) -> io::Result<&mut Response> {
        if self.link.is_none() {
            return Err(needs_pool());
        }
        self.status = 200;
        self.on_upgrade = Some(OnUpgrade(Box::new(on_open)));
        Ok(self)
    }

    /// Adds a trailer field, sent after a body written by [`Response::writer`] (chunked;
    /// RFC 9112 §7.1.2). Refused as [`Response::try_header`] refuses a field.
    pub fn set_trailer(
        &mut self,
        name: &str,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Response, HeaderError> {
        let value = value.as_ref().trim_ascii();
        if !syntax::is_token(name.as_bytes()) {
            return Err(HeaderError::InvalidName);
        }
        if !syntax::is_field_value(value) {
            return Err(HeaderError::InvalidValue);
        }
        self.trailers.push((name.to_owned(), value.to_vec()));
        Ok(self)
    }

    pub(crate) fn trailers(&self) -> &[(String, Vec<u8>)] {
        &self.trailers
    }

    pub(crate) fn is_deferred(&self) -> bool {
        self.deferred
    }

    pub(crate) fn is_body_started(&self) -> bool {
        self.body_started
    }

    pub(crate) fn wants_upgrade(&self) -> bool {
        self.on_upgrade.is_some()
    }

    pub(crate) fn take_upgrade(&mut self) -> Option<Box<dyn FnOnce(Upgraded) + Send + 'static>> {
        self.on_upgrade.take().map(|on_upgrade| on_upgrade.0)
    }
}

/// Appends to the body.
impl io::Write for Response {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.source = None;
        self.body.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_headers_that_would_split_the_response() {
        let mut res = Response::new();
        res.header("X-A", "1\r\nInjected: yes")
            .header("Bad Name", "v")
            .header("X-B", "2");
        assert_eq!(res.fields().as_bytes(), b"X-B: 2\r\n");
    }

    #[test]
    fn rejects_control_bytes_in_field_values() {
        let mut res = Response::new();
        for b in (0u8..0x20).filter(|&b| b != b'\t').chain([0x7f]) {
            let value = [b'a', b, b'b'];
            assert_eq!(
                res.try_header("X-C", value).err(),
                Some(HeaderError::InvalidValue),
                "{b:#04x}"
            );
        }
        assert_eq!(res.fields().as_bytes(), b"");
    }

    #[test]
    fn accepts_htab_sp_vchar_and_obs_text_in_field_values() {
        let mut res = Response::new();
        let value: Vec<u8> = [b'a', b'\t', b' ']
            .into_iter()
            .chain(0x21..=0x7e)
            .chain(0x80..=0xff)
            .collect();
        assert!(res.try_header("X-V", &value).is_ok());
        let mut expected = b"X-V: ".to_vec();
        expected.extend_from_slice(&value);
        expected.extend_from_slice(b"\r\n");
        assert_eq!(res.fields().as_bytes(), expected);
    }

    #[test]
    fn trims_ows_around_field_values() {
        let mut res = Response::new();
        res.header("X-T", " \tv w\t ");
        assert_eq!(res.fields().as_bytes(), b"X-T: v w\r\n");
    }

    #[test]
    fn refuses_interim_and_out_of_range_statuses() {
        let mut res = Response::new();
        for (set, got) in [
            (100, 500),
            (101, 500),
            (199, 500),
            (200, 200),
            (599, 599),
            (600, 500),
            (0, 500),
        ] {
            assert_eq!(res.set_status(set).status(), got, "{set}");
        }
    }

    #[test]
    fn server_managed_fields_are_ignored_and_connection_close_is_honoured() {
        let mut res = Response::new();
        res.header("Content-Length", "5")
            .header("Date", "x")
            .header("Connection", "keep-alive, Close");
        assert_eq!(res.fields().as_bytes(), b"");
        assert!(res.wants_close());
    }

    #[test]
    fn the_date_line_is_kept_first_across_resets_and_replaced_when_it_changes() {
        let line = |date: &str| {
            let mut line = CheckedFields::new();
            line.push("Date", date).unwrap();
            line
        };
        let (one, two) = (
            line("Sun, 06 Nov 1994 08:49:37 GMT"),
            line("Sun, 06 Nov 1994 08:49:38 GMT"),
        );
        let mut res = Response::new();
        res.header("X-A", "1");
        assert_eq!(
            res.dated_fields(1, &one).as_bytes(),
            b"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nX-A: 1\r\n"
        );
        res.reset();
        res.header("Connection", "close").header("X-B", "2");
        assert_eq!(
            res.dated_fields(1, &two).as_bytes(),
            b"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nX-B: 2\r\n",
            "the same number: kept as it is"
        );
        assert_eq!(
            res.dated_fields(2, &two).as_bytes(),
            b"Date: Sun, 06 Nov 1994 08:49:38 GMT\r\nX-B: 2\r\n"
        );
        assert!(res.wants_close());
        res.reset();
        assert_eq!(
            res.fields().as_bytes(),
            b"Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n"
        );
        assert!(!res.wants_close());
        res.shrink_to(0);
        assert_eq!((res.fields().as_bytes(), res.date()), (&b""[..], 0));
    }
}
