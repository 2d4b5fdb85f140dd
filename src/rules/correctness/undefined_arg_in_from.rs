use super::{BUILTIN_ARGS, from_words, global_args, variables};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF907",
    name: "undefined-arg-in-from",
    aliases: &["UndefinedArgInFrom"],
    summary: "`FROM` uses a variable no global `ARG` declares",
    doc: "## What it does
Flags a variable in a `FROM` line (its image or its `--platform`) that no `ARG` before the first
`FROM` declares and that is not one of BuildKit's predefined platform arguments
(`TARGETPLATFORM`, `BUILDARCH`, ...), as BuildKit's `UndefinedArgInFrom` check does.

## Why is this bad?
`FROM` only sees global build arguments. An `ARG` declared inside a stage, or an `ENV`, is not
visible there: the variable expands to nothing, and the build uses another image than meant (or
fails on an empty name). A typo in the name has the same effect.

## Example
```dockerfile
FROM alpine:3.20
ARG VERSION=3.12
FROM python:${VERSION}-slim
```
Use instead:
```dockerfile
ARG VERSION=3.12
FROM alpine:3.20
FROM python:${VERSION}-slim
```

## Fix safety
No fix: where the `ARG` belongs (and its default) is the author's choice.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let globals = global_args(ctx);
    let known = |name: &str| {
        globals.iter().any(|(k, _)| k == name) || BUILTIN_ARGS.iter().any(|(k, _)| *k == name)
    };
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some(words) = from_words(from) else {
            continue;
        };
        let image = words.image.slice(&from.logical);
        let platform = from.node.flag("platform").and_then(|f| f.value());
        let mut reported: Vec<&str> = Vec::new();
        for name in variables(image, ctx.doc.escape).into_iter().chain(
            platform
                .map(|p| variables(p, ctx.doc.escape))
                .unwrap_or_default(),
        ) {
            if known(name) || reported.contains(&name) {
                continue;
            }
            reported.push(name);
            let hint = globals
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(k, _)| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            out.push(Diagnostic::new(
                &RULE,
                from.to_source(from.node.rest),
                format!("`FROM` uses `${name}`, which no global `ARG` declares{hint}"),
            ));
        }
    }
}
