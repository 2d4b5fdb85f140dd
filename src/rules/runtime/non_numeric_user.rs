use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF312",
    name: "non-numeric-user",
    aliases: &["DL3066"],
    summary: "USER by name: Kubernetes' runAsNonRoot cannot verify it",
    doc: "## What it does
Flags a `USER` whose user part (before `:`) is a name rather than a numeric id, as hadolint's
DL3066: `USER app`, `USER node:node`. Not flagged: numeric ids (`USER 10001:10001`), a
value with a variable (its value is not known; hadolint exempts only `ARG` variables), and
Windows images (`ContainerUser`: Kubernetes names Windows users with `runAsUserName`).

Off by default: most images are run where names resolve (Docker, Podman, Compose), and a
named user created in the image is good practice there; turn it on where images must run
under Kubernetes' `runAsNonRoot`.

## Why is this bad?
The runtime resolves a user name through the image's `/etc/passwd` when the container
starts; a policy that checks the user before that cannot. Kubernetes with
`securityContext.runAsNonRoot: true` refuses to start a container whose image user is a
name (\"image has non-numeric user, cannot verify user is non-root\") unless `runAsUser` is
also set, and platforms that assign users (OpenShift) compare ids.

## Example
```dockerfile
RUN useradd --uid 10001 app
USER app
```
Use instead:
```dockerfile
RUN useradd --uid 10001 app
USER 10001
```

## Fix safety
No fix: the id behind a name is in the image's `/etc/passwd`, which the Dockerfile does not
always show (a base image's user, `useradd` without `--uid`).
",
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for (stage, ins) in ctx
        .stages
        .iter()
        .enumerate()
        .flat_map(|(s, st)| st.instructions.iter().map(move |i| (s, *i)))
    {
        if ins.kind() != Kind::User || windows(ctx, stage) {
            continue;
        }
        let Args::Text(span) = &ins.node.args else {
            continue;
        };
        let value = span.slice(&ins.logical);
        let user = value.split(':').next().unwrap_or_default();
        if user.is_empty() || value.contains('$') || user.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            ins.to_source(*span),
            format!(
                "USER `{user}` is a name: a runtime that checks for a non-root user before starting the container (Kubernetes' runAsNonRoot) cannot resolve it; use the numeric id"
            ),
        ));
    }
}

/// Whether a stage is a Windows image's (escape character `` ` ``, or a Windows base image).
fn windows(ctx: &Context, stage: usize) -> bool {
    let mut at = Some(stage);
    let mut image = None;
    while let Some(s) = at {
        image = crate::rules::common::from_image(ctx, s);
        at = ctx.stage_parent(s);
    }
    ctx.doc.escape == '`'
        || image.is_some_and(|i| {
            let i = i.to_ascii_lowercase();
            ["windows", "nanoserver", "servercore"]
                .iter()
                .any(|w| i.contains(w))
        })
}
