//! The history of a git repository, read once per repository: the first-parent chain of
//! commits from HEAD (what a CI builds, one build after the other) with the files each one
//! changed against the commit before it, and the Dockerfiles' texts at the commits that
//! changed them. `git` runs as a subprocess: one `git log` per repository, stopped as soon as
//! every watched path has the commits asked for, and one `git cat-file --batch` for all the
//! Dockerfile versions (docs/cache-model.md compares this with a library).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One commit of the first-parent chain and the paths (repository-relative) it changed.
#[derive(Clone, Debug)]
pub struct Commit {
    pub id: String,
    pub files: Vec<String>,
}

/// The commits read, newest first.
#[derive(Clone, Debug, Default)]
pub struct Log {
    pub commits: Vec<Commit>,
}

/// The top folder of the git work tree a folder is in (where `.git` is, a folder or, for a
/// linked work tree or a submodule, a file), or None outside git.
pub fn repository_of(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A path relative to the repository's top folder, `/`-separated ("" for the top itself).
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let abs = std::path::absolute(path).ok()?;
    let rel = abs.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_str().map(str::to_string))
        .collect::<Option<_>>()?;
    crate::context::normalize(&parts.join("/"))
}

/// Whether a repository path is `watch` or inside it ("" watches everything).
pub fn under(path: &str, watch: &str) -> bool {
    watch.is_empty()
        || path == watch
        || path
            .strip_prefix(watch)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Reads the first-parent history from HEAD until each set of watched paths has been
/// changed by `n` commits (or the history ends): `watches` holds, per Dockerfile, its build
/// context and the Dockerfile itself.
pub fn read_log(root: &Path, watches: &[Vec<String>], n: usize) -> Result<Log, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--first-parent",
            "-m",
            "--no-renames",
            "--name-only",
            "-z",
            "--format=%x01%H",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let Some(stdout) = child.stdout.take() else {
        return Err("cannot read git's output".into());
    };
    let mut counts = vec![0usize; watches.len()];
    let mut done = watches.is_empty() || n == 0;
    let mut log = Log::default();
    let mut current: Option<Commit> = None;
    let finish = |c: Commit, counts: &mut Vec<usize>, log: &mut Log| -> bool {
        for (w, count) in watches.iter().zip(counts.iter_mut()) {
            if *count < n && c.files.iter().any(|f| w.iter().any(|p| under(f, p))) {
                *count += 1;
            }
        }
        log.commits.push(c);
        counts.iter().all(|&c| c >= n)
    };
    if !done {
        for token in BufReader::new(stdout).split(0) {
            let token = token.map_err(|e| format!("reading git log: {e}"))?;
            let text = String::from_utf8_lossy(&token);
            let text = text.trim_start_matches('\n');
            if let Some(id) = text.strip_prefix('\u{1}') {
                if let Some(c) = current.take()
                    && finish(c, &mut counts, &mut log)
                {
                    done = true;
                    break;
                }
                current = Some(Commit {
                    id: id.trim().to_string(),
                    files: Vec::new(),
                });
            } else if !text.is_empty()
                && let Some(c) = current.as_mut()
            {
                c.files.push(text.to_string());
            }
        }
    }
    if !done && let Some(c) = current.take() {
        finish(c, &mut counts, &mut log);
    }
    // Stopped early: the rest of the history is not wanted.
    let _ = child.kill();
    let status = child.wait().map_err(|e| e.to_string())?;
    if !done && !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        // An empty repository has no HEAD: no history.
        if err.contains("does not have any commits") || err.contains("bad default revision") {
            return Ok(Log::default());
        }
        return Err(format!("git log failed: {}", err.trim()));
    }
    Ok(log)
}

/// The texts of `rev:path` objects (None where there is no such file), with one `git
/// cat-file --batch` for them all.
pub fn read_blobs(
    root: &Path,
    specs: &[String],
) -> Result<HashMap<String, Option<String>>, String> {
    let mut out = HashMap::new();
    if specs.is_empty() {
        return Ok(out);
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("cannot write to git")?;
    let input: String = specs.iter().map(|s| format!("{s}\n")).collect();
    // A thread writes while this one reads, so that neither pipe fills up.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let stdout = child.stdout.take().ok_or("cannot read git's output")?;
    let mut reader = BufReader::new(stdout);
    for spec in specs {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            break;
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        match fields.as_slice() {
            [_, "blob", size] => {
                let size: usize = size.parse().map_err(|_| "bad git cat-file output")?;
                let mut body = vec![0u8; size + 1];
                reader.read_exact(&mut body).map_err(|e| e.to_string())?;
                body.pop();
                out.insert(spec.clone(), String::from_utf8(body).ok());
            }
            [_, _, size] => {
                // Not a file (a tree): skip its content.
                let size: usize = size.parse().map_err(|_| "bad git cat-file output")?;
                let mut body = vec![0u8; size + 1];
                reader.read_exact(&mut body).map_err(|e| e.to_string())?;
                out.insert(spec.clone(), None);
            }
            _ => {
                out.insert(spec.clone(), None);
            }
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_a_watch() {
        assert!(under("app/x.py", "app"));
        assert!(under("app", "app"));
        assert!(!under("apple/x", "app"));
        assert!(under("anything", ""));
    }
}
