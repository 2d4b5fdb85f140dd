use super::from_words;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF902",
    name: "stage-name-casing",
    aliases: &["StageNameCasing"],
    summary: "Stage names should be lower case",
    doc: "## What it does
Flags a `FROM ... AS Name` whose stage name has upper-case letters (BuildKit's
`StageNameCasing` check).

## Why is this bad?
BuildKit lower-cases stage names when it reads them: `AS Build` declares the stage `build`, and
`COPY --from=BUILD` finds it too. Writing the name in mixed case suggests a distinction that
does not exist, and other tools that read Dockerfiles may compare names exactly.

## Example
```dockerfile
FROM golang:1.23 AS Build
```
Use instead:
```dockerfile
FROM golang:1.23 AS build
```

## Fix safety
Safe: the name is lower-cased where it is declared. BuildKit (and the classic builder) already
lower-cases it, and looks up `--from=`, `FROM <stage>` and `--target` names lower-cased, so
every reference keeps finding the same stage and the image is the same.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some((_, name)) = from_words(from).and_then(|w| w.alias) else {
            continue;
        };
        let written = name.slice(&from.logical);
        let lower = written.to_lowercase();
        if written == lower {
            continue;
        }
        let span = from.to_source(name);
        out.push(
            Diagnostic::new(
                &RULE,
                span,
                format!("Stage name `{written}` is not lower case"),
            )
            .with_fix(Fix::safe(
                format!("Rename to `{lower}`"),
                vec![Edit::replace(span, lower)],
            )),
        );
    }
}
