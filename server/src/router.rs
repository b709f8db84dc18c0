//! `Router`: which handler answers which method and path.

use arrayvec::ArrayString;
use h1_parser::Framing;

use crate::answer::Answer;
use crate::handler::{Handler, Plan};
use crate::request::Request;
use crate::request::{Params, MAX_PARAMS};
use crate::response::Response;

#[derive(Debug)]
enum Segment {
    Literal(String),
    Param(String),
    Rest(String),
}

struct Route {
    method: String,
    segments: Vec<Segment>,
    handler: Box<dyn Handler>,
}

/// Routes requests by method and path pattern to handlers.
///
/// A pattern is a path of `/`-separated segments: a literal matches itself, `:name` matches
/// any one non-empty segment, and a final `*name` matches the rest of the path (possibly
/// empty). Routes are tried in the order they were added. A path that no route matches gets
/// `404 Not Found` (or goes to the [`Router::fallback`]); a path that routes match for other
/// methods only gets `405 Method Not Allowed` with an `Allow` header. Both carry their
/// [`Answer`] ([`Response::answer`]), and [`ServerConfig::shape_answers`](crate::config::ServerConfig::shape_answers)
/// can reshape them. `HEAD` is answered by the `GET` route
/// when there is no `HEAD` route (the server sends no body for `HEAD`).
///
/// ```
/// use std::time::Instant;
/// use h1_server::conn::Connection;
/// use h1_server::{Router, ServerConfig};
///
/// let mut router = Router::new();
/// router
///     .get("/", |_, res| {
///         res.set_body("Hello, world!");
///     })
///     .post("/users/:id/files/*path", |req, res| {
///         let (id, path) = (req.param("id"), req.param("path"));
///         res.set_status(201).set_body(format!("{id:?} {path:?} {}", req.body().len()));
///     });
///
/// // Drive it without a socket: the answers to three pipelined requests.
/// let mut conn = Connection::new(&ServerConfig::new(), Instant::now());
/// conn.feed(
///     b"POST /users/7/files/a/b.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi\
///       DELETE / HTTP/1.1\r\nHost: x\r\n\r\n\
///       GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
///     &router,
///     Instant::now(),
/// );
/// let out = String::from_utf8_lossy(conn.output());
/// let answers: Vec<&str> = out.split("HTTP/1.1 ").skip(1).collect();
/// assert!(answers[0].starts_with("201 Created\r\n"));
/// assert!(answers[0].ends_with("\r\n\r\nSome(\"7\") Some(\"a/b.txt\") 2"));
/// assert!(answers[1].starts_with("405 Method Not Allowed\r\n"));
/// assert!(answers[1].contains("\r\nAllow: GET, HEAD\r\n"));
/// assert!(answers[2].starts_with("404 Not Found\r\n"));
/// ```
#[derive(Default)]
pub struct Router {
    routes: Vec<Route>,
    fallback: Option<Box<dyn Handler>>,
}

impl Router {
    /// An empty router: every request gets `404`.
    pub fn new() -> Router {
        Router::default()
    }

    /// Adds a `GET` route. The closure's parameter types are inferred: `|req, res| …`.
    pub fn get<F>(&mut self, pattern: &str, handler: F) -> &mut Router
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route_handler("GET", pattern, handler)
    }

    /// Adds a `POST` route.
    pub fn post<F>(&mut self, pattern: &str, handler: F) -> &mut Router
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route_handler("POST", pattern, handler)
    }

    /// Adds a `PUT` route.
    pub fn put<F>(&mut self, pattern: &str, handler: F) -> &mut Router
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route_handler("PUT", pattern, handler)
    }

    /// Adds a `DELETE` route.
    pub fn delete<F>(&mut self, pattern: &str, handler: F) -> &mut Router
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route_handler("DELETE", pattern, handler)
    }

    /// Adds a route for `method` (case-sensitive, e.g. `"PATCH"`) and `pattern`, answered by
    /// a closure; [`Router::route_handler`] takes any [`Handler`].
    ///
    /// # Panics
    /// When the pattern is malformed: see [`Router::route_handler`].
    pub fn route<F>(&mut self, method: &str, pattern: &str, handler: F) -> &mut Router
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route_handler(method, pattern, handler)
    }

    /// Answers the paths no route matches with `handler` instead of `404 Not Found` (a path
    /// that routes match for other methods still gets `405`).
    pub fn fallback<F>(&mut self, handler: F) -> &mut Router
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.fallback = Some(Box::new(handler));
        self
    }

    /// Routes added through the returned value are served as `plan` says: inline on the event
    /// loop, or on the pool with a body limit of their own.
    ///
    /// ```
    /// use h1_server::{Plan, Router};
    ///
    /// let mut router = Router::new();
    /// router.with(Plan::inline()).get("/", |_, res| {
    ///     res.set_body("hi");
    /// });
    /// router.with(Plan::blocking().body_limit(1 << 32)).put("/upload", |req, res| {
    ///     let stored = std::io::copy(&mut req.body_reader(), &mut std::io::sink());
    ///     res.set_body(format!("{stored:?}"));
    /// });
    /// ```
    pub fn with(&mut self, plan: Plan) -> PlannedRoutes<'_> {
        PlannedRoutes { router: self, plan }
    }

    /// Routes served inline, on the event loop: `with(Plan::inline())`. For handlers that never
    /// block: no thread hop, nothing allocated, the body read whole before they run.
    pub fn inline(&mut self) -> PlannedRoutes<'_> {
        self.with(Plan::inline())
    }

    /// Adds a route for `method` and `pattern` answered by any [`Handler`] (a type of
    /// yours, or a closure whose parameter types are written out).
    ///
    /// # Panics
    /// When the pattern is malformed: not starting with `/`, an empty `:` or `*` name, a
    /// `*rest` that is not the last segment, or more than [`MAX_PARAMS`] parameters. These are
    /// programming errors found at start-up, never caused by a request.
    pub fn route_handler(
        &mut self,
        method: &str,
        pattern: &str,
        handler: impl Handler,
    ) -> &mut Router {
        let segments = parse_pattern(pattern).unwrap_or_else(|why| {
            panic!("invalid route pattern {pattern:?}: {why}");
        });
        self.routes.push(Route {
            method: method.to_owned(),
            segments,
            handler: Box::new(handler),
        });
        self
    }

    /// The route for `method` and `path`, its parameters written into `params`; `Err(true)`
    /// when routes match the path for other methods only, `Err(false)` when none match.
    fn find<'r, 'p>(
        &'r self,
        method: &str,
        path: &'p str,
        params: &mut Params<'p>,
    ) -> Result<&'r dyn Handler, bool>
    where
        'r: 'p,
    {
        let mut path_matched = false;
        let mut get_route = None;
        for route in &self.routes {
            params.clear();
            if !match_path(&route.segments, path, params) {
                continue;
            }
            if route.method == method {
                return Ok(route.handler.as_ref());
            }
            if method == "HEAD" && route.method == "GET" && get_route.is_none() {
                get_route = Some(route);
            }
            path_matched = true;
        }
        params.clear();
        let route = get_route.ok_or(path_matched)?;
        match_path(&route.segments, path, params);
        Ok(route.handler.as_ref())
    }

    /// Writes the `Allow` value for `path`: the methods of the routes that match it.
    fn allow(&self, path: &str) -> ArrayString<256> {
        let mut allow = ArrayString::<256>::new();
        let mut push = |method: &str| {
            let listed = allow.split(", ").any(|m| m == method);
            if !listed {
                let sep = if allow.is_empty() { "" } else { ", " };
                if allow.remaining_capacity() >= sep.len() + method.len() {
                    allow.push_str(sep);
                    allow.push_str(method);
                }
            }
        };
        for route in &self.routes {
            if match_path(&route.segments, path, &mut Params::default()) {
                push(&route.method);
                if route.method == "GET" {
                    push("HEAD");
                }
            }
        }
        allow
    }
}

impl Handler for Router {
    /// The plan of the route `req` takes; the router's own answers (404, 405) run inline,
    /// but for a request with a body: see [`own_answer`].
    fn plan(&self, req: &Request<'_>) -> Plan {
        let mut params = Params::default();
        match self.find(req.method().as_str(), req.path(), &mut params) {
            Ok(handler) => handler.plan(req),
            Err(true) => own_answer(req),
            Err(false) => self
                .fallback
                .as_ref()
                .map_or_else(|| own_answer(req), |fallback| fallback.plan(req)),
        }
    }

    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        let method = req.method();
        // The routed request is built once and its parameters filled in place.
        let mut routed: Request<'_> = req.routed();
        match self.find(method.as_str(), req.path(), routed.params_mut()) {
            Ok(handler) => handler.handle(&routed, res),
            Err(true) => {
                let allow = self.allow(req.path());
                res.set_answer(Answer::MethodNotAllowed, "Method Not Allowed\n")
                    .header("Allow", allow.as_str());
            }
            Err(false) => match &self.fallback {
                Some(fallback) => fallback.handle(&routed, res),
                None => {
                    res.set_answer(Answer::NoRoute, "Not Found\n");
                }
            },
        }
    }
}

/// Where the router's own 404 or 405 runs: inline, unless the request has a body, which an
/// inline plan would read whole first (with its `100 Continue`). On the pool it is answered
/// before any of it is read, and then drained within the core's bound or the connection closed.
fn own_answer(req: &Request<'_>) -> Plan {
    match req.head().framing() {
        Framing::NoBody | Framing::Length(0) => Plan::inline(),
        _ => Plan::blocking(),
    }
}

/// Adds routes served as one [`Plan`] says: see [`Router::with`].
#[derive(Debug)]
pub struct PlannedRoutes<'r> {
    router: &'r mut Router,
    plan: Plan,
}

impl PlannedRoutes<'_> {
    /// Adds a `GET` route.
    pub fn get<F>(&mut self, pattern: &str, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route("GET", pattern, handler)
    }

    /// Adds a `POST` route.
    pub fn post<F>(&mut self, pattern: &str, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route("POST", pattern, handler)
    }

    /// Adds a `PUT` route.
    pub fn put<F>(&mut self, pattern: &str, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route("PUT", pattern, handler)
    }

    /// Adds a `DELETE` route.
    pub fn delete<F>(&mut self, pattern: &str, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.route("DELETE", pattern, handler)
    }

    /// Adds a route for `method` (see [`Router::route`]).
    pub fn route<F>(&mut self, method: &str, pattern: &str, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.router
            .route_handler(method, pattern, self.plan.handler(handler));
        self
    }

    /// Answers the paths no route matches (see [`Router::fallback`]).
    pub fn fallback<F>(&mut self, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.router.fallback = Some(Box::new(self.plan.handler(handler)));
        self
    }
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.routes.iter().map(|r| (&r.method, &r.segments)))
            .finish()
    }
}

fn parse_pattern(pattern: &str) -> Result<Vec<Segment>, &'static str> {
    let rest = pattern.strip_prefix('/').ok_or("must start with '/'")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let mut segments = Vec::with_capacity(parts.len());
    let mut params = 0;
    for (i, part) in parts.iter().enumerate() {
        let segment = if let Some(name) = part.strip_prefix(':') {
            if name.is_empty() {
                return Err("empty :parameter name");
            }
            params += 1;
            Segment::Param(name.to_owned())
        } else if let Some(name) = part.strip_prefix('*') {
            if name.is_empty() {
                return Err("empty *rest name");
            }
            if i + 1 != parts.len() {
                return Err("*rest must be the last segment");
            }
            params += 1;
            Segment::Rest(name.to_owned())
        } else {
            Segment::Literal((*part).to_owned())
        };
        segments.push(segment);
    }
    if params > MAX_PARAMS {
        return Err("more than MAX_PARAMS parameters");
    }
    Ok(segments)
}

/// Matches `path` against a pattern's segments without allocating, writing the parameters
/// into `params` (partly, when it does not match).
fn match_path<'r: 'p, 'p>(segments: &'r [Segment], path: &'p str, params: &mut Params<'p>) -> bool {
    let Some(mut rest) = path.strip_prefix('/') else {
        return false;
    };
    let mut segments = segments.iter().peekable();
    while let Some(segment) = segments.next() {
        if let Segment::Rest(name) = segment {
            params.push(name, rest);
            return true;
        }
        let (part, tail) = match rest.split_once('/') {
            Some((part, tail)) => (part, Some(tail)),
            None => (rest, None),
        };
        match segment {
            Segment::Literal(literal) if literal == part => {}
            Segment::Param(name) if !part.is_empty() => {
                params.push(name, part);
            }
            _ => return false,
        }
        match tail {
            Some(tail) => rest = tail,
            // The path ended: only a `*rest` may still match (empty).
            None => {
                return match segments.next() {
                    None => true,
                    Some(Segment::Rest(name)) if segments.peek().is_none() => {
                        params.push(name, "");
                        true
                    }
                    Some(_) => false,
                };
            }
        }
    }
    // Pattern exhausted with path segments left over.
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
        let segments = parse_pattern(pattern).unwrap();
        let mut p = Params::default();
        match_path(&segments, path, &mut p).then(|| {
            p.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
    }

    #[test]
    fn matches_patterns_as_a_table() {
        type Case = (
            &'static str,
            &'static str,
            Option<&'static [(&'static str, &'static str)]>,
        );
        let cases: &[Case] = &[
            ("/", "/", Some(&[])),
            ("/", "/a", None),
            ("/a", "/a", Some(&[])),
            ("/a", "/a/", None),
            ("/a", "/b", None),
            ("/a/:id", "/a/7", Some(&[("id", "7")])),
            ("/a/:id", "/a/", None),
            ("/a/:id", "/a", None),
            ("/a/:id/b", "/a/7/b", Some(&[("id", "7")])),
            ("/f/*rest", "/f/x/y/z", Some(&[("rest", "x/y/z")])),
            ("/f/*rest", "/f/", Some(&[("rest", "")])),
            ("/f/*rest", "/f", Some(&[("rest", "")])),
            (
                "/:a/:b/*c",
                "/1/2/3/4",
                Some(&[("a", "1"), ("b", "2"), ("c", "3/4")]),
            ),
            ("/a", "*", None),
        ];
        for &(pattern, path, expected) in cases {
            let expected = expected.map(|e| {
                e.iter()
                    .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                    .collect::<Vec<_>>()
            });
            assert_eq!(params(pattern, path), expected, "{pattern} vs {path}");
        }
    }

    #[test]
    fn rejects_malformed_patterns() {
        for pattern in ["", "a", "/:", "/*", "/*a/b", "/:a/:b/:c/:d/:e/:f/:g/:h/:i"] {
            assert!(parse_pattern(pattern).is_err(), "{pattern}");
        }
    }

    #[test]
    fn allow_lists_methods_of_matching_routes() {
        let mut router = Router::new();
        let nop = |_: &Request<'_>, _: &mut Response| {};
        router
            .get("/a", nop)
            .post("/a", nop)
            .put("/:x", nop)
            .delete("/b", nop);
        assert_eq!(router.allow("/a").as_str(), "GET, HEAD, POST, PUT");
        let mut p = Params::default();
        assert!(matches!(router.find("DELETE", "/a", &mut p), Err(true)));
        assert!(matches!(router.find("GET", "/zz/zz", &mut p), Err(false)));
        assert!(router.find("HEAD", "/a", &mut p).is_ok());
        // HEAD falls back to GET after trying the later routes, with the GET route's params.
        let mut router = Router::new();
        router.get("/u/:id", nop).put("/u/:other", nop);
        let mut p = Params::default();
        assert!(router.find("HEAD", "/u/7", &mut p).is_ok());
        assert_eq!(p.iter().collect::<Vec<_>>(), [("id", "7")]);
    }
}
