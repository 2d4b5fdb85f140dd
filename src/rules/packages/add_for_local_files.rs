use crate::context::BuildContext;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Instruction, Kind, Node};

pub static RULE: Rule = Rule {
    code: "DF213",
    name: "add-for-local-files",
    aliases: &["DL3020"],
    summary: "ADD of plain local files: use COPY",
    doc: "## What it does
Flags `ADD` (also under `ONBUILD`) whose sources are all plain local files or folders, or
heredocs (`ADD <<EOF /etc/motd`): no URL, no Git repository, and no local archive that ADD
would unpack. Which local files ADD unpacks is decided by their content (a tar archive, plain
or compressed with gzip, bzip2, xz or zstd), not their name: with a build context the rule
reads the start of each source file; without one (standard input without `--context`, or a
file the build creates) it goes by the name (`.tar`, `.tgz`, `.tar.gz`, `.gz`, `.bz2`, `.tbz2`,
`.xz`, `.txz`, `.zst`, `.tzst`..., and the package formats that are tar archives: `.gem`,
`.crate`, `.apk`, `.ipk`, `.ova`, `.box`, `.xbps`). Not flagged: an ADD with an archive
source, a URL or Git source (see DF307), or a source that names a variable (`ADD $PKG /`),
which may expand to any of those.

## Why is this bad?
`ADD` fetches URLs and unpacks archives; `COPY` only copies. With `ADD` a reader has to check
every source to know whether something is unpacked, and a file that later becomes a tar
archive (a vendored tarball, a renamed release) is unpacked by surprise. `COPY` says what
happens.

## Example
```dockerfile
ADD requirements.txt app/ /srv/
```
Use instead:
```dockerfile
COPY requirements.txt app/ /srv/
```

## Fix safety
The fix replaces the keyword `ADD` with `COPY` in the same letter case. Safe when every source
is known not to be unpacked: a folder (its contents are copied, archives inside it are not
unpacked), a file whose content the rule read and found not to be a tar archive, a heredoc, or,
without a build context (standard input), a name with a non-archive extension. Unsafe for a
file the build context does not hold (it may be made before the build; its name is only a
guess) and, without a context, for a name without an extension (`ADD rootfs /`: it could be a
tar archive). No fix when a wildcard may
match an archive (`ADD files/* /srv/`), or when the ADD uses a flag COPY does not have
(`--checksum`, `--keep-git-dir`, `--unpack`); `--chown`, `--chmod`, `--link` and `--exclude`
mean the same for COPY.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// What a source of ADD is, as far as unpacking goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// Unpacked (or may well be: an archive name), a URL, a Git repository, or a variable: ADD
    /// is not reported.
    NotPlain,
    /// A wildcard that may match an archive: reported, no fix.
    MaybeArchive,
    /// Probably a plain file (a name without an extension): Unsafe fix.
    Probably,
    /// Known not to be unpacked: Safe fix.
    Plain,
}

/// Name endings BuildKit's content sniffing would recognise as (compressed) tar archives,
/// including package formats that are tar archives under another name: RubyGems `.gem`
/// (plain tar), Cargo `.crate`, Alpine `.apk` and opkg `.ipk` (gzipped tar), `.ova` virtual
/// appliances and Vagrant `.box` files (tar), Void Linux `.xbps` (zstd tar).
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar", ".tgz", ".tbz", ".tbz2", ".tb2", ".txz", ".tzst", ".tlz", ".gz", ".bz2", ".xz", ".zst",
    ".zstd", ".lzma", ".taz", ".gem", ".crate", ".apk", ".ipk", ".ova", ".box", ".xbps",
];

fn is_archive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ARCHIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Whether a source is remote for ADD: a URL, or a Git address (`git@host:repo`).
fn is_remote(src: &str) -> bool {
    if src.contains("://") {
        return true;
    }
    // BuildKit's scp-like Git form `user@host:path`.
    src.split_once('@').is_some_and(|(user, rest)| {
        !user.is_empty()
            && user
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            && rest.split_once(':').is_some_and(|(host, _)| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
            })
    })
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Whether the bytes are the start of an archive ADD unpacks: a tar header (`ustar` magic, or
/// a valid header checksum for old tar files), or a gzip, bzip2, xz or zstd stream (their
/// content may be a tar archive: unpacked then).
fn looks_like_archive(head: &[u8]) -> bool {
    let compressed = head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(b"BZh")
        || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    if compressed {
        return true;
    }
    let Some(header) = head.first_chunk::<512>() else {
        return false;
    };
    if &header[257..262] == b"ustar" {
        return true;
    }
    // The header checksum: the sum of the 512 bytes with the checksum field read as spaces.
    let field = String::from_utf8_lossy(&header[148..156]);
    let Ok(expected) = u32::from_str_radix(field.trim_matches(['\0', ' ']), 8) else {
        return false;
    };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == expected && header[0] != 0
}

/// What the build context says of a local file or folder; `None` when it is not there.
fn from_context(context: &BuildContext, rel: &str) -> Option<Source> {
    let rel = crate::context::normalize(rel)?;
    if context.is_dir(&rel) {
        return Some(Source::Plain);
    }
    if !context.is_file(&rel) {
        return None;
    }
    let path = context.root().join(&rel);
    let mut head = Vec::with_capacity(512);
    use std::io::Read;
    std::fs::File::open(path)
        .ok()?
        .take(512)
        .read_to_end(&mut head)
        .ok()?;
    Some(if looks_like_archive(&head) {
        Source::NotPlain
    } else {
        Source::Plain
    })
}

/// A wildcard source, matched against the build context: `Plain` when every match is a
/// folder or a plain file, `NotPlain` when one is an archive, `None` when it cannot be listed
/// or matches nothing.
fn glob_in_context(context: &BuildContext, pattern: &str) -> Option<Source> {
    let pattern = pattern.trim_start_matches("./").trim_start_matches('/');
    let (dir, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    if has_glob(dir) || name.is_empty() || !context.is_dir(if dir.is_empty() { "." } else { dir }) {
        return None;
    }
    // Go's `filepath.Match`, as BuildKit matches sources: no `{a,b}` alternatives, `[^a]`.
    crate::dockerignore::glob_match(name, "")?;
    let mut result = None;
    for entry in context.list(dir) {
        if crate::dockerignore::glob_match(name, &entry) == Some(true) {
            let rel = if dir.is_empty() {
                entry
            } else {
                format!("{dir}/{entry}")
            };
            let this = from_context(context, &rel)?;
            result = Some(result.map_or(this, |r: Source| r.min(this)));
        }
    }
    // No match: this is probably not the context the build uses; the name decides.
    result
}

/// What a source is, from its name only.
fn by_name(src: &str) -> Source {
    let trimmed = src.trim_end_matches('/');
    if trimmed.is_empty() || trimmed == "." || src.ends_with('/') || trimmed.ends_with("/.") {
        return Source::Plain;
    }
    let name = trimmed.rsplit('/').next().unwrap_or(trimmed);
    if is_archive_name(name) {
        return Source::NotPlain;
    }
    if has_glob(src) {
        // `*.sh` cannot match an archive name; `*`, `files/*` or `*.t*` can.
        let ext = name.rsplit_once('.').map(|(_, e)| e);
        return match ext {
            Some(e) if !e.is_empty() && !has_glob(e) => Source::Plain,
            _ => Source::MaybeArchive,
        };
    }
    if name.contains('.') {
        Source::Plain
    } else {
        Source::Probably
    }
}

fn classify(src: &str, context: Option<&BuildContext>) -> Source {
    if src.contains('$') || is_remote(src) {
        return Source::NotPlain;
    }
    if src.starts_with("<<") {
        // A heredoc: written as a file and copied, never unpacked.
        return Source::Plain;
    }
    let name = by_name(src);
    if name == Source::NotPlain {
        return name;
    }
    let known = context.and_then(|c| {
        if has_glob(src) {
            glob_in_context(c, src)
        } else {
            from_context(c, src)
        }
    });
    match (context, known) {
        (_, Some(k)) => k,
        // The context does not hold the file (made before the build, or this is not the
        // build's context): its name alone is a guess.
        (Some(_), None) if name == Source::Plain && !folder_syntax(src) => Source::Probably,
        _ => name,
    }
}

/// A source written as a folder (`.`, `app/`, `app/.`): never a file ADD could unpack.
fn folder_syntax(src: &str) -> bool {
    let trimmed = src.trim_end_matches('/');
    trimmed.is_empty() || trimmed == "." || src.ends_with('/') || trimmed.ends_with("/.")
}

/// The ADD node of an instruction: the instruction itself, or the one under ONBUILD.
fn add_node(ins: &Instruction) -> Option<(&Node, bool)> {
    match (&ins.node.kind, &ins.node.args) {
        (Kind::Add, _) => Some((&ins.node, false)),
        (Kind::Onbuild, Args::Sub(sub)) if sub.kind == Kind::Add => Some((sub, true)),
        _ => None,
    }
}

/// `COPY` in the letter case of the `ADD` it replaces.
fn copy_keyword(add: &str) -> &'static str {
    if add.chars().all(|c| c.is_ascii_lowercase()) {
        "copy"
    } else if add.starts_with(|c: char| c.is_ascii_uppercase())
        && add[1..].chars().all(|c| c.is_ascii_lowercase())
    {
        "Copy"
    } else {
        "COPY"
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        let Some((node, onbuild)) = add_node(ins) else {
            continue;
        };
        let sources: Vec<String> = match &node.args {
            Args::Words(words) => words
                .iter()
                .map(|w| w.slice(&ins.logical).to_string())
                .collect(),
            Args::Json(args) => args.iter().map(|a| a.value.clone()).collect(),
            _ => continue,
        };
        let Some((_, sources)) = sources.split_last() else {
            continue;
        };
        if sources.is_empty() {
            continue;
        }
        // ONBUILD runs in another build, with another context.
        let context = if onbuild {
            None
        } else {
            ctx.options.context.as_ref()
        };
        let Some(worst) = sources.iter().map(|s| classify(s, context)).min() else {
            continue;
        };
        if worst == Source::NotPlain {
            continue;
        }
        let add_only = node
            .flags
            .iter()
            .find(|f| matches!(f.name(), "checksum" | "keep-git-dir" | "unpack"));
        let keyword_span = ins.to_source(node.keyword);
        let keyword = ctx.doc.slice(keyword_span);
        let what = if sources.iter().all(|s| s.starts_with("<<")) {
            "ADD of a heredoc"
        } else {
            "ADD of local files"
        };
        let mut message = format!(
            "{what}: use COPY, which only copies (ADD also unpacks archives and fetches URLs)"
        );
        let applicability = match (worst, add_only) {
            (_, Some(flag)) => {
                message.push_str(&format!(
                    "; drop `--{}`, which COPY does not have",
                    flag.name()
                ));
                None
            }
            (Source::MaybeArchive, _) => {
                message = format!(
                    "{what}: use COPY, unless the wildcard is meant to match archives for ADD to unpack"
                );
                None
            }
            (Source::Probably, _) => Some(Applicability::Unsafe),
            _ => Some(Applicability::Safe),
        };
        let mut diag = Diagnostic::new(&RULE, keyword_span, message);
        if let Some(a) = applicability {
            diag = diag.with_fix(Fix::new(
                "Replace `ADD` with `COPY`",
                a,
                vec![Edit::replace(keyword_span, copy_keyword(keyword))],
            ));
        }
        out.push(diag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(by_name("."), Source::Plain);
        assert_eq!(by_name("app/"), Source::Plain);
        assert_eq!(by_name("start.sh"), Source::Plain);
        assert_eq!(by_name(".muttrc"), Source::Plain);
        assert_eq!(by_name("rootfs.tar.xz"), Source::NotPlain);
        assert_eq!(by_name("x.TGZ"), Source::NotPlain);
        // Tar archives under a package format's name: ADD unpacks them too.
        assert_eq!(by_name("rails-7.1.0.gem"), Source::NotPlain);
        assert_eq!(by_name("serde-1.0.0.crate"), Source::NotPlain);
        assert_eq!(by_name("musl-1.2.5-r0.apk"), Source::NotPlain);
        assert_eq!(by_name("*.gem"), Source::NotPlain);
        assert_eq!(by_name("conf"), Source::Probably);
        assert_eq!(by_name("*.sh"), Source::Plain);
        assert_eq!(by_name("files/*"), Source::MaybeArchive);
        assert_eq!(by_name("*.t*"), Source::MaybeArchive);
        assert_eq!(classify("https://x/a.txt", None), Source::NotPlain);
        assert_eq!(classify("git@github.com:a/b.git", None), Source::NotPlain);
        assert_eq!(classify("$PKG", None), Source::NotPlain);
        assert_eq!(classify("<<EOF", None), Source::Plain);
        assert_eq!(copy_keyword("add"), "copy");
        assert_eq!(copy_keyword("Add"), "Copy");
        assert_eq!(copy_keyword("aDD"), "COPY");
    }

    #[test]
    fn content_sniffing() {
        let dir = tempfile::tempdir().unwrap();
        let mut tar = vec![0u8; 1024];
        tar[..8].copy_from_slice(b"file.txt");
        tar[257..262].copy_from_slice(b"ustar");
        std::fs::write(dir.path().join("payload"), &tar).unwrap();
        std::fs::write(dir.path().join("gz.bin"), [0x1f, 0x8b, 8, 0]).unwrap();
        std::fs::write(dir.path().join("start"), "#!/bin/sh\n").unwrap();
        std::fs::create_dir(dir.path().join("conf")).unwrap();
        let c = BuildContext::new(dir.path());
        assert_eq!(classify("payload", Some(&c)), Source::NotPlain);
        assert_eq!(classify("gz.bin", Some(&c)), Source::NotPlain);
        assert_eq!(classify("./start", Some(&c)), Source::Plain);
        assert_eq!(classify("conf", Some(&c)), Source::Plain);
        assert_eq!(classify("missing", Some(&c)), Source::Probably);
        assert_eq!(classify("s*", Some(&c)), Source::Plain);
        assert_eq!(classify("*", Some(&c)), Source::NotPlain);
        assert_eq!(classify("x*", Some(&c)), Source::MaybeArchive);
        // Braces are literal to Go's filepath.Match: `{a,b}*` matches `{a,b}.tar`, an archive
        // (a matcher with alternatives would see only `a.txt` and call it plain).
        std::fs::write(dir.path().join("a.txt"), "plain\n").unwrap();
        std::fs::write(dir.path().join("{a,b}.tar"), &tar).unwrap();
        assert_eq!(classify("{a,b}*", Some(&c)), Source::NotPlain);
        // A v7 tar header without the ustar magic: found by its checksum.
        let mut old = vec![0u8; 512];
        old[..4].copy_from_slice(b"a.sh");
        old[148..156].copy_from_slice(b"        ");
        let sum: u32 = old.iter().map(|&b| u32::from(b)).sum();
        old[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert!(looks_like_archive(&old));
        assert!(!looks_like_archive(&[b'x'; 600]));
    }
}
