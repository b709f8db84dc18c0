//! The header fields of a head (or the trailer fields of a chunked body) as the caller sees
//! them: slices of its buffer, built on access from the parser's table of offsets.

use crate::span::RawHeader;

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
    /// use h1_parser::{Config, Parser, Status};
    ///
    /// let mut parser = Parser::with_config(Config::new().allow_obs_fold(true));
    /// let buf = b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: first\r\n  second\r\n\r\n";
    /// let Status::Complete(request) = parser.parse(buf)? else { unreachable!() };
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
