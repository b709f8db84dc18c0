//! `Config`: the limits and the named leniencies of a parser.

/// Limits and leniencies. Strict RFC 9112 by default; every leniency is opt-in and named.
///
/// The default limits were weighed against the peers' defaults:
///
/// | limit | default | peers |
/// |---|---|---|
/// | `max_head_size` | 32 KiB | nginx 1 KiB + 4 × 8 KiB buffers, Node.js 16 KiB, Go 1 MiB, h11 16 KiB |
/// | `max_target_len` | 8 KiB | nginx 8 KiB (one large buffer), Apache `LimitRequestLine` 8190 |
/// | `max_method_len` | 32 | the longest registered method, `UPDATEREDIRECTREF`, has 17 bytes |
/// | `max_headers` | 100 | Apache `LimitRequestFields` 100, httparse callers often 64 (httparse#70) |
/// | `max_body_size` | 8 MiB | nginx `client_max_body_size` 1 MiB, hyper none |
/// | `max_chunk_extensions` | 16 KiB | Node.js caps chunk extensions at 16 KiB (hyper#3495) |
/// | `max_trailers_size` | 16 KiB | same budget as extensions |
///
/// ```
/// let config = h1_parser::Config::new().max_head_size(8 * 1024).allow_bare_lf(true);
/// assert_eq!(config.max_head_size, 8192);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Largest head (request-line or status-line, fields and the final empty line), in bytes.
    /// At most [`Config::MAX_HEAD_SIZE`]: a parser caps a larger value to it.
    pub max_head_size: usize,
    /// Longest request-target, in bytes.
    pub max_target_len: usize,
    /// Longest method, in bytes: a longer one is [`crate::Error::MethodTooLong`] (501) as soon
    /// as its byte past the limit arrives, the rest unread (RFC 9112 §3: a server answers a
    /// method longer than any it implements with 501). Values below 4 count as 4: every
    /// general-purpose server implements GET and HEAD (RFC 9110 §9.1).
    pub max_method_len: usize,
    /// Most header fields in a head; the parser's capacity `N` caps it too.
    pub max_headers: usize,
    /// Largest body, in bytes, after removing the chunked framing. A request's Content-Length
    /// above it is refused with its head; a response's only by the [`crate::BodyDecoder`] that
    /// reads the body (a 304 or an answer to HEAD has none, whatever its Content-Length says).
    pub max_body_size: u64,
    /// Largest total size of the chunk extensions of one body, in bytes.
    pub max_chunk_extensions: usize,
    /// Largest trailer section of a chunked body, in bytes: its field lines and the final CRLF
    /// that ends every chunked body. Values below 2 count as 2, so that `0` means "no trailer
    /// fields" rather than "no chunked body at all".
    pub max_trailers_size: usize,
    /// Leniency: accept a bare LF as a line ending (RFC 9112 §2.2 "MAY") in the head. Off by
    /// default: a parser that accepts it disagrees with one that does not
    /// (CVE-2022-32214/32215). It does not apply to chunked bodies: their size lines, the CRLF
    /// after chunk data and the trailer section always need CRLF (RFC 9112 §7.1 is where the
    /// smuggling cases live: picohttpparser#82, h11 CVE-2025-43859).
    pub allow_bare_lf: bool,
    /// Leniency: accept obs-fold in a field value of the head and read it as spaces (RFC 9112
    /// §5.2). Off by default (CVE-2024-27982). When on, the value keeps its raw bytes, fold
    /// included; see [`crate::Header::unfolded`]. Trailer fields never accept obs-fold.
    pub allow_obs_fold: bool,
    /// Leniency, responses only: accept a status-line that ends right after the status code,
    /// with no SP before the line end (`HTTP/1.1 200\r\n`); the reason phrase is then empty.
    /// RFC 9112 §4 requires the SP, but servers that leave it out exist, and httparse, h11,
    /// llhttp and picohttpparser all accept it (h11 cites scrapy#345 and httparse#29). Off by
    /// default like every leniency; no framing depends on it.
    pub allow_missing_reason_sp: bool,
    /// Leniency, requests only: accept a Host field with an empty value. RFC 9112 §3.2 has a
    /// client send one when the target URI has no authority, but for an `http` target the
    /// authority is then empty, which RFC 9110 §4.2.1 calls invalid and RFC 9112 §3.3 lets a
    /// server reject; nginx answers 400. Off by default: [`crate::Error::EmptyHost`].
    pub allow_empty_host: bool,
}

impl Config {
    /// The largest `max_head_size` a parser applies (4 GiB - 1): offsets into a head are kept
    /// as `u32`, so a parser built with a larger limit uses this one. Clamped in one place,
    /// when a parser takes its configuration, so every check sees the same limit.
    pub const MAX_HEAD_SIZE: usize = u32::MAX as usize;

    /// The strict defaults (see the table above).
    pub const fn new() -> Config {
        Config {
            max_head_size: 32 * 1024,
            max_target_len: 8 * 1024,
            max_method_len: 32,
            max_headers: 100,
            max_body_size: 8 * 1024 * 1024,
            max_chunk_extensions: 16 * 1024,
            max_trailers_size: 16 * 1024,
            allow_bare_lf: false,
            allow_obs_fold: false,
            allow_missing_reason_sp: false,
            allow_empty_host: false,
        }
    }

    /// Sets [`Config::max_head_size`], at most [`Config::MAX_HEAD_SIZE`].
    pub const fn max_head_size(mut self, bytes: usize) -> Config {
        self.max_head_size = bytes;
        self.clamped()
    }

    /// The configuration a parser applies: `max_head_size` within [`Config::MAX_HEAD_SIZE`],
    /// `max_method_len` at least 4 (the fields are public, so values set directly are clamped
    /// here too).
    pub(crate) const fn clamped(mut self) -> Config {
        if self.max_head_size > Config::MAX_HEAD_SIZE {
            self.max_head_size = Config::MAX_HEAD_SIZE;
        }
        // GET and HEAD fit whatever the limit, so the request-line's fast path for GET need
        // not compare it.
        if self.max_method_len < 4 {
            self.max_method_len = 4;
        }
        self
    }

    /// Sets [`Config::max_target_len`].
    pub const fn max_target_len(mut self, bytes: usize) -> Config {
        self.max_target_len = bytes;
        self
    }

    /// Sets [`Config::max_method_len`].
    pub const fn max_method_len(mut self, bytes: usize) -> Config {
        self.max_method_len = bytes;
        self
    }

    /// Sets [`Config::max_headers`].
    pub const fn max_headers(mut self, count: usize) -> Config {
        self.max_headers = count;
        self
    }

    /// Sets [`Config::max_body_size`].
    pub const fn max_body_size(mut self, bytes: u64) -> Config {
        self.max_body_size = bytes;
        self
    }

    /// Sets [`Config::max_chunk_extensions`].
    pub const fn max_chunk_extensions(mut self, bytes: usize) -> Config {
        self.max_chunk_extensions = bytes;
        self
    }

    /// Sets [`Config::max_trailers_size`].
    pub const fn max_trailers_size(mut self, bytes: usize) -> Config {
        self.max_trailers_size = bytes;
        self
    }

    /// Sets the bare-LF leniency, [`Config::allow_bare_lf`].
    pub const fn allow_bare_lf(mut self, allow: bool) -> Config {
        self.allow_bare_lf = allow;
        self
    }

    /// Sets the obs-fold-to-space leniency, [`Config::allow_obs_fold`].
    pub const fn allow_obs_fold(mut self, allow: bool) -> Config {
        self.allow_obs_fold = allow;
        self
    }

    /// Sets the status-line leniency, [`Config::allow_missing_reason_sp`].
    pub const fn allow_missing_reason_sp(mut self, allow: bool) -> Config {
        self.allow_missing_reason_sp = allow;
        self
    }

    /// Sets the empty-Host leniency, [`Config::allow_empty_host`].
    pub const fn allow_empty_host(mut self, allow: bool) -> Config {
        self.allow_empty_host = allow;
        self
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}
