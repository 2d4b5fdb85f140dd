use super::label_schema::pairs;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF926",
    name: "label-not-in-schema",
    aliases: &["DL3050"],
    summary: "A LABEL that `[lint.label-schema]` does not list",
    doc: "## What it does
Flags a `LABEL` key that is not in the configured schema (`[lint.label-schema] labels`), as
hadolint's DL3050 under `strict-labels`. It is off unless `[lint.label-schema] strict = true`
(which turns it on, as `extend-select = [\"DF926\"]` would), and reports nothing without a
schema. Keys with a variable are not checked. One finding per key (hadolint reports the
instruction once).

## Why is this bad?
A team with a strict schema wants every label reviewed: a label outside it is a typo of a
schema label or metadata nobody maintains.

## Example
With `labels = { \"org.opencontainers.image.source\" = \"url\" }` and `strict = true`:
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.source=\"https://github.com/example/app\" team=payments
```
Use instead:
```dockerfile
FROM alpine:3.20
LABEL org.opencontainers.image.source=\"https://github.com/example/app\"
```

## Fix safety
No fix: removing metadata that tools may read is for the author to decide.
",
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let schema = &ctx.options.label_schema;
    if schema.is_empty() {
        return;
    }
    for ins in ctx.doc.instructions() {
        for p in pairs(ins, ctx.doc.escape) {
            let Some(key) = p.key else { continue };
            if !schema.iter().any(|(k, _)| *k == key) {
                out.push(Diagnostic::new(
                    &RULE,
                    p.key_span,
                    format!("Label `{key}` is not in `[lint.label-schema]`"),
                ));
            }
        }
    }
}
