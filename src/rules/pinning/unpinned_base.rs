use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind, Span};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    code: "DF401",
    name: "unpinned-base",
    aliases: &["DL3006", "DL3007"],
    summary: "FROM without a tag, or :latest",
    doc: "## What it does
Flags a `FROM` whose image has no tag and no digest (`FROM ubuntu`, hadolint's DL3006) or the
tag `latest` (`FROM ubuntu:latest`, DL3007). Global `ARG`s (before the first `FROM`) are
expanded with their defaults: `FROM python:${PY}` with `ARG PY=3.12` is tagged, `FROM ${IMAGE}`
with `ARG IMAGE=ubuntu` is not reported: an image named by a build argument is chosen by the
build (its default is a fallback, often the parent image the same CI run builds and passes by
digest). So is a tag named by a build argument that the build passes (`ARG BASE_TAG=latest`,
`FROM ${REPO}/base:${BASE_TAG}`, and `--build-arg BASE_TAG=...` or a `build-args:` line
`BASE_TAG=stable-10314` in a build script or CI workflow, as DF912 reads them, at the
context's root or the repository's): `latest` is only what a local build falls back to. An
`ARG` without a default is set by `--build-arg`, so what it holds is unknown and nothing is
reported either. Earlier stages (`FROM builder`, whatever the case) and
`scratch` are not images and are never reported, nor is a named build context that a compose
service (`build.additional_contexts`) or bake target (`contexts`) above the Dockerfile
declares (`FROM php-base` with `contexts = { php-base = \"docker-image://php:8.4\" }`): the
build passes what it is. A digest (`@sha256:...`) pins the image even with `:latest`.

Not reported either: a stage that only gathers files (pgadmin's `FROM alpine:latest AS
tool-builder` with a list of `COPY --from=pg16-builder ...`). It runs nothing (only COPY, ADD,
ENV, ARG, LABEL, WORKDIR, EXPOSE and USER, with absolute destinations), it is not the last
stage, no stage is built on it or mounts it, and every path later stages copy out of it is one
it copied in or a folder above them, outside the folders a base image fills (`/usr/local/bin`,
`/etc`, `/usr/share`...): nothing of its base image runs or reaches an image.

## Why is this bad?
`latest` (which is also what no tag means) moves whenever the image is rebuilt: the same
Dockerfile builds on another operating system release or language version from one day to the
next, and a build that worked yesterday breaks, or behaves differently, without a change in the
repository.

## Example
```dockerfile
FROM python
FROM node:latest
```
Use instead:
```dockerfile
FROM python:3.12-slim
FROM node:20.11-bookworm-slim
```

## Fix safety
No fix: which version the file was written against is not in the file. Pick the tag you test
with; `base-not-digest` (DF402) goes further and pins the exact image.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

/// What stands for a part of an image reference that only `--build-arg` knows (an `ARG`
/// without a default, or a variable the global scope does not declare).
const UNKNOWN: char = '\u{1}';

/// The base image of a stage's `FROM`, after global `ARG` expansion. Stages that build on an
/// earlier stage and `scratch` have none.
#[derive(Clone)]
pub(in crate::rules) struct BaseImage<'a> {
    pub stage: usize,
    /// The image word as written (`python:${PY}`).
    pub written: &'a str,
    /// The source span of the image word.
    pub span: Span,
    /// The reference with the defaults of global ARGs expanded; [`UNKNOWN`] marks what is not
    /// known.
    pub resolved: String,
}

impl BaseImage<'_> {
    /// The reference without its digest, and the digest (`None` when there is no `@`).
    fn split_digest(&self) -> (&str, Option<&str>) {
        match self.resolved.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (&self.resolved, None),
        }
    }

    /// The name, without registry and `library/` (`python`, `opensuse/leap`), when it is known.
    pub fn name(&self) -> Option<&str> {
        let (reference, _) = self.split_digest();
        let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
        let name_end = reference[last_slash..]
            .find(':')
            .map_or(reference.len(), |i| last_slash + i);
        let name = &reference[..name_end];
        // A first component with a `.` or `:`, or `localhost`, is a registry.
        let name = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.contains(UNKNOWN) =>
            {
                rest
            }
            _ => name,
        };
        let name = name.strip_prefix("library/").unwrap_or(name);
        (!name.contains(UNKNOWN) && !name.is_empty()).then_some(name)
    }

    /// The tag: `Ok(None)` when there is none, `Err(())` when it may come from a variable we do
    /// not know.
    pub fn tag(&self) -> Result<Option<&str>, ()> {
        let (reference, _) = self.split_digest();
        let last = &reference[reference.rfind('/').map_or(0, |i| i + 1)..];
        match last.split_once(':') {
            Some((_, tag)) if tag.contains(UNKNOWN) => Err(()),
            Some((_, tag)) => Ok(Some(tag)),
            // `${IMAGE}` or `python${SUFFIX}` may hold a tag.
            None if last.contains(UNKNOWN) => Err(()),
            None => Ok(None),
        }
    }

    /// Whether the image is pinned by a digest: `Some(true)` with `@sha256:`, `None` when a
    /// variable we do not know may hold one.
    pub fn digest_pinned(&self) -> Option<bool> {
        let (reference, digest) = self.split_digest();
        match digest {
            Some(d) if d.contains(UNKNOWN) => None,
            Some(d) => Some(d.starts_with("sha256:")),
            None => {
                let last = &reference[reference.rfind('/').map_or(0, |i| i + 1)..];
                if last.contains(UNKNOWN) {
                    None
                } else {
                    Some(false)
                }
            }
        }
    }

    /// The name the image knowledge base knows the image by ([`crate::images::official_name`]:
    /// `docker.io/library/python` is `python`, other registries stay), with the defaults of
    /// global ARGs; `None` when a variable nobody gives a default is part of the name.
    pub fn official_name(&self) -> Option<String> {
        let name = crate::images::official_name(&self.resolved);
        (!name.contains(UNKNOWN)).then_some(name)
    }

    /// [`Self::official_name`] of the name as written, when no variable is part of it
    /// (`python:${PY}` is `python`; `${IMAGE}` and `${REGISTRY}/python` are `None`): the image
    /// that no `--build-arg` can change.
    pub fn literal_official_name(&self) -> Option<String> {
        let name = crate::images::official_name(self.written);
        (!name.contains('$')).then_some(name)
    }

    /// The image as written, and what it resolves to when that differs (for messages).
    pub fn describe(&self) -> String {
        if self.resolved.contains(UNKNOWN) || self.resolved == self.written {
            format!("`{}`", self.written)
        } else {
            format!("`{}` (`{}`)", self.written, self.resolved)
        }
    }
}

/// The base images of every stage's `FROM`, in order: stage references and `scratch` left out,
/// global `ARG` defaults expanded. Computed once per document.
pub(in crate::rules) fn base_images<'c, 'a>(ctx: &'c Context<'a>) -> &'c [BaseImage<'a>] {
    ctx.base_images.get_or_init(|| find_base_images(ctx))
}

fn find_base_images<'a>(ctx: &Context<'a>) -> Vec<BaseImage<'a>> {
    let globals = global_args(ctx);
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (index, stage) in ctx.stages.iter().enumerate() {
        let Some(from) = stage.from else {
            continue;
        };
        let Args::Words(words) = &from.node.args else {
            continue;
        };
        let Some(image) = words.first() else {
            continue;
        };
        let written = image.slice(&from.logical);
        let resolved = expand(written, &globals, ctx.doc.escape);
        let is_stage = names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(written) || n.eq_ignore_ascii_case(&resolved));
        if let [_, as_word, name] = words.as_slice()
            && as_word.slice(&from.logical).eq_ignore_ascii_case("as")
        {
            names.push(name.slice(&from.logical).to_string());
        }
        if is_stage || resolved.eq_ignore_ascii_case("scratch") || resolved.is_empty() {
            continue;
        }
        out.push(BaseImage {
            stage: index,
            written,
            span: from.to_source(*image),
            resolved,
        });
    }
    out
}

/// The base image a stage's image is made from: its own `FROM`, or that of the earliest stage
/// of its chain (`FROM build AS test` builds on `build`'s base).
pub(in crate::rules) fn root_base<'a>(ctx: &Context<'a>, stage: usize) -> Option<BaseImage<'a>> {
    let root = crate::rules::common::stage_root(ctx, stage);
    let bases = base_images(ctx);
    // In stage order: a search per RUN stays logarithmic in the number of stages.
    let at = bases.binary_search_by_key(&root, |b| b.stage).ok()?;
    bases.get(at).cloned()
}

/// The global ARGs (before the first `FROM`): name to default, `None` without a default.
fn global_args(ctx: &Context) -> HashMap<String, Option<String>> {
    let mut vars = HashMap::new();
    let Some(globals) = ctx.stages.first() else {
        return vars;
    };
    for ins in &globals.instructions {
        let (Kind::Arg, Args::Words(words)) = (ins.kind(), &ins.node.args) else {
            continue;
        };
        for w in words {
            let text = w.slice(&ins.logical);
            match text.split_once('=') {
                Some((name, value)) => {
                    let value = expand(value, &vars, ctx.doc.escape);
                    vars.insert(name.to_string(), Some(value));
                }
                None => {
                    vars.insert(text.to_string(), None);
                }
            }
        }
    }
    vars
}

/// The value of `name`: known, or [`UNKNOWN`] (no default, or not declared: BuildKit's
/// automatic platform ARGs are set by the builder).
fn lookup(vars: &HashMap<String, Option<String>>, name: &str) -> Option<String> {
    vars.get(name).cloned().flatten()
}

/// BuildKit's word processing for `FROM` and `ARG` values, reduced to what image references
/// use: quotes removed, `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`,
/// `${NAME+word}` expanded. What cannot be known becomes [`UNKNOWN`].
fn expand(text: &str, vars: &HashMap<String, Option<String>>, escape: char) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' if quote.is_none() => {
                i += 1;
                while let Some(&q) = chars.get(i).filter(|&&q| q != '\'') {
                    out.push(q);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                quote = if quote.is_some() { None } else { Some('"') };
                i += 1;
            }
            c if c == escape && i + 1 < chars.len() => {
                out.extend(chars.get(i + 1));
                i += 2;
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                let Some(close) = chars.iter().skip(i).position(|&c| c == '}') else {
                    out.push(UNKNOWN);
                    break;
                };
                let inner: String = chars
                    .get(i + 2..i + close)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                out.push_str(&expand_braced(&inner, vars, escape));
                i += close + 1;
            }
            '$' if chars
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') =>
            {
                let start = i + 1;
                let mut end = start;
                while chars
                    .get(end)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    end += 1;
                }
                let name: String = chars.get(start..end).unwrap_or_default().iter().collect();
                match lookup(vars, &name) {
                    Some(v) => out.push_str(&v),
                    None => out.push(UNKNOWN),
                }
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn expand_braced(inner: &str, vars: &HashMap<String, Option<String>>, escape: char) -> String {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, op) = inner.split_at(name_end);
    let declared = vars.contains_key(name);
    let value = lookup(vars, name);
    let set_nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
    let unknown = UNKNOWN.to_string();
    let word = |w: &str| expand(w, vars, escape);
    if op.is_empty() {
        return value.unwrap_or(unknown);
    }
    if let Some(w) = op.strip_prefix(":-") {
        return match value {
            Some(v) if !v.is_empty() => v,
            Some(_) => word(w),
            None if declared => unknown,
            None => word(w),
        };
    }
    if let Some(w) = op.strip_prefix('-') {
        return match value {
            Some(v) => v,
            None if declared => unknown,
            None => word(w),
        };
    }
    if let Some(w) = op.strip_prefix(":+") {
        return match value {
            Some(_) if set_nonempty => word(w),
            Some(_) => String::new(),
            None if declared => unknown,
            None => String::new(),
        };
    }
    if let Some(w) = op.strip_prefix('+') {
        return match value {
            Some(_) => word(w),
            None if declared => unknown,
            None => String::new(),
        };
    }
    // `${NAME:?err}`, pattern substitutions, trimming: not guessed.
    unknown
}

/// Folders base images fill (or may): a file copied out of one of them, or out of a folder
/// inside `/etc`, `/usr/share`, `/usr/lib`..., may be the base image's.
const SYSTEM_FOLDERS: &[&str] = &[
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/media",
    "/mnt",
    "/opt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/srv",
    "/sys",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/games",
    "/usr/include",
    "/usr/lib",
    "/usr/lib32",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/etc",
    "/usr/local/games",
    "/usr/local/include",
    "/usr/local/lib",
    "/usr/local/libexec",
    "/usr/local/man",
    "/usr/local/sbin",
    "/usr/local/share",
    "/usr/local/src",
    "/usr/sbin",
    "/usr/share",
    "/usr/src",
    "/var",
];

/// Folders whose whole tree is the system's: nothing below them is taken for the stage's own.
const SYSTEM_TREES: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/tmp",
    "/usr/bin",
    "/usr/include",
    "/usr/lib",
    "/usr/lib32",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/sbin",
    "/usr/share",
    "/usr/src",
    "/var",
];

/// Whether a stage only gathers files (pgadmin's `FROM alpine:latest AS tool-builder`, a list
/// of `COPY --from=pgNN-builder ...`): it runs nothing (no RUN, no ONBUILD, no HEALTHCHECK,
/// CMD or ENTRYPOINT: it is not an image anyone starts), no stage is built on it, it is not
/// the last stage, nothing mounts it, and every path later stages copy out of it is one of the
/// paths it copied in, or a folder above them that is not a system folder the base image may
/// fill (`/usr/local/pgsql` above `/usr/local/pgsql/pgsql-13/`). Then what the base image
/// holds never reaches an image, and its tag does not matter.
fn gatherer_only(ctx: &Context, uses: &Uses, stage: usize) -> bool {
    let n = ctx.stages.len();
    if stage == 0 || stage + 1 >= n {
        return false;
    }
    let Some(st) = ctx.stages.get(stage) else {
        return false;
    };
    let mut destinations: Vec<String> = Vec::new();
    for ins in &st.instructions {
        match ins.kind() {
            Kind::From => {}
            Kind::Copy | Kind::Add => {
                let Args::Words(w) = &ins.node.args else {
                    return false;
                };
                let Some(dest) = w.last().map(|d| d.slice(&ins.logical)) else {
                    return false;
                };
                // Only absolute destinations without variables: a WORKDIR of the base image
                // is not known.
                if !dest.starts_with('/') || dest.contains('$') {
                    return false;
                }
                destinations.push(crate::rules::common::join_path("/", dest));
            }
            Kind::Env | Kind::Arg | Kind::Label | Kind::Workdir | Kind::Expose | Kind::User => {}
            _ => return false,
        }
    }
    if destinations.is_empty()
        || uses.built_on.get(stage).copied().unwrap_or(true)
        || uses.mounted.get(stage).copied().unwrap_or(true)
        || uses.last_variable_from.is_some_and(|v| v > stage)
    {
        return false;
    }
    let Some(copies) = uses.copies.get(stage).filter(|c| !c.is_empty()) else {
        return false;
    };
    copies.iter().all(|ins| {
        let Args::Words(w) = &ins.node.args else {
            return false;
        };
        w.iter().take(w.len().saturating_sub(1)).all(|src| {
            let src = src.slice(&ins.logical);
            !src.contains(['$', '*', '?', '['])
                && from_the_stage(&crate::rules::common::join_path("/", src), &destinations)
        })
    })
}

/// How the stages of a file are used by later ones, worked out in one pass (not once per
/// stage, which is quadratic in a file of thousands of stages).
struct Uses<'a> {
    /// A later stage is built on it (`FROM name`, or a `FROM` with a build argument that may
    /// name it).
    built_on: Vec<bool>,
    /// A later `RUN --mount=...,from=` mounts it.
    mounted: Vec<bool>,
    /// The `COPY --from=` (and `ADD --from=`) instructions that copy out of it.
    copies: Vec<Vec<&'a crate::syntax::Instruction>>,
    /// The last stage with a `--from` (or mount `from=`) that a variable names: it may name
    /// any earlier stage.
    last_variable_from: Option<usize>,
}

impl<'a> Uses<'a> {
    fn of(ctx: &Context<'a>) -> Uses<'a> {
        let n = ctx.stages.len();
        let mut uses = Uses {
            built_on: vec![false; n],
            mounted: vec![false; n],
            copies: vec![Vec::new(); n],
            last_variable_from: None,
        };
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for s in 1..n {
            let parents = match crate::rules::common::stage_parent(ctx, s) {
                Some(p) => vec![p],
                None => crate::rules::common::stages_a_variable_may_name(ctx, s),
            };
            for p in parents {
                if let Some(b) = uses.built_on.get_mut(p) {
                    *b = true;
                }
            }
            // Earlier stages only: a reference resolves to a stage before this one.
            let resolve = |r: &str, by_name: &HashMap<String, usize>| {
                by_name.get(&r.to_ascii_lowercase()).copied().or_else(|| {
                    r.parse::<usize>()
                        .ok()
                        .and_then(|k| k.checked_add(1))
                        .filter(|&i| i < s)
                })
            };
            let Some(st) = ctx.stages.get(s) else {
                continue;
            };
            for ins in &st.instructions {
                for f in &ins.node.flags {
                    match (f.name(), f.value()) {
                        ("mount", Some(v)) => {
                            for r in v.split(',').filter_map(|kv| kv.strip_prefix("from=")) {
                                if r.contains('$') {
                                    uses.last_variable_from = Some(s);
                                } else if let Some(t) = resolve(r, &by_name)
                                    && let Some(m) = uses.mounted.get_mut(t)
                                {
                                    *m = true;
                                }
                            }
                        }
                        ("from", Some(v)) if ins.kind() != Kind::From => {
                            if v.contains('$') {
                                uses.last_variable_from = Some(s);
                            } else if let Some(t) = resolve(v, &by_name)
                                && let Some(c) = uses.copies.get_mut(t)
                            {
                                c.push(*ins);
                            }
                        }
                        _ => {}
                    }
                }
            }
            if let Some(name) = crate::rules::common::stage_name(ctx, s) {
                by_name.entry(name.to_ascii_lowercase()).or_insert(s);
            }
        }
        uses
    }
}

/// Whether a path copied out of a gathering stage holds only what the stage copied in: it is
/// one of the destinations or inside one, or a folder above one, where that destination (or
/// the folder above) is neither a system folder nor inside a system tree (a base image may
/// have put files there too; `COPY dir /usr/local/bin` adds to the base image's folder).
fn from_the_stage(src: &str, destinations: &[String]) -> bool {
    // Paths here are normalized (`join_path`): no trailing `/`, and `/` itself is a system
    // folder, so the shared test of "inside" is the right one.
    let within = crate::rules::common::is_within;
    let own = |p: &str| !SYSTEM_FOLDERS.contains(&p) && !SYSTEM_TREES.iter().any(|t| within(p, t));
    destinations
        .iter()
        .any(|d| (within(src, d) && own(d)) || (within(d, src) && own(src)))
}

/// The names of the variables a text uses: `$NAME`, `${NAME}`, `${NAME:-default}`.
fn variable_names(text: &str) -> impl Iterator<Item = &str> {
    text.split('$').skip(1).filter_map(|rest| {
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        rest.get(..end).filter(|n| !n.is_empty())
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let uses = std::cell::OnceCell::new();
    for base in base_images(ctx) {
        // A digest pins the image whatever the tag says.
        if base.resolved.contains('@') {
            continue;
        }
        // An image named by a build argument (`FROM ${BASE_IMAGE}`) is chosen by the build:
        // its default is a fallback (often the parent image the same CI run builds), and the
        // tag the build passes is not in the file.
        let name_part = match base.written.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name,
            _ => base.written,
        };
        if name_part
            .rsplit('/')
            .next()
            .unwrap_or(name_part)
            .contains('$')
        {
            continue;
        }
        // A named build context the compose or bake file passes (`contexts = { php-base =
        // "docker-image://php:8.4" }`) is what the build decides, not a registry image.
        if ctx
            .options
            .context
            .as_ref()
            .is_some_and(|c| c.is_named_context(base.written))
        {
            continue;
        }
        // A tag taken from a build argument that the build passes (`ARG BASE_TAG=latest`,
        // `FROM ${REPO}/base:${BASE_TAG}`, and `--build-arg BASE_TAG=...` in the release
        // workflow): the default is only the fallback of a local build.
        if let Some((_, tag)) = base
            .written
            .rsplit_once(':')
            .filter(|(_, t)| !t.contains('/'))
            && let Some(c) = ctx.options.context.as_ref()
            && variable_names(tag).any(|n| c.passes_build_arg(n))
        {
            continue;
        }
        let message = match base.tag() {
            Err(()) => continue,
            Ok(None) => format!(
                "{} has no tag: it means `latest`, which moves; pin a version tag",
                base.describe()
            ),
            Ok(Some("latest")) => format!(
                "{}: `latest` moves whenever the image is rebuilt; pin a version tag",
                base.describe()
            ),
            Ok(Some(_)) => continue,
        };
        // A stage that only gathers files from other stages or the context, and whose files
        // are copied out only from where it put them: nothing of the base image runs or
        // reaches the image.
        if gatherer_only(ctx, uses.get_or_init(|| Uses::of(ctx)), base.stage) {
            continue;
        }
        out.push(Diagnostic::new(&RULE, base.span, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(text: &str) -> Vec<String> {
        let doc = crate::syntax::parse(text).unwrap();
        let ctx = Context::new(&doc);
        base_images(&ctx)
            .iter()
            .map(|b| b.resolved.replace(UNKNOWN, "?"))
            .collect()
    }

    #[test]
    fn expands_global_args() {
        assert_eq!(
            resolved(
                "ARG PY=3.12\nARG IMG=\"python:${PY}-slim\"\nARG NONE\n\
                 FROM $IMG AS a\nFROM python:${NONE}\nFROM ${NONE:-x}\n\
                 FROM ${UNDECLARED:-debian:12}\nFROM A\nFROM scratch\nFROM ${PY:+img:}${PY}\n"
            ),
            ["python:3.12-slim", "python:?", "?", "debian:12", "img:3.12"]
        );
    }

    #[test]
    fn names_and_tags() {
        let doc = crate::syntax::parse(
            "FROM localhost:5000/team/app\nFROM docker.io/library/python:3\n\
             FROM $REG/app:1\nFROM ghcr.io/x/y@sha256:abc\nFROM ${IMG}\n",
        )
        .unwrap();
        let ctx = Context::new(&doc);
        let b = base_images(&ctx);
        assert_eq!(b[0].name(), Some("team/app"));
        assert_eq!(b[0].tag(), Ok(None));
        assert_eq!(b[1].name(), Some("python"));
        assert_eq!(b[1].tag(), Ok(Some("3")));
        assert_eq!(b[2].name(), Some("app"));
        assert_eq!(b[2].tag(), Ok(Some("1")));
        assert_eq!(b[2].digest_pinned(), Some(false));
        assert_eq!(b[3].digest_pinned(), Some(true));
        assert_eq!(b[4].tag(), Err(()));
        assert_eq!(b[4].digest_pinned(), None);
    }
}
