//! The conformance corpus through the embedded echo example (`examples/echo.rs`: the same
//! `serve` a board runs, over TCP through embedded-io-adapters): answered as `h1-server --echo`
//! answers it.
//!
//! `cargo test -p h1-embedded --test corpus -- --nocapture` prints the counts.

use std::path::Path;

// Each example brings its own copy of the echo (`examples/common`), as it does when built.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/echo_blocking.rs"]
mod blocking_example;
#[path = "../../../parser/tests/cases/corpus.rs"]
mod corpus;
#[path = "../../../parser/tests/cases/echo.rs"]
mod echo;
#[allow(dead_code)]
#[path = "../examples/echo.rs"]
mod example;

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
            example::host::accept::<{ 40 * 1024 }, { 80 * 1024 }, 100>(listener).await
        })
    });
    check(addr);
}

#[test]
fn corpus_through_the_blocking_echo_example() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    // The server runs until the test process ends.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.expect("accept");
            std::thread::spawn(move || blocking_example::serve(stream));
        }
    });
    check(addr);
}

/// Runs the corpus against the echo at `addr`; every case must be answered as expected.
fn check(addr: std::net::SocketAddr) {
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
