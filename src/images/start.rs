//! How images start: whether their official builds set an ENTRYPOINT, and which must start as
//! root because their entrypoint or server steps down to a user of its own.

use super::{Fact, fact};

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
