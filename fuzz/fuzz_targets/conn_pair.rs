//! A client connection and a server connection talking through the byte stream cut into the
//! pieces the input chooses, with exchanges the input generates (bodies, trailers,
//! 100-continue, HEAD, pipelining, Connection: close, 1xx, upgrades): every message arrives
//! as sent, both sides agree on persistence, nothing is left over or invented. The driver is
//! the property test's (`parser/tests/pair/mod.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../parser/tests/pair/mod.rs"]
mod pair;

use pair::{Exchange, Payload};

/// Bytes of the input, read front to back; zeros once it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn bit(&mut self) -> bool {
        self.byte() & 1 == 1
    }
    fn payload(&mut self) -> Payload {
        let len = usize::from(self.byte() % 48);
        let data = (0..len).map(|_| self.byte()).collect();
        let chunked = self.bit();
        let trailers = (0..self.byte() % 3)
            .map(|k| (format!("X-T{k}"), format!("v{}", self.byte() % 100)))
            .collect();
        Payload {
            data,
            chunked,
            trailers,
        }
    }
    fn exchange(&mut self) -> Exchange {
        let method = self.byte() % 4;
        let target = format!("/{}", self.byte());
        let has_body = method >= 2 && self.bit();
        let request_body = has_body.then(|| self.payload());
        let flags = self.byte();
        Exchange {
            method,
            target,
            request_body,
            expect_continue: flags & 1 != 0,
            close: flags & 0b1110 == 0b0010,
            upgrade: flags & 0b1110000 == 0b0010000,
            interim: (flags >> 7) + (self.byte() % 2),
            code: [200, 201, 204, 304, 404][usize::from(self.byte() % 5)],
            response_body: self.payload(),
            until_close: self.byte() % 16 == 0,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let pieces: Vec<usize> = (0..1 + bytes.byte() % 8)
        .map(|_| usize::from(1 + bytes.byte() % 64))
        .collect();
    let exchanges: Vec<Exchange> = (0..1 + bytes.byte() % 6)
        .map(|_| bytes.exchange())
        .collect();
    if let Err(failure) = pair::run(&exchanges, &pieces) {
        panic!("{failure}\n{exchanges:#?}\npieces {pieces:?}");
    }
});
