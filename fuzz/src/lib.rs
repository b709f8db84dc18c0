//! Shared pieces of the fuzz targets: reading the fuzzer's control bytes (a `Config`, split
//! points), an owned copy of a parsed request, and the reference chunked decoder.
//!
//! Every target reads its control bytes from the front of the input with [`Control`], so a
//! saved crash reproduces exactly with `cargo +nightly fuzz run <target> <file>`.

pub mod reference;

use h1_parser::{Config, Error, Framing, Method, Request, Response, TargetForm, Version};

/// Control bytes taken from the front of a fuzz input; an exhausted input reads as zeros.
pub struct Control<'a> {
    data: &'a [u8],
}

impl<'a> Control<'a> {
    pub fn new(data: &'a [u8]) -> Control<'a> {
        Control { data }
    }

    /// The next control byte, or 0 when the input is exhausted.
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Whatever is left: the payload (request bytes, body bytes).
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Flag bits of the first control byte of a parser config.
pub const BARE_LF: u8 = 1;
pub const OBS_FOLD: u8 = 2;
/// Small limits, read from the next six control bytes.
pub const SMALL_LIMITS: u8 = 4;
/// A parser with room for only 3 headers (the const generic capacity, not the config).
pub const SMALL_CAPACITY: u8 = 8;
/// `Config::allow_missing_reason_sp` (responses).
pub const MISSING_REASON_SP: u8 = 16;

/// A fuzzer-chosen `Config`: one flag byte (see the constants above), then six limit bytes when
/// `SMALL_LIMITS` is set. Returns the config and the flag byte.
pub fn config(control: &mut Control) -> (Config, u8) {
    let flags = control.byte();
    let mut config = Config::new()
        .allow_bare_lf(flags & BARE_LF != 0)
        .allow_obs_fold(flags & OBS_FOLD != 0)
        .allow_missing_reason_sp(flags & MISSING_REASON_SP != 0);
    if flags & SMALL_LIMITS != 0 {
        config = config
            .max_head_size(usize::from(control.byte()) * 2)
            .max_target_len(usize::from(control.byte() / 4))
            .max_headers(usize::from(control.byte() % 8))
            .max_body_size(u64::from(control.byte()))
            .max_chunk_extensions(usize::from(control.byte() / 4))
            .max_trailers_size(usize::from(control.byte() / 4));
    }
    (config, flags)
}

/// Split points and the payload, from the rest of the control bytes: a mode byte, then either
/// up to 7 cut bytes (each a fraction of the payload: `byte * len / 255`), or, with the high bit
/// of the mode set, fixed pieces of `(mode & 15) + 1` bytes; the payload is what follows. The
/// cuts are sorted, within `0..=len`, and end with `len`.
pub fn split(mut control: Control<'_>) -> (Vec<usize>, &[u8]) {
    let mode = control.byte();
    let fractions: Vec<u8> = if mode & 0x80 != 0 {
        Vec::new()
    } else {
        (0..mode % 8).map(|_| control.byte()).collect()
    };
    let payload = control.rest();
    let len = payload.len();
    let mut cuts: Vec<usize> = if mode & 0x80 != 0 {
        let piece = usize::from(mode & 15) + 1;
        (1..).map(|i| i * piece).take_while(|&c| c < len).collect()
    } else {
        fractions
            .iter()
            .map(|&f| usize::from(f) * len / 255)
            .collect()
    };
    cuts.push(len);
    cuts.sort_unstable();
    (cuts, payload)
}

/// True when `part` lies inside `whole` (pointer range check): a zero-copy slice.
pub fn within(whole: &[u8], part: &[u8]) -> bool {
    let whole = whole.as_ptr_range();
    let range = part.as_ptr_range();
    whole.start <= range.start && range.end <= whole.end
}

/// OWS, RFC 9110 §5.6.3: `*( SP / HTAB )`, trimmed on both sides.
pub fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// tchar, RFC 9110 §5.6.2.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// An owned copy of a parsed request head, for comparing parses of different buffers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owned {
    pub method: String,
    pub target: String,
    pub form: TargetForm,
    pub version: Version,
    pub headers: Vec<(String, Vec<u8>)>,
    pub head_len: usize,
    pub framing: Framing,
}

impl Owned {
    pub fn of(request: &Request) -> Owned {
        Owned {
            method: request.method().as_str().to_owned(),
            target: request.target().to_owned(),
            form: request.target_form(),
            version: request.version(),
            headers: request
                .headers()
                .iter()
                .map(|h| (h.name.to_owned(), h.value.to_vec()))
                .collect(),
            head_len: request.head_len(),
            framing: request.framing(),
        }
    }

    /// The canonical wire form: `method SP target SP version CRLF`, `name: value CRLF` per
    /// field, `CRLF`. Under obs-fold the values hold raw folds: `unfold` reads them as spaces
    /// (`Header::unfolded`) and trims the OWS that the fold may leave at either end.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.target.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.version_str().as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&unfold(value));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    pub fn version_str(&self) -> &'static str {
        self.version.as_str()
    }

    pub fn is_standard_method(&self) -> bool {
        !matches!(method_of(&self.method), Method::Extension(_))
    }
}

/// What `Header::unfolded` gives (CR and LF of a fold read as SP), OWS-trimmed: the value a
/// strict parser sees after the fold was replaced by spaces (RFC 9112 §5.2).
pub fn unfold(value: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = value
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    trim_ows(&spaced).to_vec()
}

/// The method a token names.
pub fn method_of(token: &str) -> Method<'_> {
    match token {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "CONNECT" => Method::Connect,
        "OPTIONS" => Method::Options,
        "TRACE" => Method::Trace,
        "PATCH" => Method::Patch,
        other => Method::Extension(other),
    }
}

/// An owned copy of a parsed response head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedResponse {
    pub version: Version,
    pub code: u16,
    pub reason: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub head_len: usize,
    /// The framing as the answer to GET, HEAD and CONNECT.
    pub framings: [Result<Framing, Error>; 3],
}

impl OwnedResponse {
    pub fn of(response: &Response) -> OwnedResponse {
        OwnedResponse {
            version: response.version(),
            code: response.status(),
            reason: response.reason().to_vec(),
            headers: response
                .headers()
                .iter()
                .map(|h| (h.name.to_owned(), h.value.to_vec()))
                .collect(),
            head_len: response.head_len(),
            framings: [Method::Get, Method::Head, Method::Connect]
                .map(|m| response.framing(m, true)),
        }
    }

    /// The canonical wire form: `version SP code SP reason CRLF`, `name: value CRLF` per field
    /// (folds read as spaces, see `unfold`), `CRLF`.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.version.as_str().as_bytes());
        out.extend_from_slice(format!(" {} ", self.code).as_bytes());
        out.extend_from_slice(&self.reason);
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&unfold(value));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Whether the eight bytes of an HTTP-version as received read as `version`: HTTP/1.0, or
/// HTTP/1.1 for `HTTP/1.1` to `HTTP/1.9` (RFC 9110 §2.5: a higher minor version is processed
/// as the highest implemented).
pub fn version_reads_as(bytes: &[u8], version: h1_parser::Version) -> bool {
    match version {
        h1_parser::Version::Http10 => bytes == b"HTTP/1.0",
        h1_parser::Version::Http11 => {
            matches!(
                bytes,
                [b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'1'..=b'9']
            )
        }
    }
}
