use super::{BUILTIN_ARGS, expand, global_args};
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "DF911",
    name: "redundant-target-platform",
    aliases: &["RedundantTargetPlatform", "DL3065"],
    summary: "`FROM --platform=$TARGETPLATFORM` is the default",
    doc: "## What it does
Flags `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`), BuildKit's
`RedundantTargetPlatform` check: the flag names the platform a `FROM` uses anyway.

## Why is this bad?
It is noise, and it suggests that the stage is special when it is not (the useful form is
`--platform=$BUILDPLATFORM`, for stages that run on the build machine).

## Example
```dockerfile
FROM --platform=$TARGETPLATFORM alpine:3.20
```
Use instead:
```dockerfile
FROM alpine:3.20
```

## Fix safety
Safe: a `FROM` without `--platform` pulls the target platform's image, which is what the flag
asked for. The fix is withheld when a global `ARG TARGETPLATFORM` is declared (its default could
make the flag mean something else).
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let globals = global_args(ctx);
    let redeclared = globals.iter().any(|(k, _)| k == "TARGETPLATFORM");
    let env = |name: &str| {
        globals
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.clone())
            .or_else(|| {
                BUILTIN_ARGS
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
    };
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some(flag) = from.node.flag("platform") else {
            continue;
        };
        let Some(value) = flag.value() else {
            continue;
        };
        let Some(e) = expand(value, &env) else {
            continue;
        };
        if !e.unmatched.is_empty()
            || e.matched.is_empty()
            || e.matched.iter().any(|m| m != "TARGETPLATFORM")
            || Some(e.text.as_str()) != env("TARGETPLATFORM").as_deref()
        {
            continue;
        }
        let span = from.to_source(flag.span);
        let mut diag = Diagnostic::new(
            &RULE,
            span,
            format!("`--platform={value}` is what `FROM` uses by default"),
        );
        if !redeclared && from.inner_comments.is_empty() && !from.is_multiline() {
            // The flag and the blanks after it.
            let after = ctx.doc.text.get(span.end..).unwrap_or("");
            let blanks = after.len() - after.trim_start_matches([' ', '\t']).len();
            diag = diag.with_fix(Fix::safe(
                "Remove the `--platform` flag",
                vec![Edit::delete(Span::new(span.start, span.end + blanks))],
            ));
        }
        out.push(diag);
    }
}
