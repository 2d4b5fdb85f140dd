//! What the server computes for one document, as plain functions of its text and path: the
//! diagnostics, the code actions, the formatting edits and the hover. Each one finds the
//! file's settings and build context as `dockerfix check` does, and calls the library
//! (`dockerfix::lint`, `dockerfix::fix`, `dockerfix::format`); the caller runs it under
//! [`crate::guard::contain`].

use super::position::{Encoding, LineIndex};
use crate::context::BuildContext;
use crate::fix::Applicability;
use crate::rules::{self, Severity};
use crate::settings::{self, Settings};
use crate::syntax::{self, Document, Item};
use crate::{FileOptions, suppress};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, CreateFile,
    CreateFileOptions, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentChangeOperation, DocumentChanges, Location, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, ResourceOp, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// The kind of the "fix all safe" action: `source.fixAll` for dockerfix, which editors run on
/// save when asked (`"editor.codeActionsOnSave": {"source.fixAll.dockerfix": "explicit"}`).
pub const FIX_ALL: &str = "source.fixAll.dockerfix";

/// The name the server gives its diagnostics' `source`.
pub const SOURCE: &str = "dockerfix";

/// What the client's workspace edits can carry (from its capabilities).
#[derive(Clone, Copy, Debug, Default)]
pub struct EditSupport {
    /// `documentChanges`: an edit names the version it was made for, and the client refuses
    /// it if the document has changed since.
    pub versioned: bool,
    /// `resourceOperations` includes `create`: a fix may create a file (DF102's
    /// `.dockerignore`).
    pub create_files: bool,
}

/// One document as the client has it.
pub struct Doc<'a> {
    pub uri: &'a Uri,
    /// The client's version of this text.
    pub version: i32,
    pub text: &'a str,
    /// The file on disk, for a `file:` URI.
    pub path: Option<&'a Path>,
    pub encoding: Encoding,
}

impl Doc<'_> {
    fn range(&self, index: &LineIndex, start: usize, end: usize) -> Range {
        Range::new(
            index.position(self.text, start, self.encoding),
            index.position(self.text, end, self.encoding),
        )
    }
}

/// The settings of a document, found as `dockerfix check` finds them for a path (the closest
/// `dockerfix.toml` or `.dockerfix.toml`, `extend` followed); for a document that is not a
/// file, as for standard input without `--stdin-filename` (from the current folder). Read
/// again for every analysis, so an edited config counts from the next one.
pub fn settings_for(path: Option<&Path>) -> Result<Settings, String> {
    let path = path.unwrap_or(Path::new("-"));
    settings::resolve(settings::config_for_file(path).as_deref()).map_err(|e| e.to_string())
}

/// The build context of a document, as `dockerfix check` chooses it without `--context`
/// (`[[contexts]]`, a compose or bake file above, else its folder), read afresh for each
/// analysis so that an edited compose file counts; none for a document that is not a file.
pub fn build_context(path: Option<&Path>, settings: &Settings) -> Option<BuildContext> {
    let file = path?;
    let chosen = crate::context::choose::ContextChooser::default().choose(file, None, settings);
    Some(BuildContext::chosen(chosen).for_dockerfile(file))
}

/// A document's parsed text and settings, or the diagnostic that says why there are none (a
/// bad config, a parse error).
struct Prepared {
    doc: Document,
    settings: Settings,
    context: Option<BuildContext>,
}

fn prepare(d: &Doc, index: &LineIndex) -> Result<Prepared, Box<Diagnostic>> {
    let problem = |range: Range, message: String| {
        Box::new(Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(SOURCE.into()),
            message,
            ..Default::default()
        })
    };
    let settings = settings_for(d.path).map_err(|e| problem(Range::default(), e))?;
    let doc = syntax::parse(d.text).map_err(|e| {
        // The error's offset, to the end of its line.
        let start = e.offset.min(d.text.len());
        let end = d
            .text
            .get(start..)
            .and_then(|rest| rest.find(['\r', '\n']))
            .map_or(d.text.len(), |n| start + n);
        problem(d.range(index, start, end), e.message)
    })?;
    Ok(Prepared {
        doc,
        context: build_context(d.path, &settings),
        settings,
    })
}

fn lint(p: &Prepared, path: Option<&Path>) -> Vec<rules::Diagnostic> {
    crate::lint(
        &p.doc,
        &p.settings,
        &FileOptions {
            path,
            context: p.context.as_ref(),
            ..Default::default()
        },
    )
}

/// A dockerfix diagnostic as LSP shows it: the rule's code with a link to its documentation,
/// its severity, the message followed by the rule's name, and, where the fix edits outside
/// the diagnostic's range, those places as related information.
fn to_lsp(d: &Doc, index: &LineIndex, diag: &rules::Diagnostic) -> Diagnostic {
    let code = diag.rule.code;
    let related: Vec<DiagnosticRelatedInformation> = diag
        .fix
        .iter()
        .flat_map(|f| f.edits.iter().map(move |e| (f, e)))
        .filter(|(_, e)| e.span.start < diag.span.start || e.span.end > diag.span.end)
        .map(|(f, e)| DiagnosticRelatedInformation {
            location: Location::new(d.uri.clone(), d.range(index, e.span.start, e.span.end)),
            message: format!("the fix ({}) edits here", f.title),
        })
        .collect();
    Diagnostic {
        range: d.range(index, diag.span.start, diag.span.end),
        severity: Some(match diag.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(code.to_string())),
        code_description: crate::project::rule_url(code)
            .and_then(|url| Uri::from_str(&url).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.into()),
        message: format!("{} ({})", diag.message, diag.rule.name),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// The diagnostics of a document: the rules' findings, or the one error that stops them (a
/// config that does not load, a text BuildKit's parser rejects).
pub fn diagnostics(d: &Doc) -> Vec<Diagnostic> {
    let index = LineIndex::new(d.text);
    match prepare(d, &index) {
        Ok(p) => lint(&p, d.path)
            .iter()
            .map(|diag| to_lsp(d, &index, diag))
            .collect(),
        Err(problem) => vec![*problem],
    }
}

fn edits_for(d: &Doc, index: &LineIndex, edits: &[crate::fix::Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit::new(d.range(index, e.span.start, e.span.end), e.content.clone()))
        .collect()
}

/// The workspace edit of an action: the document's edits (naming its version where the client
/// supports it) and the files the fix creates (None when the client cannot create files).
fn workspace_edit(
    d: &Doc,
    edits: Vec<TextEdit>,
    files: &[(Uri, String)],
    support: EditSupport,
) -> Option<WorkspaceEdit> {
    let can_create = support.create_files && support.versioned;
    if !files.is_empty() && !can_create {
        return None;
    }
    if !support.versioned {
        return Some(WorkspaceEdit {
            changes: Some(HashMap::from([(d.uri.clone(), edits)])),
            ..Default::default()
        });
    }
    let edit = |uri: &Uri, version: Option<i32>, edits: Vec<TextEdit>| TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version,
        },
        edits: edits.into_iter().map(OneOf::Left).collect(),
    };
    let own = edit(d.uri, Some(d.version), edits);
    if files.is_empty() {
        return Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![own])),
            ..Default::default()
        });
    }
    let mut ops = Vec::new();
    for (uri, content) in files {
        // Never over an existing file: the client refuses the whole edit if it exists.
        ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
            CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
        let whole = Range::default();
        ops.push(DocumentChangeOperation::Edit(edit(
            uri,
            None,
            vec![TextEdit::new(whole, content.clone())],
        )));
    }
    ops.push(DocumentChangeOperation::Edit(own));
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..Default::default()
    })
}

/// Whether a client that asked only for `only` kinds wants an action of `kind`
/// (`source` covers `source.fixAll.dockerfix`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|kinds| {
        kinds.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// The code actions for a byte range of a document: each diagnostic's fix there as a quick
/// fix (a Safe one preferred, an Unsafe one labelled), "ignore CODE for this line" as a
/// suppression comment, and "fix all safe" for the whole document.
pub fn code_actions(
    d: &Doc,
    (start, end): (usize, usize),
    only: Option<&[CodeActionKind]>,
    support: EditSupport,
) -> Vec<CodeActionOrCommand> {
    let index = LineIndex::new(d.text);
    let Ok(p) = prepare(d, &index) else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        let found = lint(&p, d.path);
        let of_rule = |rule: &rules::Rule| found.iter().filter(|f| f.rule == rule).count();
        for diag in &found {
            if diag.span.start > end || diag.span.end < start {
                continue;
            }
            let shown = to_lsp(d, &index, diag);
            let code = diag.rule.code;
            if let Some(fix) = diag
                .fix
                .as_ref()
                .filter(|f| f.applicability != Applicability::DisplayOnly)
            {
                let safe = fix.applicability == Applicability::Safe;
                // The files it creates, in the build context (DF102's `.dockerignore`).
                let files: Option<Vec<(Uri, String)>> = fix
                    .files
                    .iter()
                    .map(|f| {
                        let root = p.context.as_ref()?.root();
                        Some((super::file_uri(&root.join(&f.path))?, f.content.clone()))
                    })
                    .collect();
                let edit = files.and_then(|files| {
                    workspace_edit(d, edits_for(d, &index, &fix.edits), &files, support)
                });
                if let Some(edit) = edit {
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: if safe {
                            format!("dockerfix ({code}): {}", fix.title)
                        } else {
                            format!("dockerfix ({code}): {} (unsafe)", fix.title)
                        },
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![shown.clone()]),
                        edit: Some(edit),
                        is_preferred: Some(safe),
                        ..Default::default()
                    }));
                }
            }
            let ignore = ignore_edit(&p.doc, diag.span.start, code)
                .filter(|e| suppresses(&p, d.path, e, diag.rule, of_rule(diag.rule)))
                .and_then(|e| workspace_edit(d, edits_for(d, &index, &[e]), &[], support));
            if let Some(edit) = ignore {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("dockerfix: ignore {code} for this line"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![shown]),
                    edit: Some(edit),
                    ..Default::default()
                }));
            }
        }
    }
    if wanted(only, FIX_ALL)
        && let Some(edit) = fix_all(d, &p)
    {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: "dockerfix: fix all safe".into(),
            kind: Some(CodeActionKind::from(FIX_ALL)),
            edit: workspace_edit(d, edits_for(d, &index, &[edit]), &[], support),
            ..Default::default()
        }));
    }
    actions
}

/// Whether the suppression comment `edit` adds leaves fewer findings of `rule` than the
/// `before` there are (checked, not assumed, before the action is offered).
fn suppresses(
    p: &Prepared,
    path: Option<&Path>,
    edit: &crate::fix::Edit,
    rule: &rules::Rule,
    before: usize,
) -> bool {
    let (text, _) = crate::fix::apply(
        &p.doc.text,
        &[&crate::fix::Fix::safe("ignore", vec![edit.clone()])],
    );
    let Ok(doc) = syntax::parse(&text) else {
        return false;
    };
    let count = |found: Vec<rules::Diagnostic>| found.iter().filter(|d| d.rule == rule).count();
    let after = Prepared {
        doc,
        settings: p.settings.clone(),
        context: p.context.clone(),
    };
    count(lint(&after, path)) < before
}

/// The edit that suppresses `code` for the instruction at `offset`: the code added to the
/// `# dockerfix: ignore=` comment right above it, else a new such comment above it (with the
/// instruction's indentation and line ending). None outside an instruction.
fn ignore_edit(doc: &Document, offset: usize, code: &str) -> Option<crate::fix::Edit> {
    let text = doc.text.as_str();
    let mut block: Vec<syntax::Span> = Vec::new();
    for item in &doc.items {
        match item {
            Item::Comment(span) => block.push(*span),
            Item::Instruction(ins)
                if ins.span.start <= offset && offset < ins.span.end.max(ins.span.start + 1) =>
            {
                for span in &block {
                    let comment = doc.slice(*span);
                    let body = comment.trim_start().trim_start_matches('#').trim_start();
                    let Some(rest) = body.strip_prefix("dockerfix:") else {
                        continue;
                    };
                    let rest = rest.trim_start();
                    if let Some(list) = rest.strip_prefix("ignore=") {
                        // `list` is a suffix of the comment: where it starts, and its end.
                        let list_len = list.find(char::is_whitespace).unwrap_or(list.len());
                        let at = span.start + (comment.len() - list.len()) + list_len;
                        return Some(crate::fix::Edit::insert(at, format!(",{code}")));
                    }
                }
                let line_start = text.get(..ins.span.start)?.rfind('\n').map_or(0, |n| n + 1);
                let line = text.get(line_start..)?;
                let indent = line.get(..line.len() - line.trim_start_matches([' ', '\t']).len())?;
                let line_end = text
                    .get(ins.span.start..)?
                    .find('\n')
                    .map(|n| ins.span.start + n);
                let eol = match line_end {
                    Some(n) if n > 0 && text.as_bytes().get(n - 1) == Some(&b'\r') => "\r\n",
                    _ => "\n",
                };
                return Some(crate::fix::Edit::insert(
                    line_start,
                    format!("{indent}# dockerfix: ignore={code}{eol}"),
                ));
            }
            Item::Instruction(_) | Item::Blank(_) => block.clear(),
            _ => {}
        }
    }
    None
}

/// The one edit that turns `old` into `new`: the part between their common prefix and
/// suffix (on character boundaries).
fn minimal_edit(old: &str, new: &str) -> Option<crate::fix::Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(crate::fix::Edit::replace(
        syntax::Span::new(prefix, old.len() - suffix),
        new.get(prefix..new.len() - suffix)?.to_string(),
    ))
}

/// "Fix all safe": `dockerfix check --fix` on the document (Safe fixes only, none that
/// creates a file, none on a generated file), as one edit. None when nothing changes.
fn fix_all(d: &Doc, p: &Prepared) -> Option<crate::fix::Edit> {
    if crate::generated_marker(d.text).is_some() {
        return None;
    }
    let outcome = crate::fix(
        d.text,
        &p.settings,
        &FileOptions {
            path: d.path,
            context: p.context.as_ref(),
            unsafe_fixes: false,
            no_new_files: true,
            shellcheck: None,
        },
    )
    .ok()?;
    minimal_edit(d.text, &outcome.text)
}

/// Why a document is not formatted.
#[derive(Debug)]
pub enum NotFormatted {
    /// Its header says it is generated (`dockerfix format` leaves it too).
    Generated(&'static str),
    /// The config does not load, or the formatter refused the text (it does not parse).
    Error(String),
}

/// The edits of `dockerfix format` on the document, with the document's settings (the
/// client's tab size and spaces are not used: `[format]` decides, as on the command line).
/// With a range: only the changed lines that touch it.
pub fn format_edits(d: &Doc, range: Option<(usize, usize)>) -> Result<Vec<TextEdit>, NotFormatted> {
    if let Some(marker) = crate::generated_marker(d.text) {
        return Err(NotFormatted::Generated(marker));
    }
    let settings = settings_for(d.path).map_err(NotFormatted::Error)?;
    let new = crate::format::format(d.text, &settings.format)
        .map_err(|e| NotFormatted::Error(e.to_string()))?;
    let index = LineIndex::new(d.text);
    // The texts are compared item by item (an instruction with its continuation lines, a
    // comment line, a blank line): an edit never takes part of an instruction's new layout
    // (a `&&` moved to the next line) without the rest.
    let old_items = items(d.text);
    let new_items = items(&new);
    let mut old_starts = Vec::with_capacity(old_items.len() + 1);
    let mut at = 0;
    for item in &old_items {
        old_starts.push(at);
        at += item.len();
    }
    old_starts.push(at);
    let mut edits = Vec::new();
    let mut change = |old: std::ops::Range<usize>, new: std::ops::Range<usize>| {
        let start = old_starts.get(old.start).copied().unwrap_or(d.text.len());
        let end = old_starts.get(old.end).copied().unwrap_or(d.text.len());
        if let Some((from, to)) = range
            && (start > to || end < from || (end == from && start < end))
        {
            return;
        }
        let content: String = new_items.get(new).unwrap_or_default().concat();
        edits.push(TextEdit::new(d.range(&index, start, end), content));
    };
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_items, &new_items) {
        let (old, new) = (op.old_range(), op.new_range());
        match op {
            similar::DiffOp::Equal { .. } => {}
            // Items changed one for one (the usual case: each instruction laid out anew):
            // one edit each, so that a range takes only its own.
            similar::DiffOp::Replace { .. } if old.len() == new.len() => {
                for (o, n) in old.zip(new) {
                    change(o..o + 1, n..n + 1);
                }
            }
            _ => change(old, new),
        }
    }
    Ok(edits)
}

/// A text cut into its items (see [`syntax::Item`]), or into lines if it does not parse.
fn items(text: &str) -> Vec<&str> {
    match syntax::parse(text) {
        Ok(doc) => doc
            .items
            .iter()
            .filter_map(|i| text.get(i.span().start..i.span().end))
            .collect(),
        Err(_) => text.split_inclusive('\n').collect(),
    }
}

/// The documentation of the rule named under `offset` in a suppression comment
/// (`# dockerfix: ignore=DF204`, `# hadolint ignore=DL3008`, `# check=skip=...`), as
/// `dockerfix rule CODE` prints it, with the byte range of the name.
pub fn hover(text: &str, offset: usize) -> Option<(String, (usize, usize))> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |n| n + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |n| offset + n);
    let line = text.get(line_start..line_end)?.trim_end_matches('\r');
    if !line.trim_start().starts_with('#') || !suppress::is_suppression(line) {
        return None;
    }
    // The list of codes: after the first `ignore-file=`, `ignore=` or `skip=`, up to a blank
    // (or `;`, which separates `check=` options).
    let list_from = ["ignore-file=", "ignore=", "skip="]
        .iter()
        .filter_map(|k| line.find(k).map(|i| i + k.len()))
        .min()?;
    let list = line.get(list_from..)?;
    let list = list.get(..list.find([' ', '\t', ';']).unwrap_or(list.len()))?;
    let cursor = offset - line_start;
    let mut at = list_from;
    for word in list.split(',') {
        let (from, to) = (at, at + word.len());
        at = to + 1;
        if (from..=to).contains(&cursor) {
            let rule = rules::lookup(word.trim())?;
            return Some((rules::explain(rule), (line_start + from, line_start + to)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hover_names_the_rule_under_the_cursor() {
        let text = "FROM a\r\n# hadolint ignore=DL3008,DF204 reason\r\nRUN x\n";
        let at = |needle: &str| text.find(needle).unwrap();
        let (doc, range) = hover(text, at("DF204") + 2).unwrap();
        assert!(doc.starts_with("# package-manager-prompt (DF204)"), "{doc}");
        assert_eq!(range, (at("DF204"), at("DF204") + 5));
        let (doc, _) = hover(text, at("DL3008")).unwrap();
        assert!(doc.contains("(DF404)"), "{doc}");
        assert!(hover(text, at("reason") + 1).is_none());
        assert!(hover(text, at("FROM")).is_none());
        let skip = "# check=skip=MaintainerDeprecated;error=true\nFROM a\n";
        assert!(hover(skip, 20).unwrap().0.contains("(DF901)"));
        assert!(hover("# just a comment DF204\n", 18).is_none());
    }

    #[test]
    fn ignore_comment_is_inserted_or_extended() {
        let edit = |text: &str, needle: &str, code: &str| {
            let doc = syntax::parse(text).unwrap();
            let e = ignore_edit(&doc, text.find(needle).unwrap(), code).unwrap();
            let mut out = text.to_string();
            out.replace_range(e.span.start..e.span.end, &e.content);
            out
        };
        assert_eq!(
            edit("FROM a\r\n  RUN apt-get install x\r\n", "apt", "DF204"),
            "FROM a\r\n  # dockerfix: ignore=DF204\r\n  RUN apt-get install x\r\n"
        );
        assert_eq!(
            edit(
                "FROM a\n# dockerfix: ignore=DF203 why\nRUN apt-get install x\n",
                "apt",
                "DF204"
            ),
            "FROM a\n# dockerfix: ignore=DF203,DF204 why\nRUN apt-get install x\n"
        );
        // A comment above a blank line is not attached.
        assert_eq!(
            edit(
                "FROM a\n# dockerfix: ignore=DF203\n\nRUN apt-get install x\n",
                "apt",
                "DF204"
            ),
            "FROM a\n# dockerfix: ignore=DF203\n\n# dockerfix: ignore=DF204\nRUN apt-get install x\n"
        );
    }

    fn doc<'a>(uri: &'a Uri, text: &'a str) -> Doc<'a> {
        Doc {
            uri,
            version: 1,
            text,
            path: None,
            encoding: Encoding::Utf16,
        }
    }

    #[test]
    fn range_formatting_takes_whole_instructions() {
        let uri = Uri::from_str("untitled:x").unwrap();
        let text = "from a\nrun  echo a &&\\\n      echo b\ncmd   [\"x\"]\n";
        let d = doc(&uri, text);
        let all = format_edits(&d, None).unwrap();
        assert_eq!(all.len(), 3, "one edit per changed instruction: {all:?}");
        // A range inside the RUN's continuation line: the whole RUN, nothing else.
        let at = text.find("echo b").unwrap();
        let some = format_edits(&d, Some((at, at + 1))).unwrap();
        assert_eq!(some.len(), 1, "{some:?}");
        assert_eq!(some[0].range.start.line, 1);
        assert_eq!(some[0].range.end.line, 3);
        // The file's own indentation (six spaces) is kept.
        assert_eq!(some[0].new_text, "RUN echo a && \\\n      echo b\n");
        assert!(format_edits(&doc(&uri, "# DO NOT EDIT\nfrom a\n"), None).is_err());
    }

    #[test]
    fn actions_for_a_finding() {
        let uri = Uri::from_str("untitled:x").unwrap();
        let text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install curl\n";
        let d = doc(&uri, text);
        let at = text.find("install").unwrap();
        let titles = |only: Option<&[CodeActionKind]>| -> Vec<String> {
            code_actions(&d, (at, at), only, EditSupport::default())
                .into_iter()
                .map(|a| match a {
                    CodeActionOrCommand::CodeAction(a) => a.title,
                    CodeActionOrCommand::Command(c) => c.title,
                })
                .collect()
        };
        let all = titles(None);
        for want in [
            "dockerfix: ignore DF204 for this line",
            "dockerfix: ignore DF203 for this line",
            "dockerfix: fix all safe",
        ] {
            assert!(all.iter().any(|t| t == want), "{want} in {all:?}");
        }
        assert!(
            all.iter()
                .any(|t| t.starts_with("dockerfix (DF203)") && t.ends_with("(unsafe)"))
        );
        let fix_all = titles(Some(&[CodeActionKind::SOURCE]));
        assert_eq!(fix_all, ["dockerfix: fix all safe"]);
        assert!(titles(Some(&[CodeActionKind::REFACTOR])).is_empty());
        // Outside the finding: only the whole-document action.
        assert_eq!(
            code_actions(&d, (0, 1), None, EditSupport::default()).len(),
            1
        );
    }

    #[test]
    fn minimal_edits() {
        let e = minimal_edit("aé b", "aé  b").unwrap();
        assert_eq!((e.span.start, e.span.end, e.content.as_str()), (4, 4, " "));
        let e = minimal_edit("x𝄞y", "x𝄟y").unwrap();
        assert_eq!((e.span.start, e.span.end, e.content.as_str()), (1, 5, "𝄟"));
        assert!(minimal_edit("same", "same").is_none());
    }
}
