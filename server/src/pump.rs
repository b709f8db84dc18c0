//! The socket-agnostic pump: one turn of read, process, write for a connection over any
//! `Read + Write`, spending the readiness the event loop was told of.
//!
//! Readiness is kept, not asked for: a read shorter than the buffer emptied the socket (the
//! next bytes bring a new event), a write shorter than asked filled it (room brings one). So a
//! keep-alive request costs one wait, one read and one write. With edge-triggered readiness a
//! turn must never end with work it knows of and no event to come: then it says
//! [`Next::Again`], and the worker drives the connection again before it blocks.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use crate::conn::Connection;
use crate::handler::Handler;
use crate::poll::Readiness;

/// Read-process-write rounds per connection per turn before the others get theirs.
pub(crate) const ROUNDS: usize = 16;

/// After the last response of a connection the server stops sending and reads (and drops)
/// what the client still sends, for at most this long or this many bytes, before closing: a
/// close with unread input would send a reset that can destroy the response in flight.
pub(crate) const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 256 * 1024;

/// What [`pump`] leaves the worker to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Nothing until the next event or deadline.
    Wait,
    /// Work is left (input known to be waiting, or buffered requests): drive again before the
    /// next blocking wait.
    Again,
    /// All output is sent and the connection should linger before its close.
    Linger,
    /// Close now.
    Close,
}

/// One turn of I/O for a connection, at most [`ROUNDS`] rounds of read, process, write.
pub(crate) fn pump<S: Read + Write, H: Handler + ?Sized>(
    stream: &mut S,
    io: &mut Readiness,
    conn: &mut Connection,
    handler: &H,
    now: Instant,
) -> Next {
    for _ in 0..ROUNDS {
        if io.readable {
            if let Some(buf) = conn.read_buf() {
                let room = buf.len();
                match stream.read(buf) {
                    Ok(0) => {
                        conn.read_eof();
                        io.readable = false;
                    }
                    Ok(n) => {
                        conn.commit_read(n, now);
                        // A short read emptied the socket; the next bytes bring a new event.
                        // After the peer's close, read on until EOF.
                        if n < room && !io.hup {
                            io.readable = false;
                        }
                    }
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                        io.readable = false;
                    }
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    // Reset by the peer: it vanished, free everything.
                    Err(_) => return Next::Close,
                }
            }
        }
        conn.process(handler, now);
        while io.writable {
            let out = conn.output();
            if out.is_empty() {
                break;
            }
            let asked = out.len();
            match stream.write(out) {
                Ok(0) => return Next::Close,
                Ok(n) => {
                    conn.consume_output(n, now);
                    // A short write filled the socket; room brings a writable event.
                    if n < asked {
                        io.writable = false;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => io.writable = false,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Next::Close,
            }
        }
        if conn.is_finished() {
            return if conn.should_linger() {
                Next::Linger
            } else {
                Next::Close
            };
        }
        let input_waiting = io.readable && conn.wants_read();
        let requests_waiting = conn.has_buffered_requests() && conn.output().is_empty();
        if !input_waiting && !requests_waiting {
            return Next::Wait;
        }
    }
    Next::Again
}

/// A lingering close: reads and drops what the client still sends until it closes, or the
/// linger ends (in time or bytes): then [`Next::Close`].
pub(crate) fn linger<S: Read>(stream: &mut S, io: &mut Readiness, now: Instant) -> Next {
    let Some((until, dropped)) = io.linger.as_mut() else {
        return Next::Close;
    };
    loop {
        match stream.read(&mut [0u8; 4096]) {
            Ok(0) => return Next::Close,
            Ok(n) => {
                *dropped += n;
                if *dropped > LINGER_BYTES || now >= *until {
                    return Next::Close;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                io.readable = false;
                return Next::Wait;
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Next::Close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServerConfig;
    use crate::request::Request;
    use crate::response::Response;

    /// A socket stand-in: reads hand out `input` (then would block), writes take everything
    /// (never a short write).
    struct Pipe {
        input: Vec<u8>,
        at: usize,
        output: Vec<u8>,
    }

    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let rest = self.input.get(self.at..).unwrap_or_default();
            if rest.is_empty() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// #13.7: 20,000 pipelined requests in one read, 1 KB answers, never a short write: more
    /// than 64 rounds of 64 KiB (the old loop's bound, after which it waited for input). Each
    /// turn ends in `Again` while requests are buffered (so the worker drives it again without
    /// waiting for an event that will not come), and `Wait` only once all are answered.
    #[test]
    fn pipelined_requests_beyond_the_rounds_of_a_turn_are_not_stranded() {
        const REQUESTS: usize = 20_000;
        let config = ServerConfig::new().read_buffer_size(1 << 20);
        let handler = |_: &Request<'_>, res: &mut Response| {
            res.body_mut().resize(1000, b'x');
        };
        let one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        let mut pipe = Pipe {
            input: one
                .iter()
                .copied()
                .cycle()
                .take(one.len() * REQUESTS)
                .collect(),
            at: 0,
            output: Vec::new(),
        };
        let now = Instant::now();
        let mut conn = Connection::new(&config, now);
        let mut io = Readiness {
            readable: true,
            writable: true,
            ..Readiness::default()
        };
        let mut turns = 0;
        loop {
            turns += 1;
            assert!(turns < 10_000, "no end");
            match pump(&mut pipe, &mut io, &mut conn, &handler, now) {
                Next::Again => continue,
                Next::Wait => break,
                other => panic!("{other:?}"),
            }
        }
        let answers = pipe
            .output
            .windows(17)
            .filter(|w| w == b"HTTP/1.1 200 OK\r\n")
            .count();
        assert_eq!(answers, REQUESTS, "stranded after {turns} turns");
        // 20,000 answers of 1,088 bytes are 332 rounds of 64 KiB, 21 turns of ROUNDS.
        assert!(turns > 1, "one turn: the test drove too few rounds");
        assert!(!conn.has_buffered_requests());
    }
}
