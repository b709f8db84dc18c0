//! The conformance corpus through the echo example (`examples/echo_server.rs`, its `serve`
//! over a listener of the test's): answered as `h1-server --echo` answers it.
//!
//! `cargo test -p h1-tokio --test corpus -- --nocapture` prints the counts.

use std::path::Path;

#[path = "../../../parser/tests/cases/corpus.rs"]
mod corpus;
#[path = "../../../parser/tests/cases/echo.rs"]
mod echo;
#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod echo_server;

#[test]
fn corpus_through_the_echo_example() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    // The server runs until the test process ends.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            echo_server::serve(listener).await
        })
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../parser/tests/cases");
    let run = echo::run(&dir, addr);
    println!(
        "{} cases sent, {} skipped, {} failed",
        run.sent,
        run.skipped,
        run.failures.len()
    );
    for failure in &run.failures {
        println!("FAILED {failure}");
    }
    assert!(
        run.failures.is_empty(),
        "{} cases failed",
        run.failures.len()
    );
}
