//! `h1-server --dir PATH [--upload] [--max-upload BYTES]` end to end with the real `curl`:
//! a 1 GiB (sparse) file downloaded and a 256 MiB one uploaded with bounded server memory,
//! HEAD, ranges, 304, a listing, uploads and their limit. Each test prints a note and passes when curl is not installed (CI installs it).

// The server suite's helpers, shared rather than copied.
#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use common::*;

fn curl(args: &[&str]) -> Option<Output> {
    curl_within(300, args)
}

fn text(output: &Output) -> String {
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh directory for one test, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("h1-serve-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

fn serve(dir: &Path, extra: &[&str]) -> Served {
    let mut args = vec!["--threads", "1", "--dir", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (child, addr) = spawn(&args);
    Served {
        child,
        url: format!("http://{addr}"),
    }
}

fn sha256(path: &Path) -> String {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout)
        .split(' ')
        .next()
        .unwrap()
        .to_owned()
}

/// The peak resident set of `pid`, from /proc (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[test]
fn a_1_gib_file_downloads_whole_with_bounded_server_memory() {
    let dir = TempDir::new("big");
    let path = dir.0.join("big.bin");
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = std::fs::File::create(&path).unwrap();
        file.set_len(1 << 30).unwrap();
        // Marks at the start, the middle and the end, so a shifted or cut copy hashes apart.
        for at in [0u64, 1 << 29, (1 << 30) - 5] {
            file.seek(SeekFrom::Start(at)).unwrap();
            file.write_all(b"mark!").unwrap();
        }
    }
    let out = TempDir::new("big-out");
    let copy = out.0.join("copy.bin");
    let served = serve(&dir.0, &[]);
    let url = format!("{}/big.bin", served.url);
    let Some(output) = curl(&["-o", copy.to_str().unwrap(), &url]) else {
        return;
    };
    text(&output);
    let peak = peak_rss_kib(served.child.id());
    eprintln!("server peak RSS (VmHWM) after a 1 GiB download: {peak} KiB");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), 1 << 30);
    assert_eq!(sha256(&copy), sha256(&path));
    // Memory, not time: the file goes through a 32 KiB window, never whole.
    assert!(peak < 200 * 1024, "peak RSS {peak} KiB");
}

#[test]
fn head_ranges_conditionals_and_listings() {
    let dir = TempDir::new("small");
    std::fs::write(dir.0.join("a.txt"), "0123456789abcdef").unwrap();
    std::fs::create_dir(dir.0.join("sub")).unwrap();
    std::fs::write(dir.0.join("sub").join("<b>.txt"), "x").unwrap();
    let served = serve(&dir.0, &[]);
    let url = format!("{}/a.txt", served.url);

    let Some(head) = curl(&["-I", &url]) else {
        return;
    };
    let head = text(&head);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Length: 16\r\n"), "{head}");
    assert!(head.contains("Content-Type: text/plain"), "{head}");
    let etag = head
        .lines()
        .find_map(|line| line.strip_prefix("ETag: "))
        .expect("an ETag")
        .to_owned();

    let range = text(&curl(&["-i", "-r", "2-5", &url]).unwrap());
    assert!(
        range.starts_with("HTTP/1.1 206 Partial Content\r\n"),
        "{range}"
    );
    assert!(range.contains("Content-Range: bytes 2-5/16\r\n"), "{range}");
    assert!(range.ends_with("\r\n\r\n2345"), "{range}");

    let past = text(&curl(&["-i", "-r", "100-200", &url]).unwrap());
    assert!(
        past.starts_with("HTTP/1.1 416 Range Not Satisfiable\r\n"),
        "{past}"
    );
    assert!(past.contains("Content-Range: bytes */16\r\n"), "{past}");

    let if_none_match = format!("If-None-Match: {etag}");
    let not_modified = text(&curl(&["-i", "-H", &if_none_match, &url]).unwrap());
    assert!(
        not_modified.starts_with("HTTP/1.1 304 Not Modified\r\n"),
        "{not_modified}"
    );
    assert!(not_modified.ends_with("\r\n\r\n"), "{not_modified}");

    let if_match = text(&curl(&["-i", "-H", "If-Match: \"other\"", &url]).unwrap());
    assert!(
        if_match.starts_with("HTTP/1.1 412 Precondition Failed\r\n"),
        "{if_match}"
    );

    let listing = text(&curl(&[&format!("{}/sub/", served.url)]).unwrap());
    assert!(listing.contains("&lt;b&gt;.txt"), "{listing}");
    assert!(!listing.contains("<b>"), "{listing}");

    let put = text(&curl(&["-i", "-H", "Expect:", "-T", "-", &url]).unwrap());
    assert!(
        put.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{put}"
    );
}

#[test]
fn uploads_are_written_within_the_limit() {
    let dir = TempDir::new("upload");
    let source = TempDir::new("upload-source");
    let small = source.0.join("small.bin");
    std::fs::write(&small, vec![7u8; 100_000]).unwrap();
    let large = source.0.join("large.bin");
    std::fs::write(&large, vec![9u8; 300_000]).unwrap();
    let served = serve(&dir.0, &["--upload", "--max-upload", "200000"]);

    let url = format!("{}/up.bin", served.url);
    let Some(created) = curl(&["-i", "-H", "Expect:", "-T", small.to_str().unwrap(), &url]) else {
        return;
    };
    let created = text(&created);
    assert!(created.starts_with("HTTP/1.1 201 Created\r\n"), "{created}");
    assert_eq!(
        std::fs::read(dir.0.join("up.bin")).unwrap(),
        vec![7u8; 100_000]
    );

    let too_large =
        text(&curl(&["-i", "-H", "Expect:", "-T", large.to_str().unwrap(), &url]).unwrap());
    assert!(
        too_large.starts_with("HTTP/1.1 413 Content Too Large\r\n"),
        "{too_large}"
    );
    assert_eq!(
        std::fs::read(dir.0.join("up.bin")).unwrap(),
        vec![7u8; 100_000]
    );

    // Chunked, no length to refuse from the head: refused once past the limit.
    let chunked = [
        "-i",
        "-H",
        "Expect:",
        "-H",
        "Transfer-Encoding: chunked",
        "-T",
    ];
    let mut args = chunked.to_vec();
    args.extend([large.to_str().unwrap(), &url]);
    let too_large = text(&curl(&args).unwrap());
    assert!(
        too_large.starts_with("HTTP/1.1 413 Content Too Large\r\n"),
        "{too_large}"
    );
    // Nothing but the first upload: no temporary file left behind.
    assert_eq!(names(&dir.0), ["up.bin"]);
    assert_eq!(
        std::fs::read(dir.0.join("up.bin")).unwrap(),
        vec![7u8; 100_000]
    );
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Uploads are copied to disk as they arrive: 256 MiB, with a length and chunked, land
/// byte-exact with the default flags (the default upload limit is far above the 8 MiB limit of
/// bodies held in memory) while the server's peak RSS stays under 64 MiB. Memory, not time.
#[test]
fn a_256_mib_upload_streams_to_disk_with_bounded_server_memory() {
    const LEN: u64 = 256 << 20;
    let source = TempDir::new("big-upload-source");
    let path = source.0.join("big.bin");
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = std::fs::File::create(&path).unwrap();
        file.set_len(LEN).unwrap();
        // Marks at the start, the middle and the end, so a shifted or cut copy hashes apart.
        for at in [0, LEN / 2, LEN - 5] {
            file.seek(SeekFrom::Start(at)).unwrap();
            file.write_all(b"mark!").unwrap();
        }
    }
    let dir = TempDir::new("big-upload");
    let served = serve(&dir.0, &["--upload"]);
    let length_url = format!("{}/length.bin", served.url);
    // The final status only (curl waits for `100 Continue` first, as it does for large files).
    let status = [
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-T",
        path.to_str().unwrap(),
    ];
    let mut args = status.to_vec();
    args.push(&length_url);
    let Some(output) = curl(&args) else {
        return;
    };
    assert_eq!(text(&output), "201");
    let chunked_url = format!("{}/chunked.bin", served.url);
    let mut args = status.to_vec();
    args.extend(["-H", "Transfer-Encoding: chunked", &chunked_url]);
    assert_eq!(text(&curl(&args).unwrap()), "201");

    let peak = peak_rss_kib(served.child.id());
    eprintln!("server peak RSS (VmHWM) after two 256 MiB uploads: {peak} KiB");
    assert_eq!(names(&dir.0), ["chunked.bin", "length.bin"]);
    let expected = sha256(&path);
    for name in ["length.bin", "chunked.bin"] {
        assert_eq!(sha256(&dir.0.join(name)), expected, "{name}");
    }
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
}

/// The review's listing attack: a folder of 20,000 entries (names of 100 bytes: 4.4 MB as one
/// page before listings were capped), 50 clients asking for it and reading nothing. Memory,
/// not time: the peak RSS once every client has been answered (its first byte is waiting in
/// its socket) must stay far below 50 whole pages.
#[test]
fn fifty_clients_not_reading_a_huge_listing_cost_little_memory() {
    use std::io::Write;
    const CLIENTS: usize = 50;
    let dir = TempDir::new("huge-listing");
    let big = dir.0.join("big");
    std::fs::create_dir(&big).unwrap();
    for n in 0..20_000 {
        std::fs::write(big.join(format!("{n:05}-{}", "x".repeat(94))), "").unwrap();
    }
    let served = serve(&dir.0, &[]);
    let pid = served.child.id();
    let addr = served.url.trim_start_matches("http://").to_owned();
    let before = peak_rss_kib(pid);
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let addr: std::net::SocketAddr = addr.parse().unwrap();
        socket.connect(&addr.into()).expect("connect");
        let mut stream: std::net::TcpStream = socket.into();
        stream
            .write_all(b"GET /big/ HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        clients.push(stream);
    }
    // Each answer has begun (its first bytes wait, unread, in the client's socket).
    for stream in &clients {
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        assert_eq!(stream.peek(&mut [0u8; 1]).expect("an answer"), 1);
    }
    let peak = peak_rss_kib(pid);
    let now = common::usage(pid).rss_kib;
    eprintln!(
        "{CLIENTS} clients not reading a 20,000-entry listing: server peak RSS {peak} KiB \
         (before them {before} KiB, now {now} KiB)"
    );
    drop(clients);
    assert!(peak < 100 * 1024, "peak RSS {peak} KiB");
}
