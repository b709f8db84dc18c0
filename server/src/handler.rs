//! `Handler`: the code that answers a request, and `Plan`: where the server runs it.

use crate::request::Request;
use crate::response::Response;

/// Code that answers requests. Any `Fn(&Request, &mut Response) + Send + Sync + 'static` is a
/// handler; so is a [`Router`](crate::router::Router).
///
/// By default a handler runs on a thread of the server's handler pool, so it may block: sleep,
/// read a file, wait on a database or another service, read the request body as it arrives
/// ([`Request::body_reader`]) and write the response as it goes ([`Response::writer`]), while
/// the event loops serve the other connections. A handler that never blocks can run on the
/// event loop instead ([`Inline`], [`Plan::inline`]): no thread hop, no allocation, the
/// request's body read whole before it runs.
pub trait Handler: Send + Sync + 'static {
    /// Fills `res` for `req`. The response starts as `200 OK` with an empty body.
    fn handle(&self, req: &Request<'_>, res: &mut Response);

    /// Where and with what body limit `req` is served, decided from its head before any body
    /// is read. The default: on the handler pool, with the server's body limit.
    fn plan(&self, _req: &Request<'_>) -> Plan {
        Plan::blocking()
    }
}

impl<F> Handler for F
where
    F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
{
    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        self(req, res)
    }
}

/// Where a request is served, and the largest body it takes.
///
/// ```
/// use h1_server::{Inline, Plan, Request, Response, Router};
///
/// let mut router = Router::new();
/// // Never blocks: runs on the event loop.
/// router.route_handler("GET", "/", Inline(|_: &Request, res: &mut Response| {
///     res.set_body("hi");
/// }));
/// // May block, and takes bodies up to 4 GiB, read as they arrive.
/// let upload = |req: &Request, res: &mut Response| {
///     let copied = std::io::copy(&mut req.body_reader(), &mut std::io::sink());
///     res.set_body(format!("{copied:?}"));
/// };
/// router.route_handler("PUT", "/upload", Plan::blocking().body_limit(4 << 30).handler(upload));
/// // The same, as routes: `router.inline().get(…)`, `router.with(plan).put(…)`.
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub(crate) inline: bool,
    pub(crate) body_limit: Option<u64>,
}

impl Plan {
    /// On the handler pool: the handler may block; its body is read when it asks.
    pub const fn blocking() -> Plan {
        Plan {
            inline: false,
            body_limit: None,
        }
    }

    /// On the event loop: the handler must not block; its body is read whole first.
    pub const fn inline() -> Plan {
        Plan {
            inline: true,
            body_limit: None,
        }
    }

    /// The largest body this handler takes, in bytes (the server's limit without it:
    /// [`h1_parser::Config::max_body_size`]). A larger one is answered `413`.
    pub const fn body_limit(mut self, bytes: u64) -> Plan {
        self.body_limit = Some(bytes);
        self
    }

    /// Whether the handler runs on the event loop.
    pub const fn is_inline(&self) -> bool {
        self.inline
    }

    /// `handler`, served as this plan says.
    pub fn handler<H: Handler>(self, handler: H) -> Planned<H> {
        Planned {
            plan: self,
            handler,
        }
    }
}

/// A handler that never blocks, run on the event loop: [`Plan::inline`]. The bundled binary's
/// routes are all inline: they answer from memory or stream files the loop pulls.
#[derive(Clone, Copy, Debug)]
pub struct Inline<H>(pub H);

impl<H: Handler> Handler for Inline<H> {
    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        self.0.handle(req, res)
    }

    fn plan(&self, _req: &Request<'_>) -> Plan {
        Plan::inline()
    }
}

/// A handler with its [`Plan`]: see [`Plan::handler`].
#[derive(Clone, Copy, Debug)]
pub struct Planned<H> {
    plan: Plan,
    handler: H,
}

impl<H: Handler> Handler for Planned<H> {
    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        self.handler.handle(req, res)
    }

    fn plan(&self, _req: &Request<'_>) -> Plan {
        self.plan
    }
}
