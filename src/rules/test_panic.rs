//! A rule that panics on purpose, to prove that a panic stays in its file (`tests/cli.rs`).
//! Compiled only into debug builds (the test builds), never into a release, and not in the
//! registry: it runs only when `DOCKERFIX_TEST_PANIC` is set, on files containing
//! `dockerfix-test-panic`.

use super::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF999",
    name: "test-panic",
    aliases: &[],
    summary: "Panics on purpose (debug builds, tests only)",
    doc: "",
    severity: Severity::Error,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

/// Whether the test asked for the rule (read once per run).
pub fn armed() -> bool {
    static ARMED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ARMED.get_or_init(|| std::env::var_os("DOCKERFIX_TEST_PANIC").is_some())
}

fn check(ctx: &Context, _out: &mut Vec<Diagnostic>) {
    if ctx.doc.text.contains("dockerfix-test-panic") {
        panic!("a panic on purpose (DOCKERFIX_TEST_PANIC)");
    }
}
