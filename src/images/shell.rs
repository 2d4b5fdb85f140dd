//! Which images ship bash.

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
