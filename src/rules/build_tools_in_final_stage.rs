use super::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF212",
    name: "build-tools-in-final-stage",
    aliases: &[],
    summary: "compilers, -dev packages or build steps in the shipped stage",
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
