use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, common};
use crate::syntax::Kind;

pub static RULE: Rule = Rule {
    code: "DF916",
    name: "copy-from-unknown-stage",
    aliases: &["DL3022", "DL3023"],
    summary: "`COPY --from=name` where no stage is called `name`, or its own stage",
    doc: "## What it does
Flags `COPY --from=name` (and `ADD --from`) when `name` is no stage's name (compared as
BuildKit does, ignoring case) nor a stage's index (hadolint's DL3022), or names the stage the
instruction is in (DL3023). A value with a tag, digest, registry or variable (`nginx:1.27`,
`ghcr.io/o/x`, `$BASE`) names an image and is not flagged, nor is a named build context that
a compose service (`build.additional_contexts`) or bake target (`contexts`) above the
Dockerfile declares.

Narrower than DL3022: a stage defined later in the file is not flagged, since BuildKit
resolves `--from` against every stage of the file and builds it.

## Why is this bad?
A name that is no stage is pulled as an image: a typo in a stage name (`--from=buidl`) makes
the build fetch `docker.io/library/buidl:latest`, fail, or worse, copy from an unrelated image.
When an image is meant, writing its tag makes that explicit and reproducible. A stage cannot
copy from itself: BuildKit stops with a circular dependency.

## Example
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /app .
FROM alpine:3.20
COPY --from=buidl /app /app
```
Use instead:
```dockerfile
COPY --from=build /app /app
```

## Fix safety
No fix: whether a stage or an image is meant is not known.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (s, stage) in ctx.stages.iter().enumerate().skip(1) {
        for ins in &stage.instructions {
            if !matches!(ins.kind(), Kind::Copy | Kind::Add) {
                continue;
            }
            let Some(flag) = ins.node.flag("from") else {
                continue;
            };
            let Some(value) = flag.value() else {
                continue;
            };
            if value.is_empty() || value.contains([':', '/', '@', '$', '.']) {
                continue;
            }
            let named = |i: usize| {
                common::stage_name(ctx, i).is_some_and(|n| n.eq_ignore_ascii_case(value))
            };
            let index = value.parse::<usize>().ok().and_then(|k| k.checked_add(1));
            let why = if index == Some(s) || (index.is_none() && named(s)) {
                format!("`--from={value}` is this stage: BuildKit reports a circular dependency")
            } else if let Some(i) = index {
                if i < ctx.stages.len() {
                    continue;
                }
                format!(
                    "`--from={value}` names no stage: the file has {} stages",
                    ctx.stages.len() - 1
                )
            } else if (1..ctx.stages.len()).any(named)
                || ctx
                    .options
                    .context
                    .as_ref()
                    .is_some_and(|c| c.is_named_context(value))
            {
                continue;
            } else {
                format!(
                    "`--from={value}` names no stage: unless the build passes a context of that name (`--build-context {value}=...`), it is pulled as the image `{value}:latest`; name a stage, or the image with its tag"
                )
            };
            out.push(Diagnostic::new(&RULE, ins.to_source(flag.span), why));
        }
    }
}
