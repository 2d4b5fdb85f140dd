use super::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::fix::Applicability;

pub static RULE: Rule = Rule {
    code: "DF101",
    name: "dependency-copy-order",
    aliases: &[],
    summary: "the dependency install step comes after the COPY of the whole source",
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
