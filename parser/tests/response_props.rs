//! Property tests of responses: a generated response — random version, status code, reason
//! phrase, fields and body, in every framing — parses back to exactly its parts, whatever the
//! points at which the bytes arrive, and its body decodes back to the bytes sent.

use h1_parser::{
    BodyDecoder, Config, Decoded, Error, Framing, Method, Progress, ResponseParser, Version,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const TCHARS: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Field lines as (name, value).
type Fields = Vec<(String, Vec<u8>)>;

/// How the generated response delimits its body, and what decides it.
#[derive(Clone, Debug)]
enum Body {
    /// Content-Length and that many bytes.
    Length(Vec<u8>),
    /// Transfer-Encoding: chunked, the chunks, and trailer fields.
    Chunked(Vec<Vec<u8>>, Vec<(String, Vec<u8>)>),
    /// Neither field: the body runs to the close.
    UntilClose(Vec<u8>),
    /// No body because of the method or the status (the head may still carry Content-Length).
    None,
    /// A tunnel: 101, or 2xx to CONNECT; the bytes after the head are not HTTP.
    Tunnel(Vec<u8>),
}

#[derive(Clone, Debug)]
struct Generated {
    version: Version,
    code: u16,
    reason: Vec<u8>,
    fields: Vec<(String, Vec<u8>)>,
    method: Method<'static>,
    body: Body,
}

impl Generated {
    /// The fields the head carries: the generated ones plus the framing ones.
    fn head_fields(&self) -> Vec<(String, Vec<u8>)> {
        let mut fields = self.fields.clone();
        match &self.body {
            Body::Length(data) => {
                fields.push(("Content-Length".into(), data.len().to_string().into_bytes()))
            }
            Body::Chunked(..) => fields.push(("Transfer-Encoding".into(), b"chunked".to_vec())),
            // RFC 9110 §15.2.2: a 101 names the protocol it switches to.
            Body::Tunnel(_) if self.code == 101 => {
                fields.push(("Upgrade".into(), b"websocket".to_vec()))
            }
            Body::None if self.code == 200 => {
                // A HEAD answer announces the length of the body it does not carry.
                fields.push(("Content-Length".into(), b"1234".to_vec()))
            }
            _ => {}
        }
        fields
    }

    fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.version.as_str().as_bytes());
        out.extend_from_slice(format!(" {} ", self.code).as_bytes());
        out.extend_from_slice(&self.reason);
        out.extend_from_slice(b"\r\n");
        for (name, value) in self.head_fields() {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        match &self.body {
            Body::Length(data) | Body::UntilClose(data) | Body::Tunnel(data) => {
                out.extend_from_slice(data)
            }
            Body::Chunked(chunks, trailers) => {
                for chunk in chunks {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n");
                for (name, value) in trailers {
                    out.extend_from_slice(format!("{name}: ").as_bytes());
                    out.extend_from_slice(value);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"\r\n");
            }
            Body::None => {}
        }
        out
    }

    fn framing(&self) -> Framing {
        match &self.body {
            Body::Length(data) => Framing::Length(data.len() as u64),
            Body::Chunked(..) => Framing::Chunked,
            Body::UntilClose(_) => Framing::UntilClose,
            Body::None => Framing::NoBody,
            Body::Tunnel(_) => Framing::Tunnel,
        }
    }

    /// The decoded body and trailers a decoder must hand out.
    fn decoded(&self) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
        match &self.body {
            Body::Length(data) | Body::UntilClose(data) => (data.clone(), Vec::new()),
            Body::Chunked(chunks, trailers) => (chunks.concat(), trailers.clone()),
            Body::None | Body::Tunnel(_) => (Vec::new(), Vec::new()),
        }
    }
}

fn token(max: usize) -> impl Strategy<Value = String> {
    vec(select(TCHARS), 1..max).prop_map(|b| String::from_utf8(b).expect("ASCII"))
}

/// A field name that does not frame the message.
fn name() -> impl Strategy<Value = String> {
    token(12).prop_filter("not a framing field", |name| {
        !name.eq_ignore_ascii_case("content-length")
            && !name.eq_ignore_ascii_case("transfer-encoding")
    })
}

/// A field value with no OWS at its edges (so that it reads back as generated).
fn value() -> impl Strategy<Value = Vec<u8>> {
    let inner =
        prop_oneof![8 => 0x21u8..=0x7e, 1 => Just(b' '), 1 => Just(b'\t'), 1 => 0x80u8..=0xff];
    (vec(inner, 0..20), 0x21u8..=0x7e).prop_map(|(mut v, last)| {
        if v.is_empty() {
            return v;
        }
        while matches!(v.first(), Some(b' ' | b'\t')) {
            v.remove(0);
        }
        v.push(last);
        v
    })
}

/// `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`, or empty.
fn reason() -> impl Strategy<Value = Vec<u8>> {
    let byte =
        prop_oneof![8 => 0x21u8..=0x7e, 1 => Just(b' '), 1 => Just(b'\t'), 1 => 0x80u8..=0xff];
    vec(byte, 0..24)
}

fn fields() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    vec((name(), value()), 0..8)
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

fn generated() -> impl Strategy<Value = Generated> {
    let version = prop_oneof![Just(Version::Http11), Just(Version::Http10)];
    let ordinary_code = prop_oneof![200u16..=203, 205u16..=303, 305u16..=999];
    let ordinary_method = select(vec![Method::Get, Method::Post, Method::Put, Method::Delete]);
    let body = prop_oneof![
        bytes(64).prop_map(Body::Length),
        (
            vec(vec(any::<u8>(), 1..20), 0..5),
            vec((name(), value()), 0..3)
        )
            .prop_map(|(c, t)| Body::Chunked(c, t)),
        bytes(64).prop_map(Body::UntilClose),
    ];
    let ordinary = (
        version.clone(),
        ordinary_code,
        reason(),
        fields(),
        ordinary_method,
        body,
    )
        .prop_map(|(version, code, reason, fields, method, body)| {
            // RFC 9112 §6.1: no Transfer-Encoding in HTTP/1.0; such a body runs to the close.
            let body = match (version, body) {
                (Version::Http10, Body::Chunked(chunks, _)) => Body::UntilClose(chunks.concat()),
                (_, body) => body,
            };
            Generated {
                version,
                code,
                reason,
                fields,
                method,
                body,
            }
        });
    let no_body = (
        version.clone(),
        prop_oneof![
            Just(100u16),
            Just(102),
            Just(103),
            Just(150),
            Just(204),
            Just(304),
            Just(200)
        ],
        reason(),
        fields(),
    )
        .prop_map(|(version, code, reason, fields)| Generated {
            version,
            code,
            reason,
            fields,
            // 200 has no body only as the answer to HEAD.
            method: if code == 200 {
                Method::Head
            } else {
                Method::Get
            },
            body: Body::None,
        });
    let tunnel = (
        version,
        prop_oneof![Just(101u16), 200u16..=299],
        reason(),
        fields(),
        bytes(32),
    )
        .prop_map(|(version, code, reason, fields, rest)| Generated {
            // RFC 9110 §15.2: no 1xx in HTTP/1.0.
            version: if code == 101 {
                Version::Http11
            } else {
                version
            },
            code,
            reason,
            fields,
            method: if code == 101 {
                Method::Get
            } else {
                Method::Connect
            },
            body: Body::Tunnel(rest),
        });
    prop_oneof![6 => ordinary, 2 => no_body, 1 => tunnel]
}

/// Parses the head fed as the prefix `..cut`, then the whole; returns the head length.
fn parse_head(g: &Generated, wire: &[u8], cut: usize) -> usize {
    let mut parser = ResponseParser::new();
    let cut = cut.min(wire.len());
    let first = parser.parse(&wire[..cut]).expect("a valid head");
    let response = match first {
        Progress::Complete(response) => response,
        Progress::Partial => match parser.parse(wire).expect("a valid head") {
            Progress::Complete(response) => response,
            Progress::Partial => panic!("the whole head is there"),
        },
    };
    assert_eq!(response.version(), g.version);
    assert_eq!(response.status(), g.code);
    assert_eq!(response.reason(), &g.reason[..]);
    let fields: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();
    assert_eq!(fields, g.head_fields());
    // Every generated request offered an upgrade; only a 101 depends on it.
    assert_eq!(response.framing(g.method, true), Ok(g.framing()));
    response.head_len()
}

/// Decodes the body fed in pieces of `piece` bytes, then announces the end of the input.
fn decode_body(
    framing: Framing,
    body: &[u8],
    piece: usize,
) -> Result<(Vec<u8>, Fields, usize), Error> {
    let mut decoder = BodyDecoder::new(framing, Config::new());
    let (mut pending, mut fed, mut consumed) = (Vec::new(), 0, 0);
    let (mut data, mut trailers) = (Vec::new(), Vec::new());
    loop {
        let (n, found) = decoder.decode(&pending)?;
        consumed += n;
        match found {
            Decoded::Data(bytes) => data.extend_from_slice(bytes),
            Decoded::Trailer(h) => trailers.push((h.name.to_owned(), h.value.to_vec())),
            Decoded::Done => return Ok((data, trailers, consumed)),
            Decoded::Partial if fed == body.len() => {
                decoder.finish()?;
            }
            Decoded::Partial => {
                let next = (fed + piece).min(body.len());
                pending.extend_from_slice(&body[fed..next]);
                fed = next;
            }
        }
        pending.drain(..n);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, max_global_rejects: 8192, ..ProptestConfig::default() })]

    /// A generated response reads back as generated, whatever the split of the head and of
    /// the body, and the decoder stops exactly at the end of the body; one empty line before
    /// the status-line changes nothing but the head's length.
    #[test]
    fn responses_round_trip_in_every_framing_split_anywhere(
        g in generated(),
        cut in 0usize..400,
        piece in 1usize..40,
        empty_line_first in any::<bool>(),
    ) {
        let mut wire = g.serialize();
        if empty_line_first {
            wire.splice(0..0, *b"\r\n");
        }
        let head_len = parse_head(&g, &wire, cut);
        let body = &wire[head_len..];
        let (data, trailers, consumed) = decode_body(g.framing(), body, piece).expect("a valid body");
        let (want_data, want_trailers) = g.decoded();
        prop_assert_eq!(data, want_data);
        prop_assert_eq!(trailers, want_trailers);
        let expected_consumed = match g.body {
            // The tunnel's bytes are not the body's.
            Body::Tunnel(_) | Body::None => 0,
            _ => body.len(),
        };
        prop_assert_eq!(consumed, expected_consumed);
    }

    /// A length or chunked body cut anywhere before its end is IncompleteBody at the end of
    /// the input, never a short body taken as whole.
    #[test]
    fn a_body_cut_short_is_incomplete(g in generated(), cut in any::<prop::sample::Index>(), piece in 1usize..40) {
        let wire = g.serialize();
        let head_len = parse_head(&g, &wire, wire.len());
        let body = &wire[head_len..];
        prop_assume!(matches!(g.body, Body::Length(_) | Body::Chunked(..)) && !body.is_empty());
        let short = &body[..cut.index(body.len())];
        prop_assert_eq!(decode_body(g.framing(), short, piece).err(), Some(Error::IncompleteBody));
    }
}

/// The outcome of a parse of `input` fed as growing prefixes at `cuts` (then whole): the
/// head length or the error and its offset.
fn outcome_with_cuts(
    config: Config,
    input: &[u8],
    cuts: &[usize],
) -> (Result<Option<usize>, Error>, Option<usize>) {
    let mut parser = ResponseParser::with_config(config);
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    ends.sort_unstable();
    ends.push(input.len());
    for end in ends {
        match parser.parse(&input[..end]) {
            Ok(Progress::Partial) if end < input.len() => continue,
            outcome => {
                let got = outcome.map(|status| status.complete().map(|r| r.head_len()));
                return (got, parser.error_offset());
            }
        }
    }
    unreachable!("the last end is the whole input")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Any split gives the one-shot result, errors and their offsets included (h11#182), for
    /// a generated response with one byte replaced anywhere, under any leniency.
    #[test]
    fn any_split_gives_the_one_shot_result(
        g in generated(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cuts in vec(0usize..300, 0..6),
        leniency in 0u8..8,
    ) {
        let mut wire = g.serialize();
        let i = at.index(wire.len());
        wire[i] = byte;
        let config = Config::new()
            .allow_bare_lf(leniency & 1 != 0)
            .allow_obs_fold(leniency & 2 != 0)
            .allow_missing_reason_sp(leniency & 4 != 0);
        let one_shot = outcome_with_cuts(config, &wire, &[]);
        prop_assert_eq!(outcome_with_cuts(config, &wire, &cuts), one_shot);
    }
}
