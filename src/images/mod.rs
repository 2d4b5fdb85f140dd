//! What dockerfix knows about base images, in one place: one table per fact, each entry with
//! where it was checked (the official image's Dockerfile in the corpus, or its documentation),
//! and one way to name an image ([`official_name`], [`tag_of`]). Rules ask here instead of
//! keeping their own lists; `tests/images.rs` checks the entries against the official images'
//! own Dockerfiles where the corpus has them.
//!
//! One file per family of facts:
//! - [`start`]: how an image starts: no ENTRYPOINT, or starting as root because its entrypoint
//!   or server steps down (whole images, variants such as php's apache, namespaces such as
//!   linuxserver.io's);
//! - [`users`](mod@users): who it runs as, and the users it has (`node`, distroless's
//!   `nonroot`);
//! - [`family`]: what it is built on and installs packages with (Debian and apt, Alpine and
//!   apk, the Red Hat family's dnf, yum or microdnf, zypper, tdnf, none), by tag
//!   (`python:3.12-alpine` is Alpine);
//! - [`variants`]: its smaller `-slim` or JRE tags;
//! - [`shell`]: whether it ships bash, and what its `/bin/sh` is (dash, busybox's ash, bash);
//! - [`apt`]: whether it keeps Debian's `docker-clean` apt hook;
//! - [`env`](mod@env): what it sets for the tools it ships (`GOPATH`), the names of all the
//!   variables it sets (for the images whose whole environment is known), and the uids of its
//!   users.
//!
//! The rules find the image a stage is made from, through stage chains and global `ARG`
//! defaults, with `rules::common::base_image_of`.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod apt;
pub mod env;
pub mod family;
pub mod shell;
pub mod start;
pub mod users;
pub mod variants;

pub use apt::DOCKER_CLEAN;
pub use env::{ENV_NAMES, env_names, image_env, uid_of};
pub use family::{
    Distro, FAMILIES, Family, PackageManager, distro, mentions_windows, package_manager,
};
pub use shell::{BIN_SH, BinSh, HAS_BASH, NO_BASH_TAGS, bin_sh, has_bash};
pub use start::{NO_ENTRYPOINT, STEPS_DOWN, in_root_namespace, steps_down};
pub use users::{NON_ROOT_USER, UserFact, Users, non_root_user, users};

/// One image a fact holds for, and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fact {
    /// The name [`official_name`] gives (`python`, `opensuse/leap`, `grafana/grafana`).
    pub image: &'static str,
    pub source: &'static str,
}

const fn fact(image: &'static str, source: &'static str) -> Fact {
    Fact { image, source }
}

/// Namespaces and registries under which the official images are also published.
const MIRRORS: &[&str] = &[
    "docker.io/library/",
    "index.docker.io/library/",
    "registry-1.docker.io/library/",
    "registry.hub.docker.com/library/",
    "docker.io/",
    "index.docker.io/",
    "registry-1.docker.io/",
    "registry.hub.docker.com/",
    "public.ecr.aws/docker/library/",
    "mirror.gcr.io/library/",
    "mirror.gcr.io/",
    "library/",
    "docker/library/",
    "amd64/",
    "arm32v5/",
    "arm32v6/",
    "arm32v7/",
    "arm64v8/",
    "i386/",
    "mips64le/",
    "ppc64le/",
    "riscv64/",
    "s390x/",
];

/// The name an image reference stands for in the tables: lowercase, without digest, tag,
/// Docker Hub's registry, `library/` or a per-architecture mirror (`arm64v8/python:3.12@sha256:…`
/// is `python`). Other registries stay part of the name (`ghcr.io/acme/app`).
pub fn official_name(reference: &str) -> String {
    let lower = reference.to_ascii_lowercase();
    let no_digest = lower.split('@').next().unwrap_or("");
    // A `:` after the last `/` starts the tag (`localhost:5000/app` has a port, not a tag).
    let name = match no_digest.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => no_digest,
    };
    let mut name = name;
    // Docker Hub's registry first, then one namespace prefix (`docker.io/arm64v8/python`).
    for _ in 0..2 {
        if let Some(rest) = MIRRORS.iter().find_map(|m| name.strip_prefix(m)) {
            name = rest;
        }
    }
    name.to_string()
}

/// The tag of an image reference, lowercase, or `latest` when it has none
/// (`arm64v8/python:3.12-slim@sha256:…` is `3.12-slim`; `localhost:5000/app` has none).
pub fn tag_of(reference: &str) -> String {
    let lower = reference.to_ascii_lowercase();
    let no_digest = lower.split('@').next().unwrap_or("");
    match no_digest.rsplit_once(':') {
        Some((_, tag)) if !tag.contains('/') && !tag.is_empty() => tag.to_string(),
        _ => "latest".to_string(),
    }
}

/// Whether a table holds an image, given by name ([`official_name`]).
pub fn holds(table: &[Fact], name: &str) -> bool {
    table.iter().any(|f| f.image == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for (reference, name) in [
            ("python:3.12-slim", "python"),
            ("docker.io/library/python:3.12", "python"),
            ("arm64v8/python@sha256:abc", "python"),
            ("docker.io/arm64v8/python:3", "python"),
            ("public.ecr.aws/docker/library/node:20", "node"),
            ("opensuse/leap:15.6", "opensuse/leap"),
            ("localhost:5000/team/app", "localhost:5000/team/app"),
            ("ghcr.io/acme/app:1", "ghcr.io/acme/app"),
            ("Grafana/Grafana", "grafana/grafana"),
        ] {
            assert_eq!(official_name(reference), name, "{reference}");
        }
        for (reference, tag) in [
            ("python", "latest"),
            ("Python:3.12-Slim", "3.12-slim"),
            ("arm64v8/python:3.12@sha256:abc", "3.12"),
            ("localhost:5000/team/app", "latest"),
            ("localhost:5000/team/app:1", "1"),
        ] {
            assert_eq!(tag_of(reference), tag, "{reference}");
        }
        assert!(holds(NO_ENTRYPOINT, "python") && !holds(NO_ENTRYPOINT, "php"));
        assert_eq!(non_root_user("grafana/grafana"), Some("grafana"));
    }

    #[test]
    fn every_entry_says_where_it_was_checked() {
        let images = NO_ENTRYPOINT
            .iter()
            .chain(STEPS_DOWN)
            .chain(DOCKER_CLEAN)
            .chain(HAS_BASH)
            .map(|f| (f.image, f.source))
            .chain(NON_ROOT_USER.iter().map(|f| (f.image, f.source)));
        for (image, source) in images {
            assert!(
                !source.is_empty() && official_name(image) == image,
                "{image}"
            );
        }
    }
}
