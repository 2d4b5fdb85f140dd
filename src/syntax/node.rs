//! What BuildKit's `newNodeFromLine` makes of a logical line: the keyword, the `--flags`, and
//! the arguments split as each instruction's line parser splits them. All spans are offsets
//! into the instruction's logical line.

use super::json::{JsonOutcome, parse_json_array};
use super::{Span, is_go_space};

/// The length of the space at byte `i`, if any. BuildKit tests single bytes with
/// `unicode.IsSpace(rune(b))`, which also matches the bytes 0x85 and 0xA0 inside multi-byte
/// characters; we test characters (U+0085 and U+00A0 count as spaces), so a split never falls
/// inside a character. Only such broken inputs differ.
fn space_len(s: &str, i: usize) -> Option<usize> {
    let b = *s.as_bytes().get(i)?;
    if matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
        return Some(1);
    }
    let rest = s.get(i..)?;
    (rest.starts_with('\u{85}') || rest.starts_with('\u{a0}')).then_some(2)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// Not an instruction BuildKit knows: its parser ignores the arguments, dispatch rejects it.
    Unknown,
}

impl Kind {
    pub fn from_keyword(keyword: &str) -> Kind {
        match keyword.to_ascii_lowercase().as_str() {
            "add" => Kind::Add,
            "arg" => Kind::Arg,
            "cmd" => Kind::Cmd,
            "copy" => Kind::Copy,
            "entrypoint" => Kind::Entrypoint,
            "env" => Kind::Env,
            "expose" => Kind::Expose,
            "from" => Kind::From,
            "healthcheck" => Kind::Healthcheck,
            "label" => Kind::Label,
            "maintainer" => Kind::Maintainer,
            "onbuild" => Kind::Onbuild,
            "run" => Kind::Run,
            "shell" => Kind::Shell,
            "stopsignal" => Kind::Stopsignal,
            "user" => Kind::User,
            "volume" => Kind::Volume,
            "workdir" => Kind::Workdir,
            _ => Kind::Unknown,
        }
    }

    /// The canonical upper-case keyword (empty for unknown instructions).
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Add => "ADD",
            Kind::Arg => "ARG",
            Kind::Cmd => "CMD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Env => "ENV",
            Kind::Expose => "EXPOSE",
            Kind::From => "FROM",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
            Kind::Run => "RUN",
            Kind::Shell => "SHELL",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::User => "USER",
            Kind::Volume => "VOLUME",
            Kind::Workdir => "WORKDIR",
            Kind::Unknown => "",
        }
    }
}

/// A `--name[=value]` flag before the arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The flag as written, quotes included.
    pub span: Span,
    /// The flag after BuildKit's quote removal, e.g. `--mount=type=cache,target=/x`.
    pub text: String,
}

impl Flag {
    /// The name without the leading dashes.
    pub fn name(&self) -> &str {
        let body = self.text.trim_start_matches('-');
        body.split_once('=').map_or(body, |(n, _)| n)
    }
    pub fn value(&self) -> Option<&str> {
        self.text
            .trim_start_matches('-')
            .split_once('=')
            .map(|(_, v)| v)
    }
}

/// One string of a JSON (exec form) array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonArg {
    /// The JSON string token, quotes included.
    pub span: Span,
    pub value: String,
}

/// A key/value pair of ENV or LABEL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The whole `key=value` word, or `key value` for the legacy form.
    pub span: Span,
    pub key: Span,
    pub value: Span,
    /// The legacy `ENV key value` form (no `=`).
    pub legacy: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Args {
    /// No arguments.
    None,
    /// Exec form: a JSON array of strings.
    Json(Vec<JsonArg>),
    /// Shell form, or a single-string argument (USER, WORKDIR, ...).
    Text(Span),
    /// Words: whitespace-delimited (FROM, EXPOSE, COPY, ...) or quote-aware (ARG).
    Words(Vec<Span>),
    Pairs(Vec<Pair>),
    /// HEALTHCHECK: the type word (`CMD`, `NONE`) and its command.
    Health {
        kind: Span,
        cmd: Box<Args>,
    },
    /// ONBUILD: the nested instruction.
    Sub(Box<Node>),
    /// An unknown instruction: BuildKit's parser keeps no arguments.
    Ignored,
}

/// An instruction as BuildKit's parser reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    pub keyword: Span,
    pub flags: Vec<Flag>,
    /// The arguments after the flags, trimmed.
    pub rest: Span,
    pub args: Args,
}

impl Node {
    pub fn is_json(&self) -> bool {
        match &self.args {
            Args::Json(_) => true,
            Args::Health { cmd, .. } => matches!(**cmd, Args::Json(_)),
            _ => false,
        }
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name() == name)
    }

    /// BuildKit's `canContainHeredoc`: ADD, COPY and RUN (also under ONBUILD), not in JSON form.
    pub fn can_contain_heredoc(&self) -> bool {
        let node = match &self.args {
            Args::Sub(sub) if self.kind == Kind::Onbuild => sub,
            _ => self,
        };
        matches!(node.kind, Kind::Add | Kind::Copy | Kind::Run) && !node.is_json()
    }
}

fn trim_go(s: &str, base: usize) -> (usize, &str) {
    let start = s.len() - s.trim_start_matches(is_go_space).len();
    let t = s[start..].trim_end_matches(is_go_space);
    (base + start, t)
}

fn is_re_ws(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// `newNodeFromLine`: `line` is a logical line (or ONBUILD's rest) starting at `base`.
pub(crate) fn parse_node(line: &str, base: usize, escape: char) -> Result<Node, String> {
    let (start, trimmed) = trim_go(line, base);
    let kw_len = trimmed.find(is_re_ws).unwrap_or(trimmed.len());
    let keyword = Span::new(start, start + kw_len);
    let kind = Kind::from_keyword(&trimmed[..kw_len]);
    let after_kw = trimmed[kw_len..].trim_start_matches(is_re_ws);
    let after_off = start + (trimmed.len() - after_kw.len());
    let (flags, rest_off, rest_raw) = if kw_len < trimmed.len() {
        extract_flags(after_kw, after_off, escape)
    } else {
        (Vec::new(), after_off, "")
    };
    let (rest_start, rest) = trim_go(rest_raw, rest_off);
    let rest_span = Span::new(rest_start, rest_start + rest.len());
    let args = parse_args(kind, rest, rest_start, escape)?;
    Ok(Node {
        kind,
        keyword,
        flags,
        rest: rest_span,
        args,
    })
}

/// BuildKit's `extractBuilderFlags`, byte by byte as it works.
fn extract_flags(line: &str, base: usize, escape: char) -> (Vec<Flag>, usize, &str) {
    let b = line.as_bytes();
    let esc = escape as u8;
    let mut flags = Vec::new();
    let mut pos = 0;
    loop {
        while let Some(n) = space_len(line, pos) {
            pos += n;
        }
        if pos >= b.len() {
            return (flags, base + b.len(), "");
        }
        if !b.get(pos..).is_some_and(|r| r.starts_with(b"--")) {
            return (flags, base + pos, &line[pos..]);
        }
        let word_start = pos;
        let mut word: Vec<u8> = Vec::new();
        let mut blank_ok = false;
        let mut quote: Option<u8> = None;
        while let Some(&ch) = b.get(pos) {
            match quote {
                None => {
                    if space_len(line, pos).is_some() {
                        break;
                    }
                    if ch == b'\'' || ch == b'"' {
                        quote = Some(ch);
                        blank_ok = true;
                        pos += 1;
                        continue;
                    }
                    if ch == esc {
                        match b.get(pos + 1) {
                            Some(&next) => {
                                word.push(next);
                                pos += 2;
                            }
                            None => pos += 1,
                        }
                        continue;
                    }
                    word.push(ch);
                    pos += 1;
                }
                Some(q) => {
                    if ch == q {
                        quote = None;
                        pos += 1;
                        continue;
                    }
                    if ch == esc {
                        match b.get(pos + 1) {
                            Some(&next) => {
                                word.push(next);
                                pos += 2;
                            }
                            None => {
                                quote = None;
                                pos += 1;
                            }
                        }
                        continue;
                    }
                    word.push(ch);
                    pos += 1;
                }
            }
        }
        if word == b"--" {
            if pos >= b.len() {
                return (flags, base + b.len(), "");
            }
            return (flags, base + pos, &line[pos..]);
        }
        if blank_ok || !word.is_empty() {
            // Go writes each byte as a rune: non-ASCII bytes become Latin-1 characters.
            let text: String = word.iter().map(|&c| c as char).collect();
            flags.push(Flag {
                span: Span::new(base + word_start, base + pos),
                text,
            });
        }
    }
}

fn parse_args(kind: Kind, rest: &str, base: usize, escape: char) -> Result<Args, String> {
    let span = Span::new(base, base + rest.len());
    Ok(match kind {
        Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell => maybe_json(rest, base)?,
        Kind::Add | Kind::Copy | Kind::Volume => match json_or_none(rest, base)? {
            Some(args) => args,
            None => whitespace_words(rest, base),
        },
        Kind::Expose | Kind::From => whitespace_words(rest, base),
        Kind::Arg => {
            let words = parse_words(rest, base, escape);
            if words.is_empty() {
                Args::None
            } else {
                Args::Words(words)
            }
        }
        Kind::Env | Kind::Label => name_val(kind, rest, base, escape)?,
        Kind::Maintainer | Kind::Stopsignal | Kind::User | Kind::Workdir => {
            if rest.is_empty() {
                Args::None
            } else {
                Args::Text(span)
            }
        }
        Kind::Healthcheck => {
            let sep = (0..rest.len())
                .find(|&i| rest.is_char_boundary(i) && space_len(rest, i).is_some())
                .unwrap_or(rest.len());
            if sep == 0 {
                Args::None
            } else {
                let mut next = sep;
                while let Some(n) = space_len(rest, next) {
                    next += n;
                }
                Args::Health {
                    kind: Span::new(base, base + sep),
                    cmd: Box::new(maybe_json(&rest[next..], base + next)?),
                }
            }
        }
        Kind::Onbuild => {
            if rest.is_empty() {
                Args::None
            } else {
                Args::Sub(Box::new(parse_node(rest, base, escape)?))
            }
        }
        Kind::Unknown => Args::Ignored,
    })
}

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

fn json_or_none(rest: &str, base: usize) -> Result<Option<Args>, String> {
    match parse_json_array(rest, base) {
        JsonOutcome::Strings(v) => Ok(Some(Args::Json(v))),
        JsonOutcome::NotStrings => Err(NOT_STRING_ARRAY.into()),
        JsonOutcome::Invalid => Ok(None),
    }
}

fn maybe_json(rest: &str, base: usize) -> Result<Args, String> {
    if rest.is_empty() {
        return Ok(Args::None);
    }
    Ok(json_or_none(rest, base)?.unwrap_or(Args::Text(Span::new(base, base + rest.len()))))
}

/// `parseStringsWhitespaceDelimited`: split on `[\t\v\f\r ]+`.
fn whitespace_words(rest: &str, base: usize) -> Args {
    if rest.is_empty() {
        return Args::None;
    }
    Args::Words(split_re_ws(rest, base))
}

/// Go's `reWhitespace.Split(s, -1)`: empty strings are kept where the separators are at the
/// edges (they cannot be here: `rest` is trimmed).
fn split_re_ws(s: &str, base: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_ws = false;
    for (i, c) in s.char_indices() {
        if is_re_ws(c) {
            if !in_ws {
                out.push(Span::new(base + start, base + i));
                in_ws = true;
            }
        } else if in_ws {
            start = i;
            in_ws = false;
        }
    }
    if in_ws {
        out.push(Span::new(base + s.len(), base + s.len()));
    } else {
        out.push(Span::new(base + start, base + s.len()));
    }
    out
}

/// BuildKit's `parseWords`: quote-aware words with quotes and escapes kept. Returns the span
/// of each word; the word's text is the span's text except that an escape character at the
/// very end of the input is dropped.
pub(crate) fn parse_words(rest: &str, base: usize, escape: char) -> Vec<Span> {
    let mut words = Vec::new();
    let mut chars = rest.char_indices().peekable();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut nonempty = false;
    let mut last_end = 0;
    while let Some((i, ch)) = chars.next() {
        match (start, quote) {
            (None, _) => {
                if is_go_space(ch) {
                    continue;
                }
                start = Some(i);
                blank_ok = false;
                nonempty = false;
                // fall through to in-word handling of this char
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                    nonempty = true;
                } else if ch == escape {
                    if chars.peek().is_none() {
                        last_end = i;
                        continue;
                    }
                    chars.next();
                    nonempty = true;
                } else {
                    nonempty = true;
                }
                last_end = chars.peek().map_or(rest.len(), |&(j, _)| j);
            }
            (Some(s), None) => {
                if is_go_space(ch) {
                    if blank_ok || nonempty {
                        words.push(Span::new(base + s, base + last_end));
                    }
                    start = None;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                } else if ch == escape {
                    if chars.peek().is_none() {
                        continue;
                    }
                    chars.next();
                }
                nonempty = true;
                last_end = chars.peek().map_or(rest.len(), |&(j, _)| j);
            }
            (Some(_), Some(q)) => {
                if ch == q {
                    quote = None;
                } else if ch == escape && q != '\'' {
                    if chars.peek().is_none() {
                        quote = None;
                        continue;
                    }
                    chars.next();
                }
                nonempty = true;
                last_end = chars.peek().map_or(rest.len(), |&(j, _)| j);
            }
        }
    }
    if let Some(s) = start
        && (blank_ok || nonempty)
    {
        words.push(Span::new(base + s, base + last_end));
    }
    words
}

/// `parseNameVal` for ENV and LABEL.
fn name_val(kind: Kind, rest: &str, base: usize, escape: char) -> Result<Args, String> {
    let words = parse_words(rest, base, escape);
    let Some(first) = words.first() else {
        return Ok(Args::None);
    };
    let text = |s: Span| &rest[s.start - base..s.end - base];
    if !text(*first).contains('=') {
        let parts = split_re_ws(rest, base);
        let &[key, _, ..] = parts.as_slice() else {
            return Err(format!("{} must have two arguments", kind.keyword()));
        };
        let after_key = rest[key.end - base..].trim_start_matches(is_re_ws);
        let vstart = base + rest.len() - after_key.len();
        return Ok(Args::Pairs(vec![Pair {
            span: Span::new(base, base + rest.len()),
            key,
            value: Span::new(vstart, base + rest.len()),
            legacy: true,
        }]));
    }
    let mut pairs = Vec::with_capacity(words.len());
    for w in words {
        let t = text(w);
        let Some(eq) = t.find('=') else {
            return Err(format!(
                "Syntax error - can't find = in {t:?}. Must be of the form: name=value"
            ));
        };
        pairs.push(Pair {
            span: w,
            key: Span::new(w.start, w.start + eq),
            value: Span::new(w.start + eq + 1, w.end),
            legacy: false,
        });
    }
    Ok(Args::Pairs(pairs))
}
