//! The whole pipeline (parse, check with every rule under each rule-changing setting, with and
//! without a build context, fix with unsafe fixes, format with several option sets) on
//! Dockerfiles from the structure-aware grammar that the cargo-fuzz target `pipeline` uses,
//! driven here by proptest's byte vectors; plus every crash the fuzzers found, replayed from
//! `tests/fixtures/fuzz-regressions/`.
//!
//! `PROPTEST_CASES` sets the number of generated cases (default 256: a few seconds in debug).

#[path = "common/grammar.rs"]
mod grammar;
#[path = "common/pipeline.rs"]
mod pipeline;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Generates from `bytes`, writes the context (if any) to a temporary folder, runs the
/// pipeline; a panic becomes a failure that shows the Dockerfile and the context.
fn run_generated(bytes: &[u8]) -> Result<(), TestCaseError> {
    let generated = grammar::generate(bytes);
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Some(files) = &generated.context {
        grammar::write_context(dir.path(), files)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    let ctx = generated.context.as_ref().map(|_| dir.path());
    let result = catch_unwind(AssertUnwindSafe(|| {
        pipeline::run(&generated.dockerfile, ctx)
    }));
    result.map_err(|panic| {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!(
            "{msg}\n--- Dockerfile\n{}\n--- context\n{:?}",
            generated.dockerfile, generated.context
        ))
    })
}

#[test]
fn generated_dockerfiles_go_through_the_pipeline() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = proptest::collection::vec(any::<u8>(), 0..768);
    if let Err(e) = runner.run(&strategy, |bytes| run_generated(&bytes)) {
        panic!("{e}");
    }
}

#[test]
fn grammar_output_is_deterministic_and_mostly_parses() {
    // The same bytes give the same file; and most generated files are accepted by the parser
    // (else the fuzzer would spend its time on rejected input).
    let mut accepted = 0;
    for seed in 0u32..200 {
        let bytes: Vec<u8> = (0..400u32)
            .map(|i| {
                (i.wrapping_mul(2_654_435_761)
                    .wrapping_add(seed.wrapping_mul(40_503))
                    >> 13) as u8
            })
            .collect();
        let a = grammar::generate(&bytes);
        assert_eq!(a.dockerfile, grammar::generate(&bytes).dockerfile);
        if dockerfix::syntax::parse(&a.dockerfile).is_ok() {
            accepted += 1;
        }
    }
    assert!(
        accepted > 150,
        "only {accepted} of 200 generated files parse"
    );
}

/// Every file `tests/fixtures/fuzz-regressions/<name>.Dockerfile`, with the folder `<name>/`
/// beside it as its build context when there is one.
#[test]
fn fuzz_regressions_go_through_the_pipeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    let mut failures = Vec::new();
    for path in &entries {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let context = path.with_extension("");
        let context = context.is_dir().then_some(context.as_path());
        if let Err(panic) = catch_unwind(|| pipeline::run(&text, context)) {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let first = msg.lines().next().unwrap_or_default().to_string();
            failures.push(format!("{}: {first}", path.display()));
        }
    }
    assert!(failures.is_empty(), "fuzz regressions fail: {failures:#?}");
}

/// Prints what the grammar makes of a file of bytes (a crash of the `pipeline` fuzz target):
/// `DOCKERFIX_GRAMMAR_BYTES=fuzz/artifacts/pipeline/crash-… cargo test --test pipeline_props
/// show_generated -- --ignored --nocapture`.
#[test]
#[ignore]
fn show_generated() {
    let Some(path) = std::env::var_os("DOCKERFIX_GRAMMAR_BYTES") else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let generated = grammar::generate(&bytes);
    println!("--- Dockerfile\n{}", generated.dockerfile);
    println!("--- context\n{:#?}", generated.context);
}
