//! What version control says of a file of the build context: whether the project's
//! `.gitignore` files keep it out of the repository (a file of the developer's own checkout,
//! such as the `.env` that holds their credentials), or let it in (a file the project commits
//! and publishes with its sources: a template, a test fixture).
//!
//! Read with git's rules through the `ignore` crate's `.gitignore` matcher: every `.gitignore`
//! from the repository's root (the nearest folder above the context that holds `.git`, else the
//! filesystem's root) down to the file's folder, the deepest deciding, a folder that is ignored
//! ignoring everything in it; and the repository's `.git/info/exclude`.

use super::BuildContext;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::Path;
use std::sync::Arc;

/// The `.gitignore` matchers of the folders above the context's root (the root's own
/// included), deepest first, up to the repository's root, and its `.git/info/exclude`.
struct Above {
    matchers: Vec<Gitignore>,
    exclude: Option<Gitignore>,
}

fn matcher(dir: &Path, file: &Path) -> Option<Gitignore> {
    if !file.is_file() {
        return None;
    }
    let mut b = GitignoreBuilder::new(dir);
    // A line git cannot read is skipped, as git skips it; the others still count.
    let _ = b.add(file);
    b.build().ok()
}

fn above(root: &Path) -> Above {
    let mut matchers = Vec::new();
    let mut exclude = None;
    let Ok(root) = std::fs::canonicalize(root) else {
        return Above { matchers, exclude };
    };
    for dir in root.ancestors() {
        if let Some(m) = matcher(dir, &dir.join(".gitignore")) {
            matchers.push(m);
        }
        let git = dir.join(".git");
        if git.exists() {
            exclude = matcher(dir, &git.join("info").join("exclude"));
            break;
        }
    }
    Above { matchers, exclude }
}

/// `Some(true)` when the project's `.gitignore` files ignore the context's file `rel` (or a
/// folder holding it), `Some(false)` when they exist and do not, `None` when there is nothing
/// to ask: no `.gitignore` from the file's folder up to the repository's root, nor an
/// `.git/info/exclude`.
///
/// As git decides: a folder that is ignored ignores everything in it (nothing inside can be
/// let in again); otherwise the last matching line of the deepest `.gitignore` that has one
/// decides, then `.git/info/exclude`.
pub fn ignored_by_git(c: &BuildContext, rel: &str) -> Option<bool> {
    let above: Arc<Above> = c.memo("vcs-gitignores-above", || above(c.root()));
    let root = std::fs::canonicalize(c.root()).ok()?;
    let path = root.join(rel);
    // The folders inside the context, from the file's own up to (not including) the root.
    let mut inside = Vec::new();
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(&root) {
            break;
        }
        if let Some(m) = matcher(d, &d.join(".gitignore")) {
            inside.push(m);
        }
        dir = d.parent();
    }
    if inside.is_empty() && above.matchers.is_empty() && above.exclude.is_none() {
        return None;
    }
    let ordered: Vec<&Gitignore> = inside
        .iter()
        .chain(above.matchers.iter())
        .chain(above.exclude.iter())
        .collect();
    // The decision for one path: the first matcher (by precedence) with a matching line.
    let decide = |p: &Path, is_dir: bool| -> Option<bool> {
        ordered.iter().find_map(|m| {
            let under = p.strip_prefix(m.path()).ok()?;
            let found = m.matched(under, is_dir);
            if found.is_ignore() {
                Some(true)
            } else if found.is_whitelist() {
                Some(false)
            } else {
                None
            }
        })
    };
    // The folders from the outermost matcher's down to the file's: an ignored one ignores it.
    let top = ordered
        .iter()
        .map(|m| m.path())
        .min_by_key(|p| p.components().count())
        .unwrap_or(&root);
    let mut folders: Vec<&Path> = path
        .ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(top) && *d != top)
        .collect();
    folders.reverse();
    if folders.iter().any(|d| decide(d, true) == Some(true)) {
        return Some(true);
    }
    Some(decide(&path, path.is_dir()).unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(files: &[(&str, &str)], git: bool) -> (tempfile::TempDir, BuildContext) {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join("app")).unwrap();
        if git {
            std::fs::create_dir_all(repo.join(".git/info")).unwrap();
        }
        for (name, text) in files {
            let p = repo.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let c = BuildContext::new(repo.join("app"));
        (dir, c)
    }

    #[test]
    fn gitignore_files_from_the_repository_root_down_decide() {
        let (_d, c) = context(
            &[
                (".gitignore", ".env\nsecrets/\n*.key\n"),
                ("app/.gitignore", "!keep.key\n"),
                ("app/.env", "A=1"),
                ("app/.env.docker", "A=1"),
                ("app/secrets/db.pem", "x"),
                ("app/tls/server.key", "x"),
                ("app/keep.key", "x"),
                ("app/testdata/.gitignore", "local.key\n"),
                ("app/testdata/local.key", "x"),
                ("app/testdata/fixture.pem", "x"),
            ],
            true,
        );
        assert_eq!(ignored_by_git(&c, ".env"), Some(true));
        assert_eq!(ignored_by_git(&c, ".env.docker"), Some(false));
        assert_eq!(ignored_by_git(&c, "secrets/db.pem"), Some(true));
        assert_eq!(ignored_by_git(&c, "tls/server.key"), Some(true));
        assert_eq!(ignored_by_git(&c, "keep.key"), Some(false));
        assert_eq!(ignored_by_git(&c, "testdata/local.key"), Some(true));
        assert_eq!(ignored_by_git(&c, "testdata/fixture.pem"), Some(false));
    }

    #[test]
    fn the_repository_root_bounds_the_search_and_info_exclude_counts() {
        let (d, c) = context(
            &[(".git/info/exclude", ".env\n"), ("app/.env", "A=1")],
            true,
        );
        // A `.gitignore` above the repository is not the project's.
        std::fs::write(d.path().join(".gitignore"), "*.pem\n").unwrap();
        std::fs::write(d.path().join("repo/app/x.pem"), "x").unwrap();
        assert_eq!(ignored_by_git(&c, ".env"), Some(true));
        assert_eq!(ignored_by_git(&c, "x.pem"), Some(false));
    }

    #[test]
    fn git_precedence_and_folders() {
        let (_d, c) = context(
            &[
                (".gitignore", "*.key\nsecrets/\n!secrets/*.pem\n"),
                ("app/.gitignore", "!certs/\n"),
                ("app/certs/server.key", "x"),
                ("app/secrets/db.pem", "x"),
                (".git/info/exclude", "!.env\n"),
                ("app/.env", "x"),
            ],
            true,
        );
        // A deeper `!certs/` lets the folder in, not the `*.key` file inside it.
        assert_eq!(ignored_by_git(&c, "certs/server.key"), Some(true));
        // Nothing inside an ignored folder can be let in again.
        assert_eq!(ignored_by_git(&c, "secrets/db.pem"), Some(true));
        // `.git/info/exclude` comes after every `.gitignore`: no line there, so its `!.env`
        // decides (and nothing ignores it).
        assert_eq!(ignored_by_git(&c, ".env"), Some(false));
    }

    #[test]
    fn nothing_to_ask_without_gitignore_files() {
        let (_d, c) = context(&[("app/.env", "A=1")], true);
        assert_eq!(ignored_by_git(&c, ".env"), None);
    }
}
