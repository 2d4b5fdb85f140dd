use super::self_consistent;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF905",
    name: "consistent-instruction-casing",
    aliases: &["ConsistentInstructionCasing"],
    summary: "Instruction keywords should all have the same case",
    doc: "## What it does
Flags an instruction keyword that is not in the case most of the file's keywords have, or that
mixes cases (`Run`), as BuildKit's `ConsistentInstructionCasing` check does: the keywords of
`FROM` and of every instruction after the first `FROM` are counted; lower case wins only when
strictly more keywords are lower case than upper case. `ARG`s before the first `FROM` are
neither counted nor checked, as in BuildKit.

## Why is this bad?
Keywords are case-insensitive, so mixed casing is noise that makes the file harder to scan.

## Example
```dockerfile
FROM alpine:3.20
run echo hello
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN echo hello
```

## Fix safety
Safe: BuildKit reads keywords case-insensitively; only their spelling changes.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let keywords = || {
        ctx.stages
            .iter()
            .filter(|s| s.from.is_some())
            .flat_map(|s| s.from.into_iter().chain(s.instructions.iter().copied()))
            .filter(|i| i.kind() != crate::syntax::Kind::Unknown)
    };
    let (mut lower, mut upper) = (0usize, 0usize);
    for ins in keywords() {
        let kw = ins.node.keyword.slice(&ins.logical);
        if !self_consistent(kw) {
            continue;
        }
        if kw == kw.to_lowercase() {
            lower += 1;
        } else {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for ins in keywords() {
        let kw = ins.node.keyword.slice(&ins.logical);
        let (wanted, case) = if majority_lower {
            (kw.to_lowercase(), "lower")
        } else {
            (kw.to_uppercase(), "upper")
        };
        if kw == wanted {
            continue;
        }
        let span = ins.to_source(ins.node.keyword);
        out.push(
            Diagnostic::new(
                &RULE,
                span,
                format!("`{kw}` is not in {case} case, as most instructions of the file are"),
            )
            .with_fix(Fix::safe(
                format!("Write `{wanted}`"),
                vec![Edit::replace(span, wanted)],
            )),
        );
    }
}
