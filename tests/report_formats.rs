//! The machine-readable report formats: SARIF 2.1.0 (structure, positions, fixes that reproduce
//! `--fix`), GitLab Code Quality (fingerprints unique and stable), JUnit XML (well-formed,
//! escaped), plus a reviewed snapshot of each for one small input.

use dockerfix::report::{self, FileDiagnostics, OutputFormat};
use dockerfix::rules::{self, Diagnostic, RULES};
use dockerfix::settings::Settings;
use dockerfix::syntax::Span;
use serde_json::Value;

const SAMPLE: &str = "FROM debian\nRUN apt-get install curl\nMAINTAINER me\n";

/// DF204 (a Safe fix) and DF901 (an Unsafe one): enough for every report field, and stable
/// as rules are added.
fn two_rules() -> Settings {
    let mut s = Settings::default();
    for (i, rule) in dockerfix::rules::RULES.iter().enumerate() {
        s.enabled[i] = matches!(rule.code, "DF204" | "DF901");
    }
    s
}

fn lint(path: &str, text: &str) -> FileDiagnostics {
    let doc = dockerfix::syntax::parse(text).unwrap();
    FileDiagnostics {
        path: path.to_string(),
        source: text.to_string(),
        diagnostics: dockerfix::lint(&doc, &two_rules(), &dockerfix::FileOptions::default()),
    }
}

fn render(files: &[FileDiagnostics], format: OutputFormat) -> String {
    report::render(files, format, false, false)
}

fn sarif_json(files: &[FileDiagnostics]) -> Value {
    serde_json::from_str(&render(files, OutputFormat::Sarif)).unwrap()
}

/// The byte offset of a SARIF (line, column) in `text`: columns count characters, and a byte
/// order mark is not a column.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut start = bom;
    for _ in 1..line {
        start += text[start..].find('\n').unwrap() + 1;
    }
    let mut offset = start;
    for _ in 1..column {
        offset += text[offset..].chars().next().unwrap().len_utf8();
    }
    offset
}

/// Checks a SARIF region's text and binary forms name the same bytes; returns them.
fn region_span(text: &str, region: &Value) -> (usize, usize) {
    let n = |k: &str| {
        region[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {region}"))
    };
    let start = offset_of(text, n("startLine"), n("startColumn"));
    let end = offset_of(text, n("endLine"), n("endColumn"));
    assert_eq!(start, n("byteOffset") as usize, "{region}");
    assert_eq!(end - start, n("byteLength") as usize, "{region}");
    (start, end)
}

/// Applies the SARIF fixes of the given applicabilities to the text.
fn apply_sarif_fixes(text: &str, log: &Value, applicabilities: &[&str]) -> String {
    let mut edits = Vec::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        for fix in result["fixes"].as_array().into_iter().flatten() {
            let applicability = fix["properties"]["applicability"].as_str().unwrap();
            if !applicabilities.contains(&applicability) {
                continue;
            }
            let changes = fix["artifactChanges"].as_array().unwrap();
            assert_eq!(changes.len(), 1);
            for r in changes[0]["replacements"].as_array().unwrap() {
                let (start, end) = region_span(text, &r["deletedRegion"]);
                let inserted = r["insertedContent"]["text"].as_str().unwrap().to_string();
                edits.push((start, end, inserted));
            }
        }
    }
    edits.sort();
    let mut out = text.to_string();
    for (start, end, inserted) in edits.into_iter().rev() {
        out.replace_range(start..end, &inserted);
    }
    out
}

#[test]
fn sarif_structure() {
    let file = lint("docker/Dockerfile", SAMPLE);
    let codes: Vec<_> = file.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["DF204", "DF901"]);
    let log = sarif_json(&[file]);

    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "dockerfix");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    let sarif_rules = driver["rules"].as_array().unwrap();
    assert_eq!(sarif_rules.len(), RULES.len());
    for (r, s) in RULES.iter().zip(sarif_rules) {
        assert_eq!(s["id"], r.code);
        assert_eq!(s["name"], r.name);
        assert_eq!(s["shortDescription"]["text"], r.summary);
        assert_eq!(s["fullDescription"]["text"], r.doc);
        assert_eq!(s["help"]["text"], r.doc);
        assert_eq!(s["help"]["markdown"], r.doc);
        // The link is made from the manifest's `repository`, and points at the rule's section.
        let url = report::rule_url(r.code).expect("Cargo.toml declares the repository");
        assert_eq!(s["helpUri"], url.as_str());
        assert!(url.starts_with(env!("CARGO_PKG_REPOSITORY")) || url.contains("shellcheck.net"));
        let level = match r.severity {
            rules::Severity::Error => "error",
            rules::Severity::Warning => "warning",
            rules::Severity::Info => "note",
        };
        assert_eq!(s["defaultConfiguration"]["level"], level);
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for res in results {
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(sarif_rules[index]["id"], res["ruleId"]);
        assert_eq!(
            res["level"],
            sarif_rules[index]["defaultConfiguration"]["level"]
        );
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "docker/Dockerfile");
        region_span(SAMPLE, &loc["region"]);
    }

    // DF204 points at `apt-get install curl` on line 2; DF901 at the MAINTAINER line.
    let df204 = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(results[0]["ruleId"], "DF204");
    assert_eq!(df204["startLine"], 2);
    assert_eq!(df204["endLine"], 2);
    let (s, e) = region_span(SAMPLE, df204);
    assert!(SAMPLE[s..e].contains("apt-get"), "{:?}", &SAMPLE[s..e]);
    let df901 = &results[1]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(results[1]["ruleId"], "DF901");
    assert_eq!(df901["startLine"], 3);
    assert_eq!(df901["startColumn"], 1);
    let (s, e) = region_span(SAMPLE, df901);
    assert!(
        SAMPLE[s..e].starts_with("MAINTAINER"),
        "{:?}",
        &SAMPLE[s..e]
    );

    // Both carry a fix with a description and at least one replacement.
    for res in results {
        let fixes = res["fixes"].as_array().unwrap();
        assert_eq!(fixes.len(), 1);
        assert!(!fixes[0]["description"]["text"].as_str().unwrap().is_empty());
        assert!(
            !fixes[0]["artifactChanges"][0]["replacements"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            fixes[0]["artifactChanges"][0]["artifactLocation"]["uri"],
            "docker/Dockerfile"
        );
    }
}

#[test]
fn sarif_fixes_reproduce_fix() {
    for text in [
        SAMPLE,
        // A BOM, non-ASCII text before the edit, CRLF, no final newline.
        "\u{feff}FROM debian\r\nRUN echo é && apt-get install curl\r\nMAINTAINER Zoë <z@example.com>",
        "FROM debian\nRUN apt-get install curl && \\\n    apt-get install wget\n",
        // Findings on the BOM's line, and two identical ones in one instruction.
        "\u{feff}MAINTAINER Zoë\r\nFROM x\r\nRUN apt-get install a && \\\r\n  apt-get install b",
    ] {
        let log = sarif_json(&[lint("Dockerfile", text)]);
        let settings = two_rules();
        let safe = dockerfix::fix(text, &settings, &dockerfix::FileOptions::default()).unwrap();
        assert_eq!(
            apply_sarif_fixes(text, &log, &["safe"]),
            safe.text,
            "{text:?}"
        );
        let all = dockerfix::fix(
            text,
            &settings,
            &dockerfix::FileOptions {
                unsafe_fixes: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            apply_sarif_fixes(text, &log, &["safe", "unsafe"]),
            all.text,
            "{text:?}"
        );
        for res in log["runs"][0]["results"].as_array().unwrap() {
            region_span(text, &res["locations"][0]["physicalLocation"]["region"]);
        }
    }
}

#[test]
fn sarif_without_findings_still_lists_rules() {
    let log = sarif_json(&[lint("Dockerfile", "FROM debian\n")]);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        RULES.len()
    );
    let log = sarif_json(&[]);
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
}

fn gitlab_json(files: &[FileDiagnostics]) -> Vec<Value> {
    let v: Value = serde_json::from_str(&render(files, OutputFormat::Gitlab)).unwrap();
    v.as_array().unwrap().clone()
}

fn fingerprints(issues: &[Value]) -> Vec<String> {
    issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn gitlab_fields_and_fingerprints() {
    // Two identical findings in one file, and the same text in another file.
    let twice = "FROM debian\nRUN apt-get install curl\nRUN apt-get install curl\nMAINTAINER me\n";
    let files = [lint("./a/Dockerfile", twice), lint("b/Dockerfile", twice)];
    let issues = gitlab_json(&files);
    assert_eq!(issues.len(), 6);
    let first = &issues[0];
    assert_eq!(first["check_name"], "DF204");
    assert!(first["description"].as_str().unwrap().starts_with("DF204 "));
    assert_eq!(first["severity"], "minor");
    assert_eq!(first["location"]["path"], "a/Dockerfile");
    assert_eq!(first["location"]["lines"]["begin"], 2);
    assert_eq!(issues[1]["location"]["lines"]["begin"], 3);
    assert_eq!(issues[3]["location"]["path"], "b/Dockerfile");

    let prints = fingerprints(&issues);
    for p in &prints {
        assert_eq!(p.len(), 16);
        assert!(p.bytes().all(|b| b.is_ascii_hexdigit()), "{p}");
    }
    let mut unique = prints.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "{prints:?}");

    // Stable across runs.
    assert_eq!(fingerprints(&gitlab_json(&files)), prints);

    // Stable when lines above move the findings down.
    let shifted = format!("# a comment\n\n{twice}");
    let moved = gitlab_json(&[
        lint("./a/Dockerfile", &shifted),
        lint("b/Dockerfile", twice),
    ]);
    assert_eq!(fingerprints(&moved), prints);
    assert_eq!(moved[0]["location"]["lines"]["begin"], 4);
}

#[test]
fn gitlab_empty_is_an_array() {
    assert_eq!(render(&[], OutputFormat::Gitlab).trim(), "[]");
}

/// A small XML checker: tags balance, attributes are quoted, `&` starts a known reference and
/// `<` only starts markup.
fn assert_well_formed(xml: &str) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = body;
    let check_text = |t: &str| {
        assert!(!t.contains('>'), "raw > in {t:?}");
        let mut s = t;
        while let Some(i) = s.find('&') {
            s = &s[i..];
            assert!(
                [
                    "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;"
                ]
                .iter()
                .any(|e| s.starts_with(e)),
                "bad reference in {t:?}"
            );
            s = &s[1..];
        }
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        let close = open + rest[open..].find('>').expect("unclosed tag");
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()),
            "{name:?}"
        );
        while !attrs.trim().is_empty() {
            let (key, after) = attrs.trim_start().split_once("=\"").expect("attribute");
            assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()), "{key:?}");
            let (value, after) = after.split_once('"').expect("closing quote");
            assert!(!value.contains('<'), "raw < in attribute {value:?}");
            check_text(value);
            attrs = after;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest.trim_end());
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[test]
fn junit_structure_and_escaping() {
    let mut bad = lint("a&b <x>/Dockerfile", SAMPLE);
    let rule = rules::by_code("DF204").unwrap();
    bad.diagnostics.push(Diagnostic::new(
        rule,
        Span::new(0, 4),
        "a message with <&\"'> in it",
    ));
    let files = [bad, lint("ok/Dockerfile", "FROM debian\n")];
    let xml = render(&files, OutputFormat::Junit);
    assert_well_formed(&xml);
    assert!(xml.contains(
        "<testsuite name=\"dockerfix\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">"
    ));
    assert!(
        xml.contains("<testcase name=\"a&amp;b &lt;x&gt;/Dockerfile\" classname=\"dockerfix\">")
    );
    assert!(xml.contains("<testcase name=\"ok/Dockerfile\" classname=\"dockerfix\"/>"));
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert!(xml.contains(
        "message=\"a message with &lt;&amp;&quot;&apos;&gt; in it\" type=\"DF204\">a&amp;b &lt;x&gt;/Dockerfile:1:1: DF204 a message with &lt;&amp;&quot;&apos;&gt; in it</failure>"
    ));
    assert!(!xml.contains("<&"));
}

#[test]
fn junit_without_files() {
    let xml = render(&[], OutputFormat::Junit);
    assert_well_formed(&xml);
    assert!(xml.contains("tests=\"0\" failures=\"0\""));
}

fn snapshot_input() -> Vec<FileDiagnostics> {
    vec![
        lint("docker/app.Dockerfile", SAMPLE),
        lint("Dockerfile", "FROM debian\n"),
    ]
}

/// The version changes with every release; the snapshots should not.
fn redact_version(text: String) -> String {
    text.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[version]\"",
    )
}

#[test]
fn snapshots() {
    let files = snapshot_input();
    let sarif = redact_version(render(&files, OutputFormat::Sarif));
    let gitlab = render(&files, OutputFormat::Gitlab);
    let junit = render(&files, OutputFormat::Junit);
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("report_sarif", sarif);
        insta::assert_snapshot!("report_gitlab", gitlab);
        insta::assert_snapshot!("report_junit", junit);
    });
}
