//! Any UTF-8 input: the parser does not panic, and what it accepts prints back unchanged, with
//! items that tile the input and instruction keywords inside their instruction; check, fix and
//! format do not panic, fixing converges and re-parses, formatting is idempotent.
#![no_main]

use dockerfix::syntax::{self, Item};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = syntax::parse(input) else {
        return;
    };
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
