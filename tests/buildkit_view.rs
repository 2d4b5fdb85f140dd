//! Differential test against BuildKit's own parser (`../shared/tools/buildkit_view.py`, PyPI
//! `dockerfile`): for every corpus file both accept, the same keywords, flags, JSON flag,
//! argument values and heredoc bodies. The PyPI package embeds an older BuildKit than the one
//! behind `BUILDKIT-VERDICTS.tsv`; where the two BuildKits disagree on a file's instruction
//! boundaries (`<< EOF` with a blank became a heredoc in 2024), the newer one is followed and
//! the file is counted as skipped here (and checked by `buildkit_agreement.rs`).

mod common;

use common::*;
use dockerfix::syntax::{self, Args, Document, Instruction};
use serde_json::Value;
use std::process::Command;

fn values(ins: &Instruction, args: &Args, out: &mut Vec<String>) {
    let t = |s: syntax::Span| s.slice(&ins.logical).to_string();
    match args {
        Args::None => {}
        Args::Ignored => out.push(String::new()),
        Args::Json(v) => out.extend(v.iter().map(|a| a.value.clone())),
        Args::Text(s) => out.push(t(*s)),
        // ARG words: the parser's spans already leave out an escape character that ends the
        // input, as BuildKit's parseWords drops it.
        Args::Words(w) => out.extend(w.iter().map(|s| t(*s))),
        Args::Pairs(p) => {
            for pair in p {
                out.push(t(pair.key));
                out.push(t(pair.value));
            }
        }
        Args::Health { kind, cmd } => {
            out.push(t(*kind));
            values(ins, cmd, out);
        }
        Args::Sub(sub) => values(ins, &sub.args, out),
    }
}

fn ours(doc: &Document) -> Vec<Value> {
    doc.instructions()
        .map(|ins| {
            let node = &ins.node;
            let (sub_cmd, json) = match &node.args {
                Args::Sub(sub) => (
                    Value::String(sub.keyword.slice(&ins.logical).to_string()),
                    sub.is_json(),
                ),
                _ => (Value::Null, node.is_json()),
            };
            let mut vals = Vec::new();
            values(ins, &node.args, &mut vals);
            // The Python binding passes strings through C: a NUL ends them.
            for v in &mut vals {
                if let Some(nul) = v.find('\0') {
                    v.truncate(nul);
                }
            }
            let heredocs: Vec<Value> = ins
                .heredocs
                .iter()
                .map(|h| serde_json::json!({"name": h.name, "content": doc.slice(h.body)}))
                .collect();
            serde_json::json!({
                "cmd": node.keyword.slice(&ins.logical).to_uppercase(),
                "sub_cmd": sub_cmd,
                "json": json,
                "flags": node.flags.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
                "value": vals,
                "heredocs": heredocs,
                "start_line": ins.start_line,
                "end_line": ins.end_line,
            })
        })
        .collect()
}

/// Files where the PyPI package's older BuildKit reads differently from the BuildKit behind
/// `BUILDKIT-VERDICTS.tsv` (checked at moby/buildkit 73ed6825c), which dockerfix follows.
const OLDER_BUILDKIT_DIFFERS: &[(&str, &str)] = &[
    // Newer BuildKit reads JSON with json.Unmarshal: trailing text makes it shell form
    // (its own test, testInvalidJSONCommands, expects "this is invalid" to reach the shell).
    (
        "dockerfile_cmd_test.go.L0291.Dockerfile",
        "JSON with trailing text",
    ),
    (
        "dockerfile_cmd_test.go.L0336.Dockerfile",
        "JSON with trailing text",
    ),
    (
        "kaniko/integration/dockerfiles/Dockerfile_test_cmd",
        "JSON with trailing comment",
    ),
    // Heredocs under ONBUILD (heredocCompoundDirectives) are newer than the package.
    (
        "handmade-cases/13_onbuild.Dockerfile",
        "heredoc under ONBUILD",
    ),
];

/// Whether `python3` can import BuildKit's parser (PyPI `dockerfile`, which `.ci/run` installs
/// in its virtual environment). Without it a test is skipped with the reason, except under
/// `CI`, where it must run.
fn buildkit_parser_present() -> bool {
    let present = Command::new("python3")
        .args(["-c", "import dockerfile"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 cannot import `dockerfile` under CI (`.ci/run` installs dockerfile==3.4.0)"
        );
        eprintln!(
            "skipped: python3 cannot import `dockerfile` (pip install dockerfile==3.4.0, or run `bash .ci/run`)"
        );
    }
    present
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn corpus_matches_buildkit_view() {
    if !buildkit_parser_present() {
        return;
    }
    let shared = shared_dir();
    let files: Vec<_> = corpus_dockerfiles()
        .into_iter()
        .chain(handmade_cases())
        .collect();
    let out = Command::new("python3")
        .arg(shared.join("tools/buildkit_view.py"))
        .args(&files)
        .output()
        .expect("python3 is needed for the BuildKit differential test");
    assert!(
        out.status.success(),
        "buildkit_view.py failed (pip install dockerfile==3.4.0): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (mut same, mut skipped, mut failures) = (0, 0, Vec::new());
    for (line, path) in stdout.lines().zip(&files) {
        let view: Value = serde_json::from_str(line).unwrap();
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let Ok(doc) = syntax::parse(text) else {
            if view["ok"] == Value::Bool(true) {
                skipped += 1;
            }
            continue;
        };
        if view["ok"] != Value::Bool(true) {
            skipped += 1;
            continue;
        }
        let theirs = view["instructions"].as_array().unwrap();
        let ours = ours(&doc);
        let lines = |v: &Value| (v["start_line"].clone(), v["end_line"].clone());
        if theirs.len() != ours.len() || theirs.iter().zip(&ours).any(|(a, b)| lines(a) != lines(b))
        {
            skipped += 1;
            continue;
        }
        let shown = path
            .display()
            .to_string()
            .replace("GoogleContainerTools__", "");
        if let Some((_, why)) = OLDER_BUILDKIT_DIFFERS
            .iter()
            .find(|(f, _)| shown.ends_with(f))
        {
            assert_ne!(
                theirs, &ours,
                "{shown}: listed as differing ({why}) but agrees"
            );
            skipped += 1;
            continue;
        }
        for (n, (a, b)) in theirs.iter().zip(&ours).enumerate() {
            if a != b {
                failures.push(format!(
                    "{}: instruction {}:\n  buildkit: {a}\n  ours:     {b}",
                    path.display(),
                    n + 1
                ));
                break;
            }
        }
        same += 1;
    }
    eprintln!("{same} files compared, {skipped} skipped (older BuildKit disagrees on boundaries)");
    assert!(
        failures.is_empty(),
        "{} files differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(same > 1400, "only {same} files compared");
    assert!(skipped < 20, "{skipped} files skipped");
}

/// `buildkit_view.py --same`'s notion of meaning, over the JSON the script prints.
fn same_meaning(ins: &Value) -> Value {
    let cmd = ins["cmd"].as_str().unwrap_or("").to_uppercase();
    let json = ins["json"].as_bool().unwrap_or(false);
    let values: Vec<String> = ins["value"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|s| s.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    let values: Vec<String> = if cmd == "FROM" {
        values
            .into_iter()
            .map(|v| {
                if v.eq_ignore_ascii_case("as") {
                    v.to_uppercase()
                } else {
                    v
                }
            })
            .collect()
    } else if !json {
        values
            .join(" ")
            .split_whitespace()
            .map(str::to_string)
            .collect()
    } else {
        values
    };
    serde_json::json!([
        cmd,
        ins["sub_cmd"].as_str().unwrap_or("").to_uppercase(),
        ins["flags"],
        json,
        values,
        ins["heredocs"],
    ])
}

/// Every corpus file BuildKit accepts means the same to BuildKit's own parser after
/// `dockerfix format` (the batch form of `buildkit_view.py --same`).
#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn format_keeps_buildkit_view() {
    if !buildkit_parser_present() {
        return;
    }
    let shared = shared_dir();
    let dir = tempfile::tempdir().unwrap();
    let settings = dockerfix::settings::FormatSettings::default();
    let (mut originals, mut formatted) = (Vec::new(), Vec::new());
    for (n, path) in corpus_dockerfiles()
        .into_iter()
        .chain(handmade_cases())
        .enumerate()
    {
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        let Ok(out) = dockerfix::format::format(&text, &settings) else {
            continue;
        };
        if out == text {
            continue;
        }
        let target = dir.path().join(format!("{n}.Dockerfile"));
        std::fs::write(&target, out).unwrap();
        originals.push(path);
        formatted.push(target);
    }
    let view = |files: &[std::path::PathBuf]| -> Vec<Value> {
        let out = Command::new("python3")
            .arg(shared.join("tools/buildkit_view.py"))
            .args(files)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (before, after) = (view(&originals), view(&formatted));
    assert_eq!(before.len(), originals.len());
    let mut failures = Vec::new();
    for ((a, b), path) in before.iter().zip(&after).zip(&originals) {
        if a["ok"] != b["ok"] {
            failures.push(format!(
                "{}: accepted before: {}, after: {}",
                path.display(),
                a["ok"],
                b["ok"]
            ));
            continue;
        }
        let m = |v: &Value| -> Vec<Value> {
            v["instructions"]
                .as_array()
                .unwrap()
                .iter()
                .map(same_meaning)
                .collect()
        };
        if m(a) != m(b) {
            let (ma, mb) = (m(a), m(b));
            let i = ma.iter().zip(&mb).position(|(x, y)| x != y).unwrap_or(0);
            failures.push(format!(
                "{}: instruction {}:\n  before: {}\n  after:  {}",
                path.display(),
                i + 1,
                ma.get(i).unwrap_or(&Value::Null),
                mb.get(i).unwrap_or(&Value::Null)
            ));
        }
    }
    eprintln!(
        "{} reformatted files compared with BuildKit's parser",
        originals.len()
    );
    assert!(
        failures.is_empty(),
        "{} files differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(originals.len() > 500);
}
