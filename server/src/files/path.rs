//! From a request path to a file under the root, or a typed refusal: the one place that
//! decides whether a name may be looked up at all.
//!
//! The strategy: split the raw path on `/` first, then percent-decode each segment exactly
//! once, so that no decoded byte can ever act as a separator; refuse every segment that is not
//! one plain file name, and the hidden ones (dotfiles unless served, temporary upload names);
//! leave the opening to `beneath.rs`, which keeps it under the root.

use std::fmt;
use std::io;
use std::path::{Component, Path};

use percent_encoding::percent_decode_str;

/// How every temporary upload name starts (`upload.rs` makes them); requests for such names
/// are refused, with dotfiles served or not.
pub(crate) const TEMP_PREFIX: &str = ".h1-upload-";

/// Why a path was refused, each with its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// A `%` not followed by two hexadecimal digits (RFC 3986 §2.1). 400.
    MalformedEscape,
    /// A decoded segment that is not UTF-8, overlong forms (`%C0%AE`) and surrogates
    /// included: no file name on disk is matched byte for byte by two spellings. 400.
    NotUtf8,
    /// A byte a request-target cannot hold as itself: a space or a non-ASCII byte, not
    /// percent-encoded (RFC 3986 §2.1, RFC 9112 §3.2). 400.
    InvalidByte,
    /// A NUL or other control byte (C0 or DEL), raw or decoded. 400.
    ControlByte,
    /// A `/` inside a segment (`%2F`): it would join two names the client sent as one. 400.
    EncodedSlash,
    /// A `\`, raw or `%5C`: a separator on Windows, refused everywhere. 400.
    Backslash,
    /// A `.` or `..` segment, raw or percent-encoded (RFC 3986 §3.3): clients remove dot
    /// segments before sending (RFC 3986 §5.2.4), so one that arrives is a probe. 400.
    DotSegment,
    /// A segment the platform reads as more than one plain name (a drive `C:` on Windows, a
    /// root). 400.
    NotAName,
    /// The name resolves (through a symbolic link) to a place outside the root. 403.
    OutsideRoot,
    /// Nothing by that name, or not readable as asked (a file used as a directory). 404.
    NotFound,
    /// The file system refused to look (permissions). 403.
    PermissionDenied,
    /// The path is not under the prefix the directory is served at. 404.
    NotUnderPrefix,
    /// A `PUT` to a directory, or to a name ending in `/`. 409.
    IsDirectory,
    /// A `PUT` body larger than the upload limit. 413.
    TooLarge,
    /// A name starting with `.` while dotfiles are hidden (`.env`, `.git/config`), or an
    /// upload's temporary name: answered as if it were not there. 404.
    Hidden,
}

impl Refusal {
    /// The status to answer with.
    ///
    /// ```
    /// use h1_server::files::Refusal;
    /// assert_eq!(Refusal::DotSegment.status(), 400);
    /// assert_eq!(Refusal::OutsideRoot.status(), 403);
    /// assert_eq!(Refusal::NotFound.status(), 404);
    /// ```
    pub fn status(self) -> u16 {
        match self {
            Refusal::MalformedEscape
            | Refusal::NotUtf8
            | Refusal::InvalidByte
            | Refusal::ControlByte
            | Refusal::EncodedSlash
            | Refusal::Backslash
            | Refusal::DotSegment
            | Refusal::NotAName => 400,
            Refusal::OutsideRoot | Refusal::PermissionDenied => 403,
            Refusal::NotFound | Refusal::NotUnderPrefix | Refusal::Hidden => 404,
            Refusal::IsDirectory => 409,
            Refusal::TooLarge => 413,
        }
    }

    /// The refusal for an error from the file system: permissions give 403, everything else
    /// (no such name, a file used as a directory, a link loop, a name too long) 404.
    pub(crate) fn from_io(error: &io::Error) -> Refusal {
        match error.kind() {
            io::ErrorKind::PermissionDenied => Refusal::PermissionDenied,
            _ => Refusal::NotFound,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::MalformedEscape => "a % not followed by two hex digits (RFC 3986 §2.1)",
            Refusal::NotUtf8 => "a path segment that is not UTF-8 once decoded",
            Refusal::InvalidByte => "a space or non-ASCII byte in the path, not percent-encoded",
            Refusal::ControlByte => "a control byte in the path",
            Refusal::EncodedSlash => "an encoded / inside a path segment",
            Refusal::Backslash => "a backslash in the path",
            Refusal::DotSegment => "a . or .. path segment (RFC 3986 §3.3)",
            Refusal::NotAName => "a path segment that is not a plain file name",
            Refusal::OutsideRoot => "the name resolves outside the served directory",
            Refusal::NotFound | Refusal::Hidden => "no such file",
            Refusal::PermissionDenied => "permission denied",
            Refusal::NotUnderPrefix => "not under the served prefix",
            Refusal::IsDirectory => "a directory cannot be replaced by a file",
            Refusal::TooLarge => "the body is larger than the upload limit",
        })
    }
}

impl std::error::Error for Refusal {}

/// A request path checked and split: its decoded segments, and whether it ended in `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segments {
    /// Decoded, each one plain file name; empty segments (`//`) are dropped.
    pub names: Vec<String>,
    /// The raw path ended in `/`.
    pub trailing_slash: bool,
}

/// Splits `raw` (the path of an origin-form target, still percent-encoded, below the served
/// prefix) into plain names, or says why it cannot name a file.
pub(crate) fn segments(raw: &str) -> Result<Segments, Refusal> {
    // RFC 9112 §3.2: a request-target is visible ASCII; the parser holds requests to it, and a
    // caller's own string is held to it here (it may be echoed in a `Location`).
    if let Some(b) = raw.bytes().find(|b| !b.is_ascii_graphic()) {
        return Err(if b.is_ascii_control() {
            Refusal::ControlByte
        } else {
            Refusal::InvalidByte
        });
    }
    let mut names = Vec::new();
    for part in raw.split('/') {
        if part.is_empty() {
            continue;
        }
        names.push(decode_segment(part)?);
    }
    Ok(Segments {
        names,
        trailing_slash: raw.ends_with('/'),
    })
}

/// One segment, decoded once and checked to be one plain file name.
fn decode_segment(part: &str) -> Result<String, Refusal> {
    check_escapes(part)?;
    let bytes: Vec<u8> = percent_decode_str(part).collect();
    // Control bytes first: a NUL is refused as such even inside invalid UTF-8.
    if bytes.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(Refusal::ControlByte);
    }
    if bytes.contains(&b'/') {
        return Err(Refusal::EncodedSlash);
    }
    if bytes.contains(&b'\\') {
        return Err(Refusal::Backslash);
    }
    // Rust's UTF-8 check refuses overlong forms and surrogates (RFC 3629 §3).
    let name = String::from_utf8(bytes).map_err(|_| Refusal::NotUtf8)?;
    // RFC 3986 §3.3: "." and ".." are the dot segments.
    if name == "." || name == ".." {
        return Err(Refusal::DotSegment);
    }
    if !is_one_plain_name(&name) {
        return Err(Refusal::NotAName);
    }
    Ok(name)
}

/// RFC 3986 §2.1: pct-encoded = "%" HEXDIG HEXDIG. The decoder would pass a lone `%` on as
/// itself; it is refused instead, so that one name has one spelling.
fn check_escapes(part: &str) -> Result<(), Refusal> {
    let bytes = part.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        if b == b'%' {
            let digits = bytes.get(at + 1..at + 3).ok_or(Refusal::MalformedEscape)?;
            if !digits.iter().all(u8::is_ascii_hexdigit) {
                return Err(Refusal::MalformedEscape);
            }
        }
    }
    Ok(())
}

/// The platform's own reading of the name: exactly one normal component, equal to it (a
/// Windows drive prefix or a root would be another kind of component).
fn is_one_plain_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(only)), None) if only == name
    )
}

/// Whether a decoded name is kept from clients: a dotfile unless `dotfiles`, an upload's
/// temporary name always.
pub(crate) fn is_hidden(name: &str, dotfiles: bool) -> bool {
    name.starts_with(TEMP_PREFIX) || (!dotfiles && name.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str) -> Result<Vec<String>, Refusal> {
        segments(raw).map(|s| s.names)
    }

    #[test]
    fn decodes_each_segment_once() {
        assert_eq!(names("/a%20b/c").unwrap(), ["a b", "c"]);
        assert_eq!(names("/%252e%252e").unwrap(), ["%2e%2e"]);
        assert_eq!(names("/caf%C3%A9").unwrap(), ["café"]);
        assert_eq!(names("//a///b").unwrap(), ["a", "b"]);
    }

    #[test]
    fn trailing_slash_is_kept_apart() {
        assert!(segments("/a/").unwrap().trailing_slash);
        assert!(segments("/").unwrap().trailing_slash);
        assert!(!segments("").unwrap().trailing_slash);
        assert!(!segments("/a").unwrap().trailing_slash);
    }

    #[test]
    fn refuses_what_is_not_one_plain_name() {
        let cases = [
            ("/a b", Refusal::InvalidByte),
            ("/caf\u{e9}", Refusal::InvalidByte),
            ("/a\0", Refusal::ControlByte),
            ("/%", Refusal::MalformedEscape),
            ("/%4", Refusal::MalformedEscape),
            ("/%zz", Refusal::MalformedEscape),
            ("/%C0%AE", Refusal::NotUtf8),
            ("/%ED%A0%80", Refusal::NotUtf8),
            ("/a%00", Refusal::ControlByte),
            ("/a%0Ab", Refusal::ControlByte),
            ("/a%7F", Refusal::ControlByte),
            ("/a%2Fb", Refusal::EncodedSlash),
            ("/a\\b", Refusal::Backslash),
            ("/a%5cb", Refusal::Backslash),
            ("/.", Refusal::DotSegment),
            ("/%2e%2E", Refusal::DotSegment),
            ("/a/../b", Refusal::DotSegment),
        ];
        for (raw, refusal) in cases {
            assert_eq!(names(raw), Err(refusal), "{raw}");
        }
    }
}
