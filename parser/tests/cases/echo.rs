//! The conformance corpus (`*.txt` here) against any echo server in `h1-server --echo`'s JSON
//! shape: each case's bytes on a fresh connection, then a half-close, and the answers judged
//! by the case's expectations (the echoed JSON for a complete request, the status of its
//! error otherwise). Cases with a non-default parser config, known-failing ones and response
//! cases are skipped. The one judge of an echo: used (`#[path]`) by the binary's
//! `cli/tests/conformance_echo.rs` and the adapters' corpus tests; needs `base64` as a
//! dev-dependency.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use h1_parser::{Config, Error};

use super::corpus::{self, key, line, Case};

/// What a run found.
pub struct Run {
    pub sent: usize,
    pub skipped: usize,
    pub failures: Vec<String>,
}

/// Every runnable case of the corpus in `dir` against the echo server at `addr`, four
/// connections at a time.
pub fn run(dir: &Path, addr: SocketAddr) -> Run {
    let cases: Vec<Case> = corpus::load(dir).into_iter().flat_map(|(_, c)| c).collect();
    let run: Vec<&Case> = cases
        .iter()
        .filter(|case| {
            case.config == Config::new() && case.known_failing.is_none() && case.response.is_none()
        })
        .collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let run = &run;
                scope.spawn(move || {
                    run.iter()
                        .skip(worker)
                        .step_by(4)
                        .filter_map(|case| check(addr, case).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    Run {
        sent: run.len(),
        skipped: cases.len() - run.len(),
        failures,
    }
}

/// One HTTP response as the test sees it.
#[derive(Debug)]
struct Answer {
    status: u16,
    close: bool,
    body: Vec<u8>,
}

fn check(addr: SocketAddr, case: &Case) -> Result<(), String> {
    let head_only: Vec<bool> = case
        .expect
        .iter()
        .map(|lines| lines.iter().any(|l| l == "method HEAD"))
        .collect();
    let answers = exchange(addr, &case.raw, &head_only)
        .map_err(|e| format!("{}:{} {}: {e}", case.file, case.line, case.name))?;
    let mut problems = Vec::new();
    let mut answers = answers.iter();
    for (i, expected) in case.expect.iter().enumerate() {
        let answer = answers.next();
        if let Err(problem) = judge(expected, answer, head_only[i]) {
            problems.push(format!("request {}: {problem}", i + 1));
            break;
        }
        // An error, an incomplete request or a closing answer ends the exchange.
        let ends = !matches!(answer, Some(a) if !a.close && a.status == 200);
        if ends {
            break;
        }
    }
    if let Some(extra) = answers.next().filter(|_| problems.is_empty()) {
        let ended = case.expect.len();
        problems.push(format!(
            "an answer after the last expected one ({ended}): {extra:?}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}:{} {}\n  {}\n",
            case.file,
            case.line,
            case.name,
            problems.join("\n  ")
        ))
    }
}

/// Compares one answer with one expected result.
fn judge(expected: &[String], answer: Option<&Answer>, head: bool) -> Result<(), String> {
    let first = expected.first().map(String::as_str).unwrap_or("");
    let body_ending = expected
        .iter()
        .find(|l| matches!(key(l), "body-error" | "body-incomplete"));
    let error = match (key(first), body_ending) {
        ("error", _) => Some(first.trim_start_matches("error ")),
        (_, Some(l)) if key(l) == "body-error" => Some(l.trim_start_matches("body-error ")),
        _ => None,
    };
    let incomplete = first == "partial" || body_ending.is_some_and(|l| l == "body-incomplete");
    match (answer, error) {
        // The server waits for the rest, then sees the half-close: silence or an error status.
        (None, None) if incomplete => Ok(()),
        (Some(a), None) if incomplete && a.status >= 400 => Ok(()),
        (None, _) => Err(format!("no answer, expected {first}")),
        (Some(a), Some(error)) => {
            let variant = error.split(" at ").next().unwrap_or(error);
            let wanted = status_of(variant)?;
            match wanted {
                Some(status) if a.status != status => Err(format!(
                    "status {}, expected {status} for {error}",
                    a.status
                )),
                None if a.status < 400 => Err(format!("status {}, expected an error", a.status)),
                _ if !a.close => Err(format!("{error} answered without closing")),
                _ => Ok(()),
            }
        }
        // RFC 9110 §9.3.6: a 2xx to CONNECT would open a tunnel; the server opens none, so
        // even `--echo`'s 200 goes out as 501 and the connection closes. (The authority form
        // is CONNECT's alone, RFC 9112 §3.2.3.)
        (Some(a), None)
            if expected
                .iter()
                .any(|l| l == "method CONNECT" || l == "form authority") =>
        {
            match (a.status, a.close) {
                (501, true) => Ok(()),
                (status, close) => Err(format!(
                    "CONNECT answered {status} (close: {close}), expected 501 and a close"
                )),
            }
        }
        (Some(a), None) if a.status != 200 => Err(format!(
            "status {}, expected 200 with {}",
            a.status,
            expected.join(" | ")
        )),
        (Some(_), None) if head => Ok(()),
        (Some(a), None) => {
            let actual = echoed(&a.body)?;
            let keys: Vec<&str> = expected.iter().map(|l| key(l)).collect();
            let wanted: Vec<&String> = expected
                .iter()
                .filter(|l| matches!(key(l), "method" | "target" | "version" | "header" | "body"))
                .collect();
            let got: Vec<&String> = actual
                .iter()
                .filter(|l| key(l) == "header" || keys.contains(&key(l)))
                .collect();
            if wanted == got {
                Ok(())
            } else {
                Err(format!("expected {wanted:?}\n  echoed   {got:?}"))
            }
        }
    }
}

/// The status `Error::status` gives the named variant; `None` for `*` (any error).
fn status_of(variant: &str) -> Result<Option<u16>, String> {
    if variant == "*" {
        return Ok(None);
    }
    Error::ALL
        .iter()
        .find(|e| format!("{e:?}") == variant)
        .map(|e| Some(e.status()))
        .ok_or_else(|| format!("unknown error variant {variant}"))
}

/// Sends `raw`, half-closes, and reads every answer until the server closes (or 5 s pass).
fn exchange(addr: SocketAddr, raw: &[u8], head_only: &[bool]) -> Result<Vec<Answer>, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| e.to_string())?;
    // The server may answer and close before it has read everything: a failed write is fine.
    let _ = stream.write_all(raw);
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut received = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                // Silence: the server waits for bytes that will never come.
                break;
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    let mut answers = Vec::new();
    let mut rest = &received[..];
    while !rest.is_empty() {
        let head_end = find(rest, b"\r\n\r\n").ok_or("an answer without the end of its head")? + 4;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let status = head
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line: {head:?}"))?;
        let field = |name: &str| {
            head.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_ascii_lowercase())
        };
        let length: usize = field("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let close = field("connection").is_some_and(|v| v.contains("close"));
        let head_request = head_only.get(answers.len()).copied().unwrap_or(false);
        let length = if head_request { 0 } else { length };
        let body = rest
            .get(head_end..head_end + length)
            .ok_or("a truncated answer")?;
        answers.push(Answer {
            status,
            close,
            body: body.to_vec(),
        });
        rest = &rest[head_end + length..];
    }
    Ok(answers)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The echoed JSON as canonical corpus lines: method, target, version, header..., body.
fn echoed(json: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(json).map_err(|e| e.to_string())?;
    let mut p = Json {
        s: text.as_bytes(),
        at: 0,
    };
    let mut lines = Vec::new();
    p.eat(b'{')?;
    loop {
        let name = p.string()?;
        p.eat(b':')?;
        match name.as_slice() {
            b"headers" => {
                p.eat(b'[')?;
                while p.peek() == Some(b'[') {
                    p.eat(b'[')?;
                    let mut field = p.string()?;
                    p.eat(b',')?;
                    let value = p.string()?;
                    p.eat(b']')?;
                    field.push(b':');
                    if !value.is_empty() {
                        field.push(b' ');
                        field.extend_from_slice(&value);
                    }
                    lines.push(line("header", &field));
                    if p.peek() == Some(b',') {
                        p.eat(b',')?;
                    }
                }
                p.eat(b']')?;
            }
            b"body_base64" => {
                let encoded = p.string()?;
                let body = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|e| e.to_string())?;
                lines.push(line("body", &body));
            }
            other => {
                let value = p.string()?;
                lines.push(line(&String::from_utf8_lossy(other), &value));
            }
        }
        match p.peek() {
            Some(b',') => p.eat(b',')?,
            _ => break,
        }
    }
    p.eat(b'}')?;
    Ok(lines)
}

/// Just enough JSON for the echo shape: objects, arrays and strings; a string's code points
/// (all below 256, Latin-1) become bytes again.
struct Json<'a> {
    s: &'a [u8],
    at: usize,
}

impl Json<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> Result<(), String> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("JSON: expected {:?} at {}", b as char, self.at))
        }
    }

    fn string(&mut self) -> Result<Vec<u8>, String> {
        self.eat(b'"')?;
        let text = std::str::from_utf8(&self.s[self.at..]).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        let mut chars = text.char_indices();
        while let Some((i, c)) = chars.next() {
            let code = match c {
                '"' => {
                    self.at += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => 0x0a,
                    Some('r') => 0x0d,
                    Some('t') => 0x09,
                    Some('u') => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?
                    }
                    Some(c) => c as u32,
                    None => break,
                },
                c => c as u32,
            };
            out.push(u8::try_from(code).map_err(|_| format!("JSON: code point {code:#x} > 0xFF"))?);
        }
        Err("JSON: unterminated string".to_owned())
    }
}
