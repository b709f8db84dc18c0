//! `Range: bytes=…` (RFC 9110 §14): one range is served as 206, an unsatisfiable one is
//! answered 416, and everything else is ignored — the whole file with 200.
//!
//! Several ranges are ignored on purpose (RFC 9110 §14.2: "a server MAY ignore the Range
//! header field"): answering them needs a `multipart/byteranges` body (§14.6), and a list of
//! many small or overlapping ranges is a known way to make a server work hard for little
//! (§14.1.1 lets a server refuse those). A client that asked for several gets the whole file,
//! which it can always use.

/// An inclusive byte range of a representation, as in `Content-Range: bytes first-last/len`
/// (RFC 9110 §14.4). `first <= last < len` always holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ByteRange {
    /// The first byte's offset.
    pub first: u64,
    /// The last byte's offset (inclusive).
    pub last: u64,
}

impl ByteRange {
    /// The number of bytes in the range.
    ///
    /// ```
    /// use h1_server::files::ByteRange;
    /// assert_eq!(ByteRange { first: 0, last: 9 }.len(), 10);
    /// ```
    #[allow(clippy::len_without_is_empty)] // a range always holds at least one byte
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }
}

/// What a `Range` field asks of a representation of a given length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeAsk {
    /// No usable range: serve the whole representation (malformed, several ranges, another
    /// unit, or a suffix of an empty file).
    Whole,
    /// One satisfiable range, clamped to the length: 206.
    Part(ByteRange),
    /// One range that selects nothing: 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// Reads a `Range` value for a representation of `len` bytes.
pub(crate) fn ask(value: &[u8], len: u64) -> RangeAsk {
    let Ok(value) = std::str::from_utf8(value) else {
        return RangeAsk::Whole;
    };
    // RFC 9110 §14.1: ranges-specifier = range-unit "=" range-set; units are case-insensitive.
    let Some((unit, set)) = value.split_once('=') else {
        return RangeAsk::Whole;
    };
    if !unit.eq_ignore_ascii_case("bytes") {
        return RangeAsk::Whole;
    }
    // RFC 9110 §14.1.1: range-set = 1#range-spec; a comma means more than one (or an empty
    // list member, which is not worth telling apart).
    if set.contains(',') {
        return RangeAsk::Whole;
    }
    match spec(set.trim_matches([' ', '\t'])) {
        Some(spec) => satisfy(spec, len),
        None => RangeAsk::Whole,
    }
}

/// A range-spec as written, before the length is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spec {
    /// int-range = first-pos "-" [ last-pos ]
    From { first: u64, last: Option<u64> },
    /// suffix-range = "-" suffix-length
    Suffix(u64),
}

/// RFC 9110 §14.1.1: int-range / suffix-range (other-range belongs to other units).
fn spec(text: &str) -> Option<Spec> {
    let (first, last) = text.split_once('-')?;
    if first.is_empty() {
        return Some(Spec::Suffix(digits(last)?));
    }
    let first = digits(first)?;
    let last = if last.is_empty() {
        None
    } else {
        Some(digits(last)?)
    };
    // "An int-range is invalid if the last-pos value is present and less than the first-pos."
    if last.is_some_and(|last| last < first) {
        return None;
    }
    Some(Spec::From { first, last })
}

/// 1*DIGIT, saturating: a number past u64 is past any file's end, which is what it means.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// RFC 9110 §14.1.1: an int-range is satisfiable when first-pos < len, a suffix-range when its
/// length is non-zero; both are clamped to the representation.
fn satisfy(spec: Spec, len: u64) -> RangeAsk {
    match spec {
        Spec::From { first, last } => {
            if first >= len {
                return RangeAsk::Unsatisfiable;
            }
            let last = last.map_or(len - 1, |last| last.min(len - 1));
            RangeAsk::Part(ByteRange { first, last })
        }
        Spec::Suffix(0) => RangeAsk::Unsatisfiable,
        // A suffix of an empty file is "satisfiable" but selects no byte, and no Content-Range
        // can say so: the empty whole is the answer.
        Spec::Suffix(_) if len == 0 => RangeAsk::Whole,
        Spec::Suffix(n) => RangeAsk::Part(ByteRange {
            first: len - n.min(len),
            last: len - 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(first: u64, last: u64) -> RangeAsk {
        RangeAsk::Part(ByteRange { first, last })
    }

    #[test]
    fn ranges_as_a_table() {
        use RangeAsk::{Unsatisfiable as Unsat, Whole};
        let cases: &[(&str, u64, RangeAsk)] = &[
            ("bytes=0-9", 100, part(0, 9)),
            ("bytes=10-", 100, part(10, 99)),
            ("bytes=-10", 100, part(90, 99)),
            ("bytes=0-0", 100, part(0, 0)),
            ("bytes=99-99", 100, part(99, 99)),
            ("Bytes=1-2", 100, part(1, 2)),
            ("bytes= 1-2 ", 100, part(1, 2)),
            // clamped
            ("bytes=50-1000", 100, part(50, 99)),
            ("bytes=-1000", 100, part(0, 99)),
            ("bytes=0-99999999999999999999999", 100, part(0, 99)),
            // unsatisfiable
            ("bytes=100-", 100, Unsat),
            ("bytes=100-200", 100, Unsat),
            ("bytes=99999999999999999999999-", 100, Unsat),
            ("bytes=-0", 100, Unsat),
            ("bytes=0-", 0, Unsat),
            // ignored
            ("bytes=-5", 0, Whole),
            ("bytes=5-1", 100, Whole),
            ("bytes=0-1,5-6", 100, Whole),
            ("bytes=0-1,", 100, Whole),
            ("bytes=200-300,400-500", 100, Whole),
            ("bytes=", 100, Whole),
            ("bytes=-", 100, Whole),
            ("bytes=a-b", 100, Whole),
            ("bytes=+1-2", 100, Whole),
            ("bytes=1 - 2", 100, Whole),
            ("bytes 0-1", 100, Whole),
            ("items=0-1", 100, Whole),
            ("bytes=0x1-2", 100, Whole),
        ];
        for &(value, len, expected) in cases {
            assert_eq!(ask(value.as_bytes(), len), expected, "{value} of {len}");
        }
    }

    #[test]
    fn non_utf8_is_ignored() {
        assert_eq!(ask(b"bytes=0-1\xff", 10), RangeAsk::Whole);
    }
}
