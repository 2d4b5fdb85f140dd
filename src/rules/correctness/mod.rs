//! DF9xx: correctness, BuildKit's build checks (`docker build --check`) and the hadolint rules
//! that match them.

use crate::rules::Context;
use crate::syntax::{Args, Instruction, Kind, Span};

pub(in crate::rules) mod consistent_instruction_casing;
pub(in crate::rules) mod copy_from_unknown_stage;
pub(in crate::rules) mod copy_multiple_sources_dest;
pub(in crate::rules) mod copy_relative_dest;
pub(in crate::rules) mod copy_whole_filesystem;
pub(in crate::rules) mod env_self_reference;
pub(in crate::rules) mod expose_invalid_format;
pub(in crate::rules) mod expose_invalid_port;
pub(in crate::rules) mod expose_proto_casing;
pub(in crate::rules) mod from_as_casing;
pub(in crate::rules) mod from_platform_flag_const;
pub(in crate::rules) mod invalid_default_arg_in_from;
pub(in crate::rules) mod invalid_definition_description;
pub(in crate::rules) mod label_format;
pub(in crate::rules) mod label_key;
pub(in crate::rules) mod label_not_in_schema;
mod label_schema;
pub(in crate::rules) mod legacy_key_value_format;
pub(in crate::rules) mod maintainer_deprecated;
pub(in crate::rules) mod missing_label;
pub(in crate::rules) mod multiple_instructions;
pub(in crate::rules) mod no_empty_continuation;
pub(in crate::rules) mod redundant_target_platform;
pub(in crate::rules) mod reserved_stage_name;
pub(in crate::rules) mod stage_name_casing;
pub(in crate::rules) mod trusted_registry;
pub(in crate::rules) mod undefined_arg_in_from;
pub(in crate::rules) mod undefined_var;
pub(in crate::rules) mod workdir_relative_path;

/// A FROM's words: the image, and `AS name` when there are exactly three words.
pub(super) struct FromWords {
    pub image: Span,
    /// The `AS` word and the stage name (logical spans).
    pub alias: Option<(Span, Span)>,
}

pub(super) fn from_words(from: &Instruction) -> Option<FromWords> {
    let Args::Words(words) = &from.node.args else {
        return None;
    };
    match words.as_slice() {
        [image] => Some(FromWords {
            image: *image,
            alias: None,
        }),
        [image, as_word, name] => Some(FromWords {
            image: *image,
            alias: Some((*as_word, *name)),
        }),
        _ => None,
    }
}

/// Whether a keyword is written all lower case or all upper case (`Run` is neither).
pub(super) fn self_consistent(s: &str) -> bool {
    s == s.to_lowercase() || s == s.to_uppercase()
}

/// The variables a word expands (`$NAME`, `${NAME...}`, also nested in `${A:-$B}`), as
/// BuildKit's word lexer reads them: not inside single quotes, not after the escape character.
pub(super) fn variables(word: &str, escape: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = word.char_indices().peekable();
    let mut single = false;
    while let Some((i, c)) = chars.next() {
        if single {
            single = c != '\'';
            continue;
        }
        if c == '\'' {
            single = true;
        } else if c == escape {
            chars.next();
        } else if c == '$' {
            let start = match chars.peek() {
                Some(&(_, '{')) => {
                    chars.next();
                    i + 2
                }
                _ => i + 1,
            };
            let rest = word.get(start..).unwrap_or("");
            let len = rest
                .char_indices()
                .take_while(|&(k, ch)| {
                    ch == '_' || ch.is_ascii_alphabetic() || (k > 0 && ch.is_ascii_digit())
                })
                .count();
            if let Some(name) = rest.get(..len).filter(|n| !n.is_empty()) {
                out.push(name);
            }
        }
    }
    out
}

/// The build arguments BuildKit defines for every build (its platform arguments and
/// `TARGETSTAGE`), with the values of a build on linux/amd64.
pub(super) const BUILTIN_ARGS: &[(&str, &str)] = &[
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDOSVERSION", ""),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETOSVERSION", ""),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("TARGETSTAGE", "default"),
];

/// The global ARGs (before the first FROM): each name, and its default value when it has one
/// (as written, quotes included).
pub(super) fn global_args(ctx: &Context) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let Some(stage) = ctx.stages.first() else {
        return out;
    };
    for ins in &stage.instructions {
        if ins.kind() != Kind::Arg {
            continue;
        }
        let Args::Words(words) = &ins.node.args else {
            continue;
        };
        for w in words {
            let text = w.slice(&ins.logical);
            match text.split_once('=') {
                Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
                None => out.push((text.to_string(), None)),
            }
        }
    }
    out
}

/// What a word expands to, as far as it can be known: `$A`, `${A}`, `${A:-w}`, `${A-w}`,
/// `${A:+w}`, `${A+w}` with `env` (a name absent from `env` is unset); None for anything else
/// (quotes, escapes, other operators), which callers treat as unknown. Also returns the
/// names that were set and the names that were not.
pub(super) struct Expanded {
    pub text: String,
    pub matched: Vec<String>,
    pub unmatched: Vec<String>,
}

pub(super) fn expand(word: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<Expanded> {
    let mut out = Expanded {
        text: String::new(),
        matched: Vec::new(),
        unmatched: Vec::new(),
    };
    expand_into(word, env, &mut out)?;
    Some(out)
}

fn name_len(s: &str) -> usize {
    s.char_indices()
        .take_while(|&(k, ch)| {
            ch == '_' || ch.is_ascii_alphabetic() || (k > 0 && ch.is_ascii_digit())
        })
        .count()
}

fn expand_into(word: &str, env: &dyn Fn(&str) -> Option<String>, out: &mut Expanded) -> Option<()> {
    let mut rest = word;
    while let Some(c) = rest.chars().next() {
        if matches!(c, '\'' | '"' | '\\' | '`') {
            return None;
        }
        if c != '$' {
            out.text.push(c);
            rest = rest.get(c.len_utf8()..)?;
            continue;
        }
        let after = rest.get(1..)?;
        if let Some(inner) = after.strip_prefix('{') {
            let n = name_len(inner);
            let name = inner.get(..n).filter(|n| !n.is_empty())?;
            let tail = inner.get(n..)?;
            // The operator and the word up to the matching brace.
            let mut depth = 0usize;
            let mut close = None;
            for (k, ch) in tail.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        close = Some(k);
                        break;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            let close = close?;
            let op_word = tail.get(..close)?;
            rest = tail.get(close + 1..)?;
            let value = env(name);
            if value.is_some() {
                out.matched.push(name.to_string());
            } else {
                out.unmatched.push(name.to_string());
            }
            let (op, w) = if let Some(w) = op_word.strip_prefix(":-") {
                (":-", w)
            } else if let Some(w) = op_word.strip_prefix(":+") {
                (":+", w)
            } else if let Some(w) = op_word.strip_prefix('-') {
                ("-", w)
            } else if let Some(w) = op_word.strip_prefix('+') {
                ("+", w)
            } else if op_word.is_empty() {
                ("", "")
            } else {
                return None;
            };
            let set = value.is_some();
            let nonempty = value.as_deref().is_some_and(|v| !v.is_empty());
            let use_word = match op {
                ":-" => !nonempty,
                "-" => !set,
                ":+" => nonempty,
                "+" => set,
                _ => false,
            };
            let mut sub = Expanded {
                text: String::new(),
                matched: Vec::new(),
                unmatched: Vec::new(),
            };
            expand_into(w, env, &mut sub)?;
            out.matched.extend(sub.matched);
            out.unmatched.extend(sub.unmatched);
            if use_word {
                out.text.push_str(&sub.text);
            } else if op == ":-" || op == "-" || op.is_empty() {
                out.text.push_str(value.as_deref().unwrap_or(""));
            }
        } else {
            let n = name_len(after);
            let name = after.get(..n).filter(|n| !n.is_empty())?;
            rest = after.get(n..)?;
            match env(name) {
                Some(v) => {
                    out.matched.push(name.to_string());
                    out.text.push_str(&v);
                }
                None => out.unmatched.push(name.to_string()),
            }
        }
    }
    Some(())
}

/// The port words of every `EXPOSE`, except those with variables or quotes (their value is
/// known only after expansion).
pub(super) fn expose_ports<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a Instruction, Span)> + 'a {
    ctx.doc
        .instructions()
        .filter(|i| i.kind() == Kind::Expose)
        .flat_map(|ins| {
            let words = match &ins.node.args {
                Args::Words(w) => w.as_slice(),
                _ => &[],
            };
            words.iter().filter_map(move |w| {
                let t = w.slice(&ins.logical);
                (!t.contains(['$', '"', '\'', '\\', '`'])).then_some((ins, *w))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_as_buildkit_expands_them() {
        assert_eq!(variables("a${B:-$C}d$E_1", '\\'), ["B", "C", "E_1"]);
        assert_eq!(variables("'$A' \\$B $1 ${", '\\'), Vec::<&str>::new());
    }

    #[test]
    fn expansion() {
        let env = |n: &str| match n {
            "SET" => Some("v".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let e = |w: &str| expand(w, &env).map(|e| e.text);
        assert_eq!(e("a$SET-${SET}").as_deref(), Some("av-v"));
        assert_eq!(e("${NO:-x$SET}").as_deref(), Some("xv"));
        assert_eq!(e("${EMPTY:-d}${EMPTY-d}").as_deref(), Some("d"));
        assert_eq!(e("${SET:+p}${NO:+p}${EMPTY+q}").as_deref(), Some("pq"));
        assert_eq!(e("\"$SET\""), None);
        assert_eq!(e("${SET%%x}"), None);
    }

    #[test]
    fn references() {
        use invalid_default_arg_in_from::valid_reference as ok;
        for good in [
            "alpine",
            "alpine:3.20",
            "library/alpine:latest",
            "ghcr.io/o/r:1",
            "localhost:5000/x",
            "My.Registry.io/x/y",
            "x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "a__b.c-d",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "",
            "alpine:",
            "/x",
            "Alpine",
            "a:-x",
            "x@sha256:12",
            "a//b",
            "a-",
            ":t",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
