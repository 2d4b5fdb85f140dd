use crate::rules::common::{command_words, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF304",
    name: "sudo",
    aliases: &["DL3004"],
    summary: "sudo in RUN: RUN already runs as the USER in effect",
    doc: "## What it does
Flags `sudo` run by a RUN instruction: a command whose program is `sudo` (`/usr/bin/sudo`,
after `if`, `then`, `!`... and inside `$(...)`). Not `sudo -u <user>` to a user other than
root (`sudo -u discourse bundle install`, `sudo -Hu app ...`, `--user=app`): that drops
privileges for one command rather than gaining them, which is what a build running as root
does to run a step as the application's user.

## Why is this bad?
RUN already runs as the `USER` in effect, root unless a `USER` says otherwise. `sudo` adds
nothing when that is root; when it is not, it only works because the image lets that user
become root without a password, which any process in the running container can then do too.
`sudo` also changes the environment (`PATH`, `HOME`) and needs a terminal for some
configurations, so the build behaves differently from the same command run directly.

## Example
```dockerfile
USER app
RUN sudo apt-get update && sudo apt-get install -y curl
```
Use instead:
```dockerfile
USER root
RUN apt-get update && apt-get install -y curl
USER app
```

## Fix safety
No fix: which steps need root, and where to switch `USER` back, is for a person to decide.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

/// Whether sudo's options name a user other than root to run the command as (`-u app`,
/// `-uapp`, `-Hu app`, `--user=app`, `--user app`), before the command itself.
fn drops_to_a_user(args: &[crate::shell::Word]) -> bool {
    let mut it = args.iter().map(|w| w.value.as_str());
    let mut user = None;
    while let Some(a) = it.next() {
        if a == "--" || !a.starts_with('-') {
            break;
        }
        if let Some(v) = a.strip_prefix("--user=") {
            user = Some(v.to_string());
        } else if a == "--user" {
            user = it.next().map(str::to_string);
        } else if !a.starts_with("--")
            && let Some(at) = a.find('u')
        {
            // `-u NAME`, `-uNAME`, or a cluster of flags ending in `u` (`-Hu NAME`).
            let rest = a.get(at + 1..).unwrap_or_default();
            user = if rest.is_empty() {
                it.next().map(str::to_string)
            } else {
                Some(rest.to_string())
            };
        }
    }
    user.is_some_and(|u| !matches!(u.trim_start_matches('#'), "root" | "0" | ""))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        let mut found = Vec::new();
        for commands in run.nested_commands() {
            for cmd in commands {
                let Some(w) = command_words(cmd).first() else {
                    continue;
                };
                if crate::shell::base_name(&w.value) == "sudo"
                    && !drops_to_a_user(command_words(cmd).get(1..).unwrap_or_default())
                {
                    found.push(word_span(run, w, w));
                }
            }
        }
        found.sort_by_key(|s| s.start);
        out.extend(found.into_iter().map(|span| {
            Diagnostic::new(
                &RULE,
                span,
                "`sudo` in RUN: RUN already runs as the USER in effect; use `USER root` for the steps that need it",
            )
        }));
    }
}
