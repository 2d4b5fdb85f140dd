//! Fix output looks hand-written: on every corpus file that `format` already accepts (the
//! file as formatted), `check --fix --unsafe-fixes` with every rule gives text that `format
//! --check` accepts with the same settings, for several option sets (the SC family's fixes
//! too when `shellcheck` is installed). A fix that wrote its own
//! layout (a package line glued to `&& rm -rf ...`, another indentation) would fail here.

mod common;

use dockerfix::settings::{AndPosition, FormatSettings, Settings};

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn fixed_text_is_formatted() {
    let option_sets = [
        FormatSettings::default(),
        FormatSettings {
            and_position: AndPosition::Leading,
            indent_width: Some(2),
            ..FormatSettings::default()
        },
        FormatSettings {
            and_position: AndPosition::Trailing,
            ..FormatSettings::default()
        },
        FormatSettings {
            indent_style: Some(dockerfix::settings::IndentStyle::Tab),
            ..FormatSettings::default()
        },
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    let texts: Vec<_> = common::corpus_dockerfiles()
        .into_iter()
        .filter_map(|p| Some((std::fs::read_to_string(&p).ok()?, p)))
        .collect();
    // ShellCheck's fixes too, when it is installed (on the texts as each option set formats
    // them: the scripts are the same, the layout aside).
    let runner = common::shellcheck_runner();
    let mut all = Settings::default();
    all.enabled.iter_mut().for_each(|e| *e = true);
    if let Some(runner) = &runner {
        let formatted: Vec<String> = texts
            .iter()
            .flat_map(|(t, _)| {
                option_sets
                    .iter()
                    .filter_map(|f| dockerfix::format::format(t, f).ok())
            })
            .collect();
        common::enable_shellcheck(&mut all, runner, formatted.iter().map(String::as_str));
    }
    for (text, path) in &texts {
        for fmt in &option_sets {
            let Ok(formatted) = dockerfix::format::format(text, fmt) else {
                continue;
            };
            let mut settings = all.clone();
            settings.format = *fmt;
            let Ok(fixed) = dockerfix::fix(
                &formatted,
                &settings,
                &dockerfix::FileOptions {
                    unsafe_fixes: true,
                    shellcheck: runner.as_ref(),
                    ..Default::default()
                },
            ) else {
                continue;
            };
            if fixed.applied.is_empty() {
                continue;
            }
            checked += 1;
            let again = dockerfix::format::format(&fixed.text, fmt).unwrap();
            if again != fixed.text {
                let rules: std::collections::BTreeSet<_> =
                    fixed.applied.iter().map(|a| a.rule.code).collect();
                let diff = similar::TextDiff::from_lines(&fixed.text, &again)
                    .unified_diff()
                    .context_radius(1)
                    .to_string();
                failures.push(format!(
                    "{} ({:?}, indent {:?}; fixes {rules:?}):\n{diff}",
                    path.display(),
                    fmt.and_position,
                    fmt.indent_width
                ));
            }
        }
    }
    assert!(checked > 500, "only {checked} fixed files");
    assert!(
        failures.is_empty(),
        "{} of {checked} fixed files are not formatted:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
