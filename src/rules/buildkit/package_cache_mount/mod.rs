//! DF501 package-cache-mount, in parts: `tool` (which programs download packages), `env`
//! (what a RUN runs with, where each cache is), `defeat` (mounts, and what defeats them),
//! `blocked` (why a fix is withheld); the rule, its diagnostics and fixes are here.

mod blocked;
mod defeat;
mod env;
mod tool;

use blocked::*;
use defeat::*;
use env::*;
use tool::*;

use crate::fix::{Applicability, Edit, Fix};
use crate::images::uid_of;
use crate::rules::apt::{apt_command, reads_lists, reads_lists_before_update};
use crate::rules::common::{
    States, any_text_before, base_image_of, builds_on, command_words, env_values_before, is_within,
    network_none, program, removed_path, sets_errexit, shell_errexit, stage_chain, state_at,
    states_before, word_span,
};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Word};
use crate::syntax::{Args, Instruction, Kind, Span};
use std::collections::HashMap;
pub static RULE: Rule = Rule {
    code: "DF501",
    name: "package-cache-mount",
    aliases: &[],
    summary: "Package downloads without a BuildKit cache mount (strategy = mount), or a cache mount \
              defeated by a no-cache flag",
    doc: "## What it does
With `[lint.package-cache] strategy = \"mount\"`, flags a RUN whose commands download packages
without a `--mount=type=cache` on the tool's cache folder: `apt-get`/`apt` (`install`,
`upgrade`, `update`...), `apk add`, `pip install` (`pip3`, `python -m pip`), `uv pip install`,
`uv sync`, `poetry install`, `npm ci`/`install`, `yarn` (`install`), `pnpm install`, `go mod
download`, `go build`/`install`/`get`, `cargo build`/`fetch`/`install`, `mvn`, `gradle`,
`bundle install`, `composer install`. The folders: `/var/cache/apt` and `/var/lib/apt` (both
`sharing=locked`: apt needs exclusive access), `/var/cache/apk`, `~/.cache/pip`, `~/.cache/uv`,
`~/.cache/pypoetry/cache` and `artifacts` (not the whole folder: poetry keeps its virtualenvs
there), `~/.npm`, `/usr/local/share/.cache/yarn` (yarn 1 as root; `~/.cache/yarn` otherwise),
`$PNPM_HOME/store`, `/go/pkg/mod` (`GOPATH` of the official golang images, `~/go` elsewhere) and
`~/.cache/go-build`, `/usr/local/cargo/registry` and `git/db` (the official rust images'
`CARGO_HOME`; `~/.cargo` elsewhere), `~/.m2/repository` (not `~/.m2`, which holds
`settings.xml`), `~/.gradle/caches` (and the `wrapper` folders for `mvnw` and `gradlew`),
`/tmp/cache` for composer's official image. The variables
that move these folders (`PIP_CACHE_DIR`, `XDG_CACHE_HOME`, `GOPATH`, `GOMODCACHE`, `GOCACHE`,
`CARGO_HOME`, `npm_config_cache`, `YARN_CACHE_FOLDER`, `GRADLE_USER_HOME`, `COMPOSER_HOME`...)
are followed when ENV or ARG set them. `~` is the HOME of the USER in effect: `/root` for root,
`/home/<name>` for a named user (the message says so; `--home` of the `useradd`/`adduser` that
made it, or `ENV HOME`, wins), unknown for a numeric uid. A mount on the folder, inside it, or
on a folder that holds it counts.

In every mode, also flags a RUN whose cache mount a flag turns off: `pip install
--no-cache-dir` under a mount on pip's cache, `apk add --no-cache` under a mount on
`/var/cache/apk`. With `strategy = \"mount\"` also `uv`/`poetry --no-cache`, `apt-get clean`,
`npm cache clean`, `yarn cache clean`, `go clean -modcache`, `pip cache purge` and `rm` of files
inside a cache mount.

Quiet under `strategy = \"clean\"` (the default) except for those defeated mounts: there
DF202, DF206 and DF208 ask for the opposite (delete the caches in the same RUN), and they are
quiet under `\"mount\"`.

## Why is this bad?
Without a cache mount, every change to a package list downloads every package again, and the
cache either lands in the image or has to be deleted in the same RUN. A cache mount keeps the
downloads on the builder, across builds, and out of the image. A flag that turns the cache off
(`--no-cache-dir`, `--no-cache`) or a command that empties it makes the mount useless.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc \\
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt,sharing=locked \\
    rm -f /etc/apt/apt.conf.d/docker-clean \\
    && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache \\
    && apt-get update && apt-get install -y --no-install-recommends gcc
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Fix safety
The mount fix adds one ` --mount=type=cache,target=...` per folder right after `RUN` (with
`sharing=locked` for apt, and `uid=` when the RUN runs as a non-root user whose uid is known:
BuildKit creates cache folders owned by root), and removes what would defeat it in the same
RUN: `--no-cache-dir`, `uv`/`poetry --no-cache`, `apk --no-cache` (replaced by
`--update-cache`, so that apk still fetches a fresh index), `apt-get clean`, `npm cache clean`,
`rm -rf /var/lib/apt/lists/*` and other `rm` of files in a mounted folder. For apt, the first
such RUN of a stage (unless an earlier instruction mentions `docker-clean`) also starts with
`rm -f /etc/apt/apt.conf.d/docker-clean && echo 'Binary::apt::APT::Keep-Downloaded-Packages
\"true\";' > /etc/apt/apt.conf.d/keep-cache` (as in Docker's documentation): the official Debian
and Ubuntu images (and the images built on them) carry that hook, which deletes every downloaded
`.deb` and would leave the cache empty; on a base without it, `rm -f` does nothing. Unsafe:
`RUN --mount` needs BuildKit (the legacy builder rejects it; older frontends may need a
`# syntax=docker/dockerfile:1` line, see DF502); the hook is gone for the rest of the stage and
for images built on it, so a later RUN without a mount keeps its `.deb` files; files the image
had in a mounted folder are hidden during the RUN (apt's `extended_states`, modules or crates an
earlier step stored), and what the RUN writes there (apt's record of automatically installed
packages) goes to the cache, not the image. No fix for a RUN with `--network=none`, one that
installs with apt without its own `apt-get update`, one whose package lists a later RUN reads,
one that uses apt's record of automatically installed packages (`apt-mark`, `autoremove`: it
would come from the cache), one whose downloads a later RUN uses offline, a folder an earlier
COPY fills, a non-root user whose HOME or uid is not known, and where removing
a defeating command is not simple: it must be joined to the rest with `&&`, or with `;` where
the RUN's exit status stays the same (not as its last command, unless `set -e` is on), and an
`rm` of a folder that holds a mount would fail on the mount point. No fix for bundler, and for pnpm and
composer unless `PNPM_HOME` / `COMPOSER_HOME` say where their caches are.

The fix for a defeated mount only removes the flag (`apk --no-cache` becomes `--update-cache`)
or command: Safe, the files it avoided writing go to the mount, not to the image. Without a fix
where pip's cache for the RUN's user is not known to be inside the mount.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// A use of a tool in a RUN.
struct Use<'c> {
    tool: Tool,
    index: usize,
    first: &'c Word,
    last: &'c Word,
    label: String,
}

fn uses<'c>(run: &'c ShellRun) -> Vec<Use<'c>> {
    let mut out: Vec<Use> = Vec::new();
    for (index, cmd) in run.commands.iter().enumerate() {
        let Some((tool, last)) = detect(cmd) else {
            continue;
        };
        let words = command_words(cmd);
        let (Some(first_word), Some(last_word), Some(named)) =
            (words.first(), words.get(last), words.get(..=last))
        else {
            continue;
        };
        let label = named
            .iter()
            .map(|w| crate::shell::base_name(&w.value))
            .collect::<Vec<_>>()
            .join(" ");
        // One use per tool; `go build` also covers `go mod download`, and `apt-get install`
        // names apt's use better than the `apt-get update` before it.
        if let Some(u) = out.iter_mut().find(|u| {
            u.tool == tool
                || matches!(
                    (u.tool, tool),
                    (Tool::GoMod, Tool::Go) | (Tool::Go, Tool::GoMod)
                )
        }) {
            if u.tool == Tool::GoMod && tool == Tool::Go {
                u.tool = Tool::Go;
            }
            if tool == Tool::Apt && u.last.value == "update" && last_word.value != "update" {
                u.first = first_word;
                u.last = last_word;
                u.label = label;
            }
            continue;
        }
        out.push(Use {
            tool,
            index,
            first: first_word,
            last: last_word,
            label,
        });
    }
    out
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the first apt RUN of a stage starts with: Debian's `docker-clean` hook deletes every
/// downloaded `.deb`, and would leave the cache empty.
const DOCKER_CLEAN: [&str; 2] = [
    "rm -f /etc/apt/apt.conf.d/docker-clean",
    "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache",
];

/// How a fix title names what it removes or replaces (`remove `--no-cache-dir``, `replace
/// `--no-cache` with `--update-cache``).
fn changes(defeats: &[Defeat]) -> Option<String> {
    let mut removed: Vec<String> = Vec::new();
    let mut replaced = false;
    for d in defeats {
        if matches!(&d.edit, Ok(Some(e)) if !e.content.is_empty()) {
            replaced = true;
            continue;
        }
        let w = match &d.operand {
            Some(o) => format!("`{o}` from `rm`"),
            None => format!("`{}`", d.what),
        };
        if !removed.contains(&w) {
            removed.push(w);
        }
    }
    let mut parts = Vec::new();
    if replaced {
        parts.push("replace `--no-cache` with `--update-cache`".to_string());
    }
    if !removed.is_empty() {
        parts.push(format!("remove {}", and_list(&removed)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mount_mode = ctx.options.cache_strategy == CacheStrategy::Mount;
    let runs = ctx.shell_runs();
    let file = std::cell::OnceCell::new();
    let blockers = Blockers::default();
    // Stages whose docker-clean hook an earlier fix removes.
    let mut unhooked: Vec<usize> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        if !run.ins.heredocs.is_empty() {
            continue;
        }
        let uses = uses(run);
        if uses.is_empty() {
            continue;
        }
        let file = file.get_or_init(|| FileEnv::new(ctx, runs));
        let Some(env) = RunEnv::new(ctx, runs, file, r) else {
            continue;
        };
        let existing = mounts(run);
        let mut fixed = false;
        if mount_mode {
            let missing: Vec<(&Use, Result<Plan, String>)> = uses
                .iter()
                .map(|u| (u, plan(u.tool, &env, run, u.index)))
                .filter(|(u, p)| {
                    !existing
                        .iter()
                        .any(|m| tool_mounted(u.tool, p.as_ref().ok(), m))
                })
                .collect();
            if let Some((diag, has_fix)) =
                missing_diag(ctx, runs, run, &env, &missing, &mut unhooked, &blockers)
            {
                fixed = has_fix;
                out.push(diag);
            }
        }
        if !fixed
            && let Some(d) = defeated_diag(
                run,
                shell_errexit(ctx, run),
                &env,
                &uses,
                &existing,
                mount_mode,
            )
        {
            out.push(d);
        }
    }
}

/// The diagnostic for tools used without a cache mount, with the fix when there is one.
fn missing_diag<'a>(
    ctx: &Context<'a>,
    runs: &[ShellRun<'a>],
    run: &ShellRun,
    env: &RunEnv,
    missing: &[(&Use, Result<Plan, String>)],
    unhooked: &mut Vec<usize>,
    blockers: &Blockers<'a>,
) -> Option<(Diagnostic, bool)> {
    let n = missing.len();
    let labels: Vec<String> = missing
        .iter()
        .map(|(u, _)| format!("`{}`", u.label))
        .collect();
    let mut notes: Vec<String> = Vec::new();
    let mut shown_targets: Vec<String> = Vec::new();
    // (use, plan) of the tools the fix covers.
    let mut fixable: Vec<(&Use, &Plan)> = Vec::new();
    let name = |u: &Use| {
        if n == 1 {
            String::new()
        } else {
            format!(" for `{}`", u.label)
        }
    };
    let mut home_note = None;
    for (u, p) in missing {
        let p = match p {
            Ok(p) => p,
            Err(why) => {
                notes.push(format!("no fix{}: {why}", name(u)));
                continue;
            }
        };
        shown_targets.extend(p.targets.iter().cloned());
        if !u.tool.system()
            && let User::Named(user) = &env.user
            && let Ok((home, true)) = env.home(run, u.index)
        {
            home_note = Some(format!("the RUN runs as `{user}`, HOME taken to be {home}"));
        }
        let blocked = if u.tool.system() {
            None
        } else {
            env.uid().err()
        }
        .or_else(|| {
            if u.tool == Tool::Apt {
                apt_blocked(ctx, runs, run, blockers)
            } else {
                offline_blocked(ctx, runs, run, u.tool, p, blockers)
            }
        })
        .or_else(|| copy_blocked(ctx, run, &p.targets))
        .or_else(|| {
            p.targets
                .iter()
                .find(|t| t.contains([',', '"', '\'', ' ', '\t', '=']))
                .map(|t| format!("the folder {t} cannot be written in a mount flag"))
        });
        match blocked {
            Some(why) => notes.push(format!("no fix{}: {why}", name(u))),
            None => fixable.push((u, p)),
        }
    }
    if let Some(h) = home_note {
        notes.insert(0, h);
    }
    let first = missing.first()?.0;
    let verb = if n == 1 { "downloads" } else { "download" };
    let mut message = format!(
        "{} {verb} packages without a cache mount",
        and_list(&labels)
    );
    if !shown_targets.is_empty() {
        message.push_str(&format!(" on {}", shown_targets.join(", ")));
    }
    let span = word_span(run, first.first, first.last);
    let mut fix = None;
    if !fixable.is_empty() {
        match mount_fix(ctx, run, env, &fixable, unhooked) {
            Ok(f) => fix = Some(f),
            Err(why) => notes.push(format!("no fix: {why}")),
        }
    }
    for note in notes {
        message.push_str("; ");
        message.push_str(&note);
    }
    let mut diag = Diagnostic::new(&RULE, span, message);
    let has_fix = fix.is_some();
    if let Some(f) = fix {
        diag = diag.with_fix(f);
    }
    Some((diag, has_fix))
}

/// The fix that adds the mounts for `fixable` and removes what defeats them.
fn mount_fix(
    ctx: &Context,
    run: &ShellRun,
    env: &RunEnv,
    fixable: &[(&Use, &Plan)],
    unhooked: &mut Vec<usize>,
) -> Result<Fix, String> {
    if network_none(run) {
        return Err(
            "the RUN has no network (`--network=none`): the mount would hide what it installs \
             from"
                .into(),
        );
    }
    let uid = env.uid().ok().flatten();
    let mut flags: Vec<String> = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    let mut tools: Vec<Tool> = Vec::new();
    for (u, p) in fixable {
        tools.push(u.tool);
        bases.extend(p.bases.iter().cloned());
        for t in &p.targets {
            if targets.contains(t) {
                continue;
            }
            targets.push(t.clone());
            let mut flag = format!("--mount=type=cache,target={t}");
            if u.tool == Tool::Apt {
                flag.push_str(",sharing=locked");
            }
            if let (false, Some(uid)) = (u.tool.system(), uid) {
                flag.push_str(&format!(",uid={uid}"));
            }
            flags.push(flag);
        }
    }
    // The RUN's existing cache mounts of the tools it uses are defeated the same way.
    let existing = mounts(run);
    for u in uses(run) {
        let p = plan(u.tool, env, run, u.index).ok();
        for m in existing
            .iter()
            .filter(|m| m.cache && tool_mounted(u.tool, p.as_ref(), m))
        {
            if !tools.contains(&u.tool) {
                tools.push(u.tool);
            }
            if !targets.contains(&m.target) {
                targets.push(m.target.clone());
            }
        }
    }
    let (defeats, conflicts) = defeats(
        run,
        env,
        &tools,
        &targets,
        &bases,
        false,
        shell_errexit(ctx, run),
    );
    if let Some(c) = conflicts.into_iter().next() {
        return Err(c);
    }
    let mut edits = Vec::new();
    for d in &defeats {
        match &d.edit {
            Ok(e) => edits.extend(e.clone()),
            Err(why) => return Err(format!("`{}` cannot be removed: {why}", d.what)),
        }
    }
    let added = targets_of(fixable);
    let mut title = if let [only] = added.as_slice() {
        format!("Add a cache mount on {only}")
    } else {
        format!("Add cache mounts on {}", and_list(&added))
    };
    // One mount stays on the RUN line; more go on continuation lines, as Docker's
    // documentation writes them.
    let nl = if ctx.doc.slice(run.ins.span).contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut hook = false;
    if fixable.iter().any(|(u, _)| u.tool == Tool::Apt) {
        let chain = stage_chain(ctx, run.stage);
        let mentioned = any_text_before(ctx, run, "docker-clean", |t| t.contains("docker-clean"))
            || ctx.doc.slice(run.ins.span).contains("docker-clean");
        if !mentioned && !chain.iter().any(|s| unhooked.contains(s)) {
            let body = run.script;
            let name_len = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            if name_len > 0 && body[name_len..].trim_start().starts_with('(') {
                return Err("the RUN starts with a function definition".into());
            }
            edits.push(Edit::insert(
                run.ins.source_offset(run.rest.start),
                DOCKER_CLEAN
                    .iter()
                    .map(|c| format!("{c} \\{nl}    && "))
                    .collect::<String>(),
            ));
            unhooked.push(run.stage);
            hook = true;
            title.push_str(", remove the docker-clean hook");
        }
    }
    let at = run.ins.to_source(run.ins.node.keyword).end;
    // `RUN \` with the rest on the next lines: the last mount takes that continuation.
    let after = ctx.doc.text[at..].trim_start_matches([' ', '\t']);
    let continued = after.starts_with("\\\n") || after.starts_with("\\\r\n");
    edits.push(Edit::insert(
        at,
        if let ([only], false) = (flags.as_slice(), hook) {
            format!(" {only}")
        } else if continued {
            flags
                .iter()
                .map(|f| format!(" {f}"))
                .collect::<Vec<_>>()
                .join(&format!(" \\{nl}   "))
        } else {
            flags
                .iter()
                .map(|f| format!(" {f} \\{nl}   "))
                .collect::<String>()
        },
    ));
    if let Some(what) = changes(&defeats) {
        title.push_str(&format!(", {what}"));
    }
    Ok(Fix::new(title, Applicability::Unsafe, edits))
}

fn targets_of(fixable: &[(&Use, &Plan)]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (_, p) in fixable {
        for t in &p.targets {
            if !v.contains(t) {
                v.push(t.clone());
            }
        }
    }
    v
}

/// The diagnostic for existing cache mounts that the RUN defeats (a no-cache flag; under
/// `strategy = "mount"` also cleaning commands and `rm` in the mounted folders).
fn defeated_diag(
    run: &ShellRun,
    errexit: bool,
    env: &RunEnv,
    uses: &[Use],
    existing: &[Mount],
    mount_mode: bool,
) -> Option<Diagnostic> {
    let caches: Vec<&Mount> = existing.iter().filter(|m| m.cache).collect();
    let mut tools = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    // Why the fix would not be Safe for a tool: its cache for the RUN's user is not known to
    // be inside the mount (a mount only named like it).
    let mut unsure: Vec<(Tool, String)> = Vec::new();
    for u in uses {
        if !mount_mode && !matches!(u.tool, Tool::Pip | Tool::Apk) {
            continue;
        }
        let p = plan(u.tool, env, run, u.index);
        let mine: Vec<&&Mount> = caches
            .iter()
            .filter(|m| tool_mounted(u.tool, p.as_ref().ok(), m))
            .collect();
        if mine.is_empty() {
            continue;
        }
        tools.push(u.tool);
        for m in mine {
            if !targets.contains(&m.target) {
                targets.push(m.target.clone());
            }
        }
        let covered = p.as_ref().is_ok_and(|p| {
            p.targets
                .iter()
                .any(|t| caches.iter().any(|m| is_within(t, &m.target)))
        });
        if !covered {
            let why = match &p {
                Err(e) => e.clone(),
                Ok(p) => format!(
                    "the cache of `{}` for this RUN is {}, not inside the mount",
                    u.label,
                    and_list(&p.targets)
                ),
            };
            unsure.push((u.tool, why));
        }
    }
    if tools.is_empty() {
        return None;
    }
    let (defeats, _) = defeats(run, env, &tools, &targets, &[], !mount_mode, errexit);
    let first = defeats.first()?;
    let mut whats: Vec<String> = Vec::new();
    let mut edits = Vec::new();
    let mut why_not = None;
    for d in &defeats {
        let w = format!("`{}`", d.what);
        if !whats.contains(&w) {
            whats.push(w);
        }
        match &d.edit {
            Ok(e) => edits.extend(e.clone()),
            Err(why) => {
                why_not.get_or_insert_with(|| format!("`{}` cannot be removed: {why}", d.what));
            }
        }
        if let Some((_, why)) = unsure.iter().find(|(t, _)| Some(*t) == d.tool) {
            why_not.get_or_insert_with(|| why.clone());
        }
    }
    let mut message = format!(
        "the cache mount{} on {} {} defeated by {}",
        if targets.len() == 1 { "" } else { "s" },
        and_list(&targets),
        if targets.len() == 1 { "is" } else { "are" },
        and_list(&whats)
    );
    if let Some(why) = why_not {
        message.push_str(&format!("; no fix: {why}"));
        return Some(Diagnostic::new(&RULE, first.span, message));
    }
    let title = changes(&defeats).unwrap_or_default();
    let title = format!("{}{}", title[..1].to_ascii_uppercase(), &title[1..]);
    Some(
        Diagnostic::new(&RULE, first.span, message).with_fix(Fix::new(
            title,
            Applicability::Safe,
            edits,
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{LintOptions, check_with};

    fn df501(text: &str, cache_strategy: CacheStrategy) -> Vec<Diagnostic> {
        let doc = crate::syntax::parse(text).unwrap();
        check_with(
            &doc,
            &|r| r.code == "DF501",
            LintOptions {
                cache_strategy,
                ..Default::default()
            },
        )
    }

    #[test]
    fn quiet_under_clean_except_defeated_mounts() {
        let text = "FROM python:3.12\nRUN pip install flask\n\
            RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n";
        let clean = df501(text, CacheStrategy::Clean);
        assert_eq!(clean.len(), 1);
        assert!(clean[0].message.contains("defeated by `--no-cache-dir`"));
        assert_eq!(df501(text, CacheStrategy::Mount).len(), 2);
    }

    #[test]
    fn cleaning_at_the_edges_of_the_body() {
        // These panicked (index out of bounds, subtract with overflow) before.
        let one = |body: &str| {
            let d = df501(
                &format!("FROM python:3.12\nRUN {body}\n"),
                CacheStrategy::Mount,
            );
            assert_eq!(d.len(), 1, "{body}");
            (d[0].message.clone(), d[0].fix.is_some())
        };
        let not_joined = "cannot be removed: it is not joined to the rest of the RUN";
        for body in [
            "pip install flask; pip cache purge &&",
            "&& pip cache purge; pip install flask",
        ] {
            let (message, fixed) = one(body);
            assert!(message.contains(not_joined) && !fixed, "{body}: {message}");
        }
        // A `;` at the end is the end of the RUN: the cleaning goes when `set -e` makes the
        // RUN's status the same.
        let (message, fixed) = one("pip install flask; pip cache purge;");
        assert!(message.contains("without `set -e`") && !fixed, "{message}");
        assert!(one("set -e; pip install flask; pip cache purge;").1);
        assert!(one("pip install flask && pip cache purge;").1);
    }

    #[test]
    fn users_and_homes() {
        let user = |t: &str| parse_user(t);
        assert_eq!(user("root"), User::Root);
        assert_eq!(user("0:0"), User::Root);
        assert_eq!(user("1000:1000"), User::Uid(1000));
        assert_eq!(user("app:app"), User::Named("app".into()));
        assert_eq!(user("$USER"), User::Unknown("$USER".into()));
        let acc = |body: &str| account(&crate::shell::commands(body).unwrap()[0]).unwrap();
        let (name, a) = acc("useradd -m -u 10001 -d /srv/app app");
        assert_eq!(
            (name.as_str(), a.uid, a.home.as_deref()),
            ("app", Some(10001), Some("/srv/app"))
        );
        let (name, a) = acc("adduser --system --uid=999 svc");
        assert_eq!((name.as_str(), a.uid, a.no_home), ("svc", Some(999), true));
        let (name, a) = acc("adduser -S -D -u 1000 -h /home/x x");
        assert_eq!(
            (name.as_str(), a.uid, a.home.as_deref(), a.no_home),
            ("x", Some(1000), Some("/home/x"), false)
        );
    }

    #[test]
    fn command_removal() {
        let run_of = |body: &str| format!("FROM x\nRUN {body}\n");
        let del = |body: &str, first: usize, last: usize| {
            let text = run_of(body);
            let doc = crate::syntax::parse(&text).unwrap();
            let ctx = Context::new(&doc);
            let runs = ctx.shell_runs();
            delete_commands(&runs[0], first, last, false).map(|e| {
                let mut t = text.clone();
                t.replace_range(e.span.start..e.span.end, "");
                t
            })
        };
        assert_eq!(del("a && rm x && b", 1, 1).unwrap(), run_of("a && b"));
        assert_eq!(del("a && rm x", 1, 1).unwrap(), run_of("a"));
        assert_eq!(del("a && rm x && rm y", 1, 2).unwrap(), run_of("a"));
        assert_eq!(del("rm x && b", 0, 0).unwrap(), run_of("b"));
        assert_eq!(del("(a && rm x)", 1, 1).unwrap(), run_of("(a)"));
        assert!(del("a; rm x", 1, 1).is_err());
        assert_eq!(del("set -e; a; rm x", 2, 2).unwrap(), run_of("set -e; a"));
        assert!(del("set -e; b && a; rm x", 3, 3).is_err());
        assert_eq!(del("a; rm x; b", 1, 1).unwrap(), run_of("a; b"));
        assert_eq!(del("a && rm x; b", 1, 1).unwrap(), run_of("a; b"));
        assert_eq!(del("a; rm x && b", 1, 1).unwrap(), run_of("a; b"));
        assert!(del("a | rm x && b", 1, 1).is_err());
        assert!(del("a || rm x && b", 1, 1).is_err());
        assert!(del("a && rm x 2>/dev/null", 1, 1).is_err());
        assert_eq!(
            del("a \\\n    && rm x\n", 1, 1).unwrap(),
            "FROM x\nRUN a\n\n"
        );
    }
}
