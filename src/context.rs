//! The build context: the folder a build sends to the engine (`--context`, by default the
//! Dockerfile's folder). Context-aware rules ask it whether a manifest exists, read small
//! files (requirements, package.json, .dockerignore) and list folders. Nothing is read until a
//! rule asks, so files whose rules never look cost nothing.
//!
//! A fix may create a file (DF102 writes a `.dockerignore`); until the run writes it, the
//! file lives in the context's overlay so that the next round of rules sees it.

use std::path::{Path, PathBuf};

/// Files larger than this are not read by rules (a manifest is small).
const MAX_READ: u64 = 1 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildContext {
    root: PathBuf,
    /// The Dockerfile, for `<Dockerfile>.dockerignore`.
    dockerfile: Option<PathBuf>,
    /// Files created by fixes and not written yet: path relative to the root, content.
    overlay: Vec<(String, String)>,
}

/// A file a fix creates. The path is relative to the build context's root.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewFile {
    pub path: String,
    pub content: String,
}

/// A context-relative path in a normal form (`./a//b/` is `a/b`), or None when it leaves the
/// context (`..`).
pub fn normalize(rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl BuildContext {
    pub fn new(root: impl Into<PathBuf>) -> BuildContext {
        BuildContext {
            root: root.into(),
            dockerfile: None,
            overlay: Vec::new(),
        }
    }

    /// The same context for a given Dockerfile (its `<name>.dockerignore` wins over the
    /// context's `.dockerignore`, as in BuildKit).
    pub fn for_dockerfile(&self, dockerfile: &Path) -> BuildContext {
        BuildContext {
            dockerfile: Some(dockerfile.to_path_buf()),
            ..self.clone()
        }
    }

    /// The context with a file a fix created (not written yet).
    pub fn with_file(&self, file: &NewFile) -> BuildContext {
        let mut c = self.clone();
        if let Some(p) = normalize(&file.path) {
            c.overlay.retain(|(q, _)| *q != p);
            c.overlay.push((p, file.content.clone()));
        }
        c
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The Dockerfile this context is for, when known.
    pub fn dockerfile(&self) -> Option<&Path> {
        self.dockerfile.as_deref()
    }

    fn path(&self, rel: &str) -> Option<PathBuf> {
        let rel = normalize(rel)?;
        Some(if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        })
    }

    fn overlay(&self, rel: &str) -> Option<&str> {
        let rel = normalize(rel)?;
        self.overlay
            .iter()
            .find(|(p, _)| *p == rel)
            .map(|(_, c)| c.as_str())
    }

    /// Whether a regular file (or a symlink to one) exists at `rel`.
    pub fn is_file(&self, rel: &str) -> bool {
        self.overlay(rel).is_some() || self.path(rel).is_some_and(|p| p.is_file())
    }

    pub fn is_dir(&self, rel: &str) -> bool {
        self.path(rel).is_some_and(|p| p.is_dir())
    }

    /// Whether anything exists at `rel`.
    pub fn exists(&self, rel: &str) -> bool {
        self.overlay(rel).is_some() || self.path(rel).is_some_and(|p| p.exists())
    }

    /// A small text file's content (None when absent, too large, or not UTF-8).
    pub fn read(&self, rel: &str) -> Option<String> {
        if let Some(c) = self.overlay(rel) {
            return Some(c.to_string());
        }
        let path = self.path(rel)?;
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_READ {
            return None;
        }
        std::fs::read_to_string(path).ok()
    }

    /// The names in a folder of the context, sorted (empty when it is not a folder).
    pub fn list(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .path(rel)
            .and_then(|p| std::fs::read_dir(p).ok())
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        let dir = normalize(rel).unwrap_or_default();
        for (p, _) in &self.overlay {
            let (parent, name) = p.rsplit_once('/').unwrap_or(("", p));
            if parent == dir && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        names.sort();
        names
    }

    /// The ignore file the build uses: `<Dockerfile>.dockerignore` next to the Dockerfile if
    /// it exists, else `.dockerignore` at the context root. Returns its path as shown to users
    /// and its content.
    pub fn dockerignore(&self) -> Option<(PathBuf, String)> {
        if let Some(df) = &self.dockerfile {
            let mut name = df.file_name()?.to_os_string();
            name.push(".dockerignore");
            let specific = df.with_file_name(name);
            if let Ok(text) = std::fs::read_to_string(&specific) {
                return Some((specific, text));
            }
        }
        let text = self.read(".dockerignore")?;
        Some((self.root.join(".dockerignore"), text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert_eq!(normalize("./a//b/").as_deref(), Some("a/b"));
        assert_eq!(normalize("/a/../b").as_deref(), Some("b"));
        assert_eq!(normalize(".").as_deref(), Some(""));
        assert_eq!(normalize("../x"), None);
    }

    #[test]
    fn reads_lists_and_overlays() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let ctx = BuildContext::new(dir.path());
        assert!(ctx.is_file("./requirements.txt"));
        assert!(!ctx.is_file("src") && ctx.is_dir("src/"));
        assert_eq!(ctx.read("requirements.txt").as_deref(), Some("flask\n"));
        assert_eq!(ctx.list("."), vec!["requirements.txt", "src"]);
        assert!(ctx.dockerignore().is_none());
        let ctx = ctx.with_file(&NewFile {
            path: ".dockerignore".into(),
            content: ".git\n".into(),
        });
        assert_eq!(ctx.dockerignore().unwrap().1, ".git\n");
        assert!(ctx.list("").contains(&".dockerignore".to_string()));
        // The Dockerfile's own ignore file wins.
        std::fs::write(dir.path().join("Dockerfile.dockerignore"), "*.md\n").unwrap();
        let ctx = ctx.for_dockerfile(&dir.path().join("Dockerfile"));
        assert_eq!(ctx.dockerignore().unwrap().1, "*.md\n");
    }
}
