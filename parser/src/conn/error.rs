//! `ConnError`: what the connection core refuses, received or sent.

use crate::error::Error;
use crate::write::WriteError;

/// Why a connection call failed. Errors from [`receive`](super::ServerConn::receive) are
/// final: the connection is done after the answer [`ConnError::status`] names (the server
/// role writes it with [`ServerConn::answer_error`](super::ServerConn::answer_error)). Errors
/// from the sending calls refuse that call only: nothing counts as written, and the
/// connection is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnError {
    /// The peer broke a rule of RFC 9112 or RFC 9110: the parser's error.
    Parse(Error),
    /// A head, a field or a trailer was refused by the writer's rules.
    Write(WriteError),
    /// The input ended inside a message (RFC 9112 §8): a head or a length or chunked body
    /// cut short.
    IncompleteMessage,
    /// Client: a response arrived while no request was waiting for one.
    UnexpectedResponse,
    /// Client: more interim (1xx) responses to one request than the connection's bound.
    TooManyInterim,
    /// More body bytes than the `Length` the head announced.
    BodyTooLong,
    /// The body was finished before the `Length` the head announced was sent.
    BodyTooShort,
    /// Trailers for a body that is not chunked: only chunked framing carries them
    /// (RFC 9112 §7.1.2).
    TrailersNeedChunked,
    /// Server: a 101 answer to a request that did not offer an upgrade (RFC 9110 §7.8).
    UpgradeNotRequested,
    /// Server: an interim answer to an HTTP/1.0 request (RFC 9110 §15.2: none may be sent).
    InterimToHttp10,
    /// Client: the body waits for `100 Continue` (RFC 9110 §10.1.1); see
    /// [`ClientConn::stop_waiting`](super::ClientConn::stop_waiting).
    AwaitingContinue,
    /// Client: a request was sent before the previous request's body was finished, after an
    /// upgrade or CONNECT request, or beyond the pipeline's depth.
    PipelineBusy,
    /// A call out of order: an answer with no request to answer, a second final answer, body
    /// data with no head or after the body was finished.
    OutOfOrder,
    /// The connection is closing or became a tunnel: nothing more can be sent on it.
    Closed,
}

impl ConnError {
    /// The status a server answers: the parser error's own status
    /// ([`Error::status`]), 400 for a request cut short, 500 for a mistake of the
    /// application's, 502 for what a client role received.
    pub const fn status(self) -> u16 {
        match self {
            ConnError::Parse(error) => error.status(),
            ConnError::IncompleteMessage => 400,
            ConnError::UnexpectedResponse | ConnError::TooManyInterim => 502,
            _ => 500,
        }
    }

    /// A short description naming the rule.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConnError::Parse(error) => error.as_str(),
            ConnError::Write(error) => error.as_str(),
            ConnError::IncompleteMessage => "the input ended inside a message (RFC 9112 §8)",
            ConnError::UnexpectedResponse => "a response arrived while no request was waiting",
            ConnError::TooManyInterim => "too many interim (1xx) responses to one request",
            ConnError::BodyTooLong => "more body bytes than the Content-Length announced",
            ConnError::BodyTooShort => "the body ended before the Content-Length announced",
            ConnError::TrailersNeedChunked => "trailers need a chunked body (RFC 9112 §7.1.2)",
            ConnError::UpgradeNotRequested => {
                "a 101 answer to a request that offered no upgrade (RFC 9110 §7.8)"
            }
            ConnError::InterimToHttp10 => {
                "an interim response to an HTTP/1.0 request (RFC 9110 §15.2)"
            }
            ConnError::AwaitingContinue => "the body waits for 100 Continue (RFC 9110 §10.1.1)",
            ConnError::PipelineBusy => "the connection cannot take another request now",
            ConnError::OutOfOrder => "a call out of order for the connection's state",
            ConnError::Closed => "the connection is closing or became a tunnel",
        }
    }
}

impl From<Error> for ConnError {
    fn from(error: Error) -> ConnError {
        ConnError::Parse(error)
    }
}

impl From<WriteError> for ConnError {
    fn from(error: WriteError) -> ConnError {
        ConnError::Write(error)
    }
}

impl core::fmt::Display for ConnError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
impl std::error::Error for ConnError {}
