//! Who images run as: the images whose default user is not root.

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

/// The default user of an image known not to run as root.
pub fn non_root_user(name: &str) -> Option<&'static str> {
    NON_ROOT_USER
        .iter()
        .find(|f| f.image == name)
        .map(|f| f.user)
}
