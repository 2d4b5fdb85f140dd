//! The image knowledge base (`src/images.rs`) against the official images' own Dockerfiles in
//! the corpus (`docker-library/`): an image listed without ENTRYPOINT has none in any of its
//! Dockerfiles, an image with one is not listed, and an image listed as stepping down from root
//! shows how (gosu, su-exec, an unprivileged user its server switches to, dockerd).

mod common;

use dockerfix::images::{self, NO_ENTRYPOINT, STEPS_DOWN};
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
