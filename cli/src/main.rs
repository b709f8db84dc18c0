//! The `h1-server` binary: `Hello, world!` on `GET /`, `--echo` to answer every request with
//! its parse as JSON, or `--dir PATH` to serve a directory.

use std::io::Write;
use std::process::ExitCode;

use base64::Engine;
use h1_server::files::ServeDir;
use h1_server::{Inline, Request, Response, Router, Served, Server, ServerConfig};

const HELP: &str = "\
h1-server: a small, fast, hard-to-abuse HTTP/1.1 server

USAGE:
    h1-server [--addr HOST:PORT] [--threads N] [--echo] [--log]
              [--dir PATH [--dotfiles] [--upload [--max-upload BYTES]
                                         [--upload-quota BYTES]]]
              [--max-connections N] [--head-timeout SECONDS]
              [--min-body-rate BYTES] [--min-write-rate BYTES]
              [--min-rate-window SECONDS]

FLAGS:
    --addr HOST:PORT  Address to listen on (default 127.0.0.1:5100).
    --threads N       Worker threads, each running one event loop
                      (default: the number of available cores).
    --echo            Answer every request (any method, any path) with 200 and
                      the request as JSON: method, target, version, headers in
                      order as received (non-ASCII bytes read as Latin-1), and
                      the decoded body in base64.
                      Without it: GET / answers 200 \"Hello, world!\", other
                      paths 404, other methods on / 405.
    --dir PATH        Serve the directory PATH: GET and HEAD of its files
                      (streamed from disk, with types, ETag and Last-Modified,
                      conditional requests, single ranges), an HTML listing
                      of the first 1000 names for a directory without
                      index.html, nothing outside PATH (no link is followed
                      out of it). Names starting with a dot are hidden (404).
    --dotfiles        With --dir: serve names starting with a dot (.env, .git/).
    --upload          With --dir: PUT writes the request body to the file
                      (201 or 204; 412 for If-None-Match: * on an existing
                      file); without it PUT gets 405.
    --max-upload BYTES
                      With --upload: the largest upload (413 past it; default
                      4 GiB). Uploads are copied to disk as they arrive, so
                      this bounds disk use, not memory, and leaves the limit
                      of bodies held in memory (8 MiB) as it is.
    --upload-quota BYTES
                      With --upload: the bytes all uploads together may write
                      while the server runs (413 past it; default 16 GiB).
    --log             Print one access-log line per answer to stderr (the server's own too)
                      (method, target, version, status, body bytes). Off by default.
    --max-connections N
                      Most connections open at once; more get 503 and are
                      closed (default 20000).
    --head-timeout SECONDS
                      Deadline for a whole request head from its first byte;
                      a client still sending it then gets 408 (default 10).
    --min-body-rate BYTES
                      Slowest request body accepted, in bytes per second over
                      each window: a slower body gets 408 and a close (\"slow
                      POST\"); 0 turns it off (default 500).
    --min-write-rate BYTES
                      Slowest reader accepted, in bytes per second over each
                      window while responses wait: a slower client is
                      disconnected (\"slow read\"); 0 turns it off (default 500).
    --min-rate-window SECONDS
                      The window both rates are measured over; the first is a
                      grace period (default 10).
    -h, --help        Print this help.

SIGNALS:
    SIGINT, SIGTERM   Graceful shutdown: stop accepting, finish requests in
                      flight, close idle connections. A second signal exits at once.
";

struct Args {
    addr: String,
    echo: bool,
    dir: Option<std::path::PathBuf>,
    upload: bool,
    max_upload: Option<u64>,
    upload_quota: Option<u64>,
    dotfiles: bool,
    config: ServerConfig,
}

/// The flags, or `None` for `--help`; an error is one line naming the flag.
fn parse_args(argv: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Option<Args>, String> {
    use lexopt::prelude::*;
    let mut args_out = Args {
        addr: "127.0.0.1:5100".to_owned(),
        echo: false,
        dir: None,
        upload: false,
        max_upload: None,
        upload_quota: None,
        dotfiles: false,
        config: ServerConfig::new(),
    };
    let args = &mut args_out;
    let mut parser = lexopt::Parser::from_args(argv);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("addr") => args.addr = value(&mut parser, "--addr")?,
            Long("threads") => args.config = args.config.threads(value(&mut parser, "--threads")?),
            Long("echo") => args.echo = true,
            Long("dir") => {
                let dir = parser.value().map_err(|e| e.to_string())?;
                args.dir = Some(dir.into());
            }
            Long("upload") => args.upload = true,
            Long("max-upload") => args.max_upload = Some(value(&mut parser, "--max-upload")?),
            Long("upload-quota") => {
                args.upload_quota = Some(value(&mut parser, "--upload-quota")?);
            }
            Long("dotfiles") => args.dotfiles = true,
            Long("log") => args.config = args.config.log(access_log),
            Long("max-connections") => {
                let max = value(&mut parser, "--max-connections")?;
                args.config = args.config.max_connections(max);
            }
            Long("head-timeout") => {
                let timeout = seconds(value(&mut parser, "--head-timeout")?, "--head-timeout")?;
                args.config = args.config.head_timeout(timeout);
            }
            Long("min-body-rate") => {
                let rate = value(&mut parser, "--min-body-rate")?;
                args.config = args.config.min_body_rate(rate);
            }
            Long("min-write-rate") => {
                let rate = value(&mut parser, "--min-write-rate")?;
                args.config = args.config.min_write_rate(rate);
            }
            Long("min-rate-window") => {
                let window = value(&mut parser, "--min-rate-window")?;
                args.config = args
                    .config
                    .min_rate_window(seconds(window, "--min-rate-window")?);
            }
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    // Flags that only mean something beside another are refused alone, rather than ignored.
    let needs = [
        (args.upload, "--upload", args.dir.is_some(), "--dir"),
        (args.dotfiles, "--dotfiles", args.dir.is_some(), "--dir"),
        (
            args.max_upload.is_some(),
            "--max-upload",
            args.upload,
            "--upload",
        ),
        (
            args.upload_quota.is_some(),
            "--upload-quota",
            args.upload,
            "--upload",
        ),
    ];
    for (given, flag, present, needed) in needs {
        if given && !present {
            return Err(format!("{flag} needs {needed}"));
        }
    }
    if args.echo && args.dir.is_some() {
        return Err("--echo and --dir cannot be used together".to_owned());
    }
    Ok(Some(args_out))
}

/// The value of `flag`, parsed; the error names the flag and the value.
fn value<T>(parser: &mut lexopt::Parser, flag: &str) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw = parser.value().map_err(|e| e.to_string())?;
    let text = raw
        .to_str()
        .ok_or_else(|| format!("{flag}: the value {raw:?} is not UTF-8"))?;
    text.parse()
        .map_err(|error| format!("{flag}: invalid value {text:?}: {error}"))
}

/// A duration given in (possibly fractional) seconds.
fn seconds(seconds: f64, flag: &str) -> Result<std::time::Duration, String> {
    std::time::Duration::try_from_secs_f64(seconds)
        .map_err(|error| format!("{flag}: invalid value \"{seconds}\": {error}"))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("h1-server: {error} (see h1-server --help)");
            return ExitCode::from(2);
        }
    };
    // 10,000 keep-alive connections need more descriptors than the usual soft limit of 1024.
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("h1-server: could not raise the open-file limit: {error}");
    }
    let dir = match served_dir(&args) {
        Ok(dir) => dir,
        Err(error) => {
            let path = args.dir.unwrap_or_default();
            eprintln!("h1-server: cannot serve {path:?}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let server = match Server::bind(args.addr.as_str(), args.config) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("h1-server: cannot listen on {}: {error}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    let notice = || {
        // Not eprintln!: with stderr closed it would panic and end the signal thread.
        let _ = writeln!(std::io::stderr(), "h1-server: shutting down");
    };
    if let Err(error) = h1_server::signals::shutdown_on_signals(server.shutdown_handle(), notice) {
        eprintln!("h1-server: cannot handle signals: {error}");
    }
    let serving = match (args.echo, &dir) {
        (true, _) => ", echo",
        (false, Some(_)) => ", serving a directory",
        (false, None) => "",
    };
    eprintln!(
        "h1-server: listening on http://{} ({} threads{serving})",
        server.local_addr(),
        server.config().worker_threads(),
    );
    match serve(server, args.echo, dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("h1-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `--dir` as the flags beside it shape it (`--dotfiles`, `--upload` and its limits), if given.
fn served_dir(args: &Args) -> std::io::Result<Option<ServeDir>> {
    let Some(path) = args.dir.as_deref() else {
        return Ok(None);
    };
    let dir = ServeDir::new(path)?.dotfiles(args.dotfiles);
    if !args.upload {
        return Ok(Some(dir));
    }
    // The upload route's own body limit: uploads stream to disk, so the server's limit of
    // bodies held in memory stays as it is.
    let max = args
        .max_upload
        .unwrap_or(h1_server::files::DEFAULT_MAX_UPLOAD);
    let quota = args
        .upload_quota
        .unwrap_or(h1_server::files::DEFAULT_UPLOAD_QUOTA);
    Ok(Some(dir.uploads(max).upload_quota(quota)))
}

/// Serves `--echo`, the directory, or the hello route until shut down. Every route of the
/// binary answers from memory or streams files: inline.
fn serve(server: Server, echoing: bool, dir: Option<ServeDir>) -> std::io::Result<()> {
    match (echoing, dir) {
        (true, _) => server.serve(Inline(echo)),
        (false, Some(dir)) => server.serve(dir),
        (false, None) => {
            let mut router = Router::new();
            router.inline().get("/", |_: &Request, res: &mut Response| {
                res.header("Content-Type", "text/plain");
                res.set_body("Hello, world!");
            });
            server.serve(router)
        }
    }
}

/// `--log`: one line per answer on stderr, the server's own answers included: the client,
/// the time, the request-line, the status, the body bytes (`-`: streamed, length unknown) and
/// the time from the request's first byte to the answer's head.
fn access_log(served: &Served<'_>) {
    let peer = served
        .peer
        .map_or_else(|| "-".to_owned(), |peer| peer.ip().to_string());
    let version = served.version.map_or("-", |version| version.as_str());
    let bytes = served
        .body_bytes
        .map_or_else(|| "-".to_owned(), |bytes| bytes.to_string());
    // Not eprintln!: with stderr closed it would panic.
    let _ = writeln!(
        std::io::stderr().lock(),
        "{peer} [{}] \"{} {} {version}\" {} {bytes} {:.3}ms",
        httpdate::fmt_http_date(served.received),
        served.method,
        served.target,
        served.status,
        served.duration.as_secs_f64() * 1000.0,
    );
}

/// `--echo`: the request as JSON. Allocates per request (echo mode only).
fn echo(req: &Request<'_>, res: &mut Response) {
    let mut json = String::with_capacity(256 + req.body().len() * 4 / 3);
    json.push_str("{\"method\":");
    push_json_string(&mut json, req.method().as_str().as_bytes());
    json.push_str(",\"target\":");
    push_json_string(&mut json, req.target().as_bytes());
    json.push_str(",\"version\":");
    push_json_string(&mut json, req.version().as_str().as_bytes());
    json.push_str(",\"headers\":[");
    for (i, header) in req.headers().iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push('[');
        push_json_string(&mut json, header.name.as_bytes());
        json.push(',');
        push_json_string(&mut json, header.value);
        json.push(']');
    }
    json.push_str("],\"body_base64\":\"");
    base64::engine::general_purpose::STANDARD.encode_string(req.body(), &mut json);
    json.push_str("\"}");
    res.header("Content-Type", "application/json");
    res.set_body(json);
}

/// A JSON string of `bytes` read as Latin-1: each byte is the code point of the same number.
fn push_json_string(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x00..=0x1f | 0x7f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            _ => out.push(char::from(b)),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::{parse_args, push_json_string};

    fn error_of(argv: &[&str]) -> String {
        match parse_args(argv.iter().map(Into::into)) {
            Err(error) => error,
            Ok(_) => panic!("{argv:?} accepted"),
        }
    }

    #[test]
    fn a_bad_value_names_its_flag() {
        assert_eq!(
            error_of(&["--threads", "abc"]),
            "--threads: invalid value \"abc\": invalid digit found in string"
        );
        assert!(error_of(&["--head-timeout", "-1"]).starts_with("--head-timeout: "));
        assert!(error_of(&["--max-connections"]).contains("--max-connections"));
        assert!(error_of(&["--nope"]).contains("--nope"));
    }

    #[test]
    fn flags_that_need_another_are_refused_alone() {
        assert_eq!(error_of(&["--upload"]), "--upload needs --dir");
        assert_eq!(error_of(&["--dotfiles"]), "--dotfiles needs --dir");
        assert_eq!(
            error_of(&["--dir", ".", "--max-upload", "10"]),
            "--max-upload needs --upload"
        );
        assert_eq!(
            error_of(&["--dir", ".", "--upload-quota", "10"]),
            "--upload-quota needs --upload"
        );
        assert_eq!(
            error_of(&["--echo", "--dir", "."]),
            "--echo and --dir cannot be used together"
        );
    }

    #[test]
    fn max_upload_leaves_the_in_memory_body_limit_alone() {
        let default = h1_server::ServerConfig::new().parser.max_body_size;
        let plain = parse_args(["--dir", "."].map(Into::into)).unwrap().unwrap();
        assert_eq!(plain.config.parser.max_body_size, default);
        for max in ["1234", "10000000000"] {
            let argv = ["--dir", ".", "--upload", "--max-upload", max];
            let upload = parse_args(argv.map(Into::into)).unwrap().unwrap();
            assert_eq!(upload.config.parser.max_body_size, default);
            assert_eq!(upload.max_upload, max.parse().ok());
        }
    }

    #[test]
    fn json_strings_read_bytes_as_latin1_and_escape() {
        let cases: &[(&[u8], &str)] = &[
            (b"abc", r#""abc""#),
            (b"a\"b\\c", r#""a\"b\\c""#),
            (b"\t\x01\x7f", r#""\t\u0001\u007f""#),
            (b"caf\xe9", "\"caf\u{e9}\""),
            (b"\xff\x80", "\"\u{ff}\u{80}\""),
        ];
        for &(bytes, expected) in cases {
            let mut out = String::new();
            push_json_string(&mut out, bytes);
            assert_eq!(out, expected);
        }
    }
}
