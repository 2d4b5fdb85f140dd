use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{from_image, stage_chain};
use crate::rules::unpinned_base::{BaseImage, root_base};
use crate::rules::{Call, Context, Diagnostic, FixAvailability, Rule, Severity, programs};
use crate::syntax::{Args, Instruction, Item, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF301",
    name: "root-user",
    aliases: &["DL3002"],
    summary: "The final stage runs as root",
    doc: "## What it does
Flags the final stage (the last `FROM`, the one that ships) when its container runs as root
although the Dockerfile shows that it is meant to run as another user:
- the file creates a user (`useradd`, `adduser`, `usermod --login`) or gives files to the base
  image's user (`COPY --chown=node`), and never switches to it;
- the stage switched to a non-root `USER` and then back to `USER root`, and never returned;
- or `[lint.non-root-user] user` in the config names the user every image must run as (then
  any final stage that runs as root is flagged: no `USER`, or a last `USER root`/`0`).

Without one of these, root by omission cannot be told from root by design, and nothing is
reported: on real projects most images that run as root do so on purpose (a data folder
owned by root, a port below 1024, an entrypoint that sets things up and then steps down).
An explicit `USER root` that is the stage's only `USER` is a decision, not an omission
(hadolint's DL3002 flags it; set `user` in the config to get it flagged here).

Never flagged: images that must start as root, because their entrypoint or server switches
users itself: an ENTRYPOINT or CMD starting with `gosu`, `su-exec`, `setpriv`, `runuser`,
`chpst`..., a stage that installs or downloads `gosu` or `su-exec`, an entrypoint script from
the build context that steps down or configures the system (`gosu`, `su-exec`, `su`, `capsh`,
`chown`, `cron`, `update-ca-certificates`, `sysctl`, `iptables`, `useradd`...; the script is
found by its name in the context or the name a `COPY` gives it, behind an init wrapper such as
`tini --` or `dumb-init`, and through a link a `RUN ln -s` makes to it), s6-overlay's
`/init`, linuxserver.io images, php's apache and fpm images, `postgres`, `mysql`, `mariadb`,
`redis`, `mongo`, `rabbitmq`, `couchdb`, `cassandra`, `zookeeper`, `httpd`, `nginx`,
`wordpress`, `nextcloud`, `elasticsearch`, ClickHouse, `eclipse-mosquitto`, `influxdb`,
`docker`; applications in the build context that change their own user (a source file that
calls `seteuid`, `setuid`, `setresuid`, `Process::UID.change_privilege`..., outside
dependencies and tests; a bounded read of 2,000 files); images that install tools needing root or capabilities (`tcpdump`, `nmap`,
`iptables`, `openvpn`, `wireguard-tools`, `cron`, `openssh-server`, `supervisor`, `sudo`...);
images whose RUN runs a script from the build context that installs such tools (`COPY
build/packages.sh /build/` then `RUN bash /build/packages.sh`); development environments (a
Dockerfile under `.devcontainer/`, `.codesandbox/` or
`.gitpod/`, a `.gitpod.Dockerfile`, `mcr.microsoft.com/devcontainers/*` bases, a final stage
named `dev-envs` as Docker Dev Environments build: the editor's
user is set in devcontainer.json or the environment's own settings). Earlier stages do not ship and are not
checked. Windows files are skipped. A `USER` whose value is a variable is taken as non-root.

## Why is this bad?
A process that runs as root in the container is root on the host's kernel: an escape through
a kernel or runtime bug, a mounted host path or a mis-set capability gives root on the host.
Running as an unprivileged user limits what a compromised application can do. A user that
the file creates and gives the application's files to, but never switches to, protects
nothing.

## Example
```dockerfile
FROM python:3.12-slim
RUN useradd --system --no-create-home app
COPY --chown=app . /app
CMD [\"python\", \"/app/main.py\"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
RUN useradd --system --no-create-home app
COPY --chown=app . /app
USER app
CMD [\"python\", \"/app/main.py\"]
```

## Fix safety
Unsafe: the process runs as another user, so it can no longer write to files and folders that
root owns, or bind ports below 1024 where the runtime does not allow it.

The fix switches to the user the stage is meant to run as, in this order: the config's
`user`; the non-root `USER` the stage used before its `USER root`; the user the file creates
and gives files to (or the only user it creates), or the base image's user it gives files to.
It never invents a user: no user is created, and no name the image may lack is guessed.
`USER <user>` goes after the last `RUN`, `COPY`, `ADD`, `WORKDIR` and `USER` of the final
stage, before the first `CMD`, `ENTRYPOINT`, `HEALTHCHECK`, `EXPOSE`, `LABEL` or `STOPSIGNAL`
that follows them (or at the end of the stage), so every build step still runs as before; an
existing `USER root` is left as it is.

No fix (the finding says why) where the switch would break the container: a working folder
(the last `WORKDIR`) or a `VOLUME` that root owns, which the application may write to (nothing
gives it to the user: no `COPY --chown=<user>` to it, no `chown <user>` of it, not the home
that `useradd -m` made, not created while `USER` was the user); a port below 1024
(`EXPOSE 80`, `ENV PORT=80`, `--bind 0.0.0.0:80`), a runtime or state under `/root` (an
`ENV` or path into `/root`, `pip install --user`, pyenv, uv's or nvm's installers), a final
stage built on a stage or image that cannot be resolved, or a file that ends with a dangling
line continuation.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// Instructions that run as the `USER` in effect, or set it: the inserted `USER` goes after
/// every one of them (a `WORKDIR` it creates would be owned by the new user).
const BUILD_STEP: &[Kind] = &[Kind::Run, Kind::Copy, Kind::Add, Kind::Workdir, Kind::User];

/// Instructions the inserted `USER` goes before: what only describes how the container starts.
const TRAILER: &[Kind] = &[
    Kind::Cmd,
    Kind::Entrypoint,
    Kind::Healthcheck,
    Kind::Expose,
    Kind::Label,
    Kind::Stopsignal,
];

/// The user a fix switches to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FixUser {
    /// A user the image already has besides root.
    Existing(String),
    /// No user of the image's own is known (a fix never invents one).
    NoUser,
    /// No fix: the image starts as root on purpose and switches to a user of its own.
    Withheld,
}

/// What a base image is known to do.
#[derive(Debug, PartialEq, Eq)]
struct BaseInfo {
    /// Whether a container of the image runs as root when no `USER` is set on top of it.
    root: bool,
    fix: FixUser,
}

fn existing(user: &str) -> FixUser {
    FixUser::Existing(user.to_string())
}

/// What the image knowledge base knows of an image, from its name (registry and `library/`
/// removed) and tag.
fn classify(name: Option<&str>, tag: Option<&str>) -> BaseInfo {
    let Some(name) = name else {
        return BaseInfo {
            root: true,
            fix: FixUser::NoUser,
        };
    };
    // Mirrors of the official images: `public.ecr.aws/docker/library/x`, `amd64/x`.
    let name = crate::images::official_name(name);
    if crate::images::steps_down(&name, tag.unwrap_or("latest")) {
        return BaseInfo {
            root: true,
            fix: FixUser::Withheld,
        };
    }
    let users = crate::images::users(&name, tag.unwrap_or("latest"));
    BaseInfo {
        root: users.root,
        fix: users.user.map_or(FixUser::NoUser, existing),
    }
}

/// A `USER` value with simple quotes removed, when it is a literal.
fn user_value(ins: &Instruction) -> Option<String> {
    let Args::Text(text) = &ins.node.args else {
        return None;
    };
    let raw = text.slice(&ins.logical).trim();
    let v = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
        .unwrap_or(raw);
    (!v.contains(['$', '\\', '"', '\'']) && !v.is_empty()).then(|| v.to_string())
}

/// Whether a user (`name`, `uid`, `name:group`) is root.
fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("");
    name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0'))
}

/// Whether a stage's `FROM` names a Windows image.
fn windows_from(ins: &Instruction) -> bool {
    crate::images::mentions_windows(&ins.logical)
}

/// Who the final stage runs as, when it is root.
enum Root<'a> {
    /// The last `USER` of the chain is root; the stage it is in.
    Explicit(&'a Instruction, usize),
    /// No `USER` in the chain, and the base runs as root.
    Base(BaseImage<'a>, BaseInfo),
    /// No `USER`, on `scratch`.
    Scratch,
    /// No `USER`, on a stage or image that a variable names (`FROM ${STAGE}`).
    Unresolved,
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Windows images have ContainerUser/ContainerAdministrator, not root.
    if ctx.doc.escape != '\\' || ctx.stages.len() < 2 {
        return;
    }
    let stage = ctx.stages.len() - 1;
    let Some(final_from) = ctx.stages.last().and_then(|s| s.from) else {
        return;
    };
    let chain = stage_chain(ctx, stage);
    if chain.iter().any(|&s| {
        ctx.stages
            .get(s)
            .and_then(|st| st.from)
            .is_some_and(windows_from)
    }) {
        return;
    }
    let base = root_base(ctx, stage);
    if base
        .as_ref()
        .is_some_and(|b| b.resolved.to_ascii_lowercase().contains("windows"))
    {
        return;
    }

    // The user in effect at the end of the stage: its last USER, or that of the stage it is
    // built on, or the base image's.
    let last_user = chain.iter().find_map(|&s| {
        ctx.stages
            .get(s)?
            .instructions
            .iter()
            .rfind(|i| i.kind() == Kind::User)
            .map(|i| (*i, s))
    });
    let root = match last_user {
        Some((ins, s)) => match user_value(ins) {
            Some(v) if is_root(&v) => Root::Explicit(ins, s),
            _ => return,
        },
        None => {
            let root_stage = *chain.last().unwrap_or(&stage);
            match base.clone() {
                Some(b) => {
                    let info = classify(b.name(), b.tag().ok().flatten());
                    // Not root, or root on purpose (the entrypoint switches users itself).
                    if !info.root || info.fix == FixUser::Withheld {
                        return;
                    }
                    Root::Base(b, info)
                }
                None if from_image(ctx, root_stage)
                    .is_some_and(|i| i.eq_ignore_ascii_case("scratch")) =>
                {
                    Root::Scratch
                }
                None => Root::Unresolved,
            }
        }
    };

    // Root by omission is told from root by design only where the stage was meant to run as
    // another user: the config names one, the stage switched to one and back to root, or the
    // file creates one (or gives files to the base image's) and never switches to it.
    let base_user = match &root {
        Root::Base(_, info) => match &info.fix {
            FixUser::Existing(u) => Some(u.as_str()),
            _ => None,
        },
        _ => None,
    };
    let intended = configured_user(ctx)
        .filter(|u| !is_root(u))
        .map(|u| (u.to_string(), Intended::Config))
        .or_else(|| match &root {
            Root::Explicit(ins, _) => {
                earlier_user(ctx, &chain, ins).map(|u| (u, Intended::Earlier))
            }
            _ => None,
        })
        .or_else(|| {
            prepared_user(&prepared(ctx, &chain), base_user).map(|u| (u, Intended::Prepared))
        });
    let Some((user, why)) = intended else {
        return;
    };

    // An entrypoint that drops privileges itself (`gosu`, `su-exec`, ...) needs to start as
    // root: nothing to report. So does a stage that installs such a tool for its entrypoint
    // script, an image that starts as root by design (s6-overlay, linuxserver.io, php's apache
    // and fpm, dev containers), an entrypoint script that needs root, and tools that need it.
    // Asked last: these read every RUN and the entrypoint scripts, and the questions above
    // settle most files.
    if drops_privileges(ctx, &chain)
        || root_by_design(ctx, base.as_ref())
        || needs_root(ctx, &chain)
        || ctx
            .options
            .context
            .as_ref()
            .is_some_and(|c| *c.memo("df301-app-switches-user", || app_switches_user(c)))
    {
        return;
    }

    let image_span = match &final_from.node.args {
        Args::Words(w) => w.first().map(|&first| final_from.to_source(first)),
        _ => None,
    }
    .unwrap_or_else(|| final_from.head_span());
    let span = match &root {
        Root::Explicit(ins, s) if *s == stage => ins.head_span(),
        _ => image_span,
    };
    let state = match &root {
        Root::Explicit(ins, s) if *s == stage => format!(
            "its last `USER` is `{}`",
            user_value(ins).unwrap_or_default()
        ),
        Root::Explicit(ins, _) => format!(
            "it has no `USER`, and the stage it is built on ends with `USER {}`",
            user_value(ins).unwrap_or_default()
        ),
        Root::Base(b, _) => format!("no `USER`, on {}", b.describe()),
        Root::Scratch => "no `USER`, on `scratch` (uid 0)".to_string(),
        Root::Unresolved => "no `USER`, on an image that is not known".to_string(),
    };
    let reason = match why {
        Intended::Config => format!("`[lint.non-root-user] user` is `{user}`"),
        Intended::Earlier => format!("it switched to `{user}` before and never back"),
        Intended::Prepared => {
            format!("the file prepares the user `{user}` but never switches to it")
        }
    };
    let mut diag = Diagnostic::new(
        &RULE,
        span,
        format!("The final stage runs as root: {state}; {reason}"),
    );
    let blocked = match &root {
        Root::Unresolved => Some("what it is built on is not known".to_string()),
        _ => blocks_user_switch(ctx, &chain)
            .map(str::to_string)
            .or_else(|| root_owned_folder(ctx, &chain, &user)),
    };
    match blocked {
        Some(why_not) => diag.message.push_str(&format!(" (no fix: {why_not})")),
        None => {
            if let Some(fix) = make_fix(ctx, stage, &user) {
                diag = diag.with_fix(fix);
            }
        }
    }
    out.push(diag);
}

/// `[lint.non-root-user] user`, unless `auto`.
fn configured_user<'c>(ctx: &'c Context) -> Option<&'c str> {
    let configured = ctx.options.non_root_user.trim();
    (!configured.is_empty() && !configured.eq_ignore_ascii_case("auto")).then_some(configured)
}

/// The last non-root `USER` of the chain before the given one (the stage switched to it, then
/// back to root).
fn earlier_user(ctx: &Context, chain: &[usize], before: &Instruction) -> Option<String> {
    chain.iter().find_map(|&s| {
        ctx.stages
            .get(s)?
            .instructions
            .iter()
            .rev()
            .filter(|i| i.kind() == Kind::User && i.span.start < before.span.start)
            .filter_map(|i| user_value(i))
            .find(|v| !is_root(v))
    })
}

/// Why the stage is meant to run as another user.
enum Intended {
    /// `[lint.non-root-user] user`.
    Config,
    /// An earlier `USER` of the chain, before a `USER root`.
    Earlier,
    /// A user the file creates or gives files to.
    Prepared,
}

fn make_fix(ctx: &Context, stage: usize, name: &str) -> Option<Fix> {
    let text = &ctx.doc.text;
    let stage_data = ctx.stages.get(stage)?;
    let instructions = &stage_data.instructions;
    // After the last instruction whose result the user changes (or that sets the user), before
    // the first trailer instruction that follows it.
    let build_end = instructions
        .iter()
        .rposition(|i| BUILD_STEP.contains(&i.kind()))
        .map_or(0, |p| p + 1);
    let trailer = instructions
        .iter()
        .skip(build_end)
        .find(|i| TRAILER.contains(&i.kind()))
        .copied();
    let (at, indent, before) = match trailer {
        Some(first) => {
            // Before the comments right above the trailer: they describe it (or suppress a
            // finding on it).
            let index =
                ctx.doc.items.iter().position(
                    |it| matches!(it, Item::Instruction(i) if std::ptr::eq(&**i, first)),
                )?;
            let comments_above = ctx
                .doc
                .items
                .iter()
                .take(index)
                .rev()
                .take_while(|it| matches!(it, Item::Comment(_)))
                .count();
            let at = ctx.doc.items.get(index - comments_above)?.span().start;
            let line = Span::new(first.span.start, first.head_span().start).slice(text);
            let indent: String = line
                .chars()
                .take_while(|c| matches!(c, ' ' | '\t'))
                .collect();
            (at, indent, Some(first))
        }
        None => {
            let last = instructions.last().copied().or(stage_data.from)?;
            // A last line that ends with a continuation would take in what is appended (also
            // when only comment lines follow it: BuildKit skips them inside a continuation).
            let open = ctx
                .doc
                .slice(last.span)
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .is_some_and(|l| l.ends_with(ctx.doc.escape));
            if last.heredocs.is_empty() && open {
                return None;
            }
            (last.span.end, String::new(), None)
        }
    };
    // Keywords in the case of the instruction next to the insertion (an all-lowercase file
    // stays so).
    let near = before
        .or(instructions.last().copied())
        .or(stage_data.from)?;
    let lower = near
        .node
        .keyword
        .slice(&near.logical)
        .bytes()
        .all(|b| b.is_ascii_lowercase());
    let kw = |k: &str| {
        if lower {
            k.to_ascii_lowercase()
        } else {
            k.to_string()
        }
    };
    let eol =
        if text[..at].ends_with("\r\n") || (!text[..at].ends_with('\n') && text.contains("\r\n")) {
            "\r\n"
        } else {
            "\n"
        };
    let mut content = String::new();
    if !text[..at].ends_with('\n') {
        content.push_str(eol);
    }
    content.push_str(&format!("{indent}{} {name}{eol}", kw("USER")));
    let place = match before {
        Some(ins) => format!("before the {}", ins.node.kind.keyword()),
        None => "at the end of the stage".to_string(),
    };
    Some(Fix::unsafe_(
        format!("Run as `{name}`: add `USER {name}` {place}"),
        vec![Edit::insert(at, content)],
    ))
}

/// Tools an entrypoint uses to run the process as another user (it must start as root).
const PRIVILEGE_DROPPERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "setuidgid",
    "s6-setuidgid",
    "chpst",
    "runuser",
];

/// Whether the final image's ENTRYPOINT/CMD starts with a privilege-dropping tool, or the
/// stage chain installs one (for an entrypoint script to use).
fn drops_privileges(ctx: &Context, chain: &[usize]) -> bool {
    let first_word = |ins: &Instruction| -> Option<String> {
        let word = match &ins.node.args {
            crate::syntax::Args::Json(v) => v.first().map(|a| a.value.clone()),
            crate::syntax::Args::Text(t) => t
                .slice(&ins.logical)
                .split_whitespace()
                .next()
                .map(str::to_string),
            _ => None,
        }?;
        Some(word.rsplit('/').next().unwrap_or(&word).to_string())
    };
    chain.iter().any(|&s| {
        ctx.stages
            .get(s)
            .into_iter()
            .flat_map(|st| st.instructions.iter())
            .any(|ins| match ins.kind() {
                Kind::Entrypoint | Kind::Cmd => {
                    first_word(ins).is_some_and(|w| PRIVILEGE_DROPPERS.contains(&w.as_str()))
                }
                Kind::Run => {
                    // Installed or downloaded (`curl -o /usr/local/bin/gosu ...`).
                    let text = ins.logical.to_ascii_lowercase();
                    words_of(&text).any(|w| w == "gosu" || w == "su-exec")
                }
                _ => false,
            })
    })
}

/// The operands of a `useradd`/`adduser`/`usermod` command, options and their values left out
/// (their grammar is `programs::USERADD`).
fn user_tool_operands(cmd: &crate::shell::Command) -> Vec<&str> {
    Call::of(cmd, &programs::USERADD)
        .map(|c| c.operands().map(|w| w.value.as_str()).collect())
        .unwrap_or_default()
}

/// What the file prepares for a non-root user: the users its RUNs create (`useradd`, `adduser`,
/// `usermod --login NEW`) and the owners it gives files to (`COPY --chown`, `chown`).
#[derive(Debug, Default)]
struct Prepared {
    created: Vec<String>,
    owners: Vec<String>,
}

fn plain_name(v: &str) -> Option<String> {
    let name = v.split(':').next().unwrap_or("");
    (!name.is_empty()
        && !is_root(name)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
    .then(|| name.to_string())
}

fn prepared(ctx: &Context, chain: &[usize]) -> Prepared {
    let mut p = Prepared::default();
    for run in ctx.shell_runs().iter().filter(|r| chain.contains(&r.stage)) {
        for cmd in &run.commands {
            match cmd.program() {
                Some("useradd" | "adduser") => {
                    if let Some(name) = user_tool_operands(cmd).first().and_then(|n| plain_name(n))
                    {
                        p.created.push(name);
                    }
                }
                Some("usermod") => {
                    // `usermod --login NEW OLD` (or `-l NEW`): the user is now NEW.
                    let mut words = cmd.words.iter();
                    while let Some(w) = words.next() {
                        if matches!(w.value.as_str(), "-l" | "--login") {
                            if let Some(name) = words.next().and_then(|n| plain_name(&n.value)) {
                                p.created.push(name);
                            }
                        } else if let Some(v) = w.value.strip_prefix("--login=") {
                            p.created.extend(plain_name(v));
                        }
                    }
                }
                Some("chown") => {
                    if let Some(owner) = cmd
                        .words
                        .iter()
                        .skip(1)
                        .find(|w| !w.value.starts_with('-'))
                        .and_then(|w| plain_name(&w.value))
                    {
                        p.owners.push(owner);
                    }
                }
                _ => {}
            }
        }
    }
    for &s in chain {
        for ins in ctx
            .stages
            .get(s)
            .into_iter()
            .flat_map(|st| &st.instructions)
        {
            if matches!(ins.kind(), Kind::Copy | Kind::Add) {
                for f in &ins.node.flags {
                    if f.name() == "chown" {
                        p.owners.extend(f.value().and_then(plain_name));
                    }
                }
            }
        }
    }
    p
}

/// The user the file prepared and never switched to: one it creates and gives files to (or the
/// only one it creates), or the base image's user that it gives files to (`COPY --chown=node`).
fn prepared_user(p: &Prepared, base_user: Option<&str>) -> Option<String> {
    if let Some(u) = p.created.iter().find(|u| p.owners.contains(u)) {
        return Some(u.clone());
    }
    let mut created = p.created.clone();
    created.dedup();
    if let [only] = created.as_slice() {
        return Some(only.clone());
    }
    if !created.is_empty() {
        return None;
    }
    base_user
        .filter(|b| p.owners.iter().any(|o| o == b))
        .map(str::to_string)
}

/// Whether the final stage is a development environment: named `dev-envs`, the target Docker
/// Dev Environments build (awesome-compose's samples), an editor's environment, not an image
/// that ships.
fn dev_target(ctx: &Context) -> bool {
    crate::rules::common::stage_name(ctx, ctx.stages.len().saturating_sub(1))
        .is_some_and(|n| n.eq_ignore_ascii_case("dev-envs"))
}

/// Dev containers (the editor's user is set in devcontainer.json, the image runs as root on
/// purpose) and images that start as root by design (s6-overlay's `/init`, linuxserver.io,
/// php's apache and fpm, which bind port 80 or switch their workers to www-data).
fn root_by_design(ctx: &Context, base: Option<&BaseImage>) -> bool {
    let in_devcontainer = crate::rules::common::dev_container(ctx);
    let Some(b) = base else {
        return in_devcontainer || dev_target(ctx);
    };
    let resolved = b.resolved.to_ascii_lowercase();
    let name = crate::images::official_name(b.name().unwrap_or(""));
    let tag = b.tag().ok().flatten().unwrap_or("").to_ascii_lowercase();
    in_devcontainer
        || dev_target(ctx)
        || crate::images::in_root_namespace(&resolved)
        || crate::images::steps_down(&name, &tag)
}

/// Words of an entrypoint script (or command) that need root: stepping down to another user,
/// services, system configuration.
const NEEDS_ROOT_WORDS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "runuser",
    "chroot",
    "capsh",
    "s6-setuidgid",
    "setuidgid",
    "chpst",
    "su",
    "cron",
    "crond",
    "update-ca-certificates",
    "chown",
    "ldconfig",
    "service",
    "sysctl",
    "iptables",
    "nft",
    "modprobe",
    "mount",
    "useradd",
    "usermod",
    "groupadd",
    "adduser",
    "addgroup",
    "setcap",
    "apt-get",
    "apk",
    "supervisord",
    "sshd",
    "rsyslogd",
];

/// Tools that need root or capabilities to do their work.
const ROOT_TOOLS: &[&str] = &[
    "nmap",
    "masscan",
    "tcpdump",
    "tshark",
    "wireshark",
    "openvpn",
    "wireguard",
    "wireguard-tools",
    "iptables",
    "nftables",
    "ipvsadm",
    "bpfcc-tools",
    "bcc-tools",
    "bpftrace",
    "traceroute",
    "hping3",
    "arping",
    "cron",
    "cronie",
    "dcron",
    "openssh-server",
    "dropbear",
    "systemd",
    "supervisor",
    "s6",
    "s6-overlay",
    "runit",
    "sudo",
];

fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
        .filter(|w| !w.is_empty())
        .map(crate::shell::base_name)
}

/// Calls by which a program changes its own user (Ruby's `Process::Sys.seteuid`, Python's
/// `os.setuid`, Node's `process.setuid`, Go's `syscall.Setuid`, C's `setresuid`, PHP's
/// `posix_setuid`, Ruby's `Process::UID.change_privilege`).
const SWITCH_CALLS: &[&str] = &[
    "setuid(",
    "seteuid(",
    "setresuid(",
    "setreuid(",
    "Setuid(",
    "Seteuid(",
    "Setresuid(",
    "change_privilege(",
];

/// Source files read for [`SWITCH_CALLS`], by extension.
const SOURCE_EXTENSIONS: &[&str] = &[
    "rb", "py", "js", "mjs", "cjs", "ts", "go", "rs", "java", "kt", "php", "ex", "exs", "pl", "c",
    "cc", "cpp", "cs", "lua",
];

/// Folders not read for them: dependencies, build output, tests.
const SKIPPED_FOLDERS: &[&str] = &[
    ".git",
    "node_modules",
    "vendor",
    "dist",
    "build",
    "target",
    "tmp",
    "log",
    "logs",
    "public",
    "test",
    "tests",
    "spec",
    "__tests__",
    "docs",
    "examples",
    ".venv",
    "venv",
];

/// Whether the application in the build context changes its own user (docuseal's
/// `config/dotenv.rb` starts as root, writes its secret, and `seteuid`s to its user): it is
/// meant to start as root, like an entrypoint that steps down. A bounded breadth-first read of
/// the context's source files (20,000 names, 2,000 files, 16 MB), once per context and run.
fn app_switches_user(context: &crate::context::BuildContext) -> bool {
    let mut files = 2_000usize;
    let mut bytes = 16usize << 20;
    let mut entries = 20_000usize;
    let mut queue = std::collections::VecDeque::from([String::new()]);
    while let Some(dir) = queue.pop_front() {
        for name in context.list(&dir) {
            entries = entries.saturating_sub(1);
            if entries == 0 {
                return false;
            }
            let path = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            let ext = name.rsplit_once('.').map(|(_, e)| e);
            if ext.is_some_and(|e| SOURCE_EXTENSIONS.contains(&e)) {
                if files == 0 || bytes == 0 {
                    return false;
                }
                files -= 1;
                let Some(text) = context.read(&path) else {
                    continue;
                };
                bytes = bytes.saturating_sub(text.len());
                if SWITCH_CALLS.iter().any(|c| text.contains(c)) {
                    return true;
                }
            } else if !name.starts_with('.')
                && !SKIPPED_FOLDERS.contains(&name.as_str())
                && context.is_dir(&path)
            {
                queue.push_back(path);
            }
        }
    }
    false
}

/// Whether the container's start needs root: `/init` (s6-overlay), an entrypoint script from
/// the build context that steps down or configures the system, or tools installed that need
/// root (`tcpdump`, `iptables`, `cron`, ...).
/// Init programs that start the real program after their own options (`tini --`, `dumb-init`).
const INIT_WRAPPERS: &[&str] = &["tini", "tini-static", "dumb-init", "catatonit"];

/// The program an ENTRYPOINT or CMD starts: its first word, or, after an init wrapper (`tini
/// -g -- /entrypoint.sh`), the word after the wrapper's options.
fn started<'w>(mut words: impl Iterator<Item = &'w str>) -> Option<String> {
    let first = words.next()?;
    if !INIT_WRAPPERS.contains(&crate::shell::base_name(first)) {
        return Some(first.to_string());
    }
    let rest: Vec<&str> = words.collect();
    let program = match rest.iter().position(|w| *w == "--") {
        Some(i) => rest.get(i + 1).copied(),
        None => {
            // Options that take a value: tini's `-e CODE`, `-p SIGNAL`, dumb-init's
            // `-r s:r` / `--rewrite s:r`.
            let mut it = rest.iter();
            let mut found = None;
            while let Some(w) = it.next() {
                if matches!(*w, "-e" | "-p" | "-r" | "--rewrite") {
                    it.next();
                } else if !w.starts_with('-') {
                    found = Some(*w);
                    break;
                }
            }
            found
        }
    };
    Some(program.unwrap_or(first).to_string())
}

fn needs_root(ctx: &Context, chain: &[usize]) -> bool {
    let instructions = || {
        chain.iter().flat_map(|&s| {
            ctx.stages
                .get(s)
                .into_iter()
                .flat_map(|st| st.instructions.iter())
        })
    };
    let mut start = instructions()
        .filter(|i| matches!(i.kind(), Kind::Entrypoint | Kind::Cmd))
        .filter_map(|i| match &i.node.args {
            Args::Json(v) => started(v.iter().map(|a| a.value.as_str())),
            Args::Text(t) => started(t.slice(&i.logical).split_whitespace()),
            _ => None,
        })
        .collect::<Vec<_>>();
    // A start program that a RUN links to another file (`ln -s /asf/ArchiSteamFarm.sh
    // /usr/bin/ArchiSteamFarm`, `ENTRYPOINT ["ArchiSteamFarm"]`): the file it runs.
    let linked: Vec<String> = ctx
        .shell_runs()
        .iter()
        .filter(|r| chain.contains(&r.stage))
        .flat_map(|r| r.commands.iter())
        .filter(|c| c.program() == Some("ln"))
        .filter_map(|c| {
            let options: Vec<&str> = c
                .words
                .iter()
                .skip(1)
                .map(|w| w.value.as_str())
                .filter(|v| v.starts_with('-'))
                .collect();
            let symbolic = options
                .iter()
                .any(|o| *o == "--symbolic" || (!o.starts_with("--") && o.contains('s')));
            let operands: Vec<&str> = c
                .words
                .iter()
                .skip(1)
                .map(|w| w.value.as_str())
                .filter(|v| !v.starts_with('-'))
                .collect();
            match (symbolic, operands.as_slice()) {
                (true, [target, link]) => {
                    let link_name = crate::shell::base_name(link.trim_end_matches('/'));
                    start
                        .iter()
                        .any(|p| {
                            p == link
                                || (!p.contains('/') && crate::shell::base_name(p) == link_name)
                        })
                        .then(|| target.to_string())
                }
                _ => None,
            }
        })
        .collect();
    start.extend(linked);
    if start
        .iter()
        .any(|p| p == "/init" || p.ends_with("/s6-svscan"))
    {
        return true;
    }
    let installs_root_text = |text: &str| {
        let text = text.to_ascii_lowercase();
        (text.contains("install") || text.contains("apk add"))
            && words_of(&text).any(|w| ROOT_TOOLS.contains(&w))
    };
    let installs_root_tool =
        instructions().any(|i| i.kind() == Kind::Run && installs_root_text(&i.logical));
    if installs_root_tool {
        return true;
    }
    // The scripts the container starts with, read from the build context where a COPY or ADD
    // puts them.
    let Some(context) = ctx.options.context.as_ref() else {
        return false;
    };
    let names: Vec<&str> = start
        .iter()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    let needs_root_text = |script: String| {
        script.lines().any(|l| {
            let code = l.split('#').next().unwrap_or("");
            words_of(code).any(|w| NEEDS_ROOT_WORDS.contains(&w))
        })
    };
    // The context's files a COPY or ADD puts in the image under one of these names: by their
    // own name, or by the name the COPY gives them (`COPY docker/startup_alpine.sh
    // /startup.sh` then `CMD ["/startup.sh"]`).
    let copied_as = |names: &[&str]| -> Vec<String> {
        instructions()
            .filter(|i| matches!(i.kind(), Kind::Copy | Kind::Add))
            .filter(|i| !i.node.flags.iter().any(|f| f.name() == "from"))
            .filter_map(|i| match &i.node.args {
                Args::Words(w) if w.len() >= 2 => {
                    let sources: Vec<&str> = w
                        .iter()
                        .take(w.len() - 1)
                        .map(|s| s.slice(&i.logical))
                        .collect();
                    let dest = w.last().map(|d| d.slice(&i.logical)).unwrap_or_default();
                    // One source to a destination that is not a folder is copied under that
                    // name.
                    let renamed = (sources.len() == 1 && !dest.ends_with('/'))
                        .then(|| crate::shell::base_name(dest))
                        .filter(|n| !n.is_empty() && *n != "." && *n != "..");
                    Some(
                        sources
                            .into_iter()
                            .filter(|src| {
                                let own = crate::shell::base_name(src);
                                names.contains(&own) || renamed.is_some_and(|r| names.contains(&r))
                            })
                            .map(str::to_string)
                            .collect::<Vec<_>>(),
                    )
                }
                _ => None,
            })
            .flatten()
            .collect()
    };
    let named = copied_as(&names)
        .into_iter()
        .filter_map(|src| context.read(&src))
        .any(needs_root_text);
    // A script a RUN runs (`COPY target/scripts/build/packages.sh /build/`, `RUN /bin/bash
    // /build/packages.sh`) that installs a tool needing root, as a RUN would (docker-mailserver
    // installs postfix, dovecot and supervisor so).
    let run_scripts: Vec<&str> = ctx
        .shell_runs()
        .iter()
        .filter(|r| chain.contains(&r.stage))
        .flat_map(|r| r.commands.iter())
        .filter_map(|c| {
            let words = crate::rules::common::command_words(c);
            let first = words.first()?;
            let script = if matches!(
                crate::shell::base_name(&first.value),
                "sh" | "bash" | "dash" | "ash"
            ) {
                words.iter().skip(1).find(|w| !w.value.starts_with('-'))?
            } else {
                first
            };
            script
                .value
                .ends_with(".sh")
                .then(|| crate::shell::base_name(&script.value))
        })
        .collect();
    let installs_by_script = !run_scripts.is_empty()
        && copied_as(&run_scripts)
            .into_iter()
            .filter_map(|src| context.read(&src))
            .any(|t| installs_root_text(&t));
    if installs_by_script {
        return true;
    }
    // A script the whole context brought (`COPY . .` then `CMD ["./bootstrap.sh"]`): looked
    // up in the context by its path as written and by its name.
    named
        || start.iter().any(|p| {
            let rel = p.trim_start_matches("./");
            [rel, p.rsplit('/').next().unwrap_or(p)]
                .into_iter()
                .filter(|r| !r.starts_with('/') && !r.is_empty())
                .filter_map(|r| context.read(r))
                .any(needs_root_text)
        })
        // A start script that a build stage assembled (`COPY --from=build /app/out /asf`,
        // then `/asf/ArchiSteamFarm.sh`): the files of that name in the context. Only for a
        // script inside what a `COPY --from` brought: one copied from the context is read
        // above, by the COPY, and an unrelated file of the same name must not count.
        || {
            let from_dests: Vec<String> = instructions()
                .filter(|i| matches!(i.kind(), Kind::Copy | Kind::Add))
                .filter(|i| i.node.flags.iter().any(|f| f.name() == "from"))
                .filter_map(|i| match &i.node.args {
                    Args::Words(w) => w.last().map(|d| d.slice(&i.logical).to_string()),
                    Args::Json(v) => v.last().map(|d| d.value.clone()),
                    _ => None,
                })
                .filter(|d| d.starts_with('/'))
                .map(|d| crate::rules::common::join_path("/", &d))
                .collect();
            start
                .iter()
                .filter(|p| p.ends_with(".sh") && p.starts_with('/'))
                .filter(|p| {
                    from_dests
                        .iter()
                        .any(|d| crate::rules::common::is_within(p, d.trim_end_matches('/')))
                })
                .flat_map(|p| files_named(context, crate::shell::base_name(p)))
                .filter_map(|path| context.read(&path))
                .any(needs_root_text)
        }
}

/// The files of a name in the build context, by a bounded search (shallow folders first, 6
/// levels, 5,000 paths; dependency folders and `.git` skipped).
fn files_named(context: &crate::context::BuildContext, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut budget = 5_000usize;
    let mut queue: std::collections::VecDeque<(String, usize)> =
        std::collections::VecDeque::from([(String::new(), 0)]);
    while let Some((dir, depth)) = queue.pop_front() {
        for n in context.list(&dir) {
            if budget == 0 {
                return found;
            }
            budget -= 1;
            let path = if dir.is_empty() {
                n.clone()
            } else {
                format!("{dir}/{n}")
            };
            if n == name && context.is_file(&path) {
                found.push(path);
            } else if depth < 6
                && !matches!(n.as_str(), ".git" | "node_modules" | "vendor" | "target")
                && context.is_dir(&path)
            {
                queue.push_back((path, depth + 1));
            }
        }
    }
    found
}

/// A folder the container works in that root owns: the last `WORKDIR` (the process's working
/// folder) or a `VOLUME`, when nothing gives it (or a folder above it) to the user: no
/// `COPY --chown=<user>` to it, no `chown <user>` of it. An application often writes there.
fn root_owned_folder(ctx: &Context, chain: &[usize], user: &str) -> Option<String> {
    let name = user.split(':').next().unwrap_or(user);
    let mut owned: Vec<String> = Vec::new();
    let mut folders: Vec<String> = Vec::new();
    let mut workdir: Option<String> = None;
    let mut stages: Vec<usize> = chain.to_vec();
    stages.reverse();
    let runs = ctx.shell_runs();
    // The USER in effect: a WORKDIR created while it is the user belongs to the user.
    let mut current: Option<String> = None;
    for &s in &stages {
        for ins in ctx
            .stages
            .get(s)
            .map(|st| st.instructions.as_slice())
            .unwrap_or(&[])
        {
            let cwd = workdir.clone().unwrap_or_else(|| "/".to_string());
            match (ins.kind(), &ins.node.args) {
                (Kind::User, _) => current = user_value(ins),
                (Kind::Workdir, Args::Text(t)) => {
                    let w = t.slice(&ins.logical).trim().trim_matches('"');
                    let path = crate::rules::common::join_path(&cwd, w);
                    if current
                        .as_deref()
                        .is_some_and(|u| u.split(':').next() == Some(name))
                    {
                        owned.push(path.clone());
                    }
                    workdir = Some(path);
                }
                (Kind::Volume, _) => {
                    let text = ins.logical.get(ins.node.keyword.end..).unwrap_or("");
                    folders.extend(
                        text.split(|c: char| {
                            c.is_whitespace() || matches!(c, '[' | ']' | ',' | '"')
                        })
                        .filter(|w| w.starts_with('/'))
                        .map(str::to_string),
                    );
                }
                (Kind::Copy | Kind::Add, args) => {
                    let gives = ins.node.flags.iter().any(|f| {
                        f.name() == "chown"
                            && f.value().is_some_and(|v| v.split(':').next() == Some(name))
                    });
                    let dest = match args {
                        Args::Words(words) => {
                            words.last().map(|d| d.slice(&ins.logical).to_string())
                        }
                        Args::Json(values) => values.last().map(|d| d.value.clone()),
                        _ => None,
                    };
                    if let (true, Some(dest)) = (gives, dest) {
                        owned.push(crate::rules::common::join_path(&cwd, &dest));
                    }
                }
                (Kind::Run, _) => {
                    for run in runs.iter().filter(|r| std::ptr::eq(r.ins, *ins)) {
                        // The user's home, when the RUN creates it (`useradd -m`, `adduser`
                        // without `-H`/`--no-create-home`).
                        for cmd in &run.commands {
                            let creates_home = match cmd.program() {
                                Some("useradd") => cmd.flag("-m") || cmd.flag("--create-home"),
                                Some("adduser") => !cmd.flag("-H") && !cmd.flag("--no-create-home"),
                                _ => false,
                            };
                            if creates_home
                                && user_tool_operands(cmd).first().copied() == Some(name)
                            {
                                let home = cmd
                                    .words
                                    .windows(2)
                                    .find(|w| {
                                        matches!(
                                            w.first().map(|x| x.value.as_str()),
                                            Some("-d" | "--home-dir" | "--home" | "-h")
                                        )
                                    })
                                    .and_then(|w| w.get(1))
                                    .map_or_else(|| format!("/home/{name}"), |w| w.value.clone());
                                owned.push(home);
                            }
                        }
                        for cmd in run.commands.iter().filter(|c| c.program() == Some("chown")) {
                            let mut operands = cmd
                                .words
                                .iter()
                                .skip(1)
                                .filter(|w| !w.value.starts_with('-'));
                            let gives = operands
                                .next()
                                .is_some_and(|o| o.value.split(':').next() == Some(name));
                            if gives {
                                owned.extend(
                                    operands
                                        .map(|p| crate::rules::common::join_path(&cwd, &p.value)),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    folders.extend(workdir);
    let trim = |p: &str| p.trim_end_matches('/').to_string();
    folders
        .into_iter()
        .find(|f| {
            let f = trim(f);
            !f.is_empty()
                && !owned
                    .iter()
                    .any(|o| f == trim(o) || crate::rules::common::is_within(&f, &trim(o)))
        })
        .map(|f| format!("its working folder or volume `{f}` belongs to root"))
}

/// Why a switch to another user would break the container, if it would: a port below 1024, or
/// a runtime or state under `/root`.
fn blocks_user_switch(ctx: &Context, chain: &[usize]) -> Option<&'static str> {
    let instructions = || {
        chain.iter().flat_map(|&s| {
            ctx.stages
                .get(s)
                .into_iter()
                .flat_map(|st| st.instructions.iter())
        })
    };
    let low_port = |v: &str| {
        let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse::<u32>().is_ok_and(|p| p > 0 && p < 1024)
    };
    for ins in instructions() {
        let text = &ins.logical;
        match (ins.kind(), &ins.node.args) {
            (Kind::Expose, Args::Words(words)) if words.iter().any(|w| low_port(w.slice(text))) => {
                return Some("it exposes a port below 1024");
            }
            (Kind::Env | Kind::Arg, _) => {
                for (k, v) in crate::rules::common::env_pairs(ins) {
                    if k.to_ascii_uppercase().ends_with("PORT") && v.is_some_and(low_port) {
                        return Some("it listens on a port below 1024");
                    }
                    if v.is_some_and(|v| v.contains("/root")) {
                        return Some("its environment points into /root");
                    }
                }
            }
            (Kind::Cmd | Kind::Entrypoint, _) => {
                let args = text.as_str();
                let binds_low = args
                    .split(|c: char| c.is_whitespace() || matches!(c, '"' | ',' | '[' | ']'))
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| {
                        matches!(w, [flag, value] if matches!(*flag, "--port" | "-p" | "--bind" | "-b") && (low_port(value) || value.rsplit_once(':').is_some_and(|(_, p)| low_port(p))))
                    })
                    || args
                        .split(|c: char| c.is_whitespace() || matches!(c, '"' | ',' | '[' | ']' | '='))
                        .any(|w| {
                            w.rsplit_once(':').is_some_and(|(host, p)| {
                                (host == "0.0.0.0" || host == "[::]" || host == "::" || host.is_empty()) && low_port(p) && p.bytes().all(|b| b.is_ascii_digit())
                            })
                        });
                if binds_low {
                    return Some("it listens on a port below 1024");
                }
                if text.contains("/root") || text.contains("~/") {
                    return Some("it starts from /root");
                }
            }
            (Kind::Workdir | Kind::Copy | Kind::Add, _)
                if text.contains("/root") || text.contains(" ~/") =>
            {
                return Some("it keeps files in /root");
            }
            (Kind::Run, _) => {
                let t = text.to_ascii_lowercase();
                if [
                    "--user ",
                    "pyenv",
                    "astral.sh/uv",
                    "uv python install",
                    "nvm ",
                    "rustup",
                    "sdkman",
                    "/root/",
                ]
                .iter()
                .any(|w| t.contains(w))
                {
                    return Some("it installs a runtime for root (under /root)");
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{LintOptions, check_with};

    fn fixed(text: &str, user: &str) -> Option<String> {
        let doc = crate::syntax::parse(text).unwrap();
        let diags = check_with(
            &doc,
            &|r| r.code == "DF301",
            LintOptions {
                non_root_user: user.to_string(),
                ..Default::default()
            },
        );
        let d = diags.first()?;
        let fix = d.fix.as_ref().map(|f| crate::fix::apply(text, &[f]).0);
        Some(fix.unwrap_or_else(|| "<no fix>".to_string()))
    }

    #[test]
    fn config_user() {
        assert_eq!(
            fixed("FROM python:3.12\nCMD [\"x\"]\n", "10001:10001").as_deref(),
            Some("FROM python:3.12\nUSER 10001:10001\nCMD [\"x\"]\n")
        );
        // Without a configured user, a stage that never meant to run as another user is
        // not reported: root by omission cannot be told from root by design. No user is
        // ever invented.
        assert_eq!(fixed("FROM python:3.12\nCMD [\"x\"]\n", "auto"), None);
        // A root user from the config asks for nothing.
        assert_eq!(fixed("FROM python:3.12\nCMD [\"x\"]\n", "root"), None);
    }

    #[test]
    fn earlier_user_is_reused() {
        assert_eq!(
            fixed(
                "FROM node:20\nUSER node\nRUN npm ci\nUSER root\nRUN apt-get update\nCMD [\"x\"]\n",
                "auto"
            )
            .as_deref(),
            Some(
                "FROM node:20\nUSER node\nRUN npm ci\nUSER root\nRUN apt-get update\nUSER node\nCMD [\"x\"]\n"
            )
        );
        // An explicit `USER root` alone is a decision, not an omission.
        assert_eq!(fixed("FROM debian:12\nUSER root\nCMD x\n", "auto"), None);
    }

    #[test]
    fn the_user_the_file_prepares() {
        // Created and given the files: that user, not a new one.
        assert_eq!(
            fixed(
                "FROM alpine:3.20\nRUN addgroup -S docuseal && adduser -S docuseal -G docuseal\nCOPY --chown=docuseal:docuseal . /app\nCMD [\"./server\"]\n",
                "auto"
            )
            .as_deref(),
            Some(
                "FROM alpine:3.20\nRUN addgroup -S docuseal && adduser -S docuseal -G docuseal\nCOPY --chown=docuseal:docuseal . /app\nUSER docuseal\nCMD [\"./server\"]\n"
            )
        );
        assert_eq!(
            fixed("FROM debian:12\nRUN useradd --uid 1000 -m app\n", "auto").as_deref(),
            Some("FROM debian:12\nRUN useradd --uid 1000 -m app\nUSER app\n")
        );
        // The base image's user, given the files.
        assert_eq!(
            fixed(
                "FROM node:22-slim\nCOPY --chown=node:node . /app\nCMD [\"node\", \"/app\"]\n",
                "auto"
            )
            .as_deref(),
            Some(
                "FROM node:22-slim\nCOPY --chown=node:node . /app\nUSER node\nCMD [\"node\", \"/app\"]\n"
            )
        );
        // A renamed user: the new name.
        assert_eq!(
            fixed(
                "FROM node:22-slim\nRUN usermod --login paperless node && groupmod --new-name paperless node\n",
                "auto"
            )
            .as_deref(),
            Some(
                "FROM node:22-slim\nRUN usermod --login paperless node && groupmod --new-name paperless node\nUSER paperless\n"
            )
        );
        // Files given to `nobody` on an image where nothing is created: not a plan to switch.
        assert_eq!(
            fixed(
                "FROM alpine:3.20\nRUN chown -R nobody /data\nCMD x\n",
                "auto"
            ),
            None
        );
    }

    #[test]
    fn root_on_purpose_is_quiet() {
        let prepared = "RUN useradd app\nCOPY --chown=app . /app\n";
        for (from, tail) in [
            // The entrypoint steps down (a downloaded gosu).
            (
                "FROM oraclelinux:9-slim",
                "RUN curl -fL -o /usr/local/bin/gosu https://x/gosu && chmod +x /usr/local/bin/gosu\n",
            ),
            ("FROM php:8.3-apache", ""),
            ("FROM php:8.3-fpm-alpine", ""),
            ("FROM nginx:alpine", ""),
            ("FROM lscr.io/linuxserver/baseimage-alpine:3.20", ""),
            ("FROM mcr.microsoft.com/devcontainers/base:bookworm", ""),
            ("FROM debian:12", "ENTRYPOINT [\"/init\"]\n"),
            (
                "FROM alpine:3.20",
                "RUN apk add --no-cache tcpdump nmap iptables\n",
            ),
            ("FROM debian:12", "RUN apt-get install -y cron\n"),
        ] {
            let text = format!("{from}\n{prepared}{tail}");
            assert_eq!(fixed(&text, "auto"), None, "{text}");
            assert_eq!(fixed(&text, "1000"), None, "{text}");
        }
    }

    #[test]
    fn no_fix_where_the_working_folder_is_roots() {
        // The app works in /data, which root made: as `app` it could not write there.
        assert_eq!(
            fixed(
                "FROM ruby:3.3-alpine\nRUN adduser -D app\nCOPY --chown=app:app . /app\nWORKDIR /data/app\nCMD [\"puma\"]\n",
                "auto"
            )
            .as_deref(),
            Some("<no fix>")
        );
        assert_eq!(
            fixed(
                "FROM debian:12\nRUN useradd app\nVOLUME /data\nCMD [\"x\"]\n",
                "auto"
            )
            .as_deref(),
            Some("<no fix>")
        );
        // Given to the user: fine (a COPY --chown to it, or a chown).
        for tail in [
            "WORKDIR /app\nCOPY --chown=app . .\n",
            "WORKDIR /srv\nRUN mkdir -p /srv/data && chown -R app:app /srv\n",
        ] {
            let text = format!("FROM debian:12\nRUN useradd app\n{tail}");
            assert!(
                fixed(&text, "auto").is_some_and(|f| f.contains("USER app")),
                "{text}"
            );
        }
    }

    #[test]
    fn started_programs_behind_an_init_wrapper() {
        let s = |w: &str| started(w.split_whitespace());
        assert_eq!(s("/entrypoint.sh app").as_deref(), Some("/entrypoint.sh"));
        assert_eq!(
            s("tini -- /usr/local/bin/docker-entrypoint.sh").as_deref(),
            Some("/usr/local/bin/docker-entrypoint.sh")
        );
        assert_eq!(
            s("/sbin/tini -g -e 143 -- run.sh").as_deref(),
            Some("run.sh")
        );
        assert_eq!(s("/sbin/tini -s -e 143 run.sh").as_deref(), Some("run.sh"));
        assert_eq!(
            s("dumb-init --rewrite 15:2 /start.sh").as_deref(),
            Some("/start.sh")
        );
        assert_eq!(s("tini --").as_deref(), Some("tini"));
    }

    #[test]
    fn no_fix_where_a_user_cannot_work() {
        for tail in [
            "EXPOSE 80\n",
            "ENV PORT=80\n",
            "CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:80\", \"app:app\"]\n",
            "ENV PATH=/root/.local/bin:$PATH\n",
            "WORKDIR /root/app\n",
            "RUN pip install --user flask\n",
        ] {
            let text = format!("FROM debian:12\nRUN useradd app\n{tail}");
            assert_eq!(fixed(&text, "auto").as_deref(), Some("<no fix>"), "{text}");
        }
        // A high port is fine.
        assert_eq!(
            fixed("FROM debian:12\nRUN useradd app\nEXPOSE 8080\n", "auto").as_deref(),
            Some("FROM debian:12\nRUN useradd app\nUSER app\nEXPOSE 8080\n")
        );
    }

    #[test]
    fn layout() {
        // No final newline; CRLF; comments above the trailer stay with it.
        assert_eq!(
            fixed("FROM scratch\nCOPY a /a", "10001").as_deref(),
            Some("FROM scratch\nCOPY a /a\nUSER 10001\n")
        );
        assert_eq!(
            fixed(
                "FROM scratch\r\nCOPY a /a\r\n\r\n# run\r\nCMD [\"/a\"]\r\n",
                "10001"
            )
            .as_deref(),
            Some("FROM scratch\r\nCOPY a /a\r\n\r\nUSER 10001\r\n# run\r\nCMD [\"/a\"]\r\n")
        );
        // A dangling continuation at the end of the file would swallow the USER.
        assert_eq!(
            fixed("FROM scratch\nENV a=b \\\n", "10001").as_deref(),
            Some("<no fix>")
        );
        // Comment lines after it do not close it (found by the fuzzer).
        assert_eq!(
            fixed("FROM scratch\nENV a=b \\\n    # c", "10001").as_deref(),
            Some("<no fix>")
        );
        assert_eq!(
            fixed("FROM scratch\nENV a=b \\\n  # c\n\n", "10001").as_deref(),
            Some("<no fix>")
        );
        assert_eq!(
            fixed("from alpine:3\nrun adduser -D app\ncmd [\"sh\"]\n", "auto").as_deref(),
            Some("from alpine:3\nrun adduser -D app\nuser app\ncmd [\"sh\"]\n")
        );
        assert_eq!(
            fixed("FROM scratch\n", "10001").as_deref(),
            Some("FROM scratch\nUSER 10001\n")
        );
    }

    #[test]
    fn skipped_and_unresolved() {
        assert_eq!(fixed("# escape=`\nFROM debian:12\nCMD x\n", "10001"), None);
        assert_eq!(
            fixed(
                "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD x\n",
                "10001"
            ),
            None
        );
        assert_eq!(fixed("FROM debian:12\nUSER $UID\nCMD x\n", "10001"), None);
        assert_eq!(
            fixed(
                "ARG STAGE=build\nFROM debian:12 AS build\nFROM ${STAGE}\nCMD x\n",
                "10001"
            )
            .as_deref(),
            Some("<no fix>")
        );
    }

    #[test]
    fn table() {
        let c = |n: &str, t: Option<&str>| classify(Some(n), t);
        assert!(!c("distroless/static-debian12", Some("nonroot")).root);
        assert!(c("distroless/static-debian12", Some("latest")).root);
        assert!(!c("distroless/nodejs22-debian12", Some("debug-nonroot")).root);
        assert!(!c("chainguard/python", Some("latest")).root);
        assert!(c("chainguard/python", Some("latest-dev")).root);
        assert!(c("chainguard/wolfi-base", None).root);
        assert!(!c("nginxinc/nginx-unprivileged", Some("1.27-alpine")).root);
        assert!(!c("bitnami/postgresql", Some("16")).root);
        assert!(c("bitnami/minideb", Some("bookworm")).root);
        assert_eq!(c("node", Some("20-alpine")).fix, existing("node"));
        assert_eq!(c("python", Some("3.12-alpine3.20")).fix, FixUser::NoUser);
        assert_eq!(c("python", Some("3.12-slim")).fix, FixUser::NoUser);
        assert_eq!(c("openjdk", Some("17-oracle")).fix, FixUser::NoUser);
        assert_eq!(
            c("eclipse-temurin", Some("21-jre-ubi9-minimal")).fix,
            FixUser::NoUser
        );
        assert_eq!(c("ubi9/ubi", Some("9.4")).fix, FixUser::NoUser);
        assert_eq!(c("ubi9/ubi-minimal", None).fix, FixUser::NoUser);
        assert_eq!(c("redhat/ubi9-minimal", None).fix, FixUser::NoUser);
        assert_eq!(c("rockylinux", Some("9-minimal")).fix, FixUser::NoUser);
        assert_eq!(c("amazonlinux", Some("2023")).fix, FixUser::NoUser);
        assert_eq!(c("oraclelinux", Some("9-slim")).fix, FixUser::NoUser);
        assert_eq!(c("acme/app", Some("1")).fix, FixUser::NoUser);
        assert!(c("acme/app", Some("1")).root);
        assert!(!c("jupyter/base-notebook", None).root);
        assert!(!c("selenium/node-chrome", Some("latest")).root);
        assert_eq!(c("dotnet/aspnet", Some("8.0-alpine")).fix, existing("app"));
        assert_eq!(c("dotnet/aspnet", Some("6.0")).fix, FixUser::NoUser);
        assert_eq!(c("docker/library/centos", Some("7")).fix, FixUser::NoUser);
        assert_eq!(c("arm64v8/alpine", None).fix, FixUser::NoUser);
        assert_eq!(c("postgres", Some("16")).fix, FixUser::Withheld);
        assert_eq!(c("amd64/postgres", None).fix, FixUser::Withheld);
        assert!(is_root("root") && is_root("0") && is_root("0:0") && is_root("root:staff"));
        assert!(!is_root("app") && !is_root("1000:0") && !is_root("rooty"));
    }
}
