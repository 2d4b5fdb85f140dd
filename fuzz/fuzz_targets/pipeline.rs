//! The whole pipeline on structure-aware input: libFuzzer's bytes drive the grammar of
//! `tests/common/grammar.rs` (a Dockerfile and maybe a build context, written to a temporary
//! folder), and `tests/common/pipeline.rs` runs parse, check with every rule under each
//! rule-changing setting, fix with unsafe fixes and format with several option sets, asserting
//! its invariants. The same two files drive `tests/pipeline_props.rs` in CI.
#![no_main]

#[path = "../../tests/common/grammar.rs"]
mod grammar;
#[path = "../../tests/common/pipeline.rs"]
mod pipeline;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let generated = grammar::generate(data);
    match &generated.context {
        None => pipeline::run(&generated.dockerfile, None),
        Some(files) => {
            let dir = tempfile::tempdir().expect("temporary folder");
            grammar::write_context(dir.path(), files).expect("write the context");
            pipeline::run(&generated.dockerfile, Some(dir.path()));
        }
    }
});
