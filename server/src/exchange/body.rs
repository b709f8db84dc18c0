//! The request body of a request served on the pool, read as the handler asks for it.

use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::{lock, Link};
use crate::answer::Answer;
use crate::budget::Budget;

/// The piece a whole body is read in.
const PIECE: usize = 16 * 1024;

/// The body of a lent request: read from the socket on demand ([`BodyReader`]), or whole
/// when the handler asks for all of it, and its trailer fields once it ended.
#[derive(Debug)]
pub(crate) struct Streamed {
    link: Link,
    whole: OnceLock<Vec<u8>>,
    trailers: OnceLock<Vec<(Vec<u8>, Vec<u8>)>>,
    /// The server's body budget, and how much of it the whole body holds.
    budget: Option<Arc<Budget>>,
    reserved: AtomicUsize,
}

impl Streamed {
    pub(crate) fn new(link: Link) -> Streamed {
        let budget = lock(&link).as_ref().and_then(|lent| lent.body_budget());
        Streamed {
            link,
            whole: OnceLock::new(),
            trailers: OnceLock::new(),
            budget,
            reserved: AtomicUsize::new(0),
        }
    }

    /// Reads the next body bytes into `buf` (0: the end).
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut guard = lock(&self.link);
        let Some(lent) = guard.as_mut() else {
            return Ok(0);
        };
        let n = lent.read_body(buf)?;
        if let Some(trailers) = lent.trailers().filter(|_| n == 0) {
            let _ = self.trailers.set(trailers.to_vec());
        }
        Ok(n)
    }

    /// The whole body, read now if it was not: what was read before by a [`BodyReader`] is
    /// not in it. `None` when the body could not be read (the request is then answered by
    /// the status that says why: 400, 408, 413, 503).
    pub(crate) fn whole(&self) -> Option<&[u8]> {
        let body = self.whole_or_empty();
        let failed = lock(&self.link)
            .as_ref()
            .is_some_and(|lent| lent.body_failed());
        (!failed).then_some(body)
    }

    fn whole_or_empty(&self) -> &[u8] {
        self.whole.get_or_init(|| {
            let mut body = Vec::new();
            let mut piece = vec![0; PIECE];
            loop {
                match self.read(&mut piece) {
                    Ok(0) => return body,
                    Ok(n) if self.make_room(&mut body, n) => body.extend_from_slice(&piece[..n]),
                    Ok(_) => {
                        if let Some(lent) = lock(&self.link).as_mut() {
                            lent.refuse_body(Answer::OverBudget);
                        }
                        break;
                    }
                    Err(_) => break,
                }
            }
            // Refused: what it held goes back before the answer does.
            self.release();
            Vec::new()
        })
    }

    /// Gives back what the whole body holds of the budget.
    fn release(&self) {
        if let Some(budget) = &self.budget {
            budget.release(self.reserved.swap(0, Ordering::Relaxed));
        }
    }

    /// Room in `body` for `more` bytes, its growth taken from the budget first.
    fn make_room(&self, body: &mut Vec<u8>, more: usize) -> bool {
        let needed = body.len() + more;
        if needed <= body.capacity() {
            return true;
        }
        let grown = needed.max(body.capacity() * 2);
        if let Some(budget) = &self.budget {
            let reserved = self.reserved.load(Ordering::Relaxed);
            if !budget.reserve(grown - reserved) {
                return false;
            }
            self.reserved.store(grown, Ordering::Relaxed);
        }
        body.reserve_exact(grown - body.len());
        true
    }

    /// The trailer fields, once the body was read to its end.
    pub(crate) fn trailers(&self) -> &[(Vec<u8>, Vec<u8>)] {
        self.trailers.get().map(Vec::as_slice).unwrap_or_default()
    }
}

impl Drop for Streamed {
    fn drop(&mut self) {
        self.release();
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
    body: &'a Streamed,
}

impl<'a> BodyReader<'a> {
    pub(crate) fn new(body: &'a Streamed) -> BodyReader<'a> {
        BodyReader { body }
    }
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.body.read(buf)
    }
}
