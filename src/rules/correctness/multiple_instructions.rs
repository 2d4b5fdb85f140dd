use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Instruction, Kind};

pub static RULE: Rule = Rule {
    code: "DF909",
    name: "multiple-instructions-disallowed",
    aliases: &[
        "MultipleInstructionsDisallowed",
        "DL4003",
        "DL4004",
        "DL3012",
    ],
    summary: "A `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one in the stage overrides",
    doc: "## What it does
Flags a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` followed by another of the same kind in the same
stage, as BuildKit's `MultipleInstructionsDisallowed` check does: the earlier one is reported,
since it is the one that has no effect. hadolint's DL4003 (`CMD`) and DL4004 (`ENTRYPOINT`)
report the same pairs; this rule also covers `HEALTHCHECK`, as BuildKit does.

## Why is this bad?
Only the last of them ends up in the image: the earlier one is dead code that readers will
take for the container's command.

## Example
```dockerfile
FROM python:3.12-slim
CMD [\"python\", \"app.py\"]
CMD [\"gunicorn\", \"app:app\"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
CMD [\"gunicorn\", \"app:app\"]
```

## Fix safety
Unsafe: the earlier instruction is deleted. The image's configuration stays the same (the later
one overrides it), but its history loses an entry, and a comment about the deleted line stays
behind. Withheld when the instruction has comment lines inside.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in ctx.stages.iter().skip(1) {
        let mut last: [Option<&Instruction>; 3] = [None; 3];
        for ins in &stage.instructions {
            let slot = match ins.kind() {
                Kind::Cmd => 0,
                Kind::Entrypoint => 1,
                Kind::Healthcheck => 2,
                _ => continue,
            };
            if let Some(earlier) = last.get_mut(slot).and_then(|l| l.replace(ins)) {
                let keyword = ins.kind().keyword();
                let mut diag = Diagnostic::new(
                    &RULE,
                    earlier.to_source(earlier.node.keyword),
                    format!(
                        "This `{keyword}` has no effect: a later `{keyword}` in the stage overrides it"
                    ),
                );
                if earlier.inner_comments.is_empty() {
                    diag = diag.with_fix(Fix::unsafe_(
                        format!("Delete the overridden `{keyword}`"),
                        vec![Edit::delete(earlier.span)],
                    ));
                }
                out.push(diag);
            }
        }
    }
}
