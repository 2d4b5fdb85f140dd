use super::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF103",
    name: "copy-of-ignored-or-secret",
    aliases: &["CopyIgnoredFile"],
    summary: "COPY of a path .dockerignore excludes, or of secrets (.env, keys, .npmrc, .git)",
    doc: "## What it does
(to be written)

## Why is this bad?

## Example

## Fix safety
",
    severity: Severity::Warning,
    // Off until implemented.
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(_ctx: &Context, _out: &mut Vec<Diagnostic>) {}
