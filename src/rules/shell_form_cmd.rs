use super::common::{from_image, stage_chain};
use super::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::{Args, Instruction, Kind, Node, Span};

pub static RULE: Rule = Rule {
    code: "DF302",
    name: "shell-form-cmd",
    aliases: &["DL3025", "JSONArgsRecommended"],
    summary: "Shell-form CMD, ENTRYPOINT or HEALTHCHECK CMD: use the exec form",
    doc: "## What it does
Flags `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` written in shell form, and rewrites them in
exec form (`CMD [\"python\", \"app.py\"]`) when the command is plain words.

## Why is this bad?
In shell form the process runs under `/bin/sh -c`: the shell is PID 1, so `docker stop`'s
SIGTERM does not reach the application, which is killed after the timeout. A shell-form
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
Offered only when every word is plain after exact POSIX quote removal: no `$`, backticks,
globs, `~`, braces, redirections, operators or comments, and a POSIX shell (not Windows, not a
PowerShell or cmd `SHELL`). Then the same program gets the same arguments, without the shell.
- `HEALTHCHECK CMD`: Safe.
- `ENTRYPOINT`: Safe when neither its stage nor a stage built on it has a `CMD` (an exec-form
  ENTRYPOINT would receive it as arguments; a shell-form one ignores it); otherwise no fix.
- `CMD`: Safe when the ENTRYPOINT in effect is known to be none (set in the stage, or a base
  image known to have none: scratch, debian, ubuntu, alpine, busybox, python, golang, rust,
  fedora...); Unsafe when it may not be (an unknown base image's ENTRYPOINT would receive
  different arguments), no fix under an exec-form ENTRYPOINT of the stage.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// Base images whose official builds set no ENTRYPOINT.
const NO_ENTRYPOINT: &[&str] = &[
    "scratch",
    "debian",
    "ubuntu",
    "alpine",
    "busybox",
    "python",
    "golang",
    "rust",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "archlinux",
    "opensuse/leap",
    "eclipse-temurin",
    "openjdk",
    "ruby",
    "perl",
    "php",
];

fn image_name(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let without_registry = image
        .strip_prefix("docker.io/")
        .unwrap_or(image)
        .strip_prefix("library/")
        .unwrap_or(image);
    let name_end = without_registry
        .rfind(':')
        .filter(|&c| !without_registry[c..].contains('/'));
    &without_registry[..name_end.unwrap_or(without_registry.len())]
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

fn exec_form(words: &[String]) -> String {
    let items: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    format!("[{}]", items.join(", "))
}

/// Whether the stage (or one built on it) has a CMD.
fn cmd_in_or_after(ctx: &Context, stage: usize) -> bool {
    (stage..ctx.stages.len()).any(|s| {
        stage_chain(ctx, s).contains(&stage)
            && ctx.stages[s]
                .instructions
                .iter()
                .any(|i| i.kind() == Kind::Cmd)
    })
}

/// Whether the ENTRYPOINT in effect for a CMD leaves the CMD's form without effect on what
/// runs: `Some(true)` none, empty or shell form (CMD runs alone, or is ignored), `Some(false)`
/// an exec-form ENTRYPOINT (it receives the CMD as arguments), `None` unknown (a base image we
/// do not know).
fn entrypoint_known_harmless(ctx: &Context, stage: usize, before: &Instruction) -> Option<bool> {
    for s in stage_chain(ctx, stage) {
        let entry = ctx.stages[s]
            .instructions
            .iter()
            .filter(|i| s != stage || i.span.start < before.span.start)
            .rfind(|i| i.kind() == Kind::Entrypoint);
        if let Some(e) = entry {
            return Some(
                !e.node.is_json() || matches!(&e.node.args, Args::Json(v) if v.is_empty()),
            );
        }
        if stage_chain(ctx, s).len() == 1 {
            let image = from_image(ctx, s)?;
            let name = image_name(image);
            return NO_ENTRYPOINT.contains(&name).then_some(true);
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.doc.escape != '\\' {
        return;
    }
    for (index, stage) in ctx.stages.iter().enumerate() {
        let windows = stage.from.is_some_and(|f| {
            let t = f.logical.to_ascii_lowercase();
            t.contains("windows") || t.contains("nanoserver") || t.contains("servercore")
        });
        let mut posix = !windows;
        for ins in &stage.instructions {
            let node: &Node = &ins.node;
            match (node.kind, &node.args) {
                (Kind::Shell, Args::Json(args)) => {
                    posix = args.first().is_some_and(|a| {
                        let prog = a.value.rsplit(['/', '\\']).next().unwrap_or("");
                        matches!(prog, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
                    });
                }
                (Kind::Cmd | Kind::Entrypoint, Args::Text(text)) => {
                    report(ctx, index, ins, *text, posix, out);
                }
                (Kind::Healthcheck, Args::Health { cmd, .. }) => {
                    if let Args::Text(text) = **cmd {
                        report(ctx, index, ins, text, posix, out);
                    }
                }
                _ => {}
            }
        }
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
    let what = if ins.node.kind == Kind::Healthcheck {
        "HEALTHCHECK CMD"
    } else {
        kw
    };
    let mut diag = Diagnostic::new(
        &RULE,
        ins.to_source(text),
        if ins.node.kind == Kind::Healthcheck {
            format!("Shell-form {what}: every check starts a shell first")
        } else {
            format!("Shell-form {what}: the shell is PID 1 and signals do not reach the process")
        },
    );
    let words = (posix && ins.inner_comments.is_empty() && ins.empty_continuation_lines.is_empty())
        .then(|| plain_words(text.slice(&ins.logical)))
        .flatten();
    if let Some(words) = words {
        let applicability = match ins.node.kind {
            Kind::Healthcheck => Some(Applicability::Safe),
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
