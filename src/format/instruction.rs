//! The full layout of one instruction: keyword (and `AS`) upper-case, one space wherever
//! BuildKit treats whitespace as a mere separator, exec-form JSON as `["a", "b"]`, continuation
//! lines and the comments between them indented in the file's style (`indent-style`,
//! `indent-width`, [`super::indent_for`]).
//!
//! Whitespace is only rewritten where it is *free*: between the keyword, the flags and the
//! arguments; between the words of whitespace-split and quote-aware argument lists; and in
//! shell-form commands of a POSIX shell, outside quotes, substitutions and comments. Anything
//! else (single-string arguments like `USER`, legacy `ENV k v` values, unknown instructions,
//! multi-line JSON, the inside of quotes) is kept byte for byte. A line break inside a word is
//! never indented. The caller still checks the result against BuildKit's view and falls back
//! to the conservative layout for any instruction whose meaning would change.

use crate::settings::{AndPosition, FormatSettings};
use crate::syntax::{
    Args, Document, Instruction, Kind, Node, Span, continuation, is_comment, trim_leading_ws,
    trim_newline,
};

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Whitespace in the logical line that may be rewritten as a single space.
struct Free {
    gaps: Vec<Span>,
}

impl Free {
    fn contains(&self, at: usize) -> bool {
        let i = self.gaps.partition_point(|g| g.end <= at);
        self.gaps
            .get(i)
            .is_some_and(|g| g.start <= at && at < g.end)
    }
}

fn token_spans(
    node: &Node,
    posix: bool,
    logical: &str,
    out: &mut Vec<Span>,
    interior: &mut Vec<Span>,
) {
    out.push(node.keyword);
    out.extend(node.flags.iter().map(|f| f.span));
    args_tokens(
        node.kind, &node.args, node.rest, posix, logical, out, interior,
    );
}

fn args_tokens(
    kind: Kind,
    args: &Args,
    rest: Span,
    posix: bool,
    logical: &str,
    out: &mut Vec<Span>,
    interior: &mut Vec<Span>,
) {
    match args {
        Args::None => {}
        Args::Ignored | Args::Json(_) => out.push(rest),
        Args::Text(span) => {
            out.push(*span);
            if posix
                && matches!(
                    kind,
                    Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck
                )
            {
                shell_gaps(logical, *span, interior);
            }
        }
        Args::Words(words) => out.extend(words.iter().copied()),
        Args::Pairs(pairs) => {
            for p in pairs {
                if p.legacy {
                    out.push(p.key);
                    out.push(p.value);
                } else {
                    out.push(p.span);
                }
            }
        }
        Args::Health { kind: k, cmd } => {
            out.push(*k);
            let cmd_rest = Span::new(
                logical[k.end..rest.end].len() - logical[k.end..rest.end].trim_start().len()
                    + k.end,
                rest.end,
            );
            args_tokens(kind, cmd, cmd_rest, posix, logical, out, interior);
        }
        Args::Sub(sub) => token_spans(sub, posix, logical, out, interior),
    }
}

/// Free whitespace inside a POSIX shell command: top level only (not in quotes, `$(...)`,
/// `${...}` or backticks), and nothing after a comment.
fn shell_gaps(logical: &str, span: Span, out: &mut Vec<Span>) {
    #[derive(PartialEq)]
    enum Ctx {
        Double,
        Paren,
        Brace,
    }
    let b = logical.as_bytes();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut found = Vec::new();
    let mut i = span.start;
    let end = span.end.min(b.len());
    let mut word_start = true;
    while i < end {
        let c = b[i];
        let top = stack.last();
        match c {
            b'\\' => {
                i += 2;
                word_start = false;
                continue;
            }
            b'\'' if top != Some(&Ctx::Double) => {
                // Single quotes (and `$'...'` with its backslash escapes).
                let ansi = i > 0 && b[i - 1] == b'$';
                i += 1;
                while i < end && b[i] != b'\'' {
                    i += if ansi && b[i] == b'\\' { 2 } else { 1 };
                }
                if i >= end {
                    return;
                }
            }
            b'`' => {
                i += 1;
                while i < end && b[i] != b'`' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if i >= end {
                    return;
                }
            }
            b'"' => {
                if top == Some(&Ctx::Double) {
                    stack.pop();
                } else {
                    stack.push(Ctx::Double);
                }
            }
            b'$' if matches!(b.get(i + 1), Some(b'(')) => {
                stack.push(Ctx::Paren);
                i += 2;
                word_start = false;
                continue;
            }
            b'$' if matches!(b.get(i + 1), Some(b'{')) => {
                stack.push(Ctx::Brace);
                i += 2;
                word_start = false;
                continue;
            }
            b'(' if top == Some(&Ctx::Paren) => stack.push(Ctx::Paren),
            b')' if top == Some(&Ctx::Paren) => {
                stack.pop();
            }
            b'}' if top == Some(&Ctx::Brace) => {
                stack.pop();
            }
            b'#' if stack.is_empty() && word_start => break,
            c if is_blank(c) && stack.is_empty() => {
                let s = i;
                while i < end && is_blank(b[i]) {
                    i += 1;
                }
                found.push(Span::new(s, i));
                word_start = true;
                continue;
            }
            _ => {}
        }
        word_start = false;
        i += 1;
    }
    if stack.is_empty() {
        out.extend(found);
    }
}

fn free_whitespace(ins: &Instruction, posix: bool) -> Free {
    let logical = ins.logical.as_str();
    let mut tokens = Vec::new();
    let mut gaps = Vec::new();
    token_spans(&ins.node, posix, logical, &mut tokens, &mut gaps);
    tokens.retain(|t| !t.is_empty());
    tokens.sort();
    for w in tokens.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.end < b.start
            && logical.as_bytes()[a.end..b.start]
                .iter()
                .all(|&c| is_blank(c))
        {
            gaps.push(Span::new(a.end, b.start));
        }
    }
    gaps.sort();
    gaps.dedup();
    Free { gaps }
}

/// Replacements in logical coordinates: keywords, `AS`, and one-line exec-form JSON.
fn replacements(ins: &Instruction, on_one_line: &dyn Fn(Span) -> bool) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let mut node = &ins.node;
    loop {
        out.push((node.keyword, node.kind.keyword().to_string()));
        if let (Kind::From, Args::Words(w)) = (node.kind, &node.args)
            && w.len() == 3
            && w[1].slice(&ins.logical).eq_ignore_ascii_case("as")
        {
            out.push((w[1], "AS".into()));
        }
        let json = match &node.args {
            Args::Json(v) => Some((node.rest, v)),
            Args::Health { kind, cmd } => match &**cmd {
                Args::Json(v) => ins.logical[kind.end..node.rest.end]
                    .find('[')
                    .map(|o| (Span::new(kind.end + o, node.rest.end), v)),
                _ => None,
            },
            _ => None,
        };
        if let Some((span, values)) = json.filter(|(span, _)| on_one_line(*span)) {
            let items: Vec<&str> = values.iter().map(|a| a.span.slice(&ins.logical)).collect();
            out.push((span, format!("[{}]", items.join(", "))));
        }
        match &node.args {
            Args::Sub(sub) => node = sub,
            _ => break,
        }
    }
    out.retain(|(span, text)| span.slice(&ins.logical) != text);
    out
}

enum Line<'a> {
    Content {
        piece: &'a str,
        logical: usize,
        continues: bool,
    },
    Comment(&'a str),
    Empty,
}

/// An instruction's head (heredoc bodies excluded) split into lines as the parser reads
/// them, and where its whitespace is free: what both the house-style vote and the layout
/// work from.
pub(super) struct Prepared<'d> {
    lines: Vec<(Line<'d>, &'d str)>,
    free: Free,
}

/// Splits an instruction for the layout. `None`: not handled, use the conservative layout.
pub(super) fn prepare<'d>(
    doc: &'d Document,
    ins: &Instruction,
    posix: bool,
) -> Option<Prepared<'d>> {
    // Unknown instructions, and `ONBUILD ONBUILD` (BuildKit rejects it at dispatch; its words
    // were laid out as the outer ONBUILD's and lost, found by fuzzing): kept as written.
    if ins.node.kind == Kind::Unknown
        || matches!(&ins.node.args, Args::Sub(s) if s.kind == Kind::Unknown || matches!(s.args, Args::Sub(_)))
    {
        return None;
    }
    let escape = doc.escape;
    let head_end = ins.heredocs.first().map_or(ins.span.end, |h| h.body.start);
    let head = &doc.text[ins.span.start..head_end];
    // Classify the lines as the parser did.
    let mut lines: Vec<(Line, &str)> = Vec::new();
    let mut logical = 0;
    let mut continues = true;
    for (n, raw_line) in head.split_inclusive('\n').enumerate() {
        let no_nl = trim_newline(raw_line);
        if n > 0 && !continues {
            return None;
        }
        if n > 0 && is_comment(raw_line) {
            lines.push((Line::Comment(trim_leading_ws(no_nl)), raw_line));
            continue;
        }
        if n > 0 && trim_leading_ws(no_nl).is_empty() {
            lines.push((Line::Empty, raw_line));
            continue;
        }
        // The first line loses its leading blanks; continuation lines keep them (BuildKit).
        let content = if n == 0 {
            trim_leading_ws(no_nl)
        } else {
            no_nl
        };
        let (piece, c) = match continuation(content, escape) {
            Some(keep) => (&content[..keep], true),
            None => (content, false),
        };
        continues = c;
        lines.push((
            Line::Content {
                piece,
                logical,
                continues: c,
            },
            raw_line,
        ));
        logical += piece.len();
    }
    if logical != ins.logical.len() {
        return None;
    }
    let free = free_whitespace(ins, posix);
    Some(Prepared { lines, free })
}

fn leading_blanks(piece: &str) -> &str {
    let t = piece.trim_start_matches([' ', '\t']);
    piece.strip_suffix(t).unwrap_or("")
}

impl<'d> Prepared<'d> {
    /// The continuation lines the layout indents (free whitespace at their start), with their
    /// leading blanks.
    fn indented<'p>(&'p self, ins: &'p Instruction) -> impl Iterator<Item = (usize, &'d str)> + 'p {
        let bytes = ins.logical.as_bytes();
        let free_at =
            move |at: usize| bytes.get(at).is_some_and(|b| is_blank(*b)) && self.free.contains(at);
        self.lines
            .iter()
            .enumerate()
            .filter_map(move |(n, (line, _))| match line {
                Line::Content {
                    piece,
                    logical: start,
                    ..
                } if n > 0
                    && !piece.bytes().all(is_blank)
                    && (free_at(start.wrapping_sub(1)) || free_at(*start)) =>
                {
                    Some((n, leading_blanks(piece)))
                }
                _ => None,
            })
    }

    /// For the house-style vote: the leading blanks of the shallowest line the layout indents
    /// (a tab counting four columns), and how many lines it indents.
    pub(super) fn shallowest(&self, ins: &Instruction) -> Option<(&'d str, usize)> {
        let columns = |ws: &str| {
            ws.bytes()
                .map(|b| if b == b'\t' { 4 } else { 1 })
                .sum::<usize>()
        };
        let mut best: Option<&'d str> = None;
        let mut count = 0;
        for (_, ws) in self.indented(ins) {
            count += 1;
            if best.is_none_or(|b| columns(ws) < columns(b)) {
                best = Some(ws);
            }
        }
        best.map(|b| (b, count))
    }
}

/// The laid-out lines of the instruction's head (heredoc bodies excluded), each with the
/// source line it replaces (for its line ending). `None`: not handled, use the conservative
/// layout.
pub(super) fn layout<'d>(
    doc: &'d Document,
    ins: &Instruction,
    prepared: Prepared<'d>,
    settings: &FormatSettings,
    indent: &super::Indent,
    posix: bool,
) -> Option<Vec<(String, &'d str)>> {
    let escape = doc.escape;
    // Shell commands keep their continuation lines' depth relative to the shallowest one
    // (nested `if`/`for` bodies stay nested); other instructions (ENV pairs, COPY sources...)
    // have no nesting: all at one level. The shallowest line gets one level of the file's
    // indentation; a deeper line keeps what it has beyond the shallowest one's when that is
    // written in the same style (tabs under a tab style, spaces under spaces), else its depth
    // in columns is written in the style.
    let nested = posix
        && matches!(ins.node.args, Args::Text(_))
        && matches!(ins.node.kind, Kind::Run | Kind::Cmd | Kind::Entrypoint);
    let mut depths: Vec<Option<(usize, &str)>> = vec![None; prepared.lines.len()];
    for (n, ws) in prepared.indented(ins) {
        if let Some(d) = depths.get_mut(n) {
            *d = Some(if nested {
                (indent.columns(ws), ws)
            } else {
                (0, "")
            });
        }
    }
    let Prepared { lines, free } = prepared;
    let pieces: Vec<Span> = lines
        .iter()
        .filter_map(|(l, _)| match l {
            Line::Content { piece, logical, .. } => {
                Some(Span::new(*logical, logical + piece.len()))
            }
            _ => None,
        })
        .collect();
    let repl = replacements(ins, &|span| pieces.iter().any(|p| p.contains(span)));
    let bytes = ins.logical.as_bytes();
    let free_at = |at: usize| at < bytes.len() && is_blank(bytes[at]) && free.contains(at);
    let (base, base_ws) = depths
        .iter()
        .flatten()
        .copied()
        .min_by_key(|(d, _)| *d)
        .unwrap_or((0, ""));
    let same_style = |ws: &str| {
        if indent.is_tab() {
            ws.bytes().all(|b| b == b'\t')
        } else {
            ws.bytes().all(|b| b == b' ')
        }
    };
    // One level for this instruction: the file's, or (where the file's own style is kept) a
    // whole number of levels the instruction already uses (docker-library indents a
    // command's package list by two tabs).
    let level = if indent.keep_multiples
        && !base_ws.is_empty()
        && !indent.unit.is_empty()
        && base_ws.len() % indent.unit.len() == 0
        && base_ws == indent.unit.repeat(base_ws.len() / indent.unit.len())
    {
        base_ws.to_string()
    } else {
        indent.unit.clone()
    };
    let indent_of = |n: usize| -> String {
        let mut s = level.clone();
        if let Some((d, ws)) = depths.get(n).copied().flatten() {
            match ws.strip_prefix(base_ws) {
                Some(rest) if same_style(rest) => s.push_str(rest),
                _ => s.push_str(&indent.render(d.saturating_sub(base))),
            }
        }
        s
    };

    let mut out = Vec::with_capacity(lines.len());
    let mut first = true;
    for (n, (line, raw)) in lines.iter().enumerate() {
        let rendered = match line {
            Line::Comment(text) if !raw.starts_with([' ', '\t']) => {
                // Flush left (docker-library's house style for comments among a RUN's
                // lines): kept there.
                super::strip_trailing(text).to_string()
            }
            Line::Comment(text) => {
                // Aligned with the next line that is indented (or the default indent).
                let next = (n + 1..lines.len())
                    .find(|&m| depths[m].is_some())
                    .unwrap_or(n);
                format!("{}{}", indent_of(next), super::strip_trailing(text))
            }
            Line::Empty => String::new(),
            Line::Content {
                piece,
                logical: start,
                continues,
            } => {
                let end = start + piece.len();
                let mut s = String::with_capacity(piece.len() + 8);
                let joined_before = !first && (free_at(start.wrapping_sub(1)) || free_at(*start));
                let mut i = *start;
                if !first {
                    if piece.bytes().all(is_blank) {
                        // Only blanks before the escape: kept as written (they are part of
                        // what BuildKit reads).
                        first = false;
                        out.push((format!("{piece}{escape}"), *raw));
                        continue;
                    }
                    if joined_before {
                        s.push_str(&indent_of(n));
                        while i < end && is_blank(bytes[i]) {
                            i += 1;
                        }
                    }
                }
                while i < end {
                    if let Some((span, text)) = repl.iter().find(|(sp, _)| sp.start == i) {
                        if span.end > end {
                            return None;
                        }
                        s.push_str(text);
                        i = span.end;
                        continue;
                    }
                    if is_blank(bytes[i]) && free.contains(i) {
                        let run_start = i;
                        while i < end && is_blank(bytes[i]) {
                            i += 1;
                        }
                        // A run that reaches the line break is written with the break.
                        if i == end && *continues {
                            break;
                        }
                        if i == end {
                            // Trailing blanks of the last line: BuildKit trims them.
                            break;
                        }
                        let _ = run_start;
                        s.push(' ');
                        continue;
                    }
                    let ch = ins.logical[i..].chars().next()?;
                    s.push(ch);
                    i += ch.len_utf8();
                }
                if *continues {
                    let joined_after = free_at(end.wrapping_sub(1)) || free_at(end);
                    if joined_after {
                        s.truncate(s.trim_end_matches([' ', '\t']).len());
                        s.push(' ');
                    }
                    s.push(escape);
                } else {
                    let t = super::strip_trailing(&s).len();
                    s.truncate(t);
                }
                first = false;
                s
            }
        };
        out.push((rendered, *raw));
    }
    let shell = posix
        && matches!(ins.node.args, Args::Text(_))
        && matches!(ins.node.kind, Kind::Run | Kind::Cmd | Kind::Entrypoint);
    if shell && settings.and_position != AndPosition::Preserve {
        move_and_operators(
            &lines,
            &mut out,
            &free_at,
            &indent.unit,
            escape,
            settings.and_position,
        );
    }
    Some(out)
}

/// Moves top-level `&&` across line breaks whose whitespace is free: to the start of the next
/// line (`leading`) or to the end of the previous one (`trailing`).
fn move_and_operators(
    lines: &[(Line, &str)],
    out: &mut [(String, &str)],
    free_at: &dyn Fn(usize) -> bool,
    indent: &str,
    escape: char,
    position: AndPosition,
) {
    let content: Vec<(usize, usize, usize)> = lines
        .iter()
        .enumerate()
        .filter_map(|(n, (l, _))| match l {
            Line::Content { piece, logical, .. } => Some((n, *logical, *logical + piece.len())),
            _ => None,
        })
        .collect();
    let tail = format!(" {escape}");
    for pair in content.windows(2) {
        let ((a, a_start, a_end), (b, b_start, b_end)) = (pair[0], pair[1]);
        let (prev, next) = (&out[a].0, &out[b].0);
        // The break must be free whitespace, rendered as ` \` and an indent.
        if !(prev.ends_with(&tail) && next.starts_with(indent)) {
            continue;
        }
        let prev_body = &prev[..prev.len() - tail.len()];
        // The next line keeps its own indentation (it may be deeper than `indent`).
        let next_body = next.trim_start_matches([' ', '\t']);
        let lead = &next[..next.len() - next_body.len()];
        match position {
            AndPosition::Leading => {
                let Some(before) = prev_body.strip_suffix("&&") else {
                    continue;
                };
                if before.trim().is_empty()
                    || next_body.trim_end_matches(escape).trim().is_empty()
                    || ends_with_operator(before)
                    || starts_with_operator(next_body)
                {
                    continue;
                }
                // `&&` is an operator of its own: free whitespace before it.
                let trailing = (a_start..a_end).rev().take_while(|&i| free_at(i)).count();
                let Some(op) = a_end.checked_sub(trailing + 2) else {
                    continue;
                };
                if !before.ends_with(' ') || op <= a_start || !free_at(op - 1) {
                    continue;
                }
                let (p, n) = (
                    format!("{}{tail}", before.trim_end()),
                    format!("{lead}&& {next_body}"),
                );
                out[a].0 = p;
                out[b].0 = n;
            }
            AndPosition::Trailing => {
                let Some(after) = next_body.strip_prefix("&& ") else {
                    continue;
                };
                // Not when a line would be left holding nothing but the escape character.
                if after.trim_end_matches(escape).trim().is_empty()
                    || prev_body.trim().is_empty()
                    || ends_with_operator(prev_body)
                    || starts_with_operator(after)
                {
                    continue;
                }
                // `&&` is an operator of its own: free whitespace before and after it.
                let free_lead = (b_start..b_end).take_while(|&i| free_at(i)).count();
                let junction = free_lead > 0 || free_at(b_start.wrapping_sub(1));
                if !junction || !free_at(b_start + free_lead + 2) {
                    continue;
                }
                let (p, n) = (format!("{prev_body} &&{tail}"), format!("{lead}{after}"));
                out[a].0 = p;
                out[b].0 = n;
            }
            AndPosition::Preserve => {}
        }
    }
}

/// Shell operators that cannot sit next to a moved `&&` (the command is malformed: leave it).
fn ends_with_operator(s: &str) -> bool {
    let t = s.trim_end();
    t.ends_with('&') || t.ends_with('|') || t.ends_with(';')
}

fn starts_with_operator(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with('&') || t.starts_with('|') || t.starts_with(';')
}
