//! The layers of a Dockerfile and what each one's cache key is made of: the previous layer,
//! the base image or the stage it is built on, the stages it copies or mounts from, the build
//! arguments it sees, and the context files it copies or mounts (after `.dockerignore`).

use super::cost::{self, CostClass};
use crate::dockerignore::Matcher;
use crate::rules::Context;
use crate::syntax::{Args, Document, Instruction, Kind};
use serde::Serialize;
use std::collections::HashSet;

/// One input of a layer's cache key, as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Input {
    /// The layer before it in the stage.
    Previous { line: usize },
    /// The image a FROM names (stable unless `--volatile-base`).
    BaseImage { image: String },
    /// The last layer of another stage (`FROM stage`, `COPY --from`, `RUN --mount=from=`).
    Stage { stage: String, line: usize },
    /// A build argument in scope (stable unless `--volatile-arg NAME`).
    Arg { name: String },
    /// An environment variable it reads (its value is the Dockerfile's text).
    Env { name: String },
    /// Context files a COPY or ADD takes, or a RUN bind-mounts, after `.dockerignore`.
    Context {
        sources: Vec<String>,
        files: usize,
        bytes: u64,
    },
    /// The instruction's own text in the Dockerfile.
    Dockerfile,
}

/// What a layer's key depends on, for the history walk.
#[derive(Clone, Debug, Default)]
pub(crate) struct Deps {
    /// The layer before it (index into [`Model::layers`]).
    pub prev: Option<usize>,
    /// Stages whose last layer is an input (`FROM stage`, `RUN --mount=from=stage`).
    pub stages: Vec<usize>,
    /// Stages whose files it copies (`COPY --from=stage`): keyed by the content copied, so a
    /// rebuilt stage that made the same files does not invalidate it.
    pub copies: Vec<usize>,
    /// Context paths it reads: `All`, or these patterns.
    pub sources: Sources,
    /// Build arguments in scope.
    pub args: Vec<String>,
    /// A FROM of an image (not of a stage).
    pub base: bool,
    /// Position in its stage (the FROM is 0).
    pub pos: usize,
    /// The instruction as BuildKit reads it (for matching across versions of the file).
    pub key: String,
}

#[derive(Clone, Debug, Default)]
pub(crate) enum Sources {
    #[default]
    None,
    All,
    Some(Matcher),
}

impl Sources {
    pub fn reads(&self, rel: &str) -> bool {
        match self {
            Sources::None => false,
            Sources::All => true,
            Sources::Some(m) => m.matches_or_parent_matches(rel),
        }
    }
}

/// One layer: an instruction of a stage.
#[derive(Clone, Debug, Serialize)]
pub struct Layer {
    /// The stage, numbered from 0 as `--from=0` numbers them.
    pub stage: usize,
    pub stage_name: Option<String>,
    pub line: usize,
    /// The instruction's first line (shortened).
    pub instruction: String,
    pub inputs: Vec<Input>,
    /// The share of the history's commits whose build takes it from the cache; None without
    /// history.
    pub p_hit: Option<f64>,
    pub cost: f64,
    pub cost_class: CostClass,
    /// (1 - p_hit) * cost (cost without history).
    pub expected_cost: f64,
    /// Whether a build of the default target (the last stage) builds it.
    pub built: bool,
    #[serde(skip)]
    pub(crate) deps: Deps,
    /// Commits in which its own inputs changed (not those of the layers before it).
    #[serde(skip)]
    pub(crate) direct: usize,
    /// Of those, the commits in which context files it reads changed, and in which its text
    /// (or one above it in the stage) changed.
    #[serde(skip)]
    pub(crate) direct_files: usize,
    #[serde(skip)]
    pub(crate) direct_text: usize,
    /// Commits in which it re-ran.
    #[serde(skip)]
    pub(crate) misses: usize,
    /// The instruction's last line.
    #[serde(skip)]
    pub(crate) end_line: usize,
    /// Whether the cost comes from the build log.
    pub cost_measured: bool,
}

/// The layers of a file, stage after stage.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub layers: Vec<Layer>,
    /// Per stage index (0 is what comes before the first FROM): its layers' indexes.
    pub(crate) stages: Vec<Vec<usize>>,
}

impl Model {
    /// The last layer of a stage.
    pub(crate) fn last_of(&self, stage: usize) -> Option<usize> {
        self.stages.get(stage).and_then(|l| l.last().copied())
    }

    /// The normalized texts of a stage's instructions, in order.
    pub(crate) fn stage_keys(&self, stage: usize) -> Vec<&str> {
        self.stages
            .get(stage)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.layers.get(i))
            .map(|l| l.deps.key.as_str())
            .collect()
    }
}

/// The files of a build context the build sends (after `.dockerignore`): context-relative
/// paths and sizes.
#[derive(Clone, Debug, Default)]
pub struct ContextFiles {
    pub files: Vec<(String, u64)>,
}

impl ContextFiles {
    /// Walks a context folder, leaving out what the ignore file excludes (an excluded folder
    /// that no exception reaches into is not entered). Symbolic links are not followed.
    pub fn walk(root: &std::path::Path, ignore: Option<&Matcher>) -> ContextFiles {
        let mut files = Vec::new();
        let mut todo = vec![(root.to_path_buf(), String::new())];
        while let Some((dir, rel)) = todo.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let path = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                    continue;
                };
                let excluded = ignore.is_some_and(|m| m.excluded(&path).is_some());
                if meta.is_dir() {
                    if excluded && !ignore.is_some_and(|m| m.could_reenter(&path)) {
                        continue;
                    }
                    todo.push((e.path(), path));
                } else if !excluded {
                    files.push((path, meta.len()));
                }
            }
        }
        files.sort();
        ContextFiles { files }
    }

    fn matching(&self, sources: &Sources) -> (usize, u64) {
        match sources {
            Sources::None => (0, 0),
            _ => self
                .files
                .iter()
                .filter(|(p, _)| sources.reads(p))
                .fold((0, 0), |(n, b), (_, s)| (n + 1, b + s)),
        }
    }
}

/// The first line of an instruction, shortened to `max` characters.
pub(crate) fn summary(ins: &Instruction, max: usize) -> String {
    let text: String = ins.logical.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The instruction's text as a key that survives layout changes.
pub(crate) fn key_of(ins: &Instruction) -> String {
    ins.logical.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `$NAME` and `${NAME...}` references in a text.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        rest = rest.get(at + 1..).unwrap_or("");
        let braced = rest.starts_with('{');
        let body = if braced {
            rest.get(1..).unwrap_or("")
        } else {
            rest
        };
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(name);
        }
    }
    out
}

/// A COPY/ADD source or a mount source as a context pattern: `All` for the whole context.
fn source_patterns(sources: &[String]) -> Sources {
    let mut patterns = Vec::new();
    for s in sources {
        if s.contains('$') {
            // A variable we cannot read: the whole context, the cautious side.
            return Sources::All;
        }
        let cleaned = crate::dockerignore::clean(s.trim_start_matches('/'));
        if cleaned == "." || cleaned.is_empty() {
            return Sources::All;
        }
        patterns.push(cleaned);
    }
    if patterns.is_empty() {
        return Sources::None;
    }
    match Matcher::new(&patterns) {
        Ok(m) => Sources::Some(m),
        Err(_) => Sources::All,
    }
}

fn is_remote(src: &str) -> bool {
    src.contains("://") || src.starts_with("git@")
}

/// The layers of a parsed Dockerfile. `files` is the build context's content, when there is one.
pub fn build(doc: &Document, files: Option<&ContextFiles>) -> Model {
    let ctx = Context::new(doc);
    let mut model = Model {
        layers: Vec::new(),
        stages: vec![Vec::new(); ctx.stages.len()],
    };
    let global_args: Vec<String> = ctx
        .stages
        .first()
        .map(|s| s.instructions.iter().flat_map(|i| arg_names(i)).collect())
        .unwrap_or_default();
    let runs = ctx.shell_runs();
    for (s, stage) in ctx.stages.iter().enumerate().skip(1) {
        let Some(from) = stage.from else { continue };
        let stage_name = match &from.node.args {
            Args::Words(w) if w.len() == 3 => w.get(2).map(|n| n.slice(&from.logical).to_string()),
            _ => None,
        };
        let image = match &from.node.args {
            Args::Words(w) => w.first().map(|i| i.slice(&from.logical).to_string()),
            _ => None,
        }
        .unwrap_or_default();
        let parent = ctx.stage_parent(s);
        let mut inputs = Vec::new();
        let mut deps = Deps {
            key: key_of(from),
            ..Deps::default()
        };
        match parent.and_then(|p| model.last_of(p).map(|l| (p, l))) {
            Some((p, last)) => {
                deps.stages.push(p);
                inputs.push(Input::Stage {
                    stage: stage_label(&model, p),
                    line: model.layers.get(last).map_or(0, |l| l.line),
                });
            }
            None => {
                deps.base = true;
                inputs.push(Input::BaseImage {
                    image: image.clone(),
                });
                // Global ARGs the FROM expands.
                for name in references(&image) {
                    if global_args.contains(&name) && !deps.args.contains(&name) {
                        inputs.push(Input::Arg { name: name.clone() });
                        deps.args.push(name);
                    }
                }
            }
        }
        inputs.push(Input::Dockerfile);
        push(
            &mut model,
            s,
            stage_name.clone(),
            from,
            inputs,
            deps,
            (CostClass::BaseImage, 0.0),
        );
        let mut args_in_scope: Vec<String> = Vec::new();
        let mut envs: HashSet<String> = HashSet::new();
        for (pos, ins) in stage.instructions.iter().enumerate() {
            let prev = model.stages.get(s).and_then(|l| l.last().copied());
            let mut inputs = vec![Input::Previous {
                line: prev.and_then(|p| model.layers.get(p)).map_or(0, |l| l.line),
            }];
            let mut deps = Deps {
                prev,
                pos: pos + 1,
                key: key_of(ins),
                ..Deps::default()
            };
            let refs = references(&ins.logical);
            // Build arguments: a RUN sees every one in scope (its environment is part of its
            // key); other instructions those they expand.
            for a in &args_in_scope {
                if ins.kind() == Kind::Run || refs.contains(a) {
                    inputs.push(Input::Arg { name: a.clone() });
                    deps.args.push(a.clone());
                }
            }
            let mut seen = HashSet::new();
            for r in &refs {
                if envs.contains(r) && !args_in_scope.contains(r) && seen.insert(r.clone()) {
                    inputs.push(Input::Env { name: r.clone() });
                }
            }
            let mut class = (CostClass::Metadata, cost::weight(CostClass::Metadata));
            match ins.kind() {
                Kind::Arg => args_in_scope.extend(arg_names(ins)),
                Kind::Env => {
                    if let Args::Pairs(pairs) = &ins.node.args {
                        envs.extend(pairs.iter().map(|p| p.key.slice(&ins.logical).to_string()));
                    }
                }
                Kind::Copy | Kind::Add => {
                    let words: Vec<String> = match &ins.node.args {
                        Args::Words(w) => w
                            .iter()
                            .map(|w| w.slice(&ins.logical).to_string())
                            .collect(),
                        Args::Json(v) => v.iter().map(|a| a.value.clone()).collect(),
                        _ => Vec::new(),
                    };
                    let sources: Vec<String> = words
                        .iter()
                        .take(words.len().saturating_sub(1))
                        .filter(|w| !w.starts_with("<<"))
                        .cloned()
                        .collect();
                    let from = ins.node.flag("from").and_then(|f| f.value());
                    let remote = ins.kind() == Kind::Add && sources.iter().any(|s| is_remote(s));
                    if let Some(f) = from {
                        if let Some(st) = ctx.stage_named(f, s) {
                            deps.copies.push(st);
                            inputs.push(Input::Stage {
                                stage: stage_label(&model, st),
                                line: model
                                    .last_of(st)
                                    .and_then(|l| model.layers.get(l))
                                    .map_or(0, |l| l.line),
                            });
                        } else {
                            inputs.push(Input::BaseImage {
                                image: f.to_string(),
                            });
                        }
                        class = (CostClass::Copy, cost::copy_weight(0));
                    } else if remote {
                        class = (CostClass::Download, cost::weight(CostClass::Download));
                    } else {
                        deps.sources = source_patterns(&sources);
                        let (n, bytes) = files.map_or((0, 0), |f| f.matching(&deps.sources));
                        if !sources.is_empty() {
                            inputs.push(Input::Context {
                                sources: sources.clone(),
                                files: n,
                                bytes,
                            });
                        }
                        class = (CostClass::Copy, cost::copy_weight(bytes));
                    }
                }
                Kind::Run => {
                    for m in ins.node.flags.iter().filter(|f| f.name() == "mount") {
                        let Some(v) = m.value() else { continue };
                        let mut kind = "bind";
                        let mut source = ".";
                        let mut from = None;
                        for kv in v.split(',') {
                            match kv.split_once('=') {
                                Some(("type", t)) => kind = t,
                                Some(("source" | "src", x)) => source = x,
                                Some(("from", x)) => from = Some(x),
                                _ => {}
                            }
                        }
                        if kind != "bind" {
                            continue;
                        }
                        match from {
                            Some(f) => {
                                if let Some(st) = ctx.stage_named(f, s) {
                                    deps.stages.push(st);
                                    inputs.push(Input::Stage {
                                        stage: stage_label(&model, st),
                                        line: model
                                            .last_of(st)
                                            .and_then(|l| model.layers.get(l))
                                            .map_or(0, |l| l.line),
                                    });
                                } else {
                                    inputs.push(Input::BaseImage {
                                        image: f.to_string(),
                                    });
                                }
                            }
                            None => {
                                let srcs = vec![source.to_string()];
                                let more = source_patterns(&srcs);
                                deps.sources = match (std::mem::take(&mut deps.sources), more) {
                                    (Sources::All, _) | (_, Sources::All) => Sources::All,
                                    (Sources::None, x) | (x, Sources::None) => x,
                                    (Sources::Some(mut a), Sources::Some(b)) => {
                                        a.patterns.extend(b.patterns);
                                        Sources::Some(a)
                                    }
                                };
                                let (n, bytes) =
                                    files.map_or((0, 0), |f| f.matching(&source_patterns(&srcs)));
                                inputs.push(Input::Context {
                                    sources: srcs,
                                    files: n,
                                    bytes,
                                });
                            }
                        }
                    }
                    let run = runs.iter().find(|r| std::ptr::eq(r.ins, *ins));
                    class = cost::run_class(run, ins);
                }
                _ => {}
            }
            inputs.push(Input::Dockerfile);
            push(&mut model, s, stage_name.clone(), ins, inputs, deps, class);
        }
    }
    mark_built(&mut model);
    model
}

fn arg_names(ins: &Instruction) -> Vec<String> {
    if ins.kind() != Kind::Arg {
        return Vec::new();
    }
    match &ins.node.args {
        Args::Words(w) => w
            .iter()
            .map(|w| {
                let t = w.slice(&ins.logical);
                t.split_once('=').map_or(t, |(k, _)| k).to_string()
            })
            .collect(),
        Args::Pairs(p) => p
            .iter()
            .map(|p| p.key.slice(&ins.logical).to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn stage_label(model: &Model, stage: usize) -> String {
    model
        .stages
        .get(stage)
        .and_then(|l| l.first())
        .and_then(|&i| model.layers.get(i))
        .and_then(|l| l.stage_name.clone())
        .unwrap_or_else(|| stage.saturating_sub(1).to_string())
}

fn push(
    model: &mut Model,
    stage: usize,
    stage_name: Option<String>,
    ins: &Instruction,
    inputs: Vec<Input>,
    deps: Deps,
    (cost_class, cost): (CostClass, f64),
) {
    let index = model.layers.len();
    model.layers.push(Layer {
        stage: stage.saturating_sub(1),
        stage_name,
        line: ins.start_line,
        instruction: summary(ins, 60),
        inputs,
        p_hit: None,
        cost,
        cost_class,
        expected_cost: cost,
        built: true,
        deps,
        direct: 0,
        direct_files: 0,
        direct_text: 0,
        misses: 0,
        end_line: ins.end_line,
        cost_measured: false,
    });
    if let Some(l) = model.stages.get_mut(stage) {
        l.push(index);
    }
}

/// Marks the layers a build of the last stage needs: that stage, the stages it is built on
/// and those it copies or mounts from, transitively (BuildKit builds no other stage).
fn mark_built(model: &mut Model) {
    let n = model.stages.len();
    let mut needed = vec![false; n];
    let mut todo: Vec<usize> = (1..n)
        .rev()
        .find(|&s| model.stages.get(s).is_some_and(|l| !l.is_empty()))
        .into_iter()
        .collect();
    while let Some(s) = todo.pop() {
        match needed.get_mut(s) {
            Some(x) if !*x => *x = true,
            _ => continue,
        }
        for &i in model.stages.get(s).into_iter().flatten() {
            if let Some(l) = model.layers.get(i) {
                todo.extend(l.deps.stages.iter().chain(&l.deps.copies).copied());
            }
        }
    }
    for (s, layers) in model.stages.iter().enumerate() {
        for &i in layers {
            if let Some(l) = model.layers.get_mut(i) {
                l.built = needed.get(s).copied().unwrap_or(true);
            }
        }
    }
}
