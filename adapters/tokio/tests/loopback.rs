//! The client codec and the echo example over a real socket: pipelined requests, a chunked
//! upload held for `100 Continue`, a HEAD, each response matched to its request by the core.

use futures_util::{SinkExt, StreamExt};
use h1_parser::write::Body;
use h1_parser::Method;
use h1_tokio::{Ask, ClientCodec, ClientEvent};

#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod echo_server;

/// The events of one response, data joined: (interim codes, code, body).
async fn response<S>(conn: &mut S) -> (Vec<u16>, u16, Vec<u8>)
where
    S: futures_util::Stream<Item = Result<ClientEvent, h1_tokio::Error>> + Unpin,
{
    let (mut interim, mut code, mut body) = (Vec::new(), 0, Vec::new());
    while let Some(event) = conn.next().await {
        match event.expect("a response") {
            ClientEvent::Interim(head) => interim.push(head.response().status()),
            ClientEvent::Head(head) => code = head.response().status(),
            ClientEvent::Data(data) => body.extend_from_slice(&data),
            ClientEvent::End => break,
            other => panic!("{other:?}"),
        }
    }
    (interim, code, body)
}

#[tokio::test(flavor = "current_thread")]
async fn pipelined_requests_continue_and_head_through_the_echo() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(echo_server::serve(listener));
    let socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut conn = tokio_util::codec::Framed::new(socket, ClientCodec::new());
    let host = [("Host", "x")];
    // Two pipelined in one write, then a HEAD.
    conn.feed(Ask::full(Method::Get, "/one", &host, b""))
        .await
        .unwrap();
    conn.feed(Ask::full(Method::Post, "/two", &host, b"2"))
        .await
        .unwrap();
    conn.send(Ask::full(Method::Head, "/three", &host, b""))
        .await
        .unwrap();
    let (_, code, body) = response(&mut conn).await;
    assert_eq!(code, 200);
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("\"target\":\"/one\""));
    let (_, _, body) = response(&mut conn).await;
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("\"target\":\"/two\"") && body.contains("\"body_base64\":\"Mg==\""));
    let (_, code, body) = response(&mut conn).await;
    assert_eq!((code, body.len()), (200, 0), "no body after HEAD");
    // A chunked upload waiting for 100 Continue: the codec refuses its data until then.
    let fields = [("Host", "x"), ("Expect", "100-continue")];
    let ask = Ask::Head {
        method: Method::Put,
        target: "/four",
        fields: &fields,
        body: Body::Chunked,
    };
    conn.send(ask).await.unwrap();
    assert!(conn.send(Ask::Data(b"early")).await.is_err());
    // The echo reads on for the body, so the core has it ask for it.
    let Some(Ok(ClientEvent::Interim(head))) = conn.next().await else {
        panic!("100 Continue")
    };
    assert_eq!(head.response().status(), 100);
    conn.feed(Ask::Data(b"up")).await.unwrap();
    conn.feed(Ask::Data(b"load")).await.unwrap();
    conn.send(Ask::Finish).await.unwrap();
    let (_, code, body) = response(&mut conn).await;
    assert_eq!(code, 200);
    // "upload" in base64.
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("\"body_base64\":\"dXBsb2Fk\""));
    assert!(conn.codec_mut().conn().keep_alive());
}
