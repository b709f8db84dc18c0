//! Why a [`Response`](super::Response) refused what a handler asked: a field
//! ([`HeaderError`]) or an interim response ([`InterimError`]). Nothing refused is kept.

use h1_parser::write::WriteError;

/// Why [`Response::send_interim`](super::Response::send_interim) refused an interim response;
/// nothing was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InterimError {
    /// The status is not a 1xx, or is `101 Switching Protocols` (no protocol is switched).
    NotInterim,
    /// The request is HTTP/1.0, which knows no interim responses (RFC 9110 §15.2).
    Http10,
    /// The writer refused the head: a field name or value it would not send.
    Refused(WriteError),
}

impl std::fmt::Display for InterimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterimError::NotInterim => f.write_str("not an interim status (1xx but 101)"),
            InterimError::Http10 => {
                f.write_str("no interim responses to HTTP/1.0 (RFC 9110 §15.2)")
            }
            InterimError::Refused(error) => write!(f, "interim head refused: {error}"),
        }
    }
}

impl std::error::Error for InterimError {}

/// Why [`Response::try_header`](super::Response::try_header) refused a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderError {
    /// The name is empty or not a token (RFC 9110 §5.1).
    InvalidName,
    /// The value holds a byte other than HTAB, SP, VCHAR or obs-text (RFC 9110 §5.5): a
    /// control byte such as CR, LF or NUL.
    InvalidValue,
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HeaderError::InvalidName => "field name is not a token (RFC 9110 §5.1)",
            HeaderError::InvalidValue => {
                "field value holds a byte other than HTAB, SP, VCHAR or obs-text (RFC 9110 §5.5)"
            }
        })
    }
}

impl std::error::Error for HeaderError {}
