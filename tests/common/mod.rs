//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared` beside the repository (CI lays it there), or `$DOCKERFIX_SHARED`.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("DOCKERFIX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        dir.join("corpus/MANIFEST.tsv").is_file(),
        "the shared corpus is missing at {} (set DOCKERFIX_SHARED)",
        dir.display()
    );
    dir
}

pub fn corpus_dir() -> PathBuf {
    shared_dir().join("corpus")
}

/// Rows of a TSV file with a header line, as vectors of columns.
pub fn tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Every corpus file that is meant to be a Dockerfile (not a parser dump or a spec file).
pub fn corpus_dockerfiles() -> Vec<PathBuf> {
    let dir = corpus_dir();
    tsv(&dir.join("MANIFEST.tsv"))
        .into_iter()
        .map(|row| row[0].clone())
        .filter(|p| !p.ends_with("/result") && !p.ends_with(".txt"))
        .map(|p| dir.join(p))
        .collect()
}

/// The handmade cases.
pub fn handmade_cases() -> Vec<PathBuf> {
    let dir = corpus_dir().join("handmade-cases");
    tsv(&dir.join("EXPECTED-buildkit.tsv"))
        .into_iter()
        .map(|row| dir.join(&row[0]))
        .collect()
}

/// The one corpus file that is not UTF-8 (an error for dockerfix by design).
pub const NON_UTF8: &str =
    "apps-dataset/vsoch__github-dockerfiles/data/w/wixb50/Development-Notes/Dockerfile.0";
