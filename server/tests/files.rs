//! The static file server's building blocks: the path-escape table, ranges, conditional
//! requests, listings and uploads through `ServeDir::plan`, and one server end to end.

mod common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use h1_server::files::{respond, FilePlan, ServeDir, UploadError, Written};
use h1_server::{Request, Response, Router};

/// A fresh directory tree, removed on drop:
/// `outside/secret.txt` and `root/` holding `file.txt`, `sub/inner.txt`, `site/index.html`,
/// `a b.txt`, `café.txt`, links `link_in` (-> file.txt), `link_in_dir` (-> sub),
/// `link_out` (-> ../outside/secret.txt), `link_out_dir` (-> ../outside), `link_abs`
/// (-> the absolute path of the secret) and `sub/up` (-> ../../outside).
struct Tree {
    top: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        static N: AtomicU32 = AtomicU32::new(0);
        let top = std::env::temp_dir().join(format!(
            "h1-files-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&top);
        let root = top.join("root");
        fs::create_dir_all(top.join("outside")).unwrap();
        fs::write(top.join("outside/secret.txt"), "secret").unwrap();
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::create_dir_all(root.join("site")).unwrap();
        fs::write(root.join("file.txt"), "0123456789").unwrap();
        fs::write(root.join("sub/inner.txt"), "inner").unwrap();
        fs::write(root.join("site/index.html"), "<p>index</p>").unwrap();
        fs::write(root.join("a b.txt"), "space").unwrap();
        fs::write(root.join("café.txt"), "accent").unwrap();
        symlink("file.txt", root.join("link_in")).unwrap();
        symlink("sub", root.join("link_in_dir")).unwrap();
        symlink("../outside/secret.txt", root.join("link_out")).unwrap();
        symlink("../outside", root.join("link_out_dir")).unwrap();
        symlink(top.join("outside/secret.txt"), root.join("link_abs")).unwrap();
        symlink("../../outside", root.join("sub/up")).unwrap();
        Tree { top }
    }

    fn root(&self) -> PathBuf {
        self.top.join("root")
    }

    fn dir(&self) -> ServeDir {
        ServeDir::new(self.root()).unwrap()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.top);
    }
}

fn no_fields(_: &str) -> Option<&'static [u8]> {
    None
}

fn fields<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a [u8]> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_bytes())
    }
}

/// The bytes a plan would send (read from the file it opened), or the status when it is not
/// a file.
fn served(dir: &ServeDir, path: &str) -> Result<Vec<u8>, u16> {
    match dir.plan("GET", path, no_fields) {
        FilePlan::File(mut file) => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file.file, &mut bytes).unwrap();
            Ok(bytes)
        }
        other => Err(other.status()),
    }
}

#[test]
fn path_escape_attempts_are_refused() {
    let tree = Tree::new();
    let dir = tree.dir();
    let cases: &[(&str, u16)] = &[
        ("/../outside/secret.txt", 400),
        ("/sub/../../outside/secret.txt", 400),
        ("/..", 400),
        ("/.", 400),
        ("/./file.txt", 400),
        ("/%2e%2e/outside/secret.txt", 400),
        ("/%2E%2E/outside/secret.txt", 400),
        ("/%2e%2E/outside/secret.txt", 400),
        ("/.%2e/outside/secret.txt", 400),
        ("/%2e./outside/secret.txt", 400),
        ("/%2e", 400),
        ("/sub/%2e%2e/%2e%2e/outside/secret.txt", 400),
        ("/..%2Foutside%2Fsecret.txt", 400),
        ("/%2e%2e%2Foutside%2Fsecret.txt", 400),
        ("/sub%2Finner.txt", 400),
        ("/sub%2finner.txt", 400),
        ("/..\\outside\\secret.txt", 400),
        ("/sub\\inner.txt", 400),
        ("/%5c..%5coutside%5csecret.txt", 400),
        ("/..%5Coutside%5Csecret.txt", 400),
        ("/file.txt%00", 400),
        ("/file.txt%00.html", 400),
        ("/file.txt\0", 400),
        ("/%C0%AE%C0%AE/outside/secret.txt", 400),
        ("/%C0%AF", 400),
        ("/%E0%80%AE%E0%80%AE/outside/secret.txt", 400),
        ("/%F0%80%80%AE", 400),
        ("/%C1%9C", 400),
        ("/%ED%A0%80", 400),
        ("/%FF", 400),
        ("/%", 400),
        ("/%2", 400),
        ("/%g0", 400),
        ("/%%32%65%%32%65/outside/secret.txt", 400),
        ("/file.txt%0A", 400),
        ("/a b.txt", 400),
        ("/caf\u{e9}.txt", 400),
        ("/C:/outside/secret.txt", 404),
        ("/%252e%252e/outside/secret.txt", 404),
        ("/link_out", 403),
        ("/link_abs", 403),
        ("/link_out_dir/", 403),
        ("/link_out_dir/secret.txt", 403),
        ("/sub/up/secret.txt", 403),
        ("/file.txt/", 404),
        ("/file.txt/x", 404),
        ("/nothing", 404),
        ("//outside/secret.txt", 404),
        ("/outside/secret.txt", 404),
    ];
    assert!(cases.len() >= 30);
    let mut failures = Vec::new();
    for &(path, status) in cases {
        let got = served(&dir, path);
        if got != Err(status) {
            failures.push(format!("{path:?}: expected {status}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_is_inside_is_served() {
    let tree = Tree::new();
    let dir = tree.dir();
    let root = dir.root().to_path_buf();
    for (path, file) in [
        ("/file.txt", "file.txt"),
        ("//file.txt", "file.txt"),
        ("/sub/inner.txt", "sub/inner.txt"),
        ("/sub//inner.txt", "sub/inner.txt"),
        ("/%66ile.txt", "file.txt"),
        ("/a%20b.txt", "a b.txt"),
        ("/caf%C3%A9.txt", "café.txt"),
        ("/link_in", "file.txt"),
        ("/link_in_dir/inner.txt", "sub/inner.txt"),
        ("/site/", "site/index.html"),
    ] {
        assert_eq!(
            served(&dir, path),
            Ok(fs::read(root.join(file)).unwrap()),
            "{path}"
        );
    }
}

#[test]
fn a_prefix_is_stripped_and_enforced() {
    let tree = Tree::new();
    let dir = tree.dir().at("/static");
    assert_eq!(served(&dir, "/static/file.txt"), Ok(b"0123456789".to_vec()));
    assert_eq!(served(&dir, "/staticfile.txt"), Err(404));
    assert_eq!(served(&dir, "/file.txt"), Err(404));
    match dir.plan("GET", "/static", no_fields) {
        FilePlan::Redirect(location) => assert_eq!(location, "/static/"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn directories_redirect_to_their_slash_then_list() {
    let tree = Tree::new();
    let dir = tree.dir();
    match dir.plan("GET", "/sub", no_fields) {
        FilePlan::Redirect(location) => assert_eq!(location, "/sub/"),
        other => panic!("{other:?}"),
    }
    match dir.plan("HEAD", "/link_in_dir", no_fields) {
        FilePlan::Redirect(location) => assert_eq!(location, "/link_in_dir/"),
        other => panic!("{other:?}"),
    }
    let FilePlan::Listing(page) = dir.plan("GET", "/", no_fields) else {
        panic!("a listing");
    };
    let links: Vec<&str> = page
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(
        links,
        [
            "./a%20b.txt",
            "./caf%C3%A9.txt",
            "./file.txt",
            "./link_abs",
            "./link_in",
            "./link_in_dir/",
            "./link_out",
            "./link_out_dir/",
            "./site/",
            "./sub/",
        ]
    );
    let FilePlan::Listing(page) = dir.plan("GET", "/sub/", no_fields) else {
        panic!("a listing");
    };
    assert!(page.contains("<title>Index of /sub/</title>"), "{page}");
    assert!(page.contains("href=\"../\""));
}

#[test]
fn listing_escapes_hostile_names() {
    let tree = Tree::new();
    let hostile = "<script>alert(\"x\")<script> & 50% #1 ?q=é";
    fs::write(tree.root().join("sub").join(hostile), "x").unwrap();
    let FilePlan::Listing(page) = tree.dir().plan("GET", "/sub/", no_fields) else {
        panic!("a listing");
    };
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;script&gt; &amp; 50% #1 ?q=é</a>"));
    let href = "./%3Cscript%3Ealert%28%22x%22%29%3Cscript%3E%20%26%2050%25%20%231%20%3Fq%3D%C3%A9";
    assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
    // The link leads back to the file.
    let back = format!("/sub/{}", href.trim_start_matches("./"));
    assert!(matches!(
        tree.dir().plan("GET", &back, no_fields),
        FilePlan::File(_)
    ));
}

fn plan_with(dir: &ServeDir, method: &str, path: &str, pairs: &[(&str, &str)]) -> FilePlan {
    dir.plan(method, path, fields(pairs))
}

#[test]
fn ranges_of_a_file() {
    let tree = Tree::new();
    let dir = tree.dir();
    let range = |value: &str| match plan_with(&dir, "GET", "/file.txt", &[("Range", value)]) {
        FilePlan::File(file) => (file.status(), file.range.map(|r| (r.first, r.last))),
        other => (other.status(), None),
    };
    assert_eq!(range("bytes=2-4"), (206, Some((2, 4))));
    assert_eq!(range("bytes=7-"), (206, Some((7, 9))));
    assert_eq!(range("bytes=-3"), (206, Some((7, 9))));
    assert_eq!(range("bytes=5-100"), (206, Some((5, 9))));
    assert_eq!(range("bytes=10-"), (416, None));
    assert_eq!(range("bytes=-0"), (416, None));
    assert_eq!(range("bytes=0-1,3-4"), (200, None));
    assert_eq!(range("bytes=4-2"), (200, None));
    assert_eq!(range("lines=1-2"), (200, None));
    // HEAD: RFC 9110 §14.2 defines ranges for GET only.
    let head = plan_with(&dir, "HEAD", "/file.txt", &[("Range", "bytes=2-4")]);
    assert_eq!(head.status(), 200);
}

#[test]
fn if_range_decides_between_the_range_and_the_whole() {
    let tree = Tree::new();
    let dir = tree.dir();
    let FilePlan::File(file) = dir.plan("GET", "/file.txt", no_fields) else {
        panic!("a file");
    };
    let etag = file.validators.etag.clone();
    let date = file.validators.last_modified_http();
    let weak = format!("W/{etag}");
    let status = |if_range: &str| {
        plan_with(
            &dir,
            "GET",
            "/file.txt",
            &[("Range", "bytes=0-0"), ("If-Range", if_range)],
        )
        .status()
    };
    assert_eq!(status(&etag), 206);
    assert_eq!(status(&weak), 200);
    assert_eq!(status("\"other\""), 200);
    assert_eq!(status("Sun, 06 Nov 1994 08:49:37 GMT"), 200);
    // The file was written just now: its date is not yet a strong validator (§8.8.2.2).
    assert_eq!(status(&date), 200);
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(tree.root().join("file.txt"))
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let FilePlan::File(file) = dir.plan("GET", "/file.txt", no_fields) else {
        panic!("a file");
    };
    assert_eq!(status(&file.validators.last_modified_http()), 206);
}

#[test]
fn conditional_requests() {
    let tree = Tree::new();
    let dir = tree.dir();
    let FilePlan::File(file) = dir.plan("GET", "/file.txt", no_fields) else {
        panic!("a file");
    };
    let etag = file.validators.etag.clone();
    let date = file.validators.last_modified_http();
    assert!(etag.starts_with("\"a-"), "{etag}"); // the length, 10, in hex
    let old = "Sun, 06 Nov 1994 08:49:37 GMT";
    let list = format!("\"x\", {etag}");
    let weak = format!("W/{etag}");
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], u16);
    let cases: &[Case] = &[
        ("GET", &[("If-None-Match", &etag)], 304),
        ("HEAD", &[("If-None-Match", &etag)], 304),
        ("GET", &[("If-None-Match", &list)], 304),
        ("GET", &[("If-None-Match", &weak)], 304),
        ("GET", &[("If-None-Match", "*")], 304),
        ("GET", &[("If-None-Match", "\"x\"")], 200),
        ("GET", &[("If-Modified-Since", &date)], 304),
        ("GET", &[("If-Modified-Since", old)], 200),
        ("GET", &[("If-Modified-Since", "garbage")], 200),
        (
            "GET",
            &[("If-None-Match", "\"x\""), ("If-Modified-Since", &date)],
            200,
        ),
        ("GET", &[("If-Match", "\"x\"")], 412),
        ("GET", &[("If-Match", &etag)], 200),
        ("GET", &[("If-Unmodified-Since", old)], 412),
        // A conditional beats a range: 304 before 206.
        (
            "GET",
            &[("If-None-Match", &etag), ("Range", "bytes=0-1")],
            304,
        ),
    ];
    for &(method, pairs, status) in cases {
        let plan = plan_with(&dir, method, "/file.txt", pairs);
        assert_eq!(plan.status(), status, "{method} {pairs:?}");
        if let FilePlan::NotModified(validators) = plan {
            assert_eq!(validators.etag, etag);
        }
    }
}

#[test]
fn methods_and_uploads() {
    let tree = Tree::new();
    let dir = tree.dir();
    for method in ["PUT", "POST", "DELETE", "get"] {
        match dir.plan(method, "/file.txt", no_fields) {
            FilePlan::MethodNotAllowed { allow } => assert_eq!(allow, "GET, HEAD"),
            other => panic!("{method}: {other:?}"),
        }
    }
    let dir = tree.dir().uploads(100);
    let put = |path: &str, pairs: &[(&str, &str)]| plan_with(&dir, "PUT", path, pairs);
    let FilePlan::Upload(new) = put("/sub/new.txt", &[]) else {
        panic!("an upload");
    };
    assert_eq!(new.path, dir.root().join("sub/new.txt"));
    assert!(!new.replaces);
    assert_eq!(new.write_all(b"uploaded").unwrap(), Written::Created);
    assert_eq!(fs::read(&new.path).unwrap(), b"uploaded");
    // The temporary file is gone: the directory holds what it held and the upload.
    assert_eq!(fs::read_dir(dir.root().join("sub")).unwrap().count(), 3);
    assert_eq!(put("/sub/new.txt", &[]).status(), 204);
    assert_eq!(put("/sub/new.txt", &[("If-None-Match", "*")]).status(), 412);
    assert_eq!(
        put("/sub/other.txt", &[("If-None-Match", "*")]).status(),
        201
    );
    assert_eq!(put("/big", &[("Content-Length", "101")]).status(), 413);
    assert_eq!(put("/sub", &[]).status(), 409);
    assert_eq!(put("/new/", &[]).status(), 409);
    assert_eq!(put("/", &[]).status(), 409);
    assert_eq!(put("/missing/new.txt", &[]).status(), 404);
    assert_eq!(put("/../escape.txt", &[]).status(), 400);
    assert_eq!(put("/%2e%2e/escape.txt", &[]).status(), 400);
    assert_eq!(put("/link_out_dir/escape.txt", &[]).status(), 403);
    assert_eq!(put("/sub/up/escape.txt", &[]).status(), 403);
    // A link at the target is replaced by the upload, never written through.
    let FilePlan::Upload(over_link) = put("/link_out", &[]) else {
        panic!("an upload");
    };
    assert_eq!(over_link.write_all(b"mine").unwrap(), Written::Replaced);
    assert_eq!(
        fs::read(tree.top.join("outside/secret.txt")).unwrap(),
        b"secret"
    );
    assert_eq!(fs::read(tree.root().join("link_out")).unwrap(), b"mine");
    assert!(!fs::symlink_metadata(tree.root().join("link_out"))
        .unwrap()
        .is_symlink());
}

fn router(dir: ServeDir) -> Router {
    let dir = std::sync::Arc::new(dir);
    let mut router = Router::new();
    for method in ["GET", "PUT"] {
        let dir = dir.clone();
        router.route(
            method,
            "/*rest",
            move |req: &Request, res: &mut Response| {
                let plan = dir.plan(req.method().as_str(), req.path(), |n| req.header(n));
                respond(&plan, req.body_reader(), res);
            },
        );
    }
    router
}

fn get(server: &common::TestServer, request: &str) -> common::Resp {
    common::exchange(server, request.as_bytes()).0
}

#[test]
fn end_to_end_through_a_router() {
    let tree = Tree::new();
    let server =
        common::TestServer::with_handler(common::config(), router(tree.dir().uploads(1 << 20)));
    let resp = get(&server, "GET /file.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"0123456789");
    assert_eq!(
        resp.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(resp.header("accept-ranges"), Some("bytes"));
    let etag = resp.header("etag").unwrap().to_owned();
    let last_modified = resp.header("last-modified").unwrap();
    assert!(httpdate::parse_http_date(last_modified).is_ok());

    let resp = get(
        &server,
        "GET /file.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=3-5\r\n\r\n",
    );
    assert_eq!(resp.status, 206);
    assert_eq!(resp.body, b"345");
    assert_eq!(resp.header("content-range"), Some("bytes 3-5/10"));

    let resp = get(
        &server,
        "GET /file.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=10-\r\n\r\n",
    );
    assert_eq!(resp.status, 416);
    assert_eq!(resp.header("content-range"), Some("bytes */10"));

    let resp = get(
        &server,
        &format!("GET /file.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: {etag}\r\n\r\n"),
    );
    assert_eq!(resp.status, 304);
    assert_eq!(resp.header("etag"), Some(etag.as_str()));
    assert_eq!(resp.header("content-length"), None);
    assert!(resp.body.is_empty());

    // HEAD: the GET head, the length of the body, no body.
    let mut stream = server.connect();
    stream
        .write_all(
            b"HEAD /file.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /sub HTTP/1.1\r\nHost: a\r\n\r\n",
        )
        .unwrap();
    let mut pending = Vec::new();
    let head = common::read_response(&mut stream, &mut pending, true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("10"));
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    // The next answer starts right after the head: no body was sent.
    let redirect = common::read_response(&mut stream, &mut pending, false);
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/sub/"));

    let resp = get(&server, "GET /sub/ HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(String::from_utf8_lossy(&resp.body).contains("href=\"./inner.txt\""));

    let resp = get(
        &server,
        "GET /%2e%2e/outside/secret.txt HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    assert_eq!(resp.status, 400);
    let resp = get(&server, "GET /link_out HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 403);
    assert!(!String::from_utf8_lossy(&resp.body).contains("secret"));

    let resp = get(
        &server,
        "PUT /sub/put.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nnew!",
    );
    assert_eq!(resp.status, 201);
    assert_eq!(fs::read(tree.root().join("sub/put.txt")).unwrap(), b"new!");
    let leftovers: Vec<_> = fs::read_dir(tree.root().join("sub"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".h1-upload-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn serve_dir_is_a_handler_and_put_is_405_without_uploads() {
    let tree = Tree::new();
    let server = common::TestServer::with_handler(common::config(), tree.dir());
    let resp = get(&server, "GET /site/ HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"<p>index</p>");
    assert_eq!(
        resp.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let resp = get(
        &server,
        "PUT /x.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
    );
    assert_eq!(resp.status, 405);
    assert_eq!(resp.header("allow"), Some("GET, HEAD"));
    assert!(!Path::new(&tree.root().join("x.txt")).exists());
}

#[test]
fn a_chunked_upload_past_the_limit_is_413_and_writes_nothing() {
    let tree = Tree::new();
    let server = common::TestServer::with_handler(common::config(), tree.dir().uploads(3));
    let resp = get(
        &server,
        "PUT /c.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
    );
    assert_eq!(resp.status, 413);
    assert!(!tree.root().join("c.txt").exists());
    let resp = get(
        &server,
        "PUT /c.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert_eq!(resp.status, 201);
    assert_eq!(fs::read(tree.root().join("c.txt")).unwrap(), b"abc");
}

// Uploads streamed to disk: `ServeDir` as the server's handler copies the body as it arrives.

/// `len` bytes that differ from their neighbours, so a shifted, cut or repeated piece shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// `body` chunked in pieces of varying sizes, with the last chunk.
fn chunked(body: &[u8]) -> Vec<u8> {
    let sizes = [1, 7, 4096, 65_536, 100_003, 300_000];
    let mut out = Vec::with_capacity(body.len() + 1024);
    let mut rest = body;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, after) = rest.split_at((*size).min(rest.len()));
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
        rest = after;
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Waits until `done` holds, checking it at most 1,000 times 10 ms apart; panics naming
/// `what` when it never does. The verdict is the condition, never the time.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("never: {what}");
}

/// Sends `head` and `body` from another thread (errors ignored: the server may answer and
/// close before it read everything) and reads the answer meanwhile.
fn put_while_reading(server: &common::TestServer, head: String, body: Vec<u8>) -> common::Resp {
    let mut stream = server.connect();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(&body));
    });
    let resp = common::read_response(&mut stream, &mut Vec::new(), false);
    sender.join().unwrap();
    resp
}

/// Larger than the server's in-memory body limit (8 MiB): the upload route has its own.
const LARGE: usize = 12 << 20;

#[test]
fn multi_mib_uploads_land_byte_exact_chunked_and_with_a_length() {
    let tree = Tree::new();
    fs::create_dir(tree.root().join("up")).unwrap();
    let server = common::TestServer::with_handler(common::config(), tree.dir().uploads(64 << 20));
    let body = pattern(LARGE);

    let head = format!("PUT /up/length.bin HTTP/1.1\r\nHost: a\r\nContent-Length: {LARGE}\r\n\r\n");
    let resp = put_while_reading(&server, head, body.clone());
    assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));

    let head = "PUT /up/chunked.bin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    let resp = put_while_reading(&server, head.to_owned(), chunked(&body));
    assert_eq!(resp.status, 201, "{}", String::from_utf8_lossy(&resp.body));

    // Replacing goes through a temporary file too: 204, the new bytes whole.
    let reversed: Vec<u8> = body.iter().rev().copied().collect();
    let head = "PUT /up/length.bin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    let resp = put_while_reading(&server, head.to_owned(), chunked(&reversed));
    assert_eq!(resp.status, 204, "{}", String::from_utf8_lossy(&resp.body));

    let up = tree.root().join("up");
    assert!(fs::read(up.join("chunked.bin")).unwrap() == body);
    assert!(fs::read(up.join("length.bin")).unwrap() == reversed);
    assert_eq!(names(&up), ["chunked.bin", "length.bin"]);
}

#[test]
fn an_upload_past_the_limit_is_413_and_leaves_nothing() {
    let tree = Tree::new();
    fs::create_dir(tree.root().join("up")).unwrap();
    let max = 1 << 20;
    let server = common::TestServer::with_handler(common::config(), tree.dir().uploads(max));
    let up = tree.root().join("up");

    // Chunked: refused once the body passes the limit, the temporary file gone by then.
    let body = pattern(2 << 20);
    let head = "PUT /up/big.bin HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    let resp = put_while_reading(&server, head.to_owned(), chunked(&body));
    assert_eq!(resp.status, 413);
    assert!(names(&up).is_empty(), "{:?}", names(&up));

    // Declared: refused from the head, before a byte of the body is read.
    let head = format!(
        "PUT /up/big.bin HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n",
        max + 1
    );
    let resp = put_while_reading(&server, head, Vec::new());
    assert_eq!(resp.status, 413);
    assert!(names(&up).is_empty(), "{:?}", names(&up));

    // Exactly the limit is taken.
    let head = format!("PUT /up/max.bin HTTP/1.1\r\nHost: a\r\nContent-Length: {max}\r\n\r\n");
    let resp = put_while_reading(&server, head, pattern(max as usize));
    assert_eq!(resp.status, 201);
    assert_eq!(names(&up), ["max.bin"]);
}

#[test]
fn a_client_gone_mid_upload_leaves_nothing_and_gives_the_quota_back() {
    const DECLARED: usize = 8 << 20;
    let tree = Tree::new();
    fs::create_dir(tree.root().join("up")).unwrap();
    let up = tree.root().join("up");
    // Room for one declared upload at a time: a reservation not given back shows as 413.
    let dir = tree.dir().uploads(64 << 20).upload_quota(DECLARED as u64);
    let server = common::TestServer::with_handler(common::config(), dir.clone());
    let framings = [
        format!("Content-Length: {DECLARED}\r\n\r\n").into_bytes(),
        format!("Transfer-Encoding: chunked\r\n\r\n{DECLARED:x}\r\n").into_bytes(),
    ];
    for (n, framing) in framings.iter().enumerate() {
        let mut stream = server.connect();
        let mut request = format!("PUT /up/gone{n}.bin HTTP/1.1\r\nHost: a\r\n").into_bytes();
        request.extend_from_slice(framing);
        request.extend_from_slice(&pattern(1 << 20));
        stream.write_all(&request).unwrap();
        // The copy has begun: its temporary file is there.
        wait_until("a temporary file while the body arrives", || {
            names(&up)
                .iter()
                .any(|name| name.starts_with(".h1-upload-"))
        });
        drop(stream);
        wait_until("the temporary file removed after the client left", || {
            names(&up).is_empty()
        });
    }
    // Both reservations came back: the whole quota is there for the next upload.
    wait_until("the quota given back", || {
        let FilePlan::Upload(upload) = dir.plan("PUT", "/up/after.bin", no_fields) else {
            panic!("an upload");
        };
        upload.write_all(&pattern(DECLARED)).is_ok()
    });
    assert_eq!(names(&up), ["after.bin"]);
}

#[test]
fn a_body_that_fails_midway_leaves_nothing_behind() {
    /// A body of 200 KiB, then an error.
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::ErrorKind::ConnectionReset.into());
            }
            let n = buf.len().min(self.0);
            buf[..n].fill(b'x');
            self.0 -= n;
            Ok(n)
        }
    }
    let tree = Tree::new();
    let dir = tree.dir().uploads(1 << 20).upload_quota(3 << 19);
    let before = names(&tree.root().join("sub"));
    let put = || match dir.plan("PUT", "/sub/failed.bin", no_fields) {
        FilePlan::Upload(upload) => upload,
        other => panic!("{other:?}"),
    };
    let error = put().write_from(Failing(200 << 10)).unwrap_err();
    assert!(matches!(error, UploadError::Body(_)), "{error:?}");
    // Past the limit while reading (no length declared): 413, nothing kept.
    let error = put().write_from(&pattern(2 << 20)[..]).unwrap_err();
    assert!(matches!(error, UploadError::TooLarge), "{error:?}");
    assert_eq!(error.status(), 413);
    assert_eq!(names(&tree.root().join("sub")), before);
    // The quota (1.5 MiB) went back each time: an upload of the limit (1 MiB) still fits.
    assert_eq!(
        put().write_from(&pattern(1 << 20)[..]).unwrap(),
        Written::Created
    );
}

#[test]
fn a_refused_upload_with_a_short_body_keeps_its_connection() {
    let tree = Tree::new();
    let server = common::TestServer::with_handler(common::config(), tree.dir().uploads(1 << 20));
    let mut stream = server.connect();
    let mut pending = Vec::new();
    let refused = [
        ("PUT /missing/x.txt", 404),
        ("PUT /sub", 409),
        ("PUT /link_out_dir/x.txt", 403),
    ];
    for (line, status) in refused {
        let request = format!("{line} HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        stream.write_all(request.as_bytes()).unwrap();
        let resp = common::read_response(&mut stream, &mut pending, false);
        assert_eq!(resp.status, status, "{line}");
        stream
            .write_all(b"GET /file.txt HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        let resp = common::read_response(&mut stream, &mut pending, false);
        assert_eq!(
            (resp.status, resp.body.as_slice()),
            (200, &b"0123456789"[..])
        );
    }
}
