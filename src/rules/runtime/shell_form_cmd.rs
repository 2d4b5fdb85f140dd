use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{base_image_of, stage_chain, stage_parent};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Instruction, Kind, Node, Span};

pub static RULE: Rule = Rule {
    code: "DF302",
    name: "shell-form-cmd",
    aliases: &["DL3025", "JSONArgsRecommended"],
    summary: "Shell-form CMD or ENTRYPOINT: use the exec form",
    doc: "## What it does
Flags `CMD` and `ENTRYPOINT` written in shell form when the command is one simple command, and
rewrites it: in exec form (`CMD [\"python\", \"app.py\"]`) when its words are plain, or with
`exec` in front when its arguments need the shell's expansions (`CMD exec gunicorn --bind
:$PORT app:app`: the program replaces the shell, with the same expanded arguments).

Not flagged: a command that already starts with `exec`; a shell program (operators,
redirections, pipes, globs, several commands, a program named by a variable), which needs the
shell as it is; a `SHELL` other than a plain `sh -c` (a login shell, `BASH_ENV`), Windows
images; and `HEALTHCHECK CMD`, a short-lived command for which a shell costs little and signals
do not matter (hadolint and BuildKit do not report it either). BuildKit's
`JSONArgsRecommended` flags every shell-form CMD and ENTRYPOINT; this rule flags only those it
can fix or whose fix is one line away.

## Why is this bad?
In shell form the process runs under `/bin/sh -c`. Where `/bin/sh` is dash (Debian, Ubuntu)
the shell stays the parent of the application, as PID 1 or under the ENTRYPOINT, and does not
pass on `docker stop`'s SIGTERM: the application is killed after the timeout. A shell-form
ENTRYPOINT also ignores CMD and `docker run` arguments.

## Example
```dockerfile
CMD python app.py --port 5000
```
Use instead:
```dockerfile
CMD [\"python\", \"app.py\", \"--port\", \"5000\"]
```

## Fix safety
The fix must start the same program with the same arguments, environment and folder. It is
offered only when:
- every word is plain after exact POSIX quote removal: no `$`, backticks, globs, `~`,
  braces, redirections, operators or comments;
- the first word names a program: not an assignment (`FLASK_ENV=prod python app.py`), not a
  shell builtin or keyword (`cd`, `source`, `.`, `ulimit`, `trap`, `wait`, `export`, `set`,
  `eval`, `if`..., and `echo`, `printf`, `test`, `true`, which are programs too but not the
  same ones): these are reported without a fix;
- the shell in effect is `/bin/sh`, or a `SHELL` of sh, bash, dash or ash with only `-c`,
  `-e`, `-u` and `-o pipefail` (`-l` and `-i` read startup files), and no `ENV BASH_ENV`
  (bash reads that file first); a stage built on another inherits both. Not Windows.

This is proven by an oracle (`tests/exec_form_oracle.rs`): for every fix offered in the whole
corpus and in adversarial cases, the shell form is run as BuildKit runs it (`sh -c` with dash,
bash, `bash --posix` and busybox) and the exec form as the runtime does (execve, PATH lookup),
with recording stubs as programs; the program, argv, environment and folder must be the same.
The one difference allowed is the shell's own bookkeeping (`PWD`, bash's `SHLVL` and `_`),
which the exec form does not export (a shell script started in exec form sets `PWD` itself).

`exec` in front (a command that needs the shell's expansions) is Safe: the command must be one
simple command whose first word is a plain program name (not a builtin, keyword or
assignment) and whose only non-literal parts are parameter expansions; the shell form stays,
so the pairing with ENTRYPOINT does not change. The oracle runs both shell forms, with the
variables set, and requires the same program, argv and environment.

The pairing with ENTRYPOINT decides the applicability of the exec form:
- `ENTRYPOINT`: Safe when neither its stage nor a stage built on it has a `CMD` (an exec-form
  ENTRYPOINT would receive it as arguments; a shell-form one ignores it); otherwise no fix.
- `CMD`: Safe when the ENTRYPOINT in effect is known to be none (set in the stage, or a base
  image known to have none: scratch, debian, ubuntu, alpine, busybox, python, golang, rust,
  httpd, fedora..., the table `NO_ENTRYPOINT` of `src/images/start.rs`); Unsafe when it may not be (an unknown base image's ENTRYPOINT would receive
  different arguments), no fix under an exec-form ENTRYPOINT of the stage.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// Words the shell runs itself instead of looking up a program: POSIX special and regular
/// builtins, those of dash, bash and busybox ash, and reserved words. A command starting with
/// one of them does something else (or nothing) without the shell: `cd`, `source`, `ulimit`,
/// `trap`, `wait`, `set`, `export`, `eval`, `if`... `echo`, `printf`, `test`, `kill`, `pwd`,
/// `true` and `false` are programs too, but not the same ones (dash's `echo` interprets
/// escapes, `/bin/echo` does not).
const SHELL_WORDS: &[&str] = &[
    // POSIX special builtins
    ":",
    ".",
    "break",
    "continue",
    "eval",
    "exec",
    "exit",
    "export",
    "readonly",
    "return",
    "set",
    "shift",
    "times",
    "trap",
    "unset",
    // POSIX regular builtins and those of dash, bash, busybox ash
    "alias",
    "bg",
    "cd",
    "command",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "jobs",
    "kill",
    "newgrp",
    "pwd",
    "read",
    "true",
    "type",
    "ulimit",
    "umask",
    "unalias",
    "wait",
    "echo",
    "printf",
    "test",
    "[",
    "local",
    "source",
    "declare",
    "typeset",
    "let",
    "shopt",
    "enable",
    "builtin",
    "caller",
    "complete",
    "compgen",
    "compopt",
    "dirs",
    "disown",
    "help",
    "history",
    "logout",
    "mapfile",
    "popd",
    "pushd",
    "readarray",
    "suspend",
    "bind",
    "chdir",
    // reserved words
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "case",
    "esac",
    "for",
    "while",
    "until",
    "do",
    "done",
    "in",
    "function",
    "select",
    "time",
    "coproc",
    "!",
    "{",
    "}",
    "[[",
    "]]",
];

/// Whether a word, as written, is a variable assignment to the shell (`NAME=value`).
fn is_assignment(raw: &str) -> bool {
    raw.split_once('=').is_some_and(|(name, _)| {
        name.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The exec form of a plain command: the program and its arguments as the shell would start
/// them, or `None` when the shell does something a program cannot (a builtin, a keyword, an
/// assignment). Commands that start with `exec` are not reported at all (see `report`).
fn program_words(text: &str, words: Vec<String>) -> Option<Vec<String>> {
    // The first word as written (before quote removal): `FOO=1 python` is an assignment.
    let raw_first = text.split([' ', '\t']).find(|w| !w.is_empty())?;
    if is_assignment(raw_first) {
        return None;
    }
    let first = words.first()?;
    if SHELL_WORDS.contains(&first.as_str()) {
        return None;
    }
    // A program path is written as is (no quotes or escapes): the oracle roots it in a
    // scratch folder, which it can do only for a word it can find in the text.
    if first.contains('/') && !text.split([' ', '\t']).take(1).any(|w| w == first) {
        return None;
    }
    Some(words)
}

/// Whether a `SHELL` runs a command the way `/bin/sh -c` does: a POSIX shell with only `-c`,
/// `-e`, `-u` and `-o pipefail` (which change nothing for one simple command). `-l`, `-i` or a
/// startup file would change the environment the program gets.
fn plain_shell(args: &[crate::syntax::JsonArg]) -> bool {
    let Some((prog, flags)) = args.split_first() else {
        return false;
    };
    let name = prog.value.rsplit(['/', '\\']).next().unwrap_or("");
    if !matches!(name, "sh" | "bash" | "ash" | "dash") {
        return false;
    }
    let mut flags = flags.iter().map(|f| f.value.as_str());
    let mut saw_c = false;
    while let Some(f) = flags.next() {
        if saw_c {
            return false;
        }
        match f {
            "-o" => {
                if flags.next() != Some("pipefail") {
                    return false;
                }
            }
            _ => {
                let Some(letters) = f.strip_prefix('-') else {
                    return false;
                };
                if letters.is_empty() || !letters.chars().all(|c| matches!(c, 'e' | 'u' | 'c')) {
                    return false;
                }
                saw_c = letters.contains('c');
            }
        }
    }
    saw_c
}

/// Whether a command is one program with arguments, where what is not a plain word is a
/// parameter expansion (`$PORT`, `${HOST:-0.0.0.0}`, in double quotes or not): no operators,
/// redirections, command substitutions, globs or comments; the first word a plain program name
/// (not a builtin, keyword or assignment).
fn expanded_program(text: &str) -> bool {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_double = false;
    let mut in_single = false;
    let mut expansions = 0;
    while let Some(c) = chars.next() {
        match c {
            '\'' if !in_double => {
                in_single = !in_single;
                plain.push(c);
            }
            _ if in_single => plain.push(c),
            '"' => {
                in_double = !in_double;
                plain.push(c);
            }
            '\\' => {
                plain.push(c);
                match chars.next() {
                    Some(n) => plain.push(n),
                    None => return false,
                }
            }
            '$' => {
                expansions += 1;
                match chars.peek() {
                    Some('{') => {
                        chars.next();
                        let mut depth = 1;
                        for n in chars.by_ref() {
                            match n {
                                '{' => depth += 1,
                                '}' => depth -= 1,
                                '$' | '`' | '(' | ')' => return false,
                                _ => {}
                            }
                            if depth == 0 {
                                break;
                            }
                        }
                        if depth != 0 {
                            return false;
                        }
                    }
                    Some(n) if n.is_ascii_alphabetic() || *n == '_' => {
                        while chars
                            .peek()
                            .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
                        {
                            chars.next();
                        }
                    }
                    _ => return false,
                }
                plain.push('x');
            }
            _ => plain.push(c),
        }
    }
    if in_single || in_double || expansions == 0 {
        return false;
    }
    // With the expansions replaced by a letter, the rest must be plain words.
    plain_words(&plain).is_some_and(|words| {
        let raw_first = text
            .split([' ', '\t'])
            .find(|w| !w.is_empty())
            .unwrap_or("");
        !raw_first.contains(['$', '"', '\'', '\\']) && program_words(&plain, words).is_some()
    })
}

/// The words of a plain shell command after quote removal, or `None` if anything in it is
/// more than a word (expansions, globs, operators, redirections, comments).
fn plain_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' => return None,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => cur.push(c),
                            '\n' => {}
                            c => {
                                cur.push('\\');
                                cur.push(c);
                            }
                        },
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next()? {
                    '\n' => {}
                    c => cur.push(c),
                }
            }
            '$' | '`' | '*' | '?' | '[' | ']' | '{' | '}' | '<' | '>' | '|' | '&' | ';' | '('
            | ')' | '\n' | '\r' => return None,
            '#' | '~' if !in_word => return None,
            c if c.is_whitespace() => return None,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    (!words.is_empty()).then_some(words)
}

/// Whether an ENV sets `BASH_ENV` or `ENV` (startup files a shell reads before the command).
fn sets_startup_file(ins: &Instruction) -> bool {
    match &ins.node.args {
        Args::Pairs(pairs) => pairs
            .iter()
            .any(|p| matches!(p.key.slice(&ins.logical), "BASH_ENV" | "ENV")),
        _ => true,
    }
}

fn exec_form(words: &[String]) -> String {
    let items: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    format!("[{}]", items.join(", "))
}

/// Whether the stage (or one built on it) has a CMD.
fn cmd_in_or_after(ctx: &Context, stage: usize) -> bool {
    ctx.stages.iter().enumerate().skip(stage).any(|(s, st)| {
        stage_chain(ctx, s).contains(&stage)
            && st.instructions.iter().any(|i| i.kind() == Kind::Cmd)
    })
}

/// Whether the ENTRYPOINT in effect for a CMD leaves the CMD's form without effect on what
/// runs: `Some(true)` none, empty or shell form (CMD runs alone, or is ignored), `Some(false)`
/// an exec-form ENTRYPOINT (it receives the CMD as arguments), `None` unknown (a base image we
/// do not know).
fn entrypoint_known_harmless(ctx: &Context, stage: usize, before: &Instruction) -> Option<bool> {
    for s in stage_chain(ctx, stage) {
        let entry = ctx
            .stages
            .get(s)
            .into_iter()
            .flat_map(|st| st.instructions.iter())
            .filter(|i| s != stage || i.span.start < before.span.start)
            .rfind(|i| i.kind() == Kind::Entrypoint);
        if let Some(e) = entry {
            return Some(
                !e.node.is_json() || matches!(&e.node.args, Args::Json(v) if v.is_empty()),
            );
        }
        if stage_chain(ctx, s).len() == 1 {
            // As written: a build argument may name another image.
            let name = base_image_of(ctx, s)?.literal_official_name();
            return name
                .filter(|n| crate::images::holds(crate::images::NO_ENTRYPOINT, n))
                .map(|_| true);
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.doc.escape != '\\' {
        return;
    }
    // Per stage, at its end: whether the shell in effect runs one plain command as
    // `/bin/sh -c` does (SHELL), and whether an ENV set a startup file (`BASH_ENV`: bash -c
    // reads it first, with its functions, aliases and variables). A stage built on an earlier
    // one starts with that stage's state.
    let mut at_end: Vec<(bool, bool)> = Vec::with_capacity(ctx.stages.len());
    for (index, stage) in ctx.stages.iter().enumerate() {
        let windows = stage
            .from
            .is_some_and(|f| crate::images::mentions_windows(&f.logical));
        let (mut plain, mut startup) = match stage_parent(ctx, index) {
            Some(p) => at_end.get(p).copied().unwrap_or((false, true)),
            None => (!windows, false),
        };
        for ins in &stage.instructions {
            let node: &Node = &ins.node;
            match (node.kind, &node.args) {
                (Kind::Shell, Args::Json(args)) => plain = plain_shell(args),
                (Kind::Shell, _) => plain = false,
                (Kind::Env, _) if sets_startup_file(ins) => startup = true,
                (Kind::Cmd | Kind::Entrypoint, Args::Text(text)) => {
                    report(ctx, index, ins, *text, plain && !startup, out);
                }
                _ => {}
            }
        }
        at_end.push((plain, startup));
    }
}

fn report(
    ctx: &Context,
    stage: usize,
    ins: &Instruction,
    text: Span,
    posix: bool,
    out: &mut Vec<Diagnostic>,
) {
    let kw = ins.node.kind.keyword();
    let mut diag = Diagnostic::new(
        &RULE,
        ins.to_source(text),
        format!(
            "Shell-form {kw}: it runs under `/bin/sh -c`, and `docker stop`'s signal may not reach the process"
        ),
    );
    let command = text.slice(&ins.logical);
    // `exec prog ...`: the shell replaces itself with the program, which gets the signals.
    if command.split([' ', '\t']).find(|w| !w.is_empty()) == Some("exec") {
        return;
    }
    let plain = posix && ins.inner_comments.is_empty() && ins.empty_continuation_lines.is_empty();
    let plain_command = plain.then(|| plain_words(command)).flatten();
    let simple = plain_command.is_some();
    let words = plain_command.and_then(|words| program_words(command, words));
    if words.is_none() && !simple {
        // One program whose arguments need the shell's expansions (`--port $PORT`): `exec`
        // in front makes the program replace the shell, with the same expanded arguments.
        // Anything else (operators, redirections, several commands) needs the shell as it
        // is: nothing to say.
        if plain && expanded_program(command) {
            diag.message = format!(
                "Shell-form {kw}: `/bin/sh -c` stays the parent of the program, and `docker stop`'s signal may not reach it; start it with `exec`"
            );
            let at = text.start + (command.len() - command.trim_start().len());
            diag = diag.with_fix(Fix::new(
                "Start the program with `exec`",
                Applicability::Safe,
                vec![Edit::insert(ins.source_offset(at), "exec ")],
            ));
            out.push(diag);
        }
        return;
    }
    if let Some(words) = words {
        let applicability = match ins.node.kind {
            Kind::Entrypoint => (!cmd_in_or_after(ctx, stage)).then_some(Applicability::Safe),
            _ => match entrypoint_known_harmless(ctx, stage, ins) {
                Some(true) => Some(Applicability::Safe),
                None => Some(Applicability::Unsafe),
                Some(false) => None,
            },
        };
        if let Some(a) = applicability {
            diag = diag.with_fix(Fix::new(
                format!("Use the exec form `{}`", exec_form(&words)),
                a,
                vec![Edit::replace(ins.to_source(text), exec_form(&words))],
            ));
        }
    }
    out.push(diag);
}
