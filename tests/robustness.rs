//! Adversarial inputs through every step (parse, check with every rule, fix, format), and a
//! folder of many files of which some cannot be read, are not UTF-8 or are rejected.
//!
//! The sizes are large enough that a quadratic step would take minutes in a debug build (the
//! CI budget), so a regression shows as a timeout rather than as a flaky timed assertion;
//! `cargo bench --bench parse` times the same inputs at two sizes (see docs/performance.md).

#[path = "common/adversarial.rs"]
mod adversarial;

use dockerfix::settings::{FormatSettings, Settings};
use dockerfix::syntax;
use std::path::Path;
use std::process::{Command, Output};

fn all_rules() -> Settings {
    let mut settings = Settings::default();
    settings.enabled.iter_mut().for_each(|e| *e = true);
    settings
}

/// Parse (lossless), check with every rule, fix with unsafe fixes (the result parses, and
/// fixing again changes nothing), format (idempotent). Returns the number of diagnostics.
fn through_everything(name: &str, text: &str) -> usize {
    let doc = syntax::parse(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert!(doc.print() == text, "{name}: print differs");
    let settings = all_rules();
    let found = dockerfix::lint(&doc, &settings, &dockerfix::FileOptions::default()).len();
    let fixed = dockerfix::fix(
        text,
        &settings,
        &dockerfix::FileOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{name}: fix: {e}"));
    assert!(
        syntax::parse(&fixed.text).is_ok(),
        "{name}: fixed text does not parse"
    );
    let again = dockerfix::fix(
        &fixed.text,
        &settings,
        &dockerfix::FileOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{name}: fix twice: {e}"));
    assert!(
        again.text == fixed.text,
        "{name}: fixing twice changed more"
    );
    let fmt = FormatSettings::default();
    let once =
        dockerfix::format::format(text, &fmt).unwrap_or_else(|e| panic!("{name}: format: {e}"));
    let twice = dockerfix::format::format(&once, &fmt)
        .unwrap_or_else(|e| panic!("{name}: format twice: {e}"));
    assert!(twice == once, "{name}: formatting is not idempotent");
    found
}

#[test]
fn hundred_thousand_continuation_lines() {
    let text = adversarial::continuation_lines(100_000);
    assert!(through_everything("continuation", &text) > 0);
}

#[test]
fn ten_thousand_heredocs() {
    let text = adversarial::heredocs(10_000);
    through_everything("heredocs", &text);
}

#[test]
fn thousand_stages() {
    let text = adversarial::stages(1_000);
    assert!(through_everything("stages", &text) >= 1_000);
}

#[test]
fn ten_thousand_runs() {
    let text = adversarial::runs(10_000);
    assert!(through_everything("runs", &text) >= 10_000);
}

#[test]
fn ten_thousand_runs_that_look_back() {
    let text = adversarial::stateful_runs(10_000);
    assert!(through_everything("stateful runs", &text) >= 10_000);
}

#[test]
fn deep_nesting_and_quoting() {
    // 2,500 deep is as deep as a line of BuildKit's 64 kB allows for the quoting case.
    for depth in [10, 1_000, 2_500] {
        through_everything("substitutions", &adversarial::nested_substitutions(depth));
        through_everything("subshells", &adversarial::nested_subshells(depth));
        through_everything("quoting", &adversarial::quoting(depth));
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dockerfix"));
    c.env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

#[test]
fn megabyte_line_is_an_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        adversarial::long_line(1 << 20),
    )
    .unwrap();
    for args in [
        &["check", "--isolated", "Dockerfile"][..],
        &[
            "check",
            "--isolated",
            "--select",
            "ALL",
            "--fix",
            "Dockerfile",
        ],
        &["format", "--isolated", "--check", "Dockerfile"],
    ] {
        let o = run(dir.path(), args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(
                "Dockerfile:2:65536: error: dockerfile line greater than max allowed size"
            ),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        adversarial::long_line(1 << 20),
        "a file that fails is never written"
    );
}

/// A folder of many Dockerfiles where some cannot be read, some are not UTF-8 and some are
/// rejected by BuildKit's parser: every other file is still checked, each bad file has its
/// own error line, and the exit code is 2. (`benches/compare.sh` times the same on the
/// 20,000-file tree.)
#[test]
fn many_files_some_bad() {
    const GOOD: usize = 1_500;
    const BAD: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut bad = Vec::new();
    for i in 0..GOOD {
        let d = root.join(format!("good/{:02}/{i}", i % 50));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("Dockerfile"),
            format!("FROM debian:12\nRUN apt-get update && apt-get install curl{i}\n"),
        )
        .unwrap();
    }
    for i in 0..BAD {
        let d = root.join(format!("bad/{i}"));
        std::fs::create_dir_all(&d).unwrap();
        // Unreadable: a dangling symlink always; a file without permissions too, unless the
        // tests run as root (which reads it anyway).
        std::os::unix::fs::symlink(d.join("missing"), d.join("Dockerfile")).unwrap();
        bad.push(format!("bad/{i}/Dockerfile"));
        let locked = d.join("locked.Dockerfile");
        std::fs::write(&locked, "FROM debian:12\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&locked).is_err() {
            bad.push(format!("bad/{i}/locked.Dockerfile"));
        } else {
            std::fs::remove_file(&locked).unwrap();
        }
        std::fs::write(
            d.join("latin1.Dockerfile"),
            b"FROM debian:12\nRUN echo caf\xe9\n",
        )
        .unwrap();
        bad.push(format!("bad/{i}/latin1.Dockerfile"));
        std::fs::write(
            d.join("invalid.Dockerfile"),
            "FROM debian:12\nENV ONLYNAME\n",
        )
        .unwrap();
        bad.push(format!("bad/{i}/invalid.Dockerfile"));
    }

    let check = run(
        root,
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "-v",
            ".",
        ],
    );
    let format = run(root, &["format", "--isolated", "--check", "-v", "."]);
    // Put the permissions back, or the temporary folder cannot be removed.
    for b in &bad {
        use std::os::unix::fs::PermissionsExt;
        let p = root.join(b);
        if p.ends_with("locked.Dockerfile") {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    for (what, o) in [("check", &check), ("format", &format)] {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
        assert_eq!(errors.len(), bad.len(), "{what}: {err}");
        for b in &bad {
            let mine: Vec<&&str> = errors
                .iter()
                .filter(|l| l.starts_with(b.as_str()))
                .collect();
            assert_eq!(mine.len(), 1, "{what}: {b}: {errors:#?}");
        }
    }
    // Every good file was checked: one finding each (no `-y`), and counted.
    let out = String::from_utf8_lossy(&check.stdout);
    let findings = out.lines().filter(|l| l.contains(" DF204 ")).count();
    assert_eq!(findings, GOOD, "{out}");
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(err.contains(&format!("checked {GOOD} file(s)")), "{err}");
    let err = String::from_utf8_lossy(&format.stderr);
    assert!(err.contains(&format!("formatted {GOOD} file(s)")), "{err}");
}
