use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "DF904",
    name: "no-empty-continuation",
    aliases: &["NoEmptyContinuation"],
    summary: "Empty line inside a continued instruction",
    doc: "## What it does
Flags an instruction continued with `\\` whose continuation has an empty (or blank) line
(BuildKit's `NoEmptyContinuation` check), once per instruction, at its first empty line.

## Why is this bad?
BuildKit skips such lines today and warns that they will become errors in a future release.
They also mislead the reader: an empty line looks like the end of the instruction, but the
next line still belongs to it.

## Example
```dockerfile
RUN apt-get update && \\

    apt-get install -y curl
```
Use instead:
```dockerfile
RUN apt-get update && \\
    apt-get install -y curl
```

## Fix safety
Safe: the empty lines are deleted. BuildKit skips them when it joins the lines, so the
instruction it reads is byte for byte the same.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        let Some(first) = ins.empty_continuation_lines.first() else {
            continue;
        };
        let n = ins.empty_continuation_lines.len();
        let what = if n == 1 {
            "an empty line".to_string()
        } else {
            format!("{n} empty lines")
        };
        let line = first.slice(&ctx.doc.text);
        let at = Span::new(
            first.start,
            first.start + line.trim_end_matches(['\r', '\n']).len(),
        );
        let keyword = ins.node.keyword.slice(&ins.logical);
        out.push(
            Diagnostic::new(
                &RULE,
                at,
                format!("The continued `{keyword}` has {what} inside"),
            )
            .with_fix(Fix::safe(
                "Delete the empty continuation lines",
                ins.empty_continuation_lines
                    .iter()
                    .map(|s| Edit::delete(*s))
                    .collect(),
            )),
        );
    }
}
