use super::*;
use crate::context::BuildContext;
use std::process::Command;

fn history(commits: &[&[&str]]) -> FileHistory {
    FileHistory {
        build_files: vec!["Dockerfile".into(), ".dockerignore".into()],
        changes: commits
            .iter()
            .map(|paths| CommitChange {
                paths: paths.iter().map(|p| p.to_string()).collect(),
                dockerfile: None,
            })
            .collect(),
    }
}

fn model_of(text: &str) -> Model {
    model::build(&syntax::parse(text).unwrap(), None)
}

fn p(model: &Model, line: usize) -> f64 {
    model
        .layers
        .iter()
        .find(|l| l.line == line)
        .and_then(|l| l.p_hit)
        .unwrap()
}

#[test]
fn a_change_invalidates_every_later_layer_of_the_stage() {
    let mut m = model_of(
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD python app.py\n",
    );
    let h = history(&[
        &["app.py"],
        &["app.py"],
        &["requirements.txt"],
        &["README.md"],
    ]);
    measure(&mut m, None, &h, &Options::default());
    assert_eq!(p(&m, 1), 1.0);
    assert_eq!(p(&m, 3), 0.75); // requirements.txt changed once
    assert_eq!(p(&m, 4), 0.75);
    assert_eq!(p(&m, 5), 0.0); // every commit changed a file `COPY . .` takes
    assert_eq!(p(&m, 6), 0.0); // and everything after it
    let run = m.layers.iter().find(|l| l.line == 4).unwrap();
    assert_eq!((run.direct, run.misses), (0, 1));
}

#[test]
fn stages_inherit_from_the_stages_they_build_on_and_copy_from() {
    let text = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\n\
                COPY . .\nRUN go build -o /app\n\
                FROM build AS test\nRUN go test ./...\n\
                FROM debian:12-slim\nCOPY --from=build /app /app\nCMD [\"/app\"]\n";
    let mut m = model_of(text);
    let h = history(&[&["main.go"], &["go.mod"], &["docs/x.md"], &["main.go"]]);
    measure(&mut m, None, &h, &Options::default());
    assert_eq!(p(&m, 4), 0.75); // go mod download: go.mod once
    assert_eq!(p(&m, 6), 0.0); // go build: every commit changed a file `COPY . .` takes
    assert_eq!(p(&m, 8), 0.0); // the test stage builds on it
    assert_eq!(p(&m, 9), 1.0); // the final FROM does not
    assert_eq!(p(&m, 10), 0.0); // its COPY --from=build does
    // A build of the last stage does not build the test stage.
    let test = m.layers.iter().find(|l| l.line == 8).unwrap();
    assert!(!test.built);
    assert!(
        m.layers
            .iter()
            .filter(|l| l.line != 7 && l.line != 8)
            .all(|l| l.built)
    );
    let copy = m.layers.iter().find(|l| l.line == 10).unwrap();
    assert!(copy.inputs.contains(&model::Input::Stage {
        stage: "build".into(),
        line: 6
    }));
    // `COPY --from` compares files: a build stage re-run only because `COPY . .` took the
    // edited Dockerfile makes the same program, and the copy hits; a source change does not.
    let h = history(&[&["Dockerfile"], &["main.go"], &["Dockerfile", "main.go"]]);
    measure(&mut m, None, &h, &Options::default());
    assert_eq!(p(&m, 6), 0.0);
    assert_eq!(p(&m, 8), 0.0); // FROM build keys by the layer, not by files
    assert!((p(&m, 10) - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn narrow_copies_globs_and_bind_mounts() {
    let text = "FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY src/ ./src/\n\
                RUN --mount=type=bind,source=scripts,target=/s sh /s/build.sh\n\
                RUN --mount=type=cache,target=/root/.npm true\n";
    let mut m = model_of(text);
    let h = history(&[
        &["package-lock.json"],
        &["src/a/b.js"],
        &["scripts/build.sh"],
        &["srcx"],
    ]);
    measure(&mut m, None, &h, &Options::default());
    assert_eq!(p(&m, 2), 0.75);
    assert_eq!(p(&m, 4), 0.5); // package-lock.json, src/a/b.js
    assert_eq!(p(&m, 5), 0.25); // and scripts/build.sh
    assert_eq!(p(&m, 6), 0.25); // a cache mount reads nothing of the context
}

#[test]
fn volatile_build_arguments_and_base_images() {
    let text = "FROM alpine:3\nARG VERSION=1\nRUN echo build\nCOPY a.txt /\n";
    let mut m = model_of(text);
    let h = history(&[&["b.txt"], &["b.txt"]]);
    measure(&mut m, None, &h, &Options::default());
    assert_eq!(p(&m, 3), 1.0);
    let volatile = Options {
        volatile_args: vec!["VERSION".into()],
        ..Options::default()
    };
    measure(&mut m, None, &h, &volatile);
    assert_eq!(p(&m, 2), 1.0);
    assert_eq!(p(&m, 3), 0.0); // a RUN sees every build argument in scope
    let base = Options {
        volatile_base: true,
        ..Options::default()
    };
    measure(&mut m, None, &h, &base);
    assert!(m.layers.iter().all(|l| l.p_hit == Some(0.0)));
}

#[test]
fn dockerfile_edits_invalidate_from_the_first_changed_instruction() {
    let old = "FROM a\nRUN one\nRUN two\nFROM b\nRUN three\n";
    let new = "FROM a\nRUN one\nRUN 2\nFROM b\n# a comment only\nRUN three\n";
    assert_eq!(
        first_changes(Some(old), Some(new)),
        Some(vec![usize::MAX, 2, usize::MAX])
    );
    assert_eq!(first_changes(None, Some(new)), None);
    let global = "ARG V=2\nFROM a\nRUN one\n";
    assert_eq!(
        first_changes(Some("ARG V=1\nFROM a\nRUN one\n"), Some(global)),
        Some(vec![0, 0])
    );
    // Carried over to a fixed file by the instructions' texts: the fix's new COPY is judged
    // by the install after it.
    let original = model_of("FROM p\nCOPY . .\nRUN pip install -r r.txt\nCMD x\n");
    let fixed = model_of("FROM p\nCOPY r.txt .\nRUN pip install -r r.txt\nCOPY . .\nCMD x\n");
    assert_eq!(
        invalid_from(&fixed, &original, &[usize::MAX, 3]),
        vec![usize::MAX, 4]
    );
    assert_eq!(
        invalid_from(&fixed, &original, &[usize::MAX, 2]),
        vec![usize::MAX, 1]
    );
}

#[test]
fn ignored_files_are_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*.md\nnode_modules\n").unwrap();
    std::fs::create_dir(dir.path().join("node_modules")).unwrap();
    std::fs::write(dir.path().join("node_modules/x.js"), "x").unwrap();
    std::fs::write(dir.path().join("a.py"), "print(1)").unwrap();
    std::fs::write(dir.path().join("README.md"), "#").unwrap();
    let ctx = BuildContext::new(dir.path());
    let (ignore, _) = ignore_of(&ctx);
    let files = ContextFiles::walk(dir.path(), ignore.as_ref());
    let names: Vec<&str> = files.files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec![".dockerignore", "a.py"]);
    let m = model::build(&syntax::parse("FROM x\nCOPY . .\n").unwrap(), Some(&files));
    let copy = m.layers.iter().find(|l| l.line == 2).unwrap();
    assert!(copy.inputs.contains(&model::Input::Context {
        sources: vec![".".into()],
        files: 2,
        bytes: 8 + 18
    }));
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new("git")
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
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

fn commit(dir: &std::path::Path, file: &str, content: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", file]);
}

/// A scripted history in a real repository: p_i measured through `git log` and `git
/// cat-file`, with `.dockerignore`, a Dockerfile edit, a change outside the context, and
/// `--history` limiting the window.
#[test]
fn p_hit_on_a_scripted_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    commit(root, "README.md", "top\n");
    let app = root.join("app");
    commit(root, "app/requirements.txt", "flask\n");
    commit(root, "app/.dockerignore", "*.md\n");
    let df = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    commit(root, "app/Dockerfile", df);
    for i in 0..5 {
        commit(root, "app/app.py", &format!("print({i})\n"));
    }
    commit(root, "app/NOTES.md", "ignored\n"); // ignored: touches the context, invalidates nothing
    commit(root, "other/x.txt", "outside\n"); // not in the window at all
    commit(root, "app/requirements.txt", "flask\nrequests\n");
    commit(
        root,
        "app/Dockerfile",
        &df.replace(
            "CMD [\"python\", \"app.py\"]",
            "CMD [\"python\", \"-u\", \"app.py\"]",
        ),
    );
    let text = std::fs::read_to_string(app.join("Dockerfile")).unwrap();
    let input = || FileInput {
        display: "app/Dockerfile".into(),
        path: app.join("Dockerfile"),
        text: text.clone(),
        context: Some(context_for(
            &app.join("Dockerfile"),
            None,
            &Default::default(),
            &Default::default(),
        )),
        settings: Arc::new(Settings::default()),
    };
    let options = Options {
        history: 10,
        ..Options::default()
    };
    let r = analyze(vec![input()], &options).pop().unwrap().unwrap();
    // The window: Dockerfile edit, requirements, NOTES.md, 5 x app.py, Dockerfile added,
    // .dockerignore added (10 commits that touched app/).
    assert_eq!(r.history_commits, Some(10));
    let p = |line: usize| {
        r.layers
            .iter()
            .find(|l| l.line == line)
            .unwrap()
            .p_hit
            .unwrap()
    };
    assert_eq!(p(1), 0.9); // the Dockerfile's creation
    assert_eq!(p(3), 0.8); // and requirements.txt's edit
    assert_eq!(p(4), 0.8);
    // `COPY . .` also takes app.py, the Dockerfile and the .dockerignore: only NOTES.md's
    // commit (ignored) hits.
    assert_eq!(p(5), 0.1);
    assert_eq!(p(6), 0.1);
    let top = &r.top.first().unwrap().reason;
    assert!(
        top.contains("`RUN pip install -r requirements.txt` (line 4) re-runs in 2 of 10 commits"),
        "{top}"
    );
    // A smaller window.
    let r = analyze(
        vec![input()],
        &Options {
            history: 3,
            ..Options::default()
        },
    )
    .pop()
    .unwrap()
    .unwrap();
    assert_eq!(r.history_commits, Some(3));
    let p = |line: usize| {
        r.layers
            .iter()
            .find(|l| l.line == line)
            .unwrap()
            .p_hit
            .unwrap()
    };
    assert_eq!((p(1), p(4), p(6)), (1.0, 0.667, 0.333));
    // Outside git: no history.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("Dockerfile"), "FROM x\nRUN make\n").unwrap();
    let r = analyze(
        vec![FileInput {
            display: "Dockerfile".into(),
            path: plain.path().join("Dockerfile"),
            text: "FROM x\nRUN make\n".into(),
            context: Some(context_for(
                &plain.path().join("Dockerfile"),
                None,
                &Default::default(),
                &Default::default(),
            )),
            settings: Arc::new(Settings::default()),
        }],
        &options,
    )
    .pop()
    .unwrap()
    .unwrap();
    assert_eq!(r.history_commits, None);
    assert!(
        r.history_note
            .as_deref()
            .unwrap()
            .contains("not in a git repository")
    );
    assert_eq!(r.expected_rebuild_cost, r.full_build_cost);
    assert_eq!(r.full_build_cost, 61.0);
}

#[test]
fn compare_fix_measures_the_fixed_file_on_the_same_history() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    commit(root, "requirements.txt", "flask\n");
    commit(root, ".dockerignore", ".git\n");
    let df = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    commit(root, "Dockerfile", df);
    for i in 0..7 {
        commit(root, "app.py", &format!("print({i})\n"));
    }
    let r = analyze(
        vec![FileInput {
            display: "Dockerfile".into(),
            path: root.join("Dockerfile"),
            text: df.into(),
            context: Some(context_for(
                &root.join("Dockerfile"),
                None,
                &Default::default(),
                &Default::default(),
            )),
            settings: Arc::new(Settings::default()),
        }],
        &Options {
            history: 10,
            compare_fix: true,
            ..Options::default()
        },
    )
    .pop()
    .unwrap()
    .unwrap();
    assert!(
        r.fixes_applied.contains(&"DF101".to_string()),
        "{:?}",
        r.fixes_applied
    );
    let fixed = r.fixed.as_ref().unwrap();
    let pip = |rep: &FileReport| {
        rep.layers
            .iter()
            .find(|l| l.instruction.starts_with("RUN pip"))
            .unwrap()
            .p_hit
            .unwrap()
    };
    assert_eq!(pip(&r), 0.0);
    // 8 of the 10 commits changed neither requirements.txt nor the Dockerfile (the new
    // `COPY requirements.txt .` does not read the .dockerignore).
    assert_eq!(pip(fixed), 0.8);
    assert!(r.saving.unwrap() > 30.0, "{:?}", r.saving);
    assert!(
        r.top
            .first()
            .unwrap()
            .reason
            .ends_with("copy `requirements.txt` first (DF101)")
    );
}
