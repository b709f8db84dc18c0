//! `Exchange`: what a request said that its answer depends on, and what an answer then
//! decides for the connection — the body it may carry, persistence, a hand-over (RFC 9112
//! §6.3, §9.3; RFC 9110 §9.3, §15.2).

use super::outgoing::Outgoing;
use crate::message::{Framing, Method, Version};
use crate::request::Request;
use crate::write::Body;

/// A request's method, as far as its answer's framing cares (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asked {
    Head,
    Connect,
    Other,
}

impl Asked {
    /// A method that frames an answer as this one does.
    fn method(self) -> Method<'static> {
        match self {
            Asked::Head => Method::Head,
            Asked::Connect => Method::Connect,
            Asked::Other => Method::Get,
        }
    }
}

/// What the current request said that its answer depends on, and what the answer has done
/// to it so far.
#[derive(Clone, Copy, Debug)]
pub(super) struct Exchange {
    /// The method as far as the answer's framing cares (RFC 9112 §6.3).
    method: Asked,
    http10: bool,
    wants_upgrade: bool,
    /// The client waits for `100 Continue` and it was not sent.
    continue_owed: bool,
    /// The answer switched protocols or opened a tunnel.
    tunnel: bool,
}

/// What an answer decides for its connection ([`Exchange::settle`]).
pub(super) struct Settled {
    /// The body as the answer may send it.
    pub(super) body: Body,
    pub(super) sending: Outgoing,
    pub(super) keep_alive: bool,
    pub(super) tunnel: bool,
    /// The `Connection` option the connection adds.
    pub(super) connection: Option<&'static str>,
}

impl Exchange {
    pub(super) const NONE: Exchange = Exchange {
        method: Asked::Other,
        http10: false,
        wants_upgrade: false,
        continue_owed: false,
        tunnel: false,
    };

    /// What `request`, whose body is framed by `framing`, asks of its answer.
    #[inline(always)]
    pub(super) fn of(request: &Request<'_>, framing: Framing) -> Exchange {
        Exchange {
            method: match request.standard_method() {
                Some(Method::Head) => Asked::Head,
                Some(Method::Connect) => Asked::Connect,
                _ => Asked::Other,
            },
            http10: request.version() == Version::Http10,
            wants_upgrade: request.wants_upgrade(),
            // RFC 9110 §10.1.1: with no body to send, the client waits for nothing.
            continue_owed: request.expects_continue() && has_body(framing),
            tunnel: false,
        }
    }

    /// A method that frames the answer as the request's does (RFC 9112 §6.3).
    #[inline]
    pub(super) fn method(&self) -> Method<'static> {
        self.method.method()
    }

    /// RFC 9110 §15.2: an HTTP/1.0 client gets no interim answer.
    #[inline]
    pub(super) fn is_http10(&self) -> bool {
        self.http10
    }

    /// RFC 9110 §15.2.2: a 101 answers only a request that offered an upgrade.
    #[inline]
    pub(super) fn offered_upgrade(&self) -> bool {
        self.wants_upgrade
    }

    /// The client waits for `100 Continue` before it sends the body (RFC 9110 §10.1.1).
    #[inline]
    pub(super) fn continue_owed(&self) -> bool {
        self.continue_owed
    }

    /// `100 Continue` went out, or a final answer made it moot.
    #[inline]
    pub(super) fn continue_sent(&mut self) {
        self.continue_owed = false;
    }

    /// The answer switched protocols or opened a tunnel: no more HTTP/1.1 on the connection.
    #[inline]
    pub(super) fn is_tunnel_open(&self) -> bool {
        self.tunnel
    }

    /// The answer's head went out as `settled` decided.
    #[inline]
    pub(super) fn answered(&mut self, settled: &Settled) {
        self.tunnel = settled.tunnel;
        self.continue_owed = false;
    }

    /// What an answer with `code` decides for a connection that persists so far when
    /// `keep_alive`, given whether its fields said `Connection: close` or `keep-alive`, for
    /// the body the application gives.
    #[inline]
    pub(super) fn settle(
        &self,
        keep_alive: bool,
        code: u16,
        said_close: bool,
        said_keep_alive: bool,
        body: Body,
    ) -> Settled {
        let (body, sending) = self.fit_body(code, body);
        let tunnel = self.is_tunnel(code);
        let mut keep_alive = keep_alive && !said_close && !tunnel;
        // RFC 9112 §9.3: a body delimited by the close ends the connection.
        keep_alive &= sending != Outgoing::UntilClose;
        // RFC 9110 §10.1.1: the client waits for 100 and gets a final answer instead; whether it
        // sends the body now is its choice, so the connection cannot be read on.
        keep_alive &= !self.continue_owed;
        // A refused CONNECT: the client may already be sending tunnel bytes.
        keep_alive &= self.method != Asked::Connect;
        let connection = if !keep_alive && !tunnel && !said_close {
            Some("close")
        } else if keep_alive && self.http10 && !said_keep_alive {
            // RFC 9112 §9.3: an HTTP/1.0 client keeps the connection only when told so.
            Some("keep-alive")
        } else {
            None
        };
        Settled {
            body,
            sending,
            keep_alive,
            tunnel,
            connection,
        }
    }

    /// RFC 9110 §15.2.2, §9.3.6: a 101, or a 2xx to CONNECT, ends HTTP/1.1 on the connection.
    #[inline]
    fn is_tunnel(&self, code: u16) -> bool {
        code == 101 || (self.method == Asked::Connect && (200..300).contains(&code))
    }

    /// `body` as this answer may send it, and how its data is then sent (RFC 9110 §6.4.1,
    /// §8.6, §9.3.2, §15.4.5; RFC 9112 §6.1, §6.3).
    #[inline]
    fn fit_body(&self, code: u16, body: Body) -> (Body, Outgoing) {
        let tunnel = self.is_tunnel(code);
        let never = tunnel || (100..200).contains(&code) || code == 204;
        let head_or_304 = self.method == Asked::Head || code == 304;
        if never || head_or_304 {
            // HEAD and 304 may say the length the body would have had; the others say nothing.
            let announced = match body {
                Body::Length(length) | Body::Advertised(length) if !never => {
                    Body::Advertised(length)
                }
                _ => Body::None,
            };
            // After a tunnel's head the bytes are the tunnel's, written by the caller itself.
            let sending = match body {
                _ if tunnel => Outgoing::Idle,
                Body::None => Outgoing::Idle,
                _ => Outgoing::Discard,
            };
            return (announced, sending);
        }
        match body {
            Body::None => (Body::None, Outgoing::Idle),
            Body::Length(length) => (body, Outgoing::Length(length)),
            // RFC 9112 §6.1: an HTTP/1.0 recipient cannot read chunked; the close ends the body.
            Body::Chunked if self.http10 => (Body::UntilClose, Outgoing::UntilClose),
            Body::Chunked => (body, Outgoing::Chunked),
            Body::UntilClose => (body, Outgoing::UntilClose),
            // Refused by the writer: only HEAD and 304 advertise.
            Body::Advertised(_) => (body, Outgoing::Idle),
        }
    }
}

/// Whether a request framed by `framing` has body bytes to read (RFC 9112 §6.3).
#[inline]
pub(super) fn has_body(framing: Framing) -> bool {
    !matches!(framing, Framing::NoBody | Framing::Length(0))
}
