//! The writers, one test per rule: what each refuses (with the rule's error and nothing counted
//! as written) and what it writes.

use h1_parser::write::{
    chunk_head, last_chunk, write_chunk_head, Body, RequestHead, ResponseHead, WriteError,
};
use h1_parser::{reason_phrase, Error, Method, Version};

const V11: Version = Version::Http11;
const V10: Version = Version::Http10;

/// A request with `fields` and `body`: the head's bytes, or the refusal.
fn request(
    method: Method,
    target: &str,
    version: Version,
    fields: &[(&str, &[u8])],
    body: Body,
) -> Result<Vec<u8>, WriteError> {
    let mut buf = [0u8; 512];
    let mut head = RequestHead::new(&mut buf, method, target, version)?;
    for &(name, value) in fields {
        head.field(name, value)?;
    }
    let len = head.finish(body)?;
    Ok(buf[..len].to_vec())
}

/// A response answering `method` with `fields` and `body`.
fn response(
    method: Method,
    code: u16,
    reason: Option<&[u8]>,
    fields: &[(&str, &[u8])],
    body: Body,
) -> Result<Vec<u8>, WriteError> {
    response_in(method, V11, code, reason, fields, body)
}

fn response_in(
    method: Method,
    version: Version,
    code: u16,
    reason: Option<&[u8]>,
    fields: &[(&str, &[u8])],
    body: Body,
) -> Result<Vec<u8>, WriteError> {
    let mut buf = [0u8; 512];
    let mut head = ResponseHead::new(&mut buf, method, version, code, reason)?;
    for &(name, value) in fields {
        head.field(name, value)?;
    }
    let len = head.finish(body)?;
    Ok(buf[..len].to_vec())
}

const HOST: (&str, &[u8]) = ("Host", b"example.com");

fn get(target: &str) -> Result<Vec<u8>, WriteError> {
    request(Method::Get, target, V11, &[HOST], Body::None)
}

fn with_field(name: &str, value: &[u8]) -> Result<Vec<u8>, WriteError> {
    request(Method::Get, "/", V11, &[HOST, (name, value)], Body::None)
}

#[test]
fn writes_request_head_with_fields_in_order_and_case() {
    let head = request(
        Method::Post,
        "/a?b=1",
        V11,
        &[
            HOST,
            ("x-LOWER-upper", b"v"),
            ("Accept", b"*/*"),
            ("Empty", b""),
        ],
        Body::Length(3),
    );
    assert_eq!(
        head.unwrap(),
        b"POST /a?b=1 HTTP/1.1\r\nHost: example.com\r\nx-LOWER-upper: v\r\nAccept: */*\r\nEmpty: \r\nContent-Length: 3\r\n\r\n"
    );
}

#[test]
fn refuses_method_that_is_not_a_token() {
    for method in ["", "GE T", "GET\r\n", "G(ET"] {
        let refused = request(Method::Extension(method), "/", V11, &[HOST], Body::None);
        assert_eq!(refused, Err(WriteError::InvalidMethod), "{method:?}");
    }
    assert!(request(Method::Extension("PURGE"), "/", V11, &[HOST], Body::None).is_ok());
}

#[test]
fn refuses_target_bytes_outside_the_grammar() {
    for target in [
        "",
        "/a b",
        "/a\r\nX: y",
        "/a#frag",
        "/\x7f",
        "/caf\u{e9}",
        "http:///x",
        "http://u@a/",
    ] {
        assert_eq!(get(target), Err(WriteError::InvalidTarget), "{target:?}");
    }
}

#[test]
fn refuses_target_form_that_does_not_fit_the_method() {
    assert_eq!(get("*"), Err(WriteError::TargetFormMismatch));
    assert_eq!(get("127.0.0.1:443"), Err(WriteError::TargetFormMismatch));
    // `example.com:443` is an absolute URI of scheme `example.com` (RFC 3986 §3.1), as the
    // parser reads it too.
    assert!(get("example.com:443").is_ok());
    let connect = |target| request(Method::Connect, target, V11, &[HOST], Body::None);
    assert_eq!(connect("/"), Err(WriteError::TargetFormMismatch));
    assert_eq!(connect("http://a/"), Err(WriteError::TargetFormMismatch));
    assert_eq!(connect("example.com"), Err(WriteError::TargetFormMismatch));
    assert!(connect("example.com:443").is_ok());
    // An extension spelled like CONNECT is CONNECT on the wire.
    let spelled = request(Method::Extension("CONNECT"), "/", V11, &[HOST], Body::None);
    assert_eq!(spelled, Err(WriteError::TargetFormMismatch));
    assert!(request(Method::Options, "*", V11, &[HOST], Body::None).is_ok());
    assert!(get("http://example.com/x?y").is_ok());
    assert!(get("urn:isbn:0451450523").is_ok());
}

#[test]
fn refuses_field_name_that_is_not_a_token() {
    for name in ["", "X A", "X-A:", "X-A\r\nX-B", "X\u{e9}"] {
        assert_eq!(
            with_field(name, b"v"),
            Err(WriteError::InvalidFieldName),
            "{name:?}"
        );
    }
}

#[test]
fn refuses_cr_lf_nul_and_controls_in_field_value() {
    for b in (0..0x20u8).filter(|&b| b != b'\t').chain([0x7f]) {
        let value = [b'a', b, b'b'];
        assert_eq!(
            with_field("X", &value),
            Err(WriteError::InvalidFieldValue),
            "{b:#x}"
        );
    }
    assert!(with_field("X", b"a\tb \xff").is_ok());
}

#[test]
fn refuses_whitespace_around_field_value() {
    for value in [&b" a"[..], b"a ", b"\ta", b"a\t", b" "] {
        assert_eq!(
            with_field("X", value),
            Err(WriteError::FieldValueWhitespace)
        );
    }
}

#[test]
fn refuses_framing_fields_given_as_fields() {
    for name in [
        "Content-Length",
        "content-length",
        "Transfer-Encoding",
        "TRANSFER-ENCODING",
    ] {
        assert_eq!(
            with_field(name, b"5"),
            Err(WriteError::FramingField),
            "{name}"
        );
        let refused = response(Method::Get, 200, None, &[(name, b"chunked")], Body::None);
        assert_eq!(refused, Err(WriteError::FramingField), "{name}");
    }
}

#[test]
fn refuses_http11_request_without_host() {
    let refused = request(Method::Get, "/", V11, &[], Body::None);
    assert_eq!(refused, Err(WriteError::MissingHost));
    assert!(request(Method::Get, "/", V10, &[], Body::None).is_ok());
}

#[test]
fn refuses_second_host() {
    let refused = request(Method::Get, "/", V10, &[HOST, ("host", b"b")], Body::None);
    assert_eq!(refused, Err(WriteError::DuplicateHost));
}

#[test]
fn refuses_host_outside_uri_host_and_port() {
    for value in [&b"a,b"[..], b"a/b", b"u@a", b"a:8x", b"[::1"] {
        let refused = request(Method::Get, "/", V11, &[("Host", value)], Body::None);
        assert_eq!(refused, Err(WriteError::InvalidHost));
    }
}

#[test]
fn refuses_empty_host() {
    // RFC 9110 §4.2.1: the parser refuses an empty Host by default, so the writer does too.
    let empty = request(Method::Get, "/", V11, &[("Host", b"")], Body::None);
    assert_eq!(empty, Err(WriteError::EmptyHost));
    assert_eq!(WriteError::EmptyHost.parser_error(), Some(Error::EmptyHost));
}

#[test]
fn refuses_1xx_in_http10() {
    // RFC 9110 §15.2: HTTP/1.0 defines no 1xx; a server MUST NOT send one to an HTTP/1.0 client.
    for code in [100, 101, 102, 103, 199] {
        let upgrade: (&str, &[u8]) = ("Upgrade", b"websocket");
        let refused = response_in(Method::Get, V10, code, None, &[upgrade], Body::None);
        assert_eq!(refused, Err(WriteError::InformationalInHttp10), "{code}");
    }
    assert!(response_in(Method::Get, V10, 200, None, &[], Body::None).is_ok());
    assert!(response(Method::Get, 103, None, &[], Body::None).is_ok());
}

#[test]
fn refuses_101_with_an_upgrade_naming_no_protocol() {
    // RFC 9110 §15.2.2: a 101 names the protocol(s) switched to in its Upgrade field.
    for value in [&b""[..], b",", b", ,"] {
        let fields: &[(&str, &[u8])] = &[("Upgrade", value)];
        let refused = response(Method::Get, 101, None, fields, Body::None);
        assert_eq!(refused, Err(WriteError::InvalidSwitch), "{value:?}");
    }
    let fields: &[(&str, &[u8])] = &[("Upgrade", b""), ("Upgrade", b"websocket")];
    assert!(response(Method::Get, 101, None, fields, Body::None).is_ok());
}

#[test]
fn refuses_connection_options_naming_framing_or_host() {
    // RFC 9110 §7.6.1: a connection option names a hop-by-hop field; Content-Length,
    // Transfer-Encoding and Host are for every recipient, and an intermediary that removed
    // them would change the message's framing or target.
    for value in [
        &b"Content-Length"[..],
        b"close, transfer-encoding",
        b"HOST",
        b"keep-alive,Content-length",
    ] {
        let fields: &[(&str, &[u8])] = &[HOST, ("Connection", value)];
        let refused = request(Method::Get, "/", V11, fields, Body::None);
        assert_eq!(
            refused,
            Err(WriteError::ForbiddenConnectionOption),
            "{value:?}"
        );
        let fields: &[(&str, &[u8])] = &[("connection", value)];
        let refused = response(Method::Get, 200, None, fields, Body::None);
        assert_eq!(
            refused,
            Err(WriteError::ForbiddenConnectionOption),
            "{value:?}"
        );
    }
    let fields: &[(&str, &[u8])] = &[HOST, ("Connection", b"close, Content-Lengthy, x-host")];
    assert!(request(Method::Get, "/", V11, fields, Body::None).is_ok());
}

#[test]
fn refuses_chunked_in_http10() {
    let refused = request(Method::Post, "/", V10, &[], Body::Chunked);
    assert_eq!(refused, Err(WriteError::TransferEncodingInHttp10));
    let refused = response_in(Method::Get, V10, 200, None, &[], Body::Chunked);
    assert_eq!(refused, Err(WriteError::TransferEncodingInHttp10));
}

#[test]
fn refuses_body_in_connect_request_and_close_delimited_request() {
    let connect = |body| request(Method::Connect, "a:443", V11, &[HOST], body);
    assert_eq!(connect(Body::Length(0)), Err(WriteError::BodyNotAllowed));
    assert_eq!(connect(Body::Chunked), Err(WriteError::BodyNotAllowed));
    let post = |body| request(Method::Post, "/", V11, &[HOST], body);
    assert_eq!(post(Body::UntilClose), Err(WriteError::FramingNotAllowed));
    assert_eq!(
        post(Body::Advertised(3)),
        Err(WriteError::FramingNotAllowed)
    );
    assert_eq!(
        post(Body::Chunked).unwrap(),
        b"POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
}

#[test]
fn refuses_status_outside_100_to_999() {
    for code in [0, 99, 1000, u16::MAX] {
        assert_eq!(
            response(Method::Get, code, None, &[], Body::None),
            Err(WriteError::InvalidStatusCode)
        );
    }
    assert_eq!(
        response(Method::Get, 999, None, &[], Body::None).unwrap(),
        b"HTTP/1.1 999 \r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn refuses_control_bytes_in_reason_phrase() {
    for reason in [&b"OK\r\nX: y"[..], b"\0", b"a\x7f"] {
        let refused = response(Method::Get, 200, Some(reason), &[], Body::None);
        assert_eq!(refused, Err(WriteError::InvalidReasonPhrase));
    }
    let given = response(
        Method::Get,
        200,
        Some(b"Fine\t \xff"),
        &[],
        Body::UntilClose,
    );
    assert_eq!(given.unwrap(), b"HTTP/1.1 200 Fine\t \xff\r\n\r\n");
}

#[test]
fn refuses_content_length_or_body_in_1xx_and_204() {
    for code in [100, 101, 103, 199, 204] {
        for body in [
            Body::Length(0),
            Body::Chunked,
            Body::UntilClose,
            Body::Advertised(1),
        ] {
            let refused = response(Method::Get, code, None, &[("Upgrade", b"x")], body);
            assert_eq!(refused, Err(WriteError::BodyNotAllowed), "{code} {body:?}");
        }
        assert!(response(Method::Get, code, None, &[("Upgrade", b"x")], Body::None).is_ok());
    }
    assert_eq!(
        response(Method::Get, 204, None, &[], Body::None).unwrap(),
        b"HTTP/1.1 204 No Content\r\n\r\n"
    );
}

#[test]
fn refuses_101_without_upgrade() {
    let refused = response(Method::Get, 101, None, &[], Body::None);
    assert_eq!(refused, Err(WriteError::InvalidSwitch));
    let in_http10 = response_in(
        Method::Get,
        V10,
        101,
        None,
        &[("Upgrade", b"websocket")],
        Body::None,
    );
    assert_eq!(in_http10, Err(WriteError::InformationalInHttp10));
    let switch = response(
        Method::Get,
        101,
        None,
        &[("Upgrade", b"websocket")],
        Body::None,
    );
    assert_eq!(
        switch.unwrap(),
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    );
}

#[test]
fn refuses_framing_fields_in_2xx_to_connect() {
    for body in [Body::Length(0), Body::Chunked, Body::UntilClose] {
        let refused = response(Method::Connect, 200, None, &[], body);
        assert_eq!(refused, Err(WriteError::BodyNotAllowed));
    }
    let tunnel = response(Method::Connect, 200, None, &[], Body::None).unwrap();
    assert_eq!(tunnel, b"HTTP/1.1 200 OK\r\n\r\n");
    // A refusal to CONNECT has a body like any other response.
    assert!(response(Method::Connect, 407, None, &[], Body::Length(2)).is_ok());
}

#[test]
fn refuses_body_after_head_and_in_304() {
    for (method, code) in [(Method::Head, 200), (Method::Head, 404), (Method::Get, 304)] {
        for body in [Body::Length(1), Body::Chunked, Body::UntilClose] {
            let refused = response(method, code, None, &[], body);
            assert_eq!(
                refused,
                Err(WriteError::BodyNotAllowed),
                "{method} {code} {body:?}"
            );
        }
        let advertised = response(method, code, None, &[], Body::Advertised(42)).unwrap();
        assert!(advertised.ends_with(b"\r\nContent-Length: 42\r\n\r\n"));
        let none = response(method, code, None, &[], Body::None).unwrap();
        assert!(!none.windows(15).any(|w| w == b"Content-Length:"));
    }
    let refused = response(Method::Get, 200, None, &[], Body::Advertised(1));
    assert_eq!(refused, Err(WriteError::FramingNotAllowed));
}

#[test]
fn bodyless_response_that_could_have_a_body_gets_content_length_0() {
    let head = response(Method::Post, 201, None, &[("Location", b"/x")], Body::None);
    assert_eq!(
        head.unwrap(),
        b"HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn refuses_too_small_buffer_with_nothing_written() {
    let mut buf = [0u8; 30];
    let mut head = RequestHead::new(&mut buf, Method::Get, "/", V11).unwrap();
    assert_eq!(
        head.field("Host", "example.com").unwrap_err(),
        WriteError::BufferTooSmall
    );
    // Sticky: every later call repeats the refusal.
    assert_eq!(
        head.field("X", "y").unwrap_err(),
        WriteError::BufferTooSmall
    );
    assert_eq!(head.finish(Body::None), Err(WriteError::BufferTooSmall));
    let mut tiny = [0u8; 5];
    assert_eq!(
        RequestHead::new(&mut tiny, Method::Get, "/", V11).unwrap_err(),
        WriteError::BufferTooSmall
    );
    assert_eq!(
        last_chunk(&mut tiny, [("Abc", "def")]),
        Err(WriteError::BufferTooSmall)
    );
}

#[test]
fn refuses_empty_chunk() {
    assert_eq!(chunk_head(0), Err(WriteError::EmptyChunk));
    let mut buf = [0u8; 16];
    assert_eq!(
        write_chunk_head(&mut buf, 0, &[]),
        Err(WriteError::EmptyChunk)
    );
}

#[test]
fn refuses_invalid_chunk_extension() {
    let mut buf = [0u8; 64];
    for ext in [
        ("", None),
        ("a b", None),
        ("a", Some("x\ry")),
        ("a", Some("\x01")),
    ] {
        assert_eq!(
            write_chunk_head(&mut buf, 1, &[ext]),
            Err(WriteError::InvalidChunkExtension),
            "{ext:?}"
        );
    }
    let len = write_chunk_head(
        &mut buf,
        16,
        &[("q", Some("a\"b\\c")), ("t", Some("tok")), ("e", Some(""))],
    )
    .unwrap();
    assert_eq!(&buf[..len], b"10;q=\"a\\\"b\\\\c\";t=tok;e=\"\"\r\n");
}

#[test]
fn refuses_framing_and_host_trailers() {
    let mut buf = [0u8; 64];
    for name in ["Content-Length", "transfer-encoding", "HOST"] {
        assert_eq!(
            last_chunk(&mut buf, [(name, "1")]),
            Err(WriteError::ForbiddenTrailer)
        );
    }
    assert_eq!(
        last_chunk(&mut buf, [("X", "a\nb")]),
        Err(WriteError::InvalidFieldValue)
    );
    assert_eq!(
        last_chunk(&mut buf, [("X Y", "a")]),
        Err(WriteError::InvalidFieldName)
    );
    let none: [(&str, &str); 0] = [];
    let len = last_chunk(&mut buf, none).unwrap();
    assert_eq!(&buf[..len], h1_parser::write::LAST_CHUNK);
}

#[test]
fn parser_errors_are_named_for_the_syntax_rules_only() {
    assert_eq!(
        WriteError::InvalidFieldValue.parser_error(),
        Some(Error::InvalidHeaderValue)
    );
    assert_eq!(
        WriteError::MissingHost.parser_error(),
        Some(Error::MissingHost)
    );
    for sender_only in [
        WriteError::BufferTooSmall,
        WriteError::FieldValueWhitespace,
        WriteError::FramingField,
        WriteError::BodyNotAllowed,
        WriteError::FramingNotAllowed,
        WriteError::EmptyChunk,
        WriteError::ForbiddenTrailer,
        WriteError::TransferEncodingInHttp10,
    ] {
        assert_eq!(sender_only.parser_error(), None, "{sender_only:?}");
    }
}

#[test]
fn reason_phrases_are_rfc_9110_section_15_and_the_registered_few_a_server_sends() {
    let defined = (100..=999)
        .filter(|&code| reason_phrase(code).is_some())
        .count();
    assert_eq!(defined, 48);
    assert_eq!(reason_phrase(102), Some("Processing"), "RFC 2518 §10.1");
    assert_eq!(reason_phrase(103), Some("Early Hints"), "RFC 8297 §2");
    assert_eq!(reason_phrase(429), Some("Too Many Requests"), "RFC 6585 §4");
    assert_eq!(
        reason_phrase(431),
        Some("Request Header Fields Too Large"),
        "RFC 6585 §5"
    );
    assert_eq!(reason_phrase(421), Some("Misdirected Request"));
    assert_eq!(reason_phrase(418), None, "unused in RFC 9110 §15.5.19");
    assert_eq!(reason_phrase(306), None, "unused in RFC 9110 §15.4.7");
    assert_eq!(
        response(Method::Get, 503, None, &[], Body::UntilClose).unwrap(),
        b"HTTP/1.1 503 Service Unavailable\r\n\r\n"
    );
}

#[cfg(feature = "std")]
mod vec_and_io {
    use super::*;

    #[test]
    fn vec_writer_appends_and_truncates_back_on_refusal() {
        let mut vec = b"earlier".to_vec();
        let mut head = RequestHead::new(&mut vec, Method::Get, "/", V11).unwrap();
        head.field("Host", "a").unwrap();
        assert_eq!(
            head.field("X", "1\r\nY: 2").unwrap_err(),
            WriteError::InvalidFieldValue
        );
        drop(head);
        assert_eq!(vec, b"earlier");
        let head = ResponseHead::new(&mut vec, Method::Get, V11, 200, None).unwrap();
        let len = head.finish(Body::Length(0)).unwrap();
        assert_eq!(vec, b"earlierHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(len, vec.len() - 7);
    }

    #[test]
    fn a_head_dropped_before_finish_is_not_written() {
        let mut vec = Vec::new();
        let mut head = RequestHead::new(&mut vec, Method::Get, "/", V11).unwrap();
        head.field("Host", "a").unwrap();
        drop(head);
        assert!(vec.is_empty());
    }

    #[test]
    fn vec_writer_does_not_allocate_when_capacity_suffices() {
        let mut vec = Vec::with_capacity(256);
        let before = vec.as_ptr();
        for _ in 0..3 {
            vec.clear();
            let mut head = ResponseHead::new(&mut vec, Method::Get, V11, 200, None).unwrap();
            head.field("Content-Type", "text/plain").unwrap();
            head.finish(Body::Length(5)).unwrap();
        }
        assert_eq!((vec.as_ptr(), vec.capacity()), (before, 256));
    }

    #[test]
    fn finish_to_writes_the_head_to_any_io_write() {
        let mut staging = [0u8; 128];
        let mut sink = std::io::Cursor::new(Vec::new());
        let mut head = RequestHead::new(&mut staging, Method::Get, "/", V11).unwrap();
        head.field("Host", "a").unwrap();
        let len = head.finish_to(Body::None, &mut sink).unwrap();
        assert_eq!(sink.get_ref(), b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(len, sink.get_ref().len());
        let head = RequestHead::new(&mut staging, Method::Get, "/", V11).unwrap();
        let refused = head.finish_to(Body::None, &mut sink).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    }
}
