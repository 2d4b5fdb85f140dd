//! The rule registry: one table of every rule (code, name, aliases, default, fix availability),
//! one file per rule with its documentation and its `check` function.

mod duplicate_stage_name;
mod invalid_arguments;
mod maintainer_deprecated;
mod no_build_stage;
mod package_manager_prompt;
mod unknown_instruction;

use crate::fix::{Applicability, Fix};
use crate::shell;
use crate::syntax::{Args, Document, Instruction, Kind, Span};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    /// What BuildKit rejects at dispatch: the build would fail.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    /// Some diagnostics carry a fix, when it can be made with the declared applicability.
    Sometimes(Applicability),
    Always(Applicability),
}

/// A rule's metadata and its check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Other tools' names for the same check (hadolint `DLxxxx`, BuildKit check names).
    pub aliases: &'static [&'static str],
    pub summary: &'static str,
    /// Markdown with the sections "What it does", "Why is this bad?", "Example", "Fix safety".
    pub doc: &'static str,
    pub severity: Severity,
    pub default_enabled: bool,
    pub fix: FixAvailability,
    pub check: fn(&Context, &mut Vec<Diagnostic>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

impl Eq for Rule {}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Rule {
    /// Whether a selector (code, code prefix, name, alias or `ALL`) names this rule.
    pub fn matches(&self, selector: &str) -> bool {
        selector.eq_ignore_ascii_case("ALL")
            || self.code.starts_with(&selector.to_ascii_uppercase())
                && selector.len() >= 2
                && selector[..2].eq_ignore_ascii_case("DF")
            || self.name == selector
            || self
                .aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(selector))
    }
}

/// Every rule, ordered by code.
pub static RULES: &[&Rule] = &[
    &unknown_instruction::RULE,
    &invalid_arguments::RULE,
    &no_build_stage::RULE,
    &duplicate_stage_name::RULE,
    &package_manager_prompt::RULE,
    &maintainer_deprecated::RULE,
];

pub fn by_code(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// Rules a selector names; empty when it names none.
pub fn select(selector: &str) -> Vec<&'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| r.matches(selector))
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    /// Byte span in the source.
    pub span: Span,
    pub message: String,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            span,
            message: message.into(),
            fix: None,
        }
    }
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        // The declared applicability is the best a rule offers; a fix may be less safe.
        debug_assert!(
            match self.rule.fix {
                FixAvailability::None => false,
                FixAvailability::Sometimes(a) | FixAvailability::Always(a) =>
                    fix.applicability <= a,
            },
            "{} declares {:?} but made a {:?} fix",
            self.rule.code,
            self.rule.fix,
            fix.applicability
        );
        self.fix = Some(fix);
        self
    }
}

/// A build stage: its FROM (absent for instructions before the first FROM) and instructions.
pub struct Stage<'a> {
    pub from: Option<&'a Instruction>,
    pub instructions: Vec<&'a Instruction>,
}

/// What a rule sees: the document, its stages, and shell analysis on demand.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub stages: Vec<Stage<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(doc: &'a Document) -> Context<'a> {
        let mut stages = vec![Stage {
            from: None,
            instructions: Vec::new(),
        }];
        for ins in doc.instructions() {
            if ins.kind() == Kind::From {
                stages.push(Stage {
                    from: Some(ins),
                    instructions: Vec::new(),
                });
            } else if let Some(stage) = stages.last_mut() {
                stage.instructions.push(ins);
            }
        }
        Context { doc, stages }
    }

    /// Shell-form RUN instructions whose shell is POSIX, with their commands (offsets into the
    /// logical line are given by `rest.start + word.span`). Skipped, never guessed: Windows
    /// files (`escape=\``), non-POSIX `SHELL`, heredoc bodies, bodies the lexer cannot read.
    pub fn shell_runs(&self) -> Vec<(&'a Instruction, Span, Vec<shell::Command>)> {
        let mut out = Vec::new();
        if self.doc.escape == '`' {
            return out;
        }
        for stage in &self.stages {
            let mut posix = true;
            for ins in &stage.instructions {
                match (&ins.node.kind, &ins.node.args) {
                    (Kind::Shell, Args::Json(args)) => {
                        posix = args.first().is_some_and(|a| {
                            let prog = a.value.rsplit(['/', '\\']).next().unwrap_or("");
                            matches!(
                                prog,
                                "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox"
                            )
                        });
                    }
                    (Kind::Run, Args::Text(rest)) if posix => {
                        let body = rest.slice(&ins.logical);
                        if let Some(cmds) = shell::commands(body) {
                            out.push((*ins, *rest, cmds));
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// Runs the enabled rules over a parsed document. Diagnostics come sorted by position.
pub fn check(doc: &Document, enabled: &dyn Fn(&Rule) -> bool) -> Vec<Diagnostic> {
    let ctx = Context::new(doc);
    let mut diagnostics = Vec::new();
    for rule in RULES.iter().copied().filter(|r| enabled(r)) {
        (rule.check)(&ctx, &mut diagnostics);
    }
    diagnostics.sort_by(|a, b| (a.span.start, a.rule.code).cmp(&(b.span.start, b.rule.code)));
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_consistent() {
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        let sorted = {
            let mut c = codes.clone();
            c.sort();
            c
        };
        assert_eq!(codes, sorted, "RULES is ordered by code");
        codes.dedup();
        assert_eq!(codes.len(), RULES.len(), "codes are unique");
        for r in RULES {
            assert!(r.code.starts_with("DF") && r.code.len() == 5, "{}", r.code);
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.name
            );
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix safety",
            ] {
                assert!(r.doc.contains(section), "{} doc lacks {section}", r.code);
            }
        }
    }

    #[test]
    fn selectors() {
        assert_eq!(select("DF204").len(), 1);
        assert_eq!(select("DL3014")[0].code, "DF204");
        assert_eq!(select("MaintainerDeprecated")[0].code, "DF901");
        assert_eq!(select("package-manager-prompt")[0].code, "DF204");
        assert!(select("DF2").iter().all(|r| r.code.starts_with("DF2")));
        assert_eq!(select("ALL").len(), RULES.len());
        assert!(select("nope").is_empty());
    }
}
