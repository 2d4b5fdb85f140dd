//! The rule registry: one table of every rule (code, name, aliases, default, fix availability),
//! one file per rule with its documentation and its `check` function.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

mod apt;
mod build_errors;
mod buildkit;
mod common;
mod context;
mod correctness;
mod packages;
mod pinning;
mod runtime;
pub mod shellcheck;
#[cfg(debug_assertions)]
mod test_panic;

// One registry, rules in folders by family (the code ranges of the catalogue).
use crate::fix::{Applicability, Fix};
use crate::shell;
pub use crate::shell::programs::{self, Call, Grammar, Invocation};
use crate::syntax::{Args, Document, Instruction, Kind, Span};
use build_errors::{duplicate_stage_name, invalid_arguments, no_build_stage, unknown_instruction};
use buildkit::{package_cache_mount, syntax_directive};
use context::{
    apt_update_alone, copy_of_ignored_or_secret, dependency_copy_order, missing_dockerignore,
};
use correctness::{
    consistent_instruction_casing, copy_from_unknown_stage, copy_multiple_sources_dest,
    copy_relative_dest, copy_whole_filesystem, env_self_reference, expose_invalid_format,
    expose_invalid_port, expose_proto_casing, from_as_casing, from_platform_flag_const,
    invalid_default_arg_in_from, invalid_definition_description, label_format, label_key,
    label_not_in_schema, legacy_key_value_format, maintainer_deprecated, missing_label,
    multiple_instructions, no_empty_continuation, redundant_target_platform, reserved_stage_name,
    stage_name_casing, trusted_registry, undefined_arg_in_from, undefined_var,
    workdir_relative_path,
};
use packages::{
    add_for_local_files, apk_cache, apt_install_recommends, apt_lists_not_removed,
    build_tools_in_final_stage, download_leftovers, mergeable_runs, npm_ci, package_manager_prompt,
    pip_cache, rpm_family_clean, slim_base, use_apt_get, useradd_lastlog, yarn_cache,
    zypper_dist_upgrade,
};
use pinning::{base_not_digest, unpinned_base, unpinned_os_packages, unpinned_packages};
use runtime::{
    add_url_checksum, cd_in_run, curl_and_wget, ln_bin_sh, non_numeric_user, pipe_to_shell,
    pipefail, root_user, secret_in_arg_env, shell_form_cmd, sudo, wget_progress,
};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
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

impl FixAvailability {
    /// How `dockerfix rule` shows it: `none`, `sometimes (safe)`, `always (unsafe)`...
    pub fn label(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Sometimes(Applicability::Safe) => "sometimes (safe)",
            FixAvailability::Sometimes(_) => "sometimes (unsafe)",
            FixAvailability::Always(Applicability::Safe) => "always (safe)",
            FixAvailability::Always(_) => "always (unsafe)",
        }
    }
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
    /// Whether this rule is ShellCheck's (the `SC` family entry, or one `SCxxxx` code).
    pub fn is_shellcheck(&self) -> bool {
        self.code.starts_with("SC")
    }

    /// Whether a rule named in a selection or a suppression covers `other`: the same rule, or
    /// the `SC` family and one of its codes.
    pub fn covers(&self, other: &Rule) -> bool {
        self == other || std::ptr::eq(self, &shellcheck::RULE) && other.is_shellcheck()
    }

    /// Whether a selector (code, code prefix, name, alias or `ALL`) names this rule.
    pub fn matches(&self, selector: &str) -> bool {
        if self.is_shellcheck() {
            return selector.eq_ignore_ascii_case("ALL")
                || shellcheck::is_selector(selector)
                    && (std::ptr::eq(self, &shellcheck::RULE)
                        || self
                            .code
                            .starts_with(&shellcheck::selector_prefix(selector)));
        }
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
    &dependency_copy_order::RULE,
    &missing_dockerignore::RULE,
    &copy_of_ignored_or_secret::RULE,
    &apt_update_alone::RULE,
    &mergeable_runs::RULE,
    &apt_lists_not_removed::RULE,
    &apt_install_recommends::RULE,
    &package_manager_prompt::RULE,
    &use_apt_get::RULE,
    &apk_cache::RULE,
    &rpm_family_clean::RULE,
    &pip_cache::RULE,
    &npm_ci::RULE,
    &download_leftovers::RULE,
    &slim_base::RULE,
    &build_tools_in_final_stage::RULE,
    &add_for_local_files::RULE,
    &useradd_lastlog::RULE,
    &yarn_cache::RULE,
    &zypper_dist_upgrade::RULE,
    &root_user::RULE,
    &shell_form_cmd::RULE,
    &secret_in_arg_env::RULE,
    &sudo::RULE,
    &pipe_to_shell::RULE,
    &pipefail::RULE,
    &add_url_checksum::RULE,
    &cd_in_run::RULE,
    &wget_progress::RULE,
    &curl_and_wget::RULE,
    &ln_bin_sh::RULE,
    &non_numeric_user::RULE,
    &unpinned_base::RULE,
    &base_not_digest::RULE,
    &unpinned_packages::RULE,
    &unpinned_os_packages::RULE,
    &package_cache_mount::RULE,
    &syntax_directive::RULE,
    &maintainer_deprecated::RULE,
    &stage_name_casing::RULE,
    &from_as_casing::RULE,
    &no_empty_continuation::RULE,
    &consistent_instruction_casing::RULE,
    &reserved_stage_name::RULE,
    &undefined_arg_in_from::RULE,
    &workdir_relative_path::RULE,
    &multiple_instructions::RULE,
    &legacy_key_value_format::RULE,
    &redundant_target_platform::RULE,
    &invalid_default_arg_in_from::RULE,
    &from_platform_flag_const::RULE,
    &expose_proto_casing::RULE,
    &expose_invalid_format::RULE,
    &copy_from_unknown_stage::RULE,
    &copy_multiple_sources_dest::RULE,
    &copy_relative_dest::RULE,
    &label_key::RULE,
    &expose_invalid_port::RULE,
    &env_self_reference::RULE,
    &copy_whole_filesystem::RULE,
    &invalid_definition_description::RULE,
    &trusted_registry::RULE,
    &missing_label::RULE,
    &label_not_in_schema::RULE,
    &label_format::RULE,
    &undefined_var::RULE,
    // The ShellCheck family: its diagnostics carry ShellCheck's codes (`shellcheck::code_rule`).
    &shellcheck::RULE,
];

/// The rules a configured list turns on (`crate::settings`).
pub use label_format::RULE as LABEL_FORMAT;
pub use label_not_in_schema::RULE as LABEL_NOT_IN_SCHEMA;
pub use missing_label::RULE as MISSING_LABEL;
pub use trusted_registry::RULE as TRUSTED_REGISTRY;

pub fn by_code(code: &str) -> Option<&'static Rule> {
    if let Some(n) = shellcheck::code_number(code) {
        return Some(shellcheck::code_rule(n, Severity::Warning));
    }
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// The one rule a code, name or alias names (`DF204`, `package-manager-prompt`, `DL3014`,
/// `SC2086`), as `dockerfix rule CODE` finds it; None for a prefix, `ALL` or an unknown word.
pub fn lookup(code: &str) -> Option<&'static Rule> {
    // A ShellCheck code has no entry of its own: its rule is made on demand.
    let shellcheck = shellcheck::code_number(code).and_then(|_| by_code(code));
    shellcheck.or_else(|| {
        RULES.iter().copied().find(|r| {
            r.matches(code)
                && !code.eq_ignore_ascii_case("ALL")
                && (r.code.eq_ignore_ascii_case(code)
                    || r.name == code
                    || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(code)))
        })
    })
}

/// A rule's documentation as `dockerfix rule CODE` prints it (Markdown): its name and code,
/// summary, aliases, severity, default, fix availability and the rule's own text.
pub fn explain(r: &Rule) -> String {
    let mut out = format!("# {} ({})\n\n{}\n\n", r.name, r.code, r.summary);
    if !r.aliases.is_empty() {
        out.push_str(&format!("Aliases: {}\n\n", r.aliases.join(", ")));
    }
    out.push_str(&format!(
        "Severity: {}. Enabled by default: {}. Fix: {}.\n\n",
        r.severity.as_str(),
        if r.default_enabled { "yes" } else { "no" },
        r.fix.label()
    ));
    out.push_str(r.doc);
    out
}

/// Rules a selector names; empty when it names none. A ShellCheck code (`SC2086`) names its
/// own rule; `SC`, a prefix of SC codes or `shellcheck` names the family entry.
pub fn select(selector: &str) -> Vec<&'static Rule> {
    if let Some(n) = shellcheck::code_number(selector) {
        return vec![shellcheck::code_rule(n, Severity::Warning)];
    }
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
    /// The rule's severity, or the one `[lint.severity]` gives it.
    pub severity: Severity,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            span,
            message: message.into(),
            fix: None,
            severity: rule.severity,
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

/// Settings that change what rules report (not which rules run).
#[derive(Clone, Debug)]
pub struct LintOptions {
    /// `[lint.package-cache] strategy`: the clean rules (DF202, DF206, DF208) are quiet under
    /// `mount`.
    pub cache_strategy: crate::settings::CacheStrategy,
    /// `[lint.non-root-user] user`: the user DF301's fix switches to (`auto`: from the base).
    pub non_root_user: String,
    /// The build context (`--context`, or the Dockerfile's folder); None for standard input
    /// without `--context`.
    pub context: Option<crate::context::BuildContext>,
    /// The layout `format` keeps (`[format]`): text that fixes write follows it, so that the
    /// fixed file passes `format --check` with the same settings.
    pub format: crate::settings::FormatSettings,
    /// ShellCheck's findings on the file's scripts ([`shellcheck::scripts`] order), when the
    /// `SC` family runs and ShellCheck is there.
    pub shellcheck: Option<shellcheck::Findings>,
    /// `[lint.trusted-registries] registries` (DF924).
    pub trusted_registries: Option<Vec<String>>,
    /// `[lint.label-schema] labels` (DF925-DF927).
    pub label_schema: Vec<(String, crate::settings::LabelFormat)>,
    /// `[lint.mergeable-runs] scope` (DF201).
    pub merge_scope: crate::settings::MergeScope,
    /// `[lint.cd-in-run] scope` (DF308).
    pub cd_scope: crate::settings::CdScope,
    /// `[lint.pipefail] pipes` (DF306).
    pub pipefail_pipes: crate::settings::PipefailPipes,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            format: Default::default(),
            cache_strategy: Default::default(),
            non_root_user: "auto".into(),
            context: None,
            shellcheck: None,
            trusted_registries: None,
            label_schema: Vec::new(),
            merge_scope: Default::default(),
            cd_scope: Default::default(),
            pipefail_pipes: Default::default(),
        }
    }
}

/// A shell-form RUN of a POSIX shell, lexed.
pub struct ShellRun<'a> {
    /// Index into [`Context::stages`].
    pub stage: usize,
    pub ins: &'a Instruction,
    /// The RUN's arguments in the instruction's logical line (`<<EOF` for a heredoc script).
    pub rest: Span,
    /// The script the shell runs, which word spans are relative to: the arguments, or the
    /// body of a `RUN <<EOF` heredoc (see [`heredoc_script`]).
    pub script: &'a str,
    /// For a heredoc script, its body's source span: offsets into [`ShellRun::script`] are
    /// offsets from its start, exactly.
    pub heredoc: Option<Span>,
    pub commands: Vec<shell::Command>,
    /// The commands inside `$(...)`, lexed once on first use.
    nested: std::sync::OnceLock<Vec<Vec<shell::Command>>>,
}

impl ShellRun<'_> {
    /// Command `i` as its program's grammar reads it.
    pub fn call(&self, i: usize) -> Option<Call<'_>> {
        Call::read(self.commands.get(i)?)
    }

    /// The commands a grammar covers, with their index.
    pub fn calls(&self) -> impl Iterator<Item = (usize, Call<'_>)> {
        (0..self.commands.len()).filter_map(|i| Some((i, self.call(i)?)))
    }

    /// The top-level commands, then those of each command substitution (`$(...)`), each list
    /// with spans relative to the RUN's command text. Only the substitutions are lexed here
    /// (once, on first use): the top level is [`ShellRun::commands`].
    pub fn nested_commands(&self) -> impl Iterator<Item = &[shell::Command]> {
        let inner = self.nested.get_or_init(|| {
            let body = self.script;
            if body.contains("$(") {
                pipe_to_shell::substitution_commands(body, &self.commands)
            } else {
                Vec::new()
            }
        });
        std::iter::once(self.commands.as_slice()).chain(inner.iter().map(Vec::as_slice))
    }

    /// The source offset of an offset into the script, at the start of what follows it.
    pub fn source_offset(&self, at: usize) -> usize {
        match self.heredoc {
            Some(body) => body.start + at,
            None => self.ins.source_offset(self.rest.start + at),
        }
    }

    /// The source offset of an offset into the script, at the end of what precedes it.
    pub fn source_offset_end(&self, at: usize) -> usize {
        match self.heredoc {
            Some(body) => body.start + at,
            None => self.ins.source_offset_end(self.rest.start + at),
        }
    }

    /// The source span of a span of the script.
    pub fn to_source(&self, span: Span) -> Span {
        match self.heredoc {
            Some(body) => Span::new(body.start + span.start, body.start + span.end),
            None => self.ins.to_source(Span::new(
                self.rest.start + span.start,
                self.rest.start + span.end,
            )),
        }
    }

    /// The source offset right after a word (to insert ` --flag` there).
    pub fn after_word(&self, word: &shell::Word) -> usize {
        self.source_offset_end(word.span.end)
    }
    /// The source span of a command, from its first to its last word.
    pub fn command_span(&self, cmd: &shell::Command) -> Span {
        let first = cmd.assignments.first().or(cmd.words.first());
        match (first, cmd.words.last()) {
            (Some(a), Some(b)) => self.to_source(Span::new(a.span.start, b.span.end)),
            _ => self.ins.head_span(),
        }
    }
}

/// What a rule sees: the document, its stages, options, and shell analysis on demand.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub stages: Vec<Stage<'a>>,
    pub options: LintOptions,
    /// The lexed RUNs, computed once for all rules.
    shell_runs: std::sync::OnceLock<Vec<ShellRun<'a>>>,
    /// Each stage's parent (the latest earlier stage its `FROM` names), computed once: rules
    /// ask for stage chains per RUN, and a search per question made a file with many stages
    /// quadratic.
    /// (Each stage's root: the first stage of its chain.)
    stage_parents: std::sync::OnceLock<Vec<(Option<usize>, usize)>>,
    /// The stages' base images (`unpinned_base::base_images`), computed once.
    base_images: std::sync::OnceLock<Vec<unpinned_base::BaseImage<'a>>>,
    /// Per question asked of instruction texts (`common::any_text_before`): each stage's
    /// first instruction whose text answers yes, found once per file.
    text_marks: std::sync::Mutex<TextMarks>,
    /// Whether any instruction is a SHELL, found once per file.
    has_shell: std::sync::OnceLock<bool>,
    /// Per stage, whether its content ships (see [`Context::ships`]), found once per file.
    shipped: std::sync::OnceLock<Vec<bool>>,
    /// Per build argument that `FROM`s use alone (`FROM ${BASE}-base`), the values that make
    /// every such `FROM` name a stage (see [`common::stages_a_variable_may_name`]), found once
    /// per file.
    pub(crate) from_variable_values:
        std::sync::OnceLock<std::collections::HashMap<String, Vec<String>>>,
    /// Per stage, the paths later stages copy out of it or of a stage built on it (`None`:
    /// anything may be, through a mount or a `--from` a variable names), found once per file.
    pub(crate) copied_out: std::sync::OnceLock<Vec<Option<Vec<String>>>>,
    /// Per grammar (in [`programs::GRAMMARS`] order), where its commands are: (RUN index in
    /// [`Context::shell_runs`], command index), found once per file.
    call_index: std::sync::OnceLock<Vec<Vec<(usize, usize)>>>,
    /// The indentation `format` uses for this file (its own unless `[format]` says), found
    /// once per file.
    indent: std::sync::OnceLock<crate::format::Indent>,
    /// The `WORKDIR` before each instruction (`common::workdir_at`), found in one pass.
    workdirs: std::sync::OnceLock<common::States<Option<String>>>,
    /// Per stage, the names `ENV` and `ARG` set and where (`common::env_before`).
    env_index: std::sync::OnceLock<Vec<common::EnvIndex<'a>>>,
    /// Whether the SHELL in effect runs with `-e`, before each instruction
    /// (`common::shell_errexit`).
    errexit: std::sync::OnceLock<common::States<bool>>,
}

type TextMarks = std::collections::HashMap<&'static str, std::sync::Arc<Vec<Option<usize>>>>;

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
        Context {
            doc,
            stages,
            options: LintOptions::default(),
            shell_runs: std::sync::OnceLock::new(),
            stage_parents: std::sync::OnceLock::new(),
            has_shell: std::sync::OnceLock::new(),
            shipped: std::sync::OnceLock::new(),
            from_variable_values: std::sync::OnceLock::new(),
            copied_out: std::sync::OnceLock::new(),
            base_images: std::sync::OnceLock::new(),
            text_marks: std::sync::Mutex::new(TextMarks::new()),
            call_index: std::sync::OnceLock::new(),
            indent: std::sync::OnceLock::new(),
            workdirs: std::sync::OnceLock::new(),
            env_index: std::sync::OnceLock::new(),
            errexit: std::sync::OnceLock::new(),
        }
    }

    /// One level of continuation indentation as `format` lays this file out: text a fix
    /// writes uses it, so that the fixed file stays formatted.
    pub fn indent(&self) -> &crate::format::Indent {
        self.indent
            .get_or_init(|| crate::format::indent_for(self.doc, &self.options.format))
    }

    /// The commands of one program in the file's shell-form RUNs, in order, each read by its
    /// grammar: `ctx.calls(&programs::APT)` are the apt-get and apt commands.
    pub fn calls<'s>(
        &'s self,
        grammar: &'static Grammar,
    ) -> impl Iterator<Item = (&'s ShellRun<'a>, usize, Call<'s>)> + 's {
        let index = self.call_index.get_or_init(|| {
            let mut index = vec![Vec::new(); programs::GRAMMARS.len()];
            for (r, run) in self.shell_runs().iter().enumerate() {
                for (c, call) in run.calls() {
                    let g = programs::GRAMMARS
                        .iter()
                        .position(|g| std::ptr::eq(*g, call.grammar()));
                    if let Some(list) = g.and_then(|g| index.get_mut(g)) {
                        list.push((r, c));
                    }
                }
            }
            index
        });
        let g = programs::GRAMMARS
            .iter()
            .position(|g| std::ptr::eq(*g, grammar));
        let runs = self.shell_runs();
        g.and_then(|g| index.get(g))
            .into_iter()
            .flatten()
            .filter_map(move |&(r, c)| {
                let run = runs.get(r)?;
                Some((run, c, run.call(c)?))
            })
    }

    /// The stage a stage builds on (`FROM build AS test`: `build`), always an earlier one
    /// (for `dockerfix analyze`, outside the rules).
    pub fn stage_parent(&self, stage: usize) -> Option<usize> {
        common::stage_parent(self, stage)
    }

    /// The earlier stage (before `before`) a `--from` value names: a stage name (any case) or
    /// an index. None for an image or a named build context.
    pub fn stage_named(&self, reference: &str, before: usize) -> Option<usize> {
        (1..before).find(|&i| {
            common::stage_name(self, i).is_some_and(|n| n.eq_ignore_ascii_case(reference))
                || reference
                    .parse::<usize>()
                    .is_ok_and(|k| k.checked_add(1) == Some(i))
        })
    }

    /// Whether a stage's content may ship in an image: a stage no other stage uses is a build
    /// target (the last one by default, any with `--target`), and it ships with the stages it
    /// is built on (`FROM base`). A stage only copied from (`COPY --from=build`, `RUN
    /// --mount=from=build`) does not ship, nor does a target whose name says it is a
    /// development or CI step (`dev`, `test`, `lint`, `upload-artifact`: see
    /// `common::dev_or_ci_stage`) while another target is not one; when every target is one,
    /// the last stage (the default target) ships. Nothing ships from a development environment (a Dockerfile
    /// under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a `.gitpod.Dockerfile`, or one on
    /// a `devcontainers/` base): it is an editor's environment, where tools and caches are
    /// wanted; nor from a builder image another Dockerfile of the folder only copies files out
    /// of (`common::builder_for_a_sibling`). Size and cleanup rules apply only where this
    /// holds: elsewhere their fixes change nothing in any image.
    pub fn ships(&self, stage: usize) -> bool {
        self.shipped
            .get_or_init(|| {
                let n = self.stages.len();
                let mut shipped = vec![false; n];
                if n < 2 || common::dev_container(self) || common::builder_for_a_sibling(self) {
                    return shipped;
                }
                let mut used = vec![false; n];
                // A FROM that a build argument names (`FROM base-${TARGETARCH}`) may build on
                // any earlier stage whose name fits: each of them counts as its parent.
                let parents: Vec<Vec<usize>> = (0..n)
                    .map(|s| match common::stage_parent(self, s) {
                        Some(p) => vec![p],
                        None => common::stages_a_variable_may_name(self, s),
                    })
                    .collect();
                for s in 1..n {
                    for p in parents.get(s).into_iter().flatten() {
                        if let Some(u) = used.get_mut(*p) {
                            *u = true;
                        }
                    }
                    for target in common::stages_copied_from(self, s) {
                        if let Some(u) = used.get_mut(target) {
                            *u = true;
                        }
                    }
                }
                let leaves: Vec<usize> = (1..n)
                    .filter(|&s| !used.get(s).copied().unwrap_or(true))
                    .collect();
                // Targets named as development or CI steps ship nothing while another target
                // does; when every target is one, the last stage (the default target) ships.
                let mut todo: Vec<usize> = leaves
                    .iter()
                    .copied()
                    .filter(|&s| !common::dev_or_ci_stage(self, s))
                    .collect();
                if todo.is_empty() {
                    todo.extend(leaves.iter().copied().filter(|&s| s + 1 == n));
                }
                while let Some(s) = todo.pop() {
                    match shipped.get_mut(s) {
                        Some(x) if !*x => *x = true,
                        _ => continue,
                    }
                    todo.extend(parents.get(s).into_iter().flatten());
                }
                shipped
            })
            .get(stage)
            .copied()
            .unwrap_or(false)
    }

    /// Whether the file has a SHELL instruction (most have none).
    pub fn has_shell(&self) -> bool {
        *self
            .has_shell
            .get_or_init(|| self.doc.instructions().any(|i| i.kind() == Kind::Shell))
    }

    /// Shell-form RUN instructions whose shell is POSIX, with their commands (word spans are
    /// offsets into [`ShellRun::script`]; [`ShellRun::to_source`] maps them): the arguments,
    /// or the body of a `RUN <<EOF` script ([`heredoc_script`]). Skipped, never guessed:
    /// Windows files (`escape=\``), non-POSIX `SHELL`, heredoc scripts of other interpreters,
    /// bodies the lexer cannot read.
    pub fn shell_runs(&self) -> &[ShellRun<'a>] {
        self.shell_runs.get_or_init(|| self.lex_runs())
    }

    fn lex_runs(&self) -> Vec<ShellRun<'a>> {
        // The RUNs a POSIX shell runs, then their scripts lexed.
        let mut found = Vec::new();
        if self.doc.escape == '`' {
            return Vec::new();
        }
        for (index, stage) in self.stages.iter().enumerate() {
            // Windows images run RUN with `cmd /S /C` unless a SHELL says otherwise.
            let windows_base = stage.from.is_some_and(|f| match &f.node.args {
                Args::Words(w) => w.first().is_some_and(|image| {
                    let image = image.slice(&f.logical).to_ascii_lowercase();
                    image.contains("windows")
                        || image.contains("nanoserver")
                        || image.contains("servercore")
                }),
                _ => false,
            });
            let mut posix = !windows_base;
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
                        let heredoc =
                            heredoc_script(ins, rest.slice(&ins.logical)).filter(|body| {
                                // `<<-` strips the body's leading tabs before BuildKit looks
                                // for `#!`.
                                posix_shebang(self.doc.slice(*body).trim_start_matches('\t'))
                            });
                        let script = match heredoc {
                            Some(body) => self.doc.slice(body),
                            None => rest.slice(&ins.logical),
                        };
                        found.push((index, *ins, *rest, script, heredoc));
                    }
                    _ => {}
                }
            }
        }
        let lex = |(stage, ins, rest, script, heredoc): (
            usize,
            &'a Instruction,
            Span,
            &'a str,
            Option<Span>,
        )| {
            Some(ShellRun {
                stage,
                ins,
                rest,
                script,
                heredoc,
                commands: shell::commands(script)?,
                nested: std::sync::OnceLock::new(),
            })
        };
        // In order either way; a large file's RUNs are lexed on every core.
        if self.doc.text.len() >= PARALLEL_RULES_FROM {
            use rayon::prelude::*;
            found.into_par_iter().filter_map(lex).collect()
        } else {
            found.into_iter().filter_map(lex).collect()
        }
    }
}

/// The body of a `RUN <<EOF` whose arguments are nothing but the one heredoc, when the shell
/// runs it: BuildKit (`dispatchRun`) runs such a body with the stage's shell, or, when it
/// starts with `#!`, as a file with that interpreter; only the POSIX shells are read here
/// (no `#!`, or `#!` of `sh`, `bash`, `dash` or `ash`, directly or through `env`). A heredoc
/// fed to a command (`RUN python3 <<EOF`) is that command's input, not a script.
pub fn heredoc_script(ins: &Instruction, args: &str) -> Option<Span> {
    let [h] = ins.heredocs.as_slice() else {
        return None;
    };
    let marker = args.trim().strip_prefix("<<")?;
    let marker = marker.strip_prefix('-').unwrap_or(marker);
    let name = ["\"", "'"]
        .iter()
        .find_map(|q| marker.strip_prefix(q)?.strip_suffix(q))
        .unwrap_or(marker);
    if name != h.name {
        return None;
    }
    Some(h.body)
}

/// Whether a script's `#!` line (if any) names a POSIX shell.
pub fn posix_shebang(script: &str) -> bool {
    let Some(line) = script.strip_prefix("#!") else {
        return true;
    };
    let line = line.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let mut program = words.next().unwrap_or("");
    if program.rsplit('/').next() == Some("env") {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    matches!(
        program.rsplit('/').next(),
        Some("sh" | "bash" | "dash" | "ash")
    )
}

/// From this size on, a file's rules run in parallel.
const PARALLEL_RULES_FROM: usize = 256 * 1024;

/// Runs the enabled rules over a parsed document. Diagnostics come sorted by position.
pub fn check(doc: &Document, enabled: &dyn Fn(&Rule) -> bool) -> Vec<Diagnostic> {
    check_with(doc, enabled, LintOptions::default())
}

/// [`check`] with options.
pub fn check_with(
    doc: &Document,
    enabled: &dyn Fn(&Rule) -> bool,
    options: LintOptions,
) -> Vec<Diagnostic> {
    let mut ctx = Context::new(doc);
    ctx.options = options;
    let rules: Vec<&Rule> = RULES.iter().copied().filter(|r| enabled(r)).collect();
    let mut diagnostics = Vec::new();
    if doc.text.len() >= PARALLEL_RULES_FROM {
        // A large file: its rules run in parallel (a run of many files is already parallel by
        // file, and small files are not worth the hand-over). The shared state in `ctx` is
        // computed once whichever rule asks first; the result is the same as in order.
        use rayon::prelude::*;
        // What most rules wait for, worked out first with every core free to help (a rule
        // that asked first would hold the others blocked on it while it works alone).
        rayon::join(
            || {
                ctx.shell_runs();
            },
            || {
                ctx.indent();
            },
        );
        let parts: Vec<Vec<Diagnostic>> = rules
            .par_iter()
            .map(|rule| {
                let mut found = Vec::new();
                crate::guard::run_rule(rule.code, || (rule.check)(&ctx, &mut found));
                found
            })
            .collect();
        diagnostics = parts.concat();
    } else {
        for rule in rules {
            crate::guard::run_rule(rule.code, || (rule.check)(&ctx, &mut diagnostics));
        }
    }
    #[cfg(debug_assertions)]
    if test_panic::armed() {
        crate::guard::run_rule(test_panic::RULE.code, || {
            (test_panic::RULE.check)(&ctx, &mut diagnostics)
        });
    }
    let heredocs = heredoc_places(doc);
    if !heredocs.is_empty() {
        for d in &mut diagnostics {
            if d.fix
                .as_ref()
                .is_some_and(|f| !heredoc_fix_ok(&doc.text, &heredocs, f))
            {
                d.fix = None;
            }
        }
    }
    diagnostics.sort_by(|a, b| (a.span.start, a.rule.code).cmp(&(b.span.start, b.rule.code)));
    diagnostics
}

/// A heredoc's place in the source: its instruction, its body, its terminator line.
struct HeredocPlace<'a> {
    ins: Span,
    body: Span,
    term: Span,
    name: &'a str,
}

fn heredoc_places(doc: &Document) -> Vec<HeredocPlace<'_>> {
    doc.instructions()
        .flat_map(|i| {
            i.heredocs.iter().map(|h| HeredocPlace {
                ins: i.span,
                body: h.body,
                term: h.terminator,
                name: &h.name,
            })
        })
        .collect()
}

/// Whether a fix that edits a heredoc (a `RUN <<EOF` script the command rules read) leaves
/// every heredoc as it was: each such edit inside one body (not at its end, which is the start
/// of the terminator line), and no line of the edited body that reads as the terminator (it
/// would end the body early). Deleting or replacing a whole instruction is not an edit of its
/// heredoc. Linear in the fix and the bodies it edits (`heredocs` in source order).
fn heredoc_fix_ok(text: &str, heredocs: &[HeredocPlace], fix: &Fix) -> bool {
    let mut touched: Vec<usize> = Vec::new();
    for e in &fix.edits {
        let (start, end) = (e.span.start, e.span.end);
        let first = heredocs.partition_point(|h| h.term.end <= start);
        for (k, h) in heredocs.iter().enumerate().skip(first) {
            if h.body.start > end {
                break;
            }
            if start <= h.ins.start && end >= h.ins.end {
                continue;
            }
            if start < h.body.start || end > h.body.end || start == h.body.end {
                return false;
            }
            if !touched.contains(&k) {
                touched.push(k);
            }
        }
    }
    touched.iter().all(|&k| {
        let Some(h) = heredocs.get(k) else {
            return false;
        };
        let mut edits: Vec<&crate::fix::Edit> = fix
            .edits
            .iter()
            .filter(|e| e.span.start >= h.body.start && e.span.end <= h.body.end)
            .collect();
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut body = String::new();
        let mut at = h.body.start;
        for e in edits {
            let Some(kept) = text.get(at..e.span.start) else {
                return false;
            };
            body.push_str(kept);
            body.push_str(&e.content);
            at = e.span.end;
        }
        let Some(rest) = text.get(at..h.body.end) else {
            return false;
        };
        body.push_str(rest);
        (body.is_empty() || body.ends_with('\n')) && !body.lines().any(|l| l.trim() == h.name)
    })
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
            assert!(
                r.code.starts_with("DF") && r.code.len() == 5 || r.code == "SC",
                "{}",
                r.code
            );
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
    fn heredoc_scripts_are_lexed_with_exact_spans() {
        let text = "FROM debian\nRUN <<-EOF\n\tapt-get install x\n\tEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\nRUN cat <<EOF >/x\napt-get install y\nEOF\n";
        let doc = crate::syntax::parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = ctx.shell_runs();
        let run = runs.first().unwrap();
        assert!(run.heredoc.is_some());
        let cmd = run.commands.first().unwrap();
        let word = cmd.words.get(1).unwrap();
        assert_eq!(doc.slice(run.to_source(word.span)), "install");
        // Python's script and a heredoc fed to `cat` are not shell scripts.
        assert!(runs.iter().skip(1).all(|r| r.heredoc.is_none()));
        assert!(posix_shebang("#!/usr/bin/env bash\n") && posix_shebang("#!/bin/sh -e\n"));
        assert!(!posix_shebang("#!/usr/bin/python3\n") && posix_shebang("echo\n"));
    }

    #[test]
    fn fixes_that_would_change_a_heredoc_are_refused() {
        use crate::fix::{Edit, Fix};
        let text = "FROM alpine\nRUN <<EOF\napk add x\nEOF\nCMD [\"x\"]\n";
        let doc = crate::syntax::parse(text).unwrap();
        let body = doc.instructions().nth(1).unwrap().heredocs[0].body;
        let fix = |at: usize, end: usize, s: &str| Fix {
            title: String::new(),
            applicability: Applicability::Safe,
            edits: vec![Edit::replace(Span::new(at, end), s)],
            files: Vec::new(),
        };
        let places = heredoc_places(&doc);
        let ok = |f: &Fix| heredoc_fix_ok(text, &places, f);
        let add = text.find("add").unwrap() + 3;
        assert!(ok(&fix(add, add, " --no-cache")));
        // A line that reads as the terminator, an insertion into the terminator line, an
        // edit from the body into the next instruction.
        assert!(!ok(&fix(add, add, "\nEOF\nRUN y")));
        assert!(!ok(&fix(add, add, "\n  EOF  \n")));
        assert!(!ok(&fix(body.end, body.end, "x")));
        assert!(!ok(&fix(add, text.len() - 2, "")));
        // Edits elsewhere, and the whole instruction, pass.
        let cmd = text.find("CMD").unwrap();
        assert!(ok(&fix(cmd, cmd + 3, "cmd")));
        let run = doc.instructions().nth(1).unwrap().span;
        assert!(ok(&fix(run.start, run.end, "")));
    }

    #[test]
    fn calls_by_program() {
        let doc = crate::syntax::parse(
            "FROM debian\nRUN apt-get update && apt-get -o X=1 install -y curl\n\
             RUN curl -fsSLo /x https://e.x/a && then_not apt-get install z\n\
             RUN if true; then apt install -y jq; fi\n",
        )
        .unwrap();
        let ctx = Context::new(&doc);
        let apt: Vec<(usize, Option<&str>)> = ctx
            .calls(&programs::APT)
            .map(|(_, i, call)| (i, call.subcommand()))
            .collect();
        // `if true; then apt install`: `true` is the RUN's first command.
        assert_eq!(
            apt,
            [
                (0, Some("update")),
                (1, Some("install")),
                (1, Some("install"))
            ]
        );
        let curl: Vec<_> = ctx
            .calls(&programs::CURL)
            .map(|(_, _, c)| c.value("-o").map(str::to_string))
            .collect();
        assert_eq!(curl, [Some("/x".to_string())]);
        assert_eq!(ctx.calls(&programs::NPM).count(), 0);
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
        assert_eq!(select("SC2086")[0].code, "SC2086");
        assert_eq!(select("SC")[0].code, "SC");
        assert_eq!(select("shellcheck")[0].code, "SC");
        assert!(select("DF").iter().all(|r| !r.is_shellcheck()));
        assert!(shellcheck::RULE.covers(select("SC2086")[0]));
        assert!(!select("SC2086")[0].covers(&shellcheck::RULE));
    }
}
