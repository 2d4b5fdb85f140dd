use super::common::{from_image, stage_chain};
use super::unpinned_base::{BaseImage, root_base};
use super::{Context, Diagnostic, FixAvailability, Rule, Severity};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::{Args, Instruction, Item, Kind, Span};

pub static RULE: Rule = Rule {
    code: "DF301",
    name: "root-user",
    aliases: &["DL3002"],
    summary: "The final stage runs as root",
    doc: "## What it does
Flags the final stage (the last `FROM`, the one that ships) when its container runs as root:
its last `USER` is `root` or `0` (`root:root`, `0:0`, `root:<group>`...), or it has no `USER`,
nor has what it is built on (`FROM builder` takes the user in effect at the end of `builder`),
and its base image is not known to run as another user. Known non-root bases: tags with
`nonroot` (`gcr.io/distroless/static:nonroot`), `cgr.dev/chainguard/*` (except `-dev` tags,
`wolfi-base` and `busybox`), `nginxinc/nginx-unprivileged`, `bitnami/*` (except `minideb`),
`jupyter/*`, `selenium/*`, `jenkins/jenkins`, `grafana/grafana`, `prom/prometheus`,
`memcached`, `solr`, `sonarqube`. Any other image is assumed to run as root, as `scratch` does
(uid 0). hadolint's DL3002 only flags an explicit `USER root`; a missing `USER` is flagged here
too. Earlier stages are not checked: they do not ship. Windows files (a backtick `# escape`,
Windows base images) are skipped. A `USER` whose value is a variable (`USER $UID`) is taken as
non-root. Not flagged either: a final image whose ENTRYPOINT or CMD starts with a tool that
drops privileges (`gosu`, `su-exec`, `setpriv`, `runuser`, ...), or that installs `gosu` or
`su-exec` for its entrypoint script: such a process must start as root.

## Why is this bad?
A process that runs as root in the container is root on the host's kernel: an escape through
a kernel or runtime bug, a mounted host path or a mis-set capability gives root on the host.
Running as an unprivileged user limits what a compromised application can do.

## Example
```dockerfile
FROM python:3.12-slim
COPY . /app
CMD [\"python\", \"/app/main.py\"]
```
Use instead:
```dockerfile
FROM python:3.12-slim
COPY . /app
RUN groupadd --system app && useradd --system --gid app --no-create-home app
USER app
CMD [\"python\", \"/app/main.py\"]
```

## Fix safety
Unsafe: the process runs as another user, so it can no longer write to files and folders that
root owns, or bind ports below 1024 where the runtime does not allow it.

The fix puts `USER <user>` after the last `RUN`, `COPY`, `ADD`, `WORKDIR` and `USER` of the
final stage, before the first `CMD`, `ENTRYPOINT`, `HEALTHCHECK`, `EXPOSE`, `LABEL` or
`STOPSIGNAL` that follows them (or at the end of the stage), so every build step still runs as
before; an existing `USER root` is left as it is. Files copied in keep root as their owner:
readable with the usual modes, but an application that writes to its own folder needs
`COPY --chown=<user>` (or a writable volume). The user is, in this order:
1. `[lint.non-root-user] user` from the config, when it is not `auto`;
2. a non-root `USER` the stage (or one it is built on) switched to earlier;
3. the user the base image provides: `node` in `node` images, `nonroot` in distroless,
   `65532:65532` in chainguard, `app` in .NET 8 and later (`mcr.microsoft.com/dotnet/*`);
4. a user `app` that the fix creates: `RUN groupadd --system app && useradd --system --gid app
   --no-create-home app` on Debian and Ubuntu bases (`debian`, `ubuntu`, `python`, `golang`,
   `rust`, `openjdk`, `eclipse-temurin`, `ruby`, `php`, `buildpack-deps`...) and on the RHEL
   family (`fedora`, `centos`, `rockylinux`, `almalinux`, `oraclelinux`, `ubi8`/`ubi9`), or
   `RUN addgroup -S app && adduser -S app -G app` on Alpine (`alpine`, `*-alpine` tags);
5. otherwise the numeric `65532:65532`, which needs no entry in `/etc/passwd`: `scratch`,
   unknown bases, images without `useradd` (`ubi*-minimal`, `ubi-micro`, `amazonlinux`,
   `-slim` Oracle Linux), a file whose `RUN`s already create a user or group named `app`, or a
   non-POSIX `SHELL`.

A user name the image does not have is never inserted. No fix on images that start as root on
purpose and switch to their own user (`postgres`, `mysql`, `mariadb`, `redis`, `mongo`,
`rabbitmq`, `couchdb`, `cassandra`, `zookeeper`, `httpd`, `nginx`: a `USER` breaks their
entrypoint; `nginxinc/nginx-unprivileged` is the non-root nginx), nor when the final stage
builds on a stage that cannot be resolved (`FROM ${STAGE}`), nor when the file ends with a
dangling line continuation.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// The numeric user of the fix where the image provides no user name.
const NUMERIC: &str = "65532:65532";

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

/// Images whose last `USER` is not root, and that user.
const NON_ROOT_IMAGES: &[(&str, &str)] = &[
    ("nginxinc/nginx-unprivileged", "nginx"),
    ("jenkins/jenkins", "jenkins"),
    ("grafana/grafana", "grafana"),
    ("prom/prometheus", "nobody"),
    ("prom/alertmanager", "nobody"),
    ("prom/node-exporter", "nobody"),
    ("memcached", "memcache"),
    ("solr", "solr"),
    ("sonarqube", "sonarqube"),
];

/// Images that start as root on purpose: their entrypoint (`gosu`, `su-exec`) or server
/// switches to a user of its own after setting up its data folders, or binds port 80 first.
/// A `USER` on top breaks that, so there is no fix.
const STEPS_DOWN: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "rabbitmq",
    "couchdb",
    "cassandra",
    "zookeeper",
    "httpd",
    "nginx",
];

/// Prefixes under which the official images are also published.
const OFFICIAL_MIRRORS: &[&str] = &[
    "docker/library/",
    "amd64/",
    "arm32v5/",
    "arm32v6/",
    "arm32v7/",
    "arm64v8/",
    "i386/",
    "ppc64le/",
    "riscv64/",
    "s390x/",
];

/// Official images built on Debian or Ubuntu (with `useradd`, from the essential `passwd`).
const DEBIAN_FAMILY: &[&str] = &[
    "debian",
    "ubuntu",
    "python",
    "pypy",
    "golang",
    "rust",
    "openjdk",
    "eclipse-temurin",
    "ruby",
    "php",
    "perl",
    "buildpack-deps",
    "gcc",
    "erlang",
    "elixir",
    "haskell",
];

/// RHEL-family images with `useradd` (shadow-utils), unless a minimal/micro/slim variant.
const RHEL_FAMILY: &[&str] = &[
    "fedora",
    "fedora/fedora",
    "centos",
    "centos/centos",
    "rockylinux",
    "rockylinux/rockylinux",
    "almalinux",
    "almalinux/almalinux",
    "oraclelinux",
];

/// How a user-creating fix creates `app`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Create {
    /// `groupadd` and `useradd` (Debian, Ubuntu, RHEL family).
    Shadow,
    /// BusyBox `addgroup` and `adduser` (Alpine).
    Busybox,
}

/// The user a fix switches to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FixUser {
    /// A user the image already has (or the config names).
    Existing(String),
    /// `app`, created by the fix.
    Create(Create),
    /// No fix: the image starts as root on purpose and switches to a user of its own.
    Withheld,
}

/// What a base image is known to do.
#[derive(Debug, PartialEq, Eq)]
struct BaseInfo {
    /// Whether a container of the image runs as root when no `USER` is set on top of it.
    root: bool,
    /// Whether the image is in the table (otherwise it is assumed to run as root).
    known: bool,
    fix: FixUser,
}

fn existing(user: &str) -> FixUser {
    FixUser::Existing(user.to_string())
}

/// What the table knows of an image, from its name (registry and `library/` removed) and tag.
fn classify(name: Option<&str>, tag: Option<&str>) -> BaseInfo {
    let root = |fix| BaseInfo {
        root: true,
        known: true,
        fix,
    };
    let unknown = BaseInfo {
        root: true,
        known: false,
        fix: existing(NUMERIC),
    };
    let Some(name) = name else {
        return unknown;
    };
    let mut name = name.to_ascii_lowercase();
    // Mirrors of the official images: `public.ecr.aws/docker/library/x`, `amd64/x`.
    for prefix in OFFICIAL_MIRRORS {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_string();
            break;
        }
    }
    let tag = tag.unwrap_or("").to_ascii_lowercase();
    let parts: Vec<&str> = tag.split(['-', '_', '.']).collect();
    let tag_has = |p: &str| parts.contains(&p);
    let nonroot_tag = tag_has("nonroot");
    let minimal = |s: &str| s.contains("minimal") || s.contains("micro");

    if name.starts_with("distroless/") {
        // Every distroless image has `nonroot` (65532) in its /etc/passwd.
        return BaseInfo {
            root: !nonroot_tag,
            known: true,
            fix: existing("nonroot"),
        };
    }
    if let Some(image) = name.strip_prefix("chainguard/") {
        let dev = parts.contains(&"dev");
        let root_by_default = dev || matches!(image, "wolfi-base" | "busybox");
        return BaseInfo {
            root: root_by_default && !nonroot_tag,
            known: true,
            fix: existing(NUMERIC),
        };
    }
    if let Some(&(_, user)) = NON_ROOT_IMAGES.iter().find(|(n, _)| *n == name) {
        return BaseInfo {
            root: false,
            known: true,
            fix: existing(user),
        };
    }
    if STEPS_DOWN.contains(&name.as_str()) {
        return root(FixUser::Withheld);
    }
    if name.starts_with("jupyter/") {
        return BaseInfo {
            root: false,
            known: true,
            fix: existing("jovyan"),
        };
    }
    if name.starts_with("selenium/") {
        return BaseInfo {
            root: false,
            known: true,
            fix: existing("seluser"),
        };
    }
    if name.starts_with("dotnet/") {
        // .NET 8 and later images have an `app` user (and run as root by default).
        let major: u32 = tag
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        return root(if major >= 8 {
            existing("app")
        } else {
            existing(NUMERIC)
        });
    }
    if name.starts_with("bitnami/") && name != "bitnami/minideb" {
        return BaseInfo {
            root: false,
            known: true,
            fix: existing("1001"),
        };
    }
    if nonroot_tag {
        return BaseInfo {
            root: false,
            known: true,
            fix: existing(NUMERIC),
        };
    }
    if name == "node" {
        return root(existing("node"));
    }
    if name == "alpine" || parts.iter().any(|p| p.starts_with("alpine")) {
        return root(FixUser::Create(Create::Busybox));
    }
    if DEBIAN_FAMILY.contains(&name.as_str()) {
        // Tags of these images on other systems (`openjdk:17-oracle`,
        // `eclipse-temurin:21-ubi9-minimal`).
        let other = parts
            .iter()
            .any(|p| p.starts_with("ubi") || p.starts_with("oracle") || p.starts_with("amazon"));
        return root(if other {
            existing(NUMERIC)
        } else {
            FixUser::Create(Create::Shadow)
        });
    }
    let ubi = name
        .split('/')
        .any(|c| c.starts_with("ubi") && c[3..].starts_with(|c: char| c.is_ascii_digit()));
    if RHEL_FAMILY.contains(&name.as_str()) || ubi {
        let without_useradd = minimal(&name) || minimal(&tag) || tag_has("slim");
        return root(if without_useradd {
            existing(NUMERIC)
        } else {
            FixUser::Create(Create::Shadow)
        });
    }
    unknown
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
    let t = ins.logical.to_ascii_lowercase();
    t.contains("windows") || t.contains("nanoserver") || t.contains("servercore")
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
    let Some(final_from) = ctx.stages[stage].from else {
        return;
    };
    let chain = stage_chain(ctx, stage);
    if chain
        .iter()
        .any(|&s| ctx.stages[s].from.is_some_and(windows_from))
    {
        return;
    }
    let base = root_base(ctx, stage);
    if base
        .as_ref()
        .is_some_and(|b| b.resolved.to_ascii_lowercase().contains("windows"))
    {
        return;
    }

    // An entrypoint that drops privileges itself (`gosu`, `su-exec`, ...) needs to start as
    // root: nothing to report. So does a stage that installs such a tool for its entrypoint
    // script.
    if drops_privileges(ctx, &chain) {
        return;
    }

    // The user in effect at the end of the stage: its last USER, or that of the stage it is
    // built on, or the base image's.
    let last_user = chain.iter().find_map(|&s| {
        ctx.stages[s]
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
            match base {
                Some(b) => {
                    let info = classify(b.name(), b.tag().ok().flatten());
                    if !info.root {
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

    let image_span = match &final_from.node.args {
        Args::Words(w) if !w.is_empty() => final_from.to_source(w[0]),
        _ => final_from.head_span(),
    };
    let no_user_where = if chain.len() > 1 {
        " in it or in the stages it is built on"
    } else {
        ""
    };
    let (span, message) = match &root {
        Root::Explicit(ins, s) if *s == stage => (
            ins.head_span(),
            format!(
                "The final stage runs as root: its last `USER` is `{}`",
                user_value(ins).unwrap_or_default()
            ),
        ),
        Root::Explicit(ins, _) => (
            image_span,
            format!(
                "The final stage runs as root: it has no `USER`, and the stage it is built on ends with `USER {}`",
                user_value(ins).unwrap_or_default()
            ),
        ),
        Root::Base(b, info) => (
            image_span,
            format!(
                "The final stage runs as root: no `USER`{}, and the base image {} {}",
                no_user_where,
                b.describe(),
                if info.fix == FixUser::Withheld {
                    "starts as root, then switches to a user of its own (a `USER` would break that)"
                } else if info.known {
                    "runs as root"
                } else {
                    "is not known to run as another user"
                }
            ),
        ),
        Root::Scratch => (
            image_span,
            format!(
                "The final stage runs as root: no `USER`{no_user_where}, and `scratch` runs everything as uid 0"
            ),
        ),
        Root::Unresolved => (
            image_span,
            "The final stage may run as root: no `USER`, and what it is built on is not known"
                .to_string(),
        ),
    };
    let mut diag = Diagnostic::new(&RULE, span, message);
    if let Some(fix) = make_fix(ctx, stage, &chain, &root) {
        diag = diag.with_fix(fix);
    }
    out.push(diag);
}

/// The user the fix switches to (see the doc's order).
fn choose_user(ctx: &Context, chain: &[usize], root: &Root) -> Option<FixUser> {
    let table = match root {
        Root::Explicit(..) => match root_base(ctx, *chain.first()?) {
            Some(b) => classify(b.name(), b.tag().ok().flatten()).fix,
            None => existing(NUMERIC),
        },
        Root::Base(_, info) => info.fix.clone(),
        Root::Scratch => existing(NUMERIC),
        Root::Unresolved => return None,
    };
    if let Some(user) = configured_user(ctx) {
        return (table != FixUser::Withheld && !is_root(user)).then(|| existing(user));
    }
    // A non-root user the stage (or one it builds on) switched to before.
    let earlier = chain.iter().find_map(|&s| {
        ctx.stages[s]
            .instructions
            .iter()
            .rev()
            .filter(|i| i.kind() == Kind::User)
            .filter_map(|i| user_value(i))
            .find(|v| !is_root(v))
    });
    if let Some(user) = earlier {
        return Some(FixUser::Existing(user));
    }
    match table {
        FixUser::Withheld => None,
        fix => Some(fallback(ctx, chain, &fix)),
    }
}

/// `[lint.non-root-user] user`, unless `auto`.
fn configured_user<'c>(ctx: &'c Context) -> Option<&'c str> {
    let configured = ctx.options.non_root_user.trim();
    (!configured.is_empty() && !configured.eq_ignore_ascii_case("auto")).then_some(configured)
}

/// The table's user, or the numeric one where creating `app` would fail.
fn fallback(ctx: &Context, chain: &[usize], fix: &FixUser) -> FixUser {
    if let FixUser::Create(_) = fix
        && (creates_app(ctx, chain) || !posix_shell(ctx, chain))
    {
        return existing(NUMERIC);
    }
    fix.clone()
}

/// Whether a RUN of the chain creates a user or group and names `app` (the fix's `useradd`
/// would then fail).
fn creates_app(ctx: &Context, chain: &[usize]) -> bool {
    chain.iter().any(|&s| {
        ctx.stages[s]
            .instructions
            .iter()
            .filter(|i| i.kind() == Kind::Run)
            .any(|i| {
                let text = ctx.doc.slice(i.span);
                let mut words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
                let creates = ["useradd", "adduser", "groupadd", "addgroup"]
                    .iter()
                    .any(|c| text.contains(c));
                creates && words.any(|w| w == "app")
            })
    })
}

/// Whether the SHELL in effect at the end of the stage is a POSIX shell.
fn posix_shell(ctx: &Context, chain: &[usize]) -> bool {
    let shell = chain.iter().find_map(|&s| {
        ctx.stages[s]
            .instructions
            .iter()
            .rfind(|i| i.kind() == Kind::Shell)
    });
    match shell.map(|i| &i.node.args) {
        None => true,
        Some(Args::Json(args)) => args.first().is_some_and(|a| {
            let prog = a.value.rsplit(['/', '\\']).next().unwrap_or("");
            matches!(
                prog,
                "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox"
            )
        }),
        Some(_) => false,
    }
}

fn make_fix(ctx: &Context, stage: usize, chain: &[usize], root: &Root) -> Option<Fix> {
    let user = choose_user(ctx, chain, root)?;
    let text = &ctx.doc.text;
    let instructions = &ctx.stages[stage].instructions;
    // After the last instruction whose result the user changes (or that sets the user), before
    // the first trailer instruction that follows it.
    let build_end = instructions
        .iter()
        .rposition(|i| BUILD_STEP.contains(&i.kind()))
        .map_or(0, |p| p + 1);
    let trailer = instructions[build_end..]
        .iter()
        .position(|i| TRAILER.contains(&i.kind()))
        .map(|p| build_end + p);
    let (at, indent, before) = match trailer.map(|t| instructions[t]) {
        Some(first) => {
            // Before the comments right above the trailer: they describe it (or suppress a
            // finding on it).
            let index =
                ctx.doc.items.iter().position(
                    |it| matches!(it, Item::Instruction(i) if std::ptr::eq(&**i, first)),
                )?;
            let mut start = index;
            while start > 0 && matches!(ctx.doc.items[start - 1], Item::Comment(_)) {
                start -= 1;
            }
            let at = ctx.doc.items[start].span().start;
            let line = Span::new(first.span.start, first.head_span().start).slice(text);
            let indent: String = line
                .chars()
                .take_while(|c| matches!(c, ' ' | '\t'))
                .collect();
            (at, indent, Some(first))
        }
        None => {
            let last = instructions.last().copied().or(ctx.stages[stage].from)?;
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
        .or(ctx.stages[stage].from)?;
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
    let name = match &user {
        FixUser::Existing(u) => u.clone(),
        FixUser::Create(how) => {
            let run = match how {
                Create::Shadow => {
                    " groupadd --system app && useradd --system --gid app --no-create-home app"
                }
                Create::Busybox => " addgroup -S app && adduser -S app -G app",
            };
            content.push_str(&format!("{indent}{}{run}{eol}", kw("RUN")));
            "app".to_string()
        }
        FixUser::Withheld => return None,
    };
    content.push_str(&format!("{indent}{} {name}{eol}", kw("USER")));
    let created = match user {
        FixUser::Create(_) => " (created by the fix)",
        _ => "",
    };
    let place = match before {
        Some(ins) => format!("before the {}", ins.node.kind.keyword()),
        None => "at the end of the stage".to_string(),
    };
    Some(Fix::unsafe_(
        format!("Run as `{name}`{created}: add `USER {name}` {place}"),
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
        ctx.stages[s]
            .instructions
            .iter()
            .any(|ins| match ins.kind() {
                Kind::Entrypoint | Kind::Cmd => {
                    first_word(ins).is_some_and(|w| PRIVILEGE_DROPPERS.contains(&w.as_str()))
                }
                Kind::Run => {
                    let text = ins.logical.to_ascii_lowercase();
                    (text.contains("install") || text.contains("apk add"))
                        && text
                            .split(|c: char| c.is_whitespace() || c == '=')
                            .any(|w| w == "gosu" || w == "su-exec")
                }
                _ => false,
            })
    })
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
        assert_eq!(
            fixed("FROM python:3.12\nCMD [\"x\"]\n", "auto").as_deref(),
            Some(
                "FROM python:3.12\nRUN groupadd --system app && useradd --system --gid app --no-create-home app\nUSER app\nCMD [\"x\"]\n"
            )
        );
        // A root user from the config is no fix.
        assert_eq!(
            fixed("FROM python:3.12\nCMD [\"x\"]\n", "root").as_deref(),
            Some("<no fix>")
        );
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
    }

    #[test]
    fn no_app_user_twice() {
        // The file creates `app` already: `useradd app` would fail, so the numeric user.
        assert_eq!(
            fixed("FROM debian:12\nRUN useradd app\n", "auto").as_deref(),
            Some("FROM debian:12\nRUN useradd app\nUSER 65532:65532\n")
        );
        // A non-POSIX SHELL cannot run `groupadd && useradd` as written.
        assert_eq!(
            fixed(
                "FROM debian:12\nSHELL [\"/usr/bin/pwsh\", \"-c\"]\nCMD x\n",
                "auto"
            )
            .as_deref(),
            Some("FROM debian:12\nSHELL [\"/usr/bin/pwsh\", \"-c\"]\nUSER 65532:65532\nCMD x\n")
        );
    }

    #[test]
    fn layout() {
        // No final newline; CRLF; comments above the trailer stay with it.
        assert_eq!(
            fixed("FROM scratch\nCOPY a /a", "auto").as_deref(),
            Some("FROM scratch\nCOPY a /a\nUSER 65532:65532\n")
        );
        assert_eq!(
            fixed(
                "FROM scratch\r\nCOPY a /a\r\n\r\n# run\r\nCMD [\"/a\"]\r\n",
                "auto"
            )
            .as_deref(),
            Some("FROM scratch\r\nCOPY a /a\r\n\r\nUSER 65532:65532\r\n# run\r\nCMD [\"/a\"]\r\n")
        );
        // A dangling continuation at the end of the file would swallow the USER.
        assert_eq!(
            fixed("FROM scratch\nENV a=b \\\n", "auto").as_deref(),
            Some("<no fix>")
        );
        // Comment lines after it do not close it (found by the fuzzer).
        assert_eq!(
            fixed("FROM scratch\nENV a=b \\\n    # c", "auto").as_deref(),
            Some("<no fix>")
        );
        assert_eq!(
            fixed("FROM scratch\nENV a=b \\\n  # c\n\n", "auto").as_deref(),
            Some("<no fix>")
        );
        assert_eq!(
            fixed("from alpine:3\ncmd [\"sh\"]\n", "auto").as_deref(),
            Some(
                "from alpine:3\nrun addgroup -S app && adduser -S app -G app\nuser app\ncmd [\"sh\"]\n"
            )
        );
        assert_eq!(
            fixed("FROM scratch\n", "auto").as_deref(),
            Some("FROM scratch\nUSER 65532:65532\n")
        );
    }

    #[test]
    fn skipped_and_unresolved() {
        assert_eq!(fixed("# escape=`\nFROM debian:12\nCMD x\n", "auto"), None);
        assert_eq!(
            fixed(
                "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD x\n",
                "auto"
            ),
            None
        );
        assert_eq!(fixed("FROM debian:12\nUSER $UID\nCMD x\n", "auto"), None);
        assert_eq!(
            fixed(
                "ARG STAGE=build\nFROM debian:12 AS build\nFROM ${STAGE}\nCMD x\n",
                "auto"
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
        assert_eq!(
            c("python", Some("3.12-alpine3.20")).fix,
            FixUser::Create(Create::Busybox)
        );
        assert_eq!(
            c("python", Some("3.12-slim")).fix,
            FixUser::Create(Create::Shadow)
        );
        assert_eq!(c("openjdk", Some("17-oracle")).fix, existing(NUMERIC));
        assert_eq!(
            c("eclipse-temurin", Some("21-jre-ubi9-minimal")).fix,
            existing(NUMERIC)
        );
        assert_eq!(
            c("ubi9/ubi", Some("9.4")).fix,
            FixUser::Create(Create::Shadow)
        );
        assert_eq!(c("ubi9/ubi-minimal", None).fix, existing(NUMERIC));
        assert_eq!(c("redhat/ubi9-minimal", None).fix, existing(NUMERIC));
        assert_eq!(c("rockylinux", Some("9-minimal")).fix, existing(NUMERIC));
        assert_eq!(c("amazonlinux", Some("2023")).fix, existing(NUMERIC));
        assert_eq!(c("oraclelinux", Some("9-slim")).fix, existing(NUMERIC));
        assert_eq!(c("acme/app", Some("1")).fix, existing(NUMERIC));
        assert!(c("acme/app", Some("1")).root);
        assert!(!c("jupyter/base-notebook", None).root);
        assert!(!c("selenium/node-chrome", Some("latest")).root);
        assert_eq!(c("dotnet/aspnet", Some("8.0-alpine")).fix, existing("app"));
        assert_eq!(c("dotnet/aspnet", Some("6.0")).fix, existing(NUMERIC));
        assert_eq!(
            c("docker/library/centos", Some("7")).fix,
            FixUser::Create(Create::Shadow)
        );
        assert_eq!(
            c("arm64v8/alpine", None).fix,
            FixUser::Create(Create::Busybox)
        );
        assert!(is_root("root") && is_root("0") && is_root("0:0") && is_root("root:staff"));
        assert!(!is_root("app") && !is_root("1000:0") && !is_root("rooty"));
    }
}
