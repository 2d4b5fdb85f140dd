use super::label_schema::{format_problem, pairs};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF927",
    name: "label-format",
    aliases: &[
        "DL3051", "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058",
    ],
    summary: "A schema label whose value is empty or not in its format",
    doc: "## What it does
Checks the value of each label the configured schema lists (`[lint.label-schema] labels`,
hadolint's `label-schema`) against its format: `text` (not empty, hadolint's DL3051, which
applies to every schema label), `url` (an absolute URI, DL3052), `rfc3339` (a date and time
with an offset, `2024-05-01T12:30:00Z`, DL3053), `spdx` (a license identifier, DL3054),
`hash` (a git commit hash: 7 or 40 lower-case hexadecimal digits, DL3055), `semver`
(`1.2.3`, `1.2.3-rc.1+build`, without a `v`, DL3056), `email` (DL3058). Values with a
variable are not checked (the build argument decides them).

Without a schema the rule has nothing to check; configuring one turns it on. One rule for
hadolint's seven codes: `# hadolint ignore=DL3052` silences this rule on that instruction,
whatever the format.

Differences: `spdx` checks the shape of one identifier (letters, digits, `.`, `-`), not
membership in the SPDX list, which dockerfix does not bundle (hadolint does: an unknown
identifier passes here); `email` checks `local@domain` with a plain domain, a simpler grammar
than RFC 5322's (quoted local parts and address literals are refused).

## Why is this bad?
Tools read these labels (a registry links the source URL, a scanner reads the license, a
deploy reads the revision); a value in the wrong format is lost on them.

## Example
With `labels = { \"org.opencontainers.image.created\" = \"rfc3339\" }`:
```dockerfile
LABEL org.opencontainers.image.created=\"yesterday\"
```
Use instead:
```dockerfile
LABEL org.opencontainers.image.created=\"2024-05-01T12:30:00Z\"
```

## Fix safety
No fix: the right value is not something dockerfix can know.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let schema = &ctx.options.label_schema;
    for ins in ctx.doc.instructions() {
        for p in pairs(ins, ctx.doc.escape) {
            let (Some(key), Some(value)) = (&p.key, &p.value) else {
                continue;
            };
            let Some((_, format)) = schema.iter().find(|(k, _)| k == key) else {
                continue;
            };
            if let Some(problem) = format_problem(*format, value) {
                let span = if value.is_empty() {
                    p.key_span
                } else {
                    p.value_span
                };
                out.push(Diagnostic::new(
                    &RULE,
                    span,
                    format!("Label `{key}` {problem} (`{}`)", format.as_str()),
                ));
            }
        }
    }
}
