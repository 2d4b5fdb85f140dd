use crate::fix::{Applicability, Edit, Fix};
use crate::rules::apt::apt_command;
use crate::rules::common::{any_text_before, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, ShellRun, programs};
use crate::shell::Command;

pub static RULE: Rule = Rule {
    code: "DF203",
    name: "apt-install-recommends",
    aliases: &["DL3015"],
    summary: "apt-get install without --no-install-recommends",
    doc: "## What it does
Flags `apt-get install` (and `apt install`) that does not say whether to install recommended
packages: no `--no-install-recommends`, `-o APT::Install-Recommends=false` (or an explicit
`--install-recommends` / `=true`, a deliberate choice). Quiet for an install of `libvulkan1`,
whose recommended Mesa drivers are what makes the Vulkan loader find a GPU. Quiet when an earlier instruction of the stage (or of the
stage it is built on), or the RUN itself before the install, turns recommends off in the apt
configuration, e.g. `echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99norec`.

Only stages that ship are checked: a build target (a stage no other stage uses) and the
stages it is built on. A stage only copied from (`COPY --from`, `RUN --mount=from=`) keeps its
layers out of the image; a target whose name says it is a development or CI step (a `-`, `_`
or `.` separated part `dev`, `development`, `test`, `tests`, `testing`, `ci`, `lint`, `debug`,
`e2e`, `coverage`, `validate`, `upload`, `artifact`) is not published while another target is
not one (when all are, the last stage, the default target, ships);
and a development environment (under `.devcontainer/`, `.codesandbox/` or `.gitpod/`, a
`.gitpod.Dockerfile`) wants its caches: there the fix would change nothing that ships.

## Why is this bad?
By default apt also installs every package the requested ones *recommend*: documentation,
optional helpers, often hundreds of megabytes that the image never uses.

## Example
```dockerfile
RUN apt-get update && apt-get install -y curl \\
    && rm -rf /var/lib/apt/lists/*
```
Use instead:
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
```

## Fix safety
Unsafe: the image gets fewer packages, and something may have relied on a recommended one.
The fix installs `ca-certificates` by name where a package installed recommended it (`curl`,
`wget`, `git`, `libcurl4`, `python3-requests`, `openssl`...) and nothing installs it already:
without it HTTPS servers cannot be verified. No fix for `python3-pip` and `cmake`, whose
recommended compilers, headers and `make` are what building from source needs, nor for `gpg`
alone (or a package list in a variable) where the stage fetches keys from a keyserver (`gpg --recv-keys`, `--keyserver`):
`dirmngr`, which does the fetching, comes only with `gpg`'s Recommends (`gnupg`), and without
it the fetch fails (docker-library's varnish images). Other recommended
packages the image relied on have to be added by name.
",
    severity: Severity::Warning,
    default_enabled: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Per RUN: whether apt is configured to decline recommends before it (found on first ask).
    let mut configured: Option<(*const ShellRun, bool)> = None;
    // The apt-get and apt commands of the file, from its index by program.
    for (run, index, call) in ctx.calls(&programs::APT) {
        // Only what ships: a stage only copied from, or a dev container, keeps nothing of it.
        if !ctx.ships(run.stage) {
            continue;
        }
        let body = run.script;
        let Some(cmd) = run.commands.get(index) else {
            continue;
        };
        let Some(apt) = apt_command(cmd) else {
            continue;
        };
        if apt.sub.value != "install" || chooses_recommends(cmd) {
            continue;
        }
        // Configured off earlier in the stage, or earlier in this RUN.
        let before = &body[..apt.word.span.start];
        let declined = match configured {
            Some((r, d)) if std::ptr::eq(r, run) => d,
            _ => {
                let d =
                    any_text_before(ctx, run, "declines-recommends", config_declines_recommends);
                configured = Some((run, d));
                d
            }
        };
        if declined || config_declines_recommends(before) {
            continue;
        }
        let mut diag = Diagnostic::new(
            &RULE,
            word_span(run, apt.word, apt.sub),
            format!(
                "`{} install` without `--no-install-recommends` also installs recommended packages",
                apt.program
            ),
        );
        // The packages, and the last word of the command (where a package is added).
        let packages: Vec<&crate::shell::Word> = call.operands().collect();
        if packages
            .iter()
            .any(|p| ONLY_WITH_RECOMMENDS.contains(&p.value.as_str()))
            || removed_again(run, index, &packages)
        {
            continue;
        }
        let installed_before = |name: &str| {
            body.get(..apt.word.span.start)
                .is_some_and(|b| b.split_whitespace().any(|w| w == name))
                || any_text_before(ctx, run, "installs-ca-certificates", |t| {
                    t.contains("ca-certificates")
                })
        };
        let needs_pip_tools = packages
            .iter()
            .find(|p| NEEDS_RECOMMENDS.contains(&p.value.as_str()));
        // `gpg` alone reaches `dirmngr`, which fetches from keyservers, only through its
        // Recommends (`gnupg`): without it `gpg --recv-keys` exits 2 ("No dirmngr").
        // (`gpg` named, or packages the rule cannot read: `$BASE_PKGS`, varnish's list.)
        let needs_dirmngr = packages
            .iter()
            .any(|p| p.value == "gpg" || p.value.contains('$'))
            && !packages
                .iter()
                .any(|p| matches!(p.value.as_str(), "dirmngr" | "gnupg" | "gnupg2"))
            && ctx
                .shell_runs()
                .iter()
                .filter(|r| r.stage == run.stage)
                .any(|r| {
                    [
                        "--recv-key",
                        "--keyserver",
                        "--fetch-key",
                        "--refresh-keys",
                        "--locate-key",
                    ]
                    .iter()
                    .any(|k| r.script.contains(k))
                });
        match needs_pip_tools {
            Some(p) => diag.message.push_str(&format!(
                " (no fix: `{}` recommends the compilers and build tools that building from source needs)",
                p.value
            )),
            None if needs_dirmngr => diag.message.push_str(
                " (no fix: `gpg` recommends `gnupg`, whose `dirmngr` the keyserver fetch needs)",
            ),
            None => {
                let mut edits =
                    vec![Edit::insert(run.after_word(apt.sub), " --no-install-recommends")];
                let wants_certificates = packages
                    .iter()
                    .any(|p| RECOMMENDS_CA_CERTIFICATES.contains(&p.value.as_str()))
                    && !packages.iter().any(|p| p.value == "ca-certificates")
                    && !installed_before("ca-certificates");
                let mut title = "Add `--no-install-recommends`".to_string();
                if let (true, Some(last)) = (wants_certificates, cmd.words.last()) {
                    edits.push(Edit::insert(run.after_word(last), " ca-certificates"));
                    title.push_str(" and install `ca-certificates`, which it recommended");
                }
                diag = diag.with_fix(Fix::unsafe_(title, edits));
            }
        }
        out.push(diag);
    }
}

/// Whether the RUN removes every package the install names again, with what it pulled in:
/// a later `apt-get purge --autoremove` (or `remove`) of each of them, or a `purge`/`remove`
/// of each followed by an `apt-get autoremove` (couchdb's temporary `curl`). The recommended
/// packages were installed as automatic ones, so autoremove takes them too: nothing stays.
fn removed_again(run: &ShellRun, index: usize, packages: &[&crate::shell::Word]) -> bool {
    if packages.is_empty() || packages.iter().any(|p| p.complex) {
        return false;
    }
    let mut removed: Vec<&str> = Vec::new();
    // Every package removed by then (`couchdb=3.5.1~bookworm` installs `couchdb`).
    let all_removed = |removed: &[&str]| {
        packages.iter().all(|p| {
            let name = p.value.split('=').next().unwrap_or(&p.value);
            removed.contains(&name)
        })
    };
    for cmd in run.commands.iter().skip(index + 1) {
        let Some(apt) = apt_command(cmd) else {
            continue;
        };
        let Some(call) = crate::shell::programs::Call::of(cmd, &programs::APT) else {
            continue;
        };
        match apt.sub.value.as_str() {
            "purge" | "remove" => {
                removed.extend(call.operands().map(|w| w.value.as_str()));
                // An autoremove counts once every package is gone: it then takes what they
                // pulled in.
                if call.has_any(&["--autoremove", "--auto-remove"]) && all_removed(&removed) {
                    return true;
                }
            }
            "autoremove" if all_removed(&removed) => return true,
            _ => {}
        }
    }
    false
}

/// Packages that recommend `ca-certificates` (Debian and Ubuntu): without it they cannot
/// verify HTTPS servers, so the fix installs it by name.
const RECOMMENDS_CA_CERTIFICATES: &[&str] = &[
    "curl",
    "wget",
    "git",
    "libcurl4",
    "libcurl4t64",
    "libcurl3-gnutls",
    "libcurl3t64-gnutls",
    "python3-requests",
    "apt-transport-https",
    "openssl",
];

/// Packages whose recommended packages are often what they are installed for: `python3-pip`
/// recommends `build-essential` and `python3-dev`, which `pip install` needs to build packages
/// from source; `cmake` recommends `gcc` and `make`, without which it generates builds nothing
/// runs (and a later `bundle install` or `pip install` of a native package loses `make`:
/// discourse). Reported, without a fix: which of them the image needs is for its author.
const NEEDS_RECOMMENDS: &[&str] = &["python3-pip", "python-pip", "cmake"];

/// Packages whose recommended packages are the only reason to install them: `libvulkan1` (the
/// Vulkan loader) recommends `mesa-vulkan-drivers`, the drivers that make it find a GPU
/// (Debian's and Ubuntu's package metadata). Not reported: declining recommends would break it.
const ONLY_WITH_RECOMMENDS: &[&str] = &["libvulkan1"];

/// Whether the command chooses about recommends itself: `--no-install-recommends`,
/// `--install-recommends[=no]`, `-o APT::Install-Recommends=false` (or `=true`: asking for them
/// explicitly is a choice, not an omission).
fn chooses_recommends(cmd: &Command) -> bool {
    cmd.words.iter().enumerate().skip(1).any(|(i, w)| {
        let v = w.value.to_ascii_lowercase();
        if v == "--no-install-recommends"
            || v == "--install-recommends"
            || v.starts_with("--install-recommends=")
        {
            return true;
        }
        let setting = if v == "-o" || v == "--option" {
            cmd.words.get(i + 1).map(|n| n.value.to_ascii_lowercase())
        } else {
            v.strip_prefix("--option=")
                .or_else(|| v.strip_prefix("-o"))
                .map(str::to_string)
        };
        setting.is_some_and(|s| s.starts_with("apt::install-recommends="))
    })
}

fn is_false(value: &str) -> bool {
    matches!(value, "false" | "0" | "no" | "off")
}

/// Whether shell or config text sets `APT::Install-Recommends` to false, as in
/// `echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/99norecommends`.
fn config_declines_recommends(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let key = "install-recommends";
    lower.match_indices(key).any(|(at, _)| {
        if lower[..at].ends_with("no-") {
            return false;
        }
        let value = lower[at + key.len()..].trim_start_matches([' ', '\t', '"', '\'', '=', '\\']);
        let word: String = value
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        is_false(&word)
    })
}
