//! `Router`: which handler answers which method and path.

use arrayvec::ArrayString;
use h1_parser::{Framing, Method, TargetForm};

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
    /// The method when it is a standard one: compared as a variant, not as bytes.
    known: Option<Method<'static>>,
    segments: Vec<Segment>,
    /// The pattern when it has no parameter (and no `?`, which no path holds): it matches
    /// exactly the path equal to it, so it is compared without splitting or building params.
    literal: Option<String>,
    handler: Box<dyn Handler>,
}

impl Route {
    /// Whether the route is for `method` (case-sensitive, as on the wire).
    #[inline]
    fn serves(&self, method: Method<'_>) -> bool {
        match self.known {
            Some(known) => known == method,
            None => self.method == method.as_str(),
        }
    }

    /// Whether `path` matches, its parameters written into `params` (partly, when not).
    #[inline]
    fn matches<'r: 'p, 'p>(
        &'r self,
        path: &mut RoutePath<'_, 'p>,
        params: &mut Params<'p>,
    ) -> bool {
        match &self.literal {
            Some(literal) => path.is(literal),
            None => match_path(&self.segments, path.text(), params),
        }
    }
}

/// The path a request is routed by. An origin-form target is compared as it came, up to its
/// query: a route without parameters needs no text; the path's text is made (once) for one
/// with parameters.
struct RoutePath<'a, 'p> {
    req: Option<&'a Request<'p>>,
    /// The origin-form target, query included.
    target: Option<&'p [u8]>,
    text: Option<&'p str>,
}

impl<'a, 'p> RoutePath<'a, 'p> {
    fn of(req: &'a Request<'p>) -> RoutePath<'a, 'p> {
        let head = req.head();
        let target = (head.target_form() == TargetForm::Origin).then(|| head.target_bytes());
        RoutePath {
            req: Some(req),
            target,
            text: None,
        }
    }

    #[cfg(test)]
    fn text_only(path: &'p str) -> RoutePath<'a, 'p> {
        RoutePath {
            req: None,
            target: None,
            text: Some(path),
        }
    }

    /// Whether the path is `literal` (which holds no `?`).
    #[inline]
    fn is(&mut self, literal: &str) -> bool {
        match self.target {
            // The path is the target up to its first `?`, and `literal` holds none.
            Some(target) => {
                let literal = literal.as_bytes();
                matches!(target.get(literal.len()), None | Some(b'?'))
                    && target
                        .get(..literal.len())
                        .is_some_and(|path| same(path, literal))
            }
            None => self.text() == literal,
        }
    }

    fn text(&mut self) -> &'p str {
        match (self.text, self.req) {
            (Some(text), _) => text,
            (None, Some(req)) => self.text.insert(req.path()),
            (None, None) => "",
        }
    }
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
pub struct Router {
    routes: Vec<Route>,
    fallback: Option<Box<dyn Handler>>,
    /// Every route (and the fallback) was added inline ([`Router::inline`]): a bodiless
    /// request is then planned inline without looking its route up.
    all_inline: bool,
}

impl Default for Router {
    fn default() -> Router {
        Router {
            routes: Vec::new(),
            fallback: None,
            all_inline: true,
        }
    }
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
        self.all_inline = false;
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
        // Its plan is the handler's to decide, request by request.
        self.all_inline = false;
        self.add(method, pattern, Box::new(handler))
    }

    /// Adds a route (see [`Router::route_handler`]).
    fn add(&mut self, method: &str, pattern: &str, handler: Box<dyn Handler>) -> &mut Router {
        let segments = parse_pattern(pattern).unwrap_or_else(|why| {
            panic!("invalid route pattern {pattern:?}: {why}");
        });
        let literal = segments
            .iter()
            .all(|segment| matches!(segment, Segment::Literal(_)))
            .then(|| pattern.to_owned())
            .filter(|pattern| !pattern.contains('?'));
        self.routes.push(Route {
            method: method.to_owned(),
            known: method.parse().ok(),
            segments,
            literal,
            handler,
        });
        self
    }

    /// The route for `method` and `path`, its parameters written into `params`; `Err(true)`
    /// when routes match the path for other methods only, `Err(false)` when none match.
    fn find<'r, 'p>(
        &'r self,
        method: Method<'_>,
        path: &mut RoutePath<'_, 'p>,
        params: &mut Params<'p>,
    ) -> Result<&'r dyn Handler, bool>
    where
        'r: 'p,
    {
        let mut path_matched = false;
        let mut get_route = None;
        for route in &self.routes {
            params.clear();
            if !route.matches(path, params) {
                continue;
            }
            if route.serves(method) {
                return Ok(route.handler.as_ref());
            }
            if method == Method::Head && route.serves(Method::Get) && get_route.is_none() {
                get_route = Some(route);
            }
            path_matched = true;
        }
        params.clear();
        let route: &Route = get_route.ok_or(path_matched)?;
        route.matches(path, params);
        Ok(route.handler.as_ref())
    }

    /// The handler when the first route matching `path` for `method` is one without
    /// parameters (as `find` would answer, params empty); `None` otherwise.
    #[inline(always)]
    fn find_literal<'r>(
        &'r self,
        method: Method<'_>,
        path: &mut RoutePath<'_, '_>,
    ) -> Option<&'r dyn Handler> {
        for route in &self.routes {
            let Some(literal) = &route.literal else {
                return None;
            };
            if path.is(literal) {
                return route.serves(method).then(|| route.handler.as_ref());
            }
        }
        None
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
    /// The plan of the route `req` takes. The router's own answers (404, 405) run inline,
    /// but for a request with a body, which goes to the pool and is answered before any of
    /// it is read.
    #[inline]
    fn plan(&self, req: &Request<'_>) -> Plan {
        // Every route inline, and the router's own bodiless answers are too.
        if self.all_inline && matches!(req.head().framing(), Framing::NoBody) {
            return Plan::inline();
        }
        self.plan_routed(req)
    }

    #[inline]
    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        self.handle_routed(req, res)
    }
}

impl Router {
    /// [`Handler::plan`] past its shortcut: the plan of the route `req` takes.
    fn plan_routed(&self, req: &Request<'_>) -> Plan {
        let mut path = RoutePath::of(req);
        if let Some(handler) = self.find_literal(req.method(), &mut path) {
            return handler.plan(req);
        }
        let mut params = Params::default();
        match self.find(req.method(), &mut path, &mut params) {
            Ok(handler) => handler.plan(req),
            Err(true) => own_answer(req),
            Err(false) => self
                .fallback
                .as_ref()
                .map_or_else(|| own_answer(req), |fallback| fallback.plan(req)),
        }
    }

    /// [`Handler::handle`]: the route's handler, or the router's own answer.
    #[inline]
    fn handle_routed(&self, req: &Request<'_>, res: &mut Response) {
        let mut path = RoutePath::of(req);
        // A route without parameters answers the request as it came when it has none (no
        // copy); otherwise the routed request is built once, its parameters filled in place.
        if req.params().is_empty() {
            if let Some(handler) = self.find_literal(req.method(), &mut path) {
                return handler.handle(req, res);
            }
        }
        let mut routed: Request<'_> = req.routed();
        match self.find(req.method(), &mut path, routed.params_mut()) {
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
        self.router.all_inline &= self.plan.is_inline();
        self.router
            .add(method, pattern, Box::new(self.plan.handler(handler)));
        self
    }

    /// Answers the paths no route matches (see [`Router::fallback`]).
    pub fn fallback<F>(&mut self, handler: F) -> &mut Self
    where
        F: Fn(&Request<'_>, &mut Response) + Send + Sync + 'static,
    {
        self.router.all_inline &= self.plan.is_inline();
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

/// Whether `a` and `b` (as long) are the same bytes: a short path byte by byte in line, a
/// longer one by `memcmp` (whose call costs more than comparing `/` or `/health`).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() <= 8 {
        a.iter().zip(b).all(|(x, y)| x == y)
    } else {
        a == b
    }
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
        fn find<'p>(
            router: &'p Router,
            method: Method<'_>,
            path: &'p str,
        ) -> Result<Vec<(&'p str, &'p str)>, bool> {
            let mut p = Params::default();
            router
                .find(method, &mut RoutePath::text_only(path), &mut p)
                .map(|_| p.iter().collect())
        }
        assert!(matches!(find(&router, Method::Delete, "/a"), Err(true)));
        assert!(matches!(find(&router, Method::Get, "/zz/zz"), Err(false)));
        assert!(find(&router, Method::Head, "/a").is_ok());
        // HEAD falls back to GET after trying the later routes, with the GET route's params.
        let mut router = Router::new();
        router.get("/u/:id", nop).put("/u/:other", nop);
        assert_eq!(
            find(&router, Method::Head, "/u/7").ok(),
            Some(vec![("id", "7")])
        );
    }

    #[test]
    fn static_routes_match_the_path_before_the_query_in_every_target_form() {
        use crate::config::ServerConfig;
        use crate::conn::Connection;
        use std::time::Instant;

        let mut router = Router::new();
        router
            .get("/a", |_, res| {
                res.set_body("a");
            })
            .get("/a?b", |_, res| {
                res.set_body("never");
            })
            .get("/a/:x", |req, res| {
                res.set_body(format!("x={}", req.param("x").unwrap_or("")));
            })
            .get("/", |req, res| {
                res.set_body(format!("root {}", req.path()));
            });
        let answer = |target: &str| {
            let mut conn = Connection::new(&ServerConfig::new(), Instant::now());
            let wire = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
            conn.feed(wire.as_bytes(), &router, Instant::now());
            let out = String::from_utf8_lossy(conn.output()).into_owned();
            let status = out.get(9..12).unwrap_or_default().to_owned();
            let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
            (status, body)
        };
        let cases = [
            ("/a", "200", "a"),
            ("/a?b", "200", "a"),
            ("/a?", "200", "a"),
            ("/ab", "404", "Not Found\n"),
            ("/a/", "404", "Not Found\n"),
            ("/a/7?q", "200", "x=7"),
            ("/", "200", "root /"),
            ("/?a", "200", "root /"),
            ("http://x/a?q=1", "200", "a"),
            ("http://x", "200", "root /"),
            ("http://x/ab", "404", "Not Found\n"),
        ];
        for (target, status, body) in cases {
            assert_eq!(
                answer(target),
                (status.to_owned(), body.to_owned()),
                "{target}"
            );
        }
    }

    #[test]
    fn routes_without_parameters_keep_the_order_and_the_head_fallback() {
        use crate::config::ServerConfig;
        use crate::conn::Connection;
        use std::time::Instant;

        let mut router = Router::new();
        router
            .get("/a", |_, res| {
                res.set_body("get a");
            })
            .post("/a", |_, res| {
                res.set_body("post a");
            })
            .get("/:x", |req, res| {
                res.set_body(format!("x={}", req.param("x").unwrap_or("")));
            })
            .get("/b", |_, res| {
                res.set_body("never: /:x comes first");
            });
        let answer = |method: &str, target: &str| {
            let mut conn = Connection::new(&ServerConfig::new(), Instant::now());
            let wire = format!("{method} {target} HTTP/1.1\r\nHost: x\r\n\r\n");
            conn.feed(wire.as_bytes(), &router, Instant::now());
            String::from_utf8_lossy(conn.output()).into_owned()
        };
        assert!(answer("GET", "/a").ends_with("\r\n\r\nget a"));
        assert!(answer("POST", "/a").ends_with("\r\n\r\npost a"));
        let head = answer("HEAD", "/a");
        assert!(
            head.starts_with("HTTP/1.1 200 OK\r\n") && head.ends_with("Content-Length: 5\r\n\r\n")
        );
        let put = answer("PUT", "/a");
        assert!(put.starts_with("HTTP/1.1 405 "), "{put}");
        assert!(put.contains("\r\nAllow: GET, HEAD, POST\r\n"), "{put}");
        assert!(answer("GET", "/b").ends_with("\r\n\r\nx=b"));
    }
}
