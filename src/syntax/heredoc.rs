//! Heredoc detection as BuildKit does it: the logical line is split into words by its shell
//! lexer (quotes and escapes kept, `<<` plus following blanks glued to the next word), and each
//! word matching `^(\d*)<<(-?)\s*([^<]*)$` with a single-word rest opens a heredoc.

pub(crate) struct HeredocWord {
    pub name: String,
    pub chomp: bool,
    pub expand: bool,
    pub fd: Option<u32>,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    raw_quotes: bool,
    raw_escapes: bool,
    /// The shared word buffer (BuildKit's `sw.wordsBuffer`).
    buf: String,
}

struct Words {
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, buf: &mut String, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !buf.is_empty() {
                self.words.push(std::mem::take(buf));
                self.in_word = false;
            }
        } else {
            buf.push(ch);
            self.in_word = true;
        }
    }
    fn add_raw(&mut self, buf: &mut String, s: &str) {
        buf.push_str(s);
        self.in_word = true;
    }
    fn finish(&mut self, buf: &mut String) {
        if !buf.is_empty() {
            self.words.push(std::mem::take(buf));
            self.in_word = false;
        }
    }
}

type LexResult<T> = Result<T, ()>;

impl Lexer<'_> {
    fn new(s: &str, raw_quotes: bool, raw_escapes: bool) -> Lexer<'_> {
        Lexer {
            chars: s.chars().peekable(),
            raw_quotes,
            raw_escapes,
            buf: String::new(),
        }
    }

    /// `processStopOn`: returns the processed text and the words.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> LexResult<(String, Vec<String>)> {
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let r = self.process_inner(stop);
        self.raw_escapes = saved;
        r
    }

    fn process_inner(&mut self, stop: Option<char>) -> LexResult<(String, Vec<String>)> {
        let mut result = String::new();
        self.buf.clear();
        let mut words = Words {
            words: Vec::new(),
            in_word: false,
        };
        while let Some(&ch) = self.chars.peek() {
            if Some(ch) == stop {
                self.chars.next();
                let mut buf = std::mem::take(&mut self.buf);
                words.finish(&mut buf);
                return Ok((result, words.words));
            }
            match ch {
                '$' => {
                    let tmp = self.dollar()?;
                    result.push_str(&tmp);
                    let mut buf = std::mem::take(&mut self.buf);
                    for c in tmp.chars() {
                        words.add_char(&mut buf, c);
                    }
                    self.buf = buf;
                }
                '<' => {
                    let tmp = self.possible_heredoc();
                    result.push_str(&tmp);
                    let mut buf = std::mem::take(&mut self.buf);
                    words.add_raw(&mut buf, &tmp);
                    self.buf = buf;
                }
                '\'' | '"' => {
                    let tmp = if ch == '\'' {
                        self.single_quote()?
                    } else {
                        self.double_quote()?
                    };
                    result.push_str(&tmp);
                    let mut buf = std::mem::take(&mut self.buf);
                    words.add_raw(&mut buf, &tmp);
                    self.buf = buf;
                }
                _ => {
                    self.chars.next();
                    let mut buf = std::mem::take(&mut self.buf);
                    let mut c = ch;
                    if ch == '\\' {
                        if self.raw_escapes {
                            buf.push('\\');
                            words.in_word = true;
                            result.push('\\');
                        }
                        match self.chars.next() {
                            None => {
                                self.buf = buf;
                                break;
                            }
                            Some(n) => {
                                c = n;
                                buf.push(c);
                                words.in_word = true;
                            }
                        }
                    } else {
                        words.add_char(&mut buf, c);
                    }
                    result.push(c);
                    self.buf = buf;
                }
            }
        }
        if stop.is_some() {
            return Err(());
        }
        let mut buf = std::mem::take(&mut self.buf);
        words.finish(&mut buf);
        Ok((result, words.words))
    }

    fn single_quote(&mut self) -> LexResult<String> {
        let mut out = String::new();
        self.chars.next();
        if self.raw_quotes {
            out.push('\'');
        }
        loop {
            match self.chars.next() {
                None => return Err(()),
                Some('\'') => {
                    if self.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> LexResult<String> {
        let mut out = String::new();
        self.chars.next();
        if self.raw_quotes {
            out.push('"');
        }
        loop {
            match self.chars.peek() {
                None => return Err(()),
                Some('"') => {
                    self.chars.next();
                    if self.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.dollar()?;
                    out.push_str(&v);
                }
                Some(_) => {
                    let mut c = self.chars.next().unwrap_or('\\');
                    if c == '\\' {
                        if self.raw_escapes {
                            out.push('\\');
                        }
                        match self.chars.peek() {
                            None => continue,
                            Some('"' | '$' | '\\') => c = self.chars.next().unwrap_or('\\'),
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(&c) = self.chars.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(&d) = self.chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    name.push(d);
                    self.chars.next();
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.chars.next();
                return c.to_string();
            }
            if !c.is_alphabetic() && !c.is_ascii_digit() && c != '_' {
                break;
            }
            name.push(c);
            self.chars.next();
        }
        name
    }

    /// `processDollar` with no variables set and `SkipUnsetEnv`: the text stays as written.
    fn dollar(&mut self) -> LexResult<String> {
        self.chars.next();
        if self.chars.peek() != Some(&'{') {
            let name = self.name();
            return Ok(format!("${name}"));
        }
        self.chars.next();
        match self.chars.peek() {
            None | Some('{' | '}' | ':') => return Err(()),
            _ => {}
        }
        let name = self.name();
        let ch = self.chars.next().ok_or(())?;
        let mut chs = ch.to_string();
        let mut modifier = ch;
        match ch {
            '}' => return Ok(format!("${{{name}}}")),
            ':' => {
                // BuildKit falls through to the modifiers with whatever follows the colon
                // (`${v:0:7}` reads to `}`); only `:#` and `:%` are errors.
                modifier = self.chars.next().ok_or(())?;
                chs.push(modifier);
                if matches!(modifier, '#' | '%') {
                    return Err(());
                }
            }
            '+' | '-' | '?' | '#' | '%' => {}
            '/' => {
                let mut pat = String::from("/");
                if self.chars.peek() == Some(&'/') {
                    self.chars.next();
                }
                let (p, _) = self.process_stop_on(Some('/'), true)?;
                let (r, _) = self.process_stop_on(Some('}'), true)?;
                pat.push_str(&p);
                return Ok(format!("${{{name}{pat}/{r}}}"));
            }
            _ => return Err(()),
        }
        let raw = ch != ':' && matches!(modifier, '#' | '%');
        let (word, _) = self.process_stop_on(Some('}'), raw)?;
        Ok(format!("${{{name}{chs}{word}}}"))
    }

    fn possible_heredoc(&mut self) -> String {
        self.chars.next();
        if self.chars.peek() != Some(&'<') {
            return "<".into();
        }
        self.chars.next();
        let mut out = String::from("<<");
        while let Some(&c) = self.chars.peek() {
            if !matches!(c, '\t' | '\r' | ' ') {
                break;
            }
            out.push(c);
            self.chars.next();
        }
        out
    }
}

fn words(s: &str, raw_quotes: bool, raw_escapes: bool) -> Option<Vec<String>> {
    // Go's text/scanner skips a byte-order mark at the start of its input.
    let s = s.strip_prefix('\u{feff}').unwrap_or(s);
    let mut lx = Lexer::new(s, raw_quotes, raw_escapes);
    lx.process_stop_on(None, raw_escapes).ok().map(|(_, w)| w)
}

fn is_re2_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

/// `ParseHeredoc` on one word: `Ok(None)` when it is not a heredoc, `Err` where BuildKit
/// rejects the file (the delimiter cannot be lexed, or lexes differently with raw quotes).
fn parse_heredoc(word: &str) -> Result<Option<HeredocWord>, String> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches(is_re2_space);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let bad = || format!("failed to process heredoc delimiter {rest:?}");
    let plain = words(rest, false, false).ok_or_else(bad)?;
    if plain.len() != 1 {
        return Ok(None);
    }
    let raw = words(rest, true, false).ok_or_else(bad)?;
    if raw.len() != plain.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    let (Some(name), Some(raw_word)) = (plain.into_iter().next(), raw.first()) else {
        return Ok(None);
    };
    Ok(Some(HeredocWord {
        expand: quotes(&name) == quotes(raw_word),
        name,
        chomp,
        fd: if digits == 0 {
            None
        } else {
            word[..digits].parse().ok()
        },
    }))
}

/// `heredocsFromLine`: the heredocs the logical line opens, in order.
/// The line's own lexing errors are ignored (no heredocs), as BuildKit does; a bad delimiter
/// is an error.
pub(crate) fn heredocs_from_line(line: &str) -> Result<Vec<HeredocWord>, String> {
    let mut out = Vec::new();
    for w in words(line, true, true).unwrap_or_default() {
        if let Some(h) = parse_heredoc(&w)? {
            out.push(h);
        }
    }
    Ok(out)
}
