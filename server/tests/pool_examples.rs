//! The pool's examples, run in-process: `examples/sse.rs` (events as separate chunks) and
//! `examples/ws_echo.rs` (a tungstenite client's handshake and messages echoed).

mod common;
#[path = "../examples/sse.rs"]
#[allow(dead_code)]
mod sse;
#[path = "../examples/ws_echo.rs"]
#[allow(dead_code)]
mod ws_echo;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{config, open_event_stream, read_chunk, read_response, TestServer};
use tungstenite::Message;

/// How long a read waits before the test calls it a hang. Never a measure.
const GUARD: Duration = Duration::from_secs(60);

fn long_config() -> h1_server::ServerConfig {
    config()
        .head_timeout(GUARD * 2)
        .idle_timeout(GUARD * 2)
        .body_timeout(GUARD * 2)
        .write_timeout(GUARD * 2)
}

fn connect(server: &TestServer) -> TcpStream {
    let stream = TcpStream::connect(server.addr).expect("connect");
    stream.set_read_timeout(Some(GUARD)).expect("read timeout");
    stream
}

#[test]
fn sse_events_arrive_as_separate_chunks() {
    let server = TestServer::with_handler(long_config(), sse::router());
    let mut stream = connect(&server);
    let mut pending = open_event_stream(&mut stream);
    for n in 1..=5 {
        let chunk = read_chunk(&mut stream, &mut pending);
        assert_eq!(chunk, format!("id: {n}\ndata: event {n}\n\n").as_bytes());
    }
    assert_eq!(read_chunk(&mut stream, &mut pending), b"");
}

#[test]
fn ws_echo_echoes_text_and_binary_messages_to_a_tungstenite_client() {
    let server = TestServer::with_handler(long_config(), ws_echo::router());
    let url = format!("ws://{}/ws", server.addr);
    let (mut ws, response) = tungstenite::client::client(url.as_str(), connect(&server))
        .expect("the opening handshake (tungstenite checks Sec-WebSocket-Accept)");
    assert_eq!(response.status(), 101);
    ws.send(Message::text("hello, echo")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("hello, echo"));
    let bytes = vec![0u8, 1, 2, 0xfe, 0xff];
    ws.send(Message::binary(bytes.clone())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(bytes));
    // A ping is answered by tungstenite on the server's side.
    ws.send(Message::Ping(b"p".to_vec().into())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::Pong(b"p".to_vec().into()));
    ws.close(None).unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(_)) => {}
            Ok(other) => panic!("after close: {other:?}"),
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(error) => panic!("closing: {error}"),
        }
    }
}

#[test]
fn ws_echo_refuses_a_request_that_is_no_websocket_handshake() {
    let server = TestServer::with_handler(long_config(), ws_echo::router());
    let mut stream = connect(&server);
    stream
        .write_all(b"GET /ws HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let resp = read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!(resp.status, 400);
}
