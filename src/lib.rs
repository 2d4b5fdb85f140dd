//! dockerfix: a Dockerfile formatter, linter and auto-fixer.
//!
//! The data flow, one module per step: [`syntax::parse`] → [`rules::check`] (filtered by
//! [`settings`] and [`suppress`]) → [`fix::apply`] to a fixed point in [`fix_text`] →
//! [`format::format`] → [`report`]. The library returns data; only the binary decides exit
//! codes, colour and what is written where.

pub mod fix;
pub mod format;
pub mod report;
pub mod rules;
pub mod settings;
pub mod shell;
pub mod suppress;
pub mod syntax;
pub mod walk;
pub mod write;

use rules::{Diagnostic, Rule};
use settings::Settings;
use std::path::Path;
use syntax::{Document, ParseError};

/// How many rounds of fixes before giving up.
pub const MAX_FIX_ITERATIONS: usize = 20;

/// The diagnostics of a parsed document, after rule selection, per-file ignores and
/// suppression comments.
pub fn lint(doc: &Document, settings: &Settings, path: Option<&Path>) -> Vec<Diagnostic> {
    let ignored: Vec<&Rule> = path.map(|p| settings.ignored_for(p)).unwrap_or_default();
    let sup = suppress::Suppressions::from_document(doc);
    let options = rules::LintOptions {
        cache_strategy: settings.cache_strategy,
        non_root_user: settings.non_root_user.clone(),
    };
    rules::check_with(
        doc,
        &|r| settings.is_enabled(r) && !ignored.contains(&r),
        options,
    )
    .into_iter()
    .filter(|d| !sup.is_suppressed(d))
    .collect()
}

/// A fix applied by [`fix_text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub rule: &'static Rule,
    pub title: String,
}

#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text (equal to the input when nothing applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// Diagnostics of the fixed text.
    pub remaining: Vec<Diagnostic>,
    pub document: Document,
}

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(
        "internal error: the fix of {rules} produced text that does not parse ({error}); the file was left unchanged"
    )]
    BrokeParse { rules: String, error: ParseError },
    #[error(
        "internal error: fixes did not converge after {MAX_FIX_ITERATIONS} rounds ({rules}); the file was left unchanged"
    )]
    NoConvergence { rules: String },
}

fn rule_list(applied: &[AppliedFix]) -> String {
    let mut codes: Vec<&str> = applied.iter().map(|a| a.rule.code).collect();
    codes.sort_unstable();
    codes.dedup();
    codes.join(", ")
}

/// Applies fixes until nothing changes. `unsafe_fixes` also applies Unsafe fixes.
pub fn fix_text(
    text: &str,
    settings: &Settings,
    path: Option<&Path>,
    unsafe_fixes: bool,
) -> Result<FixOutcome, FixError> {
    let mut doc = syntax::parse(text)?;
    let mut applied = Vec::new();
    for _ in 0..MAX_FIX_ITERATIONS {
        let diagnostics = lint(&doc, settings, path);
        let fixable: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applies(unsafe_fixes)))
            .collect();
        if fixable.is_empty() {
            return Ok(FixOutcome {
                text: doc.text.clone(),
                applied,
                remaining: diagnostics,
                document: doc,
            });
        }
        let fixes: Vec<&fix::Fix> = fixable.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (new_text, done) = fix::apply(&doc.text, &fixes);
        let round: Vec<AppliedFix> = done
            .iter()
            .map(|&i| AppliedFix {
                rule: fixable[i].rule,
                title: fixes[i].title.clone(),
            })
            .collect();
        if new_text == doc.text {
            return Err(FixError::NoConvergence {
                rules: rule_list(&round),
            });
        }
        doc = syntax::parse(&new_text).map_err(|error| FixError::BrokeParse {
            rules: rule_list(&round),
            error,
        })?;
        applied.extend(round);
    }
    Err(FixError::NoConvergence {
        rules: rule_list(&applied),
    })
}
