use crate::fix::{Applicability, Edit, Fix};
use crate::rules::apt::{Apt, apt_command, docker_clean_base, reads_lists};
use crate::rules::common::{
    append_offset, command_words, mounted_over, program, removed_path, stage_parent,
    tolerates_failure, word_span,
};
use crate::rules::common::{appended, before_each_run};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Word};

pub static RULE: Rule = Rule {
    code: "DF202",
    name: "apt-lists-not-removed",
    aliases: &["DL3009"],
    summary: "apt-get install without removing /var/lib/apt/lists",
    doc: "## What it does
Flags a RUN that installs packages with `apt-get` or `apt` (`install`, `reinstall`, `build-dep`,
or an `upgrade` after an `update` in the same RUN) and does not remove the package lists
afterwards in the same RUN (`rm -rf /var/lib/apt/lists/*`, or the folder itself, or
`/var/lib/apt`; `find /var/lib/apt/lists ... -delete`; `apt-get dist-clean`). Quiet when the RUN mounts something over `/var/lib/apt` (a cache or tmpfs
mount keeps the lists out of the layer) and under `[lint.package-cache] strategy = \"mount\"`.

Only stages that ship are checked: a build target (a stage no other stage uses) and the
stages it is built on. A stage only copied from (`COPY --from`, `RUN --mount=from=`) keeps its
layers out of the image; a target whose name says it is a development or CI step (a `-`, `_`
or `.` separated part `dev`, `development`, `test`, `tests`, `testing`, `ci`, `lint`, `debug`,
`e2e`, `coverage`, `validate`, `upload`, `artifact`) is not published while another target is
not one (when all are, the last stage, the default target, ships);
and a development environment (under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a
`.gitpod.Dockerfile`) wants its caches: there the fix would change nothing that ships.

## Why is this bad?
`apt-get update` downloads tens of megabytes of package lists to `/var/lib/apt/lists`. Nothing
in the image needs them after the install, and once a layer holds them, deleting them in a
later RUN does not make the image smaller.

## Example
```dockerfile
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
```

## Fix safety
The fix appends ` && rm -rf /var/lib/apt/lists/*` after the last command of the RUN. On a RUN of one line it goes on that line; on a
RUN of several lines, on a line of its own, indented like the RUN's continuation lines, with
`&&` where `[format] and-position` says (with `preserve`, where the RUN has it), so that the
fixed file passes `format --check`. Where the
stage is not built on an image known to carry Debian's `docker-clean` apt hook, which already
deletes downloaded `.deb` files (the official `debian` and `ubuntu` images, and the official
images built on them that keep it: python, node, ruby, golang, rust, php, postgres, redis,
nginx, httpd, buildpack-deps), or where an earlier instruction mentions that hook (removes
it), it appends
` && apt-get clean && rm -rf /var/lib/apt/lists/*` (not when the RUN already cleans or has a
cache mount on `/var/cache/apt`). Safe: `rm -rf` of these paths succeeds, so
the RUN's exit status is what it was, and nothing after it in the RUN reads the lists. Unsafe
where the RUN has `||` or a background job `&` (the install may still be running, or its
failure tolerated). No fix when a later RUN of the stage (or of a stage built on it) installs
without its own `apt-get update` first (deleting the lists would break it), when the RUN has a
heredoc, or when the body does not end with a plain command (a trailing redirection).
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.options.cache_strategy == CacheStrategy::Mount {
        return;
    }
    let runs = ctx.shell_runs();
    let readers = std::cell::OnceCell::new();
    let lists_left = std::cell::OnceCell::new();
    for (r, run) in runs.iter().enumerate() {
        // Only what ships: a stage only copied from, or a dev container, keeps nothing of it.
        if !ctx.ships(run.stage) {
            continue;
        }
        if mounted_over(run, "/var/lib/apt/lists") {
            continue;
        }
        let body = run.script;
        let mut has_update = false;
        // The last command that fills or uses the lists, and the last one that installs.
        let mut last_apt = None;
        let mut installs: Option<(usize, Apt)> = None;
        let mut upgrades: Option<(usize, Apt)> = None;
        for (i, cmd) in run.commands.iter().enumerate() {
            let Some(apt) = apt_command(cmd) else {
                continue;
            };
            has_update |= cmd.words.iter().any(|w| w.value == "--update");
            match apt.sub.value.as_str() {
                "update" => {
                    has_update = true;
                    last_apt = Some(i);
                }
                "install" | "reinstall" | "build-dep" => {
                    installs = Some((i, apt));
                    last_apt = Some(i);
                }
                "upgrade" | "dist-upgrade" | "full-upgrade" => {
                    upgrades = Some((i, apt));
                    last_apt = Some(i);
                }
                _ => {}
            }
        }
        let target = match (installs, upgrades) {
            (Some(a), Some(b)) => Some(if a.0 > b.0 { a } else { b }),
            (Some(a), None) => Some(a),
            (None, Some(b)) if has_update => Some(b),
            _ => None,
        };
        let (Some((_, apt)), Some(last_apt)) = (target, last_apt) else {
            continue;
        };
        // An install without `apt-get update` adds no lists of its own: it is reported only
        // where lists an earlier RUN downloaded are still there (that RUN left them for this
        // one). After a RUN that removed them, or on a base image's own lists, nothing to say.
        if !has_update
            && !lists_left
                .get_or_init(|| earlier_lists_left(ctx, runs))
                .get(r)
                .copied()
                .unwrap_or(false)
        {
            continue;
        }
        if run.commands.iter().skip(last_apt + 1).any(|c| {
            removes_lists(c, body) || apt_command(c).is_some_and(|a| a.sub.value == "dist-clean")
        }) {
            continue;
        }
        let mut diag = Diagnostic::new(
            &RULE,
            word_span(run, apt.word, apt.sub),
            format!(
                "`{} {}` without removing /var/lib/apt/lists: the package lists stay in the layer",
                apt.program, apt.sub.value
            ),
        );
        let readers = readers.get_or_init(|| list_readers(ctx, runs));
        if let Some(fix) = fix(ctx, readers, run) {
            diag = diag.with_fix(fix);
        }
        out.push(diag);
    }
}

/// For each RUN, whether the lists are there before it because an earlier RUN of its image
/// ran `apt-get update` and did not remove them afterwards (one pass for the file).
fn earlier_lists_left(ctx: &Context, runs: &[ShellRun]) -> Vec<bool> {
    before_each_run(ctx, runs, false, |left, run| {
        let body = run.script;
        for cmd in &run.commands {
            if apt_command(cmd).is_some_and(|a| a.sub.value == "update")
                || cmd.words.iter().any(|w| w.value == "--update")
            {
                *left = true;
            } else if removes_lists(cmd, body)
                || apt_command(cmd).is_some_and(|a| a.sub.value == "dist-clean")
            {
                *left = false;
            }
        }
    })
}

fn fix(ctx: &Context, readers: &ListReaders, run: &ShellRun) -> Option<Fix> {
    if later_run_needs_lists(ctx, readers, run) {
        return None;
    }
    let at = append_offset(run)?;
    let clean = !docker_clean_base(ctx, run)
        && !mounted_over(run, "/var/cache/apt")
        && !run.commands.iter().any(|c| {
            apt_command(c).is_some_and(|a| {
                matches!(a.sub.value.as_str(), "clean" | "autoclean" | "dist-clean")
            })
        });
    let (title, command) = if clean {
        (
            "Add `apt-get clean && rm -rf /var/lib/apt/lists/*`",
            "apt-get clean && rm -rf /var/lib/apt/lists/*",
        )
    } else {
        (
            "Add `rm -rf /var/lib/apt/lists/*`",
            "rm -rf /var/lib/apt/lists/*",
        )
    };
    let text = appended(ctx, run, at, command);
    Some(Fix::new(
        title,
        if tolerates_failure(run) {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        vec![Edit::insert(at, text)],
    ))
}

/// `rm` (or `find ... -delete`) of the lists folder, its contents, or `/var/lib/apt`.
fn removes_lists(cmd: &Command, body: &str) -> bool {
    let names_lists = |w: &Word| {
        removed_path(w, body).is_some_and(|p| p == "/var/lib/apt/lists" || p == "/var/lib/apt")
    };
    let words = command_words(cmd);
    match program(cmd) {
        Some("rm") => words.iter().skip(1).any(names_lists),
        Some("find") => {
            words.get(1).is_some_and(|w| {
                w.value.trim_end_matches('/') == "/var/lib/apt/lists"
                    || w.value.trim_end_matches('/') == "/var/lib/apt"
            }) && words
                .iter()
                .any(|w| w.value == "-delete" || w.value == "rm")
        }
        _ => false,
    }
}

/// Where the package lists are read before an update: per stage, the position of the last
/// instruction that reads them, and whether a stage built on it (directly or not) has one.
/// Computed once per file: asking each RUN to walk the later stages again made a file of many
/// stages built on each other cubic.
struct ListReaders {
    last_in_stage: Vec<Option<usize>>,
    in_descendants: Vec<bool>,
}

fn list_readers(ctx: &Context, runs: &[ShellRun]) -> ListReaders {
    let n = ctx.stages.len();
    let mut last_in_stage = vec![None; n];
    for (last, stage) in last_in_stage.iter_mut().zip(&ctx.stages) {
        for (k, ins) in stage.instructions.iter().enumerate() {
            if reads_lists(ctx, runs, ins) {
                *last = Some(k);
            }
        }
    }
    // A stage's parent comes before it: one pass from the end sees every descendant first.
    let mut in_descendants = vec![false; n];
    for s in (0..n).rev() {
        if let Some(p) = stage_parent(ctx, s) {
            let here = in_descendants.get(s).copied().unwrap_or(false)
                || last_in_stage.get(s).is_some_and(Option::is_some);
            if let Some(d) = in_descendants.get_mut(p) {
                *d |= here;
            }
        }
    }
    ListReaders {
        last_in_stage,
        in_descendants,
    }
}

/// Whether a later RUN of the stage, or of a stage built on it, reads the package lists before
/// it updates them: then deleting them here would break it.
fn later_run_needs_lists(ctx: &Context, readers: &ListReaders, run: &ShellRun) -> bool {
    let stage = run.stage;
    if readers.in_descendants.get(stage).copied().unwrap_or(false) {
        return true;
    }
    let Some(stage_data) = ctx.stages.get(stage) else {
        return false;
    };
    // The instructions are in document order: those after the RUN start after it.
    let after = stage_data
        .instructions
        .partition_point(|i| i.span.start <= run.ins.span.start);
    readers
        .last_in_stage
        .get(stage)
        .copied()
        .flatten()
        .is_some_and(|last| last >= after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{LintOptions, check_with};

    fn df202(text: &str, cache_strategy: CacheStrategy) -> Vec<Diagnostic> {
        let doc = crate::syntax::parse(text).unwrap();
        check_with(
            &doc,
            &|r| r.code == "DF202",
            LintOptions {
                cache_strategy,
                ..Default::default()
            },
        )
    }

    #[test]
    fn quiet_under_the_mount_strategy() {
        let text = "FROM debian\nRUN apt-get update && apt-get install -y curl\n";
        assert_eq!(df202(text, CacheStrategy::Clean).len(), 1);
        assert!(df202(text, CacheStrategy::Mount).is_empty());
    }
}
