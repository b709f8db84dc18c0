//! `Answer`: which of the library's own answers a response is.

/// The answers the library writes itself, as [`Response::answer`](crate::response::Response::answer)
/// reports them: a handler's own response has none. Each one can be reshaped (a JSON body, a
/// header) by [`ServerConfig::shape_answers`](crate::config::ServerConfig::shape_answers), and the
/// router's 404 replaced by [`Router::fallback`](crate::router::Router::fallback).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// `404 Not Found`: the router has no route for the path.
    NoRoute,
    /// `405 Method Not Allowed`, with `Allow`: routes match the path for other methods only.
    MethodNotAllowed,
    /// The request broke a rule of the protocol or a limit: the parser's error, answered with
    /// its status (400, 413, 414, 431, 501, 505) before the connection closes.
    Invalid(h1_parser::Error),
    /// `408 Request Timeout`: the head, or the body, did not arrive in time.
    Timeout,
    /// `500 Internal Server Error`: the handler panicked.
    HandlerPanicked,
    /// `501 Not Implemented`: the handler answered `CONNECT` with a 2xx, which would open a
    /// tunnel (RFC 9110 §9.3.6); the server opens none.
    TunnelRefused,
    /// `503 Service Unavailable`, with `Retry-After`: the request's body would pass the
    /// memory the server gives bodies read whole
    /// ([`ServerConfig::body_memory`](crate::config::ServerConfig::body_memory)).
    OverBudget,
    /// `500 Internal Server Error`: the handler deferred its answer and dropped the
    /// [`Responder`](crate::Responder) unanswered.
    Unanswered,
    /// `500 Internal Server Error`: the server lost track of a request (a bug).
    Internal,
}

impl Answer {
    /// The status the library answers with.
    pub fn status(self) -> u16 {
        match self {
            Answer::NoRoute => 404,
            Answer::MethodNotAllowed => 405,
            Answer::Invalid(error) => error.status(),
            Answer::Timeout => 408,
            Answer::HandlerPanicked | Answer::Unanswered | Answer::Internal => 500,
            Answer::TunnelRefused => 501,
            Answer::OverBudget => 503,
        }
    }
}
