//! A GET over h1-tokio's client codec: `get [ADDR] [PATH]` prints the heads to stderr and
//! the body to stdout.
use std::io::Write;

use futures_util::{SinkExt, StreamExt};
use h1_parser::Method;
use h1_tokio::{Ask, ClientCodec, ClientEvent};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or("127.0.0.1:8080".into());
    let path = args.next().unwrap_or("/".into());
    let socket = tokio::net::TcpStream::connect(&addr).await?;
    let mut conn = tokio_util::codec::Framed::new(socket, ClientCodec::new());
    let fields = [("Host", addr.as_str()), ("Accept", "*/*")];
    conn.send(Ask::full(Method::Get, &path, &fields, b""))
        .await?;
    while let Some(event) = conn.next().await {
        match event? {
            ClientEvent::Interim(head) | ClientEvent::Head(head) => {
                let response = head.response();
                let reason = String::from_utf8_lossy(response.reason());
                eprintln!(
                    "{} {} {reason}",
                    response.version().as_str(),
                    response.status()
                );
                for field in response.headers() {
                    let value = String::from_utf8_lossy(field.value);
                    eprintln!("{}: {value}", field.name);
                }
            }
            ClientEvent::Data(data) => std::io::stdout().write_all(&data)?,
            ClientEvent::Trailer { .. } => {}
            ClientEvent::End | ClientEvent::Upgrade | ClientEvent::Closed => break,
        }
    }
    Ok(())
}
