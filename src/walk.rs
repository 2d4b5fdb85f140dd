//! File discovery: paths named on the command line are always taken; directories are walked in
//! parallel with the `ignore` crate (honouring `.gitignore`, `.ignore` and global git excludes,
//! also outside a git repository) and keep the files named like Dockerfiles.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether a file name is a Dockerfile's, case-insensitive: `Dockerfile` and `Containerfile`,
/// alone or with a suffix after `.`, `-` or `_` (`Dockerfile.dev`, `Dockerfile-py3`,
/// `Dockerfile_gaudi`), or as the extension (`api.Dockerfile`, `x.containerfile`). Never
/// ignore files (`.dockerignore`) nor templates that are not Dockerfiles yet (`.template`,
/// `.tmpl`, `.tpl`, `.j2`, `.jinja`, `.in`).
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore")
        || [
            ".template",
            ".tmpl",
            ".tpl",
            ".j2",
            ".jinja",
            ".jinja2",
            ".in",
        ]
        .iter()
        .any(|t| lower.ends_with(t))
    {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|stem| {
        lower == *stem
            || lower
                .strip_prefix(stem)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['.', '-', '_']))
            || lower
                .strip_suffix(stem)
                .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
    })
}

#[derive(Clone)]
pub struct WalkOptions<'a> {
    pub respect_gitignore: bool,
    /// Whether a file found by walking is taken (by default, [`is_dockerfile_name`]; the CLI
    /// asks the file's settings: `include`, `extend-include`).
    pub wants: &'a (dyn Fn(&Path) -> bool + Sync),
}

impl std::fmt::Debug for WalkOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalkOptions")
            .field("respect_gitignore", &self.respect_gitignore)
            .finish()
    }
}

/// The default of [`WalkOptions::wants`]: the file's name is a Dockerfile's.
pub fn by_name(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| is_dockerfile_name(&n.to_string_lossy()))
}

#[derive(Debug)]
pub struct Discovered {
    pub path: PathBuf,
    /// Named on the command line (not found by walking).
    pub explicit: bool,
}

/// Finds the files to process. Errors (unreadable folders, missing paths) are returned beside.
pub fn discover(
    paths: &[PathBuf],
    opts: &WalkOptions,
) -> (Vec<Discovered>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let found = Mutex::new(Vec::new());
                let errs = Mutex::new(Vec::new());
                let mut builder = ignore::WalkBuilder::new(p);
                builder
                    .hidden(false)
                    .require_git(false)
                    .git_ignore(opts.respect_gitignore)
                    .git_global(opts.respect_gitignore)
                    .git_exclude(opts.respect_gitignore)
                    .ignore(opts.respect_gitignore)
                    .parents(opts.respect_gitignore)
                    .filter_entry(|e| e.file_name() != ".git");
                builder.build_parallel().run(|| {
                    Box::new(|entry| {
                        match entry {
                            Ok(e) => {
                                let is_file =
                                    e.file_type().is_some_and(|t| t.is_file() || t.is_symlink());
                                if is_file && (opts.wants)(e.path()) {
                                    found
                                        .lock()
                                        .unwrap_or_else(|p| p.into_inner())
                                        .push(e.into_path());
                                }
                            }
                            Err(err) => {
                                let path = match &err {
                                    ignore::Error::WithPath { path, .. } => path.clone(),
                                    _ => PathBuf::new(),
                                };
                                errs.lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((path, err.to_string()));
                            }
                        }
                        ignore::WalkState::Continue
                    })
                });
                let mut found = found.into_inner().unwrap_or_else(|p| p.into_inner());
                found.sort();
                files.extend(found.into_iter().map(|path| Discovered {
                    path,
                    explicit: false,
                }));
                errors.extend(errs.into_inner().unwrap_or_else(|p| p.into_inner()));
            }
            Ok(_) => files.push(Discovered {
                path: p.clone(),
                explicit: true,
            }),
            Err(e) => errors.push((p.clone(), e.to_string())),
        }
    }
    (files, errors)
}

/// The current folder, read once per process (`std::path::absolute` asks the kernel each
/// time: three `getcwd` calls per file showed in a profile of `check`).
fn cwd() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// `std::path::absolute` with the current folder read once: a relative path is joined to it,
/// and `.` components and repeated separators are dropped (`..` is kept, as there).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.components().collect();
    }
    match cwd() {
        Some(c) => c.join(path).components().collect(),
        None => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// A path as shown to the user: relative to the current folder when it is below it.
pub fn display_path(path: &Path) -> String {
    let shown = cwd()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    shown
        .strip_prefix(".")
        .unwrap_or(shown)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths() {
        for p in ["a/b", "./a//b/./c", "../x", "/abs/./y", ".", "a/"] {
            let p = Path::new(p);
            assert_eq!(
                absolute(p),
                std::path::absolute(p).unwrap(),
                "{}",
                p.display()
            );
        }
    }

    #[test]
    fn names() {
        for n in [
            "Dockerfile",
            "dockerfile",
            "DOCKERFILE",
            "Containerfile",
            "Dockerfile.dev",
            "Dockerfile-py3",
            "Dockerfile_gaudi",
            "Dockerfile_amd",
            "Containerfile.fedora",
            "containerfile-minimal",
            "api.Dockerfile",
            "x.dockerfile",
            "x.Containerfile",
        ] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        for n in [
            ".dockerignore",
            "Dockerfile.dockerignore",
            "README.md",
            ".dockerfile",
            "Dockerfiles",
            "Dockerfile.template",
            "Dockerfile.j2",
            "Dockerfile.in",
            "Dockerfile.tmpl",
            "Dockerfile-",
            "dockerfile_",
            "dockerfilex",
            "mydockerfile",
        ] {
            assert!(!is_dockerfile_name(n), "{n}");
        }
    }
}
