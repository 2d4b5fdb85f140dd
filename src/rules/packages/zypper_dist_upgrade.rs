use crate::rules::common::word_span;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, programs};

pub static RULE: Rule = Rule {
    code: "DF216",
    name: "zypper-dist-upgrade",
    aliases: &["DL3035"],
    summary: "`zypper dist-upgrade` in a RUN",
    doc: "## What it does
Flags `zypper dist-upgrade` (`zypper dup`), as hadolint's DL3035 does.

## Why is this bad?
A distribution upgrade inside an image build moves the whole system to whatever the
repositories offer that day, possibly to a new release: the image no longer matches its base
tag, builds are not reproducible, and the layer duplicates most of the base image. Use a newer
base image instead (or `zypper update` for fixes within the release).

## Example
```dockerfile
RUN zypper --non-interactive dup
```
Use instead:
```dockerfile
FROM opensuse/leap:15.6
```

## Fix safety
No fix: the base image to move to is the author's choice.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (run, _, call) in ctx.calls(&programs::ZYPPER) {
        let Some(sub) = call.subcommand_word(0) else {
            continue;
        };
        if !matches!(sub.value.as_str(), "dist-upgrade" | "dup") {
            continue;
        }
        let Some(program) = call.program_word() else {
            continue;
        };
        out.push(Diagnostic::new(
            &RULE,
            word_span(run, program, sub),
            format!(
                "`zypper {}` upgrades the whole distribution in the layer: use a newer base image",
                sub.value
            ),
        ));
    }
}
