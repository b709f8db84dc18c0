//! Validators and conditional requests (RFC 9110 §8.8, §13): the `ETag` and `Last-Modified`
//! of a file, and whether the request's preconditions let it through, turn it into a 304,
//! or fail it with 412.
//!
//! The `ETag` is strong (RFC 9110 §8.8.3), made of the file's length and its modification time
//! to the nanosecond: a change of content that keeps both is as invisible to it as to
//! `Last-Modified`, the usual bargain of file servers, and a strong tag is what lets a client
//! resume a download with `If-Range` (§13.1.5 allows only strong comparison there).

use std::fs::Metadata;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A file's validators, as sent in `ETag` and `Last-Modified`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Validators {
    /// The strong entity tag, quotes included, e.g. `"1f-6570e1a8-1dcd6500"`.
    pub etag: String,
    /// The modification time truncated to whole seconds (what an HTTP-date can say) and never
    /// later than the time the answer was planned (RFC 9110 §8.8.2.1).
    pub last_modified: SystemTime,
    /// Whether `last_modified` is a strong validator: at least one second before the answer
    /// (RFC 9110 §8.8.2.2), so that two changes within that second cannot share it.
    strong_date: bool,
}

impl Validators {
    /// The validators of a file with this metadata, planned at `now`.
    pub(crate) fn of(metadata: &Metadata, now: SystemTime) -> Validators {
        let modified = metadata.modified().unwrap_or(UNIX_EPOCH);
        let since_epoch = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
        let etag = format!(
            "\"{:x}-{:x}-{:x}\"",
            metadata.len(),
            since_epoch.as_secs(),
            since_epoch.subsec_nanos()
        );
        // RFC 9110 §8.8.2.1: a modification time in the future is replaced by the present.
        let modified = modified.min(now);
        let seconds = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
        let last_modified = UNIX_EPOCH + Duration::from_secs(seconds.as_secs());
        let strong_date = modified + Duration::from_secs(1) <= now;
        Validators {
            etag,
            last_modified,
            strong_date,
        }
    }

    /// `Last-Modified` as an IMF-fixdate (RFC 9110 §5.6.7).
    pub fn last_modified_http(&self) -> String {
        httpdate::fmt_http_date(self.last_modified)
    }
}

/// What the preconditions say (RFC 9110 §13.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// Go on with the request (and then look at `Range`).
    Proceed,
    /// 304 Not Modified: the client's copy is current (GET and HEAD only).
    NotModified,
    /// 412 Precondition Failed.
    Failed,
}

/// Evaluates the preconditions in the order of RFC 9110 §13.2.2, for a representation with
/// `current` validators (`None` when there is none yet, as for a `PUT` creating a file).
/// `safe` is true for GET and HEAD, whose failed `If-None-Match` is a 304 rather than a 412.
pub(crate) fn evaluate<'h>(
    header: impl Fn(&str) -> Option<&'h [u8]>,
    current: Option<&Validators>,
    safe: bool,
) -> Precondition {
    // Step 1, §13.1.1: If-Match, strong comparison; `*` asks that a representation exist.
    if let Some(value) = header("if-match") {
        if !matches_list(value, current, Compare::Strong) {
            return Precondition::Failed;
        }
    } else if let (Some(value), Some(current)) = (header("if-unmodified-since"), current) {
        // Step 2, §13.1.4: only without If-Match; an invalid date is ignored.
        if date(value).is_some_and(|date| current.last_modified > date) {
            return Precondition::Failed;
        }
    }
    // Step 3, §13.1.2: If-None-Match, weak comparison.
    if let Some(value) = header("if-none-match") {
        if matches_list(value, current, Compare::Weak) {
            return if safe {
                Precondition::NotModified
            } else {
                Precondition::Failed
            };
        }
    } else if let (true, Some(value), Some(current)) = (safe, header("if-modified-since"), current)
    {
        // Step 4, §13.1.3: only without If-None-Match, only for GET and HEAD; a modification
        // at or before the client's date means its copy is current.
        if date(value).is_some_and(|date| current.last_modified <= date) {
            return Precondition::NotModified;
        }
    }
    Precondition::Proceed
}

/// RFC 9110 §13.1.5: whether an `If-Range` value still names the current representation, so
/// that the `Range` applies (else the whole representation is sent). An entity-tag is compared
/// strongly; a date must equal `Last-Modified` exactly and that date must be strong.
pub(crate) fn if_range_holds(value: &[u8], current: &Validators) -> bool {
    let value = value.trim_ascii();
    if value.starts_with(b"\"") || value.starts_with(b"W/") {
        return match entity_tags(value).next() {
            Some(Some(tag)) => compare(tag, current.etag.as_bytes(), Compare::Strong),
            _ => false,
        };
    }
    current.strong_date && date(value) == Some(current.last_modified)
}

/// An HTTP-date in any of the three forms a recipient must accept (RFC 9110 §5.6.7).
fn date(value: &[u8]) -> Option<SystemTime> {
    let text = std::str::from_utf8(value).ok()?;
    httpdate::parse_http_date(text.trim()).ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compare {
    /// §8.8.3.2: both tags strong and their opaque parts equal.
    Strong,
    /// §8.8.3.2: the opaque parts equal, either tag weak or not.
    Weak,
}

/// `"*" / #entity-tag` against the current tag. `*` matches when a representation exists; a
/// malformed member ends the list without matching (nothing after it can be trusted).
fn matches_list(value: &[u8], current: Option<&Validators>, how: Compare) -> bool {
    let Some(current) = current else {
        return false;
    };
    if value.trim_ascii() == b"*" {
        return true;
    }
    entity_tags(value)
        .map_while(|tag| tag)
        .any(|tag| compare(tag, current.etag.as_bytes(), how))
}

fn compare(tag: &[u8], ours: &[u8], how: Compare) -> bool {
    let (theirs_weak, theirs) = strip_weak(tag);
    let (ours_weak, ours) = strip_weak(ours);
    match how {
        Compare::Strong => !theirs_weak && !ours_weak && theirs == ours,
        Compare::Weak => theirs == ours,
    }
}

fn strip_weak(tag: &[u8]) -> (bool, &[u8]) {
    match tag.strip_prefix(b"W/") {
        Some(opaque) => (true, opaque),
        None => (false, tag),
    }
}

/// The members of `#entity-tag` (RFC 9110 §5.6.1, §8.8.3): each `Some(tag)` (with its `W/`
/// and quotes), or one `None` for a member that is not an entity-tag.
fn entity_tags(value: &[u8]) -> impl Iterator<Item = Option<&[u8]>> {
    let mut rest = value;
    std::iter::from_fn(move || {
        // Empty list members and OWS around them are allowed (RFC 9110 §5.6.1).
        let start = rest
            .iter()
            .position(|&b| !matches!(b, b',' | b' ' | b'\t'))?;
        rest = &rest[start..];
        let opaque_at = if rest.starts_with(b"W/") { 2 } else { 0 };
        // opaque-tag = DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text.
        let tag = (rest.get(opaque_at) == Some(&b'"'))
            .then(|| {
                let body = &rest[opaque_at + 1..];
                let end = body.iter().position(|&b| b == b'"')?;
                let etagc = body[..end]
                    .iter()
                    .all(|&b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80);
                etagc.then_some(opaque_at + 1 + end + 1)
            })
            .flatten();
        match tag {
            Some(len) => {
                let (tag, after) = rest.split_at(len);
                rest = after;
                Some(Some(tag))
            }
            None => {
                rest = &[];
                Some(None)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validators(etag: &str, secs: u64, strong_date: bool) -> Validators {
        Validators {
            etag: etag.to_owned(),
            last_modified: UNIX_EPOCH + Duration::from_secs(secs),
            strong_date,
        }
    }

    fn run(headers: &[(&str, &str)], current: Option<&Validators>, safe: bool) -> Precondition {
        let lookup = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_bytes())
        };
        evaluate(lookup, current, safe)
    }

    // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
    const LM: u64 = 784_111_777;
    const AT_LM: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const BEFORE_LM: &str = "Sun, 06 Nov 1994 08:49:36 GMT";

    #[test]
    fn preconditions_as_a_table() {
        use Precondition::{Failed, NotModified as Nm, Proceed};
        let v = validators("\"abc\"", LM, true);
        type Case = (&'static [(&'static str, &'static str)], bool, Precondition);
        let cases: &[Case] = &[
            (&[], true, Proceed),
            (&[("If-None-Match", "\"abc\"")], true, Nm),
            (&[("If-None-Match", "W/\"abc\"")], true, Nm),
            (&[("If-None-Match", "\"x\", \"abc\"")], true, Nm),
            (&[("If-None-Match", " ,\"x\" ,, W/\"abc\" ")], true, Nm),
            (&[("If-None-Match", "*")], true, Nm),
            (&[("If-None-Match", "\"x\"")], true, Proceed),
            (&[("If-None-Match", "abc")], true, Proceed),
            (&[("If-None-Match", "bad, \"abc\"")], true, Proceed),
            (&[("If-None-Match", "\"abc\"")], false, Failed),
            (&[("If-Modified-Since", AT_LM)], true, Nm),
            (&[("If-Modified-Since", BEFORE_LM)], true, Proceed),
            (
                &[("If-Modified-Since", "Sunday, 06-Nov-94 08:49:37 GMT")],
                true,
                Nm,
            ),
            (
                &[("If-Modified-Since", "Sun Nov  6 08:49:37 1994")],
                true,
                Nm,
            ),
            (&[("If-Modified-Since", "yesterday")], true, Proceed),
            (&[("If-Modified-Since", AT_LM)], false, Proceed),
            // §13.2.2: If-None-Match wins over If-Modified-Since, either way.
            (
                &[("If-None-Match", "\"x\""), ("If-Modified-Since", AT_LM)],
                true,
                Proceed,
            ),
            (
                &[
                    ("If-None-Match", "\"abc\""),
                    ("If-Modified-Since", BEFORE_LM),
                ],
                true,
                Nm,
            ),
            (&[("If-Match", "\"abc\"")], true, Proceed),
            (&[("If-Match", "*")], true, Proceed),
            (&[("If-Match", "W/\"abc\"")], true, Failed),
            (&[("If-Match", "\"x\"")], true, Failed),
            (&[("If-Unmodified-Since", BEFORE_LM)], true, Failed),
            (&[("If-Unmodified-Since", AT_LM)], true, Proceed),
            (
                &[("If-Match", "\"abc\""), ("If-Unmodified-Since", BEFORE_LM)],
                true,
                Proceed,
            ),
        ];
        for &(headers, safe, expected) in cases {
            assert_eq!(run(headers, Some(&v), safe), expected, "{headers:?} {safe}");
        }
    }

    #[test]
    fn without_a_representation_star_matches_nothing() {
        assert_eq!(
            run(&[("If-None-Match", "*")], None, false),
            Precondition::Proceed
        );
        assert_eq!(run(&[("If-Match", "*")], None, false), Precondition::Failed);
    }

    #[test]
    fn weak_current_tag_never_matches_strongly() {
        let v = validators("W/\"abc\"", LM, true);
        assert_eq!(
            run(&[("If-Match", "\"abc\"")], Some(&v), true),
            Precondition::Failed
        );
        assert_eq!(
            run(&[("If-None-Match", "\"abc\"")], Some(&v), true),
            Precondition::NotModified
        );
    }

    #[test]
    fn if_range_needs_a_strong_match() {
        let v = validators("\"abc\"", LM, true);
        assert!(if_range_holds(b"\"abc\"", &v));
        assert!(!if_range_holds(b"W/\"abc\"", &v));
        assert!(!if_range_holds(b"\"abd\"", &v));
        assert!(if_range_holds(AT_LM.as_bytes(), &v));
        assert!(!if_range_holds(BEFORE_LM.as_bytes(), &v));
        assert!(!if_range_holds(b"not a date", &v));
        let weak_date = validators("\"abc\"", LM, false);
        assert!(!if_range_holds(AT_LM.as_bytes(), &weak_date));
    }

    #[test]
    fn future_modification_is_clamped_to_now() {
        let path = std::env::temp_dir().join(format!("h1-files-future-{}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        let now = SystemTime::now();
        file.set_modified(now + Duration::from_secs(3600)).unwrap();
        let v = Validators::of(&file.metadata().unwrap(), now);
        std::fs::remove_file(&path).unwrap();
        assert!(v.last_modified <= now);
        assert!(!v.strong_date);
        assert!(v.etag.starts_with("\"0-"), "{}", v.etag);
    }
}
