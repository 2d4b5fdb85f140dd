//! `dockerfix format`: layout only. Never changes what BuildKit reads; the result is checked
//! (re-parsed and compared with [`crate::syntax::Document::meaning`]) before it is returned.
//!
//! What it does today: upper-case instruction keywords (unknown instructions stay verbatim);
//! remove trailing blanks from instruction, comment and blank lines; at most
//! `max-blank-lines` blank lines between instructions and none at the end; exactly one final
//! newline; the line ending per `line-ending`. Heredoc bodies and terminators, parser
//! directives and the BOM are never touched. The full layout of each instruction (one space
//! between words, continuation indentation, `and-position`, exec-form JSON spacing) is in
//! `instruction.rs`; the indentation it uses is the file's own unless the settings say
//! otherwise ([`indent_for`]).

mod instruction;

use crate::settings::{FormatSettings, IndentStyle, LineEnding};
use crate::syntax::{self, Args, Document, Item, Kind, ParseError, Span};

/// One level of continuation-line indentation, as a file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indent {
    /// A tab, or a number of spaces.
    pub unit: String,
    /// The columns a tab counts for when the depths of nested lines are compared.
    pub tab_columns: usize,
    /// The unit is the file's own (no `indent-style`/`indent-width` set): an instruction
    /// indented by a whole number of units keeps that depth.
    pub keep_multiples: bool,
}

impl Indent {
    fn spaces(n: usize) -> Indent {
        Indent {
            unit: " ".repeat(n),
            tab_columns: n.max(1),
            keep_multiples: false,
        }
    }

    fn tab(columns: usize) -> Indent {
        Indent {
            unit: "\t".into(),
            tab_columns: columns.max(1),
            keep_multiples: false,
        }
    }

    pub fn is_tab(&self) -> bool {
        self.unit == "\t"
    }

    /// The width of leading blanks in columns.
    pub fn columns(&self, ws: &str) -> usize {
        ws.chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .map(|c| if c == '\t' { self.tab_columns } else { 1 })
            .sum()
    }

    /// `columns` of indentation written in this style: tabs (then spaces for what is left of
    /// a tab) or spaces.
    pub fn render(&self, columns: usize) -> String {
        if self.is_tab() {
            let mut s = "\t".repeat(columns / self.tab_columns);
            s.push_str(&" ".repeat(columns % self.tab_columns));
            s
        } else {
            " ".repeat(columns)
        }
    }
}

/// The indentation `format` (and the text fixes write) uses for a file: `indent-style` and
/// `indent-width` where set, else the file's own house style ([`house_indent`]), else four
/// spaces. `indent-width` alone means that many spaces; `indent-style = "tab"` a tab
/// (`indent-width` is then the columns a tab counts for, 4 by default); `indent-style =
/// "space"` alone the file's number of spaces if it indents with spaces, else 4.
pub fn indent_for(doc: &Document, settings: &FormatSettings) -> Indent {
    resolve_indent(settings, || house_indent(doc))
}

fn resolve_indent(settings: &FormatSettings, house: impl FnOnce() -> Option<String>) -> Indent {
    match (settings.indent_style, settings.indent_width) {
        (Some(IndentStyle::Tab), width) => Indent::tab(width.unwrap_or(4)),
        (Some(IndentStyle::Space) | None, Some(width)) => Indent::spaces(width),
        (Some(IndentStyle::Space), None) => match house() {
            Some(unit) if !unit.starts_with('\t') => Indent::spaces(unit.len()),
            _ => Indent::spaces(4),
        },
        (None, None) => match house() {
            Some(unit) if unit.starts_with('\t') => Indent {
                keep_multiples: true,
                ..Indent::tab(4)
            },
            Some(unit) => Indent {
                keep_multiples: true,
                ..Indent::spaces(unit.len())
            },
            None => Indent::spaces(4),
        },
    }
}

/// The file's house indentation: what most continuation lines that `format` indents
/// (counted by line, so that a big RUN outweighs a two-line ENV) have as their instruction's
/// shallowest indentation, or a whole number of it: tabs, or 1 to 16 spaces (on a tie the
/// wider, then the first seen). None when
/// no instruction shows one (single-line files, continuation lines flush left, or mixed tabs
/// and spaces).
pub fn house_indent(doc: &Document) -> Option<String> {
    // Only lines after an instruction's first one vote, so an instruction on one line (its
    // head split on `\n` as `prepare` splits it) is not laid out for it: what `vote` of
    // `prepare_all` gives, without preparing every instruction of the file.
    let mut posix = doc.escape != '`';
    let shells: Vec<_> = doc
        .instructions()
        .map(|ins| {
            posix = posix_after(doc, ins, posix);
            (ins, posix)
        })
        .collect();
    let prepare = |&(ins, posix): &(&syntax::Instruction, bool)| {
        let votes = ins.end_line > ins.start_line;
        (
            posix,
            votes
                .then(|| instruction::prepare(doc, ins, posix))
                .flatten(),
        )
    };
    // A large file's instructions are prepared on every core, in order all the same.
    let prepared: Vec<_> = if doc.text.len() >= 256 * 1024 {
        use rayon::prelude::*;
        shells.par_iter().map(prepare).collect()
    } else {
        shells.iter().map(prepare).collect()
    };
    vote(doc, &prepared)
}

/// Whether RUN/CMD/ENTRYPOINT from this instruction on run in a POSIX shell (free
/// whitespace in their commands), given whether they did before it.
fn posix_after(doc: &Document, ins: &syntax::Instruction, posix: bool) -> bool {
    match (&ins.node.kind, &ins.node.args) {
        (Kind::From, _) => doc.escape != '`',
        (Kind::Shell, Args::Json(v)) => {
            doc.escape != '`'
                && v.first().is_some_and(|a| {
                    let prog = a.value.rsplit(['/', '\\']).next().unwrap_or("");
                    matches!(prog, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
                })
        }
        _ => posix,
    }
}

/// Each instruction (in order) with whether its shell is POSIX, split for the layout.
fn prepare_all(doc: &Document) -> Vec<(bool, Option<instruction::Prepared<'_>>)> {
    let mut posix = doc.escape != '`';
    doc.instructions()
        .map(|ins| {
            posix = posix_after(doc, ins, posix);
            (posix, instruction::prepare(doc, ins, posix))
        })
        .collect()
}

fn vote(doc: &Document, prepared: &[(bool, Option<instruction::Prepared<'_>>)]) -> Option<String> {
    // Votes per unit: tab is index 0, n spaces index n.
    let mut votes = [0usize; 17];
    let mut first_seen = [usize::MAX; 17];
    for (order, (ins, (_, p))) in doc.instructions().zip(prepared).enumerate() {
        let Some((ws, lines)) = p.as_ref().and_then(|p| p.shallowest(ins)) else {
            continue;
        };
        let slot = if !ws.is_empty() && ws.bytes().all(|b| b == b'\t') {
            Some(0)
        } else if ws.bytes().all(|b| b == b' ') && (1..=16).contains(&ws.len()) {
            Some(ws.len())
        } else {
            None
        };
        if let Some(slot) = slot
            && let (Some(v), Some(f)) = (votes.get_mut(slot), first_seen.get_mut(slot))
        {
            *v += lines;
            *f = (*f).min(order);
        }
    }
    // A width's score counts the lines indented by any multiple of it: an instruction two
    // levels deep supports the one-level width (docker-library indents package lists by two
    // tabs, or 8 spaces in a 4-space file), so that lines a fix adds at an instruction's own
    // depth never turn the vote. On a tie the wider unit wins (a 4-space file is not a 2-space
    // one), then the first seen.
    let score = |i: usize| -> usize {
        if i == 0 {
            return votes.first().copied().unwrap_or(0);
        }
        (1..votes.len())
            .filter(|k| k % i == 0)
            .map(|k| votes.get(k).copied().unwrap_or(0))
            .sum()
    };
    let best = (0..votes.len())
        .filter(|&i| votes.get(i).is_some_and(|v| *v > 0))
        .max_by_key(|&i| {
            (
                score(i),
                i,
                std::cmp::Reverse(first_seen.get(i).copied().unwrap_or(usize::MAX)),
            )
        })?;
    Some(if best == 0 {
        "\t".into()
    } else {
        " ".repeat(best)
    })
}

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
    let mut prepared = prepare_all(doc);
    let indent = resolve_indent(settings, || vote(doc, &prepared));
    let mut blanks: Vec<Span> = Vec::new();
    let mut seen_content = keep_leading;
    let mut in_directive_zone = true;
    let mut index = 0;
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
                let (posix, split) = match prepared.get_mut(index) {
                    Some((posix, split)) => (*posix, split.take()),
                    None => (true, None),
                };
                let full = if conservative.get(index).copied().unwrap_or(false) {
                    None
                } else {
                    split.and_then(|p| instruction::layout(doc, ins, p, settings, &indent, posix))
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

    fn doc(text: &str) -> Document {
        syntax::parse(text).unwrap()
    }

    #[test]
    fn house_indent_votes_as_every_instruction_prepared_would() {
        for t in [
            "FROM a\nRUN x \\\n\t\ty \\\n\tz\n",
            "FROM a\nENV a=1 \\\n  b=2\nRUN x\nRUN <<EOF\n    y\nEOF\n",
            "FROM a\r\nRUN x \\\r\n   y\r\nCOPY a \\\r\n  b /\r\n",
            "# escape=`\nFROM a\nRUN x `\n  y\n",
            "FROM a\nSHELL [\"pwsh\"]\nRUN x \\\n  y\nRUN a\n",
        ] {
            let d = doc(t);
            assert_eq!(house_indent(&d), vote(&d, &prepare_all(&d)), "{t:?}");
        }
    }

    #[test]
    fn house_indent_is_what_most_continuation_lines_use() {
        let h = |t: &str| house_indent(&doc(t));
        assert_eq!(h("FROM a\nRUN x\n"), None);
        assert_eq!(h("FROM a\nRUN x \\\ny\n"), None);
        assert_eq!(
            h("FROM a\nRUN x \\\n\t\ty \\\n\tz\n").as_deref(),
            Some("\t")
        );
        assert_eq!(h("FROM a\nRUN x \\\n  y\n").as_deref(), Some("  "));
        // Counted by line: the long RUN outweighs two short ENVs.
        let t = "FROM a\nENV a=1 \\\n  b=2\nENV c=1 \\\n  d=2\nRUN x \\\n\ty \\\n\tz \\\n\tw\n";
        assert_eq!(h(t).as_deref(), Some("\t"));
        // A tie goes to the wider unit; mixed tabs and spaces do not count.
        assert_eq!(
            h("FROM a\nRUN x \\\n   y\nRUN x \\\n  y\n").as_deref(),
            Some("   ")
        );
        assert_eq!(h("FROM a\nRUN x \\\n \ty\n"), None);
        // Lines two levels deep support the one-level width: two lines at 4 spaces and two at
        // 2 spaces is a 2-space file (a fix that adds a line at 4 spaces does not turn it).
        let t = "FROM a\nRUN a \\\n    b \\\n    c\nRUN d \\\n  e \\\n  f\n";
        assert_eq!(h(t).as_deref(), Some("  "));
        assert_eq!(
            h("FROM a\nRUN a \\\n    b\nRUN d \\\n        e\n").as_deref(),
            Some("    ")
        );
        // Comments and blank lines among the lines, and heredoc bodies, do not count.
        assert_eq!(h("FROM a\nRUN x \\\n# c\n\n  y\n").as_deref(), Some("  "));
        assert_eq!(h("FROM a\nRUN <<EOF\n\tbody\nEOF\n"), None);
    }

    #[test]
    fn indent_settings_override_the_house_style() {
        let tabs = doc("FROM a\nRUN x \\\n\ty\n");
        let with = |style, width| {
            indent_for(
                &tabs,
                &FormatSettings {
                    indent_style: style,
                    indent_width: width,
                    ..FormatSettings::default()
                },
            )
        };
        let own = with(None, None);
        assert!(own.is_tab() && own.keep_multiples);
        assert_eq!(with(None, Some(2)).unit, "  ");
        assert_eq!(with(Some(IndentStyle::Space), None).unit, "    ");
        let tab8 = with(Some(IndentStyle::Tab), Some(8));
        assert!(tab8.is_tab() && !tab8.keep_multiples);
        assert_eq!(
            (tab8.columns("\t  "), tab8.render(10)),
            (10, "\t  ".to_string())
        );
        let two = doc("FROM a\nRUN x \\\n  y\n");
        let space = indent_for(
            &two,
            &FormatSettings {
                indent_style: Some(IndentStyle::Space),
                ..FormatSettings::default()
            },
        );
        assert_eq!(space.unit, "  ");
    }

    #[test]
    fn layout_basics() {
        assert_eq!(
            fmt("from a   \n\n\n\nrun x \\\n  y\t\n\n"),
            "FROM a\n\nRUN x \\\n  y\n"
        );
        // Continuation lines flush left are not a style: four spaces.
        assert_eq!(fmt("FROM a\nRUN x \\\ny\n"), "FROM a\nRUN x \\\n    y\n");
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
