//! The access log's call for each answer written (`ServerConfig::log`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Instant, SystemTime};

use h1_parser::Method;

use super::Connection;
use crate::log::Served;
use crate::response::Response;

impl Connection {
    /// Tells the configured log that `response` is going out for the current request.
    #[inline]
    pub(super) fn log_answer(&self, response: &Response) {
        if let Some(log) = self.config.log {
            self.log_to(log, response);
        }
    }

    #[inline(never)]
    fn log_to(&self, log: fn(&Served<'_>), response: &Response) {
        let head = self.core.request(self.incoming.head(&self.input));
        let status = response.status();
        let bodiless = status == 204 || status == 304 || status < 200;
        let body_bytes = match &head {
            Some(head) if head.method() == Method::Head => Some(0),
            _ if bodiless => Some(0),
            _ if response.is_streamed() => response.streamed_length(),
            _ => Some(response.body().len() as u64),
        };
        let elapsed = Instant::now().saturating_duration_since(self.started);
        let served = Served {
            peer: self.peer,
            method: head.as_ref().map_or("-", |head| head.method().as_str()),
            target: head.as_ref().map_or("-", |head| head.target()),
            version: head.as_ref().map(|head| head.version()),
            status,
            body_bytes,
            received: SystemTime::now() - elapsed,
            duration: elapsed,
            answer: response.answer(),
        };
        // A log that panics costs its line, never the connection.
        let _ = catch_unwind(AssertUnwindSafe(|| log(&served)));
    }
}
