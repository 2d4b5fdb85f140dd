use crate::fix::{Applicability, Edit, Fix};
use crate::rules::apt::{USES_INDEX, apt_command, docker_clean_base};
use crate::rules::common::{any_text_before, command_words, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::shell::Command;

pub static RULE: Rule = Rule {
    code: "DF205",
    name: "use-apt-get",
    aliases: &["DL3027"],
    summary: "`apt` in scripts: its interface is not stable",
    doc: "## What it does
Flags `apt` (the interactive front end) running a package command in a RUN: `install`,
`update`, `upgrade`, `remove`, `purge`, `list`, `search`, `show`...

## Why is this bad?
`apt` is made for people at a terminal. Its authors reserve the right to change its output and
behaviour, and it warns that it \"does not have a stable CLI interface\" when its output is not
a terminal. `apt-get` (and `apt-cache` for queries) is the stable interface for scripts.

## Example
```dockerfile
RUN apt update && apt install -y curl
```
Use instead:
```dockerfile
RUN apt-get update && apt-get install -y curl
```

## Fix safety
The fix renames the program (`apt` to `apt-get`, `/usr/bin/apt` to `/usr/bin/apt-get`); for
`apt upgrade`, which also installs new dependencies, it adds `--with-new-pkgs`, which makes
`apt-get upgrade` do the same. Safe for `update`, `remove`, `purge`, `autoremove`, `clean` and
`autoclean`. Where packages are downloaded (`install`, `reinstall`, `upgrade`, `dist-upgrade`)
it is Safe only on images known to carry Debian's `docker-clean` hook (the official `debian`
and `ubuntu` images, the official images built on them that keep it, such as python or node,
and stages built on those): `apt`
deletes the downloaded `.deb` files and `apt-get` keeps them, which only those images'
`docker-clean` hook undoes; elsewhere the fix is Unsafe (the image may grow). Also Unsafe when
an earlier instruction configures `Binary::apt::...` (settings that only `apt` reads) or when a
package argument is a pattern or glob (`apt` reads patterns, `apt-get` regular expressions). No
fix for an option the rule does not know `apt-get` to share, for `full-upgrade`, and for the
queries (`list`, `search`, `show`...: `apt-cache` prints something else).
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// `apt` subcommands this rule reports besides those that read the package lists
/// ([`USES_INDEX`]).
const OTHER_SUBCOMMANDS: &[&str] = &[
    "update",
    "remove",
    "purge",
    "autoremove",
    "autopurge",
    "clean",
    "autoclean",
    "edit-sources",
];

/// Subcommands that mean the same to `apt-get`, and whether they download packages.
const SAME_IN_APT_GET: &[(&str, bool)] = &[
    ("update", false),
    ("remove", false),
    ("purge", false),
    ("autoremove", false),
    ("clean", false),
    ("autoclean", false),
    ("install", true),
    ("reinstall", true),
    ("upgrade", true),
    ("dist-upgrade", true),
];

/// Options `apt-get` reads as `apt` does (besides `-o`, `-c`, `-t` with a value, and clusters
/// of `-y`/`-q`).
const SHARED_OPTIONS: &[&str] = &[
    "--yes",
    "--assume-yes",
    "--assume-no",
    "--quiet",
    "--quiet=1",
    "--quiet=2",
    "-q=1",
    "-q=2",
    "--no-install-recommends",
    "--install-recommends",
    "--no-install-suggests",
    "--install-suggests",
    "--fix-missing",
    "--fix-broken",
    "--ignore-missing",
    "--allow-downgrades",
    "--allow-remove-essential",
    "--allow-change-held-packages",
    "--allow-unauthenticated",
    "--no-upgrade",
    "--only-upgrade",
    "--reinstall",
    "--purge",
    "--auto-remove",
    "--autoremove",
    "--no-remove",
    "--verbose-versions",
    "--show-upgraded",
    "--download-only",
    "--no-download",
    "--force-yes",
    "--update",
    "-o",
    "-c",
    "-t",
    "--option",
    "--config-file",
    "--target-release",
    "--default-release",
];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        for cmd in &run.commands {
            let Some(apt) = apt_command(cmd).filter(|a| a.program == "apt") else {
                continue;
            };
            let (program, sub) = (apt.word, apt.sub);
            let s = sub.value.as_str();
            if !USES_INDEX.contains(&s) && !OTHER_SUBCOMMANDS.contains(&s) {
                continue;
            }
            let mut diag = Diagnostic::new(
                &RULE,
                word_span(run, program, program),
                format!(
                    "`apt {}` in a script: use `apt-get`, whose interface is stable",
                    sub.value
                ),
            );
            let same = SAME_IN_APT_GET
                .iter()
                .find(|(s, _)| *s == sub.value)
                .map(|&(_, downloads)| downloads);
            if let Some(downloads) = same
                && !program.complex
                && options_shared(cmd)
            {
                let safe = (!downloads || docker_clean_base(ctx, run))
                    && !command_words(cmd)
                        .iter()
                        .skip(1)
                        .any(|w| !std::ptr::eq(w, sub) && is_pattern(&w.value))
                    && !any_text_before(ctx, run, "Binary::apt::", |t| t.contains("Binary::apt::"));
                let mut edits = vec![Edit::insert(run.after_word(program), "-get")];
                let mut title = "Use `apt-get`".to_string();
                if sub.value == "upgrade" && !cmd.words.iter().any(|w| w.value == "--with-new-pkgs")
                {
                    edits.push(Edit::insert(run.after_word(sub), " --with-new-pkgs"));
                    title = "Use `apt-get upgrade --with-new-pkgs`".to_string();
                }
                diag = diag.with_fix(Fix::new(
                    title,
                    if safe {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    edits,
                ));
            }
            out.push(diag);
        }
    }
}

/// Whether every option of the command is one `apt-get` reads the same way.
fn options_shared(cmd: &Command) -> bool {
    command_words(cmd).iter().skip(1).all(|w| {
        let v = w.value.as_str();
        if !v.starts_with('-') || SHARED_OPTIONS.contains(&v) {
            return true;
        }
        if let Some(long) = v.strip_prefix("--") {
            return [
                "option=",
                "config-file=",
                "target-release=",
                "default-release=",
            ]
            .iter()
            .any(|p| long.starts_with(p));
        }
        // `-oKey=value`, or a cluster of -y/-q/-f/-V/-m/-d/-s/-u.
        v.starts_with("-o") || v.len() > 1 && v[1..].chars().all(|c| "yqfVmdsu".contains(c))
    })
}

/// A package argument that `apt` reads as a pattern and `apt-get` as a glob or regular
/// expression. (A `$` is taken for an expansion, not a regular expression's anchor.)
fn is_pattern(value: &str) -> bool {
    value.starts_with('~') || value.contains(['*', '?', '[', ']', '^'])
}
