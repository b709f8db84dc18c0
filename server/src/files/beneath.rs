//! Names opened beneath the root, so that no component of a path can lead out of it: the
//! check and the open are one step, taken by the kernel, and what was opened is what is
//! served, listed or written into.
//!
//! - **Linux**: `openat2(root, path, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`. Symbolic links
//!   are followed while they stay under the root; one that leads out fails the open (`EXDEV`,
//!   answered 403), whichever component it is and whenever it was swapped in.
//! - **Linux without `openat2`** (before 5.6, or a seccomp filter refusing it) **and the other
//!   unixes**: one `openat(dir, name, O_NOFOLLOW)` per component from the root's descriptor.
//!   No symbolic link is followed at all (403), in the root or out of it: stricter, as safe.
//! - **Windows**: best effort. The path is resolved (`canonicalize`), checked to lie under the
//!   root, then opened by name: someone who can create links or junctions inside the root
//!   while it is served can race the check. Uploads write into the directory by name too.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::path::Refusal;

/// The served directory: its canonical path, and (on unix) a descriptor every open starts
/// from, so that renaming the root's parents changes nothing.
#[derive(Debug)]
pub(crate) struct Root {
    path: PathBuf,
    // Windows opens by path (the module's notes), so holds no handle.
    #[cfg(unix)]
    dir: Dir,
}

/// A directory opened beneath the root: listed, or written into by an upload.
#[derive(Debug)]
pub(crate) struct Dir {
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
    #[cfg(not(unix))]
    path: PathBuf,
}

/// What a path names once opened.
#[derive(Debug)]
pub(crate) enum Node {
    /// A regular file, and its metadata as opened.
    File(File, fs::Metadata),
    /// A directory.
    Dir(Dir),
    /// A FIFO, a socket, a device: never served (reading one could block or never end).
    Other,
}

/// An entry's kind as the directory listing knows it without following it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Dir,
    NotDir,
    /// A symbolic link, or a file system that does not say: ask [`Dir::is_dir`].
    Unknown,
}

impl Root {
    /// Opens `path` (resolved now, links included) as the root.
    pub fn new(path: &Path) -> io::Result<Root> {
        let path = path.canonicalize()?;
        if !fs::metadata(&path)?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a directory",
            ));
        }
        #[cfg(unix)]
        {
            use rustix::fs::{openat, Mode, OFlags, CWD};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let dir = Dir {
                fd: openat(CWD, &path, flags, Mode::empty())?,
            };
            Ok(Root { path, dir })
        }
        #[cfg(not(unix))]
        Ok(Root { path })
    }

    /// The canonical path of the root.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens what `names` lead to from the root, never leaving it.
    pub fn open(&self, names: &[String]) -> Result<Node, Refusal> {
        #[cfg(unix)]
        {
            let fd = unix::open_beneath(&self.dir.fd, names)?;
            let file = File::from(fd);
            let metadata = file.metadata().map_err(|e| Refusal::from_io(&e))?;
            Ok(if metadata.is_dir() {
                Dir {
                    fd: std::os::fd::OwnedFd::from(file),
                }
                .into_node()
            } else if metadata.is_file() {
                Node::File(file, metadata)
            } else {
                Node::Other
            })
        }
        #[cfg(not(unix))]
        {
            let mut joined = self.path.clone();
            joined.extend(names);
            let found = joined.canonicalize().map_err(|e| Refusal::from_io(&e))?;
            if !found.starts_with(&self.path) {
                return Err(Refusal::OutsideRoot);
            }
            let metadata = fs::metadata(&found).map_err(|e| Refusal::from_io(&e))?;
            if metadata.is_dir() {
                return Ok(Dir { path: found }.into_node());
            }
            if !metadata.is_file() {
                return Ok(Node::Other);
            }
            let file = File::open(&found).map_err(|e| Refusal::from_io(&e))?;
            Ok(Node::File(file, metadata))
        }
    }
}

impl Dir {
    fn into_node(self) -> Node {
        Node::Dir(self)
    }

    /// Calls `each` with every entry's name that is UTF-8 (others could not be asked for)
    /// and its kind, in the order the file system gives them.
    pub fn for_each_entry(&self, mut each: impl FnMut(&str, Kind)) -> io::Result<()> {
        #[cfg(unix)]
        {
            use rustix::fs::FileType;
            for entry in rustix::fs::Dir::read_from(&self.fd)? {
                let entry = entry?;
                let Ok(name) = entry.file_name().to_str() else {
                    continue;
                };
                if name == "." || name == ".." {
                    continue;
                }
                let kind = match entry.file_type() {
                    FileType::Directory => Kind::Dir,
                    FileType::Symlink | FileType::Unknown => Kind::Unknown,
                    _ => Kind::NotDir,
                };
                each(name, kind);
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            for entry in fs::read_dir(&self.path)? {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let kind = match entry.file_type() {
                    Ok(t) if t.is_dir() => Kind::Dir,
                    Ok(t) if t.is_file() => Kind::NotDir,
                    _ => Kind::Unknown,
                };
                each(&name, kind);
            }
            Ok(())
        }
    }

    /// Whether `name` is a directory, a link followed (a broken link is not).
    pub fn is_dir(&self, name: &str) -> bool {
        #[cfg(unix)]
        {
            use rustix::fs::{statat, AtFlags, FileType};
            statat(&self.fd, name, AtFlags::empty())
                .is_ok_and(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::Directory)
        }
        #[cfg(not(unix))]
        {
            fs::metadata(self.path.join(name)).is_ok_and(|m| m.is_dir())
        }
    }

    /// What is at `name` itself (a link is not followed): `None` when nothing is.
    pub fn entry_kind(&self, name: &str) -> io::Result<Option<Kind>> {
        #[cfg(unix)]
        let found = {
            use rustix::fs::{statat, AtFlags, FileType};
            statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
                .map(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::Directory)
                .map_err(io::Error::from)
        };
        #[cfg(not(unix))]
        let found = fs::symlink_metadata(self.path.join(name)).map(|m| m.is_dir());
        match found {
            Ok(true) => Ok(Some(Kind::Dir)),
            Ok(false) => Ok(Some(Kind::NotDir)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates `name` for writing; fails if anything (a link included) is there.
    pub fn create_new(&self, name: &str) -> io::Result<File> {
        #[cfg(unix)]
        {
            use rustix::fs::{openat, Mode, OFlags};
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            Ok(File::from(openat(
                &self.fd,
                name,
                flags,
                Mode::from_bits_truncate(0o644),
            )?))
        }
        #[cfg(not(unix))]
        {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path.join(name))
        }
    }

    /// Gives the file `from` the name `to` too, failing with `AlreadyExists` when `to` is
    /// taken: the one way to create a name that two writers cannot both believe they created.
    pub fn link_new(&self, from: &str, to: &str) -> io::Result<()> {
        #[cfg(unix)]
        {
            use rustix::fs::{linkat, AtFlags};
            Ok(linkat(&self.fd, from, &self.fd, to, AtFlags::empty())?)
        }
        #[cfg(not(unix))]
        {
            fs::hard_link(self.path.join(from), self.path.join(to))
        }
    }

    /// Renames `from` over `to`, replacing what is there (a link itself, not its target).
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        #[cfg(unix)]
        {
            Ok(rustix::fs::renameat(&self.fd, from, &self.fd, to)?)
        }
        #[cfg(not(unix))]
        {
            fs::rename(self.path.join(from), self.path.join(to))
        }
    }

    /// Removes the file `name`.
    pub fn remove(&self, name: &str) -> io::Result<()> {
        #[cfg(unix)]
        {
            use rustix::fs::{unlinkat, AtFlags};
            Ok(unlinkat(&self.fd, name, AtFlags::empty())?)
        }
        #[cfg(not(unix))]
        {
            fs::remove_file(self.path.join(name))
        }
    }
}

#[cfg(unix)]
mod unix {
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
    #[cfg(target_os = "linux")]
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{openat, Mode, OFlags};
    use rustix::io::Errno;

    use super::Refusal;

    /// Read-only, and non-blocking so that opening a FIFO someone placed in the root returns
    /// at once (it is then refused by its type); reads of regular files ignore the flag.
    fn read_flags() -> OFlags {
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK
    }

    /// Set once `openat2` turned out to be missing or forbidden, to stop asking.
    #[cfg(target_os = "linux")]
    static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

    pub(super) fn open_beneath(root: &OwnedFd, names: &[String]) -> Result<OwnedFd, Refusal> {
        #[cfg(target_os = "linux")]
        if !NO_OPENAT2.load(Ordering::Relaxed) {
            match openat2_beneath(root, names) {
                Err(Errno::NOSYS | Errno::PERM) => NO_OPENAT2.store(true, Ordering::Relaxed),
                found => return found.map_err(refusal),
            }
        }
        walk_no_follow(root, names)
    }

    #[cfg(target_os = "linux")]
    fn openat2_beneath(root: &OwnedFd, names: &[String]) -> Result<OwnedFd, Errno> {
        use rustix::fs::{openat2, ResolveFlags};
        let path = if names.is_empty() {
            ".".to_owned()
        } else {
            names.join("/")
        };
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        // EAGAIN: a rename elsewhere raced a `..` inside a link's target; the kernel asks
        // for a retry rather than risk a wrong answer. A few, then give up.
        let mut tries = 0;
        loop {
            match openat2(root, &path, read_flags(), Mode::empty(), resolve) {
                Err(Errno::AGAIN) if tries < 8 => tries += 1,
                found => return found,
            }
        }
    }

    /// One component at a time, none of them followed if it is a link.
    pub(super) fn walk_no_follow(root: &OwnedFd, names: &[String]) -> Result<OwnedFd, Refusal> {
        let Some((last, parents)) = names.split_last() else {
            return openat(root, ".", read_flags(), Mode::empty()).map_err(refusal);
        };
        let mut held: Option<OwnedFd> = None;
        for name in parents {
            let at: BorrowedFd<'_> = held.as_ref().unwrap_or(root).as_fd();
            // Not O_DIRECTORY: with it Linux reports a link as ENOTDIR, not ELOOP; a file
            // here fails the next step's openat with ENOTDIR anyway.
            let flags = read_flags() | OFlags::NOFOLLOW;
            held = Some(openat(at, name.as_str(), flags, Mode::empty()).map_err(refusal)?);
        }
        let at: BorrowedFd<'_> = held.as_ref().unwrap_or(root).as_fd();
        openat(
            at,
            last.as_str(),
            read_flags() | OFlags::NOFOLLOW,
            Mode::empty(),
        )
        .map_err(refusal)
    }

    /// `EXDEV` is `RESOLVE_BENEATH` refusing a way out; `ELOOP` (`EMLINK` on FreeBSD) is
    /// `O_NOFOLLOW` meeting a link, refused the same way. The rest is as the file system says.
    fn refusal(errno: Errno) -> Refusal {
        match errno {
            Errno::XDEV | Errno::LOOP | Errno::MLINK => Refusal::OutsideRoot,
            errno => Refusal::from_io(&std::io::Error::from(errno)),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::io::Read;

        #[test]
        fn the_fallback_walk_opens_plain_names_and_refuses_every_link() {
            let top = std::env::temp_dir().join(format!("h1-walk-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&top);
            std::fs::create_dir_all(top.join("a")).unwrap();
            std::fs::write(top.join("a/f"), "in").unwrap();
            std::os::unix::fs::symlink("f", top.join("a/link")).unwrap();
            std::os::unix::fs::symlink("a", top.join("dirlink")).unwrap();
            let root = openat(rustix::fs::CWD, &top, OFlags::RDONLY, Mode::empty()).unwrap();
            let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
            let mut text = String::new();
            std::fs::File::from(walk_no_follow(&root, &names(&["a", "f"])).unwrap())
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, "in");
            for path in [&["a", "link"][..], &["dirlink", "f"]] {
                let found = walk_no_follow(&root, &names(path));
                assert_eq!(found.err(), Some(Refusal::OutsideRoot), "{path:?}");
            }
            assert_eq!(
                walk_no_follow(&root, &names(&["a", "none"])).err(),
                Some(Refusal::NotFound)
            );
            let _ = std::fs::remove_dir_all(&top);
        }
    }
}
