use crate::rules::common::{all_command_lists, command_words, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::settings::CdScope;
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
equivalent that leaves the image the same, and is not flagged (`scope = \"any\"`, under
Options, flags it).

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

## Options
`[lint.cd-in-run] scope`: `\"leading\"` (the default) reports the RUNs above. `\"any\"` also
reports, as hadolint's DL3003 does, every other RUN with a `cd` command anywhere in it: later in
the RUN, relative, to a variable or a scratch directory, in a subshell, in `$(...)` or backquotes,
in a `RUN <<EOF` script. One finding per RUN, at its first `cd`, without a fix. A team that
changes directories only with `WORKDIR` (or `make -C`, `tar -C`, `git -C`) turns it on. Not in
Windows images or under a non-POSIX `SHELL`, whose commands are not read (a `cd` in an argument,
`sh -c 'cd /x'` or an exec-form RUN is not a command of the RUN's shell either).
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let any = ctx.options.cd_scope == CdScope::Any;
    for run in ctx.shell_runs() {
        if let Some(d) = leading(run) {
            out.push(d);
        } else if any && let Some(d) = anywhere(run) {
            out.push(d);
        }
    }
}

/// `scope = "any"`: the first `cd` of a RUN, anywhere in it (after other commands, in a
/// subshell, in `$(...)` or backquotes, in a `RUN <<EOF` script), as hadolint's DL3003. No fix.
fn anywhere(run: &ShellRun) -> Option<Diagnostic> {
    let lists = all_command_lists(run);
    let cd = lists
        .iter()
        .flatten()
        .filter(|c| command_words(c).first().is_some_and(|w| w.value == "cd"))
        .min_by_key(|c| c.words.first().map_or(0, |w| w.span.start))?;
    let words = command_words(cd);
    let (first, last) = (words.first()?, words.last()?);
    let shown = match words.get(1) {
        Some(dir) => format!("cd {}", dir.value),
        None => "cd".to_string(),
    };
    Some(Diagnostic::new(
        &RULE,
        word_span(run, first, last),
        format!("`{shown}` inside a RUN: use `WORKDIR` to switch directories"),
    ))
}

/// The default scope: a RUN that starts with `cd /abs &&` and stays there.
fn leading(run: &ShellRun) -> Option<Diagnostic> {
    let cmd = run.commands.first()?;
    if !cmd.keywords.is_empty() || cmd.separator != Separator::And {
        return None;
    }
    let words = command_words(cmd);
    let [first, dir] = words else {
        return None;
    };
    if first.value != "cd" || !dir.value.starts_with('/') || dir.complex {
        return None;
    }
    // The RUN itself starts with it: not a `(cd /x && make) && ...` subshell or a `{ ...; }`
    // group, whose `cd` ends with it.
    if !run
        .script
        .get(..first.span.start)
        .is_some_and(|before| before.trim().is_empty())
    {
        return None;
    }
    // A scratch directory is left again: not where the image should work.
    let d = dir.value.trim_end_matches('/');
    if d.is_empty()
        || ["/tmp", "/var/tmp"]
            .iter()
            .any(|t| d == *t || d.starts_with(&format!("{t}/")))
    {
        return None;
    }
    // A RUN that changes directory again does not work in one directory.
    let again = run.commands.iter().skip(1).any(|c| {
        command_words(c)
            .first()
            .is_some_and(|w| w.value == "cd" || w.value == "pushd" || w.value == "popd")
    });
    if again {
        return None;
    }
    Some(Diagnostic::new(
        &RULE,
        word_span(run, first, dir),
        format!(
            "`cd {}` for the whole RUN: use `WORKDIR {}`",
            dir.value, dir.value
        ),
    ))
}
