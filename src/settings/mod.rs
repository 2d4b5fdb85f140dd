//! Configuration: `dockerfix.toml` / `.dockerfix.toml`, found by walking up from each file (the
//! closest wins; `extend` inherits from another file), validated strictly (unknown keys are
//! errors naming the key and line), then overridden by command-line options.

pub mod hadolint;

use crate::rules::{self, Rule};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_NAMES: &[&str] = &["dockerfix.toml", ".dockerfix.toml"];

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub extend: Option<String>,
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub unsafe_fixes: Option<bool>,
    pub exclude: Option<Vec<String>>,
    pub include: Option<Vec<String>>,
    pub extend_include: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// `fail-on`: the lowest severity that makes `check` exit 1 (`info`, the default: any
    /// finding; `warning`; `error`; `never`).
    pub fail_on: Option<FailOn>,
    /// `[[contexts]]`: build contexts for Dockerfiles matching globs.
    pub contexts: Option<Vec<ContextEntry>>,
    pub format: Option<FormatConfig>,
    pub lint: Option<LintConfig>,
    /// Read from a `.hadolint.yaml` ([`hadolint::migrate`]).
    #[serde(skip)]
    pub migrated: bool,
    /// What reading it noticed without failing (hadolint keys not carried over).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// One `[[contexts]]` entry: the Dockerfiles (globs relative to the config's folder) built
/// with `context` (a folder relative to the config's folder).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextEntry {
    pub dockerfiles: Vec<String>,
    pub context: PathBuf,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FormatConfig {
    pub indent_style: Option<IndentStyle>,
    pub indent_width: Option<usize>,
    pub line_ending: Option<LineEnding>,
    pub and_position: Option<AndPosition>,
    pub max_blank_lines: Option<usize>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    /// Whether `# hadolint ignore=...` comments suppress findings (default: true; hadolint's
    /// `disable-ignore-pragma` is `false` here).
    pub hadolint_comments: Option<bool>,
    pub non_root_user: Option<NonRootUser>,
    pub package_cache: Option<PackageCache>,
    pub shellcheck: Option<ShellcheckConfig>,
    /// `[lint.severity]`: a rule selector (code, name, alias) and the severity its findings
    /// are reported with, instead of the rule's own.
    pub severity: Option<BTreeMap<String, rules::Severity>>,
    pub trusted_registries: Option<TrustedRegistries>,
    pub label_schema: Option<LabelSchemaConfig>,
    pub mergeable_runs: Option<MergeableRunsConfig>,
    pub cd_in_run: Option<CdInRunConfig>,
    pub pipefail: Option<PipefailConfig>,
}

/// `[lint.mergeable-runs]`: which consecutive RUNs DF201 reports.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MergeableRunsConfig {
    pub scope: Option<MergeScope>,
}

/// `[lint.mergeable-runs] scope`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MergeScope {
    /// Only RUNs that are steps of one apt sequence (merged by the fix).
    #[default]
    AptSequence,
    /// Also every RUN right after a RUN with the same flags, each one command (hadolint's
    /// DL3059); no fix for those.
    Consecutive,
}

/// `[lint.cd-in-run]`: which `cd` commands DF308 reports.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CdInRunConfig {
    pub scope: Option<CdScope>,
}

/// `[lint.cd-in-run] scope`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CdScope {
    /// Only a RUN that starts with `cd /abs &&` and stays there.
    #[default]
    Leading,
    /// Every RUN with a `cd` anywhere in it (hadolint's DL3003).
    Any,
}

/// `[lint.pipefail]`: which pipes DF306 reports.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PipefailConfig {
    pub pipes: Option<PipefailPipes>,
}

/// `[lint.pipefail] pipes`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PipefailPipes {
    /// Only a pipe with a download before its last command.
    #[default]
    Downloads,
    /// Every pipe (hadolint's DL4006); no fix for those the default would not report.
    All,
}

/// `[lint.trusted-registries]`: the registries `FROM` may pull from (DF924, DL3026).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrustedRegistries {
    /// Registry hosts (`docker.io`, `registry.example.com:5000`), or patterns with a `*` at
    /// the start or the end (`*.gcr.io`), or `*` alone.
    pub registries: Vec<String>,
}

/// `[lint.label-schema]`: the labels every shipped image must have, and their formats (DF925,
/// DF926, DF927; hadolint's `label-schema` and `strict-labels`).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LabelSchemaConfig {
    /// Label name → the format of its value.
    pub labels: BTreeMap<String, LabelFormat>,
    /// Also flag labels that are not in the schema.
    pub strict: Option<bool>,
}

/// The format a schema label's value must have (hadolint's label types).
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum LabelFormat {
    /// Any value that is not empty.
    Text,
    Url,
    Rfc3339,
    Semver,
    /// A git commit hash: 7 or 40 lower-case hexadecimal digits.
    Hash,
    Spdx,
    Email,
}

impl LabelFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelFormat::Text => "text",
            LabelFormat::Url => "url",
            LabelFormat::Rfc3339 => "rfc3339",
            LabelFormat::Semver => "semver",
            LabelFormat::Hash => "hash",
            LabelFormat::Spdx => "spdx",
            LabelFormat::Email => "email",
        }
    }
}

/// `fail-on`: which findings make `check` exit 1.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Any finding.
    #[default]
    Info,
    Warning,
    Error,
    /// None: findings are reported, the exit code is 0 (as `--exit-zero`).
    Never,
}

impl FailOn {
    /// Whether a finding of this severity makes `check` fail.
    pub fn fails(self, severity: rules::Severity) -> bool {
        match self {
            FailOn::Info => true,
            FailOn::Warning => severity >= rules::Severity::Warning,
            FailOn::Error => severity >= rules::Severity::Error,
            FailOn::Never => false,
        }
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ShellcheckConfig {
    /// The `shellcheck` program (relative to the config's folder); default: `shellcheck` on
    /// `PATH`.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NonRootUser {
    pub user: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageCache {
    pub strategy: Option<CacheStrategy>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CacheStrategy {
    #[default]
    Clean,
    Mount,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LineEnding {
    #[default]
    Auto,
    Lf,
    Crlf,
}

/// What continuation lines are indented with (`format.indent-style`).
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum IndentStyle {
    Space,
    Tab,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum AndPosition {
    #[default]
    Preserve,
    Leading,
    Trailing,
}

/// Layout options of `dockerfix format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatSettings {
    /// `indent-style`; None: the file's own (see [`crate::format::indent_for`]).
    pub indent_style: Option<IndentStyle>,
    /// `indent-width`: spaces per level, or the columns a tab counts for under `tab`; None:
    /// the file's own.
    pub indent_width: Option<usize>,
    pub line_ending: LineEnding,
    pub and_position: AndPosition,
    pub max_blank_lines: usize,
}

impl Default for FormatSettings {
    fn default() -> Self {
        FormatSettings {
            indent_style: None,
            indent_width: None,
            line_ending: LineEnding::Auto,
            and_position: AndPosition::Preserve,
            max_blank_lines: 1,
        }
    }
}

/// Resolved settings for one file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Enabled rules, by index in [`rules::RULES`].
    pub enabled: Vec<bool>,
    pub unsafe_fixes: bool,
    pub format: FormatSettings,
    pub per_file_ignores: Vec<(GlobSet, Vec<&'static Rule>)>,
    /// `[[contexts]]`, in order: the Dockerfile globs, as written, and the context folder
    /// (absolute).
    pub contexts: Vec<(GlobSet, String, PathBuf)>,
    /// The config file these settings come from, if any.
    pub config_file: Option<PathBuf>,
    pub exclude: GlobSet,
    /// `include`: the files to check when walking folders, replacing the Dockerfile names
    /// (`None`: those names, see [`crate::walk::is_dockerfile_name`]).
    pub include: Option<GlobSet>,
    /// `extend-include`: more files to check, besides the names (or `include`).
    pub extend_include: GlobSet,
    /// The folder of the config file (globs are relative to it), if any.
    pub root: Option<PathBuf>,
    pub cache_strategy: CacheStrategy,
    pub non_root_user: String,
    /// `[lint.shellcheck] path`: the ShellCheck program (None: `shellcheck` on `PATH`).
    pub shellcheck_path: Option<PathBuf>,
    /// Which ShellCheck codes are on, as (code prefix, on) in the order selected: the longest
    /// prefix that matches a code decides, the later one on a tie. None matching: off.
    pub shellcheck_codes: Vec<(String, bool)>,
    /// `fail-on`.
    pub fail_on: FailOn,
    /// `[lint.severity]`, in the config's order: the rules a selector names and their severity
    /// (the last entry that covers a rule decides).
    pub severities: Vec<(Vec<&'static Rule>, rules::Severity)>,
    /// `[lint.trusted-registries] registries` (None: not configured, DF924 has nothing to
    /// check).
    pub trusted_registries: Option<Vec<String>>,
    /// `[lint.label-schema] labels`, and `strict`.
    pub label_schema: Vec<(String, LabelFormat)>,
    pub strict_labels: bool,
    /// What reading the config file noticed without failing (keys of a `.hadolint.yaml` that
    /// are not carried over), for the command line to print once.
    pub warnings: Vec<String>,
    /// Whether the config file is a `.hadolint.yaml` read in place of a dockerfix one.
    pub migrated: bool,
    /// `[lint] hadolint-comments`.
    pub hadolint_comments: bool,
    /// `[lint.mergeable-runs] scope` (DF201).
    pub merge_scope: MergeScope,
    /// `[lint.cd-in-run] scope` (DF308).
    pub cd_scope: CdScope,
    /// `[lint.pipefail] pipes` (DF306).
    pub pipefail_pipes: PipefailPipes,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: rules::RULES.iter().map(|r| r.default_enabled).collect(),
            unsafe_fixes: false,
            format: FormatSettings::default(),
            per_file_ignores: Vec::new(),
            contexts: Vec::new(),
            config_file: None,
            exclude: GlobSet::empty(),
            include: None,
            extend_include: GlobSet::empty(),
            root: None,
            cache_strategy: CacheStrategy::Clean,
            non_root_user: "auto".into(),
            shellcheck_path: None,
            shellcheck_codes: Vec::new(),
            fail_on: FailOn::Info,
            severities: Vec::new(),
            trusted_registries: None,
            label_schema: Vec::new(),
            strict_labels: false,
            warnings: Vec::new(),
            migrated: false,
            hadolint_comments: true,
            merge_scope: MergeScope::AptSequence,
            cd_scope: CdScope::Leading,
            pipefail_pipes: PipefailPipes::Downloads,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Rule selection from `--select`, `--extend-select`, `--ignore` (and the same config keys).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

fn resolve_selector(sel: &str) -> Result<Vec<&'static Rule>, String> {
    let found = rules::select(sel);
    if found.is_empty() {
        Err(format!(
            "unknown rule selector `{sel}` (see `dockerfix rule --all`)"
        ))
    } else {
        Ok(found)
    }
}

fn index_of(rule: &Rule) -> Option<usize> {
    // By address first: the registry holds the rules' statics, and `lint` asks this for every
    // rule of every file (comparing codes as strings showed in profiles of large trees).
    rules::RULES
        .iter()
        .position(|r| std::ptr::eq(*r, rule))
        .or_else(|| rules::RULES.iter().position(|r| r.code == rule.code))
}

/// Turns the rules a selector names on or off; a ShellCheck selector (`SC`, `SC2086`, `ALL`)
/// also records which codes, and turns the family on when selecting (off only when the whole
/// family is ignored).
fn set(settings: &mut Settings, sel: &str, on: bool) -> Result<(), String> {
    let family = rules::shellcheck::is_selector(sel);
    for r in resolve_selector(sel)?.into_iter().filter(|_| !family) {
        if let Some(i) = index_of(r)
            && let Some(e) = settings.enabled.get_mut(i)
        {
            *e = on;
        }
    }
    if family || sel.eq_ignore_ascii_case("ALL") {
        let prefix = if sel.eq_ignore_ascii_case("ALL") {
            "SC".to_string()
        } else {
            rules::shellcheck::selector_prefix(sel)
        };
        let whole = prefix == "SC";
        settings.shellcheck_codes.push((prefix, on));
        if let Some(i) = index_of(&rules::shellcheck::RULE)
            && let Some(e) = settings.enabled.get_mut(i)
            && (on || whole)
        {
            *e = on;
        }
    }
    Ok(())
}

impl Selection {
    pub fn apply(&self, settings: &mut Settings) -> Result<(), String> {
        if let Some(select) = &self.select {
            settings.enabled.iter_mut().for_each(|e| *e = false);
            settings.shellcheck_codes.clear();
            for sel in select {
                set(settings, sel, true)?;
            }
        }
        for sel in &self.extend_select {
            set(settings, sel, true)?;
        }
        for sel in &self.ignore {
            set(settings, sel, false)?;
        }
        Ok(())
    }
}

fn globset(path: &Path, globs: &[String]) -> Result<GlobSet, ConfigError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!("bad glob `{g}`: {e}"),
        })?;
        b.add(glob);
        // `vendor/**` also matches the folder itself, and a bare name matches anywhere.
        if !g.contains('/')
            && let Ok(glob) = Glob::new(&format!("**/{g}"))
        {
            b.add(glob);
        }
    }
    b.build().map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Reads one config file, following `extend` (the extending file's keys win).
pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    load_depth(path, 0)
}

fn load_depth(path: &Path, depth: usize) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if hadolint::is_hadolint(path) {
        let m = hadolint::migrate(&text, path)?;
        let mut cfg: ConfigFile = toml::from_str(&m.toml).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!("its dockerfix equivalent does not read back: {e}"),
        })?;
        cfg.migrated = true;
        cfg.warnings = m.warnings;
        return Ok(cfg);
    }
    let cfg: ConfigFile = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| crate::syntax::line_col(&text, &crate::syntax::line_starts(&text), s.start))
            .unwrap_or((1, 1));
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().to_string(),
        }
    })?;
    let Some(parent_ref) = cfg.extend.clone() else {
        return Ok(cfg);
    };
    if depth > 8 {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: "`extend` chain is too deep (a cycle?)".into(),
        });
    }
    let base_path = path.parent().unwrap_or(Path::new(".")).join(parent_ref);
    let base = load_depth(&base_path, depth + 1)?;
    Ok(merge(base, cfg))
}

fn merge(base: ConfigFile, over: ConfigFile) -> ConfigFile {
    let fmt = match (base.format, over.format) {
        (Some(b), Some(o)) => Some(FormatConfig {
            indent_style: o.indent_style.or(b.indent_style),
            indent_width: o.indent_width.or(b.indent_width),
            line_ending: o.line_ending.or(b.line_ending),
            and_position: o.and_position.or(b.and_position),
            max_blank_lines: o.max_blank_lines.or(b.max_blank_lines),
        }),
        (b, o) => o.or(b),
    };
    let lint = match (base.lint, over.lint) {
        (Some(b), Some(o)) => Some(LintConfig {
            hadolint_comments: o.hadolint_comments.or(b.hadolint_comments),
            non_root_user: o.non_root_user.or(b.non_root_user),
            package_cache: o.package_cache.or(b.package_cache),
            shellcheck: o.shellcheck.or(b.shellcheck),
            severity: o.severity.or(b.severity),
            trusted_registries: o.trusted_registries.or(b.trusted_registries),
            label_schema: o.label_schema.or(b.label_schema),
            mergeable_runs: o.mergeable_runs.or(b.mergeable_runs),
            cd_in_run: o.cd_in_run.or(b.cd_in_run),
            pipefail: o.pipefail.or(b.pipefail),
        }),
        (b, o) => o.or(b),
    };
    ConfigFile {
        extend: None,
        select: over.select.or(base.select),
        extend_select: over.extend_select.or(base.extend_select),
        ignore: over.ignore.or(base.ignore),
        unsafe_fixes: over.unsafe_fixes.or(base.unsafe_fixes),
        exclude: over.exclude.or(base.exclude),
        include: over.include.or(base.include),
        extend_include: over.extend_include.or(base.extend_include),
        per_file_ignores: over.per_file_ignores.or(base.per_file_ignores),
        fail_on: over.fail_on.or(base.fail_on),
        contexts: over.contexts.or(base.contexts),
        format: fmt,
        lint,
        migrated: false,
        warnings: Vec::new(),
    }
}

impl Settings {
    /// Settings from a config file (or the defaults), before command-line overrides.
    pub fn from_config(cfg: &ConfigFile, path: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        let cfg_path = path.map(Path::to_path_buf).unwrap_or_default();
        let invalid = |message: String| ConfigError::Invalid {
            path: cfg_path.clone(),
            message,
        };
        Selection {
            select: cfg.select.clone(),
            extend_select: cfg.extend_select.clone().unwrap_or_default(),
            ignore: cfg.ignore.clone().unwrap_or_default(),
        }
        .apply(&mut s)
        .map_err(invalid)?;
        s.unsafe_fixes = cfg.unsafe_fixes.unwrap_or(false);
        if let Some(f) = &cfg.format {
            s.format.indent_style = f.indent_style;
            s.format.indent_width = f.indent_width;
            if s.format.indent_width.is_some_and(|w| w > 16) {
                return Err(invalid(
                    "`format.indent-width` must be between 0 and 16".into(),
                ));
            }
            s.format.line_ending = f.line_ending.unwrap_or_default();
            s.format.and_position = f.and_position.unwrap_or_default();
            s.format.max_blank_lines = f.max_blank_lines.unwrap_or(s.format.max_blank_lines);
        }
        if let Some(l) = &cfg.lint {
            if let Some(strategy) = l.package_cache.as_ref().and_then(|p| p.strategy) {
                s.cache_strategy = strategy;
            }
            if let Some(user) = l.non_root_user.as_ref().and_then(|u| u.user.clone()) {
                s.non_root_user = user;
            }
            if let Some(scope) = l.mergeable_runs.as_ref().and_then(|m| m.scope) {
                s.merge_scope = scope;
            }
            if let Some(scope) = l.cd_in_run.as_ref().and_then(|c| c.scope) {
                s.cd_scope = scope;
            }
            if let Some(pipes) = l.pipefail.as_ref().and_then(|p| p.pipes) {
                s.pipefail_pipes = pipes;
            }
            if let Some(p) = l.shellcheck.as_ref().and_then(|c| c.path.as_ref()) {
                // A bare name is looked up on PATH; a path is relative to the config's folder.
                let dir = path.and_then(Path::parent).unwrap_or(Path::new(""));
                s.shellcheck_path = Some(if p.components().count() > 1 {
                    dir.join(p)
                } else {
                    p.clone()
                });
            }
            for (sel, severity) in l.severity.iter().flatten() {
                s.severities
                    .push((resolve_selector(sel).map_err(invalid)?, *severity));
            }
            s.hadolint_comments = l.hadolint_comments.unwrap_or(true);
            if let Some(t) = &l.trusted_registries {
                s.trusted_registries = Some(t.registries.clone());
            }
            if let Some(schema) = &l.label_schema {
                s.label_schema = schema.labels.iter().map(|(k, v)| (k.clone(), *v)).collect();
                s.strict_labels = schema.strict.unwrap_or(false);
            }
        }
        s.fail_on = cfg.fail_on.unwrap_or_default();
        s.migrated = cfg.migrated;
        s.warnings = cfg.warnings.clone();
        // Rules that check against a configured list are on once the list is there (unless
        // the config's `ignore` names them); the command line's selection still applies.
        let configured = [
            (
                s.trusted_registries.is_some(),
                &crate::rules::TRUSTED_REGISTRY,
            ),
            (!s.label_schema.is_empty(), &crate::rules::MISSING_LABEL),
            (!s.label_schema.is_empty(), &crate::rules::LABEL_FORMAT),
            (
                s.strict_labels && !s.label_schema.is_empty(),
                &crate::rules::LABEL_NOT_IN_SCHEMA,
            ),
        ];
        let ignored = |r: &Rule| {
            cfg.ignore
                .iter()
                .flatten()
                .any(|sel| rules::select(sel).iter().any(|i| i.covers(r)))
        };
        for (on, rule) in configured {
            if on
                && !ignored(rule)
                && let Some(i) = index_of(rule)
                && let Some(e) = s.enabled.get_mut(i)
            {
                *e = true;
            }
        }
        for (glob, sels) in cfg.per_file_ignores.iter().flatten() {
            let mut rules = Vec::new();
            for sel in sels {
                rules.extend(resolve_selector(sel).map_err(invalid)?);
            }
            s.per_file_ignores
                .push((globset(&cfg_path, std::slice::from_ref(glob))?, rules));
        }
        s.exclude = globset(&cfg_path, cfg.exclude.as_deref().unwrap_or_default())?;
        s.include = match cfg.include.as_deref() {
            Some(globs) => Some(globset(&cfg_path, globs)?),
            None => None,
        };
        s.extend_include = globset(&cfg_path, cfg.extend_include.as_deref().unwrap_or_default())?;
        s.root = path.and_then(Path::parent).map(crate::walk::absolute);
        s.config_file = path.map(Path::to_path_buf);
        for entry in cfg.contexts.iter().flatten() {
            if entry.dockerfiles.is_empty() {
                return Err(invalid(
                    "a `[[contexts]]` entry needs at least one glob in `dockerfiles`".into(),
                ));
            }
            let dir = s
                .root
                .clone()
                .unwrap_or_else(|| crate::walk::absolute(Path::new(".")));
            s.contexts.push((
                globset(&cfg_path, &entry.dockerfiles)?,
                entry.dockerfiles.join(", "),
                crate::context::choose::lexical(&dir.join(&entry.context)),
            ));
        }
        Ok(s)
    }

    /// The `[[contexts]]` entry for a Dockerfile (the first that matches its path relative to
    /// the config's folder).
    pub fn context_for(&self, dockerfile: &Path) -> Option<crate::context::choose::Chosen> {
        let rel = self.relative(dockerfile);
        self.contexts
            .iter()
            .find(|(g, _, _)| g.is_match(&rel))
            .map(|(_, glob, dir)| crate::context::choose::Chosen {
                root: dir.clone(),
                source: crate::context::choose::Source::Config {
                    file: self.config_file.clone(),
                    glob: glob.clone(),
                },
                named_contexts: Vec::new(),
                build_args: Vec::new(),
            })
    }

    /// Whether ShellCheck is to run: the `SC` family is on and some code of it is selected.
    pub fn shellcheck_selected(&self) -> bool {
        self.is_enabled(&rules::shellcheck::RULE) && self.shellcheck_codes.iter().any(|c| c.1)
    }

    /// The severity a rule's findings are reported with: the last `[lint.severity]` entry
    /// that names it, else the rule's own.
    pub fn severity_of(&self, rule: &Rule) -> rules::Severity {
        self.severities
            .iter()
            .rev()
            .find(|(rules, _)| rules.iter().any(|r| r.covers(rule)))
            .map_or(rule.severity, |(_, s)| *s)
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        if rule.is_shellcheck() && rule.code != rules::shellcheck::RULE.code {
            return self.is_enabled(&rules::shellcheck::RULE)
                && self
                    .shellcheck_codes
                    .iter()
                    .enumerate()
                    .filter(|(_, (prefix, _))| rule.code.starts_with(prefix.as_str()))
                    .max_by_key(|(i, (prefix, _))| (prefix.len(), *i))
                    .is_some_and(|(_, (_, on))| *on);
        }
        index_of(rule)
            .and_then(|i| self.enabled.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The path relative to the config's folder, for globs (`./docker/x` and `/abs/docker/x`
    /// both become `docker/x`).
    fn relative(&self, path: &Path) -> PathBuf {
        let abs = crate::walk::absolute(path);
        match self.root.as_deref().and_then(|r| abs.strip_prefix(r).ok()) {
            Some(rel) => rel.to_path_buf(),
            None => path.strip_prefix(".").unwrap_or(path).to_path_buf(),
        }
    }

    /// Rules `per-file-ignores` turns off for this path.
    pub fn ignored_for(&self, path: &Path) -> Vec<&'static Rule> {
        let rel = self.relative(path);
        self.per_file_ignores
            .iter()
            .filter(|(g, _)| g.is_match(&rel))
            .flat_map(|(_, r)| r.iter().copied())
            .collect()
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        let rel = self.relative(path);
        self.exclude.is_match(&rel)
            || rel
                .ancestors()
                .any(|a| !a.as_os_str().is_empty() && self.exclude.is_match(a))
    }

    /// Whether a file found by walking a folder is checked: its name is a Dockerfile's (or it
    /// matches `include`, which replaces the names), or it matches `extend-include`. Globs are
    /// matched against the path relative to the config's folder and against the file name,
    /// as ruff does (`include = ["*.df"]` takes `docker/x.df`).
    pub fn wants(&self, path: &Path) -> bool {
        let rel = self.relative(path);
        let name = path.file_name().map(Path::new).unwrap_or(path);
        let matches = |g: &GlobSet| g.is_match(&rel) || g.is_match(name);
        let by_name = match &self.include {
            Some(g) => matches(g),
            None => name.to_str().is_some_and(crate::walk::is_dockerfile_name),
        };
        by_name || matches(&self.extend_include)
    }
}

/// The settings of the files a config file applies to (None: no config file, the defaults),
/// `extend` followed, before any command-line override: what `check` and `format` use.
pub fn resolve(config: Option<&Path>) -> Result<Settings, ConfigError> {
    match config {
        Some(p) => Settings::from_config(&load(p)?, Some(p)),
        None => Ok(Settings::default()),
    }
}

/// The config file that applies to a file: the closest `dockerfix.toml` or `.dockerfix.toml`
/// in its folder or above (a relative path is taken from the current folder); without one, a
/// `.hadolint.yaml` found as [`find_hadolint`] finds it.
pub fn config_for_file(path: &Path) -> Option<PathBuf> {
    let abs = crate::walk::absolute(path);
    let dir = abs.parent().unwrap_or(Path::new("/"));
    find_config(dir).or_else(|| find_hadolint(dir))
}

/// Finds the closest config file above `dir` (inclusive).
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    find_named(dir, CONFIG_NAMES)
}

fn find_named(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    dir.ancestors()
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// The `.hadolint.yaml` (or `.yml`) used when no dockerfix config applies: the closest one in
/// `dir` or above (hadolint looks in the current folder only; looking where dockerfix looks
/// for its own config finds that one when hadolint is run from the project's root, and the
/// right one per file in a monorepo), else hadolint's user-level ones
/// ([`hadolint::user_config`]).
pub fn find_hadolint(dir: &Path) -> Option<PathBuf> {
    find_named(dir, hadolint::NAMES).or_else(hadolint::user_config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shellcheck_selection() {
        let on = |select: Option<&[&str]>, extend: &[&str], ignore: &[&str], code: &str| {
            let mut s = Settings::default();
            let v = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
            Selection {
                select: select.map(v),
                extend_select: v(extend),
                ignore: v(ignore),
            }
            .apply(&mut s)
            .unwrap();
            s.is_enabled(rules::by_code(code).unwrap())
        };
        assert!(!on(None, &[], &[], "SC2086"));
        assert!(on(None, &["SC"], &[], "SC2086"));
        assert!(on(Some(&["ALL"]), &[], &[], "SC2086"));
        assert!(on(Some(&["shellcheck"]), &[], &[], "SC2086"));
        assert!(!on(Some(&["SC"]), &[], &["SC2086"], "SC2086"));
        assert!(on(Some(&["SC"]), &[], &["SC2086"], "SC2154"));
        assert!(on(Some(&["SC2086"]), &[], &[], "SC2086"));
        assert!(!on(Some(&["SC2086"]), &[], &[], "SC2154"));
        assert!(!on(Some(&["SC2"]), &[], &["SC20"], "SC2046"));
        assert!(on(Some(&["SC2"]), &[], &["SC20"], "SC2154"));
        assert!(!on(Some(&["SC"]), &[], &["SC"], "SC2154"));
        assert!(!on(Some(&["DF"]), &[], &[], "SC2154"));
        assert!(on(None, &["SC"], &[], "DF204"));
    }

    #[test]
    fn fail_on_severity_and_configured_rules() {
        use rules::Severity::*;
        assert!(FailOn::Info.fails(Info) && FailOn::Warning.fails(Error));
        assert!(!FailOn::Warning.fails(Info) && !FailOn::Error.fails(Warning));
        assert!(!FailOn::Never.fails(Error));
        let cfg: ConfigFile = toml::from_str(
            "fail-on = \"error\"\nignore = [\"DL3049\"]\n[lint.severity]\nDL3014 = \"error\"\nSC2086 = \"info\"\n\
             [lint.trusted-registries]\nregistries = []\n[lint.label-schema.labels]\nx = \"url\"\n",
        )
        .unwrap();
        let s = Settings::from_config(&cfg, None).unwrap();
        assert_eq!(s.fail_on, FailOn::Error);
        assert_eq!(s.severity_of(rules::by_code("DF204").unwrap()), Error);
        assert_eq!(s.severity_of(rules::by_code("SC2086").unwrap()), Info);
        assert_eq!(
            s.severity_of(rules::by_code("DF203").unwrap()),
            rules::by_code("DF203").unwrap().severity
        );
        // A configured list turns its rules on, unless `ignore` names them.
        assert!(s.is_enabled(&rules::TRUSTED_REGISTRY));
        assert!(s.is_enabled(&rules::LABEL_FORMAT));
        assert!(!s.is_enabled(&rules::MISSING_LABEL));
        assert!(
            !s.is_enabled(&rules::LABEL_NOT_IN_SCHEMA),
            "strict is not set"
        );
        let none = Settings::default();
        assert!(
            !none.is_enabled(&rules::TRUSTED_REGISTRY) && !none.is_enabled(&rules::LABEL_FORMAT)
        );
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dockerfix.toml");
        std::fs::write(&p, "select = [\"ALL\"]\n[format]\nmax-blank-line = 2\n").unwrap();
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains(":3:1:") && e.contains("max-blank-line"), "{e}");
    }

    #[test]
    fn widening_options() {
        let s = Settings::from_config(&ConfigFile::default(), None).unwrap();
        assert_eq!(
            (s.merge_scope, s.cd_scope, s.pipefail_pipes),
            (
                MergeScope::AptSequence,
                CdScope::Leading,
                PipefailPipes::Downloads
            )
        );
        let cfg: ConfigFile = toml::from_str(
            "[lint.mergeable-runs]\nscope = \"consecutive\"\n[lint.cd-in-run]\nscope = \"any\"\n\
             [lint.pipefail]\npipes = \"all\"\n",
        )
        .unwrap();
        let s = Settings::from_config(&cfg, None).unwrap();
        assert_eq!(
            (s.merge_scope, s.cd_scope, s.pipefail_pipes),
            (MergeScope::Consecutive, CdScope::Any, PipefailPipes::All)
        );
        // An unknown value, or key, is an error that names it, the values and the line.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dockerfix.toml");
        for (text, wanted) in [
            (
                "[lint.pipefail]\npipes = \"every\"\n",
                "unknown variant `every`, expected `downloads` or `all`",
            ),
            (
                "[lint.mergeable-runs]\nscope = \"all\"\n",
                "unknown variant `all`, expected `apt-sequence` or `consecutive`",
            ),
            (
                "[lint.cd-in-run]\nscope = \"anywhere\"\n",
                "unknown variant `anywhere`, expected `leading` or `any`",
            ),
            (
                "[lint.cd-in-run]\nscopes = \"any\"\n",
                "unknown field `scopes`",
            ),
        ] {
            std::fs::write(&p, text).unwrap();
            let e = load(&p).unwrap_err().to_string();
            assert!(e.contains(":2:") && e.contains(wanted), "{e}");
        }
        // `extend` inherits each option unless the extending file sets it.
        std::fs::write(
            dir.path().join("base.toml"),
            "[lint.pipefail]\npipes = \"all\"\n[lint.cd-in-run]\nscope = \"any\"\n",
        )
        .unwrap();
        std::fs::write(
            &p,
            "extend = \"base.toml\"\n[lint.cd-in-run]\nscope = \"leading\"\n",
        )
        .unwrap();
        let s = Settings::from_config(&load(&p).unwrap(), Some(&p)).unwrap();
        assert_eq!(
            (s.merge_scope, s.cd_scope, s.pipefail_pipes),
            (
                MergeScope::AptSequence,
                CdScope::Leading,
                PipefailPipes::All
            )
        );
    }

    #[test]
    fn extend_and_selection() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "ignore = [\"DF204\"]\n[format]\nindent-width = 2\n",
        )
        .unwrap();
        let p = dir.path().join("dockerfix.toml");
        std::fs::write(
            &p,
            "extend = \"base.toml\"\n[format]\nmax-blank-lines = 2\n",
        )
        .unwrap();
        let cfg = load(&p).unwrap();
        let s = Settings::from_config(&cfg, Some(&p)).unwrap();
        assert!(!s.is_enabled(rules::by_code("DF204").unwrap()));
        assert!(
            !s.is_enabled(&rules::shellcheck::RULE),
            "SC is off by default"
        );
        assert_eq!(
            (s.format.indent_width, s.format.max_blank_lines),
            (Some(2), 2)
        );
        let bad = ConfigFile {
            select: Some(vec!["NOPE1".into()]),
            ..Default::default()
        };
        assert!(
            Settings::from_config(&bad, None)
                .unwrap_err()
                .to_string()
                .contains("NOPE1")
        );
    }
}
