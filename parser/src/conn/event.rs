//! `Event`: what a connection found in the bytes it was given.

use core::ops::Range;

/// What one `receive` call found. Ranges index the input of that call, so the caller slices
/// its own buffer (`&input[range]`) and may split, move or free it afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A head is complete: the request (server role) or the final response (client role). The
    /// bytes consumed are the head; resolve it with `request(head)` / `response(head)`, where
    /// `head` starts at the head's first byte, for as long as the message lasts.
    Head,
    /// Client role: an interim response (1xx but 101, RFC 9110 §15.2), complete in itself;
    /// resolve it like a head before the next call. The final response follows.
    Interim,
    /// Body bytes, decoded (the chunked framing removed): this range of the input.
    Data(Range<usize>),
    /// A trailer field after a chunked body (RFC 9112 §7.1.2): its name and value in the
    /// input. Passed on, never acted on.
    Trailer {
        /// The field name.
        name: Range<usize>,
        /// The field value.
        value: Range<usize>,
    },
    /// The message is complete; what follows belongs to the next one.
    End,
    /// Every byte given was used: call again with the bytes not consumed and more.
    NeedMore,
    /// Server role: the request is read, and its answer must be finished before the next
    /// request is read (answers go out in request order).
    AnswerOwed,
    /// Server role: the client waits for `100 Continue` before it sends the body (RFC 9110
    /// §10.1.1), and the application asked for the body: write [`CONTINUE`](super::CONTINUE),
    /// then call again.
    WriteContinue,
    /// The connection stopped speaking HTTP/1.1 (101 Switching Protocols, or a 2xx to CONNECT):
    /// the bytes from here on (the input not consumed) belong to the new protocol or tunnel.
    Upgrade,
    /// The connection is finished: send what was written, then close it (RFC 9112 §9.6).
    Closed,
}
