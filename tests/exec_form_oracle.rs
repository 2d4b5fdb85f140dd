//! The oracle for DF302's exec-form fix: for every shell-form CMD and ENTRYPOINT that DF302
//! offers to rewrite (in the whole corpus and in the adversarial cases below), run the shell form the way BuildKit does (`<shell> -c "<command>"`, with dash, bash and
//! busybox sh) and the exec form the way the runtime does (execve of the JSON array, the
//! program looked up in PATH), with a PATH of recording stubs, and require the same program,
//! argv, environment and working folder. The stubs are this test binary itself: started with
//! `DOCKERFIX_ORACLE_OUT` set, it writes what it was started with and exits.
//!
//! The shell adds its own bookkeeping variables to the environment (`PWD`; bash also `SHLVL`
//! and `_`), which the exec form does not set; those are left out of the comparison, the only
//! difference allowed (see DF302's "Fix safety").
//!
//! A command that needs the shell's expansions (`gunicorn --bind :$PORT app:app`) gets
//! `exec` in front instead: then both shell forms run, with the variables set, and must start
//! the same program with the same argv and environment.
//!
//! The oracle is checked too: conversions known to be wrong (the ones DF302 used to make,
//! `exec gunicorn` to `["exec", "gunicorn"]`, `FOO=1 python` to `["FOO=1", "python"]`, a
//! builtin) must be told apart, so that a passing run means something.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const OUT_VAR: &str = "DOCKERFIX_ORACLE_OUT";
/// Variables the shell sets for itself.
const SHELL_BOOKKEEPING: &[&str] = &["PWD", "OLDPWD", "SHLVL", "_"];

fn main() {
    // Started under another name, this binary is a stub. Without the variable (a command
    // that cleared the environment, `exec -c` in bash) it records nothing: the run then
    // differs from the other form's, and the stub must not start the whole test again.
    let as_test = std::env::args_os().next().is_some_and(|a| {
        Path::new(&a)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("exec_form_oracle"))
    });
    if !as_test || std::env::var_os(OUT_VAR).is_some() {
        if let Some(out) = std::env::var_os(OUT_VAR) {
            record(Path::new(&out));
        }
        return;
    }
    if cfg!(dockerfix_no_corpus) {
        println!(
            "exec-form oracle: ignored (needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED)"
        );
        return;
    }
    let shells = shells();
    let cases = cases();
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in &cases {
        for shell in &shells {
            compared += 1;
            let (result, shown) = match &case.fixed {
                Fixed::Exec(exec) => (
                    compare(shell, &case.shell, exec),
                    serde_json::to_string(exec).unwrap(),
                ),
                Fixed::Shell(text) => (compare_shell(shell, &case.shell, text), text.clone()),
            };
            if let Err(e) = result {
                failures.push(format!(
                    "{}: DF302 offers `{shown}` for `{}` ({shell:?}): {e}",
                    case.origin, case.shell
                ));
            }
        }
    }
    let self_test = oracle_tells_wrong_conversions(&shells);
    println!(
        "exec-form oracle: {} fixes offered ({} from the corpus), {compared} runs compared with {shells:?}",
        cases.len(),
        cases.iter().filter(|c| c.from_corpus).count()
    );
    for f in failures.iter().chain(&self_test) {
        println!("FAILED: {f}");
    }
    assert!(
        cases.iter().filter(|c| c.from_corpus).count() >= 40,
        "too few corpus cases"
    );
    let failed = failures.len() + self_test.len();
    println!("{} passed, {failed} failed", compared - failures.len());
    if failed > 0 {
        std::process::exit(1);
    }
}

/// What a stub writes: argv (argv[0] as given), the environment, the working folder.
fn record(out: &Path) {
    let mut text = Vec::new();
    for a in std::env::args_os() {
        text.extend(a.into_vec());
        text.push(0);
    }
    text.push(b'\n');
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    env.sort();
    for (k, v) in env {
        text.extend(k.into_vec());
        text.push(b'=');
        text.extend(v.into_vec());
        text.push(0);
    }
    text.push(b'\n');
    text.extend(
        std::env::current_dir()
            .unwrap_or_default()
            .into_os_string()
            .into_vec(),
    );
    std::fs::write(out, text).unwrap();
}

/// The shells to run the shell form with: BuildKit runs `/bin/sh -c` (dash on Debian and
/// Ubuntu, bash on Fedora and RHEL, busybox on Alpine) or the SHELL given (bash).
fn shells() -> Vec<Vec<String>> {
    let mut shells = Vec::new();
    for (prog, args) in [
        ("dash", vec![]),
        ("bash", vec![]),
        ("bash", vec!["--posix"]),
        ("busybox", vec!["sh"]),
    ] {
        let found = ["/usr/bin", "/bin"]
            .iter()
            .map(|d| Path::new(d).join(prog))
            .find(|p| p.exists());
        match found {
            Some(p) => {
                let mut s = vec![p.display().to_string()];
                s.extend(args.iter().map(|a| a.to_string()));
                shells.push(s);
            }
            None if std::env::var_os("CI").is_some() => {
                panic!("{prog} is missing: .ci/run installs it")
            }
            None => eprintln!("note: {prog} is not installed; not compared"),
        }
    }
    assert!(shells.len() >= 2, "dash and bash are needed");
    shells
}

struct Case {
    origin: String,
    from_corpus: bool,
    /// The command text BuildKit hands to the shell (the logical line).
    shell: String,
    /// The exec form DF302 writes, or, for a fix that puts `exec` in front of a command that
    /// needs the shell's expansions, the shell form it writes.
    fixed: Fixed,
}

enum Fixed {
    Exec(Vec<String>),
    Shell(String),
}

/// Adversarial inputs: each line is a Dockerfile body after `FROM python:3.12`.
const ADVERSARIAL: &[&str] = &[
    "CMD exec gunicorn --bind 0.0.0.0:8080 app:app",
    "CMD FLASK_ENV=prod python app.py",
    "CMD env FLASK_ENV=prod python app.py",
    "CMD exec /usr/local/bin/start --flag",
    "CMD \"/usr/local/bin/start\" --flag",
    "CMD /usr/local/bin/my\\ start --flag",
    "CMD ulimit -n 4096",
    "CMD source venv/bin/activate",
    "CMD . venv/bin/activate",
    "CMD cd /app",
    "CMD trap x INT",
    "CMD wait",
    "CMD set -e",
    "CMD export A=1",
    "CMD eval python",
    "CMD if",
    "CMD echo -e a\\\\nb",
    "CMD printf %s x",
    "CMD test -f x",
    "CMD true",
    "CMD exec",
    "CMD exec -a name python",
    "CMD exec -c python",
    "CMD exec FOO=1 python",
    "CMD \"exec\" python",
    "CMD 'python' app.py",
    "CMD \"FOO=1\" python",
    "CMD python 'a b' \"c d\" e\\ f",
    "CMD python \"a\\\\b\" 'c\\d'",
    "CMD python -c \"print(1)\"",
    "CMD python a=b --x=y",
    "CMD ./run.sh --port 80",
    "CMD bin/start",
    "CMD /usr/local/bin/start --flag",
    "CMD [ -f x ]",
    "CMD command python",
    "CMD time python",
    "CMD ! python",
    "CMD python app.py \\\n    --port 80",
    "ENTRYPOINT exec nginx -g 'daemon off;'",
    "ENTRYPOINT python -m http.server",
    "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nCMD python app.py",
    "SHELL [\"/bin/bash\", \"-l\", \"-c\"]\nCMD python app.py",
    "SHELL [\"/bin/bash\", \"-ic\"]\nCMD python app.py",
    "ENV BASH_ENV=/etc/env.sh\nSHELL [\"/bin/bash\", \"-c\"]\nCMD python app.py",
    "CMD python ~/app.py",
    "CMD gunicorn --bind :$PORT app:app",
    "CMD python app.py --port \"${PORT:-8000}\" --name \"$APP_NAME\"",
    "CMD exec gunicorn --bind :$PORT app:app",
    "CMD $APP_HOME/bin/start",
    "CMD python app.py > /var/log/app.log",
    "CMD FOO=$BAR python app.py",
    "CMD cd $HOME",
    "CMD python $(cat args)",
    "CMD python app.py # comment",
];

fn cases() -> Vec<Case> {
    let mut settings = dockerfix::settings::Settings::default();
    for (i, r) in dockerfix::rules::RULES.iter().enumerate() {
        settings.enabled[i] = r.code == "DF302";
    }
    let mut out = Vec::new();
    let mut add = |origin: String, from_corpus: bool, text: &str| {
        let Ok(doc) = dockerfix::syntax::parse(text) else {
            return;
        };
        for d in dockerfix::lint(&doc, &settings, &dockerfix::FileOptions::default()) {
            let Some(fix) = &d.fix else { continue };
            let [edit] = fix.edits.as_slice() else {
                panic!("{origin}: one edit expected")
            };
            let shell = doc
                .instructions()
                .find_map(|ins| {
                    let text = match &ins.node.args {
                        dockerfix::syntax::Args::Text(t) => *t,
                        dockerfix::syntax::Args::Health { cmd, .. } => match **cmd {
                            dockerfix::syntax::Args::Text(t) => t,
                            _ => return None,
                        },
                        _ => return None,
                    };
                    (ins.to_source(text) == d.span).then(|| text.slice(&ins.logical).to_string())
                })
                .unwrap_or_else(|| panic!("{origin}: no instruction at the fix"));
            let fixed = if edit.content == "exec " {
                let trimmed = shell.trim_start();
                Fixed::Shell(format!("exec {trimmed}"))
            } else {
                Fixed::Exec(serde_json::from_str(&edit.content).unwrap())
            };
            out.push(Case {
                origin: format!("{origin}:{}", d.span.start),
                from_corpus,
                shell,
                fixed,
            });
        }
    };
    for path in common::corpus_dockerfiles() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let shown = path
            .strip_prefix(common::corpus_dir())
            .unwrap_or(&path)
            .display()
            .to_string();
        add(shown, true, &text);
    }
    for (i, body) in ADVERSARIAL.iter().enumerate() {
        add(
            format!("adversarial #{i}"),
            false,
            &format!("FROM python:3.12\n{body}\n"),
        );
    }
    out
}

/// What a run recorded: argv, environment (without the shell's bookkeeping), folder.
#[derive(Debug, PartialEq, Eq)]
struct Recorded {
    argv: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: String,
}

fn parse_record(bytes: &[u8]) -> Recorded {
    let text = String::from_utf8_lossy(bytes);
    let mut parts = text.splitn(3, '\n');
    let split = |s: Option<&str>| -> Vec<String> {
        s.unwrap_or("")
            .split('\0')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let argv = split(parts.next());
    let env = split(parts.next())
        .into_iter()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (!SHELL_BOOKKEEPING.contains(&k)).then(|| (k.to_string(), v.to_string()))
        })
        .collect();
    Recorded {
        argv,
        env,
        cwd: parts.next().unwrap_or("").to_string(),
    }
}

/// A scratch folder with stubs for every word that can name a program: in `bin/` (the PATH)
/// for bare names, at the path itself (below the working folder) for relative paths, and
/// below `root/` for an absolute program path, which both forms are then given rooted there.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new(exec: &[String]) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let me = std::env::current_exe().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        let stub = |at: PathBuf| {
            if let Some(parent) = at.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::os::unix::fs::symlink(&me, at);
        };
        for (i, w) in exec.iter().enumerate() {
            let plain_name = !w.is_empty()
                && w != "."
                && w != ".."
                && w.len() < 200
                && !w.contains('\0')
                && !w.contains('/');
            if plain_name {
                stub(dir.path().join("bin").join(w));
            } else if i == 0 && w.starts_with('/') {
                stub(dir.path().join("root").join(w.trim_start_matches('/')));
            } else if i == 0 && w.contains('/') && !w.contains("..") {
                stub(dir.path().join("work").join(w));
            }
        }
        Sandbox { dir }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", self.dir.path().join("bin"))
            .env("HOME", "/root")
            .env("HOSTNAME", "oracle")
            .env("APP_SETTING", "kept")
            .env(OUT_VAR, self.dir.path().join("record"))
            .current_dir(self.dir.path().join("work"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn take_record(&self) -> Option<Recorded> {
        let path = self.dir.path().join("record");
        let bytes = std::fs::read(&path).ok()?;
        std::fs::remove_file(&path).unwrap();
        Some(parse_record(&bytes))
    }

    /// An absolute program path, rooted in the sandbox.
    fn rooted(&self, program: &str) -> String {
        match program.strip_prefix('/') {
            Some(rest) => self
                .dir
                .path()
                .join("root")
                .join(rest)
                .display()
                .to_string(),
            None => program.to_string(),
        }
    }
}

fn compare(shell: &[String], text: &str, exec: &[String]) -> Result<(), String> {
    let sandbox = Sandbox::new(exec);
    let (program, args) = exec.split_first().ok_or("empty exec form")?;
    // An absolute program is given rooted in the sandbox to both forms: the shell form's first
    // word is replaced when it is written exactly as the program (no quotes: DF302 gives no
    // fix otherwise, see `program_words`).
    let mut text = text.to_string();
    if program.starts_with('/') {
        let at = text
            .split([' ', '\t'])
            .take(2)
            .find(|w| w == program)
            .map(|w| w.as_ptr() as usize - text.as_ptr() as usize)
            .ok_or_else(|| format!("cannot root the program {program:?}"))?;
        text.replace_range(at..at + program.len(), &sandbox.rooted(program));
    }
    let status = sandbox
        .command(&shell[0])
        .args(&shell[1..])
        .arg("-c")
        .arg(&text)
        .status()
        .map_err(|e| e.to_string())?;
    let by_shell = sandbox.take_record();
    let by_exec = match sandbox
        .command(&sandbox.rooted(program))
        .args(args)
        .status()
    {
        Ok(_) => sandbox.take_record(),
        Err(_) => None,
    };
    match (by_shell, by_exec) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err(format!("shell form started {a:?}, exec form {b:?}")),
        (None, Some(b)) => Err(format!(
            "the shell form started no program (exit {status}); the exec form {b:?}"
        )),
        (Some(a), None) => Err(format!("the exec form cannot start; the shell form {a:?}")),
        (None, None) => Err(format!(
            "neither form started a program (shell exit {status})"
        )),
    }
}

/// A shell form against the shell form a fix writes (`exec` in front): both run by the same
/// shell, with the variables they expand set, must start the same program the same way.
fn compare_shell(shell: &[String], before: &str, after: &str) -> Result<(), String> {
    // The program first (a stub is made at an absolute path, rooted in the sandbox), then
    // every other word that can name one.
    let program = before.split_whitespace().next().unwrap_or("").to_string();
    let mut words = vec![program.clone()];
    words.extend(
        after
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\''))
            .filter(|w| !w.is_empty() && !w.contains('$') && *w != "exec")
            .map(str::to_string),
    );
    let sandbox = Sandbox::new(&words);
    let (before, after) = if program.starts_with('/') {
        let rooted = sandbox.rooted(&program);
        (
            before.replacen(&program, &rooted, 1),
            after.replacen(&program, &rooted, 1),
        )
    } else {
        (before.to_string(), after.to_string())
    };
    let vars: Vec<String> = after
        .split('$')
        .skip(1)
        .map(|rest| {
            rest.trim_start_matches('{')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .filter(|v: &String| !v.is_empty())
        .collect();
    let run = |text: &str| -> Result<Option<Recorded>, String> {
        let mut c = sandbox.command(&shell[0]);
        for v in &vars {
            if v != "PATH" && v != "HOME" {
                c.env(v, format!("value-of-{v}"));
            }
        }
        c.args(&shell[1..])
            .arg("-c")
            .arg(text)
            .status()
            .map_err(|e| e.to_string())?;
        Ok(sandbox.take_record())
    };
    match (run(&before)?, run(&after)?) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err(format!("before: {a:?}, after: {b:?}")),
        (a, b) => Err(format!(
            "a form started no program: before {a:?}, after {b:?}"
        )),
    }
}

/// Conversions known to be wrong must fail the comparison with every shell.
fn oracle_tells_wrong_conversions(shells: &[Vec<String>]) -> Vec<String> {
    let wrong: &[(&str, &[&str])] = &[
        (
            "exec gunicorn --bind 0.0.0.0:8080 app:app",
            &["exec", "gunicorn", "--bind", "0.0.0.0:8080", "app:app"],
        ),
        (
            "FLASK_ENV=prod python app.py",
            &["FLASK_ENV=prod", "python", "app.py"],
        ),
        ("cd /app", &["cd", "/app"]),
        ("ulimit -n 4096", &["ulimit", "-n", "4096"]),
        ("echo hi", &["echo", "hi"]),
        ("python 'a b'", &["python", "'a", "b'"]),
        ("python a\\ b", &["python", "a\\", "b"]),
    ];
    let mut missed = Vec::new();
    // `exec` in front of a builtin or an assignment is not the same command.
    for (before, after) in [
        ("FOO=$BAR python app.py", "exec FOO=$BAR python app.py"),
        ("echo $PORT", "exec echo $PORT"),
    ] {
        for shell in shells {
            if compare_shell(shell, before, after).is_ok() {
                missed.push(format!(
                    "the oracle took `{before}` -> `{after}` for equivalent with {shell:?}"
                ));
            }
        }
    }
    for (text, exec) in wrong {
        let exec: Vec<String> = exec.iter().map(|s| s.to_string()).collect();
        for shell in shells {
            if compare(shell, text, &exec).is_ok() {
                missed.push(format!(
                    "the oracle took `{text}` -> {exec:?} for equivalent with {shell:?}"
                ));
            }
        }
    }
    missed
}
