//! `Source`: a response body the connection pulls as the socket takes bytes — a reader or a
//! file (range) — instead of one held whole in memory.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A body to pull from, and its length when known.
pub(crate) enum Source {
    /// A handler's reader, boxed once per response.
    Reader {
        reader: Box<dyn Read + Send>,
        length: Option<u64>,
    },
    /// A file, positioned at the first byte to send; `length` bytes follow.
    File { file: File, length: u64 },
}

impl Source {
    /// A reader of `length` bytes (`None`: unknown, sent chunked).
    pub(crate) fn reader(reader: impl Read + Send + 'static, length: Option<u64>) -> Source {
        Source::Reader {
            reader: Box::new(reader),
            length,
        }
    }

    /// `file`'s bytes in `range` (all of them without one), clamped to its length now.
    pub(crate) fn file(mut file: File, range: Option<Range<u64>>) -> io::Result<Source> {
        let len = file.metadata()?.len();
        let range = range.unwrap_or(0..len);
        let start = range.start.min(len);
        let end = range.end.clamp(start, len);
        file.seek(SeekFrom::Start(start))?;
        Ok(Source::File {
            file,
            length: end - start,
        })
    }

    /// Whether the body comes from a handler's reader, which may block or spin: it is
    /// pulled on a handler thread, never on the event loop.
    pub(crate) fn is_reader(&self) -> bool {
        matches!(self, Source::Reader { .. })
    }

    /// The body's length, when known.
    pub(crate) fn length(&self) -> Option<u64> {
        match self {
            Source::Reader { length, .. } => *length,
            Source::File { length, .. } => Some(*length),
        }
    }

    /// Reads the next bytes into `buf` (0: the end), retrying interrupted reads. A reader
    /// that panics is an error: it costs its response, never the thread pulling it.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let read = match self {
                Source::Reader { reader, .. } => {
                    catch_unwind(AssertUnwindSafe(|| reader.read(&mut *buf)))
                        .unwrap_or_else(|_| Err(io::Error::other("the body reader panicked")))
                }
                Source::File { file, .. } => file.read(buf),
            };
            match read {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                read => return read,
            }
        }
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Reader { length, .. } => f
                .debug_struct("Reader")
                .field("length", length)
                .finish_non_exhaustive(),
            Source::File { file, length } => f
                .debug_struct("File")
                .field("file", file)
                .field("length", length)
                .finish(),
        }
    }
}
