//! Conversions to and from the [`http`](https://docs.rs/http) crate's types (feature `http`,
//! which brings `std`): a parsed head becomes `http::request::Parts` or
//! `http::response::Parts`, and such parts are written back through the checked writers, so a
//! `HeaderMap` built elsewhere can reach the wire only if the parser would read it.
//!
//! ```
//! use h1_parser::{http as h1_http, write::Body, Progress, RequestParser};
//!
//! let buf = b"GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nX-Id: 7\r\n\r\n";
//! let mut parser = RequestParser::new();
//! let Progress::Complete(request) = parser.parse(buf)? else { unreachable!() };
//! let parts = h1_http::request_parts(&request).expect("a parsed head is valid for http");
//! assert_eq!(parts.method, http::Method::GET);
//! assert_eq!(parts.uri, "/a?b=1");
//! assert_eq!(parts.headers["x-id"], "7");
//!
//! // And back: the same head through the writer.
//! let mut out = Vec::new();
//! h1_http::write_request_parts(&mut out, &parts, Body::None).expect("writable");
//! assert!(out.starts_with(b"GET /a?b=1 HTTP/1.1\r\n"));
//! # Ok::<(), h1_parser::Error>(())
//! ```
//!
//! What is here: `Method` and `Version` both ways, as functions and as `From` / `TryFrom`; a
//! parsed head's fields as a `HeaderMap` ([`header_map`]) and its start line as `Parts`
//! ([`request_parts`], [`response_parts`]); `Parts` (and their `HeaderMap`) written through the
//! checked writers ([`write_request_parts`], [`write_response_parts`]). A status code is a
//! `u16` here, which `http::StatusCode` converts from and to itself.
//!
//! `http`'s `HeaderMap` keeps the order of values per name but not across names, and stores
//! names in lower case: a head converted to parts and written back keeps its fields, their
//! values and each name's order of values, not the original interleaving or case.

extern crate std;

use std::string::ToString;
use std::vec::Vec;

use crate::headers::Headers;
use crate::message::{Method, Version};
use crate::request::Request;
use crate::response::Response;
use crate::write::{Body, RequestHead, ResponseHead, WriteError};

/// The `http` crate's method for `method`.
pub fn to_http_method(method: Method<'_>) -> http::Method {
    match method {
        Method::Get => http::Method::GET,
        Method::Head => http::Method::HEAD,
        Method::Post => http::Method::POST,
        Method::Put => http::Method::PUT,
        Method::Delete => http::Method::DELETE,
        Method::Connect => http::Method::CONNECT,
        Method::Options => http::Method::OPTIONS,
        Method::Trace => http::Method::TRACE,
        Method::Patch => http::Method::PATCH,
        // A token is always a valid `http` method; the fallback is never taken.
        Method::Extension(name) => {
            http::Method::from_bytes(name.as_bytes()).unwrap_or(http::Method::GET)
        }
    }
}

/// This crate's method for an `http` method: a standard name becomes its variant.
pub fn from_http_method(method: &http::Method) -> Result<Method<'_>, crate::error::Error> {
    Method::from_bytes(method.as_str().as_bytes())
}

/// The `http` crate's version for `version`.
pub fn to_http_version(version: Version) -> http::Version {
    match version {
        Version::Http10 => http::Version::HTTP_10,
        Version::Http11 => http::Version::HTTP_11,
    }
}

/// This crate's version for an `http` version: only HTTP/1.0 and HTTP/1.1 are spoken here.
pub fn from_http_version(version: http::Version) -> Result<Version, WriteError> {
    match version {
        http::Version::HTTP_10 => Ok(Version::Http10),
        http::Version::HTTP_11 => Ok(Version::Http11),
        _ => Err(WriteError::UnsupportedVersion),
    }
}

/// [`to_http_method`] as the std conversion: `http::Method::from(Method::Get)`.
impl From<Method<'_>> for http::Method {
    fn from(method: Method<'_>) -> http::Method {
        to_http_method(method)
    }
}

/// [`from_http_method`] as the std conversion: `Method::try_from(&http::Method::GET)`.
impl<'a> TryFrom<&'a http::Method> for Method<'a> {
    type Error = crate::error::Error;

    fn try_from(method: &'a http::Method) -> Result<Method<'a>, crate::error::Error> {
        from_http_method(method)
    }
}

/// [`to_http_version`] as the std conversion.
impl From<Version> for http::Version {
    fn from(version: Version) -> http::Version {
        to_http_version(version)
    }
}

/// [`from_http_version`] as the std conversion: HTTP/1.0 and HTTP/1.1 only, any other is
/// [`WriteError::UnsupportedVersion`] (the writers are where an `http` version is used).
impl TryFrom<http::Version> for Version {
    type Error = WriteError;

    fn try_from(version: http::Version) -> Result<Version, WriteError> {
        from_http_version(version)
    }
}

/// The fields of a parsed head as a `HeaderMap` (names lower-cased by `http`). A value the
/// `http` crate refuses (it is stricter than RFC 9110 about obs-text in names) is an error.
pub fn header_map(headers: Headers<'_>) -> Result<http::HeaderMap, http::Error> {
    let mut map = http::HeaderMap::with_capacity(headers.len());
    for header in headers.iter() {
        let name = http::HeaderName::from_bytes(header.name.as_bytes())?;
        let value = http::HeaderValue::from_bytes(header.value)?;
        map.append(name, value);
    }
    Ok(map)
}

/// A parsed request head as `http::request::Parts`.
pub fn request_parts(request: &Request<'_>) -> Result<http::request::Parts, http::Error> {
    let mut builder = http::Request::builder()
        .method(to_http_method(request.method()))
        .uri(request.target())
        .version(to_http_version(request.version()));
    if let Some(headers) = builder.headers_mut() {
        *headers = header_map(request.headers())?;
    }
    Ok(builder.body(())?.into_parts().0)
}

/// A parsed response head as `http::response::Parts`.
pub fn response_parts(response: &Response<'_>) -> Result<http::response::Parts, http::Error> {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(to_http_version(response.version()));
    if let Some(headers) = builder.headers_mut() {
        *headers = header_map(response.headers())?;
    }
    Ok(builder.body(())?.into_parts().0)
}

/// Writes `parts` as a request head with `body`'s framing, appended to `out`, through the
/// checked [`RequestHead`]: every rule it enforces applies (a Content-Length or
/// Transfer-Encoding in `parts.headers` is refused; the framing comes from `body`).
pub fn write_request_parts(
    out: &mut Vec<u8>,
    parts: &http::request::Parts,
    body: Body,
) -> Result<usize, WriteError> {
    let version = from_http_version(parts.version)?;
    let method = from_http_method(&parts.method).map_err(|_| WriteError::InvalidMethod)?;
    let target = match parts.uri.path_and_query() {
        Some(path) if parts.uri.scheme().is_none() => path.as_str(),
        _ => "",
    };
    // An absolute or authority-form URI is written as `http` holds it.
    let whole;
    let target = if target.is_empty() {
        whole = parts.uri.to_string();
        whole.as_str()
    } else {
        target
    };
    let mut head = RequestHead::new(out, method, target, version)?;
    for (name, value) in &parts.headers {
        head.field(name.as_str(), value.as_bytes())?;
    }
    head.finish(body)
}

/// Writes `parts` as a response head answering `answered`, with `body`'s framing, appended to
/// `out`, through the checked [`ResponseHead`] (the code's canonical reason phrase).
pub fn write_response_parts(
    out: &mut Vec<u8>,
    parts: &http::response::Parts,
    answered: Method<'_>,
    body: Body,
) -> Result<usize, WriteError> {
    let version = from_http_version(parts.version)?;
    let reason = parts.status.canonical_reason().map(str::as_bytes);
    let mut head = ResponseHead::new(out, answered, version, parts.status.as_u16(), reason)?;
    for (name, value) in &parts.headers {
        head.field(name.as_str(), value.as_bytes())?;
    }
    head.finish(body)
}
