use super::{BUILTIN_ARGS, expand, from_words, global_args};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF912",
    name: "invalid-default-arg-in-from",
    aliases: &["InvalidDefaultArgInFrom"],
    summary: "With the global `ARG`s' defaults, the `FROM` image name is empty or invalid",
    doc: "## What it does
Expands each `FROM` image that uses a variable with the global `ARG`s' default values (an
`ARG` without a default expands to nothing), as a build without `--build-arg` would, and flags
it when the result is empty or not a valid image reference (BuildKit's `InvalidDefaultArgInFrom`
check), for example `ARG TAG` then `FROM alpine:$TAG`, which is `alpine:`.

A `FROM` without variables is left to BuildKit's own error; values that cannot be known here
(quotes, shell operators other than `-` and `+`) are not guessed. Quiet when the compose
service or bake target that builds the Dockerfile passes one of the arguments the name uses
(`build.args`, a target's `args`), or a build script at the context's root or at the
repository's root above it does (`--build-arg NAME=...` in a Makefile, a shell script, a CI
workflow or task file; the `NAME=` lines of a GitHub Actions `build-args:` block): that build
does not use the defaults.

Off by default (on in BuildKit's checks, which print it at every build anyway): on the
real-project review sets (`docs/precision.md`) none of its 6 findings was one a maintainer
would act on, nor are the 5 on the corpus. Every one was an `ARG` declared without a default
that the project's own build always passes (a compose file, a Makefile, netbox's `build.sh`,
authelia's Go build tool, which no file reading can follow): a required build argument, on
purpose. Turn it on (`extend-select = [\"DF912\"]`) where `docker build .` must work without
arguments.

## Why is this bad?
The file only builds when every caller passes `--build-arg`: a plain `docker build` fails on an
empty or invalid base image name. A default makes the file work as written.

## Example
```dockerfile
ARG TAG
FROM alpine:${TAG}
```
Use instead:
```dockerfile
ARG TAG=3.20
FROM alpine:${TAG}
```

## Fix safety
No fix: the default is the author's choice.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

/// `[a-z0-9]+` separated by `.`, `_`, `__` or runs of `-`.
fn path_component(s: &str) -> bool {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        || !b
            .last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or(0);
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or `-+`, then an alphanumeric.
        let start = i;
        match c {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start
            || !b
                .get(i)
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return false;
        }
    }
    true
}

fn domain(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) if !h.starts_with('[') || h.ends_with(']') => (h, Some(p)),
        _ => (s, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    if host.starts_with('[') {
        return host.ends_with(']') && host.len() > 2;
    }
    !host.is_empty()
        && host.split('.').all(|c| {
            !c.is_empty()
                && !c.starts_with('-')
                && !c.ends_with('-')
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `ParseNormalizedNamed` (distribution's reference grammar) accepts a name.
pub(super) fn valid_reference(r: &str) -> bool {
    let (rest, digest) = match r.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (r, None),
    };
    if let Some(d) = digest {
        let Some((alg, hex)) = d.split_once(':') else {
            return false;
        };
        if alg.is_empty()
            || !alg.starts_with(|c: char| c.is_ascii_alphabetic())
            || !alg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-_".contains(&b))
            || hex.len() < 32
            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return false;
        }
    }
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest.get(last_slash..).and_then(|t| t.find(':')) {
        Some(i) => (
            rest.get(..last_slash + i).unwrap_or(""),
            rest.get(last_slash + i + 1..),
        ),
        None => (rest, None),
    };
    if let Some(t) = tag
        && (t.is_empty()
            || t.len() > 128
            || t.starts_with(['.', '-'])
            || !t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)))
    {
        return false;
    }
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let mut parts = name.split('/');
    let first = parts.next().unwrap_or("");
    let is_domain = name.contains('/')
        && (first.contains(['.', ':']) || first == "localhost" || first != first.to_lowercase());
    if is_domain {
        domain(first) && parts.all(path_component)
    } else {
        name.split('/').all(path_component)
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // The global ARGs' defaults, each expanded with those before it.
    let mut env: Vec<(String, String)> = BUILTIN_ARGS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut unknown: Vec<String> = Vec::new();
    for (key, value) in global_args(ctx) {
        let Some(v) = value else {
            continue;
        };
        let lookup = |n: &str| {
            env.iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        };
        match expand(&v, &lookup) {
            Some(e) => env.push((key, e.text)),
            None => unknown.push(key),
        }
    }
    let lookup = |n: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    for from in ctx.stages.iter().filter_map(|s| s.from) {
        let Some(words) = from_words(from) else {
            continue;
        };
        let image = words.image.slice(&from.logical);
        if !image.contains('$') {
            continue;
        }
        let Some(e) = expand(image, &lookup) else {
            continue;
        };
        // A value unknown here, or one the compose service or bake target that builds the
        // file passes (`build.args`): the defaults are not what is built.
        let passed = |n: &String| {
            ctx.options
                .context
                .as_ref()
                .is_some_and(|c| c.passes_build_arg(n))
        };
        if e.matched
            .iter()
            .chain(&e.unmatched)
            .any(|n| unknown.contains(n) || passed(n))
        {
            continue;
        }
        if e.text.is_empty() || !valid_reference(&e.text) {
            let shown = if e.text.is_empty() {
                "an empty name".to_string()
            } else {
                format!("`{}`", e.text)
            };
            out.push(Diagnostic::new(
                &RULE,
                from.to_source(words.image),
                format!("With the global `ARG` defaults, `{image}` is {shown}: not a valid image"),
            ));
        }
    }
}
