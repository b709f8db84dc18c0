//! The exchange: a request served on the handler pool. The worker lends the connection and
//! its socket to a pool thread ([`Lent`]); the handler reads the body as it arrives and
//! writes the answer as it goes, over the socket in blocking mode; then the connection goes
//! back to its worker ([`Inbox`]) for the next request — or, after an upgrade, the socket to
//! the handler for good.
//!
//! | file | job |
//! |---|---|
//! | `body.rs` | `Streamed`, `BodyReader`: the request body as the handler reads it |
//! | `writer.rs` | `BodyWriter`: a response body written as it is produced |
//! | `responder.rs` | `Responder`: an answer completed later, from any thread |
//! | `upgrade.rs` | `Upgraded`: the connection's byte stream after a 101 or a CONNECT |
//! | `mod.rs` | `Lent`, `Inbox`, and the run of a handler on the pool |

use std::io;
use std::net::TcpStream;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub(crate) mod body;
pub(crate) mod responder;
pub(crate) mod upgrade;
pub(crate) mod writer;

use crate::answer::Answer;
use crate::budget::Budget;
use crate::config::ServerConfig;
use crate::conn::{Back, Connection};
use crate::handler::Handler;
use crate::poll::Waker;
use crate::request::Request;
use crate::response::{LentLink, Response};

/// Where lent connections come back to: a worker's list, and its waker.
#[derive(Debug)]
pub(crate) struct Inbox {
    returned: Mutex<Vec<(usize, Option<Box<Connection>>)>>,
    /// Whether `returned` may hold something: the worker looks here every round, and takes
    /// the lock only then.
    waiting: AtomicBool,
    waker: Waker,
    /// The server's count of open connections, which an upgraded one stays in.
    open: Arc<AtomicUsize>,
}

impl Inbox {
    pub(crate) fn new(waker: Waker, open: Arc<AtomicUsize>) -> Inbox {
        Inbox {
            returned: Mutex::new(Vec::new()),
            waiting: AtomicBool::new(false),
            waker,
            open,
        }
    }

    /// Gives slot `key`'s connection back (`None`: the socket is gone, upgraded or closed).
    fn give_back(&self, key: usize, conn: Option<Box<Connection>>) {
        lock(&self.returned).push((key, conn));
        self.waiting.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// The connections given back since the last call.
    pub(crate) fn take(&self, into: &mut Vec<(usize, Option<Box<Connection>>)>) {
        if self.waiting.swap(false, Ordering::Acquire) {
            into.append(&mut lock(&self.returned));
        }
    }
}

/// A connection lent to the pool: its state, its socket, and where it goes back.
#[derive(Debug)]
pub(crate) struct Lent {
    conn: Box<Connection>,
    stream: Arc<TcpStream>,
    key: usize,
    inbox: Arc<Inbox>,
}

/// What the request, the response and a responder do through the lent connection.
impl Lent {
    /// Slot `key`'s connection and socket, to go back to `inbox`.
    pub(crate) fn new(
        conn: Box<Connection>,
        stream: Arc<TcpStream>,
        key: usize,
        inbox: Arc<Inbox>,
    ) -> Lent {
        Lent {
            conn,
            stream,
            key,
            inbox,
        }
    }

    /// Reads body bytes into `buf` (0: the end); the trailers are kept once it ended.
    pub(crate) fn read_body(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.conn.read_body(&*self.stream, buf)
    }

    /// The trailer fields, once the body was read to its end.
    pub(crate) fn trailers(&self) -> Option<&[(Vec<u8>, Vec<u8>)]> {
        self.conn.body_ended().then(|| self.conn.trailers())
    }

    pub(crate) fn body_budget(&self) -> Option<Arc<Budget>> {
        self.conn.body_budget()
    }

    /// Whether the body failed (and the request gets the library's answer).
    pub(crate) fn body_failed(&self) -> bool {
        self.conn.body_failure().is_some()
    }

    /// The body cannot be taken: `answer` is the request's answer.
    pub(crate) fn refuse_body(&mut self, answer: Answer) {
        self.conn.refuse_body(answer);
    }

    /// Sends `response`'s head for a body written in pieces (chunked).
    pub(crate) fn start_body(&mut self, response: &Response) -> io::Result<()> {
        self.conn.start_body(&*self.stream, response, None)
    }

    /// Writes a piece of the body now; fails once the socket knows the client has gone (the
    /// write after its close, at the latest). No peek for its end first: a client that only
    /// half-closed after its request still reads, as it would read an answer held in memory.
    pub(crate) fn send_data(&mut self, data: &[u8]) -> io::Result<()> {
        self.conn.send_data(&*self.stream, data)
    }

    /// Whether the client closed the connection.
    pub(crate) fn client_gone(&self) -> bool {
        writer::closed_by_peer(&self.stream)
    }
}

/// The lent connection as the request, the response and a responder share it: `None` once
/// the answer is complete and the connection went back.
pub(crate) type Link = Arc<Mutex<Option<Lent>>>;

/// The lent connection `response` answers through, when it is a pool handler's.
pub(crate) fn link_of(response: &Response) -> Option<Link> {
    let lent = Arc::clone(response.lent()?);
    lent.downcast::<Mutex<Option<Lent>>>().ok()
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// On a pool thread: runs `handler` for the request `lent` stopped at, and completes its
/// answer unless the handler deferred it to a [`responder::Responder`].
pub(crate) fn serve<H: Handler + ?Sized>(lent: Lent, handler: &H, config: &ServerConfig) {
    let stream = Arc::clone(&lent.stream);
    block(&stream, config);
    let mut lent = lent;
    lent.conn.begin_lent();
    let Some((head_bytes, owned)) = lent.conn.lent_head() else {
        return give_back(lent, Back::Close);
    };
    let peer = stream.peer_addr().ok();
    let link: Link = Arc::new(Mutex::new(Some(lent)));
    let head = owned.request(&head_bytes);
    let connect = head.method() == h1_parser::Method::Connect;
    let streamed = body::Streamed::new(Arc::clone(&link));
    let request = Request::streamed(head, &streamed, peer);
    let mut response = Response::new();
    response.link(Arc::clone(&link) as LentLink);
    crate::conn::dispatch(
        handler,
        &request,
        &mut response,
        connect,
        config.shape_answers,
    );
    if response.wants_upgrade() && !connect && !offered(&request, &response) {
        // The handler's 101 names a protocol the client did not offer: refused as the core
        // refuses a 101 to a request with no Upgrade at all, with a bare 500 and a close.
        response = Response::new();
        response
            .set_status(500)
            .set_body("Internal Server Error\n")
            .close();
    }
    drop(request);
    if !response.is_deferred() {
        complete(&link, response);
    }
}

/// RFC 9110 §7.8: a server switches only to protocols the request's `Upgrade` names, so every
/// member of the response's `Upgrade` fields (as the writer serialized them: `Name: value`)
/// must be in the request's.
fn offered(request: &Request<'_>, response: &Response) -> bool {
    let fields = response.fields().as_bytes();
    let chosen = fields.split(|&b| b == b'\n').filter_map(|line| {
        let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
        name.eq_ignore_ascii_case(b"upgrade").then_some(&value[1..])
    });
    let mut any = false;
    for member in chosen.flat_map(|value| value.split(|&b| b == b',')) {
        let Ok(member) = std::str::from_utf8(member.trim_ascii()) else {
            return false;
        };
        if member.is_empty() {
            continue;
        }
        any = true;
        let mut offers = request.headers().get_all("upgrade");
        if !offers.any(|offer| h1_parser::syntax::list_contains_token(offer, member)) {
            return false;
        }
    }
    any
}

/// On a pool thread: sends the answer an inline handler left in `lent`'s connection, whose
/// body is a reader's (see `conn::Lend::Answer`).
pub(crate) fn send(mut lent: Lent, config: &ServerConfig) {
    block(&lent.stream, config);
    let response = lent.conn.begin_lent_answer();
    complete(&Arc::new(Mutex::new(Some(lent))), response);
}

/// The socket blocking, with the body and write timeouts as its own: a failure leaves it
/// non-blocking, and the first read or write says so.
fn block(stream: &TcpStream, config: &ServerConfig) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(config.body_timeout).filter(|t| !t.is_zero()));
    let _ = stream.set_write_timeout(Some(config.write_timeout).filter(|t| !t.is_zero()));
}

/// Sends `response` as the answer of the connection `link` holds, and gives the connection
/// back (or the socket to the upgrade). Nothing happens when it was answered already.
pub(crate) fn complete(link: &Link, mut response: Response) {
    let Some(mut lent) = lock(link).take() else {
        return;
    };
    let stream = Arc::clone(&lent.stream);
    let conn = &mut lent.conn;
    let on_upgrade = response.take_upgrade();
    let back = if conn.head_sent() {
        // A body started by a writer ends here; any other answer cannot follow its head.
        match response.is_body_started() && conn.body_failure().is_none() {
            true => match conn.end_body(&*stream, response.trailers()) {
                Ok(()) => conn.end_lent(&*stream),
                Err(_) => Back::Close,
            },
            false => Back::Close,
        }
    } else if let Some(answer) = conn.body_failure() {
        // The body broke a limit or a rule, or came too slowly: that is the answer.
        let _ = conn.send_failure(&*stream, answer);
        Back::Close
    } else {
        match conn.send_response(&*stream, &mut response) {
            Ok(()) if on_upgrade.is_some() => conn.upgrade(&*stream),
            Ok(()) => conn.end_lent(&*stream),
            Err(_) => Back::Close,
        }
    };
    match (back, on_upgrade) {
        (Back::Upgraded(prefix), Some(on_upgrade)) => {
            let key = lent.key;
            // Counted as open until the upgraded stream is dropped, not only while in a slot.
            let counted = upgrade::Counted::new(Arc::clone(&lent.inbox.open));
            lent.inbox.give_back(key, None);
            let upgraded = upgrade::Upgraded::new(prefix, stream, counted);
            // A panicking protocol handler costs its connection: the socket closes on drop.
            let _ = catch_unwind(AssertUnwindSafe(move || on_upgrade(upgraded)));
        }
        (back, _) => give_back(lent, back),
    }
}

/// The connection goes back to its worker: open for the next request, or to be closed there
/// (after a lingering close when the client may still be sending).
fn give_back(mut lent: Lent, back: Back) {
    if !matches!(back, Back::Open) {
        lent.conn.close_after_lent();
    }
    let _ = lent.stream.set_read_timeout(None);
    let _ = lent.stream.set_write_timeout(None);
    if lent.stream.set_nonblocking(true).is_err() {
        return lent.inbox.give_back(lent.key, None);
    }
    lent.inbox.give_back(lent.key, Some(lent.conn));
}

/// The answer a handler that never answered leaves: `500`.
pub(crate) fn unanswered() -> Response {
    let mut response = Response::new();
    response
        .set_answer(Answer::Unanswered, "Internal Server Error\n")
        .close();
    response
}
