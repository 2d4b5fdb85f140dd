//! What BuildKit reads from an instruction, for comparing two versions of a file: keyword,
//! flags, JSON or not, argument values (shell-form runs of whitespace count as one space) and
//! heredocs. The formatter checks its output against its input with this.

use super::{Args, Document, Instruction, Kind, Node};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meaning {
    pub keyword: String,
    pub sub_keyword: Option<String>,
    pub flags: Vec<String>,
    pub json: bool,
    pub values: Vec<String>,
    pub heredocs: Vec<(String, String)>,
}

fn push_values(ins: &Instruction, node: &Node, args: &Args, out: &mut Vec<String>) {
    let t = |s: super::Span| s.slice(&ins.logical).to_string();
    match args {
        Args::None => {}
        Args::Ignored => out.push(String::new()),
        Args::Json(v) => out.extend(v.iter().map(|a| a.value.clone())),
        Args::Text(s) => {
            if matches!(
                node.kind,
                Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell | Kind::Healthcheck
            ) {
                out.push(normalize_shell(s.slice(&ins.logical)));
            } else {
                out.push(t(*s));
            }
        }
        Args::Words(w) => {
            // `AS` in FROM is case-insensitive.
            let from = node.kind == Kind::From && w.len() == 3;
            out.extend(w.iter().enumerate().map(|(i, s)| match t(*s) {
                v if from && i == 1 && v.eq_ignore_ascii_case("as") => "AS".to_string(),
                v => v,
            }))
        }
        Args::Pairs(p) => {
            for pair in p {
                out.push(t(pair.key));
                out.push(t(pair.value));
            }
        }
        Args::Health { kind, cmd } => {
            out.push(t(*kind));
            push_values(ins, node, cmd, out);
        }
        Args::Sub(sub) => {
            out.extend(sub.flags.iter().map(|f| f.text.clone()));
            push_values(ins, sub, &sub.args, out);
        }
    }
}

impl Instruction {
    pub fn meaning(&self, doc: &Document) -> Meaning {
        let node = &self.node;
        let mut values = Vec::new();
        push_values(self, node, &node.args, &mut values);
        let sub_keyword = match &node.args {
            Args::Sub(sub) => Some(sub.keyword.slice(&self.logical).to_ascii_uppercase()),
            _ => None,
        };
        Meaning {
            keyword: node.keyword.slice(&self.logical).to_ascii_uppercase(),
            sub_keyword,
            flags: node.flags.iter().map(|f| f.text.clone()).collect(),
            json: node.is_json(),
            values,
            heredocs: self
                .heredocs
                .iter()
                .map(|h| (h.name.clone(), doc.slice(h.body).to_string()))
                .collect(),
        }
    }
}

impl Document {
    /// BuildKit's view of every instruction, plus the escape character.
    pub fn meaning(&self) -> (Vec<(String, String)>, char, Vec<Meaning>) {
        (
            self.directives()
                .map(|d| (d.name.clone(), d.value.clone()))
                .collect(),
            self.escape,
            self.instructions().map(|i| i.meaning(self)).collect(),
        )
    }
}

/// A shell command with each run of blanks outside quotes made one space: what a layout may
/// change without changing the command. Quoted text (single, double, backticks) and escaped
/// characters are kept as written, so a layout bug that touches them is seen.
pub(crate) fn normalize_shell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' && q != '\'' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => {
                    quote = Some(c);
                    out.push(c);
                }
                '\\' => {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                ' ' | '\t' => {
                    while matches!(chars.peek(), Some(' ' | '\t')) {
                        chars.next();
                    }
                    out.push(' ');
                }
                _ => out.push(c),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_shell;

    #[test]
    fn blanks_outside_quotes_only() {
        assert_eq!(normalize_shell("  echo   a\\  b  "), "echo a\\  b");
        assert_eq!(
            normalize_shell("echo \"a   b\"   'c  d'"),
            "echo \"a   b\" 'c  d'"
        );
        assert_ne!(
            normalize_shell("echo \"a   b\""),
            normalize_shell("echo \"a b\"")
        );
    }
}
