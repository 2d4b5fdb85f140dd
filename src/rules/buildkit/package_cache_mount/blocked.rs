//! Why a fix is withheld: later instructions that read the apt lists, offline RUNs, COPYs
//! into a cache folder.

#[allow(unused_imports)]
use super::*;

/// Whether apt reads the package lists before any `apt-get update` in these commands.
pub(super) fn reads_lists_before_update(commands: &[Command]) -> bool {
    for cmd in commands {
        if let Some(apt) = apt_command(cmd) {
            match apt.sub.value.as_str() {
                "update" => return false,
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

/// The instructions that run after run `r` on top of what it leaves: later ones of its stage
/// and those of the stages built on it.
pub(super) fn later_instructions<'a>(ctx: &Context<'a>, run: &ShellRun) -> Vec<&'a Instruction> {
    let mut out: Vec<&Instruction> = ctx
        .stages
        .get(run.stage)
        .iter()
        .flat_map(|s| &s.instructions)
        .skip_while(|i| !std::ptr::eq(**i, run.ins))
        .skip(1)
        .copied()
        .collect();
    for (i, s) in ctx.stages.iter().enumerate() {
        if i > run.stage && stage_chain(ctx, i).contains(&run.stage) {
            out.extend(s.instructions.iter().copied());
        }
    }
    out
}

/// Why adding an apt mount would break this RUN or a later one, if it would.
pub(super) fn apt_blocked(ctx: &Context, runs: &[ShellRun], run: &ShellRun) -> Option<String> {
    // /var/lib/apt/extended_states records which packages were installed automatically: under
    // a mount, it is the cache's (shared with other builds and stages), not the image's.
    if run.commands.iter().any(|c| {
        program(c) == Some("apt-mark")
            || apt_command(c)
                .is_some_and(|a| matches!(a.sub.value.as_str(), "autoremove" | "autopurge"))
            || c.words
                .iter()
                .any(|w| w.value == "--auto-remove" || w.value == "--autoremove")
    }) {
        return Some(
            "it uses apt's record of automatically installed packages (`apt-mark`, \
             `autoremove`), which the mount on /var/lib/apt would take from the cache"
                .into(),
        );
    }
    if reads_lists_before_update(&run.commands) {
        return Some(
            "it installs without `apt-get update`: the mount on /var/lib/apt would hide the \
             package lists an earlier step stored"
                .into(),
        );
    }
    for ins in later_instructions(ctx, run) {
        let line = ins.start_line;
        let mentions = |t: &str| {
            ["apt-get", "apt ", "aptitude", "apt-cache"]
                .iter()
                .any(|p| t.contains(p))
        };
        let why = format!("the RUN on line {line} reads the package lists this RUN stores");
        match (ins.kind(), runs.iter().find(|r| std::ptr::eq(r.ins, ins))) {
            (Kind::Run, Some(r)) => {
                if mounted_over(r, "/var/lib/apt/lists") {
                    continue;
                }
                let mut commands = r.commands.clone();
                for h in &ins.heredocs {
                    let body = ctx.doc.slice(h.body);
                    match crate::shell::commands(body) {
                        Some(more) => commands.extend(more),
                        None if mentions(body) => return Some(why),
                        None => {}
                    }
                }
                if reads_lists_before_update(&commands) {
                    return Some(why);
                }
            }
            (Kind::Run | Kind::Onbuild, _) if mentions(ctx.doc.slice(ins.span)) => {
                return Some(why);
            }
            _ => {}
        }
    }
    None
}

/// Why a mount for an offline-capable tool would break a later step, if it would: a later
/// RUN that uses the tool offline (or with `--network=none`) without a mount of its own.
pub(super) fn offline_blocked(
    ctx: &Context,
    runs: &[ShellRun],
    run: &ShellRun,
    tool: Tool,
    plan: &Plan,
) -> Option<String> {
    let (programs, markers) = tool.offline()?;
    for ins in later_instructions(ctx, run) {
        if !matches!(ins.kind(), Kind::Run | Kind::Onbuild) {
            continue;
        }
        let text = ctx.doc.slice(ins.span);
        let uses = text
            .split(|c: char| c.is_whitespace() || c == '"' || c == '/')
            .any(|w| programs.contains(&w));
        if !uses {
            continue;
        }
        let shell = runs.iter().find(|r| std::ptr::eq(r.ins, ins));
        if shell.is_some_and(|r| {
            mounts(r)
                .iter()
                .any(|m| m.cache && plan.targets.iter().any(|t| is_within(t, &m.target)))
        }) {
            continue;
        }
        let offline = ins
            .node
            .flags
            .iter()
            .any(|f| f.name() == "network" && f.value() == Some("none"))
            || text.split_whitespace().any(|w| {
                markers
                    .iter()
                    .any(|m| w == *m || w.starts_with(&format!("{m}=")))
            });
        if offline {
            return Some(format!(
                "the RUN on line {} works offline with what this RUN stores",
                ins.start_line
            ));
        }
    }
    None
}

/// Why a mount on `target` would hide files an earlier COPY or ADD put there, if it would.
pub(super) fn copy_blocked(ctx: &Context, run: &ShellRun, targets: &[String]) -> Option<String> {
    for stage in stage_chain(ctx, run.stage) {
        for ins in ctx.stages.get(stage).iter().flat_map(|s| &s.instructions) {
            if std::ptr::eq(*ins, run.ins) {
                break;
            }
            if !matches!(ins.kind(), Kind::Copy | Kind::Add) {
                continue;
            }
            let dest = match &ins.node.args {
                Args::Words(w) => w.last().map(|s| s.slice(&ins.logical).to_string()),
                Args::Json(a) => a.last().map(|a| a.value.clone()),
                _ => None,
            };
            let Some(dest) = dest else { continue };
            let dest = dest.trim_end_matches('/');
            if let Some(t) = targets.iter().find(|t| is_within(dest, t)) {
                return Some(format!(
                    "the {} on line {} puts files in {t}, which the mount would hide",
                    ins.kind().keyword(),
                    ins.start_line
                ));
            }
        }
    }
    None
}
