use crate::context::{BuildContext, normalize};
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{command_words, join_path, program};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::shell::Command;
use crate::syntax::{Args, Instruction, Item, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF101",
    name: "dependency-copy-order",
    aliases: &[],
    summary: "The dependency install runs after the COPY of the whole source: copy the manifests first",
    doc: "## What it does
Flags a dependency install that runs after a COPY of the whole build context (`COPY . .`, or
of the folder that holds the manifest): `pip install -r requirements.txt` (and constraints
files), `poetry install`, `uv sync`, `pdm install`, `pipenv install`, `npm ci` / `npm install`,
`yarn install`, `pnpm install`, `go mod download`, `mvn dependency:go-offline`, `gradle
dependencies`, `bundle install`, `composer install`, `cargo fetch`. Not flagged: an install after
a copied folder of manifests only (`COPY requirements/ /requirements/`), and an install after
the source when the same tool already installed the dependencies from manifests copied on
their own (`uv sync --no-install-project`, `COPY . .`, `uv sync`: the second installs the
project itself), and an optional hook the user may add: a RUN that tests for the manifest
(`if [ -s requirements.txt ]; then pip install -r requirements.txt; fi`) where the build
context is named (`--context`, `[[contexts]]`, a compose service, a bake target) and does not
hold it: there is nothing to copy first. The default context, the Dockerfile's folder, may not
be the one the project builds with, so there it is still flagged.

## Why is this bad?
A layer is rebuilt when anything it copies changes. After `COPY . .`, every edit to any source
file invalidates the cache of every later step, so the install downloads and builds all
dependencies again on each code change. Copying only the manifests first, installing, and then
copying the source keeps the install layer cached until the manifests change.

## Example
```dockerfile
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
CMD [\"python\", \"app.py\"]
```
Use instead:
```dockerfile
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD [\"python\", \"app.py\"]
```

## Fix safety
Unsafe. The fix puts a COPY of the manifests where the whole-source COPY was (same `--chown`,
`--chmod`, `--link`) and moves the whole-source COPY right after the install RUN, so that the
WORKDIR, ENV, ARG and USER the RUN saw are still in effect. It reads the build context
(`--context`; by default the one a `[[contexts]]` entry, compose or bake gives, else the
Dockerfile's folder): only manifests that exist are copied (lockfiles, `.npmrc`, `.pnpmfile.cjs`, requirement files that a requirement file includes,
`.ruby-version` when the Gemfile reads it, Gradle's `gradle/libs.versions.toml`, Composer's
`auth.json`). Without a
context (standard input without `--context`) it copies what the command names, and optional
lockfiles with a wildcard (`poetry.lock*`) that matches nothing when they are absent.

It is withheld when the install may need more than the manifests: `pip install .` or `-e .`,
local paths in requirement files or `--find-links`, npm/yarn/pnpm workspaces and install
scripts (`preinstall`, `install`, `postinstall`, `prepare`), local `file:` dependencies, pnpm
patched dependencies, Yarn Berry projects, Go `replace` directives to local folders and
`go.work`, Maven modules, wrappers and `.mvn/` configuration, Gradle multi-project builds and
wrappers, Bundler `gemspec`/`path:` gems, Composer scripts and autoloaders, `poetry install` without `--no-root` (and the like for uv and pdm),
`cargo fetch` (Cargo needs the crate's source files to read its manifest). It is also withheld
when the RUN does anything besides installing (`npm run build`, `python manage.py ...`), when
another RUN, COPY, ADD or VOLUME stands between the COPY and the install, when a WORKDIR, ENV or
ARG between them would change what the COPY means, when the COPY uses other flags
(`--exclude`, `--parents`), and when the context holds a folder the install creates and the
source COPY would now overwrite (`node_modules`, `vendor`, `.bundle`, `.venv`, `.gradle`) that
the `.dockerignore` does not exclude. Without a context that last check cannot be made.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// A file an install step reads, as the command names it (relative to the RUN's directory,
/// or absolute).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Manifest {
    path: String,
    /// Copied only when it exists (a lockfile); without a context, as a wildcard.
    optional: bool,
}

fn req(path: &str) -> Manifest {
    Manifest {
        path: path.to_string(),
        optional: false,
    }
}

fn opt(path: &str) -> Manifest {
    Manifest {
        path: path.to_string(),
        optional: true,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Eco {
    Pip,
    Poetry,
    Uv,
    Pdm,
    Pipenv,
    Npm,
    Yarn,
    Pnpm,
    Go,
    Maven,
    Gradle,
    Bundler,
    Composer,
    Cargo,
}

/// An install step recognised in a RUN.
struct Install<'r> {
    cmd: &'r Command,
    eco: Eco,
    manifests: Vec<Manifest>,
    /// Why no fix, from the command alone.
    withhold: Option<String>,
}

/// Whether a word names a local path rather than a package (`.`, `.[dev]`, `./pkg`, `/src`, a
/// wheel or an archive file, `file:`, or a variable that may name one).
fn is_local_path(v: &str) -> bool {
    v == "."
        || v == ".."
        // `.[dev]`: the project in the current folder, with extras.
        || v.starts_with(".[")
        // `$PWD`, `${SRC}`: may name a folder of the source tree.
        || v.starts_with('$')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with('/')
        || v.starts_with("file:")
        || v.starts_with('~')
        || [".whl", ".tar.gz", ".zip", ".tgz", ".gem", ".egg"]
            .iter()
            .any(|e| v.ends_with(e))
        || v.contains('/') && !v.contains("://") && !v.contains('@')
}

/// A `pip install` (or `uv pip install`/`sync`): the manifests it reads (`-r`, `-c`), and why
/// no fix when it also installs something of the source tree.
fn pip_install<'r>(cmd: &'r Command, call: &Call<'r>) -> Option<Install<'r>> {
    let mut manifests = Vec::new();
    for names in [["-r", "--requirement"], ["-c", "--constraint"]] {
        for v in call.values_of(&names) {
            manifests.push(req(v));
        }
    }
    if manifests.is_empty() {
        return None;
    }
    // Options and operands in the order given: the last reason to withhold a fix is told.
    let mut withhold = None;
    let operands = call.inv.operands.iter().map(|&i| (i, None));
    let options = call.inv.options.iter().map(|o| (o.word, Some(o)));
    let mut items: Vec<(usize, Option<&crate::shell::programs::Opt>)> =
        operands.chain(options).collect();
    items.sort_by_key(|(i, _)| *i);
    for (i, opt) in items {
        let Some(o) = opt else {
            let v = call.words.get(i).map_or("", |w| w.value.as_str());
            if is_local_path(v) {
                withhold = Some(format!("it installs from a local path (`{v}`)"));
            }
            continue;
        };
        let named = |names: &[&str]| names.iter().any(|n| call.opt_is_named(o, n));
        let value = call.opt_value(o);
        if named(&["-e", "--editable"]) {
            withhold = Some("it installs a local project (`-e`)".to_string());
        } else if let Some(name) = ["-t", "--target", "--prefix", "--root", "--src"]
            .into_iter()
            .find(|n| call.opt_is_named(o, n))
            .filter(|_| value.is_some_and(|v| !v.starts_with('/')))
        {
            withhold = Some(format!(
                "it installs into a folder of the source tree (`{name}`)"
            ));
        } else if named(&["-f", "--find-links"]) && value.is_some_and(is_local_path) {
            withhold = Some("`--find-links` points into the build context".to_string());
        }
    }
    Some(Install {
        cmd,
        eco: Eco::Pip,
        manifests,
        withhold,
    })
}

/// The words after the program (after `-m pip` for `python -m pip`).
fn recognize(cmd: &Command) -> Option<Install<'_>> {
    let words = crate::rules::common::command_words(cmd);
    let prog = program(cmd)?;
    let args = words.get(1..).unwrap_or_default();
    // Programs with a grammar (`programs.rs`) are read by it: options that take a value are
    // told from the subcommand (`npm --prefix /app ci`). Others (mvn, gradle, pdm) by their
    // words: the first that is not an option is the subcommand.
    let call = Call::read(cmd);
    let first_operand = args.iter().position(|w| !w.value.starts_with('-'));
    let sub = match &call {
        Some(c) => c.subcommand(),
        None => first_operand.and_then(|i| args.get(i).map(|w| w.value.as_str())),
    };
    let has = |f: &str| match &call {
        Some(c) => c.has(f),
        None => args
            .iter()
            .any(|w| w.value == f || w.value.starts_with(&format!("{f}="))),
    };
    // Whether it names packages (or paths) after its subcommand.
    let names_operands = || match &call {
        Some(c) => c.operands().next().is_some(),
        None => first_operand
            .is_some_and(|i| args.iter().skip(i + 1).any(|w| !w.value.starts_with('-'))),
    };
    let simple = |eco, manifests: Vec<Manifest>, withhold: Option<String>| {
        Some(Install {
            cmd,
            eco,
            manifests,
            withhold,
        })
    };
    let is_pip = |p: &str| {
        p == "pip"
            || p.strip_prefix("pip")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    let is_python = |p: &str| {
        p == "python"
            || p.strip_prefix("python")
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    match prog {
        p if is_pip(p) || is_python(p) => {
            let call = Call::of(cmd, &programs::PIP)?;
            (call.subcommand() == Some("install")).then(|| pip_install(cmd, &call))?
        }
        "uv" => match sub? {
            "pip" => {
                let call = Call::of(cmd, &programs::UV)?;
                if !matches!(call.subcommand_at(1), Some("install" | "sync")) {
                    return None;
                }
                pip_install(cmd, &call).map(|mut inst| {
                    inst.eco = Eco::Uv;
                    inst
                })
            }
            "sync" => simple(
                Eco::Uv,
                vec![req("pyproject.toml"), opt("uv.lock")],
                (!has("--no-install-project") && !has("--no-install-workspace"))
                    .then(|| "`uv sync` also installs the project itself (add `--no-install-project`)".into()),
            ),
            _ => None,
        },
        "poetry" if sub == Some("install") => simple(
            Eco::Poetry,
            vec![req("pyproject.toml"), opt("poetry.lock"), opt("poetry.toml")],
            (!has("--no-root") && !has("--no-directory"))
                .then(|| "`poetry install` also installs the project itself (add `--no-root`)".into()),
        ),
        "pdm" if matches!(sub, Some("install" | "sync")) => simple(
            Eco::Pdm,
            vec![req("pyproject.toml"), opt("pdm.lock")],
            (!has("--no-self"))
                .then(|| "`pdm install` also installs the project itself (add `--no-self`)".into()),
        ),
        "pipenv" if matches!(sub, Some("install" | "sync")) => {
            if names_operands() {
                return None;
            }
            simple(Eco::Pipenv, vec![req("Pipfile"), opt("Pipfile.lock")], None)
        }
        "npm" if matches!(sub, Some("ci" | "install" | "i" | "clean-install")) => {
            if names_operands() {
                return None;
            }
            let withhold = if has("--prefix") || has("-w") || has("--workspace") || has("--workspaces") {
                Some("it names another folder or workspace".to_string())
            } else {
                None
            };
            simple(
                Eco::Npm,
                vec![
                    req("package.json"),
                    opt("package-lock.json"),
                    opt("npm-shrinkwrap.json"),
                    opt(".npmrc"),
                ],
                withhold,
            )
        }
        "yarn" if sub.is_none() || sub == Some("install") => {
            if sub.is_some() && names_operands() {
                return None;
            }
            let withhold = (has("--cwd") || has("--modules-folder"))
                .then(|| "it names another folder".to_string());
            simple(
                Eco::Yarn,
                vec![req("package.json"), opt("yarn.lock"), opt(".yarnrc"), opt(".npmrc")],
                withhold,
            )
        }
        "pnpm" if matches!(sub, Some("install" | "i")) => {
            if names_operands() {
                return None;
            }
            let withhold = (has("--dir") || has("-C") || has("--filter") || has("-r") || has("--recursive"))
                .then(|| "it names another folder or workspace".to_string());
            simple(
                Eco::Pnpm,
                // pnpm runs the hooks of `.pnpmfile.cjs` at install (and a frozen install
                // fails when its checksum differs from the lockfile's).
                vec![
                    req("package.json"),
                    opt("pnpm-lock.yaml"),
                    opt(".npmrc"),
                    opt(".pnpmfile.cjs"),
                ],
                withhold,
            )
        }
        "go" if sub == Some("mod") => {
            (call.as_ref()?.subcommand_at(1) == Some("download")).then_some(())?;
            let withhold = has("-modfile").then(|| "it names another go.mod".to_string());
            simple(Eco::Go, vec![req("go.mod"), opt("go.sum")], withhold)
        }
        "mvn" | "mvnw" => {
            let goals: Vec<&str> = args
                .iter()
                .map(|w| w.value.as_str())
                .filter(|v| !v.starts_with('-'))
                .collect();
            if !goals.iter().any(|g| g.starts_with("dependency:")) {
                return None;
            }
            let withhold = if prog == "mvnw" {
                Some("the Maven wrapper also needs `mvnw` and `.mvn/`".to_string())
            } else if goals.iter().any(|g| !g.contains(':')) {
                Some("it also runs build phases that read the source".to_string())
            } else if has("-f") || has("--file") {
                Some("it names another POM".to_string())
            } else {
                None
            };
            simple(Eco::Maven, vec![req("pom.xml")], withhold)
        }
        "gradle" | "gradlew" => {
            let tasks: Vec<&str> = args
                .iter()
                .map(|w| w.value.as_str())
                .filter(|v| !v.starts_with('-'))
                .collect();
            if !tasks.contains(&"dependencies") {
                return None;
            }
            let withhold = if prog == "gradlew" {
                Some("the Gradle wrapper also needs `gradlew` and `gradle/`".to_string())
            } else if tasks.iter().any(|t| *t != "dependencies") {
                Some("it also runs tasks that read the source".to_string())
            } else {
                None
            };
            simple(
                Eco::Gradle,
                vec![
                    opt("build.gradle"),
                    opt("build.gradle.kts"),
                    opt("settings.gradle"),
                    opt("settings.gradle.kts"),
                    opt("gradle.properties"),
                    // The version catalog the build scripts read as `libs`.
                    opt("gradle/libs.versions.toml"),
                ],
                withhold,
            )
        }
        "bundle" | "bundler" if sub.is_none() || sub == Some("install") => {
            let withhold = has("--gemfile").then(|| "it names another Gemfile".to_string());
            simple(Eco::Bundler, vec![req("Gemfile"), opt("Gemfile.lock")], withhold)
        }
        "composer" | "composer.phar" if sub == Some("install") => {
            let withhold = (has("-d") || has("--working-dir"))
                .then(|| "it names another folder".to_string());
            simple(
                Eco::Composer,
                vec![req("composer.json"), opt("composer.lock")],
                withhold,
            )
        }
        "cargo" if sub == Some("fetch") => simple(
            Eco::Cargo,
            vec![req("Cargo.toml"), opt("Cargo.lock")],
            Some("Cargo needs the crate's source files (`src/main.rs`, `src/lib.rs`) to read its manifest: build the dependencies from stub sources or use cargo-chef".into()),
        ),
        _ => None,
    }
}

/// Commands that may share the RUN with an install without reading the source.
fn harmless(cmd: &Command) -> bool {
    let Some(prog) = program(cmd) else {
        // Assignments only.
        return true;
    };
    let words = crate::rules::common::command_words(cmd);
    let args = words.get(1..).unwrap_or_default();
    let sub = args
        .iter()
        .find(|w| !w.value.starts_with('-'))
        .map(|w| w.value.as_str());
    let no_local = || {
        args.iter().all(|w| {
            w.value.starts_with('-') || !is_local_path(&w.value) || w.value.contains("://")
        })
    };
    match prog {
        // A package file of the source tree (`apt-get install ./vendor/x.deb`) is read.
        "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf" | "tdnf" | "zypper" => {
            !args.iter().any(|w| {
                !w.value.contains("://")
                    && [".deb", ".rpm", ".apk"]
                        .iter()
                        .any(|e| w.value.ends_with(e))
            })
        }
        "true"
        | ":"
        | "set"
        | "export"
        | "mkdir"
        | "useradd"
        | "groupadd"
        | "adduser"
        | "addgroup"
        | "update-ca-certificates" => true,
        "rm" => args.iter().all(|w| {
            w.value.starts_with('-')
                || w.value.starts_with('/')
                || w.value.starts_with('~')
                || w.value.starts_with("$HOME")
        }),
        p if p.starts_with("pip") || p.starts_with("python") => {
            // `pip install --upgrade pip`, `pip install gunicorn`, `python -m pip install
            // gunicorn`: packages by name. Another module (`python -m pytest`) reads the source.
            let python_m_pip = args.iter().position(|w| w.value == "-m").is_some_and(|m| {
                args.get(m + 1).is_some_and(|w| w.value == "pip")
                    && args.get(m + 2).is_some_and(|w| w.value == "install")
            });
            no_local()
                && !args
                    .iter()
                    .any(|w| w.value.starts_with("-c") || w.value.starts_with("--constraint"))
                && (p.starts_with("pip") && p != "pipenv" && sub == Some("install")
                    || p.starts_with("python") && python_m_pip)
        }
        "npm" => {
            // `npm install -g pm2`; not `npm install -g .` (the project itself).
            matches!(sub, Some("cache" | "config" | "set" | "install" | "i"))
                && (sub != Some("install") && sub != Some("i")
                    || args
                        .iter()
                        .any(|w| w.value == "-g" || w.value == "--global")
                        && no_local())
        }
        "yarn" => matches!(sub, Some("cache" | "config" | "global")),
        "pnpm" => matches!(sub, Some("store" | "config")),
        "corepack" | "poetry" | "bundle" | "bundler" | "gem" | "composer" | "go" | "pipenv"
        | "uv" => match prog {
            "poetry" => matches!(sub, Some("config" | "self")),
            "bundle" | "bundler" => sub == Some("config"),
            "gem" => sub == Some("install") && no_local(),
            "composer" => matches!(sub, Some("clear-cache" | "config" | "self-update")),
            "go" => matches!(sub, Some("mod" | "env" | "version")),
            "corepack" => true,
            _ => false,
        },
        _ => false,
    }
}

/// Whether an `rm` removes something under the folder the source COPY fills (`rm -rf
/// /app/tests` after `COPY . /app`): moved before that COPY, it would remove nothing and the
/// files would stay in the image.
fn removes_from_dest(cmd: &Command, dest: &str) -> bool {
    if program(cmd) != Some("rm") || dest.starts_with("<base>") {
        return false;
    }
    crate::rules::common::command_words(cmd)
        .iter()
        .skip(1)
        .any(|w| {
            let v = w.value.trim_end_matches(['*', '/']);
            v.starts_with('/')
                && (dest == "/" || crate::rules::common::is_within(&resolve("/", v), dest))
        })
}

/// A COPY of a folder of the context (the whole context, usually).
struct Broad<'a> {
    ins: &'a Instruction,
    /// Index in the stage's instructions.
    index: usize,
    /// The context folder it copies, normalised ("" for the whole context).
    src: String,
    /// Whether the source is `*` (top-level entries only).
    star: bool,
    /// Where it lands, normalised against the WORKDIR in effect.
    dest: String,
    /// The destination as written.
    dest_text: String,
    json: bool,
}

/// Joins a path to the directory in effect; a relative start stays symbolic (`<base>`).
fn resolve(cwd: &str, path: &str) -> String {
    match cwd.strip_prefix("<base>") {
        Some(rest) if !path.starts_with('/') => {
            format!("<base>{}", join_path(&format!("/{rest}"), path))
        }
        _ => join_path(cwd, path),
    }
}

fn args_of(ins: &Instruction) -> Option<(Vec<String>, bool)> {
    match &ins.node.args {
        Args::Words(w) => Some((
            w.iter()
                .map(|s| s.slice(&ins.logical).to_string())
                .collect(),
            false,
        )),
        Args::Json(a) => Some((a.iter().map(|a| a.value.clone()).collect(), true)),
        _ => None,
    }
}

fn broad_copy<'a>(
    ins: &'a Instruction,
    index: usize,
    cwd: &str,
    ctx: Option<&BuildContext>,
) -> Option<Broad<'a>> {
    if ins.kind() != Kind::Copy && ins.kind() != Kind::Add
        || ins.node.flag("from").is_some()
        || !ins.heredocs.is_empty()
    {
        return None;
    }
    let (args, json) = args_of(ins)?;
    let [src, dest] = args.as_slice() else {
        return None;
    };
    if src.contains('$') || src.contains("://") || src.starts_with("git@") {
        return None;
    }
    let star = matches!(src.as_str(), "*" | "./*");
    let folder = if star {
        String::new()
    } else {
        if src.contains(['*', '?', '[']) {
            return None;
        }
        let n = normalize(src)?;
        let is_dir = n.is_empty()
            || match ctx {
                Some(c) => c.is_dir(&n),
                None => src.ends_with('/'),
            };
        if !is_dir {
            return None;
        }
        n
    };
    Some(Broad {
        ins,
        index,
        src: folder,
        star,
        dest: resolve(cwd, dest),
        dest_text: dest.clone(),
        json,
    })
}

/// The context path of a file the RUN reads at `image_path`, if this COPY put it there.
fn context_path(b: &Broad, image_path: &str) -> Option<String> {
    let rel = image_path.strip_prefix(&b.dest)?;
    let rel = if b.dest.ends_with('/') {
        rel
    } else {
        rel.strip_prefix('/')?
    };
    if rel.is_empty() || b.star && rel.contains('/') {
        return None;
    }
    Some(if b.src.is_empty() {
        rel.to_string()
    } else {
        format!("{}/{rel}", b.src)
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let context = ctx.options.context.as_ref();
    // The lexed RUNs of each stage (they come in document order).
    let mut by_stage: Vec<Vec<&ShellRun>> = vec![Vec::new(); ctx.stages.len()];
    for r in ctx.shell_runs() {
        if let Some(runs) = by_stage.get_mut(r.stage) {
            runs.push(r);
        }
    }
    for (stage, runs) in ctx.stages.iter().zip(&by_stage) {
        if stage.from.is_none() {
            continue;
        }
        let mut cwd = "<base>".to_string();
        let mut broads: Vec<Broad> = Vec::new();
        let mut next_run = 0;
        for (i, ins) in stage.instructions.iter().enumerate() {
            match ins.kind() {
                Kind::Workdir => {
                    if let Args::Text(t) = &ins.node.args {
                        cwd = resolve(&cwd, t.slice(&ins.logical));
                    }
                }
                Kind::Copy | Kind::Add => {
                    if let Some(b) = broad_copy(ins, i, &cwd, context) {
                        broads.push(b);
                    }
                }
                Kind::Run => {
                    // The lexed RUNs are in document order: a cursor finds this one.
                    let Some(run) = runs.get(next_run).filter(|r| std::ptr::eq(r.ins, *ins)) else {
                        continue;
                    };
                    next_run += 1;
                    if !broads.is_empty() {
                        check_run(ctx, stage.instructions.as_slice(), &broads, run, &cwd, out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn check_run(
    ctx: &Context,
    instructions: &[&Instruction],
    broads: &[Broad],
    run: &ShellRun,
    cwd: &str,
    out: &mut Vec<Diagnostic>,
) {
    let context = ctx.options.context.as_ref();
    let installs: Vec<Install> = run.commands.iter().filter_map(recognize).collect();
    let Some(first) = installs.first() else {
        return;
    };
    // The latest whole-source COPY that put the first required manifest where it is read.
    let anchor = first
        .manifests
        .iter()
        .find(|m| !m.optional)
        .or(first.manifests.first())
        .map(|m| resolve(cwd, &m.path));
    let Some(anchor) = anchor else { return };
    let Some(broad) = broads
        .iter()
        .rev()
        .find(|b| context_path(b, &anchor).is_some())
    else {
        return;
    };
    // A folder of manifests copied on its own (`COPY requirements/ /requirements/`) is the
    // good order already, not the source.
    if manifest_folder(broad, context) {
        return;
    }
    // An optional hook the user may add (`if [ -s requirements.txt ]; then pip install -r
    // ...`): the RUN tests for the manifest, and the build context does not hold it, so there
    // is nothing to copy first. Only where the context is named (compose, bake, `--context`,
    // `[[contexts]]`): the default, the Dockerfile's folder, may not be the one the project
    // builds with.
    let name = anchor.rsplit('/').next().unwrap_or(&anchor);
    let tests_for_it = run.commands.iter().any(|c| {
        matches!(program(c), Some("[" | "[[" | "test"))
            && command_words(c)
                .iter()
                .any(|w| w.value.rsplit('/').next() == Some(name))
    });
    if tests_for_it
        && let Some(c) = context.filter(|c| c.is_declared())
        && context_path(broad, &anchor).is_some_and(|p| !c.exists(&p))
    {
        return;
    }
    // The dependencies were installed before the source, from manifests copied on their own,
    // by the same tool: this install after the source installs the project itself (`uv sync
    // --no-install-project` ... `COPY . .` ... `uv sync`).
    let earlier_install = ctx.shell_runs().iter().any(|r| {
        r.stage == run.stage
            && r.ins.span.start < broad.ins.span.start
            && r.commands
                .iter()
                .filter_map(recognize)
                .any(|i| !i.manifests.is_empty() && installs.iter().any(|j| j.eco == i.eco))
    });
    if earlier_install {
        return;
    }
    let body = run.script;
    let cmd_text = {
        let s = first.cmd.words.first().map(|w| w.span.start).unwrap_or(0);
        let e = first.cmd.words.last().map(|w| w.span.end).unwrap_or(0);
        body[s..e].to_string()
    };
    let copy_text = broad
        .ins
        .node
        .rest
        .slice(&broad.ins.logical)
        .trim()
        .to_string();
    let mut message = format!(
        "`{}` runs after `{} {copy_text}` (line {}): every source change re-runs it; copy the manifests first and install before the source",
        short(&cmd_text),
        broad.ins.node.keyword.slice(&broad.ins.logical),
        broad.ins.start_line
    );
    let span = run.command_span(first.cmd);
    let plan = plan_fix(ctx, instructions, broad, run, cwd, &installs, context);
    match plan {
        Ok(fix) => out.push(Diagnostic::new(&RULE, span, message).with_fix(fix)),
        Err(reason) => {
            message.push_str(&format!(" (no fix: {reason})"));
            out.push(Diagnostic::new(&RULE, span, message));
        }
    }
}

/// Whether a copied folder holds manifests only: named for them (`requirements/`,
/// `requirements.d/`), or, in the build context, only requirement and constraint files.
fn manifest_folder(b: &Broad, context: Option<&BuildContext>) -> bool {
    if b.src.is_empty() {
        return false;
    }
    let name = b.src.rsplit('/').next().unwrap_or(&b.src);
    let named = matches!(name, "requirements" | "requirements.d" | "reqs");
    let only_manifests = context.is_some_and(|c| {
        let entries = c.list(&b.src);
        !entries.is_empty()
            && entries
                .iter()
                .all(|e| e.ends_with(".txt") || e.ends_with(".in") || e.ends_with(".pip"))
    });
    named || only_manifests
}

fn short(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

fn plan_fix(
    ctx: &Context,
    instructions: &[&Instruction],
    broad: &Broad,
    run: &ShellRun,
    cwd: &str,
    installs: &[Install],
    context: Option<&BuildContext>,
) -> Result<Fix, String> {
    // The RUN: only installs and commands that cannot read the source.
    if let Some(w) = installs.iter().find_map(|i| i.withhold.clone()) {
        return Err(w);
    }
    let mut seen_install = false;
    // Where the RUN is split: the commands before stay with the install, the rest runs after
    // the source COPY (`npm ci && npm run build`).
    let mut split = None;
    for (k, cmd) in run.commands.iter().enumerate() {
        if installs.iter().any(|i| std::ptr::eq(i.cmd, cmd)) {
            seen_install = true;
            continue;
        }
        if program(cmd) == Some("cd") && !seen_install {
            return Err("the RUN changes directory before installing".into());
        }
        if !harmless(cmd) || removes_from_dest(cmd, &broad.dest) {
            let w = crate::rules::common::command_words(cmd);
            let name = w
                .iter()
                .take(3)
                .map(|w| w.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if seen_install && let Some(at) = split_point(run, k) {
                split = Some(at);
                break;
            }
            return Err(format!(
                "the RUN also runs `{}`, which may read the source",
                short(&name)
            ));
        }
    }
    let installs: Vec<&Install> = match split {
        Some(at) => installs
            .iter()
            .filter(|i| {
                run.commands
                    .iter()
                    .take(at.index)
                    .any(|c| std::ptr::eq(i.cmd, c))
            })
            .collect(),
        None => installs.iter().collect(),
    };
    for m in run.ins.node.flags.iter().filter(|f| f.name() == "mount") {
        let v = m.value().unwrap_or("");
        let bind =
            v.split(',').any(|p| p == "type=bind") && !v.split(',').any(|p| p.starts_with("from="));
        if bind {
            return Err("the RUN bind-mounts the build context".into());
        }
    }
    // The COPY: flags the manifest COPY can repeat.
    for f in &broad.ins.node.flags {
        if !matches!(f.name(), "chown" | "chmod" | "link") {
            return Err(format!("the COPY uses `--{}`", f.name()));
        }
    }
    if broad.ins.kind() == Kind::Add {
        return Err("the source is added with ADD".into());
    }
    // What stands between the COPY and the RUN must not change what the COPY does.
    let run_index = instructions
        .iter()
        .position(|i| std::ptr::eq(*i, run.ins))
        .ok_or_else(|| "internal: RUN not in its stage".to_string())?;
    let copy_has_var = broad.ins.logical.contains('$');
    let between = instructions
        .get(broad.index + 1..run_index)
        .ok_or_else(|| "internal: the COPY is not before the RUN".to_string())?;
    for ins in between {
        match ins.kind() {
            Kind::Run => {
                return Err(format!(
                    "another RUN (line {}) stands between them",
                    ins.start_line
                ));
            }
            Kind::Copy | Kind::Add => {
                return Err(format!(
                    "another {} (line {}) stands between them",
                    ins.node.keyword.slice(&ins.logical).to_ascii_uppercase(),
                    ins.start_line
                ));
            }
            Kind::Volume => return Err("a VOLUME stands between them".into()),
            Kind::Workdir if !broad.dest_text.starts_with('/') || copy_has_var => {
                return Err("a WORKDIR between them would change where the COPY lands".into());
            }
            Kind::Env | Kind::Arg if copy_has_var => {
                return Err("an ENV or ARG between them would change what the COPY means".into());
            }
            _ => {}
        }
    }
    // The manifests, as context paths.
    let mut files: Vec<String> = Vec::new();
    for inst in &installs {
        let mut list = inst.manifests.clone();
        if let Some(c) = context {
            extend_from_context(inst, &mut list, cwd, broad, c)?;
        }
        for m in &list {
            let image = resolve(cwd, &m.path);
            let Some(path) = context_path(broad, &image) else {
                if m.optional {
                    continue;
                }
                return Err(format!("`{}` does not come from this COPY", m.path));
            };
            if m.path.contains(['$', '*', '?', '[']) {
                return Err(format!("`{}` is not a literal path", m.path));
            }
            let path = match context {
                Some(c) if ignored(c, &path) => {
                    if m.optional {
                        continue;
                    }
                    return Err(format!("`{path}` is excluded by the .dockerignore"));
                }
                Some(c) if c.is_file(&path) => path,
                Some(_) if m.optional => continue,
                Some(_) => return Err(format!("`{path}` is not in the build context")),
                None if m.optional => format!("{path}*"),
                None => path,
            };
            if !files.contains(&path) {
                files.push(path);
            }
        }
    }
    if context.is_none() {
        // Without a context, an optional file is a wildcard that may match nothing; a COPY
        // needs one source that exists, which the required manifest is.
        if installs.iter().any(|i| i.eco == Eco::Gradle) && !files.iter().any(|f| !f.ends_with('*'))
        {
            return Err(
                "which Gradle build files exist is not known without a build context".into(),
            );
        }
    }
    // A folder that the install creates and the source COPY would then overwrite with the
    // context's own copy (it replaced that copy before).
    if let Some(c) = context {
        for inst in &installs {
            let dirs: &[&str] = match inst.eco {
                Eco::Npm | Eco::Yarn | Eco::Pnpm => &["node_modules"],
                Eco::Composer => &["vendor"],
                // `.bundle/config` sets where the gems go (BUNDLE_PATH) and which groups.
                Eco::Bundler => &["vendor", ".bundle"],
                Eco::Poetry | Eco::Uv | Eco::Pdm | Eco::Pipenv => &[".venv", "__pypackages__"],
                Eco::Gradle => &[".gradle"],
                _ => &[],
            };
            for dir in dirs {
                let Some(path) = context_path(broad, &resolve(cwd, dir)) else {
                    continue;
                };
                if c.is_dir(&path) && !ignored(c, &path) {
                    return Err(format!(
                        "the context's `{path}` would overwrite the installed one: exclude it in .dockerignore"
                    ));
                }
            }
        }
    }
    if context.is_none() {
        // npm's idiom: `package*.json` is package.json with whichever lockfile exists.
        let npm = ["package.json", "package-lock.json*", "npm-shrinkwrap.json*"];
        if let Some(at) = files
            .iter()
            .position(|f| f == "package.json" || f.ends_with("/package.json"))
        {
            let dir = files
                .get(at)
                .and_then(|f| f.strip_suffix("package.json"))
                .unwrap_or_default()
                .to_string();
            let names: Vec<String> = npm.iter().map(|n| format!("{dir}{n}")).collect();
            if names.iter().all(|n| files.contains(n)) {
                files.retain(|f| !names.contains(f));
                files.insert(at.min(files.len()), format!("{dir}package*.json"));
            }
        }
    }
    if files.is_empty() {
        return Err("no manifest found in the build context".into());
    }
    // Manifests an earlier COPY already puts in place (`COPY package*.json ./` above
    // `COPY . .`) are not copied again: with none left, the fix only moves the source COPY.
    files.retain(|f| !copied_earlier(instructions, broad, f));
    Ok(build_fix(ctx, broad, run, &files, split))
}

/// Whether a COPY before the broad one already puts the context file `file` where the broad
/// COPY would.
fn copied_earlier(instructions: &[&Instruction], broad: &Broad, file: &str) -> bool {
    let rel = if broad.src.is_empty() {
        file
    } else {
        file.strip_prefix(&format!("{}/", broad.src))
            .unwrap_or(file)
    };
    let target = resolve(&broad.dest, rel);
    let (file_dir, file_name) = file.rsplit_once('/').unwrap_or(("", file));
    let mut cwd = "<base>".to_string();
    for ins in instructions.iter().take(broad.index) {
        match ins.kind() {
            Kind::Workdir => {
                if let Args::Text(t) = &ins.node.args {
                    cwd = resolve(&cwd, t.slice(&ins.logical));
                }
            }
            Kind::Copy if ins.node.flag("from").is_none() && ins.heredocs.is_empty() => {
                let Some((args, _)) = args_of(ins) else {
                    continue;
                };
                let Some((dest, sources)) = args.split_last() else {
                    continue;
                };
                let dest_path = resolve(&cwd, dest);
                for src in sources {
                    let Some(n) = normalize(src) else { continue };
                    let (dir, name) = n.rsplit_once('/').unwrap_or(("", n.as_str()));
                    let glob = name.contains(['*', '?', '[']);
                    let matches = dir == file_dir
                        && (name == file_name
                            || glob
                                && crate::dockerignore::glob_match(name, file_name) == Some(true));
                    let into_folder =
                        dest.ends_with('/') || dest == "." || sources.len() > 1 || glob;
                    let lands = if into_folder {
                        resolve(&dest_path, file_name)
                    } else {
                        dest_path.clone()
                    };
                    if matches && lands == target {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether the build context's ignore file excludes a path (so the build never sees it).
fn ignored(c: &BuildContext, path: &str) -> bool {
    c.dockerignore()
        .and_then(|(_, text)| crate::dockerignore::Matcher::parse(&text).ok())
        .is_some_and(|m| m.excluded(path).is_some())
}

/// Reads the manifests in the context: requirement files that include others, and what makes
/// the install read more than the manifests.
fn extend_from_context(
    inst: &Install,
    list: &mut Vec<Manifest>,
    cwd: &str,
    broad: &Broad,
    c: &BuildContext,
) -> Result<(), String> {
    let ctx_path = |m: &str| context_path(broad, &resolve(cwd, m));
    match inst.eco {
        Eco::Pip | Eco::Uv
            if inst.eco == Eco::Pip || !list.iter().any(|m| m.path == "pyproject.toml") =>
        {
            // Requirement files may include others (`-r base.txt`), relative to themselves.
            let mut i = 0;
            while let Some(m) = list.get(i).cloned() {
                i += 1;
                let Some(path) = ctx_path(&m.path) else {
                    continue;
                };
                let Some(text) = c.read(&path) else { continue };
                let dir = m
                    .path
                    .rsplit_once('/')
                    .map(|(d, _)| d.to_string())
                    .unwrap_or_default();
                for line in text.lines() {
                    let line = line.split(" #").next().unwrap_or("").trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    let mut parts = line.split_whitespace();
                    let head = parts.next().unwrap_or("");
                    let (opt, value) = match head {
                        "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
                        | "-f" | "--find-links" => (head, parts.next().unwrap_or("").to_string()),
                        h => match [
                            "--requirement=",
                            "--constraint=",
                            "--editable=",
                            "--find-links=",
                        ]
                        .iter()
                        .find(|p| h.starts_with(*p))
                        {
                            Some(p) => (&p[..p.len() - 1], h[p.len()..].to_string()),
                            None => ("", h.to_string()),
                        },
                    };
                    match opt {
                        "-r" | "--requirement" | "-c" | "--constraint" => {
                            let p = if value.starts_with('/') || dir.is_empty() {
                                value
                            } else {
                                format!("{dir}/{value}")
                            };
                            if !list.iter().any(|m| m.path == p) {
                                list.push(req(&p));
                            }
                        }
                        "-e" | "--editable" => {
                            if is_local_path(&value) {
                                return Err(format!(
                                    "`{path}` installs a local project (`-e {value}`)"
                                ));
                            }
                        }
                        "-f" | "--find-links" => {
                            if is_local_path(&value) && !value.contains("://") {
                                return Err(format!("`{path}` finds packages in a local folder"));
                            }
                        }
                        _ => {
                            let v = value.split(';').next().unwrap_or("").trim();
                            if is_local_path(v) && !v.contains("://")
                                || v.contains("@ file:")
                                || line.contains(" @ file:")
                            {
                                return Err(format!("`{path}` names a local path (`{v}`)"));
                            }
                        }
                    }
                }
            }
        }
        Eco::Uv | Eco::Poetry | Eco::Pdm => {
            if let Some(text) = ctx_path("pyproject.toml").and_then(|p| c.read(&p))
                && (text.contains("[tool.uv.workspace]")
                    || text.contains("path = \"")
                    || text.contains("path=\""))
            {
                return Err("pyproject.toml names local path dependencies or a workspace".into());
            }
        }
        Eco::Pipenv => {
            if let Some(text) = ctx_path("Pipfile").and_then(|p| c.read(&p))
                && (text.contains("path = ") || text.contains("editable = true"))
            {
                return Err("the Pipfile names a local path".into());
            }
        }
        Eco::Npm | Eco::Yarn | Eco::Pnpm => {
            let Some(text) = ctx_path("package.json").and_then(|p| c.read(&p)) else {
                return Ok(());
            };
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|_| "package.json does not parse".to_string())?;
            if json.get("workspaces").is_some() {
                return Err("package.json declares workspaces".into());
            }
            if json
                .get("pnpm")
                .is_some_and(|p| p.get("patchedDependencies").is_some())
                || json.get("patchedDependencies").is_some()
            {
                return Err(
                    "package.json patches dependencies with files of the source tree".into(),
                );
            }
            let ignore_scripts = inst.cmd.words.iter().any(|w| w.value == "--ignore-scripts");
            if !ignore_scripts
                && let Some(scripts) = json.get("scripts").and_then(|s| s.as_object())
            {
                for s in [
                    "preinstall",
                    "install",
                    "postinstall",
                    "prepare",
                    "prepublish",
                ] {
                    if scripts.contains_key(s) {
                        return Err(format!(
                            "package.json has a `{s}` script, which may read the source"
                        ));
                    }
                }
            }
            for section in ["dependencies", "devDependencies", "optionalDependencies"] {
                if let Some(deps) = json.get(section).and_then(|d| d.as_object()) {
                    for (name, v) in deps {
                        let v = v.as_str().unwrap_or("");
                        if v.starts_with("file:")
                            || v.starts_with("link:")
                            || v.starts_with("workspace:")
                            || v.starts_with("portal:")
                            || v.starts_with('.')
                            || v.starts_with('/')
                        {
                            return Err(format!("the dependency `{name}` is a local path"));
                        }
                    }
                }
            }
            if inst.eco == Eco::Yarn && ctx_path(".yarnrc.yml").is_some_and(|p| c.is_file(&p)) {
                return Err("a Yarn Berry project also needs `.yarnrc.yml` and `.yarn/`".into());
            }
            if inst.eco == Eco::Pnpm
                && ctx_path("pnpm-workspace.yaml").is_some_and(|p| c.is_file(&p))
            {
                return Err("pnpm-workspace.yaml declares a workspace".into());
            }
        }
        Eco::Go => {
            if ctx_path("go.work").is_some_and(|p| c.is_file(&p)) {
                return Err("a go.work file makes it a workspace".into());
            }
            if let Some(text) = ctx_path("go.mod").and_then(|p| c.read(&p))
                && text.lines().any(|l| {
                    l.contains("=>")
                        && (l.contains("=> ./") || l.contains("=> ../") || l.contains("=> /"))
                })
            {
                return Err("go.mod replaces a module with a local folder".into());
            }
        }
        Eco::Maven => {
            if let Some(text) = ctx_path("pom.xml").and_then(|p| c.read(&p))
                && text.contains("<modules>")
            {
                return Err("the POM has modules".into());
            }
            if ctx_path(".mvn").is_some_and(|p| c.is_dir(&p)) {
                return Err("`.mvn/` configures Maven (maven.config, extensions.xml)".into());
            }
        }
        Eco::Gradle => {
            for f in ["settings.gradle", "settings.gradle.kts"] {
                if let Some(text) = ctx_path(f).and_then(|p| c.read(&p))
                    && text.contains("include")
                {
                    return Err("a multi-project Gradle build".into());
                }
            }
            if ctx_path("buildSrc").is_some_and(|p| c.is_dir(&p)) {
                return Err("the build has a buildSrc folder".into());
            }
        }
        Eco::Bundler => {
            if let Some(text) = ctx_path("Gemfile").and_then(|p| c.read(&p)) {
                if text.lines().any(|l| {
                    let l = l.trim();
                    !l.starts_with('#')
                        && (l.starts_with("gemspec")
                            || l.contains("path:")
                            || l.contains(":path")
                            || l.starts_with("eval_gemfile"))
                }) {
                    return Err("the Gemfile names local gems (`gemspec`, `path:`)".into());
                }
                // `ruby file: ".ruby-version"`, `File.read(".ruby-version")`.
                for f in [".ruby-version", ".tool-versions"] {
                    if text.contains(f) && !list.iter().any(|m| m.path == f) {
                        list.push(opt(f));
                    }
                }
            }
        }
        Eco::Composer => {
            // A project's `auth.json` holds the credentials of private repositories.
            if ctx_path("auth.json").is_some_and(|p| c.is_file(&p)) {
                list.push(opt("auth.json"));
            }
            if let Some(text) = ctx_path("composer.json").and_then(|p| c.read(&p)) {
                let json: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|_| "composer.json does not parse".to_string())?;
                let words = &inst.cmd.words;
                let has = |f: &str| words.iter().any(|w| w.value == f);
                if json.get("scripts").is_some() && !has("--no-scripts") {
                    return Err("composer.json has scripts (add `--no-scripts`)".into());
                }
                if json.get("autoload").is_some() && !has("--no-autoloader") {
                    return Err("the autoloader reads the source (add `--no-autoloader` and dump it after the COPY)".into());
                }
                if json
                    .get("repositories")
                    .is_some_and(|r| r.to_string().contains("\"path\""))
                {
                    return Err("composer.json names a path repository".into());
                }
            }
        }
        Eco::Cargo | Eco::Pip => {}
    }
    Ok(())
}

/// Where a RUN can be split before command `k`: the commands before it are a plain `&&`
/// chain at the top level with no state the rest could rely on (`export`, `set`, `cd`...),
/// and nothing but `&&`, blanks and line continuations stands between them.
#[derive(Clone, Copy, Debug)]
struct Split {
    /// The first command that runs after the source COPY.
    index: usize,
    /// Logical offsets in the RUN's body: where the first part ends, where the rest starts.
    prefix_end: usize,
    rest_start: usize,
}

fn split_point(run: &ShellRun, k: usize) -> Option<Split> {
    // A heredoc script is one file the shell runs: not split into two RUNs.
    if run.heredoc.is_some() {
        return None;
    }
    let body = run.script;
    let cmds = &run.commands;
    let span = |c: &Command| -> Option<(usize, usize)> {
        let first = c.assignments.first().or(c.words.first())?;
        Some((first.span.start, c.words.last().unwrap_or(first).span.end))
    };
    let mut prev_end = 0;
    for (i, c) in cmds.get(..=k)?.iter().enumerate() {
        if !c.keywords.is_empty() {
            return None;
        }
        let (start, end) = span(c)?;
        let gap = body.get(prev_end..start)?.trim();
        if i == 0 && !gap.is_empty() || i > 0 && gap != "&&" {
            return None;
        }
        if i < k {
            if c.separator != crate::shell::Separator::And {
                return None;
            }
            if matches!(
                program(c),
                Some(
                    "export"
                        | "set"
                        | "cd"
                        | "source"
                        | "."
                        | "umask"
                        | "alias"
                        | "shopt"
                        | "unset"
                )
            ) {
                return None;
            }
        }
        prev_end = end;
    }
    let (_, prefix_end) = span(cmds.get(k.checked_sub(1)?)?)?;
    let (rest_start, _) = span(cmds.get(k)?)?;
    // Comment lines inside the continuation between the two parts would be lost.
    let cut = run.source_offset_end(prefix_end);
    let rest = run.source_offset(rest_start);
    if run
        .ins
        .inner_comments
        .iter()
        .any(|c| c.start < rest && c.end > cut)
    {
        return None;
    }
    Some(Split {
        index: k,
        prefix_end: run.rest.start + prefix_end,
        rest_start: run.rest.start + rest_start,
    })
}

/// How an instruction starts, to write another like it: its indentation, its keyword as
/// written, and its flags as written (each followed by a space).
fn head_parts<'t>(text: &'t str, ins: &'t Instruction) -> (&'t str, &'t str, String) {
    let own = &text[ins.span.start..];
    let indent = &own[..own.len() - own.trim_start_matches([' ', '\t']).len()];
    let flags = ins
        .node
        .flags
        .iter()
        .map(|f| format!("{} ", f.span.slice(&ins.logical)))
        .collect();
    (indent, ins.node.keyword.slice(&ins.logical), flags)
}

/// The edits: the manifest COPY where the broad COPY was, and the broad COPY (with the comment
/// lines right above it) after the RUN.
fn build_fix(
    ctx: &Context,
    broad: &Broad,
    run: &ShellRun,
    files: &[String],
    split: Option<Split>,
) -> Fix {
    let doc = ctx.doc;
    let text = doc.text.as_str();
    // The broad COPY and the comment lines right above it.
    let item = doc
        .items
        .iter()
        .position(|it| matches!(it, Item::Instruction(i) if std::ptr::eq(&**i, broad.ins)))
        .unwrap_or(0);
    let mut start = broad.ins.span.start;
    for it in doc.items.iter().take(item).rev() {
        match it {
            Item::Comment(s) => start = s.start,
            _ => break,
        }
    }
    let block = &text[start..broad.ins.span.end];
    let nl = if block.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let (indent, keyword, flags) = head_parts(text, broad.ins);
    // One COPY per folder, so that `requirements/base.txt` keeps its place next to the file
    // that includes it.
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for f in files {
        let rel = if broad.src.is_empty() {
            f.as_str()
        } else {
            &f[broad.src.len() + 1..]
        };
        let dir = rel
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        match groups.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, v)) => v.push(f),
            None => groups.push((dir, vec![f])),
        }
    }
    let mut copies = String::new();
    for (dir, sources) in &groups {
        let base = broad.dest_text.as_str();
        let dest = if dir.is_empty() {
            if sources.len() == 1 && (base == "." || base.ends_with('/')) {
                base.to_string()
            } else if base == "." {
                "./".to_string()
            } else if base.ends_with('/') {
                base.to_string()
            } else {
                format!("{base}/")
            }
        } else {
            format!("{}/{dir}/", base.trim_end_matches('/'))
        };
        let args = if broad.json {
            let all: Vec<String> = sources
                .iter()
                .map(|s| s.to_string())
                .chain(std::iter::once(dest))
                .map(|s| serde_json::to_string(&s).unwrap_or_default())
                .collect();
            format!("[{}]", all.join(", "))
        } else {
            let mut v: Vec<&str> = sources.clone();
            v.push(&dest);
            v.join(" ")
        };
        copies.push_str(&format!("{indent}{keyword} {flags}{args}{nl}"));
    }
    // The comment lines above the COPY move with it; the manifest COPY takes its place (none
    // when an earlier COPY has put the manifests in place already).
    let listed = files.join(" ");
    let copy_edit = Edit::replace(Span::new(start, broad.ins.span.end), copies);
    if let Some(sp) = split {
        // `RUN a && b` becomes `RUN a`, the source COPY, `RUN b` (same RUN flags).
        let cut = run.ins.source_offset_end(sp.prefix_end);
        let rest = run.ins.source_offset(sp.rest_start);
        let head_end = run.ins.head_span().end;
        let (run_indent, run_keyword, run_flags) = head_parts(text, run.ins);
        let run_nl = if text[..run.ins.span.end].ends_with("\r\n") {
            "\r\n"
        } else {
            nl
        };
        let second = format!(
            "{run_nl}{block}{run_indent}{run_keyword} {run_flags}{}",
            &text[rest..head_end]
        );
        return Fix::unsafe_(
            if files.is_empty() {
                "Install first (the manifests are copied already), then copy the source and run the rest".to_string()
            } else {
                format!("Copy {listed} first, install, then copy the source and run the rest")
            },
            vec![copy_edit, Edit::replace(Span::new(cut, head_end), second)],
        );
    }
    let run_end = run.ins.span.end;
    let moved = if text[..run_end].ends_with('\n') {
        block.to_string()
    } else {
        format!("{nl}{}", block.trim_end_matches(['\n', '\r']))
    };
    Fix::unsafe_(
        if files.is_empty() {
            "Copy the source after the install (the manifests are copied already)".to_string()
        } else {
            format!("Copy {listed} first and the source after the install")
        },
        vec![copy_edit, Edit::insert(run_end, moved)],
    )
}
