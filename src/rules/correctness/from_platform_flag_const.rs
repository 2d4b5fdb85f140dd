use super::from_words;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF913",
    name: "from-platform-flag-const-disallowed",
    aliases: &["FromPlatformFlagConstDisallowed", "DL3029"],
    summary: "`FROM --platform` with a constant platform",
    doc: "## What it does
Flags `FROM --platform=linux/amd64 ...`: a `--platform` without any variable, as BuildKit's
`FromPlatformFlagConstDisallowed` check does. As in BuildKit, it stays quiet when the stage's
name contains the platform's OS or architecture (`AS build-arm64`): such a stage is meant for
that platform.

hadolint's DL3029 flags every `--platform` that is not a variable; this rule follows BuildKit
and spares stages named after their platform.

Off by default (on in BuildKit's checks): on the real-project review set (`docs/precision.md`,
v5) both findings were stages built on images that exist for one platform only (ollama's
NVIDIA JetPack stages, arm64), where the constant platform is the point. Enable it with
`select = [\"DF913\"]`.

## Why is this bad?
The stage ignores the platform the build was asked for (`docker build --platform`, multi-platform
builds): on another machine it pulls a foreign image and runs it under emulation, or ships it.
`--platform=$BUILDPLATFORM` (tools that run on the build machine) and `$TARGETPLATFORM` are the
portable forms.

## Example
```dockerfile
FROM --platform=linux/amd64 node:22
```
Use instead:
```dockerfile
FROM node:22
```

## Fix safety
No fix: whether the stage should follow the target platform or the build platform is the
author's choice.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn known_os(s: &str) -> bool {
    matches!(
        s,
        "linux"
            | "windows"
            | "darwin"
            | "freebsd"
            | "netbsd"
            | "openbsd"
            | "solaris"
            | "illumos"
            | "aix"
            | "android"
            | "ios"
            | "plan9"
            | "dragonfly"
            | "js"
            | "wasip1"
    )
}

/// containerd's architecture normalization (the names `platforms.Parse` maps).
fn normalize_arch(a: &str) -> &str {
    match a {
        "i386" | "i686" => "386",
        "x86_64" | "x86-64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "armhf" | "armel" | "arm" => "arm",
        other => other,
    }
}

/// The OS and architecture `platforms.Parse` reads in a platform, None when it would fail.
fn parse_platform(p: &str) -> Option<(String, String)> {
    let lower = p.to_lowercase();
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
    };
    let parts: Vec<&str> = lower.split('/').collect();
    match parts.as_slice() {
        [one] if ok(one) => {
            if known_os(one) {
                Some((one.to_string(), "amd64".to_string()))
            } else {
                Some(("linux".to_string(), normalize_arch(one).to_string()))
            }
        }
        [os, arch] | [os, arch, _] if ok(os) && ok(arch) => {
            Some((os.to_string(), normalize_arch(arch).to_string()))
        }
        _ => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some(flag) = from.node.flag("platform") else {
            continue;
        };
        let Some(value) = flag.value() else {
            continue;
        };
        if value.contains('$') {
            continue;
        }
        let Some((os, arch)) = parse_platform(value) else {
            continue;
        };
        let name = from_words(from)
            .and_then(|w| w.alias)
            .map(|(_, n)| n.slice(&from.logical).to_lowercase())
            .unwrap_or_default();
        if name.contains(&os) || name.contains(&arch) {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            from.to_source(flag.span),
            format!(
                "`--platform={value}` pins the stage to one platform whatever the build targets"
            ),
        ));
    }
}
