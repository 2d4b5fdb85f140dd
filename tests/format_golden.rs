//! Golden tests of `dockerfix format`: `tests/fixtures/format/NAME.Dockerfile` is formatted and
//! compared with `NAME.expected` (written with `UPDATE_GOLDEN=1 cargo test --test
//! format_golden`, then reviewed by hand). Options come from a header comment in the input,
//! `# format: key=value, key=value` (`indent-style`, `indent-width`, `and-position`, `line-ending`,
//! `max-blank-lines`). Every expected output is formatted again to prove idempotence.

use dockerfix::settings::{AndPosition, FormatSettings, LineEnding};
use std::path::Path;

fn options(text: &str) -> FormatSettings {
    let mut s = FormatSettings::default();
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("");
    let Some(opts) = first.strip_prefix("# format:") else {
        return s;
    };
    for opt in opts.split(',') {
        let (k, v) = opt.trim().split_once('=').expect("key=value");
        match k {
            "indent-width" => s.indent_width = Some(v.parse().unwrap()),
            "indent-style" => {
                s.indent_style = Some(match v {
                    "tab" => dockerfix::settings::IndentStyle::Tab,
                    _ => dockerfix::settings::IndentStyle::Space,
                })
            }
            "max-blank-lines" => s.max_blank_lines = v.parse().unwrap(),
            "and-position" => {
                s.and_position = match v {
                    "leading" => AndPosition::Leading,
                    "trailing" => AndPosition::Trailing,
                    _ => AndPosition::Preserve,
                }
            }
            "line-ending" => {
                s.line_ending = match v {
                    "lf" => LineEnding::Lf,
                    "crlf" => LineEnding::Crlf,
                    _ => LineEnding::Auto,
                }
            }
            other => panic!("unknown option {other}"),
        }
    }
    s
}

#[test]
fn golden() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let mut n = 0;
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    inputs.sort();
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let settings = options(&text);
        let (out, fallbacks) = dockerfix::format::format_counting_fallbacks(&text, &settings)
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        // A fallback to the conservative layout means the full layout got it wrong.
        assert_eq!(fallbacks, 0, "{}: conservative fallbacks", input.display());
        let again = dockerfix::format::format(&out, &settings).unwrap();
        assert_eq!(again, out, "{}: not idempotent", input.display());
        let expected_path = input.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &out).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if out != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{out}",
                input.display()
            ));
        }
        n += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(n >= 10, "{n} fixtures");
}
