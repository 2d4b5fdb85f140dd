//! Whole-corpus guarantees for every file BuildKit accepts: `check --fix --unsafe-fixes` with
//! every rule (and the SC family, with ShellCheck's fixes, when `shellcheck` is installed)
//! converges, re-parses, is idempotent and loses no comment or heredoc byte (ShellCheck's fixes
//! aside, on the lines of `RUN <<EOF` scripts where it suggested them);
//! `format` is idempotent, keeps BuildKit's view of every instruction and every comment.

mod common;

use common::*;
use dockerfix::settings::{FormatSettings, Settings};
use dockerfix::syntax::{self, Document, Item};

fn comments(doc: &Document) -> Vec<String> {
    let mut v: Vec<String> = doc
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Comment(s) => Some(*s),
            _ => None,
        })
        .chain(
            doc.instructions()
                .flat_map(|i| i.inner_comments.iter().copied()),
        )
        .map(|s| doc.slice(s).trim().to_string())
        .collect();
    v.sort();
    v
}

fn heredoc_bodies(doc: &Document) -> Vec<String> {
    doc.instructions()
        .flat_map(|i| i.heredocs.iter().map(|h| doc.slice(h.body).to_string()))
        .collect()
}

fn corpus_texts() -> Vec<(String, String)> {
    corpus_dockerfiles()
        .into_iter()
        .chain(handmade_cases())
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
            syntax::parse(&text).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

/// The fixed text parses, with the same comment lines and heredoc bodies as before, except on
/// the heredoc lines `fixable` names (heredoc index, line in its body): a
/// `RUN <<EOF` script's lines where a rule suggested a fix (ShellCheck's, or a command rule's
/// such as DF206's `--no-cache`), which may change there but keep their number of lines (the
/// edits in a heredoc body are within one line).
fn keeps_comments_and_heredocs_but(
    name: &str,
    before: &syntax::Document,
    fixed: &str,
    fixable: &std::collections::BTreeSet<(usize, usize)>,
) {
    let after =
        syntax::parse(fixed).unwrap_or_else(|e| panic!("{name}: fixed text does not parse: {e}"));
    assert_eq!(
        comments(before),
        comments(&after),
        "{name}: comments changed"
    );
    let (old, new) = (heredoc_bodies(before), heredoc_bodies(&after));
    assert_eq!(old.len(), new.len(), "{name}: heredocs changed");
    for (k, (a, b)) in old.iter().zip(&new).enumerate() {
        let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('\n').collect(), b.split('\n').collect());
        assert!(
            la.len() == lb.len()
                && la
                    .iter()
                    .zip(&lb)
                    .enumerate()
                    .all(|(i, (x, y))| x == y || fixable.contains(&(k, i))),
            "{name}: heredoc {k} changed:\n{a}\n----\n{b}"
        );
    }
}

/// The heredoc lines where a rule suggests a fix: (heredoc index, line in its body).
fn fixable_lines(
    doc: &Document,
    diagnostics: &[dockerfix::rules::Diagnostic],
) -> std::collections::BTreeSet<(usize, usize)> {
    let bodies: Vec<syntax::Span> = doc
        .instructions()
        .flat_map(|i| i.heredocs.iter().map(|h| h.body))
        .collect();
    diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| &f.edits)
        .filter_map(|e| {
            let k = bodies.iter().position(|b| b.contains(e.span))?;
            let body = doc.slice(bodies[k]);
            let line = body[..e.span.start - bodies[k].start].matches('\n').count();
            Some((k, line))
        })
        .collect()
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn fixing_converges_and_keeps_comments_and_heredocs() {
    let mut settings = Settings::default();
    settings.enabled.iter_mut().for_each(|e| *e = true);
    let texts = corpus_texts();
    // ShellCheck's fixes too (SC2086's quotes, SC2006's `$(...)`, ...), when it is installed.
    let runner = shellcheck_runner();
    if let Some(runner) = &runner {
        enable_shellcheck(&mut settings, runner, texts.iter().map(|(_, t)| t.as_str()));
    }
    let (mut files, mut changed, mut applied, mut shellcheck_fixes) = (0, 0, 0, 0);
    let mut per_rule: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (name, text) in texts {
        let before = syntax::parse(&text).unwrap();
        let file = dockerfix::FileOptions {
            shellcheck: runner.as_ref(),
            ..Default::default()
        };
        let diagnostics = dockerfix::lint(&before, &settings, &file);
        let fixable = fixable_lines(&before, &diagnostics);
        for d in diagnostics {
            let e = per_rule.entry(d.rule.code).or_default();
            e.0 += 1;
            e.1 += usize::from(d.fix.is_some());
        }
        let outcome = dockerfix::fix(
            &text,
            &settings,
            &dockerfix::FileOptions {
                unsafe_fixes: true,
                ..file
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        keeps_comments_and_heredocs_but(&name, &before, &outcome.text, &fixable);
        let again = dockerfix::fix(
            &outcome.text,
            &settings,
            &dockerfix::FileOptions {
                unsafe_fixes: true,
                ..file
            },
        )
        .unwrap();
        assert_eq!(
            again.text, outcome.text,
            "{name}: fixing twice changes the text"
        );
        files += 1;
        applied += outcome.applied.len();
        shellcheck_fixes += outcome
            .applied
            .iter()
            .filter(|a| a.rule.is_shellcheck())
            .count();
        changed += usize::from(outcome.text != text);
    }
    eprintln!("{files} files, {changed} fixed, {applied} fixes ({shellcheck_fixes} ShellCheck's)");
    // A summary of findings per rule (information, not asserted: it moves as rules improve).
    for (code, (n, fixable)) in &per_rule {
        eprintln!("  {code}: {n} findings, {fixable} with a fix");
    }
    assert!(
        files > 1400 && changed > 50,
        "{files} files, {changed} changed"
    );
    // With ShellCheck, its fixes do run on the corpus (SC2086 alone has hundreds).
    assert!(
        runner.is_none() || shellcheck_fixes > 100,
        "{shellcheck_fixes} ShellCheck fixes"
    );
}

/// The same guarantees with a build context that holds every manifest the context-aware rules
/// look for, so that their fixes (DF101's reordering, DF102's new .dockerignore) run on every
/// corpus file where they fire.
#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn fixing_with_a_build_context_converges() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("requirements.txt", "flask==3.0.0\n"),
        (
            "package.json",
            "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
        ),
        ("package-lock.json", "{\"lockfileVersion\": 3}\n"),
        ("yarn.lock", "# yarn lockfile v1\n"),
        ("go.mod", "module example.com/app\n\ngo 1.22\n"),
        ("go.sum", ""),
        ("Gemfile", "source 'https://rubygems.org'\ngem 'rack'\n"),
        ("Gemfile.lock", ""),
        ("composer.json", "{\"require\": {}}\n"),
        ("pom.xml", "<project></project>\n"),
        ("pyproject.toml", "[project]\nname = \"app\"\n"),
        ("poetry.lock", ""),
        ("Pipfile", "[packages]\n"),
        ("app.py", "print('hello')\n"),
        // What every generated .dockerignore keeps out (DF102 is quiet without it).
        (".idea/workspace.xml", "<project/>\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let context = dockerfix::context::BuildContext::new(dir.path());
    let mut settings = Settings::default();
    settings.enabled.iter_mut().for_each(|e| *e = true);
    let (mut files, mut df101, mut created) = (0, 0, 0);
    for (name, text) in corpus_texts() {
        let before = syntax::parse(&text).unwrap();
        let file = dockerfix::FileOptions {
            context: Some(&context),
            ..Default::default()
        };
        let fixable = fixable_lines(&before, &dockerfix::lint(&before, &settings, &file));
        let outcome = dockerfix::fix(
            &text,
            &settings,
            &dockerfix::FileOptions {
                unsafe_fixes: true,
                ..file
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        keeps_comments_and_heredocs_but(&name, &before, &outcome.text, &fixable);
        // Files the first run created count as written for the second.
        let written = outcome
            .created
            .iter()
            .fold(context.clone(), |c, f| c.with_file(f));
        let again = dockerfix::fix(
            &outcome.text,
            &settings,
            &dockerfix::FileOptions {
                context: Some(&written),
                unsafe_fixes: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            again.text, outcome.text,
            "{name}: fixing twice changes the text"
        );
        assert!(
            again.created.is_empty(),
            "{name}: a second run creates files again"
        );
        files += 1;
        df101 += outcome
            .applied
            .iter()
            .filter(|a| a.rule.code == "DF101")
            .count();
        created += outcome.created.len();
    }
    eprintln!("{files} files; DF101 fixed {df101} times; {created} files created");
    // Few corpus files install after `COPY . .` (most are already ordered), but some must.
    assert!(
        df101 >= 3 && created > 50,
        "DF101 fixed {df101} times, {created} files created"
    );
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn formatting_is_idempotent_and_keeps_meaning() {
    let settings = FormatSettings::default();
    let (mut files, mut changed, mut fallbacks) = (0, 0, Vec::new());
    for (name, text) in corpus_texts() {
        let (once, n) = dockerfix::format::format_counting_fallbacks(&text, &settings)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if n > 0 {
            fallbacks.push(format!("{name}: {n}"));
        }
        let twice = dockerfix::format::format(&once, &settings).unwrap();
        assert_eq!(once, twice, "{name}: format is not idempotent");
        let (a, b) = (syntax::parse(&text).unwrap(), syntax::parse(&once).unwrap());
        assert_eq!(a.meaning(), b.meaning(), "{name}: meaning changed");
        assert_eq!(comments(&a), comments(&b), "{name}: comments changed");
        assert_eq!(
            heredoc_bodies(&a),
            heredoc_bodies(&b),
            "{name}: heredocs changed"
        );
        assert_eq!(
            a.directives().count(),
            b.directives().count(),
            "{name}: directives"
        );
        assert_eq!(a.has_bom(), b.has_bom(), "{name}: BOM");
        files += 1;
        changed += usize::from(once != text);
    }
    eprintln!("{files} files, {changed} reformatted");
    // Where the full layout would change the meaning, the instruction is laid out
    // conservatively; each such place is a layout bug to fix, so they must stay rare.
    assert!(fallbacks.len() <= 5, "fallbacks:\n{}", fallbacks.join("\n"));
    assert!(files > 1400);
}

/// The options that widen DF201, DF308 and DF306 to hadolint's DL3059, DL3003 and DL4006
/// leave the defaults as they were and only add findings, none with a fix. Over the corpus:
/// a config that names the default values gives exactly the findings (messages, spans, fixes)
/// of no config; under the wide options every default finding is still there unchanged, each
/// other finding has no fix, and each option adds findings; and fixing with the wide options
/// changes each file exactly as fixing with the defaults.
#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn widening_options_only_add_findings_without_fixes() {
    let rules = ["DF201", "DF306", "DF308"];
    let settings = |config: &str| {
        let cfg: dockerfix::settings::ConfigFile = toml::from_str(config).unwrap();
        let mut s = Settings::from_config(&cfg, None).unwrap();
        for (i, r) in dockerfix::rules::RULES.iter().enumerate() {
            s.enabled[i] = rules.contains(&r.code);
        }
        s
    };
    let none = settings("");
    let named = settings(
        "[lint.mergeable-runs]\nscope = \"apt-sequence\"\n[lint.cd-in-run]\nscope = \"leading\"\n\
         [lint.pipefail]\npipes = \"downloads\"\n",
    );
    let wide = settings(
        "[lint.mergeable-runs]\nscope = \"consecutive\"\n[lint.cd-in-run]\nscope = \"any\"\n\
         [lint.pipefail]\npipes = \"all\"\n",
    );
    // A finding as data: rule, span, message, and its fix's title, applicability and edits.
    let seen = |d: &dockerfix::rules::Diagnostic| {
        (
            d.rule.code,
            d.span,
            d.message.clone(),
            d.fix
                .as_ref()
                .map(|f| format!("{:?} {} {:?}", f.applicability, f.title, f.edits)),
        )
    };
    let mut added: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut kept = 0;
    for (name, text) in corpus_texts() {
        let doc = syntax::parse(&text).unwrap();
        let lint = |s: &Settings| -> Vec<_> {
            dockerfix::lint(&doc, s, &Default::default())
                .iter()
                .map(seen)
                .collect()
        };
        let default = lint(&none);
        assert_eq!(default, lint(&named), "{name}: the named defaults differ");
        let widened = lint(&wide);
        for d in &default {
            assert!(
                widened.contains(d),
                "{name}: {d:?} is gone under the wide options"
            );
        }
        for d in widened.iter().filter(|d| !default.contains(d)) {
            assert!(d.3.is_none(), "{name}: a widened finding has a fix: {d:?}");
            *added.entry(d.0).or_default() += 1;
        }
        kept += default.len();
        let fix = |s: &Settings| {
            dockerfix::fix(
                &text,
                s,
                &dockerfix::FileOptions {
                    unsafe_fixes: true,
                    ..Default::default()
                },
            )
            .unwrap()
            .text
        };
        assert_eq!(
            fix(&none),
            fix(&wide),
            "{name}: the wide options change a fix"
        );
    }
    eprintln!("{kept} default findings kept; added: {added:?}");
    for rule in rules {
        assert!(
            added.get(rule).is_some_and(|n| *n > 100),
            "{rule}: the wide option adds {:?} findings",
            added.get(rule)
        );
    }
}

/// Under CI the corpus must be there: a checkout without it would report the corpus tests as
/// ignored and pass.
#[test]
fn the_corpus_is_there_under_ci() {
    let under_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    if under_ci && cfg!(dockerfix_no_corpus) {
        panic!(
            "CI is set but the shared corpus is missing (../shared, or DOCKERFIX_SHARED): the corpus tests would be skipped"
        );
    }
}
