//! `Method` built by hand: from bytes, from a string, and compared by name, so that a standard
//! name never hides in `Method::Extension` (a client taking its method from a command line
//! reads the answer to `HEAD` without a body).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::mem::discriminant;

use h1_parser::{Error, Framing, Method, Progress, ResponseParser};

const STANDARD: [(&str, Method<'static>); 9] = [
    ("GET", Method::Get),
    ("HEAD", Method::Head),
    ("POST", Method::Post),
    ("PUT", Method::Put),
    ("DELETE", Method::Delete),
    ("CONNECT", Method::Connect),
    ("OPTIONS", Method::Options),
    ("TRACE", Method::Trace),
    ("PATCH", Method::Patch),
];

fn hash(method: Method<'_>) -> u64 {
    let mut hasher = DefaultHasher::new();
    method.hash(&mut hasher);
    hasher.finish()
}

#[test]
fn from_bytes_and_parse_give_each_standard_name_its_variant() {
    for (name, method) in STANDARD {
        let from_bytes = Method::from_bytes(name.as_bytes()).expect(name);
        // The variant itself, not only an equal value: equality is by name.
        assert_eq!(discriminant(&from_bytes), discriminant(&method), "{name}");
        let parsed: Method = name.parse().expect(name);
        assert_eq!(discriminant(&parsed), discriminant(&method), "{name}");
        assert_eq!(method.as_str(), name);
        assert_eq!(method.to_string(), name);
    }
}

#[test]
fn from_bytes_keeps_any_other_token_as_an_extension() {
    for name in ["get", "Head", "PURGE", "M-SEARCH", "!#$%&'*+-.^_`|~09az"] {
        let method = Method::from_bytes(name.as_bytes()).expect(name);
        assert_eq!(discriminant(&method), discriminant(&Method::Extension("")));
        assert_eq!(method.as_str(), name);
    }
}

#[test]
fn from_bytes_rejects_what_is_not_a_token() {
    for bytes in [
        &b""[..],
        b"GE T",
        b"GET\r",
        b"G(ET",
        b"\xc3\x89",
        b"GE\0T",
        b" GET",
    ] {
        assert_eq!(
            Method::from_bytes(bytes),
            Err(Error::InvalidMethod),
            "{}",
            bytes.escape_ascii()
        );
    }
}

#[test]
fn str_parse_takes_standard_names_only() {
    // An extension borrows its name, which `Method<'static>` cannot.
    assert_eq!("PURGE".parse::<Method>(), Err(Error::ExtensionMethod));
    assert_eq!("get".parse::<Method>(), Err(Error::ExtensionMethod));
    assert_eq!("GE T".parse::<Method>(), Err(Error::InvalidMethod));
    assert_eq!("".parse::<Method>(), Err(Error::InvalidMethod));
    assert_eq!(Error::ExtensionMethod.status(), 501);
}

#[test]
fn an_extension_holding_a_standard_name_is_that_method() {
    for (name, method) in STANDARD {
        let by_hand = Method::Extension(name);
        assert_eq!(by_hand, method, "{name}");
        assert_eq!(method, by_hand, "{name}");
        assert_eq!(hash(by_hand), hash(method), "{name}");
        assert_eq!(by_hand.as_str(), name);
    }
    assert_ne!(Method::Extension("get"), Method::Get);
    assert_ne!(Method::Extension("PURGE"), Method::Extension("purge"));
    assert_eq!(Method::Extension("PURGE"), Method::Extension("PURGE"));
    assert_ne!(Method::Get, Method::Head);
}

#[test]
fn a_response_to_head_has_no_body_however_the_method_was_made() {
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 175\r\n\r\n";
    let mut parser = ResponseParser::new();
    let Ok(Progress::Complete(response)) = parser.parse(head) else {
        panic!("a complete response")
    };
    // RFC 9112 §6.3 item 1: no body after HEAD, whatever Content-Length says.
    assert_eq!(
        response.framing(Method::Extension("HEAD"), false),
        Ok(Framing::NoBody)
    );
    assert_eq!(
        response.framing(Method::from_bytes(b"HEAD").unwrap(), false),
        Ok(Framing::NoBody)
    );
    // RFC 9112 §6.3 item 2: a 2xx answer to CONNECT is a tunnel.
    assert_eq!(
        response.framing(Method::Extension("CONNECT"), false),
        Ok(Framing::Tunnel)
    );
    assert_eq!(
        response.framing(Method::Extension("PURGE"), false),
        Ok(Framing::Length(175))
    );
}
