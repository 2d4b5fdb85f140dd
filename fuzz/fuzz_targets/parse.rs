//! Any UTF-8 input: the parser does not panic, and what it accepts prints back unchanged, with
//! items that tile the input and instruction keywords inside their instruction; check, fix and
//! format do not panic, fixing converges and re-parses, formatting is idempotent.
#![no_main]

#[path = "../../tests/common/pipeline.rs"]
mod pipeline;

use dockerfix::syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // The parser's invariants, written once in the harness the `pipeline` target shares.
    if pipeline::check_parse(input).is_none() {
        return;
    }

    // Check and fix with every rule: no panic, output parses, fixing twice equals once.
    let mut settings = dockerfix::settings::Settings::default();
    settings.enabled.iter_mut().for_each(|e| *e = true);
    let fixed = dockerfix::fix(
        input,
        &settings,
        &dockerfix::FileOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .expect("fix");
    assert!(syntax::parse(&fixed.text).is_ok());
    let again = dockerfix::fix(
        &fixed.text,
        &settings,
        &dockerfix::FileOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .expect("fix twice");
    assert_eq!(again.text, fixed.text);
    let fmt = dockerfix::settings::FormatSettings::default();
    let once = dockerfix::format::format(input, &fmt).expect("format");
    assert_eq!(
        dockerfix::format::format(&once, &fmt).expect("format twice"),
        once
    );
});
