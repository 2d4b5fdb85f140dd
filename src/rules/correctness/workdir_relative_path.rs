use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, common};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF908",
    name: "workdir-relative-path",
    aliases: &["WorkdirRelativePath", "DL3000"],
    summary: "Relative `WORKDIR` before any absolute one in the stage",
    doc: "## What it does
Flags the first `WORKDIR` of a stage when its path is relative and no earlier `WORKDIR` of the
stage (or of the stage it is built `FROM`) set one, as BuildKit's `WorkdirRelativePath` check
does. Later `WORKDIR`s are relative to a directory the file chose, and are not flagged. A path
that starts with a variable is not flagged (its value is not known here), nor a Windows path.

hadolint's DL3000 flags every relative `WORKDIR`; this rule, like BuildKit, only the one that
depends on the base image.

## Why is this bad?
A relative `WORKDIR` is resolved against the base image's working directory, which the base
image may change in any release: the files land elsewhere and the commands run elsewhere.

## Example
```dockerfile
FROM node:22
WORKDIR app
```
Use instead:
```dockerfile
FROM node:22
WORKDIR /app
```

## Fix safety
No fix: the absolute path the user means is the base image's working directory joined with the
relative one, which is not known without the image.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.doc.escape == '`' {
        return;
    }
    let mut set = vec![false; ctx.stages.len()];
    for (s, stage) in ctx.stages.iter().enumerate().skip(1) {
        let mut now = common::stage_parent(ctx, s)
            .and_then(|p| set.get(p).copied())
            .unwrap_or(false);
        for ins in &stage.instructions {
            if ins.kind() != Kind::Workdir {
                continue;
            }
            if !now && let Args::Text(path) = ins.node.args {
                let text = path.slice(&ins.logical);
                if !text.is_empty() && !common::absolute_or_unknown(text) {
                    out.push(Diagnostic::new(
                        &RULE,
                        ins.to_source(path),
                        format!(
                            "Relative `WORKDIR {text}` depends on the base image's working directory"
                        ),
                    ));
                }
            }
            now = true;
        }
        if let Some(x) = set.get_mut(s) {
            *x = now;
        }
    }
}
