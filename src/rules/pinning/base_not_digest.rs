use crate::rules::unpinned_base::base_images;
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};

pub static RULE: Rule = Rule {
    code: "DF402",
    name: "base-not-digest",
    aliases: &[],
    summary: "FROM without @sha256 digest",
    doc: "## What it does
Flags a `FROM` of an external image that is not pinned by digest (`@sha256:...`). Off by
default: enable it where builds must be reproducible. Global `ARG` defaults are expanded
(`ARG BASE=python:3.12@sha256:...` then `FROM $BASE` is pinned); an `ARG` without a default is
unknown and not reported; earlier stages and `scratch` are not images and are never reported.

## Why is this bad?
A tag, even `python:3.12.4-slim-bookworm`, is re-pointed whenever the image is rebuilt (security
updates of the OS packages, a new patch release). Two builds of the same commit can then get
different bases: the build is not reproducible, and what was tested is not what ships. A digest
names exactly one image.

## Example
```dockerfile
FROM python:3.12-slim
```
Use instead (keep the tag for readers and for update bots such as Renovate or Dependabot):
```dockerfile
FROM python:3.12-slim@sha256:<digest of the image you tested>
```

## Fix safety
No fix: the digest has to be looked up in the registry (`docker buildx imagetools inspect
python:3.12-slim`), which a linter that works offline does not do, and the digest of today
is not necessarily the image the file was tested with. A resolver that queries the registry
would be needed to offer one.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for base in base_images(ctx) {
        if base.digest_pinned() != Some(false) {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            base.span,
            format!(
                "{} is not pinned by digest: the tag can be re-pointed to another image; add `@sha256:...`",
                base.describe()
            ),
        ));
    }
}
