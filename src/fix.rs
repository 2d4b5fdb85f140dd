//! Fixes as byte-span edits, and the loop that applies them to a fixed point.
//!
//! A [`Fix`] is a set of [`Edit`]s on the original text with an [`Applicability`]. Fixes are
//! applied sorted by position; a fix that overlaps one already applied waits for the next
//! round. After each round the text is parsed and checked again, until nothing changes (with
//! a cap): a fix whose result does not parse, or that never converges, is an internal error
//! that names the rule, and the text is left as it was.

use crate::context::NewFile;
use crate::syntax::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown, never applied (a suggestion that needs a human).
    DisplayOnly,
    /// Changes what the image does or what the build needs: only with `--unsafe-fixes`.
    Unsafe,
    /// The image built from the fixed file behaves the same.
    Safe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Byte span in the source text being replaced (empty for an insertion).
    #[serde(skip)]
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }
    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit::replace(Span::new(at, at), content)
    }
    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    /// Files the fix creates in the build context (DF102's `.dockerignore`); never an
    /// existing file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<NewFile>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Safe, edits)
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(title, Applicability::Unsafe, edits)
    }
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Fix {
            title: title.into(),
            applicability,
            edits,
            files: Vec::new(),
        }
    }

    /// A fix that creates a file in the build context and edits nothing.
    pub fn create_file(
        title: impl Into<String>,
        applicability: Applicability,
        file: NewFile,
    ) -> Fix {
        Fix {
            files: vec![file],
            ..Fix::new(title, applicability, Vec::new())
        }
    }

    /// The smallest span covering every edit.
    pub fn range(&self) -> Option<Span> {
        let first = self.edits.first()?;
        let end = self.edits.iter().map(|e| e.span.end).max()?;
        Some(Span::new(first.span.start, end))
    }

    /// Whether this fix is applied in a run that allows unsafe fixes or not.
    pub fn applies(&self, unsafe_fixes: bool) -> bool {
        match self.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// Applies the fixes that do not overlap, in order of position. Returns the new text and the
/// indices (into `fixes`) of the fixes applied. A fix that only creates files does not touch
/// the text and always counts as applied (the caller collects its files).
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut applied: Vec<usize> = (0..fixes.len())
        .filter(|&i| fixes[i].edits.is_empty() && !fixes[i].files.is_empty())
        .collect();
    let mut order: Vec<usize> = (0..fixes.len())
        .filter(|&i| !fixes[i].edits.is_empty())
        .collect();
    order.sort_by_key(|&i| {
        let r = fixes[i].range().unwrap_or_default();
        (r.start, r.end, i)
    });
    let mut out = String::with_capacity(text.len() + 64);
    let mut last: Option<usize> = None;
    for i in order {
        let fix = fixes[i];
        let Some(first) = fix.edits.first() else {
            continue;
        };
        // Skip a fix that starts at or before the end of the last applied one: two edits at
        // the same point would depend on their order.
        if last.is_some_and(|end| end >= first.span.start) {
            continue;
        }
        if fix
            .edits
            .windows(2)
            .any(|w| w[0].span.end > w[1].span.start)
        {
            continue;
        }
        if fix.edits.iter().any(|e| {
            e.span.end > text.len()
                || !text.is_char_boundary(e.span.start)
                || !text.is_char_boundary(e.span.end)
        }) {
            continue;
        }
        let mut pos = last.unwrap_or(0);
        for e in &fix.edits {
            out.push_str(&text[pos..e.span.start]);
            out.push_str(&e.content);
            pos = e.span.end;
        }
        last = Some(pos);
        applied.push(i);
    }
    out.push_str(&text[last.unwrap_or(0)..]);
    applied.sort_unstable();
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_sorted_and_skips_overlaps() {
        let a = Fix::safe("a", vec![Edit::replace(Span::new(4, 5), "X")]);
        let b = Fix::safe("b", vec![Edit::insert(0, ">")]);
        let c = Fix::safe("c", vec![Edit::replace(Span::new(3, 6), "Y")]);
        let (out, applied) = apply("0123456789", &[&a, &b, &c]);
        assert_eq!(out, ">012Y6789");
        assert_eq!(applied, vec![1, 2]);
    }

    #[test]
    fn multi_edit_fix_is_all_or_nothing() {
        let a = Fix::safe("a", vec![Edit::insert(1, "["), Edit::insert(3, "]")]);
        let b = Fix::safe("b", vec![Edit::delete(Span::new(2, 3))]);
        let (out, applied) = apply("abcd", &[&a, &b]);
        assert_eq!(out, "a[bc]d");
        assert_eq!(applied, vec![0]);
    }

    #[test]
    fn applicability() {
        let f = Fix::unsafe_("x", vec![]);
        assert!(!f.applies(false) && f.applies(true));
        let f = Fix::new("x", Applicability::DisplayOnly, vec![]);
        assert!(!f.applies(true));
    }
}
