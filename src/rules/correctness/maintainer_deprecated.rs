use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF901",
    name: "maintainer-deprecated",
    aliases: &["MaintainerDeprecated", "DL4000"],
    summary: "`MAINTAINER` is deprecated: use the OCI authors label",
    doc: "## What it does
Flags the `MAINTAINER` instruction.

## Why is this bad?
`MAINTAINER` has been deprecated since Docker 1.13; it sets the image's `Author` field, which
tools no longer read. The OCI annotation `org.opencontainers.image.authors` is the standard
place for it.

## Example
```dockerfile
MAINTAINER Jane Doe <jane@example.com>
```
Use instead:
```dockerfile
LABEL org.opencontainers.image.authors=\"Jane Doe <jane@example.com>\"
```

## Fix safety
Unsafe: the image's metadata changes (the `Author` field is no longer set, a label is added),
which tools that read the old field would notice. The fix is withheld when the instruction
spans lines with comments inside.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// Quotes a value for a double-quoted LABEL value under the file's escape character.
fn quote(value: &str, escape: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '$' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.instructions() {
        if ins.kind() != Kind::Maintainer {
            continue;
        }
        let keyword = ins.to_source(ins.node.keyword);
        let mut diag = Diagnostic::new(&RULE, keyword, "`MAINTAINER` is deprecated");
        if let Args::Text(rest) = ins.node.args
            && ins.inner_comments.is_empty()
            && ins.empty_continuation_lines.is_empty()
        {
            let written = keyword.slice(&ctx.doc.text);
            let label = if written.bytes().all(|b| b.is_ascii_lowercase()) {
                "label"
            } else {
                "LABEL"
            };
            let value = rest.slice(&ins.logical);
            let replacement = format!(
                "{label} org.opencontainers.image.authors={}",
                quote(value, ctx.doc.escape)
            );
            let span = Span::new(keyword.start, ins.source_offset_end(rest.end));
            diag = diag.with_fix(Fix::unsafe_(
                "Replace with `LABEL org.opencontainers.image.authors=...`",
                vec![Edit::replace(span, replacement)],
            ));
        }
        out.push(diag);
    }
}
