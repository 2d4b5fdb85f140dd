use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{
    before_each_run, env_before, is_within, mount_targets, network_none, removed_path, word_span,
};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Word};

pub static RULE: Rule = Rule {
    code: "DF208",
    name: "pip-cache",
    aliases: &["DL3042"],
    summary: "`pip install` without `--no-cache-dir`: the download cache stays in the image",
    doc: "## What it does
Flags `pip install` (also `pip3`, `pip3.12`, `python -m pip`, `python3 -m pip`) without
`--no-cache-dir`. Quiet when the cache is off otherwise: `PIP_NO_CACHE_DIR` set by `ENV` or
`ARG` earlier in the stage (or a stage it is built on), as a prefix of the command or by an
earlier `export` in the RUN (pip turns the cache off for any value it accepts, even `0` or
`false`), or `pip config set ….no-cache-dir`; when the RUN mounts a folder over the cache
(a target ending in `.cache/pip` or `.cache`, or the `PIP_CACHE_DIR` in effect); when the same
RUN deletes the cache afterwards (`rm -rf /root/.cache/pip`, `~/.cache`, `pip cache purge`);
when the command names its own `--cache-dir`; when it installs with `--no-index` (wheels a
build stage made, `--find-links=/wheels`: nothing is downloaded, and a ready wheel is installed
without being cached; mitmproxy's release image); and under `[lint.package-cache] strategy =
\"mount\"`. `uv pip install`, `pip download` and `pip wheel` are not flagged.

Only stages that ship are checked: a build target (a stage no other stage uses) and the
stages it is built on. A stage only copied from (`COPY --from`, `RUN --mount=from=`) keeps its
layers out of the image; a target whose name says it is a development or CI step (a `-`, `_`
or `.` separated part `dev`, `development`, `test`, `tests`, `testing`, `ci`, `lint`, `debug`,
`e2e`, `coverage`, `validate`, `upload`, `artifact`) is not published while another target is
not one (when all are, the last stage, the default target, ships);
and a development environment (under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a
`.gitpod.Dockerfile`) wants its caches: there the fix would change nothing that ships.

## Why is this bad?
pip keeps every wheel it downloads or builds in `~/.cache/pip`. In an image that cache is never
used again, and it is often as large as the installed packages themselves.

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install -r requirements.txt
```
Use instead:
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir -r requirements.txt
```

## Fix safety
The fix inserts ` --no-cache-dir` after `install`. Safe: pip resolves and installs the same
packages, only without reading or writing its cache. Unsafe in a RUN with `--network=none`,
where only the cache could have supplied the packages.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.options.cache_strategy == CacheStrategy::Mount {
        return;
    }
    let runs = ctx.shell_runs();
    let config_before = std::cell::OnceCell::new();
    for (r, run) in runs.iter().enumerate() {
        // Only what ships: a stage only copied from, or a dev container, keeps nothing of it.
        // A base image named by a build argument (`FROM ${BASE}`) may set `PIP_NO_CACHE_DIR`
        // itself: unknowable, so nothing is said.
        if !ctx.ships(run.stage) || base_from_argument(ctx, run.stage) {
            continue;
        }
        let body = run.script;
        for (index, cmd) in run.commands.iter().enumerate() {
            let Some((start, sub)) = pip_subcommand(cmd) else {
                continue;
            };
            let args = cmd.words.get(start..).unwrap_or_default();
            if sub.value != "install"
                || args.iter().any(|w| is_no_cache_dir(&w.value))
                || args
                    .iter()
                    .any(|w| w.value == "--cache-dir" || w.value.starts_with("--cache-dir="))
                // Nothing is downloaded: wheels a build stage made (`--no-index
                // --find-links=/wheels`), which pip installs without caching them.
                || args.iter().any(|w| w.value == "--no-index")
                || disabled_by_env(ctx, runs, r, index, &config_before)
                || cache_mounted(ctx, runs, r, index)
                || run
                    .commands
                    .iter()
                    .skip(index + 1)
                    .any(|c| removes_cache(c, body))
            {
                continue;
            }
            let Some(first) = cmd.words.get(cmd.name_index()) else {
                continue;
            };
            let program = match first.value.rsplit('/').next() {
                Some(p) if p.starts_with("pip") => p.to_string(),
                Some(p) => format!("{p} -m pip"),
                None => continue,
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    word_span(run, first, sub),
                    format!(
                        "`{program} install` without `--no-cache-dir` keeps pip's download cache in the image"
                    ),
                )
                .with_fix(Fix::new(
                    "Add `--no-cache-dir`",
                    if network_none(run) {
                        Applicability::Unsafe
                    } else {
                        Applicability::Safe
                    },
                    vec![Edit::insert(run.after_word(sub), " --no-cache-dir")],
                )),
            );
        }
    }
}

/// `--no-cache-dir`, or an abbreviation pip's option parser accepts for it.
fn is_no_cache_dir(v: &str) -> bool {
    v.len() >= "--no-cache".len() && "--no-cache-dir".starts_with(v)
}

/// A pip command (`pip`, `pip3.12`, `python3 -m pip`): where pip's own arguments start, and
/// its subcommand word (plain).
fn pip_subcommand(cmd: &Command) -> Option<(usize, &Word)> {
    let call = Call::of(cmd, &programs::PIP)?;
    let w = call.subcommand_word(0)?;
    (!w.complex).then_some((call.inv.start + 1, w))
}

/// A value pip accepts for `PIP_NO_CACHE_DIR` (its `strtobool`; every accepted value, `0` and
/// `false` included, turns the cache off), or one we cannot know (an expansion).
fn turns_cache_off(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']).to_ascii_lowercase();
    v.contains('$')
        || matches!(
            v.as_str(),
            "y" | "yes" | "t" | "true" | "on" | "1" | "n" | "no" | "f" | "false" | "off" | "0"
        )
}

/// The last value the stage (and the stages it builds on) gives `name` before the RUN.
/// `Some(None)`: declared by an ARG without a default.
fn stage_env<'a>(ctx: &Context<'a>, run: &ShellRun, name: &str) -> Option<Option<&'a str>> {
    env_before(ctx, run.stage, run.ins, name)
}

/// The value a command gives `name`: as its prefix, or by an `export` before it in the RUN.
fn run_env<'r>(run: &'r ShellRun, index: usize, name: &str) -> Option<&'r str> {
    let assigned = |w: &'r Word| {
        w.value
            .split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    let cmd = run.commands.get(index)?;
    cmd.assignments.iter().rev().find_map(assigned).or_else(|| {
        run.commands
            .iter()
            .take(index)
            .rev()
            .filter(|c| c.program() == Some("export"))
            .find_map(|c| c.words.iter().skip(1).rev().find_map(assigned))
    })
}

/// Whether pip's cache is turned off for command `index` of run `r` by the environment or pip's
/// configuration.
fn disabled_by_env(
    ctx: &Context,
    runs: &[ShellRun],
    r: usize,
    index: usize,
    config_before: &std::cell::OnceCell<Vec<bool>>,
) -> bool {
    let Some(run) = runs.get(r) else {
        return false;
    };
    if let Some(v) = run_env(run, index, "PIP_NO_CACHE_DIR") {
        return turns_cache_off(v);
    }
    if let Some(v) = stage_env(ctx, run, "PIP_NO_CACHE_DIR") {
        return v.is_none_or(turns_cache_off);
    }
    // `pip config set global.no-cache-dir ...` earlier in the stage: the earlier RUNs' answer
    // is found for every RUN in one pass.
    let configured = config_before.get_or_init(|| {
        before_each_run(ctx, runs, false, |seen, o| {
            *seen |= o.commands.iter().any(configures_no_cache)
        })
    });
    configured.get(r).copied().unwrap_or(false)
        || run.commands.iter().take(index).any(configures_no_cache)
}

/// `pip config set global.no-cache-dir ...` (any section).
fn configures_no_cache(c: &Command) -> bool {
    pip_subcommand(c).is_some_and(|(start, sub)| {
        sub.value == "config"
            && c.words.get(start..).unwrap_or_default().windows(2).any(
                |w| matches!(w, [a, b] if a.value == "set" && b.value.ends_with(".no-cache-dir")),
            )
    })
}

/// Whether a mount of the RUN holds pip's cache (so it stays out of the layer).
fn cache_mounted(ctx: &Context, runs: &[ShellRun], r: usize, index: usize) -> bool {
    let Some(run) = runs.get(r) else {
        return false;
    };
    let cache_dir = run_env(run, index, "PIP_CACHE_DIR")
        .or_else(|| stage_env(ctx, run, "PIP_CACHE_DIR").flatten())
        .map(|d| d.trim_matches(['"', '\'']).trim_end_matches('/'));
    // Where pip's cache is: PIP_CACHE_DIR, else root's (`~/.cache/pip`). A mount holds it when
    // it is that folder, above it (`target=/root`) or inside it, as DF501 counts it: the two
    // rules must agree, or one would add `--no-cache-dir` that the other removes.
    let cache = cache_dir.unwrap_or("/root/.cache/pip");
    mount_targets(run).iter().any(|t| {
        t.contains(".cache/pip")
            || t.ends_with("/.cache")
            || is_within(cache, t)
            || is_within(t, cache)
    })
}

/// `rm` of pip's cache (or of the whole `.cache` folder), or `pip cache purge`.
fn removes_cache(cmd: &Command, body: &str) -> bool {
    if cmd.program() == Some("rm") {
        return cmd.words.iter().skip(1).any(|w| {
            removed_path(w, body)
                .is_some_and(|p| p.ends_with("/.cache/pip") || p.ends_with("/.cache"))
        });
    }
    pip_subcommand(cmd).is_some_and(|(start, sub)| {
        sub.value == "cache"
            && cmd
                .words
                .iter()
                .skip(start)
                .any(|w| w.value == "purge" || w.value == "remove")
    })
}

/// Whether the image a stage is built on is named by a build argument (`FROM ${BASE}`,
/// `FROM $REGISTRY/$IMAGE:1`): any image may be passed in. A variable tag alone
/// (`python:${PY}`) keeps the image known.
fn base_from_argument(ctx: &Context, stage: usize) -> bool {
    crate::rules::unpinned_base::root_base(ctx, stage).is_some_and(|b| {
        let without_tag = match b.written.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name,
            _ => b.written,
        };
        without_tag
            .rsplit('/')
            .next()
            .unwrap_or(without_tag)
            .contains('$')
    })
}

#[cfg(test)]
mod tests {
    fn codes(text: &str) -> usize {
        let doc = crate::syntax::parse(text).unwrap();
        crate::rules::check(&doc, &|r| r.code == "DF208").len()
    }

    #[test]
    fn a_base_image_from_a_build_argument_is_not_known() {
        assert_eq!(
            codes("ARG BASE=python:3.12-slim\nFROM ${BASE}\nRUN pip install flask\n"),
            0
        );
        assert_eq!(
            codes("ARG REG=r.io\nFROM $REG/team/$IMAGE:1\nRUN pip install flask\n"),
            0
        );
        // A variable tag or registry keeps the image known.
        assert_eq!(
            codes("ARG PY=3.12\nFROM python:${PY}-slim\nRUN pip install flask\n"),
            1
        );
        assert_eq!(
            codes("ARG REG=r.io\nFROM $REG/python:3.12\nRUN pip install flask\n"),
            1
        );
    }
}
