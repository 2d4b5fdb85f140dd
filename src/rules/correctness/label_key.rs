use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF919",
    name: "label-key",
    aliases: &["DL3048"],
    summary: "A LABEL key that is not a lower-case reverse-DNS-style name",
    doc: "## What it does
Flags a `LABEL` key that breaks Docker's naming guidelines, as hadolint's DL3048 does: it must
start with a lower-case letter, end with a lower-case letter or digit, use only `a-z`, `0-9`,
`.`, `-`, `_` and `/`, have no `..` or `--`, and not use the namespaces Docker reserves
(`com.docker.`, `io.docker.`, `org.dockerproject.`; Docker Desktop's documented
`com.docker.extension.*` labels are fine). Keys with a variable are not checked.

## Why is this bad?
Tools that read labels (registries, scanners, orchestrators) expect these conventions; `Version`
and `version` are two different labels, and a key in Docker's namespaces may be overwritten or
misread.

## Example
```dockerfile
LABEL Maintainer=\"jane@example.com\" Version=1.0
```
Use instead:
```dockerfile
LABEL org.opencontainers.image.authors=\"jane@example.com\" org.opencontainers.image.version=1.0
```

## Fix safety
No fix: the label's name is part of the image's metadata that other tools read.
",
    severity: Severity::Info,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn valid(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c))
        && !key.contains("..")
        && !key.contains("--")
        && (key.starts_with("com.docker.extension.")
            || !["com.docker.", "io.docker.", "org.dockerproject."]
                .iter()
                .any(|ns| key.starts_with(ns)))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        if ins.kind() != Kind::Label {
            continue;
        }
        let Args::Pairs(pairs) = &ins.node.args else {
            continue;
        };
        for pair in pairs {
            let written = pair.key.slice(&ins.logical);
            let key = written.trim_matches(['"', '\'']);
            if key.contains(['$', '\\', '`']) || valid(key) {
                continue;
            }
            out.push(Diagnostic::new(
                &RULE,
                ins.to_source(pair.key),
                format!("Label key `{key}` is not a lower-case, reverse-DNS-style name"),
            ));
        }
    }
}
