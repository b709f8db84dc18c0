//! The reason phrases RFC 9110 §15 gives the status codes it defines, and those of the
//! registered codes a server sends itself: 102 Processing (RFC 2518), 103 Early Hints
//! (RFC 8297), 429 and 431 (RFC 6585; 431 is the parser's own answer to an oversized head).

/// The table, once: each code's phrase, and the whole HTTP/1.1 status-line built from it at
/// compile time (one copy per answer on the writer's hot path).
macro_rules! statuses {
    ($($code:literal $phrase:literal,)*) => {
        /// The reason phrase RFC 9110 §15 gives `code` (and the registered 102, 103, 429 and
        /// 431 their RFCs give), or `None` for another code (a response writer then sends an
        /// empty reason, which RFC 9112 §4 allows).
        ///
        /// ```
        /// use h1_parser::reason_phrase;
        ///
        /// assert_eq!(reason_phrase(404), Some("Not Found"));
        /// assert_eq!(reason_phrase(413), Some("Content Too Large"));
        /// assert_eq!(reason_phrase(431), Some("Request Header Fields Too Large"));
        /// assert_eq!(reason_phrase(299), None);
        /// ```
        pub fn reason_phrase(code: u16) -> Option<&'static str> {
            Some(match code {
                $($code => $phrase,)*
                _ => return None,
            })
        }

        /// `HTTP/1.1 code phrase CRLF` for a code of the table (RFC 9112 §4).
        #[inline(always)]
        pub(crate) fn http11_status_line(code: u16) -> Option<&'static [u8]> {
            Some(match code {
                $($code => concat!("HTTP/1.1 ", stringify!($code), " ", $phrase, "\r\n").as_bytes(),)*
                _ => return None,
            })
        }
    };
}

statuses! {
    100 "Continue",
    101 "Switching Protocols",
    // RFC 2518 §10.1.
    102 "Processing",
    // RFC 8297 §2.
    103 "Early Hints",
    200 "OK",
    201 "Created",
    202 "Accepted",
    203 "Non-Authoritative Information",
    204 "No Content",
    205 "Reset Content",
    206 "Partial Content",
    300 "Multiple Choices",
    301 "Moved Permanently",
    302 "Found",
    303 "See Other",
    304 "Not Modified",
    305 "Use Proxy",
    307 "Temporary Redirect",
    308 "Permanent Redirect",
    400 "Bad Request",
    401 "Unauthorized",
    402 "Payment Required",
    403 "Forbidden",
    404 "Not Found",
    405 "Method Not Allowed",
    406 "Not Acceptable",
    407 "Proxy Authentication Required",
    408 "Request Timeout",
    409 "Conflict",
    410 "Gone",
    411 "Length Required",
    412 "Precondition Failed",
    413 "Content Too Large",
    414 "URI Too Long",
    415 "Unsupported Media Type",
    416 "Range Not Satisfiable",
    417 "Expectation Failed",
    421 "Misdirected Request",
    422 "Unprocessable Content",
    426 "Upgrade Required",
    // RFC 6585 §4.
    429 "Too Many Requests",
    // RFC 6585 §5: what Error::status names for a head with too many or too large fields.
    431 "Request Header Fields Too Large",
    500 "Internal Server Error",
    501 "Not Implemented",
    502 "Bad Gateway",
    503 "Service Unavailable",
    504 "Gateway Timeout",
    505 "HTTP Version Not Supported",
}
