//! The server's own cost per pipelined request, for callgrind: the socket-free `Connection`
//! answers `GET /` (wrk's request, 16 per read as in `bench/server-load.sh`'s pipelined
//! scenario) with the binary's hello-world route, 100,000 times. No sockets, no threads.
//!
//! ```sh
//! cargo build --release -p h1-server --example pipeline_cost
//! valgrind --tool=callgrind target/release/examples/pipeline_cost
//! ```
//! Instructions per request: the total of `pipeline_cost::main` divided by 100,000 (the
//! program also prints the response bytes, as a check).

use std::time::Instant;

use h1_server::conn::Connection;
use h1_server::{Request, Response, Router, ServerConfig};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:5200\r\n\r\n";
const DEPTH: usize = 16;
const REQUESTS: usize = 100_000;

fn main() {
    let mut router = Router::new();
    router.inline().get("/", |_: &Request, res: &mut Response| {
        res.header("Content-Type", "text/plain");
        res.set_body("Hello, world!");
    });
    let batch: Vec<u8> = REQUEST.repeat(DEPTH);
    let now = Instant::now();
    let mut conn = Connection::new(&ServerConfig::new(), now);
    let mut sent = 0usize;
    for _ in 0..REQUESTS / DEPTH {
        let taken = conn.feed(&batch, &router, now);
        assert_eq!(taken, batch.len());
        let n = conn.output().len();
        sent += n;
        conn.consume_output(n, now);
    }
    println!(
        "{} requests, {sent} response bytes",
        REQUESTS / DEPTH * DEPTH
    );
}
