//! Where a `PUT` writes: a new or replaced file under the root, written under a temporary name
//! in the same directory and then given its name, so that no reader ever sees half a file and
//! an interrupted upload leaves the old one in place.
//!
//! The body is copied to the temporary file as it arrives, a piece of [`PIECE`] bytes at a
//! time, so an upload costs the server that much memory whatever its size. The temporary
//! file is removed whatever stops the copy: the client going away, the body breaking the
//! limit, the quota or a rule, a full disk, a panic.
//!
//! The directory is the one opened beneath the root when the request was planned
//! (`beneath.rs`): every later step (create, link, rename, remove) is relative to that open
//! directory, so swapping a component of the path for a link cannot move the upload out of
//! the root. The temporary name is 128 random bits and starts with [`TEMP_PREFIX`], a name
//! requests are refused (`path.rs`), so a client can neither guess it nor take it first.
//!
//! The name is given by `link` first, which fails when the name is taken: a creation is
//! atomic, and of several `If-None-Match: *` uploads to one new name exactly one wins (the
//! others get 412, the winner's bytes stay). Otherwise a taken name is replaced by `rename`,
//! which replaces a link there rather than writing through it.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::beneath::Dir;
use super::path::TEMP_PREFIX;

/// The most body bytes an upload holds in memory: read from the body, then written at once.
const PIECE: usize = 64 * 1024;

/// The bytes all uploads may write while the directory is served.
#[derive(Debug)]
pub(crate) struct Quota {
    limit: u64,
    used: AtomicU64,
}

impl Quota {
    pub(crate) fn new(limit: u64) -> Quota {
        Quota {
            limit,
            used: AtomicU64::new(0),
        }
    }

    /// Takes `len` bytes of the quota, or nothing when fewer are left.
    fn take(&self, len: u64) -> bool {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(len).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    fn give_back(&self, len: u64) {
        self.used.fetch_sub(len, Ordering::SeqCst);
    }
}

/// Bytes of a [`Quota`] taken by one upload: given back on drop unless kept.
struct Taken<'q> {
    quota: &'q Quota,
    len: u64,
}

impl<'q> Taken<'q> {
    fn none(quota: &'q Quota) -> Taken<'q> {
        Taken { quota, len: 0 }
    }

    /// Makes the bytes taken at least `total`; false when the quota has not that many left.
    fn at_least(&mut self, total: u64) -> bool {
        let more = total.saturating_sub(self.len);
        if more == 0 {
            return true;
        }
        if !self.quota.take(more) {
            return false;
        }
        self.len = total;
        true
    }

    /// Keeps `written` bytes taken for good, and gives back the rest.
    fn keep(mut self, written: u64) {
        self.quota.give_back(self.len.saturating_sub(written));
        self.len = 0;
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        self.quota.give_back(self.len);
    }
}

/// A temporary upload name in the target's directory: removed on drop (after a `rename` it
/// is gone already, and the error is expected).
struct Temporary<'d> {
    dir: &'d Dir,
    name: String,
}

impl Drop for Temporary<'_> {
    fn drop(&mut self) {
        let _ = self.dir.remove(&self.name);
    }
}

/// The file a `PUT` creates or replaces.
#[derive(Debug)]
pub struct UploadTarget {
    /// Where the file ends up (for messages and logs; the writes go through the directory
    /// opened when the request was planned, not through this path).
    pub path: PathBuf,
    /// Whether a file existed at `path` when the request was planned (the answer is then 204,
    /// else 201, RFC 9110 §9.3.4); [`write_all`](Self::write_all) says what happened in the
    /// end.
    pub replaces: bool,
    /// `If-None-Match: *`: create the file, never replace one (RFC 9110 §13.1.2).
    pub create_only: bool,
    /// The largest body written (the directory's upload limit): a longer one is 413.
    pub max_len: u64,
    /// The body's length as the request declared it (`Content-Length`), taken from the quota
    /// before a byte is read.
    pub(crate) declared: Option<u64>,
    pub(crate) dir: Dir,
    pub(crate) name: String,
    pub(crate) quota: Arc<Quota>,
}

/// What [`UploadTarget::write_all`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The name was new: 201.
    Created,
    /// A file by that name was replaced: 204.
    Replaced,
}

/// Why an upload was not written.
#[derive(Debug)]
#[non_exhaustive]
pub enum UploadError {
    /// `If-None-Match: *` and the name was taken first: 412.
    Exists,
    /// The uploads' total quota would be passed: 413.
    QuotaExceeded,
    /// The body is longer than the upload limit ([`UploadTarget::max_len`]): 413.
    TooLarge,
    /// The request body could not be read: the client went away, or the body broke a rule
    /// or the route's limit or came too slowly. 400 here; the server answers such a request
    /// itself when it can (400, 408, 413), whatever the handler set.
    Body(io::Error),
    /// The file system failed: 500.
    Io(io::Error),
}

impl UploadError {
    /// The status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            UploadError::Exists => 412,
            UploadError::QuotaExceeded | UploadError::TooLarge => 413,
            UploadError::Body(_) => 400,
            UploadError::Io(_) => 500,
        }
    }
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadError::Exists => f.write_str("the file exists (If-None-Match: *)"),
            UploadError::QuotaExceeded => f.write_str("the upload quota is used up"),
            UploadError::TooLarge => f.write_str("the upload is larger than the limit"),
            UploadError::Body(error) => write!(f, "cannot read the request body: {error}"),
            UploadError::Io(error) => write!(f, "cannot write the file: {error}"),
        }
    }
}

impl std::error::Error for UploadError {}

impl UploadTarget {
    /// Writes `body` as the whole file: see [`write_from`](Self::write_from).
    pub fn write_all(&self, body: &[u8]) -> Result<Written, UploadError> {
        self.write(body, Some(body.len() as u64))
    }

    /// Copies `body` (e.g. [`Request::body_reader`](crate::Request::body_reader)) to a
    /// temporary file as it is read, 64 KiB at most held at once, syncs it, then gives
    /// it its name. A declared `Content-Length` past the quota is refused before a byte is
    /// read; otherwise the quota is taken as the bytes come. Whatever stops the copy (the
    /// reader's error, the limit, the quota, the file system, a panic), the temporary file
    /// is removed and the quota given back.
    pub fn write_from(&self, body: impl Read) -> Result<Written, UploadError> {
        self.write(body, self.declared)
    }

    fn write(&self, mut body: impl Read, expected: Option<u64>) -> Result<Written, UploadError> {
        let mut taken = Taken::none(&self.quota);
        if let Some(len) = expected {
            if len > self.max_len {
                return Err(UploadError::TooLarge);
            }
            if !taken.at_least(len) {
                return Err(UploadError::QuotaExceeded);
            }
        }
        let name = temp_name().map_err(UploadError::Io)?;
        let mut file = self.dir.create_new(&name).map_err(UploadError::Io)?;
        // Created by this upload (`create_new`): from here on it is removed whatever happens.
        let temp = Temporary {
            dir: &self.dir,
            name,
        };
        let mut piece = vec![0u8; PIECE];
        let mut written = 0u64;
        loop {
            let n = fill(&mut body, &mut piece).map_err(UploadError::Body)?;
            if n == 0 {
                break;
            }
            written += n as u64;
            if written > self.max_len {
                return Err(UploadError::TooLarge);
            }
            if !taken.at_least(written) {
                return Err(UploadError::QuotaExceeded);
            }
            file.write_all(&piece[..n]).map_err(UploadError::Io)?;
        }
        file.sync_all().map_err(UploadError::Io)?;
        drop(file);
        let named = self.name_it(&temp.name)?;
        taken.keep(written);
        Ok(named)
    }

    fn name_it(&self, temp: &str) -> Result<Written, UploadError> {
        match self.dir.link_new(temp, &self.name) {
            Ok(()) => Ok(Written::Created),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if self.create_only {
                    return Err(UploadError::Exists);
                }
                self.dir.rename(temp, &self.name).map_err(UploadError::Io)?;
                Ok(Written::Replaced)
            }
            // No hard links on this file system (FAT, some network mounts): a creation can
            // then not be told from a replacement atomically, so `If-None-Match: *` fails
            // rather than risk replacing a file it promised not to.
            Err(e) if self.create_only => Err(UploadError::Io(e)),
            Err(_) => {
                self.dir.rename(temp, &self.name).map_err(UploadError::Io)?;
                Ok(if self.replaces {
                    Written::Replaced
                } else {
                    Written::Created
                })
            }
        }
    }
}

/// Reads `body` until `piece` is full or the body ends: the bytes read (0: the end).
fn fill(body: &mut impl Read, piece: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < piece.len() {
        match body.read(&mut piece[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// `.h1-upload-<32 hex digits>.tmp`: 128 bits from the OS's random source.
fn temp_name() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    let mut name = String::with_capacity(TEMP_PREFIX.len() + 36);
    name.push_str(TEMP_PREFIX);
    for b in bytes {
        name.push_str(&format!("{b:02x}"));
    }
    name.push_str(".tmp");
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_differ_and_carry_the_refused_prefix() {
        let a = temp_name().unwrap();
        let b = temp_name().unwrap();
        assert_ne!(a, b);
        assert!(
            a.starts_with(TEMP_PREFIX) && a.len() == TEMP_PREFIX.len() + 36,
            "{a}"
        );
    }

    #[test]
    fn the_quota_is_taken_whole_or_not_at_all() {
        let quota = Quota::new(10);
        assert!(quota.take(6));
        assert!(!quota.take(5));
        assert!(quota.take(4));
        quota.give_back(4);
        assert!(quota.take(4));
        assert!(!quota.take(1));
    }
}
