//! The hand-written shell lexer (`src/shell`) checked against a full parser, tree-sitter-bash,
//! on every shell-form RUN body of the corpus: the same simple commands, in the same order,
//! with the same command names. Commands inside `$(...)`, backticks, process substitutions and
//! arithmetic are not split by our lexer (rules look at the top level), so they are left out
//! of tree-sitter's side too; bodies tree-sitter cannot parse are counted and skipped.

mod common;

use common::*;
use dockerfix::syntax;

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];
const ENDS: &[&str] = &["fi", "done", "esac", "}"];

/// Our commands' names, with leading shell keywords stripped; compound headers (`for x in`,
/// `case`) dropped.
fn ours(body: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for cmd in dockerfix::shell::commands(body)? {
        let mut words: Vec<&str> = cmd.words.iter().map(|w| w.value.as_str()).collect();
        while words.first().is_some_and(|w| KEYWORDS.contains(w)) {
            words.remove(0);
        }
        match words.first() {
            None => {}
            Some(w) if ENDS.contains(w) => {}
            Some(w) if matches!(*w, "for" | "case" | "select" | "function") => return None,
            Some(w) => out.push(unquote(w)),
        }
    }
    Some(out)
}

fn theirs(parser: &mut tree_sitter::Parser, body: &str) -> Option<Vec<String>> {
    let tree = parser.parse(body, None)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![root];
    let mut nodes = Vec::new();
    while let Some(node) = stack.pop() {
        match node.kind() {
            "command_substitution"
            | "process_substitution"
            | "arithmetic_expansion"
            | "heredoc_body"
            | "string"
            | "raw_string"
            | "expansion" => continue,
            "for_statement"
            | "c_style_for_statement"
            | "case_statement"
            | "function_definition" => {
                return None;
            }
            // `[ ... ]`, `export`, `unset` are commands to a shell (and to our lexer).
            "command" | "test_command" | "declaration_command" | "unset_command" => {
                nodes.push(node)
            }
            _ => {}
        }
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    nodes.sort_by_key(|n| n.start_byte());
    for n in nodes {
        let name = match n.kind() {
            "command" => n.child_by_field_name("name")?,
            _ => n.child(0)?,
        };
        let text = name.utf8_text(body.as_bytes()).ok()?;
        // Our lexer removes quotes and backslash escapes: compare names without them.
        out.push(unquote(text));
    }
    Some(out)
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn lexer_agrees_with_tree_sitter_bash_on_corpus_run_bodies() {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .expect("tree-sitter-bash");
    let (mut compared, mut skipped, mut failures) = (0, 0, Vec::new());
    for path in corpus_dockerfiles() {
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        let Ok(doc) = syntax::parse(&text) else {
            continue;
        };
        // The RUNs rules analyse: POSIX shell, not Windows files or a PowerShell SHELL.
        for run in dockerfix::rules::Context::new(&doc).shell_runs() {
            let (ins, body) = (run.ins, run.rest.slice(&run.ins.logical));
            // tree-sitter-bash reads `! { a | b; }` as a command named `{` (bash runs a negated
            // group): our lexer is right there, the comparison would not be.
            if body.contains("! {") {
                skipped += 1;
                continue;
            }
            match (ours(body), theirs(&mut parser, body)) {
                (Some(a), Some(b)) => {
                    compared += 1;
                    if a != b {
                        failures.push(format!(
                            "{}:{}: {body}\n  ours:        {a:?}\n  tree-sitter: {b:?}",
                            path.display(),
                            ins.start_line
                        ));
                    }
                }
                _ => skipped += 1,
            }
        }
    }
    eprintln!("{compared} RUN bodies compared, {skipped} skipped (compound or unparseable)");
    assert!(
        failures.is_empty(),
        "{} bodies differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(compared > 3000, "only {compared} compared");
}

/// Quote characters and backslash escapes removed (a rough POSIX quote removal, applied to
/// both sides so that only real splitting differences remain).
fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {}
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}
