use crate::rules::common::{command_words, program, stage_chain, word_span};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Grammar, Rule, Severity, ShellRun, programs,
};
use crate::shell::{Command, Word};
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "DF212",
    name: "build-tools-in-final-stage",
    aliases: &[],
    summary: "compilers, -dev packages or build steps in the shipped stage",
    doc: "## What it does
Flags the final stage (the last `FROM`, and the stages it is built on: `FROM base`) when it
installs compilers or development packages, once per stage, at the first install:
- `apt-get install` / `apt install` of `build-essential`, `gcc`, `g++` (`gcc-12`...), `clang`,
  `make`, `cmake`, `autoconf`, `automake`, `libtool`, `pkg-config`, `gfortran`, `dpkg-dev`,
  `linux-headers-*` or a `*-dev` package (`libpq-dev`, `python3-dev`);
- `apk add` of `build-base`, `gcc`, `g++`, `clang`, `make`, `cmake`, `musl-dev`,
  `linux-headers`, `autoconf`, `automake`, `libtool`, `pkgconf` or a `*-dev` package;
- `yum` / `dnf` / `microdnf` / `zypper install` of `gcc`, `gcc-c++`, `make`, `cmake`,
  `autoconf`, `automake`, `libtool`, a `*-devel` package or the `Development Tools` group.

In a file with a single stage it also flags build steps: `go build`, `go install`,
`cargo build`, `cargo install`, `mvn package` (`install`, `verify`, `./mvnw`), `gradle build`
(`assemble`, `bootJar`, `./gradlew`), `npm run build` (`yarn build`, `pnpm build`),
`dotnet build` / `publish`, `make`, `cmake` and direct `gcc`, `g++`, `cc`, `clang` or `javac`
calls.

Not flagged: packages removed again in the same RUN (`apt-get purge -y --auto-remove gcc`,
`apt-mark auto` then `apt-get purge --auto-remove`, `apk add --virtual .build-deps ...` then
`apk del .build-deps`, `yum remove`, the removal of a computed list such as `$buildDeps` or
`$(diff ...)`, `dnf history undo`), and build steps in a RUN that removes packages that way
(the official images build from source like that); stages that only build (they do not ship);
packages named by a variable (`$buildDeps`).

Off by default: on real projects most findings were images whose job is building (builder
and base images in files of their own, firmware compilers, CI lint targets), which a
Dockerfile alone does not tell apart (docs/precision.md). Enable it with
`extend-select = [\"DF212\"]`.

## Why is this bad?
Compilers, headers and build tools are hundreds of megabytes the running application never
uses. They make the image slower to pull and start, and every one of them is attack surface
and a source of vulnerability reports. A multi-stage build compiles in one stage and copies
only the result into a small final stage.

## Example
```dockerfile
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
```
Use instead:
```dockerfile
FROM python:3.12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
```

## Fix safety
No fix: which files the application needs at run time (binaries, wheels, shared libraries
such as `libpq5` for `libpq-dev`) is for a person to decide.
",
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

/// Build tools by exact package name (apt, apk and the RPM family).
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "gcc-c++",
    "clang",
    "make",
    "cmake",
    "autoconf",
    "automake",
    "libtool",
    "pkg-config",
    "pkgconf",
    "pkgconfig",
    "gfortran",
    "dpkg-dev",
    "musl-dev",
    "linux-headers",
    "kernel-headers",
];

/// Whether a package name (as written, perhaps with `=version` or `:arch`) is a build tool.
pub(in crate::rules) fn build_package(word: &Word) -> Option<&str> {
    if word.value.starts_with('-') || word.value.contains(['$', '`']) {
        return None;
    }
    let lower = word.value.to_ascii_lowercase();
    // `yum groupinstall "Development Tools"`, `dnf install @development-tools`.
    if lower.contains("development") && (lower.starts_with('@') || lower.contains(' ')) {
        return Some(word.value.as_str());
    }
    let name = word.value.split(['=', ':']).next().unwrap_or("");
    let name = name.trim_end_matches('*');
    // `gcc-12`, `g++-12`, `clang-16`: versioned compilers.
    let versioned = ["gcc-", "g++-", "clang-", "cpp-"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
    });
    let tool = BUILD_PACKAGES.contains(&name.to_ascii_lowercase().as_str())
        || versioned
        || name.starts_with("linux-headers-")
        || (name.ends_with("-dev") && name.len() > 4)
        || (name.ends_with("-devel") && name.len() > 6);
    tool.then_some(name)
}

/// A package manager's install command: its program word and the package words.
struct Install<'c> {
    program: &'c Word,
    packages: Vec<&'c Word>,
    /// `apk add --virtual NAME`: the virtual package the packages are grouped under.
    virtual_name: Option<&'c str>,
}

/// The package managers whose installs and removals this rule reads.
const MANAGERS: &[&Grammar] = &[
    &programs::APT,
    &programs::APK,
    &programs::DNF,
    &programs::ZYPPER,
];

fn manager(cmd: &Command) -> Option<Call<'_>> {
    Call::read(cmd).filter(|c| MANAGERS.iter().any(|g| c.is(g)))
}

/// The packages a command installs, when it is an install command.
fn install(cmd: &Command) -> Option<Install<'_>> {
    let call = manager(cmd)?;
    let first = call.program_word()?;
    let sub = call.subcommand()?;
    if call.is(&programs::APT) {
        return (sub == "install").then(|| Install {
            program: first,
            packages: call.operands().collect(),
            virtual_name: None,
        });
    }
    if call.is(&programs::APK) {
        return (sub == "add").then(|| Install {
            program: first,
            packages: call.operands().collect(),
            virtual_name: call.value("--virtual").or_else(|| call.value("-t")),
        });
    }
    let packages: Vec<&Word> = match sub {
        "install" | "in" => call.operands().collect(),
        // `yum groupinstall "Development Tools"`, `dnf group install ...`.
        "groupinstall" => call.operands().collect(),
        "group" if call.operands().next().is_some_and(|w| w.value == "install") => {
            call.operands_from(1).collect()
        }
        _ => return None,
    };
    let group = sub != "install" && sub != "in";
    let packages = if group {
        packages
            .into_iter()
            .filter(|w| {
                let v = w.value.to_ascii_lowercase();
                v.contains("development") || v == "c-development"
            })
            .collect()
    } else {
        packages
    };
    Some(Install {
        program: first,
        packages,
        virtual_name: None,
    })
}

/// What a removal command removes: package names, whether it removes every package marked
/// automatic (`apt-get purge --auto-remove`, `apt-get autoremove`), and whether it may remove
/// anything (a computed list, `dnf history undo`).
struct Removal {
    names: Vec<String>,
    auto: bool,
    all: bool,
}

fn removal(cmd: &Command) -> Option<Removal> {
    let call = manager(cmd)?;
    let sub = call.subcommand()?;
    let removes = if call.is(&programs::APT) {
        matches!(sub, "purge" | "remove" | "autoremove")
    } else if call.is(&programs::APK) {
        sub == "del"
    } else {
        // `dnf history undo last`: everything the last transaction installed.
        if sub == "history" && call.operands().next().is_some_and(|w| w.value == "undo") {
            return Some(Removal {
                names: Vec::new(),
                auto: false,
                all: true,
            });
        }
        matches!(sub, "remove" | "erase" | "autoremove" | "rm")
    };
    if !removes {
        return None;
    }
    let names: Vec<String> = call.operands().map(|w| w.value.clone()).collect();
    Some(Removal {
        // A computed list (`$buildDeps`, `$(diff before after)`) is taken to remove them all.
        all: names.iter().any(|n| n.contains(['$', '`'])),
        auto: sub == "autoremove" || call.has_any(&["--auto-remove", "--autoremove"]),
        names,
    })
}

/// The build tools a RUN installs and does not remove again, with the span of the first.
fn installed_tools(run: &ShellRun) -> Vec<(String, Span)> {
    let cmds = &run.commands;
    // `apt-mark auto` makes every package removable by an `--auto-remove`.
    // (`apt-mark auto '.*'`, `apt-mark showmanual | xargs apt-mark auto`).
    let marks_auto = cmds.iter().any(|c| {
        command_words(c)
            .windows(2)
            .any(|w| matches!(w, [p, a] if p.value.rsplit('/').next() == Some("apt-mark") && a.value == "auto"))
    });
    let mut out = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let Some(inst) = install(cmd) else {
            continue;
        };
        let removals: Vec<Removal> = cmds.iter().skip(i + 1).filter_map(removal).collect();
        let removed = |name: &str| {
            removals.iter().any(|r| {
                r.names
                    .iter()
                    .any(|n| n == name || inst.virtual_name.is_some_and(|v| v == n))
                    || r.all
                    || (r.auto && marks_auto)
            })
        };
        for w in &inst.packages {
            if let Some(name) = build_package(w)
                && !removed(&w.value)
                && !removed(name)
            {
                out.push((name.to_string(), word_span(run, inst.program, w)));
            }
        }
    }
    out
}

/// A build step of a command: its description and span.
fn build_step(run: &ShellRun, cmd: &Command) -> Option<(String, Span)> {
    let words = command_words(cmd);
    let prog = program(cmd)?;
    // `javac --version`, `gcc -v`: a smoke test, not a build.
    if words.iter().skip(1).any(|w| {
        matches!(
            w.value.as_str(),
            "--version" | "-version" | "-v" | "-V" | "version"
        )
    }) {
        return None;
    }
    let arg = |i: usize| words.get(i).map(|w| w.value.as_str());
    let first_operand = words
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, w)| !w.value.starts_with('-'));
    let sub = first_operand.map(|(_, w)| w.value.as_str());
    let step = |last: usize| -> Option<(String, Span)> {
        let shown = words.get(..=last).unwrap_or(words);
        let text = shown
            .iter()
            .map(|w| w.value.rsplit('/').next().unwrap_or(&w.value).to_string())
            .collect::<Vec<_>>()
            .join(" ");
        Some((text, word_span(run, shown.first()?, shown.last()?)))
    };
    let sub_at = first_operand.map_or(0, |(i, _)| i);
    match prog {
        "go" if matches!(sub, Some("build" | "install")) => step(sub_at),
        "cargo" if matches!(sub, Some("build" | "install")) => step(sub_at),
        "mvn" | "mvnw" => {
            let goal = words.iter().position(|w| {
                matches!(
                    w.value.as_str(),
                    "package" | "install" | "verify" | "compile"
                )
            })?;
            step(goal)
        }
        "gradle" | "gradlew" => {
            let task = words.iter().position(|w| {
                matches!(
                    w.value.as_str(),
                    "build" | "assemble" | "bootJar" | "jar" | "shadowJar" | "installDist" | "war"
                )
            })?;
            step(task)
        }
        "npm" | "yarn" | "pnpm" => {
            let (i, script) = match sub {
                Some("run" | "run-script") => (sub_at + 1, arg(sub_at + 1)?),
                Some(s) if prog != "npm" => (sub_at, s),
                _ => return None,
            };
            (script == "build" || script.starts_with("build:")).then(|| step(i))?
        }
        "dotnet" if matches!(sub, Some("build" | "publish")) => step(sub_at),
        "make" | "cmake" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "javac" => step(0),
        _ => None,
    }
}

/// Whether a RUN removes packages (build dependencies, in the official images' pattern).
fn removes_packages(run: &ShellRun) -> bool {
    run.commands.iter().any(|c| removal(c).is_some())
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A dev container is meant to have its build tools.
    if ctx.doc.escape != '\\' || ctx.stages.len() < 2 || crate::rules::common::dev_container(ctx) {
        return;
    }
    let last = ctx.stages.len() - 1;
    let single_stage = ctx.stages.len() == 2;
    let mut chain = stage_chain(ctx, last);
    chain.sort();
    for stage in chain {
        let mut tools: Vec<(String, Span)> = Vec::new();
        let mut steps: Vec<(String, Span)> = Vec::new();
        for run in ctx.shell_runs().iter().filter(|r| r.stage == stage) {
            tools.extend(installed_tools(run));
            if single_stage && !removes_packages(run) {
                steps.extend(run.commands.iter().filter_map(|c| build_step(run, c)));
            }
        }
        let Some(span) = tools
            .iter()
            .chain(&steps)
            .map(|(_, s)| *s)
            .min_by_key(|s| s.start)
        else {
            continue;
        };
        let list = |items: &[(String, Span)]| {
            let mut names: Vec<&str> = Vec::new();
            for (n, _) in items {
                if !names.contains(&n.as_str()) {
                    names.push(n);
                }
            }
            let more = names.len().saturating_sub(4);
            let mut text = names
                .iter()
                .take(4)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
            text
        };
        let what = match (tools.is_empty(), steps.is_empty()) {
            (false, true) => format!(
                "installs build tools ({}), which ship in the image",
                list(&tools)
            ),
            (true, false) => format!(
                "builds ({}), so the toolchain and the sources ship in the image",
                list(&steps)
            ),
            _ => format!(
                "installs build tools ({}) and builds ({}): tools and sources ship in the image",
                list(&tools),
                list(&steps)
            ),
        };
        let which = if stage == last {
            "The final stage"
        } else {
            "A stage the final stage is built on"
        };
        out.push(Diagnostic::new(
            &RULE,
            span,
            format!(
                "{which} {what}; build in a separate stage and `COPY --from` only the artifacts into a slim final stage"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        let doc = crate::syntax::parse(text).unwrap();
        let ctx = Context::new(&doc);
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn packages() {
        let w = |v: &str| Word {
            span: Span::new(0, 0),
            value: v.into(),
            complex: false,
        };
        for p in [
            "gcc",
            "gcc-12",
            "g++-13",
            "libpq-dev",
            "libssl-dev:amd64",
            "openssl-devel",
        ] {
            assert!(build_package(&w(p)).is_some(), "{p}");
        }
        for p in [
            "gcc-doc",
            "libpq5",
            "curl",
            "-dev",
            "$DEPS",
            "--no-cache",
            "devscripts",
        ] {
            assert!(build_package(&w(p)).is_none(), "{p}");
        }
    }

    #[test]
    fn removed_in_the_same_run_is_quiet() {
        assert!(messages(
            "FROM debian:12\nRUN apt-get update && apt-get install -y gcc && make && apt-get purge -y --auto-remove gcc\n"
        )
        .is_empty());
        assert!(messages(
            "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && make && apk del .build-deps\n"
        )
        .is_empty());
        assert!(messages(
            "FROM debian:12\nRUN set -eux; savedAptMark=\"$(apt-mark showmanual)\"; apt-get install -y gcc libc6-dev; \
             apt-mark auto '.*' > /dev/null; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false\n"
        )
        .is_empty());
        assert!(
            messages(
                "FROM debian:12\nRUN apt-get install -y build-essential && make && apt-get remove --purge -y $(diff /a /b | awk '{print $2}')\n"
            )
            .is_empty()
        );
        // Removed in a later RUN: the layer keeps them.
        assert_eq!(
            messages("FROM alpine:3.20\nRUN apk add -t .b gcc\nRUN apk del .b\n").len(),
            1
        );
    }

    #[test]
    fn build_steps_only_in_single_stage_files() {
        assert_eq!(
            messages("FROM golang:1.22\nRUN go build -o /app .\n"),
            [
                "The final stage builds (`go build`), so the toolchain and the sources ship in the image; build in a separate stage and `COPY --from` only the artifacts into a slim final stage"
            ]
        );
        assert!(
            messages("FROM golang:1.22 AS b\nFROM golang:1.22\nRUN go build -o /app .\n")
                .is_empty()
        );
        assert!(
            messages("FROM golang:1.22 AS b\nRUN apt-get install -y gcc\nFROM alpine\n").is_empty()
        );
    }
}
