use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Instruction, Kind, Node};

pub static RULE: Rule = Rule {
    code: "DF002",
    name: "invalid-arguments",
    aliases: &["DL3043"],
    summary: "Arguments BuildKit rejects at dispatch: the build fails",
    doc: "## What it does
Flags instructions whose arguments BuildKit's parser accepts but its dispatch rejects: `COPY`
or `ADD` with a single argument, `FROM` with neither one nor three arguments or an invalid
stage name, `WORKDIR`/`USER`/`STOPSIGNAL`/`MAINTAINER` without their argument, `EXPOSE`,
`VOLUME`, `LABEL`, `ENV`, `ARG`, `HEALTHCHECK`, `ONBUILD` or `SHELL` without arguments,
`SHELL` not in JSON form, and `FROM`/`ONBUILD`/`MAINTAINER` as ONBUILD triggers.

## Why is this bad?
The build fails with an error such as `COPY requires at least two arguments`.

## Example
```dockerfile
COPY app.py
```
Use instead:
```dockerfile
COPY app.py /app/
```

## Fix safety
No fix: the missing argument cannot be known.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn arg_count(args: &Args) -> usize {
    match args {
        Args::None | Args::Ignored => 0,
        Args::Json(v) => v.len(),
        Args::Words(v) => v.len(),
        Args::Pairs(v) => v.len(),
        Args::Text(_) | Args::Health { .. } | Args::Sub(_) => 1,
    }
}

fn problem(ins: &Instruction, node: &Node, nested: bool) -> Option<String> {
    let kw = node.kind.keyword();
    let n = arg_count(&node.args);
    if nested {
        // BuildKit checks only the trigger's kind; its arguments fail the child builds.
        return matches!(node.kind, Kind::From | Kind::Onbuild | Kind::Maintainer)
            .then(|| format!("{kw} isn't allowed as an ONBUILD trigger"));
    }
    match node.kind {
        Kind::Copy | Kind::Add if n < 2 => Some(format!(
            "{kw} requires at least two arguments, but only {} provided: the destination could not be determined",
            if n == 1 { "one was" } else { "none were" }
        )),
        Kind::From => {
            let Args::Words(words) = &node.args else {
                return Some("FROM requires either one or three arguments".into());
            };
            let w = |i: usize| words.get(i).map_or("", |s| s.slice(&ins.logical));
            if words.len() == 3 && w(1).eq_ignore_ascii_case("as") {
                let name = w(2).to_ascii_lowercase();
                let mut chars = name.chars();
                let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                    && chars
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
                (!valid).then(|| {
                    format!("Invalid name for build stage: {:?}, name can't start with a number or contain symbols", w(2))
                })
            } else if words.len() != 1 {
                Some("FROM requires either one or three arguments".into())
            } else {
                None
            }
        }
        Kind::Workdir | Kind::User | Kind::Stopsignal | Kind::Maintainer if n == 0 => {
            Some(format!("{kw} requires exactly one argument"))
        }
        Kind::Expose
        | Kind::Volume
        | Kind::Label
        | Kind::Env
        | Kind::Arg
        | Kind::Healthcheck
        | Kind::Onbuild
        | Kind::Shell
            if n == 0 =>
        {
            Some(format!("{kw} requires at least one argument"))
        }
        Kind::Shell if !node.is_json() => {
            Some("SHELL requires the arguments to be in JSON form".into())
        }
        _ => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        let mut found = problem(ins, &ins.node, false);
        if let (None, Args::Sub(sub)) = (&found, &ins.node.args) {
            found = problem(ins, sub, true);
        }
        if let Some(message) = found {
            out.push(Diagnostic::new(&RULE, ins.head_span(), message));
        }
    }
}
