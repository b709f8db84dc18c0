//! `h1-server --echo` over the blocking embedded-io traits: the async example's echo, served
//! from std's TCP through embedded-io-adapters, a thread per connection. `echo_blocking [ADDR]`
mod common;

/// One connection in its own buffers: 40 KiB to read requests into, 80 KiB for answers (the
/// corpus has 32 KiB heads), room for 100 fields a head.
pub fn serve(stream: std::net::TcpStream) -> std::io::Result<()> {
    let mut socket = embedded_io_adapters::std::FromStd::new(stream);
    let (mut input, mut output) = (vec![0u8; 40 * 1024], vec![0u8; 80 * 1024]);
    let mut session = h1_embedded::Session::<100>::new(&mut input, &mut output);
    h1_embedded::blocking::serve(&mut socket, &mut session, common::echo)
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8080".into());
    let listener = std::net::TcpListener::bind(addr)?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || serve(stream));
    }
    Ok(())
}
