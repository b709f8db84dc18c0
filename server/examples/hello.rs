//! The README's server example: `cargo run --release -p h1-server --example hello`.

use h1_server::{Answer, Response, Router, Server, ServerConfig};

fn main() -> std::io::Result<()> {
    let mut router = Router::new();
    router.get("/", |_, res| {
        res.set_body("Hello, world!");
    });
    router.post("/users/:id", |req, res| {
        res.header("Content-Type", "text/plain");
        let id = req.param("id").unwrap_or("");
        res.set_body(format!("user {id} sent {} bytes", req.body().len()));
    });
    // The library's own answers (404, 405, 400, 408, …) as JSON.
    let config = ServerConfig::new().shape_answers(json_error);
    let server = Server::bind("127.0.0.1:5100", config)?;
    let _shutdown = server.shutdown_handle(); // .shutdown() from any thread: a graceful stop
    server.serve(router)
}

fn json_error(res: &mut Response) {
    let what = if res.answer() == Some(Answer::NoRoute) {
        "no such route"
    } else {
        "error"
    };
    let body = format!("{{\"status\":{},\"error\":\"{what}\"}}", res.status());
    res.header("Content-Type", "application/json")
        .set_body(body);
}
