//! The fields a head is acted on by, looked at once as each field line completes: Host (RFC
//! 9112 §3.2), the framing fields (see [`crate::framing`]) and the connection options
//! (Connection, Expect, Upgrade). The rest of the fields pass by with one length comparison.

use crate::chars::trim_ows_and_folds;
use crate::error::Error;
use crate::framing::FramingFields;
use crate::message::{ConnectionOptions, Framing};
use crate::syntax::{list_contains_token, list_has_member};
use crate::uri::check_host;

impl ConnectionOptions {
    /// The members of one Connection field, in one pass (RFC 9110 §5.6.1 lists, OWS trimmed,
    /// options compared case-insensitively).
    #[inline]
    fn connection(&mut self, value: &[u8]) {
        // The usual value is one option (the value is trimmed already): no list to split.
        if self.option(value) {
            return;
        }
        // RFC 9112 §5.2: a fold between members reads as SP.
        for member in value.split(|&b| b == b',') {
            self.option(trim_ows_and_folds(member));
        }
    }

    /// Records `option` if it is one of the three; true if it was.
    #[inline(always)]
    fn option(&mut self, option: &[u8]) -> bool {
        let (flag, name): (&mut bool, &[u8]) = match option.len() {
            5 => (&mut self.close, b"close"),
            7 => (&mut self.upgrade_option, b"upgrade"),
            10 => (&mut self.keep_alive, b"keep-alive"),
            _ => return false,
        };
        let matched = is_token_named(option, name);
        *flag |= matched;
        matched
    }
}

/// The known fields seen so far in a head.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KnownFields {
    framing: FramingFields,
    hosts: u32,
    pub(crate) options: ConnectionOptions,
    /// The head is a response's: Host means nothing there (RFC 9112 §3.2 is a request rule).
    response: bool,
}

/// Lowercase names, matched by length first so that most fields cost one comparison.
const HOST: &[u8] = b"host";
const EXPECT: &[u8] = b"expect";
const UPGRADE: &[u8] = b"upgrade";
const CONNECTION: &[u8] = b"connection";
const CONTENT_LENGTH: &[u8] = b"content-length";
const TRANSFER_ENCODING: &[u8] = b"transfer-encoding";

/// Case-insensitive equality of a field name with a lowercase name of letters and `-`. Setting
/// bit 5 lowercases a letter; the only other byte it maps onto a letter or `-` is the other
/// case of that letter, or CR for `-`, and CR is never in a token.
#[inline(always)]
fn is_token_named(name: &[u8], lowercase: &[u8]) -> bool {
    // No early exit: the compiler unrolls the fold into a few word-wide operations.
    let differ = name
        .iter()
        .zip(lowercase)
        .fold(0, |differ, (&b, &l)| differ | ((b | 0x20) ^ l));
    name.len() == lowercase.len() && differ == 0
}

impl KnownFields {
    /// The empty state for a response head: the Host rules do not apply.
    pub(crate) fn for_response() -> KnownFields {
        KnownFields {
            response: true,
            ..KnownFields::default()
        }
    }

    /// Whether a field name of this length and first byte can be one `observe` looks at: the
    /// hot path skips the others without a call (a browser head's Accept, Cookie, User-Agent,
    /// Keep-Alive and Accept-Charset share a length with a known name, not its first letter).
    ///
    /// One table load: the first letter (lowercase) of the known name of each length, indexed
    /// by the length modulo 32 (a longer name that lands on a known one only takes the slower
    /// path, where `observe` compares whole lengths). Bench input `headers-40`.
    #[inline(always)]
    pub(crate) fn may_be_known(name_len: u32, first: u8) -> bool {
        // Keep in step with the arms of `observe`; bit 5 lowercases a letter, and with it set
        // no byte matches the 0 of the lengths no known name has.
        const FIRST_BY_LEN: [u8; 32] = {
            let mut table = [0; 32];
            table[4] = b'h';
            table[6] = b'e';
            table[7] = b'u';
            table[10] = b'c';
            table[14] = b'c';
            table[17] = b't';
            table
        };
        FIRST_BY_LEN[(name_len % 32) as usize] == first | 0x20
    }

    /// Takes one complete field of a head (`http10`: the message is HTTP/1.0; the limit and the
    /// leniency are the config's).
    #[inline(always)]
    pub(crate) fn observe(
        &mut self,
        name: &[u8],
        value: &[u8],
        http10: bool,
        max_body: u64,
        allow_empty_host: bool,
    ) -> Result<(), Error> {
        match name.len() {
            4 if !self.response && is_token_named(name, HOST) => {
                // RFC 9112 §3.2: a request with more than one Host field is invalid.
                if self.hosts > 0 {
                    return Err(Error::DuplicateHost);
                }
                check_host(value, allow_empty_host)?;
                self.hosts += 1;
            }
            // RFC 9110 §10.1.1: Expect = #expectation; only 100-continue is defined.
            6 if is_token_named(name, EXPECT) => {
                self.options.expect_continue |= list_contains_token(value, "100-continue");
            }
            // RFC 9110 §7.8: Upgrade = #protocol; an empty list offers or names none.
            7 if is_token_named(name, UPGRADE) => {
                self.options.upgrade_field |= list_has_member(value);
            }
            // RFC 9110 §7.6.1: Connection = #connection-option.
            10 if is_token_named(name, CONNECTION) => self.options.connection(value),
            14 if is_token_named(name, CONTENT_LENGTH) => {
                // A request's body is refused at its head (a server answers 413 before reading
                // it). A response's Content-Length may describe no body at all (RFC 9112 §6.3
                // items 1 and 2: HEAD, 204, 304, CONNECT), so its limit is the body decoder's.
                let limit = if self.response { u64::MAX } else { max_body };
                self.framing.content_length(value, limit)?;
            }
            17 if is_token_named(name, TRANSFER_ENCODING) => {
                self.framing.transfer_encoding(value, http10)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The framing once the head is complete (`http11`: the request is HTTP/1.1).
    pub(crate) fn finish(&self, http11: bool) -> Result<Framing, Error> {
        // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.
        if http11 && self.hosts == 0 {
            return Err(Error::MissingHost);
        }
        self.framing.finish()
    }

    /// The framing a complete response head's own fields say, before its status and the
    /// request's method are considered (see `crate::framing::response_framing`).
    pub(crate) fn finish_response(&self) -> Framing {
        self.framing.finish_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chars::is_tchar;

    #[test]
    fn known_names_match_exactly_their_tokens_in_any_case() {
        for name in [
            &b"Content-Length"[..],
            b"CONTENT-LENGTH",
            b"content-length",
            b"cOnTeNt-LeNgTh",
        ] {
            assert!(is_token_named(name, CONTENT_LENGTH));
        }
        // Every other token byte in every position: no false match.
        let tchars = (0..=255u8).filter(|&b| is_tchar(b));
        for b in tchars {
            for at in 0..HOST.len() {
                let mut name = *b"Host";
                name[at] = b;
                let same = b.eq_ignore_ascii_case(&HOST[at]);
                assert_eq!(is_token_named(&name, HOST), same, "{}", name.escape_ascii());
            }
            let mut name = *b"Content-Length";
            name[7] = b;
            assert_eq!(is_token_named(&name, CONTENT_LENGTH), b == b'-');
        }
        assert!(!is_token_named(b"Hos", HOST));
    }

    #[test]
    fn every_known_name_passes_the_length_prefilter() {
        for name in [
            HOST,
            EXPECT,
            UPGRADE,
            CONNECTION,
            CONTENT_LENGTH,
            TRANSFER_ENCODING,
        ] {
            let upper = name[0].to_ascii_uppercase();
            assert!(KnownFields::may_be_known(name.len() as u32, name[0]));
            assert!(KnownFields::may_be_known(name.len() as u32, upper));
        }
    }

    #[test]
    fn connection_options_are_list_members_in_any_case() {
        let mut known = KnownFields::default();
        known
            .observe(b"Connection", b"Keep-Alive, UPGRADE", false, 0, false)
            .unwrap();
        known
            .observe(b"expect", b"100-Continue", false, 0, false)
            .unwrap();
        known
            .observe(b"Upgrade", b"websocket", false, 0, false)
            .unwrap();
        let options = known.options;
        assert!(options.keep_alive && options.upgrade_option && options.upgrade_field);
        assert!(options.expect_continue && !options.close);
        let mut known = KnownFields::default();
        known
            .observe(b"Connection", b"closed, keep-alive-x", false, 0, false)
            .unwrap();
        assert_eq!(known.options, ConnectionOptions::default());
    }
}
