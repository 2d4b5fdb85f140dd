//! Renderers for diagnostics: one pure function per output format.
//!
//! Every format is rendered file by file: [`render_part`] renders one file's part on its own
//! (so that files can be rendered in parallel, as each is done), and a [`ReportWriter`] writes
//! the parts in order with what goes around and between them (the brackets and commas of a JSON
//! array, SARIF's run object, JUnit's totals). [`render`] does both for a list of files. A run
//! over many files then never holds every file's text, diagnostics or report at once.

mod gitlab;
mod junit;
mod sarif;

pub use gitlab::gitlab;
pub use junit::junit;
pub use sarif::sarif;

use crate::rules::{Diagnostic, Severity};
use crate::syntax::{line_col, line_starts};
use serde::Serialize;
use std::io::{self, Write};

/// The diagnostics of one file, with its text for positions and snippets.
pub struct FileDiagnostics {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// rustc-style, with the source snippet and the fix.
    Full,
    /// `path:line:col: CODE message`.
    Concise,
    Json,
    JsonLines,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML, one test case per file.
    Junit,
}

#[derive(Serialize)]
struct Location {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    location: Location,
    end_location: Location,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: crate::fix::Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    message: &'a str,
    severity: Severity,
    filename: &'a str,
    location: Location,
    end_location: Location,
    fix: Option<JsonFix<'a>>,
    /// Absent when the build declares no repository (`src/project.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// Where a rule's documentation lives (see [`crate::project::rule_url`]).
pub use crate::project::rule_url;

fn json_diagnostics(f: &FileDiagnostics) -> Vec<JsonDiagnostic<'_>> {
    let mut out = Vec::new();
    let starts = line_starts(&f.source);
    let loc = |offset: usize| {
        let (line, column) = line_col(&f.source, &starts, offset);
        Location {
            line,
            column,
            offset,
        }
    };
    for d in &f.diagnostics {
        out.push(JsonDiagnostic {
            code: d.rule.code,
            name: d.rule.name,
            message: &d.message,
            severity: d.severity,
            filename: &f.path,
            location: loc(d.span.start),
            end_location: loc(d.span.end),
            fix: d.fix.as_ref().map(|fix| JsonFix {
                applicability: fix.applicability,
                message: &fix.title,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| JsonEdit {
                        content: &e.content,
                        location: loc(e.span.start),
                        end_location: loc(e.span.end),
                    })
                    .collect(),
            }),
            url: rule_url(d.rule.code),
        });
    }
    out
}

/// Values as the elements of a pretty-printed JSON array nested `depth` levels deep (what
/// `serde_json::to_string_pretty` of the whole document would print for them), joined by
/// `,\n`: each value pretty-printed on its own, every line indented by two spaces per level.
/// JSON strings never hold a raw line break, so every line break is the printer's.
fn array_elements<T: Serialize>(values: &[T], depth: usize) -> String {
    let indent = "  ".repeat(depth);
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let text = serde_json::to_string_pretty(v).unwrap_or_default();
        for (j, line) in text.split('\n').enumerate() {
            if j > 0 {
                out.push('\n');
            }
            out.push_str(&indent);
            out.push_str(line);
        }
    }
    out
}

fn fix_hint(d: &Diagnostic, unsafe_fixes: bool) -> &'static str {
    match &d.fix {
        Some(f) if f.applies(false) => " [*]",
        Some(f) if unsafe_fixes && f.applies(true) => " [*]",
        Some(f) if f.applies(true) => " [unsafe fix available]",
        _ => "",
    }
}

fn concise_part(f: &FileDiagnostics, unsafe_fixes: bool) -> String {
    let mut out = String::new();
    let starts = line_starts(&f.source);
    for d in &f.diagnostics {
        let (line, col) = line_col(&f.source, &starts, d.span.start);
        out.push_str(&format!(
            "{}:{line}:{col}: {} {}{}\n",
            f.path,
            d.rule.code,
            d.message,
            fix_hint(d, unsafe_fixes)
        ));
    }
    out
}

pub fn concise(files: &[FileDiagnostics], unsafe_fixes: bool) -> String {
    render(files, OutputFormat::Concise, unsafe_fixes, false)
}

fn full_part(f: &FileDiagnostics, unsafe_fixes: bool, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Level, Patch, Renderer, Snippet};
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let starts = line_starts(&f.source);
    for d in &f.diagnostics {
        // Only the lines the diagnostic and its fix touch are given to annotate-snippets,
        // which reads the source it is given for each diagnostic: a file with many
        // diagnostics was rendered in quadratic time (the 2.5 MB file: 17 s).
        let (lo, hi) = d
            .fix
            .iter()
            .flat_map(|f| &f.edits)
            .map(|e| e.span)
            .fold((d.span.start, d.span.end), |(lo, hi), s| {
                (lo.min(s.start), hi.max(s.end))
            });
        let (at, line, source) = lines_around(&f.source, &starts, lo, hi);
        let span = |s: crate::syntax::Span| s.start - at..s.end - at;
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        };
        let title = format!("{}{}", d.message, fix_hint(d, unsafe_fixes));
        let mut title = level.primary_title(title).id(d.rule.code);
        // A terminal hyperlink on the code, in colour output only (annotate-snippets 0.12.16
        // writes it whatever the renderer; plain output stays plain text).
        if color && let Some(url) = rule_url(d.rule.code) {
            title = title.id_url(url);
        }
        let mut group = title.element(
            Snippet::source(source)
                .line_start(line)
                .path(f.path.as_str())
                .annotation(AnnotationKind::Primary.span(span(d.span))),
        );
        let mut report = vec![];
        if let Some(fix) = &d.fix {
            let mut snippet = Snippet::source(source)
                .line_start(line)
                .path(f.path.as_str());
            for e in &fix.edits {
                // An insertion after the file's last line break has no line to be shown
                // on (it was shown glued to the last line): the same text is shown
                // inserted before that line break instead.
                let eol = ["\r\n", "\n"]
                    .into_iter()
                    .find(|eol| source.ends_with(eol) && e.content.ends_with(eol));
                match eol {
                    Some(eol)
                        if e.span.start == e.span.end && e.span.start - at == source.len() =>
                    {
                        let before = source.len() - eol.len();
                        let shown = format!("{eol}{}", &e.content[..e.content.len() - eol.len()]);
                        snippet = snippet.patch(Patch::new(before..before, shown));
                    }
                    _ => {
                        snippet = snippet.patch(Patch::new(span(e.span), e.content.as_str()));
                    }
                }
            }
            let label = match fix.applicability {
                crate::fix::Applicability::Safe => format!("{} (safe fix)", fix.title),
                crate::fix::Applicability::Unsafe => format!("{} (unsafe fix)", fix.title),
                crate::fix::Applicability::DisplayOnly => fix.title.clone(),
            };
            report.push(group);
            group = Level::HELP.secondary_title(label).element(snippet);
        }
        report.push(group);
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

pub fn full(files: &[FileDiagnostics], unsafe_fixes: bool, color: bool) -> String {
    render(files, OutputFormat::Full, unsafe_fixes, color)
}

/// The whole lines of `source` from the one holding byte `lo` to the one holding byte `hi`, and
/// a line more on either side, with the offset and the 1-based number of their first line.
fn lines_around<'s>(
    source: &'s str,
    starts: &[usize],
    lo: usize,
    hi: usize,
) -> (usize, usize, &'s str) {
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).max(1) - 1;
    // A line of margin on either side, as the whole source would have.
    let first = line_of(lo.min(source.len())).saturating_sub(1);
    let at = starts.get(first).copied().unwrap_or(0);
    let end = starts
        .get(line_of(hi.min(source.len())) + 2)
        .map_or(source.len(), |&e| e.min(source.len()));
    match source.get(at..end) {
        Some(window) => (at, first + 1, window),
        None => (0, 1, source),
    }
}

pub fn json(files: &[FileDiagnostics]) -> String {
    render(files, OutputFormat::Json, false, false)
}

pub fn json_lines(files: &[FileDiagnostics]) -> String {
    render(files, OutputFormat::JsonLines, false, false)
}

fn json_lines_part(f: &FileDiagnostics) -> String {
    json_diagnostics(f)
        .iter()
        .filter_map(|d| serde_json::to_string(d).ok())
        .map(|l| l + "\n")
        .collect()
}

pub fn github(files: &[FileDiagnostics]) -> String {
    render(files, OutputFormat::Github, false, false)
}

fn github_part(f: &FileDiagnostics) -> String {
    let mut out = String::new();
    for d in json_diagnostics(f) {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let escape = |s: &str| {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        // The rule's documentation on a line of its own, when the build declares where.
        let link = d
            .url
            .as_deref()
            .map_or_else(String::new, |u| format!("%0A{}", escape(u)));
        out.push_str(&format!(
            "::{level} title=dockerfix ({}),file={},line={},col={},endLine={},endColumn={}::{}:{}:{}: {} {}{link}\n",
            d.code,
            escape(d.filename).replace(',', "%2C").replace(':', "%3A"),
            d.location.line,
            d.location.column,
            d.end_location.line,
            d.end_location.column,
            d.filename,
            d.location.line,
            d.location.column,
            d.code,
            escape(d.message)
        ));
    }
    out
}

/// The report of all `files` (see [`render_part`] and [`ReportWriter`]).
pub fn render(
    files: &[FileDiagnostics],
    format: OutputFormat,
    unsafe_fixes: bool,
    color: bool,
) -> String {
    let mut w = ReportWriter::in_memory(Vec::new(), format);
    let written = files
        .iter()
        .try_for_each(|f| w.push(&render_part(f, format, unsafe_fixes, color)))
        .and_then(|()| w.finish());
    match written {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        // Writing to memory does not fail.
        Err(_) => String::new(),
    }
}

/// One file's part of a report, rendered on its own by [`render_part`]; a [`ReportWriter`]
/// writes it in its place.
#[derive(Debug, Default)]
pub struct Part {
    text: String,
    /// Whether the file has diagnostics (JUnit counts the failed files in its header).
    failed: bool,
}

/// One file's part of a report in `format`: its diagnostics as the format prints them
/// (`full` and `concise` with the fix hints of a run where unsafe fixes apply or not; `color`
/// for `full` only). For JSON, GitLab and SARIF, the file's elements of the array of
/// diagnostics (issues, results), indented as in the whole report; for JUnit, its test case.
pub fn render_part(
    file: &FileDiagnostics,
    format: OutputFormat,
    unsafe_fixes: bool,
    color: bool,
) -> Part {
    let text = match format {
        OutputFormat::Full => full_part(file, unsafe_fixes, color),
        OutputFormat::Concise => concise_part(file, unsafe_fixes),
        OutputFormat::Json => array_elements(&json_diagnostics(file), 1),
        OutputFormat::JsonLines => json_lines_part(file),
        OutputFormat::Github => github_part(file),
        // `$schema`, `version`, `runs: [`, the run object, `results: [`.
        OutputFormat::Sarif => array_elements(&sarif::results(file), 4),
        OutputFormat::Gitlab => array_elements(&gitlab::issues(file), 1),
        OutputFormat::Junit => junit::testcase(file),
    };
    Part {
        text,
        failed: !file.diagnostics.is_empty(),
    }
}

/// Writes a report part by part, in the order given, with what goes around and between the
/// parts: byte for byte what [`render`] of all the files returns. Nothing is written before
/// the first part or [`ReportWriter::finish`].
///
/// JUnit's header counts the files and the failed ones, known only at the end: its test cases
/// are kept until then, in memory up to a few megabytes, then in an unnamed temporary file
/// ([`ReportWriter::new`]; in memory only with [`ReportWriter::in_memory`]).
pub struct ReportWriter<W: Write> {
    out: W,
    format: OutputFormat,
    /// Whether anything was written (the head of a SARIF log).
    started: bool,
    /// Parts with text written so far (a separator goes before each but the first).
    elements: usize,
    files: usize,
    failures: usize,
    /// SARIF: the tool components beside dockerfix that ran (ShellCheck), in `tool.extensions`.
    extensions: Vec<sarif::Extension>,
    /// JUnit: the test cases, until the header can be written.
    held: Held,
    /// How many bytes of test cases are held in memory before they go to a temporary file.
    spill_after: usize,
}

/// Test cases held for the end of a JUnit report.
enum Held {
    Memory(Vec<u8>),
    File(io::BufWriter<std::fs::File>),
}

impl<W: Write> ReportWriter<W> {
    /// A writer that may keep a JUnit report's test cases in a temporary file.
    pub fn new(out: W, format: OutputFormat) -> ReportWriter<W> {
        ReportWriter {
            spill_after: 4 << 20,
            ..ReportWriter::in_memory(out, format)
        }
    }

    /// A writer that keeps a JUnit report's test cases in memory.
    pub fn in_memory(out: W, format: OutputFormat) -> ReportWriter<W> {
        ReportWriter {
            out,
            format,
            started: false,
            elements: 0,
            files: 0,
            failures: 0,
            extensions: Vec::new(),
            held: Held::Memory(Vec::new()),
            spill_after: usize::MAX,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        if self.format == OutputFormat::Sarif {
            let (head, _) = sarif::frame(&self.extensions);
            self.out.write_all(head.as_bytes())?;
        }
        Ok(())
    }

    /// Says that ShellCheck ran, with this version: a SARIF log names it in `tool.extensions`
    /// (other formats say nothing of it). Any time before [`ReportWriter::finish`].
    pub fn shellcheck_ran(&mut self, version: &str) {
        let ext = sarif::Extension::shellcheck(version);
        if !self.extensions.contains(&ext) {
            self.extensions.push(ext);
        }
    }

    /// Writes the next file's part.
    pub fn push(&mut self, part: &Part) -> io::Result<()> {
        self.start()?;
        self.files += 1;
        self.failures += usize::from(part.failed);
        if part.text.is_empty() {
            return Ok(());
        }
        let first = self.elements == 0;
        self.elements += 1;
        match self.format {
            OutputFormat::Json | OutputFormat::Gitlab => {
                self.out.write_all(if first { b"[\n" } else { b",\n" })?;
            }
            OutputFormat::Sarif => {
                self.out.write_all(if first { b"\n" } else { b",\n" })?;
            }
            OutputFormat::Junit => return self.hold(part.text.as_bytes()),
            OutputFormat::Full
            | OutputFormat::Concise
            | OutputFormat::JsonLines
            | OutputFormat::Github => {}
        }
        self.out.write_all(part.text.as_bytes())
    }

    fn hold(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Held::Memory(v) = &mut self.held {
            if v.len() + bytes.len() <= self.spill_after {
                v.extend_from_slice(bytes);
                return Ok(());
            }
            // Kept in memory when no temporary file can be made.
            let Ok(file) = tempfile::tempfile() else {
                self.spill_after = usize::MAX;
                v.extend_from_slice(bytes);
                return Ok(());
            };
            let mut file = io::BufWriter::new(file);
            file.write_all(v)?;
            self.held = Held::File(file);
        }
        match &mut self.held {
            Held::Memory(v) => v.extend_from_slice(bytes),
            Held::File(f) => f.write_all(bytes)?,
        }
        Ok(())
    }

    /// Flushes the output (what was written so far; JUnit's test cases stay held).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Writes the end of the report (and, for JUnit, all of it); returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        match self.format {
            OutputFormat::Json | OutputFormat::Gitlab => {
                self.out.write_all(if self.elements == 0 {
                    b"[]\n"
                } else {
                    b"\n]\n"
                })?;
            }
            OutputFormat::Sarif => {
                if self.elements > 0 {
                    self.out.write_all(b"\n      ")?;
                }
                let (_, tail) = sarif::frame(&self.extensions);
                self.out.write_all(tail.as_bytes())?;
            }
            OutputFormat::Junit => {
                self.out
                    .write_all(junit::head(self.files, self.failures).as_bytes())?;
                match std::mem::replace(&mut self.held, Held::Memory(Vec::new())) {
                    Held::Memory(v) => self.out.write_all(&v)?,
                    Held::File(f) => {
                        use std::io::Seek;
                        let mut file = f.into_inner().map_err(|e| e.into_error())?;
                        file.seek(io::SeekFrom::Start(0))?;
                        io::copy(&mut file, &mut self.out)?;
                    }
                }
                self.out.write_all(junit::TAIL.as_bytes())?;
            }
            OutputFormat::Full
            | OutputFormat::Concise
            | OutputFormat::JsonLines
            | OutputFormat::Github => {}
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `--statistics`: counts per rule, added file by file.
#[derive(Clone, Debug, Default)]
pub struct Statistics {
    /// Code, name, count, and whether the rule's first diagnostic had a fix.
    counts: Vec<(&'static str, &'static str, usize, bool)>,
}

impl Statistics {
    /// Counts one file's diagnostics.
    pub fn add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match self.counts.iter_mut().find(|c| c.0 == d.rule.code) {
                Some(c) => c.2 += 1,
                None => self
                    .counts
                    .push((d.rule.code, d.rule.name, 1, d.fix.is_some())),
            }
        }
    }

    /// Adds the counts of the files after these (`later`'s first diagnostics come after
    /// this one's).
    pub fn merge(&mut self, later: Statistics) {
        for (code, name, n, fix) in later.counts {
            match self.counts.iter_mut().find(|c| c.0 == code) {
                Some(c) => c.2 += n,
                None => self.counts.push((code, name, n, fix)),
            }
        }
    }

    /// The counts, most frequent first (JSON for the JSON formats).
    pub fn render(mut self, format: OutputFormat) -> String {
        let counts = &mut self.counts;
        counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        if matches!(format, OutputFormat::Json | OutputFormat::JsonLines) {
            let rows: Vec<serde_json::Value> = counts
                .iter()
                .map(|(code, name, n, fix)| {
                    serde_json::json!({"code": code, "name": name, "count": n, "fixable": fix})
                })
                .collect();
            return serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
        }
        counts
            .iter()
            .map(|(code, name, n, fix)| {
                format!(
                    "{n:5}\t{code}\t{}{name}\n",
                    if *fix { "[*] " } else { "    " }
                )
            })
            .collect()
    }
}

/// `--statistics`: counts per rule, most frequent first (JSON for the JSON formats).
pub fn statistics(files: &[FileDiagnostics], format: OutputFormat) -> String {
    let mut stats = Statistics::default();
    for f in files {
        stats.add(&f.diagnostics);
    }
    stats.render(format)
}

/// A unified diff of one file, `None` when nothing changed.
pub fn unified_diff(path: &str, old: &str, new: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let diff = similar::TextDiff::from_lines(old, new);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a{}", rooted(path)), &format!("b{}", rooted(path)))
            .to_string(),
    )
}

/// A path after the `a`/`b` of a diff header: `a/rel/path`, and `a/abs/path` (not
/// `a//abs/path`) for an absolute one.
fn rooted(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// A unified diff that creates a file (against `/dev/null`).
pub fn new_file_diff(path: &str, content: &str) -> String {
    let lines = content.lines().count();
    let mut out = format!(
        "--- /dev/null\n+++ b{}\n@@ -0,0 +1,{lines} @@\n",
        rooted(path)
    );
    for line in content.lines() {
        out.push('+');
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Colours a unified diff for a terminal.
pub fn color_diff(diff: &str) -> String {
    use anstyle::{AnsiColor, Style};
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let style = if body.starts_with("+++") || body.starts_with("---") {
            Style::new().bold()
        } else if body.starts_with('+') {
            AnsiColor::Green.on_default()
        } else if body.starts_with('-') {
            AnsiColor::Red.on_default()
        } else if body.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            Style::new()
        };
        out.push_str(&format!("{style}{body}{style:#}{nl}"));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Files with and without diagnostics (every rule on), in an order that puts files without
    /// any first, between and last.
    pub(crate) fn sample_files() -> Vec<FileDiagnostics> {
        let mut settings = crate::settings::Settings::default();
        settings.enabled.iter_mut().for_each(|e| *e = true);
        let lint = |path: &str, text: &str| {
            let doc = crate::syntax::parse(text).unwrap_or_else(|e| panic!("{path}: {e:?}"));
            FileDiagnostics {
                path: path.to_string(),
                source: text.to_string(),
                diagnostics: crate::lint(&doc, &settings, &crate::FileOptions::default()),
            }
        };
        let clean = |path: &str| FileDiagnostics {
            path: path.to_string(),
            source: String::new(),
            diagnostics: Vec::new(),
        };
        let files = vec![
            clean("clean/Dockerfile"),
            lint(
                "a/Dockerfile",
                "FROM debian\nRUN apt-get install curl\nMAINTAINER me\n",
            ),
            clean("b <&>/Dockerfile"),
            lint(
                "c \"é\"/Dockerfile",
                "FROM ubuntu:latest\nRUN echo \"é\\n\" && apt-get update && apt-get install -y python3\nADD . /app\nCMD python3 app.py\n",
            ),
            lint(
                "d/Dockerfile",
                "FROM node\nRUN npm install\nRUN npm install\n",
            ),
            clean("e/Dockerfile"),
        ];
        assert!(files.iter().filter(|f| !f.diagnostics.is_empty()).count() >= 3);
        files
    }

    /// Sublists of the sample: none, only clean files, one file, all.
    pub(crate) fn sample_lists() -> Vec<Vec<FileDiagnostics>> {
        let pick = |which: &[usize]| {
            let mut all: Vec<Option<FileDiagnostics>> =
                sample_files().into_iter().map(Some).collect();
            which
                .iter()
                .map(|&i| all[i].take().unwrap())
                .collect::<Vec<_>>()
        };
        vec![
            Vec::new(),
            pick(&[0]),
            pick(&[0, 5]),
            pick(&[1]),
            pick(&[3, 0]),
            sample_files(),
        ]
    }

    /// The JSON report as one document, pretty-printed whole (as it was before the report was
    /// written file by file).
    #[test]
    fn json_parts_make_the_whole_document() {
        for files in sample_lists() {
            let all: Vec<JsonDiagnostic> = files.iter().flat_map(json_diagnostics).collect();
            let whole = serde_json::to_string_pretty(&all).unwrap() + "\n";
            assert_eq!(render(&files, OutputFormat::Json, false, false), whole);
        }
    }

    /// GitHub's workflow commands: one per diagnostic, the position in the properties, the
    /// message escaped, and the rule's documentation on a line of its own when the manifest
    /// declares the repository (`src/project.rs`).
    #[test]
    fn github_annotations_link_the_rule() {
        let files = sample_files();
        let text = github(&files);
        let total: usize = files.iter().map(|f| f.diagnostics.len()).sum();
        assert_eq!(text.lines().count(), total, "{text}");
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("::warning title=dockerfix (")
                && first.contains(",file=a/Dockerfile,line="),
            "{first}"
        );
        for (line, d) in text.lines().zip(files.iter().flat_map(|f| &f.diagnostics)) {
            match rule_url(d.rule.code) {
                Some(url) => assert!(line.ends_with(&format!("%0A{url}")), "{line}"),
                None => assert!(!line.contains("%0A"), "{line}"),
            }
        }
        assert!(text.contains("file=c \"é\"/Dockerfile"), "{text}");
    }

    /// In colour, the code of each diagnostic is a terminal hyperlink to its documentation;
    /// plain output has no escape sequences.
    #[test]
    fn full_output_links_the_code_in_colour_only() {
        let files = sample_files();
        let coloured = full(&files, false, true);
        let plain = full(&files, false, false);
        assert!(!plain.contains('\x1b'), "{plain}");
        for d in files.iter().flat_map(|f| &f.diagnostics) {
            if let Some(url) = rule_url(d.rule.code) {
                assert!(coloured.contains(&format!("\x1b]8;;{url}\x1b\\")), "{url}");
            }
        }
    }

    /// The formats that are a concatenation of per-file text.
    #[test]
    fn line_formats_are_file_by_file() {
        for format in [
            OutputFormat::Full,
            OutputFormat::Concise,
            OutputFormat::JsonLines,
            OutputFormat::Github,
        ] {
            for unsafe_fixes in [false, true] {
                let files = sample_files();
                let each: String = files
                    .iter()
                    .map(|f| render(std::slice::from_ref(f), format, unsafe_fixes, false))
                    .collect();
                assert_eq!(render(&files, format, unsafe_fixes, false), each);
                assert!(!each.is_empty());
            }
        }
    }

    /// JUnit's test cases, kept in a temporary file past a size, give the same report.
    #[test]
    fn junit_spilled_to_a_file() {
        for files in sample_lists() {
            let mut w = ReportWriter::new(Vec::new(), OutputFormat::Junit);
            w.spill_after = 10;
            for f in &files {
                w.push(&render_part(f, OutputFormat::Junit, false, false))
                    .unwrap();
            }
            if files.len() > 1 {
                assert!(matches!(w.held, Held::File(_)));
            }
            let spilled = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(spilled, render(&files, OutputFormat::Junit, false, false));
        }
    }

    /// Statistics merged file by file count as over all files at once, and the fix mark is
    /// the first diagnostic's.
    #[test]
    fn statistics_merged() {
        let files = sample_files();
        let mut merged = Statistics::default();
        for f in &files {
            let mut one = Statistics::default();
            one.add(&f.diagnostics);
            merged.merge(one);
        }
        let mut all = Statistics::default();
        files.iter().for_each(|f| all.add(&f.diagnostics));
        assert_eq!(merged.counts, all.counts);
        for format in [OutputFormat::Concise, OutputFormat::Json] {
            assert_eq!(merged.clone().render(format), statistics(&files, format));
        }
    }
}
