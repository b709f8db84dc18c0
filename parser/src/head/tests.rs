//! The head machine's own tests: every byte classified once, whatever the pieces.

use super::*;

const BROWSER: &[u8] = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n\r\n";

/// The outcome, the bytes classified, the bytes looked at again, and the most bytes the
/// rule allows to be looked at again: those of each call's last line, when incomplete.
type Run = (Result<bool, Error>, usize, usize, usize);

fn one_shot(config: Config, input: &[u8]) -> Run {
    trickle(config, input, input.len())
}

fn trickle(config: Config, input: &[u8], piece: usize) -> Run {
    let mut parser = HeadMachine::<100>::starting(StartLine::Request, config);
    let (mut end, mut allowed) = (0, 0);
    loop {
        end = (end + piece).min(input.len());
        let line_start = input[..end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |lf| lf + 1);
        allowed += end - line_start;
        match parser.parse(&input[..end]) {
            Ok(false) if end < input.len() => continue,
            outcome => {
                return (
                    outcome,
                    parser.tally.examined,
                    parser.tally.relooked,
                    allowed,
                )
            }
        }
    }
}

#[test]
fn head_size_limit_is_clamped_to_the_offsets_once_for_every_check() {
    let huge = Config::new().max_head_size(usize::MAX);
    assert_eq!(huge.max_head_size, Config::MAX_HEAD_SIZE);
    let mut direct = Config::new();
    direct.max_head_size = usize::MAX;
    let parser = HeadMachine::<100>::starting(StartLine::Request, direct);
    // Both the fast path (`extend_run`) and the machine (`advance`) read this one value.
    assert_eq!(parser.config().max_head_size, Config::MAX_HEAD_SIZE);
    let small = HeadMachine::<4>::starting(StartLine::Request, Config::new().max_head_size(64));
    assert_eq!(small.config().max_head_size, 64);
}

/// A response parser's outcome and bytes examined, fed `piece` bytes more per call
/// (`usize::MAX`: in one call).
fn response_pieces(config: Config, input: &[u8], piece: usize) -> (Result<bool, Error>, usize) {
    let mut parser = HeadMachine::<100>::starting(StartLine::Response, config);
    let mut end: usize = 0;
    loop {
        end = end.saturating_add(piece).min(input.len());
        match parser.parse(&input[..end]) {
            Ok(false) if end < input.len() => continue,
            outcome => return (outcome, parser.tally.examined),
        }
    }
}

#[test]
fn every_response_byte_is_classified_once_whatever_the_pieces() {
    let lenient = Config::new()
        .allow_bare_lf(true)
        .allow_obs_fold(true)
        .allow_missing_reason_sp(true);
    let inputs: [(&[u8], Config); 9] = [
        (
            b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello",
            Config::new(),
        ),
        (b"\r\nHTTP/1.1 200 OK\r\n\r\n", Config::new()),
        (b"\nHTTP/1.1 200 OK\n\n", lenient),
        (b"\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", Config::new()),
        (
            b"HTTP/1.0 404 Not \t Found \xe9\r\nX:\r\n\r\n",
            Config::new(),
        ),
        (b"HTTP/1.1 204\nX: a\n b\n\n", lenient),
        (b"HTTP/1.1 2000 OK\r\n\r\n", Config::new()),
        (b"HTTP/1.1 200 O\x00K\r\n\r\n", Config::new()),
        (b"HTTP/1.2 200 OK\r\n\r\n", Config::new()),
    ];
    for (input, config) in inputs {
        let (expected, once) = response_pieces(config, input, usize::MAX);
        assert!(once > 0);
        for piece in [1, 2, 3, 7, 64] {
            let (outcome, examined) = response_pieces(config, input, piece);
            assert_eq!(outcome, expected, "piece {piece}");
            assert_eq!(examined, once, "piece {piece}: bytes examined");
        }
    }
}

#[test]
fn every_byte_is_classified_once_whatever_the_pieces() {
    let inputs: [(&[u8], Config); 5] = [
        (BROWSER, Config::new()),
        (b"\r\nPOST http://a.example/x?y HTTP/1.1\r\nHost: a\r\nX:\t\xff v \t\r\nContent-Length: 1, 1\r\n\r\n", Config::new()),
        (b"OPTIONS * HTTP/1.0\nX: a\n folded\n\n", Config::new().allow_bare_lf(true).allow_obs_fold(true)),
        (b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", Config::new()),
        (b"GET /aaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n", Config::new().max_target_len(10)),
    ];
    for (input, config) in inputs {
        let (expected, once, again, _) = one_shot(config, input);
        assert!(once > 0);
        // Whole lines are read once, by the fast paths or the machine.
        assert_eq!(again, 0, "one call: bytes looked at again");
        for piece in [1, 2, 3, 7, 64] {
            let (outcome, examined, again, allowed) = trickle(config, input, piece);
            assert_eq!(outcome, expected, "piece {piece}");
            assert_eq!(examined, once, "piece {piece}: bytes examined");
            // The resumability rule: a byte is looked at again only in a line still
            // incomplete at the end of a call.
            assert!(
                again <= allowed,
                "piece {piece}: {again} > {allowed} looked at again"
            );
        }
    }
    // Pieces ending inside lines: the fast paths leave the last line of a piece to the
    // machine, unless its start is too far back to be sure it is incomplete.
    let (_, _, again, _) = trickle(Config::new(), BROWSER, 64);
    assert_eq!(again, 0);
    let mut long = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    long.extend_from_slice(&[b'v'; 600]);
    long.extend_from_slice(b"\r\n\r\n");
    let (outcome, examined, again, allowed) = trickle(Config::new(), &long, 400);
    assert_eq!(
        (outcome, examined),
        (Ok(true), one_shot(Config::new(), &long).1)
    );
    assert!(again > 0 && again <= allowed, "{again} {allowed}");
    // The count is bytes classified, not a restatement of the offset: the head of the
    // browser request is classified exactly once, terminators included.
    let (_, once, _, _) = one_shot(Config::new(), BROWSER);
    assert!(
        once >= BROWSER.len() && once <= BROWSER.len() + 64,
        "{once}"
    );
}
