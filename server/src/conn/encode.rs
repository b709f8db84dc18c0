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
/// from the clock once per batch of answers (a pipelined batch shares it).
#[derive(Debug)]
pub(super) struct DateField {
    now: [u8; DATE_LEN],
    line: CheckedFields,
    fresh: bool,
}

impl DateField {
    pub(super) fn new() -> DateField {
        DateField {
            now: [b' '; DATE_LEN],
            line: CheckedFields::new(),
            fresh: false,
        }
    }

    /// A new batch: the next answer reads the clock.
    pub(super) fn stale(&mut self) {
        self.fresh = false;
    }

    /// The field line for now.
    fn line(&mut self) -> &CheckedFields {
        if !self.fresh {
            with_date(|now| {
                if now != self.now {
                    self.now.copy_from_slice(now);
                    self.line.clear();
                    // IMF-fixdate is a valid field value; a refusal would leave no Date, which
                    // RFC 9110 §6.6.1 allows a server without a clock.
                    let _ = self.line.push("Date", now);
                }
            });
            self.fresh = true;
        }
        &self.line
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
    let mut head = core.respond(&mut *out, response.status())?;
    head.checked_fields(date.line())?
        .checked_fields(response.fields())?;
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
    head.fields(date.line())?
        .fields(response.fields())?
        .field("Connection", "close")?;
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
    head.checked_fields(date.line())?
        .checked_fields(response.fields())?;
    if response.wants_close() {
        head.field("Connection", "close")?;
    }
    head.finish(length.map_or(Body::Chunked, Body::Length))
}
