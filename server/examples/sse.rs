//! Server-sent events from a handler on the pool: `cargo run -p h1-server --example sse`
//! (`-- --addr HOST:PORT`, default 127.0.0.1:5300), then `curl -N http://127.0.0.1:5300/events`:
//! the head at once, then five events 200 ms apart, each sent as it is written.

use std::io::Write;
use std::time::Duration;

use h1_server::{Router, Server, ServerConfig};

/// `GET /events`: five events, 200 ms apart.
pub fn router() -> Router {
    let mut router = Router::new();
    router.get("/events", |_, res| {
        res.header("Content-Type", "text/event-stream")
            .header("Cache-Control", "no-cache");
        // Sends the head now; each write is one chunk on the wire before it returns.
        let Ok(mut events) = res.writer() else { return };
        for n in 1..=5 {
            if n > 1 {
                std::thread::sleep(Duration::from_millis(200));
            }
            // One write per event (`write!` would write its pieces one by one).
            let event = format!("id: {n}\ndata: event {n}\n\n");
            if events.write_all(event.as_bytes()).is_err() {
                return; // The client has gone.
            }
        }
    });
    router
}

fn main() -> std::io::Result<()> {
    let addr = addr_arg("127.0.0.1:5300")?;
    let server = Server::bind(addr.as_str(), ServerConfig::new())?;
    eprintln!("events at http://{}/events", server.local_addr());
    server.serve(router())
}

/// The value of `--addr`, or `default`.
fn addr_arg(default: &str) -> std::io::Result<String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(default.to_owned()),
        (Some("--addr"), Some(addr)) => Ok(addr),
        _ => Err(std::io::Error::other("usage: sse [--addr HOST:PORT]")),
    }
}
