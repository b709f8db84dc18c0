//! The resumable head machine: `Parser` and its `parse`.
//!
//! Progress is a state and offsets into the caller's buffer. A call continues at the first byte
//! no earlier call classified, so a head arriving in pieces costs one parse in total.
//!
//! One machine reads request heads and response heads: the start line has two front ends (the
//! request-line states and the status-line states, chosen by [`StartLine`]), and both lead into
//! the same field-line states. [`crate::ResponseParser`] drives a `Parser` started at the
//! status-line.

use arrayvec::ArrayVec;

use crate::chars::{is_tchar, skip_field_text, skip_target_chars, skip_tchars};
use crate::fields;
use crate::known::KnownFields;
use crate::request::{RawHeader, RequestLine, Span};
use crate::request_line;
use crate::response::StatusLine;
use crate::uri::{absolute_target, is_authority};
use crate::{Config, Error, Method, Request, TargetForm, Version};

/// What `parse` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status<T> {
    /// The head is not complete yet: call again with the same bytes and more.
    Partial,
    /// The head is complete.
    Complete(T),
}

impl<T> Status<T> {
    /// True for `Complete`.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(value) => Some(value),
            Status::Partial => None,
        }
    }
}

/// Which start line a head begins with (RFC 9112 §2.1: `start-line = request-line /
/// status-line`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StartLine {
    Request,
    Response,
}

/// Where the machine stands; each state names the next thing it expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the request-line; one empty line may come first (RFC 9112 §2.2).
    Start,
    /// After the CR of a leading empty line.
    StartLf,
    /// After an ignored leading empty line: the method must start here.
    MethodStart,
    Method,
    Target,
    Version,
    /// The HTTP-version at the start of a status-line, and the SP after it (RFC 9112 §4).
    StatusVersion,
    /// The three digits of the status code, and the SP after them.
    StatusCode,
    /// The reason phrase, up to the CR that ends the status-line.
    Reason,
    /// After the CR that ends the start line (request-line or status-line).
    RequestLineLf,
    /// At the start of the first field line or of the final empty line.
    LineStart,
    /// After a field line's LF: the field is complete unless the next line folds it into
    /// itself (obs-fold, RFC 9112 §5.2), so it joins the table when that line starts.
    FieldEnd,
    /// After a field line's LF, the field already in the table: one the framing rules do not
    /// look at, so it could join at once. A fold takes it back out.
    FieldInTable,
    Name,
    /// The OWS between the colon and the value.
    ValueStart,
    Value,
    /// After the CR that ends a field line.
    ValueLf,
    /// After the CR of the final empty line.
    HeadLf,
    Done,
    /// A rule was broken: the error and the offset of its cause. Final until `reset`.
    Failed(Error, usize),
}

/// How a line of text ended: CR (its LF follows) or, under `allow_bare_lf`, a bare LF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineEnd {
    Cr,
    BareLf,
}

/// A resumable, strict HTTP/1.1 request-head parser with room for `N` header fields.
///
/// See the [crate documentation](crate) for the calling pattern.
#[derive(Clone, Debug)]
pub struct Parser<const N: usize = 100> {
    config: Config,
    start: StartLine,
    state: State,
    /// The first byte no call has classified yet.
    pos: usize,
    /// Where the token being scanned began (method, target, version, field name).
    mark: usize,
    /// The request-line; for a response, its version, head length and framing.
    pub(crate) line: RequestLine,
    /// The status code and reason phrase of a response.
    pub(crate) status: StatusLine,
    /// The field line being read, or the one `State::FieldEnd` waits to complete.
    field: RawHeader,
    pub(crate) headers: ArrayVec<RawHeader, N>,
    known: KnownFields,
    #[cfg(test)]
    pub(crate) examined: usize,
    /// Bytes looked at a second time: a fast path read them before finding their line
    /// incomplete, and the machine reads them again.
    #[cfg(test)]
    pub(crate) relooked: usize,
}

/// The strict defaults with room for `N` fields, for any `N`: a struct holding a `Parser<32>`
/// can derive `Default`.
impl<const N: usize> Default for Parser<N> {
    fn default() -> Parser<N> {
        Parser::with_capacity(Config::new())
    }
}

/// `new` and `with_config` name the default capacity, as `HashMap::new` names its default
/// hasher: Rust does not infer a const parameter from its default, so generic constructors
/// would make every `Parser::new()` need a type annotation. Any other capacity is
/// `Parser::<N>::with_capacity(config)` or `Parser::<N>::default()`.
impl Parser {
    /// A parser with the strict defaults of [`Config::new`] and room for 100 header fields.
    pub fn new() -> Parser {
        Parser::with_config(Config::new())
    }

    /// A parser with `config` and room for 100 header fields.
    pub fn with_config(config: Config) -> Parser {
        Parser::with_capacity(config)
    }
}

impl<const N: usize> Parser<N> {
    /// A parser with `config` and room for `N` header fields. `config.max_headers` still
    /// applies.
    ///
    /// ```
    /// use h1_parser::{Config, Error, Parser};
    ///
    /// // Room for 2 fields: a third is an error, never a silent truncation.
    /// let mut parser = Parser::<2>::with_capacity(Config::new());
    /// let head = b"GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n";
    /// assert_eq!(parser.parse(head), Err(Error::TooManyHeaders));
    /// assert_eq!(parser.error_offset(), Some(31)); // where the third field starts
    /// ```
    pub fn with_capacity(config: Config) -> Parser<N> {
        Parser::starting(StartLine::Request, config)
    }

    /// A parser for heads that begin with `start`.
    pub(crate) fn starting(start: StartLine, config: Config) -> Parser<N> {
        Parser {
            config: config.clamped(),
            start,
            state: start.first_state(),
            pos: 0,
            mark: 0,
            line: RequestLine::EMPTY,
            status: StatusLine::EMPTY,
            field: RawHeader::default(),
            headers: ArrayVec::new(),
            known: start.known_fields(),
            #[cfg(test)]
            examined: 0,
            #[cfg(test)]
            relooked: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Forgets the current message, keeping the configuration: ready for the next request.
    pub fn reset(&mut self) {
        // Field by field: rebuilding the whole value would copy the header table's storage.
        // The parts of `line`, the reason phrase and `field` are left as they are: each is
        // written before anything reads it, and a finished head has written every part of
        // `line` its output reads (short: 714 -> 703 instructions per parse, callgrind). The
        // status code is summed digit by digit.
        self.state = self.start.first_state();
        self.pos = 0;
        self.mark = 0;
        self.status.code = 0;
        self.headers.clear();
        self.known = self.start.known_fields();
        #[cfg(test)]
        {
            self.examined = 0;
            self.relooked = 0;
        }
    }

    /// Where the error returned by `parse` was found: the offset of the offending byte in the
    /// buffer (for framing conflicts, the start of the field that caused it).
    ///
    /// A `usize`, because it indexes the buffer you passed, like a slice index;
    /// [`crate::BodyDecoder::error_offset`] is a `u64` because it counts a stream across calls
    /// (a body may be larger than memory), like a file position.
    pub fn error_offset(&self) -> Option<usize> {
        match self.state {
            State::Failed(_, offset) => Some(offset),
            _ => None,
        }
    }

    /// The request completed by an earlier `parse`, again, over the same buffer (which may have
    /// grown or moved since): no bytes are examined.
    ///
    /// ```
    /// use h1_parser::{Parser, Status};
    ///
    /// let mut parser = Parser::new();
    /// let mut buf = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    /// assert!(parser.parse(&buf)?.is_complete());
    /// // The buffer moves (it grows as the body arrives); the request is still there.
    /// buf.extend_from_slice(b"more bytes");
    /// let request = parser.request(&buf).expect("complete");
    /// assert_eq!(request.target(), "/a");
    /// assert_eq!(&buf[request.head_len()..], b"more bytes");
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn request<'a>(&'a self, buf: &'a [u8]) -> Option<Request<'a>> {
        (self.state == State::Done && buf.len() >= self.line.head_len).then(|| Request {
            buf,
            line: &self.line,
            headers: &self.headers,
        })
    }

    /// Parses the request head in `buf`: every byte received so far for this message, the same
    /// prefix as the last call plus any new bytes. Returns `Partial` until the head is complete.
    ///
    /// An error is final: later calls return it again until [`Parser::reset`]. A `buf` shorter
    /// than what an earlier call examined breaks that contract and gets `Partial`.
    ///
    /// ```
    /// use h1_parser::{Error, Parser, Status};
    ///
    /// let mut parser = Parser::new();
    /// // Partial: the bytes so far are valid, the head is not complete.
    /// assert_eq!(parser.parse(b"GET / HTTP/1.1\r\nHo")?, Status::Partial);
    /// // The same bytes and more: parsing resumes where it stopped.
    /// let buf = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    /// let Status::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// assert_eq!(request.headers().get("HOST"), Some(&b"a"[..]));
    ///
    /// // A broken rule: its own variant, the offset of the offending byte, and sticky.
    /// let mut parser = Parser::new();
    /// let smuggle = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n";
    /// assert_eq!(parser.parse(smuggle), Err(Error::WhitespaceBeforeColon));
    /// assert_eq!(parser.error_offset(), Some(43)); // the space
    /// assert_eq!(Error::WhitespaceBeforeColon.status(), 400);
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    #[inline]
    pub fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Status<Request<'a>>, Error> {
        if let State::Failed(error, _) = self.state {
            return Err(error);
        }
        if self.extend_run(buf) {
            return Ok(Status::Partial);
        }
        self.resume(buf)
    }

    /// `parse` past its fast path: the machine, then the outcome. Out of line, so that the
    /// fast path inlines into the caller's read loop.
    #[inline(never)]
    fn resume<'a>(&'a mut self, buf: &'a [u8]) -> Result<Status<Request<'a>>, Error> {
        self.run(buf)?;
        Ok(match self.request(buf) {
            Some(request) => Status::Complete(request),
            None => Status::Partial,
        })
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

    /// `parse` for a [`crate::ResponseParser`]: the same fast path and machine; true once the
    /// head is complete within `buf`.
    #[inline]
    pub(crate) fn parse_head(&mut self, buf: &[u8]) -> Result<bool, Error> {
        if let State::Failed(error, _) = self.state {
            return Err(error);
        }
        if self.extend_run(buf) {
            return Ok(false);
        }
        self.resume_head(buf)
    }

    #[inline(never)]
    fn resume_head(&mut self, buf: &[u8]) -> Result<bool, Error> {
        self.run(buf)?;
        Ok(self.is_done(buf))
    }

    /// True when a head is complete and `buf` still holds it.
    #[inline]
    pub(crate) fn is_done(&self, buf: &[u8]) -> bool {
        self.state == State::Done && buf.len() >= self.line.head_len
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
        self.examined(end - self.pos);
        self.pos = end;
        end == buf.len()
    }

    #[inline(always)]
    fn examined(&mut self, _bytes: usize) {
        #[cfg(test)]
        {
            self.examined += _bytes;
        }
    }

    /// Counts bytes a fast path read in a line it found incomplete (the machine reads them
    /// again): the one case where a byte is looked at twice.
    #[inline(always)]
    fn relooked(&mut self, _bytes: usize) {
        #[cfg(test)]
        {
            self.relooked += _bytes;
        }
    }

    /// Runs the machine over the new bytes. Every error carries the offset of its cause.
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
            fields::incomplete_tail(view)
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
                State::Start | State::MethodStart => {
                    let Some(&b) = view.get(pos) else { break };
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
                    let Some(&b) = view.get(pos) else { break };
                    self.examined(1);
                    if b != b'\n' {
                        return Err((Error::BareCr, pos));
                    }
                    pos += 1;
                    self.state = State::MethodStart;
                }
                State::Method => {
                    let end = skip_tchars(view, pos);
                    self.examined(end - pos);
                    pos = end;
                    let Some(&b) = view.get(end) else { break };
                    self.examined(1);
                    // RFC 9112 §3: method SP request-target; RFC 9110 §9.1: method = token.
                    if b != b' ' || end == self.mark {
                        return Err((Error::InvalidMethod, end));
                    }
                    let method = Span::new(self.mark, end);
                    self.line.method = method;
                    self.line.known_method = Method::standard(method.of(view));
                    pos += 1;
                    self.mark = pos;
                    self.state = State::Target;
                }
                State::Target => {
                    // Bytes past the length limit are never looked at.
                    let limit = self.mark.saturating_add(self.config.max_target_len);
                    let bounded = view.get(..limit.saturating_add(1)).unwrap_or(view);
                    let end = skip_target_chars(bounded, pos);
                    self.examined(end - pos);
                    pos = end;
                    if end > limit {
                        return Err((Error::TargetTooLong, limit));
                    }
                    let Some(&b) = view.get(end) else { break };
                    self.examined(1);
                    match b {
                        b' ' if end > self.mark => {}
                        // RFC 9112 §3: exactly one SP between the parts of the request-line.
                        b' ' => return Err((Error::InvalidRequestLine, end)),
                        // No HTTP/0.9 `GET /` CRLF request-line (llhttp#877).
                        b'\r' | b'\n' => return Err((Error::InvalidRequestLine, end)),
                        _ => return Err((Error::InvalidTarget, end)),
                    }
                    let target = Span::new(self.mark, end);
                    self.line.target = target;
                    self.line.form = self.target_form(target.of(view), self.mark)?;
                    pos += 1;
                    self.mark = pos;
                    self.state = State::Version;
                }
                State::Version => {
                    pos = self.version(view, pos)?;
                    if self.state == State::Version {
                        break;
                    }
                }
                State::StatusVersion | State::StatusCode | State::Reason => {
                    // The parts of the status-line run in sequence, like a field line's.
                    pos = self.status_line(view, pos)?;
                    if matches!(
                        self.state,
                        State::StatusVersion | State::StatusCode | State::Reason
                    ) {
                        break;
                    }
                }
                State::RequestLineLf | State::HeadLf => {
                    let Some(&b) = view.get(pos) else { break };
                    self.examined(1);
                    fields::lf_after_cr(b, pos)?;
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
                    // The parts of a field line run in sequence here, without a dispatch
                    // between them; a call that runs out of bytes leaves the part it was in.
                    pos = self.field_lines(view, pos, max_headers, incomplete_from)?;
                    // Finished: `finish_head` has kept the position (short: 738 -> 726
                    // instructions per parse, callgrind, without a dispatch to `State::Done`).
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

    /// The request-line in one go when it is in the view (see `request_line`): returns where
    /// the machine continues, at the first field line when the whole line was read.
    #[inline(always)]
    fn whole_request_line(&mut self, view: &[u8]) -> Result<usize, (Error, usize)> {
        let parts = match request_line::read(view, self.config.max_target_len) {
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
        self.line.method = parts.method;
        self.line.known_method = parts.known_method;
        self.line.target = parts.target;
        let target_start = parts.target.start as usize;
        self.line.form = self.target_form(parts.target.of(view), target_start)?;
        self.mark = parts.version_start;
        match parts.ending {
            Some(ending) => {
                self.examined(ending.end - parts.version_start);
                if ending.bare_lf {
                    self.bare_lf(ending.end - 1)?;
                }
                self.line.version = ending.version;
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
                let Some(&b) = view.get(pos) else {
                    return Ok(pos);
                };
                if is_tchar(b) {
                    // The common case first: a field line starts, so the one before it is
                    // complete (40 fields: 8,723 -> 8,272 instructions per parse, callgrind).
                    if self.state == State::FieldEnd {
                        self.finish_field(view)?;
                    }
                    self.examined(1);
                    if self.headers.len() >= max_headers {
                        return Err((Error::TooManyHeaders, pos));
                    }
                    // A line whose end is in the view is read whole by the field-line engine;
                    // the states below take a line that is still incomplete.
                    let line = if pos < incomplete_from {
                        fields::complete_line(view, pos, self.config.allow_bare_lf)
                    } else {
                        Ok(None)
                    };
                    match line {
                        Ok(Some(line)) => {
                            self.examined(line.end - pos - 1);
                            pos = line.end;
                            let name = line.field.name;
                            if KnownFields::may_be_known(name.end - name.start, b) {
                                // Its verdict waits for the next line (a fold first).
                                self.field = line.field;
                                self.state = State::FieldEnd;
                            } else {
                                // No verdict waits on the next line: the field joins the
                                // table now, while at hand (40 fields: 7,876 -> 7,602
                                // instructions per parse, callgrind). The count was checked
                                // against the limit when the line started.
                                self.headers
                                    .try_push(line.field)
                                    .map_err(|_| (Error::TooManyHeaders, name.start as usize))?;
                                self.state = State::FieldInTable;
                            }
                            continue;
                        }
                        Ok(None) if pos < incomplete_from => self.relooked(view.len() - pos - 1),
                        Ok(None) => {}
                        Err((error, at)) => {
                            self.examined(at - pos);
                            return Err((error, at));
                        }
                    }
                    self.mark = pos;
                    pos += 1;
                    self.state = State::Name;
                } else if b == b' ' || b == b'\t' {
                    pos = self.obs_fold(pos)?;
                } else {
                    if self.state == State::FieldEnd {
                        self.finish_field(view)?;
                    }
                    self.examined(1);
                    match b {
                        b'\r' => {
                            self.state = State::HeadLf;
                            let Some(&lf) = view.get(pos + 1) else {
                                return Ok(pos + 1);
                            };
                            self.examined(1);
                            fields::lf_after_cr(lf, pos + 1)?;
                            self.finish_head(pos, pos + 2)?;
                            return Ok(pos + 2);
                        }
                        b'\n' => {
                            self.bare_lf(pos)?;
                            self.finish_head(pos, pos + 1)?;
                            return Ok(pos + 1);
                        }
                        _ if self.headers.len() >= max_headers => {
                            return Err((Error::TooManyHeaders, pos));
                        }
                        _ => return Err((Error::InvalidHeaderName, pos)),
                    }
                }
            }
            if self.state == State::Name {
                let end = skip_tchars(view, pos);
                self.examined(end - pos);
                pos = end;
                let Some(&b) = view.get(end) else {
                    return Ok(pos);
                };
                self.examined(1);
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
                    self.examined(1);
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
                self.field.value.end = fields::value_end_without_ows(view, start, end) as u32;
            }
            if self.state == State::ValueLf {
                let Some(&b) = view.get(pos) else {
                    return Ok(pos);
                };
                self.examined(1);
                fields::lf_after_cr(b, pos)?;
                pos += 1;
                self.state = State::FieldEnd;
            }
        }
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

    /// A field line is complete: the known fields' rules see it, and it joins the table.
    #[inline(always)]
    fn finish_field(&mut self, view: &[u8]) -> Result<(), (Error, usize)> {
        let field = self.field;
        let first = view
            .get(field.name.start as usize)
            .copied()
            .unwrap_or_default();
        if KnownFields::may_be_known(field.name.end - field.name.start, first) {
            let http10 = self.line.version == Version::Http10;
            self.known
                .observe(
                    field.name.of(view),
                    field.value.of(view),
                    http10,
                    self.config.max_body_size,
                )
                .map_err(|error| (error, field.name.start as usize))?;
        }
        // The count was checked against the capacity when the line started.
        self.headers
            .try_push(field)
            .map_err(|_| (Error::TooManyHeaders, field.name.start as usize))
    }

    /// The final empty line, starting at `final_line`, is complete at `end`: decide the framing.
    fn finish_head(&mut self, final_line: usize, end: usize) -> Result<(), (Error, usize)> {
        let http11 = self.line.version == Version::Http11;
        // The final empty line is where the offending decision could be made. A response's
        // framing also depends on its status and on the request's method: `Response::framing`.
        self.line.framing = match self.start {
            StartLine::Request => self.known.finish(http11),
            StartLine::Response => Ok(self.known.finish_response()),
        }
        .map_err(|error| (error, final_line))?;
        self.line.options = self.known.options;
        self.line.head_len = end;
        self.pos = end;
        self.state = State::Done;
        Ok(())
    }

    /// RFC 9112 §3.2: the four target forms, and which methods may use which.
    fn target_form(&self, target: &[u8], at: usize) -> Result<TargetForm, (Error, usize)> {
        let method = self.line.known_method;
        let form = match target {
            [b'/', ..] => TargetForm::Origin,
            b"*" => TargetForm::Asterisk,
            _ if method == Some(Method::Connect) => TargetForm::Authority,
            _ => match absolute_target(target) {
                Some(true) => TargetForm::Absolute,
                // RFC 9110 §4.2.1, §4.2.4: an http(s) URI without a host, or with userinfo.
                Some(false) => return Err((Error::InvalidTarget, at)),
                // An authority without CONNECT: a well-formed target in the wrong place.
                None if is_authority(target) => return Err((Error::TargetFormMismatch, at)),
                None => return Err((Error::InvalidTarget, at)),
            },
        };
        let fits = match form {
            // RFC 9112 §3.2.3: authority-form is only used for CONNECT, and CONNECT only uses it.
            TargetForm::Authority => is_authority(target),
            _ if method == Some(Method::Connect) => false,
            // RFC 9112 §3.2.4: asterisk-form is only used for a server-wide OPTIONS.
            TargetForm::Asterisk => method == Some(Method::Options),
            _ => true,
        };
        if fits {
            Ok(form)
        } else {
            Err((Error::TargetFormMismatch, at))
        }
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
                self.line.version = known_version(view.get(self.mark..pos))
                    .ok_or((Error::UnsupportedVersion, self.mark))?;
                return match b {
                    b'\r' => {
                        self.state = State::RequestLineLf;
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
}

/// Whether `b` may be byte `index` of `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112
/// §2.3); `None` past its eight bytes.
#[inline]
fn fits_version(index: usize, b: u8) -> Option<bool> {
    let expected = *b"HTTP/x.x".get(index)?;
    Some(if expected == b'x' {
        b.is_ascii_digit()
    } else {
        b == expected
    })
}

/// The versions this parser speaks; another well-formed one is `UnsupportedVersion` (RFC 9110
/// §15.6.6).
#[inline]
fn known_version(version: Option<&[u8]>) -> Option<Version> {
    match version? {
        b"HTTP/1.1" => Some(Version::Http11),
        b"HTTP/1.0" => Some(Version::Http10),
        _ => None,
    }
}

impl StartLine {
    /// The state a head of this kind starts in.
    #[inline]
    fn first_state(self) -> State {
        match self {
            StartLine::Request => State::Start,
            StartLine::Response => State::StatusVersion,
        }
    }

    /// What the known fields start from: the Host rules are for requests only.
    #[inline]
    fn known_fields(self) -> KnownFields {
        match self {
            StartLine::Request => KnownFields::default(),
            StartLine::Response => KnownFields::for_response(),
        }
    }
}

// ---- the status-line front end (responses) ----

impl<const N: usize> Parser<N> {
    /// RFC 9112 §4: `status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF`. Runs
    /// its parts in sequence until the line ends (then the field lines follow) or the view does.
    fn status_line(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
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

    /// RFC 9112 §2.3 and §4: `HTTP-version SP` at the start of the head (no empty line may
    /// come first: RFC 9112 §2.2 lets only a server skip one, before a request-line).
    fn status_version(&mut self, view: &[u8], mut pos: usize) -> Result<usize, (Error, usize)> {
        // The common case in one comparison, and with it the common status code: three digits
        // and SP (response-300: 2,739 -> 2,708 instructions per parse, callgrind). Anything
        // else is the loops' below and `status_code`'s: a leniency or an error.
        if pos == self.mark {
            let word = view.get(pos..).and_then(|rest| rest.first_chunk::<13>());
            if let Some(
                &[b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor @ (b'0' | b'1'), b' ', ref code @ ..],
            ) = word
            {
                self.examined(9);
                pos += 9;
                self.line.version = if minor == b'1' {
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
            let Some(fits) = fits_version(index, b) else {
                let version = known_version(view.get(self.mark..pos))
                    .ok_or((Error::UnsupportedVersion, self.mark))?;
                // RFC 9112 §4: exactly one SP between HTTP-version and status-code.
                if b != b' ' {
                    return Err((Error::InvalidStatusLine, pos));
                }
                self.line.version = version;
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

    /// Text of a field value or a reason phrase (VCHAR, SP, HTAB, obs-text) from `pos` to the
    /// line's end: the offset of its CR or bare LF (the latter only under its leniency), or
    /// `None` when the view ends first. Any other control byte is `invalid` at its offset.
    #[inline(always)]
    fn text_to_line_end(
        &mut self,
        view: &[u8],
        mut pos: usize,
        invalid: Error,
    ) -> Result<Option<(usize, LineEnd)>, (Error, usize)> {
        loop {
            let end = skip_field_text(view, pos);
            self.examined(end - pos);
            let Some(&b) = view.get(end) else {
                return Ok(None);
            };
            self.examined(1);
            match b {
                b'\t' => pos = end + 1,
                b'\r' => return Ok(Some((end, LineEnd::Cr))),
                b'\n' => {
                    self.bare_lf(end)?;
                    return Ok(Some((end, LineEnd::BareLf)));
                }
                _ => return Err((invalid, end)),
            }
        }
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
            LineEnd::Cr => State::RequestLineLf,
            LineEnd::BareLf => State::LineStart,
        };
        self.status.reason = Span::new(self.mark, end);
        Ok(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BROWSER: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n\r\n";

    /// The outcome, the bytes classified, the bytes looked at again, and the most bytes the
    /// rule allows to be looked at again: those of each call's last line, when incomplete.
    type Run = (Result<bool, Error>, usize, usize, usize);

    fn one_shot(config: Config, input: &[u8]) -> Run {
        trickle(config, input, input.len())
    }

    fn trickle(config: Config, input: &[u8], piece: usize) -> Run {
        let mut parser = Parser::with_config(config);
        let (mut end, mut allowed) = (0, 0);
        loop {
            end = (end + piece).min(input.len());
            let line_start = input[..end]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |lf| lf + 1);
            allowed += end - line_start;
            match parser.parse(&input[..end]) {
                Ok(Status::Partial) if end < input.len() => continue,
                outcome => {
                    let outcome = outcome.map(|s| s.is_complete());
                    return (outcome, parser.examined, parser.relooked, allowed);
                }
            }
        }
    }

    #[test]
    fn head_size_limit_is_clamped_to_the_offsets_once_for_every_check() {
        let huge = Config::new().max_head_size(usize::MAX);
        assert_eq!(huge.max_head_size, Config::MAX_HEAD_SIZE);
        let mut direct = Config::new();
        direct.max_head_size = usize::MAX;
        let parser = Parser::with_config(direct);
        // Both the fast path (`extend_run`) and the machine (`advance`) read this one value.
        assert_eq!(parser.config().max_head_size, Config::MAX_HEAD_SIZE);
        let small = Parser::<4>::with_capacity(Config::new().max_head_size(64));
        assert_eq!(small.config().max_head_size, 64);
    }

    /// A response parser's outcome and bytes examined, fed `piece` bytes more per call
    /// (`usize::MAX`: in one call).
    fn response_pieces(config: Config, input: &[u8], piece: usize) -> (Result<bool, Error>, usize) {
        let mut parser = Parser::<100>::starting(StartLine::Response, config);
        let mut end: usize = 0;
        loop {
            end = end.saturating_add(piece).min(input.len());
            match parser.parse_head(&input[..end]) {
                Ok(false) if end < input.len() => continue,
                outcome => return (outcome, parser.examined),
            }
        }
    }

    #[test]
    fn every_response_byte_is_classified_once_whatever_the_pieces() {
        let lenient = Config::new()
            .allow_bare_lf(true)
            .allow_obs_fold(true)
            .allow_missing_reason_sp(true);
        let inputs: [(&[u8], Config); 6] = [
            (
                b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello",
                Config::new(),
            ),
            (
                b"HTTP/1.0 404 Not \t Found \xe9\r\nX:\r\n\r\n",
                Config::new(),
            ),
            (b"HTTP/1.1 204\nX: a\n b\n\n", lenient),
            (b"HTTP/1.1 2000 OK\r\n\r\n", Config::new()),
            (b"HTTP/1.1 200 O\x00K\r\n\r\n", Config::new()),
            (b"HTTP/1.2 200 OK\r\n\r\n", Config::new()),
        ];
        for (input, config) in inputs {
            let (expected, once) = response_pieces(config, input, usize::MAX);
            assert!(once > 0);
            for piece in [1, 2, 3, 7, 64] {
                let (outcome, examined) = response_pieces(config, input, piece);
                assert_eq!(outcome, expected, "piece {piece}");
                assert_eq!(examined, once, "piece {piece}: bytes examined");
            }
        }
    }

    #[test]
    fn every_byte_is_classified_once_whatever_the_pieces() {
        let inputs: [(&[u8], Config); 5] = [
            (BROWSER, Config::new()),
            (b"\r\nPOST http://a.example/x?y HTTP/1.1\r\nHost: a\r\nX:\t\xff v \t\r\nContent-Length: 1, 1\r\n\r\n", Config::new()),
            (b"OPTIONS * HTTP/1.0\nX: a\n folded\n\n", Config::new().allow_bare_lf(true).allow_obs_fold(true)),
            (b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", Config::new()),
            (b"GET /aaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n", Config::new().max_target_len(10)),
        ];
        for (input, config) in inputs {
            let (expected, once, again, _) = one_shot(config, input);
            assert!(once > 0);
            // Whole lines are read once, by the fast paths or the machine.
            assert_eq!(again, 0, "one call: bytes looked at again");
            for piece in [1, 2, 3, 7, 64] {
                let (outcome, examined, again, allowed) = trickle(config, input, piece);
                assert_eq!(outcome, expected, "piece {piece}");
                assert_eq!(examined, once, "piece {piece}: bytes examined");
                // The resumability rule: a byte is looked at again only in a line still
                // incomplete at the end of a call.
                assert!(
                    again <= allowed,
                    "piece {piece}: {again} > {allowed} looked at again"
                );
            }
        }
        // Pieces ending inside lines: the fast paths leave the last line of a piece to the
        // machine, unless its start is too far back to be sure it is incomplete.
        let (_, _, again, _) = trickle(Config::new(), BROWSER, 64);
        assert_eq!(again, 0);
        let mut long = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
        long.extend_from_slice(&[b'v'; 600]);
        long.extend_from_slice(b"\r\n\r\n");
        let (outcome, examined, again, allowed) = trickle(Config::new(), &long, 400);
        assert_eq!(
            (outcome, examined),
            (Ok(true), one_shot(Config::new(), &long).1)
        );
        assert!(again > 0 && again <= allowed, "{again} {allowed}");
        // The count is bytes classified, not a restatement of the offset: the head of the
        // browser request is classified exactly once, terminators included.
        let (_, once, _, _) = one_shot(Config::new(), BROWSER);
        assert!(
            once >= BROWSER.len() && once <= BROWSER.len() + 64,
            "{once}"
        );
    }
}
