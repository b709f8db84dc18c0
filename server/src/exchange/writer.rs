//! A response body written as it is produced.

use std::io::{self, Write};
use std::marker::PhantomData;
use std::net::TcpStream;

use super::{link_of, lock, Link};
use crate::response::{needs_pool, Response};

/// A response body sent as it is written: [`Response::writer`](crate::Response::writer).
///
/// The head went out when the writer was made; each `write` is framed (chunked, or to an
/// HTTP/1.0 client until the close) and on the wire before it returns, so a slow client slows
/// the writer (a blocking write, bounded by the write timeout) instead of growing memory. A
/// write fails once the socket knows the client has gone (the write after its close, at the
/// latest; [`BodyWriter::client_gone`] asks without writing). The body ends when the handler returns (or the
/// [`Responder`](crate::Responder) is sent), with the trailers of
/// [`Response::set_trailer`](crate::Response::set_trailer).
#[derive(Debug)]
pub struct BodyWriter<'a> {
    link: Link,
    /// The response is written through it: no field of it changes meanwhile.
    response: PhantomData<&'a mut Response>,
}

/// A handler on the pool writes its answer as it goes.
impl Response {
    /// Sends the head now and returns a writer for the body: each write goes out at once,
    /// chunked (to an HTTP/1.0 client, until the close), for server-sent events, progress,
    /// long polls. The status and fields are those set so far; a body set before is dropped.
    /// Only on the pool ([`Plan::blocking`](crate::Plan::blocking), the default): an inline
    /// handler gets `ErrorKind::Unsupported`.
    ///
    /// ```no_run
    /// use std::io::Write;
    /// # let mut res = h1_server::Response::new();
    /// res.header("Content-Type", "text/event-stream");
    /// let mut events = res.writer()?;
    /// for n in 0..5 {
    ///     write!(events, "data: {n}\n\n")?;
    ///     std::thread::sleep(std::time::Duration::from_millis(200));
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn writer(&mut self) -> io::Result<BodyWriter<'_>> {
        let link = link_of(self).ok_or_else(needs_pool)?;
        if !self.is_body_started() {
            let mut guard = lock(&link);
            let lent = guard.as_mut().ok_or(io::ErrorKind::BrokenPipe)?;
            lent.start_body(self)?;
            drop(guard);
            self.body_started();
        }
        Ok(BodyWriter {
            link,
            response: PhantomData,
        })
    }
}

impl BodyWriter<'_> {
    /// Whether the client closed the connection (its side, at least): a server-sent event
    /// stream with nothing to say for a while can ask instead of writing.
    pub fn client_gone(&self) -> bool {
        match lock(&self.link).as_ref() {
            Some(lent) => lent.client_gone(),
            None => true,
        }
    }
}

impl Write for BodyWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut guard = lock(&self.link);
        let Some(lent) = guard.as_mut() else {
            return Err(io::ErrorKind::BrokenPipe.into());
        };
        lent.send_data(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Whether the peer closed its side: a read would return the end now. A client of a
/// response stream sends nothing more, so its end means it has gone.
#[cfg(unix)]
pub(super) fn closed_by_peer(stream: &TcpStream) -> bool {
    use rustix::net::{recv, RecvFlags};
    let mut byte = [0u8; 1];
    matches!(
        recv(stream, &mut byte, RecvFlags::PEEK | RecvFlags::DONTWAIT),
        Ok((0, _))
    )
}

#[cfg(not(unix))]
pub(super) fn closed_by_peer(_: &TcpStream) -> bool {
    false
}
