use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, common};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF918",
    name: "copy-relative-dest",
    aliases: &["DL3045"],
    summary: "`COPY` to a relative destination before any `WORKDIR`",
    doc: "## What it does
Flags a `COPY` whose destination is relative (`COPY . .`, `COPY app.py app/`) in a stage where
no `WORKDIR` came before (in the stage, or in the stage it is built `FROM`), as hadolint's
DL3045 does. Absolute, Windows and variable destinations are not flagged.

Off by default (on in hadolint): on the real-project review set (`docs/precision.md`, v5) none
of its 31 findings was one a maintainer would act on. The destination is relative to the
WORKDIR of the image the stage starts from, which the file does not show (searxng's own bases
set one), and most findings were in builder stages whose files never ship. Enable it with
`select = [\"DF918\"]`.

## Why is this bad?
A relative destination is resolved against the base image's working directory, which the file
does not state and the base image may change: the files land wherever the base image says
(often `/`, mixed with the system's own directories).

## Example
```dockerfile
FROM python:3.12-slim
COPY . .
```
Use instead:
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY . .
```

## Fix safety
No fix: the directory the files belong in is the author's choice.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn relative(dest: &str) -> bool {
    let d = dest.trim_matches(['"', '\'']);
    !(d.is_empty() || common::absolute_or_unknown(d))
}

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
            match ins.kind() {
                Kind::Workdir => now = true,
                Kind::Copy if !now => {
                    let (dest, span) = match &ins.node.args {
                        Args::Words(w) if w.len() >= 2 => match w.last() {
                            Some(l) => (l.slice(&ins.logical).to_string(), *l),
                            None => continue,
                        },
                        Args::Json(a) if a.len() >= 2 => match a.last() {
                            Some(l) => (l.value.clone(), l.span),
                            None => continue,
                        },
                        _ => continue,
                    };
                    if relative(&dest) {
                        out.push(Diagnostic::new(
                            &RULE,
                            ins.to_source(span),
                            format!(
                                "`COPY` to the relative `{dest}` before any `WORKDIR`: the files land in the base image's working directory"
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        if let Some(x) = set.get_mut(s) {
            *x = now;
        }
    }
}
