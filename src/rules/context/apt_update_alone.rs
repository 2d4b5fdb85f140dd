use crate::rules::apt::{USES_INDEX, apt_command, wraps_apt};
use crate::rules::common::word_span;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF104",
    name: "apt-update-alone",
    aliases: &[],
    summary: "`apt-get update` in a RUN without an install: a stale package index",
    doc: "## What it does
Flags a RUN that runs `apt-get update` (or `apt update`) but installs nothing and reads nothing
from the package index in the same RUN (no `install`, `upgrade`, `dist-upgrade`, `build-dep`,
`apt-cache` query, or apt tool run through `xargs`, `sudo` and the like, or a program that
installs packages with apt itself: Playwright's `install --with-deps` and `install-deps`).

## Why is this bad?
The build cache keeps the layer with the index. When a later RUN changes (a package is added),
the `apt-get update` layer is reused as it is, weeks old: the install then asks for package
versions the mirrors no longer have (`404 Not Found`), or installs outdated ones. The index
also stays in the image.

## Example
```dockerfile
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
RUN apt-get update \\
    && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
```

## Fix safety
No fix here: merging the RUNs is DF201's fix (mergeable-runs), Safe where its guards hold.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

/// A program that installs system packages with apt itself: Playwright's `install
/// --with-deps` and `install-deps` (`npx playwright ...`, `python -m playwright ...`).
fn installs_with_apt(cmd: &crate::shell::Command) -> bool {
    let words = crate::rules::common::command_words(cmd);
    let playwright = words
        .iter()
        .any(|w| crate::shell::base_name(&w.value) == "playwright");
    playwright
        && words
            .iter()
            .any(|w| w.value == "--with-deps" || w.value == "install-deps")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        // The RUN's first `apt update`; only then does the rest of the RUN matter.
        let Some(apt) = run
            .commands
            .iter()
            .filter_map(apt_command)
            .find(|apt| apt.sub.value == "update")
        else {
            continue;
        };
        let used = run.commands.iter().any(|cmd| match apt_command(cmd) {
            Some(apt) => USES_INDEX.contains(&apt.sub.value.as_str()),
            None => wraps_apt(cmd) || installs_with_apt(cmd),
        });
        if used {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            word_span(run, apt.word, apt.sub),
            format!(
                "`{} update` without an install in the same RUN: the cached layer keeps a stale package index",
                apt.program
            ),
        ));
    }
}
