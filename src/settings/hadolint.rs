//! `.hadolint.yaml` for teams that migrate: read when no dockerfix config applies to a file,
//! and printed by `dockerfix config --from-hadolint` as the equivalent `dockerfix.toml`. Both
//! go through one function, [`migrate`], which writes the TOML that is then read as any
//! `dockerfix.toml`: what is printed is exactly what is used.

use super::ConfigError;
use crate::rules;
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader};

/// hadolint's config names in a project folder.
pub const NAMES: &[&str] = &[".hadolint.yaml", ".hadolint.yml"];

/// A `.hadolint.yaml` as a `dockerfix.toml`, and what could not be carried over.
pub struct Migrated {
    pub toml: String,
    pub warnings: Vec<String>,
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The strings of a YAML value that is a string or a list of strings.
fn strings(v: &Yaml) -> Option<Vec<String>> {
    match v {
        Yaml::String(s) => Some(vec![s.clone()]),
        Yaml::Array(a) => a
            .iter()
            .map(|x| match x {
                Yaml::String(s) => Some(s.clone()),
                Yaml::Integer(i) => Some(i.to_string()),
                Yaml::Real(r) => Some(r.clone()),
                _ => None,
            })
            .collect(),
        Yaml::Null => Some(Vec::new()),
        _ => None,
    }
}

/// A hadolint code as a dockerfix selector, with the code as a comment when they differ; None
/// (and a warning) when no rule carries it.
fn selector(code: &str, warnings: &mut Vec<String>, key: &str) -> Option<(String, String)> {
    let code = code.trim();
    match rules::lookup(code) {
        Some(r) if r.is_shellcheck() => Some((r.code.to_string(), String::new())),
        Some(r) => Some((r.code.to_string(), format!("  # {code}"))),
        None => {
            warnings.push(format!(
                "`{key}`: `{code}` has no dockerfix rule (see docs/hadolint.md): not carried over"
            ));
            None
        }
    }
}

/// The hadolint codes whose dockerfix rule is narrower by default, and the option that widens
/// it to hadolint's reach: (code, table under `[lint]`, setting, what it then reports).
const WIDENING: &[(&str, &str, &str, &str)] = &[
    (
        "DL3059",
        "mergeable-runs",
        "scope = \"consecutive\"",
        "also each RUN right after a RUN, one command each",
    ),
    (
        "DL3003",
        "cd-in-run",
        "scope = \"any\"",
        "every `cd` in a RUN, not only `RUN cd /abs && ...`",
    ),
    (
        "DL4006",
        "pipefail",
        "pipes = \"all\"",
        "every pipe without pipefail, not only a download piped on",
    ),
];

/// Reads a `.hadolint.yaml` and writes its `dockerfix.toml`.
pub fn migrate(text: &str, path: &Path) -> Result<Migrated, ConfigError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    })?;
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let root = docs.into_iter().next().unwrap_or(Yaml::Null);
    let map = match root {
        Yaml::Hash(h) => h,
        Yaml::Null => Default::default(),
        _ => return Err(invalid("a `.hadolint.yaml` is a mapping of keys".into())),
    };
    let mut warnings = Vec::new();
    let mut top = Vec::new();
    let mut ignore: Vec<(String, String)> = Vec::new();
    let mut severity: Vec<(String, String, &str)> = Vec::new();
    let mut registries: Option<Vec<String>> = None;
    let mut labels: Vec<(String, &str)> = Vec::new();
    let mut strict = None;
    let mut threshold: Option<(&str, String)> = None;
    let mut no_fail = false;
    let mut no_pragmas = false;
    for (key, value) in &map {
        let Some(key) = key.as_str() else {
            warnings.push("a key that is not a string: ignored".into());
            continue;
        };
        match key {
            "ignored" => {
                let codes = strings(value)
                    .ok_or_else(|| invalid("`ignored` is a list of rule codes".into()))?;
                for code in codes {
                    if let Some(s) = selector(&code, &mut warnings, key)
                        && !ignore.iter().any(|(c, _)| *c == s.0)
                    {
                        ignore.push(s);
                    }
                }
            }
            "override" => {
                let Yaml::Hash(levels) = value else {
                    return Err(invalid(
                        "`override` maps error, warning, info and style to lists of codes".into(),
                    ));
                };
                for (level, codes) in levels {
                    let ours = match level.as_str() {
                        Some("error") => "error",
                        Some("warning") => "warning",
                        Some("info") => "info",
                        Some("style") => "info",
                        other => {
                            warnings.push(format!(
                                "`override`: unknown level `{}`: ignored",
                                other.unwrap_or("?")
                            ));
                            continue;
                        }
                    };
                    let level = level.as_str().unwrap_or_default();
                    let codes = strings(codes).ok_or_else(|| {
                        invalid(format!("`override.{level}` is a list of rule codes"))
                    })?;
                    for code in codes {
                        if let Some((code, note)) = selector(&code, &mut warnings, "override") {
                            let note = if level == ours {
                                note
                            } else {
                                format!("{} ({level})", if note.is_empty() { "  #" } else { &note })
                            };
                            severity.retain(|(c, _, _)| *c != code);
                            severity.push((code, note, ours));
                        }
                    }
                }
            }
            "trustedRegistries" => {
                registries = Some(strings(value).ok_or_else(|| {
                    invalid("`trustedRegistries` is a registry or a list of registries".into())
                })?);
            }
            "label-schema" => {
                let Yaml::Hash(schema) = value else {
                    return Err(invalid("`label-schema` maps label names to formats".into()));
                };
                for (name, format) in schema {
                    let (Some(name), Some(format)) = (name.as_str(), format.as_str()) else {
                        warnings.push("`label-schema`: an entry that is not `name: format`".into());
                        continue;
                    };
                    let ours = match format {
                        "text" => "text",
                        "url" => "url",
                        "rfc3339" => "rfc3339",
                        "semver" => "semver",
                        "hash" => "hash",
                        "spdx" => "spdx",
                        "email" => "email",
                        other => {
                            warnings.push(format!(
                                "`label-schema`: `{name}` has an unknown format `{other}`: ignored"
                            ));
                            continue;
                        }
                    };
                    labels.push((name.to_string(), ours));
                }
            }
            "strict-labels" => strict = value.as_bool(),
            "failure-threshold" => {
                let level = value.as_str().unwrap_or_default();
                let ours = match level {
                    "error" => "error",
                    "warning" => "warning",
                    "info" | "style" => "info",
                    "ignore" | "none" => "never",
                    other => {
                        warnings.push(format!(
                            "`failure-threshold`: unknown level `{other}`: ignored"
                        ));
                        continue;
                    }
                };
                threshold = Some((ours, level.to_string()));
            }
            "no-fail" => no_fail = value.as_bool().unwrap_or(false),
            "format" | "no-color" | "verbose" => warnings.push(format!(
                "`{key}`: output options are the command line's (`--output-format`, `--color`, `-v`): not carried over"
            )),
            "disable-ignore-pragma" => no_pragmas = value.as_bool().unwrap_or(false),
            other => warnings.push(format!("unknown key `{other}`: ignored")),
        }
    }
    let mut out = format!(
        "# The equivalent of {}, made by dockerfix: hadolint's codes are mapped to dockerfix's\n\
         # rules through their aliases (docs/hadolint.md).\n",
        path.display()
    );
    if no_fail {
        top.push("fail-on = \"never\"  # no-fail: true".to_string());
    } else if let Some((ours, theirs)) = threshold {
        top.push(format!(
            "fail-on = {}  # failure-threshold: {theirs}",
            quote(ours)
        ));
    }
    if !ignore.is_empty() {
        let mut s = "ignore = [\n".to_string();
        for (code, note) in &ignore {
            s.push_str(&format!("    {},{note}\n", quote(code)));
        }
        s.push(']');
        top.push(s);
    }
    for line in top {
        out.push_str(&line);
        out.push('\n');
    }
    if no_pragmas {
        out.push_str(
            "\n[lint]\nhadolint-comments = false  # disable-ignore-pragma: true (dockerfix's own comments still count)\n",
        );
    }
    if !severity.is_empty() {
        out.push_str("\n[lint.severity]\n");
        for (code, note, level) in &severity {
            out.push_str(&format!("{} = {}{note}\n", quote(code), quote(level)));
        }
    }
    if let Some(r) = registries {
        out.push_str("\n[lint.trusted-registries]\nregistries = [");
        out.push_str(&r.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", "));
        out.push_str("]\n");
    }
    if !labels.is_empty() {
        out.push_str("\n[lint.label-schema]\n");
        if strict == Some(true) {
            out.push_str("strict = true\n");
        }
        out.push_str("[lint.label-schema.labels]\n");
        for (name, format) in &labels {
            out.push_str(&format!("{} = {}\n", quote(name), quote(format)));
        }
    } else if strict == Some(true) {
        warnings.push("`strict-labels` without a `label-schema`: nothing to check".into());
    }
    // The rules narrower than their hadolint code by default: the option that gives
    // hadolint's reach, shown but not turned on (the defaults are the precision decision),
    // for each code the file does not ignore.
    let wide: Vec<&(&str, &str, &str, &str)> = WIDENING
        .iter()
        .filter(|(code, ..)| {
            let ours = rules::lookup(code).map(|r| r.code);
            !ignore.iter().any(|(c, _)| Some(c.as_str()) == ours)
        })
        .collect();
    if !wide.is_empty() {
        out.push_str(
            "\n# dockerfix reports less than hadolint for these codes by default (the narrower\n\
             # rules are right more often, docs/hadolint.md); to keep hadolint's reach, uncomment:\n",
        );
        for (code, table, setting, what) in wide {
            out.push_str(&format!(
                "# [lint.{table}]\n# {setting}  # {code}: {what}\n"
            ));
            // An option of a rule that is off by default does nothing until the rule is on.
            if let Some(rule) = rules::lookup(code).filter(|r| !r.default_enabled) {
                out.push_str(&format!(
                    "# # ({} is off by default: also add \"{}\" to `extend-select` under [lint])\n",
                    rule.code, rule.code
                ));
            }
        }
    }
    Ok(Migrated {
        toml: out,
        warnings,
    })
}

/// The `.hadolint.yaml` hadolint would use outside a project folder: in hadolint's order,
/// `$XDG_CONFIG_HOME/hadolint.yaml` (or `~/.config/`), `~/.hadolint/hadolint.yaml`,
/// `~/.hadolint/config.yaml`, `~/.hadolint.yaml` (each also `.yml`).
pub fn user_config() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    let mut candidates = Vec::new();
    if let Some(x) = xdg {
        candidates.extend(["hadolint.yaml", "hadolint.yml"].map(|n| x.join(n)));
    }
    if let Some(h) = &home {
        let dir = h.join(".hadolint");
        candidates.extend(
            ["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"].map(|n| dir.join(n)),
        );
        candidates.extend(NAMES.iter().map(|n| h.join(n)));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// Whether a config path is a hadolint one (read through [`migrate`]).
pub fn is_hadolint(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_codes_and_levels() {
        let yaml = "ignored: [DL3008, SC1010, DL1001]\noverride:\n  error: [DL3014]\n  style: [DL3015]\n\
                    trustedRegistries: docker.io\nlabel-schema:\n  author: text\n  created: rfc3339\n\
                    strict-labels: true\nfailure-threshold: warning\nfrobnicate: 1\n";
        let m = migrate(yaml, Path::new(".hadolint.yaml")).unwrap();
        let cfg: super::super::ConfigFile = toml::from_str(&m.toml).unwrap();
        assert_eq!(
            cfg.ignore.unwrap(),
            ["DF404", "SC1010"].map(String::from).to_vec(),
            "{}",
            m.toml
        );
        let lint = cfg.lint.unwrap();
        let sev = lint.severity.unwrap();
        assert_eq!(sev.get("DF204"), Some(&rules::Severity::Error));
        assert_eq!(sev.get("DF203"), Some(&rules::Severity::Info));
        assert_eq!(lint.trusted_registries.unwrap().registries, ["docker.io"]);
        let schema = lint.label_schema.unwrap();
        assert_eq!(schema.labels.len(), 2);
        assert_eq!(schema.strict, Some(true));
        assert_eq!(cfg.fail_on, Some(super::super::FailOn::Warning));
        assert!(m.warnings.iter().any(|w| w.contains("DL1001")));
        assert!(m.warnings.iter().any(|w| w.contains("frobnicate")));
    }

    #[test]
    fn widening_options_shown_commented_out() {
        let all = migrate("", Path::new(".hadolint.yaml")).unwrap().toml;
        for line in [
            "# [lint.mergeable-runs]\n# scope = \"consecutive\"  # DL3059: ",
            "# [lint.cd-in-run]\n# scope = \"any\"  # DL3003: ",
            "# [lint.pipefail]\n# pipes = \"all\"  # DL4006: ",
        ] {
            assert!(all.contains(line), "{all}");
        }
        // DF308 is off by default: its option alone would do nothing.
        assert!(
            all.contains("(DF308 is off by default: also add \"DF308\" to `extend-select`"),
            "{all}"
        );
        assert!(!all.contains("(DF306 is off by default"), "{all}");
        // Shown, not used: the text reads back with the defaults.
        let cfg: super::super::ConfigFile = toml::from_str(&all).unwrap();
        let s = super::super::Settings::from_config(&cfg, None).unwrap();
        assert_eq!(s.pipefail_pipes, super::super::PipefailPipes::Downloads);
        // Uncommented, they read back as the options.
        let uncommented: String = all
            .lines()
            .map(|l| {
                let setting = ["# [lint.", "# scope = ", "# pipes = "]
                    .iter()
                    .any(|p| l.starts_with(p));
                format!("{}\n", if setting { &l[2..] } else { l })
            })
            .collect();
        let cfg: super::super::ConfigFile = toml::from_str(&uncommented).unwrap();
        let s = super::super::Settings::from_config(&cfg, None).unwrap();
        assert_eq!(
            (s.merge_scope, s.cd_scope, s.pipefail_pipes),
            (
                super::super::MergeScope::Consecutive,
                super::super::CdScope::Any,
                super::super::PipefailPipes::All
            ),
            "{uncommented}"
        );
        // A code the file ignores gets none; with all three ignored, no note either.
        let some = migrate("ignored: [DL3059, DL4006]\n", Path::new("h.yaml"))
            .unwrap()
            .toml;
        assert!(
            some.contains("# [lint.cd-in-run]")
                && !some.contains("mergeable-runs")
                && !some.contains("[lint.pipefail]"),
            "{some}"
        );
        let none = migrate("ignored: [DL3059, DL4006, DL3003]\n", Path::new("h.yaml"))
            .unwrap()
            .toml;
        assert!(!none.contains("uncomment"), "{none}");
    }

    #[test]
    fn no_fail_and_bad_yaml() {
        let m = migrate(
            "no-fail: true\nfailure-threshold: error\n",
            Path::new("h.yaml"),
        )
        .unwrap();
        assert!(m.toml.contains("fail-on = \"never\""), "{}", m.toml);
        assert!(migrate("ignored: [\n", Path::new("h.yaml")).is_err());
        assert!(
            migrate("", Path::new("h.yaml"))
                .unwrap()
                .warnings
                .is_empty()
        );
    }
}
