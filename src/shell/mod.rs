//! A small POSIX shell lexer for RUN bodies: splits the text BuildKit hands to `/bin/sh -c`
//! into simple commands (on `&&`, `||`, `;`, `|`, `&`, newlines, subshells and groups), with
//! each word's span and its value after quote removal. Redirections and leading assignments are
//! set aside. Input it cannot lex with confidence (unbalanced quotes or substitutions) yields
//! `None`, so rules skip the body rather than guess.

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
    /// What ends this command.
    pub separator: Separator,
}

impl Command {
    /// The program name without a directory (`/usr/bin/apt-get` is `apt-get`).
    pub fn program(&self) -> Option<&str> {
        let w = self.words.first()?;
        Some(w.value.rsplit('/').next().unwrap_or(&w.value))
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

/// Lexes a shell body. `None` when quotes or substitutions are unbalanced.
pub fn commands(text: &str) -> Option<Vec<Command>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut cur = Command {
        keywords: Vec::new(),
        words: Vec::new(),
        assignments: Vec::new(),
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
            out.push(std::mem::replace(
                cur,
                Command {
                    keywords: Vec::new(),
                    words: Vec::new(),
                    assignments: Vec::new(),
                    separator: Separator::Group,
                },
            ));
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' => {
                finish(&mut cur, &mut out, Separator::Newline);
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
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
                    value: text[i..end].to_string(),
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
                while i < b.len() && matches!(b[i], b'<' | b'>' | b'&' | b'|' | b'-') {
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
                && !name.as_bytes()[0].is_ascii_digit()
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
    while i < b.len() && !is_word_end(b[i]) {
        match b[i] {
            b'\\' => {
                complex = true;
                match b.get(i + 1) {
                    Some(b'\n') => i += 2,
                    Some(_) => {
                        let ch = text[i + 1..].chars().next()?;
                        value.push(ch);
                        i += 1 + ch.len_utf8();
                    }
                    None => i += 1,
                }
            }
            b'\'' => {
                complex = true;
                let end = text[i + 1..].find('\'')? + i + 1;
                value.push_str(&text[i + 1..end]);
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
                        b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                            value.push(b[i + 1] as char);
                            i += 2;
                        }
                        b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
                        b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                            let end = skip_substitution(text, i)?;
                            value.push_str(&text[i..end]);
                            i = end;
                        }
                        b'`' => {
                            let end = text[i + 1..].find('`')? + i + 2;
                            value.push_str(&text[i..end]);
                            i = end;
                        }
                        _ => {
                            let ch = text[i..].chars().next()?;
                            value.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
            }
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                complex = true;
                let end = skip_substitution(text, i)?;
                value.push_str(&text[i..end]);
                i = end;
            }
            b'$' => {
                complex = true;
                value.push('$');
                i += 1;
            }
            b'`' => {
                complex = true;
                let end = text[i + 1..].find('`')? + i + 2;
                value.push_str(&text[i..end]);
                i = end;
            }
            _ => {
                let ch = text[i..].chars().next()?;
                if matches!(ch, '*' | '?' | '[' | '~') {
                    complex = true;
                }
                value.push(ch);
                i += ch.len_utf8();
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

/// `$(...)`, `$((...))` or `${...}` starting at `$`: returns the offset after it.
fn skip_substitution(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (open, close) = match b.get(start + 1)? {
        b'(' => (b'(', b')'),
        _ => (b'{', b'}'),
    };
    let mut depth = 0usize;
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\\' => i += 1,
            b'\'' if open == b'(' => i = text[i + 1..].find('\'')? + i + 1,
            b'"' => {
                i += 1;
                while *b.get(i)? != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
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
    fn unbalanced_is_none() {
        assert!(commands("echo 'x").is_none());
        assert!(commands("echo $(x").is_none());
        assert!(commands("echo \"x").is_none());
    }
}
