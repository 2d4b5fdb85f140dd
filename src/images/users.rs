//! Who images run as, and the users they have: the images whose default user is not root
//! (one by one, or a whole namespace: `jupyter/*`), the users an image has besides root that a
//! `USER` may switch to (`node`), and the images whose tag says (`:nonroot`, .NET 8's `app`).
//! Namespaced images are matched with or without their registry (`gcr.io/distroless/static`
//! and `distroless/static`).

/// An image (or a namespace, ending in `/`), a user, and where that was checked.
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

/// Namespaces whose images' default user is not root (`bitnami/minideb` aside: a plain
/// Debian, root).
pub static NON_ROOT_NAMESPACES: &[UserFact] = &[
    user(
        "jupyter/",
        "jovyan",
        "Jupyter Docker Stacks: USER ${NB_UID} (jovyan)",
    ),
    user(
        "selenium/",
        "seluser",
        "SeleniumHQ/docker-selenium: USER 1200 (seluser)",
    ),
    user("bitnami/", "1001", "Bitnami's images: USER 1001"),
];

/// Users that images running as root have besides root, which a `USER` may switch to.
pub static IMAGE_USERS: &[UserFact] = &[
    user(
        "node",
        "node",
        "corpus: nodejs/docker-node: useradd --uid 1000 ... node",
    ),
    user(
        "distroless/",
        "nonroot",
        "GoogleContainerTools/distroless: every image has nonroot (65532); `:nonroot` tags \
         run as it",
    ),
    user(
        "dotnet/",
        "app",
        ".NET 8 and later images: an `app` user (uid 1654), root by default",
    ),
];

/// Images whose default user depends on the tag, and where that was checked: distroless
/// images run as root except their `nonroot` tags; Chainguard's run as nonroot (65532) except
/// their `-dev` tags and `wolfi-base` and `busybox`; any image's `nonroot` tag runs as a user
/// that is not root.
pub const TAG_RULES_SOURCE: &str = "GoogleContainerTools/distroless (`:nonroot`, \
     `:debug-nonroot`); Chainguard's documentation (`-dev` tags and wolfi-base run as root)";

/// Who an image runs as, and a user of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Users {
    /// Whether a container of the image runs as root when no `USER` is set on top of it.
    pub root: bool,
    /// The user it runs as when that is not root, or a user it has besides root (`node`);
    /// `None` when no such user is known.
    pub user: Option<&'static str>,
}

/// `name` without a registry in front (`gcr.io/distroless/static` is `distroless/static`).
fn without_registry(name: &str) -> &str {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => rest,
        _ => name,
    }
}

/// Whether a table entry is the image, or (ending in `/`) its namespace.
fn entry_matches(entry: &str, name: &str) -> bool {
    if entry.ends_with('/') {
        without_registry(name).starts_with(entry)
    } else {
        entry == name
    }
}

fn find(table: &'static [UserFact], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|f| entry_matches(f.image, name))
        .map(|f| f.user)
}

/// Who an image runs as, from its name (as [`official_name`](super::official_name) gives it,
/// with or without its registry) and its tag (`latest` when there is none; case does not
/// matter). An image not known runs as root, with no user known.
pub fn users(name: &str, tag: &str) -> Users {
    let tag = tag.to_ascii_lowercase();
    let parts: Vec<&str> = tag.split(['-', '_', '.']).collect();
    let nonroot_tag = parts.contains(&"nonroot");
    let bare = without_registry(name);
    if bare.starts_with("distroless/") {
        return Users {
            root: !nonroot_tag,
            user: find(IMAGE_USERS, name),
        };
    }
    if let Some(image) = bare.strip_prefix("chainguard/") {
        let root_by_default = parts.contains(&"dev") || matches!(image, "wolfi-base" | "busybox");
        return Users {
            root: root_by_default && !nonroot_tag,
            user: None,
        };
    }
    let non_root = non_root_user(name).or_else(|| {
        (bare != "bitnami/minideb")
            .then(|| find(NON_ROOT_NAMESPACES, name))
            .flatten()
    });
    if let Some(user) = non_root {
        return Users {
            root: false,
            user: Some(user),
        };
    }
    if bare.starts_with("dotnet/") {
        // The `app` user came with .NET 8.
        let major: u32 = tag
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        return Users {
            root: true,
            user: (major >= 8).then(|| find(IMAGE_USERS, name)).flatten(),
        };
    }
    Users {
        root: !nonroot_tag,
        user: if nonroot_tag {
            None
        } else {
            find(IMAGE_USERS, name)
        },
    }
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
    fn who_images_run_as() {
        let u = |name: &str, tag: &str| users(name, tag);
        let root = |user| Users { root: true, user };
        let not_root = |user| Users { root: false, user };
        assert_eq!(
            u("distroless/static-debian12", "nonroot"),
            not_root(Some("nonroot"))
        );
        assert_eq!(
            u("gcr.io/distroless/static-debian12", "latest"),
            root(Some("nonroot"))
        );
        assert_eq!(
            u("distroless/nodejs22-debian12", "debug-nonroot"),
            not_root(Some("nonroot"))
        );
        assert_eq!(u("chainguard/python", "latest"), not_root(None));
        assert_eq!(u("cgr.dev/chainguard/python", "latest-dev"), root(None));
        assert_eq!(u("chainguard/wolfi-base", "latest"), root(None));
        assert_eq!(
            u("nginxinc/nginx-unprivileged", "1.27-alpine"),
            not_root(Some("nginx"))
        );
        assert_eq!(u("bitnami/postgresql", "16"), not_root(Some("1001")));
        assert_eq!(u("bitnami/minideb", "bookworm"), root(None));
        assert_eq!(
            u("jupyter/base-notebook", "latest"),
            not_root(Some("jovyan"))
        );
        assert_eq!(
            u("quay.io/jupyter/base-notebook", "latest"),
            not_root(Some("jovyan"))
        );
        assert_eq!(
            u("selenium/node-chrome", "latest"),
            not_root(Some("seluser"))
        );
        assert_eq!(u("node", "20-alpine"), root(Some("node")));
        assert_eq!(
            u("mcr.microsoft.com/dotnet/aspnet", "8.0-alpine"),
            root(Some("app"))
        );
        assert_eq!(u("dotnet/aspnet", "6.0"), root(None));
        assert_eq!(u("dotnet/aspnet", "latest"), root(None));
        assert_eq!(u("acme/app", "1-nonroot"), not_root(None));
        assert_eq!(u("python", "3.12"), root(None));
        assert_eq!(u("acme/app", "latest"), root(None));
    }

    #[test]
    fn entries_say_where_they_were_checked() {
        for f in NON_ROOT_USER
            .iter()
            .chain(NON_ROOT_NAMESPACES)
            .chain(IMAGE_USERS)
        {
            assert!(!f.source.is_empty() && !f.user.is_empty(), "{}", f.image);
            if !f.image.ends_with('/') {
                assert_eq!(super::super::official_name(f.image), f.image);
            }
        }
    }
}
