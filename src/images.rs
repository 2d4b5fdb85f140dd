//! What dockerfix knows about base images, in one place: one table per fact, each entry with
//! where it was checked, and one way to name an image ([`official_name`]). Rules ask here
//! instead of keeping their own lists. `tests/images.rs` checks every entry against the
//! official images' own Dockerfiles where the corpus has them.
//!
//! Here so far: how an image starts (ENTRYPOINT, stepping down from root), who it runs as,
//! which carry Debian's `docker-clean` apt hook, which ship bash. Still in their rules, to
//! move next: their families and `useradd` (`rules/runtime/root_user.rs`) and their slim tags
//! (`rules/packages/slim_base.rs`).

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

/// An image whose default user is not root, the user, and where that was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserFact {
    pub image: &'static str,
    pub user: &'static str,
    pub source: &'static str,
}

const fn user(image: &'static str, user: &'static str, source: &'static str) -> UserFact {
    UserFact {
        image,
        user,
        source,
    }
}

/// Images whose last `USER` is not root.
pub static NON_ROOT_USER: &[UserFact] = &[
    user(
        "nginxinc/nginx-unprivileged",
        "nginx",
        "image: USER 101 (nginx)",
    ),
    user("jenkins/jenkins", "jenkins", "image: USER jenkins"),
    user("grafana/grafana", "grafana", "image: USER grafana (472)"),
    user("prom/prometheus", "nobody", "image: USER nobody"),
    user("prom/alertmanager", "nobody", "image: USER nobody"),
    user("prom/node-exporter", "nobody", "image: USER nobody"),
    user("memcached", "memcache", "official image: USER memcache"),
    user("solr", "solr", "official image: USER solr"),
    user("sonarqube", "sonarqube", "official image: USER sonarqube"),
];

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

/// Whether an image (by [`official_name`]) with this tag is known to ship bash.
pub fn has_bash(name: &str, tag: &str) -> bool {
    let tag = tag.to_ascii_lowercase();
    holds(HAS_BASH, name) && !NO_BASH_TAGS.iter().any(|t| tag.contains(t))
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

/// Whether a table holds an image, given by name ([`official_name`]).
pub fn holds(table: &[Fact], name: &str) -> bool {
    table.iter().any(|f| f.image == name)
}

/// The default user of an image known not to run as root.
pub fn non_root_user(name: &str) -> Option<&'static str> {
    NON_ROOT_USER
        .iter()
        .find(|f| f.image == name)
        .map(|f| f.user)
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
