//! `ReadBuffer`: the bytes received and not yet answered, with the current message's start.

use std::ops::Range;

use crate::config::ServerConfig;

/// The read buffer: every byte is initialised, `filled` of them hold input, the current
/// message starts at `start`. It starts at [`ServerConfig::read_buffer_size`] and grows, when a
/// head needs it, up to the head limit plus the trailer limit plus that size.
#[derive(Debug)]
pub(super) struct ReadBuffer {
    bytes: Vec<u8>,
    filled: usize,
    start: usize,
    initial: usize,
    max: usize,
}

/// The buffer is full of the current message and may not grow.
#[derive(Debug)]
pub(super) struct Full;

impl ReadBuffer {
    /// A buffer for `config`'s limits. Allocates its first size.
    pub(super) fn new(config: &ServerConfig) -> ReadBuffer {
        let initial = config.read_buffer_size.max(256);
        let max = config
            .parser
            .max_head_size
            .saturating_add(config.parser.max_trailers_size)
            .saturating_add(initial)
            .max(initial);
        ReadBuffer {
            bytes: vec![0; initial],
            filled: 0,
            start: 0,
            initial,
            max,
        }
    }

    /// Empty again; a buffer that grew goes back to its first size.
    pub(super) fn recycle(&mut self) {
        self.clear();
        if self.bytes.len() > self.initial {
            self.bytes.truncate(self.initial);
            self.bytes.shrink_to_fit();
        }
    }

    /// Forgets every byte.
    pub(super) fn clear(&mut self) {
        self.start = 0;
        self.filled = 0;
    }

    /// Where the current message starts.
    pub(super) fn start(&self) -> usize {
        self.start
    }

    /// True when no byte of a next message is buffered.
    pub(super) fn is_drained(&self) -> bool {
        self.start == self.filled
    }

    /// The input from the current message's start.
    pub(super) fn message(&self) -> &[u8] {
        self.bytes.get(self.start..self.filled).unwrap_or_default()
    }

    /// Makes room to read into when the buffer is full: moves the current message to the
    /// front, or grows.
    pub(super) fn make_room(&mut self) -> Result<(), Full> {
        if self.filled < self.bytes.len() {
            return Ok(());
        }
        if self.start > 0 {
            // The core and the request keep offsets from the message's start: nothing is
            // parsed again.
            self.bytes.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.start = 0;
            Ok(())
        } else if self.bytes.len() < self.max {
            let grown = self.bytes.len().saturating_mul(2).min(self.max);
            self.bytes.resize(grown, 0);
            Ok(())
        } else {
            Err(Full)
        }
    }

    /// The free space after the input.
    pub(super) fn free(&mut self) -> &mut [u8] {
        self.bytes.get_mut(self.filled..).unwrap_or_default()
    }

    /// `n` bytes were read into [`ReadBuffer::free`].
    pub(super) fn commit(&mut self, n: usize) {
        self.filled = self.filled.saturating_add(n).min(self.bytes.len());
    }

    /// Removes the bytes in `range` of the current message (body bytes already taken),
    /// moving the rest of the input down.
    pub(super) fn remove_from_message(&mut self, range: Range<usize>) {
        let (from, to) = (self.start + range.start, self.start + range.end);
        if from < to && to <= self.filled {
            self.bytes.copy_within(to..self.filled, from);
            self.filled -= to - from;
        }
    }

    /// The current message ended at `end`: the next one starts there.
    pub(super) fn next_message_at(&mut self, end: usize) {
        self.start = end;
        if self.start >= self.filled {
            self.clear();
        }
    }
}
