//! `dockerfix format`: layout only. Never changes what BuildKit reads; the result is checked
//! (re-parsed and compared with [`crate::syntax::Document::meaning`]) before it is returned.
//!
//! What it does today: upper-case instruction keywords (unknown instructions stay verbatim);
//! remove trailing blanks from instruction, comment and blank lines; at most
//! `max-blank-lines` blank lines between instructions and none at the end; exactly one final
//! newline; the line ending per `line-ending`. Heredoc bodies and terminators, parser
//! directives and the BOM are never touched. The full layout (continuation indentation,
//! `and-position`, exec-form JSON spacing) is issue 3's.

mod instruction;

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
        // A lone `\r` at the end of the file ends the line for BuildKit too.
        let own = if original.ends_with("\r\n") || original.ends_with('\r') {
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

/// A line's content, without its newline and any carriage returns before it (BuildKit trims
/// them all, so they never mean anything).
fn content(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s).trim_end_matches('\r')
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

/// Lays out a parsed document. Instructions whose index is in `conservative` only get their
/// keyword upper-cased and trailing blanks removed.
pub fn layout(doc: &Document, settings: &FormatSettings, conservative: &[bool]) -> String {
    let text = &doc.text;
    // Blank lines before a leading comment stay: without them, a comment like `# escape=`
    // would become a parser directive.
    // Likewise a U+FEFF that starts a later line would become a byte-order mark.
    let keep_leading = match doc
        .items
        .iter()
        .find(|i| !matches!(i, Item::Bom(_) | Item::Blank(_)))
    {
        Some(Item::Comment(_)) => true,
        Some(item) => doc.slice(item.span()).starts_with('\u{feff}'),
        None => false,
    };
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
    let mut in_directive_zone = true;
    let mut index = 0;
    // Whether RUN/CMD/ENTRYPOINT run in a POSIX shell (free whitespace in their commands).
    let mut posix = doc.escape != '`';
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
            // Before the first comment or instruction, a blank line is what keeps a comment
            // that looks like a directive from becoming one: keep it whatever the maximum.
            let keep = if in_directive_zone && matches!(item, Item::Comment(_)) {
                settings.max_blank_lines.max(1)
            } else {
                settings.max_blank_lines
            };
            if seen_content {
                for span in blanks.iter().take(keep) {
                    out.line("", doc.slice(*span));
                }
            }
            blanks.clear();
            if matches!(item, Item::Comment(_) | Item::Instruction(_)) {
                in_directive_zone = false;
            }
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
                // Leading blanks go: BuildKit trims them before it looks for a comment (or a
                // parser directive), so they never mean anything.
                let line = doc.slice(*span);
                let text = content(line).trim_start_matches([' ', '\t']);
                out.line(strip_trailing(text), line);
            }
            Item::Instruction(ins) => {
                seen_content = true;
                match (&ins.node.kind, &ins.node.args) {
                    (Kind::From, _) => posix = doc.escape != '`',
                    (Kind::Shell, Args::Json(v)) => {
                        posix = doc.escape != '`'
                            && v.first().is_some_and(|a| {
                                let prog = a.value.rsplit(['/', '\\']).next().unwrap_or("");
                                matches!(prog, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
                            });
                    }
                    _ => {}
                }
                let full = if conservative.get(index).copied().unwrap_or(false) {
                    None
                } else {
                    instruction::layout(doc, ins, settings, posix)
                };
                match full {
                    Some(lines) => {
                        for (content, raw) in lines {
                            out.line(&content, raw);
                        }
                        heredoc_tail(doc, ins, &mut out);
                    }
                    None => conservative_instruction(doc, ins, &mut out),
                }
                index += 1;
            }
        }
    }
    out.text
}

fn conservative_instruction(doc: &Document, ins: &syntax::Instruction, out: &mut Out) {
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
    heredoc_tail(doc, ins, out);
}

/// Heredoc bodies and terminators: byte for byte, except a missing final newline.
fn heredoc_tail(doc: &Document, ins: &syntax::Instruction, out: &mut Out) {
    let heredoc_start = ins.heredocs.first().map_or(ins.span.end, |h| h.body.start);
    let rest = Span::new(heredoc_start, ins.span.end);
    if !rest.is_empty() {
        let body = doc.slice(rest);
        out.text.push_str(body);
        if !body.ends_with('\n') {
            out.line("", "");
        }
    }
}

/// Formats text: parses, lays out, and checks that BuildKit reads the same thing. An
/// instruction whose meaning the full layout would change is laid out conservatively instead
/// (keyword case and trailing blanks only); if even that differs, it is an internal error and
/// nothing is returned.
pub fn format(text: &str, settings: &FormatSettings) -> Result<String, FormatError> {
    format_counting_fallbacks(text, settings).map(|(out, _)| out)
}

/// [`format`], also returning how many instructions fell back to the conservative layout
/// (for tests: each one is a place where the full layout would have changed the meaning).
pub fn format_counting_fallbacks(
    text: &str,
    settings: &FormatSettings,
) -> Result<(String, usize), FormatError> {
    let doc = syntax::parse(text)?;
    let (directives, escape, before) = doc.meaning();
    let mut conservative = vec![false; before.len()];
    for round in 0..3 {
        let out = layout(&doc, settings, &conservative);
        let fallbacks = conservative.iter().filter(|c| **c).count();
        if out == text {
            return Ok((out, fallbacks));
        }
        let again = match syntax::parse(&out) {
            Ok(d) => d,
            Err(e) if round == 0 => {
                let _ = e;
                conservative.iter_mut().for_each(|c| *c = true);
                continue;
            }
            Err(e) => {
                return Err(FormatError::ChangesMeaning(format!(
                    "whether the file parses ({e})"
                )));
            }
        };
        let (d2, e2, after) = again.meaning();
        if d2 != directives || e2 != escape {
            return Err(FormatError::ChangesMeaning("the parser directives".into()));
        }
        if after.len() != before.len() {
            if round == 0 {
                conservative.iter_mut().for_each(|c| *c = true);
                continue;
            }
            return Err(FormatError::ChangesMeaning(
                "the number of instructions".into(),
            ));
        }
        let differing: Vec<usize> = (0..before.len())
            .filter(|&i| before[i] != after[i])
            .collect();
        if differing.is_empty() {
            return Ok((out, fallbacks));
        }
        if let Some(&i) = differing.iter().find(|&&i| conservative[i]) {
            return Err(FormatError::ChangesMeaning(format!(
                "instruction {}",
                i + 1
            )));
        }
        for i in differing {
            conservative[i] = true;
        }
    }
    Err(FormatError::ChangesMeaning(
        "the file (no stable layout)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::AndPosition;

    fn fmt(text: &str) -> String {
        format(text, &FormatSettings::default()).unwrap()
    }

    #[test]
    fn layout_basics() {
        assert_eq!(
            fmt("from a   \n\n\n\nrun x \\\n  y\t\n\n"),
            "FROM a\n\nRUN x \\\n    y\n"
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
    fn regressions_found_by_proptest_and_review() {
        // A lone `\r` at the end of the file, and several `\r` before a newline.
        assert_eq!(fmt("FROM a \r"), "FROM a\r\n");
        assert_eq!(fmt("FROM a\r\r\nRUN b\r\r\n"), "FROM a\r\nRUN b\r\n");
        // max-blank-lines = 0 keeps the blank line that stops a comment becoming a directive.
        let zero = FormatSettings {
            max_blank_lines: 0,
            ..FormatSettings::default()
        };
        let text = "# syntax=docker/dockerfile:1\n\n# escape=`\nFROM a\n\nRUN b\n";
        assert_eq!(
            format(text, &zero).unwrap(),
            "# syntax=docker/dockerfile:1\n\n# escape=`\nFROM a\nRUN b\n"
        );
        // A U+FEFF starting a later line must not become a byte-order mark.
        assert!(format("\n\u{feff}x\nFROM a\n", &FormatSettings::default()).is_ok());
        // A line holding only `&&` is not emptied by moving it.
        let leading = FormatSettings {
            and_position: AndPosition::Leading,
            ..FormatSettings::default()
        };
        let t = "RUN foo \\\n&& \\\nbar\n";
        let once = format(t, &leading).unwrap();
        assert_eq!(format(&once, &leading).unwrap(), once);
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
