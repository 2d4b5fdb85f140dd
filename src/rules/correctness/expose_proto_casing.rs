use super::expose_ports;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF914",
    name: "expose-proto-casing",
    aliases: &["ExposeProtoCasing"],
    summary: "`EXPOSE 80/TCP`: the protocol should be lower case",
    doc: "## What it does
Flags an `EXPOSE` port whose protocol is not lower case (`80/TCP`), BuildKit's
`ExposeProtoCasing` check. Ports written with variables are not checked.

## Why is this bad?
BuildKit accepts it and lower-cases it, but other tools that read the Dockerfile may not, and
the file is inconsistent with every example and with the image's configuration.

## Example
```dockerfile
EXPOSE 8080/TCP
```
Use instead:
```dockerfile
EXPOSE 8080/tcp
```

## Fix safety
Safe: BuildKit lower-cases the protocol when it records the port, so the image's exposed ports
are the same.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (ins, word) in expose_ports(ctx) {
        let text = word.slice(&ins.logical);
        let Some(slash) = text.find('/') else {
            continue;
        };
        let proto = text.get(slash + 1..).unwrap_or("");
        if proto == proto.to_lowercase() {
            continue;
        }
        let span = ins.to_source(word);
        let fixed = format!(
            "{}/{}",
            text.get(..slash).unwrap_or(""),
            proto.to_lowercase()
        );
        out.push(
            Diagnostic::new(
                &RULE,
                span,
                format!("The protocol of `{text}` should be lower case"),
            )
            .with_fix(Fix::safe(
                format!("Write `{fixed}`"),
                vec![Edit::replace(span, fixed)],
            )),
        );
    }
}
