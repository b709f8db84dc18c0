//! The conformance corpus, `tests/cases/*.txt` (format: `tests/cases/README.md`), run against
//! the parser: each case whole and one byte at a time, which must agree with each other and
//! with the case's expectations. Every failure is collected and printed before the test fails.
//!
//! `cargo test -p h1-parser --test conformance -- --nocapture` prints the count per file.

use std::collections::BTreeSet;
use std::path::Path;

#[path = "cases/corpus.rs"]
mod corpus;

use corpus::{key, line, Case};
use h1_parser::{
    BodyDecoder, Config, Decoded, Error, Framing, Method, Parser, Request, Response,
    ResponseParser, Status, TargetForm,
};

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let (mut total, mut failures, mut known) = (0, Vec::new(), Vec::new());
    let mut responses = 0;
    for (file, cases) in corpus::load(&dir) {
        println!("{file:>28}: {:3} cases", cases.len());
        total += cases.len();
        responses += cases.iter().filter(|case| case.response.is_some()).count();
        for case in &cases {
            let verdict = check(case);
            match (&case.known_failing, verdict) {
                (None, Ok(())) => {}
                (None, Err(report)) => failures.push(report),
                (Some(reason), Err(report)) => {
                    known.push(format!("{report}  known-failing: {reason}\n"))
                }
                (Some(_), Ok(())) => failures.push(format!(
                    "{}:{} {}: passes now; remove its known-failing line\n",
                    case.file, case.line, case.name
                )),
            }
        }
    }
    println!("{:>28}: {total:3} cases", "total");
    println!("{:>28}: {responses:3} cases", "of which responses");
    for report in &known {
        println!("KNOWN FAILING {report}");
    }
    for report in &failures {
        println!("FAILED {report}");
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed (printed above)",
        failures.len()
    );
    assert!(
        total >= 250,
        "the corpus must hold at least 250 cases, it holds {total}"
    );
    assert!(
        responses >= 120,
        "the corpus must hold at least 120 response cases, it holds {responses}"
    );
}

/// Runs a case whole and byte by byte; both must give its expected results.
fn check(case: &Case) -> Result<(), String> {
    let (whole, trickle) = match &case.response {
        None => (run(case, false), run(case, true)),
        Some(methods) => (
            run_responses(case, methods, false),
            run_responses(case, methods, true),
        ),
    };
    let header = format!("{}:{} {}", case.file, case.line, case.name);
    if whole != trickle {
        return Err(format!(
            "{header}: whole and 1-byte trickle differ\n  whole:   {}\n  trickle: {}\n",
            show(&whole),
            show(&trickle)
        ));
    }
    let actual = project(&whole, &case.expect);
    if actual != case.expect {
        return Err(format!(
            "{header}\n  expected: {}\n  actual:   {}\n",
            show(&case.expect),
            show(&actual)
        ));
    }
    Ok(())
}

fn show(results: &[Vec<String>]) -> String {
    let each: Vec<String> = results.iter().map(|lines| lines.join(" | ")).collect();
    each.join("\n          then: ")
}

/// Keeps, of each actual result, the lines its expectation checks: the optional keys only when
/// the expectation names them, an error's offset only when it gives one.
fn project(actual: &[Vec<String>], expect: &[Vec<String>]) -> Vec<Vec<String>> {
    const ALWAYS: [&str; 8] = [
        "complete",
        "error",
        "partial",
        "header",
        "framing",
        "trailer",
        "body-error",
        "body-incomplete",
    ];
    let empty = Vec::new();
    actual
        .iter()
        .enumerate()
        .map(|(i, lines)| {
            let wanted = expect.get(i).unwrap_or(&empty);
            let keys: BTreeSet<&str> = wanted.iter().map(|l| key(l)).collect();
            lines
                .iter()
                .filter(|l| ALWAYS.contains(&key(l)) || keys.contains(key(l)))
                .map(|l| {
                    // `error *`: any error; `error Variant`: without its offset.
                    let wanted = wanted.iter().find(|w| key(w) == key(l));
                    let is_error = key(l).ends_with("error");
                    match (l.split_once(" at ").filter(|_| is_error), wanted) {
                        (Some(_), Some(w)) if w.ends_with(" *") => format!("{} *", key(l)),
                        (Some((error, _)), Some(w)) if !w.contains(" at ") => error.to_owned(),
                        _ => l.clone(),
                    }
                })
                .collect()
        })
        .collect()
}

// ---- running a case ----

/// Parses every request in `case.raw`, with its body: whole, or fed one byte at a time.
fn run(case: &Case, trickle: bool) -> Vec<Vec<String>> {
    let raw = &case.raw[..];
    let mut parser: Parser = Parser::with_config(case.config);
    let (mut results, mut pos) = (Vec::new(), 0);
    while pos < raw.len() || results.is_empty() {
        parser.reset();
        let rest = &raw[pos..];
        let mut end = if trickle {
            rest.len().min(1)
        } else {
            rest.len()
        };
        let head = loop {
            match parser.parse(&rest[..end]) {
                Ok(Status::Partial) if end < rest.len() => end += 1,
                Ok(Status::Partial) => break None,
                Ok(Status::Complete(request)) => break Some(Ok(describe(&request))),
                Err(error) => break Some(Err(error)),
            }
        };
        let (mut lines, framing, head_len) = match head {
            None => {
                results.push(vec!["partial".to_owned()]);
                break;
            }
            Some(Err(error)) => {
                let at = pos + parser.error_offset().expect("an error has an offset");
                results.push(vec![format!("error {error:?} at {at}")]);
                break;
            }
            Some(Ok(described)) => described,
        };
        let body_start = pos + head_len;
        let (body_lines, consumed) = body(
            framing,
            &case.config,
            &raw[body_start..],
            trickle,
            body_start,
            false,
        );
        lines.extend(body_lines);
        results.push(lines);
        match consumed {
            Some(consumed) => pos = body_start + consumed,
            None => break,
        }
    }
    results
}

/// A complete head as canonical lines, with its framing and length.
fn describe(request: &Request<'_>) -> (Vec<String>, Framing, usize) {
    let form = match request.target_form() {
        TargetForm::Origin => "origin",
        TargetForm::Absolute => "absolute",
        TargetForm::Authority => "authority",
        TargetForm::Asterisk => "asterisk",
    };
    let framing = framing_name(request.framing());
    let mut lines = vec![
        "complete".to_owned(),
        line("method", request.method().as_str().as_bytes()),
        line("target", request.target_bytes()),
        line("form", form.as_bytes()),
        line("version", request.version().as_str().as_bytes()),
    ];
    for header in request.headers() {
        lines.push(line("header", &field(header.name, header.value)));
    }
    lines.push(line("framing", framing.as_bytes()));
    lines.push(format!("head_len {}", request.head_len()));
    (lines, request.framing(), request.head_len())
}

fn framing_name(framing: Framing) -> String {
    match framing {
        Framing::NoBody => "none".to_owned(),
        Framing::Length(n) => format!("length {n}"),
        Framing::Chunked => "chunked".to_owned(),
        Framing::UntilClose => "until-close".to_owned(),
        Framing::Tunnel => "tunnel".to_owned(),
    }
}

/// The method a `response:` word names.
fn method(word: &str) -> Method<'_> {
    match word {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "CONNECT" => Method::Connect,
        "OPTIONS" => Method::Options,
        "TRACE" => Method::Trace,
        "PATCH" => Method::Patch,
        other => Method::Extension(other),
    }
}

/// Parses every response in `case.raw`, with its body, as a client does: each final response
/// answers the next of `methods` (a 1xx answers the same request as the response after it).
/// The end of `raw` is the server closing the connection: `BodyDecoder::finish` is called there.
fn run_responses(case: &Case, methods: &[String], trickle: bool) -> Vec<Vec<String>> {
    let raw = &case.raw[..];
    let mut parser: ResponseParser = ResponseParser::with_config(case.config);
    let (mut results, mut pos, mut answered) = (Vec::new(), 0, 0);
    while pos < raw.len() || results.is_empty() {
        parser.reset();
        let rest = &raw[pos..];
        let word = methods.get(answered).or(methods.last()).expect("a method");
        // `GET+upgrade`: the request sent an Upgrade field.
        let (word, upgrade_sent) = match word.strip_suffix("+upgrade") {
            Some(word) => (word, true),
            None => (word.as_str(), false),
        };
        let method = method(word);
        let mut end = if trickle {
            rest.len().min(1)
        } else {
            rest.len()
        };
        let head = loop {
            match parser.parse(&rest[..end]) {
                Ok(Status::Partial) if end < rest.len() => end += 1,
                Ok(Status::Partial) => break None,
                Ok(Status::Complete(response)) => {
                    break Some(Ok(describe_response(&response, method, upgrade_sent)))
                }
                Err(error) => break Some(Err(error)),
            }
        };
        let (mut lines, framing, head_len, interim) = match head {
            None => {
                results.push(vec!["partial".to_owned()]);
                break;
            }
            Some(Err(error)) => {
                let at = pos + parser.error_offset().expect("an error has an offset");
                results.push(vec![format!("error {error:?} at {at}")]);
                break;
            }
            Some(Ok(described)) => described,
        };
        // A response that cannot be framed leaves nothing readable after its head.
        let Ok(framing) = framing else {
            results.push(lines);
            break;
        };
        if !interim {
            answered += 1;
        }
        let body_start = pos + head_len;
        let (body_lines, consumed) = body(
            framing,
            &case.config,
            &raw[body_start..],
            trickle,
            body_start,
            true,
        );
        lines.extend(body_lines);
        results.push(lines);
        match consumed {
            // After a tunnel or a body that ran to the close, the connection is no longer HTTP.
            Some(consumed) if !matches!(framing, Framing::Tunnel | Framing::UntilClose) => {
                pos = body_start + consumed
            }
            _ => break,
        }
    }
    results
}

/// A complete response head as canonical lines, with its framing, length and whether it is
/// interim (1xx other than 101).
fn describe_response(
    response: &Response<'_>,
    method: Method<'_>,
    upgrade_sent: bool,
) -> (Vec<String>, Result<Framing, Error>, usize, bool) {
    let framing = response.framing(method, upgrade_sent);
    let mut lines = vec![
        "complete".to_owned(),
        line("version", response.version().as_str().as_bytes()),
        format!("status {}", response.code()),
        line("reason", response.reason()),
    ];
    for header in response.headers() {
        lines.push(line("header", &field(header.name, header.value)));
    }
    match framing {
        Ok(framing) => lines.push(line("framing", framing_name(framing).as_bytes())),
        Err(error) => lines.push(format!("framing error {error:?}")),
    }
    lines.push(format!("head_len {}", response.head_len()));
    (lines, framing, response.head_len(), response.is_interim())
}

fn field(name: &str, value: &[u8]) -> Vec<u8> {
    let mut bytes = name.as_bytes().to_vec();
    bytes.push(b':');
    if !value.is_empty() {
        bytes.push(b' ');
        bytes.extend_from_slice(value);
    }
    bytes
}

/// Decodes the body at the start of `input` (at offset `base` of the raw bytes), as a caller
/// with a buffer does: unconsumed bytes stay in front, new ones are appended. Returns its lines
/// and the bytes it took, or `None` when the connection cannot go on (error, input ended).
fn body(
    framing: Framing,
    config: &Config,
    input: &[u8],
    trickle: bool,
    base: usize,
    response: bool,
) -> (Vec<String>, Option<usize>) {
    let mut decoder = BodyDecoder::new(framing, *config);
    let (mut pending, mut data, mut trailers) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fed, mut consumed) = (0, 0);
    let ending = loop {
        match decoder.decode(&pending) {
            Err(error) => {
                let at = base as u64 + decoder.error_offset().expect("an error has an offset");
                break Some(format!("body-error {error:?} at {at}"));
            }
            Ok((n, found)) => {
                consumed += n;
                match found {
                    Decoded::Data(bytes) => data.extend_from_slice(bytes),
                    Decoded::Trailer(header) => {
                        trailers.push(line("trailer", &field(header.name, header.value)))
                    }
                    Decoded::Done => break None,
                    // The input ended: a request's body is incomplete; for a response, the
                    // server closed the connection, and the decoder decides.
                    Decoded::Partial if fed == input.len() && !response => {
                        break Some("body-incomplete".to_owned())
                    }
                    Decoded::Partial if fed == input.len() => match decoder.finish() {
                        Ok(()) => break None,
                        Err(error) => {
                            let at = base as u64
                                + decoder.error_offset().expect("an error has an offset");
                            break Some(format!("body-error {error:?} at {at}"));
                        }
                    },
                    Decoded::Partial => {
                        let next = if trickle { fed + 1 } else { input.len() };
                        pending.extend_from_slice(&input[fed..next]);
                        fed = next;
                    }
                }
                pending.drain(..n);
            }
        }
    };
    let mut lines = vec![line("body", &data)];
    lines.extend(trailers);
    let go_on = ending.is_none().then_some(consumed);
    lines.extend(ending);
    (lines, go_on)
}
