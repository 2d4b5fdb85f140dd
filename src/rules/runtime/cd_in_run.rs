use crate::rules::common::{command_words, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::shell::Separator;

pub static RULE: Rule = Rule {
    code: "DF308",
    name: "cd-in-run",
    aliases: &["DL3003"],
    summary: "`RUN cd /dir && ...`: use `WORKDIR`",
    doc: "## What it does
Flags a RUN that starts with `cd` to an absolute directory followed by `&&` (`RUN cd /app &&
npm install`) and does not change directory again: the whole RUN works in that directory, which
is what `WORKDIR` is for. Scratch directories (`/tmp`, `/var/tmp` and below) are not flagged:
the image should not work there.

hadolint's DL3003 flags every `cd` in a RUN. This rule is narrower: a `cd` later in a RUN
(into an unpacked source tree to build it, and back out to clean up) has no `WORKDIR`
equivalent that leaves the image the same, and is not flagged.

Off by default, unlike hadolint: on real files a RUN that starts with `cd` is often a one-off
step in a system directory (`cd /usr/local/bin && ln -s ...`), where a `WORKDIR` would also
move every later instruction and the container itself there.

## Why is this bad?
The directory change lasts for one RUN only, so each RUN repeats it and a reader has to track
where each command runs. `WORKDIR /app` states it once, creates the directory if needed, and
applies to the later `RUN`, `COPY`, `CMD` and `ENTRYPOINT`.

## Example
```dockerfile
RUN cd /app && npm install
```
Use instead:
```dockerfile
WORKDIR /app
RUN npm install
```

## Fix safety
No fix: `WORKDIR` also changes where the later instructions (and the container) run, and
creates the directory, so moving the `cd` to a `WORKDIR` can change the image.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        let Some(cmd) = run.commands.first() else {
            continue;
        };
        if !cmd.keywords.is_empty() || cmd.separator != Separator::And {
            continue;
        }
        let words = command_words(cmd);
        let [first, dir] = words else {
            continue;
        };
        if first.value != "cd" || !dir.value.starts_with('/') || dir.complex {
            continue;
        }
        // A scratch directory is left again: not where the image should work.
        let d = dir.value.trim_end_matches('/');
        if d.is_empty()
            || ["/tmp", "/var/tmp"]
                .iter()
                .any(|t| d == *t || d.starts_with(&format!("{t}/")))
        {
            continue;
        }
        // A RUN that changes directory again does not work in one directory.
        let again = run.commands.iter().skip(1).any(|c| {
            command_words(c)
                .first()
                .is_some_and(|w| w.value == "cd" || w.value == "pushd" || w.value == "popd")
        });
        if again {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            word_span(run, first, dir),
            format!(
                "`cd {}` for the whole RUN: use `WORKDIR {}`",
                dir.value, dir.value
            ),
        ));
    }
}
