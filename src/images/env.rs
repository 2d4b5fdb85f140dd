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
        for f in IMAGE_ENV {
            assert!(!f.source.is_empty() && f.value.starts_with('/'), "{f:?}");
        }
    }
}
