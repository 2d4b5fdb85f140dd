//! Parser throughput: the whole corpus, file by file, and one large synthetic file.
//!
//! Run with `cargo bench --bench parse`.

use std::hint::black_box;
use std::path::Path;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use dockerfix::syntax;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn main() {
    divan::main();
}

/// Every corpus Dockerfile that is valid UTF-8 (parsed or not), as listed in `MANIFEST.tsv`.
static FILES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let dir = Path::new(CORPUS);
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_else(|e| panic!("{}/MANIFEST.tsv: {e}", dir.display()));
    let files: Vec<String> = manifest
        .lines()
        .skip(1)
        .filter_map(|row| row.split('\t').next())
        .filter(|p| !p.is_empty() && !p.ends_with("/result") && !p.ends_with(".txt"))
        .filter_map(|p| String::from_utf8(std::fs::read(dir.join(p)).ok()?).ok())
        .collect();
    assert!(files.len() > 100, "too few corpus files: {}", files.len());
    files
});

/// Whether `text` parses and keeps its meaning inside a larger file: no byte-order mark, no
/// escape directive, and nothing (such as a continuation on its last line) that would swallow
/// the lines after it.
fn self_contained(text: &str) -> bool {
    let Ok(doc) = syntax::parse(text) else {
        return false;
    };
    let followed = format!("{text}\n# next file\nFROM scratch\n");
    doc.escape == '\\'
        && !doc.has_bom()
        && syntax::parse(&followed)
            .is_ok_and(|d| d.instructions().count() == doc.instructions().count() + 1)
}

/// The self-contained corpus files joined with newlines: about 2.7 MB.
static BIG: LazyLock<String> = LazyLock::new(|| {
    let mut big = String::new();
    for text in FILES.iter().filter(|t| self_contained(t)) {
        big.push_str(text);
        big.push('\n');
    }
    if let Err(e) = syntax::parse(&big) {
        panic!(
            "the concatenated file does not parse: {} at line {}",
            e.message, e.line
        );
    }
    big
});

/// Parses every corpus file once per iteration.
#[divan::bench]
fn corpus(bencher: Bencher) {
    let files = &*FILES;
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        for text in files {
            let _ = black_box(syntax::parse(black_box(text)));
        }
    });
}

/// Parses one file of about 2.7 MB.
#[divan::bench]
fn large_file(bencher: Bencher) {
    let big = &*BIG;
    bencher
        .counter(BytesCount::of_str(big))
        .bench(|| syntax::parse(black_box(big)).map(|doc| doc.items.len()));
}

/// `check` with the default rules over every corpus file (parse, rules, suppressions).
#[divan::bench]
fn check_corpus(bencher: Bencher) {
    let files = &*FILES;
    let settings = dockerfix::settings::Settings::default();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let mut n = 0;
        for text in files {
            if let Ok(doc) = syntax::parse(black_box(text)) {
                n += dockerfix::lint(&doc, &settings, &dockerfix::FileOptions::default()).len();
            }
        }
        n
    });
}

/// `format` (layout, plus the meaning check when something changed) over every corpus file.
#[divan::bench]
fn format_corpus(bencher: Bencher) {
    let files = &*FILES;
    let settings = dockerfix::settings::FormatSettings::default();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        files
            .iter()
            .filter_map(|t| dockerfix::format::format(black_box(t), &settings).ok())
            .count()
    });
}

#[path = "../tests/common/adversarial.rs"]
mod adversarial;

/// `check` with every rule (parse included) over one generated file, at size `n`.
fn check_all(bencher: Bencher, text: String) {
    let mut settings = dockerfix::settings::Settings::default();
    settings.enabled.iter_mut().for_each(|e| *e = true);
    bencher.counter(BytesCount::of_str(&text)).bench(|| {
        let doc = syntax::parse(black_box(&text)).expect("parses");
        dockerfix::lint(&doc, &settings, &dockerfix::FileOptions::default()).len()
    });
}

// Adversarial inputs, each at a size and twice that size (the `n` argument): with a linear
// cost the throughput is the same for both (docs/performance.md).

/// One RUN continued over `n` lines.
#[divan::bench(args = [50_000, 100_000])]
fn adversarial_continuation_lines(bencher: Bencher, n: usize) {
    check_all(bencher, adversarial::continuation_lines(n));
}

/// `n` RUNs with a heredoc each.
#[divan::bench(args = [5_000, 10_000])]
fn adversarial_heredocs(bencher: Bencher, n: usize) {
    check_all(bencher, adversarial::heredocs(n));
}

/// `n` RUNs in one stage.
#[divan::bench(args = [5_000, 10_000])]
fn adversarial_runs(bencher: Bencher, n: usize) {
    check_all(bencher, adversarial::runs(n));
}

/// `n` RUNs in one stage whose rules look back at the state before each (WORKDIR, ENV,
/// SHELL, earlier RUNs): one forward pass per file, not a walk per RUN.
#[divan::bench(args = [5_000, 10_000])]
fn adversarial_stateful_runs(bencher: Bencher, n: usize) {
    check_all(bencher, adversarial::stateful_runs(n));
}

/// `n` stages, each built on the one before.
#[divan::bench(args = [500, 1_000])]
fn adversarial_stages(bencher: Bencher, n: usize) {
    check_all(bencher, adversarial::stages(n));
}

/// `check` with the default rules over the big file (the corpus joined, about 2.7 MB).
#[divan::bench]
fn check_large_file(bencher: Bencher) {
    let big = &*BIG;
    let settings = dockerfix::settings::Settings::default();
    bencher.counter(BytesCount::of_str(big)).bench(|| {
        let doc = syntax::parse(black_box(big)).expect("parses");
        dockerfix::lint(&doc, &settings, &dockerfix::FileOptions::default()).len()
    });
}
