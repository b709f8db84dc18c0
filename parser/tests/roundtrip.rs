//! The writer against the parser (and httparse), on generated messages, valid or not:
//! - anything the writer accepts parses back, however the bytes are split, to the same start
//!   line, the same fields in order and case (plus the framing field the writer adds), the
//!   expected framing, and the same body and trailers through `BodyDecoder`; httparse reads the
//!   same head;
//! - anything the writer refuses for a rule the parser has (`WriteError::parser_error`), written
//!   anyway by plain concatenation, is rejected by the parser or read as another message (a
//!   name with a `:` in it is another name and value): never read back as the parts given.

use h1_parser::write::{
    chunk_head, last_chunk, write_chunk_head, Body, RequestHead, ResponseHead, WriteError,
    CHUNK_END,
};
use h1_parser::{
    BodyDecoder, Config, Decoded, Framing, Method, Progress, RequestParser, ResponseParser, Version,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

const TCHARS: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Bytes that break a token, a target, a value or a line: each rule's refusals come from these.
const BAD: &[u8] = b" \t\r\n\0\x01\x7f#\"(,:@\x80\xff";
const PATH: &[u8] = b"abcxyzABC0189-._~!$&'()*+,;=:@/?%";
const VALUE: &[u8] = b"abc XYZ019\t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\x80\xfe";
const HOST_CHARS: &[u8] = b"abcz09-.";

fn token() -> impl Strategy<Value = Vec<u8>> {
    vec(select(TCHARS), 1..8)
}

/// Mostly `valid`, sometimes `valid` with one byte of [`BAD`] put in.
fn spoiled(valid: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (valid, any::<prop::sample::Index>(), select(BAD), 0..30u8).prop_map(
        |(mut bytes, at, bad, dice)| {
            if dice == 0 {
                let at = at.index(bytes.len() + 1);
                bytes.insert(at, bad);
            }
            bytes
        },
    )
}

fn host() -> impl Strategy<Value = Vec<u8>> {
    let name = vec(select(HOST_CHARS), 1..10);
    let literal = Just(b"[::1]".to_vec());
    let port = option::of(0..70000u32);
    (prop_oneof![4 => name, 1 => literal], port).prop_map(|(mut host, port)| {
        if let Some(port) = port {
            host.extend_from_slice(format!(":{port}").as_bytes());
        }
        host
    })
}

/// A target of each form (RFC 9112 §3.2), the method it fits, a scheme without an authority.
fn method_and_target() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    let path = vec(select(PATH), 0..12).prop_map(|p| [b"/".to_vec(), p].concat());
    let method = prop_oneof![
        select(&["GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS"][..])
            .prop_map(|m| m.as_bytes().to_vec()),
        token(),
    ];
    let fitting = prop_oneof![
        4 => (method.clone(), path.clone()),
        2 => (method.clone(), host(), path.clone())
            .prop_map(|(m, h, p)| (m, [&b"http://"[..], &h, &p].concat())),
        1 => method.clone().prop_map(|m| (m, b"urn:isbn:0451450523".to_vec())),
        1 => host().prop_map(|h| (b"CONNECT".to_vec(), [&h[..], b":443"].concat())),
        1 => Just((b"OPTIONS".to_vec(), b"*".to_vec())),
    ];
    let any_target = prop_oneof![
        path,
        Just(b"*".to_vec()),
        host(),
        Just(b"http://u@a/".to_vec())
    ];
    prop_oneof![
        8 => fitting.prop_flat_map(|(m, t)| (spoiled(Just(m)), spoiled(Just(t)))),
        1 => (method, any_target),
    ]
}

/// Mostly trimmed (RFC 9110 §5.5), sometimes with the whitespace a writer refuses.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let value = (vec(select(VALUE), 0..12), 0..10u8).prop_map(|(mut value, dice)| {
        if dice > 0 {
            while let Some(b' ' | b'\t') = value.last() {
                value.pop();
            }
            while let Some(b' ' | b'\t') = value.first() {
                value.remove(0);
            }
        }
        value
    });
    spoiled(value)
}

fn fields() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    let name = prop_oneof![
        20 => token(),
        1 => select(&["Content-Length", "transfer-encoding", "HOST"][..])
            .prop_map(|n| n.as_bytes().to_vec()),
    ];
    vec((spoiled(name), value()), 0..6)
}

/// Where the Host field goes in a request: none, first, last, twice.
fn with_host(
    mut fields: Vec<(Vec<u8>, Vec<u8>)>,
    host: Vec<u8>,
    placement: u8,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let host_field = (b"Host".to_vec(), host);
    match placement {
        0 => {}
        1 => fields.push(host_field),
        2 => {
            fields.push(host_field.clone());
            fields.push(host_field);
        }
        _ => fields.insert(0, host_field),
    }
    fields
}

#[derive(Clone, Debug)]
enum Start {
    Request {
        method: Vec<u8>,
        target: Vec<u8>,
    },
    Response {
        answers: &'static str,
        code: u16,
        reason: Option<Vec<u8>>,
    },
}

/// The body to send: its framing choice, and the data (one piece per chunk) and trailers.
#[derive(Clone, Debug)]
struct Content {
    choice: u8,
    chunks: Vec<Vec<u8>>,
    extensions: Vec<(String, Option<String>)>,
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
}

#[derive(Clone, Debug)]
struct Message {
    start: Start,
    version: Version,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
    content: Content,
    cuts: Vec<prop::sample::Index>,
    pieces: Vec<usize>,
}

fn start() -> impl Strategy<Value = Start> {
    let request =
        method_and_target().prop_map(|(method, target)| Start::Request { method, target });
    let code = prop_oneof![
        8 => select(&[100u16, 101, 103, 200, 201, 204, 206, 301, 304, 404, 500, 599, 999][..]),
        1 => 0..1100u16,
    ];
    let reason = option::of(spoiled(vec(select(VALUE), 0..10)));
    let answers = select(&["GET", "HEAD", "POST", "CONNECT"][..]);
    let response = (answers, code, reason).prop_map(|(answers, code, reason)| Start::Response {
        answers,
        code,
        reason,
    });
    prop_oneof![request, response]
}

fn message() -> impl Strategy<Value = Message> {
    let version = prop_oneof![3 => Just(Version::Http11), 1 => Just(Version::Http10)];
    let extension = (
        "[a-z]{1,4}|[a-z ]{0,2}",
        option::of("[a-z]{0,3}|[a-z\"\\\\ \t=;]{0,5}|\r"),
    );
    // None, Length, Chunked more often than the choices only some responses may make.
    let choice = prop_oneof![3 => 0..3u8, 1 => 3..5u8];
    let content = (
        choice,
        vec(vec(any::<u8>(), 1..20), 0..4),
        vec(extension, 0..2),
        vec((spoiled(token()), value()), 0..2),
    )
        .prop_map(|(choice, chunks, extensions, trailers)| Content {
            choice,
            chunks,
            extensions,
            trailers,
        });
    (
        start(),
        version,
        fields(),
        (host(), 0..5u8),
        content,
        vec(any::<prop::sample::Index>(), 0..4),
        vec(1..9usize, 1..6),
    )
        .prop_map(
            |(start, version, fields, (host, placement), content, cuts, pieces)| {
                let fields = match start {
                    Start::Request { .. } => with_host(fields, host, placement),
                    Start::Response { .. } => fields,
                };
                Message {
                    start,
                    version,
                    fields,
                    content,
                    cuts,
                    pieces,
                }
            },
        )
}

fn method_of(token: &[u8]) -> Method<'_> {
    let token = std::str::from_utf8(token).unwrap_or("\u{0}");
    token.parse_method()
}

/// `Method` from a string, standard when spelled like one (the writer does the same).
trait ParseMethod {
    fn parse_method(&self) -> Method<'_>;
}

impl ParseMethod for str {
    fn parse_method(&self) -> Method<'_> {
        match self {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "CONNECT" => Method::Connect,
            other => Method::Extension(other),
        }
    }
}

impl Message {
    fn body(&self) -> Body {
        let length = self.content.chunks.iter().map(Vec::len).sum::<usize>() as u64;
        match self.content.choice {
            0 => Body::None,
            1 => Body::Length(length),
            2 => Body::Chunked,
            3 => Body::UntilClose,
            _ => Body::Advertised(length),
        }
    }

    /// The head through the writer.
    fn write(&self) -> Result<Vec<u8>, WriteError> {
        let mut out = [0u8; 2048];
        let len = match &self.start {
            Start::Request { method, target } => {
                let mut head = RequestHead::new(&mut out, method_of(method), target, self.version)?;
                for (name, value) in &self.fields {
                    head.field(name, value)?;
                }
                head.finish(self.body())?
            }
            Start::Response {
                answers,
                code,
                reason,
            } => {
                let answers = answers.parse_method();
                let mut head =
                    ResponseHead::new(&mut out, answers, self.version, *code, reason.as_deref())?;
                for (name, value) in &self.fields {
                    head.field(name, value)?;
                }
                head.finish(self.body())?
            }
        };
        Ok(out[..len].to_vec())
    }

    /// The head by plain concatenation, no checks, no framing field.
    fn concatenate(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match &self.start {
            Start::Request { method, target } => {
                out.extend_from_slice(&[&method[..], b" ", target, b" "].concat());
                out.extend_from_slice(self.version.as_str().as_bytes());
            }
            Start::Response { code, reason, .. } => {
                out.extend_from_slice(self.version.as_str().as_bytes());
                out.extend_from_slice(format!(" {code} ").as_bytes());
                let canonical = h1_parser::reason_phrase(*code).unwrap_or("").as_bytes();
                out.extend_from_slice(reason.as_deref().unwrap_or(canonical));
            }
        }
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.fields {
            out.extend_from_slice(&[&name[..], b": ", value, b"\r\n"].concat());
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    fn answers(&self) -> Option<Method<'static>> {
        match self.start {
            Start::Response { answers, .. } => Some(answers.parse_method()),
            Start::Request { .. } => None,
        }
    }

    /// What the parser must say about the body (RFC 9112 §6.3), and the framing field the
    /// writer adds.
    fn expected_framing(&self) -> (Framing, Option<(&'static str, String)>) {
        let length = |n: u64| Some(("Content-Length", n.to_string()));
        let chunked = Some(("Transfer-Encoding", "chunked".to_string()));
        let Start::Response { code, .. } = self.start else {
            return match self.body() {
                Body::Length(n) => (Framing::Length(n), length(n)),
                Body::Chunked => (Framing::Chunked, chunked),
                _ => (Framing::NoBody, None),
            };
        };
        let method = self.answers().unwrap_or(Method::Get);
        if code == 101 || (method == Method::Connect && (200..300).contains(&code)) {
            return (Framing::Tunnel, None);
        }
        if code < 200 || code == 204 || code == 304 || method == Method::Head {
            let field = match self.body() {
                Body::Advertised(n) => length(n),
                _ => None,
            };
            return (Framing::NoBody, field);
        }
        match self.body() {
            Body::None => (Framing::Length(0), length(0)),
            Body::Length(n) => (Framing::Length(n), length(n)),
            Body::Chunked => (Framing::Chunked, chunked),
            _ => (Framing::UntilClose, None),
        }
    }

    /// The body's data: none unless a body was chosen (a response's `Body::None` is `Length(0)`).
    fn data(&self) -> Vec<u8> {
        match self.body() {
            Body::Length(_) | Body::Chunked | Body::UntilClose => self.content.chunks.concat(),
            _ => Vec::new(),
        }
    }

    /// The body's bytes on the wire, or the writer's refusal of a chunk extension or trailer.
    fn body_wire(&self, framing: Framing) -> Result<Vec<u8>, WriteError> {
        let mut wire = Vec::new();
        match framing {
            Framing::Length(_) | Framing::UntilClose => wire = self.data(),
            Framing::Chunked => {
                let extensions: Vec<(&str, Option<&str>)> = self
                    .content
                    .extensions
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_deref()))
                    .collect();
                for (i, data) in self.content.chunks.iter().enumerate() {
                    if i % 2 == 0 {
                        wire.extend_from_slice(chunk_head(data.len() as u64)?.as_bytes());
                    } else {
                        let mut line = [0u8; 256];
                        let len = write_chunk_head(&mut line, data.len() as u64, &extensions)?;
                        wire.extend_from_slice(&line[..len]);
                    }
                    wire.extend_from_slice(data);
                    wire.extend_from_slice(CHUNK_END);
                }
                let trailers = self.content.trailers.iter().map(|(n, v)| (n, v));
                let mut end = [0u8; 256];
                let len = last_chunk(&mut end, trailers)?;
                wire.extend_from_slice(&end[..len]);
            }
            Framing::NoBody | Framing::Tunnel => {}
        }
        Ok(wire)
    }
}

type Fields = Vec<(String, Vec<u8>)>;

fn owned(fields: &[(Vec<u8>, Vec<u8>)]) -> Fields {
    fields
        .iter()
        .map(|(n, v)| (String::from_utf8(n.clone()).unwrap(), v.clone()))
        .collect()
}

/// The body decoded in pieces of the given sizes: data and trailers.
fn decode(framing: Framing, wire: &[u8], pieces: &[usize]) -> (Vec<u8>, Fields) {
    let mut decoder = BodyDecoder::new(framing, Config::new());
    let (mut data, mut trailers) = (Vec::new(), Vec::new());
    let (mut at, mut end, mut piece) = (0, 0, 0);
    loop {
        let (consumed, found) = decoder.decode(&wire[at..end]).expect("body decodes");
        at += consumed;
        match found {
            Decoded::Data(bytes) => data.extend_from_slice(bytes),
            Decoded::Trailer(field) => {
                trailers.push((field.name.to_string(), field.value.to_vec()))
            }
            Decoded::Done => break,
            Decoded::Partial if end == wire.len() => {
                decoder
                    .finish()
                    .expect("a close-delimited body ends at the close");
                break;
            }
            Decoded::Partial => {
                end = (end + pieces[piece % pieces.len()]).min(wire.len());
                piece += 1;
            }
        }
    }
    assert_eq!(at, wire.len(), "the whole body and nothing more");
    (data, trailers)
}

/// Runs the parser over `wire` cut at `cuts` first (each a `Partial`), then whole.
fn parse_request(m: &Message, wire: &[u8], head_len: usize) -> (Fields, Framing) {
    let mut parser = RequestParser::new();
    let mut cuts: Vec<usize> = m.cuts.iter().map(|c| c.index(head_len)).collect();
    cuts.sort();
    for cut in cuts {
        assert!(
            matches!(parser.parse(&wire[..cut]), Ok(Progress::Partial)),
            "cut {cut}"
        );
    }
    let Ok(Progress::Complete(request)) = parser.parse(wire) else {
        panic!(
            "writer's request rejected: {:?}",
            String::from_utf8_lossy(wire)
        );
    };
    let Start::Request { method, target } = &m.start else {
        unreachable!()
    };
    assert_eq!(request.method().as_str().as_bytes(), &method[..]);
    assert_eq!(request.target_bytes(), &target[..]);
    assert_eq!(request.version(), m.version);
    assert_eq!(request.head_len(), head_len);
    let fields = request
        .headers()
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()));
    (fields.collect(), request.framing())
}

fn parse_response(m: &Message, wire: &[u8], head_len: usize) -> (Fields, Framing) {
    let mut parser = ResponseParser::new();
    let mut cuts: Vec<usize> = m.cuts.iter().map(|c| c.index(head_len)).collect();
    cuts.sort();
    for cut in cuts {
        assert!(
            matches!(parser.parse(&wire[..cut]), Ok(Progress::Partial)),
            "cut {cut}"
        );
    }
    let Ok(Progress::Complete(response)) = parser.parse(wire) else {
        panic!(
            "writer's response rejected: {:?}",
            String::from_utf8_lossy(wire)
        );
    };
    let Start::Response { code, reason, .. } = &m.start else {
        unreachable!()
    };
    let canonical = h1_parser::reason_phrase(*code).unwrap_or("").as_bytes();
    assert_eq!(response.status(), *code);
    assert_eq!(response.reason(), reason.as_deref().unwrap_or(canonical));
    assert_eq!(response.version(), m.version);
    assert_eq!(response.head_len(), head_len);
    let fields = response
        .headers()
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()));
    let method = m.answers().unwrap_or(Method::Get);
    // The model's 101 answers a request that offered the upgrade.
    let framing = response
        .framing(method, true)
        .expect("the writer's response frames");
    (fields.collect(), framing)
}

/// httparse reads the writer's head the same way.
fn httparse_agrees(m: &Message, head: &[u8], fields: &Fields) {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let (parsed, version): (Vec<(String, Vec<u8>)>, Option<u8>);
    match &m.start {
        Start::Request { method, target } => {
            let mut request = httparse::Request::new(&mut headers);
            let status = request.parse(head);
            assert_eq!(
                status,
                Ok(httparse::Status::Complete(head.len())),
                "{:?}",
                String::from_utf8_lossy(head)
            );
            assert_eq!(request.method.map(str::as_bytes), Some(&method[..]));
            assert_eq!(request.path.map(str::as_bytes), Some(&target[..]));
            version = request.version;
            parsed = request
                .headers
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect();
        }
        Start::Response { code, reason, .. } => {
            let mut response = httparse::Response::new(&mut headers);
            let status = response.parse(head);
            assert_eq!(
                status,
                Ok(httparse::Status::Complete(head.len())),
                "{:?}",
                String::from_utf8_lossy(head)
            );
            assert_eq!(response.code, Some(*code));
            let canonical = h1_parser::reason_phrase(*code).unwrap_or("").as_bytes();
            let reason = reason.as_deref().unwrap_or(canonical);
            if reason.is_ascii() {
                assert_eq!(response.reason.map(str::as_bytes), Some(reason));
            }
            version = response.version;
            parsed = response
                .headers
                .iter()
                .map(|h| (h.name.to_string(), h.value.to_vec()))
                .collect();
        }
    }
    assert_eq!(version, Some(u8::from(m.version == Version::Http11)));
    assert_eq!(&parsed, fields);
}

/// The start line's parts and the fields, as given.
fn given_parts(m: &Message) -> (Vec<u8>, Fields) {
    let start = match &m.start {
        Start::Request { method, target } => [&method[..], b" ", target].concat(),
        Start::Response { code, reason, .. } => {
            let canonical = h1_parser::reason_phrase(*code).unwrap_or("").as_bytes();
            [
                code.to_string().as_bytes(),
                b" ",
                reason.as_deref().unwrap_or(canonical),
            ]
            .concat()
        }
    };
    let fields = m
        .fields
        .iter()
        .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), v.clone()))
        .collect();
    (start, fields)
}

/// The parser's reading of `raw` as the same parts, or `None` when it rejects it.
fn parsed_parts(m: &Message, raw: &[u8]) -> Option<(Vec<u8>, Fields, Version)> {
    let fields = |headers: h1_parser::Headers| {
        headers
            .iter()
            .map(|h| (h.name.to_string(), h.value.to_vec()))
            .collect()
    };
    match m.start {
        Start::Request { .. } => {
            let mut parser = RequestParser::new();
            let Ok(Progress::Complete(request)) = parser.parse(raw) else {
                return None;
            };
            let start = [
                request.method().as_str().as_bytes(),
                b" ",
                request.target_bytes(),
            ];
            Some((start.concat(), fields(request.headers()), request.version()))
        }
        Start::Response { .. } => {
            let mut parser = ResponseParser::new();
            let Ok(Progress::Complete(response)) = parser.parse(raw) else {
                return None;
            };
            let code = response.status().to_string();
            let start = [code.as_bytes(), b" ", response.reason()];
            Some((
                start.concat(),
                fields(response.headers()),
                response.version(),
            ))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8192))]

    /// Accepted: read back the same by the parser (any split) and by httparse. Refused for a
    /// parser rule: the same parts written anyway are rejected by the parser.
    #[test]
    fn written_messages_read_back_and_refused_ones_are_rejected(m in message()) {
        let head = match m.write() {
            Ok(head) => head,
            Err(refusal) => {
                // Written anyway, the parts are rejected, or read as another message (a `:`
                // in a name makes two fields): never the message the caller gave.
                if refusal.parser_error().is_some() {
                    let raw = m.concatenate();
                    let (start, fields) = given_parts(&m);
                    let same = Some((start, fields, m.version));
                    prop_assert!(parsed_parts(&m, &raw) != same, "{refusal:?} but the parser reads {:?} back", String::from_utf8_lossy(&raw));
                }
                return Ok(());
            }
        };
        let (framing, added) = m.expected_framing();
        let body = match m.body_wire(framing) {
            Ok(body) => body,
            Err(_) => return Ok(()),
        };
        let wire = [&head[..], &body].concat();
        let (fields, parsed_framing) = match m.start {
            Start::Request { .. } => parse_request(&m, &wire, head.len()),
            Start::Response { .. } => parse_response(&m, &wire, head.len()),
        };
        let mut expected = owned(&m.fields);
        expected.extend(added.map(|(n, v)| (n.to_string(), v.into_bytes())));
        prop_assert_eq!(&fields, &expected);
        prop_assert_eq!(parsed_framing, framing);
        httparse_agrees(&m, &head, &fields);
        if matches!(framing, Framing::Length(_) | Framing::Chunked | Framing::UntilClose) {
            let (data, trailers) = decode(framing, &body, &m.pieces);
            prop_assert_eq!(data, m.data());
            let sent = if framing == Framing::Chunked { owned(&m.content.trailers) } else { Vec::new() };
            prop_assert_eq!(trailers, sent);
        }
    }
}
