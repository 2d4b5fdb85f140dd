//! GitLab Code Quality (a subset of Code Climate's issue format): a JSON array of issues.

use super::FileDiagnostics;
use crate::rules::Severity;
use crate::syntax::{line_col, line_starts};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(mut self, bytes: &[u8]) -> Fnv {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }
    /// Fields separated by a byte that UTF-8 text never contains, so that ("ab", "c") and
    /// ("a", "bc") differ.
    fn field(self, bytes: &[u8]) -> Fnv {
        self.write(bytes).write(&[0xff])
    }
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// A path relative to the repository, as GitLab wants it: `/` separators, no leading `./`.
fn repo_path(path: &str) -> String {
    let path = if std::path::MAIN_SEPARATOR == '\\' {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut rest = path.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    rest.to_string()
}

/// The issues of all files, pretty-printed, with a final newline.
pub fn gitlab(files: &[FileDiagnostics]) -> String {
    super::render(files, super::OutputFormat::Gitlab, false, false)
}

/// One file's issues.
///
/// The fingerprint hashes the path, code, message and the offending source text, not the
/// position, so a finding keeps its fingerprint when lines above it are added or removed; the
/// n-th identical finding in a file also hashes `n`, so that each fingerprint is unique.
pub(super) fn issues(f: &FileDiagnostics) -> Vec<Issue> {
    let mut issues = Vec::new();
    let starts = line_starts(&f.source);
    let path = repo_path(&f.path);
    let mut seen: Vec<u64> = Vec::new();
    for d in &f.diagnostics {
        let snippet = f.source.get(d.span.start..d.span.end).unwrap_or_default();
        let finding = |occurrence: &str| {
            Fnv::new()
                .field(occurrence.as_bytes())
                .field(path.as_bytes())
                .field(d.rule.code.as_bytes())
                .field(d.message.as_bytes())
                .field(snippet.as_bytes())
                .0
        };
        let key = finding("");
        let occurrence = seen.iter().filter(|&&h| h == key).count();
        seen.push(key);
        // The occurrence goes first, so that it changes every byte of the hash.
        let fingerprint = finding(&occurrence.to_string());
        let (line, _) = line_col(&f.source, &starts, d.span.start);
        issues.push(Issue {
            description: format!("{} {}", d.rule.code, d.message),
            check_name: d.rule.code,
            fingerprint: format!("{fingerprint:016x}"),
            severity: severity(d.severity),
            location: Location {
                path: path.clone(),
                lines: Lines { begin: line },
            },
        });
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_known_values() {
        assert_eq!(Fnv::new().0, 0xcbf2_9ce4_8422_2325);
        assert_eq!(Fnv::new().write(b"a").0, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(Fnv::new().write(b"foobar").0, 0x8594_4171_f739_67e8);
        assert_ne!(
            Fnv::new().field(b"ab").field(b"c").0,
            Fnv::new().field(b"a").field(b"bc").0
        );
    }

    /// The report written file by file is the array pretty-printed whole.
    #[test]
    fn parts_make_the_whole_array() {
        for files in super::super::tests::sample_lists() {
            let all: Vec<Issue> = files.iter().flat_map(issues).collect();
            let whole = serde_json::to_string_pretty(&all).unwrap() + "\n";
            assert_eq!(gitlab(&files), whole);
        }
    }

    #[test]
    fn paths() {
        assert_eq!(repo_path("./a/Dockerfile"), "a/Dockerfile");
        assert_eq!(repo_path("Dockerfile"), "Dockerfile");
    }
}
