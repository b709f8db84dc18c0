//! The answers the library writes itself — the router's 404 and 405, the server's 400, 408,
//! 413, …, the 500 of a panicking handler — told apart from a handler's own by their marker
//! (`Response::answer`), and shaped by a fallback route and by `ServerConfig::shape_answers`.
//! Driven through the socket-free core.

mod common;

use std::time::{Duration, Instant};

use h1_server::conn::Connection;
use h1_server::{Answer, Response, Router, ServerConfig};

/// The output for `wire` from `handler`, after one `feed`.
fn answer(config: &ServerConfig, handler: &impl h1_server::Handler, wire: &[u8]) -> String {
    let mut conn = Connection::new(config, Instant::now());
    conn.feed(wire, handler, Instant::now());
    String::from_utf8_lossy(conn.output()).into_owned()
}

/// A JSON API's routes, written as a new user writes them: closures without type annotations.
fn api() -> Router {
    let mut router = Router::new();
    router
        .get("/items/:id", |req, res| {
            res.header("Content-Type", "application/json");
            res.set_body(format!("{{\"id\":\"{}\"}}", req.param("id").unwrap_or("")));
        })
        .post("/items", |req, res| {
            res.set_status(201).set_body(req.body());
        })
        .route("PATCH", "/items/:id", |_, res| {
            res.set_status(204);
        });
    router
}

#[test]
fn routes_take_closures_without_type_annotations() {
    let out = answer(
        &ServerConfig::new(),
        &api(),
        b"GET /items/7 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\n{\"id\":\"7\"}"), "{out}");
}

#[test]
fn the_routers_own_answers_carry_their_marker_and_a_handlers_do_not() {
    let router = api();
    let seen = std::sync::Mutex::new(Vec::new());
    let wrapped = move |req: &h1_server::Request, res: &mut Response| {
        h1_server::Handler::handle(&router, req, res);
        seen.lock().unwrap().push((res.status(), res.answer()));
        if req.path() == "/last" {
            let seen = seen.lock().unwrap();
            assert_eq!(
                seen[..],
                [
                    (404, Some(Answer::NoRoute)),
                    (405, Some(Answer::MethodNotAllowed)),
                    (200, None),
                    (404, Some(Answer::NoRoute)),
                ]
            );
            res.set_body("checked");
        }
    };
    let out = answer(
        &ServerConfig::new(),
        &wrapped,
        b"GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n\
          DELETE /items/7 HTTP/1.1\r\nHost: a\r\n\r\n\
          GET /items/7 HTTP/1.1\r\nHost: a\r\n\r\n\
          GET /last HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert!(out.ends_with("checked"), "{out}");
}

#[test]
fn a_fallback_route_answers_unmatched_paths() {
    let mut router = api();
    router.fallback(|req, res| {
        res.set_status(404)
            .header("Content-Type", "application/json");
        res.set_body(format!("{{\"error\":\"no {}\"}}", req.path()));
    });
    let out = answer(
        &ServerConfig::new(),
        &router,
        b"GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 404 Not Found\r\n"), "{out}");
    assert!(
        out.ends_with("\r\n\r\n{\"error\":\"no /nowhere\"}"),
        "{out}"
    );
    // 405 is still the router's: the path exists.
    let out = answer(
        &ServerConfig::new(),
        &router,
        b"DELETE /items/7 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert!(
        out.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{out}"
    );
}

/// Every answer the library writes, as JSON: the status stays, the body and fields change.
fn as_json(res: &mut Response) {
    let status = res.status();
    let kind = match res.answer() {
        Some(Answer::NoRoute) => "no route".to_owned(),
        Some(Answer::MethodNotAllowed) => "method not allowed".to_owned(),
        Some(Answer::Invalid(error)) => format!("invalid: {error}"),
        Some(Answer::Timeout) => "timeout".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "?".to_owned(),
    };
    res.header("Content-Type", "application/json")
        .set_body(format!("{{\"status\":{status},\"error\":\"{kind}\"}}"));
}

#[test]
fn shape_answers_shapes_router_and_server_answers() {
    let config = ServerConfig::new().shape_answers(as_json);
    let out = answer(&config, &api(), b"GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 404 Not Found\r\n"), "{out}");
    assert!(
        out.contains("\r\nContent-Type: application/json\r\n"),
        "{out}"
    );
    assert!(
        out.ends_with("\r\n\r\n{\"status\":404,\"error\":\"no route\"}"),
        "{out}"
    );

    let out = answer(
        &config,
        &api(),
        b"DELETE /items/7 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert!(
        out.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{out}"
    );
    assert!(out.contains("\r\nAllow: GET, HEAD, PATCH\r\n"), "{out}");
    assert!(
        out.ends_with("{\"status\":405,\"error\":\"method not allowed\"}"),
        "{out}"
    );
    assert_eq!(out.matches("Content-Type").count(), 1, "{out}");

    let out = answer(&config, &api(), b"GET /items/7 HTTP/1.1\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
    assert!(out.contains("\"error\":\"invalid: "), "{out}");

    // A handler's own 404 is left alone.
    let mine = |_: &h1_server::Request, res: &mut Response| {
        res.set_status(404).set_body("mine");
    };
    let out = answer(&config, &mine, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(out.ends_with("\r\n\r\nmine"), "{out}");

    // The head deadline's 408.
    let now = Instant::now();
    let mut conn = Connection::new(&config.head_timeout(Duration::from_secs(1)), now);
    conn.feed(b"GET / HT", &api(), now);
    assert!(conn.handle_timeout(now + Duration::from_secs(2)));
    let out = String::from_utf8_lossy(conn.output()).into_owned();
    assert!(out.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{out}");
    assert!(
        out.ends_with("{\"status\":408,\"error\":\"timeout\"}"),
        "{out}"
    );
}

#[test]
fn a_panicking_shaper_leaves_the_answer_plain() {
    fn broken(_: &mut Response) {
        panic!("shaper panic (expected by the test)");
    }
    let config = ServerConfig::new().shape_answers(broken);
    let out = answer(&config, &api(), b"GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 404 Not Found\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\nNot Found"), "{out}");
    let out = answer(&config, &api(), b"GET / HTTP/1.1\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
}
