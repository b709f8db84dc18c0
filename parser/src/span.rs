//! Offsets into the caller's buffer: the parser keeps its progress and its output as these,
//! never as pointers, so the caller may grow or move its buffer between calls.

/// A byte range of the caller's buffer; `u32` keeps a header entry at 16 bytes (the head size
/// limit is capped to fit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    #[inline(always)]
    pub(crate) fn new(start: usize, end: usize) -> Span {
        // Offsets are below the head size limit, which is at most `Config::MAX_HEAD_SIZE`.
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    #[inline(always)]
    pub(crate) fn of(self, buf: &[u8]) -> &[u8] {
        buf.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// One field line as offsets into the caller's buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawHeader {
    pub(crate) name: Span,
    pub(crate) value: Span,
}
