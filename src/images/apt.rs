//! What the official images do for apt: which keep Debian's `docker-clean` hook.

use super::{Fact, fact};

/// Official images built on Debian or Ubuntu that keep Debian's `docker-clean` apt hook (it
/// deletes downloaded `.deb` files after every install). Their Alpine and Windows tags have
/// no apt, so a RUN using apt-get there is not one of them.
pub static DOCKER_CLEAN: &[Fact] = &[
    fact("debian", "debuerreotype: /etc/apt/apt.conf.d/docker-clean"),
    fact("ubuntu", "official image: /etc/apt/apt.conf.d/docker-clean"),
    fact(
        "buildpack-deps",
        "corpus: FROM debian/ubuntu, the hook kept",
    ),
    fact("python", "corpus: FROM debian, the hook kept"),
    fact("node", "corpus: FROM debian/buildpack-deps, the hook kept"),
    fact("ruby", "corpus: FROM debian, the hook kept"),
    fact(
        "golang",
        "corpus: FROM debian/buildpack-deps, the hook kept",
    ),
    fact("rust", "corpus: FROM debian/buildpack-deps, the hook kept"),
    fact("php", "corpus: FROM debian, the hook kept"),
    fact("nginx", "corpus: FROM debian, the hook kept"),
    fact("httpd", "corpus: FROM debian, the hook kept"),
    fact("postgres", "corpus: FROM debian, the hook kept"),
    fact("redis", "corpus: FROM debian, the hook kept"),
    fact("mongo", "corpus: FROM ubuntu, the hook kept"),
    fact(
        "openjdk",
        "corpus: its Debian/Ubuntu Dockerfiles keep the hook",
    ),
];
