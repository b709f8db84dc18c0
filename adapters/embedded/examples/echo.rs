//! `h1-server --echo` over embedded-io-async: each request answered with itself as JSON, no_std
//! and no alloc. On a board (`--target thumbv7em-none-eabihf`) it serves a stand-in socket; on
//! the host, `echo [ADDR] [board]` serves TCP through embedded-io-adapters, a task per connection.
#![cfg_attr(target_os = "none", no_std, no_main)]

pub mod common;

/// One connection, in the buffers given, with room for `N` fields per head (the host gives
/// more of both: the corpus has 32 KiB heads and 100 fields).
pub async fn serve<S, const N: usize>(
    socket: &mut S,
    input: &mut [u8],
    output: &mut [u8],
) -> Result<(), S::Error>
where
    S: embedded_io_async::Read + embedded_io_async::Write,
{
    let mut session = h1_embedded::Session::<N>::new(input, output);
    h1_embedded::serve(socket, &mut session, common::echo).await
}

#[cfg(target_os = "none")]
mod board {
    use core::convert::Infallible;

    /// Stands in for the network stack's TCP socket (embassy-net's implements the same
    /// traits): a connection whose peer has closed.
    struct Socket;

    impl embedded_io_async::ErrorType for Socket {
        type Error = Infallible;
    }

    impl embedded_io_async::Read for Socket {
        async fn read(&mut self, _: &mut [u8]) -> Result<usize, Infallible> {
            Ok(0)
        }
    }

    impl embedded_io_async::Write for Socket {
        async fn write(&mut self, bytes: &[u8]) -> Result<usize, Infallible> {
            Ok(bytes.len())
        }

        async fn flush(&mut self) -> Result<(), Infallible> {
            Ok(())
        }
    }

    /// The entry point: 1,536 bytes for requests, 1,536 for answers, 16 fields a head.
    #[no_mangle]
    pub extern "C" fn _start() -> ! {
        loop {
            let (mut input, mut output) = ([0u8; 1536], [0u8; 1536]);
            let _ = embassy_futures::block_on(super::serve::<_, 16>(
                &mut Socket,
                &mut input,
                &mut output,
            ));
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        loop {}
    }
}

#[cfg(not(target_os = "none"))]
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or("127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    match args.next().as_deref() {
        Some("board") => host::accept::<1536, 1536, 16>(listener).await,
        _ => host::accept::<{ 40 * 1024 }, { 80 * 1024 }, 100>(listener).await,
    }
}

/// `echo [ADDR] [board]`: each connection in buffers of its own, 40 KiB and 80 KiB with 100
/// fields a head (a 32 KiB head of the corpus and its echo fit), or with `board` the board's
/// 1,536 and 1,536 bytes and 16 fields.
#[cfg(not(target_os = "none"))]
pub mod host {
    /// Serves every connection `listener` accepts, each in its own task and buffers.
    pub async fn accept<const IN: usize, const OUT: usize, const N: usize>(
        listener: tokio::net::TcpListener,
    ) -> std::io::Result<()> {
        eprintln!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let mut socket = embedded_io_adapters::tokio_1::FromTokio::new(stream);
                let (mut input, mut output) = (vec![0u8; IN], vec![0u8; OUT]);
                super::serve::<_, N>(&mut socket, &mut input, &mut output).await
            });
        }
    }
}
