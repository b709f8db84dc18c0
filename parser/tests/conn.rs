//! The connection core's decisions, one behaviour per test: persistence, framing of what it
//! sends, pipelining, 100-continue both ways, interim responses, upgrades, errors.

use h1_parser::conn::{ClientConn, ConnError, Event, ServerConn, CONTINUE};
use h1_parser::write::{Body, CheckedFields, WriteError};
use h1_parser::{Config, Error, Method};

/// What a server connection did with `input`: the events (data and trailers resolved), and
/// the consumed count, answering each request with `answer` when it is owed.
#[derive(Debug, Default)]
struct Run {
    events: Vec<String>,
    out: Vec<u8>,
    consumed: usize,
}

fn serve(
    conn: &mut ServerConn,
    input: &[u8],
    mut answer: impl FnMut(&mut ServerConn, &mut Vec<u8>),
) -> Run {
    let mut run = Run::default();
    loop {
        let (consumed, event) = match conn.receive(&input[run.consumed..]) {
            Ok(step) => step,
            Err(error) => {
                run.events.push(format!("error {error:?}"));
                conn.answer_error(&mut run.out).unwrap();
                return run;
            }
        };
        let here = &input[run.consumed..];
        match &event {
            Event::Head => {
                let request = conn.request(here).unwrap();
                run.events
                    .push(format!("head {} {}", request.method(), request.target()));
            }
            Event::Data(range) => run.events.push(format!(
                "data {}",
                String::from_utf8_lossy(&here[range.clone()])
            )),
            Event::Trailer { name, value } => run.events.push(format!(
                "trailer {}: {}",
                String::from_utf8_lossy(&here[name.clone()]),
                String::from_utf8_lossy(&here[value.clone()])
            )),
            Event::WriteContinue => {
                run.events.push("continue".into());
                run.out.extend_from_slice(CONTINUE);
            }
            Event::End | Event::AnswerOwed => {
                if event == Event::End {
                    run.events.push("end".into());
                }
                answer(conn, &mut run.out);
            }
            Event::NeedMore | Event::Closed | Event::Upgrade => {
                run.consumed += consumed;
                run.events.push(format!("{event:?}").to_lowercase());
                return run;
            }
            Event::Interim => unreachable!("server role"),
        }
        run.consumed += consumed;
    }
}

fn hello(conn: &mut ServerConn, out: &mut Vec<u8>) {
    conn.respond(out, 200)
        .unwrap()
        .finish_with(b"hello")
        .unwrap();
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn pipelined_requests_are_answered_in_order_and_the_last_closes() {
    let input = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n\
                  GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /4 HTTP/1.1\r\n";
    let mut conn = ServerConn::new(Config::new());
    let mut n = 0;
    let run = serve(&mut conn, input, |conn, out| {
        n += 1;
        conn.respond(out, 200)
            .unwrap()
            .finish_with(format!("{n}").as_bytes())
            .unwrap();
    });
    assert_eq!(
        run.events,
        [
            "head GET /1",
            "end",
            "head GET /2",
            "end",
            "head GET /3",
            "end",
            "closed"
        ]
    );
    let out = text(&run.out);
    assert!(
        out.ends_with("Connection: close\r\nContent-Length: 1\r\n\r\n3"),
        "{out}"
    );
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 3);
    assert!(!conn.keep_alive());
    // The fourth request is never read: the bytes after the third stay unconsumed.
    assert_eq!(&input[run.consumed..], b"GET /4 HTTP/1.1\r\n");
}

#[test]
fn an_answer_is_owed_before_the_next_request_is_read() {
    let input = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut conn = ServerConn::new(Config::new());
    let (consumed, event) = conn.receive(input).unwrap();
    assert_eq!(event, Event::Head);
    let rest = &input[consumed..];
    assert_eq!(conn.receive(rest).unwrap(), (0, Event::End));
    assert_eq!(conn.receive(rest).unwrap(), (0, Event::AnswerOwed));
    assert_eq!(conn.receive(rest).unwrap(), (0, Event::AnswerOwed));
    let mut out = Vec::new();
    hello(&mut conn, &mut out);
    assert_eq!(conn.receive(rest).unwrap().1, Event::Head);
}

#[test]
fn http10_is_closed_unless_it_asks_for_keep_alive_and_is_told_so() {
    let mut conn = ServerConn::new(Config::new());
    let run = serve(&mut conn, b"GET / HTTP/1.0\r\n\r\n", hello);
    assert_eq!(run.events.last().unwrap(), "closed");
    assert!(text(&run.out).contains("Connection: close\r\n"));

    let mut conn = ServerConn::new(Config::new());
    let input = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    let run = serve(&mut conn, input, hello);
    assert_eq!(run.events.last().unwrap(), "needmore");
    assert!(text(&run.out).contains("Connection: keep-alive\r\n"));
}

#[test]
fn a_chunked_answer_to_http10_runs_to_the_close() {
    let mut conn = ServerConn::new(Config::new());
    let input = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    let run = serve(&mut conn, input, |conn, out| {
        conn.respond(&mut *out, 200)
            .unwrap()
            .finish(Body::Chunked)
            .unwrap();
        conn.send_data(&mut *out, b"abc").unwrap();
        conn.finish(&mut *out).unwrap();
    });
    assert_eq!(
        text(&run.out),
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc",
        "no chunked framing, no Content-Length: the close ends the body"
    );
    assert_eq!(run.events.last().unwrap(), "closed");
}

#[test]
fn chunked_framing_and_trailers_are_written_for_the_caller() {
    let mut conn = ServerConn::new(Config::new());
    let run = serve(
        &mut conn,
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        |conn, out| {
            conn.respond(&mut *out, 200)
                .unwrap()
                .finish(Body::Chunked)
                .unwrap();
            conn.send_data(&mut *out, b"hello").unwrap();
            assert_eq!(
                conn.send_data(&mut *out, b""),
                Ok(0),
                "an empty piece writes no chunk"
            );
            conn.finish_with_trailers(&mut *out, [("Checksum", "abc")])
                .unwrap();
        },
    );
    assert_eq!(
        text(&run.out),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nChecksum: abc\r\n\r\n"
    );
}

#[test]
fn a_length_body_is_exactly_its_length() {
    let mut conn = ServerConn::new(Config::new());
    serve(
        &mut conn,
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        |conn, out| {
            conn.respond(&mut *out, 200)
                .unwrap()
                .finish(Body::Length(4))
                .unwrap();
            let before = out.len();
            assert_eq!(
                conn.send_data(&mut *out, b"12345"),
                Err(ConnError::BodyTooLong)
            );
            assert_eq!(out.len(), before, "nothing written");
            conn.send_data(&mut *out, b"12").unwrap();
            assert_eq!(conn.finish(&mut *out), Err(ConnError::BodyTooShort));
            assert_eq!(
                conn.finish_with_trailers(&mut *out, [("A", "b")]),
                Err(ConnError::BodyTooShort)
            );
            conn.send_data(&mut *out, b"34").unwrap();
            assert_eq!(
                conn.finish_with_trailers(&mut *out, [("A", "b")]),
                Err(ConnError::TrailersNeedChunked)
            );
            conn.finish(&mut *out).unwrap();
            assert_eq!(conn.send_data(&mut *out, b"x"), Err(ConnError::OutOfOrder));
        },
    );
}

#[test]
fn head_and_304_advertise_a_length_and_drop_the_data() {
    for (input, code, expected) in [
        (
            &b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
            200,
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            304,
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            204,
            "HTTP/1.1 204 No Content\r\n\r\n",
        ),
    ] {
        let mut conn = ServerConn::new(Config::new());
        let run = serve(&mut conn, input, |conn, out| {
            conn.respond(&mut *out, code)
                .unwrap()
                .finish(Body::Length(5))
                .unwrap();
            assert!(!conn.sends_data(), "{code}: the data would be dropped");
            assert_eq!(conn.send_data(&mut *out, b"hello"), Ok(0));
            conn.finish(&mut *out).unwrap();
        });
        assert_eq!(text(&run.out), expected);
        assert_eq!(
            run.events.last().unwrap(),
            "needmore",
            "the connection persists"
        );
    }
}

#[test]
fn continue_is_asked_for_only_when_the_body_is_read() {
    let head = b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    // The application reads the body: the client is told to send it.
    let mut conn = ServerConn::new(Config::new());
    let mut input = head.to_vec();
    input.extend_from_slice(b"abc");
    let run = serve(&mut conn, &input, hello);
    assert_eq!(run.events[..3], ["head PUT /f", "continue", "data abc"]);
    assert!(text(&run.out).starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"));
    assert_eq!(run.events.last().unwrap(), "needmore");

    // It answers first: no 100, and the connection closes (the client may or may not send).
    let mut conn = ServerConn::new(Config::new());
    let (consumed, event) = conn.receive(head).unwrap();
    assert_eq!((consumed, event), (head.len(), Event::Head));
    let mut out = Vec::new();
    conn.respond(&mut out, 413)
        .unwrap()
        .finish(Body::None)
        .unwrap();
    assert_eq!(
        text(&out),
        "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(conn.receive(b"abc").unwrap(), (0, Event::Closed));
}

#[test]
fn a_body_left_unread_is_drained_within_the_limit_or_the_connection_closes() {
    let input = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut conn = ServerConn::new(Config::new());
    let (consumed, _) = conn.receive(input).unwrap();
    let mut out = Vec::new();
    hello(&mut conn, &mut out);
    let (drained, event) = conn.receive(&input[consumed..]).unwrap();
    assert_eq!(
        event,
        Event::Head,
        "the body was dropped, the next request read"
    );
    assert_eq!(
        conn.request(&input[consumed + 5..]).unwrap().target(),
        "/next"
    );
    assert_eq!(consumed + drained, input.len());

    let mut conn = ServerConn::new(Config::new());
    conn.set_drain_limit(4);
    let (consumed, _) = conn.receive(input).unwrap();
    hello(&mut conn, &mut out);
    assert_eq!(conn.receive(&input[consumed..]).unwrap().1, Event::Closed);
}

#[test]
fn interim_answers_precede_the_final_one_and_never_go_to_http10() {
    let mut conn = ServerConn::new(Config::new());
    conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    let mut out = Vec::new();
    conn.interim(&mut out, 103, [("Link", "</s.css>; rel=preload")])
        .unwrap();
    hello(&mut conn, &mut out);
    assert!(text(&out).starts_with(
        "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK"
    ));
    assert_eq!(
        conn.interim(&mut out, 103, [("Link", "x")]),
        Err(ConnError::OutOfOrder),
        "not after the final answer"
    );

    let mut conn = ServerConn::new(Config::new());
    conn.receive(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(
        conn.interim(&mut out, 103, [("Link", "x")]),
        Err(ConnError::InterimToHttp10)
    );
}

#[test]
fn an_upgrade_hands_over_the_bytes_after_the_request() {
    let input = b"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
    let mut conn = ServerConn::new(Config::new());
    let (consumed, _) = conn.receive(input).unwrap();
    let mut out = Vec::new();
    let mut answer = conn.respond(&mut out, 101).unwrap();
    answer
        .field("Connection", "upgrade")
        .unwrap()
        .field("Upgrade", "websocket")
        .unwrap();
    answer.finish(Body::None).unwrap();
    let rest = &input[consumed..];
    assert_eq!(conn.receive(rest).unwrap(), (0, Event::End));
    assert_eq!(conn.receive(rest).unwrap(), (0, Event::Upgrade));
    assert_eq!(rest, b"\x81\x05hello");
    assert_eq!(conn.send_data(&mut out, b"x"), Err(ConnError::OutOfOrder));

    // A 101 to a request that offered nothing is refused.
    let mut conn = ServerConn::new(Config::new());
    conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    assert_eq!(
        conn.respond(&mut out, 101).map(|_| ()),
        Err(ConnError::UpgradeNotRequested)
    );
}

#[test]
fn connect_2xx_is_a_tunnel_and_a_refusal_closes() {
    let input = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03";
    let mut conn = ServerConn::new(Config::new());
    let (consumed, _) = conn.receive(input).unwrap();
    let mut out = Vec::new();
    conn.respond(&mut out, 200)
        .unwrap()
        .finish(Body::Length(3))
        .unwrap();
    assert_eq!(
        text(&out),
        "HTTP/1.1 200 OK\r\n\r\n",
        "no framing field in a 2xx to CONNECT"
    );
    assert_eq!(conn.receive(&input[consumed..]).unwrap().1, Event::End);
    assert_eq!(
        conn.receive(&input[consumed..]).unwrap(),
        (0, Event::Upgrade)
    );

    let mut conn = ServerConn::new(Config::new());
    let run = serve(&mut conn, input, |conn, out| {
        conn.respond(out, 403).unwrap().finish(Body::None).unwrap();
    });
    assert!(text(&run.out).contains("Connection: close\r\n"));
    assert_eq!(run.events.last().unwrap(), "closed");
}

#[test]
fn a_broken_request_gets_its_status_and_a_close() {
    let mut conn = ServerConn::new(Config::new());
    let run = serve(
        &mut conn,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
        hello,
    );
    assert_eq!(run.events, ["error Parse(WhitespaceBeforeColon)"]);
    let out = text(&run.out);
    assert!(
        out.starts_with("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"),
        "{out}"
    );
    assert_eq!(conn.receive(b"").unwrap(), (0, Event::Closed));

    // A body error after the answer's head was sent: nothing more is written.
    let mut conn = ServerConn::new(Config::new());
    let input = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    let (consumed, _) = conn.receive(input).unwrap();
    let mut out = Vec::new();
    conn.respond(&mut out, 200)
        .unwrap()
        .finish(Body::Chunked)
        .unwrap();
    let error = conn.receive(&input[consumed..]).unwrap_err();
    assert_eq!(error, ConnError::Parse(Error::InvalidChunkSize));
    assert_eq!(conn.answer_error(&mut out), Ok(0));
}

#[test]
fn the_peer_closing_between_requests_is_a_clean_close_and_inside_one_an_error() {
    let mut conn = ServerConn::new(Config::new());
    conn.end_of_input();
    assert_eq!(conn.receive(b"").unwrap(), (0, Event::Closed));

    let mut conn = ServerConn::new(Config::new());
    conn.end_of_input();
    assert_eq!(conn.receive(b"GET / HT"), Err(ConnError::IncompleteMessage));
}

#[test]
fn shutting_down_closes_after_the_answer_in_flight() {
    let mut conn = ServerConn::new(Config::new());
    conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    conn.shut_down();
    let mut out = Vec::new();
    hello(&mut conn, &mut out);
    assert!(text(&out).contains("Connection: close\r\n"));
    assert_eq!(conn.receive(b"").unwrap().1, Event::End);
    assert_eq!(
        conn.receive(b"GET / HTTP/1.1\r\n").unwrap(),
        (0, Event::Closed)
    );
}

#[test]
fn a_response_keeps_codings_before_chunked_and_a_request_cannot() {
    let mut conn = ServerConn::new(Config::new());
    conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    let mut out = Vec::new();
    let mut answer = conn.respond(&mut out, 200).unwrap();
    answer.field("Transfer-Encoding", "gzip").unwrap();
    answer.finish(Body::Chunked).unwrap();
    assert_eq!(
        text(&out),
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
    );

    let mut conn = ServerConn::new(Config::new());
    conn.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    let mut answer = conn.respond(&mut out, 200).unwrap();
    answer.field("Transfer-Encoding", "gzip").unwrap();
    assert_eq!(
        answer.finish(Body::Length(3)),
        Err(ConnError::Write(WriteError::FramingField)),
        "codings without chunked last"
    );

    let mut client = ClientConn::new(Config::new());
    let mut request = client.request(&mut out, Method::Post, "/").unwrap();
    assert_eq!(
        request.field("Transfer-Encoding", "gzip").map(|_| ()),
        Err(ConnError::Write(WriteError::FramingField))
    );
}

/// What a client connection found in `input`, with the body and interim codes.
fn read_all(conn: &mut ClientConn, input: &[u8]) -> (Vec<String>, usize) {
    let (mut at, mut events) = (0, Vec::new());
    loop {
        let (consumed, event) = match conn.receive(&input[at..]) {
            Ok(step) => step,
            Err(error) => {
                events.push(format!("error {error:?}"));
                return (events, at);
            }
        };
        let here = &input[at..];
        events.push(match &event {
            Event::Head | Event::Interim => {
                format!("{:?} {}", event, conn.response(here).unwrap().status())
            }
            Event::Data(range) => format!("data {}", String::from_utf8_lossy(&here[range.clone()])),
            other => format!("{other:?}"),
        });
        at += consumed;
        if matches!(event, Event::NeedMore | Event::Closed | Event::Upgrade) {
            return (events, at);
        }
    }
}

fn get(conn: &mut ClientConn, out: &mut Vec<u8>, method: Method<'_>) {
    let mut request = conn.request(&mut *out, method, "/").unwrap();
    request.field("Host", "a").unwrap();
    request.finish(Body::None).unwrap();
}

#[test]
fn the_client_reads_pipelined_responses_by_their_requests() {
    let mut conn = ClientConn::new(Config::new());
    let mut out = Vec::new();
    get(&mut conn, &mut out, Method::Head);
    get(&mut conn, &mut out, Method::Get);
    assert_eq!(conn.in_flight(), 2);
    // The HEAD answer's Content-Length frames nothing.
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    let (events, at) = read_all(&mut conn, input);
    assert_eq!(
        events,
        ["Head 200", "End", "Head 200", "data hi", "End", "NeedMore"]
    );
    assert_eq!(at, input.len());
    assert_eq!(conn.in_flight(), 0);
    assert!(conn.keep_alive());
    // Bytes with no request waiting are not a response.
    assert_eq!(
        conn.receive(b"HTTP/1.1 200 OK\r\n"),
        Err(ConnError::UnexpectedResponse)
    );
}

#[test]
fn a_body_running_to_the_close_ends_there_and_so_does_the_connection() {
    let mut conn = ClientConn::new(Config::new());
    let mut out = Vec::new();
    get(&mut conn, &mut out, Method::Get);
    let input = b"HTTP/1.1 200 OK\r\n\r\nall of it";
    let (events, at) = read_all(&mut conn, input);
    assert_eq!(events, ["Head 200", "data all of it", "NeedMore"]);
    conn.end_of_input();
    assert_eq!(conn.receive(&input[at..]).unwrap(), (0, Event::End));
    assert_eq!(conn.receive(b"").unwrap(), (0, Event::Closed));
    assert!(!conn.keep_alive());
    assert_eq!(
        conn.request(&mut out, Method::Get, "/").map(|_| ()),
        Err(ConnError::Closed)
    );
}

#[test]
fn a_length_body_cut_short_is_an_error_not_a_short_body() {
    let mut conn = ClientConn::new(Config::new());
    let mut out = Vec::new();
    get(&mut conn, &mut out, Method::Get);
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
    read_all(&mut conn, input);
    conn.end_of_input();
    assert_eq!(conn.receive(b""), Err(ConnError::IncompleteMessage));
}

#[test]
fn the_client_holds_its_body_until_100_and_a_final_answer_first_abandons_it() {
    let start = |conn: &mut ClientConn, out: &mut Vec<u8>| {
        let mut request = conn.request(&mut *out, Method::Put, "/f").unwrap();
        request
            .field("Host", "a")
            .unwrap()
            .field("Expect", "100-continue")
            .unwrap();
        request.finish(Body::Length(3)).unwrap();
    };
    let mut conn = ClientConn::new(Config::new());
    let mut out = Vec::new();
    start(&mut conn, &mut out);
    assert_eq!(
        conn.send_data(&mut out, b"abc"),
        Err(ConnError::AwaitingContinue)
    );
    let (events, _) = read_all(&mut conn, b"HTTP/1.1 100 Continue\r\n\r\n");
    assert_eq!(events, ["Interim 100", "NeedMore"]);
    conn.send_data(&mut out, b"abc").unwrap();
    conn.finish(&mut out).unwrap();
    let (events, _) = read_all(
        &mut conn,
        b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(events, ["Head 201", "End", "NeedMore"]);
    assert!(conn.keep_alive());

    // A 417 instead of 100: the body is never sent, and the connection does not persist.
    let mut conn = ClientConn::new(Config::new());
    start(&mut conn, &mut out);
    let (events, _) = read_all(
        &mut conn,
        b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(events, ["Head 417", "End", "Closed"]);
    assert!(!conn.keep_alive());
    assert!(!conn.may_send_body());

    // The caller gives up waiting: the body goes.
    let mut conn = ClientConn::new(Config::new());
    start(&mut conn, &mut out);
    conn.stop_waiting();
    assert!(conn.may_send_body());
    conn.send_data(&mut out, b"abc").unwrap();
}

#[test]
fn interim_responses_are_bounded() {
    let mut conn = ClientConn::new(Config::new());
    conn.set_interim_limit(3);
    let mut out = Vec::new();
    get(&mut conn, &mut out, Method::Get);
    let flood = b"HTTP/1.1 102 Processing\r\n\r\n".repeat(4);
    let (events, _) = read_all(&mut conn, &flood);
    assert_eq!(
        events,
        [
            "Interim 102",
            "Interim 102",
            "Interim 102",
            "error TooManyInterim"
        ]
    );
    assert_eq!(ConnError::TooManyInterim.status(), 502);
}

#[test]
fn an_upgrade_offered_and_accepted_hands_over_the_rest() {
    let mut conn = ClientConn::new(Config::new());
    let mut out = Vec::new();
    let mut request = conn.request(&mut out, Method::Get, "/ws").unwrap();
    request
        .field("Host", "a")
        .unwrap()
        .field("Connection", "upgrade")
        .unwrap();
    request.field("Upgrade", "websocket").unwrap();
    request.finish(Body::None).unwrap();
    assert_eq!(
        conn.request(&mut out, Method::Get, "/").map(|_| ()),
        Err(ConnError::PipelineBusy),
        "nothing is pipelined after a possible switch"
    );
    let input = b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00";
    let (events, at) = read_all(&mut conn, input);
    assert_eq!(events, ["Head 101", "Upgrade"]);
    assert_eq!(&input[at..], b"\x81\x00");

    // A 101 nobody asked for is an error of the response.
    let mut conn = ClientConn::new(Config::new());
    get(&mut conn, &mut out, Method::Get);
    let (events, _) = read_all(&mut conn, input);
    assert_eq!(events, ["error Parse(UnexpectedUpgrade)"]);
}

#[test]
fn a_request_with_connection_close_is_the_last() {
    let mut conn = ClientConn::new(Config::new());
    let mut out = Vec::new();
    let mut request = conn.request(&mut out, Method::Get, "/").unwrap();
    request
        .field("Host", "a")
        .unwrap()
        .field("Connection", "close")
        .unwrap();
    request.finish(Body::None).unwrap();
    assert_eq!(
        conn.request(&mut out, Method::Get, "/").map(|_| ()),
        Err(ConnError::Closed)
    );
    let (events, _) = read_all(&mut conn, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(events, ["Head 200", "End", "Closed"]);
}

#[test]
fn the_connections_fit_a_microcontroller() {
    use core::mem::size_of;
    // The figures in the module documentation (64-bit host; a 32-bit target is smaller).
    let sizes = [
        size_of::<ServerConn<16>>(),
        size_of::<ClientConn<16>>(),
        size_of::<ServerConn>(),
    ];
    println!(
        "ServerConn<16> {}, ClientConn<16> {}, ServerConn<100> {}",
        sizes[0], sizes[1], sizes[2]
    );
    assert!(
        sizes[0] <= 768 && sizes[1] <= 1024 && sizes[2] <= 2048,
        "{sizes:?}"
    );
}

#[test]
fn an_owned_head_outlives_the_next_request() {
    let input = b"GET /first HTTP/1.1\r\nHost: a\r\nX-Kept: yes\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut conn = ServerConn::new(Config::new());
    let (head_len, _) = conn.receive(input).unwrap();
    let kept = conn.owned_request().unwrap();
    // The head's bytes go somewhere of their own (a tokio codec splits them off).
    let head = input[..head_len].to_vec();
    let mut out = Vec::new();
    hello(&mut conn, &mut out);
    let rest = &input[head_len..];
    assert_eq!(conn.receive(rest).unwrap().1, Event::End);
    assert_eq!(conn.receive(rest).unwrap().1, Event::Head);
    assert_eq!(conn.request(rest).unwrap().target(), "/second");
    let first = kept.request(&head);
    assert_eq!(first.target(), "/first");
    assert_eq!(first.headers().get("x-kept"), Some(&b"yes"[..]));
    assert_eq!(kept.head_len(), head_len);

    let mut client = ClientConn::new(Config::new());
    get(&mut client, &mut out, Method::Get);
    let response = b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 0\r\n\r\n";
    let (len, event) = client.receive(response).unwrap();
    assert_eq!(event, Event::Head);
    let kept = client.owned_response().unwrap();
    assert_eq!(client.receive(&response[len..]).unwrap().1, Event::End);
    assert_eq!(
        kept.response(&response[..len]).headers().get("etag"),
        Some(&b"\"v1\""[..])
    );
}

#[test]
fn an_oversized_head_is_answered_431_with_its_reason_phrase() {
    let mut conn = ServerConn::new(Config::new().max_head_size(64));
    let input = b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let run = serve(&mut conn, input, |_, _| unreachable!());
    assert!(
        text(&run.out).starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{}",
        text(&run.out)
    );
}

#[test]
fn checked_fields_go_out_as_pushed_and_their_connection_close_counts() {
    let mut fields = CheckedFields::new();
    fields
        .push("Content-Type", "text/plain")
        .unwrap()
        .push("Connection", "close")
        .unwrap();
    let mut conn = ServerConn::new(Config::new());
    let input = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let run = serve(&mut conn, input, |conn, out| {
        let mut answer = conn.respond(&mut *out, 200).unwrap();
        answer.checked_fields(&fields).unwrap();
        answer.finish(Body::Length(2)).unwrap();
        assert!(conn.sends_data());
        conn.send_data(&mut *out, b"hi").unwrap();
        conn.finish(&mut *out).unwrap();
        assert!(!conn.sends_data(), "the body is finished");
    });
    assert_eq!(
        text(&run.out),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"
    );
    assert_eq!(
        run.events.last().unwrap(),
        "closed",
        "one answer, then the close"
    );
}

#[test]
fn checked_fields_refuse_what_a_field_would_and_keep_nothing_of_it() {
    let mut fields = CheckedFields::new();
    for (name, value, error) in [
        ("Bad Name", "v", WriteError::InvalidFieldName),
        ("X-A", "1\r\nX-B: 2", WriteError::InvalidFieldValue),
        ("X-A", " padded", WriteError::FieldValueWhitespace),
        ("Transfer-Encoding", "chunked", WriteError::FramingField),
        ("content-length", "1", WriteError::FramingField),
    ] {
        assert_eq!(
            fields.push(name, value).err(),
            Some(error),
            "{name}: {value:?}"
        );
    }
    assert!(fields.is_empty());
    fields.push("X-A", "").unwrap().push("x-b", "c d").unwrap();
    let pairs: Vec<_> = fields.iter().collect();
    assert_eq!(pairs, [(&b"X-A"[..], &b""[..]), (&b"x-b"[..], &b"c d"[..])]);
    assert!(fields.contains("X-B") && !fields.contains("X"));
    fields.clear();
    assert!(fields.is_empty() && fields.capacity() > 0);
}
