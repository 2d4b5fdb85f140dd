//! The integrations, each with the real thing (issue 16, deliverables 2-4, and issue 19):
//!
//! - pre-commit: `.pre-commit-hooks.yaml` run by the real `pre-commit` (PyPI) with
//!   `pre-commit try-repo` in a temporary git repository, a failing and a passing commit for
//!   each hook; its file patterns agree with the walker's names (`walk::is_dockerfile_name`);
//! - the GitHub Action: `.ci/action.sh` (what `action.yml` runs) with the environment GitHub
//!   sets for a step, annotations, outputs, job summary and SARIF; its install commands with a
//!   recording `cargo`;
//! - `dockerfix completions` (bash completion run in bash) and `dockerfix man` (rendered by
//!   `man -l`);
//! - the project's own Dockerfile passes `check` and `format --check`, and the files its
//!   from-source stage copies are what cargo needs; `--version`.
//!
//! A test that needs a program this machine lacks (pre-commit, bash, man, git, python3) says so
//! and passes, except under `CI=true` (`.ci/run` installs them), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dockerfix");
const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Whether `program` runs (`program --version`); when it does not, under `CI=true` the test
/// fails, elsewhere it prints why it is skipped.
fn have(program: &str, install: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`{program}` is missing under CI=true: {install}"
        );
        eprintln!("skipped: `{program}` is not installed ({install})");
    }
    ok
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

const BAD: &str = "FROM debian:12\nRUN apt-get update && apt-get install curl\n";
const GOOD: &str = "FROM debian:12\nUSER 1000\nCMD [\"true\"]\n";
const UNFORMATTED: &str = "from   debian:12\nUSER 1000\ncmd   [ \"true\" ]\n";

// ---- the project's Dockerfile, --version ---------------------------------------------------

#[test]
fn the_project_dockerfile_passes_its_own_checks() {
    for args in [
        &["check", "--isolated", "Dockerfile"][..],
        &[
            "check",
            "--isolated",
            "--select",
            "ALL",
            "--ignore",
            "DF402",
            "Dockerfile",
        ],
        &["format", "--check", "--isolated", "Dockerfile"],
    ] {
        let o = run(Command::new(BIN).args(args).current_dir(REPO));
        assert!(o.status.success(), "dockerfix {args:?}: {}", text(&o));
    }
    // Its source label is the repository the manifest declares (one address for the project).
    let dockerfile = std::fs::read_to_string(Path::new(REPO).join("Dockerfile")).unwrap();
    let label = format!(
        "org.opencontainers.image.source=\"{}\"",
        env!("CARGO_PKG_REPOSITORY")
    );
    assert!(dockerfile.contains(&label), "the Dockerfile lacks {label}");
    let ignore = std::fs::read_to_string(Path::new(REPO).join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
}

/// The Dockerfile's from-source stage as far as it can be run here (CI has no Rust image):
/// its COPY instructions applied to the build context `.dockerignore` leaves (matched with
/// BuildKit's rules, `dockerfix::dockerignore`), then cargo, offline, must accept the result
/// as the manifest and lockfile the stage builds (`cargo fetch --locked` loads every target
/// the manifest names and the lockfile as it is).
#[test]
fn the_from_source_stage_has_what_cargo_needs() {
    let repo = Path::new(REPO);
    let ignore = std::fs::read_to_string(repo.join(".dockerignore")).unwrap();
    let matcher = dockerfix::dockerignore::Matcher::parse(&ignore).unwrap();
    let dockerfile = std::fs::read_to_string(repo.join("Dockerfile")).unwrap();
    let stage: Vec<&str> = dockerfile
        .lines()
        .skip_while(|l| !l.ends_with(" AS from-source"))
        .take_while(|l| !l.starts_with("FROM scratch"))
        .collect();
    assert!(stage.contains(&"WORKDIR /src"), "{stage:?}");
    let copies: Vec<Vec<&str>> = stage
        .iter()
        .filter_map(|l| l.strip_prefix("COPY "))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(copies.len() >= 3, "{copies:?}");
    let image = tempfile::tempdir().unwrap();
    fn files(root: &Path, rel: &str, out: &mut Vec<String>) {
        let path = root.join(rel);
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                files(root, &format!("{rel}/{name}"), out);
            }
        } else {
            out.push(rel.to_string());
        }
    }
    for words in &copies {
        let (dest, sources) = words.split_last().unwrap();
        for source in sources {
            assert!(
                !source.starts_with("--"),
                "COPY flags are not emulated: {words:?}"
            );
            let mut found = Vec::new();
            files(repo, source, &mut found);
            for file in found {
                if matcher.excluded(&file).is_some() {
                    continue;
                }
                // `COPY a b ./` puts files in the folder; `COPY src ./src` a folder's content.
                let target = if dest.ends_with('/') && file == *source {
                    let name = Path::new(&file).file_name().unwrap().to_str().unwrap();
                    format!("{dest}{name}")
                } else {
                    format!("{dest}/{}", file.strip_prefix(source).unwrap_or(&file))
                };
                let target = image.path().join(target.trim_start_matches("./"));
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(repo.join(&file), &target).unwrap();
            }
        }
    }
    assert!(image.path().join("src/main.rs").is_file());
    // For this machine's target only: the registry cache has what its builds downloaded.
    let host = run(Command::new("rustc").arg("-vV"));
    let host = String::from_utf8_lossy(&host.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host");
    let o = run(Command::new(env!("CARGO"))
        .args(["fetch", "--locked", "--offline", "--target", &host])
        .current_dir(image.path()));
    assert!(
        o.status.success(),
        "cargo does not take the stage's files: {}",
        text(&o)
    );
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let o = run(Command::new(BIN).arg("--version"));
    let line = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(
        line.starts_with(&format!("dockerfix {}", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    if !have("git", "apt-get install git") {
        return;
    }
    let top = run(Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(REPO));
    let top = String::from_utf8_lossy(&top.stdout).trim().to_string();
    let here = Path::new(REPO).canonicalize().unwrap();
    if top.is_empty() || Path::new(&top).canonicalize().ok().as_ref() != Some(&here) {
        eprintln!("skipped: {REPO} is not a git checkout of its own");
        return;
    }
    let head = run(Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(REPO));
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert_eq!(
        line,
        format!("dockerfix {} ({head})", env!("CARGO_PKG_VERSION"))
    );
}

// ---- completions and man ---------------------------------------------------------------------

#[test]
fn bash_completion_completes_commands_and_options() {
    let o = run(Command::new(BIN).args(["completions", "bash"]));
    assert!(o.status.success(), "{}", text(&o));
    let script = String::from_utf8(o.stdout).unwrap();
    for word in [
        "check",
        "format",
        "rule",
        "completions",
        "man",
        "--output-format",
    ] {
        assert!(script.contains(word), "the bash script lacks {word}");
    }
    if !have("bash", "apt-get install bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dockerfix.bash", &script);
    // What bash does on TAB: the completion function with the words typed so far.
    let complete = |words: &str| {
        let o = run(Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source ./dockerfix.bash && COMP_WORDS=({words}) && \
                 COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) && COMP_LINE=\"${{COMP_WORDS[*]}}\" && \
                 COMP_POINT=${{#COMP_LINE}} && _dockerfix dockerfix \"${{COMP_WORDS[-1]}}\" \
                 \"${{COMP_WORDS[-2]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\""
            ))
            .current_dir(dir.path()));
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let commands = complete("dockerfix ''");
    for c in ["check", "format", "rule", "completions", "man"] {
        assert!(
            commands.lines().any(|l| l == c),
            "{c} not offered: {commands}"
        );
    }
    assert_eq!(complete("dockerfix fo").trim(), "format");
    let options = complete("dockerfix check --output-fo");
    assert_eq!(options.trim(), "--output-format", "{options}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let o = run(Command::new(BIN).args(["completions", shell]));
        assert!(
            o.status.success() && o.stdout.len() > 500,
            "{shell}: {}",
            text(&o)
        );
    }
    let o = run(Command::new(BIN).args(["completions", "tcsh"]));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn man_pages_render() {
    let o = run(Command::new(BIN).arg("man"));
    assert!(o.status.success(), "{}", text(&o));
    let roff = String::from_utf8(o.stdout).unwrap();
    assert!(roff.contains(".TH dockerfix 1"), "{roff}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", ".SH VERSION"] {
        assert!(roff.contains(section), "no {section}: {roff}");
    }
    let o = run(Command::new(BIN).args(["man", "nosuch"]));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    if !have("man", "apt-get install man-db") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (page, expect) in [
        (None, "dockerfix - A Dockerfile linter"),
        (Some("check"), "--output-format"),
        (Some("format"), "--indent-width"),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.arg("man").args(page);
        let o = run(&mut cmd);
        assert!(o.status.success(), "{}", text(&o));
        let file = dir.path().join("page.1");
        std::fs::write(&file, &o.stdout).unwrap();
        let shown = run(Command::new("man")
            .arg("-l")
            .arg(&file)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100"));
        let shown_text = String::from_utf8_lossy(&shown.stdout).to_string();
        assert!(
            shown.status.success() && shown_text.contains(expect),
            "man -l of {page:?}: {}",
            text(&shown)
        );
        // Rendering warnings from groff would mean broken roff.
        let warnings = String::from_utf8_lossy(&shown.stderr);
        assert!(!warnings.contains("warning"), "{warnings}");
    }
}

// ---- pre-commit ------------------------------------------------------------------------------

/// The `files` and `exclude` patterns of the hooks, from `.pre-commit-hooks.yaml`.
fn hook_patterns() -> (String, String) {
    let yaml = std::fs::read_to_string(Path::new(REPO).join(".pre-commit-hooks.yaml")).unwrap();
    let value = |key: &str| {
        yaml.lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|rest| Some(rest.split_once('\'')?.1.rsplit_once('\'')?.0.to_string()))
            .unwrap_or_else(|| panic!("no {key} with a quoted pattern"))
    };
    (value("files: &dockerfiles "), value("exclude: &templates "))
}

#[test]
fn pre_commit_patterns_match_the_walkers_names() {
    if !have("python3", "apt-get install python3") {
        return;
    }
    let (files, exclude) = hook_patterns();
    let names = [
        "Dockerfile",
        "dockerfile",
        "DOCKERFILE",
        "Containerfile",
        "Dockerfile.dev",
        "Dockerfile-py3",
        "Dockerfile_gaudi",
        "Containerfile.fedora",
        "containerfile-minimal",
        "api.Dockerfile",
        "x.dockerfile",
        "x.Containerfile",
        ".dockerignore",
        "Dockerfile.dockerignore",
        "README.md",
        ".dockerfile",
        "Dockerfiles",
        "Dockerfile.template",
        "Dockerfile.j2",
        "Dockerfile.jinja2",
        "Dockerfile.in",
        "Dockerfile.tmpl",
        "Dockerfile.tpl",
        "Dockerfile-",
        "dockerfile_",
        "dockerfilex",
        "mydockerfile",
    ];
    // pre-commit matches the path from the repository's root with Python's `re.search`.
    let script = "import re, sys\n\
        files, exclude = re.compile(sys.argv[1]), re.compile(sys.argv[2])\n\
        for name in sys.argv[3:]:\n\
        \x20   for path in (name, 'deep/er/' + name):\n\
        \x20       print(path, bool(files.search(path)) and not exclude.search(path))\n";
    let o = run(Command::new("python3")
        .args(["-c", script, &files, &exclude])
        .args(names));
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let mut lines = out.lines();
    for name in names {
        let want = dockerfix::walk::is_dockerfile_name(name);
        for path in [name.to_string(), format!("deep/er/{name}")] {
            let line = lines.next().unwrap_or_default();
            assert_eq!(
                line,
                format!("{path} {}", if want { "True" } else { "False" }),
                "pre-commit and the walker disagree"
            );
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let o = run(Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com"));
    assert!(o.status.success(), "git {args:?}: {}", text(&o));
    o
}

/// `pre-commit try-repo` of this repository (its working tree, uncommitted changes included)
/// for `hook`, on what is staged in `dir`.
fn try_repo(dir: &Path, home: &Path, hook: &str) -> Output {
    run(Command::new("pre-commit")
        .args(["try-repo", REPO, hook, "--color", "never"])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        // pre-commit builds the hook with `cargo install --path` (language: rust). A target
        // folder of its own (this test's cargo holds target/'s lock), kept between runs so
        // that only dockerfix is compiled again; without optimisation or LTO, which change
        // nothing the hooks do and save a minute per build.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(REPO).join("target/pre-commit"),
        )
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env_remove("CARGO_BUILD_TARGET_DIR"))
}

#[test]
fn pre_commit_hooks_fail_then_pass() {
    if !have(
        "pre-commit",
        "pip install pre-commit; .ci/run installs it in target/ci-venv",
    ) || !have("git", "apt-get install git")
    {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("pre-commit-home");
    let repo = work.path().join("project");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);

    // dockerfix-check: a finding fails the commit, the fixed file passes.
    write(&repo, "Dockerfile", BAD);
    write(&repo, "docs/README.md", "not a Dockerfile\n");
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-check");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("dockerfix check") && out.contains("Failed") && out.contains("DF204"),
        "{out}"
    );
    write(&repo, "Dockerfile", GOOD);
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-check");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Passed"), "{}", text(&o));
    git(&repo, &["commit", "-qm", "clean Dockerfile"]);

    // dockerfix-check-fix: the safe fixes are applied (the commit fails, as files changed),
    // and the fixed file passes.
    write(
        &repo,
        "api/Dockerfile.dev",
        "FROM debian:12\nUSER 1000\nMAINTAINER me\nRUN echo hi\n",
    );
    write(
        &repo,
        "api/x.containerfile",
        "FROM debian:12\nUSER 1000\nrun echo hi\n",
    );
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-check-fix");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let fixed = std::fs::read_to_string(repo.join("api/x.containerfile")).unwrap();
    assert_eq!(
        fixed,
        "FROM debian:12\nUSER 1000\nRUN echo hi\n",
        "{}",
        text(&o)
    );
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-check-fix");
    // MAINTAINER's fix is unsafe: the finding remains and fails the hook, without changes.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("DF901"), "{}", text(&o));
    write(&repo, "api/Dockerfile.dev", GOOD);
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-check-fix");
    assert!(o.status.success(), "{}", text(&o));
    git(&repo, &["commit", "-qm", "fixed"]);

    // dockerfix-format: an unformatted file is rewritten (the commit fails), then passes.
    write(&repo, "Containerfile", UNFORMATTED);
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-format");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("files were modified by this hook"),
        "{}",
        text(&o)
    );
    let formatted = std::fs::read_to_string(repo.join("Containerfile")).unwrap();
    assert_eq!(formatted, GOOD);
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home, "dockerfix-format");
    assert!(o.status.success(), "{}", text(&o));
    git(&repo, &["commit", "-qm", "formatted"]);
}

// ---- the GitHub Action -----------------------------------------------------------------------

/// A fake runner: workspace, RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new(files: &[(&str, &str)]) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            write(&dir.path().join("workspace"), name, content);
        }
        std::fs::create_dir_all(dir.path().join("workspace")).unwrap();
        std::fs::create_dir_all(dir.path().join("temp")).unwrap();
        Runner { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `.ci/action.sh` as the composite action's step runs it, with these inputs.
    fn run(&self, inputs: &[(&str, &str)], path: Option<&Path>) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(Path::new(REPO).join(".ci/action.sh"))
            .current_dir(self.path("workspace"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", self.path("workspace"))
            .env("GITHUB_ACTION_PATH", REPO)
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_TEMP", self.path("temp"));
        for (k, v) in inputs {
            cmd.env(format!("INPUT_{k}"), v);
        }
        if let Some(p) = path {
            let old = std::env::var_os("PATH").unwrap_or_default();
            let mut paths = vec![p.to_path_buf()];
            paths.extend(std::env::split_paths(&old));
            cmd.env("PATH", std::env::join_paths(paths).unwrap());
        }
        run(&mut cmd)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }
}

#[test]
fn action_annotates_summarises_and_writes_sarif() {
    if !have("bash", "apt-get install bash") || !have("python3", "apt-get install python3") {
        return;
    }
    let r = Runner::new(&[
        ("Dockerfile", BAD),
        (
            "svc/Dockerfile.prod",
            "FROM debian:12\nUSER 1000\nMAINTAINER me\n",
        ),
        ("clean/Dockerfile", GOOD),
        ("vendor/Dockerfile", BAD),
    ]);
    let o = r.run(
        &[
            ("DOCKERFIX_PATH", BIN),
            ("PATHS", "Dockerfile\nsvc clean"),
            ("ARGS", "--extend-select DF402"),
            ("SARIF_FILE", "dockerfix.sarif"),
        ],
        None,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    // Annotations, with the position and the rule link; vendor/ was not asked for.
    assert!(
        stdout.contains("::warning title=dockerfix (DF204),file=Dockerfile,line=2,col=23,"),
        "{out}"
    );
    assert!(
        stdout.contains("file=svc/Dockerfile.prod,line=3,col=1"),
        "{out}"
    );
    assert!(
        stdout.contains("(DF402)"),
        "--extend-select was not passed: {out}"
    );
    assert!(!stdout.contains("vendor/"), "{out}");
    assert!(stdout.contains("%0Ahttps://"), "{out}");

    let json_count = {
        let o = run(Command::new(BIN)
            .args([
                "check",
                "--output-format",
                "json",
                "--extend-select",
                "DF402",
            ])
            .args(["Dockerfile", "svc", "clean"])
            .current_dir(r.path("workspace")));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array().unwrap().len()
    };
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::")).count(),
        json_count
    );

    let output = r.read("output");
    for line in [
        format!("findings={json_count}"),
        // DF402 (added by ARGS) also finds clean/Dockerfile's base by tag.
        "files=3".to_string(),
        "exit-code=1".to_string(),
        "sarif-file=dockerfix.sarif".to_string(),
    ] {
        assert!(output.lines().any(|l| l == line), "no {line} in\n{output}");
    }
    // Safe fixes: DF202 and DF204 in Dockerfile (DF901's is unsafe, DF402 has none).
    assert!(output.lines().any(|l| l == "fixable=2"), "{output}");

    let summary = r.read("summary.md");
    assert!(summary.starts_with("## dockerfix\n"), "{summary}");
    assert!(
        summary.contains(&format!(
            "**{json_count} finding(s)** in **3 file(s)**: 2 with a safe fix"
        )),
        "{summary}"
    );
    assert!(
        summary.contains("| DF204 | [package-manager-prompt](https://"),
        "{summary}"
    );
    assert!(summary.contains("| DF901 | "), "{summary}");
    assert!(summary.contains("- `svc/Dockerfile.prod`: "), "{summary}");

    let sarif: serde_json::Value =
        serde_json::from_str(&r.read("workspace/dockerfix.sarif")).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        json_count
    );

    // fail-on-findings: false lets findings pass; a clean workspace passes and says so.
    let o = r.run(
        &[
            ("DOCKERFIX_PATH", BIN),
            ("PATHS", "Dockerfile"),
            ("FAIL_ON_FINDINGS", "false"),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let clean = Runner::new(&[("Dockerfile", GOOD)]);
    let o = clean.run(&[("DOCKERFIX_PATH", BIN)], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(clean.read("summary.md").contains("No findings."));
    assert!(clean.read("output").lines().any(|l| l == "findings=0"));

    // A file BuildKit rejects fails the step even with fail-on-findings: false.
    let broken = Runner::new(&[("Dockerfile", "FROM a\nRUN <<EOF\nnever ends\n")]);
    let o = broken.run(
        &[("DOCKERFIX_PATH", BIN), ("FAIL_ON_FINDINGS", "false")],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(broken.read("summary.md").contains("could not be checked"));
}

/// Without `dockerfix-path` the action installs dockerfix with cargo: from crates.io for a
/// `version`, else from the action's own checkout. A recording `cargo` stands in for the
/// network: it logs its arguments and installs the binary under test where `--root` says.
#[test]
fn action_installs_with_cargo() {
    if !have("bash", "apt-get install bash") || !have("python3", "apt-get install python3") {
        return;
    }
    let r = Runner::new(&[("Dockerfile", GOOD)]);
    let fake = r.path("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    let log = r.path("cargo.log");
    write(
        &fake,
        "cargo",
        &format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\n\
             root=''\nprev=''\nfor a in \"$@\"; do [ \"$prev\" = --root ] && root=$a; prev=$a; done\n\
             mkdir -p \"$root/bin\" && ln -sf '{BIN}' \"$root/bin/dockerfix\"\n",
            log.display()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(fake.join("cargo"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let root = r.path("temp/dockerfix-install");
    let o = r.run(&[("VERSION", "0.1.0")], Some(&fake));
    assert!(o.status.success(), "{}", text(&o));
    let o = r.run(&[], Some(&fake));
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        r.read("cargo.log"),
        format!(
            "install --locked --root {root} dockerfix --version 0.1.0\n\
             install --locked --root {root} --path {REPO}\n",
            root = root.display()
        )
    );
    // action.yml hands every input to the script (and the script reads no other).
    let action = std::fs::read_to_string(Path::new(REPO).join("action.yml")).unwrap();
    let script = std::fs::read_to_string(Path::new(REPO).join(".ci/action.sh")).unwrap();
    for input in [
        "paths",
        "args",
        "version",
        "dockerfix-path",
        "sarif-file",
        "fail-on-findings",
        "summary",
    ] {
        let var = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("  {input}:\n"))
                && action.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "action.yml does not pass {input} as {var}"
        );
        assert!(
            script.contains(&format!("${{{var}")),
            ".ci/action.sh ignores {var}"
        );
    }
    assert!(action.contains("run: bash \"$GITHUB_ACTION_PATH/.ci/action.sh\""));
}
