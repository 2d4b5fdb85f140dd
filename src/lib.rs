//! dockerfix: a Dockerfile formatter, linter and auto-fixer.
//!
//! The data flow, one module per step: [`syntax::parse`] → [`rules::check`] (filtered by
//! [`settings`] and [`suppress`]) → [`fix::apply`] to a fixed point in [`fix_text`] →
//! [`format::format`] → [`report`]. The library returns data; only the binary decides exit
//! codes, colour and what is written where.

pub mod context;
pub mod dockerignore;
pub mod fix;
pub mod format;
pub mod guard;
pub mod report;
pub mod rules;
pub mod settings;
pub mod shell;
pub mod suppress;
pub mod syntax;
pub mod walk;
pub mod write;

use context::{BuildContext, NewFile};
use rules::{Diagnostic, Rule};
use settings::Settings;
use std::path::Path;
use syntax::{Document, ParseError};

/// How many rounds of fixes before giving up.
pub const MAX_FIX_ITERATIONS: usize = 20;

/// The diagnostics of a parsed document, after rule selection, per-file ignores and
/// suppression comments.
pub fn lint(doc: &Document, settings: &Settings, path: Option<&Path>) -> Vec<Diagnostic> {
    lint_in(doc, settings, path, None)
}

/// [`lint`] with the build context that context-aware rules read (DF101, DF102, DF103);
/// without one they detect what the Dockerfile alone shows.
pub fn lint_in(
    doc: &Document,
    settings: &Settings,
    path: Option<&Path>,
    context: Option<&BuildContext>,
) -> Vec<Diagnostic> {
    let ignored: Vec<&Rule> = path.map(|p| settings.ignored_for(p)).unwrap_or_default();
    let sup = suppress::Suppressions::from_document(doc);
    let options = rules::LintOptions {
        cache_strategy: settings.cache_strategy,
        non_root_user: settings.non_root_user.clone(),
        context: context.cloned(),
        format: settings.format,
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
    /// Files the fixes create in the build context (not written yet).
    pub created: Vec<NewFile>,
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
    fix_text_in(text, settings, path, unsafe_fixes, None)
}

/// [`fix_text`] with a build context. Files that fixes create are returned in
/// [`FixOutcome::created`], and the next rounds see them as if written.
pub fn fix_text_in(
    text: &str,
    settings: &Settings,
    path: Option<&Path>,
    unsafe_fixes: bool,
    context: Option<&BuildContext>,
) -> Result<FixOutcome, FixError> {
    fix_text_creating(text, settings, path, unsafe_fixes, context, true)
}

/// [`fix_text_in`]; with `create_files` false, fixes that create files are not applied (their
/// findings remain), so that no other fix relies on a file that will not be written (a
/// Dockerfile read from standard input: its fixes cannot create files).
pub fn fix_text_creating(
    text: &str,
    settings: &Settings,
    path: Option<&Path>,
    unsafe_fixes: bool,
    context: Option<&BuildContext>,
    create_files: bool,
) -> Result<FixOutcome, FixError> {
    let mut doc = syntax::parse(text)?;
    let mut applied = Vec::new();
    let mut context = context.cloned();
    let mut created: Vec<NewFile> = Vec::new();
    for _ in 0..MAX_FIX_ITERATIONS {
        let diagnostics = lint_in(&doc, settings, path, context.as_ref());
        let fixable: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| {
                d.fix.as_ref().is_some_and(|f| {
                    f.applies(unsafe_fixes) && (create_files || f.files.is_empty())
                })
            })
            .collect();
        if fixable.is_empty() {
            return Ok(FixOutcome {
                text: doc.text.clone(),
                applied,
                remaining: diagnostics,
                document: doc,
                created,
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
        let mut new_files = false;
        for &i in &done {
            for file in &fixes[i].files {
                if created.iter().any(|f| f.path == file.path) {
                    continue;
                }
                if let Some(c) = &context {
                    context = Some(c.with_file(file));
                }
                created.push(file.clone());
                new_files = true;
            }
        }
        if new_text == doc.text {
            if new_files {
                applied.extend(round);
                continue;
            }
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
