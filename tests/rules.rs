//! Per-rule fixtures (`tests/fixtures/rules/*.Dockerfile`): a snapshot of the diagnostics with
//! every rule enabled, and of the text after `--fix --unsafe-fixes`. Each fixture mixes cases
//! that fire and `# ok` cases that must not; the snapshots are reviewed by hand.

use dockerfix::settings::Settings;
use std::path::Path;

fn all_rules() -> Settings {
    let mut s = Settings::default();
    s.enabled.iter_mut().for_each(|e| *e = true);
    s
}

fn render(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let settings = all_rules();
    let doc = dockerfix::syntax::parse(&text).unwrap();
    let diagnostics = dockerfix::lint(&doc, &settings, None);
    let mut out = String::new();
    for d in &diagnostics {
        let (l, c) = doc.line_col(d.span.start);
        let fix = match &d.fix {
            Some(f) => format!(" [{:?}: {}]", f.applicability, f.title),
            None => String::new(),
        };
        out.push_str(&format!("{l}:{c} {} {}{fix}\n", d.rule.code, d.message));
    }
    let fixed = dockerfix::fix_text(&text, &settings, None, true).unwrap();
    // Fixing is idempotent and the result parses.
    let again = dockerfix::fix_text(&fixed.text, &settings, None, true).unwrap();
    assert_eq!(
        again.text, fixed.text,
        "{name}: fixing twice changes the text"
    );
    assert!(again.applied.is_empty());
    // Safe fixes alone are a subset.
    let safe = dockerfix::fix_text(&text, &settings, None, false).unwrap();
    assert!(safe.applied.iter().all(|a| a.rule.code != "DF901"));
    out.push_str("----- fixed (--unsafe-fixes) -----\n");
    out.push_str(&fixed.text);
    out
}

macro_rules! fixture {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(stringify!($test), render($file));
            });
        }
    };
}

fixture!(df204_package_manager_prompt, "DF204.Dockerfile");
fixture!(df204_windows_skipped, "DF204-windows.Dockerfile");
fixture!(df204_shell_instruction, "DF204-shell.Dockerfile");
fixture!(df901_maintainer_deprecated, "DF901.Dockerfile");
fixture!(df901_backtick_escape, "DF901-backtick.Dockerfile");
fixture!(df001_to_df004_build_errors, "DF001-DF004.Dockerfile");
