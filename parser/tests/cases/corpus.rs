//! The corpus format (README.md in this directory): its parser, shared by
//! `parser/tests/conformance.rs` and `server/tests/conformance_echo.rs`.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

use h1_parser::Config;

/// One case of a corpus file.
pub struct Case {
    pub file: String,
    pub line: usize,
    pub name: String,
    pub config: Config,
    pub raw: Vec<u8>,
    /// For a response case (`response: METHOD...`): the methods of the requests the responses
    /// answer, one per final response; the last one answers any further responses.
    pub response: Option<Vec<String>>,
    /// One result per request, in order; each result is its canonical lines.
    pub expect: Vec<Vec<String>>,
    pub known_failing: Option<String>,
}

/// Every case of every `*.txt` file in `dir`, by file name, in name order.
pub fn load(dir: &Path) -> Vec<(String, Vec<Case>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the corpus directory")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("corpus file");
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let cases = parse_file(&file, &text);
            (file, cases)
        })
        .collect()
}

/// The first word of a canonical line.
pub fn key(line: &str) -> &str {
    line.split(' ').next().unwrap_or(line)
}

pub fn parse_file(file: &str, text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut block: Vec<(usize, &str)> = Vec::new();
    for (index, text_line) in text.lines().enumerate().chain([(usize::MAX, "===")]) {
        if text_line.trim_end() == "===" {
            if !block.is_empty() {
                cases.push(parse_case(file, &block));
            }
            block.clear();
        } else if !text_line.starts_with('#') && !text_line.trim().is_empty() {
            block.push((index + 1, text_line));
        }
    }
    cases
}

pub fn parse_case(file: &str, block: &[(usize, &str)]) -> Case {
    let at = |n: usize, msg: &str| fail(file, n, msg);
    let mut case = Case {
        file: file.to_owned(),
        line: block[0].0,
        name: String::new(),
        config: Config::new(),
        raw: Vec::new(),
        response: None,
        expect: Vec::new(),
        known_failing: None,
    };
    let (mut raw, mut field) = (String::new(), "");
    for &(n, text) in block {
        let (key, value) = if text.starts_with([' ', '\t']) {
            (field, text.trim())
        } else {
            let Some((key, value)) = text.split_once(':') else {
                at(n, "expected `key: value`")
            };
            field = key.trim();
            if field == "expect" {
                case.expect.push(Vec::new());
            }
            (field, value.trim())
        };
        match key {
            "name" => case.name.push_str(value),
            "rule" | "note" => {}
            "known-failing" => case.known_failing = Some(value.to_owned()),
            "raw" => raw.push_str(value),
            "response" => {
                let methods: Vec<String> = value.split_whitespace().map(str::to_owned).collect();
                if methods.is_empty() {
                    at(n, "`response:` needs the request method")
                }
                case.response = Some(methods);
            }
            "config" => {
                for word in value.split([',', ' ']).filter(|w| !w.is_empty()) {
                    case.config =
                        configure(case.config, word).unwrap_or_else(|| at(n, "unknown config"));
                }
            }
            "expect" if !value.is_empty() => {
                let (k, rest) = value.split_once(' ').unwrap_or((value, ""));
                let bytes = unescape(rest.trim()).unwrap_or_else(|e| at(n, &e));
                case.expect.last_mut().unwrap().push(line(k, &bytes));
            }
            "expect" => {}
            _ => at(n, "unknown key"),
        }
    }
    case.raw = unescape(&raw).unwrap_or_else(|e| at(case.line, &e));
    if case.name.is_empty() || case.expect.is_empty() {
        at(case.line, "a case needs a name and an expect");
    }
    case
}

pub fn fail(file: &str, line: usize, msg: &str) -> ! {
    panic!("{file}:{line}: {msg}")
}

pub fn configure(config: Config, word: &str) -> Option<Config> {
    let (key, value) = word.split_once('=').unwrap_or((word, ""));
    let n = || value.parse::<usize>().ok();
    Some(match key {
        "bare_lf" => config.allow_bare_lf(true),
        "obs_fold" => config.allow_obs_fold(true),
        "missing_reason_sp" => config.allow_missing_reason_sp(true),
        "empty_host" => config.allow_empty_host(true),
        "max_method_len" => config.max_method_len(n()?),
        "max_head_size" => config.max_head_size(n()?),
        "max_target_len" => config.max_target_len(n()?),
        "max_headers" => config.max_headers(n()?),
        "max_body_size" => config.max_body_size(n()? as u64),
        "max_chunk_extensions" => config.max_chunk_extensions(n()?),
        "max_trailers_size" => config.max_trailers_size(n()?),
        _ => return None,
    })
}

/// `key` and the escaped bytes: the one spelling both expectations and results use.
pub fn line(key: &str, bytes: &[u8]) -> String {
    if bytes.is_empty() {
        key.to_owned()
    } else {
        format!("{key} {}", escape(bytes))
    }
}

/// `\r \n \t \\ \xNN`, and `\[N]c` (the byte `c`, or one escape, N times).
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let (mut out, mut rest) = (Vec::new(), text.as_bytes());
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let mut count = 1;
        if let [b'[', tail @ ..] = rest {
            let close = tail.iter().position(|&b| b == b']').ok_or("unclosed \\[")?;
            let digits = std::str::from_utf8(&tail[..close]).map_err(|e| e.to_string())?;
            count = digits
                .parse::<usize>()
                .map_err(|_| format!("bad count \\[{digits}]"))?;
            rest = &tail[close + 1..];
            if let [b'\\', tail @ ..] = rest {
                rest = tail;
            } else {
                let (&b, tail) = rest.split_first().ok_or("nothing to repeat")?;
                rest = tail;
                out.extend(std::iter::repeat(b).take(count));
                continue;
            }
        }
        let (byte, tail) = match rest {
            [b'r', tail @ ..] => (b'\r', tail),
            [b'n', tail @ ..] => (b'\n', tail),
            [b't', tail @ ..] => (b'\t', tail),
            [b'\\', tail @ ..] => (b'\\', tail),
            [b'x', hi, lo, tail @ ..] => {
                let hex = std::str::from_utf8(&[*hi, *lo])
                    .map_err(|e| e.to_string())?
                    .to_owned();
                (
                    u8::from_str_radix(&hex, 16).map_err(|_| format!("bad \\x{hex}"))?,
                    tail,
                )
            }
            _ => return Err(format!("unknown escape in {text:?}")),
        };
        rest = tail;
        out.extend(std::iter::repeat(byte).take(count));
    }
    Ok(out)
}

/// The inverse of `unescape`; runs of 16 or more equal bytes are written `\[N]c`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let run = bytes[i..].iter().take_while(|&&c| c == b).count();
        if run >= 16 {
            write!(out, "\\[{run}]").unwrap();
        }
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => write!(out, "\\x{b:02X}").unwrap(),
        }
        i += if run >= 16 { run } else { 1 };
    }
    out
}
