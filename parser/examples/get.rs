//! `get`: a small blocking HTTP/1.1 client over `std::net`, on h1-parser's `ResponseParser` and
//! `BodyDecoder`.
//!
//! ```text
//! cargo run -p h1-parser --example get -- [--method M] [--data STR] [-H 'Name: value']...
//!     [--repeat N] [--json] URL
//! ```
//!
//! `URL` is `http://host[:port][/path]` (no TLS). The body is read by its framing (Content-Length,
//! chunked, or until the server closes the connection). With `--repeat N` the request is sent
//! N times, on the same connection while the server keeps it alive (HTTP/1.1 without
//! `Connection: close`, HTTP/1.0 with `Connection: keep-alive`, and a body that did not run to
//! the close), on a new one otherwise. Output: like `curl -i` (status line, fields, empty line,
//! decoded body), or with `--json` one object per response:
//! `{"version":"HTTP/1.1","status":200,"reason":"OK","headers":[["Name","value"]],"body_base64":"..."}`.
//! Interim 1xx responses are printed too. On a malformed response it prints the error and its
//! offset to stderr and exits with status 1; on a usage error, 2, and so on a request the
//! writer of h1-parser refuses (`-H $'X-A: 1\r\nX-Injected: 2'`: a value with CR LF, which
//! would inject a field), with the rule it breaks — nothing is sent then.
//!
//! The parser runs with the strict defaults plus one leniency, `allow_missing_reason_sp`: a
//! status-line without SP after the code (`HTTP/1.1 200\r\n`), which every peer parser accepts
//! from real servers.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use common::{owned, OwnedResponse};
use h1_parser::write::{Body, RequestHead, WriteError};
use h1_parser::{BodyDecoder, Config, Decoded, Framing, Method, ResponseParser, Status, Version};

struct Args {
    method: String,
    data: Option<String>,
    headers: Vec<String>,
    repeat: usize,
    json: bool,
    url: String,
}

const USAGE: &str =
    "usage: get [--method M] [--data STR] [-H 'Name: value']... [--repeat N] [--json] URL";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        method: String::new(),
        data: None,
        headers: Vec::new(),
        repeat: 1,
        json: false,
        url: String::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--method" | "-X" => parsed.method = value(&arg)?,
            "--data" | "-d" => parsed.data = Some(value(&arg)?),
            "--header" | "-H" => parsed.headers.push(value(&arg)?),
            "--repeat" => {
                parsed.repeat = value(&arg)?
                    .parse()
                    .map_err(|_| "--repeat needs a number".to_owned())?
            }
            "--json" => parsed.json = true,
            "--help" | "-h" => return Err(String::new()),
            _ if arg.starts_with('-') => return Err(format!("unknown flag {arg}")),
            _ if parsed.url.is_empty() => parsed.url = arg,
            _ => return Err(format!("one URL only, not also {arg}")),
        }
    }
    if parsed.url.is_empty() {
        return Err("a URL is needed".to_owned());
    }
    if parsed.method.is_empty() {
        parsed.method = if parsed.data.is_some() { "POST" } else { "GET" }.to_owned();
    }
    Ok(parsed)
}

/// `http://host[:port][/path]` → (the address to connect to, the Host value, the target).
fn split_url(url: &str) -> Result<(String, String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err("the URL needs a host (and no userinfo)".to_owned());
    }
    let target = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    // A port after the last ':' that is not inside an IPv6 literal; 80 otherwise.
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.contains(']'));
    let address = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Ok((address, authority.to_owned(), target))
}

/// What went wrong: a malformed response (with its offset in the bytes of the connection) or
/// the connection itself.
enum Failure {
    Malformed(h1_parser::Error, u64),
    Io(std::io::Error),
    Closed(&'static str),
    /// The request the arguments describe breaks a rule of RFC 9112 / RFC 9110: not sent.
    Refused(String),
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        Failure::Io(error)
    }
}

/// One connection and the bytes read from it that no response has used yet.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes of the connection before `buf[0]`, for error offsets.
    base: u64,
    eof: bool,
}

impl Connection {
    fn open(address: &str) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            base: 0,
            eof: false,
        })
    }

    /// Reads more bytes; false at the end of the stream.
    fn fill(&mut self) -> std::io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// Drops the first `n` bytes of the buffer: they were used.
    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
        self.base += n as u64;
    }

    /// Reads one response: the head, then the body by its framing; true with it when the
    /// connection can carry the next request (`Response::keep_alive`). Interim 1xx responses
    /// (other than 101) are returned as they are; the caller reads on.
    fn read_response(
        &mut self,
        method: Method<'_>,
        config: Config,
    ) -> Result<(OwnedResponse, bool), Failure> {
        let mut parser = ResponseParser::with_config(config);
        let (mut response, head_len, keep_alive) = loop {
            match parser.parse(&self.buf) {
                Ok(Status::Complete(head)) => {
                    // The request offers no upgrade: a 101 is an error.
                    let framing = head
                        .framing(method, false)
                        .map_err(|error| Failure::Malformed(error, self.base))?;
                    let response = OwnedResponse {
                        version: head.version().as_str(),
                        code: head.code(),
                        reason: head.reason().to_vec(),
                        headers: owned(head.headers()),
                        framing,
                        body: Vec::new(),
                        trailers: Vec::new(),
                    };
                    break (response, head.head_len(), head.keep_alive(method));
                }
                Ok(Status::Partial) => {
                    if !self.fill()? {
                        return Err(Failure::Closed(
                            "the connection closed before the response head ended",
                        ));
                    }
                }
                Err(error) => {
                    let offset = parser.error_offset().unwrap_or_default();
                    return Err(Failure::Malformed(error, self.base + offset as u64));
                }
            }
        };
        self.consume(head_len);
        // Body offsets count from here.
        let body_start = self.base;
        let malformed = |error, decoder: &BodyDecoder| {
            Failure::Malformed(
                error,
                body_start + decoder.error_offset().unwrap_or_default(),
            )
        };
        let mut decoder = BodyDecoder::new(response.framing, config);
        loop {
            let (consumed, found) = match decoder.decode(&self.buf) {
                Ok(step) => step,
                Err(error) => return Err(malformed(error, &decoder)),
            };
            let partial = match found {
                Decoded::Data(data) => {
                    response.body.extend_from_slice(data);
                    false
                }
                Decoded::Trailer(field) => {
                    let field = (field.name.as_bytes().to_vec(), field.value.to_vec());
                    response.trailers.push(field);
                    false
                }
                Decoded::Done => {
                    self.consume(consumed);
                    return Ok((response, keep_alive));
                }
                Decoded::Partial => true,
            };
            self.consume(consumed);
            if partial && !self.fill()? {
                // The server closed the connection: the end of a close-delimited body, or an
                // incomplete one.
                if let Err(error) = decoder.finish() {
                    return Err(malformed(error, &decoder));
                }
            }
        }
    }
}

fn print_response(
    out: &mut impl Write,
    response: &OwnedResponse,
    json: bool,
) -> std::io::Result<()> {
    if json {
        writeln!(out, "{}", response.json(false))?;
        return Ok(());
    }
    out.write_all(response.version.as_bytes())?;
    write!(out, " {} ", response.code)?;
    out.write_all(&response.reason)?;
    out.write_all(b"\r\n")?;
    for (name, value) in &response.headers {
        out.write_all(name)?;
        out.write_all(b": ")?;
        out.write_all(value)?;
        out.write_all(b"\r\n")?;
    }
    out.write_all(b"\r\n")?;
    out.write_all(&response.body)?;
    Ok(())
}

/// The request head through h1-parser's writer, then the body: a `-H` line that would split
/// the head (CR or LF in a value), a name that is not a token, a framing field (the writer
/// writes Content-Length itself) or a second Host is refused with the rule it breaks, and
/// nothing is sent.
fn request_bytes(args: &Args, host: &str, target: &str) -> Result<Vec<u8>, String> {
    let refused = |what: &str, error: WriteError| format!("refused {what}: {error}");
    let mut out = vec![0u8; 64 * 1024];
    let method = method_of(&args.method);
    let mut head = RequestHead::new(&mut out[..], method, target, Version::Http11)
        .map_err(|error| refused("the request line", error))?;
    let mut fields = Vec::new();
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| format!("-H {header:?} is not 'Name: value'"))?;
        fields.push((name, value.trim_matches([' ', '\t'])));
    }
    let given = |wanted: &str| fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(wanted));
    let (host_given, agent_given) = (given("host"), given("user-agent"));
    if !host_given {
        fields.insert(0, ("Host", host));
    }
    if !agent_given {
        fields.push(("User-Agent", "h1-parser-get"));
    }
    for (name, value) in &fields {
        head.field(name, value)
            .map_err(|error| refused(&format!("the field {name:?}"), error))?;
    }
    let body = match &args.data {
        Some(data) => Body::Length(data.len() as u64),
        None => Body::None,
    };
    let len = head
        .finish(body)
        .map_err(|error| refused("the request", error))?;
    out.truncate(len);
    if let Some(data) = &args.data {
        out.extend_from_slice(data.as_bytes());
    }
    Ok(out)
}

/// The method as h1-parser names it, for the framing rules (HEAD, CONNECT).
fn method_of(token: &str) -> Method<'_> {
    // A token that is not a method goes to the writer as it is, which refuses it by name.
    Method::from_bytes(token.as_bytes()).unwrap_or(Method::Extension(token))
}

fn run(args: &Args) -> Result<(), Failure> {
    let (address, host, target) = split_url(&args.url).map_err(|message| {
        Failure::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            message,
        ))
    })?;
    let request = request_bytes(args, &host, &target).map_err(Failure::Refused)?;
    let method = method_of(&args.method);
    let config = Config::new().allow_missing_reason_sp(true);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut connection: Option<Connection> = None;
    for _ in 0..args.repeat {
        let conn = match &mut connection {
            Some(conn) => conn,
            None => connection.insert(Connection::open(&address)?),
        };
        conn.stream.write_all(&request)?;
        let (last, keep_alive) = loop {
            let (response, keep_alive) = conn.read_response(method, config)?;
            print_response(&mut out, &response, args.json)?;
            // RFC 9110 §15.2: a 1xx other than 101 is followed by the final response.
            if response.code >= 200 || response.framing == Framing::Tunnel {
                break (response, keep_alive);
            }
        };
        out.flush()?;
        if last.framing == Framing::Tunnel {
            // The connection speaks another protocol now: nothing more to do here.
            break;
        }
        if !keep_alive {
            connection = None;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("get: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Malformed(error, offset)) => {
            eprintln!("get: malformed response: {error} ({error:?} at offset {offset})");
            ExitCode::from(1)
        }
        Err(Failure::Io(error)) => {
            eprintln!("get: {error}");
            ExitCode::from(1)
        }
        Err(Failure::Refused(message)) => {
            eprintln!("get: {message}; nothing was sent");
            ExitCode::from(2)
        }
        Err(Failure::Closed(what)) => {
            eprintln!("get: {what}");
            ExitCode::from(1)
        }
    }
}
