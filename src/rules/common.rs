//! Helpers the rules share that know nothing of any one package manager: words and spans of a
//! RUN's commands, option parsing, `--mount`s, stage chains, where a command can be appended,
//! and whether a failing command fails the RUN.

use super::unpinned_base::{BaseImage, root_base};
use super::{Context, ShellRun};
use crate::shell::{Command, Separator, Word};
use crate::syntax::{Args, Instruction, Kind, Span};

// Words and spans.

/// The source span from one word of a RUN's body to another (`apt-get install`, from the
/// program word to the subcommand).
pub(super) fn word_span(run: &ShellRun, from: &Word, to: &Word) -> Span {
    run.to_source(Span::new(from.span.start, to.span.end))
}

/// The words of a command after the shell's reserved words that may lead it (`then apt-get
/// install ...` is lexed as one command).
pub(super) fn command_words(cmd: &Command) -> &[Word] {
    cmd.words.get(cmd.name_index()..).unwrap_or_default()
}

/// The program name of a command, without a directory, after leading reserved words (unlike
/// [`Command::program`], which takes the first word as it is).
pub(super) fn program(cmd: &Command) -> Option<&str> {
    let w = command_words(cmd).first()?;
    Some(crate::shell::base_name(&w.value))
}

/// Every command list of a RUN's script, spans relative to it: the top level, those of each
/// `$(...)` ([`ShellRun::nested_commands`]), then those of each backquote substitution
/// (`` `cmd` ``) anywhere in the script (also in a redirection's target; not inside single
/// quotes or comments). A backquoted body the lexer cannot read is skipped. For the rules that
/// ask about any command of a RUN as hadolint does (which sees the commands of both kinds of
/// substitution).
pub(super) fn all_command_lists(run: &ShellRun) -> Vec<Vec<Command>> {
    let mut out: Vec<Vec<Command>> = run.nested_commands().map(<[Command]>::to_vec).collect();
    if run.script.contains('`') {
        for body in backquoted(run.script) {
            let Some(mut commands) = crate::shell::commands(body.slice(run.script)) else {
                continue;
            };
            for c in &mut commands {
                for w in c.words.iter_mut().chain(c.assignments.iter_mut()) {
                    w.span = Span::new(body.start + w.span.start, body.start + w.span.end);
                }
            }
            out.push(commands);
        }
    }
    out
}

/// The bodies between backquotes in a script, not inside single quotes or comments.
fn backquoted(script: &str) -> Vec<Span> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut in_double) = (0, false);
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 1,
            b'\'' if !in_double => match script.get(i + 1..).and_then(|r| r.find('\'')) {
                Some(end) => i += end + 1,
                None => return out,
            },
            b'"' => in_double = !in_double,
            // A comment: `#` where a word starts.
            b'#' if !in_double
                && (i == 0
                    || b.get(i - 1)
                        .is_some_and(|p| p.is_ascii_whitespace() || *p == b';')) =>
            {
                while b.get(i + 1).is_some_and(|&d| d != b'\n') {
                    i += 1;
                }
            }
            b'`' => {
                let mut j = i + 1;
                while let Some(&d) = b.get(j) {
                    match d {
                        b'\\' => j += 1,
                        b'`' => break,
                        _ => {}
                    }
                    j += 1;
                }
                if j >= b.len() {
                    return out;
                }
                out.push(Span::new(i + 1, j));
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

// Paths and mounts.

/// An absolute path, or one whose value is not known here (a variable, a quoted word, a
/// Windows path such as `C:\app`).
pub(super) fn absolute_or_unknown(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with(['/', '\\', '$', '"', '\''])
        || (b.len() >= 2
            && b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.get(1) == Some(&b':'))
}

/// Whether `path` is `dir` or inside it (both without a trailing `/`).
pub(super) fn is_within(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The path an `rm` operand removes, with trailing globs and slashes removed
/// (`/var/cache/yum/*` is `/var/cache/yum`). A quoted `*` is not a glob: `rm -rf '/x/*'`
/// removes nothing, so `None`.
pub(super) fn removed_path<'w>(w: &'w Word, body: &str) -> Option<&'w str> {
    if w.value.ends_with('*') && !w.span.slice(body).ends_with('*') {
        return None;
    }
    let p = w.value.trim_end_matches(['*', '/']);
    (!p.is_empty()).then_some(p)
}

/// The targets of the RUN's `--mount`s (any type), without a trailing `/`.
pub(super) fn mount_targets<'a>(run: &ShellRun<'a>) -> Vec<&'a str> {
    run.ins
        .node
        .flags
        .iter()
        .filter(|f| f.name() == "mount")
        .filter_map(|f| {
            f.value()?.split(',').find_map(|kv| {
                kv.strip_prefix("target=")
                    .or_else(|| kv.strip_prefix("dst="))
                    .or_else(|| kv.strip_prefix("destination="))
                    .map(|t| t.trim_end_matches('/'))
            })
        })
        .collect()
}

/// Whether what the RUN writes to `path` stays out of the layer: a `--mount` of the RUN (a
/// cache, tmpfs or bind mount) covers `path`, or a folder inside it.
pub(super) fn mounted_over(run: &ShellRun, path: &str) -> bool {
    mount_targets(run)
        .iter()
        .any(|t| is_within(path, t) || is_within(t, path))
}

/// Whether the RUN has no network (`RUN --network=none`).
pub(super) fn network_none(run: &ShellRun) -> bool {
    run.ins
        .node
        .flags
        .iter()
        .any(|f| f.name() == "network" && f.value() == Some("none"))
}

// Stages.

/// The image a stage's FROM names (`debian:12`, or an earlier stage's name).
pub(super) fn from_image<'a>(ctx: &Context<'a>, stage: usize) -> Option<&'a str> {
    let from = ctx.stages.get(stage)?.from?;
    let Args::Words(words) = &from.node.args else {
        return None;
    };
    Some(words.first()?.slice(&from.logical))
}

/// The image a stage is made from, for questions to the image knowledge base
/// ([`crate::images`]): the `FROM` of the first stage of its chain (`FROM build AS test` is made
/// from `build`'s image), with the defaults of global `ARG`s expanded
/// ([`BaseImage::official_name`]) or as written ([`BaseImage::literal_official_name`], for a
/// rule that trusts only what no `--build-arg` can change), and `scratch`. `None` when that
/// `FROM` names nothing, or an earlier stage through a build argument.
pub(super) fn base_image_of<'a>(ctx: &Context<'a>, stage: usize) -> Option<BaseImage<'a>> {
    let root = stage_root(ctx, stage);
    if let Some(base) = root_base(ctx, root) {
        return Some(base);
    }
    // `scratch` (and an empty name), which are not base images to pin.
    let from = ctx.stages.get(root)?.from?;
    let Args::Words(words) = &from.node.args else {
        return None;
    };
    let image = words.first()?;
    let written = image.slice(&from.logical);
    (!written.contains('$')).then(|| BaseImage {
        stage: root,
        written,
        span: from.to_source(*image),
        resolved: written.to_string(),
    })
}

/// Whether the Dockerfile is a development environment's: a dev container's (under a
/// `.devcontainer/` folder, or built on a dev container image:
/// `mcr.microsoft.com/devcontainers/*`, `.../vscode/devcontainers/*`), CodeSandbox's (under
/// `.codesandbox/`) or Gitpod's (`.gitpod.Dockerfile`, or under `.gitpod/`).
pub(super) fn dev_container(ctx: &Context) -> bool {
    let in_folder = ctx
        .options
        .context
        .as_ref()
        .and_then(|c| c.dockerfile())
        .is_some_and(|p| {
            p.file_name()
                .is_some_and(|n| n.eq_ignore_ascii_case(".gitpod.Dockerfile"))
                || p.components().any(|c| {
                    matches!(
                        c.as_os_str().to_str(),
                        Some(".devcontainer" | ".codesandbox" | ".gitpod")
                    )
                })
        });
    in_folder
        || (0..ctx.stages.len()).any(|s| {
            from_image(ctx, s).is_some_and(|i| i.to_ascii_lowercase().contains("devcontainers/"))
        })
}

/// Whether this Dockerfile builds an image that another Dockerfile of its folder only copies
/// files out of: outline's `Dockerfile.base` (published as `outlinewiki/outline-base`) beside
/// a `Dockerfile` with `ARG BASE_IMAGE=outlinewiki/outline-base`, `FROM ${BASE_IMAGE} AS base`,
/// used only by `COPY --from=base`. The file's name gives its role (`Dockerfile.base`,
/// `base.Dockerfile`: `base`), and a sibling's image named for that role (`*-base`, `*_base`,
/// `*/base`, with the sibling's global `ARG` defaults) must be one of its stages that does not
/// ship. Then nothing of this file ships but the files copied out, and its size and cleanup
/// findings change nothing in an image. At most 20 siblings are read.
pub(super) fn builder_for_a_sibling(ctx: &Context) -> bool {
    let Some(context) = ctx.options.context.as_ref() else {
        return false;
    };
    let Some(path) = context.dockerfile() else {
        return false;
    };
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let Some(role) = lower
        .strip_prefix("dockerfile.")
        .or_else(|| lower.strip_suffix(".dockerfile"))
        .filter(|r| {
            r.len() >= 2
                && r.starts_with(|c: char| c.is_ascii_alphabetic())
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    else {
        return false;
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    // Worked out once per folder (the context's root, as usual) for all its Dockerfiles.
    let copied = if dir == context.root() {
        context.memo("sibling-builder-images", || builder_images(dir))
    } else {
        std::sync::Arc::new(builder_images(dir))
    };
    copied.iter().any(|(file, images)| {
        *file != name
            && images.iter().any(|image| {
                image == role
                    || image
                        .strip_suffix(role)
                        .is_some_and(|head| head.ends_with(['-', '_']))
            })
    })
}

/// For the Dockerfiles of a folder (the first 20 by name), the images (last part of the name,
/// lower case, without tag or digest, with the file's global `ARG` defaults) of their stages
/// that do not ship: images they only copy files out of.
fn builder_images(dir: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| crate::walk::is_dockerfile_name(n))
        .collect();
    names.sort();
    names.truncate(20);
    names
        .into_iter()
        .filter_map(|file| {
            let p = dir.join(&file);
            let text = std::fs::metadata(&p)
                .ok()
                .filter(|m| m.is_file() && m.len() <= 1 << 20)
                .and_then(|_| std::fs::read_to_string(&p).ok())?;
            let doc = crate::syntax::parse(&text).ok()?;
            let sctx = Context::new(&doc);
            let images: Vec<String> = crate::rules::unpinned_base::base_images(&sctx)
                .iter()
                .filter(|b| !sctx.ships(b.stage))
                .map(|b| {
                    let reference = b.resolved.split('@').next().unwrap_or(&b.resolved);
                    let last = reference.rsplit('/').next().unwrap_or(reference);
                    last.split(':').next().unwrap_or(last).to_ascii_lowercase()
                })
                .collect();
            (!images.is_empty()).then_some((file, images))
        })
        .collect()
}

/// The earlier stages a stage copies or mounts files from (`COPY --from=NAME` or an index,
/// `RUN --mount=...,from=NAME`).
pub(super) fn stages_copied_from(ctx: &Context, stage: usize) -> Vec<usize> {
    let Some(st) = ctx.stages.get(stage) else {
        return Vec::new();
    };
    let mut refs: Vec<&str> = Vec::new();
    for ins in &st.instructions {
        for f in &ins.node.flags {
            match (f.name(), f.value()) {
                ("from", Some(v)) => refs.push(v),
                ("mount", Some(v)) => {
                    refs.extend(v.split(',').filter_map(|kv| kv.strip_prefix("from=")))
                }
                _ => {}
            }
        }
    }
    refs.into_iter()
        .filter_map(|r| {
            (1..stage).find(|&i| {
                stage_name(ctx, i).is_some_and(|n| n.eq_ignore_ascii_case(r))
                    || r.parse::<usize>()
                        .is_ok_and(|k| k.checked_add(1) == Some(i))
            })
        })
        .collect()
}

/// The earlier stages a FROM written with a build argument may name (`FROM base-${TARGETARCH}`
/// is `base-amd64` or `base-arm64`): those whose name fits the FROM with every variable taken
/// for any text. Empty when the FROM has no variable, or is nothing but one.
pub(super) fn stages_a_variable_may_name(ctx: &Context, stage: usize) -> Vec<usize> {
    let Some(image) = from_image(ctx, stage).filter(|i| i.contains('$')) else {
        return Vec::new();
    };
    // `${A}-x-$B` as the pieces between variables: `["", "-x-", ""]`.
    let mut pieces: Vec<String> = vec![String::new()];
    let mut chars = image.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            if let Some(last) = pieces.last_mut() {
                last.push(c.to_ascii_lowercase());
            }
            continue;
        }
        if chars.peek() == Some(&'{') {
            for n in chars.by_ref() {
                if n == '}' {
                    break;
                }
            }
        } else {
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
            {
                chars.next();
            }
        }
        pieces.push(String::new());
    }
    // A FROM that is only a variable (`FROM ${BASE}`) names an image as often as a stage.
    if pieces.iter().all(String::is_empty) {
        return Vec::new();
    }
    let fits = |name: &str| {
        let name = name.to_ascii_lowercase();
        let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
            return false;
        };
        if !name.starts_with(first.as_str()) || name.len() < first.len() + last.len() {
            return false;
        }
        let mut at = first.len();
        let end = name.len() - last.len();
        if !name.ends_with(last.as_str()) {
            return false;
        }
        for piece in pieces.iter().skip(1).take(pieces.len().saturating_sub(2)) {
            match name.get(at..end).and_then(|rest| rest.find(piece.as_str())) {
                Some(i) => at += i + piece.len(),
                None => return false,
            }
        }
        at <= end
    };
    let fitting: Vec<usize> = (1..stage)
        .filter(|&s| stage_name(ctx, s).is_some_and(fits))
        .collect();
    // One variable (`FROM ${BASE}-base`): it holds the same value in every FROM of the file,
    // so only the values that make each FROM written with it name a stage count. With
    // `${BASE}-ext-base` elsewhere, `${BASE}-base` is `apache-base` or `fpm-base`, not
    // `apache-ext-base` (kimai builds one image per value).
    let Some((prefix, var, suffix)) = single_variable(image) else {
        return fitting;
    };
    let Some(common) = from_variable_values(ctx).get(&var) else {
        return fitting;
    };
    if common.is_empty() {
        return fitting;
    }
    fitting
        .into_iter()
        .filter(|&s| {
            stage_name(ctx, s).is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n.strip_prefix(prefix.as_str())
                    .and_then(|r| r.strip_suffix(suffix.as_str()))
                    .is_some_and(|v| common.iter().any(|c| c == v))
            })
        })
        .collect()
}

/// Per build argument that `FROM`s use alone, the values with which every `FROM` written with
/// it that can name a stage does: the intersection of what each allows (a `FROM` that names no
/// stage with any value names an image and says nothing). Once per file: the stage names are
/// read once, and each such `FROM` is matched against them once.
fn from_variable_values<'c>(
    ctx: &'c Context,
) -> &'c std::collections::HashMap<String, Vec<String>> {
    ctx.from_variable_values.get_or_init(|| {
        let names: Vec<Option<String>> = (0..ctx.stages.len())
            .map(|s| stage_name(ctx, s).map(str::to_ascii_lowercase))
            .collect();
        let mut out: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for stage in 1..ctx.stages.len() {
            let Some((prefix, var, suffix)) = from_image(ctx, stage).and_then(single_variable)
            else {
                continue;
            };
            let values: Vec<String> = names
                .get(1..stage)
                .unwrap_or_default()
                .iter()
                .flatten()
                .filter(|n| n.len() > prefix.len() + suffix.len())
                .filter_map(|n| {
                    n.strip_prefix(prefix.as_str())?
                        .strip_suffix(suffix.as_str())
                        .map(str::to_string)
                })
                .collect();
            if values.is_empty() {
                continue;
            }
            match out.get_mut(&var) {
                Some(common) => {
                    let allowed: std::collections::HashSet<&String> = values.iter().collect();
                    common.retain(|c| allowed.contains(c));
                }
                None => {
                    out.insert(var, values);
                }
            }
        }
        out
    })
}

/// A variable reference read after its `$`: `NAME` or `{NAME}` (a plain name; `${A:-x}` and
/// the like are not), with the text after it.
pub(super) fn plain_variable(after_dollar: &str) -> Option<(&str, &str)> {
    let (name, rest) = match after_dollar.strip_prefix('{') {
        Some(braced) => braced.split_once('}')?,
        None => {
            let end = after_dollar
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after_dollar.len());
            after_dollar.split_at(end)
        }
    };
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some((name, rest))
}

/// An image written with exactly one variable: the text before it and after it (lowercase)
/// and the variable's name (`base-${ARCH}-x` is `("base-", "ARCH", "-x")`).
fn single_variable(image: &str) -> Option<(String, String, String)> {
    let (before, rest) = image.split_once('$')?;
    let (name, after) = plain_variable(rest)?;
    if after.contains('$') {
        return None;
    }
    Some((
        before.to_ascii_lowercase(),
        name.to_string(),
        after.to_ascii_lowercase(),
    ))
}

/// The stage's name (`FROM image AS name`), as written.
pub(super) fn stage_name<'a>(ctx: &Context<'a>, stage: usize) -> Option<&'a str> {
    let from = ctx.stages.get(stage)?.from?;
    let Args::Words(words) = &from.node.args else {
        return None;
    };
    match words.as_slice() {
        [_, as_, name] if as_.slice(&from.logical).eq_ignore_ascii_case("as") => {
            Some(name.slice(&from.logical))
        }
        _ => None,
    }
}

/// Which stages a stage is made of: the stage and the earlier stages it builds on (`FROM build
/// AS test`), nearest first.
pub(super) fn stage_chain(ctx: &Context, stage: usize) -> Vec<usize> {
    let mut chain = vec![stage];
    let mut current = stage;
    while let Some(p) = stage_parent(ctx, current) {
        chain.push(p);
        current = p;
    }
    chain
}

/// The instructions a RUN's image is built from before it: those of the stages its stage
/// builds on, the first stage of the chain first, then its own stage's up to the RUN.
pub(super) fn instructions_before<'c, 'a>(
    ctx: &'c Context<'a>,
    run: &ShellRun,
) -> impl Iterator<Item = &'a Instruction> + 'c {
    // Compared by address only.
    let target: *const Instruction = run.ins;
    stage_chain(ctx, run.stage)
        .into_iter()
        .rev()
        .flat_map(move |s| {
            ctx.stages
                .get(s)
                .into_iter()
                .flat_map(|st| st.instructions.iter().copied())
        })
        .take_while(move |ins| !std::ptr::eq(*ins, target))
}

/// The stage a stage builds on (`FROM build AS test`: `build`), always an earlier one.
pub(super) fn stage_parent(ctx: &Context, stage: usize) -> Option<usize> {
    let links = ctx.stage_parents.get_or_init(|| stage_links(ctx));
    links.get(stage).and_then(|l| l.0)
}

/// The first stage of a stage's chain (the last of [`stage_chain`]), without walking it.
pub(super) fn stage_root(ctx: &Context, stage: usize) -> usize {
    let links = ctx.stage_parents.get_or_init(|| stage_links(ctx));
    links.get(stage).map_or(stage, |l| l.1)
}

/// For each stage, in one pass: its parent, the latest earlier stage whose name its `FROM`
/// image is (ASCII case ignored), and its root.
fn stage_links(ctx: &Context) -> Vec<(Option<usize>, usize)> {
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut links: Vec<(Option<usize>, usize)> = Vec::with_capacity(ctx.stages.len());
    for i in 0..ctx.stages.len() {
        let parent = match from_image(ctx, i) {
            Some(image) if i > 0 => names.get(&image.to_ascii_lowercase()).copied(),
            _ => None,
        };
        let root = parent.and_then(|p| links.get(p)).map_or(i, |l| l.1);
        links.push((parent, root));
        if let Some(name) = stage_name(ctx, i).filter(|_| i > 0) {
            names.insert(name.to_ascii_lowercase(), i);
        }
    }
    links
}

/// The shell RUNs that ran before run `r` in the image it builds: earlier RUNs of its stage and
/// of the stages it builds on, in document order.
pub(super) fn earlier_runs<'r, 'a>(
    ctx: &Context,
    runs: &'r [ShellRun<'a>],
    r: usize,
) -> impl Iterator<Item = &'r ShellRun<'a>> {
    // Stage numbers decrease along a chain: a binary search, not a scan, per earlier RUN.
    let chain = runs
        .get(r)
        .map_or_else(Vec::new, |run| stage_chain(ctx, run.stage));
    runs.iter()
        .take(r)
        .filter(move |o| chain.binary_search_by(|s| o.stage.cmp(s)).is_ok())
}

/// The shell RUNs that run after run `r` on top of what it leaves: later RUNs of its stage and
/// of the stages built on it, in document order.
pub(super) fn later_runs<'r, 'a>(
    ctx: &'r Context,
    runs: &'r [ShellRun<'a>],
    r: usize,
) -> impl Iterator<Item = &'r ShellRun<'a>> {
    let (stage, later) = match runs.get(r..).and_then(<[_]>::split_first) {
        Some((run, later)) => (run.stage, later),
        None => (0, &[][..]),
    };
    later.iter().filter(move |o| builds_on(ctx, o.stage, stage))
}

/// Whether stage `stage` is `ancestor` or built on it, directly or not (without collecting
/// its chain: parents come before their children, so the walk stops below `ancestor`).
pub(super) fn builds_on(ctx: &Context, stage: usize, ancestor: usize) -> bool {
    let mut current = stage;
    while current > ancestor {
        match stage_parent(ctx, current) {
            Some(p) => current = p,
            None => return false,
        }
    }
    current == ancestor
}

/// Whether the text of an instruction the RUN's stage ran before it (its parent stages
/// included) satisfies `test`. Each stage's texts are tested once per file and `key`, not once
/// per RUN (a stage of many RUNs was quadratic).
/// `key` names the question; one key, one `test`.
pub(super) fn any_text_before(
    ctx: &Context,
    run: &ShellRun,
    key: &'static str,
    test: fn(&str) -> bool,
) -> bool {
    let marks = {
        let mut cache = ctx.text_marks.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(key)
            .or_insert_with(|| {
                std::sync::Arc::new(
                    ctx.stages
                        .iter()
                        .map(|s| {
                            s.instructions
                                .iter()
                                .position(|i| test(ctx.doc.slice(i.span)))
                        })
                        .collect(),
                )
            })
            .clone()
    };
    let at = ctx.stages.get(run.stage).map_or(0, |s| {
        s.instructions
            .partition_point(|i| i.span.start < run.ins.span.start)
    });
    marks
        .get(run.stage)
        .copied()
        .flatten()
        .is_some_and(|k| k < at)
        || stage_chain(ctx, run.stage)
            .into_iter()
            .skip(1)
            .any(|s| marks.get(s).copied().flatten().is_some())
}

// Appending a command.

/// The text that appends `command` to a RUN at `at` (a source offset right after its last
/// command, see [`append_offset`]), laid out as the RUN is: on the same line for a one-line RUN
/// (` && command`), else on a line of its own, indented like the RUN's shallowest continuation
/// line (which `format` puts at `indent-width`), with `&&` where `[format] and-position` says,
/// or, with `preserve`, where the RUN has it (leading when it shows neither).
pub(super) fn appended(ctx: &Context, run: &ShellRun, at: usize, command: &str) -> String {
    let start = run.ins.span.start;
    let Some(before) = ctx.doc.text.get(start..at) else {
        return format!(" && {command}");
    };
    if !before.contains('\n') {
        return format!(" && {command}");
    }
    let source = ctx.doc.slice(run.ins.span);
    let escape = ctx.doc.escape;
    let eol = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let lines = || {
        source
            .lines()
            .skip(1)
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
    };
    let width = |l: &str| ctx.indent().columns(l);
    let indent = lines()
        .min_by_key(|l| width(l))
        .map(|l| {
            l.chars()
                .take_while(|c| matches!(c, ' ' | '\t'))
                .collect::<String>()
        })
        .unwrap_or_else(|| ctx.indent().unit.clone());
    let trailing = match ctx.options.format.and_position {
        crate::settings::AndPosition::Leading => false,
        crate::settings::AndPosition::Trailing => true,
        crate::settings::AndPosition::Preserve => {
            let leading = lines().any(|l| l.trim_start().starts_with("&&"));
            let trailing = source.lines().any(|l| {
                l.trim_end_matches('\r')
                    .trim_end()
                    .strip_suffix(escape)
                    .is_some_and(|l| l.trim_end().ends_with("&&"))
            });
            trailing && !leading
        }
    };
    if trailing {
        format!(" && {escape}{eol}{indent}{command}")
    } else {
        format!(" {escape}{eol}{indent}&& {command}")
    }
}

/// Where ` && cmd` can go at the end of a RUN body (a logical offset relative to the body):
/// after the last word, or after the `)`/`}` that close the body. `None` when something else
/// follows the last word (a redirection, `&`) or the last command never returns (`exit`,
/// `exec`).
pub(super) fn append_point(body: &str, last: &Command) -> Option<usize> {
    if matches!(last.program(), Some("exit" | "exec")) {
        return None;
    }
    let end = last
        .words
        .iter()
        .chain(&last.assignments)
        .map(|w| w.span.end)
        .max()?;
    let b = body.as_bytes();
    let (mut i, mut at) = (end, end);
    while let Some(&byte) = b.get(i) {
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b';' if b.get(i + 1) != Some(&b';') => i += 1,
            b')' | b'}' => {
                i += 1;
                at = i;
            }
            b'#' => break,
            // A compound command's closing word (`...; fi`) ends with the body.
            _ => {
                let rest = body.get(i..).unwrap_or_default();
                let closer = ["fi", "done", "esac"].into_iter().find(|k| {
                    rest.strip_prefix(k).is_some_and(|after| {
                        after
                            .chars()
                            .next()
                            .is_none_or(|c| c.is_whitespace() || matches!(c, ';' | ')' | '}' | '#'))
                    })
                });
                match closer {
                    Some(k) => {
                        i += k.len();
                        at = i;
                    }
                    None => return None,
                }
            }
        }
    }
    Some(at)
}

/// The source offset where ` && cmd` can go at the end of the RUN ([`append_point`] in the
/// source). `None` also when the RUN has a heredoc.
pub(super) fn append_offset(run: &ShellRun) -> Option<usize> {
    if !run.ins.heredocs.is_empty() {
        return None;
    }
    let body = run.script;
    let at = append_point(body, run.commands.last()?)?;
    Some(run.source_offset_end(at))
}

// Exit status.

/// Whether the RUN may go on after a command fails, so that a command appended to it may run
/// while (or after) an earlier one failed: an `||` anywhere in the body, or a background job.
pub(super) fn tolerates_failure(run: &ShellRun) -> bool {
    run.script.contains("||")
        || run
            .commands
            .iter()
            .any(|c| c.separator == Separator::Background)
}

/// Whether the `SHELL` in effect for the RUN (its stage's, or inherited from the stage it is
/// built on) runs with `-e` (`SHELL ["/bin/ash", "-exo", "pipefail", "-c"]`).
pub(super) fn shell_errexit(ctx: &Context, run: &ShellRun) -> bool {
    // Only a SHELL instruction can set `-e` for every RUN: without one, no walk.
    if !ctx.has_shell() {
        return false;
    }
    let table = ctx.errexit.get_or_init(|| {
        states_before(ctx, false, |errexit, ins| {
            if let (Kind::Shell, Args::Json(args)) = (ins.kind(), &ins.node.args) {
                *errexit = args.iter().skip(1).enumerate().any(|(i, a)| {
                    let v = a.value.as_str();
                    (v.starts_with('-') && !v.starts_with("--") && v.contains('e'))
                        || v == "-o" && args.get(i + 2).is_some_and(|n| n.value == "errexit")
                });
            }
        })
    });
    state_at(table, ctx, run.stage, run.ins)
        .copied()
        .unwrap_or(false)
}

/// Whether the RUN fails when command `index` fails, so that a change that only turns a
/// failure into success cannot change a build that succeeded. The failure skips the rest of an
/// `&&` list; the list then ends the RUN, or `-e` stops the shell (only when the command was
/// the last of its `&&` list: `set -e; false && x; y` goes on to `y`). Conservative: an `||`, a
/// pipe into another command, a background job, a condition or a `!` says no.
pub(super) fn failure_fails_the_run(
    body: &str,
    commands: &[Command],
    index: usize,
    shell_errexit: bool,
) -> bool {
    let conditional = |c: &Command| {
        c.keywords
            .iter()
            .any(|k| matches!(k.as_str(), "if" | "elif" | "while" | "until" | "!"))
            || matches!(
                c.words.first().map(|w| w.value.as_str()),
                Some("if" | "elif" | "while" | "until")
            )
    };
    let (Some(earlier), Some(command)) = (commands.get(..index), commands.get(index)) else {
        return false;
    };
    if commands.iter().take(index + 1).any(conditional) {
        return false;
    }
    // `!` is not kept as a word: look at the text before the command.
    let start = |c: &Command| {
        c.assignments
            .first()
            .or(c.words.first())
            .map_or(0, |w| w.span.start)
    };
    let end = |c: &Command| {
        c.words
            .iter()
            .chain(&c.assignments)
            .map(|w| w.span.end)
            .max()
            .unwrap_or(0)
    };
    let before = index
        .checked_sub(1)
        .and_then(|p| commands.get(p))
        .map_or(0, end);
    if body
        .get(before..start(command))
        .is_none_or(|t| t.contains('!'))
    {
        return false;
    }
    let errexit = shell_errexit || sets_errexit(earlier);
    let mut j = index;
    // `j` stays below the length: it moves on only past a command that is not the last.
    while let Some(c) = commands.get(j) {
        let last = j + 1 == commands.len();
        match c.separator {
            Separator::Or | Separator::Pipe | Separator::Background => return false,
            _ if last => return true,
            // The next pipeline is skipped; the list is still failing.
            Separator::And => {
                j += 1;
                while commands
                    .get(j)
                    .is_some_and(|c| c.separator == Separator::Pipe)
                    && j + 1 < commands.len()
                {
                    j += 1;
                }
            }
            Separator::Semi | Separator::Newline | Separator::Group => {
                return errexit && j == index;
            }
        }
    }
    false
}

/// Whether one of these commands turns on `set -e` (`set -e`, `set -eux`, `set -o errexit`).
pub(super) fn sets_errexit(commands: &[Command]) -> bool {
    commands.iter().any(|c| {
        c.program() == Some("set")
            && c.words.iter().skip(1).any(|w| {
                let v = w.value.as_str();
                v == "errexit" || (v.starts_with('-') && !v.starts_with("--") && v.contains('e'))
            })
    })
}

/// `NAME=value` pairs an instruction puts in the environment of later RUNs (ENV and ARG); an ARG
/// without a default yields `None` as its value (it is set by `--build-arg`).
pub(super) fn env_pairs(ins: &crate::syntax::Instruction) -> Vec<(&str, Option<&str>)> {
    let text = &ins.logical;
    match (ins.kind(), &ins.node.args) {
        (Kind::Env, Args::Pairs(pairs)) => pairs
            .iter()
            .map(|p| (p.key.slice(text), Some(p.value.slice(text))))
            .collect(),
        (Kind::Arg, Args::Words(words)) => words
            .iter()
            .map(|w| {
                let t = w.slice(text);
                match t.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (t, None),
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

// Folders.

/// Folder paths: join and normalise (`/a/./b/../c` is `/a/c`). The result is absolute when
/// `base` is.
pub(super) fn join_path(base: &str, rel: &str) -> String {
    // One pass over the parts of `base/rel` (or `rel` alone when it is absolute), written
    // straight into the result: this runs for every word a rule compares with a path.
    let first = if rel.starts_with('/') { "" } else { base };
    let absolute = if first.is_empty() {
        rel.starts_with('/')
    } else {
        first.starts_with('/')
    };
    let root = usize::from(absolute);
    let mut out = String::with_capacity(first.len() + rel.len() + 1);
    if absolute {
        out.push('/');
    }
    for part in first.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => match out.rfind('/') {
                Some(i) if i >= root => out.truncate(i),
                _ => out.truncate(root),
            },
            p => {
                if out.len() > root {
                    out.push('/');
                }
                out.push_str(p);
            }
        }
    }
    out
}

/// The `WORKDIR` in effect for an instruction of a stage (and the stages it is built on):
/// `None` when a variable names it or no `WORKDIR` sets it (the base image's is unknown).
pub(super) fn workdir_at(ctx: &Context, stage: usize, at: &Instruction) -> Option<String> {
    let table = ctx.workdirs.get_or_init(|| {
        states_before(ctx, None, |dir: &mut Option<String>, ins| {
            if let (Kind::Workdir, Args::Text(t)) = (ins.kind(), &ins.node.args) {
                let v = t.slice(&ins.logical).trim_matches(['"', '\'']);
                *dir = if v.contains('$') {
                    None
                } else if v.starts_with('/') {
                    Some(join_path("/", v))
                } else {
                    dir.as_deref().map(|d| join_path(d, v))
                };
            }
        })
    });
    state_at(table, ctx, stage, at).cloned().flatten()
}

// Forward passes: the state before each instruction or RUN, computed once per file, so that
// asking it for each RUN of a stage of thousands is not quadratic.

/// The state before each instruction of each stage, and the state each stage ends in: one
/// forward pass, where a stage starts from the state the stage it builds on ends in (its
/// image holds what that stage left), or from `init`.
pub(super) type States<S> = Vec<(Vec<S>, S)>;

pub(super) fn states_before<S: Clone>(
    ctx: &Context,
    init: S,
    mut step: impl FnMut(&mut S, &Instruction),
) -> States<S> {
    let mut out: States<S> = Vec::with_capacity(ctx.stages.len());
    for (s, stage) in ctx.stages.iter().enumerate() {
        let mut state = stage_parent(ctx, s)
            .and_then(|p| out.get(p))
            .map_or_else(|| init.clone(), |(_, end)| end.clone());
        let mut before = Vec::with_capacity(stage.instructions.len());
        for ins in &stage.instructions {
            before.push(state.clone());
            step(&mut state, ins);
        }
        out.push((before, state));
    }
    out
}

/// The state before `at` from a [`states_before`] table; the stage's end state when `at` is
/// not one of the stage's instructions (as a walk that never meets it would end).
pub(super) fn state_at<'t, S>(
    table: &'t States<S>,
    ctx: &Context,
    stage: usize,
    at: &Instruction,
) -> Option<&'t S> {
    let (before, end) = table.get(stage)?;
    let k = position_in_stage(ctx, stage, at);
    Some(k.and_then(|k| before.get(k)).unwrap_or(end))
}

/// Where `at` is among its stage's instructions (they are in document order).
pub(super) fn position_in_stage(ctx: &Context, stage: usize, at: &Instruction) -> Option<usize> {
    let list = &ctx.stages.get(stage)?.instructions;
    let k = list.partition_point(|i| i.span.start < at.span.start);
    list.get(k)
        .is_some_and(|i| std::ptr::eq(*i, at))
        .then_some(k)
}

/// The state before each RUN of `runs`, in one forward pass: the state after the RUN before
/// it in its stage, or, for a stage's first RUN, after the last RUN of the stages it builds on
/// (the RUNs [`earlier_runs`] lists), or `init`.
pub(super) fn before_each_run<S: Clone>(
    ctx: &Context,
    runs: &[ShellRun],
    init: S,
    mut step: impl FnMut(&mut S, &ShellRun),
) -> Vec<S> {
    let mut after: Vec<Option<S>> = vec![None; ctx.stages.len()];
    let mut out = Vec::with_capacity(runs.len());
    for run in runs {
        let mut state = match after.get(run.stage).cloned().flatten() {
            Some(state) => state,
            None => {
                let mut from = stage_parent(ctx, run.stage);
                loop {
                    match from {
                        Some(p) => match after.get(p).cloned().flatten() {
                            Some(state) => break state,
                            None => from = stage_parent(ctx, p),
                        },
                        None => break init.clone(),
                    }
                }
            }
        };
        out.push(state.clone());
        step(&mut state, run);
        if let Some(slot) = after.get_mut(run.stage) {
            *slot = Some(state);
        }
    }
    out
}

/// The last value the stage (and the stages it builds on) gives `name` with `ENV` or `ARG`
/// before `at`: `Some(None)` for an ARG without a default. A lookup in a per-file index.
pub(super) fn env_before<'a>(
    ctx: &Context<'a>,
    stage: usize,
    at: &Instruction,
    name: &str,
) -> Option<Option<&'a str>> {
    let mut found = None;
    env_values_before(ctx, stage, at, name, |v| {
        found = Some(v);
        true
    });
    found
}

/// The values `ENV` and `ARG` give `name` before `at` (its stage's, then the stages it builds
/// on), the latest first, until `visit` returns true. `None`: an ARG without a default.
pub(super) fn env_values_before<'a>(
    ctx: &Context<'a>,
    stage: usize,
    at: &Instruction,
    name: &str,
    mut visit: impl FnMut(Option<&'a str>) -> bool,
) {
    let index = ctx.env_index.get_or_init(|| {
        ctx.stages
            .iter()
            .map(|st| {
                let mut map: EnvIndex<'a> = std::collections::HashMap::new();
                for (k, ins) in st.instructions.iter().enumerate() {
                    for (key, value) in env_pairs(ins) {
                        map.entry(key).or_default().push((k, value));
                    }
                }
                map
            })
            .collect()
    });
    let limit = position_in_stage(ctx, stage, at).unwrap_or(usize::MAX);
    let mut current = Some(stage);
    let mut first = true;
    while let Some(s) = current {
        if let Some(list) = index.get(s).and_then(|m| m.get(name)) {
            let bound = if first { limit } else { usize::MAX };
            let n = list.partition_point(|(k, _)| *k < bound);
            for (_, v) in list.iter().take(n).rev() {
                if visit(*v) {
                    return;
                }
            }
        }
        first = false;
        current = stage_parent(ctx, s);
    }
}

/// Per stage: each name `ENV` or `ARG` sets, with the positions and values that set it.
pub(crate) type EnvIndex<'a> = std::collections::HashMap<&'a str, Vec<(usize, Option<&'a str>)>>;

/// The folder each command of a RUN runs in: absolute when the `WORKDIR` is known or after
/// `cd /x`, else relative to the RUN's start (`""`); `None` once a `cd` the rule cannot follow
/// ran (a variable, `cd -`, `cd`).
pub(super) fn folders(commands: &[Command], workdir: Option<&str>) -> Vec<Option<String>> {
    let mut cwd = Some(workdir.unwrap_or("").to_string());
    let mut out = Vec::with_capacity(commands.len());
    for cmd in commands {
        out.push(cwd.clone());
        if matches!(program(cmd), Some("cd" | "pushd" | "popd")) {
            let words = command_words(cmd);
            let target = words.iter().skip(1).find(|w| !w.value.starts_with('-'));
            cwd = match (program(cmd), target) {
                (Some("popd"), _) | (_, None) => None,
                (_, Some(t)) if t.value.contains(['$', '~', '*']) || t.value == "-" => None,
                (_, Some(t)) => cwd.map(|c| join_path(&c, &t.value)),
            };
        }
    }
    out
}

/// Whether a stage's name says it is a development or CI step rather than an image that is
/// run: a dash, underscore or dot separated part `dev`, `development`, `test`, `tests`,
/// `testing`, `ci`, `lint`, `debug`, `e2e`, `coverage`, `validate`, `upload` or `artifact(s)`
/// (`dev`, `test-coverage`, `upload-artifact`, `e2e_tests`; not `devel`, `pr-test2`, `latest`).
pub(super) fn dev_or_ci_stage(ctx: &Context, stage: usize) -> bool {
    stage_name(ctx, stage).is_some_and(|name| {
        name.split(['-', '_', '.']).any(|part| {
            [
                "dev",
                "development",
                "test",
                "tests",
                "testing",
                "ci",
                "lint",
                "debug",
                "e2e",
                "coverage",
                "validate",
                "upload",
                "artifact",
                "artifacts",
            ]
            .iter()
            .any(|w| part.eq_ignore_ascii_case(w))
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn backquoted_bodies() {
        let bodies = |s: &str| -> Vec<String> {
            super::backquoted(s)
                .iter()
                .map(|b| b.slice(s).to_string())
                .collect()
        };
        assert_eq!(bodies("echo `date` > /f-`uname -m`"), ["date", "uname -m"]);
        assert_eq!(bodies("echo '`date`' \"`id`\""), ["id"]);
        assert_eq!(bodies("echo a # `not run`\necho `run`"), ["run"]);
        assert_eq!(bodies("echo a#`b`"), ["b"]);
        assert_eq!(bodies("echo `a \\` b`"), ["a \\` b"]);
        assert!(bodies("echo `unclosed").is_empty());
    }

    use super::*;

    #[test]
    fn one_variable_holds_one_value_in_every_from() {
        let names = |text: &str, stage: usize| -> Vec<String> {
            let doc = crate::syntax::parse(text).unwrap();
            let ctx = crate::rules::Context::new(&doc);
            stages_a_variable_may_name(&ctx, stage)
                .into_iter()
                .filter_map(|s| stage_name(&ctx, s).map(str::to_string))
                .collect()
        };
        let kimai = "ARG BASE=fpm\nFROM php:8.3-apache AS apache-ext-base\n\
                     FROM php:8.3-fpm AS fpm-ext-base\nFROM ${BASE}-ext-base AS gd\n\
                     FROM php:8.3-apache AS apache-base\nFROM php:8.3-fpm AS fpm-base\n\
                     FROM ${BASE}-base\n";
        assert_eq!(names(kimai, 3), ["apache-ext-base", "fpm-ext-base"]);
        // Not `apache-ext-base`: `${BASE}-ext-base` needs BASE to be `apache` or `fpm`.
        assert_eq!(names(kimai, 6), ["apache-base", "fpm-base"]);
        // Alone, any text fits the variable.
        let alone = "FROM a AS apache-ext-base\nFROM a AS apache-base\nFROM ${BASE}-base\n";
        assert_eq!(names(alone, 3), ["apache-ext-base", "apache-base"]);
        // A FROM of an image with the same variable says nothing about the stages.
        let image = "FROM a AS x-base\nFROM a AS y-z-base\nFROM php:${BASE}\nFROM ${BASE}-base\n";
        assert_eq!(names(image, 4), ["x-base", "y-z-base"]);
    }

    /// `join_path` as it was first written (a string joined, split, then joined again): the
    /// one-pass version must give the same path for any parts.
    fn join_path_reference(base: &str, rel: &str) -> String {
        let joined = if rel.starts_with('/') || base.is_empty() {
            rel.to_string()
        } else {
            format!("{base}/{rel}")
        };
        let mut parts: Vec<&str> = Vec::new();
        for p in joined.split('/') {
            match p {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let body = parts.join("/");
        if joined.starts_with('/') {
            format!("/{body}")
        } else {
            body
        }
    }

    proptest::proptest! {
        #[test]
        fn join_path_as_the_reference(
            base in "(/|\\.|\\.\\.|a|bc|)(/|\\.|\\.\\.|a|bc|){0,6}",
            rel in "(/|\\.|\\.\\.|a|bc|)(/|\\.|\\.\\.|a|bc|){0,6}",
        ) {
            proptest::prop_assert_eq!(join_path(&base, &rel), join_path_reference(&base, &rel));
        }
    }

    #[test]
    fn join_path_cases() {
        for (base, rel, want) in [
            ("/app", "x", "/app/x"),
            ("/app", "../..", "/"),
            ("app", "../..", ""),
            ("", "/a/./b/", "/a/b"),
            ("/a", "/b", "/b"),
            ("a/", "b", "a/b"),
            ("", "", ""),
        ] {
            assert_eq!(join_path(base, rel), want, "{base} + {rel}");
            assert_eq!(join_path_reference(base, rel), want, "{base} + {rel}");
        }
    }

    fn doc_runs(text: &str, f: impl FnOnce(&Context, &[ShellRun])) {
        let doc = crate::syntax::parse(text).unwrap();
        let ctx = Context::new(&doc);
        let runs = ctx.shell_runs();
        f(&ctx, runs);
    }

    #[test]
    fn failure_handling() {
        let fatal = |body: &str, shell_e: bool| {
            let cmds = crate::shell::commands(body).unwrap();
            let i = cmds
                .iter()
                .position(|c| c.words.iter().any(|w| w.value == "apk"))
                .unwrap();
            failure_fails_the_run(body, &cmds, i, shell_e)
        };
        assert!(fatal("apk add x", false));
        assert!(fatal(
            "apk update && apk add x && curl -s u | sh && rm -rf /x",
            false
        ));
        assert!(fatal("set -ex; apk add x; echo done", false));
        assert!(fatal("apk add x; echo done", true));
        assert!(fatal("curl -s u | apk add x", false));
        assert!(fatal("(cd /x && apk add y)", false));
        assert!(!fatal("apk add x; echo done", false));
        assert!(!fatal("set -e; apk add x && echo a; echo b", false));
        assert!(!fatal("apk add x || true", false));
        assert!(!fatal("apk add x && echo a || echo b", false));
        assert!(!fatal("apk add x | tee /log", false));
        assert!(!fatal("apk add x &", false));
        assert!(!fatal("! apk add x", false));
        assert!(!fatal("if apk add x; then echo ok; fi", false));
    }

    #[test]
    fn append_points() {
        fn at(body: &str) -> Option<&str> {
            let cmds = crate::shell::commands(body).unwrap();
            append_point(body, cmds.last().unwrap()).map(|i| &body[..i])
        }
        assert_eq!(at("a && b # c"), Some("a && b"));
        assert_eq!(at("a; b;"), Some("a; b"));
        assert_eq!(at("{ a; b; } "), Some("{ a; b; }"));
        assert_eq!(at("(a && b)"), Some("(a && b)"));
        assert_eq!(at("a > /dev/null"), None);
        assert_eq!(at("a 2>&1"), None);
        assert_eq!(at("a &"), None);
        assert_eq!(at("a && exec b"), None);
        assert_eq!(at("a; exit 0"), None);
    }

    #[test]
    fn mounts() {
        let text = "FROM x\n\
            RUN --mount=type=cache,target=/var/cache/apt/ true\n\
            RUN --mount=type=tmpfs,dst=/var/cache true\n\
            RUN --mount=type=cache,target=/var/cache/apt-old true\n";
        doc_runs(text, |_, runs| {
            let over = |r: usize| mounted_over(&runs[r], "/var/cache/apt");
            assert!(over(0) && over(1) && !over(2));
            assert!(mounted_over(&runs[0], "/var/cache/apt/archives"));
            assert!(mounted_over(&runs[0], "/var/cache"));
        });
    }

    #[test]
    fn stage_chains() {
        let text = "FROM debian AS base\nRUN a\n\
            FROM alpine AS other\nRUN b\n\
            FROM BASE AS test\nRUN c\n\
            FROM test\nRUN d\n";
        doc_runs(text, |ctx, runs| {
            assert_eq!(stage_chain(ctx, 1), [1]);
            assert_eq!(stage_chain(ctx, 3), [3, 1]);
            assert_eq!(stage_chain(ctx, 4), [4, 3, 1]);
            let later: Vec<_> = later_runs(ctx, runs, 0).map(|r| r.stage).collect();
            assert_eq!(later, [3, 4]);
            let earlier: Vec<_> = earlier_runs(ctx, runs, 3).map(|r| r.stage).collect();
            assert_eq!(earlier, [1, 3]);
            assert!(any_text_before(ctx, &runs[2], "a", |t| t == "RUN a\n"));
            assert!(!any_text_before(ctx, &runs[2], "b", |t| t == "RUN b\n"));
            assert!(!any_text_before(ctx, &runs[2], "c", |t| t == "RUN c\n"));
            assert!(any_text_before(ctx, &runs[3], "c", |t| t == "RUN c\n"));
        });
    }

    #[test]
    fn subcommands() {
        let cmd = &crate::shell::commands("then apt-get -o a=b -q install x").unwrap()[0];
        assert_eq!(command_words(cmd).len(), 6);
        assert_eq!(program(cmd), Some("apt-get"));
    }
}
