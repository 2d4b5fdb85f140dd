use super::label_schema::stage_keys;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF925",
    name: "missing-label",
    aliases: &["DL3049"],
    summary: "An image without a label that `[lint.label-schema]` requires",
    doc: "## What it does
Flags a stage that makes an image (a build target: the last stage, or a stage no other stage
builds on or copies from) when neither it nor the stages it is built on (`FROM base`) set a
label of the configured schema (`[lint.label-schema] labels`, hadolint's `label-schema`). One
finding per missing label, on the stage's `FROM`, as hadolint's DL3049. A LABEL whose key has
a variable may set any label: the stage is not flagged.

Without a schema the rule has nothing to check; configuring one turns it on.

Narrower than hadolint in one way: a stage only copied from (`COPY --from=build`) is not
flagged, where hadolint flags a stage that is neither copied from by name nor built on; the
two agree on the usual multi-stage file.

## Why is this bad?
A team that requires labels (owner, source, revision) reads them from every image it ships;
an image without them cannot be traced back.

## Example
With `labels = { \"org.opencontainers.image.source\" = \"url\" }`:
```dockerfile
FROM python:3.12-slim
```
Use instead:
```dockerfile
FROM python:3.12-slim
LABEL org.opencontainers.image.source=\"https://github.com/example/app\"
```

## Fix safety
No fix: the value of the label is not something dockerfix can know.
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
    let n = ctx.stages.len();
    for stage in 1..n {
        // A target: it ships and no later stage builds on it.
        let built_on = (stage + 1..n).any(|t| ctx.stage_parent(t) == Some(stage));
        let single = n == 2;
        if built_on || !(single || ctx.ships(stage)) {
            continue;
        }
        let Some(from) = ctx.stages.get(stage).and_then(|s| s.from) else {
            continue;
        };
        let mut keys = Vec::new();
        let mut unknown = false;
        let mut at = Some(stage);
        while let Some(s) = at {
            let (k, u) = stage_keys(ctx, s);
            keys.extend(k);
            unknown |= u;
            at = ctx.stage_parent(s);
        }
        if unknown {
            continue;
        }
        for (label, _) in schema {
            if !keys.contains(label) {
                out.push(Diagnostic::new(
                    &RULE,
                    from.span,
                    format!("Label `{label}` is missing (required by `[lint.label-schema]`)"),
                ));
            }
        }
    }
}
