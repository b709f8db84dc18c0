//! The README's server example: `cargo run --release -p h1-server --example hello`.

use h1_server::{Request, Response, Router, Server, ServerConfig};

fn main() -> std::io::Result<()> {
    let mut router = Router::new();
    router.get("/", |_: &Request, res: &mut Response| {
        res.set_body("Hello, world!");
    });
    router.post("/users/:id", |req: &Request, res: &mut Response| {
        res.header("Content-Type", "text/plain");
        let id = req.param("id").unwrap_or("");
        res.set_body(format!("user {id} sent {} bytes", req.body().len()));
    });
    let server = Server::bind("127.0.0.1:5100", ServerConfig::new())?;
    let _shutdown = server.shutdown_handle(); // .shutdown() from any thread: a graceful stop
    server.serve(router)
}
