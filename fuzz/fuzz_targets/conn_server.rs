//! The server connection on arbitrary bytes, cut where the input says, answering each request
//! as its first bytes choose (sizes, chunked, trailers, 1xx, 101, an early answer): never a
//! panic, and everything it writes is read back by the response parser as one answer per
//! request, in order, the error answer included.
#![no_main]

use h1_parser::conn::{ConnError, Event, ServerConn, CONTINUE};
use h1_parser::write::Body;
use h1_parser::{BodyDecoder, Config, Decoded, Method, Progress, ResponseParser};
use libfuzzer_sys::fuzz_target;

/// What the answers were written for: the request's method and whether it offered an upgrade.
type Asked = (Method<'static>, bool);

fuzz_target!(|data: &[u8]| {
    let Some((&choice, input)) = data.split_first() else {
        return;
    };
    let mut conn = ServerConn::new(Config::new());
    let mut out = Vec::new();
    let mut asked: Vec<Asked> = Vec::new();
    let (mut at, mut visible, mut step) = (0usize, 0usize, usize::from(choice % 17) + 1);
    loop {
        visible = (visible + step).min(input.len());
        step = step * 3 % 31 + 1;
        if visible == input.len() {
            conn.end_of_input();
        }
        let (consumed, event) = match conn.receive(&input[at..visible]) {
            Ok(found) => found,
            Err(error) => {
                if conn.answer_error(&mut out).unwrap_or(0) > 0 {
                    asked.push((Method::Get, false));
                }
                assert!(matches!(
                    error,
                    ConnError::Parse(_) | ConnError::IncompleteMessage
                ));
                break;
            }
        };
        match event {
            Event::Head => {
                let request = conn.request(&input[at..]).expect("the head just read");
                let method = match request.method() {
                    Method::Extension(_) => Method::Extension(""),
                    Method::Head => Method::Head,
                    Method::Connect => Method::Connect,
                    _ => Method::Get,
                };
                asked.push((method, request.wants_upgrade()));
                // An early answer, before the body is read.
                if choice & 0x40 != 0 {
                    answer(&mut conn, &mut out, choice);
                }
            }
            Event::WriteContinue => out.extend_from_slice(CONTINUE),
            Event::End | Event::AnswerOwed => {
                answer(&mut conn, &mut out, choice.rotate_left(asked.len() as u32));
            }
            Event::Data(_) | Event::Trailer { .. } => {}
            Event::NeedMore if visible == input.len() => break,
            Event::NeedMore => {}
            Event::Closed | Event::Upgrade => break,
            Event::Interim => unreachable!("server role"),
        }
        at += consumed;
    }
    read_back(&out, &asked);
});

/// Answers the current request if it is still owed, as `choice` says; a refusal (a 101
/// nobody asked for) falls back to a plain 500, so every request is answered. Panics and
/// wrong bytes are not allowed.
fn answer(conn: &mut ServerConn, out: &mut Vec<u8>, choice: u8) {
    if choice & 0x80 != 0 {
        let _ = conn.interim(&mut *out, 103, [("Link", "</a>")]);
    }
    let code = [200, 204, 304, 404, 101, 500, 201, 206][usize::from(choice & 7)];
    let body = match choice >> 3 & 3 {
        0 => Body::None,
        1 => Body::Length(5),
        2 => Body::Chunked,
        _ => Body::UntilClose,
    };
    let head = conn.respond(&mut *out, code).and_then(|mut head| {
        if code == 101 {
            head.field("Upgrade", "x")?;
        }
        head.finish(body)
    });
    if head.is_err() {
        if let Ok(head) = conn.respond(&mut *out, 500) {
            head.finish(Body::None)
                .expect("a plain 500 is always written");
        }
        return;
    }
    let _ = conn.send_data(&mut *out, b"hello");
    let _ = conn.finish_with_trailers(&mut *out, [("X-Sum", "1")]);
    let _ = conn.finish(&mut *out);
}

/// The answers parse back, one final response per request in order.
fn read_back(out: &[u8], asked: &[Asked]) {
    let mut at = 0;
    for &(method, upgrade) in asked {
        if at == out.len() {
            // The last request got no answer (the input ended inside it, or it was closed).
            return;
        }
        let mut parser = ResponseParser::new();
        let framing = loop {
            parser.reset();
            let Ok(Progress::Complete(response)) = parser.parse(&out[at..]) else {
                panic!(
                    "an answer the parser rejects: {:?}",
                    String::from_utf8_lossy(&out[at..])
                );
            };
            at += response.head_len();
            if !response.is_interim() {
                break response.framing(method, upgrade).expect("framed");
            }
        };
        let mut decoder = BodyDecoder::new(framing, Config::new());
        loop {
            match decoder
                .decode(&out[at..])
                .expect("a body the decoder reads")
            {
                (n, Decoded::Done) => {
                    at += n;
                    break;
                }
                (n, Decoded::Partial) => {
                    at += n;
                    decoder
                        .finish()
                        .expect("only a body to the close ends with the output");
                    assert_eq!(at, out.len());
                    return;
                }
                (n, _) => at += n,
            }
        }
    }
    assert_eq!(at, out.len(), "bytes written after the last answer");
}
