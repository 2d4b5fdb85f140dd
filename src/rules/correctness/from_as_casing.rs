use super::{from_words, self_consistent};
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF903",
    name: "from-as-casing",
    aliases: &["FromAsCasing"],
    summary: "The `AS` keyword should have the casing of its `FROM`",
    doc: "## What it does
Flags `FROM image as name` (and `from image AS name`): the `AS` keyword written in another
case than its `FROM` (BuildKit's `FromAsCasing` check). A `FROM` in mixed case (`From`) is left
to `consistent-instruction-casing` (DF905), as BuildKit does.

## Why is this bad?
Both spellings work; mixing them within one line reads as an accident and makes the file
inconsistent.

## Example
```dockerfile
FROM golang:1.23 as build
```
Use instead:
```dockerfile
FROM golang:1.23 AS build
```

## Fix safety
Safe: `AS` is read case-insensitively; only its spelling changes.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some((as_word, _)) = from_words(from).and_then(|w| w.alias) else {
            continue;
        };
        let keyword = from.node.keyword.slice(&from.logical);
        if !self_consistent(keyword) {
            continue;
        }
        let written = as_word.slice(&from.logical);
        let wanted = if keyword == keyword.to_lowercase() {
            written.to_lowercase()
        } else {
            written.to_uppercase()
        };
        if written == wanted {
            continue;
        }
        let span = from.to_source(as_word);
        out.push(
            Diagnostic::new(
                &RULE,
                span,
                format!("`{written}` does not match the casing of `{keyword}`"),
            )
            .with_fix(Fix::safe(
                format!("Write `{wanted}`"),
                vec![Edit::replace(span, wanted)],
            )),
        );
    }
}
