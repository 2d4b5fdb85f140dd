//! Other formatters' own specs as inputs to ours (`../shared/corpus/formatter-specs/`):
//!
//! - dprint-plugin-dockerfile: `tests/specs/**/*.txt`, several cases per file, each
//!   `== description ==`, input, `[expect]`, expected output. Read the way dprint's
//!   `dprint-development` spec parser reads them: CRLF becomes LF first (several files are
//!   stored with CRLF; dprint never sees it), an optional `~~ key: value ~~` header sets the
//!   file's config (we have no line width and no `healthcheckCmdNewLine`, so we format with our
//!   defaults and say so in the reasons), the input loses its last newline and the expected
//!   output its first. Case id: `dprint/<path below tests/specs>#<description>`.
//! - dockerfmt: `tests/in/X.dockerfile` with `tests/out/X.dockerfile`, byte for byte.
//!   Case id: `dockerfmt/<file name>`.
//!
//! Every input is formatted with our default settings. Ours must be idempotent, must need no
//! conservative fallback, must keep BuildKit's view of the file (`Document::meaning`), and an
//! input that does not parse must be refused with `FormatError::Parse`. Then ours is compared
//! with the peer's expected output: `same` or `differs`. Every differing case needs an entry in
//! [`REASONS`] naming the reasons in [`WHY`] that explain it (written after reading each
//! difference); every entry must still differ and every reason must be used, so the tables stay
//! true. The summary (counts, the reasons with how many cases each explains, and each
//! difference with its reasons and diff) is the insta snapshot
//! `snapshots/peer_specs_summary.snap`. In its diffs `-` is the peer's line and `+` ours; tabs
//! show as `→`, trailing blanks as `·`, carriage returns as `␍`.

use dockerfix::format::{FormatError, format, format_counting_fallbacks};
use dockerfix::settings::FormatSettings;
use dockerfix::syntax::parse;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SPECS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/formatter-specs"
);
const DPRINT: &str = "dprint__dprint-plugin-dockerfile/tests/specs";
const DOCKERFMT: &str = "reteps__dockerfmt/tests";

/// Why a case differs: case id, then the keys of [`WHY`] that explain every difference in it
/// (comma-separated). Written after reading each diff; the test fails if a differing case is
/// missing here or a listed case no longer differs.
const REASONS: &[(&str, &str)] = &[
    // dprint-plugin-dockerfile
    (
        "dprint/General/Comments_All.txt#should get comments in env vars",
        "style-flush-left-comment",
    ),
    (
        "dprint/Cmd/Cmd_All.txt#should format",
        "style-continuation-indent",
    ),
    (
        "dprint/Copy/Copy_All.txt#should collapse a multi-line copy without comments to a single line",
        "style-keep-line-breaks",
    ),
    (
        "dprint/Copy/Copy_All.txt#should keep a comment in copy and align it with the arguments",
        "style-align-to-arguments",
    ),
    (
        "dprint/Copy/Copy_All.txt#should keep a comment before the destination in copy",
        "style-align-to-arguments",
    ),
    (
        "dprint/Copy/Copy_All.txt#should keep a comment in copy with a flag",
        "style-align-to-arguments",
    ),
    (
        "dprint/Copy/Copy_All.txt#should normalize and align a comment in copy regardless of its indentation",
        "style-align-to-arguments, policy-comment-text",
    ),
    (
        "dprint/Copy/Copy_All.txt#should keep multiple comments in copy",
        "style-align-to-arguments",
    ),
    ("dprint/Env/Env_All.txt#should format", "option-line-width"),
    (
        "dprint/Env/Env_All.txt#should add an equals sign when missing",
        "scope-legacy-env",
    ),
    (
        "dprint/Env/Env_All.txt#should add quotes around env vars values with spaces",
        "scope-legacy-env",
    ),
    (
        "dprint/Env/Env_All.txt#should support backslash-escaped spaces in values",
        "scope-value-quoting",
    ),
    (
        "dprint/General/Comments_All.txt#should format comment",
        "policy-comment-text, style-continuation-indent",
    ),
    (
        "dprint/General/Comments_All.txt#should format empty comment",
        "refused-no-instructions",
    ),
    (
        "dprint/General/Comments_All.txt#should handle multiple comment chars",
        "refused-no-instructions, policy-comment-text",
    ),
    (
        "dprint/General/Comments_All.txt#should keep run comments at column zero when arguments are not indented",
        "style-continuation-indent",
    ),
    (
        "dprint/General/Comments_All.txt#should normalize comment chars and spacing while keeping run alignment",
        "policy-comment-text",
    ),
    (
        "dprint/General/Comments_All.txt#should keep a comment immediately after a run line continuation",
        "style-continuation-indent",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps comments in FROM after continuations",
        "policy-hoist-comments",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps a comment before the FROM alias",
        "policy-hoist-comments",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps comments between LABEL pairs",
        "style-align-to-arguments",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps a leading LABEL comment",
        "policy-hoist-comments",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps a comment in ARG",
        "policy-hoist-comments",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps a comment in single-value ENV",
        "policy-hoist-comments, scope-legacy-env",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps a comment in HEALTHCHECK before the command",
        "policy-hoist-comments, style-healthcheck-indent",
    ),
    (
        "dprint/General/DroppedComments_All.txt#keeps a comment in ONBUILD",
        "policy-hoist-comments",
    ),
    (
        "dprint/General/Escape_All.txt#should drop a dangling trailing backslash in run",
        "style-dangling-escape",
    ),
    (
        "dprint/General/Escape_All.txt#should not fail on a dangling trailing backslash in arg",
        "style-dangling-escape",
    ),
    (
        "dprint/General/Escape_All.txt#should not fail on a dangling trailing backslash in copy",
        "style-dangling-escape",
    ),
    (
        "dprint/Healthcheck/Healthcheck_All.txt#should normalize a preserved continuation to a two-space indent",
        "style-healthcheck-indent",
    ),
    (
        "dprint/Healthcheck/Healthcheck_All.txt#should keep a continuation before CMD and inside the command",
        "style-healthcheck-indent",
    ),
    (
        "dprint/Healthcheck/Healthcheck_All.txt#should default to a two-space indent when the command is flush left",
        "style-healthcheck-indent",
    ),
    (
        "dprint/Healthcheck/Healthcheck_All.txt#should collapse a continuation before NONE",
        "style-keep-line-breaks",
    ),
    (
        "dprint/Healthcheck/Healthcheck_CmdNewLine.txt#should split CMD onto its own line when there are options",
        "option-healthcheck-cmd-newline",
    ),
    (
        "dprint/Healthcheck/Healthcheck_CmdNewLine.txt#should split before an exec-form command",
        "option-healthcheck-cmd-newline",
    ),
    (
        "dprint/Healthcheck/Healthcheck_CmdNewLine.txt#should collapse a continuation before NONE",
        "style-keep-line-breaks",
    ),
    (
        "dprint/Healthcheck/Healthcheck_LineWidth.txt#should wrap a single-line command that exceeds the line width",
        "option-line-width",
    ),
    (
        "dprint/Healthcheck/Healthcheck_LineWidth.txt#should wrap before CMD when there are no options",
        "option-line-width",
    ),
    (
        "dprint/Label/Label_All.txt#should format multiple labels on multiple lines when exceeding width",
        "option-line-width",
    ),
    (
        "dprint/Run/Run_All.txt#should format",
        "style-continuation-indent",
    ),
    // dockerfmt
    (
        "dockerfmt/andissue.dockerfile",
        "option-and-leading, gap-lone-and",
    ),
    ("dockerfmt/copy.dockerfile", "style-house-indent"),
    ("dockerfmt/env.dockerfile", "scope-legacy-env"),
    ("dockerfmt/expose.dockerfile", "style-house-indent"),
    ("dockerfmt/flags.dockerfile", "style-house-indent"),
    ("dockerfmt/heredoc.dockerfile", "policy-heredoc-body"),
    ("dockerfmt/ignore.dockerfile", "gap-ignore-comment"),
    (
        "dockerfmt/issue32.dockerfile",
        "style-comment-align, option-and-leading, gap-lone-and, scope-legacy-env",
    ),
    (
        "dockerfmt/label.dockerfile",
        "safety-quoted-continuation, gap-structural-indent",
    ),
    (
        "dockerfmt/misc.dockerfile",
        "scope-maintainer, peer-blank-lines",
    ),
    (
        "dockerfmt/moretests.dockerfile",
        "scope-maintainer, policy-heredoc-body",
    ),
    ("dockerfmt/onbuild.dockerfile", "style-break-after-mount"),
    ("dockerfmt/run.dockerfile", "style-redirect-space"),
    (
        "dockerfmt/run2.dockerfile",
        "option-and-leading, gap-structural-indent",
    ),
    ("dockerfmt/run3.dockerfile", "option-and-leading"),
    ("dockerfmt/run5.dockerfile", "gap-escape-only-line"),
    (
        "dockerfmt/shell.dockerfile",
        "option-and-leading, gap-structural-indent",
    ),
    (
        "dockerfmt/whitespace.dockerfile",
        "option-and-leading, peer-as-case, peer-trailing-blanks, style-house-indent",
    ),
];

/// The reasons, grouped. Prefixes: `safety:` the peer's output changes what BuildKit reads, so
/// we never do it; `policy:` the peer changes something our formatter promises never to touch
/// (README, "What `format` does, and never does"), for the reason given; `scope:` a semantic
/// rewrite, which belongs to `check --fix`, not `format`; `refused:` BuildKit rejects the input
/// and so do we; `option:` the peer runs with an option we do not have, or not by default;
/// `style:` two defensible layouts; `gap:` the peer's layout is better and we do not do it yet;
/// `peer:` the peer's output is worse or inconsistent.
const WHY: &[(&str, &str)] = &[
    (
        "safety-quoted-continuation",
        "safety: dockerfmt re-indents continuation lines inside a quoted ENV value; that \
         indentation is inside the quotes, so the value BuildKit stores changes (16 blanks \
         between the package names become 4)",
    ),
    (
        "policy-heredoc-body",
        "policy: dockerfmt reformats RUN heredoc bodies with shfmt (`>>  /x` to `>>/x`, \
         dedent, `do` joined); we never touch a heredoc body: it is a script for whatever \
         interpreter reads it (`RUN python3 <<EOF`) or a file's content",
    ),
    (
        "policy-comment-text",
        "policy: dprint rewrites comment text (`#comment` to `# comment`, `##x` to `## x`, \
         `#   x` to `# x`); we never touch comment text (commented-out code, banners, `#!`)",
    ),
    (
        "policy-hoist-comments",
        "policy: dprint moves the comments of a continued FROM/LABEL/ARG/ENV/HEALTHCHECK/ONBUILD \
         above the instruction and joins the rest onto one line; we keep every comment where \
         it is: moved above the first instruction, `# syntax=...` or `# escape=...` would \
         become a parser directive, and above any instruction a comment becomes that \
         instruction's suppression comment (`# hadolint ignore=...`)",
    ),
    (
        "scope-legacy-env",
        "scope: legacy `ENV k v` to `ENV k=v` (quoting the value when it has blanks) is a \
         semantic rewrite, `check --fix`'s (BuildKit's LegacyKeyValueFormat, a planned safe \
         DF9xx fix), never format's; format keeps the legacy value byte for byte",
    ),
    (
        "scope-value-quoting",
        "scope: dprint re-quotes a value (`Rex\\ The\\ Dog` to `\"Rex The Dog\"`), the same \
         after BuildKit's word processing here, but format never rewrites argument text",
    ),
    (
        "scope-maintainer",
        "scope: MAINTAINER to `LABEL org.opencontainers.image.authors=...` is DF901's unsafe \
         fix (`check --fix --unsafe-fixes`), never format's",
    ),
    (
        "refused-no-instructions",
        "refused: comments only; BuildKit rejects the file (`file with no instructions`), so \
         we return the parse error and format nothing (dprint formats it)",
    ),
    (
        "option-line-width",
        "option: the spec runs dprint with a `lineWidth` (40 or 50) and dprint re-breaks the \
         instruction to fit (one pair or one part per line); we have no line width and keep \
         the author's line breaks",
    ),
    (
        "option-healthcheck-cmd-newline",
        "option: the spec runs dprint with `healthcheckCmdNewLine: true` (CMD on its own line \
         when there are flags); we have no such option",
    ),
    (
        "option-and-leading",
        "option: dockerfmt always moves `&&` to the start of the continuation line; our \
         default `and-position` is `preserve` (with `leading` these lines match, except for \
         gap-lone-and)",
    ),
    (
        "style-continuation-indent",
        "style: dprint keeps each continuation line's own indentation (flush left stays flush \
         left); we indent each instruction's continuation lines by one level of the file's \
         own indentation (four spaces when it shows none), keeping deeper lines' depth \
         relative to the shallowest",
    ),
    (
        "style-house-indent",
        "style: dockerfmt re-indents continuation lines to 4 spaces; we keep the indentation \
         the file uses consistently (here 2 spaces)",
    ),
    (
        "style-flush-left-comment",
        "style: dprint aligns a comment among continuation lines with them; we keep a comment \
         written flush left where it is (docker-library's style)",
    ),
    (
        "style-healthcheck-indent",
        "style: dprint indents the `CMD` continuation of HEALTHCHECK by 2 (and what follows \
         relative to it); we use one level of the file's indentation as for every \
         continuation",
    ),
    (
        "style-align-to-arguments",
        "style: dprint aligns the continuation lines of COPY/LABEL with the first argument \
         (column 5/6) and, once a comment sits in a COPY, puts one argument per line; we \
         indent by one level of the file's indentation and keep the author's line breaks",
    ),
    (
        "style-keep-line-breaks",
        "style: dprint joins a continued instruction onto one line when it has no comment \
         (COPY; HEALTHCHECK before NONE); we keep the author's line breaks (we have no line \
         width to re-break by)",
    ),
    (
        "style-dangling-escape",
        "style: dprint drops an escape that ends the file (BuildKit ignores it: `echo a\\` is \
         read as `echo a`, `ARG A=c:\\` as `c:`); we keep the byte, the meaning is the same; \
         that BuildKit drops it (`c:` is probably not what was meant) is a lint finding",
    ),
    (
        "style-break-after-mount",
        "style: dockerfmt puts the command after RUN's `--mount` flag on a continuation line; \
         we keep the author's line breaks",
    ),
    (
        "style-redirect-space",
        "style: dockerfmt (shfmt) writes `>>bar`; we keep the author's `>> bar` (the shell \
         reads both the same; we only collapse runs of blanks)",
    ),
    (
        "style-comment-align",
        "style: a comment inside a continuation takes the indentation of the line after it \
         (here `&& ...` at 4); dockerfmt keeps it at the depth of the package list above",
    ),
    (
        "gap-structural-indent",
        "gap: in shell commands, continuation depth is kept relative to the shallowest line \
         (so nested `if`/`for` bodies stay nested), which also keeps an accidental indent \
         (`&& cd` at 16, package names at 15) and arguments written at the command's depth; \
         dockerfmt indents by structure (`&&` commands at one level, a continued command's \
         arguments one level deeper). Other instructions (ENV, LABEL, COPY) are flat",
    ),
    (
        "gap-lone-and",
        "gap: a line holding only `&& \\` keeps the operator away from its command, even \
         with `and-position = leading` or `trailing`; dockerfmt joins it (`&& bar`)",
    ),
    (
        "gap-escape-only-line",
        "gap: we keep a continuation line that holds only the escape (`    \\`); dockerfmt \
         drops it (BuildKit reads only blanks from it, here outside quotes)",
    ),
    (
        "gap-ignore-comment",
        "gap: we have no comment that keeps the next instruction as written (dockerfmt's \
         `# dockerfmt-ignore`)",
    ),
    (
        "peer-as-case",
        "peer: dockerfmt keeps `as` lower-case after `FROM`, which BuildKit's FromAsCasing \
         check warns about; we upper-case it with the keyword",
    ),
    (
        "peer-trailing-blanks",
        "peer: dockerfmt keeps trailing blanks after LABEL and HEALTHCHECK NONE (it strips \
         them after FROM, COPY and ADD); we strip them everywhere",
    ),
    (
        "peer-blank-lines",
        "peer: dockerfmt collapses 7 blank lines to 1 but keeps 2 before the comment that ends \
         the file; we keep at most max-blank-lines (1) everywhere",
    ),
];

struct Case {
    id: String,
    /// The dprint file's `~~ ... ~~` config, if any.
    config: Option<String>,
    input: String,
    theirs: String,
}

fn root() -> PathBuf {
    let root = PathBuf::from(SPECS);
    assert!(
        root.join(DPRINT).is_dir() && root.join(DOCKERFMT).join("in").is_dir(),
        "the peers' specs are missing: expected {DPRINT} and {DOCKERFMT} below {} \
         (check out the shared corpus beside this repository)",
        root.display()
    );
    root
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in entries {
        let path = e.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// dprint-development's `parse_specs`, for the parts these files use.
fn dprint_cases(root: &Path) -> Vec<Case> {
    let dir = root.join(DPRINT);
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    let mut cases = Vec::new();
    for path in paths {
        let rel = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut text = read(&path).replace("\r\n", "\n");
        let mut config = None;
        if text.starts_with("~~") {
            let end = text.find("~~\n").expect("closing ~~");
            config = Some(text[2..end].trim().to_string());
            text = text[end + 3..].to_string();
        }
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(lines[0].starts_with("=="), "{rel}: no first case");
        let starts: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with("=="))
            .collect();
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(lines.len());
            let header = lines[start];
            let description = header[2..header.len() - 2].trim();
            let body = lines[start + 1..end].join("\n");
            let (input, expected) = body
                .split_once("[expect]")
                .unwrap_or_else(|| panic!("{rel}#{description}: no [expect]"));
            cases.push(Case {
                id: format!("dprint/{rel}#{description}"),
                config: config.clone(),
                input: input.strip_suffix('\n').unwrap_or(input).to_string(),
                theirs: expected.strip_prefix('\n').unwrap_or(expected).to_string(),
            });
        }
    }
    cases
}

fn dockerfmt_cases(root: &Path) -> Vec<Case> {
    let dir = root.join(DOCKERFMT);
    let mut paths = Vec::new();
    files(&dir.join("in"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|input| {
            let name = input.file_name().unwrap().to_string_lossy().into_owned();
            Case {
                id: format!("dockerfmt/{name}"),
                config: None,
                input: read(&input),
                theirs: read(&dir.join("out").join(&name)),
            }
        })
        .collect()
}

/// Our output, after checking what we promise of it; `Err` for an input BuildKit rejects.
fn ours(case: &Case) -> Result<String, String> {
    let settings = FormatSettings::default();
    let result = format_counting_fallbacks(&case.input, &settings);
    match parse(&case.input) {
        Err(e) => match result {
            Err(FormatError::Parse(_)) => Err(format!("parse error: {e}")),
            other => panic!(
                "{}: does not parse ({e}), but format gave {other:?}",
                case.id
            ),
        },
        Ok(before) => {
            let (out, fallbacks) = result.unwrap_or_else(|e| panic!("{}: {e}", case.id));
            // As in the golden tests: a fallback means the full layout got something wrong.
            assert_eq!(fallbacks, 0, "{}: conservative fallbacks", case.id);
            let after = parse(&out)
                .unwrap_or_else(|e| panic!("{}: ours does not parse: {e}\n{out}", case.id));
            assert!(
                before.meaning() == after.meaning(),
                "{}: formatting changed BuildKit's view\n{out}",
                case.id
            );
            let again = format(&out, &settings).unwrap();
            assert_eq!(again, out, "{}: not idempotent", case.id);
            Ok(out)
        }
    }
}

/// Tabs, trailing blanks and carriage returns made visible in a diff line.
fn visible(line: &str) -> String {
    let (body, newline) = match line.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (line, ""),
    };
    let (body, cr) = match body.strip_suffix('\r') {
        Some(b) => (b, "␍"),
        None => (body, ""),
    };
    let kept = body.trim_end_matches([' ', '\t']);
    let trailing: String = body[kept.len()..]
        .chars()
        .map(|c| if c == '\t' { '→' } else { '·' })
        .collect();
    format!("{}{trailing}{cr}{newline}", kept.replace('\t', "→"))
}

fn diff(theirs: &str, ours: &str) -> String {
    let text = similar::TextDiff::from_lines(theirs, ours)
        .unified_diff()
        .context_radius(1)
        .to_string();
    text.split_inclusive('\n')
        .map(|line| match line.split_at_checked(1) {
            Some((tag @ (" " | "-" | "+"), rest)) => format!("{tag}{}", visible(rest)),
            _ => line.to_string(),
        })
        .collect()
}

#[test]
#[cfg_attr(
    dockerfix_no_corpus,
    ignore = "needs the shared corpus: ../shared beside the checkout, or DOCKERFIX_SHARED"
)]
fn peer_specs() {
    let root = root();
    let peers = [
        ("dprint-plugin-dockerfile", dprint_cases(&root)),
        ("dockerfmt", dockerfmt_cases(&root)),
    ];
    let why: BTreeMap<&str, &str> = WHY.iter().copied().collect();
    assert_eq!(why.len(), WHY.len(), "a key is defined twice in WHY");
    let mut reasons: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, keys) in REASONS {
        let keys: Vec<&str> = keys.split(',').map(str::trim).collect();
        for key in &keys {
            assert!(why.contains_key(key), "{id}: `{key}` is not defined in WHY");
        }
        assert!(
            reasons.insert(id, keys).is_none(),
            "{id} is listed twice in REASONS"
        );
    }
    let unused: Vec<&str> = why
        .keys()
        .copied()
        .filter(|k| !reasons.values().flatten().any(|used| used == k))
        .collect();
    assert!(unused.is_empty(), "keys of WHY no case uses: {unused:?}");

    let mut ids = BTreeSet::new();
    let mut differing = BTreeSet::new();
    let mut missing = String::new();
    let mut counts = String::new();
    let mut details = String::new();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (peer, cases) in &peers {
        assert!(cases.len() >= 20, "{peer}: only {} cases", cases.len());
        let mut same = 0;
        for case in cases {
            assert!(ids.insert(case.id.clone()), "duplicate case id {}", case.id);
            let ours = ours(case);
            if ours.as_deref() == Ok(case.theirs.as_str()) {
                same += 1;
                continue;
            }
            differing.insert(case.id.clone());
            let ours = ours.unwrap_or_else(|e| format!("<{e}>\n"));
            let diff = diff(&case.theirs, &ours);
            let keys = match reasons.get(case.id.as_str()) {
                Some(keys) => keys.join(", "),
                None => {
                    let _ = writeln!(missing, "== {}\n--- input\n{}\n{diff}", case.id, case.input);
                    "(no reason)".to_string()
                }
            };
            for key in reasons.get(case.id.as_str()).into_iter().flatten() {
                *uses.entry(key).or_default() += 1;
            }
            let _ = writeln!(details, "\n### {}", case.id);
            if let Some(config) = &case.config {
                let _ = writeln!(details, "peer config: {config}");
            }
            let _ = write!(details, "why: {keys}\n{diff}");
        }
        let _ = writeln!(
            counts,
            "{peer}: {} cases, {same} same, {} differ",
            cases.len(),
            cases.len() - same
        );
    }
    assert!(
        missing.is_empty(),
        "differing cases without a reason in REASONS:\n{missing}"
    );
    let stale: Vec<&str> = reasons
        .keys()
        .copied()
        .filter(|id| !differing.contains(*id))
        .collect();
    assert!(
        stale.is_empty(),
        "listed in REASONS but no longer differ (or no such case): {stale:#?}"
    );

    // Counts, then each reason with how many cases it explains, then each difference.
    let mut summary = counts;
    summary.push_str("\n## why (cases)\n");
    for (key, text) in WHY {
        let _ = writeln!(summary, "- {key} ({}): {text}", uses.get(key).unwrap_or(&0));
    }
    summary.push_str("\n## differences (- theirs, + ours)\n");
    summary.push_str(&details);
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("peer_specs_summary", summary)
    });
}
