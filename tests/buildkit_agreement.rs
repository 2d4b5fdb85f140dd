//! The parser agrees with BuildKit on every corpus file: accepted or rejected alike, the same
//! instruction line ranges and keywords (`BUILDKIT-VERDICTS.tsv`, made with BuildKit's parser),
//! and printing the document gives the input back byte for byte.

mod common;

use common::*;
use dockerfix::syntax::{self, Kind};

struct Verdict {
    ok: bool,
    ranges: String,
    keywords: String,
    error: String,
}

fn check(name: &str, bytes: &[u8], v: &Verdict, failures: &mut Vec<String>) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        if !name.ends_with(NON_UTF8) {
            failures.push(format!("{name}: not UTF-8"));
        }
        return;
    };
    match syntax::parse(text) {
        Ok(doc) => {
            if doc.print() != text {
                failures.push(format!("{name}: round trip differs"));
            }
            if !v.ok {
                failures.push(format!("{name}: accepted, BuildKit rejects: {}", v.error));
                return;
            }
            let ranges: Vec<String> = doc
                .instructions()
                .map(|i| format!("{}-{}", i.start_line, i.end_line))
                .collect();
            if ranges.join(",") != v.ranges {
                failures.push(format!(
                    "{name}: ranges {} != {}",
                    ranges.join(","),
                    v.ranges
                ));
            }
            let keywords: Vec<String> = doc
                .instructions()
                .map(|i| {
                    let kw = i.node.keyword.slice(&i.logical).to_uppercase();
                    if i.node.kind != Kind::Unknown {
                        assert_eq!(kw, i.node.kind.keyword());
                    }
                    kw
                })
                .collect();
            if keywords.join(",") != v.keywords {
                failures.push(format!(
                    "{name}: keywords {} != {}",
                    keywords.join(","),
                    v.keywords
                ));
            }
        }
        Err(e) => {
            if v.ok {
                failures.push(format!(
                    "{name}: rejected ({e} at {}), BuildKit accepts",
                    e.line
                ));
            }
        }
    }
}

fn run(rows: Vec<(String, std::path::PathBuf, Verdict)>) -> usize {
    let mut failures = Vec::new();
    for (name, path, v) in &rows {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check(name, &bytes, v, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    rows.len()
}

fn verdict(row: &[String]) -> Verdict {
    let col = |i: usize| row.get(i).cloned().unwrap_or_default();
    Verdict {
        ok: col(1) == "OK",
        ranges: col(3),
        keywords: col(4),
        error: col(6),
    }
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn corpus_agrees_with_buildkit() {
    let dir = corpus_dir();
    let rows: Vec<_> = tsv(&dir.join("BUILDKIT-VERDICTS.tsv"))
        .into_iter()
        .map(|row| (row[0].clone(), dir.join(&row[0]), verdict(&row)))
        .collect();
    assert!(rows.len() > 1400);
    let n = run(rows);
    eprintln!("{n} corpus files agree with BuildKit");
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn handmade_cases_agree_with_buildkit() {
    let dir = corpus_dir().join("handmade-cases");
    let rows: Vec<_> = tsv(&dir.join("EXPECTED-buildkit.tsv"))
        .into_iter()
        // m02 and m05 fail at dispatch, m06 in the parser: the verdicts file marks which.
        .map(|row| (row[0].clone(), dir.join(&row[0]), verdict(&row)))
        .collect();
    assert!(rows.len() > 40);
    run(rows);
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn every_corpus_file_round_trips() {
    let mut n = 0;
    for path in corpus_dockerfiles() {
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Ok(doc) = syntax::parse(text)
        {
            assert_eq!(doc.print(), text, "{}", path.display());
            let mut pos = 0;
            for item in &doc.items {
                assert_eq!(
                    item.span().start,
                    pos,
                    "{}: items tile the input",
                    path.display()
                );
                pos = item.span().end;
            }
            assert_eq!(pos, text.len());
            n += 1;
        }
    }
    assert!(n > 1400, "{n}");
}
