//! Where a `PUT` writes: a new or replaced file under the root, written under a temporary name
//! in the same directory and then given its name, so that no reader ever sees half a file and
//! an interrupted upload leaves the old one in place.
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

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::beneath::Dir;
use super::path::TEMP_PREFIX;

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
    /// The file system failed: 500.
    Io(io::Error),
}

impl UploadError {
    /// The status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            UploadError::Exists => 412,
            UploadError::QuotaExceeded => 413,
            UploadError::Io(_) => 500,
        }
    }
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadError::Exists => f.write_str("the file exists (If-None-Match: *)"),
            UploadError::QuotaExceeded => f.write_str("the upload quota is used up"),
            UploadError::Io(error) => write!(f, "cannot write the file: {error}"),
        }
    }
}

impl std::error::Error for UploadError {}

impl UploadTarget {
    /// Writes `body` as the whole file: a temporary file, written and synced, then named;
    /// the temporary file is removed whatever happens.
    pub fn write_all(&self, body: &[u8]) -> Result<Written, UploadError> {
        let len = body.len() as u64;
        if !self.quota.take(len) {
            return Err(UploadError::QuotaExceeded);
        }
        let temp = temp_name().map_err(UploadError::Io)?;
        let written = self
            .dir
            .create_new(&temp)
            .and_then(|mut file| file.write_all(body).and_then(|()| file.sync_all()))
            .map_err(UploadError::Io)
            .and_then(|()| self.name_it(&temp));
        // Linked or renamed or failed: the temporary name is not needed in any case (after
        // a rename it is gone already, and the error is expected).
        let _ = self.dir.remove(&temp);
        if written.is_err() {
            self.quota.give_back(len);
        }
        written
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
