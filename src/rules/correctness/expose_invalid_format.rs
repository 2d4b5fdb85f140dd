use super::expose_ports;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF915",
    name: "expose-invalid-format",
    aliases: &["ExposeInvalidFormat"],
    summary: "`EXPOSE` with an IP address or a host port",
    doc: "## What it does
Flags an `EXPOSE` port written with a host port or an IP address (`EXPOSE 8080:80`,
`EXPOSE 127.0.0.1:80:80`), BuildKit's `ExposeInvalidFormat` check. Ports written with variables
are not checked.

## Why is this bad?
`EXPOSE` only documents the container's ports; publishing to a host port is decided at `docker
run -p`. BuildKit ignores the host part (only the container port is recorded) and warns that
this form will become an error.

## Example
```dockerfile
EXPOSE 8080:80
```
Use instead:
```dockerfile
EXPOSE 80
```

## Fix safety
Safe: the host part is removed, and BuildKit records only the container port either way. The
fix is offered only when the host part is plain (a port or port range, and an IPv4 address),
so that it does not remove an error BuildKit would have reported.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

fn port_or_range(s: &str) -> bool {
    let ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n))
    };
    match s.split_once('-') {
        Some((a, b)) => ok(a) && ok(b),
        None => ok(s),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (ins, word) in expose_ports(ctx) {
        let text = word.slice(&ins.logical);
        let parts: Vec<&str> = text.split(':').collect();
        let Some((container, host)) = parts.split_last() else {
            continue;
        };
        if host.is_empty() {
            continue;
        }
        let mut diag = Diagnostic::new(
            &RULE,
            ins.to_source(word),
            format!("`EXPOSE {text}` has a host part, which `EXPOSE` ignores"),
        );
        let plain = match host {
            [port] => port_or_range(port),
            [ip, port] => {
                port_or_range(port)
                    && ip.split('.').count() == 4
                    && ip.split('.').all(|o| o.parse::<u8>().is_ok())
            }
            _ => false,
        };
        let (number, proto) = container.split_once('/').unwrap_or((container, ""));
        // BuildKit rejects a container port range whose host range differs in length.
        let host_port = host.last().copied().unwrap_or("");
        let ranges_agree = !number.contains('-') || host_port == number;
        if plain
            && ranges_agree
            && port_or_range(number)
            && matches!(proto.to_lowercase().as_str(), "" | "tcp" | "udp" | "sctp")
        {
            diag = diag.with_fix(Fix::safe(
                format!("Write `{container}`"),
                vec![Edit::replace(ins.to_source(word), container.to_string())],
            ));
        }
        out.push(diag);
    }
}
