//! Property tests of the request-head parser: generated valid requests round-trip, any split
//! gives the one-shot result, and a forbidden byte is always an error.

use h1_parser::{Config, Error, Framing, Method, Progress, RequestParser, TargetForm, Version};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const TCHARS: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const STANDARD_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
];

/// A field line: name, OWS before the value, value, OWS after the value.
type Field = (String, Vec<u8>, Vec<u8>, Vec<u8>);

/// A generated request head, with where its parts landed in the serialized bytes.
#[derive(Clone, Debug)]
struct Head {
    leading_empty_line: bool,
    method: String,
    target: String,
    form: TargetForm,
    version: Version,
    fields: Vec<Field>,
    framing: Framing,
}

/// Offsets of the parts of a serialized head.
#[derive(Debug, Default)]
struct Layout {
    method: (usize, usize),
    target: (usize, usize),
    /// For each field: name start, colon, value region start (after the colon), CR.
    fields: Vec<(usize, usize, usize, usize)>,
    head_len: usize,
}

impl Head {
    fn serialize(&self) -> (Vec<u8>, Layout) {
        let mut out = Vec::new();
        let mut layout = Layout::default();
        if self.leading_empty_line {
            out.extend_from_slice(b"\r\n");
        }
        layout.method = (out.len(), out.len() + self.method.len());
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        layout.target = (out.len(), out.len() + self.target.len());
        out.extend_from_slice(self.target.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.version.as_str().as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, before, value, after) in &self.fields {
            let start = out.len();
            out.extend_from_slice(name.as_bytes());
            let colon = out.len();
            out.push(b':');
            out.extend_from_slice(before);
            out.extend_from_slice(value);
            out.extend_from_slice(after);
            layout.fields.push((start, colon, colon + 1, out.len()));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        layout.head_len = out.len();
        (out, layout)
    }

    /// Checks that `request` holds exactly the generated parts.
    fn assert_parsed_as(&self, request: &h1_parser::Request<'_>, head_len: usize) {
        assert_eq!(request.method().as_str(), self.method);
        let standard = STANDARD_METHODS.contains(&self.method.as_str()) || self.method == "CONNECT";
        assert_eq!(!matches!(request.method(), Method::Extension(_)), standard);
        assert_eq!(request.target(), self.target);
        assert_eq!(request.target_form(), self.form);
        assert_eq!(request.version(), self.version);
        assert_eq!(request.framing(), self.framing);
        assert_eq!(request.head_len(), head_len);
        let got: Vec<(&str, &[u8])> = request
            .headers()
            .iter()
            .map(|h| (h.name, h.value))
            .collect();
        let want: Vec<(&str, &[u8])> = self
            .fields
            .iter()
            .map(|(n, _, v, _)| (n.as_str(), v.as_slice()))
            .collect();
        assert_eq!(got, want);
        if self.form == TargetForm::Origin {
            let path = self.target.split('?').next().unwrap_or_default();
            assert_eq!(request.path(), path);
            assert_eq!(request.query(), self.target.split_once('?').map(|(_, q)| q));
        }
    }
}

fn string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("ASCII")
}

fn token(max: usize) -> impl Strategy<Value = String> {
    vec(select(TCHARS), 1..=max).prop_map(string)
}

/// Bytes of a request-target: VCHAR but `#` (a fragment is never sent, RFC 9112 §3.2.1).
fn target_chars(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(
        (0x21u8..=0x7e).prop_filter("not #", |&b| b != b'#'),
        0..=max,
    )
}

/// `uri-host` (RFC 3986 §3.2.2): reg-name (IPv4 included), or an IP-literal in brackets. No
/// comma: the parser reads one in a Host value as a list (see `HOST_BYTE` in uri.rs).
fn uri_host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "([a-zA-Z0-9._~!$&'()*+;=-]|%[0-9a-fA-F]{2}){0,24}",
        1 => "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        1 => "\\[[0-9a-fA-F:.]{1,39}\\]",
    ]
}

/// A Host field value (RFC 9110 §7.2): `uri-host [ ":" port ]`, not empty (an empty one is
/// refused by default, RFC 9110 §4.2.1).
fn host_value() -> impl Strategy<Value = Vec<u8>> {
    (uri_host(), prop::option::of("[0-9]{0,5}")).prop_map(|(host, port)| match port {
        Some(port) => format!("{host}:{port}").into_bytes(),
        None if host.is_empty() => b"h".to_vec(),
        None => host.into_bytes(),
    })
}

/// A method that is not CONNECT: standard or any token.
fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        select(STANDARD_METHODS).prop_map(str::to_owned),
        token(10).prop_filter("not CONNECT", |t| t != "CONNECT"),
    ]
}

/// A method and target of one of the four forms, fitting together (RFC 9112 §3.2).
fn method_and_target() -> impl Strategy<Value = (String, String, TargetForm)> {
    let scheme = ("[a-zA-Z]", "[a-zA-Z0-9+.-]{0,6}").prop_map(|(a, b)| a + &b);
    prop_oneof![
        4 => (method(), target_chars(40)).prop_map(|(m, rest)| {
            (m, string([b"/".to_vec(), rest].concat()), TargetForm::Origin)
        }),
        // Whatever the scheme, an authority with a host: what an http(s) URI needs.
        2 => (method(), scheme, uri_host(), target_chars(30)).prop_map(|(m, scheme, host, rest)| {
            let host = if host.is_empty() { "h".to_owned() } else { host };
            (m, format!("{scheme}://{host}/{}", string(rest)), TargetForm::Absolute)
        }),
        1 => ("[a-zA-Z0-9.-]{1,20}", "[0-9]{0,5}").prop_map(|(host, port)| {
            ("CONNECT".to_owned(), format!("{host}:{port}"), TargetForm::Authority)
        }),
        1 => Just(("OPTIONS".to_owned(), "*".to_owned(), TargetForm::Asterisk)),
    ]
}

/// A field-value byte that may begin or end a value: field-vchar (VCHAR / obs-text).
fn edge_byte() -> impl Strategy<Value = u8> {
    prop_oneof![0x21u8..=0x7e, 0x80u8..=0xff]
}

/// A field value across the whole grammar: field-vchar at the ends, SP/HTAB/obs-text inside.
fn field_value() -> impl Strategy<Value = Vec<u8>> {
    let inner =
        prop_oneof![3 => 0x21u8..=0x7e, 1 => 0x80u8..=0xff, 1 => Just(b' '), 1 => Just(b'\t')];
    prop_oneof![
        1 => Just(Vec::new()),
        1 => edge_byte().prop_map(|b| vec![b]),
        6 => (edge_byte(), vec(inner, 0..30), edge_byte()).prop_map(|(a, mid, z)| {
            [vec![a], mid, vec![z]].concat()
        }),
    ]
}

fn ows() -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![Just(b' '), Just(b'\t')], 0..3)
}

fn framing_names(name: &str) -> bool {
    ["host", "content-length", "transfer-encoding"]
        .iter()
        .any(|f| name.eq_ignore_ascii_case(f))
}

/// A valid request head: any method and target form, random fields, one Host for HTTP/1.1,
/// and a framing field or not.
fn head() -> impl Strategy<Value = Head> {
    let field = (
        token(20).prop_filter("not a framing field", |n| !framing_names(n)),
        ows(),
        field_value(),
        ows(),
    );
    let host_name = select(&["Host", "host", "HOST", "hOsT"][..]);
    let framing = prop_oneof![
        2 => Just(None),
        1 => (select(&["Content-Length", "content-length"][..]), 0u64..=1_000_000)
            .prop_map(|(n, len)| Some((n, len.to_string().into_bytes(), Framing::Length(len)))),
        1 => select(&["Transfer-Encoding", "TRANSFER-ENCODING"][..])
            .prop_map(|n| Some((n, b"chunked".to_vec(), Framing::Chunked))),
    ];
    (
        any::<bool>(),
        method_and_target(),
        prop_oneof![3 => Just(Version::Http11), 1 => Just(Version::Http10)],
        vec(field, 0..8),
        (
            any::<bool>(),
            host_name,
            host_value(),
            any::<prop::sample::Index>(),
        ),
        (framing, any::<prop::sample::Index>()),
    )
        .prop_map(
            |(leading_empty_line, (method, target, form), version, mut fields, host, framing)| {
                let (with_host, host_name, host_value, host_at) = host;
                if version == Version::Http11 || with_host {
                    let at = host_at.index(fields.len() + 1);
                    fields.insert(at, (host_name.to_owned(), vec![b' '], host_value, vec![]));
                }
                let (framing, framing_at) = framing;
                let framing = match framing {
                    // Transfer-Encoding in HTTP/1.0 is an error: not a valid request.
                    Some((_, _, Framing::Chunked)) if version == Version::Http10 => Framing::NoBody,
                    Some((name, value, framing)) => {
                        let at = framing_at.index(fields.len() + 1);
                        fields.insert(at, (name.to_owned(), vec![b' '], value, vec![]));
                        framing
                    }
                    None => Framing::NoBody,
                };
                Head {
                    leading_empty_line,
                    method,
                    target,
                    form,
                    version,
                    fields,
                    framing,
                }
            },
        )
}

/// The configurations the split property runs under: strict, each leniency, and small limits.
fn config() -> impl Strategy<Value = Config> {
    prop_oneof![
        3 => Just(Config::new()),
        1 => Just(Config::new().allow_bare_lf(true)),
        1 => Just(Config::new().allow_obs_fold(true)),
        1 => Just(Config::new().allow_bare_lf(true).allow_obs_fold(true)),
        2 => (0usize..300, 0usize..60, 0usize..10, any::<bool>()).prop_map(|(head, target, headers, lenient)| {
            Config::new()
                .max_head_size(head)
                .max_target_len(target)
                .max_headers(headers)
                .max_body_size(500_000)
                .allow_bare_lf(lenient)
                .allow_obs_fold(lenient)
        }),
    ]
}

/// A corruption: replace, insert or delete a byte; bytes the grammar cares about are likely.
#[derive(Clone, Debug)]
enum Mutation {
    None,
    Replace(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![any::<u8>(), select(&b"\r\n \t:\0\x7f,;\"*/?"[..]),];
    prop_oneof![
        1 => Just(Mutation::None),
        2 => (any::<prop::sample::Index>(), byte.clone()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        2 => (any::<prop::sample::Index>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Delete),
    ]
}

fn apply(mutation: &Mutation, mut bytes: Vec<u8>) -> Vec<u8> {
    match *mutation {
        Mutation::None => {}
        Mutation::Replace(i, b) => {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), b),
        Mutation::Delete(i) => {
            bytes.remove(i.index(bytes.len()));
        }
    }
    bytes
}

/// obs-fold = OWS CRLF RWS (RFC 9112 §5.2): the CRLF and whitespace that continue a line.
const FOLDS: &[&[u8]] = &[b"\r\n ", b"\r\n\t", b"\r\n  \t"];

/// Bytes that are forbidden at every position of a head under the strict configuration.
const FORBIDDEN_ANYWHERE: &[u8] = b"\0\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f\r\n";
/// Control bytes a field value may never hold (HTAB excepted; CR and LF end the line instead).
const VALUE_CONTROLS: &[u8] = b"\0\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f";

/// Bytes that are neither tchar nor ':' nor SP/HTAB/CR/LF: never part of a method or a name.
fn non_token_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        select(&b"\"(),/;<=>?@[\\]{}"[..]),
        select(VALUE_CONTROLS),
        0x80u8..=0xff,
    ]
}

/// Bytes that are not VCHAR and not SP, CR or LF: never part of a request-target.
fn non_target_byte() -> impl Strategy<Value = u8> {
    prop_oneof![select(VALUE_CONTROLS), 0x80u8..=0xff, Just(b'\t')]
}

fn insert(bytes: &[u8], at: usize, b: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out.insert(at, b);
    out
}

/// The one-shot error and offset of `input` under the strict configuration.
fn one_shot_error(input: &[u8]) -> Option<(Error, Option<usize>)> {
    let mut parser = RequestParser::new();
    let outcome = parser.parse(input).map(|s| s.is_complete());
    match outcome {
        Err(error) => Some((error, parser.error_offset())),
        Ok(complete) => {
            panic!(
                "{} parsed ({complete}): expected an error",
                input.escape_ascii()
            )
        }
    }
}

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        // Regression files would land in parser/tests; failures print the minimal input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(512))]

    /// Round trip: a serialized valid request parses to exactly its parts, whatever follows it.
    #[test]
    fn valid_requests_round_trip(head in head(), after in vec(any::<u8>(), 0..20)) {
        let (mut bytes, layout) = head.serialize();
        bytes.extend_from_slice(&after);
        for config in [
            Config::new(),
            Config::new().allow_bare_lf(true).allow_obs_fold(true),
            Config::new().max_head_size(layout.head_len).max_headers(head.fields.len()),
        ] {
            let mut parser: RequestParser = RequestParser::with_config(config);
            match parser.parse(&bytes) {
                Ok(Progress::Complete(request)) => head.assert_parsed_as(&request, layout.head_len),
                other => {
                    let other = format!("{other:?}");
                    panic!("{}: {other} at {:?}", bytes.escape_ascii(), parser.error_offset())
                }
            }
        }
        // The exact capacity is enough.
        let mut parser = RequestParser::<8>::from_config(Config::new());
        if head.fields.len() <= 8 {
            let request = parser.parse(&bytes).unwrap().complete().unwrap();
            head.assert_parsed_as(&request, layout.head_len);
        }
    }

    /// Split anywhere: any partition of any input (valid or corrupted), under any configuration,
    /// gives at every call the one-shot result for the bytes so far, error offset included.
    #[test]
    fn any_split_gives_the_one_shot_result(
        head in head(),
        mutation in mutation(),
        config in config(),
        cuts in vec(any::<prop::sample::Index>(), 0..8),
        after in vec(any::<u8>(), 0..8),
    ) {
        let (bytes, _) = head.serialize();
        let mut bytes = apply(&mutation, bytes);
        bytes.extend_from_slice(&after);
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(bytes.len());
        let mut parser: RequestParser = RequestParser::with_config(config);
        for &cut in &cuts {
            let mut fresh: RequestParser = RequestParser::with_config(config);
            let expected = fresh.parse(&bytes[..cut]);
            let got = parser.parse(&bytes[..cut]);
            prop_assert_eq!(&got, &expected, "{} cuts {:?} at {}", bytes.escape_ascii(), cuts, cut);
            prop_assert_eq!(parser.error_offset(), fresh.error_offset(), "offset, cuts {:?}", cuts);
        }
    }

    /// A byte forbidden everywhere in a head (NUL, CTL, DEL, CR, LF), inserted anywhere in a
    /// valid head, is an error under the strict configuration, never a Complete.
    #[test]
    fn forbidden_byte_anywhere_in_head_is_an_error(
        head in head(),
        at in any::<prop::sample::Index>(),
        b in select(FORBIDDEN_ANYWHERE),
    ) {
        let (bytes, layout) = head.serialize();
        // Any position before the final LF: inside the head.
        let at = at.index(layout.head_len);
        // An LF put right before the final LF completes the head one byte early (CRLF CRLF) and
        // leaves itself after the head: that input is valid, not a corruption of the head.
        prop_assume!(!(b == b'\n' && at == layout.head_len - 1));
        let corrupted = insert(&bytes, at, b);
        let (error, offset) = one_shot_error(&corrupted).unwrap();
        // The error is found at the inserted byte or, for a CR, at the byte after it.
        let offset = offset.unwrap();
        prop_assert!(offset == at || (b == b'\r' && offset == at + 1) || (b == b'\n' && offset == at + 1),
            "{:?} at {} for {:#x} inserted at {}: {}", error, offset, b, at, corrupted.escape_ascii());
    }

    /// SP or HTAB directly before the colon of any field is WhitespaceBeforeColon, right there.
    #[test]
    fn whitespace_before_colon_is_rejected_where_it_is(
        head in head(),
        field in any::<prop::sample::Index>(),
        ws in select(&b" \t"[..]),
    ) {
        let (bytes, layout) = head.serialize();
        prop_assume!(!layout.fields.is_empty());
        let (_, colon, _, _) = layout.fields[field.index(layout.fields.len())];
        let corrupted = insert(&bytes, colon, ws);
        prop_assert_eq!(one_shot_error(&corrupted), Some((Error::WhitespaceBeforeColon, Some(colon))));
    }

    /// A non-token byte anywhere in a field name, or at its start, is InvalidHeaderName there.
    #[test]
    fn non_token_byte_in_field_name_is_rejected_where_it_is(
        head in head(),
        field in any::<prop::sample::Index>(),
        offset in any::<prop::sample::Index>(),
        b in non_token_byte(),
    ) {
        let (bytes, layout) = head.serialize();
        prop_assume!(!layout.fields.is_empty());
        let (start, colon, _, _) = layout.fields[field.index(layout.fields.len())];
        let at = start + offset.index(colon - start + 1);
        let corrupted = insert(&bytes, at, b);
        prop_assert_eq!(one_shot_error(&corrupted), Some((Error::InvalidHeaderName, Some(at))));
    }

    /// A non-token byte anywhere in the method, or before it, is InvalidMethod there.
    #[test]
    fn non_token_byte_in_method_is_rejected_where_it_is(
        head in head(),
        offset in any::<prop::sample::Index>(),
        b in non_token_byte(),
    ) {
        let (bytes, layout) = head.serialize();
        let (start, end) = layout.method;
        let at = start + offset.index(end - start + 1);
        let corrupted = insert(&bytes, at, b);
        prop_assert_eq!(one_shot_error(&corrupted), Some((Error::InvalidMethod, Some(at))));
    }

    /// A byte that is not VCHAR (nor SP, CR, LF) anywhere in the target is InvalidTarget there.
    #[test]
    fn non_visible_byte_in_target_is_rejected_where_it_is(
        head in head(),
        offset in any::<prop::sample::Index>(),
        b in non_target_byte(),
    ) {
        let (bytes, layout) = head.serialize();
        let (start, end) = layout.target;
        let at = start + offset.index(end - start + 1);
        let corrupted = insert(&bytes, at, b);
        prop_assert_eq!(one_shot_error(&corrupted), Some((Error::InvalidTarget, Some(at))));
    }

    /// A control byte (not HTAB) anywhere in a field value or its OWS is InvalidHeaderValue
    /// there, under every configuration: no leniency admits it.
    #[test]
    fn control_byte_in_field_value_is_rejected_where_it_is(
        head in head(),
        field in any::<prop::sample::Index>(),
        offset in any::<prop::sample::Index>(),
        b in select(VALUE_CONTROLS),
        lenient in any::<bool>(),
    ) {
        let (bytes, layout) = head.serialize();
        prop_assume!(!layout.fields.is_empty());
        let (_, _, start, cr) = layout.fields[field.index(layout.fields.len())];
        let at = start + offset.index(cr - start + 1);
        let corrupted = insert(&bytes, at, b);
        let config = Config::new().allow_bare_lf(lenient).allow_obs_fold(lenient);
        let mut parser: RequestParser = RequestParser::with_config(config);
        let outcome = parser.parse(&corrupted).map(|s| s.is_complete());
        prop_assert_eq!(outcome, Err(Error::InvalidHeaderValue));
        prop_assert_eq!(parser.error_offset(), Some(at));
    }

    /// Under the obs-fold leniency a fold inserted into a value drops no byte: the value is the
    /// raw bytes with the fold, `unfolded` reads it as spaces, every other field is unchanged.
    #[test]
    fn obs_fold_leniency_keeps_every_byte(
        head in head(),
        field in any::<prop::sample::Index>(),
        split in any::<prop::sample::Index>(),
        fold in select(FOLDS),
    ) {
        let (bytes, layout) = head.serialize();
        prop_assume!(!layout.fields.is_empty());
        let index = field.index(layout.fields.len());
        let (name, _, value, _) = &head.fields[index];
        // A fold strictly inside the value: one at either end would be OWS, trimmed.
        prop_assume!(value.len() >= 2 && !framing_names(name));
        let (_, colon, _, _) = layout.fields[index];
        let value_start = colon + 1 + head.fields[index].1.len();
        let cut = 1 + split.index(value.len() - 1);
        let mut corrupted = bytes[..value_start + cut].to_vec();
        corrupted.extend_from_slice(fold);
        corrupted.extend_from_slice(&bytes[value_start + cut..]);
        let mut parser: RequestParser =
            RequestParser::with_config(Config::new().allow_obs_fold(true));
        let request = parser.parse(&corrupted).unwrap().complete().unwrap();
        let mut want = value[..cut].to_vec();
        want.extend_from_slice(fold);
        want.extend_from_slice(&value[cut..]);
        let got = request.headers().nth(index).unwrap();
        prop_assert_eq!(got.value, &want[..]);
        let unfolded: Vec<u8> = got.unfolded().collect();
        let spaces: Vec<u8> = want.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect();
        prop_assert_eq!(unfolded, spaces);
        prop_assert_eq!(request.headers().len(), head.fields.len());
        for (i, (n, _, v, _)) in head.fields.iter().enumerate() {
            if i != index {
                let h = request.headers().nth(i).unwrap();
                prop_assert_eq!((h.name, h.value), (n.as_str(), v.as_slice()));
            }
        }
        prop_assert_eq!(request.head_len(), layout.head_len + fold.len());
    }
}
