//! Which images ship bash, and what their `/bin/sh` is.

use super::family::Family;
use super::{Fact, fact, holds};

/// Official images (and their Debian, Ubuntu or RHEL-family variants) that ship bash; their
/// tags in [`NO_BASH_TAGS`] do not.
pub static HAS_BASH: &[Fact] = &[
    fact("debian", "essential package bash"),
    fact("ubuntu", "essential package bash"),
    fact("python", "corpus: FROM debian"),
    fact("node", "corpus: FROM debian/buildpack-deps"),
    fact("golang", "corpus: FROM debian/buildpack-deps"),
    fact("rust", "corpus: FROM debian/buildpack-deps"),
    fact("buildpack-deps", "corpus: FROM debian/ubuntu"),
    fact("fedora", "official image: bash installed"),
    fact("centos", "official image: bash installed"),
    fact("rockylinux", "official image: bash installed"),
    fact("almalinux", "official image: bash installed"),
    fact("amazonlinux", "official image: bash installed"),
    fact("amazoncorretto", "built on amazonlinux"),
    fact("oraclelinux", "official image: bash installed"),
    fact("archlinux", "official image: bash installed"),
    fact("opensuse/leap", "official image: bash installed"),
    fact("opensuse/tumbleweed", "official image: bash installed"),
    fact("ruby", "corpus: FROM debian"),
    fact("php", "corpus: FROM debian"),
    fact("perl", "official image: FROM buildpack-deps"),
    fact("gcc", "official image: FROM buildpack-deps"),
    fact("openjdk", "corpus: FROM debian/buildpack-deps/oraclelinux"),
    fact("eclipse-temurin", "official image: FROM ubuntu"),
    fact("maven", "official image: FROM eclipse-temurin"),
    fact("gradle", "official image: FROM eclipse-temurin"),
    fact("r-base", "official image: FROM debian"),
    fact("julia", "official image: FROM debian"),
    fact("elixir", "official image: FROM erlang (debian)"),
    fact("erlang", "official image: FROM buildpack-deps"),
    fact("haskell", "official image: FROM debian"),
    fact("nvidia/cuda", "image: FROM ubuntu/rockylinux"),
    fact(
        "redis",
        "corpus: its Debian/Ubuntu Dockerfiles (bash is essential there)",
    ),
    fact(
        "postgres",
        "corpus: its Debian/Ubuntu Dockerfiles (bash is essential there)",
    ),
    fact(
        "nginx",
        "corpus: its Debian/Ubuntu Dockerfiles (bash is essential there)",
    ),
    fact(
        "mongo",
        "corpus: its Debian/Ubuntu Dockerfiles (bash is essential there)",
    ),
    fact(
        "httpd",
        "corpus: its Debian/Ubuntu Dockerfiles (bash is essential there)",
    ),
];

/// Tag words of images that have no bash, or no shell at all.
pub static NO_BASH_TAGS: &[&str] = &[
    "alpine",
    "busybox",
    "distroless",
    "chiseled",
    "windows",
    "nanoserver",
];

/// Whether an image (by [`official_name`](super::official_name)) with this tag is known to
/// ship bash.
pub fn has_bash(name: &str, tag: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    holds(HAS_BASH, name) && !NO_BASH_TAGS.iter().any(|t| tag.contains(t))
}

/// What `/bin/sh` is on an image: the shell BuildKit runs a shell-form `RUN`, `CMD` or
/// `ENTRYPOINT` with (`/bin/sh -c`) unless a `SHELL` instruction says otherwise, and so the
/// dialect its commands are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinSh {
    /// The Debian Almquist shell.
    Dash,
    /// BusyBox's ash.
    BusyboxAsh,
    /// bash, which runs in POSIX mode as `sh` but keeps its extensions (`[[ ]]`, `source`).
    Bash,
}

/// What `/bin/sh` is, by distribution family, and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinShFact {
    pub family: Family,
    pub sh: BinSh,
    pub source: &'static str,
}

/// `/bin/sh` by family ([`super::family::distro`] finds an image's). Families not listed
/// (Photon and Azure Linux, distroless and `scratch`, Windows) are not known.
pub static BIN_SH: &[BinShFact] = &[
    BinShFact {
        family: Family::Debian,
        sh: BinSh::Dash,
        source: "Debian Policy 10.4 and the essential package dash, which owns /bin/sh -> dash \
                 (Debian since 6.0, Ubuntu since 6.10)",
    },
    BinShFact {
        family: Family::Alpine,
        sh: BinSh::BusyboxAsh,
        source: "Alpine's busybox package installs /bin/sh -> /bin/busybox (busybox-binsh)",
    },
    BinShFact {
        family: Family::RedHat,
        sh: BinSh::Bash,
        source: "the bash RPM owns /bin/sh -> bash (Fedora, CentOS, RHEL and UBI, Rocky Linux, \
                 AlmaLinux, Oracle Linux, Amazon Linux)",
    },
    BinShFact {
        family: Family::Suse,
        sh: BinSh::Bash,
        source: "openSUSE's bash-sh package: /bin/sh -> bash",
    },
    BinShFact {
        family: Family::Arch,
        sh: BinSh::Bash,
        source: "Arch's bash package owns /usr/bin/sh -> bash",
    },
];

/// What `/bin/sh` is on an image (by [`official_name`](super::official_name) and tag), when its
/// family is known and listed in [`BIN_SH`].
pub fn bin_sh(name: &str, tag: &str) -> Option<BinSh> {
    let family = super::family::distro(name, tag)?.family;
    BIN_SH.iter().find(|f| f.family == family).map(|f| f.sh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_sh_by_family() {
        assert_eq!(bin_sh("debian", "bookworm"), Some(BinSh::Dash));
        assert_eq!(bin_sh("python", "3.12-slim"), Some(BinSh::Dash));
        assert_eq!(bin_sh("python", "3.12-alpine"), Some(BinSh::BusyboxAsh));
        assert_eq!(bin_sh("fedora", "latest"), Some(BinSh::Bash));
        assert_eq!(bin_sh("amazonlinux", "2023"), Some(BinSh::Bash));
        assert_eq!(bin_sh("ghcr.io/acme/app", "1"), None);
        assert!(BIN_SH.iter().all(|f| !f.source.is_empty()));
    }
}
