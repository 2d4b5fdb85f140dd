use super::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::fix::{Applicability, Edit, Fix};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Separator, Word};
use crate::syntax::{Args, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF206",
    name: "apk-cache",
    aliases: &["DL3019"],
    summary: "`apk add` without `--no-cache`: the package index stays in the image",
    doc: "## What it does
Flags `apk add` without `--no-cache` (global options before `add` count too: `apk --no-cache
add`). An `apk update` before it or an `rm -rf /var/cache/apk/*` after it in the same RUN does
not silence it: `--no-cache` is the one flag that does both. Quiet for `apk add --no-network`
(nothing is downloaded), when the RUN mounts something over `/var/cache/apk`, and under
`[lint.package-cache] strategy = \"mount\"`.

## Why is this bad?
Without `--no-cache`, apk stores the package index it fetches, a few megabytes per repository,
in `/var/cache/apk`: with `-U`, after an `apk update`, and (current apk-tools) whenever
the stored index is missing or older than `--cache-max-age`. It stays in the layer, where
nothing needs it. `apk add --no-cache` reads the index into memory and stores nothing.

## Example
```dockerfile
FROM alpine:3.20
RUN apk update && apk add curl && rm -rf /var/cache/apk/*
```
Use instead:
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl
```

## Fix safety
The fix only inserts ` --no-cache` after `add`; it leaves an `apk update` or an
`rm -rf /var/cache/apk/*` in place (removing commands is riskier, and they do no harm). Safe
when the failure of `apk add` fails the build (`&&`, `set -e`, or a `SHELL` with `-e`): with
`--no-cache` it installs the same packages from a freshly read index, and where an old apk
would have failed for want of an index it now succeeds. Unsafe where a failed `apk add` was
tolerated (`|| true`, a pipe, `;` without `-e`, a condition), where the RUN has
`--network=none`, and where a later `apk` command of the stage reads the stored index without
fetching its own (`apk add --no-network`, or any command after an `apk add -U` on an apk that
does not refresh a missing index).
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

/// apk options that take the next word as their value.
const APK_TAKES_VALUE: &[&str] = &[
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
    "--cache-dir",
    "--cache-max-age",
    "--keys-dir",
    "--repositories-file",
    "--timeout",
    "--wait",
    "-t",
    "--virtual",
];

/// apk subcommands that read the package index.
const READS_INDEX: &[&str] = &[
    "add", "upgrade", "fix", "fetch", "search", "policy", "list", "dot", "info", "version",
];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.options.cache_strategy == CacheStrategy::Mount {
        return;
    }
    let runs = ctx.shell_runs();
    for (r, run) in runs.iter().enumerate() {
        if mounted_over(run, "/var/cache/apk") {
            continue;
        }
        let body = run.rest.slice(&run.ins.logical);
        for (index, cmd) in run.commands.iter().enumerate() {
            let Some(sub) = apk_subcommand(cmd) else {
                continue;
            };
            if sub.value != "add"
                || no_cache(cmd)
                || cmd.words.iter().any(|w| w.value == "--no-network")
            {
                continue;
            }
            let safe = failure_fails_the_run(body, &run.commands, index, shell_errexit(ctx, run))
                && !network_none(run)
                && !later_reads_index(ctx, &runs, r, index);
            out.push(
                Diagnostic::new(
                    &RULE,
                    word_span(run, &cmd.words[0], sub),
                    "`apk add` without `--no-cache` keeps the package index in /var/cache/apk",
                )
                .with_fix(Fix::new(
                    "Add `--no-cache`",
                    if safe {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    vec![Edit::insert(run.after_word(sub), " --no-cache")],
                )),
            );
        }
    }
}

/// The subcommand of an `apk` command (options and their values skipped); `None` for other
/// programs and for a quoted or expanded subcommand.
fn apk_subcommand(cmd: &Command) -> Option<&Word> {
    if cmd.program()? != "apk" {
        return None;
    }
    let w = cmd.words.get(subcommand_index(cmd, 1, APK_TAKES_VALUE)?)?;
    (!w.complex).then_some(w)
}

fn no_cache(cmd: &Command) -> bool {
    cmd.words.iter().skip(1).any(|w| w.value == "--no-cache")
}

/// Whether an apk command stores a fresh index in /var/cache/apk.
fn writes_index(cmd: &Command) -> bool {
    apk_subcommand(cmd).is_some_and(|sub| {
        !no_cache(cmd)
            && (sub.value == "update"
                || cmd.flag("-U")
                || cmd.flag("--update")
                || cmd.flag("--update-cache"))
    })
}

/// Whether a later apk command relies on the index stored by command `index` of run `r` (in
/// the RUN, later RUNs of the stage, or stages built on it), before anything stores a new one
/// and with no earlier command having stored one. `apk add --no-network` always relies on the
/// stored index; other commands only where apk does not refresh a missing index by itself
/// (older apk-tools) and this command stores one explicitly (`-U`).
fn later_reads_index(ctx: &Context, runs: &[ShellRun], r: usize, index: usize) -> bool {
    let run = &runs[r];
    let explicit = writes_index(&run.commands[index]);
    let chain = stage_chain(ctx, run.stage);
    let earlier = runs[..r]
        .iter()
        .filter(|o| chain.contains(&o.stage))
        .flat_map(|o| o.commands.iter())
        .chain(&run.commands[..index]);
    if earlier.clone().any(writes_index) {
        return false;
    }
    let later = run.commands[index + 1..].iter().chain(
        runs[r + 1..]
            .iter()
            .filter(|o| stage_chain(ctx, o.stage).contains(&run.stage))
            .flat_map(|o| o.commands.iter()),
    );
    for cmd in later {
        if writes_index(cmd) {
            return false;
        }
        let reads = apk_subcommand(cmd)
            .is_some_and(|sub| READS_INDEX.contains(&sub.value.as_str()) && !no_cache(cmd));
        let offline = cmd.words.iter().any(|w| w.value == "--no-network");
        if reads && (offline || explicit) {
            return true;
        }
    }
    false
}

// Helpers shared by the package-cache rules (DF206, DF207, DF208).

/// The source span from one word of a RUN's body to another.
pub(super) fn word_span(run: &ShellRun, from: &Word, to: &Word) -> Span {
    run.ins.to_source(Span::new(
        run.rest.start + from.span.start,
        run.rest.start + to.span.end,
    ))
}

/// The index of the first operand at or after `start` (options skipped, and the values of
/// those in `takes_value`).
pub(super) fn subcommand_index(cmd: &Command, start: usize, takes_value: &[&str]) -> Option<usize> {
    let mut i = start;
    while let Some(w) = cmd.words.get(i) {
        if !w.value.starts_with('-') {
            return Some(i);
        }
        i += if takes_value.contains(&w.value.as_str()) {
            2
        } else {
            1
        };
    }
    None
}

/// Whether `path` is `dir` or inside it (both without a trailing `/`).
pub(super) fn is_within(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The targets of the RUN's `--mount`s (any type), without a trailing `/`.
pub(super) fn mount_targets<'a>(run: &ShellRun<'a>) -> Vec<&'a str> {
    run.ins
        .node
        .flags
        .iter()
        .filter(|f| f.name() == "mount")
        .filter_map(|f| {
            f.value()?.split(',').find_map(|kv| {
                kv.strip_prefix("target=")
                    .or_else(|| kv.strip_prefix("dst="))
                    .or_else(|| kv.strip_prefix("destination="))
                    .map(|t| t.trim_end_matches('/'))
            })
        })
        .collect()
}

/// Whether a `--mount` of the RUN (a cache, tmpfs or bind mount: what is written there stays
/// out of the layer) covers `path`, or a folder inside it.
pub(super) fn mounted_over(run: &ShellRun, path: &str) -> bool {
    mount_targets(run)
        .iter()
        .any(|t| is_within(path, t) || is_within(t, path))
}

/// `RUN --network=none`.
pub(super) fn network_none(run: &ShellRun) -> bool {
    run.ins
        .node
        .flags
        .iter()
        .any(|f| f.name() == "network" && f.value() == Some("none"))
}

/// A path operand with trailing globs and slashes removed (`/var/cache/yum/*` is
/// `/var/cache/yum`). A quoted `*` is not a glob: `rm -rf '/x/*'` removes nothing, so `None`.
pub(super) fn removed_path<'w>(w: &'w Word, body: &str) -> Option<&'w str> {
    if w.value.ends_with('*') && !w.span.slice(body).ends_with('*') {
        return None;
    }
    let p = w.value.trim_end_matches(['*', '/']);
    (!p.is_empty()).then_some(p)
}

/// Where ` && cmd` can go at the end of a RUN body (a logical offset relative to the body):
/// after the last word, or after the `)`/`}` that close the body. `None` when something else
/// follows the last word (a redirection, `&`) or the last command never returns (`exit`,
/// `exec`).
pub(super) fn append_point(body: &str, last: &Command) -> Option<usize> {
    if matches!(last.program(), Some("exit" | "exec")) {
        return None;
    }
    let end = last
        .words
        .iter()
        .chain(&last.assignments)
        .map(|w| w.span.end)
        .max()?;
    let b = body.as_bytes();
    let (mut i, mut at) = (end, end);
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b';' if b.get(i + 1) != Some(&b';') => i += 1,
            b')' | b'}' => {
                i += 1;
                at = i;
            }
            b'#' => break,
            _ => return None,
        }
    }
    Some(at)
}

/// The stage and the earlier stages it builds on (`FROM build AS test`), nearest first.
pub(super) fn stage_chain(ctx: &Context, stage: usize) -> Vec<usize> {
    let name = |i: usize| -> Option<&str> {
        let from = ctx.stages.get(i)?.from?;
        match &from.node.args {
            Args::Words(w)
                if w.len() == 3 && w[1].slice(&from.logical).eq_ignore_ascii_case("as") =>
            {
                Some(w[2].slice(&from.logical))
            }
            _ => None,
        }
    };
    let image = |i: usize| -> Option<&str> {
        let from = ctx.stages.get(i)?.from?;
        match &from.node.args {
            Args::Words(w) => Some(w.first()?.slice(&from.logical)),
            _ => None,
        }
    };
    let mut chain = vec![stage];
    let mut current = stage;
    while let Some(base) = image(current) {
        match (1..current)
            .rev()
            .find(|&i| name(i).is_some_and(|n| n.eq_ignore_ascii_case(base)))
        {
            Some(parent) => {
                chain.push(parent);
                current = parent;
            }
            None => break,
        }
    }
    chain
}

/// Whether the `SHELL` in effect for the RUN (its stage's, or inherited from the stage it is
/// built on) runs with `-e` (`SHELL ["/bin/ash", "-exo", "pipefail", "-c"]`).
pub(super) fn shell_errexit(ctx: &Context, run: &ShellRun) -> bool {
    let mut errexit = false;
    for stage in stage_chain(ctx, run.stage).into_iter().rev() {
        for ins in &ctx.stages[stage].instructions {
            if std::ptr::eq(*ins, run.ins) {
                return errexit;
            }
            if let (Kind::Shell, Args::Json(args)) = (ins.kind(), &ins.node.args) {
                errexit = args.iter().skip(1).enumerate().any(|(i, a)| {
                    let v = a.value.as_str();
                    (v.starts_with('-') && !v.starts_with("--") && v.contains('e'))
                        || v == "-o" && args.get(i + 2).is_some_and(|n| n.value == "errexit")
                });
            }
        }
    }
    errexit
}

/// Whether the RUN fails when command `index` fails, so that a change that only turns a
/// failure into success cannot change a build that succeeded. The failure skips the rest of an
/// `&&` list; the list then ends the RUN, or `-e` stops the shell (only when the command was
/// the last of its `&&` list: `set -e; false && x; y` goes on to `y`). Conservative: an `||`, a
/// pipe into another command, a background job, a condition or a `!` says no.
pub(super) fn failure_fails_the_run(
    body: &str,
    commands: &[Command],
    index: usize,
    shell_errexit: bool,
) -> bool {
    let conditional = |c: &Command| {
        matches!(
            c.words.first().map(|w| w.value.as_str()),
            Some("if" | "elif" | "while" | "until")
        )
    };
    if commands[..=index].iter().any(conditional) {
        return false;
    }
    // `!` is not kept as a word: look at the text before the command.
    let start = |c: &Command| {
        c.assignments
            .first()
            .or(c.words.first())
            .map_or(0, |w| w.span.start)
    };
    let end = |c: &Command| {
        c.words
            .iter()
            .chain(&c.assignments)
            .map(|w| w.span.end)
            .max()
            .unwrap_or(0)
    };
    let before = index.checked_sub(1).map_or(0, |p| end(&commands[p]));
    if body
        .get(before..start(&commands[index]))
        .is_none_or(|t| t.contains('!'))
    {
        return false;
    }
    let errexit = shell_errexit
        || commands[..index].iter().any(|c| {
            c.program() == Some("set")
                && c.words.iter().skip(1).any(|w| {
                    let v = w.value.as_str();
                    v == "errexit"
                        || (v.starts_with('-') && !v.starts_with("--") && v.contains('e'))
                })
        });
    let mut j = index;
    loop {
        let last = j + 1 == commands.len();
        match commands[j].separator {
            Separator::Or | Separator::Pipe | Separator::Background => return false,
            _ if last => return true,
            // The next pipeline is skipped; the list is still failing.
            Separator::And => {
                j += 1;
                while commands[j].separator == Separator::Pipe && j + 1 < commands.len() {
                    j += 1;
                }
            }
            Separator::Semi | Separator::Newline | Separator::Group => {
                return errexit && j == index;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{LintOptions, check_with};
    use crate::settings::CacheStrategy;

    fn codes(text: &str, strategy: CacheStrategy) -> Vec<&'static str> {
        let doc = crate::syntax::parse(text).unwrap();
        check_with(
            &doc,
            &|r| matches!(r.code, "DF206" | "DF207" | "DF208"),
            LintOptions {
                cache_strategy: strategy,
            },
        )
        .into_iter()
        .map(|d| d.rule.code)
        .collect()
    }

    #[test]
    fn failure_handling() {
        let fatal = |body: &str, shell_e: bool| {
            let cmds = crate::shell::commands(body).unwrap();
            let i = cmds
                .iter()
                .position(|c| c.words.iter().any(|w| w.value == "apk"))
                .unwrap();
            super::failure_fails_the_run(body, &cmds, i, shell_e)
        };
        assert!(fatal("apk add x", false));
        assert!(fatal(
            "apk update && apk add x && curl -s u | sh && rm -rf /x",
            false
        ));
        assert!(fatal("set -ex; apk add x; echo done", false));
        assert!(fatal("apk add x; echo done", true));
        assert!(fatal("curl -s u | apk add x", false));
        assert!(fatal("(cd /x && apk add y)", false));
        assert!(!fatal("apk add x; echo done", false));
        assert!(!fatal("set -e; apk add x && echo a; echo b", false));
        assert!(!fatal("apk add x || true", false));
        assert!(!fatal("apk add x && echo a || echo b", false));
        assert!(!fatal("apk add x | tee /log", false));
        assert!(!fatal("apk add x &", false));
        assert!(!fatal("! apk add x", false));
        assert!(!fatal("if apk add x; then echo ok; fi", false));
    }

    #[test]
    fn quiet_under_mount_strategy() {
        let text = "FROM alpine\nRUN apk add curl\nRUN yum install -y x\nRUN pip install flask\n";
        assert_eq!(
            codes(text, CacheStrategy::Clean),
            ["DF206", "DF207", "DF208"]
        );
        assert!(codes(text, CacheStrategy::Mount).is_empty());
    }
}
