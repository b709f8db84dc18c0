//! `ServeDir` and its `plan`: what to answer a request for a path under the root, decided
//! from the method, the path and the request's fields, reading only metadata, links and
//! directory entries (no file content).

use std::borrow::Cow;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::beneath::{Dir, Kind, Node, Root};
use super::conditional::{evaluate, if_range_holds, Precondition, Validators};
use super::listing;
use super::mime::content_type;
use super::path::{is_hidden, segments, Refusal, Segments};
use super::range::{ask, ByteRange, RangeAsk};
use super::upload::{Quota, UploadTarget};

/// The largest upload the bundled binary accepts unless told otherwise (`--max-upload`):
/// 4 GiB. Uploads stream to disk (memory stays at a 64 KiB piece whatever their size), so the
/// limit is about disk, not memory: 4 GiB takes a DVD image, an hour of phone video, an
/// installer or a backup archive, and is the largest file FAT32 media hold (4 GiB - 1), a
/// ceiling people already know.
pub const DEFAULT_MAX_UPLOAD: u64 = 4 << 30;

/// The bytes all uploads may write while a directory is served, unless
/// [`ServeDir::upload_quota`] says otherwise: 16 GiB, four uploads of
/// [`DEFAULT_MAX_UPLOAD`], so that the default limit is not cut short by the default quota
/// while a client still cannot fill an unwatched disk.
pub const DEFAULT_UPLOAD_QUOTA: u64 = 16 << 30;

/// The most names a listing shows, unless [`ServeDir::listing_limit`] says otherwise.
pub const DEFAULT_LISTING_LIMIT: usize = 1000;

/// A directory served over HTTP: `GET` and `HEAD` of its files and listings, and `PUT` of new
/// files when uploads are on.
///
/// ```
/// use h1_server::files::{FilePlan, ServeDir};
///
/// let root = std::env::temp_dir().join(format!("serve-dir-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&root)?;
/// std::fs::write(root.join("hello.txt"), "hello")?;
/// let dir = ServeDir::new(&root)?;
///
/// let no_fields = |_: &str| None;
/// match dir.plan("GET", "/hello.txt", no_fields) {
///     FilePlan::File(file) => assert_eq!((file.status(), file.len), (200, 5)),
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(dir.plan("GET", "/%2e%2e/etc/passwd", no_fields).status(), 400);
/// assert_eq!(dir.plan("PUT", "/new.txt", no_fields).status(), 405);
/// # std::fs::remove_dir_all(&root)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ServeDir {
    root: Arc<Root>,
    prefix: String,
    max_upload: Option<u64>,
    // Shared by the clones a server makes of the handler, so the quota is the directory's.
    quota: Arc<Quota>,
    dotfiles: bool,
    listing_limit: usize,
}

/// What to answer, as [`ServeDir::plan`] decided it.
#[derive(Debug)]
#[non_exhaustive]
pub enum FilePlan {
    /// 200 or 206: (part of) a regular file.
    File(FileAnswer),
    /// 304: the client's copy is current; the head carries the validators, no body.
    NotModified(Validators),
    /// 416 with `Content-Range: bytes */len` (RFC 9110 §15.5.17).
    RangeNotSatisfiable {
        /// The file's length.
        len: u64,
    },
    /// 412: an `If-Match` or `If-Unmodified-Since` (or a `PUT`'s `If-None-Match`) failed.
    PreconditionFailed,
    /// 200: the HTML listing of a directory that has no `index.html`, at most
    /// [`ServeDir::listing_limit`] names.
    Listing(String),
    /// 301 to the directory's path with its trailing slash (the value of `Location`): always
    /// a path on this host, starting with exactly one `/`.
    Redirect(String),
    /// The path was refused (or is hidden); [`Refusal::status`] says with what.
    Refused(Refusal),
    /// 405, with the value of `Allow`.
    MethodNotAllowed {
        /// The methods the directory answers.
        allow: &'static str,
    },
    /// A `PUT` that may go ahead: write the body to the target.
    Upload(UploadTarget),
}

/// A file to send, whole (200) or one range of it (206).
#[derive(Debug)]
pub struct FileAnswer {
    /// The file, opened beneath the root when the request was planned: what is sent is what
    /// was checked, whatever happens to its path meanwhile.
    pub file: File,
    /// The path asked for, joined onto the root (links in it not resolved; for messages).
    pub path: PathBuf,
    /// The file's whole length (as in `Content-Range: bytes a-b/len`).
    pub len: u64,
    /// The range to send (206), or `None` for all of it (200).
    pub range: Option<ByteRange>,
    /// The `Content-Type` value.
    pub content_type: Cow<'static, str>,
    /// `ETag` and `Last-Modified`.
    pub validators: Validators,
}

impl FileAnswer {
    /// 206 with a range, 200 without.
    pub fn status(&self) -> u16 {
        if self.range.is_some() {
            206
        } else {
            200
        }
    }

    /// The number of bytes of the body.
    pub fn body_len(&self) -> u64 {
        self.range.map_or(self.len, |range| range.len())
    }
}

impl FilePlan {
    /// The status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            FilePlan::File(file) => file.status(),
            FilePlan::NotModified(_) => 304,
            FilePlan::RangeNotSatisfiable { .. } => 416,
            FilePlan::PreconditionFailed => 412,
            FilePlan::Listing(_) => 200,
            FilePlan::Redirect(_) => 301,
            FilePlan::Refused(refusal) => refusal.status(),
            FilePlan::MethodNotAllowed { .. } => 405,
            FilePlan::Upload(upload) => {
                if upload.replaces {
                    204
                } else {
                    201
                }
            }
        }
    }
}

impl ServeDir {
    /// Serves the directory `root` (resolved and opened now, links included) at `/`, uploads
    /// off, dotfiles hidden.
    pub fn new(root: impl AsRef<Path>) -> io::Result<ServeDir> {
        Ok(ServeDir {
            root: Arc::new(Root::new(root.as_ref())?),
            prefix: String::new(),
            max_upload: None,
            quota: Arc::new(Quota::new(DEFAULT_UPLOAD_QUOTA)),
            dotfiles: false,
            listing_limit: DEFAULT_LISTING_LIMIT,
        })
    }

    /// Serves the directory at `prefix` (e.g. `/static`) instead of `/`: a path elsewhere is
    /// 404, and `/static` itself redirects to `/static/`.
    pub fn at(mut self, prefix: &str) -> ServeDir {
        self.prefix = prefix.trim_end_matches('/').to_owned();
        self
    }

    /// Accepts `PUT` of files up to `max_bytes` (413 past it); without it `PUT` gets 405. The
    /// body is copied to disk as it arrives ([`UploadTarget::write_from`]), so `max_bytes`
    /// bounds disk use, not memory ([`DEFAULT_MAX_UPLOAD`] is the binary's default). As a
    /// [`Handler`](crate::Handler), uploads run on the handler pool with this as the route's
    /// body limit, whatever the server's in-memory limit is.
    pub fn uploads(mut self, max_bytes: u64) -> ServeDir {
        self.max_upload = Some(max_bytes);
        self
    }

    /// The bytes all uploads together may write while the directory is served (413 past it;
    /// replacing a file counts its new bytes); [`DEFAULT_UPLOAD_QUOTA`] unless set.
    pub fn upload_quota(mut self, total_bytes: u64) -> ServeDir {
        self.quota = Arc::new(Quota::new(total_bytes));
        self
    }

    /// Serves (and with uploads, accepts) names starting with `.`: `.env`, `.git/`. Off by
    /// default: they are answered 404 and left out of listings. Temporary upload names stay
    /// hidden either way.
    pub fn dotfiles(mut self, serve: bool) -> ServeDir {
        self.dotfiles = serve;
        self
    }

    /// The most names a listing shows (the first in byte order; a last line says how many
    /// more there are); [`DEFAULT_LISTING_LIMIT`] unless set.
    pub fn listing_limit(mut self, names: usize) -> ServeDir {
        self.listing_limit = names;
        self
    }

    /// The upload limit, when uploads are on.
    pub fn max_upload(&self) -> Option<u64> {
        self.max_upload
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Decides the answer to `method` on `path` (the raw path of the target, without its
    /// query, as [`crate::Request::path`] gives it), `header` looking up the request's fields
    /// by name (case-insensitive).
    pub fn plan<'h>(
        &self,
        method: &str,
        path: &str,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> FilePlan {
        let allow = if self.max_upload.is_some() {
            "GET, HEAD, PUT"
        } else {
            "GET, HEAD"
        };
        let is_put = method == "PUT" && self.max_upload.is_some();
        if method != "GET" && method != "HEAD" && !is_put {
            return FilePlan::MethodNotAllowed { allow };
        }
        let Some(rest) = self.below_prefix(path) else {
            return FilePlan::Refused(Refusal::NotUnderPrefix);
        };
        let segments = match segments(rest) {
            Ok(segments) => segments,
            Err(refusal) => return FilePlan::Refused(refusal),
        };
        if segments
            .names
            .iter()
            .any(|name| is_hidden(name, self.dotfiles))
        {
            return FilePlan::Refused(Refusal::Hidden);
        }
        let answer = if is_put {
            self.plan_put(&segments, header)
        } else {
            self.plan_get(method == "GET", rest, &segments, header)
        };
        answer.unwrap_or_else(FilePlan::Refused)
    }

    /// The path below the prefix: `""` or starting with `/`.
    fn below_prefix<'p>(&self, path: &'p str) -> Option<&'p str> {
        let rest = path.strip_prefix(self.prefix.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }

    fn plan_get<'h>(
        &self,
        is_get: bool,
        rest: &str,
        segments: &Segments,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> Result<FilePlan, Refusal> {
        match self.root.open(&segments.names)? {
            Node::Dir(dir) => {
                if !segments.trailing_slash {
                    return Ok(FilePlan::Redirect(self.location(rest)));
                }
                self.plan_directory(is_get, &dir, segments, header)
            }
            // A file asked for as a directory (`/a.txt/`) is not there, as on the file system.
            Node::File(..) if segments.trailing_slash => Err(Refusal::NotFound),
            Node::File(file, metadata) => Ok(plan_file(
                is_get,
                file,
                self.joined(&segments.names),
                &metadata,
                header,
            )),
            Node::Other => Err(Refusal::NotFound),
        }
    }

    /// The directory's own path with its slash, built from the raw segments: `//host` as a
    /// path would read as another host in a `Location` (RFC 3986 §4.2), so empty segments are
    /// dropped and the value starts with exactly one `/`.
    fn location(&self, rest: &str) -> String {
        let mut location = String::from("/");
        location.push_str(self.prefix.trim_start_matches('/'));
        for part in rest.split('/').filter(|part| !part.is_empty()) {
            if !location.ends_with('/') {
                location.push('/');
            }
            location.push_str(part);
        }
        if !location.ends_with('/') {
            location.push('/');
        }
        location
    }

    fn joined(&self, names: &[String]) -> PathBuf {
        let mut path = self.root.path().to_path_buf();
        path.extend(names);
        path
    }

    /// `index.html` when the directory has one as a regular file under the root, else the
    /// listing.
    fn plan_directory<'h>(
        &self,
        is_get: bool,
        dir: &Dir,
        segments: &Segments,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> Result<FilePlan, Refusal> {
        let mut index_names = segments.names.clone();
        index_names.push("index.html".to_owned());
        if let Ok(Node::File(file, metadata)) = self.root.open(&index_names) {
            let path = self.joined(&index_names);
            return Ok(plan_file(is_get, file, path, &metadata, header));
        }
        let (entries, more) = listing::entries(dir, self.listing_limit, self.dotfiles)
            .map_err(|e| Refusal::from_io(&e))?;
        let mut shown = self.prefix.clone();
        for name in &segments.names {
            shown.push('/');
            shown.push_str(name);
        }
        shown.push('/');
        let at_root = segments.names.is_empty();
        Ok(FilePlan::Listing(listing::html(
            &shown, &entries, at_root, more,
        )))
    }

    fn plan_put<'h>(
        &self,
        segments: &Segments,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> Result<FilePlan, Refusal> {
        let max = self.max_upload.unwrap_or(0);
        // RFC 9110 §15.5.14: 413 as soon as the length is known to be too large.
        let declared = header("content-length")
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > max) {
            return Err(Refusal::TooLarge);
        }
        let Some((name, parents)) = segments.names.split_last() else {
            return Err(Refusal::IsDirectory);
        };
        if segments.trailing_slash {
            return Err(Refusal::IsDirectory);
        }
        let Node::Dir(dir) = self.root.open(parents)? else {
            return Err(Refusal::NotFound);
        };
        // The name itself, not what a link there points to (the upload replaces the link).
        let replaces = match dir.entry_kind(name) {
            Ok(Some(Kind::Dir)) => return Err(Refusal::IsDirectory),
            Ok(found) => found.is_some(),
            Err(e) => return Err(Refusal::from_io(&e)),
        };
        let current = match self.root.open(&segments.names) {
            Ok(Node::File(_, metadata)) => Some(Validators::of(&metadata, SystemTime::now())),
            _ => None,
        };
        // RFC 9110 §13.2.2 for a state-changing method: a failed condition is 412.
        if evaluate(&header, current.as_ref(), false) != Precondition::Proceed {
            return Ok(FilePlan::PreconditionFailed);
        }
        // Checked here against the name as it was; the write checks again, atomically.
        let create_only = header("if-none-match").is_some_and(|v| v.trim_ascii() == b"*");
        Ok(FilePlan::Upload(UploadTarget {
            path: self.joined(&segments.names),
            replaces,
            create_only,
            max_len: max,
            declared,
            dir,
            name: name.clone(),
            quota: Arc::clone(&self.quota),
        }))
    }
}

/// The answer for a regular file: preconditions, then `Range` (GET only).
fn plan_file<'h>(
    is_get: bool,
    file: File,
    path: PathBuf,
    metadata: &fs::Metadata,
    header: impl Fn(&str) -> Option<&'h [u8]>,
) -> FilePlan {
    let validators = Validators::of(metadata, SystemTime::now());
    match evaluate(&header, Some(&validators), true) {
        Precondition::NotModified => return FilePlan::NotModified(validators),
        Precondition::Failed => return FilePlan::PreconditionFailed,
        Precondition::Proceed => {}
    }
    let len = metadata.len();
    // RFC 9110 §14.2: range handling is defined for GET only. §13.1.5: an If-Range that no
    // longer holds means the whole representation.
    let range_value = header("range")
        .filter(|_| is_get)
        .filter(|_| header("if-range").map_or(true, |value| if_range_holds(value, &validators)));
    let range = match range_value.map(|value| ask(value, len)) {
        None | Some(RangeAsk::Whole) => None,
        Some(RangeAsk::Part(range)) => Some(range),
        Some(RangeAsk::Unsatisfiable) => return FilePlan::RangeNotSatisfiable { len },
    };
    FilePlan::File(FileAnswer {
        content_type: content_type(&path),
        file,
        path,
        len,
        range,
        validators,
    })
}
