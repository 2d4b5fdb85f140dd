use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF910",
    name: "legacy-key-value-format",
    aliases: &["LegacyKeyValueFormat"],
    summary: "`ENV key value` / `LABEL key value`: use `key=value`",
    doc: "## What it does
Flags `ENV` and `LABEL` written in the legacy form `ENV key value` (no `=`), BuildKit's
`LegacyKeyValueFormat` check.

Off by default (on in BuildKit's checks, which print it at every build anyway): on the
real-project review set (`docs/precision.md`, v5) 28 of its 41 findings were in the
docker-library images, whose maintainers keep the legacy form on purpose (docker-library/ruby#465),
so 32% were changes a maintainer would make. Its Safe fix is proven by a build oracle over the
corpus (`tests/e2e/env_forms.sh`): enable it with `select = [\"DF910\"]` to apply it.

## Why is this bad?
In the legacy form everything after the key is the value, spaces included, so
`ENV PATH /opt/bin:$PATH other` silently sets one variable to a value with a space, and the
form cannot set several variables at once. Docker documents it as deprecated.

## Example
```dockerfile
ENV NODE_ENV production
LABEL maintainer Jane Doe
```
Use instead:
```dockerfile
ENV NODE_ENV=production
LABEL maintainer=\"Jane Doe\"
```

## Fix safety
Safe: the value BuildKit computes is the same. When the value has no blank outside quotes it is
kept byte for byte after `key=` (BuildKit reads the word `key=value` and expands the same text);
when it has blanks and no quote or escape character, it is put between double quotes, inside
which BuildKit expands variables exactly as outside. Any other value (blanks next to quotes or
escapes, or a quote left open) gets no fix. Proven by building: `tests/e2e/env_forms.sh` builds
the ARG, ENV and LABEL instructions of every corpus file the fix changes (469 files) with
buildah, before and after, and requires the same environment and labels.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    check,
};

/// Whether BuildKit's word splitter (`parseWords`) would split the text: a blank outside
/// quotes that no escape character protects. None when a quote is left open.
fn splits(value: &str, escape: char) -> Option<bool> {
    let mut quote: Option<char> = None;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => return Some(true),
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == escape => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(q) if c == escape && q != '\'' => {
                chars.next();
            }
            _ => {}
        }
    }
    quote.is_none().then_some(false)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let escape = ctx.doc.escape;
    for ins in ctx.doc.instructions() {
        if !matches!(ins.kind(), Kind::Env | Kind::Label) {
            continue;
        }
        let Args::Pairs(pairs) = &ins.node.args else {
            continue;
        };
        for pair in pairs.iter().filter(|p| p.legacy) {
            let key = pair.key.slice(&ins.logical);
            let value = pair.value.slice(&ins.logical);
            let keyword = ins.kind().keyword();
            let mut diag = Diagnostic::new(
                &RULE,
                ins.to_source(pair.span),
                format!("`{keyword} {key} ...` uses the legacy form: write `{key}=...`"),
            );
            let plain_key = !key.contains(['\'', '"', escape]);
            let new_value = match splits(value, escape) {
                Some(false) => Some(value.to_string()),
                Some(true) if !value.contains(['\'', '"', escape]) => Some(format!("\"{value}\"")),
                _ => None,
            };
            if let Some(v) = new_value.filter(|_| {
                plain_key
                    && !value.is_empty()
                    && ins.inner_comments.is_empty()
                    && ins.empty_continuation_lines.is_empty()
            }) {
                let span = Span::new(
                    ins.source_offset(pair.key.start),
                    ins.source_offset_end(pair.value.end),
                );
                diag = diag.with_fix(Fix::safe(
                    format!("Write `{key}=...`"),
                    vec![Edit::replace(span, format!("{key}={v}"))],
                ));
            }
            out.push(diag);
        }
    }
}
