//! `dockerfix format`: layout only. Never changes what BuildKit reads; the result is checked
//! (re-parsed and compared with [`crate::syntax::Document::meaning`]) before it is returned.
//!
//! What it does today: upper-case instruction keywords (unknown instructions stay verbatim);
//! remove trailing blanks from instruction, comment and blank lines; at most
//! `max-blank-lines` blank lines between instructions and none at the end; exactly one final
//! newline; the line ending per `line-ending`. Heredoc bodies and terminators, parser
//! directives and the BOM are never touched. The full layout (continuation indentation,
//! `and-position`, exec-form JSON spacing) is issue 3's.

use crate::settings::{FormatSettings, LineEnding};
use crate::syntax::{self, Args, Document, Item, Kind, ParseError, Span};

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A bug: the layout would have changed the build. The file is left as it was.
    #[error("internal error: formatting would change {0}; the file was left unchanged")]
    ChangesMeaning(String),
}

struct Out {
    text: String,
    /// The newline for lines that had none, and for every line unless `auto`.
    newline: &'static str,
    auto: bool,
}

impl Out {
    /// Writes a line's content and a newline: in `auto` mode the line's own (CRLF stays CRLF,
    /// LF stays LF), else the configured one.
    fn line(&mut self, content: &str, original: &str) {
        self.text.push_str(content);
        let own = if original.ends_with("\r\n") {
            "\r\n"
        } else if original.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        self.text.push_str(if self.auto && !own.is_empty() {
            own
        } else {
            self.newline
        });
    }
}

fn detect_newline(text: &str, setting: LineEnding) -> &'static str {
    match setting {
        LineEnding::Lf => "\n",
        LineEnding::Crlf => "\r\n",
        LineEnding::Auto => match text.find('\n') {
            Some(i) if text[..i].ends_with('\r') => "\r\n",
            _ => "\n",
        },
    }
}

/// A line's content, without its `\n` or `\r\n`.
fn content(s: &str) -> &str {
    match s.strip_suffix('\n') {
        Some(c) => c.strip_suffix('\r').unwrap_or(c),
        None => s,
    }
}

/// A line's content without trailing blanks, unless a carriage return would end up last: then
/// BuildKit (which trims `\r` at line end) would see another line, e.g. a continuation.
fn strip_trailing(content: &str) -> &str {
    let t = content.trim_end_matches([' ', '\t']);
    if t.ends_with('\r') { content } else { t }
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.split_inclusive('\n')
}

/// Lays out a parsed document.
pub fn layout(doc: &Document, settings: &FormatSettings) -> String {
    let text = &doc.text;
    // Blank lines before a leading comment stay: without them, a comment like `# escape=`
    // would become a parser directive.
    let keep_leading = matches!(
        doc.items
            .iter()
            .find(|i| !matches!(i, Item::Bom(_) | Item::Blank(_))),
        Some(Item::Comment(_))
    );
    // The newline for lines that have none comes from the first line that is kept, so that
    // formatting the output again picks the same one.
    let first_kept = doc
        .items
        .iter()
        .find(|i| !matches!(i, Item::Bom(_)) && (keep_leading || !matches!(i, Item::Blank(_))))
        .map_or(0, |i| i.span().start);
    let mut out = Out {
        text: String::with_capacity(text.len() + 16),
        newline: detect_newline(&text[first_kept..], settings.line_ending),
        auto: settings.line_ending == LineEnding::Auto,
    };
    let mut blanks: Vec<Span> = Vec::new();
    let mut seen_content = keep_leading;
    for item in &doc.items {
        match item {
            Item::Bom(span) => out.text.push_str(doc.slice(*span)),
            Item::Blank(span) => {
                blanks.push(*span);
                continue;
            }
            _ => {}
        }
        if !matches!(item, Item::Bom(_)) {
            if seen_content {
                for span in blanks.iter().take(settings.max_blank_lines) {
                    out.line("", doc.slice(*span));
                }
            }
            blanks.clear();
        }
        match item {
            Item::Bom(_) | Item::Blank(_) => {}
            Item::Directive(d) => {
                seen_content = true;
                let line = doc.slice(d.span);
                out.line(content(line), line);
            }
            Item::Comment(span) => {
                seen_content = true;
                let line = doc.slice(*span);
                out.line(strip_trailing(content(line)), line);
            }
            Item::Instruction(ins) => {
                seen_content = true;
                instruction(doc, ins, &mut out);
            }
        }
    }
    out.text
}

fn instruction(doc: &Document, ins: &syntax::Instruction, out: &mut Out) {
    // Keyword edits, in source offsets.
    let mut keywords: Vec<(Span, &'static str)> = Vec::new();
    if ins.node.kind != Kind::Unknown {
        keywords.push((ins.to_source(ins.node.keyword), ins.node.kind.keyword()));
    }
    if let Args::Sub(sub) = &ins.node.args
        && sub.kind != Kind::Unknown
    {
        keywords.push((ins.to_source(sub.keyword), sub.kind.keyword()));
    }
    let heredoc_start = ins.heredocs.first().map_or(ins.span.end, |h| h.body.start);
    let head = Span::new(ins.span.start, heredoc_start);
    let mut pos = head.start;
    for line in lines(doc.slice(head)) {
        let content = content(line);
        let mut rendered = String::with_capacity(content.len());
        let mut cursor = pos;
        for (span, kw) in &keywords {
            if span.start >= pos && span.end <= pos + content.len() {
                rendered.push_str(&doc.text[cursor..span.start]);
                rendered.push_str(kw);
                cursor = span.end;
            }
        }
        rendered.push_str(&doc.text[cursor..pos + content.len()]);
        out.line(strip_trailing(&rendered), line);
        pos += line.len();
    }
    // Heredoc bodies and terminators: byte for byte, except the final newline.
    let rest = Span::new(heredoc_start, ins.span.end);
    if !rest.is_empty() {
        let body = doc.slice(rest);
        out.text.push_str(body);
        if !body.ends_with('\n') {
            out.line("", "");
        }
    }
}

/// Formats text: parses, lays out, and checks that BuildKit reads the same thing.
pub fn format(text: &str, settings: &FormatSettings) -> Result<String, FormatError> {
    let doc = syntax::parse(text)?;
    let out = layout(&doc, settings);
    if out == text {
        return Ok(out);
    }
    let again = syntax::parse(&out)
        .map_err(|e| FormatError::ChangesMeaning(format!("whether the file parses ({e})")))?;
    let (before, after) = (doc.meaning(), again.meaning());
    if before != after {
        let n = before
            .2
            .iter()
            .zip(&after.2)
            .position(|(a, b)| a != b)
            .unwrap_or(before.2.len().min(after.2.len()));
        return Err(FormatError::ChangesMeaning(format!(
            "instruction {}",
            n + 1
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format(text, &FormatSettings::default()).unwrap()
    }

    #[test]
    fn layout_basics() {
        assert_eq!(
            fmt("from a   \n\n\n\nrun x \\\n  y\t\n\n"),
            "FROM a\n\nRUN x \\\n  y\n"
        );
        assert_eq!(fmt("FROM a\nonbuild run x"), "FROM a\nONBUILD RUN x\n");
        assert_eq!(fmt("FROM a\nfroom x\n"), "FROM a\nfroom x\n");
        // Heredoc bodies are untouched, trailing blanks included.
        let h = "FROM a\nRUN <<EOF\n  x  \nEOF";
        assert_eq!(fmt(h), "FROM a\nRUN <<EOF\n  x  \nEOF\n");
    }

    #[test]
    fn a_leading_comment_never_becomes_a_directive() {
        // Regression: dropping the blank line turned `# syntax=` / `# escape=` into a directive.
        let text = "\n# escape=`\nFROM a\nRUN a `\n  b\n";
        assert_eq!(fmt(text), text);
    }

    #[test]
    fn mixed_line_endings_are_idempotent() {
        // Regression (proptest): a dropped leading CRLF blank line set the newline of blank
        // lines, and formatting the output again picked another one.
        let once = fmt("\r\nFROM a\nCOPY b c\n\nEXPOSE 80\n");
        assert_eq!(once, "FROM a\nCOPY b c\n\nEXPOSE 80\n");
        assert_eq!(fmt(&once), once);
    }

    #[test]
    fn a_carriage_return_before_trailing_blanks_stays() {
        // Regression (proptest): stripping the blanks after `\\\r` made a continuation.
        let text = "FROM a\nRUN a \\\r \nRUN b\n# c \r \n";
        assert_eq!(fmt(text), text);
    }

    #[test]
    fn line_endings() {
        let s = FormatSettings {
            line_ending: LineEnding::Lf,
            ..FormatSettings::default()
        };
        assert_eq!(
            format("FROM a\r\nRUN b\r\n", &s).unwrap(),
            "FROM a\nRUN b\n"
        );
        let s = FormatSettings {
            line_ending: LineEnding::Crlf,
            ..FormatSettings::default()
        };
        assert_eq!(format("FROM a\nRUN b", &s).unwrap(), "FROM a\r\nRUN b\r\n");
    }
}
