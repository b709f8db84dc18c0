//! The pieces of URI grammar (RFC 3986) a request head is checked against: the scheme of an
//! absolute-form target, authorities, and the Host field.
//!
//! ```text
//! authority-form = uri-host ":" port                       RFC 9112 §3.2.3
//! Host           = uri-host [ ":" port ]                   RFC 9110 §7.2
//! uri-host       = IP-literal / IPv4address / reg-name     RFC 3986 §3.2.2
//! ```

use crate::chars::{alphanumeric_and, hex_value};

/// RFC 3986 §3.1: the target starts with `scheme ":"`, where
/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
pub(crate) fn has_scheme(target: &[u8]) -> bool {
    scheme_len(target).is_some()
}

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
    let host = host_len(target);
    host > 0 && matches!(&target[host..], [b':', port @ ..] if is_port(port))
}

/// RFC 9110 §7.2: `Host = uri-host [ ":" port ]`; the value may be empty (RFC 9112 §3.2: when
/// the target has no authority).
pub(crate) fn is_host(value: &[u8]) -> bool {
    // The common case, a name or an IPv4 address without a port, in one pass.
    if all_reg_name_bytes(value) {
        return true;
    }
    let host = host_len(value);
    match &value[host..] {
        [] => true,
        [b':', port @ ..] => is_port(port),
        _ => false,
    }
}

/// For an `http` or `https` absolute-form target: the authority has a host (RFC 9110 §4.2.1: an
/// empty host MUST be rejected) and no userinfo (§4.2.4: SHOULD be treated as an error, because
/// `http://trusted@evil/` fools people and filters). Other schemes are not checked.
pub(crate) fn is_http_authority_valid(target: &[u8]) -> bool {
    let Some(scheme) = scheme_len(target) else {
        return false;
    };
    let name = &target[..scheme];
    if !name.eq_ignore_ascii_case(b"http") && !name.eq_ignore_ascii_case(b"https") {
        return true;
    }
    // RFC 9110 §4.2.1: http-URI = "http" "://" authority path-abempty [ "?" query ].
    let Some(rest) = target[scheme + 1..].strip_prefix(b"//") else {
        return false;
    };
    let end = rest
        .iter()
        .position(|&b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    host_len(authority) > 0 && is_host(authority)
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

/// `unreserved / sub-delims` (RFC 3986 §2.3, §2.2): the bytes a reg-name takes as they are.
static HOST_BYTE: [bool; 256] = alphanumeric_and(b"-._~!$&'()*+,;=");

/// True when every byte is `unreserved / sub-delims`: four table lookups per branch.
#[inline]
fn all_reg_name_bytes(bytes: &[u8]) -> bool {
    let is = |b: u8| HOST_BYTE[usize::from(b)];
    let mut quads = bytes.chunks_exact(4);
    quads.all(|q| is(q[0]) & is(q[1]) & is(q[2]) & is(q[3]))
        && quads.remainder().iter().all(|&b| is(b))
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
        ] {
            assert!(is_host(good), "{}", good.escape_ascii());
        }
        for bad in [
            &b"a b"[..],
            b"a.example, b.example",
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
        assert!(is_http_authority_valid(b"http://a.example/x?y"));
        assert!(is_http_authority_valid(b"HTTPS://a.example:8443"));
        assert!(is_http_authority_valid(b"http://a.example?q"));
        assert!(is_http_authority_valid(b"urn:isbn:0451450523"));
        assert!(!is_http_authority_valid(b"http:///x"));
        assert!(!is_http_authority_valid(b"http://user:pass@a.example/"));
        assert!(!is_http_authority_valid(b"http:a.example/"));
        assert!(!is_http_authority_valid(b"http://a b/"));
    }
}
