//! `ServeDir` against the outside review of issue 25: links swapped in between the check and
//! the open, racing `If-None-Match: *` creators, a `Location` read as another host, temporary
//! names taken first, listings of huge folders, dotfiles, the upload quota.
//!
//! The races are made deterministic where they can be: a handler plans, the test swaps the
//! path, then the handler answers, so the window the review hit by chance is hit every time.
//! The concurrent versions run a fixed number of requests (not a fixed time) and assert that
//! nothing ever escapes, which holds whatever the machine's load.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Barrier};

use h1_server::files::{respond, FilePlan, ServeDir};
use h1_server::{Request, Response};

/// `top/outside/d/f.txt` ("secret") and `top/root/d/f.txt`, `top/root/f.txt` ("inside"),
/// removed on drop.
struct Tree {
    top: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        static N: AtomicU32 = AtomicU32::new(0);
        let top = std::env::temp_dir().join(format!(
            "h1-hardened-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&top);
        fs::create_dir_all(top.join("outside/d")).unwrap();
        fs::create_dir_all(top.join("root/d")).unwrap();
        fs::write(top.join("outside/d/f.txt"), "secret").unwrap();
        fs::write(top.join("outside/f.txt"), "secret").unwrap();
        fs::write(top.join("root/d/f.txt"), "inside").unwrap();
        fs::write(top.join("root/f.txt"), "inside").unwrap();
        Tree { top }
    }

    fn root(&self) -> PathBuf {
        self.top.join("root")
    }

    fn outside(&self) -> PathBuf {
        self.top.join("outside")
    }

    /// Moves `root/<name>` aside to `root/<name>.old` and puts a link to `outside/<name>` in
    /// its place.
    fn swap_for_link(&self, name: &str) {
        let root = self.root();
        fs::rename(root.join(name), root.join(format!("{name}.old"))).unwrap();
        symlink(self.outside().join(name), root.join(name)).unwrap();
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

fn get(server: &common::TestServer, request: &str) -> common::Resp {
    common::exchange(server, request.as_bytes()).0
}

/// A server whose handler plans, then runs `between` (the attacker's move), then answers.
fn server_swapping_between(
    dir: ServeDir,
    between: impl Fn(&str) + Send + Sync + 'static,
) -> common::TestServer {
    let handler = move |req: &Request, res: &mut Response| {
        let plan = dir.plan(req.method().as_str(), req.path(), |n| req.header(n));
        between(req.path());
        respond(&plan, req.body(), res);
    };
    common::TestServer::with_handler(common::config(), handler)
}

#[test]
fn a_directory_swapped_for_a_link_after_the_check_serves_what_was_checked() {
    let tree = Arc::new(Tree::new());
    let swapper = Arc::clone(&tree);
    let server = server_swapping_between(ServeDir::new(tree.root()).unwrap(), move |_| {
        swapper.swap_for_link("d")
    });
    let resp = get(&server, "GET /d/f.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(
        (resp.status, String::from_utf8_lossy(&resp.body).as_ref()),
        (200, "inside")
    );
}

#[test]
fn a_file_swapped_for_a_link_after_the_check_serves_what_was_checked() {
    let tree = Arc::new(Tree::new());
    let swapper = Arc::clone(&tree);
    let server = server_swapping_between(ServeDir::new(tree.root()).unwrap(), move |_| {
        swapper.swap_for_link("f.txt")
    });
    let resp = get(&server, "GET /f.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(
        (resp.status, String::from_utf8_lossy(&resp.body).as_ref()),
        (200, "inside")
    );
}

#[test]
fn an_upload_into_a_directory_swapped_for_a_link_stays_in_the_root() {
    let tree = Arc::new(Tree::new());
    let swapper = Arc::clone(&tree);
    let dir = ServeDir::new(tree.root()).unwrap().uploads(1 << 20);
    let server = server_swapping_between(dir, move |_| swapper.swap_for_link("d"));
    let resp = get(
        &server,
        "PUT /d/new.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nnew!",
    );
    assert_eq!(resp.status, 201);
    assert!(
        !tree.outside().join("d/new.txt").exists(),
        "written outside"
    );
    assert_eq!(
        fs::read(tree.root().join("d.old/new.txt")).unwrap(),
        b"new!"
    );
}

/// Bounded by counts: 4,500 GETs and 500 PUTs through a directory another thread keeps
/// swapping for a link out of the root. Nothing outside is ever read or written.
#[test]
fn a_directory_swapped_back_and_forth_never_leaks_under_load() {
    const GETS: usize = 4500;
    const PUTS: usize = 500;
    let tree = Tree::new();
    let root = tree.root();
    let outside = tree.outside().join("d");
    let server = common::TestServer::with_handler(
        common::config(),
        ServeDir::new(&root).unwrap().uploads(1 << 20),
    );
    let done = Arc::new(AtomicBool::new(false));
    let swapper = {
        let done = Arc::clone(&done);
        let (real, aside, link) = (root.join("d"), root.join("d.real"), root.join("d"));
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !done.load(Ordering::Relaxed) {
                fs::rename(&real, &aside).unwrap();
                symlink(&outside, &link).unwrap();
                fs::remove_file(&link).unwrap();
                fs::rename(&aside, &real).unwrap();
                swaps += 1;
                // The real directory most of the time, so that most requests are served and
                // the few that meet a swap meet it at any step of their resolution.
                std::thread::sleep(std::time::Duration::from_micros(500));
            }
            swaps
        })
    };
    let mut leaked = 0;
    let mut served = 0;
    let mut stream = server.connect();
    let mut pending = Vec::new();
    for i in 0..GETS + PUTS {
        use std::io::Write;
        let request = if i % 10 == 9 {
            format!("PUT /d/up{i}.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nup")
        } else {
            "GET /d/f.txt HTTP/1.1\r\nHost: a\r\n\r\n".to_owned()
        };
        stream.write_all(request.as_bytes()).unwrap();
        let resp = common::read_response(&mut stream, &mut pending, false);
        if resp.body == b"secret" {
            leaked += 1;
        }
        if resp.status == 200 || resp.status == 201 {
            served += 1;
        }
    }
    done.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    let written_outside = fs::read_dir(tree.outside().join("d")).unwrap().count() - 1;
    eprintln!(
        "swap race: {} requests ({served} answered 200/201) beside {swaps} swaps: {leaked} \
         answers from outside, {written_outside} uploads written outside",
        GETS + PUTS
    );
    assert_eq!((leaked, written_outside), (0, 0));
}

#[test]
fn if_none_match_star_creates_once_and_keeps_the_first() {
    let tree = Tree::new();
    let dir = ServeDir::new(tree.root()).unwrap().uploads(1 << 20);
    let star = |name: &str| (name == "if-none-match").then_some(&b"*"[..]);
    // Both plans see no file: the check is the same for both, only the write can decide.
    let first = dir.plan("PUT", "/new.txt", star);
    let second = dir.plan("PUT", "/new.txt", star);
    let mut res = Response::new();
    respond(&first, &b"first"[..], &mut res);
    let first_status = res.status();
    let mut res = Response::new();
    respond(&second, &b"second"[..], &mut res);
    assert_eq!((first_status, res.status()), (201, 412));
    assert_eq!(fs::read(tree.root().join("new.txt")).unwrap(), b"first");
}

/// Eight clients create one name at once, five rounds: one 201 each round, the others 412,
/// and the file holds the winner's bytes.
#[test]
fn eight_concurrent_creators_one_wins() {
    const CLIENTS: usize = 8;
    let tree = Tree::new();
    let server = common::TestServer::with_handler(
        common::config().threads(2),
        ServeDir::new(tree.root()).unwrap().uploads(1 << 20),
    );
    for round in 0..5 {
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let barrier = Arc::clone(&barrier);
                let mut stream = server.connect();
                std::thread::spawn(move || {
                    use std::io::Write;
                    let body = format!("client {client}");
                    let request = format!(
                        "PUT /race{round}.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: *\r\n\
                         Content-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    barrier.wait();
                    stream.write_all(request.as_bytes()).unwrap();
                    let resp = common::read_response(&mut stream, &mut Vec::new(), false);
                    (resp.status, body)
                })
            })
            .collect();
        let answers: Vec<(u16, String)> = clients.into_iter().map(|c| c.join().unwrap()).collect();
        let winners: Vec<&String> = answers
            .iter()
            .filter(|(status, _)| *status == 201)
            .map(|(_, body)| body)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        assert!(
            answers.iter().all(|(s, _)| *s == 201 || *s == 412),
            "{answers:?}"
        );
        let kept = fs::read_to_string(tree.root().join(format!("race{round}.txt"))).unwrap();
        assert_eq!(&kept, winners[0], "round {round}");
        eprintln!("creators round {round}: {answers:?}");
    }
}

#[test]
fn a_directory_named_like_a_host_redirects_on_this_host() {
    let tree = Tree::new();
    fs::create_dir(tree.root().join("evil.example")).unwrap();
    let cases = [
        (
            ServeDir::new(tree.root()).unwrap(),
            "//evil.example",
            "/evil.example/",
        ),
        (
            ServeDir::new(tree.root()).unwrap(),
            "///evil.example",
            "/evil.example/",
        ),
        (ServeDir::new(tree.root()).unwrap(), "/d//", "/d/"),
        (ServeDir::new(tree.root()).unwrap(), "//d", "/d/"),
        (
            ServeDir::new(tree.root()).unwrap().at("/static"),
            "/static//evil.example",
            "/static/evil.example/",
        ),
    ];
    for (dir, path, expected) in cases {
        match dir.plan("GET", path, no_fields) {
            FilePlan::Redirect(location) => assert_eq!(location, expected, "{path}"),
            FilePlan::Listing(_) if path.ends_with('/') => {}
            other => panic!("{path}: {other:?}"),
        }
    }
}

/// The review pre-created 600 names of the old `.upload-<pid>-<n>.tmp` pattern; here 3,000
/// of them, more than this test binary's uploads can count to.
#[test]
fn predictable_temporary_names_cannot_block_uploads() {
    let tree = Tree::new();
    let pid = std::process::id();
    for n in 0..3000 {
        fs::write(tree.root().join(format!(".upload-{pid}-{n}.tmp")), "").unwrap();
    }
    let dir = ServeDir::new(tree.root()).unwrap().uploads(1 << 20);
    let plan = dir.plan("PUT", "/after.txt", no_fields);
    let mut res = Response::new();
    respond(&plan, &b"ok"[..], &mut res);
    assert_eq!(
        res.status(),
        201,
        "{:?}",
        String::from_utf8_lossy(res.body())
    );
    assert_eq!(fs::read(tree.root().join("after.txt")).unwrap(), b"ok");
}

#[test]
fn dotfiles_are_hidden_and_refused_by_default() {
    let tree = Tree::new();
    let root = tree.root();
    fs::write(root.join(".env"), "TOKEN=1").unwrap();
    fs::create_dir(root.join(".git")).unwrap();
    fs::write(root.join(".git/config"), "[core]").unwrap();
    let dir = ServeDir::new(&root).unwrap().uploads(1 << 20);
    for (method, path) in [
        ("GET", "/.env"),
        ("HEAD", "/.env"),
        ("GET", "/.git/config"),
        ("GET", "/.git/"),
        ("GET", "/%2Eenv"),
        ("PUT", "/.env"),
        ("PUT", "/.git/config"),
        ("PUT", "/d/.hidden"),
    ] {
        assert_eq!(
            dir.plan(method, path, no_fields).status(),
            404,
            "{method} {path}"
        );
    }
    assert_eq!(fs::read(root.join(".env")).unwrap(), b"TOKEN=1");
    let FilePlan::Listing(page) = dir.plan("GET", "/", no_fields) else {
        panic!("a listing");
    };
    assert!(!page.contains(".env") && !page.contains(".git"), "{page}");
}

/// 2,500 names: a listing shows the first 1,000 in byte order and says how many are left out.
#[test]
fn a_listing_is_capped_and_says_so() {
    let tree = Tree::new();
    let big = tree.root().join("big");
    fs::create_dir(&big).unwrap();
    for n in 0..2500 {
        fs::write(big.join(format!("n{n:05}")), "").unwrap();
    }
    let dir = ServeDir::new(tree.root()).unwrap();
    let FilePlan::Listing(page) = dir.plan("GET", "/big/", no_fields) else {
        panic!("a listing");
    };
    let links: Vec<&str> = page
        .split("href=\"./")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(links.len(), 1000, "{} bytes", page.len());
    assert_eq!((links[0], links[999]), ("n00000", "n00999"));
    assert!(
        page.contains("1500 more not listed"),
        "{}",
        &page[page.len() - 200..]
    );
    assert!(page.len() < 100_000, "{} bytes", page.len());
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

#[test]
fn uploads_stop_at_the_total_quota() {
    let tree = Tree::new();
    let dir = ServeDir::new(tree.root())
        .unwrap()
        .uploads(1000)
        .upload_quota(2500);
    let put = |name: &str| {
        let plan = dir.plan("PUT", name, no_fields);
        let mut res = Response::new();
        respond(&plan, &[7u8; 1000][..], &mut res);
        res.status()
    };
    assert_eq!([put("/a"), put("/b"), put("/c")], [201, 201, 413]);
    assert!(!exists(&tree.root().join("c")));
    // Clones share the quota: a server's handler clones are one directory.
    assert_eq!(dir.clone().plan("PUT", "/d/x", no_fields).status(), 201);
    let plan = dir.clone().plan("PUT", "/d/x", no_fields);
    let mut res = Response::new();
    respond(&plan, &[1u8; 600][..], &mut res);
    assert_eq!(res.status(), 413);
}

#[test]
fn temporary_names_are_refused_even_with_dotfiles_served() {
    let tree = Tree::new();
    fs::write(tree.root().join(".h1-upload-0123.tmp"), "x").unwrap();
    fs::write(tree.root().join(".well-known"), "ok").unwrap();
    let dir = ServeDir::new(tree.root())
        .unwrap()
        .uploads(1 << 20)
        .dotfiles(true);
    assert_eq!(
        dir.plan("GET", "/.h1-upload-0123.tmp", no_fields).status(),
        404
    );
    assert_eq!(
        dir.plan("PUT", "/.h1-upload-0123.tmp", no_fields).status(),
        404
    );
    assert_eq!(dir.plan("GET", "/.well-known", no_fields).status(), 200);
    let FilePlan::Listing(page) = dir.plan("GET", "/", no_fields) else {
        panic!("a listing");
    };
    assert!(
        page.contains(".well-known") && !page.contains(".h1-upload-"),
        "{page}"
    );
}
