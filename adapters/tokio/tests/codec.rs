//! The codecs on their own (no socket): what each role decodes and encodes.

use bytes::{BufMut, BytesMut};
use h1_parser::conn::ConnError;
use h1_parser::write::Body;
use h1_parser::Method;
use h1_tokio::{Ask, ClientCodec, ClientEvent, Reply, ServerCodec, ServerEvent};
use tokio_util::codec::{Decoder, Encoder};

/// Every event the server codec decodes from `buf` now.
fn drain(codec: &mut ServerCodec, buf: &mut BytesMut) -> Vec<ServerEvent> {
    std::iter::from_fn(|| codec.decode(buf).unwrap()).collect()
}

#[test]
fn body_data_is_split_off_the_read_buffer_without_a_copy() {
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::with_capacity(256);
    buf.put_slice(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let events = drain(&mut codec, &mut buf);
    let [ServerEvent::Head(head), ServerEvent::Data(data), ServerEvent::End] = &events[..] else {
        panic!("{events:?}");
    };
    assert_eq!(head.request().path(), "/");
    assert_eq!(&data[..], b"hello");
    // The same memory the bytes were read into.
    assert!(range.contains(&(data.as_ptr() as usize)));
    assert!(range.contains(&(head.bytes().as_ptr() as usize)));
}

#[test]
fn the_next_request_waits_for_the_answer_and_the_core_writes_persistence() {
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::from(
        &b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"[..],
    );
    let events = drain(&mut codec, &mut buf);
    assert!(
        matches!(&events[..], [ServerEvent::Head(h), ServerEvent::End] if h.request().path() == "/a")
    );
    let mut out = BytesMut::new();
    codec.encode(Reply::full(200, &[], b"a"), &mut out).unwrap();
    let events = drain(&mut codec, &mut buf);
    assert!(
        matches!(&events[..], [ServerEvent::Head(h), ServerEvent::End] if h.request().path() == "/b")
    );
    codec
        .encode(
            Reply::Head {
                status: 200,
                fields: &[],
                body: Body::Chunked,
            },
            &mut out,
        )
        .unwrap();
    codec.encode(Reply::Data(b"bb"), &mut out).unwrap();
    codec.encode(Reply::Finish, &mut out).unwrap();
    // HTTP/1.0: told to keep the connection with the first answer, no chunked body (it runs
    // to the close instead, which then ends the connection).
    assert_eq!(
        &out[..],
        &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na\
           HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbb"[..]
    );
    assert!(matches!(
        drain(&mut codec, &mut buf)[..],
        [ServerEvent::Closed]
    ));
}

#[test]
fn continue_is_asked_for_when_the_application_reads_on() {
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::from(
        &b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"[..],
    );
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::Head(_))
    ));
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::Continue)
    ));
    let mut out = BytesMut::new();
    codec.encode(Reply::Continue, &mut out).unwrap();
    assert_eq!(&out[..], b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(codec.decode(&mut buf).unwrap().is_none());
    buf.put_slice(b"ok");
    assert!(
        matches!(codec.decode(&mut buf).unwrap(), Some(ServerEvent::Data(d)) if &d[..] == b"ok")
    );
}

#[test]
fn a_broken_request_is_failed_once_then_answered_and_closed() {
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"[..]);
    let Some(ServerEvent::Failed(error)) = codec.decode(&mut buf).unwrap() else {
        panic!("a failure")
    };
    assert_eq!(error.status(), 400);
    let mut out = BytesMut::new();
    codec.encode(Reply::Error, &mut out).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"));
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::Closed)
    ));
    assert!(codec.decode(&mut buf).unwrap().is_none());
}

#[test]
fn a_request_cut_short_by_the_close_is_failed() {
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::from(&b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"[..]);
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::Head(_))
    ));
    assert!(matches!(
        codec.decode(&mut buf).unwrap(),
        Some(ServerEvent::Data(_))
    ));
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert!(matches!(
        codec.decode_eof(&mut buf).unwrap(),
        Some(ServerEvent::Failed(_))
    ));
}

#[test]
fn the_client_codec_reads_what_the_server_codec_writes() {
    let (mut client, mut server) = (ClientCodec::new(), ServerCodec::new());
    let mut wire = BytesMut::new();
    let fields = [("Host", "x"), ("Expect", "100-continue")];
    let ask = Ask::Head {
        method: Method::Post,
        target: "/up",
        fields: &fields,
        body: Body::Chunked,
    };
    client.encode(ask, &mut wire).unwrap();
    // Held until the server says 100 Continue.
    assert!(client.encode(Ask::Data(b"x"), &mut wire).is_err());
    let events = drain(&mut server, &mut wire);
    assert!(matches!(
        &events[..],
        [ServerEvent::Head(_), ServerEvent::Continue]
    ));
    let mut back = BytesMut::new();
    server.encode(Reply::Continue, &mut back).unwrap();
    assert!(
        matches!(client.decode(&mut back).unwrap(), Some(ClientEvent::Interim(h)) if h.response().status() == 100)
    );
    client.encode(Ask::Data(b"xyz"), &mut wire).unwrap();
    client.encode(Ask::Finish, &mut wire).unwrap();
    let events = drain(&mut server, &mut wire);
    assert!(matches!(&events[..], [ServerEvent::Data(d), ServerEvent::End] if &d[..] == b"xyz"));
    server
        .encode(Reply::full(201, &[("X", "1")], b"made"), &mut back)
        .unwrap();
    let events: Vec<_> = std::iter::from_fn(|| client.decode(&mut back).unwrap()).collect();
    let [ClientEvent::Head(head), ClientEvent::Data(body), ClientEvent::End] = &events[..] else {
        panic!("{events:?}");
    };
    assert_eq!(head.response().status(), 201);
    assert_eq!(head.response().headers().get("x"), Some(&b"1"[..]));
    assert_eq!(&body[..], b"made");
    assert!(client.conn().keep_alive());
}

#[test]
fn a_reply_larger_than_the_first_guess_is_written_whole() {
    let mut codec = ServerCodec::new();
    let two = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut buf = BytesMut::from(&two[..]);
    assert_eq!(drain(&mut codec, &mut buf).len(), 2);
    let long = "v".repeat(10_000);
    let fields = [("X-Long", long.as_str())];
    let mut out = BytesMut::from(&b"before"[..]);
    codec
        .encode(Reply::full(200, &fields, b""), &mut out)
        .unwrap();
    assert!(out.starts_with(b"beforeHTTP/1.1 200 OK\r\nX-Long: vvv"));
    assert!(out.ends_with(b"Content-Length: 0\r\n\r\n"));
    // A field the writer refuses leaves the buffer as it was, and the answer still owed.
    let mut out = BytesMut::new();
    assert_eq!(drain(&mut codec, &mut buf).len(), 2);
    let refused = codec.encode(Reply::full(200, &[("X", "a\r\nY: b")], b""), &mut out);
    assert!(matches!(
        refused,
        Err(h1_tokio::Error::Conn(ConnError::Write(_)))
    ));
    assert!(out.is_empty());
    codec.encode(Reply::full(204, &[], b""), &mut out).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 204 No Content\r\n"));
}

#[test]
fn after_101_the_bytes_that_follow_are_the_new_protocols() {
    let mut codec = ServerCodec::new();
    let mut buf = BytesMut::from(
        &b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00"[..],
    );
    assert_eq!(drain(&mut codec, &mut buf).len(), 2);
    let mut out = BytesMut::new();
    let fields = [("Connection", "upgrade"), ("Upgrade", "websocket")];
    let head = Reply::Head {
        status: 101,
        fields: &fields,
        body: Body::None,
    };
    codec.encode(head, &mut out).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    assert!(matches!(
        drain(&mut codec, &mut buf)[..],
        [ServerEvent::Upgrade]
    ));
    assert_eq!(&buf[..], b"\x81\x00");
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(2_000))]

    /// Any bytes, in any pieces, to an application that answers what it is told to: the codec
    /// never panics and never repeats itself without progress, and the conversation ends.
    #[test]
    fn any_bytes_in_any_pieces_end(
        pieces in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48), 0..8),
        requests in 0usize..4,
    ) {
        let mut input: Vec<u8> = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests);
        input.extend(pieces.concat());
        let mut codec = ServerCodec::new();
        let (mut buf, mut out) = (BytesMut::new(), BytesMut::new());
        let mut chunks = input.chunks(7);
        let mut steps = 0;
        loop {
            steps += 1;
            proptest::prop_assert!(steps < 10_000, "no progress");
            let event = match chunks.next() {
                Some(chunk) => {
                    buf.put_slice(chunk);
                    codec.decode(&mut buf).unwrap()
                }
                None => codec.decode_eof(&mut buf).unwrap(),
            };
            let reply = match event {
                Some(ServerEvent::End) => Reply::full(200, &[], b"ok"),
                Some(ServerEvent::Continue) => Reply::Continue,
                Some(ServerEvent::Failed(_)) => Reply::Error,
                Some(ServerEvent::Closed | ServerEvent::Upgrade) => break,
                Some(_) => continue,
                None if chunks.len() == 0 && buf.is_empty() => break,
                None => continue,
            };
            codec.encode(reply, &mut out).unwrap();
        }
    }
}
