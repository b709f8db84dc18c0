//! `h1-server --echo` on tokio: each request answered with itself as JSON. `echo_server [ADDR]`
use futures_util::{SinkExt, StreamExt};
use h1_tokio::{Error, Reply, ServerCodec, ServerEvent as Ev};

mod common;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8080".into());
    serve(tokio::net::TcpListener::bind(addr).await?).await
}

pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    eprintln!("listening on http://{}", listener.local_addr()?);
    loop {
        let socket = listener.accept().await?.0;
        let mut conn = tokio_util::codec::Framed::new(socket, ServerCodec::new());
        tokio::spawn(async move {
            let (mut head, mut body) = (None, Vec::new());
            while let Some(event) = conn.next().await {
                match event? {
                    Ev::Head(h) => head = Some(h),
                    Ev::Data(data) => body.extend_from_slice(&data),
                    Ev::Continue => conn.send(Reply::Continue).await?,
                    Ev::Failed(_) => conn.send(Reply::Error).await?,
                    Ev::End => {
                        let (code, json) = common::echo(head.take(), &std::mem::take(&mut body));
                        conn.send(Reply::full(code, common::JSON, json.as_bytes()))
                            .await?
                    }
                    Ev::Upgrade | Ev::Closed => break,
                    Ev::Trailer { .. } => {}
                }
            }
            Ok::<_, Error>(())
        });
    }
}
