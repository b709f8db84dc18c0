//! The syntax checks of a head being written, made of the parser's byte classes and URI rules.
//!
//! Each check calls the reader's own rule where there is one (the target's form, the Host
//! value, the byte classes); what is left here are the sender's rules.

use super::error::WriteError;
use crate::chars::{skip_target_chars, trim_ows};
use crate::error::Error;
use crate::message::{self, Method, StandardMethod, TargetForm, Version};
use crate::syntax::{is_field_value, is_token};
use crate::uri;

/// The method as the parser will read it: an extension spelled like a standard method is that
/// method (`Extension("CONNECT")` is CONNECT on the wire), so the form rules see it as such.
pub(crate) fn wire_method(method: Method<'_>) -> Result<Method<'_>, WriteError> {
    let token = method.as_str().as_bytes();
    // RFC 9110 §9.1: method = token.
    if !is_token(token) {
        return Err(WriteError::InvalidMethod);
    }
    Ok(Method::standard(token).unwrap_or(method))
}

/// RFC 9112 §3.2: the target's bytes, then its form and whether it fits `method`, by the
/// reader's rule ([`message::target_form`]).
pub(crate) fn target_form(method: Method<'_>, target: &[u8]) -> Result<TargetForm, WriteError> {
    // RFC 9112 §3.2: visible ASCII, no fragment (§3.2.1), never empty.
    if target.is_empty() || skip_target_chars(target, 0) != target.len() {
        return Err(WriteError::InvalidTarget);
    }
    let method = StandardMethod::named(method.as_str().as_bytes());
    message::target_form(target, method).map_err(|error| match error {
        Error::TargetFormMismatch => WriteError::TargetFormMismatch,
        _ => WriteError::InvalidTarget,
    })
}

/// What a field checked by [`check_field`] is to the head writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Host,
    Framing,
    Connection,
    Upgrade,
    Other,
}

/// RFC 9110 §5.1, §5.5: a field name is a token; a field value has no control byte but HTAB
/// and, as `field-content`, starts and ends with a visible byte.
pub(crate) fn check_field(name: &[u8], value: &[u8]) -> Result<FieldKind, WriteError> {
    let kind = match common_name(name) {
        Some(kind) => kind,
        None if is_token(name) => name_kind(name),
        None => return Err(WriteError::InvalidFieldName),
    };
    if !is_field_value(value) {
        return Err(WriteError::InvalidFieldValue);
    }
    if let ([b' ' | b'\t', ..], _) | (_, [.., b' ' | b'\t']) = (value, value) {
        return Err(WriteError::FieldValueWhitespace);
    }
    Ok(kind)
}

/// The names a response most often carries, as usually spelled: tokens (the tests check)
/// that the writer does not act on, so one comparison stands for the byte scan of `is_token`
/// (12 bytes: 40 instructions of `pipeline_cost`'s `Content-Type`).
#[inline]
fn common_name(name: &[u8]) -> Option<FieldKind> {
    match name {
        b"Content-Type" | b"Cache-Control" | b"Location" | b"Set-Cookie" | b"ETag"
        | b"Last-Modified" | b"Content-Encoding" | b"Vary" | b"Server" | b"Allow" => {
            Some(FieldKind::Other)
        }
        _ => None,
    }
}

/// What the head writer does with a field named `name`, a token.
fn name_kind(name: &[u8]) -> FieldKind {
    if name.eq_ignore_ascii_case(b"host") {
        FieldKind::Host
    } else if name.eq_ignore_ascii_case(b"content-length")
        || name.eq_ignore_ascii_case(b"transfer-encoding")
    {
        FieldKind::Framing
    } else if name.eq_ignore_ascii_case(b"connection") {
        FieldKind::Connection
    } else if name.eq_ignore_ascii_case(b"upgrade") {
        FieldKind::Upgrade
    } else {
        FieldKind::Other
    }
}

/// RFC 9110 §7.6.1: a connection option names a field for the next hop only; Content-Length,
/// Transfer-Encoding and Host frame or route the message for every recipient, and an
/// intermediary removing them as hop-by-hop would change it.
pub(crate) fn check_connection_options(value: &[u8]) -> Result<(), WriteError> {
    let forbidden = [&b"content-length"[..], b"transfer-encoding", b"host"];
    let named = value.split(|&b| b == b',').any(|member| {
        let member = trim_ows(member);
        forbidden
            .iter()
            .any(|name| member.eq_ignore_ascii_case(name))
    });
    if named {
        Err(WriteError::ForbiddenConnectionOption)
    } else {
        Ok(())
    }
}

/// RFC 9110 §15.2: HTTP/1.0 defines no 1xx, and a server MUST NOT send one to an HTTP/1.0
/// client; RFC 9110 §15: a status code is three digits, 100 to 999.
pub(crate) fn check_status(code: u16, version: Version) -> Result<(), WriteError> {
    match code {
        100..=199 if version == Version::Http10 => Err(WriteError::InformationalInHttp10),
        100..=999 => Ok(()),
        _ => Err(WriteError::InvalidStatusCode),
    }
}

/// A Host value as the parser accepts it by default: the parser's own rule (not empty,
/// `uri-host [ ":" port ]`, no comma).
pub(crate) fn check_host(value: &[u8]) -> Result<(), WriteError> {
    uri::check_host(value, false).map_err(|error| match error {
        Error::EmptyHost => WriteError::EmptyHost,
        _ => WriteError::InvalidHost,
    })
}

/// A trailer field: a field, and not one that frames or routes the message (RFC 9110 §6.5.1).
pub(crate) fn check_trailer(name: &[u8], value: &[u8]) -> Result<(), WriteError> {
    match check_field(name, value)? {
        FieldKind::Host | FieldKind::Framing => Err(WriteError::ForbiddenTrailer),
        _ => Ok(()),
    }
}

/// RFC 9112 §4: `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`: the bytes of a field
/// value (RFC 9110 §5.5), whitespace at either end allowed.
pub(crate) fn check_reason(reason: &[u8]) -> Result<(), WriteError> {
    if is_field_value(reason) {
        Ok(())
    } else {
        Err(WriteError::InvalidReasonPhrase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_are_tokens_the_writer_does_not_act_on() {
        let names = [
            "Content-Type",
            "Cache-Control",
            "Location",
            "Set-Cookie",
            "ETag",
            "Last-Modified",
            "Content-Encoding",
            "Vary",
            "Server",
            "Allow",
        ];
        for name in names {
            let name = name.as_bytes();
            assert_eq!(common_name(name), Some(FieldKind::Other));
            assert!(is_token(name));
            assert_eq!(name_kind(name), FieldKind::Other);
        }
        assert_eq!(common_name(b"content-type"), None);
        assert_eq!(common_name(b"Connection"), None);
    }
}
