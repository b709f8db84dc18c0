//! The byte classes and list rules of RFC 9110 that a user of parsed messages needs too: a
//! server checking the fields it writes, a proxy reading a `Connection` list. The same
//! definitions the parser applies, so a value this crate produces passes this crate's parser.
//!
//! ```
//! use h1_parser::syntax::{is_field_value, is_token, list_contains_token};
//!
//! assert!(is_token(b"X-Request-Id"));
//! assert!(!is_token(b"X Request"));
//! assert!(is_field_value(b"text/html; charset=\"utf-8\""));
//! assert!(!is_field_value(b"a\x01b"));
//! assert!(list_contains_token(b"keep-alive, Upgrade", "upgrade"));
//! ```

use crate::chars::{is_tchar as tchar, skip_field_value, trim_ows_and_folds};

/// `tchar` (RFC 9110 §5.6.2): a byte allowed in a token — a method, a field name, a coding.
#[inline]
pub fn is_tchar(b: u8) -> bool {
    tchar(b)
}

/// `token = 1*tchar` (RFC 9110 §5.6.2): a valid method or field name.
#[inline]
pub fn is_token(bytes: &[u8]) -> bool {
    // Without an exit per byte: a table load and an AND each (the writer's hot path checks
    // every field name; bench/conn-instructions.sh).
    !bytes.is_empty() && bytes.iter().fold(true, |all, &b| all & tchar(b))
}

/// Whether `bytes` may be a field value as this parser accepts one (RFC 9110 §5.5): visible
/// ASCII, SP, HTAB and obs-text; no other control byte, so never CR, LF or NUL. Leading or
/// trailing whitespace is allowed here; a parser trims it.
#[inline]
pub fn is_field_value(bytes: &[u8]) -> bool {
    skip_field_value(bytes, 0) == bytes.len()
}

/// Whether the comma-separated list `value` (RFC 9110 §5.6.1, e.g. a `Connection` or `Expect`
/// value) has a member equal to `token`, compared case-insensitively, OWS around members
/// ignored. The CR and LF of an obs-fold (which a value holds only under
/// [`crate::Config::allow_obs_fold`]) count as SP, as RFC 9112 §5.2 reads a fold.
#[inline]
pub fn list_contains_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|member| trim_ows_and_folds(member).eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether the list `value` has a member at all (RFC 9110 §5.6.1: empty members are ignored):
/// an `Upgrade` field names a protocol only then (RFC 9110 §7.8, §15.2.2). The reader and the
/// writer both ask it.
#[inline]
pub(crate) fn list_has_member(value: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|member| !trim_ows_and_folds(member).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_are_vchar_sp_htab_and_obs_text() {
        assert!(is_field_value(b""));
        assert!(is_field_value(b" a\tb \xff"));
        for b in (0..0x20u8).filter(|&b| b != b'\t').chain([0x7f]) {
            assert!(!is_field_value(&[b'a', b]), "{b:#x}");
        }
    }

    #[test]
    fn list_members_match_whole_and_case_insensitively() {
        assert!(list_contains_token(b"close", "close"));
        assert!(list_contains_token(b" a ,\tCLOSE\t", "close"));
        assert!(!list_contains_token(b"closed, unclose", "close"));
        assert!(!list_contains_token(b"", "close"));
        assert!(list_contains_token(b"a,\r\n close", "close"));
        assert!(!list_contains_token(b"clo\r\n se", "close"));
    }
}
