use super::variables;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF921",
    name: "env-self-reference",
    aliases: &["DL3044"],
    summary: "`ENV A=1 B=$A`: a variable used in the `ENV` that defines it",
    doc: "## What it does
Flags an `ENV` value that uses a variable another pair of the same `ENV` defines (`ENV
A=/opt B=$A/bin`), when no earlier `ENV` or `ARG` of the file defines it, as hadolint's DL3044
does. A pair that extends its own variable (`ENV PATH=/x:$PATH`) is fine.

## Why is this bad?
BuildKit expands every value of an `ENV` with the variables as they were before the
instruction: `B` gets the old value of `A` (usually nothing), not `/opt`. The image silently
gets a wrong value.

## Example
```dockerfile
ENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin
```
Use instead:
```dockerfile
ENV APP_HOME=/opt/app
ENV APP_BIN=$APP_HOME/bin
```

## Fix safety
No fix: splitting the `ENV` changes the value (to what was probably meant), which is not a
change a fix may make silently.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut defined: Vec<String> = Vec::new();
    for ins in ctx.doc.instructions() {
        match (ins.kind(), &ins.node.args) {
            (Kind::Arg, Args::Words(words)) => {
                for w in words {
                    let t = w.slice(&ins.logical);
                    defined.push(t.split('=').next().unwrap_or(t).to_string());
                }
            }
            (Kind::Env, Args::Pairs(pairs)) => {
                let keys: Vec<&str> = pairs.iter().map(|p| p.key.slice(&ins.logical)).collect();
                for (i, pair) in pairs.iter().enumerate() {
                    let value = pair.value.slice(&ins.logical);
                    for name in variables(value, ctx.doc.escape) {
                        let other = keys.iter().enumerate().any(|(j, k)| j != i && *k == name);
                        if other && !defined.iter().any(|d| d == name) {
                            out.push(Diagnostic::new(
                                &RULE,
                                ins.to_source(pair.span),
                                format!(
                                    "`${name}` is defined by this same `ENV`: here it still has its value from before the instruction"
                                ),
                            ));
                        }
                    }
                }
                defined.extend(keys.iter().map(|k| k.to_string()));
            }
            _ => {}
        }
    }
}
