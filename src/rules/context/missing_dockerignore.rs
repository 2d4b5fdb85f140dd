use crate::context::{BuildContext, NewFile, normalize};
use crate::dockerignore::{Matcher, glob_match};
use crate::fix::{Applicability, Fix};
use crate::rules::common::program;
use crate::rules::copy_of_ignored_or_secret::{Source, is_dockerfile_name, local_sources};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF102",
    name: "missing-dockerignore",
    aliases: &[],
    summary: "the build context has no .dockerignore",
    doc: "## What it does
Flags a `COPY` or `ADD` that takes the whole build context (`COPY . .`, `COPY ./ /app`,
`ADD . /src`, `COPY * ./`) when the context has no ignore file (neither
`<Dockerfile>.dockerignore` nor `.dockerignore`). It needs the build context (`--context`, a
`[[contexts]]` entry, the compose service or bake target that builds the file, or its folder);
a Dockerfile read from standard input without `--context` is not checked. Quiet when nothing at the top of the context is what the generated file would keep
out (`.git`, `node_modules`, caches, editor folders...): the context holds what the image
copies, and an ignore file would change nothing.

## Why is this bad?
Without an ignore file, everything in the folder goes to the builder and, through the broad
`COPY`, into the image: the git history, `.env` files, `node_modules` or virtualenvs built for
the host, caches, logs, editor files. Builds upload more, the `COPY` layer changes whenever any
of these files changes (so every step after it runs again), and secrets end up in the image.

## Example
```dockerfile
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci
```
with no `.dockerignore` next to it. Add one, e.g.
```
.git
**/.env
**/node_modules
**/*.log
```

## Fix safety
The fix creates `.dockerignore` in the context's root (never replacing a file) with lines for
what every project can leave out (`.git`, `.env` files, logs, editor and OS files) and for the
stack the Dockerfile and the context show: `node_modules` (package.json), Python caches and
virtualenvs, `target/` (Cargo, Maven), `.gradle` and `build/` (Gradle), `bin/` (Go). Folders
the build recreates (`node_modules`, virtualenvs, build outputs) are listed only when a `RUN`
of the Dockerfile (or of another Dockerfile in the context's root: they share the file, and
each generates the same one) installs or builds them. No line excludes a path that a `COPY`, `ADD` or
`RUN --mount=type=bind` of this Dockerfile (or of another Dockerfile in the context's root)
names, or that a `RUN`, `CMD` or `ENTRYPOINT` names as `./path`; `.git` stays when a `RUN` uses
`git`, the project takes its version from git (setuptools-scm, hatch-vcs, versioneer,
poetry-dynamic-versioning, pdm's `source = \"scm\"`, the git-version crate...), or
`package.json` runs git (Husky, `git rev-parse` in a script), a `RUN` starts a build that
does (`make` with a Makefile that runs `git describe`, as miniflux's; a program of the context
it runs, such as syncthing's `go run build.go` or `python version.py`), or asks Go to stamp
the commit (`-buildvcs=true`); when `.git` is all the new file would keep out, nothing is
reported. The lines left out are listed
in the file's comments. Unsafe: the build no longer sees the excluded files, and a step that
reads one of them in a way the Dockerfile does not show (a script that opens `.env`, a build
that needs `.git`) changes or fails; the file is also shared by every Dockerfile built with
this context. Review it before committing.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(context) = ctx.options.context.as_ref() else {
        return;
    };
    // The Dockerfile alone first: most copy named files, and then the context is not read.
    let sources = local_sources(ctx);
    let Some(broad) = sources.iter().find(|s| !s.mount && is_broad(s)) else {
        return;
    };
    // Any file there counts, even one that cannot be read as text (or a dangling link): the
    // fix would not replace it anyway.
    if context.dockerignore().is_some() || context.exists(".dockerignore") || {
        // A dangling link counts too: the folder's listing has it (a listing that could
        // not be read is empty, and then the link is looked up).
        let names = context.root_listing();
        if names.is_empty() {
            let path = context.root().join(".dockerignore");
            path.symlink_metadata().is_ok()
        } else {
            names
                .binary_search_by(|n| n.as_str().cmp(".dockerignore"))
                .is_ok()
        }
    } {
        return;
    }
    let (content, kept) = generate(ctx, context, &sources);
    // What the new file would keep out, among the context's top-level entries.
    let matcher = Matcher::new(&kept).ok();
    let found: Vec<String> = context
        .list("")
        .into_iter()
        .filter(|n| matcher.as_ref().is_some_and(|m| m.excluded(n).is_some()))
        .collect();
    // Nothing the new file would keep out is there: the context holds what the image copies,
    // and an ignore file would change nothing.
    if found.is_empty() {
        return;
    }
    let found = match found.len() {
        0 => String::new(),
        n => {
            let shown: Vec<String> = found.iter().take(4).map(|f| format!("`{f}`")).collect();
            let more = if n > 4 {
                format!(" and {} more", n - 4)
            } else {
                String::new()
            };
            format!(", {}{more} included", shown.join(", "))
        }
    };
    out.push(
        Diagnostic::new(
            &RULE,
            broad.span,
            format!(
                "the build context has no .dockerignore, so `{}` sends everything in it{found}",
                summary(broad.ins)
            ),
        )
        .with_fix(Fix::create_file(
            "Create a .dockerignore for this project",
            Applicability::Unsafe,
            NewFile {
                path: ".dockerignore".into(),
                content,
            },
        )),
    );
}

/// The instruction on one line, shortened: `COPY . .`.
fn summary(ins: &crate::syntax::Instruction) -> String {
    let text = ins.logical.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}

/// A source that takes the whole context: its root, or a `*` there.
fn is_broad(s: &Source) -> bool {
    s.path.is_empty() || (s.glob && (s.path == "*" || s.path == "**"))
}

/// One section of the generated file.
struct Section {
    title: &'static str,
    patterns: Vec<&'static str>,
}

/// What the Dockerfile shows about the project: which tools its RUNs run.
#[derive(Clone, Default)]
struct Stack {
    node: bool,
    node_install: bool,
    python: bool,
    python_install: bool,
    go_build: bool,
    cargo_build: bool,
    maven_build: bool,
    gradle_build: bool,
    uses_git: bool,
}

/// A Dockerfile in the context's root (they share the ignore file): read once per folder and
/// run, analysed for DF102 the first time another Dockerfile of the folder needs it (a folder
/// whose only Dockerfile is the one being checked parses nothing more).
struct Sibling {
    name: String,
    text: String,
    analysis: std::sync::OnceLock<Option<Analysis>>,
}

/// What DF102 needs of a sibling Dockerfile.
struct Analysis {
    stack: Stack,
    protected: Vec<Protected>,
}

impl Sibling {
    /// `None` when the file does not parse.
    fn analysis(&self, context: &BuildContext) -> Option<&Analysis> {
        // Worked out outside the lock and then stored (two workers may both work it out; the
        // first stores it): a blocking `get_or_init` could wait on a worker that, while it
        // waits for parallel work inside the analysis, takes up a file that waits on it.
        if let Some(done) = self.analysis.get() {
            return done.as_ref();
        }
        let made = (|| {
            let doc = crate::syntax::parse(&self.text).ok()?;
            let c = Context::new(&doc);
            let stack = stack_of(&c, context);
            let mut protected = Vec::new();
            add_doc(&c, &local_sources(&c), &mut protected);
            Some(Analysis { stack, protected })
        })();
        let _ = self.analysis.set(made);
        self.analysis.get().and_then(Option::as_ref)
    }
}

/// The Dockerfiles in the context's root (the first 21 by name), read once per folder and run.
fn siblings(context: &BuildContext) -> std::sync::Arc<Vec<Sibling>> {
    context.memo("df102-siblings", || {
        context
            .list("")
            .into_iter()
            .filter(|n| is_dockerfile_name(n))
            .take(21)
            .filter_map(|name| {
                let text = context.read(&name)?;
                Some(Sibling {
                    name,
                    text,
                    analysis: std::sync::OnceLock::new(),
                })
            })
            .collect()
    })
}

/// The other Dockerfiles in the context's root that parse (at most 20), by name.
fn other_dockerfiles<'s>(
    ctx: &Context,
    context: &BuildContext,
    all: &'s [Sibling],
) -> Vec<(&'s str, &'s Analysis)> {
    all.iter()
        .filter(|s| s.text != ctx.doc.text)
        .filter_map(|s| Some((s.name.as_str(), s.analysis(context)?)))
        .take(20)
        .collect()
}

/// Whether the build reads `.git` (a version taken from git, a build script or Makefile that
/// runs git, a RUN that names `.git`), in this Dockerfile or another one of the context's root
/// (they share the ignore file): DF103 does not report `.git` copied along then.
pub(in crate::rules) fn build_uses_git(ctx: &Context, context: &BuildContext) -> bool {
    stack(ctx, context).uses_git
}

/// The stack of this Dockerfile and of the other Dockerfiles in the context's root: they share
/// the ignore file, so each of them generates the same one (a folder that one of them
/// installs, such as `node_modules`, is listed for all).
fn stack(ctx: &Context, context: &BuildContext) -> Stack {
    let mut s = stack_of(ctx, context);
    let all = siblings(context);
    for (_, sib) in other_dockerfiles(ctx, context, &all) {
        let o = &sib.stack;
        s.node |= o.node;
        s.node_install |= o.node_install;
        s.python |= o.python;
        s.python_install |= o.python_install;
        s.go_build |= o.go_build;
        s.cargo_build |= o.cargo_build;
        s.maven_build |= o.maven_build;
        s.gradle_build |= o.gradle_build;
        s.uses_git |= o.uses_git;
    }
    s
}

/// Whether a build script's text runs git (in a shell, a Makefile, or a Go or Python program
/// that executes it).
fn calls_git(text: &str) -> bool {
    [
        "git describe",
        "git rev-parse",
        "git show",
        "git log",
        "git branch",
        "git status",
        "\"git\"",
        "'git'",
    ]
    .iter()
    .any(|k| text.contains(k))
}

fn stack_of(ctx: &Context, context: &BuildContext) -> Stack {
    let mut s = Stack::default();
    let images: Vec<String> = ctx
        .stages
        .iter()
        .filter_map(|st| {
            let f = st.from?;
            match &f.node.args {
                Args::Words(w) => Some(w.first()?.slice(&f.logical).to_ascii_lowercase()),
                _ => None,
            }
        })
        .collect();
    let image_is = |names: &[&str]| {
        images.iter().any(|i| {
            let repo = i.split([':', '@']).next().unwrap_or(i);
            let repo = repo.rsplit('/').next().unwrap_or(repo);
            names.contains(&repo)
        })
    };
    s.node = context.is_file("package.json") || image_is(&["node"]);
    s.python = [
        "requirements.txt",
        "pyproject.toml",
        "Pipfile",
        "setup.py",
        "setup.cfg",
    ]
    .iter()
    .any(|f| context.is_file(f))
        || image_is(&["python", "pypy"]);
    for run in ctx.shell_runs() {
        for cmd in &run.commands {
            let words = crate::rules::common::command_words(cmd);
            let Some(prog) = program(cmd) else { continue };
            let sub = words
                .iter()
                .skip(1)
                .find(|w| !w.value.starts_with('-'))
                .map(|w| w.value.as_str());
            match (prog, sub) {
                ("npm" | "yarn" | "pnpm", Some("install" | "ci" | "i" | "add"))
                | ("yarn", None) => s.node_install = true,
                (
                    "pip" | "pip3" | "uv" | "poetry" | "pipenv" | "pdm",
                    Some("install" | "sync" | "pip"),
                ) => s.python_install = true,
                ("python" | "python3", Some("-m")) => s.python_install = true,
                ("go", Some("build" | "install")) => s.go_build = true,
                ("cargo", Some("build" | "install")) => s.cargo_build = true,
                ("mvn" | "mvnw", _) => s.maven_build = true,
                ("gradle" | "gradlew", _) => s.gradle_build = true,
                // Commands that do not read the context's repository.
                ("git", Some("clone" | "config" | "init" | "ls-remote")) => {}
                ("git", _) => s.uses_git = true,
                _ => {}
            }
            if words.iter().any(|w| {
                let v = w.value.trim_start_matches("./");
                v == ".git"
                    || v.starts_with(".git/")
                    || v.ends_with("/.git")
                    || v.contains("/.git/")
            }) {
                s.uses_git = true;
            }
            // Go's version stamping asked for (`-buildvcs`, `-buildvcs=true`), and a build
            // the RUN starts from the context that calls git: `make` with a Makefile that
            // does (`VERSION := $(shell git describe ...)`: miniflux), or a script of the
            // context it runs (`go run build.go`, `python version.py`, `sh build.sh`:
            // syncthing, Tandoor).
            if words.iter().any(|w| {
                w.value == "-buildvcs" || w.value.strip_prefix("-buildvcs=") == Some("true")
            }) {
                s.uses_git = true;
            }
            let scripts: Vec<&str> = match prog {
                "make" | "gmake" => vec!["Makefile", "makefile", "GNUmakefile"],
                _ => words
                    .iter()
                    .map(|w| w.value.as_str())
                    .filter(|v| {
                        !v.starts_with(['-', '/', '$'])
                            && [".go", ".py", ".sh", ".bash"]
                                .iter()
                                .any(|e| v.ends_with(e))
                    })
                    .collect(),
            };
            if scripts.iter().any(|f| {
                context
                    .read(f.trim_start_matches("./"))
                    .is_some_and(|t| calls_git(&t))
            }) {
                s.uses_git = true;
            }
        }
    }
    // `python -m pip install` and friends.
    s.python_install |= ctx.shell_runs().iter().any(|r| {
        let body = r.script;
        body.contains("pip install") || body.contains("pip3 install")
    });
    // Versions taken from git tags, and scripts that run git, need `.git` in the context:
    // Python build plugins (setuptools-scm, hatch-vcs, poetry-dynamic-versioning,
    // setuptools-git-versioning, versioningit, pdm's `source = "scm"`...), Husky's `prepare`
    // (it fails outside a git checkout), npm scripts that call git, the git-version crate.
    for f in [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "package.json",
        "Cargo.toml",
    ] {
        if let Some(text) = context.read(f) {
            let t = text.to_ascii_lowercase();
            if [
                "scm",
                "vcs",
                "versioneer",
                "dunamai",
                "pbr",
                "git-versioning",
                "git_versioning",
                "dynamic-versioning",
                "dynamic_versioning",
                "versioningit",
                "husky",
                "git rev-parse",
                "git describe",
                "git log",
                "git-version",
            ]
            .iter()
            .any(|k| t.contains(k))
            {
                s.uses_git = true;
            }
        }
    }
    s
}

fn sections(s: &Stack) -> Vec<Section> {
    let mut out = vec![
        Section {
            title: "Version control",
            patterns: if s.uses_git { vec![] } else { vec![".git"] },
        },
        Section {
            title: "Secrets and local settings",
            patterns: vec!["**/.env", "**/.env.local", "**/.env.*.local"],
        },
        Section {
            title: "Logs, editor and OS files",
            patterns: vec![
                "**/*.log",
                "**/.DS_Store",
                "**/Thumbs.db",
                "**/*.swp",
                ".idea",
                ".vscode",
            ],
        },
    ];
    if s.node {
        let mut p = vec![];
        if s.node_install {
            p.push("**/node_modules");
        }
        p.extend(["**/npm-debug.log*", "**/yarn-error.log*", ".npm"]);
        out.push(Section {
            title: "Node.js",
            patterns: p,
        });
    }
    if s.python {
        let mut p = vec![
            "**/__pycache__",
            "**/*.py[cod]",
            "**/.pytest_cache",
            "**/.mypy_cache",
            "**/.ruff_cache",
            ".tox",
            ".coverage",
            "htmlcov",
        ];
        if s.python_install {
            p.extend([".venv", "venv"]);
        }
        out.push(Section {
            title: "Python",
            patterns: p,
        });
    }
    if s.go_build {
        out.push(Section {
            title: "Go (built by the Dockerfile)",
            patterns: vec!["bin"],
        });
    }
    if s.cargo_build || s.maven_build {
        out.push(Section {
            title: if s.cargo_build {
                "Rust (built by the Dockerfile)"
            } else {
                "Maven (built by the Dockerfile)"
            },
            patterns: vec!["target"],
        });
    }
    if s.gradle_build {
        out.push(Section {
            title: "Gradle (built by the Dockerfile)",
            patterns: vec![".gradle", "build"],
        });
    }
    out
}

/// A path the build reads, and why (for the comments of the generated file).
#[derive(Clone)]
struct Protected {
    path: String,
    glob: bool,
    why: String,
}

/// The paths one Dockerfile reads from the context, and why.
fn add_doc(ctx: &Context, sources: &[Source], out: &mut Vec<Protected>) {
    for s in sources.iter().filter(|s| !s.path.is_empty()) {
        let verb = match (s.mount, s.ins.kind()) {
            (true, _) => "RUN --mount",
            (_, Kind::Add) => "ADD",
            _ => "COPY",
        };
        out.push(Protected {
            path: s.path.clone(),
            glob: s.glob,
            why: format!("{verb} {}", s.text),
        });
    }
    for st in &ctx.stages {
        for ins in &st.instructions {
            if !matches!(ins.kind(), Kind::Run | Kind::Cmd | Kind::Entrypoint) {
                continue;
            }
            let text = ins.node.rest.slice(&ins.logical);
            for w in text.split(|c: char| c.is_whitespace() || "\"',;=()[]&|<>`".contains(c)) {
                if let Some(rel) = w.strip_prefix("./")
                    && let Some(p) = normalize(rel).filter(|p| !p.is_empty())
                {
                    out.push(Protected {
                        path: p,
                        glob: false,
                        why: format!("{} names {w}", ins.node.kind.keyword()),
                    });
                }
            }
        }
    }
}

/// Paths the build reads from the context: this Dockerfile's sources, those of the other
/// Dockerfiles in the context's root, and `./path` words of RUN, CMD and ENTRYPOINT.
fn protected(ctx: &Context, context: &BuildContext, sources: &[Source]) -> Vec<Protected> {
    let mut out = Vec::new();
    add_doc(ctx, sources, &mut out);
    let all = siblings(context);
    let others = other_dockerfiles(ctx, context, &all);
    // With other Dockerfiles in the context, each entry names its Dockerfile, and the list is
    // sorted: every Dockerfile of the context must generate the same file.
    if !others.is_empty() {
        let own = context
            .dockerfile()
            .and_then(|p| p.file_name())
            .map_or("this Dockerfile".to_string(), |n| {
                n.to_string_lossy().into_owned()
            });
        for p in &mut out {
            p.why = format!("{own}: {}", p.why);
        }
    }
    // Other Dockerfiles that share this context.
    for (name, sib) in others {
        for p in &sib.protected {
            let mut p = p.clone();
            p.why = format!("{name}: {}", p.why);
            out.push(p);
        }
    }
    out.sort_by(|a, b| (&a.path, &a.why).cmp(&(&b.path, &b.why)));
    out
}

/// The paths a pattern is tried against for one protected path, worked out once per path
/// (not once per pattern): the path itself; for a wildcard source, the parts of it without
/// wildcards and its matches in the context, or, when those are too many to list, its last
/// part.
struct Probes {
    paths: Vec<String>,
    /// The last part of a wildcard source with too many matches, and whether it has wildcards.
    last: Option<(String, bool)>,
}

impl Probes {
    fn of(p: &Protected, context: &BuildContext) -> Probes {
        let mut paths = vec![p.path.clone()];
        let mut last = None;
        if p.glob {
            // The folders before the first wildcard part are named by the COPY.
            let parts: Vec<&str> = p.path.split('/').collect();
            let literal = parts
                .iter()
                .take_while(|x| !x.contains(['*', '?', '[']))
                .count();
            if literal > 0 {
                paths.push(parts.get(..literal).unwrap_or_default().join("/"));
            }
            match expand(context, &parts) {
                Some(found) => paths.extend(found),
                None => {
                    last = parts
                        .last()
                        .map(|l| (l.to_string(), l.contains(['*', '?', '['])))
                }
            }
        }
        Probes { paths, last }
    }

    /// Whether the pattern would keep the protected path out (or a folder it is in); for a
    /// wildcard source, any of its matches in the context, the parts of it without wildcards,
    /// and the wildcard text itself.
    fn hit_by(&self, pat: &crate::dockerignore::Pattern) -> bool {
        self.paths.iter().any(|f| pat.matches_or_parent(f))
            // Too many matches to list: keep only patterns that cannot match the last part.
            || self.last.as_ref().is_some_and(|(last, wild)| {
                *wild || pat.matches(last) || pat.matches_or_parent(last)
            })
    }
}

/// The context paths a wildcard source matches (each part a `filepath.Match` wildcard, as
/// `COPY` reads them), or None when there are more than a few hundred.
fn expand(context: &BuildContext, parts: &[&str]) -> Option<Vec<String>> {
    let mut current = vec![String::new()];
    for part in parts {
        let mut next = Vec::new();
        for dir in &current {
            let join = |n: &str| {
                if dir.is_empty() {
                    n.to_string()
                } else {
                    format!("{dir}/{n}")
                }
            };
            if !part.contains(['*', '?', '[']) {
                let p = join(part);
                if context.exists(&p) {
                    next.push(p);
                }
                continue;
            }
            for n in context.list(dir) {
                if glob_match(part, &n) == Some(true) {
                    next.push(join(&n));
                }
            }
            if next.len() > 300 {
                return None;
            }
        }
        current = next;
    }
    Some(current)
}

/// The new file's text, and its patterns.
fn generate(ctx: &Context, context: &BuildContext, sources: &[Source]) -> (String, Vec<String>) {
    let stack = stack(ctx, context);
    let protected = protected(ctx, context, sources);
    let probes: Vec<Probes> = protected.iter().map(|p| Probes::of(p, context)).collect();
    let mut text = String::from(
        "# Generated by dockerfix (DF102 missing-dockerignore): files the image does not need,\n\
         # kept out of the build context. Review before committing; lines are read like\n\
         # .gitignore (`**` any folders, `!` an exception). Paths the Dockerfile copies or\n\
         # mounts are never listed.\n",
    );
    let mut kept: Vec<String> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    if stack.uses_git {
        left_out.push(".git (the build uses git)".into());
    }
    for section in sections(&stack) {
        let mut lines = Vec::new();
        for pattern in section.patterns {
            if kept.iter().any(|k| k == pattern) {
                continue;
            }
            // Compiled once per pattern; one that does not compile is kept out of the file.
            let hit = match Matcher::new(&[pattern]) {
                Ok(m) => m.patterns.first().and_then(|pat| {
                    protected
                        .iter()
                        .zip(&probes)
                        .find(|(_, probe)| probe.hit_by(pat))
                        .map(|(p, _)| p)
                }),
                Err(_) => protected.first(),
            };
            if let Some(p) = hit {
                left_out.push(format!("{pattern} ({})", p.why));
                continue;
            }
            lines.push(pattern);
            kept.push(pattern.to_string());
        }
        if !lines.is_empty() {
            text.push_str(&format!("\n# {}\n", section.title));
            for l in lines {
                text.push_str(l);
                text.push('\n');
            }
        }
    }
    if !left_out.is_empty() {
        text.push_str("\n# Not listed because the build reads them:\n");
        for l in left_out {
            text.push_str(&format!("#   {l}\n"));
        }
    }
    (text, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated file for a Dockerfile in a context folder with these files.
    fn generated(files: &[(&str, &str)], dockerfile: &str) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        // Something every generated file keeps out: the rule is quiet when nothing is.
        std::fs::create_dir_all(dir.path().join(".idea")).unwrap();
        std::fs::write(dir.path().join(".idea/workspace.xml"), "<project/>\n").unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let doc = crate::syntax::parse(dockerfile).unwrap();
        let options = crate::rules::LintOptions {
            context: Some(BuildContext::new(dir.path())),
            ..Default::default()
        };
        let d = crate::rules::check_with(&doc, &|r| r.code == "DF102", options);
        let fix = d.first()?.fix.as_ref()?;
        Some(fix.files[0].content.clone())
    }

    #[test]
    fn wildcard_sources_and_git_versions() {
        // `*/package.json` matches one inside node_modules: that line goes, the rest stays.
        let files = [
            ("package.json", "{}"),
            ("app/package.json", "{}"),
            ("node_modules/package.json", "{}"),
        ];
        let text = generated(
            &files,
            "FROM node:22\nCOPY */package.json ./\nRUN npm ci\nCOPY . .\n",
        )
        .unwrap();
        assert!(!text.contains("\n**/node_modules\n"), "{text}");
        assert!(
            text.contains("#   **/node_modules (COPY */package.json)"),
            "{text}"
        );
        assert!(
            text.contains("\n.git\n") && text.contains("\n**/.env\n"),
            "{text}"
        );
        // A version read from git tags keeps `.git`; no install, no virtualenv lines.
        let files = [(
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools-scm\"]\n",
        )];
        let text = generated(&files, "FROM python:3.12\nCOPY . /src\n").unwrap();
        assert!(!text.contains("\n.git\n") && text.contains("#   .git (the build uses git)"));
        assert!(text.contains("\n**/__pycache__\n") && !text.contains("\n.venv\n"));
        // Nothing broad: silent.
        assert!(generated(&files, "FROM python:3.12\nCOPY app.py /src/\n").is_none());
        // Nothing in the context that the file would keep out: silent.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.py"), "\n").unwrap();
        let doc = crate::syntax::parse("FROM python:3.12\nCOPY . /src\n").unwrap();
        let options = crate::rules::LintOptions {
            context: Some(BuildContext::new(dir.path())),
            ..Default::default()
        };
        assert!(crate::rules::check_with(&doc, &|r| r.code == "DF102", options).is_empty());
    }

    #[test]
    fn same_file_for_every_dockerfile_of_the_context() {
        // Dockerfile.web installs node_modules; the Python Dockerfile linted here must list
        // them too: the file it creates is the one Dockerfile.web's build (and DF101's fix
        // there, which relies on node_modules being excluded) gets.
        let web = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
        let files = [
            ("package.json", "{}"),
            ("requirements.txt", "flask\n"),
            ("Dockerfile.web", web),
        ];
        let python = "FROM python:3.12\nWORKDIR /app\nCOPY . .\n";
        let text = generated(&files, python).unwrap();
        assert!(text.contains("\n**/node_modules\n"), "{text}");
    }

    #[test]
    fn other_builds_that_need_git() {
        let keeps_git = |files: &[(&str, &str)], dockerfile: &str| {
            let text = generated(files, dockerfile).unwrap();
            !text.contains("\n.git\n") && text.contains("#   .git (the build uses git)")
        };
        let python = "FROM python:3.12\nCOPY . /src\nRUN pip install /src\n";
        // Other plugins that take the version from git tags.
        for requires in [
            "poetry-dynamic-versioning",
            "setuptools-git-versioning",
            "versioningit",
            "uv-dynamic-versioning",
        ] {
            let pyproject = format!("[build-system]\nrequires = [\"{requires}\"]\n");
            assert!(
                keeps_git(&[("pyproject.toml", &pyproject)], python),
                "{requires}"
            );
        }
        // pdm-backend's own: `[tool.pdm.version] source = "scm"`.
        let pdm = "[tool.pdm.version]\nsource = \"scm\"\n";
        assert!(keeps_git(&[("pyproject.toml", pdm)], python));
        // Husky's `prepare` script fails outside a git checkout; a script that reads git.
        let node = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n";
        let husky = r#"{"scripts":{"prepare":"husky install"}}"#;
        assert!(keeps_git(&[("package.json", husky)], node));
        let sha = r#"{"scripts":{"build":"VERSION=$(git rev-parse HEAD) vite build"}}"#;
        assert!(keeps_git(&[("package.json", sha)], node));
        // The git-version crate runs `git describe` at compile time.
        let rust = "FROM rust:1.80\nCOPY . .\nRUN cargo build --release\n";
        let cargo = "[dependencies]\ngit-version = \"0.3\"\n";
        assert!(keeps_git(&[("Cargo.toml", cargo)], rust));
        // A plain project does not.
        assert!(!keeps_git(
            &[("package.json", r#"{"scripts":{"build":"vite build"}}"#)],
            node
        ));
        // A Makefile the RUN's `make` reads that stamps the version from git (miniflux), a
        // build program of the context that runs git (syncthing's `go run build.go`,
        // Tandoor's `python version.py`), Go's stamping asked for.
        let go =
            "FROM golang:1.24-alpine\nRUN apk add --no-cache git make\nWORKDIR /src\nCOPY . .\n";
        let makefile = "VERSION := $(shell git describe --tags 2>/dev/null)\nminiflux:\n\tgo build -ldflags=\"-X v=$(VERSION)\" .\n";
        let make = format!("{go}RUN make miniflux\n");
        assert!(keeps_git(&[("Makefile", makefile)], &make));
        assert!(!keeps_git(&[("Makefile", "all:\n\tgo build .\n")], &make));
        let build_go = "package main\nfunc v() { runError(\"git\", \"describe\", \"--always\") }\n";
        let run = format!("{go}RUN go run build.go -no-upgrade build syncthing\n");
        assert!(keeps_git(&[("build.go", build_go)], &run));
        assert!(!keeps_git(&[("build.go", "package main\n")], &run));
        let py = "import subprocess\nsubprocess.check_output(['git', 'show', '-s'])\n";
        let tandoor = "FROM python:3.13-alpine\nWORKDIR /opt/app\nCOPY . ./\nRUN /opt/app/venv/bin/python version.py\n";
        assert!(keeps_git(&[("version.py", py)], tandoor));
        assert!(keeps_git(
            &[],
            &format!("{go}RUN go build -buildvcs=true -o /app .\n")
        ));
        assert!(!keeps_git(
            &[],
            &format!("{go}RUN go build -buildvcs=false -o /app .\n")
        ));
    }
}
