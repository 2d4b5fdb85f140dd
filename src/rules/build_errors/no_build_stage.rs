use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF003",
    name: "no-build-stage",
    aliases: &["DL3061"],
    summary: "An instruction before the first FROM: the build fails",
    doc: "## What it does
Flags the first instruction other than `ARG` that comes before any `FROM`, and a file with no
`FROM` at all.

## Why is this bad?
BuildKit fails with `no build stage in current context`: only `ARG` may precede the first
`FROM`. Fragments meant to be included elsewhere trigger this too; ignore the rule for them
(`per-file-ignores`).

## Example
```dockerfile
RUN echo hi
FROM alpine:3.20
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN echo hi
```

## Fix safety
No fix: where the instruction belongs cannot be known.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(pre) = ctx.stages.first() else {
        return;
    };
    let stray = pre
        .instructions
        .iter()
        .find(|i| i.kind() != crate::syntax::Kind::Arg);
    if let Some(ins) = stray {
        let message = if ctx.stages.len() == 1 {
            "No `FROM` in this file: no build stage for its instructions"
        } else {
            "Instruction before the first `FROM`: no build stage in current context"
        };
        out.push(Diagnostic::new(
            &RULE,
            ins.to_source(ins.node.keyword),
            message,
        ));
    }
}
