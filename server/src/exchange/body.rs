//! The request body of a request served on the pool, read as the handler asks for it.

use std::io::{self, Read};
use std::sync::{Arc, OnceLock};

use super::{lock, Link};

/// The body of a lent request: read from the socket on demand ([`BodyReader`]), or whole
/// when the handler asks for all of it, and its trailer fields once it ended.
#[derive(Debug)]
pub(crate) struct Streamed {
    link: Link,
    whole: OnceLock<Vec<u8>>,
    trailers: OnceLock<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl Streamed {
    pub(crate) fn new(link: Link) -> Streamed {
        Streamed {
            link,
            whole: OnceLock::new(),
            trailers: OnceLock::new(),
        }
    }

    /// Reads the next body bytes into `buf` (0: the end).
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut guard = lock(&self.link);
        let Some(lent) = guard.as_mut() else {
            return Ok(0);
        };
        let stream = Arc::clone(&lent.stream);
        let n = lent.conn.read_body(&*stream, buf)?;
        if n == 0 && lent.conn.body_ended() {
            let _ = self.trailers.set(lent.conn.trailers().to_vec());
        }
        Ok(n)
    }

    /// The whole body, read now if it was not: what was read before by a [`BodyReader`] is
    /// not in it. Empty when the body could not be read (the request is then answered by
    /// the status that says why: 400, 408, 413).
    pub(crate) fn whole(&self) -> &[u8] {
        self.whole.get_or_init(|| {
            let mut body = Vec::new();
            let _ = BodyReader { body: self }.read_to_end(&mut body);
            body
        })
    }

    /// The trailer fields, once the body was read to its end.
    pub(crate) fn trailers(&self) -> &[(Vec<u8>, Vec<u8>)] {
        self.trailers.get().map(Vec::as_slice).unwrap_or_default()
    }
}

/// The request body as it arrives: [`Request::body_reader`](crate::Request::body_reader).
///
/// A read waits for the client's bytes (up to the body timeout); the socket is read only as
/// the handler reads, so a slow handler slows the client, never the server's memory. The first
/// read sends `100 Continue` when the client waits for it. A body over the route's limit, a
/// malformed one, or one too slow ends in an error, and the request is answered by the
/// status that says why (413, 400, 408), whatever the handler answers.
#[derive(Debug)]
pub struct BodyReader<'a> {
    pub(crate) body: &'a Streamed,
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.body.read(buf)
    }
}
