use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::settings::{AndPosition, MergeScope};
use crate::shell::{Command, Separator};
use crate::syntax::{Args, Instruction, Item, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF201",
    name: "mergeable-runs",
    aliases: &["DL3059"],
    summary: "Consecutive RUNs of one apt sequence: merge them into one layer",
    doc: "## What it does
Flags consecutive RUN instructions of a stage (nothing but comments between them) that are all
steps of one apt sequence (`apt-get update`, `apt-get install`, `apt-get clean`, removing
`/var/lib/apt/lists`), and merges them into one RUN laid out one package per line.

## Why is this bad?
Each RUN is a layer. `apt-get update` in a layer of its own is cached independently of the
install that needs it, so a later change to the install list reuses a stale index (the install
then fails or gets old packages); files deleted in a later layer still ship in the earlier one.

## Example
```dockerfile
RUN apt-get update
RUN apt-get install -y curl git
```
Use instead:
```dockerfile
RUN apt-get update \\
    && apt-get install -y \\
        curl \\
        git
```
The merged RUN is laid out as `format` keeps it: continuation lines one level in (the file's
own indentation, or `indent-style`/`indent-width`), packages one level deeper, `&&` where
`and-position` says (with `preserve`, where the file's RUNs put it; leading when they show
neither).

## Fix safety
Safe when the merge cannot change what runs: same RUN flags, no heredoc, only apt commands
chained with `&&` in every body (nothing like `cd` or `export` whose state would leak, no `;`,
`||`, `|` or `&` whose exit status would change), POSIX shell. Comments between or inside the
RUNs move above the merged RUN, text unchanged. Otherwise the RUNs are reported and not merged.
No fix either when a suppression comment (`# dockerfix: ignore=`, `# hadolint ignore=`,
`# check=skip=`) sits above or among the RUNs: above the merged RUN it would cover every
command, and findings it was never meant to hide would disappear. The findings of `scope =
\"consecutive\"` (below) have no fix: merging unrelated commands changes what the layer cache
reuses (a change to the second command re-runs the first), and the state one leaves (`cd`,
`export`) would reach the next.

## Options
`[lint.mergeable-runs] scope`: `\"apt-sequence\"` (the default) reports the apt sequences above.
`\"consecutive\"` also reports, as hadolint's DL3059 does, each RUN right after a RUN of the same
stage (comments and blank lines between them are fine) with the same flags, when both are one
command (`RUN mkdir /app`, then `RUN chmod 755 /app`). A RUN that chains commands (`a && b`) is
taken as a layer made on purpose: neither it nor the RUN after it is reported. Commands inside
`$(...)` and backquotes count, tests in brackets (`[ -f x ]`) do not, an exec-form RUN is one
command, as hadolint counts them. In PowerShell and `cmd` (Windows images, non-POSIX `SHELL`s)
a RUN is one command when it has no `;`, `&`, `|` or brace outside quotes. An apt sequence keeps
its own finding, with its fix, on its first RUN; its later RUNs are reported as consecutive
ones, so that a `# hadolint ignore=DL3059` above them keeps its meaning.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// Whether a command is a step of an apt sequence.
fn is_apt_step(cmd: &Command) -> bool {
    match cmd.program() {
        Some("apt-get" | "apt") => cmd.subcommand().is_some_and(|w| {
            !w.complex
                && matches!(
                    w.value.as_str(),
                    "update"
                        | "install"
                        | "upgrade"
                        | "dist-upgrade"
                        | "clean"
                        | "autoclean"
                        | "autoremove"
                        | "remove"
                        | "purge"
                )
        }),
        Some("rm") => cmd
            .operands()
            .chain(cmd.subcommand())
            .any(|w| w.value.starts_with("/var/lib/apt/lists")),
        _ => false,
    }
}

/// Whether a RUN is part of an apt sequence, and whether it can be merged safely.
fn classify(run: &ShellRun) -> Option<bool> {
    if run.commands.is_empty() || !run.commands.iter().all(is_apt_step) {
        return None;
    }
    let simple = run.ins.heredocs.is_empty()
        && run.commands.iter().all(|c| c.assignments.is_empty())
        && run.commands.split_last().is_some_and(|(last, init)| {
            init.iter().all(|c| c.separator == Separator::And) && last.separator == Separator::Group
        })
        && !run
            .script
            .contains(['#', '(', ')', '{', '}', ';', '|', '`']);
    Some(simple)
}

/// One command laid out: an install puts each package on its own line.
fn layout(run: &ShellRun, cmd: &Command, package_indent: &str) -> String {
    let text = |w: &crate::shell::Word| w.span.slice(run.script).to_string();
    let is_install = cmd.subcommand().is_some_and(|w| w.value == "install");
    let words: Vec<String> = cmd.words.iter().map(text).collect();
    if !is_install {
        return words.join(" ");
    }
    // Options (and the words up to `install`) stay on the first line; packages go one a line.
    let mut head = Vec::new();
    let mut packages = Vec::new();
    let mut after_install = false;
    for (w, t) in cmd.words.iter().zip(&words) {
        if after_install && !w.value.starts_with('-') {
            packages.push(t.clone());
        } else {
            head.push(t.clone());
        }
        if !after_install && w.value == "install" {
            after_install = true;
        }
    }
    let mut out = head.join(" ");
    for p in packages {
        out.push_str(" \\\n");
        out.push_str(package_indent);
        out.push_str(&p);
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    match ctx.options.merge_scope {
        MergeScope::AptSequence => {
            apt_sequences(ctx, out);
        }
        MergeScope::Consecutive => {
            let mut groups = Vec::new();
            apt_sequences(ctx, &mut groups);
            consecutive(ctx, groups, out);
        }
    }
}

/// Whether a RUN is one command, as hadolint's DL3059 counts them: the named commands of its
/// script, also those inside `$(...)` and backquotes, are at most one (an exec-form RUN is one;
/// a test in brackets is not counted). A script not read as a POSIX shell's (PowerShell or
/// `cmd` on Windows, a body the lexer cannot read) is one command when it has no separator
/// (`;`, `&`, `|`, braces) outside quotes; None for a heredoc there.
fn one_command(
    ins: &Instruction,
    runs: &[ShellRun],
    doc: &crate::syntax::Document,
) -> Option<bool> {
    let rest = match &ins.node.args {
        Args::Json(_) => return Some(true),
        Args::Text(rest) => rest.slice(&ins.logical),
        _ => return None,
    };
    let Ok(at) = runs.binary_search_by_key(&ins.span.start, |r| r.ins.span.start) else {
        if !ins.heredocs.is_empty() {
            return None;
        }
        return Some(!has_separator(rest, doc.escape));
    };
    let run = runs.get(at)?;
    // A test in brackets (`[ -f x ]`, `[[ ... ]]`) is a condition for hadolint's shell parser
    // (ShellCheck's), not a command.
    let named = crate::rules::common::all_command_lists(run)
        .iter()
        .flatten()
        .filter(|c| {
            crate::rules::common::command_words(c)
                .first()
                .is_some_and(|w| !matches!(w.value.as_str(), "[" | "[["))
        })
        .count();
    Some(named <= 1)
}

/// Whether a command line of PowerShell or `cmd` has a separator of commands or a block outside
/// quotes (`;`, `&`, `|`, `{`, `}`), the escape character escaping the next one.
fn has_separator(text: &str, escape: char) -> bool {
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, c) if c == escape => {
                chars.next();
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ';' | '&' | '|' | '{' | '}' | '\n') => return true,
            _ => {}
        }
    }
    false
}

/// `scope = "consecutive"`: each RUN right after a RUN of the same stage (nothing but comments
/// and blank lines between them) with the same flags, when both are one command, as hadolint's
/// DL3059. A RUN that chains commands is taken as a deliberate layer. An apt sequence keeps its
/// finding (and its fix) on its first RUN, which gets no second one; its later RUNs get theirs,
/// as in hadolint. No fix: merging unrelated commands changes what the layer cache reuses.
fn consecutive(ctx: &Context, groups: Vec<Diagnostic>, out: &mut Vec<Diagnostic>) {
    let runs = ctx.shell_runs();
    let mut groups = groups.into_iter().peekable();
    // The RUN before this instruction, when it is one: its flags and whether it is one command.
    let mut previous: Option<(Vec<&str>, bool)> = None;
    for ins in ctx.doc.instructions() {
        // The apt sequence's finding on this RUN, if it is the first of one.
        let mut first_of_group = false;
        while let Some(g) = groups.next_if(|g| g.span.start < ins.span.end) {
            first_of_group |= g.span.start >= ins.span.start;
            out.push(g);
        }
        if ins.kind() != Kind::Run {
            previous = None;
            continue;
        }
        let flags: Vec<&str> = ins.node.flags.iter().map(|f| f.text.as_str()).collect();
        let one = one_command(ins, runs, ctx.doc) == Some(true);
        if let Some((before, true)) = &previous
            && one
            && *before == flags
            && !first_of_group
        {
            out.push(Diagnostic::new(
                &RULE,
                ins.to_source(ins.node.keyword),
                "consecutive RUN instructions, one command each: consider merging this one into the RUN above (one layer)",
            ));
        }
        previous = Some((flags, one));
    }
    out.extend(groups);
}

/// The apt sequences (the default scope): one finding per group of consecutive apt RUNs, on
/// its first RUN.
fn apt_sequences(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.doc.escape != '\\' {
        return;
    }
    let runs = ctx.shell_runs();
    // Instruction starts, in order: two RUNs are consecutive when their indices are.
    let starts: Vec<usize> = ctx.doc.instructions().map(|i| i.span.start).collect();
    // The file's suppression comments, read once (per group, a file of many groups was
    // quadratic: the 2.5 MB file spent a fifth of its time here).
    let mut suppressions: Option<crate::suppress::Suppressions> = None;
    // Whether the file's RUNs put `&&` at line ends, read once (it reads every RUN).
    let mut prefers_trailing: Option<bool> = None;
    // The items (comments, instructions) inside a span, found by binary search: items are in
    // file order.
    let items_within = |span: Span| {
        let items = &ctx.doc.items;
        let lo = items.partition_point(|it| it.span().start < span.start);
        let hi = items.partition_point(|it| it.span().start <= span.end);
        items
            .get(lo..hi.max(lo))
            .unwrap_or_default()
            .iter()
            .filter(move |it| it.span().end <= span.end)
    };
    let mut i = 0;
    while let Some(run) = runs.get(i) {
        let Some(first_ok) = classify(run) else {
            i += 1;
            continue;
        };
        // Extend over RUNs that follow directly (only comments and blank lines between).
        let mut j = i;
        let mut safe = first_ok;
        while let (Some(a), Some(b)) = (runs.get(j), runs.get(j + 1)) {
            let Some(ok) = classify(b) else { break };
            let index = |r: &ShellRun| starts.binary_search(&r.ins.span.start).ok();
            let adjacent = a.stage == b.stage
                && matches!((index(a), index(b)), (Some(x), Some(y)) if y == x + 1);
            if !adjacent {
                break;
            }
            let flags = |r: &ShellRun| {
                r.ins
                    .node
                    .flags
                    .iter()
                    .map(|f| f.text.clone())
                    .collect::<Vec<_>>()
            };
            safe &= ok && flags(a) == flags(b);
            j += 1;
        }
        if j == i {
            i += 1;
            continue;
        }
        let group = runs.get(i..=j).unwrap_or_default();
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            i = j + 1;
            continue;
        };
        let (first, last) = (first.ins, last.ins);
        let mut diag = Diagnostic::new(
            &RULE,
            first.to_source(first.node.keyword),
            format!(
                "{} consecutive RUNs of one apt sequence: merge them into one layer",
                group.len()
            ),
        );
        // A suppression comment above or among the RUNs would, above the merged RUN, cover
        // commands it did not cover: a finding it never meant to hide would disappear.
        let suppressions = suppressions
            .get_or_insert_with(|| crate::suppress::Suppressions::from_document(ctx.doc));
        let span = Span::new(first.span.start, last.span.end);
        let suppression_moved = group.iter().any(|r| suppressions.attached_to(r.ins.span))
            || items_within(span).any(|item| match item {
                Item::Comment(c) => crate::suppress::is_suppression(ctx.doc.slice(*c)),
                Item::Instruction(ins) => ins
                    .inner_comments
                    .iter()
                    .any(|c| crate::suppress::is_suppression(ctx.doc.slice(*c))),
                _ => false,
            });
        if suppression_moved {
            diag.message.push_str(
                " (not merged here: a suppression comment above one of them would cover the others)",
            );
        }
        if safe && !suppression_moved {
            let doc = ctx.doc;
            // Comments inside the range, in order, each on its own line (text unchanged).
            let mut comments = String::new();
            for item in items_within(span) {
                match item {
                    Item::Comment(c) => comments.push_str(&line(doc.slice(*c))),
                    Item::Instruction(ins) => {
                        for c in &ins.inner_comments {
                            comments.push_str(&line(doc.slice(*c)));
                        }
                    }
                    _ => {}
                }
            }
            let keyword = first
                .to_source(first.node.keyword)
                .slice(&doc.text)
                .to_string();
            let flags: Vec<&str> = first
                .node
                .flags
                .iter()
                .map(|f| f.span.slice(&first.logical))
                .collect();
            let mut merged = keyword;
            for f in flags {
                merged.push(' ');
                merged.push_str(f);
            }
            // Laid out as `format` keeps it: continuation lines one level in (the file's
            // indentation, or `[format]`'s), packages one level deeper, `&&` where `and-position` says (with `preserve`, where the
            // file's RUNs have it; leading when they show neither).
            let indent = ctx.indent().unit.clone();
            let package_indent = indent.repeat(2);
            let trailing = match ctx.options.format.and_position {
                AndPosition::Leading => false,
                AndPosition::Trailing => true,
                AndPosition::Preserve => {
                    *prefers_trailing.get_or_insert_with(|| file_prefers_trailing(ctx))
                }
            };
            let commands: Vec<String> = group
                .iter()
                .flat_map(|r| {
                    let package_indent = &package_indent;
                    r.commands.iter().map(move |c| layout(r, c, package_indent))
                })
                .collect();
            merged.push(' ');
            let join = if trailing {
                format!(" && \\\n{indent}")
            } else {
                format!(" \\\n{indent}&& ")
            };
            merged.push_str(&commands.join(&join));
            let newline = if doc.slice(last.span).ends_with("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let ends_with_newline = doc.slice(last.span).ends_with('\n');
            let mut text = comments.replace('\n', newline);
            text.push_str(&merged.replace('\n', newline));
            if ends_with_newline {
                text.push_str(newline);
            }
            diag = diag.with_fix(Fix::safe("Merge the RUNs", vec![Edit::replace(span, text)]));
        }
        out.push(diag);
        i = j + 1;
    }
}

/// A comment line without its leading blanks, with a newline.
fn line(s: &str) -> String {
    let t = s
        .trim_start_matches([' ', '\t'])
        .trim_end_matches(['\r', '\n']);
    format!("{t}\n")
}

/// Whether the file's RUNs put `&&` at the end of their lines (`cmd && \`) rather than at the
/// start of the next (`&& cmd`).
fn file_prefers_trailing(ctx: &Context) -> bool {
    let (mut leading, mut trailing) = (0, 0);
    for ins in ctx.doc.instructions().filter(|i| i.kind() == Kind::Run) {
        for line in ctx.doc.slice(ins.span).lines() {
            let line = line.trim_end_matches('\r').trim();
            if line.starts_with("&&") {
                leading += 1;
            }
            if line
                .strip_suffix('\\')
                .is_some_and(|l| l.trim_end().ends_with("&&"))
            {
                trailing += 1;
            }
        }
    }
    trailing > leading
}
