//! Property tests for the parser: corpus files with random Dockerfile-flavoured mutations never
//! make it panic, and whatever it accepts prints back unchanged, with items that tile the input
//! and instruction coordinates that stay inside their instruction. Plus a few adversarial inputs.

mod common;

use std::sync::LazyLock;

use dockerfix::syntax::{self, Item};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config as ProptestConfig;

/// The corpus Dockerfiles that are valid UTF-8, read once, plus a few tiny seeds.
static CORPUS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut texts: Vec<String> = common::corpus_dockerfiles()
        .iter()
        .filter_map(|p| String::from_utf8(std::fs::read(p).ok()?).ok())
        .collect();
    assert!(texts.len() > 100, "too few corpus files: {}", texts.len());
    texts.extend(
        [
            "",
            "FROM a\n",
            "# escape=`\nFROM a\nRUN echo `\n  b\n",
            "FROM a\nRUN <<EOF\necho\nEOF\n",
            "FROM a\nCOPY <<-'X' /f\n\tbody\n\tX\n",
            "FROM a\nONBUILD RUN [\"a\", \"b\"]\n",
        ]
        .map(String::from),
    );
    texts
});

/// Dockerfile-significant snippets the mutations insert.
const PIECES: &[&str] = &[
    "\\\n",
    "\n",
    "\r\n",
    "<<EOF\n",
    "EOF\n",
    "#",
    " ",
    "\t",
    "[\"",
    "\"]",
    "'",
    "\"",
    "`",
    "# escape=`\n",
    "--flag=",
    "=",
    "\u{feff}",
    "RUN ",
    "ONBUILD ",
    "<<-'X'\n",
    "\tX\n",
];

#[derive(Clone, Debug)]
enum Mutation {
    Insert { at: Index, piece: Index },
    Delete { at: Index, len: usize },
    Replace { at: Index, len: usize, piece: Index },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        (any::<Index>(), 0usize..24).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<Index>(), 0usize..24, any::<Index>())
            .prop_map(|(at, len, piece)| Mutation::Replace { at, len, piece }),
    ]
}

/// The largest char boundary of `s` at or before `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A char-boundary range of about `len` bytes starting at `at` (an index into `0..=s.len()`).
fn range(s: &str, at: &Index, len: usize) -> (usize, usize) {
    let start = floor_boundary(s, at.index(s.len() + 1));
    let end = floor_boundary(s, start.saturating_add(len));
    (start, end.max(start))
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Insert { at, piece } => {
            let (start, _) = range(text, at, 0);
            text.insert_str(start, PIECES[piece.index(PIECES.len())]);
        }
        Mutation::Delete { at, len } => {
            let (start, end) = range(text, at, *len);
            text.replace_range(start..end, "");
        }
        Mutation::Replace { at, len, piece } => {
            let (start, end) = range(text, at, *len);
            text.replace_range(start..end, PIECES[piece.index(PIECES.len())]);
        }
    }
}

/// What must hold of any document the parser accepts.
fn check_document(input: &str) -> Result<(), TestCaseError> {
    let Ok(doc) = syntax::parse(input) else {
        return Ok(());
    };
    prop_assert_eq!(&doc.text, input);
    prop_assert!(doc.print() == input, "print() differs from the input");
    let mut at = 0;
    for item in &doc.items {
        let span = item.span();
        prop_assert_eq!(span.start, at, "gap or overlap before {:?}", item);
        prop_assert!(span.start <= span.end, "reversed span {:?}", span);
        prop_assert!(
            input.is_char_boundary(span.start) && input.is_char_boundary(span.end),
            "span {:?} not on char boundaries",
            span
        );
        at = span.end;
    }
    prop_assert_eq!(at, input.len(), "items do not reach the end of the input");
    for item in &doc.items {
        if let Item::Instruction(ins) = item {
            prop_assert!(
                ins.start_line <= ins.end_line,
                "lines {}..{}",
                ins.start_line,
                ins.end_line
            );
            let kw = ins.to_source(ins.node.keyword);
            prop_assert!(
                ins.span.contains(kw),
                "keyword {:?} (source {:?}) outside instruction {:?}",
                ins.node.keyword,
                kw,
                ins.span
            );
        }
    }
    // Check and fix (every rule, unsafe fixes too): no panic, the result parses, and fixing
    // twice equals fixing once. Format: idempotent.
    let mut settings = dockerfix::settings::Settings::default();
    settings.enabled.iter_mut().for_each(|e| *e = true);
    let _ = dockerfix::lint(&doc, &settings, &dockerfix::FileOptions::default());
    let fixed = dockerfix::fix(
        input,
        &settings,
        &dockerfix::FileOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    );
    prop_assert!(fixed.is_ok(), "fix failed: {:?}", fixed.err());
    let fixed = fixed.unwrap();
    prop_assert!(syntax::parse(&fixed.text).is_ok());
    let again = dockerfix::fix(
        &fixed.text,
        &settings,
        &dockerfix::FileOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .unwrap();
    prop_assert_eq!(
        &again.text,
        &fixed.text,
        "fixing twice differs from fixing once"
    );
    use dockerfix::settings::{AndPosition, FormatSettings, LineEnding};
    for fmt in [
        FormatSettings::default(),
        FormatSettings {
            indent_style: None,
            indent_width: Some(2),
            and_position: AndPosition::Leading,
            max_blank_lines: 0,
            line_ending: LineEnding::Crlf,
        },
        FormatSettings {
            and_position: AndPosition::Trailing,
            line_ending: LineEnding::Lf,
            ..FormatSettings::default()
        },
    ] {
        let once = dockerfix::format::format(input, &fmt);
        prop_assert!(
            once.is_ok(),
            "format failed: {:?} ({:?}) on {:?}",
            once.err(),
            fmt,
            input
        );
        let once = once.unwrap();
        let twice = dockerfix::format::format(&once, &fmt).unwrap();
        prop_assert!(twice == once, "not idempotent ({:?}) on {:?}", fmt, input);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    #[cfg_attr(
        dockerfix_no_corpus,
        ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
    )]
    fn mutated_corpus_round_trips(
        file in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let mut text = CORPUS[file.index(CORPUS.len())].clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        check_document(&text)?;
    }
}

/// Pathological inputs: each must return (Ok or Err) without panicking.
#[test]
fn adversarial_inputs_do_not_panic() {
    let check = |name: &str, input: &str| -> bool {
        let result = syntax::parse(input);
        if let Err(e) = check_document(input) {
            panic!("{name}: {e}");
        }
        result.is_ok()
    };

    // 100,000 continuation lines in one RUN.
    let mut s = String::from("FROM a\nRUN echo \\\n");
    for _ in 0..100_000 {
        s.push_str("  b \\\n");
    }
    s.push_str("  c\n");
    check("continuations", &s);

    // 10,000 heredocs, one per RUN, and about 6,000 on a single RUN line.
    let mut s = String::from("FROM a\n");
    for i in 0..10_000 {
        s.push_str(&format!("RUN <<E{i}\necho {i}\nE{i}\n"));
    }
    check("heredoc instructions", &s);
    let n = 6_000;
    let mut s = String::from("FROM a\nRUN");
    for i in 0..n {
        s.push_str(&format!(" <<E{i}"));
    }
    s.push('\n');
    for i in 0..n {
        s.push_str(&format!("x\nE{i}\n"));
    }
    check("heredocs on one line", &s);

    // 1,000 stages.
    let mut s = String::new();
    for i in 0..1_000 {
        s.push_str(&format!("FROM alpine AS s{i}\nRUN echo {i}\n"));
    }
    assert!(check("stages", &s), "1,000 stages should parse");

    // 100,000 levels of JSON nesting in CMD: on one line (too long: an error) and spread
    // over continuation lines (one logical line, which reaches the JSON parser).
    let depth = 100_000;
    let s = format!("FROM a\nCMD {}{}\n", "[".repeat(depth), "]".repeat(depth));
    check("nested JSON, one line", &s);
    let mut s = String::from("FROM a\nCMD ");
    for _ in 0..depth / 1_000 {
        s.push_str(&"[".repeat(1_000));
        s.push_str("\\\n");
    }
    for _ in 0..depth / 1_000 {
        s.push_str(&"]".repeat(1_000));
        s.push_str("\\\n");
    }
    s.push('\n');
    check("nested JSON, continued", &s);
    let s = format!("FROM a\nCMD [\"a\", {}\n", "[".repeat(60_000));
    check("unclosed JSON", &s);

    // A 1 MB single line must be rejected.
    let s = format!("FROM a\nRUN echo {}\n", "x".repeat(1 << 20));
    assert!(!check("1 MB line", &s), "a 1 MB line must be an error");
}
