//! A WebSocket echo on `/ws`, over the connection a handler takes with `Response::upgrade`,
//! with the `tungstenite` crate: `cargo run -p h1-server --example ws_echo` (`-- --addr
//! HOST:PORT`, default 127.0.0.1:5301), then e.g. `websocat ws://127.0.0.1:5301/ws`.

use std::time::Duration;

use h1_server::{Request, Response, Router, Server, ServerConfig};
use tungstenite::handshake::derive_accept_key;
use tungstenite::protocol::Role;
use tungstenite::WebSocket;

/// `GET /ws`: the opening handshake (RFC 6455 §4.2.2), then every text or binary message
/// sent back.
pub fn router() -> Router {
    let mut router = Router::new();
    router.get("/ws", handshake);
    router
}

fn handshake(req: &Request, res: &mut Response) {
    let offered = req
        .header("upgrade")
        .is_some_and(|value| value.eq_ignore_ascii_case(b"websocket"));
    let key = req.header("sec-websocket-key");
    let (true, Some(key)) = (offered, key) else {
        res.set_status(400)
            .set_body("a WebSocket handshake is expected\n");
        return;
    };
    if req.header("sec-websocket-version") != Some(b"13") {
        res.set_status(426).header("Sec-WebSocket-Version", "13");
        return;
    }
    res.header("Sec-WebSocket-Accept", derive_accept_key(key));
    // After the 101, on this pool thread: the connection's bytes, those already read first.
    let upgraded = res.upgrade("websocket", |socket| {
        // The socket keeps the server's body timeout for reads: a quiet peer may wait longer.
        let _ = socket
            .socket()
            .set_read_timeout(Some(Duration::from_secs(600)));
        let mut ws = WebSocket::from_raw_socket(socket, Role::Server, None);
        // Pings are answered and a close returned by tungstenite itself; it ends the loop.
        while let Ok(message) = ws.read() {
            if (message.is_text() || message.is_binary()) && ws.send(message).is_err() {
                break;
            }
        }
    });
    if upgraded.is_err() {
        res.set_status(500);
    }
}

fn main() -> std::io::Result<()> {
    let addr = addr_arg("127.0.0.1:5301")?;
    let server = Server::bind(addr.as_str(), ServerConfig::new())?;
    eprintln!("echoing on ws://{}/ws", server.local_addr());
    server.serve(router())
}

/// The value of `--addr`, or `default`.
fn addr_arg(default: &str) -> std::io::Result<String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(default.to_owned()),
        (Some("--addr"), Some(addr)) => Ok(addr),
        _ => Err(std::io::Error::other("usage: ws_echo [--addr HOST:PORT]")),
    }
}
