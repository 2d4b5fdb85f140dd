//! The whole pipeline on one Dockerfile, asserting what must hold for any input: shared by the
//! cargo-fuzz target `fuzz/fuzz_targets/pipeline.rs` and by `tests/pipeline_props.rs`.
//!
//! [`run`] parses (lossless: the items tile the input and print it back), checks with every
//! rule under each setting that changes rule behaviour (default, `strategy = "mount"`, a named
//! and a numeric non-root user; each without and with the build context), fixes with unsafe
//! fixes (the result parses, fixing it again changes nothing and creates nothing), and formats
//! with several option sets (the result parses, formatting it again changes nothing). Every
//! diagnostic and edit lies inside the text on character boundaries. Any failure panics.
#![allow(dead_code)]

use dockerfix::context::BuildContext;
use dockerfix::settings::{
    AndPosition, CacheStrategy, CdScope, FormatSettings, IndentStyle, LineEnding, MergeScope,
    PipefailPipes, Settings,
};
use dockerfix::syntax::{self, Item, Span};
use std::path::Path;

/// The settings the pipeline runs under, all with every rule enabled.
pub fn settings_variants() -> Vec<(&'static str, Settings)> {
    let all = || {
        let mut s = Settings::default();
        s.enabled.iter_mut().for_each(|e| *e = true);
        s
    };
    let mut mount = all();
    mount.cache_strategy = CacheStrategy::Mount;
    let mut named = all();
    named.non_root_user = "appuser".into();
    // With the options that widen DF201, DF308 and DF306 to hadolint's reach.
    named.merge_scope = MergeScope::Consecutive;
    named.cd_scope = CdScope::Any;
    named.pipefail_pipes = PipefailPipes::All;
    let mut numeric = all();
    numeric.non_root_user = "1000:1000".into();
    numeric.cache_strategy = CacheStrategy::Mount;
    vec![
        ("default", all()),
        ("mount", mount),
        ("user appuser + hadolint-like options", named),
        ("user 1000:1000 + mount", numeric),
    ]
}

/// The layout option sets the pipeline formats with.
pub fn format_variants() -> Vec<FormatSettings> {
    let f =
        |indent_style, indent_width, and_position, line_ending, max_blank_lines| FormatSettings {
            indent_style,
            indent_width,
            line_ending,
            and_position,
            max_blank_lines,
        };
    vec![
        FormatSettings::default(),
        f(None, Some(2), AndPosition::Leading, LineEnding::Lf, 0),
        f(None, Some(8), AndPosition::Trailing, LineEnding::Crlf, 3),
        f(None, Some(0), AndPosition::Preserve, LineEnding::Auto, 2),
        f(
            Some(IndentStyle::Tab),
            None,
            AndPosition::Leading,
            LineEnding::Crlf,
            1,
        ),
        f(
            Some(IndentStyle::Space),
            Some(16),
            AndPosition::Preserve,
            LineEnding::Lf,
            1,
        ),
    ]
}

fn check_span(text: &str, span: Span, what: &dyn Fn() -> String) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{}: span {span:?} outside the text ({} bytes)",
        what(),
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{}: span {span:?} not on char boundaries",
        what()
    );
}

/// The parser's invariants (those of `fuzz/fuzz_targets/parse.rs`).
pub fn check_parse(input: &str) -> Option<syntax::Document> {
    let doc = syntax::parse(input).ok()?;
    assert_eq!(doc.text, input);
    assert!(doc.print() == input, "print() differs from the input");
    let mut at = 0;
    for item in &doc.items {
        let span = item.span();
        assert_eq!(span.start, at, "gap or overlap before {item:?}");
        assert!(span.start <= span.end, "reversed span {span:?}");
        assert!(
            input.is_char_boundary(span.start) && input.is_char_boundary(span.end),
            "span {span:?} not on char boundaries"
        );
        at = span.end;
        if let Item::Instruction(ins) = item {
            assert!(ins.start_line <= ins.end_line, "{ins:?}");
            let kw = ins.to_source(ins.node.keyword);
            assert!(
                ins.span.contains(kw),
                "keyword {:?} (source {kw:?}) outside instruction {:?}",
                ins.node.keyword,
                ins.span
            );
        }
    }
    assert_eq!(at, input.len(), "items do not reach the end of the input");
    Some(doc)
}

/// Runs everything on `text`; `context_dir` is the build context folder (the Dockerfile is
/// taken to be `Dockerfile` in it). Panics on any broken invariant.
pub fn run(text: &str, context_dir: Option<&Path>) {
    let Some(doc) = check_parse(text) else {
        // Rejected input: the other entry points reject it too, without panicking.
        let s = Settings::default();
        assert!(matches!(
            dockerfix::fix(
                text,
                &s,
                &dockerfix::FileOptions {
                    unsafe_fixes: true,
                    ..Default::default()
                }
            ),
            Err(dockerfix::FixError::Parse(_))
        ));
        assert!(matches!(
            dockerfix::format::format(text, &FormatSettings::default()),
            Err(dockerfix::format::FormatError::Parse(_))
        ));
        return;
    };
    let dockerfile = context_dir.map(|d| d.join("Dockerfile"));
    let context = context_dir.map(|d| BuildContext::new(d).for_dockerfile(&d.join("Dockerfile")));
    let mut contexts: Vec<(Option<&Path>, Option<&BuildContext>)> = vec![(None, None)];
    if let Some(c) = &context {
        contexts.push((dockerfile.as_deref(), Some(c)));
    }

    for (name, settings) in settings_variants() {
        for &(path, ctx) in &contexts {
            let label = || format!("{name}, context {}", ctx.is_some());
            // Check.
            for d in dockerfix::lint(
                &doc,
                &settings,
                &dockerfix::FileOptions {
                    path,
                    context: ctx,
                    ..Default::default()
                },
            ) {
                check_span(text, d.span, &|| format!("{} {}", label(), d.rule.code));
                if let Some(fix) = &d.fix {
                    for e in &fix.edits {
                        check_span(text, e.span, &|| {
                            format!("{} {} edit", label(), d.rule.code)
                        });
                    }
                }
            }
            // Fix with unsafe fixes; fixing the result changes nothing more.
            let fixed = dockerfix::fix(
                text,
                &settings,
                &dockerfix::FileOptions {
                    path,
                    context: ctx,
                    unsafe_fixes: true,
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("{}: fix: {e}", label()));
            assert!(
                syntax::parse(&fixed.text).is_ok(),
                "{}: the fixed text does not parse:\n{}",
                label(),
                fixed.text
            );
            let after = ctx.map(|c| fixed.created.iter().fold(c.clone(), |c, f| c.with_file(f)));
            let again = dockerfix::fix(
                &fixed.text,
                &settings,
                &dockerfix::FileOptions {
                    path,
                    context: after.as_ref(),
                    unsafe_fixes: true,
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("{}: fix twice: {e}", label()));
            assert!(
                again.text == fixed.text,
                "{}: fixing twice changed more:\n--- once\n{}\n--- twice\n{}",
                label(),
                fixed.text,
                again.text
            );
            assert!(
                again.created.is_empty(),
                "{}: fixing twice created {:?}",
                label(),
                again.created
            );
        }
    }

    // Safe fixes only, and fixes that may not create files (standard input with a context).
    let settings = &settings_variants()[0].1;
    let safe = dockerfix::fix(text, settings, &dockerfix::FileOptions::default())
        .unwrap_or_else(|e| panic!("safe fix: {e}"));
    assert!(syntax::parse(&safe.text).is_ok(), "safe fix does not parse");
    if let Some(c) = &context {
        let out = dockerfix::fix(
            text,
            settings,
            &dockerfix::FileOptions {
                context: Some(c),
                unsafe_fixes: true,
                no_new_files: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("fix without creating files: {e}"));
        assert!(out.created.is_empty(), "created {:?}", out.created);
        assert!(syntax::parse(&out.text).is_ok());
    }

    // Format: parses, idempotent, under every option set; and the fixed text formats too.
    for fmt in format_variants() {
        let once =
            dockerfix::format::format(text, &fmt).unwrap_or_else(|e| panic!("format {fmt:?}: {e}"));
        assert!(
            syntax::parse(&once).is_ok(),
            "format {fmt:?}: output does not parse:\n{once}"
        );
        let twice = dockerfix::format::format(&once, &fmt)
            .unwrap_or_else(|e| panic!("format twice {fmt:?}: {e}"));
        assert!(
            twice == once,
            "format {fmt:?} is not idempotent:\n--- once\n{once}\n--- twice\n{twice}"
        );
    }
    let fmt = FormatSettings::default();
    dockerfix::format::format(&safe.text, &fmt)
        .unwrap_or_else(|e| panic!("format of the fixed text: {e}"));
}
