//! SARIF 2.1.0, as GitHub code scanning reads it: one run, every rule's metadata in
//! `tool.driver.rules`, results with text regions (line/column, columns in Unicode code points)
//! that also carry the byte range, and fixes as replacements.

use super::{FileDiagnostics, rule_url};
use crate::fix::Applicability;
use crate::rules::{RULES, Severity};
use crate::syntax::{Span, line_col, line_starts};
use serde::Serialize;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

/// The run. `tool` comes after `results` (JSON objects are unordered): a streamed log writes
/// its results before it knows whether ShellCheck ran, which `tool.extensions` says.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    /// Columns count characters (what `line_col` counts), not UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    tool: Tool,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<Extension>,
}

/// A tool component beside dockerfix that produced results: ShellCheck, with its version, when
/// the SC rules ran it (SARIF §3.18.3, `tool.extensions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    name: &'static str,
    version: String,
    information_uri: &'static str,
}

impl Extension {
    /// ShellCheck, as `shellcheck --version` names its version.
    pub fn shellcheck(version: &str) -> Extension {
        Extension {
            name: "ShellCheck",
            version: version.to_string(),
            information_uri: "https://www.shellcheck.net",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    full_description: Text<'static>,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SarifResult<'a> {
    rule_id: &'static str,
    /// The rule's place in the driver's rules; absent for ShellCheck's codes (`SC2086`), which
    /// the rules list only as their family (`SC`).
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

/// A text region and the binary region of the same bytes (SARIF §3.30.1 allows both when they
/// name the same range).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: InsertedContent<'a>,
}

/// Both forms: `text` because the region is a text region (§3.57.2 SHOULD), `binary` (Base64 of
/// the UTF-8 bytes) because it is also a binary region (§3.57.2 SHALL).
#[derive(Serialize)]
struct InsertedContent<'a> {
    text: &'a str,
    binary: String,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The 1-based SARIF line and column of a byte offset. Columns count characters as
/// [`line_col`] does (which already skips a byte order mark on line 1), with one correction the
/// SARIF spec requires (§3.30.2): the end of a file that ends with a newline is past the last
/// line's newline sequence (there is no line after it).
fn position(source: &str, starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let (mut line, mut column) = line_col(source, starts, offset);
    if offset == source.len() && source.ends_with('\n') && starts.len() >= 2 {
        let last = starts[starts.len() - 2];
        line = starts.len() - 1;
        column = source[last..].chars().count() + 1;
    }
    (line, column)
}

fn region(source: &str, starts: &[usize], span: Span) -> Region {
    let (start_line, start_column) = position(source, starts, span.start);
    let (end_line, end_column) = position(source, starts, span.end);
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
        byte_offset: span.start,
        byte_length: span.end.saturating_sub(span.start),
    }
}

/// A path as shown, as a URI reference (RFC 3986): `/` separators, no leading `./`, reserved
/// and non-ASCII bytes percent-encoded, absolute paths as `file://` URIs.
pub(super) fn artifact_uri(path: &str) -> String {
    let path = if std::path::MAIN_SEPARATOR == '\\' {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut rest = path.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    let bytes = rest.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    let (mut out, body) = if drive {
        (format!("file:///{}:", bytes[0] as char), &rest[2..])
    } else if rest.starts_with('/') {
        ("file://".to_string(), rest)
    } else {
        (String::new(), rest)
    };
    for &b in body.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The SARIF log of all files, pretty-printed, with a final newline.
pub fn sarif(files: &[FileDiagnostics]) -> String {
    super::render(files, super::OutputFormat::Sarif, false, false)
}

/// The log, with these results.
fn log<'a>(results: Vec<SarifResult<'a>>, extensions: &[Extension]) -> Log<'a> {
    let rules = RULES
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.code,
            name: r.name,
            short_description: Text { text: r.summary },
            full_description: Text { text: r.doc },
            help: Help {
                text: r.doc,
                markdown: r.doc,
            },
            help_uri: rule_url(r.code),
            default_configuration: Configuration {
                level: level(r.severity),
            },
        })
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "dockerfix",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: crate::project::HOMEPAGE,
                    rules,
                },
                extensions: extensions.to_vec(),
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

/// The log without its results, cut where they go: what comes before the first result (up to
/// `"results": [`) and after the last one (from the `]`, with the tool, the rules and the
/// final newline). What comes before does not depend on `extensions`, so it can be written
/// before any file is checked, and what comes after when all are.
pub(super) fn frame(extensions: &[Extension]) -> (String, String) {
    let log = log(Vec::new(), extensions);
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    // `results` comes before the tool, and quotes inside JSON strings are escaped: the first
    // `"results": []` is the empty array itself.
    const EMPTY: &str = "\"results\": []";
    match s.find(EMPTY) {
        Some(at) => {
            let tail = s.split_off(at + EMPTY.len() - 1);
            (s, tail)
        }
        None => (s, String::new()),
    }
}

/// One file's results.
pub(super) fn results(f: &FileDiagnostics) -> Vec<SarifResult<'_>> {
    let mut results = Vec::new();
    let starts = line_starts(&f.source);
    let uri = artifact_uri(&f.path);
    for d in &f.diagnostics {
        let fixes = d
            .fix
            .iter()
            .filter(|fix| !fix.edits.is_empty())
            .map(|fix| SarifFix {
                description: Text { text: &fix.title },
                artifact_changes: [ArtifactChange {
                    artifact_location: ArtifactLocation { uri: uri.clone() },
                    replacements: fix
                        .edits
                        .iter()
                        .map(|e| Replacement {
                            deleted_region: region(&f.source, &starts, e.span),
                            inserted_content: InsertedContent {
                                text: &e.content,
                                binary: base64(e.content.as_bytes()),
                            },
                        })
                        .collect(),
                }],
                properties: FixProperties {
                    applicability: fix.applicability,
                },
            })
            .collect();
        results.push(SarifResult {
            rule_id: d.rule.code,
            rule_index: RULES.iter().position(|r| r.code == d.rule.code),
            level: level(d.severity),
            message: Text { text: &d.message },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: uri.clone() },
                    region: region(&f.source, &starts, d.span),
                },
            }],
            fixes,
        });
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log written result by result is the log pretty-printed whole.
    #[test]
    fn parts_make_the_whole_log() {
        for files in super::super::tests::sample_lists() {
            let all: Vec<SarifResult> = files.iter().flat_map(results).collect();
            let whole = serde_json::to_string_pretty(&log(all, &[])).unwrap() + "\n";
            assert_eq!(sarif(&files), whole);
        }
    }

    /// The same with ShellCheck named, said after the results were written.
    #[test]
    fn parts_make_the_whole_log_with_extensions() {
        let ext = [Extension::shellcheck("0.9.0")];
        for files in super::super::tests::sample_lists() {
            let all: Vec<SarifResult> = files.iter().flat_map(results).collect();
            let whole = serde_json::to_string_pretty(&log(all, &ext)).unwrap() + "\n";
            let mut w = super::super::ReportWriter::in_memory(
                Vec::new(),
                super::super::OutputFormat::Sarif,
            );
            for f in &files {
                w.push(&super::super::render_part(
                    f,
                    super::super::OutputFormat::Sarif,
                    false,
                    false,
                ))
                .unwrap();
            }
            w.shellcheck_ran("0.9.0");
            w.shellcheck_ran("0.9.0");
            let out = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(out, whole);
            assert!(out.contains("\"name\": \"ShellCheck\""));
        }
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(" -y".as_bytes()), "IC15");
    }

    #[test]
    fn uris() {
        assert_eq!(artifact_uri("Dockerfile"), "Dockerfile");
        assert_eq!(artifact_uri("./a/Dockerfile"), "a/Dockerfile");
        assert_eq!(artifact_uri("my dir/Dockerfile"), "my%20dir/Dockerfile");
        assert_eq!(artifact_uri("a#b?c%d:e"), "a%23b%3Fc%25d%3Ae");
        assert_eq!(artifact_uri("é/Dockerfile"), "%C3%A9/Dockerfile");
        assert_eq!(artifact_uri("/abs/Dockerfile"), "file:///abs/Dockerfile");
        assert_eq!(artifact_uri("C:/x/Dockerfile"), "file:///C:/x/Dockerfile");
        assert_eq!(artifact_uri("../up/Dockerfile"), "../up/Dockerfile");
    }

    #[test]
    fn positions() {
        let text = "\u{feff}FROM a\nRUN é x\n";
        let starts = line_starts(text);
        // The BOM is not a column of line 1.
        assert_eq!(position(text, &starts, 0), (1, 1));
        assert_eq!(position(text, &starts, 3), (1, 1));
        assert_eq!(position(text, &starts, 8), (1, 6));
        // Characters, not bytes.
        let x = text.find('x').unwrap();
        assert_eq!(position(text, &starts, x), (2, 7));
        // The end of the file is past the last newline, on the last line.
        assert_eq!(position(text, &starts, text.len()), (2, 9));
        assert_eq!(position("FROM a", &line_starts("FROM a"), 6), (1, 7));
    }
}
