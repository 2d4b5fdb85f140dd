use crate::fix::{Applicability, Edit, Fix};
use crate::images::uid_of;
use crate::rules::apt::{USES_INDEX, apt_command, wraps_apt};
use crate::rules::common::{
    States, any_text_before, base_image_of, before_each_run, command_words, env_values_before,
    is_within, mounted_over, network_none, program, removed_path, sets_errexit, shell_errexit,
    stage_chain, state_at, states_before, word_span,
};
use crate::rules::{
    Call, Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs,
};
use crate::settings::CacheStrategy;
use crate::shell::{Command, Word};
use crate::syntax::{Args, Instruction, Kind, Span};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    code: "DF501",
    name: "package-cache-mount",
    aliases: &[],
    summary: "Package downloads without a BuildKit cache mount (strategy = mount), or a cache mount \
              defeated by a no-cache flag",
    doc: "## What it does
With `[lint.package-cache] strategy = \"mount\"`, flags a RUN whose commands download packages
without a `--mount=type=cache` on the tool's cache folder: `apt-get`/`apt` (`install`,
`upgrade`, `update`...), `apk add`, `pip install` (`pip3`, `python -m pip`), `uv pip install`,
`uv sync`, `poetry install`, `npm ci`/`install`, `yarn` (`install`), `pnpm install`, `go mod
download`, `go build`/`install`/`get`, `cargo build`/`fetch`/`install`, `mvn`, `gradle`,
`bundle install`, `composer install`. The folders: `/var/cache/apt` and `/var/lib/apt` (both
`sharing=locked`: apt needs exclusive access), `/var/cache/apk`, `~/.cache/pip`, `~/.cache/uv`,
`~/.cache/pypoetry/cache` and `artifacts` (not the whole folder: poetry keeps its virtualenvs
there), `~/.npm`, `/usr/local/share/.cache/yarn` (yarn 1 as root; `~/.cache/yarn` otherwise),
`$PNPM_HOME/store`, `/go/pkg/mod` (`GOPATH` of the official golang images, `~/go` elsewhere) and
`~/.cache/go-build`, `/usr/local/cargo/registry` and `git/db` (the official rust images'
`CARGO_HOME`; `~/.cargo` elsewhere), `~/.m2/repository` (not `~/.m2`, which holds
`settings.xml`), `~/.gradle/caches` (and the `wrapper` folders for `mvnw` and `gradlew`),
`/tmp/cache` for composer's official image. The variables
that move these folders (`PIP_CACHE_DIR`, `XDG_CACHE_HOME`, `GOPATH`, `GOMODCACHE`, `GOCACHE`,
`CARGO_HOME`, `npm_config_cache`, `YARN_CACHE_FOLDER`, `GRADLE_USER_HOME`, `COMPOSER_HOME`...)
are followed when ENV or ARG set them. `~` is the HOME of the USER in effect: `/root` for root,
`/home/<name>` for a named user (the message says so; `--home` of the `useradd`/`adduser` that
made it, or `ENV HOME`, wins), unknown for a numeric uid. A mount on the folder, inside it, or
on a folder that holds it counts.

In every mode, also flags a RUN whose cache mount a flag turns off: `pip install
--no-cache-dir` under a mount on pip's cache, `apk add --no-cache` under a mount on
`/var/cache/apk`. With `strategy = \"mount\"` also `uv`/`poetry --no-cache`, `apt-get clean`,
`npm cache clean`, `yarn cache clean`, `go clean -modcache`, `pip cache purge` and `rm` of files
inside a cache mount.

Quiet under `strategy = \"clean\"` (the default) except for those defeated mounts: there
DF202, DF206 and DF208 ask for the opposite (delete the caches in the same RUN), and they are
quiet under `\"mount\"`.

## Why is this bad?
Without a cache mount, every change to a package list downloads every package again, and the
cache either lands in the image or has to be deleted in the same RUN. A cache mount keeps the
downloads on the builder, across builds, and out of the image. A flag that turns the cache off
(`--no-cache-dir`, `--no-cache`) or a command that empties it makes the mount useless.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc \\
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
```
Use instead:
```dockerfile
FROM debian:bookworm-slim
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt,sharing=locked \\
    rm -f /etc/apt/apt.conf.d/docker-clean \\
    && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache \\
    && apt-get update && apt-get install -y --no-install-recommends gcc
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Fix safety
The mount fix adds one ` --mount=type=cache,target=...` per folder right after `RUN` (with
`sharing=locked` for apt, and `uid=` when the RUN runs as a non-root user whose uid is known:
BuildKit creates cache folders owned by root), and removes what would defeat it in the same
RUN: `--no-cache-dir`, `uv`/`poetry --no-cache`, `apk --no-cache` (replaced by
`--update-cache`, so that apk still fetches a fresh index), `apt-get clean`, `npm cache clean`,
`rm -rf /var/lib/apt/lists/*` and other `rm` of files in a mounted folder. For apt, the first
such RUN of a stage (unless an earlier instruction mentions `docker-clean`) also starts with
`rm -f /etc/apt/apt.conf.d/docker-clean && echo 'Binary::apt::APT::Keep-Downloaded-Packages
\"true\";' > /etc/apt/apt.conf.d/keep-cache` (as in Docker's documentation): the official Debian
and Ubuntu images (and the images built on them) carry that hook, which deletes every downloaded
`.deb` and would leave the cache empty; on a base without it, `rm -f` does nothing. Unsafe:
`RUN --mount` needs BuildKit (the legacy builder rejects it; older frontends may need a
`# syntax=docker/dockerfile:1` line, see DF502); the hook is gone for the rest of the stage and
for images built on it, so a later RUN without a mount keeps its `.deb` files; files the image
had in a mounted folder are hidden during the RUN (apt's `extended_states`, modules or crates an
earlier step stored), and what the RUN writes there (apt's record of automatically installed
packages) goes to the cache, not the image. No fix for a RUN with `--network=none`, one that
installs with apt without its own `apt-get update`, one whose package lists a later RUN reads,
one that uses apt's record of automatically installed packages (`apt-mark`, `autoremove`: it
would come from the cache), one whose downloads a later RUN uses offline, a folder an earlier
COPY fills, a non-root user whose HOME or uid is not known, and where removing
a defeating command is not simple: it must be joined to the rest with `&&`, or with `;` where
the RUN's exit status stays the same (not as its last command, unless `set -e` is on), and an
`rm` of a folder that holds a mount would fail on the mount point. No fix for bundler, and for pnpm and
composer unless `PNPM_HOME` / `COMPOSER_HOME` say where their caches are.

The fix for a defeated mount only removes the flag (`apk --no-cache` becomes `--update-cache`)
or command: Safe, the files it avoided writing go to the mount, not to the image. Without a fix
where pip's cache for the RUN's user is not known to be inside the mount.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// What downloads packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Apt,
    Apk,
    Pip,
    Uv,
    Poetry,
    Npm,
    Yarn,
    Pnpm,
    /// `go mod download`: only the module cache.
    GoMod,
    /// `go build`, `go install`, `go get`: modules and the build cache.
    Go,
    Cargo,
    Maven {
        wrapper: bool,
    },
    Gradle {
        wrapper: bool,
    },
    Bundler,
    Composer,
}

impl Tool {
    /// Whether the tool runs as root whatever the USER (apt and apk cannot install otherwise):
    /// its mounts need no `uid=`.
    fn system(self) -> bool {
        matches!(self, Tool::Apt | Tool::Apk)
    }

    /// Text a mount target of this tool contains, whatever the HOME it was written for.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Tool::Apt => &["/var/cache/apt", "/var/lib/apt"],
            Tool::Apk => &["/var/cache/apk"],
            Tool::Pip => &[".cache/pip"],
            Tool::Uv => &[".cache/uv"],
            Tool::Poetry => &["pypoetry"],
            Tool::Npm => &[".npm"],
            Tool::Yarn => &["yarn"],
            Tool::Pnpm => &["pnpm"],
            Tool::GoMod => &["pkg/mod"],
            Tool::Go => &["pkg/mod", "go-build"],
            Tool::Cargo => &["cargo/registry", "cargo/git"],
            Tool::Maven { .. } => &[".m2"],
            Tool::Gradle { .. } => &[".gradle"],
            Tool::Bundler => &["bundle", ".gem"],
            Tool::Composer => &["composer"],
        }
    }

    /// Whether a mount on a `.cache` folder holds this tool's cache.
    fn in_dot_cache(self) -> bool {
        matches!(self, Tool::Pip | Tool::Uv | Tool::Poetry | Tool::Go)
    }

    /// Programs whose later use relies on what this tool stores, and flags that make them
    /// rely on it (offline).
    fn offline(self) -> Option<(&'static [&'static str], &'static [&'static str])> {
        match self {
            Tool::Go | Tool::GoMod => Some((&["go"], &["GOPROXY=off"])),
            Tool::Cargo => Some((&["cargo"], &["--offline", "--frozen", "CARGO_NET_OFFLINE"])),
            Tool::Maven { .. } => Some((&["mvn", "mvnw"], &["-o", "--offline"])),
            Tool::Gradle { .. } => Some((&["gradle", "gradlew"], &["--offline"])),
            _ => None,
        }
    }
}

/// Whether a word is the option `name` or `name=value`.
fn is_opt(w: &Word, name: &str) -> bool {
    w.value == name
        || w.value
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('='))
}

/// `--no-cache-dir`, or an abbreviation pip's option parser accepts for it.
fn is_no_cache_dir(v: &str) -> bool {
    v.len() >= "--no-cache".len() && "--no-cache-dir".starts_with(v)
}

/// Where pip's own arguments start in a pip command (`pip`, `python3 -m pip`), as an index
/// into [`command_words`].
fn pip_start(cmd: &Command) -> Option<usize> {
    let call = Call::of(cmd, &programs::PIP)?;
    Some(call.inv.start + 1 - cmd.name_index())
}

/// The tool a command runs and the index (in [`command_words`]) of the word that ends its
/// name (`install` in `pip install`).
fn detect(cmd: &Command) -> Option<(Tool, usize)> {
    let words = command_words(cmd);
    let prog = program(cmd)?;
    let base = cmd.name_index();
    let found = if let Some(call) = Call::read(cmd) {
        // The index in `words` of subcommand `depth`, when it is one of `names`.
        let sub = |depth: usize, names: &[&str]| -> Option<usize> {
            let w = call.subcommand_at(depth)?;
            names
                .contains(&w)
                .then_some(*call.inv.subcommands.get(depth)? - base)
        };
        let g = call.grammar();
        if std::ptr::eq(g, &programs::PIP) {
            return sub(0, &["install"])
                .filter(|_| !call.has("--cache-dir"))
                .map(|i| (Tool::Pip, i));
        }
        match g.name {
            "apt-get" => {
                let apt = apt_command(cmd)?;
                let i = words.iter().position(|w| std::ptr::eq(w, apt.sub))?;
                programs::APT_DOWNLOADS
                    .contains(&apt.sub.value.as_str())
                    .then_some((Tool::Apt, i))
            }
            "apk" => sub(0, &["add", "upgrade"])
                .filter(|_| !call.has("--no-network") && !call.has("--cache-dir"))
                .map(|i| (Tool::Apk, i)),
            "uv" => match call.subcommand()? {
                "sync" => sub(0, &["sync"]),
                "pip" => sub(1, &["install", "sync"]),
                _ => None,
            }
            .filter(|_| !call.has("--cache-dir"))
            .map(|i| (Tool::Uv, i)),
            "poetry" => sub(0, &["install", "add", "update"]).map(|i| (Tool::Poetry, i)),
            "npm" => sub(0, &["ci", "install", "i"])
                .filter(|_| !call.has("--cache"))
                .map(|i| (Tool::Npm, i)),
            "yarn" | "bundle" if call.has_any(&["-v", "--version", "-h", "--help"]) => None,
            "yarn" => match call.subcommand_word(0) {
                None => Some(0),
                Some(_) => sub(0, &["install"]),
            }
            .filter(|_| !call.has("--cache-folder"))
            .map(|i| (Tool::Yarn, i)),
            "pnpm" => sub(0, &["install", "i"])
                .filter(|_| !call.has("--store-dir"))
                .map(|i| (Tool::Pnpm, i)),
            "go" => match call.subcommand()? {
                "mod" => sub(1, &["download"]).map(|i| (Tool::GoMod, i)),
                "build" | "install" | "get" => {
                    sub(0, &["build", "install", "get"]).map(|i| (Tool::Go, i))
                }
                _ => None,
            },
            "cargo" => match call.subcommand()? {
                "build" | "b" | "fetch" | "install" => {
                    sub(0, &["build", "b", "fetch", "install"]).map(|i| (Tool::Cargo, i))
                }
                "chef" => sub(1, &["cook"]).map(|i| (Tool::Cargo, i)),
                _ => None,
            },
            "bundle" => match call.subcommand_word(0) {
                None => Some(0),
                Some(_) => sub(0, &["install"]),
            }
            .map(|i| (Tool::Bundler, i)),
            "composer" => sub(0, &["install", "update", "require"]).map(|i| (Tool::Composer, i)),
            _ => None,
        }
    } else {
        None
    };
    if found.is_some() {
        return found;
    }
    let found = match prog {
        "mvn" | "mvnw" | "gradle" | "gradlew" => {
            let maven = prog.starts_with("mvn");
            let info = |v: &str| {
                matches!(
                    v,
                    "-v" | "--version" | "-h" | "--help" | "-V" | "-q" | "--quiet"
                )
            };
            let offline = |v: &str| v == "--offline" || (maven && v == "-o");
            let own_cache = |w: &Word| {
                w.value.starts_with("-Dmaven.repo.local")
                    || is_opt(w, "--gradle-user-home")
                    || (!maven && w.value == "-g")
            };
            if words.iter().skip(1).all(|w| info(&w.value))
                || words
                    .iter()
                    .skip(1)
                    .any(|w| offline(&w.value) || own_cache(w))
            {
                return None;
            }
            let wrapper = prog.ends_with('w');
            Some((
                if maven {
                    Tool::Maven { wrapper }
                } else {
                    Tool::Gradle { wrapper }
                },
                0,
            ))
        }
        _ => None,
    }?;
    Some(found)
}

/// A value of a variable: a literal, or one we cannot know (an expansion, an ARG without a
/// default).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    Lit(String),
    Unknown,
}

fn val(raw: &str) -> Val {
    let v = raw.trim_matches(['"', '\'']);
    if v.contains(['$', '`']) {
        Val::Unknown
    } else {
        Val::Lit(v.to_string())
    }
}

/// Who a RUN runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
enum User {
    Root,
    Named(String),
    Uid(u32),
    Unknown(String),
}

/// A user an earlier RUN makes with `useradd` or `adduser`.
#[derive(Clone, Debug, Default)]
struct Account {
    home: Option<String>,
    uid: Option<u32>,
    /// Debian's `adduser --system` without `--home`: HOME is `/nonexistent`.
    no_home: bool,
}

/// What a RUN runs with: the variables ENV and ARG set before it, its USER, the image its
/// stage is built on, and the users earlier RUNs made.
struct RunEnv<'c, 'a> {
    /// Where ENV and ARG values are looked up (`common::env_values_before`).
    ctx: &'c Context<'a>,
    stage: usize,
    ins: &'a Instruction,
    user: User,
    image: Option<String>,
    accounts: HashMap<String, Account>,
}

/// The image a stage chain starts from, as the image knowledge base names it (`rust`,
/// `golang`), when no build argument names it.
fn official_image(ctx: &Context, stage: usize) -> Option<String> {
    base_image_of(ctx, stage)?.literal_official_name()
}

fn parse_user(text: &str) -> User {
    let name = text.trim().split(':').next().unwrap_or("").trim();
    if name.contains('$') || name.is_empty() {
        User::Unknown(text.trim().to_string())
    } else if name == "root" || name == "0" {
        User::Root
    } else if let Ok(uid) = name.parse::<u32>() {
        User::Uid(uid)
    } else {
        User::Named(name.to_string())
    }
}

/// The user a `useradd`/`adduser` command makes, with its home and uid when given.
fn account(cmd: &Command) -> Option<(String, Account)> {
    let words = command_words(cmd);
    let prog = program(cmd)?;
    if prog != "useradd" && prog != "adduser" {
        return None;
    }
    let mut acc = Account::default();
    let mut operands = Vec::new();
    let mut system = false;
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        let (name, inline) = match v.split_once('=') {
            Some((n, val)) if n.starts_with("--") => (n, Some(val.to_string())),
            _ => (v, None),
        };
        let takes = matches!(
            name,
            "-u" | "--uid"
                | "-d"
                | "--home-dir"
                | "--home"
                | "-g"
                | "--gid"
                | "-G"
                | "--groups"
                | "-s"
                | "--shell"
                | "-c"
                | "--comment"
                | "--gecos"
                | "--ingroup"
                | "-e"
                | "--expiredate"
                | "-f"
                | "--inactive"
                | "-k"
                | "--skel"
                | "-K"
                | "--key"
                | "-p"
                | "--password"
                | "-b"
                | "--base-dir"
                | "-R"
                | "--root"
                | "--firstuid"
                | "--lastuid"
        ) || (prog == "adduser" && name == "-h");
        if v.starts_with('-') && takes {
            let value = match inline {
                Some(val) => val,
                None => {
                    i += 1;
                    words.get(i)?.value.clone()
                }
            };
            match name {
                "-u" | "--uid" => acc.uid = value.parse().ok(),
                "-d" | "--home-dir" | "--home" | "-h" => acc.home = Some(value),
                _ => {}
            }
        } else if v.starts_with('-') {
            system |= matches!(v, "--system" | "-r" | "-S");
        } else {
            operands.push(v.to_string());
        }
        i += 1;
    }
    // Debian's adduser gives a system user no home unless told.
    acc.no_home = prog == "adduser"
        && system
        && acc.home.is_none()
        && !words.iter().skip(1).any(|w| w.value == "-S");
    let name = operands.into_iter().next()?;
    Some((name, acc))
}

/// What the RUNs of a file run with, found in forward passes once per file (asking every
/// earlier instruction and RUN again for each RUN made a file of many RUNs quadratic): the
/// USER before each instruction, and the accounts the earlier RUNs of each RUN's image made.
struct FileEnv {
    users: States<User>,
    accounts: Vec<HashMap<String, Account>>,
}

impl FileEnv {
    fn new(ctx: &Context, runs: &[ShellRun]) -> FileEnv {
        let users = states_before(ctx, User::Root, |user, ins| {
            if let (Kind::User, Args::Text(t)) = (ins.kind(), &ins.node.args) {
                *user = parse_user(t.slice(&ins.logical));
            }
        });
        let accounts = before_each_run(ctx, runs, HashMap::new(), |created, o| {
            for (name, acc) in o.commands.iter().filter_map(account) {
                created.insert(name, acc);
            }
        });
        FileEnv { users, accounts }
    }
}

impl<'c, 'a> RunEnv<'c, 'a> {
    fn new(ctx: &'c Context<'a>, runs: &[ShellRun<'a>], file: &FileEnv, r: usize) -> Option<Self> {
        let run = runs.get(r)?;
        Some(RunEnv {
            ctx,
            stage: run.stage,
            ins: run.ins,
            user: state_at(&file.users, ctx, run.stage, run.ins)
                .cloned()
                .unwrap_or(User::Root),
            image: official_image(ctx, run.stage),
            accounts: file.accounts.get(r).cloned().unwrap_or_default(),
        })
    }

    /// The value ENV or ARG gives `name` before the RUN: the latest value set; `Unknown` when
    /// only an ARG without a default declares it.
    fn stage_var(&self, name: &str) -> Option<Val> {
        let mut declared = false;
        let mut found = None;
        env_values_before(self.ctx, self.stage, self.ins, name, |v| match v {
            Some(v) => {
                found = Some(val(v));
                true
            }
            None => {
                declared = true;
                false
            }
        });
        found.or(declared.then_some(Val::Unknown))
    }

    /// A variable as command `index` of the RUN sees it: its prefix assignments, an earlier
    /// `export` in the RUN, then ENV and ARG.
    fn var(&self, run: &ShellRun, index: usize, name: &str) -> Option<Val> {
        let assigned = |w: &Word| {
            w.value
                .split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| val(v))
        };
        let cmd = run.commands.get(index);
        cmd.iter()
            .flat_map(|c| c.assignments.iter().rev())
            .find_map(assigned)
            .or_else(|| {
                run.commands
                    .iter()
                    .take(index)
                    .rev()
                    .filter(|c| c.program() == Some("export"))
                    .find_map(|c| c.words.iter().skip(1).rev().find_map(assigned))
            })
            .or_else(|| self.stage_var(name))
    }

    /// A variable that names a folder: `Ok(None)` when unset.
    fn dir(&self, run: &ShellRun, index: usize, name: &str) -> Result<Option<String>, String> {
        match self.var(run, index, name) {
            None => Ok(None),
            Some(Val::Lit(v)) if v.starts_with('/') => Ok(Some(v.trim_end_matches('/').into())),
            Some(Val::Lit(v)) if v.is_empty() => Ok(None),
            Some(_) => Err(format!("`{name}` is not an absolute path known here")),
        }
    }

    fn is_root(&self) -> bool {
        self.user == User::Root
    }

    /// What the image the stage is made from sets a variable to (`GOPATH` in `golang`).
    fn image_env(&self, name: &str) -> Option<&'static str> {
        crate::images::image_env(self.image.as_deref()?, name)
    }

    /// HOME for command `index`, and whether it is assumed from the user name.
    fn home(&self, run: &ShellRun, index: usize) -> Result<(String, bool), String> {
        if let Some(h) = self.dir(run, index, "HOME")? {
            return Ok((h, false));
        }
        match &self.user {
            User::Root => Ok(("/root".into(), false)),
            User::Named(n) => match (self.accounts.get(n), n.as_str()) {
                (Some(Account { home: Some(h), .. }), _) if h.starts_with('/') => {
                    Ok((h.trim_end_matches('/').into(), false))
                }
                (Some(Account { no_home: true, .. }), _) | (_, "nobody") => {
                    Err(format!("the RUN runs as `{n}`, which has no home folder"))
                }
                (_, "www-data") => Ok(("/var/www".into(), false)),
                _ => Ok((format!("/home/{n}"), true)),
            },
            User::Uid(uid) => Err(format!(
                "the RUN runs as uid {uid}, whose HOME is not known here"
            )),
            User::Unknown(u) => Err(format!("the RUN runs as `{u}`, not known here")),
        }
    }

    /// The uid to give cache mounts (`None` for root).
    fn uid(&self) -> Result<Option<u32>, String> {
        match &self.user {
            User::Root => Ok(None),
            User::Uid(uid) => Ok(Some(*uid)),
            User::Named(n) => match (self.accounts.get(n).and_then(|a| a.uid), uid_of(n)) {
                (Some(uid), _) => Ok(Some(uid)),
                // A user the file does not create: an official image's (`node`).
                (None, Some(uid)) => Ok(Some(uid)),
                _ => Err(format!(
                    "BuildKit creates cache folders owned by root, and the uid of `{n}` is not \
                     known here (add `uid=` to the mount)"
                )),
            },
            User::Unknown(u) => Err(format!("the RUN runs as `{u}`, not known here")),
        }
    }

    /// `$XDG_CACHE_HOME`, or `~/.cache`.
    fn cache_home(&self, run: &ShellRun, index: usize) -> Result<String, String> {
        match self.dir(run, index, "XDG_CACHE_HOME")? {
            Some(d) => Ok(d),
            None => Ok(format!("{}/.cache", self.home(run, index)?.0)),
        }
    }
}

/// Where a tool keeps what it downloads, for command `index` of the RUN.
struct Plan {
    /// The folders to mount.
    targets: Vec<String>,
    /// Folders that hold the targets and are the tool's own (`rm -rf` of them goes too).
    bases: Vec<String>,
}

fn plan(tool: Tool, env: &RunEnv, run: &ShellRun, index: usize) -> Result<Plan, String> {
    let dir = |name: &str| env.dir(run, index, name);
    let home = || env.home(run, index).map(|h| h.0);
    let one = |d: String| Plan {
        targets: vec![d.clone()],
        bases: vec![d],
    };
    let off = |name: &str| -> Result<(), String> {
        match env.var(run, index, name) {
            Some(_) => Err(format!("`{name}` turns the cache off")),
            None => Ok(()),
        }
    };
    let gomodcache = || -> Result<String, String> {
        if let Some(d) = dir("GOMODCACHE")? {
            return Ok(d);
        }
        match env.var(run, index, "GOPATH") {
            Some(Val::Lit(p)) if p.starts_with('/') => {
                let first = p.split(':').next().unwrap_or("").trim_end_matches('/');
                Ok(format!("{first}/pkg/mod"))
            }
            Some(_) => Err("`GOPATH` is not an absolute path known here".into()),
            None => Ok(match env.image_env("GOPATH") {
                Some(gopath) => format!("{gopath}/pkg/mod"),
                None => format!("{}/go/pkg/mod", home()?),
            }),
        }
    };
    Ok(match tool {
        Tool::Apt => Plan {
            targets: vec!["/var/cache/apt".into(), "/var/lib/apt".into()],
            bases: Vec::new(),
        },
        Tool::Apk => one("/var/cache/apk".into()),
        Tool::Pip => {
            off("PIP_NO_CACHE_DIR")?;
            one(match dir("PIP_CACHE_DIR")? {
                Some(d) => d,
                None => format!("{}/pip", env.cache_home(run, index)?),
            })
        }
        Tool::Uv => {
            off("UV_NO_CACHE")?;
            one(match dir("UV_CACHE_DIR")? {
                Some(d) => d,
                None => format!("{}/uv", env.cache_home(run, index)?),
            })
        }
        Tool::Poetry => {
            let base = match dir("POETRY_CACHE_DIR")? {
                Some(d) => d,
                None => format!("{}/pypoetry", env.cache_home(run, index)?),
            };
            Plan {
                targets: vec![format!("{base}/cache"), format!("{base}/artifacts")],
                bases: vec![base],
            }
        }
        Tool::Npm => one(
            match dir("npm_config_cache")?.or(dir("NPM_CONFIG_CACHE")?) {
                Some(d) => d,
                None => format!("{}/.npm", home()?),
            },
        ),
        Tool::Yarn => one(match dir("YARN_CACHE_FOLDER")? {
            Some(d) => d,
            None => match dir("XDG_CACHE_HOME")? {
                Some(d) => format!("{d}/yarn"),
                // yarn 1 takes /usr/local/share as root's home.
                None if env.is_root() => "/usr/local/share/.cache/yarn".into(),
                None => format!("{}/.cache/yarn", home()?),
            },
        }),
        Tool::Pnpm => match dir("PNPM_HOME")? {
            Some(d) => one(format!("{d}/store")),
            None => {
                return Err("pnpm's store folder depends on `PNPM_HOME` and on the \
                            filesystem: set `ENV PNPM_HOME` and mount `$PNPM_HOME/store` \
                            (pnpm's Docker guide)"
                    .into());
            }
        },
        Tool::GoMod => one(gomodcache()?),
        Tool::Go => {
            let cache = match env.var(run, index, "GOCACHE") {
                Some(Val::Lit(v)) if v == "off" => return Err("`GOCACHE=off`".into()),
                _ => match dir("GOCACHE")? {
                    Some(d) => d,
                    None => format!("{}/go-build", env.cache_home(run, index)?),
                },
            };
            let modcache = gomodcache()?;
            Plan {
                targets: vec![modcache.clone(), cache.clone()],
                bases: vec![modcache, cache],
            }
        }
        Tool::Cargo => {
            let offline = |w: &Word| w.value == "--offline" || w.value == "--frozen";
            if run
                .commands
                .get(index)
                .is_some_and(|cmd| cmd.words.iter().any(offline))
            {
                return Err(
                    "`--offline`: the mount would hide the crates earlier steps fetched".into(),
                );
            }
            let ch = match dir("CARGO_HOME")? {
                Some(d) => d,
                None => match env.image_env("CARGO_HOME") {
                    Some(ch) => ch.to_string(),
                    None => format!("{}/.cargo", home()?),
                },
            };
            Plan {
                targets: vec![format!("{ch}/registry"), format!("{ch}/git/db")],
                bases: vec![format!("{ch}/registry")],
            }
        }
        Tool::Maven { wrapper } => {
            let m2 = format!("{}/.m2", home()?);
            let mut targets = vec![format!("{m2}/repository")];
            if wrapper {
                targets.push(format!("{m2}/wrapper"));
            }
            Plan {
                bases: targets.clone(),
                targets,
            }
        }
        Tool::Gradle { wrapper } => {
            let gh = match dir("GRADLE_USER_HOME")? {
                Some(d) => d,
                None => format!("{}/.gradle", home()?),
            };
            let mut targets = vec![format!("{gh}/caches")];
            if wrapper {
                targets.push(format!("{gh}/wrapper"));
            }
            Plan {
                bases: targets.clone(),
                targets,
            }
        }
        Tool::Bundler => {
            return Err(
                "where Bundler keeps downloaded gems depends on `GEM_HOME` and \
                        `BUNDLE_PATH`: mount that folder's `cache`"
                    .into(),
            );
        }
        Tool::Composer => one(match dir("COMPOSER_CACHE_DIR")? {
            Some(d) => d,
            None => match dir("COMPOSER_HOME")?
                .or_else(|| env.image_env("COMPOSER_HOME").map(String::from))
            {
                Some(h) => format!("{h}/cache"),
                None => {
                    return Err("composer's cache folder depends on `COMPOSER_HOME` and on \
                                XDG settings: set `ENV COMPOSER_CACHE_DIR` and mount it"
                        .into());
                }
            },
        }),
    })
}

/// A `--mount` of the RUN.
struct Mount {
    cache: bool,
    target: String,
}

fn mounts(run: &ShellRun) -> Vec<Mount> {
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
fn tool_mounted(tool: Tool, plan: Option<&Plan>, mount: &Mount) -> bool {
    let t = mount.target.as_str();
    tool.keys().iter().any(|k| t.contains(k))
        || (tool.in_dot_cache() && t.ends_with("/.cache"))
        || plan.is_some_and(|p| p.targets.iter().any(|d| is_within(d, t) || is_within(t, d)))
}

/// A word, command or flag that empties or turns off a cache.
struct Defeat {
    /// How the message names it.
    what: String,
    /// Its source span.
    span: Span,
    /// The tool whose cache it turns off or empties (`None` for an `rm` of a mounted path).
    tool: Option<Tool>,
    /// The operand, when only an operand of an `rm` goes.
    operand: Option<String>,
    /// The edit that removes it (`None` when the edit of another one covers it), or why
    /// there is none.
    edit: Result<Option<Edit>, String>,
}

/// An `rm` operand: a path inside a mounted folder (removable), or one holding a mount (the
/// `rm` would fail on the mount point).
enum RmOperand {
    Inside,
    Holds(String),
    Other,
}

/// The absolute path an `rm` operand names, `~` and `$HOME` (and other variables known)
/// expanded; `None` when not known.
fn rm_path(w: &Word, body: &str, env: &RunEnv, run: &ShellRun, index: usize) -> Option<String> {
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

fn classify(path: &str, targets: &[String], bases: &[String]) -> RmOperand {
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
fn body_source(run: &ShellRun, start: usize, end: usize) -> Span {
    let s = run.ins.source_offset_end(run.rest.start + start);
    let e = run.ins.source_offset_end(run.rest.start + end);
    Span::new(s, e.max(s))
}

/// The source span of a word of the RUN's body.
fn word_source(run: &ShellRun, w: &Word) -> Span {
    run.ins.to_source(Span::new(
        run.rest.start + w.span.start,
        run.rest.start + w.span.end,
    ))
}

/// A deletion of source text, refused when it would take a comment line with it.
fn deletion(run: &ShellRun, span: Span) -> Result<Edit, String> {
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
fn delete_word(run: &ShellRun, prev: &Word, w: &Word) -> Result<Edit, String> {
    deletion(run, body_source(run, prev.span.end, w.span.end))
}

fn cmd_start(c: &Command) -> usize {
    c.assignments
        .first()
        .or(c.words.first())
        .map_or(0, |w| w.span.start)
}

fn cmd_end(c: &Command) -> usize {
    c.words
        .iter()
        .chain(&c.assignments)
        .map(|w| w.span.end)
        .max()
        .unwrap_or(0)
}

/// How a command is joined to what precedes or follows it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
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
fn delete_commands(
    run: &ShellRun,
    first: usize,
    last: usize,
    shell_errexit: bool,
) -> Result<Edit, String> {
    let body = run.rest.slice(&run.ins.logical);
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
    let start_of = |i: usize| cmd(i).map(|c| run.ins.source_offset(run.rest.start + cmd_start(c)));
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
fn defeats(
    run: &ShellRun,
    env: &RunEnv,
    tools: &[Tool],
    targets: &[String],
    bases: &[String],
    flags_only: bool,
    shell_errexit: bool,
) -> (Vec<Defeat>, Vec<String>) {
    let body = run.rest.slice(&run.ins.logical);
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

/// Whether apt reads the package lists before any `apt-get update` in these commands.
fn reads_lists_before_update(commands: &[Command]) -> bool {
    for cmd in commands {
        if let Some(apt) = apt_command(cmd) {
            match apt.sub.value.as_str() {
                "update" => return false,
                _ if cmd.words.iter().any(|w| w.value == "--update") => return false,
                s if USES_INDEX.contains(&s) => return true,
                _ => {}
            }
        } else if wraps_apt(cmd) {
            return true;
        }
    }
    false
}

/// The instructions that run after run `r` on top of what it leaves: later ones of its stage
/// and those of the stages built on it.
fn later_instructions<'a>(ctx: &Context<'a>, run: &ShellRun) -> Vec<&'a Instruction> {
    let mut out: Vec<&Instruction> = ctx
        .stages
        .get(run.stage)
        .iter()
        .flat_map(|s| &s.instructions)
        .skip_while(|i| !std::ptr::eq(**i, run.ins))
        .skip(1)
        .copied()
        .collect();
    for (i, s) in ctx.stages.iter().enumerate() {
        if i > run.stage && stage_chain(ctx, i).contains(&run.stage) {
            out.extend(s.instructions.iter().copied());
        }
    }
    out
}

/// Why adding an apt mount would break this RUN or a later one, if it would.
fn apt_blocked(ctx: &Context, runs: &[ShellRun], run: &ShellRun) -> Option<String> {
    // /var/lib/apt/extended_states records which packages were installed automatically: under
    // a mount, it is the cache's (shared with other builds and stages), not the image's.
    if run.commands.iter().any(|c| {
        program(c) == Some("apt-mark")
            || apt_command(c)
                .is_some_and(|a| matches!(a.sub.value.as_str(), "autoremove" | "autopurge"))
            || c.words
                .iter()
                .any(|w| w.value == "--auto-remove" || w.value == "--autoremove")
    }) {
        return Some(
            "it uses apt's record of automatically installed packages (`apt-mark`, \
             `autoremove`), which the mount on /var/lib/apt would take from the cache"
                .into(),
        );
    }
    if reads_lists_before_update(&run.commands) {
        return Some(
            "it installs without `apt-get update`: the mount on /var/lib/apt would hide the \
             package lists an earlier step stored"
                .into(),
        );
    }
    for ins in later_instructions(ctx, run) {
        let line = ins.start_line;
        let mentions = |t: &str| {
            ["apt-get", "apt ", "aptitude", "apt-cache"]
                .iter()
                .any(|p| t.contains(p))
        };
        let why = format!("the RUN on line {line} reads the package lists this RUN stores");
        match (ins.kind(), runs.iter().find(|r| std::ptr::eq(r.ins, ins))) {
            (Kind::Run, Some(r)) => {
                if mounted_over(r, "/var/lib/apt/lists") {
                    continue;
                }
                let mut commands = r.commands.clone();
                for h in &ins.heredocs {
                    let body = ctx.doc.slice(h.body);
                    match crate::shell::commands(body) {
                        Some(more) => commands.extend(more),
                        None if mentions(body) => return Some(why),
                        None => {}
                    }
                }
                if reads_lists_before_update(&commands) {
                    return Some(why);
                }
            }
            (Kind::Run | Kind::Onbuild, _) if mentions(ctx.doc.slice(ins.span)) => {
                return Some(why);
            }
            _ => {}
        }
    }
    None
}

/// Why a mount for an offline-capable tool would break a later step, if it would: a later
/// RUN that uses the tool offline (or with `--network=none`) without a mount of its own.
fn offline_blocked(
    ctx: &Context,
    runs: &[ShellRun],
    run: &ShellRun,
    tool: Tool,
    plan: &Plan,
) -> Option<String> {
    let (programs, markers) = tool.offline()?;
    for ins in later_instructions(ctx, run) {
        if !matches!(ins.kind(), Kind::Run | Kind::Onbuild) {
            continue;
        }
        let text = ctx.doc.slice(ins.span);
        let uses = text
            .split(|c: char| c.is_whitespace() || c == '"' || c == '/')
            .any(|w| programs.contains(&w));
        if !uses {
            continue;
        }
        let shell = runs.iter().find(|r| std::ptr::eq(r.ins, ins));
        if shell.is_some_and(|r| {
            mounts(r)
                .iter()
                .any(|m| m.cache && plan.targets.iter().any(|t| is_within(t, &m.target)))
        }) {
            continue;
        }
        let offline = ins
            .node
            .flags
            .iter()
            .any(|f| f.name() == "network" && f.value() == Some("none"))
            || text.split_whitespace().any(|w| {
                markers
                    .iter()
                    .any(|m| w == *m || w.starts_with(&format!("{m}=")))
            });
        if offline {
            return Some(format!(
                "the RUN on line {} works offline with what this RUN stores",
                ins.start_line
            ));
        }
    }
    None
}

/// Why a mount on `target` would hide files an earlier COPY or ADD put there, if it would.
fn copy_blocked(ctx: &Context, run: &ShellRun, targets: &[String]) -> Option<String> {
    for stage in stage_chain(ctx, run.stage) {
        for ins in ctx.stages.get(stage).iter().flat_map(|s| &s.instructions) {
            if std::ptr::eq(*ins, run.ins) {
                break;
            }
            if !matches!(ins.kind(), Kind::Copy | Kind::Add) {
                continue;
            }
            let dest = match &ins.node.args {
                Args::Words(w) => w.last().map(|s| s.slice(&ins.logical).to_string()),
                Args::Json(a) => a.last().map(|a| a.value.clone()),
                _ => None,
            };
            let Some(dest) = dest else { continue };
            let dest = dest.trim_end_matches('/');
            if let Some(t) = targets.iter().find(|t| is_within(dest, t)) {
                return Some(format!(
                    "the {} on line {} puts files in {t}, which the mount would hide",
                    ins.kind().keyword(),
                    ins.start_line
                ));
            }
        }
    }
    None
}

/// A use of a tool in a RUN.
struct Use<'c> {
    tool: Tool,
    index: usize,
    first: &'c Word,
    last: &'c Word,
    label: String,
}

fn uses<'c>(run: &'c ShellRun) -> Vec<Use<'c>> {
    let mut out: Vec<Use> = Vec::new();
    for (index, cmd) in run.commands.iter().enumerate() {
        let Some((tool, last)) = detect(cmd) else {
            continue;
        };
        let words = command_words(cmd);
        let (Some(first_word), Some(last_word), Some(named)) =
            (words.first(), words.get(last), words.get(..=last))
        else {
            continue;
        };
        let label = named
            .iter()
            .map(|w| w.value.rsplit('/').next().unwrap_or(&w.value))
            .collect::<Vec<_>>()
            .join(" ");
        // One use per tool; `go build` also covers `go mod download`, and `apt-get install`
        // names apt's use better than the `apt-get update` before it.
        if let Some(u) = out.iter_mut().find(|u| {
            u.tool == tool
                || matches!(
                    (u.tool, tool),
                    (Tool::GoMod, Tool::Go) | (Tool::Go, Tool::GoMod)
                )
        }) {
            if u.tool == Tool::GoMod && tool == Tool::Go {
                u.tool = Tool::Go;
            }
            if tool == Tool::Apt && u.last.value == "update" && last_word.value != "update" {
                u.first = first_word;
                u.last = last_word;
                u.label = label;
            }
            continue;
        }
        out.push(Use {
            tool,
            index,
            first: first_word,
            last: last_word,
            label,
        });
    }
    out
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the first apt RUN of a stage starts with: Debian's `docker-clean` hook deletes every
/// downloaded `.deb`, and would leave the cache empty.
const DOCKER_CLEAN: [&str; 2] = [
    "rm -f /etc/apt/apt.conf.d/docker-clean",
    "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache",
];

/// How a fix title names what it removes or replaces (`remove `--no-cache-dir``, `replace
/// `--no-cache` with `--update-cache``).
fn changes(defeats: &[Defeat]) -> Option<String> {
    let mut removed: Vec<String> = Vec::new();
    let mut replaced = false;
    for d in defeats {
        if matches!(&d.edit, Ok(Some(e)) if !e.content.is_empty()) {
            replaced = true;
            continue;
        }
        let w = match &d.operand {
            Some(o) => format!("`{o}` from `rm`"),
            None => format!("`{}`", d.what),
        };
        if !removed.contains(&w) {
            removed.push(w);
        }
    }
    let mut parts = Vec::new();
    if replaced {
        parts.push("replace `--no-cache` with `--update-cache`".to_string());
    }
    if !removed.is_empty() {
        parts.push(format!("remove {}", and_list(&removed)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mount_mode = ctx.options.cache_strategy == CacheStrategy::Mount;
    let runs = ctx.shell_runs();
    let file = std::cell::OnceCell::new();
    // Stages whose docker-clean hook an earlier fix removes.
    let mut unhooked: Vec<usize> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        if !run.ins.heredocs.is_empty() {
            continue;
        }
        let uses = uses(run);
        if uses.is_empty() {
            continue;
        }
        let file = file.get_or_init(|| FileEnv::new(ctx, runs));
        let Some(env) = RunEnv::new(ctx, runs, file, r) else {
            continue;
        };
        let existing = mounts(run);
        let mut fixed = false;
        if mount_mode {
            let missing: Vec<(&Use, Result<Plan, String>)> = uses
                .iter()
                .map(|u| (u, plan(u.tool, &env, run, u.index)))
                .filter(|(u, p)| {
                    !existing
                        .iter()
                        .any(|m| tool_mounted(u.tool, p.as_ref().ok(), m))
                })
                .collect();
            if let Some((diag, has_fix)) =
                missing_diag(ctx, runs, run, &env, &missing, &mut unhooked)
            {
                fixed = has_fix;
                out.push(diag);
            }
        }
        if !fixed
            && let Some(d) = defeated_diag(
                run,
                shell_errexit(ctx, run),
                &env,
                &uses,
                &existing,
                mount_mode,
            )
        {
            out.push(d);
        }
    }
}

/// The diagnostic for tools used without a cache mount, with the fix when there is one.
fn missing_diag(
    ctx: &Context,
    runs: &[ShellRun],
    run: &ShellRun,
    env: &RunEnv,
    missing: &[(&Use, Result<Plan, String>)],
    unhooked: &mut Vec<usize>,
) -> Option<(Diagnostic, bool)> {
    let n = missing.len();
    let labels: Vec<String> = missing
        .iter()
        .map(|(u, _)| format!("`{}`", u.label))
        .collect();
    let mut notes: Vec<String> = Vec::new();
    let mut shown_targets: Vec<String> = Vec::new();
    // (use, plan) of the tools the fix covers.
    let mut fixable: Vec<(&Use, &Plan)> = Vec::new();
    let name = |u: &Use| {
        if n == 1 {
            String::new()
        } else {
            format!(" for `{}`", u.label)
        }
    };
    let mut home_note = None;
    for (u, p) in missing {
        let p = match p {
            Ok(p) => p,
            Err(why) => {
                notes.push(format!("no fix{}: {why}", name(u)));
                continue;
            }
        };
        shown_targets.extend(p.targets.iter().cloned());
        if !u.tool.system()
            && let User::Named(user) = &env.user
            && let Ok((home, true)) = env.home(run, u.index)
        {
            home_note = Some(format!("the RUN runs as `{user}`, HOME taken to be {home}"));
        }
        let blocked = if u.tool.system() {
            None
        } else {
            env.uid().err()
        }
        .or_else(|| {
            if u.tool == Tool::Apt {
                apt_blocked(ctx, runs, run)
            } else {
                offline_blocked(ctx, runs, run, u.tool, p)
            }
        })
        .or_else(|| copy_blocked(ctx, run, &p.targets))
        .or_else(|| {
            p.targets
                .iter()
                .find(|t| t.contains([',', '"', '\'', ' ', '\t', '=']))
                .map(|t| format!("the folder {t} cannot be written in a mount flag"))
        });
        match blocked {
            Some(why) => notes.push(format!("no fix{}: {why}", name(u))),
            None => fixable.push((u, p)),
        }
    }
    if let Some(h) = home_note {
        notes.insert(0, h);
    }
    let first = missing.first()?.0;
    let verb = if n == 1 { "downloads" } else { "download" };
    let mut message = format!(
        "{} {verb} packages without a cache mount",
        and_list(&labels)
    );
    if !shown_targets.is_empty() {
        message.push_str(&format!(" on {}", shown_targets.join(", ")));
    }
    let span = word_span(run, first.first, first.last);
    let mut fix = None;
    if !fixable.is_empty() {
        match mount_fix(ctx, run, env, &fixable, unhooked) {
            Ok(f) => fix = Some(f),
            Err(why) => notes.push(format!("no fix: {why}")),
        }
    }
    for note in notes {
        message.push_str("; ");
        message.push_str(&note);
    }
    let mut diag = Diagnostic::new(&RULE, span, message);
    let has_fix = fix.is_some();
    if let Some(f) = fix {
        diag = diag.with_fix(f);
    }
    Some((diag, has_fix))
}

/// The fix that adds the mounts for `fixable` and removes what defeats them.
fn mount_fix(
    ctx: &Context,
    run: &ShellRun,
    env: &RunEnv,
    fixable: &[(&Use, &Plan)],
    unhooked: &mut Vec<usize>,
) -> Result<Fix, String> {
    if network_none(run) {
        return Err(
            "the RUN has no network (`--network=none`): the mount would hide what it installs \
             from"
                .into(),
        );
    }
    let uid = env.uid().ok().flatten();
    let mut flags: Vec<String> = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    let mut tools: Vec<Tool> = Vec::new();
    for (u, p) in fixable {
        tools.push(u.tool);
        bases.extend(p.bases.iter().cloned());
        for t in &p.targets {
            if targets.contains(t) {
                continue;
            }
            targets.push(t.clone());
            let mut flag = format!("--mount=type=cache,target={t}");
            if u.tool == Tool::Apt {
                flag.push_str(",sharing=locked");
            }
            if let (false, Some(uid)) = (u.tool.system(), uid) {
                flag.push_str(&format!(",uid={uid}"));
            }
            flags.push(flag);
        }
    }
    // The RUN's existing cache mounts of the tools it uses are defeated the same way.
    let existing = mounts(run);
    for u in uses(run) {
        let p = plan(u.tool, env, run, u.index).ok();
        for m in existing
            .iter()
            .filter(|m| m.cache && tool_mounted(u.tool, p.as_ref(), m))
        {
            if !tools.contains(&u.tool) {
                tools.push(u.tool);
            }
            if !targets.contains(&m.target) {
                targets.push(m.target.clone());
            }
        }
    }
    let (defeats, conflicts) = defeats(
        run,
        env,
        &tools,
        &targets,
        &bases,
        false,
        shell_errexit(ctx, run),
    );
    if let Some(c) = conflicts.into_iter().next() {
        return Err(c);
    }
    let mut edits = Vec::new();
    for d in &defeats {
        match &d.edit {
            Ok(e) => edits.extend(e.clone()),
            Err(why) => return Err(format!("`{}` cannot be removed: {why}", d.what)),
        }
    }
    let added = targets_of(fixable);
    let mut title = if let [only] = added.as_slice() {
        format!("Add a cache mount on {only}")
    } else {
        format!("Add cache mounts on {}", and_list(&added))
    };
    // One mount stays on the RUN line; more go on continuation lines, as Docker's
    // documentation writes them.
    let nl = if ctx.doc.slice(run.ins.span).contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut hook = false;
    if fixable.iter().any(|(u, _)| u.tool == Tool::Apt) {
        let chain = stage_chain(ctx, run.stage);
        let mentioned = any_text_before(ctx, run, "docker-clean", |t| t.contains("docker-clean"))
            || ctx.doc.slice(run.ins.span).contains("docker-clean");
        if !mentioned && !chain.iter().any(|s| unhooked.contains(s)) {
            let body = run.rest.slice(&run.ins.logical);
            let name_len = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            if name_len > 0 && body[name_len..].trim_start().starts_with('(') {
                return Err("the RUN starts with a function definition".into());
            }
            edits.push(Edit::insert(
                run.ins.source_offset(run.rest.start),
                DOCKER_CLEAN
                    .iter()
                    .map(|c| format!("{c} \\{nl}    && "))
                    .collect::<String>(),
            ));
            unhooked.push(run.stage);
            hook = true;
            title.push_str(", remove the docker-clean hook");
        }
    }
    let at = run.ins.to_source(run.ins.node.keyword).end;
    // `RUN \` with the rest on the next lines: the last mount takes that continuation.
    let after = ctx.doc.text[at..].trim_start_matches([' ', '\t']);
    let continued = after.starts_with("\\\n") || after.starts_with("\\\r\n");
    edits.push(Edit::insert(
        at,
        if let ([only], false) = (flags.as_slice(), hook) {
            format!(" {only}")
        } else if continued {
            flags
                .iter()
                .map(|f| format!(" {f}"))
                .collect::<Vec<_>>()
                .join(&format!(" \\{nl}   "))
        } else {
            flags
                .iter()
                .map(|f| format!(" {f} \\{nl}   "))
                .collect::<String>()
        },
    ));
    if let Some(what) = changes(&defeats) {
        title.push_str(&format!(", {what}"));
    }
    Ok(Fix::new(title, Applicability::Unsafe, edits))
}

fn targets_of(fixable: &[(&Use, &Plan)]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (_, p) in fixable {
        for t in &p.targets {
            if !v.contains(t) {
                v.push(t.clone());
            }
        }
    }
    v
}

/// The diagnostic for existing cache mounts that the RUN defeats (a no-cache flag; under
/// `strategy = "mount"` also cleaning commands and `rm` in the mounted folders).
fn defeated_diag(
    run: &ShellRun,
    errexit: bool,
    env: &RunEnv,
    uses: &[Use],
    existing: &[Mount],
    mount_mode: bool,
) -> Option<Diagnostic> {
    let caches: Vec<&Mount> = existing.iter().filter(|m| m.cache).collect();
    let mut tools = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    // Why the fix would not be Safe for a tool: its cache for the RUN's user is not known to
    // be inside the mount (a mount only named like it).
    let mut unsure: Vec<(Tool, String)> = Vec::new();
    for u in uses {
        if !mount_mode && !matches!(u.tool, Tool::Pip | Tool::Apk) {
            continue;
        }
        let p = plan(u.tool, env, run, u.index);
        let mine: Vec<&&Mount> = caches
            .iter()
            .filter(|m| tool_mounted(u.tool, p.as_ref().ok(), m))
            .collect();
        if mine.is_empty() {
            continue;
        }
        tools.push(u.tool);
        for m in mine {
            if !targets.contains(&m.target) {
                targets.push(m.target.clone());
            }
        }
        let covered = p.as_ref().is_ok_and(|p| {
            p.targets
                .iter()
                .any(|t| caches.iter().any(|m| is_within(t, &m.target)))
        });
        if !covered {
            let why = match &p {
                Err(e) => e.clone(),
                Ok(p) => format!(
                    "the cache of `{}` for this RUN is {}, not inside the mount",
                    u.label,
                    and_list(&p.targets)
                ),
            };
            unsure.push((u.tool, why));
        }
    }
    if tools.is_empty() {
        return None;
    }
    let (defeats, _) = defeats(run, env, &tools, &targets, &[], !mount_mode, errexit);
    let first = defeats.first()?;
    let mut whats: Vec<String> = Vec::new();
    let mut edits = Vec::new();
    let mut why_not = None;
    for d in &defeats {
        let w = format!("`{}`", d.what);
        if !whats.contains(&w) {
            whats.push(w);
        }
        match &d.edit {
            Ok(e) => edits.extend(e.clone()),
            Err(why) => {
                why_not.get_or_insert_with(|| format!("`{}` cannot be removed: {why}", d.what));
            }
        }
        if let Some((_, why)) = unsure.iter().find(|(t, _)| Some(*t) == d.tool) {
            why_not.get_or_insert_with(|| why.clone());
        }
    }
    let mut message = format!(
        "the cache mount{} on {} {} defeated by {}",
        if targets.len() == 1 { "" } else { "s" },
        and_list(&targets),
        if targets.len() == 1 { "is" } else { "are" },
        and_list(&whats)
    );
    if let Some(why) = why_not {
        message.push_str(&format!("; no fix: {why}"));
        return Some(Diagnostic::new(&RULE, first.span, message));
    }
    let title = changes(&defeats).unwrap_or_default();
    let title = format!("{}{}", title[..1].to_ascii_uppercase(), &title[1..]);
    Some(
        Diagnostic::new(&RULE, first.span, message).with_fix(Fix::new(
            title,
            Applicability::Safe,
            edits,
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{LintOptions, check_with};

    fn df501(text: &str, cache_strategy: CacheStrategy) -> Vec<Diagnostic> {
        let doc = crate::syntax::parse(text).unwrap();
        check_with(
            &doc,
            &|r| r.code == "DF501",
            LintOptions {
                cache_strategy,
                ..Default::default()
            },
        )
    }

    #[test]
    fn quiet_under_clean_except_defeated_mounts() {
        let text = "FROM python:3.12\nRUN pip install flask\n\
            RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n";
        let clean = df501(text, CacheStrategy::Clean);
        assert_eq!(clean.len(), 1);
        assert!(clean[0].message.contains("defeated by `--no-cache-dir`"));
        assert_eq!(df501(text, CacheStrategy::Mount).len(), 2);
    }

    #[test]
    fn cleaning_at_the_edges_of_the_body() {
        // These panicked (index out of bounds, subtract with overflow) before.
        let one = |body: &str| {
            let d = df501(
                &format!("FROM python:3.12\nRUN {body}\n"),
                CacheStrategy::Mount,
            );
            assert_eq!(d.len(), 1, "{body}");
            (d[0].message.clone(), d[0].fix.is_some())
        };
        let not_joined = "cannot be removed: it is not joined to the rest of the RUN";
        for body in [
            "pip install flask; pip cache purge &&",
            "&& pip cache purge; pip install flask",
        ] {
            let (message, fixed) = one(body);
            assert!(message.contains(not_joined) && !fixed, "{body}: {message}");
        }
        // A `;` at the end is the end of the RUN: the cleaning goes when `set -e` makes the
        // RUN's status the same.
        let (message, fixed) = one("pip install flask; pip cache purge;");
        assert!(message.contains("without `set -e`") && !fixed, "{message}");
        assert!(one("set -e; pip install flask; pip cache purge;").1);
        assert!(one("pip install flask && pip cache purge;").1);
    }

    #[test]
    fn users_and_homes() {
        let user = |t: &str| parse_user(t);
        assert_eq!(user("root"), User::Root);
        assert_eq!(user("0:0"), User::Root);
        assert_eq!(user("1000:1000"), User::Uid(1000));
        assert_eq!(user("app:app"), User::Named("app".into()));
        assert_eq!(user("$USER"), User::Unknown("$USER".into()));
        let acc = |body: &str| account(&crate::shell::commands(body).unwrap()[0]).unwrap();
        let (name, a) = acc("useradd -m -u 10001 -d /srv/app app");
        assert_eq!(
            (name.as_str(), a.uid, a.home.as_deref()),
            ("app", Some(10001), Some("/srv/app"))
        );
        let (name, a) = acc("adduser --system --uid=999 svc");
        assert_eq!((name.as_str(), a.uid, a.no_home), ("svc", Some(999), true));
        let (name, a) = acc("adduser -S -D -u 1000 -h /home/x x");
        assert_eq!(
            (name.as_str(), a.uid, a.home.as_deref(), a.no_home),
            ("x", Some(1000), Some("/home/x"), false)
        );
    }

    #[test]
    fn command_removal() {
        let run_of = |body: &str| format!("FROM x\nRUN {body}\n");
        let del = |body: &str, first: usize, last: usize| {
            let text = run_of(body);
            let doc = crate::syntax::parse(&text).unwrap();
            let ctx = Context::new(&doc);
            let runs = ctx.shell_runs();
            delete_commands(&runs[0], first, last, false).map(|e| {
                let mut t = text.clone();
                t.replace_range(e.span.start..e.span.end, "");
                t
            })
        };
        assert_eq!(del("a && rm x && b", 1, 1).unwrap(), run_of("a && b"));
        assert_eq!(del("a && rm x", 1, 1).unwrap(), run_of("a"));
        assert_eq!(del("a && rm x && rm y", 1, 2).unwrap(), run_of("a"));
        assert_eq!(del("rm x && b", 0, 0).unwrap(), run_of("b"));
        assert_eq!(del("(a && rm x)", 1, 1).unwrap(), run_of("(a)"));
        assert!(del("a; rm x", 1, 1).is_err());
        assert_eq!(del("set -e; a; rm x", 2, 2).unwrap(), run_of("set -e; a"));
        assert!(del("set -e; b && a; rm x", 3, 3).is_err());
        assert_eq!(del("a; rm x; b", 1, 1).unwrap(), run_of("a; b"));
        assert_eq!(del("a && rm x; b", 1, 1).unwrap(), run_of("a; b"));
        assert_eq!(del("a; rm x && b", 1, 1).unwrap(), run_of("a; b"));
        assert!(del("a | rm x && b", 1, 1).is_err());
        assert!(del("a || rm x && b", 1, 1).is_err());
        assert!(del("a && rm x 2>/dev/null", 1, 1).is_err());
        assert_eq!(
            del("a \\\n    && rm x\n", 1, 1).unwrap(),
            "FROM x\nRUN a\n\n"
        );
    }
}
