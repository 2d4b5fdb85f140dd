//! Smaller variants of the official images: the `-slim` tag of a full tag (`python:3.12` has
//! `python:3.12-slim`), and the JRE tag of a JDK image (`eclipse-temurin:17` has `17-jre`).
//! A tag is only given where it exists: the rules of [`smaller_tag`] were checked against
//! every tag the images have published (not `python:3.4.1`, `rust:1.22`, tags on Debian
//! `jessie`, nor pre-releases on a named Debian release), and `tests/images.rs` checks them
//! against the variants of the official Dockerfiles in the corpus.

use super::{Fact, fact, holds};

/// Images with `-slim` variants, and where their tags were checked.
pub static SLIM: &[Fact] = &[
    fact(
        "python",
        "Docker Hub's tags; corpus: docker-library/python */slim-*",
    ),
    fact("pypy", "Docker Hub's tags"),
    fact(
        "ruby",
        "Docker Hub's tags; corpus: docker-library/ruby */slim-*",
    ),
    fact(
        "rust",
        "Docker Hub's tags; corpus: rust-lang/docker-rust */*/slim",
    ),
    fact("perl", "Docker Hub's tags"),
    fact(
        "node",
        "Docker Hub's tags; corpus: nodejs/docker-node */*-slim",
    ),
    fact(
        "debian",
        "Docker Hub's tags: every release since 8, dated ones since 2018-10-11",
    ),
    fact(
        "openjdk",
        "Docker Hub's tags (8 to 26; 27 and later are early-access tags); corpus: \
         docker-library/openjdk */slim-*",
    ),
];

/// JDK images with a JRE variant of the same tag, and where that was checked.
pub static JRE: &[Fact] = &[fact(
    "eclipse-temurin",
    "Docker Hub's tags: every JDK tag of 8, 11, 17, 21 and 25 has its JRE",
)];

/// Debian releases the official images are built on (tag suffixes).
const SUITES: &[&str] = &[
    "jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "duke",
];

/// What a smaller variant leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// A smaller variant of the same image (`-slim`).
    Slim,
    /// A runtime-only Java image (the JRE of a JDK image).
    Jre,
}

/// The tag of a smaller variant of an image.
#[derive(Debug, PartialEq, Eq)]
pub struct SmallerTag {
    pub tag: String,
    pub variant: Variant,
}

/// Whether `v` is dot-separated numbers, `min..=max` of them.
fn dotted(v: &str, min: usize, max: usize) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    (min..=max).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The numbers of a dotted version (`3.12.1` is `[3, 12, 1]`), as far as they are numbers.
/// A number too large for `u32` counts as `u32::MAX` (`python:4294967296` is a dotted
/// version with one part, and must give one number).
fn numbers(v: &str) -> Vec<u32> {
    v.split('.')
        .map_while(|p| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().unwrap_or(u32::MAX))
        })
        .collect()
}

/// `3.12.0a1`, `3.12.0rc2`: a dotted version with a pre-release suffix on its last number.
fn python_prerelease(v: &str) -> bool {
    let Some(pos) = v.rfind(['a', 'b', 'r']) else {
        return false;
    };
    let (head, tail) = v.split_at(pos);
    let digits = tail.trim_start_matches(['a', 'b', 'r', 'c']);
    matches!(&tail[..tail.len() - digits.len()], "a" | "b" | "rc")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && dotted(head, 3, 3)
}

/// Splits `version[-suite]`: the Debian release at the end, if any.
fn split_suite(tag: &str) -> (&str, Option<&str>) {
    match tag.rsplit_once('-') {
        Some((head, suite)) if SUITES.contains(&suite) => (head, Some(suite)),
        _ if SUITES.contains(&tag) => ("", Some(tag)),
        _ => (tag, None),
    }
}

/// `version-slim-suite` for the images that put `slim` after the version and before the
/// Debian release (python, pypy, ruby, rust, perl).
fn slim_before_suite(version: &str, variant: Option<&str>, suite: Option<&str>) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !version.is_empty() {
        parts.push(version);
    }
    parts.push("slim");
    parts.extend(variant);
    parts.extend(suite);
    parts.join("-")
}

/// The slim (or JRE) tag of an official image's full tag, when it is known to exist: `image`
/// as [`official_name`](super::official_name) gives it, `tag` as written (`latest` when the
/// reference has none). `None` for a tag that is already the smaller one, for other variants
/// (`alpine`, Windows) and for images in neither [`SLIM`] nor [`JRE`].
pub fn smaller_tag(image: &str, tag: &str) -> Option<SmallerTag> {
    if !holds(SLIM, image) && !holds(JRE, image) {
        return None;
    }
    let slim = |tag: String| {
        Some(SmallerTag {
            tag,
            variant: Variant::Slim,
        })
    };
    let tag = tag.to_ascii_lowercase();
    if tag == "latest" {
        return match image {
            "python" | "pypy" | "ruby" | "rust" | "perl" | "node" => slim("slim".into()),
            _ => None,
        };
    }
    let (head, suite) = split_suite(&tag);
    match image {
        "python" => {
            let ok = if dotted(head, 1, 3) {
                let n = numbers(head);
                // Patch releases from before the slim variant (2014), and patch tags on
                // jessie/stretch (2017), which had none.
                let old_suite = suite.is_some_and(|s| s == "jessie" || s == "stretch");
                let old_patch = match n.as_slice() {
                    [2, 7, p] => *p < 8 || old_suite,
                    [3, 3, p] => *p < 6 || old_suite,
                    [3, 4, p] => *p < 2 || old_suite,
                    [_, _, _] => old_suite,
                    _ => false,
                };
                let old_minor = matches!(n.as_slice(), [3, 3, ..]) && suite.is_some();
                !old_patch && !old_minor && matches!(n.first(), Some(2 | 3))
            } else if let Some(v) = head.strip_suffix("-rc") {
                dotted(v, 2, 2) && suite != Some("jessie")
            } else {
                // Pre-releases only have slim without a named Debian release.
                head.is_empty() || python_prerelease(head) && suite.is_none()
            };
            ok.then(|| slim_before_suite(head, None, suite))
                .and_then(slim)
        }
        "pypy" => {
            // `3.10`, `3.10-7.3.16`, `3-7.3`, `2.7-7`.
            let ok = match head.split_once('-') {
                Some((py, pypy)) => dotted(py, 1, 2) && dotted(pypy, 1, 3),
                None => head.is_empty() || dotted(head, 1, 2),
            };
            ok.then(|| slim_before_suite(head, None, suite))
                .and_then(slim)
        }
        "ruby" => {
            // `3.3`, `3.3.1`, `3.4.0-preview1`, `3.4-rc`, `3.4.0-rc1`; slim since 2.1.5.
            let (version, pre) = match head.split_once('-') {
                Some((v, pre)) => (v, Some(pre)),
                None => (head, None),
            };
            let pre_ok = pre.is_none_or(|p| {
                p == "rc"
                    || ["preview", "rc"].iter().any(|k| {
                        p.strip_prefix(k)
                            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                    })
            });
            let n = numbers(version);
            let old = match n.as_slice() {
                [1, _, _] | [2, 0, _] => true,
                [2, 1, p] => *p < 5,
                [2, 2, _] => pre.is_some(),
                _ => false,
            };
            let ok = head.is_empty() || dotted(version, 1, 3) && pre_ok && !old;
            ok.then(|| slim_before_suite(head, None, suite))
                .and_then(slim)
        }
        "rust" => {
            // Slim since 1.25.
            let n = numbers(head);
            let ok = head.is_empty()
                || dotted(head, 1, 3) && !matches!(n.as_slice(), [1, m, ..] if *m < 25);
            ok.then(|| slim_before_suite(head, None, suite))
                .and_then(slim)
        }
        "perl" => {
            // `5.40`, `5.40-threaded`, `threaded`, `stable`, `stable-threaded`.
            let (version, threaded) = match head.strip_suffix("threaded") {
                Some(v) => (v.strip_suffix('-').unwrap_or(v), Some("threaded")),
                None => (head, None),
            };
            if threaded.is_some() && !(version.is_empty() || head.ends_with("-threaded")) {
                return None;
            }
            let n = numbers(version);
            // Slim tags for every 5.x since 5.24, and for patch releases since 5.30.
            let ok = version.is_empty()
                || version == "stable"
                || dotted(version, 1, 3)
                    && match n.as_slice() {
                        [major, minor] => *major > 5 || *minor >= 24,
                        [major, minor, _] => *major > 5 || *minor >= 30,
                        _ => true,
                    };
            ok.then(|| slim_before_suite(version, threaded, suite))
                .and_then(slim)
        }
        "node" => {
            const CODENAMES: &[&str] = &[
                "argon", "boron", "carbon", "dubnium", "erbium", "fermium", "gallium", "hydrogen",
                "iron", "jod", "krypton",
            ];
            let n = numbers(head);
            // No slim tags on jessie and stretch for most versions.
            let old_suite = suite.is_some_and(|s| s == "jessie" || s == "stretch");
            let ok = !old_suite
                && (head.is_empty()
                    || matches!(head, "lts" | "current")
                    || CODENAMES.contains(&head)
                    || dotted(head, 1, 3) && n.first().is_some_and(|m| (6..100).contains(m)));
            ok.then(|| format!("{tag}-slim")).and_then(slim)
        }
        "debian" => {
            const NAMED: &[&str] = &[
                "stable",
                "oldstable",
                "oldoldstable",
                "testing",
                "unstable",
                "sid",
            ];
            let (release, date) = match tag.rsplit_once('-') {
                Some((r, d)) if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) => {
                    (r, Some(d))
                }
                _ => (tag.as_str(), None),
            };
            // Dated slim tags since October 2018; `9.0` to `9.2` and `8.x` had none.
            let named = (SUITES.contains(&release) || NAMED.contains(&release))
                && date.is_none_or(|d| d >= "20181011");
            let n = numbers(release);
            let numbered = date.is_none()
                && dotted(release, 1, 2)
                && match n.as_slice() {
                    [major] => *major >= 8,
                    [9, minor] => *minor >= 3,
                    [major, ..] => *major >= 10,
                    [] => false,
                };
            ((named && release != "jessie" || numbered) && release != "duke")
                .then(|| format!("{tag}-slim"))
                .and_then(slim)
        }
        "openjdk" => {
            // `11`, `11-jdk`, `8-jre`, `8u212-jre`, `11.0.3-jdk`, each with an optional release.
            let (version, kind) = match head.rsplit_once('-') {
                Some((v, k @ ("jdk" | "jre"))) => (v, Some(k)),
                _ => (head, None),
            };
            let n = numbers(version);
            let ok = match suite {
                None => {
                    (dotted(version, 1, 1)
                        && n.first().is_some_and(|m| (8..=26).contains(m) && *m != 12))
                        || version.split_once('u').is_some_and(|(major, update)| {
                            major == "8" && update.parse::<u32>().is_ok_and(|u| u >= 131)
                        }) && kind.is_some()
                }
                Some("bullseye" | "bookworm" | "buster") => {
                    dotted(version, 1, 1) && n.first().is_some_and(|m| (11..=26).contains(m))
                }
                _ => false,
            };
            ok.then(|| slim_before_suite(head, None, suite))
                .and_then(slim)
        }
        "eclipse-temurin" => {
            // `17`, `17-jdk`, `17-jdk-jammy`, `17.0.10_7-jdk-noble`: the JRE has the same tags.
            let (version, rest) = tag.split_once('-').unwrap_or((tag.as_str(), ""));
            let os = match rest.strip_prefix("jdk") {
                Some(os) => os.to_string(),
                None if rest.is_empty() => String::new(),
                None => format!("-{rest}"),
            };
            let os_ok = matches!(
                os.as_str(),
                "" | "-focal" | "-jammy" | "-noble" | "-resolute" | "-alpine" | "-ubi9-minimal"
            );
            let major = numbers(version.split('_').next().unwrap_or(""))
                .first()
                .copied();
            let version_ok = !version.contains('-')
                && match version.split_once('_') {
                    Some((v, build)) => dotted(v, 3, 3) && dotted(build, 1, 1),
                    None => dotted(version, 1, 3),
                }
                && major.is_some_and(|m| matches!(m, 8 | 11 | 17 | 21 | 25));
            (os_ok && version_ok).then(|| SmallerTag {
                tag: format!("{version}-jre{os}"),
                variant: Variant::Jre,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(image: &str, tag: &str) -> Option<String> {
        smaller_tag(image, tag).map(|s| s.tag)
    }

    #[test]
    fn tags() {
        assert_eq!(s("python", "3.12").as_deref(), Some("3.12-slim"));
        assert_eq!(
            s("python", "3.12-bookworm").as_deref(),
            Some("3.12-slim-bookworm")
        );
        assert_eq!(s("python", "bookworm").as_deref(), Some("slim-bookworm"));
        assert_eq!(s("python", "latest").as_deref(), Some("slim"));
        assert_eq!(s("python", "3.13-rc").as_deref(), Some("3.13-rc-slim"));
        assert_eq!(s("python", "3.13.0rc1").as_deref(), Some("3.13.0rc1-slim"));
        assert_eq!(s("python", "3.4.1"), None);
        assert_eq!(s("python", "3.12-alpine"), None);
        assert_eq!(s("python", "3.12-slim"), None);
        assert_eq!(s("python", "3.12-windowsservercore"), None);
        assert_eq!(s("node", "20").as_deref(), Some("20-slim"));
        assert_eq!(
            s("node", "20-bookworm").as_deref(),
            Some("20-bookworm-slim")
        );
        assert_eq!(s("node", "lts").as_deref(), Some("lts-slim"));
        assert_eq!(s("node", "lts-iron"), None);
        assert_eq!(s("node", "20-alpine"), None);
        assert_eq!(s("debian", "bookworm").as_deref(), Some("bookworm-slim"));
        assert_eq!(s("debian", "12").as_deref(), Some("12-slim"));
        assert_eq!(
            s("debian", "bookworm-20240110").as_deref(),
            Some("bookworm-20240110-slim")
        );
        assert_eq!(s("debian", "latest"), None);
        assert_eq!(s("debian", "bookworm-slim"), None);
        assert_eq!(s("debian", "bookworm-backports"), None);
        assert_eq!(s("perl", "5.38").as_deref(), Some("5.38-slim"));
        assert_eq!(
            s("perl", "5.38-threaded-bookworm").as_deref(),
            Some("5.38-slim-threaded-bookworm")
        );
        assert_eq!(
            s("ruby", "3.3-bookworm").as_deref(),
            Some("3.3-slim-bookworm")
        );
        assert_eq!(s("rust", "1.75").as_deref(), Some("1.75-slim"));
        assert_eq!(s("rust", "1.22"), None);
        assert_eq!(s("openjdk", "11-jdk").as_deref(), Some("11-jdk-slim"));
        assert_eq!(s("openjdk", "8-jdk-alpine"), None);
        assert_eq!(s("eclipse-temurin", "17").as_deref(), Some("17-jre"));
        assert_eq!(
            s("eclipse-temurin", "17-jdk-jammy").as_deref(),
            Some("17-jre-jammy")
        );
        assert_eq!(s("eclipse-temurin", "17-jre"), None);
        assert_eq!(s("golang", "1.22"), None);
        assert_eq!(s("php", "8.3"), None);
        assert_eq!(s("ghcr.io/me/python", "3.12"), None);
        assert_eq!(
            smaller_tag("eclipse-temurin", "21").map(|s| s.variant),
            Some(Variant::Jre)
        );
    }

    #[test]
    fn entries_say_where_they_were_checked() {
        for f in SLIM.iter().chain(JRE) {
            assert!(!f.source.is_empty(), "{}", f.image);
            assert!(
                smaller_tag(f.image, "latest").is_some()
                    || smaller_tag(f.image, "12").is_some()
                    || smaller_tag(f.image, "17").is_some(),
                "{}",
                f.image
            );
        }
    }
}
