//! Helpers shared by the apt rules (DF104, DF202, DF203, DF204, DF205): recognising `apt-get`
//! and `apt` commands, and what the official Debian and Ubuntu images do for apt.

use super::common::{any_text_before, base_image_of, command_words, mounted_over, program};
use super::{Call, Context, ShellRun, programs};
use crate::shell::{Command, Word};
use crate::syntax::{Instruction, Kind};

/// apt-get and apt subcommands that read the package lists (a fact about apt, kept with its
/// grammar).
pub(super) use crate::shell::programs::APT_READS_LISTS as USES_INDEX;

/// An `apt-get` or `apt` command.
pub(super) struct Apt<'c> {
    /// The program word (`apt-get`, `/usr/bin/apt`).
    pub word: &'c Word,
    /// `apt-get` or `apt`.
    pub program: &'c str,
    /// The subcommand word (options and their values skipped).
    pub sub: &'c Word,
}

/// Whether a command is `apt-get` or `apt` (after leading reserved words), and with which
/// subcommand. `None` for other programs and for a quoted or expanded subcommand.
pub(super) fn apt_command(cmd: &Command) -> Option<Apt<'_>> {
    let call = Call::of(cmd, &programs::APT)?;
    let sub = call.subcommand_word(0)?;
    (!sub.complex).then_some(Apt {
        word: call.program_word()?,
        program: call.program()?,
        sub,
    })
}

/// Whether a command runs an apt tool as an argument (`xargs apt-get install`, `sudo apt ...`,
/// `eatmydata apt-get ...`, `sh -c 'apt-get ...'`), or is `aptitude`/`apt-cache` itself.
/// `echo` and `printf` only print.
pub(super) fn wraps_apt(cmd: &Command) -> bool {
    if matches!(program(cmd), Some("echo" | "printf")) {
        return false;
    }
    command_words(cmd).iter().enumerate().any(|(i, w)| {
        // Every name and phrase below contains `apt`: most words are ruled out at once.
        if !w.value.contains("apt") {
            return false;
        }
        let name = crate::shell::base_name(&w.value);
        matches!(name, "aptitude" | "apt-cache")
            || i > 0
                && (matches!(name, "apt-get" | "apt")
                    || ["apt-get ", "apt ", "aptitude "]
                        .iter()
                        .any(|p| w.value.contains(p)))
    })
}

/// Whether the RUN's stage is built on the official `debian` or `ubuntu` image, or an official
/// image built on them (python, node, ...; any tag or digest), directly or through earlier
/// stages, and nothing before (or in) the RUN mentions removing its hook: those images carry
/// Debian's `docker-clean` apt hook, which deletes downloaded `.deb` files after every install.
pub(super) fn docker_clean_base(ctx: &Context, run: &ShellRun) -> bool {
    if any_text_before(ctx, run, "docker-clean", |t| t.contains("docker-clean"))
        || ctx.doc.slice(run.ins.span).contains("docker-clean")
    {
        return false;
    }
    // As written: a build argument may name another image.
    base_image_of(ctx, run.stage)
        .and_then(|b| b.literal_official_name())
        .is_some_and(|name| crate::images::holds(crate::images::DOCKER_CLEAN, &name))
}

/// Whether a command list uses the package lists before any `apt-get update` (or
/// `--update`): an apt subcommand that reads them, or a program that runs apt for us.
pub(super) fn reads_lists_before_update(commands: &[Command]) -> bool {
    for cmd in commands {
        if let Some(apt) = apt_command(cmd) {
            match apt.sub.value.as_str() {
                "update" => return false,
                // `apt-get install --update` updates first.
                _ if cmd.words.iter().any(|w| w.value == "--update") => return false,
                s if USES_INDEX.contains(&s) => return true,
                _ => {}
            }
        } else if wraps_apt(cmd) {
            return true;
        }
    }
    false
}

/// Whether an instruction reads the package lists before it updates them (or may: exec form,
/// another shell, a body the lexer cannot read, ONBUILD triggers that mention apt). A RUN that
/// mounts over the lists reads its own. Shared by DF202 (may the lists be removed) and DF501
/// (may they be mounted over).
pub(super) fn reads_lists(ctx: &Context, runs: &[ShellRun], ins: &Instruction) -> bool {
    let mentions_apt = |text: &str| {
        ["apt-get", "apt ", "aptitude", "apt-cache"]
            .iter()
            .any(|p| text.contains(p))
    };
    // The lexed RUNs are in document order.
    let lexed = runs
        .binary_search_by_key(&ins.span.start, |r| r.ins.span.start)
        .ok()
        .and_then(|i| runs.get(i));
    match (ins.kind(), lexed) {
        (Kind::Run, Some(r)) => {
            if mounted_over(r, "/var/lib/apt/lists") {
                return false;
            }
            // Heredoc bodies run after the commands of the RUN line (when they are scripts).
            let mut commands = r.commands.clone();
            for h in &ins.heredocs {
                let body = ctx.doc.slice(h.body);
                match crate::shell::commands(body) {
                    Some(more) => commands.extend(more),
                    None if mentions_apt(body) => return true,
                    None => {}
                }
            }
            reads_lists_before_update(&commands)
        }
        (Kind::Run | Kind::Onbuild, _) => mentions_apt(ctx.doc.slice(ins.span)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_commands() {
        let apt = |body: &str| {
            let cmds = crate::shell::commands(body).unwrap();
            apt_command(&cmds[0]).map(|a| format!("{} {}", a.program, a.sub.value))
        };
        assert_eq!(apt("apt-get install x").as_deref(), Some("apt-get install"));
        assert_eq!(
            apt("then /usr/bin/apt -a arm64 -o a=b install x").as_deref(),
            Some("apt install")
        );
        assert_eq!(apt("apt-get \"$SUB\" x"), None);
        assert_eq!(apt("aptitude install x"), None);
    }

    #[test]
    fn official_bases() {
        let base = |from: &str| {
            let text = format!("FROM {from}\nRUN apt-get install -y x\n");
            let doc = crate::syntax::parse(&text).unwrap();
            let ctx = Context::new(&doc);
            let runs = ctx.shell_runs();
            docker_clean_base(&ctx, &runs[0])
        };
        for yes in [
            "debian",
            "debian:bookworm-slim",
            "ubuntu:24.04@sha256:abc",
            "library/ubuntu",
            "docker.io/library/debian:12",
            "arm64v8/debian:12 AS x",
            "python:3.12",
            "node:20-bookworm-slim",
            "docker.io/library/postgres:16",
        ] {
            assert!(base(yes), "{yes}");
        }
        for no in [
            "registry:5000/debian",
            "registry.example.com/python:3.12",
            "eclipse-temurin:21",
            "ghcr.io/x/debian",
            "$BASE",
            "debian-custom",
        ] {
            assert!(!base(no), "{no}");
        }
    }
}
