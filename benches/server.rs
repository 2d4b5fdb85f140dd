//! `dockerfix server`: what the main loop does per keystroke (apply an incremental change:
//! index the lines, convert the range, splice the text) and what a worker does per analysis
//! (settings, parse, every default rule, positions), on a typical corpus file and on the
//! largest one.
//!
//! Run with `cargo bench --bench server`.

use std::hint::black_box;
use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

use divan::Bencher;
use dockerfix::server::analysis::{self, Doc};
use dockerfix::server::position::{Encoding, LineIndex};
use lsp_types::Uri;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn main() {
    divan::main();
}

/// The corpus files that parse, by size: (the median one, the largest one).
static FILES: LazyLock<(String, String)> = LazyLock::new(|| {
    let dir = Path::new(CORPUS);
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("{}/MANIFEST.tsv: {e}", dir.display()));
    let mut files: Vec<String> = manifest
        .lines()
        .skip(1)
        .filter_map(|row| row.split('\t').next())
        .filter(|p| !p.is_empty() && !p.ends_with("/result") && !p.ends_with(".txt"))
        .filter_map(|p| String::from_utf8(std::fs::read(dir.join(p)).ok()?).ok())
        .filter(|t| dockerfix::syntax::parse(t).is_ok())
        .collect();
    files.sort_by_key(String::len);
    let median = files[files.len() / 2].clone();
    let largest = files.pop().unwrap();
    (median, largest)
});

fn file(which: &str) -> &'static str {
    match which {
        "median" => &FILES.0,
        _ => &FILES.1,
    }
}

/// One character typed in the middle of the file, as the main loop applies it.
#[divan::bench(args = ["median", "largest"])]
fn keystroke(bencher: Bencher, which: &str) {
    let text = file(which);
    let index = LineIndex::new(text);
    let at = index.position(text, text.len() / 2, Encoding::Utf16);
    bencher
        .with_inputs(|| text.to_string())
        .bench_local_values(|mut text: String| {
            let index = LineIndex::new(&text);
            let start = index.offset(&text, at, Encoding::Utf16);
            text.replace_range(start..start, "x");
            black_box(text)
        });
}

/// One analysis on a worker, as published to the client.
#[divan::bench(args = ["median", "largest"])]
fn diagnostics(bencher: Bencher, which: &str) {
    let text = file(which);
    let uri = Uri::from_str("untitled:Dockerfile").unwrap();
    bencher.bench(|| {
        analysis::diagnostics(black_box(&Doc {
            uri: &uri,
            version: 1,
            text,
            path: None,
            encoding: Encoding::Utf16,
        }))
    });
}
