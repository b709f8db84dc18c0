//! `CheckedFields`: response field lines checked once, when they are set, and kept written
//! out, so that the head they go into takes them with one copy and no second check.

extern crate std;

use std::vec::Vec;

use super::error::WriteError;
use super::rules::{check_connection_options, check_field, FieldKind};
use crate::syntax::{list_contains_token, list_has_member};

/// Field lines (`name: value` CRLF each) that passed the response writer's rules when they
/// were pushed, with what they say that a head acts on. Only [`push`](CheckedFields::push)
/// adds a line, so a head writes them as they are:
/// [`ResponseHead::fields`](super::ResponseHead::fields),
/// [`Answering::checked_fields`](crate::conn::Answering::checked_fields). For fields set long before the head
/// is written (a server's handler fills a response, the connection writes it later), or
/// written into many heads (a `Server` field).
///
/// ```
/// use h1_parser::write::{Body, CheckedFields, ResponseHead, WriteError};
/// use h1_parser::{Method, Version};
///
/// let mut fields = CheckedFields::new();
/// fields.push("Content-Type", "text/plain")?;
/// assert_eq!(fields.push("X-Split", "a\r\nX-Injected: 1"), Err(WriteError::InvalidFieldValue));
/// assert_eq!(fields.push("Content-Length", "5"), Err(WriteError::FramingField));
///
/// let mut out = Vec::new();
/// let mut head = ResponseHead::new(&mut out, Method::Get, Version::Http11, 200, None)?;
/// head.fields(&fields)?;
/// head.finish(Body::Length(0))?;
/// assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
/// # Ok::<(), WriteError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckedFields {
    lines: Vec<u8>,
    /// What all the lines say (the head acts on it).
    pub(crate) upgrade: bool,
    pub(crate) close: bool,
    pub(crate) keep_alive: bool,
    /// The kept lines (see [`CheckedFields::replace_kept`]): their length, what they say.
    kept_len: usize,
    kept: Says,
    /// What the lines after the kept ones say.
    added: Says,
}

/// What field lines say that a head acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Says {
    upgrade: bool,
    close: bool,
    keep_alive: bool,
}

impl CheckedFields {
    /// No fields; allocates nothing until the first push.
    pub const fn new() -> CheckedFields {
        const NOTHING: Says = Says {
            upgrade: false,
            close: false,
            keep_alive: false,
        };
        CheckedFields {
            lines: Vec::new(),
            upgrade: false,
            close: false,
            keep_alive: false,
            kept_len: 0,
            kept: NOTHING,
            added: NOTHING,
        }
    }

    /// Checks `name: value` by the rules of [`ResponseHead::field`](super::ResponseHead::field)
    /// and appends it; refused, with nothing appended: a name that is not a token, a value
    /// with a control byte or whitespace at either end, and a framing field (`Content-Length`,
    /// `Transfer-Encoding`: the head writes the framing from its body).
    pub fn push(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut CheckedFields, WriteError> {
        let (name, value) = (name.as_ref(), value.as_ref());
        match check_field(name, value)? {
            FieldKind::Framing => return Err(WriteError::FramingField),
            FieldKind::Connection => {
                check_connection_options(value)?;
                self.added.close |= list_contains_token(value, "close");
                self.added.keep_alive |= list_contains_token(value, "keep-alive");
                self.sum();
            }
            // RFC 9110 §15.2.2: a 101 names the protocol it switches to; an empty list names none.
            FieldKind::Upgrade => {
                self.added.upgrade |= list_has_member(value);
                self.sum();
            }
            FieldKind::Host | FieldKind::Other => {}
        }
        self.lines.extend_from_slice(name);
        self.lines.extend_from_slice(b": ");
        self.lines.extend_from_slice(value);
        self.lines.extend_from_slice(b"\r\n");
        Ok(self)
    }

    /// Forgets every field, the kept ones too, keeping the buffer.
    pub fn clear(&mut self) {
        *self = CheckedFields {
            lines: core::mem::take(&mut self.lines),
            ..CheckedFields::new()
        };
        self.lines.clear();
    }

    /// Makes the lines of `prefix` the first lines, in place of those kept before (none at
    /// first), and keeps them: [`clear_unkept`](CheckedFields::clear_unkept) leaves them. For a
    /// line that starts every head and changes seldom (a server's `Date`): kept in place, it
    /// goes out in the same copy as the fields pushed after it. Allocates only to grow.
    ///
    /// ```
    /// use h1_parser::write::CheckedFields;
    ///
    /// let mut fields = CheckedFields::new();
    /// fields.push("Content-Type", "text/plain")?;
    /// let mut date = CheckedFields::new();
    /// date.push("Date", "Sun, 06 Nov 1994 08:49:37 GMT")?;
    /// fields.replace_kept(&date);
    /// assert_eq!(fields.as_bytes(), b"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\n");
    /// fields.clear_unkept();
    /// fields.push("Vary", "Accept")?;
    /// assert_eq!(fields.as_bytes(), b"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nVary: Accept\r\n");
    /// # Ok::<(), h1_parser::write::WriteError>(())
    /// ```
    pub fn replace_kept(&mut self, prefix: &CheckedFields) {
        let kept = self.kept_len.min(self.lines.len());
        if kept == prefix.lines.len() {
            // The same length (a Date line always is): no byte after it moves.
            if let Some(old) = self.lines.get_mut(..kept) {
                old.copy_from_slice(&prefix.lines);
            }
        } else {
            self.lines.splice(..kept, prefix.lines.iter().copied());
        }
        self.kept_len = prefix.lines.len();
        self.kept = Says {
            upgrade: prefix.upgrade,
            close: prefix.close,
            keep_alive: prefix.keep_alive,
        };
        self.sum();
    }

    /// Forgets the fields pushed after the kept ones ([`replace_kept`](CheckedFields::replace_kept)),
    /// keeping the buffer.
    pub fn clear_unkept(&mut self) {
        self.lines.truncate(self.kept_len);
        self.added = Says::default();
        self.sum();
    }

    /// What all the lines say, from what the kept and the added ones say.
    #[inline]
    fn sum(&mut self) {
        self.upgrade = self.kept.upgrade | self.added.upgrade;
        self.close = self.kept.close | self.added.close;
        self.keep_alive = self.kept.keep_alive | self.added.keep_alive;
    }

    /// The field lines as written, each ending in CRLF.
    pub fn as_bytes(&self) -> &[u8] {
        &self.lines
    }

    /// True when no field was pushed.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The bytes the buffer holds room for.
    pub fn capacity(&self) -> usize {
        self.lines.capacity()
    }

    /// The fields as `(name, value)`, in the order pushed.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.lines
            .split_inclusive(|&b| b == b'\n')
            .filter_map(|line| {
                let line = line.strip_suffix(b"\r\n")?;
                // A name is a token, so the first colon ends it; one SP follows it.
                let colon = line.iter().position(|&b| b == b':')?;
                Some((
                    line.get(..colon)?,
                    line.get(colon + 2..).unwrap_or_default(),
                ))
            })
    }

    /// Whether a field named `name` (case-insensitive) was pushed.
    pub fn contains(&self, name: impl AsRef<[u8]>) -> bool {
        let name = name.as_ref();
        self.iter().any(|(have, _)| have.eq_ignore_ascii_case(name))
    }
}
