//! A binary without std that calls the parser: if h1-parser needed std or alloc, this would not
//! link. Built by `.ci/run`.
#![no_std]
#![no_main]

use h1_parser::{BodyDecoder, Config, Decoded, Progress, RequestParser};

// The C runtime starts the process and calls `main`; nothing of Rust's std is linked.
#[link(name = "c")]
extern "C" {}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// The prebuilt libcore references the unwinding personality even with `panic = "abort"`;
/// nothing unwinds here, so an empty one satisfies the linker.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    let wire: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
    let mut parser = RequestParser::new();
    let framing = match parser.parse(wire) {
        Ok(Progress::Complete(request)) => (request.framing(), request.head_len()),
        _ => return 1,
    };
    let mut decoder = BodyDecoder::new(framing.0, Config::new());
    match decoder.decode(&wire[framing.1..]) {
        Ok((_, Decoded::Data(b"x"))) => 0,
        _ => 2,
    }
}
