//! `Incoming`: the request being read — the core's events over the read buffer, and the body
//! gathered for the handler where it lies or, when it arrives in pieces, copied out.

use std::ops::Range;
use std::sync::Arc;

use h1_parser::conn::{ConnError, Event, ServerConn, CONTINUE};

use super::buffer::ReadBuffer;
use crate::budget::Budget;

/// A decoded-body buffer larger than this is released after its request.
const BODY_KEEP: usize = 64 * 1024;

/// What reading found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// A request head is complete; its body is being read (a bodiless request's head is
    /// reported with its end, as [`Step::Complete`]).
    Head,
    /// The request is complete: answer it.
    Complete,
    /// Every byte was used: read more.
    NeedMore,
    /// The core ended the connection (a close decided, a shutdown, the peer's end).
    Closed,
    /// The request broke a rule, or ended inside a message: answered by the status it names.
    Failed(ConnError),
    /// The body does not fit the server's memory budget now: `503`.
    OverBudget,
}

/// What one step of reading a body lent to a handler found (see [`Incoming::pull`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Pulled {
    /// Body bytes at this range of the message.
    Data(Range<usize>),
    /// A trailer field: its name and value in the message.
    Trailer(Range<usize>, Range<usize>),
    /// The client waits for `100 Continue`: send it, then read on.
    Continue,
    /// The body is complete.
    End,
    /// Every byte was used: read more.
    NeedMore,
    /// The connection switched protocols: the bytes from [`Incoming::rest`] on are the new
    /// protocol's.
    Upgrade,
    Failed(ConnError),
}

/// The current request as read so far. Offsets count from the message's start in the read
/// buffer, so the buffer may move its contents between reads.
#[derive(Debug, Default)]
pub(super) struct Incoming {
    /// The head's length, once it is complete.
    head_len: usize,
    /// The first byte the core has not consumed.
    at: usize,
    /// The body, when it did not arrive as one piece in the read buffer.
    body: Vec<u8>,
    /// Body bytes still lying in the read buffer, in one run.
    in_place: Range<usize>,
    /// The trailer fields after a chunked body.
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The server's body budget, and how much of it `body`'s capacity holds.
    budget: Option<Arc<Budget>>,
    reserved: usize,
}

impl Incoming {
    /// Feeds the core what the read buffer holds past what it consumed, until a step the
    /// connection acts on. A `100 Continue` the core asks for goes to `output` (RFC 9110
    /// §10.1.1), unless the body has already started to arrive.
    pub(super) fn advance(
        &mut self,
        core: &mut ServerConn,
        input: &mut ReadBuffer,
        output: &mut Vec<u8>,
    ) -> Step {
        loop {
            let message = input.message();
            let rest = message.get(self.at..).unwrap_or_default();
            let (consumed, event) = match core.receive(rest) {
                Ok(step) => step,
                Err(error) => return Step::Failed(error),
            };
            let from = self.at;
            self.at += consumed;
            match event {
                Event::Head => {
                    self.head_len = self.at;
                    self.in_place = self.at..self.at;
                    // A bodiless request goes on to its end in this call: one step less.
                    if core.body_pending() {
                        return Step::Head;
                    }
                }
                Event::Data(range) => {
                    if !self.take(from + range.start..from + range.end, message) {
                        return Step::OverBudget;
                    }
                }
                Event::Trailer { name, value } => {
                    let field = |range: Range<usize>| {
                        let range = from + range.start..from + range.end;
                        message.get(range).unwrap_or_default().to_vec()
                    };
                    self.trailers.push((field(name), field(value)));
                }
                Event::WriteContinue if rest.is_empty() => output.extend_from_slice(CONTINUE),
                Event::WriteContinue => {}
                Event::End => return Step::Complete,
                Event::NeedMore => {
                    if !self.compact(input) {
                        return Step::OverBudget;
                    }
                    return Step::NeedMore;
                }
                // Answers are finished before the next request is read, except a streamed
                // body's, which stops reading too.
                Event::AnswerOwed => return Step::NeedMore,
                // No upgrade is ever accepted and no tunnel opened (see dispatch).
                Event::Closed | Event::Upgrade => return Step::Closed,
                Event::Interim => return Step::Closed,
            }
        }
    }

    /// One step of the core over what the read buffer holds, for a body read piece by piece
    /// by a handler: data is handed out as ranges of the message, never gathered.
    pub(super) fn pull(&mut self, core: &mut ServerConn, input: &mut ReadBuffer) -> Pulled {
        let message = input.message();
        let rest = message.get(self.at..).unwrap_or_default();
        let (consumed, event) = match core.receive(rest) {
            Ok(step) => step,
            Err(error) => return Pulled::Failed(error),
        };
        let from = self.at;
        self.at += consumed;
        let shift = |range: Range<usize>| from + range.start..from + range.end;
        match event {
            Event::Data(range) => Pulled::Data(shift(range)),
            Event::Trailer { name, value } => Pulled::Trailer(shift(name), shift(value)),
            Event::WriteContinue => Pulled::Continue,
            Event::End => Pulled::End,
            Event::NeedMore => {
                // Nothing is gathered in this mode: the compaction copies no body out.
                self.compact(input);
                Pulled::NeedMore
            }
            Event::Upgrade => Pulled::Upgrade,
            Event::Closed => Pulled::Failed(ConnError::IncompleteMessage),
            Event::Head | Event::Interim | Event::AnswerOwed => Pulled::End,
        }
    }

    /// After the answer: drops what is left of the body, stopping where the next request
    /// starts (`End`), so [`Incoming::next`] starts the next message at the right byte.
    pub(super) fn drop_body(&mut self, core: &mut ServerConn, input: &mut ReadBuffer) -> Pulled {
        let rest = input.message().get(self.at..).unwrap_or_default();
        let (consumed, event) = match core.drop_body(rest) {
            Ok(step) => step,
            Err(error) => return Pulled::Failed(error),
        };
        self.at += consumed;
        match event {
            Event::End => Pulled::End,
            Event::NeedMore => {
                self.compact(input);
                Pulled::NeedMore
            }
            Event::Upgrade => Pulled::Upgrade,
            _ => Pulled::Failed(ConnError::IncompleteMessage),
        }
    }

    /// The bytes after what the core consumed.
    pub(super) fn rest<'a>(&self, input: &'a ReadBuffer) -> &'a [u8] {
        input.message().get(self.at..).unwrap_or_default()
    }

    /// Body data at `range` of the message: kept in place while it extends one run, copied
    /// out otherwise (chunked framing between the pieces).
    /// False when the copy does not fit the budget.
    fn take(&mut self, range: Range<usize>, message: &[u8]) -> bool {
        if self.body.is_empty() && (self.in_place.is_empty() || self.in_place.end == range.start) {
            if self.in_place.is_empty() {
                self.in_place = range;
            } else {
                self.in_place.end = range.end;
            }
            return true;
        }
        self.spill(message) && self.gather(message.get(range).unwrap_or_default())
    }

    /// Copies the body bytes lying in the read buffer out to the body buffer.
    fn spill(&mut self, message: &[u8]) -> bool {
        if self.in_place.is_empty() {
            return true;
        }
        let run = message.get(self.in_place.clone()).unwrap_or_default();
        self.in_place = self.at..self.at;
        self.gather(run)
    }

    /// Appends to the body buffer, its growth taken from the budget first.
    fn gather(&mut self, bytes: &[u8]) -> bool {
        let needed = self.body.len() + bytes.len();
        if needed > self.body.capacity() {
            let grown = needed.max(self.body.capacity() * 2);
            if let Some(budget) = &self.budget {
                if !budget.reserve(grown - self.reserved) {
                    // Refused: what the body held goes back before the answer goes out.
                    self.body = Vec::new();
                    budget.release(std::mem::take(&mut self.reserved));
                    return false;
                }
                self.reserved = grown;
            }
            self.body.reserve_exact(grown - self.body.len());
        }
        self.body.extend_from_slice(bytes);
        true
    }

    /// Counts the bodies this connection gathers against `budget`.
    pub(super) fn set_budget(&mut self, budget: &Arc<Budget>) {
        if self.budget.is_none() {
            self.budget = Some(Arc::clone(budget));
        }
    }

    /// The budget bodies are counted against, if any.
    pub(super) fn budget(&self) -> Option<&Arc<Budget>> {
        self.budget.as_ref()
    }

    /// The body is incomplete: the bytes the core consumed after the head leave the read
    /// buffer (the head stays, the core resolves it there), so a large body needs no large
    /// read buffer.
    fn compact(&mut self, input: &mut ReadBuffer) -> bool {
        if self.at <= self.head_len {
            return true;
        }
        let spilled = self.spill(input.message());
        input.remove_from_message(self.head_len..self.at);
        self.at = self.head_len;
        self.in_place = self.at..self.at;
        spilled
    }

    /// The trailer fields of the request read whole.
    pub(super) fn trailers(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.trailers
    }

    /// The head, from the message's start.
    pub(super) fn head<'a>(&self, input: &'a ReadBuffer) -> &'a [u8] {
        input.message()
    }

    /// The complete body.
    pub(super) fn body<'a>(&'a self, input: &'a ReadBuffer) -> &'a [u8] {
        if self.body.is_empty() && self.in_place.is_empty() {
            return &[];
        }
        if self.body.is_empty() {
            input
                .message()
                .get(self.in_place.clone())
                .unwrap_or_default()
        } else {
            &self.body
        }
    }

    /// Whether a request head was read and its request is not answered yet.
    pub(super) fn in_request(&self) -> bool {
        self.head_len > 0
    }

    /// The request was answered: the next one starts after the bytes the core consumed.
    pub(super) fn next(&mut self, input: &mut ReadBuffer) {
        input.next_message_at(input.start() + self.at);
        self.forget();
    }

    /// Forgets the request, keeping the buffers unless they grew past 64 KiB.
    #[inline]
    fn forget(&mut self) {
        self.at = 0;
        self.head_len = 0;
        self.in_place = 0..0;
        self.body.clear();
        if self.body.capacity() > BODY_KEEP {
            self.body = Vec::new();
            if let Some(budget) = &self.budget {
                budget.release(std::mem::take(&mut self.reserved));
            }
        }
        if !self.trailers.is_empty() {
            self.trailers = Vec::new();
        }
    }

    /// Forgets the request, keeping the body buffer unless it grew past 64 KiB.
    pub(super) fn recycle(&mut self) {
        self.forget();
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            budget.release(self.reserved);
        }
    }
}
