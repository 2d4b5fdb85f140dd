use clap::{Args, Parser, Subcommand, ValueEnum};
use dockerfix::context::BuildContext;
use dockerfix::report::{self, FileDiagnostics, OutputFormat};
use dockerfix::rules::{self, FixAvailability};
use dockerfix::settings::{self, AndPosition, ConfigError, LineEnding, Selection, Settings};
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
    version,
    about = "A Dockerfile linter, auto-fixer and formatter that never corrupts a file",
    after_help = "Exit codes: 0 clean, 1 findings or changes, 2 errors.\nDocs: dockerfix rule --all"
)]
struct Cli {
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
    /// Also print how many files were processed and how long it took.
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
    /// The build context for context-aware rules (default: the Dockerfile's folder).
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
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
    /// Indentation of continuation lines (overrides `format.indent-width`).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=16))]
    indent_width: Option<u8>,
    /// Where `&&` goes at line breaks (overrides `format.and-position`).
    #[arg(long, value_enum)]
    and_position: Option<AndPosition>,
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
    overrides: Overrides,
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
            overrides(&mut s)?;
            Some(Arc::new(s))
        } else {
            None
        };
        Ok(Configs {
            fixed,
            cache: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
            overrides,
        })
    }

    fn for_path(&self, path: &Path) -> Result<Arc<Settings>, String> {
        if let Some(s) = &self.fixed {
            return Ok(s.clone());
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let found = self.config_in(dir);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = cache.get(&found) {
            return r.clone();
        }
        let result = (|| {
            let mut s = match &found {
                Some(p) => {
                    let cfg = settings::load(p).map_err(|e: ConfigError| e.to_string())?;
                    Settings::from_config(&cfg, Some(p)).map_err(|e| e.to_string())?
                }
                None => Settings::default(),
            };
            (self.overrides)(&mut s)?;
            Ok(Arc::new(s))
        })();
        cache.insert(found, result.clone());
        result
    }
}

impl Configs {
    /// The closest config file at or above `dir`, memoised per folder.
    fn config_in(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(hit) = self.dirs.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
            return hit.clone();
        }
        let here = settings::CONFIG_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        let found = match here {
            Some(p) => Some(p),
            None => dir.parent().and_then(|parent| self.config_in(parent)),
        };
        self.dirs
            .lock()
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
fn load(input: Input) -> Result<(String, Vec<u8>, PathBuf, Option<PathBuf>), Problem> {
    match input {
        Input::Stdin { text, name } => Ok((name.display().to_string(), text, name, None)),
        Input::File(p) => {
            let display = walk::display_path(&p);
            let bytes = std::fs::read(&p)
                .map_err(|e| Problem(format!("{display}: error: cannot read: {e}")))?;
            Ok((display, bytes, p.clone(), Some(p)))
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
    let (found, errors) = walk::discover(
        &paths,
        &walk::WalkOptions {
            respect_gitignore: !common.no_respect_gitignore,
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

struct CheckResult {
    /// Whether this file's settings allow unsafe fixes.
    unsafe_fixes: bool,
    display: String,
    source: String,
    diagnostics: Vec<rules::Diagnostic>,
    fixed: Option<String>,
    applied: Vec<dockerfix::AppliedFix>,
    write_to: Option<PathBuf>,
    /// Files the fixes create (DF102), with their full path.
    created: Vec<(PathBuf, String)>,
    /// The file's part of the report, when it was rendered as soon as the file was done (then
    /// `source` and `diagnostics` are dropped).
    rendered: Option<Rendered>,
}

/// One file's part of a report rendered file by file, and the counts the summary needs.
struct Rendered {
    text: String,
    diagnostics: usize,
    /// Diagnostics with a fix that applies without `--unsafe-fixes`.
    safe_fixes: usize,
    /// Diagnostics with a fix that applies only with `--unsafe-fixes`.
    unsafe_fixes: usize,
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
            selection.apply(&mut s.enabled)?;
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
    // Build contexts are read once per run, whatever the number of Dockerfiles in them.
    let context_cache = Arc::new(dockerfix::context::ContextCache::default());

    let one = |input: Input| -> Result<CheckResult, Problem> {
        let (display, bytes, path, write_to) = load(input)?;
        let settings = configs
            .for_path(&path)
            .map_err(|e| Problem(format!("error: {e}")))?;
        let text = read_text(&display, bytes)?;
        let unsafe_fixes = settings.unsafe_fixes;
        // The build context: `--context`, else the Dockerfile's folder; none for standard
        // input without `--context`.
        let context = match (&args.context, &write_to) {
            (Some(dir), _) => Some(BuildContext::new(dir)),
            (None, Some(file)) => Some(BuildContext::new(match file.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            })),
            (None, None) => None,
        }
        .map(|c| match &write_to {
            Some(file) => c.for_dockerfile(file),
            None => c,
        })
        .map(|c| c.with_cache(context_cache.clone()));
        if fixing {
            // `--fix` on standard input writes no file (see below): no fix may rely on one.
            let create_files = write_to.is_some() || args.diff;
            let outcome = dockerfix::fix_text_creating(
                &text,
                &settings,
                Some(&path),
                unsafe_fixes,
                context.as_ref(),
                create_files,
            )
            .map_err(|e| match e {
                FixError::Parse(p) => parse_problem(&display, &p),
                other => Problem(format!("{display}: error: {other}")),
            })?;
            let root = context.as_ref().map(|c| c.root().to_path_buf());
            Ok(CheckResult {
                unsafe_fixes,
                display,
                diagnostics: outcome.remaining,
                fixed: Some(outcome.text),
                applied: outcome.applied,
                source: text,
                write_to,
                created: outcome
                    .created
                    .into_iter()
                    .filter_map(|f| Some((root.as_ref()?.join(&f.path), f.content)))
                    .collect(),
                rendered: None,
            })
        } else {
            let doc = dockerfix::syntax::parse(&text).map_err(|e| parse_problem(&display, &e))?;
            let diagnostics = dockerfix::lint_in(&doc, &settings, Some(&path), context.as_ref());
            // The text is kept only for the report's snippets and positions.
            let source = if diagnostics.is_empty() {
                String::new()
            } else {
                text
            };
            Ok(CheckResult {
                unsafe_fixes,
                display,
                source,
                diagnostics,
                fixed: None,
                applied: Vec::new(),
                write_to,
                created: Vec::new(),
                rendered: None,
            })
        }
    };
    let color_out = color_enabled(
        args.common.color,
        std::io::stdout().is_terminal() && args.output_file.is_none(),
    );
    // Reports that are a concatenation of per-file parts are rendered as each file is done:
    // a large tree then does not keep every file's text and diagnostics until the end (75 MB
    // for the 20,000-file tree). Fix hints depend on whether unsafe fixes apply in any file;
    // the files whose settings allow them are checked first, which tells.
    let streaming = !fixing
        && !args.statistics
        && matches!(
            args.output_format,
            OutputFormat::Full
                | OutputFormat::Concise
                | OutputFormat::JsonLines
                | OutputFormat::Github
        );
    let render_one = |r: &mut CheckResult, unsafe_fixes: bool| {
        if !streaming || r.fixed.is_some() {
            return;
        }
        let applies = |d: &rules::Diagnostic, u: bool| d.fix.as_ref().is_some_and(|f| f.applies(u));
        let safe_fixes = r.diagnostics.iter().filter(|d| applies(d, false)).count();
        let unsafe_only = r
            .diagnostics
            .iter()
            .filter(|d| !applies(d, false) && applies(d, true))
            .count();
        let file = FileDiagnostics {
            path: r.display.clone(),
            source: std::mem::take(&mut r.source),
            diagnostics: std::mem::take(&mut r.diagnostics),
        };
        r.rendered = Some(Rendered {
            text: report::render(
                std::slice::from_ref(&file),
                args.output_format,
                unsafe_fixes,
                color_out && args.output_format == OutputFormat::Full,
            ),
            diagnostics: file.diagnostics.len(),
            safe_fixes,
            unsafe_fixes: unsafe_only,
        });
    };
    let (first, rest): (Vec<_>, Vec<_>) = inputs.into_iter().enumerate().partition(|(_, input)| {
        streaming
            && cli_unsafe.is_none()
            && configs.for_path(input.path()).is_ok_and(|s| s.unsafe_fixes)
    });
    let mut results: Vec<(usize, Result<CheckResult, Problem>)> = first
        .into_par_iter()
        .map(|(i, input)| {
            let shown = input.shown();
            (i, contained(&shown, || one(input)))
        })
        .collect();
    let known_unsafe = args.unsafe_fixes
        || results
            .iter()
            .any(|(_, r)| r.as_ref().is_ok_and(|r| r.unsafe_fixes));
    results.par_iter_mut().for_each(|(_, r)| {
        if let Ok(done) = r {
            let shown = done.display.clone();
            if let Err(p) = contained(&shown, || {
                render_one(done, known_unsafe);
                Ok(())
            }) {
                *r = Err(p);
            }
        }
    });
    let rest: Vec<(usize, Result<CheckResult, Problem>)> = rest
        .into_par_iter()
        .map(|(i, input)| {
            let shown = input.shown();
            let r = contained(&shown, || {
                let mut r = one(input);
                if let Ok(r) = &mut r {
                    render_one(r, known_unsafe);
                }
                r
            });
            (i, r)
        })
        .collect();
    results.extend(rest);
    results.sort_by_key(|(i, _)| *i);

    let mut files = Vec::new();
    let mut diff_out = String::new();
    let mut fixed_stdout: Option<String> = None;
    let mut total_applied = 0;
    let mut show_fixes = String::new();
    let mut created_seen: HashMap<PathBuf, String> = HashMap::new();
    // Whether unsafe fixes apply (from `--unsafe-fixes` or a file's `unsafe-fixes = true`).
    let mut any_unsafe = false;
    // The parts of a report rendered file by file, and their counts.
    let mut streamed: Vec<String> = Vec::new();
    let (mut streamed_files, mut streamed_diagnostics) = (0, 0);
    let (mut streamed_safe, mut streamed_unsafe) = (0, 0);
    for (_, r) in results {
        let r = match r {
            Ok(r) => r,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        any_unsafe |= r.unsafe_fixes;
        if let Some(new) = &r.fixed {
            // Files the fixes create: each once, even when several Dockerfiles share a context.
            // Other fixes of the file may rely on them (DF101 on a new .dockerignore), so a
            // Dockerfile is written only when each file it created is in place as computed.
            let mut not_in_place: Option<String> = None;
            for (path, content) in &r.created {
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
                    diff_out.push_str(&if color_out { report::color_diff(&d) } else { d });
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
                                not_in_place.get_or_insert(format!("{shown} appeared meanwhile"));
                            }
                        }
                        Err(e) => {
                            problems.push(Problem(format!("{shown}: error: cannot create: {e}")));
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
                if let Some(d) = report::unified_diff(&r.display, &r.source, new) {
                    diff_out.push_str(&if color_out { report::color_diff(&d) } else { d });
                }
            } else if args.fix {
                match &r.write_to {
                    Some(path) => {
                        if let Err(e) = write::write_if_changed(path, new) {
                            problems
                                .push(Problem(format!("{}: error: cannot write: {e}", r.display)));
                            continue;
                        }
                    }
                    None => fixed_stdout = Some(new.clone()),
                }
            }
            // Counted only once written (or shown): a file that could not be written was not
            // fixed.
            total_applied += r.applied.len();
            if args.show_fixes && !r.applied.is_empty() {
                show_fixes.push_str(&format!("Fixed in {}:\n", r.display));
                for a in &r.applied {
                    show_fixes.push_str(&format!("  {} {}\n", a.rule.code, a.title));
                }
            }
            // Positions of remaining diagnostics refer to the fixed text.
            files.push(FileDiagnostics {
                path: r.display,
                source: if args.diff { r.source } else { new.clone() },
                diagnostics: if args.diff { Vec::new() } else { r.diagnostics },
            });
        } else if let Some(part) = r.rendered {
            streamed.push(part.text);
            streamed_files += 1;
            streamed_diagnostics += part.diagnostics;
            streamed_safe += part.safe_fixes;
            streamed_unsafe += part.unsafe_fixes;
        } else {
            files.push(FileDiagnostics {
                path: r.display,
                source: r.source,
                diagnostics: r.diagnostics,
            });
        }
    }

    let remaining: usize =
        files.iter().map(|f| f.diagnostics.len()).sum::<usize>() + streamed_diagnostics;
    let any_unsafe_fixes = any_unsafe || args.unsafe_fixes;
    // The report in parts, written one after the other (not joined: that would hold it twice).
    let report_parts = if streaming {
        streamed
    } else if args.statistics {
        vec![report::statistics(&files, args.output_format)]
    } else {
        vec![report::render(
            &files,
            args.output_format,
            any_unsafe_fixes,
            color_out && args.output_format == OutputFormat::Full,
        )]
    };

    // Where the report goes: a file, stderr (when stdout carries fixed text or a diff), or stdout.
    let report_to_stderr = (stdin_mode && args.fix) || args.diff;
    if let Some(out) = &args.output_file {
        let written = std::fs::File::create(out).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            report_parts
                .iter()
                .try_for_each(|p| w.write_all(p.as_bytes()))?;
            w.flush()
        });
        if let Err(e) = written {
            problems.push(Problem(format!(
                "{}: error: cannot write the report: {e}",
                out.display()
            )));
        }
    } else if !args.diff {
        for part in &report_parts {
            if report_to_stderr {
                eprint!("{part}");
            } else {
                out(part);
            }
        }
    }
    if let Some(text) = fixed_stdout {
        out(&text);
    }
    out(&diff_out);
    if !show_fixes.is_empty() {
        eprint!("{show_fixes}");
    }
    let _ = std::io::stdout().flush();

    for p in &problems {
        eprintln!("{}", p.0);
    }
    if !args.common.quiet {
        if files.is_empty() && streamed_files == 0 && problems.is_empty() && saw_dir {
            eprintln!("warning: no Dockerfiles found");
        } else if args.diff {
            if total_applied > 0 {
                eprintln!("Would fix {total_applied} issue(s).");
            }
        } else if matches!(
            args.output_format,
            OutputFormat::Full | OutputFormat::Concise
        ) {
            let fixable = files
                .iter()
                .flat_map(|f| &f.diagnostics)
                .filter(|d| d.fix.as_ref().is_some_and(|f| f.applies(any_unsafe_fixes)))
                .count()
                + streamed_safe
                + if any_unsafe_fixes { streamed_unsafe } else { 0 };
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
                let hidden = files
                    .iter()
                    .flat_map(|f| &f.diagnostics)
                    .filter(|d| {
                        d.fix
                            .as_ref()
                            .is_some_and(|f| !f.applies(any_unsafe_fixes) && f.applies(true))
                    })
                    .count()
                    + if any_unsafe_fixes { 0 } else { streamed_unsafe };
                if hidden > 0 {
                    eprintln!("{hidden} more fix(es) available with `--unsafe-fixes`.");
                }
            }
        }
    }
    if args.common.verbose {
        eprintln!(
            "checked {} file(s) in {} ms ({} error(s))",
            files.len() + streamed_files,
            started.elapsed().as_millis(),
            problems.len()
        );
    }
    if !problems.is_empty() {
        ExitCode::from(2)
    } else if (remaining > 0 && !args.exit_zero) || (args.diff && !diff_out.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn format(args: FormatArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let (line_ending, max_blank) = (args.line_ending, args.max_blank_lines);
    let (indent, and_position) = (args.indent_width, args.and_position);
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
                s.format.indent_width = usize::from(i);
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
    // what must be printed: a large tree does not hold every file's text in memory.
    enum Formatted {
        Unchanged { stdout: Option<String> },
        Changed { stdout: String },
    }
    let format_one = |input: Input| -> Result<Formatted, Problem> {
        let (display, bytes, path, write_to) = load(input)?;
        let settings = configs
            .for_path(&path)
            .map_err(|e| Problem(format!("error: {e}")))?;
        let text = read_text(&display, bytes)?;
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
    let results: Vec<Result<Formatted, Problem>> = inputs
        .into_par_iter()
        .map(|input| {
            let shown = input.shown();
            contained(&shown, || format_one(input))
        })
        .collect();
    let (mut changed, mut unchanged) = (0, 0);
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
            Err(p) => problems.push(p),
        }
    }
    out(&printed);
    let _ = std::io::stdout().flush();
    for p in &problems {
        eprintln!("{}", p.0);
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

/// Writes to standard output. When the reader has gone (`dockerfix check | head -1`), the rest
/// is dropped quietly: the run finishes (files are still fixed) and exits as it would have.
fn out(text: &str) {
    static GONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if text.is_empty() || GONE.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
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

fn fix_label(f: FixAvailability) -> &'static str {
    match f {
        FixAvailability::None => "none",
        FixAvailability::Sometimes(dockerfix::fix::Applicability::Safe) => "sometimes (safe)",
        FixAvailability::Sometimes(_) => "sometimes (unsafe)",
        FixAvailability::Always(dockerfix::fix::Applicability::Safe) => "always (safe)",
        FixAvailability::Always(_) => "always (unsafe)",
    }
}

fn rule(args: RuleArgs) -> ExitCode {
    let selected: Vec<&rules::Rule> = if args.all {
        rules::RULES.to_vec()
    } else {
        let code = args.code.unwrap_or_default();
        match rules::RULES.iter().copied().find(|r| {
            r.matches(&code)
                && !code.eq_ignore_ascii_case("ALL")
                && (r.code.eq_ignore_ascii_case(&code)
                    || r.name == code
                    || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(&code)))
        }) {
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
                    "severity": r.severity, "default": r.default_enabled, "fix": fix_label(r.fix),
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
                fix_label(r.fix),
                r.summary
            ));
        }
    } else {
        let r = selected[0];
        out(&format!("# {} ({})\n\n", r.name, r.code));
        out(&format!("{}\n\n", r.summary));
        if !r.aliases.is_empty() {
            out(&format!("Aliases: {}\n\n", r.aliases.join(", ")));
        }
        out(&format!(
            "Severity: {}. Enabled by default: {}. Fix: {}.\n\n",
            r.severity.as_str(),
            if r.default_enabled { "yes" } else { "no" },
            fix_label(r.fix)
        ));
        out(r.doc);
    }
    ExitCode::SUCCESS
}
