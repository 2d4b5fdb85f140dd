use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF307",
    name: "add-url-checksum",
    aliases: &[],
    summary: "ADD from a URL without --checksum",
    doc: "## What it does
Flags `ADD` of a remote source that nothing pins: an `http://` or `https://` URL of one
release of a file (its path has a version such as `1.2` or `v3`, a variable named as a version
such as `${VERSION}` or `$TAG`, or a commit) without `--checksum=sha256:<digest>`, or a Git repository (`https://host/repo.git`, `git@host:repo`,
`ssh://`, `git://`) without `--checksum=<commit>`, a full commit in the ref
(`repo.git#<40 or 64 hex digits>`) or a `?checksum=`/`?commit=` query. Sources are read as
BuildKit reads them: an `https://` URL whose path ends in `.git` is a Git repository.

A URL that serves new content on purpose (no version in its path, or a moving name such as
`latest`, `master`, `main` or `nightly`) is not flagged: a checksum would break the next build,
and such a download is a choice, not an omission.

## Why is this bad?
The build copies whatever the server returns that day: a changed or compromised file, or a
branch or tag that moved, goes into the image unnoticed, and two builds of the same
Dockerfile differ. A checksum makes BuildKit verify the content and fail on a mismatch.

## Example
```dockerfile
ADD https://mirrors.edge.kernel.org/pub/linux/kernel/Historic/linux-0.01.tar.gz /
ADD https://github.com/moby/buildkit.git#v0.26.2 /src
```
Use instead:
```dockerfile
# syntax=docker/dockerfile:1.17
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://mirrors.edge.kernel.org/pub/linux/kernel/Historic/linux-0.01.tar.gz /
ADD --checksum=be1f38e https://github.com/moby/buildkit.git#v0.26.2 /src
```
`ADD --checksum` for URLs needs the Dockerfile frontend 1.6 or newer
(`# syntax=docker/dockerfile:1.6`), for Git sources 1.17 or newer; older frontends and the
legacy builder reject the flag. `--checksum` takes one source: split an ADD of several URLs.

## Fix safety
No fix: the digest has to come from the publisher (or from a download you trust), not from
whatever the URL serves now.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::None,
    check,
};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Remote {
    Http,
    Git,
}

/// Whether a string is an scp-like Git address (`git@github.com:org/repo.git`), BuildKit's
/// `^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$`.
fn scp_like(src: &str) -> bool {
    let Some((user, rest)) = src.split_once('@') else {
        return false;
    };
    let Some((host, _)) = rest.split_once(':') else {
        return false;
    };
    !user.is_empty()
        && user
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        && !host.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
}

/// What BuildKit's ADD makes of a source (`dfgitutil.ParseGitRef`, then `isHTTPSource`).
fn remote(src: &str) -> Option<Remote> {
    if let Some((scheme, rest)) = src.split_once("://")
        && !scheme.is_empty()
        && scheme.bytes().all(|c| c.is_ascii_alphanumeric())
    {
        let path = rest.split(['?', '#']).next().unwrap_or(rest);
        let path = path.find('/').map_or("", |p| &path[p..]);
        return match scheme.to_ascii_lowercase().as_str() {
            "ssh" | "git" => Some(Remote::Git),
            "http" | "https" if path.ends_with(".git") => Some(Remote::Git),
            // `isHTTPSource` tests the prefix as written.
            _ if src.starts_with("http://") || src.starts_with("https://") => Some(Remote::Http),
            _ => None,
        };
    }
    scp_like(src).then_some(Remote::Git)
}

fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Whether a Git source pins a commit itself: `#<commit>[:subdir]`, or a `checksum`,
/// `commit` or full-commit `ref` query parameter.
fn git_pinned(src: &str) -> bool {
    let (before, fragment) = src.split_once('#').unwrap_or((src, ""));
    let reference = fragment.split(':').next().unwrap_or("");
    if is_commit(reference) {
        return true;
    }
    let query = before.split_once('?').map_or("", |(_, q)| q);
    query.split('&').any(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        matches!(k, "checksum" | "commit") && !v.is_empty() || k == "ref" && is_commit(v)
    })
}

/// Whether a URL names one release of a file, which can have a checksum: its path has a
/// version (`1.2`, `v3`, a variable such as `${VERSION}`) or a commit, and no moving name
/// (`latest`, `master`, `main`, `nightly`...). A rolling URL serves new content on purpose: a
/// checksum would break the next build.
fn names_a_release(url: &str) -> bool {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let tokens: Vec<&str> = path
        .split(['/', '-', '_', '+', '~'])
        .filter(|t| !t.is_empty())
        .collect();
    let moving = tokens.iter().any(|t| {
        let t = t.to_ascii_lowercase();
        let stem = t.split('.').next().unwrap_or("");
        [
            "latest", "master", "main", "nightly", "current", "stable", "head", "trunk", "edge",
        ]
        .contains(&stem)
    });
    // A variable names a release when its name says so (`${VERSION}`, `$TAG`, `${GIT_SHA}`);
    // `${BRANCH}` moves.
    let release_variable = |t: &str| {
        t.split('$').skip(1).any(|v| {
            let name: String = v
                .trim_start_matches('{')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_ascii_uppercase();
            [
                "VERSION", "VER", "TAG", "RELEASE", "SHA", "COMMIT", "DIGEST", "REV",
            ]
            .iter()
            .any(|k| name.split('_').any(|w| w == *k) || name.ends_with(k))
                && !name.contains("BRANCH")
        })
    };
    let version = |t: &&str| {
        let t = t.trim_start_matches(['v', 'V']);
        let b = t.as_bytes();
        b.first().is_some_and(u8::is_ascii_digit)
            && (t.contains('.') || b.iter().all(u8::is_ascii_digit))
            || (t.len() >= 7
                && b.iter().all(u8::is_ascii_hexdigit)
                && b.iter().any(u8::is_ascii_digit))
    };
    !moving && (release_variable(path) || tokens.iter().any(version))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        if ins.kind() != Kind::Add || ins.node.flag("checksum").is_some() {
            continue;
        }
        let sources: Vec<(Span, String)> = match &ins.node.args {
            Args::Words(words) => words
                .iter()
                .map(|w| (*w, w.slice(&ins.logical).to_string()))
                .collect(),
            Args::Json(args) => args.iter().map(|a| (a.span, a.value.clone())).collect(),
            _ => continue,
        };
        let Some((_, sources)) = sources.split_last() else {
            continue;
        };
        for (span, src) in sources {
            let message = match remote(src) {
                Some(Remote::Http) if names_a_release(src) => {
                    "ADD from a URL without `--checksum=sha256:...`: the download is not verified"
                }
                Some(Remote::Git) if !git_pinned(src) => {
                    "ADD of a Git repository without `--checksum=<commit>`: the ref can move"
                }
                _ => continue,
            };
            out.push(Diagnostic::new(&RULE, ins.to_source(*span), message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_and_rolling_urls() {
        for url in [
            "https://mirrors.edge.kernel.org/pub/linux/kernel/Historic/linux-0.01.tar.gz",
            "https://github.com/tianon/gosu/releases/download/1.17/gosu-amd64",
            "https://example.com/tool-v2.tgz",
            "https://example.com/${VERSION}/tool.tgz",
            "https://example.com/v${TRAEFIK_VERSION}/traefik",
            "https://raw.githubusercontent.com/org/repo/3f2a9c1d/install.sh",
        ] {
            assert!(names_a_release(url), "{url}");
        }
        for url in [
            "https://example.com/latest/db.tar.gz",
            "https://raw.githubusercontent.com/org/repo/master/install.sh",
            "https://example.com/download/tool.tar.gz",
            "https://example.com/releases/latest/download/tool-1.2.tgz",
            "https://raw.githubusercontent.com/pi-hole/PADD/${PADD_BRANCH}/padd.sh",
            "https://example.com/${NAME}/tool.tgz",
        ] {
            assert!(!names_a_release(url), "{url}");
        }
    }

    #[test]
    fn sources() {
        assert_eq!(remote("https://x.org/a.tar.gz"), Some(Remote::Http));
        assert_eq!(remote("http://x.org/a?r=b.git"), Some(Remote::Http));
        assert_eq!(remote("https://github.com/a/b.git#v1"), Some(Remote::Git));
        assert_eq!(
            remote("https://github.com/a/b.git?ref=v1"),
            Some(Remote::Git)
        );
        assert_eq!(remote("git@github.com:a/b.git"), Some(Remote::Git));
        assert_eq!(remote("ssh://git@github.com/a/b"), Some(Remote::Git));
        assert_eq!(remote("HTTPS://x.org/a"), None);
        assert_eq!(remote("github.com/a/b"), None);
        assert_eq!(remote("./app"), None);
        assert_eq!(remote("${URL}"), None);
        assert!(git_pinned(
            "https://github.com/a/b.git#0123456789abcdef0123456789abcdef01234567:docs"
        ));
        assert!(git_pinned(
            "https://github.com/a/b.git?ref=v1&commit=0123abc"
        ));
        assert!(!git_pinned("https://github.com/a/b.git#v1"));
        assert!(!git_pinned("https://github.com/a/b.git#0123abc"));
    }
}
