use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, common};
use crate::syntax::{Args, Kind};

pub static RULE: Rule = Rule {
    code: "DF922",
    name: "copy-whole-filesystem",
    aliases: &["DL3067"],
    summary: "`COPY --from=stage / /`: the whole filesystem of another stage",
    doc: "## What it does
Flags `COPY --from=stage / /` (a source `/` copied to `/`) when `stage` is a stage of the
file built on a distribution image, as hadolint's DL3067 does. Narrower than DL3067: a stage
built `FROM scratch` and an external image (`--from=tonistiigi/xx`) are not flagged, since
such images are usually made to be copied whole (a few binaries, an export stage), and
neither is a copy into a stage built `FROM scratch` (squashing a stage's layers into one).

Off by default: on real files nearly every `/ /` copy is one of those deliberate patterns, or a
stage of tools (`FROM tonistiigi/xx AS xx`) that cannot be told apart from a distribution
without its image.

## Why is this bad?
It copies everything of the other stage, its package manager's files, caches and build tools
included, over the current stage: the point of a multi-stage build (ship only what runs) is
lost, and files of the current stage are overwritten.

## Example
```dockerfile
COPY --from=build / /
```
Use instead:
```dockerfile
COPY --from=build /app/dist /app
```

## Fix safety
No fix: which files the stage needs is not known.
",
    severity: Severity::Warning,
    default_enabled: false,
    fix: FixAvailability::None,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let scratch = |stage: usize| {
        common::base_image_of(ctx, stage).is_some_and(|b| b.written.eq_ignore_ascii_case("scratch"))
    };
    for (here, ins) in ctx
        .stages
        .iter()
        .enumerate()
        .flat_map(|(s, st)| st.instructions.iter().map(move |i| (s, *i)))
    {
        if ins.kind() != Kind::Copy || scratch(here) {
            continue;
        }
        let Some(from) = ins.node.flag("from").and_then(|f| f.value()) else {
            continue;
        };
        // The stage it names (by name or index), built on something other than scratch.
        let stage = (1..ctx.stages.len()).find(|&i| {
            common::stage_name(ctx, i).is_some_and(|n| n.eq_ignore_ascii_case(from))
                || from
                    .parse::<usize>()
                    .is_ok_and(|k| k.checked_add(1) == Some(i))
        });
        let Some(stage) = stage else {
            continue;
        };
        let full = common::base_image_of(ctx, stage)
            .is_some_and(|b| !b.written.eq_ignore_ascii_case("scratch") && b.name().is_some());
        if !full {
            continue;
        }
        let texts: Vec<(String, crate::syntax::Span)> = match &ins.node.args {
            Args::Words(w) => w
                .iter()
                .map(|s| {
                    (
                        s.slice(&ins.logical).trim_matches(['"', '\'']).to_string(),
                        *s,
                    )
                })
                .collect(),
            Args::Json(a) => a.iter().map(|j| (j.value.clone(), j.span)).collect(),
            _ => continue,
        };
        let Some(((dest, _), sources)) = texts.split_last() else {
            continue;
        };
        if dest == "/"
            && let Some((_, span)) = sources.iter().find(|(s, _)| s == "/")
        {
            out.push(Diagnostic::new(
                &RULE,
                ins.to_source(*span),
                "`/` copied to `/`: the whole filesystem of the other stage lands in this one",
            ));
        }
    }
}
