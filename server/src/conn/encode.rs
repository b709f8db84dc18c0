//! Encode: a [`Response`] goes out through the core — interim heads, the status-line, the
//! `Date` and the handler's fields (checked when they were set, copied now), the body from
//! memory or the start of a streamed one. The core adds `Connection` and the framing.

use h1_parser::conn::{ConnError, ServerConn};
use h1_parser::write::{Body, CheckedFields, ResponseHead, WriteError};
use h1_parser::{Method, Version};

use crate::date::{with_date, DATE_LEN};
use crate::response::Response;
use crate::source::Source;

/// The `Date` field (RFC 9110 §6.6.1), checked once each time the second changes, and read
/// from the clock once per batch of answers (a pipelined batch shares it). Each line is
/// numbered by its Unix second (the same on every connection), so a response keeps it at the
/// start of its fields until the next one.
#[derive(Debug)]
pub(super) struct DateField {
    now: [u8; DATE_LEN],
    line: CheckedFields,
    /// The Unix second of `line` (0: none yet).
    number: u64,
    fresh: bool,
}

impl DateField {
    pub(super) fn new() -> DateField {
        DateField {
            now: [b' '; DATE_LEN],
            line: CheckedFields::new(),
            number: 0,
            fresh: false,
        }
    }

    /// A new batch: the next answer reads the clock.
    pub(super) fn stale(&mut self) {
        self.fresh = false;
    }

    /// The field line for now, and its number.
    #[inline]
    fn line(&mut self) -> (u64, &CheckedFields) {
        if !self.fresh {
            self.read_clock();
        }
        (self.number, &self.line)
    }

    /// The first answer of a batch: the clock, and a new line when the second changed.
    #[inline(never)]
    fn read_clock(&mut self) {
        with_date(|second, now| {
            if now != self.now {
                self.now.copy_from_slice(now);
                self.line.clear();
                // IMF-fixdate is a valid field value; a refusal would leave no Date, which
                // RFC 9110 §6.6.1 allows a server without a clock.
                let _ = self.line.push("Date", now);
                self.number = second;
            }
        });
        self.fresh = true;
    }
}

/// Writes `response` as the answer to the core's current request into `out`. Returns the
/// streamed body still to send, when the answer carries one.
pub(super) fn answer(
    core: &mut ServerConn,
    out: &mut Vec<u8>,
    response: &mut Response,
    date: &mut DateField,
) -> Result<Option<Source>, ConnError> {
    for (code, fields) in response.interims() {
        // The response refused what the core would (HTTP/1.0, 101, a bad field): nothing is
        // refused here, and a refusal would only drop the hint.
        let _ = core.interim(&mut *out, *code, fields.iter());
    }
    let (number, line) = date.line();
    let plain = !matches!(response.status(), 101 | 304);
    if plain && !response.wants_close() && !response.is_streamed() {
        // Most answers: the head, the Date line and the handler's fields, the body.
        let status = response.status();
        response.dated_fields(number, line);
        core.respond_with(out, status, response.fields(), response.body())?;
        return Ok(None);
    }
    let mut head = core.respond(&mut *out, response.status())?;
    // The Date line and the handler's fields, one copy.
    head.checked_fields(response.dated_fields(number, line))?;
    if response.wants_close() {
        head.field("Connection", "close")?;
    } else if response.status() == 101 {
        // RFC 9110 §7.8: Upgrade is a hop-by-hop field, named by Connection.
        head.field("Connection", "upgrade")?;
    }
    let Some(source) = response.take_source() else {
        if response.status() == 304 {
            // RFC 9110 §15.4.5: a body from memory is the handler's, not the representation
            // whose length a 304 may advertise: none is.
            head.finish(Body::None)?;
        } else {
            head.finish_with(response.body())?;
        }
        return Ok(None);
    };
    head.finish(match source.length() {
        Some(length) => Body::Length(length),
        None => Body::Chunked,
    })?;
    if core.sends_data() {
        return Ok(Some(source));
    }
    // HEAD, 204, 304: the body is not pulled, only ended.
    core.finish(&mut *out)?;
    Ok(None)
}

/// Calls `write` with the Date line `line` (of the second `number`) and `response`'s fields,
/// for a response that cannot keep the line itself here (it is borrowed): its own fields when
/// they start with this line, else the line then its fields, else (another second's line kept,
/// rare) a copy with this one.
fn with_dated_fields<E>(
    response: &Response,
    number: u64,
    line: &CheckedFields,
    mut write: impl FnMut(&CheckedFields) -> Result<(), E>,
) -> Result<(), E> {
    if response.date() == number {
        write(response.fields())
    } else if response.date() == 0 {
        write(line)?;
        write(response.fields())
    } else {
        let mut fields = response.fields().clone();
        fields.replace_kept(line);
        write(&fields)
    }
}

/// Writes `response` as the last answer of a connection the core gave up on (a broken
/// request, a late one): with `Connection: close`, through the writer.
pub(super) fn last_answer(
    out: &mut Vec<u8>,
    response: &Response,
    date: &mut DateField,
) -> Result<usize, WriteError> {
    let mut head = ResponseHead::new(
        &mut *out,
        Method::Get,
        Version::Http11,
        response.status(),
        None,
    )?;
    let (number, line) = date.line();
    with_dated_fields(response, number, line, |fields| {
        head.fields(fields).map(drop)
    })?;
    head.field("Connection", "close")?;
    head.finish_with(response.body())
}

/// Writes `response`'s head (interims first) for a body that follows in pieces: `length`
/// bytes exactly, or chunked.
pub(super) fn head(
    core: &mut ServerConn,
    out: &mut Vec<u8>,
    response: &Response,
    date: &mut DateField,
    length: Option<u64>,
) -> Result<usize, ConnError> {
    for (code, fields) in response.interims() {
        let _ = core.interim(&mut *out, *code, fields.iter());
    }
    let mut head = core.respond(&mut *out, response.status())?;
    let (number, line) = date.line();
    with_dated_fields(response, number, line, |fields| {
        head.checked_fields(fields).map(drop)
    })?;
    if response.wants_close() {
        head.field("Connection", "close")?;
    }
    head.finish(length.map_or(Body::Chunked, Body::Length))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crate::config::ServerConfig;
    use crate::conn::Connection;
    use crate::response::Response;

    #[test]
    fn every_answer_has_one_date_line_after_its_status_line() {
        let handler = |_: &crate::Request, res: &mut Response| {
            res.header("Content-Type", "text/plain").set_body("hi");
        };
        let mut conn = Connection::new(&ServerConfig::new(), Instant::now());
        let now = Instant::now();
        conn.feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &handler, now);
        conn.feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &handler, now);
        // A broken request: the library's 400, written apart from the handler's answers.
        conn.feed(
            b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
            &handler,
            now,
        );
        let out = String::from_utf8_lossy(conn.output()).into_owned();
        let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
        assert_eq!(answers.len(), 3, "{out}");
        for answer in &answers {
            let lines: Vec<&str> = answer.split("\r\n").collect();
            assert!(lines[1].starts_with("Date: "), "{answer}");
            let dates = lines.iter().filter(|l| l.starts_with("Date: ")).count();
            assert_eq!(dates, 1, "{answer}");
        }
        assert!(answers[0].contains("\r\nContent-Type: text/plain\r\n"));
        assert!(answers[2].starts_with("400 "), "{}", answers[2]);
    }
}
