//! The connection core on bare metal: a server connection answering what arrives in a static
//! buffer, and a client connection reading a response, with no std, no alloc and 16 fields
//! per head. The linker keeps only what the two roles reach, so the binary's size is the
//! core's (the start-up code is a few bytes).
#![no_std]
#![no_main]

use h1_parser::conn::{ClientConn, Event, ServerConn};
use h1_parser::write::Body;
use h1_parser::{Config, Method};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// What "the network" delivers; `black_box` keeps the optimizer from assuming its contents.
fn input(len: usize) -> &'static [u8] {
    core::hint::black_box(&DATA[..len.min(DATA.len())])
}

static DATA: &[u8] = b"GET / HTTP/1.1\r\nHost: device.local\r\n\r\n";

fn serve(conn: &mut ServerConn<16>, input: &[u8], out: &mut [u8]) -> usize {
    let (mut at, mut written) = (0, 0);
    while let Ok((consumed, event)) = conn.receive(&input[at..]) {
        at += consumed;
        match event {
            Event::End | Event::AnswerOwed => {
                let Some(room) = out.get_mut(written..) else { return written };
                let Ok(mut answer) = conn.respond(room, 200) else { return written };
                if answer.field("Content-Type", "text/plain").is_err() {
                    return written;
                }
                written += answer.finish_with(b"ok").unwrap_or(0);
            }
            Event::NeedMore | Event::Closed | Event::Upgrade => break,
            _ => {}
        }
    }
    if let Some(room) = out.get_mut(written..) {
        written += conn.answer_error(room).unwrap_or(0);
    }
    written
}

fn fetch(conn: &mut ClientConn<16>, response: &[u8], out: &mut [u8]) -> usize {
    let Ok(mut request) = conn.request(&mut *out, Method::Get, "/") else { return 0 };
    if request.field("Host", "device.local").is_err() || request.finish(Body::None).is_err() {
        return 0;
    }
    let (mut at, mut body) = (0, 0);
    while let Ok((consumed, event)) = conn.receive(&response[at..]) {
        at += consumed;
        match event {
            Event::Data(range) => body += range.len(),
            Event::End | Event::NeedMore | Event::Closed | Event::Upgrade => break,
            _ => {}
        }
    }
    body
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let mut server = ServerConn::<16>::from_config(Config::new());
    let mut client = ClientConn::<16>::from_config(Config::new());
    let mut out = [0u8; 256];
    let len = core::hint::black_box(DATA.len());
    let written = serve(&mut server, input(len), &mut out);
    let body = fetch(&mut client, core::hint::black_box(&out[..written]), &mut [0u8; 128]);
    core::hint::black_box(body);
    loop {}
}
