use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{failure_fails_the_run, shell_errexit, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::shell::Command;

pub static RULE: Rule = Rule {
    code: "DF204",
    name: "package-manager-prompt",
    aliases: &["DL3014", "DL3030", "DL3034", "DL3038"],
    summary: "Package install without `-y`: the build stops at the prompt",
    doc: "## What it does
Flags `apt-get`/`apt`, `yum`, `dnf`, `tdnf` and `zypper` commands that install, upgrade or
remove packages without answering the confirmation prompt (`-y`, `--yes`, `--assume-yes`,
`-qq` for apt-get, `--assumeyes`, zypper's `-n`/`--non-interactive`/`--no-confirm`).

## Why is this bad?
A build has no terminal: the prompt reads end-of-file and the package manager aborts, so the
build fails whenever the command would install more than was asked for (dependencies).

## Example
```dockerfile
RUN apt-get update && apt-get install curl
```
Use instead:
```dockerfile
RUN apt-get update && apt-get install -y curl
```

## Fix safety
Safe when the command's failure fails the build: then `-y` only answers the prompt that would
otherwise abort it, and when there is no prompt the command does the same with or without it.
Unsafe where an aborted install was tolerated (`|| true`, a pipe, `;` without `set -e`, a
condition): with `-y` the packages get installed, so the image changes.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

struct Family {
    programs: &'static [&'static str],
    subcommands: &'static [&'static str],
    yes: &'static [&'static str],
    /// The short option letter that answers yes inside a cluster like `-qy`.
    yes_short: Option<char>,
}

const FAMILIES: &[Family] = &[
    Family {
        programs: &["apt-get", "apt"],
        subcommands: &[
            "install",
            "reinstall",
            "upgrade",
            "dist-upgrade",
            "full-upgrade",
            "remove",
            "purge",
            "autoremove",
            "build-dep",
        ],
        yes: &["--yes", "--assume-yes", "--quiet=2", "-q=2", "--force-yes"],
        yes_short: Some('y'),
    },
    Family {
        programs: &["yum", "dnf", "tdnf"],
        subcommands: &[
            "install",
            "reinstall",
            "update",
            "upgrade",
            "remove",
            "erase",
            "groupinstall",
            "localinstall",
            "downgrade",
            "autoremove",
            "distro-sync",
        ],
        yes: &["--assumeyes"],
        yes_short: Some('y'),
    },
    Family {
        programs: &["zypper"],
        subcommands: &[
            "install",
            "in",
            "remove",
            "rm",
            "update",
            "up",
            "dist-upgrade",
            "dup",
            "patch",
        ],
        yes: &["-n", "--non-interactive", "--no-confirm"],
        yes_short: Some('y'),
    },
];

fn answers_yes(family: &Family, cmd: &Command) -> bool {
    let apt = family.programs.first() == Some(&"apt-get");
    let mut q_count = 0;
    for (i, w) in cmd.words.iter().enumerate().skip(1) {
        let v = w.value.as_str();
        if family.yes.contains(&v) {
            return true;
        }
        if apt {
            if v == "-o"
                && cmd.words.get(i + 1).is_some_and(|n| {
                    let n = n.value.to_ascii_lowercase();
                    n.starts_with("apt::get::assume-yes=")
                        && !n.ends_with("=false")
                        && !n.ends_with("=0")
                })
            {
                return true;
            }
            if v.starts_with("-oAPT::Get::Assume-Yes=true") {
                return true;
            }
        }
        if let Some(cluster) = v
            .strip_prefix('-')
            .filter(|c| !c.starts_with('-') && !c.contains('='))
        {
            if family.yes_short.is_some_and(|y| cluster.contains(y)) {
                return true;
            }
            q_count += cluster.matches('q').count();
        }
    }
    // apt-get: quiet level 2 implies -y.
    apt && q_count >= 2
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        let (body, commands) = (run.script, &run.commands);
        for (index, cmd) in commands.iter().enumerate() {
            let Some(call) = run.call(index) else {
                continue;
            };
            let Some(program) = call.program() else {
                continue;
            };
            let Some(family) = FAMILIES.iter().find(|f| f.programs.contains(&program)) else {
                continue;
            };
            let (Some(sub), Some(first)) = (call.subcommand_word(0), call.program_word()) else {
                continue;
            };
            if sub.complex
                || !family.subcommands.contains(&sub.value.as_str())
                || answers_yes(family, cmd)
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &RULE,
                    word_span(run, first, sub),
                    format!(
                        "`{program} {}` without `-y` stops at the confirmation prompt",
                        sub.value
                    ),
                )
                .with_fix(Fix::new(
                    "Add `-y`",
                    if failure_fails_the_run(body, commands, index, shell_errexit(ctx, run)) {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    vec![Edit::insert(run.after_word(sub), " -y")],
                )),
            );
        }
    }
}
