//! `docs/rules.md` is generated from the rule registry; this test fails when it is stale.
//! Regenerate with `UPDATE_DOCS=1 cargo test --test docs`.

use dockerfix::fix::Applicability;
use dockerfix::rules::{FixAvailability, RULES};

fn render() -> String {
    let mut s = String::from(
        "# Rules\n\n<!-- Generated from src/rules by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n",
    );
    s.push_str(
        "| code | name | what it catches | aliases | default | fix |\n|---|---|---|---|---|---|\n",
    );
    let fix = |f: FixAvailability| match f {
        FixAvailability::None => "none".to_string(),
        FixAvailability::Always(a) | FixAvailability::Sometimes(a) => {
            let kind = if a == Applicability::Safe {
                "Safe"
            } else {
                "Unsafe"
            };
            if matches!(f, FixAvailability::Sometimes(_)) {
                format!("{kind} (sometimes)")
            } else {
                kind.to_string()
            }
        }
    };
    for r in RULES {
        s.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} | {} |\n",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.summary.replace('|', "\\|"),
            r.aliases.join(" "),
            if r.default_enabled { "on" } else { "off" },
            fix(r.fix)
        ));
    }
    for r in RULES {
        s.push_str(&format!(
            "\n## {}\n\n`{}` · {}\n\n",
            r.code, r.name, r.summary
        ));
        s.push_str(&r.doc.replace("\n## ", "\n### ").replacen("## ", "### ", 1));
    }
    s
}

#[test]
fn rules_doc_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let want = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}
