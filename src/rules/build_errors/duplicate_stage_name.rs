use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::Args;

pub static RULE: Rule = Rule {
    code: "DF004",
    name: "duplicate-stage-name",
    aliases: &["DuplicateStageName", "DL3024"],
    summary: "Two stages with the same name: the build fails",
    doc: "## What it does
Flags a `FROM ... AS name` whose name (compared case-insensitively) an earlier stage already has.

## Why is this bad?
BuildKit rejects the file: `COPY --from=name` and `--target name` would be ambiguous.

## Example
```dockerfile
FROM golang:1.23 AS build
FROM alpine:3.20 AS build
```
Use instead:
```dockerfile
FROM golang:1.23 AS build
FROM alpine:3.20 AS runtime
```

## Fix safety
No fix: renaming a stage changes what `--target` and `--from` refer to.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<String> = Vec::new();
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Args::Words(words) = &from.node.args else {
            continue;
        };
        let [_, as_word, stage] = words.as_slice() else {
            continue;
        };
        if !as_word.slice(&from.logical).eq_ignore_ascii_case("as") {
            continue;
        }
        let name = stage.slice(&from.logical).to_ascii_lowercase();
        if seen.contains(&name) {
            out.push(Diagnostic::new(
                &RULE,
                from.to_source(*stage),
                format!("Duplicate stage name `{name}`: stage names must be unique"),
            ));
        } else {
            seen.push(name);
        }
    }
}
