//! Which build context a Dockerfile is built with, and why: `--context`, else a
//! `[[contexts]]` entry of the configuration, else the compose or bake file that builds it
//! (found in its folder or a folder above, up to the repository's root), else its own folder.
//!
//! Compose: `compose.yaml`/`compose.yml`/`docker-compose.yaml`/`docker-compose.yml` and their
//! `.override` variants; each service's `build` (a context path, or `context` and
//! `dockerfile`, relative to the compose file and to the context), YAML merge keys applied.
//! Bake: `docker-bake.hcl`,
//! `docker-bake.json` and their `.override` variants; each `target`'s `context` and
//! `dockerfile` (relative to the bake file and to the context), following `inherits`.
//! Values that need evaluation (`${VAR}` interpolation, HCL expressions, remote contexts,
//! `dockerfile_inline`) are skipped: no guess is made from them. A definition file that does
//! not parse is skipped too (it is another tool's input; `check -v` says so). The names of
//! the named build contexts they declare (`build.additional_contexts`, a target's `contexts`)
//! come with the choice, whatever Dockerfile their build names.
//!
//! Each folder is looked at once per run ([`ContextChooser`] caches its definitions), so a
//! tree of many Dockerfiles costs one listing per folder on their way up.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The names of compose files, in the order Compose itself prefers them.
pub const COMPOSE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// The names of bake files, in the order bake reads them.
pub const BAKE_NAMES: &[&str] = &[
    "docker-bake.json",
    "docker-bake.override.json",
    "docker-bake.hcl",
    "docker-bake.override.hcl",
];

/// Where a context came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--context`.
    CommandLine,
    /// A `[[contexts]]` entry: the config file and the glob that matched.
    Config { file: Option<PathBuf>, glob: String },
    /// A compose service's `build`.
    Compose { file: PathBuf, service: String },
    /// A bake target.
    Bake { file: PathBuf, target: String },
    /// The default: the Dockerfile's own folder.
    DockerfileFolder,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::CommandLine => write!(f, "--context"),
            Source::Config { file, glob } => match file {
                Some(file) => write!(
                    f,
                    "[[contexts]] `{glob}` in {}",
                    crate::walk::display_path(file)
                ),
                None => write!(f, "[[contexts]] `{glob}`"),
            },
            Source::Compose { file, service } => {
                write!(
                    f,
                    "service `{service}` of {}",
                    crate::walk::display_path(file)
                )
            }
            Source::Bake { file, target } => {
                write!(
                    f,
                    "target `{target}` of {}",
                    crate::walk::display_path(file)
                )
            }
            Source::DockerfileFolder => write!(f, "the Dockerfile's folder"),
        }
    }
}

/// A context chosen for a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub root: PathBuf,
    pub source: Source,
    /// Named build contexts (`FROM NAME`, `COPY --from=NAME`) that the compose or bake files
    /// above the Dockerfile declare (`build.additional_contexts`, a target's `contexts`): such
    /// a name is not an image from a registry nor a missing stage. Read under `--context`
    /// too: the flag chooses the context folder, not the build's named contexts.
    pub named_contexts: Vec<String>,
    /// The build arguments the compose services or bake targets that build this Dockerfile
    /// pass (`build.args`, a target's `args`): the file is not built with its defaults alone.
    pub build_args: Vec<String>,
}

/// A build the compose or bake file defines: which Dockerfile, with which context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub dockerfile: PathBuf,
    pub context: PathBuf,
    pub source: Source,
    /// The names of the build arguments it passes.
    pub build_args: Vec<String>,
}

/// What one folder says about builds, read once.
#[derive(Debug, Default)]
struct Folder {
    definitions: Vec<Definition>,
    /// The names of the named build contexts its compose services and bake targets declare.
    named_contexts: Vec<String>,
    /// The repository's root: the search stops here.
    is_repo_root: bool,
    /// Definition files that could not be read or parsed, with why.
    skipped: Vec<(PathBuf, String)>,
}

/// What the folders from one up to the repository's root define: their builds, nearest
/// first, and the named build contexts any of them declares.
#[derive(Debug, Default)]
struct Chain {
    definitions: Vec<Definition>,
    named_contexts: Vec<String>,
}

/// Chooses contexts for a run, reading each folder's compose and bake files once.
#[derive(Default)]
pub struct ContextChooser {
    /// Per folder (absolute): the definitions of it and of the folders above it up to the
    /// repository's root, nearest first, so that a Dockerfile's search is one lookup once
    /// its folder's parent has been seen.
    chains: Mutex<super::PathMap<Arc<Chain>>>,
    /// Definition files that could not be used, for `check -v`.
    skipped: Mutex<Vec<(PathBuf, String)>>,
}

impl ContextChooser {
    /// The context for `dockerfile` (a path as given): `flag` (`--context`) wins, then the
    /// settings' `[[contexts]]`, then a compose or bake file above, then the file's folder.
    pub fn choose(
        &self,
        dockerfile: &Path,
        flag: Option<&Path>,
        settings: &crate::settings::Settings,
    ) -> Chosen {
        self.choose_cached(dockerfile, flag, settings, None)
    }

    /// [`ContextChooser::choose`], listing the Dockerfile's own folder through a run's
    /// [`ContextCache`](super::ContextCache): that folder is the default context, whose
    /// listing the rules ask for too, so it is read once.
    pub fn choose_cached(
        &self,
        dockerfile: &Path,
        flag: Option<&Path>,
        settings: &crate::settings::Settings,
        cache: Option<&Arc<super::ContextCache>>,
    ) -> Chosen {
        let absolute = crate::walk::absolute(dockerfile);
        let absolute = if absolute.components().any(|c| c == Component::ParentDir) {
            lexical(&absolute)
        } else {
            absolute
        };
        let own = match dockerfile.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let own_listing = || {
            let ctx = super::BuildContext::new(&own);
            match cache {
                Some(c) => ctx.with_cache(c.clone()).root_listing(),
                None => ctx.root_listing(),
            }
        };
        let chain = match absolute.parent() {
            Some(dir) => self.chain(dir, Some(own_listing)),
            None => Arc::new(Chain::default()),
        };
        let named_contexts = chain.named_contexts.clone();
        let mut build_args: Vec<String> = Vec::new();
        for d in chain
            .definitions
            .iter()
            .filter(|d| d.dockerfile == absolute)
        {
            add_new(&mut build_args, &d.build_args);
        }
        if let Some(dir) = flag {
            return Chosen {
                root: dir.to_path_buf(),
                source: Source::CommandLine,
                named_contexts,
                build_args,
            };
        }
        if !settings.contexts.is_empty()
            && let Some(chosen) = settings.context_for(&absolute)
        {
            return Chosen {
                named_contexts,
                build_args,
                ..chosen
            };
        }
        // The first definition, from the Dockerfile's folder up to the repository's root,
        // that builds this Dockerfile.
        if let Some(d) = chain.definitions.iter().find(|d| d.dockerfile == absolute) {
            return Chosen {
                root: d.context.clone(),
                source: d.source.clone(),
                named_contexts,
                build_args,
            };
        }
        Chosen {
            root: own,
            source: Source::DockerfileFolder,
            named_contexts,
            build_args,
        }
    }

    /// The definitions of `dir` and the folders above it (up to the repository's root).
    fn chain(&self, dir: &Path, listing: Option<impl FnOnce() -> Arc<Vec<String>>>) -> Arc<Chain> {
        if let Some(c) = lock(&self.chains).get(dir.as_os_str()) {
            return c.clone();
        }
        let names = match listing {
            Some(list) => list(),
            None => Arc::new(
                std::fs::read_dir(dir)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect(),
            ),
        };
        let folder = read_folder(dir, &names);
        lock(&self.skipped).extend(folder.skipped);
        let above = match dir.parent() {
            Some(parent) if !folder.is_repo_root => {
                Some(self.chain(parent, None::<fn() -> Arc<Vec<String>>>))
            }
            _ => None,
        };
        let chain = Arc::new(match above {
            Some(above) if folder.definitions.is_empty() && folder.named_contexts.is_empty() => {
                return self.remember(dir, above);
            }
            Some(above) => {
                let mut named_contexts = folder.named_contexts;
                add_new(&mut named_contexts, &above.named_contexts);
                Chain {
                    definitions: folder
                        .definitions
                        .into_iter()
                        .chain(above.definitions.iter().cloned())
                        .collect(),
                    named_contexts,
                }
            }
            None => Chain {
                definitions: folder.definitions,
                named_contexts: folder.named_contexts,
            },
        });
        self.remember(dir, chain)
    }

    fn remember(&self, dir: &Path, chain: Arc<Chain>) -> Arc<Chain> {
        lock(&self.chains).insert(dir.as_os_str().to_owned(), chain.clone());
        chain
    }

    /// The definition files this run could not use, for `check -v`.
    pub fn skipped(&self) -> Vec<(PathBuf, String)> {
        let mut all = lock(&self.skipped).clone();
        all.sort();
        all.dedup();
        all
    }
}

/// Appends the names not there yet, keeping first-seen order (the lists are a few names).
fn add_new(to: &mut Vec<String>, names: &[String]) {
    for n in names {
        if !to.contains(n) {
            to.push(n.clone());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn read_folder(dir: &Path, listing: &[String]) -> Folder {
    let mut folder = Folder::default();
    let mut names: Vec<String> = Vec::new();
    for name in listing {
        if name == ".git" {
            folder.is_repo_root = true;
        } else if COMPOSE_NAMES.contains(&name.as_str()) || BAKE_NAMES.contains(&name.as_str()) {
            names.push(name.clone());
        }
    }
    let order = |n: &String| {
        COMPOSE_NAMES
            .iter()
            .chain(BAKE_NAMES)
            .position(|k| k == n)
            .unwrap_or(usize::MAX)
    };
    names.sort_by_key(order);
    // Compose files and bake files each merge with the others of their kind in the folder
    // (override files, repeated blocks), in the order their tools read them.
    let (mut services, mut targets) = (Vec::new(), Vec::new());
    let (mut compose_file, mut bake_file) = (None, None);
    for name in names {
        let file = dir.join(&name);
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                folder.skipped.push((file, e.to_string()));
                continue;
            }
        };
        let is_compose = COMPOSE_NAMES.contains(&name.as_str());
        let read = if is_compose {
            compose_services(&text)
        } else if name.ends_with(".json") {
            bake_json_targets(&text)
        } else {
            bake_hcl_targets(&text)
        };
        match read {
            Ok(entries) if is_compose => {
                compose_file.get_or_insert_with(|| file.clone());
                services.extend(entries);
            }
            Ok(entries) => {
                bake_file.get_or_insert_with(|| file.clone());
                targets.extend(entries);
            }
            Err(why) => folder.skipped.push((file, why)),
        }
    }
    for t in services.iter().chain(&targets).map(|(_, t)| t) {
        add_new(&mut folder.named_contexts, &t.named);
    }
    if let Some(file) = compose_file {
        folder
            .definitions
            .extend(compose_definitions(&file, &merged(services)));
    }
    if let Some(file) = bake_file {
        folder
            .definitions
            .extend(bake_definitions(&file, &merged(targets)));
    }
    folder
}

/// A path without `.` and with `..` applied to what precedes it (no file system access:
/// the definitions name paths that need not exist yet).
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A path value that names a local folder or file without evaluation.
fn plain(value: &str) -> Option<&str> {
    let remote = value.contains("://") || value.starts_with("git@") || value.ends_with(".git");
    (!value.is_empty() && !value.contains("${") && !value.contains('$') && !remote).then_some(value)
}

fn definition(
    base: &Path,
    context: Option<&str>,
    dockerfile: Option<&str>,
    source: Source,
    build_args: Vec<String>,
) -> Option<Definition> {
    let context = lexical(&base.join(plain(context.unwrap_or("."))?));
    let dockerfile = lexical(&context.join(plain(dockerfile.unwrap_or("Dockerfile"))?));
    Some(Definition {
        dockerfile,
        context,
        source,
        build_args,
    })
}

/// The names a compose `build.args` (or `additional_contexts`) gives: a map's keys, or a
/// list's `NAME=VALUE` / `NAME` entries.
fn yaml_names(value: &yaml_rust2::Yaml) -> Vec<String> {
    use yaml_rust2::Yaml;
    match value {
        Yaml::Hash(map) => map
            .keys()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect(),
        Yaml::Array(list) => list
            .iter()
            .filter_map(|e| {
                let e = e.as_str()?;
                Some(e.split_once('=').map_or(e, |(k, _)| k).to_string())
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The keys of an HCL object attribute (`contexts = { a = "..." }`, `args = { ... }`).
fn hcl_keys(body: &hcl_edit::structure::Body, key: &str) -> Vec<String> {
    body.get_attribute(key)
        .and_then(|a| a.value.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, _)| match k {
                    hcl_edit::expr::ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    hcl_edit::expr::ObjectKey::Expression(e) => e.as_str().map(str::to_string),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A YAML file's documents. Docker Compose reads YAML with Go's parser, which takes a flow
/// sequence or mapping closed at the indentation of its key:
///
/// ```yaml
///     test: [
///         "CMD-SHELL", "wget -q -O- http://localhost/healthz"
///     ]
/// ```
///
/// yaml-rust2 (strict YAML 1.2) refuses that `]`. Such a line, a closing bracket alone, is read
/// one column further in, which changes no value; any other error is the file's.
fn load_yaml(text: &str) -> Result<Vec<yaml_rust2::Yaml>, String> {
    let mut text = std::borrow::Cow::Borrowed(text);
    // Each retry moves one more closing line; a file has few of them.
    for _ in 0..64 {
        let e = match yaml_rust2::YamlLoader::load_from_str(&text) {
            Ok(docs) => return Ok(docs),
            Err(e) => e,
        };
        let line = e.marker().line();
        let closer = line
            .checked_sub(1)
            .and_then(|i| text.split_inclusive('\n').nth(i))
            .filter(|l| {
                let t = l.trim();
                !t.is_empty() && t.chars().all(|c| matches!(c, ']' | '}' | ','))
            });
        let Some(closer) = closer else {
            return Err(format!("not YAML: {e}"));
        };
        let start = closer.as_ptr() as usize - text.as_ptr() as usize;
        let mut moved = String::with_capacity(text.len() + 1);
        moved.push_str(&text[..start]);
        moved.push(' ');
        moved.push_str(&text[start..]);
        text = std::borrow::Cow::Owned(moved);
    }
    Err("not YAML: too many flow collections closed at their key's indentation".to_string())
}

/// A compose file's services that build, as (name, context, dockerfile): `Some(None)` marks
/// a value that cannot be used (`dockerfile_inline`, or not a string).
fn compose_services(text: &str) -> Result<Vec<(String, Target)>, String> {
    use yaml_rust2::Yaml;
    let docs = load_yaml(text)?;
    let mut out = Vec::new();
    for doc in &docs {
        let Some(services) = doc["services"].as_hash() else {
            continue;
        };
        for (name, service) in services {
            let Some(name) = name.as_str() else {
                continue;
            };
            let service = with_merge_keys(service);
            let build = &with_merge_keys(&service["build"]);
            let target = match build {
                Yaml::String(context) => Target {
                    context: Some(Some(context.clone())),
                    ..Target::default()
                },
                Yaml::Hash(_) => {
                    let set = |key: &str| -> Set {
                        (!build[key].is_badvalue()).then(|| build[key].as_str().map(str::to_string))
                    };
                    // `additional_contexts` and `args`: a map, or a list of `NAME=VALUE`.
                    let named = yaml_names(&build["additional_contexts"]);
                    let args = yaml_names(&build["args"]);
                    Target {
                        context: set("context"),
                        dockerfile: if build["dockerfile_inline"].is_badvalue() {
                            set("dockerfile")
                        } else {
                            Some(None)
                        },
                        inherits: Vec::new(),
                        named,
                        args,
                    }
                }
                _ => continue,
            };
            out.push((name.to_string(), target));
        }
    }
    Ok(out)
}

/// A mapping with its YAML merge keys applied (`<<: *defaults`, `<<: [*a, *b]`), as Compose
/// applies them: the mapping's own keys win, then the merged mappings in order (the first one
/// wins among them). yaml-rust2 resolves the aliases but leaves `<<` as a plain key. Other
/// values are returned as they are.
fn with_merge_keys(value: &yaml_rust2::Yaml) -> yaml_rust2::Yaml {
    use yaml_rust2::Yaml;
    let Yaml::Hash(map) = value else {
        return value.clone();
    };
    let key = Yaml::String("<<".to_string());
    let Some(merge) = map.get(&key) else {
        return value.clone();
    };
    let mut out = map.clone();
    out.remove(&key);
    let sources: Vec<&Yaml> = match merge {
        Yaml::Array(list) => list.iter().collect(),
        other => vec![other],
    };
    for source in sources {
        // A merged mapping may merge others in turn.
        if let Yaml::Hash(from) = with_merge_keys(source) {
            for (k, v) in from {
                out.entry(k).or_insert(v);
            }
        }
    }
    Yaml::Hash(out)
}

/// Definitions from compose services (already merged across the folder's compose files).
fn compose_definitions(file: &Path, services: &[(String, Target)]) -> Vec<Definition> {
    let base = file.parent().unwrap_or(Path::new("."));
    services
        .iter()
        .filter_map(|(name, t)| {
            let context = match &t.context {
                Some(None) => return None,
                Some(Some(c)) => Some(c.as_str()),
                None => None,
            };
            let dockerfile = match &t.dockerfile {
                Some(None) => return None,
                Some(Some(d)) => Some(d.as_str()),
                None => None,
            };
            definition(
                base,
                context,
                dockerfile,
                Source::Compose {
                    file: file.to_path_buf(),
                    service: name.clone(),
                },
                t.args.clone(),
            )
        })
        .collect()
}

#[cfg(test)]
fn compose(file: &Path, text: &str) -> Result<Vec<Definition>, String> {
    Ok(compose_definitions(file, &merged(compose_services(text)?)))
}

/// Entries of the same name merged as Compose and bake merge them (override files, repeated
/// blocks): a later value replaces an earlier one, key by key; first-seen order kept.
fn merged(entries: Vec<(String, Target)>) -> Vec<(String, Target)> {
    let mut out: Vec<(String, Target)> = Vec::new();
    for (name, t) in entries {
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, old)) => {
                if t.context.is_some() {
                    old.context = t.context;
                }
                if t.dockerfile.is_some() {
                    old.dockerfile = t.dockerfile;
                }
                if !t.inherits.is_empty() {
                    old.inherits = t.inherits;
                }
                old.named.extend(t.named);
                old.args.extend(t.args);
            }
            None => out.push((name, t)),
        }
    }
    out
}

/// A value a bake target sets: None when it does not set it, `Some(None)` when it sets it
/// to something that needs evaluation.
type Set = Option<Option<String>>;

/// A bake target's (or compose service's) own `context`, `dockerfile` and `inherits`, and
/// the names of the named build contexts it declares.
#[derive(Default, Clone)]
struct Target {
    context: Set,
    dockerfile: Set,
    inherits: Vec<String>,
    named: Vec<String>,
    /// The names of the build arguments it passes.
    args: Vec<String>,
}

/// Targets with what they inherit applied (a target's own value wins; among parents, the
/// later one, as bake merges them). Each target is visited once per resolution, so a cycle or
/// a parent named many times costs nothing more (bake itself refuses cycles).
fn bake_definitions(file: &Path, targets: &[(String, Target)]) -> Vec<Definition> {
    fn resolve(
        targets: &[(String, Target)],
        name: &str,
        seen: &mut Vec<String>,
    ) -> Option<(Set, Set, Vec<String>)> {
        if seen.iter().any(|s| s == name) {
            return None;
        }
        seen.push(name.to_string());
        let (_, t) = targets.iter().find(|(n, _)| n == name)?;
        let (mut context, mut dockerfile, mut args) = (None, None, t.args.clone());
        for parent in &t.inherits {
            if let Some((c, d, a)) = resolve(targets, parent, seen) {
                context = c.or(context);
                dockerfile = d.or(dockerfile);
                args.extend(a);
            }
        }
        Some((
            t.context.clone().or(context),
            t.dockerfile.clone().or(dockerfile),
            args,
        ))
    }
    let base = file.parent().unwrap_or(Path::new("."));
    targets
        .iter()
        .filter_map(|(name, _)| {
            let (context, dockerfile, args) = resolve(targets, name, &mut Vec::new())?;
            // `Some(None)`: a value that needs evaluation; no guess.
            let context = match context {
                Some(None) => return None,
                Some(Some(c)) => Some(c),
                None => None,
            };
            let dockerfile = match dockerfile {
                Some(None) => return None,
                Some(Some(d)) => Some(d),
                None => None,
            };
            definition(
                base,
                context.as_deref(),
                dockerfile.as_deref(),
                Source::Bake {
                    file: file.to_path_buf(),
                    target: name.clone(),
                },
                args,
            )
        })
        .collect()
}

fn bake_hcl_targets(text: &str) -> Result<Vec<(String, Target)>, String> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| format!("not HCL: {e}"))?;
    let string = |b: &hcl_edit::structure::Body, key: &str| -> Set {
        b.get_attribute(key)
            .map(|a| a.value.as_str().map(str::to_string))
    };
    let mut targets = Vec::new();
    for block in body.blocks() {
        if !block.has_ident("target") {
            continue;
        }
        let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
            continue;
        };
        let inherits = block
            .body
            .get_attribute("inherits")
            .and_then(|a| a.value.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let named = hcl_keys(&block.body, "contexts");
        let args = hcl_keys(&block.body, "args");
        targets.push((
            name,
            Target {
                context: string(&block.body, "context"),
                dockerfile: string(&block.body, "dockerfile"),
                inherits,
                named,
                args,
            },
        ));
    }
    Ok(targets)
}

fn bake_json_targets(text: &str) -> Result<Vec<(String, Target)>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let string = |t: &serde_json::Value, key: &str| -> Set {
        t.get(key).map(|v| v.as_str().map(str::to_string))
    };
    let mut targets = Vec::new();
    if let Some(map) = value.get("target").and_then(|t| t.as_object()) {
        for (name, t) in map {
            let inherits = t
                .get("inherits")
                .and_then(|i| i.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let keys = |key: &str| -> Vec<String> {
                t.get(key)
                    .and_then(|c| c.as_object())
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let named = keys("contexts");
            let args = keys("args");
            targets.push((
                name.clone(),
                Target {
                    context: string(t, "context"),
                    dockerfile: string(t, "dockerfile"),
                    inherits,
                    named,
                    args,
                },
            ));
        }
    }
    Ok(targets)
}

#[cfg(test)]
fn bake_hcl(file: &Path, text: &str) -> Result<Vec<Definition>, String> {
    Ok(bake_definitions(file, &merged(bake_hcl_targets(text)?)))
}

#[cfg(test)]
fn bake_json(file: &Path, text: &str) -> Result<Vec<Definition>, String> {
    Ok(bake_definitions(file, &merged(bake_json_targets(text)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs(file: &str, text: &str) -> Vec<(String, String, String)> {
        let file = Path::new("/r/sub").join(file);
        let read = if COMPOSE_NAMES.iter().any(|n| file.ends_with(n)) {
            compose(&file, text)
        } else if file.extension().is_some_and(|e| e == "json") {
            bake_json(&file, text)
        } else {
            bake_hcl(&file, text)
        };
        read.unwrap()
            .into_iter()
            .map(|d| {
                let name = match d.source {
                    Source::Compose { service, .. } => service,
                    Source::Bake { target, .. } => target,
                    _ => String::new(),
                };
                (
                    name,
                    d.context.display().to_string(),
                    d.dockerfile.display().to_string(),
                )
            })
            .collect()
    }

    fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.into(), b.into(), c.into())
    }

    #[test]
    fn compose_services() {
        let y = "services:\n  web:\n    build:\n      context: ..\n      dockerfile: docker/web.Dockerfile\n  api:\n    build: ./api\n  db:\n    image: postgres\n  env:\n    build:\n      context: ${ROOT}\n  inline:\n    build:\n      dockerfile_inline: FROM a\n  remote:\n    build: https://github.com/a/b.git\n";
        assert_eq!(
            defs("compose.yaml", y),
            vec![
                t("web", "/r", "/r/docker/web.Dockerfile"),
                t("api", "/r/sub/api", "/r/sub/api/Dockerfile"),
            ]
        );
    }

    #[test]
    fn bake_targets_with_inheritance() {
        let h = r#"
variable "TAG" { default = "latest" }
group "default" { targets = ["app"] }
target "base" {
  context = ".."
}
target "app" {
  inherits = ["base"]
  dockerfile = "docker/app.Dockerfile"
}
target "other" {
  context = "${ROOT}"
}
target "plain" {}
"#;
        assert_eq!(
            defs("docker-bake.hcl", h),
            vec![
                t("base", "/r", "/r/Dockerfile"),
                t("app", "/r", "/r/docker/app.Dockerfile"),
                t("plain", "/r/sub", "/r/sub/Dockerfile"),
            ]
        );
        let j = r#"{"target": {"app": {"context": "..", "dockerfile": "x/Dockerfile"}}}"#;
        assert_eq!(
            defs("docker-bake.json", j),
            vec![t("app", "/r", "/r/x/Dockerfile")]
        );
    }

    #[test]
    fn repeated_blocks_merge_and_cycles_end() {
        let h = "target \"web\" {\n  dockerfile = \"app/Dockerfile\"\n}\ntarget \"web\" {\n  context = \"app\"\n  dockerfile = \"Dockerfile\"\n}\ntarget \"a\" {\n  inherits = [\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\"]\n}\n";
        assert_eq!(
            defs("docker-bake.hcl", h),
            vec![
                t("web", "/r/sub/app", "/r/sub/app/Dockerfile"),
                t("a", "/r/sub", "/r/sub/Dockerfile"),
            ]
        );
        let y = "services:\n  web:\n    build:\n      dockerfile: app/Dockerfile\n  web2:\n    build:\n      context: x\n      dockerfile_inline: FROM a\n";
        assert_eq!(
            defs("compose.yaml", y),
            vec![t("web", "/r/sub", "/r/sub/app/Dockerfile")]
        );
    }

    #[test]
    fn named_contexts_are_read_from_compose_and_bake() {
        let names = |read: Result<Vec<(String, Target)>, String>| -> Vec<String> {
            read.unwrap()
                .into_iter()
                .flat_map(|(_, t)| t.named)
                .collect()
        };
        let y = "services:\n  a:\n    build:\n      context: .\n      additional_contexts:\n        assets: ./assets\n        base: docker-image://alpine:3.20\n  b:\n    build:\n      context: .\n      additional_contexts:\n        - tools=../tools\n";
        assert_eq!(
            names(super::compose_services(y)),
            ["assets", "base", "tools"]
        );
        // The default target's dockerfile is an expression: its build is not used, but its
        // named contexts are.
        let h = "target \"default\" {\n  contexts = {\n    php-base = \"docker-image://php:8.4-zts\"\n    \"golang-base\" = \"docker-image://golang:1.24\"\n  }\n  dockerfile = os == \"alpine\" ? \"alpine.Dockerfile\" : \"Dockerfile\"\n}\n";
        assert_eq!(names(bake_hcl_targets(h)), ["php-base", "golang-base"]);
        let j = "{\"target\": {\"x\": {\"contexts\": {\"src\": \"./src\"}}}}";
        assert_eq!(names(bake_json_targets(j)), ["src"]);
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("docker-bake.hcl"), h).unwrap();
        std::fs::create_dir(folder.path().join(".git")).unwrap();
        let chosen = ContextChooser::default().choose(
            &folder.path().join("Dockerfile"),
            None,
            &crate::settings::Settings::default(),
        );
        assert_eq!(chosen.named_contexts, ["php-base", "golang-base"]);
        assert_eq!(chosen.source, Source::DockerfileFolder);
        let given = ContextChooser::default().choose(
            &folder.path().join("Dockerfile"),
            Some(folder.path()),
            &crate::settings::Settings::default(),
        );
        assert_eq!(given.named_contexts, ["php-base", "golang-base"]);
        assert_eq!(given.source, Source::CommandLine);
    }

    #[test]
    fn compose_merge_keys_are_applied() {
        let y = "x-build: &build\n  context: ..\n  dockerfile: docker/app.Dockerfile\nx-service: &service\n  build:\n    context: ./svc\nservices:\n  web:\n    build:\n      <<: *build\n      dockerfile: docker/web.Dockerfile\n  worker:\n    <<: *service\n  both:\n    build:\n      <<: [*build, {context: ignored}]\n";
        assert_eq!(
            defs("compose.yaml", y),
            vec![
                t("web", "/r", "/r/docker/web.Dockerfile"),
                t("worker", "/r/sub/svc", "/r/sub/svc/Dockerfile"),
                t("both", "/r", "/r/docker/app.Dockerfile"),
            ]
        );
    }

    #[test]
    fn build_args_of_the_builds_of_the_dockerfile() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join(".git")).unwrap();
        std::fs::create_dir(folder.path().join("cron")).unwrap();
        let y = "x-args: &args\n  args:\n    - TAG\nservices:\n  cron:\n    build:\n      context: ./cron\n      args:\n        BASE_IMAGE: local\n  web:\n    build:\n      <<: *args\n      context: .\n";
        std::fs::write(folder.path().join("compose.yaml"), y).unwrap();
        let chooser = ContextChooser::default();
        let settings = crate::settings::Settings::default();
        let cron = chooser.choose(&folder.path().join("cron/Dockerfile"), None, &settings);
        assert_eq!(cron.build_args, ["BASE_IMAGE"]);
        let web = chooser.choose(&folder.path().join("Dockerfile"), None, &settings);
        assert_eq!(web.build_args, ["TAG"]);
        // Another Dockerfile gets nothing from builds that are not its own.
        let other = chooser.choose(&folder.path().join("other.Dockerfile"), None, &settings);
        assert!(other.build_args.is_empty());
        let h = "target \"base\" {\n  args = { VERSION = \"1\" }\n}\ntarget \"app\" {\n  inherits = [\"base\"]\n  args = { \"MODE\" = \"prod\" }\n}\n";
        let bake = tempfile::tempdir().unwrap();
        std::fs::create_dir(bake.path().join(".git")).unwrap();
        std::fs::write(bake.path().join("docker-bake.hcl"), h).unwrap();
        let app = chooser.choose(&bake.path().join("Dockerfile"), None, &settings);
        assert_eq!(app.build_args, ["VERSION", "MODE"]);
    }

    #[test]
    fn broken_files_are_reported_not_guessed() {
        assert!(compose(Path::new("/r/compose.yaml"), "services: [").is_err());
        assert!(bake_hcl(Path::new("/r/docker-bake.hcl"), "target \"a\" {").is_err());
    }

    #[test]
    fn lexical_paths() {
        assert_eq!(lexical(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(lexical(Path::new("a/../../b")), PathBuf::from("../b"));
    }
}
