use crate::fix::{Applicability, Edit, Fix};
use crate::images::family::Family;
use crate::rules::common::{base_image_of, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, programs};

pub static RULE: Rule = Rule {
    code: "DF309",
    name: "wget-progress",
    aliases: &["DL3047"],
    summary: "`wget` without `--progress` or `-q`: huge build logs",
    doc: "## What it does
Flags `wget` without an option that tames its progress output: `--progress=...`, `-q`/`--quiet`,
`-nv`/`--no-verbose`, or `-o`/`-a` (log to a file), as hadolint's DL3047 does.

Not flagged on Alpine and busybox bases, including images the rule does not know whose tag or
name says `alpine` (unless the stage installs GNU wget with `apk add wget`): busybox's wget
redraws a single progress line at most once a second, which is the flood hadolint's rule is
about.

Off by default (on in hadolint, at info level): how much a progress bar writes depends on the
size of the download, which the file does not show. On the real-project review set
(`docs/precision.md`, v5) 15 of its 19 findings were small files (keys, signatures, a 3 MB
tarball) whose progress output is a few dozen lines. Enable it with `select = [\"DF309\"]`.

## Why is this bad?
Without a terminal, GNU wget prints a progress line per few kilobytes: downloading a large file
writes megabytes into the build log, which CI systems truncate or choke on.

## Example
```dockerfile
RUN wget https://example.com/big.tar.gz
```
Use instead:
```dockerfile
RUN wget --progress=dot:giga https://example.com/big.tar.gz
```

## Fix safety
Safe: `--progress=dot:giga` is added after `wget`. It changes what wget prints, never what it
downloads, so the image is the same. Offered only when the stage's base image is a Debian,
Red Hat, SUSE, Photon or Arch one (GNU wget) as written: busybox's wget does not know the
option, so a base named through a build argument (`FROM ${BASE}`, `python:${TAG}`), which a
`--build-arg` may turn into an Alpine one, gets no fix.
",
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (run, i, call) in ctx.calls(&programs::WGET) {
        if call.has_any(&[
            "--progress",
            "-q",
            "--quiet",
            "--no-verbose",
            "-o",
            "--output-file",
            "-a",
            "--append-output",
        ]) {
            continue;
        }
        let Some(cmd) = run.commands.get(i) else {
            continue;
        };
        // `-nv` is a two-letter short option.
        if cmd.words.iter().any(|w| w.value == "-nv") {
            continue;
        }
        let Some(program) = call.program_word() else {
            continue;
        };
        let base = base_image_of(ctx, run.stage);
        let family = base.as_ref().and_then(|b| {
            let name = crate::images::official_name(b.name()?);
            let tag = b.tag().ok().flatten().unwrap_or("latest");
            Some(crate::images::family::distro(&name, tag)?.family)
        });
        // The Safe fix trusts only a base no `--build-arg` can change: `FROM $BASE` with a
        // Debian default may be built on Alpine, whose busybox wget rejects the option.
        let literal = base.as_ref().is_some_and(|b| !b.written.contains('$'));
        // busybox's wget (Alpine's unless GNU wget is installed) redraws one line at most once a
        // second: no flood to tame.
        // An image the knowledge base does not know is taken for Alpine when its tag or name
        // says so (`mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine3.20`, `easypi/alpine-arm`).
        let alpine_named = family.is_none()
            && base.as_ref().is_some_and(|b| {
                let tag = b.tag().ok().flatten().unwrap_or("");
                let name = b.name().unwrap_or("");
                tag.split(['-', '_'])
                    .chain(name.split(['/', '-', '_']))
                    .any(|w| w.to_ascii_lowercase().starts_with("alpine"))
            });
        let busybox = alpine_named || matches!(family, Some(Family::Alpine | Family::Bare));
        let gnu_installed = ctx
            .calls(&programs::APK)
            .any(|(r, _, c)| r.stage == run.stage && c.operands().any(|w| w.value == "wget"));
        if busybox && !gnu_installed {
            continue;
        }
        let mut diag = Diagnostic::new(
            &RULE,
            word_span(run, program, program),
            "`wget` without `--progress=dot:giga` or `-q` fills the build log with its progress bar",
        );
        let gnu = literal
            && matches!(
                family,
                Some(
                    Family::Debian | Family::RedHat | Family::Suse | Family::Photon | Family::Arch
                )
            );
        if gnu {
            diag = diag.with_fix(Fix::safe(
                "Add `--progress=dot:giga`",
                vec![Edit::insert(
                    run.after_word(program),
                    " --progress=dot:giga",
                )],
            ));
        }
        out.push(diag);
    }
}
