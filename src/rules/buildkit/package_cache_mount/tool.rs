//! What downloads packages: the package managers and their cache options.

#[allow(unused_imports)]
use super::*;

/// What downloads packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tool {
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
    pub(super) fn system(self) -> bool {
        matches!(self, Tool::Apt | Tool::Apk)
    }

    /// Text a mount target of this tool contains, whatever the HOME it was written for.
    pub(super) fn keys(self) -> &'static [&'static str] {
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
    pub(super) fn in_dot_cache(self) -> bool {
        matches!(self, Tool::Pip | Tool::Uv | Tool::Poetry | Tool::Go)
    }

    /// Programs whose later use relies on what this tool stores, and flags that make them
    /// rely on it (offline).
    pub(super) fn offline(self) -> Option<(&'static [&'static str], &'static [&'static str])> {
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
pub(super) fn is_opt(w: &Word, name: &str) -> bool {
    w.value == name
        || w.value
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('='))
}

/// `--no-cache-dir`, or an abbreviation pip's option parser accepts for it.
pub(super) fn is_no_cache_dir(v: &str) -> bool {
    v.len() >= "--no-cache".len() && "--no-cache-dir".starts_with(v)
}

/// Where pip's own arguments start in a pip command (`pip`, `python3 -m pip`), as an index
/// into [`command_words`].
pub(super) fn pip_start(cmd: &Command) -> Option<usize> {
    let call = Call::of(cmd, &programs::PIP)?;
    Some(call.inv.start + 1 - cmd.name_index())
}

/// The tool a command runs and the index (in [`command_words`]) of the word that ends its
/// name (`install` in `pip install`).
pub(super) fn detect(cmd: &Command) -> Option<(Tool, usize)> {
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
