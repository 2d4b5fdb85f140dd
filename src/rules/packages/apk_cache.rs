use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{
    earlier_runs, failure_fails_the_run, later_runs, mounted_over, network_none, shell_errexit,
    word_span,
};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Word};

pub static RULE: Rule = Rule {
    code: "DF206",
    name: "apk-cache",
    aliases: &["DL3019"],
    summary: "`apk add` without `--no-cache`: the package index stays in the image",
    doc: "## What it does
Flags `apk add` without `--no-cache` (global options before `add` count too: `apk --no-cache
add`). An `apk update` before it does not silence it: `--no-cache` is the one flag that
both fetches a fresh index and keeps it out of the layer. Quiet when the same RUN removes the
cache afterwards (`rm -rf /var/cache/apk/*`: nothing stays), for `apk add --no-network`
(nothing is downloaded), when the RUN mounts something over `/var/cache/apk`, and under
`[lint.package-cache] strategy = \"mount\"`.

Only stages that ship are checked: a build target (a stage no other stage uses) and the
stages it is built on. A stage only copied from (`COPY --from`, `RUN --mount=from=`) keeps its
layers out of the image; a target whose name says it is a development or CI step (a `-`, `_`
or `.` separated part `dev`, `development`, `test`, `tests`, `testing`, `ci`, `lint`, `debug`,
`e2e`, `coverage`, `validate`, `upload`, `artifact`) is not published while another target is
not one (when all are, the last stage, the default target, ships);
and a development environment (under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a
`.gitpod.Dockerfile`) wants its caches: there the fix would change nothing that ships.

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
The fix inserts ` --no-cache` after `add`, and removes an `apk update` joined to it by `&&`
right before it (with nothing but blanks and line continuations between): the index it
downloads would stay in /var/cache/apk, and `apk add --no-cache` fetches a fresh one itself.
A RUN that removes /var/cache/apk itself after the install is not reported. Safe
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
        // Only what ships: a stage only copied from, or a dev container, keeps nothing of it.
        if !ctx.ships(run.stage) {
            continue;
        }
        if mounted_over(run, "/var/cache/apk") {
            continue;
        }
        let body = run.script;
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
            let Some(first) = cmd.words.first() else {
                continue;
            };
            // The RUN removes the cache itself afterwards: nothing stays.
            if run.commands.iter().skip(index + 1).any(|c| {
                c.program() == Some("rm")
                    && c.words.iter().skip(1).any(|w| {
                        crate::rules::common::removed_path(w, body)
                            .is_some_and(|p| p.trim_end_matches('/') == "/var/cache/apk")
                    })
            }) {
                continue;
            }
            let safe = failure_fails_the_run(body, &run.commands, index, shell_errexit(ctx, run))
                && !network_none(run)
                && !later_reads_index(ctx, runs, r, index);
            let mut edits = vec![Edit::insert(run.after_word(sub), " --no-cache")];
            // `apk update && apk add ...`: the index `apk update` downloads would stay in the
            // cache; with `--no-cache`, `apk add` fetches a fresh index itself, so the update
            // goes (when nothing but `&&` and blanks stand between them).
            let update = index
                .checked_sub(1)
                .and_then(|i| run.commands.get(i))
                .filter(|u| {
                    u.separator == crate::shell::Separator::And
                        && apk_subcommand(u).is_some_and(|w| w.value == "update")
                        && u.words.len() == 2
                        && u.assignments.is_empty()
                });
            if let (Some(u), Some(add)) = (update.and_then(|u| u.words.first()), cmd.words.first())
            {
                let from = run.source_offset(u.span.start);
                let to = run.source_offset(add.span.start);
                let between = ctx.doc.text.get(from..to).unwrap_or("#");
                if !between.contains('#') && from < to {
                    edits.push(Edit::replace(crate::syntax::Span::new(from, to), ""));
                }
            }
            let title = if edits.len() > 1 {
                "Add `--no-cache` and drop the `apk update` before it"
            } else {
                "Add `--no-cache`"
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    word_span(run, first, sub),
                    "`apk add` without `--no-cache` keeps the package index in /var/cache/apk",
                )
                .with_fix(Fix::new(
                    title,
                    if safe {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    },
                    edits,
                )),
            );
        }
    }
}

/// The subcommand of an `apk` command (options and their values skipped); `None` for other
/// programs and for a quoted or expanded subcommand.
fn apk_subcommand(cmd: &Command) -> Option<&Word> {
    let w = Call::of(cmd, &programs::APK)?.subcommand_word(0)?;
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
    let Some((run, cmd)) = runs
        .get(r)
        .and_then(|run| Some((run, run.commands.get(index)?)))
    else {
        return false;
    };
    let explicit = writes_index(cmd);
    let mut earlier = earlier_runs(ctx, runs, r)
        .flat_map(|o| o.commands.iter())
        .chain(run.commands.iter().take(index));
    if earlier.any(writes_index) {
        return false;
    }
    let later = run
        .commands
        .iter()
        .skip(index + 1)
        .chain(later_runs(ctx, runs, r).flat_map(|o| o.commands.iter()));
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

#[cfg(test)]
mod tests {
    use crate::rules::{LintOptions, check_with};
    use crate::settings::CacheStrategy;

    fn codes(text: &str, strategy: CacheStrategy) -> Vec<&'static str> {
        let doc = crate::syntax::parse(text).unwrap();
        check_with(
            &doc,
            &|r| matches!(r.code, "DF206" | "DF207" | "DF208"),
            LintOptions {
                cache_strategy: strategy,
                ..Default::default()
            },
        )
        .into_iter()
        .map(|d| d.rule.code)
        .collect()
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
