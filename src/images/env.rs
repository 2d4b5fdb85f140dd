//! What the official images set for the programs they ship: environment variables that move
//! a tool's folders (`GOPATH=/go` in `golang`), and the uids of the users they create.

/// A variable an image sets with `ENV`, its value, and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvFact {
    /// The name [`official_name`](super::official_name) gives.
    pub image: &'static str,
    pub name: &'static str,
    pub value: &'static str,
    pub source: &'static str,
}

const fn env(
    image: &'static str,
    name: &'static str,
    value: &'static str,
    source: &'static str,
) -> EnvFact {
    EnvFact {
        image,
        name,
        value,
        source,
    }
}

/// Variables of the official images' Linux tags that say where a tool keeps its files.
pub static IMAGE_ENV: &[EnvFact] = &[
    env(
        "golang",
        "GOPATH",
        "/go",
        "corpus: docker-library/golang: ENV GOPATH /go",
    ),
    env(
        "rust",
        "CARGO_HOME",
        "/usr/local/cargo",
        "corpus: rust-lang/docker-rust: ENV CARGO_HOME=/usr/local/cargo",
    ),
    env(
        "rust",
        "RUSTUP_HOME",
        "/usr/local/rustup",
        "corpus: rust-lang/docker-rust: ENV RUSTUP_HOME=/usr/local/rustup",
    ),
    env(
        "composer",
        "COMPOSER_HOME",
        "/tmp",
        "official image: ENV COMPOSER_HOME /tmp",
    ),
];

/// The value an image gives a variable with `ENV`, when known.
pub fn image_env(image: &str, name: &str) -> Option<&'static str> {
    IMAGE_ENV
        .iter()
        .find(|f| f.image == image && f.name == name)
        .map(|f| f.value)
}

/// The names of the variables an image's configuration sets, as far as they are known: the
/// `ENV`s of its Dockerfiles (every Linux tag, the final stage and any build stage) and of the
/// images it is built on, and names that older tags set. An image may have several entries
/// (its current Dockerfiles, its history), each with where it was checked; the names an
/// image has are the union of its entries. BuildKit adds `PATH` to every Linux image that
/// has none, so `PATH` is always set and need not be listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvNamesFact {
    /// The name [`official_name`](super::official_name) gives.
    pub image: &'static str,
    pub names: &'static [&'static str],
    pub source: &'static str,
}

const fn names(
    image: &'static str,
    names: &'static [&'static str],
    source: &'static str,
) -> EnvNamesFact {
    EnvNamesFact {
        image,
        names,
        source,
    }
}

/// The images whose whole environment dockerfix knows (Linux tags). An image not listed
/// here may set any variable.
pub static ENV_NAMES: &[EnvNamesFact] = &[
    // The distributions' root file systems: `FROM scratch`, `ADD` of the rootfs, `CMD`.
    names(
        "alpine",
        &["PATH"],
        "official image: FROM scratch, ADD rootfs, CMD; no ENV",
    ),
    names(
        "busybox",
        &["PATH"],
        "official image: FROM scratch, ADD rootfs, CMD; no ENV",
    ),
    names(
        "debian",
        &["PATH"],
        "official image: FROM scratch, ADD rootfs, CMD; no ENV",
    ),
    names(
        "ubuntu",
        &["PATH"],
        "official image: FROM scratch, ADD rootfs, CMD; no ENV",
    ),
    names(
        "buildpack-deps",
        &[],
        "corpus: docker-library/buildpack-deps: no ENV (built on debian, ubuntu)",
    ),
    names(
        "python",
        &["PATH", "LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256"],
        "corpus: docker-library/python (built on debian, buildpack-deps, alpine)",
    ),
    names(
        "python",
        &[
            "PYTHONIOENCODING",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_WHEEL_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
        ],
        "history: docker-library/python, older tags (2.7, 3.x before 3.12)",
    ),
    names(
        "node",
        &["NODE_VERSION", "YARN_VERSION"],
        "corpus: nodejs/docker-node (built on buildpack-deps, debian, alpine)",
    ),
    names(
        "node",
        &["NPM_CONFIG_LOGLEVEL", "NPM_VERSION"],
        "history: nodejs/docker-node, older tags (0.10 to 8)",
    ),
    names(
        "golang",
        &[
            "PATH",
            "GOLANG_VERSION",
            "GOLANG_COMMIT",
            "GOTOOLCHAIN",
            "GOPATH",
        ],
        "corpus: docker-library/golang (built on buildpack-deps, debian, alpine)",
    ),
    names(
        "rust",
        &["PATH", "RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"],
        "corpus: rust-lang/docker-rust (built on buildpack-deps, debian, alpine)",
    ),
    names(
        "postgres",
        &[
            "PATH",
            "LANG",
            "GOSU_VERSION",
            "PG_MAJOR",
            "PG_VERSION",
            "PG_SHA256",
            "PGDATA",
            "DOCKER_PG_LLVM_DEPS",
        ],
        "corpus: docker-library/postgres (built on debian, alpine)",
    ),
    names(
        "postgres",
        &["OSSP_UUID_VERSION", "OSSP_UUID_SHA256"],
        "history: docker-library/postgres, older alpine tags",
    ),
    names(
        "redis",
        &[
            "GOSU_VERSION",
            "REDIS_VERSION",
            "REDIS_DOWNLOAD_URL",
            "REDIS_DOWNLOAD_SHA",
        ],
        "corpus: docker-library/redis (built on debian, alpine)",
    ),
    names(
        "redis",
        &["REDIS_DOWNLOAD_SHA1"],
        "history: docker-library/redis, older tags",
    ),
    names(
        "mysql",
        &[
            "GOSU_VERSION",
            "MYSQL_MAJOR",
            "MYSQL_VERSION",
            "MYSQL_SHELL_VERSION",
        ],
        "corpus: docker-library/mysql (built on oraclelinux)",
    ),
    names(
        "mongo",
        &[
            "GOSU_VERSION",
            "JSYAML_VERSION",
            "JSYAML_CHECKSUM",
            "MONGO_PACKAGE",
            "MONGO_REPO",
            "MONGO_MAJOR",
            "MONGO_VERSION",
            "HOME",
            "GLIBC_TUNABLES",
        ],
        "corpus: docker-library/mongo (built on ubuntu)",
    ),
    names(
        "mongo",
        &["GPG_KEYS", "MONGO_RELEASE_FINGERPRINT"],
        "history: docker-library/mongo, older tags",
    ),
];

/// The names of the variables an image sets ([`ENV_NAMES`]), with `PATH`; `None` when the
/// image is not in the table (its environment is not known).
pub fn env_names(image: &str) -> Option<Vec<&'static str>> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut found = false;
    for f in ENV_NAMES.iter().filter(|f| f.image == image) {
        found = true;
        for n in f.names {
            if !out.contains(n) {
                out.push(n);
            }
        }
    }
    if !found {
        return None;
    }
    if !out.contains(&"PATH") {
        out.insert(0, "PATH");
    }
    Some(out)
}

/// A user an official image creates, its uid, and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UidFact {
    pub image: &'static str,
    pub user: &'static str,
    pub uid: u32,
    pub source: &'static str,
}

/// Users the official images create, with their uids. A user of that name elsewhere is taken
/// for the image's (a Dockerfile that switches to `node` is built on `node`, or copies it).
pub static USER_IDS: &[UidFact] = &[UidFact {
    image: "node",
    user: "node",
    uid: 1000,
    source: "corpus: nodejs/docker-node: useradd --uid 1000 ... node",
}];

/// The uid of a user an official image creates, by the user's name.
pub fn uid_of(user: &str) -> Option<u32> {
    USER_IDS.iter().find(|f| f.user == user).map(|f| f.uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(image_env("golang", "GOPATH"), Some("/go"));
        assert_eq!(image_env("golang", "CARGO_HOME"), None);
        assert_eq!(image_env("python", "GOPATH"), None);
        assert_eq!(uid_of("node"), Some(1000));
        assert_eq!(uid_of("app"), None);
        assert_eq!(env_names("debian"), Some(vec!["PATH"]));
        assert!(env_names("python").unwrap().contains(&"PYTHON_PIP_VERSION"));
        assert_eq!(env_names("php"), None);
        for f in IMAGE_ENV {
            assert!(!f.source.is_empty() && f.value.starts_with('/'), "{f:?}");
        }
    }
}
