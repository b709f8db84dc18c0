//! The header fields of a head (or the trailer fields of a chunked body) as the caller sees
//! them: slices of its buffer, built on access from the parser's table of offsets.

use crate::chars::trim_ows;
use crate::span::RawHeader;
use crate::syntax::list_contains_token;

/// The fields [`Headers::end_to_end`] leaves out by name: `Connection` and the hop-by-hop fields
/// of RFC 9110 §7.6.1, and `Content-Length`, which with `Transfer-Encoding` frames the body on
/// this hop only (RFC 9112 §6).
const NOT_END_TO_END: [&str; 7] = [
    "connection",
    "proxy-connection",
    "keep-alive",
    "te",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// The header fields of a head (or the trailer fields of a chunked body), in order.
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) raw: &'a [RawHeader],
}

impl<'a> Headers<'a> {
    /// The number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// True when there are no fields.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The field at `index`, in the order received.
    #[inline]
    pub fn nth(&self, index: usize) -> Option<Header<'a>> {
        self.raw
            .get(index)
            .map(|raw| Header::from_raw(self.buf, raw))
    }

    /// The fields in the order received.
    #[inline]
    pub fn iter(&self) -> HeaderIter<'a> {
        HeaderIter {
            buf: self.buf,
            raw: self.raw.iter(),
        }
    }

    /// The value of the first field named `name`, compared case-insensitively (RFC 9110 §5.1).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name`, compared case-insensitively, in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        let buf = self.buf;
        self.raw.iter().filter_map(move |raw| {
            let field = raw.name.of(buf);
            field
                .eq_ignore_ascii_case(name.as_bytes())
                .then(|| raw.value.of(buf))
        })
    }

    /// The end-to-end fields, in order: what a proxy forwards (RFC 9110 §7.6.1). Left out are
    /// `Connection` and every field its options name; the hop-by-hop fields `Proxy-Connection`,
    /// `Keep-Alive`, `TE`, `Transfer-Encoding` and `Upgrade`; and `Content-Length`, because the
    /// framing fields describe the body on this hop only (RFC 9112 §6) and whoever sends the
    /// message on frames it anew. The codings a `Transfer-Encoding` applied to the content stay
    /// with it: see [`codings_before_chunked`](Headers::codings_before_chunked).
    ///
    /// ```
    /// use h1_parser::{Progress, RequestParser};
    ///
    /// let buf = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Hop\r\nX-Hop: 1\r\nTE: trailers\r\n\
    ///     Accept: */*\r\n\r\n";
    /// let mut parser = RequestParser::new();
    /// let Progress::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// let names: Vec<&str> = request.headers().end_to_end().map(|f| f.name).collect();
    /// assert_eq!(names, ["Host", "Accept"]);
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn end_to_end(&self) -> impl Iterator<Item = Header<'a>> + 'a {
        let headers = *self;
        self.iter().filter(move |field| {
            let listed = |name: &&str| name.eq_ignore_ascii_case(field.name);
            let named = |options: &[u8]| list_contains_token(options, field.name);
            !NOT_END_TO_END.iter().any(listed) && !headers.get_all("connection").any(named)
        })
    }

    /// The transfer codings the `Transfer-Encoding` fields list, in order, but `chunked` (RFC
    /// 9112 §6.1): the codings applied to the content, such as `gzip` in `gzip, chunked`, which
    /// stay on it when the chunked framing is taken off, so a proxy that frames the body anew
    /// sends them on. In a message framed as chunked, `chunked` is the last coding and comes
    /// once, so these are the codings before it. Each member as listed (parameters included),
    /// without the whitespace around it; empty members are skipped (RFC 9110 §5.6.1).
    ///
    /// ```
    /// use h1_parser::{Progress, ResponseParser};
    ///
    /// let buf = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
    /// let mut parser = ResponseParser::new();
    /// let Progress::Complete(response) = parser.parse(buf)? else { unreachable!() };
    /// let codings: Vec<&[u8]> = response.headers().codings_before_chunked().collect();
    /// assert_eq!(codings, [b"gzip"]);
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn codings_before_chunked(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let members = self.get_all("transfer-encoding");
        let members = members.flat_map(|value| value.split(|&b| b == b',').map(trim_ows));
        members.filter(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case(b"chunked"))
    }
}

impl<'a> IntoIterator for Headers<'a> {
    type Item = Header<'a>;
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

impl core::fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Headers<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// An iterator over [`Headers`].
#[derive(Clone)]
pub struct HeaderIter<'a> {
    buf: &'a [u8],
    raw: core::slice::Iter<'a, RawHeader>,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Header<'a>;
    #[inline]
    fn next(&mut self) -> Option<Header<'a>> {
        self.raw.next().map(|raw| Header::from_raw(self.buf, raw))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.raw.size_hint()
    }
}

impl ExactSizeIterator for HeaderIter<'_> {}

/// One header field: its name as received (a token) and its value with the surrounding
/// whitespace removed (RFC 9112 §5: OWS trimmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name, case preserved.
    pub name: &'a str,
    /// The field value: visible ASCII, SP, HTAB and obs-text (RFC 9110 §5.5); under the
    /// obs-fold leniency it may also hold the raw fold (see [`Header::unfolded`]).
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    #[inline]
    pub(crate) fn from_raw(buf: &'a [u8], raw: &RawHeader) -> Header<'a> {
        Header {
            name: ascii(raw.name.of(buf)),
            value: raw.value.of(buf),
        }
    }

    /// The value with each obs-fold read as spaces (RFC 9112 §5.2: "replace each received
    /// obs-fold with one or more SP octets"): CR and LF, which can only be part of a fold the
    /// obs-fold leniency accepted, become SP. No byte is dropped.
    ///
    /// ```
    /// use h1_parser::{Config, Progress, RequestParser};
    ///
    /// let mut parser = RequestParser::with_config(Config::new().allow_obs_fold(true));
    /// let buf = b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: first\r\n  second\r\n\r\n";
    /// let Progress::Complete(request) = parser.parse(buf)? else { unreachable!() };
    /// let field = request.headers().nth(1).expect("two fields");
    /// assert_eq!(field.value, b"first\r\n  second"); // the raw bytes, fold included
    /// assert_eq!(field.unfolded().collect::<Vec<u8>>(), b"first    second");
    /// # Ok::<(), h1_parser::Error>(())
    /// ```
    pub fn unfolded(&self) -> impl Iterator<Item = u8> + 'a {
        self.value.iter().map(|&b| match b {
            b'\r' | b'\n' => b' ',
            other => other,
        })
    }
}

/// Bytes that the parser proved to be ASCII (tokens, targets) as `&str`.
#[inline]
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}
