//! The binary end to end: exit codes, outputs, writes, bad inputs, config and suppressions.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dockerfix"));
    c.env_remove("NO_COLOR").env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One Safe finding (DF204) and one Unsafe one (DF901); the other apt rules are satisfied.
const FIXABLE: &str = "FROM debian:bookworm-slim\n# keep me\nRUN apt-get update && apt-get install curl \
    --no-install-recommends && rm -rf /var/lib/apt/lists/*\nMAINTAINER me\nUSER 1000\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

#[test]
fn exit_codes_and_formats() {
    let d = project(&[
        ("Dockerfile", FIXABLE),
        ("clean/Dockerfile", "FROM a:1\nUSER 1000\n"),
    ]);
    let o = run(d.path(), &["check", "clean"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = run(d.path(), &["check", "--output-format", "concise"]);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("Dockerfile:3:23: DF204 "), "{}", out(&o));
    assert!(out(&o).contains("Dockerfile:4:1: DF901 "));
    let o = run(d.path(), &["check", "--exit-zero"]);
    assert_eq!(code(&o), 0);
    assert!(
        out(&o).contains("warning[DF204]") && out(&o).contains("help: Add `-y`"),
        "{}",
        out(&o)
    );
    let o = run(d.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v[0]["code"], "DF204");
    assert_eq!(v[0]["location"]["line"], 3);
    assert_eq!(v[0]["fix"]["applicability"], "safe");
    let o = run(d.path(), &["check", "--statistics"]);
    assert!(out(&o).contains("DF204"), "{}", out(&o));
    let o = run(
        d.path(),
        &["check", "--select", "DF901", "--output-format", "concise"],
    );
    assert!(!out(&o).contains("DF204") && out(&o).contains("DF901"));
    let o = run(
        d.path(),
        &["check", "--ignore", "DL3014,MaintainerDeprecated"],
    );
    assert_eq!(code(&o), 0, "{}", out(&o));
    let o = run(d.path(), &["check", "--select", "NOPE"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("NOPE"));
    let o = run(d.path(), &["check", "--bogus"]);
    assert_eq!(code(&o), 2);
    let o = run(d.path(), &["check", "-v", "clean"]);
    assert!(err(&o).contains("checked 1 file(s) in"), "{}", err(&o));
}

#[test]
fn fix_diff_and_idempotence() {
    let d = project(&[("Dockerfile", FIXABLE)]);
    let p = d.path().join("Dockerfile");
    let o = run(d.path(), &["check", "--diff"]);
    assert_eq!(code(&o), 1);
    assert!(
        out(&o).contains("+RUN apt-get update && apt-get install -y curl"),
        "{}",
        out(&o)
    );
    assert!(
        !out(&o).contains("LABEL"),
        "unsafe fix shown without --unsafe-fixes"
    );
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        FIXABLE,
        "--diff writes nothing"
    );
    let o = run(d.path(), &["check", "--fix"]);
    assert_eq!(code(&o), 1, "MAINTAINER remains");
    let fixed = std::fs::read_to_string(&p).unwrap();
    assert!(
        fixed.contains("install -y curl")
            && fixed.contains("# keep me")
            && fixed.contains("MAINTAINER")
    );
    let o = run(d.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let fixed = std::fs::read_to_string(&p).unwrap();
    assert!(fixed.contains("LABEL org.opencontainers.image.authors=\"me\""));
    // Nothing left to do: the file is not rewritten (its mtime stays).
    let before = std::fs::metadata(&p).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = run(d.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), before);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fixed);
}

#[test]
fn stdin() {
    let d = project(&[]);
    let o = run_stdin(d.path(), &["check", "--fix", "-"], FIXABLE.as_bytes());
    assert!(
        out(&o).contains("install -y curl") && out(&o).contains("# keep me"),
        "{}",
        out(&o)
    );
    assert!(
        err(&o).contains("DF901"),
        "diagnostics go to stderr: {}",
        err(&o)
    );
    let o = run_stdin(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "x/Dockerfile",
            "-",
        ],
        FIXABLE.as_bytes(),
    );
    assert!(
        out(&o).starts_with("x/Dockerfile:3:23: DF204"),
        "{}",
        out(&o)
    );
    let o = run_stdin(d.path(), &["format", "-"], b"from a\n\n\n\nrun x   \n");
    assert_eq!(out(&o), "FROM a\n\nRUN x\n");
}

#[test]
fn bad_inputs_are_errors_and_others_still_processed() {
    let long = format!("FROM a\nRUN echo {}\n", "x".repeat(70_000));
    let d = project(&[
        ("good/Dockerfile", FIXABLE),
        ("empty/Dockerfile", ""),
        ("long/Dockerfile", &long),
        ("heredoc/Dockerfile", "FROM a\nRUN <<EOF\nnever closed\n"),
    ]);
    std::fs::create_dir_all(d.path().join("bin")).unwrap();
    std::fs::write(
        d.path().join("bin/Dockerfile"),
        b"FROM a\n\x00\x01\x02binary",
    )
    .unwrap();
    std::fs::create_dir_all(d.path().join("latin1")).unwrap();
    std::fs::write(
        d.path().join("latin1/Dockerfile"),
        b"FROM a\n# caf\xe9\nRUN x\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.path().join("broken")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", d.path().join("broken/Dockerfile")).unwrap();
    let snapshot = |d: &Path| {
        let mut v = Vec::new();
        for e in ignore::WalkBuilder::new(d).hidden(false).build().flatten() {
            if e.file_type().is_some_and(|t| t.is_file()) {
                v.push((e.path().to_path_buf(), std::fs::read(e.path()).unwrap()));
            }
        }
        v
    };
    let before = snapshot(d.path());
    for args in [&["check", "--fix", "--unsafe-fixes"][..], &["format"][..]] {
        let o = run(d.path(), args);
        let e = err(&o);
        assert_eq!(code(&o), 2, "{args:?}: {e}");
        assert!(
            e.contains("empty/Dockerfile:1:1: error: file with no instructions"),
            "{e}"
        );
        assert!(
            e.contains("long/Dockerfile:2:") && e.contains("max allowed size"),
            "{e}"
        );
        assert!(
            e.contains("heredoc/Dockerfile:2:1: error: unterminated heredoc"),
            "{e}"
        );
        assert!(
            e.contains("bin/Dockerfile:2:1: error: contains a NUL byte"),
            "{e}"
        );
        assert!(
            e.contains("latin1/Dockerfile:2:6: error: not valid UTF-8"),
            "{e}"
        );
        assert!(e.contains("broken/Dockerfile: error: cannot read"), "{e}");
    }
    let after = snapshot(d.path());
    for ((p, a), (_, b)) in before.iter().zip(&after) {
        if !p.ends_with("good/Dockerfile") {
            assert_eq!(a, b, "{} was touched", p.display());
        }
    }
    let good = std::fs::read_to_string(d.path().join("good/Dockerfile")).unwrap();
    assert!(
        good.contains("install -y curl") && good.starts_with("FROM"),
        "the good file was still fixed"
    );
}

#[test]
fn read_only_file_with_fix() {
    use std::os::unix::fs::PermissionsExt;
    let d = project(&[("Dockerfile", FIXABLE)]);
    let p = d.path().join("Dockerfile");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = run(d.path(), &["check", "--fix"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("Dockerfile: error: cannot write: the file is read-only"),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), FIXABLE);
}

#[test]
fn no_dockerfiles_found() {
    let d = project(&[("README.md", "hi"), (".dockerignore", "x")]);
    let o = run(d.path(), &["check"]);
    assert_eq!(code(&o), 0);
    assert!(err(&o).contains("no Dockerfiles found"), "{}", err(&o));
    let o = run(d.path(), &["check", "missing-path"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("missing-path"), "{}", err(&o));
}

#[test]
fn discovery_names_and_gitignore_outside_git() {
    let d = project(&[
        ("Dockerfile", "FROM a\n"),
        ("api.Dockerfile", "FROM a\nMAINTAINER x\n"),
        ("Containerfile.dev", "FROM a\nMAINTAINER x\n"),
        ("vendor/Dockerfile", "FROM a\nMAINTAINER x\n"),
        (".gitignore", "vendor/\n"),
        ("notes.txt", "MAINTAINER x\n"),
    ]);
    let o = run(d.path(), &["check", "--output-format", "concise"]);
    let s = out(&o);
    assert!(
        s.contains("api.Dockerfile:2:1") && s.contains("Containerfile.dev:2:1"),
        "{s}"
    );
    assert!(
        !s.contains("vendor"),
        ".gitignore is honoured outside a git repository: {s}"
    );
    let o = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--no-respect-gitignore",
        ],
    );
    assert!(out(&o).contains("vendor/Dockerfile"));
    // A path named explicitly is always processed.
    let o = run(
        d.path(),
        &["check", "--output-format", "concise", "vendor/Dockerfile"],
    );
    assert!(out(&o).contains("vendor/Dockerfile:2:1"));
    let o = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--exclude",
            "api.Dockerfile",
        ],
    );
    assert!(!out(&o).contains("api.Dockerfile"));
}

#[test]
fn config_discovery_and_errors() {
    let d = project(&[
        ("Dockerfile", FIXABLE),
        ("sub/Dockerfile", FIXABLE),
        (
            "sub/dockerfix.toml",
            "ignore = [\"DF204\"]\n[per-file-ignores]\n\"Dockerfile\" = [\"DF901\"]\n",
        ),
    ]);
    let o = run(d.path(), &["check", "--output-format", "concise"]);
    let s = out(&o);
    assert!(s.contains("Dockerfile:3:23: DF204"), "{s}");
    assert!(!s.contains("sub/Dockerfile"), "closest config wins: {s}");
    let o = run(
        d.path(),
        &["check", "--output-format", "concise", "--isolated"],
    );
    assert!(out(&o).contains("sub/Dockerfile:3:23: DF204"));
    std::fs::write(
        d.path().join("sub/dockerfix.toml"),
        "[format]\nindent-widht = 2\n",
    )
    .unwrap();
    let o = run(d.path(), &["check", "sub"]);
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("dockerfix.toml:2:1") && err(&o).contains("indent-widht"),
        "{}",
        err(&o)
    );
    let o = run(d.path(), &["check", "--config", "missing.toml"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn suppressions() {
    let text = "# hadolint global ignore=DL4000\nFROM debian\n# dockerfix: ignore=DF204 needs the prompt\nRUN apt-get install x\nRUN apt-get install y\n";
    let d = project(&[("Dockerfile", text)]);
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF204,DF901",
    ];
    let o = run(d.path(), &args);
    assert_eq!(out(&o).lines().count(), 1, "{}", out(&o));
    assert!(out(&o).contains("Dockerfile:5:"));
}

#[test]
fn format_check_diff_and_write() {
    let messy = "from alpine   \r\n\r\n\r\n\r\nrun echo hi\r\n";
    let d = project(&[("Dockerfile", messy), ("ok/Dockerfile", "FROM a\n")]);
    let p = d.path().join("Dockerfile");
    let o = run(d.path(), &["format", "--check"]);
    assert_eq!(code(&o), 1);
    assert!(
        out(&o).contains("Would reformat: Dockerfile") && !out(&o).contains("ok/"),
        "{}",
        out(&o)
    );
    let o = run(d.path(), &["format", "--diff"]);
    assert_eq!(code(&o), 1);
    assert!(
        out(&o).contains("+FROM alpine\r\n"),
        "CRLF kept: {:?}",
        out(&o)
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), messy);
    let o = run(d.path(), &["format"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "FROM alpine\r\n\r\nRUN echo hi\r\n"
    );
    let o = run(d.path(), &["format", "--check"]);
    assert_eq!(code(&o), 0);
}

#[test]
fn rule_command() {
    let d = project(&[]);
    let o = run(d.path(), &["rule", "DL3014"]);
    assert_eq!(code(&o), 0);
    assert!(
        out(&o).contains("package-manager-prompt (DF204)") && out(&o).contains("## Fix safety")
    );
    let o = run(d.path(), &["rule", "--all"]);
    assert_eq!(out(&o).lines().count(), dockerfix::rules::RULES.len());
    let o = run(d.path(), &["rule", "--all", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), dockerfix::rules::RULES.len());
    let o = run(d.path(), &["rule", "DF999"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn config_globs_match_relative_and_absolute_paths() {
    // Regression: `check .` gave `./docker/dev.Dockerfile`, which the globs did not match.
    let d = project(&[
        (
            "dockerfix.toml",
            "exclude = [\"vendor/**\"]\n[per-file-ignores]\n\"docker/dev.Dockerfile\" = [\"DF204\"]\n",
        ),
        ("vendor/Dockerfile", FIXABLE),
        ("docker/dev.Dockerfile", FIXABLE),
    ]);
    for args in [
        &["check", "--output-format", "concise", "."][..],
        &["check", "--output-format", "concise"][..],
    ] {
        let o = run(d.path(), args);
        let s = out(&o);
        assert!(!s.contains("vendor"), "{args:?}: {s}");
        assert!(
            !s.contains("DF204") && s.contains("docker/dev.Dockerfile:4:1: DF901"),
            "{args:?}: {s}"
        );
    }
    let o = run(
        &d.path().join("docker"),
        &["check", "--output-format", "concise", "dev.Dockerfile"],
    );
    assert!(!out(&o).contains("DF204"), "from a subfolder: {}", out(&o));
    let abs = d.path().join("docker/dev.Dockerfile");
    let o = run(
        d.path(),
        &["check", "--output-format", "concise", abs.to_str().unwrap()],
    );
    assert!(!out(&o).contains("DF204"), "absolute: {}", out(&o));
    let o = run(d.path(), &["format", "--check", "."]);
    assert!(!out(&o).contains("vendor"), "{}", out(&o));
}

#[test]
fn statistics_json_and_unsafe_fixes_from_config() {
    let d = project(&[
        ("Dockerfile", FIXABLE),
        ("dockerfix.toml", "unsafe-fixes = true\n"),
    ]);
    let o = run(
        d.path(),
        &["check", "--statistics", "--output-format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("pure JSON on stdout");
    assert_eq!(v.as_array().unwrap().len(), 2);
    // `unsafe-fixes = true` in the config: the unsafe fix is offered as applicable.
    let o = run(d.path(), &["check"]);
    assert!(!err(&o).contains("--unsafe-fixes"), "{}", err(&o));
    assert!(err(&o).contains("[*] 2 fixable"), "{}", err(&o));
    let o = run(d.path(), &["check", "--fix"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        std::fs::read_to_string(d.path().join("Dockerfile"))
            .unwrap()
            .contains("LABEL")
    );
}

#[test]
fn format_options_on_the_command_line_override_the_config() {
    let text = "FROM a\nRUN a && \\\n    b\n\n\n\nCMD c\n";
    let d = project(&[
        ("Dockerfile", text),
        (
            "dockerfix.toml",
            "[format]\nindent-width = 8\nmax-blank-lines = 2\n",
        ),
    ]);
    let o = run_stdin(
        d.path(),
        &["format", "--stdin-filename", "Dockerfile", "-"],
        text.as_bytes(),
    );
    assert_eq!(out(&o), "FROM a\nRUN a && \\\n        b\n\n\nCMD c\n");
    let args = [
        "format",
        "--stdin-filename",
        "Dockerfile",
        "--indent-width",
        "2",
        "--and-position",
        "leading",
        "--max-blank-lines",
        "0",
        "--line-ending",
        "crlf",
        "-",
    ];
    let o = run_stdin(d.path(), &args, text.as_bytes());
    assert_eq!(out(&o), "FROM a\r\nRUN a \\\r\n  && b\r\nCMD c\r\n");
    let o = run(d.path(), &["format", "--indent-width", "99"]);
    assert_eq!(code(&o), 2);
}

/// Without `indent-style`/`indent-width`, a file keeps the indentation it uses (tabs stay
/// tabs); `--indent-style` and the config key change it, and `check --fix` writes what it adds
/// in the same style.
#[test]
fn format_keeps_the_file_indentation_unless_told() {
    let tabs = "FROM debian:bookworm\nRUN set -eux; \\\n\tapt-get update; \\\n\tapt-get install -y \\\n\t\tcurl\n";
    let d = project(&[("Dockerfile", tabs)]);
    let fmt = |args: &[&str]| {
        let mut all = vec!["format", "--isolated", "--stdin-filename", "Dockerfile"];
        all.extend_from_slice(args);
        all.push("-");
        out(&run_stdin(d.path(), &all, tabs.as_bytes()))
    };
    assert_eq!(fmt(&[]), tabs);
    assert_eq!(
        fmt(&["--indent-style", "space"]),
        "FROM debian:bookworm\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y \\\n        curl\n"
    );
    assert_eq!(
        fmt(&["--indent-width", "2"]),
        "FROM debian:bookworm\nRUN set -eux; \\\n  apt-get update; \\\n  apt-get install -y \\\n    curl\n"
    );
    let spaces = "FROM a\nRUN a \\\n  && b\n";
    let d = project(&[
        ("Dockerfile", spaces),
        ("dockerfix.toml", "[format]\nindent-style = \"tab\"\n"),
    ]);
    let o = run(d.path(), &["format", "--diff"]);
    assert!(out(&o).contains("+\t&& b"), "{}", out(&o));
    let o = run(d.path(), &["format", "--indent-style", "tabs"]);
    assert_eq!(code(&o), 2, "an unknown style is refused");
    // A fix writes continuation lines in the file's style: DF202's list cleanup under tabs.
    let d = project(&[("Dockerfile", tabs)]);
    let o = run(
        d.path(),
        &["check", "--isolated", "--select", "DF202", "--diff"],
    );
    assert!(
        out(&o).contains("+\t&& rm -rf /var/lib/apt/lists/*"),
        "{}",
        out(&o)
    );
}

/// The article's bad example (`COPY . .` before `pip install -r requirements.txt`) becomes its
/// good example with `check --fix --unsafe-fixes`, reading the build context; a second run
/// changes nothing.
#[test]
fn article_bad_example_becomes_the_good_example() {
    let dir = project(&[
        ("requirements.txt", "flask==3.0.0\n"),
        ("app.py", "print('hello')\n"),
        (
            "Dockerfile",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        ),
    ]);
    // Safe fixes alone leave the order alone (the fix is Unsafe): the finding remains.
    let before = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    let o = run(
        dir.path(),
        &["check", "--isolated", "--fix", "--select", "DF101"],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("DF101"), "{}", out(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        before
    );
    let o = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "DF101",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        fixed,
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    );
    let o = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "DF101",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        fixed
    );
}

/// `--context` names the build context: the manifests are looked up there, not next to the
/// Dockerfile; standard input without `--context` copies what the command names.
#[test]
fn context_option_and_stdin_without_context() {
    let dir = project(&[
        (
            "ctx/package.json",
            "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
        ),
        ("ctx/yarn.lock", "# yarn lockfile v1\n"),
        (
            "docker/app.Dockerfile",
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --frozen-lockfile\n",
        ),
    ]);
    let args = [
        "check",
        "--isolated",
        "--select",
        "DF101",
        "--unsafe-fixes",
        "--diff",
    ];
    // Next to the Dockerfile there is no package.json: no fix.
    let o = run(
        dir.path(),
        &args
            .iter()
            .copied()
            .chain(["docker/app.Dockerfile"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let o = run(
        dir.path(),
        &args
            .iter()
            .copied()
            .chain(["--context", "ctx", "docker/app.Dockerfile"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        out(&o).contains("+COPY package.json yarn.lock ./"),
        "{}",
        out(&o)
    );
    let text = std::fs::read(dir.path().join("docker/app.Dockerfile")).unwrap();
    let o = run_stdin(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            "DF101",
            "--unsafe-fixes",
            "--fix",
            "-",
        ],
        &text,
    );
    assert!(
        out(&o).contains("COPY package.json yarn.lock* .yarnrc* .npmrc* ./\n"),
        "{}",
        out(&o)
    );
}

/// DF102 creates a `.dockerignore` only under `--fix --unsafe-fixes`, shows it as a new file
/// under `--diff`, never replaces one, creates it once for several Dockerfiles, and works on
/// standard input with `--context`.
#[test]
fn missing_dockerignore_is_created_once_and_never_replaced() {
    let node = "FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n";
    let files = [
        ("Dockerfile", node),
        ("package.json", "{\"name\": \"x\"}\n"),
        (".env", "TOKEN=1\n"),
        (".idea/workspace.xml", "<project/>\n"),
    ];
    let select = ["check", "--isolated", "--select", "DF102"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        select.iter().chain(extra).copied().collect()
    };
    let ignore = |d: &tempfile::TempDir| d.path().join(".dockerignore");

    // --diff: a diff against /dev/null, nothing written.
    let d = project(&files);
    let o = run(d.path(), &with(&["--diff", "--unsafe-fixes"]));
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("--- /dev/null\n+++ b/"), "{}", out(&o));
    assert!(
        out(&o).contains(".dockerignore\n@@ -0,0 +1,"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("\n+**/node_modules\n"), "{}", out(&o));
    assert!(!ignore(&d).exists());
    // Without --unsafe-fixes the fix is not applied: no diff, nothing created.
    let o = run(d.path(), &with(&["--diff"]));
    assert!(!out(&o).contains("/dev/null"), "{}", out(&o));
    let o = run(d.path(), &with(&["--fix"]));
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(!ignore(&d).exists());
    // --fix --unsafe-fixes creates it; the next run finds nothing.
    let o = run(
        d.path(),
        &with(&["--fix", "--unsafe-fixes", "--show-fixes"]),
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let created = std::fs::read_to_string(ignore(&d)).unwrap();
    assert!(
        created.starts_with("# Generated by dockerfix (DF102"),
        "{created}"
    );
    assert!(created.contains("\n**/.env\n") && created.contains("\n.git\n"));
    assert_eq!(
        std::fs::read_to_string(d.path().join("Dockerfile")).unwrap(),
        node,
        "the Dockerfile is not edited"
    );
    let o = run(d.path(), &select);
    assert_eq!(code(&o), 0, "{}", out(&o));

    // An existing file, even one that is not text, is never replaced (and counts as present).
    let d = project(&files);
    std::fs::write(ignore(&d), b"\xff\xfe node_modules\n").unwrap();
    let o = run(d.path(), &with(&["--fix", "--unsafe-fixes"]));
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(
        std::fs::read(ignore(&d)).unwrap(),
        b"\xff\xfe node_modules\n"
    );

    // Two Dockerfiles in one folder: one file, created once, that keeps out nothing either of
    // them copies (the second one copies .env).
    let d = project(&files);
    std::fs::write(
        d.path().join("worker.Dockerfile"),
        "FROM node:22-slim\nCOPY .env ./\nCOPY . .\n",
    )
    .unwrap();
    let o = run(
        d.path(),
        &with(&["--fix", "--unsafe-fixes", "--show-fixes"]),
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let shown = out(&o) + &err(&o);
    assert_eq!(shown.matches("Created").count(), 1, "{shown}");
    let created = std::fs::read_to_string(ignore(&d)).unwrap();
    assert!(!created.contains("\n**/.env\n"), "{created}");
    assert!(
        created.contains("**/.env (worker.Dockerfile: COPY .env)"),
        "{created}"
    );

    // Standard input: silent without --context; with it, --diff shows the new file, and --fix
    // (which prints the fixed Dockerfile and writes no other file) leaves it as a finding.
    let d = project(&files);
    let o = run_stdin(
        d.path(),
        &with(&["--diff", "--unsafe-fixes", "-"]),
        node.as_bytes(),
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let o = run_stdin(
        d.path(),
        &with(&["--diff", "--unsafe-fixes", "--context", ".", "-"]),
        node.as_bytes(),
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("--- /dev/null\n+++ b/"), "{}", out(&o));
    let o = run_stdin(
        d.path(),
        &with(&["--fix", "--unsafe-fixes", "--context", ".", "-"]),
        node.as_bytes(),
    );
    assert_eq!(out(&o), node, "{}", err(&o));
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(err(&o).contains("DF102"), "{}", err(&o));
    assert!(!ignore(&d).exists());

    // No other fix may rely on the file standard input's --fix does not create: DF101 is
    // offered only once node_modules is excluded, which here it is not.
    let d = project(&files);
    std::fs::create_dir_all(d.path().join("node_modules/left-pad")).unwrap();
    std::fs::write(d.path().join("package-lock.json"), "{}\n").unwrap();
    let broad = "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
    let both = [
        "check",
        "--isolated",
        "--select",
        "DF101,DF102",
        "--fix",
        "--unsafe-fixes",
        "--context",
        ".",
        "-",
    ];
    let o = run_stdin(d.path(), &both, broad.as_bytes());
    assert_eq!(out(&o), broad, "{}", err(&o));
    assert!(!ignore(&d).exists());
    // With the Dockerfile on disk both apply: the file is created and the COPY split.
    std::fs::write(d.path().join("Dockerfile"), broad).unwrap();
    let o = run(d.path(), &both[..both.len() - 1]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        std::fs::read_to_string(ignore(&d))
            .unwrap()
            .contains("\n**/node_modules\n")
    );
    assert!(
        std::fs::read_to_string(d.path().join("Dockerfile"))
            .unwrap()
            .contains("COPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n")
    );
}

/// Two Dockerfiles of one context whose fixes would create different `.dockerignore` files:
/// the first is created, and the other Dockerfile, whose fixes may rely on its own version
/// (DF101 moves `COPY . .` after `npm ci` only when `node_modules` is excluded), is not
/// written; the next run works from the file that exists.
#[test]
fn created_file_that_differs_blocks_the_write() {
    let dir = project(&[
        (
            "ctx/package.json",
            "{\"name\": \"x\", \"version\": \"1.0.0\"}\n",
        ),
        ("ctx/package-lock.json", "{\"lockfileVersion\": 3}\n"),
        (
            "ctx/node_modules/left-pad/index.js",
            "module.exports = 1;\n",
        ),
        ("ctx/requirements.txt", "flask\n"),
        // Something either generated file keeps out (DF102 is quiet when there is nothing).
        ("ctx/.idea/workspace.xml", "<project/>\n"),
        (
            "docker/a-py.Dockerfile",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
        ),
        (
            "docker/b-node.Dockerfile",
            "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
        ),
    ]);
    let args = [
        "check",
        "--isolated",
        "--select",
        "DF101,DF102",
        "--fix",
        "--unsafe-fixes",
        "--context",
        "ctx",
        "docker/a-py.Dockerfile",
        "docker/b-node.Dockerfile",
    ];
    let node_before = std::fs::read_to_string(dir.path().join("docker/b-node.Dockerfile")).unwrap();
    let o = run(dir.path(), &args);
    let ignore = std::fs::read_to_string(dir.path().join("ctx/.dockerignore")).unwrap();
    let node_after = std::fs::read_to_string(dir.path().join("docker/b-node.Dockerfile")).unwrap();
    // The Python Dockerfile comes first: its file, without `node_modules`, is the one created.
    assert!(
        !ignore.lines().any(|l| l.trim() == "node_modules"),
        "{ignore}"
    );
    assert!(ignore.ends_with('\n'), "{ignore:?}");
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("b-node.Dockerfile: error: not written"),
        "{}",
        err(&o)
    );
    assert_eq!(node_after, node_before);
    // The next run sees the real .dockerignore: node_modules is not excluded, so DF101 keeps
    // `COPY . .` above `npm ci`, and nothing else is created.
    let o = run(dir.path(), &args);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let node = std::fs::read_to_string(dir.path().join("docker/b-node.Dockerfile")).unwrap();
    assert!(node.contains("COPY . .\nRUN npm ci"), "{node}");
}

#[test]
fn read_only_file_is_not_counted_as_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let d = project(&[("Dockerfile", FIXABLE)]);
    let p = d.path().join("Dockerfile");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = run(d.path(), &["check", "--fix", "--show-fixes"]);
    assert_eq!(code(&o), 2);
    assert!(!err(&o).contains("1 fixed"), "{}", err(&o));
    assert!(!err(&o).contains("Fixed in"), "{}", err(&o));
}

/// A panic in one file (a rule that panics on purpose, compiled only into debug builds and
/// armed by `DOCKERFIX_TEST_PANIC`) is that file's internal error: exit 2, the file untouched,
/// every other file checked, fixed and reported as usual.
#[test]
fn a_panic_stays_in_its_file() {
    let bad = "FROM debian:bookworm-slim\n# dockerfix-test-panic\nRUN apt-get update && apt-get install -y curl\n";
    let good = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n";
    let d = project(&[
        ("a/Dockerfile", bad),
        ("b/Dockerfile", good),
        ("c/Dockerfile", good),
    ]);
    let arm = |args: &[&str]| {
        bin()
            .current_dir(d.path())
            .env("DOCKERFIX_TEST_PANIC", "1")
            .env_remove("RUST_BACKTRACE")
            .args(args)
            .output()
            .unwrap()
    };
    let o = arm(&["check", "--output-format", "concise"]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains(
            "a/Dockerfile: error: internal error in DF999 (a panic on purpose (DOCKERFIX_TEST_PANIC), at src/rules/test_panic.rs:"
        ),
        "{}",
        err(&o)
    );
    assert!(!err(&o).contains("panicked at"), "{}", err(&o));
    for f in ["b/Dockerfile", "c/Dockerfile"] {
        assert!(out(&o).contains(&format!("{f}:2:23: DF202")), "{}", out(&o));
    }
    assert!(!out(&o).contains("a/Dockerfile"), "{}", out(&o));
    let o = arm(&["check", "--fix"]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(d.path().join("a/Dockerfile")).unwrap(),
        bad
    );
    for f in ["b/Dockerfile", "c/Dockerfile"] {
        let fixed = std::fs::read_to_string(d.path().join(f)).unwrap();
        assert!(fixed.contains("rm -rf /var/lib/apt/lists/*"), "{fixed}");
    }
    // Without the switch the same files are fine: the rule is not in the registry.
    let o = run(d.path(), &["check", "--select", "ALL", "a"]);
    assert_ne!(code(&o), 2, "{}", err(&o));
    let o = run(d.path(), &["rule", "DF999"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn broken_pipe_is_quiet() {
    let text: String = (0..2000)
        .map(|_| "FROM a\nRUN apt-get install curl\n")
        .collect();
    let d = project(&[("Dockerfile", &text)]);
    let mut child = bin()
        .current_dir(d.path())
        .args(["check", "--output-format", "concise"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then hang up, as `| head -1` does.
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("DF"), "{line}");
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(!err(&o).contains("panicked"), "{}", err(&o));
    assert!(!err(&o).contains("Broken pipe"), "{}", err(&o));
}

/// Version numbers too large for an integer once made the slim-base rule index past the end
/// of its list (issue: `FROM python:4294967296` panicked).
#[test]
fn odd_image_tags_do_not_panic() {
    for tag in [
        "python:4294967296",
        "openjdk:4294967296",
        "openjdk:99999999999999999999-jdk",
        "python:3.",
        "python:.3",
        "python:-slim",
        "python:4294967296.1.2-bookworm",
        "node:4294967296",
        "debian:4294967296",
        "debian:9.4294967296",
        "perl:5.4294967296",
        "ruby:4294967296.0.0",
        "rust:1.4294967296",
        "eclipse-temurin:4294967296",
    ] {
        let d = project(&[("Dockerfile", &format!("FROM {tag}\nRUN make\n"))]);
        let o = run(
            d.path(),
            &["check", "--select", "ALL", "--fix", "--unsafe-fixes"],
        );
        assert!(matches!(code(&o), 0 | 1), "{tag}: {}", err(&o));
    }
}

/// A development environment (dev container, CodeSandbox, Gitpod) ships nothing: its caches
/// and build tools are wanted, and it runs as root on purpose (devcontainer.json names the
/// editor's user). The same file elsewhere is checked.
#[test]
fn dev_containers_are_not_images_that_ship() {
    let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential git\nRUN useradd -m developer\n";
    let d = project(&[
        (".devcontainer/Dockerfile", text),
        (".codesandbox/Dockerfile", text),
        (".gitpod.Dockerfile", text),
        (".gitpod/Dockerfile", text),
        ("Dockerfile", text),
    ]);
    let o = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "DF202,DF212,DF301",
            ".devcontainer/Dockerfile",
            ".codesandbox/Dockerfile",
            ".gitpod.Dockerfile",
            ".gitpod/Dockerfile",
            "Dockerfile",
        ],
    );
    let report = out(&o);
    for dev in [".devcontainer", ".codesandbox", ".gitpod"] {
        assert!(!report.contains(dev), "{dev}: {report}");
    }
    // Without the folder's name it is checked like any other.
    let o = run_stdin(
        d.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "DF202",
            "-",
        ],
        text.as_bytes(),
    );
    assert!(out(&o).contains("DF202"), "{}", out(&o));
    for code in ["DF202", "DF212", "DF301"] {
        assert!(
            report.contains("Dockerfile:2:") || report.contains("Dockerfile:1:"),
            "{report}"
        );
        assert!(report.contains(code), "{code}: {report}");
    }
}

/// A named build context that the bake or compose file declares is neither an image to pin
/// (DF401) nor a missing stage (DF916); without the declaration both are reported.
#[test]
fn named_build_contexts_are_not_images_or_missing_stages() {
    let dockerfile = "FROM php-base AS common\nCOPY --from=assets /dist /srv\n";
    let bake = "target \"default\" {\n  contexts = {\n    php-base = \"docker-image://php:8.4-zts\"\n  }\n}\ntarget \"web\" {\n  contexts = { assets = \"./assets\" }\n}\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF401,DF916",
        "Dockerfile",
    ];
    let with = project(&[("Dockerfile", dockerfile), ("docker-bake.hcl", bake)]);
    let o = run(with.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let compose = "services:\n  web:\n    build:\n      context: .\n      additional_contexts:\n        - php-base=docker-image://php:8.4\n        - assets=./assets\n";
    let with = project(&[("Dockerfile", dockerfile), ("compose.yaml", compose)]);
    let o = run(with.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // `--context` chooses the context folder; the named contexts still come from the files.
    let mut given = args.to_vec();
    given.splice(1..1, ["--context", "."]);
    let o = run(with.path(), &given);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let without = project(&[("Dockerfile", dockerfile)]);
    let report = out(&run(without.path(), &args));
    assert!(report.contains("DF401"), "{report}");
    assert!(report.contains("DF916"), "{report}");
}

/// An image name made of a build argument without a default (DF912) is not reported when the
/// compose service that builds the Dockerfile passes that argument.
#[test]
fn build_args_the_compose_file_passes_are_not_missing_defaults() {
    let dockerfile = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n";
    let compose = "services:\n  cron:\n    build:\n      context: .\n      args:\n        BASE_IMAGE: sentry-self-hosted-local\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF912",
        "Dockerfile",
    ];
    let with = project(&[("Dockerfile", dockerfile), ("compose.yaml", compose)]);
    let o = run(with.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let without = project(&[("Dockerfile", dockerfile)]);
    let report = out(&run(without.path(), &args));
    assert!(report.contains("DF912"), "{report}");
}

/// Compose files are read as Docker Compose reads them (Go's YAML parser): a flow sequence
/// closed at its key's indentation (getsentry/self-hosted's healthchecks) does not make the
/// file unreadable, so the build arguments it passes count (DF912 quiet).
#[test]
fn a_compose_file_with_a_bracket_closed_at_its_key_indentation_is_read() {
    let dockerfile = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n";
    let compose = "services:\n  cron:\n    build:\n      context: .\n      args:\n        BASE_IMAGE: local\n    healthcheck:\n      test: [\n          \"CMD-SHELL\",\n          # a comment\n          \"wget -q -O- http://localhost/healthz\"\n      ]\n      interval: 30s\n";
    let d = project(&[("Dockerfile", dockerfile), ("compose.yaml", compose)]);
    let o = run(
        d.path(),
        &[
            "check",
            "-v",
            "--output-format",
            "concise",
            "--select",
            "DF912",
            "Dockerfile",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("from service `cron` of compose.yaml"),
        "{}",
        err(&o)
    );
}

/// DF101 asks to copy a manifest before the source only where the build context holds it:
/// with a context the compose file names, an install from a manifest that is not there (an
/// optional hook the user may add, `if [ -s requirements.txt ]`) is not reported. With the
/// default context (the Dockerfile's folder, maybe not the real one) it still is.
#[test]
fn a_manifest_the_named_context_does_not_hold_is_not_asked_to_be_copied_first() {
    let dockerfile = "FROM python:3.12\nCOPY . /app\nRUN if [ -s /app/requirements.txt ]; then pip install -r /app/requirements.txt; fi\n";
    let compose = "services:\n  web:\n    build:\n      context: ./app\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF101",
        "app/Dockerfile",
    ];
    let named = project(&[("app/Dockerfile", dockerfile), ("compose.yaml", compose)]);
    let o = run(named.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // The same context, with the manifest: reported.
    let with_manifest = project(&[
        ("app/Dockerfile", dockerfile),
        ("app/requirements.txt", "flask\n"),
        ("compose.yaml", compose),
    ]);
    let report = out(&run(with_manifest.path(), &args));
    assert!(report.contains("DF101"), "{report}");
    // No compose file: the context is a guess, and the finding stays.
    let guessed = project(&[("app/Dockerfile", dockerfile)]);
    let report = out(&run(guessed.path(), &args));
    assert!(report.contains("DF101"), "{report}");
}

/// Build arguments a build script at the context's root passes count like those of a compose
/// file (timescaledb-docker's Makefile: `--build-arg PREV_IMAGE=$(PREV_IMAGE)`; a GitHub
/// workflow's `build-args:` block): DF912 is quiet for them, and still reports the others.
#[test]
fn build_args_a_makefile_or_workflow_passes_are_not_missing_defaults() {
    let dockerfile = "ARG PREV_IMAGE\nFROM ${PREV_IMAGE} AS old\nARG PG_VERSION\nFROM postgres:${PG_VERSION}-alpine\nCOPY --from=old /x /x\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF912",
        "Dockerfile",
    ];
    let makefile = "BUILD_ARGS= --build-arg PREV_IMAGE=$(PREV_IMAGE) \\\n\t--build-arg=\"PG_VERSION=$(PG)\"\nimage:\n\tdocker build $(BUILD_ARGS) .\n";
    let d = project(&[("Dockerfile", dockerfile), ("Makefile", makefile)]);
    let o = run(d.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let workflow = "jobs:\n  b:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          build-args: |\n            PREV_IMAGE=postgres:16\n            PG_VERSION=16\n          push: false\n";
    let d = project(&[
        ("Dockerfile", dockerfile),
        (".github/workflows/image.yml", workflow),
    ]);
    let o = run(d.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // Only one of the two passed: the other is still reported.
    let d = project(&[
        ("Dockerfile", dockerfile),
        (
            "build.sh",
            "docker build --build-arg PREV_IMAGE=postgres:16 .\n",
        ),
    ]);
    let report = out(&run(d.path(), &args));
    assert!(
        report.contains("Dockerfile:4:") && !report.contains("Dockerfile:2:"),
        "{report}"
    );
}

/// A tag taken from a build argument that the release workflow passes is not `latest` (jitsi's
/// `ARG BASE_TAG=latest`, `FROM ${REPO}/base:${BASE_TAG}`): DF401 is quiet. The workflow is
/// at the repository's root (the folder with `.git`), above the image's own folder, which is
/// its context; outside a repository, or for an argument nobody passes, DF401 reports.
#[test]
fn a_tag_the_build_passes_is_not_latest() {
    let dockerfile = "ARG REPO=ghcr.io/acme\nARG BASE_TAG=latest\nFROM ${REPO}/base:${BASE_TAG}\nCMD [\"/init\"]\n";
    let workflow = "jobs:\n  web:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: ./web\n          build-args: |\n            BASE_TAG=stable-10314\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF401",
        "web/Dockerfile",
    ];
    let files = [
        ("web/Dockerfile", dockerfile),
        (".github/workflows/release.yml", workflow),
    ];
    let d = project(&files);
    std::fs::create_dir(d.path().join(".git")).unwrap();
    let o = run(d.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    // Not a repository: the workflow above the context is not read.
    let d = project(&files);
    let report = out(&run(d.path(), &args));
    assert!(report.contains("web/Dockerfile:3:6: DF401"), "{report}");
    // The workflow passes another argument.
    let d = project(&[
        ("web/Dockerfile", dockerfile),
        (
            ".github/workflows/release.yml",
            &workflow.replace("BASE_TAG=", "OTHER_TAG="),
        ),
    ]);
    std::fs::create_dir(d.path().join(".git")).unwrap();
    let report = out(&run(d.path(), &args));
    assert!(report.contains("web/Dockerfile:3:6: DF401"), "{report}");
}

/// A compose file that cannot be read is named by `check -v`, with why, and the context falls
/// back to the Dockerfile's folder.
#[test]
fn verbose_names_a_compose_file_it_could_not_read() {
    let d = project(&[
        ("Dockerfile", "FROM debian:12\n"),
        ("compose.yaml", "services: [\n"),
    ]);
    let o = run(d.path(), &["check", "-v", "Dockerfile"]);
    let e = err(&o);
    assert!(
        e.contains("skipped compose.yaml for build contexts: not YAML"),
        "{e}"
    );
    assert!(e.contains("(from the Dockerfile's folder)"), "{e}");
}

/// A target named as a development or CI step (`dev`, `test`, `upload-artifact`) ships
/// nothing while another target ships; when all are, the last stage (the default target)
/// ships.
#[test]
fn dev_and_ci_targets_do_not_ship_while_another_target_does() {
    let install = "RUN apt-get update && apt-get install -y --no-install-recommends curl\n";
    let text = format!(
        "FROM debian:bookworm AS base\n{install}FROM base AS test\n{install}FROM base AS dev\n{install}"
    );
    let d = project(&[("Dockerfile", &text)]);
    let o = run(
        d.path(),
        &["check", "--output-format", "concise", "--select", "DF202"],
    );
    let report = out(&o);
    // base (line 2) ships through the last stage, `dev` (line 6) is the last stage; `test`
    // (line 4) is a test target.
    assert!(report.contains("Dockerfile:2:"), "{report}");
    assert!(report.contains("Dockerfile:6:"), "{report}");
    assert!(!report.contains("Dockerfile:4:"), "{report}");
    // A CI step as the last stage, beside a released target (uptime-kuma's
    // `upload-artifact`): the release ships, the CI step does not.
    let text = format!(
        "FROM debian:bookworm AS release\n{install}FROM debian:bookworm AS upload-artifact\n{install}"
    );
    let d = project(&[("Dockerfile", &text)]);
    let o = run(
        d.path(),
        &["check", "--output-format", "concise", "--select", "DF202"],
    );
    let report = out(&o);
    assert!(report.contains("Dockerfile:2:"), "{report}");
    assert!(!report.contains("Dockerfile:4:"), "{report}");
}

/// DF301 is quiet where the application in the build context changes its own user
/// (docuseal's `config/dotenv.rb` calls `Process::Sys.seteuid`): it is meant to start as
/// root. A call in a test folder or in dependencies does not count.
#[test]
fn an_application_that_changes_its_own_user_may_start_as_root() {
    let dockerfile = "FROM ruby:3.3-alpine\nRUN adduser -D app && mkdir /data && chown app /data\nCOPY . /app\nCMD [\"ruby\", \"/app/main.rb\"]\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF301",
        "Dockerfile",
    ];
    let switching = "Process::Sys.seteuid(1000)\nFile.write('/data/x', 'y')\n";
    let d = project(&[
        ("Dockerfile", dockerfile),
        ("main.rb", "require_relative 'config/env'\n"),
        ("config/env.rb", switching),
    ]);
    let o = run(d.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    for (where_, files) in [
        ("nowhere", vec![("main.rb", "puts 1\n")]),
        (
            "in a test",
            vec![("main.rb", "puts 1\n"), ("spec/env_spec.rb", switching)],
        ),
        (
            "in dependencies",
            vec![("main.rb", "puts 1\n"), ("vendor/gem/x.rb", switching)],
        ),
    ] {
        let mut all = vec![("Dockerfile", dockerfile)];
        all.extend(files);
        let d = project(&all);
        let report = out(&run(d.path(), &args));
        assert!(report.contains("DF301"), "{where_}: {report}");
    }
}

/// A builder image that another Dockerfile of the folder only copies files out of (outline's
/// `Dockerfile.base`, published as `outlinewiki/outline-base`) ships nothing else: its size
/// and cleanup findings (DF202) change nothing in an image. Where the sibling builds on it
/// (`FROM` it as the final stage), or there is no sibling, they stay.
#[test]
fn a_builder_image_a_sibling_only_copies_from_does_not_ship() {
    let base = "FROM node:22\nRUN apt-get update && apt-get install -y --no-install-recommends cmake\nRUN make\n";
    let copying = "ARG BASE_IMAGE=acme/outline-base\nFROM ${BASE_IMAGE} AS base\nFROM node:22-slim\nCOPY --from=base /app/build /app/build\n";
    let building_on = "ARG BASE_IMAGE=acme/outline-base\nFROM ${BASE_IMAGE} AS base\nCOPY . /app\n";
    let args = [
        "check",
        "--output-format",
        "concise",
        "--select",
        "DF202",
        "Dockerfile.base",
    ];
    let d = project(&[("Dockerfile.base", base), ("Dockerfile", copying)]);
    let o = run(d.path(), &args);
    assert_eq!(code(&o), 0, "{}", out(&o));
    for (why, files) in [
        ("alone", vec![("Dockerfile.base", base)]),
        (
            "built on",
            vec![("Dockerfile.base", base), ("Dockerfile", building_on)],
        ),
    ] {
        let d = project(&files);
        let report = out(&run(d.path(), &args));
        assert!(report.contains("DF202"), "{why}: {report}");
    }
}

/// An insertion after the file's last line break is shown on a line of its own, not glued to
/// the last line (`gitUSER app`).
#[test]
fn full_report_shows_an_insertion_at_the_end_on_its_own_line() {
    for eol in ["\n", "\r\n"] {
        let text = format!("FROM debian:12{eol}RUN useradd app && apt-get install -y git{eol}");
        let d = project(&[("Dockerfile", &text)]);
        let o = run(d.path(), &["check", "--select", "DF301", "--unsafe-fixes"]);
        let report = out(&o);
        assert!(!report.contains("gitUSER"), "{report}");
        assert!(
            report
                .lines()
                .any(|l| l.trim_end_matches('\r') == "3 + USER app"),
            "{report}"
        );
    }
}

/// A file whose header says it is generated is checked, but neither `check --fix` nor `format`
/// writes it (the next generation would overwrite the change) unless `--fix-generated`.
#[test]
fn generated_files_are_checked_not_written() {
    let text = "# DO NOT EDIT: generated by update.sh\nFROM debian:bookworm-slim\nRUN   apt-get update && apt-get install -y --no-install-recommends curl\n";
    let d = project(&[("Dockerfile", text)]);
    let p = d.path().join("Dockerfile");
    let o = run(d.path(), &["check", "--fix", "--output-format", "concise"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(out(&o).contains("DF202"), "{}", out(&o));
    assert!(
        err(&o).contains("generated (its header says `DO NOT EDIT`)"),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    let o = run(d.path(), &["format"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("left as it is"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    // Asked to: written.
    let o = run(d.path(), &["format", "--fix-generated"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        std::fs::read_to_string(&p)
            .unwrap()
            .contains("\nRUN apt-get update")
    );
    let o = run(d.path(), &["check", "--fix", "--fix-generated"]);
    assert!(matches!(code(&o), 0 | 1), "{}", err(&o));
    assert!(
        std::fs::read_to_string(&p)
            .unwrap()
            .contains("rm -rf /var/lib/apt/lists/*")
    );
    // Only a comment says so: a word elsewhere does not count.
    assert_eq!(
        dockerfix::generated_marker("FROM a\nRUN echo 'do not edit'\n"),
        None
    );
    assert_eq!(
        dockerfix::generated_marker("# syntax=docker/dockerfile:1\n# @generated\nFROM a\n"),
        Some("@generated")
    );
}

/// Folder walking takes every name BuildKit users give Dockerfiles, not templates; `include`
/// replaces the names and `extend-include` adds to them, as in ruff.
#[test]
fn discovery_names_include_and_extend_include() {
    let text = "FROM debian:bookworm-slim\nMAINTAINER me\n";
    let d = project(&[
        ("Dockerfile_amd", text),
        ("Dockerfile-intel", text),
        ("gpu/Containerfile.fedora", text),
        ("Dockerfile.template", text),
        ("Dockerfile.j2", text),
        ("docker/app.df", text),
    ]);
    let checked = |d: &tempfile::TempDir| {
        let o = run(
            d.path(),
            &["check", "--select", "DF901", "--output-format", "concise"],
        );
        let mut files: Vec<String> = out(&o)
            .lines()
            .filter_map(|l| l.split(':').next().map(str::to_string))
            .collect();
        files.sort();
        files
    };
    assert_eq!(
        checked(&d),
        [
            "Dockerfile-intel",
            "Dockerfile_amd",
            "gpu/Containerfile.fedora"
        ]
    );
    std::fs::write(
        d.path().join("dockerfix.toml"),
        "extend-include = [\"*.df\"]\n",
    )
    .unwrap();
    assert_eq!(
        checked(&d),
        [
            "Dockerfile-intel",
            "Dockerfile_amd",
            "docker/app.df",
            "gpu/Containerfile.fedora"
        ]
    );
    std::fs::write(
        d.path().join("dockerfix.toml"),
        "include = [\"docker/*.df\"]\n",
    )
    .unwrap();
    assert_eq!(checked(&d), ["docker/app.df"]);
}

/// More files than `check` works on at once (it checks and writes a few hundred at a time):
/// every report lists them in the order of the walk, each whole format is one valid
/// document, and whether unsafe fixes apply anywhere (here only in the last folder, by its
/// config) still decides the fix hints of the files reported before it.
#[test]
fn many_files_reported_in_order() {
    let n = 700;
    let mut files: Vec<(String, &str)> = (0..n)
        .map(|i| (format!("a{i:03}/Dockerfile"), FIXABLE))
        .collect();
    files.push(("zz/Dockerfile".to_string(), FIXABLE));
    files.push(("zz/dockerfix.toml".to_string(), "unsafe-fixes = true\n"));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let d = project(&refs);
    let names: Vec<String> = files[..=n].iter().map(|(p, _)| p.clone()).collect();

    let o = run(d.path(), &["check", "--output-format", "concise"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    let lines: Vec<String> = out(&o).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2 * (n + 1));
    for (pair, name) in lines.chunks(2).zip(&names) {
        assert!(
            pair.iter().all(|l| l.starts_with(&format!("{name}:"))),
            "{pair:?}"
        );
        // DF901's fix is Unsafe: applicable, since zz/ enables unsafe fixes.
        assert!(pair.iter().all(|l| l.ends_with(" [*]")), "{pair:?}");
    }
    assert!(
        err(&o).contains(&format!("[*] {} fixable", 2 * (n + 1))),
        "{}",
        err(&o)
    );

    let o = run(d.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("one JSON document");
    let filenames: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["filename"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = names
        .iter()
        .flat_map(|n| [n.as_str(), n.as_str()])
        .collect();
    assert_eq!(filenames, expected);
    let report = d.path().join("report.json");
    let o2 = run(
        d.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--output-file",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o2), 1, "{}", err(&o2));
    assert_eq!(std::fs::read_to_string(&report).unwrap(), out(&o));

    let o = run(d.path(), &["check", "--output-format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("one SARIF log");
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, expected);

    let o = run(d.path(), &["check", "--output-format", "gitlab"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("one JSON array");
    assert_eq!(v.as_array().unwrap().len(), 2 * (n + 1));

    let o = run(d.path(), &["check", "--output-format", "junit"]);
    let xml = out(&o);
    let suite = format!("tests=\"{}\" failures=\"{}\"", n + 1, n + 1);
    assert_eq!(xml.matches(&suite).count(), 2, "{}", &xml[..300]);
    let cases: Vec<&str> = xml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<testcase name=\""))
        .map(|l| &l[..l.find('"').unwrap()])
        .collect();
    assert_eq!(cases, names);
    assert!(xml.ends_with("  </testsuite>\n</testsuites>\n"));
}

/// The build context comes from the file that defines the build (issue 13): a compose
/// service or bake target that builds `docker/Dockerfile` from the repository's root makes
/// DF101 find `requirements.txt` there; `[[contexts]]` wins over them, `--context` over
/// everything; `check -v` says which context and why.
#[test]
fn build_context_from_compose_bake_and_config() {
    let dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let df101 = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--select",
            "DF101",
            "--output-format",
            "concise",
            "-v",
        ];
        args.extend_from_slice(extra);
        args.push("docker/Dockerfile");
        let o = run(dir, &args);
        (out(&o), err(&o))
    };
    // Without a definition: the Dockerfile's folder, where there is no manifest.
    let bare = project(&[
        ("docker/Dockerfile", dockerfile),
        ("requirements.txt", "flask\n"),
        (".git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let missing = "`requirements.txt` is not in the build context";
    let (o, e) = df101(bare.path(), &[]);
    assert!(o.contains(missing), "{o}");
    assert!(
        e.contains("checking docker/Dockerfile: context docker (from the Dockerfile's folder)"),
        "{e}"
    );
    for (name, text, source) in [
        (
            "compose.yaml",
            "services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n",
            "service `web` of compose.yaml",
        ),
        (
            "docker-compose.yml",
            "services:\n  web:\n    build:\n      context: ${ROOT}\n      dockerfile: docker/Dockerfile\n  api:\n    build:\n      context: .\n      dockerfile: ./docker/Dockerfile\n",
            "service `api` of docker-compose.yml",
        ),
        (
            "docker-bake.hcl",
            "target \"base\" {\n  context = \".\"\n}\ntarget \"app\" {\n  inherits = [\"base\"]\n  dockerfile = \"docker/Dockerfile\"\n}\n",
            "target `app` of docker-bake.hcl",
        ),
        (
            "docker-bake.json",
            "{\"target\": {\"app\": {\"context\": \".\", \"dockerfile\": \"docker/Dockerfile\"}}}",
            "target `app` of docker-bake.json",
        ),
    ] {
        let d = project(&[
            ("docker/Dockerfile", dockerfile),
            ("requirements.txt", "flask\n"),
            (name, text),
            (".git/HEAD", "ref: refs/heads/main\n"),
        ]);
        let (o, e) = df101(d.path(), &[]);
        assert!(
            o.contains("DF101") && !o.contains(missing),
            "{name}: {o}\n{e}"
        );
        assert!(
            e.contains(&format!(
                "checking docker/Dockerfile: context . (from {source})"
            )),
            "{name}: {e}"
        );
        // The compose file is found from below too, up to the repository's root.
        let o = run(
            &d.path().join("docker"),
            &[
                "check",
                "--select",
                "DF101",
                "--output-format",
                "concise",
                "Dockerfile",
            ],
        );
        assert!(
            out(&o).contains("DF101") && !out(&o).contains(missing),
            "{name} from docker/: {}",
            out(&o)
        );
        // `--context` overrides the definition.
        let (o, e) = df101(d.path(), &["--context", "docker"]);
        assert!(o.contains(missing), "{name}: {o}");
        assert!(e.contains("context docker (from --context)"), "{e}");
    }
    // Above the repository's root, definitions are not looked for.
    let outer = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build:\n      context: repo\n      dockerfile: docker/Dockerfile\n",
        ),
        ("repo/docker/Dockerfile", dockerfile),
        ("repo/requirements.txt", "flask\n"),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let (o, _) = df101(&outer.path().join("repo"), &[]);
    assert!(o.contains(missing), "{o}");
    // `[[contexts]]` wins over compose; a broken compose file is not a guess.
    let d = project(&[
        ("docker/Dockerfile", dockerfile),
        ("requirements.txt", "flask\n"),
        ("docker/requirements.txt", "flask\n"),
        (
            "compose.yaml",
            "services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n",
        ),
        (
            "dockerfix.toml",
            "[[contexts]]\ndockerfiles = [\"docker/*\"]\ncontext = \"docker\"\n",
        ),
    ]);
    let (_, e) = df101(d.path(), &[]);
    assert!(
        e.contains("context docker (from [[contexts]] `docker/*` in dockerfix.toml)"),
        "{e}"
    );
    let broken = project(&[
        ("docker/Dockerfile", dockerfile),
        ("requirements.txt", "flask\n"),
        ("compose.yaml", "services: [\n"),
    ]);
    let (o, e) = df101(broken.path(), &[]);
    assert!(o.contains(missing), "{o}");
    assert!(e.contains("(from the Dockerfile's folder)"), "{e}");
    // A `[[contexts]]` entry without globs is a config error.
    let bad = project(&[
        ("Dockerfile", "FROM a\n"),
        (
            "dockerfix.toml",
            "[[contexts]]\ndockerfiles = []\ncontext = \".\"\n",
        ),
    ]);
    assert_eq!(code(&run(bad.path(), &["check"])), 2);
}

/// `check -v` lists each file it checks and each file it skips, with why.
#[test]
fn verbose_lists_checked_and_skipped_files() {
    let d = project(&[
        ("Dockerfile", "FROM a\n"),
        ("vendor/Dockerfile", "FROM b\n"),
        ("dockerfix.toml", "exclude = [\"vendor\"]\n"),
    ]);
    let o = run(d.path(), &["check", "-v", "."]);
    let e = err(&o);
    assert!(
        e.contains("checking Dockerfile: context . (from the Dockerfile's folder)"),
        "{e}"
    );
    assert!(
        e.contains("skipped vendor/Dockerfile: excluded by `exclude` in dockerfix.toml"),
        "{e}"
    );
    let o = run(
        d.path(),
        &["check", "-v", "--isolated", "--exclude", "vendor", "."],
    );
    assert!(
        err(&o).contains("skipped vendor/Dockerfile: excluded by --exclude"),
        "{}",
        err(&o)
    );
}

/// Override files merge with the files they override, as Compose and bake merge them: the
/// override's `context` applies to the base file's `dockerfile`.
#[test]
fn build_context_from_override_files() {
    for (base, over) in [
        (
            (
                "compose.yaml",
                "services:\n  web:\n    build:\n      dockerfile: Dockerfile\n",
            ),
            (
                "compose.override.yaml",
                "services:\n  web:\n    build:\n      context: app\n",
            ),
        ),
        (
            (
                "docker-bake.hcl",
                "target \"web\" {\n  dockerfile = \"Dockerfile\"\n}\n",
            ),
            (
                "docker-bake.override.hcl",
                "target \"web\" {\n  context = \"app\"\n}\n",
            ),
        ),
    ] {
        let d = project(&[
            ("app/Dockerfile", "FROM a\n"),
            base,
            over,
            (".git/HEAD", "ref: refs/heads/main\n"),
        ]);
        let o = run(d.path(), &["check", "-v", "--isolated", "app/Dockerfile"]);
        assert!(
            err(&o).contains("checking app/Dockerfile: context app (from "),
            "{}: {}",
            base.0,
            err(&o)
        );
        assert!(!err(&o).contains("Dockerfile's folder"), "{}", err(&o));
    }
}

/// A `.hadolint.yaml` is read when no dockerfix config applies: its codes map to our rules,
/// `override` sets severities, `failure-threshold` the exit code; `-v` names it, what it cannot
/// carry over is a warning; a `dockerfix.toml` wins, `--isolated` reads neither. hadolint's
/// user-level config is the last place looked.
#[test]
fn hadolint_yaml_is_migrated() {
    let home = tempfile::tempdir().unwrap();
    let run_home = |dir: &Path, args: &[&str]| {
        bin()
            .current_dir(dir)
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .args(args)
            .output()
            .unwrap()
    };
    let df = "FROM ghcr.io/x/app:1\nRUN apt-get install -y curl\nMAINTAINER me\n";
    let p = project(&[
        ("Dockerfile", df),
        (
            ".hadolint.yaml",
            "ignored: [DL4000]\noverride:\n  info: [DL3015]\ntrustedRegistries: [docker.io]\n\
             failure-threshold: warning\nno-color: true\nfrobnicate: 1\n",
        ),
        ("sub/Dockerfile", df),
        ("sub/dockerfix.toml", "select = [\"DF901\"]\n"),
    ]);
    let o = run_home(
        p.path(),
        &["check", "-v", "--output-format", "concise", "Dockerfile"],
    );
    let (stdout, stderr) = (out(&o), err(&o));
    assert!(
        stderr.contains("using .hadolint.yaml at .hadolint.yaml (migrated)"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("unknown key `frobnicate`").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("`no-color`"), "{stderr}");
    assert!(
        stdout.contains("DF924") && stdout.contains("DF203"),
        "{stdout}"
    );
    assert!(!stdout.contains("DF901"), "DL4000 is ignored: {stdout}");
    assert_eq!(code(&o), 1, "DF924 is an error: {stdout}");
    let json = run_home(
        p.path(),
        &["check", "--output-format", "json", "Dockerfile"],
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let severity = |code: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .map(|d| d["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(severity("DF203").as_deref(), Some("info"), "{v}");
    // Only the info finding left: under `failure-threshold: warning` the exit code is 0.
    let only_info = run_home(p.path(), &["check", "--ignore", "DF924", "Dockerfile"]);
    assert_eq!(code(&only_info), 0, "{}", out(&only_info));
    // A dockerfix config wins; --isolated reads neither.
    let sub = run_home(
        p.path(),
        &["check", "--output-format", "concise", "sub/Dockerfile"],
    );
    assert!(
        out(&sub).contains("DF901") && !out(&sub).contains("DF924"),
        "{}",
        out(&sub)
    );
    let iso = run_home(
        p.path(),
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "Dockerfile",
        ],
    );
    assert!(
        out(&iso).contains("DF901") && !out(&iso).contains("DF924"),
        "{}",
        out(&iso)
    );
    // `config --from-hadolint` prints what is used, and it reads back as a dockerfix.toml.
    let printed = run_home(p.path(), &["config", "--from-hadolint"]);
    assert_eq!(code(&printed), 0, "{}", err(&printed));
    let toml_text = out(&printed);
    assert!(toml_text.contains("\"DF901\",  # DL4000"), "{toml_text}");
    assert!(toml_text.contains("fail-on = \"warning\""), "{toml_text}");
    let q = project(&[("Dockerfile", df), ("dockerfix.toml", &toml_text)]);
    let same = run_home(
        q.path(),
        &["check", "--output-format", "concise", "Dockerfile"],
    );
    assert_eq!(out(&same), out(&o));
    assert_eq!(code(&same), code(&o));
    // Without a project config, hadolint's user-level one applies.
    let r = project(&[("Dockerfile", df)]);
    std::fs::write(
        home.path().join(".hadolint.yaml"),
        "ignored: [DL3008, DL4000]\n",
    )
    .unwrap();
    let user = run_home(
        r.path(),
        &["check", "-v", "--output-format", "concise", "Dockerfile"],
    );
    assert!(err(&user).contains("(migrated)"), "{}", err(&user));
    assert!(!out(&user).contains("DF901"), "{}", out(&user));
    let none = run_home(r.path(), &["config", "--from-hadolint", "missing.yaml"]);
    assert_eq!(code(&none), 2);
}

/// `config --from-hadolint` shows the options that give DF201, DF308 and DF306 hadolint's
/// reach, commented out, for the codes the `.hadolint.yaml` does not ignore: the printed file
/// checks as the defaults do, and uncommented it reports what hadolint reports.
#[test]
fn from_hadolint_shows_the_widening_options() {
    let home = tempfile::tempdir().unwrap();
    let run_home = |dir: &Path, args: &[&str]| {
        bin()
            .current_dir(dir)
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .args(args)
            .output()
            .unwrap()
    };
    let df = "FROM debian:12\nRUN mkdir /app\nRUN chmod 755 /app\nRUN ls /app | sort\nRUN make -C /src && cd /app\n";
    let p = project(&[
        ("Dockerfile", df),
        (".hadolint.yaml", "ignored: [DL3003]\n"),
    ]);
    let printed = run_home(p.path(), &["config", "--from-hadolint"]);
    assert_eq!(code(&printed), 0, "{}", err(&printed));
    let text = out(&printed);
    assert!(
        text.contains("# [lint.mergeable-runs]\n# scope = \"consecutive\"  # DL3059: ")
            && text.contains("# [lint.pipefail]\n# pipes = \"all\"  # DL4006: ")
            && !text.contains("cd-in-run"),
        "{text}"
    );
    let check = |dir: &Path| {
        out(&run_home(
            dir,
            &[
                "check",
                "--select",
                "DF201,DF306,DF308",
                "--output-format",
                "concise",
                "Dockerfile",
            ],
        ))
    };
    // As printed, the defaults: none of the three reports this file.
    let q = project(&[("Dockerfile", df), ("dockerfix.toml", &text)]);
    assert!(!check(q.path()).contains("DF"), "{}", check(q.path()));
    // Uncommented: the consecutive RUNs and the pipe, as hadolint reports them.
    let uncommented: String = text
        .lines()
        .map(|l| {
            let setting = ["# [lint.", "# scope = ", "# pipes = "]
                .iter()
                .any(|p| l.starts_with(p));
            format!("{}\n", if setting { &l[2..] } else { l })
        })
        .collect();
    let r = project(&[("Dockerfile", df), ("dockerfix.toml", &uncommented)]);
    let wide = check(r.path());
    assert!(
        wide.contains("Dockerfile:3:1: DF201")
            && wide.contains("Dockerfile:4:5: DF306")
            && !wide.contains("DF308"),
        "{wide}"
    );
}
