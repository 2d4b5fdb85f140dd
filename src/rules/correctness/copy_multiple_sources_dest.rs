use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF917",
    name: "copy-multiple-sources-dest",
    aliases: &["DL3021"],
    summary: "`COPY a b dest`: with several sources the destination must end with `/`",
    doc: "## What it does
Flags a `COPY` (or `ADD`) with more than one source whose destination does not end with `/`,
as hadolint's DL3021 does. Heredoc and exec-form (`[\"a\", \"b\", \"dest\"]`) sources count
alike; a destination with a variable is not checked, and `.` is not flagged: BuildKit reads
it as `./`, the working directory (`COPY go.mod go.sum .` copies both files into it).

## Why is this bad?
BuildKit rejects it: several files can only be copied into a directory, and the destination
names one only when it ends with `/`.

## Example
```dockerfile
COPY package.json package-lock.json /app
```
Use instead:
```dockerfile
COPY package.json package-lock.json /app/
```

## Fix safety
No fix offered yet: adding the `/` is what the author means in nearly every case, but a
destination that exists as a file in the base image would then fail differently.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        if !matches!(ins.kind(), Kind::Copy | Kind::Add) {
            continue;
        }
        let (count, dest, span) = match &ins.node.args {
            Args::Words(w) => match w.last() {
                Some(last) => (w.len(), last.slice(&ins.logical).to_string(), *last),
                None => continue,
            },
            Args::Json(a) => match a.last() {
                Some(last) => (a.len(), last.value.clone(), last.span),
                None => continue,
            },
            _ => continue,
        };
        if count < 3 || dest.ends_with('/') || dest.contains('$') {
            continue;
        }
        // Windows destinations may end with a backslash.
        if dest.ends_with('\\') || (ctx.doc.escape == '`') {
            continue;
        }
        let dest = dest.trim_matches(['"', '\'']);
        // BuildKit turns a destination of `.` into `./` before copying.
        if dest.ends_with('/') || dest == "." {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            ins.to_source(span),
            format!(
                "{} sources copied to `{dest}`: a destination for several files must end with `/`",
                count - 1
            ),
        ));
    }
}
