use crate::rules::common::word_span;
use crate::rules::{Call, Context, Diagnostic, FixAvailability, Rule, Severity, programs};
use crate::shell::{Command, Word};

pub static RULE: Rule = Rule {
    code: "DF403",
    name: "unpinned-packages",
    aliases: &["DL3013", "DL3016", "DL3028", "DL3062"],
    summary: "pip/npm/gem/go install without versions",
    doc: "## What it does
Flags package installs that name packages without a version. Off by default.
- `pip install flask` (also `pip3`, `python -m pip`, `uv pip`; hadolint's DL3013): a package
  is pinned with a version specifier (`==`, `>=`, `~=`, `<`, `!=`...) or a direct reference
  (`name @ url`); local paths, archives and URLs are not names; nothing is reported when a
  requirements (`-r`) or constraints (`-c`) file decides the versions.
- `npm install express` (`npm i`, `npm add`; DL3016): pinned with `@version` (`express@4.19.2`,
  `@scope/pkg@1.2`); `@latest` is not a version. `npm install` without package names installs
  the lockfile's versions and is not reported.
- `gem install rails` (DL3028): pinned with `-v`/`--version` or `rails:7.1.3`.
- `go install example.com/cmd/tool` (DL3062): pinned with `@version`; `@latest` is not a
  version. Local packages (`./...`, `.`) are built from the module and not reported, nor is
  `go install tool ...` (Go 1.24's `tool` pattern: the versions come from the go.mod).

Arguments that hold a variable without a version (`pip install $PACKAGES`) are not known and
not reported.

## Why is this bad?
An unpinned install takes whatever is newest when the layer is built: two builds of the same
commit get different packages, and a release of any of them can break the build or the
application without a change in the repository. Pinned versions are reproducible and show up
in reviews when they change.

## Example
```dockerfile
RUN pip install flask gunicorn && npm install -g pnpm && go install golang.org/x/tools/gopls@latest
```
Use instead:
```dockerfile
RUN pip install flask==3.0.3 gunicorn==22.0.0 \\
 && npm install -g pnpm@9.1.0 \\
 && go install golang.org/x/tools/gopls@v0.15.3
```

## Fix safety
No fix: which version to pin is the user's decision (the one tested), and it is not in the file.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

/// A word whose value only a variable knows (`$PKG`, `${TOOLS}`).
fn unknown(v: &str) -> bool {
    v.contains('$') || v.contains('`')
}

fn local_or_url(v: &str) -> bool {
    v.starts_with(['.', '/', '~'])
        || v.contains("://")
        || v.starts_with("file:")
        || [".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".gem"]
            .iter()
            .any(|ext| v.ends_with(ext))
}

fn pip_unpinned(v: &str) -> bool {
    if v.starts_with("git+") {
        // A VCS URL is pinned by `@ref` after the repository path.
        let path = v.split('#').next().unwrap_or(v);
        let after_host = path.splitn(4, '/').nth(3).unwrap_or("");
        return !after_host.contains('@');
    }
    if local_or_url(v) {
        return false;
    }
    let pinned = ["==", ">=", "<=", "~=", "!=", "<", ">", "@"]
        .iter()
        .any(|op| v.contains(op));
    !pinned && !unknown(v)
}

fn npm_unpinned(v: &str) -> bool {
    if local_or_url(v)
        || ["git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "npm:"]
            .iter()
            .any(|p| v.starts_with(p))
        // `user/repo` on GitHub, pinned or not by `#ref`: not a registry name.
        || (!v.starts_with('@') && v.contains('/'))
    {
        return false;
    }
    // `@scope/name@1.2` : the version comes after the name's own `@`.
    let name_start = usize::from(v.starts_with('@'));
    match v[name_start..].split_once('@') {
        Some((_, version)) => version.is_empty() || version == "latest",
        None => !unknown(v),
    }
}

fn gem_unpinned(v: &str) -> bool {
    !(v.contains(':') || local_or_url(v) || unknown(v))
}

fn go_unpinned(v: &str) -> bool {
    if v.starts_with('.') || v.starts_with('/') || !v.contains('.') && !v.contains('@') {
        // Local packages, and standard-library commands (`go install cmd/...`).
        return false;
    }
    match v.split_once('@') {
        Some((_, version)) => version == "latest" || version.is_empty(),
        None => !unknown(v),
    }
}

struct Found<'w> {
    manager: &'static str,
    /// The words from the program to the subcommand, for the span.
    from: &'w Word,
    to: &'w Word,
    unpinned: Vec<&'w str>,
}

/// The unpinned packages of one command, if it is an install of one of the four managers.
fn inspect(cmd: &Command) -> Option<Found<'_>> {
    let call = Call::read(cmd)?;
    let from = cmd.words.get(cmd.name_index())?;
    let uv_pip = call.is(&programs::UV) && call.subcommand() == Some("pip");
    if call.is(&programs::PIP) || uv_pip {
        let to = call.subcommand_word(usize::from(uv_pip))?;
        if to.complex || to.value != "install" {
            return None;
        }
        if call.has_any(&[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "--requirements",
        ]) {
            return None;
        }
        // `-e <path>` is the value of -e, not an operand.
        let unpinned = call
            .operands()
            .map(|w| w.value.as_str())
            .filter(|v| pip_unpinned(v))
            .collect();
        return Some(Found {
            manager: "pip",
            from,
            to,
            unpinned,
        });
    }
    let (manager, subs, unpinned): (_, &[&str], fn(&str) -> bool) = match call.grammar().name {
        "npm" => (
            "npm",
            &[
                "install", "i", "add", "isntall", "in", "ins", "inst", "insta", "instal",
            ],
            npm_unpinned,
        ),
        "gem" => ("gem", &["install", "i"], gem_unpinned),
        "go" => ("go", &["install"], go_unpinned),
        _ => return None,
    };
    let to = call.subcommand_word(0)?;
    if !subs.contains(&to.value.as_str()) {
        return None;
    }
    if manager == "gem" && call.has_any(&["-v", "--version", "-g", "--file"]) {
        return None;
    }
    // `go install tool ...` (Go 1.24's `tool` pattern) builds in the main module: every
    // package's version comes from its go.mod.
    if manager == "go" && call.operands().any(|w| w.value == "tool") {
        return None;
    }
    let unpinned = call
        .operands()
        .map(|w| w.value.as_str())
        .filter(|v| unpinned(v))
        .collect();
    Some(Found {
        manager,
        from,
        to,
        unpinned,
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for run in ctx.shell_runs() {
        for cmd in &run.commands {
            let Some(found) = inspect(cmd) else {
                continue;
            };
            if found.unpinned.is_empty() {
                continue;
            }
            let how = match found.manager {
                "pip" => "`name==version`, `@ref` for a git URL",
                "gem" => "`-v version` or `name:version`",
                _ => "`name@version`",
            };
            let mut names: Vec<String> = found
                .unpinned
                .iter()
                .take(3)
                .map(|n| format!("`{n}`"))
                .collect();
            if found.unpinned.len() > 3 {
                names.push(format!("{} more", found.unpinned.len() - 3));
            }
            let (version, it) = if found.unpinned.len() == 1 {
                ("a version", "it")
            } else {
                ("versions", "them")
            };
            out.push(Diagnostic::new(
                &RULE,
                word_span(run, found.from, found.to),
                format!(
                    "`{} install` without {version}: {}; pin {it} ({how})",
                    found.manager,
                    names.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpinned(body: &str) -> Vec<String> {
        let cmds = crate::shell::commands(body).unwrap();
        cmds.iter()
            .filter_map(inspect)
            .flat_map(|f| f.unpinned.into_iter().map(String::from))
            .collect()
    }

    #[test]
    fn pip() {
        assert_eq!(
            unpinned("pip install --no-cache-dir -U pip 'uvicorn[standard]' flask==3.0 'a>=1'"),
            ["pip", "uvicorn[standard]"]
        );
        assert!(unpinned("pip3 install -r requirements.txt gunicorn").is_empty());
        assert!(unpinned("python3 -m pip install -e . ./dist/x.whl $PKGS").is_empty());
        assert_eq!(
            unpinned("python -m pip install -i https://x/simple poetry"),
            ["poetry"]
        );
        assert_eq!(
            unpinned("pip install git+https://github.com/a/b.git git+https://github.com/a/c@v1"),
            ["git+https://github.com/a/b.git"]
        );
        assert!(unpinned("pip download flask && pipx install black").is_empty());
        assert_eq!(unpinned("uv pip install --system httpx"), ["httpx"]);
    }

    #[test]
    fn npm_gem_go() {
        assert_eq!(
            unpinned(
                "npm install -g --prefix /usr/local yarn @angular/cli@17 @vue/cli pnpm@latest"
            ),
            ["yarn", "@vue/cli", "pnpm@latest"]
        );
        assert!(unpinned("npm install && npm ci && npm i --production").is_empty());
        assert_eq!(
            unpinned("gem install --no-document bundler rake:13.0"),
            ["bundler"]
        );
        assert!(unpinned("gem install bundler -v 2.4.22").is_empty());
        assert!(unpinned("gem install bundler --version=2.4.22").is_empty());
        assert_eq!(
            unpinned(
                "go install -ldflags '-s -w' github.com/a/b@latest golang.org/x/c@v0.1.0 github.com/d/e"
            ),
            ["github.com/a/b@latest", "github.com/d/e"]
        );
        assert!(unpinned("go install ./... && go install . && go install std").is_empty());
        assert!(unpinned("go install tool github.com/a/b").is_empty());
    }
}
