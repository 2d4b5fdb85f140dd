use crate::fix::{Applicability, Edit, Fix};
use crate::images::variants::{Variant, smaller_tag};
use crate::rules::build_tools_in_final_stage::build_package;
use crate::rules::common::{base_image_of, before_each_run, command_words, program, stage_chain};
use crate::rules::unpinned_base::BaseImage;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::syntax::{Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF211",
    name: "slim-base",
    aliases: &[],
    summary: "a full base image where a -slim variant exists",
    doc: "## What it does
Flags the base image of the final stage (the last `FROM`, the one that ships, or the stage it is
built on: `FROM base` after `FROM python:3.12 AS base`) when it is the full variant of an
official image that also comes as `-slim`:

| image | full | slim |
| --- | --- | --- |
| `python`, `pypy`, `ruby`, `rust`, `perl` | `3.12`, `3.12-bookworm`, `bookworm`, `latest` | `3.12-slim`, `3.12-slim-bookworm`, `slim-bookworm`, `slim` |
| `perl` (threaded) | `5.40-threaded`, `5.40-threaded-bookworm` | `5.40-slim-threaded`, `5.40-slim-threaded-bookworm` |
| `node` | `20`, `20-bookworm`, `lts`, `iron`, `latest` | `20-slim`, `20-bookworm-slim`, `lts-slim`, `iron-slim`, `slim` |
| `debian` | `bookworm`, `12`, `12.5`, `stable`, `bookworm-20240110` | `bookworm-slim`, `12-slim`, `12.5-slim`, `stable-slim`, `bookworm-20240110-slim` |
| `openjdk` | `11`, `11-jdk`, `8-jre`, `11-jdk-bullseye` | `11-slim`, `11-jdk-slim`, `8-jre-slim`, `11-jdk-slim-bullseye` |

A JDK `eclipse-temurin` image (`eclipse-temurin:17`, `17-jdk-jammy`) is flagged too: the
final stage of a Java application usually needs only the JRE (`17-jre`, `17-jre-jammy`).

The table was checked against every tag the official images have published: a tag is only
suggested where the slim tag exists (for example not `python:3.4.1`, `rust:1.22`, tags on
Debian `jessie`, nor pre-releases on a named Debian release). Also accepted: `docker.io/`,
`index.docker.io/`, `library/`, `mirror.gcr.io/` and `public.ecr.aws/docker/library/`, and a
tag that comes from a global `ARG` default. Not flagged: `-slim`, `alpine` and Windows tags,
images without a slim variant (`golang`, `php`, `buildpack-deps`, `ubuntu`), unknown images,
stages that only build (they do not ship), and a tag that only `--build-arg` sets.

Off by default: on 50 real projects, 1 of its 5 findings was right, and 3 of its fixes broke
the image or were not what the project wanted (a full variant shipped on purpose beside a
slim one, development images, a compose healthcheck that runs `curl`): whether an image may
go slim depends on what runs it, which the Dockerfile alone rarely says (`docs/precision.md`).
Enable it with `extend-select = [\"DF211\"]`.

## Why is this bad?
The full images are built on `buildpack-deps`: compilers, headers, version control and
hundreds of libraries a running application never uses, several hundred megabytes more to
pull, store and scan for vulnerabilities. The slim variants hold the runtime and what it needs.
Full `debian` adds documentation, manual pages and locales.

## Example
```dockerfile
FROM python:3.12
COPY . /app
CMD [\"python\", \"/app/main.py\"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
COPY . /app
CMD [\"python\", \"/app/main.py\"]
```

## Fix safety
Unsafe: the slim image lacks what the full one has, such as `gcc`, `make`, `git`, `curl`,
`wget`, `pkg-config` and library headers. A `pip install` of a package without a wheel for
the platform, an `npm install` of a native addon without a prebuilt binary, or a program that
calls one of those tools at run time fails on the slim image.

The fix rewrites the tag (`python:3.12-bookworm` to `python:3.12-slim-bookworm`), keeping the
registry and `--platform`. It is withheld, and the message says why, when a stage built on
that base (build stages included: they get the slim image too):
- runs `gcc`, `g++`, `cc`, `make`, `cmake`, `git`, `curl`, `wget`, `pkg-config`,
  `./configure` or `node-gyp` without installing it first with `apt-get`, or installs from a
  `git+` URL (`pip install git+https://...` runs `git`);
- installs `*-dev` headers with `apt-get` without installing `gcc` (they are there to compile
  with the full image's compilers: `pip install psycopg2` after `libpq-dev`);
- on `ruby` runs `bundle install` or `gem install`, on `perl` `cpanm` or `cpan`, on `rust`
  `cargo` (native gems, XS modules and `-sys` crates need compilers and headers);
- or has a `HEALTHCHECK`, `CMD` or `ENTRYPOINT` that calls `curl`, `wget` or `git`.

It is withheld too when the image is pinned by a digest (the digest names the full image),
when the tag comes from an `ARG` (another `--build-arg` may not have a slim variant), and
for `eclipse-temurin` (the JRE lacks `javac`, `jar` and `jlink`). For `debian` the tools are
not looked at: full and slim Debian have the same packages (slim leaves out documentation,
manual pages and most locales), so only what reads those files can tell the difference.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// Programs the full images have and the slim ones lack (`gcc` is in `rust:*-slim`, but the
/// others are not).
const TOOLS: &[&str] = &[
    "gcc",
    "g++",
    "cc",
    "c++",
    "make",
    "cmake",
    "git",
    "curl",
    "wget",
    "pkg-config",
    "node-gyp",
    "configure",
    "autoreconf",
];

/// What a run-time instruction (`HEALTHCHECK`, `CMD`, `ENTRYPOINT`) may call that the slim
/// image lacks.
const RUNTIME_TOOLS: &[&str] = &["curl", "wget", "git"];

/// The packages a RUN installs with `apt-get install` / `apt install` (every operand; options
/// are harmless here).
fn apt_installs(run: &ShellRun) -> Vec<String> {
    run.commands
        .iter()
        .filter(|c| {
            matches!(program(c), Some("apt-get" | "apt"))
                && command_words(c).iter().any(|w| w.value == "install")
        })
        .flat_map(|c| command_words(c).iter().map(|w| w.value.clone()))
        .collect()
}

/// Whether one of the installed packages provides the tool.
fn provides(installed: &[String], tool: &str) -> bool {
    installed.iter().any(|p| {
        p == tool
            || p == "build-essential" && matches!(tool, "gcc" | "g++" | "cc" | "c++" | "make")
            || p == "pkgconf" && tool == "pkg-config"
            || p.starts_with("gcc-") && matches!(tool, "gcc" | "cc")
            || p.starts_with("g++-") && matches!(tool, "g++" | "c++")
    })
}

/// Which of `TOOLS` the installed packages provide, a bit per tool.
fn provided(installed: &[String]) -> u64 {
    TOOLS
        .iter()
        .enumerate()
        .filter(|(_, t)| provides(installed, t))
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

/// Whether `mask` (from [`provided`]) has the tool.
fn has(mask: u64, tool: &str) -> bool {
    TOOLS
        .iter()
        .position(|t| *t == tool)
        .is_some_and(|i| mask & (1 << i) != 0)
}

const _: () = assert!(
    TOOLS.len() <= 64,
    "provided() keeps a bit per tool in a u64"
);

/// Why the fix is withheld: a tool the stages built on the base use that the slim image lacks.
fn needs_full_image(ctx: &Context, root: usize, image: &str) -> Option<String> {
    let on_base: Vec<usize> = (0..ctx.stages.len())
        .filter(|&s| stage_chain(ctx, s).contains(&root))
        .collect();
    let runs = ctx.shell_runs();
    // What each RUN's image got from apt before it, in one pass for the file.
    let before = before_each_run(ctx, runs, 0u64, |mask, run| {
        *mask |= provided(&apt_installs(run));
    });
    for (r, run) in runs.iter().enumerate() {
        if !on_base.contains(&run.stage) {
            continue;
        }
        // And what the RUN installs itself: close enough, the install comes first in
        // practice.
        let installed = before.get(r).copied().unwrap_or(0) | provided(&apt_installs(run));
        for commands in run.nested_commands() {
            for cmd in commands {
                let words = command_words(cmd);
                let Some(prog) = program(cmd) else {
                    continue;
                };
                // Headers are installed to compile against, with the full image's compilers.
                let dev = matches!(prog, "apt-get" | "apt")
                    .then(|| {
                        words
                            .iter()
                            .filter(|w| w.value.ends_with("-dev"))
                            .find_map(build_package)
                    })
                    .flatten()
                    .filter(|_| !has(installed, "gcc"));
                if let Some(dev) = dev {
                    return Some(format!(
                        "a stage built on it installs `{dev}`, headers to compile against with the compilers only the full image has"
                    ));
                }
                if TOOLS.contains(&prog) && !has(installed, prog) {
                    return Some(format!(
                        "a stage built on it runs `{prog}`, which the slim image lacks"
                    ));
                }
                // `pip install git+https://...` clones with `git`.
                if words.iter().any(|w| w.value.contains("git+")) && !has(installed, "git") {
                    return Some(
                        "a stage built on it installs from a `git+` URL, which needs `git`, which the slim image lacks"
                            .to_string(),
                    );
                }
                let native = match image {
                    "ruby" => {
                        matches!(prog, "bundle" | "bundler")
                            && words
                                .get(1)
                                .is_none_or(|w| w.value == "install" || w.value.starts_with('-'))
                            || prog == "gem" && words.iter().any(|w| w.value == "install")
                    }
                    "perl" => matches!(prog, "cpanm" | "cpan"),
                    "rust" => prog == "cargo",
                    // node-gyp builds native modules with python3, make and g++.
                    "node" => {
                        matches!(prog, "npm" | "yarn" | "pnpm")
                            && words.get(1).is_none_or(|w| {
                                matches!(w.value.as_str(), "install" | "ci" | "add" | "i")
                                    || w.value.starts_with('-')
                            })
                    }
                    _ => false,
                };
                if native {
                    let what = if matches!(image, "ruby" | "node") {
                        format!("{prog} install")
                    } else {
                        prog.to_string()
                    };
                    return Some(format!(
                        "a stage built on it runs `{what}`, which may build native code with compilers and headers the slim image lacks"
                    ));
                }
            }
        }
    }
    for &s in &on_base {
        for ins in ctx.stages.get(s).iter().flat_map(|s| &s.instructions) {
            if !matches!(ins.kind(), Kind::Healthcheck | Kind::Cmd | Kind::Entrypoint) {
                continue;
            }
            if let Some(tool) = ins
                .logical
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .find(|w| RUNTIME_TOOLS.contains(w))
            {
                return Some(format!(
                    "a `{}` calls `{tool}`, which the slim image lacks",
                    ins.kind().keyword()
                ));
            }
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A dev container is an editor's environment: the full image is what it wants.
    if ctx.doc.escape != '\\' || ctx.stages.len() < 2 || crate::rules::common::dev_container(ctx) {
        return;
    }
    let last = ctx.stages.len() - 1;
    let Some(base) = base_image_of(ctx, last) else {
        return;
    };
    let Ok(tag) = base.tag() else {
        return;
    };
    let reference = base.resolved.split('@').next().unwrap_or("");
    let name_part = match tag {
        Some(t) => &reference[..reference.len() - t.len() - 1],
        None => reference,
    };
    let Some(image) = base.official_name() else {
        return;
    };
    let Some(suggestion) = smaller_tag(&image, tag.unwrap_or("latest")) else {
        return;
    };
    let jre = suggestion.variant == Variant::Jre;
    let slim_ref = format!("{name_part}:{}", suggestion.tag);
    let what = if jre {
        format!(
            "{} is a JDK image; the final stage of a Java application usually needs only the JRE: `{slim_ref}`",
            base.describe()
        )
    } else if image == "debian" {
        format!(
            "{} is the full image, with documentation, manual pages and locales the application does not need; `{slim_ref}` is smaller",
            base.describe()
        )
    } else {
        format!(
            "{} is the full image, with compilers, headers and tools the application does not need at run time; `{slim_ref}` is much smaller",
            base.describe()
        )
    };
    let withheld = if jre {
        Some("the JRE lacks `javac`, `jar` and `jlink`".to_string())
    } else if base.digest_pinned() != Some(false) || base.resolved.contains('@') {
        // A digest, even a malformed one (`python@x`: found by fuzzing, the fix appended a
        // tag after it, again and again).
        Some("the digest pins the full image".to_string())
    } else if base.written.contains('$') {
        Some("the tag comes from an `ARG`".to_string())
    } else if base.resolved != base.written || ctx.doc.slice(base.span) != base.written {
        Some("the reference is quoted or escaped".to_string())
    } else if image == "debian" {
        // Full and slim Debian have the same packages; slim drops documentation and locales.
        None
    } else {
        needs_full_image(ctx, base.stage, &image)
    };
    let message = match &withheld {
        Some(why) if !jre => format!("{what} (no fix: {why})"),
        _ => what,
    };
    let mut diag = Diagnostic::new(&RULE, base.span, message);
    if withheld.is_none() {
        diag = diag.with_fix(make_fix(&base, tag, &suggestion.tag, &slim_ref));
    }
    out.push(diag);
}

/// Rewrites the tag of the image word (or adds one).
fn make_fix(base: &BaseImage, tag: Option<&str>, slim: &str, slim_ref: &str) -> Fix {
    let edit = match tag {
        Some(t) => Edit::replace(
            Span::new(base.span.end - t.len(), base.span.end),
            slim.to_string(),
        ),
        None => Edit::insert(base.span.end, format!(":{slim}")),
    };
    Fix::unsafe_(format!("Use `{slim_ref}`"), vec![edit])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings of a file: the message and whether a fix comes with it.
    fn findings(text: &str) -> Vec<(String, bool)> {
        let doc = crate::syntax::parse(text).unwrap();
        let ctx = Context::new(&doc);
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.into_iter()
            .map(|d| (d.message, d.fix.is_some()))
            .collect()
    }

    #[test]
    fn quiet() {
        for text in [
            "FROM python:3.12-slim\n",
            "FROM node:20-alpine\n",
            "FROM ghcr.io/acme/python:3.12\n",
            "FROM golang:1.22\n",
            "FROM php:8.3-apache\n",
            "FROM python:3.12 AS build\nFROM scratch\n",
            "FROM python:3.12 AS build\nFROM python:3.12-slim\n",
            "FROM python:3.12 AS build\nFROM build AS test\nFROM alpine:3.20\n",
            "FROM $IMAGE\n",
            "ARG TAG\nFROM node:${TAG}\n",
            "# escape=`\nFROM python:3.12-windowsservercore\n",
        ] {
            assert_eq!(findings(text), [], "{text}");
        }
    }

    #[test]
    fn fixes_and_withheld_fixes() {
        let fix = |text: &str| findings(text).first().map(|(_, fix)| *fix);
        assert_eq!(fix("FROM python\n"), Some(true));
        assert_eq!(fix("FROM library/node:lts\n"), Some(true));
        assert_eq!(
            fix("FROM python:3.12 AS base\nFROM base\nCMD [\"python\"]\n"),
            Some(true)
        );
        assert_eq!(
            fix(
                "FROM python:3.12\nRUN apt-get update && apt-get install -y libpq-dev && pip install psycopg2\n"
            ),
            Some(false)
        );
        assert_eq!(
            fix("FROM python:3.12\nRUN apt-get install -y gcc libpq-dev && pip install psycopg2\n"),
            Some(true)
        );
        assert_eq!(
            fix("FROM rust:1.80\nRUN cargo build --release\n"),
            Some(false)
        );
        assert_eq!(
            fix("FROM python:3.12\nRUN pip install git+https://github.com/a/b.git\n"),
            Some(false)
        );
        assert_eq!(
            fix("FROM perl:5.40\nRUN cpanm -n Mojolicious\n"),
            Some(false)
        );
        assert_eq!(fix("FROM node:20\nCMD wget -qO- http://x\n"), Some(false));
        // Debian's full and slim images have the same programs.
        assert_eq!(
            fix("FROM debian:bookworm\nRUN curl -sSf http://x\n"),
            Some(true)
        );
        assert_eq!(fix("FROM \"python:3.12\"\n"), Some(false));
    }
}
