//! `dockerfix analyze cache` end to end: the formats, the options, errors, and the history of
//! a real git repository made for each test.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockerfix"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn commit(dir: &Path, file: &str, content: &str) {
    std::fs::write(dir.join(file), content).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", file]);
}

const ARTICLE: &str = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";

/// The article's example in a repository: 2 commits of setup, then 8 code changes.
fn article_repo(ignore: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    commit(root, "requirements.txt", "flask\n");
    commit(root, ".dockerignore", ignore);
    commit(root, "Dockerfile", ARTICLE);
    for i in 0..7 {
        commit(root, "app.py", &format!("print({i})\n"));
    }
    dir
}

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn json_has_the_documented_shape_and_compare_fix_shows_the_saving() {
    let repo = article_repo(".git\n");
    let o = run(
        repo.path(),
        &[
            "analyze",
            "cache",
            "--isolated",
            "--output-format",
            "json",
            "--compare-fix",
            "--history",
            "10",
        ],
    );
    let v = json(&o);
    let file = &v[0];
    assert_eq!(file["path"], "Dockerfile");
    assert_eq!(file["context"], ".");
    assert_eq!(file["history_commits"], 10);
    assert_eq!(file["cost_source"], "classes");
    let layers = file["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 5);
    let pip = &layers[3];
    assert_eq!(pip["line"], 4);
    assert_eq!(pip["instruction"], "RUN pip install -r requirements.txt");
    assert_eq!(pip["p_hit"], 0.0);
    assert_eq!(pip["cost_class"], "dependency-install");
    assert_eq!(pip["cost"], pip["expected_cost"]);
    assert!(
        pip["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "previous" && i["line"] == 3)
    );
    let copy = &layers[2];
    assert!(
        copy["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "context" && i["sources"] == serde_json::json!(["."]))
    );
    let fixed = &file["fixed"];
    assert!(
        fixed["expected_rebuild_cost"].as_f64().unwrap()
            < file["expected_rebuild_cost"].as_f64().unwrap()
    );
    let saving = file["saving"].as_f64().unwrap();
    let diff = file["expected_rebuild_cost"].as_f64().unwrap()
        - fixed["expected_rebuild_cost"].as_f64().unwrap();
    assert!((saving - diff).abs() < 0.011, "{saving} {diff}");
    assert!(
        file["fixes_applied"]
            .as_array()
            .unwrap()
            .contains(&"DF101".into())
    );
    // The fixed file's install hits in the commits that changed only app.py.
    let fixed_pip = fixed["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["instruction"].as_str().unwrap().starts_with("RUN pip"))
        .unwrap();
    assert_eq!(fixed_pip["p_hit"], 0.8);
    // Nothing written.
    assert_eq!(
        std::fs::read_to_string(repo.path().join("Dockerfile")).unwrap(),
        ARTICLE
    );
}

#[test]
fn text_and_markdown_name_the_step_and_the_reason() {
    let repo = article_repo(".git\n");
    let o = run(
        repo.path(),
        &["analyze", "cache", "--isolated", "--compare-fix"],
    );
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("history: 10 commits (only 10 commits touched the context)"),
        "{text}"
    );
    assert!(
        text.contains("`RUN pip install -r requirements.txt` (line 4) re-runs in 10 of 10 commits because `COPY . .` (line 3) takes every file of the context"),
        "{text}"
    );
    assert!(
        text.contains(": copy `requirements.txt` first (DF101)"),
        "{text}"
    );
    assert!(
        text.contains("after `check --fix --unsafe-fixes` (DF101"),
        "{text}"
    );
    let o = run(
        repo.path(),
        &[
            "analyze",
            "cache",
            "--isolated",
            "--output-format",
            "markdown",
        ],
    );
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(
        md.starts_with("### Layer cache: expected rebuild cost"),
        "{md}"
    );
    assert!(
        md.contains("| 4 | `RUN pip install -r requirements.txt` | 0% | 46.0 | 46.0 |"),
        "{md}"
    );
}

#[test]
fn an_unignored_git_folder_is_sent_and_changes_every_commit() {
    // Only README.md changes after the Dockerfile; it is ignored, but `.git` is not.
    let setup = |ignore: &str| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        commit(root, ".dockerignore", ignore);
        commit(
            root,
            "Dockerfile",
            "FROM alpine\nCOPY . /src\nRUN make -C /src\n",
        );
        for i in 0..4 {
            commit(root, "README.md", &format!("{i}\n"));
        }
        dir
    };
    let p_copy = |dir: &tempfile::TempDir| {
        let v = json(&run(
            dir.path(),
            &[
                "analyze",
                "cache",
                "--isolated",
                "--output-format",
                "json",
                "--history",
                "4",
            ],
        ));
        v[0]["layers"][1]["p_hit"].as_f64().unwrap()
    };
    assert_eq!(p_copy(&setup("*.md\n")), 0.0);
    assert_eq!(p_copy(&setup("*.md\n.git\n")), 1.0);
}

#[test]
fn volatile_base_timings_and_no_history() {
    let repo = article_repo(".git\n");
    let base = json(&run(
        repo.path(),
        &[
            "analyze",
            "cache",
            "--isolated",
            "--output-format",
            "json",
            "--volatile-base",
        ],
    ));
    assert_eq!(base[0]["layers"][0]["p_hit"], 0.0);
    // BuildKit's plain progress output.
    let log = repo.path().join("build.log");
    std::fs::write(
        &log,
        "#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n\
         #6 [2/4] WORKDIR /app\n#6 DONE 0.1s\n#7 [3/4] COPY . .\n#7 DONE 0.2s\n\
         #8 [4/4] RUN pip install -r requirements.txt\n#8 1.2 Collecting flask\n#8 DONE 7.5s\n",
    )
    .unwrap();
    let timed = json(&run(
        repo.path(),
        &[
            "analyze",
            "cache",
            "--isolated",
            "--output-format",
            "json",
            "--timings",
            "build.log",
        ],
    ));
    assert_eq!(timed[0]["cost_source"], "timings");
    assert_eq!(timed[0]["layers"][3]["cost"], 7.5);
    assert_eq!(timed[0]["layers"][3]["cost_measured"], true);
    assert_eq!(timed[0]["full_build_cost"], 7.8);
    // Outside git.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("Dockerfile"), ARTICLE).unwrap();
    let o = run(plain.path(), &["analyze", "cache", "--isolated"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("history: not in a git repository"), "{text}");
    assert!(text.contains("runs in every build: no history"), "{text}");
}

#[test]
fn a_file_that_does_not_parse_is_an_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine\nRUN [\"a\", 1]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("ok.Dockerfile"), "FROM alpine\nRUN true\n").unwrap();
    let o = run(dir.path(), &["analyze", "cache", "--isolated"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Dockerfile:2:"), "{err}");
    // The other file is still analysed.
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok.Dockerfile"));
}

#[test]
fn check_cites_the_measured_reruns_in_df101_only_when_asked() {
    let repo = article_repo(".git\n");
    let args = [
        "check",
        "--isolated",
        "--output-format",
        "concise",
        "--select",
        "DF101",
    ];
    let plain = run(repo.path(), &args);
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(
        plain.contains("DF101") && !plain.contains("history:"),
        "{plain}"
    );
    let with = run(repo.path(), &[&args[..], &["--history", "5"]].concat());
    let with = String::from_utf8_lossy(&with.stdout);
    assert!(
        with.contains("(history: it re-ran in 5 of the last 5 commits that touched the context)"),
        "{with}"
    );
}

/// Every corpus file BuildKit accepts: the model has one layer per instruction of every stage,
/// each layer's inputs come before it (the previous layer in its stage, earlier stages), and
/// the whole analysis (no context, no history) runs without an error, with E the sum of the
/// built layers' costs.
#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn the_model_holds_on_every_corpus_file() {
    use dockerfix::analyze::{self, model::Input};
    let mut inputs = Vec::new();
    for path in common::corpus_dockerfiles() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(doc) = dockerfix::syntax::parse(&text) else {
            continue;
        };
        let m = analyze::model::build(&doc, None);
        let in_stages = {
            let mut seen_from = false;
            doc.instructions()
                .filter(|i| {
                    seen_from |= i.kind() == dockerfix::syntax::Kind::From;
                    seen_from
                })
                .count()
        };
        assert_eq!(m.layers.len(), in_stages, "{}", path.display());
        for (i, l) in m.layers.iter().enumerate() {
            for input in &l.inputs {
                match input {
                    Input::Previous { line } => {
                        assert!(*line <= l.line && i > 0, "{}:{}", path.display(), l.line)
                    }
                    Input::Stage { line, .. } => {
                        assert!(*line < l.line, "{}:{}", path.display(), l.line)
                    }
                    _ => {}
                }
            }
        }
        assert!(m.layers.iter().any(|l| l.built) || m.layers.is_empty());
        inputs.push(analyze::FileInput {
            display: path.display().to_string(),
            path: path.clone(),
            text,
            context: None,
            settings: std::sync::Arc::new(dockerfix::settings::Settings::default()),
        });
    }
    assert!(inputs.len() > 1000, "{}", inputs.len());
    let options = analyze::Options {
        history: 100,
        ..Default::default()
    };
    for r in analyze::analyze(inputs, &options) {
        let r = r.unwrap();
        assert_eq!(r.history_commits, None);
        let sum: f64 = r.layers.iter().filter(|l| l.built).map(|l| l.cost).sum();
        assert!(
            (r.expected_rebuild_cost - sum).abs() < 0.05 * r.layers.len() as f64 + 0.01,
            "{}",
            r.path
        );
    }
}
