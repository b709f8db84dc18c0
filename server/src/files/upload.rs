//! Where a `PUT` writes: a new or replaced file under the root, written under a temporary name
//! in the same directory and renamed over the target when complete, so that no reader ever
//! sees half a file and an interrupted upload leaves the old one in place.
//!
//! The rename is atomic because both names are in one directory (one file system); it
//! replaces a symbolic link at the target rather than writing through it, so an upload cannot
//! reach outside the root even where a link points out.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::path::{resolve, Refusal, Segments};

/// Tells the temporary names of one process apart.
static NEXT_UPLOAD: AtomicU64 = AtomicU64::new(0);

/// The file a `PUT` creates or replaces, and the temporary name it is written under first.
#[derive(Debug, PartialEq, Eq)]
pub struct UploadTarget {
    /// Where the file ends up: an existing directory under the root, joined with a plain name.
    pub path: PathBuf,
    /// `.upload-<pid>-<n>.tmp` in the same directory: unique within the process by its
    /// counter and across processes by the pid, and created with `create_new`, so an existing
    /// file is never reused.
    pub temp: PathBuf,
    /// Whether a file already exists at `path` (the answer is then 204, else 201,
    /// RFC 9110 §9.3.4).
    pub replaces: bool,
}

impl UploadTarget {
    /// Creates the temporary file, to be filled and then [`commit`](Self::commit)ted or
    /// [`abort`](Self::abort)ed.
    pub fn create_temp(&self) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.temp)
    }

    /// Renames the completed temporary file over the target.
    pub fn commit(&self) -> io::Result<()> {
        fs::rename(&self.temp, &self.path)
    }

    /// Removes the temporary file of an upload that did not complete.
    pub fn abort(&self) {
        // Nothing more can be done about a temporary file that will not go.
        let _ = fs::remove_file(&self.temp);
    }

    /// Writes `body` as the whole file: temporary file, write, rename; the temporary file is
    /// removed on any error. For bodies already in memory — until request bodies stream.
    pub fn write_all(&self, body: &[u8]) -> io::Result<()> {
        let written = self
            .create_temp()
            .and_then(|mut file| file.write_all(body).and_then(|()| file.sync_all()))
            .and_then(|()| self.commit());
        if written.is_err() {
            self.abort();
        }
        written
    }
}

/// The upload target for a checked path under the canonical `root`: the parent directory must
/// exist and lie under the root; the name must not be a directory.
pub(crate) fn target(root: &Path, segments: &Segments) -> Result<UploadTarget, Refusal> {
    let Some((name, parents)) = segments.names.split_last() else {
        return Err(Refusal::IsDirectory);
    };
    if segments.trailing_slash {
        return Err(Refusal::IsDirectory);
    }
    let dir = resolve(root, parents)?;
    if !fs::metadata(&dir)
        .map_err(|e| Refusal::from_io(&e))?
        .is_dir()
    {
        return Err(Refusal::NotFound);
    }
    let path = dir.join(name);
    // symlink_metadata: the target itself, not what a link there points to (the rename
    // replaces the link).
    let replaces = match fs::symlink_metadata(&path) {
        Ok(metadata) if metadata.is_dir() => return Err(Refusal::IsDirectory),
        Ok(_) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(Refusal::from_io(&e)),
    };
    let n = NEXT_UPLOAD.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".upload-{}-{n}.tmp", std::process::id()));
    Ok(UploadTarget {
        path,
        temp,
        replaces,
    })
}
