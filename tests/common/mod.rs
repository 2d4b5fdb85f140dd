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

/// ShellCheck for the corpus tests that run every rule: a runner when the `shellcheck` program
/// is there (the SC family then runs too, see [`enable_shellcheck`]); None, with the reason
/// printed, when it is missing outside CI. Under `CI` (`.ci/run` installs it) a missing
/// ShellCheck fails the test.
pub fn shellcheck_runner() -> Option<dockerfix::shellcheck::Runner> {
    let runner = dockerfix::shellcheck::Runner::new(None, 2);
    match runner.version() {
        Ok(_) => Some(runner),
        Err(e) if std::env::var_os("CI").is_some() => panic!("under CI: {e}"),
        Err(e) => {
            eprintln!("the SC rules are left out: {e}");
            None
        }
    }
}

/// Turns the SC family on in `settings` (every SC code), and runs ShellCheck once, in batches,
/// over the scripts of `texts`, so that the tests' many `lint` and `fix` calls find their
/// findings cached.
pub fn enable_shellcheck<'t>(
    settings: &mut dockerfix::settings::Settings,
    runner: &dockerfix::shellcheck::Runner,
    texts: impl IntoIterator<Item = &'t str>,
) {
    settings.shellcheck_codes.push(("SC".into(), true));
    let scripts: Vec<dockerfix::shellcheck::Script> = texts
        .into_iter()
        .filter_map(|t| dockerfix::syntax::parse(t).ok())
        .flat_map(|doc| {
            let ctx = dockerfix::rules::Context::new(&doc);
            dockerfix::rules::shellcheck::scripts(&ctx)
                .into_iter()
                .map(|s| s.script)
                .collect::<Vec<_>>()
        })
        .collect();
    runner.prefetch(&scripts);
    assert_eq!(runner.problem(), None, "ShellCheck failed on the corpus");
}
