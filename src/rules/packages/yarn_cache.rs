use crate::fix::{Applicability, Edit, Fix};
use crate::rules::common::{append_offset, appended, mounted_over, word_span};
use crate::rules::{Context, Diagnostic, FixAvailability, Rule, Severity, programs};
use crate::settings::CacheStrategy;
use crate::syntax::Kind;

pub static RULE: Rule = Rule {
    code: "DF215",
    name: "yarn-cache",
    aliases: &["DL3060"],
    summary: "`yarn install` without `yarn cache clean` in the same RUN",
    doc: "## What it does
Flags `yarn install` (or a bare `yarn`, which installs) with no `yarn cache clean` after it in
the same RUN, as hadolint's DL3060 does. Quiet when the RUN mounts a cache over yarn's cache
folder, under `[lint.package-cache] strategy = \"mount\"`, in stages that do not ship (see
DF207), and in files that use Yarn 2+ (`corepack`, `yarn set version`, `.yarnrc.yml`,
`--immutable`): there the cache may be the project's own package store (Plug'n'Play reads
packages from it), and cleaning it breaks the application.

## Why is this bad?
Yarn 1 keeps a copy of every package it installed in its global cache
(`/usr/local/share/.cache/yarn`): nothing in the image reads it again, and it often doubles the
size of `node_modules`.

## Example
```dockerfile
RUN yarn install --frozen-lockfile
```
Use instead:
```dockerfile
RUN yarn install --frozen-lockfile && yarn cache clean
```

## Fix safety
Unsafe: ` && yarn cache clean` is appended to the RUN. With Yarn 1 only the global cache goes;
but the Yarn version is not known from the Dockerfile alone, and with Yarn 2+ in
Plug'n'Play mode the cache holds the packages the application loads.
",
    severity: Severity::Info,
    default_enabled: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    check,
};

/// Signs of Yarn 2+ (Berry) anywhere in the file.
fn berry(ctx: &Context) -> bool {
    ctx.doc.instructions().any(|i| match i.kind() {
        Kind::Run | Kind::Copy | Kind::Add | Kind::Env => {
            let t = &i.logical;
            t.contains("corepack")
                || t.contains("yarn set version")
                || t.contains(".yarnrc.yml")
                || t.contains("--immutable")
                || t.contains("yarn workspaces focus")
                || t.contains(".yarn/")
                || t.contains("YARN_ENABLE")
        }
        _ => false,
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.options.cache_strategy == CacheStrategy::Mount
        || ctx.calls(&programs::YARN).next().is_none()
        || berry(ctx)
    {
        return;
    }
    for run in ctx.shell_runs() {
        if !ctx.ships(run.stage)
            || mounted_over(run, "/usr/local/share/.cache/yarn")
            || mounted_over(run, "/root/.cache/yarn")
            || mounted_over(run, "/home/node/.cache/yarn")
        {
            continue;
        }
        let mut install: Option<usize> = None;
        let mut cleaned = false;
        for (i, call) in run.calls() {
            if !call.is(&programs::YARN) {
                continue;
            }
            let first_operand = call.operands().next().map(|w| w.value.as_str());
            let info = call.has_any(&["--version", "-v", "--help", "-h"]);
            match (call.subcommand(), first_operand) {
                (None, _) | (Some("install"), _) if install.is_none() && !info => install = Some(i),
                (Some("cache"), Some("clean")) if install.is_some() => cleaned = true,
                _ => {}
            }
        }
        let Some(i) = install else { continue };
        if cleaned || call_has_cache_folder(run, i) {
            continue;
        }
        let Some(cmd) = run.commands.get(i) else {
            continue;
        };
        let words = crate::rules::common::command_words(cmd);
        let (Some(first), Some(last)) = (words.first(), words.get(1).or(words.first())) else {
            continue;
        };
        let mut diag = Diagnostic::new(
            &RULE,
            word_span(run, first, last),
            "`yarn install` without `yarn cache clean`: yarn's download cache stays in the image",
        );
        if let Some(at) = append_offset(run) {
            diag = diag.with_fix(Fix::unsafe_(
                "Add `yarn cache clean`",
                vec![Edit::insert(at, appended(ctx, run, at, "yarn cache clean"))],
            ));
        }
        out.push(diag);
    }
}

/// `--cache-folder` sends the cache elsewhere (often a mount or a path removed later).
fn call_has_cache_folder(run: &crate::rules::ShellRun, i: usize) -> bool {
    run.call(i).is_some_and(|c| c.has("--cache-folder"))
}
