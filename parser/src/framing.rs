//! RFC 9112 §6: which body follows a request head or a response head, and the smuggling
//! conflicts that make the answer unreliable (and the message an error).

use crate::chars::trim_ows;
use crate::error::Error;
use crate::message::{Framing, Method, Version};
use crate::syntax::is_token;

/// What a response's framing depends on besides its own framing fields.
pub(crate) struct Answered<'a> {
    /// The request's method.
    pub(crate) method: Method<'a>,
    /// The request sent an Upgrade field.
    pub(crate) upgrade_sent: bool,
}

/// What a response with a status may carry as a body, whatever its framing fields say: the one
/// rule the reader (`response_framing`) and the writer (`write::framing`) both apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyRule {
    /// 101, or a 2xx answering CONNECT: no body, the connection becomes a tunnel or speaks
    /// another protocol (RFC 9110 §15.2.2, RFC 9112 §6.3 item 2).
    Tunnel,
    /// Another 1xx, or 204: no body, and no framing field either (RFC 9112 §6.3 item 1, RFC
    /// 9110 §8.6).
    NoBody,
    /// An answer to HEAD, or 304: no body, but the Content-Length the body would have had may
    /// be sent (RFC 9110 §9.3.2, §15.4.5; RFC 9112 §6.3 item 1).
    NoBodyLengthAllowed,
    /// The framing fields say (RFC 9112 §6.3 items 3 to 8).
    Framed,
}

/// RFC 9112 §6.3, RFC 9110 §15: the body a response with status `code` answering `method` may
/// carry.
#[inline]
pub(crate) fn body_rule(code: u16, method: Method<'_>) -> BodyRule {
    match code {
        101 => BodyRule::Tunnel,
        200..=299 if method == Method::Connect => BodyRule::Tunnel,
        100..=199 | 204 => BodyRule::NoBody,
        _ if method == Method::Head => BodyRule::NoBodyLengthAllowed,
        304 => BodyRule::NoBodyLengthAllowed,
        _ => BodyRule::Framed,
    }
}

/// RFC 9112 §6.3: the framing of a response with status `code` in `version`, whose own fields
/// say `message` (from [`FramingFields::finish_response`]) and, with `upgrade_field`, name a
/// protocol, answering the request `answered`.
pub(crate) fn response_framing(
    code: u16,
    version: Version,
    upgrade_field: bool,
    answered: Answered<'_>,
    message: Framing,
) -> Result<Framing, Error> {
    Ok(match body_rule(code, answered.method) {
        // RFC 9110 §15.2.2: after 101 the connection speaks the protocol it switched to: one
        // the request's Upgrade offered, named in the response's Upgrade; RFC 9110 §7.8 and
        // §15.2: not in HTTP/1.0, which has neither Upgrade nor 1xx. Otherwise what follows is
        // neither HTTP nor a protocol the client asked for.
        BodyRule::Tunnel if code == 101 => {
            if !(answered.upgrade_sent && upgrade_field && version == Version::Http11) {
                return Err(Error::UnexpectedUpgrade);
            }
            Framing::Tunnel
        }
        BodyRule::Tunnel => Framing::Tunnel,
        BodyRule::NoBody | BodyRule::NoBodyLengthAllowed => Framing::NoBody,
        BodyRule::Framed => message,
    })
}

/// What the framing fields of a head said so far: Content-Length and Transfer-Encoding, fed
/// one complete field at a time (see `crate::known`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FramingFields {
    content_length: Option<u64>,
    /// Whether a Transfer-Encoding field was seen, and what its list says so far.
    transfer_encoding: bool,
    chunked_last: bool,
    chunked_count: u32,
    unsupported_coding: bool,
}

impl FramingFields {
    /// A Content-Length field.
    #[inline]
    pub(crate) fn content_length(&mut self, value: &[u8], max_body: u64) -> Result<(), Error> {
        // RFC 9112 §6.1: a sender MUST NOT send Content-Length with Transfer-Encoding, and a
        // request with both is treated as an error (smuggling, hyper#4123).
        if self.transfer_encoding {
            return Err(Error::ContentLengthWithTransferEncoding);
        }
        let length = parse_content_length(value, self.content_length)?;
        if length > max_body {
            return Err(Error::BodyTooLarge);
        }
        self.content_length = Some(length);
        Ok(())
    }

    /// A Transfer-Encoding field (`http10`: the message is HTTP/1.0).
    #[inline]
    pub(crate) fn transfer_encoding(&mut self, value: &[u8], http10: bool) -> Result<(), Error> {
        // RFC 9112 §6.1: a server MUST NOT accept Transfer-Encoding from HTTP/1.0.
        if http10 {
            return Err(Error::TransferEncodingInHttp10);
        }
        if self.content_length.is_some() {
            return Err(Error::ContentLengthWithTransferEncoding);
        }
        self.transfer_encoding = true;
        self.observe_codings(value)
    }

    /// RFC 9112 §6.1: `Transfer-Encoding = #transfer-coding`; several fields form one list.
    fn observe_codings(&mut self, value: &[u8]) -> Result<(), Error> {
        let mut elements = 0;
        for element in value.split(|&b| b == b',') {
            let element = trim_ows(element);
            // RFC 9110 §5.6.1: empty list elements are ignored.
            if element.is_empty() {
                continue;
            }
            elements += 1;
            let (coding, has_parameters) = match element.iter().position(|&b| b == b';') {
                Some(semicolon) => (trim_ows(&element[..semicolon]), true),
                None => (element, false),
            };
            // RFC 9112 §6.1: transfer-coding = token.
            if !is_token(coding) {
                return Err(Error::InvalidTransferEncoding);
            }
            if coding.eq_ignore_ascii_case(b"chunked") {
                // RFC 9112 §6.1: chunked MUST NOT be applied more than once, and it takes no
                // parameters (RFC 9112 §7).
                if self.chunked_count > 0 || has_parameters {
                    return Err(Error::InvalidTransferEncoding);
                }
                self.chunked_count += 1;
                self.chunked_last = true;
            } else {
                self.chunked_last = false;
                self.unsupported_coding = true;
            }
        }
        // A Transfer-Encoding field with no coding at all says nothing reliable.
        if elements == 0 {
            return Err(Error::InvalidTransferEncoding);
        }
        Ok(())
    }

    /// The framing once the head is complete.
    pub(crate) fn finish(&self) -> Result<Framing, Error> {
        if self.transfer_encoding {
            // RFC 9112 §6.3 item 4: chunked not final → the length cannot be determined: 400.
            if !self.chunked_last {
                return Err(Error::InvalidTransferEncoding);
            }
            // RFC 9112 §6.1: a coding the server does not understand → 501.
            if self.unsupported_coding {
                return Err(Error::UnsupportedTransferCoding);
            }
            return Ok(Framing::Chunked);
        }
        Ok(match self.content_length {
            Some(length) => Framing::Length(length),
            None => Framing::NoBody,
        })
    }
}

impl FramingFields {
    /// The framing a complete response head's own fields say, before its status code and the
    /// request's method are considered ([`response_framing`]). Never an error: the conflicts
    /// were errors when the fields arrived.
    pub(crate) fn finish_response(&self) -> Framing {
        if self.transfer_encoding {
            // RFC 9112 §6.3 item 4: in a response whose final coding is not chunked, the body
            // runs until the connection closes. Codings before a final chunked (`gzip,
            // chunked`) stay on the data; the caller reads Transfer-Encoding for them.
            return if self.chunked_last {
                Framing::Chunked
            } else {
                Framing::UntilClose
            };
        }
        match self.content_length {
            Some(length) => Framing::Length(length),
            // RFC 9112 §6.3 item 8: neither field: the body runs until the connection closes.
            None => Framing::UntilClose,
        }
    }
}

/// RFC 9110 §8.6: `Content-Length = 1*DIGIT`; a list of identical values counts as one value,
/// different values are an error. `seen` is the value of an earlier Content-Length field.
fn parse_content_length(value: &[u8], mut seen: Option<u64>) -> Result<u64, Error> {
    // The usual value is one number: its digits in one pass, no list to split; 19 digits
    // cannot overflow a u64 (bench input `response-300`).
    if (1..=19).contains(&value.len()) && value.iter().all(u8::is_ascii_digit) {
        let length = value
            .iter()
            .fold(0, |length: u64, &b| length * 10 + u64::from(b - b'0'));
        return match seen {
            Some(earlier) if earlier != length => Err(Error::ConflictingContentLength),
            _ => Ok(length),
        };
    }
    for element in value.split(|&b| b == b',') {
        let digits = trim_ows(element);
        if digits.is_empty() {
            return Err(Error::InvalidContentLength);
        }
        let mut length: u64 = 0;
        for &b in digits {
            // No sign, no spaces, no overflow (hyper GHSA-f3pg-qwvg-p99c).
            if !b.is_ascii_digit() {
                return Err(Error::InvalidContentLength);
            }
            length = length
                .checked_mul(10)
                .and_then(|l| l.checked_add(u64::from(b - b'0')))
                .ok_or(Error::InvalidContentLength)?;
        }
        match seen {
            Some(earlier) if earlier != length => return Err(Error::ConflictingContentLength),
            _ => seen = Some(length),
        }
    }
    seen.ok_or(Error::InvalidContentLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_lists_of_equal_values_are_one_value() {
        assert_eq!(parse_content_length(b"5, 5,5", None), Ok(5));
        assert_eq!(parse_content_length(b"5", Some(5)), Ok(5));
        assert_eq!(
            parse_content_length(b"5, 6", None),
            Err(Error::ConflictingContentLength)
        );
        assert_eq!(
            parse_content_length(b"5,", None),
            Err(Error::InvalidContentLength)
        );
        assert_eq!(
            parse_content_length(b"18446744073709551616", None),
            Err(Error::InvalidContentLength)
        );
        assert_eq!(
            parse_content_length(b"18446744073709551615", None),
            Ok(u64::MAX)
        );
    }
}
