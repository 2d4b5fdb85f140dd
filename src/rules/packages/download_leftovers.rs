use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::appended;
use crate::rules::common::{
    append_offset, builds_on, command_words, folders, is_within, join_path, mounted_over, program,
    removed_path, word_span, workdir_at,
};
use crate::rules::{Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::shell::{Command, Separator, Word};

pub static RULE: Rule = Rule {
    code: "DF210",
    name: "download-leftovers",
    aliases: &[],
    summary: "a downloaded archive is not removed in the same RUN",
    doc: "## What it does
Flags a RUN that downloads a file (`curl -o FILE URL`, `curl -O URL`, `wget URL`,
`wget -O FILE URL`, `wget -P DIR URL`), then unpacks or installs it (`tar -x`, `unzip`, `7z x`,
`dpkg -i`, `apt-get install ./x.deb`, `rpm -i`, `yum`/`dnf`/`zypper install`, `apk add`,
`pip install`, `gem install`, `sh FILE`, `bash FILE`, or runs it), and does not remove it
afterwards in the same RUN (`rm FILE`, `rm -rf` of its folder, `rm -rf /tmp/*`, or a pattern
that matches it). Not flagged: a download piped into its consumer (`curl URL | tar -xz`), which
leaves no file; a download into a folder the RUN mounts (`--mount=type=tmpfs,target=/tmp`, a
cache mount); a file that is only downloaded (a binary to `/usr/local/bin`, a signature) or
moved (`mv`); a removal whose operand the rule cannot read (a variable: `rm -rf \"$tmp\"`). `ADD`
of a URL is DF307's business.

Only stages that ship are checked: a build target (a stage no other stage uses) and the
stages it is built on. A stage only copied from (`COPY --from`, `RUN --mount=from=`) keeps its
layers out of the image; a target whose name says it is a development or CI step (a `-`, `_`
or `.` separated part `dev`, `development`, `test`, `tests`, `testing`, `ci`, `lint`, `debug`,
`e2e`, `coverage`, `validate`, `upload`, `artifact`) is not published while another target is
not one (when all are, the last stage, the default target, ships);
and a development environment (under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a
`.gitpod.Dockerfile`) wants its caches: there the fix would change nothing that ships.

## Why is this bad?
Once the unpacking or installing is done the archive is dead weight, often as large as what
it installed, and it stays in the layer. Removing it in a later RUN does not shrink the image:
the layer that added it still holds it.

## Example
```dockerfile
RUN curl -fsSL -o /tmp/node.tar.xz https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz \\
    && tar -xJf /tmp/node.tar.xz -C /usr/local --strip-components=1
```
Use instead:
```dockerfile
RUN curl -fsSL -o /tmp/node.tar.xz https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz \\
    && tar -xJf /tmp/node.tar.xz -C /usr/local --strip-components=1 \\
    && rm -f /tmp/node.tar.xz
```
or pipe the download: `curl -fsSL URL | tar -xJ -C /usr/local --strip-components=1`.

## Fix safety
The fix appends ` && rm -f FILE` to the RUN. On a RUN of one line it goes on that line; on a
RUN of several lines, on a line of its own, indented like the RUN's continuation lines, with
`&&` where `[format] and-position` says (with `preserve`, where the RUN has it), so that the
fixed file passes `format --check`. Unsafe: the file is gone from the image, and
something outside the Dockerfile (the running container, a script) may expect it. Offered only
when the file name is literal (no variable, no wildcard), when the path it is removed by is
certain (an absolute path, or a relative one in a RUN that does not change folder, or one the
rule can resolve from `WORKDIR` and literal `cd`s), when no later instruction names the file (a
later RUN or a `COPY --from` that reads it), and when the RUN ends with a plain command (no
heredoc, trailing redirection, `exit` or `exec`). `rm -f` cannot fail, so the RUN's exit
status is unchanged.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// A file a command downloads: where, and the word that says so.
struct Download<'a> {
    /// Command index in the RUN.
    index: usize,
    /// The path as written (after quote removal): `/tmp/x.tgz`, `x.tgz`, `${FILE}`.
    path: String,
    /// Whether the path is a plain literal (no expansion, no wildcard).
    literal: bool,
    /// The download command's program word, for the diagnostic.
    word: &'a Word,
}

/// The file name curl `-O` or wget gives a URL: its last path segment (no query).
fn remote_name(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split(['?', '#']).next()?;
    let (_, path) = path.split_once('/')?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// Where a curl or wget command writes its download; `None` for standard output or an
/// unknown name (`curl -J`, `wget --content-disposition`).
fn download_path(cmd: &Command) -> Option<(String, bool)> {
    let call = Call::read(cmd)?;
    let prog = call.grammar().name;
    let curl = match prog {
        "curl" => true,
        "wget" => false,
        _ => return None,
    };
    if curl && call.has_any(&["-J", "--remote-header-name"])
        || !curl && call.has("--content-disposition")
    {
        return None;
    }
    let remote = !curl || call.has_any(&["-O", "--remote-name", "--remote-name-all"]);
    let (output, dir) = if curl {
        (
            call.last_value(&["-o", "--output"]),
            call.last_value(&["--output-dir"]),
        )
    } else {
        (
            call.last_value(&["-O", "--output-document"]),
            call.last_value(&["-P", "--directory-prefix"]),
        )
    };
    let urls: Vec<&Word> = call.operands().collect();
    if let Some(o) = output {
        // curl's `--output-dir` is put in front of `-o`'s path, even an absolute one (wget's
        // `-P` does not apply to `-O`).
        return match dir {
            Some(d) if prog == "curl" && o != "-" => {
                let (path, literal) = plain_output(&format!("{}/{o}", d.trim_end_matches('/')))?;
                Some((path, literal && !d.contains(['$', '`', '*', '?', '['])))
            }
            _ => plain_output(o),
        };
    }
    if !remote {
        return None;
    }
    let (name, literal) = url_name(&urls)?;
    Some(match dir {
        Some(d) => (
            format!("{}/{name}", d.trim_end_matches('/')),
            literal && !d.contains(['$', '`', '*', '?', '[']),
        ),
        None => (name, literal),
    })
}

/// The file name a download of the first URL among the operands gets, and whether it is
/// literal.
fn url_name(urls: &[&Word]) -> Option<(String, bool)> {
    let url = urls
        .iter()
        .find(|u| u.value.contains("://"))
        .or(urls.first())?;
    let name = remote_name(&url.value)?;
    let literal = !name.contains(['$', '`']);
    Some((name, literal))
}

fn plain_output(value: &str) -> Option<(String, bool)> {
    if value == "-" || value.is_empty() || value.starts_with("/dev/") {
        return None;
    }
    let literal = !value.contains(['$', '`', '*', '?', '[']);
    Some((value.to_string(), literal))
}

/// A path as the RUN sees it from a folder: absolute, or relative to the RUN's start; `None`
/// when the folder is unknown.
fn resolve(path: &str, cwd: &Option<String>) -> Option<String> {
    if path.starts_with('/') {
        return Some(join_path("/", path));
    }
    cwd.as_ref().map(|c| join_path(c, path))
}

/// Whether a word names the downloaded file: the same path from where each runs, or the same
/// text when a folder is unknown. `target` is the file's path resolved from its folder
/// (`resolve(file, file_cwd)`), worked out once by the caller.
fn names_file(word: &Word, cwd: &Option<String>, file: &str, target: Option<&str>) -> bool {
    match (resolve(&word.value, cwd), target) {
        (Some(a), Some(b)) if a.starts_with('/') == b.starts_with('/') => a == b,
        _ => {
            word.value == file
                || word.value.rsplit('/').next() == file.rsplit('/').next()
                    && (word.value.contains('/') || file.contains('/'))
        }
    }
}

/// Whether a command unpacks, installs or runs the file (a word of it names the file, and the
/// command is one that reads an archive or an installer): what it does with it.
fn consumes(cmd: &Command, names: &dyn Fn(&Word) -> bool) -> Option<&'static str> {
    let words = command_words(cmd);
    let first = words.first()?;
    // An installer, not a program downloaded to where it stays (`/usr/local/bin/gosu`).
    let installer = |w: &Word| {
        let v = w.value.as_str();
        let name = v.rsplit('/').next().unwrap_or(v).to_ascii_lowercase();
        !v.contains("bin/")
            && (name.contains("install")
                || name.contains("setup")
                || [".sh", ".run", ".bin", ".py", ".pl"]
                    .iter()
                    .any(|e| name.ends_with(e)))
    };
    if names(first) {
        // Runs the downloaded installer itself.
        return installer(first).then_some("run");
    }
    let args_name = words.iter().skip(1).any(names);
    if !args_name {
        return None;
    }
    let prog = program(cmd).unwrap_or("");
    let sub = |s: &[&str]| {
        words
            .iter()
            .skip(1)
            .find(|w| !w.value.starts_with('-'))
            .is_some_and(|w| s.contains(&w.value.as_str()))
    };
    let has_flag = |f: &[&str]| words.iter().skip(1).any(|w| f.contains(&w.value.as_str()));
    // A short option in a cluster (`-xzf`, `-ivh`), or tar's old-style first word (`xzf`).
    let cluster_has = |c: char| {
        words.iter().enumerate().skip(1).any(|(k, w)| {
            let v = w.value.as_str();
            let old_style = k == 1 && !v.starts_with('-') && prog.ends_with("tar");
            (old_style || v.starts_with('-') && !v.starts_with("--")) && v.contains(c)
        })
    };
    let unpacks = match prog {
        "tar" | "bsdtar" | "gtar" => cluster_has('x') || has_flag(&["--extract", "--get"]),
        "jar" => cluster_has('x'),
        "unzip" => true,
        "7z" | "7za" | "7zr" => sub(&["x", "e"]),
        _ => false,
    };
    if unpacks {
        return Some("unpacked");
    }
    let installs = match prog {
        "dpkg" => cluster_has('i') || has_flag(&["--install"]),
        "rpm" => cluster_has('i') || cluster_has('U') || has_flag(&["--install", "--upgrade"]),
        "apt-get" | "apt" | "aptitude" | "yum" | "dnf" | "microdnf" | "tdnf" | "zypper"
        | "gdebi" => true,
        "apk" => sub(&["add"]),
        "pip" | "pip3" | "gem" | "npm" => sub(&["install"]),
        // `install FILE DEST` copies it: the download stays where it was.
        "install" => true,
        _ => false,
    };
    if installs {
        return Some("installed");
    }
    let script = words.iter().skip(1).find(|w| names(w))?;
    (matches!(
        prog,
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "python" | "python3" | "perl"
    ) && !script.value.contains("bin/"))
    .then_some("run")
}

/// Whether an `rm` (or `find -delete`) removes the file: its path, a folder above it, or a
/// pattern that matches it. A removal of something the rule cannot read (a variable) counts
/// too: the rule does not guess.
fn removes(
    cmd: &Command,
    body: &str,
    cwd: &Option<String>,
    file: &str,
    file_cwd: &Option<String>,
) -> bool {
    let words = command_words(cmd);
    let target = resolve(file, file_cwd);
    match program(cmd) {
        Some("rm" | "unlink" | "shred") => words.iter().skip(1).any(|w| {
            if w.value.starts_with('-') {
                return false;
            }
            if w.value.contains('$') || w.value.contains('`') {
                return true;
            }
            if w.value.contains(['*', '?', '[']) && w.span.slice(body).contains(['*', '?', '[']) {
                let pattern = resolve(&w.value, cwd).unwrap_or_else(|| w.value.clone());
                let Ok(glob) = globset::GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                else {
                    return true;
                };
                let t = target.clone().unwrap_or_else(|| file.to_string());
                // A match starts with the pattern's literal head, and the paths tried below
                // are `t` and its parents, which start as `t` does: most removals are told
                // apart here without compiling the pattern.
                let head = pattern
                    .find(['*', '?', '[', '{', '\\'])
                    .map_or(pattern.as_str(), |n| &pattern[..n]);
                if !t.starts_with(head) {
                    return false;
                }
                let m = glob.compile_matcher();
                // `rm -rf /tmp/*` removes everything under /tmp.
                return std::iter::successors(Some(t.as_str()), |p| {
                    p.rsplit_once('/').map(|(a, _)| a).filter(|a| !a.is_empty())
                })
                .any(|p| m.is_match(p));
            }
            let Some(p) = removed_path(w, body) else {
                return false;
            };
            match (resolve(p, cwd), target.as_deref()) {
                (Some(r), Some(t)) if r.starts_with('/') == t.starts_with('/') => {
                    is_within(t, r.trim_end_matches('/')) || r == "/"
                }
                _ => {
                    names_file(w, cwd, file, target.as_deref())
                        || file.starts_with(&format!("{p}/"))
                }
            }
        }),
        Some("find") => words
            .iter()
            .any(|w| w.value == "-delete" || w.value == "rm"),
        // Moved: what is left is somewhere else, under another name.
        Some("mv") => words
            .iter()
            .skip(1)
            .any(|w| names_file(w, cwd, file, target.as_deref())),
        _ => false,
    }
}

/// The `rm` operands of the file's RUNs, indexed by the word and by the absolute path it
/// removes, each with the RUNs (in order) that remove it: asking "does a later RUN remove
/// this file" is then a lookup, not a walk of every later RUN per download.
#[derive(Default)]
struct Removals<'s> {
    by_word: std::collections::HashMap<&'s str, Vec<usize>>,
    by_path: std::collections::HashMap<&'s str, Vec<usize>>,
}

impl<'s> Removals<'s> {
    fn of(runs: &'s [ShellRun]) -> Removals<'s> {
        let mut index = Removals::default();
        for (r, run) in runs.iter().enumerate() {
            let body = run.script;
            for c in run.commands.iter().filter(|c| program(c) == Some("rm")) {
                for w in c.words.iter().skip(1) {
                    index.by_word.entry(w.value.as_str()).or_default().push(r);
                    if let Some(p) = removed_path(w, body).filter(|p| p.starts_with('/')) {
                        index.by_path.entry(p).or_default().push(r);
                    }
                }
            }
        }
        index
    }

    /// Whether a RUN after run `r`, of its stage or of one built on it, removes `path` (as
    /// written) or a folder that holds `absolute`.
    fn later(
        &self,
        ctx: &Context,
        runs: &[ShellRun],
        r: usize,
        path: &str,
        absolute: Option<&str>,
    ) -> bool {
        let Some(stage) = runs.get(r).map(|run| run.stage) else {
            return false;
        };
        let after = |list: Option<&Vec<usize>>| {
            list.is_some_and(|list| {
                let from = list.partition_point(|&o| o <= r);
                list.iter().skip(from).any(|&o| {
                    runs.get(o)
                        .is_some_and(|other| builds_on(ctx, other.stage, stage))
                })
            })
        };
        // `absolute` itself and each folder above it (`is_within`).
        let folders = absolute.into_iter().flat_map(|a| {
            std::iter::once(a).chain(
                a.match_indices('/')
                    .filter(|&(i, _)| i > 0)
                    .filter_map(move |(i, _)| a.get(..i)),
            )
        });
        after(self.by_word.get(path)) || folders.into_iter().any(|f| after(self.by_path.get(f)))
    }
}

/// Which instructions mention each downloaded file's name, found in one scan of the file
/// for all the names at once (Aho-Corasick), so that asking it for each download is not a
/// walk of every later instruction.
struct Mentions<'a> {
    instructions: Vec<&'a crate::syntax::Instruction>,
    /// The names, sorted, without repeats.
    names: Vec<String>,
    /// Per name: the indices (in `instructions`) of the instructions that mention it.
    hits: Vec<Vec<usize>>,
}

impl<'a> Mentions<'a> {
    fn new(ctx: &Context<'a>, names: Vec<String>) -> Option<Mentions<'a>> {
        let instructions: Vec<_> = ctx.doc.instructions().collect();
        let finder = aho_corasick::AhoCorasick::new(&names).ok()?;
        let mut hits = vec![Vec::new(); names.len()];
        for (k, ins) in instructions.iter().enumerate() {
            for m in finder.find_overlapping_iter(ctx.doc.slice(ins.span)) {
                if let Some(list) = hits.get_mut(m.pattern().as_usize())
                    && list.last() != Some(&k)
                {
                    list.push(k);
                }
            }
        }
        Some(Mentions {
            instructions,
            names,
            hits,
        })
    }

    /// The instructions after `run` that mention `name`, in order.
    fn after<'m>(
        &'m self,
        run: &ShellRun,
        name: &str,
    ) -> impl Iterator<Item = &'a crate::syntax::Instruction> + 'm {
        let at = self
            .instructions
            .partition_point(|i| i.span.start <= run.ins.span.start);
        // `names` is sorted.
        let list = self
            .names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .and_then(|p| self.hits.get(p))
            .map_or(&[][..], Vec::as_slice);
        let from = list.partition_point(|&k| k < at);
        list.iter()
            .skip(from)
            .filter_map(|&k| self.instructions.get(k).copied())
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let runs = ctx.shell_runs();
    let removals = std::cell::OnceCell::new();
    // Findings wait for their fix until every download's name is known (`Mentions`).
    let mut pending = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        // Only what ships: a stage only copied from, or a dev container, keeps nothing of it.
        if !ctx.ships(run.stage) {
            continue;
        }
        // Most RUNs download nothing: only those pay for the WORKDIR walk below.
        if !run.commands.iter().any(|c| download_path(c).is_some()) {
            continue;
        }
        let body = run.script;
        let workdir = workdir_at(ctx, run.stage, run.ins);
        let cwds = folders(&run.commands, workdir.as_deref());
        let mut reported: Vec<String> = Vec::new();
        for (index, cmd) in run.commands.iter().enumerate() {
            // A piped download has no file (unless -o names one, which we read below).
            let Some((path, literal)) = download_path(cmd) else {
                continue;
            };
            let Some(word) = command_words(cmd).first() else {
                continue;
            };
            let dl = Download {
                index,
                path,
                literal,
                word,
            };
            if reported.contains(&dl.path) {
                continue;
            }
            let Some(file_cwd) = cwds.get(dl.index) else {
                continue;
            };
            // The commands after the download, each with its folder.
            let later = || run.commands.iter().zip(&cwds).skip(dl.index + 1);
            let target = resolve(&dl.path, file_cwd);
            let Some(verb) = later().find_map(|(c, cwd)| {
                consumes(c, &|w: &Word| {
                    names_file(w, cwd, &dl.path, target.as_deref())
                })
            }) else {
                continue;
            };
            let removed = later().any(|(c, cwd)| removes(c, body, cwd, &dl.path, file_cwd));
            if removed {
                continue;
            }
            // Where the file is in the image, when known.
            let absolute = resolve(&dl.path, file_cwd).filter(|p| p.starts_with('/'));
            if absolute.as_ref().is_some_and(|a| mounted_over(run, a)) {
                continue;
            }
            reported.push(dl.path.clone());
            let name = dl.path.rsplit('/').next().unwrap_or(&dl.path);
            let later_rm = removals.get_or_init(|| Removals::of(runs)).later(
                ctx,
                runs,
                r,
                &dl.path,
                absolute.as_deref(),
            );
            let message = if later_rm {
                format!(
                    "`{}` is downloaded and {verb}, and removed only by a later RUN, which does not shrink the image: this RUN's layer keeps it; remove it in this RUN",
                    dl.path
                )
            } else {
                format!(
                    "`{}` is downloaded and {verb}, but not removed in the same RUN: it stays in the layer",
                    dl.path
                )
            };
            let diag = Diagnostic::new(&RULE, word_span(run, dl.word, dl.word), message);
            let name = name.to_string();
            pending.push((diag, run, dl, absolute, name));
        }
    }
    if pending.is_empty() {
        return;
    }
    let mut names: Vec<String> = pending.iter().map(|p| p.4.clone()).collect();
    names.sort();
    names.dedup();
    let mentions = Mentions::new(ctx, names);
    for (mut diag, run, dl, absolute, name) in pending {
        if let Some(fix) = mentions
            .as_ref()
            .and_then(|m| fix(ctx, run, &dl, absolute.as_deref(), &name, m))
        {
            diag = diag.with_fix(fix);
        }
        out.push(diag);
    }
}

fn fix(
    ctx: &Context,
    run: &ShellRun,
    dl: &Download,
    absolute: Option<&str>,
    name: &str,
    mentions: &Mentions,
) -> Option<Fix> {
    let safe_chars = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-/+@%,=:".contains(&b))
    };
    if !dl.literal || !safe_chars(&dl.path) {
        return None;
    }
    // The path `rm` is given at the end of the RUN: as written when no command changed the
    // folder, else absolute.
    let moves = run
        .commands
        .iter()
        .any(|c| matches!(program(c), Some("cd" | "pushd" | "popd")));
    let body = run.script;
    let subshell = body.replace("$(", "").contains('(')
        || run
            .commands
            .iter()
            .any(|c| c.keywords.iter().any(|k| k == "{"))
        || run
            .commands
            .iter()
            .any(|c| c.separator == Separator::Background);
    let target = if dl.path.starts_with('/') {
        join_path("/", &dl.path)
    } else if !moves {
        dl.path.clone()
    } else if !subshell {
        absolute?.to_string()
    } else {
        return None;
    };
    // A later instruction that names the file (a RUN that reads it, `COPY --from`); a RUN
    // that only removes it does not count.
    let runs = ctx.shell_runs();
    let later = mentions.after(run, name).any(|i| {
        let k = runs.partition_point(|o| o.ins.span.start < i.span.start);
        let Some(other) = runs.get(k).filter(|o| std::ptr::eq(o.ins, i)) else {
            return true;
        };
        !i.heredocs.is_empty()
            || other
                .commands
                .iter()
                .any(|c| program(c) != Some("rm") && c.words.iter().any(|w| w.value.contains(name)))
    });
    if later {
        return None;
    }
    let at = append_offset(run)?;
    Some(Fix::unsafe_(
        format!("Add `rm -f {target}`"),
        vec![Edit::insert(
            at,
            appended(ctx, run, at, &format!("rm -f {target}")),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Option<(String, bool)> {
        download_path(&crate::shell::commands(text).unwrap()[0])
    }

    #[test]
    fn downloads() {
        let p = |t: &str| path(t).map(|(p, _)| p);
        assert_eq!(
            p("curl -fsSL -o /tmp/x.tgz https://a/b.tgz").as_deref(),
            Some("/tmp/x.tgz")
        );
        assert_eq!(
            p("curl -fsSLo x.tgz https://a/b.tgz").as_deref(),
            Some("x.tgz")
        );
        assert_eq!(
            p("curl -fsSLO https://a/b/c.tgz?x=1").as_deref(),
            Some("c.tgz")
        );
        assert_eq!(
            p("curl --output-dir /tmp -O https://a/c.zip").as_deref(),
            Some("/tmp/c.zip")
        );
        assert_eq!(p("curl -fsSL https://a/b.tgz"), None);
        assert_eq!(p("curl -fsSLOJ https://a/b"), None);
        assert_eq!(p("wget https://a/b/c.deb").as_deref(), Some("c.deb"));
        assert_eq!(
            p("wget -q https://a/c.deb -O /tmp/c.deb").as_deref(),
            Some("/tmp/c.deb")
        );
        assert_eq!(p("wget -qO- https://a/c.tgz"), None);
        assert_eq!(p("wget -O - https://a/c.tgz"), None);
        assert_eq!(
            p("wget -P /tmp https://a/c.tgz").as_deref(),
            Some("/tmp/c.tgz")
        );
        assert_eq!(
            p("wget https://a/c.tgz -P /tmp/").as_deref(),
            Some("/tmp/c.tgz")
        );
        assert_eq!(
            p("wget --progress=dot:giga https://a/c.tgz").as_deref(),
            Some("c.tgz")
        );
        assert_eq!(
            p("wget --output-document=/tmp/c.tgz https://a/c.tgz").as_deref(),
            Some("/tmp/c.tgz")
        );
        assert_eq!(
            path("wget -O \"$ball.tgz\" https://a/c.tgz"),
            Some(("$ball.tgz".into(), false))
        );
        assert_eq!(
            path("curl -o x.tgz \"https://a/$V/x.tgz\""),
            Some(("x.tgz".into(), true))
        );
        // curl's --output-dir applies to -o; wget's -P does not apply to -O.
        assert_eq!(
            path("curl --output-dir /tmp -o x.tgz https://a/x.tgz"),
            Some(("/tmp/x.tgz".into(), true))
        );
        assert_eq!(
            path("curl -o /opt/x.tgz --output-dir /tmp https://a/x.tgz"),
            Some(("/tmp//opt/x.tgz".into(), true))
        );
        assert_eq!(
            path("wget -P /tmp -O x.tgz https://a/x.tgz"),
            Some(("x.tgz".into(), true))
        );
    }

    #[test]
    fn paths() {
        assert_eq!(join_path("/a/b", "../c/./d"), "/a/c/d");
        assert_eq!(join_path("", "x"), "x");
        assert_eq!(join_path("/a", "/tmp/x"), "/tmp/x");
        let cmds = crate::shell::commands("cd /tmp && a; cd x && b; cd $D && c").unwrap();
        let f = folders(&cmds, None);
        assert_eq!(f[1].as_deref(), Some("/tmp"));
        assert_eq!(f[3].as_deref(), Some("/tmp/x"));
        assert_eq!(f[5], None);
        let f = folders(&cmds[2..], Some("/opt"));
        assert_eq!(f[1].as_deref(), Some("/opt/x"));
    }
}
