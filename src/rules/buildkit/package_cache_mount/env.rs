//! What a RUN runs with (ENV and ARG values, its USER, the accounts earlier RUNs made) and
//! where each tool keeps its cache for that RUN (the plan of a mount).

#[allow(unused_imports)]
use super::*;

/// A value of a variable: a literal, or one we cannot know (an expansion, an ARG without a
/// default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Val {
    Lit(String),
    Unknown,
}

pub(super) fn val(raw: &str) -> Val {
    let v = raw.trim_matches(['"', '\'']);
    if v.contains(['$', '`']) {
        Val::Unknown
    } else {
        Val::Lit(v.to_string())
    }
}

/// Who a RUN runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum User {
    Root,
    Named(String),
    Uid(u32),
    Unknown(String),
}

/// A user an earlier RUN makes with `useradd` or `adduser`.
#[derive(Clone, Debug, Default)]
pub(super) struct Account {
    pub(super) home: Option<String>,
    pub(super) uid: Option<u32>,
    /// Debian's `adduser --system` without `--home`: HOME is `/nonexistent`.
    pub(super) no_home: bool,
}

/// What a RUN runs with: the variables ENV and ARG set before it, its USER, the image its
/// stage is built on, and the users earlier RUNs made.
pub(super) struct RunEnv<'c, 'a> {
    /// Where ENV and ARG values are looked up (`common::env_values_before`).
    pub(super) ctx: &'c Context<'a>,
    pub(super) stage: usize,
    pub(super) ins: &'a Instruction,
    pub(super) user: User,
    pub(super) image: Option<String>,
    /// The account an earlier RUN of its image made for its USER, if one did.
    pub(super) account: Option<Account>,
}

/// The image a stage chain starts from, as the image knowledge base names it (`rust`,
/// `golang`), when no build argument names it.
pub(super) fn official_image(ctx: &Context, stage: usize) -> Option<String> {
    base_image_of(ctx, stage)?.literal_official_name()
}

pub(super) fn parse_user(text: &str) -> User {
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
pub(super) fn account(cmd: &Command) -> Option<(String, Account)> {
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
pub(super) struct FileEnv {
    pub(super) users: States<User>,
    /// Per account name: the RUNs that make it, in order, with their stage.
    pub(super) accounts: HashMap<String, Vec<(usize, usize, Account)>>,
}

impl FileEnv {
    pub(super) fn new(ctx: &Context, runs: &[ShellRun]) -> FileEnv {
        let users = states_before(ctx, User::Root, |user, ins| {
            if let (Kind::User, Args::Text(t)) = (ins.kind(), &ins.node.args) {
                *user = parse_user(t.slice(&ins.logical));
            }
        });
        let mut accounts: HashMap<String, Vec<(usize, usize, Account)>> = HashMap::new();
        for (r, o) in runs.iter().enumerate() {
            for (name, acc) in o.commands.iter().filter_map(account) {
                accounts.entry(name).or_default().push((r, o.stage, acc));
            }
        }
        FileEnv { users, accounts }
    }
}

impl<'c, 'a> RunEnv<'c, 'a> {
    pub(super) fn new(
        ctx: &'c Context<'a>,
        runs: &[ShellRun<'a>],
        file: &FileEnv,
        r: usize,
    ) -> Option<Self> {
        let run = runs.get(r)?;
        let user = state_at(&file.users, ctx, run.stage, run.ins)
            .cloned()
            .unwrap_or(User::Root);
        // The last account of that name an earlier RUN of the stage chain made.
        let account = match &user {
            User::Named(n) => file.accounts.get(n).and_then(|made| {
                let before = made.partition_point(|(o, _, _)| *o < r);
                made.get(..before)?
                    .iter()
                    .rev()
                    .find(|(_, stage, _)| builds_on(ctx, run.stage, *stage))
                    .map(|(_, _, acc)| acc.clone())
            }),
            _ => None,
        };
        Some(RunEnv {
            ctx,
            stage: run.stage,
            ins: run.ins,
            user,
            image: official_image(ctx, run.stage),
            account,
        })
    }

    /// The value ENV or ARG gives `name` before the RUN: the latest value set; `Unknown` when
    /// only an ARG without a default declares it.
    pub(super) fn stage_var(&self, name: &str) -> Option<Val> {
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
    pub(super) fn var(&self, run: &ShellRun, index: usize, name: &str) -> Option<Val> {
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
    pub(super) fn dir(
        &self,
        run: &ShellRun,
        index: usize,
        name: &str,
    ) -> Result<Option<String>, String> {
        match self.var(run, index, name) {
            None => Ok(None),
            Some(Val::Lit(v)) if v.starts_with('/') => Ok(Some(v.trim_end_matches('/').into())),
            Some(Val::Lit(v)) if v.is_empty() => Ok(None),
            Some(_) => Err(format!("`{name}` is not an absolute path known here")),
        }
    }

    pub(super) fn is_root(&self) -> bool {
        self.user == User::Root
    }

    /// What the image the stage is made from sets a variable to (`GOPATH` in `golang`).
    pub(super) fn image_env(&self, name: &str) -> Option<&'static str> {
        crate::images::image_env(self.image.as_deref()?, name)
    }

    /// HOME for command `index`, and whether it is assumed from the user name.
    pub(super) fn home(&self, run: &ShellRun, index: usize) -> Result<(String, bool), String> {
        if let Some(h) = self.dir(run, index, "HOME")? {
            return Ok((h, false));
        }
        match &self.user {
            User::Root => Ok(("/root".into(), false)),
            User::Named(n) => match (self.account.as_ref(), n.as_str()) {
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
    pub(super) fn uid(&self) -> Result<Option<u32>, String> {
        match &self.user {
            User::Root => Ok(None),
            User::Uid(uid) => Ok(Some(*uid)),
            User::Named(n) => match (self.account.as_ref().and_then(|a| a.uid), uid_of(n)) {
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
    pub(super) fn cache_home(&self, run: &ShellRun, index: usize) -> Result<String, String> {
        match self.dir(run, index, "XDG_CACHE_HOME")? {
            Some(d) => Ok(d),
            None => Ok(format!("{}/.cache", self.home(run, index)?.0)),
        }
    }
}

/// Where a tool keeps what it downloads, for command `index` of the RUN.
pub(super) struct Plan {
    /// The folders to mount.
    pub(super) targets: Vec<String>,
    /// Folders that hold the targets and are the tool's own (`rm -rf` of them goes too).
    pub(super) bases: Vec<String>,
}

pub(super) fn plan(tool: Tool, env: &RunEnv, run: &ShellRun, index: usize) -> Result<Plan, String> {
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
