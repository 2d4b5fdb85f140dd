use super::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::fix::Applicability;

pub static RULE: Rule = Rule {
    code: "DF211",
    name: "slim-base",
    aliases: &[],
    summary: "a full base image where a -slim variant exists",
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
