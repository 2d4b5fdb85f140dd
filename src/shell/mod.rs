//! A small POSIX shell lexer for RUN bodies: splits the text BuildKit hands to `/bin/sh -c`
//! into simple commands (on `&&`, `||`, `;`, `|`, `&`, newlines, subshells and groups), with
//! each word's span and its value after quote removal. Redirections and leading assignments are
//! set aside. Input it cannot lex with confidence (unbalanced quotes or substitutions) yields
//! `None`, so rules skip the body rather than guess.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod programs;

use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Offsets into the lexed text.
    pub span: Span,
    /// After quote removal; expansions are kept as written.
    pub value: String,
    /// Whether any part was quoted, escaped or expanded (the value is not a plain literal).
    pub complex: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    And,
    Or,
    Semi,
    Pipe,
    Background,
    Newline,
    /// `(`, `)`, `{`, `}` or the end of input.
    Group,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// Reserved words right before the command (`if`, `then`, `do`, `!`, `{`...), which the
    /// shell reads as grammar, not as the command's name.
    pub keywords: Vec<String>,
    pub words: Vec<Word>,
    /// `VAR=value` words before the command name.
    pub assignments: Vec<Word>,
    /// The command as its program's grammar reads it, on first use ([`programs::Call::read`]):
    /// every rule that asks gets the same reading, parsed once.
    pub(crate) parsed: ParsedOnce,
    /// [`Command::name_index`], found when the command is lexed (every rule asks it).
    name_at: usize,
    /// What ends this command.
    pub separator: Separator,
}

/// A command's parsed invocation, computed once. A cache, not part of what a command is: it
/// never makes two commands unequal.
#[derive(Clone, Default)]
pub struct ParsedOnce(std::sync::OnceLock<Option<programs::Invocation>>);

impl ParsedOnce {
    pub(crate) fn get_or_read(&self, cmd: &Command) -> Option<&programs::Invocation> {
        self.0
            .get_or_init(|| programs::Invocation::read(cmd))
            .as_ref()
    }
}

impl PartialEq for ParsedOnce {
    fn eq(&self, _: &ParsedOnce) -> bool {
        true
    }
}

impl Eq for ParsedOnce {}

impl std::fmt::Debug for ParsedOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

impl Command {
    /// The index of the command's name among its words: after the reserved words the lexer
    /// leaves in them (`then apt-get install ...` is lexed as one command).
    pub fn name_index(&self) -> usize {
        self.name_at
    }

    fn find_name_index(&self) -> usize {
        self.words
            .iter()
            .take_while(|w| {
                !w.complex
                    && matches!(
                        w.value.as_str(),
                        "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "time"
                    )
            })
            .count()
    }

    /// The program name without a directory (`/usr/bin/apt-get` is `apt-get`).
    pub fn program(&self) -> Option<&str> {
        Some(base_name(&self.words.first()?.value))
    }

    /// `cmd.is("apt-get", "install")`: the program and its first non-option argument.
    pub fn is(&self, program: &str, sub: &str) -> bool {
        self.program() == Some(program) && self.subcommand().is_some_and(|w| w.value == sub)
    }

    /// The first argument that is not an option (options that take a value are not known
    /// here, so `-o X install` yields `X`: callers that care use [`Command::operands_after`]).
    pub fn subcommand(&self) -> Option<&Word> {
        self.words
            .iter()
            .skip(1)
            .find(|w| !w.value.starts_with('-'))
    }

    /// Whether an option is present: exact long options, or a short letter inside a cluster
    /// like `-qy` (pass `"-y"`).
    pub fn flag(&self, flag: &str) -> bool {
        self.words.iter().skip(1).any(|w| {
            let v = w.value.as_str();
            if v == flag {
                return true;
            }
            match (flag.strip_prefix('-'), v.strip_prefix('-')) {
                (Some(f), Some(cluster))
                    if f.len() == 1 && !cluster.starts_with('-') && !cluster.contains('=') =>
                {
                    cluster.contains(f)
                }
                _ => false,
            }
        })
    }

    /// The operands (non-option words) after the subcommand.
    pub fn operands(&self) -> impl Iterator<Item = &Word> {
        self.words
            .iter()
            .skip(1)
            .filter(|w| !w.value.starts_with('-'))
            .skip(1)
    }
}

/// The part of a word after its last `/` (the whole word without one): what
/// `s.rsplit('/').next()` gives, without the searcher, on the short words of a command line,
/// for which every rule asks it.
pub fn base_name(s: &str) -> &str {
    match s.bytes().rev().position(|b| b == b'/') {
        Some(from_end) => s.get(s.len() - from_end..).unwrap_or_default(),
        None => s,
    }
}

/// Lexes a shell body. `None` when quotes or substitutions are unbalanced.
pub fn commands(text: &str) -> Option<Vec<Command>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut cur = Command {
        keywords: Vec::new(),
        words: Vec::new(),
        assignments: Vec::new(),
        parsed: ParsedOnce::default(),
        name_at: 0,
        separator: Separator::Group,
    };
    let mut i = 0;
    let mut skip_next_word = false;
    let finish = |cur: &mut Command, out: &mut Vec<Command>, sep: Separator| {
        if cur.words.is_empty() && cur.assignments.is_empty() {
            // `fi`, `done` or a lone `{`: nothing to keep for the next command.
            cur.keywords.clear();
        } else {
            cur.separator = sep;
            cur.name_at = cur.find_name_index();
            out.push(std::mem::replace(
                cur,
                Command {
                    keywords: Vec::new(),
                    words: Vec::new(),
                    assignments: Vec::new(),
                    parsed: ParsedOnce::default(),
                    name_at: 0,
                    separator: Separator::Group,
                },
            ));
        }
    };
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' => {
                finish(&mut cur, &mut out, Separator::Newline);
                i += 1;
            }
            b'#' => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'&' if b.get(i + 1) == Some(&b'&') => {
                finish(&mut cur, &mut out, Separator::And);
                i += 2;
            }
            b'|' if b.get(i + 1) == Some(&b'|') => {
                finish(&mut cur, &mut out, Separator::Or);
                i += 2;
            }
            b'&' if b.get(i + 1) == Some(&b'>') => {
                i += 2;
                if b.get(i) == Some(&b'>') {
                    i += 1;
                }
                skip_next_word = true;
            }
            b';' => {
                finish(&mut cur, &mut out, Separator::Semi);
                i += if b.get(i + 1) == Some(&b';') { 2 } else { 1 };
            }
            b'|' => {
                finish(&mut cur, &mut out, Separator::Pipe);
                i += 1;
            }
            b'&' => {
                finish(&mut cur, &mut out, Separator::Background);
                i += 1;
            }
            b'(' | b')' => {
                finish(&mut cur, &mut out, Separator::Group);
                i += 1;
            }
            b'<' | b'>' if b.get(i + 1) == Some(&b'(') => {
                // Process substitution `<(...)` / `>(...)`: one word.
                let end = skip_substitution(text, i)?;
                let word = Word {
                    span: Span::new(i, end),
                    value: text.get(i..end)?.to_string(),
                    complex: true,
                };
                i = end;
                if skip_next_word {
                    skip_next_word = false;
                } else {
                    cur.words.push(word);
                }
            }
            b'<' | b'>' => {
                // Redirection: the operator, then its target word.
                i += 1;
                while matches!(b.get(i), Some(b'<' | b'>' | b'&' | b'|' | b'-')) {
                    i += 1;
                }
                skip_next_word = true;
            }
            _ => {
                let (word, end) = lex_word(text, i)?;
                i = end;
                // A redirection with a file descriptor (`2>`), glued to the operator.
                if matches!(b.get(i), Some(b'<' | b'>'))
                    && word.value.bytes().all(|d| d.is_ascii_digit())
                    && !word.complex
                {
                    continue;
                }
                if skip_next_word {
                    skip_next_word = false;
                    continue;
                }
                if cur.words.is_empty()
                    && cur.assignments.is_empty()
                    && !word.complex
                    && RESERVED.contains(&word.value.as_str())
                {
                    cur.keywords.push(word.value);
                    continue;
                }
                if cur.words.is_empty() && is_assignment(&word) {
                    cur.assignments.push(word);
                } else {
                    cur.words.push(word);
                }
            }
        }
    }
    finish(&mut cur, &mut out, Separator::Group);
    Some(out)
}

/// Reserved words that can stand before a command (POSIX 2.4; `for`, `case` and `select` take
/// other words after them and stay words).
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
];

fn is_assignment(w: &Word) -> bool {
    let v = &w.value;
    match v.find('=') {
        Some(eq) if eq > 0 => {
            let name = &v[..eq];
            name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        _ => false,
    }
}

fn is_word_end(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// One word from `start`; returns it and the offset after it.
fn lex_word(text: &str, start: usize) -> Option<(Word, usize)> {
    let b = text.as_bytes();
    let mut i = start;
    let mut value = String::new();
    let mut complex = false;
    while let Some(&c) = b.get(i).filter(|&&c| !is_word_end(c)) {
        match c {
            b'\\' => {
                complex = true;
                match b.get(i + 1) {
                    Some(b'\n') => i += 2,
                    Some(_) => {
                        let ch = text.get(i + 1..)?.chars().next()?;
                        value.push(ch);
                        i += 1 + ch.len_utf8();
                    }
                    None => i += 1,
                }
            }
            b'\'' => {
                complex = true;
                let end = text.get(i + 1..)?.find('\'')? + i + 1;
                value.push_str(text.get(i + 1..end)?);
                i = end + 1;
            }
            b'"' => {
                complex = true;
                i += 1;
                loop {
                    match *b.get(i)? {
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\\' => match b.get(i + 1) {
                            Some(&e @ (b'"' | b'\\' | b'$' | b'`')) => {
                                value.push(char::from(e));
                                i += 2;
                            }
                            Some(b'\n') => i += 2,
                            _ => {
                                value.push('\\');
                                i += 1;
                            }
                        },
                        b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                            let end = skip_substitution(text, i)?;
                            value.push_str(text.get(i..end)?);
                            i = end;
                        }
                        b'`' => {
                            let end = text.get(i + 1..)?.find('`')? + i + 2;
                            value.push_str(text.get(i..end)?);
                            i = end;
                        }
                        _ => {
                            let ch = text.get(i..)?.chars().next()?;
                            value.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
            }
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                complex = true;
                let end = skip_substitution(text, i)?;
                value.push_str(text.get(i..end)?);
                i = end;
            }
            b'$' => {
                complex = true;
                value.push('$');
                i += 1;
            }
            b'`' => {
                complex = true;
                let end = text.get(i + 1..)?.find('`')? + i + 2;
                value.push_str(text.get(i..end)?);
                i = end;
            }
            _ => {
                // A run of plain bytes, taken at once (a plain word is one allocation). The
                // bytes that end the run are ASCII, so the run ends on a character boundary.
                let run = b
                    .get(i..)?
                    .iter()
                    .position(|&c| {
                        is_word_end(c) || matches!(c, b'\\' | b'\'' | b'"' | b'$' | b'`')
                    })
                    .map_or(b.len(), |n| i + n);
                let plain = text.get(i..run)?;
                if plain
                    .bytes()
                    .any(|c| matches!(c, b'*' | b'?' | b'[' | b'~'))
                {
                    complex = true;
                }
                value.push_str(plain);
                i = run;
            }
        }
    }
    Some((
        Word {
            span: Span::new(start, i),
            value,
            complex,
        },
        i,
    ))
}

/// `$(...)`, `$((...))`, `${...}` starting at `$` (or `<(...)`, `>(...)` starting at `<`,
/// `>`): returns the offset after it.
fn skip_substitution(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    match b.get(start + 1)? {
        b'(' => skip_parens(b, start + 2),
        _ => skip_braces(b, start + 1),
    }
}

/// The offset of the `)` that closes a `(` opened right before `start` (the body of a
/// `$(...)` starts at `start`), read as [`commands`] reads substitutions.
pub fn substitution_body_end(text: &str, start: usize) -> Option<usize> {
    skip_parens(text.as_bytes(), start)?.checked_sub(1)
}

/// The double-quoted string whose `"` is at `open`: returns the offset of its closing `"`.
fn closing_double_quote(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// `{...}` with its `{` at `open`: returns the offset after the matching `}`.
fn skip_braces(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\\' => i += 1,
            b'"' => i = closing_double_quote(b, i)?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where a `case` read inside `$(...)` stands: its `)` after a pattern must not close the
/// substitution.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CasePart {
    /// After `case`: the word tested.
    Subject,
    /// Waiting for `in`.
    In,
    /// A pattern up to its `)`; `fresh` before its first character (where an optional `(`
    /// may open it).
    Pattern { fresh: bool },
    /// The commands of a clause, up to `;;`, `;&` or `esac`.
    Body,
}

/// The inside of `(...)` from `from`, just after the `(`: returns the offset after the
/// matching `)`. Nested parentheses, quotes, escapes and `case ... in pattern) ...;; esac`
/// (whose pattern `)` closes nothing) are followed.
fn skip_parens(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    // Open `case`s with the depth they stand at, innermost last.
    let mut cases: Vec<(usize, CasePart)> = Vec::new();
    // Whether a reserved word such as `case` or `esac` is read as one here.
    let mut command_start = true;
    let mut i = from;
    while let Some(&c) = b.get(i) {
        let part = cases.last().filter(|(d, _)| *d == depth).map(|&(_, p)| p);
        let mut set_part = |p: Option<CasePart>| match p {
            Some(p) => {
                if let Some(last) = cases.last_mut() {
                    last.1 = p;
                }
            }
            None => {
                cases.pop();
            }
        };
        match c {
            b' ' | b'\t' | b'\r' | b'<' | b'>' => i += 1,
            b'\n' | b'&' | b'|' => {
                command_start = true;
                i += 1;
            }
            b';' => {
                let len = match b.get(i + 1) {
                    Some(b';') if b.get(i + 2) == Some(&b'&') => 3,
                    Some(b';' | b'&') => 2,
                    _ => 1,
                };
                if len > 1 && part == Some(CasePart::Body) {
                    set_part(Some(CasePart::Pattern { fresh: true }));
                }
                command_start = true;
                i += len;
            }
            b'(' => {
                if part == Some(CasePart::Pattern { fresh: true }) {
                    // `case x in (a) ...`: the optional `(` before a pattern.
                    set_part(Some(CasePart::Pattern { fresh: false }));
                } else {
                    depth += 1;
                    command_start = true;
                }
                i += 1;
            }
            b')' => {
                if matches!(part, Some(CasePart::Pattern { .. })) {
                    set_part(Some(CasePart::Body));
                    command_start = true;
                } else {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                    // A `case` left open in a closed group (invalid shell): forget it.
                    cases.retain(|&(d, _)| d <= depth);
                    command_start = false;
                }
                i += 1;
            }
            _ => {
                // One piece of a word: a quoted string, an escape, or a plain run.
                let end = match c {
                    b'\\' => i + 2,
                    b'\'' => i + 2 + b.get(i + 1..)?.iter().position(|&q| q == b'\'')?,
                    b'"' => closing_double_quote(b, i)? + 1,
                    _ => {
                        let rest = b.get(i..)?;
                        let run = rest
                            .iter()
                            .position(|&q| is_word_end(q) || matches!(q, b'\\' | b'\'' | b'"'));
                        i + run.unwrap_or(rest.len())
                    }
                };
                let after_word_end = i == from
                    || i.checked_sub(1)
                        .and_then(|p| b.get(p))
                        .is_some_and(|&p| is_word_end(p));
                let standalone = after_word_end && b.get(end).is_none_or(|&n| is_word_end(n));
                let word = match c {
                    b'\\' | b'\'' | b'"' => &[][..],
                    _ => b.get(i..end).unwrap_or_default(),
                };
                let keyword = |k: &str| standalone && word == k.as_bytes();
                match part {
                    Some(CasePart::Subject) => set_part(Some(CasePart::In)),
                    Some(CasePart::In) if keyword("in") => {
                        set_part(Some(CasePart::Pattern { fresh: true }));
                    }
                    Some(CasePart::Pattern { .. }) if keyword("esac") => set_part(None),
                    Some(CasePart::Pattern { fresh: true }) => {
                        set_part(Some(CasePart::Pattern { fresh: false }));
                    }
                    Some(CasePart::Body) if command_start && keyword("esac") => set_part(None),
                    Some(CasePart::Body) | None if command_start && keyword("case") => {
                        cases.push((depth, CasePart::Subject));
                    }
                    _ => {}
                }
                command_start =
                    standalone && std::str::from_utf8(word).is_ok_and(|w| RESERVED.contains(&w));
                i = end;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        commands(text)
            .unwrap()
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.value).collect())
            .collect()
    }

    #[test]
    fn splits_on_operators() {
        assert_eq!(
            words("apt-get update&&apt-get install -y 'a b' c; echo \"x $(y \"z\")\" | tee f 2>&1"),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c"],
                vec!["echo", "x $(y \"z\")"],
                vec!["tee", "f"],
            ]
        );
        assert_eq!(
            words("bash <(curl -fsSL https://x/y.sh) cleanup > /log"),
            vec![vec!["bash", "<(curl -fsSL https://x/y.sh)", "cleanup"]]
        );
        assert_eq!(
            words("set -eux; (cd x && make) || { echo no; exit 1; }"),
            vec![
                vec!["set", "-eux"],
                vec!["cd", "x"],
                vec!["make"],
                vec!["echo", "no"],
                vec!["exit", "1"],
            ]
        );
    }

    #[test]
    fn spans_assignments_and_helpers() {
        let text = "DEBIAN_FRONTEND=noninteractive apt-get -qy install curl # c";
        let cmds = commands(text).unwrap();
        assert_eq!(cmds.len(), 1);
        let c = &cmds[0];
        assert_eq!(c.assignments.len(), 1);
        assert!(c.is("apt-get", "install"));
        assert!(c.flag("-y") && c.flag("-q") && !c.flag("--yes"));
        assert_eq!(c.subcommand().unwrap().span.slice(text), "install");
        assert_eq!(
            c.operands().map(|w| w.value.as_str()).collect::<Vec<_>>(),
            ["curl"]
        );
    }

    #[test]
    fn case_inside_substitution() {
        // The `)` after a `case` pattern does not close the substitution (issue 12).
        let text = "x=$(case \"$a\" in foo) echo 1;; esac) && apt-get install -y curl";
        let cmds = commands(text).unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(
            cmds[0].assignments[0].value,
            "x=$(case \"$a\" in foo) echo 1;; esac)"
        );
        assert!(cmds[0].words.is_empty());
        assert!(cmds[1].is("apt-get", "install"));
        assert_eq!(cmds[1].words[0].span.slice(text), "apt-get");
        // Optional `(` before patterns, `|` alternatives, several clauses, a last clause
        // without `;;`, nesting in a clause and in the subject, subshells and `$((...))`.
        assert_eq!(
            words(
                "echo \"$(case $(uname -m) in (x86_64|amd64) echo a;; \
                 arm*) case \"$v\" in 7) echo v7 ;& *) (echo $((1+2))) ;; esac ;; \
                 *) echo other; esac)\" done; make"
            ),
            vec![
                vec![
                    "echo",
                    "$(case $(uname -m) in (x86_64|amd64) echo a;; \
                 arm*) case \"$v\" in 7) echo v7 ;& *) (echo $((1+2))) ;; esac ;; \
                 *) echo other; esac)",
                    "done"
                ],
                vec!["make"],
            ]
        );
        // Words that only look like the reserved words change nothing.
        assert_eq!(
            words("echo $(echo case in x) esac) y"),
            vec![vec!["echo", "$(echo case in x)", "esac"], vec!["y"]]
        );
        assert_eq!(
            words("a $(case x in y) b;; esac; (c)) d"),
            vec![vec!["a", "$(case x in y) b;; esac; (c))", "d"]]
        );
        assert!(commands("echo $(case x in y) b;; esac").is_none());
    }

    #[test]
    fn unbalanced_is_none() {
        assert!(commands("echo 'x").is_none());
        assert!(commands("echo $(x").is_none());
        assert!(commands("echo \"x").is_none());
    }
}
