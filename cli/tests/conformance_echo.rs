//! The conformance corpus (`parser/tests/cases/*.txt`) sent to `h1-server --echo` over loopback:
//! each case's bytes on a fresh connection (then a half-close), the answers compared with the
//! case's expectations — the echoed JSON for a complete request, the status of its error
//! otherwise. Cases with a non-default parser config are skipped (the server uses the strict
//! defaults), and so are known-failing ones.
//!
//! `cargo test -p h1-server-cli --test conformance_echo -- --nocapture` prints the counts.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

#[path = "../../parser/tests/cases/corpus.rs"]
mod corpus;
// The one judge of an echo, shared with the adapters' tests.
#[path = "../../parser/tests/cases/echo.rs"]
mod echo;

/// The binary on a free port, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_h1-server"))
            .args(["--addr", "127.0.0.1:0", "--threads", "2", "--echo"])
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn h1-server");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let first = lines.next().expect("a line").expect("utf-8");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|addr| addr.parse().ok())
            .expect("h1-server: listening on http://ADDR");
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn corpus_through_echo_server() {
    let started = Instant::now();
    let server = Server::start();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../parser/tests/cases");
    let run = echo::run(&dir, server.addr);
    println!(
        "{} cases sent, {} skipped (a non-default config, known-failing or a response case), {} failed, {:.1} s",
        run.sent,
        run.skipped,
        run.failures.len(),
        started.elapsed().as_secs_f64()
    );
    for failure in &run.failures {
        println!("FAILED {failure}");
    }
    assert!(
        run.failures.is_empty(),
        "{} cases failed (printed above)",
        run.failures.len()
    );
}
