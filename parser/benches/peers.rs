//! The binary behind `bench/parser-table.sh` and `bench/instructions.sh`: the inputs and peer
//! drivers of `common/mod.rs`, timed without criterion so the three parsers can alternate.
//!
//! ```text
//! peers table [ROUNDS] [MS]      every round times each input through h1, httparse and pico
//!                                in turn (the order rotating by round), MS milliseconds per
//!                                batch; prints the medians over ROUNDS and the ratios
//! peers count INPUT PARSER N     N parses of one input by one parser, nothing else: run under
//!                                callgrind with two values of N, the difference is per parse
//! ```
//! `cargo bench` runs it without arguments (a short table) after criterion's benchmarks.

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::*;
use h1_parser::RequestParser;

/// Runs one parser (named by its column) a number of times over a row's input.
type Runner = Box<dyn FnMut(&str, u64)>;

/// One row of the table: an input and how to run it through each parser.
struct Row {
    name: &'static str,
    /// The column names of the parsers timed on this row (h1 first).
    parsers: &'static [&'static str],
    run: Runner,
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (name, input, step) in heads() {
        check_agree(name, &input, step);
        let mut parser = RequestParser::new();
        rows.push(Row {
            name,
            parsers: &["h1", "httparse", "pico"],
            run: Box::new(move |peer, times| {
                for _ in 0..times {
                    black_box(run_head(peer, &mut parser, black_box(&input), step));
                }
            }),
        });
    }
    for (name, input, step) in common::response::INPUTS {
        let mut drivers = common::response::Drivers::new();
        let expected = drivers.run("h1", input, step);
        for peer in ["httparse", "pico"] {
            assert_eq!(
                drivers.run(peer, input, step),
                expected,
                "{name}: {peer} disagrees"
            );
        }
        rows.push(Row {
            name,
            parsers: &["h1", "httparse", "pico"],
            run: Box::new(move |peer, times| {
                for _ in 0..times {
                    black_box(drivers.run(peer, black_box(input), step));
                }
            }),
        });
    }
    for (name, wire) in [
        ("chunked-1k-4k", chunked_large()),
        ("chunked-tiny", chunked_tiny()),
    ] {
        let (mut backing, offset) = scratch_for(&wire);
        let len = wire.len();
        {
            let scratch = &mut backing[offset..offset + len];
            let (h1, pico) = (h1_chunked(scratch, &wire), pico_chunked(scratch, &wire));
            assert!(h1 == pico && h1.0 == len, "{name}: decoders disagree");
        }
        rows.push(Row {
            name,
            parsers: &["h1", "pico", "copy"],
            run: Box::new(move |peer, times| {
                let scratch = &mut backing[offset..offset + len];
                for _ in 0..times {
                    match peer {
                        "h1" => drop(black_box(h1_chunked(scratch, black_box(&wire)))),
                        "pico" => drop(black_box(pico_chunked(scratch, black_box(&wire)))),
                        _ => {
                            scratch.copy_from_slice(black_box(&wire));
                            black_box(&mut *scratch);
                        }
                    }
                }
            }),
        });
    }
    rows
}

/// Nanoseconds per run of `times` runs.
fn time(run: &mut dyn FnMut(&str, u64), peer: &str, times: u64) -> f64 {
    let start = Instant::now();
    run(peer, times);
    start.elapsed().as_nanos() as f64 / times as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn table(rounds: usize, batch_ms: f64) {
    let mut rows = rows();
    // Calibrate: how many runs fill a batch, per cell (after a warm-up batch).
    let mut counts = Vec::new();
    for row in &mut rows {
        let mut row_counts = Vec::new();
        for &peer in row.parsers {
            let mut times = 1;
            loop {
                let ns = time(&mut row.run, peer, times) * times as f64;
                if ns > batch_ms * 1e6 / 4.0 {
                    let per = ns / times as f64;
                    row_counts.push(((batch_ms * 1e6 / per) as u64).max(1));
                    break;
                }
                times *= 2;
            }
        }
        counts.push(row_counts);
    }
    // samples[row][parser][round], in ns per run
    let mut samples: Vec<Vec<Vec<f64>>> = rows
        .iter()
        .map(|row| vec![Vec::new(); row.parsers.len()])
        .collect();
    for round in 0..rounds {
        for (r, row) in rows.iter_mut().enumerate() {
            let n = row.parsers.len();
            for k in 0..n {
                // The order rotates, so no parser always runs first or right after another.
                let p = (k + round) % n;
                let ns = time(&mut row.run, row.parsers[p], counts[r][p]);
                samples[r][p].push(ns);
            }
        }
        eprint!("\rround {}/{rounds}", round + 1);
    }
    eprintln!();

    let header = [
        "input",
        "h1",
        "httparse",
        "pico",
        "httparse÷h1",
        "pico÷h1",
        "h1 spread",
        "copy",
    ];
    let mut lines = vec![header.map(String::from).to_vec()];
    for (r, row) in rows.iter().enumerate() {
        let column = |name: &str| row.parsers.iter().position(|&p| p == name);
        let h1 = column("h1").unwrap();
        let mut medians: Vec<f64> = samples[r].iter_mut().map(|s| median(s)).collect();
        // The ratio of each round (the parsers ran side by side), then their median.
        let ratio = |peer: Option<usize>| match peer {
            Some(p) if row.parsers[p] != "copy" => {
                let mut per_round: Vec<f64> = (0..rounds)
                    .map(|i| samples[r][p][i] / samples[r][h1][i])
                    .collect();
                format!("{:.2}x", median(&mut per_round))
            }
            _ => "-".to_string(),
        };
        let cell =
            |p: Option<usize>, medians: &[f64]| p.map_or("-".into(), |p| fmt_time(medians[p]));
        let h1_samples = &samples[r][h1];
        let (min, max) = h1_samples
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), &s| (lo.min(s), hi.max(s)));
        let spread = format!("{:.0} %", (max - min) / medians[h1] * 100.0);
        let line = vec![
            row.name.to_string(),
            cell(Some(h1), &medians),
            cell(column("httparse"), &medians),
            cell(column("pico"), &medians),
            ratio(column("httparse")),
            ratio(column("pico")),
            spread,
            cell(column("copy"), &medians),
        ];
        medians.clear();
        lines.push(line);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| lines.iter().map(|l| l[i].chars().count()).max().unwrap())
        .collect();
    for (n, line) in lines.iter().enumerate() {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| {
                let pad = w - c.chars().count();
                if i == 0 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        println!("{}", cells.join("  "));
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            println!("{}", rule.join("  "));
        }
    }
    println!(
        "\nmedian of {rounds} rounds ({batch_ms} ms batches, the three parsers alternating in each round);\n\
         ratio = the median over rounds of peer time ÷ h1 time, above 1.00x h1 is faster;\n\
         h1 spread = (slowest - fastest round) ÷ median; copy = the memcpy both chunked decoders include"
    );
}

fn count(input: &str, peer: &str, times: u64) {
    let chunked = match input {
        "chunked-1k-4k" => Some(chunked_large()),
        "chunked-tiny" => Some(chunked_tiny()),
        _ => None,
    };
    if let Some(&(_, bytes, step)) = common::response::INPUTS
        .iter()
        .find(|(name, _, _)| *name == input)
    {
        let mut drivers = common::response::Drivers::new();
        for _ in 0..times {
            black_box(drivers.run(peer, black_box(bytes), step));
        }
        return;
    }
    if let Some(wire) = chunked {
        // h1 only: pico's SSE4.2 does not run under valgrind. The copy into the scratch buffer
        // is part of each count (`copy` alone measures it).
        let (mut backing, offset) = scratch_for(&wire);
        let scratch = &mut backing[offset..offset + wire.len()];
        for _ in 0..times {
            match peer {
                "h1" => drop(black_box(h1_chunked(scratch, black_box(&wire)))),
                _ => {
                    scratch.copy_from_slice(black_box(&wire));
                    black_box(&mut *scratch);
                }
            }
        }
        return;
    }
    let (_, bytes, step) = heads()
        .into_iter()
        .find(|(name, _, _)| *name == input)
        .unwrap_or_else(|| panic!("unknown input {input}"));
    let mut parser = RequestParser::new();
    for _ in 0..times {
        black_box(run_head(peer, &mut parser, black_box(&bytes), step));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => table(5, 10.0),
        ["table"] => table(11, 40.0),
        ["table", rounds] => table(rounds.parse().expect("ROUNDS"), 40.0),
        ["table", rounds, ms] => table(rounds.parse().expect("ROUNDS"), ms.parse().expect("MS")),
        ["count", input, peer, times] => count(input, peer, times.parse().expect("N")),
        _ => {
            eprintln!("usage: peers [table [ROUNDS [MS]] | count INPUT PARSER N]");
            std::process::exit(2);
        }
    }
}
