//! The build context: the folder a build sends to the engine (`--context`, by default the
//! Dockerfile's folder). Context-aware rules ask it whether a manifest exists, read small
//! files (requirements, package.json, .dockerignore) and list folders. Nothing is read until a
//! rule asks, so files whose rules never look cost nothing.
//!
//! A fix may create a file (DF102 writes a `.dockerignore`); until the run writes it, the
//! file lives in the context's overlay so that the next round of rules sees it.

pub mod choose;
pub mod vcs;

use std::any::Any;
use std::collections::HashMap;
use std::ffi::OsString;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Files larger than this are not read by rules (a manifest is small).
const MAX_READ: u64 = 1 << 20;

#[derive(Clone, Debug)]
pub struct BuildContext {
    root: PathBuf,
    /// The Dockerfile, for `<Dockerfile>.dockerignore`.
    dockerfile: Option<PathBuf>,
    /// Files created by fixes and not written yet: path relative to the root, content.
    overlay: Vec<(String, String)>,
    /// What the run has already read of the file system, shared by its Dockerfiles.
    cache: Option<Arc<ContextCache>>,
    /// Named build contexts the compose or bake files declare (`FROM NAME` is one of them, not
    /// an image).
    named: Arc<[String]>,
    /// Build arguments the compose service or bake target that builds the Dockerfile passes.
    build_args: Arc<[String]>,
    /// Whether the context was named (`--context`, `[[contexts]]`, compose, bake) rather than
    /// taken to be the Dockerfile's folder by default.
    declared: bool,
}

impl PartialEq for BuildContext {
    fn eq(&self, other: &Self) -> bool {
        (&self.root, &self.dockerfile, &self.overlay)
            == (&other.root, &other.dockerfile, &other.overlay)
    }
}

impl Eq for BuildContext {}

/// What a run has read of build contexts: folder listings, file kinds and small files, and
/// what rules computed once per context folder ([`BuildContext::memo`]). Dockerfiles of one
/// folder share it, so that a folder of many Dockerfiles is read once, not once per file. A
/// run reads each path once: files that change during the run are not seen changing (as
/// with one Dockerfile checked at a time).
///
/// The maps are keyed by the path's bytes with a multiply-rotate hash: hashing a `PathBuf`
/// walks its components, and std's SipHash guards against inputs chosen to collide, which
/// paths the user asked us to read are not. Both showed in profiles of `check` on large trees.
#[derive(Default)]
pub struct ContextCache {
    kinds: Mutex<PathMap<Kind>>,
    reads: Mutex<PathMap<Option<Arc<str>>>>,
    lists: Mutex<PathMap<Arc<Vec<String>>>>,
    memo: Mutex<HashMap<(OsString, &'static str), Memo, BuildHasherDefault<FastHash>>>,
}

pub(crate) type PathMap<V> = HashMap<OsString, V, BuildHasherDefault<FastHash>>;

/// A fast, non-cryptographic hash for path bytes (the Fx hash's multiply-rotate step, eight
/// bytes at a time).
#[derive(Default)]
pub struct FastHash(u64);

impl Hasher for FastHash {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A value a rule computed for one context folder.
type Memo = Arc<dyn Any + Send + Sync>;

impl std::fmt::Debug for ContextCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContextCache")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Other,
    Missing,
}

fn kind_of(path: &Path) -> Kind {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Kind::File,
        Ok(m) if m.is_dir() => Kind::Dir,
        Ok(_) => Kind::Other,
        Err(_) => Kind::Missing,
    }
}

fn read_small(path: &Path) -> Option<String> {
    // Opened first and asked for its size through the handle: one path lookup, not two.
    let mut file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_READ {
        return None;
    }
    let mut text = String::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::io::Read::read_to_string(&mut file, &mut text).ok()?;
    Some(text)
}

/// The names in a folder that are UTF-8, sorted (so that a name is looked up by binary search).
fn list_dir(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort_unstable();
    names
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Files at a context's root (and its `.github/workflows/`) that build images with
/// arguments: Makefiles, shell scripts, task runners, CI definitions.
fn is_build_script(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "makefile" | "gnumakefile" | "justfile" | "jenkinsfile" | ".gitlab-ci.yml" | "taskfile.yml"
    ) || [".mk", ".sh", ".bash", ".yml", ".yaml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// The build argument names that the build scripts at the context's root pass: the word after
/// each `--build-arg` (`--build-arg NAME=v`, `--build-arg=NAME`, `--build-arg NAME`), and the
/// `NAME=` lines of a `build-args:` block (GitHub Actions' docker/build-push-action). Also
/// those at the repository's root (the nearest folder above with a `.git`), when the context
/// is a folder below it: CI workflows live there (jitsi's `web/` image, built by
/// `.github/workflows/release-stable.yml` with `BASE_TAG=...`).
fn scripted_build_args(context: &BuildContext) -> Vec<String> {
    let mut files: Vec<String> = context
        .list("")
        .into_iter()
        .filter(|n| is_build_script(n))
        .collect();
    files.extend(
        context
            .list(".github/workflows")
            .into_iter()
            .filter(|n| is_build_script(n))
            .map(|n| format!(".github/workflows/{n}")),
    );
    let mut names: Vec<String> = Vec::new();
    for file in files.iter().take(50) {
        if let Some(text) = context.read(file) {
            build_args_in(&text, &mut names);
        }
    }
    if let Some(repo) = repository_root_above(context.root()) {
        let listed = |dir: &Path| -> Vec<PathBuf> {
            let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_str().is_some_and(is_build_script))
                .map(|e| e.path())
                .collect();
            found.sort();
            found
        };
        let mut outside = listed(&repo);
        outside.extend(listed(&repo.join(".github").join("workflows")));
        for path in outside.iter().take(50) {
            let small = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_READ);
            if let Some(text) = small.then(|| std::fs::read_to_string(path).ok()).flatten() {
                build_args_in(&text, &mut names);
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The repository's root (the nearest folder with a `.git`) when it is above `root`, not
/// `root` itself.
fn repository_root_above(root: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    if root.join(".git").exists() {
        return None;
    }
    root.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Adds the build argument names one build script passes (see [`scripted_build_args`]).
fn build_args_in(text: &str, names: &mut Vec<String>) {
    let is_name = |n: &str| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !n.starts_with(|c: char| c.is_ascii_digit())
    };
    if !text.contains("--build-arg") && !text.contains("build-args") && !text.contains("build_args")
    {
        return;
    }
    let mut rest = text;
    while let Some(i) = rest.find("--build-arg") {
        rest = &rest[i + "--build-arg".len()..];
        let word = rest
            .strip_prefix('=')
            .unwrap_or_else(|| rest.trim_start_matches([' ', '\t']));
        let word = word.trim_start_matches(['"', '\'']);
        let end = word
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(word.len());
        if let Some(n) = word.get(..end).filter(|n| is_name(n)) {
            names.push(n.to_string());
        }
    }
    // `build-args: |` then indented `NAME=value` lines (or a `- NAME=value` list).
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if let Some(b) = block {
            if t.is_empty() {
                continue;
            }
            if indent <= b {
                block = None;
            } else {
                let t = t.trim_start_matches("- ").trim_start_matches(['"', '\'']);
                if let Some((n, _)) = t.split_once('=').filter(|(n, _)| is_name(n)) {
                    names.push(n.to_string());
                }
                continue;
            }
        }
        if t.starts_with("build-args:") || t.starts_with("build_args:") {
            block = Some(indent);
        }
    }
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
            cache: None,
            named: Arc::from(Vec::new()),
            build_args: Arc::from(Vec::new()),
            declared: false,
        }
    }

    /// The same context, with the names of the build arguments the compose service or bake
    /// target that builds the Dockerfile passes (`build.args`, `args`).
    pub fn with_build_args(self, names: Vec<String>) -> BuildContext {
        BuildContext {
            build_args: Arc::from(names),
            ..self
        }
    }

    /// Whether the build passes `name` as a build argument (so the file's default for it is
    /// not what is built): the compose service or bake target that builds the Dockerfile, or a
    /// build script at the context's root ([`scripted_build_args`]: `--build-arg NAME=...` in
    /// a Makefile, a shell script, a CI workflow; `build-args:` of a GitHub Actions step).
    pub fn passes_build_arg(&self, name: &str) -> bool {
        self.build_args.iter().any(|n| n == name)
            || self
                .memo("scripted-build-args", || scripted_build_args(self))
                .iter()
                .any(|n| n == name)
    }

    /// The context a [`choose::ContextChooser`] chose, with what the compose or bake file that
    /// builds the Dockerfile says of its build (named contexts, build arguments).
    pub fn chosen(c: choose::Chosen) -> BuildContext {
        BuildContext {
            declared: c.source != choose::Source::DockerfileFolder,
            ..BuildContext::new(c.root)
                .with_named_contexts(c.named_contexts)
                .with_build_args(c.build_args)
        }
    }

    /// Whether the context was named (`--context`, `[[contexts]]`, a compose service, a bake
    /// target) rather than guessed: a file missing from a guessed context may be in the real one.
    pub fn is_declared(&self) -> bool {
        self.declared
    }

    /// The same context, with the names of the named build contexts the build passes
    /// (`additional_contexts`, bake's `contexts`).
    pub fn with_named_contexts(self, names: Vec<String>) -> BuildContext {
        BuildContext {
            named: Arc::from(names),
            ..self
        }
    }

    /// Whether `reference` (`FROM php-base`, `COPY --from=assets`, `FROM alpine:3.20`) names a
    /// named build context rather than an image or a stage: as BuildKit looks them up, the
    /// reference as written, or its name without the tag.
    pub fn is_named_context(&self, reference: &str) -> bool {
        let name = match reference.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name,
            _ => reference,
        };
        self.named.iter().any(|n| n == reference || n == name)
    }

    /// The same context reading through a run's shared cache.
    pub fn with_cache(self, cache: Arc<ContextCache>) -> BuildContext {
        BuildContext {
            cache: Some(cache),
            ..self
        }
    }

    /// Whether the listing of the path's folder, when it was read already (the context's
    /// root is listed for the purpose), shows that nothing is there: an answer without a
    /// system call. An empty listing proves nothing (a folder that could not be listed).
    fn listed_missing(&self, c: &ContextCache, path: &Path) -> bool {
        if path.parent() == Some(self.root.as_path()) {
            self.list_path(&self.root);
        }
        // Listings hold only names that are UTF-8: others are never taken for missing.
        let listed = path.parent().zip(path.file_name()).and_then(|(dir, name)| {
            let name = name.to_str()?;
            let lists = lock(&c.lists);
            let names = lists.get(dir.as_os_str())?;
            (!names.is_empty()).then(|| names.binary_search_by(|n| n.as_str().cmp(name)).is_ok())
        });
        listed == Some(false)
    }

    fn kind(&self, path: &Path) -> Kind {
        match &self.cache {
            None => kind_of(path),
            Some(c) => {
                if let Some(k) = lock(&c.kinds).get(path.as_os_str()) {
                    return *k;
                }
                // A name missing from its folder's listing is missing: no `stat` (most
                // questions are about files that are not there, such as `package.json` beside
                // a Python project).
                if self.listed_missing(c, path) {
                    return Kind::Missing;
                }
                let k = kind_of(path);
                lock(&c.kinds).insert(path.as_os_str().to_owned(), k);
                k
            }
        }
    }

    fn read_path(&self, path: &Path) -> Option<String> {
        match &self.cache {
            None => read_small(path),
            Some(c) => {
                if let Some(hit) = lock(&c.reads).get(path.as_os_str()) {
                    return hit.as_deref().map(str::to_string);
                }
                // A file its folder's listing does not hold is not read (no failed `open`):
                // most reads are of files that are not there (`Dockerfile.dockerignore`).
                let text = if self.listed_missing(c, path) {
                    None
                } else {
                    read_small(path)
                };
                lock(&c.reads).insert(path.as_os_str().to_owned(), text.as_deref().map(Arc::from));
                text
            }
        }
    }

    fn list_path(&self, path: &Path) -> Arc<Vec<String>> {
        match &self.cache {
            None => Arc::new(list_dir(path)),
            Some(c) => {
                if let Some(hit) = lock(&c.lists).get(path.as_os_str()) {
                    return hit.clone();
                }
                let names = Arc::new(list_dir(path));
                lock(&c.lists).insert(path.as_os_str().to_owned(), names.clone());
                names
            }
        }
    }

    /// A value a rule computes once per context folder and run (`key` names it), such as
    /// what all the Dockerfiles of the folder install. Without a shared cache, or with files a
    /// fix created in this context, it is computed each time.
    pub fn memo<T: Any + Send + Sync>(
        &self,
        key: &'static str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let Some(c) = self.cache.as_ref().filter(|_| self.overlay.is_empty()) else {
            return Arc::new(make());
        };
        let k = (self.root.as_os_str().to_owned(), key);
        if let Some(hit) = lock(&c.memo).get(&k).cloned()
            && let Ok(v) = hit.downcast::<T>()
        {
            return v;
        }
        let v = Arc::new(make());
        lock(&c.memo).insert(k, v.clone());
        v
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
        self.overlay(rel).is_some() || self.path(rel).is_some_and(|p| self.kind(&p) == Kind::File)
    }

    pub fn is_dir(&self, rel: &str) -> bool {
        self.path(rel).is_some_and(|p| self.kind(&p) == Kind::Dir)
    }

    /// Whether anything exists at `rel`.
    pub fn exists(&self, rel: &str) -> bool {
        self.overlay(rel).is_some()
            || self
                .path(rel)
                .is_some_and(|p| self.kind(&p) != Kind::Missing)
    }

    /// A small text file's content (None when absent, too large, or not UTF-8).
    pub fn read(&self, rel: &str) -> Option<String> {
        if let Some(c) = self.overlay(rel) {
            return Some(c.to_string());
        }
        let path = self.path(rel)?;
        self.read_path(&path)
    }

    /// The names in the root folder, as read (sorted, no files a fix created), shared.
    pub(crate) fn root_listing(&self) -> Arc<Vec<String>> {
        self.list_path(&self.root)
    }

    /// The names in a folder of the context, sorted (empty when it is not a folder).
    pub fn list(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = match self.path(rel) {
            Some(p) => self.list_path(&p).as_ref().clone(),
            None => Vec::new(),
        };
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
            if let Some(text) = self.read_path(&specific) {
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

    #[test]
    fn a_shared_cache_reads_once_and_memoises_per_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        let cache = Arc::new(ContextCache::default());
        let a = BuildContext::new(dir.path()).with_cache(cache.clone());
        let b = BuildContext::new(dir.path())
            .for_dockerfile(&dir.path().join("other.Dockerfile"))
            .with_cache(cache);
        assert_eq!(a.read("package.json").as_deref(), Some("{}"));
        // Read once per run: a change during the run is not seen.
        std::fs::write(dir.path().join("package.json"), "{\"x\": 1}").unwrap();
        assert_eq!(b.read("package.json").as_deref(), Some("{}"));
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let make = || {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            42usize
        };
        assert_eq!(*a.memo("k", make), 42);
        assert_eq!(*b.memo("k", make), 42);
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1);
        // Without a cache, or with files a fix created, it is computed each time.
        let plain = BuildContext::new(dir.path());
        assert_eq!(*plain.memo("k", make), 42);
        let overlaid = a.with_file(&NewFile {
            path: ".dockerignore".into(),
            content: String::new(),
        });
        assert_eq!(*overlaid.memo("k", make), 42);
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 3);
    }
}
