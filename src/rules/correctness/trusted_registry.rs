use crate::rules::pinning::unpinned_base::base_images;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF924",
    name: "trusted-registry",
    aliases: &["DL3026"],
    summary: "A base image from a registry that is not in `[lint.trusted-registries]`",
    doc: "## What it does
Flags a `FROM` whose image comes from a registry that is not in the configured list
(`[lint.trusted-registries] registries`, hadolint's `trustedRegistries`). An image without a
registry host (`python:3.12`, `bitnami/redis`) comes from Docker Hub and is allowed when
`docker.io` or `hub.docker.com` is in the list, as in hadolint. A pattern may start or end
with `*` (`*.gcr.io` allows `eu.gcr.io`; `*` alone allows every registry). Exempt: `scratch`,
earlier stages, and images whose registry part comes from a build argument with no default
(the defaults of global `ARG`s are expanded).

Without a configured list the rule has nothing to check and reports nothing; configuring the
list turns it on (unless the config's `ignore` names it).

Narrower than hadolint's DL3026, which also checks the image of `COPY --from=IMAGE` and of
`RUN --mount=from=IMAGE`: dockerfix checks `FROM` only.

## Why is this bad?
Organisations that mirror or vet images want every build to pull from their own registries;
an image from elsewhere bypasses that review.

## Example
With `registries = [\"registry.example.com\"]`:
```dockerfile
FROM python:3.12-slim
```
Use instead:
```dockerfile
FROM registry.example.com/python:3.12-slim
```

## Fix safety
No fix: which mirror holds the same image is not something the Dockerfile says.
",
    severity: Severity::Error,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

/// The registry of an image reference (`docker.io` when it names none), None when a build
/// argument with no default may decide it.
pub(crate) fn registry_of(reference: &str) -> Option<&str> {
    let first = reference.split_once('/').map(|(f, _)| f);
    match first {
        Some(f) if f.contains('\u{1}') || f.contains('$') => None,
        Some(f) if f.contains(['.', ':']) || f == "localhost" => Some(f),
        _ if reference.starts_with('\u{1}') || reference.starts_with('$') => None,
        _ => Some("docker.io"),
    }
}

/// Whether a registry matches a pattern of the list (hadolint's `matchRegistry`).
pub(crate) fn allowed_by(pattern: &str, registry: &str) -> bool {
    if pattern == "*" {
        true
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        registry.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        registry.starts_with(prefix)
    } else {
        registry == pattern
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(list) = &ctx.options.trusted_registries else {
        return;
    };
    for base in base_images(ctx) {
        let Some(registry) = registry_of(&base.resolved) else {
            continue;
        };
        let allowed = if registry == "docker.io" {
            list.iter()
                .any(|p| allowed_by(p, "docker.io") || allowed_by(p, "hub.docker.com"))
        } else {
            list.iter().any(|p| allowed_by(p, registry))
        };
        if !allowed {
            out.push(Diagnostic::new(
                &RULE,
                base.span,
                format!(
                    "{} comes from `{registry}`, which is not a trusted registry",
                    base.describe()
                ),
            ));
        }
    }
}
