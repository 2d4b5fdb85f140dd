use super::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::fix::Applicability;

pub static RULE: Rule = Rule {
    code: "DF209",
    name: "npm-ci",
    aliases: &[],
    summary: "npm install where a lockfile exists; dev dependencies in the final stage",
    doc: "## What it does
(to be written)

## Why is this bad?

## Example

## Fix safety
",
    severity: Severity::Warning,
    // Off until implemented.
    default_enabled: false,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

fn check(_ctx: &Context, _out: &mut Vec<Diagnostic>) {}
