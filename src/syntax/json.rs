//! The exec-form test BuildKit applies: Go's `json.Unmarshal` into `[]any`, then "every element
//! is a string". Written here (rather than with serde_json) to get each string's span and Go's
//! exact acceptance rules (lone surrogates become U+FFFD, nesting limit), without recursion.

use super::{JsonArg, Span, is_go_space};

pub(crate) enum JsonOutcome {
    Strings(Vec<JsonArg>),
    /// Valid JSON array with a non-string element: BuildKit's parser rejects the file.
    NotStrings,
    /// Not a JSON array: BuildKit falls back to shell form.
    Invalid,
}

/// Go's encoding/json nesting limit.
const MAX_DEPTH: usize = 10_000;

struct Cursor<'a> {
    b: &'a [u8],
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }
    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.b.get(self.pos..).is_some_and(|r| r.starts_with(lit)) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// A JSON string starting at `"`; returns its decoded value.
    fn string(&mut self) -> Option<String> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.s.get(start..self.pos)?);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xd800..0xdc00).contains(&hi) {
                                let save = self.pos;
                                if self.eat(b"\\u") {
                                    let lo = self.hex4()?;
                                    if (0xdc00..0xe000).contains(&lo) {
                                        let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                                        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                        continue;
                                    }
                                }
                                self.pos = save;
                                out.push('\u{fffd}');
                            } else {
                                out.push(char::from_u32(hi).unwrap_or('\u{fffd}'));
                            }
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.pos..self.pos + 4)?;
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(h, 16).ok()
    }

    fn number(&mut self) -> Option<()> {
        self.eat(b"-");
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.pos += 1;
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    /// Skips any JSON value, iteratively.
    fn skip_value(&mut self) -> Option<()> {
        let mut stack: Vec<u8> = Vec::new();
        loop {
            self.ws();
            // A value.
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'[' | b'{' if stack.len() + 2 > MAX_DEPTH => {
                    // Go counts every bracket, the outer array included.
                    return None;
                }
                b'[' => {
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(b']');
                        continue;
                    }
                }
                b'{' => {
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        stack.push(b'}');
                        self.key()?;
                        continue;
                    }
                }
                b't' => self.eat(b"true").then_some(())?,
                b'f' => self.eat(b"false").then_some(())?,
                b'n' => self.eat(b"null").then_some(())?,
                _ => self.number()?,
            }
            // After a value: close containers or continue them.
            loop {
                let Some(&close) = stack.last() else {
                    return Some(());
                };
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        if close == b'}' {
                            self.ws();
                            self.key()?;
                        }
                        break;
                    }
                    c if c == close => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    fn key(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.string()?;
        self.ws();
        self.eat(b":").then_some(())
    }
}

pub(crate) fn parse_json_array(rest: &str, base: usize) -> JsonOutcome {
    let trimmed = rest.trim_start_matches(is_go_space);
    let off = rest.len() - trimmed.len();
    if !trimmed.starts_with('[') {
        return JsonOutcome::Invalid;
    }
    let mut c = Cursor {
        b: trimmed.as_bytes(),
        s: trimmed,
        pos: 1,
    };
    let mut args = Vec::new();
    let mut all_strings = true;
    c.ws();
    if c.peek() == Some(b']') {
        c.pos += 1;
    } else {
        loop {
            c.ws();
            let start = c.pos;
            if c.peek() == Some(b'"') {
                let Some(value) = c.string() else {
                    return JsonOutcome::Invalid;
                };
                args.push(JsonArg {
                    span: Span::new(base + off + start, base + off + c.pos),
                    value,
                });
            } else {
                if c.skip_value().is_none() {
                    return JsonOutcome::Invalid;
                }
                all_strings = false;
            }
            c.ws();
            match c.peek() {
                Some(b',') => c.pos += 1,
                Some(b']') => {
                    c.pos += 1;
                    break;
                }
                _ => return JsonOutcome::Invalid,
            }
        }
    }
    c.ws();
    if c.pos != c.b.len() {
        return JsonOutcome::Invalid;
    }
    if all_strings {
        JsonOutcome::Strings(args)
    } else {
        JsonOutcome::NotStrings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        // `depth` brackets in all, the outer array included.
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn nesting_limit_counts_every_bracket() {
        assert!(matches!(
            parse_json_array(&nested(MAX_DEPTH), 0),
            JsonOutcome::NotStrings
        ));
        assert!(matches!(
            parse_json_array(&nested(MAX_DEPTH + 1), 0),
            JsonOutcome::Invalid
        ));
        let empty = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(matches!(parse_json_array(&empty, 0), JsonOutcome::Invalid));
    }
}
