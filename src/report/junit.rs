//! JUnit XML: one test suite, one test case per file, one `<failure>` per diagnostic.

use super::FileDiagnostics;
use crate::syntax::{line_col, line_starts};

/// Text safe in XML 1.0 content or a double- or single-quoted attribute. Characters XML 1.0
/// cannot carry at all (C0 controls other than tab, newline and carriage return, U+FFFE,
/// U+FFFF) become U+FFFD. In attributes, tab, newline and carriage return are written as
/// character references, which attribute-value normalization leaves alone.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// The report of all files. `tests` counts the files, `failures` the files with diagnostics
/// (JUnit counts failed test cases; each `<failure>` element is one diagnostic).
pub fn junit(files: &[FileDiagnostics]) -> String {
    super::render(files, super::OutputFormat::Junit, false, false)
}

/// What comes before the test cases: the declaration and the suites with their counts.
pub(super) fn head(tests: usize, failures: usize) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"dockerfix\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"dockerfix\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n"
    ));
    out
}

/// What comes after the test cases.
pub(super) const TAIL: &str = "  </testsuite>\n</testsuites>\n";

/// One file's test case.
pub(super) fn testcase(f: &FileDiagnostics) -> String {
    let name = escape(&f.path, true);
    if f.diagnostics.is_empty() {
        return format!("    <testcase name=\"{name}\" classname=\"dockerfix\"/>\n");
    }
    let mut out = format!("    <testcase name=\"{name}\" classname=\"dockerfix\">\n");
    let starts = line_starts(&f.source);
    for d in &f.diagnostics {
        let (line, col) = line_col(&f.source, &starts, d.span.start);
        out.push_str(&format!(
            "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
            escape(&d.message, true),
            escape(d.rule.code, true),
            escape(
                &format!("{}:{line}:{col}: {} {}", f.path, d.rule.code, d.message),
                false
            ),
        ));
    }
    out.push_str("    </testcase>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes() {
        assert_eq!(
            escape("a<b>&\"c\"'d'", true),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(escape("x\ny\tz\r", true), "x&#10;y&#9;z&#13;");
        assert_eq!(escape("x\ny\tz\r", false), "x\ny\tz&#13;");
        assert_eq!(escape("\u{1}\u{ffff}é", false), "\u{fffd}\u{fffd}é");
    }
}
