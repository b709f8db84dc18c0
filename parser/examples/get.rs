//! `get`: a blocking HTTP/1.1 client on h1-parser's connection core, `ClientConn`: `cargo run
//! -p h1-parser --example get -- [-X M] [-d STR] [-H 'Name: value']... [--repeat N] [--json] URL`
//! for `http://host[:port][/path]`. Prints like `curl -i` (1xx too), bodies of any size streamed,
//! or with `--json` an object per response (`version`, `status`, `reason`, `headers`, and
//! `body_base64`, for which the body is held whole). `--repeat N` reuses the connection while the
//! core says it persists. `Expect: 100-continue` holds the body until 100 or for a second. Exit 1:
//! a malformed response (the core's error); exit 2: a usage error, or a request the checked writer
//! refuses (its rule named, nothing sent). Leniency: `allow_missing_reason_sp` (`HTTP/1.1 200`).

mod common;

use common::{push_body, push_fields, push_json_string, split_http_url};
use h1_parser::conn::{ClientConn, ConnError, Event};
use h1_parser::{write::Body, Config, Method};
use std::{io::Read, io::Write, net::TcpStream, process::ExitCode, time::Duration};

const USAGE: &str = "usage: get [-X M] [-d STR] [-H 'Name: value']... [--repeat N] [--json] URL";

/// An exit status and what to say on stderr.
struct Failure(u8, String);

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        Failure(1, error.to_string())
    }
}

fn main() -> ExitCode {
    let Err(Failure(code, message)) = run(&mut std::io::stdout().lock()) else {
        return ExitCode::SUCCESS;
    };
    eprintln!("get: {message}");
    ExitCode::from(code)
}

fn run(out: &mut impl Write) -> Result<(), Failure> {
    let usage = |what: &str| Failure(2, format!("{what}\n{USAGE}"));
    let (mut method, mut data, mut headers, mut repeat) = (None, None, Vec::new(), 1);
    let (mut json_out, mut url, mut argv) = (false, None, std::env::args().skip(1));
    while let Some(arg) = argv.next() {
        let mut value = || argv.next().ok_or(usage("a flag needs a value"));
        match arg.as_str() {
            "--json" => json_out = true,
            "--method" | "-X" => method = Some(value()?),
            "--data" | "-d" => data = Some(value()?),
            "--header" | "-H" => headers.push(value()?),
            "--repeat" => repeat = value()?.parse().map_err(|_| usage("--repeat N"))?,
            _ if arg.starts_with('-') || url.is_some() => return Err(usage(&arg)),
            _ => url = Some(arg),
        }
    }
    let url = url.ok_or_else(|| usage("a URL is needed"))?;
    // An invalid host is the writer's to refuse, as the Host field.
    let (host, address, target) = split_http_url(&url).ok_or(usage("not http://host/..."))?;
    let given = |n: &str| headers.iter().any(|h| h.to_lowercase().starts_with(n));
    let (host_given, agent_given) = (given("host:"), given("user-agent:"));
    headers.splice(..0, (!host_given).then(|| format!("Host: {host}")));
    headers.extend((!agent_given).then(|| "User-Agent: h1-parser-get".into()));
    let method = method.unwrap_or(if data.is_some() { "POST" } else { "GET" }.into());
    // A token that is not a method goes to the writer as it is, which refuses it by name.
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::Extension(&method));
    let length = data.as_ref().map(|data| data.len() as u64);
    let body = length.map_or(Body::None, Body::Length);
    let data = data.unwrap_or_default().into_bytes();
    let config = Config::new().allow_missing_reason_sp(true);
    let (mut buf, mut chunk) = (vec![0; 64 * 1024 + data.len()], [0; 16384]);
    let (mut conn, mut stream, mut input) = (ClientConn::new(config), None, Vec::new());
    let (mut json, mut body_json) = (String::new(), Vec::new());
    for _ in 0..repeat {
        if !conn.keep_alive() {
            (conn, stream, input) = (ClientConn::new(config), None, Vec::new());
        }
        let refused = |e: ConnError| Failure(2, format!("refused: {e}; nothing was sent"));
        let mut head = conn.request(&mut *buf, method, &target).map_err(refused)?;
        for header in &headers {
            let (name, value) = header.split_once(':').ok_or(usage("-H 'Name: value'"))?;
            let value = value.trim_matches([' ', '\t']);
            head.field(name, value).map_err(refused)?;
        }
        let mut len = head.finish(body).map_err(refused)?;
        let stream = match &mut stream {
            Some(stream) => stream,
            None => stream.insert(TcpStream::connect(&address)?),
        };
        let mut body_owed = body != Body::None;
        loop {
            if body_owed && conn.may_send_body() {
                len += conn.send_data(&mut buf[len..], &data).map_err(refused)?;
                conn.finish(&mut buf[len..]).map_err(refused)?;
                body_owed = false;
            }
            stream.write_all(&buf[..std::mem::take(&mut len)])?;
            stream.set_read_timeout(Some(Duration::from_secs(if body_owed { 1 } else { 30 })))?;
            let malformed = |e: ConnError| Failure(1, format!("malformed response: {e} ({e:?})"));
            let (used, event) = conn.receive(&input).map_err(malformed)?;
            match &event {
                Event::NeedMore => match stream.read(&mut chunk) {
                    Ok(0) => conn.end_of_input(),
                    Ok(n) => input.extend_from_slice(&chunk[..n]),
                    // RFC 9110 §10.1.1: a server may never say 100; the body goes after a wait.
                    Err(_) if body_owed => conn.stop_waiting(),
                    Err(e) => return Err(e.into()),
                },
                Event::Interim | Event::Head => {
                    let head = conn.response(&input).expect("a head was just read");
                    let (version, code) = (head.version().as_str(), head.status());
                    if json_out {
                        json = format!("{{\"version\":\"{version}\",\"status\":{code},\"reason\":");
                        push_json_string(&mut json, head.reason());
                        json.push(',');
                        let pairs = head.headers().iter().map(|f| (f.name.as_bytes(), f.value));
                        push_fields(&mut json, "headers", pairs);
                        json.push(',');
                    } else {
                        write!(out, "{version} {code} ")?;
                        out.write_all(head.reason())?;
                        for f in head.headers().iter() {
                            out.write_all(&[b"\r\n", f.name.as_bytes(), b": ", f.value].concat())?;
                        }
                        out.write_all(b"\r\n\r\n")?;
                    }
                }
                Event::Data(r) if json_out => body_json.extend_from_slice(&input[r.clone()]),
                Event::Data(r) => out.write_all(&input[r.clone()])?,
                _ => {}
            }
            // After a final answer first, the core abandoned the body.
            body_owed &= event != Event::Head;
            input.drain(..used);
            if !json.is_empty() && matches!(event, Event::Interim | Event::End | Event::Upgrade) {
                push_body(&mut json, &std::mem::take(&mut body_json));
                writeln!(out, "{}}}", std::mem::take(&mut json))?;
            }
            out.flush()?;
            if event == Event::End {
                break;
            } else if matches!(event, Event::Upgrade | Event::Closed) {
                return Ok(()); // a tunnel now, or gone: nothing more to do here
            }
        }
    }
    Ok(())
}
