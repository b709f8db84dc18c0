//! `inspect`: what h1-parser makes of some bytes. Reads stdin, parses one message after another
//! and prints one JSON object per message.
//!
//! ```text
//! printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' | cargo run -p h1-parser --example inspect
//! printf 'HTTP/1.1 200 OK\r\n\r\nhi' | cargo run -p h1-parser --example inspect -- --response
//! cargo run -p h1-parser --example inspect -- --response --method HEAD < responses.bin
//! ```
//!
//! Requests (the default) print in the shape of h1-server's `--echo`:
//! `{"method":"POST","target":"/a","version":"HTTP/1.1","headers":[["Host","a"]],"body_base64":"..."}`;
//! responses (`--response`, answering requests with `--method M`, GET by default):
//! `{"version":"HTTP/1.1","status":200,"reason":"OK","headers":[...],"body_base64":"..."}`. Both
//! add `"framing"` (`"none"`, `"length N"`, `"chunked"`, `"until-close"`, `"tunnel"`) and
//! `"trailers"`. Names and values are printed as received, bytes that are not ASCII as the
//! Latin-1 code point of the same number; the body is decoded. The end of stdin is the end of
//! the input (`BodyDecoder::finish`): it ends a close-delimited body, and a body it cuts short
//! is an error. After a tunnel or a body that runs to the close, nothing more is parsed.
//!
//! On an error it prints `{"error":"Variant","offset":N}` (the offset in stdin) and stops with
//! exit status 1; a head that stdin ends inside is `{"error":"IncompleteHead","offset":N}`, N
//! being the length of stdin.
//! `--bare-lf`, `--obs-fold` and `--missing-reason-sp` turn on the leniencies of `Config`.

mod common;

use std::io::{Read, Write};
use std::process::ExitCode;

use common::{framing_name, owned, push_body, push_fields, push_json_string, OwnedResponse};
use h1_parser::{
    BodyDecoder, Config, Decoded, Framing, Method, Progress, RequestParser, ResponseParser,
};

const USAGE: &str = "usage: inspect [--response [--method M]] [--bare-lf] [--obs-fold] [--missing-reason-sp] < bytes";

/// A body decoded to the end, or the error and its offset in the input.
struct Body {
    data: Vec<u8>,
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
    consumed: usize,
}

/// Decodes the body at the start of `input` (at offset `base`); the end of `input` is the end of
/// the stream.
fn decode(framing: Framing, config: Config, input: &[u8], base: usize) -> Result<Body, String> {
    let mut decoder = BodyDecoder::new(framing, config);
    let mut body = Body {
        data: Vec::new(),
        trailers: Vec::new(),
        consumed: 0,
    };
    let error = |error: h1_parser::Error, decoder: &BodyDecoder| {
        let offset = base as u64 + decoder.error_offset().unwrap_or_default();
        error_json(&format!("{error:?}"), offset)
    };
    loop {
        let rest = input.get(body.consumed..).unwrap_or_default();
        let (n, found) = decoder.decode(rest).map_err(|e| error(e, &decoder))?;
        body.consumed += n;
        match found {
            Decoded::Data(data) => body.data.extend_from_slice(data),
            Decoded::Trailer(field) => body
                .trailers
                .push((field.name.as_bytes().to_vec(), field.value.to_vec())),
            Decoded::Done => return Ok(body),
            // Every byte was offered: this is the end of the input.
            Decoded::Partial => decoder.finish().map_err(|e| error(e, &decoder))?,
        }
    }
}

fn error_json(variant: &str, offset: u64) -> String {
    format!("{{\"error\":\"{variant}\",\"offset\":{offset}}}")
}

/// One request at `input[at..]`: its JSON and where the next message starts (`None`: stop).
fn request(
    parser: &mut RequestParser,
    config: Config,
    input: &[u8],
    at: usize,
) -> Result<(String, Option<usize>), String> {
    parser.reset();
    let rest = &input[at..];
    let head = match parser.parse(rest) {
        Ok(Progress::Complete(head)) => head,
        Ok(Progress::Partial) => return Err(error_json("IncompleteHead", input.len() as u64)),
        Err(error) => {
            let offset = at + parser.error_offset().unwrap_or_default();
            return Err(error_json(&format!("{error:?}"), offset as u64));
        }
    };
    let body_at = at + head.head_len();
    let body = decode(head.framing(), config, &input[body_at..], body_at)?;
    let mut out = String::from("{\"method\":");
    push_json_string(&mut out, head.method().as_str().as_bytes());
    out.push_str(",\"target\":");
    push_json_string(&mut out, head.target_bytes());
    out.push_str(",\"version\":");
    push_json_string(&mut out, head.version().as_str().as_bytes());
    out.push(',');
    push_fields(
        &mut out,
        "headers",
        head.headers().iter().map(|h| (h.name.as_bytes(), h.value)),
    );
    out.push(',');
    push_body(&mut out, &body.data);
    out.push_str(",\"framing\":");
    push_json_string(&mut out, framing_name(head.framing()).as_bytes());
    out.push(',');
    push_fields(
        &mut out,
        "trailers",
        body.trailers.iter().map(|(n, v)| (&n[..], &v[..])),
    );
    out.push('}');
    Ok((out, Some(body_at + body.consumed)))
}

/// One response at `input[at..]`, answering a request with `method`.
fn response(
    parser: &mut ResponseParser,
    config: Config,
    method: Method<'_>,
    input: &[u8],
    at: usize,
) -> Result<(String, Option<usize>), String> {
    parser.reset();
    let rest = &input[at..];
    let head = match parser.parse(rest) {
        Ok(Progress::Complete(head)) => head,
        Ok(Progress::Partial) => return Err(error_json("IncompleteHead", input.len() as u64)),
        Err(error) => {
            let offset = at + parser.error_offset().unwrap_or_default();
            return Err(error_json(&format!("{error:?}"), offset as u64));
        }
    };
    // Bytes from anywhere: a 101 is taken as an upgrade the request offered.
    let framing = head
        .framing(method, true)
        .map_err(|error| error_json(&format!("{error:?}"), at as u64))?;
    let body_at = at + head.head_len();
    let body = decode(framing, config, &input[body_at..], body_at)?;
    let printed = OwnedResponse {
        version: head.version().as_str(),
        code: head.status(),
        reason: head.reason().to_vec(),
        headers: owned(head.headers()),
        framing,
        body: body.data,
        trailers: body.trailers,
    };
    // After a tunnel or a body that ran to the close, the rest is not HTTP/1.1 messages.
    let next = match framing {
        Framing::Tunnel | Framing::UntilClose => None,
        _ => Some(body_at + body.consumed),
    };
    Ok((printed.json(true), next))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut responses, mut method, mut config) = (false, String::from("GET"), Config::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--response" => responses = true,
            "--method" => match args.next() {
                Some(m) => method = m,
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--bare-lf" => config = config.allow_bare_lf(true),
            "--obs-fold" => config = config.allow_obs_fold(true),
            "--missing-reason-sp" => config = config.allow_missing_reason_sp(true),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let method = match method.as_str() {
        "HEAD" => Method::Head,
        "CONNECT" => Method::Connect,
        "GET" => Method::Get,
        other => Method::Extension(other),
    };
    let mut input = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("inspect: reading stdin: {error}");
        return ExitCode::from(1);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut request_parser, mut response_parser) = (
        RequestParser::with_config(config),
        ResponseParser::with_config(config),
    );
    let mut at = 0;
    while at < input.len() {
        let step = if responses {
            response(&mut response_parser, config, method, &input, at)
        } else {
            request(&mut request_parser, config, &input, at)
        };
        match step {
            Ok((json, next)) => {
                let _ = writeln!(out, "{json}");
                match next {
                    Some(next) => at = next,
                    None => break,
                }
            }
            Err(json) => {
                let _ = writeln!(out, "{json}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}
