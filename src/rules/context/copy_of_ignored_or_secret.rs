use crate::context::{BuildContext, normalize};
use crate::dockerignore::{Matcher, Pattern};
use crate::rules::common::stage_chain;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Instruction, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF103",
    name: "copy-of-ignored-or-secret",
    aliases: &["CopyIgnoredFile"],
    summary: "COPY of a path .dockerignore excludes, or of secrets (.env, keys, .npmrc, .git)",
    doc: "## What it does
Checks what `COPY` and `ADD` take from the build context (not `--from`, not URLs), and what
`RUN --mount=type=bind` mounts from it:

- **Ignored paths** (needs the build context and its ignore file, `<Dockerfile>.dockerignore`
  or `.dockerignore`, read with BuildKit's rules: `**`, `*`, `?`, `[...]`, `!` exceptions where
  the last matching line wins, a folder pattern covering everything inside). A source named
  without wildcards that the ignore file excludes, or a wildcard whose every match in the
  context is excluded, is reported with the pattern that excludes it. A folder is reported
  only when no `!` exception can bring anything inside it back. The Dockerfile and
  `.dockerignore` are never reported (the classic builder sends them anyway).
- **Secrets by name** (with or without a context): `.env` and `.env.*` (not `.env.example`,
  `.env.sample`, `.env.template`, `.env.dist`, nor the test and CI settings `.env.ci`,
  `.env.test`, `.env.testing`, which projects commit with placeholder values), SSH private keys (`id_rsa`, `id_dsa`,
  `id_ecdsa`, `id_ed25519`, with any suffix but `.pub`), `*.key`, `*.p12`, `*.pfx`, registry
  and login files (`.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.pgpass`), and the
  folders `.ssh`, `.aws`, `.gnupg`. `.git` only in stages that ship (a build target and the
  stages it is built on). In a stage only copied from, an `.env` is reported only when the
  context's file sets a variable with a secret's name (`DB_PASSWORD=...`, BuildKit's word
  list): often it holds build settings (`VITE_API_URL`) that stay out of the image, but an
  exported build cache keeps the stage's layers.
  With a context, a `*.key` that is a public key or certificate is not reported, a `*.pem`
  that holds a `PRIVATE KEY` is, and an `.npmrc` or `.pypirc` without a token or password is
  not.
- **Secrets in a broad copy** (needs the context): a `COPY . .`, a copied folder or a `*`
  wildcard that takes any of the above along because the ignore file (or its absence) lets
  them through; the first few are named. Only files the project keeps out of version
  control count: where `.gitignore` files (from the repository's root down to the file, with
  `.git/info/exclude`, read as git reads them) let a file in, the project commits it and
  publishes it with its sources (an `.env.docker` template, a test key under `testdata/`),
  and copying it along leaks nothing new; the `.env` a checkout keeps for itself is ignored
  there and is reported. Without any `.gitignore`, every such file is reported. `.git` itself
  is reported in stages that ship, unless the build reads it (a version taken from git, a
  Makefile or build program that runs git, `-buildvcs=true`: the signals DF102 reads, in any
  Dockerfile of the context's root) or the ignore file keeps everything inside it out
  (`.git/*`: an empty folder goes in); so are `.ssh`, `.aws` and `.gnupg` only when something
  inside them goes in. In a stage that does not ship, the message says the
  secret reaches that stage and the build cache, not the image. Dependency folders
  (`node_modules`, `vendor`, virtualenvs, `target`) are not searched, and the search is
  bounded (6 levels, 1,000 names per folder, 20,000 paths, shallow ones first).

## Why is this bad?
A source the ignore file excludes is not in the context the builder receives: the build fails
with \"not found\" (or, for a wildcard, copies nothing), although the file is right there in
the folder. A secret copied into an image stays in its layer even if a later `RUN` deletes it:
anyone who can pull the image can read `.env` values, private keys, registry tokens or the
whole git history.

## Example
```dockerfile
FROM node:22-slim
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN npm ci
COPY . .
```
Use instead (and list `.env` and `.git` in `.dockerignore`):
```dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
COPY . .
```
and build with `--secret id=npmrc,src=$HOME/.npmrc`.

## Fix safety
No fix: whether to change the ignore file or the `COPY`, and how the build gets its secrets
instead, is for a person to decide.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

/// A path a `COPY`/`ADD` (or a `RUN` bind mount) takes from the build context.
pub(in crate::rules) struct Source<'a> {
    pub ins: &'a Instruction,
    /// Index into [`Context::stages`].
    pub stage: usize,
    /// As BuildKit reads it (quotes removed).
    pub text: String,
    /// Context-relative, normalised (`""` is the root).
    pub path: String,
    /// Whether it has wildcards (`*`, `?`, `[`).
    pub glob: bool,
    /// The word in the source.
    pub span: Span,
    /// `COPY --exclude` patterns.
    pub excludes: Vec<String>,
    /// A bind mount rather than a copy.
    pub mount: bool,
}

/// The word without quotes when it is plain: no variable, no escape, and quotes only around
/// the whole word. `None` otherwise (what the build reads then is not known here).
fn plain_word(w: &str, escape: char) -> Option<String> {
    let inner = match w.as_bytes() {
        [b'"', .., b'"'] | [b'\'', .., b'\''] if w.len() >= 2 => &w[1..w.len() - 1],
        _ => w,
    };
    if inner.is_empty() || inner.contains(['$', '"', '\'', '\\', escape]) {
        return None;
    }
    Some(inner.to_string())
}

/// A context-relative path for a source: a leading `/` is the context root, `..` may not
/// leave it.
fn context_path(text: &str) -> Option<String> {
    normalize(text.trim_start_matches('/'))
}

/// Every local source of the document's `COPY`/`ADD` instructions (not `--from`, not URLs,
/// not heredocs, not words with variables or escapes) and `RUN --mount=type=bind` without
/// `from`.
pub(in crate::rules) fn local_sources<'a>(ctx: &Context<'a>) -> Vec<Source<'a>> {
    let mut out = Vec::new();
    for (stage, st) in ctx.stages.iter().enumerate() {
        for ins in &st.instructions {
            match ins.kind() {
                Kind::Copy | Kind::Add => copy_sources(ctx, stage, ins, &mut out),
                Kind::Run => mount_sources(stage, ins, &mut out),
                _ => {}
            }
        }
    }
    out
}

fn copy_sources<'a>(
    ctx: &Context<'a>,
    stage: usize,
    ins: &'a Instruction,
    out: &mut Vec<Source<'a>>,
) {
    if ins.node.flag("from").is_some() {
        return;
    }
    let excludes: Vec<String> = ins
        .node
        .flags
        .iter()
        .filter(|f| f.name() == "exclude")
        .filter_map(|f| f.value().map(str::to_string))
        .collect();
    let words: Vec<(String, Span)> = match &ins.node.args {
        Args::Words(words) => words
            .iter()
            .map(|w| (w.slice(&ins.logical).to_string(), *w))
            .collect(),
        Args::Json(args) => args.iter().map(|a| (a.value.clone(), a.span)).collect(),
        _ => return,
    };
    let Some((_, sources)) = words.split_last() else {
        return;
    };
    for (word, span) in sources {
        if word.starts_with("<<") {
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if lower.contains("://") || lower.starts_with("git@") {
            continue;
        }
        let Some(text) = plain_word(word, ctx.doc.escape) else {
            continue;
        };
        let Some(path) = context_path(&text) else {
            continue;
        };
        out.push(Source {
            ins,
            stage,
            glob: text.contains(['*', '?', '[']),
            text,
            path,
            span: ins.to_source(*span),
            excludes: excludes.clone(),
            mount: false,
        });
    }
}

fn mount_sources<'a>(stage: usize, ins: &'a Instruction, out: &mut Vec<Source<'a>>) {
    for f in ins.node.flags.iter().filter(|f| f.name() == "mount") {
        let Some(value) = f.value() else { continue };
        let mut kind = "bind";
        let mut source = "";
        let mut from = false;
        for kv in value.split(',') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k {
                "type" => kind = v,
                "source" | "src" => source = v,
                "from" => from = true,
                _ => {}
            }
        }
        if kind != "bind" || from || source.contains('$') {
            continue;
        }
        let Some(path) = context_path(source) else {
            continue;
        };
        out.push(Source {
            ins,
            stage,
            glob: false,
            text: if source.is_empty() {
                ".".into()
            } else {
                source.to_string()
            },
            path,
            span: ins.to_source(f.span),
            excludes: Vec::new(),
            mount: true,
        });
    }
}

/// The stages the final image is made of.
pub(in crate::rules) fn shipped_stages(ctx: &Context) -> Vec<usize> {
    let last = ctx.stages.len() - 1;
    if last == 0 {
        return Vec::new();
    }
    stage_chain(ctx, last)
}

/// Names the walk treats as Dockerfiles (the builder sends them whatever the ignore file says,
/// in the classic builder).
pub(in crate::rules) fn is_dockerfile_name(name: &str) -> bool {
    crate::walk::is_dockerfile_name(name)
}

/// What kind of secret a context path looks like, by name alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Secret {
    Env,
    SshKey,
    KeyFile,
    /// A `*.pem`: only a secret when it holds a private key (needs the context to tell).
    Pem,
    /// A config file that may hold a registry token or password (`.npmrc`, `.pypirc`).
    TokenConfig,
    /// A file that is all credentials (`.netrc`, `.git-credentials`, `.pgpass`).
    Credentials,
    /// `.ssh`, `.aws`, `.gnupg`.
    KeyFolder,
    Git,
}

fn secret_kind(path: &str) -> Option<Secret> {
    let parts: Vec<&str> = path.split('/').collect();
    if parts
        .iter()
        .any(|p| matches!(*p, ".ssh" | ".aws" | ".gnupg"))
    {
        return Some(Secret::KeyFolder);
    }
    if parts.contains(&".git") {
        return Some(Secret::Git);
    }
    let name = *parts.last()?;
    let lower = name.to_ascii_lowercase();
    if lower == ".env" {
        return Some(Secret::Env);
    }
    if let Some(variant) = lower.strip_prefix(".env.") {
        // Committed templates and the settings of test and CI runs (pterodactyl's `.env.ci`,
        // whose `APP_KEY` is a placeholder in a public repository).
        return (!matches!(
            variant,
            "example" | "sample" | "template" | "dist" | "ci" | "test" | "testing"
        ))
        .then_some(Secret::Env);
    }
    if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| lower.starts_with(k))
        && !lower.ends_with(".pub")
    {
        return Some(Secret::SshKey);
    }
    if lower.ends_with(".key") || lower.ends_with(".p12") || lower.ends_with(".pfx") {
        return Some(Secret::KeyFile);
    }
    if lower.ends_with(".pem") {
        return Some(Secret::Pem);
    }
    match lower.as_str() {
        ".npmrc" | ".pypirc" => Some(Secret::TokenConfig),
        ".netrc" | ".git-credentials" | ".pgpass" => Some(Secret::Credentials),
        _ => None,
    }
}

/// Whether a secret-looking path really is one, reading the file when the context has it:
/// a `*.key` holding a public key or certificate is not, a `*.pem` is only with a private key,
/// an `.npmrc`/`.pypirc` only with a token or password. Without the file, by name alone (a
/// `*.pem` is not reported then).
fn confirmed(kind: Secret, path: &str, context: Option<&BuildContext>) -> bool {
    let text = context.and_then(|c| c.read(path));
    match kind {
        Secret::Pem => text.is_some_and(|t| t.contains("PRIVATE KEY")),
        Secret::KeyFile => text.is_none_or(|t| {
            t.contains("PRIVATE KEY")
                || !(t.contains("-----BEGIN PGP PUBLIC KEY")
                    || t.contains("-----BEGIN PUBLIC KEY")
                    || t.contains("-----BEGIN CERTIFICATE")
                    || t.contains("-----BEGIN SSH2 PUBLIC KEY")
                    || t.starts_with("ssh-"))
        }),
        Secret::TokenConfig => text.is_none_or(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("_auth") || t.contains("password") || t.contains("token")
        }),
        _ => true,
    }
}

/// Whether an environment file in the context sets a variable whose name says it is a secret
/// (BuildKit's word list, as DF303) to a value. Without the context's file, it is taken to.
fn env_holds_secret(path: &str, context: Option<&BuildContext>) -> bool {
    let Some(text) = context.and_then(|c| c.read(path)) else {
        return context.is_none();
    };
    text.lines().any(|l| {
        let l = l.trim().trim_start_matches("export ");
        l.split_once('=').is_some_and(|(k, v)| {
            crate::rules::secret_in_arg_env::looks_like_secret(k.trim())
                && !matches!(v.trim(), "" | "\"\"" | "''")
        })
    })
}

fn describe(kind: Secret, read: bool) -> &'static str {
    match kind {
        Secret::Env => "an environment file (where secrets usually live)",
        Secret::SshKey => "an SSH private key",
        Secret::KeyFile => "a private key or keystore",
        Secret::Pem => "a private key",
        Secret::TokenConfig if read => "a config file with a registry token or password",
        Secret::TokenConfig => "a config file that usually holds a registry token or password",
        Secret::Credentials => "a credentials file",
        Secret::KeyFolder => "a folder of keys or credentials",
        Secret::Git => "the repository's history and config",
    }
}

/// What to do instead, for the message.
fn advice(kind: Secret, text: &str) -> String {
    let name = text.rsplit('/').find(|p| !p.is_empty()).unwrap_or(text);
    match kind {
        Secret::TokenConfig | Secret::Credentials => {
            let id = name.trim_start_matches('.').replace('.', "-");
            format!(
                "mount it for the step that needs it: `RUN --mount=type=secret,id={id},target=/root/{name} ...`"
            )
        }
        Secret::Git => "build from the files instead, or pass what the build needs (a version) as a build argument".into(),
        _ => "mount it for the step that needs it (`RUN --mount=type=secret,...`) or provide it at run time".into(),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let context = ctx.options.context.as_ref();
    let ignore = context.and_then(|c| c.dockerignore());
    let ignore_name = ignore
        .as_ref()
        .and_then(|(p, _)| p.file_name()?.to_str().map(str::to_string))
        .unwrap_or_else(|| ".dockerignore".into());
    // A bad ignore file fails the build by itself; nothing to say about single paths then.
    let matcher = match &ignore {
        Some((_, text)) => match Matcher::parse(text) {
            Ok(m) => Some(m),
            Err(_) => return,
        },
        None => None,
    };
    let shipped = shipped_stages(ctx);
    for source in local_sources(ctx) {
        let verb = if source.ins.kind() == Kind::Add {
            "ADD"
        } else {
            "COPY"
        };
        // (a) Excluded by the ignore file.
        if let (Some(m), Some(c)) = (&matcher, context)
            && let Some(p) = ignored(m, c, &source)
        {
            let what = match (source.mount, source.glob) {
                (true, _) => "the bind mount's source",
                (false, true) => "every match of the source",
                (false, false) => "the source",
            };
            let outcome = if source.glob {
                "copies nothing and fails"
            } else {
                "fails with \"not found\""
            };
            out.push(Diagnostic::new(
                    &RULE,
                    source.span,
                    format!(
                        "{what} `{}` is excluded by {ignore_name} (pattern `{}`), so the build {outcome}; drop the pattern or add an exception `!{}`",
                        source.text, p.text, source.path,
                    ),
                ));
            continue;
        }
        if source.mount {
            continue;
        }
        let in_shipped =
            shipped.contains(&source.stage) || shipped.is_empty() || ctx.ships(source.stage);
        // (b) A secret named by the COPY itself.
        if !source.glob
            && let Some(kind) = secret_kind(&source.path)
        {
            let is_dir = context.is_some_and(|c| c.is_dir(&source.path));
            let read = context.is_some_and(|c| c.is_file(&source.path));
            // `.git` in a build stage stays out of the image; so does an `.env` there, which
            // is reported only when it holds a secret (not build settings such as `VITE_*`):
            // an exported build cache keeps the stage's layers.
            if (kind != Secret::Git || in_shipped)
                && (kind != Secret::Env || in_shipped || env_holds_secret(&source.path, context))
                && (is_dir || confirmed(kind, &source.path, context))
            {
                out.push(Diagnostic::new(
                        &RULE,
                        source.span,
                        format!(
                            "`{verb} {}` puts {} into {}, and its layer keeps it even if a later step deletes it; {}",
                            source.text,
                            describe(kind, read),
                            if in_shipped {
                                "the image"
                            } else {
                                "this stage (and the build cache)"
                            },
                            advice(kind, &source.text)
                        ),
                    ));
                continue;
            }
        }
        // (c) Secrets a broad copy takes along.
        if let Some(c) = context {
            let git_used = std::cell::OnceCell::new();
            let uses_git =
                || *git_used.get_or_init(|| super::missing_dockerignore::build_uses_git(ctx, c));
            let found = secrets_sent(c, matcher.as_ref(), &source, in_shipped, &uses_git);
            if !found.is_empty() {
                let shown: Vec<String> = found.iter().take(3).map(|p| format!("`{p}`")).collect();
                let more = match found.len() {
                    n if n > 3 => format!(" and {} more", n - 3),
                    _ => String::new(),
                };
                let (into, needs) = if in_shipped {
                    ("the image", "image")
                } else {
                    ("this stage and the build cache", "build")
                };
                let why = match &ignore {
                    Some(_) => format!("{ignore_name} does not exclude them"),
                    None => "there is no .dockerignore".to_string(),
                };
                out.push(Diagnostic::new(
                    &RULE,
                    source.span,
                    format!(
                        "the {verb} source `{}` takes {}{more} into {into} ({why}); list them in the ignore file or copy only what the {needs} needs",
                        source.text,
                        shown.join(", "),
                    ),
                ));
            }
        }
    }
}

/// The pattern that keeps a source out of the context, when every path it names is kept out:
/// a file that is excluded; a folder (or a path not in the context) that is excluded with no
/// exception able to bring anything inside it back; a wildcard with matches in the context,
/// all of them excluded.
fn ignored<'m>(m: &'m Matcher, c: &BuildContext, s: &Source) -> Option<&'m Pattern> {
    let path_ignored = |path: &str| -> Option<&'m Pattern> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if path.is_empty() || name == ".dockerignore" || is_dockerfile_name(name) {
            return None;
        }
        let e = m.excluded(path)?;
        // BuildKit's own check tests this too; both must agree.
        if !m.matches_or_parent_matches(path) {
            return None;
        }
        if !c.is_file(path) && m.could_reenter(path) {
            return None;
        }
        Some(e.pattern)
    };
    if !s.glob {
        return path_ignored(&s.path);
    }
    // Wildcards in the last part only; the folder is listed.
    let (dir, glob) = s.path.rsplit_once('/').unwrap_or(("", &s.path));
    if dir.contains(['*', '?', '[']) {
        return None;
    }
    let names: Vec<String> = c
        .list(dir)
        .into_iter()
        .filter(|n| crate::dockerignore::glob_match(glob, n) == Some(true))
        .collect();
    let mut pattern = None;
    for n in &names {
        let p = if dir.is_empty() {
            n.clone()
        } else {
            format!("{dir}/{n}")
        };
        pattern = Some(path_ignored(&p)?);
    }
    pattern
}

/// Folders a search for secrets does not enter: dependencies and build outputs, whose own
/// test keys and samples are not the project's secrets.
const NOT_SEARCHED: &[&str] = &[
    "node_modules",
    "bower_components",
    "vendor",
    ".venv",
    "venv",
    "target",
    ".tox",
    "__pycache__",
    ".hg",
    ".svn",
];

/// Whether the project's `.gitignore` files let a file in: a secret-looking file the project
/// commits is published with its sources (a template such as `.env.docker`, a test key under
/// `testdata/`), so copying it along leaks nothing; the secrets a broad copy leaks are the
/// ones each checkout keeps for itself, which `.gitignore` keeps out (`.env`). Without any
/// `.gitignore` nothing is known, and the file is reported.
fn committed(c: &BuildContext, path: &str) -> bool {
    crate::context::vcs::ignored_by_git(c, path) == Some(false)
}

/// Secret-looking paths a folder or wildcard source sends into the image: found in the
/// context, not excluded by the ignore file or `--exclude`, not committed.
fn secrets_sent(
    c: &BuildContext,
    m: Option<&Matcher>,
    s: &Source,
    in_shipped: bool,
    uses_git: &dyn Fn() -> bool,
) -> Vec<String> {
    let excludes = match Matcher::new(&s.excludes) {
        Ok(e) => e,
        Err(_) => return Vec::new(),
    };
    // The starting points: the folder itself, or the wildcard's matches.
    let mut roots: Vec<String> = Vec::new();
    if s.glob {
        let (dir, glob) = s.path.rsplit_once('/').unwrap_or(("", &s.path));
        if dir.contains(['*', '?', '[']) {
            return Vec::new();
        }
        for n in c.list(dir) {
            if crate::dockerignore::glob_match(glob, &n) == Some(true) {
                roots.push(if dir.is_empty() {
                    n
                } else {
                    format!("{dir}/{n}")
                });
            }
        }
    } else if s.path.is_empty() || c.is_dir(&s.path) {
        roots.push(s.path.clone());
    } else {
        return Vec::new();
    }
    let mut found = Vec::new();
    // A bounded search: so many paths in all, so many names per folder.
    let mut budget = 20_000usize;
    // Breadth first: within the budget, the shallow paths (the likely secrets) come first.
    let mut queue: std::collections::VecDeque<(String, usize)> =
        roots.into_iter().map(|r| (r, 0)).collect();
    while let Some((path, depth)) = queue.pop_front() {
        if budget == 0 {
            break;
        }
        budget -= 1;
        let sent = |p: &str| {
            m.is_none_or(|m| m.excluded(p).is_none())
                && !excludes.matches_or_parent_matches(p)
                && !excludes
                    .matches_or_parent_matches(p.strip_prefix(&format!("{}/", s.path)).unwrap_or(p))
        };
        let is_root = path.is_empty() || (path == s.path && !s.glob);
        if !is_root {
            if !sent(&path) {
                // A folder the ignore file excludes may still have exceptions inside.
                if !(c.is_dir(&path) && m.is_some_and(|m| m.could_reenter(&path))) {
                    continue;
                }
            } else if let Some(kind) = secret_kind(&path) {
                // A folder goes in with what is inside it: one whose every entry the ignore
                // file excludes (`.git/*`) arrives empty (postal).
                let filled = || {
                    c.list(&path)
                        .iter()
                        .take(1000)
                        .any(|n| sent(&format!("{path}/{n}")))
                };
                let reported = match kind {
                    // `.git` where the build reads it (a version stamped from git tags, a
                    // Makefile or build program that runs git: DF102's reading) is there on
                    // purpose.
                    Secret::Git => in_shipped && filled() && !uses_git(),
                    Secret::Env if !in_shipped => env_holds_secret(&path, Some(c)),
                    Secret::KeyFolder => filled(),
                    k => c.is_file(&path) && confirmed(k, &path, Some(c)),
                } && (kind == Secret::Git || !committed(c, &path));
                if reported {
                    found.push(path.clone());
                }
                if matches!(kind, Secret::Git | Secret::KeyFolder) || reported {
                    continue;
                }
            }
        }
        let name = path.rsplit('/').next().unwrap_or(&path);
        if !c.is_dir(&path) || depth >= 6 || (!is_root && NOT_SEARCHED.contains(&name)) {
            continue;
        }
        for n in c.list(&path).into_iter().take(1000) {
            let child = if path.is_empty() {
                n
            } else {
                format!("{path}/{n}")
            };
            queue.push_back((child, depth + 1));
        }
    }
    found.sort_by_key(|p| (p.matches('/').count(), p.clone()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert_eq!(secret_kind(".env"), Some(Secret::Env));
        assert_eq!(secret_kind("config/.env.production"), Some(Secret::Env));
        assert_eq!(secret_kind(".env.example"), None);
        assert_eq!(secret_kind(".env.ci"), None);
        assert_eq!(secret_kind("config/.env.testing"), None);
        assert_eq!(secret_kind(".env.production"), Some(Secret::Env));
        assert_eq!(secret_kind("deploy/id_rsa"), Some(Secret::SshKey));
        assert_eq!(secret_kind("id_ed25519_ci"), Some(Secret::SshKey));
        assert_eq!(secret_kind("id_rsa.pub"), None);
        assert_eq!(secret_kind("certs/tls.key"), Some(Secret::KeyFile));
        assert_eq!(secret_kind("cert.pem"), Some(Secret::Pem));
        assert_eq!(secret_kind(".npmrc"), Some(Secret::TokenConfig));
        assert_eq!(secret_kind("home/.ssh/config"), Some(Secret::KeyFolder));
        assert_eq!(secret_kind(".git"), Some(Secret::Git));
        assert_eq!(secret_kind("src/main.rs"), None);
        // Without the file, a `.pem` is not reported; a `.key` is.
        assert!(!confirmed(Secret::Pem, "a.pem", None));
        assert!(confirmed(Secret::KeyFile, "a.key", None));
    }

    #[test]
    fn plain_words() {
        assert_eq!(plain_word("\".env\"", '\\').as_deref(), Some(".env"));
        assert_eq!(plain_word("$HOME/.env", '\\'), None);
        assert_eq!(plain_word("a\\ b", '\\'), None);
        assert_eq!(context_path("/app/../src/").as_deref(), Some("src"));
        assert_eq!(context_path("../x"), None);
    }

    /// Diagnostics of this rule for a Dockerfile in a context folder.
    fn run(dir: &std::path::Path, text: &str) -> Vec<String> {
        let doc = crate::syntax::parse(text).unwrap();
        let options = crate::rules::LintOptions {
            context: Some(BuildContext::new(dir).for_dockerfile(&dir.join("Dockerfile"))),
            ..Default::default()
        };
        crate::rules::check_with(&doc, &|r| r.code == "DF103", options)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    /// A real `.git` folder (fixtures cannot hold one: git does not commit a path named
    /// `.git`).
    #[test]
    fn git_folder_in_the_context() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git/objects")).unwrap();
        std::fs::write(dir.path().join(".git/config"), "[core]\n").unwrap();
        std::fs::write(dir.path().join(".env"), "A=1\n").unwrap();
        std::fs::write(dir.path().join("app.py"), "\n").unwrap();
        let found = run(dir.path(), "FROM python:3.12\nCOPY . /app\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`.env`, `.git`"), "{found:?}");
        assert!(found[0].contains("there is no .dockerignore"), "{found:?}");
        // In a build stage only, `.git` is not shipped; an `.env` without a secret's name
        // is build configuration; one with `DB_PASSWORD=` is kept in the stage's layers.
        let build = "FROM python:3.12 AS build\nCOPY . /src\nFROM scratch\nCOPY --from=build /src/app.py /\n";
        assert!(run(dir.path(), build).is_empty());
        std::fs::write(dir.path().join(".env"), "A=1\nDB_PASSWORD=hunter2\n").unwrap();
        let found = run(dir.path(), build);
        assert!(found.len() == 1 && !found[0].contains(".git"), "{found:?}");
        std::fs::write(dir.path().join(".env"), "A=1\n").unwrap();
        // Ignored: nothing to say; an exception brings `.env` back.
        std::fs::write(dir.path().join(".dockerignore"), ".git\n*.env\n").unwrap();
        assert!(run(dir.path(), "FROM python:3.12\nCOPY . /app\n").is_empty());
        std::fs::write(dir.path().join(".dockerignore"), ".git\n.*\n!.env\n").unwrap();
        let found = run(dir.path(), "FROM python:3.12\nCOPY . /app\n");
        assert!(
            found.len() == 1 && found[0].contains("`.env` into") && !found[0].contains(".git"),
            "{found:?}"
        );
        // A Dockerfile-specific ignore file wins over `.dockerignore`.
        std::fs::write(dir.path().join("Dockerfile.dockerignore"), "*\n").unwrap();
        assert!(run(dir.path(), "FROM python:3.12\nCOPY . /app\n").is_empty());
    }

    /// `.git/*` keeps everything inside out: only an empty folder goes in (postal). A build
    /// that reads git (a Makefile stamping the version from `git describe`: miniflux) copies
    /// `.git` on purpose.
    #[test]
    fn git_folder_emptied_or_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git/objects")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(dir.path().join("main.go"), "package main\n").unwrap();
        let copy = "FROM golang:1.24\nWORKDIR /src\nCOPY . .\nRUN make\n";
        std::fs::write(dir.path().join(".dockerignore"), "node_modules\n").unwrap();
        let found = run(dir.path(), copy);
        assert!(found.len() == 1 && found[0].contains("`.git`"), "{found:?}");
        std::fs::write(dir.path().join(".dockerignore"), ".git/*\n").unwrap();
        assert!(run(dir.path(), copy).is_empty());
        std::fs::write(dir.path().join(".dockerignore"), "node_modules\n").unwrap();
        let makefile = "VERSION := $(shell git describe --tags)\nall:\n\tgo build .\n";
        std::fs::write(dir.path().join("Makefile"), makefile).unwrap();
        assert!(run(dir.path(), copy).is_empty());
    }
}
