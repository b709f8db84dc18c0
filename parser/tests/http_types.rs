//! The `http` feature: parsed heads become `http` parts and `http` parts are written through
//! the checked writers, in both directions and for requests and responses.
#![cfg(feature = "http")]

use h1_parser::http::{
    from_http_method, from_http_version, request_parts, response_parts, to_http_method,
    write_request_parts, write_response_parts,
};
use h1_parser::write::{Body, WriteError};
use h1_parser::{Method, Progress, RequestParser, ResponseParser, Version};

#[test]
fn every_method_converts_both_ways() {
    let methods = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Connect,
        Method::Options,
        Method::Trace,
        Method::Patch,
        Method::Extension("PURGE"),
    ];
    for method in methods {
        let converted = to_http_method(method);
        assert_eq!(converted.as_str(), method.as_str());
        assert_eq!(from_http_method(&converted), Ok(method));
    }
    // A standard name from `http` always becomes its variant.
    let head = http::Method::from_bytes(b"HEAD").unwrap();
    assert!(matches!(from_http_method(&head), Ok(Method::Head)));
}

#[test]
fn method_and_version_convert_with_from_and_try_from() {
    for method in [Method::Get, Method::Connect, Method::Extension("PURGE")] {
        let converted = http::Method::from(method);
        assert_eq!(converted, to_http_method(method));
        assert_eq!(Method::try_from(&converted), Ok(method));
    }
    for version in [Version::Http10, Version::Http11] {
        let converted: http::Version = version.into();
        assert_eq!(Version::try_from(converted), Ok(version));
    }
    assert_eq!(
        Version::try_from(http::Version::HTTP_2),
        Err(WriteError::UnsupportedVersion)
    );
}

#[test]
fn versions_other_than_1_0_and_1_1_are_refused() {
    assert_eq!(
        from_http_version(http::Version::HTTP_10),
        Ok(Version::Http10)
    );
    assert_eq!(
        from_http_version(http::Version::HTTP_11),
        Ok(Version::Http11)
    );
    for version in [
        http::Version::HTTP_09,
        http::Version::HTTP_2,
        http::Version::HTTP_3,
    ] {
        assert_eq!(
            from_http_version(version),
            Err(WriteError::UnsupportedVersion)
        );
    }
}

#[test]
fn a_parsed_request_becomes_parts_and_writes_back() {
    let buf = b"POST /up?x=1 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 3\r\n\r\nabc";
    let mut parser = RequestParser::new();
    let Ok(Progress::Complete(request)) = parser.parse(buf) else {
        panic!("parses")
    };
    let parts = request_parts(&request).unwrap();
    assert_eq!(parts.method, http::Method::POST);
    assert_eq!(parts.uri, "/up?x=1");
    assert_eq!(parts.version, http::Version::HTTP_11);
    let values: Vec<_> = parts.headers.get_all("x-a").iter().collect();
    assert_eq!(values, ["1", "2"]);
    assert_eq!(parts.headers["content-length"], "3");

    // Written back, the framing comes from `Body`: a Content-Length in the map is refused.
    let mut out = Vec::new();
    assert_eq!(
        write_request_parts(&mut out, &parts, Body::Length(3)),
        Err(WriteError::FramingField)
    );
    assert!(out.is_empty(), "nothing partial is left written");
    let mut parts = parts;
    parts.headers.remove("content-length");
    let len = write_request_parts(&mut out, &parts, Body::Length(3)).unwrap();
    let mut again = RequestParser::new();
    let Ok(Progress::Complete(back)) = again.parse(&out) else {
        panic!("reads back")
    };
    assert_eq!(back.head_len(), len);
    assert_eq!(back.method(), Method::Post);
    assert_eq!(back.target(), "/up?x=1");
    assert_eq!(back.headers().get("host"), Some(&b"example.com"[..]));
    assert_eq!(back.framing(), h1_parser::Framing::Length(3));
}

#[test]
fn absolute_form_parts_are_written_in_absolute_form() {
    let parts = http::Request::get("http://example.com/a")
        .header("Host", "example.com")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let mut out = Vec::new();
    write_request_parts(&mut out, &parts, Body::None).unwrap();
    assert!(
        out.starts_with(b"GET http://example.com/a HTTP/1.1\r\n"),
        "{out:?}"
    );
}

#[test]
fn injected_values_in_a_header_map_cannot_reach_the_wire() {
    // `http` accepts obs-text and HTAB; the writer still refuses what the parser would.
    let parts = http::Request::get("/")
        .header("Host", "a")
        .header("X-Space", http::HeaderValue::from_static(" padded"))
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let mut out = Vec::new();
    assert_eq!(
        write_request_parts(&mut out, &parts, Body::None),
        Err(WriteError::FieldValueWhitespace)
    );
    // HTTP/1.1 without Host is refused.
    let no_host = http::Request::get("/").body(()).unwrap().into_parts().0;
    assert_eq!(
        write_request_parts(&mut out, &no_host, Body::None),
        Err(WriteError::MissingHost)
    );
}

#[test]
fn a_parsed_response_becomes_parts_and_writes_back() {
    let buf = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n";
    let mut parser = ResponseParser::new();
    let Ok(Progress::Complete(response)) = parser.parse(buf) else {
        panic!("parses")
    };
    let parts = response_parts(&response).unwrap();
    assert_eq!(parts.status, http::StatusCode::NOT_FOUND);
    assert_eq!(parts.headers.get_all("set-cookie").iter().count(), 2);

    let mut out = Vec::new();
    write_response_parts(&mut out, &parts, Method::Get, Body::Chunked).unwrap();
    let mut again = ResponseParser::new();
    let Ok(Progress::Complete(back)) = again.parse(&out) else {
        panic!("reads back")
    };
    assert_eq!((back.status(), back.reason()), (404, &b"Not Found"[..]));
    let cookies: Vec<_> = back
        .headers()
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
        .map(|h| h.value)
        .collect();
    assert_eq!(cookies, [&b"a=1"[..], b"b=2"]);
    assert_eq!(
        back.framing(Method::Get, false),
        Ok(h1_parser::Framing::Chunked)
    );
    // A body after HEAD is refused, as without `http`.
    assert_eq!(
        write_response_parts(&mut Vec::new(), &parts, Method::Head, Body::Length(1)),
        Err(WriteError::BodyNotAllowed)
    );
}
