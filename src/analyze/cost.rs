//! What a layer costs to build: from a build log (`--timings`) when there is one, else a cost
//! class per instruction with a relative weight. The weights are rough seconds on a CI runner
//! with a warm package mirror, so that a log's figures and the classes can stand side by side;
//! `docs/cache-model.md` lists them and where they come from.

use crate::rules::{ShellRun, programs};
use crate::shell::programs::Call;
use crate::syntax::Instruction;
use serde::Serialize;

/// The kind of work a layer does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostClass {
    /// ENV, LABEL, WORKDIR, USER, CMD...: a change of the image's configuration.
    Metadata,
    /// FROM: the base image, pulled once and kept.
    BaseImage,
    /// COPY or ADD of context files (or from a stage): by size.
    Copy,
    /// curl, wget, `git clone`, ADD of a URL, `apt-get update`.
    Download,
    /// apt-get/apk/dnf/zypper install or upgrade.
    PackageInstall,
    /// pip, uv, poetry, pipenv, npm, yarn, pnpm, gem, bundle, composer, `go mod download`,
    /// `cargo fetch`.
    DependencyInstall,
    /// go build, cargo build, make, compilers, Maven, Gradle, `npm run build`.
    Compile,
    /// Any other RUN.
    Command,
    /// Taken from the build log.
    Measured,
}

/// The weight of a class (rough seconds).
pub fn weight(class: CostClass) -> f64 {
    match class {
        CostClass::Metadata | CostClass::BaseImage | CostClass::Measured => 0.0,
        CostClass::Copy => 0.5,
        CostClass::Download => 10.0,
        CostClass::PackageInstall => 30.0,
        CostClass::DependencyInstall => 45.0,
        CostClass::Compile => 60.0,
        CostClass::Command => 1.0,
    }
}

/// A COPY's weight: half a second, plus a second per 50 MB.
pub fn copy_weight(bytes: u64) -> f64 {
    weight(CostClass::Copy) + bytes as f64 / 50e6
}

/// Programs without a grammar in the command model whose run is a compile.
const COMPILERS: &[&str] = &[
    "make",
    "cmake",
    "ninja",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "rustc",
    "javac",
    "mvn",
    "mvnw",
    "./mvnw",
    "gradle",
    "gradlew",
    "./gradlew",
    "dotnet",
    "tsc",
    "msbuild",
];

/// The class of one command, read by its program's grammar.
fn command_class(call: Option<&Call>, name: &str, sub2: Option<&str>) -> CostClass {
    use CostClass::*;
    let Some(call) = call else {
        let base = name.rsplit('/').next().unwrap_or(name);
        return if COMPILERS.contains(&name) || COMPILERS.contains(&base) {
            Compile
        } else if base == "git" && sub2 == Some("clone") {
            Download
        } else {
            Command
        };
    };
    let sub = call.subcommand().unwrap_or("");
    let g = call.grammar();
    let is = |x: &'static programs::Grammar| std::ptr::eq(g, x);
    if is(&programs::APT) {
        return match sub {
            "update" => Download,
            "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "reinstall" => {
                PackageInstall
            }
            _ => Command,
        };
    }
    if is(&programs::APK) {
        return if matches!(sub, "add" | "upgrade") {
            PackageInstall
        } else if sub == "update" {
            Download
        } else {
            Command
        };
    }
    if is(&programs::DNF) || is(&programs::ZYPPER) {
        return if matches!(
            sub,
            "install"
                | "in"
                | "upgrade"
                | "update"
                | "up"
                | "groupinstall"
                | "dist-upgrade"
                | "dup"
        ) {
            PackageInstall
        } else {
            Command
        };
    }
    if is(&programs::PIP) || is(&programs::GEM) {
        return if sub == "install" {
            DependencyInstall
        } else {
            Command
        };
    }
    if is(&programs::UV) {
        let nested = call.subcommand_at(1).unwrap_or("");
        return if matches!(sub, "sync" | "add") || (sub == "pip" && nested == "install") {
            DependencyInstall
        } else if sub == "build" {
            Compile
        } else {
            Command
        };
    }
    if is(&programs::POETRY)
        || is(&programs::PIPENV)
        || is(&programs::BUNDLE)
        || is(&programs::COMPOSER)
    {
        return if matches!(sub, "install" | "sync" | "update" | "require" | "") {
            DependencyInstall
        } else if sub == "build" {
            Compile
        } else {
            Command
        };
    }
    if is(&programs::NPM) || is(&programs::YARN) || is(&programs::PNPM) {
        let yarn = is(&programs::YARN);
        return match sub {
            "ci" | "install" | "i" | "add" => DependencyInstall,
            "" if yarn => DependencyInstall,
            "run" | "run-script" if call.operands().any(|o| o.value.contains("build")) => Compile,
            "build" => Compile,
            _ => Command,
        };
    }
    if is(&programs::GO) {
        let nested = call.subcommand_at(1).unwrap_or("");
        return match sub {
            "build" | "install" | "test" | "generate" => Compile,
            "get" => DependencyInstall,
            "mod" if nested == "download" => DependencyInstall,
            _ => Command,
        };
    }
    if is(&programs::CARGO) {
        return match sub {
            "build" | "install" | "test" | "chef" => Compile,
            "fetch" => DependencyInstall,
            _ => Command,
        };
    }
    if is(&programs::CURL) || is(&programs::WGET) {
        return Download;
    }
    Command
}

/// A RUN's class and weight: one for starting it, plus the weight of each command (the
/// class shown is the heaviest command's).
pub fn run_class(run: Option<&ShellRun>, _ins: &Instruction) -> (CostClass, f64) {
    let Some(run) = run else {
        return (CostClass::Command, weight(CostClass::Command));
    };
    let mut total = weight(CostClass::Command);
    let mut class = CostClass::Command;
    for cmd in run.nested_commands().flatten() {
        let call = Call::read(cmd);
        let name = cmd.program().unwrap_or("");
        let second = cmd
            .words
            .get(cmd.name_index() + 1)
            .map(|w| w.value.as_str());
        let c = command_class(call.as_ref(), name, second);
        if c != CostClass::Command {
            total += weight(c);
            if weight(c) > weight(class) {
                class = c;
            }
        }
    }
    (class, total)
}

/// The durations of the steps of a build log.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Each step's instruction text (normalized) and seconds, in the log's order; cached
    /// steps are left out (the log has no time for them).
    pub steps: Vec<(String, f64)>,
}

/// An instruction's text as a log shows it, for matching: blanks collapsed, lower case.
pub(crate) fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A timestamp at the start of a line: seconds since the epoch (`1765000000.123`), a clock
/// time (`12:03:04.5`), or an RFC 3339 time (`2026-12-06T12:03:04.5Z`), each alone or in
/// brackets. Returns the seconds and the rest of the line.
fn timestamp(line: &str) -> Option<(f64, &str)> {
    let line = line.trim_start();
    let (token, rest) = line.split_once(char::is_whitespace)?;
    let token = token.trim_start_matches('[').trim_end_matches(']');
    if let Ok(v) = token.parse::<f64>() {
        return Some((v, rest));
    }
    let clock = match token.split_once('T') {
        Some((date, time)) if date.len() == 10 => time.trim_end_matches('Z'),
        Some(_) => return None,
        None => token,
    };
    let clock = clock.split(['+', 'Z']).next().unwrap_or(clock);
    let mut parts = clock.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let v =
        h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?;
    Some((v, rest))
}

impl Timings {
    /// Reads BuildKit's `--progress=plain` output (`#7 [2/4] RUN ...`, `#7 DONE 5.2s`) or
    /// buildah's (`STEP 2/4: RUN ...`) with a timestamp at the start of each line (as `ts
    /// '%.s'` or `ts '%H:%M:%.S'` add it): a step lasts until the next step or the log's end.
    pub fn parse(text: &str) -> Timings {
        let mut steps = Vec::new();
        // BuildKit: vertex number -> index into steps.
        let mut names: std::collections::HashMap<String, String> = Default::default();
        let mut buildah: Option<(String, f64, bool)> = None;
        let mut last_time = None;
        for raw in text.lines() {
            let (time, line) = match timestamp(raw) {
                Some((t, rest)) => (Some(t), rest.trim_start()),
                None => (None, raw.trim_start()),
            };
            if time.is_some() {
                last_time = time;
            }
            if let Some(rest) = line.strip_prefix('#') {
                let Some((num, body)) = rest.split_once(' ') else {
                    continue;
                };
                if body.starts_with('[') {
                    if let Some((_, name)) = body.split_once("] ") {
                        names.insert(num.to_string(), normalize(name));
                    }
                } else if let Some(d) = body.strip_prefix("DONE ") {
                    let secs = d.trim().trim_end_matches('s').parse::<f64>().ok();
                    if let (Some(name), Some(secs)) = (names.get(num), secs) {
                        steps.push((name.clone(), secs));
                    }
                }
                continue;
            }
            // A multi-stage build's lines start with the stage: `[2/3] STEP 1/4: ...`.
            let line = match line.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                Some((n, rest)) if n.split('/').all(|x| x.parse::<u32>().is_ok()) => rest,
                _ => line,
            };
            let step = line.strip_prefix("STEP ").and_then(|r| r.split_once(": "));
            let commit = line.starts_with("COMMIT")
                || line.starts_with("--> ") && !line.contains("Using cache");
            if (step.is_some() || commit)
                && let (Some((name, t0, cached)), Some(t)) = (buildah.take(), time)
                && !cached
            {
                steps.push((name, (t - t0).max(0.0)));
            }
            if let (Some((_, name)), Some(t)) = (step, time) {
                buildah = Some((normalize(name), t, false));
            } else if line.contains("Using cache")
                && let Some(b) = buildah.as_mut()
            {
                b.2 = true;
            }
        }
        if let (Some((name, t0, false)), Some(t)) = (buildah, last_time) {
            steps.push((name, (t - t0).max(0.0)));
        }
        Timings { steps }
    }

    /// The seconds of the step that ran `key` (an instruction's text), taking the steps in
    /// order from `cursor` (so that two equal instructions take two steps).
    pub(crate) fn take(&self, key: &str, cursor: &mut usize) -> Option<f64> {
        let key = normalize(key);
        let found = (*cursor..self.steps.len())
            .chain(0..*cursor)
            .find(|&i| self.steps.get(i).is_some_and(|(n, _)| *n == key))?;
        *cursor = found + 1;
        self.steps.get(found).map(|(_, s)| *s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildkit_plain_and_buildah_logs() {
        let bk = "#5 [2/4] COPY . .\n#5 DONE 0.1s\n#6 [3/4] RUN pip install   -r requirements.txt\n\
                  #6 0.3 Collecting flask\n#6 DONE 12.5s\n#7 [4/4] RUN true\n#7 CACHED\n";
        let t = Timings::parse(bk);
        assert_eq!(
            t.steps,
            vec![
                ("copy . .".into(), 0.1),
                ("run pip install -r requirements.txt".into(), 12.5)
            ]
        );
        let mut c = 0;
        assert_eq!(
            t.take("RUN pip install -r requirements.txt", &mut c),
            Some(12.5)
        );
        assert_eq!(t.take("RUN true", &mut c), None);
        let bh = "1765000000.0 STEP 1/3: FROM python\n1765000001.0 STEP 2/3: COPY . .\n\
                  1765000001.5 STEP 3/3: RUN pip install x\n1765000002.0 --> Using cache abc\n\
                  1765000002.0 COMMIT img\n";
        let t = Timings::parse(bh);
        assert_eq!(
            t.steps,
            vec![("from python".into(), 1.0), ("copy . .".into(), 0.5)]
        );
        let stages = "1.0 [1/2] STEP 1/2: FROM golang AS build\n2.0 [1/2] STEP 2/2: RUN go build\n\
                      9.0 --> 054c80\n9.0 [2/2] STEP 1/2: FROM debian\n\
                      9.5 [2/2] STEP 2/2: COPY --from=build /a /a\n10.0 [2/2] COMMIT x\n";
        let steps = Timings::parse(stages).steps;
        assert_eq!(steps.get(1), Some(&("run go build".to_string(), 7.0)));
        assert_eq!(
            steps.get(3),
            Some(&("copy --from=build /a /a".to_string(), 0.5))
        );
        let clock =
            "12:00:00.0 STEP 1/2: FROM x\n12:00:01.0 STEP 2/2: RUN make\n12:01:01.0 COMMIT\n";
        assert_eq!(
            Timings::parse(clock).steps.get(1),
            Some(&("run make".to_string(), 60.0))
        );
    }
}
