//! Build script: the commit `dockerfix --version` prints (`DOCKERFIX_VERSION`,
//! `DOCKERFIX_COMMIT`, read by `src/project.rs`).
//!
//! The commit comes from git when the crate is built in its own checkout (not when git finds
//! an enclosing repository, as for a packaged crate unpacked inside another checkout), or else
//! from `DOCKERFIX_BUILD_COMMIT` (the container image's build passes its `GIT_COMMIT` argument,
//! as its context has no `.git`), or from the `.cargo_vcs_info.json` that `cargo package`
//! writes (so `cargo install dockerfix` knows the commit the release was packaged from).
//! Without any, the version alone.
//!
//! It also sets `cfg(dockerfix_no_corpus)` when the shared corpus is not there
//! (`$DOCKERFIX_SHARED/corpus`, or `../shared/corpus` beside the checkout): the tests that read
//! it are then reported as ignored, with the reason, instead of failing (CI runs with the
//! corpus: `.ci/run` checks for it first, and a test fails under `CI` when it is missing), and
//! `cfg(dockerfix_no_e2e)` unless `DOCKERFIX_E2E=1`, for the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The commit of the checkout at `manifest_dir`, and the files whose change means a new one.
fn from_git(manifest_dir: &Path) -> Option<(String, Vec<PathBuf>)> {
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), manifest_dir) {
        return None;
    }
    let commit = git(manifest_dir, &["rev-parse", "--short=12", "HEAD"])?;
    // HEAD, the branch it points to and packed-refs: a commit or a checkout changes one.
    let mut watch = Vec::new();
    let mut names = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    for name in names {
        if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", &name]) {
            let path = manifest_dir.join(path);
            // A path that does not exist would make Cargo rerun this script every build.
            if path.exists() {
                watch.push(path);
            }
        }
    }
    Some((commit, watch))
}

/// The commit `cargo package` recorded (`"sha1": "<40 hex digits>"`).
fn from_vcs_info(manifest_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")).ok()?;
    let at = text.find("\"sha1\"")?;
    let rest = text.get(at + 6..)?;
    let start = rest.find(|c: char| c.is_ascii_hexdigit())?;
    let sha: String = rest
        .get(start..)?
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (sha.len() >= 12).then(|| sha.chars().take(12).collect())
}

/// Whether the shared corpus the corpus tests read is there.
fn corpus_present(manifest_dir: &Path) -> bool {
    println!("cargo:rerun-if-env-changed=DOCKERFIX_SHARED");
    println!("cargo::rustc-check-cfg=cfg(dockerfix_no_corpus)");
    let shared = std::env::var_os("DOCKERFIX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../shared"));
    let manifest = shared.join("corpus/MANIFEST.tsv");
    // Watched whether or not it exists: the corpus appearing later is noticed.
    println!("cargo:rerun-if-changed={}", manifest.display());
    manifest.is_file()
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    if !corpus_present(&manifest_dir) {
        println!("cargo::rustc-cfg=dockerfix_no_corpus");
    }
    // The end-to-end tests (tests/e2e.rs) run only with DOCKERFIX_E2E=1; without it they are
    // reported as ignored, with the reason, not as passed.
    println!("cargo:rerun-if-env-changed=DOCKERFIX_E2E");
    println!("cargo::rustc-check-cfg=cfg(dockerfix_no_e2e)");
    if std::env::var("DOCKERFIX_E2E").as_deref() != Ok("1") {
        println!("cargo::rustc-cfg=dockerfix_no_e2e");
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-changed=src/build.rs");
    if manifest_dir.join(".cargo_vcs_info.json").exists() {
        println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    }
    // Given by whoever builds without git (the container image's `GIT_COMMIT` argument).
    println!("cargo:rerun-if-env-changed=DOCKERFIX_BUILD_COMMIT");
    let given = std::env::var("DOCKERFIX_BUILD_COMMIT")
        .ok()
        .map(|c| c.trim().chars().take(12).collect::<String>())
        .filter(|c| c.len() >= 7 && c.chars().all(|ch| ch.is_ascii_hexdigit()));
    let commit = match from_git(&manifest_dir) {
        Some((commit, watch)) => {
            for path in watch {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            Some(commit)
        }
        None => given.or_else(|| from_vcs_info(&manifest_dir)),
    };
    let full = match &commit {
        Some(c) => format!("{version} ({c})"),
        None => version,
    };
    println!("cargo:rustc-env=DOCKERFIX_VERSION={full}");
    println!(
        "cargo:rustc-env=DOCKERFIX_COMMIT={}",
        commit.unwrap_or_default()
    );
}
