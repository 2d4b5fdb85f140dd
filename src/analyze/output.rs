//! The report of `analyze cache`: a compact table (text), JSON (stable, documented in
//! docs/cache-model.md) and Markdown for a pull-request comment.

use super::FileReport;
use std::fmt::Write;

fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{:.0}%", p * 100.0))
}

fn commits(n: usize) -> String {
    if n == 1 {
        "1 commit".into()
    } else {
        format!("{n} commits")
    }
}

fn history_line(r: &FileReport) -> String {
    match (r.history_commits, &r.history_note) {
        (Some(n), Some(note)) => format!("{} ({note})", commits(n)),
        (Some(n), None) => commits(n),
        (None, Some(note)) => note.clone(),
        (None, None) => "none".into(),
    }
}

/// The text report: per file a table of its layers and the top contributions.
pub fn text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{}  (context {}, history: {}, costs: {})",
            r.path,
            r.context.as_deref().unwrap_or("none"),
            history_line(r),
            r.cost_source
        );
        table(&mut out, r);
        let _ = writeln!(
            out,
            "  E = {:.1} per build (a build with an empty cache: {:.1})",
            r.expected_rebuild_cost, r.full_build_cost
        );
        for c in &r.top {
            let _ = writeln!(out, "  - {}", c.reason);
        }
        if let (Some(f), Some(s)) = (&r.fixed, r.saving) {
            let _ = writeln!(
                out,
                "  after `check --fix --unsafe-fixes` ({}):",
                if r.fixes_applied.is_empty() {
                    "no fix".to_string()
                } else {
                    r.fixes_applied.join(", ")
                }
            );
            table(&mut out, f);
            let _ = writeln!(
                out,
                "  E = {:.1} per build: saves {:.1} ({:.0}%)",
                f.expected_rebuild_cost,
                s,
                if r.expected_rebuild_cost > 0.0 {
                    s / r.expected_rebuild_cost * 100.0
                } else {
                    0.0
                }
            );
        }
        out.push('\n');
    }
    out
}

fn table(out: &mut String, r: &FileReport) {
    let _ = writeln!(
        out,
        "  {:>5}  {:<44} {:>6} {:>8} {:>8}",
        "line", "instruction", "p_hit", "cost", "E"
    );
    for l in &r.layers {
        let mut ins = l.instruction.clone();
        if ins.chars().count() > 44 {
            ins = ins.chars().take(43).collect::<String>() + "…";
        }
        let _ = writeln!(
            out,
            "  {:>5}  {:<44} {:>6} {:>8.1} {:>8.1}{}",
            l.line,
            ins,
            pct(l.p_hit),
            l.cost,
            l.expected_cost,
            if l.built { "" } else { "  (stage not built)" }
        );
    }
}

/// JSON: an array with one object per file.
pub fn json(reports: &[FileReport]) -> String {
    serde_json::to_string_pretty(reports).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// Markdown for a pull-request comment.
pub fn markdown(reports: &[FileReport]) -> String {
    let mut out = String::from("### Layer cache: expected rebuild cost\n\n");
    for r in reports {
        let _ = writeln!(
            out,
            "**`{}`**: E = **{:.1}** per build (empty cache: {:.1}; history: {}; costs: {})\n",
            r.path,
            r.expected_rebuild_cost,
            r.full_build_cost,
            history_line(r),
            r.cost_source
        );
        if let (Some(f), Some(s)) = (&r.fixed, r.saving) {
            let _ = writeln!(
                out,
                "After `dockerfix check --fix --unsafe-fixes` ({}): E = **{:.1}**, saving **{:.1}** per build.\n",
                if r.fixes_applied.is_empty() {
                    "no fix".to_string()
                } else {
                    r.fixes_applied.join(", ")
                },
                f.expected_rebuild_cost,
                s
            );
        }
        for c in &r.top {
            let _ = writeln!(out, "- {}", c.reason);
        }
        out.push_str("\n<details><summary>Layers</summary>\n\n| line | instruction | p_hit | cost | E |\n|---:|---|---:|---:|---:|\n");
        for l in r.layers.iter().filter(|l| l.built) {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {:.1} | {:.1} |",
                l.line,
                md_cell(&l.instruction),
                pct(l.p_hit),
                l.cost,
                l.expected_cost
            );
        }
        out.push_str("\n</details>\n\n");
    }
    out
}
