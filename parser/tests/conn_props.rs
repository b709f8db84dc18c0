//! A client and a server connection through any split of the byte stream: every message
//! arrives as sent, both sides agree on persistence, nothing is left over or invented.

mod pair;

use pair::{Exchange, Payload};
use proptest::prelude::*;

fn payload() -> impl Strategy<Value = Payload> {
    (
        proptest::collection::vec(any::<u8>(), 0..40),
        any::<bool>(),
        proptest::collection::vec(("[A-Z][a-z]{0,6}", "[a-z0-9]{1,8}"), 0..3),
    )
        .prop_map(|(data, chunked, trailers)| Payload {
            data,
            chunked,
            trailers: trailers
                .into_iter()
                .map(|(n, v)| (format!("X-{n}"), v))
                .collect(),
        })
}

fn exchange() -> impl Strategy<Value = Exchange> {
    (
        (
            0u8..4,
            "/[a-z]{0,8}",
            proptest::option::of(payload()),
            any::<bool>(),
        ),
        (
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.05),
            0u8..3,
        ),
        (
            prop_oneof![Just(200u16), Just(201), Just(204), Just(304), Just(404)],
            payload(),
        ),
        prop::bool::weighted(0.05),
    )
        .prop_map(
            |(
                (method, target, request_body, expect_continue),
                (close, upgrade, interim),
                (code, response_body),
                until_close,
            )| {
                // GET and HEAD carry no body here, as their senders rarely do.
                let request_body = if method < 2 { None } else { request_body };
                Exchange {
                    method,
                    target,
                    request_body,
                    expect_continue,
                    close,
                    upgrade,
                    interim,
                    code,
                    response_body,
                    until_close,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    /// Generated exchanges (bodies, trailers, 100-continue, HEAD, pipelining, Connection:
    /// close, 1xx, upgrades) arrive whole and in order through any pieces.
    #[test]
    fn a_client_and_a_server_agree_through_any_split(
        exchanges in proptest::collection::vec(exchange(), 1..6),
        pieces in proptest::collection::vec(1usize..64, 1..16),
    ) {
        if let Err(failure) = pair::run(&exchanges, &pieces) {
            prop_assert!(false, "{failure}");
        }
    }
}
