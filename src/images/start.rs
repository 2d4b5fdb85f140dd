//! How images start: whether their official builds set an ENTRYPOINT, and which must start as
//! root because their entrypoint or server steps down to a user of its own (whole images,
//! some of their variants, or every image of a namespace).

use super::{Fact, fact, holds};

/// Images whose official builds set no ENTRYPOINT: a CMD runs alone, in whatever form.
pub static NO_ENTRYPOINT: &[Fact] = &[
    fact("scratch", "no image at all: nothing runs but the CMD"),
    fact("debian", "debuerreotype builds: CMD [\"bash\"] only"),
    fact("ubuntu", "official image: CMD [\"/bin/bash\"] only"),
    fact("alpine", "official image: CMD [\"/bin/sh\"] only"),
    fact("busybox", "official image: CMD [\"sh\"] only"),
    fact("python", "corpus: docker-library/python, every Dockerfile"),
    fact("golang", "corpus: docker-library/golang, every Dockerfile"),
    fact("rust", "corpus: rust-lang/docker-rust, every Dockerfile"),
    fact(
        "openjdk",
        "corpus: docker-library/openjdk, every Dockerfile",
    ),
    fact("ruby", "corpus: docker-library/ruby, every Dockerfile"),
    fact(
        "buildpack-deps",
        "corpus: docker-library/buildpack-deps, every Dockerfile",
    ),
    fact(
        "httpd",
        "corpus: docker-library/httpd: CMD [\"httpd-foreground\"] only",
    ),
    fact("perl", "official image: CMD [\"perl5.x\", \"-de0\"] only"),
    fact("fedora", "official image: CMD [\"/bin/bash\"] only"),
    fact("centos", "official image: CMD [\"/bin/bash\"] only"),
    fact("rockylinux", "official image: CMD [\"/bin/bash\"] only"),
    fact("almalinux", "official image: CMD [\"/bin/bash\"] only"),
    fact("amazonlinux", "official image: CMD [\"/bin/bash\"] only"),
    fact("archlinux", "official image: CMD [\"/usr/bin/bash\"] only"),
    fact("opensuse/leap", "official image: CMD [\"/bin/bash\"] only"),
    // Not eclipse-temurin: its images have had `ENTRYPOINT ["/__cacert_entrypoint.sh"]` since
    // 2024. Not php, node, postgres, mysql, redis, mongo, wordpress, docker: the corpus shows
    // their ENTRYPOINT.
];

/// Images that must start as root: their entrypoint (`gosu`, `su-exec`) or server switches to
/// a user of its own after setting up its data folders or binding its port. A `USER` on top
/// breaks them.
pub static STEPS_DOWN: &[Fact] = &[
    fact(
        "postgres",
        "corpus: docker-library/postgres: entrypoint steps down with gosu/su-exec",
    ),
    fact(
        "mysql",
        "corpus: docker-library/mysql: entrypoint steps down with gosu",
    ),
    fact(
        "mariadb",
        "official image: entrypoint steps down with gosu, as mysql's",
    ),
    fact(
        "redis",
        "corpus: docker-library/redis: entrypoint steps down with gosu/su-exec",
    ),
    fact(
        "mongo",
        "corpus: docker-library/mongo: entrypoint steps down with gosu",
    ),
    fact(
        "rabbitmq",
        "official image: entrypoint steps down with gosu",
    ),
    fact("couchdb", "official image: entrypoint steps down with gosu"),
    fact(
        "cassandra",
        "official image: entrypoint steps down with gosu",
    ),
    fact(
        "zookeeper",
        "official image: entrypoint steps down with gosu",
    ),
    fact(
        "httpd",
        "corpus: docker-library/httpd: binds 80 as root, workers run as www-data",
    ),
    fact(
        "nginx",
        "corpus: nginxinc/docker-nginx: binds 80 as root, workers run as nginx",
    ),
    fact(
        "wordpress",
        "corpus: docker-library/wordpress: apache/fpm as root, workers www-data",
    ),
    fact(
        "nextcloud",
        "official image: entrypoint runs occ as www-data (su -p)",
    ),
    fact(
        "elasticsearch",
        "official image: entrypoint prepares folders, runs as elasticsearch",
    ),
    fact(
        "clickhouse/clickhouse-server",
        "image: entrypoint chowns data, steps down",
    ),
    fact(
        "yandex/clickhouse-server",
        "image: entrypoint chowns data, steps down",
    ),
    fact(
        "altinity/clickhouse-server",
        "image: entrypoint chowns data, steps down",
    ),
    fact(
        "eclipse-mosquitto",
        "official image: broker drops to the mosquitto user",
    ),
    fact(
        "getsentry/sentry",
        "image: entrypoint steps down with gosu sentry",
    ),
    fact(
        "docker",
        "corpus: docker-library/docker: dind runs dockerd, needs root",
    ),
    fact(
        "influxdb",
        "official image: entrypoint steps down with gosu",
    ),
    fact("percona", "image: entrypoint steps down, as mysql's"),
    fact("postgis/postgis", "image: built on postgres"),
    fact("timescale/timescaledb", "image: built on postgres"),
];

/// Variants of an image (a word of the tag) that start as root, and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VariantFact {
    pub image: &'static str,
    /// Part of the tag (`8.3-apache-bookworm` has `apache`).
    pub word: &'static str,
    pub source: &'static str,
}

/// Variants that must start as root, as [`STEPS_DOWN`] images do.
pub static STEPS_DOWN_VARIANTS: &[VariantFact] = &[
    VariantFact {
        image: "php",
        word: "apache",
        source: "corpus: docker-library/php */apache: Apache binds 80 as root, runs as \
                 APACHE_RUN_USER (www-data)",
    },
    VariantFact {
        image: "php",
        word: "fpm",
        source: "corpus: docker-library/php */fpm: the FPM master runs as root, its pools as \
                 www-data (--with-fpm-user)",
    },
];

/// Namespaces whose images start as root by design, wherever they are published (the
/// namespace anywhere in the reference: `lscr.io/linuxserver/`, `ghcr.io/linuxserver/`).
pub static ROOT_NAMESPACES: &[Fact] = &[
    fact(
        "linuxserver/",
        "linuxserver.io: s6-overlay's /init starts as root and runs the service as abc (PUID/PGID)",
    ),
    fact(
        "devcontainers/",
        "Dev Container images: root by design, the editor's user is set in devcontainer.json",
    ),
];

/// Whether an image (by [`official_name`](super::official_name)) with this tag (any case)
/// must start as root: its entrypoint or server steps down itself.
pub fn steps_down(name: &str, tag: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    holds(STEPS_DOWN, name)
        || STEPS_DOWN_VARIANTS
            .iter()
            .any(|v| v.image == name && tag.contains(v.word))
}

/// Whether an image reference (lowercase) is in a namespace of [`ROOT_NAMESPACES`].
pub fn in_root_namespace(reference: &str) -> bool {
    ROOT_NAMESPACES.iter().any(|f| reference.contains(f.image))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_as_root() {
        assert!(steps_down("postgres", "16"));
        assert!(steps_down("php", "8.3-Apache-bookworm"));
        assert!(steps_down("php", "fpm-alpine"));
        assert!(!steps_down("php", "8.3-cli"));
        assert!(!steps_down("python", "3.12"));
        assert!(in_root_namespace("lscr.io/linuxserver/nginx:latest"));
        assert!(in_root_namespace(
            "mcr.microsoft.com/devcontainers/python:3"
        ));
        assert!(!in_root_namespace("nginx"));
        for v in STEPS_DOWN_VARIANTS {
            assert!(!v.source.is_empty() && !v.word.is_empty(), "{v:?}");
        }
        for f in ROOT_NAMESPACES {
            assert!(!f.source.is_empty() && f.image.ends_with('/'), "{f:?}");
        }
    }
}
