//! Dispatch: the handler runs on a complete request, and the response it leaves is settled
//! by the server's policies — a panic costs the connection, no tunnel is opened, the
//! library's own answers are shaped.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::answer::Answer;
use crate::handler::Handler;
use crate::request::Request;
use crate::response::Response;

/// Runs `handler` for `request` into `response` (reset first), then applies the server's
/// policies: see the module documentation. `connect`: the request's method is CONNECT.
pub(crate) fn dispatch<H: Handler + ?Sized>(
    handler: &H,
    request: &Request<'_>,
    response: &mut Response,
    connect: bool,
    shaper: fn(&mut Response),
) {
    response.allow_interim(request.version() != h1_parser::Version::Http10);
    let handled = catch_unwind(AssertUnwindSafe(|| handler.handle(request, response)));
    if handled.is_err() {
        // A panicking handler costs its connection, never the worker.
        response.reset();
        response
            .set_answer(Answer::HandlerPanicked, "Internal Server Error\n")
            .close();
    }
    if connect && !response.wants_upgrade() {
        refuse_tunnel(response);
    }
    if response.answer().is_some() {
        shape(shaper, response);
        if connect {
            // A shaped answer opens no tunnel either.
            refuse_tunnel(response);
            default_content_type(response);
        }
    }
}

/// Makes `response` the library's `answer` with `text` (a broken or late request), shaped.
pub(super) fn library_answer(
    response: &mut Response,
    answer: Answer,
    text: &str,
    shaper: fn(&mut Response),
) {
    response.reset();
    response.set_answer(answer, text).body_mut().push(b'\n');
    if answer == Answer::OverBudget {
        // RFC 9110 §10.2.3: when to try again; the bodies in memory now are read by then.
        response.header("Retry-After", "1");
    }
    shape(shaper, response);
}

/// RFC 9110 §9.3.6: a 2xx answer to CONNECT turns the connection into a tunnel. The server
/// opens none, so a handler's 2xx becomes `501 Not Implemented` (RFC 9110 §15.6.2: the server
/// cannot do what the method asks); other answers (a 403, a 407) go out as written, and the
/// core closes the connection after any of them (the client may already send tunnel bytes).
fn refuse_tunnel(response: &mut Response) {
    if (200..300).contains(&response.status()) {
        response.reset();
        response.set_answer(Answer::TunnelRefused, "CONNECT tunnels are not supported\n");
    }
}

/// Runs [`ServerConfig::shape_answers`](crate::config::ServerConfig::shape_answers) on one
/// of the library's answers. A shaper that panics costs its shaping only: the answer goes out
/// plain.
fn shape(shaper: fn(&mut Response), response: &mut Response) {
    let answer = response.answer();
    if catch_unwind(AssertUnwindSafe(|| shaper(response))).is_err() {
        if let Some(answer) = answer {
            response.reset();
            let reason = h1_parser::reason_phrase(answer.status()).unwrap_or_default();
            response.set_answer(answer, reason);
        }
    }
    default_content_type(response);
}

/// The library's plain-text answers say so, unless shaped with a type of their own.
fn default_content_type(response: &mut Response) {
    if !response.has_field("content-type") {
        response.header("Content-Type", "text/plain; charset=utf-8");
    }
}
