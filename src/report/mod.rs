//! Renderers for diagnostics: one pure function per output format.

mod gitlab;
mod junit;
mod sarif;

pub use gitlab::gitlab;
pub use junit::junit;
pub use sarif::sarif;

use crate::rules::{Diagnostic, Severity};
use crate::syntax::{line_col, line_starts};
use serde::Serialize;

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
    url: String,
}

/// Where a rule's documentation lives.
pub fn rule_url(code: &str) -> String {
    format!(
        "https://github.com/dockerfix/dockerfix/blob/main/docs/rules.md#{}",
        code.to_ascii_lowercase()
    )
}

fn json_diagnostics(files: &[FileDiagnostics]) -> Vec<JsonDiagnostic<'_>> {
    let mut out = Vec::new();
    for f in files {
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
                severity: d.rule.severity,
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

pub fn concise(files: &[FileDiagnostics], unsafe_fixes: bool) -> String {
    let mut out = String::new();
    for f in files {
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
    }
    out
}

pub fn full(files: &[FileDiagnostics], unsafe_fixes: bool, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Level, Patch, Renderer, Snippet};
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for f in files {
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
            let level = match d.rule.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
                Severity::Info => Level::INFO,
            };
            let title = format!("{}{}", d.message, fix_hint(d, unsafe_fixes));
            let mut group = level.primary_title(title).id(d.rule.code).element(
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
                            let shown =
                                format!("{eol}{}", &e.content[..e.content.len() - eol.len()]);
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
    }
    out
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
    let mut s = serde_json::to_string_pretty(&json_diagnostics(files)).unwrap_or_default();
    s.push('\n');
    s
}

pub fn json_lines(files: &[FileDiagnostics]) -> String {
    json_diagnostics(files)
        .iter()
        .filter_map(|d| serde_json::to_string(d).ok())
        .map(|l| l + "\n")
        .collect()
}

pub fn github(files: &[FileDiagnostics]) -> String {
    let mut out = String::new();
    for d in json_diagnostics(files) {
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
        out.push_str(&format!(
            "::{level} title=dockerfix ({}),file={},line={},col={},endLine={},endColumn={}::{}:{}:{}: {} {}\n",
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

pub fn render(
    files: &[FileDiagnostics],
    format: OutputFormat,
    unsafe_fixes: bool,
    color: bool,
) -> String {
    match format {
        OutputFormat::Full => full(files, unsafe_fixes, color),
        OutputFormat::Concise => concise(files, unsafe_fixes),
        OutputFormat::Json => json(files),
        OutputFormat::JsonLines => json_lines(files),
        OutputFormat::Github => github(files),
        OutputFormat::Sarif => sarif(files),
        OutputFormat::Gitlab => gitlab(files),
        OutputFormat::Junit => junit(files),
    }
}

/// `--statistics`: counts per rule, most frequent first (JSON for the JSON formats).
pub fn statistics(files: &[FileDiagnostics], format: OutputFormat) -> String {
    let mut counts: Vec<(&str, &str, usize, bool)> = Vec::new();
    for d in files.iter().flat_map(|f| &f.diagnostics) {
        match counts.iter_mut().find(|c| c.0 == d.rule.code) {
            Some(c) => c.2 += 1,
            None => counts.push((d.rule.code, d.rule.name, 1, d.fix.is_some())),
        }
    }
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
