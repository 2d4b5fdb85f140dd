use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::Kind;

pub static RULE: Rule = Rule {
    code: "DF001",
    name: "unknown-instruction",
    aliases: &[],
    summary: "An instruction BuildKit does not know: the build fails",
    doc: "## What it does
Flags an instruction keyword that is not one of BuildKit's (`FROM`, `RUN`, `COPY`, ...).

## Why is this bad?
BuildKit's parser accepts the line, but dispatch rejects it with `unknown instruction`: the
build fails. It is usually a typo (`FORM`, `COPPY`) or a line of a template that was not filled.

## Example
```dockerfile
FORM alpine:3.20
```
Use instead:
```dockerfile
FROM alpine:3.20
```

## Fix safety
No fix: the intended instruction cannot be known. `dockerfix format` keeps such lines verbatim.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // An unknown ONBUILD trigger fails only the builds that use this image as a base, not this
    // build: not flagged here.
    for ins in ctx.doc.instructions() {
        let node = &ins.node;
        if node.kind == Kind::Unknown {
            let keyword = node.keyword.slice(&ins.logical);
            out.push(Diagnostic::new(
                &RULE,
                ins.to_source(node.keyword),
                format!("Unknown instruction `{keyword}`"),
            ));
        }
    }
}
