//! The connection's byte stream after an upgrade or a tunnel.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The connection after `101 Switching Protocols` ([`Response::upgrade`](crate::Response::upgrade))
/// or a 2xx to `CONNECT` ([`Response::tunnel`](crate::Response::tunnel)): the bytes the
/// client sent after its request (already read by the server) come first, then the socket's.
/// A blocking stream without timeouts (set your protocol's with [`Upgraded::socket`]), on a
/// handler thread of its own, counted in `max_connections` while it lives; dropping it closes
/// the connection.
#[derive(Debug)]
pub struct Upgraded {
    prefix: Vec<u8>,
    at: usize,
    stream: Arc<TcpStream>,
    _counted: Counted,
}

/// One connection in the server's open count (`max_connections`) for as long as it lives.
#[derive(Debug)]
pub(crate) struct Counted(Arc<AtomicUsize>);

impl Counted {
    /// Counts one more connection open.
    pub(crate) fn new(open: Arc<AtomicUsize>) -> Counted {
        open.fetch_add(1, Ordering::SeqCst);
        Counted(open)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Upgraded {
    /// The stream after an upgrade: the socket's timeouts are the new protocol's to set (none
    /// until then: a WebSocket may idle for long), and it counts as an open connection.
    pub(crate) fn new(prefix: Vec<u8>, stream: Arc<TcpStream>, counted: Counted) -> Upgraded {
        let _ = stream.set_read_timeout(None);
        let _ = stream.set_write_timeout(None);
        Upgraded {
            prefix,
            at: 0,
            stream,
            _counted: counted,
        }
    }

    /// The socket, for its timeouts or addresses (reads go through the `Upgraded`, which
    /// hands out the bytes already read first).
    pub fn socket(&self) -> &TcpStream {
        &self.stream
    }
}

impl Read for Upgraded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.prefix.get(self.at..).unwrap_or_default();
        if !rest.is_empty() {
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            return Ok(n);
        }
        (&*self.stream).read(buf)
    }
}

impl Write for Upgraded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.stream).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.stream).flush()
    }
}

impl Drop for Upgraded {
    fn drop(&mut self) {
        // Other handles (the worker's, being dropped) must not keep the connection open.
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}
