//! The image knowledge base (`src/images/`) against the official images' own Dockerfiles in
//! the corpus (`docker-library/`): an image listed without ENTRYPOINT has none in any of its
//! Dockerfiles, an image with one is not listed, and an image listed as stepping down from root
//! shows how (gosu, su-exec, an unprivileged user its server switches to, dockerd). Each
//! Dockerfile's folder names its variant (`3.12/alpine3.20`, `22/bookworm-slim`): the family
//! the knowledge base gives that tag is the family of the image the Dockerfile is built on, and
//! its package manager is the one the Dockerfile installs with; an image has `-slim` variants
//! in the knowledge base when it has them in the corpus, and the slim tag the knowledge base
//! gives a full tag is the one beside it in the corpus; the variables and users the knowledge
//! base says an image has are in every Linux Dockerfile of the image.

mod common;

use dockerfix::images::{self, Family, NO_ENTRYPOINT, PackageManager, STEPS_DOWN};
use std::path::{Path, PathBuf};

/// The official images the corpus has, with their Dockerfiles.
fn official_images() -> Vec<(String, Vec<PathBuf>)> {
    let dir = common::corpus_dir().join("docker-library");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let folder = entry.unwrap().path();
        let repo = folder.file_name().unwrap().to_string_lossy().to_string();
        let image = match repo.as_str() {
            "nodejs__docker-node" => "node".to_string(),
            "nginxinc__docker-nginx" => "nginx".to_string(),
            "rust-lang__docker-rust" => "rust".to_string(),
            other => other.trim_start_matches("docker-library__").to_string(),
        };
        let mut files = Vec::new();
        collect(&folder, &mut files);
        out.push((image, files));
    }
    out.sort();
    assert!(out.len() >= 15, "{out:?}");
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .file_name()
            .is_some_and(|n| dockerfix::walk::is_dockerfile_name(&n.to_string_lossy()))
        {
            out.push(path);
        }
    }
}

fn has_entrypoint(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().any(|l| {
        l.trim_start()
            .to_ascii_uppercase()
            .starts_with("ENTRYPOINT")
    })
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn entrypoints_as_the_official_dockerfiles_have_them() {
    for (image, files) in official_images() {
        assert!(!files.is_empty(), "{image}");
        let with: Vec<&PathBuf> = files.iter().filter(|f| has_entrypoint(f)).collect();
        if images::holds(NO_ENTRYPOINT, &image) {
            assert!(
                with.is_empty(),
                "{image} is listed without ENTRYPOINT: {with:?}"
            );
        } else {
            assert!(
                !with.is_empty(),
                "{image} has no ENTRYPOINT in any of its Dockerfiles: list it in NO_ENTRYPOINT"
            );
        }
    }
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn images_that_step_down_show_how() {
    // What each listed image's own Dockerfiles show.
    let evidence: &[(&str, &[&str])] = &[
        ("postgres", &["gosu", "su-exec"]),
        ("mysql", &["gosu"]),
        ("redis", &["gosu", "su-exec"]),
        ("mongo", &["gosu"]),
        ("httpd", &["www-data"]),
        ("nginx", &["adduser", "useradd"]),
        ("wordpress", &["www-data"]),
        ("docker", &["dockerd"]),
    ];
    let mut checked = 0;
    for (image, files) in official_images() {
        if !images::holds(STEPS_DOWN, &image) {
            continue;
        }
        let (_, words) = evidence
            .iter()
            .find(|(i, _)| *i == image)
            .unwrap_or_else(|| panic!("{image}: say what its Dockerfiles show"));
        let shown = files.iter().any(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            words.iter().any(|w| text.contains(w))
        });
        assert!(shown, "{image}: none of {words:?} in its Dockerfiles");
        checked += 1;
    }
    assert!(checked >= 7, "{checked}");
    // Variants: every Dockerfile of the variant shows it.
    let evidence: &[(&str, &str, &str)] = &[
        ("php", "apache", "APACHE_RUN_USER"),
        ("php", "fpm", "--with-fpm-user=www-data"),
    ];
    let mut variants = 0;
    for v in images::start::STEPS_DOWN_VARIANTS {
        let (_, _, shown) = evidence
            .iter()
            .find(|(i, w, _)| *i == v.image && *w == v.word)
            .unwrap_or_else(|| panic!("{v:?}: say what its Dockerfiles show"));
        for (image, files) in official_images() {
            if image != v.image {
                continue;
            }
            for f in &files {
                let dir = f.parent().unwrap().to_string_lossy().to_string();
                if !dir.rsplit('/').next().unwrap().contains(v.word) {
                    continue;
                }
                let text = std::fs::read_to_string(f).unwrap();
                assert!(text.contains(shown), "{}: no {shown}", f.display());
                assert!(
                    !text.lines().any(|l| l.starts_with("USER ")),
                    "{}",
                    f.display()
                );
                variants += 1;
            }
        }
    }
    assert!(variants >= 8, "{variants}");
}

/// The image's Dockerfiles that build on Debian or Ubuntu (or on an official image that does).
fn debian_based(files: &[PathBuf]) -> Vec<&PathBuf> {
    files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.lines().any(|l| {
                let l = l.trim_start().to_ascii_lowercase();
                l.starts_with("from debian")
                    || l.starts_with("from ubuntu")
                    || l.starts_with("from buildpack-deps")
            })
        })
        .collect()
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn docker_clean_and_bash_as_the_official_dockerfiles_show() {
    for (image, files) in official_images() {
        let debian = debian_based(&files);
        let removes_hook = files.iter().any(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .contains("docker-clean")
        });
        let keeps_hook = !debian.is_empty() && !removes_hook;
        assert_eq!(
            images::holds(images::DOCKER_CLEAN, &image),
            keeps_hook,
            "{image}: built on Debian/Ubuntu {}, removes the hook {removes_hook}",
            !debian.is_empty()
        );
        if !debian.is_empty() {
            assert!(
                images::has_bash(&image, "latest"),
                "{image} builds on Debian or Ubuntu (bash is essential there): list it in HAS_BASH"
            );
        }
    }
}

/// The folder of the repository a corpus file of `docker-library/` is in.
fn repo_of(dir: &Path, file: &Path) -> PathBuf {
    let first = file.strip_prefix(dir).unwrap().components().next().unwrap();
    dir.join(first)
}

/// The tag a Dockerfile of an official image builds, as its folder names it
/// (`3.12/slim-bookworm` is `3.12-slim-bookworm`, `8.4/Dockerfile.oracle` is `8.4-oracle`).
fn folder_tag(repo: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(repo).unwrap();
    let mut parts: Vec<String> = rel
        .parent()
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let name = rel.file_name().unwrap().to_string_lossy().to_string();
    if let Some((_, suffix)) = name.split_once('.') {
        parts.push(suffix.to_string());
    }
    parts.join("-")
}

/// The image the final stage of a Dockerfile is built on, with the defaults of its `ARG`s.
fn final_from(text: &str) -> Option<String> {
    let mut args: Vec<(String, String)> = Vec::new();
    let mut from = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next().map(str::to_ascii_uppercase).as_deref() {
            Some("ARG") => {
                if let Some((k, v)) = words.next().and_then(|w| w.split_once('=')) {
                    args.push((k.to_string(), v.to_string()));
                }
            }
            Some("FROM") => from = words.find(|w| !w.starts_with("--")).map(str::to_string),
            _ => {}
        }
    }
    let mut from = from?;
    for (k, v) in &args {
        from = from
            .replace(&format!("${{{k}}}"), v)
            .replace(&format!("${k}"), v);
    }
    (!from.contains('$')).then_some(from)
}

/// The package managers a Dockerfile installs with.
fn installs_with(text: &str) -> Vec<PackageManager> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for pair in words.windows(2) {
        let manager = match pair {
            ["apt-get", "install" | "update"] => PackageManager::Apt,
            ["apk", "add" | "--no-cache"] => PackageManager::Apk,
            ["microdnf", "install"] => PackageManager::Microdnf,
            ["dnf", "install"] => PackageManager::Dnf,
            ["yum", "install"] => PackageManager::Yum,
            _ => continue,
        };
        if !out.contains(&manager) {
            out.push(manager);
        }
    }
    out
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn families_as_the_official_dockerfiles_show() {
    let dir = common::corpus_dir().join("docker-library");
    let mut checked = 0;
    for (image, files) in official_images() {
        assert!(
            images::FAMILIES.iter().any(|f| f.image == image),
            "{image}: list it in FAMILIES"
        );
        for file in &files {
            let repo = repo_of(&dir, file);
            let tag = folder_tag(&repo, file);
            let text = std::fs::read_to_string(file).unwrap();
            let ours = images::distro(&image, &tag);
            let base = final_from(&text).unwrap_or_else(|| panic!("{}: no FROM", file.display()));
            let theirs = images::distro(&images::official_name(&base), &images::tag_of(&base));
            assert!(
                theirs.is_some(),
                "{}: {base} is not in FAMILIES",
                file.display()
            );
            assert_eq!(
                ours,
                theirs,
                "{image}:{tag} ({}) is built on {base}",
                file.display()
            );
            let used = installs_with(&text);
            if let Some(manager) = ours.and_then(|d| d.manager)
                && !used.is_empty()
            {
                assert!(
                    used.contains(&manager),
                    "{image}:{tag} installs with {used:?}, not {manager:?} ({})",
                    file.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 300, "{checked}");
}

#[test]
fn tables_agree_with_the_families() {
    // Debian's docker-clean hook is only on images built on Debian or Ubuntu.
    for f in images::DOCKER_CLEAN {
        let family = images::distro(f.image, "latest").map(|d| d.family);
        assert!(
            family.is_none_or(|f| f == Family::Debian),
            "{}: {family:?}",
            f.image
        );
    }
    // Images with bash are not bare.
    for f in images::HAS_BASH {
        let family = images::distro(f.image, "latest").map(|d| d.family);
        assert!(
            !matches!(
                family,
                Some(Family::Bare | Family::Windows | Family::Alpine)
            ),
            "{}: {family:?}",
            f.image
        );
    }
}

/// The words of a tag, in order (`3.12-slim-bookworm` and `3.12-bookworm-slim` are the same
/// variant, named in each image's own order).
fn tag_words(tag: &str) -> Vec<String> {
    let mut words: Vec<String> = tag.split('-').map(str::to_string).collect();
    words.sort();
    words
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn slim_variants_as_the_official_dockerfiles_have_them() {
    let dir = common::corpus_dir().join("docker-library");
    let mut checked = 0;
    for (image, files) in official_images() {
        let mut tags: Vec<String> = Vec::new();
        for file in &files {
            let repo = repo_of(&dir, file);
            let tag = folder_tag(&repo, file);
            // rust's folders are its channels: `stable` is tagged `1`; nightly is not an
            // official tag.
            let tag = match image.as_str() {
                "rust" => tag.replace("stable", "1"),
                _ => tag,
            };
            let early_access = image == "openjdk"
                && tag
                    .split('-')
                    .next()
                    .and_then(|v| v.parse::<u32>().ok())
                    .is_some_and(|v| v >= 27);
            // openjdk 27 and later are published as early-access tags (`27-ea-...`), which
            // the knowledge base does not give.
            if !tag.contains("nightly") && !early_access {
                tags.push(tag);
            }
        }
        let is_slim = |t: &String| {
            let w = tag_words(t);
            w.iter().any(|w| w == "slim") && !w.iter().any(|w| w.starts_with("alpine"))
        };
        let has_slim = files.iter().any(|f| {
            f.components()
                .any(|c| c.as_os_str().to_string_lossy().contains("slim"))
                && !f.to_string_lossy().contains("alpine")
        });
        assert_eq!(
            images::holds(images::variants::SLIM, &image),
            has_slim,
            "{image}: slim variants in the corpus {has_slim}"
        );
        for full in tags.iter().filter(|t| !is_slim(t)) {
            let ours = images::variants::smaller_tag(&image, full).map(|s| tag_words(&s.tag));
            let mut beside: Vec<String> = tag_words(full);
            beside.push("slim".to_string());
            beside.sort();
            let theirs = tags
                .iter()
                .filter(|t| is_slim(t))
                .map(|t| tag_words(t))
                .find(|w| *w == beside);
            assert_eq!(ours, theirs, "{image}:{full}");
            checked += 1;
        }
    }
    assert!(checked >= 100, "{checked}");
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn variables_and_users_as_the_official_dockerfiles_set_them() {
    let mut checked = 0;
    for (image, files) in official_images() {
        let linux: Vec<String> = files
            .iter()
            .filter(|f| !f.to_string_lossy().contains("windows"))
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        for f in images::env::IMAGE_ENV.iter().filter(|f| f.image == image) {
            for text in &linux {
                let set = [" ", "="]
                    .iter()
                    .any(|sep| text.contains(&format!("{}{sep}{}", f.name, f.value)));
                assert!(set, "{image}: {}={} not set", f.name, f.value);
                checked += 1;
            }
        }
        for u in images::env::USER_IDS.iter().filter(|u| u.image == image) {
            for text in &linux {
                let created = text.lines().any(|l| {
                    (l.contains("useradd") || l.contains("adduser"))
                        && l.split_whitespace().any(|w| w == u.uid.to_string())
                        && l.split_whitespace().rfind(|w| *w != "\\") == Some(u.user)
                });
                assert!(created, "{image}: no user {} with uid {}", u.user, u.uid);
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "{checked}");
}

/// The names of the variables a Dockerfile's `ENV`s set (every stage).
fn env_names_set(text: &str) -> Vec<String> {
    let Ok(doc) = dockerfix::syntax::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ins in doc.instructions() {
        if ins.kind() != dockerfix::syntax::Kind::Env {
            continue;
        }
        if let dockerfix::syntax::Args::Pairs(pairs) = &ins.node.args {
            out.extend(pairs.iter().map(|p| p.key.slice(&ins.logical).to_string()));
        }
    }
    out
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn environments_as_the_official_dockerfiles_set_them() {
    // An image whose environment the knowledge base knows sets no variable the table lacks
    // (DF928 would report a use of it), and each name a `corpus:` entry lists is set by one
    // of the image's Linux Dockerfiles.
    let mut checked = 0;
    for (image, files) in official_images() {
        let Some(known) = images::env_names(&image) else {
            continue;
        };
        let mut set: Vec<String> = Vec::new();
        for f in files
            .iter()
            .filter(|f| !f.to_string_lossy().contains("windows"))
        {
            let text = std::fs::read_to_string(f).unwrap();
            for name in env_names_set(&text) {
                assert!(
                    known.contains(&name.as_str()),
                    "{image}: {} sets {name}, which images::env::ENV_NAMES lacks",
                    f.display()
                );
                checked += 1;
                set.push(name);
            }
        }
        for entry in images::ENV_NAMES.iter().filter(|e| e.image == image) {
            if !entry.source.starts_with("corpus:") {
                continue;
            }
            for name in entry.names {
                assert!(
                    set.iter().any(|s| s == name),
                    "{image}: no Dockerfile in the corpus sets {name} ({})",
                    entry.source
                );
            }
        }
    }
    assert!(checked >= 300, "{checked}");
    // Images the table has that the corpus has too: at least these are checked above.
    for image in [
        "python", "node", "golang", "rust", "postgres", "redis", "mysql", "mongo",
    ] {
        assert!(images::env_names(image).is_some(), "{image}");
    }
}
