use clap::{Args, Parser, Subcommand, ValueEnum};
use dockerfix::context::BuildContext;
use dockerfix::context::choose::{Chosen, ContextChooser, Source};
use dockerfix::report::{self, FileDiagnostics, OutputFormat};
use dockerfix::rules;
use dockerfix::settings::{self, AndPosition, IndentStyle, LineEnding, Selection, Settings};
use dockerfix::{FixError, format::FormatError, walk, write};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(Parser)]
#[command(
    name = "dockerfix",
    version = dockerfix::project::VERSION,
    about = "A Dockerfile linter, auto-fixer and formatter that never corrupts a file",
    after_help = "Exit codes: 0 clean, 1 findings or changes, 2 errors.\nDocs: dockerfix rule --all"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Dockerfiles, and optionally fix them.
    Check(CheckArgs),
    /// Lay out Dockerfiles (layout only, never what the build does).
    Format(FormatArgs),
    /// Explain a rule, or list them all.
    Rule(RuleArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// For example: `dockerfix completions bash > ~/.local/share/bash-completion/completions/dockerfix`.
    Completions {
        #[arg(value_enum)]
        shell: crate::completions::Shell,
    },
    /// Print the man page of dockerfix, or of one of its commands (`dockerfix man check`).
    Man {
        /// A command (check, format, rule...); none: the main page.
        command: Option<String>,
    },
    /// Print configuration: `--from-hadolint` turns a `.hadolint.yaml` into a `dockerfix.toml`.
    Config(ConfigArgs),
    /// Run the language server (LSP over standard input and output), for editors.
    Server(dockerfix::server::ServerArgs),
    /// Analyse Dockerfiles beyond the rules.
    #[command(subcommand)]
    Analyze(AnalyzeCommand),
}

#[derive(Subcommand)]
enum AnalyzeCommand {
    /// The expected rebuild cost E = sum of (1 - p_i) * c_i over the layers, with p_i measured
    /// on the git history and c_i from a build log or cost classes (docs/cache-model.md).
    Cache(AnalyzeCacheArgs),
}

#[derive(Args)]
struct AnalyzeCacheArgs {
    /// Files or folders to analyse.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// How many of the latest commits that touched each build context to measure p_i over.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..))]
    history: u64,
    /// A build log to take each step's cost from: BuildKit's `--progress=plain` output, or
    /// buildah's with a timestamp at the start of each line.
    #[arg(long, value_name = "FILE")]
    timings: Option<PathBuf>,
    /// Also analyse the result of `check --fix --unsafe-fixes` (nothing is written) and show
    /// the saving.
    #[arg(long)]
    compare_fix: bool,
    /// A build argument whose value changes on every build (its layers never hit the cache).
    #[arg(long, value_name = "NAME")]
    volatile_arg: Vec<String>,
    /// Base images change on every build (built with `--pull` on a moving tag).
    #[arg(long)]
    volatile_base: bool,
    /// The build context (default: each Dockerfile's folder).
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
    /// How to print the report: a table per file, JSON (docs/cache-model.md), or Markdown for
    /// a pull-request comment.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    output_format: AnalyzeFormat,
    /// Use this configuration file (no discovery).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
    /// Exclude files matching these globs (besides `exclude` in the config).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    exclude: Vec<String>,
    /// Walk folders without honouring .gitignore, .ignore and git excludes.
    #[arg(long)]
    no_respect_gitignore: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum AnalyzeFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Args, Clone)]
struct Common {
    /// Files or folders to process; `-` reads standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Use this configuration file (no discovery).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
    /// The file name for `-` input (config discovery, per-file ignores, messages).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Exclude files matching these globs (besides `exclude` in the config).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    exclude: Vec<String>,
    /// Walk folders without honouring .gitignore, .ignore and git excludes.
    #[arg(long)]
    no_respect_gitignore: bool,
    /// Apply exclusions to paths named on the command line too.
    #[arg(long)]
    force_exclude: bool,
    /// When to colour the output (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print nothing but the results.
    #[arg(short, long)]
    quiet: bool,
    /// Also print each file's build context and where it came from, the files skipped by
    /// `exclude`, the compose or bake files that could not be read, how many files were
    /// processed, how long it took, and the ShellCheck used.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// Apply safe fixes in place.
    #[arg(long)]
    fix: bool,
    /// Also consider unsafe fixes (shown as available; applied with --fix or --diff).
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    unsafe_fixes: bool,
    #[arg(long, hide = true)]
    no_unsafe_fixes: bool,
    /// Print the fixes as a unified diff; write nothing.
    #[arg(long)]
    diff: bool,
    /// List the fixes applied, per file.
    #[arg(long)]
    show_fixes: bool,
    /// Counts per rule instead of single diagnostics.
    #[arg(long)]
    statistics: bool,
    /// Rules to enable (codes, prefixes, names, aliases or ALL), replacing the defaults.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Option<Vec<String>>,
    /// Rules to enable on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    output_format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Exit 0 even when diagnostics remain.
    #[arg(long)]
    exit_zero: bool,
    /// The build context for context-aware rules (default: a `[[contexts]]` entry, the
    /// compose service or bake target that builds the file, else the Dockerfile's folder).
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
    /// Also fix files whose header says they are generated (`DO NOT EDIT`, `generated by`,
    /// `@generated`); by default they are checked but not written.
    #[arg(long)]
    fix_generated: bool,
    /// Measure on the git history (the last N commits that touched each build context) how
    /// often the install DF101 flags re-ran, and say it in the message.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    history: Option<u64>,
}

#[derive(Args)]
struct FormatArgs {
    #[command(flatten)]
    common: Common,
    /// Write nothing; list the files that would change; exit 1 if any.
    #[arg(long)]
    check: bool,
    /// Write nothing; print a unified diff; exit 1 if any.
    #[arg(long)]
    diff: bool,
    /// Line endings of the output (overrides `format.line-ending`).
    #[arg(long, value_enum)]
    line_ending: Option<LineEnding>,
    /// Most blank lines kept in a row (overrides `format.max-blank-lines`).
    #[arg(long)]
    max_blank_lines: Option<usize>,
    /// Indent continuation lines with spaces or tabs (overrides `format.indent-style`;
    /// default: the file's own).
    #[arg(long, value_enum)]
    indent_style: Option<IndentStyle>,
    /// Spaces per indentation level, or the columns of a tab with `--indent-style tab`
    /// (overrides `format.indent-width`; default: the file's own).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=16))]
    indent_width: Option<u8>,
    /// Where `&&` goes at line breaks (overrides `format.and-position`).
    #[arg(long, value_enum)]
    and_position: Option<AndPosition>,
    /// Also rewrite files whose header says they are generated (`DO NOT EDIT`, `generated by`,
    /// `@generated`); by default they are left as they are.
    #[arg(long)]
    fix_generated: bool,
}

#[derive(Args)]
struct ConfigArgs {
    /// Print the `dockerfix.toml` equivalent to a `.hadolint.yaml` (default: the one hadolint
    /// would use here: `.hadolint.yaml` in this folder or above, then the user-level ones).
    /// Codes map through the aliases; what cannot be carried over is said on stderr.
    #[arg(long, value_name = "FILE", num_args = 0..=1, required = true)]
    from_hadolint: Option<Option<PathBuf>>,
}

#[derive(Args)]
struct RuleArgs {
    /// A rule code, name or alias.
    #[arg(required_unless_present = "all")]
    code: Option<String>,
    /// List every rule.
    #[arg(long)]
    all: bool,
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    output_format: RuleFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum RuleFormat {
    Text,
    Json,
}

pub fn run() -> ExitCode {
    // A panic is reported as an internal error of the file it happened in (see `contained`).
    dockerfix::guard::install_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Check(a) => check(a),
        Command::Format(a) => format(a),
        Command::Rule(a) => rule(a),
        Command::Config(a) => config(a),
        Command::Completions { shell } => crate::completions::completions(shell),
        Command::Man { command } => crate::completions::man(command.as_deref()),
        Command::Server(a) => dockerfix::server::main(a),
        Command::Analyze(AnalyzeCommand::Cache(a)) => analyze_cache(a),
    }
}

fn color_enabled(choice: ColorChoice, stream_is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stream_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// An error for one file (or the run), printed as `path:line:col: error: message`.
struct Problem(String);

/// Command-line options applied on top of each resolved configuration.
type Overrides = Box<dyn Fn(&mut Settings) -> Result<(), String> + Send + Sync>;
type SettingsCache = HashMap<Option<PathBuf>, Result<Arc<Settings>, String>>;

/// Config discovery with a cache per config file and per folder (a tree of 20,000 files would
/// otherwise stat every ancestor's candidate names for each file).
struct Configs {
    fixed: Option<Arc<Settings>>,
    cache: Mutex<SettingsCache>,
    dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// Per folder, the `.hadolint.yaml` at or above it (asked only without a dockerfix config).
    hadolint_dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// hadolint's user-level config, looked for once.
    hadolint_user: std::sync::OnceLock<Option<PathBuf>>,
    overrides: Overrides,
    verbose: bool,
}

/// Says once per config file which one is used (`-v`) and what it could not carry over.
fn announce(path: Option<&Path>, s: &Settings, verbose: bool) {
    if let Some(p) = path {
        let shown = walk::display_path(p);
        if verbose {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let migrated = if s.migrated { " (migrated)" } else { "" };
            eprintln!("using {name} at {shown}{migrated}");
        }
        for w in &s.warnings {
            eprintln!("warning: {shown}: {w}");
        }
    }
}

impl Configs {
    fn new(common: &Common, overrides: Overrides) -> Result<Configs, String> {
        let fixed = if common.isolated {
            let mut s = Settings::default();
            overrides(&mut s)?;
            Some(Arc::new(s))
        } else if let Some(path) = &common.config {
            let cfg = settings::load(path).map_err(|e| e.to_string())?;
            let mut s = Settings::from_config(&cfg, Some(path)).map_err(|e| e.to_string())?;
            announce(Some(path), &s, common.verbose);
            overrides(&mut s)?;
            Some(Arc::new(s))
        } else {
            None
        };
        Ok(Configs {
            fixed,
            cache: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
            hadolint_dirs: Mutex::new(HashMap::new()),
            hadolint_user: std::sync::OnceLock::new(),
            overrides,
            verbose: common.verbose,
        })
    }

    fn for_path(&self, path: &Path) -> Result<Arc<Settings>, String> {
        if let Some(s) = &self.fixed {
            return Ok(s.clone());
        }
        let abs = walk::absolute(path);
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let found = self.config_in(dir);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = cache.get(&found) {
            return r.clone();
        }
        let result = (|| {
            let mut s = settings::resolve(found.as_deref()).map_err(|e| e.to_string())?;
            announce(found.as_deref(), &s, self.verbose);
            (self.overrides)(&mut s)?;
            Ok(Arc::new(s))
        })();
        cache.insert(found, result.clone());
        result
    }
}

impl Configs {
    /// The config that applies to files in `dir`: the closest dockerfix config at or above it,
    /// else the `.hadolint.yaml` [`settings::find_hadolint`] would find, memoised per folder.
    fn config_in(&self, dir: &Path) -> Option<PathBuf> {
        Self::closest(&self.dirs, dir, settings::CONFIG_NAMES)
            .or_else(|| Self::closest(&self.hadolint_dirs, dir, settings::hadolint::NAMES))
            .or_else(|| {
                self.hadolint_user
                    .get_or_init(settings::hadolint::user_config)
                    .clone()
            })
    }

    /// The closest file of these names at or above `dir`, memoised per folder.
    fn closest(
        memo: &Mutex<HashMap<PathBuf, Option<PathBuf>>>,
        dir: &Path,
        names: &[&str],
    ) -> Option<PathBuf> {
        if let Some(hit) = memo.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
            return hit.clone();
        }
        let here = names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
        let found = match here {
            Some(p) => Some(p),
            None => dir
                .parent()
                .and_then(|parent| Self::closest(memo, parent, names)),
        };
        memo.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dir.to_path_buf(), found.clone());
        found
    }
}

enum Input {
    Stdin { text: Vec<u8>, name: PathBuf },
    File(PathBuf),
}

impl Input {
    /// The name messages give it (as [`load`] gives it).
    fn shown(&self) -> String {
        match self {
            Input::Stdin { name, .. } => name.display().to_string(),
            Input::File(p) => walk::display_path(p),
        }
    }

    /// The path its configuration is found for (as [`load`] gives it).
    fn path(&self) -> &Path {
        match self {
            Input::Stdin { name, .. } => name,
            Input::File(p) => p,
        }
    }
}

/// An input's shown name, bytes, path (for config and ignores) and where to write it back.
fn load(input: &Input) -> Result<(String, Vec<u8>, PathBuf, Option<PathBuf>), Problem> {
    match input {
        Input::Stdin { text, name } => {
            Ok((name.display().to_string(), text.clone(), name.clone(), None))
        }
        Input::File(p) => {
            let display = walk::display_path(p);
            let bytes = std::fs::read(p)
                .map_err(|e| Problem(format!("{display}: error: cannot read: {e}")))?;
            Ok((display, bytes, p.clone(), Some(p.clone())))
        }
    }
}

fn gather(common: &Common, configs: &Configs) -> (Vec<Input>, Vec<Problem>, bool) {
    let mut problems = Vec::new();
    let mut inputs = Vec::new();
    let mut saw_dir = false;
    let (paths, stdin): (Vec<_>, Vec<_>) = common
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() != "-");
    if !stdin.is_empty() {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            problems.push(Problem(format!(
                "-: error: cannot read standard input: {e}"
            )));
        }
        inputs.push(Input::Stdin {
            text: buf,
            name: common
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("-")),
        });
    }
    saw_dir |= paths.iter().any(|p| p.is_dir());
    // `include` / `extend-include` of the file's settings decide what a walk takes.
    let wants = |path: &Path| match configs.for_path(path) {
        Ok(s) => s.wants(path),
        Err(_) => walk::by_name(path),
    };
    let (found, errors) = walk::discover(
        &paths,
        &walk::WalkOptions {
            respect_gitignore: !common.no_respect_gitignore,
            wants: &wants,
        },
    );
    for (path, e) in errors {
        problems.push(Problem(format!(
            "{}: error: {e}",
            walk::display_path(&path)
        )));
    }
    let cli_exclude = settings_globs(&common.exclude);
    for d in found {
        if !d.explicit || common.force_exclude {
            let excluded_by_cli = cli_exclude
                .as_ref()
                .is_some_and(|g| g.is_match(&d.path) || d.path.ancestors().any(|a| g.is_match(a)));
            let excluded = excluded_by_cli
                || configs
                    .for_path(&d.path)
                    .is_ok_and(|s| s.is_excluded(&d.path));
            if excluded {
                if common.verbose {
                    let by = if excluded_by_cli {
                        "--exclude".to_string()
                    } else {
                        match configs
                            .for_path(&d.path)
                            .ok()
                            .and_then(|s| s.config_file.clone())
                        {
                            Some(c) => format!("`exclude` in {}", walk::display_path(&c)),
                            None => "`exclude`".to_string(),
                        }
                    };
                    eprintln!("skipped {}: excluded by {by}", walk::display_path(&d.path));
                }
                continue;
            }
        }
        inputs.push(Input::File(d.path));
    }
    (inputs, problems, saw_dir)
}

fn settings_globs(globs: &[String]) -> Option<globset::GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        for pat in [g.clone(), format!("**/{g}")] {
            if let Ok(glob) = globset::Glob::new(&pat) {
                b.add(glob);
            }
        }
    }
    b.build().ok()
}

/// Reads a file as UTF-8 text, with a precise error otherwise.
fn read_text(display: &str, bytes: Vec<u8>) -> Result<String, Problem> {
    match String::from_utf8(bytes) {
        Ok(t) => {
            if let Some(nul) = t.find('\0') {
                let starts = dockerfix::syntax::line_starts(&t);
                let (l, c) = dockerfix::syntax::line_col(&t, &starts, nul);
                return Err(Problem(format!(
                    "{display}:{l}:{c}: error: contains a NUL byte: not a text file"
                )));
            }
            Ok(t)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let before = &bytes[..at];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = at
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            Err(Problem(format!(
                "{display}:{line}:{col}: error: not valid UTF-8 (byte 0x{:02x}); dockerfix reads UTF-8 only and left the file untouched",
                bytes.get(at).copied().unwrap_or(0)
            )))
        }
    }
}

fn parse_problem(display: &str, e: &dockerfix::syntax::ParseError) -> Problem {
    if e.line == 0 {
        Problem(format!("{display}:1:1: error: {}", e.message))
    } else {
        Problem(format!(
            "{display}:{}:{}: error: {}",
            e.line, e.column, e.message
        ))
    }
}

/// How many files are checked (in parallel) before their results are written: the run holds
/// the results of one chunk at a time, not of every file (but `--fix`, which writes only once
/// every file is checked; see `check`).
const CHUNK: usize = 256;

/// One file as checked, before the report: its text and diagnostics.
struct CheckResult {
    /// Whether this file's settings allow unsafe fixes.
    unsafe_fixes: bool,
    /// This file's `fail-on`.
    fail_on: settings::FailOn,
    display: String,
    source: String,
    diagnostics: Vec<rules::Diagnostic>,
    fixed: Option<String>,
    applied: Vec<dockerfix::AppliedFix>,
    write_to: Option<PathBuf>,
    /// Files the fixes create (DF102), with their full path.
    created: Vec<(PathBuf, String)>,
    /// A note for the end of the run (a generated file that was not written).
    note: Option<String>,
}

/// What one file leaves for the sequential step, once its part of the report is rendered
/// (in the parallel step): its text and diagnostics are gone.
struct Checked {
    display: String,
    write_to: Option<PathBuf>,
    note: Option<String>,
    /// The file's part of the report (empty when the report goes nowhere or is
    /// `--statistics`), and its counts.
    part: report::Part,
    counts: Counts,
    /// `--statistics`: the file's counts per rule.
    statistics: report::Statistics,
    /// `--fix` or `--diff`: what the fixes did.
    fix: Option<Fixed>,
}

/// The diagnostics of a file's report, for the summary.
#[derive(Default)]
struct Counts {
    diagnostics: usize,
    /// Diagnostics at or above the file's `fail-on`.
    failing: usize,
    /// Diagnostics with a fix that applies without `--unsafe-fixes`.
    safe_fixes: usize,
    /// Diagnostics with a fix that applies only with `--unsafe-fixes`.
    unsafe_fixes: usize,
}

/// A file's fixes, for the sequential step that writes (or shows) them.
struct Fixed {
    /// The fixed text: for standard input always, for a file only when it differs from what
    /// was read (an unchanged file is not written).
    text: Option<String>,
    /// `--diff`: the file's diff (coloured when the output is), empty when nothing changed.
    diff: String,
    applied: Vec<dockerfix::AppliedFix>,
    created: Vec<(PathBuf, String)>,
}

/// Where the report goes as it is written: standard output or error (buffered up to 64 kB,
/// and flushed after each chunk of files), or a file.
enum ReportOut {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    File(std::io::BufWriter<std::fs::File>),
}

impl Write for ReportOut {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            ReportOut::Stdout(buf) | ReportOut::Stderr(buf) => {
                buf.extend_from_slice(bytes);
                if buf.len() >= 1 << 16 {
                    self.flush()?;
                }
                Ok(bytes.len())
            }
            ReportOut::File(f) => f.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            ReportOut::Stdout(buf) => {
                out_bytes(buf);
                buf.clear();
            }
            ReportOut::Stderr(buf) => {
                let _ = std::io::stderr().write_all(buf);
                buf.clear();
            }
            ReportOut::File(f) => f.flush()?,
        }
        Ok(())
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let selection = Selection {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    let cli_unsafe = if args.unsafe_fixes {
        Some(true)
    } else if args.no_unsafe_fixes {
        Some(false)
    } else {
        None
    };
    let configs = match Configs::new(
        &args.common,
        Box::new(move |s: &mut Settings| {
            selection.apply(s)?;
            if let Some(u) = cli_unsafe {
                s.unsafe_fixes = u;
            }
            Ok(())
        }),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (inputs, mut problems, saw_dir) = gather(&args.common, &configs);
    let stdin_mode = inputs.iter().any(|i| matches!(i, Input::Stdin { .. }));
    let fixing = args.fix || args.diff;
    // Build contexts are read once per chunk of files (see `CHUNK`), whatever the number of
    // Dockerfiles in them: the walk gives a folder's files one after the other, and a cache
    // kept for the whole run held what it read of every context until the end (18 MB of the
    // 20,000-file tree's 22 MB heap).
    let context_cache =
        std::sync::RwLock::new(Arc::new(dockerfix::context::ContextCache::default()));
    // Compose and bake files are read once per folder for the whole run.
    let chooser = ContextChooser::default();
    // ShellCheck, one per program the configurations name (usually one): made when a file
    // first selects the SC family, kept for the run with what it found.
    let runners = ShellcheckRunners::default();
    // `--history N`: each repository's log read once, before the files are checked; nothing
    // is read without it.
    let histories = args.history.map(|n| {
        let files: Vec<(PathBuf, BuildContext)> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File(p) => Some((
                    p.clone(),
                    dockerfix::analyze::context_for(
                        p,
                        args.context.as_deref(),
                        &configs
                            .for_path(p)
                            .map(|s| (*s).clone())
                            .unwrap_or_default(),
                        &chooser,
                    ),
                )),
                Input::Stdin { .. } => None,
            })
            .collect();
        dockerfix::analyze::CheckHistories::read(&files, usize::try_from(n).unwrap_or(usize::MAX))
    });

    let one = |input: &Input| -> Result<CheckResult, Problem> {
        let (display, bytes, path, write_to) = load(input)?;
        let settings = configs
            .for_path(&path)
            .map_err(|e| Problem(format!("error: {e}")))?;
        let text = read_text(&display, bytes)?;
        let unsafe_fixes = settings.unsafe_fixes;
        // The build context (`context::choose`): `--context`, a `[[contexts]]` entry, the
        // compose or bake file that builds the Dockerfile, else its folder; none for
        // standard input without `--context`.
        let chosen = match &write_to {
            Some(file) => {
                let cache = context_cache
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone();
                Some(chooser.choose_cached(file, args.context.as_deref(), &settings, Some(&cache)))
            }
            None => args.context.as_ref().map(|dir| Chosen {
                root: dir.clone(),
                source: Source::CommandLine,
                named_contexts: Vec::new(),
                build_args: Vec::new(),
            }),
        };
        if args.common.verbose {
            match &chosen {
                Some(c) => {
                    let shown = walk::display_path(&c.root);
                    let shown = if shown.is_empty() {
                        "."
                    } else {
                        shown.as_str()
                    };
                    eprintln!("checking {display}: context {shown} (from {})", c.source);
                }
                None => eprintln!("checking {display}: no build context"),
            }
        }
        let context = chosen
            .map(BuildContext::chosen)
            .map(|c| match &write_to {
                Some(file) => c.for_dockerfile(file),
                None => c,
            })
            .map(|c| {
                let cache = context_cache.read().unwrap_or_else(|p| p.into_inner());
                c.with_cache(cache.clone())
            });
        // A generated file is checked, not fixed (the next generation would undo the fix).
        let shellcheck = runners.for_settings(&settings);
        let generated = (fixing && !args.fix_generated && write_to.is_some())
            .then(|| dockerfix::generated_marker(&text))
            .flatten();
        let note = generated.map(|marker| {
            format!(
                "note: {display}: generated (its header says `{marker}`): checked, not fixed; `--fix-generated` fixes it"
            )
        });
        if fixing && generated.is_none() {
            // `--fix` on standard input writes no file (see below): no fix may rely on one.
            let create_files = write_to.is_some() || args.diff;
            let outcome = dockerfix::fix(
                &text,
                &settings,
                &dockerfix::FileOptions {
                    path: Some(&path),
                    context: context.as_ref(),
                    unsafe_fixes,
                    no_new_files: !create_files,
                    shellcheck: shellcheck.as_deref(),
                },
            )
            .map_err(|e| match e {
                FixError::Parse(p) => parse_problem(&display, &p),
                other => Problem(format!("{display}: error: {other}")),
            })?;
            let root = context.as_ref().map(|c| c.root().to_path_buf());
            let mut diagnostics = outcome.remaining;
            if let Some(h) = &histories {
                h.annotate(&path, &outcome.document, context.as_ref(), &mut diagnostics);
            }
            Ok(CheckResult {
                unsafe_fixes,
                fail_on: settings.fail_on,
                display,
                diagnostics,
                fixed: Some(outcome.text),
                applied: outcome.applied,
                source: text,
                write_to,
                created: outcome
                    .created
                    .into_iter()
                    .filter_map(|f| Some((root.as_ref()?.join(&f.path), f.content)))
                    .collect(),
                note: None,
            })
        } else {
            let doc = dockerfix::syntax::parse(&text).map_err(|e| parse_problem(&display, &e))?;
            let mut diagnostics = dockerfix::lint(
                &doc,
                &settings,
                &dockerfix::FileOptions {
                    path: Some(&path),
                    context: context.as_ref(),
                    shellcheck: shellcheck.as_deref(),
                    ..Default::default()
                },
            );
            if let Some(h) = &histories {
                h.annotate(&path, &doc, context.as_ref(), &mut diagnostics);
            }
            // The text is kept only for the report's snippets and positions.
            let source = if diagnostics.is_empty() {
                String::new()
            } else {
                text
            };
            Ok(CheckResult {
                unsafe_fixes,
                fail_on: settings.fail_on,
                display,
                source,
                diagnostics,
                fixed: None,
                applied: Vec::new(),
                write_to,
                created: Vec::new(),
                note,
            })
        }
    };
    let color_out = color_enabled(
        args.common.color,
        std::io::stdout().is_terminal() && args.output_file.is_none(),
    );

    // Fix hints (`full`, `concise`, and their summary) depend on whether unsafe fixes apply in
    // any file checked without error: `--unsafe-fixes`, or a file whose settings enable them.
    // Such files are checked first, until one is checked without error (usually the first),
    // so that every file's part of the report can be written as soon as the file is done.
    let hints = matches!(
        args.output_format,
        OutputFormat::Full | OutputFormat::Concise
    );
    let any_unsafe_fixes = args.unsafe_fixes
        || (hints && cli_unsafe.is_none() && {
            let candidates: Vec<&Input> = inputs
                .iter()
                .filter(|i| configs.for_path(i.path()).is_ok_and(|s| s.unsafe_fixes))
                .collect();
            candidates
                .chunks(rayon::current_num_threads().max(1))
                .any(|few| {
                    few.par_iter().any(|input| {
                        contained(&input.shown(), || one(input)).is_ok_and(|r| r.unsafe_fixes)
                    })
                })
        });

    // Where the report goes: a file, stderr (when stdout carries fixed text or a diff), stdout,
    // or nowhere (`--diff` without `--output-file`).
    let report_to_stderr = (stdin_mode && args.fix) || args.diff;
    let mut report_error: Option<std::io::Error> = None;
    let report_out = if let Some(path) = &args.output_file {
        match std::fs::File::create(path) {
            Ok(f) => Some(ReportOut::File(std::io::BufWriter::new(f))),
            Err(e) => {
                report_error = Some(e);
                None
            }
        }
    } else if args.diff {
        None
    } else if report_to_stderr {
        Some(ReportOut::Stderr(Vec::new()))
    } else {
        Some(ReportOut::Stdout(Vec::new()))
    };
    let render_parts = report_out.is_some() && !args.statistics;
    // `--statistics`: the counts per rule, written at the end instead of the diagnostics.
    let (mut report, statistics_out) = if args.statistics {
        (None, report_out)
    } else {
        let writer = report_out.map(|o| report::ReportWriter::new(o, args.output_format));
        (writer, None)
    };

    // Each file's part of the report is rendered in the parallel step, as soon as the file is
    // done; its text and diagnostics are dropped there.
    let finish = |r: CheckResult| -> Checked {
        let CheckResult {
            fail_on,
            display,
            source,
            diagnostics,
            fixed,
            applied,
            write_to,
            created,
            note,
            ..
        } = r;
        // What the report shows of a fixed file: the diagnostics that remain in the fixed text
        // (positions refer to it), none with `--diff` (which shows the fixes).
        let mut keep_text = false;
        let (source, diagnostics, mut fix) = match fixed {
            None => (source, diagnostics, None),
            Some(new) if args.diff => {
                let diff = report::unified_diff(&display, &source, &new)
                    .map(|d| if color_out { report::color_diff(&d) } else { d })
                    .unwrap_or_default();
                let fix = Fixed {
                    text: None,
                    diff,
                    applied,
                    created,
                };
                (source, Vec::new(), Some(fix))
            }
            Some(new) => {
                keep_text = write_to.is_none() || new != source;
                let fix = Fixed {
                    text: None,
                    diff: String::new(),
                    applied,
                    created,
                };
                (new, diagnostics, Some(fix))
            }
        };
        let applies = |d: &rules::Diagnostic, u: bool| d.fix.as_ref().is_some_and(|f| f.applies(u));
        let counts = Counts {
            diagnostics: diagnostics.len(),
            failing: diagnostics
                .iter()
                .filter(|d| fail_on.fails(d.severity))
                .count(),
            safe_fixes: diagnostics.iter().filter(|d| applies(d, false)).count(),
            unsafe_fixes: diagnostics
                .iter()
                .filter(|d| !applies(d, false) && applies(d, true))
                .count(),
        };
        let mut statistics = report::Statistics::default();
        if args.statistics {
            statistics.add(&diagnostics);
        }
        let file = FileDiagnostics {
            path: display,
            source,
            diagnostics,
        };
        let part = if render_parts {
            report::render_part(
                &file,
                args.output_format,
                any_unsafe_fixes,
                color_out && args.output_format == OutputFormat::Full,
            )
        } else {
            report::Part::default()
        };
        let FileDiagnostics {
            path: display,
            source,
            ..
        } = file;
        if let (true, Some(fix)) = (keep_text, &mut fix) {
            fix.text = Some(source);
        }
        Checked {
            display,
            write_to,
            note,
            part,
            counts,
            statistics,
            fix,
        }
    };
    let check_chunk = |chunk: Vec<Input>| -> Vec<Result<Checked, Problem>> {
        *context_cache.write().unwrap_or_else(|p| p.into_inner()) = Arc::default();
        runners.prefetch(&chunk, &configs);
        chunk
            .into_par_iter()
            .map(|input| {
                let shown = input.shown();
                contained(&shown, || one(&input).map(finish))
            })
            .collect()
    };
    let mut inputs = inputs.into_iter();
    let chunks = std::iter::from_fn(|| {
        let chunk: Vec<Input> = inputs.by_ref().take(CHUNK).collect();
        (!chunk.is_empty()).then_some(chunk)
    });
    // `--fix` writes files only once every file is checked: a Dockerfile's checks may read
    // other files of its build context (the Dockerfiles beside it, the files fixes create),
    // and each sees them as they were when the run began. The results wait (without their
    // text, but a changed file's fixed text); other runs write each chunk as it is done.
    let batches: Box<dyn Iterator<Item = Vec<Result<Checked, Problem>>>> = if args.fix && !args.diff
    {
        Box::new(std::iter::once(chunks.flat_map(check_chunk).collect()))
    } else {
        Box::new(chunks.map(check_chunk))
    };

    let mut diff_out = ReportOut::Stdout(Vec::new());
    let mut diffed = false;
    let mut fixed_stdout: Option<String> = None;
    let mut total_applied = 0;
    let mut show_fixes = String::new();
    let mut created_seen: HashMap<PathBuf, String> = HashMap::new();
    let mut statistics = report::Statistics::default();
    let (mut reported, mut totals) = (0, Counts::default());
    let mut notes: Vec<String> = Vec::new();
    for batch in batches {
        for r in batch {
            let r = match r {
                Ok(r) => r,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            notes.extend(r.note);
            if let Some(fix) = r.fix {
                // Files the fixes create: each once, even when several Dockerfiles share a
                // context. Other fixes of the file may rely on them (DF101 on a new
                // .dockerignore), so a Dockerfile is written only when each file it created is in
                // place as computed.
                let mut not_in_place: Option<String> = None;
                for (path, content) in &fix.created {
                    let shown = walk::display_path(path);
                    if let Some(earlier) = created_seen.get(path) {
                        if earlier != content && not_in_place.is_none() {
                            not_in_place = Some(format!(
                                "another Dockerfile of the run made {shown} differently"
                            ));
                        }
                        continue;
                    }
                    created_seen.insert(path.clone(), content.clone());
                    if args.diff {
                        let d = report::new_file_diff(&shown, content);
                        let d = if color_out { report::color_diff(&d) } else { d };
                        diffed |= !d.is_empty();
                        let _ = diff_out.write_all(d.as_bytes());
                    } else if args.fix && r.write_to.is_none() {
                        eprintln!("{shown}: not created (the Dockerfile came from standard input)");
                    } else if args.fix {
                        match write::create_new(path, content) {
                            Ok(true) => {
                                if args.show_fixes {
                                    show_fixes.push_str(&format!("Created {shown}\n"));
                                }
                            }
                            Ok(false) => {
                                if std::fs::read_to_string(path).ok().as_deref() != Some(content) {
                                    not_in_place
                                        .get_or_insert(format!("{shown} appeared meanwhile"));
                                }
                            }
                            Err(e) => {
                                problems
                                    .push(Problem(format!("{shown}: error: cannot create: {e}")));
                                not_in_place.get_or_insert(format!("{shown} could not be created"));
                            }
                        }
                    }
                }
                if let (Some(why), true) = (&not_in_place, args.fix && !args.diff) {
                    problems.push(Problem(format!(
                        "{}: error: not written: its fixes rely on files dockerfix creates, and {why}; run again",
                        r.display
                    )));
                    continue;
                }
                if args.diff {
                    diffed |= !fix.diff.is_empty();
                    let _ = diff_out.write_all(fix.diff.as_bytes());
                } else if args.fix {
                    match &r.write_to {
                        // A file whose fixed text is the text read is left as it is.
                        Some(path) => {
                            if let Some(new) = &fix.text
                                && let Err(e) = write::write_if_changed(path, new)
                            {
                                problems.push(Problem(format!(
                                    "{}: error: cannot write: {e}",
                                    r.display
                                )));
                                continue;
                            }
                        }
                        None => fixed_stdout = fix.text,
                    }
                }
                // Counted only once written (or shown): a file that could not be written was
                // not fixed.
                total_applied += fix.applied.len();
                if args.show_fixes && !fix.applied.is_empty() {
                    show_fixes.push_str(&format!("Fixed in {}:\n", r.display));
                    for a in &fix.applied {
                        show_fixes.push_str(&format!("  {} {}\n", a.rule.code, a.title));
                    }
                }
            }
            reported += 1;
            totals.diagnostics += r.counts.diagnostics;
            totals.failing += r.counts.failing;
            totals.safe_fixes += r.counts.safe_fixes;
            totals.unsafe_fixes += r.counts.unsafe_fixes;
            statistics.merge(r.statistics);
            if let Some(w) = &mut report
                && let Err(e) = w.push(&r.part)
            {
                report_error = Some(e);
                report = None;
            }
        }
        // What this chunk printed goes out before the next chunk is checked.
        if let Some(w) = &mut report
            && let Err(e) = w.flush()
        {
            report_error = Some(e);
            report = None;
        }
        let _ = diff_out.flush();
    }
    if let Some(w) = &mut report {
        for version in runners.versions_run() {
            w.shellcheck_ran(&version);
        }
    }
    if let Some(w) = report.take()
        && let Err(e) = w.finish()
    {
        report_error = Some(e);
    }
    if let Some(mut o) = statistics_out {
        let text = statistics.render(args.output_format);
        if let Err(e) = o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
            report_error = Some(e);
        }
    }
    if let (Some(e), Some(out)) = (&report_error, &args.output_file) {
        problems.push(Problem(format!(
            "{}: error: cannot write the report: {e}",
            out.display()
        )));
    }

    let remaining = totals.diagnostics;
    if let Some(text) = fixed_stdout {
        out(&text);
    }
    let _ = diff_out.flush();
    if !show_fixes.is_empty() {
        eprint!("{show_fixes}");
    }
    let _ = std::io::stdout().flush();

    for p in &problems {
        eprintln!("{}", p.0);
    }
    for n in &notes {
        eprintln!("{n}");
    }
    if !args.common.quiet {
        if reported == 0 && problems.is_empty() && saw_dir {
            eprintln!("warning: no Dockerfiles found");
        } else if args.diff {
            if total_applied > 0 {
                eprintln!("Would fix {total_applied} issue(s).");
            }
        } else if hints {
            let fixable = totals.safe_fixes
                + if any_unsafe_fixes {
                    totals.unsafe_fixes
                } else {
                    0
                };
            if remaining == 0 && total_applied == 0 {
                if problems.is_empty() {
                    eprintln!("All checks passed!");
                }
            } else if args.fix {
                eprintln!(
                    "Found {} issue(s) ({total_applied} fixed, {remaining} remaining).",
                    total_applied + remaining
                );
            } else {
                eprintln!("Found {remaining} issue(s).");
                if fixable > 0 {
                    eprintln!("[*] {fixable} fixable with `dockerfix check --fix`.");
                }
                let hidden = if any_unsafe_fixes {
                    0
                } else {
                    totals.unsafe_fixes
                };
                if hidden > 0 {
                    eprintln!("{hidden} more fix(es) available with `--unsafe-fixes`.");
                }
            }
        }
    }
    runners.report(args.common.verbose);
    if args.common.verbose {
        // Compose and bake files the context choice could not read (another tool's input:
        // not an error of this run, but the reason a context fell back to the folder).
        for (file, why) in chooser.skipped() {
            eprintln!(
                "skipped {} for build contexts: {why}",
                walk::display_path(&file)
            );
        }
        eprintln!(
            "checked {reported} file(s) in {} ms ({} error(s))",
            started.elapsed().as_millis(),
            problems.len()
        );
    }
    if !problems.is_empty() {
        ExitCode::from(2)
    } else if (totals.failing > 0 && !args.exit_zero) || (args.diff && diffed) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The run's ShellCheck runners, by the program the settings name (None: `shellcheck` on
/// `PATH`).
#[derive(Default)]
struct ShellcheckRunners(Mutex<HashMap<Option<PathBuf>, Arc<dockerfix::shellcheck::Runner>>>);

impl ShellcheckRunners {
    /// The runner for a file's settings, when they select the SC family.
    fn for_settings(&self, settings: &Settings) -> Option<Arc<dockerfix::shellcheck::Runner>> {
        if !settings.shellcheck_selected() {
            return None;
        }
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let runner = map
            .entry(settings.shellcheck_path.clone())
            .or_insert_with(|| {
                Arc::new(dockerfix::shellcheck::Runner::new(
                    settings.shellcheck_path.as_deref(),
                    rayon::current_num_threads(),
                ))
            });
        Some(runner.clone())
    }

    /// Runs ShellCheck on the scripts of a chunk of files at once (a few processes in
    /// parallel), so that checking each file then finds its results ready.
    fn prefetch(&self, chunk: &[Input], configs: &Configs) {
        let found: Vec<(
            Arc<dockerfix::shellcheck::Runner>,
            Vec<dockerfix::shellcheck::Script>,
        )> = chunk
            .par_iter()
            .filter_map(|input| {
                let settings = configs.for_path(input.path()).ok()?;
                let runner = self.for_settings(&settings)?;
                // A file that fails here fails again, with its message, when it is checked.
                dockerfix::guard::contain(|| {
                    let (_, bytes, _, _) = load(input).ok()?;
                    let text = String::from_utf8(bytes).ok()?;
                    let doc = dockerfix::syntax::parse(&text).ok()?;
                    let ctx = rules::Context::new(&doc);
                    let scripts: Vec<_> = rules::shellcheck::scripts(&ctx)
                        .into_iter()
                        .map(|s| s.script)
                        .collect();
                    Some((runner, scripts))
                })
                .ok()
                .flatten()
            })
            .collect();
        let mut by_runner: Vec<(
            Arc<dockerfix::shellcheck::Runner>,
            Vec<&dockerfix::shellcheck::Script>,
        )> = Vec::new();
        for (runner, scripts) in &found {
            match by_runner.iter_mut().find(|(r, _)| Arc::ptr_eq(r, runner)) {
                Some((_, list)) => list.extend(scripts),
                None => by_runner.push((runner.clone(), scripts.iter().collect())),
            }
        }
        for (runner, scripts) in by_runner {
            runner.prefetch(scripts);
        }
    }

    /// The versions of the ShellChecks that checked at least one script.
    fn versions_run(&self) -> Vec<String> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.values()
            .filter(|r| r.checked() > 0)
            .filter_map(|r| r.version().ok().map(str::to_string))
            .collect()
    }

    /// Says once what went wrong with ShellCheck (missing, failing), and with `-v` which one
    /// ran.
    fn report(&self, verbose: bool) {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for runner in map.values() {
            // `--version` runs once, also when no file had a script, so that a missing
            // ShellCheck is always said.
            match runner
                .problem()
                .map_or_else(|| runner.version().map(str::to_string), Err)
            {
                Err(problem) => eprintln!("warning: {problem}"),
                Ok(v) if verbose => {
                    eprintln!(
                        "shellcheck: version {v} ({}), {} distinct script(s) checked, busybox ash read as {}",
                        runner.program().display(),
                        runner.checked(),
                        if runner.knows_busybox() {
                            "busybox"
                        } else {
                            "sh (ShellCheck < 0.10)"
                        }
                    )
                }
                Ok(_) => {}
            }
        }
    }
}

fn format(args: FormatArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let (line_ending, max_blank) = (args.line_ending, args.max_blank_lines);
    let (indent, and_position) = (args.indent_width, args.and_position);
    let indent_style = args.indent_style;
    let configs = match Configs::new(
        &args.common,
        Box::new(move |s: &mut Settings| {
            if let Some(l) = line_ending {
                s.format.line_ending = l;
            }
            if let Some(m) = max_blank {
                s.format.max_blank_lines = m;
            }
            if let Some(i) = indent {
                s.format.indent_width = Some(usize::from(i));
            }
            if let Some(style) = indent_style {
                s.format.indent_style = Some(style);
            }
            if let Some(a) = and_position {
                s.format.and_position = a;
            }
            Ok(())
        }),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (inputs, mut problems, saw_dir) = gather(&args.common, &configs);
    let color = color_enabled(args.common.color, std::io::stdout().is_terminal());
    // Each file is handled to the end in the parallel step (diffed, written), keeping only
    // what must be printed, which is written chunk by chunk: a large tree does not hold every
    // file's text, nor every file's output, in memory.
    enum Formatted {
        Unchanged {
            stdout: Option<String>,
        },
        Changed {
            stdout: String,
        },
        /// A generated file, left as it is.
        Generated {
            note: String,
        },
    }
    let format_one = |input: Input| -> Result<Formatted, Problem> {
        let (display, bytes, path, write_to) = load(&input)?;
        let settings = configs
            .for_path(&path)
            .map_err(|e| Problem(format!("error: {e}")))?;
        let text = read_text(&display, bytes)?;
        if let (false, Some(_), Some(marker)) = (
            args.fix_generated,
            &write_to,
            dockerfix::generated_marker(&text),
        ) {
            return Ok(Formatted::Generated {
                note: format!(
                    "note: {display}: generated (its header says `{marker}`): left as it is; `--fix-generated` formats it"
                ),
            });
        }
        let new = dockerfix::format::format(&text, &settings.format).map_err(|e| match e {
            FormatError::Parse(p) => parse_problem(&display, &p),
            other => Problem(format!("{display}: error: {other}")),
        })?;
        let to_stdout = write_to.is_none() && !args.check && !args.diff;
        if new == text {
            return Ok(Formatted::Unchanged {
                stdout: to_stdout.then_some(new),
            });
        }
        let stdout = if args.diff {
            let d = report::unified_diff(&display, &text, &new).unwrap_or_default();
            if color { report::color_diff(&d) } else { d }
        } else if args.check {
            format!("Would reformat: {display}\n")
        } else if let Some(path) = write_to {
            write::write_if_changed(&path, &new)
                .map_err(|e| Problem(format!("{display}: error: cannot write: {e}")))?;
            String::new()
        } else {
            new
        };
        Ok(Formatted::Changed { stdout })
    };
    let (mut changed, mut unchanged) = (0, 0);
    let mut format_notes: Vec<String> = Vec::new();
    // A chunk of files at a time (see `CHUNK`): what a chunk prints goes out before the next
    // chunk is formatted.
    let mut inputs = inputs.into_iter();
    loop {
        let chunk: Vec<Input> = inputs.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Result<Formatted, Problem>> = chunk
            .into_par_iter()
            .map(|input| {
                let shown = input.shown();
                contained(&shown, || format_one(input))
            })
            .collect();
        let mut printed = String::new();
        for r in results {
            match r {
                Ok(Formatted::Unchanged { stdout }) => {
                    unchanged += 1;
                    printed.push_str(stdout.as_deref().unwrap_or(""));
                }
                Ok(Formatted::Changed { stdout }) => {
                    changed += 1;
                    printed.push_str(&stdout);
                }
                Ok(Formatted::Generated { note }) => {
                    unchanged += 1;
                    format_notes.push(note);
                }
                Err(p) => problems.push(p),
            }
        }
        out(&printed);
    }
    let _ = std::io::stdout().flush();
    for p in &problems {
        eprintln!("{}", p.0);
    }
    for n in &format_notes {
        eprintln!("{n}");
    }
    if !args.common.quiet {
        if changed + unchanged == 0 && problems.is_empty() && saw_dir {
            eprintln!("warning: no Dockerfiles found");
        } else if args.check || args.diff {
            eprintln!("{changed} file(s) would be reformatted, {unchanged} already formatted");
        } else {
            eprintln!("{changed} file(s) reformatted, {unchanged} left unchanged");
        }
    }
    if args.common.verbose {
        eprintln!(
            "formatted {} file(s) in {} ms ({} error(s))",
            changed + unchanged,
            started.elapsed().as_millis(),
            problems.len()
        );
    }
    if !problems.is_empty() {
        ExitCode::from(2)
    } else if (args.check || args.diff) && changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `config --from-hadolint [FILE]`: the `dockerfix.toml` a `.hadolint.yaml` becomes.
fn config(args: ConfigArgs) -> ExitCode {
    let path = match args.from_hadolint.flatten() {
        Some(p) => p,
        None => match settings::find_hadolint(&walk::absolute(Path::new("."))) {
            Some(p) => p,
            None => {
                eprintln!(
                    "error: no .hadolint.yaml here, above, or in hadolint's user-level places; name one: --from-hadolint FILE"
                );
                return ExitCode::from(2);
            }
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    match settings::hadolint::migrate(&text, &path) {
        Ok(m) => {
            for w in &m.warnings {
                eprintln!("warning: {}: {w}", path.display());
            }
            out(&m.toml);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `analyze cache`: the files as `check` finds them, analysed by [`dockerfix::analyze`].
fn analyze_cache(args: AnalyzeCacheArgs) -> ExitCode {
    use dockerfix::analyze;
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!("error: analyze cache reads files, not standard input");
        return ExitCode::from(2);
    }
    let common = Common {
        paths: args.paths.clone(),
        config: args.config.clone(),
        isolated: args.isolated,
        stdin_filename: None,
        exclude: args.exclude.clone(),
        no_respect_gitignore: args.no_respect_gitignore,
        force_exclude: false,
        color: ColorChoice::Never,
        quiet: false,
        verbose: false,
    };
    let configs = match Configs::new(&common, Box::new(|_| Ok(()))) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let timings = match &args.timings {
        Some(p) => match std::fs::read(p) {
            Ok(b) => Some(analyze::cost::Timings::parse(&String::from_utf8_lossy(&b))),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let (inputs, problems, _) = gather(&common, &configs);
    let mut errors: Vec<String> = problems.into_iter().map(|p| p.0).collect();
    let mut files = Vec::new();
    let chooser = ContextChooser::default();
    for input in &inputs {
        let loaded = load(input).and_then(|(display, bytes, path, _)| {
            let text = read_text(&display, bytes)?;
            let settings = configs
                .for_path(&path)
                .map_err(|e| Problem(format!("{display}: error: {e}")))?;
            Ok((display, text, path, settings))
        });
        match loaded {
            Ok((display, text, path, settings)) => {
                let context =
                    analyze::context_for(&path, args.context.as_deref(), &settings, &chooser);
                files.push(analyze::FileInput {
                    display,
                    path,
                    text,
                    context: Some(context),
                    settings,
                });
            }
            Err(p) => errors.push(p.0),
        }
    }
    let options = analyze::Options {
        history: usize::try_from(args.history).unwrap_or(usize::MAX),
        volatile_args: args.volatile_arg.clone(),
        volatile_base: args.volatile_base,
        timings,
        compare_fix: args.compare_fix,
    };
    let mut reports = Vec::new();
    for r in analyze::analyze(files, &options) {
        match r {
            Ok(r) => reports.push(r),
            Err(e) => errors.push(e),
        }
    }
    out(&match args.output_format {
        AnalyzeFormat::Text => analyze::output::text(&reports),
        AnalyzeFormat::Json => analyze::output::json(&reports) + "\n",
        AnalyzeFormat::Markdown => analyze::output::markdown(&reports),
    });
    for e in &errors {
        eprintln!("{e}");
    }
    ExitCode::from(if errors.is_empty() { 0 } else { 2 })
}

/// Writes to standard output. When the reader has gone (`dockerfix check | head -1`), the rest
/// is dropped quietly: the run finishes (files are still fixed) and exits as it would have.
fn out(text: &str) {
    out_bytes(text.as_bytes());
}

/// [`out`] for bytes (a piece of a report may end inside a character).
fn out_bytes(bytes: &[u8]) {
    static GONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if bytes.is_empty() || GONE.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        GONE.store(true, std::sync::atomic::Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {e}");
        }
    }
}

/// Runs one file's work; a panic in it becomes that file's error (the file is not written, the
/// other files go on).
fn contained<T>(shown: &str, work: impl FnOnce() -> Result<T, Problem>) -> Result<T, Problem> {
    dockerfix::guard::contain(work).unwrap_or_else(|e| Err(Problem(format!("{shown}: error: {e}"))))
}

fn rule(args: RuleArgs) -> ExitCode {
    let selected: Vec<&rules::Rule> = if args.all {
        rules::RULES.to_vec()
    } else {
        let code = args.code.unwrap_or_default();
        match rules::lookup(&code) {
            Some(r) => vec![r],
            None => {
                eprintln!("error: unknown rule `{code}` (see `dockerfix rule --all`)");
                return ExitCode::from(2);
            }
        }
    };
    if args.output_format == RuleFormat::Json {
        let v: Vec<_> = selected
            .iter()
            .map(|r| {
                serde_json::json!({
                    "code": r.code, "name": r.name, "aliases": r.aliases, "summary": r.summary,
                    "severity": r.severity, "default": r.default_enabled, "fix": r.fix.label(),
                    "explanation": r.doc,
                })
            })
            .collect();
        let v = if args.all {
            serde_json::Value::Array(v)
        } else {
            v.into_iter().next().unwrap_or_default()
        };
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ));
    } else if args.all {
        for r in selected {
            out(&format!(
                "{}  {:<28} {:<8} {:<8} fix: {:<18} {}\n",
                r.code,
                r.name,
                r.severity.as_str(),
                if r.default_enabled { "on" } else { "off" },
                r.fix.label(),
                r.summary
            ));
        }
    } else {
        out(&rules::explain(selected[0]));
    }
    ExitCode::SUCCESS
}
