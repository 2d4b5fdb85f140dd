use super::from_words;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF906",
    name: "reserved-stage-name",
    aliases: &["ReservedStageName", "DL3063"],
    summary: "A stage named `scratch` or `context`",
    doc: "## What it does
Flags a stage named `scratch` or `context` (in any case), BuildKit's `ReservedStageName` check.

## Why is this bad?
`scratch` is the empty image and `context` names the build context (`COPY --from=context`,
named contexts): a stage with one of these names is confusing at best, and `FROM scratch` after
it still means the empty image, not the stage.

## Example
```dockerfile
FROM alpine:3.20 AS scratch
```
Use instead:
```dockerfile
FROM alpine:3.20 AS base
```

## Fix safety
No fix: renaming a stage changes what `--target` and `--from` refer to.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some((_, name)) = from_words(from).and_then(|w| w.alias) else {
            continue;
        };
        let lower = name.slice(&from.logical).to_lowercase();
        if lower == "scratch" || lower == "context" {
            out.push(Diagnostic::new(
                &RULE,
                from.to_source(name),
                format!("`{lower}` is a reserved name: choose another stage name"),
            ));
        }
    }
}
