//! Byte classes as const tables, and the word-at-a-time scans for the long runs.
//!
//! The scans read eight bytes as one `u64` (SWAR, in safe code) and find the first byte that
//! leaves a class. Each test below flags, per byte, whether it is outside the class; a borrow
//! can only spill from a flagged byte into the bytes above it, so the lowest flag is exact.

/// The class of ASCII letters and digits plus the bytes of `extra`, as a table.
pub(crate) const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// `tchar`, RFC 9110 §5.6.2: the bytes of a token (method, field name, coding, extension).
pub(crate) static TCHAR: [bool; 256] = alphanumeric_and(b"!#$%&'*+-.^_`|~");

/// True for a `tchar` (RFC 9110 §5.6.2).
#[inline(always)]
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// A byte of a request-target as sent: `VCHAR` (RFC 9112 §3.2) except `#`, because a fragment
/// is never part of a target (RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ]).
#[inline(always)]
pub(crate) fn is_target_char(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && b != b'#'
}

/// `qdtext` / `quoted-pair` content, RFC 9110 §5.6.4: HTAB, SP, visible ASCII and obs-text.
#[inline(always)]
pub(crate) fn is_quoted_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// The value of a `HEXDIG` (RFC 5234 B.1, case-insensitive), or `None`.
#[inline(always)]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// Flags the bytes of `x` below `n` (`n <= 0x80`); bytes >= 0x80 are not flagged.
#[inline(always)]
const fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(splat(n)) & !x & HIGH
}

/// Flags the bytes of `x` equal to `b`.
#[inline(always)]
const fn equal(x: u64, b: u8) -> u64 {
    below(x ^ splat(b), 1)
}

#[inline(always)]
fn word_at(buf: &[u8], at: usize) -> Option<u64> {
    // The eight bytes as one range, one bound to check (a range that wraps is reversed, so
    // `None`) where `get(at..)` then eight more took two (bench input `browser`).
    let word = buf.get(at..at.wrapping_add(8))?;
    word.first_chunk::<8>().map(|w| u64::from_le_bytes(*w))
}

#[inline(always)]
fn first_flagged(at: usize, flags: u64) -> usize {
    at + (flags.trailing_zeros() / 8) as usize
}

/// Finds the first byte at or after `at` for which `outside` holds, or `buf.len()`.
///
/// Thirty-two bytes at a time: the test over a block has no early exit, so the compiler turns it
/// into vector compares (SSE2 on x86_64) in safe code; only a block holding a hit is searched,
/// a word at a time with `flags` (the same test as SWAR), to find the exact byte.
#[inline(always)]
fn skip_while_inside(
    buf: &[u8],
    mut at: usize,
    outside: impl Fn(u8) -> bool,
    flags: impl Fn(u64) -> u64,
) -> usize {
    // Input arriving in small pieces goes straight to the byte loop (bench input `trickle-1`).
    'wide: {
        // Most runs (field values, paths) are short: two words before committing to blocks.
        for _ in 0..2 {
            // Fewer than eight bytes left: neither blocks nor words would find any to read.
            let Some(x) = word_at(buf, at) else {
                break 'wide;
            };
            let found = flags(x);
            if found != 0 {
                return first_flagged(at, found);
            }
            at += 8;
        }
        while let Some(block) = buf.get(at..).and_then(|rest| rest.first_chunk::<32>()) {
            let mut hit = false;
            for &b in block {
                hit |= outside(b);
            }
            if hit {
                break;
            }
            at += 32;
        }
        while let Some(x) = word_at(buf, at) {
            let found = flags(x);
            if found != 0 {
                return first_flagged(at, found);
            }
            at += 8;
        }
    }
    while let Some(&b) = buf.get(at) {
        if outside(b) {
            return at;
        }
        at += 1;
    }
    at
}

/// The index of the first byte at or after `at` that cannot be in a request-target (see
/// [`is_target_char`]), or `buf.len()`.
#[inline]
pub(crate) fn skip_target_chars(buf: &[u8], at: usize) -> usize {
    skip_while_inside(
        buf,
        at,
        |b| !is_target_char(b),
        |x| below(x, 0x21) | (x & HIGH) | equal(x, 0x7f) | equal(x, b'#'),
    )
}

/// The index of the first control byte (HTAB included, obs-text excluded) at or after `at`: the
/// end of a run of plain field-value bytes, or `buf.len()`.
#[inline]
pub(crate) fn skip_field_text(buf: &[u8], at: usize) -> usize {
    skip_while_inside(
        buf,
        at,
        |b| b < 0x20 || b == 0x7f,
        |x| below(x, 0x20) | equal(x, 0x7f),
    )
}

/// RFC 9110 §5.5, RFC 9112 §4: the end of a run of field-value (or reason-phrase) text at or
/// after `at` (VCHAR, SP, HTAB, obs-text): the first other control byte (CR, LF, NUL...), or
/// `buf.len()`. The head's lines and `syntax::is_field_value` both use it.
#[inline(always)]
pub(crate) fn skip_field_value(buf: &[u8], mut at: usize) -> usize {
    loop {
        at = skip_field_text(buf, at);
        match buf.get(at) {
            // HTAB is the one control byte a value may hold.
            Some(b'\t') => at += 1,
            _ => return at,
        }
    }
}

/// The index of the first byte at or after `at` that is not a `tchar`, or `buf.len()`.
///
/// A fixed window of 16 needs no bounds check per byte and is unrolled, about half the
/// instructions of a checked loop (bench input `headers-40`).
#[inline(always)]
pub(crate) fn skip_tchars(buf: &[u8], mut at: usize) -> usize {
    while let Some(window) = buf.get(at..).and_then(|rest| rest.first_chunk::<16>()) {
        for (i, &b) in window.iter().enumerate() {
            if !is_tchar(b) {
                return at + i;
            }
        }
        at += 16;
    }
    while let Some(&b) = buf.get(at) {
        if !is_tchar(b) {
            return at;
        }
        at += 1;
    }
    at
}

/// OWS, RFC 9110 §5.6.3: `*( SP / HTAB )`.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// `trim_ows` for a member of a list in a field value that may hold an obs-fold the leniency
/// accepted: its CR and LF count as SP (RFC 9112 §5.2: a fold is replaced by SP before the
/// value is interpreted). A value holds CR or LF only inside such a fold.
#[inline]
pub(crate) fn trim_ows_and_folds(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_scans_agree_with_the_byte_classes_for_every_byte_at_every_lane() {
        for lane in 0..16 {
            for b in 0..=255u8 {
                let mut buf = [b'a'; 16];
                buf[lane] = b;
                let target_end = if is_target_char(b) { 16 } else { lane };
                assert_eq!(
                    skip_target_chars(&buf, 0),
                    target_end,
                    "target {b:#x} at {lane}"
                );
                let text_end = if b < 0x20 || b == 0x7f { lane } else { 16 };
                assert_eq!(skip_field_text(&buf, 0), text_end, "text {b:#x} at {lane}");
            }
        }
    }

    #[test]
    fn tchar_table_is_rfc_9110_token_set() {
        let tchars: usize = (0..=255u8).filter(|&b| is_tchar(b)).count();
        assert_eq!(tchars, 26 * 2 + 10 + 15);
        for b in b"()<>@,;:\\\"/[]?={} \t".iter() {
            assert!(!is_tchar(*b), "{}", *b as char);
        }
    }

    #[test]
    fn field_value_runs_hold_vchar_sp_htab_and_obs_text_only() {
        for b in 0..=255u8 {
            let allowed = b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80;
            let run = [b'a', b, b'a', b'\t', b'a'];
            let expected = if allowed { run.len() } else { 1 };
            assert_eq!(skip_field_value(&run, 0), expected, "{b:#x}");
        }
    }
}
