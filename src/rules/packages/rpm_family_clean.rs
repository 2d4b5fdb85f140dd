use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::appended;
use crate::rules::common::{
    append_offset, is_within, later_runs, mounted_over, removed_path, tolerates_failure, word_span,
};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Word};

pub static RULE: Rule = Rule {
    code: "DF207",
    name: "rpm-family-clean",
    aliases: &["DL3032", "DL3036", "DL3040"],
    summary: "yum/dnf/microdnf/tdnf/zypper install without a clean in the same RUN",
    doc: "## What it does
Flags a `yum`, `dnf` or `microdnf` (`install`, `groupinstall`, `localinstall`,
`group install`), `tdnf install` or `zypper install`/`in` with no clean after it in the same RUN:
`yum clean all`, `dnf clean all` or `microdnf clean all` (they share a cache), `tdnf clean all`,
`zypper clean`/`zypper cc`, or an `rm` of the cache folder (`/var/cache/yum`, `/var/cache/dnf`,
`/var/cache/libdnf5`, `/var/cache/tdnf`, `/var/cache/zypp`, or `/var/cache` itself). One
finding per RUN and package manager. Quiet when the RUN mounts something over the cache folder
and under `[lint.package-cache] strategy = \"mount\"`.

Only stages that ship are checked: a build target (a stage no other stage uses) and the
stages it is built on. A stage only copied from (`COPY --from`, `RUN --mount=from=`) keeps its
layers out of the image; a target whose name says it is a development or CI step (a `-`, `_`
or `.` separated part `dev`, `development`, `test`, `tests`, `testing`, `ci`, `lint`, `debug`,
`e2e`, `coverage`, `validate`, `upload`, `artifact`) is not published while another target is
not one (when all are, the last stage, the default target, ships);
and a development environment (under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a
`.gitpod.Dockerfile`) wants its caches: there the fix would change nothing that ships.

## Why is this bad?
These package managers download repository metadata (often a hundred megabytes or more) and
packages into `/var/cache/...`. Nothing in the image needs them after the install, and once a
layer holds them, cleaning in a later RUN does not make the image smaller.

## Example
```dockerfile
FROM rockylinux:9
RUN dnf install -y httpd
```
Use instead:
```dockerfile
FROM rockylinux:9
RUN dnf install -y httpd && dnf clean all
```

## Fix safety
The fix appends ` && <tool> clean all` (` && zypper clean --all`) after the last command of the
RUN, so it runs after everything that could use the cache. On a RUN of one line it goes on that line; on a
RUN of several lines, on a line of its own, indented like the RUN's continuation lines, with
`&&` where `[format] and-position` says (with `preserve`, where the RUN has it), so that the
fixed file passes `format --check`. Safe: the clean only deletes the
cache, and the RUN's exit status is what it was. Unsafe where the RUN has `||` or a background
job `&` (the install may still be running, or its failure tolerated), and where a later RUN of
the stage, or of a stage built on it, uses the cache (`-C`/`--cacheonly`, zypper's
`--no-refresh`, or a path inside the cache folder). No fix when the RUN has a heredoc, when
its body does not end with a plain command (a trailing redirection, `&`, `exit`), and for an
install into another root (`--installroot`), whose cache a plain clean would not remove.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    /// yum, dnf and microdnf: on current systems they share one cache.
    Dnf,
    Tdnf,
    Zypper,
}

impl Family {
    fn of(program: &str) -> Option<Family> {
        match program {
            "yum" | "dnf" | "dnf5" | "microdnf" => Some(Family::Dnf),
            "tdnf" => Some(Family::Tdnf),
            "zypper" => Some(Family::Zypper),
            _ => None,
        }
    }

    fn cache_dirs(self) -> &'static [&'static str] {
        match self {
            Family::Dnf => &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
            Family::Tdnf => &["/var/cache/tdnf"],
            Family::Zypper => &["/var/cache/zypp"],
        }
    }

    /// Whether a command uses only what the cache holds.
    fn cache_only(self, cmd: &Command) -> bool {
        match self {
            Family::Dnf | Family::Tdnf => cmd.flag("-C") || cmd.flag("--cacheonly"),
            Family::Zypper => cmd.flag("--no-refresh"),
        }
    }
}

/// A package-manager command of the family, read by its grammar, with its family.
fn subcommand(cmd: &Command) -> Option<(Family, Call<'_>)> {
    let call = Call::read(cmd).filter(|c| c.is(&programs::DNF) || c.is(&programs::ZYPPER))?;
    let family = Family::of(call.program()?)?;
    call.subcommand()?;
    Some((family, call))
}

/// An install: its family, its subcommand as text, and the last word of the subcommand
/// (`install` of `dnf group install`).
fn install(cmd: &Command) -> Option<(Family, String, &Word)> {
    let (family, call) = subcommand(cmd)?;
    let sub = call.subcommand_word(0)?;
    match (family, call.program()?, sub.value.as_str()) {
        (Family::Zypper, _, "install" | "in")
        | (_, "microdnf" | "tdnf", "install")
        | (Family::Dnf, _, "install" | "groupinstall" | "localinstall") => {
            Some((family, sub.value.clone(), sub))
        }
        (Family::Dnf, _, "group" | "groups") => {
            let next = call.operands().next()?;
            (next.value == "install" && !next.complex)
                .then(|| (family, format!("{} install", sub.value), next))
        }
        _ => None,
    }
}

/// Whether a command cleans the family's cache.
fn cleans(cmd: &Command, family: Family, body: &str) -> bool {
    if cmd.program() == Some("rm") {
        return cmd.words.iter().skip(1).any(|w| {
            removed_path(w, body).is_some_and(|p| {
                p == "/var/cache" || family.cache_dirs().iter().any(|d| is_within(p, d))
            })
        });
    }
    let Some((f, call)) = subcommand(cmd) else {
        return false;
    };
    f == family
        && match (f, call.subcommand()) {
            (Family::Zypper, Some("clean" | "cc")) => true,
            (_, Some("clean")) => call.operands().any(|w| w.value == "all"),
            _ => false,
        }
}

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
        let body = run.script;
        let mut reported: Vec<Family> = Vec::new();
        for (index, cmd) in run.commands.iter().enumerate() {
            let Some((family, label, sub)) = install(cmd) else {
                continue;
            };
            if reported.contains(&family)
                || family.cache_dirs().iter().any(|d| mounted_over(run, d))
                || run
                    .commands
                    .iter()
                    .skip(index + 1)
                    .any(|c| cleans(c, family, body))
            {
                continue;
            }
            let Some(first) = cmd.words.first() else {
                continue;
            };
            reported.push(family);
            let program = cmd.program().unwrap_or_default();
            let clean = match family {
                Family::Zypper => "clean --all",
                _ => "clean all",
            };
            let mut diag = Diagnostic::new(
                &RULE,
                word_span(run, first, sub),
                format!(
                    "`{program} {label}` without `{program} {clean}`: the package cache stays in the layer"
                ),
            );
            if let Some(fix) = fix(ctx, runs, r, cmd, family, &format!("{program} {clean}")) {
                diag = diag.with_fix(fix);
            }
            out.push(diag);
        }
    }
}

fn fix(
    ctx: &Context,
    runs: &[ShellRun],
    r: usize,
    cmd: &Command,
    family: Family,
    clean: &str,
) -> Option<Fix> {
    if cmd
        .words
        .iter()
        .any(|w| w.value.starts_with("--installroot"))
    {
        return None;
    }
    let run = runs.get(r)?;
    let at = append_offset(run)?;
    let later_uses_cache = later_runs(ctx, runs, r)
        .flat_map(|o| o.commands.iter())
        .any(|c| {
            Family::of(c.program().unwrap_or_default()) == Some(family) && family.cache_only(c)
                || c.program() != Some("rm")
                    && c.words
                        .iter()
                        .chain(&c.assignments)
                        .any(|w| family.cache_dirs().iter().any(|d| w.value.contains(d)))
        });
    // A later install of the family in a stage built on this one would download the metadata
    // again: the image is smaller, each build of that stage slower (Unsafe).
    let later_installs = later_runs(ctx, runs, r)
        .filter(|o| o.stage != run.stage)
        .flat_map(|o| o.commands.iter())
        .any(|c| install(c).is_some_and(|(f, _, _)| f == family));
    Some(Fix::new(
        format!("Add `{clean}`"),
        if tolerates_failure(run) || later_uses_cache || later_installs {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        vec![Edit::insert(at, appended(ctx, run, at, clean))],
    ))
}
