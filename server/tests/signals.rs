//! `h1_server::signals`: SIGTERM sent to this process shuts a server down gracefully, a
//! request in flight still answered. No timing: every wait is on an event.

mod common;

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use h1_server::{Request, Response, Router, Server};

#[test]
fn sigterm_shuts_the_server_down_after_the_request_in_flight() {
    let (entered_tx, entered) = mpsc::channel();
    let (release_tx, release) = mpsc::channel::<()>();
    let release = std::sync::Mutex::new(release);
    let mut router = Router::new();
    router.get("/", move |_: &Request, res: &mut Response| {
        entered_tx.send(()).unwrap();
        release.lock().unwrap().recv().unwrap();
        res.set_body("finished");
    });
    let server = Server::bind("127.0.0.1:0", common::config()).unwrap();
    let addr = server.local_addr();
    let (noticed_tx, noticed) = mpsc::channel();
    h1_server::signals::shutdown_on_signals(server.shutdown_handle(), move || {
        noticed_tx.send(()).unwrap();
    })
    .unwrap();
    let serving = std::thread::spawn(move || server.serve(router));

    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    entered.recv().unwrap();
    signal_hook::low_level::raise(signal_hook::consts::SIGTERM).unwrap();
    noticed.recv().unwrap();
    release_tx.send(()).unwrap();
    let resp = common::read_response(&mut stream, &mut Vec::new(), false);
    assert_eq!((resp.status, &resp.body[..]), (200, &b"finished"[..]));
    serving.join().unwrap().unwrap();
}
