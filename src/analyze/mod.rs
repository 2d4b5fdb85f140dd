//! `dockerfix analyze cache`: the expected cost of a rebuild, E = Σ (1 − p_i) · c_i over a
//! file's layers, where p_i is the share of recent commits whose build takes layer i from the
//! cache and c_i what the layer costs to build (docs/cache-model.md).
//!
//! - [`model`]: the layers and the inputs of each one's cache key;
//! - [`history`]: the repository's history, read once per repository;
//! - [`cost`]: cost classes, and durations read from a build log;
//! - [`output`]: text, JSON and Markdown.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod cost;
pub mod history;
pub mod model;
pub mod output;

use crate::context::BuildContext;
use crate::dockerignore::Matcher;
use crate::settings::Settings;
use crate::syntax::{self, Document};
use model::{ContextFiles, Layer, Model};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What `analyze cache` is asked.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// How many of the latest commits that touched the context (or the Dockerfile) to read.
    pub history: usize,
    /// Build arguments whose value changes on every build (`--volatile-arg`).
    pub volatile_args: Vec<String>,
    /// Base images count as changed on every build (`--volatile-base`: built with `--pull`
    /// on a moving tag).
    pub volatile_base: bool,
    /// Durations from a build log (`--timings`).
    pub timings: Option<cost::Timings>,
    /// Also the result of `check --fix --unsafe-fixes`, and the saving.
    pub compare_fix: bool,
}

/// One Dockerfile to analyse.
pub struct FileInput {
    /// The name the report gives it.
    pub display: String,
    pub path: PathBuf,
    pub text: String,
    /// Its build context (None: no context files, no history).
    pub context: Option<BuildContext>,
    /// Its settings, for the fixes of `--compare-fix` and the rules the reasons cite.
    pub settings: Arc<Settings>,
}

/// One step's share of the expected cost, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Contribution {
    pub line: usize,
    pub instruction: String,
    pub expected_cost: f64,
    pub reason: String,
}

/// The analysis of one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    /// The build context, as given or found.
    pub context: Option<String>,
    /// How many commits p_i is measured over (None: no history).
    pub history_commits: Option<usize>,
    /// Why there is no history, or what limited it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_note: Option<String>,
    /// `timings` (from the build log, classes where the log has no step) or `classes`.
    pub cost_source: &'static str,
    /// E = Σ (1 − p_i) · c_i over the layers a build of the last stage builds.
    pub expected_rebuild_cost: f64,
    /// Σ c_i: a build with an empty cache.
    pub full_build_cost: f64,
    pub layers: Vec<Layer>,
    /// The steps that contribute most, with the reason.
    pub top: Vec<Contribution>,
    /// With `--compare-fix`: the same for the fixed file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Box<FileReport>>,
    /// With `--compare-fix`: E of the file minus E of the fixed file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saving: Option<f64>,
    /// The rules whose unsafe fixes `--compare-fix` applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes_applied: Vec<String>,
}

/// What one commit changed, as one file's build sees it.
#[derive(Clone, Debug, Default)]
pub(crate) struct CommitChange {
    /// Context-relative paths the build sends (not ignored) that changed.
    pub paths: Vec<String>,
    /// Per stage index: the position of the first instruction whose text changed
    /// (`usize::MAX`: none); None when the Dockerfile changed beyond reading (added, not
    /// parsable): every layer.
    pub dockerfile: Option<Option<Vec<usize>>>,
}

/// The history one file's p_i is measured over.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileHistory {
    pub changes: Vec<CommitChange>,
    /// The context paths of the build's own files (the Dockerfile, the ignore files): a
    /// stage rebuilt only because a broad COPY took one of them is taken to make the same
    /// files, so a `COPY --from` of it still hits (see [`measure`]).
    pub build_files: Vec<String>,
}

/// The build context of a Dockerfile, chosen as `check` chooses it
/// ([`crate::context::choose`]: `--context`, `[[contexts]]`, compose or bake, its folder).
pub fn context_for(
    dockerfile: &Path,
    given: Option<&Path>,
    settings: &crate::settings::Settings,
    chooser: &crate::context::choose::ContextChooser,
) -> BuildContext {
    let chosen = chooser.choose(dockerfile, given, settings);
    BuildContext::chosen(chosen).for_dockerfile(dockerfile)
}

/// The `.dockerignore` a context's build uses, compiled (None: none, or not readable).
fn ignore_of(ctx: &BuildContext) -> (Option<Matcher>, String) {
    match ctx.dockerignore() {
        Some((_, text)) => (Matcher::parse(&text).ok(), text),
        None => (None, String::new()),
    }
}

type FilesMemo = Mutex<HashMap<(PathBuf, String), Arc<ContextFiles>>>;

fn context_files(ctx: &BuildContext, memo: &FilesMemo) -> (Arc<ContextFiles>, Option<Matcher>) {
    let (ignore, text) = ignore_of(ctx);
    let key = (ctx.root().to_path_buf(), text);
    if let Some(f) = memo.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return (f.clone(), ignore);
    }
    let files = Arc::new(ContextFiles::walk(ctx.root(), ignore.as_ref()));
    memo.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, files.clone());
    (files, ignore)
}

/// Per stage index, the normalized texts of its instructions (FROM first).
fn stage_keys(doc: &Document) -> Vec<Vec<String>> {
    let ctx = crate::rules::Context::new(doc);
    ctx.stages
        .iter()
        .map(|s| {
            s.from
                .into_iter()
                .chain(s.instructions.iter().copied())
                .map(model::key_of)
                .collect()
        })
        .collect()
}

/// Where two versions of a Dockerfile first differ, per stage of the newer one.
fn first_changes(old: Option<&str>, new: Option<&str>) -> Option<Vec<usize>> {
    let old = stage_keys(&syntax::parse(old?).ok()?);
    let new = stage_keys(&syntax::parse(new?).ok()?);
    // Global ARGs (before the first FROM) reach every stage.
    if old.first() != new.first() {
        return Some(vec![0; new.len()]);
    }
    Some(
        new.iter()
            .enumerate()
            .map(|(s, keys)| {
                let before = old.get(s).map(Vec::as_slice).unwrap_or(&[]);
                match keys.iter().zip(before).position(|(a, b)| a != b) {
                    Some(p) => p,
                    None if keys.len() == before.len() => usize::MAX,
                    None => keys.len().min(before.len()),
                }
            })
            .collect(),
    )
}

/// Analyses files: the history of each repository is read once, then each file on its own
/// (in parallel, each under [`crate::guard::contain`]).
pub fn analyze(files: Vec<FileInput>, options: &Options) -> Vec<Result<FileReport, String>> {
    let memo: FilesMemo = Mutex::new(HashMap::new());
    // Parse first: a file that does not parse is an error of its own.
    let docs: Vec<Result<Document, String>> = files
        .iter()
        .map(|f| {
            let parsed = crate::guard::contain(|| syntax::parse(&f.text))
                .map_err(|e| format!("{}: error: {e}", f.display))?;
            parsed.map_err(|e| {
                let (l, c) = if e.line == 0 {
                    (1, 1)
                } else {
                    (e.line, e.column)
                };
                format!("{}:{l}:{c}: error: {}", f.display, e.message)
            })
        })
        .collect();
    let histories = read_histories(&files, &docs, options);
    files
        .par_iter()
        .zip(docs.par_iter())
        .zip(histories.par_iter())
        .map(|((file, doc), history)| {
            let doc = doc.as_ref().map_err(Clone::clone)?;
            crate::guard::contain(|| analyze_one(file, doc, history, options, &memo))
                .map_err(|e| format!("{}: error: {e}", file.display))?
        })
        .collect()
}

/// Each file's history (or why it has none), reading each repository's log once.
fn read_histories(
    files: &[FileInput],
    docs: &[Result<Document, String>],
    options: &Options,
) -> Vec<Result<FileHistory, String>> {
    let items: Vec<Option<(&Path, &BuildContext)>> = files
        .iter()
        .zip(docs)
        .map(|(f, d)| Some((f.path.as_path(), f.context.as_ref()?)).filter(|_| d.is_ok()))
        .collect();
    histories_of(&items, options.history)
}

/// The histories `check --history N` cites in DF101's message: per Dockerfile (with its build
/// context), read as `analyze cache` reads them, each repository's log once.
pub struct CheckHistories {
    by_path: HashMap<PathBuf, FileHistory>,
}

impl CheckHistories {
    pub fn read(files: &[(PathBuf, BuildContext)], n: usize) -> CheckHistories {
        let items: Vec<Option<(&Path, &BuildContext)>> =
            files.iter().map(|(p, c)| Some((p.as_path(), c))).collect();
        let by_path = files
            .iter()
            .zip(histories_of(&items, n))
            .filter_map(|((p, _), h)| Some((p.clone(), h.ok()?)))
            .collect();
        CheckHistories { by_path }
    }

    /// Appends what the history measured to the message of each DF101 finding: in how many
    /// of the commits the install re-ran.
    pub fn annotate(
        &self,
        path: &Path,
        doc: &Document,
        context: Option<&BuildContext>,
        diagnostics: &mut [crate::rules::Diagnostic],
    ) {
        let Some(history) = self.by_path.get(path) else {
            return;
        };
        let total = history.changes.len();
        if total == 0 || !diagnostics.iter().any(|d| d.rule.code == "DF101") {
            return;
        }
        let files = context.map(|c| {
            let (ignore, _) = ignore_of(c);
            ContextFiles::walk(c.root(), ignore.as_ref())
        });
        let mut model = model::build(doc, files.as_ref());
        measure(&mut model, None, history, &Options::default());
        for d in diagnostics.iter_mut().filter(|d| d.rule.code == "DF101") {
            let line = doc.line_col(d.span.start).0;
            if let Some(l) = model
                .layers
                .iter()
                .find(|l| l.line <= line && line <= l.end_line)
            {
                d.message.push_str(&format!(
                    " (history: it re-ran in {} of the last {total} commits that touched the context)",
                    l.misses
                ));
            }
        }
    }
}

/// The histories of Dockerfiles (None: no context, or a file that does not parse).
fn histories_of(
    items: &[Option<(&Path, &BuildContext)>],
    n: usize,
) -> Vec<Result<FileHistory, String>> {
    let mut out: Vec<Result<FileHistory, String>> = items
        .iter()
        .map(|_| Err("no build context".to_string()))
        .collect();
    let mut by_repo: HashMap<PathBuf, Vec<(usize, String, String)>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let Some((path, ctx)) = item else { continue };
        let Some(root) = history::repository_of(ctx.root()) else {
            if let Some(o) = out.get_mut(i) {
                *o = Err("not in a git repository: no history, p_i not measured".into());
            }
            continue;
        };
        match (
            history::relative(&root, ctx.root()),
            history::relative(&root, path),
        ) {
            (Some(c), Some(d)) => by_repo.entry(root).or_default().push((i, c, d)),
            _ => {
                if let Some(o) = out.get_mut(i) {
                    *o = Err("the context is outside its repository".into());
                }
            }
        }
    }
    for (root, members) in by_repo {
        let watches: Vec<Vec<String>> = members
            .iter()
            .map(|(_, c, d)| vec![c.clone(), d.clone()])
            .collect();
        let log = match history::read_log(&root, &watches, n) {
            Ok(l) => l,
            Err(e) => {
                for (i, _, _) in &members {
                    if let Some(o) = out.get_mut(*i) {
                        *o = Err(e.clone());
                    }
                }
                continue;
            }
        };
        // Each file's window: the latest commits that touched its context or itself.
        let windows: Vec<Vec<&history::Commit>> = watches
            .iter()
            .map(|w| {
                log.commits
                    .iter()
                    .filter(|c| {
                        c.files
                            .iter()
                            .any(|f| w.iter().any(|p| history::under(f, p)))
                    })
                    .take(n)
                    .collect()
            })
            .collect();
        let mut specs: Vec<String> = Vec::new();
        for ((_, _, df), window) in members.iter().zip(&windows) {
            for c in window.iter().filter(|c| c.files.iter().any(|f| f == df)) {
                specs.push(format!("{}:{df}", c.id));
                specs.push(format!("{}^:{df}", c.id));
            }
        }
        let blobs = history::read_blobs(&root, &specs).unwrap_or_default();
        for ((i, ctx_rel, df), window) in members.iter().zip(&windows) {
            let ignore = items
                .get(*i)
                .and_then(|x| x.as_ref())
                .and_then(|(_, c)| ignore_of(c).0);
            let changes = window
                .iter()
                .map(|c| {
                    // A context that holds the repository's `.git` sends it too, and every
                    // commit changes it (its refs, logs and index).
                    let git = ctx_rel.is_empty().then(|| ".git".to_string());
                    let paths = c
                        .files
                        .iter()
                        .filter(|f| history::under(f, ctx_rel))
                        .map(|f| {
                            if ctx_rel.is_empty() {
                                f.clone()
                            } else {
                                f.get(ctx_rel.len() + 1..).unwrap_or("").to_string()
                            }
                        })
                        .chain(git)
                        .filter(|p| ignore.as_ref().is_none_or(|m| m.excluded(p).is_none()))
                        .collect();
                    let dockerfile = c.files.iter().any(|f| f == df).then(|| {
                        let new = blobs.get(&format!("{}:{df}", c.id)).cloned().flatten();
                        let old = blobs.get(&format!("{}^:{df}", c.id)).cloned().flatten();
                        first_changes(old.as_deref(), new.as_deref())
                    });
                    CommitChange { paths, dockerfile }
                })
                .collect();
            let mut build_files = vec![".dockerignore".to_string()];
            if history::under(df, ctx_rel) {
                let rel = if ctx_rel.is_empty() {
                    df.clone()
                } else {
                    df.get(ctx_rel.len() + 1..).unwrap_or("").to_string()
                };
                build_files.push(format!("{rel}.dockerignore"));
                build_files.push(rel);
            }
            if let Some(o) = out.get_mut(*i) {
                *o = Ok(FileHistory {
                    changes,
                    build_files,
                });
            }
        }
    }
    out
}

/// Per stage index of `model`, the position from which a Dockerfile change invalidates.
/// `original` is the model of the file the history's changes were measured on; for the file
/// itself the position is the one measured, for its fixed version it is carried over by the
/// instructions' texts (see docs/cache-model.md).
fn invalid_from(model: &Model, original: &Model, change: &[usize]) -> Vec<usize> {
    (0..model.stages.len())
        .map(|s| {
            let k = change.get(s).copied().unwrap_or(0);
            if std::ptr::eq(model, original) || k == usize::MAX {
                return k;
            }
            let orig = original.stage_keys(s);
            let unchanged: HashSet<&str> = orig.iter().take(k).copied().collect();
            let known: HashSet<&str> = orig.iter().copied().collect();
            let keys = model.stage_keys(s);
            let changed = |j: usize| -> bool {
                // An instruction the fix wrote is judged by the next one the file had.
                match keys.iter().skip(j).find(|k| known.contains(*k)) {
                    Some(k) => !unchanged.contains(k),
                    None => k < orig.len(),
                }
            };
            (0..keys.len()).find(|&j| changed(j)).unwrap_or(usize::MAX)
        })
        .collect()
}

/// p_i of every layer over the history.
fn measure(model: &mut Model, original: Option<&Model>, history: &FileHistory, options: &Options) {
    let n = model.layers.len();
    for l in &mut model.layers {
        (l.direct, l.direct_files, l.direct_text, l.misses) = (0, 0, 0, 0);
    }
    let mut inv = vec![false; n];
    // Whether a layer's files may differ from the last build's: what a `COPY --from` of its
    // stage compares.
    let mut content = vec![false; n];
    let build_file = |p: &String| history.build_files.contains(p);
    for change in &history.changes {
        let from: Vec<usize> = match &change.dockerfile {
            None => vec![usize::MAX; model.stages.len()],
            Some(None) => vec![0; model.stages.len()],
            Some(Some(c)) => invalid_from(model, original.unwrap_or(model), c),
        };
        for i in 0..n {
            let Some(layer) = model.layers.get(i) else {
                continue;
            };
            let d = &layer.deps;
            let stage = layer.stage + 1;
            let text = from.get(stage).is_some_and(|&k| k <= d.pos);
            let files = change.paths.iter().any(|p| d.sources.reads(p));
            let volatile = (d.base && options.volatile_base)
                || d.args.iter().any(|a| options.volatile_args.contains(a));
            let at = |v: &Vec<bool>, l: Option<usize>| {
                l.is_some_and(|l| v.get(l).copied().unwrap_or(false))
            };
            let copied = d.copies.iter().any(|&s| at(&content, model.last_of(s)));
            let own = text || files || volatile || copied;
            let inherited =
                at(&inv, d.prev) || d.stages.iter().any(|&s| at(&inv, model.last_of(s)));
            let miss = own || inherited;
            // The files it makes change with its text, the program files it takes, what it
            // copies from other stages, and the files of the layers it is built on.
            let program_files = change
                .paths
                .iter()
                .any(|p| !build_file(p) && d.sources.reads(p));
            let changed = text
                || volatile
                || copied
                || program_files
                || at(&content, d.prev)
                || d.stages.iter().any(|&s| at(&content, model.last_of(s)));
            if let Some(x) = inv.get_mut(i) {
                *x = miss;
            }
            if let Some(x) = content.get_mut(i) {
                *x = changed;
            }
            if let Some(l) = model.layers.get_mut(i) {
                l.direct += usize::from(own);
                l.direct_files += usize::from(files);
                l.direct_text += usize::from(text);
                l.misses += usize::from(miss);
            }
        }
    }
    let total = history.changes.len();
    for l in &mut model.layers {
        l.p_hit = (total > 0).then(|| 1.0 - l.misses as f64 / total as f64);
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Costs from the build log, then E and the top contributions.
fn finish(
    model: &mut Model,
    doc: &Document,
    settings: &Settings,
    context: Option<&BuildContext>,
    options: &Options,
    history: Option<usize>,
) -> (f64, f64, Vec<Contribution>) {
    if let Some(t) = &options.timings {
        let mut cursor = 0;
        for l in model.layers.iter_mut().filter(|l| l.built) {
            if let Some(secs) = t.take(&l.deps.key, &mut cursor) {
                l.cost = secs;
                l.cost_measured = true;
            }
        }
    }
    let (mut e, mut full) = (0.0, 0.0);
    for l in &mut model.layers {
        l.cost = round(l.cost);
        l.p_hit = l.p_hit.map(|p| (p * 1000.0).round() / 1000.0);
        l.expected_cost = round((1.0 - l.p_hit.unwrap_or(0.0)) * l.cost);
        if l.built {
            e += l.expected_cost;
            full += l.cost;
        }
    }
    // The rules that say how to fix the order, to cite in the reasons.
    let diagnostics = crate::lint(
        doc,
        settings,
        &crate::FileOptions {
            context,
            ..Default::default()
        },
    );
    let cited: Vec<Cited> = diagnostics
        .iter()
        .filter(|d| d.rule.code.starts_with("DF10") || d.rule.code == "DF201")
        .map(|d| Cited {
            line: doc.line_col(d.span.start).0,
            code: d.rule.code,
            copies: copied_by_fix(d, &doc.text),
        })
        .collect();
    let mut order: Vec<usize> = (0..model.layers.len())
        .filter(|&i| {
            model
                .layers
                .get(i)
                .is_some_and(|l| l.built && l.expected_cost > 0.0)
        })
        .collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (model.layers.get(a), model.layers.get(b));
        let key = |l: Option<&Layer>| l.map_or(0.0, |l| l.expected_cost);
        key(y).total_cmp(&key(x)).then(a.cmp(&b))
    });
    let top = order
        .into_iter()
        .take(3)
        .filter_map(|i| reason(model, i, history, &cited))
        .collect();
    (round(e), round(full), top)
}

/// A finding of a cache or context rule on a line, for the reasons.
struct Cited {
    line: usize,
    code: &'static str,
    /// The sources of the COPY lines its fix writes (DF101: the manifests).
    copies: Vec<String>,
}

/// The sources of the `COPY` lines a finding's fix writes that the file did not have (DF101
/// also moves the file's own `COPY . .`).
fn copied_by_fix(d: &crate::rules::Diagnostic, original: &str) -> Vec<String> {
    let mut out = Vec::new();
    for edit in d.fix.iter().flat_map(|f| &f.edits) {
        for line in edit.content.lines() {
            let Some(rest) = line.trim_start().strip_prefix("COPY ") else {
                continue;
            };
            if original.lines().any(|o| o.trim() == line.trim()) {
                continue;
            }
            let words: Vec<&str> = rest
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            out.extend(
                words
                    .iter()
                    .take(words.len().saturating_sub(1))
                    .map(|w| w.to_string()),
            );
        }
    }
    out.dedup();
    out
}

/// The layers a layer's key is built from: itself and, transitively, the previous layers and
/// the stages it uses.
fn ancestry(model: &Model, i: usize) -> Vec<usize> {
    let mut seen = vec![false; model.layers.len()];
    let mut todo = vec![i];
    let mut out = Vec::new();
    while let Some(j) = todo.pop() {
        match seen.get_mut(j) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        out.push(j);
        if let Some(l) = model.layers.get(j) {
            todo.extend(l.deps.prev);
            todo.extend(
                l.deps
                    .stages
                    .iter()
                    .chain(&l.deps.copies)
                    .filter_map(|&s| model.last_of(s)),
            );
        }
    }
    out
}

fn reason(
    model: &Model,
    i: usize,
    history: Option<usize>,
    cited: &[Cited],
) -> Option<Contribution> {
    let l = model.layers.get(i)?;
    let what = format!("`{}` (line {})", l.instruction, l.line);
    let Some(total) = history else {
        return Some(Contribution {
            line: l.line,
            instruction: l.instruction.clone(),
            expected_cost: l.expected_cost,
            reason: format!("{what} runs in every build: no history to measure its cache hits"),
        });
    };
    // The cause: of the layers it is built from, the one whose own inputs changed most often
    // (the earliest of equals).
    let mut chain = ancestry(model, i);
    chain.sort_unstable();
    let cause = chain
        .iter()
        .filter_map(|&j| Some((j, model.layers.get(j)?)))
        .fold(None::<(usize, &Layer)>, |best, (j, c)| match best {
            Some((_, b)) if b.direct >= c.direct => best,
            _ => Some((j, c)),
        });
    let mut text = format!(
        "{what} re-runs in {} of {total} commit{}",
        l.misses,
        if total == 1 { "" } else { "s" }
    );
    if let Some((_, c)) = cause.filter(|(_, c)| c.direct > 0) {
        let takes = c.inputs.iter().find_map(|inp| match inp {
            model::Input::Context { sources, files, .. } => Some((sources.join(" "), *files)),
            _ => None,
        });
        let by_files = c.direct_files >= c.direct_text;
        let subject = if c.line == l.line {
            "its".to_string()
        } else {
            format!("`{}` (line {})'s", c.instruction, c.line)
        };
        text.push_str(&match takes {
            Some((src, n)) if by_files && matches!(c.deps.sources, model::Sources::All) => format!(
                " because {} takes every file of the context ({n} files, `{src}`), and files change in {} of them",
                if c.line == l.line { "it".to_string() } else { format!("`{}` (line {})", c.instruction, c.line) },
                c.direct_files
            ),
            Some(_) if by_files => format!(" because {subject} context files change in {} of them", c.direct_files),
            _ if c.direct_text > 0 => format!(
                " because the Dockerfile changes at or above {} in {} of them",
                if c.line == l.line { "it".to_string() } else { format!("line {}", c.line) },
                c.direct_text
            ),
            _ => format!(" because {subject} inputs change in {} of them (volatile base image or build argument)", c.direct),
        });
    }
    let here: Vec<&Cited> = cited
        .iter()
        .filter(|c| c.line >= l.line && c.line <= l.end_line)
        .collect();
    if let Some(df101) = here.iter().find(|c| c.code == "DF101") {
        let what = if df101.copies.is_empty() {
            "the manifests".to_string()
        } else {
            df101
                .copies
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!(": copy {what} first (DF101)"));
    } else if let Some(r) = here.first() {
        text.push_str(&format!(" (see {})", r.code));
    }
    Some(Contribution {
        line: l.line,
        instruction: l.instruction.clone(),
        expected_cost: l.expected_cost,
        reason: text,
    })
}

fn analyze_one(
    file: &FileInput,
    doc: &Document,
    history: &Result<FileHistory, String>,
    options: &Options,
    memo: &FilesMemo,
) -> Result<FileReport, String> {
    let files = file.context.as_ref().map(|c| context_files(c, memo).0);
    let mut model = model::build(doc, files.as_deref());
    let (hist, note) = match history {
        Ok(h) => (Some(h), None),
        Err(e) => (None, Some(e.clone())),
    };
    if let Some(h) = hist {
        measure(&mut model, None, h, options);
    }
    let commits = hist.map(|h| h.changes.len());
    let note = note.or_else(|| {
        commits.filter(|&n| n < options.history).map(|n| match n {
            1 => "only 1 commit touched the context".to_string(),
            n => format!("only {n} commits touched the context"),
        })
    });
    let cost_source = if options.timings.is_some() {
        "timings"
    } else {
        "classes"
    };
    let (e, full, top) = finish(
        &mut model,
        doc,
        &file.settings,
        file.context.as_ref(),
        options,
        commits.filter(|&n| n > 0),
    );
    let mut report = FileReport {
        path: file.display.clone(),
        context: file.context.as_ref().map(|c| {
            let shown = crate::walk::display_path(c.root());
            if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            }
        }),
        history_commits: commits,
        history_note: note,
        cost_source,
        expected_rebuild_cost: e,
        full_build_cost: full,
        layers: model.layers.clone(),
        top,
        fixed: None,
        saving: None,
        fixes_applied: Vec::new(),
    };
    if options.compare_fix {
        let outcome = crate::fix(
            &file.text,
            &file.settings,
            &crate::FileOptions {
                path: Some(&file.path),
                context: file.context.as_ref(),
                unsafe_fixes: true,
                ..Default::default()
            },
        )
        .map_err(|e| format!("{}: error: {e}", file.display))?;
        let mut ctx = file.context.clone();
        for f in &outcome.created {
            ctx = ctx.map(|c| c.with_file(f));
        }
        let fixed_files = ctx.as_ref().map(|c| {
            let (ignore, _) = ignore_of(c);
            // A created .dockerignore changes what the context sends.
            if outcome.created.is_empty() {
                context_files(c, memo).0
            } else {
                Arc::new(ContextFiles::walk(c.root(), ignore.as_ref()))
            }
        });
        let mut fixed = model::build(&outcome.document, fixed_files.as_deref());
        if let Some(h) = hist {
            // History paths were filtered by the old ignore file; a created one filters more.
            let ignore = ctx.as_ref().and_then(|c| ignore_of(c).0);
            let h = FileHistory {
                changes: h
                    .changes
                    .iter()
                    .map(|c| CommitChange {
                        paths: c
                            .paths
                            .iter()
                            .filter(|p| ignore.as_ref().is_none_or(|m| m.excluded(p).is_none()))
                            .cloned()
                            .collect(),
                        dockerfile: c.dockerfile.clone(),
                    })
                    .collect(),
                build_files: h.build_files.clone(),
            };
            measure(&mut fixed, Some(&model), &h, options);
        }
        let (fe, ffull, ftop) = finish(
            &mut fixed,
            &outcome.document,
            &file.settings,
            ctx.as_ref(),
            options,
            commits.filter(|&n| n > 0),
        );
        let mut applied: Vec<String> = outcome
            .applied
            .iter()
            .map(|a| a.rule.code.to_string())
            .collect();
        applied.sort();
        applied.dedup();
        report.saving = Some(round(e - fe));
        report.fixes_applied = applied;
        report.fixed = Some(Box::new(FileReport {
            path: file.display.clone(),
            context: report.context.clone(),
            history_commits: commits,
            history_note: None,
            cost_source,
            expected_rebuild_cost: fe,
            full_build_cost: ffull,
            layers: fixed.layers,
            top: ftop,
            fixed: None,
            saving: None,
            fixes_applied: Vec::new(),
        }));
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
