//! The lossless Dockerfile syntax layer.
//!
//! [`parse`] follows BuildKit's `frontend/dockerfile/parser` rule by rule (see
//! `docs/parser.md`): the result is a [`Document`] whose [`Item`]s tile the input, so every byte
//! belongs to exactly one item and printing the items back gives the input unchanged.
//!
//! Instructions carry two coordinate systems: byte spans into the source, and offsets into the
//! *logical line* (the text BuildKit sees once continuation characters, newlines and comment
//! lines inside the continuation are removed). [`Instruction::to_source`] maps the second to the
//! first, so rules can reason on what BuildKit sees and still edit the original bytes.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

mod heredoc;
mod json;
mod meaning;
mod node;

use std::fmt;

pub use meaning::Meaning;
pub use node::{Args, Flag, JsonArg, Kind, Node, Pair};

/// A half-open byte range `start..end` into some text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub const fn len(self) -> usize {
        self.end - self.start
    }
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }
    pub fn slice(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
    pub const fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// BuildKit's hard limit on one line (bufio.Scanner's token size, newline excluded).
pub const MAX_LINE_LEN: usize = 65_535;

/// An error that makes BuildKit's parser reject the whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// 1-based line; 0 when the error concerns the whole file (e.g. an empty file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The whole line, newline included.
    pub span: Span,
    /// Lower-cased name.
    pub name: String,
    pub value: String,
    pub value_span: Span,
}

/// A heredoc attached to an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// `<<-`: leading tabs are stripped from the terminator (and, at dispatch, the body).
    pub chomp: bool,
    /// Unquoted delimiter: the body is subject to expansion.
    pub expand: bool,
    pub fd: Option<u32>,
    /// The body lines, newlines included (possibly empty).
    pub body: Span,
    /// The terminator line, newline included.
    pub terminator: Span,
}

/// One piece of the logical line, taken verbatim from the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub logical: usize,
    pub source: usize,
    pub len: usize,
}

/// One instruction: its physical extent, what BuildKit reads, and its heredocs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// From the first byte of its first line to the end of its last line (heredoc terminators
    /// included), newline included.
    pub span: Span,
    /// 1-based physical lines, as BuildKit reports them.
    pub start_line: usize,
    pub end_line: usize,
    /// The text BuildKit parses: continuation lines joined, comment lines dropped.
    pub logical: String,
    pub segments: Vec<Segment>,
    pub node: Node,
    pub heredocs: Vec<Heredoc>,
    /// Comment lines inside the continuation (whole lines, newline included).
    pub inner_comments: Vec<Span>,
    /// Empty lines inside the continuation (BuildKit's NoEmptyContinuation).
    pub empty_continuation_lines: Vec<Span>,
}

impl Instruction {
    /// Maps a logical offset to a source offset, at the start of what follows it.
    pub fn source_offset(&self, logical: usize) -> usize {
        let idx = self.segments.partition_point(|s| s.logical <= logical);
        match idx.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(seg) if logical < seg.logical + seg.len || idx == self.segments.len() => {
                seg.source + (logical - seg.logical).min(seg.len)
            }
            Some(_) => self.segments.get(idx).map_or(self.span.end, |s| s.source),
            None => self.segments.first().map_or(self.span.start, |s| s.source),
        }
    }

    /// Maps a logical offset to a source offset, at the end of what precedes it.
    pub fn source_offset_end(&self, logical: usize) -> usize {
        let idx = self.segments.partition_point(|s| s.logical < logical);
        match idx.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(seg) => seg.source + (logical - seg.logical).min(seg.len),
            None => self.segments.first().map_or(self.span.start, |s| s.source),
        }
    }

    /// Maps a logical span to the source span that covers it.
    pub fn to_source(&self, span: Span) -> Span {
        if span.is_empty() {
            let at = self.source_offset(span.start);
            return Span::new(at, at);
        }
        Span::new(
            self.source_offset(span.start),
            self.source_offset_end(span.end),
        )
    }

    /// The source span of the instruction's first physical line content up to the end of the
    /// logical text (heredoc bodies excluded): what rules usually point at.
    pub fn head_span(&self) -> Span {
        match (self.segments.first(), self.segments.last()) {
            (Some(a), Some(b)) => Span::new(a.source, b.source + b.len),
            _ => self.span,
        }
    }

    pub fn kind(&self) -> Kind {
        self.node.kind
    }

    /// Whether the instruction spans several physical lines (continuations or heredocs).
    pub fn is_multiline(&self) -> bool {
        self.start_line != self.end_line
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// The UTF-8 byte-order mark.
    Bom(Span),
    Directive(Directive),
    /// A comment line outside any instruction (newline included).
    Comment(Span),
    /// A line of only whitespace (newline included).
    Blank(Span),
    Instruction(Box<Instruction>),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Bom(s) | Item::Comment(s) | Item::Blank(s) => *s,
            Item::Directive(d) => d.span,
            Item::Instruction(i) => i.span,
        }
    }
}

/// A parsed Dockerfile. Owns its text; the items tile it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub text: String,
    pub items: Vec<Item>,
    pub escape: char,
    line_starts: Vec<usize>,
}

impl Document {
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|i| match i {
            Item::Instruction(ins) => Some(&**ins),
            _ => None,
        })
    }

    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.items.iter().filter_map(|i| match i {
            Item::Directive(d) => Some(d),
            _ => None,
        })
    }

    pub fn has_bom(&self) -> bool {
        self.text.starts_with('\u{feff}')
    }

    pub fn slice(&self, span: Span) -> &str {
        span.slice(&self.text)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, &self.line_starts, offset)
    }

    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// Concatenates the items' text: equal to the input by construction (tested).
    pub fn print(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for item in &self.items {
            out.push_str(self.slice(item.span()));
        }
        out
    }
}

pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    starts
}

fn memchr_iter(needle: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    hay.iter()
        .enumerate()
        .filter_map(move |(i, &b)| (b == needle).then_some(i))
}

pub fn line_col(text: &str, starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line = starts.partition_point(|&s| s <= offset).max(1);
    let mut start = starts.get(line - 1).copied().unwrap_or(0);
    // A byte-order mark is not a column.
    if line == 1 && text.starts_with('\u{feff}') && offset >= 3 {
        start = 3;
    }
    let col = text
        .get(start..offset)
        .map_or(offset - start, |s| s.chars().count());
    (line, col + 1)
}

/// Go's `unicode.IsSpace`, which BuildKit uses to trim lines.
pub(crate) fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

struct Line {
    start: usize,
    /// End of content, before the `\n` (a `\r` stays in the content).
    content_end: usize,
    /// After the `\n`, or the end of text.
    end: usize,
}

fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::with_capacity(bytes.len() / 32 + 1);
    let mut start = 0;
    while let Some(rest) = bytes.get(start..).filter(|r| !r.is_empty()) {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                lines.push(Line {
                    start,
                    content_end: start + i,
                    end: start + i + 1,
                });
                start += i + 1;
            }
            None => {
                lines.push(Line {
                    start,
                    content_end: bytes.len(),
                    end: bytes.len(),
                });
                start = bytes.len();
            }
        }
    }
    lines
}

/// `bytes.TrimRight(line, "\r\n")`.
pub(crate) fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

pub(crate) fn trim_leading_ws(s: &str) -> &str {
    s.trim_start_matches(is_go_space)
}

pub(crate) fn is_comment(s: &str) -> bool {
    trim_leading_ws(s).starts_with('#')
}

/// BuildKit's continuation regex `([^e])e[ \t]*$|^e[ \t]*$`: returns the length of the content
/// that stays when the line continues.
pub(crate) fn continuation(s: &str, escape: char) -> Option<usize> {
    let trimmed = s.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    match before.chars().next_back() {
        None => Some(0),
        Some(c) if c != escape => Some(before.len()),
        Some(_) => None,
    }
}

struct DirectiveState {
    done: bool,
    seen: Vec<String>,
}

impl DirectiveState {
    /// BuildKit's `DirectiveParser.ParseLine` on a line without its newline.
    fn parse(&mut self, line: &str) -> Result<Option<(String, String, usize)>, String> {
        if self.done {
            return Ok(None);
        }
        let Some(after_hash) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(None);
        };
        let body = trim_leading_ws(after_hash);
        let body_off = line.len() - body.len();
        let name_len = body
            .char_indices()
            .take_while(|&(i, c)| {
                if i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            .count();
        let is_re2_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r');
        let rest = body[name_len..].trim_start_matches(is_re2_space);
        let (true, Some(value)) = (name_len > 0, rest.strip_prefix('=')) else {
            self.done = true;
            return Ok(None);
        };
        if value.is_empty() {
            self.done = true;
            return Ok(None);
        }
        // `=\s*(.+?)\s*$`: the value has at least one character, so a value of only blanks is
        // its last blank (`# escape= ` is an invalid escape token for BuildKit).
        let mut value_trimmed_start = value.trim_start_matches(is_re2_space);
        if value_trimmed_start.is_empty() {
            value_trimmed_start = &value[value.len() - 1..];
        }
        let trimmed_end = value_trimmed_start.trim_end_matches(is_re2_space);
        let value_final = if trimmed_end.is_empty() {
            value_trimmed_start
        } else {
            trimmed_end
        };
        let name = body[..name_len].to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&name) {
            return Err(format!("only one {name} parser directive can be used"));
        }
        self.seen.push(name.clone());
        let value_off = body_off + (body.len() - value_trimmed_start.len());
        Ok(Some((name, value_final.to_string(), value_off)))
    }
}

/// Parses a Dockerfile as BuildKit's parser does, keeping every byte.
pub fn parse(text: &str) -> Result<Document, ParseError> {
    let lines = split_lines(text);
    let starts: Vec<usize> = lines.iter().map(|l| l.start).collect();
    let err_at = |message: String, line_idx: usize, offset: usize| {
        let (line, column) = if line_idx == usize::MAX {
            (0, 0)
        } else {
            let line_start = starts.get(line_idx).copied().unwrap_or(0);
            let col = text
                .get(line_start..offset.max(line_start))
                .map_or(0, |s| s.chars().count());
            (line_idx + 1, col + 1)
        };
        ParseError {
            message,
            line,
            column,
            offset,
        }
    };

    for (idx, l) in lines.iter().enumerate() {
        if l.content_end - l.start > MAX_LINE_LEN {
            return Err(err_at(
                format!(
                    "dockerfile line greater than max allowed size of {MAX_LINE_LEN} ({} bytes)",
                    l.content_end - l.start
                ),
                idx,
                l.start + MAX_LINE_LEN,
            ));
        }
    }

    let mut items = Vec::new();
    let mut escape = '\\';
    let mut dirs = DirectiveState {
        done: false,
        seen: Vec::new(),
    };
    let mut i = 0;
    while let Some(l) = lines.get(i) {
        let mut line_start = l.start;
        if i == 0 && text.starts_with('\u{feff}') {
            items.push(Item::Bom(Span::new(0, 3)));
            line_start = 3;
        }
        let raw = &text[line_start..l.content_end];
        let trimmed = trim_leading_ws(trim_newline(raw));
        match dirs.parse(trimmed) {
            Err(message) => return Err(err_at(message, i, line_start)),
            Ok(Some((name, value, value_off))) => {
                let value_start = offset_in(text, trimmed) + value_off;
                if name == "escape" {
                    escape = match value.as_str() {
                        "\\" => '\\',
                        "`" => '`',
                        _ => {
                            return Err(err_at(
                                format!("invalid escape token '{value}' does not match ` or \\"),
                                i,
                                value_start,
                            ));
                        }
                    };
                }
                items.push(Item::Directive(Directive {
                    span: Span::new(line_start, l.end),
                    name,
                    value_span: Span::new(value_start, value_start + value.len()),
                    value,
                }));
                i += 1;
                continue;
            }
            Ok(None) => {}
        }
        if trimmed.is_empty() {
            items.push(Item::Blank(Span::new(line_start, l.end)));
            i += 1;
            continue;
        }
        if trimmed.starts_with('#') {
            items.push(Item::Comment(Span::new(line_start, l.end)));
            i += 1;
            continue;
        }
        let ins = read_instruction(text, &lines, l, &mut i, line_start, escape, &err_at)?;
        items.push(Item::Instruction(Box::new(ins)));
    }

    if !items.iter().any(|i| matches!(i, Item::Instruction(_))) {
        let line = lines.len();
        return Err(ParseError {
            message: "file with no instructions".into(),
            line: if line == 0 { 0 } else { line },
            column: if line == 0 { 0 } else { 1 },
            offset: text.len(),
        });
    }

    Ok(Document {
        text: text.to_string(),
        items,
        escape,
        line_starts: starts_or_zero(starts),
    })
}

/// The byte offset of `sub`, a subslice of `text`.
pub(crate) fn offset_in(text: &str, sub: &str) -> usize {
    (sub.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn starts_or_zero(mut starts: Vec<usize>) -> Vec<usize> {
    if starts.is_empty() {
        starts.push(0);
    }
    starts
}

fn read_instruction(
    text: &str,
    lines: &[Line],
    first: &Line,
    i: &mut usize,
    first_start: usize,
    escape: char,
    err_at: &dyn Fn(String, usize, usize) -> ParseError,
) -> Result<Instruction, ParseError> {
    // `first` is `lines[*i]`.
    let first_idx = *i;
    let raw = &text[first_start..first.content_end];
    let no_nl = trim_newline(raw);
    let content = trim_leading_ws(no_nl);
    let content_start = first_start + (no_nl.len() - content.len());

    let mut logical = String::with_capacity(content.len());
    let mut segments = Vec::new();
    let mut inner_comments = Vec::new();
    let mut empty_lines = Vec::new();

    let mut push = |logical: &mut String, src_start: usize, piece: &str| {
        if !piece.is_empty() {
            segments.push(Segment {
                logical: logical.len(),
                source: src_start,
                len: piece.len(),
            });
            logical.push_str(piece);
        }
    };

    let mut continues = match continuation(content, escape) {
        Some(keep) => {
            push(&mut logical, content_start, &content[..keep]);
            true
        }
        None => {
            push(&mut logical, content_start, content);
            false
        }
    };
    let mut last = first_idx;
    let mut last_line = first;
    while continues {
        let Some(l) = lines.get(last + 1) else {
            break;
        };
        last += 1;
        last_line = l;
        let raw = &text[l.start..l.content_end];
        if is_comment(raw) {
            inner_comments.push(Span::new(l.start, l.end));
            continue;
        }
        let no_nl = trim_newline(raw);
        if trim_leading_ws(no_nl).is_empty() {
            empty_lines.push(Span::new(l.start, l.end));
            continue;
        }
        match continuation(no_nl, escape) {
            Some(keep) => push(&mut logical, l.start, &no_nl[..keep]),
            None => {
                push(&mut logical, l.start, no_nl);
                continues = false;
            }
        }
    }

    let start_line = first_idx + 1;
    let node = node::parse_node(&logical, 0, escape)
        .map_err(|message| err_at(message, first_idx, content_start))?;

    let mut heredocs = Vec::new();
    if node.can_contain_heredoc() && logical.contains("<<") {
        let words = heredoc::heredocs_from_line(&logical)
            .map_err(|message| err_at(message, first_idx, content_start))?;
        for word in words {
            let body_start = lines.get(last + 1).map_or(text.len(), |l| l.start);
            let mut terminated = None;
            while let Some(l) = lines.get(last + 1) {
                last += 1;
                last_line = l;
                let mut candidate = trim_newline(&text[l.start..l.end]);
                if word.chomp {
                    candidate = candidate.trim_start_matches('\t');
                }
                if candidate == word.name {
                    terminated = Some(l);
                    break;
                }
            }
            let Some(term) = terminated else {
                return Err(err_at(
                    format!("unterminated heredoc <<{}", word.name),
                    first_idx,
                    content_start,
                ));
            };
            heredocs.push(Heredoc {
                name: word.name,
                chomp: word.chomp,
                expand: word.expand,
                fd: word.fd,
                body: Span::new(body_start.min(term.start), term.start),
                terminator: Span::new(term.start, term.end),
            });
        }
    }

    *i = last + 1;
    Ok(Instruction {
        span: Span::new(first_start, last_line.end),
        start_line,
        end_line: last + 1,
        logical,
        segments,
        node,
        heredocs,
        inner_comments,
        empty_continuation_lines: empty_lines,
    })
}

#[cfg(test)]
mod tests;
