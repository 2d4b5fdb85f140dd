use super::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::fix::{Applicability, Edit, Fix};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Separator, Word};
use crate::syntax::{Args, Instruction, Kind};

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
The fix appends ` && rm -rf /var/lib/apt/lists/*` after the last command of the RUN. Where the
stage is not built on the official `debian` or `ubuntu` images (which carry Debian's
`docker-clean` apt hook that already deletes downloaded `.deb` files), or where an earlier
instruction mentions that hook (removes it), it appends
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
    for run in &runs {
        if mounts_over(run.ins, "/var/lib/apt/lists") {
            continue;
        }
        let body = run.rest.slice(&run.ins.logical);
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
        if run.commands[last_apt + 1..].iter().any(|c| {
            removes_lists(c, body) || apt_command(c).is_some_and(|a| a.sub.value == "dist-clean")
        }) {
            continue;
        }
        let span = run.ins.to_source(crate::syntax::Span::new(
            run.rest.start + apt.word.span.start,
            run.rest.start + apt.sub.span.end,
        ));
        let mut diag = Diagnostic::new(
            &RULE,
            span,
            format!(
                "`{} {}` without removing /var/lib/apt/lists: the package lists stay in the layer",
                apt.program, apt.sub.value
            ),
        );
        if let Some(fix) = fix(ctx, &runs, run, body) {
            diag = diag.with_fix(fix);
        }
        out.push(diag);
    }
}

fn fix(ctx: &Context, runs: &[ShellRun], run: &ShellRun, body: &str) -> Option<Fix> {
    if !run.ins.heredocs.is_empty() || later_run_needs_lists(ctx, runs, run) {
        return None;
    }
    let at = insertion_point(body, run.commands.last()?)?;
    let clean = !docker_clean_base(ctx, run)
        && !run.has_cache_mount("/var/cache/apt")
        && !run.commands.iter().any(|c| {
            apt_command(c).is_some_and(|a| {
                matches!(a.sub.value.as_str(), "clean" | "autoclean" | "dist-clean")
            })
        });
    let (title, text) = if clean {
        (
            "Add `apt-get clean && rm -rf /var/lib/apt/lists/*`",
            " && apt-get clean && rm -rf /var/lib/apt/lists/*",
        )
    } else {
        (
            "Add `rm -rf /var/lib/apt/lists/*`",
            " && rm -rf /var/lib/apt/lists/*",
        )
    };
    let tolerant = body.contains("||")
        || run
            .commands
            .iter()
            .any(|c| c.separator == Separator::Background);
    Some(Fix::new(
        title,
        if tolerant {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        vec![Edit::insert(
            run.ins.source_offset_end(run.rest.start + at),
            text,
        )],
    ))
}

/// Where ` && cleanup` goes in the body: after the last word, or after the `)`/`}` that close
/// the body. `None` when something else follows the last word (a redirection, `&`).
fn insertion_point(body: &str, last: &Command) -> Option<usize> {
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

/// `rm` (or `find ... -delete`) of the lists folder, its contents, or `/var/lib/apt`.
fn removes_lists(cmd: &Command, body: &str) -> bool {
    const PATHS: &[&str] = &[
        "/var/lib/apt/lists/*",
        "/var/lib/apt/lists",
        "/var/lib/apt/lists/",
        "/var/lib/apt/*",
        "/var/lib/apt",
        "/var/lib/apt/",
    ];
    let names_lists = |w: &Word| {
        PATHS.contains(&w.value.as_str())
            // A quoted `*` is not a glob: `rm -rf '/var/lib/apt/lists/*'` removes nothing.
            && (!w.value.ends_with('*') || w.span.slice(body).ends_with('*'))
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

/// Whether a later RUN of the stage, or of a stage built on it, reads the package lists before
/// it updates them: then deleting them here would break it.
fn later_run_needs_lists(ctx: &Context, runs: &[ShellRun], run: &ShellRun) -> bool {
    let later = ctx
        .stages
        .iter()
        .enumerate()
        .filter(|&(i, _)| i > run.stage && stage_chain(ctx, i).contains(&run.stage))
        .flat_map(|(_, s)| s.instructions.iter())
        .chain(
            ctx.stages[run.stage]
                .instructions
                .iter()
                .skip_while(|i| !std::ptr::eq(**i, run.ins))
                .skip(1),
        );
    for ins in later {
        let mentions_apt = |text: &str| {
            ["apt-get", "apt ", "aptitude", "apt-cache"]
                .iter()
                .any(|p| text.contains(p))
        };
        match (ins.kind(), runs.iter().find(|r| std::ptr::eq(r.ins, *ins))) {
            (Kind::Run, Some(r)) => {
                if mounts_over(r.ins, "/var/lib/apt/lists") {
                    continue;
                }
                // Heredoc bodies run after the commands of the RUN line (when they are scripts).
                let mut commands = r.commands.clone();
                for h in &ins.heredocs {
                    let body = ctx.doc.slice(h.body);
                    match crate::shell::commands(body) {
                        Some(more) => commands.extend(more),
                        None if mentions_apt(body) => return true,
                        None => {}
                    }
                }
                if reads_lists_before_update(&commands) {
                    return true;
                }
            }
            // Exec form, another shell, a body the lexer cannot read, ONBUILD triggers.
            (Kind::Run | Kind::Onbuild, _) if mentions_apt(ctx.doc.slice(ins.span)) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Whether a command list uses the package lists before any `apt-get update`.
fn reads_lists_before_update(commands: &[Command]) -> bool {
    for cmd in commands {
        if let Some(apt) = apt_command(cmd) {
            match apt.sub.value.as_str() {
                "update" => return false,
                // `apt-get install --update` updates first.
                _ if cmd.words.iter().any(|w| w.value == "--update") => return false,
                s if USES_INDEX.contains(&s) => return true,
                _ => {}
            }
        } else if wraps_apt(cmd) {
            return true;
        }
    }
    false
}

// Helpers shared by the apt rules (DF104, DF202, DF203, DF205).

/// apt-get and apt subcommands that read the package lists.
pub(super) const USES_INDEX: &[&str] = &[
    "install",
    "reinstall",
    "build-dep",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "source",
    "download",
    "satisfy",
    "list",
    "search",
    "show",
    "showsrc",
    "policy",
    "depends",
    "rdepends",
    "changelog",
];

/// apt-get/apt options that take the next word as their value.
const APT_TAKES_VALUE: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "-a",
    "-S",
    "--option",
    "--config-file",
    "--target-release",
    "--default-release",
    "--host-architecture",
    "--snapshot",
];

/// An `apt-get` or `apt` command.
pub(super) struct Apt<'c> {
    /// The program word (`apt-get`, `/usr/bin/apt`).
    pub word: &'c Word,
    /// `apt-get` or `apt`.
    pub program: &'c str,
    /// The subcommand word (options and their values skipped).
    pub sub: &'c Word,
}

/// The words of a command after the shell's reserved words that may lead it (`then apt-get
/// install ...` is lexed as one command).
pub(super) fn command_words(cmd: &Command) -> &[Word] {
    let n = cmd
        .words
        .iter()
        .take_while(|w| {
            !w.complex
                && matches!(
                    w.value.as_str(),
                    "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "time"
                )
        })
        .count();
    &cmd.words[n..]
}

/// The program name of a command, without a directory, after leading reserved words.
pub(super) fn program(cmd: &Command) -> Option<&str> {
    let w = command_words(cmd).first()?;
    w.value.rsplit('/').next()
}

/// An `apt-get` or `apt` command. `None` for other programs and for a quoted or expanded
/// subcommand.
pub(super) fn apt_command(cmd: &Command) -> Option<Apt<'_>> {
    let words = command_words(cmd);
    let program = program(cmd)?;
    if program != "apt-get" && program != "apt" {
        return None;
    }
    let mut rest = words.iter().skip(1);
    while let Some(w) = rest.next() {
        if w.value.starts_with('-') {
            if APT_TAKES_VALUE.contains(&w.value.as_str()) {
                rest.next();
            }
            continue;
        }
        return (!w.complex).then_some(Apt {
            word: &words[0],
            program,
            sub: w,
        });
    }
    None
}

/// A command that runs an apt tool as an argument (`xargs apt-get install`, `sudo apt ...`,
/// `eatmydata apt-get ...`, `sh -c 'apt-get ...'`), or is `aptitude`/`apt-cache` itself.
/// `echo` and `printf` only print.
pub(super) fn wraps_apt(cmd: &Command) -> bool {
    if matches!(program(cmd), Some("echo" | "printf")) {
        return false;
    }
    command_words(cmd).iter().enumerate().any(|(i, w)| {
        let name = w.value.rsplit('/').next().unwrap_or("");
        matches!(name, "aptitude" | "apt-cache")
            || i > 0
                && (matches!(name, "apt-get" | "apt")
                    || ["apt-get ", "apt ", "aptitude "]
                        .iter()
                        .any(|p| w.value.contains(p)))
    })
}

/// Whether a `--mount` of the RUN (any type) covers `path`, or a folder inside it, so that what
/// the RUN writes there stays out of the layer.
pub(super) fn mounts_over(ins: &Instruction, path: &str) -> bool {
    ins.node.flags.iter().any(|f| {
        f.name() == "mount"
            && f.value().is_some_and(|v| {
                v.split(',').any(|kv| {
                    kv.strip_prefix("target=")
                        .or_else(|| kv.strip_prefix("dst="))
                        .or_else(|| kv.strip_prefix("destination="))
                        .is_some_and(|t| {
                            let t = t.trim_end_matches('/');
                            t.starts_with(path)
                                || path.starts_with(t)
                                    && path.as_bytes().get(t.len()) == Some(&b'/')
                        })
                })
            })
    })
}

/// The stage's name (`FROM image AS name`), lower-cased.
fn stage_name(ctx: &Context, stage: usize) -> Option<String> {
    let from = ctx.stages.get(stage)?.from?;
    let Args::Words(words) = &from.node.args else {
        return None;
    };
    (words.len() == 3 && words[1].slice(&from.logical).eq_ignore_ascii_case("as"))
        .then(|| words[2].slice(&from.logical).to_ascii_lowercase())
}

/// The image a stage's FROM names.
fn from_image<'a>(ctx: &Context<'a>, stage: usize) -> Option<&'a str> {
    let from = ctx.stages.get(stage)?.from?;
    let Args::Words(words) = &from.node.args else {
        return None;
    };
    Some(words.first()?.slice(&from.logical))
}

/// The stage and the earlier stages it builds on (`FROM build AS test`), nearest first.
pub(super) fn stage_chain(ctx: &Context, stage: usize) -> Vec<usize> {
    let mut chain = vec![stage];
    let mut current = stage;
    while let Some(image) = from_image(ctx, current) {
        let parent = (1..current)
            .rev()
            .find(|&i| stage_name(ctx, i).is_some_and(|n| n.eq_ignore_ascii_case(image)));
        match parent {
            Some(p) => {
                chain.push(p);
                current = p;
            }
            None => break,
        }
    }
    chain
}

/// The text of every instruction the RUN's stage ran before it, its parent stages included.
pub(super) fn texts_before<'a>(ctx: &'a Context, run: &ShellRun) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (n, stage) in stage_chain(ctx, run.stage).into_iter().enumerate() {
        let instructions = ctx.stages[stage].instructions.iter();
        let before: Vec<_> = if n == 0 {
            instructions
                .take_while(|i| !std::ptr::eq(**i, run.ins))
                .collect()
        } else {
            instructions.collect()
        };
        out.extend(before.into_iter().map(|i| ctx.doc.slice(i.span)));
    }
    out
}

/// Whether the RUN's stage is built on the official `debian` or `ubuntu` image (any tag or
/// digest), directly or through earlier stages, and nothing before (or in) the RUN mentions
/// removing its hook: those images carry Debian's `docker-clean` apt hook, which deletes
/// downloaded `.deb` files after every install.
pub(super) fn docker_clean_base(ctx: &Context, run: &ShellRun) -> bool {
    if texts_before(ctx, run)
        .into_iter()
        .chain([ctx.doc.slice(run.ins.span)])
        .any(|t| t.contains("docker-clean"))
    {
        return false;
    }
    let Some(&root) = stage_chain(ctx, run.stage).last() else {
        return false;
    };
    let Some(image) = from_image(ctx, root) else {
        return false;
    };
    let image = image.to_ascii_lowercase();
    let name = image.split('@').next().unwrap_or("");
    let name = name.split(':').next().unwrap_or("");
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    // `library/debian`, and the per-architecture copies of the official images (`arm64v8/debian`).
    let name = name
        .split_once('/')
        .filter(|(namespace, _)| {
            matches!(
                *namespace,
                "library"
                    | "amd64"
                    | "arm32v5"
                    | "arm32v6"
                    | "arm32v7"
                    | "arm64v8"
                    | "i386"
                    | "mips64le"
                    | "ppc64le"
                    | "riscv64"
                    | "s390x"
            )
        })
        .map_or(name, |(_, rest)| rest);
    matches!(name, "debian" | "ubuntu")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{LintOptions, check_with};

    fn df202(text: &str, cache_strategy: CacheStrategy) -> Vec<Diagnostic> {
        let doc = crate::syntax::parse(text).unwrap();
        check_with(&doc, &|r| r.code == "DF202", LintOptions { cache_strategy })
    }

    #[test]
    fn quiet_under_the_mount_strategy() {
        let text = "FROM debian\nRUN apt-get update && apt-get install -y curl\n";
        assert_eq!(df202(text, CacheStrategy::Clean).len(), 1);
        assert!(df202(text, CacheStrategy::Mount).is_empty());
    }

    #[test]
    fn insertion_points() {
        fn at(body: &str) -> Option<&str> {
            let cmds = crate::shell::commands(body).unwrap();
            insertion_point(body, cmds.last().unwrap()).map(|i| &body[..i])
        }
        assert_eq!(at("a && b # c"), Some("a && b"));
        assert_eq!(at("a; b;"), Some("a; b"));
        assert_eq!(at("{ a; b; } "), Some("{ a; b; }"));
        assert_eq!(at("(a && b)"), Some("(a && b)"));
        assert_eq!(at("a > /dev/null"), None);
        assert_eq!(at("a 2>&1"), None);
        assert_eq!(at("a &"), None);
    }

    #[test]
    fn official_bases() {
        let base = |from: &str| {
            let text = format!("FROM {from}\nRUN apt-get install -y x\n");
            let doc = crate::syntax::parse(&text).unwrap();
            let ctx = Context::new(&doc);
            let runs = ctx.shell_runs();
            docker_clean_base(&ctx, &runs[0])
        };
        for yes in [
            "debian",
            "debian:bookworm-slim",
            "ubuntu:24.04@sha256:abc",
            "library/ubuntu",
            "docker.io/library/debian:12",
            "arm64v8/debian:12 AS x",
        ] {
            assert!(base(yes), "{yes}");
        }
        for no in [
            "python:3.12",
            "registry:5000/debian",
            "ghcr.io/x/debian",
            "$BASE",
            "debian-custom",
        ] {
            assert!(!base(no), "{no}");
        }
    }
}
