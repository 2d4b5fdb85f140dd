//! Suppression comments: dockerfix's own, hadolint's and BuildKit's `check=skip`, each mapped
//! through the rules' codes, names and aliases.
//!
//! - `# dockerfix: ignore=DF201,DF202 reason` in the comment block right above an instruction;
//! - `# dockerfix: ignore-file=DF401` anywhere: the whole file;
//! - `# dockerfix: stage ignore=DF301` above a `FROM`: the whole stage;
//! - `# hadolint ignore=DL3009` above an instruction, `# hadolint global ignore=...` anywhere;
//! - `# check=skip=Rule1,Rule2` (or `skip=all`) as a parser directive: the whole file, and as a
//!   comment above an instruction: that instruction.

use crate::rules::{self, Diagnostic, Rule};
use crate::syntax::{Document, Item, Kind, Span};

/// Which diagnostics the comments of a document suppress.
#[derive(Default, Debug)]
pub struct Suppressions {
    file: Vec<&'static Rule>,
    file_all: bool,
    /// (byte range covered, rules; empty = all)
    ranges: Vec<(Span, Vec<&'static Rule>, bool)>,
}

enum Scope {
    Instruction,
    Stage,
    File,
}

fn parse_list(list: &str) -> (Vec<&'static Rule>, bool) {
    let mut rules = Vec::new();
    let mut all = false;
    for sel in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if sel.eq_ignore_ascii_case("all") {
            all = true;
        } else {
            rules.extend(rules::select(sel));
        }
    }
    (rules, all)
}

/// Whether a comment's text is a suppression comment of any scope.
pub fn is_suppression(text: &str) -> bool {
    parse_comment(text.trim(), true).is_some()
}

/// Reads one comment's text (after `#`): the scope and the rules it names.
/// `hadolint`: whether `# hadolint ...` comments count (`[lint] hadolint-comments`).
fn parse_comment(text: &str, hadolint: bool) -> Option<(Scope, Vec<&'static Rule>, bool)> {
    let t = text.trim_start_matches('#').trim();
    let first_word = |s: &str| s.split_whitespace().next().unwrap_or("").to_string();
    if let Some(rest) = t.strip_prefix("dockerfix:") {
        let rest = rest.trim();
        let (scope, rest) = if let Some(r) = rest.strip_prefix("ignore-file=") {
            (Scope::File, r)
        } else if let Some(r) = rest.strip_prefix("stage ignore=") {
            (Scope::Stage, r)
        } else if let Some(r) = rest.strip_prefix("ignore=") {
            (Scope::Instruction, r)
        } else {
            return None;
        };
        let (rules, all) = parse_list(&first_word(rest));
        return Some((scope, rules, all));
    }
    if let Some(rest) = t.strip_prefix("hadolint").filter(|_| hadolint) {
        let rest = rest.trim_start();
        let (scope, rest) = if let Some(r) = rest.strip_prefix("global") {
            (Scope::File, r.trim_start())
        } else {
            (Scope::Instruction, rest)
        };
        let list = rest.strip_prefix("ignore=")?;
        let (rules, all) = parse_list(&first_word(list));
        return Some((scope, rules, all));
    }
    if let Some(rest) = t.strip_prefix("check") {
        let rest = rest.trim_start().strip_prefix('=')?.trim();
        // `check=skip=A,B;error=true`
        let skip = rest
            .split(';')
            .find_map(|p| p.trim().strip_prefix("skip="))?;
        let (rules, all) = parse_list(skip);
        return Some((Scope::Instruction, rules, all));
    }
    None
}

impl Suppressions {
    pub fn from_document(doc: &Document) -> Suppressions {
        Suppressions::read(doc, true)
    }

    /// [`Self::from_document`], with `# hadolint ...` comments counted or not
    /// (`[lint] hadolint-comments`, hadolint's `disable-ignore-pragma`).
    pub fn read(doc: &Document, hadolint: bool) -> Suppressions {
        let mut s = Suppressions::default();
        let mut pending: Vec<(Scope, Vec<&'static Rule>, bool)> = Vec::new();
        let instructions: Vec<_> = doc.instructions().collect();
        let mut next_ins = 0;
        for item in &doc.items {
            match item {
                Item::Directive(d) if d.name == "check" => {
                    if let Some((_, rules, all)) =
                        parse_comment(&format!("check={}", d.value), hadolint)
                    {
                        s.file.extend(rules);
                        s.file_all |= all;
                    }
                }
                Item::Comment(span) => {
                    if let Some((scope, rules, all)) =
                        parse_comment(doc.slice(*span).trim(), hadolint)
                    {
                        match scope {
                            Scope::File => {
                                s.file.extend(rules);
                                s.file_all |= all;
                            }
                            _ => pending.push((scope, rules, all)),
                        }
                    }
                }
                Item::Blank(_) => pending.clear(),
                Item::Instruction(ins) => {
                    // The instruction's own span, and for a stage comment, up to the next FROM.
                    let index = next_ins;
                    next_ins += 1;
                    for (scope, rules, all) in pending.drain(..) {
                        let end = match scope {
                            Scope::Stage if ins.kind() == Kind::From => instructions[index + 1..]
                                .iter()
                                .find(|i| i.kind() == Kind::From)
                                .map_or(doc.text.len(), |i| i.span.start),
                            _ => ins.span.end,
                        };
                        s.ranges.push((Span::new(ins.span.start, end), rules, all));
                    }
                }
                _ => {}
            }
        }
        s
    }

    /// Whether a suppression comment is attached to the instruction at this span (its comment
    /// block, or a stage comment above this FROM).
    pub fn attached_to(&self, instruction: Span) -> bool {
        self.ranges
            .iter()
            .any(|(span, _, _)| span.start == instruction.start)
    }

    pub fn is_suppressed(&self, d: &Diagnostic) -> bool {
        let named = |rules: &[&Rule]| rules.iter().any(|r| r.covers(d.rule));
        if self.file_all || named(&self.file) {
            return true;
        }
        self.ranges.iter().any(|(span, rules, all)| {
            span.start <= d.span.start
                && d.span.start < span.end.max(span.start + 1)
                && (*all || named(rules))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn codes(text: &str) -> Vec<&'static str> {
        let doc = parse(text).unwrap();
        let sup = Suppressions::from_document(&doc);
        // Two rules are enough to see what each comment suppresses.
        let only = |r: &Rule| matches!(r.code, "DF204" | "DF901");
        rules::check(&doc, &only)
            .into_iter()
            .filter(|d| !sup.is_suppressed(d))
            .map(|d| d.rule.code)
            .collect()
    }

    #[test]
    fn comment_forms() {
        let base = "FROM a\nRUN apt-get install x\n";
        assert_eq!(codes(base), ["DF204"]);
        assert!(
            codes("FROM a\n# dockerfix: ignore=DF204 legacy\nRUN apt-get install x\n").is_empty()
        );
        assert!(codes("FROM a\n# hadolint ignore=DL3014\nRUN apt-get install x\n").is_empty());
        assert!(
            codes("# hadolint global ignore=DL3014\nFROM a\nRUN apt-get install x\n").is_empty()
        );
        assert!(
            codes(
                "# dockerfix: ignore-file=package-manager-prompt\nFROM a\nRUN apt-get install x\n"
            )
            .is_empty()
        );
        assert!(codes("# check=skip=all\nFROM a\nMAINTAINER x\n").is_empty());
        assert!(codes("# check=skip=MaintainerDeprecated\nFROM a\nMAINTAINER x\n").is_empty());
        assert!(codes("FROM a\n# check=skip=MaintainerDeprecated\nMAINTAINER x\n").is_empty());
        // A blank line between the comment and the instruction ends its reach.
        assert_eq!(
            codes("FROM a\n# dockerfix: ignore=DF204\n\nRUN apt-get install x\n"),
            ["DF204"]
        );
        // Other rules are not affected.
        assert_eq!(
            codes("FROM a\n# hadolint ignore=DL3009\nRUN apt-get install x\n"),
            ["DF204"]
        );
        // `[lint] hadolint-comments = false`: hadolint's comments do not count, ours do.
        let text = "# hadolint global ignore=DL4000\nFROM a\n# hadolint ignore=DL3014\nRUN apt-get install x\n\
                    # dockerfix: ignore=DF901\nMAINTAINER x\n";
        let doc = parse(text).unwrap();
        let sup = Suppressions::read(&doc, false);
        let only = |r: &Rule| matches!(r.code, "DF204" | "DF901");
        let left: Vec<_> = rules::check(&doc, &only)
            .into_iter()
            .filter(|d| !sup.is_suppressed(d))
            .map(|d| d.rule.code)
            .collect();
        assert_eq!(left, ["DF204"]);
        assert!(codes(text).is_empty());
        // Stage scope.
        let staged = "# dockerfix: stage ignore=DF204\nFROM a\nRUN apt-get install x\nFROM b\nRUN apt-get install y\n";
        let doc = parse(staged).unwrap();
        let sup = Suppressions::from_document(&doc);
        let only = |r: &Rule| matches!(r.code, "DF204" | "DF901");
        let left: Vec<_> = rules::check(&doc, &only)
            .into_iter()
            .filter(|d| !sup.is_suppressed(d))
            .collect();
        assert_eq!(left.len(), 1);
        assert!(doc.slice(left[0].span).contains("apt-get install"));
        assert!(left[0].span.start > doc.text.find("FROM b").unwrap());
    }
}
