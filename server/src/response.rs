//! `Response`: what a handler fills in — status, headers and body — in buffers that the
//! connection keeps and reuses.

use std::io;

/// The response a handler writes. The connection owns it and reuses its buffers for every
/// request, so filling it allocates only when a response is larger than any before it on the
/// same connection.
///
/// The server writes `Date`, `Content-Length` and `Connection` itself: a handler's own
/// `Content-Length`, `Transfer-Encoding` or `Date` field is ignored, and a `Connection` field
/// counts only as a request to close the connection (`Connection: close`). A header whose name
/// is not a token or whose value holds CR, LF or NUL is dropped (no response splitting).
///
/// ```
/// use std::io::Write;
/// use h1_server::{Request, Response};
///
/// fn handler(_req: &Request, res: &mut Response) {
///     res.set_status(201).header("Content-Type", "text/plain");
///     write!(res, "created {}", 42).unwrap();
/// }
/// ```
#[derive(Debug, Default)]
pub struct Response {
    status: u16,
    /// Serialized `name: value\r\n` lines.
    headers: Vec<u8>,
    body: Vec<u8>,
    close: bool,
}

impl Response {
    /// A `200 OK` response with no headers and an empty body.
    pub fn new() -> Response {
        Response {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
            close: false,
        }
    }

    /// Forgets the last response, keeping the buffers.
    pub(crate) fn reset(&mut self) {
        self.status = 200;
        self.headers.clear();
        self.body.clear();
        self.close = false;
    }

    /// The status code (200 unless set).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Sets the status code; values outside 100..=999 become 500.
    pub fn set_status(&mut self, status: u16) -> &mut Response {
        self.status = if (100..=999).contains(&status) {
            status
        } else {
            500
        };
        self
    }

    /// Adds a header field (several fields may have the same name). See the type's docs for
    /// the fields the server manages and the ones it drops.
    pub fn header(&mut self, name: &str, value: impl AsRef<[u8]>) -> &mut Response {
        let value = value.as_ref();
        let valid_name = !name.is_empty() && name.bytes().all(is_tchar);
        let valid_value = !value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0);
        if !valid_name || !valid_value {
            return self;
        }
        if name.eq_ignore_ascii_case("connection") {
            if has_token(value, b"close") {
                self.close = true;
            }
            return self;
        }
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("date")
        {
            return self;
        }
        self.headers.extend_from_slice(name.as_bytes());
        self.headers.extend_from_slice(b": ");
        self.headers.extend_from_slice(value);
        self.headers.extend_from_slice(b"\r\n");
        self
    }

    /// Replaces the body.
    pub fn set_body(&mut self, body: impl AsRef<[u8]>) -> &mut Response {
        self.body.clear();
        self.body.extend_from_slice(body.as_ref());
        self
    }

    /// The body so far.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body buffer, to fill in place.
    pub fn body_mut(&mut self) -> &mut Vec<u8> {
        &mut self.body
    }

    /// Asks the server to close the connection after this response.
    pub fn close(&mut self) -> &mut Response {
        self.close = true;
        self
    }

    pub(crate) fn wants_close(&self) -> bool {
        self.close
    }

    pub(crate) fn header_lines(&self) -> &[u8] {
        &self.headers
    }
}

/// Appends to the body.
impl io::Write for Response {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.body.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// tchar, RFC 9110 §5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether a comma-separated field value holds `token` (case-insensitive), RFC 9110 §5.6.1.
pub(crate) fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|member| member.trim_ascii().eq_ignore_ascii_case(token))
}

/// The reason phrase for a status code (RFC 9110 §15); empty for unknown codes.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_headers_that_would_split_the_response() {
        let mut res = Response::new();
        res.header("X-A", "1\r\nInjected: yes")
            .header("Bad Name", "v")
            .header("X-B", "2");
        assert_eq!(res.header_lines(), b"X-B: 2\r\n");
    }

    #[test]
    fn server_managed_fields_are_ignored_and_connection_close_is_honoured() {
        let mut res = Response::new();
        res.header("Content-Length", "5")
            .header("Date", "x")
            .header("Connection", "keep-alive, Close");
        assert_eq!(res.header_lines(), b"");
        assert!(res.wants_close());
    }
}
