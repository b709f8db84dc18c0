//! The HTML listing of a directory: every name escaped for HTML, every link percent-encoded.
//!
//! Links are relative (`./name`, `./dir/`), so a listing is right under any prefix; the `./`
//! keeps a name such as `a:b` from reading as a URI scheme (RFC 3986 §4.2). Entries are sorted
//! by name (byte order), directories marked with a trailing `/`. A name that is not UTF-8
//! could not be asked for (paths are decoded as UTF-8), so it is left out, as are the hidden
//! names (`path::is_hidden`).
//!
//! A listing is capped, not paginated: the first `limit` names in byte order are listed and a
//! last line says how many more there are. The directory is read whole to find them, but only
//! `limit` names are held at any time (a heap that drops the greatest), so neither the page
//! nor the work area grows with the directory: a folder of 20,000 entries costs no more
//! memory per request than one of `limit`.

use std::collections::BinaryHeap;
use std::fmt::Write;
use std::io;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::beneath::{Dir, Kind};
use super::path::is_hidden;

/// Bytes encoded in a link: all but RFC 3986 §2.3's unreserved characters. More than a
/// segment needs (sub-delims could stay), so no `#`, `?`, `&`, `'` or `;` ever reaches the
/// URI or the HTML attribute as itself.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One name in a listing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    pub name: String,
    pub is_dir: bool,
}

/// The first `limit` entries of `dir` by name, sorted, and how many more there are; a symbolic
/// link is listed as what it points to (a broken one as a file).
pub(crate) fn entries(dir: &Dir, limit: usize, dotfiles: bool) -> io::Result<(Vec<Entry>, usize)> {
    let mut kept: BinaryHeap<(String, Kind)> = BinaryHeap::with_capacity(limit.min(4096) + 1);
    let mut more = 0usize;
    dir.for_each_entry(|name, kind| {
        if is_hidden(name, dotfiles) {
            return;
        }
        if kept.len() == limit {
            more += 1;
            // Only a name that sorts before the greatest kept one takes its place.
            match kept.peek() {
                Some((greatest, _)) if name < greatest.as_str() => {
                    kept.pop();
                }
                _ => return,
            }
        }
        kept.push((name.to_owned(), kind));
    })?;
    let entries = kept
        .into_sorted_vec()
        .into_iter()
        .map(|(name, kind)| {
            let is_dir = match kind {
                Kind::Dir => true,
                Kind::NotDir => false,
                Kind::Unknown => dir.is_dir(&name),
            };
            Entry { name, is_dir }
        })
        .collect();
    Ok((entries, more))
}

/// The listing page for `entries`, titled with the decoded request path `shown`; a link to
/// the parent unless `at_root`, and a line saying how many `more` were left out.
pub(crate) fn html(shown: &str, entries: &[Entry], at_root: bool, more: usize) -> String {
    let title = escape(shown);
    let mut page = String::with_capacity(256 + entries.len() * 80);
    page.push_str("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(page, "<title>Index of {title}</title>\n</head>\n<body>");
    let _ = writeln!(page, "<h1>Index of {title}</h1>\n<ul>");
    if !at_root {
        page.push_str("<li><a href=\"../\">../</a></li>\n");
    }
    for entry in entries {
        let slash = if entry.is_dir { "/" } else { "" };
        let _ = writeln!(
            page,
            "<li><a href=\"./{href}{slash}\">{name}{slash}</a></li>",
            href = utf8_percent_encode(&entry.name, NOT_UNRESERVED),
            name = escape(&entry.name),
        );
    }
    page.push_str("</ul>\n");
    if more > 0 {
        let _ = writeln!(page, "<p>{more} more not listed.</p>");
    }
    page.push_str("</body>\n</html>\n");
    page
}

/// `text` with the five characters that mean something in HTML text and attribute values
/// replaced by character references (HTML Living Standard §13.1.4).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_links_encoded() {
        let entries = [
            Entry {
                name: "a <b> \"c\" & 'd' %e #f ?g é.txt".to_owned(),
                is_dir: false,
            },
            Entry {
                name: "sub:dir".to_owned(),
                is_dir: true,
            },
        ];
        let page = html("/x&y/", &entries, false, 0);
        assert!(page.contains("<title>Index of /x&amp;y/</title>"), "{page}");
        assert!(page.contains(
            "<li><a href=\"./a%20%3Cb%3E%20%22c%22%20%26%20%27d%27%20%25e%20%23f%20%3Fg%20%C3%A9.txt\">\
             a &lt;b&gt; &quot;c&quot; &amp; &#39;d&#39; %e #f ?g é.txt</a></li>"
        ), "{page}");
        assert!(
            page.contains("<li><a href=\"./sub%3Adir/\">sub:dir/</a></li>"),
            "{page}"
        );
        assert!(page.contains("<a href=\"../\">"));
        assert!(!html("/", &entries, true, 0).contains("../"));
        assert!(html("/", &entries, true, 7).contains("<p>7 more not listed.</p>"));
    }
}
