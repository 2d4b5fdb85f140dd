//! Per-rule fixtures (`tests/fixtures/rules/*.Dockerfile`): a snapshot of the diagnostics of
//! the fixture's rule, and of the text after `--fix --unsafe-fixes`. A fixture folder
//! (`tests/fixtures/rules/DF101-flask/`) is a build context: its `Dockerfile` is checked with
//! the folder as context, and the files that fixes create are part of the snapshot. Each fixture mixes cases
//! that fire and `# ok` cases that must not; the snapshots are reviewed by hand.

use dockerfix::context::BuildContext;
use dockerfix::settings::Settings;
use std::path::Path;

/// The rules a fixture is about, from its name: `DF204-shell` is DF204, `DF001-DF004` is
/// DF001 to DF004. Only those run, so each snapshot shows its own rule's findings and fixes
/// (interactions between rules are the corpus tests' job).
fn rules_of(name: &str) -> Settings {
    let codes: Vec<u32> = name
        .split(['-', '.'])
        .filter_map(|p| p.strip_prefix("DF")?.parse().ok())
        .collect();
    let (lo, hi) = match codes.as_slice() {
        [one] => (*one, *one),
        [a, b, ..] => (*a, *b),
        [] => panic!("{name}: no rule code in the name"),
    };
    let mut s = Settings::default();
    for (i, rule) in dockerfix::rules::RULES.iter().enumerate() {
        // The SC family has no number of its own (its fixtures would need ShellCheck).
        let Some(n) = rule
            .code
            .strip_prefix("DF")
            .and_then(|c| c.parse::<u32>().ok())
        else {
            continue;
        };
        s.enabled[i] = (lo..=hi).contains(&n);
    }
    s
}

/// Copies a folder, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn render(name: &str) -> String {
    let mut path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name);
    // A fixture folder with its own `.gitignore` stands for a repository of its own: it is
    // checked from a copy with a `.git` folder, so that what holds the tests (this repository,
    // or the packaged crate under an ignored `target/`) does not decide what git says of its
    // files (DF103).
    let _repo = path.join(".gitignore").is_file().then(|| {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&path, dir.path());
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        path = dir.path().to_path_buf();
        dir
    });
    // A fixture folder is a build context with its `Dockerfile`; a single file has none.
    let context = path.is_dir().then(|| {
        let ctx = BuildContext::new(&path).for_dockerfile(&path.join("Dockerfile"));
        path = path.join("Dockerfile");
        ctx
    });
    let context = context.as_ref();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut settings = rules_of(name);
    // A first line `# strategy: mount` runs the fixture under `[lint.package-cache] strategy =
    // "mount"`.
    if text.lines().next().map(str::trim) == Some("# strategy: mount") {
        settings.cache_strategy = dockerfix::settings::CacheStrategy::Mount;
    }
    // A first line `# non-root-user: NAME` runs it under `[lint.non-root-user] user = "NAME"`.
    if let Some(user) = text
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix("# non-root-user: "))
    {
        settings.non_root_user = user.to_string();
    }
    // First lines `# config: TOML` (a dotted key each; after the parser directives, if any)
    // run it under that configuration: the settings a configured list gives the rules (the
    // fixture's rules stay the only ones on).
    let config: String = text
        .lines()
        .skip_while(|l| l.starts_with("# escape=") || l.starts_with("# syntax="))
        .map_while(|l| l.strip_prefix("# config: "))
        .map(|l| format!("{l}\n"))
        .collect();
    if !config.is_empty() {
        let cfg: dockerfix::settings::ConfigFile = toml::from_str(&config).unwrap();
        let configured = Settings::from_config(&cfg, None).unwrap();
        settings = Settings {
            enabled: settings.enabled,
            ..configured
        };
    }
    let doc = dockerfix::syntax::parse(&text).unwrap();
    let diagnostics = dockerfix::lint(
        &doc,
        &settings,
        &dockerfix::FileOptions {
            context,
            ..Default::default()
        },
    );
    let mut out = String::new();
    for d in &diagnostics {
        let (l, c) = doc.line_col(d.span.start);
        let fix = match &d.fix {
            Some(f) => format!(" [{:?}: {}]", f.applicability, f.title),
            None => String::new(),
        };
        out.push_str(&format!("{l}:{c} {} {}{fix}\n", d.rule.code, d.message));
    }
    let fixed = dockerfix::fix(
        &text,
        &settings,
        &dockerfix::FileOptions {
            context,
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .unwrap();
    // Fixing is idempotent and the result parses (files the fix created count as written).
    let after = context.map(|c| fixed.created.iter().fold(c.clone(), |c, f| c.with_file(f)));
    let again = dockerfix::fix(
        &fixed.text,
        &settings,
        &dockerfix::FileOptions {
            context: after.as_ref(),
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        again.text, fixed.text,
        "{name}: fixing twice changes the text"
    );
    assert!(again.applied.is_empty());
    // Safe fixes alone are a subset.
    let safe = dockerfix::fix(
        &text,
        &settings,
        &dockerfix::FileOptions {
            context,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(safe.applied.iter().all(|a| a.rule.code != "DF901"));
    out.push_str("----- fixed (--unsafe-fixes) -----\n");
    out.push_str(&fixed.text);
    for f in &fixed.created {
        out.push_str(&format!("----- created {} -----\n{}", f.path, f.content));
    }
    out
}

macro_rules! fixture {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(stringify!($test), render($file));
            });
        }
    };
}

fixture!(df204_package_manager_prompt, "DF204.Dockerfile");
fixture!(df204_windows_skipped, "DF204-windows.Dockerfile");
fixture!(df204_shell_instruction, "DF204-shell.Dockerfile");
fixture!(df302_shell_form_cmd, "DF302.Dockerfile");
fixture!(df302_not_a_program, "DF302-not-a-program.Dockerfile");
fixture!(df901_maintainer_deprecated, "DF901.Dockerfile");
fixture!(df901_backtick_escape, "DF901-backtick.Dockerfile");
fixture!(df001_to_df004_build_errors, "DF001-DF004.Dockerfile");
fixture!(df206_apk_cache, "DF206.Dockerfile");
fixture!(df207_rpm_family_clean, "DF207.Dockerfile");
fixture!(df208_pip_cache, "DF208.Dockerfile");
fixture!(df201_mergeable_runs, "DF201.Dockerfile");
fixture!(df104_apt_update_alone, "DF104.Dockerfile");
fixture!(df202_apt_lists_not_removed, "DF202.Dockerfile");
fixture!(df203_apt_install_recommends, "DF203.Dockerfile");
fixture!(df205_use_apt_get, "DF205.Dockerfile");
fixture!(df303_secret_in_arg_env, "DF303.Dockerfile");
fixture!(df304_sudo, "DF304.Dockerfile");
fixture!(df305_pipe_to_shell, "DF305.Dockerfile");
fixture!(df307_add_url_checksum, "DF307.Dockerfile");
fixture!(df306_pipefail, "DF306.Dockerfile");
fixture!(df401_unpinned_base, "DF401.Dockerfile");
fixture!(df402_base_not_digest, "DF402.Dockerfile");
fixture!(df403_unpinned_packages, "DF403.Dockerfile");
fixture!(df502_syntax_directive, "DF502.Dockerfile");
fixture!(df502_after_bom, "DF502-bom.Dockerfile");
fixture!(df502_directive_present, "DF502-present.Dockerfile");
fixture!(df301_root_user, "DF301.Dockerfile");
fixture!(df301_node, "DF301-node.Dockerfile");
fixture!(df301_heredoc_script, "DF301-heredoc.Dockerfile");
fixture!(df301_dev_envs, "DF301-dev-envs.Dockerfile");
fixture!(df301_node_chown, "DF301-node-chown.Dockerfile");
fixture!(df301_alpine, "DF301-alpine.Dockerfile");
fixture!(df301_distroless_nonroot, "DF301-distroless.Dockerfile");
fixture!(df301_distroless_root, "DF301-distroless-root.Dockerfile");
fixture!(df301_user_set, "DF301-user-set.Dockerfile");
fixture!(df301_explicit_root, "DF301-explicit-root.Dockerfile");
fixture!(df301_uid0, "DF301-uid0.Dockerfile");
fixture!(df301_scratch, "DF301-scratch.Dockerfile");
fixture!(df301_chain, "DF301-chain.Dockerfile");
fixture!(df301_chain_ok, "DF301-chain-ok.Dockerfile");
fixture!(df301_unknown_base, "DF301-unknown.Dockerfile");
fixture!(df301_nonroot_bases, "DF301-nonroot-bases.Dockerfile");
fixture!(df301_windows_skipped, "DF301-windows.Dockerfile");
fixture!(df301_no_trailer, "DF301-no-trailer.Dockerfile");
fixture!(df301_steps_down, "DF301-steps-down.Dockerfile");
fixture!(df301_gosu, "DF301-gosu.Dockerfile");
fixture!(df301_su_exec, "DF301-su-exec.Dockerfile");
fixture!(df301_entrypoint_script, "DF301-entrypoint-script");
fixture!(df301_cmd_script, "DF301-cmd-script");
fixture!(df301_renamed_script, "DF301-renamed-script");
fixture!(df301_tini_script, "DF301-tini-script");
fixture!(df301_linked_script, "DF301-linked-script");
fixture!(df301_built_script, "DF301-built-script");
fixture!(df301_script_installs, "DF301-script-installs");
fixture!(df501_package_cache_mount, "DF501.Dockerfile");
fixture!(df501_clean_strategy, "DF501-clean.Dockerfile");
fixture!(df101_dependency_copy_order, "DF101.Dockerfile");
fixture!(df101_article, "DF101-article");
fixture!(df101_node, "DF101-node");
fixture!(df101_nested_requirements, "DF101-nested-requirements");
fixture!(df101_go_replace, "DF101-go-replace");
fixture!(df101_withheld, "DF101-withheld");
fixture!(df101_crlf_and_eof, "DF101-crlf.Dockerfile");
fixture!(df101_node_modules_in_context, "DF101-node-modules");
fixture!(df101_node_modules_ignored, "DF101-node-modules-ignored");
fixture!(df101_manifest_extras, "DF101-manifest-extras");
fixture!(df101_split, "DF101-split");
fixture!(df101_manifests_copied, "DF101-manifests-copied");
fixture!(df101_installed_before, "DF101-installed-before.Dockerfile");
fixture!(df213_add_for_local_files, "DF213.Dockerfile");
fixture!(df213_windows, "DF213-windows.Dockerfile");
fixture!(df213_backtick_escape, "DF213-backtick.Dockerfile");
fixture!(df213_context, "DF213-context");
fixture!(df210_download_leftovers, "DF210.Dockerfile");
fixture!(df209_npm_ci, "DF209.Dockerfile");
fixture!(df209_final_stage, "DF209-final.Dockerfile");
fixture!(df209_build_step, "DF209-build.Dockerfile");
fixture!(df209_node_env, "DF209-env.Dockerfile");
fixture!(df209_context, "DF209-context");
fixture!(df209_no_lockfile, "DF209-nolock");
fixture!(df209_lockfile_ignored, "DF209-ignored-lock");
fixture!(df102_node, "DF102-node");
fixture!(df102_python, "DF102-python");
fixture!(df102_copies_env, "DF102-copies-env");
fixture!(df102_present, "DF102-present");
fixture!(df102_named_only, "DF102-named-only");
fixture!(df102_no_context, "DF102-no-context.Dockerfile");
fixture!(df103_ignored, "DF103-ignored");
fixture!(df103_secrets, "DF103-secrets.Dockerfile");
fixture!(df103_context_secrets, "DF103-context-secrets");
fixture!(df209_start_uses_dev_dependency, "DF209-start-dev");
fixture!(df209_no_dev_dependencies, "DF209-no-dev-deps");
fixture!(df209_yarn_berry_subfolder, "DF209-yarn-berry-subfolder");
fixture!(df209_yarn_pnpm, "DF209-yarn.Dockerfile");
fixture!(df211_slim_base, "DF211.Dockerfile");
fixture!(df211_node_native, "DF211-node-native.Dockerfile");
fixture!(df211_chain, "DF211-chain.Dockerfile");
fixture!(df211_withheld_native_gems, "DF211-withheld.Dockerfile");
fixture!(df211_withheld_tools, "DF211-tools.Dockerfile");
fixture!(df211_withheld_healthcheck, "DF211-healthcheck.Dockerfile");
fixture!(df211_tools_installed, "DF211-installed.Dockerfile");
fixture!(df211_digest, "DF211-digest.Dockerfile");
fixture!(df211_arg, "DF211-arg.Dockerfile");
fixture!(df211_jre, "DF211-jre.Dockerfile");
fixture!(df211_ok, "DF211-ok.Dockerfile");
fixture!(df212_build_tools, "DF212.Dockerfile");
fixture!(df212_alpine, "DF212-alpine.Dockerfile");
fixture!(df212_single_stage_build, "DF212-single-stage.Dockerfile");
fixture!(df212_multi_stage, "DF212-multi-stage.Dockerfile");
fixture!(df902_to_df906_buildkit_casing, "DF902-DF906.Dockerfile");
fixture!(df905_majority_lower, "DF905-lower.Dockerfile");
fixture!(df905_tie, "DF905-tie.Dockerfile");
fixture!(df907_undefined_arg_in_from, "DF907.Dockerfile");
fixture!(df908_workdir_relative_path, "DF908.Dockerfile");
fixture!(df909_multiple_instructions, "DF909.Dockerfile");
fixture!(df910_legacy_key_value_format, "DF910.Dockerfile");
fixture!(
    df911_to_df913_from_platform_and_args,
    "DF911-DF913.Dockerfile"
);
fixture!(df911_redeclared, "DF911-redeclared.Dockerfile");
fixture!(df912_invalid_default_arg_in_from, "DF912.Dockerfile");
fixture!(df914_df915_expose, "DF914-DF915.Dockerfile");
fixture!(df404_unpinned_os_packages, "DF404.Dockerfile");
fixture!(df308_cd_in_run, "DF308.Dockerfile");
fixture!(df309_wget_progress, "DF309.Dockerfile");
fixture!(df309_arg_base, "DF309-arg-base.Dockerfile");
fixture!(df309_alpine_tags, "DF309-alpine-tags.Dockerfile");
fixture!(df310_curl_and_wget, "DF310.Dockerfile");
fixture!(df311_ln_bin_sh, "DF311.Dockerfile");
fixture!(df916_copy_from_unknown_stage, "DF916.Dockerfile");
fixture!(df917_copy_multiple_sources_dest, "DF917.Dockerfile");
fixture!(df918_copy_relative_dest, "DF918.Dockerfile");
fixture!(df214_useradd_lastlog, "DF214.Dockerfile");
fixture!(df215_yarn_cache, "DF215.Dockerfile");
fixture!(df215_berry, "DF215-berry.Dockerfile");
fixture!(df919_df920_label_key_expose_port, "DF919-DF920.Dockerfile");
fixture!(
    df921_df922_env_self_reference_copy_whole_filesystem,
    "DF921-DF922.Dockerfile"
);
fixture!(df923_invalid_definition_description, "DF923.Dockerfile");
fixture!(df312_non_numeric_user, "DF312.Dockerfile");
fixture!(df924_trusted_registry, "DF924.Dockerfile");
fixture!(df924_not_configured, "DF924-none.Dockerfile");
fixture!(df925_missing_label, "DF925.Dockerfile");
fixture!(df926_label_not_in_schema, "DF926.Dockerfile");
fixture!(df927_label_format, "DF927.Dockerfile");
fixture!(df928_undefined_var, "DF928.Dockerfile");
fixture!(
    df202_to_df206_heredoc_scripts,
    "DF202-DF206-heredoc.Dockerfile"
);
fixture!(
    df403_df404_heredoc_scripts,
    "DF403-DF404-heredoc.Dockerfile"
);
fixture!(df216_zypper_dist_upgrade, "DF216.Dockerfile");
fixture!(df201_consecutive_scope, "DF201-consecutive.Dockerfile");
fixture!(
    df201_consecutive_scope_windows,
    "DF201-consecutive-windows.Dockerfile"
);
fixture!(df308_any_scope, "DF308-any.Dockerfile");
fixture!(df306_all_pipes, "DF306-all.Dockerfile");
