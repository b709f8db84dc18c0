//! `ServeDir` and its `plan`: what to answer a request for a path under the root, decided
//! from the method, the path and the request's fields, reading only metadata, links and
//! directory entries (no file content).

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::conditional::{evaluate, if_range_holds, Precondition, Validators};
use super::listing;
use super::mime::content_type;
use super::path::{resolve, segments, Refusal, Segments};
use super::range::{ask, ByteRange, RangeAsk};
use super::upload::{target, UploadTarget};

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
    root: PathBuf,
    prefix: String,
    max_upload: Option<u64>,
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
    /// 200: the HTML listing of a directory that has no `index.html`.
    Listing(String),
    /// 301 to the directory's path with its trailing slash (the value of `Location`).
    Redirect(String),
    /// The path was refused; [`Refusal::status`] says with what.
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
    /// The canonical path of the file, under the root.
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
    /// Serves the directory `root` (resolved now, links included) at `/`, uploads off.
    pub fn new(root: impl AsRef<Path>) -> io::Result<ServeDir> {
        let root = root.as_ref().canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a directory",
            ));
        }
        Ok(ServeDir {
            root,
            prefix: String::new(),
            max_upload: None,
        })
    }

    /// Serves the directory at `prefix` (e.g. `/static`) instead of `/`: a path elsewhere is
    /// 404, and `/static` itself redirects to `/static/`.
    pub fn at(mut self, prefix: &str) -> ServeDir {
        self.prefix = prefix.trim_end_matches('/').to_owned();
        self
    }

    /// Accepts `PUT` of files up to `max_bytes` (413 past it); without it `PUT` gets 405.
    pub fn uploads(mut self, max_bytes: u64) -> ServeDir {
        self.max_upload = Some(max_bytes);
        self
    }

    /// The upload limit, when uploads are on.
    pub fn max_upload(&self) -> Option<u64> {
        self.max_upload
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
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
        let answer = if is_put {
            self.plan_put(&segments, header)
        } else {
            self.plan_get(method == "GET", path, &segments, header)
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
        path: &str,
        segments: &Segments,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> Result<FilePlan, Refusal> {
        let found = resolve(&self.root, &segments.names)?;
        let metadata = fs::metadata(&found).map_err(|e| Refusal::from_io(&e))?;
        if metadata.is_dir() {
            if !segments.trailing_slash {
                return Ok(FilePlan::Redirect(format!("{path}/")));
            }
            return self.plan_directory(is_get, found, segments, header);
        }
        // A file asked for as a directory (`/a.txt/`) is not there, as on the file system; a
        // FIFO or device is not served (reading one could block or never end).
        if segments.trailing_slash || !metadata.is_file() {
            return Err(Refusal::NotFound);
        }
        Ok(plan_file(is_get, found, &metadata, header))
    }

    /// `index.html` when the directory has one as a regular file under the root, else the
    /// listing.
    fn plan_directory<'h>(
        &self,
        is_get: bool,
        dir: PathBuf,
        segments: &Segments,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> Result<FilePlan, Refusal> {
        let mut index_names = segments.names.clone();
        index_names.push("index.html".to_owned());
        if let Ok(index) = resolve(&self.root, &index_names) {
            if let Ok(metadata) = fs::metadata(&index) {
                if metadata.is_file() {
                    return Ok(plan_file(is_get, index, &metadata, header));
                }
            }
        }
        let entries = listing::entries(&dir).map_err(|e| Refusal::from_io(&e))?;
        let mut shown = self.prefix.clone();
        for name in &segments.names {
            shown.push('/');
            shown.push_str(name);
        }
        shown.push('/');
        let at_root = segments.names.is_empty();
        Ok(FilePlan::Listing(listing::html(&shown, &entries, at_root)))
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
        let upload = target(&self.root, segments)?;
        let now = SystemTime::now();
        let current = fs::metadata(&upload.path)
            .ok()
            .map(|m| Validators::of(&m, now));
        // RFC 9110 §13.2.2 for a state-changing method: a failed condition is 412.
        if evaluate(&header, current.as_ref(), false) != Precondition::Proceed {
            return Ok(FilePlan::PreconditionFailed);
        }
        Ok(FilePlan::Upload(upload))
    }
}

/// The answer for a regular file: preconditions, then `Range` (GET only).
fn plan_file<'h>(
    is_get: bool,
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
        path,
        len,
        range,
        validators,
    })
}
