//! A [`FilePlan`] written into a [`Response`], and [`ServeDir`] as a [`Handler`].
//!
//! A file's bytes (its range) are streamed from disk as the socket takes them
//! ([`Response::set_body_file`]): a `HEAD` gets the head with the `Content-Length` a `GET`
//! would get and nothing is read. A `PUT` copies the request body to disk as it arrives
//! ([`UploadTarget::write_from`](super::UploadTarget::write_from): 64 KiB in memory at most,
//! whatever the upload's size), and its status is what the write found (201 or 204; 412 when
//! `If-None-Match: *` lost a race; 413 past the upload limit or the quota).

use std::io;

use super::plan::{FileAnswer, FilePlan, ServeDir};
use super::upload::Written;
use crate::handler::{Handler, Plan};
use crate::request::Request;
use crate::response::Response;

/// Writes `plan` into `res`: status, fields and body. `request_body` is what a
/// [`FilePlan::Upload`] copies to disk as it reads it ([`Request::body_reader`], or a byte
/// slice); other plans read nothing of it.
///
/// ```
/// use h1_server::files::{respond, FilePlan, Refusal};
/// use h1_server::Response;
///
/// let mut res = Response::new();
/// respond(&FilePlan::Refused(Refusal::DotSegment), std::io::empty(), &mut res);
/// assert_eq!(res.status(), 400);
/// ```
pub fn respond(plan: &FilePlan, request_body: impl io::Read, res: &mut Response) {
    res.set_status(plan.status());
    match plan {
        FilePlan::File(file) => {
            if let Err(error) = send_file(file, res) {
                res.set_status(500);
                plain(res, &format!("cannot read the file: {error}"));
            }
        }
        FilePlan::NotModified(validators) => {
            res.header("ETag", &validators.etag)
                .header("Last-Modified", validators.last_modified_http());
        }
        FilePlan::RangeNotSatisfiable { len } => {
            res.header("Content-Range", format!("bytes */{len}"));
            plain(res, "Range Not Satisfiable");
        }
        FilePlan::PreconditionFailed => plain(res, "Precondition Failed"),
        FilePlan::Listing(html) => {
            res.header("Content-Type", "text/html; charset=utf-8")
                .set_body(html);
        }
        FilePlan::Redirect(location) => {
            res.header("Location", location);
            plain(res, "Moved Permanently");
        }
        FilePlan::Refused(refusal) => plain(res, &refusal.to_string()),
        FilePlan::MethodNotAllowed { allow } => {
            res.header("Allow", *allow);
            plain(res, "Method Not Allowed");
        }
        FilePlan::Upload(upload) => match upload.write_from(request_body) {
            Ok(Written::Created) => {
                res.set_status(201);
                plain(res, "Created");
            }
            Ok(Written::Replaced) => {
                res.set_status(204);
            }
            Err(error) => {
                res.set_status(error.status());
                plain(res, &error.to_string());
            }
        },
    }
}

fn plain(res: &mut Response, text: &str) {
    res.header("Content-Type", "text/plain; charset=utf-8")
        .set_body(format!("{text}\n"));
}

fn send_file(file: &FileAnswer, res: &mut Response) -> io::Result<()> {
    let (first, count) = match file.range {
        Some(range) => (range.first, range.len()),
        None => (0, file.len),
    };
    // The descriptor opened when planning (a second one on it: `plan` is borrowed).
    let opened = file.file.try_clone()?;
    // The plan's range, clamped to the file's length when opened: a file that shrank since
    // the plan sends what is left, with that length.
    res.set_body_file(opened, Some(first..first.saturating_add(count)))?;
    res.header("Content-Type", file.content_type.as_ref())
        .header("Accept-Ranges", "bytes")
        .header("ETag", &file.validators.etag)
        .header("Last-Modified", file.validators.last_modified_http())
        // The fallback type is not to be second-guessed from the bytes.
        .header("X-Content-Type-Options", "nosniff");
    if let Some(range) = file.range {
        res.header(
            "Content-Range",
            format!("bytes {}-{}/{}", range.first, range.last, file.len),
        );
    }
    Ok(())
}

/// Serves the directory for every request: `server.serve(ServeDir::new(root)?)`, or as a
/// route's handler (`router.get("/*rest", dir)`).
impl Handler for ServeDir {
    /// Reads run inline (files are streamed by the event loop); an upload runs on the pool,
    /// its body read as it arrives and bounded by the upload limit (not the server's
    /// in-memory body limit).
    fn plan(&self, req: &Request<'_>) -> Plan {
        match (req.method().as_str(), self.max_upload()) {
            ("PUT", Some(max)) => Plan::blocking().body_limit(max),
            _ => Plan::inline(),
        }
    }

    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        let plan = self.plan(req.method().as_str(), req.path(), |name| req.header(name));
        // A refused `PUT` (404, 409, 412, a quota's 413) leaves its body unread: the server
        // drops it (up to 64 KiB, else it closes) and reads the next request.
        respond(&plan, &mut req.body_reader(), res);
    }
}
