use super::expose_ports;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF920",
    name: "expose-invalid-port",
    aliases: &["DL3011"],
    summary: "`EXPOSE` of a port outside 0-65535",
    doc: "## What it does
Flags an `EXPOSE` port (or an end of a port range) above 65535, or a range whose start is after
its end, as hadolint's DL3011 does. Ports written with variables are not checked.

## Why is this bad?
BuildKit rejects the instruction (`invalid containerPort`): the build fails.

## Example
```dockerfile
EXPOSE 80800
```
Use instead:
```dockerfile
EXPOSE 8080
```

## Fix safety
No fix: the intended port is not known.
",
    severity: Severity::Error,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (ins, word) in expose_ports(ctx) {
        let text = word.slice(&ins.logical);
        let container = text.rsplit(':').next().unwrap_or(text);
        let number = container.split('/').next().unwrap_or("");
        let (a, b) = number.split_once('-').unwrap_or((number, number));
        let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) else {
            continue;
        };
        if a > 65535 || b > 65535 || a > b {
            out.push(Diagnostic::new(
                &RULE,
                ins.to_source(word),
                format!("`EXPOSE {text}`: ports range from 0 to 65535"),
            ));
        }
    }
}
