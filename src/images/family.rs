//! Which distribution an image is built on, and the program that installs its packages: the
//! image's own entry in [`FAMILIES`] for its default tags, and the words of a tag that choose
//! another variant (`python:3.12-alpine` is Alpine, `eclipse-temurin:21-jre-ubi9-minimal` is
//! Red Hat's UBI with microdnf). Images that are not in the table are not known, except Red
//! Hat's UBI and distroless images, which are known by their names.

/// A family of Linux distributions, by the packages its images install and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Debian, Ubuntu and the images built on them: `.deb` packages, `apt-get`.
    Debian,
    /// Alpine Linux and the images built on it: `apk`.
    Alpine,
    /// Fedora, CentOS, Rocky Linux, AlmaLinux, Oracle Linux, Red Hat's UBI, Amazon Linux: RPM
    /// packages, with dnf, yum or microdnf.
    RedHat,
    /// openSUSE: RPM packages with zypper.
    Suse,
    /// VMware Photon OS and Azure Linux (formerly CBL-Mariner): RPM packages with tdnf.
    Photon,
    /// Arch Linux: pacman.
    Arch,
    /// No distribution to install into: `scratch`, `busybox`, distroless images.
    Bare,
    /// Windows Server Core and Nano Server: no Linux package manager.
    Windows,
}

/// The program that installs packages on an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PackageManager {
    Apt,
    Apk,
    Dnf,
    Yum,
    Microdnf,
    Zypper,
    Tdnf,
    Pacman,
}

impl PackageManager {
    /// The command that runs it (`apt-get` for apt: the one meant for scripts).
    pub fn program(self) -> &'static str {
        match self {
            PackageManager::Apt => "apt-get",
            PackageManager::Apk => "apk",
            PackageManager::Dnf => "dnf",
            PackageManager::Yum => "yum",
            PackageManager::Microdnf => "microdnf",
            PackageManager::Zypper => "zypper",
            PackageManager::Tdnf => "tdnf",
            PackageManager::Pacman => "pacman",
        }
    }
}

/// What an image is built on: its family and the program that installs packages on it
/// (`None`: nothing installs packages there).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Distro {
    pub family: Family,
    pub manager: Option<PackageManager>,
}

const fn of(family: Family, manager: Option<PackageManager>) -> Distro {
    Distro { family, manager }
}

pub const DEBIAN: Distro = of(Family::Debian, Some(PackageManager::Apt));
pub const ALPINE: Distro = of(Family::Alpine, Some(PackageManager::Apk));
pub const DNF: Distro = of(Family::RedHat, Some(PackageManager::Dnf));
pub const YUM: Distro = of(Family::RedHat, Some(PackageManager::Yum));
pub const MICRODNF: Distro = of(Family::RedHat, Some(PackageManager::Microdnf));
pub const ZYPPER: Distro = of(Family::Suse, Some(PackageManager::Zypper));
pub const TDNF: Distro = of(Family::Photon, Some(PackageManager::Tdnf));
pub const PACMAN: Distro = of(Family::Arch, Some(PackageManager::Pacman));
pub const BARE: Distro = of(Family::Bare, None);
pub const WINDOWS: Distro = of(Family::Windows, None);

/// An image, what its default tags are built on (`None`: its tags differ, and a tag that says
/// nothing is not known), and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FamilyFact {
    /// The name [`official_name`](super::official_name) gives.
    pub image: &'static str,
    pub default: Option<Distro>,
    pub source: &'static str,
}

const fn image(image: &'static str, default: Distro, source: &'static str) -> FamilyFact {
    FamilyFact {
        image,
        default: Some(default),
        source,
    }
}

/// What the images are built on, for their default tags (`python:3.12`, `python:3.12-slim`);
/// [`TAG_WORDS`] and [`VERSIONS`] say what other tags are built on.
pub static FAMILIES: &[FamilyFact] = &[
    // Debian and Ubuntu, and the official images built on them.
    image("debian", DEBIAN, "Debian's own image (debuerreotype)"),
    image("ubuntu", DEBIAN, "Ubuntu's own image"),
    image(
        "buildpack-deps",
        DEBIAN,
        "corpus: FROM debian:* and ubuntu:*",
    ),
    image(
        "python",
        DEBIAN,
        "corpus: FROM buildpack-deps:* and debian:*-slim",
    ),
    image(
        "node",
        DEBIAN,
        "corpus: FROM buildpack-deps:* and debian:*-slim",
    ),
    image(
        "ruby",
        DEBIAN,
        "corpus: FROM buildpack-deps:* and debian:*-slim",
    ),
    image(
        "rust",
        DEBIAN,
        "corpus: FROM buildpack-deps:* and debian:*-slim",
    ),
    image("golang", DEBIAN, "corpus: FROM buildpack-deps:*-scm"),
    image("php", DEBIAN, "corpus: FROM debian:*-slim"),
    image("httpd", DEBIAN, "corpus: FROM debian:*-slim"),
    image("nginx", DEBIAN, "corpus: FROM debian:*-slim"),
    image("postgres", DEBIAN, "corpus: FROM debian:*-slim"),
    image("redis", DEBIAN, "corpus: FROM debian:*-slim"),
    image("mongo", DEBIAN, "corpus: FROM ubuntu:*"),
    image(
        "wordpress",
        DEBIAN,
        "corpus: FROM php:*-apache and php:*-fpm",
    ),
    image(
        "perl",
        DEBIAN,
        "official image: FROM buildpack-deps and debian:*-slim",
    ),
    image(
        "pypy",
        DEBIAN,
        "official image: FROM buildpack-deps and debian:*-slim",
    ),
    image("gcc", DEBIAN, "official image: FROM buildpack-deps"),
    image("erlang", DEBIAN, "official image: FROM buildpack-deps"),
    image("elixir", DEBIAN, "official image: FROM erlang"),
    image("haskell", DEBIAN, "official image: FROM debian"),
    image("julia", DEBIAN, "official image: FROM debian:*-slim"),
    image("r-base", DEBIAN, "official image: FROM debian:testing"),
    image("eclipse-temurin", DEBIAN, "official image: FROM ubuntu"),
    image("mariadb", DEBIAN, "official image: FROM ubuntu"),
    image("bitnami/minideb", DEBIAN, "image: a minimal Debian"),
    // Alpine.
    image("alpine", ALPINE, "Alpine's own image"),
    image("docker", ALPINE, "corpus: FROM alpine:*"),
    // The Red Hat family.
    image("fedora", DNF, "Fedora's image: dnf"),
    image(
        "centos",
        DNF,
        "CentOS 8 and Stream: dnf (CentOS 7 and older: VERSIONS)",
    ),
    image(
        "rockylinux",
        DNF,
        "Rocky Linux's image: dnf (`-minimal`: microdnf)",
    ),
    image(
        "almalinux",
        DNF,
        "AlmaLinux's image: dnf (`-minimal`: microdnf, `-micro`: none)",
    ),
    image(
        "oraclelinux",
        DNF,
        "Oracle Linux 8 and later: dnf (`-slim`: microdnf; 7 and older: yum)",
    ),
    image(
        "amazonlinux",
        DNF,
        "Amazon Linux 2023 (`latest`): dnf (Amazon Linux 2 and 1: yum)",
    ),
    image(
        "amazoncorretto",
        YUM,
        "official image: FROM amazonlinux:2 (`-al2023`: amazonlinux:2023, `-alpine`: alpine)",
    ),
    image(
        "mysql",
        MICRODNF,
        "corpus: FROM oraclelinux:9-slim, installs with microdnf",
    ),
    // SUSE, Photon and Azure Linux, Arch.
    image("opensuse/leap", ZYPPER, "openSUSE's image: zypper"),
    image("opensuse/tumbleweed", ZYPPER, "openSUSE's image: zypper"),
    image("photon", TDNF, "official image: Photon OS, tdnf"),
    image(
        "mcr.microsoft.com/azurelinux/base/core",
        TDNF,
        "Azure Linux's documentation: tdnf",
    ),
    image(
        "mcr.microsoft.com/cbl-mariner/base/core",
        TDNF,
        "CBL-Mariner's documentation: tdnf",
    ),
    image("archlinux", PACMAN, "official image: pacman"),
    // Nothing to install with.
    image("scratch", BARE, "no image at all"),
    image("busybox", BARE, "official image: BusyBox's applets only"),
    image(
        "mcr.microsoft.com/windows/servercore",
        WINDOWS,
        "Windows Server Core",
    ),
    image(
        "mcr.microsoft.com/windows/nanoserver",
        WINDOWS,
        "Windows Nano Server",
    ),
    image(
        "mcr.microsoft.com/windows/server",
        WINDOWS,
        "Windows Server",
    ),
    image("mcr.microsoft.com/windows", WINDOWS, "Windows"),
    FamilyFact {
        image: "openjdk",
        default: None,
        source: "corpus: FROM debian:*, debian:*-slim, oraclelinux:*-slim or Windows, by tag",
    },
];

/// A word of a tag that says what the tag is built on, for one image or (`image` empty) for
/// every image of [`FAMILIES`], and where that was checked. A tag's word matches when it is
/// the word, or the word and a version (`alpine3.20`, `oraclelinux9`, `ltsc2022`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagWord {
    pub image: &'static str,
    pub word: &'static str,
    pub distro: Distro,
    pub source: &'static str,
}

const fn word(
    image: &'static str,
    word: &'static str,
    distro: Distro,
    source: &'static str,
) -> TagWord {
    TagWord {
        image,
        word,
        distro,
        source,
    }
}

/// The tag words, the first that matches deciding: an image's own words first, then those of
/// every image in this order (`8.0-jammy-chiseled` is distroless, not Ubuntu), then a UBI
/// word (`21-jre-ubi9-minimal`, see [`NAME_RULES_SOURCE`]).
pub static TAG_WORDS: &[TagWord] = &[
    word(
        "openjdk",
        "slim",
        DEBIAN,
        "corpus: openjdk's slim variants are FROM debian:*-slim",
    ),
    word(
        "wordpress",
        "cli",
        ALPINE,
        "corpus: wordpress cli/php*/alpine is FROM php:*-alpine",
    ),
    word(
        "oraclelinux",
        "slim",
        MICRODNF,
        "corpus: mysql and openjdk install with microdnf on oraclelinux:9-slim",
    ),
    word(
        "rockylinux",
        "minimal",
        MICRODNF,
        "Rocky Linux: the minimal image has microdnf",
    ),
    word(
        "almalinux",
        "minimal",
        MICRODNF,
        "AlmaLinux: the minimal image has microdnf",
    ),
    word(
        "almalinux",
        "micro",
        BARE,
        "AlmaLinux: the micro image has no package manager",
    ),
    word(
        "amazoncorretto",
        "al2023",
        DNF,
        "official image: `-al2023` tags are FROM amazonlinux:2023",
    ),
    word(
        "",
        "distroless",
        BARE,
        "distroless images have no package manager",
    ),
    word(
        "",
        "chiseled",
        BARE,
        "chiseled Ubuntu images have no package manager",
    ),
    word(
        "",
        "windowsservercore",
        WINDOWS,
        "corpus: FROM mcr.microsoft.com/windows/servercore",
    ),
    word(
        "",
        "nanoserver",
        WINDOWS,
        "corpus: FROM mcr.microsoft.com/windows/nanoserver",
    ),
    word(
        "",
        "alpine",
        ALPINE,
        "corpus: every `alpine` variant is FROM alpine:*",
    ),
    word(
        "",
        "oracle",
        MICRODNF,
        "corpus: mysql's and openjdk's Oracle variants are FROM oraclelinux:*-slim",
    ),
    word(
        "",
        "oraclelinux",
        MICRODNF,
        "corpus: openjdk's oraclelinux9/10 variants are FROM oraclelinux:*-slim",
    ),
    word(
        "",
        "debian",
        DEBIAN,
        "corpus: redis's debian variant is FROM debian:*-slim",
    ),
    word("", "ubuntu", DEBIAN, "Ubuntu variants"),
    // Debian's releases, then Ubuntu's.
    word("", "sid", DEBIAN, "Debian unstable"),
    word("", "duke", DEBIAN, "Debian 15"),
    word("", "forky", DEBIAN, "Debian 14"),
    word("", "trixie", DEBIAN, "Debian 13"),
    word("", "bookworm", DEBIAN, "Debian 12"),
    word("", "bullseye", DEBIAN, "Debian 11"),
    word("", "buster", DEBIAN, "Debian 10"),
    word("", "stretch", DEBIAN, "Debian 9"),
    word("", "jessie", DEBIAN, "Debian 8"),
    word("", "xenial", DEBIAN, "Ubuntu 16.04"),
    word("", "bionic", DEBIAN, "Ubuntu 18.04"),
    word("", "focal", DEBIAN, "Ubuntu 20.04"),
    word("", "jammy", DEBIAN, "Ubuntu 22.04"),
    word("", "noble", DEBIAN, "Ubuntu 24.04"),
    word("", "oracular", DEBIAN, "Ubuntu 24.10"),
    word("", "plucky", DEBIAN, "Ubuntu 25.04"),
    word("", "questing", DEBIAN, "Ubuntu 25.10"),
    word("", "resolute", DEBIAN, "Ubuntu 26.04"),
];

/// A release of an image whose package manager differs from its default tags', by the first
/// number of the tag (`centos:7`, `amazonlinux:2.0.20240131.0`), and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionFact {
    pub image: &'static str,
    pub major: &'static str,
    pub distro: Distro,
    pub source: &'static str,
}

const fn version(
    image: &'static str,
    major: &'static str,
    distro: Distro,
    source: &'static str,
) -> VersionFact {
    VersionFact {
        image,
        major,
        distro,
        source,
    }
}

/// Releases with yum instead of dnf.
pub static VERSIONS: &[VersionFact] = &[
    version("centos", "7", YUM, "CentOS 7: yum"),
    version("centos", "centos7", YUM, "CentOS 7: yum"),
    version("centos", "6", YUM, "CentOS 6: yum"),
    version("centos", "centos6", YUM, "CentOS 6: yum"),
    version("oraclelinux", "7", YUM, "Oracle Linux 7: yum"),
    version("oraclelinux", "6", YUM, "Oracle Linux 6: yum"),
    version("amazonlinux", "2", YUM, "Amazon Linux 2: yum"),
    version("amazonlinux", "2018", YUM, "Amazon Linux 1 (2018.03): yum"),
    version("amazonlinux", "1", YUM, "Amazon Linux 1: yum"),
];

/// Where the name rules of [`distro`] were checked: Red Hat's Universal Base Images (`ubi` and
/// `ubi-init` have dnf, `ubi-minimal` microdnf, `ubi-micro` nothing) and distroless images.
pub const NAME_RULES_SOURCE: &str = "Red Hat's UBI documentation (ubi, ubi-init: dnf; \
     ubi-minimal: microdnf; ubi-micro: none); distroless images: no package manager";

/// Words that name a Windows image anywhere in a `FROM` line (`mcr.microsoft.com/windows/...`,
/// `golang:1.22-nanoserver-ltsc2022`, `python:3.12-windowsservercore`): Windows Server Core and
/// Nano Server, which have no `/bin/sh` and no root user.
pub static WINDOWS_WORDS: &[&str] = &["windows", "nanoserver", "servercore"];

/// Whether a text (a `FROM` line, any case) names a Windows image ([`WINDOWS_WORDS`]).
pub fn mentions_windows(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    WINDOWS_WORDS.iter().any(|w| text.contains(w))
}

/// Whether a tag's word is `word`, or `word` and a version (`alpine3.20`, `oraclelinux9`).
fn word_matches(part: &str, word: &str) -> bool {
    part.strip_prefix(word)
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// Red Hat's UBI by name (`redhat/ubi9-minimal`, `registry.access.redhat.com/ubi9/ubi`), or
/// by a tag word (`21-jre-ubi9-minimal`): `ubi` and a version, then the variant.
fn ubi(words: &[&str]) -> Option<Distro> {
    let at = words.iter().position(|w| {
        w.strip_prefix("ubi")
            .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
    })?;
    let rest = words.get(at..).unwrap_or_default();
    Some(if rest.iter().any(|w| w.contains("minimal")) {
        MICRODNF
    } else if rest.iter().any(|w| w.contains("micro")) {
        BARE
    } else {
        DNF
    })
}

/// What an image's tag is built on: `name` as [`official_name`](super::official_name) gives it,
/// `tag` as written (`latest` when there is none; case does not matter). `None` when not known.
pub fn distro(name: &str, tag: &str) -> Option<Distro> {
    let tag = tag.to_ascii_lowercase();
    let tag_words: Vec<&str> = tag.split(['-', '_']).collect();
    let Some(entry) = FAMILIES.iter().find(|f| f.image == name) else {
        let name_words: Vec<&str> = name.split(['/', '-', '_']).collect();
        if name_words.contains(&"distroless") {
            return Some(BARE);
        }
        return ubi(&name_words);
    };
    let major = tag.split(['.', '-', '_']).next().unwrap_or("");
    if let Some(v) = VERSIONS
        .iter()
        .find(|v| v.image == name && v.major == major)
    {
        return Some(v.distro);
    }
    let matching = |w: &&TagWord| tag_words.iter().any(|part| word_matches(part, w.word));
    if let Some(w) = TAG_WORDS.iter().filter(|w| w.image == name).find(matching) {
        return Some(w.distro);
    }
    TAG_WORDS
        .iter()
        .filter(|w| w.image.is_empty())
        .find(matching)
        .map(|w| w.distro)
        .or_else(|| ubi(&tag_words))
        .or(entry.default)
}

/// The package manager of an image's tag, when known (`None` too for images without one).
pub fn package_manager(name: &str, tag: &str) -> Option<PackageManager> {
    distro(name, tag)?.manager
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::{official_name, tag_of};

    fn of(reference: &str) -> Option<Distro> {
        distro(&official_name(reference), &tag_of(reference))
    }

    #[test]
    fn tags_choose_the_variant() {
        for (reference, want) in [
            ("python:3.12", Some(DEBIAN)),
            ("python:3.12-alpine", Some(ALPINE)),
            ("python:3.12-alpine3.20", Some(ALPINE)),
            ("python:3.12-slim-bookworm", Some(DEBIAN)),
            ("python:3.12-windowsservercore-ltsc2022", Some(WINDOWS)),
            ("node:20-bookworm-slim", Some(DEBIAN)),
            ("docker.io/library/node:lts-alpine", Some(ALPINE)),
            ("arm64v8/golang:1.22-nanoserver", Some(WINDOWS)),
            ("nginx:mainline-alpine-slim", Some(ALPINE)),
            ("debian", Some(DEBIAN)),
            ("ubuntu:24.04", Some(DEBIAN)),
            ("alpine:3.20", Some(ALPINE)),
            ("docker:27-dind", Some(ALPINE)),
            ("docker:27-windowsservercore-ltsc2022", Some(WINDOWS)),
            ("wordpress:6-fpm", Some(DEBIAN)),
            ("wordpress:cli-php8.3", Some(ALPINE)),
            ("wordpress:6-fpm-alpine", Some(ALPINE)),
            ("mysql:8.4", Some(MICRODNF)),
            ("mysql:8.4-oracle", Some(MICRODNF)),
            ("mysql:8.0-debian", Some(DEBIAN)),
            ("openjdk:17", None),
            ("openjdk:11-jre-slim", Some(DEBIAN)),
            ("openjdk:27-oraclelinux9", Some(MICRODNF)),
            ("openjdk:27-bookworm", Some(DEBIAN)),
            ("eclipse-temurin:21-jre", Some(DEBIAN)),
            ("eclipse-temurin:21-jre-alpine", Some(ALPINE)),
            ("eclipse-temurin:21-jre-ubi9-minimal", Some(MICRODNF)),
            ("fedora:40", Some(DNF)),
            ("centos:7", Some(YUM)),
            ("centos:centos7.9.2009", Some(YUM)),
            ("centos:stream9", Some(DNF)),
            ("rockylinux:9", Some(DNF)),
            ("rockylinux:9-minimal", Some(MICRODNF)),
            ("almalinux:9-micro", Some(BARE)),
            ("oraclelinux:9", Some(DNF)),
            ("oraclelinux:9-slim", Some(MICRODNF)),
            ("oraclelinux:7-slim", Some(YUM)),
            ("amazonlinux", Some(DNF)),
            ("amazonlinux:2023", Some(DNF)),
            ("amazonlinux:2", Some(YUM)),
            ("amazonlinux:2.0.20240131.0", Some(YUM)),
            ("amazoncorretto:21", Some(YUM)),
            ("amazoncorretto:21-al2023", Some(DNF)),
            ("amazoncorretto:21-alpine3.20", Some(ALPINE)),
            ("opensuse/leap:15.6", Some(ZYPPER)),
            ("photon:5.0", Some(TDNF)),
            ("mcr.microsoft.com/azurelinux/base/core:3.0", Some(TDNF)),
            ("archlinux", Some(PACMAN)),
            ("scratch", Some(BARE)),
            ("busybox:1.36-glibc", Some(BARE)),
            ("gcr.io/distroless/static-debian12:nonroot", Some(BARE)),
            (
                "mcr.microsoft.com/azurelinux/distroless/base:3.0",
                Some(BARE),
            ),
            ("registry.access.redhat.com/ubi9/ubi", Some(DNF)),
            (
                "registry.access.redhat.com/ubi9/ubi-minimal:9.4",
                Some(MICRODNF),
            ),
            ("redhat/ubi9-micro", Some(BARE)),
            ("ubi8/ubi-init", Some(DNF)),
            (
                "mcr.microsoft.com/windows/servercore:ltsc2022",
                Some(WINDOWS),
            ),
            ("acme/app:1-alpine", None),
            ("ghcr.io/acme/python:3.12", None),
        ] {
            assert_eq!(of(reference), want, "{reference}");
        }
        assert_eq!(
            package_manager("python", "3.12-alpine"),
            Some(PackageManager::Apk)
        );
        assert_eq!(package_manager("scratch", "latest"), None);
        assert_eq!(PackageManager::Apt.program(), "apt-get");
        assert!(mentions_windows(
            "FROM mcr.microsoft.com/Windows/servercore:ltsc2022"
        ));
        assert!(mentions_windows("FROM golang:1.22-nanoserver AS build"));
        assert!(!mentions_windows("FROM python:3.12"));
    }

    #[test]
    fn entries_say_where_they_were_checked() {
        let mut names: Vec<&str> = FAMILIES.iter().map(|f| f.image).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FAMILIES.len(), "an image listed twice");
        for f in FAMILIES {
            assert!(
                !f.source.is_empty() && official_name(f.image) == f.image,
                "{}",
                f.image
            );
        }
        for w in TAG_WORDS {
            assert!(
                !w.source.is_empty() && !w.word.contains(['-', '_']),
                "{}",
                w.word
            );
            assert!(
                w.image.is_empty() || FAMILIES.iter().any(|f| f.image == w.image),
                "{}",
                w.image
            );
        }
        for v in VERSIONS {
            assert!(
                !v.source.is_empty() && FAMILIES.iter().any(|f| f.image == v.image),
                "{}",
                v.image
            );
        }
    }
}
