//! `Content-Type` by file extension (RFC 9110 §8.3), from the `mime_guess` table.

use std::borrow::Cow;
use std::path::Path;

/// The media type for an unknown extension: RFC 9110 §8.3 lets a sender that does not know it
/// say nothing, but `application/octet-stream` (RFC 2046 §4.5.1) keeps browsers from sniffing
/// a type (and running a script) out of the bytes.
pub const FALLBACK: &str = "application/octet-stream";

/// The `Content-Type` for the file at `path`, by its extension (case-insensitive). Text types
/// get `; charset=utf-8`: without a charset a browser guesses one (often windows-1252), and
/// the files a directory server meets today are UTF-8 text.
///
/// ```
/// use h1_server::files::content_type;
/// assert_eq!(content_type("a/index.HTML".as_ref()), "text/html; charset=utf-8");
/// assert_eq!(content_type("logo.png".as_ref()), "image/png");
/// assert_eq!(content_type("data.unknown-ext".as_ref()), "application/octet-stream");
/// ```
pub fn content_type(path: &Path) -> Cow<'static, str> {
    let Some(ext) = path.extension().and_then(|ext| ext.to_str()) else {
        return Cow::Borrowed(FALLBACK);
    };
    match mime_guess::from_ext(ext).first_raw() {
        Some(kind) if needs_charset(kind) => Cow::Owned(format!("{kind}; charset=utf-8")),
        Some(kind) => Cow::Borrowed(kind),
        None => Cow::Borrowed(FALLBACK),
    }
}

/// text/* takes a charset parameter (RFC 2046 §4.1.2), and so does JavaScript
/// (RFC 9239 §4.2); JSON is UTF-8 by definition and takes none (RFC 8259 §11).
fn needs_charset(kind: &str) -> bool {
    kind.starts_with("text/") || kind == "application/javascript"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_extension() {
        for (name, expected) in [
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "application/javascript; charset=utf-8"),
            ("a.json", "application/json"),
            ("a.svg", "image/svg+xml"),
            ("a.wasm", "application/wasm"),
            ("a.tar.gz", "application/gzip"),
            ("README", FALLBACK),
            (".hidden", FALLBACK),
            ("a.", FALLBACK),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }
}
