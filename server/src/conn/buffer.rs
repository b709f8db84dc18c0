//! `ReadBuffer`: the bytes received and not yet answered, with the current message's start.

use std::ops::Range;

use crate::ServerConfig;

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

    /// The end of the input.
    pub(super) fn filled(&self) -> usize {
        self.filled
    }

    /// True when no byte of a next message is buffered.
    pub(super) fn is_drained(&self) -> bool {
        self.start == self.filled
    }

    /// The input from the current message's start.
    pub(super) fn message(&self) -> &[u8] {
        self.get(self.start..self.filled)
    }

    /// The input bytes in `range` (empty when out of bounds).
    pub(super) fn get(&self, range: Range<usize>) -> &[u8] {
        self.bytes.get(range).unwrap_or_default()
    }

    /// Makes room to read into when the buffer is full: moves the current message to the
    /// front (returning how far it moved, for offsets kept outside), or grows.
    pub(super) fn make_room(&mut self) -> Result<usize, Full> {
        if self.filled < self.bytes.len() {
            return Ok(0);
        }
        if self.start > 0 {
            // The parser keeps offsets relative to the message start: nothing is parsed again.
            let moved = self.start;
            self.bytes.copy_within(self.start..self.filled, 0);
            self.filled -= moved;
            self.start = 0;
            Ok(moved)
        } else if self.bytes.len() < self.max {
            let grown = self.bytes.len().saturating_mul(2).min(self.max);
            self.bytes.resize(grown, 0);
            Ok(0)
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

    /// Removes the bytes in `range` (decoded body bytes), moving the rest of the input down.
    pub(super) fn remove(&mut self, range: Range<usize>) {
        if range.start < range.end && range.end <= self.filled {
            self.bytes.copy_within(range.end..self.filled, range.start);
            self.filled -= range.end - range.start;
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
