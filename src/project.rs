//! Where the project lives: its addresses come from `Cargo.toml` (`repository`, `homepage`,
//! `documentation`), the one place that declares them, and every report that links to the
//! project (rule documentation in `full`, `json`, `github` and SARIF output, SARIF's tool
//! address) asks this module. A build whose manifest declares no repository links nowhere
//! instead of to a guessed address.

/// `value`, unless it is empty (Cargo sets `CARGO_PKG_*` to "" for a key the manifest lacks).
const fn declared(value: &'static str) -> Option<&'static str> {
    if value.is_empty() { None } else { Some(value) }
}

/// The source repository (`package.repository`).
pub const REPOSITORY: Option<&str> = declared(env!("CARGO_PKG_REPOSITORY"));

/// The project's home page (`package.homepage`), or else its repository.
pub const HOMEPAGE: Option<&str> = match declared(env!("CARGO_PKG_HOMEPAGE")) {
    Some(home) => Some(home),
    None => REPOSITORY,
};

/// The version and, when built from a git checkout or a crate packaged from one, the commit
/// (`0.1.0 (3673eba12c4d)`), as `dockerfix --version` prints it; set by `src/build.rs`.
pub const VERSION: &str = env!("DOCKERFIX_VERSION");

/// The commit this binary was built from, when known (`src/build.rs`).
pub const COMMIT: Option<&str> = declared(env!("DOCKERFIX_COMMIT"));

/// Where a rule's documentation is: ShellCheck's wiki for `SC` codes, the rule's section of
/// `docs/rules.md` in the repository for ours (`None` when no repository is declared). The
/// page is taken from the branch `main` of a GitHub-style repository address
/// (`<repository>/blob/main/docs/rules.md#df204`).
pub fn rule_url(code: &str) -> Option<String> {
    if crate::rules::shellcheck::code_number(code).is_some() {
        return Some(crate::rules::shellcheck::wiki_url(code));
    }
    REPOSITORY.map(|repo| {
        format!(
            "{}/blob/main/docs/rules.md#{}",
            repo.trim_end_matches('/'),
            code.to_ascii_lowercase()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_links_follow_the_manifest() {
        assert_eq!(
            rule_url("SC2086").as_deref(),
            Some("https://www.shellcheck.net/wiki/SC2086")
        );
        match REPOSITORY {
            Some(repo) => {
                let url = rule_url("DF204").unwrap_or_default();
                assert!(url.starts_with(repo), "{url}");
                assert!(url.ends_with("/docs/rules.md#df204"), "{url}");
            }
            None => assert_eq!(rule_url("DF204"), None),
        }
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")));
    }
}
