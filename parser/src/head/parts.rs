//! What the head machine holds: where it stands ([`State`]), what it found ([`HeadParts`],
//! [`StatusParts`]) and which start line it reads. Only the machine (`head/mod.rs`) writes them.

use crate::error::Error;
use crate::known::KnownFields;
use crate::message::{ConnectionOptions, Framing, StandardMethod, TargetForm, Version};
use crate::span::Span;

/// Where `line_start` leaves a line: read whole, to be read by its parts, or the view (or the
/// head) ended.
pub(super) enum LineStart {
    Whole(usize),
    Parts(usize),
    Stop(usize),
}

/// Which start line a head begins with (RFC 9112 §2.1: `start-line = request-line /
/// status-line`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StartLine {
    Request,
    Response,
}

/// Where the machine stands; each state names the next thing it expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Before the request-line; one empty line may come first (RFC 9112 §2.2).
    Start,
    /// After the CR of a leading empty line.
    StartLf,
    /// After an ignored leading empty line: the method must start here.
    MethodStart,
    Method,
    Target,
    Version,
    /// The HTTP-version at the start of a status-line, and the SP after it (RFC 9112 §4); one
    /// empty line may come first.
    StatusVersion,
    /// After the CR of an empty line before the status-line.
    StatusStartLf,
    /// The three digits of the status code, and the SP after them.
    StatusCode,
    /// The reason phrase, up to the CR that ends the status-line.
    Reason,
    /// After the CR that ends the start line (request-line or status-line).
    StartLineLf,
    /// At the start of the first field line or of the final empty line.
    LineStart,
    /// After a field line's LF: the field is complete unless the next line folds it into
    /// itself (obs-fold, RFC 9112 §5.2), so it joins the table when that line starts.
    FieldEnd,
    /// After a field line's LF, the field already in the table: one the framing rules do not
    /// look at, so it could join at once. A fold takes it back out.
    FieldInTable,
    Name,
    /// The OWS between the colon and the value.
    ValueStart,
    Value,
    /// After the CR that ends a field line.
    ValueLf,
    /// After the CR of the final empty line.
    HeadLf,
    Done,
    /// A rule was broken: the error and the offset of its cause. Final until `reset`.
    Failed(Error, usize),
}

impl State {
    /// The states of the request-line.
    #[inline(always)]
    pub(super) fn in_request_line(self) -> bool {
        matches!(
            self,
            State::Start
                | State::StartLf
                | State::MethodStart
                | State::Method
                | State::Target
                | State::Version
        )
    }

    /// The states of the status-line.
    #[inline(always)]
    pub(super) fn in_status_line(self) -> bool {
        matches!(
            self,
            State::StatusVersion | State::StatusStartLf | State::StatusCode | State::Reason
        )
    }
}

/// What a finished head decided, in both directions, as offsets and small values: the
/// request-line's parts (left empty for a response), the version, the head's length, the
/// framing its fields say and the connection options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeadParts {
    pub(crate) method: Span,
    pub(crate) known_method: Option<StandardMethod>,
    pub(crate) target: Span,
    pub(crate) form: TargetForm,
    pub(crate) version: Version,
    pub(crate) head_len: usize,
    pub(crate) framing: Framing,
    pub(crate) options: ConnectionOptions,
}

impl HeadParts {
    pub(super) const EMPTY: HeadParts = HeadParts {
        method: Span { start: 0, end: 0 },
        known_method: None,
        target: Span { start: 0, end: 0 },
        form: TargetForm::Origin,
        version: Version::Http11,
        head_len: 0,
        framing: Framing::NoBody,
        options: ConnectionOptions {
            close: false,
            keep_alive: false,
            upgrade_option: false,
            upgrade_field: false,
            expect_continue: false,
        },
    };
}

/// The status-line's own parts, as small values and offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StatusParts {
    pub(crate) code: u16,
    pub(crate) reason: Span,
}

impl StatusParts {
    pub(super) const EMPTY: StatusParts = StatusParts {
        code: 0,
        reason: Span { start: 0, end: 0 },
    };
}

/// Where a part a line kind's scanner found ends: the offset of the byte after it.
pub(super) trait PartEnd {
    fn offset(&self) -> usize;
}

impl PartEnd for usize {
    #[inline(always)]
    fn offset(&self) -> usize {
        *self
    }
}

/// The end and the byte there.
impl PartEnd for (usize, u8) {
    #[inline(always)]
    fn offset(&self) -> usize {
        self.0
    }
}

impl StartLine {
    /// The state a head of this kind starts in.
    #[inline]
    pub(super) fn first_state(self) -> State {
        match self {
            StartLine::Request => State::Start,
            StartLine::Response => State::StatusVersion,
        }
    }

    /// What the known fields start from: the Host rules are for requests only.
    #[inline]
    pub(super) fn known_fields(self) -> KnownFields {
        match self {
            StartLine::Request => KnownFields::default(),
            StartLine::Response => KnownFields::for_response(),
        }
    }
}

/// Bytes the machine counts for its tests (`head/tests.rs`), nothing outside them: those
/// classified, and those looked at a second time (a fast path read them before finding their
/// line incomplete, and the machine reads them again).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Tally {
    #[cfg(test)]
    pub(super) examined: usize,
    #[cfg(test)]
    pub(super) relooked: usize,
}

impl Tally {
    #[inline(always)]
    pub(super) fn examined(&mut self, _bytes: usize) {
        #[cfg(test)]
        {
            self.examined += _bytes;
        }
    }

    /// The one case where a byte is looked at twice.
    #[inline(always)]
    pub(super) fn relooked(&mut self, _bytes: usize) {
        #[cfg(test)]
        {
            self.relooked += _bytes;
        }
    }
}
