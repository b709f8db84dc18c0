//! The `h1-server` binary: `Hello, world!` on `GET /`, `--echo` to answer every request with
//! its parse as JSON, or `--dir PATH` to serve a directory.

use std::io::Write;
use std::process::ExitCode;

use base64::Engine;
use h1_server::files::ServeDir;
use h1_server::{Handler, Request, Response, Router, Server, ServerConfig};

const HELP: &str = "\
h1-server: a small, fast, hard-to-abuse HTTP/1.1 server

USAGE:
    h1-server [--addr HOST:PORT] [--threads N] [--echo] [--log]
              [--dir PATH [--upload] [--max-upload BYTES]]
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
                      for a directory without index.html, nothing outside PATH.
    --upload          With --dir: PUT writes the request body to the file
                      (201 or 204); without it PUT gets 405.
    --max-upload BYTES
                      With --upload: the largest upload (413 past it). Uploads
                      are buffered in memory as any request body, so this also
                      sets the server's body limit (default: that limit, 8 MiB).
    --log             Print one access-log line per request to stderr
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
    log: bool,
    config: ServerConfig,
}

fn parse_args() -> Result<Option<Args>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut args = Args {
        addr: "127.0.0.1:5100".to_owned(),
        echo: false,
        dir: None,
        upload: false,
        max_upload: None,
        log: false,
        config: ServerConfig::new(),
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("addr") => args.addr = parser.value()?.string()?,
            Long("threads") => args.config = args.config.threads(parser.value()?.parse()?),
            Long("echo") => args.echo = true,
            Long("dir") => args.dir = Some(parser.value()?.into()),
            Long("upload") => args.upload = true,
            Long("max-upload") => args.max_upload = Some(parser.value()?.parse()?),
            Long("log") => args.log = true,
            Long("max-connections") => {
                args.config = args.config.max_connections(parser.value()?.parse()?);
            }
            Long("head-timeout") => {
                args.config = args.config.head_timeout(seconds(parser.value()?)?);
            }
            Long("min-body-rate") => {
                args.config = args.config.min_body_rate(parser.value()?.parse()?);
            }
            Long("min-write-rate") => {
                args.config = args.config.min_write_rate(parser.value()?.parse()?);
            }
            Long("min-rate-window") => {
                args.config = args.config.min_rate_window(seconds(parser.value()?)?);
            }
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected()),
        }
    }
    if let Some(max) = args.max_upload {
        let parser = args.config.parser.max_body_size(max);
        args.config = args.config.parser(parser);
    }
    Ok(Some(args))
}

/// A duration given in (possibly fractional) seconds.
fn seconds(value: std::ffi::OsString) -> Result<std::time::Duration, lexopt::Error> {
    use lexopt::prelude::*;
    let seconds: f64 = value.parse()?;
    std::time::Duration::try_from_secs_f64(seconds)
        .map_err(|error| lexopt::Error::from(error.to_string()))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("h1-server: {error}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    // 10,000 keep-alive connections need more descriptors than the usual soft limit of 1024.
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("h1-server: could not raise the open-file limit: {error}");
    }

    let dir = match args.dir.as_deref().map(ServeDir::new).transpose() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!(
                "h1-server: cannot serve {:?}: {error}",
                args.dir.unwrap_or_default()
            );
            return ExitCode::FAILURE;
        }
    };
    let dir = match dir {
        Some(dir) if args.upload => {
            let max = args.max_upload.unwrap_or(args.config.parser.max_body_size);
            Some(dir.uploads(max))
        }
        dir => dir,
    };

    let server = match Server::bind(args.addr.as_str(), args.config) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("h1-server: cannot listen on {}: {error}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = on_signals(server.shutdown_handle()) {
        eprintln!("h1-server: cannot handle signals: {error}");
    }
    eprintln!(
        "h1-server: listening on http://{} ({} threads{})",
        server.local_addr(),
        server.config().worker_threads(),
        if args.echo {
            ", echo"
        } else if dir.is_some() {
            ", serving a directory"
        } else {
            ""
        }
    );

    let result = match (args.echo, dir, args.log) {
        (true, _, false) => server.serve(echo),
        (true, _, true) => server.serve(AccessLog(echo)),
        (false, Some(dir), false) => server.serve(dir),
        (false, Some(dir), true) => server.serve(AccessLog(dir)),
        (false, None, log) => {
            let mut router = Router::new();
            router.get("/", |_: &Request, res: &mut Response| {
                res.header("Content-Type", "text/plain");
                res.set_body("Hello, world!");
            });
            if log {
                server.serve(AccessLog(router))
            } else {
                server.serve(router)
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("h1-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT or SIGTERM starts a graceful shutdown; a second one exits at once.
#[cfg(unix)]
fn on_signals(handle: h1_server::ShutdownHandle) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("h1-signals".to_owned())
        .spawn(move || {
            for signal in signals.forever() {
                if handle.is_shutdown() {
                    std::process::exit(128 + signal);
                }
                // Not eprintln!: with stderr closed it would panic and end this thread, and
                // signals would go unanswered.
                let _ = writeln!(std::io::stderr(), "h1-server: shutting down");
                handle.shutdown();
            }
        })?;
    Ok(())
}

/// Where signal-hook has no signal iterator (Windows: Ctrl-C arrives as SIGINT): a flag per
/// signal, looked at every 100 ms by a thread of its own.
#[cfg(not(unix))]
fn on_signals(handle: h1_server::ShutdownHandle) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use std::sync::{atomic::AtomicBool, atomic::Ordering, Arc};
    let raised = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&raised))?;
    }
    std::thread::Builder::new()
        .name("h1-signals".to_owned())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if raised.swap(false, Ordering::SeqCst) {
                if handle.is_shutdown() {
                    std::process::exit(130);
                }
                let _ = writeln!(std::io::stderr(), "h1-server: shutting down");
                handle.shutdown();
            }
        })?;
    Ok(())
}

/// Wraps a handler with one access-log line per request on stderr.
struct AccessLog<H>(H);

impl<H: Handler> Handler for AccessLog<H> {
    fn handle(&self, req: &Request<'_>, res: &mut Response) {
        self.0.handle(req, res);
        let _ = writeln!(
            std::io::stderr().lock(),
            "{} {} {} {} {}",
            req.method(),
            req.target(),
            req.version().as_str(),
            res.status(),
            res.streamed_length().unwrap_or(res.body().len() as u64)
        );
    }
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
    use super::push_json_string;

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
