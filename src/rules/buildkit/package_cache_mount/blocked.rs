//! Why a fix is withheld: later instructions that read the apt lists, offline RUNs, COPYs
//! into a cache folder.

#[allow(unused_imports)]
use super::*;

/// The instructions of a file that pass a test that does not depend on the RUN asking, per
/// stage, found once: "the first later instruction that ..." is then a walk over the few that
/// pass, not over every later instruction for each RUN (quadratic on files of many RUNs).
pub(super) struct Later<'a> {
    per_stage: Vec<Vec<&'a Instruction>>,
    /// The stages with at least one.
    stages: Vec<usize>,
}

impl<'a> Later<'a> {
    pub(super) fn new(ctx: &Context<'a>, mut keep: impl FnMut(&'a Instruction) -> bool) -> Self {
        let per_stage: Vec<Vec<&'a Instruction>> = ctx
            .stages
            .iter()
            .map(|s| s.instructions.iter().copied().filter(|i| keep(i)).collect())
            .collect();
        let stages = (0..per_stage.len())
            .filter(|&s| per_stage.get(s).is_some_and(|l| !l.is_empty()))
            .collect();
        Later { per_stage, stages }
    }

    /// Those after the RUN: later in its stage, then in the stages built on it, in order.
    pub(super) fn after<'s>(
        &'s self,
        ctx: &'s Context<'a>,
        run: &'s ShellRun,
    ) -> impl Iterator<Item = &'a Instruction> + 's {
        let own = self.per_stage.get(run.stage).map_or(&[][..], Vec::as_slice);
        let from = own.partition_point(|i| i.span.start <= run.ins.span.start);
        let first = self.stages.partition_point(|&s| s <= run.stage);
        own.iter().skip(from).copied().chain(
            self.stages
                .iter()
                .skip(first)
                .filter(move |&&s| builds_on(ctx, s, run.stage))
                .flat_map(move |&s| self.per_stage.get(s).into_iter().flatten().copied()),
        )
    }
}

/// The shell RUN of an instruction, if it is one (the RUNs are in document order).
fn shell_run<'r, 'a>(runs: &'r [ShellRun<'a>], ins: &Instruction) -> Option<&'r ShellRun<'a>> {
    let k = runs.partition_point(|r| r.ins.span.start < ins.span.start);
    runs.get(k).filter(|r| std::ptr::eq(r.ins, ins))
}

/// What the blocked checks found once per file (`Later` indexes).
#[derive(Default)]
pub(super) struct Blockers<'a> {
    apt: std::cell::OnceCell<Later<'a>>,
    offline: std::cell::RefCell<Vec<(Tool, std::rc::Rc<Later<'a>>)>>,
}

/// Why adding an apt mount would break this RUN or a later one, if it would.
pub(super) fn apt_blocked<'a>(
    ctx: &Context<'a>,
    runs: &[ShellRun<'a>],
    run: &ShellRun,
    blockers: &Blockers<'a>,
) -> Option<String> {
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
    let readers = blockers
        .apt
        .get_or_init(|| Later::new(ctx, |ins| reads_lists(ctx, runs, ins)));
    if let Some(ins) = readers.after(ctx, run).next() {
        return Some(format!(
            "the RUN on line {} reads the package lists this RUN stores",
            ins.start_line
        ));
    }
    None
}

/// Why a mount for an offline-capable tool would break a later step, if it would: a later
/// RUN that uses the tool offline (or with `--network=none`) without a mount of its own.
pub(super) fn offline_blocked<'a>(
    ctx: &Context<'a>,
    runs: &[ShellRun<'a>],
    run: &ShellRun,
    tool: Tool,
    plan: &Plan,
    blockers: &Blockers<'a>,
) -> Option<String> {
    let (programs, markers) = tool.offline()?;
    // The RUNs that use the tool offline, found once per tool.
    let found = blockers
        .offline
        .borrow()
        .iter()
        .find(|(t, _)| *t == tool)
        .map(|(_, l)| l.clone());
    let offline_uses = match found {
        Some(l) => l,
        None => {
            let l = std::rc::Rc::new(Later::new(ctx, |ins| {
                if !matches!(ins.kind(), Kind::Run | Kind::Onbuild) {
                    return false;
                }
                let text = ctx.doc.slice(ins.span);
                let uses = text
                    .split(|c: char| c.is_whitespace() || c == '"' || c == '/')
                    .any(|w| programs.contains(&w));
                uses && (ins
                    .node
                    .flags
                    .iter()
                    .any(|f| f.name() == "network" && f.value() == Some("none"))
                    || text.split_whitespace().any(|w| {
                        markers
                            .iter()
                            .any(|m| w == *m || w.starts_with(&format!("{m}=")))
                    }))
            }));
            blockers.offline.borrow_mut().push((tool, l.clone()));
            l
        }
    };
    for ins in offline_uses.after(ctx, run) {
        let shell = shell_run(runs, ins);
        if shell.is_some_and(|r| {
            mounts(r)
                .iter()
                .any(|m| m.cache && plan.targets.iter().any(|t| is_within(t, &m.target)))
        }) {
            continue;
        }
        return Some(format!(
            "the RUN on line {} works offline with what this RUN stores",
            ins.start_line
        ));
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
