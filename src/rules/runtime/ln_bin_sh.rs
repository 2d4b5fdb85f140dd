use crate::rules::common::{command_words, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF311",
    name: "ln-bin-sh",
    aliases: &["DL4005"],
    summary: "`ln ... /bin/sh`: use `SHELL` to change the shell",
    doc: "## What it does
Flags `ln` with `/bin/sh` as an argument (`ln -sf /bin/bash /bin/sh`), as hadolint's DL4005
does.

## Why is this bad?
Replacing `/bin/sh` changes the shell of everything in the image that runs `sh`: system
scripts, package maintainer scripts and the application's own, which may rely on the original
shell's behaviour. To run the Dockerfile's `RUN`s with bash, `SHELL [\"/bin/bash\", \"-c\"]`
says so without touching the image.

## Example
```dockerfile
RUN ln -sf /bin/bash /bin/sh
```
Use instead:
```dockerfile
SHELL [\"/bin/bash\", \"-c\"]
```

## Fix safety
No fix: the link may be wanted at run time too (by scripts the image runs), which `SHELL`
does not cover.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        for commands in run.nested_commands() {
            for cmd in commands {
                let words = command_words(cmd);
                let Some(first) = words.first() else {
                    continue;
                };
                if first.value.rsplit('/').next() != Some("ln") {
                    continue;
                }
                if let Some(target) = words.iter().skip(1).find(|w| w.value == "/bin/sh") {
                    let last = words.last().unwrap_or(target);
                    out.push(Diagnostic::new(
                        &RULE,
                        word_span(run, first, last),
                        "`ln` replaces `/bin/sh`: use `SHELL` to run RUN with another shell",
                    ));
                }
            }
        }
    }
}
