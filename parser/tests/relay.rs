//! What a proxy relays of a head: `Headers::end_to_end` (RFC 9110 §7.6.1: all but the
//! connection's own fields, and without the framing fields, RFC 9112 §6) and
//! `Headers::codings_before_chunked` (RFC 9112 §6.1: the codings that stay on the content).

use h1_parser::{Header, Headers, Progress, RequestParser, ResponseParser};

/// The end-to-end fields as `name: value` lines.
fn end_to_end(headers: Headers<'_>) -> Vec<String> {
    let line = |f: Header<'_>| format!("{}: {}", f.name, String::from_utf8_lossy(f.value));
    headers.end_to_end().map(line).collect()
}

fn with_request<R>(head: &[u8], each: impl FnOnce(Headers<'_>) -> R) -> R {
    let mut parser = RequestParser::new();
    match parser.parse(head) {
        Ok(Progress::Complete(request)) => each(request.headers()),
        other => panic!("{other:?} for {:?}", String::from_utf8_lossy(head)),
    }
}

fn with_response<R>(head: &[u8], each: impl FnOnce(Headers<'_>) -> R) -> R {
    let mut parser = ResponseParser::new();
    match parser.parse(head) {
        Ok(Progress::Complete(response)) => each(response.headers()),
        other => panic!("{other:?} for {:?}", String::from_utf8_lossy(head)),
    }
}

fn codings(head: &[u8]) -> Vec<String> {
    with_response(head, |headers| {
        let codings = headers.codings_before_chunked();
        codings
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    })
}

#[test]
fn end_to_end_leaves_out_the_hop_by_hop_fields_and_content_length() {
    let head = b"POST /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n\
        Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n\
        Upgrade: websocket\r\nContent-Length: 0\r\nTrailer: X-Sum\r\nAccept: */*\r\n\r\n";
    let kept = with_request(head, end_to_end);
    // Trailer is not hop-by-hop (RFC 9110 §6.6.2): it stays, as do Host and the rest, in order.
    assert_eq!(kept, ["Host: a", "Trailer: X-Sum", "Accept: */*"]);
}

#[test]
fn end_to_end_leaves_out_every_field_a_connection_option_names() {
    // Options in any case, with OWS, over several Connection fields; repeated fields too.
    let head = b"GET / HTTP/1.1\r\nX-A: 1\r\nConnection: x-a ,X-B\r\nX-B: 2\r\nX-Kept: 3\r\n\
        connection: X-c\r\nx-C: 4\r\nX-A: 5\r\nHost: a\r\nX-Kept: 6\r\n\r\n";
    let kept = with_request(head, end_to_end);
    assert_eq!(kept, ["X-Kept: 3", "Host: a", "X-Kept: 6"]);
}

#[test]
fn end_to_end_leaves_out_transfer_encoding_and_keeps_a_head_without_connection_fields_whole() {
    let head = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n";
    assert_eq!(with_request(head, end_to_end), ["Host: a", "X-A: 1"]);
    let head = b"HTTP/1.1 200 OK\r\nDate: today\r\nX-A: 1\r\nX-A: 2\r\n\r\n";
    assert_eq!(
        with_response(head, end_to_end),
        ["Date: today", "X-A: 1", "X-A: 2"]
    );
    assert!(with_response(b"HTTP/1.1 204 No Content\r\n\r\n", end_to_end).is_empty());
}

#[test]
fn codings_before_chunked_are_the_codings_but_chunked_in_order() {
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    assert_eq!(codings(head), ["gzip"]);
    // Several fields make one list (RFC 9110 §5.3); empty members are skipped, OWS trimmed.
    let head =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: , gzip ,\r\nTransfer-Encoding: br,CHUNKED\r\n\r\n";
    assert_eq!(codings(head), ["gzip", "br"]);
    // A member keeps its parameters.
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: x-pack;level=1, chunked\r\n\r\n";
    assert_eq!(codings(head), ["x-pack;level=1"]);
    // A response whose last coding is not chunked runs to the close: all its codings stay.
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
    assert_eq!(codings(head), ["gzip"]);
}

#[test]
fn codings_before_chunked_is_empty_for_chunked_alone_and_without_transfer_encoding() {
    assert!(codings(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").is_empty());
    assert!(codings(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n").is_empty());
    let head = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(
        with_request(head, |h| h.codings_before_chunked().count()),
        0
    );
}
