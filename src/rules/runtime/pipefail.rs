use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{
    all_command_lists, base_image_of, program, sets_errexit, shell_errexit, stage_chain,
};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::settings::PipefailPipes;
use crate::shell::{Command, Separator};
use crate::syntax::{Args, Instruction, Item, JsonArg, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF306",
    name: "pipefail",
    aliases: &["DL4006"],
    summary: "A pipe in RUN without pipefail hides failures",
    doc: "## What it does
Flags a shell-form `RUN` that pipes a download into another command (`curl -fsSL $URL | sh`,
`wget -qO- $KEY | gpg --dearmor -o ...`) when `pipefail` is not in effect: no `set -o pipefail`
(or `set -eo pipefail`...) earlier in the same `RUN`, and no `SHELL` of the stage, or of a stage
it builds on, with `-o pipefail`. A download is a `curl`, `wget`, `fetch` or `aria2c` anywhere
before the last command of the pipeline.

Not reported:
- a pipeline followed by `;` or a new line while `-e` is not in effect (a `RUN <<EOF` script
  without `set -e`, `curl ... | gpg ...; echo done`): the shell goes on whatever the pipeline
  returns, with pipefail or not (what is missing there is `set -e`);
- a pipeline with no download before its last command (`find . -name '*.pyc' | xargs rm`,
  `apt-mark showmanual | xargs apt-mark auto`, `ldd ... | awk ... | sort -u`): such a command
  fails for a reason inside the image, the same way on every build, where the author sees it;
  a download fails for reasons outside it (a moved release, a 404, the network) on one build
  and not the next. On 50 real projects every finding on the other pipes was judged noise
  (docker-library's `set -eux` idioms, cleanup pipes), so the rule is narrower than hadolint's
  DL4006, which reports every pipe (`pipes = \"all\"`, under Options, reports them);
- a pipeline whose failure is tolerated anyway (`curl ... | sh || true`) or tested
  (`if curl ... | grep -q x`);
- the unpacking of a compressed archive (`curl -fsSL $URL | tar -xz`): tar fails on an empty
  or cut-off gzip, xz, zstd or bzip2 stream, so a failed download fails the RUN anyway;
- a download decompressed by `gzip -d`, `gunzip`, `zcat`, `zstd -d`, `unzstd`, `bzip2 -d`,
  `bunzip2` or `bzcat` (without `-f`, which passes a foreign stream through): each exits with
  an error on an empty, foreign or cut-off stream (not xz: busybox `unxz` exits 0 on an empty
  one);
- a downloaded signing key read by `gpg --dearmor`, `gpg --import` or `apt-key add -`: gpg
  exits with an error on an empty stream, an error page or an armored key cut anywhere, and
  `--import` on a cut binary key too (checked with gpg 2.2.40). The one case that passes is a
  binary key cut short and passed through `--dearmor`, which a binary key does not need.

## Why is this bad?
The exit status of a pipeline is that of its last command. When `curl` fails (a 404, the
network) and `tar` reads an empty stream, or `sh` runs an empty script, the `RUN` succeeds and
the build goes on with a broken image; the error surfaces much later, if at all.

## Example
```dockerfile
FROM debian:12
RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
```
Use instead:
```dockerfile
FROM debian:12
SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]
RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
```

## Fix safety
Unsafe. The fix puts `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the first such
`RUN` of the stage (above the comments right above it); where a `sh` or bash `SHELL` is in
effect, it keeps that SHELL's options and adds `-o pipefail` (in place, when no other `RUN`
comes between that `SHELL` and this one). Other shells get no fix. Switching from `sh` to bash
is offered only where the stage's base image is known to have bash
(debian, ubuntu, python, node, golang, rust, buildpack-deps, fedora, centos... but not their
Alpine variants, busybox, scratch, distroless or an unknown image). It changes more than the
one pipe: every later `RUN` of the stage, and of the stages built on it, runs under bash
instead of `/bin/sh` (dash on Debian), and a pipeline that used to succeed while a command
before the last failed now fails the build. `set -o pipefail` inside the `RUN` is not offered:
dash, Debian's `/bin/sh`, rejects it. The findings only `pipes = \"all\"` (below) adds have no
fix: the SHELL the fix inserts goes above the stage's first RUN that the default reports.

## Options
`[lint.pipefail] pipes`: `\"downloads\"` (the default) reports the pipes above. `\"all\"` also
reports, as hadolint's DL4006 does, a RUN with any other pipe while pipefail is not in effect: a
pipe with no download, a tolerated or tested pipeline, a download unpacked by tar,
decompressed or read by gpg, a pipeline followed by `;` without `-e`, a pipe inside `$(...)` or
backquotes, a `{ ...; }` group or `( ... )` subshell piped into a command. One finding per RUN, at its first such pipe,
without a fix. What covers a pipe is the same as in the default: a `SHELL` with `-o pipefail`
of the stage or of a stage it builds on, or `set -o pipefail` earlier in the RUN (hadolint
reports both: it forgets the SHELL at each `FROM`, and does not read `set`); `|` between `case`
patterns is not a pipe; Windows images and non-POSIX `SHELL`s, where pipefail does not exist,
are not read.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// Whether a `-o`-like option (`-o`, `-eo`, `-euxo`) is followed by `pipefail`, in a `SHELL`'s
/// arguments or a `set` command's words.
fn sets_pipefail<'s>(args: impl IntoIterator<Item = &'s str>) -> bool {
    let args: Vec<&str> = args.into_iter().collect();
    args.iter().enumerate().any(|(i, a)| {
        let cluster = a.strip_prefix('-').filter(|c| !c.starts_with('-'));
        cluster.is_some_and(|c| c.ends_with('o')) && args.get(i + 1) == Some(&"pipefail")
            || a.strip_prefix("-o")
                .is_some_and(|rest| rest.trim_start() == "pipefail")
    })
}

/// The `SHELL` in effect for the RUN, and its stage: its stage's last before it, or inherited
/// from the stages it builds on. `None`: the default `/bin/sh -c`.
/// The JSON-form `SHELL` instructions of each stage, with their positions in the stage: found
/// once per file, so that finding the shell in effect for each RUN does not walk its stage
/// again (a stage of many RUNs was quadratic).
type Shells<'a> = Vec<Vec<(usize, &'a Instruction)>>;

fn shells<'a>(ctx: &Context<'a>) -> Shells<'a> {
    ctx.stages
        .iter()
        .map(|stage| {
            stage
                .instructions
                .iter()
                .enumerate()
                .filter(|(_, i)| matches!((i.kind(), &i.node.args), (Kind::Shell, Args::Json(_))))
                .map(|(k, i)| (k, *i))
                .collect()
        })
        .collect()
}

fn shell_in_effect<'a>(
    ctx: &Context<'a>,
    shells: &Shells<'a>,
    run: &ShellRun,
) -> Option<(usize, &'a Instruction)> {
    // The last SHELL before the RUN in its stage, else the last one of the nearest stage it
    // builds on that has one.
    let at = ctx
        .stages
        .get(run.stage)?
        .instructions
        .partition_point(|i| i.span.start < run.ins.span.start);
    let own = shells.get(run.stage)?;
    let before = own.get(..own.partition_point(|&(k, _)| k < at));
    if let Some(&(_, ins)) = before.and_then(<[_]>::last) {
        return Some((run.stage, ins));
    }
    stage_chain(ctx, run.stage)
        .into_iter()
        .skip(1)
        .find_map(|s| shells.get(s)?.last().map(|&(_, ins)| (s, ins)))
}

fn json_args(ins: &Instruction) -> &[JsonArg] {
    match &ins.node.args {
        Args::Json(args) => args,
        _ => &[],
    }
}

/// Whether the pipeline's failure cannot change the build, or `pipefail` is not worth it: no
/// download before the last command, a condition, `|| ...` after it, or the unpacking of a
/// compressed archive that fails on a cut-off stream by itself.
fn exempt(pipeline: &[Command]) -> bool {
    let (Some(first), Some((last, feeders))) = (pipeline.first(), pipeline.split_last()) else {
        return true;
    };
    let condition = first
        .keywords
        .iter()
        .chain(first.words.first().map(|w| &w.value))
        .any(|k| matches!(k.as_str(), "if" | "elif" | "while" | "until" | "!"));
    // Only a download fails for reasons outside the image, on one build and not the next;
    // other feeders (`find`, `ldd`, `apt-mark`, `sha256sum`) fail the same way every time.
    let downloads = feeders
        .iter()
        .any(|c| matches!(program(c), Some("curl" | "wget" | "fetch" | "aria2c")));
    // `curl ... | tar -xz`: tar fails on an empty or cut-off archive (gzip, xz and zstd
    // streams end with a check), so a failed download fails the RUN anyway.
    let unpacks = program(last) == Some("tar")
        && last.words.iter().skip(1).any(|w| {
            let v = w.value.as_str();
            v == "--extract"
                || v == "--get"
                || (!v.starts_with("--") && v.trim_start_matches('-').starts_with('x'))
        })
        && last.words.iter().skip(1).any(|w| {
            let v = w.value.as_str();
            matches!(
                v,
                "--gzip" | "--gunzip" | "--xz" | "--zstd" | "--bzip2" | "-z" | "-J"
            ) || (!v.starts_with("--") && v.trim_start_matches('-').contains(['z', 'J', 'j']))
        });
    !downloads
        || condition
        || last.separator == Separator::Or
        || unpacks
        || reads_a_key(last)
        || decompresses(last)
}

/// `curl ... | gzip -d > tool`: gzip, zstd and bzip2 exit with an error on an empty, foreign
/// (an error page) or cut-off stream, so a failed download fails the RUN anyway (GNU and
/// busybox gzip; checked with each). Not xz: busybox `unxz` and `xz -d` exit 0 on an empty
/// or foreign stream. Not with `-f`, which passes a foreign stream through (`zstdcat` always
/// does).
fn decompresses(last: &Command) -> bool {
    let options = || last.words.iter().skip(1).map(|w| w.value.as_str());
    let short = |letter: char| {
        options().any(|v| v.starts_with('-') && !v.starts_with("--") && v.contains(letter))
    };
    if short('f') || options().any(|v| v == "--force") {
        return false;
    }
    match program(last) {
        Some("gunzip" | "zcat" | "unzstd" | "bunzip2" | "bzcat") => true,
        Some("gzip" | "zstd" | "bzip2") => {
            short('d') || options().any(|v| matches!(v, "--decompress" | "--uncompress"))
        }
        _ => false,
    }
}

/// `curl ... | gpg --dearmor -o key.gpg`, `... | gpg --import`, `... | apt-key add -`: gpg
/// exits 2 on an empty stream, an error page and an armored key cut anywhere, and `--import`
/// (which `apt-key add` runs) on a cut binary key too, so a failed download fails the RUN
/// anyway (gpg 2.2.40; `--dearmor` passes a binary key through, cut or not, but a binary key
/// needs no dearmoring).
fn reads_a_key(last: &Command) -> bool {
    let options = || last.words.iter().skip(1).map(|w| w.value.as_str());
    match program(last) {
        Some("gpg" | "gpg2") => {
            options().any(|v| matches!(v, "--dearmor" | "--dearmour" | "--import"))
        }
        Some("apt-key") => options().any(|v| v == "add"),
        _ => false,
    }
}

/// Whether commands `i..=j`, split by `|`, are not a pipeline but the alternatives of a `case`
/// pattern (`case "$arch" in amd64|x86_64) ...;; arm64|aarch64) ...`), which the lexer splits
/// the same way: single words up to a `)`, after `case WORD in` or after `;;`.
fn case_pattern(body: &str, commands: &[Command], i: usize, j: usize) -> bool {
    let end = |c: &Command| c.words.last().map_or(0, |w| w.span.end);
    let start = |c: &Command| c.words.first().map_or(0, |w| w.span.start);
    let (Some(first), Some(last), Some(rest)) =
        (commands.get(i), commands.get(j), commands.get(i + 1..=j))
    else {
        return false;
    };
    let closes = body.get(end(last)..).is_some_and(|rest| {
        rest.trim_start_matches([' ', '\t', '\\', '\n'])
            .starts_with(')')
    });
    let singles = rest
        .iter()
        .all(|c| c.words.len() == 1 && c.assignments.is_empty());
    let before = i.checked_sub(1).and_then(|p| commands.get(p));
    let opens = first.words.first().is_some_and(|w| w.value == "case")
        && first
            .words
            .iter()
            .rev()
            .nth(1)
            .is_some_and(|w| w.value == "in")
        || first.words.len() == 1
            && body
                .get(before.map_or(0, end)..start(first))
                .is_some_and(|gap| {
                    let gap = gap.trim_end_matches([' ', '\t', '\\', '\n', '(']);
                    let after_in = before.is_some_and(|c| {
                        let w = &c.words;
                        w.first().is_some_and(|w| w.value == "case")
                            && w.last().is_some_and(|w| w.value == "in")
                    });
                    gap.ends_with(";;") || gap.ends_with(";&") || after_in && gap.is_empty()
                });
    closes && singles && opens
}

/// The first pipeline of the RUN that pipefail would change, as a range of command indices,
/// unless a `set -o pipefail` comes before it; `fails_the_run` says whether a failure of the
/// pipeline ending at a command would fail the RUN.
fn unprotected_pipeline(
    body: &str,
    commands: &[Command],
    fails_the_run: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(cmd) = commands.get(i) {
        if program(cmd) == Some("set")
            && sets_pipefail(cmd.words.iter().skip(1).map(|w| w.value.as_str()))
        {
            return None;
        }
        if cmd.separator != Separator::Pipe {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < commands.len()
            && commands
                .get(j)
                .is_some_and(|c| c.separator == Separator::Pipe)
        {
            j += 1;
        }
        let pipeline = commands.get(i..=j).unwrap_or_default();
        if !exempt(pipeline) && !case_pattern(body, commands, i, j) && fails_the_run(j) {
            return Some((i, j));
        }
        i = j + 1;
    }
    None
}

/// Where a line inserted before the RUN goes: above the comment lines right above it (they
/// belong to the RUN, suppression comments included). Returns the offset and the indentation
/// of that line.
fn insertion_point<'d>(ctx: &Context<'d>, run: &ShellRun) -> (usize, &'d str) {
    let items = &ctx.doc.items;
    let index = items
        .iter()
        .position(|i| matches!(i, Item::Instruction(ins) if std::ptr::eq(&**ins, run.ins)));
    let mut start = run.ins.span.start;
    if let Some(k) = index {
        let above = items.iter().take(k).rev();
        for item in above {
            match item {
                Item::Comment(span) => start = span.start,
                _ => break,
            }
        }
    }
    let line = &ctx.doc.text[start..];
    let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
    (start, indent)
}

/// The `SHELL` that turns pipefail on, from the shell in effect: bash with `-o pipefail` added
/// after the program. `None` when the base image is not known to have bash, or the shell in
/// effect is another program.
fn pipefail_shell<'a>(ctx: &Context<'a>, shells: &Shells<'a>, run: &ShellRun) -> Option<String> {
    let bash_base = || {
        let base = base_image_of(ctx, run.stage)?;
        let name = crate::images::official_name(base.name()?);
        let tag = base.tag().ok()?.unwrap_or("latest");
        crate::images::has_bash(&name, tag).then_some(())
    };
    let mut args: Vec<String> = match shell_in_effect(ctx, shells, run) {
        None => {
            bash_base()?;
            vec!["/bin/bash".into(), "-c".into()]
        }
        Some((_, shell)) => {
            let shell = json_args(shell);
            let prog = shell.first()?.value.rsplit('/').next().unwrap_or("");
            let mut args: Vec<String> = shell.iter().map(|a| a.value.clone()).collect();
            match prog {
                "bash" => {}
                "sh" => {
                    bash_base()?;
                    if let Some(program) = args.first_mut() {
                        *program = "/bin/bash".into();
                    }
                }
                _ => return None,
            }
            args
        }
    };
    args.splice(1..1, ["-o".to_string(), "pipefail".to_string()]);
    let items: Vec<String> = args
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect();
    Some(format!("[{}]", items.join(", ")))
}

/// The fix: rewrite the stage's `SHELL` in place when nothing but comments and non-RUN
/// instructions separate it from the RUN (and it is on one line), else insert a `SHELL` line
/// before the RUN.
fn shell_fix<'a>(ctx: &Context<'a>, shells: &Shells<'a>, run: &ShellRun) -> Option<Fix> {
    let json = pipefail_shell(ctx, shells, run)?;
    if let Some((stage, shell)) = shell_in_effect(ctx, shells, run) {
        let between = ctx
            .stages
            .get(stage)
            .iter()
            .flat_map(|s| &s.instructions)
            .skip_while(|i| !std::ptr::eq(**i, shell))
            .take_while(|i| !std::ptr::eq(**i, run.ins))
            .any(|i| matches!(i.kind(), Kind::Run | Kind::Onbuild));
        if stage == run.stage && !between && !shell.is_multiline() {
            return Some(Fix::new(
                format!("Use `SHELL {json}`"),
                Applicability::Unsafe,
                vec![Edit::replace(shell.to_source(shell.node.rest), json)],
            ));
        }
    }
    let (at, indent) = insertion_point(ctx, run);
    let newline = if ctx.doc.slice(run.ins.span).ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(Fix::new(
        format!("Insert `SHELL {json}` before the RUN"),
        Applicability::Unsafe,
        vec![Edit::insert(at, format!("{indent}SHELL {json}{newline}"))],
    ))
}

/// `pipes = "all"`: the first pipe of a RUN (also inside `$(...)` and backquotes) that no `set -o pipefail`
/// before it covers, whatever its commands and whether its failure is tolerated, as hadolint's
/// DL4006 (the SHELL in effect is checked by the caller). `|` between `case` patterns is not a
/// pipe. No fix: the default's fix is for the pipes it reports.
fn any_pipe(run: &ShellRun) -> Option<Diagnostic> {
    let body = run.script;
    let start = |c: &Command| c.words.first().map_or(0, |w| w.span.start);
    // Where a `set -o pipefail` of the RUN's own shell turns it on.
    let pipefail_from = run
        .commands
        .iter()
        .find(|c| {
            program(c) == Some("set")
                && sets_pipefail(c.words.iter().skip(1).map(|w| w.value.as_str()))
        })
        .map_or(usize::MAX, start);
    let mut found: Option<(&Command, &Command)> = None;
    let lists = all_command_lists(run);
    for list in &lists {
        let mut i = 0;
        while let Some(cmd) = list.get(i) {
            if cmd.separator != Separator::Pipe {
                i += 1;
                continue;
            }
            let mut j = i;
            while list.get(j).is_some_and(|c| c.separator == Separator::Pipe) && j + 1 < list.len()
            {
                j += 1;
            }
            if let (Some(last), false) = (list.get(j), case_pattern(body, list, i, j))
                && start(cmd) < pipefail_from
                && found.is_none_or(|(f, _)| start(cmd) < start(f))
            {
                found = Some((cmd, last));
            }
            i = j + 1;
        }
    }
    let name = |c: &Command| program(c).unwrap_or("").to_string();
    // A group or subshell piped into a command (`{ echo a; echo b; } | tee f`), which the
    // lexer does not keep as a pipeline.
    let group = group_pipe(body)
        .filter(|&at| at < pipefail_from && found.is_none_or(|(f, _)| at < start(f)))
        .and_then(|at| {
            let after = lists
                .iter()
                .flatten()
                .filter(|c| start(c) > at && !c.words.is_empty())
                .min_by_key(|c| start(c))?;
            Some((at, after))
        });
    if let Some((at, after)) = group {
        let end = run.command_span(after).end;
        let from = run.to_source(Span::new(at, at + 1)).start;
        return Some(Diagnostic::new(
            &RULE,
            Span::new(from, end.max(from)),
            format!(
                "Pipe without `pipefail`: a failure of the commands before `|` is hidden when `{}` succeeds",
                name(after)
            ),
        ));
    }
    let (first, last) = found?;
    let (a, b) = (run.command_span(first), run.command_span(last));
    Some(Diagnostic::new(
        &RULE,
        Span::new(a.start, b.end.max(a.start)),
        format!(
            "Pipe without `pipefail`: a failure of `{}` is hidden when `{}` succeeds",
            name(first),
            name(last),
        ),
    ))
}

/// The offset of the first `|` (not `||`) right after the end of a group or subshell (`}` or
/// `)`, blanks and escaped newlines between), outside quotes and comments.
fn group_pipe(script: &str) -> Option<usize> {
    let b = script.as_bytes();
    let (mut i, mut in_double) = (0, false);
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 1,
            b'\'' if !in_double => i += script.get(i + 1..)?.find('\'')? + 1,
            b'"' => in_double = !in_double,
            b'#' if !in_double
                && (i == 0
                    || b.get(i - 1)
                        .is_some_and(|p| p.is_ascii_whitespace() || *p == b';')) =>
            {
                while b.get(i + 1).is_some_and(|&d| d != b'\n') {
                    i += 1;
                }
            }
            b'}' | b')'
                if !in_double
                    && (c == b')'
                        || i == 0
                        || b.get(i - 1)
                            .is_some_and(|p| p.is_ascii_whitespace() || *p == b';')) =>
            {
                // Blanks, escaped newlines and redirections to a descriptor (`2>&1`).
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        Some(b' ' | b'\t') => j += 1,
                        Some(b'\\') if b.get(j + 1) == Some(&b'\n') => j += 2,
                        Some(b'0'..=b'9' | b'<' | b'>') => {
                            let mut k = j;
                            while b.get(k).is_some_and(u8::is_ascii_digit) {
                                k += 1;
                            }
                            if !matches!(b.get(k), Some(b'<' | b'>')) {
                                break;
                            }
                            while matches!(b.get(k), Some(b'<' | b'>' | b'&')) {
                                k += 1;
                            }
                            while b.get(k).is_some_and(|d| d.is_ascii_digit() || *d == b'-') {
                                k += 1;
                            }
                            j = k;
                        }
                        _ => break,
                    }
                }
                if b.get(j) == Some(&b'|') && b.get(j + 1) != Some(&b'|') {
                    return Some(j);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (mut tried, mut fixed): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let shells = shells(ctx);
    let all = ctx.options.pipefail_pipes == PipefailPipes::All;
    for run in ctx.shell_runs() {
        if shell_in_effect(ctx, &shells, run).is_some_and(|(_, shell)| {
            sets_pipefail(json_args(shell).iter().skip(1).map(|a| a.value.as_str()))
        }) {
            continue;
        }
        let body = run.script;
        // Not a pipeline followed by `;` or a new line without `-e` in effect (a heredoc
        // script without `set -e`): the shell goes on whatever the pipeline returns, and
        // pipefail changes nothing; what is missing there is `set -e`.
        let errexit = std::cell::OnceCell::new();
        let fails_the_run = |last: usize| {
            let goes_on = run.commands.get(last).is_some_and(|c| {
                last + 1 < run.commands.len()
                    && matches!(c.separator, Separator::Semi | Separator::Newline)
            });
            !goes_on
                || *errexit.get_or_init(|| shell_errexit(ctx, run))
                || sets_errexit(run.commands.get(..last).unwrap_or_default())
        };
        let Some((first, last)) = unprotected_pipeline(body, &run.commands, &fails_the_run) else {
            if all && let Some(d) = any_pipe(run) {
                out.push(d);
            }
            continue;
        };
        let (Some(first), Some(last)) = (run.commands.get(first), run.commands.get(last)) else {
            continue;
        };
        let (a, b) = (run.command_span(first), run.command_span(last));
        let name = |c: &Command| program(c).unwrap_or("").to_string();
        let mut diag = Diagnostic::new(
            &RULE,
            Span::new(a.start, b.end.max(a.start)),
            format!(
                "Pipe without `pipefail`: when `{}` fails, the RUN still succeeds if `{}` does",
                name(first),
                name(last),
            ),
        );
        // One SHELL per stage: its later RUNs, and the stages built on it, get pipefail from
        // it (the fix loop lints again after each round).
        let chain = stage_chain(ctx, run.stage);
        if !tried.contains(&run.stage) && !chain.iter().any(|s| fixed.contains(s)) {
            tried.push(run.stage);
            if let Some(fix) = shell_fix(ctx, &shells, run) {
                fixed.push(run.stage);
                diag = diag.with_fix(fix);
            }
        }
        out.push(diag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_after_groups() {
        assert_eq!(group_pipe("{ echo a; echo b; } | tee f"), Some(20));
        assert_eq!(group_pipe("(cd /x && ls) |sort"), Some(14));
        assert_eq!(group_pipe("{ a || :; } 2>&1 | grep x"), Some(17));
        assert_eq!(group_pipe("{ a; } >f | b"), None);
        assert_eq!(group_pipe("{ a; } || true"), None);
        assert_eq!(group_pipe("echo '{ a; } | b' \"(x) | y\""), None);
        assert_eq!(group_pipe("a # { b; } | c"), None);
        assert_eq!(group_pipe("echo ${X}|tr a b"), None);
    }

    #[test]
    fn pipefail_options() {
        assert!(sets_pipefail(["-o", "pipefail", "-c"]));
        assert!(sets_pipefail(["-euxo", "pipefail"]));
        assert!(sets_pipefail(["-o pipefail"]));
        assert!(!sets_pipefail(["-o", "errexit", "-c"]));
        assert!(!sets_pipefail(["--o", "pipefail"]));
    }

    #[test]
    fn pipelines() {
        let find = |body: &str| {
            unprotected_pipeline(body, &crate::shell::commands(body).unwrap(), &|_| true)
        };
        assert_eq!(find("curl -fsSL u | tar -x"), Some((0, 1)));
        // A compressed stream cut off or empty fails tar itself.
        assert_eq!(find("curl -fsSL u | tar -xz"), None);
        assert_eq!(find("wget -qO- u | tar --extract --xz -C /opt"), None);
        // So do the decompressors (not with `-f`, which passes a foreign stream through).
        assert_eq!(find("curl -fL u | gzip -d > /usr/local/bin/dasel"), None);
        assert_eq!(
            find("curl -fL u | zstd --decompress > /x && chmod +x /x"),
            None
        );
        // busybox `unxz` exits 0 on an empty or foreign stream.
        assert_eq!(find("wget -qO- u | unxz > /x"), Some((0, 1)));
        assert_eq!(find("wget -qO- u | zcat > /x"), None);
        assert_eq!(find("curl -fL u | gzip -df > /x"), Some((0, 1)));
        assert_eq!(find("curl -fL u | gzip > /x.gz"), Some((0, 1)));
        // gpg fails on an empty, cut or foreign key stream by itself.
        assert_eq!(find("wget -qO - u | gpg --dearmour > /k.gpg"), None);
        assert_eq!(find("curl -fsSL u | gpg --batch --dearmor -o /k.gpg"), None);
        assert_eq!(find("curl -fsSL u | gpg --import"), None);
        assert_eq!(find("curl -fsSL u | apt-key add -"), None);
        assert_eq!(find("curl -fsSL u | gpg --list-packets"), Some((0, 1)));
        // No download before the last command: not reported.
        assert_eq!(find("locale -a | grep en_US"), None);
        assert_eq!(find("find / -name '*.pyc' | xargs rm -f"), None);
        assert_eq!(find("apt-mark showmanual | xargs apt-mark auto"), None);
        assert_eq!(
            find("seq 1 8 | xargs -I{} mkdir -p /usr/share/man/man{}"),
            None
        );
        assert_eq!(find("curl -fsSL u | grep ok"), Some((0, 1)));
        assert_eq!(find("a && curl u | c | d"), Some((1, 3)));
        assert_eq!(find("a && b | curl -d @- u | d"), Some((1, 3)));
        assert_eq!(find("a && b | c | curl u"), None);
        assert_eq!(find("set -eo pipefail; curl u | sh"), None);
        assert_eq!(find("curl u | sh; set -o pipefail"), Some((0, 1)));
        assert_eq!(find("echo x | tee f && yes | sdkmanager --licenses"), None);
        assert_eq!(find("curl u | grep -q x || true"), None);
        assert_eq!(find("if curl u | grep -q x; then b; fi"), None);
        assert_eq!(find("echo 'a b' > f"), None);
        assert_eq!(
            find("case \"$a\" in amd64|x86_64) x=1 ;; arm64 | aarch64 ) x=2 ;; *) exit 1 ;; esac"),
            None
        );
        assert_eq!(
            find("case $a in (amd64|x86_64) curl u | sh ;; esac"),
            Some((3, 4))
        );
        assert_eq!(find("(wget -O- u | sh)"), Some((0, 1)));
        assert_eq!(find("(ls | sort)"), None);
    }
}
