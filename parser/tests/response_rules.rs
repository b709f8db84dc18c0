//! What the corpus (`tests/cases/response-*.txt`, the one home of accept/reject and offsets)
//! cannot say about responses: the accessors' values, `Response::framing` and persistence
//! through the API, the close-delimited body's calling pattern, sticky errors.

use h1_parser::{
    BodyDecoder, Config, Decoded, Error, Framing, Method, Progress, ResponseParser, Version,
};

const STRICT: Config = Config::new();

/// Errors are final: the same error and offset again, whatever the next call brings.
#[test]
fn an_error_is_final() {
    let input = b"HTTP/1.1 2x0 OK\r\n\r\n";
    let mut parser = ResponseParser::with_config(STRICT);
    assert_eq!(parser.parse(input).err(), Some(Error::InvalidStatusCode));
    assert_eq!(parser.error_offset(), Some(10));
    assert_eq!(
        parser.parse(b"HTTP/1.1 200 OK\r\n\r\n").err(),
        Some(Error::InvalidStatusCode)
    );
    assert_eq!(parser.error_offset(), Some(10));
}

/// Parses a complete head and hands the response to `f`.
fn with_response<R>(config: Config, input: &[u8], f: impl FnOnce(&h1_parser::Response) -> R) -> R {
    let mut parser = ResponseParser::with_config(config);
    match parser.parse(input) {
        Ok(Progress::Complete(response)) => f(&response),
        other => panic!("{}: {other:?}", input.escape_ascii()),
    }
}

/// The framing of a response to a request that sent no Upgrade.
fn framing(input: &[u8], method: Method) -> Framing {
    with_response(STRICT, input, |response| response.framing(method, false)).unwrap()
}

// ---- status-line, RFC 9112 §4 ----

#[test]
fn accepts_status_line_of_version_sp_code_sp_reason_crlf() {
    with_response(STRICT, b"HTTP/1.0 404 Not Found\r\n\r\n", |response| {
        assert_eq!(response.version(), Version::Http10);
        assert_eq!(response.status(), 404);
        assert_eq!(response.reason(), b"Not Found");
        assert!(response.headers().is_empty());
    });
}

#[test]
fn accepts_empty_reason_phrase_after_sp() {
    with_response(STRICT, b"HTTP/1.1 200 \r\n\r\n", |response| {
        assert_eq!(response.reason(), b"")
    });
}

#[test]
fn accepts_missing_sp_after_status_code_under_its_leniency() {
    let lenient = STRICT.allow_missing_reason_sp(true);
    with_response(lenient, b"HTTP/1.1 301\r\n\r\n", |response| {
        assert_eq!((response.status(), response.reason()), (301, &b""[..]))
    });
}

#[test]
fn accepts_status_codes_100_to_999() {
    for code in [100u16, 101, 199, 200, 204, 304, 418, 599, 600, 999] {
        let input = format!("HTTP/1.1 {code} X\r\n\r\n");
        with_response(STRICT, input.as_bytes(), |response| {
            assert_eq!(response.status(), code)
        });
    }
}

#[test]
fn accepts_htab_sp_vchar_obs_text_in_reason_phrase() {
    // The reason phrase is kept exactly: leading and trailing whitespace included.
    with_response(STRICT, b"HTTP/1.1 200  OK \r\n\r\n", |response| {
        assert_eq!(response.reason(), b" OK ")
    });
}

#[test]
fn skips_one_empty_line_before_status_line() {
    // RFC 9112 §2.2's robustness rule, which a server applies before a request-line, applied
    // to the status-line as llhttp does: aiohttp 4.0.0a2 sends an empty line after
    // `100 Continue`. At most one; a bare LF only under its leniency.
    // The head includes the empty line, and the response reads as without it.
    with_response(
        STRICT,
        b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
        |response| {
            assert_eq!((response.status(), response.reason()), (200, &b"OK"[..]));
            assert_eq!(response.head_len(), 40);
            assert_eq!(response.framing(Method::Get, false), Ok(Framing::Length(2)));
        },
    );
}

// ---- fields: the request rules, through the same machine ----

#[test]
fn applies_the_field_rules_of_requests_to_responses() {
    // obs-fold under its leniency, as for requests (the value keeps its raw bytes).
    let fold = STRICT.allow_obs_fold(true);
    with_response(fold, b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", |response| {
        let x = response.headers().nth(0).expect("a field");
        assert_eq!(x.unfolded().collect::<Vec<u8>>(), b"a   b");
    });
}

// ---- framing, RFC 9112 §6.3 ----

#[test]
fn no_body_for_any_response_to_head() {
    for input in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 404 Not Found\r\n\r\n",
    ] {
        assert_eq!(framing(input, Method::Head), Framing::NoBody);
    }
}

#[test]
fn no_body_for_1xx_204_and_304() {
    for code in ["100", "102", "103", "199", "204", "304"] {
        let input = format!("HTTP/1.1 {code} X\r\nContent-Length: 10\r\n\r\n");
        assert_eq!(
            framing(input.as_bytes(), Method::Get),
            Framing::NoBody,
            "{code}"
        );
    }
}

#[test]
fn tunnel_after_2xx_to_connect() {
    assert_eq!(
        framing(b"HTTP/1.1 200 OK\r\n\r\n", Method::Connect),
        Framing::Tunnel
    );
    assert_eq!(
        framing(
            b"HTTP/1.1 299 X\r\nContent-Length: 5\r\n\r\n",
            Method::Connect
        ),
        Framing::Tunnel
    );
    // A refused CONNECT has an ordinary body.
    assert_eq!(
        framing(
            b"HTTP/1.1 407 Auth\r\nContent-Length: 5\r\n\r\n",
            Method::Connect
        ),
        Framing::Length(5)
    );
}

#[test]
fn tunnel_after_101_only_when_the_request_asked_to_upgrade() {
    // RFC 9110 §15.2.2: a 101 switches to a protocol the request's Upgrade field offered, and
    // names it in its own Upgrade field; RFC 9110 §7.8: Upgrade means nothing in HTTP/1.0.
    let switched = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    let framing_of = |input: &[u8], upgrade_sent| {
        with_response(STRICT, input, |response| {
            response.framing(Method::Get, upgrade_sent)
        })
    };
    assert_eq!(framing_of(switched, true), Ok(Framing::Tunnel));
    // Not asked for: the connection cannot be read any further, as HTTP or as anything.
    assert_eq!(framing_of(switched, false), Err(Error::UnexpectedUpgrade));
    assert_eq!(
        framing_of(
            b"HTTP/1.0 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
            true
        ),
        Err(Error::UnexpectedUpgrade)
    );
    assert_eq!(
        framing_of(b"HTTP/1.1 101 Switching Protocols\r\n\r\n", true),
        Err(Error::UnexpectedUpgrade)
    );
    assert_eq!(Error::UnexpectedUpgrade.status(), 502);
    // A server may ignore the offer: any other answer is framed as usual.
    assert_eq!(
        framing_of(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", true),
        Ok(Framing::Length(2))
    );
    // 101 is not interim: no final response follows it on this connection.
    with_response(STRICT, switched, |response| {
        assert!(!response.is_interim());
        assert!(!response.keep_alive(Method::Get));
    });
    for code in ["100", "102", "103", "199"] {
        let input = format!("HTTP/1.1 {code} X\r\n\r\n");
        with_response(STRICT, input.as_bytes(), |response| {
            assert!(response.is_interim(), "{code}")
        });
    }
}

#[test]
fn chunked_when_final_transfer_coding_is_chunked() {
    for te in ["chunked", "gzip, chunked", "Chunked"] {
        let input = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: {te}\r\n\r\n");
        assert_eq!(
            framing(input.as_bytes(), Method::Get),
            Framing::Chunked,
            "{te}"
        );
    }
}

#[test]
fn until_close_when_final_transfer_coding_is_not_chunked() {
    for te in ["gzip", "chunked, gzip", "identity"] {
        let input = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: {te}\r\n\r\n");
        assert_eq!(
            framing(input.as_bytes(), Method::Get),
            Framing::UntilClose,
            "{te}"
        );
    }
}

#[test]
fn until_close_without_content_length_or_transfer_encoding() {
    assert_eq!(
        framing(b"HTTP/1.1 200 OK\r\n\r\n", Method::Get),
        Framing::UntilClose
    );
    assert_eq!(
        framing(b"HTTP/1.0 200 OK\r\n\r\n", Method::Post),
        Framing::UntilClose
    );
}

#[test]
fn length_from_content_length() {
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\nContent-Length: 42, 42\r\n\r\n";
    assert_eq!(framing(input, Method::Get), Framing::Length(42));
}

// ---- the close-delimited body, and the end of input ----

#[test]
fn close_delimited_body_ends_at_finish() {
    let mut decoder = BodyDecoder::new(Framing::UntilClose, STRICT);
    assert_eq!(decoder.decode(b"").unwrap(), (0, Decoded::Partial));
    assert_eq!(decoder.decode(b"abc").unwrap(), (3, Decoded::Data(b"abc")));
    assert_eq!(decoder.decode(b"").unwrap(), (0, Decoded::Partial));
    assert!(!decoder.is_done());
    assert_eq!(decoder.finish(), Ok(()));
    assert!(decoder.is_done());
    assert_eq!(decoder.decode(b"").unwrap(), (0, Decoded::Done));
}

#[test]
fn close_delimited_body_is_bounded_by_max_body_size() {
    let mut decoder = BodyDecoder::new(Framing::UntilClose, STRICT.max_body_size(4));
    assert_eq!(decoder.decode(b"abc").unwrap(), (3, Decoded::Data(b"abc")));
    // The bytes up to the limit are data, whatever the split; the next one is the error.
    assert_eq!(decoder.decode(b"de").unwrap(), (1, Decoded::Data(b"d")));
    assert_eq!(decoder.decode(b"e"), Err(Error::BodyTooLarge));
    assert_eq!(decoder.error_offset(), Some(4));
    assert_eq!(decoder.finish(), Err(Error::BodyTooLarge));
}

#[test]
fn max_body_size_applies_only_where_a_response_has_a_body() {
    // RFC 9112 §6.3 item 1: a HEAD answer, a 204 or a 304 has no body whatever its
    // Content-Length says (the size of the representation, larger than the limit here), and
    // a 2xx to CONNECT is a tunnel: no head is refused for the limit.
    let limited = STRICT.max_body_size(5);
    let no_body: [(&[u8], Method); 4] = [
        (
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10000000\r\n\r\n",
            Method::Get,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n",
            Method::Head,
        ),
        (
            b"HTTP/1.1 204 No Content\r\nContent-Length: 10000000\r\n\r\n",
            Method::Get,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n",
            Method::Connect,
        ),
    ];
    for (input, method) in no_body {
        let framing = with_response(limited, input, |response| response.framing(method, false));
        assert!(
            matches!(framing, Ok(Framing::NoBody | Framing::Tunnel)),
            "{}: {framing:?}",
            input.escape_ascii()
        );
    }
    // A body that is read is bounded where it is read: the decoder refuses it before any
    // byte of it, at the body's first byte.
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    let framing = with_response(limited, input, |response| {
        response.framing(Method::Get, false)
    });
    let framing = framing.unwrap();
    assert_eq!(framing, Framing::Length(10));
    let mut decoder = BodyDecoder::new(framing, limited);
    assert_eq!(decoder.decode(b"0123456789"), Err(Error::BodyTooLarge));
    assert_eq!(decoder.error_offset(), Some(0));
    assert_eq!(decoder.finish(), Err(Error::BodyTooLarge));
    // The limit itself is allowed.
    let mut decoder = BodyDecoder::new(Framing::Length(5), limited);
    assert_eq!(decoder.decode(b"01234"), Ok((5, Decoded::Data(b"01234"))));
}

#[test]
fn end_of_input_inside_a_length_body_is_incomplete_body() {
    let mut decoder = BodyDecoder::new(Framing::Length(5), STRICT);
    assert_eq!(decoder.decode(b"abc").unwrap(), (3, Decoded::Data(b"abc")));
    assert_eq!(decoder.finish(), Err(Error::IncompleteBody));
    assert_eq!(decoder.error_offset(), Some(3));
    // Final, like every error.
    assert_eq!(decoder.decode(b"de"), Err(Error::IncompleteBody));
}

#[test]
fn end_of_input_inside_a_chunked_body_is_incomplete_body() {
    for wire in [
        &b"3\r\nab"[..],
        b"3\r\nabc\r\n",
        b"0\r\n",
        b"0\r\nT: 1\r\n",
        b"",
    ] {
        let mut decoder = BodyDecoder::new(Framing::Chunked, STRICT);
        let mut at = 0;
        while let Ok((n, found)) = decoder.decode(&wire[at..]) {
            at += n;
            if found == Decoded::Partial {
                break;
            }
        }
        assert_eq!(
            decoder.finish(),
            Err(Error::IncompleteBody),
            "{}",
            wire.escape_ascii()
        );
        assert_eq!(decoder.error_offset(), Some(at as u64));
    }
}

#[test]
fn end_of_input_after_a_complete_body_is_not_an_error() {
    let mut decoder = BodyDecoder::new(Framing::Length(2), STRICT);
    assert_eq!(decoder.decode(b"ab").unwrap(), (2, Decoded::Data(b"ab")));
    assert_eq!(decoder.finish(), Ok(()));
    for framing in [Framing::NoBody, Framing::Tunnel, Framing::Length(0)] {
        let mut decoder = BodyDecoder::new(framing, STRICT);
        assert_eq!(decoder.finish(), Ok(()));
        assert_eq!(decoder.decode(b"more").unwrap(), (0, Decoded::Done));
    }
}

// ---- persistence, RFC 9112 §9.3 ----

#[test]
fn keep_alive_follows_version_connection_and_framing() {
    let cases: [(&[u8], Method, bool); 9] = [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            Method::Get,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            Method::Get,
            false,
        ),
        (
            b"HTTP/1.1 200 OK\r\nConnection: x, Close\r\nContent-Length: 0\r\n\r\n",
            Method::Get,
            false,
        ),
        (
            b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
            Method::Get,
            false,
        ),
        (
            b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
            Method::Get,
            true,
        ),
        // The body runs to the close: the connection ends with it.
        (b"HTTP/1.1 200 OK\r\n\r\n", Method::Get, false),
        // ... unless there is no body at all.
        (b"HTTP/1.1 200 OK\r\n\r\n", Method::Head, true),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
            Method::Get,
            false,
        ),
        (b"HTTP/1.1 200 OK\r\n\r\n", Method::Connect, false),
    ];
    for (input, method, expected) in cases {
        let keep_alive = with_response(STRICT, input, |response| response.keep_alive(method));
        assert_eq!(
            keep_alive,
            expected,
            "{} to {method:?}",
            input.escape_ascii()
        );
    }
}

// ---- the calling pattern ----

#[test]
fn interim_responses_are_complete_messages_and_the_final_one_follows() {
    let wire: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let mut parser = ResponseParser::new();
    let (mut at, mut codes) = (0, Vec::new());
    loop {
        let response = parser.parse(&wire[at..]).unwrap().complete().unwrap();
        codes.push(response.status());
        at += response.head_len();
        if !response.is_interim() {
            assert_eq!(
                response.framing(Method::Post, false),
                Ok(Framing::Length(2))
            );
            break;
        }
        assert_eq!(response.framing(Method::Post, false), Ok(Framing::NoBody));
        parser.reset();
    }
    assert_eq!(codes, [100, 103, 200]);
    assert_eq!(&wire[at..], b"ok");
}

#[test]
fn response_is_available_again_over_a_moved_buffer() {
    let mut parser = ResponseParser::<8>::from_config(STRICT);
    let input = b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n".to_vec();
    assert!(parser.parse(&input).unwrap().is_complete());
    let moved = input.clone();
    let response = parser.response(&moved).expect("complete");
    assert_eq!(response.headers().get("a"), Some(&b"1"[..]));
    assert!(parser.response(&moved[..5]).is_none());
}
