use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Instruction, Item, Kind, Node, Span};

pub static RULE: Rule = Rule {
    code: "DF502",
    name: "syntax-directive",
    aliases: &[],
    summary: "BuildKit-only features without a # syntax= directive",
    doc: "## What it does
Flags a file that uses features only BuildKit's Dockerfile frontend knows, but has no
`# syntax=` parser directive to say which frontend version it needs. Off by default. The
features: `RUN --mount`, `RUN --network`, `RUN --security`, `COPY`/`ADD` with `--link`,
`--chmod`, `--exclude`, `COPY --parents`, `ADD --checksum`, `ADD --keep-git-dir`, and heredocs
(`RUN <<EOF`), also under `ONBUILD`. The first one is reported, once per file.

## Why is this bad?
Without the directive, the build uses whatever frontend is built into the builder: the legacy
builder rejects these features outright, and an older BuildKit (an old Docker Engine, a CI
runner's daemon) fails with an unknown flag, or reads a heredoc as plain words. `# syntax=
docker/dockerfile:1` makes every BuildKit fetch the latest 1.x frontend, which knows them all.

## Example
```dockerfile
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```
Use instead:
```dockerfile
# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Fix safety
Unsafe: the fix inserts `# syntax=docker/dockerfile:1` as the first line (after a byte-order
mark, before the other parser directives). The build then pulls the frontend image
`docker/dockerfile:1` from Docker Hub before it starts: it needs network access to that
registry (or a mirror), which offline and air-gapped builders do not have, and the frontend
that parses the file becomes the newest 1.x rather than the one built into the builder.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::Always(Applicability::Unsafe),
    check,
};

/// Flags that only BuildKit's frontend knows, per instruction.
fn buildkit_flag(kind: Kind, name: &str) -> bool {
    match kind {
        Kind::Run => matches!(name, "mount" | "network" | "security"),
        Kind::Copy => matches!(name, "link" | "chmod" | "exclude" | "parents"),
        Kind::Add => matches!(
            name,
            "link" | "chmod" | "exclude" | "checksum" | "keep-git-dir"
        ),
        _ => false,
    }
}

/// The first BuildKit-only feature of an instruction: its source span and a description.
fn feature(ins: &Instruction) -> Option<(Span, String)> {
    let node: &Node = match &ins.node.args {
        Args::Sub(sub) if ins.kind() == Kind::Onbuild => sub,
        _ => &ins.node,
    };
    let keyword = node.kind.keyword();
    if let Some(flag) = node
        .flags
        .iter()
        .find(|f| buildkit_flag(node.kind, f.name()))
    {
        return Some((
            ins.to_source(flag.span),
            format!("`{keyword} --{}`", flag.name()),
        ));
    }
    if !ins.heredocs.is_empty() {
        return Some((ins.head_span(), format!("a heredoc in `{keyword}`")));
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.doc.directives().any(|d| d.name == "syntax") {
        return;
    }
    let Some((span, what)) = ctx.doc.instructions().find_map(feature) else {
        return;
    };
    let at = match ctx.doc.items.first() {
        Some(Item::Bom(bom)) => bom.end,
        _ => 0,
    };
    let first_line = ctx.doc.text[at..]
        .split_inclusive('\n')
        .next()
        .unwrap_or("");
    let newline = if first_line.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    out.push(
        Diagnostic::new(
            &RULE,
            span,
            format!(
                "{what} needs BuildKit, but the file has no `# syntax=` directive to say which frontend"
            ),
        )
        .with_fix(Fix::new(
            "Insert `# syntax=docker/dockerfile:1` as the first line",
            Applicability::Unsafe,
            vec![Edit::insert(at, format!("# syntax=docker/dockerfile:1{newline}"))],
        )),
    );
}
