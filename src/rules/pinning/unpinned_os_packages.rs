use crate::rules::common::word_span;
use crate::rules::{Call, Context, Diagnostic, FixAvailability, Rule, Severity, programs};
use crate::shell::Word;

pub static RULE: Rule = Rule {
    code: "DF404",
    name: "unpinned-os-packages",
    aliases: &["DL3008", "DL3018", "DL3033", "DL3037", "DL3041"],
    summary: "apt-get/apk/yum/dnf/zypper install without versions",
    doc: "## What it does
Flags OS package installs that name packages without a version. Off by default.
- `apt-get install curl` (also `apt`; hadolint's DL3008): pinned with `curl=7.88.1-10`; a
  release selection (`curl/bookworm-backports`) and `.deb` files count as chosen.
- `apk add curl` (DL3018): pinned with `curl=8.5.0-r0`, `curl~8.5`, `curl>8`; `.apk` files
  count as pinned.
- `yum install`, `dnf install`, `microdnf install` (DL3033, DL3041): pinned with
  `curl-7.76.1`: a dash followed by a part that starts with a digit, as hadolint reads it;
  `.rpm` files, paths, URLs and `@group`s are not package names. `module` and `group`
  subcommands are not checked.
- `zypper install` (`in`; DL3037): pinned with `=`, `<`, `>`; `.rpm` files count as pinned.

Names that hold a variable (`$PACKAGES`) are not known and not reported.

Off by default, unlike hadolint (which has since proposed to disable DL3008 by default too):
distributions remove old package versions from their archives, so an exact pin breaks the
build as soon as the version is superseded. Pin the base image by digest (DF402) for
reproducible OS packages, and enable this rule where a local mirror or snapshot keeps versions.

## Why is this bad?
Without a version, each build installs what the archive has that day: two builds of one
commit may get different packages.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
Use instead:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
```

## Fix safety
No fix: which version to pin is the user's decision, and it is not in the file.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn unknown(v: &str) -> bool {
    v.contains('$') || v.contains('`')
}

fn path_or_url(v: &str) -> bool {
    v.starts_with(['.', '/', '~']) || v.contains("://")
}

fn apt_pinned(p: &str) -> bool {
    p.contains('=') || p.contains('/') || p.ends_with(".deb")
}

fn apk_pinned(p: &str) -> bool {
    p.contains(['=', '~', '>', '<']) || p.ends_with(".apk") || path_or_url(p)
}

/// hadolint's reading of `name-version` for the rpm family.
fn rpm_pinned(p: &str) -> bool {
    if p.ends_with(".rpm") || path_or_url(p) || p.starts_with('@') || p.contains(['=', '<', '>']) {
        return true;
    }
    let mut parts = p.split('-').skip(1).peekable();
    parts.peek().is_some()
        && parts.clone().all(|part| {
            part.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._~+:^*".contains(c))
        })
        && parts.any(|part| part.starts_with(|c: char| c.is_ascii_digit()))
}

fn zypper_pinned(p: &str) -> bool {
    p.contains(['=', '<', '>']) || p.ends_with(".rpm") || path_or_url(p)
}

/// The unpinned package words of an install, and what the manager is called in the message.
fn unpinned<'c>(call: &Call<'c>) -> Option<(&'static str, Vec<&'c Word>)> {
    let sub = call.subcommand()?;
    let (name, pinned): (&'static str, fn(&str) -> bool) = if call.is(&programs::APT) {
        (sub == "install").then_some(("apt-get install", apt_pinned as fn(&str) -> bool))?
    } else if call.is(&programs::APK) {
        (sub == "add").then_some(("apk add", apk_pinned as fn(&str) -> bool))?
    } else if call.is(&programs::DNF) {
        (sub == "install").then_some(("install", rpm_pinned as fn(&str) -> bool))?
    } else if call.is(&programs::ZYPPER) {
        matches!(sub, "install" | "in")
            .then_some(("zypper install", zypper_pinned as fn(&str) -> bool))?
    } else {
        return None;
    };
    let words: Vec<&Word> = call
        .operands()
        .filter(|w| !unknown(&w.value) && !pinned(&w.value))
        .collect();
    Some((name, words))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    for grammar in [
        &programs::APT,
        &programs::APK,
        &programs::DNF,
        &programs::ZYPPER,
    ] {
        for (run, i, call) in ctx.calls(grammar) {
            let Some((name, words)) = unpinned(&call) else {
                continue;
            };
            let (Some(first), Some(last)) = (words.first(), words.last()) else {
                continue;
            };
            // As written: `apt install`, `yum install`, `zypper in`.
            let program = run.commands.get(i).and_then(|c| c.program());
            let name = match (program, call.subcommand()) {
                (Some(p), Some(sub)) => format!("{p} {sub}"),
                _ => name.to_string(),
            };
            let mut names: Vec<String> = words
                .iter()
                .take(3)
                .map(|w| format!("`{}`", w.value))
                .collect();
            if words.len() > 3 {
                names.push(format!("{} more", words.len() - 3));
            }
            let version = if words.len() == 1 {
                "a version"
            } else {
                "versions"
            };
            found.push(Diagnostic::new(
                &RULE,
                word_span(run, first, last),
                format!("`{name}` without {version}: {}", names.join(", ")),
            ));
        }
    }
    found.sort_by_key(|d| d.span.start);
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_versions() {
        assert!(rpm_pinned("curl-7.76.1"));
        assert!(rpm_pinned("java-11-openjdk"));
        assert!(rpm_pinned("x.rpm"));
        assert!(!rpm_pinned("python3-devel"));
        assert!(!rpm_pinned("curl"));
    }
}
