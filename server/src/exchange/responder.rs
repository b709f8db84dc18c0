//! An answer completed later, from any thread.

use std::io;
use std::sync::Arc;

use super::{complete, link_of, unanswered, Link};
use crate::response::{needs_pool, LentLink, Response};

/// The answer to a request, to complete from any thread: [`Response::defer`](crate::Response::defer).
///
/// Fill [`Responder::response`] (status, fields, body; or stream it through its
/// [`Response::writer`](crate::Response::writer)), then [`Responder::send`]. The connection
/// reads no further request until then, so pipelined answers keep their order. Dropped
/// unsent, it answers `500 Internal Server Error` and closes the connection.
#[derive(Debug)]
pub struct Responder {
    response: Option<Response>,
    link: Link,
}

impl Responder {
    pub(crate) fn new(link: Link) -> Responder {
        let mut response = Response::new();
        response.link(Arc::clone(&link) as LentLink);
        Responder {
            response: Some(response),
            link,
        }
    }

    /// The response to fill.
    pub fn response(&mut self) -> &mut Response {
        self.response.get_or_insert_with(Response::new)
    }

    /// Sends the response (blocking until it is on the wire) and gives the connection back.
    pub fn send(mut self) {
        let response = self.response.take().unwrap_or_else(unanswered);
        complete(&self.link, response);
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if self.response.is_some() {
            complete(&self.link, unanswered());
        }
    }
}

/// A handler on the pool answers later.
impl Response {
    /// Hands the answer to a [`Responder`], to complete from any thread; what this response
    /// holds is dropped. Only on the pool (an inline handler gets `ErrorKind::Unsupported`).
    pub fn defer(&mut self) -> io::Result<Responder> {
        let link = link_of(self).ok_or_else(needs_pool)?;
        self.set_deferred();
        Ok(Responder::new(link))
    }
}
