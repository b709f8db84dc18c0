//! The pieces of URI grammar (RFC 3986) a request head is checked against: the scheme of an
//! absolute-form target, authorities, and the Host field.
//!
//! ```text
//! authority-form = uri-host ":" port                       RFC 9112 §3.2.3
//! Host           = uri-host [ ":" port ]                   RFC 9110 §7.2
//! uri-host       = IP-literal / IPv4address / reg-name     RFC 3986 §3.2.2
//! ```

use crate::chars::{alphanumeric_and, hex_value};
use crate::error::Error;

/// An absolute-form target (RFC 9112 §3.2.2): `None` when it does not start with
/// `scheme ":"` (RFC 3986 §3.1), else whether it is acceptable. An `http` or `https` one needs
/// `"//" authority` with a host (RFC 9110 §4.2.1: an empty host MUST be rejected) and no
/// userinfo (§4.2.4: SHOULD be treated as an error, because `http://trusted@evil/` fools people
/// and filters); other schemes are not checked further.
pub(crate) fn absolute_target(target: &[u8]) -> Option<bool> {
    let scheme = scheme_len(target)?;
    let name = &target[..scheme];
    if !name.eq_ignore_ascii_case(b"http") && !name.eq_ignore_ascii_case(b"https") {
        return Some(true);
    }
    // RFC 9110 §4.2.1: http-URI = "http" "://" authority path-abempty [ "?" query ].
    let Some(rest) = target[scheme + 1..].strip_prefix(b"//") else {
        return Some(false);
    };
    let end = rest
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    Some(matches!(host_and_port(&rest[..end]), Some((host, _)) if host > 0))
}

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` followed by `:`: its length.
fn scheme_len(target: &[u8]) -> Option<usize> {
    let colon = target.iter().position(|&b| b == b':')?;
    match &target[..colon] {
        [first, rest @ ..]
            if first.is_ascii_alphabetic()
                && rest
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            Some(colon)
        }
        _ => None,
    }
}

/// RFC 9112 §3.2.3: `authority-form = uri-host ":" port`, with a host (no userinfo, no path).
pub(crate) fn is_authority(target: &[u8]) -> bool {
    matches!(host_and_port(target), Some((host, true)) if host > 0)
}

/// A Host field's value, for the reader and the writer: `uri-host [ ":" port ]` (RFC 9110
/// §7.2) and, unless `allow_empty`, not empty.
#[inline]
pub(crate) fn check_host(value: &[u8], allow_empty: bool) -> Result<(), Error> {
    match value {
        // RFC 9110 §4.2.1: an http URI with an empty host is invalid; RFC 9112 §3.3 lets a
        // server reject a request whose authority is empty (RFC 9112 §3.2 has a client send
        // one).
        [] if !allow_empty => Err(Error::EmptyHost),
        // RFC 9112 §3.2: a Host field with an invalid field value is a 400 too.
        _ if !is_host(value) => Err(Error::InvalidHost),
        _ => Ok(()),
    }
}

/// RFC 9110 §7.2: `Host = uri-host [ ":" port ]`; the value may be empty (RFC 9112 §3.2: when
/// the target has no authority).
fn is_host(value: &[u8]) -> bool {
    // The common cases, a name or an IPv4 address, in one unrolled pass that stops at the
    // first other byte: none, or a colon and a port after it; `host_and_port` decides the
    // rest.
    match first_non_reg_name_byte(value) {
        None => true,
        Some(colon) if value[colon] == b':' && is_port(&value[colon + 1..]) => true,
        Some(_) => host_and_port(value).is_some(),
    }
}

/// `uri-host [ ":" port ]` as the whole of `bytes`: the host's length, and whether a port
/// (`":" *DIGIT`) follows it.
fn host_and_port(bytes: &[u8]) -> Option<(usize, bool)> {
    let host = host_len(bytes);
    match &bytes[host..] {
        [] => Some((host, false)),
        [b':', port @ ..] if is_port(port) => Some((host, true)),
        _ => None,
    }
}

/// The length of the `uri-host` at the start of `bytes` (0 when there is none).
#[inline]
fn host_len(bytes: &[u8]) -> usize {
    if bytes.first() == Some(&b'[') {
        // IP-literal = "[" ( IPv6address / IPvFuture ) "]": their bytes, not their structure.
        let inside = bytes[1..]
            .iter()
            .take_while(|&&b| HOST_BYTE[usize::from(b)] || b == b':')
            .count();
        return match bytes.get(1 + inside) {
            Some(b']') if inside > 0 => inside + 2,
            _ => 0,
        };
    }
    // reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4address is one of them.
    let mut at = 0;
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        at += rest
            .iter()
            .position(|&b| !HOST_BYTE[usize::from(b)])
            .unwrap_or(rest.len());
        if bytes.get(at) == Some(&b'%') && is_pct_digits(bytes.get(at + 1..at + 3)) {
            at += 3;
        } else {
            return at;
        }
    }
}

/// `unreserved / sub-delims` (RFC 3986 §2.3, §2.2): the bytes a reg-name takes as they are,
/// except the comma. A comma is valid in a reg-name, but no DNS name has one, and in a Host
/// value it is exactly what two Host lines look like once combined into a list (RFC 9110
/// §5.3), which a proxy splitting on commas reads as two hosts: a duplicate Host in disguise
/// (RFC 9112 §3.2). Go's net/http and nginx accept it; this parser does not. `;` and the
/// other sub-delims have no list meaning in Host and stay accepted, as there.
static HOST_BYTE: [bool; 256] = alphanumeric_and(b"-._~!$&'()*+;=");

/// The index of the first byte that is not `unreserved / sub-delims`, if any: eight table
/// lookups per branch, then the one that failed searched (bench inputs `short`, `browser`: a
/// dozen bytes or so).
#[inline]
fn first_non_reg_name_byte(bytes: &[u8]) -> Option<usize> {
    let is = |b: &u8| HOST_BYTE[usize::from(*b)];
    let all = |run: &[u8]| run.iter().fold(true, |all, b| all & is(b));
    let mut eights = bytes.chunks_exact(8);
    let run = match eights.position(|eight| !all(eight)) {
        Some(eight) => eight * 8,
        None if all(eights.remainder()) => return None,
        None => bytes.len() - bytes.len() % 8,
    };
    let within = bytes[run..].iter().position(|b| !is(b))?;
    Some(run + within)
}

/// RFC 3986 §3.2.3: `port = *DIGIT`.
fn is_port(port: &[u8]) -> bool {
    port.iter().all(u8::is_ascii_digit)
}

fn is_pct_digits(digits: Option<&[u8]>) -> bool {
    matches!(digits, Some(&[a, b]) if hex_value(a).is_some() && hex_value(b).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_values_follow_uri_host_and_port() {
        for good in [
            &b""[..],
            b"a.example",
            b"a.example:8080",
            b"127.0.0.1:80",
            b"[::1]",
            b"[::1]:443",
            b"xn--bcher-kva.example",
            b"a%41b",
            b"a.example:",
            b"a;b",
            b"a!$&'()*+;=b",
        ] {
            assert!(is_host(good), "{}", good.escape_ascii());
        }
        for bad in [
            &b"a b"[..],
            b"a.example, b.example",
            b"good.example,evil.example",
            b"a,",
            b"a/b",
            b"user@a",
            b"a:80x",
            b"a:80:90",
            b"[::1",
            b"[]",
            b"a%4",
            b"a%zz",
            b"\"a\"",
        ] {
            assert!(!is_host(bad), "{}", bad.escape_ascii());
        }
    }

    #[test]
    fn authority_form_needs_host_and_port_separator() {
        assert!(is_authority(b"a.example:443"));
        assert!(is_authority(b"[::1]:443"));
        assert!(!is_authority(b"a.example"));
        assert!(!is_authority(b":443"));
        assert!(!is_authority(b"u@a.example:443"));
        assert!(!is_authority(b"a.example:443/x"));
    }

    #[test]
    fn http_uris_need_a_host_and_no_userinfo() {
        assert_eq!(absolute_target(b"http://a.example/x?y"), Some(true));
        assert_eq!(absolute_target(b"HTTPS://a.example:8443"), Some(true));
        assert_eq!(absolute_target(b"http://a.example?q"), Some(true));
        assert_eq!(absolute_target(b"urn:isbn:0451450523"), Some(true));
        assert_eq!(absolute_target(b"http:///x"), Some(false));
        assert_eq!(absolute_target(b"http://user:pass@a.example/"), Some(false));
        assert_eq!(absolute_target(b"http:a.example/"), Some(false));
        assert_eq!(absolute_target(b"http://a b/"), Some(false));
        assert_eq!(absolute_target(b"127.0.0.1:80"), None);
        assert_eq!(absolute_target(b"/a:b"), None);
    }
}
