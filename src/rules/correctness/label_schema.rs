//! What the label-schema rules (DF925-DF927) share: the LABEL pairs of a stage, their keys and
//! values as the build sees them, and the formats of `[lint.label-schema]`.

use crate::rules::Context;
use crate::settings::LabelFormat;
use crate::syntax::{Args, Instruction, Kind, Span};

/// One `key=value` of a LABEL: the key and value without their quotes (None when a variable
/// is part of it), and the source spans of the key and the value.
pub(super) struct LabelPair {
    pub key: Option<String>,
    pub value: Option<String>,
    pub key_span: Span,
    pub value_span: Span,
}

/// A word without its quotes, as BuildKit reads it (backslash escapes inside double quotes
/// and outside quotes), or None when it has a variable, whose value is not known.
pub(super) fn unquote(word: &str, escape: char) -> Option<String> {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '$') => return None,
            (_, c) if c == escape => out.push(chars.next()?),
            (_, c) => out.push(c),
        }
    }
    Some(out)
}

pub(super) fn pairs(ins: &Instruction, escape: char) -> Vec<LabelPair> {
    if ins.kind() != Kind::Label {
        return Vec::new();
    }
    let Args::Pairs(pairs) = &ins.node.args else {
        return Vec::new();
    };
    pairs
        .iter()
        .map(|p| LabelPair {
            key: unquote(p.key.slice(&ins.logical), escape),
            value: unquote(p.value.slice(&ins.logical), escape),
            key_span: ins.to_source(p.key),
            value_span: ins.to_source(p.value),
        })
        .collect()
}

/// The label keys a stage's own LABELs define, and those with a variable in the key (which
/// may define any label).
pub(super) fn stage_keys(ctx: &Context, stage: usize) -> (Vec<String>, bool) {
    let mut keys = Vec::new();
    let mut unknown = false;
    for ins in ctx
        .stages
        .get(stage)
        .map(|s| s.instructions.as_slice())
        .unwrap_or_default()
    {
        for p in pairs(ins, ctx.doc.escape) {
            match p.key {
                Some(k) => keys.push(k),
                None => unknown = true,
            }
        }
    }
    (keys, unknown)
}

/// Whether a value has the schema's format; None when it does, else what it is not.
pub(super) fn format_problem(format: LabelFormat, value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return Some("is empty");
    }
    let ok = match format {
        LabelFormat::Text => true,
        LabelFormat::Url => is_url(value),
        LabelFormat::Rfc3339 => is_rfc3339(value),
        LabelFormat::Semver => is_semver(value),
        LabelFormat::Hash => {
            matches!(value.len(), 7 | 40)
                && value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        LabelFormat::Spdx => is_spdx_id(value),
        LabelFormat::Email => is_email(value),
    };
    (!ok).then_some(match format {
        LabelFormat::Text => "is empty",
        LabelFormat::Url => "is not a valid URL",
        LabelFormat::Rfc3339 => "is not an RFC 3339 date and time",
        LabelFormat::Semver => "does not follow semantic versioning",
        LabelFormat::Hash => "is not a git commit hash (7 or 40 lower-case hex digits)",
        LabelFormat::Spdx => "is not an SPDX license identifier",
        LabelFormat::Email => "is not an email address",
    })
}

/// An absolute URI (RFC 3986): a scheme, `:`, then only characters a URI may hold.
fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let mut bytes = rest.bytes();
    let mut rest_ok = true;
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_hexdigit());
            if !(hex(bytes.next()) && hex(bytes.next())) {
                rest_ok = false;
            }
        } else if !(b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)) {
            rest_ok = false;
        }
    }
    scheme_ok && rest_ok
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `2024-05-01T12:30:00Z`, with optional fractional seconds and a `Z` or `±hh:mm` offset.
fn is_rfc3339(v: &str) -> bool {
    let Some((date, time)) = v.split_once(['T', 't', ' ']) else {
        return false;
    };
    let d: Vec<&str> = date.split('-').collect();
    let date_ok =
        matches!(d.as_slice(), [y, m, dd] if digits(y, 4) && digits(m, 2) && digits(dd, 2));
    let (clock, offset_ok) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, true)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, off) = time.split_at(i);
        let off = off.get(1..).unwrap_or_default();
        let ok = matches!(off.split_once(':'), Some((h, m)) if digits(h, 2) && digits(m, 2));
        (c, ok)
    } else {
        return false;
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((hms, f)) => (hms, !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit())),
        None => (clock, true),
    };
    let t: Vec<&str> = hms.split(':').collect();
    let time_ok = matches!(t.as_slice(), [h, m, s] if digits(h, 2) && digits(m, 2) && digits(s, 2));
    date_ok && offset_ok && frac && time_ok
}

/// `MAJOR.MINOR.PATCH`, an optional `-pre.release` and `+build` (semver.org 2.0.0).
fn is_semver(v: &str) -> bool {
    let (v, build) = match v.split_once('+') {
        Some((v, b)) => (v, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let number = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let core_ok = {
        let parts: Vec<&str> = core.split('.').collect();
        parts.len() == 3 && parts.iter().all(|p| number(p))
    };
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|i| ident(i) && (!i.bytes().all(|b| b.is_ascii_digit()) || number(i)))
    });
    let build_ok = build.is_none_or(|b| b.split('.').all(ident));
    core_ok && pre_ok && build_ok
}

/// The shape of one SPDX license identifier (`MIT`, `Apache-2.0`, `GPL-3.0-or-later`,
/// `LicenseRef-x`): letters, digits, `.` and `-`, starting with a letter or digit. The SPDX
/// list itself is not bundled: an unknown identifier of that shape passes (hadolint checks
/// against the list).
fn is_spdx_id(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
}

/// `local@domain`: a local part of printable characters without blanks, a domain of labels
/// of letters, digits and `-`.
fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@()<>[]:;,\\\"".contains(c));
    let domain_ok = !domain.is_empty()
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let ok = |f, v: &str| format_problem(f, v).is_none();
        assert!(ok(LabelFormat::Url, "https://example.com/a?b=c#d"));
        assert!(!ok(LabelFormat::Url, "example.com"));
        assert!(!ok(LabelFormat::Url, "https://exa mple.com"));
        assert!(ok(LabelFormat::Rfc3339, "2024-05-01T12:30:00Z"));
        assert!(ok(LabelFormat::Rfc3339, "2024-05-01T12:30:00.123+02:00"));
        assert!(!ok(LabelFormat::Rfc3339, "2024-05-01"));
        assert!(!ok(LabelFormat::Rfc3339, "2024-05-01T12:30:00"));
        assert!(ok(LabelFormat::Semver, "1.2.3"));
        assert!(ok(LabelFormat::Semver, "1.2.3-rc.1+build.5"));
        assert!(!ok(LabelFormat::Semver, "v1.2.3"));
        assert!(!ok(LabelFormat::Semver, "1.2"));
        assert!(!ok(LabelFormat::Semver, "01.2.3"));
        assert!(ok(LabelFormat::Hash, "0123abc"));
        assert!(ok(LabelFormat::Hash, &"a".repeat(40)));
        assert!(!ok(LabelFormat::Hash, "0123ABC"));
        assert!(!ok(LabelFormat::Hash, "0123abcd"));
        assert!(ok(LabelFormat::Spdx, "Apache-2.0"));
        assert!(!ok(LabelFormat::Spdx, "MIT OR Apache-2.0"));
        assert!(ok(LabelFormat::Email, "jane@example.com"));
        assert!(!ok(LabelFormat::Email, "jane at example.com"));
        assert!(!ok(LabelFormat::Email, "jane@"));
        assert!(ok(LabelFormat::Text, "x"));
        assert!(!ok(LabelFormat::Text, ""));
        assert_eq!(unquote("\"a b\"", '\\').as_deref(), Some("a b"));
        assert_eq!(unquote("'$x'", '\\').as_deref(), Some("$x"));
        assert_eq!(unquote("$x", '\\'), None);
    }
}
