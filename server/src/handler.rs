//! `Handler`: the code that answers a request, as the connection core sees it.

use crate::request::Request;
use crate::response::Response;

/// Code that answers requests. Any `Fn(&Request, &mut Response) + Send + Sync + 'static` is a
/// handler; so is a [`Router`](crate::router::Router). Handlers run on the worker threads, several at
/// once.
pub trait Handler: Send + Sync + 'static {
    /// Fills `res` for `req`. The response starts as `200 OK` with an empty body.
    fn handle(&self, req: &Request<'_>, res: &mut Response);
}

impl<F> Handler for F
where
    F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
{
    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        self(req, res)
    }
}
