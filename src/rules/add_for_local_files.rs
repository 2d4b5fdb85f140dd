use super::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::fix::Applicability;

pub static RULE: Rule = Rule {
    code: "DF213",
    name: "add-for-local-files",
    aliases: &["DL3020"],
    summary: "ADD of plain local files: use COPY",
    doc: "## What it does
(to be written)

## Why is this bad?

## Example

## Fix safety
",
    severity: Severity::Warning,
    // Off until implemented.
    default_enabled: false,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

fn check(_ctx: &Context, _out: &mut Vec<Diagnostic>) {}
