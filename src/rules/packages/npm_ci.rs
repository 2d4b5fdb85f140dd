use crate::context::BuildContext;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{
    command_words, env_before, folders, instructions_before, join_path, program, stage_chain,
    word_span, workdir_at,
};
use crate::rules::{Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun};
use crate::shell::{Command, Word};
use crate::syntax::{Args, Instruction, Kind};

pub static RULE: Rule = Rule {
    code: "DF209",
    name: "npm-ci",
    aliases: &[],
    summary: "npm install where a lockfile exists; dev dependencies in the final stage",
    doc: "## What it does
Two checks on Node.js installs in RUN:

1. `npm install` (also `npm i`, `npm install --production`) without package names, in a folder
   where an earlier `COPY` of the stage (or a stage it is built on) put a lockfile
   (`package-lock.json` or `npm-shrinkwrap.json`). With a build context the rule looks in the
   context: `COPY . .` brings a lockfile when the copied folder has one, `COPY package*.json ./`
   when one matches (and the `.dockerignore` does not exclude it). Without one (standard input without `--context`) it counts only COPYs
   that name the lockfile or `package*.json`. Likewise `yarn install` (or a bare `yarn`)
   without `--frozen-lockfile`/`--immutable` where `yarn.lock` was copied, and `pnpm install`
   without `--frozen-lockfile` where `pnpm-lock.yaml` was copied (unless `CI` is set to a true
   value, by `ENV` or on the command: pnpm installs frozen by default there).
2. `npm ci`, `npm install`, `yarn install` or `pnpm install` (without package names) that
   installs dev dependencies in the shipped image: the RUN is in
   the last stage (or a stage it is built on, or a stage whose `node_modules` the last stage
   copies), the image starts the app (`CMD`/`ENTRYPOINT` running `node`, `npm start`,
   `yarn start`, `pm2-runtime`...), and nothing turns dev dependencies off: no `--omit=dev`,
   `--production`, `--only=prod`, `--prod`, no `NODE_ENV=production` from `ENV`/`ARG` or on
   the command,
   no later `npm prune --production`. Quiet when a build step follows the install in the
   shipped stages (`npm run build`, `tsc`, `ng build`...): it needs the dev dependencies (a
   multi-stage build is DF212's advice).

## Why is this bad?
`npm install` resolves the version ranges of `package.json` again and may rewrite the lockfile,
so two builds of the same commit can install different code. `npm ci` installs exactly what the
lockfile says, is faster, and fails when the lockfile and `package.json` disagree, which is what
a reproducible build wants. Dev dependencies (test runners, bundlers, type checkers) in the
image that runs the app make it larger and widen its attack surface for nothing.

## Example
```dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install
COPY . .
CMD [\"node\", \"server.js\"]
```
Use instead:
```dockerfile
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
CMD [\"node\", \"server.js\"]
```

## Fix safety
Both fixes are Unsafe. `npm ci` deletes `node_modules` first and fails where the lockfile and
`package.json` disagree, where `npm install` would have updated the lockfile; yarn's and pnpm's
frozen-lockfile options fail the same way. `--omit=dev` (`--production` on Node.js 14 and older
base images, whose npm 6 does not know `--omit`) leaves out packages the app might use at run
time if they were declared as dev dependencies by mistake; Yarn 1 takes `--production`, pnpm
`--prod`, and Yarn 2 or newer has no such flag (`yarn workspaces focus --production`: no fix).
The dev-dependency fix is offered
only when no `npm run`, `npx`, `yarn` or `pnpm` script runs after the install in the shipped
stages (such a script may need dev dependencies), and not when the app's start command (the
`CMD`, or the `start` script of the `package.json` the install read from the build context) runs
a package listed under `devDependencies` (`nodemon`, `ts-node`): that one has to move to
`dependencies` first.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Npm,
    Yarn,
    Pnpm,
}

impl Tool {
    fn lockfiles(self) -> &'static [&'static str] {
        match self {
            Tool::Npm => &["package-lock.json", "npm-shrinkwrap.json"],
            Tool::Yarn => &["yarn.lock"],
            Tool::Pnpm => &["pnpm-lock.yaml"],
        }
    }
}

/// npm's subcommand names that mean `install` (its aliases and the typos it accepts).
const NPM_INSTALL: &[&str] = &[
    "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall",
];
/// npm's names for `ci`.
const NPM_CI: &[&str] = &[
    "ci",
    "clean-install",
    "ic",
    "install-clean",
    "isntall-clean",
];

/// A Node.js install command: the tool, its subcommand word (None for a bare `yarn`), and the
/// words after it.
struct Install<'c> {
    tool: Tool,
    /// The program word.
    program: &'c Word,
    sub: Option<&'c Word>,
    /// Whether it is `npm ci` (already locked).
    ci: bool,
    /// Whether it names packages (or paths) after the subcommand.
    operands: bool,
}

fn install(cmd: &Command) -> Option<Install<'_>> {
    let call = Call::read(cmd)?;
    let tool = match call.grammar().name {
        "npm" => Tool::Npm,
        "yarn" => Tool::Yarn,
        "pnpm" => Tool::Pnpm,
        _ => return None,
    };
    let sub = call.subcommand_word(0);
    let (ci, ok) = match (tool, sub.map(|w| w.value.as_str())) {
        (Tool::Npm, Some(s)) if NPM_CI.contains(&s) => (true, true),
        (Tool::Npm, Some(s)) => (false, NPM_INSTALL.contains(&s)),
        (Tool::Yarn, None) => (false, true),
        (Tool::Yarn, Some(s)) => (false, s == "install"),
        (Tool::Pnpm, Some(s)) => (false, s == "install" || s == "i"),
        _ => (false, false),
    };
    let informational = call.words.iter().skip(call.inv.start + 1).any(|w| {
        matches!(
            w.value.as_str(),
            "--version" | "-v" | "-V" | "--help" | "-h"
        )
    });
    if !ok || informational || sub.is_some_and(|s| s.complex) {
        return None;
    }
    Some(Install {
        tool,
        program: call.program_word()?,
        sub,
        ci,
        operands: call.operands().next().is_some(),
    })
}

impl Install<'_> {
    /// Options anywhere on the command line (npm takes them before or after the subcommand).
    fn has(&self, cmd: &Command, pred: &dyn Fn(&str) -> bool) -> bool {
        command_words(cmd)
            .iter()
            .skip(1)
            .any(|w| pred(w.value.as_str()))
    }

    /// Package names (or paths) after the subcommand: then it is not a project install.
    fn has_operands(&self) -> bool {
        self.operands
    }
}

/// Whether the command says what to do with dev dependencies: leaves them out
/// (`--omit=dev`, `--production`, `--only=prod`) or asks for them on purpose (`--include=dev`).
fn omits_dev(cmd: &Command) -> bool {
    let words = command_words(cmd);
    let call = Call::read(cmd);
    let values = |name: &str, pred: &dyn Fn(&str) -> bool| {
        call.as_ref().is_some_and(|c| c.values(name).any(pred))
    };
    words.iter().any(|w| {
        let v = w.value.as_str();
        matches!(v, "--production" | "--prod" | "-P" | "--production=true")
    }) || values("--omit", &|v| v.split(',').any(|x| x == "dev"))
        || values("--only", &|v| v.starts_with("prod"))
        || values("--include", &|v| v.contains("dev"))
}

/// The value `NODE_ENV` has for a command: its own assignment, an `export` before it in the
/// RUN, or the last `ENV`/`ARG` of its stages.
fn node_env(ctx: &Context, run: &ShellRun, index: usize) -> Option<String> {
    let assigned = |w: &Word| {
        w.value
            .strip_prefix("NODE_ENV=")
            .map(|v| v.trim_matches(['"', '\'']).to_string())
    };
    let cmd = run.commands.get(index)?;
    if let Some(v) = cmd.assignments.iter().rev().find_map(assigned) {
        return Some(v);
    }
    if let Some(v) = run
        .commands
        .iter()
        .take(index)
        .rev()
        .filter(|c| c.program() == Some("export"))
        .find_map(|c| c.words.iter().skip(1).rev().find_map(assigned))
    {
        return Some(v);
    }
    env_before(ctx, run.stage, run.ins, "NODE_ENV")
        .map(|v| v.unwrap_or("").trim_matches(['"', '\'']).to_string())
}

/// The sources and destination of a COPY/ADD from the build context (not `--from`).
fn context_copy(ins: &Instruction) -> Option<(Vec<String>, String)> {
    if !matches!(ins.kind(), Kind::Copy | Kind::Add) || ins.node.flag("from").is_some() {
        return None;
    }
    let mut all: Vec<String> = match &ins.node.args {
        Args::Words(w) => w
            .iter()
            .map(|s| s.slice(&ins.logical).to_string())
            .collect(),
        Args::Json(a) => a.iter().map(|a| a.value.clone()).collect(),
        _ => return None,
    };
    let dest = all.pop()?;
    (!all.is_empty()).then_some((all, dest))
}

/// Whether the build context's ignore file excludes a path.
fn ignored(c: &BuildContext, path: &str) -> bool {
    c.dockerignore()
        .and_then(|(_, text)| crate::dockerignore::Matcher::parse(&text).ok())
        .is_some_and(|m| m.excluded(path).is_some())
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn glob_matches(pattern: &str, name: &str) -> bool {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(name))
}

/// Whether an earlier COPY of the run's stages put one of the named files (a lockfile,
/// `package.json`) in `cwd` (an absolute folder, or one relative to the base image's unknown
/// WORKDIR): `Some` with its path in the build context when the context tells, `None` when no
/// COPY brought one. The last COPY that brings one wins.
fn copied_file(
    ctx: &Context,
    run: &ShellRun,
    cwd: &str,
    names: &[&str],
    context: Option<&BuildContext>,
) -> Option<Option<String>> {
    let mut workdir = String::new();
    let mut found = None;
    for ins in instructions_before(ctx, run) {
        if let (Kind::Workdir, Args::Text(t)) = (ins.kind(), &ins.node.args) {
            let v = t.slice(&ins.logical).trim_matches(['"', '\'']);
            workdir = if v.contains('$') {
                // Unknown from here on: nothing matches a folder we cannot name.
                "\u{0}".into()
            } else {
                join_path(&workdir, v)
            };
            continue;
        }
        let Some((sources, dest)) = context_copy(ins) else {
            continue;
        };
        if dest.contains('$') || workdir.starts_with('\u{0}') {
            continue;
        }
        let dest_path = join_path(&workdir, &dest);
        let into_dir = dest.ends_with('/')
            || dest == "."
            || dest.ends_with("/.")
            || sources.len() > 1
            || sources.iter().any(|s| has_glob(s));
        for src in sources.iter().filter(|s| !s.contains('$')) {
            let trimmed = src.trim_end_matches('/');
            let name = trimmed.rsplit('/').next().unwrap_or(trimmed);
            let parent = trimmed.rsplit_once('/').map_or("", |(p, _)| p);
            // A file the `.dockerignore` excludes is not sent: the build does not have it.
            let in_context = |rel: &str| {
                let rel = join_path("", rel);
                context.map(|c| (c.is_file(&rel) && !ignored(c, &rel), rel))
            };
            for file in names {
                if name == *file {
                    // The file itself.
                    let dir = if into_dir || join_path("", &dest).rsplit('/').next() != Some(file) {
                        dest_path.clone()
                    } else {
                        match dest_path.rsplit_once('/') {
                            Some(("", _)) => "/".to_string(),
                            Some((p, _)) => p.to_string(),
                            None => String::new(),
                        }
                    };
                    if dir == cwd {
                        found = Some(in_context(trimmed).map(|(_, rel)| rel));
                    }
                } else if has_glob(name) && glob_matches(name, file) {
                    // `package*.json`: with a context, only if the file is there.
                    let there = match in_context(&join_path(parent, file)) {
                        Some((true, rel)) => Some(Some(rel)),
                        Some((false, _)) => None,
                        None => ["package", "lock", "yarn", "pnpm"]
                            .iter()
                            .any(|k| name.contains(k))
                            .then_some(None),
                    };
                    if there.is_some() && dest_path == cwd {
                        found = there;
                    }
                } else if let Some(c) = context
                    && !has_glob(src)
                    && c.is_dir(if trimmed.is_empty() { "." } else { trimmed })
                {
                    // A folder: its contents land in the destination.
                    let sub = if cwd == dest_path {
                        Some("")
                    } else {
                        cwd.strip_prefix(&format!("{}/", dest_path.trim_end_matches('/')))
                    };
                    if let Some(sub) = sub
                        && let Some((true, rel)) =
                            in_context(&join_path(&join_path(trimmed, sub), file))
                    {
                        found = Some(Some(rel));
                    }
                }
            }
        }
    }
    found
}

/// The folder command `index` of a run works in (absolute, or relative to the base image's
/// WORKDIR), with `--prefix`/`--cwd`/`--dir`/`-C` applied; `None` when unknown.
fn command_folder(ctx: &Context, run: &ShellRun, index: usize) -> Option<String> {
    let workdir = workdir_at(ctx, run.stage, run.ins);
    let cwds = folders(&run.commands, workdir.as_deref());
    let cwd = cwds.get(index)?.clone()?;
    let call = run.call(index)?;
    let moved = ["--prefix", "--cwd", "--dir", "-C"]
        .iter()
        .find_map(|o| call.values(o).next());
    match moved {
        Some(d) if d.contains('$') => None,
        Some(d) => Some(join_path(&cwd, d)),
        None => Some(cwd),
    }
}

/// The shipped image of a file that starts a Node.js app.
struct Shipped {
    /// The stages whose files end up in it ([`shipped_stages`]).
    stages: Vec<usize>,
    /// Its start command ([`app_command`]).
    app: Vec<String>,
}

/// The stages whose files end up in the shipped image: the last stage and those it is built
/// on, and the stages (with theirs) whose `node_modules` it copies.
fn shipped_stages(ctx: &Context) -> Vec<usize> {
    let last = ctx.stages.len().saturating_sub(1);
    if last == 0 {
        return Vec::new();
    }
    let mut shipped = stage_chain(ctx, last);
    for &s in shipped.clone().iter() {
        for ins in ctx.stages.get(s).into_iter().flat_map(|s| &s.instructions) {
            let Some(from) = ins.node.flag("from").and_then(|f| f.value()) else {
                continue;
            };
            if ins.kind() != Kind::Copy || !ctx.doc.slice(ins.span).contains("node_modules") {
                continue;
            }
            let named = ctx
                .stages
                .iter()
                .enumerate()
                .skip(1)
                .find_map(|(i, stage)| {
                    let f = stage.from?;
                    let Args::Words(w) = &f.node.args else {
                        return None;
                    };
                    let by_name = matches!(
                        w.as_slice(),
                        [_, _, name] if name.slice(&f.logical).eq_ignore_ascii_case(from)
                    );
                    (by_name
                        || from
                            .parse::<usize>()
                            .is_ok_and(|n| n.checked_add(1) == Some(i)))
                    .then_some(i)
                });
            if let Some(n) = named {
                shipped.extend(stage_chain(ctx, n));
            }
        }
    }
    shipped
}

/// How the shipped image starts the app, when it does: the words of its `ENTRYPOINT` and `CMD`
/// from the program on (after wrappers such as `tini` or `docker-entrypoint.sh`), when that runs
/// `node`, `npm start`, `yarn start`, `pm2-runtime`...
fn app_command(ctx: &Context) -> Option<Vec<String>> {
    let chain = stage_chain(ctx, ctx.stages.len().checked_sub(1)?);
    let last_of = |kind: Kind| {
        chain.iter().find_map(|&s| {
            ctx.stages
                .get(s)?
                .instructions
                .iter()
                .rfind(|i| i.kind() == kind)
                .copied()
        })
    };
    let words = |ins: Option<&Instruction>| -> Vec<String> {
        match ins.map(|i| (&i.node.args, i)) {
            Some((Args::Json(a), _)) => a.iter().map(|a| a.value.clone()).collect(),
            Some((Args::Text(t), i)) => t
                .slice(&i.logical)
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut all = words(last_of(Kind::Entrypoint));
    all.extend(words(last_of(Kind::Cmd)));
    let skip = all
        .iter()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .take_while(|w| {
            matches!(
                *w,
                "tini" | "dumb-init" | "--" | "docker-entrypoint.sh" | "entrypoint.sh" | "exec"
            ) || w.starts_with('-')
        })
        .count();
    let command: Vec<String> = all.into_iter().skip(skip).collect();
    let base = |i: usize| {
        command
            .get(i)
            .map(|w| w.rsplit('/').next().unwrap_or(w).to_string())
    };
    let starts = match base(0).as_deref() {
        // `node` alone is a REPL (the official image's CMD), not an app.
        Some("node" | "nodejs" | "pm2-runtime") => {
            command.iter().skip(1).any(|w| !w.starts_with('-'))
        }
        Some("npm" | "yarn" | "pnpm") => matches!(
            (base(1).as_deref(), base(2).as_deref()),
            (Some("start"), _) | (Some("run" | "run-script"), Some("start"))
        ),
        _ => false,
    };
    starts.then_some(command)
}

/// A dev dependency the app's start command uses (`nodemon server.js`, `"start": "ts-node
/// src/main.ts"`), from the `package.json` the install read: then leaving dev dependencies out
/// breaks the app.
fn start_uses_dev_dependency(package_json: &str, command: &[String]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(package_json).ok()?;
    let dev = json.get("devDependencies")?.as_object()?;
    let mut words: Vec<String> = command.to_vec();
    let npm_start = matches!(
        command.first().map(|w| w.rsplit('/').next().unwrap_or(w)),
        Some("npm" | "yarn" | "pnpm")
    );
    if npm_start
        && let Some(script) = json
            .get("scripts")
            .and_then(|s| s.get("start"))
            .and_then(|s| s.as_str())
    {
        words.extend(script.split_whitespace().map(str::to_string));
    }
    // Programs whose package has another name.
    let package_of = |bin: &str| {
        match bin {
            "tsc" => "typescript",
            "nest" => "@nestjs/cli",
            "ng" => "@angular/cli",
            other => other,
        }
        .to_string()
    };
    words.iter().find_map(|w| {
        let w = w.trim_matches(['"', '\'', '(', ')', ';']);
        let bin = w.rsplit("node_modules/.bin/").next().unwrap_or(w);
        // `node -r ts-node/register`: the package is the first path segment(s).
        let pkg = if bin.starts_with('@') {
            bin.splitn(3, '/').take(2).collect::<Vec<_>>().join("/")
        } else {
            bin.split('/').next().unwrap_or(bin).to_string()
        };
        [package_of(&pkg), pkg]
            .into_iter()
            .find(|p| !p.is_empty() && dev.contains_key(p))
    })
}

/// Whether the last stage is a development or test image by its name or the names of the
/// stages it is built on (`development`, `dev-envs`, `test`): dev dependencies are wanted.
fn development_image(ctx: &Context) -> bool {
    let Some(last) = ctx.stages.len().checked_sub(1) else {
        return false;
    };
    stage_chain(ctx, last).iter().any(|&s| {
        ctx.stages
            .get(s)
            .and_then(|stage| stage.from)
            .is_some_and(|f| match &f.node.args {
                Args::Words(w) => match w.as_slice() {
                    [_, _, name] => {
                        let name = name.slice(&f.logical).to_ascii_lowercase();
                        name.split(['-', '_', '.']).any(|p| {
                            matches!(
                                p,
                                "dev"
                                    | "development"
                                    | "devel"
                                    | "test"
                                    | "tests"
                                    | "testing"
                                    | "debug"
                            )
                        }) || name.starts_with("dev")
                    }
                    _ => false,
                },
                _ => false,
            })
    })
}

/// A command that builds or runs package scripts after the install: a build (needs the dev
/// dependencies: quiet), another script (may need them: no fix), or `npm prune --production`
/// (removes them: quiet).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum After {
    Nothing,
    Script,
    Build,
    Prune,
}

fn after_kind(cmd: &Command) -> After {
    let words = command_words(cmd);
    let Some(prog) = program(cmd) else {
        return After::Nothing;
    };
    let arg = |i: usize| words.get(i).map(|w| w.value.as_str()).unwrap_or("");
    let build_name = |s: &str| s.starts_with("build") || s.starts_with("compile") || s == "dist";
    match prog {
        "npm" | "pnpm" | "yarn" => {
            let sub = words
                .iter()
                .skip(1)
                .find(|w| !w.value.starts_with('-'))
                .map_or("", |w| w.value.as_str());
            let script = match sub {
                "run" | "run-script" | "exec" => words
                    .iter()
                    .skip(1)
                    .skip_while(|w| w.value != sub)
                    .skip(1)
                    .find(|w| !w.value.starts_with('-'))
                    .map_or("", |w| w.value.as_str()),
                s => s,
            };
            if sub == "prune" && omits_dev(cmd) {
                return After::Prune;
            }
            if build_name(script) {
                return After::Build;
            }
            match (prog, sub) {
                (_, "run" | "run-script" | "exec" | "test" | "t" | "x") => After::Script,
                ("yarn" | "pnpm", s)
                    if !s.is_empty()
                        && !matches!(
                            s,
                            "install" | "add" | "cache" | "config" | "global" | "i"
                        ) =>
                {
                    After::Script
                }
                _ => After::Nothing,
            }
        }
        "npx" | "pnpx" => {
            if matches!(
                arg(1),
                "tsc" | "webpack" | "ng" | "vite" | "next" | "nest" | "rollup"
            ) {
                After::Build
            } else {
                After::Script
            }
        }
        "tsc" | "webpack" | "ng" | "vite" | "next" | "nest" | "rollup" | "gulp" | "grunt"
        | "parcel" | "esbuild" => After::Build,
        _ if words
            .first()
            .is_some_and(|w| w.value.contains("node_modules/.bin/")) =>
        {
            After::Build
        }
        _ => After::Nothing,
    }
}

/// The strongest of what runs after command `index` of run `r` in the shipped stages.
fn after_install(runs: &[ShellRun], r: usize, index: usize, shipped: &[usize]) -> After {
    let same = runs
        .get(r)
        .into_iter()
        .flat_map(|run| run.commands.iter().skip(index + 1));
    let later = runs
        .iter()
        .skip(r + 1)
        .filter(|o| shipped.contains(&o.stage))
        .flat_map(|o| o.commands.iter());
    same.chain(later)
        .map(after_kind)
        .max()
        .unwrap_or(After::Nothing)
}

/// The major version of Node.js a stage's base image names (`node:14-alpine` is 14).
fn node_major(ctx: &Context, stage: usize) -> Option<u32> {
    let image = crate::rules::common::base_image_of(ctx, stage)?.written;
    let (name, tag) = image.split_once(':')?;
    if !name.rsplit('/').next()?.eq_ignore_ascii_case("node") {
        return None;
    }
    tag.split(['.', '-', '@']).next()?.parse().ok()
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let runs = ctx.shell_runs();
    let shipped = if ctx.stages.len() > 1 && !development_image(ctx) {
        app_command(ctx).map(|app| Shipped {
            stages: shipped_stages(ctx),
            app,
        })
    } else {
        None
    };
    for (r, run) in runs.iter().enumerate() {
        for (index, cmd) in run.commands.iter().enumerate() {
            let Some(inst) = install(cmd) else {
                continue;
            };
            if inst.has_operands()
                || inst.has(cmd, &|v| {
                    matches!(v, "-g" | "--global" | "--location=global")
                        || v.starts_with("--global=")
                })
            {
                continue;
            }
            if !inst.ci {
                locked_install(ctx, run, index, cmd, &inst, out);
            }
            if let Some(shipped) = &shipped
                && shipped.stages.contains(&run.stage)
            {
                dev_dependencies(ctx, runs, r, index, &inst, shipped, out);
            }
        }
    }
}

/// Part one: an install that could use the lockfile strictly.
fn locked_install(
    ctx: &Context,
    run: &ShellRun,
    index: usize,
    cmd: &Command,
    inst: &Install,
    out: &mut Vec<Diagnostic>,
) {
    let strict = match inst.tool {
        Tool::Npm => inst.has(cmd, &|v| {
            matches!(
                v,
                "--no-package-lock" | "--package-lock=false" | "--package-lock-only"
            )
        }),
        Tool::Yarn => inst.has(cmd, &|v| {
            matches!(
                v,
                "--frozen-lockfile"
                    | "--immutable"
                    | "--pure-lockfile"
                    | "--no-frozen-lockfile"
                    | "--no-immutable"
                    | "--no-lockfile"
            )
        }),
        Tool::Pnpm => {
            inst.has(cmd, &|v| {
                v.starts_with("--frozen-lockfile")
                    || matches!(
                        v,
                        "--no-frozen-lockfile" | "--lockfile-only" | "--no-lockfile"
                    )
            }) || ci_set(ctx, run, cmd)
        }
    };
    if strict {
        return;
    }
    let Some(cwd) = command_folder(ctx, run, index) else {
        return;
    };
    if copied_file(
        ctx,
        run,
        &cwd,
        inst.tool.lockfiles(),
        ctx.options.context.as_ref(),
    )
    .is_none()
    {
        return;
    }
    let last = inst.sub.unwrap_or(inst.program);
    let span = word_span(run, inst.program, last);
    let (message, title, edit) = match inst.tool {
        Tool::Npm => (
            format!(
                "`npm {}` where a lockfile was copied: `npm ci` installs exactly the locked versions, faster, and fails when the lockfile is out of date",
                last.value
            ),
            "Use `npm ci`",
            Edit::replace(word_span(run, last, last), "ci"),
        ),
        Tool::Yarn => {
            // The package.json the install reads (from the context), and the folder it is in.
            let copied = ctx.options.context.as_ref().and_then(|c| {
                copied_file(ctx, run, &cwd, &["package.json"], Some(c))
                    .flatten()
                    .map(|rel| (c, rel))
            });
            let berry_here = copied.is_some_and(|(c, rel)| {
                let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
                let yarnrc = if dir.is_empty() {
                    ".yarnrc.yml".to_string()
                } else {
                    format!("{dir}/.yarnrc.yml")
                };
                c.is_file(&yarnrc) || c.read(&rel).is_some_and(|p| declares_yarn_berry(&p))
            });
            let flag = if berry_here || yarn_berry(ctx) {
                "--immutable"
            } else {
                "--frozen-lockfile"
            };
            (
                format!(
                    "`{}` without `{flag}` where `yarn.lock` was copied: the install may change the lockfile instead of failing",
                    if inst.sub.is_some() { "yarn install" } else { "yarn" }
                ),
                if flag == "--immutable" {
                    "Add `--immutable`"
                } else {
                    "Add `--frozen-lockfile`"
                },
                Edit::insert(run.after_word(last), format!(" {flag}")),
            )
        }
        Tool::Pnpm => (
            "`pnpm install` without `--frozen-lockfile` where `pnpm-lock.yaml` was copied: the install may change the lockfile instead of failing".to_string(),
            "Add `--frozen-lockfile`",
            Edit::insert(run.after_word(last), " --frozen-lockfile"),
        ),
    };
    out.push(Diagnostic::new(&RULE, span, message).with_fix(Fix::unsafe_(title, vec![edit])));
}

/// Whether `CI` is set to a true value for the command (`ENV CI=true` before the RUN, or
/// `CI=1 pnpm install`): pnpm then installs with `--frozen-lockfile` by default (remark42).
fn ci_set(ctx: &Context, run: &ShellRun, cmd: &Command) -> bool {
    let truthy = |v: &str| {
        let v = v.trim_matches(|c| c == '"' || c == '\'');
        !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0"
    };
    if let Some(a) = cmd
        .assignments
        .iter()
        .rev()
        .find(|a| a.value.starts_with("CI="))
    {
        return truthy(a.value.trim_start_matches("CI="));
    }
    crate::rules::common::env_before(ctx, run.stage, run.ins, "CI")
        .flatten()
        .is_some_and(truthy)
}

/// Whether the context's project uses Yarn 2 or newer (`.yarnrc.yml`, or `packageManager`
/// naming yarn 2+), which spells frozen installs `--immutable`.
fn yarn_berry(ctx: &Context) -> bool {
    let Some(c) = ctx.options.context.as_ref() else {
        return false;
    };
    c.is_file(".yarnrc.yml")
        || c.read("package.json")
            .is_some_and(|p| declares_yarn_berry(&p))
}

/// Whether a package.json's `packageManager` is Yarn 2 or later (`"yarn@4.15.0"`).
fn declares_yarn_berry(package_json: &str) -> bool {
    package_json
        .split("\"packageManager\"")
        .nth(1)
        .and_then(|rest| rest.split("yarn@").nth(1))
        .and_then(|v| v.chars().next())
        .is_some_and(|d| d.is_ascii_digit() && d != '1')
}

/// Part two: dev dependencies installed in the image that runs the app.
fn dev_dependencies(
    ctx: &Context,
    runs: &[ShellRun],
    r: usize,
    index: usize,
    inst: &Install,
    shipped: &Shipped,
    out: &mut Vec<Diagnostic>,
) {
    let Some(run) = runs.get(r) else {
        return;
    };
    let Some(cmd) = run.commands.get(index) else {
        return;
    };
    if omits_dev(cmd)
        || node_env(ctx, run, index).is_some_and(|v| v == "production" || v.contains('$'))
    {
        return;
    }
    let after = after_install(runs, r, index, &shipped.stages);
    if matches!(after, After::Build | After::Prune) {
        return;
    }
    // The word the flag goes after, and the flag; `None`: no flag does it (Yarn 2+).
    let last = inst.sub.unwrap_or(inst.program);
    let flag = match inst.tool {
        Tool::Npm if node_major(ctx, run.stage).is_some_and(|m| m <= 14) => Some("--production"),
        Tool::Npm => Some("--omit=dev"),
        Tool::Yarn if yarn_berry(ctx) => None,
        Tool::Yarn => Some("--production"),
        Tool::Pnpm => Some("--prod"),
    };
    let advice = match flag {
        Some(f) => format!("add `{f}`"),
        None => "use `yarn workspaces focus --production`".to_string(),
    };
    let shown = match inst.sub {
        Some(sub) => format!("{} {}", inst.program.value, sub.value),
        None => inst.program.value.clone(),
    };
    // The `package.json` the install reads, from the build context when known.
    let package_json = ctx.options.context.as_ref().and_then(|c| {
        let cwd = command_folder(ctx, run, index)?;
        let rel = copied_file(ctx, run, &cwd, &["package.json"], Some(c))??;
        c.read(&rel)
    });
    // No dev dependencies declared: there is nothing to leave out.
    if package_json.as_deref().is_some_and(|text| {
        serde_json::from_str::<serde_json::Value>(text).is_ok_and(|json| {
            json.get("devDependencies")
                .and_then(|d| d.as_object())
                .is_none_or(|d| d.is_empty())
        })
    }) {
        return;
    }
    // The start command runs a dev dependency: it has to move to `dependencies` first.
    let needed = package_json
        .as_deref()
        .and_then(|text| start_uses_dev_dependency(text, &shipped.app));
    let final_chain = stage_chain(ctx, ctx.stages.len() - 1);
    let mut message = if final_chain.contains(&run.stage) {
        format!(
            "`{shown}` installs dev dependencies into the image that runs the app: {advice} (or install them in a build stage)"
        )
    } else {
        format!(
            "`{shown}` installs dev dependencies into `node_modules`, which the final stage copies: {advice} (or prune them before the copy)"
        )
    };
    if let Some(dep) = &needed {
        message.push_str(&format!(
            "; the app's start command runs `{dep}`, a dev dependency: move it to `dependencies` first"
        ));
    }
    let mut diag = Diagnostic::new(&RULE, word_span(run, inst.program, last), message);
    if let Some(flag) = flag
        && after == After::Nothing
        && needed.is_none()
    {
        diag = diag.with_fix(Fix::unsafe_(
            format!("Add `{flag}`"),
            vec![Edit::insert(run.after_word(last), format!(" {flag}"))],
        ));
    }
    out.push(diag);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Command {
        crate::shell::commands(text).unwrap().remove(0)
    }

    #[test]
    fn installs() {
        let c = cmd("npm install --production");
        let i = install(&c).unwrap();
        assert!(!i.ci && !i.has_operands());
        let c = cmd("npm --loglevel warn i express");
        assert!(install(&c).unwrap().has_operands());
        let c = cmd("yarn");
        assert!(install(&c).unwrap().sub.is_none());
        let c = cmd("yarn add left-pad");
        assert!(install(&c).is_none());
        let c = cmd("yarn --version");
        assert!(install(&c).is_none());
        let c = cmd("npm ci");
        assert!(install(&c).unwrap().ci);
        assert!(omits_dev(&cmd("npm ci --omit=dev")));
        assert!(omits_dev(&cmd("npm ci --omit dev")));
        assert!(omits_dev(&cmd("npm install --only=production")));
        assert!(!omits_dev(&cmd("npm ci --omit=optional")));
        assert_eq!(after_kind(&cmd("npm run build")), After::Build);
        assert_eq!(after_kind(&cmd("npm run-script build:prod")), After::Build);
        assert_eq!(after_kind(&cmd("npm run migrate")), After::Script);
        assert_eq!(after_kind(&cmd("yarn build")), After::Build);
        assert_eq!(after_kind(&cmd("npm prune --production")), After::Prune);
        assert_eq!(after_kind(&cmd("npm cache clean --force")), After::Nothing);
        let pkg = r#"{"scripts": {"start": "nodemon server.js"}, "devDependencies": {"nodemon": "^3", "typescript": "^5"}}"#;
        let npm_start = ["npm".to_string(), "start".to_string()];
        assert_eq!(
            start_uses_dev_dependency(pkg, &npm_start).as_deref(),
            Some("nodemon")
        );
        let node = ["node".to_string(), "server.js".to_string()];
        assert_eq!(start_uses_dev_dependency(pkg, &node), None);
        let tsc = ["node_modules/.bin/tsc".to_string()];
        assert_eq!(
            start_uses_dev_dependency(pkg, &tsc).as_deref(),
            Some("typescript")
        );
    }

    /// A `--from` stage number of `usize::MAX` overflowed `n + 1` (a panic in debug builds).
    #[test]
    fn huge_stage_number() {
        let doc = crate::syntax::parse(
            "FROM node:20 AS build\nRUN npm install\nFROM node:20\n\
             COPY --from=18446744073709551615 /app/node_modules ./node_modules\n\
             RUN npm install\nCMD [\"node\", \"server.js\"]\n",
        )
        .unwrap();
        let ctx = Context::new(&doc);
        assert_eq!(shipped_stages(&ctx), vec![2]);
    }
}
