#!/usr/bin/env python3
"""Regenerates the seed corpora under fuzz/corpus/<target>/ from the parser's test suites.

Every Rust byte-string literal (b"...") in parser/tests/*.rs and parser/src/*.rs that looks like
a request head becomes a seed of the request targets; every one that looks like a chunked body
becomes a seed of `chunked`; a few hand-written cases of bugs other parsers shipped
(parser/tests/cases/prior-bugs.txt) are added.
Each seed carries the control bytes its target reads first (see fuzz/src/lib.rs):

  parse_request          flags, request          (flags: 0 strict, 1 bare LF, 3 bare LF + obs-fold)
  parse_split            flags, mode, request    (mode 0x80: one byte at a time)
  differential_httparse  flags, request
  chunked                flags, framing, mode, body   (framing 0: chunked)
  connection             mode, bytes            (mode 0x80: one byte at a time)
  parse_response         flags, method, cut, response   (flags 19: bare LF + obs-fold +
                                                          missing reason SP; method 0 GET, 1 HEAD)
  differential_httparse_response  flags, response      (flags 0 strict, 7 every leniency)

Response seeds are the literals that start with `HTTP/` and every `raw:` of
parser/tests/cases/response-*.txt.

Run from anywhere: python3 fuzz/seed.py  (it clears and rewrites the seed files it owns, named
seed-*, and leaves other corpus files alone).
"""

import hashlib
import pathlib
import re

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
LITERAL = re.compile(rb'b"((?:[^"\\]|\\.|\\\n)*)"', re.S)
METHOD = re.compile(rb"^(\r?\n)?[!#$%&'*+.^_`|~0-9A-Za-z-]+ ")
CHUNK = re.compile(rb"^[0-9a-fA-F]+[;\r \t]")
STATUS = re.compile(rb"^HTTP/")


def unescape(body: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        e = body[i + 1 : i + 2]
        if e == b"\n":  # line continuation: skip the newline and leading whitespace
            i += 2
            while i < len(body) and body[i] in b" \t\n":
                i += 1
            continue
        simple = {b"r": 13, b"n": 10, b"t": 9, b"0": 0, b"\\": 92, b'"': 34, b"'": 39}
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == b"x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        else:
            raise ValueError(f"unknown escape {e!r}")
    return bytes(out)


def literals():
    files = sorted((ROOT / "parser/tests").glob("*.rs")) + sorted((ROOT / "parser/src").glob("*.rs"))
    for path in files:
        for match in LITERAL.finditer(path.read_bytes()):
            try:
                yield unescape(match.group(1))
            except (ValueError, IndexError):
                continue


BROWSER = (
    b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
    b"Host: www.kittyhell.com\r\n"
    b"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) "
    b"Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
    b"Accept-Encoding: gzip,deflate\r\n"
    b"Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n"
    b"Keep-Alive: 115\r\n"
    b"Connection: keep-alive\r\n"
    b"Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
    b"__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; "
    b"__utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|"
    b"utmcct=/reader/|utmcmd=referral\r\n\r\n"
)

# Bugs other parsers shipped (parser/tests/cases/prior-bugs.txt), as requests (each names its advisory in the list below only by shape).
HAND_REQUESTS = [
    BROWSER,
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"\r\nGET / HTTP/1.0\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
    b"GET http://a.example/x?y=1 HTTP/1.1\r\nHost: a.example\r\n\r\n",
    b"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
    b"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
    b"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    b"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\tContent-Length: 5\r\n\r\n",
    b"GET / HTTP/1.1\nHost: a\nX: b\n\n",
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\r\n",
    b"GET /\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX: \xff\xfe obs-text\t\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX:\r\nY:  \t \r\n\r\n",
    b"get /x HTTP/1.0\r\nx-a:b\r\n\r\n",
    b"GET / HTTP/2.0\r\n\r\n",
]

HAND_BODIES = [
    b"5\r\nhello\r\n0\r\n\r\n",
    b"4\r\nWiki\r\n5;name=value;flag ; q=\"a \\\" b\"\r\npedia\r\n0\r\nExpires: never\r\n\r\nGET / HTTP/1.1\r\n",
    b"10000000000000000\r\n",
    b"5\nhello\r\n0\r\n\r\n",
    b"5\r\nhelloXX0\r\n\r\n",
    b"5;a\nb\r\nhello\r\n0\r\n\r\n",
    b"0\r\nX: a\r\n folded\r\n\r\n",
    b"1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n",
    b"\r\n\r\n",
]


def corpus_unescape(text: str) -> bytes:
    """The escapes of parser/tests/cases/README.md: \\r \\n \\t \\\\ \\xNN and \\[N]c."""
    out, i = bytearray(), 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        count = 1
        if text[i + 1] == "[":
            close = text.index("]", i)
            count = int(text[i + 2 : close])
            i = close + 1
            if text[i] != "\\":
                out += text[i].encode("utf-8") * count
                i += 1
                continue
        kind = text[i + 1]
        if kind == "x":
            byte, i = bytes([int(text[i + 2 : i + 4], 16)]), i + 4
        else:
            byte, i = {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[kind], i + 2
        out += byte * count
    return bytes(out)


def corpus_responses():
    for path in sorted((ROOT / "parser/tests/cases").glob("response-*.txt")):
        raw, in_raw = [], False
        for line in path.read_text().splitlines() + ["==="]:
            if line.startswith("raw:"):
                raw, in_raw = [line[4:].strip()], True
            elif in_raw and line.startswith((" ", "\t")):
                raw.append(line.strip())
            elif in_raw:
                in_raw = False
                yield corpus_unescape("".join(raw))


HAND_RESPONSES = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: 1\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nto the close",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00",
    b"HTTP/1.1 200\r\n\r\n",
    b"HTTP/1.1 200 \xe9t\xe9\r\nX: a\r\n b\r\n\r\n",
]


def write(target: str, seeds):
    directory = FUZZ / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("seed-*"):
        old.unlink()
    unique = {}
    for seed in seeds:
        unique[hashlib.sha1(seed).hexdigest()[:16]] = seed
    for name, seed in sorted(unique.items()):
        (directory / f"seed-{name}").write_bytes(seed)
    return len(unique)


def main():
    found = list(literals())
    requests = [b for b in found if METHOD.match(b) and len(b) <= 4096]
    bodies = [b for b in found if CHUNK.match(b) and b"\r\n" in b and len(b) <= 4096]
    responses = [b for b in found if STATUS.match(b) and len(b) <= 4096]
    responses = list(dict.fromkeys(HAND_RESPONSES + responses + list(corpus_responses())))
    requests = list(dict.fromkeys(HAND_REQUESTS + requests))
    bodies = list(dict.fromkeys(HAND_BODIES + bodies))

    counts = {}
    counts["parse_request"] = write(
        "parse_request", [bytes([f]) + r for r in requests for f in (0, 1, 3)]
    )
    counts["parse_split"] = write(
        "parse_split",
        [bytes([f, 0x80]) + r for r in requests for f in (0, 3)]
        + [bytes([0, 0x02, 0x40, 0xC0]) + r for r in requests],
    )
    counts["differential_httparse"] = write(
        "differential_httparse", [bytes([f]) + r for r in requests for f in (0, 1)]
    )
    counts["chunked"] = write(
        "chunked",
        [bytes([0, 0, 0x80]) + b for b in bodies]
        + [bytes([0, 0, 0x01, 0x80]) + b for b in bodies],
    )
    # The connection core sees whole requests, pipelined requests and bodies.
    pipelined = [r + r for r in requests[:10]]
    counts["connection"] = write(
        "connection",
        [bytes([0]) + r for r in requests + pipelined] + [bytes([0x80]) + r for r in requests[:10]],
    )
    counts["parse_response"] = write(
        "parse_response",
        [bytes([f, m, 0x80]) + r for r in responses for f in (0, 19) for m in (0, 1)],
    )
    counts["differential_httparse_response"] = write(
        "differential_httparse_response", [bytes([f]) + r for r in responses for f in (0, 7)]
    )
    for target, n in counts.items():
        print(f"{target:>22}: {n} seeds")


if __name__ == "__main__":
    main()
