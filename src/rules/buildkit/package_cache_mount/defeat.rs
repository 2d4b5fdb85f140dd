//! The mounts a RUN has, and the commands that defeat a cache mount (a no-cache flag, a
//! removal of the cache): how to find and delete them.

#[allow(unused_imports)]
use super::*;

/// A `--mount` of the RUN.
pub(super) struct Mount {
    pub(super) cache: bool,
    pub(super) target: String,
}

pub(super) fn mounts(run: &ShellRun) -> Vec<Mount> {
    run.ins
        .node
        .flags
        .iter()
        .filter(|f| f.name() == "mount")
        .filter_map(|f| {
            let mut cache = false;
            let mut target = None;
            for kv in f.value()?.split(',') {
                match kv.split_once('=') {
                    Some(("type", t)) => cache = t == "cache",
                    Some(("target" | "dst" | "destination", t)) => {
                        target = Some(t.trim_end_matches('/').to_string());
                    }
                    _ => {}
                }
            }
            Some(Mount {
                cache,
                target: target?,
            })
        })
        .collect()
}

/// Whether a mount is on one of the tool's folders, inside one, or on a folder that holds one.
pub(super) fn tool_mounted(tool: Tool, plan: Option<&Plan>, mount: &Mount) -> bool {
    let t = mount.target.as_str();
    tool.keys().iter().any(|k| t.contains(k))
        || (tool.in_dot_cache() && t.ends_with("/.cache"))
        || plan.is_some_and(|p| p.targets.iter().any(|d| is_within(d, t) || is_within(t, d)))
}

/// A word, command or flag that empties or turns off a cache.
pub(super) struct Defeat {
    /// How the message names it.
    pub(super) what: String,
    /// Its source span.
    pub(super) span: Span,
    /// The tool whose cache it turns off or empties (`None` for an `rm` of a mounted path).
    pub(super) tool: Option<Tool>,
    /// The operand, when only an operand of an `rm` goes.
    pub(super) operand: Option<String>,
    /// The edit that removes it (`None` when the edit of another one covers it), or why
    /// there is none.
    pub(super) edit: Result<Option<Edit>, String>,
}

/// An `rm` operand: a path inside a mounted folder (removable), or one holding a mount (the
/// `rm` would fail on the mount point).
pub(super) enum RmOperand {
    Inside,
    Holds(String),
    Other,
}

/// The absolute path an `rm` operand names, `~` and `$HOME` (and other variables known)
/// expanded; `None` when not known.
pub(super) fn rm_path(
    w: &Word,
    body: &str,
    env: &RunEnv,
    run: &ShellRun,
    index: usize,
) -> Option<String> {
    let p = removed_path(w, body)?;
    let expanded = if let Some(rest) = p.strip_prefix('~') {
        format!("{}{rest}", env.home(run, index).ok()?.0)
    } else if let Some(rest) = p.strip_prefix('$') {
        let (name, rest) = match rest.strip_prefix('{') {
            Some(r) => r.split_once('}')?,
            None => {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                rest.split_at(end)
            }
        };
        let value = if name == "HOME" {
            env.home(run, index).ok()?.0
        } else {
            match env.var(run, index, name)? {
                Val::Lit(v) => v.trim_end_matches('/').to_string(),
                Val::Unknown => return None,
            }
        };
        format!("{value}{rest}")
    } else {
        p.to_string()
    };
    let expanded = expanded.trim_end_matches(['*', '/']).to_string();
    (expanded.starts_with('/') && !expanded.contains('$')).then_some(expanded)
}

pub(super) fn classify(path: &str, targets: &[String], bases: &[String]) -> RmOperand {
    if targets.iter().any(|t| is_within(path, t)) || bases.iter().any(|b| b == path) {
        RmOperand::Inside
    } else if let Some(t) = targets.iter().find(|t| is_within(t, path)) {
        RmOperand::Holds(t.clone())
    } else {
        RmOperand::Other
    }
}

/// The source span of a logical span of the RUN's body (offsets relative to the body) that
/// starts right after a word: both ends stay with the text before them, so that a line
/// continuation after the span's start goes with it.
pub(super) fn body_source(run: &ShellRun, start: usize, end: usize) -> Span {
    let s = run.source_offset_end(start);
    let e = run.source_offset_end(end);
    Span::new(s, e.max(s))
}

/// The source span of a word of the RUN's body.
pub(super) fn word_source(run: &ShellRun, w: &Word) -> Span {
    run.to_source(w.span)
}

/// A deletion of source text, refused when it would take a comment line with it.
pub(super) fn deletion(run: &ShellRun, span: Span) -> Result<Edit, String> {
    if run
        .ins
        .inner_comments
        .iter()
        .any(|c| c.start < span.end && c.end > span.start)
    {
        return Err("a comment line is in the way".into());
    }
    Ok(Edit::delete(span))
}

/// Deletes word `w` of a command with the space before it.
pub(super) fn delete_word(run: &ShellRun, prev: &Word, w: &Word) -> Result<Edit, String> {
    deletion(run, body_source(run, prev.span.end, w.span.end))
}

pub(super) fn cmd_start(c: &Command) -> usize {
    c.assignments
        .first()
        .or(c.words.first())
        .map_or(0, |w| w.span.start)
}

pub(super) fn cmd_end(c: &Command) -> usize {
    c.words
        .iter()
        .chain(&c.assignments)
        .map(|w| w.span.end)
        .max()
        .unwrap_or(0)
}

/// How a command is joined to what precedes or follows it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Join {
    /// The start of the body, or of a `( ... )` or `{ ...; }` group.
    Start,
    /// The end of the body or group.
    End,
    And,
    Semi,
}

/// Deletes commands `first..=last` of the RUN (commands that never fail: `rm -rf`, `apt-get
/// clean`...) when what is left runs the same otherwise: they are joined to the rest with `&&`
/// or `;`, and the RUN's exit status stays what it was (a `;`-joined command at the end only
/// goes when `set -e` or the SHELL's `-e` stops at a failure before it).
pub(super) fn delete_commands(
    run: &ShellRun,
    first: usize,
    last: usize,
    shell_errexit: bool,
) -> Result<Edit, String> {
    let body = run.script;
    let cmds = &run.commands;
    let not_simple = || "it is not joined to the rest of the RUN with `&&` or `;`".to_string();
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    // What joins a command to the one before (`start`) or after it.
    let join = |gap: &str, start: bool| match squeeze(gap).as_str() {
        "&&" => Some(Join::And),
        ";" => Some(Join::Semi),
        "" if start => Some(Join::Start),
        g if start && (g.ends_with('(') || g.ends_with('{')) => Some(Join::Start),
        g if !start && g.chars().all(|c| matches!(c, ')' | '}' | ';')) => Some(Join::End),
        _ => None,
    };
    let cmd = |i: usize| cmds.get(i).ok_or_else(not_simple);
    // The text from the end of command `from` (or the body's start) to the start of command
    // `to` (or the body's end).
    let gap = |from: Option<usize>, to: Option<usize>| -> Result<&str, String> {
        let start = from.map(cmd).transpose()?.map_or(0, cmd_end);
        let end = to.map(cmd).transpose()?.map_or(body.len(), cmd_start);
        body.get(start..end).ok_or_else(not_simple)
    };
    if cmds
        .get(first..=last)
        .ok_or_else(not_simple)?
        .iter()
        .any(|c| !c.keywords.is_empty())
    {
        return Err(not_simple());
    }
    for i in first..last {
        if !matches!(
            join(gap(Some(i), Some(i + 1))?, false),
            Some(Join::And | Join::Semi)
        ) {
            return Err(not_simple());
        }
    }
    let before = match first.checked_sub(1) {
        Some(p) => {
            let g = gap(Some(p), Some(first))?;
            join(g, true).filter(|j| *j != Join::Start || !squeeze(g).is_empty())
        }
        None => join(gap(None, Some(first))?, true),
    };
    let next = (last + 1 < cmds.len()).then_some(last + 1);
    let after = match (next, join(gap(Some(last), next)?, false)) {
        // A `;` ending the body ends the RUN like its end does (`&&` there is a syntax error).
        (None, Some(Join::Semi)) => Some(Join::End),
        (None, Some(Join::And)) => None,
        (_, j) => j,
    };
    let (Some(before), Some(after)) = (before, after) else {
        return Err(not_simple());
    };
    let start_of = |i: usize| cmd(i).map(|c| run.source_offset(cmd_start(c)));
    // From the command to the next one: the separator before it stays.
    let forward = || deletion(run, Span::new(start_of(first)?, start_of(last + 1)?));
    // From the end of the previous command: the separator after it stays.
    let backward = || {
        let p = cmd(first.checked_sub(1).ok_or_else(not_simple)?)?;
        deletion(run, body_source(run, cmd_end(p), cmd_end(cmd(last)?)))
    };
    match (before, after) {
        (Join::Start | Join::Semi, Join::And | Join::Semi) => forward(),
        (Join::And, Join::And) => forward().or_else(|_| backward()),
        (Join::And, Join::Semi | Join::End) => backward(),
        (Join::Semi, Join::End) => {
            // The RUN's status becomes that of the command before: the same only when a
            // failure of it (alone in its list) stops the shell.
            let p = first.checked_sub(1).ok_or_else(not_simple)?;
            let alone = match p.checked_sub(1) {
                Some(q) => matches!(join(gap(Some(q), Some(p))?, false), Some(Join::Semi)),
                None => join(gap(None, Some(p))?, true) == Some(Join::Start),
            };
            let errexit = shell_errexit || sets_errexit(cmds.get(..p).unwrap_or_default());
            if alone && errexit && cmd(p)?.keywords.is_empty() {
                backward()
            } else {
                Err(
                    "it ends the RUN after `;` without `set -e`: its exit status is the RUN's"
                        .into(),
                )
            }
        }
        _ => Err(not_simple()),
    }
}

/// What in the RUN defeats cache mounts on `targets` for `tools`: no-cache flags, cleaning
/// commands, `rm` of files in the mounted folders. Also the `rm` of a folder that holds one of
/// the targets, which would fail on the mount point (the second list: why no fix).
pub(super) fn defeats(
    run: &ShellRun,
    env: &RunEnv,
    tools: &[Tool],
    targets: &[String],
    bases: &[String],
    flags_only: bool,
    shell_errexit: bool,
) -> (Vec<Defeat>, Vec<String>) {
    let body = run.script;
    let mut out = Vec::new();
    let mut conflicts = Vec::new();
    // Whole commands to remove: index, text, span, tool.
    let mut whole: Vec<(usize, String, Span, Option<Tool>)> = Vec::new();
    let has = |t: Tool| tools.contains(&t);
    for (i, cmd) in run.commands.iter().enumerate() {
        let words = command_words(cmd);
        if words.is_empty() {
            continue;
        }
        let tool = detect(cmd).map(|t| t.0);
        // Each word after the first, with its index and the word before it.
        let with_prev = || {
            words
                .iter()
                .zip(words.iter().skip(1))
                .enumerate()
                .map(|(k, (prev, w))| (k + 1, prev, w))
        };
        let flag_words: Vec<(usize, &Word, &Word)> = match tool {
            Some(Tool::Pip) if has(Tool::Pip) => {
                let start = pip_start(cmd).unwrap_or(1);
                with_prev()
                    .filter(|&(j, _, w)| j >= start && is_no_cache_dir(&w.value))
                    .collect()
            }
            Some(Tool::Apk) if has(Tool::Apk) => with_prev()
                .filter(|(_, _, w)| w.value == "--no-cache")
                .collect(),
            Some(t @ (Tool::Uv | Tool::Poetry)) if has(t) && !flags_only => with_prev()
                .filter(|(_, _, w)| w.value == "--no-cache" || (t == Tool::Uv && w.value == "-n"))
                .collect(),
            _ => Vec::new(),
        };
        let refresh = words
            .iter()
            .any(|w| matches!(w.value.as_str(), "-U" | "--update" | "--update-cache"));
        for (n, &(_, prev, w)) in flag_words.iter().enumerate() {
            // apk: keep fetching a fresh index, as `--no-cache` did.
            let edit = if tool == Some(Tool::Apk) && !refresh && n == 0 {
                Ok(Edit::replace(word_source(run, w), "--update-cache"))
            } else {
                delete_word(run, prev, w)
            };
            out.push(Defeat {
                what: w.value.clone(),
                span: word_source(run, w),
                tool,
                operand: None,
                edit: edit.map(Some),
            });
        }
        if flags_only {
            continue;
        }
        let text = words
            .iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let Some(first) = words.first() else {
            continue;
        };
        let span = word_source(run, first);
        let word = |k: usize, v: &str| words.get(k).is_some_and(|w| w.value == v);
        let cleans = match program(cmd) {
            Some("apt-get" | "apt") => apt_command(cmd)
                .is_some_and(|a| a.sub.value == "clean")
                .then_some(Tool::Apt),
            Some("npm") => (word(1, "cache") && word(2, "clean")).then_some(Tool::Npm),
            Some("yarn") => (word(1, "cache") && word(2, "clean")).then_some(Tool::Yarn),
            Some("go") if word(1, "clean") => {
                if words.iter().any(|w| w.value == "-modcache") {
                    if has(Tool::GoMod) {
                        Some(Tool::GoMod)
                    } else {
                        Some(Tool::Go)
                    }
                } else if words.iter().any(|w| w.value == "-cache") {
                    Some(Tool::Go)
                } else {
                    None
                }
            }
            _ => pip_start(cmd)
                .is_some_and(|s| {
                    word(s, "cache") && (word(s + 1, "purge") || word(s + 1, "remove"))
                })
                .then_some(Tool::Pip),
        };
        if let Some(t) = cleans {
            if has(t) {
                whole.push((i, text, span, Some(t)));
            }
            continue;
        }
        if program(cmd) != Some("rm") {
            continue;
        }
        let operands: Vec<(usize, &Word, &Word)> = with_prev()
            .filter(|(_, _, w)| !w.value.starts_with('-'))
            .collect();
        let rm = words
            .iter()
            .take(operands.first().map_or(words.len(), |o| o.0))
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut inside = Vec::new();
        for &(_, prev, w) in &operands {
            let Some(path) = rm_path(w, body, env, run, i) else {
                continue;
            };
            match classify(&path, targets, bases) {
                RmOperand::Inside => inside.push((prev, w)),
                RmOperand::Holds(t) => conflicts.push(format!(
                    "`{rm} {}` would fail on the mount point {t}",
                    w.value
                )),
                RmOperand::Other => {}
            }
        }
        if inside.is_empty() {
            continue;
        }
        if inside.len() == operands.len() {
            whole.push((i, text, span, None));
        } else {
            for (prev, w) in inside {
                out.push(Defeat {
                    what: format!("{rm} {}", w.value),
                    operand: Some(w.value.clone()),
                    span: word_source(run, w),
                    tool: None,
                    edit: delete_word(run, prev, w).map(Some),
                });
            }
        }
    }
    // Consecutive commands go together.
    for group in whole.chunk_by(|a, b| b.0 == a.0 + 1) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let edit = delete_commands(run, first.0, last.0, shell_errexit);
        for (n, (_, what, span, tool)) in group.iter().enumerate() {
            out.push(Defeat {
                what: what.clone(),
                span: *span,
                tool: *tool,
                operand: None,
                edit: match &edit {
                    Ok(ed) if n == 0 => Ok(Some(ed.clone())),
                    Ok(_) => Ok(None),
                    Err(why) => Err(why.clone()),
                },
            });
        }
    }
    out.sort_by_key(|d| d.span.start);
    (out, conflicts)
}
